/*
 * test_registry — the authority's ledger on a real database: what is kept across reopening,
 * serials that are never shared or burned (two processes at once, and rollbacks), the ledger's
 * uniqueness rules, the append-only log and archives, and how the registry answers databases
 * that are not registries, schemas from the future, a missing registry and a lock held too long.
 *
 * The same portable tests run on either backend.  By default every test gets a new SQLite file
 * in a fresh temporary directory.  With REG_TEST_BACKEND=postgresql every test gets a new
 * database of the server REG_TEST_PG (a libpq URI whose role may create databases:
 * scripts/pg-cluster makes one), created through an admin connection and dropped at the end.
 * Without REG_TEST_PG the PostgreSQL run skips — unless REG_TEST_PG_REQUIRED is set (bootstrap
 * test sets it), when it fails.  What only a file has (WAL, application_id, a corrupt file, a
 * directory) is tested on SQLite only; what only a server has (encodings, roles, connection
 * failures) on PostgreSQL only.  Where the API offers no way to do something (rewrite an event,
 * forge a schema version), the test does it with sqlite3 or libpq directly, as a user with the
 * sqlite3 shell or psql would.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "registry.h"
#include "tap.h"

static char tmpdir[PATH_MAX];
static int file_counter;

/* The backend under test, and for PostgreSQL the server's base URI, the admin connection and
 * the databases made (dropped at the end). */
static bool pg;
static const char *pg_base;
static PGconn *admin;
#define MAX_DATABASES 64
static char *databases[MAX_DATABASES];
static int n_databases;

/* A new file name in the temporary directory (owned by the caller). */
static char *new_path(const char *stem)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s-%d.db", tmpdir, stem, ++file_counter) < 0)
		abort();
	return p;
}

/* `base` with its database replaced by `name`: postgresql:///?host=… → postgresql:///name?host=… */
static char *uri_with_db(const char *base, const char *name)
{
	const char *authority = strstr(base, "://") + 3;
	const char *path = authority + strcspn(authority, "/?");
	const char *query = strchr(path, '?');
	char *uri = NULL;
	if (asprintf(&uri, "%.*s/%s%s", (int)(path - base), base, name, query ? query : "") < 0)
		abort();
	return uri;
}

static void admin_exec(const char *sql)
{
	PGresult *res = PQexec(admin, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		diag("admin: %s: %s", sql, PQerrorMessage(admin));
		abort();
	}
	PQclear(res);
}

/* A new, empty PostgreSQL database of this encoding, C collation unless `locale` says otherwise
 * (SQL: "LOCALE_PROVIDER icu …"); its URI (owned by the caller). */
static char *new_database_as(const char *stem, const char *encoding, const char *locale)
{
	char name[64], sql[256];
	snprintf(name, sizeof name, "regkit_t%d_%d_", (int)getpid(), ++file_counter);
	for (size_t n = strlen(name); *stem && n + 1 < sizeof name; stem++, n++)
		name[n] = isalnum((unsigned char)*stem) ? *stem : '_', name[n + 1] = '\0';
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING '%s' %s", name,
		 encoding, locale ? locale : "LC_COLLATE 'C' LC_CTYPE 'C'");
	admin_exec(sql);
	if (n_databases == MAX_DATABASES)
		abort();
	databases[n_databases++] = strdup(name);
	return uri_with_db(pg_base, name);
}

static char *new_database(const char *stem, const char *encoding)
{
	return new_database_as(stem, encoding, NULL);
}

/* Where a test keeps its registry: a new SQLite file, or a new PostgreSQL database. */
static char *new_target(const char *stem)
{
	return pg ? new_database(stem, "UTF8") : new_path(stem);
}

static bool exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* ok() the call succeeded; on failure show the registry's message. */
static bool succeeds(int rc, reg_err **err, const char *what)
{
	bool good = rc == 0 && *err == NULL;
	ok(good, "%s", what);
	if (!good)
		diag("error %d: %s", (int)reg_err_code(*err), reg_err_message(*err));
	reg_err_clear(err);
	return good;
}

/* ok() the call failed with `code`, and its message contains `needle` (when not NULL). */
static bool fails(int rc, reg_err **err, reg_code code, const char *needle, const char *what)
{
	bool good = rc < 0 && reg_err_code(*err) == code &&
		    (!needle || strstr(reg_err_message(*err), needle));
	ok(good, "%s", what);
	if (!good)
		diag("rc %d, error %d: %s", rc, (int)reg_err_code(*err),
		     *err ? reg_err_message(*err) : "(none)");
	reg_err_clear(err);
	return good;
}

static reg_registry *must_open(const char *path)
{
	reg_err *err = NULL;
	reg_registry *reg = reg_registry_open(path, &err);
	if (!reg) {
		diag("cannot open %s: %s", path, reg_err_message(err));
		reg_err_free(err);
		abort();
	}
	return reg;
}

/* Run SQL on the PostgreSQL database with a connection of our own; true when it succeeded.
 * The server's message goes to msg. */
static bool pg_exec(const char *uri, const char *sql, char *msg, size_t msglen)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	ExecStatusType st = PQresultStatus(res);
	bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (msg)
		snprintf(msg, msglen, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return good;
}

static char *pg_text(const char *uri, const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	char *out = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		out = strdup(PQgetvalue(res, 0, 0));
	else
		diag("%s: %s", sql, res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return out;
}

/* Run SQL on the file with a connection of our own; returns the extended SQLite code. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t msglen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		char *m = NULL;
		rc = sqlite3_exec(db, sql, NULL, NULL, &m);
		if (msg)
			snprintf(msg, msglen, "%s", m ? m : "");
		sqlite3_free(m);
	}
	sqlite3_close(db);
	return rc;
}

static char *raw_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* Whether the registry's database holds a schema (SQLite: whether the file exists). */
static bool has_registry(const char *target)
{
	if (!pg)
		return exists(target);
	char *n = pg_text(target, "SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n "
			  "ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
	bool some = n && strcmp(n, "0") != 0;
	free(n);
	return some;
}

/* Someone with the sqlite3 shell or psql runs SQL the registry should refuse: true when the
 * database refused it saying `needle`. */
static bool database_refuses(const char *target, const char *sql, const char *needle)
{
	char msg[512];
	bool refused;
	if (pg) {
		refused = !pg_exec(target, sql, msg, sizeof msg);
	} else {
		int rc = raw_exec(target, sql, msg, sizeof msg);
		refused = rc == SQLITE_CONSTRAINT_TRIGGER;
		if (!refused)
			diag("sqlite code %d", rc);
	}
	if (!refused || !strstr(msg, needle))
		diag("%s: %s", sql, msg);
	return refused && strstr(msg, needle);
}

static int64_t count(reg_registry *reg, const char *table)
{
	reg_err *err = NULL;
	int64_t n = -1;
	if (reg_registry_count(reg, table, &n, &err) < 0) {
		diag("count %s: %s", table, reg_err_message(err));
		reg_err_free(err);
		return -1;
	}
	return n;
}

static const char *DIGEST = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/* PRAGMA application_id of a regkit registry file: "REGK" (docs/registry.md). */
#define APPLICATION_ID 0x5245474B

static const reg_registry_body FIRST_BODY = {
	.digest = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
	.body = "<dossier xmlns=\"urn:regkit:dossier:1\"><enterprise><name>乌海市恒泰商贸有限公司"
		"</name></enterprise></dossier>",
	.enterprise_digest = "e0", .materials = "articles sighted", .recorded_at = 1795402800,
};

static int add_dossier(reg_registry *reg, const char *number, const char *name, reg_err **err)
{
	reg_registry_dossier d = {
		.number = number,
		.name = name,
		.authority = "150302",
		.state = REG_REGISTRY_STATE_ACCEPTED,
		.accepted_at = 1795402800,
		.window = "01",
		.clerk = "王芳",
	};
	return reg_registry_add_dossier(reg, &d, &FIRST_BODY, err);
}

static uint64_t take(reg_registry *reg, const char *counter)
{
	reg_err *err = NULL;
	uint64_t v = 0;
	if (reg_registry_next_serial(reg, counter, &v, &err) < 0) {
		diag("serial %s: %s", counter, reg_err_message(err));
		reg_err_free(err);
		return 0;
	}
	return v;
}

/* ---- create, reopen, WAL -------------------------------------------------------------------- */

static void test_create_reopen(void)
{
	reg_err *err = NULL;
	char *path = new_target("create");
	reg_registry *reg = reg_registry_open_existing(path, &err);
	ok(!reg, "open_existing does not open a missing registry");
	fails(-1, &err, REG_ENOINPUT, "does not exist", "a missing registry is REG_ENOINPUT");
	ok(!has_registry(path), "and no registry is created");
	reg = reg_registry_open(path, &err);
	ok(reg && !err, "open creates a registry on first use");
	ok(has_registry(path), "the registry exists after the first open");
	int version = -1;
	succeeds(reg_registry_schema_version(reg, &version, &err), &err, "schema version readable");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "a new registry has the current schema version");
	ok(!reg_registry_readonly(reg), "opened for writing");
	is_str(reg_registry_backend(reg), pg ? "postgresql" : "sqlite", "the backend the target names");
	if (pg) {
		const char *name = reg_registry_path(reg), *db = databases[n_databases - 1];
		size_t nl = strlen(name), dl = strlen(db);
		ok(strncmp(name, "postgresql://regkit@%2F", 23) == 0 && nl > dl &&
		   strcmp(name + nl - dl, db) == 0 && name[nl - dl - 1] == '/' &&
		   strstr(name, ":5432/"), "the handle names its server: %s", name);
	} else {
		is_str(reg_registry_path(reg), path, "the handle knows its path");
		char *mode = raw_text(path, "PRAGMA journal_mode");
		is_str(mode, "wal", "the registry is in WAL mode");
		free(mode);
		char *appid = raw_text(path, "PRAGMA application_id");
		char want[32];
		snprintf(want, sizeof want, "%d", APPLICATION_ID);
		is_str(appid, want, "the file carries regkit's application id");
		free(appid);
	}

	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "first serial");
	succeeds(add_dossier(reg, "150302-20261123-000001", "乌海市恒泰商贸有限公司", &err), &err,
		 "add dossier");
	succeeds(reg_registry_add_event(reg, 1795402800, "accepted", "150302-20261123-000001",
					"window 01", NULL, &err), &err, "log event");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");
	reg_registry_free(reg);

	reg = reg_registry_open_existing(path, &err);
	ok(reg && !err, "reopen an existing registry (open_existing: it is there)");
	version = -1;
	succeeds(reg_registry_schema_version(reg, &version, &err), &err, "version after reopen");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "reopening keeps the schema version");
	reg_registry_dossier d;
	bool found = false;
	succeeds(reg_registry_get_dossier(reg, "150302-20261123-000001", &d, &found, &err), &err,
		 "look the dossier up after reopen");
	ok(found, "the dossier survived reopening");
	is_str(d.name, "乌海市恒泰商贸有限公司", "UTF-8 name kept");
	is_str(d.state, "accepted", "state kept");
	is_str(d.authority, "150302", "authority kept");
	is_str(d.body_digest, DIGEST, "digest kept");
	ok(d.body && strstr(d.body, "<enterprise>"), "body kept");
	is_int(d.accepted_at, 1795402800, "accepted-at kept");
	is_str(d.window, "01", "window kept");
	is_str(d.clerk, "王芳", "clerk kept");
	reg_registry_dossier_clear(&d);
	reg_registry_dossier_clear(&d); /* cleared twice is harmless */
	is_int(count(reg, "events"), 1, "the event survived reopening");
	succeeds(reg_registry_begin(reg, &err), &err, "begin after reopen");
	is_int(take(reg, "acceptance:150302:20261123"), 2, "the counter goes on after reopen");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");
	reg_registry_free(reg);
	reg_registry_free(NULL);
	free(path);
}

