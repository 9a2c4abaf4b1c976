/*
 * test_notice — the clerk's notices as the applicant and the departments rely on them: every
 * sheet well-formed SVG at A4 portrait true size with no external references; the authority,
 * the title, the reference number, the date, the stamp, and every value given, in order — long
 * lists and texts whole over several sheets, each numbered, the table header repeated; the
 * legal remedy of a rejection; the 样本 marking of a test authority; the closing block never
 * alone on a sheet without saying （此页无正文）; markup escaped; the same bytes twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regkit-config.h"
#include "notice_samples.h"
#include "seal.h"
#include "sheets.h"
#include "tap.h"
#include "xml.h"

static reg_catalog *cat;

#define MAX_SHEETS 64

/* Make one notice; its sheets parsed in order. */
static size_t make(const struct sample_kind *k, const struct samples *s, xmlDoc **sheets,
		   reg_document **docs, size_t *n)
{
	reg_err *err = NULL;
	*docs = NULL;
	*n = 0;
	if (k->make(s, k->name, docs, n, &err) < 0) {
		diag("%s: %s", k->name, reg_err_message(err));
		reg_err_free(err);
		return 0;
	}
	return sheets_of(*docs, *n, k->name, sheets, MAX_SHEETS);
}

static const struct sample_kind *kind(const char *name)
{
	for (size_t i = 0; i < sizeof sample_kinds / sizeof *sample_kinds; i++)
		if (strcmp(sample_kinds[i].name, name) == 0)
			return &sample_kinds[i];
	printf("Bail out! no sample '%s'\n", name);
	exit(1);
}

/* What every sheet of every notice must be. */
static void check_sheets(const char *name, const reg_document *docs, size_t n, xmlDoc **sheets,
			 size_t ns)
{
	ok(ns == n && ns > 0, "%s: %zu sheet(s), each well-formed XML, named %s.svg, %s-2.svg …",
	   name, ns, name, name);
	bool size = true, refs = true, inside = true, numbered = true, stamp = true;
	char where[300] = "";
	for (size_t i = 0; i < ns; i++) {
		xmlNode *root = xmlDocGetRootElement(sheets[i]);
		char *w = reg_xml_attr(root, "width"), *h = reg_xml_attr(root, "height");
		char *vb = reg_xml_attr(root, "viewBox");
		size &= strcmp((const char *)root->name, "svg") == 0 && root->ns &&
			strcmp((const char *)root->ns->href,
			       "http://www.w3.org/2000/svg") == 0 && w &&
			h && vb && strcmp(w, "210mm") == 0 && strcmp(h, "297mm") == 0 &&
			strcmp(vb, "0 0 210 297") == 0;
		free(w), free(h), free(vb);
		refs &= !memmem(docs[i].data, docs[i].len, "href", 4) &&
			!memmem(docs[i].data, docs[i].len, "url(", 4) &&
			!memmem(docs[i].data, docs[i].len, "<script", 7) &&
			!memmem(docs[i].data, docs[i].len, "<image", 6) &&
			!memmem(docs[i].data, docs[i].len, "<style", 6);
		struct fit f = {20, 190, 8, 290, NULL, 0, ""};
		each_text(root, NULL, check_fit, &f);
		if (f.where[0] && !where[0])
			snprintf(where, sizeof where, "sheet %zu: %s", i + 1, f.where);
		inside &= !f.where[0];
		char want[64];
		snprintf(want, sizeof want, "第%zu页 共%zu页", i + 1, ns);
		numbered &= ns == 1 ? !has_text(&sheets[i], 1, "page-number", "页")
				    : has_text(&sheets[i], 1, "page-number", want);
	}
	stamp = memmem(docs[ns - 1].data, docs[ns - 1].len, "class=\"stamp\"", 13) &&
		has_text(&sheets[ns - 1], 1, "signature", SAMPLE_AUTHORITY);
	ok(size, "%s: every sheet an SVG of A4 portrait at true size", name);
	ok(refs, "%s: no external references, scripts, images or styles", name);
	ok(inside, "%s: every line inside the sheet's margins%s%s", name, where[0] ? ": " : "",
	   where);
	ok(numbered, "%s: %s", name, ns > 1 ? "every sheet says 第i页 共N页" : "one sheet, unnumbered");
	ok(stamp, "%s: closed by the authority under its stamp", name);
	ok(has_text(sheets, 1, "authority-head", SAMPLE_AUTHORITY), "%s: headed by the authority",
	   name);
	bool running = true;
	for (size_t i = 1; i < ns; i++)
		running &= has_text(&sheets[i], 1, "running-head", "（续）");
	ok(running, "%s: every later sheet repeats the title and the reference", name);
}

