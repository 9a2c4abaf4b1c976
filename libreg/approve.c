#include "approve.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "clock.h"
#include "ledger.h"
#include "merge.h"
#include "registry.h"
#include "utf8.h"
#include "verdict.h"
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
	bool *decided;           /* per item index: its verdict in force stands (keep_decided) */
	reg_approval *added;     /* copies of what was appended, strings owned */
	size_t n_added, cap_added;
};

reg_review *reg_review_new(const reg_catalog *cat, reg_rules *rules, reg_dossier *d, int64_t now,
			   int offset_min, reg_err **errp)
{
	const char *file = reg_dossier_file(d);
	long line = reg_dossier_line(d);
	reg_review *rv = calloc(1, sizeof *rv);
	if (!rv || !(rv->applies = calloc(reg_catalog_item_count(cat) + 1, sizeof *rv->applies)) ||
	    !(rv->decided = calloc(reg_catalog_item_count(cat) + 1, sizeof *rv->decided))) {
		if (rv)
			free(rv->applies);
		free(rv);
		reg_err_oom(errp);
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
	free(rv->decided);
	free(rv->number);
	free(rv);
}

const char *reg_review_number(const reg_review *rv) { return rv->number; }
const char *reg_review_digest(const reg_review *rv) { return rv->digest; }
const bool *reg_review_applicable(const reg_review *rv) { return rv->applies; }

bool reg_review_applies(const reg_review *rv, size_t i)
{
	return i < reg_catalog_item_count(rv->cat) && rv->applies[i];
}

size_t reg_review_keep_decided(reg_review *rv, const reg_assessment *as)
{
	size_t n = 0;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat) && i < as->n_items; i++) {
		rv->decided[i] = rv->applies[i] && as->status[i] != REG_ITEM_NO_ANSWER &&
				 as->status[i] != REG_ITEM_NOT_APPLICABLE;
		n += rv->decided[i];
	}
	return n;
}

size_t reg_review_added_count(const reg_review *rv) { return rv->n_added; }

const reg_approval *reg_review_added(const reg_review *rv, size_t i)
{
	return i < rv->n_added ? &rv->added[i] : NULL;
}

/* Keep an owned copy of an approval to append.  Reasons are kept as an element's text reads
 * back (trimmed), since that is what a verifier rebuilds the signed statement from. */
static int remember(reg_review *rv, const reg_approval *a, reg_err **errp)
{
	if (rv->n_added == rv->cap_added) {
		size_t cap = rv->cap_added ? 2 * rv->cap_added : 8;
		reg_approval *grown = realloc(rv->added, cap * sizeof *grown);
		if (!grown)
			return reg_err_oom(errp);
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
		return reg_err_oom(errp);
	for (size_t i = 0; i < a->n_reasons; i++) {
		c->n_reasons++;
		if (!(c->reasons[i] = reg_xml_trimmed(a->reasons[i])))
			return reg_err_oom(errp);
	}
	if (!c->item || !c->dept || !c->reviewer || !c->time || !c->digest)
		return reg_err_oom(errp);
	return 0;
}

/* The approvals remembered since `first` are one department's statement: sign it, then append
 * them to the dossier.  On failure they are forgotten again. */
static int sign_and_append(reg_review *rv, size_t first, const reg_sign_key *key,
			   reg_err **errp)
{
	size_t n = rv->n_added - first;
	reg_approval **group = calloc(n ? n : 1, sizeof *group);
	int rc = -1;
	if (!group) {
		reg_err_oom(errp);
		goto out;
	}
	if (!key) {
		reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
			    "no private key of department '%s' to sign with",
			    rv->added[first].dept);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		group[i] = &rv->added[first + i];
	if (reg_statement_sign(key, rv->number, group, n, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (reg_dossier_add_approval(rv->d, group[i], errp) < 0)
			goto out;
	rc = 0;
out:
	if (rc < 0) {
		for (size_t i = first; i < rv->n_added; i++)
			reg_approval_clear(&rv->added[i]);
		rv->n_added = first;
	}
	free(group);
	return rc;
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

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
			return true;
	return false;
}

bool reg_approve_reviewer_valid(const char *reviewer)
{
	return reviewer && *reviewer &&
	       reg_utf8_count(reviewer, strlen(reviewer)) <= REVIEWER_MAX_CHARS &&
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
		     const reg_sign_key *key, reg_err **errp)
{
	if (!known_dept(rv, dept, errp) || bad_reviewer(reviewer, errp))
		return -1;
	size_t most = 0, first = rv->n_added;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat); i++)
		if (reg_item_require_count(reg_catalog_item(rv->cat, i)) > most)
			most = reg_item_require_count(reg_catalog_item(rv->cat, i));
	const char **reasons = calloc(most + 1, sizeof *reasons);
	if (!reasons)
		return reg_err_oom(errp);
	int rc = 0;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat) && rc == 0; i++) {
		const reg_item *it = reg_catalog_item(rv->cat, i);
		if (strcmp(reg_item_dept(it), dept) != 0 || !rv->applies[i] || rv->decided[i])
			continue;
		reg_approval a = {
			.item = (char *)reg_item_id(it), .dept = (char *)dept,
			.reviewer = (char *)reviewer, .time = (char *)time, .digest = rv->digest,
			.reasons = (char **)reasons,
		};
		if (judge(rv, it, &a, reasons, errp) < 0 || remember(rv, &a, errp) < 0)
			rc = -1;
	}
	free(reasons);
	if (rc == 0 && rv->n_added > first && sign_and_append(rv, first, key, errp) < 0)
		rc = -1;
	return rc < 0 ? -1 : (int)(rv->n_added - first);
}

