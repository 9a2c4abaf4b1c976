/*
 * escalation — promised time limits (承诺时限) and the ladder for late departments (三单一函):
 * which reviews of an accepted dossier are still pending, how much of their time limit they
 * have used, the rung of the catalog's ladder each has reached, and the slips that say so.
 *
 * A review of (dossier, item) is pending when
 *   - the item applies to the dossier as the registry keeps its body (reg_applicable_items on
 *     the stored body, so a department that never answered is chased all the same),
 *   - the verdict in force for the item (reg_registry_each_latest_verdict) is missing
 *     ("no-answer") or asks for a supplement ("supplement"), and
 *   - the dossier is still open: its registry state is neither rejected nor issued.
 * Verdicts are taken as the registry holds them: refusing a verdict given on a changed body is
 * reg-approve's and reg-merge's job, not the ledger's.
 *
 * Working time.  Limits, elapsed times and deadlines are working time on the authority's
 * calendar (libreg/worktime.h, docs/calendar.md): the limit is the catalog's working duration
 * in working seconds (P0.5D → 12600 with the default hours), elapsed the working seconds from
 * acceptance to now outside the item's pauses, the deadline the instant the limit runs out
 * counted the same way.
 *
 * Pauses.  While the applicant owes an item's supplement its clock stands: each "supplement"
 * verdict for the item in the registry's history (reg_registry_each_approval) starts a pause
 * that lasts until the applicant hands in a new body version (reg-supply, libreg/supply.h: the
 * version's recording time) or the next verdict for that item by time (ties: the one recorded
 * later), whichever comes first; one with neither is open.  The remaining time resumes after
 * the pause.  The pauses are an input of the pure reg_escalation_assess (in reg_answer).  A review whose clock stands at `now` is chased by nobody: it reaches no
 * rung and gets no slip (the applicant, not the department, holds the dossier).
 *
 * A rung (reg_step) with percent p is reached once elapsed >= p% of the item's limit in whole
 * working seconds; p% of a limit that is no whole second is rounded up, so a rung is never
 * reached early.  The rung reached is the highest such; before the first there is none.
 *
 * Slips.  Every rung reached by a pending review is one slip, issued once: a dossier that
 * jumped straight past 200% gets all four, each exactly once (the registry's slips table
 * remembers which went out; reg_registry_add_slip's `already`).  A slip is addressed to the
 * item's department, except a rung with to="supervisor" (the transfer letter, 移交函), which
 * goes to the authority's supervising body (reg_authority_supervisor) and names the late
 * department.  A slip is a small XML document in the namespace REG_NS_SLIP (reg-status(1)
 * shows its shape) written to <dir>/<acceptance-number>-<item-id>-<step-id>.xml.
 */
#ifndef REG_ESCALATION_H
#define REG_ESCALATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "authority.h"
#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "registry.h"
#include "worktime.h"

#define REG_NS_SLIP "urn:regkit:slip:1"

/* Why a review is waiting (the `why` of docs/formats.md's <outstanding><wait>). */
typedef enum reg_wait {
	REG_WAIT_NONE,       /* not pending: answered, not applicable, or the dossier closed */
	REG_WAIT_NO_ANSWER,  /* the department has given no verdict yet */
	REG_WAIT_SUPPLEMENT, /* the verdict in force asks the applicant for a supplement */
} reg_wait;

/* "no-answer" | "supplement"; NULL for REG_WAIT_NONE. */
const char *reg_wait_name(reg_wait w);

/* The verdict in force for one item, as far as the registry knows, and the pauses of its
 * clock: [from, to) spans sorted by from (reg_pauses_normalize), borrowed, not copied. */
typedef struct reg_answer {
	bool given;
	reg_verdict verdict; /* meaningful when given */
	const reg_pause *pauses;
	size_t n_pauses;
} reg_answer;

/* One item of one dossier at one instant. */
typedef struct reg_item_progress {
	const reg_item *item;  /* belongs to the catalog */
	bool applies;          /* the item applies to the dossier and was requested */
	reg_answer answer;     /* copied from the input (its pauses stay the input's) */
	reg_wait wait;         /* REG_WAIT_NONE unless pending */
	int64_t limit;         /* the item's time limit, working seconds */
	/* Counted for a pending review only (0 and false otherwise): */
	int64_t deadline;      /* when the limit runs out in working time from acceptance,
				* pauses kept; INT64_MAX while an open pause stands before it */
	int64_t elapsed;       /* working seconds from acceptance to now outside the pauses
				* (negative when now is before acceptance) */
	bool paused;           /* the clock stands at now: the applicant owes a supplement */
	int step;              /* index (reg_catalog_step) of the highest rung reached; −1 when
				* none is, and always −1 when not pending or paused */
} reg_item_progress;

/* Working seconds at which a rung of `percent` is reached for a `limit`:
 * ceil(limit × percent / 100), without overflow (saturating at INT64_MAX); 0 for percent <= 0. */
