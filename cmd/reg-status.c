/*
 * reg-status — the supervisor's views of the registry (dossiers by state, pending and overdue
 * reviews against their promised time limits, commitments falling due) and the escalation
 * ladder (三单一函): --escalate writes each due slip once.
 *
 * main parses options and picks one view; each view is one function over libreg (registry.h
 * for the rows, escalation.h for what is pending and how late).  Output is one table per run:
 * TSV with one header line, or with --xml the same rows as empty elements of
 * urn:regkit:status:1 whose attributes are the columns.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "escalation.h"
#include "ledger.h"
#include "rules.h"
#include "registry.h"
#include "xml.h"

static const char prog[] = "reg-status";

#define REG_NS_STATUS "urn:regkit:status:1"
/* Commitments due within this long from now are "falling due" (--within changes it). */
#define DEFAULT_WITHIN (3 * 86400)

enum {
	OPT_STATE = 1,
	OPT_OVERDUE,
	OPT_PENDING,
	OPT_COMMITMENTS,
	OPT_WITHIN,
	OPT_XML,
	OPT_ESCALATE,
	OPT_EXPORT,
};

typedef enum view {
	VIEW_DOSSIERS,
	VIEW_OVERDUE,
	VIEW_PENDING,
	VIEW_COMMITMENTS,
	VIEW_ESCALATE,
	VIEW_EXPORT,
} view;

static const char *const view_names[] = {"dossiers", "overdue", "pending", "commitments",
					 "escalate", "export"};

typedef struct run {
	reg_config *cfg;
	view view;
	int views;          /* how many view options were given */
	const char *state;  /* --state */
	const char *output; /* -o: a file for the views, the slip directory for --escalate */
	bool xml;
	int64_t within;
	bool within_given;
	char **numbers;     /* --export: the acceptance numbers */
	int n_numbers;
} run;

static void usage(void)
{
	printf("usage: %s [--state STATE] [--xml] [-o FILE] [options]\n"
	       "       %s --overdue | --pending [--state STATE] [--xml] [-o FILE] [options]\n"
	       "       %s --commitments [--within DURATION] [--xml] [-o FILE] [options]\n"
	       "       %s --escalate -o DIR [options]\n"
	       "       %s --export [-o FILE] [options] NUMBER...\n"
	       "Show the registry: dossiers (default), reviews past a rung of the escalation ladder\n"
	       "(--overdue) or all pending ones (--pending), commitments falling due or overdue\n"
	       "(--commitments); or write each due escalation slip once into DIR (--escalate).\n\n"
	       "      --state STATE     only dossiers in STATE (accepted, approved, rejected,\n"
	       "                        pending, issued)\n"
	       "      --overdue         pending reviews that reached a rung (提醒单 … 移交函)\n"
	       "      --pending         every pending review, with the rung reached if any\n"
	       "      --commitments     owed commitments due within --within, or overdue\n"
	       "      --within DURATION how far ahead --commitments looks (ISO 8601, default P3D)\n"
	       "      --escalate        write the due slips into the directory given by -o\n"
	       "      --export          the dossiers NUMBER... as the registry holds them (what\n"
	       "                        reg-apply wrote, with what was recorded since)\n"
	       "      --xml             XML (urn:regkit:status:1) instead of TSV\n"
	       "  -o, --output PATH     the output file (default standard output), or with\n"
	       "                        --escalate the slip directory\n\n%s\n"
	       "Exit status: 0 success, 1 an --export NUMBER not in the registry, 64 usage,\n"
	       "66 no registry, 73 cannot create output, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n",
	       prog, prog, prog, prog, prog, reg_cli_config_help);
}

/* ---------------------------------------------------------------------------------------------
 * One table, as TSV or XML
 */

typedef struct table {
	FILE *fp;
	xmlTextWriter *xw;       /* NULL for TSV */
	const char *row;         /* element name of a row in XML */
	const char *const *cols; /* column names; in XML '_' becomes '-' */
	size_t ncols;
	bool failed;
} table;

/* A TSV field: control bytes as \xHH, so a field never adds a column or a line. */
static void put_field(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02X", c);
		else
			putc(c, fp);
	}
}

