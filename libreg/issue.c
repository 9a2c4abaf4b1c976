#include "issue.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "clock.h"
#include "files.h"
#include "ledger.h"
#include "license.h"
#include "rules.h"
#include "seal.h"
#include "sign.h"
#include "table.h"
#include "tarball.h"
#include "verdict.h"
#include "xml.h"

struct reg_issue {
	reg_config *cfg;
	const reg_catalog *cat;
	reg_registry *reg;
	bool own_reg;              /* opened here, at the first dossier */
	const reg_authority *auth;
	reg_sign_key *key;
	reg_ledger *ledger;
	reg_rules *rules;
	char *out_dir;
	bool new_edition;
	const char *prog;
	unsigned threads;          /* phase B's, this one among them */
	size_t group_max;          /* dossiers per transaction */
	struct job *jobs;          /* the group: group_max of them */
	size_t n_jobs;
	void (*on_issued)(const reg_issued *out, void *ctx);
	void *on_issued_ctx;
	/* A dossier phase A refused (REG_ENO): reported, -1 to stop the run. */
	int (*on_refused)(reg_err *problem, const char *file, long line, void *ctx, reg_err **errp);
	void *on_refused_ctx;
	bool noted_test_authority; /* said once, at the first archive it signs */
	int64_t now;
	int offset;
};

struct job;
static struct job *jobs_new(size_t n);
static void jobs_free(struct job *jobs, size_t n);

reg_issue *reg_issue_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 const reg_issue_options *opt, reg_err **errp)
{
	reg_issue *is = calloc(1, sizeof *is);
	if (!is || !(is->out_dir = strdup(opt->out_dir))) {
		free(is);
		reg_err_oom(errp);
		return NULL;
	}
	/* "out/" and "out" name the same folder; archive paths print the same either way. */
	for (size_t len = strlen(is->out_dir); len > 1 && is->out_dir[len - 1] == '/'; len--)
		is->out_dir[len - 1] = '\0';
	is->cfg = cfg;
	is->cat = catalog;
	is->reg = registry;
	is->new_edition = opt->new_edition;
	if (!(is->auth = reg_config_authority(cfg, errp)) || reg_config_now(cfg, &is->now, errp) < 0 ||
	    reg_config_offset(cfg, &is->offset, errp) < 0)
		goto fail;
	const char *key_path = reg_authority_private_key_path(is->auth);
	if (!key_path) {
		reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(cfg), 0, "/authority/signing-key",
			    "no private key: this authority cannot sign archives");
		goto fail;
	}
	if (!(is->key = reg_sign_key_load_private(key_path, errp)) ||
	    !(is->ledger = reg_ledger_new(catalog, NULL, is->offset, errp)) ||
	    !(is->rules = reg_rules_new(errp)) || reg_archive_clean_stale(is->out_dir, errp) < 0)
		goto fail;
	is->prog = opt->prog;
	is->on_issued = opt->on_issued;
	is->on_issued_ctx = opt->on_issued_ctx;
	is->threads = opt->threads ? opt->threads : reg_cores(REG_ISSUE_MAX_THREADS);
	if (is->threads > REG_ISSUE_MAX_THREADS)
		is->threads = REG_ISSUE_MAX_THREADS;
	is->group_max = opt->group ? opt->group : REG_ISSUE_GROUP;
	if (!(is->jobs = jobs_new(is->group_max))) {
		reg_err_oom(errp);
		goto fail;
	}
	return is;
fail:
	reg_issue_free(is);
	return NULL;
}

void reg_issue_free(reg_issue *is)
{
	if (!is)
		return;
	/* A group not flushed was not issued: nothing of it is kept. */
	jobs_free(is->jobs, is->n_jobs);
	if (is->reg && reg_registry_in_transaction(is->reg))
		reg_registry_rollback(is->reg, NULL);
	reg_sign_key_free(is->key);
	reg_rules_free(is->rules);
	reg_ledger_free(is->ledger);
	if (is->own_reg)
		reg_registry_free(is->reg);
	free(is->out_dir);
	free(is);
}

/* ---------------------------------------------------------------------------------------------
 * The input against the record
 */

/* An approval of the input with what ordering needs. */
typedef struct proposed {
	const reg_approval *a;
	int number;
	int64_t at;
} proposed;

static int cmp_proposed(const void *pa, const void *pb)
{
	const proposed *x = pa, *y = pb;
	return reg_approval_view_cmp(x->a, x->number, x->at, y->a, y->number, y->at);
}

static const char approval_field[] = "/dossier/approvals/approval";

