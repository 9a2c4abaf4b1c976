/*
 * test_escalation — the promised time limits and the ladder (三单一函) with the shipped catalog
 * and the test authority's calendar: the rung reached exactly at and just short of each
 * threshold (75, 100, 150, 200% of the limit) and beyond, thresholds that are no whole second,
 * which reviews are pending for which answers, limits and deadlines in working time, a clock
 * that stands while the applicant owes a supplement and runs again once the pause ends; then
 * over a real registry: a department that never answered is chased from the stored body, a
 * review waiting on a supplement is not, nor a closed dossier, slips are written once each,
 * never twice, with the content a department reads, and the transfer letter goes to the
 * supervising body.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authority.h"
#include "catalog.h"
#include "escalation.h"
#include "registry.h"
#include "regkit-config.h"
#include "tap.h"
#include "xml.h"

#define H 3600
#define D 86400
#define HALF_DAY (3 * H + 1800) /* P0.5D on the test calendar: half of 08:30–12:00, 14:30–18:00 */
#define WORKDAY (7 * H)
/* 2026-11-23T09:00:00+08:00, a Monday */
#define ACCEPTED 1795395600
/* Tuesday 2026-11-24T09:00:00+08:00: one working day (7h) after ACCEPTED, 200% of P0.5D */
#define NEXT_DAY (ACCEPTED + D)

static char tmpdir[] = "/tmp/regkit-test-escalation.XXXXXX";

static const char *step_name(const reg_catalog *cat, int i)
{
	return i < 0 ? "none" : reg_step_id(reg_catalog_step(cat, (size_t)i));
}

static void test_thresholds(void)
{
	is_int(reg_escalation_threshold(4 * H, 75), 3 * H, "75%% of 4h is 3h");
	is_int(reg_escalation_threshold(4 * H, 100), 4 * H, "100%% of 4h is 4h");
	is_int(reg_escalation_threshold(4 * H, 150), 6 * H, "150%% of 4h is 6h");
	is_int(reg_escalation_threshold(4 * H, 200), 8 * H, "200%% of 4h is 8h");
	is_int(reg_escalation_threshold(7, 75), 6, "75%% of 7 s is 5.25 s, reached at 6 s, never early");
	is_int(reg_escalation_threshold(101, 150), 152, "150%% of 101 s is 151.5 s, reached at 152 s");
	is_int(reg_escalation_threshold(4 * H, 0), 0, "a rung at 0%% is reached at acceptance");
	is_int(reg_escalation_threshold(INT64_MAX, 200), INT64_MAX,
	       "an absurd limit saturates instead of overflowing");
	is_int(reg_escalation_threshold(INT64_MAX - 50, 100), INT64_MAX - 50,
	       "100%% of a huge limit is the limit itself");
}

static void test_steps(const reg_catalog *cat)
{
	static const struct {
		int64_t limit, elapsed;
		const char *want, *what;
	} cases[] = {
		{4 * H, -1, "none", "before acceptance"},
		{4 * H, 0, "none", "at acceptance"},
		{4 * H, 10798, "none", "74.99% of 4h"},
		{4 * H, 3 * H - 1, "none", "one second short of 75%"},
		{4 * H, 3 * H, "reminder", "75% of 4h exactly: 提醒单"},
		{4 * H, 4 * H - 1, "reminder", "one second short of 100%"},
		{4 * H, 4 * H, "urging", "100% of 4h exactly: 催办单"},
		{4 * H, 21456, "urging", "149% of 4h"},
		{4 * H, 6 * H - 1, "urging", "one second short of 150%"},
		{4 * H, 6 * H, "supervision", "150% of 4h exactly: 督办单"},
		{4 * H, 8 * H - 1, "supervision", "one second short of 200%"},
		{4 * H, 8 * H, "transfer", "200% of 4h exactly: 移交函"},
		{4 * H, 365 * D, "transfer", "a year later still the last rung"},
		{4 * H, INT64_MAX, "transfer", "the end of time"},
		{5 * D, 8 * H, "none", "8h of a 5-day limit"},
		{5 * D, 323999, "none", "a second short of 75% of 5 days"},
		{5 * D, 324000, "reminder", "75% of 5 days (3d18h)"},
		{5 * D, 10 * D, "transfer", "200% of 5 days"},
		{HALF_DAY, 9449, "none", "a second short of 75% of half a working day (2h37m30s)"},
		{HALF_DAY, 9450, "reminder", "75% of P0.5D"},
		{HALF_DAY, 2 * HALF_DAY, "transfer", "a whole working day after P0.5D began"},
	};
	is_int(reg_catalog_step_count(cat), 4, "the shipped ladder has four rungs");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_str(step_name(cat, reg_escalation_step(cat, cases[i].limit, cases[i].elapsed)),
		       cases[i].want, "%s", cases[i].what);
}

