/*
 * authority — the registration authority running regkit (登记机关): its GB/T 2260 division, its
 * name, the divisions it registers (its area), its time zone and its signing key files, its
 * office calendar (libreg/worktime.h) and the supervising body that receives transfer letters.
 * Loaded from authority.xml (docs/formats.md); key paths are relative to that file's folder.
 */
#ifndef REG_AUTHORITY_H
#define REG_AUTHORITY_H

#include <stdbool.h>

#include "errors.h"
#include "worktime.h"

typedef struct reg_authority reg_authority;

/* Bad or missing file → REG_ECONFIG naming the file, line and element. */
reg_authority *reg_authority_load(const char *path, reg_err **errp);
const char *reg_authority_division(const reg_authority *a);
const char *reg_authority_name(const reg_authority *a);
int reg_authority_offset(const reg_authority *a); /* minutes east of UTC */
/* Whether an address in `division` may be registered here. */
bool reg_authority_covers(const reg_authority *a, const char *division);
/* Resolved paths of the PEM keys (the private one may be absent: NULL). */
const char *reg_authority_private_key_path(const reg_authority *a);
const char *reg_authority_public_key_path(const reg_authority *a);
bool reg_authority_test_only(const reg_authority *a);
/* The office calendar (<calendar>, docs/calendar.md): without one, Monday to Friday with the
 * default hours and no year, so every year is counted without holidays (and said so). */
const reg_calendar *reg_authority_calendar(const reg_authority *a);
/* The body that receives transfer letters (移交函) about a late department (<supervisor>), or
 * NULL when the file names none. */
const char *reg_authority_supervisor(const reg_authority *a);
void reg_authority_free(reg_authority *a);

#endif
