/*
 * test_license — the printed license as the enterprise relies on it: every value printed whole
 * (never cut with "…"), in smaller type when long and on continuation pages (续页) when even the
 * smallest type does not hold it — tested with the longest name, address, scope and person the
 * window accepts —, the labels of the legal form (法定代表人 / 投资人 / 执行事务合伙人, 注册资本 /
 * 出资额) on license.svg and in license.xml, the 样本 marking of a test authority on every page,
 * and the same bytes for the same input.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regkit-config.h"
#include "license.h"
#include "longtext.h"
#include "names.h"
#include "seal.h"
#include "sheets.h"
#include "tap.h"
#include "xml.h"

#define USCC "91150302MA0000015Y"
#define NAME "乌海市恒泰商贸有限公司"
#define ADDRESS "乌海市海勃湾区新华大街18号"
#define SCOPE "日用百货销售；五金产品零售；家用电器销售；文具用品零售"
#define SAMPLE_LINE "测试登记机关 — 样本，不具法律效力"

static reg_catalog *cat;
static reg_authority *auth;
static char *datadir;

/* ---- making a license ------------------------------------------------------------------------ */

struct enterprise {
	const char *name, *form, *capital, *address, *scope, *person;
};

static const struct enterprise hengtai = {NAME, "llc", "1000000.00", ADDRESS, SCOPE, "张伟"};

static char *xml_escaped(const char *s)
{
	xmlChar *e = xmlEncodeSpecialChars(NULL, BAD_CAST s);
	char *out = strdup((const char *)e);
	xmlFree(e);
	return out;
}

/* The documents of one issuance of `e`, or NULL (the error diagnosed). */
static reg_document *license_of(const struct enterprise *e, bool test_authority, size_t *n)
{
	char *name = xml_escaped(e->name), *address = xml_escaped(e->address);
	char *scope = xml_escaped(e->scope), *person = xml_escaped(e->person), *xml = NULL;
	if (asprintf(&xml,
		     "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"approved\">\n"
		     "  <enterprise><name>%s</name><form>%s</form><capital>%s</capital>\n"
		     "    <address division=\"150302\">%s</address>\n"
		     "    <scope industry=\"F5211\">%s</scope>\n"
		     "    <legal-representative><name>%s</name></legal-representative>\n"
		     "  </enterprise>\n"
		     "  <acceptance number=\"150302-20261123-000001\" window=\"01\" clerk=\"王芳\"\n"
		     "    time=\"2026-11-23T09:00:00+08:00\" authority=\"150302\"/>\n"
		     "</dossier>\n",
		     name, e->form, e->capital, address, scope, person) < 0)
		abort();
	free(name), free(address), free(scope), free(person);
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(xml, strlen(xml), "dossier.xml", &err);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, "dossier.xml", 1, &err) : NULL;
	free(xml);
	reg_document *docs = NULL;
	reg_license_input in = {.catalog = cat, .authority = auth, .dossier = d, .uscc = USCC,
				.issued_at = 1795395600, .test_authority = test_authority};
	if (!d || reg_license_documents(&in, &docs, n, &err) < 0) {
		diag("license: %s", reg_err_message(err));
		docs = NULL;
		*n = 0;
	}
	reg_err_free(err);
	reg_dossier_free(d);
	return docs;
}

static const char *const value_classes[] = {"name", "form", "person", "capital", "date",
					    "address", "scope", NULL};

/* The inner frame of the license: 11 to 286 mm across, 11 to 199 mm down. */
static struct fit frame(void)
{
	return (struct fit){11, 286, 11, 199, value_classes, INFINITY, ""};
}

/* ---- the tests ------------------------------------------------------------------------------- */

