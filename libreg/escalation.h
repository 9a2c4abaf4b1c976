/*
 * escalation — promised time limits (承诺时限) and the ladder for late departments (三单一函):
 * which reviews of an accepted dossier are still pending, how long they have run, the rung of
 * the catalog's ladder each has reached, and the slips that tell a department so.
 *
 * A review of (dossier, item) is pending when
 *   - the item applies to the dossier as the registry keeps its body (reg_applicable_items on
 *     the stored body, so a department that never answered is chased all the same),
 *   - the verdict in force for the item (reg_registry_each_latest_verdict) is missing
 *     ("no-answer") or asks for a supplement ("supplement"), and
 *   - the dossier is still open: its registry state is neither rejected nor issued.
 * A supplement request does not stop the clock: the time limit is what the authority promised
 * the applicant, counted from acceptance, so every pending review runs from accepted_at.
 * Verdicts are taken as the registry holds them: refusing a verdict given on a changed body is
 * reg-approve's and reg-merge's job, not the ledger's.
 *
 * A rung (reg_step) with percent p is reached once elapsed >= p% of the item's limit, elapsed
 * being now − accepted_at in whole seconds; p% of a limit that is no whole second is rounded
 * up, so a rung is never reached early.  The rung reached is the highest such; before the
 * first there is none.
 *
 * Slips.  Every rung reached by a pending review is one slip, addressed to the item's
 * department and issued once: a dossier that jumped straight past 200% gets all four, each
 * exactly once (the registry's slips table remembers which went out; reg_registry_add_slip's
 * `already`).  A slip is a small XML document in the namespace REG_NS_SLIP (reg-status(1)
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

#define REG_NS_SLIP "urn:regkit:slip:1"

/* "-P12DT3H4M5S": an ISO 8601 duration of any int64_t seconds, with its NUL. */
#define REG_DURATION_ISO_MAX 48

/* Why a review is waiting (the `why` of docs/formats.md's <outstanding><wait>). */
typedef enum reg_wait {
	REG_WAIT_NONE,       /* not pending: answered, not applicable, or the dossier closed */
	REG_WAIT_NO_ANSWER,  /* the department has given no verdict yet */
	REG_WAIT_SUPPLEMENT, /* the verdict in force asks the applicant for a supplement */
} reg_wait;

/* "no-answer" | "supplement"; NULL for REG_WAIT_NONE. */
const char *reg_wait_name(reg_wait w);

/* The verdict in force for one item, as far as the registry knows. */
typedef struct reg_answer {
	bool given;
	reg_verdict verdict; /* meaningful when given */
} reg_answer;

/* One item of one dossier at one instant. */
typedef struct reg_item_progress {
	const reg_item *item;  /* belongs to the catalog */
	bool applies;          /* the item applies to the dossier and was requested */
	reg_answer answer;     /* copied from the input */
	reg_wait wait;         /* REG_WAIT_NONE unless pending */
	int64_t limit;         /* the item's time limit, seconds */
	int64_t deadline;      /* accepted_at + limit */
	int64_t elapsed;       /* now − accepted_at (negative when now is before acceptance) */
	int step;              /* index (reg_catalog_step) of the highest rung reached; −1 when
				* none is, and always −1 when not pending */
} reg_item_progress;

/* Seconds after acceptance at which a rung of `percent` is reached for a `limit`:
 * ceil(limit × percent / 100), without overflow (saturating at INT64_MAX); 0 for percent <= 0. */
int64_t reg_escalation_threshold(int64_t limit, int percent);
/* The index of the highest rung of the catalog's ladder reached after `elapsed` seconds of a
 * `limit`, or −1 when none is. */
int reg_escalation_step(const reg_catalog *cat, int64_t limit, int64_t elapsed);

/*
 * The pure heart: every catalog item of a dossier at `now`.  `applies` and `answers` hold one
 * entry per catalog item (by index, reg_catalog_item order); `open` is whether the dossier is
 * still open (reg_escalation_state_open); out receives one reg_item_progress per catalog item.
 * Touches nothing but out.
 */
void reg_escalation_assess(const reg_catalog *cat, const bool *applies, const reg_answer *answers,
			   bool open, int64_t accepted_at, int64_t now, reg_item_progress *out);

/* A registry state in which reviews are still chased: anything but rejected and issued. */
bool reg_escalation_state_open(const char *state);

/* An ISO 8601 duration of calendar seconds, days being 86400 s: "PT0S", "PT3H", "P5D",
 * "P1DT2H30M", "-PT1H" for a negative one (XML Schema's xs:duration takes the sign). */
void reg_duration_iso(int64_t seconds, char buf[REG_DURATION_ISO_MAX]);

/* ---------------------------------------------------------------------------------------------
 * Over the registry
 *
 * A reg_escalation holds what reading dossiers needs: the catalog and authority (the caller's;
 * they must outlive it) and one XPath context for the items' applies-if.  One per thread.
 */
typedef struct reg_escalation reg_escalation;

reg_escalation *reg_escalation_new(const reg_catalog *cat, const reg_authority *auth,
				   reg_err **errp);
void reg_escalation_free(reg_escalation *esc);

/* The reviews of one recorded dossier at `now`: parses the body the registry keeps, decides
 * which items apply, reads the verdicts in force.  `out` holds reg_catalog_item_count entries.
 * A body that no longer parses is REG_EDATA naming the acceptance number; an item applies-if
 * that fails is REG_ECONFIG.  Verdicts on items the catalog no longer has are ignored. */
int reg_escalation_review(reg_escalation *esc, reg_registry *reg, const reg_registry_dossier *row,
			  int64_t now, reg_item_progress *out, reg_err **errp);

/* The slip document for rung `step` of the pending review `rv` of dossier `row`, issued at
 * `issued_at`.  Caller frees with xmlFreeDoc. */
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
	const char *dept;     /* department id */
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
 * file trouble is REG_ECANTCREAT; registry trouble is the registry's code.
 */
int reg_escalation_issue(reg_escalation *esc, reg_registry *reg, const char *dir, int64_t now,
			 reg_slip_fn fn, void *ctx, reg_err **errp);

#endif