int reg_approve_manual(reg_review *rv, const char *dept, const char *item, reg_verdict verdict,
		       const char *const *reasons, size_t n_reasons, const char *reviewer,
		       const char *time, const reg_sign_key *key, reg_err **errp)
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
		if (!reasons[r] || !*reasons[r] ||
		    reg_utf8_count(reasons[r], strlen(reasons[r])) > REASON_MAX_CHARS ||
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
	size_t first = rv->n_added;
	for (size_t i = 0; i < reg_catalog_item_count(rv->cat); i++) {
		const reg_item *it = reg_catalog_item(rv->cat, i);
		if ((only && it != only) || strcmp(reg_item_dept(it), dept) != 0 || !rv->applies[i])
			continue;
		reg_approval a = {
			.item = (char *)reg_item_id(it), .dept = (char *)dept,
			.reviewer = (char *)reviewer, .time = (char *)time, .digest = rv->digest,
			.verdict = verdict, .reasons = (char **)reasons, .n_reasons = n_reasons,
		};
		if (remember(rv, &a, errp) < 0)
			return -1;
	}
	if (rv->n_added == first)
		return reg_err_set(errp, REG_ENO, file, line, NULL,
				   "no item of department '%s' applies to dossier '%s'", dept,
				   rv->number);
	if (sign_and_append(rv, first, key, errp) < 0)
		return -1;
	return (int)(rv->n_added - first);
}

int reg_approve_all(const reg_catalog *cat, reg_rules *rules, const reg_keyring *keys,
		    reg_dossier *d, const char *reviewer, const char *time, int64_t now,
		    int offset_min, reg_review **out, reg_err **errp)
{
	int64_t at = 0;
	*out = NULL;
	if (reg_time_parse(time, offset_min, &at, NULL, errp) < 0)
		return -1;
	reg_review *rv = reg_review_new(cat, rules, d, now, offset_min, errp);
	if (!rv)
		return -1;
	for (size_t i = 0; i < reg_catalog_department_count(cat); i++) {
		const char *dept = reg_department_id(reg_catalog_department(cat, i));
		if (reg_approve_dept(rv, dept, reviewer, time, reg_keyring_signer(keys, dept, at),
				     errp) < 0)
			goto fail;
	}
	reg_dossier *one[1] = {d};
	if (reg_merge_approvals(cat, offset_min, one, 1, errp) < 0)
		goto fail;
	*out = rv;
	return 0;
fail:
	reg_review_free(rv);
	return -1;
}

/* ---- the queue (--all) ------------------------------------------------------------------
 *
 * A ring of at most `window` dossiers under reg_approve_all on a small pool of threads, handed
 * back in the order they went in (memory stays flat whatever the stream's length).  Each
 * worker has its own rules context, made in the calling thread; the catalog and the keyring
 * are shared read-only.  With one thread there is no thread at all.  Everything a dossier needs
 * but the registry and the output happens in the workers — review, signing, ordering, the
 * proposed state, serializing, freeing its tree — because the main thread is what bounds the
 * run (bench/RESULTS.md).
 */

/* What a worker hands back, everything owned; the dossier itself is gone. */
typedef struct result {
	char *file;
	long line;
	reg_review *review;        /* what was added (own verdicts); NULL when refused */
	reg_approval *prior;       /* the approvals the input carried */
	size_t n_prior;
	size_t n_union;            /* approvals in the written dossier that are verdicts */
	bool has_other;            /* ... and whether it also holds not-applicable ones */
	reg_state proposed;        /* the state the worker wrote */
	char *xml;
	size_t xml_len;
	bool nested;
	reg_err *err;              /* REG_ENO: refused, the run goes on; otherwise it stops */
} result;

