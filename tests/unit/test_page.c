/*
 * test_page — printed sheets as the license and the notices rely on them: widths estimated
 * conservatively, lines broken between characters but never before closing or after opening
 * punctuation nor inside an ASCII word, a box that shrinks its text and says where the rest
 * went, text flowing onto numbered sheets of their own (NAME.svg, NAME-2.svg …), the 样本
 * marking, numbers written without the locale.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regkit-config.h"
#include "page.h"
#include "seal.h"
#include "sheets.h"
#include "tap.h"
#include "xml.h"

#define SVG_NS "http://www.w3.org/2000/svg"

static reg_catalog *cat;

static void is_line(const char *text, double width, const char *want, const char *why)
{
	size_t len = reg_text_line(text, width);
	char got[256];
	snprintf(got, sizeof got, "%.*s", (int)len, text);
	is_str(got, want, "%s", why);
}

static void test_lines(void)
{
	ok(reg_text_em("恒泰", strlen("恒泰")) == 2 && reg_text_em("AB", 2) == 1.2 &&
	   reg_text_em(" ", 1) == 0.35 && reg_text_em("恒泰", 3) == 1,
	   "widths: an ideograph 1 em, ASCII 0.6, a space 0.35, counted over the bytes given");
	is_line("一二三四五六七", 5, "一二三四五", "five characters on a line of 5 em");
	is_line("一二三四五，六", 5, "一二三四", "a line never begins with ，: 五 goes with it");
	is_line("一二三四五）；六", 5, "一二三四", "nor with a run of closing punctuation");
	is_line("一二三四（五六", 5, "一二三四", "a line never ends with （");
	is_line("一二三13:30四", 5, "一二三", "13:30 is not split");
	is_line("ABCDEFGHIJ", 3, "ABCDE", "an ASCII word longer than the line fills it");
	is_line("一", 0.5, "一", "a character wider than the line stands alone");
	is_line("", 5, "", "an empty text has an empty line");
	is_line("一二", 5, "一二", "what fits is the whole");
	is_str(reg_text_skip_spaces("  \u3000x"), "x",
	       "spaces and U+3000 dropped at a line's start");
	is_int(reg_text_lines("一二三四五六七八九十", 4, 2), 3,
	       "ten characters, 4 em, the first line indented 2: 2 + 4 + 4");
	/* Every piece together is the text: nothing lost at the breaks (no spaces in it). */
	const char *text = "乌海市海勃湾区新华大街18号恒泰商贸大厦B座1201室（临街商铺）；";
	char joined[512] = "";
	for (const char *p = text; *p;) {
		size_t len = reg_text_line(p, 7);
		strncat(joined, p, len);
		p = reg_text_skip_spaces(p + len);
	}
	is_str(joined, text, "the lines of a text join to the text");
}

static int no_frame(reg_pages *d, size_t index, void *ctx, reg_err **errp)
{
	(void)index, (void)ctx, (void)errp;
	reg_pages_body(d, 20, 270);
	return 0;
}

static bool widest(xmlNode *t, const char *content, void *ctx)
{
	double *w = ctx, width = em_of(content) * attr_num(t, "font-size");
	if (width > *w)
		*w = width;
	return true;
}

