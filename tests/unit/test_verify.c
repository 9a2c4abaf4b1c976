/* verify: an auditor relies on reg_verify_archive to pass every archive the authority issued and
 * to name every way a signed-but-wrong or forged archive departs from docs/formats.md — and on
 * the reasons line keeping its shape whatever the archive holds. */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "regkit-config.h"
#include "tap.h"
#include "xml.h"

#define USCC "91150302MA0000015Y"
#define NUMBER "150302-20261123-000001"
#define T0 1795395600 /* 2026-11-23T09:00:00+08:00 */

static const char *src_dir;
static reg_sign_key *priv, *pub;
static reg_catalog *cat;

/* ---- a set of documents, edited per case, packed and signed like reg-issue ------------------ */

#define MAX_DOCS 64
typedef struct docset {
	char *path[MAX_DOCS];
	char *data[MAX_DOCS];
	size_t n;
} docset;

static void set_put(docset *s, const char *path, const char *data)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->path[i], path) == 0) {
			free(s->data[i]);
			s->data[i] = strdup(data);
			return;
		}
	if (s->n < MAX_DOCS) {
		s->path[s->n] = strdup(path);
		s->data[s->n++] = strdup(data);
	}
}

static void set_del(docset *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->path[i], path) == 0) {
			free(s->path[i]);
			free(s->data[i]);
			s->path[i] = s->path[s->n - 1];
			s->data[i] = s->data[s->n - 1];
			s->n--;
			return;
		}
}

/* Replace the first `from` in document `path` by `to`. */
static void set_edit(docset *s, const char *path, const char *from, const char *to)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->path[i], path) != 0)
			continue;
		char *at = strstr(s->data[i], from);
		if (!at) {
			diag("edit: '%s' not in %s", from, path);
			return;
		}
		size_t pre = (size_t)(at - s->data[i]);
		char *n = NULL;
		if (asprintf(&n, "%.*s%s%s", (int)pre, s->data[i], to, at + strlen(from)) < 0)
			return;
		free(s->data[i]);
		s->data[i] = n;
		return;
	}
	diag("edit: no %s", path);
}

static void set_free(docset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->path[i]);
		free(s->data[i]);
	}
	s->n = 0;
}

static const char license_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<license xmlns=\"urn:regkit:archive:1\">\n"
	"  <uscc>" USCC "</uscc>\n"
	"  <name>乌海市恒泰商贸有限公司</name>\n"
	"  <legal-representative>张伟</legal-representative>\n"
	"  <capital currency=\"CNY\">1000000.00</capital>\n"
	"  <items><item number=\"1\" id=\"business-license\" status=\"filed\">营业执照</item></items>\n"
	"</license>\n";

static const char dossier_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<dossier xmlns=\"urn:regkit:dossier:1\" state=\"issued\">\n"
	"  <enterprise>\n"
	"    <name>乌海市恒泰商贸有限公司</name>\n"
	"    <legal-representative><name>张伟</name>"
	"<citizen-id>15030219850315609X</citizen-id></legal-representative>\n"
	"  </enterprise>\n"
	"  <acceptance number=\"" NUMBER "\" window=\"01\" clerk=\"王芳\""
	" time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/>\n"
	"  <issuance uscc=\"" USCC "\" time=\"2026-11-23T10:00:00+08:00\" authority=\"150302\"/>\n"
	"</dossier>\n";

static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40mm\"/>\n";