static void result_clear(result *r)
{
	if (!r)
		return;
	free(r->file);
	reg_review_free(r->review);
	reg_approval_list_free(r->prior, r->n_prior);
	free(r->xml);
	reg_err_free(r->err);
	*r = (result){0};
}

typedef enum slot_state { SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE } slot_state;

typedef struct slot {
	reg_dossier *dossier; /* until its worker lets it go */
	result r;
	slot_state state;
} slot;

typedef struct queue queue;

typedef struct worker {
	queue *q;
	reg_rules *rules;
	pthread_t tid;
	bool running;
} worker;

struct queue {
	const reg_catalog *cat;
	const reg_keyring *keys;
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

/* The approvals of d that are verdicts, and whether it has others (not-applicable ones). */
static void count_verdicts(reg_dossier *d, size_t *verdicts, bool *others)
{
	*verdicts = 0;
	*others = false;
	reg_xml_for_each_child(a, reg_dossier_section(d, "approvals", false), REG_NS_DOSSIER,
			       "approval") {
		char *v = reg_xml_attr(a, "verdict");
		bool na = !v || strcmp(v, "not-applicable") == 0;
		*others |= na;
		*verdicts += !na;
		free(v);
	}
}

static void run_slot(queue *q, reg_rules *rules, slot *s)
{
	result *r = &s->r;
	reg_dossier *d = s->dossier;
	reg_assessment as = {0};
	s->dossier = NULL;
	if (reg_dossier_approvals(d, &r->prior, &r->n_prior, &r->err) < 0 ||
	    reg_approve_all(q->cat, rules, q->keys, d, q->reviewer, q->time, q->now, q->offset,
			    &r->review, &r->err) < 0)
		goto out;
	reg_approval *list = NULL;
	size_t n = 0;
	if (reg_dossier_approvals(d, &list, &n, &r->err) == 0 &&
	    reg_assess(q->cat, reg_review_applicable(r->review), list, n, NULL, q->offset, &as,
		       &r->err) == 0 &&
	    reg_assessment_write(q->cat, &as, d, &r->err) == 0) {
		r->proposed = as.state;
		count_verdicts(d, &r->n_union, &r->has_other);
		reg_xml_dump(reg_dossier_doc(d), r->nested, &r->xml, &r->xml_len, &r->err);
	}
	reg_approval_list_free(list, n);
	reg_assessment_clear(&as);
out:
	if (r->err) {
		reg_review_free(r->review);
		r->review = NULL;
	}
	reg_dossier_free(d);
}

static void *work(void *arg)
{
	worker *w = arg;
	queue *q = w->q;
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

static void queue_free(queue *q)
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
		result_clear(&q->slots[k % q->window].r);
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

static queue *queue_new(const reg_catalog *cat, const reg_keyring *keys, unsigned threads,
			const char *reviewer, const char *time, int64_t now, int offset_min,
			reg_err **errp)
{
	if (threads < 1 || threads > REG_APPROVE_MAX_THREADS) {
		reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "threads must be 1 to %d",
			    REG_APPROVE_MAX_THREADS);
		return NULL;
	}
	queue *q = calloc(1, sizeof *q);
	if (!q) {
		reg_err_oom(errp);
		return NULL;
	}
	*q = (queue){.cat = cat, .keys = keys, .now = now, .offset = offset_min,
		     .window = 32 * (size_t)threads};
	/* Waking a thread is a system call (and a costly one in a virtual machine): an idle worker
	 * is woken for a handful of dossiers at a time, not for each one. */
	q->batch = q->window / (2 * (size_t)threads) ? q->window / (2 * (size_t)threads) : 1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	if (!(q->reviewer = strdup(reviewer)) || !(q->time = strdup(time)) ||
	    !(q->slots = calloc(q->window, sizeof *q->slots)) ||
	    !(q->workers = calloc(threads, sizeof *q->workers))) {
		reg_err_oom(errp);
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
	queue_free(q);
	return NULL;
}

static bool queue_full(const queue *q) { return q->pushed - q->popped >= q->window; }
static size_t queue_pending(const queue *q) { return q->pushed - q->popped; }

/* Hand a dossier over (ownership passes, also on failure). */
static int queue_push(queue *q, reg_dossier *d, bool nested, reg_err **errp)
{
	char *file = strdup(reg_dossier_file(d) ? reg_dossier_file(d) : "-");
	if (!file) {
		reg_dossier_free(d);
		return reg_err_oom(errp);
	}
	slot *s = &q->slots[q->pushed % q->window];
	*s = (slot){.dossier = d, .r = {.file = file, .line = reg_dossier_line(d), .nested = nested},
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

/* The oldest dossier pushed: 1 and *out filled; 0 when nothing is in flight, or when `wait` is
 * false and the oldest is not finished yet. */
static int queue_pop(queue *q, bool wait, result *out)
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
	s->r = (result){0};
	q->popped++;
	return 1;
}

/* ---- the run ---------------------------------------------------------------------------- */

typedef struct run {
	reg_config *cfg;
	const reg_approve_request *rq;
	reg_catalog *cat;
	reg_keyring *keys;
	reg_ledger *ledger;
	reg_registry *reg;        /* opened when the first dossier comes, unless offline */
	reg_rules *rules;         /* the main thread's (DEPT, DECISION) */
	const reg_sign_key *key;  /* DEPT, DECISION */
	const reg_authority *auth; /* noted at the first output when it is the TEST authority */
	queue *queue;             /* ALL */
	result *group;            /* ALL: what one transaction records */
	size_t group_max;
	FILE *out;
	reg_xml_out *xo;
	bool batch;
	int64_t now;
	int offset;
	char time[REG_TIME_ISO_MAX];
	const char *reviewer;
	size_t seen, refused;
	bool found;               /* DECISION: the dossier was in the input */
	bool stopped;             /* a failure stopped the run: what is still queued is dropped */
} run;

static reg_xml_out *output(run *r, reg_err **errp)
{
	if (r->xo)
		return r->xo;
	if (!(r->xo = reg_xml_out_new(r->out, r->batch)))
		reg_err_oom(errp);
	else
		reg_cli_note_test_authority(r->rq->prog, r->auth);
	return r->xo;
}

static int emit(run *r, reg_dossier *d, reg_err **errp)
{
	reg_xml_out *xo = output(r, errp);
	return xo ? reg_xml_out_write(xo, reg_dossier_doc(d), errp) : -1;
}

/* A dossier's own problem (REG_ENO) is printed and the run goes on; anything else stops it. */
static int refuse(run *r, const char *file, long line, reg_err *err, reg_err **errp)
{
	if (reg_cli_delay(r->rq->prog, err, file, line, &r->refused, errp) == 0)
		return 0;
	r->stopped = true;
	return -1;
}

/* The automatic review's own verdicts on items whose verdict in force stands are not recorded
 * (reg_review_keep_decided says why); the ALL workers reviewed without the registry, so this is
 * where it is applied to them.  `list`/`own` are compacted in place, *n updated. */
static int drop_decided(run *r, const reg_ledger_record *rec, const bool *applies,
			reg_approval *list, bool *own, size_t *n, reg_err **errp)
{
	reg_assessment before = {0};
	if (reg_ledger_assess(r->ledger, rec, applies, &before, errp) < 0)
		return -1;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		const reg_item *it = own[i] ? reg_catalog_find_item(r->cat, list[i].item) : NULL;
		size_t k = it ? (size_t)reg_item_number(it) - 1 : 0;
		if (it && k < before.n_items && before.status[k] != REG_ITEM_NO_ANSWER &&
		    before.status[k] != REG_ITEM_NOT_APPLICABLE)
			continue;
		list[kept] = list[i];
		own[kept++] = own[i];
	}
	*n = kept;
	reg_assessment_clear(&before);
	return 0;
}

/*
 * One dossier through the ledger, inside the open transaction: the registry must hold it with
 * this body as its current one and not have issued it; the approvals it carries (`prior`, and
 * the `added` ones this run gave) are admitted, the state settled.  *rec is the record after.
 */
static int through_ledger(run *r, const char *number, const char *digest, const bool *applies,
			  const reg_approval *prior, size_t n_prior, const reg_review *rv,
			  reg_ledger_record **recp, reg_assessment *as, reg_err **errp)
{
	size_t n_added = rv ? reg_review_added_count(rv) : 0, n = n_prior + n_added, added = 0;
	reg_approval *list = calloc(n ? n : 1, sizeof *list);
	bool *own = calloc(n ? n : 1, sizeof *own);
	int rc = -1;
	reg_ledger_record *rec = NULL;
	*recp = NULL;
	if (!list || !own) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n_prior; i++)
		list[i] = prior[i]; /* shallow */
	for (size_t i = 0; i < n_added; i++) {
		list[n_prior + i] = *reg_review_added(rv, i);
		own[n_prior + i] = true;
	}
	if (!(rec = reg_ledger_read(r->ledger, r->reg, number, true, errp)))
		goto out;
	const reg_registry_dossier *row = reg_ledger_row(rec);
	if (reg_ledger_state(rec) == REG_STATE_ISSUED) {
		reg_err_set(errp, REG_ENO, NULL, 0, "/dossier", "dossier '%s' is already issued",
			    number);
		goto out;
	}
	if (strcmp(row->body_digest, digest) != 0) {
		int64_t v = 0;
		if (reg_ledger_holds_body(rec, digest, &v))
			reg_err_set(errp, REG_ENO, NULL, 0, "/dossier",
				    "dossier '%s' is version %lld of its body; the registry holds a "
				    "newer one (version %lld): review that one (reg-status --export)",
				    number, (long long)v, (long long)row->version);
		else
			reg_err_set(errp, REG_ENO, NULL, 0, "/dossier",
				    "dossier '%s' is not the one accepted: its body changed since "
				    "acceptance (digest %.12s…, registry %.12s…)",
				    number, digest, row->body_digest);
		goto out;
	}
	if (r->rq->mode != REG_APPROVE_DECISION && n_added > 0 &&
	    drop_decided(r, rec, applies, list, own, &n, errp) < 0)
		goto out;
	if (reg_ledger_admit(r->ledger, r->reg, rec, list, n, own, &added, errp) < 0 ||
	    reg_ledger_assess(r->ledger, rec, applies, as, errp) < 0 ||
	    reg_ledger_settle(r->ledger, r->reg, rec, as, r->now, added > 0, NULL, errp) < 0)
		goto out;
	*recp = rec;
	rec = NULL;
	rc = 0;
out:
	reg_ledger_record_free(rec);
	free(list);
	free(own);
	return rc;
}

static reg_registry *registry(run *r, reg_err **errp)
{
	if (!r->reg)
		r->reg = reg_registry_open_existing(reg_config_db(r->cfg), errp);
	return r->reg;
}

/* DEPT and DECISION: one dossier in the main thread, one transaction. */
/* DEPT: what stands in the registry is not reviewed again (reg_review_keep_decided).  A
 * dossier the registry does not hold, or holds with another body, is left to through_ledger
 * to refuse with its reason. */
static int keep_decided(run *r, reg_review *rv, reg_err **errp)
{
	reg_err *err = NULL;
	reg_ledger_record *rec = reg_ledger_read(r->ledger, r->reg, reg_review_number(rv), true, &err);
	reg_assessment as = {0};
	int rc = 0;
	if (!rec) {
		rc = reg_err_code(err) == REG_ENO ? 0 : -1;
		if (rc < 0)
			reg_err_append(errp, &err);
	} else if (strcmp(reg_ledger_row(rec)->body_digest, reg_review_digest(rv)) == 0) {
		if ((rc = reg_ledger_assess(r->ledger, rec, reg_review_applicable(rv), &as, errp)) == 0)
			reg_review_keep_decided(rv, &as);
	}
	reg_err_free(err);
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	return rc;
}

static int review_one(run *r, reg_dossier *d, reg_err **errp)
{
	const reg_approve_request *rq = r->rq;
	reg_err *err = NULL;
	reg_review *rv = NULL;
	reg_approval *prior = NULL;
	size_t n_prior = 0;
	reg_ledger_record *rec = NULL;
	reg_assessment as = {0};
	int rc = 0;
	if (rq->mode == REG_APPROVE_DECISION) {
		char *number = reg_dossier_number(d);
		bool mine = number && strcmp(number, rq->dossier) == 0;
		free(number);
		if (!mine)
			return emit(r, d, errp); /* not the clerk's: passes through untouched */
		r->found = true;
	}
	reg_dossier *one[1] = {d};
	if (reg_dossier_approvals(d, &prior, &n_prior, &err) < 0 ||
	    !(rv = reg_review_new(r->cat, r->rules, d, r->now, r->offset, &err)))
		goto refused;
	if (!rq->offline) {
		if (!registry(r, errp)) {
			rc = -1;
			goto out;
		}
		/* One transaction from reading what stands to recording what was decided. */
		if (reg_registry_begin(r->reg, &err) < 0 ||
		    (rq->mode == REG_APPROVE_DEPT && keep_decided(r, rv, &err) < 0))
			goto refused;
	}
	if ((rq->mode == REG_APPROVE_DECISION
		     ? reg_approve_manual(rv, rq->dept, rq->item, rq->verdict, rq->reasons,
					  rq->n_reasons, r->reviewer, r->time, r->key, &err)
		     : reg_approve_dept(rv, rq->dept, r->reviewer, r->time, r->key, &err)) < 0 ||
	    reg_merge_approvals(r->cat, r->offset, one, 1, &err) < 0)
		goto refused;
	/* The registry settles the state; the output stays this department's stream (its state
	 * attribute as it came), for reg-merge to make the ledger's view of. */
	if (!rq->offline &&
	    (through_ledger(r, reg_review_number(rv), reg_review_digest(rv),
			    reg_review_applicable(rv), prior, n_prior, rv, &rec, &as, &err) < 0 ||
	     reg_registry_commit(r->reg, &err) < 0))
		goto refused;
	rc = emit(r, d, errp);
	goto out;
refused:
	if (r->reg && reg_registry_in_transaction(r->reg))
		reg_registry_rollback(r->reg, NULL);
	rc = refuse(r, reg_dossier_file(d), reg_dossier_line(d), err, errp);
out:
	reg_assessment_clear(&as);
	reg_ledger_record_free(rec);
	reg_approval_list_free(prior, n_prior);
	reg_review_free(rv);
	return rc;
}

/* ALL: the worker's text stands when the ledger's view is exactly what the worker wrote —
 * every verdict of the dossier recorded and nothing else, one body version, the same state —
 * which is the case but for a registry that knew more than the stream; otherwise the view is
 * made from the worker's text here. */
static int view_of(run *r, result *g, const reg_ledger_record *rec, const reg_assessment *as,
		   reg_err **errp)
{
	if (reg_ledger_verdict_count(rec) == g->n_union && !g->has_other &&
	    reg_ledger_versions(rec) == 1 && reg_ledger_state(rec) == g->proposed)
		return 0;
	xmlDoc *doc = reg_xml_parse_memory(g->xml, g->xml_len, g->file, errp);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, g->file, g->line, errp) : NULL;
	char *xml = NULL;
	size_t len = 0;
	int rc = -1;
	if (d && reg_ledger_write_view(r->ledger, rec, as, d, errp) == 0 &&
	    reg_xml_dump(reg_dossier_doc(d), g->nested, &xml, &len, errp) == 0) {
		free(g->xml);
		g->xml = xml;
		g->xml_len = len;
		rc = 0;
	}
	reg_dossier_free(d);
	return rc;
}

