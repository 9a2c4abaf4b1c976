#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "i18n.h"
#include "verdict.h"
#include "hex.h"
#include "xml.h"

static const char approval_field[] = "/dossier/approvals/approval";

static int cmp_opt(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

int reg_approval_view_cmp(const reg_approval *a, int number_a, int64_t at_a,
			  const reg_approval *b, int number_b, int64_t at_b)
{
	int c;
	if (number_a != number_b)
		return number_a < number_b ? -1 : 1;
	if (at_a != at_b)
		return at_a < at_b ? -1 : 1;
	if ((c = cmp_opt(a->dept, b->dept)) || (c = cmp_opt(a->time, b->time)))
		return c;
	if (a->verdict != b->verdict)
		return a->verdict < b->verdict ? -1 : 1;
	if ((c = cmp_opt(a->reviewer, b->reviewer)) || (c = cmp_opt(a->digest, b->digest)))
		return c;
	if (a->n_reasons != b->n_reasons)
		return a->n_reasons < b->n_reasons ? -1 : 1;
	for (size_t i = 0; i < a->n_reasons; i++)
		if ((c = cmp_opt(a->reasons[i], b->reasons[i])))
			return c;
	return cmp_opt(a->signature, b->signature);
}

/* ---------------------------------------------------------------------------------------------
 * Counting
 */

const char *reg_item_status_name(reg_item_status s)
{
	static const char *const names[] = {
		[REG_ITEM_NOT_APPLICABLE] = "not-applicable", [REG_ITEM_NO_ANSWER] = "no-answer",
		[REG_ITEM_SUPPLEMENT] = "supplement", [REG_ITEM_APPROVED] = "approved",
		[REG_ITEM_REJECTED] = "rejected", [REG_ITEM_REFUSED] = "refused",
	};
	return names[s];
}

void reg_assessment_clear(reg_assessment *as)
{
	if (!as)
		return;
	free(as->status);
	free(as->in_force);
	*as = (reg_assessment){0};
}

int reg_assess(const reg_catalog *cat, const bool *applies, const reg_approval *list, size_t n,
	       const bool *counts, int offset_min, reg_assessment *out, reg_err **errp)
{
	size_t n_items = reg_catalog_item_count(cat);
	int64_t *best_at = calloc(n_items + 1, sizeof *best_at);
	*out = (reg_assessment){.n_items = n_items};
	out->status = calloc(n_items + 1, sizeof *out->status);
	out->in_force = calloc(n_items + 1, sizeof *out->in_force);
	if (!best_at || !out->status || !out->in_force) {
		free(best_at);
		reg_assessment_clear(out);
		return reg_err_oom(errp);
	}
	for (size_t i = 0; i < n_items; i++)
		out->in_force[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const reg_approval *a = &list[i];
		const reg_item *it = a->item ? reg_catalog_find_item(cat, a->item) : NULL;
		int64_t at = 0;
		if (!it || a->verdict == REG_VERDICT_NOT_APPLICABLE ||
		    (counts ? !counts[i] : !a->signature) ||
		    reg_time_parse(a->time, offset_min, &at, NULL, NULL) < 0)
			continue;
		size_t k = (size_t)reg_item_number(it) - 1;
		/* The latest by time; among equal times the later in the list (recorded later). */
		if (out->in_force[k] < 0 || at >= best_at[k]) {
			out->in_force[k] = (long)i;
			best_at[k] = at;
		}
	}
	bool rejected = false, waiting = false;
	for (size_t k = 0; k < n_items; k++) {
		const reg_item *it = reg_catalog_item(cat, k);
		reg_item_status s;
		if (!applies[k])
			s = REG_ITEM_NOT_APPLICABLE;
		else if (out->in_force[k] < 0)
			s = REG_ITEM_NO_ANSWER;
		else
			switch (list[out->in_force[k]].verdict) {
			case REG_VERDICT_APPROVED: s = REG_ITEM_APPROVED; break;
			case REG_VERDICT_SUPPLEMENT: s = REG_ITEM_SUPPLEMENT; break;
			default:
				s = reg_item_rejection_blocks(it) ? REG_ITEM_REJECTED : REG_ITEM_REFUSED;
			}
		out->status[k] = s;
		rejected |= s == REG_ITEM_REJECTED;
		waiting |= s == REG_ITEM_NO_ANSWER || s == REG_ITEM_SUPPLEMENT;
	}
	out->state = rejected ? REG_STATE_REJECTED : waiting ? REG_STATE_PENDING : REG_STATE_APPROVED;
	free(best_at);
	return 0;
}

char *reg_assessment_detail(const reg_catalog *cat, const reg_assessment *as)
{
	char *detail = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&detail, &len);
	if (!fp)
		return NULL;
	const char *sep = " ";
	if (as->state == REG_STATE_REJECTED) {
		fputs("rejected:", fp);
		for (size_t k = 0; k < as->n_items; k++)
			if (as->status[k] == REG_ITEM_REJECTED)
				fprintf(fp, "%s%s", sep, reg_item_id(reg_catalog_item(cat, k))), sep = ", ";
	} else if (as->state == REG_STATE_PENDING) {
		fputs("waiting:", fp);
		for (size_t k = 0; k < as->n_items; k++) {
			reg_item_status s = as->status[k];
			if (s != REG_ITEM_NO_ANSWER && s != REG_ITEM_SUPPLEMENT)
				continue;
			const reg_item *it = reg_catalog_item(cat, k);
			fprintf(fp, "%s%s (%s, %s)", sep, reg_item_id(it), reg_item_dept(it),
				reg_item_status_name(s));
			sep = ", ";
		}
	} else {
		fputs("every applicable item approved", fp);
	}
	sep = "; refused: ";
	for (size_t k = 0; as->state != REG_STATE_REJECTED && k < as->n_items; k++)
		if (as->status[k] == REG_ITEM_REFUSED)
			fprintf(fp, "%s%s", sep, reg_item_id(reg_catalog_item(cat, k))), sep = ", ";
	if (fclose(fp) != 0) {
		free(detail);
		return NULL;
	}
	return detail;
}

