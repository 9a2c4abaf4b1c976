/*
 * clock — instants, offsets, dates and durations, independent of TZ and locale.
 *
 * An instant is seconds since the Unix epoch (int64_t).  It is always shown together with an
 * explicit UTC offset in minutes: the authority's zone (docs/formats.md), never the machine's TZ.
 * Parsing accepts ISO 8601 extended format: 2026-11-23T09:00:00+08:00, ...Z, or without an
 * offset (then `default_offset_min` applies); a date alone (2026-11-23) means its midnight.
 * Durations are ISO 8601 (P30D, PT4H, P1DT12H, P2W), calendar time in seconds; no months or
 * years, whose length is not fixed.
 */
#ifndef REG_CLOCK_H
#define REG_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"

#define REG_TIME_ISO_MAX 32 /* "2026-11-23T09:00:00+08:00" and its NUL, with room */

int reg_time_parse(const char *text, int default_offset_min, int64_t *epoch, int *offset_min,
		   reg_err **errp);
/* 2026-11-23T09:00:00+08:00 (Z is never written: +00:00, so every stamp has one shape). */
void reg_time_format(int64_t epoch, int offset_min, char buf[REG_TIME_ISO_MAX]);
/* 2026-11-23 in the given offset. */
void reg_time_format_date(int64_t epoch, int offset_min, char buf[11]);
/* 20261123 — for acceptance numbers. */
void reg_time_format_compact_date(int64_t epoch, int offset_min, char buf[9]);
/* Parse "+08:00", "-05:30", "Z" into minutes east of UTC. */
int reg_offset_parse(const char *text, int *offset_min, reg_err **errp);

/* Broken-down civil date in an offset; month 1-12. */
void reg_time_civil(int64_t epoch, int offset_min, int *year, int *month, int *day);
/* True if the Gregorian date exists (handles leap years). */
bool reg_date_valid(int year, int month, int day);
/* Days from 1970-01-01 to the civil date (proleptic Gregorian, negative before). */
int64_t reg_days_from_civil(int year, int month, int day);

int reg_duration_parse(const char *text, int64_t *seconds, reg_err **errp);
/* Compact human form for reports: "3h", "1d4h30m", "0s". */
void reg_duration_format(int64_t seconds, char *buf, unsigned size);

#endif
