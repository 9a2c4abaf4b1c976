#include "keyring.h"

#include <stdlib.h>
#include <string.h>

/* One listed key: the authority's entry, its public half, and its private half once loaded. */
typedef struct ring_key {
	const reg_dept_key *entry;
	reg_sign_key *pub;
	reg_sign_key *priv;
	char fingerprint[65];
} ring_key;

struct reg_keyring {
	const reg_authority *auth;
	ring_key *keys;
	size_t n;
};

void reg_keyring_free(reg_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++) {
		reg_sign_key_free(kr->keys[i].pub);
		reg_sign_key_free(kr->keys[i].priv);
	}
	free(kr->keys);
	free(kr);
}

reg_keyring *reg_keyring_new(const reg_authority *a, reg_err **errp)
{
	reg_keyring *kr = calloc(1, sizeof *kr);
	size_t n = reg_authority_dept_key_count(a);
	if (!kr || !(kr->keys = calloc(n ? n : 1, sizeof *kr->keys))) {
		free(kr);
		reg_err_oom(errp);
		return NULL;
	}
	kr->auth = a;
	for (size_t i = 0; i < n; i++) {
		ring_key *k = &kr->keys[kr->n++];
		k->entry = reg_authority_dept_key(a, i);
		if (!(k->pub = reg_sign_key_load_public(k->entry->public_path, errp)) ||
		    reg_sign_key_fingerprint(k->pub, k->fingerprint, errp) < 0) {
			reg_err_prefix(*errp, "%s:%ld: key of department '%s': ",
				       reg_authority_path(a), k->entry->line, k->entry->dept);
			reg_keyring_free(kr);
			return NULL;
		}
	}
	return kr;
}

bool reg_keyring_knows(const reg_keyring *kr, const char *dept)
{
	for (size_t i = 0; dept && i < kr->n; i++)
		if (strcmp(kr->keys[i].entry->dept, dept) == 0)
			return true;
	return false;
}

static bool in_period(const reg_dept_key *e, int64_t at)
{
	return e->valid_from <= at && at < e->valid_until;
}

/* The key of `dept` whose period holds `at`, or NULL. */
static ring_key *key_at(const reg_keyring *kr, const char *dept, int64_t at)
{
	for (size_t i = 0; dept && i < kr->n; i++)
		if (strcmp(kr->keys[i].entry->dept, dept) == 0 && in_period(kr->keys[i].entry, at))
			return &kr->keys[i];
	return NULL;
}

static int no_key(const reg_keyring *kr, const char *dept, reg_err **errp)
{
	return reg_err_set(errp, REG_ECONFIG, reg_authority_path(kr->auth), 0, NULL,
			   "the authority lists no key of department '%s' for this time", dept);
}

/* Adopt a loaded private key for k, checking it is the pair of k's public key. */
static int adopt_private(ring_key *k, reg_sign_key *priv, const char *path, reg_err **errp)
{
	if (!reg_sign_key_same_public(priv, k->pub)) {
		reg_sign_key_free(priv);
		return reg_err_set(errp, REG_ECONFIG, path, 0, NULL,
				   "not the private key of department '%s' (its public key is %s)",
				   k->entry->dept, k->entry->public_path);
	}
	reg_sign_key_free(k->priv);
	k->priv = priv;
	return 0;
}

static int load_signer(reg_keyring *kr, const char *dept, int64_t at, reg_err **errp)
{
	ring_key *k = key_at(kr, dept, at);
	if (!k)
		return no_key(kr, dept, errp);
	if (k->priv)
		return 0;
	if (!k->entry->private_path)
		return reg_err_set(errp, REG_ECONFIG, reg_authority_path(kr->auth), k->entry->line,
				   "/authority/departments/department/key",
				   "this host holds no private key of department '%s'", dept);
	reg_sign_key *priv = reg_sign_key_load_private(k->entry->private_path, errp);
	return priv ? adopt_private(k, priv, k->entry->private_path, errp) : -1;
}

int reg_keyring_load_signers(reg_keyring *kr, const char *const *depts, size_t n, int64_t at,
			     reg_err **errp)
{
	if (depts) {
		for (size_t i = 0; i < n; i++)
			if (load_signer(kr, depts[i], at, errp) < 0)
				return -1;
		return 0;
	}
	for (size_t i = 0; i < kr->n; i++) {
		const char *dept = kr->keys[i].entry->dept;
		if (in_period(kr->keys[i].entry, at) && load_signer(kr, dept, at, errp) < 0)
			return -1;
	}
	return 0;
}

int reg_keyring_use_private_file(reg_keyring *kr, const char *dept, const char *path, int64_t at,
				 reg_err **errp)
{
	ring_key *k = key_at(kr, dept, at);
	if (!k)
		return no_key(kr, dept, errp);
	reg_sign_key *priv = reg_sign_key_load_private(path, errp);
	return priv ? adopt_private(k, priv, path, errp) : -1;
}

const reg_sign_key *reg_keyring_signer(const reg_keyring *kr, const char *dept, int64_t at)
{
	ring_key *k = key_at(kr, dept, at);
	return k ? k->priv : NULL;
}

int reg_keyring_check(const reg_keyring *kr, const char *dept, int64_t at, const void *msg,
		      size_t len, const unsigned char sig[REG_SIG_LEN], reg_key_verdict *verdict,
		      char fingerprint[65], const char **other, reg_err **errp)
{
	bool valid = false;
	ring_key *k = key_at(kr, dept, at);
	*verdict = REG_KEY_NO_KEY;
	if (!k)
		return 0;
	if (reg_sign_verify(k->pub, msg, len, sig, &valid, errp) < 0)
		return -1;
	if (valid) {
		*verdict = REG_KEY_VALID;
		if (fingerprint)
			memcpy(fingerprint, k->fingerprint, 65);
		return 0;
	}
	*verdict = REG_KEY_MISMATCH;
	/* Only to name the signer in the refusal: another department's key never makes it count. */
	for (size_t i = 0; i < kr->n; i++) {
		ring_key *o = &kr->keys[i];
		if (o == k || !in_period(o->entry, at))
			continue;
		if (reg_sign_verify(o->pub, msg, len, sig, &valid, errp) < 0)
			return -1;
		if (valid) {
			*verdict = REG_KEY_OTHER_DEPT;
			if (other)
				*other = o->entry->dept;
			break;
		}
	}
	return 0;
}
