#include "worktime.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xml.h"

#define DAY 86400
#define MIN_YEAR 1
#define MAX_YEAR 9999
#define MAX_PERIODS 16
#define WEEK_WORDS 7

/* A stretch of working time inside a day: seconds after local midnight, [from, to). */
struct period {
	int from, to;
};

/* 08:30–12:00 and 14:30–18:00: a service hall's usual day, lunch excluded (docs/calendar.md). */
static const struct period default_periods[] = {{8 * 3600 + 1800, 12 * 3600},
						{14 * 3600 + 1800, 18 * 3600}};
#define DEFAULT_WEEK 0x1Fu /* Monday to Friday: bit 0 is Monday, bit 6 Sunday */

static const char *const day_ids[WEEK_WORDS] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const day_words[WEEK_WORDS] = {"Monday", "Tuesday", "Wednesday", "Thursday",
						  "Friday", "Saturday", "Sunday"};

/* One year with data: which of its days (day of year, 0-based) are worked. */
struct year {
	int number;
	bool has_data; /* false: a <year> not filled in, counted by the week like none */
	uint64_t bits[6];
};

struct reg_calendar {
	int offset_min;
	unsigned week;
	struct period periods[MAX_PERIODS];
	size_t n_periods;
	int64_t day_seconds;
	struct year *years; /* ascending by number */
	size_t n_years;
};

/* ---------------------------------------------------------------------------------------------
 * Working durations
 */

int reg_workdur_parse(const char *text, reg_workdur *out, reg_err **errp)
{
	reg_workdur d = {0};
	const char *p = text;
	if (!p || *p++ != 'P' || !*p)
		goto bad;
	if (isdigit((unsigned char)*p)) {
		int64_t whole = 0, milli = 0;
		int digits = 0, decimals = 0;
		for (; isdigit((unsigned char)*p); p++) {
			if (++digits > 6)
				goto bad;
			whole = whole * 10 + (*p - '0');
		}
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++) {
				if (++decimals > 3)
					goto bad;
				milli = milli * 10 + (*p - '0');
			}
			if (!decimals)
				goto bad;
			for (int k = decimals; k < 3; k++)
				milli *= 10;
		}
		/* Only days come before T: weeks, months and years have no fixed working length. */
		if (*p++ != 'D')
			goto bad;
		d.millidays = whole * 1000 + milli;
	}
	if (*p) {
		/* The time part is calendar-shaped (an hour is an hour): clock.h reads it. */
		char buf[64];
		if (*p != 'T' || strlen(p) + 2 > sizeof buf)
			goto bad;
		snprintf(buf, sizeof buf, "P%s", p);
		if (reg_duration_parse(buf, &d.seconds, NULL) < 0)
			goto bad;
	}
	*out = d;
	return 0;
bad:
	return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
			   "bad working duration '%s' (expected ISO 8601 days and time such as "
			   "P0.5D, P5D or PT4H)",
			   text ? text : "");
}

bool reg_workdur_is_zero(reg_workdur d)
{
	return d.millidays == 0 && d.seconds == 0;
}

void reg_worktime_iso(int64_t seconds, int64_t day_seconds, char buf[REG_DURATION_ISO_MAX])
{
	uint64_t u = seconds < 0 ? -(uint64_t)seconds : (uint64_t)seconds;
	uint64_t day = day_seconds > 0 ? (uint64_t)day_seconds : 0;
	uint64_t days = day ? u / day : 0, rest = day ? u % day : u;
	uint64_t h = rest / 3600, m = rest % 3600 / 60, s = rest % 60;
	int n = snprintf(buf, REG_DURATION_ISO_MAX, "%sP", seconds < 0 ? "-" : "");
	if (days)
		n += snprintf(buf + n, REG_DURATION_ISO_MAX - n, "%" PRIu64 "D", days);
	if (rest || u == 0)
		n += snprintf(buf + n, REG_DURATION_ISO_MAX - n, "T");
	if (h)
		n += snprintf(buf + n, REG_DURATION_ISO_MAX - n, "%" PRIu64 "H", h);
	if (m)
		n += snprintf(buf + n, REG_DURATION_ISO_MAX - n, "%" PRIu64 "M", m);
	if (s || u == 0)
		snprintf(buf + n, REG_DURATION_ISO_MAX - n, "%" PRIu64 "S", s);
}

