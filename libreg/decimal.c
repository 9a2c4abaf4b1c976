#include "decimal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The text for a message: at most 32 bytes (not cutting a UTF-8 character), control characters
 * as '?' so a newline from a quoted CSV field cannot break the one-line message. */
static void quoted(const char *text, char out[48])
{
	size_t n = 0, i = 0;
	for (; text[i] && n < 32; i++, n++)
		out[n] = (unsigned char)text[i] < 0x20 || text[i] == 0x7F ? '?' : text[i];
	if (text[i]) {
		/* text[n] is the first byte left out: when it continues a character, leave out
		 * that whole character */
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
		memcpy(out + n, "...", 4);
	} else {
		out[n] = '\0';
	}
}

static bool digit(char c) { return c >= '0' && c <= '9'; }

int reg_decimal_parse(const char *text, int64_t *hundredths, reg_err **errp)
{
	char q[48];
	if (!text || !*text)
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL, "empty number");
	quoted(text, q);
	size_t len = strlen(text);
	if (strchr(" \t\r\n", text[0]) || strchr(" \t\r\n", text[len - 1]))
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "'%s' has spaces around the number", q);
	if (text[0] == '-')
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL, "'%s' is negative", q);
	if (text[0] == '+')
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "'%s': write the number without a sign", q);

	const char *p = text;
	int64_t units = 0;
	for (; digit(*p); p++) {
		int d = *p - '0';
		if (units > (INT64_MAX - d) / 10)
			goto too_large;
		units = units * 10 + d;
	}
	bool int_digits = p > text;
	int frac = 0, nfrac = 0;
	if (*p == '.' && int_digits) {
		const char *f = ++p;
		for (; digit(*p); p++, nfrac++)
			if (nfrac < 2)
				frac = frac * 10 + (*p - '0');
		if (nfrac > 2 && *p == '\0')
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					   "'%s' has more than 2 decimal places", q);
		if (p == f)
			goto not_decimal;
	}
	if (*p != '\0' || !int_digits) {
		if (int_digits && *p == ',')
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					   "'%s': write the number without commas (no thousands "
					   "separators, the decimal point is '.')", q);
		if (int_digits && (*p == 'e' || *p == 'E'))
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
					   "'%s': write the number without an exponent", q);
		goto not_decimal;
	}
	if (nfrac == 1)
		frac *= 10;
	if (units > (INT64_MAX - frac) / 100)
		goto too_large;
	*hundredths = units * 100 + frac;
	return 0;
not_decimal:
	return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
			   "'%s' is not a decimal number (digits with at most 2 decimal places, "
			   "like 60.5)", q);
too_large:
	return reg_err_set(errp, REG_ENO, NULL, 0, NULL, "'%s' is too large", q);
}

void reg_decimal_format(int64_t hundredths, char *buf, size_t size)
{
	/* The magnitude in unsigned arithmetic, so INT64_MIN has one too. */
	uint64_t m = hundredths < 0 ? 0 - (uint64_t)hundredths : (uint64_t)hundredths;
	if (size > 0)
		snprintf(buf, size, "%s%llu.%02u", hundredths < 0 ? "-" : "",
			 (unsigned long long)(m / 100), (unsigned)(m % 100));
}
