/*
 * decimal — exact amounts with two fraction digits: registered capital in yuan, shares in
 * percent (docs/formats.md: exact decimals in hundredths, never floating point).  A value is
 * held as an int64_t count of hundredths: "60.5" is 6050, "1000000.00" is 100000000.  Shares
 * summing to 100% is then an integer sum equal to 10000, with no rounding anywhere.
 *
 * The accepted text is one strict grammar, the one spreadsheets export for a number cell:
 *     digits [ "." 1*2digits ]          "60", "60.5", "60.50", "007.10", "1000000.00"
 * Refused, each with its own message: "" (empty), surrounding spaces (the text is taken exactly
 * as it stands; a caller accepting padded cells trims first, as reg_split does for sub-list
 * items), a sign ("-5", "+5"), more than two fraction digits ("60.123": rounding would change
 * the amount the applicant wrote), an exponent ("1e3"), thousands separators ("1,000"), ".5" and
 * "5.", full-width digits, and anything above INT64_MAX hundredths.
 * Pure functions, thread-safe.
 */
#ifndef REG_DECIMAL_H
#define REG_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* Enough for any int64_t in hundredths: sign, 17 integer digits, '.', 2 digits, NUL. */
#define REG_DECIMAL_BUFSIZE 24

/* Parse text into hundredths.  On failure REG_ENO (the value is wrong, so the row or dossier is
 * rejected, not the whole input), the text quoted (shortened, control characters shown as '?'),
 * no location: the caller adds file, line and column. */
int reg_decimal_parse(const char *text, int64_t *hundredths, reg_err **errp);

/* Write hundredths with exactly two fraction digits: 6050 → "60.50", 0 → "0.00", -5 → "-0.05".
 * The result is always NUL-terminated when size > 0 and is cut short when size is too small;
 * REG_DECIMAL_BUFSIZE is always enough. */
void reg_decimal_format(int64_t hundredths, char *buf, size_t size);

/* The amount in Chinese financial numerals (大写金额), as a license or a cheque writes it:
 * 100000000 → "壹佰万元整", 1000000100 → "壹仟万零壹元整", 150 → "壹元伍角", 105 → "壹元零伍分",
 * 0 → "零元整", negative amounts with "负" in front.  One 零 stands for any run of zeros between
 * non-zero digits (壹万零壹拾元整), as the banks' rules allow; units go up to 万亿, which covers
 * every int64_t.  Cut short like reg_decimal_format when size is too small;
 * REG_DECIMAL_ZH_BUFSIZE is always enough. */
#define REG_DECIMAL_ZH_BUFSIZE 256
void reg_decimal_zh_upper(int64_t hundredths, char *buf, size_t size);

#endif