/* ---- serials and transactions --------------------------------------------------------------- */

static void test_serials(void)
{
	reg_err *err = NULL;
	char *path = new_target("serials");
	reg_registry *reg = must_open(path);
	const char *acc = "acceptance:150302:20261123";

	uint64_t v = 0;
	fails(reg_registry_next_serial(reg, acc, &v, &err), &err, REG_EINTERNAL, "transaction",
	      "a serial outside a transaction is refused");
	fails(reg_registry_commit(reg, &err), &err, REG_EINTERNAL, NULL,
	      "commit without a transaction is refused");
	succeeds(reg_registry_rollback(reg, &err), &err, "rollback without a transaction is a no-op");
	ok(!reg_registry_in_transaction(reg), "no transaction open");

	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	ok(reg_registry_in_transaction(reg), "transaction open after begin");
	fails(reg_registry_begin(reg, &err), &err, REG_EINTERNAL, "already open",
	      "transactions do not nest");
	is_int(take(reg, acc), 1, "a counter starts at 1");
	is_int(take(reg, acc), 2, "and increments");
	is_int(take(reg, "uscc:150302"), 1, "another counter starts at 1 on its own");
	is_int(take(reg, "acceptance:150302:20261124"), 1, "the next day has its own counter");
	is_int(take(reg, acc), 3, "counters do not disturb each other");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");
	ok(!reg_registry_in_transaction(reg), "no transaction after commit");

	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, acc), 4, "next serial in a new transaction");
	is_int(take(reg, "seal:150302"), 1, "a counter created in the transaction");
	succeeds(reg_registry_rollback(reg, &err), &err, "rollback");
	ok(!reg_registry_in_transaction(reg), "no transaction after rollback");
	succeeds(reg_registry_begin(reg, &err), &err, "begin again");
	is_int(take(reg, acc), 4, "a rolled-back serial is not burned: the same value comes again");
	is_int(take(reg, "seal:150302"), 1, "a counter created in a rolled-back transaction restarts");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");

	/* Closing with a transaction open rolls it back. */
	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, acc), 5, "serial taken before closing");
	reg_registry_free(reg);
	reg = must_open(path);
	succeeds(reg_registry_begin(reg, &err), &err, "begin after reopen");
	is_int(take(reg, acc), 5, "closing without commit burned nothing");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");
	is_int(count(reg, "serials"), 4, "one row per counter");

	fails(reg_registry_next_serial(reg, "", &v, &err), &err, REG_EINTERNAL, NULL,
	      "a counter needs a name");
	reg_registry_free(reg);
	free(path);
}

/* Each child opens its own handle, waits for the starting gun, then takes `n` serials, one per
 * transaction, writing each to `out`.  Exit status 0 when every call succeeded. */
static void child_take(const char *path, int go, int out, int n)
{
	char buf;
	if (read(go, &buf, 1) < 0)
		_exit(2);
	reg_err *err = NULL;
	reg_registry *reg = reg_registry_open(path, &err);
	if (!reg) {
		fprintf(stderr, "child: open: %s\n", reg_err_message(err));
		_exit(3);
	}
	for (int i = 0; i < n; i++) {
		uint64_t v = 0;
		bool taken;
		/* Like reg-apply: read first (is the name free?), then take a number — the
		 * pattern that deadlocks unless begin takes the write lock at once. */
		if (reg_registry_begin(reg, &err) < 0 ||
		    reg_registry_name_taken(reg, "150302", "乌海市恒泰商贸有限公司", &taken, &err) < 0 ||
		    reg_registry_next_serial(reg, "uscc:150302", &v, &err) < 0 ||
		    reg_registry_commit(reg, &err) < 0) {
			fprintf(stderr, "child: serial %d: %s\n", i, reg_err_message(err));
			_exit(4);
		}
		if (write(out, &v, sizeof v) != (ssize_t)sizeof v)
			_exit(5);
		/* A moment between dossiers, outside the lock, as a real tool spends parsing the
		 * next one: it lets the other process in, so the two really interleave. */
		struct timespec pause = { 0, 100000 };
		nanosleep(&pause, NULL);
	}
	reg_registry_free(reg);
	_exit(0);
}

/* Two processes take `n` serials each from one counter at the same moment; true when every
 * value 1 … 2n came out exactly once. */
static bool race(const char *path, int n, const char *what)
{
	int go[2], out[2][2];
	if (pipe(go) < 0 || pipe(out[0]) < 0 || pipe(out[1]) < 0)
		abort();
	fflush(stdout);
	fflush(stderr);
	pid_t pid[2];
	for (int c = 0; c < 2; c++) {
		pid[c] = fork();
		if (pid[c] < 0)
			abort();
		if (pid[c] == 0) {
			close(go[1]);
			close(out[c][0]);
			close(out[1 - c][0]);
			close(out[1 - c][1]);
			child_take(path, go[0], out[c][1], n);
		}
		close(out[c][1]);
	}
	close(go[0]);
	close(go[1]); /* the starting gun: both children read EOF at once */

	bool *seen = calloc((size_t)(2 * n) + 1, 1);
	signed char *owner = calloc((size_t)(2 * n) + 1, 1);
	int got[2] = {0, 0}, dup = 0, range = 0;
	for (int c = 0; c < 2; c++) {
		uint64_t v;
		while (read(out[c][0], &v, sizeof v) == (ssize_t)sizeof v) {
			got[c]++;
			if (v < 1 || v > (uint64_t)(2 * n))
				range++;
			else if (seen[v])
				dup++;
			else
				seen[v] = true, owner[v] = (signed char)(c + 1);
		}
		close(out[c][0]);
	}
	int status[2];
	for (int c = 0; c < 2; c++)
		waitpid(pid[c], &status[c], 0);
	/* How often the counter passed from one process to the other: shows they really ran at
	 * the same time (informative only: the scheduler decides). */
	int handovers = 0;
	for (int i = 2; i <= 2 * n; i++)
		handovers += owner[i] && owner[i - 1] && owner[i] != owner[i - 1];
	diag("%s: the counter changed hands %d times", what, handovers);
	free(owner);
	free(seen);
	bool clean = WIFEXITED(status[0]) && WEXITSTATUS(status[0]) == 0 &&
		     WIFEXITED(status[1]) && WEXITSTATUS(status[1]) == 0;
	ok(clean, "%s: both processes succeeded", what);
	if (!clean)
		diag("status %d and %d", status[0], status[1]);
	is_int(got[0] + got[1], 2 * n, "%s: %d serials in all", what, 2 * n);
	is_int(dup, 0, "%s: no serial given twice", what);
	is_int(range, 0, "%s: every serial within 1..%d", what, 2 * n);
	return clean && got[0] + got[1] == 2 * n && dup == 0 && range == 0;
}

static void test_two_processes(void)
{
	reg_err *err = NULL;
	char *path = new_target("race");
	reg_registry *reg = must_open(path);
	reg_registry_free(reg); /* never carry a handle across fork */
	race(path, 500, "two processes on one registry");

	reg = must_open(path);
	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, "uscc:150302"), 1001, "the counter stands at 1000 after the race");
	reg_registry_rollback(reg, NULL);
	reg_registry_free(reg);
	free(path);

	/* Both processes creating the registry at the same moment must agree on one schema (this
	 * once failed: SQLite does not wait for the lock that switching to WAL needs). */
	for (int round = 0; round < (pg ? 4 : 10); round++) {
		path = new_target("race-create");
		race(path, 20, "two processes creating a registry");
		reg = must_open(path);
		int version = 0;
		succeeds(reg_registry_schema_version(reg, &version, &err), &err, "version");
		is_int(version, REG_REGISTRY_SCHEMA_VERSION, "created once with the current schema");
		reg_registry_free(reg);
		free(path);
	}
}

/* ---- dossiers ------------------------------------------------------------------------------- */

struct seen {
	int calls;
	int stop_after;          /* stop with 7 after this many calls; 0 never */
	char numbers[8][32];
	reg_registry *reg;       /* when set, the callback updates the dossier it is shown */
};

static int collect_dossier(const reg_registry_dossier *d, void *ctx)
{
	struct seen *s = ctx;
	if (s->calls < 8)
		snprintf(s->numbers[s->calls], sizeof s->numbers[0], "%s", d->number);
	s->calls++;
	if (s->reg) {
		reg_err *err = NULL;
		if (reg_registry_set_dossier_state(s->reg, d->number, REG_REGISTRY_STATE_PENDING, &err) < 0) {
			reg_err_free(err);
			return -1;
		}
	}
	return s->stop_after && s->calls >= s->stop_after ? 7 : 0;
}

