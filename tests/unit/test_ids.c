/*
 * test_ids — the identifier rules against the standards' own examples, real codes, and a second
 * implementation written differently (literal weight tables and strchr lookups) so a mistake in
 * libreg's arithmetic cannot confirm itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "tap.h"

/* ---- the independent implementation ------------------------------------------------------- */

static const char CS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/* 3^i mod 31, written out. */
static const int USCC_W[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
static const int ORG_W[8] = {3, 7, 9, 10, 5, 8, 4, 2};
/* 2^(17-i) mod 11, written out. */
static const int CID_W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
/* The GB 32100 pairs of docs/identifiers.md, "USCC". */
static const char *const PAIRS[] = {"11", "12", "13", "19", "21", "29", "31", "32", "33", "34",
				    "35", "39", "41", "49", "51", "52", "53", "59", "61", "62",
				    "69", "71", "72", "79", "81", "89", "91", "92", "93", "A1",
				    "A9", "N1", "N2", "N3", "N9", "Y1"};

static char t_uscc_check(const char *s)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		const char *p = s[i] ? strchr(CS, s[i]) : NULL;
		if (!p)
			return 0;
		sum += (int)(p - CS) * USCC_W[i];
	}
	int c = 31 - sum % 31;
	return CS[c == 31 ? 0 : c];
}

static char t_org_check(const char *s)
{
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		const char *p = s[i] ? strchr(ALNUM, s[i]) : NULL;
		if (!p)
			return 0;
		sum += (int)(p - ALNUM) * ORG_W[i];
	}
	int c = 11 - sum % 11;
	return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

static char t_cid_check(const char *s)
{
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * CID_W[i];
	return "10X98765432"[sum % 11];
}

static int t_pair_valid(char d, char c)
{
	for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++)
		if (PAIRS[i][0] == d && PAIRS[i][1] == c)
			return 1;
	return 0;
}

static int t_date_exists(int y, int m, int d)
{
	static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1 || d > days[m])
		return 0;
	if (m == 2 && d == 29)
		return y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
	return 1;
}

