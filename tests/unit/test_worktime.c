/*
 * test_worktime — the office calendar and working time (docs/calendar.md), on the shipped test
 * authority's calendar (2026 as the State Council General Office's notice has it) and on
 * calendars written here: a Friday-afternoon acceptance is not due over the weekend, public
 * holidays are skipped and 调休 weekends worked, the lunch break never counts, pauses stop the
 * clock and the rest resumes after, a year without data counts Monday to Friday and says so,
 * and spans of centuries are exact and quick.  Every deadline is asserted to the second; wall
 * clock arithmetic gets each of them wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authority.h"
#include "clock.h"
#include "regkit-config.h"
#include "tap.h"
#include "worktime.h"
#include "xml.h"

#define H 3600
#define HALF_DAY (3 * H + 1800) /* P0.5D with 08:30–12:00 and 14:30–18:00 */
#define DAY_W (7 * H)

static char tmpdir[] = "/tmp/regkit-test-worktime.XXXXXX";

/* An instant from its ISO 8601 text (with offset). */
static int64_t T(const char *iso)
{
	int64_t t;
	if (reg_time_parse(iso, 8 * 60, &t, NULL, NULL) < 0)
		abort();
	return t;
}

/* The instant as the authority writes it, in a static buffer ("never" for INT64_MAX). */
static const char *when(int64_t t)
{
	static char buf[REG_TIME_ISO_MAX];
	if (t == INT64_MAX)
		return "never";
	reg_time_format(t, 8 * 60, buf);
	return buf;
}

static const char *iso(int64_t seconds, int64_t day)
{
	static char buf[REG_DURATION_ISO_MAX];
	reg_worktime_iso(seconds, day, buf);
	return buf;
}

/* A calendar from the text of a <calendar> element; NULL with *errp on failure. */
static reg_calendar *calendar_of(const char *inner, reg_err **errp)
{
	char *text = NULL;
	if (asprintf(&text,
		     "<authority xmlns=\"urn:regkit:authority:1\">\n<calendar>%s</calendar>\n"
		     "</authority>\n",
		     inner) < 0)
		abort();
	xmlDoc *doc = reg_xml_parse_memory(text, strlen(text), "cal.xml", errp);
	reg_calendar *cal = NULL;
	if (doc)
		cal = reg_calendar_parse(reg_xml_child(xmlDocGetRootElement(doc), REG_NS_AUTHORITY,
						       "calendar"),
					 8 * 60, "cal.xml", errp);
	xmlFreeDoc(doc);
	free(text);
	return cal;
}

static void test_durations(void)
{
	static const struct {
		const char *text;
		int64_t millidays, seconds;
		const char *canonical;
	} good[] = {
		{"P0.5D", 500, 0, "P0.5D"},        {"P5D", 5000, 0, "P5D"},
		{"PT4H", 0, 4 * H, "PT4H"},        {"P1DT2H", 1000, 2 * H, "P1DT2H"},
		{"P1.25D", 1250, 0, "P1.25D"},     {"P0.001D", 1, 0, "P0.001D"},
		{"P1.5DT30M", 1500, 1800, "P1.5DT30M"}, {"PT90M", 0, 5400, "PT1H30M"},
		{"P0.500D", 500, 0, "P0.5D"},      {"P999999D", 999999000, 0, "P999999D"},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		reg_workdur d = {-1, -1};
		char buf[REG_DURATION_ISO_MAX];
		ok(reg_workdur_parse(good[i].text, &d, NULL) == 0 &&
			   d.millidays == good[i].millidays && d.seconds == good[i].seconds,
		   "working duration %s", good[i].text);
		reg_workdur_format(d, buf);
		is_str(buf, good[i].canonical, "%s written as %s", good[i].text, good[i].canonical);
	}
	static const char *const bad[] = {"P",      "PT",    "P5DT",  "P1W",   "P2M",   "P1Y",
					  "P.5D",   "P0.D",  "P1,5D", "5D",    "P0.0005D",
					  "P1234567D", "P5H",  "PT5D",  "P5D5D", "p5d",   ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		reg_err *err = NULL;
		reg_workdur d = {7, 7};
		ok(reg_workdur_parse(bad[i], &d, &err) < 0 && reg_err_code(err) == REG_ECONFIG &&
			   strstr(reg_err_message(err), "bad working duration") && d.millidays == 7,
		   "'%s' is no working duration", bad[i]);
		reg_err_free(err);
	}
	ok(reg_workdur_is_zero((reg_workdur){0, 0}) && !reg_workdur_is_zero((reg_workdur){1, 0}),
	   "zero is zero");

	static const struct {
		int64_t s, day;
		const char *want;
	} isos[] = {
		{0, 86400, "PT0S"},  {3 * H, 86400, "PT3H"}, {5 * 86400, 86400, "P5D"},
		{86400 + 2 * H + 1800, 86400, "P1DT2H30M"}, {61, 86400, "PT1M1S"},
		{-H, 86400, "-PT1H"}, {-(5 * 86400 + 1), 86400, "-P5DT1S"},
		{INT64_MIN, 86400, "-P106751991167300DT15H30M8S"},
		{DAY_W, DAY_W, "P1D"}, {HALF_DAY, DAY_W, "PT3H30M"}, {5 * DAY_W, DAY_W, "P5D"},
		{DAY_W + 2 * H, DAY_W, "P1DT2H"}, {30 * H, 0, "PT30H"}, {-HALF_DAY, DAY_W, "-PT3H30M"},
	};
	for (size_t i = 0; i < sizeof isos / sizeof *isos; i++)
		is_str(iso(isos[i].s, isos[i].day), isos[i].want, "duration %lld with %lld s days",
		       (long long)isos[i].s, (long long)isos[i].day);
}