void reg_workdur_format(reg_workdur d, char buf[REG_DURATION_ISO_MAX])
{
	if (d.millidays == 0) {
		reg_worktime_iso(d.seconds, 0, buf);
		return;
	}
	char frac[8] = "";
	int milli = (int)(d.millidays % 1000);
	if (milli) {
		snprintf(frac, sizeof frac, ".%03d", milli);
		for (size_t end = strlen(frac); end > 1 && frac[end - 1] == '0'; end--)
			frac[end - 1] = '\0';
	}
	int n = snprintf(buf, REG_DURATION_ISO_MAX, "P%" PRId64 "%sD", d.millidays / 1000, frac);
	if (d.seconds) {
		char time[REG_DURATION_ISO_MAX];
		reg_worktime_iso(d.seconds, 0, time);
		snprintf(buf + n, REG_DURATION_ISO_MAX - n, "%s", time + 1); /* "T…" after the "P" */
	}
}

int64_t reg_workdur_seconds(const reg_calendar *cal, reg_workdur d)
{
	int64_t day = cal->day_seconds;
	return d.millidays / 1000 * day + (d.millidays % 1000 * day + 999) / 1000 + d.seconds;
}

/* ---------------------------------------------------------------------------------------------
 * Days
 */

static int64_t day_of(int64_t local)
{
	return local / DAY - (local % DAY < 0);
}

/* Monday 0 … Sunday 6 (1970-01-01, day 0, was a Thursday). */
static int weekday(int64_t z)
{
	return (int)((z % 7 + 10) % 7);
}

static int year_of(int64_t z)
{
	int y, m, d;
	reg_time_civil(z * DAY, 0, &y, &m, &d);
	return y;
}

static void note_gap(reg_calendar_gaps *g, int year)
{
	if (!g)
		return;
	size_t i = 0;
	while (i < g->count && g->years[i] < year)
		i++;
	if (i < g->count && g->years[i] == year)
		return;
	if (g->count == REG_CALENDAR_GAPS_MAX) {
		g->more = true;
		if (i == g->count)
			return;
		g->count--; /* the highest gives way to a lower one */
	}
	memmove(&g->years[i + 1], &g->years[i], (g->count - i) * sizeof *g->years);
	g->years[i] = year;
	g->count++;
}

