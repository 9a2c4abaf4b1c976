#include "verify.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dossier.h"
#include "ids.h"
#include "page.h"
#include "verdict.h"
#include "xml.h"

#define LICENSE "license.xml"
#define LICENSE_SVG "license.svg"
#define DOSSIER "dossier.xml"
#define FILING "seals/filing.xml"
#define REG_DIR "registrations/"
#define SEAL_DIR "seals/"
#define NS_SVG "http://www.w3.org/2000/svg"

/* An identifier quoted for a message: printable ASCII as is, anything else \xHH, at most
 * QUOTE_MAX characters shown. */
#define QUOTE_MAX 40
#define QUOTED_SIZE (QUOTE_MAX * 4 + 8)

static const char *quote(const char *s, char buf[QUOTED_SIZE])
{
	size_t o = 0;
	buf[o++] = '\'';
	for (size_t i = 0; s && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7F || c == '\\' || c == '\'')
			o += (size_t)snprintf(buf + o, QUOTED_SIZE - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* One verification.  found: the problems (REG_ENO, and a failed check's own error). */
typedef struct vctx {
	const reg_archive_entries *e;
	const reg_verify_options *opt;
	const char *top;
	reg_err *found;
	/* What later checks need from the documents. */
	char *dossier_number;
	char **seal_codes;  /* from seals/filing.xml, with their types */
	char **seal_types;
	size_t n_seals;
	bool filing_ok;
	/* What the documents say, for their agreement with dossier.xml (step 10). */
	char *name;              /* dossier.xml's enterprise name */
	char *license_name, *license_acceptance, *filing_name;
	char **record_names;     /* per catalog item, its registration record's name */
	char **record_usccs;
	/* The statement files dossier.xml's approvals make (step 9). */
	reg_statement_file *statements;
	size_t n_statements;
	reg_approval *approvals;  /* what the statements point into */
	size_t n_approvals;
	reg_err *notes;           /* said only of a genuine archive */
} vctx;

static void note(vctx *v, const char *fmt, ...) REG_PRINTF(2, 3);
/* Something the auditor should know that does not make the archive less genuine. */
static void note(vctx *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(&v->notes, REG_OK, NULL, 0, NULL, fmt, ap);
	va_end(ap);
}

/* ---- documents ---------------------------------------------------------------------------- */

static bool ns_is(const xmlNode *n, const char *ns)
{
	if (!ns)
		return true;
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

/* Parse entry `path` and check its root (ns NULL: any namespace); NULL after reporting why. */
static xmlDoc *load_doc(vctx *v, const char *path, const char *ns, const char *root)
{
	const reg_archive_file *f = reg_archive_find(v->e, path);
	if (!f) {
		reg_err_add(&v->found, REG_ENO, NULL, 0, NULL, "no %s", path);
		return NULL;
	}
	reg_err *perr = NULL;
	xmlDoc *doc = reg_xml_parse_memory((const char *)f->data, f->len, path, &perr);
	if (!doc) {
		if (reg_err_code(perr) == REG_EDATA)
			reg_err_recode(perr, REG_ENO);
		reg_err_append(&v->found, &perr);
		return NULL;
	}
	const xmlNode *r = xmlDocGetRootElement(doc);
	if (strcmp((const char *)r->name, root) != 0 || !ns_is(r, ns)) {
		reg_err_add(&v->found, REG_ENO, path, reg_xml_line(r), NULL,
			    "the root is <%s>, not <%s>%s%s", (const char *)r->name, root,
			    ns ? " of " : "", ns ? ns : "");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/* ---- identifiers -------------------------------------------------------------------------- */

typedef enum id_kind { ID_NONE, ID_USCC, ID_CITIZEN, ID_ORG, ID_SEAL } id_kind;

static id_kind kind_of(const char *name)
{
	if (strcmp(name, "uscc") == 0)
		return ID_USCC;
	if (strcmp(name, "citizen-id") == 0)
		return ID_CITIZEN;
	if (strcmp(name, "org-code") == 0)
		return ID_ORG;
	if (strcmp(name, "seal-code") == 0)
		return ID_SEAL;
	return ID_NONE;
}

static bool seal_code_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return false;
	return n == REG_SEAL_CODE_LEN;
}

/* Check one identifier found at node (an element, or an attribute node). */
static void check_id(vctx *v, const char *file, const xmlNode *node, id_kind kind,
		     const char *value)
{
	char q[QUOTED_SIZE];
	reg_id_result r = {.rule = REG_ID_OK};
	const char *what = NULL;
	switch (kind) {
	case ID_USCC: r = reg_uscc_check(value); what = "USCC"; break;
	case ID_CITIZEN: r = reg_citizen_id_check(value); what = "citizen id"; break;
	case ID_ORG: r = reg_org_code_check(value); what = "organization code"; break;
	case ID_SEAL:
		if (!seal_code_valid(value)) {
			r.rule = REG_ID_LENGTH;
			snprintf(r.message, sizeof r.message, "not %d digits", REG_SEAL_CODE_LEN);
		}
		what = "seal code";
		break;
	case ID_NONE: return;
	}
	if (r.rule == REG_ID_OK)
		return;
	char *field = reg_xml_path(node);
	reg_err_add(&v->found, REG_ENO, file, reg_xml_line(node), field, "invalid %s %s: %s", what,
		    quote(value, q), r.message);
	free(field);
}

/* Every identifier of the tree below n, by element and attribute name (verify.h, step 6). */
static void scan_ids(vctx *v, const char *file, const xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		id_kind k = kind_of((const char *)n->name);
		if (k != ID_NONE) {
			char *t = reg_xml_text(n);
			if (t)
				check_id(v, file, n, k, t);
			free(t);
		}
		for (const xmlAttr *a = n->properties; a; a = a->next) {
			if (a->ns)
				continue;
			k = kind_of((const char *)a->name);
			if (k == ID_NONE && strcmp((const char *)a->name, "code") == 0 &&
			    strcmp((const char *)n->name, "seal") == 0)
				k = ID_SEAL;
			if (k == ID_NONE)
				continue;
			char *val = reg_xml_attr(n, (const char *)a->name);
			if (val)
				check_id(v, file, (const xmlNode *)a, k, val);
			free(val);
		}
		scan_ids(v, file, n->children);
	}
}

/* A USCC that must be the top directory's. */
static void same_uscc(vctx *v, const char *file, const xmlNode *node, const char *value)
{
	if (strcmp(value, v->top) == 0)
		return;
	char q1[QUOTED_SIZE], q2[QUOTED_SIZE];
	char *field = reg_xml_path(node);
	reg_err_add(&v->found, REG_ENO, file, reg_xml_line(node), field,
		    "USCC %s is not the archive's %s", quote(value, q1), quote(v->top, q2));
	free(field);
}

/* ---- the documents' own checks ------------------------------------------------------------ */

static void check_license(vctx *v)
{
	xmlDoc *doc = load_doc(v, LICENSE, REG_NS_ARCHIVE, "license");
	if (!doc)
		return;
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *u = reg_xml_child(root, REG_NS_ARCHIVE, "uscc");
	if (!u) {
		reg_err_add(&v->found, REG_ENO, LICENSE, reg_xml_line(root), "/license",
			    "no <uscc>");
	} else {
		char *t = reg_xml_text(u);
		if (t)
			same_uscc(v, LICENSE, u, t);
		free(t);
	}
	scan_ids(v, LICENSE, root);
	v->license_name = reg_xml_child_text(root, REG_NS_ARCHIVE, "name");
	v->license_acceptance = reg_xml_attr(reg_xml_child(root, REG_NS_ARCHIVE, "issued"),
					     "acceptance");
	xmlFreeDoc(doc);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_filing(vctx *v)
{
	xmlDoc *doc = load_doc(v, FILING, REG_NS_ARCHIVE, "seal-filing");
	if (!doc)
		return;
	const xmlNode *root = xmlDocGetRootElement(doc);
	scan_ids(v, FILING, root);
	const xmlNode *ent = reg_xml_child(root, REG_NS_ARCHIVE, "enterprise");
	v->filing_name = reg_xml_child_text(ent, REG_NS_ARCHIVE, "name");
	char *u = reg_xml_attr(ent, "uscc");
	if (u) {
		xmlAttr *a = xmlHasProp(ent, BAD_CAST "uscc");
		same_uscc(v, FILING, (const xmlNode *)a, u);
	}
	free(u);

	const xmlNode *seals = reg_xml_child(root, REG_NS_ARCHIVE, "seals");
	size_t n = 0;
	reg_xml_for_each_child(s, seals, REG_NS_ARCHIVE, "seal") n++;
	v->seal_codes = calloc(n ? n : 1, sizeof *v->seal_codes);
	v->seal_types = calloc(n ? n : 1, sizeof *v->seal_types);
	if (!v->seal_codes || !v->seal_types) {
		reg_err_add(&v->found, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		xmlFreeDoc(doc);
		return;
	}
	bool ok = true;
	const reg_catalog *cat = v->opt->catalog;
	reg_xml_for_each_child(s, seals, REG_NS_ARCHIVE, "seal") {
		char *type = reg_xml_attr(s, "type"), *code = reg_xml_attr(s, "code");
		char q[QUOTED_SIZE];
		bool known = false;
		for (size_t i = 0; type && i < reg_catalog_seal_count(cat); i++)
			known |= strcmp(reg_seal_type_code(reg_catalog_seal(cat, i)), type) == 0;
		if (!known) {
			reg_err_add(&v->found, REG_ENO, FILING, reg_xml_line(s),
				    "/seal-filing/seals/seal/@type",
				    type ? "seal of type %s, which the catalog does not have"
					 : "seal without a type%s",
				    type ? quote(type, q) : "");
			ok = false;
		}
		if (!code) {
			reg_err_add(&v->found, REG_ENO, FILING, reg_xml_line(s),
				    "/seal-filing/seals/seal/@code", "seal without a code");
			ok = false;
		}
		v->seal_codes[v->n_seals] = code;
		v->seal_types[v->n_seals] = type;
		v->n_seals++;
	}
	/* One seal per catalog type. */
	for (size_t i = 0; i < reg_catalog_seal_count(cat); i++) {
		const reg_seal_type *t = reg_catalog_seal(cat, i);
		size_t count = 0;
		for (size_t j = 0; j < v->n_seals; j++)
			count += v->seal_types[j] && strcmp(v->seal_types[j], reg_seal_type_code(t)) == 0;
		if (count == 1)
			continue;
		ok = false;
		if (count == 0)
			reg_err_add(&v->found, REG_ENO, FILING, reg_xml_line(root), "/seal-filing/seals",
				    "no seal of type %s (%s) filed", reg_seal_type_code(t),
				    reg_seal_type_id(t));
		else
			reg_err_add(&v->found, REG_ENO, FILING, reg_xml_line(root), "/seal-filing/seals",
				    "%zu seals of type %s (%s) filed", count, reg_seal_type_code(t),
				    reg_seal_type_id(t));
	}
	/* No code twice. */
	char **sorted = malloc((v->n_seals ? v->n_seals : 1) * sizeof *sorted);
	size_t ns = 0;
	if (!sorted) {
		reg_err_add(&v->found, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		ok = false;
	} else {
		for (size_t j = 0; j < v->n_seals; j++)
			if (v->seal_codes[j])
				sorted[ns++] = v->seal_codes[j];
		qsort(sorted, ns, sizeof *sorted, str_cmp);
		for (size_t j = 1; j < ns; j++)
			if (strcmp(sorted[j - 1], sorted[j]) == 0 &&
			    (j < 2 || strcmp(sorted[j - 2], sorted[j]) != 0)) {
				char q[QUOTED_SIZE];
				reg_err_add(&v->found, REG_ENO, FILING, 0, "/seal-filing/seals/seal/@code",
					    "seal code %s filed twice", quote(sorted[j], q));
				ok = false;
			}
	}
	free(sorted);
	v->filing_ok = ok;
	xmlFreeDoc(doc);
}

static void check_dossier(vctx *v)
{
	xmlDoc *doc = load_doc(v, DOSSIER, REG_NS_DOSSIER, "dossier");
	if (!doc)
		return;
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *is = reg_xml_child(root, REG_NS_DOSSIER, "issuance");
	char *u = reg_xml_attr(is, "uscc");
	if (!u)
		reg_err_add(&v->found, REG_ENO, DOSSIER, reg_xml_line(is ? is : root),
			    is ? "/dossier/issuance/@uscc" : "/dossier",
			    is ? "no USCC in the issuance" : "no <issuance>: the dossier was not issued");
	else
		same_uscc(v, DOSSIER, (const xmlNode *)xmlHasProp(is, BAD_CAST "uscc"), u);
	free(u);
	v->dossier_number = reg_xml_attr(reg_xml_child(root, REG_NS_DOSSIER, "acceptance"), "number");
	v->name = reg_xml_child_text(reg_xml_child(root, REG_NS_DOSSIER, "enterprise"),
				     REG_NS_DOSSIER, "name");
	reg_err *err = NULL;
	reg_dossier *d = reg_dossier_adopt(doc, DOSSIER, 0, &err);
	if (d && reg_dossier_approvals(d, &v->approvals, &v->n_approvals, &err) == 0)
		reg_statement_files(v->dossier_number ? v->dossier_number : "", v->approvals,
				    v->n_approvals, v->opt->offset_min, &v->statements,
				    &v->n_statements, &err);
	if (err) {
		reg_err_recode(err, REG_ENO);
		reg_err_locate(err, DOSSIER, 0);
		reg_err_append(&v->found, &err);
	}
	reg_dossier_free(d);
}

/* Step 9: the departments' statements and their files. */
static void check_verdicts(vctx *v)
{
	size_t unsigned_ = 0;
	for (size_t i = 0; i < v->n_statements; i++)
		unsigned_ += !v->statements[i].signed_;
	bool any_file = false;
	for (size_t j = 0; j < reg_archive_count(v->e); j++)
		any_file |= strncmp(reg_archive_at(v->e, j)->path, REG_VERDICT_DIR "/",
				    strlen(REG_VERDICT_DIR) + 1) == 0;
	if (v->n_statements && unsigned_ == v->n_statements && !any_file) {
		note(v, "its %zu verdicts are unsigned: issued before verdicts were signed",
		     v->n_statements);
		return;
	}
	if (!v->opt->keys && v->n_statements > unsigned_)
		note(v, "the departments' signatures were not checked: no department keys");
	for (size_t i = 0; i < v->n_statements; i++) {
		const reg_statement_file *f = &v->statements[i];
		const reg_approval *a = f->first;
		if (!f->signed_) {
			reg_err_add(&v->found, REG_ENO, DOSSIER, 0, "/dossier/approvals/approval",
				    "the verdict of '%s' on '%s' at %s is not signed", a->dept, a->item,
				    a->time);
			continue;
		}
		char path[sizeof f->name + 16];
		snprintf(path, sizeof path, REG_VERDICT_DIR "/%s.txt", f->name);
		const reg_archive_file *txt = reg_archive_find(v->e, path);
		if (!txt)
			reg_err_add(&v->found, REG_ENO, NULL, 0, NULL, "no %s", path);
		else if (txt->len != f->len || memcmp(txt->data, f->text, f->len) != 0)
			reg_err_add(&v->found, REG_ENO, path, 0, NULL,
				    "not the statement of dossier.xml's verdicts of '%s' at %s",
				    a->dept, a->time);
		snprintf(path, sizeof path, REG_VERDICT_DIR "/%s.sig", f->name);
		const reg_archive_file *sig = reg_archive_find(v->e, path);
		if (!sig)
			reg_err_add(&v->found, REG_ENO, NULL, 0, NULL, "no %s", path);
		else if (sig->len != REG_SIG_LEN || memcmp(sig->data, f->sig, REG_SIG_LEN) != 0)
			reg_err_add(&v->found, REG_ENO, path, 0, NULL,
				    "not the signature of dossier.xml's verdicts of '%s' at %s",
				    a->dept, a->time);
		if (!v->opt->keys)
			continue;
		reg_key_verdict kv = REG_KEY_MISMATCH;
		const char *other = NULL;
		reg_err *err = NULL;
		if (reg_keyring_check(v->opt->keys, a->dept, f->at, f->text, f->len, f->sig, &kv,
				      NULL, &other, &err) < 0) {
			reg_err_append(&v->found, &err);
			continue;
		}
		if (kv != REG_KEY_VALID) {
			char why[160];
			reg_key_verdict_text(kv, a->dept, other, false, why, sizeof why);
			reg_err_add(&v->found, REG_ENO, DOSSIER, 0, "/dossier/approvals/approval",
				    "the verdict of '%s' on '%s' at %s %s", a->dept, a->item, a->time,
				    why);
		}
	}
}

/* Step 10, the tree: the files an issuance archive holds, and nothing else. */
static bool expected_file(const vctx *v, const char *p)
{
	static const char *const fixed[] = {LICENSE, LICENSE_SVG, DOSSIER, FILING,
					    REG_ARCHIVE_MANIFEST, REG_ARCHIVE_MANIFEST_SIG};
	const reg_catalog *cat = v->opt->catalog;
	char path[REG_ARCHIVE_MAX_NAME + 64];
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		if (strcmp(p, fixed[i]) == 0)
			return true;
	if (reg_pages_sheet_number(p, "license") > 0)
		return true; /* a continuation sheet (续页) */
	for (size_t i = 0; i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		snprintf(path, sizeof path, REG_DIR "%02d-%s.xml", reg_item_number(it), reg_item_id(it));
		if (strcmp(p, path) == 0)
			return true;
	}
	for (size_t i = 0; i < reg_catalog_seal_count(cat); i++) {
		const reg_seal_type *t = reg_catalog_seal(cat, i);
		snprintf(path, sizeof path, SEAL_DIR "%s-%s.svg", reg_seal_type_code(t),
			 reg_seal_type_id(t));
		if (strcmp(p, path) == 0)
			return true;
	}
	for (size_t i = 0; i < v->n_statements; i++) {
		if (!v->statements[i].signed_)
			continue;
		snprintf(path, sizeof path, REG_VERDICT_DIR "/%s.txt", v->statements[i].name);
		if (strcmp(p, path) == 0)
			return true;
		snprintf(path, sizeof path, REG_VERDICT_DIR "/%s.sig", v->statements[i].name);
		if (strcmp(p, path) == 0)
			return true;
	}
	return false;
}

/* The registration records whose `values` (name or USCC, per catalog item) are not `want`:
 * one problem for one record, one for many (all twenty of a forged archive say the same). */
static void disagreeing_records(vctx *v, char *const *values, const char *want,
				const char *field, const char *what)
{
	const reg_catalog *cat = v->opt->catalog;
	char path[REG_ARCHIVE_MAX_NAME + 64], q1[QUOTED_SIZE], q2[QUOTED_SIZE];
	size_t count = 0, first = 0;
	for (size_t i = 0; values && i < reg_catalog_item_count(cat); i++)
		if (values[i] && strcmp(values[i], want) != 0 && count++ == 0)
			first = i;
	if (count == 0)
		return;
	const reg_item *it = reg_catalog_item(cat, first);
	snprintf(path, sizeof path, REG_DIR "%02d-%s.xml", reg_item_number(it), reg_item_id(it));
	if (count == 1)
		reg_err_add(&v->found, REG_ENO, path, 0, field, "%s %s is not the archive's %s", what,
			    quote(values[first], q1), quote(want, q2));
	else
		reg_err_add(&v->found, REG_ENO, REG_DIR, 0, field,
			    "%zu registration records name %s %s, not the archive's %s", count,
			    what, quote(values[first], q1), quote(want, q2));
}

static void check_tree(vctx *v)
{
	char q1[QUOTED_SIZE], q2[QUOTED_SIZE];
	for (size_t j = 0; j < reg_archive_count(v->e); j++) {
		const char *p = reg_archive_at(v->e, j)->path;
		/* Strays in registrations/ and drawings in seals/ have their own checks. */
		bool own_check = strncmp(p, REG_DIR, strlen(REG_DIR)) == 0 ||
				 (strncmp(p, SEAL_DIR, strlen(SEAL_DIR)) == 0 && strlen(p) > 4 &&
				  strcmp(p + strlen(p) - 4, ".svg") == 0);
		if (!own_check && !expected_file(v, p))
			reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
				    "%s is not part of an issuance archive", p);
	}
	if (!v->name)
		return;
	if (v->license_name && strcmp(v->license_name, v->name) != 0)
		reg_err_add(&v->found, REG_ENO, LICENSE, 0, "/license/name",
			    "the license names %s, the dossier %s", quote(v->license_name, q1),
			    quote(v->name, q2));
	if (v->license_acceptance && v->dossier_number &&
	    strcmp(v->license_acceptance, v->dossier_number) != 0)
		reg_err_add(&v->found, REG_ENO, LICENSE, 0, "/license/issued/@acceptance",
			    "the license is of dossier %s, the archive's dossier.xml is %s",
			    quote(v->license_acceptance, q1), quote(v->dossier_number, q2));
	if (v->filing_name && strcmp(v->filing_name, v->name) != 0)
		reg_err_add(&v->found, REG_ENO, FILING, 0, "/seal-filing/enterprise/name",
			    "the seals are filed for %s, the dossier is of %s",
			    quote(v->filing_name, q1), quote(v->name, q2));
	disagreeing_records(v, v->record_names, v->name, "/registration/name", "name");
	disagreeing_records(v, v->record_usccs, v->top, "/registration/uscc", "USCC");
}

/* The twenty registration records (the catalog's items), and nothing else in registrations/. */
static void check_registrations(vctx *v)
{
	const reg_catalog *cat = v->opt->catalog;
	char path[REG_ARCHIVE_MAX_NAME + 64];
	size_t n = reg_catalog_item_count(cat);
	v->record_names = calloc(n + 1, sizeof *v->record_names);
	v->record_usccs = calloc(n + 1, sizeof *v->record_usccs);
	for (size_t i = 0; i < n; i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		snprintf(path, sizeof path, REG_DIR "%02d-%s.xml", reg_item_number(it), reg_item_id(it));
		xmlDoc *doc = load_doc(v, path, REG_NS_ARCHIVE, "registration");
		const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
		if (root && v->record_names && v->record_usccs) {
			v->record_names[i] = reg_xml_child_text(root, REG_NS_ARCHIVE, "name");
			v->record_usccs[i] = reg_xml_child_text(root, REG_NS_ARCHIVE, "uscc");
		}
		xmlFreeDoc(doc);
	}
	for (size_t j = 0; j < reg_archive_count(v->e); j++) {
		const char *p = reg_archive_at(v->e, j)->path;
		if (strncmp(p, REG_DIR, strlen(REG_DIR)) != 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < reg_catalog_item_count(cat) && !known; i++) {
			const reg_item *it = reg_catalog_item(cat, i);
			snprintf(path, sizeof path, REG_DIR "%02d-%s.xml", reg_item_number(it),
				 reg_item_id(it));
			known = strcmp(p, path) == 0;
		}
		if (!known)
			reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
				    "%s is not a registration record of the catalog", p);
	}
}

/* The seal drawings: one per catalog seal type, no other drawing in seals/. */
static void check_seal_files(vctx *v)
{
	const reg_catalog *cat = v->opt->catalog;
	char path[REG_ARCHIVE_MAX_NAME + 64];
	for (size_t i = 0; i < reg_catalog_seal_count(cat); i++) {
		const reg_seal_type *t = reg_catalog_seal(cat, i);
		snprintf(path, sizeof path, SEAL_DIR "%s-%s.svg", reg_seal_type_code(t),
			 reg_seal_type_id(t));
		xmlFreeDoc(load_doc(v, path, NULL, "svg"));
	}
	for (size_t j = 0; j < reg_archive_count(v->e); j++) {
		const char *p = reg_archive_at(v->e, j)->path;
		size_t n = strlen(p);
		if (strncmp(p, SEAL_DIR, strlen(SEAL_DIR)) != 0 || n < 4 ||
		    strcmp(p + n - 4, ".svg") != 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < reg_catalog_seal_count(cat) && !known; i++) {
			const reg_seal_type *t = reg_catalog_seal(cat, i);
			snprintf(path, sizeof path, SEAL_DIR "%s-%s.svg", reg_seal_type_code(t),
				 reg_seal_type_id(t));
			known = strcmp(p, path) == 0;
		}
		if (!known)
			reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
				    "%s is not a seal of the catalog", p);
	}
}

/* ---- the registry ------------------------------------------------------------------------- */

/* A seal the registry filed for this USCC must be in the filing record. */
static int registry_seal(const reg_registry_seal *s, void *ctx)
{
	vctx *v = ctx;
	for (size_t j = 0; j < v->n_seals; j++)
		if (v->seal_codes[j] && strcmp(v->seal_codes[j], s->code) == 0)
			return 0;
	char q[QUOTED_SIZE];
	reg_err_add(&v->found, REG_ENO, FILING, 0, NULL,
		    "seal code %s (type %s), filed in the registry, is not in the filing record",
		    quote(s->code, q), s->type);
	return 0;
}

static void check_registry(vctx *v)
{
	reg_registry *reg = v->opt->registry;
	reg_registry_issuance is = {0};
	bool found = false;
	char q1[QUOTED_SIZE], q2[QUOTED_SIZE];
	if (reg_registry_get_issuance_by_uscc(reg, v->top, &is, &found, &v->found) < 0)
		return;
	if (!found) {
		reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
			    "USCC %s was not issued by this registry", quote(v->top, q1));
		return;
	}
	const char *sha = reg_archive_sha256(v->e);
	reg_registry_archive edition = {0}, latest = {0};
	bool recorded = false, have_latest = false;
	if (reg_registry_find_archive(reg, sha, &edition, &recorded, &v->found) < 0 ||
	    (recorded && reg_registry_get_archive(reg, v->top, 0, &latest, &have_latest,
						  &v->found) < 0)) {
		reg_registry_issuance_clear(&is);
		reg_registry_archive_clear(&edition);
		return;
	}
	if (recorded && strcmp(edition.uscc, v->top) != 0)
		reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
			    "these bytes are the archive the registry issued for USCC %s, not %s",
			    quote(edition.uscc, q1), quote(v->top, q2));
	else if (recorded && have_latest && latest.edition != edition.edition)
		note(v, "edition %lld, superseded by edition %lld", (long long)edition.edition,
		     (long long)latest.edition);
	else if (recorded && edition.edition > 1)
		note(v, "edition %lld", (long long)edition.edition);
	if (recorded) {
		/* An edition the registry recorded: genuine whatever the issuance's first digest. */
	} else if (!is.archive_sha256)
		reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
			    "the registry holds no archive digest for USCC %s", quote(v->top, q1));
	else if (strcmp(is.archive_sha256, sha) != 0)
		reg_err_add(&v->found, REG_ENO, NULL, 0, NULL,
			    "archive sha-256 %s is not the %s recorded at issuance (%s)", sha,
			    is.archive_sha256,
			    reg_archive_canonical(v->e) ? "the tar inside is canonical: recompressed"
							: "the archive was repacked or altered");
	if (v->dossier_number && is.number && strcmp(v->dossier_number, is.number) != 0)
		reg_err_add(&v->found, REG_ENO, DOSSIER, 0, "/dossier/acceptance/@number",
			    "dossier %s, but the registry issued this USCC to dossier %s",
			    quote(v->dossier_number, q1), quote(is.number, q2));
	reg_registry_issuance_clear(&is);
	reg_registry_archive_clear(&edition);
	reg_registry_archive_clear(&latest);

	if (!v->filing_ok)
		return;
	for (size_t j = 0; j < v->n_seals; j++) {
		reg_registry_seal s = {0};
		bool have = false;
		if (reg_registry_get_seal(reg, v->seal_codes[j], &s, &have, &v->found) < 0)
			return;
		if (!have)
			reg_err_add(&v->found, REG_ENO, FILING, 0, NULL,
				    "seal code %s is not filed in the registry",
				    quote(v->seal_codes[j], q1));
		else if (strcmp(s.uscc, v->top) != 0)
			reg_err_add(&v->found, REG_ENO, FILING, 0, NULL,
				    "seal code %s is filed for USCC %s", quote(v->seal_codes[j], q1),
				    quote(s.uscc, q2));
		else if (strcmp(s.type, v->seal_types[j]) != 0)
			reg_err_add(&v->found, REG_ENO, FILING, 0, NULL,
				    "seal code %s is filed as type %s, not %s",
				    quote(v->seal_codes[j], q1), quote(s.type, q2), v->seal_types[j]);
		reg_registry_seal_clear(&s);
	}
	reg_registry_each_seal(reg, v->top, registry_seal, v, &v->found);
}

/* ---- the whole ---------------------------------------------------------------------------- */

int reg_verify_archive(const reg_archive_entries *e, const reg_verify_options *opt,
		       reg_err **errp)
{
	if (!e || !opt || !opt->key || !opt->catalog)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "verify needs an archive, a key and a catalog");
	vctx v = {.e = e, .opt = opt, .top = reg_archive_top(e)};
	char q[QUOTED_SIZE];

	reg_archive_check_manifest(e, opt->key, &v.found);
	reg_id_result r = reg_uscc_check(v.top);
	if (r.rule != REG_ID_OK)
		reg_err_add(&v.found, REG_ENO, NULL, 0, NULL,
			    "top directory %s is not a valid USCC: %s", quote(v.top, q), r.message);
	check_license(&v);
	xmlFreeDoc(load_doc(&v, LICENSE_SVG, NULL, "svg"));
	check_registrations(&v);
	check_seal_files(&v);
	check_filing(&v);
	check_dossier(&v);
	if (opt->registry)
		check_registry(&v);
	check_verdicts(&v);
	check_tree(&v);
	if (opt->test_authority)
		note(&v, "signed by the TEST authority %s, whose keys are public: it proves nothing",
		     opt->test_authority);

	free(v.dossier_number);
	free(v.name);
	free(v.license_name);
	free(v.license_acceptance);
	free(v.filing_name);
	for (size_t i = 0; v.record_names && i < reg_catalog_item_count(opt->catalog); i++) {
		free(v.record_names[i]);
		free(v.record_usccs[i]);
	}
	free(v.record_names);
	free(v.record_usccs);
	reg_statement_files_free(v.statements, v.n_statements);
	reg_approval_list_free(v.approvals, v.n_approvals);
	for (size_t j = 0; j < v.n_seals; j++) {
		free(v.seal_codes[j]);
		free(v.seal_types[j]);
	}
	free(v.seal_codes);
	free(v.seal_types);
	if (!v.found) {
		reg_err_append(errp, &v.notes);
		return 0;
	}
	reg_err_free(v.notes);
	reg_err_append(errp, &v.found);
	return -1;
}

static void put_escaped(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7F)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

char *reg_verify_reasons(const reg_err *chain, const char *archive)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return NULL;
	for (const reg_err *e = chain; e; e = reg_err_next(e)) {
		if (e != chain)
			fputs("; ", fp);
		const char *file = reg_err_file(e);
		if (file && *file && !(archive && strcmp(file, archive) == 0)) {
			put_escaped(fp, file);
			if (reg_err_line(e) > 0)
				fprintf(fp, ":%ld", reg_err_line(e));
			fputs(": ", fp);
		}
		if (reg_err_field(e) && *reg_err_field(e)) {
			put_escaped(fp, reg_err_field(e));
			fputs(": ", fp);
		}
		put_escaped(fp, reg_err_message(e));
	}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
