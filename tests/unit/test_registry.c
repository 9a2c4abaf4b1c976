/*
 * test_registry — the authority's ledger on real files in a fresh temporary directory: what is
 * kept across reopening, serials that are never shared or burned (two processes at once, and
 * rollbacks), the ledger's uniqueness rules, the append-only log, and how the registry answers
 * files that are not registries, schemas from the future, a missing file and a lock held too long.
 * Where the API offers no way to do something (rewrite an event, forge a schema version), the
 * test does it with sqlite3 directly, as a user with the sqlite3 shell would.
 */
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

#include <sqlite3.h>

#include "registry.h"
#include "tap.h"

static char tmpdir[PATH_MAX];
static int file_counter;

/* A new file name in the temporary directory (owned by the caller). */
static char *new_path(const char *stem)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s-%d.db", tmpdir, stem, ++file_counter) < 0)
		abort();
	return p;
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
	char *path = new_path("create");
	reg_registry *reg = reg_registry_open_existing(path, &err);
	ok(!reg, "open_existing does not open a missing registry");
	fails(-1, &err, REG_ENOINPUT, "does not exist", "a missing registry is REG_ENOINPUT");
	ok(!exists(path), "and no file is created");
	reg = reg_registry_open(path, &err);
	ok(reg && !err, "open creates a registry on first use");
	ok(exists(path), "the file exists after the first open");
	int version = -1;
	succeeds(reg_registry_schema_version(reg, &version, &err), &err, "schema version readable");
	is_int(version, REG_REGISTRY_SCHEMA_VERSION, "a new registry has the current schema version");
	ok(!reg_registry_readonly(reg), "opened for writing");
	is_str(reg_registry_path(reg), path, "the handle knows its path");

	char *mode = raw_text(path, "PRAGMA journal_mode");
	is_str(mode, "wal", "the registry is in WAL mode");
	free(mode);
	char *appid = raw_text(path, "PRAGMA application_id");
	char want[32];
	snprintf(want, sizeof want, "%d", APPLICATION_ID);
	is_str(appid, want, "the file carries regkit's application id");
	free(appid);

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
	char *path = new_path("serials");
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
	char *path = new_path("race");
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
	for (int round = 0; round < 10; round++) {
		path = new_path("race-create");
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
	char *path = new_path("dossiers");
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
	char *path = new_path("names");
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
	char *path = new_path("commitments");
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
	char *path = new_path("approvals");
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
	char *path = new_path("issuances");
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
	char *path = new_path("slips");
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

	/* Someone with the sqlite3 shell tries to rewrite history. */
	char msg[256];
	int rc = raw_exec(path, "UPDATE events SET kind = 'rejected' WHERE kind = 'accepted'", msg,
			  sizeof msg);
	is_int(rc, SQLITE_CONSTRAINT_TRIGGER, "the database refuses to update an event");
	ok(strstr(msg, "append-only") != NULL, "saying the log is append-only");
	rc = raw_exec(path, "DELETE FROM events", msg, sizeof msg);
	is_int(rc, SQLITE_CONSTRAINT_TRIGGER, "the database refuses to delete an event");
	is_int(count(reg, "events"), 3, "every event is still there");
	memset(&s, 0, sizeof s);
	succeeds(reg_registry_each_event(reg, n, collect_event, &s, &err), &err, "events again");
	is_str(s.kinds[0], "accepted", "unchanged");
	reg_registry_free(reg);
	free(path);
}

/* ---- a rejected application leaves nothing -------------------------------------------------- */

static void test_rollback_leaves_nothing(void)
{
	reg_err *err = NULL;
	char *path = new_path("rollback");
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
	char *path = new_path("savepoints");
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
	char *missing = new_path("missing");
	reg_registry *reg = reg_registry_open_readonly(missing, &err);
	ok(reg == NULL, "a missing registry does not open read-only");
	is_int(reg_err_code(err), REG_ENOINPUT, "it is REG_ENOINPUT");
	is_str(reg_err_file(err), missing, "located at the path asked for");
	reg_err_clear(&err);
	ok(!exists(missing), "and no file is created");
	char *side = NULL;
	if (asprintf(&side, "%s-wal", missing) < 0)
		abort();
	ok(!exists(side), "nor a WAL file");
	free(side);
	free(missing);

	char *path = new_path("readonly");
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
	char *path = new_path("busy");

	setenv("REG_BUSY_TIMEOUT_MS", "soon", 1);
	reg_registry *reg = reg_registry_open(path, &err);
	ok(reg == NULL, "a bad REG_BUSY_TIMEOUT_MS refuses to open");
	fails(-1, &err, REG_ECONFIG, "'soon' is not a number of milliseconds",
	      "it is REG_ECONFIG and says why");

	setenv("REG_BUSY_TIMEOUT_MS", "200", 1);
	reg_registry *a = must_open(path);
	reg_registry *b = must_open(path);
	add_dossier(a, "150302-20261123-000001", "乌海市恒泰商贸有限公司", &err);
	reg_err_clear(&err);

	succeeds(reg_registry_begin(a, &err), &err, "one connection takes the write lock");
	is_int(take(a, "uscc:150302"), 1, "and a serial");
	double t0 = now_ms();
	int rc = reg_registry_begin(b, &err);
	double waited = now_ms() - t0;
	ok(rc < 0, "the other cannot begin while it is held");
	is_int(reg_err_code(err), REG_EBUSY, "it is REG_EBUSY");
	is_str(reg_err_message(err), "registry busy, try again", "saying to try again");
	is_str(reg_err_file(err), path, "located at the registry");
	reg_err_clear(&err);
	ok(waited >= 150, "it waited for the busy timeout first (%.0f ms)", waited);
	ok(waited < 5000, "but not for the default 10 s");
	ok(!reg_registry_in_transaction(b), "the failed begin left no transaction open");
	fails(reg_registry_add_event(b, 1, "accepted", NULL, NULL, NULL, &err), &err, REG_EBUSY, NULL,
	      "a single write outside a transaction is busy too");

	reg_registry_dossier d;
	bool found = false;
	succeeds(reg_registry_get_dossier(b, "150302-20261123-000001", &d, &found, &err), &err,
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
	t0 = now_ms();
	fails(reg_registry_begin(c, &err), &err, REG_EBUSY, NULL,
	      "REG_BUSY_TIMEOUT_MS=0 fails at once");
	ok(now_ms() - t0 < 150, "without waiting");
	reg_registry_rollback(a, NULL);
	reg_registry_free(c);
	reg_registry_free(b);
	reg_registry_free(a);
	unsetenv("REG_BUSY_TIMEOUT_MS");
	free(path);
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

int main(void)
{
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
	test_names();
	test_commitments();
	test_approvals();
	test_issuances_and_seals();
	test_slips_and_events();
	test_rollback_leaves_nothing();
	test_savepoints();
	test_not_registries();
	test_readonly();
	test_busy();

	remove_tree(tmpdir);
	return tap_done();
}