static void test_calendar_basics(const reg_calendar *cal)
{
	is_int(reg_calendar_day_seconds(cal), DAY_W, "a working day is 7 hours: lunch excluded");
	is_int(reg_calendar_offset(cal), 480, "the authority's UTC+08:00");
	is_int(reg_workdur_seconds(cal, (reg_workdur){500, 0}), HALF_DAY, "P0.5D is 3h30m");
	is_int(reg_workdur_seconds(cal, (reg_workdur){5000, 0}), 5 * DAY_W, "P5D is 35 hours");
	is_int(reg_workdur_seconds(cal, (reg_workdur){1250, 0}), 8 * H + 2700, "P1.25D is 8h45m");
	is_int(reg_workdur_seconds(cal, (reg_workdur){0, 4 * H}), 4 * H, "PT4H is four hours");
	is_int(reg_workdur_seconds(cal, (reg_workdur){1, 0}), 26,
	       "P0.001D is 25.2 s, rounded up: never shorter than written");
	ok(reg_calendar_has_year(cal, 2026) && !reg_calendar_has_year(cal, 2027),
	   "the shipped calendar has 2026 and not 2027");

	reg_calendar_gaps gaps = {0};
	ok(!reg_calendar_is_working_day(cal, 2026, 10, 1, &gaps), "2026-10-01 (Thursday) is off");
	ok(!reg_calendar_is_working_day(cal, 2026, 2, 16, &gaps), "春节 Monday 2026-02-16 is off");
	ok(reg_calendar_is_working_day(cal, 2026, 10, 10, &gaps), "Saturday 2026-10-10 is worked");
	ok(reg_calendar_is_working_day(cal, 2026, 9, 20, &gaps), "Sunday 2026-09-20 is worked");
	ok(!reg_calendar_is_working_day(cal, 2026, 10, 17, &gaps), "Saturday 2026-10-17 is not");
	ok(reg_calendar_is_working_day(cal, 2026, 11, 23, &gaps), "Monday 2026-11-23 is worked");
	ok(!reg_calendar_is_working_day(cal, 2026, 2, 30, &gaps), "2026-02-30 is no day at all");
	is_int(gaps.count, 0, "all of that is in 2026: no gap");
	is_int(reg_worktime_elapsed(cal, T("2026-01-01T00:00:00+08:00"),
				    T("2027-01-01T00:00:00+08:00"), NULL, 0, &gaps),
	       248 * DAY_W, "2026 has 248 working days of 7 hours (notice of 2025-11-04)");
	is_int(gaps.count, 0, "counting 2026 needs nothing of 2027");
}

