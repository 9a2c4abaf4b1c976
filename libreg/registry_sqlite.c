/*
 * The SQLite backend of the registry (libreg/registry_backend.h): one file, WAL, a busy
 * timeout, BEGIN IMMEDIATE, the schema version in PRAGMA user_version with regkit's mark in
 * PRAGMA application_id, and triggers that make the events log and the stored archives
 * append-only.  docs/registry.md describes both backends side by side.
 */
#include "registry_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "i18n.h"
#include "registry.h"

/*
 * The schema, as an ordered list of migrations: migrations[i] takes a registry from version i
 * to version i + 1.  A future version appends to this list; never edit a migration that has
 * shipped.  PostgreSQL's backend has the same versions with its own DDL (registry_pg.c).
 *
 * CHECKs list their values with OR, not IN (…): SQLite evaluates an IN list of more than two
 * values through a temporary table, which cost every INSERT a temporary database.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema */
	"CREATE TABLE serials (\n"
	"	name TEXT PRIMARY KEY,\n"
	"	value INTEGER NOT NULL CHECK (value >= 1)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE dossiers (\n"
	"	number TEXT PRIMARY KEY,\n"
	"	name TEXT NOT NULL,\n"
	"	authority TEXT NOT NULL,\n"
	"	state TEXT NOT NULL CHECK (state = 'accepted' OR state = 'approved'\n"
	"		OR state = 'rejected' OR state = 'pending' OR state = 'issued'),\n"
	"	accepted_at INTEGER NOT NULL,\n"
	"	body_digest TEXT NOT NULL,\n"
	"	body TEXT NOT NULL,\n"
	"	window_id TEXT,\n"
	"	clerk TEXT\n"
	");\n"
	"CREATE INDEX dossiers_by_state ON dossiers (state, number);\n"
	"CREATE TABLE names (\n"
	"	authority TEXT NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	number TEXT,\n"
	"	reserved_at INTEGER NOT NULL,\n"
	"	PRIMARY KEY (authority, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE commitments (\n"
	"	number TEXT NOT NULL REFERENCES dossiers (number),\n"
	"	material TEXT NOT NULL,\n"
	"	due TEXT NOT NULL,\n"
	"	due_at INTEGER NOT NULL,\n"
	"	fulfilled_at INTEGER,\n"
	"	PRIMARY KEY (number, material)\n"
	");\n"
	"CREATE INDEX commitments_by_due ON commitments (due_at);\n"
	"CREATE TABLE approvals (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	number TEXT NOT NULL REFERENCES dossiers (number),\n"
	"	item TEXT NOT NULL,\n"
	"	dept TEXT NOT NULL,\n"
	"	verdict TEXT NOT NULL CHECK (verdict = 'approved' OR verdict = 'rejected'\n"
	"		OR verdict = 'supplement' OR verdict = 'not-applicable'),\n"
	"	at INTEGER NOT NULL,\n"
	"	reviewer TEXT NOT NULL,\n"
	"	body_digest TEXT NOT NULL,\n"
	"	UNIQUE (number, item, dept, verdict, at, reviewer, body_digest)\n"
	");\n"
	"CREATE TABLE issuances (\n"
	"	number TEXT PRIMARY KEY REFERENCES dossiers (number),\n"
	"	uscc TEXT NOT NULL UNIQUE,\n"
	"	issued_at INTEGER NOT NULL,\n"
	"	archive_path TEXT,\n"
	"	archive_sha256 TEXT\n"
	");\n"
	"CREATE TABLE seals (\n"
	"	code TEXT PRIMARY KEY,\n"
	"	uscc TEXT NOT NULL REFERENCES issuances (uscc),\n"
	"	type TEXT NOT NULL,\n"
	"	filed_at INTEGER NOT NULL,\n"
	"	UNIQUE (uscc, type)\n"
	");\n"
	"CREATE TABLE slips (\n"
	"	number TEXT NOT NULL REFERENCES dossiers (number),\n"
	"	item TEXT NOT NULL,\n"
	"	step TEXT NOT NULL,\n"
	"	issued_at INTEGER NOT NULL,\n"
	"	PRIMARY KEY (number, item, step)\n"
	");\n"
	"CREATE TABLE events (\n"
	"	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	at INTEGER NOT NULL,\n"
	"	kind TEXT NOT NULL CHECK (kind <> ''),\n"
	"	number TEXT,\n"
	"	detail TEXT\n"
	");\n"
	"CREATE INDEX events_by_number ON events (number, id);\n"
	/* The audit log is append-only in the database itself, whoever writes to it. */
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events\n"
	"BEGIN SELECT RAISE(ABORT, 'the events log is append-only'); END;\n"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events\n"
	"BEGIN SELECT RAISE(ABORT, 'the events log is append-only'); END;\n",

	/* 1 -> 2: the ledger decides (docs/registry.md): every body version, signed verdicts with
	 * what rebuilds them, the issued archives' bytes and their editions. */
	"ALTER TABLE dossiers ADD COLUMN application_digest TEXT;\n"
	"ALTER TABLE dossiers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;\n"
	"CREATE INDEX dossiers_by_application ON dossiers (application_digest);\n"
	"CREATE INDEX dossiers_by_name ON dossiers (name, number);\n"
	"CREATE TABLE bodies (\n"
	"	number TEXT NOT NULL REFERENCES dossiers (number),\n"
	"	version INTEGER NOT NULL CHECK (version >= 1),\n"
	"	digest TEXT NOT NULL,\n"
	"	body TEXT NOT NULL,\n"
	"	enterprise_digest TEXT NOT NULL,\n"
	"	materials TEXT NOT NULL,\n"
	"	recorded_at INTEGER NOT NULL,\n"
	"	PRIMARY KEY (number, version)\n"
	");\n"
	"INSERT INTO bodies (number, version, digest, body, enterprise_digest, materials,\n"
	"	recorded_at) SELECT number, 1, body_digest, body, '', '', accepted_at FROM dossiers;\n"
	"ALTER TABLE dossiers DROP COLUMN body;\n"
	"ALTER TABLE approvals ADD COLUMN time_text TEXT;\n"
	"ALTER TABLE approvals ADD COLUMN reasons TEXT;\n"
	"ALTER TABLE approvals ADD COLUMN signature TEXT;\n"
	"ALTER TABLE approvals ADD COLUMN key_id TEXT;\n"
	"ALTER TABLE commitments ADD COLUMN fulfilled_sha256 TEXT;\n"
	"CREATE TABLE archives (\n"
	"	uscc TEXT NOT NULL REFERENCES issuances (uscc),\n"
	"	edition INTEGER NOT NULL CHECK (edition >= 1),\n"
	"	number TEXT NOT NULL REFERENCES dossiers (number),\n"
	"	made_at INTEGER NOT NULL,\n"
	"	sha256 TEXT NOT NULL,\n"
	"	bytes BLOB NOT NULL,\n"
	"	PRIMARY KEY (uscc, edition)\n"
	");\n"
	/* An archive once recorded never changes (docs/issuance.md): a new edition is a new row. */
	"CREATE TRIGGER archives_no_update BEFORE UPDATE ON archives\n"
	"BEGIN SELECT RAISE(ABORT, 'issued archives are never changed'); END;\n"
	"CREATE TRIGGER archives_no_delete BEFORE DELETE ON archives\n"
	"BEGIN SELECT RAISE(ABORT, 'issued archives are never changed'); END;\n",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == REG_REGISTRY_SCHEMA_VERSION,
	       "one migration per schema version");

