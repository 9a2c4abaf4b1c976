/*
 * strmap — a string-keyed hash map (open addressing, FNV-1a), for the few places that must
 * remember what they saw in a stream: names already accepted in this batch (reg-apply),
 * dossiers waiting for their partners by acceptance number (reg-merge).
 * Keys are copied; values are the caller's (the map never frees them).
 */
#ifndef REG_STRMAP_H
#define REG_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct reg_strmap reg_strmap;

reg_strmap *reg_strmap_new(void);
/* Insert or replace; -1 when out of memory. */
int reg_strmap_put(reg_strmap *m, const char *key, void *value);
/* true and *value when present (value may be NULL). */
bool reg_strmap_get(const reg_strmap *m, const char *key, void **value);
/* Remove; returns the old value (or NULL). */
void *reg_strmap_remove(reg_strmap *m, const char *key);
size_t reg_strmap_size(const reg_strmap *m);
/* Visit every entry in unspecified order; stop when fn returns non-zero (that value is
 * returned). The map must not change during the visit. */
int reg_strmap_each(const reg_strmap *m, int (*fn)(const char *key, void *value, void *ctx),
		    void *ctx);
void reg_strmap_free(reg_strmap *m);

#endif
