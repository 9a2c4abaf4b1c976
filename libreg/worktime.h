/*
 * worktime — the authority's office calendar and arithmetic on working time (docs/calendar.md).
 *
 * A promised time limit (承诺时限) is counted in the hours the service hall is open, not on the
 * wall clock: a dossier accepted on Friday at 16:00 with half a working day to go is due on
 * Monday morning, not on Saturday.  This module knows which instants are working time and
 * counts over them.
 *
 * The calendar (<calendar> of the authority file, urn:regkit:authority:1):
 *   - the working days of an ordinary week (<week>mon tue wed thu fri</week>, the default);
 *   - the working hours of a working day as periods in local time (<hours><period from="08:30"
 *     to="12:00"/>…</hours>; default 08:30–12:00 and 14:30–18:00, so the lunch break is not
 *     working time); every working day has the same hours;
 *   - per year (<year number="2026">), the public holidays (<holiday from to> or <holiday
 *     date>: dates off even on a working weekday) and the make-up working days (<workday
 *     date>: 调休, weekend dates that are worked, with the ordinary hours);
 *   - local time is the authority's UTC offset (minutes, reg_authority_offset), fixed all year:
 *     China has no summer time, and nothing here reads TZ or the locale.
 * A year for which the calendar has no <year> — or a <year> with neither a holiday nor a
 * workday, as reg_calendar_skeleton writes it before the bureau fills it in — is counted by the
 * ordinary week and hours alone (Monday to Friday by default).  Counting never fails for it:
 * the years so counted are collected in a reg_calendar_gaps the caller passes, so it can warn
 * once ("calendar has no year 2028: counted Monday to Friday").
 *
 * Working durations.  A catalog's time limit is an ISO 8601 duration of WORKING time: "P5D"
 * five working days, "PT4H" four working hours, "P0.5D" half a working day, "P1DT2H".  A day is
 * the calendar's working seconds of one day (7 h with the default hours), so P0.5D is 3 h 30 min
 * of working time, counted forward over working periods only.  Days may carry up to three
 * decimals (P1.25D); weeks, months and years are refused (their working length is not fixed).
 * reg_workdur keeps what was written — thousandths of a day plus seconds — so a catalog loads
 * without a calendar; reg_workdur_seconds converts it with one, rounding a fraction of a second
 * up (a limit is never shorter than written).
 *
 * Arithmetic.  Instants are epoch seconds (libreg/clock.h).  reg_worktime_elapsed counts the
 * working seconds in [from, to); reg_worktime_end gives the instant at which a number of
 * working seconds counted from an instant has run out: the earliest instant t with
 * elapsed(start, t) = seconds, so a limit that runs out at the end of the morning is due at
 * 12:00, not at 14:30.  Both take pauses — [from, to) spans in which the clock stands (the
 * applicant owes a supplement) — and count no working time inside them; the remaining time
 * resumes at a pause's end.  Days are skipped a year at a time (a year's working days are a
 * bitmap counted a word at a time; a year without data goes by whole weeks), so a span of
 * centuries costs a few thousand steps, never one per minute.  Instants before year 1 or after year 9999 are taken as those bounds; a limit that
 * would run out after year 9999 never does (INT64_MAX).  Everything is exact to the second and
 * pure: the calendar is read-only once made, so any thread may use it.
 */
#ifndef REG_WORKTIME_H
#define REG_WORKTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "errors.h"

typedef struct reg_calendar reg_calendar;

/* "-P12DT3H4M5S" and "P999999.999DT…": an ISO 8601 duration of any int64_t seconds, NUL. */
#define REG_DURATION_ISO_MAX 48

/* The most working days a duration may name (the catalog schema's six digits). */
#define REG_WORKDUR_MAX_DAYS 999999

/* A duration of working time as written: millidays / 1000 working days plus seconds. */
typedef struct reg_workdur {
	int64_t millidays;
	int64_t seconds;
} reg_workdur;

/* P[n[.fff]D][T[nH][nM][nS]] → *out; anything else (weeks, months, more than three decimals,
 * more than REG_WORKDUR_MAX_DAYS days) is REG_ECONFIG "bad working duration '…' …". */
int reg_workdur_parse(const char *text, reg_workdur *out, reg_err **errp);
/* The canonical text: "P0.5D", "P5D", "PT4H", "P1DT2H30M", "PT0S" for nothing. */
void reg_workdur_format(reg_workdur d, char buf[REG_DURATION_ISO_MAX]);
bool reg_workdur_is_zero(reg_workdur d);
/* In working seconds on `cal`: days × the calendar's working day, a fraction of a second
 * rounded up, plus the seconds. */
int64_t reg_workdur_seconds(const reg_calendar *cal, reg_workdur d);