/* Texts of class cls over the sheets, joined, against what was given. */
static void check_class(const char *name, xmlDoc **sheets, size_t ns, const char *cls,
			const char *want)
{
	char *got = texts(sheets, ns, cls, NULL);
	ok(strcmp(got, want) == 0, "%s: %s printed whole, in order (%zu of %zu bytes)", name, cls,
	   strlen(got), strlen(want));
	free(got);
}

/* The values of one column of a table, joined as the table prints them. */
static char *column(const char *const *values, size_t n, size_t stride)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(*(const char *const *)((const char *)values + i * stride));
	char *s = calloc(1, len);
	for (size_t i = 0; i < n; i++)
		strcat(s, *(const char *const *)((const char *)values + i * stride));
	return s;
}

/* A column of a table printed whole: the string field at first_field of n structs stride
 * bytes apart. */
static void check_column(const char *name, xmlDoc **sheets, size_t ns, const char *cls,
			 const char *const *first_field, size_t n, size_t stride)
{
	char *want = column(first_field, n, stride);
	check_class(name, sheets, ns, cls, want);
	free(want);
}

static char *joined_list(const char *const *parts, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 3;
	char *s = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, "；");
		strcat(s, parts[i]);
	}
	return s;
}

static void test_kinds(bool longer)
{
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), false, longer);
	for (size_t k = 0; k < sizeof sample_kinds / sizeof *sample_kinds; k++) {
		xmlDoc *sheets[MAX_SHEETS];
		reg_document *docs;
		size_t n, ns = make(&sample_kinds[k], &s, sheets, &docs, &n);
		char name[64];
		snprintf(name, sizeof name, "%s%s", sample_kinds[k].name, longer ? " (long)" : "");
		if (ns)
			check_sheets(name, docs, n, sheets, ns);
		else
			ok(0, "%s: made", name);
		if (longer && ns)
			ok(ns > 1, "%s: the long version runs over %zu sheets", name, ns);
		free_sheets(sheets, ns);
		reg_documents_free(docs, n);
	}
	sample_free(&s);
}

