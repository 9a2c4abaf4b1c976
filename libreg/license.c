#include "license.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "decimal.h"
#include "seal.h"
#include "xml.h"

static const struct {
	const char *code, *zh, *person, *capital;
} legal_forms[] = {
	{"llc", "有限责任公司", "法定代表人", "注册资本"},
	{"jsc", "股份有限公司", "法定代表人", "注册资本"},
	{"sole", "个人独资企业", "投资人", "出资额"},
	{"partnership", "合伙企业", "执行事务合伙人", "出资额"},
};

static int legal_form(const char *form)
{
	for (size_t i = 0; form && i < sizeof legal_forms / sizeof *legal_forms; i++)
		if (strcmp(form, legal_forms[i].code) == 0)
			return (int)i;
	return -1;
}

const char *reg_legal_form_zh(const char *form)
{
	int i = legal_form(form);
	return i < 0 ? NULL : legal_forms[i].zh;
}

const char *reg_legal_form_person_label(const char *form)
{
	int i = legal_form(form);
	return legal_forms[i < 0 ? 0 : i].person;
}

const char *reg_legal_form_capital_label(const char *form)
{
	int i = legal_form(form);
	return legal_forms[i < 0 ? 0 : i].capital;
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

/* The verdict in force for an item: the ledger's when given, else the dossier's latest. */
static const reg_approval *in_force(const reg_license_input *in, const facts *f,
				    const reg_item *it)
{
	const reg_assessment *as = in->assessment;
	size_t i = (size_t)reg_item_number(it) - 1;
	if (!as)
		return reg_approval_in_force(f->approvals, f->n_approvals, reg_item_id(it));
	if (i >= as->n_items || as->in_force[i] < 0 || (size_t)as->in_force[i] >= in->n_verdicts)
		return NULL;
	return &in->verdicts[as->in_force[i]];
}

/* An item is filed when the verdict in force is `approved`. */
static const reg_approval *filed_by(const reg_license_input *in, const facts *f,
				    const reg_item *it)
{
	const reg_approval *a = in_force(in, f, it);
	return a && a->verdict == REG_VERDICT_APPROVED ? a : NULL;
}

/* An item is refused when its verdict in force is a rejection (one that refuses only this
 * filing: a blocking one would have rejected the dossier). */
static const reg_approval *refused_by(const reg_license_input *in, const facts *f,
				      const reg_item *it)
{
	const reg_approval *a = in_force(in, f, it);
	return a && a->verdict == REG_VERDICT_REJECTED ? a : NULL;
}

static const char *item_status(const reg_license_input *in, const facts *f, const reg_item *it)
{
	return filed_by(in, f, it) ? "filed" : refused_by(in, f, it) ? "refused" : "not-applicable";
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
		return reg_err_oom(errp);
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
	xmlNode *person = text_child(root, "legal-representative", f->legal_rep);
	xmlSetProp(person, BAD_CAST "label", BAD_CAST reg_legal_form_person_label(f->form));
	xmlNode *capital = text_child(root, "capital", f->capital);
	xmlSetProp(capital, BAD_CAST "currency", BAD_CAST "CNY");
	xmlSetProp(capital, BAD_CAST "label", BAD_CAST reg_legal_form_capital_label(f->form));
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
		xmlSetProp(n, BAD_CAST "status", BAD_CAST item_status(in, f, it));
	}
	return take_document(doc, "license.xml", out, errp);
}

static int registration_xml(const reg_license_input *in, const facts *f, const reg_item *it,
			    reg_document *out, reg_err **errp)
{
	xmlNode *root;
	xmlDoc *doc = new_document("registration", &root);
	const reg_approval *a = filed_by(in, f, it), *no = refused_by(in, f, it);
	const reg_department *dept = reg_item_department(it);
	char number[8], path[128];
	snprintf(number, sizeof number, "%d", reg_item_number(it));
	xmlSetProp(root, BAD_CAST "number", BAD_CAST number);
	xmlSetProp(root, BAD_CAST "item", BAD_CAST reg_item_id(it));
	xmlSetProp(root, BAD_CAST "kind", BAD_CAST reg_item_kind_name(reg_item_kind_of(it)));
	xmlSetProp(root, BAD_CAST "status", BAD_CAST item_status(in, f, it));
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
	} else if (no) {
		xmlNode *rj = xmlNewChild(root, root->ns, BAD_CAST "refusal", NULL);
		xmlSetProp(rj, BAD_CAST "reviewer", BAD_CAST no->reviewer);
		xmlSetProp(rj, BAD_CAST "time", BAD_CAST no->time);
		for (size_t r = 0; r < no->n_reasons; r++)
			text_child(rj, "reason", no->reasons[r]);
	}
	text_child(root, "filed", f->date);
	snprintf(path, sizeof path, "registrations/%02d-%s.xml", reg_item_number(it), reg_item_id(it));
	return take_document(doc, path, out, errp);
}

/* The printable license ----------------------------------------------------------------- */

