/*
 * reg-merge — the fan-in of parallel approval: the copies of each dossier coming from several
 * department streams become one dossier with every verdict and its state set.
 *
 * Inputs are read round-robin, one dossier from each per round.  Streams in the same order
 * (the usual fan-out of one reg-apply output) bring the copies of a dossier in the same round:
 * it is merged and written at once, and memory stays flat.  Otherwise copies wait, keyed by
 * acceptance number, until every input has brought one or has ended.  Output follows the
 * first input's order; dossiers it never had come last, in the order they first arrived.
 */
#include <stdlib.h>
#include <string.h>

#include "approve.h"
#include "catalog.h"
#include "cli.h"
#include "merge.h"
#include "registry.h"
#include "strmap.h"
#include "xml.h"

static const char prog[] = "reg-merge";

static void usage(void)
{
	printf("usage: %s [options] [FILE...]\n"
	       "Merge the approvals of the same dossiers coming from several department streams\n"
	       "(reg-approve --dept) and set each dossier's state: approved, rejected or pending\n"
	       "with what is outstanding.  FILE is a dossier or a batch; none or '-' reads\n"
	       "standard input.\n\n"
	       "  -o, --output FILE     write the merged dossiers to FILE instead of standard output\n\n"
	       "%s\n"
	       "Exit status: 0 all merged, 1 some dossiers refused (the others go on), 64 usage,\n"
	       "65 input not XML dossiers, 66 input missing, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n",
	       prog, reg_cli_config_help);
}

typedef struct run {
	reg_config *cfg;
	const char *output;
	char **inputs;
	size_t n_inputs;
} run;

typedef struct input {
	const char *name;
	FILE *fp;
	reg_xml_stream *s;
	bool ended;
} input;

/* The copies of one dossier gathered so far. */
typedef struct entry {
	char *number;
	reg_dossier **copies;
	size_t *from;            /* input index of each copy */
	size_t n, cap;
	size_t n_inputs_seen;
	bool *seen;              /* per input */
	size_t seq;              /* order of creation */
	struct entry *next;      /* in the first input's order */
} entry;

typedef struct merger {
	run *r;
	input *in;
	size_t n_in;
	reg_catalog *cat;
	reg_registry *reg;
	reg_rules *rules;
	reg_merge_opts opts;
	reg_strmap *waiting;     /* number → entry */
	entry *head, *tail;      /* entries the first input brought, in its order */
	size_t created;
	FILE *out;
	reg_xml_out *xo;
	bool batch, batch_known;
	size_t seen, refused;
	bool stopped;
} merger;

static void entry_free(entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		reg_dossier_free(e->copies[i]);
	free(e->copies);
	free(e->from);
	free(e->seen);
	free(e->number);
	free(e);
}

static int oom(reg_err **errp)
{
	return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
}

/* File a copy under its number; the first input's copies also fix the output order. */
static int gather(merger *m, size_t from, reg_dossier *d, reg_err **errp)
{
	char *number = reg_dossier_number(d);
	if (!number || !*number) {
		free(number);
		reg_err *err = NULL;
		reg_err_set(&err, REG_ENO, reg_dossier_file(d), reg_dossier_line(d),
			    "/dossier/acceptance", "not accepted: the dossier has no acceptance number");
		reg_err_print(err, prog, stderr);
		reg_err_free(err);
		reg_dossier_free(d);
		m->refused++;
		m->seen++;
		return 0;
	}
	void *found = NULL;
	entry *e = reg_strmap_get(m->waiting, number, &found) ? found : NULL;
	if (!e) {
		if (!(e = calloc(1, sizeof *e)) || !(e->seen = calloc(m->n_in, sizeof *e->seen)) ||
		    reg_strmap_put(m->waiting, number, e) < 0) {
			if (e)
				free(e->seen);
			free(e);
			free(number);
			reg_dossier_free(d);
			return oom(errp);
		}
		e->number = number;
		e->seq = m->created++;
		number = NULL;
	}
	free(number);
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : m->n_in;
		reg_dossier **copies = realloc(e->copies, cap * sizeof *copies);
		if (copies)
			e->copies = copies;
		size_t *fromv = copies ? realloc(e->from, cap * sizeof *fromv) : NULL;
		if (!fromv) {
			reg_dossier_free(d);
			return oom(errp);
		}
		e->from = fromv;
		e->cap = cap;
	}
	e->copies[e->n] = d;
	e->from[e->n++] = from;
	if (!e->seen[from]) {
		e->seen[from] = true;
		e->n_inputs_seen++;
		if (from == 0) {
			if (m->tail)
				m->tail->next = e;
			else
				m->head = e;
			m->tail = e;
		}
	}
	return 0;
}

