/*
 * ledger — what the registry's rows mean for one dossier: the registry decides (docs/ledger.md).
 *
 * The XML that travels between the tools is a proposal.  No state, verdict, approval, name or
 * number is believed because an input says so; this module is where the registry's record is
 * read, where a proposed verdict is admitted into it, and where the dossier's state follows from
 * what is recorded.  reg-approve, reg-merge, reg-issue and reg-status all go through it, so they
 * cannot disagree.
 *
 * ADMISSION (reg_ledger_admit).  Each <approval> a dossier carries is, by itself:
 *   - not-applicable: no verdict at all (the catalog decides what applies) — ignored;
 *   - already recorded: the same dossier, item, department, verdict, time, reviewer and body,
 *     with the same reasons and signature, as a row of the registry — nothing to check (a
 *     signature is checked once, where the verdict enters the ledger);
 *   - given by this very process (`own`, reg-approve's own review, signed a moment ago) —
 *     recorded without verifying what was just signed;
 *   - otherwise a proposal: its whole statement (libreg/verdict.h) must verify with the key of
 *     the item's department for the statement's time (libreg/keyring.h); then it is recorded,
 *     with the fingerprint of that key.
 * A proposal is refused — REG_ENO naming the item, department and why, the dossier refused as
 * a whole and nothing recorded — when it is unsigned, badly signed or signed with another
 * department's key; when its item is not its department's; when it was given on a body the
 * registry does not hold for this dossier (another dossier's, another version's that never
 * was); when it differs from the recorded verdict it claims to be (altered reasons or
 * signature); when it conflicts with another verdict on the same item at the same instant; or
 * when the dossier is past deciding (rejected — final once recorded — or issued).
 *
 * COUNTING (reg_assess).  A recorded verdict counts when it is signed (rows from before
 * schema 2 are not, and never count) and was given on a body version the registry holds for
 * this dossier such that, between that version and the current one, nothing changed in the
 * enterprise itself nor in a material its item's catalog <uses material> lists
 * (docs/supplements.md); otherwise it is void and its item awaits a new review.  For each
 * item that applies, the verdict in force is the latest counting one by time (ties: the later
 * recorded).  Then, for the dossier:
 *   rejected  an applicable item's verdict in force is a rejection and the catalog says such a
 *             rejection refuses the establishment (on-reject, libreg/catalog.h: items 1-6 by
 *             default); a rejected item that refuses only its own filing is `refused` and the
 *             rest goes on;
 *   pending   otherwise, an applicable item has no verdict in force (no-answer) or asks for a
 *             supplement;
 *   approved  otherwise.
 * Applicability is the caller's to compute on the body the registry holds (reg_applicable_items
 * on a tree whose body digest equals the current version's).
 *
 * SETTLING (reg_ledger_settle).  The registry's state moves to the assessment's — except that
 * rejected and issued are final — with an event whose kind is the new state; a rejection
 * releases the enterprise's name (a new application may take it, with a new number); an
 * issued dossier keeps it.
 *
 * THE LEDGER'S VIEW (reg_ledger_write_view).  What the tools write downstream is the dossier as
 * the registry holds it: its body, every recorded verdict (the history, in the order of
 * libreg/merge.h: item number, instant, department, the other fields), <outstanding> when
 * pending, and the registry's state.
 *
 * Transactions.  reg_ledger_read with lock=true first takes the dossier's row lock (an update
 * of its own row), so two processes settling one dossier at once — two departments answering on
 * a shared PostgreSQL registry — cannot each miss the other's verdicts: call it first inside
 * the dossier's transaction, then admit and settle.
 */
#ifndef REG_LEDGER_H
#define REG_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "keyring.h"
#include "registry.h"
#include "rules.h"

/* ---------------------------------------------------------------------------------------------
 * Counting, without a registry (the same rules on any list of approvals)
 */

typedef enum reg_item_status {
	REG_ITEM_NOT_APPLICABLE,  /* the item does not apply: nothing needed */
	REG_ITEM_NO_ANSWER,       /* applies, no verdict in force */
	REG_ITEM_SUPPLEMENT,      /* the verdict in force asks the applicant for a supplement */
	REG_ITEM_APPROVED,
	REG_ITEM_REJECTED,        /* rejected, and that refuses the establishment */
	REG_ITEM_REFUSED,         /* rejected, refusing only this filing */
} reg_item_status;

/* The order of approvals in every dossier regkit writes: item number, instant, department, time
 * text, verdict, reviewer, body digest, reasons, signature — a total order on everything that
 * tells two approvals apart, so identical ones are neighbours and no input order changes a
 * byte.  number is the item's catalog number (items the catalog lacks: a large number, last). */
int reg_approval_view_cmp(const reg_approval *a, int number_a, int64_t at_a,
			  const reg_approval *b, int number_b, int64_t at_b);

/* "not-applicable", "no-answer", "supplement", "approved", "rejected", "refused". */
const char *reg_item_status_name(reg_item_status s);

typedef struct reg_assessment {
	reg_state state;           /* approved | rejected | pending */
	size_t n_items;            /* the catalog's */
	reg_item_status *status;   /* per catalog item index */
	long *in_force;            /* per item: index into the approvals given, -1 for none */
} reg_assessment;

