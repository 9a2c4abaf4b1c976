#include "merge.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "xml.h"

static const char approval_field[] = "/dossier/approvals/approval";

/* One approval of one copy, with what sorting needs. */
typedef struct entry {
	const reg_approval *a;
	size_t copy;
	int number;    /* the item's catalog number */
	int64_t at;    /* the time as an instant */
} entry;

/* Everything one merge holds; freed in one place. */
typedef struct merge {
	const reg_merge_opts *o;
	reg_dossier *const *copies;
	size_t n;
	char (*digests)[65];
	reg_approval **lists;
	size_t *counts;
	entry *all;
	size_t n_all;
	bool *applies;
	reg_err *problems;
} merge;

static int oom(reg_err **errp)
{
	return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* The total order of approvals: item number, instant, department, then every other field, so
 * that the result never depends on which copy came first. */
static int cmp_entry(const void *pa, const void *pb)
{
	const entry *x = pa, *y = pb;
	const reg_approval *a = x->a, *b = y->a;
	int c;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if ((c = cmp_str(a->dept, b->dept)) || (c = cmp_str(a->time, b->time)))
		return c;
	if (a->verdict != b->verdict)
		return a->verdict < b->verdict ? -1 : 1;
	if ((c = cmp_str(a->reviewer, b->reviewer)) || (c = cmp_str(a->digest, b->digest)))
		return c;
	if (a->n_reasons != b->n_reasons)
		return a->n_reasons < b->n_reasons ? -1 : 1;
	for (size_t i = 0; i < a->n_reasons; i++)
		if ((c = cmp_str(a->reasons[i], b->reasons[i])))
			return c;
	return 0;
}

static const char *file_of(const merge *m, size_t copy)
{
	const char *f = reg_dossier_file(m->copies[copy]);
	return f ? f : "-";
}

/* "commerce, tax" — the catalog departments whose approvals a copy carries, in catalog order
 * (linear in the approvals for each department: a hostile copy cannot make it quadratic). */
static char *depts_of(const merge *m, size_t copy)
{
	const reg_catalog *cat = m->o->catalog;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	if (!fp)
		return NULL;
	for (size_t d = 0; d < reg_catalog_department_count(cat); d++) {
		const char *id = reg_department_id(reg_catalog_department(cat, d));
		bool has = false;
		for (size_t i = 0; i < m->counts[copy] && !has; i++)
			has = cmp_str(m->lists[copy][i].dept, id) == 0;
		if (has)
			fprintf(fp, "%s%s", ftell(fp) ? ", " : "", id);
	}
	if (fclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Copy indexes by digest, then by index (qsort_r: glibc's, with _GNU_SOURCE). */
static int cmp_digest_index(const void *pa, const void *pb, void *ctx)
{
	const merge *m = ctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = strcmp(m->digests[a], m->digests[b]);
	return c ? c : (a > b) - (a < b);
}

/* Bodies: the reference is the digest most copies have (the earliest on a tie); every copy
 * with another is named with the departments it carries.  Copies are grouped by sorting, so
 * many copies cost n log n. */
static size_t check_bodies(merge *m, reg_err **errp)
{
	size_t ref = 0, best = 0;
	bool all_same = true;
	for (size_t i = 1; i < m->n && all_same; i++)
		all_same = strcmp(m->digests[i], m->digests[0]) == 0;
	if (all_same)
		return 0;
	size_t *idx = calloc(m->n, sizeof *idx);
	if (!idx) {
		oom(errp);
		return SIZE_MAX;
	}
	for (size_t i = 0; i < m->n; i++)
		idx[i] = i;
	qsort_r(idx, m->n, sizeof *idx, cmp_digest_index, m);
	for (size_t i = 0; i < m->n;) {
		size_t j = i;
		while (j < m->n && strcmp(m->digests[idx[j]], m->digests[idx[i]]) == 0)
			j++;
		/* idx[i] is the earliest copy of its group (ties in the sort go by index). */
		if (j - i > best || (j - i == best && idx[i] < ref)) {
			best = j - i;
			ref = idx[i];
		}
		i = j;
	}
	free(idx);
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->digests[i], m->digests[ref]) == 0)
			continue;
		char *depts = depts_of(m, i);
		reg_err_add(&m->problems, REG_ENO, file_of(m, i), reg_dossier_line(m->copies[i]),
			    "/dossier",
			    "body differs from that in %s (changed after review): departments %s",
			    file_of(m, ref), depts && *depts ? depts : "(none)");
		free(depts);
	}
	return ref;
}

/* Each approval: complete, a known item of the department named, a readable time, given on
 * this copy's body. */
static int check_approvals(merge *m, reg_err **errp)
{
	const reg_catalog *cat = m->o->catalog;
	size_t total = 0;
	for (size_t i = 0; i < m->n; i++)
		total += m->counts[i];
	if (!(m->all = calloc(total ? total : 1, sizeof *m->all)))
		return oom(errp);
	for (size_t i = 0; i < m->n; i++) {
		const char *file = file_of(m, i);
		for (size_t k = 0; k < m->counts[i]; k++) {
			const reg_approval *a = &m->lists[i][k];
			const reg_item *it = reg_catalog_find_item(cat, a->item);
			int64_t at = 0;
			if (!a->reviewer || !*a->reviewer) {
				reg_err_add(&m->problems, REG_ENO, file, a->line, approval_field,
					    "approval of '%s' by '%s' names no reviewer", a->item,
					    a->dept);
				continue;
			}
			if (!it) {
				reg_err_add(&m->problems, REG_ENO, file, a->line, approval_field,
					    "approval of unknown item '%s'", a->item);
				continue;
			}
			if (strcmp(reg_item_dept(it), a->dept) != 0) {
				reg_err_add(&m->problems, REG_ENO, file, a->line, approval_field,
					    "item '%s' is decided by '%s', not by '%s'", a->item,
					    reg_item_dept(it), a->dept);
				continue;
			}
			if (reg_time_parse(a->time, m->o->offset_min, &at, NULL, NULL) < 0) {
				reg_err_add(&m->problems, REG_ENO, file, a->line, approval_field,
					    "approval of '%s' by '%s': time '%s' is not ISO 8601",
					    a->item, a->dept, a->time);
				continue;
			}
			if (strcmp(a->digest, m->digests[i]) != 0) {
				reg_err_add(&m->problems, REG_ENO, file, a->line, approval_field,
					    "approval of '%s' by '%s' was given on another body (the "
					    "body changed after review): it is void",
					    a->item, a->dept);
				continue;
			}
			m->all[m->n_all++] = (entry){.a = a, .copy = i, .number = reg_item_number(it),
						     .at = at};
		}
	}
	return 0;
}

/* Sort, drop identical repeats, and refuse two verdicts on one item at one instant. */
static void unite(merge *m)
{
	qsort(m->all, m->n_all, sizeof *m->all, cmp_entry);
	size_t kept = 0;
	for (size_t i = 0; i < m->n_all; i++) {
		if (kept && cmp_entry(&m->all[kept - 1], &m->all[i]) == 0)
			continue;
		m->all[kept++] = m->all[i];
	}
	m->n_all = kept;
	/* Entries of one item at one instant are neighbours: one conflict report per group. */
	for (size_t i = 0; i < m->n_all;) {
		const entry *x = &m->all[i], *y = NULL;
		size_t j = i + 1;
		for (; j < m->n_all && m->all[j].number == x->number && m->all[j].at == x->at; j++)
			if (!y && m->all[j].a->verdict != x->a->verdict)
				y = &m->all[j];
		if (y)
			reg_err_add(&m->problems, REG_ENO, file_of(m, y->copy), y->a->line,
				    approval_field,
				    "conflicting verdicts on '%s' at %s: %s by %s (%s:%ld) and %s by "
				    "%s (%s:%ld)",
				    y->a->item, y->a->time, reg_verdict_name(x->a->verdict),
				    x->a->reviewer, file_of(m, x->copy), x->a->line,
				    reg_verdict_name(y->a->verdict), y->a->reviewer,
				    file_of(m, y->copy), y->a->line);
		i = j;
	}
}

/* Write the result into the base copy. */
static int rewrite(merge *m, reg_err **errp)
{
	const reg_catalog *cat = m->o->catalog;
	reg_dossier *base = m->copies[0];
	size_t n_items = reg_catalog_item_count(cat);
	/* The verdict in force per item: the last of its group in time order. */
	const entry **latest = calloc(n_items + 1, sizeof *latest);
	if (!latest)
		return oom(errp);
	for (size_t i = 0; i < m->n_all; i++)
		latest[m->all[i].number - 1] = &m->all[i];

	/* The entries point into the parsed lists, not into the section: it can be replaced. */
	reg_dossier_drop_section(base, "outstanding");
	xmlNode *old = reg_dossier_section(base, "approvals", false);
	if (old)
		xmlUnlinkNode(old);
	int rc = -1;
	for (size_t i = 0; i < m->n_all; i++)
		if (reg_dossier_add_approval(base, m->all[i].a, errp) < 0)
			goto out;

	bool rejected = false, waiting = false;
	xmlNode *outstanding = NULL;
	for (size_t i = 0; i < n_items; i++) {
		if (!m->applies[i])
			continue;
		reg_verdict v = latest[i] ? latest[i]->a->verdict : REG_VERDICT_NOT_APPLICABLE;
		rejected |= v == REG_VERDICT_REJECTED;
		waiting |= v != REG_VERDICT_APPROVED && v != REG_VERDICT_REJECTED;
	}
	if (!rejected && waiting) {
		for (size_t i = 0; i < n_items; i++) {
			if (!m->applies[i])
				continue;
			reg_verdict v = latest[i] ? latest[i]->a->verdict : REG_VERDICT_NOT_APPLICABLE;
			if (v == REG_VERDICT_APPROVED)
				continue;
			const reg_item *it = reg_catalog_item(cat, i);
			if (!outstanding && !(outstanding = reg_dossier_section(base, "outstanding", true)))
				goto nomem;
			xmlNode *w = xmlNewChild(outstanding, outstanding->ns, BAD_CAST "wait", NULL);
			if (!w)
				goto nomem;
			xmlSetProp(w, BAD_CAST "item", BAD_CAST reg_item_id(it));
			xmlSetProp(w, BAD_CAST "dept", BAD_CAST reg_item_dept(it));
			xmlSetProp(w, BAD_CAST "why", BAD_CAST(v == REG_VERDICT_SUPPLEMENT ? "supplement"
										 : "no-answer"));
		}
	}
	reg_dossier_set_state(base, rejected  ? REG_STATE_REJECTED
				    : waiting ? REG_STATE_PENDING
					      : REG_STATE_APPROVED);
	rc = 0;
	goto out;
nomem:
	oom(errp);
out:
	xmlFreeNode(old);
	free(latest);
	return rc;
}

static void merge_free(merge *m)
{
	for (size_t i = 0; m->lists && i < m->n; i++)
		reg_approval_list_free(m->lists[i], m->counts[i]);
	free(m->lists);
	free(m->counts);
	free(m->digests);
	free(m->all);
	free(m->applies);
	reg_err_free(m->problems);
}

int reg_merge(const reg_merge_opts *o, reg_dossier *const *copies, size_t n, char digest[65],
	      reg_err **errp)
{
	merge m = {.o = o, .copies = copies, .n = n};
	char *number = NULL;
	int rc = -1;
	if (n == 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "nothing to merge");
	if (!(m.digests = calloc(n, sizeof *m.digests)) || !(m.lists = calloc(n, sizeof *m.lists)) ||
	    !(m.counts = calloc(n, sizeof *m.counts)) ||
	    !(m.applies = calloc(reg_catalog_item_count(o->catalog) + 1, sizeof *m.applies))) {
		oom(errp);
		goto out;
	}
	number = reg_dossier_number(copies[0]);
	if (!number || !*number) {
		reg_err_set(errp, REG_ENO, reg_dossier_file(copies[0]), reg_dossier_line(copies[0]),
			    "/dossier/acceptance", "not accepted: the dossier has no acceptance number");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *other = reg_dossier_number(copies[i]);
		bool same = other && strcmp(other, number) == 0;
		free(other);
		if (!same) {
			reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				    "copies of different dossiers given to one merge");
			goto out;
		}
		if (reg_dossier_state(copies[i]) == REG_STATE_ISSUED ||
		    reg_dossier_section(copies[i], "issuance", false))
			reg_err_add(&m.problems, REG_ENO, file_of(&m, i),
				    reg_dossier_line(copies[i]), "/dossier/issuance",
				    "dossier '%s' is already issued", number);
		if (reg_dossier_body_digest(copies[i], m.digests[i], errp) < 0)
			goto out;
		/* An incomplete approval is a problem of this dossier, reported with the rest. */
		if (reg_dossier_approvals(copies[i], &m.lists[i], &m.counts[i], &m.problems) < 0) {
			if (reg_err_exit_code(m.problems) != REG_ENO) {
				reg_err_append(errp, &m.problems);
				goto out;
			}
			m.lists[i] = NULL;
			m.counts[i] = 0;
		}
	}
	size_t ref = check_bodies(&m, errp);
	if (ref == SIZE_MAX || check_approvals(&m, errp) < 0)
		goto out;
	unite(&m);
	if (m.problems) {
		reg_err_append(errp, &m.problems);
		goto out;
	}
	if (reg_rules_bind(o->rules, copies[0], o->now, o->offset_min, errp) < 0 ||
	    reg_applicable_items(o->catalog, o->rules, copies[0], m.applies, errp) < 0 ||
	    rewrite(&m, errp) < 0)
		goto out;
	if (digest)
		memcpy(digest, m.digests[ref], 65);
	rc = 0;
out:
	free(number);
	merge_free(&m);
	return rc;
}