/* <outstanding> for a pending state, none otherwise; then the state. */
static int write_state(const reg_catalog *cat, const reg_assessment *as, reg_state state,
		       reg_dossier *d, reg_err **errp)
{
	reg_dossier_drop_section(d, "outstanding");
	xmlNode *outstanding = NULL;
	for (size_t k = 0; state == REG_STATE_PENDING && k < as->n_items; k++) {
		reg_item_status s = as->status[k];
		if (s != REG_ITEM_NO_ANSWER && s != REG_ITEM_SUPPLEMENT)
			continue;
		const reg_item *it = reg_catalog_item(cat, k);
		if (!outstanding && !(outstanding = reg_dossier_section(d, "outstanding", true)))
			return reg_err_oom(errp);
		xmlNode *w = xmlNewChild(outstanding, outstanding->ns, BAD_CAST "wait", NULL);
		if (!w)
			return reg_err_oom(errp);
		xmlSetProp(w, BAD_CAST "item", BAD_CAST reg_item_id(it));
		xmlSetProp(w, BAD_CAST "dept", BAD_CAST reg_item_dept(it));
		xmlSetProp(w, BAD_CAST "why", BAD_CAST reg_item_status_name(s));
	}
	reg_dossier_set_state(d, state);
	return 0;
}

int reg_assessment_write(const reg_catalog *cat, const reg_assessment *as, reg_dossier *d,
			 reg_err **errp)
{
	return write_state(cat, as, as->state, d, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Body facts
 */

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int reg_ledger_body_facts(const reg_dossier *d, char enterprise_digest[65], char **materials,
			  reg_err **errp)
{
	unsigned char md[32];
	xmlNode *enterprise = reg_dossier_node(d, "enterprise");
	*materials = NULL;
	if (!enterprise)
		return reg_err_set(errp, REG_EINTERNAL, reg_dossier_file(d), reg_dossier_line(d),
				   "/dossier/enterprise", "a dossier without its enterprise");
	if (reg_xml_c14n_sha256(reg_dossier_doc(d), enterprise, md, errp) < 0)
		return -1;
	reg_hex(md, sizeof md, enterprise_digest);
	size_t n = 0, cap = 0;
	char **lines = NULL;
	int rc = -1;
	reg_xml_for_each_child(m, reg_dossier_node(d, "materials"), REG_NS_DOSSIER, "material") {
		char *type = reg_xml_attr(m, "type"), *sha = reg_xml_attr(m, "sha256"), *line = NULL;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **grown = realloc(lines, cap * sizeof *grown);
			if (!grown) {
				free(type), free(sha);
				goto out;
			}
			lines = grown;
		}
		int made = asprintf(&line, "%s %s", type ? type : "", sha ? sha : "sighted");
		free(type), free(sha);
		if (made < 0)
			goto out;
		lines[n++] = line;
	}
	if (n)
		qsort(lines, n, sizeof *lines, cmp_line);
	size_t len = 0;
	FILE *fp = open_memstream(materials, &len);
	if (!fp)
		goto out;
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? "\n" : "", lines[i]);
	rc = fclose(fp) == 0 ? 0 : -1;
out:
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (rc < 0) {
		free(*materials);
		*materials = NULL;
		reg_err_oom(errp);
	}
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The record
 */

struct reg_ledger {
	const reg_catalog *cat;
	const reg_keyring *keys;
	int offset;
};

reg_ledger *reg_ledger_new(const reg_catalog *cat, const reg_keyring *keys, int offset_min,
			   reg_err **errp)
{
	reg_ledger *l = calloc(1, sizeof *l);
	if (!l) {
		reg_err_oom(errp);
		return NULL;
	}
	*l = (reg_ledger){.cat = cat, .keys = keys, .offset = offset_min};
	return l;
}

void reg_ledger_free(reg_ledger *l)
{
	free(l);
}

/* One recorded verdict with what ordering and counting need. */
typedef struct verdict {
	reg_approval a;       /* strings owned */
	int number;           /* the item's catalog number, 0 when the catalog lacks it */
	int64_t at;
} verdict;

struct reg_ledger_record {
	const reg_ledger *l;
	reg_registry_dossier row;
	reg_state state;
	reg_registry_body *versions;   /* oldest first; bodies left out, but for the current */
	size_t n_versions;
	verdict *verdicts;
	size_t n, cap;
	reg_approval *view;            /* the verdicts' approvals, contiguous, in order */
};

static void verdict_clear(verdict *v)
{
	reg_approval_clear(&v->a);
}

void reg_ledger_record_free(reg_ledger_record *rec)
{
	if (!rec)
		return;
	reg_registry_dossier_clear(&rec->row);
	for (size_t i = 0; i < rec->n_versions; i++)
		reg_registry_body_clear(&rec->versions[i]);
	free(rec->versions);
	for (size_t i = 0; i < rec->n; i++)
		verdict_clear(&rec->verdicts[i]);
	free(rec->verdicts);
	free(rec->view);
	free(rec);
}

static int cmp_verdict(const void *pa, const void *pb)
{
	const verdict *x = pa, *y = pb;
	return reg_approval_view_cmp(&x->a, x->number ? x->number : 1 << 30, x->at, &y->a,
				     y->number ? y->number : 1 << 30, y->at);
}

/* Sort the verdicts and lay their approvals out contiguously for callers. */
static int order(reg_ledger_record *rec)
{
	if (rec->n)
		qsort(rec->verdicts, rec->n, sizeof *rec->verdicts, cmp_verdict);
	free(rec->view);
	if (!(rec->view = calloc(rec->n ? rec->n : 1, sizeof *rec->view)))
		return -1;
	for (size_t i = 0; i < rec->n; i++)
		rec->view[i] = rec->verdicts[i].a; /* shallow: the strings stay the verdicts' */
	return 0;
}

static verdict *grow(reg_ledger_record *rec)
{
	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? 2 * rec->cap : 16;
		verdict *grown = realloc(rec->verdicts, cap * sizeof *grown);
		if (!grown)
			return NULL;
		rec->verdicts = grown;
		rec->cap = cap;
	}
	verdict *v = &rec->verdicts[rec->n++];
	memset(v, 0, sizeof *v);
	return v;
}

