#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

/*
 * The schema, as an ordered list of migrations: migrations[i] takes a registry from version i to
 * version i + 1.  A future version appends to this list and bumps REG_REGISTRY_SCHEMA_VERSION;
 * never edit a migration that has shipped.
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
};

_Static_assert(sizeof migrations / sizeof migrations[0] == REG_REGISTRY_SCHEMA_VERSION,
	       "one migration per schema version");

/* Statements prepared once per handle and kept (sqlite3_prepare_v3 PERSISTENT). */
enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_BUMP_SERIAL,
	ST_READ_SERIAL,
	ST_ADD_DOSSIER,
	ST_GET_DOSSIER,
	ST_SET_STATE,
	ST_NAME_TAKEN,
	ST_RESERVE_NAME,
	ST_RELEASE_NAME,
	ST_ADD_COMMITMENT,
	ST_FULFIL,
	ST_ADD_APPROVAL,
	ST_ADD_ISSUANCE,
	ST_GET_ISSUANCE,
	ST_GET_ISSUANCE_USCC,
	ST_SET_ARCHIVE,
	ST_ADD_SEAL,
	ST_GET_SEAL,
	ST_ADD_SLIP,
	ST_ADD_EVENT,
	ST__COUNT
};

#define DOSSIER_COLS "number, name, authority, state, accepted_at, body_digest, body, window_id, clerk"
#define COMMITMENT_COLS "number, material, due, due_at, coalesce(fulfilled_at, 0)"
#define APPROVAL_COLS "id, number, item, dept, verdict, at, reviewer, body_digest"
#define ISSUANCE_COLS "number, uscc, issued_at, archive_path, archive_sha256"
#define SEAL_COLS "code, uscc, type, filed_at"
#define SLIP_COLS "number, item, step, issued_at"
#define EVENT_COLS "id, at, kind, number, detail"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT one_dossier",
	[ST_RELEASE] = "RELEASE one_dossier",
	[ST_ROLLBACK_TO] = "ROLLBACK TO one_dossier",
	/* An upsert: the first use of a counter yields 1, every later one the next value.  (Not
	 * RETURNING: SQLite builds a temporary table for every such statement, which made a
	 * dossier's transaction several times slower.) */
	[ST_BUMP_SERIAL] = "INSERT INTO serials (name, value) VALUES (?1, 1) "
			   "ON CONFLICT (name) DO UPDATE SET value = value + 1",
	[ST_READ_SERIAL] = "SELECT value FROM serials WHERE name = ?1",
	[ST_ADD_DOSSIER] = "INSERT INTO dossiers (" DOSSIER_COLS ") "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_GET_DOSSIER] = "SELECT " DOSSIER_COLS " FROM dossiers WHERE number = ?1",
	[ST_SET_STATE] = "UPDATE dossiers SET state = ?2 WHERE number = ?1",
	[ST_NAME_TAKEN] = "SELECT 1 FROM names WHERE authority = ?1 AND name = ?2",
	[ST_RESERVE_NAME] = "INSERT INTO names (authority, name, number, reserved_at) "
			    "VALUES (?1, ?2, ?3, ?4)",
	[ST_RELEASE_NAME] = "DELETE FROM names WHERE authority = ?1 AND name = ?2",
	[ST_ADD_COMMITMENT] = "INSERT INTO commitments (number, material, due, due_at) "
			      "VALUES (?1, ?2, ?3, ?4)",
	[ST_FULFIL] = "UPDATE commitments SET fulfilled_at = coalesce(fulfilled_at, ?3) "
		      "WHERE number = ?1 AND material = ?2",
	[ST_ADD_APPROVAL] = "INSERT INTO approvals "
			    "(number, item, dept, verdict, at, reviewer, body_digest) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
	[ST_ADD_ISSUANCE] = "INSERT INTO issuances (" ISSUANCE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_GET_ISSUANCE] = "SELECT " ISSUANCE_COLS " FROM issuances WHERE number = ?1",
	[ST_GET_ISSUANCE_USCC] = "SELECT " ISSUANCE_COLS " FROM issuances WHERE uscc = ?1",
	[ST_SET_ARCHIVE] = "UPDATE issuances SET archive_path = ?2, archive_sha256 = ?3 "
			   "WHERE number = ?1",
	[ST_ADD_SEAL] = "INSERT INTO seals (" SEAL_COLS ") VALUES (?1, ?2, ?3, ?4)",
	[ST_GET_SEAL] = "SELECT " SEAL_COLS " FROM seals WHERE code = ?1",
	[ST_ADD_SLIP] = "INSERT INTO slips (" SLIP_COLS ") VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT DO NOTHING",
	[ST_ADD_EVENT] = "INSERT INTO events (at, kind, number, detail) VALUES (?1, ?2, ?3, ?4)",
};

struct reg_registry {
	sqlite3 *db;
	char *path;
	bool readonly;
	int busy_ms;                    /* the busy timeout */
	bool in_savepoint;              /* one dossier's savepoint is open inside the transaction */
	sqlite3_stmt *stmt[ST__COUNT];
};

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