static void test_ordinary(void)
{
	size_t n = 0;
	reg_document *docs = license_of(&hengtai, false, &n);
	xmlDoc *pages[8];
	size_t np = docs ? sheets_of(docs, n, "license", pages, 8) : 0;
	if (!ok(np == 1, "an ordinary license is one page")) {
		free_sheets(pages, np);
		reg_documents_free(docs, n);
		return;
	}
	is_int(n, 2 + reg_catalog_item_count(cat), "license.xml, license.svg and %zu records",
	       reg_catalog_item_count(cat));
	xmlNode *root = xmlDocGetRootElement(pages[0]);
	char *w = reg_xml_attr(root, "width"), *h = reg_xml_attr(root, "height");
	is_str(w, "297mm", "A4 landscape, 297 mm wide");
	is_str(h, "210mm", "and 210 mm high");
	free(w), free(h);
	static const struct {
		const char *cls, *want;
	} values[] = {
		{"name", NAME}, {"form", "有限责任公司"}, {"person", "张伟"},
		{"capital", "人民币壹佰万元整"}, {"date", "2026年11月23日"}, {"address", ADDRESS},
		{"scope", SCOPE}, {"uscc", USCC},
	};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		size_t count = 0;
		char *got = texts(pages, np, values[i].cls, &count);
		is_str(got, values[i].want, "%s: printed as it stands", values[i].cls);
		if (strcmp(values[i].cls, "uscc") != 0)
			is_int(count, 1, "%s: on one line", values[i].cls);
		free(got);
	}
	struct fit f = frame();
	each_text(root, NULL, check_fit, &f);
	ok(f.min_size == 5, "short values keep the full 5 mm type (smallest %.2f)", f.min_size);
	ok(!f.where[0], "every line inside the frame%s%s", f.where[0] ? ": " : "", f.where);
	ok(!has_text(pages, np, NULL, "…"), "nothing is cut short");
	ok(!has_text(pages, np, NULL, "续页"), "no continuation");
	ok(!has_text(pages, np, "sample", "样本") && !has_text(pages, np, "sample-line", "样本"),
	   "a real authority's license carries no 样本 mark");
	free_sheets(pages, np);

	size_t n2 = 0;
	reg_document *again = license_of(&hengtai, false, &n2);
	bool same = again && n2 == n;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(docs[i].path, again[i].path) == 0 && docs[i].len == again[i].len &&
		       memcmp(docs[i].data, again[i].data, docs[i].len) == 0;
	ok(same, "the same input gives the same bytes");
	reg_documents_free(again, n2);
	reg_documents_free(docs, n);
}

/* maxLength of a simple type of schemas/dossier.xsd. */
static size_t schema_max(const char *type)
{
	char *path = NULL, *xsd = NULL, pattern[128];
	size_t len = 0, max = 0;
	if (asprintf(&path, "%s/schemas/dossier.xsd", datadir) < 0)
		abort();
	FILE *fp = fopen(path, "r");
	if (fp && reg_read_all(fp, path, 1 << 20, &xsd, &len, NULL) == 0) {
		snprintf(pattern, sizeof pattern, "name=\"%s\"", type);
		const char *at = strstr(xsd, pattern);
		const char *m = at ? strstr(at, "maxLength value=\"") : NULL;
		if (m)
			max = strtoul(m + strlen("maxLength value=\""), NULL, 10);
	}
	if (fp)
		fclose(fp);
	free(xsd);
	free(path);
	return max;
}