static void test_assess(const reg_catalog *cat, const reg_calendar *cal)
{
	size_t n = reg_catalog_item_count(cat);
	bool *applies = calloc(n, sizeof *applies);
	reg_answer *answers = calloc(n, sizeof *answers);
	reg_item_progress *out = calloc(n, sizeof *out);
	if (!applies || !answers || !out)
		abort();
	for (size_t i = 0; i < 6; i++)
		applies[i] = true;       /* items 1-6 apply to everyone */
	applies[9] = true;               /* recycling */
	applies[11] = true;              /* medical-device-2 */
	/* The applicant owes seal-filing's supplement since 10:00; statistics' was asked for at
	 * 10:00 and handed in at 11:00 (a pause that ended); recycling's since 10:00 too. */
	static const reg_pause owed[] = {{ACCEPTED + H, REG_PAUSE_OPEN}};
	static const reg_pause supplied[] = {{ACCEPTED + H, ACCEPTED + 2 * H}};
	answers[0] = (reg_answer){.given = true, .verdict = REG_VERDICT_APPROVED};
	answers[1] = (reg_answer){.given = true, .verdict = REG_VERDICT_REJECTED};
	answers[3] = (reg_answer){.given = true, .verdict = REG_VERDICT_NOT_APPLICABLE};
	answers[4] = (reg_answer){true, REG_VERDICT_SUPPLEMENT, supplied, 1};
	answers[5] = (reg_answer){true, REG_VERDICT_SUPPLEMENT, owed, 1};
	answers[7] = (reg_answer){.given = true, .verdict = REG_VERDICT_SUPPLEMENT}; /* not applying */
	answers[9] = (reg_answer){true, REG_VERDICT_SUPPLEMENT, owed, 1};

	/* Monday 15:00: 3h before lunch and 30 min after it, 3h30 of working time. */
	int64_t at15 = ACCEPTED + 6 * H;
	reg_calendar_gaps gaps = {0};
	reg_escalation_assess(cat, cal, applies, answers, true, ACCEPTED, at15, &gaps, out);
	is_int(out[0].wait, REG_WAIT_NONE, "approved: not pending");
	is_int(out[0].step, -1, "approved: no rung however late");
	is_int(out[1].wait, REG_WAIT_NONE, "rejected is an answer: not pending");
	is_int(out[2].wait, REG_WAIT_NO_ANSWER, "no verdict: pending, no-answer");
	is_int(out[2].limit, HALF_DAY, "P0.5D is 3h30m of working time");
	is_int(out[2].elapsed, HALF_DAY, "09:00 to 15:00 is 3h30m of working time (lunch excluded)");
	is_str(step_name(cat, out[2].step), "urging", "no verdict at 100%%: urging");
	is_int(out[2].deadline, ACCEPTED + 6 * H,
	       "the deadline is counted in working time: 15:00, not 12:30");
	is_int(out[3].wait, REG_WAIT_NONE, "not-applicable is an answer");
	is_int(out[4].wait, REG_WAIT_SUPPLEMENT, "a supplement handed in: still pending review");
	ok(!out[4].paused, "its clock runs again after the pause");
	is_int(out[4].elapsed, 2 * H + 1800, "the hour of the pause does not count");
	is_str(step_name(cat, out[4].step), "none", "so at 15:00 it is short of 75%%");
	is_int(out[4].deadline, ACCEPTED + 7 * H, "and its deadline moves by the pause: 16:00");
	is_int(out[5].wait, REG_WAIT_SUPPLEMENT, "a supplement owed: pending");
	ok(out[5].paused, "its clock stands");
	is_int(out[5].elapsed, H, "at the hour used before the request");
	is_int(out[5].step, -1, "no rung while the applicant holds the dossier");
	is_int(out[5].deadline, INT64_MAX, "and no deadline");
	is_int(out[7].wait, REG_WAIT_NONE, "an item that does not apply is never pending");
	{
		/* Asked for a supplement at 12:00, with 3h of 3h30 (85%) used: no rung while
		 * the applicant owes it, however late. */
		static const reg_pause late[] = {{ACCEPTED + 3 * H, REG_PAUSE_OPEN}};
		reg_answer saved = answers[5];
		answers[5] = (reg_answer){true, REG_VERDICT_SUPPLEMENT, late, 1};
		reg_escalation_assess(cat, cal, applies, answers, true, ACCEPTED, ACCEPTED + 30 * D,
				      NULL, out);
		ok(out[5].paused && out[5].elapsed == 3 * H && out[5].step == -1,
		   "a supplement asked for past 75%%: still no rung while it is owed");
		answers[5] = saved;
		reg_escalation_assess(cat, cal, applies, answers, true, ACCEPTED, at15, &gaps, out);
	}
	ok(!out[7].applies && out[9].applies, "applies is carried through");
	is_int(out[9].step, -1, "recycling waits on its supplement: no rung");
	is_int(out[11].wait, REG_WAIT_NO_ANSWER, "medical-device-2 pending");
	is_int(out[11].limit, 5 * WORKDAY, "its limit is five working days");
	is_int(out[11].step, -1, "3h30m of five days: no rung");
	is_int(out[11].deadline, ACCEPTED + 7 * D,
	       "P5D from Monday 09:00 is the next Monday 09:00, not Saturday");
	ok(out[12].item == reg_catalog_item(cat, 12), "each review names its item");
	is_int(gaps.count, 0, "all in 2026: no year without calendar data");

	/* Friday 16:00 (the brief's case): no rung over the weekend, urging by Monday evening. */
	int64_t fri = ACCEPTED + 4 * D + 7 * H;
	reg_escalation_assess(cat, cal, applies, answers, true, fri, fri + 20 * H, &gaps, out);
	is_int(out[2].step, -1, "accepted Friday 16:00: nothing by Saturday 12:00 (2h of 3h30)");
	reg_escalation_assess(cat, cal, applies, answers, true, fri, fri + 2 * D + 8 * H, &gaps, out);
	is_int(out[2].step, -1, "nor by Sunday 24:00");
	reg_escalation_assess(cat, cal, applies, answers, true, fri, fri + 2 * D + 17 * H + 3599,
			      &gaps, out);
	is_str(step_name(cat, out[2].step), "reminder", "Monday 09:59:59: a reminder");
	is_int(out[2].deadline, fri + 2 * D + 18 * H, "the deadline: Monday 10:00");
	reg_escalation_assess(cat, cal, applies, answers, true, fri, fri + 2 * D + 18 * H, &gaps,
			      out);
	is_str(step_name(cat, out[2].step), "urging", "Monday 10:00: overdue, urging");
	reg_escalation_assess(cat, cal, applies, answers, true, fri, fri + 3 * D + 2 * H, &gaps, out);
	is_str(step_name(cat, out[2].step), "transfer",
	       "Monday 18:00: 9h of working time, past 200%%: the transfer letter");

	/* Accepted Monday 28 December: the five-day items would run into 2027, which the test
	 * calendar lacks; answered, they are not counted and nothing asks for 2027. */
	int64_t dec28 = ACCEPTED + 35 * D;
	reg_answer approved = {.given = true, .verdict = REG_VERDICT_APPROVED};
	reg_answer keep9 = answers[9], keep11 = answers[11];
	answers[9] = answers[11] = approved;
	reg_calendar_gaps dec = {0};
	reg_escalation_assess(cat, cal, applies, answers, true, dec28, dec28 + H, &dec, out);
	is_int(dec.count, 0, "an answered item's deadline in 2027 is not counted");
	answers[11] = keep11;
	reg_escalation_assess(cat, cal, applies, answers, true, dec28, dec28 + H, &dec, out);
	ok(dec.count == 1 && dec.years[0] == 2027, "a pending one is, and 2027 is noted");
	is_int(out[11].deadline, dec28 + 7 * D, "Monday 4 January 2027 09:00, counted Monday to Friday");
	answers[9] = keep9;

	reg_escalation_assess(cat, cal, applies, answers, false, ACCEPTED, NEXT_DAY, NULL, out);
	size_t pending = 0;
	for (size_t i = 0; i < n; i++)
		pending += out[i].wait != REG_WAIT_NONE || out[i].step != -1;
	is_int(pending, 0, "a closed dossier has nothing pending");

	ok(!reg_escalation_state_open("rejected") && !reg_escalation_state_open("issued"),
	   "rejected and issued dossiers are closed");
	ok(reg_escalation_state_open("accepted") && reg_escalation_state_open("pending") &&
		   reg_escalation_state_open("approved"),
	   "accepted, pending and approved dossiers are open");
	is_str(reg_wait_name(REG_WAIT_NO_ANSWER), "no-answer", "wait name no-answer");
	is_str(reg_wait_name(REG_WAIT_SUPPLEMENT), "supplement", "wait name supplement");
	free(applies);
	free(answers);
	free(out);
}