static void drop(result *g)
{
	free(g->xml);
	g->xml = NULL;
}

/* ALL: a group of finished dossiers, in input order, recorded in ONE transaction, each in its
 * own savepoint so a refused one is undone alone; then written — those whose text is still
 * there.  A failure that stops the run keeps what the group recorded before it. */
static int finish_group(run *r, size_t n, reg_err **errp)
{
	result *g = r->group;
	int rc = 0;
	if (!r->stopped && !r->rq->offline &&
	    (!registry(r, errp) || reg_registry_begin(r->reg, errp) < 0)) {
		r->stopped = true;
		rc = -1;
	}
	for (size_t i = 0; i < n; i++) {
		reg_err *err = NULL;
		reg_ledger_record *rec = NULL;
		reg_assessment as = {0};
		if (r->stopped) {
			drop(&g[i]); /* neither recorded nor written */
		} else if (g[i].err) {
			rc |= refuse(r, g[i].file, g[i].line, g[i].err, errp);
			g[i].err = NULL;
			drop(&g[i]);
		} else if (!r->rq->offline &&
			   (reg_registry_savepoint(r->reg, &err) < 0 ||
			    through_ledger(r, reg_review_number(g[i].review),
					   reg_review_digest(g[i].review),
					   reg_review_applicable(g[i].review), g[i].prior, g[i].n_prior,
					   g[i].review, &rec, &as, &err) < 0 ||
			    view_of(r, &g[i], rec, &as, &err) < 0 ||
			    reg_registry_savepoint_release(r->reg, &err) < 0)) {
			reg_registry_savepoint_rollback(r->reg, NULL);
			drop(&g[i]);
			rc |= refuse(r, g[i].file, g[i].line, err, errp);
		}
		reg_ledger_record_free(rec);
		reg_assessment_clear(&as);
	}
	if (r->reg && reg_registry_in_transaction(r->reg) && reg_registry_commit(r->reg, errp) < 0) {
		r->stopped = true;
		rc = -1;
		for (size_t i = 0; i < n; i++)
			drop(&g[i]);
	}
	bool writing = true; /* until a write fails */
	for (size_t i = 0; i < n; i++) {
		if (g[i].xml && writing) {
			reg_xml_out *xo = output(r, errp);
			if (!xo || reg_xml_out_write_dump(xo, g[i].nested, g[i].xml, g[i].xml_len,
							  errp) < 0) {
				r->stopped = true;
				writing = false;
				rc = -1;
			}
		}
		result_clear(&g[i]);
	}
	return rc;
}