/* "reason\nreason" as the registry keeps them (escaped each) → an array. */
static int split_reasons(const char *text, reg_approval *a)
{
	if (!text || !*text)
		return 0;
	size_t n = 1;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	if (!(a->reasons = calloc(n, sizeof *a->reasons)))
		return -1;
	for (const char *p = text;;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!(a->reasons[a->n_reasons] = reg_statement_unescape(p, len)))
			return -1;
		a->n_reasons++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int dup_into(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

typedef struct read_ctx {
	reg_ledger_record *rec;
	bool failed;
} read_ctx;

static int read_verdict(const reg_registry_approval *row, void *p)
{
	read_ctx *c = p;
	reg_ledger_record *rec = c->rec;
	verdict *v = grow(rec);
	reg_verdict kind;
	if (!v || reg_verdict_parse(row->verdict, &kind) < 0) {
		if (v)
			rec->n--;
		c->failed = true;
		return -1;
	}
	const reg_item *it = reg_catalog_find_item(rec->l->cat, row->item);
	v->number = it ? reg_item_number(it) : 0;
	v->at = row->at;
	v->a.verdict = kind;
	char when[REG_TIME_ISO_MAX];
	const char *time = row->time;
	if (!time) {
		/* A row from before schema 2: its time as the approval would have written it. */
		reg_time_format(row->at, rec->l->offset, when);
		time = when;
	}
	if (dup_into(&v->a.item, row->item) < 0 || dup_into(&v->a.dept, row->dept) < 0 ||
	    dup_into(&v->a.reviewer, row->reviewer) < 0 || dup_into(&v->a.time, time) < 0 ||
	    dup_into(&v->a.digest, row->body_digest) < 0 ||
	    dup_into(&v->a.signature, row->signature) < 0 || split_reasons(row->reasons, &v->a) < 0) {
		c->failed = true;
		return -1;
	}
	return 0;
}

static int read_version(const reg_registry_body *b, void *p)
{
	read_ctx *c = p;
	reg_ledger_record *rec = c->rec;
	reg_registry_body *grown = realloc(rec->versions, (rec->n_versions + 1) * sizeof *grown);
	if (!grown) {
		c->failed = true;
		return -1;
	}
	rec->versions = grown;
	reg_registry_body *v = &rec->versions[rec->n_versions++];
	*v = (reg_registry_body){.version = b->version, .recorded_at = b->recorded_at};
	if (dup_into((char **)&v->number, b->number) < 0 ||
	    dup_into((char **)&v->digest, b->digest) < 0 ||
	    dup_into((char **)&v->enterprise_digest, b->enterprise_digest) < 0 ||
	    dup_into((char **)&v->materials, b->materials) < 0) {
		c->failed = true;
		return -1;
	}
	return 0;
}

reg_ledger_record *reg_ledger_read(reg_ledger *l, reg_registry *reg, const char *number,
				   bool lock, reg_err **errp)
{
	reg_ledger_record *rec = calloc(1, sizeof *rec);
	bool found = false;
	if (!rec) {
		reg_err_oom(errp);
		return NULL;
	}
	rec->l = l;
	/* Lock first: from here on, nobody else changes this dossier until we commit. */
	if (lock && reg_registry_lock_dossier(reg, number, &found, errp) < 0)
		goto fail;
	if (reg_registry_get_dossier(reg, number, &rec->row, &found, errp) < 0)
		goto fail;
	if (!found) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "dossier '%s' is not in the registry %s",
			    number, reg_registry_path(reg));
		goto fail;
	}
	if (reg_state_parse(rec->row.state, &rec->state) < 0) {
		reg_err_set(errp, REG_EINTERNAL, reg_registry_path(reg), 0, NULL,
			    "dossier '%s' has an unknown state '%s'", number, rec->row.state);
		goto fail;
	}
	read_ctx c = {.rec = rec};
	if (reg_registry_each_body(reg, number, read_version, &c, errp) != 0 ||
	    reg_registry_each_approval(reg, number, read_verdict, &c, errp) != 0 || order(rec) < 0) {
		if (c.failed || (errp && !*errp))
			reg_err_oom(errp);
		goto fail;
	}
	return rec;
fail:
	reg_ledger_record_free(rec);
	return NULL;
}

