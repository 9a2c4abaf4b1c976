#include "approve.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "merge.h"
#include "xml.h"

/* The schema's caps (dossier.xsd person-name and reason), in characters. */
#define REVIEWER_MAX_CHARS 64
#define REASON_MAX_CHARS 4000

struct reg_review {
	const reg_catalog *cat;
	reg_rules *rules;
	reg_dossier *d;
	char *number;
	char digest[65];
	bool *applies;           /* per item index */
	reg_approval *added;     /* copies of what was appended, strings owned */
	size_t n_added, cap_added;
};

static int oom(reg_err **errp)
{
	return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
}

reg_review *reg_review_new(const reg_catalog *cat, reg_rules *rules, reg_dossier *d, int64_t now,
			   int offset_min, reg_err **errp)
{
	const char *file = reg_dossier_file(d);
	long line = reg_dossier_line(d);
	reg_review *rv = calloc(1, sizeof *rv);
	if (!rv || !(rv->applies = calloc(reg_catalog_item_count(cat) + 1, sizeof *rv->applies))) {
		free(rv);
		oom(errp);
		return NULL;
	}
	rv->cat = cat;
	rv->rules = rules;
	rv->d = d;
	if (!(rv->number = reg_dossier_number(d)) || !*rv->number) {
		reg_err_set(errp, REG_ENO, file, line, "/dossier/acceptance",
			    "not accepted: the dossier has no acceptance number");
		goto fail;
	}
	if (reg_dossier_approvals_capped(d, errp) < 0)
		goto fail;
	if (reg_dossier_state(d) == REG_STATE_ISSUED ||
	    reg_dossier_section(d, "issuance", false)) {
		reg_err_set(errp, REG_ENO, file, line, "/dossier/issuance",
			    "dossier '%s' is already issued", rv->number);
		goto fail;
	}
	if (reg_dossier_body_digest(d, rv->digest, errp) < 0 ||
	    reg_rules_bind(rules, d, now, offset_min, errp) < 0 ||
	    reg_applicable_items(cat, rules, d, rv->applies, errp) < 0)
		goto fail;
	return rv;
fail:
	reg_review_free(rv);
	return NULL;
}

void reg_review_free(reg_review *rv)
{
	if (!rv)
		return;
	reg_approval_list_free(rv->added, rv->n_added);
	free(rv->applies);
	free(rv->number);
	free(rv);
}

const char *reg_review_number(const reg_review *rv) { return rv->number; }
const char *reg_review_digest(const reg_review *rv) { return rv->digest; }

bool reg_review_applies(const reg_review *rv, size_t i)
{
	return i < reg_catalog_item_count(rv->cat) && rv->applies[i];
}

size_t reg_review_added_count(const reg_review *rv) { return rv->n_added; }

const reg_approval *reg_review_added(const reg_review *rv, size_t i)
{
	return i < rv->n_added ? &rv->added[i] : NULL;
}

/* Keep an owned copy of an appended approval for the registry. */
static int remember(reg_review *rv, const reg_approval *a, reg_err **errp)
{
	if (rv->n_added == rv->cap_added) {
		size_t cap = rv->cap_added ? 2 * rv->cap_added : 8;
		reg_approval *grown = realloc(rv->added, cap * sizeof *grown);
		if (!grown)
			return oom(errp);
		rv->added = grown;
		rv->cap_added = cap;
	}
	reg_approval *c = &rv->added[rv->n_added];
	*c = (reg_approval){.verdict = a->verdict};
	rv->n_added++; /* counted now, so a partial copy is freed with the list */
	c->item = strdup(a->item);
	c->dept = strdup(a->dept);
	c->reviewer = strdup(a->reviewer);
	c->time = strdup(a->time);
	c->digest = strdup(a->digest);
	if (a->n_reasons && !(c->reasons = calloc(a->n_reasons, sizeof *c->reasons)))
		return oom(errp);
	for (size_t i = 0; i < a->n_reasons; i++) {
		c->n_reasons++;
		if (!(c->reasons[i] = strdup(a->reasons[i])))
			return oom(errp);
	}
	if (!c->item || !c->dept || !c->reviewer || !c->time || !c->digest)
		return oom(errp);
	return 0;
}

static int append(reg_review *rv, const reg_approval *a, reg_err **errp)
{
	if (reg_dossier_add_approval(rv->d, a, errp) < 0)
		return -1;
	return remember(rv, a, errp);
}

