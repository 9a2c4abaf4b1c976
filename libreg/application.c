#include "application.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "decimal.h"
#include "i18n.h"
#include "ids.h"
#include "xml.h"

static const struct column_info {
	const char *name, *alias, *description;
	bool required;
	const char *path; /* the dossier element (path prefix) the column fills */
} columns[REG_COL__COUNT] = {
	[REG_COL_NAME] = {"name", "企业名称", N_("enterprise name (行政区划+字号+行业+组织形式)"), true,
			  "/dossier/enterprise/name"},
	[REG_COL_FORM] = {"form", "组织形式", N_("legal form: llc, jsc, sole or partnership"), true,
			  "/dossier/enterprise/form"},
	[REG_COL_CAPITAL] = {"capital", "注册资本", N_("registered capital in yuan, e.g. 1000000.00"),
			     true, "/dossier/enterprise/capital"},
	[REG_COL_DIVISION] = {"division", "行政区划", N_("GB/T 2260 code of the address"), true,
			      "/dossier/enterprise/address/@division"},
	[REG_COL_ADDRESS] = {"address", "住所", N_("address of the premises"), true,
			     "/dossier/enterprise/address"},
	[REG_COL_SCOPE] = {"scope", "经营范围", N_("business scope"), true, "/dossier/enterprise/scope"},
	[REG_COL_INDUSTRY] = {"industry", "行业代码", N_("GB/T 4754 industry code, e.g. F5123"), true,
			      "/dossier/enterprise/scope/@industry"},
	[REG_COL_LEGAL_REP_NAME] = {"legal_rep_name", "法定代表人", N_("legal representative"), true,
				    "/dossier/enterprise/legal-representative/name"},
	[REG_COL_LEGAL_REP_ID] = {"legal_rep_id", "法定代表人身份证号",
				  N_("legal representative's citizen id"), true,
				  "/dossier/enterprise/legal-representative/citizen-id"},
	[REG_COL_LEGAL_REP_PHONE] = {"legal_rep_phone", "法定代表人电话",
				     N_("legal representative's phone"), false,
				     "/dossier/enterprise/legal-representative/phone"},
	[REG_COL_SHAREHOLDERS] = {"shareholders", "股东",
				  N_("name:citizen-id-or-USCC:percent;… summing to 100"), true,
				  "/dossier/enterprise/shareholders"},
	[REG_COL_FINANCE_OFFICER_NAME] = {"finance_officer_name", "财务负责人", N_("financial officer"),
					  false, "/dossier/enterprise/financial-officer/name"},
	[REG_COL_FINANCE_OFFICER_ID] = {"finance_officer_id", "财务负责人身份证号",
					N_("financial officer's citizen id"), false,
					"/dossier/enterprise/financial-officer/citizen-id"},
	[REG_COL_STAFF] = {"staff", "从业人数", N_("number of staff"), false, "/dossier/enterprise/staff"},
	[REG_COL_CONTACT_PHONE] = {"contact_phone", "联系电话", N_("contact phone"), false,
				   "/dossier/enterprise/contact"},
	[REG_COL_MATERIALS] = {"materials", "材料", N_("material[=file];… (file relative to the input)"),
			       true, "/dossier/materials"},
	[REG_COL_COMMITMENTS] = {"commitments", "承诺", N_("material@YYYY-MM-DD;… deferred materials"),
				 false, "/dossier/commitments"},
	[REG_COL_REQUESTS] = {"requests", "申请事项", N_("catalog item numbers or ids; empty = all"),
			      false, "/dossier/requests"},
};

const char *reg_column_name(reg_column c) { return columns[c].name; }
const char *reg_column_alias(reg_column c) { return columns[c].alias; }
const char *reg_column_description(reg_column c) { return _(columns[c].description); }
bool reg_column_required(reg_column c) { return columns[c].required; }

bool reg_column_is_report(const char *header)
{
	return header && (strcmp(header, "line") == 0 || strcmp(header, "reason") == 0);
}

const char *reg_column_for_path(const char *path)
{
	/* The longest matching prefix wins: address/@division before address. */
	const char *best = NULL;
	size_t best_len = 0;
	for (int c = 0; path && c < REG_COL__COUNT; c++) {
		size_t len = strlen(columns[c].path);
		if (len > best_len && strncmp(path, columns[c].path, len) == 0 &&
		    (path[len] == '\0' || path[len] == '/')) {
			best = columns[c].name;
			best_len = len;
		}
	}
	return best;
}