/* What the rules say about a USCC that is 18 chars of the USCC charset. */
static reg_id_rule t_uscc_rule(const char *s)
{
	for (int i = 2; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return REG_ID_CHARSET;
	if (!t_pair_valid(s[0], s[1]))
		return REG_ID_DEPT_CATEGORY;
	if (t_org_check(s + 8) != s[16])
		return REG_ID_ORG_CODE;
	if (t_uscc_check(s) != s[17])
		return REG_ID_CHECK;
	return REG_ID_OK;
}

/* Deterministic pseudo-random numbers (a 64-bit LCG): the same cases every run. */
static uint64_t rng = 0x2015u;
static unsigned next_rand(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static const char USCC_REAL[] = "914403001922038216";
static const char CID_REAL[] = "11010519491231002X";
static const char ORG_REAL[] = "192203821";

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_known_codes(void)
{
	ok(reg_uscc_valid(USCC_REAL), "real USCC %s is valid", USCC_REAL);
	ok(reg_org_code_valid(ORG_REAL), "its organization code %s is valid", ORG_REAL);
	ok(reg_citizen_id_valid(CID_REAL), "GB 11643 example %s is valid", CID_REAL);
	is_int(t_uscc_check(USCC_REAL), '6', "independent USCC check of the real code is 6");
	is_int(t_org_check(ORG_REAL), '1', "independent org check of 19220382 is 1");
	is_int(t_cid_check(CID_REAL), 'X', "independent citizen check of the example is X");

	reg_id_result r = reg_citizen_id_check("150302199902300014");
	is_int(r.rule, REG_ID_BIRTH_DATE, "150302199902300014 (30 February) is refused for its date");
	ok(strstr(r.message, "birth date") && strstr(r.message, "1999-02-30"),
	   "the message names the birth date: %s", r.message);

	/* GB 11643's second example: correct check, but born 1880, before the 1900 floor. */
	is_int(t_cid_check("440524188001010014"), '4', "440524188001010014 has a correct check char");
	r = reg_citizen_id_check("440524188001010014");
	is_int(r.rule, REG_ID_BIRTH_DATE, "a birth year before 1900 is refused");
	ok(strstr(r.message, "before 1900") != NULL, "and says so: %s", r.message);
	r = reg_citizen_id_check("150302190001010010");
	ok(r.rule == REG_ID_OK || r.rule == REG_ID_CHECK, "1900-01-01 passes the date rule");
	r = reg_citizen_id_check("150302200002290018");
	ok(r.rule != REG_ID_BIRTH_DATE, "29 February 2000 exists (leap year by 400)");
	r = reg_citizen_id_check("150302190002290018");
	is_int(r.rule, REG_ID_BIRTH_DATE, "29 February 1900 does not (not a leap year)");
	r = reg_citizen_id_check("150302199913010010");
	is_int(r.rule, REG_ID_BIRTH_DATE, "month 13 does not exist");
	r = reg_citizen_id_check("150302199904310010");
	is_int(r.rule, REG_ID_BIRTH_DATE, "31 April does not exist");
}

static void test_uscc_sweep(void)
{
	char code[REG_USCC_LEN + 1];
	int rejected = 0, total = 0, rule_ok = 0, last_ok = 0, last_total = 0;
	for (int pos = 0; pos < REG_USCC_LEN; pos++) {
		for (const char *c = CS; *c; c++) {
			if (*c == USCC_REAL[pos])
				continue;
			memcpy(code, USCC_REAL, sizeof code);
			code[pos] = *c;
			reg_id_result r = reg_uscc_check(code);
			total++;
			rejected += r.rule != REG_ID_OK;
			if (r.rule == t_uscc_rule(code))
				rule_ok++;
			else
				diag("%s: rule %d, independent %d (%s)", code, r.rule,
				     t_uscc_rule(code), r.message);
			if (pos == REG_USCC_LEN - 1) {
				last_total++;
				if (r.rule == REG_ID_CHECK && r.expected_check == '6' &&
				    strcmp(r.message, "check character should be 6") == 0)
					last_ok++;
			}
		}
	}
	is_int(total, 18 * 30, "every single substitution of the real USCC was tried");
	is_int(rejected, total, "every one of them is rejected");
	is_int(rule_ok, total, "each fails the first rule the independent implementation predicts");
	is_int(last_ok, 30, "a changed last char reports 'check character should be 6'");
}

static void test_citizen_sweep(void)
{
	char id[REG_CITIZEN_ID_LEN + 1];
	int rejected = 0, total = 0, rule_ok = 0, last_ok = 0;
	for (int pos = 0; pos < REG_CITIZEN_ID_LEN; pos++) {
		const char *set = pos == 17 ? "0123456789X" : "0123456789";
		for (const char *c = set; *c; c++) {
			if (*c == CID_REAL[pos])
				continue;
			memcpy(id, CID_REAL, sizeof id);
			id[pos] = *c;
			reg_id_result r = reg_citizen_id_check(id);
			total++;
			rejected += r.rule != REG_ID_OK;
			int y = atoi((char[]){id[6], id[7], id[8], id[9], 0});
			int m = atoi((char[]){id[10], id[11], 0});
			int d = atoi((char[]){id[12], id[13], 0});
			reg_id_rule want = !t_date_exists(y, m, d) || y < 1900 ? REG_ID_BIRTH_DATE
				: t_cid_check(id) != id[17] ? REG_ID_CHECK : REG_ID_OK;
			if (r.rule == want)
				rule_ok++;
			else
				diag("%s: rule %d, want %d", id, r.rule, want);
			if (pos == 17 && r.rule == REG_ID_CHECK && r.expected_check == 'X' &&
			    strcmp(r.message, "check character should be X") == 0)
				last_ok++;
		}
	}
	is_int(total, 17 * 9 + 10, "every single substitution of the citizen id was tried");
	is_int(rejected, total, "every one of them is rejected");
	is_int(rule_ok, total, "each fails the predicted rule (birth date before check)");
	is_int(last_ok, 10, "a changed last char reports 'check character should be X'");
}

static void test_org_sweep(void)
{
	char code[REG_ORG_CODE_LEN + 1];
	int total = 0, agree = 0, digits_rejected = 0, digit_total = 0, last_ok = 0;
	for (int pos = 0; pos < REG_ORG_CODE_LEN; pos++) {
		const char *set = pos == 8 ? "0123456789X" : ALNUM;
		for (const char *c = set; *c; c++) {
			if (*c == ORG_REAL[pos])
				continue;
			memcpy(code, ORG_REAL, sizeof code);
			code[pos] = *c;
			reg_id_result r = reg_org_code_check(code);
			total++;
			bool want_ok = t_org_check(code) == code[8];
			agree += (r.rule == REG_ID_OK) == want_ok &&
				 (want_ok || r.rule == REG_ID_CHECK);
			if (*c >= '0' && *c <= '9') {
				digit_total++;
				digits_rejected += r.rule == REG_ID_CHECK;
			}
			if (pos == 8 && r.rule == REG_ID_CHECK && r.expected_check == '1' &&
			    strcmp(r.message, "check character should be 1") == 0)
				last_ok++;
		}
	}
	is_int(total, 8 * 35 + 10, "every single substitution of the org code was tried");
	is_int(agree, total, "library and independent GB 11714 agree on each");
	is_int(digits_rejected, digit_total, "every digit substitution is rejected by the check");
	is_int(last_ok, 10, "a changed last char reports 'check character should be 1'");
	/* GB 11714 values letters 10-35 mod 11, so '1' (1) and 'C' (12) weigh alike: the standard
	 * cannot see that substitution, and regkit implements the standard, not a stricter one. */
	ok(reg_org_code_valid("C92203821"), "GB 11714's blind spot 1 -> C is accepted as the standard says");
	ok(!reg_uscc_valid("91440300C922038216"), "but inside a USCC the mod-31 check catches it");
}

static void test_malformed(void)
{
	reg_id_result r;
	r = reg_uscc_check("");
	is_int(r.rule, REG_ID_LENGTH, "empty USCC: length");
	r = reg_uscc_check(NULL);
	is_int(r.rule, REG_ID_LENGTH, "NULL USCC: length, no crash");
	r = reg_uscc_check("91440300192203821");
	is_int(r.rule, REG_ID_LENGTH, "17 chars: length");
	is_str(r.message, "has 17 characters, should have 18", "length message");
	r = reg_uscc_check("9144030019220382160");
	is_int(r.rule, REG_ID_LENGTH, "19 chars: length");
	r = reg_uscc_check("91440300192203821\xe4\xb8\xad");
	is_int(r.rule, REG_ID_CHARSET, "18 characters with a CJK one: length ok (characters, not bytes), charset fails");
	is_str(r.message, "non-ascii character at position 18, should be one of "
	       REG_USCC_CHARSET " (no I O S V Z)", "non-ascii message quotes no raw bytes");
	r = reg_uscc_check("9144030019220382\xe4\xb8\xad");
	is_int(r.rule, REG_ID_LENGTH, "16 ASCII + 1 CJK is 17 characters");
	is_str(r.message, "has 17 characters, should have 18", "counted in characters");
	r = reg_uscc_check("91150302ma0000015y");
	is_int(r.rule, REG_ID_CHARSET, "lower case USCC: charset");
	is_str(r.message, "character 'm' at position 9 is lower case: use upper case", "with the hint");
	r = reg_uscc_check("91440300192203821i");
	ok(r.rule == REG_ID_CHARSET && !strstr(r.message, "upper case"),
	   "lower-case i gets no upper-case hint (I is not allowed either): %s", r.message);
	const char *banned = "IOZSV";
	int banned_ok = 0;
	for (const char *b = banned; *b; b++) {
		char code[19];
		memcpy(code, USCC_REAL, sizeof code);
		code[12] = *b;
		r = reg_uscc_check(code);
		banned_ok += r.rule == REG_ID_CHARSET && strstr(r.message, "position 13") != NULL;
	}
	is_int(banned_ok, 5, "I O Z S V are outside the USCC charset");
	r = reg_uscc_check("9144A3001922038216");
	is_int(r.rule, REG_ID_CHARSET, "a letter in the division code: charset");
	ok(strstr(r.message, "digit") != NULL, "asks for a digit: %s", r.message);
	r = reg_uscc_check("914403001922\t38216");
	ok(r.rule == REG_ID_CHARSET && !strchr(r.message, '\t'), "control char: charset, not echoed");

	r = reg_citizen_id_check("11010519491231002x");
	is_int(r.rule, REG_ID_CHARSET, "lower-case x in a citizen id: charset");
	ok(strstr(r.message, "use upper case") != NULL, "with the hint: %s", r.message);
	r = reg_citizen_id_check("1101051949123100A2");
	is_int(r.rule, REG_ID_CHARSET, "a letter among the digits: charset");
	r = reg_citizen_id_check("110105194912310");
	is_int(r.rule, REG_ID_LENGTH, "15-digit old id: length");
	r = reg_citizen_id_check("11010519491231002Y");
	is_int(r.rule, REG_ID_CHARSET, "last char neither digit nor X: charset");

	r = reg_org_code_check("19220382-1");
	is_int(r.rule, REG_ID_LENGTH, "hyphenated org code: length");
	ok(strstr(r.message, "hyphen") != NULL, "with a hint about the hyphen: %s", r.message);
	r = reg_org_code_check("ma0000015");
	ok(r.rule == REG_ID_CHARSET && strstr(r.message, "use upper case"), "lower-case org code: hint");
	r = reg_org_code_check("19220382A");
	is_int(r.rule, REG_ID_CHARSET, "org check char must be a digit or X");
	r = reg_org_code_check("1922038*1");
	is_int(r.rule, REG_ID_CHARSET, "punctuation in the body: charset");
	ok(strchr(r.message, '.') == NULL && r.message[0] >= 'a' && r.message[0] <= 'z',
	   "messages are lower case without full stop: %s", r.message);

	/* The order of the rules: the first failure is the one reported. */
	r = reg_uscc_check("B14403001922038210");
	is_int(r.rule, REG_ID_DEPT_CATEGORY, "bad department beats a bad check");
	r = reg_uscc_check("914403001922038226");
	is_int(r.rule, REG_ID_ORG_CODE, "bad org code beats a bad check");
	ok(strstr(r.message, "192203822") && strstr(r.message, "should be 1"),
	   "org code message names the code and its expected char: %s", r.message);
	r = reg_uscc_check("9b4403001922038216");
	is_int(r.rule, REG_ID_CHARSET, "charset beats department/category");
	r = reg_citizen_id_check("15030219990230001a");
	is_int(r.rule, REG_ID_CHARSET, "charset beats birth date");
	r = reg_citizen_id_check("150302199902300015");
	is_int(r.rule, REG_ID_BIRTH_DATE, "birth date beats check");
}

/* A USCC with the given pair and division, valid everywhere else. */
static void t_make(char out[19], char dept, char cat, const char *division)
{
	snprintf(out, 19, "%c%c%s192203821", dept, cat, division);
	out[17] = t_uscc_check(out);
	out[18] = '\0';
}

static void test_pairs(void)
{
	int agree = 0, valid = 0;
	char code[19];
	for (const char *d = CS; *d; d++)
		for (const char *c = CS; *c; c++) {
			t_make(code, *d, *c, "150302");
			reg_id_result r = reg_uscc_check(code);
			int want = t_pair_valid(*d, *c);
			valid += r.rule == REG_ID_OK;
			agree += want ? r.rule == REG_ID_OK : r.rule == REG_ID_DEPT_CATEGORY;
			if (want != (r.rule == REG_ID_OK))
				diag("%s: %s", code, r.message);
		}
	is_int(agree, 31 * 31, "each department/category pair is valid exactly when in the table");
	is_int(valid, 36, "36 pairs exist");

	is_str(reg_uscc_department_name('9'), "工商 industry and commerce", "department 9");
	is_str(reg_uscc_department_name('1'), "机构编制 institutional establishment", "department 1");
	is_str(reg_uscc_category_name('9', '1'), "企业 enterprise", "category 91");
	is_str(reg_uscc_category_name('9', '2'), "个体工商户 individual business", "category 92");
	ok(reg_uscc_category_name('9', '9') == NULL, "91-93 only: 99 has no name");
	ok(reg_uscc_department_name('B') == NULL, "department B does not exist");
	ok(reg_uscc_category_name('B', '1') == NULL, "nor its categories");
	int named = 0;
	for (size_t i = 0; i < sizeof PAIRS / sizeof PAIRS[0]; i++) {
		const char *dn = reg_uscc_department_name(PAIRS[i][0]);
		const char *cn = reg_uscc_category_name(PAIRS[i][0], PAIRS[i][1]);
		named += dn && cn && (unsigned char)dn[0] >= 0x80 && strchr(dn, ' ') &&
			 (unsigned char)cn[0] >= 0x80 && strchr(cn, ' ');
	}
	is_int(named, 36, "every pair has Chinese and English names");

	t_make(code, '9', '1', "100000");
	reg_id_result r = reg_uscc_check(code);
	is_int(r.rule, REG_ID_OK, "a national code (division 100000, not in the table) is valid");
	char buf[512];
	reg_uscc_explain(code, buf, sizeof buf);
	ok(strstr(buf, "division 100000 unknown") != NULL, "explain says the division is unknown: %s", buf);
}

static int cmp_codes(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_make(void)
{
	enum { N = 4000 };
	static char made[N][19];
	static const uint64_t edges[] = {0, 1, 30, 31, 960, 961, 29790, 29791, 923520, 923521,
					 28629150, 28629151, 887503680};
	const uint64_t max = 887503680; /* 31^6 - 1 */
	int valid = 0, prefix = 0, decoded = 0, n = 0, org_x = 0;
	for (size_t i = 0; i < N; i++) {
		uint64_t serial = i < sizeof edges / sizeof edges[0] ? edges[i]
				  : (uint64_t)next_rand(1u << 30) % (max + 1);
		if (i >= 2000 && i < 2200)
			serial = i; /* consecutive serials too */
		if (reg_uscc_make("150302", serial, made[n]) != 0)
			continue;
		valid += t_uscc_rule(made[n]) == REG_ID_OK && reg_uscc_valid(made[n]);
		prefix += strncmp(made[n], "91150302MA", 10) == 0;
		uint64_t back = 0;
		for (int k = 10; k < 16; k++)
			back = back * 31 + (uint64_t)(strchr(CS, made[n][k]) - CS);
		decoded += back == serial;
		org_x += made[n][16] == 'X';
		n++;
	}
	is_int(n, N, "reg_uscc_make accepts serials 0 … 31^6-1");
	is_int(valid, N, "every made code is valid (library and independent check)");
	is_int(prefix, N, "every made code starts 91 + division + MA");
	is_int(decoded, N, "the serial reads back from positions 11-16 (base 31, most significant first)");
	ok(org_x > 0, "some codes have X as their org check char (%d), and still validate", org_x);

	char a[19], b[19];
	reg_uscc_make("150302", 1, a);
	is_str(a, "91150302MA0000015Y", "serial 1 gives 91150302MA0000015Y");
	reg_uscc_make("150302", max, a);
	ok(strncmp(a + 8, "MAYYYYYY", 8) == 0, "the last serial is YYYYYY: %s", a);

	/* Unique: the serials above are distinct except where repeated on purpose. */
	int distinct_serials = 0;
	for (uint64_t s = 0; s < 3000; s++) {
		reg_uscc_make("150302", s, a);
		reg_uscc_make("150302", s + 1, b);
		distinct_serials += strcmp(a, b) != 0;
	}
	is_int(distinct_serials, 3000, "neighbouring serials give different codes");
	static char seq[3000][19];
	for (int s = 0; s < 3000; s++)
		reg_uscc_make("150302", (uint64_t)s * 295834 + 7, seq[s]);
	qsort(seq, 3000, sizeof seq[0], cmp_codes);
	int dups = 0;
	for (int s = 1; s < 3000; s++)
		dups += strcmp(seq[s - 1], seq[s]) == 0;
	is_int(dups, 0, "3000 distinct serials spread over the range give 3000 distinct codes");

	ok(reg_uscc_make("150302", max + 1, a) == -1, "serial 31^6 is out of range");
	ok(reg_uscc_make("15030", 1, a) == -1, "a 5-digit division is refused");
	ok(reg_uscc_make("1503021", 1, a) == -1, "a 7-digit division is refused");
	ok(reg_uscc_make("15030a", 1, a) == -1, "a non-digit division is refused");
	ok(reg_uscc_make(NULL, 1, a) == -1, "no division is refused");
	ok(reg_uscc_make("100000", 5, a) == 0 && reg_uscc_valid(a) && strncmp(a, "91100000MA", 10) == 0,
	   "any 6-digit division works, known or not: %s", a);

	char seal[14];
	ok(reg_seal_code_make("150302", 42, seal) == 0, "seal code made");
	is_str(seal, "1503020000042", "division + 7-digit zero-padded serial");
	ok(reg_seal_code_make("150302", 9999999, seal) == 0 && strcmp(seal, "1503029999999") == 0,
	   "largest seal serial");
	ok(reg_seal_code_make("150302", 10000000, seal) == -1, "8-digit serial refused");
	ok(reg_seal_code_make("1503", 1, seal) == -1, "short division refused");
}

static void test_check_chars(void)
{
	int uscc_agree = 0, org_agree = 0, cid_agree = 0;
	const int rounds = 20000;
	for (int i = 0; i < rounds; i++) {
		char u[18], o[9], c[18];
		for (int k = 0; k < 17; k++) {
			u[k] = CS[next_rand(31)];
			c[k] = (char)('0' + next_rand(10));
		}
		for (int k = 0; k < 8; k++)
			o[k] = ALNUM[next_rand(36)];
		u[17] = c[17] = o[8] = '\0';
		uscc_agree += reg_uscc_check_char(u) == t_uscc_check(u);
		org_agree += reg_org_code_check_char(o) == t_org_check(o);
		cid_agree += reg_citizen_id_check_char(c) == t_cid_check(c);
	}
	is_int(uscc_agree, rounds, "USCC check chars agree with the independent implementation");
	is_int(org_agree, rounds, "org check chars agree");
	is_int(cid_agree, rounds, "citizen id check chars agree");
	is_int(reg_uscc_check_char("9144030019220382I"), 0, "USCC check char of a body with I: NUL");
	is_int(reg_uscc_check_char("914403"), 0, "of a short body: NUL, no overread");
	is_int(reg_org_code_check_char("1922038a"), 0, "org check char of lower case: NUL");
	is_int(reg_org_code_check_char("MA000001"), '5', "org check char of MA000001 is 5");
	is_int(reg_citizen_id_check_char("1101051949123100X"), 0, "citizen check char of a letter: NUL");
	/* The "11 -> 0" and "10 -> X" ends of GB 11714. */
	is_int(reg_org_code_check_char("00000000"), '0', "a zero sum gives 0 (11 -> 0)");
	is_int(reg_org_code_check_char("00000006"), 'X', "a sum of 12 gives X (11 - 1 = 10 -> X)");
	is_int(t_org_check("00000006"), 'X', "and the independent implementation agrees");
}

/* A division and the full name the table composes for it. */
struct named {
	const char *code, *full;
};

/* Real codes of the current table (docs/divisions.md), one or more of each special case. */
static const struct named NAMED[] = {
	/* Inner Mongolia, which fixtures and tests use */
	{"150302", "内蒙古自治区乌海市海勃湾区"}, {"150303", "内蒙古自治区乌海市海南区"},
	{"150304", "内蒙古自治区乌海市乌达区"}, {"150300", "内蒙古自治区乌海市"},
	{"150000", "内蒙古自治区"}, {"150102", "内蒙古自治区呼和浩特市新城区"},
	{"150603", "内蒙古自治区鄂尔多斯市康巴什区"}, {"150785", "内蒙古自治区呼伦贝尔市根河市"},
	{"152923", "内蒙古自治区阿拉善盟额济纳旗"},
	/* provinces alone */
	{"110000", "北京市"}, {"710000", "台湾省"}, {"820000", "澳门特别行政区"},
	/* ordinary prefectures and counties of other provinces */
	{"440300", "广东省深圳市"}, {"440305", "广东省深圳市南山区"},
	{"540102", "西藏自治区拉萨市城关区"}, {"330782", "浙江省金华市义乌市"},
	{"230208", "黑龙江省齐齐哈尔市梅里斯达斡尔族区"},
	{"530925", "云南省临沧市双江拉祜族佤族布朗族傣族自治县"},
	{"654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市"},
	/* municipalities: no prefecture level (no 市辖区, no 县) */
	{"110105", "北京市朝阳区"}, {"120116", "天津市滨海新区"}, {"310115", "上海市浦东新区"},
	{"500103", "重庆市渝中区"}, {"500229", "重庆市城口县"},
	{"500157", "重庆市两江新区"}, /* created in 2025 */
	/* county-level divisions directly under a province or autonomous region (prefecture 90) */
	{"429004", "湖北省仙桃市"}, {"429021", "湖北省神农架林区"}, {"419001", "河南省济源市"},
	{"469001", "海南省五指山市"}, {"469030", "海南省琼中黎族苗族自治县"},
	{"659001", "新疆维吾尔自治区石河子市"}, {"659012", "新疆维吾尔自治区白杨市"},
	/* prefecture-level cities without districts */
	{"441900", "广东省东莞市"}, {"442000", "广东省中山市"}, {"460400", "海南省儋州市"},
	{"620200", "甘肃省嘉峪关市"},
};

/* Codes that are not in the table: retired ones (a USCC or citizen id may still carry them),
 * the placeholders of older editions, codes never assigned. */
static const char *const UNKNOWN[] = {
	"110103", /* 崇文区, merged into 东城区 in 2010 */
	"500105", /* 江北区, into 两江新区 in 2025 */
	"500112", /* 渝北区, the same */
	"110100", /* 市辖区 of 北京市, a placeholder */
	"500200", /* 县 of 重庆市, a placeholder */
	"429000", /* 省直辖县级行政区划, a placeholder */
	"659000", /* 自治区直辖县级行政区划, a placeholder */
	"150399", "999999", "100000",
};

static void test_divisions(void)
{
	const char *name = reg_division_name("150302");
	ok(name && strstr(name, "海勃湾区"), "150302 contains 海勃湾区");
	is_str(reg_division_short_name("150302"), "海勃湾区", "short name");
	is_str(reg_division_short_name("110105"), "朝阳区", "short name of 110105");
	is_str(reg_division_short_name("659001"), "石河子市", "short name of 659001");
	for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++)
		is_str(reg_division_name(NAMED[i].code), NAMED[i].full, "%s %s", NAMED[i].code,
		       NAMED[i].full);
	for (size_t i = 0; i < sizeof UNKNOWN / sizeof UNKNOWN[0]; i++)
		ok(reg_division_name(UNKNOWN[i]) == NULL && !reg_division_known(UNKNOWN[i]),
		   "%s is unknown", UNKNOWN[i]);
	ok(reg_division_name("15030") == NULL && reg_division_name("1503020") == NULL &&
	   reg_division_name("15030x") == NULL && reg_division_name(NULL) == NULL,
	   "malformed codes are unknown, no crash");
	ok(reg_division_known("150302") && !reg_division_known("150399"), "reg_division_known");

	is_str(reg_division_find_short_name("海勃湾区", strlen("海勃湾区")), "海勃湾区",
	       "a division found by its short name");
	is_str(reg_division_find_short_name("鼓楼区xyz", strlen("鼓楼区")), "鼓楼区",
	       "by a prefix of a longer string, for a name several divisions share");
	is_str(reg_division_find_short_name("东方市", strlen("东方市")), "东方市", "东方市 of 海南省");
	ok(reg_division_find_short_name("海勃湾", strlen("海勃湾")) == NULL &&
	   reg_division_find_short_name("海勃湾区区", strlen("海勃湾区区")) == NULL &&
	   reg_division_find_short_name("东方", strlen("东方")) == NULL,
	   "only whole names are found: not 海勃湾, 海勃湾区区 or 东方");
	ok(reg_division_find_short_name("", 0) == NULL &&
	   reg_division_find_short_name(NULL, 3) == NULL, "the empty string and NULL are no names");
	ok(reg_division_find_short_name("市辖区", strlen("市辖区")) == NULL,
	   "the placeholder 市辖区 is no name");

	const char *code, *full, *prev = NULL;
	size_t i = 0;
	int sorted = 1, provinces = 0, prefectures = 0, counties = 0, nm = 0, nm_pref = 0;
	int nm_county = 0, consistent = 1, nested = 1, without_prefecture = 0, by_name = 1;
	while (reg_division_at(i, &code, &full)) {
		if (prev && strcmp(prev, code) >= 0)
			sorted = 0;
		if (strlen(code) != 6 || strspn(code, "0123456789") != 6 || !full || !*full)
			consistent = 0;
		if (reg_division_name(code) != full)
			consistent = 0;
		const char *sn = reg_division_short_name(code);
		const char *found = sn ? reg_division_find_short_name(sn, strlen(sn)) : NULL;
		if (!found || strcmp(found, sn) != 0)
			by_name = 0;
		char prov[7], pref[7];
		memcpy(prov, code, 2);
		memcpy(prov + 2, "0000", 5);
		memcpy(pref, code, 4);
		memcpy(pref + 4, "00", 3);
		const char *pv = reg_division_name(prov), *pf = reg_division_name(pref);
		bool is_prov = strcmp(code, prov) == 0;
		bool is_pref = !is_prov && strcmp(code, pref) == 0;
		provinces += is_prov;
		prefectures += is_pref;
		counties += !is_prov && !is_pref;
		/* every full name begins with its province's, a county's with its prefecture's
		 * where the standard has one: only municipalities and prefecture 90 have none */
		if (!is_prov && (!pv || strncmp(full, pv, strlen(pv)) != 0))
			nested = 0;
		if (!is_prov && !is_pref && pf && strncmp(full, pf, strlen(pf)) != 0)
			nested = 0;
		if (!is_prov && !is_pref && !pf) {
			without_prefecture++;
			if (pv && !strstr(pv, "市") && strncmp(code + 2, "90", 2) != 0)
				nested = 0;
		}
		if (strncmp(code, "15", 2) == 0) {
			nm++;
			nm_pref += is_pref;
			nm_county += !is_prov && !is_pref;
		}
		prev = code;
		i++;
	}
	ok(sorted, "the table is sorted with no duplicate codes (%zu entries)", i);
	ok(consistent, "every entry is 6 digits with a name and found by search");
	ok(nested, "every full name is composed from its province and prefecture");
	ok(by_name, "every short name is found by name");
	is_int(provinces, 34, "all 34 province-level divisions");
	is_int(prefectures, 333, "all 333 prefecture-level divisions");
	is_int(counties, 2845, "all 2845 county-level divisions");
	is_int(without_prefecture, 117, "117 of them without a prefecture (municipalities, 90)");
	is_int(nm_pref, 12, "Inner Mongolia's 12 cities and leagues");
	is_int(nm_county, 103, "Inner Mongolia's 103 county-level divisions");
	is_int(nm, 116, "116 Inner Mongolia codes in all");
	ok(!reg_division_at(i, &code, &full), "past the end: false");
}

static void test_explain(void)
{
	char buf[512];
	reg_uscc_explain(USCC_REAL, buf, sizeof buf);
	is_str(buf, "department 9 工商 industry and commerce; category 1 企业 enterprise; "
	       "division 440300 广东省深圳市; organization code 192203821; check 6",
	       "USCC explained");
	reg_uscc_explain("91150302MA0000015Y", buf, sizeof buf);
	is_str(buf, "department 9 工商 industry and commerce; category 1 企业 enterprise; "
	       "division 150302 内蒙古自治区乌海市海勃湾区; organization code MA0000015; check Y",
	       "a Wuhai USCC explained");
	reg_citizen_id_explain(CID_REAL, buf, sizeof buf);
	is_str(buf, "division 110105 北京市朝阳区; birth date 1949-12-31; order 002; "
	       "sex female; check X", "citizen id explained");
	/* Codes issued under a division since retired stay valid; the division is unknown. */
	char uscc[19];
	t_make(uscc, '9', '1', "500105");
	ok(reg_uscc_valid(uscc), "a USCC of 江北区 (500105, retired in 2025) is still valid");
	reg_uscc_explain(uscc, buf, sizeof buf);
	ok(strstr(buf, "; division 500105 unknown, in 重庆市; ") != NULL,
	   "its division is unknown, in 重庆市: %s", buf);
	char cid[19] = "11010319800101001";
	cid[17] = t_cid_check(cid);
	cid[18] = '\0';
	ok(reg_citizen_id_valid(cid), "a citizen id of 崇文区 (110103, retired in 2010) is valid");
	reg_citizen_id_explain(cid, buf, sizeof buf);
	const char *want = "division 110103 unknown, in 北京市; birth date 1980-01-01; ";
	ok(strncmp(buf, want, strlen(want)) == 0, "its division is unknown, in 北京市: %s", buf);
	reg_org_code_explain(ORG_REAL, buf, sizeof buf);
	is_str(buf, "body 19220382; check 1", "org code explained");
	reg_uscc_explain("914403001922038217", buf, sizeof buf);
	is_str(buf, "check character should be 6", "an invalid code explains its failure");
	/* The longest explanation: every pair with every division of the table. */
	size_t longest = 0;
	const char *dcode, *dname;
	char code[19], big[2 * REG_ID_EXPLAIN_MAX];
	for (size_t p = 0; p < sizeof PAIRS / sizeof PAIRS[0]; p++)
		for (size_t i = 0; reg_division_at(i, &dcode, &dname); i++) {
			t_make(code, PAIRS[p][0], PAIRS[p][1], dcode);
			reg_uscc_explain(code, big, sizeof big);
			if (strlen(big) > longest)
				longest = strlen(big);
		}
	ok(longest > 200 && longest < REG_ID_EXPLAIN_MAX,
	   "REG_ID_EXPLAIN_MAX holds the longest USCC explanation (%zu bytes)", longest);
	char small[10];
	reg_uscc_explain(USCC_REAL, small, sizeof small);
	is_int(strlen(small), 9, "a small buffer is truncated and terminated");
	reg_uscc_explain(USCC_REAL, small, 0);
	ok(1, "size 0 writes nothing");
}

static void test_age(void)
{
	is_int(reg_citizen_id_age(CID_REAL, 2019, 12, 30), 69, "the day before the 70th birthday: 69");
	is_int(reg_citizen_id_age(CID_REAL, 2019, 12, 31), 70, "on the birthday: 70");
	is_int(reg_citizen_id_age(CID_REAL, 1949, 12, 31), 0, "on the day of birth: 0");
	is_int(reg_citizen_id_age(CID_REAL, 1949, 12, 30), -1, "before birth: -1");
	is_int(reg_citizen_id_age("150302199902300014", 2026, 1, 1), -1, "invalid id: -1");
	char leap[19] = "15030220000229001";
	leap[17] = t_cid_check(leap);
	leap[18] = '\0';
	ok(reg_citizen_id_valid(leap), "born 29 February 2000: %s", leap);
	is_int(reg_citizen_id_age(leap, 2018, 2, 28), 17, "on 28 February 2018: 17");
	is_int(reg_citizen_id_age(leap, 2018, 3, 1), 18, "on 1 March 2018: 18");
	is_int(reg_citizen_id_age(leap, 2020, 2, 29), 20, "on 29 February 2020: 20");
	int y, m, d;
	ok(reg_citizen_id_birth(CID_REAL, &y, &m, &d) == 0 && y == 1949 && m == 12 && d == 31,
	   "reg_citizen_id_birth");
	ok(reg_citizen_id_birth("11010519491231002", &y, &m, &d) == -1, "birth of an invalid id: -1");
}

static void test_mask(void)
{
	char buf[REG_CITIZEN_ID_MASK_MAX];
	reg_citizen_id_mask("15030219850315609X", buf);
	is_str(buf, "150302********609X", "a citizen id masked: first 6 and last 4 kept");
	reg_citizen_id_mask("1503021985", buf);
	is_str(buf, "**********", "too short to show any part: all stars");
	reg_citizen_id_mask("150302 98503156091", buf);
	is_str(buf, "******************", "not letters and digits only: all stars");
	reg_citizen_id_mask(NULL, buf);
	is_str(buf, "", "NULL is empty");
}

int main(void)
{
	test_known_codes();
	test_uscc_sweep();
	test_citizen_sweep();
	test_org_sweep();
	test_malformed();
	test_pairs();
	test_make();
	test_check_chars();
	test_divisions();
	test_explain();
	test_age();
	test_mask();
	return tap_done();
}
