#include "sealset.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "dossier.h"
#include "files.h"
#include "registry.h"
#include "xml.h"

/* One run: what the request chose and what it opened. */
typedef struct run {
	reg_config *cfg;
	const reg_sealset_request *rq;
	reg_catalog *cat;
	reg_registry *reg;
	const reg_authority *authority;
	int64_t now;
	int worst;                     /* the delayed exit status (bsdtar) */
} run;

/* The exit status of two failures together: whichever reg_err_exit_code ranks higher. */
static int worse(int a, int b)
{
	if (a == REG_OK || b == REG_OK)
		return a == REG_OK ? b : a;
	reg_err *both = NULL;
	reg_err_set(&both, (reg_code)a, NULL, 0, NULL, "a");
	reg_err_add(&both, (reg_code)b, NULL, 0, NULL, "b");
	int code = reg_err_exit_code(both);
	reg_err_free(both);
	return code;
}

/* Report a failure now and remember it for the exit status; processing goes on. */
static void report(run *r, reg_err *err)
{
	/* Given by flags, a value's field is the flag that gave it, not its dossier element. */
	static const char *const flag_of[][2] = {
		{"/dossier/enterprise/name", "--name"},
		{"/dossier/issuance/@uscc", "--uscc"},
		{"/dossier/enterprise/legal-representative/name", "--legal-rep"},
		{"/dossier/enterprise/form", "--form"},
	};
	int code = reg_err_exit_code(err);
	for (reg_err *e = err; e; e = (reg_err *)reg_err_next(e)) {
		const char *field = reg_err_field(e);
		for (size_t i = 0; r->rq->flags && field && i < sizeof flag_of / sizeof *flag_of; i++)
			if (strcmp(field, flag_of[i][0]) == 0) {
				reg_err_set_field(e, flag_of[i][1]);
				break;
			}
	}
	reg_err_print(err, r->rq->prog, stderr);
	reg_err_free(err);
	r->worst = worse(r->worst, code == REG_OK ? REG_EINTERNAL : code);
}

/* Failures that concern the run, not one enterprise: stop instead of going on. */
static bool fatal(int code)
{
	return code != REG_OK && code != REG_ENO;
}

