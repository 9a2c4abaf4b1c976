/*
 * test_catalog — the shipped twenty-in-one catalog loads with the identifiers docs/domain.md
 * fixes (tools, file names and other tests rely on them); its applies-if and require rules say
 * what they mean on a real dossier; the dossier schema takes a complete dossier and refuses
 * malformed values; and every kind of broken catalog a city could write fails at load with
 * REG_ECONFIG, the file, the line of the offending element and the item's name.
 *
 * Broken catalogs are made by editing the shipped one in memory and writing the result into a
 * temporary directory, so they follow the shipped catalog as it changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "dossier.h"
#include "regkit-config.h"
#include "rules.h"
#include "tap.h"
#include "xml.h"

static char *datadir, *schema_dir, *catalog_path, *fixtures;
static char tmpdir[] = "/tmp/regkit-test-catalog.XXXXXX";

static char *cat_str(const char *a, const char *b)
{
	char *s = NULL;
	if (asprintf(&s, "%s%s", a, b) < 0)
		abort();
	return s;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (!fp || reg_read_all(fp, path, 1u << 24, &buf, &len, NULL) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		abort();
	}
	fclose(fp);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
}

/* 1-based line of the first occurrence of `marker` in text, 0 when absent. */
static long line_of(const char *text, const char *marker)
{
	const char *at = strstr(text, marker);
	long line = 1;
	if (!at)
		return 0;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* ---- the shipped catalog ---------------------------------------------------------------- */

static const struct {
	const char *id, *dept;
} twenty[20] = {
	{"business-license", "amr"},     {"org-code", "amr"},
	{"tax-registration", "tax"},     {"social-insurance", "hrss"},
	{"statistics", "stats"},         {"seal-filing", "police"},
	{"security-branch", "police"},   {"foreign-trade", "commerce"},
	{"freight-forwarder", "commerce"}, {"recycling", "commerce"},
	{"prepaid-card", "commerce"},    {"medical-device-2", "drug"},
	{"medical-device-1", "drug"},    {"origin-certificate", "ciq"},
	{"inspection-declarant", "ciq"}, {"customs-declarant", "customs"},
	{"real-estate-broker", "housing"}, {"cost-consultancy-branch", "housing"},
	{"travel-branch", "tourism"},    {"travel-outlet", "tourism"},
};

static void test_shipped(const reg_catalog *cat)
{
	static const char *const depts[11][2] = {
		{"amr", "市场监督管理局"}, {"tax", "税务局"}, {"hrss", "人力资源和社会保障局"},
		{"stats", "统计局"}, {"police", "公安局"}, {"commerce", "商务局"},
		{"drug", "食品药品监督管理局"}, {"ciq", "出入境检验检疫局"}, {"customs", "海关"},
		{"housing", "住房和城乡建设局"}, {"tourism", "旅游局"},
	};
	is_str(reg_catalog_name(cat), "乌海市多证合一（二十证合一）", "catalog name");
	is_str(reg_catalog_path(cat), catalog_path, "catalog remembers its path");
	is_int(reg_catalog_department_count(cat), 11, "11 departments");
	for (size_t i = 0; i < 11 && i < reg_catalog_department_count(cat); i++) {
		const reg_department *d = reg_catalog_department(cat, i);
		is_str(reg_department_id(d), depts[i][0], "department %zu id", i);
		is_str(reg_department_zh(d), depts[i][1], "department %s zh", depts[i][0]);
		ok(reg_department_en(d) && *reg_department_en(d), "department %s en", depts[i][0]);
		ok(reg_catalog_find_department(cat, depts[i][0]) == d, "find department %s",
		   depts[i][0]);
	}
	ok(!reg_catalog_department(cat, 11), "department index past the end is NULL");
	ok(!reg_catalog_find_department(cat, "trade"), "unknown department is NULL");

	is_int(reg_catalog_item_count(cat), 20, "20 items");
	for (size_t i = 0; i < 20 && i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		is_int(reg_item_number(it), i + 1, "item %zu is number %zu", i, i + 1);
		is_str(reg_item_id(it), twenty[i].id, "item %zu id", i + 1);
		is_str(reg_item_dept(it), twenty[i].dept, "item %s department", twenty[i].id);
		ok(reg_item_department(it) == reg_catalog_find_department(cat, twenty[i].dept),
		   "item %s resolves its department", twenty[i].id);
		is_int(reg_item_kind_of(it), i < 5 ? REG_ITEM_CERTIFICATE : REG_ITEM_FILING,
		       "item %s kind", twenty[i].id);
		/* Working time: half a working day for the half-day start-up, five days after. */
		char limit[REG_DURATION_ISO_MAX];
		reg_workdur_format(reg_item_time_limit(it), limit);
		is_str(limit, i < 6 ? "P0.5D" : "P5D", "item %s time limit", twenty[i].id);
		is_int(reg_item_time_limit(it).millidays, i < 6 ? 500 : 5000,
		       "item %s time limit in thousandths of a working day", twenty[i].id);
		is_int(reg_item_time_limit(it).seconds, 0, "item %s time limit has no hours",
		       twenty[i].id);
		ok(reg_item_applies_if_expr(it) && reg_item_applies_if(it), "item %s applies-if",
		   twenty[i].id);
		ok(reg_item_require_count(it) >= 1, "item %s has rules", twenty[i].id);
		for (size_t r = 0; r < reg_item_require_count(it); r++)
			ok(reg_item_require_expr(it, r) && reg_item_require_message(it, r) &&
				   reg_item_require_line(it, r) > reg_item_line(it),
			   "item %s rule %zu compiled with message and line", twenty[i].id, r);
		ok(reg_item_uses(it, "application-form"), "item %s uses the application form",
		   twenty[i].id);
		for (size_t m = 0; m < reg_item_material_count(it); m++)
			ok(reg_item_material(it, m) ==
				   reg_catalog_find_material(cat, reg_item_material_id(it, m)),
			   "item %s material %s resolves", twenty[i].id, reg_item_material_id(it, m));
		ok(reg_catalog_find_item(cat, twenty[i].id) == it, "find item %s", twenty[i].id);
		ok(reg_catalog_item_by_number(cat, (int)i + 1) == it, "item by number %zu", i + 1);
		if (i < 6)
			is_str(reg_item_applies_if(it), "true()", "item %s applies to everyone",
			       twenty[i].id);
	}
	ok(!reg_catalog_item_by_number(cat, 0) && !reg_catalog_item_by_number(cat, 21),
	   "no item 0 or 21");
	ok(!reg_catalog_find_item(cat, "nope"), "unknown item is NULL");
	is_str(reg_item_zh(reg_catalog_item(cat, 0)), "营业执照", "item 1 zh");
	is_str(reg_item_en(reg_catalog_item(cat, 19)), "travel-agency outlet filing", "item 20 en");
	is_str(reg_item_kind_name(REG_ITEM_FILING), "filing", "kind name");

	/* 告知承诺: core materials are never deferred, the others for 30 days */
	static const char *const core[] = {"application-form", "articles", "shareholder-id",
					   "legal-rep-id", "name-declaration", "pre-approval"};
	static const char *const deferrable[] = {"premises-proof", "appointment", "agent-authority",
						 "recycling-site-proof",
						 "medical-device-quality-manual",
						 "foreign-trade-form", "broker-qualification",
						 "travel-license-copy"};
	for (size_t i = 0; i < sizeof core / sizeof *core; i++) {
		const reg_material *m = reg_catalog_find_material(cat, core[i]);
		ok(m && reg_material_essential(m) && reg_material_defer(m) == 0,
		   "material %s is essential", core[i]);
	}
	for (size_t i = 0; i < sizeof deferrable / sizeof *deferrable; i++) {
		const reg_material *m = reg_catalog_find_material(cat, deferrable[i]);
		ok(m && !reg_material_essential(m) && reg_material_defer(m) == 30 * 86400,
		   "material %s is deferrable for 30 days", deferrable[i]);
	}
	const reg_item *recycling = reg_catalog_find_item(cat, "recycling");
	ok(recycling && reg_item_uses(recycling, "recycling-site-proof") &&
		   !reg_item_uses(recycling, "travel-license-copy"),
	   "recycling uses the site proof and not the travel license");
	ok(reg_item_uses(reg_catalog_item(cat, 0), "premises-proof"),
	   "business license uses the premises proof");

	static const struct {
		const char *id, *zh;
		int at;
	} steps[4] = {{"reminder", "提醒单", 75}, {"urging", "催办单", 100},
		      {"supervision", "督办单", 150}, {"transfer", "移交函", 200}};
	is_int(reg_catalog_step_count(cat), 4, "4 escalation steps");
	for (size_t i = 0; i < 4 && i < reg_catalog_step_count(cat); i++) {
		const reg_step *s = reg_catalog_step(cat, i);
		is_str(reg_step_id(s), steps[i].id, "step %zu id", i);
		is_str(reg_step_zh(s), steps[i].zh, "step %s zh", steps[i].id);
		is_int(reg_step_percent(s), steps[i].at, "step %s percent", steps[i].id);
		is_int(reg_step_to_supervisor(s), i == 3,
		       "step %s goes to the %s", steps[i].id, i == 3 ? "supervisor" : "department");
	}

	static const struct {
		const char *code, *id, *zh;
		reg_seal_shape shape;
		int yuan;
		bool star;
	} seals[5] = {
		{"01", "official", "公章", REG_SEAL_ROUND, 300, true},
		{"02", "finance", "财务专用章", REG_SEAL_SQUARE, 200, false},
		{"03", "invoice", "发票专用章", REG_SEAL_OVAL, 200, false},
		{"04", "contract", "合同专用章", REG_SEAL_ROUND, 200, true},
		{"05", "legal-rep", "法定代表人名章", REG_SEAL_SQUARE, 100, false},
	};
	is_int(reg_catalog_seal_count(cat), 5, "5 seal types");
	for (size_t i = 0; i < 5 && i < reg_catalog_seal_count(cat); i++) {
		const reg_seal_type *s = reg_catalog_seal(cat, i);
		is_str(reg_seal_type_code(s), seals[i].code, "seal %zu code", i);
		is_str(reg_seal_type_id(s), seals[i].id, "seal %s id", seals[i].code);
		is_str(reg_seal_type_zh(s), seals[i].zh, "seal %s zh", seals[i].id);
		is_int(reg_seal_type_shape(s), seals[i].shape, "seal %s shape", seals[i].id);
		is_int(reg_seal_type_price_fen(s), seals[i].yuan * 100, "seal %s price", seals[i].id);
		ok(reg_seal_type_star(s) == seals[i].star, "seal %s star", seals[i].id);
		ok(reg_catalog_find_seal(cat, seals[i].id) == s, "find seal %s", seals[i].id);
	}
	const reg_seal_type *official = reg_catalog_find_seal(cat, "official");
	const reg_seal_type *invoice = reg_catalog_find_seal(cat, "invoice");
	const reg_seal_type *legal = reg_catalog_find_seal(cat, "legal-rep");
	ok(official && reg_seal_type_diameter(official) == 40.0 &&
		   reg_seal_type_jsc_diameter(official) == 42.0 &&
		   reg_seal_type_border(official) == 1.2 &&
		   reg_seal_type_star_diameter(official) == 14.0 &&
		   strcmp(reg_seal_type_font(official), "宋体") == 0,
	   "official seal: round 40 mm (42 for a jsc), border 1.2, star 14, 宋体");
	ok(invoice && reg_seal_type_width(invoice) == 40.0 && reg_seal_type_height(invoice) == 30.0 &&
		   reg_seal_type_diameter(invoice) == 0.0 && reg_seal_type_code_font(invoice) &&
		   strcmp(reg_seal_type_code_font(invoice), "Arial") == 0,
	   "invoice seal: oval 40 x 30 with the USCC in Arial");
	ok(legal && reg_seal_type_width(legal) == 20.0 && reg_seal_type_height(legal) == 20.0,
	   "legal-representative seal: square 20 mm");
	ok(!reg_catalog_find_seal(cat, "secret"), "unknown seal is NULL");
}

/* ---- the rules on a real dossier -------------------------------------------------------- */

static bool eval(reg_rules *r, xmlXPathCompExpr *expr, const char *src)
{
	bool result = false;
	reg_err *err = NULL;
	if (reg_rules_test(r, expr, src, &result, &err) < 0) {
		diag("%s: %s", src, reg_err_message(err));
		reg_err_free(err);
		return false;
	}
	return result;
}

/* The items whose applies-if holds, as a 20-char string of 0/1 (item 1 first). */
static void applying(const reg_catalog *cat, reg_rules *r, char out[21])
{
	for (size_t i = 0; i < 20; i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		out[i] = it && eval(r, reg_item_applies_if_expr(it), reg_item_applies_if(it)) ? '1'
											      : '0';
	}
	out[20] = '\0';
}

/* The message of the first failing rule of an item, or NULL when all hold. */
static const char *first_failure(const reg_item *it, reg_rules *r)
{
	for (size_t i = 0; i < reg_item_require_count(it); i++)
		if (!eval(r, reg_item_require_expr(it, i), reg_item_require_source(it, i)))
			return reg_item_require_message(it, i);
	return NULL;
}

static void set_text(reg_dossier *d, const char *path, const char *text)
{
	xmlNode *n = reg_dossier_node(d, path);
	if (!n)
		abort();
	xmlNodeSetContent(n, BAD_CAST text);
}

static void test_rules(const reg_catalog *cat)
{
	char *path = cat_str(fixtures, "/dossier-sample.xml");
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_file(path, &err);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, path, 0, &err) : NULL;
	reg_rules *r = reg_rules_new(&err);
	ok(d && r && reg_rules_bind(r, d, 0, 480, &err) == 0, "sample dossier bound for rules");
	if (!d || !r) {
		reg_err_print(err, "test", stdout);
		goto out;
	}
	char got[21];
	/* scope: 日用百货销售；再生资源回收；货物进出口 */
	applying(cat, r, got);
	is_str(got, "11111101010001110000",
	       "a recycling and import-export scope brings items 8, 10, 14, 15, 16");

	set_text(d, "enterprise/scope",
		 "旅行社分社业务；第一类医疗器械生产；工程造价咨询（分支机构）；保安服务");
	applying(cat, r, got);
	is_str(got, "11111110000010000110",
	       "travel branch, class I production, cost-consultancy branch, security service");
	set_text(d, "enterprise/scope", "第二类医疗器械销售；房地产经纪；单用途商业预付卡发行；"
					"国际货物运输代理；旅行社服务网点");
	applying(cat, r, got);
	is_str(got, "11111100101100001001", "freight, prepaid card, class II, broker, outlet");
	set_text(d, "enterprise/scope", "第一类医疗器械销售");
	applying(cat, r, got);
	is_str(got, "11111100000000000000", "class I trading without production needs no filing");

	const reg_item *license = reg_catalog_find_item(cat, "business-license");
	const char *why = first_failure(license, r);
	ok(!why, "the sample passes every business-license rule%s%s", why ? ": " : "",
	   why ? why : "");
	set_text(d, "enterprise/shareholders/shareholder/share", "50.00");
	is_str(first_failure(license, r), "the shares must sum to 100%",
	       "shares of 50 + 40 are refused");
	set_text(d, "enterprise/shareholders/shareholder/share", "33.33");
	xmlNode *holders = reg_dossier_node(d, "enterprise/shareholders");
	xmlNode *copy = xmlCopyNode(xmlFirstElementChild(holders), 1);
	xmlAddChild(holders, copy);
	xmlNodeSetContent(xmlLastElementChild(copy), BAD_CAST "26.67");
	ok(!first_failure(license, r), "33.33 + 40 + 26.67 sums to exactly 100");
	set_text(d, "enterprise/legal-representative/citizen-id", "150302201005060014");
	is_str(first_failure(license, r), "the legal representative must be at least 18",
	       "a 16-year-old legal representative is refused");
	set_text(d, "enterprise/name", "乌海市恒泰商贸股份有限公司");
	set_text(d, "enterprise/legal-representative/citizen-id", "150302198503150018");
	is_str(first_failure(license, r),
	       "the enterprise name breaks the naming rules (行政区划+字号+行业+组织形式 matching the legal form)",
	       "an llc named as a joint-stock company is refused");
	set_text(d, "enterprise/name", "乌海市恒泰商贸有限责任公司");
	ok(!first_failure(license, r), "有限责任公司 is a valid llc suffix too");

	const reg_item *recycling = reg_catalog_find_item(cat, "recycling");
	is_str(first_failure(recycling, r), "the recycling site proof is missing and not committed to",
	       "recycling without the site proof is refused");
	xmlNode *commitments = reg_dossier_section(d, "commitments", false);
	xmlNode *c = xmlNewChild(commitments, commitments->ns, BAD_CAST "commitment", NULL);
	xmlNewProp(c, BAD_CAST "material", BAD_CAST "recycling-site-proof");
	xmlNewProp(c, BAD_CAST "due", BAD_CAST "2026-12-20");
	ok(!first_failure(recycling, r), "a commitment to the site proof is enough");
out:
	reg_err_free(err);
	reg_rules_free(r);
	reg_dossier_free(d);
	free(path);
}

