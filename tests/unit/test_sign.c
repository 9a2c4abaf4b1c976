/* sign: the archive's MANIFEST.sig must be checkable by anyone with stock OpenSSL, and a bad
 * key must stop a run as a configuration problem, never prompt or crash. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "regkit-config.h"
#include "sign.h"
#include "tap.h"

static char keypath[4096], pubpath[4096];

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		diag("cannot write %s", path);
}

/* Exit status of a shell command, -1 when it did not exit normally. */
static int run(const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	if (!cmd)
		return -1;
	int st = system(cmd);
	free(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A freshly generated key of another type, as PEM. */
static char *pem_of(EVP_PKEY *pkey, bool private_key, const EVP_CIPHER *enc, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	int ok = private_key ? PEM_write_bio_PKCS8PrivateKey(bio, pkey, enc, enc ? "secret" : NULL,
							    enc ? 6 : 0, NULL, NULL)
			     : PEM_write_bio_PUBKEY(bio, pkey);
	long n = BIO_get_mem_data(bio, &data);
	if (ok && n > 0 && (copy = malloc((size_t)n))) {
		memcpy(copy, data, (size_t)n);
		*len = (size_t)n;
	}
	BIO_free(bio);
	return copy;
}

/* Keys made for a new authority (reg-authority): PEM the loaders and stock OpenSSL read. */
static void test_generate(const char *dir)
{
	reg_err *err = NULL;
	char *priv = NULL, *pub = NULL, fp1[65], fp2[65];
	size_t priv_len = 0, pub_len = 0;
	reg_sign_key *k = reg_sign_key_generate(&err), *k2 = reg_sign_key_generate(&err);
	ok(k && k2 && reg_sign_key_is_private(k) && !err, "a generated key is a private key");
	ok(k && reg_sign_key_pem(k, true, &priv, &priv_len, &err) == 0 &&
	   strncmp(priv, "-----BEGIN PRIVATE KEY-----\n", 28) == 0 && strlen(priv) == priv_len,
	   "its private half is unencrypted PKCS#8 PEM");
	ok(k && reg_sign_key_pem(k, false, &pub, &pub_len, &err) == 0 &&
	   strncmp(pub, "-----BEGIN PUBLIC KEY-----\n", 27) == 0, "its public half is SPKI PEM");
	reg_sign_key *rp = reg_sign_key_from_pem(priv, priv_len, true, "generated", &err);
	reg_sign_key *ru = reg_sign_key_from_pem(pub, pub_len, false, "generated", &err);
	ok(rp && ru && reg_sign_key_same_public(rp, k) && reg_sign_key_same_public(ru, k),
	   "both read back with the loaders the tools use, as the same key");
	unsigned char sig[REG_SIG_LEN];
	bool valid = false;
	ok(rp && ru && reg_sign(rp, "msg", 3, sig, &err) == 0 &&
	   reg_sign_verify(ru, "msg", 3, sig, &valid, &err) == 0 && valid,
	   "what the private half signs, the public half verifies");
	ok(k && k2 && reg_sign_key_fingerprint(k, fp1, &err) == 0 &&
	   reg_sign_key_fingerprint(k2, fp2, &err) == 0 && strcmp(fp1, fp2) != 0 &&
	   !reg_sign_key_same_public(k, k2), "two keys made are different");
	/* Stock OpenSSL reads what we write. */
	char file[4200], pubfile[4200];
	snprintf(file, sizeof file, "%s/generated.key", dir);
	snprintf(pubfile, sizeof pubfile, "%s/generated.pub", dir);
	write_file(file, priv ? priv : "", priv_len);
	write_file(pubfile, pub ? pub : "", pub_len);
	is_int(run("openssl pkey -in '%s' -noout 2>/dev/null", file), 0,
	       "openssl pkey reads the private key");
	is_int(run("openssl pkey -in '%s' -pubout 2>/dev/null | cmp -s - '%s'", file, pubfile), 0,
	       "and derives the same public key from it");
	reg_sign_pem_free(pub, pub_len);
	pub = NULL;
	ok(ru && reg_sign_key_pem(ru, true, &pub, &pub_len, &err) == -1 && !pub &&
	   reg_err_code(err) == REG_EINTERNAL, "a public key has no private half to write");
	reg_err_clear(&err);
	reg_sign_pem_free(priv, priv_len);
	reg_sign_key_free(k);
	reg_sign_key_free(k2);
	reg_sign_key_free(rp);
	reg_sign_key_free(ru);
}

static void expect_config_error(reg_sign_key *key, reg_err *err, const char *file,
				const char *text, const char *what)
{
	ok(key == NULL, "%s: refused", what);
	is_int(reg_err_code(err), REG_ECONFIG, "%s: a configuration error (78)", what);
	if (file)
		is_str(reg_err_file(err), file, "%s: names the key file", what);
	if (!ok(strstr(reg_err_message(err), text) != NULL, "%s: says '%s'", what, text))
		diag("message: %s", reg_err_message(err));
	reg_sign_key_free(key);
	reg_err_free(err);
}

int main(void)
{
	const char *src = getenv("REG_SOURCE_DIR") ? getenv("REG_SOURCE_DIR") : REG_SOURCE_DATADIR;
	snprintf(keypath, sizeof keypath, "%s/fixtures/authority/authority.key", src);
	snprintf(pubpath, sizeof pubpath, "%s/fixtures/authority/authority.pub", src);
	reg_err *err = NULL;

	/* ---- the shipped test key pair ---- */
	reg_sign_key *priv = reg_sign_key_load_private(keypath, &err);
	reg_sign_key *pub = reg_sign_key_load_public(pubpath, &err);
	if (!ok(priv && pub && !err, "the fixture key pair loads")) {
		reg_err_print(err, "test", stdout);
		reg_err_free(err);
		reg_sign_key_free(priv);
		reg_sign_key_free(pub);
		return tap_done();
	}
	ok(reg_sign_key_is_private(priv) && !reg_sign_key_is_private(pub), "private and public");
	char fp1[65], fp2[65];
	ok(reg_sign_key_fingerprint(priv, fp1, &err) == 0 &&
	   reg_sign_key_fingerprint(pub, fp2, &err) == 0 && strcmp(fp1, fp2) == 0 &&
	   strlen(fp1) == 64, "both halves have the same fingerprint");

	static const char msg[] = "48f4dc060d1705322d35668846c762f764e17cc9a14a0503c0081d08f166abff"
				  "  license.xml\n";
	unsigned char sig[REG_SIG_LEN], sig2[REG_SIG_LEN];
	bool valid = false;
	ok(reg_sign(priv, msg, strlen(msg), sig, &err) == 0, "sign");
	ok(reg_sign(priv, msg, strlen(msg), sig2, &err) == 0 && memcmp(sig, sig2, sizeof sig) == 0,
	   "ed25519 is deterministic: the same message signs the same");
	ok(reg_sign_verify(pub, msg, strlen(msg), sig, &valid, &err) == 0 && valid,
	   "the public key verifies it");
	ok(reg_sign_verify(priv, msg, strlen(msg), sig, &valid, &err) == 0 && valid,
	   "so does the private key");
	ok(reg_sign_verify(pub, msg, strlen(msg) - 1, sig, &valid, &err) == 0 && !valid,
	   "a changed message does not verify (and is not an error)");
	sig2[10] ^= 0x01;
	ok(reg_sign_verify(pub, msg, strlen(msg), sig2, &valid, &err) == 0 && !valid,
	   "a changed signature does not verify");
	memset(sig2, 0xff, sizeof sig2);
	ok(reg_sign_verify(pub, msg, strlen(msg), sig2, &valid, &err) == 0 && !valid,
	   "a malformed signature (S over the group order) is a mismatch, not an error");
	ok(reg_sign_verify(pub, "", 0, sig, &valid, &err) == 0 && !valid, "empty message");
	ok(err == NULL, "no error was recorded by mismatches");

	ok(reg_sign(pub, msg, strlen(msg), sig2, &err) == -1 &&
	   reg_err_code(err) == REG_EINTERNAL, "a public key cannot sign");
	reg_err_clear(&err);

	ok(reg_sign_file_key(keypath, msg, strlen(msg), sig2, &err) == 0 &&
	   memcmp(sig, sig2, sizeof sig) == 0, "one-shot sign from the key file");
	ok(reg_verify_sig(pubpath, msg, strlen(msg), sig2, &valid, &err) == 0 && valid,
	   "one-shot verify from the public key file");
	ok(reg_verify_sig("/nonexistent/authority.pub", msg, strlen(msg), sig2, &valid, &err) ==
		   -1 && !valid && reg_err_code(err) == REG_ECONFIG,
	   "one-shot verify with a missing key is a configuration error");
	reg_err_clear(&err);

	/* ---- bad keys: always 78, never a prompt ---- */
	reg_sign_key *k = reg_sign_key_load_private("/nonexistent/authority.key", &err);
	expect_config_error(k, err, "/nonexistent/authority.key", "cannot open key", "missing file");
	err = NULL;
	k = reg_sign_key_load_private(pubpath, &err);
	expect_config_error(k, err, pubpath, "is not an unencrypted private key",
			    "a public key file as the private key");
	err = NULL;
	k = reg_sign_key_load_public(keypath, &err);
	expect_config_error(k, err, keypath, "is not a public key", "a private key file as the public key");
	err = NULL;
	static const char garbage[] = "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n"
				      "-----END PRIVATE KEY-----\n";
	k = reg_sign_key_from_pem(garbage, strlen(garbage), true, "garbage.key", &err);
	expect_config_error(k, err, "garbage.key", "not an unencrypted private key", "garbage PEM");
	err = NULL;
	k = reg_sign_key_from_pem("", 0, false, NULL, &err);
	expect_config_error(k, err, NULL, "'key' is not a public key", "empty input");
	err = NULL;

	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	size_t len = 0;
	char *pem = ec ? pem_of(ec, true, NULL, &len) : NULL;
	k = pem ? reg_sign_key_from_pem(pem, len, true, "ec.key", &err) : NULL;
	expect_config_error(k, err, "ec.key", "not ed25519", "an EC P-256 private key");
	err = NULL;
	free(pem);
	pem = ec ? pem_of(ec, false, NULL, &len) : NULL;
	k = pem ? reg_sign_key_from_pem(pem, len, false, "ec.pub", &err) : NULL;
	expect_config_error(k, err, "ec.pub", "not ed25519", "an EC P-256 public key");
	err = NULL;
	free(pem);
	EVP_PKEY_free(ec);

	/* An encrypted key must fail at once: a prompt would hang a batch run. */
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	pem = ed ? pem_of(ed, true, EVP_aes_256_cbc(), &len) : NULL;
	ok(pem && strstr(pem, "ENCRYPTED PRIVATE KEY"), "made an encrypted ed25519 key");
	k = pem ? reg_sign_key_from_pem(pem, len, true, "enc.key", &err) : NULL;
	expect_config_error(k, err, "enc.key", "not an unencrypted private key",
			    "an encrypted private key");
	err = NULL;
	free(pem);

	char tmpl[] = "/tmp/regkit-sign-XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	char path[4200], path2[4200];
	snprintf(path, sizeof path, "%s/big.key", dir);
	char *big = malloc(REG_SIGN_KEY_MAX + 100);
	memset(big, 'A', REG_SIGN_KEY_MAX + 100);
	write_file(path, big, REG_SIGN_KEY_MAX + 100);
	free(big);
	k = reg_sign_key_load_private(path, &err);
	expect_config_error(k, err, path, "larger than", "a key file over the cap");
	err = NULL;
	k = reg_sign_key_load_private(dir, &err);
	expect_config_error(k, err, dir, "cannot read key", "a directory as the key");
	err = NULL;

	/* Another ed25519 key: its signature must not pass as the authority's. */
	pem = ed ? pem_of(ed, true, NULL, &len) : NULL;
	reg_sign_key *other = pem ? reg_sign_key_from_pem(pem, len, true, "other", &err) : NULL;
	free(pem);
	ok(other && reg_sign(other, msg, strlen(msg), sig2, &err) == 0 &&
	   reg_sign_verify(pub, msg, strlen(msg), sig2, &valid, &err) == 0 && !valid,
	   "a signature by another ed25519 key does not verify");
	reg_sign_key_free(other);
	EVP_PKEY_free(ed);

	/* ---- stock openssl checks what we sign, and signs what we sign ---- */
	snprintf(path, sizeof path, "%s/MANIFEST", dir);
	snprintf(path2, sizeof path2, "%s/MANIFEST.sig", dir);
	write_file(path, msg, strlen(msg));
	write_file(path2, sig, sizeof sig);
	if (run("command -v openssl >/dev/null 2>&1") != 0) {
		skip("openssl is not on PATH");
		skip("openssl is not on PATH");
		skip("openssl is not on PATH");
	} else {
		is_int(run("openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s'"
			   " >/dev/null 2>&1", pubpath, path, path2), 0,
		       "openssl pkeyutl -verify -rawin accepts MANIFEST.sig");
		write_file(path, msg, strlen(msg) - 2);
		ok(run("openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s'"
		       " >/dev/null 2>&1", pubpath, path, path2) != 0,
		   "and rejects it for an altered MANIFEST");
		write_file(path, msg, strlen(msg));
		char out[4300];
		snprintf(out, sizeof out, "%s/openssl.sig", dir);
		unsigned char theirs[REG_SIG_LEN + 1];
		size_t n = 0;
		if (run("openssl pkeyutl -sign -inkey '%s' -rawin -in '%s' -out '%s' 2>/dev/null",
			keypath, path, out) == 0) {
			FILE *fp = fopen(out, "rb");
			n = fp ? fread(theirs, 1, sizeof theirs, fp) : 0;
			if (fp)
				fclose(fp);
		}
		ok(n == REG_SIG_LEN && memcmp(theirs, sig, REG_SIG_LEN) == 0,
		   "openssl pkeyutl -sign makes the very same 64 bytes");
	}

	test_generate(dir);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	reg_sign_key_free(priv);
	reg_sign_key_free(pub);
	reg_sign_key_free(NULL);
	ok(1, "free(NULL) is a no-op");
	return tap_done();
}
