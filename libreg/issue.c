#include "issue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarball.h"
#include "clock.h"
#include "license.h"
#include "seal.h"
#include "sign.h"
#include "xml.h"

struct reg_issue {
	reg_config *cfg;
	const reg_catalog *cat;
	reg_registry *reg;
	bool own_reg;              /* opened here, at the first dossier */
	const reg_authority *auth;
	reg_sign_key *key;
	char *out_dir;
	int64_t now;
};

reg_issue *reg_issue_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 const char *out_dir, reg_err **errp)
{
	reg_issue *is = calloc(1, sizeof *is);
	if (!is || !(is->out_dir = strdup(out_dir))) {
		free(is);
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	/* "out/" and "out" name the same folder; archive paths print the same either way. */
	for (size_t len = strlen(is->out_dir); len > 1 && is->out_dir[len - 1] == '/'; len--)
		is->out_dir[len - 1] = '\0';
	is->cfg = cfg;
	is->cat = catalog;
	is->reg = registry;
	if (!(is->auth = reg_config_authority(cfg, errp)) || reg_config_now(cfg, &is->now, errp) < 0)
		goto fail;
	const char *key_path = reg_authority_private_key_path(is->auth);
	if (!key_path) {
		reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(cfg), 0, "/authority/signing-key",
			    "no private key: this authority cannot sign archives");
		goto fail;
	}
	if (!(is->key = reg_sign_key_load_private(key_path, errp)) ||
	    reg_archive_clean_stale(out_dir, errp) < 0)
		goto fail;
	return is;
fail:
	reg_issue_free(is);
	return NULL;
}

void reg_issue_free(reg_issue *is)
{
	if (!is)
		return;
	reg_sign_key_free(is->key);
	if (is->own_reg)
		reg_registry_free(is->reg);
	free(is->out_dir);
	free(is);
}

/* The dossier must be the one the registry accepted, with every approval on that body. */
static int check_issuable(reg_issue *is, reg_dossier *d, const char *number, char digest[65],
			  reg_err **errp)
{
	const char *file = reg_dossier_file(d);
	long line = reg_dossier_line(d);
	reg_state state = reg_dossier_state(d);
	if (state != REG_STATE_APPROVED && state != REG_STATE_ISSUED)
		return reg_err_set(errp, REG_ENO, file, line, "/dossier/@state",
				   "dossier %s is %s, not approved: not issued", number,
				   state == REG_STATE_NONE ? "not accepted" : reg_state_name(state));
	if (reg_dossier_body_digest(d, digest, errp) < 0)
		return -1;
	reg_registry_dossier known = {0};
	bool found = false;
	if (reg_registry_get_dossier(is->reg, number, &known, &found, errp) < 0)
		return -1;
	int rc = 0;
	if (!found)
		rc = reg_err_set(errp, REG_ENO, file, line, "/dossier/acceptance/@number",
				 "dossier %s was not accepted by this registry", number);
	else if (strcmp(known.body_digest, digest) != 0)
		rc = reg_err_set(errp, REG_ENO, file, line, "/dossier",
				 "dossier %s differs from the body accepted (digest %.12s…, accepted "
				 "%.12s…)", number, digest, known.body_digest);
	reg_registry_dossier_clear(&known);
	if (rc < 0)
		return -1;
	reg_approval *approvals = NULL;
	size_t n = 0;
	if (reg_dossier_approvals(d, &approvals, &n, errp) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(approvals[i].digest, digest) != 0)
			rc = reg_err_add(errp, REG_ENO, file, approvals[i].line,
					 "/dossier/approvals/approval/@body-digest",
					 "approval of '%s' by %s was given on another body", approvals[i].item,
					 approvals[i].dept);
	reg_approval_list_free(approvals, n);
	return rc;
}

/* The USCC and time: the registry's when issued before, new ones otherwise. */
static int take_uscc(reg_issue *is, const char *number, reg_issued *out, int64_t *at,
		     reg_err **errp)
{
	reg_registry_issuance prior = {0};
	bool found = false;
	if (reg_registry_get_issuance(is->reg, number, &prior, &found, errp) < 0)
		return -1;
	if (found) {
		snprintf(out->uscc, sizeof out->uscc, "%s", prior.uscc);
		*at = prior.issued_at;
		out->reissued = true;
		reg_registry_issuance_clear(&prior);
		return 0;
	}
	const char *division = reg_authority_division(is->auth);
	char counter[32];
	uint64_t serial;
	snprintf(counter, sizeof counter, "uscc:%s", division);
	if (reg_registry_next_serial(is->reg, counter, &serial, errp) < 0)
		return -1;
	if (reg_uscc_make(division, serial, out->uscc) < 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "USCC serials of %s are exhausted", division);
	*at = is->now;
	out->reissued = false;
	reg_registry_issuance row = {.number = number, .uscc = out->uscc, .issued_at = *at};
	return reg_registry_add_issuance(is->reg, &row, errp);
}