/* The input's approvals (verdicts only) must be exactly the registry's, and its state the
 * registry's — approved, or, once issued, approved (a rerun) or issued (a copy's dossier). */
static int check_proposal(reg_issue *is, reg_dossier *d, const reg_ledger_record *rec,
			  reg_err **errp)
{
	const char *file = reg_dossier_file(d);
	reg_state in = reg_dossier_state(d), held = reg_ledger_state(rec);
	reg_approval *list = NULL;
	size_t n = 0, m = 0;
	proposed *p = NULL;
	reg_err *problems = NULL;
	int rc = -1;
	if (!(in == held || (held == REG_STATE_ISSUED && in == REG_STATE_APPROVED)))
		reg_err_add(&problems, REG_ENO, file, reg_dossier_line(d), "/dossier/@state",
			    "the input says %s, the registry %s", in ? reg_state_name(in) : "nothing",
			    reg_state_name(held));
	if (reg_dossier_approvals(d, &list, &n, &problems) < 0) {
		if (reg_err_exit_code(problems) != REG_ENO)
			goto fail;
		n = 0;
	}
	if (!(p = calloc(n ? n : 1, sizeof *p))) {
		reg_err_oom(errp);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (list[i].verdict == REG_VERDICT_NOT_APPLICABLE)
			continue;
		const reg_item *it = list[i].item ? reg_catalog_find_item(is->cat, list[i].item) : NULL;
		int64_t at = INT64_MIN;
		reg_time_parse(list[i].time, is->offset, &at, NULL, NULL);
		p[m++] = (proposed){.a = &list[i], .number = it ? reg_item_number(it) : 1 << 30,
				    .at = at};
	}
	qsort(p, m, sizeof *p, cmp_proposed);
	const reg_approval *rv = reg_ledger_verdicts(rec);
	size_t nr = reg_ledger_verdict_count(rec), i = 0, j = 0;
	while (i < m || j < nr) {
		int c;
		if (i == m) {
			c = 1;
		} else if (j == nr) {
			c = -1;
		} else {
			const reg_item *it = reg_catalog_find_item(is->cat, rv[j].item);
			int64_t at = INT64_MIN;
			reg_time_parse(rv[j].time, is->offset, &at, NULL, NULL);
			c = reg_approval_view_cmp(p[i].a, p[i].number, p[i].at, &rv[j],
						  it ? reg_item_number(it) : 1 << 30, at);
		}
		if (c == 0) {
			i++, j++;
		} else if (c < 0) {
			reg_err_add(&problems, REG_ENO, file, p[i].a->line, approval_field,
				    "the %s verdict on '%s' by '%s' at %s is not one the registry "
				    "recorded", reg_verdict_name(p[i].a->verdict), p[i].a->item,
				    p[i].a->dept, p[i].a->time);
			i++;
		} else {
			reg_err_add(&problems, REG_ENO, file, reg_dossier_line(d), approval_field,
				    "the registry's %s verdict on '%s' by '%s' at %s is missing from "
				    "the input", reg_verdict_name(rv[j].verdict), rv[j].item, rv[j].dept,
				    rv[j].time);
			j++;
		}
	}
	if (!problems)
		rc = 0;
fail:
	if (problems) {
		reg_err_prefix(problems, "not issued: ");
		reg_err_append(errp, &problems);
	}
	free(p);
	reg_approval_list_free(list, n);
	return rc;
}

/* The registry's own copy of the body, and what applies to it, and the assessment: every
 * applicable item must be approved (or refused, where that refuses only the filing). */