/* Every input has brought its copy or has ended: nothing more can come for it. */
static bool complete(const merger *m, const entry *e)
{
	if (e->n_inputs_seen == m->n_in)
		return true;
	for (size_t i = 0; i < m->n_in; i++)
		if (!e->seen[i] && !m->in[i].ended)
			return false;
	return true;
}

static int emit(merger *m, reg_dossier *d, reg_err **errp)
{
	if (!m->xo && !(m->xo = reg_xml_out_new(m->out, m->batch)))
		return oom(errp);
	return reg_xml_out_write(m->xo, reg_dossier_doc(d), errp);
}

static int refuse(merger *m, reg_dossier *d, reg_err *err, reg_err **errp)
{
	if (reg_cli_delay(prog, err, reg_dossier_file(d), reg_dossier_line(d), &m->refused,
			  errp) == 0)
		return 0;
	m->stopped = true;
	return -1;
}

/* Copies in input order (a stable sort: two copies from one input keep their order). */
static void order_copies(entry *e)
{
	for (size_t i = 1; i < e->n; i++) {
		reg_dossier *d = e->copies[i];
		size_t f = e->from[i], j = i;
		for (; j > 0 && e->from[j - 1] > f; j--) {
			e->copies[j] = e->copies[j - 1];
			e->from[j] = e->from[j - 1];
		}
		e->copies[j] = d;
		e->from[j] = f;
	}
}

/* Merge, record and write one dossier; the entry leaves the map and is freed. */
static int finish(merger *m, entry *e, reg_err **errp)
{
	reg_err *err = NULL;
	char digest[65];
	int rc = 0;
	reg_strmap_remove(m->waiting, e->number);
	m->seen++;
	if (m->stopped)
		goto out;
	order_copies(e);
	reg_dossier *merged = e->copies[0];
	if (reg_merge(&m->opts, e->copies, e->n, digest, &err) < 0) {
		rc = refuse(m, merged, err, errp);
		goto out;
	}
	if (reg_registry_begin(m->reg, &err) < 0 ||
	    reg_approve_registered(m->reg, e->number, digest, &err) < 0 ||
	    reg_merge_record(m->reg, merged, m->opts.now, &err) < 0 ||
	    reg_registry_commit(m->reg, &err) < 0) {
		reg_registry_rollback(m->reg, NULL);
		rc = refuse(m, merged, err, errp);
		goto out;
	}
	rc = emit(m, merged, errp);
	if (rc < 0)
		m->stopped = true;
out:
	entry_free(e);
	return rc;
}

/* Write what can be written now: the first input's dossiers, in its order, once complete. */
static int flush_ready(merger *m, reg_err **errp)
{
	while (m->head && complete(m, m->head)) {
		entry *e = m->head;
		m->head = e->next;
		if (!m->head)
			m->tail = NULL;
		if (finish(m, e, errp) < 0)
			return -1;
	}
	return 0;
}