static void test_dossiers(void)
{
	reg_err *err = NULL;
	char *path = new_target("dossiers");
	reg_registry *reg = must_open(path);

	/* Recorded out of order, listed in acceptance-number order. */
	succeeds(add_dossier(reg, "150302-20261123-000003", "乌海市甲商贸有限公司", &err), &err, "add 3");
	succeeds(add_dossier(reg, "150302-20261123-000001", "乌海市乙商贸有限公司", &err), &err, "add 1");
	succeeds(add_dossier(reg, "150302-20261123-000002", "乌海市丙商贸有限公司", &err), &err, "add 2");
	fails(add_dossier(reg, "150302-20261123-000002", "乌海市丁商贸有限公司", &err), &err, REG_ENO,
	      "'150302-20261123-000002' is already registered", "an acceptance number is used once");
	is_int(count(reg, "dossiers"), 3, "three dossiers");

	reg_registry_dossier bad = {
		.number = "150302-20261123-000009", .name = "x", .authority = "150302",
		.state = "lost",
	};
	fails(reg_registry_add_dossier(reg, &bad, &FIRST_BODY, &err), &err, REG_EINTERNAL, "'lost'",
	      "an unknown state is refused");

	struct seen s = {0};
	succeeds(reg_registry_each_dossier(reg, NULL, collect_dossier, &s, &err), &err, "iterate");
	is_int(s.calls, 3, "every dossier visited");
	is_str(s.numbers[0], "150302-20261123-000001", "in number order (1)");
	is_str(s.numbers[1], "150302-20261123-000002", "in number order (2)");
	is_str(s.numbers[2], "150302-20261123-000003", "in number order (3)");

	succeeds(reg_registry_set_dossier_state(reg, "150302-20261123-000002", REG_REGISTRY_STATE_APPROVED,
						&err), &err, "set state");
	fails(reg_registry_set_dossier_state(reg, "150302-20261123-000099", REG_REGISTRY_STATE_APPROVED, &err),
	      &err, REG_ENO, "not in the registry", "setting the state of an unknown dossier fails");
	fails(reg_registry_set_dossier_state(reg, "150302-20261123-000002", "done", &err), &err,
	      REG_EINTERNAL, "'done'", "setting an unknown state fails");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_dossier(reg, REG_REGISTRY_STATE_APPROVED, collect_dossier, &s, &err), &err,
		 "iterate by state");
	is_int(s.calls, 1, "only the approved dossier");
	is_str(s.numbers[0], "150302-20261123-000002", "the approved one");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_dossier(reg, REG_REGISTRY_STATE_ACCEPTED, collect_dossier, &s, &err), &err,
		 "iterate accepted");
	is_int(s.calls, 2, "two still accepted");

	memset(&s, 0, sizeof s);
	s.stop_after = 1;
	is_int(reg_registry_each_dossier(reg, NULL, collect_dossier, &s, &err), 7,
	       "a callback's non-zero value stops the iteration and is returned");
	is_int(s.calls, 1, "stopped after the first");
	ok(err == NULL, "stopping is not an error");

	/* A callback may write through the same handle. */
	memset(&s, 0, sizeof s);
	s.reg = reg;
	succeeds(reg_registry_each_dossier(reg, NULL, collect_dossier, &s, &err), &err,
		 "iterate while updating");
	is_int(s.calls, 3, "all visited while updating");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_dossier(reg, REG_REGISTRY_STATE_PENDING, collect_dossier, &s, &err), &err,
		 "iterate pending");
	is_int(s.calls, 3, "the callback's updates landed");

	reg_registry_dossier d;
	bool found = true;
	succeeds(reg_registry_get_dossier(reg, "150302-20261123-000077", &d, &found, &err), &err,
		 "looking up an unknown number is not an error");
	ok(!found, "an unknown number is not found");
	ok(d.number == NULL && d.body == NULL, "and the record stays empty");
	reg_registry_dossier_clear(&d);
	succeeds(reg_registry_get_dossier(reg, "150302-20261123-000002", &d, &found, &err), &err,
		 "look up");
	ok(found, "found");
	is_str(d.state, "pending", "the state as last set");
	is_str(d.name, "乌海市丙商贸有限公司", "its own name");
	reg_registry_dossier_clear(&d);

	reg_registry_dossier nowin = {
		.number = "150302-20261123-000004", .name = "乌海市戊商贸有限公司",
		.authority = "150302", .state = REG_REGISTRY_STATE_ACCEPTED, .accepted_at = 1,
	};
	succeeds(reg_registry_add_dossier(reg, &nowin, &FIRST_BODY, &err), &err, "window and clerk are optional");
	succeeds(reg_registry_get_dossier(reg, "150302-20261123-000004", &d, &found, &err), &err,
		 "look up");
	ok(found && d.window == NULL && d.clerk == NULL, "absent window and clerk come back NULL");
	reg_registry_dossier_clear(&d);

	reg_registry_free(reg);
	free(path);
}

/* ---- names ---------------------------------------------------------------------------------- */

static void test_names(void)
{
	reg_err *err = NULL;
	char *path = new_target("names");
	reg_registry *reg = must_open(path);
	const char *name = "乌海市恒泰商贸有限公司";
	bool taken = true;

	succeeds(reg_registry_name_taken(reg, "150302", name, &taken, &err), &err, "ask");
	ok(!taken, "a new name is free");
	succeeds(reg_registry_reserve_name(reg, "150302", name, "150302-20261123-000001", 100, &err),
		 &err, "reserve it");
	succeeds(reg_registry_name_taken(reg, "150302", name, &taken, &err), &err, "ask again");
	ok(taken, "now it is taken");
	fails(reg_registry_reserve_name(reg, "150302", name, "150302-20261123-000002", 200, &err),
	      &err, REG_ENO, "name '乌海市恒泰商贸有限公司' is already registered",
	      "a taken name cannot be registered again under the same authority");
	succeeds(reg_registry_name_taken(reg, "150303", name, &taken, &err), &err, "other authority");
	ok(!taken, "the same name is free under another authority");
	succeeds(reg_registry_reserve_name(reg, "150303", name, NULL, 300, &err), &err,
		 "and can be registered there");
	succeeds(reg_registry_name_taken(reg, "150302", "乌海市恒泰商贸有限公司 ", &taken, &err), &err,
		 "ask for a different string");
	ok(!taken, "names compare byte for byte");

	succeeds(reg_registry_release_name(reg, "150302", name, &err), &err, "release");
	succeeds(reg_registry_name_taken(reg, "150302", name, &taken, &err), &err, "ask after release");
	ok(!taken, "a released name is free again");
	succeeds(reg_registry_release_name(reg, "150302", name, &err), &err,
		 "releasing a free name does nothing");
	is_int(count(reg, "names"), 1, "one name left (the other authority's)");
	reg_registry_free(reg);
	free(path);
}

/* ---- commitments ---------------------------------------------------------------------------- */

struct commitments_seen {
	int calls;
	char materials[4][32];
	int64_t fulfilled[4];
};

static int collect_commitment(const reg_registry_commitment *c, void *ctx)
{
	struct commitments_seen *s = ctx;
	if (s->calls < 4) {
		snprintf(s->materials[s->calls], sizeof s->materials[0], "%s", c->material);
		s->fulfilled[s->calls] = c->fulfilled_at;
	}
	s->calls++;
	return 0;
}

static void test_commitments(void)
{
	reg_err *err = NULL;
	char *path = new_target("commitments");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001";
	add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);

	reg_registry_commitment late = { n, "premises-proof", "2026-12-23", 2000, 0, NULL };
	reg_registry_commitment soon = { n, "agent-authority", "2026-12-01", 1000, 0, NULL };
	succeeds(reg_registry_add_commitment(reg, &late, &err), &err, "add a commitment");
	succeeds(reg_registry_add_commitment(reg, &soon, &err), &err, "add another");
	fails(reg_registry_add_commitment(reg, &late, &err), &err, REG_ENO, "already recorded",
	      "one commitment per material and dossier");
	reg_registry_commitment stray = { "150302-20261123-000099", "premises-proof", "2026-12-23",
					  2000, 0, NULL };
	fails(reg_registry_add_commitment(reg, &stray, &err), &err, REG_ENO, "not in the registry",
	      "a commitment needs a dossier the registry holds");

	struct commitments_seen s = {0};
	succeeds(reg_registry_each_commitment(reg, true, INT64_MAX, collect_commitment, &s, &err),
		 &err, "iterate owed");
	is_int(s.calls, 2, "both owed");
	is_str(s.materials[0], "agent-authority", "earliest due first");
	is_str(s.materials[1], "premises-proof", "then the later one");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_commitment(reg, true, 1500, collect_commitment, &s, &err), &err,
		 "iterate due by 1500");
	is_int(s.calls, 1, "only the one falling due");

	succeeds(reg_registry_fulfil_commitment(reg, n, "agent-authority", 900, NULL, &err), &err, "fulfil");
	succeeds(reg_registry_fulfil_commitment(reg, n, "agent-authority", 950, NULL, &err), &err,
		 "fulfil again");
	fails(reg_registry_fulfil_commitment(reg, n, "seal-proof", 900, NULL, &err), &err, REG_ENO,
	      "no commitment", "fulfilling an unknown commitment fails");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_commitment(reg, true, INT64_MAX, collect_commitment, &s, &err),
		 &err, "iterate owed after fulfilment");
	is_int(s.calls, 1, "a fulfilled commitment is no longer owed");
	is_str(s.materials[0], "premises-proof", "the other is still owed");
	is_int(s.fulfilled[0], 0, "an owed commitment reads fulfilled_at 0");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_commitment(reg, false, INT64_MAX, collect_commitment, &s, &err),
		 &err, "iterate all");
	is_int(s.calls, 2, "all commitments");
	is_int(s.fulfilled[0], 900, "fulfilling twice keeps the first time");
	reg_registry_free(reg);
	free(path);
}

/* ---- approvals ------------------------------------------------------------------------------ */

struct approvals_seen {
	int calls;
	char line[8][96];
};

static int collect_approval(const reg_registry_approval *a, void *ctx)
{
	struct approvals_seen *s = ctx;
	if (s->calls < 8)
		snprintf(s->line[s->calls], sizeof s->line[0], "%s %s %s %" PRId64, a->item, a->dept,
			 a->verdict, a->at);
	s->calls++;
	return 0;
}

static void test_approvals(void)
{
	reg_err *err = NULL;
	char *path = new_target("approvals");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001";
	add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);

	reg_registry_approval a = { 0, n, "tax-registration", "tax", REG_REGISTRY_VERDICT_APPROVED, 200,
				    "reg-approve", DIGEST, NULL, NULL, NULL, NULL };
	succeeds(reg_registry_add_approval(reg, &a, NULL, &err), &err, "record a verdict");
	succeeds(reg_registry_add_approval(reg, &a, NULL, &err), &err, "record the very same verdict again");
	is_int(count(reg, "approvals"), 1, "the same verdict is kept once");
	reg_registry_approval earlier = a;
	earlier.verdict = REG_REGISTRY_VERDICT_SUPPLEMENT;
	earlier.at = 100;
	succeeds(reg_registry_add_approval(reg, &earlier, NULL, &err), &err,
		 "record an earlier verdict afterwards");
	reg_registry_approval police = { 0, n, "seal-filing", "police", REG_REGISTRY_VERDICT_APPROVED, 150,
					 "reg-approve", DIGEST, NULL, NULL, NULL, NULL };
	succeeds(reg_registry_add_approval(reg, &police, NULL, &err), &err, "another item");

	struct approvals_seen s = {0};
	succeeds(reg_registry_each_latest_verdict(reg, n, collect_approval, &s, &err), &err,
		 "latest verdicts");
	is_int(s.calls, 2, "one verdict per item");
	is_str(s.line[0], "seal-filing police approved 150", "in item-id order (seal-filing)");
	is_str(s.line[1], "tax-registration tax approved 200",
	       "the latest by time wins, not the last recorded");

	reg_registry_approval tie = a;
	tie.verdict = REG_REGISTRY_VERDICT_REJECTED;
	succeeds(reg_registry_add_approval(reg, &tie, NULL, &err), &err, "a different verdict, same time");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_latest_verdict(reg, n, collect_approval, &s, &err), &err,
		 "latest verdicts after a tie");
	is_str(s.line[1], "tax-registration tax rejected 200", "a tie goes to the one recorded last");

	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_approval(reg, n, collect_approval, &s, &err), &err, "history");
	is_int(s.calls, 4, "the whole history is kept");
	is_str(s.line[0], "tax-registration tax approved 200", "in the order recorded (1)");
	is_str(s.line[1], "tax-registration tax supplement 100", "in the order recorded (2)");
	is_str(s.line[3], "tax-registration tax rejected 200", "in the order recorded (4)");

	reg_registry_approval bad = a;
	bad.verdict = "maybe";
	fails(reg_registry_add_approval(reg, &bad, NULL, &err), &err, REG_EINTERNAL, "'maybe'",
	      "an unknown verdict is refused");
	reg_registry_approval stray = a;
	stray.number = "150302-20261123-000099";
	fails(reg_registry_add_approval(reg, &stray, NULL, &err), &err, REG_ENO, "not in the registry",
	      "an approval needs a dossier the registry holds");
	reg_registry_free(reg);
	free(path);
}

