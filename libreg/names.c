#include "names.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ids.h"
#include "utf8.h"

/* ---- tables ------------------------------------------------------------------------------- */

/* Industry wording (行业或者经营特点) recognised at the end of the middle part, longest match
 * first wins.  Covers the trades of the shipped twenty-in-one catalog (freight forwarding,
 * recycling, medical devices, real-estate brokerage, cost consultancy, travel agencies …) and
 * the common Wuhai trades.  A word missing here is not an error (see the lenience in names.h),
 * it only leaves the 字号/industry boundary unknown.  The 国际/中央 phrases are the places where
 * a restricted word may "qualify the industry". */
static const char *const industry_words[] = {
	/* trade */
	"商贸", "贸易", "国际贸易", "进出口贸易", "进出口", "电子商务", "供应链管理", "商业管理",
	"日用百货", "超市", "果蔬", "五金", "建材", "汽车销售", "机械设备",
	/* technology */
	"科技", "信息技术", "信息科技", "网络科技", "电子科技", "生物科技", "环保科技", "节能科技",
	"教育科技", "软件",
	/* food and lodging */
	"餐饮", "餐饮管理", "餐饮服务", "食品", "酒业", "酒店", "酒店管理",
	/* transport */
	"物流", "国际物流", "运输", "货运代理", "国际货运代理", "报关",
	/* the catalog's filed trades */
	"再生资源", "再生资源回收", "废旧物资回收", "房地产", "房地产经纪", "房地产开发", "医疗器械",
	"医药", "建筑", "建筑工程", "建设工程", "装饰工程", "工程咨询", "工程造价咨询", "旅行社",
	"国际旅行社", "旅游", "保安服务", "检验检测",
	/* services */
	"服务", "商务咨询", "企业管理", "企业管理咨询", "咨询", "财务咨询", "投资", "投资管理", "文化传媒",
	"广告", "印刷", "劳务", "人力资源", "物业管理", "物业服务", "家政服务", "汽车服务", "汽车维修",
	"中央空调",
	/* primary industry, energy, heavy industry */
	"农业", "牧业", "畜牧", "农牧业", "能源", "新能源", "电力", "燃气", "水务", "化工", "煤业",
	"煤炭", "矿业", "冶金", "钢铁",
};

/* Restricted words.  `industry_ok`: the word may appear inside a listed industry phrase (国际
 * in 国际贸易) but not head the name nor stand in the 字号 (实施办法: such words "应当是行业的限
 * 定语"); otherwise it is refused anywhere after the division (regulation art. 11: names of
 * international bodies, party and state organs, or misleading scope). */
static const struct restricted {
	const char *word;
	bool industry_ok;
} restricted_words[] = {
	{"中国", true}, {"中华", true}, {"全国", true}, {"国家", true}, {"中央", true}, {"国际", true},
	{"世界", false}, {"环球", false}, {"全球", false}, {"亚洲", false}, {"联合国", false},
	{"共产党", false}, {"中共", false}, {"政府", false}, {"国务院", false},
	{"人民代表大会", false}, {"政协", false}, {"解放军", false}, {"武警", false},
	{"公安", false}, {"检察院", false}, {"法院", false}, {"部队", false},
};

enum legal_form { LF_UNKNOWN, LF_LLC, LF_JSC, LF_SOLE, LF_PARTNERSHIP };

/* What each legal form's name ends in, as messages say it. */
static const struct legal_form_info {
	const char *id;
	enum legal_form lf;
	const char *expected;
} legal_forms[] = {
	{"llc", LF_LLC, "有限公司 or 有限责任公司"},
	{"jsc", LF_JSC, "股份有限公司 or 股份公司"},
	{"sole", LF_SOLE, "厂, 店, 馆, 部, 行, 商行, 中心, 工作室, 事务所 or 个人独资企业, "
			  "without 有限 or 公司"},
	{"partnership", LF_PARTNERSHIP, "合伙企业, 中心 or the like followed by （普通合伙）, "
					"（特殊普通合伙） or （有限合伙）"},
};