const reg_registry_dossier *reg_ledger_row(const reg_ledger_record *rec) { return &rec->row; }
reg_state reg_ledger_state(const reg_ledger_record *rec) { return rec->state; }
size_t reg_ledger_verdict_count(const reg_ledger_record *rec) { return rec->n; }
const reg_approval *reg_ledger_verdicts(const reg_ledger_record *rec) { return rec->view; }
int64_t reg_ledger_versions(const reg_ledger_record *rec) { return (int64_t)rec->n_versions; }

const reg_registry_body *reg_ledger_version(const reg_ledger_record *rec, int64_t i)
{
	return i >= 0 && (size_t)i < rec->n_versions ? &rec->versions[i] : NULL;
}

bool reg_ledger_holds_body(const reg_ledger_record *rec, const char *digest, int64_t *version)
{
	for (size_t i = 0; digest && i < rec->n_versions; i++)
		if (strcmp(rec->versions[i].digest, digest) == 0) {
			if (version)
				*version = rec->versions[i].version;
			return true;
		}
	return false;
}

/* ---------------------------------------------------------------------------------------------
 * Counting over the record
 */

/* The line "type …" of a materials text, as a pointer and length; length 0 when absent. */
static size_t material_line(const char *materials, const char *type, const char **line)
{
	size_t tlen = strlen(type);
	for (const char *p = materials ? materials : ""; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > tlen && strncmp(p, type, tlen) == 0 && p[tlen] == ' ') {
			*line = p;
			return len;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*line = NULL;
	return 0;
}

static bool same_material(const char *a, const char *b, const char *type)
{
	const char *la, *lb;
	size_t na = material_line(a, type, &la), nb = material_line(b, type, &lb);
	return na == nb && (na == 0 || memcmp(la, lb, na) == 0);
}

/* Whether a verdict given on body version `given` still holds on the current one for `it`. */
static bool still_holds(const reg_ledger_record *rec, const reg_registry_body *given,
			const reg_item *it)
{
	const reg_registry_body *cur = &rec->versions[rec->n_versions - 1];
	if (given == cur)
		return true;
	if (cmp_opt(given->enterprise_digest, cur->enterprise_digest) != 0)
		return false;
	for (size_t m = 0; m < reg_item_material_count(it); m++)
		if (!same_material(given->materials, cur->materials, reg_item_material_id(it, m)))
			return false;
	return true;
}

static const reg_registry_body *version_of(const reg_ledger_record *rec, const char *digest)
{
	for (size_t i = rec->n_versions; digest && i-- > 0;)
		if (strcmp(rec->versions[i].digest, digest) == 0)
			return &rec->versions[i];
	return NULL;
}

int reg_ledger_assess(const reg_ledger *l, const reg_ledger_record *rec, const bool *applies,
		      reg_assessment *out, reg_err **errp)
{
	bool *counts = calloc(rec->n ? rec->n : 1, sizeof *counts);
	if (!counts)
		return reg_err_oom(errp);
	for (size_t i = 0; i < rec->n; i++) {
		const reg_approval *a = &rec->view[i];
		const reg_item *it = reg_catalog_find_item(l->cat, a->item);
		const reg_registry_body *given = version_of(rec, a->digest);
		counts[i] = a->signature && it && given && rec->n_versions &&
			    still_holds(rec, given, it);
	}
	int rc = reg_assess(l->cat, applies, rec->view, rec->n, counts, l->offset, out, errp);
	free(counts);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Admission
 */

/* One candidate approval of a copy. */
typedef struct candidate {
	const reg_approval *a;
	bool own;
	int64_t at;
	const verdict *recorded;  /* the row it is, when recorded already */
	bool record;              /* to be recorded now */
	char key[65];             /* the fingerprint of the key that verified it */
} candidate;

static bool same_key(const reg_approval *a, int64_t at, const verdict *v)
{
	return v->at == at && a->verdict == v->a.verdict && !cmp_opt(a->item, v->a.item) &&
	       !cmp_opt(a->dept, v->a.dept) && !cmp_opt(a->reviewer, v->a.reviewer) &&
	       !cmp_opt(a->digest, v->a.digest);
}

static bool same_content(const reg_approval *a, const reg_approval *b)
{
	if (cmp_opt(a->time, b->time) || cmp_opt(a->signature, b->signature) ||
	    a->n_reasons != b->n_reasons)
		return false;
	for (size_t r = 0; r < a->n_reasons; r++)
		if (cmp_opt(a->reasons[r], b->reasons[r]))
			return false;
	return true;
}

/* "ITEM DEPT VERDICT by REVIEWER[: REASON; REASON…]", the verdict event's detail. */
static char *verdict_detail(const reg_approval *a)
{
	char *detail = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&detail, &len);
	if (!fp)
		return NULL;
	fprintf(fp, "%s %s %s by %s", a->item, a->dept, reg_verdict_name(a->verdict), a->reviewer);
	for (size_t r = 0; r < a->n_reasons; r++)
		fprintf(fp, "%s%s", r ? "; " : ": ", a->reasons[r]);
	if (fclose(fp) != 0) {
		free(detail);
		return NULL;
	}
	return detail;
}

/* The reasons as the registry keeps them: each escaped, joined by newlines; NULL for none. */
static int join_reasons(const reg_approval *a, char **out)
{
	*out = NULL;
	if (a->n_reasons == 0)
		return 0;
	size_t len = 0;
	FILE *fp = open_memstream(out, &len);
	if (!fp)
		return -1;
	for (size_t r = 0; r < a->n_reasons; r++) {
		char *e = NULL;
		size_t elen = 0;
		if (reg_statement_escape(a->reasons[r], &e, &elen) < 0) {
			fclose(fp);
			free(*out);
			*out = NULL;
			return -1;
		}
		fprintf(fp, "%s%s", r ? "\n" : "", e);
		free(e);
	}
	return fclose(fp) == 0 ? 0 : -1;
}

static int copy_approval(reg_approval *dst, const reg_approval *src)
{
	*dst = (reg_approval){.verdict = src->verdict, .line = src->line};
	if (dup_into(&dst->item, src->item) < 0 || dup_into(&dst->dept, src->dept) < 0 ||
	    dup_into(&dst->reviewer, src->reviewer) < 0 || dup_into(&dst->time, src->time) < 0 ||
	    dup_into(&dst->digest, src->digest) < 0 || dup_into(&dst->signature, src->signature) < 0)
		return -1;
	if (src->n_reasons && !(dst->reasons = calloc(src->n_reasons, sizeof *dst->reasons)))
		return -1;
	for (size_t r = 0; r < src->n_reasons; r++) {
		if (!(dst->reasons[r] = strdup(src->reasons[r])))
			return -1;
		dst->n_reasons++;
	}
	return 0;
}

/* Record one admitted verdict and its event; the record learns it. */
static int record_one(reg_ledger *l, reg_registry *reg, reg_ledger_record *rec,
		      const candidate *c, reg_err **errp)
{
	const reg_approval *a = c->a;
	char *reasons = NULL, *detail = NULL;
	int rc = -1;
	bool added = false;
	if (join_reasons(a, &reasons) < 0 || !(detail = verdict_detail(a))) {
		reg_err_oom(errp);
		goto out;
	}
	reg_registry_approval row = {
		.number = rec->row.number, .item = a->item, .dept = a->dept,
		.verdict = reg_verdict_name(a->verdict), .at = c->at, .reviewer = a->reviewer,
		.body_digest = a->digest, .time = a->time, .reasons = reasons,
		.signature = a->signature, .key = c->key[0] ? c->key : NULL,
	};
	if (reg_registry_add_approval(reg, &row, &added, errp) < 0 ||
	    reg_registry_add_event(reg, c->at, "verdict", rec->row.number, detail, NULL, errp) < 0)
		goto out;
	verdict *v = grow(rec);
	if (!v || copy_approval(&v->a, a) < 0) {
		reg_err_oom(errp);
		goto out;
	}
	const reg_item *it = reg_catalog_find_item(l->cat, a->item);
	v->number = it ? reg_item_number(it) : 0;
	v->at = c->at;
	rc = 0;
out:
	free(reasons);
	free(detail);
	return rc;
}

/* Check one proposal alone: a known item of its department, a readable time, a body the
 * registry holds for this dossier. */
static bool well_formed(reg_ledger *l, const reg_ledger_record *rec, const reg_approval *a,
			const char *file, int64_t *at, reg_err **problems)
{
	const reg_item *it = a->item ? reg_catalog_find_item(l->cat, a->item) : NULL;
	if (!it) {
		reg_err_add(problems, REG_ENO, file, a->line, approval_field,
			    "verdict on unknown item '%s'", a->item ? a->item : "");
		return false;
	}
	if (cmp_opt(reg_item_dept(it), a->dept) != 0) {
		reg_err_add(problems, REG_ENO, file, a->line, approval_field,
			    "verdict on '%s' by '%s': the item is decided by '%s'", a->item,
			    a->dept ? a->dept : "", reg_item_dept(it));
		return false;
	}
	if (!a->reviewer || !*a->reviewer ||
	    reg_time_parse(a->time, l->offset, at, NULL, NULL) < 0) {
		reg_err_add(problems, REG_ENO, file, a->line, approval_field,
			    "verdict on '%s' by '%s' has no reviewer or no ISO 8601 time", a->item,
			    a->dept);
		return false;
	}
	if (!reg_ledger_holds_body(rec, a->digest, NULL)) {
		reg_err_add(problems, REG_ENO, file, a->line, approval_field,
			    "verdict on '%s' by '%s' was given on a body the registry does not hold "
			    "for dossier '%s' (another dossier's or body's, replayed)",
			    a->item, a->dept, rec->row.number);
		return false;
	}
	return true;
}

/* Candidates of a copy, grouped into statements (libreg/verdict.h). */
static int check_statements(reg_ledger *l, reg_ledger_record *rec, candidate *cand, size_t n,
			    const char *file, reg_err **problems, reg_err **errp)
{
	reg_approval *flat = calloc(n ? n : 1, sizeof *flat);
	size_t *ord = calloc(n ? n : 1, sizeof *ord), *start = calloc(n + 1, sizeof *start);
	int rc = -1;
	if (!flat || !ord || !start) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		flat[i] = *cand[i].a; /* shallow, for grouping only */
	long groups = reg_statements_group(flat, n, ord, start);
	for (long g = 0; g < groups; g++) {
		size_t first = start[g], count = start[g + 1] - first;
		bool all_recorded = true, all_own = true;
		for (size_t k = first; k < first + count; k++) {
			all_recorded &= cand[ord[k]].recorded != NULL;
			all_own &= cand[ord[k]].own;
		}
		if (all_recorded)
			continue;
		const reg_approval *head = cand[ord[first]].a;
		char key[65] = "";
		if (all_own) {
			const reg_sign_key *signer = l->keys ? reg_keyring_signer(l->keys, head->dept,
										 cand[ord[first]].at)
							     : NULL;
			if (signer && reg_sign_key_fingerprint(signer, key, errp) < 0)
				goto out;
		} else {
			reg_key_verdict kv = REG_KEY_MISMATCH;
			const char *other = NULL;
			const reg_approval **members = calloc(count, sizeof *members);
			if (!members) {
				reg_err_oom(errp);
				goto out;
			}
			for (size_t k = 0; k < count; k++)
				members[k] = cand[ord[first + k]].a;
			int checked = head->signature && l->keys
					      ? reg_statement_check(l->keys, rec->row.number, members,
								    count, cand[ord[first]].at, &kv, key,
								    &other, errp)
					      : 0;
			free(members);
			if (checked < 0)
				goto out;
			if (kv != REG_KEY_VALID) {
				char why[160];
				if (head->signature && !l->keys)
					snprintf(why, sizeof why, _("cannot be verified here: no "
						 "department keys were loaded"));
				else
					reg_key_verdict_text(kv, head->dept, other, !head->signature, why,
							     sizeof why);
				for (size_t k = first; k < first + count; k++)
					reg_err_add(problems, REG_ENO, file, cand[ord[k]].a->line,
						    approval_field, "verdict on '%s' by '%s' at %s %s",
						    cand[ord[k]].a->item, head->dept, head->time, why);
				continue;
			}
		}
		for (size_t k = first; k < first + count; k++) {
			candidate *c = &cand[ord[k]];
			if (!c->recorded) {
				c->record = true;
				memcpy(c->key, key, sizeof key);
			}
		}
	}
	rc = 0;
out:
	free(flat);
	free(ord);
	free(start);
	return rc;
}

/* Two different verdicts on one item at one instant, among what is recorded and what comes. */
static void check_conflicts(reg_ledger_record *rec, candidate *cand, size_t n, const char *file,
			    reg_err **problems)
{
	for (size_t i = 0; i < n; i++) {
		if (!cand[i].record)
			continue;
		const reg_approval *a = cand[i].a;
		for (size_t j = 0; j < rec->n; j++) {
			const verdict *v = &rec->verdicts[j];
			if (v->at == cand[i].at && a->verdict != v->a.verdict && !cmp_opt(a->item, v->a.item)) {
				reg_err_add(problems, REG_ENO, file, a->line, approval_field,
					    "conflicting verdicts on '%s' at %s: %s by %s (recorded) "
					    "and %s by %s", a->item, a->time,
					    reg_verdict_name(v->a.verdict), v->a.reviewer,
					    reg_verdict_name(a->verdict), a->reviewer);
				break;
			}
		}
		for (size_t j = 0; j < i; j++)
			if (cand[j].record && cand[j].at == cand[i].at &&
			    cand[j].a->verdict != a->verdict && !cmp_opt(cand[j].a->item, a->item)) {
				reg_err_add(problems, REG_ENO, file, a->line, approval_field,
					    "conflicting verdicts on '%s' at %s: %s by %s and %s by %s",
					    a->item, a->time, reg_verdict_name(cand[j].a->verdict),
					    cand[j].a->reviewer, reg_verdict_name(a->verdict),
					    a->reviewer);
				break;
			}
	}
}

int reg_ledger_admit(reg_ledger *l, reg_registry *reg, reg_ledger_record *rec,
		     const reg_approval *list, size_t n, const bool *own, size_t *added,
		     reg_err **errp)
{
	candidate *cand = calloc(n ? n : 1, sizeof *cand);
	reg_err *problems = NULL;
	size_t m = 0, recorded = 0;
	int rc = -1;
	if (added)
		*added = 0;
	if (!cand)
		return reg_err_oom(errp);
	for (size_t i = 0; i < n; i++) {
		const reg_approval *a = &list[i];
		if (a->verdict == REG_VERDICT_NOT_APPLICABLE)
			continue; /* the catalog decides what applies: no verdict */
		candidate *c = &cand[m];
		*c = (candidate){.a = a, .own = own && own[i]};
		if (!well_formed(l, rec, a, NULL, &c->at, &problems))
			continue;
		for (size_t j = 0; j < rec->n && !c->recorded; j++)
			if (same_key(a, c->at, &rec->verdicts[j]))
				c->recorded = &rec->verdicts[j];
		if (c->recorded && !same_content(a, &c->recorded->a)) {
			reg_err_add(&problems, REG_ENO, NULL, a->line, approval_field,
				    "verdict on '%s' by '%s' at %s differs from the one the registry "
				    "recorded (its reasons or signature were changed)", a->item, a->dept,
				    a->time);
			continue;
		}
		m++;
	}
	if (check_statements(l, rec, cand, m, NULL, &problems, errp) < 0)
		goto out;
	check_conflicts(rec, cand, m, NULL, &problems);
	for (size_t i = 0; i < m && !problems; i++)
		if (cand[i].record && (rec->state == REG_STATE_REJECTED ||
				       rec->state == REG_STATE_ISSUED)) {
			reg_err_add(&problems, REG_ENO, NULL, cand[i].a->line, approval_field,
				    "dossier '%s' is %s: a new verdict on '%s' changes nothing%s",
				    rec->row.number, reg_state_name(rec->state), cand[i].a->item,
				    rec->state == REG_STATE_REJECTED ? _(" (a rejection is final)") : "");
			break;
		}
	if (problems) {
		reg_err_append(errp, &problems);
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		if (!cand[i].record)
			continue;
		if (record_one(l, reg, rec, &cand[i], errp) < 0)
			goto out;
		recorded++;
	}
	if (recorded && order(rec) < 0) {
		reg_err_oom(errp);
		goto out;
	}
	if (added)
		*added = recorded;
	rc = 0;
out:
	reg_err_free(problems);
	free(cand);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Settling and the view
 */

int reg_ledger_settle(reg_ledger *l, reg_registry *reg, reg_ledger_record *rec,
		      const reg_assessment *as, int64_t at, bool verdicts_added, bool *changed,
		      reg_err **errp)
{
	reg_state next = rec->state == REG_STATE_REJECTED || rec->state == REG_STATE_ISSUED
				 ? rec->state
				 : as->state;
	bool moved = next != rec->state;
	if (changed)
		*changed = moved;
	if (!moved && !verdicts_added)
		return 0;
	char *detail = reg_assessment_detail(l->cat, as);
	if (!detail)
		return reg_err_oom(errp);
	int rc = 0;
	if (moved && reg_registry_set_dossier_state(reg, rec->row.number, reg_state_name(next),
						    errp) < 0)
		rc = -1;
	else if (reg_registry_add_event(reg, at, reg_state_name(next), rec->row.number, detail,
					NULL, errp) < 0)
		rc = -1;
	/* A rejected applicant may apply under the name again, with a new number. */
	else if (moved && next == REG_STATE_REJECTED &&
		 reg_registry_release_name(reg, rec->row.authority, rec->row.name, errp) < 0)
		rc = -1;
	free(detail);
	if (rc == 0)
		rec->state = next;
	return rc;
}

int reg_ledger_write_view(const reg_ledger *l, const reg_ledger_record *rec,
			  const reg_assessment *as, reg_dossier *d, reg_err **errp)
{
	reg_dossier_drop_section(d, "approvals");
	for (size_t i = 0; i < rec->n; i++)
		if (reg_dossier_add_approval(d, &rec->view[i], errp) < 0)
			return -1;
	return write_state(l->cat, as, rec->state, d, errp);
}

reg_dossier *reg_ledger_export(reg_ledger *l, reg_registry *reg, reg_rules *rules,
			       const char *number, int64_t now, reg_err **errp)
{
	reg_ledger_record *rec = reg_ledger_read(l, reg, number, false, errp);
	reg_dossier *d = NULL;
	reg_assessment as = {0};
	bool *applies = calloc(reg_catalog_item_count(l->cat) + 1, sizeof *applies);
	if (!rec || !applies)
		goto fail;
	const reg_registry_dossier *row = reg_ledger_row(rec);
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), reg_registry_path(reg),
					   errp);
	if (!doc || !(d = reg_dossier_adopt(doc, reg_registry_path(reg), 0, errp)) ||
	    reg_rules_bind(rules, d, now, l->offset, errp) < 0 ||
	    reg_applicable_items(l->cat, rules, d, applies, errp) < 0 ||
	    reg_ledger_assess(l, rec, applies, &as, errp) < 0 ||
	    reg_ledger_write_view(l, rec, &as, d, errp) < 0)
		goto fail;
	if (rec->state == REG_STATE_ISSUED) {
		reg_registry_issuance is = {0};
		bool found = false;
		if (reg_registry_get_issuance(reg, number, &is, &found, errp) < 0)
			goto fail;
		if (found) {
			char when[REG_TIME_ISO_MAX];
			reg_time_format(is.issued_at, l->offset, when);
			xmlNode *n = reg_dossier_section(d, "issuance", true);
			xmlSetProp(n, BAD_CAST "uscc", BAD_CAST is.uscc);
			xmlSetProp(n, BAD_CAST "time", BAD_CAST when);
			xmlSetProp(n, BAD_CAST "authority", BAD_CAST row->authority);
		}
		reg_registry_issuance_clear(&is);
	}
	goto out;
fail:
	if (!applies)
		reg_err_oom(errp);
	reg_dossier_free(d);
	d = NULL;
out:
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	free(applies);
	return d;
}