/*
 * Assess a list of approvals (libreg/dossier.h) for a dossier whose applicable items are
 * `applies` (per catalog item index).  `counts` (may be NULL: every signed one counts) says of
 * each approval whether it counts.  Times are read with offset_min.  Not-applicable verdicts
 * and approvals of items the catalog does not have never count.
 */
int reg_assess(const reg_catalog *cat, const bool *applies, const reg_approval *list, size_t n,
	       const bool *counts, int offset_min, reg_assessment *out, reg_err **errp);
void reg_assessment_clear(reg_assessment *as);
/* The event detail of an assessment: "every applicable item approved",
 * "rejected: tax-registration", "waiting: tax-registration (tax, no-answer), …"; caller frees. */
char *reg_assessment_detail(const reg_catalog *cat, const reg_assessment *as);
/* Replace d's <outstanding> by the assessment's waits (none unless pending) and set its state. */
int reg_assessment_write(const reg_catalog *cat, const reg_assessment *as, reg_dossier *d,
			 reg_err **errp);

/* What the registry keeps of a body to tell which verdicts a change voids
 * (reg_registry_body): the SHA-256 hex of <enterprise>'s C14N, and the materials as sorted lines
 * "type sha256" / "type sighted" (*materials the caller's). */
int reg_ledger_body_facts(const reg_dossier *d, char enterprise_digest[65], char **materials,
			  reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Over the registry
 */

typedef struct reg_ledger reg_ledger;

/* The catalog and keyring (NULL: no verdict can be verified, so every proposal not recorded
 * yet is refused) stay the caller's and must outlive the ledger. */
reg_ledger *reg_ledger_new(const reg_catalog *cat, const reg_keyring *keys, int offset_min,
			   reg_err **errp);
void reg_ledger_free(reg_ledger *l);

/* Everything the registry holds of one dossier, read at once. */
typedef struct reg_ledger_record reg_ledger_record;

/* Read dossier `number`; with `lock` inside the caller's transaction, take its row lock first
 * (see Transactions).  A dossier the registry does not hold is REG_ENO ("dossier 'N' is not in
 * the registry R"). */
reg_ledger_record *reg_ledger_read(reg_ledger *l, reg_registry *reg, const char *number,
				   bool lock, reg_err **errp);
void reg_ledger_record_free(reg_ledger_record *rec);

const reg_registry_dossier *reg_ledger_row(const reg_ledger_record *rec);
reg_state reg_ledger_state(const reg_ledger_record *rec);
/* The recorded verdicts, as approvals, in the order of the view. */
size_t reg_ledger_verdict_count(const reg_ledger_record *rec);
const reg_approval *reg_ledger_verdicts(const reg_ledger_record *rec);
/* How many body versions it holds, and whether `digest` is one (*version: which). */
int64_t reg_ledger_versions(const reg_ledger_record *rec);
bool reg_ledger_holds_body(const reg_ledger_record *rec, const char *digest, int64_t *version);
/* The body versions, oldest first: number, digest, recorded time (for the final dossier's
 * <versions>). */
const reg_registry_body *reg_ledger_version(const reg_ledger_record *rec, int64_t i);

/*
 * Admit the approvals `list` (n; `own` per approval, may be NULL) that a copy of the dossier
 * from `file` carries (see ADMISSION); the record then includes what was recorded.  *added (may
 * be NULL) counts the rows recorded.  Each verdict recorded also gets a "verdict" event at its
 * time.  Call inside the dossier's transaction, after reg_ledger_read with lock.
 */
int reg_ledger_admit(reg_ledger *l, reg_registry *reg, reg_ledger_record *rec,
		     const reg_approval *list, size_t n, const bool *own, size_t *added,
		     reg_err **errp);

/* Assess the recorded verdicts (see COUNTING) for applicable items `applies`. */
int reg_ledger_assess(const reg_ledger *l, const reg_ledger_record *rec, const bool *applies,
		      reg_assessment *out, reg_err **errp);

/* Move the registry's state (see SETTLING) at `at`.  `changed` (may be NULL): whether the
 * state moved.  An event is written when the state moves or `verdicts_added`. */
int reg_ledger_settle(reg_ledger *l, reg_registry *reg, reg_ledger_record *rec,
		      const reg_assessment *as, int64_t at, bool verdicts_added, bool *changed,
		      reg_err **errp);

/* Make d the ledger's view (see THE LEDGER'S VIEW): its <approvals> replaced by the recorded
 * verdicts, <outstanding> and state from the record and assessment.  d's body must be the
 * record's current version (the caller checks the digest). */
int reg_ledger_write_view(const reg_ledger *l, const reg_ledger_record *rec,
			  const reg_assessment *as, reg_dossier *d, reg_err **errp);

/*
 * The dossier `number` as the registry holds it, for whoever lost it (reg-status --export): its
 * current body with the ledger's view (recorded verdicts, <outstanding>, the registry's state)
 * and, once issued, its <issuance>.  For a dossier just accepted that is exactly the XML
 * reg-apply wrote.  `rules` (the caller's context) decides what applies; `now` is the
 * reference for ages when the dossier has no acceptance time.  REG_ENO when not held.
 */
reg_dossier *reg_ledger_export(reg_ledger *l, reg_registry *reg, reg_rules *rules,
			       const char *number, int64_t now, reg_err **errp);

#endif