/* ---- the dossier schema ----------------------------------------------------------------- */

static bool dossier_valid(xmlSchema *schema, const char *text)
{
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(text, strlen(text), "test", &err);
	bool valid = doc && reg_xml_validate(schema, doc, "test", &err) == 0 && !err;
	if (!valid && !doc)
		diag("not parsed: %s", reg_err_message(err));
	xmlFreeDoc(doc);
	reg_err_free(err);
	return valid;
}

/* The sample with the first `from` replaced by `to`. */
static char *edited(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out = NULL;
	if (!at || asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) < 0) {
		fprintf(stderr, "edit: '%s' not found\n", from);
		abort();
	}
	return out;
}

static void test_dossier_schema(void)
{
	static const struct {
		const char *why, *from, *to;
	} bad[] = {
		{"an unknown legal form", "<form>llc</form>", "<form>ltd</form>"},
		{"capital with three decimals", "1000000.00", "1000000.000"},
		{"capital of zero", "1000000.00", "0.00"},
		{"a share over 100", "<share>60.00</share>", "<share>100.01</share>"},
		{"a share of zero", "<share>60.00</share>", "<share>0</share>"},
		{"a five-digit division", "division=\"150302\">", "division=\"15030\">"},
		{"an industry section past T", "F5123", "U5123"},
		{"a lower-case x in a citizen id", "150302198503150018", "15030219850315001x"},
		{"an O in a USCC", "91150302MA0000015Y<", "91150302MA000001OY<"},
		{"an upper-case digest", "sha256=\"9f86", "sha256=\"9F86"},
		{"a material given twice", "type=\"articles\"", "type=\"application-form\""},
		{"a time without an offset", "2026-11-23T09:00:00+08:00", "2026-11-23T09:00:00"},
		{"a due date with a time", "due=\"2026-12-20\"", "due=\"2026-12-20T00:00:00\""},
		{"an unknown state", "state=\"pending\"", "state=\"done\""},
		{"an unknown verdict", "verdict=\"supplement\"", "verdict=\"maybe\""},
		{"a short acceptance number", "000001\" window", "00001\" window"},
		{"an item id with capitals", "items=\"business-license\"",
		 "items=\"business-license Bad_id\""},
		{"a shareholder with neither id nor uscc", "<uscc>91150302MA0000015Y</uscc>", ""},
		{"a legal representative without a name",
		 "<name>张伟</name>\n      <citizen-id>", "<citizen-id>"},
		{"sections out of order", "<requests>",
		 "<acceptance number=\"150302-20261123-000002\" window=\"01\" clerk=\"王芳\" "
		 "time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/><requests>"},
	};
	char *xsd = cat_str(schema_dir, "/dossier.xsd");
	char *path = cat_str(fixtures, "/dossier-sample.xml");
	reg_err *err = NULL;
	xmlSchema *schema = reg_xml_schema_load(xsd, &err);
	ok(schema, "dossier.xsd compiles");
	if (!schema) {
		reg_err_print(err, "test", stdout);
		reg_err_free(err);
		goto out;
	}
	char *sample = slurp(path);
	ok(dossier_valid(schema, sample), "the complete sample dossier is valid");
	ok(dossier_valid(schema, "<batch xmlns=\"urn:regkit:dossier:1\"/>"), "an empty batch is valid");
	char *optional = edited(sample, "<staff>12</staff>", "");
	char *tmp = edited(optional, "<contact><phone>0473-3921234</phone></contact>", "");
	free(optional);
	optional = edited(tmp, "<phone>13904731234</phone>", "");
	free(tmp);
	tmp = optional;
	const char *fo = strstr(tmp, "<financial-officer>");
	const char *fo_end = strstr(tmp, "</financial-officer>");
	if (!fo || !fo_end)
		abort();
	if (asprintf(&optional, "%.*s%s", (int)(fo - tmp), tmp,
		     fo_end + strlen("</financial-officer>")) < 0)
		abort();
	free(tmp);
	ok(dossier_valid(schema, optional),
	   "phone, financial officer, staff and contact are optional");
	free(optional);
	char *minimal = NULL;
	const char *end = strstr(sample, "</enterprise>");
	if (!end || asprintf(&minimal, "%.*s</enterprise></dossier>",
			     (int)(end - sample), sample) < 0)
		abort();
	ok(dossier_valid(schema, minimal), "an enterprise alone is a dossier");
	free(minimal);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *text = edited(sample, bad[i].from, bad[i].to);
		ok(!dossier_valid(schema, text), "refused: %s", bad[i].why);
		free(text);
	}
	free(sample);
	xmlSchemaFree(schema);