static const struct year *find_year(const reg_calendar *cal, int number)
{
	size_t lo = 0, hi = cal->n_years;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->years[mid].number == number)
			return cal->years[mid].has_data ? &cal->years[mid] : NULL;
		if (cal->years[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The year a day lies in, as counting sees it: its data, or NULL (the ordinary week). */
struct span {
	const struct year *data;
	int64_t start, next; /* its first day and the first day of the year after */
};

static struct span span_of(const reg_calendar *cal, int64_t z, reg_calendar_gaps *gaps)
{
	int y = year_of(z);
	struct span s = {.data = find_year(cal, y), .start = reg_days_from_civil(y, 1, 1),
			 .next = reg_days_from_civil(y + 1, 1, 1)};
	if (!s.data)
		note_gap(gaps, y);
	return s;
}

static bool bit(const uint64_t *bits, int64_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

static bool span_works(const reg_calendar *cal, const struct span *s, int64_t z)
{
	return s->data ? bit(s->data->bits, z - s->start) : cal->week >> weekday(z) & 1;
}

static int popcount(uint64_t x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static int week_count(unsigned week)
{
	return popcount(week);
}

/* Set bits in [a, b): a word at a time. */
static int64_t count_bits(const uint64_t *bits, int64_t a, int64_t b)
{
	int64_t n = 0;
	for (; a < b && a % 64; a++)
		n += bit(bits, a);
	for (; b - a >= 64; a += 64)
		n += popcount(bits[a / 64]);
	for (; a < b; a++)
		n += bit(bits, a);
	return n;
}

/* Working days in [z1, z2), both inside the span's year: a few words or whole weeks. */
static int64_t span_count(const reg_calendar *cal, const struct span *s, int64_t z1, int64_t z2)
{
	if (s->data)
		return count_bits(s->data->bits, z1 - s->start, z2 - s->start);
	int64_t weeks = (z2 - z1) / 7, n = weeks * week_count(cal->week);
	for (z1 += weeks * 7; z1 < z2; z1++)
		n += span_works(cal, s, z1);
	return n;
}

static bool works(const reg_calendar *cal, int64_t z, reg_calendar_gaps *gaps)
{
	struct span s = span_of(cal, z, gaps);
	return span_works(cal, &s, z);
}

/* Working days in [z1, z2), a year at a time. */
static int64_t working_days(const reg_calendar *cal, int64_t z1, int64_t z2,
			    reg_calendar_gaps *gaps)
{
	int64_t n = 0;
	while (z1 < z2) {
		struct span s = span_of(cal, z1, gaps);
		int64_t end = z2 < s.next ? z2 : s.next;
		n += span_count(cal, &s, z1, end);
		z1 = end;
	}
	return n;
}

/* The n-th (n >= 1) working day on or after z; INT64_MAX when it would be after year
 * MAX_YEAR. */
static int64_t nth_working_day(const reg_calendar *cal, int64_t z, int64_t n,
			       reg_calendar_gaps *gaps)
{
	for (;;) {
		if (year_of(z) > MAX_YEAR)
			return INT64_MAX;
		struct span s = span_of(cal, z, gaps);
		int64_t here = span_count(cal, &s, z, s.next);
		if (n > here) {
			n -= here;
			z = s.next;
			continue;
		}
		for (;; z++)
			if (span_works(cal, &s, z) && --n == 0)
				return z;
	}
}

/* ---------------------------------------------------------------------------------------------
 * Working time without pauses
 */

/* Working seconds of a working day before second `sod` of it. */
static int64_t worked_by(const reg_calendar *cal, int64_t sod)
{
	int64_t w = 0;
	for (size_t i = 0; i < cal->n_periods; i++) {
		const struct period *p = &cal->periods[i];
		if (sod > p->from)
			w += (sod < p->to ? sod : p->to) - p->from;
	}
	return w;
}

/* The second of a working day at which `w` (0 < w <= day_seconds) of its working seconds have
 * run: inside a period or at its end, never at the start of the next. */
static int64_t second_at(const reg_calendar *cal, int64_t w)
{
	for (size_t i = 0; i < cal->n_periods; i++) {
		const struct period *p = &cal->periods[i];
		if (w <= p->to - p->from)
			return p->from + w;
		w -= p->to - p->from;
	}
	return cal->periods[cal->n_periods - 1].to;
}

/* The instants counting is defined for: local 0001-01-01T00:00 to 10000-01-01T00:00. */
static int64_t first_instant(const reg_calendar *cal)
{
	return reg_days_from_civil(MIN_YEAR, 1, 1) * DAY - cal->offset_min * 60;
}

static int64_t end_instant(const reg_calendar *cal)
{
	return reg_days_from_civil(MAX_YEAR + 1, 1, 1) * DAY - cal->offset_min * 60;
}

static int64_t clamp(const reg_calendar *cal, int64_t t)
{
	int64_t lo = first_instant(cal), hi = end_instant(cal);
	return t < lo ? lo : t > hi ? hi : t;
}

/* Working seconds in [a, b), a <= b. */
static int64_t plain_elapsed(const reg_calendar *cal, int64_t a, int64_t b,
			     reg_calendar_gaps *gaps)
{
	int64_t la = clamp(cal, a) + cal->offset_min * 60, lb = clamp(cal, b) + cal->offset_min * 60;
	int64_t za = day_of(la), zb = day_of(lb);
	int64_t sa = la - za * DAY, sb = lb - zb * DAY;
	if (za == zb)
		return sa < sb && works(cal, za, gaps) ? worked_by(cal, sb) - worked_by(cal, sa) : 0;
	int64_t w = works(cal, za, gaps) ? cal->day_seconds - worked_by(cal, sa) : 0;
	w += working_days(cal, za + 1, zb, gaps) * cal->day_seconds;
	/* At second 0 nothing of the last day counts: do not look it up (it may be year 10000). */
	if (sb > 0 && works(cal, zb, gaps))
		w += worked_by(cal, sb);
	return w;
}

/* The earliest instant at which `seconds` > 0 of working time from `start` have run. */
static int64_t plain_end(const reg_calendar *cal, int64_t start, int64_t seconds,
			 reg_calendar_gaps *gaps)
{
	if (start >= end_instant(cal))
		return INT64_MAX;
	start = clamp(cal, start);
	int64_t ls = start + cal->offset_min * 60, zs = day_of(ls), ss = ls - zs * DAY;
	if (works(cal, zs, gaps)) {
		int64_t done = worked_by(cal, ss), left = cal->day_seconds - done;
		if (seconds <= left)
			return start + second_at(cal, done + seconds) - ss;
		seconds -= left;
	}
	/* Whole working days, then the rest (0 < rest <= a day) inside the last one. */
	int64_t whole = (seconds - 1) / cal->day_seconds;
	int64_t rest = seconds - whole * cal->day_seconds;
	int64_t z = nth_working_day(cal, zs + 1, whole + 1, gaps);
	if (z == INT64_MAX)
		return INT64_MAX;
	return z * DAY + second_at(cal, rest) - cal->offset_min * 60;
}

/* ---------------------------------------------------------------------------------------------
 * Pauses
 */

static int by_from(const void *a, const void *b)
{
	const reg_pause *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

size_t reg_pauses_normalize(reg_pause *pauses, size_t n)
{
	if (n == 0)
		return 0;
	qsort(pauses, n, sizeof *pauses, by_from);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (pauses[i].from >= pauses[i].to)
			continue;
		if (out > 0 && pauses[i].from <= pauses[out - 1].to) {
			if (pauses[i].to > pauses[out - 1].to)
				pauses[out - 1].to = pauses[i].to;
			continue;
		}
		pauses[out++] = pauses[i];
	}
	return out;
}

bool reg_pauses_cover(const reg_pause *pauses, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (pauses[i].from <= t && t < pauses[i].to)
			return true;
	return false;
}

int64_t reg_worktime_elapsed(const reg_calendar *cal, int64_t from, int64_t to,
			     const reg_pause *pauses, size_t n_pauses, reg_calendar_gaps *gaps)
{
	if (to < from)
		return -plain_elapsed(cal, to, from, gaps);
	int64_t w = plain_elapsed(cal, from, to, gaps);
	int64_t counted = from; /* pauses are taken off up to here */
	for (size_t i = 0; i < n_pauses && pauses[i].from < to; i++) {
		int64_t a = pauses[i].from > counted ? pauses[i].from : counted;
		int64_t b = pauses[i].to < to ? pauses[i].to : to;
		if (a < b) {
			w -= plain_elapsed(cal, a, b, gaps);
			counted = b;
		}
	}
	return w;
}

int64_t reg_worktime_end(const reg_calendar *cal, int64_t start, int64_t seconds,
			 const reg_pause *pauses, size_t n_pauses, reg_calendar_gaps *gaps)
{
	if (seconds <= 0)
		return start;
	int64_t at = start;
	for (size_t i = 0; i < n_pauses; i++) {
		const reg_pause *p = &pauses[i];
		if (p->to <= at)
			continue;
		if (p->from > at) {
			int64_t before = plain_elapsed(cal, at, p->from, gaps);
			if (seconds <= before)
				return plain_end(cal, at, seconds, gaps);
			seconds -= before;
		}
		if (p->to == REG_PAUSE_OPEN)
			return INT64_MAX;
		at = p->to;
	}
	return plain_end(cal, at, seconds, gaps);
}

/* ---------------------------------------------------------------------------------------------
 * The calendar
 */

static void set_periods(reg_calendar *cal, const struct period *p, size_t n)
{
	cal->n_periods = n;
	cal->day_seconds = 0;
	for (size_t i = 0; i < n; i++) {
		cal->periods[i] = p[i];
		cal->day_seconds += p[i].to - p[i].from;
	}
}

reg_calendar *reg_calendar_new_default(int offset_min, reg_err **errp)
{
	reg_calendar *cal = calloc(1, sizeof *cal);
	if (!cal) {
		reg_err_oom(errp);
		return NULL;
	}
	cal->offset_min = offset_min;
	cal->week = DEFAULT_WEEK;
	set_periods(cal, default_periods, sizeof default_periods / sizeof *default_periods);
	return cal;
}

void reg_calendar_free(reg_calendar *cal)
{
	if (!cal)
		return;
	free(cal->years);
	free(cal);
}

int reg_calendar_offset(const reg_calendar *cal) { return cal->offset_min; }
int64_t reg_calendar_day_seconds(const reg_calendar *cal) { return cal->day_seconds; }
bool reg_calendar_has_year(const reg_calendar *cal, int year) { return find_year(cal, year); }

bool reg_calendar_is_working_day(const reg_calendar *cal, int year, int month, int day,
				 reg_calendar_gaps *gaps)
{
	return reg_date_valid(year, month, day) &&
	       works(cal, reg_days_from_civil(year, month, day), gaps);
}

/* "Monday to Friday", "Monday, Wednesday and Friday", "Sunday". */
static void week_words(unsigned week, char *buf, size_t size)
{
	int first = -1, last = -1, n = week_count(week);
	for (int i = 0; i < WEEK_WORDS; i++)
		if (week >> i & 1) {
			if (first < 0)
				first = i;
			last = i;
		}
	if (n > 1 && last - first + 1 == n) {
		snprintf(buf, size, "%s to %s", day_words[first], day_words[last]);
		return;
	}
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0, seen = 0; i < WEEK_WORDS && len < size; i++) {
		if (!(week >> i & 1))
			continue;
		const char *sep = seen == 0 ? "" : seen == n - 1 ? " and " : ", ";
		len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, day_words[i]);
		seen++;
	}
}

char *reg_calendar_gaps_message(const reg_calendar_gaps *gaps, const reg_calendar *cal)
{
	if (!gaps || gaps->count == 0)
		return strdup("");
	char years[REG_CALENDAR_GAPS_MAX * 8 + 16] = "", week[96];
	size_t len = 0;
	for (size_t i = 0; i < gaps->count; i++)
		len += (size_t)snprintf(years + len, sizeof years - len, "%s%d", i ? ", " : "",
					gaps->years[i]);
	week_words(cal->week, week, sizeof week);
	char *out = NULL;
	if (asprintf(&out, "calendar has no year%s %s%s: counted %s",
		     gaps->count > 1 || gaps->more ? "s" : "", years, gaps->more ? " and more" : "",
		     week) < 0)
		return NULL;
	return out;
}

/* ---- reading <calendar> ---- */

struct reader {
	reg_calendar *cal;
	const char *file;
	reg_err *err;
	bool oom;
};

static void calendar_problem(struct reader *rd, const xmlNode *node, const char *fmt, ...)
	REG_PRINTF(3, 4);

static void calendar_problem(struct reader *rd, const xmlNode *node, const char *fmt, ...)
{
	char *path = reg_xml_path(node);
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(&rd->err, REG_ECONFIG, rd->file, reg_xml_line(node), path, fmt, ap);
	va_end(ap);
	free(path);
}

static bool is_element(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE;
}

/* An element child of the calendar's namespace called `name`. */
static bool named(const xmlNode *n, const char *name)
{
	return n->ns && strcmp((const char *)n->ns->href, REG_NS_AUTHORITY) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static void unknown(struct reader *rd, const xmlNode *n, const char *where)
{
	calendar_problem(rd, n, "unknown element <%s> in <%s>", (const char *)n->name, where);
}

static void read_week(struct reader *rd, const xmlNode *node)
{
	char *text = reg_xml_text(node);
	unsigned week = 0;
	if (!text) {
		rd->oom = true;
		return;
	}
	for (char *save = NULL, *w = strtok_r(text, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		int i = 0;
		while (i < WEEK_WORDS && strcmp(w, day_ids[i]) != 0)
			i++;
		if (i == WEEK_WORDS)
			calendar_problem(rd, node, "unknown day '%s' (expected mon tue wed thu fri sat sun)", w);
		else if (week >> i & 1)
			calendar_problem(rd, node, "day '%s' is listed twice", w);
		else
			week |= 1u << i;
	}
	free(text);
	if (!week)
		calendar_problem(rd, node, "no working day in the week");
	else
		rd->cal->week = week;
}

/* "HH:MM", 00:00 to 24:00, into seconds after midnight. */
static bool parse_clock(const char *s, int *out)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && !isdigit((unsigned char)s[i]))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*out = h * 3600 + m * 60;
	return true;
}

static void read_hours(struct reader *rd, const xmlNode *node)
{
	struct period got[MAX_PERIODS];
	size_t n = 0;
	bool bad = false;
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_element(c))
			continue;
		if (!named(c, "period")) {
			unknown(rd, c, "hours");
			bad = true;
			continue;
		}
		char *from = reg_xml_attr(c, "from"), *to = reg_xml_attr(c, "to");
		struct period p;
		if (!parse_clock(from, &p.from) || !parse_clock(to, &p.to)) {
			calendar_problem(rd, c, "period '%s'–'%s': times must be HH:MM from 00:00 to 24:00",
				from ? from : "", to ? to : "");
			bad = true;
		} else if (p.from >= p.to) {
			calendar_problem(rd, c, "period %s–%s ends before it starts", from, to);
			bad = true;
		} else if (n > 0 && p.from < got[n - 1].to) {
			calendar_problem(rd, c, "period %s–%s begins before the one before it ends", from, to);
			bad = true;
		} else if (n == MAX_PERIODS) {
			calendar_problem(rd, c, "more than %d periods in a day", MAX_PERIODS);
			bad = true;
		} else {
			got[n++] = p;
		}
		free(from);
		free(to);
	}
	if (n == 0 && !bad)
		calendar_problem(rd, node, "no working period in the day");
	if (!bad && n > 0)
		set_periods(rd->cal, got, n);
}