static void sample(docset *s)
{
	char path[128], body[512];
	s->n = 0;
	set_put(s, "license.xml", license_xml);
	set_put(s, "license.svg", svg);
	set_put(s, "dossier.xml", dossier_xml);
	for (size_t i = 0; i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		snprintf(path, sizeof path, "registrations/%02d-%s.xml", reg_item_number(it),
			 reg_item_id(it));
		snprintf(body, sizeof body,
			 "<registration xmlns=\"urn:regkit:archive:1\" number=\"%02d\" item=\"%s\">"
			 "<uscc>" USCC "</uscc></registration>\n",
			 reg_item_number(it), reg_item_id(it));
		set_put(s, path, body);
	}
	char *filing = NULL;
	size_t flen = 0;
	FILE *fp = open_memstream(&filing, &flen);
	fputs("<seal-filing xmlns=\"urn:regkit:archive:1\" date=\"2026-11-23\">\n"
	      "  <enterprise uscc=\"" USCC "\" form=\"llc\"><name>乌海市恒泰商贸有限公司</name>"
	      "<legal-representative>张伟</legal-representative></enterprise>\n"
	      "  <seals>\n",
	      fp);
	for (size_t i = 0; i < reg_catalog_seal_count(cat); i++) {
		const reg_seal_type *t = reg_catalog_seal(cat, i);
		snprintf(path, sizeof path, "seals/%s-%s.svg", reg_seal_type_code(t),
			 reg_seal_type_id(t));
		set_put(s, path, svg);
		fprintf(fp, "    <seal code=\"150302000000%zu\" type=\"%s\" id=\"%s\" fee=\"0.00\"/>\n",
			i + 1, reg_seal_type_code(t), reg_seal_type_id(t));
	}
	fputs("  </seals>\n</seal-filing>\n", fp);
	fclose(fp);
	set_put(s, "seals/filing.xml", filing);
	free(filing);
}

/* Pack and sign the set under top with `key`, load it back as reg-verify would. */
static reg_archive_entries *pack(const docset *s, const char *top, const reg_sign_key *key)
{
	reg_err *err = NULL;
	reg_archive_writer *w = reg_archive_writer_new(top, T0, &err);
	for (size_t i = 0; w && i < s->n; i++)
		reg_archive_add_file(w, s->path[i], s->data[i], strlen(s->data[i]), &err);
	unsigned char *buf = NULL;
	size_t len = 0;
	reg_archive_entries *e = NULL;
	if (w && !err && reg_archive_add_signed_manifest(w, key, &err) == 0 &&
	    reg_archive_write_mem(w, &buf, &len, &err) == 0)
		reg_archive_load_mem(buf, len, "test.tar.gz", &e, &err);
	if (err) {
		reg_err_print(err, "pack", stdout);
		reg_err_free(err);
	}
	free(buf);
	reg_archive_writer_free(w);
	return e;
}

/* Verify and return the reasons line (NULL when ok); *code the chain's exit code. */
static char *verify(const reg_archive_entries *e, reg_registry *reg, int *code)
{
	reg_verify_options opt = {.key = pub, .catalog = cat, .registry = reg};
	reg_err *err = NULL;
	int rc = reg_verify_archive(e, &opt, &err);
	*code = reg_err_exit_code(err);
	char *why = err ? reg_verify_reasons(err, "test.tar.gz") : NULL;
	if ((rc == 0) != (err == NULL))
		diag("return value and chain disagree");
	reg_err_free(err);
	return why;
}

/* One case: build from the edited set, expect exactly these reasons (joined by "; "). */
static void expect_reasons(const docset *s, const char *top, const char *want, const char *what)
{
	reg_archive_entries *e = pack(s, top, priv);
	if (!ok(e != NULL, "%s: packed", what))
		return;
	int code = 0;
	char *why = verify(e, NULL, &code);
	if (want)
		is_str(why, want, "%s", what);
	else if (!ok(why == NULL, "%s", what))
		diag("reasons: %s", why);
	is_int(code, want ? REG_ENO : REG_OK, "%s: the answer is %s", what, want ? "no" : "yes");
	free(why);
	reg_archive_entries_free(e);
}

static void test_genuine(void)
{
	docset s;
	sample(&s);
	expect_reasons(&s, USCC, NULL, "a complete archive signed by the authority is genuine");

	reg_archive_entries *e = pack(&s, USCC, priv);
	reg_verify_options opt = {.key = priv, .catalog = cat};
	reg_err *err = NULL;
	is_int(reg_verify_archive(e, &opt, &err), 0, "the private key verifies as well");
	opt.key = NULL;
	is_int(reg_verify_archive(e, &opt, &err), -1, "no key: refused");
	is_int(reg_err_code(err), REG_EINTERNAL, "as the caller's mistake, not as 'not genuine'");
	reg_err_clear(&err);
	reg_archive_entries_free(e);
	set_free(&s);
}