out:
	free(xsd);
	free(path);
}

/* ---- broken catalogs -------------------------------------------------------------------- */

struct broken {
	const char *why;
	const char *from, *until, *to; /* replace [from … until] (or just from) by to */
	const char *item;              /* the item the message must name, or NULL */
	const char *want;              /* a substring of some message */
	const char *at;                /* the text whose line the error must carry, or NULL */
};

static const struct broken broken[] = {
	{"duplicate item number", "id=\"org-code\" number=\"2\"", NULL,
	 "id=\"org-code\" number=\"1\"", "org-code", "number 1 is already item 'business-license'",
	 "<item id=\"org-code\""},
	{"unknown department", "id=\"recycling\" number=\"10\" dept=\"commerce\"", NULL,
	 "id=\"recycling\" number=\"10\" dept=\"trade\"", "recycling",
	 "department 'trade' does not exist", "<item id=\"recycling\""},
	{"unknown material", "<uses material=\"fund-custody-agreement\"/>", NULL,
	 "<uses material=\"fund-custody-agreemnt\"/>", "prepaid-card",
	 "material 'fund-custody-agreemnt' does not exist", "fund-custody-agreemnt"},
	{"syntactically broken xpath", "<applies-if>reg:scope-mentions('再生资源回收')</applies-if>",
	 NULL, "<applies-if>reg:scope-mentions('再生资源回收'</applies-if>", "recycling",
	 "applies-if does not compile", "<applies-if>reg:scope-mentions('再生资源回收'"},
	{"unknown function", "reg:scope-mentions('房地产经纪')", NULL, "reg:scope-mention('房地产经纪')",
	 "real-estate-broker", "calls unknown function 'reg:scope-mention()'", "scope-mention("},
	{"unknown function behind a short circuit", "<applies-if>reg:scope-mentions('单用途商业预付卡')",
	 NULL, "<applies-if>false() and contain(d:enterprise/d:scope, 'x') or reg:scope-mentions('单用途商业预付卡')",
	 "prepaid-card", "calls unknown function 'contain()'", "false() and contain("},
	{"undefined prefix", "d:enterprise/d:capital &gt; 0", NULL, "e:enterprise/d:capital &gt; 0",
	 "business-license", "does not compile: undefined namespace prefix",
	 "<require message=\"the registered capital must be greater than 0\">"},
	{"a variable", "reg:has-material('articles')", NULL, "reg:has-material($articles)",
	 "freight-forwarder", "does not compile: variables are not allowed",
	 "<require message=\"the articles of association are needed for a freight-forwarder"},
	/* libxml2 2.9 itself compiles "f(" and "f(x," */
	{"a call left open at the end", "reg:has-material('pre-approval')\n", NULL,
	 "reg:has-material(\n", "security-branch",
	 "require does not compile: unbalanced parentheses",
	 "<require message=\"the head company's security-service permit"},
	{"bad duration the schema refuses", "id=\"travel-outlet\" number=\"20\" dept=\"tourism\" kind=\"filing\" time-limit=\"P5D\"",
	 NULL, "id=\"travel-outlet\" number=\"20\" dept=\"tourism\" kind=\"filing\" time-limit=\"P5X\"",
	 "travel-outlet", "P5X", "<item id=\"travel-outlet\""},
	{"bad duration the schema lets through", "id=\"travel-branch\" number=\"19\" dept=\"tourism\" kind=\"filing\" time-limit=\"P5D\"",
	 NULL, "id=\"travel-branch\" number=\"19\" dept=\"tourism\" kind=\"filing\" time-limit=\"P1DT\"",
	 "travel-branch", "bad time-limit 'P1DT'", "<item id=\"travel-branch\""},
	{"weeks are no working duration", "id=\"travel-outlet\" number=\"20\" dept=\"tourism\" kind=\"filing\" time-limit=\"P5D\"",
	 NULL, "id=\"travel-outlet\" number=\"20\" dept=\"tourism\" kind=\"filing\" time-limit=\"P1W\"",
	 "travel-outlet", "P1W", "<item id=\"travel-outlet\""},
	{"a fraction of a day finer than thousandths", "id=\"business-license\" number=\"1\" dept=\"amr\" kind=\"certificate\" time-limit=\"P0.5D\"",
	 NULL, "id=\"business-license\" number=\"1\" dept=\"amr\" kind=\"certificate\" time-limit=\"P0.0005D\"",
	 "business-license", "P0.0005D", "<item id=\"business-license\""},
	{"a time limit of nothing", "id=\"travel-branch\" number=\"19\" dept=\"tourism\" kind=\"filing\" time-limit=\"P5D\"",
	 NULL, "id=\"travel-branch\" number=\"19\" dept=\"tourism\" kind=\"filing\" time-limit=\"P0.000D\"",
	 "travel-branch", "time-limit 'P0.000D' must be longer than zero", "<item id=\"travel-branch\""},
	{"an unknown addressee", "<step id=\"transfer\" at=\"200\" to=\"supervisor\">", NULL,
	 "<step id=\"transfer\" at=\"200\" to=\"mayor\">", NULL, "mayor", "to=\"mayor\""},
	{"missing item", "<item id=\"security-branch\"", "</item>", "", "foreign-trade",
	 "number 8, but no item has number 7", "<item id=\"foreign-trade\""},
	{"schema problem inside an item",
	 "kind=\"filing\" time-limit=\"P5D\" on-reject=\"refuse-filing\">\n      <zh>旅行社分社设立备案",
	 NULL,
	 "kind=\"permit\" time-limit=\"P5D\" on-reject=\"refuse-filing\">\n      <zh>旅行社分社设立备案",
	 "travel-branch",
	 "permit", "<item id=\"travel-branch\""},
	{"not well-formed", "<zh>再生资源回收经营者备案</zh>", NULL, "<zh>再生资源回收经营者备案</zhh>",
	 NULL, "", "</zhh>"},
	{"a doctype", "<catalog ", NULL, "<!DOCTYPE catalog [<!ENTITY x \"y\">]>\n<catalog ", NULL,
	 "", NULL},
	{"duplicate department", "<department id=\"stats\"><zh>", NULL, "<department id=\"amr\"><zh>",
	 NULL, "department 'amr' is already defined on line", "<department id=\"amr\"><zh>统计局"},
	{"an item of a department no longer defined", "<department id=\"stats\">", NULL,
	 "<department id=\"statistics\">", "statistics", "department 'stats' does not exist",
	 "<item id=\"statistics\""},
	{"escalation out of order", "at=\"150\"", NULL, "at=\"90\"", NULL,
	 "step 'supervision' at 90% must come after step 'urging' at 100%", "at=\"90\""},
	{"duplicate seal code", "code=\"02\" id=\"finance\"", NULL, "code=\"01\" id=\"finance\"",
	 NULL, "seal 'finance': code '01' is already seal 'official''s",
	 /* libxml2 puts an element on the line where its start tag ends */
	 "star=\"no\" font=\"宋体\" engraving-price=\"200\">\n      <zh>财务专用章"},
	{"a deferred essential material", "id=\"pre-approval\" essential=\"yes\"", NULL,
	 "id=\"pre-approval\" essential=\"yes\" defer=\"P30D\"", NULL,
	 "material 'pre-approval': an essential material cannot be deferred",
	 "id=\"pre-approval\""},
};

