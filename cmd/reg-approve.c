/*
 * reg-approve — parallel approval (并联审批): each department reviews its own items of the
 * accepted dossiers (--dept), a clerk records a decision (--dossier), or every department at
 * once on a pool of threads (--all, merged as reg-merge would).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approve.h"
#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "merge.h"
#include "registry.h"
#include "xml.h"

static const char prog[] = "reg-approve";

static void usage(void)
{
	printf("usage: %s --dept DEPT [options] [FILE...]\n"
	       "       %s --dept DEPT --dossier NUMBER [--item ID] --verdict VERDICT\n"
	       "                   --reason TEXT --reviewer NAME [options] [FILE...]\n"
	       "       %s --all [-j N] [options] [FILE...]\n"
	       "       %s --list-depts\n"
	       "Review accepted dossiers (并联审批): one approval per catalog item of the department,\n"
	       "appended to each dossier and recorded in the registry.  FILE is a dossier or a batch;\n"
	       "none or '-' reads standard input.\n\n"
	       "  -d, --dept DEPT       review as this department (a catalog department id)\n"
	       "  -a, --all             every department at once, merged (state set) as reg-merge does\n"
	       "  -j, --jobs N          with --all: N threads (default: the number of cores)\n"
	       "  -l, --list-depts      print the catalog's departments: id, Chinese, English (TAB)\n"
	       "      --dossier NUMBER  a clerk's decision on the dossier with this acceptance number\n"
	       "      --item ID         ... on this item only (default: every applicable item of DEPT)\n"
	       "      --verdict V       ... approved, rejected or supplement\n"
	       "      --reason TEXT     ... why (repeatable; at least one)\n"
	       "      --reviewer NAME   who decides (default for automatic verdicts: reg-approve)\n"
	       "  -o, --output FILE     write the dossiers to FILE instead of standard output\n\n%s\n"
	       "Exit status: 0 all reviewed, 1 some dossiers refused (the others go on), 64 usage,\n"
	       "65 input not XML dossiers, 66 input missing, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n",
	       prog, prog, prog, prog, reg_cli_config_help);
}

enum { OPT_DOSSIER = 0x2000, OPT_ITEM, OPT_VERDICT, OPT_REASON, OPT_REVIEWER };

typedef struct run {
	reg_config *cfg;
	const char *dept;
	bool all, list;
	unsigned jobs;
	const char *dossier, *item;
	reg_verdict verdict;
	bool has_verdict;
	const char **reasons;
	size_t n_reasons;
	const char *reviewer;
	const char *output;
	char **inputs;
	int n_inputs;
} run;

/* What one run holds while it goes through the dossiers. */
typedef struct work {
	run *r;
	reg_catalog *cat;
	reg_registry *reg;
	reg_rules *rules;          /* the main thread's (--dept, --dossier) */
	reg_approve_queue *queue;  /* --all */
	reg_approve_result *group; /* --all: what one transaction records, group_max at most */
	size_t group_max;
	FILE *out;
	reg_xml_out *xo;
	bool batch;
	int64_t now;
	int offset;
	char time[REG_TIME_ISO_MAX];
	const char *reviewer;
	size_t seen, refused;
	bool found;                /* --dossier: the dossier was in the input */
	bool stopped;              /* a failure stopped the run: what is still queued is dropped */
} work;

static int list_depts(const reg_catalog *cat)
{
	for (size_t i = 0; i < reg_catalog_department_count(cat); i++) {
		const reg_department *d = reg_catalog_department(cat, i);
		printf("%s\t%s\t%s\n", reg_department_id(d), reg_department_zh(d),
		       reg_department_en(d));
	}
	return 0;
}

/* The output, begun at the first dossier: by then the input told whether it is a batch. */
static reg_xml_out *output(work *w, reg_err **errp)
{
	if (!w->xo && !(w->xo = reg_xml_out_new(w->out, w->batch)))
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	return w->xo;
}

static int emit(work *w, reg_dossier *d, reg_err **errp)
{
	reg_xml_out *xo = output(w, errp);
	return xo ? reg_xml_out_write(xo, reg_dossier_doc(d), errp) : -1;
}

/* --all: the dossier as its worker serialized it. */
static int emit_dump(work *w, const reg_approve_result *res, reg_err **errp)
{
	reg_xml_out *xo = output(w, errp);
	return xo ? reg_xml_out_write_dump(xo, res->nested, res->xml, res->xml_len, errp) : -1;
}