/* Every value of each notice where the notice says it. */
static void test_values(void)
{
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), false, true);
	xmlDoc *sh[MAX_SHEETS];
	reg_document *docs;
	size_t n, ns;

	/* 受理通知书 */
	const reg_acceptance_notice *a = &s.acceptance;
	ns = make(kind("acceptance"), &s, sh, &docs, &n);
	check_class("acceptance", sh, ns, "title", "受理通知书");
	bool referenced = ns > 0;
	for (size_t i = 0; i < ns; i++)
		referenced &= has_text(&sh[i], 1, "reference", a->head.reference);
	ok(referenced, "acceptance: the reference number on every sheet");
	check_class("acceptance", sh, ns, "number", a->number);
	check_class("acceptance", sh, ns, "enterprise", a->enterprise);
	check_class("acceptance", sh, ns, "person", a->legal_rep);
	check_class("acceptance", sh, ns, "accepted-at", a->accepted_at);
	check_class("acceptance", sh, ns, "window", a->window);
	check_class("acceptance", sh, ns, "clerk", a->clerk);
	ok(has_text(sh, ns, "label", "法定代表人"), "acceptance: the legal representative's label");
	check_column("acceptance", sh, ns, "item", &a->items[0].name, a->n_items, sizeof *a->items);
	check_column("acceptance", sh, ns, "department", &a->items[0].department, a->n_items,
		     sizeof *a->items);
	check_column("acceptance", sh, ns, "due", &a->items[0].due, a->n_items, sizeof *a->items);
	check_column("acceptance", sh, ns, "material", &a->commitments[0].material,
		     a->n_commitments,
		     sizeof *a->commitments);
	check_column("acceptance", sh, ns, "material-due", &a->commitments[0].due, a->n_commitments,
		     sizeof *a->commitments);
	bool headed = ns > 1;
	for (size_t i = 0; i < ns; i++) {
		char *m = texts(&sh[i], 1, "material", NULL);
		headed &= !*m || has_text(&sh[i], 1, "th", "容缺材料");
		free(m);
	}
	ok(headed, "acceptance: the header row on every sheet the commitments' table reaches");
	ok(has_text(sh, ns, "next", "一次领取营业执照"), "acceptance: what happens next");
	ok(has_text(sh, ns, "contact", "0473-3921234"), "acceptance: the contact");
	ok(has_text(sh, ns, "date", "2026年11月23日"), "acceptance: the date");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);

	/* 一次性告知书: a supplement, and a refusal at the window */
	ns = make(kind("onetime-supplement"), &s, sh, &docs, &n);
	check_class("supplement", sh, ns, "subtitle", "（补正材料）");
	const reg_onetime_notice *o = &s.supplement;
	char *reasons = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&reasons, &len);
	for (size_t i = 0; i < o->n_problems; i++) {
		char *j = joined_list(o->problems[i].reasons, o->problems[i].n_reasons);
		fputs(j, fp);
		free(j);
	}
	fclose(fp);
	check_class("supplement", sh, ns, "reasons", reasons);
	free(reasons);
	check_column("supplement", sh, ns, "department", &o->problems[0].department, o->n_problems,
		     sizeof *o->problems);
	ok(has_text(sh, ns, "bring", "载明面积的回收场地证明原件"), "supplement: what to bring");
	ok(has_text(sh, ns, "instruction", o->where) && has_text(sh, ns, "instruction", o->due),
	   "supplement: where and by when");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);
	ns = make(kind("onetime-refusal"), &s, sh, &docs, &n);
	check_class("refusal", sh, ns, "subtitle", "（不予受理）");
	check_column("refusal", sh, ns, "subject", &s.refusal.problems[0].subject,
		     s.refusal.n_problems,
		     sizeof *s.refusal.problems);
	ok(has_text(sh, ns, "reasons", "乌海市海勃湾区") &&
	   has_text(sh, ns, "reasons", "校验位不正确"), "refusal: each problem's message");
	ok(has_text(sh, ns, "body", "不予受理") && has_text(sh, ns, "instruction", "全部问题"),
	   "refusal: says nothing was accepted and that these are all the problems");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);

	/* 不予登记通知书 */
	ns = make(kind("rejection"), &s, sh, &docs, &n);
	const reg_rejection_notice *r = &s.rejection;
	check_column("rejection", sh, ns, "item", &r->items[0].item, r->n_items, sizeof *r->items);
	fp = open_memstream(&reasons, &len);
	for (size_t i = 0; i < r->n_items; i++)
		fputs(r->items[i].reasons[0], fp);
	fclose(fp);
	check_class("rejection", sh, ns, "reasons", reasons);
	free(reasons);
	char *remedy = texts(sh, ns, "remedy", NULL);
	ok(strstr(remedy, "60日内向乌海市海勃湾区人民政府申请行政复议") &&
	   strstr(remedy, "6个月内向乌海市海勃湾区人民法院提起行政诉讼"),
	   "rejection: the remedies, review within 60 days and suit within 6 months");
	free(remedy);
	free_sheets(sh, ns);
	reg_documents_free(docs, n);

	/* 三单一函 */
	static const char *const slips[] = {"slip-reminder", "slip-urging", "slip-supervision",
					    "slip-transfer"};
	static const char *const titles[] = {"提醒单", "催办单", "督办单", "移交函"};
	for (size_t k = 0; k < 4; k++) {
		const reg_slip_notice *sl = &s.slips[k];
		ns = make(kind(slips[k]), &s, sh, &docs, &n);
		check_class(slips[k], sh, ns, "title", titles[k]);
		check_class(slips[k], sh, ns, "addressee", k == 3 ? "乌海市海勃湾区人民政府督查室："
								  : "乌海市海勃湾区税务局：");
		check_class(slips[k], sh, ns, "department", sl->department);
		check_class(slips[k], sh, ns, "number", sl->number);
		check_class(slips[k], sh, ns, "enterprise", sl->enterprise);
		check_class(slips[k], sh, ns, "item", sl->item);
		check_class(slips[k], sh, ns, "accepted-at", sl->accepted_at);
		check_class(slips[k], sh, ns, "deadline", sl->deadline);
		check_class(slips[k], sh, ns, "elapsed", sl->elapsed);
		check_class(slips[k], sh, ns, "request", sl->request);
		free_sheets(sh, ns);
		reg_documents_free(docs, n);
	}

	/* 承诺逾期通知书 */
	ns = make(kind("overdue"), &s, sh, &docs, &n);
	const reg_overdue_notice *ov = &s.overdue;
	check_column("overdue", sh, ns, "material", &ov->items[0].material, ov->n_items,
		     sizeof *ov->items);
	check_column("overdue", sh, ns, "promised", &ov->items[0].promised, ov->n_items,
		     sizeof *ov->items);
	char *days = texts(sh, ns, "days", NULL);
	ok(strncmp(days, "8日5日8日", strlen("8日5日8日")) == 0, "overdue: days overdue per material");
	free(days);
	ok(has_text(sh, ns, "consequence", "记入企业信用记录"), "overdue: what follows");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);
	sample_free(&s);
}

