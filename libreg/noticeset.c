#include "noticeset.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "catalog.h"
#include "clock.h"
#include "escalation.h"
#include "ledger.h"
#include "notice.h"
#include "registry.h"
#include "rules.h"
#include "worktime.h"
#include "xml.h"

static const struct {
	reg_notice_kind kind;
	const char *name;
	const char *word; /* the 字 of its reference number */
} kinds[] = {
	{REG_NOTICE_RECEIPT, "receipt", "受"},   {REG_NOTICE_ONETIME, "onetime", "补"},
	{REG_NOTICE_REJECTION, "rejection", "驳"}, {REG_NOTICE_SLIP, "slip", "督"},
	{REG_NOTICE_OVERDUE, "overdue", "逾"},
};

int reg_notice_kind_parse(const char *text, reg_notice_kind *out)
{
	for (size_t i = 0; text && i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(text, kinds[i].name) == 0) {
			*out = kinds[i].kind;
			return 0;
		}
	return -1;
}

const char *reg_notice_kind_name(reg_notice_kind k)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (kinds[i].kind == k)
			return kinds[i].name;
	return "?";
}

static const char *kind_word(reg_notice_kind k)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (kinds[i].kind == k)
			return kinds[i].word;
	return "";
}

/* Everything one notice is made from; every string it prints lives in `pool` until the end. */
typedef struct ctx {
	reg_config *cfg;
	const reg_notice_request *rq;
	reg_catalog *cat;
	const reg_authority *auth;
	reg_registry *reg;
	reg_ledger *ledger;
	reg_rules *rules;
	int64_t now;
	int offset;
	reg_ledger_record *rec;
	reg_dossier *body;
	bool *applies;
	reg_assessment as;
	char **pool;
	size_t n_pool, cap_pool;
	bool failed;                  /* out of memory while keeping a string */
} ctx;

/* Keep a string the caller allocated (NULL stays NULL, and marks the failure). */
static const char *keep(ctx *c, char *s)
{
	if (!s) {
		c->failed = true;
		return NULL;
	}
	if (c->n_pool == c->cap_pool) {
		size_t cap = c->cap_pool ? 2 * c->cap_pool : 32;
		char **grown = realloc(c->pool, cap * sizeof *grown);
		if (!grown) {
			free(s);
			c->failed = true;
			return NULL;
		}
		c->pool = grown, c->cap_pool = cap;
	}
	return c->pool[c->n_pool++] = s;
}

/* The same for a text that may rightly be missing (a field the body leaves out). */
static const char *keep_opt(ctx *c, char *s)
{
	return s ? keep(c, s) : NULL;
}

static const char *keepf(ctx *c, const char *fmt, ...) REG_PRINTF(2, 3);

static const char *keepf(ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return keep(c, n < 0 ? NULL : s);
}

/* 2026年11月23日 */
static const char *zh_date(ctx *c, int64_t at)
{
	int y, m, d;
	reg_time_civil(at, c->offset, &y, &m, &d);
	return keepf(c, "%d年%d月%d日", y, m, d);
}

/* 2026年11月23日 09:00 */
static const char *zh_datetime(ctx *c, int64_t at)
{
	int64_t local = at + (int64_t)c->offset * 60, day = local % 86400;
	if (day < 0)
		day += 86400;
	int y, m, d;
	reg_time_civil(at, c->offset, &y, &m, &d);
	return keepf(c, "%d年%d月%d日 %02d:%02d", y, m, d, (int)(day / 3600), (int)(day / 60 % 60));
}

/* "2026-12-20" as 2026年12月20日 (as written when it is not such a date). */
static const char *zh_day(ctx *c, const char *iso)
{
	int y, m, d;
	if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && reg_date_valid(y, m, d))
		return keepf(c, "%d年%d月%d日", y, m, d);
	return iso;
}

static const char *material_zh(const ctx *c, const char *id)
{
	const reg_material *m = reg_catalog_find_material(c->cat, id);
	return m ? reg_material_zh(m) : id;
}

static const char *dept_zh(const reg_item *it)
{
	return reg_department_zh(reg_item_department(it));
}

/* ---- the record ---------------------------------------------------------------------------- */

