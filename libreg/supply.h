/*
 * supply — what an applicant brings to the window after acceptance (docs/supplements.md).
 *
 * Two kinds of material come late, and the registry records each its own way:
 *
 *   A SUPPLEMENT (补正) — a material a department asked for (its verdict "supplement"), or one
 *   the applicant replaces or adds while the dossier is still being decided.  The dossier gets a
 *   new BODY VERSION: the recorded body with that material's file digest (and path) replaced or
 *   added, under a new body digest, kept beside the earlier versions (reg_registry_add_body).
 *   The verdicts already given stay in the registry; the ledger decides which still count
 *   (libreg/ledger.h, COUNTING): a verdict counts when nothing changed since its body version in
 *   the enterprise itself nor in a material its item's catalog <uses material> lists.  So only
 *   the departments whose items use a supplied material review again; the others' verdicts
 *   stand.  An item's clock, stopped by its "supplement" verdict, runs again from the instant
 *   the new version is recorded (libreg/escalation.h).
 *
 *   A FULFILLED COMMITMENT (告知承诺) — a material the applicant promised at acceptance and owes.
 *   The departments decided on the promise, so handing it in changes no body and voids no
 *   verdict: the commitment is marked fulfilled with the file's digest and the time
 *   (reg_registry_fulfil_commitment) and leaves the owed list.  After issuance too: the issued
 *   archive is never touched, the fulfilment is a registry event.
 *
 * Which one: a material the dossier owes under a commitment is a fulfilment — unless an item
 * whose verdict in force asks for a supplement uses it, then it is a supplement that also
 * fulfils the commitment.  Any other material is a supplement.  A supplement to a dossier that
 * is issued (its record closed: a change is an alteration, 变更登记) or rejected (final) is
 * refused.
 *
 * Files are read as at acceptance: only inside `folder`, never through a link
 * (reg_file_hash_inside).  Everything for the dossier happens in one registry transaction: any
 * refusal (REG_ENO: an unknown dossier, a material the catalog lacks, a file refused, a closed
 * dossier) records nothing.  The same material handed in again with the same file changes
 * nothing and says so ("already"), so a rerun after a kill is safe.
 */
#ifndef REG_SUPPLY_H
#define REG_SUPPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "configuration.h"
#include "dossier.h"
#include "errors.h"

typedef struct reg_supplied {
	const char *material;   /* catalog material id, "articles" */
	const char *path;       /* the file, relative to the request's folder */
} reg_supplied;

typedef struct reg_supply_request {
	const char *number;           /* the acceptance number */
	const reg_supplied *materials;
	size_t n_materials;
	const char *folder;           /* where the paths are; NULL: "." */
} reg_supply_request;

typedef enum reg_supply_kind {
	REG_SUPPLY_SUPPLEMENT,        /* a new body version holds it */
	REG_SUPPLY_FULFILMENT,        /* a commitment fulfilled, no body change */
	REG_SUPPLY_BOTH,              /* a supplement that also fulfils a commitment */
	REG_SUPPLY_ALREADY,           /* the registry already holds this very file for it */
} reg_supply_kind;

typedef struct reg_supply_line {
	const char *material;         /* the request's */
	reg_supply_kind kind;
	char sha256[65];
} reg_supply_line;

/* What one request did. */
typedef struct reg_supply_report {
	char *number;
	reg_supply_line *lines;       /* one per requested material, in the request's order */
	size_t n_lines;
	int64_t version;              /* the new body version; 0 when none was made */
	char **again;                 /* "commerce (foreign-trade)": whose verdict no longer counts */
	size_t n_again;
	char *state;                  /* the registry's state afterwards */
} reg_supply_report;

/*
 * Record the request (see above) and return the dossier as the registry now holds it — the
 * ledger's view, as reg-status --export writes it — for reg-approve.  *report (cleared first)
 * says what was done.  NULL with *errp on any refusal; nothing is recorded then.
 */
reg_dossier *reg_supply(reg_config *cfg, const reg_supply_request *rq, reg_supply_report *report,
			reg_err **errp);
void reg_supply_report_clear(reg_supply_report *r);

/* The report for the clerk, one line per material and one for the reviews asked again:
 * "PROG: NUMBER: articles: supplied (body version 2)", "PROG: NUMBER: reviews again: …". */
void reg_supply_report_print(const reg_supply_report *r, const char *prog, FILE *fp);

/* "supplied", "fulfilled", "supplied, fulfilling its commitment", "already recorded". */
const char *reg_supply_kind_name(reg_supply_kind k);

/* Parse "MATERIAL=PATH" (a command-line operand) into *out, pointing into `arg` (which must
 * outlive it, and whose '=' becomes NUL).  REG_EUSAGE when it has no '=' or an empty side. */
int reg_supplied_parse(char *arg, reg_supplied *out, reg_err **errp);

#endif