static size_t chars_of(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void test_longest(void)
{
	size_t scope_max = schema_max("scope-text"), address_max = schema_max("address-text");
	size_t name_max = schema_max("enterprise-name");
	ok(scope_max >= 4000 && address_max >= 200 && name_max == REG_NAME_MAX_CHARS,
	   "the schema's longest scope %zu, address %zu, name %zu characters", scope_max,
	   address_max, name_max);
	char *scope = long_text("日用百货销售；五金产品零售；家用电器销售；货物进出口（依法须经批准的项目，"
			       "经相关部门批准后方可开展经营活动）；", scope_max);
	char *address = long_text("乌海市海勃湾区新华大街18号恒泰商贸大厦B座1201室", address_max);
	char *name = long_text("内蒙古自治区乌海市海勃湾区恒泰昌商贸物流信息咨询服务餐饮娱乐管理科技开发"
			      "建筑工程环保能源农牧业", name_max - 4);
	char *full_name = NULL;
	if (asprintf(&full_name, "%s有限公司", name) < 0)
		abort();
	struct enterprise e = {full_name, "llc", "123456789012.34", address, scope,
			       "阿卜杜热合曼·买买提明·艾则孜江·阿不都克力木·吐尔洪阿吉江"};
	size_t n = 0;
	reg_document *docs = license_of(&e, false, &n);
	xmlDoc *pages[16];
	size_t np = docs ? sheets_of(docs, n, "license", pages, 16) : 0;
	ok(np >= 2, "the longest values need continuation pages: %zu pages", np);
	is_int(n, 1 + np + reg_catalog_item_count(cat), "license.xml, %zu pages, %zu records", np,
	       reg_catalog_item_count(cat));
	static const char *const classes[] = {"name", "person", "address", "scope"};
	const char *const wants[] = {full_name, e.person, address, scope};
	for (size_t i = 0; i < 4; i++) {
		char *got = texts(pages, np, classes[i], NULL);
		ok(strcmp(got, wants[i]) == 0, "%s: all %zu characters printed, in order (got %zu)",
		   classes[i], chars_of(wants[i]), chars_of(got));
		free(got);
	}
	ok(!has_text(pages, np, NULL, "…"), "nothing is cut short");
	bool sizes = true, frames = true, numbered = true, headed = true;
	for (size_t i = 0; i < np; i++) {
		xmlNode *root = xmlDocGetRootElement(pages[i]);
		char *w = reg_xml_attr(root, "width"), *h = reg_xml_attr(root, "height");
		char *vb = reg_xml_attr(root, "viewBox");
		frames &= w && h && vb && strcmp(w, "297mm") == 0 && strcmp(h, "210mm") == 0 &&
			  strcmp(vb, "0 0 297 210") == 0;
		free(w), free(h), free(vb);
		struct fit f = frame();
		each_text(root, NULL, check_fit, &f);
		if (f.min_size < 2.5 || f.where[0]) {
			diag("page %zu: smallest value %.2f mm; %s", i + 1, f.min_size, f.where);
			sizes = false;
		}
		char want[64];
		snprintf(want, sizeof want, "第%zu页 共%zu页", i + 1, np);
		numbered &= has_text(&pages[i], 1, "page-number", want);
		headed &= i == 0 || (has_text(&pages[i], 1, "title", "续页") &&
				     has_text(&pages[i], 1, "uscc", USCC));
	}
	ok(frames, "every page is an A4 landscape page of its own");
	ok(sizes, "every value at 2.5 mm or more, every line inside the frame");
	ok(numbered, "every page says 第i页 共N页");
	ok(headed, "every continuation page is headed 续页 with the USCC");
	ok(has_text(pages, 1, "more", "续页"), "page 1 says where the rest continues");
	const reg_document *xml = document(docs, n, "license.xml");
	ok(xml && memmem(xml->data, xml->len, scope, strlen(scope)),
	   "license.xml holds the whole scope");
	free_sheets(pages, np);
	reg_documents_free(docs, n);
	free(scope), free(address), free(name), free(full_name);
}

static void test_forms(void)
{
	static const struct {
		const char *form, *name, *person_label, *capital_label, *type;
	} forms[] = {
		{"llc", NAME, "法定代表人", "注册资本", "有限责任公司"},
		{"jsc", "乌海市恒泰商贸股份有限公司", "法定代表人", "注册资本", "股份有限公司"},
		{"sole", "乌海市海勃湾区恒泰商行", "投资人", "出资额", "个人独资企业"},
		{"partnership", "乌海市恒泰商贸中心（有限合伙）", "执行事务合伙人", "出资额", "合伙企业"},
	};
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		struct enterprise e = hengtai;
		e.form = forms[i].form;
		e.name = forms[i].name;
		size_t n = 0;
		reg_document *docs = license_of(&e, false, &n);
		xmlDoc *pages[4];
		size_t np = docs ? sheets_of(docs, n, "license", pages, 4) : 0;
		char *labels = texts(pages, np, "label", NULL), *type = texts(pages, np, "form",
									      NULL);
		ok(strstr(labels, forms[i].person_label) && strstr(labels, forms[i].capital_label),
		   "%s: license.svg says %s and %s", forms[i].form, forms[i].person_label,
		   forms[i].capital_label);
		ok(strcmp(forms[i].person_label, "法定代表人") == 0 || !strstr(labels, "法定代表人"),
		   "%s: and not 法定代表人", forms[i].form);
		is_str(type, forms[i].type, "%s: type %s", forms[i].form, forms[i].type);
		free(labels), free(type);
		const reg_document *x = document(docs, n, "license.xml");
		char want_person[128], want_capital[128];
		snprintf(want_person, sizeof want_person, "<legal-representative label=\"%s\">",
			 forms[i].person_label);
		snprintf(want_capital, sizeof want_capital, "label=\"%s\"", forms[i].capital_label);
		ok(x && memmem(x->data, x->len, want_person, strlen(want_person)) &&
		   memmem(x->data, x->len, want_capital, strlen(want_capital)),
		   "%s: license.xml labels its elements the same way", forms[i].form);
		free_sheets(pages, np);
		reg_documents_free(docs, n);
	}
}

