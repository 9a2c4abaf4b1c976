/*
 * merge — the fan-in of parallel approval: several copies of one dossier, each carrying the
 * verdicts of some departments, become one dossier with every verdict and its state set
 * (docs/formats.md, docs/approval.md).  This is the one implementation: reg-merge calls it on
 * the copies its inputs bring, reg-approve --all on the dossier its departments reviewed, so
 * "--all" and "--dept for every department, then reg-merge" give the same bytes by
 * construction.
 *
 * What it checks (each problem is REG_ENO with the copy's file and line and a field, all of
 * them reported; a refused dossier is left as it was):
 *   - the copies' body digests (docs/formats.md) agree; a copy whose body differs from the
 *     body most copies share (the first input's on a tie) is named with its file and the
 *     departments whose approvals it carries: its body changed after review;
 *   - every approval is complete, names a catalog item and the department that owns it, has an
 *     ISO 8601 time, and was given on the body of its own copy (an approval made on a body that
 *     changed is void: the dossier is refused, not quietly re-reviewed);
 *   - no item has two different verdicts with the same time (a conflict no later verdict
 *     resolves);
 *   - the dossier has an acceptance number and is not issued.
 *
 * What it produces, in the first copy (copies[0]), leaving everything else of it untouched:
 *   <approvals>   the union of all copies' approvals, identical ones (same item, department,
 *                 verdict, time, reviewer, digest and reasons) kept once, sorted by item number,
 *                 then time (the instant), then department, then the remaining fields — a total
 *                 order, so neither the order of the copies nor that inside them changes a byte;
 *   state         from the verdict in force for each applicable item (reg_applicable_items):
 *                 the latest by time, an earlier one superseded.  rejected when any is
 *                 rejected; otherwise pending when any applicable item has no answer yet (or
 *                 only a not-applicable one, which the catalog contradicts) or asks for a
 *                 supplement; otherwise approved.  Items that do not apply need nothing, and a
 *                 verdict on one counts for nothing;
 *   <outstanding> only when pending: one <wait item= dept= why="no-answer|supplement"/> per
 *                 applicable item still waiting, in item order.
 * Merging one complete, already merged dossier is the identity.
 */
#ifndef REG_MERGE_H
#define REG_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "registry.h"
#include "rules.h"

typedef struct reg_merge_opts {
	const reg_catalog *catalog;
	reg_rules *rules;       /* this thread's context; bound to copies[0] by the merge */
	int64_t now;            /* reference for ages when a dossier has no acceptance time */
	int offset_min;         /* the authority's zone: reads approval times without offset */
} reg_merge_opts;

/*
 * Merge n >= 1 copies of the same dossier (the same acceptance number: another number is
 * REG_EINTERNAL, the caller groups copies) into copies[0].  Each copy's file and line
 * (reg_dossier_file/line) name it in messages.  On success `digest` (may be NULL) receives the
 * body digest.  Returns 0, or -1: REG_ENO when the dossier is refused (copies[0] unchanged),
 * REG_ECONFIG when a catalog rule cannot be evaluated, REG_EINTERNAL when out of memory.
 */
int reg_merge(const reg_merge_opts *o, reg_dossier *const *copies, size_t n, char digest[65],
	      reg_err **errp);

/*
 * Record a merged dossier's state in the registry: reg_registry_set_dossier_state and an event
 * at `at` whose kind is the state ("approved", "rejected", "pending") and whose detail names
 * the rejected items or what is outstanding.  Call inside the caller's transaction, after
 * reg_approve_registered.
 */
int reg_merge_record(reg_registry *reg, reg_dossier *merged, int64_t at, reg_err **errp);

/* reg_merge_record in two steps, so the dossier can be let go before the registry is written
 * (reg-approve's workers take the outcome, its main thread records it): what the state and its
 * event will say, all strings owned; then the writes. */
typedef struct reg_merge_outcome {
	char *number;
	reg_state state;
	char *detail;
} reg_merge_outcome;
int reg_merge_outcome_of(reg_dossier *merged, reg_merge_outcome *out, reg_err **errp);
int reg_merge_record_outcome(reg_registry *reg, const reg_merge_outcome *o, int64_t at,
			     reg_err **errp);
void reg_merge_outcome_clear(reg_merge_outcome *o); /* NULL is a no-op */

#endif