static reg_code code_of(const reg_registry *reg, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return REG_EBUSY;
	case SQLITE_NOTADB:
		return REG_ECONFIG;
	case SQLITE_READONLY:
		/* Writing through a read-only handle is the caller's bug; a read-only file is not. */
		return reg->readonly ? REG_EINTERNAL : REG_ECANTCREAT;
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

/* Report a failed SQLite call as "WHAT 'SUBJECT': sqlite's message" (subject may be NULL),
 * located at the registry file.  Call before resetting the statement: the message is SQLite's
 * most recent one. */
static int db_fail(reg_registry *reg, int rc, const char *what, const char *subject,
		   reg_err **errp)
{
	reg_code code = code_of(reg, rc);
	if (code == REG_EBUSY)
		return reg_err_set(errp, code, reg->path, 0, NULL, "registry busy, try again");
	if (code == REG_ECONFIG)
		return reg_err_set(errp, code, reg->path, 0, NULL,
				   "not a registry: not an SQLite database");
	const char *msg = reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc);
	if (subject)
		return reg_err_set(errp, code, reg->path, 0, NULL, "%s '%s': %s", what, subject, msg);
	return reg_err_set(errp, code, reg->path, 0, NULL, "%s: %s", what, msg);
}

static int no(reg_err **errp, const char *fmt, ...) REG_PRINTF(2, 3);
/* The ledger's "no": not located at the registry, so the caller can place it in its input. */
static int no(reg_err **errp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(errp, REG_ENO, NULL, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

static int not_held(const char *number, reg_err **errp)
{
	return no(errp, "dossier '%s' is not in the registry", number ? number : "");
}

static int bug(reg_registry *reg, reg_err **errp, const char *fmt, ...) REG_PRINTF(3, 4);
static int bug(reg_registry *reg, reg_err **errp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(errp, REG_EINTERNAL, reg ? reg->path : NULL, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(reg_registry *reg, reg_err **errp)
{
	return bug(reg, errp, "out of memory");
}

/* ---------------------------------------------------------------------------------------------
 * Statements
 */

/* Bind parameters 1, 2, … from a type string: 't' a const char * (NULL binds NULL), 'i' an
 * int64_t.  Strings are bound SQLITE_STATIC: every statement is reset and its bindings cleared
 * before the caller's strings can go away. */
static int vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		if (types[i] == 't') {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(st, i + 1);
		} else {
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
	return rc;
}

static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Prepare (once per handle), bind and step a cached statement.  Returns the step's result
 * (SQLITE_ROW, SQLITE_DONE or an error code); *stp is the statement to read and then done(). */
static int run(reg_registry *reg, enum stmt_id id, sqlite3_stmt **stp, const char *types, ...)
{
	int rc = SQLITE_OK;
	*stp = NULL;
	if (!reg->stmt[id]) {
		rc = sqlite3_prepare_v3(reg->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&reg->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	sqlite3_stmt *st = reg->stmt[id];
	*stp = st;
	va_list ap;
	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	if (rc != SQLITE_OK)
		return rc;
	return sqlite3_step(st);
}

/* End a statement: report `rc` when it is a failure, reset the statement either way. */
static int finish(reg_registry *reg, sqlite3_stmt *st, int rc, const char *what,
		  const char *subject, reg_err **errp)
{
	int ret = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_OK)
		ret = db_fail(reg, rc, what, subject, errp);
	done(st);
	return ret;
}

/* Run a whole statement of our own SQL text (pragmas, migrations): no values in it. */
static int exec_sql(reg_registry *reg, const char *sql, const char *what, reg_err **errp)
{
	int rc = sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(reg, rc, what, NULL, errp);
	return 0;
}

/* Read the one integer a pragma or query of our own SQL text returns. */
static int query_int(reg_registry *reg, const char *sql, int64_t *out, reg_err **errp)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	int ret = 0;
	if (rc != SQLITE_OK)
		ret = db_fail(reg, rc, "cannot read registry", NULL, errp);
	sqlite3_finalize(st);
	return ret;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Copy a string out of a row; false only when memory ran out. */
static bool dup_str(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return true;
	char *s = strdup(src);
	*dst = s;
	return s != NULL;
}

static void free_str(const char **s)
{
	free((void *)*s);
	*s = NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Iteration: a statement prepared for this iteration alone (so a callback may use the handle,
 * even to iterate again), one callback per row, strings valid during the call.
 */

struct visit {
	union {
		reg_registry_dossier_fn dossier;
		reg_registry_commitment_fn commitment;
		reg_registry_approval_fn approval;
		reg_registry_seal_fn seal;
		reg_registry_slip_fn slip;
		reg_registry_event_fn event;
	} fn;
	void *ctx;
};

typedef int (*visit_fn)(sqlite3_stmt *st, const struct visit *v);

static int iterate(reg_registry *reg, const char *sql, visit_fn visit, const struct visit *v,
		   reg_err **errp, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		va_list ap;
		va_start(ap, types);
		rc = vbind(st, types, ap);
		va_end(ap);
	}
	int ret = 0;
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		ret = visit(st, v);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(reg, rc, "cannot read registry", NULL, errp);
	sqlite3_finalize(st);
	return ret;
}

/* ---------------------------------------------------------------------------------------------
 * Opening
 */

static int busy_timeout(int *ms, reg_err **errp)
{
	const char *s = getenv("REG_BUSY_TIMEOUT_MS");
	*ms = REG_REGISTRY_BUSY_TIMEOUT_MS;
	if (!s || !*s)
		return 0;
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || errno || v > INT_MAX)
		return reg_err_set(errp, REG_ECONFIG, NULL, 0, "REG_BUSY_TIMEOUT_MS",
				   "'%s' is not a number of milliseconds", s);
	*ms = (int)v;
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
static int read_identity(reg_registry *reg, struct identity *id, reg_err **errp)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(reg->db,
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
		ret = db_fail(reg, rc, "cannot read registry", NULL, errp);
	sqlite3_finalize(st);
	return ret;
}

/* Whether the file is a registry this code can use; *fresh when it is an empty database that
 * becomes one. */
static int check_identity(reg_registry *reg, const struct identity *id, bool *fresh,
			  reg_err **errp)
{
	*fresh = false;
	if (id->application_id == 0 && id->version == 0 && id->objects == 0) {
		if (reg->readonly)
			return reg_err_set(errp, REG_ECONFIG, reg->path, 0, NULL,
					   "not a registry: an empty database");
		*fresh = true;
		return 0;
	}
	if (id->application_id != REG_REGISTRY_APPLICATION_ID)
		return reg_err_set(errp, REG_ECONFIG, reg->path, 0, NULL,
				   "not a registry: an SQLite database of another program "
				   "(application id %#llx)", (unsigned long long)id->application_id);
	if (id->version > REG_REGISTRY_SCHEMA_VERSION)
		return reg_err_set(errp, REG_ECONFIG, reg->path, 0, NULL,
				   "registry schema version %lld is newer than this regkit knows "
				   "(%d): use a newer regkit", (long long)id->version,
				   REG_REGISTRY_SCHEMA_VERSION);
	if (id->version < REG_REGISTRY_SCHEMA_VERSION && reg->readonly)
		return reg_err_set(errp, REG_ECONFIG, reg->path, 0, NULL,
				   "registry schema version %lld is older than this regkit's (%d): "
				   "open it once with a writing tool to upgrade it",
				   (long long)id->version, REG_REGISTRY_SCHEMA_VERSION);
	return 0;
}

/* Bring the schema up to date in one transaction.  The version is read again under the write
 * lock: another process may have migrated (or created) the registry meanwhile. */
static int migrate(reg_registry *reg, reg_err **errp)
{
	if (exec_sql(reg, "BEGIN IMMEDIATE", "cannot lock registry to upgrade it", errp) < 0)
		return -1;
	struct identity id;
	bool fresh;
	if (read_identity(reg, &id, errp) < 0 || check_identity(reg, &id, &fresh, errp) < 0)
		goto fail;
	for (int64_t v = id.version; v < REG_REGISTRY_SCHEMA_VERSION; v++)
		if (exec_sql(reg, migrations[v], "cannot upgrade registry schema", errp) < 0)
			goto fail;
	if (id.version < REG_REGISTRY_SCHEMA_VERSION) {
		/* Pragmas take no bound parameters; these numbers are the code's own constants. */
		char sql[96];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
			 REG_REGISTRY_APPLICATION_ID, REG_REGISTRY_SCHEMA_VERSION);
		if (exec_sql(reg, sql, "cannot upgrade registry schema", errp) < 0)
			goto fail;
	}
	if (exec_sql(reg, "COMMIT", "cannot upgrade registry schema", errp) < 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Put the file in WAL mode (a property of the file, kept once set).  The switch needs an
 * exclusive lock, and SQLite does not call the busy handler for it (to avoid a deadlock, a
 * connection already reading does not wait): two processes creating a registry at the same
 * moment collide here.  So wait and retry ourselves, up to the busy timeout. */
static int set_wal(reg_registry *reg, reg_err **errp)
{
	int waited = 0, pause_ms = 1;
	for (;;) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(reg->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *mode = col_text(st, 0) ? col_text(st, 0) : "";
			int ret = 0;
			if (strcmp(mode, "wal") != 0)
				ret = reg_err_set(errp, REG_EIO, reg->path, 0, NULL,
						  "cannot switch registry to WAL mode (it stays in "
						  "'%s')", mode);
			sqlite3_finalize(st);
			return ret;
		}
		if ((rc & 0xff) != SQLITE_BUSY || waited >= reg->busy_ms) {
			db_fail(reg, rc, "cannot switch registry to WAL mode", NULL, errp);
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

typedef enum open_mode { OPEN_CREATE, OPEN_EXISTING, OPEN_READONLY } open_mode;

static reg_registry *open_common(const char *path, open_mode mode, reg_err **errp)
{
	bool readonly = mode == OPEN_READONLY;
	int timeout;
	if (!path || !*path) {
		reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "empty registry path");
		return NULL;
	}
	if (busy_timeout(&timeout, errp) < 0)
		return NULL;

	struct stat sb;
	bool exists = stat(path, &sb) == 0;
	if (!exists && errno == ENOENT && mode == OPEN_EXISTING) {
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

	reg_registry *reg = calloc(1, sizeof *reg);
	if (!reg || !(reg->path = strdup(path))) {
		free(reg);
		reg_err_set(errp, REG_EINTERNAL, path, 0, NULL, "out of memory");
		return NULL;
	}
	reg->readonly = readonly;
	reg->busy_ms = timeout;

	/* One thread at a time per handle, so SQLite's own per-connection mutex is not needed. */
	int flags = SQLITE_OPEN_NOMUTEX |
		    (readonly ? SQLITE_OPEN_READONLY
			      : SQLITE_OPEN_READWRITE | (mode == OPEN_CREATE ? SQLITE_OPEN_CREATE : 0));
	int rc = sqlite3_open_v2(path, &reg->db, flags, NULL);
	if (rc != SQLITE_OK) {
		int sys = reg->db ? sqlite3_system_errno(reg->db) : 0;
		reg_err_set(errp, readonly || exists ? REG_ENOINPUT : REG_ECANTCREAT, path, 0, NULL,
			    "cannot %s registry: %s", exists ? "open" : "create",
			    sys ? strerror(sys) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(reg->db, 1);
	sqlite3_busy_timeout(reg->db, timeout);
	/* A registry file is data, not code: no schema tricks, no unsafe functions in triggers. */
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	if (!readonly && sqlite3_db_readonly(reg->db, "main") == 1) {
		reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL,
			    "cannot write registry: the file is read-only");
		goto fail;
	}

	struct identity id;
	bool fresh;
	if (read_identity(reg, &id, errp) < 0 || check_identity(reg, &id, &fresh, errp) < 0)
		goto fail;
	if (readonly) {
		if (exec_sql(reg, "PRAGMA query_only = ON", "cannot open registry", errp) < 0)
			goto fail;
		return reg;
	}
	if (set_wal(reg, errp) < 0 ||
	    exec_sql(reg, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
		     "cannot open registry", errp) < 0)
		goto fail;
	if ((fresh || id.version < REG_REGISTRY_SCHEMA_VERSION) && migrate(reg, errp) < 0)
		goto fail;
	return reg;
fail:
	reg_registry_free(reg);
	return NULL;
}

reg_registry *reg_registry_open(const char *path, reg_err **errp)
{
	return open_common(path, OPEN_CREATE, errp);
}

reg_registry *reg_registry_open_existing(const char *path, reg_err **errp)
{
	return open_common(path, OPEN_EXISTING, errp);
}

reg_registry *reg_registry_open_readonly(const char *path, reg_err **errp)
{
	return open_common(path, OPEN_READONLY, errp);
}

void reg_registry_free(reg_registry *reg)
{
	if (!reg)
		return;
	if (reg->db && !sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(reg->stmt[i]);
	sqlite3_close_v2(reg->db);
	free(reg->path);
	free(reg);
}

const char *reg_registry_path(const reg_registry *reg)
{
	return reg->path;
}

bool reg_registry_readonly(const reg_registry *reg)
{
	return reg->readonly;
}

int reg_registry_schema_version(reg_registry *reg, int *version, reg_err **errp)
{
	int64_t v;
	if (query_int(reg, "PRAGMA user_version", &v, errp) < 0)
		return -1;
	*version = (int)v;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Transactions
 */

bool reg_registry_in_transaction(const reg_registry *reg)
{
	return !sqlite3_get_autocommit(reg->db);
}

int reg_registry_begin(reg_registry *reg, reg_err **errp)
{
	if (reg->readonly)
		return bug(reg, errp, "registry is open read-only");
	if (reg_registry_in_transaction(reg))
		return bug(reg, errp, "a registry transaction is already open");
	sqlite3_stmt *st;
	int rc = run(reg, ST_BEGIN, &st, "");
	return finish(reg, st, rc, "cannot begin transaction", NULL, errp);
}

int reg_registry_commit(reg_registry *reg, reg_err **errp)
{
	if (!reg_registry_in_transaction(reg))
		return bug(reg, errp, "no registry transaction to commit");
	if (reg->in_savepoint)
		return bug(reg, errp, "commit with a savepoint still open");
	sqlite3_stmt *st;
	int rc = run(reg, ST_COMMIT, &st, "");
	if (finish(reg, st, rc, "cannot commit", NULL, errp) < 0) {
		reg_registry_rollback(reg, NULL);
		return -1;
	}
	return 0;
}

int reg_registry_rollback(reg_registry *reg, reg_err **errp)
{
	if (!reg || !reg_registry_in_transaction(reg))
		return 0;
	reg->in_savepoint = false;
	sqlite3_stmt *st;
	int rc = run(reg, ST_ROLLBACK, &st, "");
	return finish(reg, st, rc, "cannot roll back", NULL, errp);
}

int reg_registry_savepoint(reg_registry *reg, reg_err **errp)
{
	if (!reg_registry_in_transaction(reg))
		return bug(reg, errp, "a savepoint needs an open transaction");
	if (reg->in_savepoint)
		return bug(reg, errp, "a savepoint is already open");
	sqlite3_stmt *st;
	int rc = run(reg, ST_SAVEPOINT, &st, "");
	if (finish(reg, st, rc, "cannot set savepoint", NULL, errp) < 0)
		return -1;
	reg->in_savepoint = true;
	return 0;
}

int reg_registry_savepoint_release(reg_registry *reg, reg_err **errp)
{
	if (!reg->in_savepoint)
		return bug(reg, errp, "no savepoint to release");
	reg->in_savepoint = false;
	sqlite3_stmt *st;
	int rc = run(reg, ST_RELEASE, &st, "");
	return finish(reg, st, rc, "cannot release savepoint", NULL, errp);
}

int reg_registry_savepoint_rollback(reg_registry *reg, reg_err **errp)
{
	if (!reg || !reg->in_savepoint)
		return 0;
	reg->in_savepoint = false;
	/* ROLLBACK TO keeps the savepoint on SQLite's stack: RELEASE takes it off, leaving the
	 * enclosing transaction open and as it was before the savepoint. */
	sqlite3_stmt *st;
	int rc = run(reg, ST_ROLLBACK_TO, &st, "");
	if (finish(reg, st, rc, "cannot roll back to savepoint", NULL, errp) < 0)
		return -1;
	rc = run(reg, ST_RELEASE, &st, "");
	return finish(reg, st, rc, "cannot release savepoint", NULL, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Serials
 */

int reg_registry_next_serial(reg_registry *reg, const char *counter, uint64_t *value,
			     reg_err **errp)
{
	if (!counter || !*counter)
		return bug(reg, errp, "serial counter without a name");
	if (!reg_registry_in_transaction(reg))
		return bug(reg, errp, "serial '%s' taken outside a transaction", counter);
	sqlite3_stmt *st;
	int rc = run(reg, ST_BUMP_SERIAL, &st, "t", counter);
	if (finish(reg, st, rc, "cannot take serial", counter, errp) < 0)
		return -1;
	rc = run(reg, ST_READ_SERIAL, &st, "t", counter);
	if (rc == SQLITE_ROW)
		*value = (uint64_t)sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		rc = SQLITE_INTERNAL; /* the row written a moment ago is gone: cannot happen */
	return finish(reg, st, rc, "cannot take serial", counter, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Dossiers
 */

static bool state_known(const char *s)
{
	static const char *const states[] = {
		REG_REGISTRY_STATE_ACCEPTED, REG_REGISTRY_STATE_APPROVED, REG_REGISTRY_STATE_REJECTED,
		REG_REGISTRY_STATE_PENDING, REG_REGISTRY_STATE_ISSUED,
	};
	for (size_t i = 0; s && i < sizeof states / sizeof states[0]; i++)
		if (strcmp(s, states[i]) == 0)
			return true;
	return false;
}

int reg_registry_add_dossier(reg_registry *reg, const reg_registry_dossier *d, reg_err **errp)
{
	if (!state_known(d->state))
		return bug(reg, errp, "unknown dossier state '%s'", d->state ? d->state : "");
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_DOSSIER, &st, "ttttitttt", d->number, d->name, d->authority,
		     d->state, d->accepted_at, d->body_digest, d->body, d->window, d->clerk);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return no(errp, "acceptance number '%s' is already registered", d->number);
	}
	return finish(reg, st, rc, "cannot record dossier", d->number, errp);
}

static void row_dossier(sqlite3_stmt *st, reg_registry_dossier *d)
{
	d->number = col_text(st, 0);
	d->name = col_text(st, 1);
	d->authority = col_text(st, 2);
	d->state = col_text(st, 3);
	d->accepted_at = sqlite3_column_int64(st, 4);
	d->body_digest = col_text(st, 5);
	d->body = col_text(st, 6);
	d->window = col_text(st, 7);
	d->clerk = col_text(st, 8);
}

void reg_registry_dossier_clear(reg_registry_dossier *d)
{
	if (!d)
		return;
	free_str(&d->number);
	free_str(&d->name);
	free_str(&d->authority);
	free_str(&d->state);
	free_str(&d->body_digest);
	free_str(&d->body);
	free_str(&d->window);
	free_str(&d->clerk);
	memset(d, 0, sizeof *d);
}

int reg_registry_get_dossier(reg_registry *reg, const char *number, reg_registry_dossier *out,
			     bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	sqlite3_stmt *st;
	int rc = run(reg, ST_GET_DOSSIER, &st, "t", number);
	if (rc == SQLITE_ROW) {
		reg_registry_dossier row;
		row_dossier(st, &row);
		out->accepted_at = row.accepted_at;
		if (!dup_str(&out->number, row.number) || !dup_str(&out->name, row.name) ||
		    !dup_str(&out->authority, row.authority) || !dup_str(&out->state, row.state) ||
		    !dup_str(&out->body_digest, row.body_digest) || !dup_str(&out->body, row.body) ||
		    !dup_str(&out->window, row.window) || !dup_str(&out->clerk, row.clerk)) {
			done(st);
			reg_registry_dossier_clear(out);
			return oom(reg, errp);
		}
		*found = true;
	}
	return finish(reg, st, rc, "cannot read dossier", number, errp);
}

int reg_registry_set_dossier_state(reg_registry *reg, const char *number, const char *state,
				   reg_err **errp)
{
	if (!state_known(state))
		return bug(reg, errp, "unknown dossier state '%s'", state ? state : "");
	sqlite3_stmt *st;
	int rc = run(reg, ST_SET_STATE, &st, "tt", number, state);
	if (finish(reg, st, rc, "cannot update dossier", number, errp) < 0)
		return -1;
	if (sqlite3_changes(reg->db) == 0)
		return no(errp, "dossier '%s' is not in the registry", number);
	return 0;
}

static int visit_dossier(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_dossier d;
	row_dossier(st, &d);
	return v->fn.dossier(&d, v->ctx);
}

int reg_registry_each_dossier(reg_registry *reg, const char *state, reg_registry_dossier_fn fn,
			      void *ctx, reg_err **errp)
{
	struct visit v = { .fn.dossier = fn, .ctx = ctx };
	if (state)
		return iterate(reg, "SELECT " DOSSIER_COLS " FROM dossiers WHERE state = ?1 "
			       "ORDER BY number", visit_dossier, &v, errp, "t", state);
	return iterate(reg, "SELECT " DOSSIER_COLS " FROM dossiers ORDER BY number",
		       visit_dossier, &v, errp, "");
}

/* ---------------------------------------------------------------------------------------------
 * Names
 */

int reg_registry_name_taken(reg_registry *reg, const char *authority, const char *name,
			    bool *taken, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_NAME_TAKEN, &st, "tt", authority, name);
	*taken = rc == SQLITE_ROW;
	return finish(reg, st, rc, "cannot look up name", name, errp);
}

int reg_registry_reserve_name(reg_registry *reg, const char *authority, const char *name,
			      const char *number, int64_t at, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_RESERVE_NAME, &st, "ttti", authority, name, number, at);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return no(errp, "name '%s' is already registered", name);
	}
	return finish(reg, st, rc, "cannot reserve name", name, errp);
}

int reg_registry_release_name(reg_registry *reg, const char *authority, const char *name,
			      reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_RELEASE_NAME, &st, "tt", authority, name);
	return finish(reg, st, rc, "cannot release name", name, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Commitments
 */

int reg_registry_add_commitment(reg_registry *reg, const reg_registry_commitment *c,
				reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_COMMITMENT, &st, "ttti", c->number, c->material, c->due,
		     c->due_at);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return no(errp, "commitment for '%s' of dossier '%s' is already recorded",
			  c->material, c->number);
	}
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(st);
		return not_held(c->number, errp);
	}
	return finish(reg, st, rc, "cannot record commitment", c->material, errp);
}

int reg_registry_fulfil_commitment(reg_registry *reg, const char *number, const char *material,
				   int64_t at, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_FULFIL, &st, "tti", number, material, at);
	if (finish(reg, st, rc, "cannot update commitment", material, errp) < 0)
		return -1;
	if (sqlite3_changes(reg->db) == 0)
		return no(errp, "dossier '%s' has no commitment for '%s'", number, material);
	return 0;
}

static int visit_commitment(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_commitment c = {
		.number = col_text(st, 0),
		.material = col_text(st, 1),
		.due = col_text(st, 2),
		.due_at = sqlite3_column_int64(st, 3),
		.fulfilled_at = sqlite3_column_int64(st, 4),
	};
	return v->fn.commitment(&c, v->ctx);
}

int reg_registry_each_commitment(reg_registry *reg, bool owed, int64_t due_by,
				 reg_registry_commitment_fn fn, void *ctx, reg_err **errp)
{
	struct visit v = { .fn.commitment = fn, .ctx = ctx };
	return iterate(reg, "SELECT " COMMITMENT_COLS " FROM commitments "
		       "WHERE due_at <= ?1 AND (?2 = 0 OR fulfilled_at IS NULL) "
		       "ORDER BY due_at, number, material",
		       visit_commitment, &v, errp, "ii", due_by, (int64_t)owed);
}

/* ---------------------------------------------------------------------------------------------
 * Approvals
 */

static bool verdict_known(const char *s)
{
	static const char *const verdicts[] = {
		REG_REGISTRY_VERDICT_APPROVED, REG_REGISTRY_VERDICT_REJECTED, REG_REGISTRY_VERDICT_SUPPLEMENT,
		REG_REGISTRY_VERDICT_NOT_APPLICABLE,
	};
	for (size_t i = 0; s && i < sizeof verdicts / sizeof verdicts[0]; i++)
		if (strcmp(s, verdicts[i]) == 0)
			return true;
	return false;
}

int reg_registry_add_approval(reg_registry *reg, const reg_registry_approval *a, reg_err **errp)
{
	if (!verdict_known(a->verdict))
		return bug(reg, errp, "unknown verdict '%s'", a->verdict ? a->verdict : "");
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_APPROVAL, &st, "ttttitt", a->number, a->item, a->dept, a->verdict,
		     a->at, a->reviewer, a->body_digest);
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(st);
		return not_held(a->number, errp);
	}
	return finish(reg, st, rc, "cannot record approval of", a->item, errp);
}

static int visit_approval(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_approval a = {
		.id = sqlite3_column_int64(st, 0),
		.number = col_text(st, 1),
		.item = col_text(st, 2),
		.dept = col_text(st, 3),
		.verdict = col_text(st, 4),
		.at = sqlite3_column_int64(st, 5),
		.reviewer = col_text(st, 6),
		.body_digest = col_text(st, 7),
	};
	return v->fn.approval(&a, v->ctx);
}

int reg_registry_each_approval(reg_registry *reg, const char *number,
			       reg_registry_approval_fn fn, void *ctx, reg_err **errp)
{
	struct visit v = { .fn.approval = fn, .ctx = ctx };
	return iterate(reg, "SELECT " APPROVAL_COLS " FROM approvals WHERE number = ?1 ORDER BY id",
		       visit_approval, &v, errp, "t", number);
}

int reg_registry_each_latest_verdict(reg_registry *reg, const char *number,
				     reg_registry_approval_fn fn, void *ctx, reg_err **errp)
{
	struct visit v = { .fn.approval = fn, .ctx = ctx };
	/* A verdict is in force when no verdict on the same item is later, or as late and
	 * recorded after it. */
	return iterate(reg, "SELECT " APPROVAL_COLS " FROM approvals AS a WHERE number = ?1 "
		       "AND NOT EXISTS (SELECT 1 FROM approvals AS b "
		       "WHERE b.number = a.number AND b.item = a.item "
		       "AND (b.at > a.at OR (b.at = a.at AND b.id > a.id))) "
		       "ORDER BY item",
		       visit_approval, &v, errp, "t", number);
}

/* ---------------------------------------------------------------------------------------------
 * Issuances
 */

int reg_registry_add_issuance(reg_registry *reg, const reg_registry_issuance *is, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_ISSUANCE, &st, "ttitt", is->number, is->uscc, is->issued_at,
		     is->archive_path, is->archive_sha256);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return no(errp, "dossier '%s' is already issued", is->number);
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		done(st);
		return no(errp, "USCC '%s' is already issued", is->uscc);
	}
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(st);
		return not_held(is->number, errp);
	}
	return finish(reg, st, rc, "cannot record issuance of", is->number, errp);
}

void reg_registry_issuance_clear(reg_registry_issuance *is)
{
	if (!is)
		return;
	free_str(&is->number);
	free_str(&is->uscc);
	free_str(&is->archive_path);
	free_str(&is->archive_sha256);
	memset(is, 0, sizeof *is);
}

static int get_issuance(reg_registry *reg, enum stmt_id id, const char *key,
			reg_registry_issuance *out, bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	sqlite3_stmt *st;
	int rc = run(reg, id, &st, "t", key);
	if (rc == SQLITE_ROW) {
		out->issued_at = sqlite3_column_int64(st, 2);
		if (!dup_str(&out->number, col_text(st, 0)) || !dup_str(&out->uscc, col_text(st, 1)) ||
		    !dup_str(&out->archive_path, col_text(st, 3)) ||
		    !dup_str(&out->archive_sha256, col_text(st, 4))) {
			done(st);
			reg_registry_issuance_clear(out);
			return oom(reg, errp);
		}
		*found = true;
	}
	return finish(reg, st, rc, "cannot read issuance", key, errp);
}

int reg_registry_get_issuance(reg_registry *reg, const char *number, reg_registry_issuance *out,
			      bool *found, reg_err **errp)
{
	return get_issuance(reg, ST_GET_ISSUANCE, number, out, found, errp);
}

int reg_registry_get_issuance_by_uscc(reg_registry *reg, const char *uscc,
				      reg_registry_issuance *out, bool *found, reg_err **errp)
{
	return get_issuance(reg, ST_GET_ISSUANCE_USCC, uscc, out, found, errp);
}

int reg_registry_set_archive(reg_registry *reg, const char *number, const char *archive_path,
			     const char *archive_sha256, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_SET_ARCHIVE, &st, "ttt", number, archive_path, archive_sha256);
	if (finish(reg, st, rc, "cannot update issuance of", number, errp) < 0)
		return -1;
	if (sqlite3_changes(reg->db) == 0)
		return no(errp, "dossier '%s' has not been issued", number);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Seals
 */

int reg_registry_add_seal(reg_registry *reg, const reg_registry_seal *s, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_SEAL, &st, "ttti", s->code, s->uscc, s->type, s->filed_at);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		done(st);
		return no(errp, "seal code '%s' is already filed", s->code);
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		done(st);
		return no(errp, "a seal of type '%s' is already filed for '%s'", s->type, s->uscc);
	}
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(st);
		return no(errp, "USCC '%s' has not been issued", s->uscc ? s->uscc : "");
	}
	return finish(reg, st, rc, "cannot file seal", s->code, errp);
}

