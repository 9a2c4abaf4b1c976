/*
 * registry — the authority's ledger (docs/registry.md): an SQLite file, or a PostgreSQL
 * database shared by a whole service hall, behind this one API.
 *
 * The XML dossier is what travels between the tools; the registry is what the authority itself
 * remembers, and what decides: the serial counters behind every number it hands out, the
 * dossiers it accepted with every version of their bodies, the names taken under it,
 * commitments, every department's signed verdicts, issuances with the bytes of every archive
 * edition, filed seals, escalation slips and an append-only log of events.  libreg/ledger.h is
 * what reads meaning out of these rows.
 *
 * Backends.  `target` (--db, REG_DB) is a libpq connection URI — postgresql://… or
 * postgres://…, e.g. postgresql:///regkit?host=/run/postgresql — or else the path of an SQLite
 * file.  Nothing outside registry*.c knows which one it talks to: the same schema version and
 * migrations, the same semantics, the same errors, the same bytes out (times are integers,
 * text is compared byte for byte: COLLATE "C").  docs/registry.md lists what each backend does
 * its own way (DDL, locking, the append-only guard).
 *
 * Opening.  reg_registry_open creates the registry on first use (the SQLite file, or the schema
 * in an empty PostgreSQL database where the role may): acceptance (reg-apply) starts a
 * registry.  reg_registry_open_existing is for the tools that work on accepted dossiers: a
 * missing registry is an error, not a new empty one under a mistyped --db.  Downstream of
 * reg-apply in a pipeline they open it when their first dossier arrives, not at start-up: every
 * tool of a pipeline starts at once, but reg-apply records a dossier before it writes it.
 * reg_registry_open_readonly (reg-status, reg-verify) never creates or changes anything.  The
 * busy timeout — how long a writer waits for another process's transaction to end — is
 * REG_REGISTRY_BUSY_TIMEOUT_MS (10 s), or the environment variable REG_BUSY_TIMEOUT_MS
 * (milliseconds, 0 = do not wait; anything but digits is REG_ECONFIG); past it the call fails
 * with REG_EBUSY, "registry busy, try again".  Opening an older registry for writing applies
 * the missing migrations, in order, in one transaction; a registry newer than this code, or a
 * database of some other program, is REG_ECONFIG.
 *
 * Transactions.  Each dossier's work is one transaction (or one savepoint of a group's
 * transaction, below): reg_registry_begin, the writes, reg_registry_commit — or
 * reg_registry_rollback on any failure, which also un-takes every serial taken since begin
 * (serials are rows of the same database, never sequences), so a rejected application burns no
 * number and leaves no row.  begin takes the write lock at once (SQLite: BEGIN IMMEDIATE;
 * PostgreSQL: the counter rows are locked as they are taken, in one order): two processes
 * taking serials at once never get the same one.  A write outside begin/commit is its own
 * transaction.
 *
 * Errors.  Every function that can fail returns -1 (or NULL) and sets *errp:
 *   REG_ENO        the ledger says no: a name already registered, a USCC or acceptance number
 *                  already used, a dossier the registry does not hold (these leave the error's
 *                  file empty, so the caller can locate it in its own input)
 *   REG_EBUSY      still locked by another process when the busy timeout ran out (PostgreSQL:
 *                  also a serialization failure or deadlock)
 *   REG_ECONFIG    not a registry, a newer schema than this code knows, a PostgreSQL database
 *                  that is not UTF-8
 *   REG_ENOINPUT   a registry that must exist does not
 *   REG_ECANTCREAT the registry cannot be created or written (directory missing, read-only file,
 *                  a role without the right)
 *   REG_EIO        the disk failed (I/O error, disk full, corrupt file), or the server cannot
 *                  be reached or went away (named without its password)
 *   REG_EINTERNAL  a caller's mistake or the database's surprise: a serial outside a
 *                  transaction, a write through a read-only handle, an unknown state or verdict
 * Environment errors (BUSY, CONFIG, NOINPUT, CANTCREAT, IO) carry the registry's display name
 * (reg_registry_path) as file.
 *
 * Records.  Rows go in and come out as small structs of strings (UTF-8) and epoch seconds.  To
 * insert, fill one whose strings the caller owns; the registry copies what it keeps.  A lookup
 * by key (reg_registry_get_dossier …) fills the caller's struct with strings it then owns and
 * releases with the matching _clear function (safe on a zeroed struct, and on one a lookup did
 * not find).  An iteration (reg_registry_each_…) calls a function for each row with strings that
 * live only during that call; the function returns 0 to go on, anything else stops the
 * iteration, which then returns that value (so a callback that fails sets its own reg_err and
 * returns -1).  A callback may call other functions of the same handle, for example to update
 * the dossier it is shown; whether later rows of the iteration see such a change is unspecified.
 * Long iterations read their rows a page at a time, so memory stays flat however large the
 * registry.
 *
 * Threads and processes.  A handle is used by one thread at a time (it caches its prepared
 * statements); threads that each need the registry open a handle each.  Never carry an open
 * handle across fork(): open it in the process that uses it.
 *
 * All SQL is constant text with bound parameters; no value is ever pasted into SQL.
 */