/* Organization forms recognised at the end of a name (longest match wins). */
enum form_kind {
	FK_NONE,
	FK_LLC,           /* 有限公司, 有限责任公司 */
	FK_JSC,           /* 股份有限公司, 股份公司 */
	FK_COMPANY,       /* a bare 公司: no legal form */
	FK_UNINC,         /* 厂, 中心 … without a partnership qualifier */
	FK_PARTNERSHIP,   /* … （有限合伙） */
};

static const struct {
	const char *word;
	enum form_kind kind;
} company_forms[] = {
	{"有限公司", FK_LLC}, {"有限责任公司", FK_LLC}, {"股份有限公司", FK_JSC},
	{"股份公司", FK_JSC}, {"公司", FK_COMPANY},
};

/* Form words of enterprises that are not companies: sole proprietorships use all but 合伙企业,
 * partnerships all but 个人独资企业 (before their qualifier). */
static const char *const uninc_words[] = {
	"个人独资企业", "合伙企业", "工作室", "事务所", "中心", "商行", "厂", "店", "馆", "部", "行",
};
#define SOLE_ONLY "个人独资企业"
#define PARTNERSHIP_ONLY "合伙企业"

static const char *const partnership_qualifiers[] = {
	"（普通合伙）", "（特殊普通合伙）", "（有限合伙）",
};
static const char qualifiers_text[] = N_("（普通合伙）, （特殊普通合伙） or （有限合伙）");

/* Level suffixes left out where customary (names.h), longest first; the ethnic qualifier goes
 * with 自治区: 广西壮族自治区 → 广西. */
static const char *const province_suffixes[] = {
	"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OPEN_PAREN "（"
#define CLOSE_PAREN "）"

/* Safe to show inside a message: no controls, no invisible or bidi format characters. */
static bool printable(uint32_t c)
{
	return (c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFF && c != 0xAD) ||
	       (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
	       (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3001 && c <= 0x303F) ||
	       (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF01 && c <= 0xFF5E) ||
	       (c >= 0x20000 && c <= 0x323AF);
}

/* Copy valid UTF-8 s[0..n) into out for quoting, each character that is not printable
 * replaced by '?'; truncated at a character boundary to fit. */
static void quote(char *out, size_t size, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = reg_utf8_next(s + i, n - i, &c);
		if (k == 0) {
			k = 1;
			c = 0;
		}
		const char *src = printable(c) ? s + i : "?";
		size_t len = printable(c) ? k : 1;
		if (o + len + 1 > size)
			break;
		memcpy(out + o, src, len);
		o += len;
		i += k;
	}
	out[o] = '\0';
}

/* At most 32 bytes of an ASCII identifier for a message, anything else as '?'. */
static void quote_ascii(char *out, size_t size, const char *s)
{
	size_t o = 0;
	for (; *s && o + 1 < size && o < 32; s++)
		out[o++] = (*s >= 0x21 && *s <= 0x7E) ? *s : '?';
	out[o] = '\0';
}

static bool ends_with(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	return w <= n && memcmp(s + n - w, word, w) == 0;
}

static bool starts_with(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	return w <= n && memcmp(s, word, w) == 0;
}

static bool equals(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool contains(const char *s, size_t n, const char *word)
{
	return memmem(s, n, word, strlen(word)) != NULL;
}

/* Index of the longest word of `words` that ends s[0..n), -1 when none does. */
static int longest_suffix(const char *s, size_t n, const char *const *words, size_t count)
{
	int best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < count; i++) {
		size_t w = strlen(words[i]);
		if (w > best_len && ends_with(s, n, words[i])) {
			best = (int)i;
			best_len = w;
		}
	}
	return best;
}

/* ---- the analysis ------------------------------------------------------------------------- */

#define CAND_MAX 8
#define CAND_SIZE 192

struct candidates {
	char text[CAND_MAX][CAND_SIZE];
	size_t n;
	/* a city district, which needs its city in front: "海勃湾区" and "乌海市海勃湾区" */
	char district[CAND_SIZE];
	char district_with_city[CAND_SIZE];
};

struct ctx {
	reg_err **errp;
	int problems;
};

struct analysis {
	const char *name;
	size_t len;
	size_t prefix_end;      /* bytes of the division prefix; 0 when none matched */
	size_t form_start;      /* where the organization form begins; len when none */
	size_t industry_start;  /* == form_start when no listed industry word */
	size_t qual_start;      /* start of a trailing （…合伙）; len when none */
	enum form_kind kind;
};

static void name_problem(struct ctx *c, const char *fmt, ...) REG_PRINTF(2, 3);

static void name_problem(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	c->problems++;
	if (!c->errp)
		return;
	va_start(ap, fmt);
	reg_err_setv(c->errp, REG_ENO, NULL, 0, NULL, fmt, ap);
	va_end(ap);
}

static enum legal_form legal_form_of(const char *id, const char **expected)
{
	*expected = NULL;
	if (!id)
		return LF_UNKNOWN;
	for (size_t i = 0; i < COUNT(legal_forms); i++)
		if (strcmp(id, legal_forms[i].id) == 0) {
			*expected = legal_forms[i].expected;
			return legal_forms[i].lf;
		}
	return LF_UNKNOWN;
}

static void add_candidate(struct candidates *cs, const char *a, const char *b)
{
	if (cs->n >= CAND_MAX)
		return;
	char *t = cs->text[cs->n];
	int k = snprintf(t, CAND_SIZE, "%s%s", a, b ? b : "");
	if (k <= 0 || k >= CAND_SIZE)
		return;
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->text[i], t) == 0)
			return;
	cs->n++;
}