/* "2026-01-01" into a day number, or false. */
static bool parse_day(const char *s, int *year, int64_t *z)
{
	int64_t epoch;
	int m, d;
	if (!s || strlen(s) != 10 || reg_time_parse(s, 0, &epoch, NULL, NULL) < 0)
		return false;
	reg_time_civil(epoch, 0, year, &m, &d);
	*z = day_of(epoch);
	return true;
}

/* A date attribute that exists and lies in the year; false (reported) otherwise. */
static bool date_attr(struct reader *rd, const xmlNode *node, const char *name, int number,
		      int64_t *z)
{
	char *s = reg_xml_attr(node, name);
	int y = 0;
	bool ok = false;
	if (!s)
		calendar_problem(rd, node, "<%s> needs %s=\"YYYY-MM-DD\"", (const char *)node->name, name);
	else if (!parse_day(s, &y, z))
		calendar_problem(rd, node, "%s '%s' is not a date (YYYY-MM-DD)", name, s);
	else if (y != number)
		calendar_problem(rd, node, "%s '%s' is not in year %d", name, s, number);
	else
		ok = true;
	free(s);
	return ok;
}

static void set_bit(uint64_t *bits, int64_t i, bool on)
{
	if (on)
		bits[i / 64] |= UINT64_C(1) << (i % 64);
	else
		bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* One <year> into *yr: false when it is broken (reported).  A year without a holiday or a
 * workday is kept without data (has_data false): a skeleton not yet filled in. */
static bool read_year(struct reader *rd, const xmlNode *node, struct year *yr)
{
	char *num = reg_xml_attr(node, "number");
	char *end = NULL;
	long number = num && isdigit((unsigned char)num[0]) ? strtol(num, &end, 10) : 0;
	if (!end || *end || number < MIN_YEAR || number > MAX_YEAR) {
		calendar_problem(rd, node, "year number '%s' is not a year from %d to %d", num ? num : "",
			MIN_YEAR, MAX_YEAR);
		free(num);
		return false;
	}
	free(num);
	memset(yr, 0, sizeof *yr);
	yr->number = (int)number;
	int64_t start = reg_days_from_civil(yr->number, 1, 1);
	int64_t len = reg_days_from_civil(yr->number + 1, 1, 1) - start;
	uint64_t off[6] = {0};
	bool bad = false;
	for (int64_t i = 0; i < len; i++)
		set_bit(yr->bits, i, rd->cal->week >> weekday(start + i) & 1);

	/* Holidays first, so a workday can be checked against every one of them. */
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_element(c) || named(c, "workday"))
			continue;
		if (!named(c, "holiday")) {
			unknown(rd, c, "year");
			bad = true;
			continue;
		}
		int64_t from, to;
		if (xmlHasProp(c, BAD_CAST "date")) {
			if (!date_attr(rd, c, "date", yr->number, &from)) {
				bad = true;
				continue;
			}
			to = from;
		} else if (!date_attr(rd, c, "from", yr->number, &from) ||
			   !date_attr(rd, c, "to", yr->number, &to)) {
			bad = true;
			continue;
		}
		if (to < from) {
			calendar_problem(rd, c, "holiday ends before it begins");
			bad = true;
			continue;
		}
		for (int64_t z = from; z <= to; z++) {
			set_bit(off, z - start, true);
			set_bit(yr->bits, z - start, false);
		}
		yr->has_data = true;
	}
	for (const xmlNode *c = node->children; c; c = c->next) {
		int64_t z;
		if (!is_element(c) || !named(c, "workday"))
			continue;
		if (!date_attr(rd, c, "date", yr->number, &z)) {
			bad = true;
			continue;
		}
		char *date = reg_xml_attr(c, "date");
		if (bit(off, z - start)) {
			calendar_problem(rd, c, "workday '%s' is also a holiday", date);
			bad = true;
		} else if (rd->cal->week >> weekday(z) & 1) {
			calendar_problem(rd, c, "workday '%s' is a %s, already a working day", date,
				day_words[weekday(z)]);
			bad = true;
		} else {
			set_bit(yr->bits, z - start, true);
		}
		free(date);
		yr->has_data = true;
	}
	return !bad;
}