static char *apply(const char *text, const struct broken *b)
{
	const char *at = strstr(text, b->from);
	if (!at) {
		fprintf(stderr, "broken '%s': '%s' not found\n", b->why, b->from);
		abort();
	}
	const char *rest = at + strlen(b->from);
	if (b->until) {
		rest = strstr(at, b->until);
		if (!rest)
			abort();
		rest += strlen(b->until);
	}
	char *out = NULL;
	if (asprintf(&out, "%.*s%s%s", (int)(at - text), text, b->to, rest) < 0)
		abort();
	return out;
}

static void test_broken(const char *shipped)
{
	for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
		const struct broken *b = &broken[i];
		char *text = apply(shipped, b);
		char *path = NULL;
		if (asprintf(&path, "%s/broken-%02zu.xml", tmpdir, i) < 0)
			abort();
		spit(path, text);
		reg_err *err = NULL;
		reg_catalog *cat = reg_catalog_load(path, schema_dir, &err);
		ok(!cat && err, "%s: refused", b->why);
		is_int(reg_err_exit_code(err), REG_ECONFIG, "%s: a configuration error", b->why);
		char want_item[128] = "";
		if (b->item)
			snprintf(want_item, sizeof want_item, "item '%s': ", b->item);
		long want_line = b->at ? line_of(text, b->at) : 0;
		const reg_err *hit = NULL;
		bool all_located = true;
		for (const reg_err *e = err; e; e = reg_err_next(e)) {
			all_located &= reg_err_file(e) && strcmp(reg_err_file(e), path) == 0 &&
				       reg_err_line(e) > 0 && reg_err_code(e) == REG_ECONFIG;
			if (!hit && strstr(reg_err_message(e), b->want) &&
			    strstr(reg_err_message(e), want_item))
				hit = e;
		}
		ok(all_located, "%s: every problem has the file and a line", b->why);
		if (!ok(hit, "%s: says %s'%s'", b->why, want_item, b->want))
			reg_err_print(err, "#  ", stdout);
		if (hit && want_line)
			is_int(reg_err_line(hit), want_line, "%s: at the offending line", b->why);
		reg_catalog_free(cat);
		reg_err_free(err);
		unlink(path);
		free(path);
		free(text);
	}

	reg_err *err = NULL;
	ok(!reg_catalog_load("/nonexistent/catalog.xml", schema_dir, &err) &&
		   reg_err_exit_code(err) == REG_ECONFIG && reg_err_file(err),
	   "a missing catalog file is a configuration error naming the file");
	reg_err_free(err);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	datadir = strdup(env && *env ? env : REG_SOURCE_DATADIR);
	env = getenv("REG_SOURCE_DIR");
	fixtures = cat_str(env && *env ? env : REG_SOURCE_DATADIR, "/tests/fixtures-catalog");
	schema_dir = cat_str(datadir, "/schemas");
	catalog_path = cat_str(schema_dir, "/catalog.xml");
	reg_xml_init(schema_dir);
	if (!mkdtemp(tmpdir))
		abort();

	reg_err *err = NULL;
	reg_catalog *cat = reg_catalog_load(catalog_path, schema_dir, &err);
	if (!ok(cat && !err, "the shipped catalog loads"))
		reg_err_print(err, "#  ", stdout);
	reg_err_free(err);
	if (cat) {
		test_shipped(cat);
		test_rules(cat);
	}
	reg_catalog_free(cat);
	reg_catalog_free(NULL);

	test_dossier_schema();
	char *shipped = slurp(catalog_path);
	test_broken(shipped);
	free(shipped);

	rmdir(tmpdir);
	reg_xml_cleanup();
	free(datadir);
	free(fixtures);
	free(schema_dir);
	free(catalog_path);
	return tap_done();
}
