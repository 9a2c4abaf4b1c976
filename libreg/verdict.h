/*
 * verdict — a department's signed statement of its verdicts (docs/signatures.md).
 *
 * A department answers for its own catalog items.  What it decided in one review of one
 * dossier — the approvals it gave at one time, by one reviewer, on one body — is one
 * STATEMENT, and the department signs the statement with its Ed25519 key (libreg/keyring.h).
 * Every <approval> of the statement carries the same signature (base64 of the 64 raw bytes),
 * so a dossier needs nothing else to be checked: group its approvals by department, time,
 * reviewer, body digest and signature, write each group's statement, verify it.
 *
 * The statement is UTF-8 text, one field a line, LF line ends, exactly:
 *
 *     regkit-verdicts/1
 *     dossier: 150302-20261123-000001
 *     department: tax
 *     body-digest: 5f0c…(64 hex)
 *     time: 2026-11-23T09:30:00+08:00
 *     reviewer: reg-approve
 *     item: tax-registration approved
 *     reason: …                        (zero or more after each item line, in their order)
 *     item: …
 *
 * Items are sorted by item id, byte by byte; time and the other values are the attributes'
 * text as written.  In a value, '\' is written "\\", LF "\n", CR "\r", TAB "\t" and every other
 * byte below 0x20 and 0x7F as "\xHH" (lower-case hex), so a statement is always these lines
 * whatever a reason holds, and anyone can rebuild it byte for byte from dossier.xml.
 * Not-applicable is no verdict: whether an item applies is the catalog's to say, and such an
 * approval is never signed or counted.
 *
 * What a valid signature proves: that the department's key (the one the authority lists for
 * the statement's time) signed exactly these verdicts on exactly this dossier number and
 * body.  Not who held the key.
 */
#ifndef REG_VERDICT_H
#define REG_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dossier.h"
#include "errors.h"
#include "keyring.h"
#include "sign.h"

#define REG_STATEMENT_MAGIC "regkit-verdicts/1"
#define REG_SIGNATURE_B64_LEN 88 /* base64 of 64 bytes, with its padding */

/* Base64 (RFC 4648, with padding) of a raw signature; out holds REG_SIGNATURE_B64_LEN + 1. */
void reg_signature_encode(const unsigned char sig[REG_SIG_LEN],
			  char out[REG_SIGNATURE_B64_LEN + 1]);
/* The raw bytes of a signature attribute; -1 unless it is exactly 88 base64 characters making
 * 64 bytes. */
int reg_signature_decode(const char *text, unsigned char sig[REG_SIG_LEN]);

/* A value with the escapes above, NUL-terminated in *out (caller frees), *len bytes; -1 when
 * out of memory.  (The registry keeps reasons this way, one a line.) */
int reg_statement_escape(const char *value, char **out, size_t *len);
/* Undo reg_statement_escape; NULL when out of memory or when text is not such a value. */
char *reg_statement_unescape(const char *text, size_t len);

/*
 * The statement of the approvals `group` (n pointers, all of one department, time, reviewer
 * and body digest) on dossier `number`, NUL-terminated in *text (caller frees), *len bytes.
 */
int reg_statement_text(const char *number, const reg_approval *const *group, size_t n,
		       char **text, size_t *len, reg_err **errp);

/* Sign the statement of `group` with `key` and set every approval's signature to it (each a
 * copy owned by its approval). */
int reg_statement_sign(const reg_sign_key *key, const char *number, reg_approval *const *group,
		       size_t n, reg_err **errp);

/*
 * Statements of a list of approvals: `order` receives a permutation of 0..n-1 in which the
 * approvals of each statement stand together (sorted by department, time, reviewer, body
 * digest, signature), and `start` (n + 1 entries) the index in `order` where each statement
 * starts, terminated by n; the count of statements is returned.  Unsigned approvals form
 * statements too (with no signature).  -1 when out of memory.
 */
long reg_statements_group(const reg_approval *list, size_t n, size_t *order, size_t *start);

/*
 * Check one statement's signature (reg_statements_group gives the group).  `at` is the
 * statement's time as an instant.  0 with *verdict set (a bad signature is not an error of
 * the call); -1 only when the check could not run.  An approval without a signature, or one
 * that does not decode, is REG_KEY_MISMATCH.
 */
int reg_statement_check(const reg_keyring *kr, const char *number,
			const reg_approval *const *group, size_t n, int64_t at,
			reg_key_verdict *verdict, char fingerprint[65], const char **other,
			reg_err **errp);

/*
 * The statements of a dossier's approvals as files of its archive (docs/signatures.md):
 * verdicts/NN-<dept>.txt holds a statement's text and verdicts/NN-<dept>.sig its raw 64-byte
 * signature, so that anyone can check one verdict with stock OpenSSL:
 *     openssl pkeyutl -verify -pubin -inkey tax.pub -rawin -in verdicts/03-tax.txt \
 *             -sigfile verdicts/03-tax.sig
 * NN counts the statements from 01 in the order of their time (as an instant), then department,
 * reviewer, body digest and signature.  Not-applicable approvals make no statement; unsigned
 * statements (archives issued before verdicts were signed) are listed with signed = false and
 * get no files.  Times are read with offset_min.  *out (count entries) is the caller's.
 */
#define REG_VERDICT_DIR "verdicts"
typedef struct reg_statement_file {
	char name[80];                    /* "03-tax": verdicts/<name>.txt and .sig */
	char *text;                       /* the statement, NUL-terminated */
	size_t len;
	unsigned char sig[REG_SIG_LEN];
	bool signed_;                     /* a signature that decodes */
	const reg_approval *first;        /* one of its approvals (for messages), in `list` */
	int64_t at;                       /* its time as an instant */
	size_t n;                         /* how many approvals it holds */
} reg_statement_file;
int reg_statement_files(const char *number, const reg_approval *list, size_t n, int offset_min,
			reg_statement_file **out, size_t *count, reg_err **errp);
void reg_statement_files_free(reg_statement_file *files, size_t count);

/* The words a refusal uses for a verdict other than valid ("is not signed", "is signed with
 * commerce's key, not tax's", …) into buf. */
void reg_key_verdict_text(reg_key_verdict v, const char *dept, const char *other, bool unsigned_,
			  char *buf, size_t size);

#endif