static int by_number(const void *a, const void *b)
{
	const struct year *x = a, *y = b;
	return x->number < y->number ? -1 : x->number > y->number;
}

reg_calendar *reg_calendar_parse(const xmlNode *calendar, int offset_min, const char *file,
				 reg_err **errp)
{
	struct reader rd = {.file = file};
	if (!(rd.cal = reg_calendar_new_default(offset_min, errp)))
		return NULL;
	if (!calendar)
		return rd.cal;
	const xmlNode *week = NULL, *hours = NULL;
	size_t n_years = 0;
	for (const xmlNode *c = calendar->children; c; c = c->next) {
		if (!is_element(c))
			continue;
		if (named(c, "week") || named(c, "hours")) {
			const xmlNode **slot = named(c, "week") ? &week : &hours;
			if (*slot)
				calendar_problem(&rd, c, "<%s> is given twice", (const char *)c->name);
			*slot = c;
		} else if (named(c, "year")) {
			n_years++;
		} else {
			unknown(&rd, c, "calendar");
		}
	}
	/* The week first: a year's days start from it. */
	if (week)
		read_week(&rd, week);
	if (hours)
		read_hours(&rd, hours);
	if (n_years && !(rd.cal->years = calloc(n_years, sizeof *rd.cal->years)))
		rd.oom = true;
	for (const xmlNode *c = calendar->children; c && !rd.oom; c = c->next) {
		if (!is_element(c) || !named(c, "year"))
			continue;
		struct year *yr = &rd.cal->years[rd.cal->n_years];
		if (!read_year(&rd, c, yr))
			continue;
		for (size_t i = 0; i < rd.cal->n_years; i++)
			if (rd.cal->years[i].number == yr->number)
				calendar_problem(&rd, c, "year %d is given twice", yr->number);
		rd.cal->n_years++;
	}
	if (rd.cal->years)
		qsort(rd.cal->years, rd.cal->n_years, sizeof *rd.cal->years, by_number);
	if (rd.oom)
		reg_err_oom(&rd.err);
	if (rd.err) {
		reg_err_append(errp, &rd.err);
		reg_calendar_free(rd.cal);
		return NULL;
	}
	return rd.cal;
}