static int read_record(ctx *c, reg_err **errp)
{
	if (!(c->rec = reg_ledger_read(c->ledger, c->reg, c->rq->number, true, errp)))
		return -1;
	const reg_registry_dossier *row = reg_ledger_row(c->rec);
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), reg_registry_path(c->reg),
					   errp);
	if (!doc || !(c->body = reg_dossier_adopt(doc, reg_registry_path(c->reg), 0, errp)))
		return -1;
	if (!(c->applies = calloc(reg_catalog_item_count(c->cat) + 1, sizeof *c->applies)))
		return reg_err_oom(errp);
	return reg_rules_bind(c->rules, c->body, row->accepted_at, c->offset, errp) < 0 ||
			       reg_applicable_items(c->cat, c->rules, c->body, c->applies, errp) < 0 ||
			       reg_ledger_assess(c->ledger, c->rec, c->applies, &c->as, errp) < 0
		       ? -1
		       : 0;
}

static const reg_approval *in_force(const ctx *c, size_t i)
{
	long k = i < c->as.n_items ? c->as.in_force[i] : -1;
	return k >= 0 && (size_t)k < reg_ledger_verdict_count(c->rec)
		       ? &reg_ledger_verdicts(c->rec)[k]
		       : NULL;
}

typedef struct owed {
	ctx *c;
	reg_notice_commitment *list;  /* receipt */
	reg_notice_owed *late;        /* overdue */
	size_t n, n_late;
	bool failed;
} owed;

static int take_commitment(const reg_registry_commitment *k, void *arg)
{
	owed *o = arg;
	if (k->fulfilled_at)
		return 0;
	reg_notice_commitment *grown = realloc(o->list, (o->n + 1) * sizeof *grown);
	reg_notice_owed *late = realloc(o->late, (o->n_late + 1) * sizeof *late);
	if (grown)
		o->list = grown;
	if (late)
		o->late = late;
	if (!grown || !late) {
		o->failed = true;
		return -1;
	}
	const char *material = material_zh(o->c, k->material), *due = zh_day(o->c, k->due);
	o->list[o->n++] = (reg_notice_commitment){.material = material, .due = due};
	if (k->due_at < o->c->now)
		o->late[o->n_late++] = (reg_notice_owed){
			.material = material, .promised = due,
			.days = (int)((o->c->now - k->due_at + 86399) / 86400)};
	return 0;
}

static int read_commitments(ctx *c, owed *o, reg_err **errp)
{
	o->c = c;
	if (reg_registry_each_commitment_of(c->reg, c->rq->number, take_commitment, o, errp) < 0)
		return o->failed ? reg_err_oom(errp) : -1;
	return 0;
}

/* ---- the reference number ------------------------------------------------------------------- */

typedef struct found_ref {
	const char *key;
	size_t key_len;
	char *reference;
	int64_t at;
} found_ref;

static int find_ref(const reg_registry_event *e, void *arg)
{
	found_ref *f = arg;
	if (strcmp(e->kind, "notice") != 0 || !e->detail ||
	    strncmp(e->detail, f->key, f->key_len) != 0 || e->detail[f->key_len] != ' ')
		return 0;
	free(f->reference);
	f->reference = strdup(e->detail + f->key_len + 1);
	f->at = e->at;
	return f->reference ? 0 : -1;
}

/* The notice's number and date: recorded before, or taken now (in the open transaction). */
static int reference(ctx *c, const char **ref, int64_t *date, bool *taken, reg_err **errp)
{
	const reg_notice_request *rq = c->rq;
	const char *key = rq->kind == REG_NOTICE_SLIP
				  ? keepf(c, "slip:%s:%s", rq->item, rq->step)
				  : reg_notice_kind_name(rq->kind);
	found_ref f = {.key = key, .key_len = key ? strlen(key) : 0};
	*taken = false;
	if (!key)
		return reg_err_oom(errp);
	if (reg_registry_each_event(c->reg, rq->number, find_ref, &f, errp) < 0) {
		free(f.reference);
		return -1;
	}
	if (f.reference) {
		*ref = keep(c, f.reference);
		*date = f.at;
		return *ref ? 0 : reg_err_oom(errp);
	}
	int y, m, d;
	uint64_t serial = 0;
	reg_time_civil(c->now, c->offset, &y, &m, &d);
	const char *counter = keepf(c, "notice:%s:%s:%d", reg_notice_kind_name(rq->kind),
				    reg_authority_division(c->auth), y);
	if (!counter || reg_registry_next_serial(c->reg, counter, &serial, errp) < 0)
		return counter ? -1 : reg_err_oom(errp);
	*ref = keepf(c, "市监%s字〔%d〕第%llu号", kind_word(rq->kind), y, (unsigned long long)serial);
	const char *detail = *ref ? keepf(c, "%s %s", key, *ref) : NULL;
	if (!detail)
		return reg_err_oom(errp);
	*date = c->now;
	*taken = true;
	return reg_registry_add_event(c->reg, c->now, "notice", rq->number, detail, NULL, errp);
}

