#include "ids.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "divisions.h"
#include "i18n.h"
#include "utf8.h"

/* ---- characters ------------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Value of c in the USCC charset (its index: 0-9, A=10 … Y=30), -1 outside it. */
static int uscc_value(char c)
{
	if (c == '\0')
		return -1;
	const char *p = strchr(REG_USCC_CHARSET, c);
	return p ? (int)(p - REG_USCC_CHARSET) : -1;
}

/* Value of c for GB 11714: digits as themselves, A=10 … Z=35 (not the USCC charset's values). */
static int org_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (is_upper(c))
		return c - 'A' + 10;
	return -1;
}

/* ---- results ----------------------------------------------------------------------------- */

static reg_id_result ok_result(void)
{
	reg_id_result r;
	memset(&r, 0, sizeof r);
	r.rule = REG_ID_OK;
	return r;
}

static reg_id_result fail(reg_id_rule rule, const char *fmt, ...) REG_PRINTF(2, 3);

static reg_id_result fail(reg_id_rule rule, const char *fmt, ...)
{
	reg_id_result r = ok_result();
	va_list ap;
	r.rule = rule;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof r.message, *fmt ? _(fmt) : fmt, ap);
	va_end(ap);
	return r;
}

static reg_id_result length_failure(const char *code, size_t want)
{
	size_t n = reg_utf8_count(code, strlen(code));
	if (n == 0)
		return fail(REG_ID_LENGTH, "empty, should have %zu characters", want);
	return fail(REG_ID_LENGTH, dngettext(REG_TEXTDOMAIN, "has %zu character, should have %zu",
					     "has %zu characters, should have %zu", n), n, want);
}

/* Which characters a position allows: `allowed(c)` decides; `what` says it in words for the
 * message ("a digit", "a digit or X").  NULL what = "is not allowed". */
typedef bool (*char_class)(char c);

/* The first character that `allowed` refuses, reported at its position counted in characters.
 * Only printable ASCII is quoted: the message is printed, and must not carry raw bytes. */
static bool charset_failure(const char *code, char_class (*class_at)(size_t pos),
			    const char *(*what_at)(size_t pos), reg_id_result *r)
{
	size_t pos = 0;
	for (const char *p = code; *p; p++) {
		unsigned char u = (unsigned char)*p;
		if (reg_utf8_continues(u))
			continue;
		pos++;
		char_class allowed = class_at(pos);
		if (u < 0x80 && allowed(*p))
			continue;
		const char *what = what_at(pos);
		if (u >= 0x80)
			*r = fail(REG_ID_CHARSET, "non-ascii character at position %zu, should be %s",
				  pos, what);
		else if (u < 0x20 || u == 0x7F)
			*r = fail(REG_ID_CHARSET, "control character at position %zu, should be %s",
				  pos, what);
		else if (is_lower(*p) && allowed((char)(*p - 'a' + 'A')))
			*r = fail(REG_ID_CHARSET, "character '%c' at position %zu is lower case: use upper case",
				  *p, pos);
		else
			*r = fail(REG_ID_CHARSET, "character '%c' at position %zu is not allowed, should be %s",
				  *p, pos, what);
		return true;
	}
	return false;
}

/* ---- GB 32100 registration departments and categories ------------------------------------- */

struct category {
	char code;
	const char *name;
};

struct department {
	char code;
	const char *name;
	struct category categories[7];   /* ended by code '\0' */
};

/* GB 32100-2015 table 1 with the later additions (司法行政 3-5, 外交, 文化, 旅游, 宗教, 工会,
 * 中央军委改革和编制办公室, 农业); exactly the pairs of docs/identifiers.md, "USCC". */