/* ---- issuances and seals -------------------------------------------------------------------- */

struct seals_seen {
	int calls;
	char line[4][64];
};

static int collect_seal(const reg_registry_seal *s, void *ctx)
{
	struct seals_seen *seen = ctx;
	if (seen->calls < 4)
		snprintf(seen->line[seen->calls], sizeof seen->line[0], "%s %s", s->type, s->code);
	seen->calls++;
	return 0;
}

static void test_issuances_and_seals(void)
{
	reg_err *err = NULL;
	char *path = new_target("issuances");
	reg_registry *reg = must_open(path);
	const char *n1 = "150302-20261123-000001", *n2 = "150302-20261123-000002";
	const char *u1 = "91150302MA0000014X", *u2 = "91150302MA0000022R";
	add_dossier(reg, n1, "乌海市甲商贸有限公司", &err);
	add_dossier(reg, n2, "乌海市乙商贸有限公司", &err);
	reg_err_clear(&err);

	reg_registry_issuance is = { n1, u1, 5000, NULL, NULL };
	succeeds(reg_registry_add_issuance(reg, &is, &err), &err, "record an issuance");
	reg_registry_issuance same_uscc = { n2, u1, 5001, NULL, NULL };
	fails(reg_registry_add_issuance(reg, &same_uscc, &err), &err, REG_ENO,
	      "USCC '91150302MA0000014X' is already issued", "a USCC is issued once");
	reg_registry_issuance same_number = { n1, u2, 5002, NULL, NULL };
	fails(reg_registry_add_issuance(reg, &same_number, &err), &err, REG_ENO,
	      "dossier '150302-20261123-000001' is already issued", "a dossier is issued once");
	reg_registry_issuance stray = { "150302-20261123-000099", u2, 5003, NULL, NULL };
	fails(reg_registry_add_issuance(reg, &stray, &err), &err, REG_ENO, "not in the registry",
	      "an issuance needs a dossier the registry holds");
	is_int(count(reg, "issuances"), 1, "one issuance");

	reg_registry_issuance got;
	bool found = false;
	succeeds(reg_registry_get_issuance(reg, n1, &got, &found, &err), &err, "by number");
	ok(found, "an issued dossier is found");
	is_str(got.uscc, u1, "with its USCC (re-issuing gives the same one)");
	is_int(got.issued_at, 5000, "and its time");
	ok(got.archive_sha256 == NULL, "no archive digest yet");
	reg_registry_issuance_clear(&got);
	succeeds(reg_registry_get_issuance(reg, n2, &got, &found, &err), &err, "by number (2)");
	ok(!found, "a dossier not issued is not found");

	succeeds(reg_registry_set_archive(reg, n1, "out/91150302MA0000014X.tar.gz", DIGEST, &err),
		 &err, "record the archive");
	fails(reg_registry_set_archive(reg, n2, "x", DIGEST, &err), &err, REG_ENO, "not been issued",
	      "recording an archive of a dossier not issued fails");
	succeeds(reg_registry_get_issuance_by_uscc(reg, u1, &got, &found, &err), &err, "by USCC");
	ok(found, "found by USCC");
	is_str(got.number, n1, "the dossier of the USCC");
	is_str(got.archive_path, "out/91150302MA0000014X.tar.gz", "the archive path");
	is_str(got.archive_sha256, DIGEST, "the archive digest");
	reg_registry_issuance_clear(&got);
	succeeds(reg_registry_get_issuance_by_uscc(reg, u2, &got, &found, &err), &err, "by USCC (2)");
	ok(!found, "an unknown USCC is not found");

	reg_registry_seal official = { "1503020000001", u1, "01", 5000 };
	reg_registry_seal finance = { "1503020000002", u1, "02", 5000 };
	succeeds(reg_registry_add_seal(reg, &finance, &err), &err, "file the finance seal");
	succeeds(reg_registry_add_seal(reg, &official, &err), &err, "file the official seal");
	reg_registry_seal again = { "1503020000001", u1, "03", 5000 };
	fails(reg_registry_add_seal(reg, &again, &err), &err, REG_ENO, "'1503020000001'",
	      "a seal code is filed once");
	reg_registry_seal second = { "1503020000003", u1, "01", 5000 };
	fails(reg_registry_add_seal(reg, &second, &err), &err, REG_ENO, "type '01'",
	      "one seal of each type per enterprise");
	reg_registry_seal orphan = { "1503020000004", u2, "01", 5000 };
	fails(reg_registry_add_seal(reg, &orphan, &err), &err, REG_ENO, "not been issued",
	      "a seal needs an issued USCC");

	struct seals_seen s = {0};
	succeeds(reg_registry_each_seal(reg, u1, collect_seal, &s, &err), &err, "list seals");
	is_int(s.calls, 2, "two seals");
	is_str(s.line[0], "01 1503020000001", "in type order (01)");
	is_str(s.line[1], "02 1503020000002", "in type order (02)");
	reg_registry_seal seal;
	succeeds(reg_registry_get_seal(reg, "1503020000002", &seal, &found, &err), &err, "by code");
	ok(found, "a filed seal is found by code");
	is_str(seal.uscc, u1, "its enterprise");
	is_str(seal.type, "02", "its type");
	is_int(seal.filed_at, 5000, "its filing time");
	reg_registry_seal_clear(&seal);
	succeeds(reg_registry_get_seal(reg, "1503029999999", &seal, &found, &err), &err, "by code (2)");
	ok(!found, "an unknown code is not found");
	reg_registry_free(reg);
	free(path);
}

/* ---- slips and events ----------------------------------------------------------------------- */

static int count_slip(const reg_registry_slip *s, void *ctx)
{
	(void)s;
	++*(int *)ctx;
	return 0;
}

struct events_seen {
	int calls;
	int64_t last_id;
	bool increasing;
	char kinds[4][16];
};

static int collect_event(const reg_registry_event *e, void *ctx)
{
	struct events_seen *s = ctx;
	if (e->id <= s->last_id)
		s->increasing = false;
	s->last_id = e->id;
	if (s->calls < 4)
		snprintf(s->kinds[s->calls], sizeof s->kinds[0], "%s", e->kind);
	s->calls++;
	return 0;
}

static void test_slips_and_events(void)
{
	reg_err *err = NULL;
	char *path = new_target("slips");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001";
	add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);

	reg_registry_slip slip = { n, "tax-registration", "reminder", 7000 };
	bool already = true;
	succeeds(reg_registry_add_slip(reg, &slip, &already, &err), &err, "issue a slip");
	ok(!already, "the first time it is new");
	slip.issued_at = 8000;
	succeeds(reg_registry_add_slip(reg, &slip, &already, &err), &err,
		 "issuing it again is not an error");
	ok(already, "the second time it reports already issued");
	is_int(count(reg, "slips"), 1, "a slip is never recorded twice");
	reg_registry_slip urging = { n, "tax-registration", "urging", 9000 };
	succeeds(reg_registry_add_slip(reg, &urging, &already, &err), &err, "the next step");
	ok(!already, "the next step of the ladder is new");
	reg_registry_slip stray = { "150302-20261123-000099", "tax-registration", "reminder", 1 };
	fails(reg_registry_add_slip(reg, &stray, &already, &err), &err, REG_ENO,
	      "not in the registry", "a slip needs a dossier the registry holds");
	int slips = 0;
	succeeds(reg_registry_each_slip(reg, n, count_slip, &slips, &err), &err, "slips of a dossier");
	is_int(slips, 2, "two slips for the dossier");
	slips = 0;
	succeeds(reg_registry_each_slip(reg, NULL, count_slip, &slips, &err), &err, "all slips");
	is_int(slips, 2, "two slips in all");

	int64_t id1 = 0, id2 = 0;
	succeeds(reg_registry_add_event(reg, 100, "accepted", n, "window 01", &id1, &err), &err,
		 "log an event");
	succeeds(reg_registry_add_event(reg, 200, "escalated", n, NULL, &id2, &err), &err,
		 "log another");
	succeeds(reg_registry_add_event(reg, 300, "opened", NULL, NULL, NULL, &err), &err,
		 "an event without a dossier");
	ok(id2 > id1 && id1 > 0, "event ids increase");
	fails(reg_registry_add_event(reg, 300, "", NULL, NULL, NULL, &err), &err, REG_EINTERNAL, NULL,
	      "an event needs a kind");
	struct events_seen s = { .increasing = true };
	succeeds(reg_registry_each_event(reg, n, collect_event, &s, &err), &err, "events of a dossier");
	is_int(s.calls, 2, "the dossier's two events");
	is_str(s.kinds[0], "accepted", "in the order appended");
	is_str(s.kinds[1], "escalated", "in the order appended (2)");
	memset(&s, 0, sizeof s);
	s.increasing = true;
	succeeds(reg_registry_each_event(reg, NULL, collect_event, &s, &err), &err, "all events");
	is_int(s.calls, 3, "three events in all");
	ok(s.increasing, "in increasing id order");

	/* Someone with the sqlite3 shell or psql tries to rewrite history. */
	ok(database_refuses(path, "UPDATE events SET kind = 'rejected' WHERE kind = 'accepted'",
			    "append-only"), "the database refuses to update an event, saying the log is append-only");
	ok(database_refuses(path, "DELETE FROM events", "append-only"),
	   "the database refuses to delete an event");
	if (pg)
		ok(database_refuses(path, "TRUNCATE events", "append-only"),
		   "or to truncate the log");
	is_int(count(reg, "events"), 3, "every event is still there");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_event(reg, n, collect_event, &s, &err), &err, "events again");
	is_str(s.kinds[0], "accepted", "unchanged");
	reg_registry_free(reg);
	free(path);
}

/* ---- body versions ------------------------------------------------------------------------ */

static int count_body(const reg_registry_body *b, void *ctx)
{
	int64_t *last = ctx;
	if (b->version != last[0] + 1)
		last[1] = 1; /* out of order */
	last[0] = b->version;
	return 0;
}