static void test_signature(void)
{
	docset s;
	sample(&s);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, ed, NULL, NULL, 0, NULL, NULL);
	char *pem = NULL;
	long pemlen = BIO_get_mem_data(bio, &pem);
	reg_err *err = NULL;
	reg_sign_key *other = reg_sign_key_from_pem(pem, (size_t)pemlen, true, "other", &err);
	BIO_free(bio);
	EVP_PKEY_free(ed);
	reg_archive_entries *e = pack(&s, USCC, other);
	int code = 0;
	char *why = verify(e, NULL, &code);
	is_str(why, "MANIFEST.sig is not the authority's signature of MANIFEST",
	       "signed by another key: the signature, and nothing else, fails");
	is_int(code, REG_ENO, "not genuine");
	free(why);
	reg_archive_entries_free(e);
	reg_sign_key_free(other);
	reg_err_free(err);
	set_free(&s);
}

static void test_uscc(void)
{
	docset s;
	sample(&s);
	expect_reasons(&s, "91150302MA0000015X",
		       "top directory '91150302MA0000015X' is not a valid USCC: check character "
		       "should be Y; "
		       "license.xml:3: /license/uscc: USCC '" USCC "' is not the archive's "
		       "'91150302MA0000015X'; "
		       "seals/filing.xml:2: /seal-filing/enterprise/@uscc: USCC '" USCC "' is not "
		       "the archive's '91150302MA0000015X'; "
		       "dossier.xml:8: /dossier/issuance/@uscc: USCC '" USCC "' is not the archive's "
		       "'91150302MA0000015X'; "
		       "registrations/: /registration/uscc: 20 registration records name USCC '" USCC
		       "', not the archive's '91150302MA0000015X'",
		       "an invalid top directory, and every document disagreeing with it");

	set_edit(&s, "license.xml", "<uscc>" USCC "</uscc>", "");
	expect_reasons(&s, USCC, "license.xml:2: /license: no <uscc>", "a license without its USCC");
	set_free(&s);

	sample(&s);
	set_edit(&s, "license.xml", "<license xmlns", "<licence xmlns");
	set_edit(&s, "license.xml", "</license>", "</licence>");
	expect_reasons(&s, USCC,
		       "license.xml:2: the root is <licence>, not <license> of urn:regkit:archive:1",
		       "a license.xml that is something else");
	set_free(&s);

	sample(&s);
	set_edit(&s, "dossier.xml", "<issuance", "<x");
	expect_reasons(&s, USCC, "dossier.xml:2: /dossier: no <issuance>: the dossier was not issued",
		       "a dossier that was never issued");
	set_free(&s);
}

static void test_identifiers(void)
{
	docset s;
	sample(&s);
	set_edit(&s, "license.xml", "<capital",
		 "<shareholders><shareholder><citizen-id>150302198503156090</citizen-id>"
		 "</shareholder><shareholder uscc=\"914403001922038217\"/>"
		 "<shareholder><org-code>MA0000011</org-code></shareholder>"
		 "<shareholder><citizen-id>15030219850315609X</citizen-id></shareholder>"
		 "<shareholder uscc=\"914403001922038216\"/></shareholders><capital");
	expect_reasons(&s, USCC,
		       "license.xml:6: /license/shareholders/shareholder/citizen-id: invalid citizen "
		       "id '150302198503156090': check character should be X; "
		       "license.xml:6: /license/shareholders/shareholder/@uscc: invalid USCC "
		       "'914403001922038217': check character should be 6; "
		       "license.xml:6: /license/shareholders/shareholder/org-code: invalid "
		       "organization code 'MA0000011': check character should be 5",
		       "identifiers in license.xml: elements and attributes, found by name");
	set_free(&s);

	sample(&s);
	set_edit(&s, "seals/filing.xml", "code=\"1503020000003\"", "code=\"15030200000a3\"");
	set_edit(&s, "seals/filing.xml", "<seals>",
		 "<seals><seal-code>12345</seal-code>");
	expect_reasons(&s, USCC,
		       "seals/filing.xml:3: /seal-filing/seals/seal-code: invalid seal code '12345': "
		       "not 13 digits; "
		       "seals/filing.xml:6: /seal-filing/seals/seal/@code: invalid seal code "
		       "'15030200000a3': not 13 digits",
		       "seal codes in the filing record: 13 digits");
	set_free(&s);

	sample(&s);
	set_edit(&s, "license.xml", "<name>", "<citizen-id>15&#9;03&#10;\xc3\xa9</citizen-id><name>");
	reg_archive_entries *e = pack(&s, USCC, priv);
	int code = 0;
	char *why = verify(e, NULL, &code);
	ok(why && !strchr(why, '\t') && !strchr(why, '\n') &&
	   strstr(why, "'15\\x0903\\x0a\\xc3\\xa9'"), "a hostile value is quoted, never printed raw: %s",
	   why ? why : "(ok)");
	free(why);
	reg_archive_entries_free(e);
	set_free(&s);
}