static void row_seal(sqlite3_stmt *st, reg_registry_seal *s)
{
	s->code = col_text(st, 0);
	s->uscc = col_text(st, 1);
	s->type = col_text(st, 2);
	s->filed_at = sqlite3_column_int64(st, 3);
}

void reg_registry_seal_clear(reg_registry_seal *s)
{
	if (!s)
		return;
	free_str(&s->code);
	free_str(&s->uscc);
	free_str(&s->type);
	memset(s, 0, sizeof *s);
}

int reg_registry_get_seal(reg_registry *reg, const char *code, reg_registry_seal *out,
			  bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	sqlite3_stmt *st;
	int rc = run(reg, ST_GET_SEAL, &st, "t", code);
	if (rc == SQLITE_ROW) {
		reg_registry_seal row;
		row_seal(st, &row);
		out->filed_at = row.filed_at;
		if (!dup_str(&out->code, row.code) || !dup_str(&out->uscc, row.uscc) ||
		    !dup_str(&out->type, row.type)) {
			done(st);
			reg_registry_seal_clear(out);
			return oom(reg, errp);
		}
		*found = true;
	}
	return finish(reg, st, rc, "cannot read seal", code, errp);
}

static int visit_seal(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_seal s;
	row_seal(st, &s);
	return v->fn.seal(&s, v->ctx);
}

