/* authority_setup: a bureau's new authority must load with the tools' own loaders, its private
 * keys must be 0600 and never replaced, and a department's key imported with rotation must keep
 * the verdicts the previous key signed verifiable.  (Making a key: test_sign.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "authority_setup.h"
#include "clock.h"
#include "keyring.h"
#include "regkit-config.h"
#include "sign.h"
#include "tap.h"
#include "xml.h"

static char tmpdir[4096];
static reg_catalog *cat;

#define T0 1767574800       /* 2026-01-05T09:00:00+08:00: the authority is made */
#define ROTATION 1782835200 /* 2026-07-01T00:00:00+08:00: tax's second key */
#define JUNE 1780275600     /* 2026-06-01T09:00:00+08:00 */
#define NOVEMBER 1795395600 /* 2026-11-23T09:00:00+08:00 */

static char *path_in(const char *rel)
{
	char *p = NULL;
	return asprintf(&p, "%s/%s", tmpdir, rel) < 0 ? NULL : p;
}

static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	*len = 0;
	if (fp && reg_read_all(fp, path, 1 << 20, &buf, len, NULL) < 0)
		buf = NULL;
	if (fp)
		fclose(fp);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fputs(text, fp) == EOF || fclose(fp) != 0)
		diag("cannot write %s", path);
}

/* Whether `haystack` (a file's text or an output) holds any line of the PEM in `pem`'s body. */
static bool leaks(const char *haystack, const char *pem)
{
	const char *body = strchr(pem, '\n');
	char line[128];
	size_t n = body ? strcspn(body + 1, "\n") : 0;
	if (!n || n >= sizeof line)
		return false;
	memcpy(line, body + 1, n);
	line[n] = '\0';
	return strstr(haystack, line) != NULL;
}

