#include "sign.h"
#include "hex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

struct reg_sign_key {
	EVP_PKEY *pkey;
	bool private_key;
};

/* The reason of the newest OpenSSL error ("no start line", "bad decrypt"), then an empty
 * queue, so no stale error reaches the next caller on this thread. */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r ? r : "unknown error";
}

/* Refuse to ask: an encrypted key fails instead of prompting on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

reg_sign_key *reg_sign_key_from_pem(const void *pem, size_t len, bool private_key,
				    const char *name, reg_err **errp)
{
	const char *what = name ? name : "key";
	if (len > REG_SIGN_KEY_MAX || len > INT32_MAX) {
		reg_err_set(errp, REG_ECONFIG, name, 0, NULL, "key larger than %d bytes",
			    REG_SIGN_KEY_MAX);
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
		return NULL;
	}
	EVP_PKEY *pkey = private_key ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
				     : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!pkey) {
		if (private_key)
			reg_err_set(errp, REG_ECONFIG, name, 0, NULL,
				    "'%s' is not an unencrypted private key in PEM: %s", what,
				    ossl_reason());
		else
			reg_err_set(errp, REG_ECONFIG, name, 0, NULL,
				    "'%s' is not a public key in PEM: %s", what, ossl_reason());
		return NULL;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		reg_err_set(errp, REG_ECONFIG, name, 0, NULL, "'%s' is a %s key, not ed25519", what,
			    EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "unknown");
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return NULL;
	}
	reg_sign_key *key = calloc(1, sizeof *key);
	if (!key) {
		EVP_PKEY_free(pkey);
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
		return NULL;
	}
	key->pkey = pkey;
	key->private_key = private_key;
	return key;
}

/* Read a whole key file under the cap.  The buffer is the caller's to wipe and free. */
static unsigned char *read_key_file(const char *path, size_t *len, reg_err **errp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		reg_err_set(errp, REG_ECONFIG, path, 0, NULL, "cannot open key: %s", strerror(errno));
		return NULL;
	}
	unsigned char *buf = malloc(REG_SIGN_KEY_MAX + 1);
	size_t n = 0;
	if (!buf) {
		close(fd);
		reg_err_set(errp, REG_EINTERNAL, path, 0, NULL, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, REG_SIGN_KEY_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			reg_err_set(errp, REG_ECONFIG, path, 0, NULL, "cannot read key: %s",
				    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > REG_SIGN_KEY_MAX) {
			reg_err_set(errp, REG_ECONFIG, path, 0, NULL, "key larger than %d bytes",
				    REG_SIGN_KEY_MAX);
			goto fail;
		}
	}
	close(fd);
	*len = n;
	return buf;
fail:
	close(fd);
	OPENSSL_cleanse(buf, REG_SIGN_KEY_MAX + 1);
	free(buf);
	return NULL;
}

static reg_sign_key *load(const char *path, bool private_key, reg_err **errp)
{
	size_t len = 0;
	unsigned char *buf = read_key_file(path, &len, errp);
	if (!buf)
		return NULL;
	reg_sign_key *key = reg_sign_key_from_pem(buf, len, private_key, path, errp);
	/* The whole buffer, not just len: a short read may have left secret bytes past it only in
	 * theory, but wiping the lot costs nothing. */
	OPENSSL_cleanse(buf, REG_SIGN_KEY_MAX + 1);
	free(buf);
	return key;
}

reg_sign_key *reg_sign_key_load_private(const char *path, reg_err **errp)
{
	return load(path, true, errp);
}

reg_sign_key *reg_sign_key_load_public(const char *path, reg_err **errp)
{
	return load(path, false, errp);
}

reg_sign_key *reg_sign_key_generate(reg_err **errp)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	reg_sign_key *key = pkey ? calloc(1, sizeof *key) : NULL;
	if (!key) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot make an ed25519 key: %s",
			    pkey ? "out of memory" : ossl_reason());
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key->pkey = pkey;
	key->private_key = true;
	return key;
}