#ifndef REG_REGISTRY_H
#define REG_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"

/* The schema version this code writes; one more each migration (docs/registry.md). */
#define REG_REGISTRY_SCHEMA_VERSION 2
/* Default busy timeout, overridden by the environment variable REG_BUSY_TIMEOUT_MS. */
#define REG_REGISTRY_BUSY_TIMEOUT_MS 10000

typedef struct reg_registry reg_registry;

/* ---------------------------------------------------------------------------------------------
 * Opening and closing
 */

/* Open the registry `target` (an SQLite path or a PostgreSQL URI) for reading and writing,
 * creating it (and its schema) when it does not exist, and migrating an older schema to the
 * current one. */
reg_registry *reg_registry_open(const char *target, reg_err **errp);
/* The same for a registry that must exist already: a missing one is REG_ENOINPUT and nothing
 * is created. */
reg_registry *reg_registry_open_existing(const char *target, reg_err **errp);
/* Open an existing registry only to read it.  A missing one is REG_ENOINPUT and nothing is
 * created; a registry of an older schema is REG_ECONFIG (open it once for writing to upgrade). */
reg_registry *reg_registry_open_readonly(const char *target, reg_err **errp);
/* Whether `target` names a PostgreSQL server (postgresql://… or postgres://…). */
bool reg_registry_target_is_server(const char *target);
/* Close: an open transaction is rolled back.  NULL is a no-op. */
void reg_registry_free(reg_registry *reg);