int reg_seal_owner_from_registry(reg_registry *reg, const char *uscc, reg_seal_owner *out,
				 reg_err **errp)
{
	reg_registry_issuance is = {0};
	reg_registry_dossier row = {0};
	bool found = false;
	reg_dossier *d = NULL;
	int rc = -1;
	memset(out, 0, sizeof *out);
	if (reg_registry_get_issuance_by_uscc(reg, uscc, &is, &found, errp) < 0)
		return -1;
	if (!found) {
		reg_err_set(errp, REG_ENO, NULL, 0, "/dossier/issuance/@uscc",
			    "USCC '%s' was not issued by this registry", uscc);
		goto out;
	}
	if (reg_registry_get_dossier(reg, is.number, &row, &found, errp) < 0)
		goto out;
	xmlDoc *doc = found ? reg_xml_parse_memory(row.body, strlen(row.body),
						   reg_registry_path(reg), errp)
			    : NULL;
	if (!doc || !(d = reg_dossier_adopt(doc, reg_registry_path(reg), 0, errp)) ||
	    reg_seal_owner_from_dossier(d, out, errp) < 0)
		goto out;
	free(out->uscc);
	if (!(out->uscc = strdup(uscc))) {
		reg_err_oom(errp);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		reg_seal_owner_clear(out);
	reg_dossier_free(d);
	reg_registry_dossier_clear(&row);
	reg_registry_issuance_clear(&is);
	return rc;
}

/* The registry's owner for the given one's USCC; every value given must be the record's. */
static int recorded_owner(run *r, const reg_seal_owner *given, reg_seal_owner *out,
			  reg_err **errp)
{
	if (reg_seal_owner_from_registry(r->reg, given->uscc, out, errp) < 0)
		return -1;
	static const struct {
		size_t offset;
		const char *field, *what;
	} parts[] = {
		{offsetof(reg_seal_owner, name), "/dossier/enterprise/name", "name"},
		{offsetof(reg_seal_owner, legal_rep), "/dossier/enterprise/legal-representative/name",
		 "legal representative"},
		{offsetof(reg_seal_owner, form), "/dossier/enterprise/form", "legal form"},
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		const char *g = *(char *const *)((const char *)given + parts[i].offset);
		const char *h = *(char *const *)((const char *)out + parts[i].offset);
		if (g && h && strcmp(g, h) != 0)
			rc = reg_err_add(errp, REG_ENO, NULL, 0, parts[i].field,
					 "the %s '%s' is not the registry's for USCC %s ('%s'): no seal "
					 "filed", parts[i].what, g, given->uscc, h);
	}
	if (rc < 0)
		reg_seal_owner_clear(out);
	return rc;
}

/* Everything one set writes, drawn before any of it is written. */
typedef struct set {
	size_t n;
	char **svg;
	size_t *len;
	char *filing;
	size_t filing_len;
	reg_seal_filed *filed;
} set;

static void set_free(set *s)
{
	for (size_t i = 0; s->svg && i < s->n; i++)
		free(s->svg[i]);
	free(s->svg);
	free(s->len);
	free(s->filed);
	free(s->filing);
}

/* File (unless a specimen) and draw the set: one registry transaction, rolled back on any
 * failure so a refused enterprise burns no serial. */
static int draw_set(run *r, const reg_seal_owner *given, set *s, reg_err **errp)
{
	reg_seal_owner held = {0};
	const reg_seal_owner *o = given;
	int rc = -1;
	s->n = reg_catalog_seal_count(r->cat);
	if (!(s->svg = calloc(s->n + 1, sizeof *s->svg)) ||
	    !(s->len = calloc(s->n + 1, sizeof *s->len)) ||
	    !(s->filed = calloc(s->n + 1, sizeof *s->filed)))
		return reg_err_oom(errp);
	if (!r->rq->specimen) {
		/* Opened at the first set (registry.h: pipelines), and only an existing one. */
		if (!r->reg && !(r->reg = reg_registry_open_existing(reg_config_db(r->cfg), errp)))
			return -1;
		if (reg_registry_begin(r->reg, errp) < 0)
			return -1;
		if (recorded_owner(r, given, &held, errp) < 0 ||
		    reg_seal_file_set(r->reg, r->cat, reg_authority_division(r->authority), held.uscc,
				      r->now, s->filed, NULL, errp) < 0)
			goto out;
		o = &held;
	}
	for (size_t i = 0; i < s->n; i++) {
		reg_seal_spec spec = {
			.type = reg_catalog_seal(r->cat, i),
			.owner = o,
			.code = r->rq->specimen ? NULL : s->filed[i].code,
			.test_authority = !r->rq->specimen && reg_authority_test_only(r->authority),
		};
		if (reg_seal_svg(&spec, &s->svg[i], &s->len[i], errp) < 0)
			goto out;
	}
	if (!r->rq->specimen &&
	    (reg_seal_filing_xml(r->cat, r->authority, o, s->filed, s->n, &s->filing,
				 &s->filing_len, errp) < 0 ||
	     reg_registry_commit(r->reg, errp) < 0))
		goto out;
	rc = 0;
out:
	if (rc < 0 && r->reg)
		reg_registry_rollback(r->reg, NULL);
	reg_seal_owner_clear(&held);
	return rc;
}

static int write_set(run *r, const char *folder, const set *s, reg_err **errp)
{
	char *top = NULL, *dir = NULL;
	int rc = -1;
	if (asprintf(&top, "%s/%s", r->rq->dir, folder) < 0 ||
	    asprintf(&dir, "%s/%s", top, REG_SEAL_DIR) < 0) {
		top = dir = NULL;
		reg_err_oom(errp);
		goto out;
	}
	if (reg_mkdir(top, errp) < 0 || reg_mkdir(dir, errp) < 0)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		char name[REG_SEAL_FILE_NAME_MAX];
		if (reg_seal_file_name(reg_catalog_seal(r->cat, i), name, sizeof name) < 0) {
			reg_err_set(errp, REG_ECONFIG, reg_catalog_path(r->cat), 0, NULL,
				    "seal id too long for a file name");
			goto out;
		}
		if (reg_file_write_atomic(dir, name, s->svg[i], s->len[i], 0644, errp) < 0)
			goto out;
		printf("%s/%s\t%s\n", dir, name, r->rq->specimen ? "-" : s->filed[i].code);
	}
	if (s->filing) {
		if (reg_file_write_atomic(dir, REG_SEAL_FILING, s->filing, s->filing_len, 0644,
					  errp) < 0)
			goto out;
		printf("%s/%s\t-\n", dir, REG_SEAL_FILING);
	}
	rc = 0;
out:
	free(top);
	free(dir);
	return rc;
}

