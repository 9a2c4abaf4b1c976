/*
 * keyring — the department verdict keys of one authority, loaded (docs/signatures.md).
 *
 * The authority file names each department's keys with the period each one signs in
 * (libreg/authority.h); a keyring loads them.  Every public key is read when the keyring is
 * made, so a verdict of any department can be checked; private keys only when asked for
 * (reg_keyring_load_signers), so a department's host reads nothing but its own key and the
 * authority's host reads the keys of the departments it signs for.
 *
 * Which key a verdict is checked with: the keys of its department whose period contains the
 * verdict's time (the time of the approval, as an instant).  Periods of one department never
 * overlap (authority.h), so that is one key; a key rotated since still verifies the verdicts
 * it signed.  A signature that does not match the right key is then tried against the other
 * departments' keys of that time, only to say whose it is ("signed with commerce's key") —
 * that never makes it count.
 *
 * A key given on the command line (reg-approve --key, a department's host) must be the
 * private half of a public key the authority lists for that department: a key the authority
 * does not know would only make signatures nobody accepts.
 *
 * Threads.  Load everything in the main thread; afterwards the keyring is read-only and its
 * keys may sign and verify from any number of threads at once (libreg/sign.h).
 */
#ifndef REG_KEYRING_H
#define REG_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.h"
#include "errors.h"
#include "sign.h"

typedef struct reg_keyring reg_keyring;

/* Load every department public key the authority lists.  A key file that is missing or not an
 * Ed25519 public key is REG_ECONFIG naming the file and the authority file's line.  The
 * authority must outlive the keyring. */
reg_keyring *reg_keyring_new(const reg_authority *a, reg_err **errp);
void reg_keyring_free(reg_keyring *kr);

/* Whether the authority lists any key for department `dept`. */
bool reg_keyring_knows(const reg_keyring *kr, const char *dept);

/*
 * Load the private keys that sign at `at` for the departments `depts` (n of them; NULL for
 * every department the authority lists).  A department with no key valid at `at`, or whose
 * key of that time has no private file on this host, is REG_ECONFIG ("this host holds no
 * private key of department 'tax'"); so is a private key that is not the pair of its listed
 * public key.
 */
int reg_keyring_load_signers(reg_keyring *kr, const char *const *depts, size_t n, int64_t at,
			     reg_err **errp);
/* Use the private key in `path` for department `dept` (reg-approve --key): it must pair with a
 * public key the authority lists for `dept` and valid at `at`, else REG_ECONFIG. */
int reg_keyring_use_private_file(reg_keyring *kr, const char *dept, const char *path, int64_t at,
				 reg_err **errp);
/* The loaded private key `dept` signs with at `at`; NULL when none was loaded for that time. */
const reg_sign_key *reg_keyring_signer(const reg_keyring *kr, const char *dept, int64_t at);

/* What a check of one signature found. */
typedef enum reg_key_verdict {
	REG_KEY_VALID,        /* signed by `dept`'s key of that time */
	REG_KEY_NO_KEY,       /* the authority lists no key of `dept` valid at that time */
	REG_KEY_OTHER_DEPT,   /* signed by another department's key (*other names it) */
	REG_KEY_MISMATCH,     /* signed by no key of that time: altered, or of another message */
} reg_key_verdict;

/*
 * Check a signature by department `dept` on `msg`, made at `at`.  On REG_KEY_VALID,
 * `fingerprint` (may be NULL) receives the key's (sign.h); on REG_KEY_OTHER_DEPT *other (may
 * be NULL) points at the signing department's id (owned by the keyring).  -1 only when the
 * check itself could not run.
 */
int reg_keyring_check(const reg_keyring *kr, const char *dept, int64_t at, const void *msg,
		      size_t len, const unsigned char sig[REG_SIG_LEN], reg_key_verdict *verdict,
		      char fingerprint[65], const char **other, reg_err **errp);

#endif
