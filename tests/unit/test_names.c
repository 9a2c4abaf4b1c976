/* Enterprise names: what the window accepts and refuses, and the messages a clerk reads. */
#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "tap.h"

static int count(const reg_err *e)
{
	int n = 0;
	for (; e; e = reg_err_next(e))
		n++;
	return n;
}

static bool has(const reg_err *e, const char *msg)
{
	for (; e; e = reg_err_next(e))
		if (strcmp(reg_err_message(e), msg) == 0)
			return true;
	return false;
}

static void dump(const reg_err *e)
{
	for (; e; e = reg_err_next(e))
		diag("  problem: %s", reg_err_message(e));
}

/* An acceptable name, and its four parts. */
static void good(const char *name, const char *form, const char *division, const char *d,
		 const char *t, const char *i, const char *f)
{
	reg_err *err = NULL;
	reg_name_parts p;
	int rc = reg_name_split(name, form, division, &p, &err);
	if (!ok(rc == 0 && err == NULL, "accepted: %s (%s, %s)", name, form, division))
		dump(err);
	if (rc == 0) {
		is_str(p.division, d, "  division part of %s", name);
		is_str(p.trade, t, "  trade name of %s", name);
		is_str(p.industry, i, "  industry of %s", name);
		is_str(p.form, f, "  organization form of %s", name);
	}
	reg_err_free(err);
}

/* A refused name: -1, exactly `n` problems, one of them `msg`, all REG_ENO without field. */
static void refused(const char *label, int rc, reg_err *err, int n, const char *msg)
{
	is_int(rc, -1, "refused: %s", label);
	if (!ok(has(err, msg), "  message: %s", msg))
		dump(err);
	if (!ok(count(err) == n, "  %d problem(s)", n))
		dump(err);
	bool plain = true;
	for (const reg_err *e = err; e; e = reg_err_next(e))
		if (reg_err_code(e) != REG_ENO || reg_err_field(e) || reg_err_file(e))
			plain = false;
	ok(plain, "  code REG_ENO, no field or file (the caller locates them)");
	reg_err_free(err);
}

static void bad(const char *label, const char *name, const char *form, const char *division,
		int n, const char *msg)
{
	reg_err *err = NULL;
	int rc = reg_name_check(name, form, division, &err);
	refused(label, rc, err, n, msg);
}

/* People's names: the characters a Chinese name is written in, and the middle dot of
 * transliterated minority names. */
static void person_good(const char *name, const char *what)
{
	reg_err *err = NULL;
	if (!ok(reg_person_name_check(name, &err) == 0 && err == NULL, "person accepted: %s", what))
		dump(err);
	reg_err_free(err);
}

static void person_bad(const char *name, const char *what, int n, const char *msg)
{
	reg_err *err = NULL;
	int rc = reg_person_name_check(name, &err);
	refused(what, rc, err, n, msg);
}