static void set_issuance(reg_issue *is, reg_dossier *d, const char *uscc, int64_t at)
{
	char when[REG_TIME_ISO_MAX];
	reg_time_format(at, reg_authority_offset(is->auth), when);
	reg_dossier_drop_section(d, "issuance");
	xmlNode *n = reg_dossier_section(d, "issuance", true);
	xmlSetProp(n, BAD_CAST "uscc", BAD_CAST uscc);
	xmlSetProp(n, BAD_CAST "time", BAD_CAST when);
	xmlSetProp(n, BAD_CAST "authority", BAD_CAST reg_authority_division(is->auth));
	reg_dossier_set_state(d, REG_STATE_ISSUED);
}

static int add_seals(reg_issue *is, reg_dossier *d, const char *uscc, int64_t at,
		     reg_archive_writer *w, reg_err **errp)
{
	size_t n = reg_catalog_seal_count(is->cat);
	reg_seal_filed *filed = calloc(n ? n : 1, sizeof *filed);
	reg_seal_owner owner = {0};
	char *data = NULL, path[REG_SEAL_FILE_NAME_MAX + 16], file[REG_SEAL_FILE_NAME_MAX];
	size_t len = 0;
	int rc = -1;
	if (!filed) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (reg_seal_owner_from_dossier(d, &owner, errp) < 0 ||
	    reg_seal_file_set(is->reg, is->cat, reg_authority_division(is->auth), uscc, at, filed,
			      NULL, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		reg_seal_spec spec = {.type = filed[i].type, .owner = &owner, .code = filed[i].code};
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
	free(filed);
	return rc;
}

static int build_archive(reg_issue *is, reg_dossier *d, const char *uscc, int64_t at,
			 reg_archive_writer *w, reg_err **errp)
{
	reg_document *docs = NULL;
	size_t n = 0;
	char *final = NULL;
	size_t final_len = 0;
	int rc = -1;
	reg_license_input in = {.catalog = is->cat, .authority = is->auth, .dossier = d,
				.uscc = uscc, .issued_at = at};
	if (reg_license_documents(&in, &docs, &n, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (reg_archive_add_file(w, docs[i].path, docs[i].data, docs[i].len, errp) < 0)
			goto out;
	if (add_seals(is, d, uscc, at, w, errp) < 0 ||
	    reg_xml_serialize(reg_dossier_doc(d), &final, &final_len, errp) < 0 ||
	    reg_archive_add_file(w, "dossier.xml", final, final_len, errp) < 0 ||
	    reg_archive_add_signed_manifest(w, is->key, errp) < 0)
		goto out;
	rc = 0;
out:
	free(final);
	reg_documents_free(docs, n);
	return rc;
}

int reg_issue_dossier(reg_issue *is, reg_dossier *d, reg_issued *out, reg_err **errp)
{
	char *number = reg_dossier_number(d), digest[65], name[REG_USCC_LEN + 8];
	reg_archive_writer *w = NULL;
	bool written = false;
	int64_t at = 0;
	int rc = -1;
	memset(out, 0, sizeof *out);
	if (!is->reg) {
		if (!(is->reg = reg_registry_open_existing(reg_config_db(is->cfg), errp)))
			goto out;
		is->own_reg = true;
	}
	if (!number) {
		reg_err_set(errp, REG_ENO, reg_dossier_file(d), reg_dossier_line(d),
			    "/dossier/acceptance", "dossier was never accepted: not issued");
		goto out;
	}
	if (check_issuable(is, d, number, digest, errp) < 0 || reg_registry_begin(is->reg, errp) < 0)
		goto out;
	if (take_uscc(is, number, out, &at, errp) < 0)
		goto out;
	set_issuance(is, d, out->uscc, at);
	snprintf(name, sizeof name, "%s.tar.gz", out->uscc);
	snprintf(out->path, sizeof out->path, "%s/%s", is->out_dir, name);
	if (!(w = reg_archive_writer_new(out->uscc, at, errp)) ||
	    build_archive(is, d, out->uscc, at, w, errp) < 0 ||
	    reg_archive_write_atomic(w, is->out_dir, name, out->sha256, errp) < 0)
		goto out;
	written = !out->reissued;
	if (reg_registry_set_archive(is->reg, number, out->path, out->sha256, errp) < 0 ||
	    reg_registry_set_dossier_state(is->reg, number, reg_state_name(REG_STATE_ISSUED), errp) < 0 ||
	    reg_registry_add_event(is->reg, is->now, out->reissued ? "reissued" : "issued", number,
				   out->uscc, NULL, errp) < 0 ||
	    reg_registry_commit(is->reg, errp) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		reg_registry_rollback(is->reg, NULL);
		/* An archive the registry does not record must not stay under its final name. */
		if (written && unlink(out->path) < 0 && errno != ENOENT)
			reg_err_add(errp, REG_EIO, out->path, 0, NULL, "cannot remove: %s",
				    strerror(errno));
	}
	reg_archive_writer_free(w);
	free(number);
	return rc;
}