/* The brief's own case: accepted on a Friday at 16:00, half a working day. */
static void test_friday_afternoon(const reg_calendar *cal)
{
	int64_t fri = T("2026-11-27T16:00:00+08:00");
	int64_t deadline = reg_worktime_end(cal, fri, HALF_DAY, NULL, 0, NULL);
	is_str(when(deadline), "2026-11-30T10:00:00+08:00",
	       "Friday 16:00 + P0.5D: 2h on Friday, 1h30 on Monday: due Monday 10:00");
	static const struct {
		const char *at;
		int64_t elapsed;
		bool overdue;
	} cases[] = {
		{"2026-11-27T18:00:00+08:00", 2 * H, false},
		{"2026-11-28T09:00:00+08:00", 2 * H, false}, /* Saturday morning */
		{"2026-11-28T20:00:00+08:00", 2 * H, false},
		{"2026-11-29T23:59:59+08:00", 2 * H, false}, /* Sunday night */
		{"2026-11-30T08:30:00+08:00", 2 * H, false},
		{"2026-11-30T09:59:59+08:00", HALF_DAY - 1, false},
		{"2026-11-30T10:00:00+08:00", HALF_DAY, true},
		{"2026-11-30T18:00:00+08:00", 2 * H + DAY_W, true}, /* Monday evening */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t e = reg_worktime_elapsed(cal, fri, T(cases[i].at), NULL, 0, NULL);
		is_int(e, cases[i].elapsed, "elapsed at %s", cases[i].at);
		ok((e >= HALF_DAY) == cases[i].overdue, "%s at %s", cases[i].overdue ? "overdue" :
		   "not overdue", cases[i].at);
	}
	is_int(reg_worktime_elapsed(cal, fri, deadline, NULL, 0, NULL), HALF_DAY,
	       "the deadline is exactly the limit after acceptance");
}

static void test_days_and_hours(const reg_calendar *cal)
{
	static const struct {
		const char *start;
		int64_t seconds;
		const char *want, *what;
	} ends[] = {
		{"2026-11-23T11:00:00+08:00", 2 * H, "2026-11-23T15:30:00+08:00",
		 "11:00 + 2h: 1h before lunch, 1h after 14:30 (the lunch break is not working time)"},
		{"2026-11-23T09:00:00+08:00", 3 * H, "2026-11-23T12:00:00+08:00",
		 "a limit that runs out at noon is due at 12:00, not at 14:30"},
		{"2026-11-23T12:30:00+08:00", H, "2026-11-23T15:30:00+08:00",
		 "accepted during lunch: the clock starts at 14:30"},
		{"2026-11-23T07:00:00+08:00", H, "2026-11-23T09:30:00+08:00",
		 "accepted before opening: the clock starts at 08:30"},
		{"2026-11-23T19:00:00+08:00", H, "2026-11-24T09:30:00+08:00",
		 "accepted after closing: the next morning"},
		{"2026-11-28T10:00:00+08:00", H, "2026-11-30T09:30:00+08:00",
		 "accepted on a Saturday: Monday"},
		{"2026-11-23T09:00:00+08:00", 5 * DAY_W, "2026-11-30T09:00:00+08:00",
		 "Monday 09:00 + P5D: the next Monday 09:00"},
		{"2026-09-30T16:00:00+08:00", HALF_DAY, "2026-10-08T10:00:00+08:00",
		 "Wednesday before 国庆节: 1–7 October are skipped, due Thursday 8 October"},
		{"2026-10-09T16:00:00+08:00", HALF_DAY, "2026-10-10T10:00:00+08:00",
		 "Friday 9 October: the 调休 Saturday 10 October is worked"},
		{"2026-09-18T16:00:00+08:00", HALF_DAY, "2026-09-20T10:00:00+08:00",
		 "Friday 18 September: the 调休 Sunday 20 September is worked"},
		{"2026-02-13T16:00:00+08:00", HALF_DAY, "2026-02-14T10:00:00+08:00",
		 "Friday before 春节: Saturday 14 February is worked"},
		{"2026-02-14T16:00:00+08:00", HALF_DAY, "2026-02-24T10:00:00+08:00",
		 "Saturday 14 February: 春节 15–23 February skipped, due Tuesday 24 February"},
		{"2026-04-03T16:00:00+08:00", HALF_DAY, "2026-04-07T10:00:00+08:00",
		 "清明节 Monday 6 April skipped"},
		{"2026-11-23T09:00:00+08:00", 0, "2026-11-23T09:00:00+08:00",
		 "nothing to count ends at the start"},
	};
	for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
		int64_t start = T(ends[i].start);
		int64_t end = reg_worktime_end(cal, start, ends[i].seconds, NULL, 0, NULL);
		is_str(when(end), ends[i].want, "%s", ends[i].what);
		if (ends[i].seconds)
			is_int(reg_worktime_elapsed(cal, start, end, NULL, 0, NULL), ends[i].seconds,
			       "and the working time up to it is the limit");
	}
	is_int(reg_worktime_elapsed(cal, T("2026-11-23T11:00:00+08:00"),
				    T("2026-11-23T14:30:00+08:00"), NULL, 0, NULL),
	       H, "11:00 to 14:30 is one working hour");
	is_int(reg_worktime_elapsed(cal, T("2026-11-23T12:00:00+08:00"),
				    T("2026-11-23T14:30:00+08:00"), NULL, 0, NULL),
	       0, "the lunch break is no working time at all");
	is_int(reg_worktime_elapsed(cal, T("2026-11-24T10:00:00+08:00"),
				    T("2026-11-23T10:00:00+08:00"), NULL, 0, NULL),
	       -DAY_W, "backwards is negative");
}

