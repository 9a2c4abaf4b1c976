#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A removed slot keeps probing chains intact until the next resize. */
static char tombstone;

typedef struct slot {
	char *key;
	void *value;
} slot;

struct reg_strmap {
	slot *slots;
	size_t capacity; /* a power of two */
	size_t used;     /* live keys */
	size_t filled;   /* live keys + tombstones */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

reg_strmap *reg_strmap_new(void)
{
	reg_strmap *m = calloc(1, sizeof *m);
	if (m && !(m->slots = calloc(16, sizeof *m->slots))) {
		free(m);
		return NULL;
	}
	if (m)
		m->capacity = 16;
	return m;
}

static slot *find(const reg_strmap *m, const char *key, bool for_insert)
{
	size_t mask = m->capacity - 1, i = hash(key) & mask;
	slot *first_free = NULL;
	for (;;) {
		slot *s = &m->slots[i];
		if (!s->key)
			return for_insert && first_free ? first_free : s;
		if (s->key == &tombstone) {
			if (!first_free)
				first_free = s;
		} else if (strcmp(s->key, key) == 0) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

static int grow(reg_strmap *m)
{
	size_t capacity = m->capacity * 2;
	slot *old = m->slots, *fresh = calloc(capacity, sizeof *fresh);
	if (!fresh)
		return -1;
	size_t old_capacity = m->capacity;
	m->slots = fresh;
	m->capacity = capacity;
	m->filled = m->used;
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i].key && old[i].key != &tombstone)
			*find(m, old[i].key, true) = old[i];
	free(old);
	return 0;
}

int reg_strmap_put(reg_strmap *m, const char *key, void *value)
{
	if ((m->filled + 1) * 4 > m->capacity * 3 && grow(m) < 0)
		return -1;
	slot *s = find(m, key, false);
	if (s->key && s->key != &tombstone) {
		s->value = value;
		return 0;
	}
	s = find(m, key, true);
	char *copy = strdup(key);
	if (!copy)
		return -1;
	if (!s->key)
		m->filled++;
	s->key = copy;
	s->value = value;
	m->used++;
	return 0;
}

bool reg_strmap_get(const reg_strmap *m, const char *key, void **value)
{
	slot *s = find(m, key, false);
	if (!s->key)
		return false;
	if (value)
		*value = s->value;
	return true;
}

void *reg_strmap_remove(reg_strmap *m, const char *key)
{
	slot *s = find(m, key, false);
	if (!s->key)
		return NULL;
	void *value = s->value;
	free(s->key);
	s->key = &tombstone;
	s->value = NULL;
	m->used--;
	return value;
}

size_t reg_strmap_size(const reg_strmap *m) { return m->used; }

int reg_strmap_each(const reg_strmap *m, int (*fn)(const char *key, void *value, void *ctx),
		    void *ctx)
{
	for (size_t i = 0; i < m->capacity; i++) {
		slot *s = &m->slots[i];
		if (s->key && s->key != &tombstone) {
			int rc = fn(s->key, s->value, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

void reg_strmap_free(reg_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->capacity; i++)
		if (m->slots[i].key != &tombstone)
			free(m->slots[i].key);
	free(m->slots);
	free(m);
}