/* PRAGMA application_id of a regkit registry: "REGK". */
#define APPLICATION_ID 0x5245474B

enum { TX_BEGIN, TX_COMMIT, TX_ROLLBACK, TX_SAVEPOINT, TX_RELEASE, TX_ROLLBACK_TO, TX__COUNT };

static const char *const tx_sql[TX__COUNT] = {
	[TX_BEGIN] = "BEGIN IMMEDIATE",
	[TX_COMMIT] = "COMMIT",
	[TX_ROLLBACK] = "ROLLBACK",
	[TX_SAVEPOINT] = "SAVEPOINT one_dossier",
	[TX_RELEASE] = "RELEASE SAVEPOINT one_dossier",
	[TX_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT one_dossier",
};

struct db {
	sqlite3 *conn;
	char *path;
	bool readonly;
	int busy_ms;
	sqlite3_stmt **stmts;      /* prepared once per connection, by registry.c's ids */
	size_t n_stmts;
	sqlite3_stmt *tx[TX__COUNT];
};

struct db_rows {
	db *d;
	sqlite3_stmt *st;
	bool owned;                /* DB_ONCE: finalized on close */
	bool started;
	int first_rc;              /* the step run already, for statements that give rows */
};

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

static reg_code code_of(const db *d, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return REG_EBUSY;
	case SQLITE_NOTADB:
		return REG_ECONFIG;
	case SQLITE_READONLY:
		/* Writing through a read-only handle is the caller's bug; a read-only file is not. */
		return d->readonly ? REG_EINTERNAL : REG_ECANTCREAT;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CORRUPT:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_PROTOCOL:
	case SQLITE_NOLFS:
		return REG_EIO;
	default:
		return REG_EINTERNAL;
	}
}