/* ---- over a registry -------------------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (!fp || reg_read_all(fp, path, 1u << 24, &buf, &len, NULL) < 0) {
		if (fp)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	return buf;
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct tally {
	size_t written, already;
};

static int tally(const reg_slip_issued *s, void *ctx)
{
	struct tally *t = ctx;
	if (s->already)
		t->already++;
	else
		t->written++;
	return 0;
}

/* An SQLite registry file and its WAL companions. */
static void remove_registry(const char *db)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char path[sizeof tmpdir + 32];
		snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
		unlink(path);
	}
}

/* The sample dossier as the registry records it, accepted at ACCEPTED. */
static reg_registry_dossier sample_row(const char *body)
{
	return (reg_registry_dossier){
		.number = "150302-20261123-000001", .name = "乌海市恒泰商贸有限公司",
		.authority = "150302", .state = "accepted", .accepted_at = ACCEPTED,
		.body_digest = "0", .body = body,
	};
}

static void add_approval(reg_registry *reg, const char *item, const char *dept, const char *verdict,
			 int64_t at)
{
	reg_err *err = NULL;
	reg_registry_approval a = {.number = "150302-20261123-000001", .item = item, .dept = dept,
				   .verdict = verdict, .at = at, .reviewer = "test",
				   .body_digest = "0", .signature = "c2lnbmVk"}; /* counted as signed */
	if (reg_registry_add_approval(reg, &a, NULL, &err) < 0) {
		diag("add approval: %s", reg_err_message(err));
		abort();
	}
}

