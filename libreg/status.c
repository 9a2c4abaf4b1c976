/* status — reg-status's views, escalation run, export and lookup (status.h). */
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "escalation.h"
#include "ids.h"
#include "ledger.h"
#include "rules.h"
#include "xml.h"

#define REG_NS_STATUS "urn:regkit:status:1"

static const char *const view_names[] = {"dossiers", "overdue", "pending", "commitments",
					 "escalate", "export", "lookup"};

const char *reg_status_view_name(reg_status_view v)
{
	return (size_t)v < sizeof view_names / sizeof *view_names ? view_names[v] : "?";
}

const char *reg_status_request_problem(const reg_status_request *rq, int n_args,
				       bool within_given, bool format_given)
{
	bool lookup = rq->view == REG_STATUS_DOSSIERS && n_args == 1;
	if (rq->view == REG_STATUS_EXPORT && !n_args)
		return _("--export needs the acceptance NUMBER of a dossier");
	if (rq->view != REG_STATUS_EXPORT && n_args > (rq->view == REG_STATUS_DOSSIERS))
		return _("unexpected argument (a lookup takes one QUERY)");
	if (rq->view == REG_STATUS_ESCALATE && (!rq->output || strcmp(rq->output, "-") == 0))
		return _("--escalate needs the slip directory: -o DIR");
	if (within_given && rq->view != REG_STATUS_COMMITMENTS)
		return _("--within goes with --commitments");
	if (rq->view == REG_STATUS_ESCALATE && rq->state)
		return _("--escalate chases every open dossier: no --state");
	if (lookup && rq->state)
		return _("a lookup shows one enterprise: no --state");
	if (rq->unmask && !lookup)
		return _("--unmask goes with a lookup QUERY");
	if (format_given && rq->view == REG_STATUS_EXPORT)
		return _("--export writes dossiers (XML): no --format");
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * The listings
 */

typedef struct ctx {
	const reg_status_request *rq;
	reg_registry *reg;
	const reg_catalog *cat;
	reg_escalation *esc;
	reg_item_progress *reviews;
	reg_table *t;
	int64_t now;
	int offset;
	int64_t day; /* working seconds of a working day on the authority's calendar */
	size_t written, already;
	reg_err **errp;
} ctx;

static const char *const dossier_cols[] = {"number", "name", "state", "accepted", "answered",
					   "applicable"};

static int dossier_row(const reg_registry_dossier *d, void *user)
{
	ctx *c = user;
	size_t answered = 0, applicable = 0;
	char accepted[REG_TIME_ISO_MAX], n_ans[24], n_app[24];
	if (reg_escalation_review(c->esc, c->reg, d, c->now, c->reviews, c->errp) < 0)
		return -1;
	for (size_t i = 0; i < reg_catalog_item_count(c->cat); i++) {
		const reg_item_progress *rv = &c->reviews[i];
		applicable += rv->applies;
		answered += rv->applies && rv->answer.given &&
			    rv->answer.verdict != REG_VERDICT_SUPPLEMENT;
	}
	reg_time_format(d->accepted_at, c->offset, accepted);
	snprintf(n_ans, sizeof n_ans, "%zu", answered);
	snprintf(n_app, sizeof n_app, "%zu", applicable);
	const char *values[] = {d->number, d->name, d->state, accepted, n_ans, n_app};
	reg_table_row(c->t, values);
	return 0;
}

static const char *const review_cols[] = {"number", "item", "dept", "why", "limit", "elapsed",
					  "deadline", "step", "step_zh"};

static int review_rows(const reg_registry_dossier *d, void *user)
{
	ctx *c = user;
	if (!reg_escalation_state_open(d->state))
		return 0;
	if (reg_escalation_review(c->esc, c->reg, d, c->now, c->reviews, c->errp) < 0)
		return -1;
	for (size_t i = 0; i < reg_catalog_item_count(c->cat); i++) {
		const reg_item_progress *rv = &c->reviews[i];
		if (rv->wait == REG_WAIT_NONE || (c->rq->view == REG_STATUS_OVERDUE && rv->step < 0))
			continue;
		const reg_step *st = rv->step >= 0 ? reg_catalog_step(c->cat, (size_t)rv->step) : NULL;
		char limit[REG_DURATION_ISO_MAX], elapsed[REG_DURATION_ISO_MAX];
		char deadline[REG_TIME_ISO_MAX];
		/* Working time; no deadline while the clock stands with no end in sight. */
		reg_workdur_format(reg_item_time_limit(rv->item), limit);
		reg_worktime_iso(rv->elapsed, c->day, elapsed);
		if (rv->deadline != INT64_MAX)
			reg_time_format(rv->deadline, c->offset, deadline);
		const char *values[] = {d->number, reg_item_id(rv->item), reg_item_dept(rv->item),
					reg_wait_name(rv->wait), limit, elapsed,
					rv->deadline != INT64_MAX ? deadline : NULL,
					st ? reg_step_id(st) : NULL, st ? reg_step_zh(st) : NULL};
		reg_table_row(c->t, values);
	}
	return 0;
}

static const char *const commitment_cols[] = {"number", "material", "due", "status"};

static int commitment_row(const reg_registry_commitment *k, void *user)
{
	ctx *c = user;
	reg_registry_dossier d = {0};
	bool found = false;
	if (reg_registry_get_dossier(c->reg, k->number, &d, &found, c->errp) < 0)
		return -1;
	bool shown = found && d.state &&
		     (c->rq->state ? strcmp(d.state, c->rq->state) == 0
				   : strcmp(d.state, REG_REGISTRY_STATE_REJECTED) != 0);
	reg_registry_dossier_clear(&d);
	if (shown) {
		const char *values[] = {k->number, k->material, k->due,
					c->now > k->due_at ? "overdue" : "falling-due"};
		reg_table_row(c->t, values);
	}
	return 0;
}

static const char *const slip_cols[] = {"number", "item", "dept", "step", "file"};

static int slip_row(const reg_slip_issued *s, void *user)
{
	ctx *c = user;
	if (s->already) {
		c->already++;
		return 0;
	}
	c->written++;
	const char *values[] = {s->number, s->item, s->dept, s->step, s->path};
	reg_table_row(c->t, values);
	return 0;
}

#define COUNT(a) (sizeof (a) / sizeof *(a))

/* Each listing's table: the element name of a row in XML and the columns. */
static const struct view_table {
	const char *row;
	const char *const *cols;
	size_t ncols;
} view_tables[] = {
	[REG_STATUS_DOSSIERS] = {"dossier", dossier_cols, COUNT(dossier_cols)},
	[REG_STATUS_OVERDUE] = {"review", review_cols, COUNT(review_cols)},
	[REG_STATUS_PENDING] = {"review", review_cols, COUNT(review_cols)},
	[REG_STATUS_COMMITMENTS] = {"commitment", commitment_cols, COUNT(commitment_cols)},
	[REG_STATUS_ESCALATE] = {"slip", slip_cols, COUNT(slip_cols)},
};

/* Once per run: the years counted without calendar data (docs/calendar.md). */
static void warn_gaps(const char *prog, const reg_escalation *esc, const reg_authority *auth,
		      const char *path)
{
	char *msg = reg_calendar_gaps_message(reg_escalation_gaps(esc), reg_authority_calendar(auth));
	if (msg && *msg)
		fprintf(stderr, _("%s: %s: warning: %s\n"), prog, path, msg);
	free(msg);
}

static int lookup(const reg_status_request *rq, const char *number, const reg_catalog *cat,
		  reg_registry *reg, reg_table *t, int64_t now, int offset, reg_err **errp);

static int show(reg_config *cfg, const reg_status_request *rq, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_registry *reg = NULL;
	reg_escalation *esc = NULL;
	const reg_authority *auth = NULL;
	FILE *out = NULL;
	reg_table *t = NULL;
	ctx c = {.rq = rq, .errp = errp};
	char now_iso[REG_TIME_ISO_MAX];
	bool escalate = rq->view == REG_STATUS_ESCALATE;
	const char *output = escalate ? NULL : rq->output;
	char *number = NULL, *also = NULL;
	int rc = -1;

	if (!(cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				     errp)) ||
	    !(auth = reg_config_authority(cfg, errp)) || reg_config_now(cfg, &c.now, errp) < 0 ||
	    reg_config_offset(cfg, &c.offset, errp) < 0)
		goto out;
	reg = escalate ? reg_registry_open_existing(reg_config_db(cfg), errp)
		       : reg_registry_open_readonly(reg_config_db(cfg), errp);
	if (!reg || !(esc = reg_escalation_new(cat, auth, errp)))
		goto out;
	if (!(c.reviews = calloc(reg_catalog_item_count(cat) + 1, sizeof *c.reviews))) {
		reg_err_oom(errp);
		goto out;
	}
	/* A lookup that finds nothing writes nothing, not even an empty document. */
	if (rq->view == REG_STATUS_LOOKUP) {
		if (reg_status_resolve(reg, rq->query, &number, &also, errp) < 0)
			goto out;
		if (also)
			fprintf(stderr, _("%s: note: the name '%s' has several dossiers: %s; showing %s\n"),
				rq->prog, rq->query, also, number);
	}
	if (!(out = reg_cli_open_output(output, errp)))
		goto out;
	c.reg = reg;
	c.cat = cat;
	c.esc = esc;
	c.day = reg_calendar_day_seconds(reg_authority_calendar(auth));
	reg_time_format(c.now, c.offset, now_iso);

	const char *attrs[] = {"view", view_names[rq->view], "now", now_iso, NULL};
	bool record = rq->view == REG_STATUS_LOOKUP;
	reg_table_doc doc = {record ? "enterprise" : "status", REG_NS_STATUS, attrs};
	if (!(t = reg_table_new(out, rq->format, &doc, record, errp)))
		goto out;
	c.t = t;
	if (!record) {
		const struct view_table *vt = &view_tables[rq->view];
		reg_table_list(t, view_names[rq->view], vt->row, vt->cols, vt->ncols);
	}
	switch (rq->view) {
	case REG_STATUS_DOSSIERS:
		rc = reg_registry_each_dossier(reg, rq->state, dossier_row, &c, errp);
		break;
	case REG_STATUS_OVERDUE:
	case REG_STATUS_PENDING:
		rc = reg_registry_each_dossier(reg, rq->state, review_rows, &c, errp);
		break;
	case REG_STATUS_COMMITMENTS:
		rc = reg_registry_each_commitment(reg, true,
						  c.now > INT64_MAX - rq->within ? INT64_MAX
										 : c.now + rq->within,
						  commitment_row, &c, errp);
		break;
	case REG_STATUS_ESCALATE:
		rc = reg_escalation_issue(esc, reg, rq->output, c.now, slip_row, &c, errp);
		fprintf(stderr,
			dngettext(REG_TEXTDOMAIN, "%s: %zu slip written to %s, %zu already issued\n",
				  "%s: %zu slips written to %s, %zu already issued\n", c.written),
			rq->prog, c.written, rq->output, c.already);
		break;
	case REG_STATUS_LOOKUP:
		rc = lookup(rq, number, cat, reg, t, c.now, c.offset, errp);
		break;
	case REG_STATUS_EXPORT: /* export(), not a table */
		break;
	}
	/* A run that failed half way leaves its document unfinished: not a valid one. */
	if (rc == 0 && reg_table_finish(t, errp) < 0)
		rc = -1;
	if (!record)
		warn_gaps(rq->prog, esc, auth, reg_config_authority_path(cfg));
out:
	reg_table_free(t);
	if (out && reg_cli_close(out, output, errp) < 0)
		rc = -1;
	free(number);
	free(also);
	free(c.reviews);
	reg_escalation_free(esc);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The export: each dossier as the registry holds it; one that is not held is said and skipped
 */

static int export(reg_config *cfg, const reg_status_request *rq, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_registry *reg = NULL;
	reg_ledger *ledger = NULL;
	reg_rules *rules = NULL;
	reg_xml_out *xo = NULL;
	FILE *out = NULL;
	int64_t now = 0;
	int offset = 0, rc = -1;
	size_t missing = 0;
	if (!(cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				     errp)) ||
	    reg_config_now(cfg, &now, errp) < 0 || reg_config_offset(cfg, &offset, errp) < 0 ||
	    !(reg = reg_registry_open_readonly(reg_config_db(cfg), errp)) ||
	    !(ledger = reg_ledger_new(cat, NULL, offset, errp)) || !(rules = reg_rules_new(errp)) ||
	    !(out = reg_cli_open_output(rq->output, errp)) ||
	    !(xo = reg_xml_out_new(out, rq->n_numbers > 1)))
		goto out;
	rc = 0;
	for (int i = 0; i < rq->n_numbers && rc == 0; i++) {
		reg_err *err = NULL;
		reg_dossier *d = reg_ledger_export(ledger, reg, rules, rq->numbers[i], now, &err);
		if (d)
			rc = reg_xml_out_write(xo, reg_dossier_doc(d), errp);
		else if (reg_cli_delay(rq->prog, err, NULL, 0, &missing, errp) < 0)
			rc = -1;
		reg_dossier_free(d);
	}
	if (reg_xml_out_finish(xo, errp) < 0)
		rc = -1;
	if (rc == 0 && missing)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %d dossiers not in the registry",
				 missing, rq->n_numbers);