/* Report a failed SQLite call: "WHAT: sqlite's message", at the registry file. */
static int sql_fail(db *d, int rc, const char *what, reg_err **errp)
{
	reg_code code = code_of(d, rc);
	if (code == REG_EBUSY)
		return reg_err_set(errp, code, d->path, 0, NULL, "registry busy, try again");
	if (code == REG_ECONFIG)
		return reg_err_set(errp, code, d->path, 0, NULL,
				   "not a registry: not an SQLite database");
	const char *msg = d->conn ? sqlite3_errmsg(d->conn) : sqlite3_errstr(rc);
	return reg_err_set(errp, code, d->path, 0, NULL, "%s: %s", _(what), msg);
}

/* ---------------------------------------------------------------------------------------------
 * Statements
 */

static int bind(sqlite3_stmt *st, const char *types, const db_arg *args)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		const db_arg *a = &args[i];
		/* SQLITE_STATIC: every statement is reset and its bindings cleared before the
		 * caller's values can go away. */
		if (types[i] == 't')
			rc = a->text ? sqlite3_bind_text(st, i + 1, a->text, -1, SQLITE_STATIC)
				     : sqlite3_bind_null(st, i + 1);
		else if (types[i] == 'b')
			rc = sqlite3_bind_blob64(st, i + 1, a->blob, a->blob_len, SQLITE_STATIC);
		else
			rc = sqlite3_bind_int64(st, i + 1, a->integer);
	}
	return rc;
}

