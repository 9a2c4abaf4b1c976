#include "license.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decimal.h"
#include "seal.h"
#include "xml.h"

static const struct {
	const char *code, *zh;
} legal_forms[] = {
	{"llc", "有限责任公司"},
	{"jsc", "股份有限公司"},
	{"sole", "个人独资企业"},
	{"partnership", "合伙企业"},
};

const char *reg_legal_form_zh(const char *form)
{
	for (size_t i = 0; form && i < sizeof legal_forms / sizeof *legal_forms; i++)
		if (strcmp(form, legal_forms[i].code) == 0)
			return legal_forms[i].zh;
	return NULL;
}

void reg_documents_free(reg_document *docs, size_t n)
{
	for (size_t i = 0; docs && i < n; i++) {
		free(docs[i].path);
		free(docs[i].data);
	}
	free(docs);
}

/* Everything the documents say, read once from the dossier. */
typedef struct facts {
	char *name, *form, *capital, *division, *address, *scope, *industry, *legal_rep, *number;
	char date[11], when[REG_TIME_ISO_MAX], date_zh[32];
	reg_approval *approvals;
	size_t n_approvals;
} facts;

static void facts_clear(facts *f)
{
	free(f->name), free(f->form), free(f->capital), free(f->division), free(f->address);
	free(f->scope), free(f->industry), free(f->legal_rep), free(f->number);
	reg_approval_list_free(f->approvals, f->n_approvals);
}

static char *or_empty(char *s)
{
	return s ? s : strdup("");
}

static int read_facts(const reg_license_input *in, facts *f, reg_err **errp)
{
	const reg_dossier *d = in->dossier;
	int offset = reg_authority_offset(in->authority);
	f->name = or_empty(reg_dossier_text(d, "enterprise/name"));
	f->form = or_empty(reg_dossier_text(d, "enterprise/form"));
	f->capital = or_empty(reg_dossier_text(d, "enterprise/capital"));
	f->division = or_empty(reg_dossier_attr(d, "enterprise/address", "division"));
	f->address = or_empty(reg_dossier_text(d, "enterprise/address"));
	f->scope = or_empty(reg_dossier_text(d, "enterprise/scope"));
	f->industry = or_empty(reg_dossier_attr(d, "enterprise/scope", "industry"));
	f->legal_rep = or_empty(reg_dossier_text(d, "enterprise/legal-representative/name"));
	f->number = or_empty(reg_dossier_number(d));
	reg_time_format_date(in->issued_at, offset, f->date);
	reg_time_format(in->issued_at, offset, f->when);
	int y, m, day;
	reg_time_civil(in->issued_at, offset, &y, &m, &day);
	snprintf(f->date_zh, sizeof f->date_zh, "%d年%d月%d日", y % 10000, m % 100, day % 100);
	return reg_dossier_approvals(d, &f->approvals, &f->n_approvals, errp);
}

/* An item is filed when the verdict in force is `approved`. */
static const reg_approval *filed_by(const facts *f, const reg_item *it)
{
	const reg_approval *a = reg_approval_in_force(f->approvals, f->n_approvals, reg_item_id(it));
	return a && a->verdict == REG_VERDICT_APPROVED ? a : NULL;
}

static xmlNode *text_child(xmlNode *parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
}

static xmlDoc *new_document(const char *root_name, xmlNode **root)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	*root = xmlNewNode(NULL, BAD_CAST root_name);
	xmlSetNs(*root, xmlNewNs(*root, BAD_CAST REG_NS_ARCHIVE, NULL));
	xmlDocSetRootElement(doc, *root);
	return doc;
}

static int take_document(xmlDoc *doc, const char *path, reg_document *out, reg_err **errp)
{
	int rc = reg_xml_serialize(doc, &out->data, &out->len, errp);
	xmlFreeDoc(doc);
	if (rc < 0)
		return -1;
	if (!(out->path = strdup(path)))
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	return 0;
}