/* The automatic verdict on one applicable item: its require rules. */
static int judge(reg_review *rv, const reg_item *it, reg_approval *a, const char **reasons,
		 reg_err **errp)
{
	bool reject = false;
	a->n_reasons = 0;
	for (size_t r = 0; r < reg_item_require_count(it); r++) {
		bool ok = false;
		if (reg_rules_test(rv->rules, reg_item_require_expr(it, r),
				   reg_item_require_source(it, r), &ok, errp) < 0) {
			reg_err_prefix(*errp, "item '%s': ", reg_item_id(it));
			return -1;
		}
		if (ok)
			continue;
		reasons[a->n_reasons++] = reg_item_require_message(it, r);
		reject |= reg_item_require_on_fail(it, r) == REG_ON_FAIL_REJECT;
	}
	a->verdict = a->n_reasons == 0 ? REG_VERDICT_APPROVED
		   : reject            ? REG_VERDICT_REJECTED
				       : REG_VERDICT_SUPPLEMENT;
	return 0;
}

static const reg_department *known_dept(const reg_review *rv, const char *dept, reg_err **errp)
{
	const reg_department *dp = dept ? reg_catalog_find_department(rv->cat, dept) : NULL;
	if (!dp)
		reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "unknown department '%s' (catalog %s)",
			    dept ? dept : "", reg_catalog_path(rv->cat));
	return dp;
}

/* Characters of a UTF-8 string (continuation bytes not counted). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
			return true;
	return false;
}

bool reg_approve_reviewer_valid(const char *reviewer)
{
	return reviewer && *reviewer && utf8_chars(reviewer) <= REVIEWER_MAX_CHARS &&
	       !has_control(reviewer) && !strchr(reviewer, '\n') && !strchr(reviewer, '\t');
}

static bool bad_reviewer(const char *reviewer, reg_err **errp)
{
	if (reg_approve_reviewer_valid(reviewer))
		return false;
	reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
		    "the reviewer must be a name of 1 to %d characters on one line",
		    REVIEWER_MAX_CHARS);
	return true;
}

int reg_approve_dept(reg_review *rv, const char *dept, const char *reviewer, const char *time,
		     reg_err **errp)
{
	if (!known_dept(rv, dept, errp) || bad_reviewer(reviewer, errp))
		return -1;
	size_t most = 0;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat); i++)
		if (reg_item_require_count(reg_catalog_item(rv->cat, i)) > most)
			most = reg_item_require_count(reg_catalog_item(rv->cat, i));
	const char **reasons = calloc(most + 1, sizeof *reasons);
	if (!reasons)
		return oom(errp);
	int n = 0;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat); i++) {
		const reg_item *it = reg_catalog_item(rv->cat, i);
		if (strcmp(reg_item_dept(it), dept) != 0)
			continue;
		reg_approval a = {
			.item = (char *)reg_item_id(it), .dept = (char *)dept,
			.reviewer = (char *)reviewer, .time = (char *)time, .digest = rv->digest,
			.verdict = REG_VERDICT_NOT_APPLICABLE, .reasons = (char **)reasons,
		};
		if (rv->applies[i] && judge(rv, it, &a, reasons, errp) < 0)
			n = -1;
		else if (append(rv, &a, errp) < 0)
			n = -1;
		if (n < 0)
			break;
		n++;
	}
	free(reasons);
	return n;
}

int reg_approve_manual(reg_review *rv, const char *dept, const char *item, reg_verdict verdict,
		       const char *const *reasons, size_t n_reasons, const char *reviewer,
		       const char *time, reg_err **errp)
{
	const char *file = reg_dossier_file(rv->d);
	long line = reg_dossier_line(rv->d);
	if (!known_dept(rv, dept, errp))
		return -1;
	if (verdict == REG_VERDICT_NOT_APPLICABLE)
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "a clerk decides approved, rejected or supplement; whether an item "
				   "applies is the catalog's to say");
	if (bad_reviewer(reviewer, errp))
		return -1;
	if (n_reasons == 0)
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "a manual verdict needs a reason");
	for (size_t r = 0; r < n_reasons; r++)
		if (!reasons[r] || !*reasons[r] || utf8_chars(reasons[r]) > REASON_MAX_CHARS ||
		    has_control(reasons[r]))
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
					   "a reason must be text of 1 to %d characters",
					   REASON_MAX_CHARS);
	const reg_item *only = NULL;
	if (item) {
		if (!(only = reg_catalog_find_item(rv->cat, item)))
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "unknown item '%s'", item);
		if (strcmp(reg_item_dept(only), dept) != 0)
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
					   "item '%s' belongs to department '%s', not '%s'", item,
					   reg_item_dept(only), dept);
		if (!rv->applies[reg_item_number(only) - 1])
			return reg_err_set(errp, REG_ENO, file, line, NULL,
					   "item '%s' (%s) does not apply to dossier '%s'", item,
					   reg_item_zh(only), rv->number);
	}
	int n = 0;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat); i++) {
		const reg_item *it = reg_catalog_item(rv->cat, i);
		if ((only && it != only) || strcmp(reg_item_dept(it), dept) != 0 || !rv->applies[i])
			continue;
		reg_approval a = {
			.item = (char *)reg_item_id(it), .dept = (char *)dept,
			.reviewer = (char *)reviewer, .time = (char *)time, .digest = rv->digest,
			.verdict = verdict, .reasons = (char **)reasons, .n_reasons = n_reasons,
		};
		if (append(rv, &a, errp) < 0)
			return -1;
		n++;
	}
	if (n == 0)
		return reg_err_set(errp, REG_ENO, file, line, NULL,
				   "no item of department '%s' applies to dossier '%s'", dept,
				   rv->number);
	return n;
}

int reg_approve_registered(reg_registry *reg, const char *number, const char *digest,
			   reg_err **errp)
{
	reg_registry_dossier row = {0};
	bool found = false;
	int rc = -1;
	if (reg_registry_get_dossier(reg, number, &row, &found, errp) < 0)
		return -1;
	if (!found)
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "dossier '%s' is not in the registry %s",
			    number, reg_registry_path(reg));
	else if (strcmp(row.state, REG_REGISTRY_STATE_ISSUED) == 0)
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "dossier '%s' is already issued", number);
	else if (strcmp(row.body_digest, digest) != 0)
		reg_err_set(errp, REG_ENO, NULL, 0, "/dossier",
			    "dossier '%s' is not the one accepted: its body changed since "
			    "acceptance (digest %.12s…, accepted %.12s…)",
			    number, digest, row.body_digest);
	else
		rc = 0;
	reg_registry_dossier_clear(&row);
	return rc;
}

/* "ITEM DEPT VERDICT by REVIEWER[: REASON; REASON…]", the event's detail, in one allocation of
 * its exact size (a stream's growing buffer per approval cost the main thread dearly). */