/* The name without its level suffix, when at least 2 characters remain ("乌海市" → "乌海"). */
static void add_stem(struct candidates *cs, const char *name, const char *const *suffixes,
		     size_t count)
{
	size_t n = strlen(name);
	int i = longest_suffix(name, n, suffixes, count);
	if (i < 0)
		return;
	size_t stem = n - strlen(suffixes[i]);
	if (reg_utf8_count(name, stem) < 2 || stem >= CAND_SIZE)
		return;
	char buf[CAND_SIZE];
	memcpy(buf, name, stem);
	buf[stem] = '\0';
	add_candidate(cs, buf, NULL);
}

static const char *const city_suffix[] = {"市"};

/* The prefixes a name at `division` may start with, most specific first; -1 when the division
 * is not six digits in the table. */
static int build_candidates(const char *division, struct candidates *cs)
{
	memset(cs, 0, sizeof *cs);
	if (!division || !reg_division_known(division))
		return -1;
	char prov[7], pref[7];
	snprintf(prov, sizeof prov, "%.2s0000", division);
	snprintf(pref, sizeof pref, "%.4s00", division);
	const char *pname = reg_division_short_name(prov);
	/* NULL where the standard has no prefecture (北京市朝阳区, 湖北省仙桃市: docs/divisions.md) */
	const char *cname = strcmp(pref, prov) != 0 ? reg_division_short_name(pref) : NULL;
	bool county = strcmp(division + 4, "00") != 0;
	bool prefecture = !county && strcmp(division + 2, "0000") != 0;

	if (county) {
		const char *name = reg_division_short_name(division);
		/* the 设区的市 of a district: its prefecture, or the municipality itself */
		const char *city = cname;
		if (!city && pname && ends_with(pname, strlen(pname), "市"))
			city = pname;
		if (ends_with(name, strlen(name), "区") && city) {
			snprintf(cs->district, CAND_SIZE, "%s", name);
			snprintf(cs->district_with_city, CAND_SIZE, "%s%s", city, name);
			add_candidate(cs, city, name);
		} else {
			if (cname)
				add_candidate(cs, cname, name);
			add_candidate(cs, name, NULL);
			add_stem(cs, name, city_suffix, COUNT(city_suffix));
		}
	}
	if ((county || prefecture) && cname) {
		add_candidate(cs, cname, NULL);
		add_stem(cs, cname, city_suffix, COUNT(city_suffix));
	}
	if (pname) {
		add_candidate(cs, pname, NULL);
		add_stem(cs, pname, province_suffixes, COUNT(province_suffixes));
	}
	return 0;
}

/* What a character is, for the messages about the ones a name may not hold. */
enum char_kind {
	K_HAN = 0,        /* the basic CJK Unified Ideographs block */
	K_LETTER = 1, K_DIGIT = 2, K_SPACE = 4, K_HALF_PAREN = 8,
	K_RARE = 16,      /* a CJK ideograph outside the basic block */
	K_OTHER = 32,
	K_DOT = 64,       /* a dot that is not the middle dot U+00B7 a person's name uses */
};