/* Hand back finished dossiers: all of them, or only until there is room for one more.  The
 * oldest is waited for; whatever else is finished already joins its group. */
static int drain(run *r, bool all, reg_err **errp)
{
	int rc = 0;
	while (all ? queue_pending(r->queue) > 0 : queue_full(r->queue)) {
		size_t n = 0;
		while (n < r->group_max && queue_pop(r->queue, n == 0, &r->group[n]) == 1)
			n++;
		if (finish_group(r, n, errp) < 0)
			rc = -1;
	}
	return rc;
}

static int read_input(run *r, const char *name, reg_err **errp)
{
	FILE *fp = reg_cli_open_input(name, errp);
	if (!fp)
		return -1;
	reg_xml_stream *s = reg_xml_stream_new(fp, name, errp);
	xmlDoc *doc = NULL;
	long line = 0;
	int rc = s ? 0 : -1, more;
	reg_progress_watch(reg_config_progress(r->cfg, "dossiers"), fp);
	while (s && !r->stopped && (more = reg_xml_stream_next(s, &doc, &line, errp)) != 0) {
		if (more < 0) {
			rc = -1;
			break;
		}
		r->batch |= reg_xml_stream_is_batch(s);
		reg_dossier *d = reg_dossier_adopt(doc, name, line, errp);
		if (!d) {
			rc = -1;
			break;
		}
		r->seen++;
		reg_progress_add(reg_config_progress(r->cfg, "dossiers"), 1);
		if (r->queue) {
			/* Make room first; push takes the dossier, also when it fails. */
			if (drain(r, false, errp) < 0) {
				reg_dossier_free(d);
				rc = -1;
			} else if (queue_push(r->queue, d, r->batch, errp) < 0) {
				rc = -1;
			}
		} else {
			rc = review_one(r, d, errp);
			reg_dossier_free(d);
		}
		if (rc < 0)
			break;
	}
	if (s && reg_xml_stream_is_batch(s))
		r->batch = true;
	reg_xml_stream_free(s);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* What the request asks of the catalog, checked before any input is read. */
static int check_request(run *r, reg_err **errp)
{
	const reg_approve_request *rq = r->rq;
	if (rq->dept && !reg_catalog_find_department(r->cat, rq->dept))
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "unknown department '%s' (see --list-depts)", rq->dept);
	if (rq->item) {
		const reg_item *it = reg_catalog_find_item(r->cat, rq->item);
		if (!it)
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "unknown item '%s'",
					   rq->item);
		if (strcmp(reg_item_dept(it), rq->dept) != 0)
			return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
					   "item '%s' belongs to department '%s', not '%s'", rq->item,
					   reg_item_dept(it), rq->dept);
	}
	return 0;
}