static bool sample_turned(xmlNode *t, const char *content, void *ctx)
{
	char *tr = reg_xml_attr(t, "transform");
	if (strstr(content, "样本") && tr && strncmp(tr, "rotate(-", 8) == 0)
		*(bool *)ctx = true;
	free(tr);
	return true;
}

static void test_sample(void)
{
	struct enterprise e = hengtai;
	char *scope = long_text("日用百货销售；", 2000);
	e.scope = scope;
	size_t n = 0;
	reg_document *docs = license_of(&e, true, &n);
	xmlDoc *pages[8];
	size_t np = docs ? sheets_of(docs, n, "license", pages, 8) : 0;
	ok(np >= 2, "a test authority's long license: %zu pages", np);
	bool marked = np > 0;
	for (size_t i = 0; i < np; i++) {
		bool turned = false;
		each_text(xmlDocGetRootElement(pages[i]), "sample", sample_turned, &turned);
		marked &= turned && has_text(&pages[i], 1, "sample-line", SAMPLE_LINE);
	}
	ok(marked, "every page: 样本 across it and the line '" SAMPLE_LINE "'");
	const reg_document *p1 = document(docs, n, "license.svg");
	ok(p1 && memmem(p1->data, p1->len, "class=\"test-authority\"", 22),
	   "the authority's stamp is marked as well");
	free_sheets(pages, np);
	reg_documents_free(docs, n);
	free(scope);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	char *schemas = NULL, *path = NULL, *apath = NULL;
	datadir = strdup(env && *env ? env : REG_SOURCE_DATADIR);
	if (!datadir || asprintf(&schemas, "%s/schemas", datadir) < 0 ||
	    asprintf(&path, "%s/catalog.xml", schemas) < 0 ||
	    asprintf(&apath, "%s/fixtures/authority/authority.xml", datadir) < 0)
		abort();
	reg_xml_init(schemas);
	reg_err *err = NULL;
	cat = reg_catalog_load(path, schemas, &err);
	auth = cat ? reg_authority_load(apath, &err) : NULL;
	if (!cat || !auth) {
		reg_err_print(err, "Bail out! catalog or authority", stdout);
		return 1;
	}
	test_ordinary();
	test_longest();
	test_forms();
	test_sample();
	reg_authority_free(auth);
	reg_catalog_free(cat);
	free(datadir);
	free(schemas);
	free(path);
	free(apath);
	reg_xml_cleanup();
	return tap_done();
}