static enum char_kind kind_of(uint32_t cp)
{
	if (cp >= 0x4E00 && cp <= 0x9FFF)
		return K_HAN;
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xFF21 && cp <= 0xFF3A) ||
	    (cp >= 0xFF41 && cp <= 0xFF5A))
		return K_LETTER;
	if ((cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19))
		return K_DIGIT;
	if (cp == ' ' || cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A))
		return K_SPACE;
	if (cp == '(' || cp == ')')
		return K_HALF_PAREN;
	if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0x20000 && cp <= 0x323AF))
		return K_RARE;
	if (cp == '.' || cp == 0x0387 || cp == 0x2022 || cp == 0x2027 || cp == 0x2219 ||
	    cp == 0x22C5 || cp == 0x30FB || cp == 0xFE52 || cp == 0xFF0E || cp == 0xFF65)
		return K_DOT;
	return K_OTHER;
}

/* One pass over the characters: every kind of forbidden character reported once. */
static void check_characters(struct ctx *c, const char *name, size_t len)
{
	unsigned seen = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = reg_utf8_next(name + i, len - i, &cp);
		char ch[8] = "";
		if (k == 0)
			return; /* validated before: cannot happen */
		memcpy(ch, name + i, k);
		i += k;
		unsigned kind = kind_of(cp);
		if (kind == K_HAN || cp == 0xFF08 || cp == 0xFF09)
			continue;
		if (kind == K_DOT)
			kind = K_OTHER;
		if (seen & kind)
			continue;
		seen |= kind;
		switch (kind) {
		case K_LETTER:
			name_problem(c, "latin letter '%s' not allowed: an enterprise name uses Chinese "
				   "characters only", ch);
			break;
		case K_DIGIT:
			name_problem(c, "digit '%s' not allowed: an enterprise name uses Chinese "
				   "characters only", ch);
			break;
		case K_SPACE:
			name_problem(c, "space (U+%04X) not allowed in an enterprise name", (unsigned)cp);
			break;
		case K_HALF_PAREN:
			name_problem(c, "half-width parenthesis '%s' not allowed: use full-width %s %s",
				     ch, OPEN_PAREN, CLOSE_PAREN);
			break;
		case K_RARE:
			name_problem(c, "character '%s' (U+%04X) not allowed: only the basic CJK block "
				   "U+4E00-U+9FFF is accepted", ch, (unsigned)cp);
			break;
		default:
			if (printable(cp))
				name_problem(c, "character '%s' (U+%04X) not allowed in an enterprise name",
					ch, (unsigned)cp);
			else
				name_problem(c, "character U+%04X not allowed in an enterprise name",
					(unsigned)cp);
			break;
		}
	}
}

/* Where the organization form begins and what it is. */
static void find_form(struct analysis *a)
{
	const char *s = a->name;
	size_t n = a->len;
	a->kind = FK_NONE;
	a->form_start = n;
	a->qual_start = n;

	int q = longest_suffix(s, n, partnership_qualifiers, COUNT(partnership_qualifiers));
	if (q >= 0) {
		a->kind = FK_PARTNERSHIP;
		a->qual_start = n - strlen(partnership_qualifiers[q]);
		a->form_start = a->qual_start;
		int w = longest_suffix(s, a->qual_start, uninc_words, COUNT(uninc_words));
		if (w >= 0)
			a->form_start -= strlen(uninc_words[w]);
		return;
	}
	size_t best = 0;
	for (size_t i = 0; i < COUNT(company_forms); i++) {
		size_t w = strlen(company_forms[i].word);
		if (w > best && ends_with(s, n, company_forms[i].word)) {
			best = w;
			a->kind = company_forms[i].kind;
		}
	}
	if (best) {
		a->form_start = n - best;
		return;
	}
	int w = longest_suffix(s, n, uninc_words, COUNT(uninc_words));
	if (w >= 0) {
		a->kind = FK_UNINC;
		a->form_start = n - strlen(uninc_words[w]);
	}
}

static void form_mismatch(struct ctx *c, const struct analysis *a, const char *lf_id,
			  const char *expected)
{
	if (a->kind == FK_NONE)
		name_problem(c, "name does not end in an organization form: legal form %s needs %s",
			lf_id, expected);
	else
		name_problem(c, "organization form '%s' does not match legal form %s (%s)",
			a->name + a->form_start, lf_id, expected);
}