static const struct department departments[] = {
	{'1', "机构编制 institutional establishment", {
		{'1', "机关 government organ"},
		{'2', "事业单位 public institution"},
		{'3', "直接管理机构编制的群众团体 mass organization under establishment management"},
		{'9', "其他 other"}}},
	{'2', "外交 foreign affairs", {
		{'1', "外国常驻新闻机构 resident foreign news agency"},
		{'9', "其他 other"}}},
	{'3', "司法行政 judicial administration", {
		{'1', "律师执业机构 law firm"},
		{'2', "公证处 notary office"},
		{'3', "基层法律服务所 grassroots legal service office"},
		{'4', "司法鉴定机构 forensic appraisal institution"},
		{'5', "仲裁委员会 arbitration commission"},
		{'9', "其他 other"}}},
	{'4', "文化 culture", {
		{'1', "外国在华文化中心 foreign cultural centre in china"},
		{'9', "其他 other"}}},
	{'5', "民政 civil affairs", {
		{'1', "社会团体 social organization"},
		{'2', "民办非企业单位 private non-enterprise unit"},
		{'3', "基金会 foundation"},
		{'9', "其他 other"}}},
	{'6', "旅游 tourism", {
		{'1', "外国旅游部门常驻代表机构 resident office of a foreign tourism authority"},
		{'2', "港澳台地区旅游部门常驻内地代表机构 resident office of a hong kong, macao or taiwan tourism authority"},
		{'9', "其他 other"}}},
	{'7', "宗教 religious affairs", {
		{'1', "宗教活动场所 place of religious activity"},
		{'2', "宗教院校 religious school"},
		{'9', "其他 other"}}},
	{'8', "工会 trade unions", {
		{'1', "基层工会 grassroots trade union"},
		{'9', "其他 other"}}},
	{'9', "工商 industry and commerce", {
		{'1', "企业 enterprise"},
		{'2', "个体工商户 individual business"},
		{'3', "农民专业合作社 farmers' cooperative"}}},
	{'A', "中央军委改革和编制办公室 central military commission reform and establishment office", {
		{'1', "军队事业单位 military public institution"},
		{'9', "其他 other"}}},
	{'N', "农业 agriculture", {
		{'1', "组级集体经济组织 group-level collective economic organization"},
		{'2', "村级集体经济组织 village-level collective economic organization"},
		{'3', "乡镇级集体经济组织 township-level collective economic organization"},
		{'9', "其他 other"}}},
	{'Y', "其他 other", {
		{'1', "其他 other"}}},
};

static const struct department *find_department(char dept)
{
	for (size_t i = 0; i < sizeof departments / sizeof departments[0]; i++)
		if (departments[i].code == dept)
			return &departments[i];
	return NULL;
}

static const struct category *find_category(const struct department *d, char category)
{
	if (!d || category == '\0')
		return NULL;
	for (const struct category *c = d->categories; c->code; c++)
		if (c->code == category)
			return c;
	return NULL;
}

const char *reg_uscc_department_name(char dept)
{
	const struct department *d = find_department(dept);
	return d ? d->name : NULL;
}

const char *reg_uscc_category_name(char dept, char category)
{
	const struct category *c = find_category(find_department(dept), category);
	return c ? c->name : NULL;
}

/* ---- check characters ---------------------------------------------------------------------- */

char reg_uscc_check_char(const char *first17)
{
	/* Weights 3^i mod 31 for i = 0 … 16, kept as a running product. */
	unsigned sum = 0, weight = 1;
	for (size_t i = 0; i < REG_USCC_LEN - 1; i++) {
		int v = uscc_value(first17[i]);
		if (v < 0)
			return '\0';
		sum += (unsigned)v * weight;
		weight = weight * 3 % 31;
	}
	unsigned check = (31 - sum % 31) % 31;
	return REG_USCC_CHARSET[check];
}

char reg_org_code_check_char(const char *first8)
{
	static const unsigned weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	unsigned sum = 0;
	for (size_t i = 0; i < 8; i++) {
		int v = org_value(first8[i]);
		if (v < 0)
			return '\0';
		sum += (unsigned)v * weights[i];
	}
	unsigned check = 11 - sum % 11;
	if (check == 10)
		return 'X';
	return check == 11 ? '0' : (char)('0' + check);
}