/* A dossier's own problem (REG_ENO) is printed and the run goes on; anything else stops it. */
static int refuse(work *w, const char *file, long line, reg_err *err, reg_err **errp)
{
	if (reg_cli_delay(prog, err, file, line, &w->refused, errp) == 0)
		return 0;
	w->stopped = true;
	return -1;
}

/* A dossier's approvals and their events, and with --all its state: in the open transaction. */
static int record(work *w, const reg_review *rv, const reg_merge_outcome *merged, reg_err **errp)
{
	if (reg_approve_registered(w->reg, reg_review_number(rv), reg_review_digest(rv), errp) < 0 ||
	    reg_approve_record(w->reg, rv, w->offset, errp) < 0 ||
	    (merged && reg_merge_record_outcome(w->reg, merged, w->now, errp) < 0))
		return -1;
	return 0;
}

/* --dept and --dossier: one transaction per dossier. */
static int record_alone(work *w, const reg_review *rv, reg_err **errp)
{
	if (reg_registry_begin(w->reg, errp) < 0)
		return -1;
	if (record(w, rv, NULL, errp) < 0 || reg_registry_commit(w->reg, errp) < 0) {
		reg_registry_rollback(w->reg, NULL);
		return -1;
	}
	return 0;
}

static bool is_target(const work *w, const reg_dossier *d)
{
	char *number = reg_dossier_number(d);
	bool yes = number && strcmp(number, w->r->dossier) == 0;
	free(number);
	return yes;
}

/* --dept and --dossier: in the main thread, one dossier at a time. */
static int review_one(work *w, reg_dossier *d, reg_err **errp)
{
	run *r = w->r;
	reg_err *err = NULL;
	reg_review *rv = NULL;
	int rc = 0;
	if (r->dossier && !is_target(w, d))
		return emit(w, d, errp); /* not the clerk's: passes through untouched */
	w->found |= r->dossier != NULL;
	if (!(rv = reg_review_new(w->cat, w->rules, d, w->now, w->offset, &err)) ||
	    (r->dossier ? reg_approve_manual(rv, r->dept, r->item, r->verdict, r->reasons,
					     r->n_reasons, w->reviewer, w->time, &err)
			: reg_approve_dept(rv, r->dept, w->reviewer, w->time, &err)) < 0 ||
	    record_alone(w, rv, &err) < 0)
		rc = refuse(w, reg_dossier_file(d), reg_dossier_line(d), err, errp);
	else
		rc = emit(w, d, errp);
	reg_review_free(rv);
	return rc;
}

/* Not to be written: its serialized text goes. */
static void drop(reg_approve_result *res)
{
	free(res->xml);
	res->xml = NULL;
}

/* --all: a group of finished dossiers, in input order, recorded in ONE transaction (a commit per
 * dossier cost more than its review), each in its own savepoint so a refused one is undone
 * alone; then written — those whose text is still there.  Nothing reaches the output before its
 * records are committed.  A failure that stops the run keeps what the group recorded before it. */
static int finish_group(work *w, size_t n, reg_err **errp)
{
	reg_approve_result *g = w->group;
	int rc = 0;
	if (!w->stopped && reg_registry_begin(w->reg, errp) < 0) {
		w->stopped = true;
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		reg_err *err = NULL;
		if (w->stopped) {
			drop(&g[i]); /* neither recorded nor written */
		} else if (g[i].err) {
			rc |= refuse(w, g[i].file, g[i].line, g[i].err, errp);
			g[i].err = NULL;
		} else if (reg_registry_savepoint(w->reg, &err) < 0 ||
			   record(w, g[i].review, &g[i].outcome, &err) < 0 ||
			   reg_registry_savepoint_release(w->reg, &err) < 0) {
			reg_registry_savepoint_rollback(w->reg, NULL);
			drop(&g[i]);
			rc |= refuse(w, g[i].file, g[i].line, err, errp);
		}
	}
	if (reg_registry_in_transaction(w->reg) && reg_registry_commit(w->reg, errp) < 0) {
		w->stopped = true;
		rc = -1;
		for (size_t i = 0; i < n; i++)
			drop(&g[i]);
	}
	bool writing = true; /* until a write fails */
	for (size_t i = 0; i < n; i++) {
		if (g[i].xml && writing && emit_dump(w, &g[i], errp) < 0) {
			w->stopped = true;
			writing = false;
			rc = -1;
		}
		reg_approve_result_clear(&g[i]);
	}
	return rc;
}

/* Hand back finished dossiers: all of them, or only until there is room for one more.  The
 * oldest is waited for; whatever else is finished already joins its group. */