struct reg_columns {
	int position[REG_COL__COUNT]; /* -1: not in the header */
	size_t width;
};

static int column_by_header(const char *text)
{
	for (int c = 0; c < REG_COL__COUNT; c++)
		if (strcmp(text, columns[c].name) == 0 || strcmp(text, columns[c].alias) == 0)
			return c;
	return -1;
}

reg_columns *reg_columns_new(const char *const *header, size_t n, const char *file,
			     reg_err **errp)
{
	reg_err *err = NULL;
	reg_columns *cols = calloc(1, sizeof *cols);
	if (!cols) {
		reg_err_oom(errp);
		return NULL;
	}
	for (int c = 0; c < REG_COL__COUNT; c++)
		cols->position[c] = -1;
	cols->width = n;
	for (size_t i = 0; i < n; i++) {
		/* Spreadsheets write empty trailing columns: a nameless column carries nothing, and
		 * the report columns of a rejects file carry what the last run said. */
		if (!*header[i] || reg_column_is_report(header[i]))
			continue;
		int c = column_by_header(header[i]);
		if (c < 0)
			reg_err_add(&err, REG_EDATA, file, 1, header[i],
				    "unknown column (see reg-apply(1) for the column names)");
		else if (cols->position[c] >= 0)
			reg_err_add(&err, REG_EDATA, file, 1, header[i], "column given twice");
		else
			cols->position[c] = (int)i;
	}
	for (int c = 0; c < REG_COL__COUNT; c++)
		if (columns[c].required && cols->position[c] < 0)
			reg_err_add(&err, REG_EDATA, file, 1, columns[c].name,
				    "required column missing from the header");
	if (err) {
		reg_err_append(errp, &err);
		free(cols);
		return NULL;
	}
	return cols;
}

size_t reg_columns_width(const reg_columns *cols) { return cols->width; }
void reg_columns_free(reg_columns *cols) { free(cols); }

/* Building the dossier ------------------------------------------------------------------- */

typedef struct row {
	const char *const *values;
	reg_dossier *d;
	const char *file;
	long line;
	reg_err *err;
} row;

static const char *value(const row *r, reg_column c)
{
	const char *v = r->values[c];
	return v && *v ? v : NULL;
}

static int row_problem(row *r, reg_column c, const char *fmt, const char *subject)
{
	return reg_err_add(&r->err, REG_ENO, r->file, r->line, columns[c].name, fmt, subject);
}

static xmlNode *add_text(xmlNode *parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST text);
}

static xmlNode *ensure_child(xmlNode *parent, const char *name)
{
	xmlNode *n = reg_xml_child(parent, REG_NS_DOSSIER, name);
	return n ? n : xmlNewChild(parent, parent->ns, BAD_CAST name, NULL);
}

/* A decimal column normalised to two places ("60" → "60.00"), or NULL after a problem. */
static char *decimal_text(row *r, reg_column c, const char *text)
{
	int64_t hundredths;
	reg_err *e = NULL;
	if (reg_decimal_parse(text, &hundredths, &e) < 0) {
		row_problem(r, c, "%s", reg_err_message(e));
		reg_err_free(e);
		return NULL;
	}
	char buf[32];
	reg_decimal_format(hundredths, buf, sizeof buf);
	return strdup(buf);
}

static void add_person(row *r, xmlNode *ent, const char *element, reg_column name_col,
		       reg_column id_col, const char *phone)
{
	xmlNode *p = xmlNewChild(ent, ent->ns, BAD_CAST element, NULL);
	add_text(p, "name", value(r, name_col) ? value(r, name_col) : "");
	add_text(p, "citizen-id", value(r, id_col) ? value(r, id_col) : "");
	if (phone)
		add_text(p, "phone", phone);
}

/* The items of a list column: reg_split on a copy, empty items dropped (reg-apply(1)), at most
 * REG_APPLICATION_MAX_ITEMS of them (a longer list is one problem of its column). */
typedef struct list {
	char *copy;
	char *items[REG_APPLICATION_MAX_ITEMS];
	size_t n;
} list;

