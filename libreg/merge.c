#include "merge.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ledger.h"
#include "xml.h"

static const char approval_field[] = "/dossier/approvals/approval";

/* One approval of one copy, with what sorting needs. */
typedef struct entry {
	const reg_approval *a;
	size_t copy;
	int number;    /* the item's catalog number; items it lacks sort last */
	int64_t at;    /* the time as an instant; unreadable ones count as the oldest */
} entry;

static int cmp_entry(const void *pa, const void *pb)
{
	const entry *x = pa, *y = pb;
	return reg_approval_view_cmp(x->a, x->number, x->at, y->a, y->number, y->at);
}

static const char *file_of(reg_dossier *const *copies, size_t copy)
{
	const char *f = reg_dossier_file(copies[copy]);
	return f ? f : "-";
}

int reg_merge_approvals(const reg_catalog *cat, int offset_min, reg_dossier *const *copies,
			size_t n, reg_err **errp)
{
	reg_approval **lists = calloc(n ? n : 1, sizeof *lists);
	size_t *counts = calloc(n ? n : 1, sizeof *counts), total = 0, kept = 0;
	entry *all = NULL;
	reg_err *problems = NULL;
	xmlNode *old = NULL;
	int rc = -1;
	if (!lists || !counts) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (reg_dossier_approvals(copies[i], &lists[i], &counts[i], &problems) < 0) {
			if (reg_err_exit_code(problems) != REG_ENO) {
				reg_err_append(errp, &problems);
				goto out;
			}
			lists[i] = NULL, counts[i] = 0;
			reg_err_locate(problems, file_of(copies, i), 0);
		}
		total += counts[i];
	}
	if (!(all = calloc(total ? total : 1, sizeof *all))) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0, k = 0; i < n; i++)
		for (size_t j = 0; j < counts[i]; j++, k++) {
			const reg_approval *a = &lists[i][j];
			const reg_item *it = a->item ? reg_catalog_find_item(cat, a->item) : NULL;
			int64_t at = INT64_MIN;
			if (reg_time_parse(a->time, offset_min, &at, NULL, NULL) < 0)
				at = INT64_MIN;
			all[k] = (entry){.a = a, .copy = i, .number = it ? reg_item_number(it) : 1 << 30,
					 .at = at};
		}
	qsort(all, total, sizeof *all, cmp_entry);
	for (size_t i = 0; i < total; i++)
		if (!kept || cmp_entry(&all[kept - 1], &all[i]) != 0)
			all[kept++] = all[i];
	/* Entries of one item at one instant are neighbours: one conflict report per group. */
	for (size_t i = 0; i < kept;) {
		const entry *x = &all[i], *y = NULL;
		size_t j = i + 1;
		for (; j < kept && all[j].number == x->number && all[j].at == x->at; j++)
			if (!y && all[j].a->verdict != x->a->verdict && x->at != INT64_MIN)
				y = &all[j];
		if (y)
			reg_err_add(&problems, REG_ENO, file_of(copies, y->copy), y->a->line,
				    approval_field,
				    "conflicting verdicts on '%s' at %s: %s by %s (%s:%ld) and %s by "
				    "%s (%s:%ld)",
				    y->a->item, y->a->time, reg_verdict_name(x->a->verdict),
				    x->a->reviewer, file_of(copies, x->copy), x->a->line,
				    reg_verdict_name(y->a->verdict), y->a->reviewer,
				    file_of(copies, y->copy), y->a->line);
		i = j;
	}
	if (problems) {
		reg_err_append(errp, &problems);
		goto out;
	}
	/* The entries point into the parsed lists, not into the section: it can be replaced. */
	if ((old = reg_dossier_section(copies[0], "approvals", false)))
		xmlUnlinkNode(old);
	for (size_t i = 0; i < kept; i++)
		if (reg_dossier_add_approval(copies[0], all[i].a, errp) < 0)
			goto out;
	rc = 0;
out:
	xmlFreeNode(old);
	for (size_t i = 0; lists && i < n; i++)
		reg_approval_list_free(lists[i], counts[i]);
	free(lists);
	free(counts);
	free(all);
	reg_err_free(problems);
	return rc;
}
