/*
 * registry — the portable half: what the rows mean and every statement that reads or writes
 * them, one SQL text for both backends (libreg/registry_backend.h).
 */
#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_backend.h"

/* Statements prepared once per handle and kept, by id. */
enum stmt_id {
	ST_BUMP_SERIAL,
	ST_READ_SERIAL,
	ST_ADD_DOSSIER,
	ST_ADD_BODY,
	ST_NEXT_VERSION,
	ST_SET_VERSION,
	ST_GET_DOSSIER,
	ST_GET_BODY,
	ST_GET_CURRENT_BODY,
	ST_FIND_APPLICATION,
	ST_SET_STATE,
	ST_LOCK_DOSSIER,
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
	ST_ADD_ARCHIVE,
	ST_GET_ARCHIVE,
	ST_GET_LATEST_ARCHIVE,
	ST_FIND_ARCHIVE,
	ST_ADD_SEAL,
	ST_GET_SEAL,
	ST_ADD_SLIP,
	ST_ADD_EVENT,
	ST__COUNT
};

#define DOSSIER_COLS                                                                        \
	"d.number, d.name, d.authority, d.state, d.accepted_at, d.body_digest, b.body, "   \
	"d.window_id, d.clerk, d.application_digest, d.version"
#define DOSSIER_FROM " FROM dossiers AS d JOIN bodies AS b ON b.number = d.number AND b.version = d.version "
#define BODY_COLS "number, version, digest, body, enterprise_digest, materials, recorded_at"
#define COMMITMENT_COLS "number, material, due, due_at, coalesce(fulfilled_at, 0), fulfilled_sha256"
#define APPROVAL_COLS                                                                       \
	"id, number, item, dept, verdict, at, reviewer, body_digest, time_text, reasons, "  \
	"signature, key_id"
#define ISSUANCE_COLS "number, uscc, issued_at, archive_path, archive_sha256"
#define ARCHIVE_COLS "uscc, edition, number, made_at, sha256, bytes"
#define SEAL_COLS "code, uscc, type, filed_at"
#define SLIP_COLS "number, item, step, issued_at"
#define EVENT_COLS "id, at, kind, number, detail"

static const char *const stmt_sql[ST__COUNT] = {
	/* An upsert: the first use of a counter yields 1, every later one the next value; the
	 * row stays locked until the transaction ends.  (Not RETURNING: SQLite builds a
	 * temporary table for every such statement.) */
	[ST_BUMP_SERIAL] = "INSERT INTO serials (name, value) VALUES (?1, 1) "
			   "ON CONFLICT (name) DO UPDATE SET value = serials.value + 1",
	[ST_READ_SERIAL] = "SELECT value FROM serials WHERE name = ?1",
	[ST_ADD_DOSSIER] = "INSERT INTO dossiers (number, name, authority, state, accepted_at, "
			   "body_digest, window_id, clerk, application_digest, version) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1) ON CONFLICT DO NOTHING",
	[ST_ADD_BODY] = "INSERT INTO bodies (" BODY_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_NEXT_VERSION] = "SELECT version + 1 FROM dossiers WHERE number = ?1",
	[ST_SET_VERSION] = "UPDATE dossiers SET version = ?2, body_digest = ?3 WHERE number = ?1",
	[ST_GET_DOSSIER] = "SELECT " DOSSIER_COLS DOSSIER_FROM "WHERE d.number = ?1",
	[ST_GET_BODY] = "SELECT " BODY_COLS " FROM bodies WHERE number = ?1 AND version = ?2",
	[ST_GET_CURRENT_BODY] = "SELECT b.number, b.version, b.digest, b.body, "
				"b.enterprise_digest, b.materials, b.recorded_at" DOSSIER_FROM
				"WHERE d.number = ?1",
	[ST_FIND_APPLICATION] = "SELECT " DOSSIER_COLS DOSSIER_FROM
				"WHERE d.application_digest = ?2 AND d.authority = ?1 "
				"AND d.state <> 'rejected' AND d.state <> 'issued' "
				"ORDER BY d.number LIMIT 1",
	[ST_SET_STATE] = "UPDATE dossiers SET state = ?2 WHERE number = ?1",
	[ST_LOCK_DOSSIER] = "UPDATE dossiers SET version = version WHERE number = ?1",
	[ST_NAME_TAKEN] = "SELECT 1 FROM names WHERE authority = ?1 AND name = ?2",
	[ST_RESERVE_NAME] = "INSERT INTO names (authority, name, number, reserved_at) "
			    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[ST_RELEASE_NAME] = "DELETE FROM names WHERE authority = ?1 AND name = ?2",
	[ST_ADD_COMMITMENT] = "INSERT INTO commitments (number, material, due, due_at) "
			      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[ST_FULFIL] = "UPDATE commitments SET fulfilled_sha256 = CASE WHEN fulfilled_at IS NULL "
		      "THEN ?4 ELSE fulfilled_sha256 END, fulfilled_at = coalesce(fulfilled_at, ?3) "
		      "WHERE number = ?1 AND material = ?2",
	[ST_ADD_APPROVAL] = "INSERT INTO approvals (number, item, dept, verdict, at, reviewer, "
			    "body_digest, time_text, reasons, signature, key_id) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			    "ON CONFLICT DO NOTHING",
	[ST_ADD_ISSUANCE] = "INSERT INTO issuances (" ISSUANCE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5) "
			    "ON CONFLICT DO NOTHING",
	[ST_GET_ISSUANCE] = "SELECT " ISSUANCE_COLS " FROM issuances WHERE number = ?1",
	[ST_GET_ISSUANCE_USCC] = "SELECT " ISSUANCE_COLS " FROM issuances WHERE uscc = ?1",
	[ST_SET_ARCHIVE] = "UPDATE issuances SET archive_path = ?2, archive_sha256 = "
			   "coalesce(archive_sha256, ?3) WHERE number = ?1",
	[ST_ADD_ARCHIVE] = "INSERT INTO archives (" ARCHIVE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			   "ON CONFLICT DO NOTHING",
	[ST_GET_ARCHIVE] = "SELECT " ARCHIVE_COLS " FROM archives WHERE uscc = ?1 AND edition = ?2",
	[ST_GET_LATEST_ARCHIVE] = "SELECT " ARCHIVE_COLS " FROM archives WHERE uscc = ?1 "
				  "ORDER BY edition DESC LIMIT 1",
	[ST_FIND_ARCHIVE] = "SELECT " ARCHIVE_COLS " FROM archives WHERE sha256 = ?1 "
			    "ORDER BY uscc, edition LIMIT 1",
	[ST_ADD_SEAL] = "INSERT INTO seals (" SEAL_COLS ") VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT DO NOTHING",
	[ST_GET_SEAL] = "SELECT " SEAL_COLS " FROM seals WHERE code = ?1",
	[ST_ADD_SLIP] = "INSERT INTO slips (" SLIP_COLS ") VALUES (?1, ?2, ?3, ?4) "
			"ON CONFLICT DO NOTHING",
	[ST_ADD_EVENT] = "INSERT INTO events (at, kind, number, detail) VALUES (?1, ?2, ?3, ?4)",
};

struct reg_registry {
	db *db;
	const db_ops *ops;
	bool readonly;
	bool in_savepoint;  /* one dossier's savepoint is open inside the transaction */
};