static int collect(const char *key, void *value, void *ctx)
{
	(void)key;
	entry ***list = ctx;
	*(*list)++ = value;
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* At the end: the first input's dossiers still incomplete, then those it never had. */
static int flush_rest(merger *m, reg_err **errp)
{
	int rc = 0;
	while (m->head) {
		entry *e = m->head;
		m->head = e->next;
		if (finish(m, e, errp) < 0)
			rc = -1;
	}
	m->tail = NULL;
	size_t n = reg_strmap_size(m->waiting);
	if (n == 0)
		return rc;
	entry **all = calloc(n, sizeof *all), **cursor = all;
	if (!all)
		return oom(errp);
	reg_strmap_each(m->waiting, collect, &cursor);
	qsort(all, n, sizeof *all, cmp_seq);
	for (size_t i = 0; i < n; i++)
		if (finish(m, all[i], errp) < 0)
			rc = -1;
	free(all);
	return rc;
}

/* One round: the next dossier of every input that has not ended. */
static int round_robin(merger *m, bool *any, reg_err **errp)
{
	*any = false;
	for (size_t i = 0; i < m->n_in; i++) {
		input *in = &m->in[i];
		xmlDoc *doc = NULL;
		long line = 0;
		if (in->ended)
			continue;
		int more = reg_xml_stream_next(in->s, &doc, &line, errp);
		if (more < 0)
			return -1;
		if (more == 0) {
			in->ended = true;
			m->batch |= reg_xml_stream_is_batch(in->s);
			continue;
		}
		*any = true;
		m->batch |= reg_xml_stream_is_batch(in->s);
		reg_dossier *d = reg_dossier_adopt(doc, in->name, line, errp);
		if (!d)
			return -1;
		/* The registry when the first dossier is here (registry.h: pipelines). */
		if (!m->reg &&
		    !(m->reg = reg_registry_open_existing(reg_config_db(m->r->cfg), errp))) {
			reg_dossier_free(d);
			return -1;
		}
		if (gather(m, i, d, errp) < 0)
			return -1;
	}
	/* After the first round every input has said whether it is a batch; inputs that are not
	 * hold one dossier each, all read now: one output dossier unless they differ. */
	if (!m->batch_known) {
		m->batch |= reg_strmap_size(m->waiting) > 1;
		m->batch_known = true;
	}
	return 0;
}

static int merge_all(run *r, reg_err **errp)
{
	merger m = {.r = r, .n_in = r->n_inputs ? r->n_inputs : 1};
	int rc = -1;
	int64_t now = 0;
	int offset = 0;

	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(m.in = calloc(m.n_in, sizeof *m.in)) || !(m.waiting = reg_strmap_new())) {
		oom(errp);
		goto out;
	}
	if (!(m.cat = reg_catalog_load(reg_config_catalog_path(r->cfg),
				       reg_config_schema_dir(r->cfg), errp)) ||
	    reg_config_now(r->cfg, &now, errp) < 0 || reg_config_offset(r->cfg, &offset, errp) < 0 ||
	    !(m.rules = reg_rules_new(errp)))
		goto out;
	/* Open every input before writing anything: a missing one changes nothing. */
	for (size_t i = 0; i < m.n_in; i++) {
		input *in = &m.in[i];
		in->name = r->n_inputs ? r->inputs[i] : "-";
		if (!(in->fp = reg_cli_open_input(in->name, errp)) ||
		    !(in->s = reg_xml_stream_new(in->fp, in->name, errp)))
			goto out;
	}
	if (!(m.out = reg_cli_open_output(r->output, errp)))
		goto out;
	m.opts = (reg_merge_opts){.catalog = m.cat, .rules = m.rules, .now = now,
				  .offset_min = offset};
	rc = 0;
	for (bool any = true; any && rc == 0;)
		if (round_robin(&m, &any, errp) < 0 || flush_ready(&m, errp) < 0)
			rc = -1;
	/* A broken input stops the run: the dossiers still waiting are not merged from part of
	 * their copies, but what was written stays, in a well-formed batch. */
	if (rc == 0 && flush_rest(&m, errp) < 0)
		rc = -1;
	if (!m.xo && m.batch && !(m.xo = reg_xml_out_new(m.out, true)))
		rc = oom(errp);
	if (m.xo && reg_xml_out_finish(m.xo, errp) < 0)
		rc = -1;
	if (rc == 0 && m.refused > 0)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %zu dossiers refused",
				 m.refused, m.seen);
out:
	while (m.head) {
		entry *e = m.head;
		m.head = e->next;
		reg_strmap_remove(m.waiting, e->number);
		entry_free(e);
	}
	if (m.waiting) {
		size_t n = reg_strmap_size(m.waiting);
		entry **all = n ? calloc(n, sizeof *all) : NULL, **cursor = all;
		if (all) {
			reg_strmap_each(m.waiting, collect, &cursor);
			for (size_t i = 0; i < n; i++)
				entry_free(all[i]);
		}
		free(all);
		reg_strmap_free(m.waiting);
	}
	reg_xml_out_free(m.xo);
	if (m.out && reg_cli_close(m.out, r->output, errp) < 0)
		rc = -1;
	for (size_t i = 0; m.in && i < m.n_in; i++) {
		reg_xml_stream_free(m.in[i].s);
		if (m.in[i].fp && m.in[i].fp != stdin)
			fclose(m.in[i].fp);
	}
	free(m.in);
	reg_registry_free(m.reg);
	reg_rules_free(m.rules);
	reg_catalog_free(m.cat);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	run r = {.cfg = reg_config_new()};
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': r.output = optarg; break;
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
	r.n_inputs = (size_t)(argc - optind);
	for (size_t i = 0; i < r.n_inputs; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(r.inputs[i], r.inputs[j]) == 0 && strcmp(r.inputs[i], "-") == 0) {
				code = reg_cli_usage_error(prog, "standard input can be read only once");
				goto out;
			}
	if (merge_all(&r, &err) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