int reg_registry_each_seal(reg_registry *reg, const char *uscc, reg_registry_seal_fn fn,
			   void *ctx, reg_err **errp)
{
	struct visit v = { .fn.seal = fn, .ctx = ctx };
	return iterate(reg, "SELECT " SEAL_COLS " FROM seals WHERE uscc = ?1 ORDER BY type, code",
		       visit_seal, &v, errp, "t", uscc);
}

/* ---------------------------------------------------------------------------------------------
 * Escalation slips
 */

int reg_registry_add_slip(reg_registry *reg, const reg_registry_slip *s, bool *already,
			  reg_err **errp)
{
	sqlite3_stmt *st;
	*already = false;
	int rc = run(reg, ST_ADD_SLIP, &st, "ttti", s->number, s->item, s->step, s->issued_at);
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
		done(st);
		return not_held(s->number, errp);
	}
	if (finish(reg, st, rc, "cannot record slip for", s->item, errp) < 0)
		return -1;
	*already = sqlite3_changes(reg->db) == 0;
	return 0;
}

static int visit_slip(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_slip s = {
		.number = col_text(st, 0),
		.item = col_text(st, 1),
		.step = col_text(st, 2),
		.issued_at = sqlite3_column_int64(st, 3),
	};
	return v->fn.slip(&s, v->ctx);
}

