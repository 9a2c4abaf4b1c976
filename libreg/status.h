/*
 * status — reg-status's engine: the supervisor's views of the registry, the escalation run,
 * the export of dossiers and the lookup of one enterprise (man/reg-status.1).
 *
 * Every view but the export is one table of libreg/table.h, in the request's format (TSV by
 * default; docs/formats.md "Listings" has every column):
 *   dossiers     one row per dossier (in --state): number, name, state, accepted, answered,
 *                applicable
 *   overdue      the pending reviews that reached a rung of the escalation ladder; pending:
 *                every pending review (libreg/escalation.h)
 *   commitments  owed commitments due by now + within, or overdue, of dossiers not rejected
 *                (or in --state)
 *   escalate     the slips written by reg_escalation_issue (a summary line on stderr)
 *   lookup       one enterprise as a RECORD (see reg_status_resolve for QUERY): its dossier
 *                row, body versions, every catalog item's verdict in force (the ledger's
 *                counting, libreg/ledger.h), commitments, slips, editions, and the people of
 *                its body with their citizen ids — masked (reg_citizen_id_mask) unless unmask
 * The export writes dossiers (reg_ledger_export), not a table.
 *
 * The views open the registry read-only; only the escalation writes.  Nothing is held per row:
 * a listing streams out as the registry's iteration reads it.
 */
#ifndef REG_STATUS_H
#define REG_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "configuration.h"
#include "errors.h"
#include "registry.h"
#include "table.h"

typedef enum reg_status_view {
	REG_STATUS_DOSSIERS,
	REG_STATUS_OVERDUE,
	REG_STATUS_PENDING,
	REG_STATUS_COMMITMENTS,
	REG_STATUS_ESCALATE,
	REG_STATUS_EXPORT,
	REG_STATUS_LOOKUP,
} reg_status_view;

/* "dossiers", "overdue", "pending", "commitments", "escalate", "export", "lookup". */
const char *reg_status_view_name(reg_status_view v);

typedef struct reg_status_request {
	reg_status_view view;
	const char *prog;          /* for what goes to stderr: the escalation's summary, warnings */
	reg_table_format format;
	const char *state;         /* dossiers, overdue, pending, commitments: only this state */
	const char *output;        /* the output file (NULL or "-": stdout); escalate: the slip
				    * directory */
	int64_t within;            /* commitments: how far ahead, seconds */
	char *const *numbers;      /* export: acceptance numbers */
	int n_numbers;
	const char *query;         /* lookup */
	bool unmask;               /* lookup: citizen ids in full */
} reg_status_request;

/* What is wrong with a request as a command line gave it, for a usage error; NULL when it makes
 * sense.  n_args: the arguments left after the options (export: the numbers; a view: none, or
 * one QUERY, which makes the request a lookup); within_given, format_given: whether those
 * options were given. */
const char *reg_status_request_problem(const reg_status_request *rq, int n_args,
				       bool within_given, bool format_given);

/* Run the request.  A dossier --export does not find is said on stderr and the others go on,
 * REG_ENO at the end; a lookup that finds nothing is REG_ENO. */
int reg_status_run(reg_config *cfg, const reg_status_request *rq, reg_err **errp);

/* The acceptance number a lookup QUERY names, into *number (caller frees):
 *   a valid USCC (18 characters, check character right, libreg/ids.h): the dossier issued with it;
 *   an acceptance number (DDDDDD-YYYYMMDD-NNNNNN, docs/formats.md): that dossier;
 *   anything else: an enterprise name, matched exactly (byte for byte).  A rejected dossier and
 *   a later one may share a name: the one not rejected is the enterprise; when all are
 *   rejected, the latest; two not rejected (two authorities' in one registry) are ambiguous,
 *   REG_ENO naming them.  Every other dossier of that name is said in *also (may be NULL;
 *   caller frees; NULL when none), "150302-20261123-000001 (rejected)".
 * Nothing found is REG_ENO ("no enterprise with USCC 'X' in the registry R" …). */
int reg_status_resolve(reg_registry *reg, const char *query, char **number, char **also,
		       reg_err **errp);

#endif