/* One enterprise from start to finish; `file`/`line` locate its dossier (NULL for flags),
 * `index` is its place in a batch (0 when it stands alone). */
static int seal_one(run *r, const reg_seal_owner *o, const char *file, long line, size_t index,
		    reg_err **errp)
{
	set s = {0};
	char folder[32];
	int rc = -1;
	if (r->rq->specimen) {
		if (index)
			snprintf(folder, sizeof folder, "specimen-%zu", index);
		else
			snprintf(folder, sizeof folder, "specimen");
	} else if (!o->uscc) {
		return reg_err_set(errp, REG_ENO, file, line, "/dossier/issuance",
				   "the dossier has not been issued: its seals need a USCC "
				   "(--specimen draws samples)");
	}
	if (draw_set(r, o, &s, errp) == 0)
		rc = write_set(r, r->rq->specimen ? folder : o->uscc, &s, errp);
	if (rc < 0 && errp && *errp)
		reg_err_locate(*errp, file, line);
	set_free(&s);
	return rc;
}

static int seal_stream(run *r)
{
	reg_err *err = NULL;
	const char *name = r->rq->input ? r->rq->input : "-";
	FILE *fp = reg_cli_open_input(name, &err);
	reg_xml_stream *st = fp ? reg_xml_stream_new(fp, name, &err) : NULL;
	size_t index = 0;
	if (!st)
		goto out;
	for (;;) {
		xmlDoc *doc = NULL;
		long line = 0;
		int got = reg_xml_stream_next(st, &doc, &line, &err);
		if (got <= 0)
			break;
		index++;
		reg_dossier *d = reg_dossier_adopt(doc, name, line, &err);
		reg_seal_owner o;
		if (d && reg_seal_owner_from_dossier(d, &o, &err) == 0) {
			seal_one(r, &o, name, line, reg_xml_stream_is_batch(st) ? index : 0, &err);
			reg_seal_owner_clear(&o);
		}
		reg_dossier_free(d);
		if (err) {
			bool stop = fatal(reg_err_exit_code(err));
			report(r, err);
			err = NULL;
			if (stop)
				break;
		}
	}
out:
	reg_xml_stream_free(st);
	if (fp && fp != stdin)
		fclose(fp);
	if (err)
		report(r, err);
	return r->worst;
}

int reg_sealset_run(reg_config *cfg, const reg_sealset_request *rq)
{
	run r = {.cfg = cfg, .rq = rq};
	reg_err *err = NULL;
	if (!(r.cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				       &err)))
		goto fail;
	if (!rq->specimen && (!(r.authority = reg_config_authority(cfg, &err)) ||
			      reg_config_now(cfg, &r.now, &err) < 0))
		goto fail;
	if (reg_mkdir(rq->dir, &err) < 0)
		goto fail;
	if (!rq->flags)
		seal_stream(&r);
	else if (seal_one(&r, &rq->given, NULL, 0, 0, &err) < 0)
		goto fail;
	goto out;
fail:
	report(&r, err);
out:
	reg_registry_free(r.reg);
	reg_catalog_free(r.cat);
	return r.worst;
}
