/*
 * approve — parallel approval (并联审批): each department reviews its own catalog items of an
 * accepted dossier, signs what it decided, and the registry records it (docs/approval.md,
 * docs/signatures.md).
 *
 * A review is one dossier in the hands of one thread: reg_review_new checks that the dossier
 * can be reviewed at all (it has an acceptance number and is not issued), computes its body
 * digest and which catalog items apply to it (reg_applicable_items, the same answer acceptance
 * gave) once, and then any number of departments add their verdicts:
 *
 *   automatic (reg_approve_dept)   for every item the department owns that applies: its
 *                                  `require` rules evaluated — all true → approved; any failed
 *                                  rule whose on-fail is reject → rejected, with one <reason>
 *                                  per failed rule (supplement ones included); otherwise
 *                                  supplement, with one <reason> per missing thing;
 *   manual (reg_approve_manual)    a department clerk's decision on one applicable item, or on
 *                                  every applicable item of the department: the same record,
 *                                  with the clerk as reviewer and the clerk's reasons.
 * Items that do not apply get no approval: not-applicable is the catalog's to say, not a
 * department's, and is never signed.
 *
 * What stands is not reviewed again.  The automatic review covers only the items without a
 * verdict in force in the registry (libreg/ledger.h, COUNTING: REG_ITEM_NO_ANSWER) — a fresh
 * dossier's every item, after a supplement only the items whose verdict the new body version
 * voided, after a kill nothing twice.  An item awaiting a supplement waits for the applicant,
 * not for the machine; an approval given stays.  reg_review_keep_decided marks the items that
 * stand; reg_approve_dept then passes them by.  A clerk's manual decision is always recorded:
 * it is how a department changes its mind.  What one department adds in one call is one statement,
 * signed with that department's key (libreg/verdict.h): every approval carries the reviewer,
 * the time, the body digest and the signature.
 *
 * Rules.  The rules context is the caller's, one per thread (libreg/rules.h); reg_review_new
 * binds it to the dossier.  Give it no name lookup (reg_rules_new's default): reg:name-taken()
 * then answers false, so the catalog's "name not already registered" rule does not fail on the
 * dossier's own name, which acceptance reserved.  Ages are measured at the acceptance time, as
 * at the window.  A rule that cannot be evaluated is REG_ECONFIG (the catalog is wrong, not the
 * dossier): the run stops.
 *
 * The run (reg_approve_run) is all of reg-approve: it reads the dossier streams, reviews each
 * dossier, and — unless offline — records each through the ledger (libreg/ledger.h: the
 * department's own verdicts are recorded as its own; any other verdict the dossier carries must
 * be recorded already or prove itself by its signature) and settles the dossier's state.  With
 * --dept (and --dossier) the output is the department's stream: the input with its signed
 * verdicts added, its state attribute as it came — reg-merge makes the ledger's view of the
 * departments' streams.  --all writes the ledger's view itself.  --all runs every department on a pool of threads (the queue below); the
 * main thread alone touches the registry and the output, recording the finished dossiers in
 * groups — one transaction, a savepoint per dossier, so a refused dossier is undone alone and
 * a commit costs once per group.  Nothing reaches the output before its records are committed.
 * Offline (a department's host without the registry) it only reviews and signs: the stream goes
 * back to the authority as a file, and reg-merge records it.
 */
#ifndef REG_APPROVE_H
#define REG_APPROVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "table.h"
#include "keyring.h"
#include "ledger.h"
#include "rules.h"
#include "sign.h"

/* The default reviewer of automatic verdicts. */
#define REG_APPROVE_REVIEWER "reg-approve"

typedef struct reg_review reg_review;

/*
 * Start the review of `d`: bind `rules` to it (ages at its acceptance time, else at `now`, in
 * the zone offset_min), compute its body digest and the applicable items.  A dossier without
 * an acceptance number, or one already issued, cannot be reviewed: REG_ENO with its file and
 * line.  The catalog, rules and dossier stay the caller's; the dossier must outlive every call
 * that changes it through the review.
 */
reg_review *reg_review_new(const reg_catalog *cat, reg_rules *rules, reg_dossier *d, int64_t now,
			   int offset_min, reg_err **errp);
void reg_review_free(reg_review *rv);

const char *reg_review_number(const reg_review *rv);   /* the acceptance number */
const char *reg_review_digest(const reg_review *rv);   /* 64 hex: the body reviewed */
/* Whether the catalog item with index i (number i + 1) applies to the dossier; and all of it. */
bool reg_review_applies(const reg_review *rv, size_t i);
/* Mark the items whose status in `as` (the registry's assessment of this dossier) is anything
 * but no-answer: the automatic review passes them by.  Returns how many stand. */
size_t reg_review_keep_decided(reg_review *rv, const reg_assessment *as);
const bool *reg_review_applicable(const reg_review *rv);