static void reset(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static int prepare(db *d, int id, const char *sql, sqlite3_stmt **out)
{
	if (id == DB_ONCE)
		return sqlite3_prepare_v2(d->conn, sql, -1, out, NULL);
	if ((size_t)id >= d->n_stmts) {
		size_t n = (size_t)id + 16;
		sqlite3_stmt **grown = realloc(d->stmts, n * sizeof *grown);
		if (!grown)
			return SQLITE_NOMEM;
		memset(grown + d->n_stmts, 0, (n - d->n_stmts) * sizeof *grown);
		d->stmts = grown;
		d->n_stmts = n;
	}
	if (!d->stmts[id]) {
		int rc = sqlite3_prepare_v3(d->conn, sql, -1, SQLITE_PREPARE_PERSISTENT,
					    &d->stmts[id], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	*out = d->stmts[id];
	return SQLITE_OK;
}

static int sq_run(db *d, int id, const char *sql, const char *types, const db_arg *args,
		  db_rows **rows, int64_t *changes, reg_err **errp)
{
	sqlite3_stmt *st = NULL;
	if (rows)
		*rows = NULL;
	int rc = prepare(d, id, sql, &st);
	if (rc == SQLITE_OK)
		rc = bind(st, types, args);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || (rc == SQLITE_DONE && sqlite3_column_count(st) > 0)) {
		if (!rows) {
			reset(st);
			if (id == DB_ONCE)
				sqlite3_finalize(st);
			return 0;
		}
		db_rows *r = calloc(1, sizeof *r);
		if (!r) {
			reset(st);
			if (id == DB_ONCE)
				sqlite3_finalize(st);
			return reg_err_set(errp, REG_EINTERNAL, d->path, 0, NULL, "out of memory");
		}
		*r = (db_rows){.d = d, .st = st, .owned = id == DB_ONCE, .first_rc = rc};
		*rows = r;
		return 0;
	}
	int ret = 0;
	if (rc == SQLITE_DONE) {
		if (changes)
			*changes = sqlite3_changes64(d->conn);
	} else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		ret = rc == SQLITE_CONSTRAINT_FOREIGNKEY ? DB_FOREIGN
		    : rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE
			? DB_UNIQUE
			: sql_fail(d, rc, "registry refused a write", errp);
	} else {
		ret = sql_fail(d, rc, "registry statement failed", errp);
	}
	reset(st);
	if (id == DB_ONCE)
		sqlite3_finalize(st);
	return ret;
}

static int sq_next(db_rows *r, reg_err **errp)
{
	int rc;
	if (!r->started) {
		r->started = true;
		rc = r->first_rc;
	} else {
		rc = sqlite3_step(r->st);
	}
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sql_fail(r->d, rc, "cannot read registry", errp);
}

static const char *sq_text(db_rows *r, int col)
{
	return (const char *)sqlite3_column_text(r->st, col);
}

static int64_t sq_integer(db_rows *r, int col)
{
	return sqlite3_column_int64(r->st, col);
}

static const void *sq_blob(db_rows *r, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(r->st, col);
	*len = (size_t)sqlite3_column_bytes(r->st, col);
	return p;
}

static void sq_close(db_rows *r)
{
	if (!r)
		return;
	if (r->owned)
		sqlite3_finalize(r->st);
	else
		reset(r->st);
	free(r);
}

/* ---------------------------------------------------------------------------------------------
 * Transactions
 */

static int tx(db *d, int which, const char *what, reg_err **errp)
{
	if (!d->tx[which]) {
		int rc = sqlite3_prepare_v3(d->conn, tx_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
					    &d->tx[which], NULL);
		if (rc != SQLITE_OK)
			return sql_fail(d, rc, what, errp);
	}
	int rc = sqlite3_step(d->tx[which]);
	sqlite3_reset(d->tx[which]);
	if (rc != SQLITE_DONE)
		return sql_fail(d, rc, what, errp);
	return 0;
}

static int sq_begin(db *d, reg_err **errp) { return tx(d, TX_BEGIN, "cannot begin transaction", errp); }
static int sq_commit(db *d, reg_err **errp) { return tx(d, TX_COMMIT, "cannot commit", errp); }
static int sq_rollback(db *d, reg_err **errp) { return tx(d, TX_ROLLBACK, "cannot roll back", errp); }
static int sq_savepoint(db *d, reg_err **errp) { return tx(d, TX_SAVEPOINT, "cannot set savepoint", errp); }
static int sq_release(db *d, reg_err **errp) { return tx(d, TX_RELEASE, "cannot release savepoint", errp); }
static int sq_rollback_to(db *d, reg_err **errp)
{
	return tx(d, TX_ROLLBACK_TO, "cannot roll back to savepoint", errp);
}

static bool sq_in_transaction(const db *d)
{
	return !sqlite3_get_autocommit(d->conn);
}

/* ---------------------------------------------------------------------------------------------
 * Opening
 */

static int exec_sql(db *d, const char *sql, const char *what, reg_err **errp)
{
	int rc = sqlite3_exec(d->conn, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(d, rc, what, errp);
	return 0;
}

/* A deferred BEGIN: the first read takes the snapshot, which WAL keeps until the end. */
static int sq_snapshot(db *d, reg_err **errp)
{
	return exec_sql(d, "BEGIN", "cannot begin a read transaction", errp);
}

/* Nothing to do: AUTOINCREMENT remembers the largest id ever inserted, given or not, and an
 * INTEGER PRIMARY KEY goes on after the largest one present. */
static int sq_follow_ids(db *d, reg_err **errp)
{
	(void)d, (void)errp;
	return 0;
}

/* What the file says it is: regkit's mark, schema version, and how many schema objects. */
struct identity {
	int64_t application_id;
	int64_t version;
	int64_t objects;
};

/* One statement, so one snapshot: read separately, another process creating the registry at the
 * same moment could be seen half-way (its tables, but not yet its mark). */
static int read_identity(db *d, struct identity *id, reg_err **errp)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(d->conn,
				    "SELECT (SELECT application_id FROM pragma_application_id), "
				    "(SELECT user_version FROM pragma_user_version), "
				    "(SELECT count(*) FROM sqlite_schema)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id->application_id = sqlite3_column_int64(st, 0);
		id->version = sqlite3_column_int64(st, 1);
		id->objects = sqlite3_column_int64(st, 2);
	}
	int ret = 0;
	if (rc != SQLITE_ROW)
		ret = sql_fail(d, rc, "cannot read registry", errp);
	sqlite3_finalize(st);
	return ret;
}

/* Whether the file is a registry this code can use; *fresh when it is an empty database that
 * becomes one. */
static int check_identity(db *d, const struct identity *id, bool *fresh, reg_err **errp)
{
	*fresh = false;
	if (id->application_id == 0 && id->version == 0 && id->objects == 0) {
		if (d->readonly)
			return reg_err_set(errp, REG_ECONFIG, d->path, 0, NULL,
					   "not a registry: an empty database");
		*fresh = true;
		return 0;
	}
	if (id->application_id != APPLICATION_ID)
		return reg_err_set(errp, REG_ECONFIG, d->path, 0, NULL,
				   "not a registry: an SQLite database of another program "
				   "(application id %#llx)", (unsigned long long)id->application_id);
	if (id->version > REG_REGISTRY_SCHEMA_VERSION)
		return reg_err_set(errp, REG_ECONFIG, d->path, 0, NULL,
				   "registry schema version %lld is newer than this regkit knows "
				   "(%d): use a newer regkit", (long long)id->version,
				   REG_REGISTRY_SCHEMA_VERSION);
	if (id->version < REG_REGISTRY_SCHEMA_VERSION && d->readonly)
		return reg_err_set(errp, REG_ECONFIG, d->path, 0, NULL,
				   "registry schema version %lld is older than this regkit's (%d): "
				   "open it once with a writing tool to upgrade it",
				   (long long)id->version, REG_REGISTRY_SCHEMA_VERSION);
	return 0;
}

/* Bring the schema up to date in one transaction.  The version is read again under the write
 * lock: another process may have migrated (or created) the registry meanwhile. */
static int migrate(db *d, reg_err **errp)
{
	if (exec_sql(d, "BEGIN IMMEDIATE", "cannot lock registry to upgrade it", errp) < 0)
		return -1;
	struct identity id;
	bool fresh;
	if (read_identity(d, &id, errp) < 0 || check_identity(d, &id, &fresh, errp) < 0)
		goto fail;
	for (int64_t v = id.version; v < REG_REGISTRY_SCHEMA_VERSION; v++)
		if (exec_sql(d, migrations[v], "cannot upgrade registry schema", errp) < 0)
			goto fail;
	if (id.version < REG_REGISTRY_SCHEMA_VERSION) {
		/* Pragmas take no bound parameters; these numbers are the code's own constants. */
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
			 APPLICATION_ID, REG_REGISTRY_SCHEMA_VERSION);
		if (exec_sql(d, sql, "cannot upgrade registry schema", errp) < 0)
			goto fail;
	}
	if (exec_sql(d, "COMMIT", "cannot upgrade registry schema", errp) < 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(d->conn))
		sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Put the file in WAL mode (a property of the file, kept once set).  The switch needs an
 * exclusive lock, and SQLite does not call the busy handler for it (to avoid a deadlock, a
 * connection already reading does not wait): two processes creating a registry at the same
 * moment collide here.  So wait and retry ourselves, up to the busy timeout. */
static int set_wal(db *d, reg_err **errp)
{
	int waited = 0, pause_ms = 1;
	for (;;) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(d->conn, "PRAGMA journal_mode = WAL", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			int ret = 0;
			if (strcmp(mode ? mode : "", "wal") != 0)
				ret = reg_err_set(errp, REG_EIO, d->path, 0, NULL,
						  "cannot switch registry to WAL mode (it stays in "
						  "'%s')", mode ? mode : "");
			sqlite3_finalize(st);
			return ret;
		}
		if ((rc & 0xff) != SQLITE_BUSY || waited >= d->busy_ms) {
			sql_fail(d, rc, "cannot switch registry to WAL mode", errp);
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		struct timespec ts = { 0, (long)pause_ms * 1000000L };
		nanosleep(&ts, NULL);
		waited += pause_ms;
		if (pause_ms < 32)
			pause_ms *= 2;
	}
}

static int sq_schema_version(db *d, int *version, reg_err **errp)
{
	struct identity id = {0};
	if (read_identity(d, &id, errp) < 0)
		return -1;
	*version = (int)id.version;
	return 0;
}

static const char *sq_display_name(const db *d)
{
	return d->path;
}

static void sq_free(db *d)
{
	if (!d)
		return;
	if (d->conn && !sqlite3_get_autocommit(d->conn))
		sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < d->n_stmts; i++)
		sqlite3_finalize(d->stmts[i]);
	for (int i = 0; i < TX__COUNT; i++)
		sqlite3_finalize(d->tx[i]);
	free(d->stmts);
	sqlite3_close_v2(d->conn);
	free(d->path);
	free(d);
}

