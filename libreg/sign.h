/*
 * sign — the authority's Ed25519 signature (MANIFEST.sig: docs/signatures.md, docs/formats.md).
 *
 * A signature is the raw 64 bytes of pure Ed25519 (RFC 8032, no pre-hash) over the message, so
 * anyone can check a MANIFEST with stock OpenSSL and nothing of regkit:
 *
 *     openssl pkeyutl -verify -pubin -inkey authority.pub -rawin -in MANIFEST -sigfile MANIFEST.sig
 *
 * Keys are PEM files as `openssl genpkey -algorithm ed25519` writes them: the private key as
 * PKCS#8 ("BEGIN PRIVATE KEY"), the public key as SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
 * An encrypted private key is refused (a batch tool must never stop to ask for a passphrase),
 * and so is any key that is not Ed25519.  Every key problem — missing, unreadable, over 64 KiB,
 * not PEM, wrong type — is REG_ECONFIG with the key file as the error's file: the authority is
 * configuration.  The bytes read from a private key file are wiped (OPENSSL_cleanse) before
 * they are freed.
 *
 * Ed25519 is deterministic: the same key and message always give the same signature, which is
 * what keeps an issued archive byte-identical when it is issued again from the same inputs.
 *
 * A loaded key is read-only; per openssl-threads(7) one key may be used by several threads at
 * once (each call makes its own EVP context), so reg-issue loads the key once per run.
 */
#ifndef REG_SIGN_H
#define REG_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

#define REG_SIG_LEN 64             /* raw Ed25519 signature */
#define REG_SIGN_KEY_MAX (64 << 10) /* a PEM key file larger than this is not a key */

typedef struct reg_sign_key reg_sign_key;

/* A private key (for signing; it verifies too) or a public key (verifying only) from a PEM
 * file.  NULL with REG_ECONFIG on any problem. */
reg_sign_key *reg_sign_key_load_private(const char *path, reg_err **errp);
reg_sign_key *reg_sign_key_load_public(const char *path, reg_err **errp);
/* The same from PEM bytes in memory; `name` is what errors call it (NULL: "key").  The caller
 * keeps and wipes its own buffer. */
reg_sign_key *reg_sign_key_from_pem(const void *pem, size_t len, bool private_key,
				    const char *name, reg_err **errp);
void reg_sign_key_free(reg_sign_key *key);

bool reg_sign_key_is_private(const reg_sign_key *key);
/* Whether two keys have the same public key (a private key and its public half do). */
bool reg_sign_key_same_public(const reg_sign_key *a, const reg_sign_key *b);
/* SHA-256 hex of the raw 32-byte public key: a short name for "which key" in reports. */
int reg_sign_key_fingerprint(const reg_sign_key *key, char hex[65], reg_err **errp);

/*
 * Making keys (reg-authority(1), docs/authority.md).  reg_sign_key_generate makes a new Ed25519
 * key pair from OpenSSL's random generator (seeded by the operating system); NULL with
 * REG_EINTERNAL when it cannot.  reg_sign_key_pem writes a key in the form the loaders above
 * read, what `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write: the private
 * half (private_half true, of a private key only, else REG_EINTERNAL) as unencrypted PKCS#8
 * "BEGIN PRIVATE KEY", the public half as SubjectPublicKeyInfo "BEGIN PUBLIC KEY".  *pem is
 * NUL-terminated (the NUL not counted in *len) and the caller's.  A private key is made in a
 * secure-memory BIO (its buffers are cleared when freed, and live in OpenSSL's secure heap when
 * a program has set one up) and wiped there after the copy; reg_sign_pem_free wipes *pem
 * (OPENSSL_cleanse) before it frees it — use it for either half.
 */
reg_sign_key *reg_sign_key_generate(reg_err **errp);
int reg_sign_key_pem(const reg_sign_key *key, bool private_half, char **pem, size_t *len,
		     reg_err **errp);
void reg_sign_pem_free(char *pem, size_t len);

/* Sign len bytes of msg with a private key. */
int reg_sign(const reg_sign_key *key, const void *msg, size_t len, unsigned char sig[REG_SIG_LEN],
	     reg_err **errp);
/* Check a signature with either kind of key.  A signature that does not match is not an error:
 * the call returns 0 with *valid false; -1 only when the check itself could not run. */
int reg_sign_verify(const reg_sign_key *key, const void *msg, size_t len,
		    const unsigned char sig[REG_SIG_LEN], bool *valid, reg_err **errp);

/* SHA-256 of len bytes, raw; -1 (REG_EINTERNAL) only when OpenSSL fails. */
int reg_sha256(const void *data, size_t len, unsigned char md[32], reg_err **errp);
/* The same as 64 lower-case hex digits and a NUL (hex.h). */
int reg_sha256_hex(const void *data, size_t len, char hex[65], reg_err **errp);

/* One-shot forms: load the key file, sign or verify, free (and wipe) the key. */
int reg_sign_file_key(const char *private_key_pem_path, const void *msg, size_t len,
		      unsigned char sig[REG_SIG_LEN], reg_err **errp);
int reg_verify_sig(const char *public_key_pem_path, const void *msg, size_t len,
		   const unsigned char sig[REG_SIG_LEN], bool *valid, reg_err **errp);

#endif