/* The slips' standard wording, and a form's label on the receipt. */
static void test_wording(void)
{
	struct samples s;
	sample_fill(&s, NULL, false, false);
	static const char *const asks[] = {"请在承诺时限届满前办结", "请立即办理", "现予督办",
					   "现将有关情况移交你单位"};
	for (size_t k = 0; k < 4; k++) {
		xmlDoc *sh[MAX_SHEETS];
		reg_document *docs;
		size_t n, ns = make(&sample_kinds[4 + k], &s, sh, &docs, &n);
		ok(has_text(sh, ns, "request", asks[k]), "%s: the standard request (%s…)",
		   sample_kinds[4 + k].name, asks[k]);
		ok(ns && !memmem(docs[0].data, docs[0].len, "class=\"stamp\"", 13),
		   "%s: no stamp without a seal type", sample_kinds[4 + k].name);
		free_sheets(sh, ns);
		reg_documents_free(docs, n);
	}
	s.acceptance.form = "partnership";
	xmlDoc *sh[MAX_SHEETS];
	reg_document *docs;
	size_t n, ns = make(kind("acceptance"), &s, sh, &docs, &n);
	ok(has_text(sh, ns, "label", "执行事务合伙人"), "acceptance: a partnership's 执行事务合伙人");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);
	sample_free(&s);
}

static bool turned_sample(xmlNode *t, const char *content, void *ctx)
{
	char *tr = reg_xml_attr(t, "transform");
	if (strstr(content, "样本") && tr && strncmp(tr, "rotate(-", 8) == 0)
		*(bool *)ctx = true;
	free(tr);
	return true;
}

static void test_sample(void)
{
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), true, true);
	for (size_t k = 0; k < sizeof sample_kinds / sizeof *sample_kinds; k++) {
		xmlDoc *sh[MAX_SHEETS];
		reg_document *docs;
		size_t n, ns = make(&sample_kinds[k], &s, sh, &docs, &n);
		bool marked = ns > 0;
		for (size_t i = 0; i < ns; i++) {
			bool turned = false;
			each_text(xmlDocGetRootElement(sh[i]), "sample", turned_sample, &turned);
			marked &= turned && has_text(&sh[i], 1, "sample-line",
						     REG_PAGE_SAMPLE_LINE);
		}
		ok(marked, "%s of a test authority: 样本 across every sheet, and the line saying why",
		   sample_kinds[k].name);
		ok(ns && memmem(docs[ns - 1].data, docs[ns - 1].len, "样本 TEST", strlen("样本 TEST")),
		   "%s of a test authority: its stamp says 样本 TEST", sample_kinds[k].name);
		free_sheets(sh, ns);
		reg_documents_free(docs, n);
	}
	sample_free(&s);
}

