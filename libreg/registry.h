/*
 * registry — the authority's ledger: one SQLite database (DESIGN.md §5).
 *
 * The XML dossier is what travels between the tools; the registry is what the authority itself
 * remembers: the serial counters behind every number it hands out, the dossiers it accepted
 * (with their bodies, so reg-status knows every department's pending items), the names taken
 * under it, commitments, approvals, issuances, filed seals, escalation slips and an append-only
 * log of events.
 *
 * Opening.  reg_registry_open creates the file on first use: acceptance (reg-apply) starts a
 * registry.  reg_registry_open_existing is for the tools that work on accepted dossiers: a
 * missing file is an error, not a new empty registry under a mistyped --db.  Downstream of
 * reg-apply in a pipeline they open it when their first dossier arrives, not at start-up: every
 * tool of a pipeline starts at once, but reg-apply records a dossier before it writes it.
 * reg_registry_open_readonly (reg-status, reg-verify) never creates or changes anything.  Every handle runs with
 *   journal_mode=WAL      readers never wait for a writer, and a writer never waits for readers
 *   synchronous=NORMAL    durable at checkpoints; a power cut may lose the last commits, never
 *                         corrupt the file
 *   foreign_keys=ON       an approval, commitment, issuance or slip must name a dossier the
 *                         registry holds, and a seal an issued USCC
 *   busy timeout          how long a writer waits for another process's transaction to end:
 *                         REG_REGISTRY_BUSY_TIMEOUT_MS (10 s), or the environment variable
 *                         REG_BUSY_TIMEOUT_MS (milliseconds, 0 = do not wait; read at open, and
 *                         anything but digits is REG_ECONFIG); past it the call fails with
 *                         REG_EBUSY, "registry busy, try again"
 * While a registry is open, WAL keeps two companion files beside it, PATH-wal and PATH-shm; copy
 * a registry only when no tool has it open (or with the sqlite3 shell's .backup).
 * The schema version lives in PRAGMA user_version and the file is marked as regkit's by PRAGMA
 * application_id.  Opening an older registry for writing applies the missing migrations, in
 * order, in one transaction; a registry newer than this code, a file that is not an SQLite
 * database, or an SQLite database of some other program is REG_ECONFIG.
 *
 * Transactions.  Each dossier's work is one transaction (or one savepoint of a group's
 * transaction, below): reg_registry_begin, the writes,
 * reg_registry_commit — or reg_registry_rollback on any failure, which also un-takes every serial
 * taken since begin (serials are rows of the same database), so a rejected application burns no
 * number and leaves no row.  begin takes the write lock at once (BEGIN IMMEDIATE): two processes
 * writing at the same time queue up behind each other instead of deadlocking, and two processes
 * taking serials at once never get the same one.  A write outside begin/commit is its own
 * transaction.
 *
 * Errors.  Every function that can fail returns -1 (or NULL) and sets *errp:
 *   REG_ENO        the ledger says no: a name already registered, a USCC or acceptance number
 *                  already used, a dossier the registry does not hold (these leave the error's
 *                  file empty, so the caller can locate it in its own input)
 *   REG_EBUSY      still locked by another process when the busy timeout ran out
 *   REG_ECONFIG    not a registry, or a newer schema than this code knows
 *   REG_ENOINPUT   reg_registry_open_readonly of a file that does not exist
 *   REG_ECANTCREAT the registry cannot be created or written (directory missing, read-only file)
 *   REG_EIO        the disk failed (I/O error, disk full, corrupt file), with SQLite's message
 *   REG_EINTERNAL  a caller's mistake or SQLite's surprise: a serial outside a transaction, a
 *                  write through a read-only handle, an unknown state or verdict
 * Environment errors (BUSY, CONFIG, NOINPUT, CANTCREAT, IO) carry the registry's path as file.
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
 *
 * Threads and processes.  A handle is used by one thread at a time (it caches its prepared
 * statements); threads that each need the registry open a handle each.  reg-approve --all gives
 * its workers nothing from the registry: the main thread records.  Never carry an open handle
 * across fork(): open it in the process that uses it.
 *
 * All SQL is constant text with bound parameters; no value is ever pasted into SQL.
 */