int reg_registry_each_slip(reg_registry *reg, const char *number, reg_registry_slip_fn fn,
			   void *ctx, reg_err **errp)
{
	struct visit v = { .fn.slip = fn, .ctx = ctx };
	if (number)
		return iterate(reg, "SELECT " SLIP_COLS " FROM slips WHERE number = ?1 "
			       "ORDER BY number, item, issued_at, step",
			       visit_slip, &v, errp, "t", number);
	return iterate(reg, "SELECT " SLIP_COLS " FROM slips ORDER BY number, item, issued_at, step",
		       visit_slip, &v, errp, "");
}

/* ---------------------------------------------------------------------------------------------
 * Events
 */

int reg_registry_add_event(reg_registry *reg, int64_t at, const char *kind, const char *number,
			   const char *detail, int64_t *id, reg_err **errp)
{
	sqlite3_stmt *st;
	int rc = run(reg, ST_ADD_EVENT, &st, "ittt", at, kind, number, detail);
	if (finish(reg, st, rc, "cannot log event", kind, errp) < 0)
		return -1;
	if (id)
		*id = sqlite3_last_insert_rowid(reg->db);
	return 0;
}

static int visit_event(sqlite3_stmt *st, const struct visit *v)
{
	reg_registry_event e = {
		.id = sqlite3_column_int64(st, 0),
		.at = sqlite3_column_int64(st, 1),
		.kind = col_text(st, 2),
		.number = col_text(st, 3),
		.detail = col_text(st, 4),
	};
	return v->fn.event(&e, v->ctx);
}