out:
	reg_xml_out_free(xo);
	if (out && reg_cli_close(out, rq->output, errp) < 0)
		rc = -1;
	reg_rules_free(rules);
	reg_ledger_free(ledger);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return rc;
}

int reg_status_run(reg_config *cfg, const reg_status_request *rq, reg_err **errp)
{
	reg_xml_init(reg_config_schema_dir(cfg));
	return rq->view == REG_STATUS_EXPORT ? export(cfg, rq, errp) : show(cfg, rq, errp);
}

/* ---------------------------------------------------------------------------------------------
 * The lookup
 */

/* DDDDDD-YYYYMMDD-NNNNNN, as acceptance numbers are made (libreg/apply.c). */
static bool acceptance_number_shape(const char *s)
{
	static const char shape[] = "999999-99999999-999999";
	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '9' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return true;
}

/* The dossiers of one name, as reg_status_resolve chooses among them. */
typedef struct named {
	char *chosen;        /* the latest not rejected */
	char *rejected;      /* the latest rejected */
	char *clash;         /* a second one not rejected */
	char *also;          /* "N (state), …" of every one */
	size_t n;
	bool failed;
} named;

static int named_row(const reg_registry_dossier *d, void *user)
{
	named *m = user;
	char **slot = strcmp(d->state, REG_REGISTRY_STATE_REJECTED) == 0 ? &m->rejected
		       : m->chosen ? &m->clash : &m->chosen;
	char *copy = strdup(d->number), *also = NULL;
	if (!copy || asprintf(&also, "%s%s%s (%s)", m->also ? m->also : "", m->also ? ", " : "",
			      d->number, d->state) < 0) {
		free(copy);
		m->failed = true;
		return 1;
	}
	if (slot != &m->clash || !m->clash) {
		free(*slot);
		*slot = copy;
	} else {
		free(copy);
	}
	free(m->also);
	m->also = also;
	m->n++;
	return 0;
}