/* The private keys this run signs with: the department's (DEPT, DECISION) or every catalog
 * department's (ALL), for the run's time. */
static int load_keys(run *r, const reg_authority *auth, reg_err **errp)
{
	const reg_approve_request *rq = r->rq;
	if (!(r->keys = reg_keyring_new(auth, errp)))
		return -1;
	if (rq->mode == REG_APPROVE_ALL) {
		size_t n = reg_catalog_department_count(r->cat);
		const char **depts = calloc(n ? n : 1, sizeof *depts);
		if (!depts)
			return reg_err_oom(errp);
		for (size_t i = 0; i < n; i++)
			depts[i] = reg_department_id(reg_catalog_department(r->cat, i));
		int rc = reg_keyring_load_signers(r->keys, depts, n, r->now, errp);
		free(depts);
		if (rc < 0)
			return -1;
	} else if (rq->key ? reg_keyring_use_private_file(r->keys, rq->dept, rq->key, r->now,
							  errp) < 0
			   : reg_keyring_load_signers(r->keys, &rq->dept, 1, r->now, errp) < 0) {
		return -1;
	} else {
		r->key = reg_keyring_signer(r->keys, rq->dept, r->now);
	}
	r->auth = auth;
	return 0;
}

int reg_approve_run(reg_config *cfg, const reg_approve_request *rq, char *const *inputs,
		    size_t n_inputs, const char *output_path, reg_err **errp)
{
	run r = {.cfg = cfg, .rq = rq,
		 .reviewer = rq->reviewer ? rq->reviewer : REG_APPROVE_REVIEWER};
	const reg_authority *auth = NULL;
	int rc = -1;

	if (!(r.cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				       errp)) ||
	    check_request(&r, errp) < 0 || reg_config_now(cfg, &r.now, errp) < 0 ||
	    reg_config_offset(cfg, &r.offset, errp) < 0 ||
	    !(auth = reg_config_authority(cfg, errp)) || load_keys(&r, auth, errp) < 0 ||
	    !(r.ledger = reg_ledger_new(r.cat, r.keys, r.offset, errp)))
		goto out;
	reg_time_format(r.now, r.offset, r.time);
	if (!(r.out = reg_cli_open_output(output_path, errp)))
		goto out;
	if (rq->mode == REG_APPROVE_ALL) {
		if (!(r.queue = queue_new(r.cat, r.keys,
					  rq->jobs ? rq->jobs : reg_cores(REG_APPROVE_MAX_THREADS), r.reviewer, r.time, r.now, r.offset,
					  errp)))
			goto out;
		r.group_max = r.queue->window;
		if (!(r.group = calloc(r.group_max, sizeof *r.group))) {
			reg_err_oom(errp);
			goto out;
		}
	} else if (!(r.rules = reg_rules_new(errp))) {
		goto out;
	}
	r.batch = n_inputs > 1;
	rc = 0;
	for (size_t i = 0; rc == 0 && (i < n_inputs || i == 0); i++)
		rc = read_input(&r, i < n_inputs ? inputs[i] : "-", errp);
	/* What was reviewed and recorded before a failure still reaches the output. */
	if (r.queue && drain(&r, true, errp) < 0)
		rc = -1;
	if (!r.xo && r.batch && !(r.xo = reg_xml_out_new(r.out, true)))
		rc = reg_err_oom(errp);
	if (r.xo && reg_xml_out_finish(r.xo, errp) < 0)
		rc = -1;
	if (rc == 0 && rq->mode == REG_APPROVE_DECISION && !r.found)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "dossier '%s' is not in the input",
				 rq->dossier);
	if (rc == 0 && r.refused > 0)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %zu dossiers refused",
				 r.refused, r.seen);