static void test_pauses(const reg_calendar *cal)
{
	int64_t mon = T("2026-11-23T09:00:00+08:00");
	reg_pause closed[] = {{T("2026-11-23T10:00:00+08:00"), T("2026-11-24T11:00:00+08:00")}};
	is_str(when(reg_worktime_end(cal, mon, HALF_DAY, closed, 1, NULL)),
	       "2026-11-24T16:00:00+08:00",
	       "paused from 10:00 to 11:00 the next day: 1h before, 1h to noon, 1h30 after lunch");
	is_int(reg_worktime_elapsed(cal, mon, T("2026-11-24T15:00:00+08:00"), closed, 1, NULL),
	       2 * H + 1800, "the time in the pause does not count");
	is_int(reg_worktime_elapsed(cal, mon, T("2026-11-24T10:59:59+08:00"), closed, 1, NULL), H,
	       "inside the pause the clock stands at what was used before it");
	ok(reg_pauses_cover(closed, 1, T("2026-11-23T10:00:00+08:00")) &&
		   !reg_pauses_cover(closed, 1, T("2026-11-24T11:00:00+08:00")),
	   "a pause is [from, to)");

	reg_pause open[] = {{T("2026-11-23T10:00:00+08:00"), REG_PAUSE_OPEN}};
	is_int(reg_worktime_end(cal, mon, HALF_DAY, open, 1, NULL), INT64_MAX,
	       "an open pause before the end: no deadline");
	is_int(reg_worktime_elapsed(cal, mon, T("2027-06-01T10:00:00+08:00"), open, 1, NULL), H,
	       "an open pause holds the clock however long it lasts");
	is_str(when(reg_worktime_end(cal, mon, 1800, open, 1, NULL)), "2026-11-23T09:30:00+08:00",
	       "a limit that runs out before the pause is not touched by it");
	is_str(when(reg_worktime_end(cal, mon, H, open, 1, NULL)), "2026-11-23T10:00:00+08:00",
	       "a limit that runs out as the pause begins ends there");

	reg_pause messy[] = {
		{T("2026-11-24T09:00:00+08:00"), T("2026-11-24T10:00:00+08:00")},
		{T("2026-11-23T10:00:00+08:00"), T("2026-11-23T11:00:00+08:00")},
		{T("2026-11-23T10:30:00+08:00"), T("2026-11-23T15:00:00+08:00")},
		{T("2026-11-23T15:00:00+08:00"), T("2026-11-23T15:30:00+08:00")},
		{T("2026-11-25T09:00:00+08:00"), T("2026-11-25T09:00:00+08:00")},
	};
	size_t n = reg_pauses_normalize(messy, 5);
	is_int(n, 2, "overlapping and touching pauses merge, empty ones go");
	ok(n == 2 && messy[0].from == T("2026-11-23T10:00:00+08:00") &&
		   messy[0].to == T("2026-11-23T15:30:00+08:00") &&
		   messy[1].from == T("2026-11-24T09:00:00+08:00"),
	   "and come out sorted");
	reg_pause overlapping[] = {
		{T("2026-11-23T10:00:00+08:00"), T("2026-11-23T15:00:00+08:00")},
		{T("2026-11-23T10:30:00+08:00"), T("2026-11-23T15:30:00+08:00")},
	};
	is_int(reg_worktime_elapsed(cal, mon, T("2026-11-23T18:00:00+08:00"), overlapping, 2, NULL),
	       H + 2 * H + 1800, "sorted but overlapping pauses are taken off once");
	is_int(reg_worktime_elapsed(cal, mon, T("2026-11-23T18:00:00+08:00"), messy, n, NULL),
	       H + 2 * H + 1800, "the same as the merged list");
	is_str(when(reg_worktime_end(cal, mon, HALF_DAY, messy, n, NULL)),
	       "2026-11-23T18:00:00+08:00", "around a pause: 1h, then 15:30 to 18:00");
	is_str(when(reg_worktime_end(cal, mon, 4 * H + 1800, messy, n, NULL)),
	       "2026-11-24T10:30:00+08:00",
	       "two pauses: 3h30 on Monday, 08:30–09:00 on Tuesday, then from 10:00");
}