static int table_start(table *t, FILE *fp, bool xml, const char *view, const char *now,
		       const char *row, const char *const *cols, size_t ncols, reg_err **errp)
{
	*t = (table){.fp = fp, .row = row, .cols = cols, .ncols = ncols};
	if (!xml) {
		for (size_t i = 0; i < ncols; i++) {
			fputs(cols[i], fp);
			putc(i + 1 < ncols ? '\t' : '\n', fp);
		}
		return 0;
	}
	xmlOutputBuffer *buf = xmlOutputBufferCreateFile(fp, NULL);
	if (!buf || !(t->xw = xmlNewTextWriter(buf))) {
		xmlOutputBufferClose(buf);
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	}
	if (xmlTextWriterSetIndent(t->xw, 1) < 0 ||
	    xmlTextWriterSetIndentString(t->xw, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(t->xw, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(t->xw, BAD_CAST "status") < 0 ||
	    xmlTextWriterWriteAttribute(t->xw, BAD_CAST "xmlns", BAD_CAST REG_NS_STATUS) < 0 ||
	    xmlTextWriterWriteAttribute(t->xw, BAD_CAST "view", BAD_CAST view) < 0 ||
	    xmlTextWriterWriteAttribute(t->xw, BAD_CAST "now", BAD_CAST now) < 0)
		t->failed = true;
	return 0;
}

/* values[i] NULL or "" is an empty TSV field, an absent XML attribute. */
static void table_row(table *t, const char *const *values)
{
	if (!t->xw) {
		for (size_t i = 0; i < t->ncols; i++) {
			put_field(t->fp, values[i]);
			putc(i + 1 < t->ncols ? '\t' : '\n', t->fp);
		}
		return;
	}
	if (xmlTextWriterStartElement(t->xw, BAD_CAST t->row) < 0)
		t->failed = true;
	for (size_t i = 0; i < t->ncols; i++) {
		char name[32];
		if (!values[i] || !*values[i])
			continue;
		snprintf(name, sizeof name, "%s", t->cols[i]);
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = '-';
		if (xmlTextWriterWriteAttribute(t->xw, BAD_CAST name, BAD_CAST values[i]) < 0)
			t->failed = true;
	}
	if (xmlTextWriterEndElement(t->xw) < 0)
		t->failed = true;
}

static int table_end(table *t, reg_err **errp)
{
	if (t->xw) {
		if (xmlTextWriterEndDocument(t->xw) < 0)
			t->failed = true;
		xmlFreeTextWriter(t->xw); /* flushes; the FILE stays open */
		t->xw = NULL;
	}
	if (t->failed)
		return reg_err_set(errp, REG_EIO, NULL, 0, NULL, "cannot write the XML output");
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The views
 */

typedef struct ctx {
	run *r;
	reg_registry *reg;
	const reg_catalog *cat;
	reg_escalation *esc;
	reg_item_progress *reviews;
	table *t;
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
	table_row(c->t, values);
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
		if (rv->wait == REG_WAIT_NONE || (c->r->view == VIEW_OVERDUE && rv->step < 0))
			continue;
		const reg_step *st = rv->step >= 0 ? reg_catalog_step(c->cat, (size_t)rv->step) : NULL;
		char limit[REG_DURATION_ISO_MAX], elapsed[REG_DURATION_ISO_MAX];
		char deadline[REG_TIME_ISO_MAX] = "";
		/* Working time; no deadline while the clock stands with no end in sight. */
		reg_workdur_format(reg_item_time_limit(rv->item), limit);
		reg_worktime_iso(rv->elapsed, c->day, elapsed);
		if (rv->deadline != INT64_MAX)
			reg_time_format(rv->deadline, c->offset, deadline);
		const char *values[] = {d->number, reg_item_id(rv->item), reg_item_dept(rv->item),
					reg_wait_name(rv->wait), limit, elapsed, deadline,
					st ? reg_step_id(st) : NULL, st ? reg_step_zh(st) : NULL};
		table_row(c->t, values);
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
		     (c->r->state ? strcmp(d.state, c->r->state) == 0
				  : strcmp(d.state, REG_REGISTRY_STATE_REJECTED) != 0);
	reg_registry_dossier_clear(&d);
	if (shown) {
		const char *values[] = {k->number, k->material, k->due,
					c->now > k->due_at ? "overdue" : "falling-due"};
		table_row(c->t, values);
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
	table_row(c->t, values);
	return 0;
}

#define COUNT(a) (sizeof (a) / sizeof *(a))

/* Each view's table: the element name of a row in XML and the columns. */
static const struct view_table {
	const char *row;
	const char *const *cols;
	size_t ncols;
} view_tables[] = {
	[VIEW_DOSSIERS] = {"dossier", dossier_cols, COUNT(dossier_cols)},
	[VIEW_OVERDUE] = {"review", review_cols, COUNT(review_cols)},
	[VIEW_PENDING] = {"review", review_cols, COUNT(review_cols)},
	[VIEW_COMMITMENTS] = {"commitment", commitment_cols, COUNT(commitment_cols)},
	[VIEW_ESCALATE] = {"slip", slip_cols, COUNT(slip_cols)},
};

/* Once per run: the years counted without calendar data (docs/calendar.md). */
static void warn_gaps(const reg_escalation *esc, const reg_authority *auth, const char *path)
{
	char *msg = reg_calendar_gaps_message(reg_escalation_gaps(esc), reg_authority_calendar(auth));
	if (msg && *msg)
		fprintf(stderr, "%s: %s: warning: %s\n", prog, path, msg);
	free(msg);
}

static int show(run *r, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_registry *reg = NULL;
	reg_escalation *esc = NULL;
	const reg_authority *auth = NULL;
	FILE *out = NULL;
	table t = {0};
	ctx c = {.r = r, .t = &t, .errp = errp};
	char now_iso[REG_TIME_ISO_MAX];
	bool escalate = r->view == VIEW_ESCALATE;
	int rc = -1;

	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(cat = reg_catalog_load(reg_config_catalog_path(r->cfg), reg_config_schema_dir(r->cfg),
				     errp)) ||
	    !(auth = reg_config_authority(r->cfg, errp)) ||
	    reg_config_now(r->cfg, &c.now, errp) < 0 || reg_config_offset(r->cfg, &c.offset, errp) < 0)
		goto out;
	reg = escalate ? reg_registry_open_existing(reg_config_db(r->cfg), errp)
		       : reg_registry_open_readonly(reg_config_db(r->cfg), errp);
	if (!reg || !(esc = reg_escalation_new(cat, auth, errp)) ||
	    !(c.reviews = calloc(reg_catalog_item_count(cat) + 1, sizeof *c.reviews)) ||
	    !(out = reg_cli_open_output(escalate ? NULL : r->output, errp))) {
		if (reg && esc && !c.reviews)
			reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		goto out;
	}
	c.reg = reg;
	c.cat = cat;
	c.esc = esc;
	c.day = reg_calendar_day_seconds(reg_authority_calendar(auth));
	reg_time_format(c.now, c.offset, now_iso);

	const struct view_table *vt = &view_tables[r->view];
	if (table_start(&t, out, r->xml, view_names[r->view], now_iso, vt->row, vt->cols, vt->ncols,
			errp) < 0)
		goto out;
	switch (r->view) {
	case VIEW_DOSSIERS:
		rc = reg_registry_each_dossier(reg, r->state, dossier_row, &c, errp);
		break;
	case VIEW_OVERDUE:
	case VIEW_PENDING:
		rc = reg_registry_each_dossier(reg, r->state, review_rows, &c, errp);
		break;
	case VIEW_COMMITMENTS:
		rc = reg_registry_each_commitment(reg, true,
						  c.now > INT64_MAX - r->within ? INT64_MAX
										: c.now + r->within,
						  commitment_row, &c, errp);
		break;
	case VIEW_ESCALATE:
		rc = reg_escalation_issue(esc, reg, r->output, c.now, slip_row, &c, errp);
		fprintf(stderr, "%s: %zu slip%s written to %s, %zu already issued\n", prog,
			c.written, c.written == 1 ? "" : "s", r->output, c.already);
		break;
	case VIEW_EXPORT: /* export(), not a table */
		break;
	}
	if (table_end(&t, errp) < 0)
		rc = -1;
	warn_gaps(esc, auth, reg_config_authority_path(r->cfg));
out:
	if (reg_cli_close(out, escalate ? NULL : r->output, errp) < 0)
		rc = -1;
	free(c.reviews);
	reg_escalation_free(esc);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return rc;
}

/* --export: each dossier as the registry holds it; one that is not held is said and skipped. */
static int export(run *r, reg_err **errp)
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
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(cat = reg_catalog_load(reg_config_catalog_path(r->cfg), reg_config_schema_dir(r->cfg),
				     errp)) ||
	    reg_config_now(r->cfg, &now, errp) < 0 || reg_config_offset(r->cfg, &offset, errp) < 0 ||
	    !(reg = reg_registry_open_readonly(reg_config_db(r->cfg), errp)) ||
	    !(ledger = reg_ledger_new(cat, NULL, offset, errp)) || !(rules = reg_rules_new(errp)) ||
	    !(out = reg_cli_open_output(r->output, errp)) ||
	    !(xo = reg_xml_out_new(out, r->n_numbers > 1)))
		goto out;
	rc = 0;
	for (int i = 0; i < r->n_numbers && rc == 0; i++) {
		reg_err *err = NULL;
		reg_dossier *d = reg_ledger_export(ledger, reg, rules, r->numbers[i], now, &err);
		if (d)
			rc = reg_xml_out_write(xo, reg_dossier_doc(d), errp);
		else if (reg_cli_delay(prog, err, NULL, 0, &missing, errp) < 0)
			rc = -1;
		reg_dossier_free(d);
	}
	if (reg_xml_out_finish(xo, errp) < 0)
		rc = -1;
	if (rc == 0 && missing)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %d dossiers not in the registry",
				 missing, r->n_numbers);
out:
	reg_xml_out_free(xo);
	if (out && reg_cli_close(out, r->output, errp) < 0)
		rc = -1;
	reg_rules_free(rules);
	reg_ledger_free(ledger);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return rc;
}