static int drain(work *w, bool all, reg_err **errp)
{
	int rc = 0;
	while (all ? reg_approve_queue_pending(w->queue) > 0 : reg_approve_queue_full(w->queue)) {
		size_t n = 0;
		while (n < w->group_max && reg_approve_queue_pop(w->queue, n == 0, &w->group[n]) == 1)
			n++;
		if (finish_group(w, n, errp) < 0)
			rc = -1;
	}
	return rc;
}

static int read_input(work *w, const char *name, reg_err **errp)
{
	FILE *fp = reg_cli_open_input(name, errp);
	if (!fp)
		return -1;
	reg_xml_stream *s = reg_xml_stream_new(fp, name, errp);
	xmlDoc *doc = NULL;
	long line = 0;
	int rc = s ? 0 : -1, more;
	while (s && (more = reg_xml_stream_next(s, &doc, &line, errp)) != 0) {
		if (more < 0) {
			rc = -1;
			break;
		}
		w->batch |= reg_xml_stream_is_batch(s);
		reg_dossier *d = reg_dossier_adopt(doc, name, line, errp);
		/* The registry when the first dossier is here (registry.h: pipelines). */
		if (d && !w->reg &&
		    !(w->reg = reg_registry_open_existing(reg_config_db(w->r->cfg), errp))) {
			reg_dossier_free(d);
			d = NULL;
		}
		if (!d) {
			rc = -1;
			break;
		}
		w->seen++;
		if (w->queue) {
			/* Make room first; push takes the dossier, also when it fails. */
			if (drain(w, false, errp) < 0) {
				reg_dossier_free(d);
				rc = -1;
			} else if (reg_approve_queue_push(w->queue, d, w->batch, errp) < 0) {
				rc = -1;
			}
		} else {
			rc = review_one(w, d, errp);
			reg_dossier_free(d);
		}
		if (rc < 0)
			break;
	}
	if (s && reg_xml_stream_is_batch(s))
		w->batch = true;
	reg_xml_stream_free(s);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* What the command line asks of the catalog, checked before any input is read. */
static int check_request(work *w, reg_err **errp)
{
	run *r = w->r;
	if (r->dept && !reg_catalog_find_department(w->cat, r->dept))
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "unknown department '%s' (see --list-depts)", r->dept);
	if (r->item) {
		const reg_item *it = reg_catalog_find_item(w->cat, r->item);
		if (!it)
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "unknown item '%s'",
					   r->item);
		if (strcmp(reg_item_dept(it), r->dept) != 0)
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
					   "item '%s' belongs to department '%s', not '%s'", r->item,
					   reg_item_dept(it), r->dept);
	}
	return 0;
}

static int approve(run *r, reg_err **errp)
{
	work w = {.r = r, .reviewer = r->reviewer ? r->reviewer : REG_APPROVE_REVIEWER};
	int rc = -1;

	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(w.cat = reg_catalog_load(reg_config_catalog_path(r->cfg),
				       reg_config_schema_dir(r->cfg), errp)))
		return -1;
	if (r->list) {
		rc = list_depts(w.cat);
		goto out;
	}
	if (check_request(&w, errp) < 0 || reg_config_now(r->cfg, &w.now, errp) < 0 ||
	    reg_config_offset(r->cfg, &w.offset, errp) < 0)
		goto out;
	reg_time_format(w.now, w.offset, w.time);
	if (!(w.out = reg_cli_open_output(r->output, errp)))
		goto out;
	if (r->all) {
		w.queue = reg_approve_queue_new(w.cat, r->jobs, 0, w.reviewer, w.time, w.now,
						w.offset, errp);
		if (!w.queue)
			goto out;
		w.group_max = reg_approve_queue_window(w.queue);
		if (!(w.group = calloc(w.group_max, sizeof *w.group))) {
			reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
			goto out;
		}
	} else if (!(w.rules = reg_rules_new(errp))) {
		goto out;
	}
	w.batch = r->n_inputs > 1;
	rc = 0;
	for (int i = 0; rc == 0 && (i < r->n_inputs || i == 0); i++)
		rc = read_input(&w, i < r->n_inputs ? r->inputs[i] : "-", errp);
	/* What was reviewed and recorded before a failure still reaches the output. */
	if (w.queue && drain(&w, true, errp) < 0)
		rc = -1;
	if (!w.xo && w.batch && !(w.xo = reg_xml_out_new(w.out, true)))
		rc = reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	if (w.xo && reg_xml_out_finish(w.xo, errp) < 0)
		rc = -1;
	if (rc == 0 && r->dossier && !w.found)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "dossier '%s' is not in the input",
				 r->dossier);
	if (rc == 0 && w.refused > 0)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %zu dossiers refused",
				 w.refused, w.seen);
