/* audit — reg-verify's runs (audit.h). */
#include "audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "errors.h"
#include "ids.h"
#include "keyring.h"
#include "registry.h"
#include "sign.h"
#include "tarball.h"
#include "utf8.h"
#include "verify.h"
#include "xml.h"

#define REG_NS_VERIFY "urn:regkit:verify:1"
/* How much of an overlong input the report shows. */
#define INPUT_SHOWN 40

static const char *const mode_names[] = {"archive", "uscc", "org-code", "citizen-id"};

struct id_kind {
	reg_id_result (*check)(const char *code);
	void (*explain)(const char *code, char *buf, size_t size);
};

static const struct id_kind kinds[] = {
	[REG_AUDIT_USCC] = {reg_uscc_check, reg_uscc_explain},
	[REG_AUDIT_ORG_CODE] = {reg_org_code_check, reg_org_code_explain},
	[REG_AUDIT_CITIZEN_ID] = {reg_citizen_id_check, reg_citizen_id_explain},
};

/* Where the rows go: the default lines, or a table. */
typedef struct out {
	FILE *fp;
	reg_table *t;
} out;

/* The default line's input: control bytes as \xHH, so a TAB or CR inside an input does not
 * add a field or break the line. */
static void put_input(const char *s, size_t len, FILE *fp)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			fprintf(fp, "\\x%02X", c);
		else
			putc(c, fp);
	}
}

/* One row; `more`: the input was cut, "..." follows it. */
static void put_row(out *o, const char *input, size_t len, bool more, bool ok, const char *why)
{
	const char *result = ok ? "ok" : "invalid";
	if (!o->t) {
		put_input(input, len, o->fp);
		fprintf(o->fp, "%s\t%s\t%s\n", more ? "..." : "", result, why);
		return;
	}
	char shown[INPUT_SHOWN + 4];
	if (more) {
		memcpy(shown, input, len);
		memcpy(shown + len, "...", 4);
		input = shown;
		len += 3;
	}
	const char *cells[] = {input, result, why};
	const size_t lens[] = {len, strlen(result), strlen(why)};
	reg_table_row_len(o->t, cells, lens);
}

/* ---- identifiers -------------------------------------------------------------------------- */

/* Check one input and write its row; returns true when it is ok. */
static bool verify_one(const reg_audit_request *rq, out *o, const char *input, size_t len,
		       bool too_long)
{
	char why[REG_ID_EXPLAIN_MAX] = "";
	bool ok = false;
	if (too_long) {
		/* Show the start only, cut on a UTF-8 character boundary. */
		size_t shown = reg_utf8_cut(input, len, INPUT_SHOWN);
		snprintf(why, sizeof why, _("longer than %d bytes"), REG_AUDIT_INPUT_MAX);
		put_row(o, input, shown, true, false, why);
		return false;
	}
	if (memchr(input, '\0', len)) {
		snprintf(why, sizeof why, "%s", _("contains a nul byte"));
	} else {
		reg_id_result r = kinds[rq->mode].check(input);
		ok = r.rule == REG_ID_OK;
		if (!ok)
			snprintf(why, sizeof why, "%s", r.message);
		else if (rq->explain)
			kinds[rq->mode].explain(input, why, sizeof why);
	}
	put_row(o, input, len, false, ok, why);
	return ok;
}

/* Read one line of at most REG_AUDIT_INPUT_MAX bytes (after stripping "\r"); the rest of a
 * longer line is read and dropped, *too_long set.  1 for a line, 0 at the end, -1 on error. */
static int read_line(FILE *in, char buf[REG_AUDIT_INPUT_MAX + 2], size_t *len, bool *too_long)
{
	int c;
	*len = 0;
	*too_long = false;
	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (*len < REG_AUDIT_INPUT_MAX + 1)
			buf[(*len)++] = (char)c;
		else
			*too_long = true;
	}
	if (ferror(in))
		return -1;
	if (c == EOF && *len == 0 && !*too_long)
		return 0;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	if (*len > REG_AUDIT_INPUT_MAX)
		*too_long = true;
	buf[*len] = '\0';
	return 1;
}

static bool verify_ids(const reg_audit_request *rq, out *o, reg_err **errp)
{
	bool all_ok = true;
	if (rq->n_inputs > 0) {
		for (int i = 0; i < rq->n_inputs; i++) {
			size_t len = strlen(rq->inputs[i]);
			all_ok &= verify_one(rq, o, rq->inputs[i], len, len > REG_AUDIT_INPUT_MAX);
		}
		return all_ok;
	}
	char buf[REG_AUDIT_INPUT_MAX + 2];
	size_t len;
	bool too_long;
	int got;
	while ((got = read_line(stdin, buf, &len, &too_long)) > 0)
		all_ok &= verify_one(rq, o, buf, len, too_long);
	if (got < 0)
		reg_err_set(errp, REG_EIO, "-", 0, NULL, "read failed: %s", strerror(errno));
	return all_ok;
}

/* ---- archives ------------------------------------------------------------------------------ */