static void test_person_names(void)
{
	person_good("张伟", "张伟");
	person_good("欧阳", "two characters");
	person_good("阿卜杜热合曼·买买提明", "a Uyghur name with the middle dot");
	person_good("阿拉坦·其其格·巴特尔", "two dots");
	person_good("\xe4\xb6\xae", "extension A (U+4DAE)");
	person_good("\xf0\xa0\xae\xb7\xe9\x87\x8e", "extension B (U+20BB7)");
	person_good("\xf0\xab\x9d\x80", "extension D (U+2B740)");
	person_good("\xf0\xb0\x80\x80", "extension G (U+30000)");
	person_good("\xef\xa4\x80", "a compatibility ideograph (U+F900)");
	person_good("\xf0\xaf\xa0\x80", "compatibility supplement (U+2F800)");
	person_good("买买买买买买买买买买买买买买买买买买买买买买买买买买买买买买", "30 characters");

	person_bad("=1+1", "'=1+1'", 2, "character '=' (U+003D) not allowed in a person's name");
	person_bad("=1+1", "'=1+1'", 2, "digit '1' not allowed in a person's name");
	person_bad("", "empty", 1, "name is empty");
	person_bad(NULL, "NULL", 1, "name is empty");
	person_bad("买买买买买买买买买买买买买买买买买买买买买买买买买买买买买买买", "31 characters", 1,
		   "name is longer than 30 characters");
	person_bad("John Smith", "latin", 2,
		   "latin letter 'J' not allowed: a person's name is written in Chinese characters");
	person_bad("张 三", "a space", 1,
		   "space (U+0020) not allowed in a person's name: the parts of a name are joined by "
		   "the middle dot '·' (U+00B7)");
	person_bad("·张三", "dot first", 1, "name must not start with the middle dot '·'");
	person_bad("张三·", "dot last", 1, "name must not end with the middle dot '·'");
	person_bad("张··三", "two dots", 1,
		   "two middle dots '··' in a row: one joins two parts of a name");
	person_bad("·", "a dot alone", 1, "name must not start with the middle dot '·'");
	person_bad("阿拉坦・其其格", "katakana middle dot", 1,
		   "'・' (U+30FB) is not the middle dot: the parts of a name are joined by '·' (U+00B7)");
	person_bad("阿拉坦.其其格", "full stop", 1,
		   "'.' (U+002E) is not the middle dot: the parts of a name are joined by '·' (U+00B7)");
	person_bad("张\x01三", "a control character", 1,
		   "character U+0001 not allowed in a person's name");
	person_bad("张\xe2\x80\xae三", "a bidi override", 1,
		   "character U+202E not allowed in a person's name");
	person_bad("\xf0\xb1\x8d\x90", "extension H (U+31350)", 1,
		   "character '\xf0\xb1\x8d\x90' (U+31350) not allowed: a person's name uses the CJK "
		   "unified ideographs (extensions A to G) and the compatibility ideographs");
	person_bad("张\xff", "invalid UTF-8", 1, "name is not valid UTF-8 (byte 4)");
}