/* ---- each kind ------------------------------------------------------------------------------ */

static int receipt(ctx *c, const reg_notice_head *head, const char *name, reg_document **docs,
		   size_t *count, reg_err **errp)
{
	const reg_registry_dossier *row = reg_ledger_row(c->rec);
	const reg_calendar *cal = reg_authority_calendar(c->auth);
	size_t n = reg_catalog_item_count(c->cat), k = 0;
	reg_notice_item *items = calloc(n + 1, sizeof *items);
	owed o = {0};
	reg_calendar_gaps gaps = {0};
	int rc = -1;
	if (!items) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!c->applies[i])
			continue;
		const reg_item *it = reg_catalog_item(c->cat, i);
		reg_workdur limit = reg_item_time_limit(it);
		items[k++] = (reg_notice_item){
			.number = keepf(c, "%d", reg_item_number(it)), .name = reg_item_zh(it),
			.department = dept_zh(it),
			.due = reg_workdur_is_zero(limit)
				       ? NULL
				       : zh_datetime(c, reg_worktime_end(cal, row->accepted_at,
									 reg_workdur_seconds(cal, limit),
									 NULL, 0, &gaps))};
	}
	if (read_commitments(c, &o, errp) < 0)
		goto out;
	char *form = reg_dossier_text(c->body, "enterprise/form");
	char *rep = reg_dossier_text(c->body, "enterprise/legal-representative/name");
	reg_acceptance_notice notice = {
		.head = *head, .number = row->number, .enterprise = row->name,
		.form = keep_opt(c, form), .legal_rep = keep_opt(c, rep),
		.accepted_at = zh_datetime(c, row->accepted_at), .window = row->window,
		.clerk = row->clerk, .items = items, .n_items = k, .commitments = o.list,
		.n_commitments = o.n};
	rc = c->failed ? reg_err_oom(errp) : reg_notice_acceptance(&notice, name, docs, count, errp);
out:
	free(o.list);
	free(o.late);
	free(items);
	return rc;
}

static int onetime(ctx *c, const reg_notice_head *head, const char *name, reg_document **docs,
		   size_t *count, reg_err **errp)
{
	size_t n = reg_catalog_item_count(c->cat), k = 0;
	reg_notice_problem *problems = calloc(n + 1, sizeof *problems);
	const char ***bring = calloc(n + 1, sizeof *bring);
	int rc = -1;
	if (!problems || !bring) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const reg_approval *a = in_force(c, i);
		if (i >= c->as.n_items || c->as.status[i] != REG_ITEM_SUPPLEMENT || !a)
			continue;
		const reg_item *it = reg_catalog_item(c->cat, i);
		size_t uses = reg_item_material_count(it);
		if (!(bring[k] = calloc(uses + 1, sizeof **bring))) {
			reg_err_oom(errp);
			goto out;
		}
		for (size_t u = 0; u < uses; u++)
			bring[k][u] = material_zh(c, reg_item_material_id(it, u));
		problems[k] = (reg_notice_problem){
			.department = dept_zh(it), .subject = reg_item_zh(it),
			.reasons = (const char *const *)a->reasons, .n_reasons = a->n_reasons,
			.bring = bring[k], .n_bring = uses};
		k++;
	}
	if (k == 0) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL,
			    "dossier %s is %s: no department asks it for a supplement", c->rq->number,
			    reg_state_name(reg_ledger_state(c->rec)));
		goto out;
	}
	reg_onetime_notice notice = {
		.head = *head, .kind = REG_ONETIME_SUPPLEMENT, .number = c->rq->number,
		.enterprise = reg_ledger_row(c->rec)->name, .problems = problems, .n_problems = k};
	rc = reg_notice_onetime(&notice, name, docs, count, errp);
out:
	for (size_t i = 0; bring && i < n; i++)
		free(bring[i]);
	free(bring);
	free(problems);
	return rc;
}