/* Page 1 (A4 landscape, docs/issuance.md): two columns of labelled values, labels LABEL_W wide
 * at LEFT and RIGHT, each value in its box; the scope across the width under them. */
#define LEFT 30.0
#define RIGHT 160.0
#define LABEL_W 30.0
#define LABEL_SIZE 5.0
#define VALUE_MAX 5.0
#define VALUE_MIN 2.5
#define MORE "（见续页）"
/* Continuation sheets: each continued value under its label, across the sheet. */
#define CONT_X 30.0
#define CONT_W 237.0
#define CONT_LABEL 4.5
#define CONT_SIZE 3.5
#define CONT_BOTTOM 158.0
#define LEADING 1.3
#define CREAM "#fffdf5"

/* One value of the license and its box on page 1. */
struct value {
	const char *label, *cls, *text;
	double x, top, w, h;
	size_t done; /* bytes printed on page 1 */
};

struct drawing {
	const reg_license_input *in;
	const facts *f;
	const reg_seal_type *stamp; /* the catalog's official seal type; NULL: no stamp */
};

/* What every sheet has: the frame, the USCC, the authority with the date under its stamp, the
 * acceptance number; a continuation sheet also its heading and the name it belongs to. */
static int license_sheet(reg_pages *d, size_t index, void *ctx, reg_err **errp)
{
	const struct drawing *dr = ctx;
	const facts *f = dr->f;
	reg_pages_rect(d, 0, 0, 297, 210, 0, CREAM);
	reg_pages_rect(d, 8, 8, 281, 194, 1.5, REG_PAGE_RED);
	reg_pages_rect(d, 11, 11, 275, 188, 0.5, REG_PAGE_RED);
	reg_pages_text(d, "label", 24, 22, 5, REG_PAGE_START, "统一社会信用代码");
	reg_pages_text(d, "uscc", 68, 22, 5, REG_PAGE_START, dr->in->uscc);
	reg_pages_text(d, "label", 225, 170, 5, REG_PAGE_MIDDLE, "登记机关");
	reg_pages_text(d, "authority", 225, 180, 5, REG_PAGE_MIDDLE,
		       reg_authority_name(dr->in->authority));
	reg_pages_text(d, "issued", 225, 190, 5, REG_PAGE_MIDDLE, f->date_zh);
	char line[128];
	snprintf(line, sizeof line, "受理号 %.64s", f->number);
	reg_pages_text(d, "acceptance", 24, 196, 3, REG_PAGE_START, line);
	/* The stamp pressed over the date. */
	if (dr->stamp && reg_pages_stamp(d, dr->stamp, reg_authority_name(dr->in->authority),
					 dr->in->test_authority, 225, 180, errp) < 0)
		return -1;
	if (index == 0)
		return 0;
	xmlNode *title = reg_pages_text(d, "title", 148.5, 36, 9, REG_PAGE_MIDDLE,
					"营业执照（续页）");
	if (title)
		xmlSetProp(title, BAD_CAST "fill", BAD_CAST REG_PAGE_RED);
	reg_pages_body(d, 44, CONT_BOTTOM);
	if (reg_pages_field(d, "label", "header", CONT_X, 15, CONT_W, CONT_SIZE, "名称", f->name,
			    errp) < 0)
		return -1;
	reg_pages_skip(d, 3);
	return 0;
}

/* A value's label, smaller when it is longer than its column (执行事务合伙人). */
static void value_label(reg_pages *d, const struct value *v)
{
	double em = reg_text_em(v->label, strlen(v->label)), size = LABEL_SIZE;
	if (em * size > LABEL_W - 2)
		size = (LABEL_W - 2) / em;
	reg_pages_text(d, "label", v->x, v->top + 0.88 * LABEL_SIZE, size, REG_PAGE_START,
		       v->label);
}