static int license_xml(const reg_license_input *in, const facts *f, reg_document *out,
		       reg_err **errp)
{
	xmlNode *root;
	xmlDoc *doc = new_document("license", &root);
	text_child(root, "uscc", in->uscc);
	text_child(root, "name", f->name);
	xmlNode *form = text_child(root, "form", reg_legal_form_zh(f->form) ? reg_legal_form_zh(f->form) : f->form);
	xmlSetProp(form, BAD_CAST "code", BAD_CAST f->form);
	text_child(root, "legal-representative", f->legal_rep);
	xmlNode *capital = text_child(root, "capital", f->capital);
	xmlSetProp(capital, BAD_CAST "currency", BAD_CAST "CNY");
	text_child(root, "established", f->date);
	xmlNode *addr = text_child(root, "address", f->address);
	xmlSetProp(addr, BAD_CAST "division", BAD_CAST f->division);
	xmlNode *scope = text_child(root, "scope", f->scope);
	xmlSetProp(scope, BAD_CAST "industry", BAD_CAST f->industry);
	xmlNode *auth = text_child(root, "authority", reg_authority_name(in->authority));
	xmlSetProp(auth, BAD_CAST "division", BAD_CAST reg_authority_division(in->authority));
	xmlNode *issued = text_child(root, "issued", f->when);
	xmlSetProp(issued, BAD_CAST "acceptance", BAD_CAST f->number);
	xmlNode *items = xmlNewChild(root, root->ns, BAD_CAST "items", NULL);
	for (size_t i = 0; i < reg_catalog_item_count(in->catalog); i++) {
		const reg_item *it = reg_catalog_item(in->catalog, i);
		char number[8];
		snprintf(number, sizeof number, "%d", reg_item_number(it));
		xmlNode *n = text_child(items, "item", reg_item_zh(it));
		xmlSetProp(n, BAD_CAST "number", BAD_CAST number);
		xmlSetProp(n, BAD_CAST "id", BAD_CAST reg_item_id(it));
		xmlSetProp(n, BAD_CAST "dept", BAD_CAST reg_item_dept(it));
		xmlSetProp(n, BAD_CAST "status", BAD_CAST(filed_by(f, it) ? "filed" : "not-applicable"));
	}
	return take_document(doc, "license.xml", out, errp);
}

static int registration_xml(const reg_license_input *in, const facts *f, const reg_item *it,
			    reg_document *out, reg_err **errp)
{
	xmlNode *root;
	xmlDoc *doc = new_document("registration", &root);
	const reg_approval *a = filed_by(f, it);
	const reg_department *dept = reg_item_department(it);
	char number[8], path[128];
	snprintf(number, sizeof number, "%d", reg_item_number(it));
	xmlSetProp(root, BAD_CAST "number", BAD_CAST number);
	xmlSetProp(root, BAD_CAST "item", BAD_CAST reg_item_id(it));
	xmlSetProp(root, BAD_CAST "kind", BAD_CAST reg_item_kind_name(reg_item_kind_of(it)));
	xmlSetProp(root, BAD_CAST "status", BAD_CAST(a ? "filed" : "not-applicable"));
	text_child(root, "zh", reg_item_zh(it));
	text_child(root, "en", reg_item_en(it));
	text_child(root, "uscc", in->uscc);
	text_child(root, "name", f->name);
	xmlNode *dn = xmlNewChild(root, root->ns, BAD_CAST "department", NULL);
	xmlSetProp(dn, BAD_CAST "id", BAD_CAST reg_department_id(dept));
	text_child(dn, "zh", reg_department_zh(dept));
	text_child(dn, "en", reg_department_en(dept));
	if (a) {
		xmlNode *ap = xmlNewChild(root, root->ns, BAD_CAST "approval", NULL);
		xmlSetProp(ap, BAD_CAST "reviewer", BAD_CAST a->reviewer);
		xmlSetProp(ap, BAD_CAST "time", BAD_CAST a->time);
		/* No body digest here: dossier.xml in the same signed archive carries each
		 * approval with its digest; a copy would only repeat it. */
	}
	text_child(root, "filed", f->date);
	snprintf(path, sizeof path, "registrations/%02d-%s.xml", reg_item_number(it), reg_item_id(it));
	return take_document(doc, path, out, errp);
}

/* The printable license ----------------------------------------------------------------- */

#define CJK_SERIF "SimSun, Songti SC, AR PL UMing CN, Noto Serif CJK SC, serif"
#define RED "#c8102e"

