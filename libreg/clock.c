#include "clock.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool reg_date_valid(int year, int month, int day)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
		return false;
	int max = mdays[month - 1];
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (month == 2 && leap)
		max = 29;
	return day <= max;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar, no tables, no
 * timegm (which consults nothing here, but keeping it pure makes it obviously TZ-free). */
int64_t reg_days_from_civil(int year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *year, int *month, int *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	*year = (int)(y + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void reg_time_civil(int64_t epoch, int offset_min, int *year, int *month, int *day)
{
	civil_from_days(floor_div(epoch + (int64_t)offset_min * 60, 86400), year, month, day);
}

/* Years are printed with four digits (0001-9999): the civil fields are clamped to their ranges
 * so every format below has a known width. */
static void clamp_civil(int *y, int *m, int *d)
{
	*y = *y < 0 ? 0 : *y > 9999 ? 9999 : *y;
	*m = *m < 1 ? 1 : *m > 12 ? 12 : *m;
	*d = *d < 1 ? 1 : *d > 31 ? 31 : *d;
}

void reg_time_format(int64_t epoch, int offset_min, char buf[REG_TIME_ISO_MAX])
{
	int64_t local = epoch + (int64_t)offset_min * 60;
	int64_t days = floor_div(local, 86400);
	int64_t secs = local - days * 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	clamp_civil(&y, &m, &d);
	unsigned off = (unsigned)(offset_min < 0 ? -offset_min : offset_min) % (24 * 60);
	unsigned s = (unsigned)secs % 86400;
	snprintf(buf, REG_TIME_ISO_MAX, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u", (unsigned)y,
		 (unsigned)m, (unsigned)d, s / 3600, s / 60 % 60, s % 60, offset_min < 0 ? '-' : '+',
		 off / 60, off % 60);
}

void reg_time_format_date(int64_t epoch, int offset_min, char buf[11])
{
	int y, m, d;
	reg_time_civil(epoch, offset_min, &y, &m, &d);
	clamp_civil(&y, &m, &d);
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100);
}

void reg_time_format_compact_date(int64_t epoch, int offset_min, char buf[9])
{
	int y, m, d;
	reg_time_civil(epoch, offset_min, &y, &m, &d);
	clamp_civil(&y, &m, &d);
	snprintf(buf, 9, "%04u%02u%02u", (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int reg_offset_parse(const char *text, int *offset_min, reg_err **errp)
{
	int h, m;
	if (strcmp(text, "Z") == 0) {
		*offset_min = 0;
		return 0;
	}
	if ((text[0] == '+' || text[0] == '-') && strlen(text) == 6 && text[3] == ':' &&
	    digits(text + 1, 2, &h) == 0 && digits(text + 4, 2, &m) == 0 && h <= 14 && m < 60) {
		*offset_min = (text[0] == '-' ? -1 : 1) * (h * 60 + m);
		return 0;
	}
	return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
			   "bad UTC offset '%s' (expected +HH:MM, -HH:MM or Z)", text);
}

int reg_time_parse(const char *text, int default_offset_min, int64_t *epoch, int *offset_min,
		   reg_err **errp)
{
	int y, mo, d, h = 0, mi = 0, s = 0, off = default_offset_min;
	size_t len = strlen(text);
	if (len < 10 || digits(text, 4, &y) || text[4] != '-' || digits(text + 5, 2, &mo) ||
	    text[7] != '-' || digits(text + 8, 2, &d))
		goto bad;
	if (!reg_date_valid(y, mo, d))
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "no such date '%.10s'", text);
	const char *rest = text + 10;
	if (*rest == 'T' || *rest == ' ') {
		rest++;
		if (strlen(rest) < 5 || digits(rest, 2, &h) || rest[2] != ':' || digits(rest + 3, 2, &mi))
			goto bad;
		rest += 5;
		if (*rest == ':') {
			if (digits(rest + 1, 2, &s))
				goto bad;
			rest += 3;
		}
		if (h > 23 || mi > 59 || s > 59)
			goto bad;
	}
	if (*rest && reg_offset_parse(rest, &off, NULL) < 0)
		goto bad;
	*epoch = reg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - (int64_t)off * 60;
	if (offset_min)
		*offset_min = off;
	return 0;
bad:
	return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
			   "bad time '%s' (expected ISO 8601 such as 2026-11-23T09:00:00+08:00)",
			   text);
}

int reg_duration_parse(const char *text, int64_t *seconds, reg_err **errp)
{
	const char *p = text;
	int64_t total = 0;
	bool in_time = false, any = false, time_part = false;
	if (*p++ != 'P')
		goto bad;
	while (*p) {
		if (*p == 'T') {
			if (in_time)
				goto bad;
			in_time = true;
			p++;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			goto bad;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > 100000000)
				goto bad;
		}
		int64_t unit;
		switch (*p++) {
		case 'W': unit = in_time ? -1 : 7 * 86400; break;
		case 'D': unit = in_time ? -1 : 86400; break;
		case 'H': unit = in_time ? 3600 : -1; break;
		case 'M': unit = in_time ? 60 : -1; break; /* months are not a fixed length */
		case 'S': unit = in_time ? 1 : -1; break;
		default: unit = -1;
		}
		if (unit < 0)
			goto bad;
		total += n * unit;
		any = true;
		time_part |= in_time;
	}
	if (!any || (in_time && !time_part))
		goto bad;
	*seconds = total;
	return 0;
bad:
	return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
			   "bad duration '%s' (expected ISO 8601 such as PT4H or P30D)", text);
}

void reg_duration_format(int64_t seconds, char *buf, unsigned size)
{
	char *p = buf;
	size_t left = size;
	if (seconds < 0) {
		snprintf(p, left, "-");
		p++, left--;
		seconds = -seconds;
	}
	if (seconds == 0) {
		snprintf(p, left, "0s");
		return;
	}
	static const struct { int64_t secs; char unit; } units[] = {
		{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	for (size_t i = 0; i < sizeof units / sizeof units[0] && left > 1; i++) {
		if (seconds >= units[i].secs) {
			int n = snprintf(p, left, "%" PRId64 "%c", seconds / units[i].secs, units[i].unit);
			if (n < 0 || (size_t)n >= left)
				return;
			p += n, left -= (size_t)n;
			seconds %= units[i].secs;
		}
	}
}