/* How many rows a long iteration reads at a time. */
#define PAGE_ROWS 256

/* ---------------------------------------------------------------------------------------------
 * Errors
 */

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
	reg_err_setv(errp, REG_EINTERNAL, reg ? reg_registry_path(reg) : NULL, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(reg_registry *reg, reg_err **errp)
{
	return bug(reg, errp, "out of memory");
}

/* A constraint the statement was not written to expect: the database's surprise. */
static int constraint(reg_registry *reg, int rc, const char *what, reg_err **errp)
{
	return bug(reg, errp, "%s: the registry refused it (%s constraint)", what,
		   rc == DB_UNIQUE ? "unique" : "foreign key");
}

/* ---------------------------------------------------------------------------------------------
 * Statements
 */

#define MAX_ARGS 12

/* Arguments from a type string: 't' a const char *, 'i' an int64_t, 'b' a pointer and a
 * size_t. */
static void collect(db_arg *args, const char *types, va_list ap)
{
	for (int i = 0; types[i]; i++) {
		args[i] = (db_arg){0};
		if (types[i] == 't') {
			args[i].text = va_arg(ap, const char *);
		} else if (types[i] == 'b') {
			args[i].blob = va_arg(ap, const void *);
			args[i].blob_len = va_arg(ap, size_t);
		} else {
			args[i].integer = va_arg(ap, int64_t);
		}
	}
}

/* Run a statement that returns no rows; *changes (may be NULL) gets what it changed.  Returns
 * 0, -1 with *errp, or DB_UNIQUE / DB_FOREIGN. */
static int exec_id(reg_registry *reg, int id, const char *sql, int64_t *changes, reg_err **errp,
		   const char *types, ...)
{
	db_arg args[MAX_ARGS];
	va_list ap;
	va_start(ap, types);
	collect(args, types, ap);
	va_end(ap);
	return reg->ops->run(reg->db, id, sql, types, args, NULL, changes, errp);
}

#define EXEC(reg, id, changes, errp, types, ...) \
	exec_id((reg), (id), stmt_sql[id], (changes), (errp), (types), __VA_ARGS__)

/* Run a statement that returns rows; *rows is the caller's to close. */
static int query_id(reg_registry *reg, int id, const char *sql, db_rows **rows, reg_err **errp,
		    const char *types, ...)
{
	db_arg args[MAX_ARGS];
	va_list ap;
	va_start(ap, types);
	collect(args, types, ap);
	va_end(ap);
	*rows = NULL;
	int rc = reg->ops->run(reg->db, id, sql, types, args, rows, NULL, errp);
	if (rc == 0 && !*rows)
		return bug(reg, errp, "a query gave no rows to read");
	return rc;
}

#define QUERY(reg, id, rows, errp, types, ...) \
	query_id((reg), (id), stmt_sql[id], (rows), (errp), (types), __VA_ARGS__)

static const char *col_text(reg_registry *reg, db_rows *r, int i)
{
	return reg->ops->text(r, i);
}

static int64_t col_int(reg_registry *reg, db_rows *r, int i)
{
	return reg->ops->integer(r, i);
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

bool reg_registry_target_is_server(const char *target)
{
	return db_target_is_pg(target);
}

static reg_registry *open_common(const char *target, db_open_mode mode, reg_err **errp)
{
	int timeout;
	if (!target || !*target) {
		reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "empty registry path");
		return NULL;
	}
	if (busy_timeout(&timeout, errp) < 0)
		return NULL;
	reg_registry *reg = calloc(1, sizeof *reg);
	if (!reg) {
		reg_err_set(errp, REG_EINTERNAL, target, 0, NULL, "out of memory");
		return NULL;
	}
	reg->readonly = mode == DB_OPEN_READONLY;
	reg->db = db_target_is_pg(target) ? db_pg_open(target, mode, timeout, &reg->ops, errp)
					  : db_sqlite_open(target, mode, timeout, &reg->ops, errp);
	if (!reg->db) {
		free(reg);
		return NULL;
	}
	return reg;
}

reg_registry *reg_registry_open(const char *target, reg_err **errp)
{
	return open_common(target, DB_OPEN_CREATE, errp);
}

reg_registry *reg_registry_open_existing(const char *target, reg_err **errp)
{
	return open_common(target, DB_OPEN_EXISTING, errp);
}

reg_registry *reg_registry_open_readonly(const char *target, reg_err **errp)
{
	return open_common(target, DB_OPEN_READONLY, errp);
}

void reg_registry_free(reg_registry *reg)
{
	if (!reg)
		return;
	reg->ops->free(reg->db);
	free(reg);
}

const char *reg_registry_path(const reg_registry *reg)
{
	return reg->ops->display_name(reg->db);
}

const char *reg_registry_backend(const reg_registry *reg)
{
	return reg->ops->name;
}

bool reg_registry_readonly(const reg_registry *reg)
{
	return reg->readonly;
}

int reg_registry_schema_version(reg_registry *reg, int *version, reg_err **errp)
{
	return reg->ops->schema_version(reg->db, version, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Transactions
 */

bool reg_registry_in_transaction(const reg_registry *reg)
{
	return reg->ops->in_transaction(reg->db);
}

int reg_registry_begin(reg_registry *reg, reg_err **errp)
{
	if (reg->readonly)
		return bug(reg, errp, "registry is open read-only");
	if (reg_registry_in_transaction(reg))
		return bug(reg, errp, "a registry transaction is already open");
	return reg->ops->begin(reg->db, errp);
}

int reg_registry_commit(reg_registry *reg, reg_err **errp)
{
	if (!reg_registry_in_transaction(reg))
		return bug(reg, errp, "no registry transaction to commit");
	if (reg->in_savepoint)
		return bug(reg, errp, "commit with a savepoint still open");
	if (reg->ops->commit(reg->db, errp) < 0) {
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
	return reg->ops->rollback(reg->db, errp);
}

int reg_registry_savepoint(reg_registry *reg, reg_err **errp)
{
	if (!reg_registry_in_transaction(reg))
		return bug(reg, errp, "a savepoint needs an open transaction");
	if (reg->in_savepoint)
		return bug(reg, errp, "a savepoint is already open");
	if (reg->ops->savepoint(reg->db, errp) < 0)
		return -1;
	reg->in_savepoint = true;
	return 0;
}

int reg_registry_savepoint_release(reg_registry *reg, reg_err **errp)
{
	if (!reg->in_savepoint)
		return bug(reg, errp, "no savepoint to release");
	reg->in_savepoint = false;
	return reg->ops->release(reg->db, errp);
}

int reg_registry_savepoint_rollback(reg_registry *reg, reg_err **errp)
{
	if (!reg || !reg->in_savepoint)
		return 0;
	reg->in_savepoint = false;
	/* ROLLBACK TO keeps the savepoint on the stack: RELEASE takes it off, leaving the
	 * enclosing transaction open and as it was before the savepoint. */
	if (reg->ops->rollback_to(reg->db, errp) < 0)
		return -1;
	return reg->ops->release(reg->db, errp);
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
	int rc = EXEC(reg, ST_BUMP_SERIAL, NULL, errp, "t", counter);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "serial", errp);
	db_rows *r = NULL;
	if (QUERY(reg, ST_READ_SERIAL, &r, errp, "t", counter) < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	if (got == 1)
		*value = (uint64_t)col_int(reg, r, 0);
	reg->ops->close(r);
	if (got == 0)
		return bug(reg, errp, "serial '%s' vanished", counter);
	return got < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Dossiers and their bodies
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

static int insert_body(reg_registry *reg, const reg_registry_body *b, int64_t version,
		       reg_err **errp)
{
	int rc = EXEC(reg, ST_ADD_BODY, NULL, errp, "titttti", b->number, version, b->digest,
		      b->body, b->enterprise_digest ? b->enterprise_digest : "",
		      b->materials ? b->materials : "", b->recorded_at);
	if (rc == DB_FOREIGN)
		return not_held(b->number, errp);
	if (rc == DB_UNIQUE)
		return no(errp, "version %lld of dossier '%s' is already recorded",
			  (long long)version, b->number);
	return rc;
}

int reg_registry_add_dossier(reg_registry *reg, const reg_registry_dossier *d,
			     const reg_registry_body *first, reg_err **errp)
{
	if (!state_known(d->state))
		return bug(reg, errp, "unknown dossier state '%s'", d->state ? d->state : "");
	int64_t added = 0;
	int rc = EXEC(reg, ST_ADD_DOSSIER, &added, errp, "ttttitttt", d->number, d->name,
		      d->authority, d->state, d->accepted_at, first->digest, d->window, d->clerk,
		      d->application_digest);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "dossier", errp);
	if (added == 0)
		return no(errp, "acceptance number '%s' is already registered", d->number);
	reg_registry_body b = *first;
	b.number = d->number;
	return insert_body(reg, &b, 1, errp);
}

int reg_registry_add_body(reg_registry *reg, const reg_registry_body *b, int64_t *version,
			  reg_err **errp)
{
	db_rows *r = NULL;
	if (QUERY(reg, ST_NEXT_VERSION, &r, errp, "t", b->number) < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	int64_t next = got == 1 ? col_int(reg, r, 0) : 0;
	reg->ops->close(r);
	if (got < 0)
		return -1;
	if (got == 0)
		return not_held(b->number, errp);
	if (insert_body(reg, b, next, errp) < 0)
		return -1;
	int rc = EXEC(reg, ST_SET_VERSION, NULL, errp, "tit", b->number, next, b->digest);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "body version", errp);
	if (version)
		*version = next;
	return 0;
}

static void row_dossier(reg_registry *reg, db_rows *r, reg_registry_dossier *d)
{
	d->number = col_text(reg, r, 0);
	d->name = col_text(reg, r, 1);
	d->authority = col_text(reg, r, 2);
	d->state = col_text(reg, r, 3);
	d->accepted_at = col_int(reg, r, 4);
	d->body_digest = col_text(reg, r, 5);
	d->body = col_text(reg, r, 6);
	d->window = col_text(reg, r, 7);
	d->clerk = col_text(reg, r, 8);
	d->application_digest = col_text(reg, r, 9);
	d->version = col_int(reg, r, 10);
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
	free_str(&d->application_digest);
	memset(d, 0, sizeof *d);
}

/* Copy one dossier row into caller-owned strings. */
static int own_dossier(reg_registry *reg, db_rows *r, reg_registry_dossier *out, reg_err **errp)
{
	reg_registry_dossier row;
	row_dossier(reg, r, &row);
	out->accepted_at = row.accepted_at;
	out->version = row.version;
	if (!dup_str(&out->number, row.number) || !dup_str(&out->name, row.name) ||
	    !dup_str(&out->authority, row.authority) || !dup_str(&out->state, row.state) ||
	    !dup_str(&out->body_digest, row.body_digest) || !dup_str(&out->body, row.body) ||
	    !dup_str(&out->window, row.window) || !dup_str(&out->clerk, row.clerk) ||
	    !dup_str(&out->application_digest, row.application_digest)) {
		reg_registry_dossier_clear(out);
		return oom(reg, errp);
	}
	return 0;
}

/* A lookup of at most one dossier row by a statement. */
static int get_one_dossier(reg_registry *reg, db_rows *r, reg_registry_dossier *out, bool *found,
			   reg_err **errp)
{
	int got = reg->ops->next(r, errp);
	int rc = got < 0 ? -1 : 0;
	if (got == 1 && own_dossier(reg, r, out, errp) == 0)
		*found = true;
	else if (got == 1)
		rc = -1;
	reg->ops->close(r);
	return rc;
}

int reg_registry_get_dossier(reg_registry *reg, const char *number, reg_registry_dossier *out,
			     bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	db_rows *r = NULL;
	if (QUERY(reg, ST_GET_DOSSIER, &r, errp, "t", number) < 0)
		return -1;
	return get_one_dossier(reg, r, out, found, errp);
}

int reg_registry_find_application(reg_registry *reg, const char *authority,
				  const char *application_digest, reg_registry_dossier *out,
				  bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	db_rows *r = NULL;
	if (QUERY(reg, ST_FIND_APPLICATION, &r, errp, "tt", authority, application_digest) < 0)
		return -1;
	return get_one_dossier(reg, r, out, found, errp);
}

void reg_registry_body_clear(reg_registry_body *b)
{
	if (!b)
		return;
	free_str(&b->number);
	free_str(&b->digest);
	free_str(&b->body);
	free_str(&b->enterprise_digest);
	free_str(&b->materials);
	memset(b, 0, sizeof *b);
}

static void row_body(reg_registry *reg, db_rows *r, reg_registry_body *b)
{
	b->number = col_text(reg, r, 0);
	b->version = col_int(reg, r, 1);
	b->digest = col_text(reg, r, 2);
	b->body = col_text(reg, r, 3);
	b->enterprise_digest = col_text(reg, r, 4);
	b->materials = col_text(reg, r, 5);
	b->recorded_at = col_int(reg, r, 6);
}

int reg_registry_get_body(reg_registry *reg, const char *number, int64_t version,
			  reg_registry_body *out, bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	db_rows *r = NULL;
	int rc = version > 0 ? QUERY(reg, ST_GET_BODY, &r, errp, "ti", number, version)
			     : QUERY(reg, ST_GET_CURRENT_BODY, &r, errp, "t", number);
	if (rc < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	rc = got < 0 ? -1 : 0;
	if (got == 1) {
		reg_registry_body row;
		row_body(reg, r, &row);
		out->version = row.version;
		out->recorded_at = row.recorded_at;
		if (!dup_str(&out->number, row.number) || !dup_str(&out->digest, row.digest) ||
		    !dup_str(&out->body, row.body) ||
		    !dup_str(&out->enterprise_digest, row.enterprise_digest) ||
		    !dup_str(&out->materials, row.materials)) {
			reg_registry_body_clear(out);
			rc = oom(reg, errp);
		} else {
			*found = true;
		}
	}
	reg->ops->close(r);
	return rc;
}

int reg_registry_lock_dossier(reg_registry *reg, const char *number, bool *found,
			      reg_err **errp)
{
	int64_t changed = 0;
	*found = false;
	int rc = EXEC(reg, ST_LOCK_DOSSIER, &changed, errp, "t", number);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "dossier lock", errp);
	*found = changed > 0;
	return 0;
}

int reg_registry_set_dossier_state(reg_registry *reg, const char *number, const char *state,
				   reg_err **errp)
{
	if (!state_known(state))
		return bug(reg, errp, "unknown dossier state '%s'", state ? state : "");
	int64_t changed = 0;
	int rc = EXEC(reg, ST_SET_STATE, &changed, errp, "tt", number, state);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "dossier state", errp);
	if (changed == 0)
		return not_held(number, errp);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Iteration.  A short one (the rows of one dossier) runs one statement and shows each row; a
 * long one (all dossiers, all events …) reads a page of PAGE_ROWS rows at a time, ordered by a
 * unique key, each page starting after the last key of the one before — so no backend ever
 * holds more than a page, and a callback may use the handle meanwhile.
 */

typedef int (*row_fn)(reg_registry *reg, db_rows *r, void *visit);

/* The last key seen, as text and integer columns (at most 3 of each). */
typedef struct page_key {
	char *text[3];
	int64_t integer[3];
} page_key;

static void page_key_clear(page_key *k)
{
	for (int i = 0; i < 3; i++)
		free(k->text[i]);
	memset(k, 0, sizeof *k);
}

typedef struct visit {
	union {
		reg_registry_dossier_fn dossier;
		reg_registry_body_fn body;
		reg_registry_commitment_fn commitment;
		reg_registry_approval_fn approval;
		reg_registry_archive_fn archive;
		reg_registry_seal_fn seal;
		reg_registry_slip_fn slip;
		reg_registry_event_fn event;
	} fn;
	void *ctx;
	/* Paged iterations: where the key columns are in a row ("t0 i4" style: the type and
	 * column of each key part, in order). */
	const char *key_cols;
	page_key key;
} visit;

/* Run sql (its arguments in args) and show every row; returns the callback's non-zero value,
 * -1 on failure, 0 at the end.  *count (may be NULL) receives the rows seen. */
static int each_row(reg_registry *reg, const char *sql, const char *types, const db_arg *args,
		    row_fn fn, visit *v, size_t *count, reg_err **errp)
{
	db_rows *r = NULL;
	size_t seen = 0;
	int rc = reg->ops->run(reg->db, DB_ONCE, sql, types, args, &r, NULL, errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "query", errp);
	int got;
	while ((got = reg->ops->next(r, errp)) == 1) {
		seen++;
		if ((rc = fn(reg, r, v)) != 0)
			break;
	}
	if (got < 0)
		rc = -1;
	reg->ops->close(r);
	if (count)
		*count = seen;
	return rc;
}

static int iterate(reg_registry *reg, const char *sql, row_fn fn, visit *v, reg_err **errp,
		   const char *types, ...)
{
	db_arg args[MAX_ARGS];
	va_list ap;
	va_start(ap, types);
	collect(args, types, ap);
	va_end(ap);
	return each_row(reg, sql, types, args, fn, v, NULL, errp);
}

/* Remember the key of the row about to be shown (paged iterations). */
static int note_key(reg_registry *reg, db_rows *r, visit *v)
{
	int ti = 0, ii = 0;
	for (const char *k = v->key_cols; k && *k; k += 2) {
		int col = k[1] - '0';
		if (k[0] == 't') {
			free(v->key.text[ti]);
			const char *t = col_text(reg, r, col);
			if (!(v->key.text[ti++] = strdup(t ? t : "")))
				return -1;
		} else {
			v->key.integer[ii++] = col_int(reg, r, col);
		}
	}
	return 0;
}

/* A paged iteration.  first_sql runs with `fixed` arguments (types fixed_types); next_sql runs
 * with the same fixed arguments followed by the key parts of the last row (text parts, then
 * integer parts, as key_cols lists them) and must order by that key and return at most
 * PAGE_ROWS rows ("LIMIT 256"). */
static int paged(reg_registry *reg, const char *first_sql, const char *next_sql, row_fn fn,
		 visit *v, const char *fixed_types, const db_arg *fixed, reg_err **errp)
{
	char types[MAX_ARGS + 1];
	db_arg args[MAX_ARGS];
	size_t nfixed = strlen(fixed_types);
	memcpy(types, fixed_types, nfixed + 1);
	memcpy(args, fixed, nfixed * sizeof *args);
	int rc = 0;
	size_t count = PAGE_ROWS;
	for (bool first = true; rc == 0 && count == PAGE_ROWS; first = false) {
		size_t n = nfixed;
		if (!first) {
			int ti = 0, ii = 0;
			for (const char *k = v->key_cols; *k; k += 2) {
				types[n] = k[0];
				args[n] = (db_arg){0};
				if (k[0] == 't')
					args[n].text = v->key.text[ti++];
				else
					args[n].integer = v->key.integer[ii++];
				n++;
			}
			types[n] = '\0';
		}
		rc = each_row(reg, first ? first_sql : next_sql, types, args, fn, v, &count, errp);
	}
	page_key_clear(&v->key);
	return rc;
}

static int visit_dossier(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	if (v->key_cols && note_key(reg, r, v) < 0)
		return -1;
	reg_registry_dossier d;
	row_dossier(reg, r, &d);
	return v->fn.dossier(&d, v->ctx);
}

#define PAGE " LIMIT 256"

int reg_registry_each_dossier(reg_registry *reg, const char *state, reg_registry_dossier_fn fn,
			      void *ctx, reg_err **errp)
{
	visit v = {.fn.dossier = fn, .ctx = ctx, .key_cols = "t0"};
	db_arg fixed[1] = {{.text = state}};
	int rc;
	if (state)
		rc = paged(reg,
			   "SELECT " DOSSIER_COLS DOSSIER_FROM "WHERE d.state = ?1 "
			   "ORDER BY d.number" PAGE,
			   "SELECT " DOSSIER_COLS DOSSIER_FROM "WHERE d.state = ?1 AND d.number > ?2 "
			   "ORDER BY d.number" PAGE,
			   visit_dossier, &v, "t", fixed, errp);
	else
		rc = paged(reg, "SELECT " DOSSIER_COLS DOSSIER_FROM "ORDER BY d.number" PAGE,
			   "SELECT " DOSSIER_COLS DOSSIER_FROM "WHERE d.number > ?1 "
			   "ORDER BY d.number" PAGE,
			   visit_dossier, &v, "", fixed, errp);
	if (rc == -1 && errp && !*errp)
		oom(reg, errp);
	return rc;
}

int reg_registry_each_dossier_named(reg_registry *reg, const char *name,
				    reg_registry_dossier_fn fn, void *ctx, reg_err **errp)
{
	visit v = {.fn.dossier = fn, .ctx = ctx};
	return iterate(reg, "SELECT " DOSSIER_COLS DOSSIER_FROM "WHERE d.name = ?1 ORDER BY d.number",
		       visit_dossier, &v, errp, "t", name);
}

static int visit_body(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	reg_registry_body b;
	row_body(reg, r, &b);
	return v->fn.body(&b, v->ctx);
}

int reg_registry_each_body(reg_registry *reg, const char *number, reg_registry_body_fn fn,
			   void *ctx, reg_err **errp)
{
	visit v = {.fn.body = fn, .ctx = ctx};
	return iterate(reg, "SELECT " BODY_COLS " FROM bodies WHERE number = ?1 ORDER BY version",
		       visit_body, &v, errp, "t", number);
}

/* ---------------------------------------------------------------------------------------------
 * Names
 */

int reg_registry_name_taken(reg_registry *reg, const char *authority, const char *name,
			    bool *taken, reg_err **errp)
{
	db_rows *r = NULL;
	*taken = false;
	if (QUERY(reg, ST_NAME_TAKEN, &r, errp, "tt", authority, name) < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	reg->ops->close(r);
	*taken = got == 1;
	return got < 0 ? -1 : 0;
}

int reg_registry_reserve_name(reg_registry *reg, const char *authority, const char *name,
			      const char *number, int64_t at, reg_err **errp)
{
	int64_t added = 0;
	int rc = EXEC(reg, ST_RESERVE_NAME, &added, errp, "ttti", authority, name, number, at);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "name", errp);
	if (added == 0)
		return no(errp, "name '%s' is already registered", name);
	return 0;
}

int reg_registry_release_name(reg_registry *reg, const char *authority, const char *name,
			      reg_err **errp)
{
	int rc = EXEC(reg, ST_RELEASE_NAME, NULL, errp, "tt", authority, name);
	return rc == 0 || rc == -1 ? rc : constraint(reg, rc, "name", errp);
}

/* ---------------------------------------------------------------------------------------------
 * Commitments
 */

int reg_registry_add_commitment(reg_registry *reg, const reg_registry_commitment *c,
				reg_err **errp)
{
	int64_t added = 0;
	int rc = EXEC(reg, ST_ADD_COMMITMENT, &added, errp, "ttti", c->number, c->material, c->due,
		      c->due_at);
	if (rc == DB_FOREIGN)
		return not_held(c->number, errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "commitment", errp);
	if (added == 0)
		return no(errp, "commitment for '%s' of dossier '%s' is already recorded",
			  c->material, c->number);
	return 0;
}

int reg_registry_fulfil_commitment(reg_registry *reg, const char *number, const char *material,
				   int64_t at, const char *sha256, reg_err **errp)
{
	int64_t changed = 0;
	int rc = EXEC(reg, ST_FULFIL, &changed, errp, "ttit", number, material, at, sha256);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "commitment", errp);
	if (changed == 0)
		return no(errp, "dossier '%s' has no commitment for '%s'", number, material);
	return 0;
}

static int visit_commitment(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	if (v->key_cols && note_key(reg, r, v) < 0)
		return -1;
	reg_registry_commitment c = {
		.number = col_text(reg, r, 0),
		.material = col_text(reg, r, 1),
		.due = col_text(reg, r, 2),
		.due_at = col_int(reg, r, 3),
		.fulfilled_at = col_int(reg, r, 4),
		.fulfilled_sha256 = col_text(reg, r, 5),
	};
	return v->fn.commitment(&c, v->ctx);
}

int reg_registry_each_commitment(reg_registry *reg, bool owed, int64_t due_by,
				 reg_registry_commitment_fn fn, void *ctx, reg_err **errp)
{
	visit v = {.fn.commitment = fn, .ctx = ctx, .key_cols = "t0t1i3"};
	db_arg fixed[2] = {{.integer = due_by}, {.integer = owed}};
	return paged(reg,
		     "SELECT " COMMITMENT_COLS " FROM commitments "
		     "WHERE due_at <= ?1 AND (?2 = 0 OR fulfilled_at IS NULL) "
		     "ORDER BY due_at, number, material" PAGE,
		     "SELECT " COMMITMENT_COLS " FROM commitments "
		     "WHERE due_at <= ?1 AND (?2 = 0 OR fulfilled_at IS NULL) "
		     "AND (due_at, number, material) > (?5, ?3, ?4) "
		     "ORDER BY due_at, number, material" PAGE,
		     visit_commitment, &v, "ii", fixed, errp);
}

int reg_registry_each_commitment_of(reg_registry *reg, const char *number,
				    reg_registry_commitment_fn fn, void *ctx, reg_err **errp)
{
	visit v = {.fn.commitment = fn, .ctx = ctx};
	return iterate(reg, "SELECT " COMMITMENT_COLS " FROM commitments WHERE number = ?1 "
		       "ORDER BY material", visit_commitment, &v, errp, "t", number);
}

/* ---------------------------------------------------------------------------------------------
 * Approvals
 */

static bool verdict_known(const char *s)
{
	static const char *const verdicts[] = {
		REG_REGISTRY_VERDICT_APPROVED, REG_REGISTRY_VERDICT_REJECTED,
		REG_REGISTRY_VERDICT_SUPPLEMENT, REG_REGISTRY_VERDICT_NOT_APPLICABLE,
	};
	for (size_t i = 0; s && i < sizeof verdicts / sizeof verdicts[0]; i++)
		if (strcmp(s, verdicts[i]) == 0)
			return true;
	return false;
}

int reg_registry_add_approval(reg_registry *reg, const reg_registry_approval *a, bool *added,
			      reg_err **errp)
{
	if (!verdict_known(a->verdict))
		return bug(reg, errp, "unknown verdict '%s'", a->verdict ? a->verdict : "");
	int64_t n = 0;
	int rc = EXEC(reg, ST_ADD_APPROVAL, &n, errp, "ttttitttttt", a->number, a->item, a->dept,
		      a->verdict, a->at, a->reviewer, a->body_digest, a->time, a->reasons,
		      a->signature, a->key);
	if (rc == DB_FOREIGN)
		return not_held(a->number, errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "approval", errp);
	if (added)
		*added = n > 0;
	return 0;
}

static int visit_approval(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	reg_registry_approval a = {
		.id = col_int(reg, r, 0),
		.number = col_text(reg, r, 1),
		.item = col_text(reg, r, 2),
		.dept = col_text(reg, r, 3),
		.verdict = col_text(reg, r, 4),
		.at = col_int(reg, r, 5),
		.reviewer = col_text(reg, r, 6),
		.body_digest = col_text(reg, r, 7),
		.time = col_text(reg, r, 8),
		.reasons = col_text(reg, r, 9),
		.signature = col_text(reg, r, 10),
		.key = col_text(reg, r, 11),
	};
	return v->fn.approval(&a, v->ctx);
}

int reg_registry_each_approval(reg_registry *reg, const char *number,
			       reg_registry_approval_fn fn, void *ctx, reg_err **errp)
{
	visit v = {.fn.approval = fn, .ctx = ctx};
	return iterate(reg, "SELECT " APPROVAL_COLS " FROM approvals WHERE number = ?1 ORDER BY id",
		       visit_approval, &v, errp, "t", number);
}

int reg_registry_each_latest_verdict(reg_registry *reg, const char *number,
				     reg_registry_approval_fn fn, void *ctx, reg_err **errp)
{
	visit v = {.fn.approval = fn, .ctx = ctx};
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

static int get_issuance(reg_registry *reg, enum stmt_id id, const char *key,
			reg_registry_issuance *out, bool *found, reg_err **errp);

int reg_registry_add_issuance(reg_registry *reg, const reg_registry_issuance *is, reg_err **errp)
{
	int64_t added = 0;
	int rc = EXEC(reg, ST_ADD_ISSUANCE, &added, errp, "ttitt", is->number, is->uscc,
		      is->issued_at, is->archive_path, is->archive_sha256);
	if (rc == DB_FOREIGN)
		return not_held(is->number, errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "issuance", errp);
	if (added)
		return 0;
	/* Which of the two keys was taken: the dossier's issuance, or the USCC. */
	reg_registry_issuance prior = {0};
	bool found = false;
	if (get_issuance(reg, ST_GET_ISSUANCE, is->number, &prior, &found, errp) < 0)
		return -1;
	reg_registry_issuance_clear(&prior);
	if (found)
		return no(errp, "dossier '%s' is already issued", is->number);
	return no(errp, "USCC '%s' is already issued", is->uscc);
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
	db_rows *r = NULL;
	if (QUERY(reg, id, &r, errp, "t", key) < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	int rc = got < 0 ? -1 : 0;
	if (got == 1) {
		out->issued_at = col_int(reg, r, 2);
		if (!dup_str(&out->number, col_text(reg, r, 0)) ||
		    !dup_str(&out->uscc, col_text(reg, r, 1)) ||
		    !dup_str(&out->archive_path, col_text(reg, r, 3)) ||
		    !dup_str(&out->archive_sha256, col_text(reg, r, 4))) {
			reg_registry_issuance_clear(out);
			rc = oom(reg, errp);
		} else {
			*found = true;
		}
	}
	reg->ops->close(r);
	return rc;
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
	int64_t changed = 0;
	int rc = EXEC(reg, ST_SET_ARCHIVE, &changed, errp, "ttt", number, archive_path,
		      archive_sha256);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "issuance", errp);
	if (changed == 0)
		return no(errp, "dossier '%s' has not been issued", number);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Archives
 */

int reg_registry_add_archive(reg_registry *reg, const reg_registry_archive *a, reg_err **errp)
{
	int64_t added = 0;
	int rc = EXEC(reg, ST_ADD_ARCHIVE, &added, errp, "tititb", a->uscc, a->edition, a->number,
		      a->made_at, a->sha256, (const void *)a->bytes, a->len);
	if (rc == DB_FOREIGN)
		return no(errp, "USCC '%s' has not been issued", a->uscc);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "archive", errp);
	if (added == 0)
		return no(errp, "edition %lld of '%s' is already recorded", (long long)a->edition,
			  a->uscc);
	return 0;
}

void reg_registry_archive_clear(reg_registry_archive *a)
{
	if (!a)
		return;
	free_str(&a->uscc);
	free_str(&a->number);
	free_str(&a->sha256);
	free((void *)a->bytes);
	memset(a, 0, sizeof *a);
}

static void row_archive(reg_registry *reg, db_rows *r, reg_registry_archive *a)
{
	a->uscc = col_text(reg, r, 0);
	a->edition = col_int(reg, r, 1);
	a->number = col_text(reg, r, 2);
	a->made_at = col_int(reg, r, 3);
	a->sha256 = col_text(reg, r, 4);
	a->bytes = reg->ops->blob(r, 5, &a->len);
}

static int get_archive(reg_registry *reg, db_rows *r, reg_registry_archive *out, bool *found,
		       reg_err **errp)
{
	int got = reg->ops->next(r, errp);
	int rc = got < 0 ? -1 : 0;
	if (got == 1) {
		reg_registry_archive row;
		row_archive(reg, r, &row);
		unsigned char *bytes = malloc(row.len ? row.len : 1);
		out->edition = row.edition;
		out->made_at = row.made_at;
		out->len = row.len;
		if (bytes && row.len)
			memcpy(bytes, row.bytes, row.len);
		out->bytes = bytes;
		if (!bytes || !dup_str(&out->uscc, row.uscc) || !dup_str(&out->number, row.number) ||
		    !dup_str(&out->sha256, row.sha256)) {
			reg_registry_archive_clear(out);
			rc = oom(reg, errp);
		} else {
			*found = true;
		}
	}
	reg->ops->close(r);
	return rc;
}

int reg_registry_get_archive(reg_registry *reg, const char *uscc, int64_t edition,
			     reg_registry_archive *out, bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	db_rows *r = NULL;
	int rc = edition > 0 ? QUERY(reg, ST_GET_ARCHIVE, &r, errp, "ti", uscc, edition)
			     : QUERY(reg, ST_GET_LATEST_ARCHIVE, &r, errp, "t", uscc);
	return rc < 0 ? -1 : get_archive(reg, r, out, found, errp);
}

int reg_registry_find_archive(reg_registry *reg, const char *sha256, reg_registry_archive *out,
			      bool *found, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	*found = false;
	db_rows *r = NULL;
	if (QUERY(reg, ST_FIND_ARCHIVE, &r, errp, "t", sha256) < 0)
		return -1;
	return get_archive(reg, r, out, found, errp);
}

static int visit_archive(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	reg_registry_archive a;
	row_archive(reg, r, &a);
	return v->fn.archive(&a, v->ctx);
}

int reg_registry_each_archive(reg_registry *reg, const char *uscc, reg_registry_archive_fn fn,
			      void *ctx, reg_err **errp)
{
	visit v = {.fn.archive = fn, .ctx = ctx};
	return iterate(reg, "SELECT " ARCHIVE_COLS " FROM archives WHERE uscc = ?1 ORDER BY edition",
		       visit_archive, &v, errp, "t", uscc);
}

static int visit_edition(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	reg_registry_archive a = {
		.uscc = col_text(reg, r, 0),
		.edition = col_int(reg, r, 1),
		.number = col_text(reg, r, 2),
		.made_at = col_int(reg, r, 3),
		.sha256 = col_text(reg, r, 4),
		.len = (size_t)col_int(reg, r, 5),
	};
	return v->fn.archive(&a, v->ctx);
}

int reg_registry_each_edition(reg_registry *reg, const char *uscc, reg_registry_archive_fn fn,
			      void *ctx, reg_err **errp)
{
	visit v = {.fn.archive = fn, .ctx = ctx};
	return iterate(reg, "SELECT uscc, edition, number, made_at, sha256, length(bytes) "
		       "FROM archives WHERE uscc = ?1 ORDER BY edition",
		       visit_edition, &v, errp, "t", uscc);
}

/* ---------------------------------------------------------------------------------------------
 * Seals
 */

int reg_registry_add_seal(reg_registry *reg, const reg_registry_seal *s, reg_err **errp)
{
	int64_t added = 0;
	int rc = EXEC(reg, ST_ADD_SEAL, &added, errp, "ttti", s->code, s->uscc, s->type,
		      s->filed_at);
	if (rc == DB_FOREIGN)
		return no(errp, "USCC '%s' has not been issued", s->uscc ? s->uscc : "");
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "seal", errp);
	if (added)
		return 0;
	reg_registry_seal prior = {0};
	bool found = false;
	if (reg_registry_get_seal(reg, s->code, &prior, &found, errp) < 0)
		return -1;
	reg_registry_seal_clear(&prior);
	if (found)
		return no(errp, "seal code '%s' is already filed", s->code);
	return no(errp, "a seal of type '%s' is already filed for '%s'", s->type, s->uscc);
}

static void row_seal(reg_registry *reg, db_rows *r, reg_registry_seal *s)
{
	s->code = col_text(reg, r, 0);
	s->uscc = col_text(reg, r, 1);
	s->type = col_text(reg, r, 2);
	s->filed_at = col_int(reg, r, 3);
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
	db_rows *r = NULL;
	if (QUERY(reg, ST_GET_SEAL, &r, errp, "t", code) < 0)
		return -1;
	int got = reg->ops->next(r, errp);
	int rc = got < 0 ? -1 : 0;
	if (got == 1) {
		reg_registry_seal row;
		row_seal(reg, r, &row);
		out->filed_at = row.filed_at;
		if (!dup_str(&out->code, row.code) || !dup_str(&out->uscc, row.uscc) ||
		    !dup_str(&out->type, row.type)) {
			reg_registry_seal_clear(out);
			rc = oom(reg, errp);
		} else {
			*found = true;
		}
	}
	reg->ops->close(r);
	return rc;
}

static int visit_seal(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	reg_registry_seal s;
	row_seal(reg, r, &s);
	return v->fn.seal(&s, v->ctx);
}

int reg_registry_each_seal(reg_registry *reg, const char *uscc, reg_registry_seal_fn fn,
			   void *ctx, reg_err **errp)
{
	visit v = {.fn.seal = fn, .ctx = ctx};
	return iterate(reg, "SELECT " SEAL_COLS " FROM seals WHERE uscc = ?1 ORDER BY type, code",
		       visit_seal, &v, errp, "t", uscc);
}

/* ---------------------------------------------------------------------------------------------
 * Escalation slips
 */

int reg_registry_add_slip(reg_registry *reg, const reg_registry_slip *s, bool *already,
			  reg_err **errp)
{
	int64_t added = 0;
	*already = false;
	int rc = EXEC(reg, ST_ADD_SLIP, &added, errp, "ttti", s->number, s->item, s->step,
		      s->issued_at);
	if (rc == DB_FOREIGN)
		return not_held(s->number, errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "slip", errp);
	*already = added == 0;
	return 0;
}

static int visit_slip(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	if (v->key_cols && note_key(reg, r, v) < 0)
		return -1;
	reg_registry_slip s = {
		.number = col_text(reg, r, 0),
		.item = col_text(reg, r, 1),
		.step = col_text(reg, r, 2),
		.issued_at = col_int(reg, r, 3),
	};
	return v->fn.slip(&s, v->ctx);
}

int reg_registry_each_slip(reg_registry *reg, const char *number, reg_registry_slip_fn fn,
			   void *ctx, reg_err **errp)
{
	if (number) {
		visit v = {.fn.slip = fn, .ctx = ctx};
		return iterate(reg, "SELECT " SLIP_COLS " FROM slips WHERE number = ?1 "
			       "ORDER BY number, item, issued_at, step",
			       visit_slip, &v, errp, "t", number);
	}
	visit v = {.fn.slip = fn, .ctx = ctx, .key_cols = "t0t1t2i3"};
	db_arg none[1] = {{0}};
	return paged(reg,
		     "SELECT " SLIP_COLS " FROM slips ORDER BY number, item, issued_at, step" PAGE,
		     "SELECT " SLIP_COLS " FROM slips WHERE (number, item, issued_at, step) > "
		     "(?1, ?2, ?4, ?3) ORDER BY number, item, issued_at, step" PAGE,
		     visit_slip, &v, "", none, errp);
}

/* ---------------------------------------------------------------------------------------------
 * Events
 */

int reg_registry_add_event(reg_registry *reg, int64_t at, const char *kind, const char *number,
			   const char *detail, int64_t *id, reg_err **errp)
{
	if (!id) {
		int rc = EXEC(reg, ST_ADD_EVENT, NULL, errp, "ittt", at, kind, number, detail);
		return rc == 0 || rc == -1 ? rc : constraint(reg, rc, "event", errp);
	}
	/* Only when the id is wanted: RETURNING costs SQLite a temporary table per statement. */
	db_rows *r = NULL;
	int rc = query_id(reg, DB_ONCE, "INSERT INTO events (at, kind, number, detail) "
			  "VALUES (?1, ?2, ?3, ?4) RETURNING id", &r, errp, "ittt", at, kind,
			  number, detail);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(reg, rc, "event", errp);
	int got = reg->ops->next(r, errp);
	*id = got == 1 ? col_int(reg, r, 0) : 0;
	reg->ops->close(r);
	return got == 1 ? 0 : got < 0 ? -1 : bug(reg, errp, "event has no id");
}

static int visit_event(reg_registry *reg, db_rows *r, void *p)
{
	visit *v = p;
	if (v->key_cols && note_key(reg, r, v) < 0)
		return -1;
	reg_registry_event e = {
		.id = col_int(reg, r, 0),
		.at = col_int(reg, r, 1),
		.kind = col_text(reg, r, 2),
		.number = col_text(reg, r, 3),
		.detail = col_text(reg, r, 4),
	};
	return v->fn.event(&e, v->ctx);
}

int reg_registry_each_event(reg_registry *reg, const char *number, reg_registry_event_fn fn,
			    void *ctx, reg_err **errp)
{
	if (number) {
		visit v = {.fn.event = fn, .ctx = ctx};
		return iterate(reg, "SELECT " EVENT_COLS " FROM events WHERE number = ?1 ORDER BY id",
			       visit_event, &v, errp, "t", number);
	}
	visit v = {.fn.event = fn, .ctx = ctx, .key_cols = "i0"};
	db_arg none[1] = {{0}};
	return paged(reg, "SELECT " EVENT_COLS " FROM events ORDER BY id" PAGE,
		     "SELECT " EVENT_COLS " FROM events WHERE id > ?1 ORDER BY id" PAGE,
		     visit_event, &v, "", none, errp);
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
		{ "bodies", "SELECT count(*) FROM bodies" },
		{ "names", "SELECT count(*) FROM names" },
		{ "commitments", "SELECT count(*) FROM commitments" },
		{ "approvals", "SELECT count(*) FROM approvals" },
		{ "issuances", "SELECT count(*) FROM issuances" },
		{ "archives", "SELECT count(*) FROM archives" },
		{ "seals", "SELECT count(*) FROM seals" },
		{ "slips", "SELECT count(*) FROM slips" },
		{ "events", "SELECT count(*) FROM events" },
	};
	for (size_t i = 0; table && i < sizeof counts / sizeof counts[0]; i++) {
		if (strcmp(table, counts[i].table) != 0)
			continue;
		db_rows *r = NULL;
		if (query_id(reg, DB_ONCE, counts[i].sql, &r, errp, "") < 0)
			return -1;
		int got = reg->ops->next(r, errp);
		*n = got == 1 ? col_int(reg, r, 0) : 0;
		reg->ops->close(r);
		return got < 0 ? -1 : 0;
	}
	return bug(reg, errp, "unknown registry table '%s'", table ? table : "");
}

/* ---------------------------------------------------------------------------------------------
 * Copying a whole registry (reg-registry copy)
 *
 * Table by table in the order their foreign keys need, each read a page at a time in key order
 * (the source holds one snapshot throughout) and written with its ids as they are.  Column
 * types: 't' text, 'i' integer, 'b' blob, 'n' an integer that may be NULL — read as text and
 * written through CAST, so a NULL stays NULL on both databases.
 */

typedef struct copy_table {
	const char *name;
	const char *types;
	const char *insert;
	const char *first;
	const char *next;
	const char *key_cols;
} copy_table;

#define COPY_PAGE(cols, table, key) \
	"SELECT " cols " FROM " table " ORDER BY " key PAGE
#define COPY_NEXT(cols, table, key, after) \
	"SELECT " cols " FROM " table " WHERE (" key ") > (" after ") ORDER BY " key PAGE

#define SERIAL_COLS "name, value"
#define DOSSIER_ROW_COLS                                                                    \
	"number, name, authority, state, accepted_at, body_digest, window_id, clerk, "      \
	"application_digest, version"
#define NAME_COLS "authority, name, number, reserved_at"
#define COMMITMENT_ROW_COLS "number, material, due, due_at, fulfilled_at, fulfilled_sha256"

static const copy_table copy_tables[] = {
	{ "serials", "ti",
	  "INSERT INTO serials (" SERIAL_COLS ") VALUES (?1, ?2)",
	  COPY_PAGE(SERIAL_COLS, "serials", "name"),
	  COPY_NEXT(SERIAL_COLS, "serials", "name", "?1"), "t0" },
	{ "dossiers", "ttttitttti",
	  "INSERT INTO dossiers (" DOSSIER_ROW_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	  COPY_PAGE(DOSSIER_ROW_COLS, "dossiers", "number"),
	  COPY_NEXT(DOSSIER_ROW_COLS, "dossiers", "number", "?1"), "t0" },
	{ "bodies", "titttti",
	  "INSERT INTO bodies (" BODY_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	  COPY_PAGE(BODY_COLS, "bodies", "number, version"),
	  COPY_NEXT(BODY_COLS, "bodies", "number, version", "?1, ?2"), "t0i1" },
	{ "names", "ttti",
	  "INSERT INTO names (" NAME_COLS ") VALUES (?1, ?2, ?3, ?4)",
	  COPY_PAGE(NAME_COLS, "names", "authority, name"),
	  COPY_NEXT(NAME_COLS, "names", "authority, name", "?1, ?2"), "t0t1" },
	{ "commitments", "tttint",
	  "INSERT INTO commitments (" COMMITMENT_ROW_COLS ") "
	  "VALUES (?1, ?2, ?3, ?4, CAST(?5 AS BIGINT), ?6)",
	  COPY_PAGE(COMMITMENT_ROW_COLS, "commitments", "number, material"),
	  COPY_NEXT(COMMITMENT_ROW_COLS, "commitments", "number, material", "?1, ?2"), "t0t1" },
	{ "approvals", "ittttitttttt",
	  "INSERT INTO approvals (" APPROVAL_COLS ") "
	  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	  COPY_PAGE(APPROVAL_COLS, "approvals", "id"),
	  COPY_NEXT(APPROVAL_COLS, "approvals", "id", "?1"), "i0" },
	{ "issuances", "ttitt",
	  "INSERT INTO issuances (" ISSUANCE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)",
	  COPY_PAGE(ISSUANCE_COLS, "issuances", "number"),
	  COPY_NEXT(ISSUANCE_COLS, "issuances", "number", "?1"), "t0" },
	{ "archives", "tititb",
	  "INSERT INTO archives (" ARCHIVE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	  COPY_PAGE(ARCHIVE_COLS, "archives", "uscc, edition"),
	  COPY_NEXT(ARCHIVE_COLS, "archives", "uscc, edition", "?1, ?2"), "t0i1" },
	{ "seals", "ttti",
	  "INSERT INTO seals (" SEAL_COLS ") VALUES (?1, ?2, ?3, ?4)",
	  COPY_PAGE(SEAL_COLS, "seals", "code"),
	  COPY_NEXT(SEAL_COLS, "seals", "code", "?1"), "t0" },
	{ "slips", "ttti",
	  "INSERT INTO slips (" SLIP_COLS ") VALUES (?1, ?2, ?3, ?4)",
	  COPY_PAGE(SLIP_COLS, "slips", "number, item, step"),
	  COPY_NEXT(SLIP_COLS, "slips", "number, item, step", "?1, ?2, ?3"), "t0t1t2" },
	{ "events", "iittt",
	  "INSERT INTO events (" EVENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)",
	  COPY_PAGE(EVENT_COLS, "events", "id"),
	  COPY_NEXT(EVENT_COLS, "events", "id", "?1"), "i0" },
};