static void test_missing_years(const reg_calendar *cal)
{
	reg_calendar_gaps gaps = {0};
	is_str(when(reg_worktime_end(cal, T("2026-12-31T16:00:00+08:00"), HALF_DAY, NULL, 0, &gaps)),
	       "2027-01-01T10:00:00+08:00",
	       "into 2027, which the calendar lacks: Friday 1 January counts as a working day");
	ok(gaps.count == 1 && gaps.years[0] == 2027 && !gaps.more, "and 2027 is noted");
	char *msg = reg_calendar_gaps_message(&gaps, cal);
	is_str(msg, "calendar has no year 2027: counted Monday to Friday", "the warning");
	free(msg);
	is_str(when(reg_worktime_end(cal, T("2028-03-03T16:00:00+08:00"), HALF_DAY, NULL, 0, &gaps)),
	       "2028-03-06T10:00:00+08:00", "Friday in 2028: Monday to Friday still");
	reg_worktime_end(cal, T("2026-11-27T16:00:00+08:00"), HALF_DAY, NULL, 0, &gaps);
	msg = reg_calendar_gaps_message(&gaps, cal);
	is_str(msg, "calendar has no years 2027, 2028: counted Monday to Friday",
	       "each year once, ascending; 2026 is not one");
	free(msg);
	for (int y = 2040; y > 2030; y--)
		reg_calendar_is_working_day(cal, y, 6, 1, &gaps);
	msg = reg_calendar_gaps_message(&gaps, cal);
	is_str(msg, "calendar has no years 2027, 2028, 2031, 2032, 2033, 2034, 2035, 2036 and more: "
		    "counted Monday to Friday",
	       "the lowest eight and more");
	free(msg);
	reg_calendar_gaps none = {0};
	msg = reg_calendar_gaps_message(&none, cal);
	is_str(msg, "", "no gap, no warning");
	free(msg);
}