int64_t reg_escalation_threshold(int64_t limit, int percent);
/* The index of the highest rung of the catalog's ladder reached after `elapsed` working seconds
 * of a `limit`, or −1 when none is. */
int reg_escalation_step(const reg_catalog *cat, int64_t limit, int64_t elapsed);

/*
 * The pure heart: every catalog item of a dossier at `now`, counted on `cal`.  `applies` and
 * `answers` hold one entry per catalog item (by index, reg_catalog_item order), the answers
 * with their pauses; `open` is whether the dossier is still open (reg_escalation_state_open);
 * out receives one reg_item_progress per catalog item.  Years the calendar has no data for are
 * noted in `gaps` (may be NULL).  Touches nothing but out and gaps.
 */
void reg_escalation_assess(const reg_catalog *cat, const reg_calendar *cal, const bool *applies,
			   const reg_answer *answers, bool open, int64_t accepted_at, int64_t now,
			   reg_calendar_gaps *gaps, reg_item_progress *out);

/* A registry state in which reviews are still chased: anything but rejected and issued. */
bool reg_escalation_state_open(const char *state);

/* ---------------------------------------------------------------------------------------------
 * Over the registry
 *
 * A reg_escalation holds what reading dossiers needs: the catalog and authority (the caller's;
 * they must outlive it; the calendar is the authority's), one XPath context for the items'
 * applies-if and the years counted without calendar data so far.  One per thread.
 */
typedef struct reg_escalation reg_escalation;

reg_escalation *reg_escalation_new(const reg_catalog *cat, const reg_authority *auth,
				   reg_err **errp);
void reg_escalation_free(reg_escalation *esc);
/* Every year the reviews so far were counted in without calendar data, for one warning
 * (reg_calendar_gaps_message). */
const reg_calendar_gaps *reg_escalation_gaps(const reg_escalation *esc);

/* The reviews of one recorded dossier at `now`: parses the body the registry keeps, decides
 * which items apply, reads the verdicts in force and the verdict history for the pauses.
 * `out` holds reg_catalog_item_count entries; their pauses live in `esc` until the next call.
 * A body that no longer parses is REG_EDATA naming the acceptance number; an item applies-if
 * that fails is REG_ECONFIG.  Verdicts on items the catalog no longer has are ignored. */
int reg_escalation_review(reg_escalation *esc, reg_registry *reg, const reg_registry_dossier *row,
			  int64_t now, reg_item_progress *out, reg_err **errp);

/* The slip document for rung `step` of the pending review `rv` of dossier `row`, issued at
 * `issued_at` (rv assessed then).  A rung to the supervisor needs the authority's
 * <supervisor> (REG_ECONFIG otherwise).  Caller frees with xmlFreeDoc. */
xmlDoc *reg_slip_document(reg_escalation *esc, const reg_registry_dossier *row,
			  const reg_item_progress *rv, size_t step, int64_t issued_at, reg_err **errp);
/* "<number>-<item-id>-<step-id>.xml"; REG_EINTERNAL when the parts would not make a plain
 * file name (each must be letters, digits, '-', '_' or '.', not starting with '.'). */
int reg_slip_file_name(const char *number, const char *item, const char *step, char **out,
		       reg_err **errp);

/* One due slip, as reg_escalation_issue saw it. */
typedef struct reg_slip_issued {
	const char *number;   /* dossier */
	const char *item;     /* item id */
	const char *dept;     /* the late department's id */
	const char *step;     /* step id */
	const char *path;     /* dir/<file name> */
	bool already;         /* issued by an earlier run: nothing was written */
} reg_slip_issued;

typedef int (*reg_slip_fn)(const reg_slip_issued *s, void *ctx);

/*
 * Issue every due slip of every open dossier into `dir` (created, one level, when missing).
 * First all open dossiers are read (one consistent pass, no write lock held), then each due
 * slip is its own transaction:
 *   begin; reg_registry_add_slip — already issued: roll back, report it, go on;
 *   write the document to a temporary file in dir (mode 0644, flushed to disk);
 *   an "escalated" event; commit; rename the temporary file to its name.
 * So a slip is never issued twice, a file appears only once its slip is recorded, and a failed
 * write records nothing.  Only a failing rename after the commit leaves a recorded slip without
 * its file (reported as REG_ECANTCREAT with the temporary file's name).  `fn` (may be NULL) is
 * called for each due slip, written or already issued; a non-zero return stops.  Directory or
 * file trouble is REG_ECANTCREAT; registry trouble is the registry's code; a transfer letter
 * due while the authority names no supervisor is REG_ECONFIG before anything is written.
 */
int reg_escalation_issue(reg_escalation *esc, reg_registry *reg, const char *dir, int64_t now,
			 reg_slip_fn fn, void *ctx, reg_err **errp);

#endif