static void test_layout(void)
{
	docset s;
	sample(&s);
	set_del(&s, "registrations/10-recycling.xml");
	set_del(&s, "seals/03-invoice.svg");
	set_del(&s, "license.svg");
	set_put(&s, "registrations/21-extra.xml", "<registration xmlns=\"urn:regkit:archive:1\"/>");
	set_put(&s, "seals/06-spare.svg", svg);
	set_put(&s, "seals/notes.txt", "not a seal");
	set_put(&s, "README", "a file of its own beside the documents, listed in MANIFEST");
	expect_reasons(&s, USCC,
		       "no license.svg; "
		       "no registrations/10-recycling.xml; "
		       "registrations/21-extra.xml is not a registration record of the catalog; "
		       "no seals/03-invoice.svg; "
		       "seals/06-spare.svg is not a seal of the catalog; "
		       "README is not part of an issuance archive; "
		       "seals/notes.txt is not part of an issuance archive",
		       "twenty records and five seals, named by the catalog; nothing else at all");
	set_free(&s);

	sample(&s);
	set_del(&s, "seals/filing.xml");
	set_del(&s, "dossier.xml");
	set_del(&s, "license.xml");
	expect_reasons(&s, USCC, "no license.xml; no seals/filing.xml; no dossier.xml",
		       "the license, the filing record and the dossier are required");
	set_free(&s);

	sample(&s);
	set_put(&s, "registrations/05-statistics.xml",
		"<registration xmlns=\"urn:regkit:archive:1\">\n<oops>\n</registration>\n");
	set_put(&s, "registrations/06-seal-filing.xml", "<registration/>");
	set_put(&s, "seals/01-official.svg", "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>");
	reg_archive_entries *e = pack(&s, USCC, priv);
	int code = 0;
	char *why = verify(e, NULL, &code);
	ok(why && strstr(why, "registrations/05-statistics.xml:3: not well-formed") &&
	   strstr(why, "registrations/06-seal-filing.xml:1: the root is <registration>, not "
		       "<registration> of urn:regkit:archive:1") &&
	   strstr(why, "seals/01-official.svg:1: document type declarations are not allowed"),
	   "documents are parsed safely and named with their line: %s", why ? why : "(ok)");
	is_int(code, REG_ENO, "a malformed document is 'not genuine', not 'input unreadable'");
	free(why);
	reg_archive_entries_free(e);
	set_free(&s);
}