static void test_box(void)
{
	static const struct {
		size_t chars;
		double size;
		bool all;
	} cases[] = {
		{10, 5, true},
		/* 20 a line at 5 mm would do, but the ；s that may not begin a line push it onto
		 * a 4th: 3 lines of 21 at 4.75 mm */
		{60, 4.75, true},
		{200, 2.5, true},
		{1000, 2.5, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		reg_pages *d = reg_pages_new(REG_PAGE_A4_PORTRAIT, "box", "box", no_frame, NULL);
		reg_err *err = NULL;
		reg_pages_set_leading(d, 1.3);
		reg_pages_add(d, &err);
		char *text = calloc(1, cases[i].chars * 3 + 1);
		for (size_t k = 0; k < cases[i].chars; k++)
			strcat(text, k % 7 == 6 ? "；" : "恒");
		size_t used = reg_pages_box(d, "v", 10, 10, 100, 20, 5, 2.5, text, "（见续页）");
		reg_document *docs = NULL;
		size_t n = 0;
		reg_pages_finish(d, NULL, &docs, &n, &err);
		xmlDoc *sheet = NULL;
		size_t ns = docs ? sheets_of(docs, n, "box", &sheet, 1) : 0;
		xmlNode *first = NULL;
		double w = 0;
		if (ns) {
			each_text(xmlDocGetRootElement(sheet), "v", widest, &w);
			char *v = texts(&sheet, 1, "v", NULL);
			xmlNode *g = reg_xml_child(xmlDocGetRootElement(sheet), SVG_NS, "g");
			first = g ? reg_xml_child(g, SVG_NS, "text") : NULL;
			ok(strncmp(v, text, strlen(v)) == 0 && strlen(v) == used,
			   "%zu characters: the lines in the box are its first %zu bytes",
			   cases[i].chars, used);
			free(v);
		}
		double size = first ? attr_num(first, "font-size") : 0;
		ok(size == cases[i].size, "%zu characters: set in %.2f mm (want %.2f)",
		   cases[i].chars,
		   size, cases[i].size);
		ok((used == strlen(text)) == cases[i].all, "%zu characters: %s", cases[i].chars,
		   cases[i].all ? "all in the box" : "the rest left to the caller");
		ok(w <= 100 + 1e-9, "%zu characters: no line wider than the box (%.2f mm)",
		   cases[i].chars, w);
		if (!cases[i].all)
			ok(ns && has_text(&sheet, 1, "more", "（见续页）"),
			   "an overflowing box says where the rest is");
		free_sheets(&sheet, ns);
		reg_documents_free(docs, n);
		free(text);
		reg_pages_free(d);
		reg_err_free(err);
	}
}

static void test_flow(void)
{
	reg_pages *d = reg_pages_new(REG_PAGE_A4_PORTRAIT, "flow", "流", no_frame, NULL);
	reg_err *err = NULL;
	reg_pages_mark_sample(d, 14);
	char *text = calloc(1, 3 * 3000 + 1);
	for (int k = 0; k < 3000; k++)
		strcat(text, "恒");
	ok(reg_pages_paragraph(d, "p", 20, 170, 4, 2, text, &err) == 0, "a long paragraph flows");
	reg_document *docs = NULL;
	size_t n = 0;
	ok(reg_pages_finish(d, "out", &docs, &n, &err) == 0 && n > 1, "over %zu sheets", n);
	bool named = n > 1 && strcmp(docs[0].path, "out/flow.svg") == 0 &&
		     strcmp(docs[1].path, "out/flow-2.svg") == 0;
	ok(named, "named dir/NAME.svg, dir/NAME-2.svg …");
	for (size_t i = 0; i < n; i++) {
		char *p = docs[i].path;
		docs[i].path = strdup(p + 4);
		free(p);
	}
	xmlDoc *sheets[32];
	size_t ns = sheets_of(docs, n, "flow", sheets, 32);
	char *all = texts(sheets, ns, "p", NULL);
	is_str(all, text, "every character printed once, in order");
	bool numbered = ns == n, marked = ns == n, below = true;
	for (size_t i = 0; i < ns; i++) {
		char want[64];
		snprintf(want, sizeof want, "第%zu页 共%zu页", i + 1, ns);
		numbered &= has_text(&sheets[i], 1, "page-number", want);
		marked &= has_text(&sheets[i], 1, "sample", "样本") &&
			  has_text(&sheets[i], 1, "sample-line", REG_PAGE_SAMPLE_LINE);
		struct fit f = {20, 190, 20, 270, NULL, 0, ""};
		each_text(xmlDocGetRootElement(sheets[i]), "p", check_fit, &f);
		below &= !f.where[0];
	}
	ok(numbered, "every sheet says 第i页 共N页");
	ok(marked, "every sheet carries the 样本 marking");
	ok(below, "no line outside the body");
	char *title = ns > 1 ? reg_xml_child_text(xmlDocGetRootElement(sheets[1]), SVG_NS, "title")
			     : NULL;
	is_str(title, "流：第2页", "a later sheet's title says which it is");
	free(title);
	free(all);
	free_sheets(sheets, ns);
	reg_documents_free(docs, n);
	free(text);
	reg_pages_free(d);
	reg_err_free(err);
}

static void test_stamp_and_numbers(void)
{
	reg_pages *d = reg_pages_new(REG_PAGE_A4_LANDSCAPE, "s", "s", NULL, NULL);
	reg_err *err = NULL;
	reg_pages_add(d, &err);
	ok(reg_pages_stamp(d, reg_catalog_find_seal(cat, "official"), "乌海市海勃湾区市场监督管理局",
			   true, 100, 100, &err) == 0, "a stamp is pressed");
	xmlNode *t = reg_pages_text(d, "x", 0.1 + 0.2, 10, 3, REG_PAGE_START, "x");
	(void)t;
	setlocale(LC_NUMERIC, "de_DE.UTF-8");
	reg_pages_text(d, "y", 12.25, 10, 3, REG_PAGE_START, "y");
	setlocale(LC_NUMERIC, "C");
	reg_document *docs = NULL;
	size_t n = 0;
	reg_pages_finish(d, NULL, &docs, &n, &err);
	ok(n == 1 && memmem(docs[0].data, docs[0].len, "width=\"297mm\" height=\"210mm\" "
			    "viewBox=\"0 0 297 210\"", 48),
	   "an A4 landscape sheet at true size");
	ok(n == 1 && memmem(docs[0].data, docs[0].len, "width=\"40\" height=\"40\" "
			    "viewBox=\"0 0 40 40\" class=\"stamp\" x=\"80\" y=\"80\"", 64),
	   "the stamp nested at true size, centred where asked");
	ok(n == 1 && memmem(docs[0].data, docs[0].len, ">样本 TEST<", strlen(">样本 TEST<")),
	   "a test authority's stamp says 样本 TEST");
	ok(n == 1 && memmem(docs[0].data, docs[0].len, "x=\"0.3\"", 7) &&
	   memmem(docs[0].data, docs[0].len, "x=\"12.25\"", 9),
	   "numbers from micrometres, with a decimal point whatever the locale");
	ok(n == 1 && !memmem(docs[0].data, docs[0].len, "page-number", 11),
	   "a single sheet is not numbered");
	reg_documents_free(docs, n);
	reg_pages_free(d);
	reg_err_free(err);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	char *schemas = NULL, *path = NULL;
	if (asprintf(&schemas, "%s/schemas", env && *env ? env : REG_SOURCE_DATADIR) < 0 ||
	    asprintf(&path, "%s/catalog.xml", schemas) < 0)
		abort();
	reg_xml_init(schemas);
	reg_err *err = NULL;
	cat = reg_catalog_load(path, schemas, &err);
	if (!cat) {
		reg_err_print(err, "Bail out! catalog", stdout);
		return 1;
	}
	test_lines();
	test_box();
	test_flow();
	test_stamp_and_numbers();
	reg_catalog_free(cat);
	free(schemas);
	free(path);
	reg_xml_cleanup();
	return tap_done();
}