static void test_default_name(void)
{
	static const struct {
		const char *code, *name;
	} cases[] = {
		{"440305", "深圳市南山区市场监督管理局"},
		{"150302", "乌海市海勃湾区市场监督管理局"},
		{"150300", "乌海市市场监督管理局"},
		{"110105", "北京市朝阳区市场监督管理局"},
		{"150000", "内蒙古自治区市场监督管理局"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *name = reg_authority_default_name(cases[i].code);
		is_str(name, cases[i].name, "default name of %s", cases[i].code);
		free(name);
	}
	ok(reg_authority_default_name("150399") == NULL, "no default name for an unknown code");
}

static void test_keygen(void)
{
	reg_err *err = NULL;
	char *pem = NULL, fp[65];
	size_t len = 0;
	char *file = path_in("host/tax.key"), *host = path_in("host");
	mkdir(host, 0755);
	mode_t old = umask(0);
	ok(reg_authority_keygen(file, &pem, &len, fp, &err) == 0, "keygen");
	umask(old);
	is_int(mode_of(file), 0600, "the private key is 0600 even with umask 0");
	reg_sign_key *priv = reg_sign_key_load_private(file, &err);
	reg_sign_key *pub = pem ? reg_sign_key_from_pem(pem, len, false, "stdout", &err) : NULL;
	char fp2[65] = "";
	ok(priv && pub && reg_sign_key_same_public(priv, pub) &&
	   reg_sign_key_fingerprint(priv, fp2, &err) == 0 && strcmp(fp, fp2) == 0,
	   "the PEM given back is the public half of the file's key, with its fingerprint");
	size_t flen = 0;
	char *before = slurp(file, &flen);
	ok(!leaks(pem ? pem : "", before ? before : ""),
	   "the public PEM holds nothing of the private key");
	char *pem2 = NULL;
	size_t len2 = 0;
	ok(reg_authority_keygen(file, &pem2, &len2, fp, &err) == -1 && !pem2 &&
	   reg_err_code(err) == REG_ECANTCREAT, "keygen never replaces a key file");
	size_t alen = 0;
	char *after = slurp(file, &alen);
	ok(before && after && flen == alen && memcmp(before, after, flen) == 0,
	   "... which is left as it was");
	reg_err_clear(&err);
	free(before);
	free(after);
	reg_sign_key_free(priv);
	reg_sign_key_free(pub);
	reg_sign_pem_free(pem, len);
	free(file);
	free(host);
}

static reg_authority_spec spec_for(const char *const *external, size_t n_external)
{
	return (reg_authority_spec){.division = "440305", .catalog = cat, .external = external,
				    .n_external = n_external, .now = T0};
}

static void test_create(void)
{
	reg_err *err = NULL;
	static const char *const external[] = {"tax"};
	reg_authority_spec spec = spec_for(external, 1);
	char *dir = path_in("bureau"), *xml = path_in("bureau/authority.xml");
	mode_t old = umask(0);
	ok(reg_authority_create(dir, &spec, &err) == 0, "create an authority for 440305");
	umask(old);
	if (err)
		reg_err_print(err, "create", stdout);
	reg_err_clear(&err);
	char *p;
	static const char *const privs[] = {"authority.key", "departments/amr.key",
					    "departments/tourism.key"};
	for (size_t i = 0; i < 3; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "bureau/%s", privs[i]);
		p = path_in(rel);
		is_int(mode_of(p), 0600, "%s is 0600", privs[i]);
		free(p);
	}
	p = path_in("bureau/authority.pub");
	is_int(mode_of(p), 0644, "authority.pub is 0644");
	free(p);
	p = path_in("bureau/departments/tax.key");
	ok(!exists(p), "no key is made for a department that brings its own");
	free(p);

	reg_authority *a = reg_authority_load(xml, &err);
	ok(a != NULL, "the file loads with reg_authority_load");
	if (!a) {
		reg_err_print(err, "load", stdout);
		reg_err_free(err);
		return;
	}
	is_str(reg_authority_division(a), "440305", "division");
	is_str(reg_authority_name(a), "深圳市南山区市场监督管理局", "the default name");
	ok(reg_authority_covers(a, "440305") && !reg_authority_covers(a, "150302") &&
	   reg_authority_area_count(a) == 1, "the area is the division");
	is_int(reg_authority_offset(a), 480, "+08:00");
	ok(!reg_authority_test_only(a), "not test-only");
	ok(reg_authority_supervisor(a) == NULL, "no supervisor until the bureau names one");
	size_t len = 0;
	char *text = slurp(xml, &len);
	ok(text && strstr(text, "<year number=\"2026\">") && strstr(text, "<year number=\"2027\">") &&
	   strstr(text, "<!-- <supervisor>"), "a calendar skeleton for 2026 and 2027, a supervisor "
	   "placeholder");
	ok(text && strstr(text, "tax (税务局) brings its own key"), "a note where tax will go");

	reg_keyring *kr = reg_keyring_new(a, &err);
	ok(kr && reg_keyring_load_signers(kr, NULL, 0, T0, &err) == 0,
	   "every department key loads, private keys included");
	ok(kr && !reg_keyring_knows(kr, "tax") && reg_keyring_knows(kr, "amr"), "tax is not listed");
	ok(kr && reg_keyring_load_signers(kr, NULL, 0, T0 - 1, &err) == 0 &&
	   !reg_keyring_signer(kr, "amr", T0 - 1), "the keys count from the creation on");
	reg_err_clear(&err);
	const reg_sign_key *amr = kr ? reg_keyring_signer(kr, "amr", JUNE) : NULL;
	unsigned char sig[REG_SIG_LEN];
	reg_key_verdict v = REG_KEY_MISMATCH;
	ok(amr && reg_sign(amr, "v", 1, sig, &err) == 0 &&
	   reg_keyring_check(kr, "amr", JUNE, "v", 1, sig, &v, NULL, NULL, &err) == 0 &&
	   v == REG_KEY_VALID, "a verdict signed with amr's key verifies");
	reg_sign_key *ak = reg_sign_key_load_private(reg_authority_private_key_path(a), &err);
	reg_sign_key *ap = reg_sign_key_load_public(reg_authority_public_key_path(a), &err);
	ok(ak && ap && reg_sign_key_same_public(ak, ap), "the signing key pair loads and pairs");
	for (size_t i = 0; text && i < reg_authority_dept_key_count(a); i++) {
		size_t kl = 0;
		char *k = slurp(reg_authority_dept_key(a, i)->private_path, &kl);
		if (k && leaks(text, k))
			ok(false, "authority.xml holds a private key");
		free(k);
	}

	/* The facts as TSV. */
	char *out = NULL;
	size_t out_len = 0;
	FILE *fp = open_memstream(&out, &out_len);
	ok(fp && reg_authority_describe(a, NOVEMBER, NULL, fp, &err) == 0, "describe");
	if (fp)
		fclose(fp);
	char fp_amr[65] = "", line[512];
	reg_sign_key_fingerprint(reg_keyring_signer(kr, "amr", JUNE), fp_amr, &err);
	snprintf(line, sizeof line,
		 "\nkey\tamr\t2026-01-05T09:00:00+08:00\t\t%s\t%s/departments/amr.pub"
		 "\t%s/departments/amr.key\n", fp_amr, dir, dir);
	ok(out && strstr(out, "\ndivision\t440305\t广东省深圳市南山区\n") &&
	   strstr(out, "\nname\t深圳市南山区市场监督管理局\n") && strstr(out, "\ntest-only\tfalse\n") &&
	   strstr(out, "\nsupervisor\t\n") && strstr(out, "\ncalendar\t2026\tempty\n") &&
	   strstr(out, "\ncalendar\t2027\tempty\n") && strstr(out, line), "describe says it");
	if (out && !strstr(out, line))
		diag("%s", out);
	ok(out && !strstr(out, "PRIVATE"), "describe prints no private key");
	free(out);
	reg_sign_key_free(ak);
	reg_sign_key_free(ap);
	reg_keyring_free(kr);
	reg_authority_free(a);

	/* Again into the same folder: refused, nothing changed. */
	ok(reg_authority_create(dir, &spec, &err) == -1 && reg_err_code(err) == REG_ECANTCREAT &&
	   strstr(reg_err_message(err), "it exists"), "a second create is refused");
	reg_err_clear(&err);
	size_t len2 = 0;
	char *text2 = slurp(xml, &len2);
	ok(text && text2 && len == len2 && memcmp(text, text2, len) == 0, "authority.xml unchanged");
	free(text);
	free(text2);
	free(xml);
	free(dir);
}