int reg_status_resolve(reg_registry *reg, const char *query, char **number, char **also,
		       reg_err **errp)
{
	bool found = false;
	*number = NULL;
	if (also)
		*also = NULL;
	if (strlen(query) == 18 && reg_uscc_valid(query)) {
		reg_registry_issuance is = {0};
		if (reg_registry_get_issuance_by_uscc(reg, query, &is, &found, errp) < 0)
			return -1;
		if (found && !(*number = strdup(is.number)))
			reg_err_oom(errp);
		reg_registry_issuance_clear(&is);
		if (!found)
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					   "no enterprise with USCC '%s' in the registry %s", query,
					   reg_registry_path(reg));
		return *number ? 0 : -1;
	}
	if (acceptance_number_shape(query)) {
		reg_registry_dossier d = {0};
		if (reg_registry_get_dossier(reg, query, &d, &found, errp) < 0)
			return -1;
		reg_registry_dossier_clear(&d);
		if (!found)
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					   "dossier '%s' is not in the registry %s", query,
					   reg_registry_path(reg));
		return (*number = strdup(query)) ? 0 : reg_err_oom(errp);
	}
	named m = {0};
	int rc = reg_registry_each_dossier_named(reg, query, named_row, &m, errp);
	if (rc < 0)
		goto out;
	if (m.failed) {
		rc = reg_err_oom(errp);
	} else if (m.n == 0) {
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				 "no enterprise named '%s' in the registry %s (a query is a USCC, an "
				 "acceptance number or an enterprise name)", query,
				 reg_registry_path(reg));
	} else if (m.clash) {
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				 "the name '%s' is held by more than one dossier: %s; look up its "
				 "acceptance number", query, m.also);
	} else {
		char **pick = m.chosen ? &m.chosen : &m.rejected;
		*number = *pick;
		*pick = NULL;
		if (also && m.n > 1) {
			*also = m.also;
			m.also = NULL;
		}
		rc = 0;
	}