static int rejection(ctx *c, const reg_notice_head *head, const char *name, reg_document **docs,
		     size_t *count, reg_err **errp)
{
	if (reg_ledger_state(c->rec) != REG_STATE_REJECTED)
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "dossier %s is %s, not rejected: no rejection notice",
				   c->rq->number, reg_state_name(reg_ledger_state(c->rec)));
	size_t n = reg_catalog_item_count(c->cat), k = 0;
	reg_notice_rejected *items = calloc(n + 1, sizeof *items);
	if (!items)
		return reg_err_oom(errp);
	for (size_t i = 0; i < n && i < c->as.n_items; i++) {
		const reg_approval *a = in_force(c, i);
		if (!a || (c->as.status[i] != REG_ITEM_REJECTED && c->as.status[i] != REG_ITEM_REFUSED))
			continue;
		const reg_item *it = reg_catalog_item(c->cat, i);
		items[k++] = (reg_notice_rejected){
			.item = reg_item_zh(it), .department = dept_zh(it),
			.reasons = (const char *const *)a->reasons, .n_reasons = a->n_reasons};
	}
	reg_rejection_notice notice = {
		.head = *head, .number = c->rq->number, .enterprise = reg_ledger_row(c->rec)->name,
		.items = items, .n_items = k};
	int rc = reg_notice_rejection(&notice, name, docs, count, errp);
	free(items);
	return rc;
}

typedef struct slip_find {
	const char *item, *step;
	int64_t issued_at;
	bool found;
} slip_find;

static int find_slip(const reg_registry_slip *s, void *arg)
{
	slip_find *f = arg;
	if (strcmp(s->item, f->item) == 0 && strcmp(s->step, f->step) == 0) {
		f->issued_at = s->issued_at;
		f->found = true;
	}
	return 0;
}

static reg_slip_kind slip_kind(const char *step_id, size_t index)
{
	static const char *const ids[] = {"reminder", "urging", "supervision", "transfer"};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
		if (strcmp(step_id, ids[i]) == 0)
			return (reg_slip_kind)i;
	return index < 3 ? (reg_slip_kind)index : REG_SLIP_TRANSFER;
}

static int slip(ctx *c, const reg_notice_head *head, const char *name, reg_document **docs,
		size_t *count, reg_err **errp)
{
	const reg_notice_request *rq = c->rq;
	const reg_item *it = rq->item ? reg_catalog_find_item(c->cat, rq->item) : NULL;
	const reg_step *st = NULL;
	size_t index = 0;
	for (size_t i = 0; rq->step && i < reg_catalog_step_count(c->cat); i++)
		if (strcmp(reg_step_id(reg_catalog_step(c->cat, i)), rq->step) == 0)
			st = reg_catalog_step(c->cat, i), index = i;
	if (!it || !st)
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "a slip is named by a catalog item and a step of its ladder "
				   "(--item, --step)");
	slip_find f = {.item = rq->item, .step = rq->step};
	if (reg_registry_each_slip(c->reg, rq->number, find_slip, &f, errp) < 0)
		return -1;
	if (!f.found)
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "no %s (%s) was issued for '%s' of dossier %s", reg_step_zh(st),
				   rq->step, rq->item, rq->number);
	const char *supervisor = reg_authority_supervisor(c->auth);
	if (reg_step_to_supervisor(st) && !supervisor)
		return reg_err_set(errp, REG_ECONFIG, NULL, 0, "/authority/supervisor",
				   "the authority names no supervisor: the %s cannot be addressed",
				   reg_step_zh(st));
	/* The review as it stood when the slip was issued. */
	reg_escalation *esc = reg_escalation_new(c->cat, c->auth, errp);
	reg_item_progress *progress =
		esc ? calloc(reg_catalog_item_count(c->cat) + 1, sizeof *progress) : NULL;
	int rc = -1;
	if (esc && !progress)
		reg_err_oom(errp);
	if (!progress || reg_escalation_review(esc, c->reg, reg_ledger_row(c->rec), f.issued_at,
					       progress, errp) < 0)
		goto out;
	const reg_item_progress *p = &progress[reg_item_number(it) - 1];
	const reg_registry_dossier *row = reg_ledger_row(c->rec);
	int percent = p->limit > 0 ? (int)(p->elapsed * 100 / p->limit) : 0;
	reg_slip_notice notice = {
		.head = *head, .kind = slip_kind(rq->step, index), .title = reg_step_zh(st),
		.addressee = reg_step_to_supervisor(st) ? supervisor : dept_zh(it),
		.department = dept_zh(it), .number = rq->number, .enterprise = row->name,
		.item = reg_item_zh(it), .accepted_at = zh_datetime(c, row->accepted_at),
		.deadline = p->deadline == INT64_MAX ? NULL : zh_datetime(c, p->deadline),
		.elapsed = keepf(c, "已用 %.1f 工作小时（承诺时限的%d%%）", (double)p->elapsed / 3600,
				 percent)};
	rc = c->failed ? reg_err_oom(errp) : reg_notice_slip(&notice, name, docs, count, errp);
