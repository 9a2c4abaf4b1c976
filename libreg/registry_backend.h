/*
 * registry_backend — the two databases behind libreg/registry.h, private to registry*.c.
 *
 * registry.c holds everything portable: the registry's meaning, and every statement that reads
 * or writes rows (DML), as one SQL text that SQLite 3.40 and PostgreSQL 15 both accept, with
 * numbered parameters ?1, ?2 … (PostgreSQL's backend turns them into $1, $2 …).  A backend
 * holds what differs between the databases (docs/registry.md): opening, the schema's DDL and
 * its migrations, transactions and locking, the append-only guard, and how a failure maps to
 * regkit's error codes.
 *
 * Parameters are typed by a string, one letter each: 't' text (a NULL pointer binds SQL NULL),
 * 'i' a 64-bit integer, 'b' a blob (pointer and length).  Results come back as rows of
 * columns read as text, integer or blob; strings live until the next call on the same rows
 * (or their close).
 *
 * Statements are identified by a small number (registry.c's enum) so that a backend can
 * prepare each once per connection and keep it (sqlite3_prepare_v3 PERSISTENT, PQprepare); id
 * DB_ONCE runs a statement unprepared and unkept (iterations, whose callbacks may run other
 * statements on the same connection meanwhile).
 *
 * Failures: a backend returns -1 with *errp set (code and message as registry.h lists them,
 * the file being the registry's display name) — except for constraint violations, which it
 * returns as DB_UNIQUE or DB_FOREIGN without an error, so registry.c can say what the ledger
 * means ("name 'X' is already registered").  After any failure inside a transaction the
 * caller rolls back (PostgreSQL refuses every later statement of a failed transaction).
 */
#ifndef REG_REGISTRY_BACKEND_H
#define REG_REGISTRY_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#define DB_ONCE (-1)
#define DB_UNIQUE (-2)
#define DB_FOREIGN (-3)

typedef struct db db;
typedef struct db_rows db_rows;

typedef struct db_arg {
	const char *text;
	int64_t integer;
	const void *blob;
	size_t blob_len;
} db_arg;

typedef enum db_open_mode {
	DB_OPEN_CREATE,    /* create the registry (file, schema) when it is not there */
	DB_OPEN_EXISTING,  /* it must exist: REG_ENOINPUT otherwise, and nothing is created */
	DB_OPEN_READONLY,  /* read only; it must exist and be of this schema version */
} db_open_mode;

typedef struct db_ops {
	const char *name; /* "sqlite" | "postgresql" */
	/* Run statement `id` (sql its text) with the arguments.  A statement that returns rows
	 * gives *rows (may be NULL when the caller expects none); otherwise *changes (may be NULL)
	 * receives the number of rows it inserted, updated or deleted. */
	int (*run)(db *d, int id, const char *sql, const char *types, const db_arg *args,
		   db_rows **rows, int64_t *changes, reg_err **errp);
	/* 1 a row, 0 the end, -1 a failure (*errp set). */
	int (*next)(db_rows *r, reg_err **errp);
	const char *(*text)(db_rows *r, int col);  /* NULL for SQL NULL */
	int64_t (*integer)(db_rows *r, int col);   /* 0 for SQL NULL */
	const void *(*blob)(db_rows *r, int col, size_t *len);
	void (*close)(db_rows *r);                 /* NULL is a no-op */

	int (*begin)(db *d, reg_err **errp);
	int (*commit)(db *d, reg_err **errp);
	int (*rollback)(db *d, reg_err **errp);
	bool (*in_transaction)(const db *d);
	int (*savepoint)(db *d, reg_err **errp);
	int (*release)(db *d, reg_err **errp);
	int (*rollback_to)(db *d, reg_err **errp);
	/* Start a read-only transaction that sees one snapshot of the registry until rollback
	 * (reg_registry_copy reads a registry others may be writing). */
	int (*snapshot)(db *d, reg_err **errp);
	/* After rows were inserted with their ids given (a copy), make the ids the database
	 * generates (events, approvals) go on after the largest one present. */
	int (*follow_ids)(db *d, reg_err **errp);

	int (*schema_version)(db *d, int *version, reg_err **errp);
	const char *(*display_name)(const db *d); /* the path, or the server without password */
	void (*free)(db *d);
} db_ops;

/* Open a registry of each kind: `target` is the SQLite path or the libpq URI.  The busy timeout
 * is in milliseconds (registry.h).  *ops receives the backend's functions. */
db *db_sqlite_open(const char *target, db_open_mode mode, int busy_ms, const db_ops **ops,
		   reg_err **errp);
db *db_pg_open(const char *target, db_open_mode mode, int busy_ms, const db_ops **ops,
	       reg_err **errp);

/* Whether a --db value names a PostgreSQL server rather than an SQLite file. */
bool db_target_is_pg(const char *target);

#endif