/* Seconds of CPU for `what`, from clock(). */
static double cpu_since(clock_t t0)
{
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

static void test_long_spans(const reg_calendar *cal)
{
	/* 400 Gregorian years are exactly 20871 weeks: a Monday-to-Friday span is exact. */
	int64_t mon = T("3000-01-06T00:00:00+08:00"), later = mon + 146097 * (int64_t)86400;
	reg_calendar_gaps gaps = {0};
	is_int(reg_worktime_elapsed(cal, mon, later, NULL, 0, &gaps), 20871 * 5 * (int64_t)DAY_W,
	       "400 years without data: 104355 working days exactly");
	is_str(when(reg_worktime_end(cal, mon, 20871 * 5 * (int64_t)DAY_W, NULL, 0, NULL)),
	       "3400-01-03T18:00:00+08:00", "and they run out on the Friday evening before");
	ok(gaps.count == REG_CALENDAR_GAPS_MAX && gaps.years[0] == 3000 && gaps.more,
	   "the years without data are noted");

	clock_t t0 = clock();
	int64_t sum = 0;
	for (int i = 0; i < 100; i++) {
		sum += reg_worktime_elapsed(cal, T("0001-01-01T00:00:00+08:00") + i,
					    T("9999-12-31T23:59:59+08:00"), NULL, 0, NULL);
		sum += reg_worktime_end(cal, T("2026-01-01T00:00:00+08:00"), INT64_MAX / 4, NULL, 0,
					NULL) == INT64_MAX;
	}
	double cpu = cpu_since(t0);
	ok(sum > 0 && cpu < 2.0, "200 counts over 10 000 years take %.3f s of CPU (under 2)", cpu);
	is_int(reg_worktime_end(cal, T("2026-01-01T00:00:00+08:00"), INT64_MAX / 4, NULL, 0, NULL),
	       INT64_MAX, "a limit past year 9999 never runs out");
	is_int(reg_worktime_end(cal, INT64_MAX - 10, H, NULL, 0, NULL), INT64_MAX,
	       "nor does one that starts there");
	is_str(when(reg_worktime_end(cal, T("2026-11-23T09:00:00+08:00"),
				     reg_workdur_seconds(cal, (reg_workdur){999999000, 0}), NULL, 0,
				     NULL)),
	       "5859-12-16T09:00:00+08:00", "P999999D, the longest a catalog may write");
	is_int(reg_worktime_elapsed(cal, INT64_MIN, INT64_MAX, NULL, 0, NULL) > 0, 1,
	       "the ends of time are taken as years 1 and 9999");
}

/* The warning after counting a day of 2030, which no calendar here has. */
static char *gap_2030(const reg_calendar *cal)
{
	reg_calendar_gaps gaps = {0};
	reg_calendar_is_working_day(cal, 2030, 1, 1, &gaps);
	return reg_calendar_gaps_message(&gaps, cal);
}

static void test_other_calendars(void)
{
	reg_err *err = NULL;
	reg_calendar *cal = calendar_of("<week>mon tue wed thu fri sat</week>"
					"<hours><period from=\"09:00\" to=\"17:00\"/></hours>",
					&err);
	if (!ok(cal, "a six-day week of one 8-hour period"))
		reg_err_print(err, "#  ", stdout);
	reg_err_clear(&err);
	if (cal) {
		is_int(reg_calendar_day_seconds(cal), 8 * H, "its day is 8 hours");
		is_str(when(reg_worktime_end(cal, T("2026-11-27T16:00:00+08:00"),
					     reg_workdur_seconds(cal, (reg_workdur){500, 0}), NULL, 0,
					     NULL)),
		       "2026-11-28T12:00:00+08:00", "P0.5D is 4 hours, Saturday is worked");
		char *msg = gap_2030(cal);
		is_str(msg, "calendar has no year 2030: counted Monday to Saturday",
		       "the warning names the calendar's own week");
		free(msg);
	}
	reg_calendar_free(cal);

	cal = calendar_of("<week>mon wed fri</week>", &err);
	ok(cal && !err, "a calendar of three days and the default hours");
	if (cal) {
		char *msg = gap_2030(cal);
		is_str(msg, "calendar has no year 2030: counted Monday, Wednesday and Friday",
		       "days that do not follow each other are listed");
		free(msg);
		is_int(reg_calendar_day_seconds(cal), DAY_W, "default hours");
	}
	reg_calendar_free(cal);

	/* UTC-05:00: the same local hours, other instants. */
	cal = reg_calendar_new_default(-300, &err);
	int64_t t;
	reg_time_parse("2026-11-27T16:00:00-05:00", 0, &t, NULL, NULL);
	char buf[REG_TIME_ISO_MAX];
	reg_time_format(reg_worktime_end(cal, t, HALF_DAY, NULL, 0, NULL), -300, buf);
	is_str(buf, "2026-11-30T10:00:00-05:00", "counted in the calendar's own offset");
	ok(!reg_calendar_has_year(cal, 2026), "the default calendar has no year");
	reg_calendar_free(cal);
	reg_calendar_free(NULL);

	cal = calendar_of("<year number=\"2030\"><!-- to be filled in --></year>", &err);
	ok(cal && !reg_calendar_has_year(cal, 2030), "an empty <year> is a year without data");
	reg_calendar_free(cal);
	reg_err_clear(&err);
}

static void test_bad_calendars(void)
{
	static const struct {
		const char *inner, *field, *want;
	} bad[] = {
		{"<week>mon tue wensday</week>", "/authority/calendar/week", "unknown day 'wensday'"},
		{"<week>mon mon</week>", "/authority/calendar/week", "day 'mon' is listed twice"},
		{"<week> </week>", "/authority/calendar/week", "no working day"},
		{"<hours><period from=\"12:00\" to=\"08:30\"/></hours>",
		 "/authority/calendar/hours/period", "ends before it starts"},
		{"<hours><period from=\"08:30\" to=\"12:00\"/><period from=\"11:00\" to=\"13:00\"/>"
		 "</hours>",
		 "/authority/calendar/hours/period", "begins before the one before it ends"},
		{"<hours><period from=\"8:30\" to=\"25:00\"/></hours>",
		 "/authority/calendar/hours/period", "times must be HH:MM"},
		{"<hours/>", "/authority/calendar/hours", "no working period"},
		{"<holliday/>", "/authority/calendar/holliday", "unknown element <holliday>"},
		{"<week>mon</week><week>tue</week>", "/authority/calendar/week", "given twice"},
		{"<year number=\"20x6\"/>", "/authority/calendar/year", "'20x6' is not a year"},
		{"<year number=\"2026\"><holiday date=\"2026-01-01\"/></year>"
		 "<year number=\"2026\"><holiday date=\"2026-01-02\"/></year>",
		 "/authority/calendar/year", "year 2026 is given twice"},
		{"<year number=\"2026\"><holiday date=\"2026-02-30\"/></year>",
		 "/authority/calendar/year/holiday", "date '2026-02-30' is not a date"},
		{"<year number=\"2026\"><holiday from=\"2026-12-31\" to=\"2027-01-02\"/></year>",
		 "/authority/calendar/year/holiday", "to '2027-01-02' is not in year 2026"},
		{"<year number=\"2026\"><holiday from=\"2026-10-07\" to=\"2026-10-01\"/></year>",
		 "/authority/calendar/year/holiday", "holiday ends before it begins"},
		{"<year number=\"2026\"><holiday from=\"2026-10-01\"/></year>",
		 "/authority/calendar/year/holiday", "needs to=\"YYYY-MM-DD\""},
		{"<year number=\"2026\"><holiday date=\"2026-10-10\"/><workday date=\"2026-10-10\"/>"
		 "</year>",
		 "/authority/calendar/year/workday", "workday '2026-10-10' is also a holiday"},
		{"<year number=\"2026\"><workday date=\"2026-10-14\"/></year>",
		 "/authority/calendar/year/workday", "is a Wednesday, already a working day"},
		{"<year number=\"2026\"><feast date=\"2026-10-14\"/></year>",
		 "/authority/calendar/year/feast", "unknown element <feast> in <year>"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		reg_err *err = NULL;
		reg_calendar *cal = calendar_of(bad[i].inner, &err);
		const reg_err *hit = NULL;
		for (const reg_err *e = err; e; e = reg_err_next(e))
			if (!hit && strstr(reg_err_message(e), bad[i].want))
				hit = e;
		ok(!cal && hit && reg_err_code(hit) == REG_ECONFIG && reg_err_line(hit) == 2 &&
			   reg_err_file(hit) && strcmp(reg_err_file(hit), "cal.xml") == 0 &&
			   reg_err_field(hit) && strcmp(reg_err_field(hit), bad[i].field) == 0,
		   "refused with file, line and %s: %s", bad[i].field, bad[i].want);
		if (!hit)
			reg_err_print(err, "#  ", stdout);
		reg_calendar_free(cal);
		reg_err_free(err);
	}
	reg_err *err = NULL;
	reg_calendar *cal = calendar_of("<week>mon xyz</week><hours/><year number=\"0\"/>", &err);
	size_t n = 0;
	for (const reg_err *e = err; e; e = reg_err_next(e))
		n++;
	ok(!cal && n == 3, "every problem is reported, not just the first (%zu)", n);
	reg_err_free(err);
}

static char *write_file(const char *name, const char *text)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
		abort();
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
	return path;
}

static void test_authority(const reg_authority *shipped)
{
	is_str(reg_authority_supervisor(shipped), "乌海市海勃湾区人民政府",
	       "the test authority's supervising body");
	ok(reg_authority_calendar(shipped) &&
		   reg_calendar_has_year(reg_authority_calendar(shipped), 2026),
	   "and its calendar");

	char *plain = write_file("plain.xml",
				 "<authority xmlns=\"urn:regkit:authority:1\">\n"
				 "  <division>150302</division><name>x</name>\n"
				 "</authority>\n");
	reg_err *err = NULL;
	reg_authority *a = reg_authority_load(plain, &err);
	ok(a && !err, "an authority without calendar or supervisor loads");
	if (a) {
		ok(!reg_authority_supervisor(a), "no supervisor");
		const reg_calendar *cal = reg_authority_calendar(a);
		ok(cal && reg_calendar_day_seconds(cal) == DAY_W && !reg_calendar_has_year(cal, 2026),
		   "the default calendar: default hours, no year");
	}
	reg_authority_free(a);

	char *broken = write_file("broken.xml",
				  "<authority xmlns=\"urn:regkit:authority:1\">\n"
				  "  <division>150302</division><name>x</name>\n"
				  "  <supervisor> </supervisor>\n"
				  "  <calendar>\n"
				  "    <year number=\"2026\">\n"
				  "      <holiday date=\"2026-13-01\">元旦</holiday>\n"
				  "    </year>\n"
				  "  </calendar>\n"
				  "</authority>\n");
	a = reg_authority_load(broken, &err);
	bool date = false, sup = false;
	for (const reg_err *e = err; e; e = reg_err_next(e)) {
		date |= reg_err_line(e) == 6 && strcmp(reg_err_file(e), broken) == 0 &&
			strcmp(reg_err_field(e), "/authority/calendar/year/holiday") == 0 &&
			strstr(reg_err_message(e), "'2026-13-01'");
		sup |= reg_err_line(e) == 3 && strcmp(reg_err_field(e), "/authority/supervisor") == 0;
	}
	ok(!a && reg_err_exit_code(err) == REG_ECONFIG && date && sup,
	   "a bad calendar or an empty supervisor: REG_ECONFIG with the file, line and element");
	if (!(date && sup))
		reg_err_print(err, "#  ", stdout);
	reg_err_free(err);
	unlink(plain);
	unlink(broken);
	free(plain);
	free(broken);
}

static void test_skeleton(void)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "authority", NULL);
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST REG_NS_AUTHORITY, NULL));
	reg_err *err = NULL;
	int years[] = {2027, 2028};
	xmlNode *cal_node = reg_calendar_skeleton(root, years, 2, &err);
	ok(cal_node && !err, "a skeleton for 2027 and 2028");
	char *text = NULL;
	size_t len = 0;
	reg_xml_serialize(doc, &text, &len, &err);
	ok(text && strstr(text, "<week>mon tue wed thu fri</week>") &&
		   strstr(text, "<period from=\"08:30\" to=\"12:00\"/>") &&
		   strstr(text, "<period from=\"14:30\" to=\"18:00\"/>") &&
		   strstr(text, "<year number=\"2027\">") && strstr(text, "<year number=\"2028\">"),
	   "default week and hours, one <year> each");
	size_t made_up = 0;
	reg_xml_for_each_child(y, cal_node, REG_NS_AUTHORITY, "year")
		made_up += reg_xml_child(y, REG_NS_AUTHORITY, NULL) != NULL;
	ok(text && strstr(text, "国务院办公厅关于2027年部分节假日安排的通知") &&
		   strstr(text, "国务院办公厅关于2028年部分节假日安排的通知") && made_up == 0,
	   "a comment naming each year's notice, and no holiday made up");
	xmlDoc *back = text ? reg_xml_parse_memory(text, len, "skeleton.xml", &err) : NULL;
	reg_calendar *cal = back ? reg_calendar_parse(reg_xml_child(xmlDocGetRootElement(back),
								    REG_NS_AUTHORITY, "calendar"),
						      480, "skeleton.xml", &err)
				 : NULL;
	ok(cal && !err && reg_calendar_day_seconds(cal) == DAY_W && !reg_calendar_has_year(cal, 2027),
	   "it reads back: the default calendar, its years not yet filled in");
	if (err)
		reg_err_print(err, "#  ", stdout);
	reg_err_clear(&err);
	reg_calendar_free(cal);
	xmlFreeDoc(back);
	free(text);

	int twice[] = {2027, 2027}, zero[] = {0};
	ok(!reg_calendar_skeleton(root, twice, 2, &err) && reg_err_code(err) == REG_EUSAGE,
	   "a year twice is refused");
	reg_err_clear(&err);
	ok(!reg_calendar_skeleton(root, zero, 1, &err) && reg_err_code(err) == REG_EUSAGE,
	   "year 0 is refused");
	reg_err_clear(&err);
	xmlFreeDoc(doc);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	const char *datadir = env && *env ? env : REG_SOURCE_DATADIR;
	char *schema_dir = NULL, *authority = NULL;
	if (asprintf(&schema_dir, "%s/schemas", datadir) < 0 ||
	    asprintf(&authority, "%s/fixtures/authority/authority.xml", datadir) < 0 ||
	    !mkdtemp(tmpdir))
		abort();
	reg_xml_init(schema_dir);
	reg_err *err = NULL;
	reg_authority *auth = reg_authority_load(authority, &err);
	if (!ok(auth, "the shipped test authority loads"))
		reg_err_print(err, "#  ", stdout);
	reg_err_free(err);

	test_durations();
	if (auth) {
		const reg_calendar *cal = reg_authority_calendar(auth);
		test_calendar_basics(cal);
		test_friday_afternoon(cal);
		test_days_and_hours(cal);
		test_pauses(cal);
		test_missing_years(cal);
		test_long_spans(cal);
		test_authority(auth);
	}
	test_other_calendars();
	test_bad_calendars();
	test_skeleton();

	reg_authority_free(auth);
	rmdir(tmpdir);
	free(schema_dir);
	free(authority);
	reg_xml_cleanup();
	return tap_done();
}