/* The path, or the server as "postgresql://user@host:port/database" without any password. */
const char *reg_registry_path(const reg_registry *reg);
/* "sqlite" or "postgresql" (for diagnostics and tests; nothing else may depend on it). */
const char *reg_registry_backend(const reg_registry *reg);
bool reg_registry_readonly(const reg_registry *reg);
/* The schema version of the open file (after migration: REG_REGISTRY_SCHEMA_VERSION). */
int reg_registry_schema_version(reg_registry *reg, int *version, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Transactions
 */

/* Start a write transaction, waiting up to the busy timeout for another writer (REG_EBUSY past
 * it).  Transactions do not nest: begin while one is open is REG_EINTERNAL. */
int reg_registry_begin(reg_registry *reg, reg_err **errp);
/* Make the transaction's writes durable.  If the commit fails, the transaction is rolled back
 * before returning, so the caller never has to guess what state it is in. */
int reg_registry_commit(reg_registry *reg, reg_err **errp);
/* Undo everything since begin, including serials taken.  Safe to call when no transaction is
 * open (it then does nothing and returns 0), so every error path can call it; errp may be NULL. */
int reg_registry_rollback(reg_registry *reg, reg_err **errp);
bool reg_registry_in_transaction(const reg_registry *reg);

/* One dossier inside a larger transaction.  A batch tool may record several dossiers in one
 * transaction (one commit per group is much cheaper than one per dossier) and still refuse one
 * of them alone: savepoint before its writes, then release to keep them or rollback to undo
 * exactly them (serials included) while the transaction stays open.  One savepoint at a time;
 * commit with one open is REG_EINTERNAL.  savepoint_rollback with none open does nothing and
 * returns 0, like reg_registry_rollback, so error paths can always call it. */
int reg_registry_savepoint(reg_registry *reg, reg_err **errp);
int reg_registry_savepoint_release(reg_registry *reg, reg_err **errp);
int reg_registry_savepoint_rollback(reg_registry *reg, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Serial counters
 *
 * Counters are created on first use and named by what they number, by convention
 *   "acceptance:150302:20261123"   acceptance numbers of a division and a day
 *   "uscc:150302"                  new USCCs of a division
 *   "seal:150302"                  seal codes of a division
 * The first value of a counter is 1; each call returns the next.  Must be called inside a
 * transaction (REG_EINTERNAL otherwise): the value is not taken until the commit, and a rollback
 * gives it back, so the next transaction gets the same one.
 */
int reg_registry_next_serial(reg_registry *reg, const char *counter, uint64_t *value,
			     reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Dossiers — each accepted dossier, keyed by its acceptance number
 */

/* States of docs/formats.md; anything else is refused (REG_EINTERNAL). */
#define REG_REGISTRY_STATE_ACCEPTED "accepted"
#define REG_REGISTRY_STATE_APPROVED "approved"
#define REG_REGISTRY_STATE_REJECTED "rejected"
#define REG_REGISTRY_STATE_PENDING "pending"
#define REG_REGISTRY_STATE_ISSUED "issued"

typedef struct reg_registry_dossier {
	const char *number;      /* acceptance number, "150302-20261123-000001" */
	const char *name;        /* enterprise name */
	const char *authority;   /* division code of the registering authority */
	const char *state;       /* REG_STATE_… */
	int64_t accepted_at;     /* epoch seconds */
	const char *body_digest; /* 64 hex, docs/formats.md "Body digest": the current version's */
	const char *body;        /* the current body's XML (version `version`) */
	const char *window;      /* may be NULL */
	const char *clerk;       /* may be NULL */
	const char *application_digest; /* the application as it came (libreg/apply.h); may be
					 * NULL (dossiers accepted before schema 2) */
	int64_t version;         /* the current body version, 1 at acceptance */
} reg_registry_dossier;

typedef int (*reg_registry_dossier_fn)(const reg_registry_dossier *d, void *ctx);

/* One version of a dossier's body (docs/supplements.md): acceptance records version 1, every
 * supplement one more.  enterprise_digest and materials let the ledger tell which verdicts a
 * change voids: SHA-256 hex of the C14N of <enterprise>, and the materials as sorted lines
 * "type sha256" or "type sighted" (libreg/ledger.h makes both). */
typedef struct reg_registry_body {
	const char *number;
	int64_t version;           /* ignored when adding: the next one is taken */
	const char *digest;        /* the body digest */
	const char *body;          /* the dossier XML */
	const char *enterprise_digest;
	const char *materials;
	int64_t recorded_at;       /* epoch seconds */
} reg_registry_body;

typedef int (*reg_registry_body_fn)(const reg_registry_body *b, void *ctx);

/* Record an accepted dossier with its first body (version 1; d->body, d->body_digest and
 * d->version are ignored: they come from `first`).  A number already recorded is REG_ENO. */
int reg_registry_add_dossier(reg_registry *reg, const reg_registry_dossier *d,
			     const reg_registry_body *first, reg_err **errp);
/* Record a new version of a dossier's body; it becomes the current one.  *version (may be
 * NULL) receives its number.  A dossier the registry does not hold is REG_ENO. */
int reg_registry_add_body(reg_registry *reg, const reg_registry_body *b, int64_t *version,
			  reg_err **errp);
/* Every version of a dossier's body, oldest first. */
int reg_registry_each_body(reg_registry *reg, const char *number, reg_registry_body_fn fn,
			   void *ctx, reg_err **errp);
/* One version (0: the current one); *found says whether it exists. */
int reg_registry_get_body(reg_registry *reg, const char *number, int64_t version,
			  reg_registry_body *out, bool *found, reg_err **errp);
void reg_registry_body_clear(reg_registry_body *b);
/* The dossier still open (neither rejected nor issued) that was accepted from an application
 * with this digest under this authority, if any: an identical application handed in again
 * gets that dossier back instead of a second number (libreg/apply.h). */
int reg_registry_find_application(reg_registry *reg, const char *authority,
				  const char *application_digest, reg_registry_dossier *out,
				  bool *found, reg_err **errp);
/* Look a dossier up by acceptance number; *found says whether it exists (not an error).  On
 * success release *out with reg_registry_dossier_clear. */
int reg_registry_get_dossier(reg_registry *reg, const char *number, reg_registry_dossier *out,
			     bool *found, reg_err **errp);
/* Take the dossier's row lock for the rest of the transaction (an update of its own row), so
 * that two processes working on one dossier at once queue up (libreg/ledger.h).  *found says
 * whether the registry holds it. */
int reg_registry_lock_dossier(reg_registry *reg, const char *number, bool *found,
			      reg_err **errp);
/* Move a dossier to another state.  A number the registry does not hold is REG_ENO. */
int reg_registry_set_dossier_state(reg_registry *reg, const char *number, const char *state,
				   reg_err **errp);
/* Every dossier, or only those in `state` (NULL for all), in acceptance-number order. */
int reg_registry_each_dossier(reg_registry *reg, const char *state, reg_registry_dossier_fn fn,
			      void *ctx, reg_err **errp);
/* The dossiers accepted under an enterprise name (a rejected one and a later one may share it),
 * in acceptance-number order. */
int reg_registry_each_dossier_named(reg_registry *reg, const char *name,
				    reg_registry_dossier_fn fn, void *ctx, reg_err **errp);
void reg_registry_dossier_clear(reg_registry_dossier *d);

/* ---------------------------------------------------------------------------------------------
 * Names — an enterprise name is registered at most once under one authority
 *
 * Names are compared byte for byte: the caller passes them as they will stand on the license.
 */

int reg_registry_name_taken(reg_registry *reg, const char *authority, const char *name,
			    bool *taken, reg_err **errp);
/* Reserve `name` under `authority` for the dossier `number` (may be NULL).  A name already
 * registered there is REG_ENO, "name 'X' is already registered". */
int reg_registry_reserve_name(reg_registry *reg, const char *authority, const char *name,
			      const char *number, int64_t at, reg_err **errp);
/* Give a name back (its dossier was rejected).  Releasing a name nobody holds does nothing. */
int reg_registry_release_name(reg_registry *reg, const char *authority, const char *name,
			      reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Commitments (告知承诺) — materials a dossier was accepted without, with the date promised
 */

typedef struct reg_registry_commitment {
	const char *number;      /* the dossier */
	const char *material;    /* catalog material id, "premises-proof" */
	const char *due;         /* YYYY-MM-DD as promised, in the authority's zone */
	int64_t due_at;          /* the same instant in epoch seconds (the caller decides which
				  * instant of the day counts: start or end) */
	int64_t fulfilled_at;    /* epoch seconds; 0 while still owed */
	const char *fulfilled_sha256; /* the material's digest when handed in as a file; NULL
				       * when sighted or still owed */
} reg_registry_commitment;

typedef int (*reg_registry_commitment_fn)(const reg_registry_commitment *c, void *ctx);

/* Record a commitment (fulfilled_at is ignored: a new one is owed).  Its dossier must be in the
 * registry (REG_ENO otherwise); the same material twice for one dossier is REG_ENO. */
int reg_registry_add_commitment(reg_registry *reg, const reg_registry_commitment *c,
				reg_err **errp);
/* The material was handed in at `at` (sha256: the file's digest, or NULL when sighted).  An
 * unknown commitment is REG_ENO; fulfilling one twice keeps the first time and digest. */
int reg_registry_fulfil_commitment(reg_registry *reg, const char *number, const char *material,
				   int64_t at, const char *sha256, reg_err **errp);
/* The commitments of one dossier, by material. */
int reg_registry_each_commitment_of(reg_registry *reg, const char *number,
				    reg_registry_commitment_fn fn, void *ctx, reg_err **errp);
/* Commitments with due_at <= due_by (INT64_MAX for all), only the unfulfilled ones when `owed`,
 * in order of due_at, then number, then material.  reg-status asks for owed ones due by "now +
 * a warning period" to list those falling due and overdue. */
int reg_registry_each_commitment(reg_registry *reg, bool owed, int64_t due_by,
				 reg_registry_commitment_fn fn, void *ctx, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Approvals — every verdict a department gave, as a history (never overwritten)
 */

#define REG_REGISTRY_VERDICT_APPROVED "approved"
#define REG_REGISTRY_VERDICT_REJECTED "rejected"
#define REG_REGISTRY_VERDICT_SUPPLEMENT "supplement"
#define REG_REGISTRY_VERDICT_NOT_APPLICABLE "not-applicable"

typedef struct reg_registry_approval {
	int64_t id;              /* order of recording (ignored when adding) */
	const char *number;      /* the dossier */
	const char *item;        /* catalog item id, "tax-registration" */
	const char *dept;        /* department id, "tax" */
	const char *verdict;     /* REG_VERDICT_… */
	int64_t at;              /* time of the verdict, epoch seconds */
	const char *reviewer;
	const char *body_digest; /* the body the verdict was given on */
	const char *time;        /* the time as the approval wrote it (what its signature covers);
				  * NULL for rows recorded before schema 2 */
	const char *reasons;     /* its reasons, each escaped as libreg/verdict.h does, joined by
				  * newlines; NULL when none */
	const char *signature;   /* base64 (libreg/verdict.h); NULL: unsigned (before schema 2) —
				  * such a verdict never counts */
	const char *key;         /* fingerprint of the key that verified it; may be NULL */
} reg_registry_approval;

typedef int (*reg_registry_approval_fn)(const reg_registry_approval *a, void *ctx);

/* Record a verdict.  The same verdict recorded again (dossier, item, department, verdict, time,
 * reviewer and body equal) is kept once, so re-running a step on the same input does not double
 * the history; *added (may be NULL) says whether a row was written.  The dossier must be in the
 * registry (REG_ENO otherwise). */
int reg_registry_add_approval(reg_registry *reg, const reg_registry_approval *a, bool *added,
			      reg_err **errp);
/* Every verdict on a dossier, in the order recorded. */
int reg_registry_each_approval(reg_registry *reg, const char *number,
			       reg_registry_approval_fn fn, void *ctx, reg_err **errp);
/* The verdict in force for each item of a dossier — the latest by time, ties going to the one
 * recorded last — one per item, in item-id order.  Items never answered do not appear. */
int reg_registry_each_latest_verdict(reg_registry *reg, const char *number,
				     reg_registry_approval_fn fn, void *ctx, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Issuances — one per dossier, each with its own USCC
 */

typedef struct reg_registry_issuance {
	const char *number;         /* the dossier */
	const char *uscc;
	int64_t issued_at;          /* epoch seconds */
	const char *archive_path;   /* where the archive was written; may be NULL */
	const char *archive_sha256; /* 64 hex; NULL until known */
} reg_registry_issuance;

/* Record an issuance.  A dossier issued before, or a USCC used before, is REG_ENO; so is a
 * dossier the registry does not hold.  To re-issue, look the dossier up first: the same USCC
 * comes back and no serial is taken. */
int reg_registry_add_issuance(reg_registry *reg, const reg_registry_issuance *is, reg_err **errp);
int reg_registry_get_issuance(reg_registry *reg, const char *number, reg_registry_issuance *out,
			      bool *found, reg_err **errp);
int reg_registry_get_issuance_by_uscc(reg_registry *reg, const char *uscc,
				      reg_registry_issuance *out, bool *found, reg_err **errp);
/* Record where the archive went and its digest (the digest cannot live inside the archive).
 * A dossier not issued is REG_ENO. */
int reg_registry_set_archive(reg_registry *reg, const char *number, const char *archive_path,
			     const char *archive_sha256, reg_err **errp);
void reg_registry_issuance_clear(reg_registry_issuance *is);

/* ---------------------------------------------------------------------------------------------
 * Archives — the bytes of every edition of every issued archive (docs/issuance.md)
 *
 * An archive once recorded never changes (the database refuses UPDATE and DELETE): a re-issue
 * writes the recorded bytes again, and a new edition is a new row.
 */

typedef struct reg_registry_archive {
	const char *uscc;
	int64_t edition;             /* 1, 2, … */
	const char *number;          /* the dossier */
	int64_t made_at;             /* epoch seconds: the edition's time (its entries' mtime) */
	const char *sha256;          /* 64 hex of the bytes */
	const unsigned char *bytes;  /* the .tar.gz */
	size_t len;
} reg_registry_archive;

typedef int (*reg_registry_archive_fn)(const reg_registry_archive *a, void *ctx);

/* Record an edition.  An edition already recorded for the USCC, or a USCC not issued, is
 * REG_ENO. */
int reg_registry_add_archive(reg_registry *reg, const reg_registry_archive *a, reg_err **errp);
/* One edition (0: the latest); *found says whether it exists.  *out owns its bytes. */
int reg_registry_get_archive(reg_registry *reg, const char *uscc, int64_t edition,
			     reg_registry_archive *out, bool *found, reg_err **errp);
/* The editions of one USCC in order, with their bytes. */
int reg_registry_each_archive(reg_registry *reg, const char *uscc, reg_registry_archive_fn fn,
			      void *ctx, reg_err **errp);
/* The editions of one USCC in order without their bytes: bytes is NULL, len their count (a
 * lookup's listing, reg-status). */
int reg_registry_each_edition(reg_registry *reg, const char *uscc, reg_registry_archive_fn fn,
			      void *ctx, reg_err **errp);
/* The edition whose bytes have this digest, if any (reg-verify --db). */
int reg_registry_find_archive(reg_registry *reg, const char *sha256, reg_registry_archive *out,
			      bool *found, reg_err **errp);
void reg_registry_archive_clear(reg_registry_archive *a);

/* ---------------------------------------------------------------------------------------------
 * Seals — the seal set filed with public security at issuance
 */

typedef struct reg_registry_seal {
	const char *code;        /* 13-digit seal code, division + serial */
	const char *uscc;        /* the enterprise, an issued USCC */
	const char *type;        /* seal type id of the catalog, "01" */
	int64_t filed_at;        /* epoch seconds */
} reg_registry_seal;

typedef int (*reg_registry_seal_fn)(const reg_registry_seal *s, void *ctx);

/* File a seal.  A code used before, a second seal of one type for one USCC, or a USCC never
 * issued is REG_ENO. */
int reg_registry_add_seal(reg_registry *reg, const reg_registry_seal *s, reg_err **errp);
int reg_registry_get_seal(reg_registry *reg, const char *code, reg_registry_seal *out,
			  bool *found, reg_err **errp);
/* The seals of one enterprise, in seal-type order. */
int reg_registry_each_seal(reg_registry *reg, const char *uscc, reg_registry_seal_fn fn,
			   void *ctx, reg_err **errp);
void reg_registry_seal_clear(reg_registry_seal *s);

/* ---------------------------------------------------------------------------------------------
 * Escalation slips (三单一函) — each step of the ladder is issued once per dossier and item
 */

typedef struct reg_registry_slip {
	const char *number;      /* the dossier */
	const char *item;        /* the late item */
	const char *step;        /* "reminder", "urging", "supervision", "transfer" */
	int64_t issued_at;       /* epoch seconds */
} reg_registry_slip;

typedef int (*reg_registry_slip_fn)(const reg_registry_slip *s, void *ctx);

/* Record a slip.  When this step was already issued for this dossier and item, nothing changes
 * and *already is set to true — not an error — so a slip is never issued twice.  The dossier
 * must be in the registry (REG_ENO otherwise). */
int reg_registry_add_slip(reg_registry *reg, const reg_registry_slip *s, bool *already,
			  reg_err **errp);
/* The slips of one dossier, or of all (number NULL), by number, item and time of issue. */
int reg_registry_each_slip(reg_registry *reg, const char *number, reg_registry_slip_fn fn,
			   void *ctx, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Events — the append-only audit log
 *
 * The database itself refuses to change or delete an event (triggers that abort any UPDATE or
 * DELETE on the table), so no tool can rewrite history by mistake.
 */

typedef struct reg_registry_event {
	int64_t id;              /* increasing, never reused */
	int64_t at;              /* epoch seconds */
	const char *kind;        /* "accepted", "approved", "issued", "seal-filed", "escalated" … */
	const char *number;      /* the dossier concerned, or NULL */
	const char *detail;      /* free text, or NULL */
} reg_registry_event;

typedef int (*reg_registry_event_fn)(const reg_registry_event *e, void *ctx);

/* Append an event; *id (may be NULL) receives its id. */
int reg_registry_add_event(reg_registry *reg, int64_t at, const char *kind, const char *number,
			   const char *detail, int64_t *id, reg_err **errp);
/* The events of one dossier, or all (number NULL), in the order they were appended. */
int reg_registry_each_event(reg_registry *reg, const char *number, reg_registry_event_fn fn,
			    void *ctx, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Counting — how many rows a table holds ("a rejected application leaves no row")
 *
 * `table` is one of "serials", "dossiers", "bodies", "names", "commitments", "approvals",
 * "issuances", "archives", "seals", "slips", "events"; any other name is REG_EINTERNAL.
 */
int reg_registry_count(reg_registry *reg, const char *table, int64_t *n, reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Copying a whole registry — SQLite to PostgreSQL, PostgreSQL to SQLite, or SQLite to SQLite
 * as an online backup (reg-registry copy)
 *
 * Every row of every table above goes from `src` (open it read-only: the copy reads one
 * snapshot of it, so writers may go on meanwhile) to `dst`, with its keys and ids as they are:
 * every serial's value, every event's and approval's id, every archive's bytes.  `dst` must be
 * a registry with no row in any of those tables (REG_ECANTCREAT otherwise: a copy never merges
 * into or overwrites a registry), and the whole copy is one transaction on it, so a failure
 * leaves it as empty as it was.  `fn` (may be NULL) is told each table's row count once the
 * table is copied.  Copying a registry onto itself is REG_EUSAGE.
 */
typedef void (*reg_registry_copy_fn)(const char *table, int64_t rows, void *ctx);
int reg_registry_copy(reg_registry *src, reg_registry *dst, reg_registry_copy_fn fn, void *ctx,
		      reg_err **errp);

#endif