out:
	queue_free(r.queue);
	free(r.group);
	reg_xml_out_free(r.xo);
	if (r.out && reg_cli_close(r.out, output_path, errp) < 0)
		rc = -1;
	reg_rules_free(r.rules);
	reg_registry_free(r.reg);
	reg_ledger_free(r.ledger);
	reg_keyring_free(r.keys);
	reg_catalog_free(r.cat);
	return rc;
}

/* ---- the command line's requests --------------------------------------------------------- */

const char *reg_approve_request_problem(const reg_approve_request *rq, const reg_approve_given *g)
{
	bool all = g->all, list = g->list, jobs_given = g->jobs, has_verdict = g->verdict;
	size_t n_inputs = g->n_inputs;
	const char *output = g->output;
	int modes = (rq->dept != NULL) + all + list;
	bool manual_bits = rq->item || has_verdict || rq->n_reasons;
	if (modes == 0)
		return _("say which department (--dept), --all or --list-depts");
	if (modes > 1)
		return _("--dept, --all and --list-depts exclude each other");
	if (jobs_given && !all)
		return _("-j goes with --all");
	if (manual_bits && !rq->dossier)
		return _("--item, --verdict and --reason go with --dossier");
	if (rq->dossier && !rq->dept)
		return _("--dossier is a department's decision: give --dept");
	if (rq->dossier && (!has_verdict || !rq->n_reasons || !rq->reviewer))
		return _("a decision needs --verdict, --reason and --reviewer");
	if (rq->key && !rq->dept)
		return _("--key signs as one department: give --dept");
	if (list && (n_inputs || output))
		return _("--list-depts reads no input");
	if (g->format && !list)
		return _("--format goes with --list-depts");
	if (rq->reviewer && !reg_approve_reviewer_valid(rq->reviewer))
		return _("--reviewer wants a name of 1 to 64 characters on one line");
	return NULL;
}

