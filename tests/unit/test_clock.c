/* clock: every date printed on a document and every deadline goes through here, TZ-free. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "tap.h"

int main(void)
{
	int64_t t;
	int off;
	char buf[REG_TIME_ISO_MAX];

	ok(reg_time_parse("2026-11-23T09:00:00+08:00", 0, &t, &off, NULL) == 0, "parse with offset");
	is_int(t, 1795395600, "epoch of 2026-11-23T09:00+08:00");
	is_int(off, 480, "offset kept");
	reg_time_format(t, 480, buf);
	is_str(buf, "2026-11-23T09:00:00+08:00", "format round-trips");
	reg_time_format(t, 0, buf);
	is_str(buf, "2026-11-23T01:00:00+00:00", "same instant in UTC");
	ok(reg_time_parse("2026-11-23T01:00:00Z", 480, &t, NULL, NULL) == 0 && t == 1795395600, "Z");
	ok(reg_time_parse("2026-11-23T09:00", 480, &t, NULL, NULL) == 0 && t == 1795395600,
	   "no offset: the default zone, seconds optional");
	ok(reg_time_parse("2026-11-23", 480, &t, NULL, NULL) == 0 && t == 1795363200, "date alone");

	/* Cross-check against the C library's UTC arithmetic over many instants, both signs. */
	setenv("TZ", "UTC", 1);
	tzset();
	int bad = 0;
	for (int64_t s = -2000000000; s < 4000000000; s += 86399 * 37 + 1234) {
		time_t tt = (time_t)s;
		struct tm tm;
		gmtime_r(&tt, &tm);
		char want[REG_TIME_ISO_MAX];
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
		reg_time_format(s, 0, buf);
		int64_t back;
		if (strcmp(buf, want) != 0 || reg_time_parse(buf, 0, &back, NULL, NULL) < 0 || back != s)
			bad++;
	}
	is_int(bad, 0, "format/parse agree with gmtime over 1906-2096");

	reg_time_format_date(1795363200, 480, buf);
	is_str(buf, "2026-11-23", "local midnight in +08:00 is already the 23rd");
	reg_time_format_date(1795363200, 0, buf);
	is_str(buf, "2026-11-22", "the same instant is still the 22nd in UTC");
	reg_time_format_date(1795363199, 480, buf);
	is_str(buf, "2026-11-22", "one second earlier is the 22nd in +08:00");
	reg_time_format_compact_date(1795395600, 480, buf);
	is_str(buf, "20261123", "compact date for acceptance numbers");

	ok(reg_date_valid(2000, 2, 29), "2000-02-29 exists");
	ok(!reg_date_valid(1900, 2, 29), "1900-02-29 does not");
	ok(!reg_date_valid(1999, 2, 30), "30 February does not");
	ok(!reg_date_valid(2026, 13, 1) && !reg_date_valid(2026, 4, 31), "month 13, 31 April");

	reg_err *e = NULL;
	const char *bad_times[] = {"2026-02-30T00:00:00+08:00", "2026-11-23T24:00:00Z", "tomorrow",
				   "2026-11-23T09:00:00+8", "2026-11-23X", ""};
	for (size_t i = 0; i < sizeof bad_times / sizeof *bad_times; i++) {
		ok(reg_time_parse(bad_times[i], 0, &t, NULL, &e) == -1 && reg_err_code(e) == REG_EUSAGE,
		   "refuse time '%s'", bad_times[i]);
		reg_err_clear(&e);
	}

	int64_t d;
	ok(reg_duration_parse("PT4H", &d, NULL) == 0 && d == 4 * 3600, "PT4H");
	ok(reg_duration_parse("P5D", &d, NULL) == 0 && d == 5 * 86400, "P5D");
	ok(reg_duration_parse("P30D", &d, NULL) == 0 && d == 30 * 86400, "P30D");
	ok(reg_duration_parse("P1DT12H30M", &d, NULL) == 0 && d == 86400 + 12 * 3600 + 1800, "mixed");
	ok(reg_duration_parse("P2W", &d, NULL) == 0 && d == 14 * 86400, "weeks");
	const char *bad_durations[] = {"P1M", "PT", "P", "4H", "P1H", "PT1D", "P-1D", "P1DT"};
	for (size_t i = 0; i < sizeof bad_durations / sizeof *bad_durations; i++) {
		ok(reg_duration_parse(bad_durations[i], &d, &e) == -1 && reg_err_code(e) == REG_ECONFIG,
		   "refuse duration '%s'", bad_durations[i]);
		reg_err_clear(&e);
	}
	reg_duration_format(3 * 3600, buf, sizeof buf);
	is_str(buf, "3h", "3h");
	reg_duration_format(86400 + 4 * 3600 + 30 * 60, buf, sizeof buf);
	is_str(buf, "1d4h30m", "1d4h30m");
	reg_duration_format(0, buf, sizeof buf);
	is_str(buf, "0s", "0s");
	return tap_done();
}
