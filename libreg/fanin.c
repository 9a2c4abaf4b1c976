#include "fanin.h"

#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "catalog.h"
#include "cli.h"
#include "keyring.h"
#include "ledger.h"
#include "registry.h"
#include "rules.h"
#include "strmap.h"
#include "xml.h"

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

typedef struct fanin {
	reg_config *cfg;
	const char *prog;
	input *in;
	size_t n_in;
	reg_catalog *cat;
	reg_keyring *keys;
	reg_ledger *ledger;
	reg_registry *reg;
	reg_rules *rules;
	int64_t now;
	int offset;
	reg_strmap *waiting;     /* number → entry */
	entry *head, *tail;      /* entries the first input brought, in its order */
	size_t created;
	FILE *out;
	reg_xml_out *xo;
	bool batch, batch_known;
	size_t seen, refused;
	bool stopped;
} fanin;

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

/* File a copy under its number; the first input's copies also fix the output order. */
static int gather(fanin *m, size_t from, reg_dossier *d, reg_err **errp)
{
	char *number = reg_dossier_number(d);
	if (!number || !*number) {
		free(number);
		reg_err *err = NULL;
		reg_err_set(&err, REG_ENO, reg_dossier_file(d), reg_dossier_line(d),
			    "/dossier/acceptance", "not accepted: the dossier has no acceptance number");
		reg_err_print(err, m->prog, stderr);
		reg_err_free(err);
		reg_dossier_free(d);
		m->refused++;
		m->seen++;
		reg_progress_add(reg_config_progress(m->cfg, "dossiers"), 1);
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
			return reg_err_oom(errp);
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
			return reg_err_oom(errp);
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
static bool complete(const fanin *m, const entry *e)
{
	if (e->n_inputs_seen == m->n_in)
		return true;
	for (size_t i = 0; i < m->n_in; i++)
		if (!e->seen[i] && !m->in[i].ended)
			return false;
	return true;
}

static int emit(fanin *m, reg_dossier *d, reg_err **errp)
{
	if (!m->xo && !(m->xo = reg_xml_out_new(m->out, m->batch)))
		return reg_err_oom(errp);
	return reg_xml_out_write(m->xo, reg_dossier_doc(d), errp);
}

static int refuse(fanin *m, reg_dossier *d, reg_err *err, reg_err **errp)
{
	if (reg_cli_delay(m->prog, err, reg_dossier_file(d), reg_dossier_line(d), &m->refused,
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

/* "commerce, tax" — the catalog departments whose approvals a copy carries. */
static char *depts_of(const fanin *m, reg_dossier *d)
{
	reg_approval *list = NULL;
	size_t n = 0;
	char *out = NULL;
	size_t len = 0;
	if (reg_dossier_approvals(d, &list, &n, NULL) < 0)
		return NULL;
	FILE *fp = open_memstream(&out, &len);
	for (size_t k = 0; fp && k < reg_catalog_department_count(m->cat); k++) {
		const char *id = reg_department_id(reg_catalog_department(m->cat, k));
		bool has = false;
		for (size_t i = 0; i < n && !has; i++)
			has = list[i].dept && strcmp(list[i].dept, id) == 0;
		if (has)
			fprintf(fp, "%s%s", ftell(fp) ? ", " : "", id);
	}
	reg_approval_list_free(list, n);
	if (!fp || fclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * The copy to carry the result: one on the registry's current body (the first such), or else
 * the registry's own copy of that body, put in front.  Every copy must be on a body version the
 * registry holds.
 */
static reg_dossier *base_of(fanin *m, entry *e, const reg_ledger_record *rec, reg_err **errp)
{
	const reg_registry_dossier *row = reg_ledger_row(rec);
	reg_err *problems = NULL;
	size_t base = SIZE_MAX;
	for (size_t i = 0; i < e->n; i++) {
		char digest[65];
		if (reg_dossier_body_digest(e->copies[i], digest, errp) < 0)
			goto fail;
		if (strcmp(digest, row->body_digest) == 0) {
			if (base == SIZE_MAX)
				base = i;
		} else if (!reg_ledger_holds_body(rec, digest, NULL)) {
			char *depts = depts_of(m, e->copies[i]);
			reg_err_add(&problems, REG_ENO, reg_dossier_file(e->copies[i]),
				    reg_dossier_line(e->copies[i]), "/dossier",
				    "body differs from every version the registry holds for dossier "
				    "'%s' (changed after review): departments %s",
				    e->number, depts && *depts ? depts : "(none)");
			free(depts);
		}
	}
	if (problems) {
		reg_err_append(errp, &problems);
		return NULL;
	}
	if (base != SIZE_MAX) {
		reg_dossier *b = e->copies[base];
		memmove(e->copies + 1, e->copies, base * sizeof *e->copies);
		memmove(e->from + 1, e->from, base * sizeof *e->from);
		e->copies[0] = b;
		return b;
	}
	/* No copy is on the current body (a supplement came after the reviews): the registry's. */
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), reg_registry_path(m->reg),
					   errp);
	reg_dossier *own = doc ? reg_dossier_adopt(doc, reg_dossier_file(e->copies[0]),
						   reg_dossier_line(e->copies[0]), errp)
			       : NULL;
	if (!own)
		return NULL;
	if (e->n == e->cap) {
		reg_dossier **copies = realloc(e->copies, (e->cap + 1) * sizeof *copies);
		size_t *from = copies ? realloc(e->from, (e->cap + 1) * sizeof *from) : NULL;
		if (copies)
			e->copies = copies;
		if (!from) {
			reg_dossier_free(own);
			reg_err_oom(errp);
			return NULL;
		}
		e->from = from;
		e->cap++;
	}
	memmove(e->copies + 1, e->copies, e->n * sizeof *e->copies);
	memmove(e->from + 1, e->from, e->n * sizeof *e->from);
	e->copies[0] = own;
	e->from[0] = 0;
	e->n++;
	return own;
fail:
	reg_err_free(problems);
	return NULL;
}

/* One dossier through the ledger, in its own transaction; the view is in the returned copy. */
static reg_dossier *settle(fanin *m, entry *e, reg_err **errp)
{
	reg_ledger_record *rec = NULL;
	reg_approval *list = NULL;
	size_t n = 0, added = 0;
	bool *applies = calloc(reg_catalog_item_count(m->cat) + 1, sizeof *applies);
	reg_assessment as = {0};
	reg_dossier *base = NULL;
	if (!applies) {
		reg_err_oom(errp);
		return NULL;
	}
	if (reg_registry_begin(m->reg, errp) < 0)
		goto fail;
	if (!(rec = reg_ledger_read(m->ledger, m->reg, e->number, true, errp)))
		goto fail;
	if (reg_ledger_state(rec) == REG_STATE_ISSUED) {
		reg_err_set(errp, REG_ENO, NULL, 0, "/dossier/issuance",
			    "dossier '%s' is already issued", e->number);
		goto fail;
	}
	if (!(base = base_of(m, e, rec, errp)))
		goto fail;
	/* Each copy's verdicts in turn, each problem at its own file and line; what one copy
	 * recorded, the next finds recorded (the union is the record). */
	for (size_t i = 0; i < e->n; i++) {
		size_t got = 0;
		reg_err *problems = NULL;
		int admitted = reg_dossier_approvals(e->copies[i], &list, &n, &problems) < 0
				       ? -1
				       : reg_ledger_admit(m->ledger, m->reg, rec, list, n, NULL, &got,
							  &problems);
		reg_approval_list_free(list, n);
		list = NULL, n = 0;
		added += got;
		if (admitted < 0) {
			reg_err_locate(problems, reg_dossier_file(e->copies[i]), 0);
			reg_err_append(errp, &problems);
			goto fail;
		}
	}
	if (reg_rules_bind(m->rules, base, m->now, m->offset, errp) < 0 ||
	    reg_applicable_items(m->cat, m->rules, base, applies, errp) < 0 ||
	    reg_ledger_assess(m->ledger, rec, applies, &as, errp) < 0 ||
	    reg_ledger_settle(m->ledger, m->reg, rec, &as, m->now, added > 0, NULL, errp) < 0 ||
	    reg_ledger_write_view(m->ledger, rec, &as, base, errp) < 0 ||
	    reg_registry_commit(m->reg, errp) < 0)
		goto fail;
	goto out;
fail:
	reg_registry_rollback(m->reg, NULL);
	base = NULL;
out:
	reg_assessment_clear(&as);
	reg_approval_list_free(list, n);
	reg_ledger_record_free(rec);
	free(applies);
	return base;
}

/* Merge, record and write one dossier; the entry leaves the map and is freed. */
static int finish(fanin *m, entry *e, reg_err **errp)
{
	reg_err *err = NULL;
	int rc = 0;
	reg_strmap_remove(m->waiting, e->number);
	m->seen++;
	reg_progress_add(reg_config_progress(m->cfg, "dossiers"), 1);
	if (m->stopped)
		goto out;
	order_copies(e);
	reg_dossier *where = e->copies[0];
	reg_dossier *merged = settle(m, e, &err);
	if (!merged) {
		rc = refuse(m, where, err, errp); /* still one of the copies, wherever it moved */
		goto out;
	}
	if ((rc = emit(m, merged, errp)) < 0)
		m->stopped = true;
out:
	entry_free(e);
	return rc;
}

/* Write what can be written now: the first input's dossiers, in its order, once complete. */
static int flush_ready(fanin *m, reg_err **errp)
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

/* The entries still waiting, in the order they were created (NULL when none; caller frees). */
static entry **waiting_entries(fanin *m, size_t *n, reg_err **errp)
{
	*n = reg_strmap_size(m->waiting);
	if (*n == 0)
		return NULL;
	entry **all = calloc(*n, sizeof *all), **cursor = all;
	if (!all) {
		reg_err_oom(errp);
		return NULL;
	}
	reg_strmap_each(m->waiting, collect, &cursor);
	qsort(all, *n, sizeof *all, cmp_seq);
	return all;
}

/* At the end: the first input's dossiers still incomplete, then those it never had. */
static int flush_rest(fanin *m, reg_err **errp)
{
	int rc = 0;
	while (m->head) {
		entry *e = m->head;
		m->head = e->next;
		if (finish(m, e, errp) < 0)
			rc = -1;
	}
	m->tail = NULL;
	size_t n = 0;
	entry **all = waiting_entries(m, &n, errp);
	if (n && !all)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (finish(m, all[i], errp) < 0)
			rc = -1;
	free(all);
	return rc;
}

/* One round: the next dossier of every input that has not ended. */
static int round_robin(fanin *m, bool *any, reg_err **errp)
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
		m->batch |= reg_xml_stream_is_batch(in->s);
		if (more == 0) {
			in->ended = true;
			continue;
		}
		*any = true;
		reg_dossier *d = reg_dossier_adopt(doc, in->name, line, errp);
		if (!d)
			return -1;
		/* The registry when the first dossier is here (registry.h: pipelines). */
		if (!m->reg &&
		    !(m->reg = reg_registry_open_existing(reg_config_db(m->cfg), errp))) {
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

static void fanin_clear(fanin *m)
{
	while (m->head) {
		entry *e = m->head;
		m->head = e->next;
		reg_strmap_remove(m->waiting, e->number);
		entry_free(e);
	}
	if (m->waiting) {
		size_t n = 0;
		entry **all = waiting_entries(m, &n, NULL);
		for (size_t i = 0; all && i < n; i++)
			entry_free(all[i]);
		free(all);
		reg_strmap_free(m->waiting);
	}
	reg_xml_out_free(m->xo);
	for (size_t i = 0; m->in && i < m->n_in; i++) {
		reg_xml_stream_free(m->in[i].s);
		if (m->in[i].fp && m->in[i].fp != stdin)
			fclose(m->in[i].fp);
	}
	free(m->in);
	reg_registry_free(m->reg);
	reg_ledger_free(m->ledger);
	reg_keyring_free(m->keys);
	reg_rules_free(m->rules);
	reg_catalog_free(m->cat);
}

int reg_fanin_run(reg_config *cfg, char *const *inputs, size_t n_inputs, const char *output,
		  const char *prog, reg_err **errp)
{
	fanin m = {.cfg = cfg, .prog = prog, .n_in = n_inputs ? n_inputs : 1};
	const reg_authority *auth = NULL;
	int rc = -1;
	for (size_t i = 0; i < n_inputs; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(inputs[i], "-") == 0 && strcmp(inputs[j], "-") == 0)
				return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
						   "standard input can be read only once");
	if (!(m.in = calloc(m.n_in, sizeof *m.in)) || !(m.waiting = reg_strmap_new())) {
		reg_err_oom(errp);
		goto out;
	}
	if (!(m.cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				       errp)) ||
	    reg_config_now(cfg, &m.now, errp) < 0 || reg_config_offset(cfg, &m.offset, errp) < 0 ||
	    !(auth = reg_config_authority(cfg, errp)) || !(m.keys = reg_keyring_new(auth, errp)) ||
	    !(m.ledger = reg_ledger_new(m.cat, m.keys, m.offset, errp)) ||
	    !(m.rules = reg_rules_new(errp)))
		goto out;
	/* Open every input before writing anything: a missing one changes nothing. */
	for (size_t i = 0; i < m.n_in; i++) {
		input *in = &m.in[i];
		in->name = n_inputs ? inputs[i] : "-";
		if (!(in->fp = reg_cli_open_input(in->name, errp)) ||
		    !(in->s = reg_xml_stream_new(in->fp, in->name, errp)))
			goto out;
	}
	/* How much is read says how far the run is only when there is one input. */
	reg_progress_watch(reg_config_progress(cfg, "dossiers"), m.n_in == 1 ? m.in[0].fp : NULL);
	if (!(m.out = reg_cli_open_output(output, errp)))
		goto out;
	rc = 0;
	for (bool any = true; any && rc == 0;)
		if (round_robin(&m, &any, errp) < 0 || flush_ready(&m, errp) < 0)
			rc = -1;
	/* A broken input stops the run: the dossiers still waiting are not merged from part of
	 * their copies, but what was written stays, in a well-formed batch. */
	if (rc == 0 && flush_rest(&m, errp) < 0)
		rc = -1;
	if (!m.xo && m.batch && !(m.xo = reg_xml_out_new(m.out, true)))
		rc = reg_err_oom(errp);
	if (m.xo && reg_xml_out_finish(m.xo, errp) < 0)
		rc = -1;
	if (rc == 0 && m.refused > 0)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %zu dossiers refused",
				 m.refused, m.seen);
out:
	if (m.out && reg_cli_close(m.out, output, errp) < 0)
		rc = -1;
	fanin_clear(&m);
	return rc;
}