static void test_refusals(void)
{
	reg_err *err = NULL;
	reg_authority_spec spec = spec_for(NULL, 0);
	char *dir = path_in("nowhere");
	spec.division = "150399";
	ok(reg_authority_create(dir, &spec, &err) == -1 && reg_err_code(err) == REG_EUSAGE &&
	   !exists(dir), "an unknown division is refused, nothing made");
	reg_err_clear(&err);
	static const char *const bad[] = {"police", "customs2", "police"};
	spec = spec_for(bad, 3);
	ok(reg_authority_create(dir, &spec, &err) == -1 && reg_err_code(err) == REG_EUSAGE &&
	   !exists(dir), "an unknown or repeated external department is refused");
	reg_err_clear(&err);
	spec = spec_for(NULL, 0);
	spec.name = "a\nb";
	ok(reg_authority_create(dir, &spec, &err) == -1 && reg_err_code(err) == REG_EUSAGE,
	   "a name of two lines is refused");
	reg_err_clear(&err);

	/* A failure at the very last step (the staged authority.xml cannot be made) takes back
	 * every key already written. */
	spec = spec_for(NULL, 0);
	mkdir(dir, 0755);
	char blocker[128];
	snprintf(blocker, sizeof blocker, "nowhere/.authority.xml.tmp.%ld", (long)getpid());
	char *b = path_in(blocker), *key = path_in("nowhere/authority.key");
	char *depts = path_in("nowhere/departments");
	spit(b, "in the way\n");
	ok(reg_authority_create(dir, &spec, &err) == -1 && reg_err_code(err) == REG_ECANTCREAT,
	   "a create that fails at the end fails");
	reg_err_clear(&err);
	ok(!exists(key) && !exists(depts) && exists(dir), "... and leaves no key behind");
	free(b);
	free(key);
	free(depts);
	free(dir);
}

/* Sign `msg` with the private key file and check it with the authority's keyring at `at`. */
static reg_key_verdict check_with(const char *authority, const char *private_path, int64_t at)
{
	reg_err *err = NULL;
	reg_key_verdict v = REG_KEY_NO_KEY;
	unsigned char sig[REG_SIG_LEN];
	reg_authority *a = reg_authority_load(authority, &err);
	reg_keyring *kr = a ? reg_keyring_new(a, &err) : NULL;
	if (!kr || reg_sign_file_key(private_path, "verdict", 7, sig, &err) < 0 ||
	    reg_keyring_check(kr, "tax", at, "verdict", 7, sig, &v, NULL, NULL, &err) < 0) {
		reg_err_print(err, "check", stdout);
		v = REG_KEY_NO_KEY;
	}
	reg_err_free(err);
	reg_keyring_free(kr);
	reg_authority_free(a);
	return v;
}

static reg_err *import(const char *authority, const char *from, const char *pub, int64_t now)
{
	reg_err *err = NULL;
	reg_key_import imp = {.dept = "tax", .from = from, .public_path = pub, .catalog = cat,
			      .now = now};
	reg_authority_edit *e = reg_authority_edit_open(authority, &err);
	if (e && reg_authority_edit_add_key(e, &imp, NULL, &err) == 0)
		reg_authority_edit_commit(e, &err);
	reg_authority_edit_free(e);
	return err;
}