int reg_approve_list_depts(reg_config *cfg, const reg_table_format *fmt, reg_err **errp)
{
	static const char *const cols[] = {"id", "zh", "en"};
	reg_table_doc doc = {"departments", "urn:regkit:departments:1", NULL};
	reg_table *t = NULL;
	reg_catalog *cat = reg_catalog_load(reg_config_catalog_path(cfg),
					    reg_config_schema_dir(cfg), errp);
	if (!cat || (fmt && !(t = reg_table_new(stdout, *fmt, &doc, false, errp)))) {
		reg_catalog_free(cat);
		return -1;
	}
	if (t)
		reg_table_list(t, "departments", "department", cols, 3);
	for (size_t i = 0; i < reg_catalog_department_count(cat); i++) {
		const reg_department *d = reg_catalog_department(cat, i);
		const char *cells[] = {reg_department_id(d), reg_department_zh(d), reg_department_en(d)};
		if (t)
			reg_table_row(t, cells);
		else
			printf("%s\t%s\t%s\n", cells[0], cells[1], cells[2]);
	}
	int rc = t ? reg_table_finish(t, errp) : 0;
	reg_table_free(t);
	reg_catalog_free(cat);
	return reg_cli_close(stdout, "-", errp) < 0 ? -1 : rc;
}