static void test_registry(const reg_catalog *cat, const reg_authority *auth, const char *sample)
{
	reg_err *err = NULL;
	char db[sizeof tmpdir + 16], slips[sizeof tmpdir + 16];
	snprintf(db, sizeof db, "%s/r.db", tmpdir);
	snprintf(slips, sizeof slips, "%s/slips", tmpdir);
	char *body = slurp(sample);
	reg_registry *reg = reg_registry_open(db, &err);
	reg_escalation *esc = reg_escalation_new(cat, auth, &err);
	size_t n = reg_catalog_item_count(cat);
	reg_item_progress *out = calloc(n, sizeof *out);
	if (!body || !reg || !esc || !out) {
		diag("setup: %s", err ? reg_err_message(err) : "cannot read the sample");
		abort();
	}
	reg_registry_dossier row = sample_row(body);
	reg_registry_body first = {.digest = "0", .body = body, .recorded_at = ACCEPTED};
	ok(reg_registry_add_dossier(reg, &row, &first, &err) == 0, "sample dossier recorded");
	reg_err_clear(&err);
	/* The sample requests foreign-trade and recycling: items 1-6, 8 and 10 apply. */
	add_approval(reg, "tax-registration", "tax", "approved", ACCEPTED + 1800);
	add_approval(reg, "recycling", "commerce", "supplement", ACCEPTED + 1860);
	add_approval(reg, "social-insurance", "hrss", "approved", ACCEPTED + 600);
	add_approval(reg, "social-insurance", "hrss", "supplement", ACCEPTED + 1200);
	add_approval(reg, "no-such-item", "nobody", "approved", ACCEPTED + 60);

	int rc = reg_escalation_review(esc, reg, &row, ACCEPTED + 3 * H, out, &err);
	ok(rc == 0 && !err, "review from the stored body");
	if (err)
		diag("%s", reg_err_message(err));
	reg_err_clear(&err);
	size_t applicable = 0;
	for (size_t i = 0; i < n; i++)
		applicable += out[i].applies;
	is_int(applicable, 8, "items 1-6, foreign-trade and recycling apply to the sample");
	is_int(out[0].wait, REG_WAIT_NO_ANSWER, "amr never answered: business-license pending");
	is_str(step_name(cat, out[0].step), "reminder", "at 12:00 (3h of P0.5D): reminder");
	is_int(out[2].wait, REG_WAIT_NONE, "tax approved: not pending");
	is_int(out[3].wait, REG_WAIT_SUPPLEMENT, "the later verdict (supplement) is in force");
	ok(out[3].paused && out[3].elapsed == 1200 && out[3].step == -1,
	   "its clock stopped at the supplement request (09:20), not at the approval before it");
	is_int(out[7].wait, REG_WAIT_NO_ANSWER, "foreign-trade pending");
	is_int(out[7].step, -1, "foreign-trade at 3h of 5 days: no rung");
	is_int(out[9].wait, REG_WAIT_SUPPLEMENT, "recycling waits for a supplement");
	ok(out[9].paused && out[9].elapsed == 1860, "and its clock stands since 09:31");
	ok(!out[13].applies && out[13].wait == REG_WAIT_NONE,
	   "origin-certificate applies by scope but was not requested");
	is_int(reg_escalation_gaps(esc)->count, 0, "2026 is in the calendar: no warning");

	/* Tuesday 09:00 is one working day on: items 1, 2, 5, 6 are at 200%, four slips each;
	 * social-insurance and recycling wait on the applicant: none. */
	struct tally t = {0};
	rc = reg_escalation_issue(esc, reg, slips, NEXT_DAY, tally, &t, &err);
	ok(rc == 0 && !err, "escalate the next morning");
	if (err)
		diag("%s", reg_err_message(err));
	reg_err_clear(&err);
	is_int(t.written, 16, "4 late items x 4 rungs = 16 slips written");
	is_int(t.already, 0, "none issued before");
	is_int(count_files(slips), 16, "16 files in the slip directory, no temporary left");
	int64_t rows = 0;
	reg_registry_count(reg, "slips", &rows, NULL);
	is_int(rows, 16, "16 slips recorded");
	char path[sizeof slips + 80];
	snprintf(path, sizeof path, "%s/150302-20261123-000001-social-insurance-reminder.xml",
		 slips);
	ok(access(path, F_OK) != 0, "no slip for an item whose supplement the applicant owes");

	t = (struct tally){0};
	rc = reg_escalation_issue(esc, reg, slips, NEXT_DAY + H, tally, &t, &err);
	ok(rc == 0 && !err, "escalate again");
	reg_err_clear(&err);
	is_int(t.written, 0, "the second run writes nothing");
	is_int(t.already, 16, "and knows all 16 were issued");
	reg_registry_count(reg, "slips", &rows, NULL);
	is_int(rows, 16, "still 16 slips recorded");

	snprintf(path, sizeof path, "%s/150302-20261123-000001-business-license-urging.xml", slips);
	char *slip = slurp(path);
	ok(slip != NULL, "the urging slip for business-license exists under its name");
	if (slip) {
		ok(strstr(slip, "<slip xmlns=\"urn:regkit:slip:1\">") != NULL, "slip namespace");
		ok(strstr(slip, "<step id=\"urging\" at=\"100\">\n    <zh>催办单</zh>") != NULL,
		   "slip names its rung");
		ok(strstr(slip, "<to dept=\"amr\">\n    <zh>市场监督管理局</zh>") != NULL,
		   "slip is addressed to the department");
		ok(strstr(slip, "<dossier number=\"150302-20261123-000001\" "
				"accepted=\"2026-11-23T09:00:00+08:00\">") != NULL,
		   "slip names the dossier and its acceptance");
		ok(strstr(slip, "<time-limit>P0.5D</time-limit>") != NULL,
		   "the time limit as the catalog writes it");
		ok(strstr(slip, "<deadline>2026-11-23T15:00:00+08:00</deadline>") != NULL,
		   "deadline: 3h30m of working time after acceptance, lunch excluded");
		ok(strstr(slip, "<overdue seconds=\"12600\">PT3H30M</overdue>") != NULL,
		   "overdue by 3h30m of working time on Tuesday 09:00");
		ok(strstr(slip, "<name>乌海市海勃湾区市场监督管理局</name>") != NULL,
		   "slip names the issuing authority");
	}
	free(slip);
	snprintf(path, sizeof path, "%s/150302-20261123-000001-statistics-transfer.xml", slips);
	slip = slurp(path);
	ok(slip && strstr(slip, "<to role=\"supervisor\">\n    <name>乌海市海勃湾区人民政府</name>"),
	   "the transfer letter goes to the supervising body");
	ok(slip && strstr(slip, "<late dept=\"stats\">\n    <zh>统计局</zh>") &&
		   !strstr(slip, "<to dept="),
	   "about the late department, not to it");
	free(slip);

	ok(reg_registry_set_dossier_state(reg, row.number, "issued", NULL) == 0, "issue the dossier");
	row.state = "issued";
	reg_escalation_review(esc, reg, &row, NEXT_DAY + 20 * H, out, &err);
	reg_err_clear(&err);
	size_t pending = 0;
	for (size_t i = 0; i < n; i++)
		pending += out[i].wait != REG_WAIT_NONE;
	is_int(pending, 0, "an issued dossier is no longer chased");

	reg_registry_dossier broken = row;
	broken.body = "<dossier xmlns=\"urn:regkit:dossier:1\"><enterprise>";
	rc = reg_escalation_review(esc, reg, &broken, ACCEPTED, out, &err);
	ok(rc < 0 && reg_err_code(err) == REG_EDATA && err &&
		   strstr(reg_err_message(err), "150302-20261123-000001"),
	   "a stored body that does not parse is REG_EDATA naming the dossier");
	reg_err_clear(&err);

	char *name = NULL;
	ok(reg_slip_file_name("150302-20261123-000001", "../x", "urging", &name, &err) < 0 &&
		   reg_err_code(err) == REG_EINTERNAL && !name,
	   "a slip file name never leaves its directory");
	reg_err_clear(&err);

	free(out);
	reg_escalation_free(esc);
	reg_escalation_free(NULL);
	reg_registry_free(reg);
	free(body);
	for (int i = 0; i < 4; i++) {
		static const char *const steps[] = {"reminder", "urging", "supervision", "transfer"};
		static const char *const items[] = {"business-license", "org-code", "statistics",
						    "seal-filing"};
		for (size_t k = 0; k < 4; k++) {
			snprintf(path, sizeof path, "%s/150302-20261123-000001-%s-%s.xml", slips,
				 items[k], steps[i]);
			unlink(path);
		}
	}
	rmdir(slips);
	remove_registry(db);
}