static char *verdict_detail(const reg_approval *a)
{
	const char *verdict = reg_verdict_name(a->verdict);
	size_t len = strlen(a->item) + strlen(a->dept) + strlen(verdict) + strlen(a->reviewer) + 6;
	for (size_t r = 0; r < a->n_reasons; r++)
		len += 2 + strlen(a->reasons[r]);
	char *detail = malloc(len + 1), *p = detail;
	if (!detail)
		return NULL;
	p += sprintf(p, "%s %s %s by %s", a->item, a->dept, verdict, a->reviewer);
	for (size_t r = 0; r < a->n_reasons; r++)
		p += sprintf(p, "%s%s", r ? "; " : ": ", a->reasons[r]);
	return detail;
}

int reg_approve_record(reg_registry *reg, const reg_review *rv, int offset_min, reg_err **errp)
{
	for (size_t i = 0; i < rv->n_added; i++) {
		const reg_approval *a = &rv->added[i];
		int64_t at = 0;
		if (reg_time_parse(a->time, offset_min, &at, NULL, errp) < 0)
			return -1;
		reg_registry_approval row = {
			.number = rv->number, .item = a->item, .dept = a->dept,
			.verdict = reg_verdict_name(a->verdict), .at = at, .reviewer = a->reviewer,
			.body_digest = a->digest,
		};
		char *detail = verdict_detail(a);
		if (!detail)
			return oom(errp);
		int rc = reg_registry_add_approval(reg, &row, errp) < 0 ||
				 reg_registry_add_event(reg, at, "verdict", rv->number, detail, NULL,
							errp) < 0
			 ? -1
			 : 0;
		free(detail);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int reg_approve_all(const reg_catalog *cat, reg_rules *rules, reg_dossier *d,
		    const char *reviewer, const char *time, int64_t now, int offset_min,
		    reg_review **out, char digest[65], reg_err **errp)
{
	*out = NULL;
	reg_review *rv = reg_review_new(cat, rules, d, now, offset_min, errp);
	if (!rv)
		return -1;
	for (size_t i = 0; i < reg_catalog_department_count(cat); i++)
		if (reg_approve_dept(rv, reg_department_id(reg_catalog_department(cat, i)), reviewer,
				     time, errp) < 0)
			goto fail;
	reg_merge_opts o = {.catalog = cat, .rules = rules, .now = now, .offset_min = offset_min};
	reg_dossier *one[1] = {d};
	if (reg_merge(&o, one, 1, digest, errp) < 0)
		goto fail;
	*out = rv;
	return 0;
fail:
	reg_review_free(rv);
	return -1;
}

/* ---- the queue ------------------------------------------------------------------------- */

typedef enum slot_state { SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE } slot_state;

typedef struct slot {
	reg_dossier *dossier; /* until its worker lets it go */
	reg_approve_result r;
	slot_state state;
} slot;

typedef struct worker {
	reg_approve_queue *q;
	reg_rules *rules;
	pthread_t tid;
	bool running;
} worker;

struct reg_approve_queue {
	const reg_catalog *cat;
	char *reviewer, *time;
	int64_t now;
	int offset;
	unsigned threads;
	size_t window;
	slot *slots;               /* a ring: dossier number k lives in slots[k % window] */
	size_t pushed, started, popped; /* counts of dossiers; started only moves under mu */
	worker *workers;           /* threads of them; with one, no thread runs */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	unsigned idle;             /* workers waiting for work */
	bool main_waiting;         /* pop is waiting for the oldest dossier */
	size_t batch;              /* wake an idle worker once this many wait to be started */
	bool stop;
};

/* Everything a dossier needs but the registry and the output, then the tree goes: freed by the
 * thread that grew it last, not by the busy main thread. */
static void run_slot(reg_approve_queue *q, reg_rules *rules, slot *s)
{
	reg_approve_result *r = &s->r;
	reg_dossier *d = s->dossier;
	s->dossier = NULL;
	if (reg_approve_all(q->cat, rules, d, q->reviewer, q->time, q->now, q->offset,
			    &r->review, r->digest, &r->err) == 0 &&
	    (reg_merge_outcome_of(d, &r->outcome, &r->err) < 0 ||
	     reg_xml_dump(reg_dossier_doc(d), r->nested, &r->xml, &r->xml_len, &r->err) < 0)) {
		reg_review_free(r->review);
		r->review = NULL;
	}
	if (r->review)
		r->review->d = NULL; /* the review outlives its dossier: only its copies are used */
	reg_dossier_free(d);
}

static void *work(void *arg)
{
	worker *w = arg;
	reg_approve_queue *q = w->q;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && q->started == q->pushed) {
			q->idle++;
			pthread_cond_wait(&q->work, &q->mu);
			q->idle--;
		}
		if (q->stop)
			break;
		slot *s = &q->slots[q->started++ % q->window];
		s->state = SLOT_RUNNING;
		pthread_mutex_unlock(&q->mu);
		run_slot(q, w->rules, s);
		pthread_mutex_lock(&q->mu);
		s->state = SLOT_DONE;
		if (q->main_waiting)
			pthread_cond_signal(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

reg_approve_queue *reg_approve_queue_new(const reg_catalog *cat, unsigned threads, size_t window,
					 const char *reviewer, const char *time, int64_t now,
					 int offset_min, reg_err **errp)
{
	if (threads < 1 || threads > REG_APPROVE_MAX_THREADS) {
		reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "threads must be 1 to %d",
			    REG_APPROVE_MAX_THREADS);
		return NULL;
	}
	if (window == 0)
		window = 32 * (size_t)threads;
	if (window < threads)
		window = threads;
	reg_approve_queue *q = calloc(1, sizeof *q);
	if (!q) {
		oom(errp);
		return NULL;
	}
	q->cat = cat;
	q->now = now;
	q->offset = offset_min;
	q->window = window;
	/* Waking a thread is a system call (and a costly one in a virtual machine): an idle worker
	 * is woken for a handful of dossiers at a time, not for each one. */
	q->batch = window / (2 * (size_t)threads) ? window / (2 * (size_t)threads) : 1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	if (!(q->reviewer = strdup(reviewer)) || !(q->time = strdup(time)) ||
	    !(q->slots = calloc(window, sizeof *q->slots)) ||
	    !(q->workers = calloc(threads, sizeof *q->workers))) {
		oom(errp);
		goto fail;
	}
	/* Every context is made here, in the calling thread, before any worker runs. */
	for (unsigned i = 0; i < threads; i++) {
		q->workers[i].q = q;
		if (!(q->workers[i].rules = reg_rules_new(errp)))
			goto fail;
		q->threads = i + 1;
	}
	for (unsigned i = 0; threads > 1 && i < threads; i++) {
		if (pthread_create(&q->workers[i].tid, NULL, work, &q->workers[i]) != 0) {
			reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot start thread %u", i + 1);
			goto fail;
		}
		q->workers[i].running = true;
	}
	return q;
fail:
	reg_approve_queue_free(q);
	return NULL;
}

bool reg_approve_queue_full(const reg_approve_queue *q)
{
	return q->pushed - q->popped >= q->window;
}

size_t reg_approve_queue_pending(const reg_approve_queue *q)
{
	return q->pushed - q->popped;
}

int reg_approve_queue_push(reg_approve_queue *q, reg_dossier *d, bool nested, reg_err **errp)
{
	if (reg_approve_queue_full(q)) {
		reg_dossier_free(d);
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "approval queue is full");
	}
	char *file = strdup(reg_dossier_file(d) ? reg_dossier_file(d) : "-");
	if (!file) {
		reg_dossier_free(d);
		return oom(errp);
	}
	slot *s = &q->slots[q->pushed % q->window];
	*s = (slot){.dossier = d,
		    .r = {.file = file, .line = reg_dossier_line(d), .nested = nested},
		    .state = SLOT_QUEUED};
	if (q->threads == 1) {
		run_slot(q, q->workers[0].rules, s);
		s->state = SLOT_DONE;
		q->pushed++;
		return 0;
	}
	pthread_mutex_lock(&q->mu);
	q->pushed++;
	if (q->idle > 0 && q->pushed - q->started >= q->batch)
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

size_t reg_approve_queue_window(const reg_approve_queue *q)
{
	return q->window;
}

int reg_approve_queue_pop(reg_approve_queue *q, bool wait, reg_approve_result *out)
{
	if (q->popped == q->pushed)
		return 0;
	slot *s = &q->slots[q->popped % q->window];
	pthread_mutex_lock(&q->mu);
	if (!wait && s->state != SLOT_DONE) {
		pthread_mutex_unlock(&q->mu);
		return 0;
	}
	while (s->state != SLOT_DONE) {
		/* Fewer than a batch may be waiting: make sure they are being worked on. */
		if (q->idle > 0 && q->started < q->pushed)
			pthread_cond_broadcast(&q->work);
		q->main_waiting = true;
		pthread_cond_wait(&q->done, &q->mu);
		q->main_waiting = false;
	}
	pthread_mutex_unlock(&q->mu);
	*out = s->r;
	s->r = (reg_approve_result){0};
	q->popped++;
	return 1;
}

void reg_approve_result_clear(reg_approve_result *r)
{
	if (!r)
		return;
	free(r->file);
	reg_review_free(r->review);
	reg_merge_outcome_clear(&r->outcome);
	free(r->xml);
	reg_err_free(r->err);
	*r = (reg_approve_result){0};
}

void reg_approve_queue_free(reg_approve_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (unsigned i = 0; q->workers && i < q->threads; i++)
		if (q->workers[i].running)
			pthread_join(q->workers[i].tid, NULL);
	/* Whatever is still in the ring (finished or never started) goes with the queue. */
	for (size_t k = q->popped; q->slots && k < q->pushed; k++) {
		reg_dossier_free(q->slots[k % q->window].dossier);
		reg_approve_result_clear(&q->slots[k % q->window].r);
	}
	for (unsigned i = 0; q->workers && i < q->threads; i++)
		reg_rules_free(q->workers[i].rules);
	free(q->workers);
	free(q->slots);
	free(q->reviewer);
	free(q->time);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
