/*
 * authority_setup — making a real authority: its file, its keys, its departments' keys
 * (reg-authority(1), docs/authority.md).  libreg/authority.h reads an authority file; this module
 * writes one, makes keys and adds a department's key to an existing file.
 *
 * A new authority (reg_authority_create) is a folder holding
 *     authority.xml                 division, name, area, time zone, signing key, departments,
 *                                   a <supervisor> (or a comment asking for one) and a <calendar>
 *                                   skeleton for the current and the next year (worktime.h)
 *     authority.key  authority.pub  the authority's Ed25519 key pair (MANIFEST.sig)
 *     departments/ID.key  ID.pub    one key pair per department of the catalog that does not
 *                                   bring its own (the "external" ones are left out: they make
 *                                   their key on their own host and the authority imports it)
 * Every key counts from the creation time on (`from`, open `until`).  The name defaults to the
 * division's name + 市场监督管理局 (reg_authority_default_name); the area to the division; an
 * unknown division or area code is refused.  The file is not test-only.
 *
 * Key custody.  Private keys are unencrypted PKCS#8 PEM (what sign.h loads: a batch tool never
 * asks for a passphrase), so the file mode is their protection: each is created mode 0600
 * whatever the umask, public keys and authority.xml 0644.  No file is ever overwritten: every
 * file is staged under a temporary name (O_CREAT|O_EXCL, never following a link) and given its
 * name by link(2), which refuses a name that exists (files.h).  A creation first checks that
 * none of its files exists — when any does, REG_ECANTCREAT names the first and counts the
 * others, and nothing is written — and when anything fails later it removes what it had made,
 * so a refused or failed run leaves the folder as it found it.  Private key bytes are wiped
 * after use (sign.h) and nothing here prints one; what callers print are fingerprints (SHA-256
 * of the raw public key).
 *
 * Importing a department's key (reg_authority_edit_*).  A department that brings its own key
 * makes it on its own host (reg_authority_keygen) and hands over the public half; the authority
 * adds it to its file with the instant it counts from.  Rotation: when the department already
 * has a key, the new one must start after the start of the last one, and the last one's period
 * is closed at the new one's start (its `until` set, or lowered), so verdicts it signed before
 * still verify (keyring.h).  A start before the current time is refused when it would cut short
 * a key already in use: the verdicts that key signed since would stop verifying — revoking a
 * stolen key is a deliberate edit of `until` by hand (docs/authority.md).  These refusals are
 * REG_ENO, and so is a key any department (or the authority itself) already has; a department
 * the catalog does not have or a start that is not an ISO 8601 time is REG_EUSAGE; a key that is
 * not an Ed25519 public key in PEM is REG_ECONFIG (sign.h), and so is a private key file others
 * may read.  The public key is copied, as PEM, to departments/ID-FINGERPRINT12.pub beside the
 * authority file (created, never replaced).  An optional private key path (a host that keeps
 * the department's private key: the authority for a department it signs for, or the
 * department's own host) must pair with it, and is recorded relative to the authority file's
 * folder when it lies below it, else absolute.
 *
 * The file changes atomically and only if nobody changed it meanwhile: the edit remembers the
 * bytes it read (SHA-256); commit writes the new file under a temporary name, checks that it
 * loads (reg_authority_load, every public key through reg_keyring_new), then, holding an
 * exclusive flock(2) on the file read, checks that the name still refers to that file and that
 * its bytes are still those read — else REG_EBUSY ("changed since it was read: run again"),
 * nothing replaced — and renames the new file over it, with the old file's permission bits.
 * The document is rewritten as libxml2 serializes it (two-space indentation; comments, also
 * those before or after <authority>, are kept).
 *
 * Describing (reg_authority_describe): the facts of an authority as TSV, one line per fact,
 * first field the fact's name, control characters of any field written as \xHH, empty fields
 * for what is open or absent:
 *     file         PATH
 *     division     CODE  FULL-NAME          (the name empty for a code not in the table)
 *     name         NAME
 *     area         CODE  FULL-NAME          (one line per division)
 *     time-zone    +08:00
 *     test-only    true | false
 *     supervisor   NAME                     (empty: none named yet)
 *     calendar     YEAR  filled | empty     (each year with holidays or workdays, and the
 *                                            current and next year when they have none)
 *     signing-key  FINGERPRINT  PUBLIC-PATH  PRIVATE-PATH
 *     key          DEPT  FROM  UNTIL  FINGERPRINT  PUBLIC-PATH  PRIVATE-PATH   (one per key)
 * Times in the authority's zone (clock.h), paths as the authority resolves them.
 */
#ifndef REG_AUTHORITY_SETUP_H
#define REG_AUTHORITY_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "authority.h"
#include "catalog.h"
#include "configuration.h"
#include "errors.h"

