/* decimal: capital in yuan and shares in percent as exact hundredths. */
#include "decimal.h"
#include "tap.h"

#include <stdlib.h>

static void accepts(const char *text, int64_t want)
{
	reg_err *err = NULL;
	int64_t got = -1;
	int rc = reg_decimal_parse(text, &got, &err);
	ok(rc == 0 && got == want, "'%s' is %lld hundredths", text, (long long)want);
	if (rc != 0)
		diag("error: %s", reg_err_message(err));
	else if (got != want)
		diag("got %lld", (long long)got);
	reg_err_free(err);
}

/* Refused with REG_ENO (a rejected row, not an unreadable file) and a message containing `why`. */
static void refuses(const char *text, const char *why)
{
	reg_err *err = NULL;
	int64_t got = 12345;
	int rc = reg_decimal_parse(text, &got, &err);
	ok(rc == -1 && reg_err_code(err) == REG_ENO && strstr(reg_err_message(err), why) &&
	   got == 12345,
	   "'%s' refused: %s", text ? text : "(null)", why);
	if (err)
		diag("message: %s", reg_err_message(err));
	reg_err_free(err);
}

static void formats(int64_t h, const char *want)
{
	char buf[REG_DECIMAL_BUFSIZE];
	reg_decimal_format(h, buf, sizeof buf);
	is_str(buf, want, "%lld hundredths formats as %s", (long long)h, want);
}

int main(void)
{
	accepts("60", 6000);
	accepts("60.5", 6050);
	accepts("60.50", 6050);
	accepts("60.05", 6005);
	accepts("0", 0);
	accepts("0.01", 1);
	accepts("007.10", 710);
	accepts("1000000.00", 100000000);
	accepts("33.33", 3333);
	accepts("92233720368547758.07", INT64_MAX);

	/* shares summing to 100% stay exact where binary floating point would not */
	int64_t a, b, c;
	reg_decimal_parse("33.33", &a, NULL);
	reg_decimal_parse("33.33", &b, NULL);
	reg_decimal_parse("33.34", &c, NULL);
	is_int(a + b + c, 10000, "33.33 + 33.33 + 33.34 is exactly 100.00");

	refuses("", "empty number");
	refuses(NULL, "empty number");
	refuses("60.123", "more than 2 decimal places");
	refuses("1e3", "without an exponent");
	refuses("1.5E3", "without an exponent");
	refuses("-5", "is negative");
	refuses("+5", "without a sign");
	refuses(" 60 ", "spaces around");
	refuses("60 ", "spaces around");
	refuses("\t60", "spaces around");
	refuses("1,000,000.00", "without commas");
	refuses("60,5", "the decimal point is '.'");
	refuses(".5", "not a decimal number");
	refuses("5.", "not a decimal number");
	refuses("60.5.1", "not a decimal number");
	refuses("abc", "not a decimal number");
	refuses("６０", "not a decimal number");
	refuses("60%", "not a decimal number");
	refuses("92233720368547758.08", "too large");
	refuses("99999999999999999999999", "too large");

	/* the quoted subject is short and on one line even for a hostile field */
	{
		char big[200];
		memset(big, '9', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		big[0] = 'x';
		reg_err *err = NULL;
		int64_t v;
		reg_decimal_parse(big, &v, &err);
		ok(err && strlen(reg_err_message(err)) < 120 && strstr(reg_err_message(err), "x999"),
		   "a long text is shortened in the message");
		reg_err_free(err);
		err = NULL;
		reg_decimal_parse("6\n0", &v, &err);
		ok(err && !strchr(reg_err_message(err), '\n') && strstr(reg_err_message(err), "'6?0'"),
		   "a newline in the text does not break the message line");
		reg_err_free(err);
		/* 31 ASCII bytes then a 3-byte character: shortened before the character, not inside */
		err = NULL;
		reg_decimal_parse("1234567890123456789012345678901乌乌", &v, &err);
		ok(err && strstr(reg_err_message(err), "'1234567890123456789012345678901...'"),
		   "a multi-byte character is never cut in the message");
		if (err)
			diag("message: %s", reg_err_message(err));
		reg_err_free(err);
	}

	/* Chinese financial numerals, as the license prints the registered capital */
	{
		static const struct { int64_t v; const char *zh; } cases[] = {
			{100000000, "壹佰万元整"},
			{0, "零元整"},
			{1000000100, "壹仟万零壹元整"},
			{1001000, "壹万零壹拾元整"},
			{2000000000, "贰仟万元整"},
			{20000100, "贰拾万零壹元整"},
			{20010000000, "贰亿零壹拾万元整"},
			{10000100000, "壹亿零壹仟元整"},
			{10000000000, "壹亿元整"},
			{10010000000000, "壹仟零壹亿元整"},
			{100000000000000, "壹万亿元整"},
			{12345678901, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分"},
			{1100000, "壹万壹仟元整"},
			{150, "壹元伍角"},
			{105, "壹元零伍分"},
			{155, "壹元伍角伍分"},
			{50, "伍角"},
			{5, "伍分"},
			{1000, "壹拾元整"},
			{-5000, "负伍拾元整"},
			{INT64_MAX, "玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"},
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char zh[REG_DECIMAL_ZH_BUFSIZE];
			reg_decimal_zh_upper(cases[i].v, zh, sizeof zh);
			is_str(zh, cases[i].zh, "%lld hundredths in Chinese numerals",
			       (long long)cases[i].v);
		}
		char small[7];
		reg_decimal_zh_upper(100000000, small, sizeof small);
		is_str(small, "壹佰", "Chinese numerals: a short buffer is cut and NUL-terminated");
	}

	formats(6050, "60.50");
	formats(6000, "60.00");
	formats(5, "0.05");
	formats(0, "0.00");
	formats(100000000, "1000000.00");
	formats(-5, "-0.05");
	formats(INT64_MAX, "92233720368547758.07");
	formats(INT64_MIN, "-92233720368547758.08");
	{
		char small[4];
		reg_decimal_format(6050, small, sizeof small);
		is_str(small, "60.", "a short buffer is cut and NUL-terminated");
	}

	/* format then parse gives the value back */
	{
		static const int64_t vals[] = {0, 1, 10, 99, 100, 6050, 123456789, INT64_MAX};
		bool all = true;
		for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
			char buf[REG_DECIMAL_BUFSIZE];
			int64_t back = -1;
			reg_decimal_format(vals[i], buf, sizeof buf);
			if (reg_decimal_parse(buf, &back, NULL) != 0 || back != vals[i])
				all = false;
		}
		ok(all, "format then parse round-trips");
	}
	return tap_done();
}