/*
 * The automatic review by department `dept` (a catalog department id: an unknown one is
 * REG_EUSAGE, and so is a reviewer reg_approve_reviewer_valid refuses), signed with `key` (the
 * department's private key).  Appends one approval per applicable item the department owns,
 * in item order, with `reviewer` and `time` (ISO 8601 with offset, as reg_time_format writes
 * it).  Returns the number of approvals appended (0 when none of its items applies), -1 on
 * failure.
 */
int reg_approve_dept(reg_review *rv, const char *dept, const char *reviewer, const char *time,
		     const reg_sign_key *key, reg_err **errp);

/*
 * A manual decision of department `dept`: `verdict` (approved, rejected or supplement — not
 * not-applicable, which only the catalog decides) on item `item`, or on every applicable item
 * of the department when `item` is NULL, with the reasons given (at least one), signed with
 * `key`.  An unknown department or item, an item of another department, or a not-applicable
 * verdict is REG_EUSAGE (the command line is wrong); an item that does not apply to this
 * dossier, or a department with no applicable item in it, is REG_ENO.  Nothing is appended on
 * failure.  Returns the number of approvals appended.
 */
int reg_approve_manual(reg_review *rv, const char *dept, const char *item, reg_verdict verdict,
		       const char *const *reasons, size_t n_reasons, const char *reviewer,
		       const char *time, const reg_sign_key *key, reg_err **errp);

/* Whether a reviewer's name fits the dossier schema: 1 to 64 characters, one line, no control
 * characters. */
bool reg_approve_reviewer_valid(const char *reviewer);

/* The approvals this review appended so far, in the order appended (owned by the review). */
size_t reg_review_added_count(const reg_review *rv);
const reg_approval *reg_review_added(const reg_review *rv, size_t i);

/*
 * Every department of the catalog in catalog order (reg_approve_dept, each signed with its key
 * in `keys` for the instant of `time`), then the dossier's approvals put in order
 * (libreg/merge.h) — so the result is what the per-department runs merged would give.  *out
 * receives the review.  -1 as reg_review_new, reg_approve_dept and reg_merge_approvals fail, or
 * REG_ECONFIG when a department's key is not loaded.
 */
int reg_approve_all(const reg_catalog *cat, reg_rules *rules, const reg_keyring *keys,
		    reg_dossier *d, const char *reviewer, const char *time, int64_t now,
		    int offset_min, reg_review **out, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * The run
 */

typedef enum reg_approve_mode {
	REG_APPROVE_DEPT,       /* one department's automatic review of every dossier */
	REG_APPROVE_DECISION,   /* one clerk's decision on one dossier (--dossier) */
	REG_APPROVE_ALL,        /* every department, on a pool of threads */
} reg_approve_mode;

typedef struct reg_approve_request {
	reg_approve_mode mode;
	const char *dept;             /* DEPT and DECISION */
	const char *dossier;          /* DECISION: the acceptance number */
	const char *item;             /* DECISION: NULL for every applicable item of dept */
	reg_verdict verdict;          /* DECISION */
	const char *const *reasons;   /* DECISION */
	size_t n_reasons;
	const char *reviewer;         /* NULL: REG_APPROVE_REVIEWER */
	unsigned jobs;                /* ALL: threads (1: none at all; 0: the cores) */
	bool offline;                 /* review and sign only: no registry (a department's host) */
	const char *key;              /* a private key file for dept, instead of the authority's */
	const char *prog;             /* for the refusals printed as the run goes on */
} reg_approve_request;

#define REG_APPROVE_MAX_THREADS 256

/*
 * Run reg-approve over the inputs (n of them; none: standard input) into `output` ("-" or NULL
 * for standard output).  A dossier's own refusal is printed (`prog: FILE:LINE: FIELD: message`)
 * and the run goes on; at the end REG_ENO "N of M dossiers refused" if any was.  Anything else
 * stops the run: what was recorded before it is written, the rest is not.
 */
int reg_approve_run(reg_config *cfg, const reg_approve_request *rq, char *const *inputs,
		    size_t n_inputs, const char *output, reg_err **errp);

/* What a command line gave besides the request itself, for reg_approve_request_problem. */
typedef struct reg_approve_given {
	bool all, list;       /* --all, --list-depts */
	bool jobs;            /* -j */
	bool verdict;         /* --verdict */
	bool format;          /* --format */
	size_t n_inputs;
	const char *output;   /* -o, or NULL */
} reg_approve_given;

/* Which options go together: NULL when the command line makes sense, else what is wrong (in
 * the reader's language, for reg_cli_usage_error). */
const char *reg_approve_request_problem(const reg_approve_request *rq, const reg_approve_given *g);

/* reg-approve --list-depts: the catalog's departments, id, zh and en, on stdout — the plain
 * lines when fmt is NULL, else a table (libreg/table.h) in that format. */
int reg_approve_list_depts(reg_config *cfg, const reg_table_format *fmt, reg_err **errp);

#endif