int reg_merge_outcome_of(reg_dossier *merged, reg_merge_outcome *out, reg_err **errp)
{
	*out = (reg_merge_outcome){.state = reg_dossier_state(merged)};
	char *detail = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&detail, &len);
	if (!(out->number = reg_dossier_number(merged)) || !fp) {
		if (fp)
			fclose(fp);
		free(detail);
		reg_merge_outcome_clear(out);
		return oom(errp);
	}
	if (out->state == REG_STATE_REJECTED) {
		/* The items whose verdict in force is a rejection: the last approval of each item
		 * (approvals are in item, then time order after a merge). */
		xmlNode *list = reg_dossier_section(merged, "approvals", false);
		const char *sep = " ";
		fputs("rejected:", fp);
		reg_xml_for_each_child(a, list, REG_NS_DOSSIER, "approval") {
			xmlNode *next = reg_xml_next_sibling(a, REG_NS_DOSSIER, "approval");
			char *item = reg_xml_attr(a, "item"), *verdict = reg_xml_attr(a, "verdict");
			char *next_item = next ? reg_xml_attr(next, "item") : NULL;
			if (item && verdict && strcmp(verdict, "rejected") == 0 &&
			    (!next_item || strcmp(next_item, item) != 0))
				fprintf(fp, "%s%s", sep, item), sep = ", ";
			free(item), free(verdict), free(next_item);
		}
	} else if (out->state == REG_STATE_PENDING) {
		fputs("waiting:", fp);
		const char *sep = " ";
		reg_xml_for_each_child(w, reg_dossier_section(merged, "outstanding", false),
				       REG_NS_DOSSIER, "wait") {
			char *item = reg_xml_attr(w, "item"), *dept = reg_xml_attr(w, "dept");
			char *why = reg_xml_attr(w, "why");
			fprintf(fp, "%s%s (%s, %s)", sep, item ? item : "", dept ? dept : "",
				why ? why : "");
			sep = ", ";
			free(item), free(dept), free(why);
		}
	} else {
		fputs("every applicable item approved", fp);
	}
	if (fclose(fp) != 0) {
		free(detail);
		reg_merge_outcome_clear(out);
		return oom(errp);
	}
	out->detail = detail;
	return 0;
}

int reg_merge_record_outcome(reg_registry *reg, const reg_merge_outcome *o, int64_t at,
			     reg_err **errp)
{
	if (reg_registry_set_dossier_state(reg, o->number, reg_state_name(o->state), errp) < 0 ||
	    reg_registry_add_event(reg, at, reg_state_name(o->state), o->number, o->detail, NULL,
				   errp) < 0)
		return -1;
	return 0;
}

void reg_merge_outcome_clear(reg_merge_outcome *o)
{
	if (!o)
		return;
	free(o->number);
	free(o->detail);
	*o = (reg_merge_outcome){0};
}

int reg_merge_record(reg_registry *reg, reg_dossier *merged, int64_t at, reg_err **errp)
{
	reg_merge_outcome o;
	if (reg_merge_outcome_of(merged, &o, errp) < 0)
		return -1;
	int rc = reg_merge_record_outcome(reg, &o, at, errp);
	reg_merge_outcome_clear(&o);
	return rc;
}