out:
	free(m.chosen);
	free(m.rejected);
	free(m.clash);
	free(m.also);
	return rc;
}

typedef struct look {
	reg_table *t;
	int64_t now;
	int offset;
} look;

static const char *const commitment_lookup_cols[] = {"material", "due", "status", "fulfilled",
						     "sha256"};

static int commitment_of(const reg_registry_commitment *k, void *user)
{
	look *lk = user;
	char when[REG_TIME_ISO_MAX];
	if (k->fulfilled_at)
		reg_time_format(k->fulfilled_at, lk->offset, when);
	const char *status = k->fulfilled_at ? "fulfilled" : lk->now > k->due_at ? "overdue"
									      : "owed";
	const char *values[] = {k->material, k->due, status, k->fulfilled_at ? when : NULL,
				k->fulfilled_sha256};
	reg_table_row(lk->t, values);
	return 0;
}

static const char *const slip_lookup_cols[] = {"item", "step", "issued"};

static int slip_of(const reg_registry_slip *s, void *user)
{
	look *lk = user;
	char when[REG_TIME_ISO_MAX];
	reg_time_format(s->issued_at, lk->offset, when);
	const char *values[] = {s->item, s->step, when};
	reg_table_row(lk->t, values);
	return 0;
}

static const char *const edition_cols[] = {"edition", "made", "sha256", "bytes"};

