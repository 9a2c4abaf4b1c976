/*
 * dossier — one application as it travels through the window, the departments and issuance
 * (docs/formats.md).  A reg_dossier owns its xmlDoc and remembers where it came from (file and
 * line of its start tag) so every message can point at it.
 *
 * The dossier's sections have a fixed order (enterprise, requests, materials, commitments,
 * acceptance, versions, approvals, outstanding, issuance, rejection); reg_dossier_section creates a missing
 * one in its place, so tools append without caring about order and the schema always holds.
 */
#ifndef REG_DOSSIER_H
#define REG_DOSSIER_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "errors.h"

typedef struct reg_dossier reg_dossier;

typedef enum reg_state {
	REG_STATE_NONE,     /* not yet accepted */
	REG_STATE_ACCEPTED,
	REG_STATE_APPROVED,
	REG_STATE_REJECTED,
	REG_STATE_PENDING,
	REG_STATE_ISSUED,
} reg_state;

typedef enum reg_verdict {
	REG_VERDICT_APPROVED,
	REG_VERDICT_REJECTED,
	REG_VERDICT_SUPPLEMENT,
	REG_VERDICT_NOT_APPLICABLE,
} reg_verdict;

/* A new, empty dossier: <dossier xmlns="urn:regkit:dossier:1"><enterprise/></dossier>. */
reg_dossier *reg_dossier_new(reg_err **errp);
/* Take ownership of a parsed document (from reg_xml_stream_next): the root must be a <dossier>
 * in the dossier namespace.  file/line are where it came from. On failure doc is freed. */
reg_dossier *reg_dossier_adopt(xmlDoc *doc, const char *file, long line, reg_err **errp);
void reg_dossier_free(reg_dossier *d);
/* Say where a dossier built in memory came from (a CSV row), for messages. */
void reg_dossier_set_origin(reg_dossier *d, const char *file, long line);

xmlDoc *reg_dossier_doc(const reg_dossier *d);
/* Put another document in the dossier's place (the old one is freed); where it came from stays.
 * The root must be a <dossier> (the caller's check). */
void reg_dossier_replace_doc(reg_dossier *d, xmlDoc *doc);
/* Remove every comment and processing instruction inside the dossier: they are outside the
 * body digest, so nothing the registry records may carry them. */
void reg_dossier_strip_comments(reg_dossier *d);
xmlNode *reg_dossier_root(const reg_dossier *d);
const char *reg_dossier_file(const reg_dossier *d);
long reg_dossier_line(const reg_dossier *d);

/* The named top-level section, created in its canonical place when `create`; NULL when absent
 * and not created. */
xmlNode *reg_dossier_section(reg_dossier *d, const char *name, bool create);
/* Remove a top-level section if present. */
void reg_dossier_drop_section(reg_dossier *d, const char *name);

/* Text at a path of local names below the root, e.g. "enterprise/legal-representative/name";
 * NULL when absent.  Caller frees. */
char *reg_dossier_text(const reg_dossier *d, const char *path);
/* Attribute at a path: ("enterprise/address", "division"). Caller frees. */
char *reg_dossier_attr(const reg_dossier *d, const char *path, const char *attr);
/* The element at a path, or NULL. */
xmlNode *reg_dossier_node(const reg_dossier *d, const char *path);

reg_state reg_dossier_state(const reg_dossier *d);
void reg_dossier_set_state(reg_dossier *d, reg_state state);
const char *reg_state_name(reg_state s);
int reg_state_parse(const char *text, reg_state *s);
const char *reg_verdict_name(reg_verdict v);
int reg_verdict_parse(const char *text, reg_verdict *v);

/* The acceptance number, or NULL before acceptance.  Caller frees. */
char *reg_dossier_number(const reg_dossier *d);

/*
 * The body digest (docs/formats.md): SHA-256 hex of the exclusive C14N of the dossier without
 * versions, approvals, outstanding, issuance, rejection and the state attribute.  An approval
 * made on a body with another digest is void.
 */
int reg_dossier_body_digest(const reg_dossier *d, char hex[65], reg_err **errp);

/* One approval as read from or appended to <approvals>. Strings are borrowed from the caller
 * when appending and owned by the list when read (reg_approval_list_free). */
typedef struct reg_approval {
	char *item, *dept, *reviewer, *time, *digest;
	char *signature;       /* base64 (libreg/verdict.h), NULL when unsigned */
	reg_verdict verdict;
	char **reasons;
	size_t n_reasons;
	long line;
} reg_approval;

/* The most approvals a dossier may carry (docs/formats.md).  Twenty items with a few verdicts
 * each (a supplement, a review again) stay far below it; a dossier carrying more was not made
 * by regkit's tools, and nothing reads its approvals. */
#define REG_DOSSIER_MAX_APPROVALS 1000

/* 0 when the dossier carries at most REG_DOSSIER_MAX_APPROVALS approvals, else -1 (REG_ENO at
 * its <approvals>); counts no further than one past the cap.  What reads a dossier for review
 * asks this first (reg_dossier_approvals does). */
int reg_dossier_approvals_capped(const reg_dossier *d, reg_err **errp);
int reg_dossier_add_approval(reg_dossier *d, const reg_approval *a, reg_err **errp);
/* All approvals in document order; *out owned by the caller.  REG_ENO for an incomplete
 * approval or more than REG_DOSSIER_MAX_APPROVALS of them. */
int reg_dossier_approvals(const reg_dossier *d, reg_approval **out, size_t *n, reg_err **errp);
void reg_approval_list_free(reg_approval *list, size_t n);
/* Free the strings of one approval (owned ones) and zero it; the struct itself stays. */
void reg_approval_clear(reg_approval *a);

/* The approval in force for `item` among `list`: the latest by time (docs/ledger.md: a later
 * verdict supersedes an earlier one); among equal times the last in the list.  NULL when the
 * item has none.  Times that do not parse count as the oldest. */
const reg_approval *reg_approval_in_force(const reg_approval *list, size_t n, const char *item);

/* Append <problem line= field=>message</problem> to <rejection> for each error of the chain. */
void reg_dossier_add_rejection(reg_dossier *d, const reg_err *problems);

#endif
