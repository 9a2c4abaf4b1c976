/*
 * apply — one-window acceptance (一窗受理): an application is checked once, numbered and
 * recorded, or rejected with every problem named and nothing recorded.
 *
 * The checks, in order (all problems of a stage are reported together):
 *   1. the enterprise: name rules (libreg/names.h) and not already taken here or earlier in this
 *      batch; legal form; capital > 0; the division known and within the authority's area; the
 *      industry code's shape; citizen ids valid and the legal representative at least 18 at
 *      acceptance; shareholders' identifiers valid and shares summing to exactly 100;
 *   2. requests name catalog items (by number or id) that apply to this enterprise;
 *   3. materials: known types, files (href) inside the input's folder and hashed, every core
 *      material of the applicable items present, every missing deferrable one covered by a
 *      commitment due no later than its limit (default 30 days) after acceptance;
 *   4. when 1–3 found nothing: the catalog's `require` rules of every applicable item (so a
 *      problem is never reported twice, once by C and once by the catalog);
 *   5. when accepting: dossier.xsd on the final dossier, inside the registry transaction.
 * A problem is REG_ENO with the input's file and line and a field: the element path, or the CSV
 * column when the dossier came from a CSV row (reg_apply_accept's `csv` flag).
 *
 * Acceptance numbers are <authority division>-<YYYYMMDD>-<6-digit sequence of that day>, the
 * date in the authority's zone.  Each accepted dossier is one registry transaction: dossier,
 * its first body version (with the facts libreg/ledger.h needs), name, commitments, event.  A
 * rejection rolls back: no row, no number burned.  Comments and processing instructions inside
 * the dossier are dropped first: they are outside the body digest, and nothing the registry
 * records carries what no digest covers.
 *
 * Handed in again.  The application as it came — its body digest after the checks, material
 * files hashed, before acceptance adds anything — is recorded with the dossier.  An application
 * identical to one whose dossier is still open (neither rejected nor issued) is not refused as
 * "already registered" (which stranded dossiers whose acceptance was committed but never written
 * out, after a kill or a full disk): the registry's dossier is handed back — its body, with the
 * registry's state — with a note (REG_OK, "already accepted as N") appended to *errp, an event
 * "resubmitted", and no new row or number.
 */
#ifndef REG_APPLY_H
#define REG_APPLY_H

#include <stdbool.h>

#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "registry.h"
#include "rules.h"

typedef struct reg_apply reg_apply;

/* `registry` may be NULL for checking only (the interactive form's final check). The catalog,
 * config and registry stay the caller's and must outlive the reg_apply. */
reg_apply *reg_apply_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 reg_err **errp);
/* Check and accept one application.  `base_dir` is the folder material hrefs are relative to
 * (the input file's own folder; the working directory for stdin).  Returns 0 when accepted (the
 * dossier now carries its acceptance, state and material usage) or handed back (see above:
 * *errp then holds the note), -1 otherwise: REG_ENO for a rejection (the batch goes on), any
 * other code for a failure that should stop the run. */
int reg_apply_accept(reg_apply *a, reg_dossier *d, const char *base_dir, bool csv,
		     reg_err **errp);
/* Stages 1–4 only: nothing is numbered or recorded.  A name already registered is a problem
 * here (there is no dossier to hand back).  The interactive form's check before its
 * confirmation question (libreg/appform.h), so the clerk confirms only what acceptance takes. */
int reg_apply_check(reg_apply *a, reg_dossier *d, const char *base_dir, bool csv,
		    reg_err **errp);
/* One answer alone, as the interactive form takes it, with the stages' own code: the division
 * known and within the authority's area; the name, for its legal form and division, by the name
 * rules (libreg/names.h) and not registered already (the registry, when there is one); one
 * commitment, a material that may be deferred due within its limit (stage 3).  0 when it
 * passes; -1 with every problem (REG_ENO, no file or line, the CSV column as field) or a
 * failure (any other code). */
int reg_apply_check_division(reg_apply *a, const char *division, reg_err **errp);
int reg_apply_check_name(reg_apply *a, const char *name, const char *form, const char *division,
			 reg_err **errp);
int reg_apply_check_commitment(reg_apply *a, const char *material, const char *due,
			       reg_err **errp);
void reg_apply_free(reg_apply *a);
/* The registry acceptance records in (the caller's). */
reg_registry *reg_apply_registry(const reg_apply *a);

/* The catalog items that apply to a dossier and were requested (all applicable ones when it has
 * no <requests>), as a bool per item index.  Shared with reg-approve. */
int reg_applicable_items(const reg_catalog *cat, reg_rules *rules, reg_dossier *d,
			 bool *applies, reg_err **errp);

#endif