static int edition_of(const reg_registry_archive *a, void *user)
{
	look *lk = user;
	char when[REG_TIME_ISO_MAX], edition[24], bytes[24];
	reg_time_format(a->made_at, lk->offset, when);
	snprintf(edition, sizeof edition, "%" PRId64, a->edition);
	snprintf(bytes, sizeof bytes, "%zu", a->len);
	const char *values[] = {edition, when, a->sha256, bytes};
	reg_table_row(lk->t, values);
	return 0;
}

static const char *const person_cols[] = {"role", "name", "citizen_id"};

/* Everyone of <enterprise> with a <citizen-id>: the legal representative, each shareholder,
 * the financial officer … in document order. */
static void people(reg_table *t, const xmlNode *node, bool unmask)
{
	for (const xmlNode *n = node ? node->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		char *id = reg_xml_child_text(n, REG_NS_DOSSIER, "citizen-id");
		if (id) {
			char *name = reg_xml_child_text(n, REG_NS_DOSSIER, "name");
			char masked[REG_CITIZEN_ID_MASK_MAX];
			reg_citizen_id_mask(id, masked);
			const char *values[] = {(const char *)n->name, name, unmask ? id : masked};
			reg_table_row(t, values);
			free(name);
		} else {
			people(t, n, unmask);
		}
		free(id);
	}
}

static const char *const version_cols[] = {"version", "digest", "recorded"};
static const char *const item_cols[] = {"item", "dept", "status", "verdict", "reviewer", "time"};