/* Everything the archive checks share, loaded once before the first archive. */
struct archive_run {
	reg_sign_key *key;
	reg_catalog *catalog;
	reg_registry *registry;
	reg_keyring *keys;
	const char *test_authority;  /* set when archives are checked with the TEST key */
	int offset;
};

static int archive_setup(reg_config *cfg, const reg_audit_request *rq, struct archive_run *a,
			 reg_err **errp)
{
	const reg_authority *auth = reg_config_authority(cfg, errp);
	if (!auth)
		return -1;
	const char *key = rq->key ? rq->key : reg_authority_public_key_path(auth);
	if (!key)
		return reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(cfg), 0, NULL,
				   "the authority has no public key: give --key");
	if (!(a->key = reg_sign_key_load_public(key, errp)) ||
	    !(a->keys = reg_keyring_new(auth, errp)) ||
	    reg_config_offset(cfg, &a->offset, errp) < 0 ||
	    !(a->catalog = reg_catalog_load(reg_config_catalog_path(cfg),
					    reg_config_schema_dir(cfg), errp)))
		return -1;
	/* Checked with the TEST authority's key, an archive proves nothing: say so. */
	if (reg_authority_test_only(auth) && reg_authority_public_key_path(auth)) {
		reg_sign_key *test = reg_sign_key_load_public(reg_authority_public_key_path(auth),
							      errp);
		if (!test)
			return -1;
		if (reg_sign_key_same_public(test, a->key))
			a->test_authority = reg_authority_name(auth);
		reg_sign_key_free(test);
	}
	if (rq->db && !(a->registry = reg_registry_open_readonly(reg_config_db(cfg), errp)))
		return -1;
	return 0;
}

/* Check one archive and write its row.  1 when ok, 0 when invalid; a check that could not be
 * made (missing file, registry busy …) is reported on stderr, its errors moved to *trouble,
 * and -1 returned. */
static int verify_archive(const reg_audit_request *rq, const struct archive_run *a,
			  const char *path, out *o, reg_err **trouble)
{
	reg_archive_entries *e = NULL;
	reg_err *why = NULL;
	reg_verify_options opt = {.key = a->key, .catalog = a->catalog, .registry = a->registry,
				  .keys = a->keys, .test_authority = a->test_authority,
				  .offset_min = a->offset};
	int rc = strcmp(path, "-") == 0 ? reg_archive_load_fp(stdin, "-", &e, &why)
					: reg_archive_load(path, &e, &why);
	if (rc == 0)
		rc = reg_verify_archive(e, &opt, &why);
	reg_archive_entries_free(e);
	if (rc != 0 && reg_err_exit_code(why) != REG_ENO) {
		/* Not an answer about the archive: no row (ok|invalid only), the error on stderr. */
		fflush(o->fp);
		reg_err_print(why, rq->prog, stderr);
		reg_err_append(trouble, &why);
		return -1;
	}
	/* Genuine: its notes, if any, are the explanation; invalid: the reasons. */
	char *reasons = why ? reg_verify_reasons(why, path) : NULL;
	put_row(o, path, strlen(path), false, rc == 0,
		reasons ? reasons : rc == 0 ? "" : _("out of memory"));
	free(reasons);
	reg_err_free(why);
	return rc == 0;
}

static bool verify_archives(const reg_audit_request *rq, const struct archive_run *a, out *o,
			    reg_err **trouble)
{
	bool all_ok = true;
	for (int i = 0; i < rq->n_inputs; i++)
		all_ok &= verify_archive(rq, a, rq->inputs[i], o, trouble) == 1;
	return all_ok;
}

/* ---- the run ------------------------------------------------------------------------------- */

static const char *const cols[] = {"input", "result", "explanation"};

int reg_audit_run(reg_config *cfg, const reg_audit_request *rq)
{
	reg_err *err = NULL, *trouble = NULL;
	struct archive_run a = {0};
	out o = {.fp = stdout};
	bool all_ok = true, archives = rq->mode == REG_AUDIT_ARCHIVES;
	int code;
	if (archives) {
		reg_xml_init(reg_config_schema_dir(cfg));
		if (archive_setup(cfg, rq, &a, &err) < 0)
			goto out;
	}
	if (rq->formatted) {
		const char *attrs[] = {"mode", mode_names[rq->mode], NULL};
		reg_table_doc doc = {"verification", REG_NS_VERIFY, attrs};
		if (!(o.t = reg_table_new(stdout, rq->format, &doc, false, &err)))
			goto out;
		reg_table_list(o.t, "results", "result", cols, 3);
	}
	all_ok = archives ? verify_archives(rq, &a, &o, &trouble) : verify_ids(rq, &o, &err);
	if (o.t && !err)
		reg_table_finish(o.t, &err);
	reg_cli_close(stdout, "-", &err);
out:
	reg_table_free(o.t);
	reg_registry_free(a.registry);
	reg_catalog_free(a.catalog);
	reg_keyring_free(a.keys);
	reg_sign_key_free(a.key);
	if (archives)
		reg_xml_cleanup();
	if (err)
		code = reg_cli_fail(rq->prog, err);
	else if (trouble)
		code = reg_err_exit_code(trouble);
	else
		code = all_ok ? REG_OK : REG_ENO;
	reg_err_free(trouble);
	return code;
}