char reg_citizen_id_check_char(const char *first17)
{
	/* ISO 7064 MOD 11-2: weight of position i (0-based) is 2^(17-i) mod 11; the check value
	 * (12 - sum mod 11) mod 11 is written through this table. */
	static const char table[] = "10X98765432";
	unsigned sum = 0, weight = 1;
	unsigned weights[17];
	for (int i = 16; i >= 0; i--) {
		weight = weight * 2 % 11;
		weights[i] = weight;
	}
	for (size_t i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return '\0';
		sum += (unsigned)(first17[i] - '0') * weights[i];
	}
	return table[sum % 11];
}

/* ---- USCC ---------------------------------------------------------------------------------- */

static bool uscc_char(char c) { return uscc_value(c) >= 0; }
static bool digit_char(char c) { return is_digit(c); }
static bool digit_or_x(char c) { return is_digit(c) || c == 'X'; }
static bool org_body_char(char c) { return org_value(c) >= 0; }

static char_class uscc_class(size_t pos)
{
	return pos >= 3 && pos <= 8 ? digit_char : uscc_char;
}

static const char *uscc_what(size_t pos)
{
	return pos >= 3 && pos <= 8 ? _("a digit (division code)")
				    : _("one of 0123456789ABCDEFGHJKLMNPQRTUWXY (no I O S V Z)");
}

reg_id_result reg_uscc_check(const char *code)
{
	reg_id_result r;
	if (!code)
		return fail(REG_ID_LENGTH, "empty, should have %d characters", REG_USCC_LEN);
	if (reg_utf8_count(code, strlen(code)) != REG_USCC_LEN)
		return length_failure(code, REG_USCC_LEN);
	if (charset_failure(code, uscc_class, uscc_what, &r))
		return r;
	/* From here on the code is plain ASCII: bytes are characters. */
	const struct department *d = find_department(code[0]);
	if (!d)
		return fail(REG_ID_DEPT_CATEGORY, "registration department '%c' does not exist",
			    code[0]);
	if (!find_category(d, code[1]))
		return fail(REG_ID_DEPT_CATEGORY,
			    "category '%c' does not exist for registration department '%c'", code[1],
			    code[0]);
	char org = reg_org_code_check_char(code + 8);
	if (org != code[16])
		return fail(REG_ID_ORG_CODE,
			    "organization code '%.9s' fails its check: its last character should be %c",
			    code + 8, org);
	char check = reg_uscc_check_char(code);
	if (check != code[17]) {
		r = fail(REG_ID_CHECK, "check character should be %c", check);
		r.expected_check = check;
		return r;
	}
	return ok_result();
}

/* ---- organization code (GB 11714) ------------------------------------------------------------ */

static char_class org_class(size_t pos)
{
	return pos == REG_ORG_CODE_LEN ? digit_or_x : org_body_char;
}

static const char *org_what(size_t pos)
{
	return pos == REG_ORG_CODE_LEN ? _("a digit or X") : _("a digit or a letter A-Z");
}

reg_id_result reg_org_code_check(const char *code)
{
	reg_id_result r;
	if (!code)
		return fail(REG_ID_LENGTH, "empty, should have %d characters", REG_ORG_CODE_LEN);
	if (reg_utf8_count(code, strlen(code)) != REG_ORG_CODE_LEN) {
		/* The printed form 12345678-9 is common; say how to write it. */
		if (strlen(code) == REG_ORG_CODE_LEN + 1 && code[8] == '-')
			return fail(REG_ID_LENGTH, "has 10 characters, should have 9: "
				    "write it without the hyphen");
		return length_failure(code, REG_ORG_CODE_LEN);
	}
	if (charset_failure(code, org_class, org_what, &r))
		return r;
	char check = reg_org_code_check_char(code);
	if (check != code[8]) {
		r = fail(REG_ID_CHECK, "check character should be %c", check);
		r.expected_check = check;
		return r;
	}
	return ok_result();
}

/* ---- citizen id (GB 11643) ------------------------------------------------------------------- */

