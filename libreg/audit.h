/*
 * audit — reg-verify's runs (man/reg-verify.1): identifiers (USCC, organization code, citizen
 * id) given as arguments or one per line on standard input, or issued archives checked without
 * extracting them (libreg/verify.h).  The rules themselves live in ids.c, tarball.c, verify.c.
 *
 * Every input gets one result row: the input as given, "ok" or "invalid", the explanation.
 * By default (no format) the row is the line reg-verify always wrote: no header, the three
 * fields TAB-separated, control bytes of the input as \xHH so the line keeps its shape.  With
 * a format it is a LISTING of libreg/table.h with the columns input, result, explanation (XML:
 * <verification xmlns="urn:regkit:verify:1" mode="uscc|org-code|citizen-id|archive"> of
 * <result/>s).  An input longer than REG_AUDIT_INPUT_MAX bytes is invalid and never read whole:
 * its row shows the start, cut on a character boundary, and "...".
 *
 * The result is the exit status (bsdtar's delayed error exit: every input is reported first):
 * REG_OK every input ok, REG_ENO any invalid, REG_EUSAGE … when a check could not be made
 * (an archive that cannot be opened: 66, registry busy: 75, key, catalog or authority: 78, a
 * failed read or write: 74).  Such trouble goes to stderr as `prog: FILE: message` as it
 * happens; an archive with trouble gets no row (its answer is neither ok nor invalid).
 */
#ifndef REG_AUDIT_H
#define REG_AUDIT_H

#include <stdbool.h>

#include "configuration.h"
#include "table.h"

/* Longest input line (after a trailing CR is stripped): an identifier is 18 characters, so
 * this is generous and bounds memory. */
#define REG_AUDIT_INPUT_MAX 4096

typedef enum reg_audit_mode {
	REG_AUDIT_ARCHIVES,
	REG_AUDIT_USCC,
	REG_AUDIT_ORG_CODE,
	REG_AUDIT_CITIZEN_ID,
} reg_audit_mode;

typedef struct reg_audit_request {
	reg_audit_mode mode;
	const char *prog;
	bool explain;              /* identifiers: decompose valid codes */
	const char *key;           /* archives: the public key (NULL: the authority's) */
	bool db;                   /* archives: compare with the registry (reg_config_db) */
	bool formatted;            /* false: the default lines; true: a table in `format` */
	reg_table_format format;
	char *const *inputs;       /* identifiers: none reads standard input */
	int n_inputs;
} reg_audit_request;

/* Check every input and write its row to stdout; returns the exit status. */
int reg_audit_run(reg_config *cfg, const reg_audit_request *rq);

#endif