/* An ISO 8601 duration of `seconds`, days being `day_seconds` long (86400 for calendar time,
 * reg_calendar_day_seconds for working time): "PT0S", "PT3H", "P5D", "P1DT2H30M", "-PT1H"
 * for a negative one (XML Schema's xs:duration takes the sign).  day_seconds <= 0: no days. */
void reg_worktime_iso(int64_t seconds, int64_t day_seconds, char buf[REG_DURATION_ISO_MAX]);

/* ---------------------------------------------------------------------------------------------
 * The calendar
 */

/* Monday to Friday, 08:30–12:00 and 14:30–18:00, no year: an authority file without
 * <calendar>.  NULL only when out of memory (REG_EINTERNAL). */
reg_calendar *reg_calendar_new_default(int offset_min, reg_err **errp);
/*
 * Read a <calendar> element (namespace urn:regkit:authority:1; NULL: the default calendar).
 * Every problem is reported, each REG_ECONFIG with `file`, the element's line and its path
 * (/authority/calendar/year/holiday) as field: an unknown element or day name, a bad or empty
 * period, periods out of order or overlapping, a year out of 1..9999 or given twice, a date
 * that does not exist or lies outside its <year>, a holiday range that runs backwards, a
 * workday that is also a holiday or is already a working day of the week.
 */
reg_calendar *reg_calendar_parse(const xmlNode *calendar, int offset_min, const char *file,
				 reg_err **errp);
void reg_calendar_free(reg_calendar *cal);

int reg_calendar_offset(const reg_calendar *cal);
/* The working seconds of one working day (25200 for the default hours). */
int64_t reg_calendar_day_seconds(const reg_calendar *cal);
/* Whether the calendar has data for `year` (a <year> with at least one holiday or workday). */
bool reg_calendar_has_year(const reg_calendar *cal, int year);

/* Years counted without data by one or more computations.  Zero-initialise; pass the same one
 * to as many calls as should share a warning. */
#define REG_CALENDAR_GAPS_MAX 8
typedef struct reg_calendar_gaps {
	size_t count;                     /* years listed below */
	int years[REG_CALENDAR_GAPS_MAX]; /* the lowest such years seen, ascending */
	bool more;                        /* and others beyond the list */
} reg_calendar_gaps;

/* "calendar has no year 2028: counted Monday to Friday" ("no years 2027, 2028 and more: …"),
 * the week named after the calendar's own; "" when there is no gap.  Caller frees; NULL only
 * when out of memory. */
char *reg_calendar_gaps_message(const reg_calendar_gaps *gaps, const reg_calendar *cal);

/* Whether the civil date is a working day (gaps: NULL or where to note a year without data). */
bool reg_calendar_is_working_day(const reg_calendar *cal, int year, int month, int day,
				 reg_calendar_gaps *gaps);

/*
 * Append to `parent` (an element of urn:regkit:authority:1, normally <authority>) a <calendar>
 * skeleton for a new authority file: the default week and hours and one empty <year> for each
 * of `years`, with comments telling the bureau to fill in each year from the State Council
 * General Office's notice (国务院办公厅关于YYYY年部分节假日安排的通知).  A year outside 1..9999
 * or given twice is REG_EUSAGE; out of memory REG_EINTERNAL.  Returns the new element.
 */
xmlNode *reg_calendar_skeleton(xmlNode *parent, const int *years, size_t n_years,
			       reg_err **errp);

/* ---------------------------------------------------------------------------------------------
 * Working time
 */

/* A span [from, to) in which the clock stands; to is REG_PAUSE_OPEN while it has not ended. */
typedef struct reg_pause {
	int64_t from, to;
} reg_pause;
#define REG_PAUSE_OPEN INT64_MAX

/* Sort by `from` and merge overlapping or touching spans, dropping empty ones, in place;
 * returns the new count.  The functions below want pauses sorted by `from` (overlaps are
 * counted once all the same). */
size_t reg_pauses_normalize(reg_pause *pauses, size_t n);
/* Whether the clock stands at `t`: some pause has from <= t < to. */
bool reg_pauses_cover(const reg_pause *pauses, size_t n, int64_t t);

/* Working seconds in [from, to) outside the pauses; negative when `to` is before `from` (the
 * working seconds of [to, from), pauses not counted then). */
int64_t reg_worktime_elapsed(const reg_calendar *cal, int64_t from, int64_t to,
			     const reg_pause *pauses, size_t n_pauses, reg_calendar_gaps *gaps);
/* The earliest instant at which `seconds` (>= 0) of working time counted from `start` outside
 * the pauses have run out; `start` for 0; INT64_MAX when that is never (an open pause comes
 * first, or it would be after year 9999). */
int64_t reg_worktime_end(const reg_calendar *cal, int64_t start, int64_t seconds,
			 const reg_pause *pauses, size_t n_pauses, reg_calendar_gaps *gaps);

#endif