static void test_filing(void)
{
	docset s;
	sample(&s);
	set_edit(&s, "seals/filing.xml", "code=\"1503020000002\"", "code=\"1503020000001\"");
	set_edit(&s, "seals/filing.xml", "type=\"05\"", "type=\"04\"");
	set_edit(&s, "seals/filing.xml", "type=\"03\"", "type=\"09\"");
	expect_reasons(&s, USCC,
		       "seals/filing.xml:6: /seal-filing/seals/seal/@type: seal of type '09', which "
		       "the catalog does not have; "
		       "seals/filing.xml:1: /seal-filing/seals: no seal of type 03 (invoice) filed; "
		       "seals/filing.xml:1: /seal-filing/seals: 2 seals of type 04 (contract) filed; "
		       "seals/filing.xml:1: /seal-filing/seals: no seal of type 05 (legal-rep) filed; "
		       "seals/filing.xml: /seal-filing/seals/seal/@code: seal code '1503020000001' "
		       "filed twice",
		       "one seal per catalog type, no code twice");
	set_free(&s);
}

/* ---- the registry ------------------------------------------------------------------------- */

static reg_registry *issued_registry(const char *path, const char *sha, bool seals)
{
	reg_err *err = NULL;
	unlink(path);
	reg_registry *reg = reg_registry_open(path, &err);
	reg_registry_dossier d = {.number = NUMBER, .name = "乌海市恒泰商贸有限公司",
				  .authority = "150302", .state = "issued", .accepted_at = T0};
	reg_registry_body first = {.digest = "0000000000000000000000000000000000000000000000000000"
					     "000000000000",
				   .body = "<dossier/>"};
	reg_registry_issuance is = {.number = NUMBER, .uscc = USCC, .issued_at = T0,
				    .archive_path = "out/" USCC ".tar.gz", .archive_sha256 = sha};
	if (reg)
		reg_registry_add_dossier(reg, &d, &first, &err);
	if (reg && !err)
		reg_registry_add_issuance(reg, &is, &err);
	for (size_t i = 0; reg && seals && !err && i < reg_catalog_seal_count(cat); i++) {
		char code[48];
		snprintf(code, sizeof code, "150302000000%zu", i + 1);
		reg_registry_seal s = {.code = code, .uscc = USCC,
				       .type = reg_seal_type_code(reg_catalog_seal(cat, i)),
				       .filed_at = T0};
		reg_registry_add_seal(reg, &s, &err);
	}
	if (err) {
		reg_err_print(err, "registry", stdout);
		reg_err_free(err);
	}
	return reg;
}

static void test_registry(const char *tmp)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/r.db", tmp);
	docset s;
	sample(&s);
	reg_archive_entries *e = pack(&s, USCC, priv);
	if (!ok(e != NULL, "archive for the registry cases"))
		return;
	int code = 0;

	reg_registry *reg = issued_registry(path, reg_archive_sha256(e), true);
	char *why = verify(e, reg, &code);
	if (!ok(why == NULL, "the registry agrees: issued, same digest, same seals"))
		diag("reasons: %s", why);
	free(why);
	reg_registry_free(reg);

	reg = issued_registry(path, "1111111111111111111111111111111111111111111111111111111111111111",
			      true);
	why = verify(e, reg, &code);
	char want[512];
	snprintf(want, sizeof want,
		 "archive sha-256 %s is not the 1111111111111111111111111111111111111111111111111111"
		 "111111111111 recorded at issuance (the tar inside is canonical: recompressed)",
		 reg_archive_sha256(e));
	is_str(why, want, "another digest: named, and told apart from a repacked archive");
	is_int(code, REG_ENO, "not genuine");
	free(why);
	reg_registry_free(reg);

	reg = issued_registry(path, reg_archive_sha256(e), false);
	reg_err *err = NULL;
	reg_registry_seal s1 = {.code = "1503020000001", .uscc = USCC, .type = "02", .filed_at = T0};
	reg_registry_seal s9 = {.code = "1503020000009", .uscc = USCC, .type = "01", .filed_at = T0};
	reg_registry_add_seal(reg, &s1, &err);
	reg_registry_add_seal(reg, &s9, &err);
	ok(err == NULL, "seals filed otherwise");
	reg_err_clear(&err);
	why = verify(e, reg, &code);
	is_str(why,
	       "seals/filing.xml: seal code '1503020000001' is filed as type '02', not 01; "
	       "seals/filing.xml: seal code '1503020000002' is not filed in the registry; "
	       "seals/filing.xml: seal code '1503020000003' is not filed in the registry; "
	       "seals/filing.xml: seal code '1503020000004' is not filed in the registry; "
	       "seals/filing.xml: seal code '1503020000005' is not filed in the registry; "
	       "seals/filing.xml: seal code '1503020000009' (type 01), filed in the registry, is "
	       "not in the filing record",
	       "every seal code is compared both ways");
	free(why);
	reg_registry_free(reg);
	reg_archive_entries_free(e);

	set_edit(&s, "dossier.xml", NUMBER, "150302-20261123-000002");
	e = pack(&s, USCC, priv);
	reg = issued_registry(path, reg_archive_sha256(e), true);
	why = verify(e, reg, &code);
	is_str(why, "dossier.xml: /dossier/acceptance/@number: dossier '150302-20261123-000002', "
		    "but the registry issued this USCC to dossier '" NUMBER "'",
	       "the dossier inside is the one the registry issued");
	free(why);
	reg_registry_free(reg);
	reg_archive_entries_free(e);
	set_free(&s);

	sample(&s);
	e = pack(&s, "914403001922038216", priv);
	reg = issued_registry(path, reg_archive_sha256(e), true);
	why = verify(e, reg, &code);
	ok(why && strstr(why, "USCC '914403001922038216' was not issued by this registry"),
	   "a USCC the registry never issued");
	free(why);
	reg_registry_free(reg);
	reg_archive_entries_free(e);
	set_free(&s);
	unlink(path);
	snprintf(path, sizeof path, "%s/r.db-wal", tmp);
	unlink(path);
	snprintf(path, sizeof path, "%s/r.db-shm", tmp);
	unlink(path);
}

