#include "escalation.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "files.h"
#include "ledger.h"
#include "rules.h"
#include "xml.h"

/* One verdict of the history, as the pauses need it. */
struct past_verdict {
	size_t item; /* catalog index */
	int64_t at, id;
	bool supplement;
};

struct reg_escalation {
	const reg_catalog *cat;
	const reg_authority *auth;
	const reg_calendar *cal;
	int offset;
	reg_rules *rules;
	reg_ledger *ledger;  /* which recorded verdicts count (a supplement can void one) */
	bool *applies;       /* scratch, one per catalog item */
	reg_answer *answers; /* scratch, one per catalog item */
	struct past_verdict *history; /* scratch: one dossier's verdicts */
	size_t n_history, cap_history;
	int64_t *versions;   /* scratch: when each body version after the first was recorded */
	size_t n_versions, cap_versions;
	reg_pause *pauses;   /* scratch: the answers' pauses, item after item */
	size_t cap_pauses;
	reg_calendar_gaps gaps;
};

/* Room for `need` entries of `size` bytes in the array *(void **)array of *cap entries,
 * doubling from 32. */
static int reserve(void *array, size_t *cap, size_t need, size_t size, reg_err **errp)
{
	void **items = array;
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 32;
	while (n < need)
		n *= 2;
	void *more = realloc(*items, n * size);
	if (!more)
		return reg_err_oom(errp);
	*items = more;
	*cap = n;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The pure part
 */

const char *reg_wait_name(reg_wait w)
{
	switch (w) {
	case REG_WAIT_NO_ANSWER: return "no-answer";
	case REG_WAIT_SUPPLEMENT: return "supplement";
	default: return NULL;
	}
}

int64_t reg_escalation_threshold(int64_t limit, int percent)
{
	if (percent <= 0 || limit <= 0)
		return 0;
	/* ceil(limit * percent / 100) as (q * 100 + r) * p / 100 = q * p + ceil(r * p / 100),
	 * so only q * p can overflow, and that is checked. */
	int64_t q = limit / 100, r = limit % 100;
	if (q > INT64_MAX / percent)
		return INT64_MAX;
	int64_t whole = q * percent, part = (r * percent + 99) / 100;
	if (whole > INT64_MAX - part)
		return INT64_MAX;
	return whole + part;
}

int reg_escalation_step(const reg_catalog *cat, int64_t limit, int64_t elapsed)
{
	int reached = -1;
	for (size_t i = 0; i < reg_catalog_step_count(cat); i++)
		if (elapsed >= reg_escalation_threshold(limit, reg_step_percent(reg_catalog_step(cat, i))))
			reached = (int)i;
	return reached;
}

bool reg_escalation_state_open(const char *state)
{
	return !state || (strcmp(state, REG_REGISTRY_STATE_REJECTED) != 0 &&
			  strcmp(state, REG_REGISTRY_STATE_ISSUED) != 0);
}

void reg_escalation_assess(const reg_catalog *cat, const reg_calendar *cal, const bool *applies,
			   const reg_answer *answers, bool open, int64_t accepted_at, int64_t now,
			   reg_calendar_gaps *gaps, reg_item_progress *out)
{
	for (size_t i = 0; i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		reg_item_progress *rv = &out[i];
		const reg_pause *pauses = answers[i].pauses;
		size_t n = answers[i].n_pauses;
		memset(rv, 0, sizeof *rv);
		rv->item = it;
		rv->applies = applies[i];
		rv->answer = answers[i];
		rv->limit = reg_workdur_seconds(cal, reg_item_time_limit(it));
		rv->step = -1;
		if (!open || !rv->applies)
			continue;
		if (!rv->answer.given)
			rv->wait = REG_WAIT_NO_ANSWER;
		else if (rv->answer.verdict == REG_VERDICT_SUPPLEMENT)
			rv->wait = REG_WAIT_SUPPLEMENT;
		if (rv->wait == REG_WAIT_NONE)
			continue;
		/* Only a pending review is counted: an answered item's deadline is nobody's
		 * concern, and should not ask for a year the calendar lacks. */
		rv->deadline = reg_worktime_end(cal, accepted_at, rv->limit, pauses, n, gaps);
		rv->elapsed = reg_worktime_elapsed(cal, accepted_at, now, pauses, n, gaps);
		rv->paused = reg_pauses_cover(pauses, n, now);
		if (!rv->paused)
			rv->step = reg_escalation_step(cat, rv->limit, rv->elapsed);
	}
}

/* ---------------------------------------------------------------------------------------------
 * Over the registry
 */

reg_escalation *reg_escalation_new(const reg_catalog *cat, const reg_authority *auth,
				   reg_err **errp)
{
	reg_escalation *esc = calloc(1, sizeof *esc);
	size_t n = reg_catalog_item_count(cat) + 1;
	if (!esc || !(esc->applies = calloc(n, sizeof *esc->applies)) ||
	    !(esc->answers = calloc(n, sizeof *esc->answers))) {
		reg_escalation_free(esc);
		reg_err_oom(errp);
		return NULL;
	}
	esc->cat = cat;
	esc->auth = auth;
	esc->cal = reg_authority_calendar(auth);
	esc->offset = reg_authority_offset(auth);
	if (!(esc->rules = reg_rules_new(errp)) ||
	    !(esc->ledger = reg_ledger_new(cat, NULL, esc->offset, errp))) {
		reg_escalation_free(esc);
		return NULL;
	}
	return esc;
}

void reg_escalation_free(reg_escalation *esc)
{
	if (!esc)
		return;
	reg_rules_free(esc->rules);
	reg_ledger_free(esc->ledger);
	free(esc->applies);
	free(esc->answers);
	free(esc->history);
	free(esc->pauses);
	free(esc->versions);
	free(esc);
}

const reg_calendar_gaps *reg_escalation_gaps(const reg_escalation *esc)
{
	return &esc->gaps;
}

struct verdicts {
	reg_escalation *esc;
	reg_err **errp;
};

/* The answers are the ledger's: the verdict in force of each item, so one a supplement voided
 * is no answer (the department must review again), not the supplement it was. */
static int take_answers(reg_escalation *esc, reg_registry *reg, const char *number,
			reg_err **errp)
{
	reg_assessment as = {0};
	reg_ledger_record *rec = reg_ledger_read(esc->ledger, reg, number, false, errp);
	if (!rec || reg_ledger_assess(esc->ledger, rec, esc->applies, &as, errp) < 0) {
		reg_ledger_record_free(rec);
		return -1;
	}
	for (size_t i = 0; i < as.n_items; i++) {
		reg_answer *ans = &esc->answers[i];
		ans->given = true;
		switch (as.status[i]) {
		case REG_ITEM_APPROVED: ans->verdict = REG_VERDICT_APPROVED; break;
		case REG_ITEM_SUPPLEMENT: ans->verdict = REG_VERDICT_SUPPLEMENT; break;
		case REG_ITEM_REJECTED:
		case REG_ITEM_REFUSED: ans->verdict = REG_VERDICT_REJECTED; break;
		case REG_ITEM_NOT_APPLICABLE:
		case REG_ITEM_NO_ANSWER: ans->given = false; break;
		}
	}
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	return 0;
}

static int take_history(const reg_registry_approval *a, void *ctx)
{
	struct verdicts *v = ctx;
	reg_escalation *esc = v->esc;
	const reg_item *it = reg_catalog_find_item(esc->cat, a->item);
	if (!it)
		return 0;
	if (reserve(&esc->history, &esc->cap_history, esc->n_history + 1, sizeof *esc->history,
		    v->errp) < 0)
		return -1;
	esc->history[esc->n_history++] = (struct past_verdict){
		.item = (size_t)reg_item_number(it) - 1, .at = a->at, .id = a->id,
		.supplement = strcmp(a->verdict, REG_REGISTRY_VERDICT_SUPPLEMENT) == 0};
	return 0;
}

/* By item, then in the order verdicts follow one another: time, ties by recording. */
static int by_item_and_time(const void *a, const void *b)
{
	const struct past_verdict *x = a, *y = b;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int take_version(const reg_registry_body *b, void *ctx)
{
	struct verdicts *v = ctx;
	reg_escalation *esc = v->esc;
	if (b->version <= 1)
		return 0;
	if (reserve(&esc->versions, &esc->cap_versions, esc->n_versions + 1,
		    sizeof *esc->versions, v->errp) < 0)
		return -1;
	esc->versions[esc->n_versions++] = b->recorded_at;
	return 0;
}

/* When the applicant next handed something in after `from`: the first body version recorded
 * later (REG_PAUSE_OPEN when none). */
static int64_t next_version(const reg_escalation *esc, int64_t from)
{
	int64_t next = REG_PAUSE_OPEN;
	for (size_t i = 0; i < esc->n_versions; i++)
		if (esc->versions[i] > from && (next == REG_PAUSE_OPEN || esc->versions[i] < next))
			next = esc->versions[i];
	return next;
}

/* Each supplement verdict stops its item's clock until the applicant hands in a new body
 * version (reg-supply) or the item's next verdict, whichever comes first (open while neither
 * has): the pauses of every answer, from the history read into esc->history. */
static int build_pauses(reg_escalation *esc, reg_err **errp)
{
	size_t n = esc->n_history;
	if (n == 0)
		return 0;
	if (reserve(&esc->pauses, &esc->cap_pauses, n, sizeof *esc->pauses, errp) < 0)
		return -1;
	qsort(esc->history, n, sizeof *esc->history, by_item_and_time);
	size_t used = 0;
	for (size_t i = 0; i < n;) {
		size_t item = esc->history[i].item, first = used;
		for (; i < n && esc->history[i].item == item; i++) {
			if (!esc->history[i].supplement)
				continue;
			bool last = i + 1 == n || esc->history[i + 1].item != item;
			int64_t to = next_version(esc, esc->history[i].at);
			if (!last && (to == REG_PAUSE_OPEN || esc->history[i + 1].at < to))
				to = esc->history[i + 1].at;
			esc->pauses[used++] = (reg_pause){.from = esc->history[i].at, .to = to};
		}
		reg_answer *ans = &esc->answers[item];
		ans->n_pauses = reg_pauses_normalize(esc->pauses + first, used - first);
		ans->pauses = ans->n_pauses ? esc->pauses + first : NULL;
		used = first + ans->n_pauses;
	}
	return 0;
}

int reg_escalation_review(reg_escalation *esc, reg_registry *reg, const reg_registry_dossier *row,
			  int64_t now, reg_item_progress *out, reg_err **errp)
{
	size_t n = reg_catalog_item_count(esc->cat);
	reg_dossier *d = NULL;
	reg_err *err = NULL;
	int rc = -1;

	if (!row->body) {
		return reg_err_set(errp, REG_EDATA, NULL, 0, NULL,
				   "dossier '%s': the registry holds no body", row->number);
	}
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), row->number, &err);
	if (!doc || !(d = reg_dossier_adopt(doc, row->number, 0, &err))) {
		reg_err_recode(err, REG_EDATA);
		reg_err_prefix(err, "dossier '%s' in the registry: ", row->number);
		reg_err_append(errp, &err);
		return -1;
	}
	memset(esc->answers, 0, n * sizeof *esc->answers);
	esc->n_history = 0;
	esc->n_versions = 0;
	struct verdicts v = {.esc = esc, .errp = errp};
	if (reg_rules_bind(esc->rules, d, row->accepted_at, esc->offset, errp) < 0 ||
	    reg_applicable_items(esc->cat, esc->rules, d, esc->applies, errp) < 0 ||
	    take_answers(esc, reg, row->number, errp) < 0 ||
	    reg_registry_each_approval(reg, row->number, take_history, &v, errp) != 0 ||
	    reg_registry_each_body(reg, row->number, take_version, &v, errp) != 0 ||
	    build_pauses(esc, errp) < 0)
		goto out;
	reg_escalation_assess(esc->cat, esc->cal, esc->applies, esc->answers,
			      reg_escalation_state_open(row->state), row->accepted_at, now,
			      &esc->gaps, out);
	rc = 0;
out:
	reg_dossier_free(d);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Slips
 */

static xmlNode *add_child(xmlNode *parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
}

static void set_attr(xmlNode *node, const char *name, const char *value)
{
	xmlSetProp(node, BAD_CAST name, BAD_CAST value);
}

/* <name attrs…><zh>…</zh><en>…</en></name> */
static xmlNode *add_names(xmlNode *parent, const char *name, const char *zh, const char *en)
{
	xmlNode *node = add_child(parent, name, NULL);
	if (node) {
		add_child(node, "zh", zh);
		add_child(node, "en", en);
	}
	return node;
}

xmlDoc *reg_slip_document(reg_escalation *esc, const reg_registry_dossier *row,
			  const reg_item_progress *rv, size_t step, int64_t issued_at, reg_err **errp)
{
	const reg_step *st = reg_catalog_step(esc->cat, step);
	const reg_department *dept = reg_item_department(rv->item);
	const char *supervisor = reg_authority_supervisor(esc->auth);
	int64_t day = reg_calendar_day_seconds(esc->cal);
	char when[REG_TIME_ISO_MAX], dur[REG_DURATION_ISO_MAX], num[24];
	if (!st || !dept) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "no step %zu in the catalog", step);
		return NULL;
	}
	if (reg_step_to_supervisor(st) && !supervisor) {
		reg_err_set(errp, REG_ECONFIG, NULL, 0, "/authority/supervisor",
			    "the authority names no supervisor: the %s (%s) cannot be addressed",
			    reg_step_en(st), reg_step_zh(st));
		return NULL;
	}
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "slip", NULL) : NULL;
	if (!root) {
		xmlFreeDoc(doc);
		reg_err_oom(errp);
		return NULL;
	}
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST REG_NS_SLIP, NULL));

	xmlNode *n = add_names(root, "step", reg_step_zh(st), reg_step_en(st));
	set_attr(n, "id", reg_step_id(st));
	snprintf(num, sizeof num, "%d", reg_step_percent(st));
	set_attr(n, "at", num);

	/* A transfer letter goes over the department's head, about it. */
	if (reg_step_to_supervisor(st)) {
		n = add_child(root, "to", NULL);
		set_attr(n, "role", "supervisor");
		add_child(n, "name", supervisor);
		n = add_names(root, "late", reg_department_zh(dept), reg_department_en(dept));
	} else {
		n = add_names(root, "to", reg_department_zh(dept), reg_department_en(dept));
	}
	set_attr(n, "dept", reg_department_id(dept));

	n = add_child(root, "from", NULL);
	set_attr(n, "division", reg_authority_division(esc->auth));
	add_child(n, "name", reg_authority_name(esc->auth));

	n = add_child(root, "dossier", NULL);
	set_attr(n, "number", row->number);
	reg_time_format(row->accepted_at, esc->offset, when);
	set_attr(n, "accepted", when);
	add_child(n, "enterprise", row->name);

	n = add_names(root, "item", reg_item_zh(rv->item), reg_item_en(rv->item));
	set_attr(n, "id", reg_item_id(rv->item));
	snprintf(num, sizeof num, "%d", reg_item_number(rv->item));
	set_attr(n, "number", num);
	set_attr(n, "why", reg_wait_name(rv->wait) ? reg_wait_name(rv->wait) : "no-answer");

	/* Durations are working time; a deadline past year 9999 is none. */
	reg_workdur_format(reg_item_time_limit(rv->item), dur);
	add_child(root, "time-limit", dur);
	if (rv->deadline != INT64_MAX) {
		reg_time_format(rv->deadline, esc->offset, when);
		add_child(root, "deadline", when);
	}
	int64_t late = rv->elapsed - rv->limit;
	reg_worktime_iso(late, day, dur);
	n = add_child(root, "overdue", dur);
	snprintf(num, sizeof num, "%" PRId64, late);
	set_attr(n, "seconds", num);
	reg_time_format(issued_at, esc->offset, when);
	add_child(root, "issued", when);
	return doc;
}