static reg_dossier *held_body(reg_issue *is, const reg_ledger_record *rec, reg_dossier *input,
			      reg_assessment *as, reg_err **errp)
{
	const reg_registry_dossier *row = reg_ledger_row(rec);
	bool *applies = calloc(reg_catalog_item_count(is->cat) + 1, sizeof *applies);
	xmlDoc *doc = applies ? reg_xml_parse_memory(row->body, strlen(row->body),
						     reg_registry_path(is->reg), errp)
			      : NULL;
	reg_dossier *d = doc ? reg_dossier_adopt(doc, reg_dossier_file(input),
						 reg_dossier_line(input), errp)
			     : NULL;
	if (!applies)
		reg_err_oom(errp);
	if (!d || reg_rules_bind(is->rules, d, is->now, is->offset, errp) < 0 ||
	    reg_applicable_items(is->cat, is->rules, d, applies, errp) < 0 ||
	    reg_ledger_assess(is->ledger, rec, applies, as, errp) < 0)
		goto fail;
	if (as->state != REG_STATE_APPROVED) {
		reg_err *problems = NULL;
		for (size_t k = 0; k < as->n_items; k++) {
			reg_item_status s = as->status[k];
			if (s == REG_ITEM_APPROVED || s == REG_ITEM_REFUSED || s == REG_ITEM_NOT_APPLICABLE)
				continue;
			const reg_item *it = reg_catalog_item(is->cat, k);
			reg_err_add(&problems, REG_ENO, reg_dossier_file(input), reg_dossier_line(input),
				    "/dossier", "not issued: the registry holds no approval in force "
				    "of '%s' by '%s' (%s)", reg_item_id(it), reg_item_dept(it),
				    reg_item_status_name(s));
		}
		reg_err_append(errp, &problems);
		goto fail;
	}
	free(applies);
	return d;
fail:
	free(applies);
	reg_dossier_free(d);
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * The archive
 */

typedef struct edition {
	char uscc[REG_USCC_LEN + 1];
	int64_t issued_at;         /* the issuance */
	int64_t number;            /* the edition */
	int64_t made_at;           /* the edition's time: the entries' mtime */
	char supersedes[65];       /* the previous edition's digest, "" for the first */
} edition;

static void set_issuance(reg_issue *is, reg_dossier *d, const edition *e)
{
	char when[REG_TIME_ISO_MAX], made[REG_TIME_ISO_MAX], number[24];
	reg_time_format(e->issued_at, is->offset, when);
	reg_dossier_drop_section(d, "issuance");
	xmlNode *n = reg_dossier_section(d, "issuance", true);
	xmlSetProp(n, BAD_CAST "uscc", BAD_CAST e->uscc);
	xmlSetProp(n, BAD_CAST "time", BAD_CAST when);
	xmlSetProp(n, BAD_CAST "authority", BAD_CAST reg_authority_division(is->auth));
	if (e->number > 1) {
		snprintf(number, sizeof number, "%lld", (long long)e->number);
		reg_time_format(e->made_at, is->offset, made);
		xmlSetProp(n, BAD_CAST "edition", BAD_CAST number);
		xmlSetProp(n, BAD_CAST "edition-time", BAD_CAST made);
		xmlSetProp(n, BAD_CAST "supersedes", BAD_CAST e->supersedes);
	}
	reg_dossier_set_state(d, REG_STATE_ISSUED);
}

/* <versions>: every body version the registry holds, so the archive shows the history. */
static int set_versions(reg_issue *is, reg_dossier *d, const reg_ledger_record *rec,
			reg_err **errp)
{
	reg_dossier_drop_section(d, "versions");
	xmlNode *vs = reg_dossier_section(d, "versions", true);
	for (int64_t i = 0; vs && i < reg_ledger_versions(rec); i++) {
		const reg_registry_body *b = reg_ledger_version(rec, i);
		char number[24], when[REG_TIME_ISO_MAX];
		xmlNode *v = xmlNewChild(vs, vs->ns, BAD_CAST "version", NULL);
		if (!v)
			return reg_err_oom(errp);
		snprintf(number, sizeof number, "%lld", (long long)b->version);
		reg_time_format(b->recorded_at, is->offset, when);
		xmlSetProp(v, BAD_CAST "number", BAD_CAST number);
		xmlSetProp(v, BAD_CAST "digest", BAD_CAST b->digest);
		xmlSetProp(v, BAD_CAST "time", BAD_CAST when);
	}
	return vs ? 0 : reg_err_oom(errp);
}

/* The seal set of `uscc` filed in the registry (or the codes filed before): phase A. */
static reg_seal_filed *file_seals(reg_issue *is, const char *uscc, int64_t at, reg_err **errp)
{
	size_t n = reg_catalog_seal_count(is->cat);
	reg_seal_filed *filed = calloc(n ? n : 1, sizeof *filed);
	if (!filed) {
		reg_err_oom(errp);
		return NULL;
	}
	if (reg_seal_file_set(is->reg, is->cat, reg_authority_division(is->auth), uscc, at, filed,
			      NULL, errp) < 0) {
		free(filed);
		return NULL;
	}
	return filed;
}

/* The drawings and the filing of the seals already filed: phase B, no registry. */
static int add_seals(reg_issue *is, reg_dossier *d, const reg_seal_filed *filed,
		     reg_archive_writer *w, reg_err **errp)
{
	size_t n = reg_catalog_seal_count(is->cat);
	reg_seal_owner owner = {0};
	char *data = NULL, path[REG_SEAL_FILE_NAME_MAX + 16], file[REG_SEAL_FILE_NAME_MAX];
	size_t len = 0;
	int rc = -1;
	if (reg_seal_owner_from_dossier(d, &owner, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		reg_seal_spec spec = {.type = filed[i].type, .owner = &owner, .code = filed[i].code,
				      .test_authority = reg_authority_test_only(is->auth)};
		if (reg_seal_file_name(filed[i].type, file, sizeof file) < 0 ||
		    reg_seal_svg(&spec, &data, &len, errp) < 0)
			goto out;
		snprintf(path, sizeof path, "%s/%s", REG_SEAL_DIR, file);
		int added = reg_archive_add_file(w, path, data, len, errp);
		free(data);
		data = NULL;
		if (added < 0)
			goto out;
	}
	if (reg_seal_filing_xml(is->cat, is->auth, &owner, filed, n, &data, &len, errp) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/%s", REG_SEAL_DIR, REG_SEAL_FILING);
	rc = reg_archive_add_file(w, path, data, len, errp);
out:
	free(data);
	reg_seal_owner_clear(&owner);
	return rc;
}

static int add_statements(reg_issue *is, reg_dossier *d, const char *number,
			  reg_archive_writer *w, reg_err **errp)
{
	reg_approval *list = NULL;
	reg_statement_file *files = NULL;
	size_t n = 0, count = 0;
	int rc = -1;
	if (reg_dossier_approvals(d, &list, &n, errp) < 0 ||
	    reg_statement_files(number, list, n, is->offset, &files, &count, errp) < 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		char path[sizeof files[i].name + 16];
		if (!files[i].signed_)
			continue;
		snprintf(path, sizeof path, "%s/%s.txt", REG_VERDICT_DIR, files[i].name);
		if (reg_archive_add_file(w, path, files[i].text, files[i].len, errp) < 0)
			goto out;
		snprintf(path, sizeof path, "%s/%s.sig", REG_VERDICT_DIR, files[i].name);
		if (reg_archive_add_file(w, path, files[i].sig, REG_SIG_LEN, errp) < 0)
			goto out;
	}
	rc = 0;
out:
	reg_statement_files_free(files, count);
	reg_approval_list_free(list, n);
	return rc;
}


/* <USCC>.tar.gz, or <USCC>-N.tar.gz for edition N > 1. */
static void file_name(const char *uscc, int64_t edition, char *buf, size_t size)
{
	if (edition > 1)
		snprintf(buf, size, "%s-%lld.tar.gz", uscc, (long long)edition);
	else
		snprintf(buf, size, "%s.tar.gz", uscc);
}

/* A new USCC for a first issuance. */
static int take_uscc(reg_issue *is, const char *number, edition *e, reg_err **errp)
{
	const char *division = reg_authority_division(is->auth);
	char counter[32];
	uint64_t serial;
	snprintf(counter, sizeof counter, "uscc:%s", division);
	if (reg_registry_next_serial(is->reg, counter, &serial, errp) < 0)
		return -1;
	if (reg_uscc_make(division, serial, e->uscc) < 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "USCC serials of %s are exhausted", division);
	e->issued_at = e->made_at = is->now;
	e->number = 1;
	reg_registry_issuance row = {.number = number, .uscc = e->uscc, .issued_at = is->now};
	return reg_registry_add_issuance(is->reg, &row, errp);
}

/* Issued before: the latest edition, for writing again or for superseding. */
static int prior_edition(reg_issue *is, const char *number, edition *e,
			 reg_registry_archive *latest, reg_err **errp)
{
	reg_registry_issuance prior = {0};
	bool found = false;
	if (reg_registry_get_issuance(is->reg, number, &prior, &found, errp) < 0)
		return -1;
	if (!found)
		return reg_err_set(errp, REG_EINTERNAL, reg_registry_path(is->reg), 0, NULL,
				   "dossier '%s' is issued but has no issuance", number);
	snprintf(e->uscc, sizeof e->uscc, "%s", prior.uscc);
	e->issued_at = prior.issued_at;
	reg_registry_issuance_clear(&prior);
	if (reg_registry_get_archive(is->reg, e->uscc, 0, latest, &found, errp) < 0)
		return -1;
	if (!found)
		return reg_err_set(errp, REG_ENO, NULL, 0, "/dossier/issuance",
				   "'%s' was issued before this registry kept its archives: nothing "
				   "recorded to write again; make a new edition (--new-edition)",
				   e->uscc);
	e->number = latest->edition;
	e->made_at = latest->made_at;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The group (see GROUPS in issue.h): phase A in the open transaction, one dossier after
 * another; phase B, the archives' bytes, on the worker threads; phase C, recording the bytes,
 * the commit, the files.
 */

typedef enum job_kind { JOB_FIRST, JOB_EDITION, JOB_AGAIN } job_kind;

typedef struct job {
	reg_dossier *input;            /* as it came, until phase A is done with it */
	bool refused;                  /* phase A said no: nothing of it is kept */
	job_kind kind;
	char *number;
	reg_dossier *final;            /* FIRST, EDITION: the archive's dossier.xml */
	reg_ledger_record *rec;        /* … and what the license needs of the record */
	reg_assessment as;
	reg_seal_filed *filed;
	edition e;
	unsigned char *bytes;          /* phase B's, or (AGAIN) the recorded ones */
	size_t len;
	reg_err *err;                  /* phase B's failure */
	reg_issued out;
} job;

static void job_clear(job *j)
{
	reg_dossier_free(j->input);
	free(j->number);
	reg_dossier_free(j->final);
	reg_ledger_record_free(j->rec);
	reg_assessment_clear(&j->as);
	free(j->filed);
	free(j->bytes);
	reg_err_free(j->err);
	memset(j, 0, sizeof *j);
}

static struct job *jobs_new(size_t n)
{
	return calloc(n, sizeof(job));
}

static void jobs_free(job *jobs, size_t n)
{
	for (size_t i = 0; jobs && i < n; i++)
		job_clear(&jobs[i]);
	free(jobs);
}

/* Phase B for one job: the archive in memory and its digest.  Touches no registry and nothing
 * shared but what is read-only by now (catalog, authority, signing key). */
static int build_archive(reg_issue *is, job *j, reg_err **errp)
{
	reg_document *docs = NULL;
	size_t n = 0;
	char *final = NULL;
	size_t final_len = 0;
	int rc = -1;
	reg_archive_writer *w = reg_archive_writer_new(j->e.uscc, j->e.made_at, errp);
	reg_license_input in = {.catalog = is->cat, .authority = is->auth, .dossier = j->final,
				.uscc = j->e.uscc, .issued_at = j->e.issued_at,
				.test_authority = reg_authority_test_only(is->auth),
				.assessment = &j->as, .verdicts = reg_ledger_verdicts(j->rec),
				.n_verdicts = reg_ledger_verdict_count(j->rec)};
	if (!w || reg_license_documents(&in, &docs, &n, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (reg_archive_add_file(w, docs[i].path, docs[i].data, docs[i].len, errp) < 0)
			goto out;
	if (add_seals(is, j->final, j->filed, w, errp) < 0 ||
	    reg_xml_serialize(reg_dossier_doc(j->final), &final, &final_len, errp) < 0 ||
	    reg_archive_add_file(w, "dossier.xml", final, final_len, errp) < 0 ||
	    add_statements(is, j->final, j->number, w, errp) < 0 ||
	    reg_archive_add_signed_manifest(w, is->key, errp) < 0 ||
	    reg_archive_write_mem(w, &j->bytes, &j->len, errp) < 0 ||
	    reg_sha256_hex(j->bytes, j->len, j->out.sha256, errp) < 0)
		goto out;
	rc = 0;
out:
	free(final);
	reg_documents_free(docs, n);
	reg_archive_writer_free(w);
	return rc;
}

struct pool {
	reg_issue *is;
	pthread_mutex_t lock;
	size_t next;                   /* the next job to take */
};

static void *build_some(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->is->n_jobs)
			return NULL;
		job *j = &p->is->jobs[i];
		if (!j->refused && j->kind != JOB_AGAIN)
			build_archive(p->is, j, &j->err);
	}
}

/* Phase B for the whole group: on `threads` threads (this one among them). */
static int build_group(reg_issue *is, reg_err **errp)
{
	struct pool p = {.is = is};
	pthread_t tid[REG_ISSUE_MAX_THREADS];
	unsigned started = 0, want = is->threads > 1 ? is->threads - 1 : 0;
	if (want > is->n_jobs)
		want = (unsigned)is->n_jobs;
	pthread_mutex_init(&p.lock, NULL);
	while (started < want && pthread_create(&tid[started], NULL, build_some, &p) == 0)
		started++;
	build_some(&p);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&p.lock);
	for (size_t i = 0; i < is->n_jobs; i++)
		if (is->jobs[i].err) {
			reg_err_append(errp, &is->jobs[i].err);
			return -1;
		}
	return 0;
}

static int prepare(reg_issue *is, reg_dossier *d, const char *number, job *j, reg_err **errp);

/* Phase A for every dossier of the group, then B; phase C: each archive recorded, then one commit, then the files, then the lines. */
static int finish_group(reg_issue *is, reg_err **errp)
{
	reg_file_part *parts = NULL;
	char (*names)[REG_USCC_LEN + 32] = NULL;
	int rc = -1;
	size_t issued = 0;
	if (is->n_jobs == 0)
		return 0;
	if (!is->reg) {
		if (!(is->reg = reg_registry_open_existing(reg_config_db(is->cfg), errp)))
			goto out;
		is->own_reg = true;
	}
	/* The transaction is opened only now, with every dossier of the group read: it is never
	 * held while the input is waited for (the tool before in the pipe may need the registry
	 * to write the next dossier). */
	if (reg_registry_begin(is->reg, errp) < 0)
		goto out;
	for (size_t i = 0; i < is->n_jobs; i++) {
		job *j = &is->jobs[i];
		reg_err *problem = NULL;
		if (reg_registry_savepoint(is->reg, errp) < 0)
			goto out;
		if (prepare(is, j->input, j->number, j, &problem) == 0) {
			if (reg_registry_savepoint_release(is->reg, errp) < 0)
				goto out;
			issued++;
			continue;
		}
		reg_registry_savepoint_rollback(is->reg, NULL);
		j->refused = true;
		if (reg_err_code(problem) != REG_ENO || !is->on_refused) {
			reg_err_append(errp, &problem);
			goto out;
		}
		if (is->on_refused(problem, reg_dossier_file(j->input), reg_dossier_line(j->input),
				   is->on_refused_ctx, errp) < 0)
			goto out;
	}
	if (build_group(is, errp) < 0)
		goto out;
	if (!(parts = calloc(is->n_jobs, sizeof *parts)) ||
	    !(names = calloc(is->n_jobs, sizeof *names))) {
		reg_err_oom(errp);
		goto out;
	}
	size_t n_parts = 0;
	for (size_t i = 0; i < is->n_jobs; i++) {
		job *j = &is->jobs[i];
		if (j->refused)
			continue;
		file_name(j->e.uscc, j->e.number, names[n_parts], sizeof names[n_parts]);
		snprintf(j->out.uscc, sizeof j->out.uscc, "%s", j->e.uscc);
		snprintf(j->out.path, sizeof j->out.path, "%s/%s", is->out_dir, names[n_parts]);
		j->out.edition = j->e.number;
		parts[n_parts] = (reg_file_part){.name = names[n_parts], .data = j->bytes,
						 .len = j->len};
		n_parts++;
		if (j->kind != JOB_AGAIN) {
			reg_registry_archive row = {.uscc = j->e.uscc, .edition = j->e.number,
						    .number = j->number, .made_at = j->e.made_at,
						    .sha256 = j->out.sha256, .bytes = j->bytes,
						    .len = j->len};
			if (reg_registry_add_archive(is->reg, &row, errp) < 0)
				goto out;
		}
		if (reg_registry_set_archive(is->reg, j->number, j->out.path, j->out.sha256,
					     errp) < 0)
			goto out;
	}
	/* A transaction the registry has given up (the server gone) recorded nothing. */
	if (!reg_registry_in_transaction(is->reg)) {
		reg_err_set(errp, REG_EIO, reg_registry_path(is->reg), 0, NULL,
			    "the registry lost the transaction: nothing of this group was issued");
		goto out;
	}
	if (reg_registry_commit(is->reg, errp) < 0)
		goto out;
	if (issued && !is->noted_test_authority) {
		reg_cli_note_test_authority(is->prog, is->auth);
		is->noted_test_authority = true;
	}
	/* Recorded: from here a kill loses nothing the rerun cannot write again. */
	if (reg_file_write_group(is->out_dir, parts, n_parts, 0644, errp) < 0)
		goto out;
	for (size_t i = 0; i < is->n_jobs; i++)
		if (!is->jobs[i].refused && is->on_issued)
			is->on_issued(&is->jobs[i].out, is->on_issued_ctx);
	reg_progress_add(reg_config_progress(is->cfg, "dossiers"), is->n_jobs);
	rc = 0;
out:
	if (rc < 0 && is->reg && reg_registry_in_transaction(is->reg))
		reg_registry_rollback(is->reg, NULL);
	for (size_t i = 0; i < is->n_jobs; i++)
		job_clear(&is->jobs[i]);
	is->n_jobs = 0;
	free(parts);
	free(names);
	return rc;
}

int reg_issue_flush(reg_issue *is, reg_err **errp)
{
	return finish_group(is, errp);
}

static bool pending(const reg_issue *is, const char *number)
{
	for (size_t i = 0; i < is->n_jobs; i++)
		if (strcmp(is->jobs[i].number, number) == 0)
			return true;
	return false;
}

/* Phase A for one dossier, inside the group's transaction and its own savepoint. */
static int prepare(reg_issue *is, reg_dossier *d, const char *number, job *j, reg_err **errp)
{
	char digest[65];
	reg_registry_archive latest = {0};
	int rc = -1;
	if (reg_dossier_body_digest(d, digest, errp) < 0 ||
	    !(j->rec = reg_ledger_read(is->ledger, is->reg, number, true, errp)))
		goto out;
	reg_state held = reg_ledger_state(j->rec);
	const reg_registry_dossier *row = reg_ledger_row(j->rec);
	if (held != REG_STATE_APPROVED && held != REG_STATE_ISSUED) {
		reg_err_set(errp, REG_ENO, reg_dossier_file(d), reg_dossier_line(d), "/dossier/@state",
			    "dossier %s is %s in the registry, not approved: not issued", number,
			    reg_state_name(held));
		goto out;
	}
	if (strcmp(row->body_digest, digest) != 0) {
		reg_err_set(errp, REG_ENO, reg_dossier_file(d), reg_dossier_line(d), "/dossier",
			    "dossier %s differs from the body the registry holds (digest %.12s…, "
			    "registry %.12s…): not issued", number, digest, row->body_digest);
		goto out;
	}
	if (check_proposal(is, d, j->rec, errp) < 0 ||
	    !(j->final = held_body(is, j->rec, d, &j->as, errp)))
		goto out;
	if (held == REG_STATE_APPROVED) {
		j->kind = JOB_FIRST;
		if (take_uscc(is, number, &j->e, errp) < 0 ||
		    reg_registry_set_dossier_state(is->reg, number, reg_state_name(REG_STATE_ISSUED),
						   errp) < 0 ||
		    reg_registry_add_event(is->reg, is->now, "issued", number, j->e.uscc, NULL,
					   errp) < 0)
			goto out;
	} else if (is->new_edition) {
		char detail[160];
		j->kind = JOB_EDITION;
		if (prior_edition(is, number, &j->e, &latest, errp) < 0)
			goto out;
		snprintf(j->e.supersedes, sizeof j->e.supersedes, "%s", latest.sha256);
		j->e.number = latest.edition + 1;
		j->e.made_at = is->now;
		snprintf(detail, sizeof detail, "%s edition %lld supersedes %.12s", j->e.uscc,
			 (long long)j->e.number, j->e.supersedes);
		if (reg_registry_add_event(is->reg, is->now, "new-edition", number, detail, NULL,
					   errp) < 0)
			goto out;
	} else {
		char detail[64];
		j->kind = JOB_AGAIN;
		if (prior_edition(is, number, &j->e, &latest, errp) < 0)
			goto out;
		snprintf(detail, sizeof detail, "%s edition %lld", j->e.uscc, (long long)j->e.number);
		if (reg_registry_add_event(is->reg, is->now, "reissued", number, detail, NULL,
					   errp) < 0)
			goto out;
		snprintf(j->out.sha256, sizeof j->out.sha256, "%s", latest.sha256);
		j->bytes = (unsigned char *)latest.bytes, j->len = latest.len; /* now the job's */
		latest.bytes = NULL;
		j->out.reissued = true;
	}
	if (j->kind != JOB_AGAIN &&
	    (reg_ledger_write_view(is->ledger, j->rec, &j->as, j->final, errp) < 0 ||
	     set_versions(is, j->final, j->rec, errp) < 0 ||
	     !(j->filed = file_seals(is, j->e.uscc, j->e.issued_at, errp))))
		goto out;
	if (j->kind != JOB_AGAIN)
		set_issuance(is, j->final, &j->e);
	rc = 0;
out:
	reg_registry_archive_clear(&latest);
	return rc;
}

int reg_issue_dossier(reg_issue *is, reg_dossier *d, reg_err **errp)
{
	char *number = reg_dossier_number(d);
	if (!number) {
		reg_err *problem = NULL;
		reg_err_set(&problem, REG_ENO, reg_dossier_file(d), reg_dossier_line(d),
			    "/dossier/acceptance", "dossier was never accepted: not issued");
		int rc = is->on_refused ? is->on_refused(problem, reg_dossier_file(d),
							  reg_dossier_line(d), is->on_refused_ctx, errp)
					: (reg_err_append(errp, &problem), -1);
		reg_dossier_free(d);
		return rc;
	}
	/* The same dossier twice in a group would see its own issuance half made. */
	if ((pending(is, number) || is->n_jobs == is->group_max) && finish_group(is, errp) < 0) {
		free(number);
		reg_dossier_free(d);
		return -1;
	}
	job *j = &is->jobs[is->n_jobs++];
	memset(j, 0, sizeof *j);
	j->input = d;
	j->number = number;
	return 0;
}

struct delay {
	const char *prog;
	size_t *refused;
};

static int delay(reg_err *problem, const char *file, long line, void *ctx, reg_err **errp)
{
	struct delay *dl = ctx;
	return reg_cli_delay(dl->prog, problem, file, line, dl->refused, errp);
}

int reg_issue_stream(reg_issue *is, FILE *fp, const char *name, const char *prog,
		     size_t *refused, reg_err **errp)
{
	struct delay dl = {.prog = prog, .refused = refused};
	is->on_refused = delay;
	is->on_refused_ctx = &dl;
	reg_xml_stream *s = reg_xml_stream_new(fp, name, errp);
	if (!s)
		return -1;
	reg_progress_watch(reg_config_progress(is->cfg, "dossiers"), fp);
	xmlDoc *doc = NULL;
	long line = 0;
	int got;
	for (;;) {
		/* A group is finished when the input pauses: a dossier that comes alone is issued
		 * within REG_ISSUE_PAUSE_MS, a stream that trickles from the stage before still
		 * fills groups (no registry transaction is open while reg-issue waits). */
		if (is->n_jobs && !reg_xml_stream_queued(s) &&
		    reg_file_would_wait_ms(fp, REG_ISSUE_PAUSE_MS) && finish_group(is, errp) < 0) {
			got = -1;
			break;
		}
		if ((got = reg_xml_stream_next(s, &doc, &line, errp)) != 1)
			break;
		reg_dossier *d = reg_dossier_adopt(doc, name, line, errp);
		if (!d || reg_issue_dossier(is, d, errp) < 0) {
			got = -1;
			break;
		}
	}
	/* What was read before a stop is issued: a bad byte later does not undo a good dossier. */
	if (finish_group(is, got < 0 ? NULL : errp) < 0 && got >= 0)
		got = -1;
	is->on_refused = NULL;
	is->on_refused_ctx = NULL;
	reg_xml_stream_free(s);
	return got < 0 ? -1 : 0;
}

/* ---- a whole run of reg-issue -------------------------------------------------------------- */

static const char *const issued_cols[] = {"uscc", "path", "sha256"};

static void print_line(const reg_issued *done, void *ctx)
{
	reg_table *t = ctx;
	/* Each line out at once: it says the archive is there, and a pipe may wait for it. */
	if (t) {
		reg_table_row(t, (const char *const[]){done->uscc, done->path, done->sha256});
		reg_table_flush(t);
		return;
	}
	printf("%s\t%s\t%s\n", done->uscc, done->path, done->sha256);
	fflush(stdout);
}

int reg_issue_run(const reg_issue_request *r, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_issue *is = NULL;
	reg_table *t = NULL;
	int rc = -1;
	size_t refused = 0;
	reg_issue_options opt = {.out_dir = r->out_dir, .new_edition = r->new_edition, .prog = r->prog,
				 .threads = r->threads, .on_issued = print_line};
	reg_table_doc doc = {"issued", "urn:regkit:issued:1", NULL};
	if (reg_mkdir(r->out_dir, errp) < 0 ||
	    (r->formatted && !(t = reg_table_new(stdout, r->format, &doc, false, errp))))
		return -1;
	opt.on_issued_ctx = t;
	if (t)
		reg_table_list(t, "archives", "archive", issued_cols, 3);
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(cat = reg_catalog_load(reg_config_catalog_path(r->cfg), reg_config_schema_dir(r->cfg),
				     errp)) ||
	    !(is = reg_issue_new(r->cfg, cat, NULL, &opt, errp)))
		goto out;
	rc = 0;
	for (int i = 0; i < r->n_inputs || i == 0; i++) {
		const char *name = i < r->n_inputs ? r->inputs[i] : "-";
		FILE *fp = reg_cli_open_input(name, errp);
		rc = fp ? reg_issue_stream(is, fp, name, r->prog, &refused, errp) : -1;
		if (fp && fp != stdin)
			fclose(fp);
		if (rc < 0)
			break;
	}
	if (t && rc == 0 && reg_table_finish(t, errp) < 0)
		rc = -1;
	if (reg_cli_close(stdout, "-", errp) < 0)
		rc = -1;
	if (rc == 0 && refused)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu dossiers not issued", refused);
out:
	reg_table_free(t);
	reg_issue_free(is);
	reg_catalog_free(cat);
	return rc;
}