/* ---- the reasons line --------------------------------------------------------------------- */

static void test_reasons(void)
{
	reg_err *err = NULL;
	reg_err_add(&err, REG_ENO, "a.tar.gz", 0, NULL, "first");
	reg_err_add(&err, REG_ENO, "license.xml", 12, "/license/uscc", "second\tthird\nline");
	reg_err_add(&err, REG_ENO, NULL, 0, NULL, "no file");
	reg_err_add(&err, REG_ENO, "b.tar.gz", 0, NULL, "another archive's");
	char *r = reg_verify_reasons(err, "a.tar.gz");
	is_str(r, "first; license.xml:12: /license/uscc: second\\x09third\\x0aline; no file; "
		  "b.tar.gz: another archive's",
	       "reasons: the archive's own name left out, one line, no TAB, joined by '; '");
	free(r);
	reg_err_free(err);
}

int main(void)
{
	src_dir = getenv("REG_SOURCE_DIR") ? getenv("REG_SOURCE_DIR") : REG_SOURCE_DATADIR;
	char keypath[4200], pubpath[4200], schemas[4200], catpath[4300];
	snprintf(keypath, sizeof keypath, "%s/fixtures/authority/authority.key", src_dir);
	snprintf(pubpath, sizeof pubpath, "%s/fixtures/authority/authority.pub", src_dir);
	snprintf(schemas, sizeof schemas, "%s/schemas", src_dir);
	snprintf(catpath, sizeof catpath, "%s/catalog.xml", schemas);
	reg_xml_init(schemas);
	reg_err *err = NULL;
	priv = reg_sign_key_load_private(keypath, &err);
	pub = reg_sign_key_load_public(pubpath, &err);
	cat = reg_catalog_load(catpath, schemas, &err);
	char tmpl[] = "/tmp/regkit-verify-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	if (ok(priv && pub && cat && tmp, "the fixture keys and the catalog load")) {
		test_genuine();
		test_signature();
		test_uscc();
		test_identifiers();
		test_layout();
		test_filing();
		test_registry(tmp);
		test_reasons();
	} else {
		reg_err_print(err, "test", stdout);
	}
	if (tmp)
		rmdir(tmp);
	reg_err_free(err);
	reg_catalog_free(cat);
	reg_sign_key_free(priv);
	reg_sign_key_free(pub);
	reg_xml_cleanup();
	return tap_done();
}