static void test_import(void)
{
	reg_err *err = NULL;
	char *xml = path_in("bureau/authority.xml"), *pem = NULL, fp[65];
	size_t len = 0;
	char *key1 = path_in("host/tax.key"), *pub1 = path_in("host/tax.pub");
	char *key2 = path_in("host/tax-2.key"), *pub2 = path_in("host/tax-2.pub");
	/* tax's first key (test_keygen made it), its public half handed over as a file */
	reg_sign_key *k1 = reg_sign_key_load_private(key1, &err);
	if (k1 && reg_sign_key_pem(k1, false, &pem, &len, &err) == 0)
		spit(pub1, pem);
	reg_sign_pem_free(pem, len);
	reg_sign_key_free(k1);
	ok(!(err = import(xml, "2026-01-05T09:00:00+08:00", pub1, T0)), "import tax's first key");
	reg_err_print(err, "import", stdout);
	reg_err_clear(&err);
	is_int(check_with(xml, key1, JUNE), REG_KEY_VALID, "a verdict of tax in June verifies");

	ok(reg_authority_keygen(key2, &pem, &len, fp, &err) == 0, "tax makes a second key");
	spit(pub2, pem ? pem : "");
	reg_sign_pem_free(pem, len);
	size_t before_len = 0, after_len = 0;
	char *before = slurp(xml, &before_len);
	err = import(xml, "2026-06-01", pub2, NOVEMBER);
	ok(reg_err_code(err) == REG_ENO && strstr(reg_err_message(err), "before now"),
	   "a new key may not cut short the current one before now");
	reg_err_clear(&err);
	err = import(xml, "2026-01-01", pub2, T0);
	ok(reg_err_code(err) == REG_ENO && strstr(reg_err_message(err), "must start after"),
	   "nor start before it");
	reg_err_clear(&err);
	err = import(xml, "2026-07-01", pub1, T0);
	ok(reg_err_code(err) == REG_ENO && strstr(reg_err_message(err), "already listed"),
	   "a key listed already is refused");
	reg_err_clear(&err);
	char *own = path_in("bureau/authority.pub");
	err = import(xml, "2026-07-01", own, T0);
	ok(reg_err_code(err) == REG_ENO, "so is the authority's own key");
	reg_err_clear(&err);
	free(own);
	char *after = slurp(xml, &after_len);
	ok(before && after && before_len == after_len && memcmp(before, after, after_len) == 0,
	   "refused imports leave the file alone");
	free(after);
	char *stray = path_in("bureau/departments");
	char *cmd = NULL;
	if (asprintf(&cmd, "test $(ls '%s' | grep -c '^tax-') = 1", stray) >= 0)
		is_int(system(cmd), 0, "... and copy no key");
	free(cmd);
	free(stray);

	/* Rotation. */
	ok(!(err = import(xml, "2026-07-01", pub2, JUNE)), "import tax's second key from July");
	reg_err_print(err, "rotate", stdout);
	reg_err_clear(&err);
	reg_authority *a = reg_authority_load(xml, &err);
	const reg_dept_key *first = NULL, *second = NULL;
	for (size_t i = 0; a && i < reg_authority_dept_key_count(a); i++) {
		const reg_dept_key *k = reg_authority_dept_key(a, i);
		if (strcmp(k->dept, "tax") == 0 && !first)
			first = k;
		else if (strcmp(k->dept, "tax") == 0)
			second = k;
	}
	ok(first && second && first->valid_from == T0 && first->valid_until == ROTATION &&
	   second->valid_from == ROTATION && second->valid_until == INT64_MAX,
	   "the first key ends where the second starts");
	reg_authority_free(a);
	is_int(check_with(xml, key1, JUNE), REG_KEY_VALID,
	       "a verdict the first key signed in June still verifies");
	is_int(check_with(xml, key1, NOVEMBER), REG_KEY_MISMATCH,
	       "one it signed in November does not");
	is_int(check_with(xml, key2, NOVEMBER), REG_KEY_VALID, "the second key signs in November");

	/* A file changed by someone else meanwhile: nothing written. */
	char *key3 = path_in("host/tax-3.key"), *pub3 = path_in("host/tax-3.pub");
	reg_authority_keygen(key3, &pem, &len, fp, &err);
	spit(pub3, pem ? pem : "");
	reg_sign_pem_free(pem, len);
	reg_key_import imp = {.dept = "tax", .from = "2026-12-01", .public_path = pub3,
			      .catalog = cat, .now = NOVEMBER};
	reg_authority_edit *e = reg_authority_edit_open(xml, &err);
	ok(e && reg_authority_edit_add_key(e, &imp, fp, &err) == 0, "a third key added");
	char *copy = NULL;
	if (asprintf(&copy, "%s/bureau/departments/tax-%.12s.pub", tmpdir, fp) < 0)
		copy = NULL;
	ok(copy && exists(copy), "its public key is copied beside the file");
	free(before);
	before = slurp(xml, &before_len);
	char *edited = NULL;
	if (before && asprintf(&edited, "%s<!-- edited by hand -->\n", before) >= 0)
		spit(xml, edited);
	ok(e && reg_authority_edit_commit(e, &err) == -1 && reg_err_code(err) == REG_EBUSY,
	   "a file changed since it was read is not replaced (busy, try again)");
	reg_err_clear(&err);
	reg_authority_edit_free(e);
	after = slurp(xml, &after_len);
	ok(after && edited && strcmp(after, edited) == 0, "the other change stands");
	ok(copy && !exists(copy), "the copied key is taken back");
	free(after);
	free(edited);

	/* Replaced by a rename with the same bytes: a different file, refused too. */
	e = reg_authority_edit_open(xml, &err);
	ok(e && reg_authority_edit_add_key(e, &imp, fp, &err) == 0, "the third key again");
	char *tmp = path_in("bureau/replacement.xml");
	after = slurp(xml, &after_len);
	spit(tmp, after ? after : "");
	rename(tmp, xml);
	ok(e && reg_authority_edit_commit(e, &err) == -1 && reg_err_code(err) == REG_EBUSY,
	   "a file replaced since it was read is not replaced either");
	reg_err_clear(&err);
	reg_authority_edit_free(e);
	free(after);
	free(tmp);

	/* Now nobody interferes. */
	e = reg_authority_edit_open(xml, &err);
	ok(e && reg_authority_edit_add_key(e, &imp, fp, &err) == 0 &&
	   reg_authority_edit_commit(e, &err) == 0, "and it goes in when nobody interferes");
	reg_authority_edit_free(e);
	after = slurp(xml, &after_len);
	ok(after && strstr(after, "<!-- edited by hand -->"), "keeping the comment after the root");
	is_int(mode_of(xml), 0644, "with the file's mode");
	is_int(check_with(xml, key2, NOVEMBER), REG_KEY_VALID, "the second key still signs in "
	       "November");
	reg_err_print(err, "third", stdout);
	reg_err_clear(&err);
	free(after);

	/* Not an Ed25519 key. */
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	char *rsa_path = path_in("host/rsa.pub");
	FILE *fp_rsa = fopen(rsa_path, "wb");
	if (rsa && fp_rsa)
		PEM_write_PUBKEY(fp_rsa, rsa);
	if (fp_rsa)
		fclose(fp_rsa);
	EVP_PKEY_free(rsa);
	err = import(xml, "2027-01-01", rsa_path, NOVEMBER);
	ok(reg_err_code(err) == REG_ECONFIG && strstr(reg_err_message(err), "not ed25519"),
	   "an RSA key is refused");
	reg_err_clear(&err);
	imp.dept = "taxes";
	e = reg_authority_edit_open(xml, &err);
	ok(e && reg_authority_edit_add_key(e, &imp, fp, &err) == -1 &&
	   reg_err_code(err) == REG_EUSAGE, "a department the catalog lacks is refused");
	reg_err_clear(&err);
	reg_authority_edit_free(e);
	free(rsa_path);
	free(copy);
	free(before);
	free(key1);
	free(pub1);
	free(key2);
	free(pub2);
	free(key3);
	free(pub3);
	free(xml);
}

int main(void)
{
	const char *env = getenv("REG_SOURCE_DIR");
	const char *src = env && *env ? env : REG_SOURCE_DATADIR;
	char *schema_dir = NULL, *catalog = NULL;
	if (asprintf(&schema_dir, "%s/schemas", src) < 0 ||
	    asprintf(&catalog, "%s/schemas/catalog.xml", src) < 0)
		return 1;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/test-authority-setup-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	reg_xml_init(schema_dir);
	reg_err *err = NULL;
	if (!(cat = reg_catalog_load(catalog, schema_dir, &err))) {
		reg_err_print(err, "catalog", stdout);
		return 1;
	}
	test_default_name();
	test_keygen();
	test_create();
	test_refusals();
	test_import();
	reg_catalog_free(cat);
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf -- '%s'", tmpdir) >= 0 && system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	free(cmd);
	free(schema_dir);
	free(catalog);
	reg_xml_cleanup();
	return tap_done();
}