static void test_bodies(void)
{
	reg_err *err = NULL;
	char *path = new_target("bodies");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001";
	succeeds(add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err), &err, "add a dossier");
	reg_registry_body second = {
		.number = n, .digest = "aa", .body = "<dossier>版本二</dossier>",
		.enterprise_digest = "e1", .materials = "articles sighted\npremises-proof sighted",
		.recorded_at = 1795403000,
	};
	int64_t version = 0;
	succeeds(reg_registry_add_body(reg, &second, &version, &err), &err, "a supplement's body");
	is_int(version, 2, "is version 2");
	reg_registry_body b = {0};
	bool found = false;
	succeeds(reg_registry_get_body(reg, n, 0, &b, &found, &err), &err, "the current body");
	ok(found && b.version == 2, "the current body is the new version");
	is_str(b.body, "<dossier>版本二</dossier>", "with its text");
	is_str(b.materials, "articles sighted\npremises-proof sighted", "and its materials");
	reg_registry_body_clear(&b);
	succeeds(reg_registry_get_body(reg, n, 1, &b, &found, &err), &err, "the first body");
	ok(found && b.version == 1 && strcmp(b.digest, DIGEST) == 0, "version 1 is still there");
	reg_registry_body_clear(&b);
	reg_registry_dossier d;
	succeeds(reg_registry_get_dossier(reg, n, &d, &found, &err), &err, "the dossier");
	is_int(d.version, 2, "the dossier is at version 2");
	is_str(d.body_digest, "aa", "with the new body's digest");
	reg_registry_dossier_clear(&d);
	int64_t seen[2] = {0, 0};
	succeeds(reg_registry_each_body(reg, n, count_body, seen, &err), &err, "every version");
	ok(seen[0] == 2 && seen[1] == 0, "oldest first, both versions");
	reg_registry_body stray = second;
	stray.number = "150302-20261123-000099";
	fails(reg_registry_add_body(reg, &stray, NULL, &err), &err, REG_ENO, "not in the registry",
	      "a body needs a dossier the registry holds");
	reg_registry_free(reg);
	free(path);
}

/* ---- archives ------------------------------------------------------------------------------- */

static int collect_edition(const reg_registry_archive *a, void *ctx)
{
	int64_t *seen = ctx;
	seen[0]++;
	seen[1] = seen[1] * 10 + a->edition;
	seen[2] += (int64_t)a->len;
	return 0;
}

/* As collect_edition, and the bytes must not come (a non-zero return stops and fails). */
static int list_edition(const reg_registry_archive *a, void *ctx)
{
	int64_t *seen = ctx;
	seen[0]++;
	seen[1] = seen[1] * 10 + a->edition;
	seen[2] += (int64_t)a->len;
	return a->bytes ? -1 : 0;
}

static void test_archives(void)
{
	reg_err *err = NULL;
	char *path = new_target("archives");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001", *u = "91150302MA0000014X";
	add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);
	/* Bytes as a .tar.gz has them: NULs, high bytes, a backslash, every value. */
	unsigned char bytes[600];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 7 + (i >> 8));
	bytes[0] = 0x1f, bytes[1] = 0x8b, bytes[2] = 0, bytes[3] = '\\';

	reg_registry_archive first = {u, 1, n, 5000, DIGEST, bytes, sizeof bytes};
	fails(reg_registry_add_archive(reg, &first, &err), &err, REG_ENO, "not been issued",
	      "an archive needs an issued USCC");
	reg_registry_issuance is = {n, u, 5000, NULL, NULL};
	succeeds(reg_registry_add_issuance(reg, &is, &err), &err, "issue");
	succeeds(reg_registry_add_archive(reg, &first, &err), &err, "record edition 1");
	fails(reg_registry_add_archive(reg, &first, &err), &err, REG_ENO, "already recorded",
	      "an edition is recorded once");
	reg_registry_archive second = {u, 2, n, 6000, "bb", bytes + 100, 50};
	succeeds(reg_registry_add_archive(reg, &second, &err), &err, "record edition 2");

	reg_registry_archive got;
	bool found = false;
	succeeds(reg_registry_get_archive(reg, u, 1, &got, &found, &err), &err, "edition 1");
	ok(found && got.len == sizeof bytes && memcmp(got.bytes, bytes, sizeof bytes) == 0,
	   "its bytes come back exactly (%zu bytes)", got.len);
	is_int(got.made_at, 5000, "with its time");
	reg_registry_archive_clear(&got);
	succeeds(reg_registry_get_archive(reg, u, 0, &got, &found, &err), &err, "the latest");
	ok(found && got.edition == 2 && got.len == 50 && memcmp(got.bytes, bytes + 100, 50) == 0,
	   "the latest edition is the second");
	reg_registry_archive_clear(&got);
	succeeds(reg_registry_find_archive(reg, "bb", &got, &found, &err), &err, "by digest");
	ok(found && got.edition == 2, "an edition is found by its digest");
	reg_registry_archive_clear(&got);
	succeeds(reg_registry_find_archive(reg, "cc", &got, &found, &err), &err, "unknown digest");
	ok(!found, "an unknown digest is not found");
	int64_t seen[3] = {0, 0, 0};
	succeeds(reg_registry_each_archive(reg, u, collect_edition, seen, &err), &err, "editions");
	ok(seen[0] == 2 && seen[1] == 12 && seen[2] == (int64_t)sizeof bytes + 50,
	   "every edition in order, with its bytes");

	int64_t listed[3] = {0, 0, 0};
	succeeds(reg_registry_each_edition(reg, u, list_edition, listed, &err), &err,
		 "editions without bytes");
	ok(listed[0] == 2 && listed[1] == 12 && listed[2] == (int64_t)sizeof bytes + 50,
	   "every edition in order, with its byte count and no bytes");
	listed[0] = 0;
	succeeds(reg_registry_each_edition(reg, "91150302MA00000XXX", list_edition, listed, &err),
		 &err, "editions of an unknown USCC");
	is_int(listed[0], 0, "none");

	ok(database_refuses(path, "UPDATE archives SET made_at = 1", "never changed"),
	   "the database refuses to change a recorded archive");
	ok(database_refuses(path, "DELETE FROM archives", "never changed"),
	   "or to delete one");
	is_int(count(reg, "archives"), 2, "both editions are still there");
	reg_registry_free(reg);
	free(path);
}

/* ---- a refused write inside a transaction ---------------------------------------------------- */

/* PostgreSQL refuses every statement of a failed transaction until ROLLBACK: the callers roll
 * back on every error, and the handle must then work as before. */
static void test_failure_in_transaction(void)
{
	reg_err *err = NULL;
	char *path = new_target("failure");
	reg_registry *reg = must_open(path);
	const char *n = "150302-20261123-000001";
	succeeds(add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err), &err, "add a dossier");

	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "a serial");
	reg_registry_approval stray = {0, "150302-20261123-000099", "tax-registration", "tax",
				       REG_REGISTRY_VERDICT_APPROVED, 200, "r", DIGEST,
				       NULL, NULL, NULL, NULL};
	fails(reg_registry_add_approval(reg, &stray, NULL, &err), &err, REG_ENO,
	      "not in the registry", "a write the database refuses, inside the transaction");
	ok(reg_registry_in_transaction(reg), "the transaction is still to be ended");
	succeeds(reg_registry_rollback(reg, &err), &err, "rollback after the failure");
	ok(!reg_registry_in_transaction(reg), "no transaction after rollback");
	succeeds(reg_registry_begin(reg, &err), &err, "begin again");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "the serial was given back");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");

	/* The same inside one dossier's savepoint: the group goes on. */
	succeeds(reg_registry_begin(reg, &err), &err, "begin a group");
	succeeds(reg_registry_savepoint(reg, &err), &err, "savepoint");
	is_int(take(reg, "acceptance:150302:20261123"), 2, "a serial in the savepoint");
	fails(reg_registry_add_approval(reg, &stray, NULL, &err), &err, REG_ENO,
	      "not in the registry", "a refused write inside the savepoint");
	succeeds(reg_registry_savepoint_rollback(reg, &err), &err, "roll back to the savepoint");
	succeeds(reg_registry_savepoint(reg, &err), &err, "the next dossier's savepoint");
	is_int(take(reg, "acceptance:150302:20261123"), 2, "gets the serial given back");
	succeeds(reg_registry_add_event(reg, 1, "accepted", n, NULL, NULL, &err), &err,
		 "and writes");
	succeeds(reg_registry_savepoint_release(reg, &err), &err, "release");
	succeeds(reg_registry_commit(reg, &err), &err, "the group commits");
	is_int(count(reg, "events"), 1, "what came after the failure is kept");
	reg_registry_free(reg);
	free(path);
}

/* ---- copying a registry ----------------------------------------------------------------------- */

static int note_event(const reg_registry_event *e, void *ctx)
{
	char *buf = ctx;
	char line[160];
	snprintf(line, sizeof line, "%lld %lld %s %s %s\n", (long long)e->id, (long long)e->at,
		 e->kind, e->number ? e->number : "-", e->detail ? e->detail : "(null)");
	strncat(buf, line, 2047 - strlen(buf));
	return 0;
}

/* Everything one dossier's rows hold, as text, to compare two registries. */
static void describe(reg_registry *reg, const char *n, char *buf, size_t size)
{
	reg_err *err = NULL;
	reg_registry_dossier d;
	bool found = false;
	buf[0] = '\0';
	if (reg_registry_get_dossier(reg, n, &d, &found, &err) == 0 && found)
		snprintf(buf, size, "%s %s %s %lld %s %s %s v%lld\n", d.number, d.name, d.state,
			 (long long)d.accepted_at, d.window ? d.window : "(null)",
			 d.clerk ? d.clerk : "(null)",
			 d.application_digest ? d.application_digest : "(null)", (long long)d.version);
	reg_registry_dossier_clear(&d);
	reg_registry_each_event(reg, NULL, note_event, buf, &err);
	reg_registry_archive a;
	if (reg_registry_get_archive(reg, "91150302MA0000014X", 0, &a, &found, &err) == 0 && found) {
		char line[64];
		snprintf(line, sizeof line, "archive %lld %zu %02x%02x\n", (long long)a.edition, a.len,
			 a.bytes[2], a.bytes[3]);
		strncat(buf, line, size - strlen(buf) - 1);
	}
	reg_registry_archive_clear(&a);
	if (err)
		diag("describe: %s", reg_err_message(err));
	reg_err_free(err);
}