int main(void)
{
	/* ---- acceptable names ---- */
	good("乌海市恒泰商贸有限公司", "llc", "150302", "乌海市", "恒泰", "商贸", "有限公司");
	good("乌海市海勃湾区蒙鑫再生资源回收有限公司", "llc", "150302", "乌海市海勃湾区", "蒙鑫",
	     "再生资源回收", "有限公司");
	good("内蒙古金辉科技股份有限公司", "jsc", "150302", "内蒙古", "金辉", "科技", "股份有限公司");
	good("内蒙古金辉科技股份有限公司", "jsc", "150000", "内蒙古", "金辉", "科技", "股份有限公司");
	good("乌海市恒泰商贸有限责任公司", "llc", "150302", "乌海市", "恒泰", "商贸", "有限责任公司");
	good("乌海恒泰商贸有限公司", "llc", "150302", "乌海", "恒泰", "商贸", "有限公司");
	good("内蒙古自治区恒泰网络科技有限公司", "llc", "150302", "内蒙古自治区", "恒泰", "网络科技",
	     "有限公司");
	good("乌海市恒泰商贸股份公司", "jsc", "150302", "乌海市", "恒泰", "商贸", "股份公司");
	/* 国际 and 中央 qualifying a listed industry */
	good("乌海市恒泰国际贸易有限公司", "llc", "150302", "乌海市", "恒泰", "国际贸易", "有限公司");
	good("乌海市恒泰国际货运代理有限公司", "llc", "150303", "乌海市", "恒泰", "国际货运代理",
	     "有限公司");
	good("乌海市恒泰中央空调有限公司", "llc", "150304", "乌海市", "恒泰", "中央空调", "有限公司");
	/* lenience: industry wording not in the list, boundary unknown */
	good("乌海市恒泰日杂百货有限公司", "llc", "150302", "乌海市", "恒泰日杂百货", "", "有限公司");
	/* counties, banners, county-level cities, a prefecture-level code */
	good("达拉特旗恒泰商贸有限公司", "llc", "150621", "达拉特旗", "恒泰", "商贸", "有限公司");
	good("鄂尔多斯市达拉特旗恒泰商贸有限公司", "llc", "150621", "鄂尔多斯市达拉特旗", "恒泰", "商贸",
	     "有限公司");
	good("满洲里恒泰商贸有限公司", "llc", "150781", "满洲里", "恒泰", "商贸", "有限公司");
	good("乌海市恒泰物流有限公司", "llc", "150300", "乌海市", "恒泰", "物流", "有限公司");
	/* elsewhere in the country, the special cases of the table (docs/divisions.md) */
	good("深圳市南山区恒泰商贸有限公司", "llc", "440305", "深圳市南山区", "恒泰", "商贸",
	     "有限公司");
	good("广东恒泰商贸有限公司", "llc", "440305", "广东", "恒泰", "商贸", "有限公司");
	good("北京市朝阳区恒泰商贸有限公司", "llc", "110105", "北京市朝阳区", "恒泰", "商贸",
	     "有限公司");
	good("北京恒泰商贸有限公司", "llc", "110105", "北京", "恒泰", "商贸", "有限公司");
	good("重庆市两江新区恒泰商贸有限公司", "llc", "500157", "重庆市两江新区", "恒泰", "商贸",
	     "有限公司");
	good("仙桃市恒泰商贸有限公司", "llc", "429004", "仙桃市", "恒泰", "商贸", "有限公司");
	good("湖北恒泰商贸有限公司", "llc", "429004", "湖北", "恒泰", "商贸", "有限公司");
	good("东莞市恒泰商贸有限公司", "llc", "441900", "东莞市", "恒泰", "商贸", "有限公司");
	good("石河子恒泰商贸有限公司", "llc", "659001", "石河子", "恒泰", "商贸", "有限公司");
	good("新疆恒泰商贸有限公司", "llc", "659001", "新疆", "恒泰", "商贸", "有限公司");
	/* sole proprietorships and partnerships */
	good("乌海市恒泰商行", "sole", "150302", "乌海市", "恒泰", "", "商行");
	good("乌海市海勃湾区恒泰餐饮店", "sole", "150302", "乌海市海勃湾区", "恒泰", "餐饮", "店");
	good("乌海市恒泰文化传媒工作室", "sole", "150302", "乌海市", "恒泰", "文化传媒", "工作室");
	good("乌海市恒泰投资中心（有限合伙）", "partnership", "150302", "乌海市", "恒泰", "投资",
	     "中心（有限合伙）");
	good("乌海市恒泰商务咨询合伙企业（普通合伙）", "partnership", "150302", "乌海市", "恒泰",
	     "商务咨询", "合伙企业（普通合伙）");

	/* exactly 100 characters is still accepted */
	{
		char name[512] = "乌海市";
		for (int i = 0; i < 91; i++)
			strcat(name, "泰");
		strcat(name, "商贸有限公司");
		reg_err *err = NULL;
		ok(reg_name_check(name, "llc", "150302", &err) == 0 && !err,
		   "a name of exactly 100 characters is accepted");
		dump(err);
		reg_err_free(err);
	}

	/* ---- division prefix ---- */
	bad("another city's name", "北京市恒泰商贸有限公司", "llc", "150302", 1,
	    "name does not start with the division of the address or one it lies in: expected "
	    "'乌海市海勃湾区', '乌海市', '乌海', '内蒙古自治区' or '内蒙古'");
	bad("a district without its city (regulation art. 7)", "海勃湾区恒泰商贸有限公司", "llc",
	    "150302", 1, "district '海勃湾区' must be preceded by its city, as in '乌海市海勃湾区'");
	bad("another district of the city", "乌海市海南区恒泰商贸有限公司", "llc", "150302", 1,
	    "trade name '海南区恒泰' starts with the division name '海南区'");
	bad("a district of a municipality without it", "朝阳区恒泰商贸有限公司", "llc", "110105", 1,
	    "district '朝阳区' must be preceded by its city, as in '北京市朝阳区'");
	bad("a retired division is unknown", "重庆市江北区恒泰商贸有限公司", "llc", "500105", 1,
	    "unknown division '500105': the division prefix cannot be checked");
	bad("a district of another province after the prefix", "乌海市南山区恒泰商贸有限公司", "llc",
	    "150302", 1, "trade name '南山区恒泰' starts with the division name '南山区'");
	bad("an unknown division", "乌海市恒泰商贸有限公司", "llc", "150399", 1,
	    "unknown division '150399': the division prefix cannot be checked");

	/* ---- trade name ---- */
	bad("a 1-character trade name", "乌海市泰商贸有限公司", "llc", "150302", 1,
	    "trade name '泰' is shorter than 2 characters");
	bad("no trade name", "乌海市商贸有限公司", "llc", "150302", 1,
	    "no trade name before the industry '商贸'");
	bad("nothing between division and form", "乌海市有限公司", "llc", "150302", 1,
	    "no trade name after the division '乌海市'");
	bad("no industry wording", "乌海市恒泰有限公司", "llc", "150302", 1,
	    "no industry wording after the trade name '恒泰'");
	bad("an industry word as trade name", "乌海市商贸科技有限公司", "llc", "150302", 1,
	    "trade name '商贸' is an industry word");
	bad("a division name as trade name (art. 8)", "乌海市包头商贸有限公司", "llc", "150302", 1,
	    "trade name '包头' is a division name");
	bad("a county-level city of another province as trade name", "乌海市东方商贸有限公司", "llc",
	    "150302", 1, "trade name '东方' is a division name");
	bad("a county of another province as trade name", "乌海市城口县商贸有限公司", "llc",
	    "150302", 1, "trade name '城口县' is a division name");

	/* ---- restricted words ---- */
	bad("中国 as trade name", "乌海市中国商贸有限公司", "llc", "150302", 1,
	    "restricted word '中国' in the trade name '中国': it may only qualify a listed industry, "
	    "as in 国际贸易");
	bad("中华 inside the trade name", "乌海市中华恒泰商贸有限公司", "llc", "150302", 1,
	    "restricted word '中华' in the trade name '中华恒泰': it may only qualify a listed "
	    "industry, as in 国际贸易");
	bad("国际 with an unlisted industry", "乌海市恒泰国际航运有限公司", "llc", "150302", 1,
	    "restricted word '国际' in the trade name and industry '恒泰国际航运': it may only "
	    "qualify a listed industry, as in 国际贸易");
	bad("世界 anywhere", "乌海市恒泰世界商贸有限公司", "llc", "150302", 1,
	    "restricted word '世界' in '恒泰世界商贸有限公司'");
	bad("a state organ", "乌海市恒泰政府采购服务有限公司", "llc", "150302", 1,
	    "restricted word '政府' in '恒泰政府采购服务有限公司'");

	/* ---- organization form ---- */
	bad("jsc form for an llc", "乌海市恒泰商贸股份有限公司", "llc", "150302", 1,
	    "organization form '股份有限公司' does not match legal form llc (有限公司 or 有限责任公司)");
	bad("llc form for a jsc", "乌海市恒泰商贸有限公司", "jsc", "150302", 1,
	    "organization form '有限公司' does not match legal form jsc (股份有限公司 or 股份公司)");
	bad("a bare 公司", "乌海市恒泰商贸公司", "llc", "150302", 1,
	    "organization form '公司' does not match legal form llc (有限公司 or 有限责任公司)");
	bad("no form at all", "乌海市恒泰商贸", "llc", "150302", 1,
	    "name does not end in an organization form: legal form llc needs 有限公司 or 有限责任公司");
	bad("a company form for a sole proprietorship", "乌海市恒泰商贸有限公司", "sole", "150302",
	    1, "organization form '有限公司' does not match legal form sole (厂, 店, 馆, 部, 行, 商行, "
	       "中心, 工作室, 事务所 or 个人独资企业, without 有限 or 公司)");
	bad("有限 inside a sole proprietorship's name", "乌海市无有限恒泰商行", "sole", "150302", 1,
	    "sole proprietorship name must not contain '有限'");
	bad("a partnership without its kind", "乌海市恒泰投资中心", "partnership", "150302", 1,
	    "partnership name must end in （普通合伙）, （特殊普通合伙） or （有限合伙）");
	bad("a partnership with only the qualifier", "乌海市恒泰投资（有限合伙）", "partnership",
	    "150302", 1, "partnership name needs an organization form such as 合伙企业 or 中心 before "
			 "'（有限合伙）'");
	bad("a partnership form for an llc", "乌海市恒泰投资中心（有限合伙）", "llc", "150302", 1,
	    "organization form '中心（有限合伙）' does not match legal form llc (有限公司 or 有限责任公司)");
	bad("an unknown legal form", "乌海市恒泰商贸有限公司", "gmbh", "150302", 1,
	    "unknown legal form 'gmbh': the organization form cannot be checked");

	/* ---- characters ---- */
	bad("latin letters", "乌海市ABC商贸有限公司", "llc", "150302", 1,
	    "latin letter 'A' not allowed: an enterprise name uses Chinese characters only");
	bad("full-width latin letters", "乌海市ＡＢ恒泰商贸有限公司", "llc", "150302", 1,
	    "latin letter 'Ａ' not allowed: an enterprise name uses Chinese characters only");
	bad("digits", "乌海市恒泰8商贸有限公司", "llc", "150302", 1,
	    "digit '8' not allowed: an enterprise name uses Chinese characters only");
	bad("full-width digits", "乌海市恒泰１２商贸有限公司", "llc", "150302", 1,
	    "digit '１' not allowed: an enterprise name uses Chinese characters only");
	bad("a space", "乌海市 恒泰商贸有限公司", "llc", "150302", 1,
	    "space (U+0020) not allowed in an enterprise name");
	bad("an ideographic space", "乌海市恒泰　商贸有限公司", "llc", "150302", 1,
	    "space (U+3000) not allowed in an enterprise name");
	bad("punctuation", "乌海市恒泰·商贸有限公司", "llc", "150302", 1,
	    "character '·' (U+00B7) not allowed in an enterprise name");
	bad("a control character (not echoed)", "乌海市恒泰\n商贸有限公司", "llc", "150302", 1,
	    "character U+000A not allowed in an enterprise name");
	bad("a bidi override (not echoed)", "乌海市恒泰\xE2\x80\xAE商贸有限公司", "llc", "150302", 1,
	    "character U+202E not allowed in an enterprise name");
	bad("CJK extension A", "乌海市恒\xE3\x90\x80商贸有限公司", "llc", "150302", 1,
	    "character '\xE3\x90\x80' (U+3400) not allowed: only the basic CJK block U+4E00-U+9FFF "
	    "is accepted");
	bad("half-width parentheses", "乌海市恒泰投资中心(有限合伙)", "partnership", "150302", 2,
	    "half-width parenthesis '(' not allowed: use full-width （ ）");
	bad("full-width parentheses in the middle", "乌海市恒泰（乌海）商贸有限公司", "llc", "150302",
	    1, "full-width parentheses are allowed only around a trailing （普通合伙）, （特殊普通合伙） "
	       "or （有限合伙）");
	/* each kind once, however often it occurs */
	bad("many letters, one message", "乌海市ABCDEFG商贸有限公司", "llc", "150302", 1,
	    "latin letter 'A' not allowed: an enterprise name uses Chinese characters only");

	/* ---- size and encoding: an error, never a crash ---- */
	bad("empty", "", "llc", "150302", 1, "name is empty");
	bad("NULL", NULL, "llc", "150302", 1, "name is empty");
	bad("invalid byte", "乌海市\xFF恒泰商贸有限公司", "llc", "150302", 1,
	    "name is not valid UTF-8 (byte 10)");
	bad("truncated sequence at the end", "乌海市恒泰\xE6\x81", "llc", "150302", 1,
	    "name is not valid UTF-8 (byte 16)");
	bad("overlong encoding of '/'", "乌海市\xC0\xAF恒泰商贸有限公司", "llc", "150302", 1,
	    "name is not valid UTF-8 (byte 10)");
	bad("a UTF-16 surrogate", "乌海市\xED\xA0\x80恒泰商贸有限公司", "llc", "150302", 1,
	    "name is not valid UTF-8 (byte 10)");
	bad("a stray continuation byte", "\x80", "llc", "150302", 1,
	    "name is not valid UTF-8 (byte 1)");
	{
		char name[512] = "乌海市";
		for (int i = 0; i < 92; i++)
			strcat(name, "泰");
		strcat(name, "商贸有限公司");
		bad("101 characters", name, "llc", "150302", 1, "name is longer than 100 characters");
	}
	{
		size_t n = 1 << 20;
		char *huge = malloc(n + 1);
		memset(huge, 'A', n);
		huge[n] = '\0';
		bad("1 MiB of input", huge, "llc", "150302", 1, "name is longer than 100 characters");
		free(huge);
	}

	/* ---- all problems at once ---- */
	{
		reg_err *err = NULL;
		is_int(reg_name_check("北京市中国商贸股份有限公司", "llc", "150302", &err), -1,
		       "three problems in one name");
		is_int(count(err), 3, "  all three reported");
		ok(has(err, "organization form '股份有限公司' does not match legal form llc (有限公司 or "
			    "有限责任公司)"), "  the form");
		ok(has(err, "restricted word '中国' in the trade name '北京市中国': it may only "
			    "qualify a listed industry, as in 国际贸易"), "  the restricted word");
		ok(reg_err_message(err) && strstr(reg_err_message(err), "does not start with the "
			"division"), "  the division");
		reg_err_free(err);
	}
	ok(reg_name_check("乌海市中国商贸有限公司", "llc", "150302", NULL) == -1,
	   "errp may be NULL");

	/* ---- split ---- */
	{
		reg_name_parts p;
		memset(&p, 'x', sizeof p);
		reg_err *err = NULL;
		ok(reg_name_split("乌海市泰商贸有限公司", "llc", "150302", &p, &err) == -1 &&
		   p.division[0] == '\0' && p.trade[0] == '\0', "split refuses what check refuses, "
		   "parts emptied");
		reg_err_free(err);
	}

	/* ---- helpers ---- */
	is_str(reg_name_expected_form("llc"), "有限公司 or 有限责任公司", "expected form of llc");
	ok(reg_name_expected_form("gmbh") == NULL, "no expected form for an unknown legal form");
	{
		reg_err *err = NULL;
		char *s = reg_name_normalize(" \xE3\x80\x80乌海市恒泰投资中心(有限合伙)\t", &err);
		is_str(s, "乌海市恒泰投资中心（有限合伙）", "normalize: trims, full-width parentheses");
		ok(s && reg_name_check(s, "partnership", "150302", NULL) == 0,
		   "  and the result is accepted");
		free(s);
		s = reg_name_normalize("乌海市\xFF", &err);
		is_str(s, "乌海市\xFF", "normalize copies invalid UTF-8 for the check to report");
		free(s);
		ok(reg_name_normalize(NULL, &err) == NULL && err, "normalize: NULL is an error");
		reg_err_free(err);
	}
	test_person_names();
	return tap_done();
}