typedef struct copy_ctx {
	reg_registry *dst;
	const copy_table *table;
	int id;                  /* the insert's statement id on dst */
	int64_t rows;
	reg_err **errp;
} copy_ctx;

static int copy_row(reg_registry *src, db_rows *r, void *p)
{
	visit *v = p;
	copy_ctx *c = v->ctx;
	db_arg args[MAX_ARGS];
	char types[MAX_ARGS + 1];
	const char *t = c->table->types;
	int i = 0;
	if (note_key(src, r, v) < 0)
		return oom(src, c->errp);
	for (; t[i]; i++) {
		args[i] = (db_arg){0};
		types[i] = t[i] == 'n' ? 't' : t[i];
		if (t[i] == 'i')
			args[i].integer = col_int(src, r, i);
		else if (t[i] == 'b')
			args[i].blob = src->ops->blob(r, i, &args[i].blob_len);
		else
			args[i].text = col_text(src, r, i);
	}
	types[i] = '\0';
	int rc = c->dst->ops->run(c->dst->db, c->id, c->table->insert, types, args, NULL, NULL,
				  c->errp);
	if (rc != 0)
		return rc == -1 ? -1 : constraint(c->dst, rc, c->table->name, c->errp);
	c->rows++;
	return 0;
}

int reg_registry_copy(reg_registry *src, reg_registry *dst, reg_registry_copy_fn fn, void *ctx,
		      reg_err **errp)
{
	size_t n_tables = sizeof copy_tables / sizeof copy_tables[0];
	if (dst->readonly)
		return bug(dst, errp, "cannot copy into a registry open read-only");
	if (strcmp(reg_registry_backend(src), reg_registry_backend(dst)) == 0 &&
	    strcmp(reg_registry_path(src), reg_registry_path(dst)) == 0)
		return reg_err_set(errp, REG_EUSAGE, reg_registry_path(dst), 0, NULL,
				   "cannot copy a registry onto itself");
	if (reg_registry_in_transaction(src) || reg_registry_in_transaction(dst))
		return bug(dst, errp, "copy with a transaction open");
	int rc = -1;
	if (src->ops->snapshot(src->db, errp) < 0 || reg_registry_begin(dst, errp) < 0)
		goto out;
	for (size_t i = 0; i < n_tables; i++) {
		int64_t n = 0;
		if (reg_registry_count(dst, copy_tables[i].name, &n, errp) < 0)
			goto out;
		if (n > 0) {
			reg_err_set(errp, REG_ECANTCREAT, reg_registry_path(dst), 0, NULL,
				    "the target registry is not empty (%lld rows in %s): copy only "
				    "into a new one", (long long)n, copy_tables[i].name);
			goto out;
		}
	}
	for (size_t i = 0; i < n_tables; i++) {
		copy_ctx c = {.dst = dst, .table = &copy_tables[i], .id = ST__COUNT + (int)i,
			      .errp = errp};
		visit v = {.ctx = &c, .key_cols = copy_tables[i].key_cols};
		db_arg none[1] = {{0}};
		if (paged(src, copy_tables[i].first, copy_tables[i].next, copy_row, &v, "", none,
			  errp) != 0)
			goto out;
		if (fn)
			fn(copy_tables[i].name, c.rows, ctx);
	}
	if (dst->ops->follow_ids(dst->db, errp) < 0 || reg_registry_commit(dst, errp) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && errp && !*errp)
		oom(dst, errp);
	reg_registry_rollback(dst, NULL);
	reg_registry_rollback(src, NULL);
	return rc;
}