static xmlNode *svg_text(xmlNode *parent, int x, int y, int size, const char *anchor,
			 const char *text)
{
	char buf[16];
	xmlNode *t = xmlNewTextChild(parent, parent->ns, BAD_CAST "text", BAD_CAST text);
	snprintf(buf, sizeof buf, "%d", x);
	xmlSetProp(t, BAD_CAST "x", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%d", y);
	xmlSetProp(t, BAD_CAST "y", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%d", size);
	xmlSetProp(t, BAD_CAST "font-size", BAD_CAST buf);
	if (anchor)
		xmlSetProp(t, BAD_CAST "text-anchor", BAD_CAST anchor);
	return t;
}

static void svg_rect(xmlNode *parent, int x, int y, int w, int h, const char *stroke_width)
{
	char buf[16];
	xmlNode *r = xmlNewChild(parent, parent->ns, BAD_CAST "rect", NULL);
	snprintf(buf, sizeof buf, "%d", x), xmlSetProp(r, BAD_CAST "x", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%d", y), xmlSetProp(r, BAD_CAST "y", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%d", w), xmlSetProp(r, BAD_CAST "width", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%d", h), xmlSetProp(r, BAD_CAST "height", BAD_CAST buf);
	xmlSetProp(r, BAD_CAST "fill", BAD_CAST "none");
	xmlSetProp(r, BAD_CAST "stroke", BAD_CAST RED);
	xmlSetProp(r, BAD_CAST "stroke-width", BAD_CAST stroke_width);
}

/* Lines of at most `per_line` characters (UTF-8 aware), at most `max_lines`; the last line
 * ends in "…" when the text is longer. */
static void svg_wrapped(xmlNode *parent, int x, int y, int size, int per_line, int max_lines,
			const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	for (int line = 0; *p && line < max_lines; line++) {
		const unsigned char *start = p;
		for (int chars = 0; *p && chars < per_line; chars++) {
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		}
		char *piece = NULL;
		bool cut = *p && line == max_lines - 1;
		if (asprintf(&piece, "%.*s%s", (int)(p - start), (const char *)start, cut ? "…" : "") < 0)
			return;
		svg_text(parent, x, y + line * (size + 2), size, NULL, piece);
		free(piece);
	}
}

/* The authority's stamp pressed over the date, centred at (cx, cy): the catalog's official
 * seal type drawn by the seal module with the authority's name on the arc and the star, as a
 * nested <svg> one millimetre to the user unit.  A catalog without an official seal type gets
 * no stamp. */
static int add_stamp(xmlNode *svg, const reg_license_input *in, double cx, double cy,
		     reg_err **errp)
{
	const reg_seal_type *t = reg_catalog_find_seal(in->catalog, "official");
	if (!t)
		return 0;
	reg_seal_owner owner = {.name = (char *)reg_authority_name(in->authority)};
	reg_seal_spec spec = {.type = t, .owner = &owner, .stamp = true};
	char *text = NULL;
	size_t len = 0;
	reg_err *why = NULL;
	if (reg_seal_svg(&spec, &text, &len, &why) < 0) {
		reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
			    "the authority's name cannot be engraved on its stamp: %s",
			    reg_err_message(why));
		reg_err_free(why);
		return -1;
	}
	xmlDoc *seal = reg_xml_parse_memory(text, len, "stamp.svg", errp);
	free(text);
	if (!seal)
		return -1;
	xmlNode *stamp = xmlDocCopyNode(xmlDocGetRootElement(seal), svg->doc, 1);
	xmlFreeDoc(seal);
	double d = reg_seal_type_diameter(t);
	char *x = reg_seal_mm_text(cx - d / 2), *y = reg_seal_mm_text(cy - d / 2);
	char *size = reg_seal_mm_text(d);
	int rc = 0;
	if (!stamp || !x || !y || !size || !xmlAddChild(svg, stamp)) {
		xmlFreeNode(stamp);
		rc = reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	} else {
		xmlSetProp(stamp, BAD_CAST "class", BAD_CAST "stamp");
		xmlSetProp(stamp, BAD_CAST "x", BAD_CAST x);
		xmlSetProp(stamp, BAD_CAST "y", BAD_CAST y);
		xmlSetProp(stamp, BAD_CAST "width", BAD_CAST size);
		xmlSetProp(stamp, BAD_CAST "height", BAD_CAST size);
		/* Seal paste lets the print show through. */
		xmlSetProp(stamp, BAD_CAST "opacity", BAD_CAST "0.85");
	}
	free(x), free(y), free(size);
	return rc;
}

static int license_svg(const reg_license_input *in, const facts *f, reg_document *out,
		       reg_err **errp)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *svg = xmlNewNode(NULL, BAD_CAST "svg");
	xmlSetNs(svg, xmlNewNs(svg, BAD_CAST "http://www.w3.org/2000/svg", NULL));
	xmlDocSetRootElement(doc, svg);
	xmlSetProp(svg, BAD_CAST "width", BAD_CAST "297mm");
	xmlSetProp(svg, BAD_CAST "height", BAD_CAST "210mm");
	xmlSetProp(svg, BAD_CAST "viewBox", BAD_CAST "0 0 297 210");
	xmlNode *bg = xmlNewChild(svg, svg->ns, BAD_CAST "rect", NULL);
	xmlSetProp(bg, BAD_CAST "width", BAD_CAST "297");
	xmlSetProp(bg, BAD_CAST "height", BAD_CAST "210");
	xmlSetProp(bg, BAD_CAST "fill", BAD_CAST "#fffdf5");
	svg_rect(svg, 8, 8, 281, 194, "1.5");
	svg_rect(svg, 11, 11, 275, 188, "0.5");
	xmlNode *g = xmlNewChild(svg, svg->ns, BAD_CAST "g", NULL);
	xmlSetProp(g, BAD_CAST "font-family", BAD_CAST CJK_SERIF);
	xmlSetProp(g, BAD_CAST "fill", BAD_CAST "#1a1a1a");

	xmlNode *title = svg_text(g, 148, 46, 18, "middle", "营 业 执 照");
	xmlSetProp(title, BAD_CAST "fill", BAD_CAST RED);
	xmlSetProp(title, BAD_CAST "letter-spacing", BAD_CAST "2");
	svg_text(g, 148, 56, 5, "middle", "（多证合一 · 二十证合一）");
	char line[512];
	snprintf(line, sizeof line, "统一社会信用代码  %s", in->uscc);
	svg_text(g, 24, 22, 5, NULL, line);

	/* The value column clears the longest label, 法定代表人 (five characters of 5 mm). */
	static const int left = 30, right = 160, label_gap = 30;
	struct { int x, y; const char *label; const char *value; } fields[] = {
		{left, 70, "名　　称", f->name},
		{left, 82, "类　　型", reg_legal_form_zh(f->form) ? reg_legal_form_zh(f->form) : f->form},
		{left, 94, "法定代表人", f->legal_rep},
		{right, 70, "注册资本", NULL},
		{right, 82, "成立日期", f->date_zh},
		{right, 94, "住　　所", f->address},
	};
	/* As licenses print it: in Chinese financial numerals (人民币壹佰万元整). */
	char capital[REG_DECIMAL_ZH_BUFSIZE + 16], zh[REG_DECIMAL_ZH_BUFSIZE];
	int64_t hundredths = 0;
	if (reg_decimal_parse(f->capital, &hundredths, NULL) == 0) {
		reg_decimal_zh_upper(hundredths, zh, sizeof zh);
		snprintf(capital, sizeof capital, "人民币%s", zh);
	} else {
		snprintf(capital, sizeof capital, "人民币%.64s元", f->capital);
	}
	fields[3].value = capital;
	size_t capital_chars = 0;
	for (const char *c = capital; *c; c++)
		capital_chars += (*c & 0xC0) != 0x80;
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		svg_text(g, fields[i].x, fields[i].y, 5, NULL, fields[i].label);
		if (i == 3 && capital_chars > 17) /* many non-zero digits: smaller, two lines at most */
			svg_wrapped(g, fields[i].x + label_gap, fields[i].y, 4, 21, 2, fields[i].value);
		else if (i == 5)
			svg_wrapped(g, fields[i].x + label_gap, fields[i].y, 5, 17, 2, fields[i].value);
		else
			svg_text(g, fields[i].x + label_gap, fields[i].y, 5, NULL, fields[i].value);
	}
	svg_text(g, left, 110, 5, NULL, "经营范围");
	svg_wrapped(g, left + label_gap, 110, 5, 42, 6, f->scope);

	size_t filed = 0;
	for (size_t i = 0; i < reg_catalog_item_count(in->catalog); i++)
		filed += filed_by(f, reg_catalog_item(in->catalog, i)) != NULL;
	snprintf(line, sizeof line, "本执照载明的%zu项登记备案事项已办结，其余%zu项不适用",
		 filed, reg_catalog_item_count(in->catalog) - filed);
	svg_text(g, left, 158, 4, NULL, line);
	svg_text(g, 225, 170, 5, "middle", "登记机关");
	svg_text(g, 225, 180, 5, "middle", reg_authority_name(in->authority));
	svg_text(g, 225, 190, 5, "middle", f->date_zh);
	snprintf(line, sizeof line, "受理号 %s", f->number);
	svg_text(g, 24, 196, 3, NULL, line);
	if (add_stamp(svg, in, 225, 180, errp) < 0) {
		xmlFreeDoc(doc);
		return -1;
	}
	return take_document(doc, "license.svg", out, errp);
}

int reg_license_documents(const reg_license_input *in, reg_document **docs, size_t *n,
			  reg_err **errp)
{
	facts f = {0};
	size_t items = reg_catalog_item_count(in->catalog), count = 0;
	reg_document *all = calloc(items + 2, sizeof *all);
	int rc = -1;
	if (!all) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (read_facts(in, &f, errp) < 0 || license_xml(in, &f, &all[count++], errp) < 0 ||
	    license_svg(in, &f, &all[count++], errp) < 0)
		goto out;
	for (size_t i = 0; i < items; i++)
		if (registration_xml(in, &f, reg_catalog_item(in->catalog, i), &all[count++], errp) < 0)
			goto out;
	*docs = all;
	*n = count;
	all = NULL;
	rc = 0;
out:
	reg_documents_free(all, count);
	facts_clear(&f);
	return rc;
}