static bool plain_part(const char *s)
{
	if (!s || !*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

int reg_slip_file_name(const char *number, const char *item, const char *step, char **out,
		       reg_err **errp)
{
	*out = NULL;
	if (!plain_part(number) || !plain_part(item) || !plain_part(step))
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "slip '%s-%s-%s' would not make a plain file name",
				   number ? number : "", item ? item : "", step ? step : "");
	if (asprintf(out, "%s-%s-%s.xml", number, item, step) < 0) {
		*out = NULL;
		return reg_err_oom(errp);
	}
	return 0;
}

/* A slip found due in the reading pass. */
struct due {
	char *number, *name;
	int64_t accepted_at;
	reg_item_progress rv;
	size_t step;
};

struct plan {
	reg_escalation *esc;
	reg_registry *reg;
	int64_t now;
	reg_item_progress *reviews;
	struct due *due;
	size_t n, cap;
	reg_err **errp;
};

static int plan_dossier(const reg_registry_dossier *row, void *ctx)
{
	struct plan *p = ctx;
	if (!reg_escalation_state_open(row->state))
		return 0;
	if (reg_escalation_review(p->esc, p->reg, row, p->now, p->reviews, p->errp) < 0)
		return -1;
	for (size_t i = 0; i < reg_catalog_item_count(p->esc->cat); i++) {
		const reg_item_progress *rv = &p->reviews[i];
		for (int s = 0; s <= rv->step; s++) {
			if (reserve(&p->due, &p->cap, p->n + 1, sizeof *p->due, p->errp) < 0)
				return -1;
			struct due *d = &p->due[p->n];
			d->number = strdup(row->number);
			d->name = strdup(row->name ? row->name : "");
			if (!d->number || !d->name) {
				free(d->number);
				free(d->name);
				return reg_err_oom(p->errp);
			}
			d->accepted_at = row->accepted_at;
			d->rv = *rv;
			d->rv.answer.pauses = NULL; /* they live only until the next review */
			d->rv.answer.n_pauses = 0;
			d->step = (size_t)s;
			p->n++;
		}
	}
	return 0;
}

static int issue_one(struct plan *p, const struct due *d, const char *dir, reg_slip_fn fn,
		     void *ctx)
{
	reg_escalation *esc = p->esc;
	reg_err **errp = p->errp;
	const reg_step *st = reg_catalog_step(esc->cat, d->step);
	const char *item = reg_item_id(d->rv.item), *dept = reg_item_dept(d->rv.item);
	char *file = NULL, *path = NULL, *buf = NULL, *detail = NULL;
	xmlDoc *doc = NULL;
	reg_staged *staged = NULL;
	size_t len = 0;
	bool already = false;
	int rc = -1;

	if (reg_slip_file_name(d->number, item, reg_step_id(st), &file, errp) < 0)
		goto out;
	if (asprintf(&path, "%s/%s", dir, file) < 0 ||
	    asprintf(&detail, "%s %s to %s%s: %s", item, reg_step_id(st),
		     reg_step_to_supervisor(st) ? "the supervisor about " : "", dept, file) < 0) {
		path = detail = NULL;
		reg_err_oom(errp);
		goto out;
	}
	reg_registry_slip slip = {.number = d->number, .item = item, .step = reg_step_id(st),
				  .issued_at = p->now};
	if (reg_registry_begin(p->reg, errp) < 0 ||
	    reg_registry_add_slip(p->reg, &slip, &already, errp) < 0)
		goto out;
	if (already) {
		reg_registry_rollback(p->reg, errp);
	} else {
		reg_registry_dossier row = {.number = d->number, .name = d->name,
					    .accepted_at = d->accepted_at};
		if (!(doc = reg_slip_document(esc, &row, &d->rv, d->step, p->now, errp)) ||
		    reg_xml_serialize(doc, &buf, &len, errp) < 0 ||
		    !(staged = reg_file_stage(dir, file, buf, len, 0644, errp)) ||
		    reg_registry_add_event(p->reg, p->now, "escalated", d->number, detail, NULL,
					   errp) < 0 ||
		    reg_registry_commit(p->reg, errp) < 0)
			goto out;
		/* recorded: from here on the staged file is the only copy, never removed */
		reg_staged *recorded = staged;
		staged = NULL;
		if (reg_file_publish_recorded(recorded, errp) < 0)
			goto out;
	}
	rc = 0;
	if (fn) {
		reg_slip_issued s = {.number = d->number, .item = item, .dept = dept,
				     .step = reg_step_id(st), .path = path, .already = already};
		rc = fn(&s, ctx);
	}
out:
	if (rc < 0 || !already)
		reg_registry_rollback(p->reg, NULL);
	reg_file_abandon(staged);
	xmlFreeDoc(doc);
	free(buf);
	free(file);
	free(path);
	free(detail);
	return rc;
}

int reg_escalation_issue(reg_escalation *esc, reg_registry *reg, const char *dir, int64_t now,
			 reg_slip_fn fn, void *ctx, reg_err **errp)
{
	struct plan p = {.esc = esc, .reg = reg, .now = now, .errp = errp};
	int rc = -1;
	if (!(p.reviews = calloc(reg_catalog_item_count(esc->cat) + 1, sizeof *p.reviews))) {
		reg_err_oom(errp);
		goto out;
	}
	if (reg_registry_each_dossier(reg, NULL, plan_dossier, &p, errp) != 0)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		if (reg_step_to_supervisor(reg_catalog_step(esc->cat, p.due[i].step)) &&
		    !reg_authority_supervisor(esc->auth)) {
			reg_err_set(errp, REG_ECONFIG, NULL, 0, "/authority/supervisor",
				    "the authority names no supervisor: transfer letters cannot be "
				    "addressed (none of the %zu due slips written)",
				    p.n);
			goto out;
		}
	if (reg_mkdir(dir, errp) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < p.n && rc == 0; i++)
		rc = issue_one(&p, &p.due[i], dir, fn, ctx);
	if (rc > 0)
		rc = 0; /* the callback asked to stop */
out:
	for (size_t i = 0; i < p.n; i++) {
		free(p.due[i].number);
		free(p.due[i].name);
	}
	free(p.due);
	free(p.reviews);
	return rc;
}