static void check_form(struct ctx *c, const struct analysis *a, enum legal_form lf,
		       const char *lf_id, const char *expected)
{
	const char *s = a->name, *form = s + a->form_start;
	size_t form_len = a->len - a->form_start;
	bool mismatch = false;

	switch (lf) {
	case LF_UNKNOWN:
		return;
	case LF_LLC:
		mismatch = a->kind != FK_LLC;
		break;
	case LF_JSC:
		mismatch = a->kind != FK_JSC;
		break;
	case LF_SOLE:
		mismatch = a->kind != FK_UNINC || equals(form, form_len, PARTNERSHIP_ONLY);
		break;
	case LF_PARTNERSHIP:
		if (a->kind == FK_UNINC) {
			name_problem(c, "partnership name must end in %s", _(qualifiers_text));
			return;
		}
		mismatch = a->kind != FK_PARTNERSHIP ||
			   starts_with(form, form_len, SOLE_ONLY);
		break;
	}
	if (mismatch) {
		form_mismatch(c, a, lf_id, expected);
		return;
	}
	if (lf == LF_SOLE) {
		if (contains(s, a->len, "有限"))
			name_problem(c, "sole proprietorship name must not contain '有限'");
		if (contains(s, a->len, "公司"))
			name_problem(c, "sole proprietorship name must not contain '公司'");
	}
	if (lf == LF_PARTNERSHIP) {
		if (a->form_start == a->qual_start)
			name_problem(c, "partnership name needs an organization form such as 合伙企业 or "
				   "中心 before '%s'", s + a->qual_start);
		if (contains(s, a->len, "公司"))
			name_problem(c, "partnership name must not contain '公司'");
	}
}

/* Full-width parentheses anywhere but around the trailing qualifier. */
static void check_parentheses(struct ctx *c, const struct analysis *a)
{
	size_t end = a->kind == FK_PARTNERSHIP ? a->qual_start : a->len;
	if (contains(a->name, end, OPEN_PAREN) || contains(a->name, end, CLOSE_PAREN))
		name_problem(c, "full-width parentheses are allowed only around a trailing %s",
			     _(qualifiers_text));
}

static void check_division(struct ctx *c, struct analysis *a, const char *division)
{
	struct candidates cs;
	char q[40];
	a->prefix_end = 0;
	if (build_candidates(division, &cs) < 0) {
		quote_ascii(q, sizeof q, division ? division : "");
		name_problem(c, "unknown division '%s': the division prefix cannot be checked", q);
		return;
	}
	size_t best = 0;
	for (size_t i = 0; i < cs.n; i++) {
		size_t w = strlen(cs.text[i]);
		if (w > best && w <= a->form_start && starts_with(a->name, a->len, cs.text[i]))
			best = w;
	}
	if (best) {
		a->prefix_end = best;
		return;
	}
	if (cs.district[0] && starts_with(a->name, a->len, cs.district)) {
		name_problem(c, "district '%s' must be preceded by its city, as in '%s'", cs.district,
			cs.district_with_city);
		return;
	}
	char list[CAND_MAX * (CAND_SIZE + 8)];
	size_t o = 0;
	list[0] = '\0';
	for (size_t i = 0; i < cs.n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == cs.n ? " or " : ", ";
		int k = snprintf(list + o, sizeof list - o, "%s'%s'", sep, cs.text[i]);
		if (k < 0 || (size_t)k >= sizeof list - o)
			break;
		o += (size_t)k;
	}
	name_problem(c, "name does not start with the division of the address or one it lies in: "
		   "expected %s", list);
}

/* Is s[0..n) the name of a division in the table, with or without its level suffix?  Both are
 * lookups in the table's name index (ids.h), not a scan of its 3 000 entries. */