static int lookup(const reg_status_request *rq, const char *number, const reg_catalog *cat,
		  reg_registry *reg, reg_table *t, int64_t now, int offset, reg_err **errp)
{
	reg_ledger *ledger = NULL;
	reg_ledger_record *rec = NULL;
	reg_rules *rules = NULL;
	reg_dossier *d = NULL;
	reg_assessment as = {0};
	reg_registry_issuance is = {0};
	bool *applies = NULL, issued = false;
	int rc = -1;
	if (!(ledger = reg_ledger_new(cat, NULL, offset, errp)) || !(rules = reg_rules_new(errp)) ||
	    !(rec = reg_ledger_read(ledger, reg, number, false, errp)))
		goto out;
	if (!(applies = calloc(reg_catalog_item_count(cat) + 1, sizeof *applies))) {
		reg_err_oom(errp);
		goto out;
	}
	const reg_registry_dossier *row = reg_ledger_row(rec);
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), reg_registry_path(reg),
					   errp);
	if (!doc || !(d = reg_dossier_adopt(doc, reg_registry_path(reg), 0, errp)) ||
	    reg_rules_bind(rules, d, row->accepted_at ? row->accepted_at : now, offset, errp) < 0 ||
	    reg_applicable_items(cat, rules, d, applies, errp) < 0 ||
	    reg_ledger_assess(ledger, rec, applies, &as, errp) < 0 ||
	    reg_registry_get_issuance(reg, number, &is, &issued, errp) < 0)
		goto out;

	char accepted[REG_TIME_ISO_MAX], issued_at[REG_TIME_ISO_MAX], version[24];
	reg_time_format(row->accepted_at, offset, accepted);
	if (issued)
		reg_time_format(is.issued_at, offset, issued_at);
	snprintf(version, sizeof version, "%" PRId64, row->version);
	reg_table_field(t, "number", row->number);
	reg_table_field(t, "name", row->name);
	reg_table_field(t, "uscc", issued ? is.uscc : NULL);
	reg_table_field(t, "state", row->state);
	reg_table_field(t, "authority", row->authority);
	reg_table_field(t, "accepted", accepted);
	reg_table_field(t, "window", row->window);
	reg_table_field(t, "clerk", row->clerk);
	reg_table_field(t, "version", version);
	reg_table_field(t, "body_digest", row->body_digest);
	reg_table_field(t, "application_digest", row->application_digest);
	reg_table_field(t, "issued", issued ? issued_at : NULL);

	reg_table_list(t, "versions", "version", version_cols, COUNT(version_cols));
	for (int64_t i = 0; i < reg_ledger_versions(rec); i++) {
		const reg_registry_body *b = reg_ledger_version(rec, i);
		char v[24], when[REG_TIME_ISO_MAX];
		snprintf(v, sizeof v, "%" PRId64, b->version);
		reg_time_format(b->recorded_at, offset, when);
		const char *values[] = {v, b->digest, when};
		reg_table_row(t, values);
	}

	reg_table_list(t, "items", "item", item_cols, COUNT(item_cols));
	const reg_approval *verdicts = reg_ledger_verdicts(rec);
	for (size_t i = 0; i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		const reg_approval *a = as.in_force[i] >= 0 ? &verdicts[as.in_force[i]] : NULL;
		const char *values[] = {reg_item_id(it), reg_item_dept(it),
					reg_item_status_name(as.status[i]),
					a ? reg_verdict_name(a->verdict) : NULL, a ? a->reviewer : NULL,
					a ? a->time : NULL};
		reg_table_row(t, values);
	}

	look lk = {.t = t, .now = now, .offset = offset};
	reg_table_list(t, "commitments", "commitment", commitment_lookup_cols,
		       COUNT(commitment_lookup_cols));
	if (reg_registry_each_commitment_of(reg, number, commitment_of, &lk, errp) < 0)
		goto out;
	reg_table_list(t, "slips", "slip", slip_lookup_cols, COUNT(slip_lookup_cols));
	if (reg_registry_each_slip(reg, number, slip_of, &lk, errp) < 0)
		goto out;
	reg_table_list(t, "editions", "edition", edition_cols, COUNT(edition_cols));
	if (issued && reg_registry_each_edition(reg, is.uscc, edition_of, &lk, errp) < 0)
		goto out;
	reg_table_list(t, "people", "person", person_cols, COUNT(person_cols));
	people(t, reg_dossier_node(d, "enterprise"), rq->unmask);
	rc = 0;
out:
	reg_registry_issuance_clear(&is);
	reg_assessment_clear(&as);
	reg_dossier_free(d);
	free(applies);
	reg_ledger_record_free(rec);
	reg_rules_free(rules);
	reg_ledger_free(ledger);
	return rc;
}