/* The bureau's default name: the division's name + 市场监督管理局, the province left out where
 * a prefecture stands between (440305 深圳市南山区市场监督管理局, 150300 乌海市市场监督管理局)
 * and kept where none does (110105 北京市朝阳区市场监督管理局).  NULL for a code not in the
 * table (or out of memory).  Caller frees. */
char *reg_authority_default_name(const char *division);

typedef struct reg_authority_spec {
	const char *division;        /* required, in the GB/T 2260 table */
	const char *name;            /* NULL: reg_authority_default_name */
	const char *const *area;     /* the divisions it registers; n_area 0: the division */
	size_t n_area;
	const char *time_zone;       /* "+08:00" (NULL: that) */
	const char *supervisor;      /* NULL: a comment in its place, for the bureau to fill in */
	const reg_catalog *catalog;  /* required: its departments get keys */
	const char *const *external; /* catalog departments that bring their own key */
	size_t n_external;
	int64_t now;                 /* the keys count from it; calendar: its year and the next */
} reg_authority_spec;

/* Make a new authority in `dir` (created when missing, its parent must exist).  A value that
 * is not acceptable (unknown division, area or department, a name or supervisor that is empty
 * or more than one line, a bad zone) is REG_EUSAGE; a file that exists REG_ECANTCREAT. */
int reg_authority_create(const char *dir, const reg_authority_spec *spec, reg_err **errp);

/* A department's own host: make a key pair, write the private key to `private_path` (0600,
 * never replacing a file), and give back the public key as PEM (*pem the caller's, free with
 * reg_sign_pem_free) and its fingerprint. */
int reg_authority_keygen(const char *private_path, char **pem, size_t *len, char fingerprint[65],
			 reg_err **errp);

typedef struct reg_authority_edit reg_authority_edit;

/* Read the authority file to change it: REG_ENOINPUT when it cannot be opened, REG_ECONFIG when
 * it does not load. */
reg_authority_edit *reg_authority_edit_open(const char *path, reg_err **errp);
/* The authority as read. */
const reg_authority *reg_authority_edit_current(const reg_authority_edit *e);

typedef struct reg_key_import {
	const char *dept;            /* a department of `catalog` */
	const char *from;            /* ISO 8601; without an offset, in the authority's zone */
	const char *public_path;     /* the department's public key, PEM */
	const char *private_path;    /* NULL, or where this host keeps the private half */
	const reg_catalog *catalog;  /* required */
	int64_t now;
} reg_key_import;

/* Add the key (copying its public half beside the file at once), closing the period of the
 * department's last key; the file itself changes at commit.  On success *fingerprint (may be
 * NULL) gets the new key's fingerprint. */
int reg_authority_edit_add_key(reg_authority_edit *e, const reg_key_import *imp,
			       char fingerprint[65], reg_err **errp);
/* Write the changed file (see above); the edit is spent either way. */
int reg_authority_edit_commit(reg_authority_edit *e, reg_err **errp);
/* Free; an edit not committed removes the public key copies it made. */
void reg_authority_edit_free(reg_authority_edit *e);

/* Print the facts of `a` (see above) to `out`; dept non-NULL: only the `key` lines of that
 * department.  `now` picks the current year of the calendar lines.  REG_ECONFIG when a public
 * key cannot be read, REG_EIO when writing fails. */
int reg_authority_describe(const reg_authority *a, int64_t now, const char *dept, FILE *out,
			   reg_err **errp);

/* reg-authority's four modes, as a command line gives them: `new` makes the authority in args[0]
 * (spec) and shows it, `keygen` a department's key (imp.dept) into `output` with the public key
 * on stdout, `import` adds imp's key to the configuration's authority file, `show` describes
 * that file (TSV on stdout).  Notes go to stderr under `prog`. */
typedef enum reg_authority_mode {
	REG_AUTHORITY_NEW = 1,
	REG_AUTHORITY_KEYGEN = 2,
	REG_AUTHORITY_IMPORT = 4,
	REG_AUTHORITY_SHOW = 8,
} reg_authority_mode;

typedef struct reg_authority_command {
	const char *prog;
	reg_config *cfg;
	int mode;                     /* a reg_authority_mode; 0 when none was named */
	reg_authority_spec spec;      /* new */
	reg_key_import imp;           /* keygen (dept), import */
	const char *output;           /* keygen */
	char **args;
	int n_args;
} reg_authority_command;

/* What the mode needs: NULL when the command line makes sense, else what is wrong. */
const char *reg_authority_command_problem(const reg_authority_command *c);
int reg_authority_command_run(reg_authority_command *c, reg_err **errp);

#endif