out:
	reg_approve_queue_free(w.queue);
	free(w.group);
	reg_xml_out_free(w.xo);
	if (reg_cli_close(w.out, r->output, errp) < 0)
		rc = -1;
	reg_rules_free(w.rules);
	reg_registry_free(w.reg);
	reg_catalog_free(w.cat);
	return rc;
}

static int parse_jobs(const char *arg, unsigned *jobs)
{
	char *end = NULL;
	long n = strtol(arg, &end, 10);
	if (!*arg || *end || n < 1 || n > REG_APPROVE_MAX_THREADS)
		return -1;
	*jobs = (unsigned)n;
	return 0;
}

static unsigned cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > REG_APPROVE_MAX_THREADS ? REG_APPROVE_MAX_THREADS : (unsigned)n;
}

/* Which options go together; NULL when the command line makes sense. */
static const char *check_modes(const run *r, bool jobs_given)
{
	int modes = (r->dept != NULL) + r->all + r->list;
	bool manual_bits = r->item || r->has_verdict || r->n_reasons;
	if (modes == 0)
		return "say which department (--dept), --all or --list-depts";
	if (modes > 1)
		return "--dept, --all and --list-depts exclude each other";
	if (jobs_given && !r->all)
		return "-j goes with --all";
	if (manual_bits && !r->dossier)
		return "--item, --verdict and --reason go with --dossier";
	if (r->dossier && !r->dept)
		return "--dossier is a department's decision: give --dept";
	if (r->dossier && (!r->has_verdict || !r->n_reasons || !r->reviewer))
		return "a decision needs --verdict, --reason and --reviewer";
	if (r->list && (r->n_inputs || r->output))
		return "--list-depts reads no input";
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dept", required_argument, NULL, 'd'},
		{"all", no_argument, NULL, 'a'},
		{"jobs", required_argument, NULL, 'j'},
		{"list-depts", no_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"dossier", required_argument, NULL, OPT_DOSSIER},
		{"item", required_argument, NULL, OPT_ITEM},
		{"verdict", required_argument, NULL, OPT_VERDICT},
		{"reason", required_argument, NULL, OPT_REASON},
		{"reviewer", required_argument, NULL, OPT_REVIEWER},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	run r = {.cfg = reg_config_new(), .jobs = cores()};
	reg_err *err = NULL;
	bool jobs_given = false;
	int opt, code = 0;
	/* At most one reason per argument: argc bounds them. */
	r.reasons = calloc((size_t)argc + 1, sizeof *r.reasons);
	if (!r.cfg || !r.reasons) {
		fprintf(stderr, "%s: out of memory\n", prog);
		code = REG_EINTERNAL;
		goto out;
	}
	while ((opt = getopt_long(argc, argv, "d:aj:lo:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': r.dept = optarg; break;
		case 'a': r.all = true; break;
		case 'j':
			if (parse_jobs(optarg, &r.jobs) < 0) {
				code = reg_cli_usage_error(prog, "-j wants a number of threads from 1 to %d",
							   REG_APPROVE_MAX_THREADS);
				goto out;
			}
			jobs_given = true;
			break;
		case 'l': r.list = true; break;
		case 'o': r.output = optarg; break;
		case OPT_DOSSIER: r.dossier = optarg; break;
		case OPT_ITEM: r.item = optarg; break;
		case OPT_VERDICT:
			if (reg_verdict_parse(optarg, &r.verdict) < 0 ||
			    r.verdict == REG_VERDICT_NOT_APPLICABLE) {
				code = reg_cli_usage_error(prog, "--verdict is approved, rejected or "
							   "supplement, not '%s'", optarg);
				goto out;
			}
			r.has_verdict = true;
			break;
		case OPT_REASON: r.reasons[r.n_reasons++] = optarg; break;
		case OPT_REVIEWER: r.reviewer = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(r.cfg, opt, optarg)) {
				code = reg_cli_usage_error(prog, "unknown option");
				goto out;
			}
		}
	}
	r.inputs = argv + optind;
	r.n_inputs = argc - optind;
	const char *why = check_modes(&r, jobs_given);
	if (why) {
		code = reg_cli_usage_error(prog, "%s", why);
		goto out;
	}
	if (r.reviewer && !reg_approve_reviewer_valid(r.reviewer)) {
		code = reg_cli_usage_error(prog, "--reviewer wants a name of 1 to 64 characters on "
					   "one line");
		goto out;
	}
	if (approve(&r, &err) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	free(r.reasons);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