/* ---- the skeleton of a new authority file ---- */

static xmlNode *add_comment(xmlNode *parent, const char *text)
{
	xmlNode *c = xmlNewDocComment(parent->doc, BAD_CAST text);
	return c ? xmlAddChild(parent, c) : NULL;
}

xmlNode *reg_calendar_skeleton(xmlNode *parent, const int *years, size_t n_years,
			       reg_err **errp)
{
	for (size_t i = 0; i < n_years; i++) {
		bool twice = false;
		for (size_t j = 0; j < i; j++)
			twice |= years[j] == years[i];
		if (years[i] < MIN_YEAR || years[i] > MAX_YEAR || twice) {
			reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				    twice ? "year %d is given twice" : "year %d is not from 1 to 9999",
				    years[i]);
			return NULL;
		}
	}
	xmlNs *ns = parent->ns;
	xmlNode *cal = xmlNewChild(parent, ns, BAD_CAST "calendar", NULL);
	bool ok = cal && add_comment(cal, " The office calendar (docs/calendar.md): the working "
					  "days of the week, the working hours of a day (the lunch "
					  "break is not working time), and for each year its public "
					  "holidays and make-up working days (调休). Time limits "
					  "count working time only. ");
	char week[WEEK_WORDS * 4] = "";
	size_t len = 0;
	for (int i = 0; i < WEEK_WORDS; i++)
		if (DEFAULT_WEEK >> i & 1)
			len += (size_t)snprintf(week + len, sizeof week - len, "%s%s", len ? " " : "",
						day_ids[i]);
	ok = ok && xmlNewTextChild(cal, ns, BAD_CAST "week", BAD_CAST week);
	xmlNode *hours = ok ? xmlNewChild(cal, ns, BAD_CAST "hours", NULL) : NULL;
	ok = ok && hours;
	for (size_t i = 0; ok && i < sizeof default_periods / sizeof *default_periods; i++) {
		const struct period *p = &default_periods[i];
		char from[8], to[8];
		snprintf(from, sizeof from, "%02d:%02d", p->from / 3600 % 100, p->from / 60 % 60);
		snprintf(to, sizeof to, "%02d:%02d", p->to / 3600 % 100, p->to / 60 % 60);
		xmlNode *n = xmlNewChild(hours, ns, BAD_CAST "period", NULL);
		ok = n && xmlNewProp(n, BAD_CAST "from", BAD_CAST from) &&
		     xmlNewProp(n, BAD_CAST "to", BAD_CAST to);
	}
	for (size_t i = 0; ok && i < n_years; i++) {
		char number[8], *text = NULL;
		snprintf(number, sizeof number, "%d", years[i]);
		xmlNode *y = xmlNewChild(cal, ns, BAD_CAST "year", NULL);
		ok = y && xmlNewProp(y, BAD_CAST "number", BAD_CAST number) &&
		     asprintf(&text,
			      " Fill in from the State Council General Office's notice "
			      "国务院办公厅关于%d年部分节假日安排的通知: one <holiday from=\"%d-MM-DD\" "
			      "to=\"%d-MM-DD\">name</holiday> per holiday and one <workday "
			      "date=\"%d-MM-DD\">name</workday> per make-up working day. Until "
			      "then this year counts Monday to Friday. ",
			      years[i], years[i], years[i], years[i]) >= 0;
		if (!ok)
			text = NULL;
		ok = ok && add_comment(y, text);
		free(text);
	}
	if (!ok) {
		if (cal) {
			xmlUnlinkNode(cal);
			xmlFreeNode(cal);
		}
		reg_err_oom(errp);
		return NULL;
	}
	return cal;
}