static char_class citizen_class(size_t pos)
{
	return pos == REG_CITIZEN_ID_LEN ? digit_or_x : digit_char;
}

static const char *citizen_what(size_t pos)
{
	return pos == REG_CITIZEN_ID_LEN ? _("a digit or X") : _("a digit");
}

static int digits_value(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

reg_id_result reg_citizen_id_check(const char *id)
{
	reg_id_result r;
	if (!id)
		return fail(REG_ID_LENGTH, "empty, should have %d characters", REG_CITIZEN_ID_LEN);
	if (reg_utf8_count(id, strlen(id)) != REG_CITIZEN_ID_LEN)
		return length_failure(id, REG_CITIZEN_ID_LEN);
	if (charset_failure(id, citizen_class, citizen_what, &r))
		return r;
	int y = digits_value(id + 6, 4), m = digits_value(id + 10, 2), d = digits_value(id + 12, 2);
	if (!reg_date_valid(y, m, d))
		return fail(REG_ID_BIRTH_DATE, "birth date %.4s-%.2s-%.2s does not exist", id + 6,
			    id + 10, id + 12);
	if (y < 1900)
		return fail(REG_ID_BIRTH_DATE, "birth date %04d-%02d-%02d is before 1900", y, m, d);
	char check = reg_citizen_id_check_char(id);
	if (check != id[17]) {
		r = fail(REG_ID_CHECK, "check character should be %c", check);
		r.expected_check = check;
		return r;
	}
	return ok_result();
}

int reg_citizen_id_birth(const char *id, int *year, int *month, int *day)
{
	if (!reg_citizen_id_valid(id))
		return -1;
	if (year)
		*year = digits_value(id + 6, 4);
	if (month)
		*month = digits_value(id + 10, 2);
	if (day)
		*day = digits_value(id + 12, 2);
	return 0;
}

int reg_citizen_id_age(const char *id, int year, int month, int day)
{
	int by, bm, bd;
	if (reg_citizen_id_birth(id, &by, &bm, &bd) < 0)
		return -1;
	int age = year - by;
	if (month < bm || (month == bm && day < bd))
		age--;
	return age < 0 ? -1 : age;
}

/* ---- making codes ---------------------------------------------------------------------------- */

static bool six_digits(const char *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < 6; i++)
		if (!is_digit(s[i]))
			return false;
	return s[6] == '\0';
}

int reg_uscc_make(const char *division6, uint64_t serial, char out[REG_USCC_LEN + 1])
{
	const uint64_t limit = 31ULL * 31 * 31 * 31 * 31 * 31;
	if (!six_digits(division6) || serial >= limit)
		return -1;
	memcpy(out, "91", 2);
	memcpy(out + 2, division6, 6);
	memcpy(out + 8, "MA", 2);
	for (int i = 15; i >= 10; i--) {
		out[i] = REG_USCC_CHARSET[serial % 31];
		serial /= 31;
	}
	/* The GB 11714 check of "MA"+serial is a digit or X, all of them in the USCC charset. */
	out[16] = reg_org_code_check_char(out + 8);
	out[17] = reg_uscc_check_char(out);
	out[18] = '\0';
	return 0;
}

int reg_seal_code_make(const char *division6, uint64_t serial, char out[REG_SEAL_CODE_LEN + 1])
{
	if (!six_digits(division6) || serial > 9999999)
		return -1;
	snprintf(out, REG_SEAL_CODE_LEN + 1, "%s%07u", division6, (unsigned)serial);
	return 0;
}

/* ---- divisions (GB/T 2260) ------------------------------------------------------------------- */

static int division_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct reg_division *)elem)->code);
}

static const char *full_name(const struct reg_division *d)
{
	return reg_division_names + d->full;
}

static const char *short_name(const struct reg_division *d)
{
	return reg_division_names + d->full + d->name_at;
}

static const struct reg_division *find_division(const char *code6)
{
	if (!six_digits(code6))
		return NULL;
	return bsearch(code6, reg_divisions, reg_divisions_count, sizeof reg_divisions[0],
		       division_cmp);
}

