/*
 * approve — parallel approval (并联审批): each department reviews its own catalog items of an
 * accepted dossier and appends one <approval> per item (docs/formats.md, docs/approval.md).
 *
 * A review is one dossier in the hands of one thread: reg_review_new checks that the dossier
 * can be reviewed at all (it has an acceptance number and is not issued), computes its body
 * digest and which catalog items apply to it (reg_applicable_items, the same answer acceptance
 * gave) once, and then any number of departments add their verdicts:
 *
 *   automatic (reg_approve_dept)   for every item the department owns: an item that does not
 *                                  apply is recorded not-applicable; an applicable one has its
 *                                  `require` rules evaluated — all true → approved; any failed
 *                                  rule whose on-fail is reject → rejected, with one <reason>
 *                                  per failed rule (supplement ones included); otherwise
 *                                  supplement, with one <reason> per missing thing;
 *   manual (reg_approve_manual)    a department clerk's decision on one applicable item, or on
 *                                  every applicable item of the department: the same record,
 *                                  with the clerk as reviewer and the clerk's reasons.
 * Every approval carries the reviewer, the time and the body digest; a later verdict for the
 * same item supersedes an earlier one (libreg/merge.h decides what is in force).
 *
 * Rules.  The rules context is the caller's, one per thread (libreg/rules.h); reg_review_new
 * binds it to the dossier.  Give it no name lookup (reg_rules_new's default, and what
 * reg-approve and the queue below do): reg:name-taken() then answers false, so the catalog's
 * "name not already registered" rule does not fail on the dossier's own name, which acceptance
 * reserved (acceptance already checked uniqueness).  Ages are measured at
 * the acceptance time, as at the window.  A rule that cannot be evaluated is REG_ECONFIG (the
 * catalog is wrong, not the dossier): the caller stops.
 *
 * Threads.  A review uses its rules context and the catalog (read-only, shared); it never
 * touches the registry.  The main thread records what the reviews added (reg_approve_record),
 * one registry transaction per dossier.
 */
#ifndef REG_APPROVE_H
#define REG_APPROVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "merge.h"
#include "registry.h"
#include "rules.h"

/* The default reviewer of automatic verdicts. */
#define REG_APPROVE_REVIEWER "reg-approve"

typedef struct reg_review reg_review;

/*
 * Start the review of `d`: bind `rules` to it (ages at its acceptance time, else at `now`, in
 * the zone offset_min), compute its body digest and the applicable items.  A dossier without
 * an acceptance number, or one already issued, cannot be reviewed: REG_ENO with its file and
 * line.  The catalog, rules and dossier stay the caller's; the dossier must outlive every call
 * that reads or changes it through the review (reg_approve_dept, reg_approve_manual), while
 * reg_approve_record needs only the review itself.
 */
reg_review *reg_review_new(const reg_catalog *cat, reg_rules *rules, reg_dossier *d, int64_t now,
			   int offset_min, reg_err **errp);
void reg_review_free(reg_review *rv);

const char *reg_review_number(const reg_review *rv);   /* the acceptance number */
const char *reg_review_digest(const reg_review *rv);   /* 64 hex: the body reviewed */
/* Whether the catalog item with index i (number i + 1) applies to the dossier. */
bool reg_review_applies(const reg_review *rv, size_t i);

/*
 * The automatic review by department `dept` (a catalog department id: an unknown one is
 * REG_EUSAGE, and so is a reviewer reg_approve_reviewer_valid refuses).  Appends one approval
 * per item the department owns, in item order, with `reviewer` and `time` (ISO 8601 with
 * offset, as reg_time_format writes it).  Returns the number of approvals appended (0 for a
 * department that owns no item), -1 on failure.
 */
int reg_approve_dept(reg_review *rv, const char *dept, const char *reviewer, const char *time,
		     reg_err **errp);

/*
 * A manual decision of department `dept`: `verdict` (approved, rejected or supplement — not
 * not-applicable, which only the catalog decides) on item `item`, or on every applicable item
 * of the department when `item` is NULL, with the reasons given (at least one).  An unknown
 * department or item, an item of another department, or a not-applicable verdict is
 * REG_EUSAGE (the command line is wrong); an item that does not apply to this dossier, or a
 * department with no applicable item in it, is REG_ENO.  Nothing is appended on failure.
 * Returns the number of approvals appended.
 */
int reg_approve_manual(reg_review *rv, const char *dept, const char *item, reg_verdict verdict,
		       const char *const *reasons, size_t n_reasons, const char *reviewer,
		       const char *time, reg_err **errp);

/* Whether a reviewer's name fits the dossier schema: 1 to 64 characters, one line, no control
 * characters. */