/* license.svg and its continuation sheets. */
static int license_svg(const reg_license_input *in, const facts *f, reg_document **pages,
		       size_t *n_pages, reg_err **errp)
{
	/* As licenses print it: in Chinese financial numerals (人民币壹佰万元整). */
	char capital[REG_DECIMAL_ZH_BUFSIZE + 80], zh[REG_DECIMAL_ZH_BUFSIZE], title[128];
	int64_t hundredths = 0;
	if (reg_decimal_parse(f->capital, &hundredths, NULL) == 0) {
		reg_decimal_zh_upper(hundredths, zh, sizeof zh);
		snprintf(capital, sizeof capital, "人民币%s", zh);
	} else {
		snprintf(capital, sizeof capital, "人民币%.64s元", f->capital);
	}
	const char *form = reg_legal_form_zh(f->form) ? reg_legal_form_zh(f->form) : f->form;
	struct value values[] = {
		{"名　　称", "name", f->name, LEFT, 65.6, 95, 11, 0},
		{"类　　型", "form", form, LEFT, 77.6, 95, 11, 0},
		{reg_legal_form_person_label(f->form), "person", f->legal_rep, LEFT, 89.6, 95, 11,
		 0},
		{reg_legal_form_capital_label(f->form), "capital", capital, RIGHT, 65.6, 85, 11, 0},
		{"成立日期", "date", f->date_zh, RIGHT, 77.6, 85, 11, 0},
		{"住　　所", "address", f->address, RIGHT, 89.6, 85, 14, 0},
		{"经营范围", "scope", f->scope, LEFT, 105.6, 215, 44, 0},
	};
	size_t n_values = sizeof values / sizeof *values, rest = 0;
	struct drawing dr = {in, f, reg_catalog_find_seal(in->catalog, "official")};
	snprintf(title, sizeof title, "营业执照 %.32s", in->uscc);
	reg_pages *d = reg_pages_new(REG_PAGE_A4_LANDSCAPE, "license", title, license_sheet, &dr);
	int rc = -1;
	if (!d) {
		reg_err_oom(errp);
		goto out;
	}
	reg_pages_set_leading(d, LEADING);
	reg_pages_number_at(d, 272, 196, REG_PAGE_END);
	if (in->test_authority)
		reg_pages_mark_sample(d, 196);
	if (reg_pages_add(d, errp) < 0)
		goto out;

	xmlNode *t = reg_pages_text(d, "title", 148.5, 46, 18, REG_PAGE_MIDDLE, "营 业 执 照");
	if (t) {
		xmlSetProp(t, BAD_CAST "fill", BAD_CAST REG_PAGE_RED);
		xmlSetProp(t, BAD_CAST "letter-spacing", BAD_CAST "2");
	}
	reg_pages_text(d, "subtitle", 148.5, 56, 5, REG_PAGE_MIDDLE, "（多证合一 · 二十证合一）");
	for (size_t i = 0; i < n_values; i++) {
		struct value *v = &values[i];
		value_label(d, v);
		v->done = reg_pages_box(d, v->cls, v->x + LABEL_W, v->top, v->w, v->h, VALUE_MAX,
					VALUE_MIN, v->text, MORE);
		rest += v->text[v->done] != '\0';
	}
	size_t filed = 0;
	for (size_t i = 0; i < reg_catalog_item_count(in->catalog); i++)
		filed += filed_by(in, f, reg_catalog_item(in->catalog, i)) != NULL;
	char line[256];
	snprintf(line, sizeof line, "本执照载明的%zu项登记备案事项已办结，其余%zu项不适用",
		 filed, reg_catalog_item_count(in->catalog) - filed);
	reg_pages_text(d, "summary", LEFT, 158, 4, REG_PAGE_START, line);

	/* What page 1 could not hold, value by value, on continuation sheets. */
	if (rest && reg_pages_add(d, errp) < 0)
		goto out;
	for (size_t i = 0; rest && i < n_values; i++) {
		const struct value *v = &values[i];
		if (!v->text[v->done])
			continue;
		char head[128];
		snprintf(head, sizeof head, "%s（续）", v->label);
		/* The label never stands alone at the foot of a sheet. */
		if (reg_pages_need(d, LEADING * (CONT_LABEL + CONT_SIZE), errp) < 0)
			goto out;
		reg_pages_text(d, "label", CONT_X, reg_pages_cursor(d) + 0.88 * CONT_LABEL,
			       CONT_LABEL, REG_PAGE_START, head);
		reg_pages_skip(d, LEADING * CONT_LABEL);
		if (reg_pages_paragraph(d, v->cls, CONT_X, CONT_W, CONT_SIZE, 0, v->text + v->done,
					errp) < 0)
			goto out;
		reg_pages_skip(d, 3);
	}
	rc = reg_pages_finish(d, NULL, pages, n_pages, errp);
out:
	reg_pages_free(d);
	return rc;
}

int reg_license_documents(const reg_license_input *in, reg_document **docs, size_t *n,
			  reg_err **errp)
{
	facts f = {0};
	size_t items = reg_catalog_item_count(in->catalog), count = 0, n_pages = 0;
	reg_document *all = NULL, *pages = NULL;
	int rc = -1;
	if (read_facts(in, &f, errp) < 0 || license_svg(in, &f, &pages, &n_pages, errp) < 0)
		goto out;
	if (!(all = calloc(items + 1 + n_pages, sizeof *all))) {
		reg_err_oom(errp);
		goto out;
	}
	if (license_xml(in, &f, &all[count++], errp) < 0)
		goto out;
	/* The sheets move into the list. */
	memcpy(&all[count], pages, n_pages * sizeof *pages);
	count += n_pages;
	free(pages);
	pages = NULL;
	n_pages = 0;
	for (size_t i = 0; i < items; i++)
		if (registration_xml(in, &f, reg_catalog_item(in->catalog, i), &all[count++], errp) < 0)
			goto out;
	*docs = all;
	*n = count;
	all = NULL;
	rc = 0;
out:
	reg_documents_free(pages, n_pages);
	reg_documents_free(all, count);
	facts_clear(&f);
	return rc;
}