const char *reg_division_name(const char *code6)
{
	const struct reg_division *d = find_division(code6);
	return d ? full_name(d) : NULL;
}

const char *reg_division_short_name(const char *code6)
{
	const struct reg_division *d = find_division(code6);
	return d ? short_name(d) : NULL;
}

bool reg_division_known(const char *code6)
{
	return find_division(code6) != NULL;
}

const char *reg_division_find_short_name(const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t lo = 0, hi = reg_divisions_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = short_name(&reg_divisions[reg_divisions_by_name[mid]]);
		size_t len = strlen(name);
		int c = memcmp(s, name, n < len ? n : len);
		if (c == 0 && n != len)
			c = n < len ? -1 : 1;
		if (c == 0)
			return name;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool reg_division_at(size_t index, const char **code, const char **name)
{
	if (index >= reg_divisions_count)
		return false;
	if (code)
		*code = reg_divisions[index].code;
	if (name)
		*name = full_name(&reg_divisions[index]);
	return true;
}

/* ---- explain --------------------------------------------------------------------------------- */

/* snprintf that appends to buf and never overruns: a full buffer is truncated, NUL-ended. */
static void append(char *buf, size_t size, const char *fmt, ...) REG_PRINTF(3, 4);

static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strnlen(buf, size);
	if (len + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* "division 150302 内蒙古自治区乌海市海勃湾区", or "division 500105 unknown, in 重庆市" when only
 * its province is in the table (a code retired since), or "division 100000 unknown". */
static void explain_division(char *buf, size_t size, const char *code6)
{
	char code[7], prov[7];
	memcpy(code, code6, 6);
	code[6] = '\0';
	const char *name = reg_division_name(code);
	if (name) {
		append(buf, size, "division %s %s", code, name);
		return;
	}
	memcpy(prov, code, 2);
	memcpy(prov + 2, "0000", 5);
	const char *pname = reg_division_name(prov);
	if (pname)
		append(buf, size, "division %s unknown, in %s", code, pname);
	else
		append(buf, size, "division %s unknown", code);
}

/* An invalid code explains why it is invalid: the caller asked about it. */
static bool explain_invalid(reg_id_result r, char *buf, size_t size)
{
	if (r.rule == REG_ID_OK)
		return false;
	append(buf, size, "%s", r.message);
	return true;
}

void reg_uscc_explain(const char *code, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (explain_invalid(reg_uscc_check(code), buf, size))
		return;
	append(buf, size, "department %c %s; category %c %s; ", code[0],
	       reg_uscc_department_name(code[0]), code[1], reg_uscc_category_name(code[0], code[1]));
	explain_division(buf, size, code + 2);
	append(buf, size, "; organization code %.9s; check %c", code + 8, code[17]);
}

void reg_org_code_explain(const char *code, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (explain_invalid(reg_org_code_check(code), buf, size))
		return;
	append(buf, size, "body %.8s; check %c", code, code[8]);
}

void reg_citizen_id_explain(const char *id, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (explain_invalid(reg_citizen_id_check(id), buf, size))
		return;
	explain_division(buf, size, id);
	int order = digits_value(id + 14, 3);
	append(buf, size, "; birth date %.4s-%.2s-%.2s; order %.3s; sex %s; check %c", id + 6,
	       id + 10, id + 12, id + 14, order % 2 ? "male" : "female", id[17]);
}

void reg_citizen_id_mask(const char *id, char out[REG_CITIZEN_ID_MASK_MAX])
{
	size_t n = id ? strlen(id) : 0;
	bool plain = n >= 11 && n < REG_CITIZEN_ID_MASK_MAX;
	for (size_t i = 0; plain && i < n; i++)
		plain = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z') ||
			(id[i] >= 'a' && id[i] <= 'z');
	if (n >= REG_CITIZEN_ID_MASK_MAX)
		n = REG_CITIZEN_ID_MASK_MAX - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = plain && (i < 6 || i >= n - 4) ? id[i] : '*';
	out[n] = '\0';
}