out:
	free(progress);
	reg_escalation_free(esc);
	return rc;
}

static int overdue(ctx *c, const reg_notice_head *head, const char *name, reg_document **docs,
		   size_t *count, reg_err **errp)
{
	owed o = {0};
	int rc = -1;
	if (read_commitments(c, &o, errp) < 0)
		goto out;
	if (o.n_late == 0) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL,
			    "dossier %s owes no commitment past its due date", c->rq->number);
		goto out;
	}
	reg_overdue_notice notice = {.head = *head, .number = c->rq->number,
				     .enterprise = reg_ledger_row(c->rec)->name, .items = o.late,
				     .n_items = o.n_late};
	rc = c->failed ? reg_err_oom(errp) : reg_notice_overdue(&notice, name, docs, count, errp);
out:
	free(o.list);
	free(o.late);
	return rc;
}

/* ---- the request ---------------------------------------------------------------------------- */

static int make(ctx *c, reg_document **docs, size_t *count, char **ref_out, reg_err **errp)
{
	const reg_notice_request *rq = c->rq;
	const char *ref = NULL;
	int64_t date = 0;
	bool taken = false;
	if (read_record(c, errp) < 0 || reference(c, &ref, &date, &taken, errp) < 0)
		return -1;
	reg_notice_head head = {
		.authority = reg_authority_name(c->auth),
		.stamp = reg_catalog_find_seal(c->cat, "official"),
		.test_authority = reg_authority_test_only(c->auth), .reference = ref,
		.date = zh_date(c, date)};
	const char *name = rq->kind == REG_NOTICE_SLIP
				   ? keepf(c, "%s-%s-%s", rq->number, rq->item, rq->step)
				   : keepf(c, "%s-%s", rq->number, reg_notice_kind_name(rq->kind));
	if (c->failed)
		return reg_err_oom(errp);
	int rc;
	switch (rq->kind) {
	case REG_NOTICE_RECEIPT: rc = receipt(c, &head, name, docs, count, errp); break;
	case REG_NOTICE_ONETIME: rc = onetime(c, &head, name, docs, count, errp); break;
	case REG_NOTICE_REJECTION: rc = rejection(c, &head, name, docs, count, errp); break;
	case REG_NOTICE_SLIP: rc = slip(c, &head, name, docs, count, errp); break;
	case REG_NOTICE_OVERDUE: rc = overdue(c, &head, name, docs, count, errp); break;
	default: rc = reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "unknown notice"); break;
	}
	if (rc == 0 && ref_out && !(*ref_out = strdup(ref)))
		rc = reg_err_oom(errp);
	return rc;
}

int reg_notice_make(reg_config *cfg, const reg_notice_request *rq, reg_document **docs,
		    size_t *count, char **reference_out, reg_err **errp)
{
	ctx c = {.cfg = cfg, .rq = rq};
	int rc = -1;
	*docs = NULL;
	*count = 0;
	if (reference_out)
		*reference_out = NULL;
	if (!(c.cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				       errp)) ||
	    !(c.auth = reg_config_authority(cfg, errp)) || reg_config_now(cfg, &c.now, errp) < 0 ||
	    reg_config_offset(cfg, &c.offset, errp) < 0 ||
	    !(c.reg = reg_registry_open_existing(reg_config_db(cfg), errp)) ||
	    !(c.ledger = reg_ledger_new(c.cat, NULL, c.offset, errp)) ||
	    !(c.rules = reg_rules_new(errp)) || reg_registry_begin(c.reg, errp) < 0)
		goto out;
	if (make(&c, docs, count, reference_out, errp) < 0 || reg_registry_commit(c.reg, errp) < 0) {
		reg_registry_rollback(c.reg, NULL);
		reg_documents_free(*docs, *count);
		*docs = NULL;
		*count = 0;
		if (reference_out) {
			free(*reference_out);
			*reference_out = NULL;
		}
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < c.n_pool; i++)
		free(c.pool[i]);
	free(c.pool);
	reg_assessment_clear(&c.as);
	free(c.applies);
	reg_dossier_free(c.body);
	reg_ledger_record_free(c.rec);
	reg_rules_free(c.rules);
	reg_ledger_free(c.ledger);
	reg_registry_free(c.reg);
	reg_catalog_free(c.cat);
	return rc;
}