static const db_ops sqlite_ops = {
	.name = "sqlite",
	.run = sq_run,
	.next = sq_next,
	.text = sq_text,
	.integer = sq_integer,
	.blob = sq_blob,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_transaction = sq_in_transaction,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.snapshot = sq_snapshot,
	.follow_ids = sq_follow_ids,
	.schema_version = sq_schema_version,
	.display_name = sq_display_name,
	.free = sq_free,
};

db *db_sqlite_open(const char *path, db_open_mode mode, int busy_ms, const db_ops **ops,
		   reg_err **errp)
{
	bool readonly = mode == DB_OPEN_READONLY;
	*ops = &sqlite_ops;
	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (!exists && errno == ENOENT && mode == DB_OPEN_EXISTING) {
		/* A mistyped --db must not leave an empty registry behind and then refuse every
		 * dossier as unknown: only acceptance starts a registry. */
		reg_err_set(errp, REG_ENOINPUT, path, 0, NULL,
			    "registry does not exist (reg-apply creates it at the first acceptance)");
		return NULL;
	}
	if (!exists && (readonly || errno != ENOENT)) {
		reg_err_set(errp, readonly ? REG_ENOINPUT : REG_ECANTCREAT, path, 0, NULL,
			    errno == ENOENT ? "registry does not exist" : "cannot open registry: %s",
			    strerror(errno));
		return NULL;
	}
	if (exists && S_ISDIR(sb.st_mode)) {
		reg_err_set(errp, readonly ? REG_ENOINPUT : REG_ECANTCREAT, path, 0, NULL,
			    "registry is a directory");
		return NULL;
	}

	db *d = calloc(1, sizeof *d);
	if (!d || !(d->path = strdup(path))) {
		free(d);
		reg_err_set(errp, REG_EINTERNAL, path, 0, NULL, "out of memory");
		return NULL;
	}
	d->readonly = readonly;
	d->busy_ms = busy_ms;

	/* One thread at a time per handle, so SQLite's own per-connection mutex is not needed. */
	int flags = SQLITE_OPEN_NOMUTEX |
		    (readonly ? SQLITE_OPEN_READONLY
			      : SQLITE_OPEN_READWRITE |
					(mode == DB_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0));
	/* A new registry file is the authority's record: no one else reads it (0600; SQLite gives
	 * its -wal and -shm files the database file's mode).  An empty file is an empty database;
	 * another process creating it at the same moment is no problem (EEXIST). */
	if (!exists) {
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create registry: %s",
				    strerror(errno));
			goto fail;
		}
		if (fd >= 0)
			close(fd);
	}
	int rc = sqlite3_open_v2(path, &d->conn, flags, NULL);
	if (rc != SQLITE_OK) {
		int sys = d->conn ? sqlite3_system_errno(d->conn) : 0;
		reg_err_set(errp, readonly || exists ? REG_ENOINPUT : REG_ECANTCREAT, path, 0, NULL,
			    "cannot %s registry: %s", exists ? "open" : "create",
			    sys ? strerror(sys) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(d->conn, 1);
	sqlite3_busy_timeout(d->conn, busy_ms);
	/* A registry file is data, not code: no schema tricks, no unsafe functions in triggers. */
	sqlite3_db_config(d->conn, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(d->conn, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	if (!readonly && sqlite3_db_readonly(d->conn, "main") == 1) {
		reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL,
			    "cannot write registry: the file is read-only");
		goto fail;
	}

	struct identity id;
	bool fresh;
	if (read_identity(d, &id, errp) < 0 || check_identity(d, &id, &fresh, errp) < 0)
		goto fail;
	if (readonly) {
		if (exec_sql(d, "PRAGMA query_only = ON", "cannot open registry", errp) < 0)
			goto fail;
		return d;
	}
	/* FULL: a commit is on disk before the call returns, WAL or not.  reg-issue renames an
	 * archive into place only after its issuance commits; with NORMAL a power cut could keep
	 * the file and lose the record, and the USCC would be handed out again. */
	if (set_wal(d, errp) < 0 ||
	    exec_sql(d, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
		     "cannot open registry", errp) < 0)
		goto fail;
	if ((fresh || id.version < REG_REGISTRY_SCHEMA_VERSION) && migrate(d, errp) < 0)
		goto fail;
	return d;
fail:
	sq_free(d);
	return NULL;
}
