/*
 * merge — the approvals of several copies of one dossier become one history (docs/approval.md).
 *
 * reg-merge gathers the copies the departments' streams bring; reg-approve --all has one copy
 * that every department reviewed.  Either way the dossier's <approvals> becomes the union of
 * all copies' approvals: identical ones (every field, signature included) kept once, in the
 * order of every dossier regkit writes (libreg/ledger.h, reg_approval_view_cmp), so neither the
 * order of the copies nor that inside them changes a byte.  Two different verdicts on one item
 * at one instant (times compared as instants: 10:00+08:00 and 02:00Z collide) are a conflict
 * no later verdict resolves: the dossier is refused, naming both.
 *
 * That is all a merge decides.  Whether a verdict is genuine and whether it counts, and so the
 * dossier's state, is the ledger's (libreg/ledger.h): the registry decides, not the copies.
 * Approvals that do not name a catalog item or carry no readable time are left for the ledger to
 * refuse with their reason; here they sort last.
 */
#ifndef REG_MERGE_H
#define REG_MERGE_H

#include <stddef.h>

#include "catalog.h"
#include "dossier.h"
#include "errors.h"

/* The union of the n >= 1 copies' approvals into copies[0] (see above).  Each copy's file and
 * line (reg_dossier_file/line) name it in messages.  0, or -1: REG_ENO for a conflict (copies[0]
 * unchanged), REG_EINTERNAL when out of memory.  offset_min reads times without an offset. */
int reg_merge_approvals(const reg_catalog *cat, int offset_min, reg_dossier *const *copies,
			size_t n, reg_err **errp);

#endif
