/*
 * authority — the registration authority running regkit (登记机关): its GB/T 2260 division, its
 * name, the divisions it registers (its area), its time zone, its signing key files, each
 * department's verdict keys, its office calendar (libreg/worktime.h) and the supervising body
 * that receives transfer letters.  Loaded from authority.xml (docs/formats.md); key paths are
 * relative to that file's folder.
 *
 * Department keys (docs/signatures.md).  Every department signs its verdicts with its own
 * Ed25519 key.  <departments><department id="tax"><key public=… private=… from=… until=…/>
 * lists each key with the period [from, until) in which it signs: a rotated key stays listed
 * with its `until`, so verdicts given before the rotation still verify.  `private` says where
 * the private key lives on this host, and is absent where the host does not hold it (every
 * host but the department's own, or the authority's for departments that have no key of
 * their own).  Keys are only named here; libreg/keyring.h loads them.
 *
 * test-only="true" marks the shipped TEST authority, whose private keys are public: what it
 * signs proves nothing, and every tool that signs with it says so.
 */
#ifndef REG_AUTHORITY_H
#define REG_AUTHORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* The divisions of its area in file order (the division alone when the file lists none). */
size_t reg_authority_area_count(const reg_authority *a);
const char *reg_authority_area(const reg_authority *a, size_t i);
/* Resolved paths of the PEM keys (the private one may be absent: NULL). */
const char *reg_authority_private_key_path(const reg_authority *a);
const char *reg_authority_public_key_path(const reg_authority *a);
bool reg_authority_test_only(const reg_authority *a);
/* The file it was loaded from. */
const char *reg_authority_path(const reg_authority *a);

/* One department verdict key as the file lists it (paths resolved, strings owned by the
 * authority).  valid_from is INT64_MIN and valid_until INT64_MAX when the file leaves them
 * open. */
typedef struct reg_dept_key {
	const char *dept;
	const char *public_path;
	const char *private_path;  /* NULL when this host does not hold it */
	int64_t valid_from;        /* epoch seconds, inclusive */
	int64_t valid_until;       /* epoch seconds, exclusive */
	long line;                 /* of the <key> element, for messages */
} reg_dept_key;

/* The keys in file order; a department may have several (rotation), never overlapping. */
size_t reg_authority_dept_key_count(const reg_authority *a);
const reg_dept_key *reg_authority_dept_key(const reg_authority *a, size_t i);
/* The office calendar (<calendar>, docs/calendar.md): without one, Monday to Friday with the
 * default hours and no year, so every year is counted without holidays (and said so). */
const reg_calendar *reg_authority_calendar(const reg_authority *a);
/* The body that receives transfer letters (移交函) about a late department (<supervisor>), or
 * NULL when the file names none. */
const char *reg_authority_supervisor(const reg_authority *a);
void reg_authority_free(reg_authority *a);

#endif