/* An authority that names no supervisor cannot send a transfer letter: nothing goes out. */
static void test_no_supervisor(const reg_catalog *cat, const char *sample)
{
	reg_err *err = NULL;
	char apath[sizeof tmpdir + 32], db[sizeof tmpdir + 16], slips[sizeof tmpdir + 16];
	snprintf(apath, sizeof apath, "%s/authority.xml", tmpdir);
	snprintf(db, sizeof db, "%s/s.db", tmpdir);
	snprintf(slips, sizeof slips, "%s/none", tmpdir);
	FILE *fp = fopen(apath, "w");
	if (!fp)
		abort();
	fputs("<authority xmlns=\"urn:regkit:authority:1\">\n"
	      "  <division>150302</division><name>乌海市海勃湾区市场监督管理局</name>\n"
	      "</authority>\n", fp);
	fclose(fp);
	char *body = slurp(sample);
	reg_authority *auth = reg_authority_load(apath, &err);
	reg_registry *reg = reg_registry_open(db, &err);
	reg_escalation *esc = auth ? reg_escalation_new(cat, auth, &err) : NULL;
	if (!body || !auth || !reg || !esc) {
		diag("setup: %s", err ? reg_err_message(err) : "cannot read the sample");
		abort();
	}
	reg_registry_dossier row = sample_row(body);
	reg_registry_body first = {.digest = "0", .body = body, .recorded_at = ACCEPTED};
	reg_registry_add_dossier(reg, &row, &first, NULL);
	struct tally t = {0};
	int rc = reg_escalation_issue(esc, reg, slips, NEXT_DAY, tally, &t, &err);
	int64_t rows = -1;
	reg_registry_count(reg, "slips", &rows, NULL);
	ok(rc < 0 && reg_err_code(err) == REG_ECONFIG && err &&
		   strstr(reg_err_message(err), "names no supervisor") && t.written == 0 &&
		   rows == 0 && access(slips, F_OK) != 0,
	   "a transfer letter due without a supervisor: REG_ECONFIG and nothing written");
	reg_err_clear(&err);
	char *msg = reg_calendar_gaps_message(reg_escalation_gaps(esc), reg_authority_calendar(auth));
	is_str(msg, "calendar has no year 2026: counted Monday to Friday",
	       "an authority without a calendar counts Monday to Friday and says so");
	free(msg);
	reg_escalation_free(esc);
	reg_registry_free(reg);
	reg_authority_free(auth);
	free(body);
	unlink(apath);
	remove_registry(db);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	const char *datadir = env && *env ? env : REG_SOURCE_DATADIR;
	env = getenv("REG_SOURCE_DIR");
	const char *srcdir = env && *env ? env : REG_SOURCE_DATADIR;
	char *schema_dir = NULL, *catalog = NULL, *authority = NULL, *sample = NULL;
	if (asprintf(&schema_dir, "%s/schemas", datadir) < 0 ||
	    asprintf(&catalog, "%s/catalog.xml", schema_dir) < 0 ||
	    asprintf(&authority, "%s/fixtures/authority/authority.xml", datadir) < 0 ||
	    asprintf(&sample, "%s/tests/fixtures-catalog/dossier-sample.xml", srcdir) < 0 ||
	    !mkdtemp(tmpdir))
		abort();
	reg_xml_init(schema_dir);

	reg_err *err = NULL;
	reg_catalog *cat = reg_catalog_load(catalog, schema_dir, &err);
	reg_authority *auth = cat ? reg_authority_load(authority, &err) : NULL;
	if (!ok(cat && auth, "the shipped catalog and test authority load"))
		reg_err_print(err, "#  ", stdout);
	reg_err_free(err);
	test_thresholds();
	if (cat && auth) {
		test_steps(cat);
		test_assess(cat, reg_authority_calendar(auth));
		test_registry(cat, auth, sample);
		test_no_supervisor(cat, sample);
	}
	reg_authority_free(auth);
	reg_catalog_free(cat);
	rmdir(tmpdir);
	free(schema_dir);
	free(catalog);
	free(authority);
	free(sample);
	reg_xml_cleanup();
	return tap_done();
}
