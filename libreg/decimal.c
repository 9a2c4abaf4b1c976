#include "decimal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

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
		n = reg_utf8_cut(text, n + strlen(text + n), n);
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

void reg_decimal_zh_upper(int64_t hundredths, char *buf, size_t size)
{
	static const char *const digit[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
	static const char *const place[] = {"", "拾", "佰", "仟"};
	static const char *const section[] = {"", "万", "亿", "万亿", "亿亿"};
	uint64_t m = hundredths < 0 ? 0 - (uint64_t)hundredths : (uint64_t)hundredths;
	uint64_t yuan = m / 100;
	unsigned jiao = (unsigned)(m / 10 % 10), fen = (unsigned)(m % 10);
	char out[REG_DECIMAL_ZH_BUFSIZE] = "";
	size_t n = 0;
	/* At most 168 bytes (负, 17 digits with their places, the 零s, sections, 元 零 角 分 整). */
#define PUT(s) (n < sizeof out ? (n += (size_t)snprintf(out + n, sizeof out - n, "%s", (s))) : n)
	if (hundredths < 0)
		PUT("负");
	if (yuan > 0) {
		char digits[24];
		int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)yuan);
		bool zero = false, section_used = false;
		for (int i = 0; i < len; i++) {
			int pos = len - 1 - i; /* power of ten */
			int d = digits[i] - '0';
			if (d == 0) {
				zero = true;
			} else {
				if (zero)
					PUT("零");
				zero = false;
				PUT(digit[d]);
				PUT(place[pos % 4]);
				section_used = true;
			}
			if (pos % 4 == 0 && pos > 0 && section_used) {
				PUT(section[pos / 4]);
				section_used = false;
			}
		}
		PUT("元");
	} else if (jiao == 0 && fen == 0) {
		PUT("零元");
	}
	if (jiao == 0 && fen == 0) {
		PUT("整");
	} else {
		if (jiao > 0) {
			PUT(digit[jiao]);
			PUT("角");
		} else if (yuan > 0) {
			PUT("零");
		}
		if (fen > 0) {
			PUT(digit[fen]);
			PUT("分");
		}
	}
#undef PUT
	if (size > 0)
		snprintf(buf, size, "%s", out);
}