bool reg_approve_reviewer_valid(const char *reviewer);

/* The approvals this review appended so far, in the order appended (owned by the review). */
size_t reg_review_added_count(const reg_review *rv);
const reg_approval *reg_review_added(const reg_review *rv, size_t i);

/*
 * Whether the registry holds the dossier `number` with the body `digest` and has not issued it:
 * 0 yes; -1 with REG_ENO naming what is wrong (not in the registry, a body other than the one
 * accepted, already issued) — or another code when the registry itself fails.  reg-approve
 * and reg-merge ask this before recording anything about a dossier.
 */
int reg_approve_registered(reg_registry *reg, const char *number, const char *digest,
			   reg_err **errp);

/*
 * Record what the review added: for each approval reg_registry_add_approval and an event
 * ("verdict", detail "<item> <dept> <verdict> by <reviewer>[: reasons]") at the approval's
 * time.  Call inside the caller's transaction, after reg_approve_registered; `offset_min`
 * reads the approval times.
 */
int reg_approve_record(reg_registry *reg, const reg_review *rv, int offset_min, reg_err **errp);

/*
 * The whole review of one dossier as reg-approve --all does it: every catalog department in
 * catalog order (reg_approve_dept), then reg_merge (libreg/merge.h) of the result — the same
 * function reg-merge uses, so the output is what the per-department runs merged would give.
 * The dossier is merged in place (state set); *out receives the review (what was added, for the
 * registry) and `digest` the body digest.  -1 as reg_review_new, reg_approve_dept and
 * reg_merge fail.
 */
int reg_approve_all(const reg_catalog *cat, reg_rules *rules, reg_dossier *d,
		    const char *reviewer, const char *time, int64_t now, int offset_min,
		    reg_review **out, char digest[65], reg_err **errp);

/*
 * A queue of dossiers under reg_approve_all on a small pool of threads, handed back in the
 * order they went in.  At most `window` dossiers are in flight (memory stays flat whatever
 * the stream's length): push while not full, pop (which waits for the oldest) to make room.
 * Each worker has its own rules context, made here in the calling thread; the catalog is
 * shared read-only (compile everything before: reg_catalog_load).  With threads = 1 there is no
 * thread at all: push reviews at once in the caller's thread.  The queue is driven by one
 * thread (the main one), which alone touches the registry and the output; everything else a
 * dossier needs — review, merge, the outcome for the registry, serializing, freeing its tree —
 * happens in the workers, so the main thread does as little as it can.
 */
typedef struct reg_approve_queue reg_approve_queue;

/* What pop hands back, everything owned by the caller (reg_approve_result_clear): where the
 * dossier came from (for messages); the review (what was added, for reg_approve_record) and the
 * outcome (for reg_merge_record_outcome), both NULL/empty when refused; the merged dossier as
 * reg_xml_dump made it for the output mode given to push; the body digest; and the dossier's own
 * error (REG_ENO: refused, the run goes on; anything else should stop the run).  The dossier
 * itself is gone. */
typedef struct reg_approve_result {
	char *file;
	long line;
	reg_review *review;
	reg_merge_outcome outcome;
	char *xml;
	size_t xml_len;
	bool nested;
	char digest[65];
	reg_err *err;
} reg_approve_result;

/* `reviewer` and `time` are copied. threads 1..REG_APPROVE_MAX_THREADS; window >= threads
 * (0: 32 per thread, which is also the most one registry transaction records). */
#define REG_APPROVE_MAX_THREADS 256
reg_approve_queue *reg_approve_queue_new(const reg_catalog *cat, unsigned threads, size_t window,
					 const char *reviewer, const char *time, int64_t now,
					 int offset_min, reg_err **errp);
bool reg_approve_queue_full(const reg_approve_queue *q);
size_t reg_approve_queue_pending(const reg_approve_queue *q);
/* How many dossiers the queue holds at most (the window). */
size_t reg_approve_queue_window(const reg_approve_queue *q);
/* Hand a dossier over (ownership passes, also on failure), to be serialized for batch output
 * when `nested` (reg_xml_dump).  Full → REG_EINTERNAL. */
int reg_approve_queue_push(reg_approve_queue *q, reg_dossier *d, bool nested, reg_err **errp);
/* The oldest dossier pushed: 1 and *out filled; 0 when nothing is in flight, or when `wait` is
 * false and the oldest is not finished yet (a caller collecting a group takes what is ready). */
int reg_approve_queue_pop(reg_approve_queue *q, bool wait, reg_approve_result *out);
void reg_approve_result_clear(reg_approve_result *r);
/* Stop the workers (finishing what they hold) and free everything still queued. */
void reg_approve_queue_free(reg_approve_queue *q);

#endif