static int split_list(row *r, reg_column c, const char *text, char sep, list *l)
{
	*l = (list){0};
	if (!text)
		return 0;
	reg_err *e = NULL;
	int n = -1;
	if ((l->copy = strdup(text)))
		n = reg_split(l->copy, sep, l->items, REG_APPLICATION_MAX_ITEMS, &e);
	if (n < 0) {
		row_problem(r, c, "%s", e ? reg_err_message(e) : "out of memory");
		reg_err_free(e);
		free(l->copy);
		*l = (list){0};
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (*l->items[i])
			l->items[l->n++] = l->items[i];
	return 0;
}

static void free_list(list *l)
{
	free(l->copy);
}

/* A shareholder's identifier is a citizen id or a USCC; both are 18 characters and a USCC may
 * be all digits, so the one that validates decides, and only a code valid as neither falls back
 * to its shape (acceptance then reports why it is invalid). */
static bool looks_like_citizen_id(const char *s)
{
	if (reg_citizen_id_valid(s))
		return true;
	if (reg_uscc_valid(s))
		return false;
	for (size_t i = 0; s[i]; i++)
		if ((s[i] < '0' || s[i] > '9') && !(i == 17 && (s[i] == 'X' || s[i] == 'x')))
			return false;
	return true;
}

static void add_shareholders(row *r, xmlNode *ent)
{
	xmlNode *list_node = xmlNewChild(ent, ent->ns, BAD_CAST "shareholders", NULL);
	list l;
	if (split_list(r, REG_COL_SHAREHOLDERS, value(r, REG_COL_SHAREHOLDERS), ';', &l) < 0)
		return;
	if (l.n == 0)
		row_problem(r, REG_COL_SHAREHOLDERS, "at least one shareholder is required%s", "");
	for (size_t i = 0; i < l.n; i++) {
		char *whole = strdup(l.items[i]), *f[3];
		int k = whole ? reg_split(l.items[i], ':', f, 3, NULL) : -1;
		if (k != 3 || !*f[0] || !*f[1] || !*f[2]) {
			row_problem(r, REG_COL_SHAREHOLDERS, "'%s' is not name:identifier:share",
				whole ? whole : "");
		} else {
			xmlNode *s = xmlNewChild(list_node, list_node->ns, BAD_CAST "shareholder",
						 NULL);
			add_text(s, "name", f[0]);
			add_text(s, looks_like_citizen_id(f[1]) ? "citizen-id" : "uscc", f[1]);
			char *share = decimal_text(r, REG_COL_SHAREHOLDERS, f[2]);
			add_text(s, "share", share ? share : f[2]);
			free(share);
		}
		free(whole);
	}
	free_list(&l);
}

static void add_materials(row *r, xmlNode *root)
{
	list l;
	if (split_list(r, REG_COL_MATERIALS, value(r, REG_COL_MATERIALS), ';', &l) < 0 ||
	    l.n == 0) {
		free_list(&l);
		return;
	}
	xmlNode *list_node = ensure_child(root, "materials");
	for (size_t i = 0; i < l.n; i++) {
		char *eq = strchr(l.items[i], '=');
		if (eq)
			*eq = '\0';
		xmlNode *m = xmlNewChild(list_node, list_node->ns, BAD_CAST "material", NULL);
		xmlSetProp(m, BAD_CAST "type", BAD_CAST l.items[i]);
		/* "type=" names a file, an empty one: acceptance refuses it, it is not "sighted" */
		if (eq)
			xmlSetProp(m, BAD_CAST "href", BAD_CAST(eq + 1));
		else
			xmlSetProp(m, BAD_CAST "sighted", BAD_CAST "true");
	}
	free_list(&l);
}

static void add_commitments(row *r, xmlNode *root)
{
	list l;
	if (split_list(r, REG_COL_COMMITMENTS, value(r, REG_COL_COMMITMENTS), ';', &l) < 0 ||
	    l.n == 0) {
		free_list(&l);
		return;
	}
	xmlNode *list_node = ensure_child(root, "commitments");
	for (size_t i = 0; i < l.n; i++) {
		char *at = strchr(l.items[i], '@');
		if (!at || at == l.items[i] || !at[1]) {
			row_problem(r, REG_COL_COMMITMENTS, "'%s' is not material@YYYY-MM-DD",
				l.items[i]);
			continue;
		}
		*at = '\0';
		xmlNode *c = xmlNewChild(list_node, list_node->ns, BAD_CAST "commitment", NULL);
		xmlSetProp(c, BAD_CAST "material", BAD_CAST l.items[i]);
		xmlSetProp(c, BAD_CAST "due", BAD_CAST(at + 1));
	}
	free_list(&l);
}

/* Requests are kept as written (numbers or ids): acceptance resolves them against the catalog. */
static void add_requests(row *r, xmlNode *root)
{
	list l;
	if (split_list(r, REG_COL_REQUESTS, value(r, REG_COL_REQUESTS), ';', &l) < 0)
		return;
	if (l.n == 1 && strchr(l.items[0], ',')) { /* "1,3,8" reads naturally too */
		list commas;
		int rc = split_list(r, REG_COL_REQUESTS, l.items[0], ',', &commas);
		free_list(&l);
		if (rc < 0)
			return;
		l = commas;
	}
	if (l.n > 0) {
		xmlNode *list_node = ensure_child(root, "requests");
		for (size_t i = 0; i < l.n; i++) {
			xmlNode *q = xmlNewChild(list_node, list_node->ns, BAD_CAST "request",
						 NULL);
			xmlSetProp(q, BAD_CAST "item", BAD_CAST l.items[i]);
		}
	}
	free_list(&l);
}

static reg_dossier *build(row *r, reg_err **errp)
{
	r->d = reg_dossier_new(errp);
	if (!r->d)
		return NULL;
	reg_dossier *d = r->d;
	reg_dossier_set_origin(d, r->file, r->line);
	xmlNode *root = reg_dossier_root(d);
	xmlNode *ent = reg_dossier_section(d, "enterprise", true);
	static const reg_column plain[] = {REG_COL_NAME, REG_COL_FORM};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		add_text(ent, columns[plain[i]].path + strlen("/dossier/enterprise/"),
			 value(r, plain[i]) ? value(r, plain[i]) : "");
	if (value(r, REG_COL_CAPITAL)) {
		char *capital = decimal_text(r, REG_COL_CAPITAL, value(r, REG_COL_CAPITAL));
		add_text(ent, "capital", capital ? capital : value(r, REG_COL_CAPITAL));
		free(capital);
	} else {
		row_problem(r, REG_COL_CAPITAL, "required%s", "");
		add_text(ent, "capital", "");
	}
	xmlNode *addr = add_text(ent, "address", value(r, REG_COL_ADDRESS) ? value(r, REG_COL_ADDRESS) : "");
	xmlSetProp(addr, BAD_CAST "division",
		   BAD_CAST(value(r, REG_COL_DIVISION) ? value(r, REG_COL_DIVISION) : ""));
	xmlNode *scope = add_text(ent, "scope", value(r, REG_COL_SCOPE) ? value(r, REG_COL_SCOPE) : "");
	xmlSetProp(scope, BAD_CAST "industry",
		   BAD_CAST(value(r, REG_COL_INDUSTRY) ? value(r, REG_COL_INDUSTRY) : ""));
	add_person(r, ent, "legal-representative", REG_COL_LEGAL_REP_NAME, REG_COL_LEGAL_REP_ID,
		   value(r, REG_COL_LEGAL_REP_PHONE));
	add_shareholders(r, ent);
	if (value(r, REG_COL_FINANCE_OFFICER_NAME) || value(r, REG_COL_FINANCE_OFFICER_ID))
		add_person(r, ent, "financial-officer", REG_COL_FINANCE_OFFICER_NAME,
			   REG_COL_FINANCE_OFFICER_ID, NULL);
	if (value(r, REG_COL_STAFF))
		add_text(ent, "staff", value(r, REG_COL_STAFF));
	if (value(r, REG_COL_CONTACT_PHONE)) {
		xmlNode *contact = xmlNewChild(ent, ent->ns, BAD_CAST "contact", NULL);
		add_text(contact, "phone", value(r, REG_COL_CONTACT_PHONE));
	}
	/* Appended in the dossier's canonical section order. */
	add_requests(r, root);
	add_materials(r, root);
	add_commitments(r, root);
	if (r->err) {
		reg_err_append(errp, &r->err);
		reg_dossier_free(d);
		return NULL;
	}
	return d;
}

reg_dossier *reg_application_from_fields(const char *const values[REG_COL__COUNT],
					 const char *file, long line, reg_err **errp)
{
	row r = {.values = values, .file = file, .line = line};
	return build(&r, errp);
}

reg_dossier *reg_application_from_row(const reg_columns *cols, const char *const *values,
				      size_t n, const char *file, long line, reg_err **errp)
{
	if (n != cols->width) {
		reg_err_set(errp, REG_ENO, file, line, NULL,
			    "row has %zu fields but the header has %zu", n, cols->width);
		return NULL;
	}
	const char *by_column[REG_COL__COUNT] = {0};
	for (int c = 0; c < REG_COL__COUNT; c++)
		if (cols->position[c] >= 0)
			by_column[c] = values[cols->position[c]];
	return reg_application_from_fields(by_column, file, line, errp);
}