static void fill(reg_registry *reg)
{
	reg_err *err = NULL;
	const char *n = "150302-20261123-000001", *u = "91150302MA0000014X";
	unsigned char bytes[300];
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)i;
	succeeds(reg_registry_begin(reg, &err), &err, "fill: begin");
	take(reg, "acceptance:150302:20261123");
	take(reg, "acceptance:150302:20261123");
	add_dossier(reg, n, "乌海市恒泰商贸有限公司", &err);
	reg_registry_dossier bare = {.number = "150302-20261123-000002", .name = "乌海市乙商贸有限公司",
				     .authority = "150302", .state = REG_REGISTRY_STATE_PENDING,
				     .accepted_at = 7};
	reg_registry_add_dossier(reg, &bare, &FIRST_BODY, &err);
	reg_registry_reserve_name(reg, "150302", "乌海市恒泰商贸有限公司", n, 1, &err);
	reg_registry_commitment c1 = {n, "premises-proof", "2026-12-23", 2000, 0, NULL};
	reg_registry_commitment c2 = {n, "agent-authority", "2026-12-01", 1000, 0, NULL};
	reg_registry_add_commitment(reg, &c1, &err);
	reg_registry_add_commitment(reg, &c2, &err);
	reg_registry_fulfil_commitment(reg, n, "agent-authority", 900, DIGEST, &err);
	reg_registry_approval a = {0, n, "tax-registration", "tax", REG_REGISTRY_VERDICT_APPROVED,
				   200, "r", DIGEST, "2026-11-23T10:00:00+08:00", "a\nb", "c2ln",
				   "k1"};
	reg_registry_add_approval(reg, &a, NULL, &err);
	reg_registry_issuance is = {n, u, 5000, "out/x.tar.gz", DIGEST};
	reg_registry_add_issuance(reg, &is, &err);
	reg_registry_archive ar = {u, 1, n, 5000, DIGEST, bytes, sizeof bytes};
	reg_registry_add_archive(reg, &ar, &err);
	reg_registry_seal seal = {"1503020000001", u, "01", 5000};
	reg_registry_add_seal(reg, &seal, &err);
	reg_registry_slip slip = {n, "tax-registration", "reminder", 7000};
	bool already;
	reg_registry_add_slip(reg, &slip, &already, &err);
	reg_registry_add_event(reg, 100, "accepted", n, "window 01", NULL, &err);
	reg_registry_add_event(reg, 200, "opened", NULL, NULL, NULL, &err);
	succeeds(err ? -1 : 0, &err, "fill: every row recorded");
	succeeds(reg_registry_commit(reg, &err), &err, "fill: commit");
	/* A gap in the event ids, as a rollback leaves on PostgreSQL: the copy keeps ids as they
	 * are, gaps included. */
	reg_registry_begin(reg, &err);
	reg_registry_add_event(reg, 250, "lost", NULL, NULL, NULL, &err);
	reg_registry_rollback(reg, &err);
	reg_registry_add_event(reg, 300, "escalated", n, NULL, NULL, &err);
	succeeds(err ? -1 : 0, &err, "fill: the last event");
}

static int last_id(const reg_registry_event *e, void *ctx)
{
	*(int64_t *)ctx = e->id;
	return 0;
}

static int64_t last_event(reg_registry *reg)
{
	reg_err *err = NULL;
	int64_t id = -1;
	if (reg_registry_each_event(reg, NULL, last_id, &id, &err) < 0)
		diag("events: %s", reg_err_message(err));
	reg_err_free(err);
	return id;
}

static const char *const TABLES[] = {"serials", "dossiers", "bodies", "names", "commitments",
				     "approvals", "issuances", "archives", "seals", "slips",
				     "events"};

static bool same_counts(reg_registry *a, reg_registry *b)
{
	bool same = true;
	for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++) {
		int64_t na = count(a, TABLES[i]), nb = count(b, TABLES[i]);
		if (na != nb || na <= 0) {
			diag("%s: %lld and %lld rows", TABLES[i], (long long)na, (long long)nb);
			same = false;
		}
	}
	return same;
}

static void test_copy(void)
{
	reg_err *err = NULL;
	char *origin = new_target("copy-origin"), *file = new_path("copy-file");
	char *back = new_target("copy-back");
	reg_registry *src = must_open(origin);
	fill(src);
	reg_registry_free(src);

	/* The backend under test → a file → the backend again. */
	reg_registry *ro = reg_registry_open_readonly(origin, &err), *mid = must_open(file);
	reg_err_clear(&err);
	succeeds(reg_registry_copy(ro, mid, NULL, NULL, &err), &err, "copy to an SQLite file");
	reg_registry *dst = must_open(back);
	reg_registry *mid_ro = reg_registry_open_readonly(file, &err);
	reg_err_clear(&err);
	succeeds(reg_registry_copy(mid_ro, dst, NULL, NULL, &err), &err, "and back again");
	ok(same_counts(ro, mid) && same_counts(ro, dst), "every table has every row after both copies");
	char want[2048], got[2048];
	describe(ro, "150302-20261123-000001", want, sizeof want);
	describe(dst, "150302-20261123-000001", got, sizeof got);
	is_str(got, want, "rows, ids and bytes as they were");
	ok(strstr(want, "archive 1 300 0203") != NULL, "the archive's bytes are in the comparison");

	uint64_t v = 0;
	succeeds(reg_registry_begin(dst, &err), &err, "begin on the copy");
	succeeds(reg_registry_next_serial(dst, "acceptance:150302:20261123", &v, &err), &err,
		 "a serial on the copy");
	is_int(v, 3, "the counter goes on where the original stood");
	reg_registry_rollback(dst, NULL);
	int64_t id = 0, last = last_event(ro);
	succeeds(reg_registry_add_event(dst, 400, "copied", NULL, NULL, &id, &err), &err,
		 "an event on the copy");
	ok(id > last && last >= 3, "its id comes after every copied one (%lld > %lld)", (long long)id,
	   (long long)last);

	fails(reg_registry_copy(ro, dst, NULL, NULL, &err), &err, REG_ECANTCREAT, "not empty",
	      "a copy into a registry with rows is refused");
	fails(reg_registry_copy(ro, ro, NULL, NULL, &err), &err, REG_EINTERNAL, "read-only",
	      "a copy into a read-only handle is refused");
	reg_registry *same = must_open(origin);
	fails(reg_registry_copy(ro, same, NULL, NULL, &err), &err, REG_EUSAGE, "onto itself",
	      "a copy onto itself is refused");
	reg_registry_free(same);
	ok(!reg_registry_in_transaction(dst) && !reg_registry_in_transaction(ro),
	   "a refused copy leaves no transaction open");
	reg_registry_free(mid_ro);
	reg_registry_free(dst);
	reg_registry_free(mid);
	reg_registry_free(ro);
	free(back);
	free(file);
	free(origin);
}

/* ---- a rejected application leaves nothing -------------------------------------------------- */

static void test_rollback_leaves_nothing(void)
{
	reg_err *err = NULL;
	char *path = new_target("rollback");
	reg_registry *reg = must_open(path);
	static const char *const tables[] = { "serials", "dossiers", "names", "commitments",
					      "approvals", "issuances", "seals", "slips", "events" };
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		is_int(count(reg, tables[i]), 0, "a new registry has no %s", tables[i]);
	int64_t n = 0;
	fails(reg_registry_count(reg, "sqlite_schema", &n, &err), &err, REG_EINTERNAL,
	      "unknown registry table", "only the registry's own tables can be counted");
	fails(reg_registry_count(reg, "events; DROP TABLE events", &n, &err), &err, REG_EINTERNAL,
	      NULL, "a table name is never pasted into SQL");

	/* reg-apply's work on one dossier, failing at the end. */
	const char *num = "150302-20261123-000001";
	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "number taken");
	succeeds(add_dossier(reg, num, "乌海市恒泰商贸有限公司", &err), &err, "dossier recorded");
	succeeds(reg_registry_reserve_name(reg, "150302", "乌海市恒泰商贸有限公司", num, 1, &err), &err,
		 "name reserved");
	reg_registry_commitment c = { num, "premises-proof", "2026-12-23", 2000, 0, NULL };
	succeeds(reg_registry_add_commitment(reg, &c, &err), &err, "commitment recorded");
	succeeds(reg_registry_add_event(reg, 1, "accepted", num, NULL, NULL, &err), &err,
		 "event logged");
	is_int(count(reg, "dossiers"), 1, "inside the transaction the dossier is there");
	succeeds(reg_registry_rollback(reg, &err), &err, "a late failure rolls back");
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		is_int(count(reg, tables[i]), 0, "a rejected application leaves no row in %s",
		       tables[i]);
	bool taken = true;
	succeeds(reg_registry_name_taken(reg, "150302", "乌海市恒泰商贸有限公司", &taken, &err), &err,
		 "ask");
	ok(!taken, "the name is free again");
	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "the next application gets number 1");
	succeeds(reg_registry_commit(reg, &err), &err, "commit");
	reg_registry_free(reg);
	free(path);
}

/* reg-approve --all's grouping: several dossiers in one transaction, one of them undone alone. */
static void test_savepoints(void)
{
	reg_err *err = NULL;
	char *path = new_target("savepoints");
	reg_registry *reg = must_open(path);
	const char *n1 = "150302-20261123-000001", *n2 = "150302-20261123-000002",
		   *n3 = "150302-20261123-000003";

	fails(reg_registry_savepoint(reg, &err), &err, REG_EINTERNAL, "transaction",
	      "a savepoint outside a transaction is a caller's mistake");
	ok(reg_registry_savepoint_rollback(reg, &err) == 0 && !err,
	   "rolling back to no savepoint does nothing, as error paths expect");

	succeeds(reg_registry_begin(reg, &err), &err, "begin the group");
	succeeds(reg_registry_savepoint(reg, &err), &err, "savepoint for the first");
	succeeds(add_dossier(reg, n1, "乌海市甲商贸有限公司", &err), &err, "first recorded");
	fails(reg_registry_savepoint(reg, &err), &err, REG_EINTERNAL, "already open",
	      "savepoints do not nest");
	succeeds(reg_registry_savepoint_release(reg, &err), &err, "first kept");

	succeeds(reg_registry_savepoint(reg, &err), &err, "savepoint for the second");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "the second takes serial 1");
	succeeds(add_dossier(reg, n2, "乌海市乙商贸有限公司", &err), &err, "second recorded");
	succeeds(reg_registry_add_event(reg, 1, "accepted", n2, NULL, NULL, &err), &err,
		 "with its event");
	succeeds(reg_registry_savepoint_rollback(reg, &err), &err, "the second is refused");
	ok(reg_registry_in_transaction(reg), "the group's transaction stays open");

	succeeds(reg_registry_savepoint(reg, &err), &err, "savepoint for the third");
	is_int(take(reg, "acceptance:150302:20261123"), 1, "the refused one's serial is given back");
	succeeds(add_dossier(reg, n3, "乌海市丙商贸有限公司", &err), &err, "third recorded");
	fails(reg_registry_commit(reg, &err), &err, REG_EINTERNAL, "savepoint",
	      "commit with a savepoint open is a caller's mistake");
	ok(reg_registry_in_transaction(reg), "and commits nothing");
	succeeds(reg_registry_savepoint_release(reg, &err), &err, "third kept");
	succeeds(reg_registry_commit(reg, &err), &err, "commit the group");

	is_int(count(reg, "dossiers"), 2, "the first and the third are recorded");
	is_int(count(reg, "events"), 0, "the refused one left no event");
	reg_registry_dossier row = {0};
	bool found = true;
	succeeds(reg_registry_get_dossier(reg, n2, &row, &found, &err), &err, "look up the second");
	ok(!found, "the refused one left no dossier row");
	reg_registry_dossier_clear(&row);

	/* A whole rollback also forgets the open savepoint. */
	succeeds(reg_registry_begin(reg, &err), &err, "begin");
	succeeds(reg_registry_savepoint(reg, &err), &err, "savepoint");
	succeeds(reg_registry_rollback(reg, &err), &err, "roll everything back");
	succeeds(reg_registry_begin(reg, &err), &err, "begin again");
	succeeds(reg_registry_commit(reg, &err), &err, "no savepoint is left over to block commit");
	reg_registry_free(reg);
	free(path);
}

/* ---- files that are not registries ---------------------------------------------------------- */

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0)
		abort();
}