static bool is_division_name(const char *s, size_t n)
{
	if (reg_division_find_short_name(s, n))
		return true;
	if (n == 0 || reg_utf8_count(s, n) < 2)
		return false;
	/* s and a suffix left out, that suffix being the name's longest: 广西 for 广西壮族自治区,
	 * never 广西壮族 */
	char buf[REG_NAME_MAX_BYTES + 32];
	for (size_t k = 0; k < COUNT(province_suffixes); k++) {
		size_t w = strlen(province_suffixes[k]);
		if (n + w > sizeof buf)
			continue;
		memcpy(buf, s, n);
		memcpy(buf + n, province_suffixes[k], w);
		int longest = longest_suffix(buf, n + w, province_suffixes, COUNT(province_suffixes));
		if (longest == (int)k && reg_division_find_short_name(buf, n + w))
			return true;
	}
	return false;
}

/* The division name (with its level suffix) that s[0..n) starts with, longer than itself:
 * a second division after the prefix (乌海市海南区… for an address in 海勃湾区).  Every proper
 * prefix of whole characters is looked up, longest first. */
static const char *leading_division_name(const char *s, size_t n)
{
	for (size_t len = n; len-- > 1;) {
		if (reg_utf8_continues((unsigned char)s[len]))
			continue;
		const char *name = reg_division_find_short_name(s, len);
		if (name && reg_utf8_count(name, len) >= 2)
			return name;
	}
	return NULL;
}

static bool is_industry_word(const char *s, size_t n)
{
	for (size_t i = 0; i < COUNT(industry_words); i++)
		if (equals(s, n, industry_words[i]))
			return true;
	return false;
}

static void check_middle(struct ctx *c, struct analysis *a, enum legal_form lf)
{
	const char *mid = a->name + a->prefix_end;
	size_t mid_len = a->form_start - a->prefix_end;
	char qt[REG_NAME_MAX_BYTES * 2 + 1], qi[REG_NAME_MAX_BYTES + 1];

	int w = longest_suffix(mid, mid_len, industry_words, COUNT(industry_words));
	bool known = w >= 0;
	a->industry_start = known ? a->form_start - strlen(industry_words[w]) : a->form_start;
	size_t trade_len = a->industry_start - a->prefix_end;
	size_t trade_chars = reg_utf8_count(mid, trade_len);
	quote(qt, sizeof qt, mid, trade_len);

	if (trade_chars == 0) {
		if (known)
			name_problem(c, "no trade name before the industry '%s'", industry_words[w]);
		else if (a->prefix_end > 0)
			name_problem(c, "no trade name after the division '%.*s'", (int)a->prefix_end,
				a->name);
		else
			name_problem(c, "no trade name");
	} else if (trade_chars < 2) {
		name_problem(c, "trade name '%s' is shorter than 2 characters", qt);
	}
	bool company = lf == LF_LLC || lf == LF_JSC ||
		       (lf == LF_UNKNOWN && a->kind != FK_UNINC && a->kind != FK_PARTNERSHIP);
	if (!known && company && trade_chars > 0 && trade_chars < 3)
		name_problem(c, "no industry wording after the trade name '%s'", qt);
	const char *lead;
	if (known && trade_chars >= 2 && is_industry_word(mid, trade_len))
		name_problem(c, "trade name '%s' is an industry word", qt);
	else if (known && trade_chars >= 2 && is_division_name(mid, trade_len))
		name_problem(c, "trade name '%s' is a division name", qt);
	else if (a->prefix_end > 0 && (lead = leading_division_name(mid, trade_len)))
		name_problem(c, "trade name '%s' starts with the division name '%s'", qt, lead);

	/* Restricted words: the national ones outside the industry wording, the others anywhere
	 * after the division.  Each word once. */
	for (size_t i = 0; i < COUNT(restricted_words); i++) {
		const struct restricted *r = &restricted_words[i];
		if (r->industry_ok) {
			if (!contains(mid, trade_len, r->word))
				continue;
			name_problem(c, "restricted word '%s' in the %s '%s': it may only qualify a listed "
				   "industry, as in 国际贸易", r->word,
				known ? "trade name" : "trade name and industry", qt);
		} else if (contains(mid, a->len - a->prefix_end, r->word)) {
			quote(qi, sizeof qi, mid, a->len - a->prefix_end);
			name_problem(c, "restricted word '%s' in '%s'", r->word, qi);
		}
	}
}

/* A name of 1 to max_chars characters of valid UTF-8 (more than 4 bytes a character is refused
 * before decoding): its length in bytes, or -1 after the one problem that stops the check. */