#ifndef REG_REGISTRY_H
#define REG_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"

/* The schema version this code writes (PRAGMA user_version); one more each migration. */
#define REG_REGISTRY_SCHEMA_VERSION 1
/* PRAGMA application_id of a regkit registry: "REGK". */
#define REG_REGISTRY_APPLICATION_ID 0x5245474B
/* Default busy timeout, overridden by the environment variable REG_BUSY_TIMEOUT_MS. */
#define REG_REGISTRY_BUSY_TIMEOUT_MS 10000

typedef struct reg_registry reg_registry;

/* ---------------------------------------------------------------------------------------------
 * Opening and closing
 */

/* Open the registry at `path` for reading and writing, creating it (and its schema) when the
 * file does not exist, and migrating an older schema to the current one. */
reg_registry *reg_registry_open(const char *path, reg_err **errp);
/* The same for a registry that must exist already: a missing file is REG_ENOINPUT and nothing
 * is created. */
reg_registry *reg_registry_open_existing(const char *path, reg_err **errp);
/* Open an existing registry only to read it.  A missing file is REG_ENOINPUT and nothing is
 * created; a registry of an older schema is REG_ECONFIG (open it once for writing to upgrade). */
reg_registry *reg_registry_open_readonly(const char *path, reg_err **errp);
/* Close: an open transaction is rolled back.  NULL is a no-op. */
void reg_registry_free(reg_registry *reg);

const char *reg_registry_path(const reg_registry *reg);
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
	const char *body_digest; /* 64 hex, docs/formats.md "Body digest" */
	const char *body;        /* the dossier XML as accepted */
	const char *window;      /* may be NULL */
	const char *clerk;       /* may be NULL */
} reg_registry_dossier;

typedef int (*reg_registry_dossier_fn)(const reg_registry_dossier *d, void *ctx);

/* Record an accepted dossier.  A number already recorded is REG_ENO. */
int reg_registry_add_dossier(reg_registry *reg, const reg_registry_dossier *d, reg_err **errp);
/* Look a dossier up by acceptance number; *found says whether it exists (not an error).  On
 * success release *out with reg_registry_dossier_clear. */
int reg_registry_get_dossier(reg_registry *reg, const char *number, reg_registry_dossier *out,
			     bool *found, reg_err **errp);
/* Move a dossier to another state.  A number the registry does not hold is REG_ENO. */
int reg_registry_set_dossier_state(reg_registry *reg, const char *number, const char *state,
				   reg_err **errp);
/* Every dossier, or only those in `state` (NULL for all), in acceptance-number order. */
int reg_registry_each_dossier(reg_registry *reg, const char *state, reg_registry_dossier_fn fn,
			      void *ctx, reg_err **errp);
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
} reg_registry_commitment;

typedef int (*reg_registry_commitment_fn)(const reg_registry_commitment *c, void *ctx);

/* Record a commitment (fulfilled_at is ignored: a new one is owed).  Its dossier must be in the
 * registry (REG_ENO otherwise); the same material twice for one dossier is REG_ENO. */
int reg_registry_add_commitment(reg_registry *reg, const reg_registry_commitment *c,
				reg_err **errp);
/* The material was handed in at `at`.  An unknown commitment is REG_ENO; fulfilling one twice
 * keeps the first time. */
int reg_registry_fulfil_commitment(reg_registry *reg, const char *number, const char *material,
				   int64_t at, reg_err **errp);
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
} reg_registry_approval;

typedef int (*reg_registry_approval_fn)(const reg_registry_approval *a, void *ctx);

/* Record a verdict.  The very same verdict recorded again (every field equal) is kept once, so
 * re-running a step on the same input does not double the history.  The dossier must be in the
 * registry (REG_ENO otherwise). */
int reg_registry_add_approval(reg_registry *reg, const reg_registry_approval *a, reg_err **errp);
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
 * `table` is one of "serials", "dossiers", "names", "commitments", "approvals", "issuances",
 * "seals", "slips", "events"; any other name is REG_EINTERNAL.
 */
int reg_registry_count(reg_registry *reg, const char *table, int64_t *n, reg_err **errp);

#endif