static void test_not_registries(void)
{
	reg_err *err = NULL;
	reg_registry *reg;

	char *garbage = new_path("garbage");
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)("not a database, just words\n"[i % 27]);
	write_file(garbage, junk, sizeof junk);
	reg = reg_registry_open(garbage, &err);
	ok(reg == NULL, "a garbage file does not open");
	is_int(reg_err_code(err), REG_ECONFIG, "a garbage file is a configuration error");
	ok(err && strstr(reg_err_message(err), "not an SQLite database"), "saying what it is not");
	is_str(reg_err_file(err), garbage, "located at the file");
	reg_err_clear(&err);
	reg = reg_registry_open_readonly(garbage, &err);
	ok(reg == NULL && reg_err_code(err) == REG_ECONFIG, "read-only: garbage is REG_ECONFIG too");
	reg_err_clear(&err);
	struct stat sb;
	ok(stat(garbage, &sb) == 0 && sb.st_size == (off_t)sizeof junk,
	   "the garbage file is left as it was");
	free(garbage);

	char *small = new_path("small");
	write_file(small, "hello\n", 6);
	reg = reg_registry_open(small, &err);
	ok(reg == NULL && reg_err_code(err) == REG_ECONFIG, "a small text file is REG_ECONFIG");
	reg_err_clear(&err);
	free(small);

	char *other = new_path("other");
	is_int(raw_exec(other, "CREATE TABLE customers (id INTEGER)", NULL, 0), SQLITE_OK,
	       "make another program's database");
	reg = reg_registry_open(other, &err);
	ok(reg == NULL, "another program's database does not open");
	fails(-1, &err, REG_ECONFIG, "another program", "it is REG_ECONFIG: not a registry");
	free(other);

	char *future = new_path("future");
	reg_registry_free(must_open(future));
	is_int(raw_exec(future, "PRAGMA user_version = 99", NULL, 0), SQLITE_OK,
	       "forge a version from the future");
	reg = reg_registry_open(future, &err);
	ok(reg == NULL, "a registry from the future does not open");
	fails(-1, &err, REG_ECONFIG, "newer than this regkit knows",
	      "it is REG_ECONFIG, asking for a newer regkit");
	reg = reg_registry_open_readonly(future, &err);
	ok(reg == NULL, "not even read-only");
	fails(-1, &err, REG_ECONFIG, "newer", "REG_ECONFIG read-only too");
	char *v = raw_text(future, "PRAGMA user_version");
	is_str(v, "99", "its version is left alone");
	free(v);
	free(future);

	/* An older registry (marked as regkit's, version 0) is brought up to date for writing. */
	char *old = new_path("old");
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; CREATE TABLE legacy (x)",
		 APPLICATION_ID);
	is_int(raw_exec(old, sql, NULL, 0), SQLITE_OK, "make a version-0 registry");
	reg = reg_registry_open_readonly(old, &err);
	ok(reg == NULL, "an older registry does not open read-only");
	fails(-1, &err, REG_ECONFIG, "older", "REG_ECONFIG, asking to upgrade");
	reg = reg_registry_open(old, &err);
	ok(reg != NULL, "it opens for writing");
	reg_err_clear(&err);
	int version = 0;
	if (reg)
		succeeds(reg_registry_schema_version(reg, &version, &err), &err, "version");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "and is migrated to the current version");
	reg_registry_free(reg);
	free(old);

	reg = reg_registry_open(tmpdir, &err);
	ok(reg == NULL && reg_err_code(err) == REG_ECANTCREAT, "a directory is not a registry");
	reg_err_clear(&err);
	char *nodir = NULL;
	if (asprintf(&nodir, "%s/no/such/dir/registry.db", tmpdir) < 0)
		abort();
	reg = reg_registry_open(nodir, &err);
	ok(reg == NULL && reg_err_code(err) == REG_ECANTCREAT,
	   "a registry in a missing directory cannot be created");
	reg_err_clear(&err);
	free(nodir);
	reg = reg_registry_open("", &err);
	ok(reg == NULL && reg_err_code(err) == REG_EUSAGE, "an empty path is a usage error");
	reg_err_clear(&err);
}

/* ---- read-only ------------------------------------------------------------------------------ */

static void test_readonly(void)
{
	reg_err *err = NULL;
	char *missing = new_target("missing");
	reg_registry *reg = reg_registry_open_readonly(missing, &err);
	ok(reg == NULL, "a missing registry does not open read-only");
	is_int(reg_err_code(err), REG_ENOINPUT, "it is REG_ENOINPUT");
	if (!pg)
		is_str(reg_err_file(err), missing, "located at the path asked for");
	else
		ok(reg_err_file(err) && strncmp(reg_err_file(err), "postgresql://", 13) == 0,
		   "located at the server");
	reg_err_clear(&err);
	ok(!has_registry(missing), "and no registry is created");
	if (!pg) {
		char *side = NULL;
		if (asprintf(&side, "%s-wal", missing) < 0)
			abort();
		ok(!exists(side), "nor a WAL file");
		free(side);
	}
	free(missing);

	char *path = new_target("readonly");
	reg = must_open(path);
	add_dossier(reg, "150302-20261123-000001", "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);
	reg_registry *ro = reg_registry_open_readonly(path, &err);
	ok(ro != NULL && reg_registry_readonly(ro), "an existing registry opens read-only");
	reg_err_clear(&err);
	if (!ro) {
		reg_registry_free(reg);
		free(path);
		return;
	}
	reg_registry_dossier d;
	bool found = false;
	succeeds(reg_registry_get_dossier(ro, "150302-20261123-000001", &d, &found, &err), &err,
		 "read through the read-only handle");
	ok(found, "it sees the dossier");
	reg_registry_dossier_clear(&d);
	fails(reg_registry_begin(ro, &err), &err, REG_EINTERNAL, "read-only",
	      "a read-only handle cannot begin a transaction");
	fails(reg_registry_add_event(ro, 1, "accepted", NULL, NULL, NULL, &err), &err, REG_EINTERNAL,
	      NULL, "nor write");
	reg_registry_slip slip = {"150302-20261123-000001", "tax-registration", "reminder", 1};
	bool already = false;
	fails(reg_registry_add_slip(ro, &slip, &already, &err), &err, REG_EINTERNAL, NULL,
	      "nor record a slip");
	int version = 0;
	succeeds(reg_registry_schema_version(ro, &version, &err), &err, "the version is readable");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "read-only, at the current version");
	/* A writer's later commit is visible to the reader (WAL: it never blocks either). */
	succeeds(reg_registry_add_event(reg, 1, "accepted", NULL, NULL, NULL, &err), &err,
		 "the writer writes while the reader is open");
	is_int(count(ro, "events"), 1, "the reader sees the committed event");
	reg_registry_free(ro);
	reg_registry_free(reg);
	free(path);
}

/* ---- busy ----------------------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_busy(void)
{
	reg_err *err = NULL;
	char *path = new_target("busy");
	const char *n = "150302-20261123-000001";

	setenv("REG_BUSY_TIMEOUT_MS", "soon", 1);
	reg_registry *reg = reg_registry_open(path, &err);
	ok(reg == NULL, "a bad REG_BUSY_TIMEOUT_MS refuses to open");
	fails(-1, &err, REG_ECONFIG, "'soon' is not a number of milliseconds",
	      "it is REG_ECONFIG and says why");

	setenv("REG_BUSY_TIMEOUT_MS", "200", 1);
	reg_registry *a = must_open(path);
	reg_registry *b = must_open(path);
	add_dossier(a, n, "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);

	/* One process holds a dossier and a counter (SQLite: the whole write lock at begin;
	 * PostgreSQL: the rows it took); the other waits for the same ones, up to the timeout. */
	bool found = false;
	succeeds(reg_registry_begin(a, &err), &err, "one connection begins");
	is_int(take(a, "uscc:150302"), 1, "and takes a serial");
	succeeds(reg_registry_lock_dossier(a, n, &found, &err), &err, "and locks a dossier");
	double t0 = now_ms();
	uint64_t v = 0;
	int rc = reg_registry_begin(b, &err);
	if (rc == 0)
		rc = reg_registry_next_serial(b, "uscc:150302", &v, &err);
	double waited = now_ms() - t0;
	ok(rc < 0, "the other cannot take the same counter while it is held");
	is_int(reg_err_code(err), REG_EBUSY, "it is REG_EBUSY");
	is_str(reg_err_message(err), "registry busy, try again", "saying to try again");
	is_str(reg_err_file(err), reg_registry_path(b), "located at the registry");
	reg_err_clear(&err);
	ok(waited >= 150, "it waited for the busy timeout first (%.0f ms)", waited);
	ok(waited < 5000, "but not for the default 10 s");
	succeeds(reg_registry_rollback(b, &err), &err, "the failed one rolls back");
	ok(!reg_registry_in_transaction(b), "and has no transaction open");
	fails(reg_registry_set_dossier_state(b, n, REG_REGISTRY_STATE_PENDING, &err), &err, REG_EBUSY,
	      NULL, "a single write of a held row outside a transaction is busy too");

	reg_registry_dossier d;
	succeeds(reg_registry_get_dossier(b, n, &d, &found, &err), &err,
		 "reading is never blocked by a writer");
	ok(found, "the reader sees committed data");
	reg_registry_dossier_clear(&d);

	succeeds(reg_registry_commit(a, &err), &err, "the first commits");
	succeeds(reg_registry_begin(b, &err), &err, "now the other can begin");
	is_int(take(b, "uscc:150302"), 2, "and gets the next serial");
	succeeds(reg_registry_commit(b, &err), &err, "commit");

	setenv("REG_BUSY_TIMEOUT_MS", "0", 1);
	reg_registry *c = must_open(path);
	succeeds(reg_registry_begin(a, &err), &err, "lock again");
	is_int(take(a, "uscc:150302"), 3, "the next serial");
	t0 = now_ms();
	rc = reg_registry_begin(c, &err);
	if (rc == 0)
		rc = reg_registry_next_serial(c, "uscc:150302", &v, &err);
	fails(rc, &err, REG_EBUSY, NULL, "REG_BUSY_TIMEOUT_MS=0 fails at once");
	ok(now_ms() - t0 < 150, "without waiting");
	reg_registry_rollback(c, NULL);
	reg_registry_rollback(a, NULL);
	reg_registry_free(c);
	reg_registry_free(b);
	reg_registry_free(a);
	unsetenv("REG_BUSY_TIMEOUT_MS");
	free(path);
}

/* ---- what only a server has ---------------------------------------------------------------- */

/* `uri` with one more query parameter (a later one overrides an earlier one in libpq). */
static char *with_param(const char *uri, const char *param)
{
	char *out = NULL;
	if (asprintf(&out, "%s%c%s", uri, strchr(uri, '?') ? '&' : '?', param) < 0)
		abort();
	return out;
}

static bool clean_of(const reg_err *err, const char *secret)
{
	const char *file = reg_err_file(err), *msg = reg_err_message(err);
	return msg && !strstr(msg, secret) && (!file || !strstr(file, secret));
}