static int choose(run *r, view v)
{
	if (r->views++ && r->view != v)
		return reg_cli_usage_error(prog, "--%s and --%s are different views: choose one",
					   view_names[r->view], view_names[v]);
	r->view = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"state", required_argument, NULL, OPT_STATE},
		{"overdue", no_argument, NULL, OPT_OVERDUE},
		{"pending", no_argument, NULL, OPT_PENDING},
		{"commitments", no_argument, NULL, OPT_COMMITMENTS},
		{"within", required_argument, NULL, OPT_WITHIN},
		{"xml", no_argument, NULL, OPT_XML},
		{"escalate", no_argument, NULL, OPT_ESCALATE},
		{"export", no_argument, NULL, OPT_EXPORT},
		{"output", required_argument, NULL, 'o'},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	run r = {.cfg = reg_config_new(), .within = DEFAULT_WITHIN};
	reg_err *err = NULL;
	reg_state state;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_STATE:
			if (reg_state_parse(optarg, &state) < 0 || state == REG_STATE_NONE) {
				code = reg_cli_usage_error(prog, "unknown state '%s'", optarg);
				goto out;
			}
			r.state = optarg;
			break;
		case OPT_OVERDUE: code = choose(&r, VIEW_OVERDUE); break;
		case OPT_PENDING: code = choose(&r, VIEW_PENDING); break;
		case OPT_COMMITMENTS: code = choose(&r, VIEW_COMMITMENTS); break;
		case OPT_ESCALATE: code = choose(&r, VIEW_ESCALATE); break;
		case OPT_EXPORT: code = choose(&r, VIEW_EXPORT); break;
		case OPT_WITHIN:
			if (reg_duration_parse(optarg, &r.within, &err) < 0) {
				code = reg_cli_usage_error(prog, "--within: %s", reg_err_message(err));
				goto out;
			}
			r.within_given = true;
			break;
		case OPT_XML: r.xml = true; break;
		case 'o': r.output = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(r.cfg, opt, optarg)) {
				code = reg_cli_usage_error(prog, "unknown option");
				goto out;
			}
		}
		if (code)
			goto out;
	}
	if (r.view == VIEW_EXPORT) {
		r.numbers = argv + optind;
		r.n_numbers = argc - optind;
		if (!r.n_numbers) {
			code = reg_cli_usage_error(prog, "--export needs the acceptance NUMBER of a "
						   "dossier");
			goto out;
		}
	} else if (optind < argc) {
		code = reg_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (r.view == VIEW_ESCALATE && (!r.output || strcmp(r.output, "-") == 0)) {
		code = reg_cli_usage_error(prog, "--escalate needs the slip directory: -o DIR");
		goto out;
	}
	if (r.within_given && r.view != VIEW_COMMITMENTS) {
		code = reg_cli_usage_error(prog, "--within goes with --commitments");
		goto out;
	}
	if (r.view == VIEW_ESCALATE && r.state) {
		code = reg_cli_usage_error(prog, "--escalate chases every open dossier: no --state");
		goto out;
	}
	if ((r.view == VIEW_EXPORT ? export(&r, &err) : show(&r, &err)) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