int reg_registry_each_event(reg_registry *reg, const char *number, reg_registry_event_fn fn,
			    void *ctx, reg_err **errp)
{
	struct visit v = { .fn.event = fn, .ctx = ctx };
	if (number)
		return iterate(reg, "SELECT " EVENT_COLS " FROM events WHERE number = ?1 ORDER BY id",
			       visit_event, &v, errp, "t", number);
	return iterate(reg, "SELECT " EVENT_COLS " FROM events ORDER BY id", visit_event, &v, errp,
		       "");
}

/* ---------------------------------------------------------------------------------------------
 * Counting
 */

int reg_registry_count(reg_registry *reg, const char *table, int64_t *n, reg_err **errp)
{
	/* Table names cannot be bound: a fixed list of whole statements instead. */
	static const struct {
		const char *table;
		const char *sql;
	} counts[] = {
		{ "serials", "SELECT count(*) FROM serials" },
		{ "dossiers", "SELECT count(*) FROM dossiers" },
		{ "names", "SELECT count(*) FROM names" },
		{ "commitments", "SELECT count(*) FROM commitments" },
		{ "approvals", "SELECT count(*) FROM approvals" },
		{ "issuances", "SELECT count(*) FROM issuances" },
		{ "seals", "SELECT count(*) FROM seals" },
		{ "slips", "SELECT count(*) FROM slips" },
		{ "events", "SELECT count(*) FROM events" },
	};
	for (size_t i = 0; table && i < sizeof counts / sizeof counts[0]; i++)
		if (strcmp(table, counts[i].table) == 0)
			return query_int(reg, counts[i].sql, n, errp);
	return bug(reg, errp, "unknown registry table '%s'", table ? table : "");
}