static void test_server_databases(void)
{
	reg_err *err = NULL;
	reg_registry *reg;

	char *other = new_database("other", "UTF8");
	ok(pg_exec(other, "CREATE TABLE customers (id BIGINT)", NULL, 0),
	   "make another program's database");
	reg = reg_registry_open(other, &err);
	ok(reg == NULL, "another program's database does not open");
	fails(-1, &err, REG_ECONFIG, "another program", "it is REG_ECONFIG: not a registry");
	char *n = pg_text(other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
	is_str(n, "1", "and it is left as it was");
	free(n);
	free(other);

	char *future = new_database("future", "UTF8");
	reg_registry_free(must_open(future));
	ok(pg_exec(future, "UPDATE regkit_meta SET value = '99' WHERE key = 'schema_version'", NULL,
		   0), "forge a version from the future");
	reg = reg_registry_open(future, &err);
	ok(reg == NULL, "a registry from the future does not open");
	fails(-1, &err, REG_ECONFIG, "newer than this regkit knows",
	      "it is REG_ECONFIG, asking for a newer regkit");
	reg = reg_registry_open_readonly(future, &err);
	ok(reg == NULL, "not even read-only");
	fails(-1, &err, REG_ECONFIG, "newer", "REG_ECONFIG read-only too");
	n = pg_text(future, "SELECT value FROM regkit_meta WHERE key = 'schema_version'");
	is_str(n, "99", "its version is left alone");
	free(n);
	free(future);

	char *old = new_database("old", "UTF8");
	ok(pg_exec(old, "CREATE TABLE regkit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); "
		   "INSERT INTO regkit_meta VALUES ('registry', 'regkit'), ('schema_version', '0')",
		   NULL, 0), "make a version-0 registry");
	reg = reg_registry_open_readonly(old, &err);
	ok(reg == NULL, "an older registry does not open read-only");
	fails(-1, &err, REG_ECONFIG, "older", "REG_ECONFIG, asking to upgrade");
	reg = reg_registry_open_existing(old, &err);
	ok(reg != NULL, "it opens for writing");
	reg_err_clear(&err);
	int version = 0;
	if (reg)
		succeeds(reg_registry_schema_version(reg, &version, &err), &err, "version");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "and is migrated to the current version");
	reg_registry_free(reg);
	free(old);

	/* A database whose own collation is not byte order (ICU: a < B < c): the registry still
	 * orders and pages byte for byte, as SQLite does. */
	char *icu = new_database_as("icu", "UTF8", "LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C'");
	reg = must_open(icu);
	static const char *const numbers[] = {"150302-a", "150302-B", "150302-c", "150302-乙",
					      "150302-甲"};
	for (size_t i = 0; i < 5; i++)
		succeeds(add_dossier(reg, numbers[i], numbers[i], &err), &err, "a dossier");
	struct seen s = {0};
	succeeds(reg_registry_each_dossier(reg, NULL, collect_dossier, &s, &err), &err, "iterate");
	ok(s.calls == 5 && strcmp(s.numbers[0], "150302-B") == 0 &&
	   strcmp(s.numbers[1], "150302-a") == 0 && strcmp(s.numbers[3], "150302-乙") == 0,
	   "in byte order, whatever the database's collation (%s %s …)", s.numbers[0], s.numbers[1]);
	reg_registry_free(reg);
	free(icu);

	char *latin = new_database("latin1", "LATIN1");
	reg = reg_registry_open(latin, &err);
	ok(reg == NULL, "a database that is not UTF-8 does not open");
	fails(-1, &err, REG_ECONFIG, "not UTF-8", "it is REG_ECONFIG and says why");
	ok(!has_registry(latin), "and nothing is created in it");
	free(latin);
}

static void test_server_roles(void)
{
	reg_err *err = NULL;
	char clerk[64], auditor[64], sql[512];
	snprintf(clerk, sizeof clerk, "regkit_t%d_clerk", (int)getpid());
	snprintf(auditor, sizeof auditor, "regkit_t%d_auditor", (int)getpid());
	snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN; CREATE ROLE %s LOGIN", clerk, auditor);
	admin_exec(sql);

	char *owner = new_database("roles", "UTF8"), user[80];
	snprintf(user, sizeof user, "user=%s", clerk);
	char *as_clerk = with_param(owner, user);
	snprintf(user, sizeof user, "user=%s", auditor);
	char *as_auditor = with_param(owner, user);

	reg_registry *reg = reg_registry_open(as_clerk, &err);
	ok(reg == NULL, "a role that may not create tables cannot create the registry");
	fails(-1, &err, REG_ECANTCREAT, "reg-registry init",
	      "it is REG_ECANTCREAT, naming the command that creates it");
	ok(!has_registry(owner), "and nothing is left half-made");

	reg_registry *made = must_open(owner); /* the owner creates it (reg-registry init) */
	add_dossier(made, "150302-20261123-000001", "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);
	snprintf(sql, sizeof sql,
		 "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO %s; "
		 "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %s; "
		 "GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s", clerk, clerk, auditor);
	ok(pg_exec(owner, sql, NULL, 0), "grant the clerk writing, the auditor reading");

	reg = reg_registry_open_existing(as_clerk, &err);
	ok(reg != NULL, "the clerk's role opens the registry the owner made");
	reg_err_clear(&err);
	if (reg) {
		succeeds(reg_registry_begin(reg, &err), &err, "the clerk begins");
		is_int(take(reg, "acceptance:150302:20261123"), 1, "takes a serial");
		succeeds(reg_registry_add_event(reg, 1, "accepted", NULL, NULL, NULL, &err), &err,
			 "and logs an event");
		succeeds(reg_registry_commit(reg, &err), &err, "commit");
		reg_registry_free(reg);
	}

	reg = reg_registry_open_readonly(as_auditor, &err);
	ok(reg != NULL, "an auditor's role with SELECT only opens it read-only");
	reg_err_clear(&err);
	if (reg) {
		is_int(count(reg, "events"), 1, "and reads it");
		reg_registry_free(reg);
	}
	reg = reg_registry_open(as_auditor, &err);
	ok(reg != NULL, "a current registry opens for writing without creating anything");
	reg_err_clear(&err);
	if (reg) {
		fails(reg_registry_add_event(reg, 1, "accepted", NULL, NULL, NULL, &err), &err,
		      REG_ECANTCREAT, "permission denied", "but the auditor's writes are refused");
		reg_registry_free(reg);
	}
	reg_registry_free(made);
	free(as_auditor);
	free(as_clerk);
	free(owner);
}

static void test_server_connection(void)
{
	reg_err *err = NULL;
	char *db = new_database("connection", "UTF8");

	/* A wrong port: nothing listens there. */
	char *wrong = with_param(db, "port=1");
	char *lost = with_param(wrong, "password=s3cr3t-%3Dword");
	reg_registry *reg = reg_registry_open(lost, &err);
	ok(reg == NULL, "a server that is not there does not open");
	is_int(reg_err_code(err), REG_EIO, "it is REG_EIO");
	ok(reg_err_file(err) && strncmp(reg_err_file(err), "postgresql://regkit@", 20) == 0 &&
	   strstr(reg_err_file(err), ":1/regkit_t"), "naming the server: %s", reg_err_file(err));
	ok(strstr(reg_err_message(err), "cannot connect"), "saying it cannot connect: %s",
	   reg_err_message(err));
	ok(clean_of(err, "s3cr3t") && clean_of(err, "=word"), "never with its password");
	reg_err_clear(&err);
	free(lost);

	/* The password in the URI's user part, and a database that does not exist. */
	char *authority = strstr(db, ":///");
	char *in_user = NULL;
	if (asprintf(&in_user, "postgresql://regkit:hunter2@/no_such_db%s",
		     strchr(authority, '?')) < 0)
		abort();
	reg = reg_registry_open(in_user, &err);
	ok(reg == NULL && reg_err_code(err) == REG_EIO, "a database that does not exist is REG_EIO");
	ok(clean_of(err, "hunter2"), "without the password of the user part: %s",
	   reg_err_message(err));
	ok(reg_err_file(err) && strstr(reg_err_file(err), "/no_such_db"), "naming the database");
	reg_err_clear(&err);
	free(in_user);

	reg = reg_registry_open("postgresql://regkit:pa55@[::1", &err);
	ok(reg == NULL && reg_err_code(err) == REG_ECONFIG, "a URI libpq cannot read is REG_ECONFIG");
	ok(clean_of(err, "pa55"), "and says so without the password: %s", reg_err_message(err));
	reg_err_clear(&err);

	/* The server ends the session (a restart, an administrator). */
	reg = must_open(db);
	const char *name = databases[n_databases - 1];
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND pid <> pg_backend_pid()", name);
	PQclear(PQexec(admin, sql));
	int64_t rows = 0;
	fails(reg_registry_count(reg, "events", &rows, &err), &err, REG_EIO, "went away",
	      "a session the server ended is REG_EIO: the server went away");
	ok(!reg_registry_in_transaction(reg), "and no transaction is left to end");
	succeeds(reg_registry_rollback(reg, &err), &err, "rolling back is still safe");
	reg_registry_free(reg);
	free(wrong);
	free(db);
}

/* ---- main ----------------------------------------------------------------------------------- */

static void remove_tree(const char *dir)
{
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf -- '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	free(cmd);
}

/* The PostgreSQL run: the admin connection, or why there is none (skip or fail). */
static int start_pg(void)
{
	pg_base = getenv("REG_TEST_PG");
	const char *required = getenv("REG_TEST_PG_REQUIRED");
	if (!pg_base || !*pg_base) {
		if (required && *required) {
			ok(false, "a PostgreSQL server to test against (REG_TEST_PG is not set)");
			return tap_done();
		}
		printf("1..0 # SKIP no PostgreSQL server: set REG_TEST_PG to a libpq URI "
		       "(sh scripts/pg-cluster start DIR prints one)\n");
		return 0;
	}
	admin = PQconnectdb(pg_base);
	if (PQstatus(admin) != CONNECTION_OK) {
		ok(false, "connect to REG_TEST_PG: %s", PQerrorMessage(admin));
		return tap_done();
	}
	return -1;
}

static void stop_pg(void)
{
	char sql[160];
	for (int i = 0; i < n_databases; i++) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", databases[i]);
		PQclear(PQexec(admin, sql));
		free(databases[i]);
	}
	snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS regkit_t%d_clerk, regkit_t%d_auditor",
		 (int)getpid(), (int)getpid());
	PQclear(PQexec(admin, sql));
	PQfinish(admin);
}

int main(void)
{
	const char *backend = getenv("REG_TEST_BACKEND");
	pg = backend && strcmp(backend, "postgresql") == 0;
	if (pg) {
		int rc = start_pg();
		if (rc >= 0)
			return rc;
	}
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/test-registry-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	unsetenv("REG_BUSY_TIMEOUT_MS");

	test_create_reopen();
	test_serials();
	test_two_processes();
	test_dossiers();
	test_bodies();
	test_names();
	test_commitments();
	test_approvals();
	test_issuances_and_seals();
	test_archives();
	test_slips_and_events();
	test_rollback_leaves_nothing();
	test_savepoints();
	test_failure_in_transaction();
	test_readonly();
	test_busy();
	test_copy();
	if (pg) {
		test_server_databases();
		test_server_roles();
		test_server_connection();
		stop_pg();
	} else {
		test_not_registries();
	}

	remove_tree(tmpdir);
	return tap_done();
}