int reg_sign_key_pem(const reg_sign_key *key, bool private_half, char **pem, size_t *len,
		     reg_err **errp)
{
	*pem = NULL;
	*len = 0;
	if (private_half && !key->private_key)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "a public key has no private half to write");
	/* A secure-memory BIO clears what it frees, growing buffers included. */
	BIO *bio = BIO_new(private_half ? BIO_s_secmem() : BIO_s_mem());
	char *data = NULL;
	long n = 0;
	int rc = -1;
	if (!bio || (private_half ? PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL,
							      NULL)
				  : PEM_write_bio_PUBKEY(bio, key->pkey)) != 1) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot write the key as PEM: %s",
			    ossl_reason());
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || !(*pem = malloc((size_t)n + 1))) {
		reg_err_oom(errp);
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	*len = (size_t)n;
	rc = 0;
out:
	if (data && n > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(bio);
	return rc;
}

void reg_sign_pem_free(char *pem, size_t len)
{
	if (!pem)
		return;
	OPENSSL_cleanse(pem, len);
	free(pem);
}

void reg_sign_key_free(reg_sign_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL wipes the private scalar itself */
	free(key);
}

bool reg_sign_key_is_private(const reg_sign_key *key)
{
	return key && key->private_key;
}

bool reg_sign_key_same_public(const reg_sign_key *a, const reg_sign_key *b)
{
	unsigned char ra[32], rb[32];
	size_t la = sizeof ra, lb = sizeof rb;
	bool same = a && b && EVP_PKEY_get_raw_public_key(a->pkey, ra, &la) == 1 &&
		    EVP_PKEY_get_raw_public_key(b->pkey, rb, &lb) == 1 && la == lb &&
		    memcmp(ra, rb, la) == 0;
	ERR_clear_error();
	return same;
}

int reg_sign_key_fingerprint(const reg_sign_key *key, char hex[65], reg_err **errp)
{
	unsigned char raw[32];
	size_t rawlen = sizeof raw;
	if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) != 1 || rawlen != sizeof raw)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot read public key: %s",
				   ossl_reason());
	return reg_sha256_hex(raw, rawlen, hex, errp);
}

int reg_sha256(const void *data, size_t len, unsigned char md[32], reg_err **errp)
{
	unsigned int mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "sha-256 failed: %s",
				   ossl_reason());
	return 0;
}

int reg_sha256_hex(const void *data, size_t len, char hex[65], reg_err **errp)
{
	unsigned char md[32];
	if (reg_sha256(data, len, md, errp) < 0)
		return -1;
	reg_hex(md, sizeof md, hex);
	return 0;
}

int reg_sign(const reg_sign_key *key, const void *msg, size_t len, unsigned char sig[REG_SIG_LEN],
	     reg_err **errp)
{
	if (!key->private_key)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "cannot sign with a public key");
	int rc = -1;
	size_t siglen = REG_SIG_LEN;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	/* Pure Ed25519 takes no digest: md must be NULL, and the one-shot call is the only one. */
	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != REG_SIG_LEN) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "ed25519 signing failed: %s",
			    ossl_reason());
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int reg_sign_verify(const reg_sign_key *key, const void *msg, size_t len,
		    const unsigned char sig[REG_SIG_LEN], bool *valid, reg_err **errp)
{
	*valid = false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) != 1) {
		EVP_MD_CTX_free(ctx);
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "ed25519 verification failed to start: %s", ossl_reason());
	}
	/* 1 is a match; 0 a mismatch; OpenSSL also answers a malformed signature (an S not below
	 * the group order) with an error rather than 0, and that is a mismatch too. */
	*valid = EVP_DigestVerify(ctx, sig, REG_SIG_LEN, msg, len) == 1;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return 0;
}

int reg_sign_file_key(const char *private_key_pem_path, const void *msg, size_t len,
		      unsigned char sig[REG_SIG_LEN], reg_err **errp)
{
	reg_sign_key *key = reg_sign_key_load_private(private_key_pem_path, errp);
	if (!key)
		return -1;
	int rc = reg_sign(key, msg, len, sig, errp);
	reg_sign_key_free(key);
	return rc;
}

int reg_verify_sig(const char *public_key_pem_path, const void *msg, size_t len,
		   const unsigned char sig[REG_SIG_LEN], bool *valid, reg_err **errp)
{
	*valid = false;
	reg_sign_key *key = reg_sign_key_load_public(public_key_pem_path, errp);
	if (!key)
		return -1;
	int rc = reg_sign_verify(key, msg, len, sig, valid, errp);
	reg_sign_key_free(key);
	return rc;
}