static int sized(struct ctx *c, const char *name, size_t max_chars, size_t *len)
{
	if (!name || !*name) {
		name_problem(c, "name is empty");
		return -1;
	}
	*len = strnlen(name, 4 * max_chars + 1);
	if (*len > 4 * max_chars) {
		name_problem(c, "name is longer than %zu characters", max_chars);
		return -1;
	}
	size_t count = 0;
	for (size_t i = 0; i < *len; count++) {
		uint32_t cp;
		size_t k = reg_utf8_next(name + i, *len - i, &cp);
		if (k == 0) {
			name_problem(c, "name is not valid UTF-8 (byte %zu)", i + 1);
			return -1;
		}
		i += k;
	}
	if (count > max_chars) {
		name_problem(c, "name is longer than %zu characters", max_chars);
		return -1;
	}
	return 0;
}

/* The whole check; a->… describe the parts when it returns 0. */
static int analyze(const char *name, const char *legal_form, const char *division,
		   struct analysis *a, reg_err **errp)
{
	struct ctx c = {errp, 0};
	memset(a, 0, sizeof *a);

	size_t len;
	if (sized(&c, name, REG_NAME_MAX_CHARS, &len) < 0)
		return -1;
	a->name = name;
	a->len = len;

	const char *expected;
	enum legal_form lf = legal_form_of(legal_form, &expected);
	char q[40];

	check_characters(&c, name, len);
	find_form(a);
	check_parentheses(&c, a);
	check_division(&c, a, division);
	if (lf == LF_UNKNOWN) {
		quote_ascii(q, sizeof q, legal_form ? legal_form : "");
		name_problem(&c, "unknown legal form '%s': the organization form cannot be checked", q);
	}
	check_form(&c, a, lf, legal_form, expected);
	check_middle(&c, a, lf);
	return c.problems ? -1 : 0;
}

/* ---- people ------------------------------------------------------------------------------- */

#define MIDDLE_DOT 0x00B7

/* The ideographs of a person's name (names.h): CJK Unified Ideographs with extensions A to G,
 * and the compatibility ideographs with their supplement. */
static bool person_ideograph(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
		{0x3400, 0x4DBF},   /* extension A */
		{0x4E00, 0x9FFF},   /* the basic block */
		{0xF900, 0xFAFF},   /* compatibility ideographs */
		{0x20000, 0x2A6DF}, /* extension B */
		{0x2A700, 0x2B73F}, /* C */
		{0x2B740, 0x2B81F}, /* D */
		{0x2B820, 0x2CEAF}, /* E */
		{0x2CEB0, 0x2EBEF}, /* F */
		{0x2F800, 0x2FA1F}, /* compatibility ideographs supplement */
		{0x30000, 0x3134F}, /* G */
	};
	for (size_t i = 0; i < COUNT(ranges); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return true;
	return false;
}

int reg_person_name_check(const char *name, reg_err **errp)
{
	struct ctx c = {errp, 0};
	size_t len;
	if (sized(&c, name, REG_PERSON_NAME_MAX_CHARS, &len) < 0)
		return -1;
	enum { DOT_FIRST = 128, DOT_LAST = 256, DOT_TWICE = 512 };
	unsigned seen = 0;
	bool after_dot = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = reg_utf8_next(name + i, len - i, &cp);
		char ch[8] = "";
		memcpy(ch, name + i, k);
		bool first = i == 0;
		i += k;
		if (cp == MIDDLE_DOT) {
			unsigned where = first ? DOT_FIRST : after_dot ? DOT_TWICE : 0;
			if (i == len && !first)
				where |= DOT_LAST;
			if (where & ~seen & DOT_FIRST)
				name_problem(&c, "name must not start with the middle dot '·'");
			if (where & ~seen & DOT_TWICE)
				name_problem(&c, "two middle dots '··' in a row: one joins two parts of a name");
			if (where & ~seen & DOT_LAST)
				name_problem(&c, "name must not end with the middle dot '·'");
			seen |= where;
			after_dot = true;
			continue;
		}
		after_dot = false;
		if (person_ideograph(cp))
			continue;
		unsigned kind = kind_of(cp);
		if (seen & kind)
			continue;
		seen |= kind;
		switch (kind) {
		case K_LETTER:
			name_problem(&c, "latin letter '%s' not allowed: a person's name is written in "
				    "Chinese characters", ch);
			break;
		case K_DIGIT:
			name_problem(&c, "digit '%s' not allowed in a person's name", ch);
			break;
		case K_SPACE:
			name_problem(&c, "space (U+%04X) not allowed in a person's name: the parts of a "
				    "name are joined by the middle dot '·' (U+00B7)", (unsigned)cp);
			break;
		case K_DOT:
			name_problem(&c, "'%s' (U+%04X) is not the middle dot: the parts of a name are "
				    "joined by '·' (U+00B7)", ch, (unsigned)cp);
			break;
		case K_RARE:
			name_problem(&c, "character '%s' (U+%04X) not allowed: a person's name uses the CJK "
				    "unified ideographs (extensions A to G) and the compatibility "
				    "ideographs", ch, (unsigned)cp);
			break;
		default:
			if (printable(cp))
				name_problem(&c, "character '%s' (U+%04X) not allowed in a person's name", ch,
					(unsigned)cp);
			else
				name_problem(&c, "character U+%04X not allowed in a person's name",
					(unsigned)cp);
			break;
		}
	}
	return c.problems ? -1 : 0;
}