/* Body classes: what makes a sheet carry text of the notice itself. */
static bool body_text(xmlNode *t, const char *content, void *ctx)
{
	(void)content;
	static const char *const frame[] = {"running-head", "reference", "page-number", "signature",
					    "date", "no-text", "sample", "sample-line", NULL};
	char *cls = reg_xml_attr(t, "class");
	bool is_frame = false;
	for (size_t i = 0; cls && frame[i]; i++)
		is_frame |= strcmp(cls, frame[i]) == 0;
	if (!is_frame)
		*(bool *)ctx = true;
	free(cls);
	return true;
}

/* Over requests of every length from 0 to 2000 characters, the closing block never stands on
 * a sheet without text of the notice unless that sheet says （此页无正文）, and the sheet
 * count grows with the text. */
static void test_no_text(void)
{
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), false, false);
	size_t bad = 0, said = 0, first = 0;
	for (size_t chars = 0; chars <= 2000; chars += 10) {
		char *request = long_text("该事项经提醒、催办仍未办结，请立即办结并书面说明原因。", chars);
		reg_slip_notice slip = s.slips[REG_SLIP_SUPERVISION];
		slip.request = chars ? request : NULL;
		reg_document *docs = NULL;
		size_t n = 0;
		reg_err *err = NULL;
		xmlDoc *sh[MAX_SHEETS];
		size_t ns = reg_notice_slip(&slip, NULL, &docs, &n, &err) == 0
				    ? sheets_of(docs, n, "slip", sh, MAX_SHEETS)
				    : 0;
		bool text = false;
		if (ns)
			each_text(xmlDocGetRootElement(sh[ns - 1]), NULL, body_text, &text);
		bool no_text = ns && has_text(&sh[ns - 1], 1, "no-text", "（此页无正文）");
		said += no_text;
		char *printed = texts(sh, ns, "request", NULL);
		bool whole = chars ? strcmp(printed, request) == 0 : strstr(printed,
									    "现予督办") != NULL;
		free(printed);
		if (!ns || (!text && !no_text) || (text && no_text) || !whole) {
			if (!bad++)
				first = chars;
		}
		free_sheets(sh, ns);
		reg_documents_free(docs, n);
		reg_err_free(err);
		free(request);
	}
	sample_free(&s);
	ok(bad == 0, "every request length: printed whole, the closing block with text of the "
	   "notice or on a sheet that says （此页无正文） (%zu of 201 needed it)%s", said,
	   bad ? "" : "");
	if (bad)
		diag("first failure at %zu characters", first);
}

static void test_escaped_and_same(void)
{
	struct samples s;
	sample_fill(&s, reg_catalog_find_seal(cat, "official"), false, false);
	s.acceptance.enterprise = "乌海<&>\"'商贸有限公司";
	xmlDoc *sh[MAX_SHEETS];
	reg_document *docs, *again;
	size_t n, n2, ns = make(kind("acceptance"), &s, sh, &docs, &n);
	check_class("acceptance", sh, ns, "enterprise", "乌海<&>\"'商贸有限公司");
	reg_err *err = NULL;
	bool same = reg_notice_acceptance(&s.acceptance, "acceptance", &again, &n2, &err) == 0 &&
		    n == n2;
	for (size_t i = 0; same && i < n; i++)
		same = docs[i].len == again[i].len &&
		       memcmp(docs[i].data, again[i].data, docs[i].len) == 0 &&
		       strcmp(docs[i].path, again[i].path) == 0;
	ok(same, "the same notice gives the same bytes");
	reg_documents_free(again, n2);
	reg_err_free(err);
	ok(ns && memmem(docs[0].data, docs[0].len, REG_FONT_SONG, strlen(REG_FONT_SONG)),
	   "printed in the font list of docs/seals.md");
	free_sheets(sh, ns);
	reg_documents_free(docs, n);
	sample_free(&s);
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
	test_kinds(false);
	test_kinds(true);
	test_values();
	test_wording();
	test_sample();
	test_no_text();
	test_escaped_and_same();
	reg_catalog_free(cat);
	free(schemas);
	free(path);
	reg_xml_cleanup();
	return tap_done();
}