/* ---- public ------------------------------------------------------------------------------- */

int reg_name_check(const char *name, const char *legal_form, const char *division,
		   reg_err **errp)
{
	struct analysis a;
	return analyze(name, legal_form, division, &a, errp);
}

static void copy_part(char *out, const char *s, size_t n)
{
	if (n > REG_NAME_MAX_BYTES)
		n = REG_NAME_MAX_BYTES; /* cannot happen: a valid name has at most this many */
	memcpy(out, s, n);
	out[n] = '\0';
}

int reg_name_split(const char *name, const char *legal_form, const char *division,
		   reg_name_parts *parts, reg_err **errp)
{
	struct analysis a;
	if (parts)
		memset(parts, 0, sizeof *parts);
	if (analyze(name, legal_form, division, &a, errp) < 0)
		return -1;
	if (!parts)
		return 0;
	copy_part(parts->division, name, a.prefix_end);
	copy_part(parts->trade, name + a.prefix_end, a.industry_start - a.prefix_end);
	copy_part(parts->industry, name + a.industry_start, a.form_start - a.industry_start);
	copy_part(parts->form, name + a.form_start, a.len - a.form_start);
	return 0;
}

const char *reg_name_expected_form(const char *legal_form)
{
	const char *expected;
	legal_form_of(legal_form, &expected);
	return expected;
}

static bool space_at(const char *s, size_t n, size_t i, size_t *k)
{
	unsigned char b = (unsigned char)s[i];
	if (b == ' ' || (b >= '\t' && b <= '\r')) {
		*k = 1;
		return true;
	}
	if (n - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0) { /* U+3000 */
		*k = 3;
		return true;
	}
	return false;
}

char *reg_name_normalize(const char *name, reg_err **errp)
{
	if (!name) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "name is empty");
		return NULL;
	}
	size_t n = strnlen(name, 4 * REG_NAME_MAX_CHARS + 1);
	if (n > 4 * REG_NAME_MAX_CHARS) {
		reg_err_set(errp, REG_ENO, NULL, 0, NULL, "name is longer than %d characters",
			    REG_NAME_MAX_CHARS);
		return NULL;
	}
	size_t start = 0, end = n, k;
	while (start < end && space_at(name, end, start, &k))
		start += k;
	for (;;) {
		if (end > start && space_at(name, end, end - 1, &k) && k == 1)
			end -= 1;
		else if (end - start >= 3 && memcmp(name + end - 3, "\xE3\x80\x80", 3) == 0)
			end -= 3;
		else
			break;
	}
	char *out = malloc(3 * (end - start) + 1);
	if (!out) {
		reg_err_oom(errp);
		return NULL;
	}
	size_t o = 0;
	for (size_t i = start; i < end; i++) {
		if (name[i] == '(') {
			memcpy(out + o, OPEN_PAREN, 3);
			o += 3;
		} else if (name[i] == ')') {
			memcpy(out + o, CLOSE_PAREN, 3);
			o += 3;
		} else {
			out[o++] = name[i];
		}
	}
	out[o] = '\0';
	return out;
}
