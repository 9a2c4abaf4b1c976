#include "catalog.h"
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>

#include "clock.h"
#include "utf8.h"
#include "xml.h"

/* Catalogs are configuration, but a runaway one must still not make loading quadratic. */
#define MAX_ENTRIES 1000

struct reg_department {
	char *id, *zh, *en;
	long line;
};

struct reg_material {
	char *id, *zh, *en;
	bool essential;
	int64_t defer;
	long line;
};

struct require {
	char *source, *message;
	xmlXPathCompExpr *expr;
	reg_on_fail on_fail;
	long line;
};

struct reg_item {
	char *id, *dept_id, *zh, *en;
	int number;
	reg_item_kind kind;
	bool rejection_blocks;
	reg_workdur time_limit;
	long line;
	const reg_department *dept;
	char *applies_src;
	xmlXPathCompExpr *applies;
	struct require *reqs;
	size_t n_reqs;
	char **uses;
	const reg_material **used;
	size_t n_uses;
};

struct reg_step {
	char *id, *zh, *en;
	int percent;
	bool to_supervisor;
	long line;
};

struct reg_seal_type {
	char *code, *id, *zh, *en, *font, *code_font;
	reg_seal_shape shape;
	double diameter, jsc_diameter, width, height, border, star_diameter;
	bool star;
	int64_t price_fen;
	long line;
};

struct reg_catalog {
	char *path, *name;
	long version;
	reg_department *depts;
	size_t n_depts;
	reg_material *materials;
	size_t n_materials;
	reg_item *items; /* sorted by number once loaded: items[i].number == i + 1 */
	size_t n_items;
	reg_step *steps;
	size_t n_steps;
	reg_seal_type *seals;
	size_t n_seals;
};

/* What a load is doing: the catalog under construction, every problem found so far, and the
 * XPath context expressions are compiled in. */
struct loader {
	reg_catalog *cat;
	const char *path;
	reg_err *err;
	bool oom;
	xmlXPathContext *xpc;
	bool xpath_failed;     /* libxml2 reported an error for the current expression */
	char xpath_msg[128];
	int xpath_offset;
};

static void problem(struct loader *ld, long line, const char *field, const char *fmt, ...)
	REG_PRINTF(4, 5);

static void problem(struct loader *ld, long line, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(&ld->err, REG_ECONFIG, ld->path, line, field, fmt, ap);
	va_end(ap);
}

/* ---- small readers ---- */

static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Schema types collapse whitespace but the tree keeps it: " amr " is a valid id. */
static char *trim(char *s)
{
	if (!s)
		return NULL;
	size_t start = 0, end = strlen(s);
	while (start < end && xml_space(s[start]))
		start++;
	while (end > start && xml_space(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

/* A required attribute (the schema saw it, so NULL means out of memory). */
static char *need_attr(struct loader *ld, const xmlNode *node, const char *name)
{
	char *v = trim(reg_xml_attr(node, name));
	if (!v)
		ld->oom = true;
	return v;
}

static char *opt_attr(const xmlNode *node, const char *name)
{
	return trim(reg_xml_attr(node, name));
}

static char *need_text(struct loader *ld, const xmlNode *parent, const char *name)
{
	char *v = reg_xml_child_text(parent, REG_NS_CATALOG, name);
	if (!v)
		ld->oom = true;
	return v;
}

static char *need_strdup(struct loader *ld, const char *s)
{
	char *v = strdup(s);
	if (!v)
		ld->oom = true;
	return v;
}

static size_t count_children(const xmlNode *parent, const char *name)
{
	size_t n = 0;
	reg_xml_for_each_child(c, parent, REG_NS_CATALOG, name)
		n++;
	return n;
}

/* A non-negative decimal integer (an optional '+' and leading zeros are valid XSD). */
static bool parse_long(const char *s, long max, long *out)
{
	long v = 0;
	if (s && *s == '+')
		s++;
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* digits[.fraction] with at most `places` fraction digits, as an integer in 1/10^places —
 * by hand, because strtod follows LC_NUMERIC. */
static bool parse_fixed(const char *s, int places, int64_t max, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || (frac >= 0 && ++frac > places) || v > max)
			return false;
		v = v * 10 + (*s - '0');
	}
	for (int i = frac < 0 ? 0 : frac; i < places; i++)
		v *= 10;
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Millimetres with 0.1 mm precision; absent → 0. */
static bool read_mm(const xmlNode *node, const char *name, double *out)
{
	char *s = opt_attr(node, name);
	int64_t tenths = 0;
	bool ok = !s || parse_fixed(s, 1, 100000, &tenths);
	*out = (double)tenths / 10.0;
	free(s);
	return ok;
}

/* ---- XPath ---- */

/* XPath 1.0's core library and the reg: functions of libreg/rules.h (docs/formats.md).  A
 * function added to rules.h must be added here, or catalogs using it are refused at load. */
static const char *const core_functions[] = {
	"last", "position", "count", "id", "local-name", "namespace-uri", "name", "string",
	"concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
	"string-length", "normalize-space", "translate", "boolean", "not", "true", "false",
	"lang", "number", "sum", "floor", "ceiling", "round",
	/* node type tests look like calls */
	"comment", "text", "processing-instruction", "node",
	/* operator names may stand before a parenthesis: `a and (b or c)` */
	"and", "or", "div", "mod",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	return false;
}

static bool name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/*
 * The first function an expression calls that neither XPath 1.0 nor rules.h provides, copied
 * into buf; false when every call is known.  libxml2 only resolves function names when it
 * evaluates them (and `false() and reg:typo()` never does), so this scans the source: outside
 * string literals, a (prefixed) name followed by '(' is a call.
 */
static bool unknown_function(const char *src, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)src;
	while (*p) {
		if (*p == '"' || *p == '\'') {
			const unsigned char *end = (const unsigned char *)strchr((const char *)p + 1, *p);
			if (!end)
				return false;
			p = end + 1;
			continue;
		}
		if (!name_start(*p)) {
			/* numbers and $variables are skipped whole, so "$x(" or "1e(" never count */
			if (*p == '$' || (*p >= '0' && *p <= '9')) {
				p++;
				while (name_char(*p))
					p++;
			} else {
				p++;
			}
			continue;
		}
		const unsigned char *start = p, *colon = NULL;
		while (name_char(*p))
			p++;
		if (p[0] == ':' && name_start(p[1])) {
			colon = p++;
			while (name_char(*p))
				p++;
		}
		const unsigned char *q = p;
		while (xml_space((char)*q))
			q++;
		if (*q != '(')
			continue;
		bool known;
		if (!colon)
			known = in_list(core_functions, sizeof core_functions / sizeof *core_functions,
					(const char *)start, (size_t)(p - start));
		else
			known = colon - start == 3 && memcmp(start, "reg", 3) == 0 &&
				reg_rules_has_function((const char *)colon + 1,
						       (size_t)(p - colon - 1));
		if (!known) {
			snprintf(buf, size, "%.*s", (int)(p - start), (const char *)start);
			return true;
		}
	}
	return false;
}

/* Whether parentheses and brackets close outside string literals: libxml2 2.9 compiles a call
 * left open at the very end ("f(" or "f(1,") without complaint. */
static bool balanced(const char *src)
{
	long parens = 0, brackets = 0;
	for (const char *p = src; *p; p++) {
		if (*p == '"' || *p == '\'') {
			const char *end = strchr(p + 1, *p);
			if (!end)
				return false;
			p = end;
			continue;
		}
		parens += (*p == '(') - (*p == ')');
		brackets += (*p == '[') - (*p == ']');
		if (parens < 0 || brackets < 0)
			return false;
	}
	return parens == 0 && brackets == 0;
}

/* libxml2's XPath error texts, by code - XML_XPATH_EXPRESSION_OK: a context with its own error
 * handler receives the code and the offset but no message. */
static const char *const xpath_messages[] = {
	"ok", "number encoding", "unfinished literal", "start of literal",
	"expected $ for variable reference", "undefined variable", "invalid predicate",
	"invalid expression", "missing closing curly brace", "unregistered function",
	"invalid operand", "invalid type", "invalid number of arguments", "invalid context size",
	"invalid context position", "memory allocation error", "syntax error", "resource error",
	"sub resource error", "undefined namespace prefix", "encoding error",
	"character out of the xml range", "invalid or incomplete context", "stack usage error",
	"variables are not allowed", "operation limit exceeded", "recursion limit exceeded",
};

/* libxml2 reports compile errors here (per context, never on its global stream). */
static void xpath_error(void *user, xmlError *error)
{
	struct loader *ld = user;
	if (ld->xpath_failed)
		return; /* the first error is the one that explains */
	ld->xpath_failed = true;
	const char *msg = "invalid expression";
	int index = error ? error->code - XML_XPATH_EXPRESSION_OK : -1;
	if (error && error->message)
		msg = error->message;
	else if (index >= 0 && (size_t)index < sizeof xpath_messages / sizeof *xpath_messages)
		msg = xpath_messages[index];
	snprintf(ld->xpath_msg, sizeof ld->xpath_msg, "%s", msg);
	size_t n = strlen(ld->xpath_msg);
	while (n && (xml_space(ld->xpath_msg[n - 1]) || ld->xpath_msg[n - 1] == '.'))
		ld->xpath_msg[--n] = '\0';
	if (ld->xpath_msg[0] >= 'A' && ld->xpath_msg[0] <= 'Z')
		ld->xpath_msg[0] = (char)(ld->xpath_msg[0] - 'A' + 'a');
	ld->xpath_offset = error ? error->int1 : -1;
}

/* " near 'foo(('" — up to 24 bytes from where libxml2 stopped, whitespace collapsed, never
 * cutting a UTF-8 character. */
static void near_text(const char *src, int offset, char *buf, size_t size)
{
	size_t len = strlen(src);
	if (offset < 0 || (size_t)offset > len) {
		buf[0] = '\0';
		return;
	}
	if ((size_t)offset == len) {
		snprintf(buf, size, " at the end");
		return;
	}
	char snip[32];
	size_t o = 0;
	const char *from = src + offset;
	while (reg_utf8_continues((unsigned char)*from))
		from++;
	for (const char *s = from; *s && o < 24; s++) {
		if (xml_space(*s)) {
			if (o && snip[o - 1] != ' ')
				snip[o++] = ' ';
			continue;
		}
		snip[o++] = *s;
	}
	o = reg_utf8_whole(snip, o);
	snip[o] = '\0';
	snprintf(buf, size, " near '%s'", snip);
}

/* Compile one expression of item `id`; NULL (and a problem reported) when it does not. */
static xmlXPathCompExpr *compile(struct loader *ld, const char *src, const char *id,
				 const char *what, long line, const char *field)
{
	char near[48], fn[80];
	if (!src)
		return NULL;
	if (!*src) {
		problem(ld, line, field, "item '%s': %s is empty", id, what);
		return NULL;
	}
	if (strlen(src) > REG_CATALOG_MAX_XPATH) {
		problem(ld, line, field, "item '%s': %s is longer than %d bytes", id, what,
			REG_CATALOG_MAX_XPATH);
		return NULL;
	}
	ld->xpath_failed = false;
	ld->xpath_offset = -1;
	xmlXPathCompExpr *expr = xmlXPathCtxtCompile(ld->xpc, BAD_CAST src);
	if (!expr || ld->xpath_failed) {
		near_text(src, ld->xpath_offset, near, sizeof near);
		problem(ld, line, field, "item '%s': %s does not compile: %s%s", id, what,
			ld->xpath_failed ? ld->xpath_msg : "invalid expression", near);
		xmlXPathFreeCompExpr(expr);
		return NULL;
	}
	if (!balanced(src)) {
		problem(ld, line, field,
			"item '%s': %s does not compile: unbalanced parentheses or brackets", id, what);
		xmlXPathFreeCompExpr(expr);
		return NULL;
	}
	if (unknown_function(src, fn, sizeof fn)) {
		problem(ld, line, field, "item '%s': %s calls unknown function '%s()'", id, what, fn);
		xmlXPathFreeCompExpr(expr);
		return NULL;
	}
	return expr;
}

/* ---- sections ---- */

/* Allocate `n` zeroed entries for a section, refusing runaway counts. */
static void *section_array(struct loader *ld, const xmlNode *section, const char *field,
			   size_t n, size_t size)
{
	if (n > MAX_ENTRIES) {
		problem(ld, reg_xml_line(section), field, "too many entries (%zu, at most %d)", n,
			MAX_ENTRIES);
		return NULL;
	}
	void *a = calloc(n ? n : 1, size);
	if (!a)
		ld->oom = true;
	return a;
}

static void load_departments(struct loader *ld, const xmlNode *section)
{
	static const char field[] = "/catalog/departments/department";
	reg_catalog *cat = ld->cat;
	size_t n = count_children(section, "department");
	if (!(cat->depts = section_array(ld, section, field, n, sizeof *cat->depts)))
		return;
	reg_xml_for_each_child(node, section, REG_NS_CATALOG, "department") {
		reg_department *d = &cat->depts[cat->n_depts++];
		d->line = reg_xml_line(node);
		d->id = need_attr(ld, node, "id");
		d->zh = need_text(ld, node, "zh");
		d->en = need_text(ld, node, "en");
		for (size_t i = 0; d->id && i + 1 < cat->n_depts; i++)
			if (cat->depts[i].id && strcmp(cat->depts[i].id, d->id) == 0)
				problem(ld, d->line, field,
					"department '%s' is already defined on line %ld", d->id,
					cat->depts[i].line);
	}
}

static void load_materials(struct loader *ld, const xmlNode *section)
{
	static const char field[] = "/catalog/materials/material";
	reg_catalog *cat = ld->cat;
	size_t n = count_children(section, "material");
	if (!(cat->materials = section_array(ld, section, field, n, sizeof *cat->materials)))
		return;
	reg_xml_for_each_child(node, section, REG_NS_CATALOG, "material") {
		reg_material *m = &cat->materials[cat->n_materials++];
		m->line = reg_xml_line(node);
		m->id = need_attr(ld, node, "id");
		m->zh = need_text(ld, node, "zh");
		m->en = need_text(ld, node, "en");
		char *essential = need_attr(ld, node, "essential");
		char *defer = opt_attr(node, "defer");
		m->essential = essential && strcmp(essential, "yes") == 0;
		const char *id = m->id ? m->id : "?";
		for (size_t i = 0; m->id && i + 1 < cat->n_materials; i++)
			if (cat->materials[i].id && strcmp(cat->materials[i].id, m->id) == 0)
				problem(ld, m->line, field,
					"material '%s' is already defined on line %ld", id,
					cat->materials[i].line);
		if (m->essential && defer) {
			problem(ld, m->line, field,
				"material '%s': an essential material cannot be deferred (defer='%s')",
				id, defer);
		} else if (!m->essential) {
			reg_err *derr = NULL;
			m->defer = REG_CATALOG_DEFAULT_DEFER;
			if (defer && reg_duration_parse(defer, &m->defer, &derr) < 0)
				problem(ld, m->line, field, "material '%s': bad defer '%s': %s", id,
					defer, reg_err_message(derr));
			else if (m->defer <= 0)
				problem(ld, m->line, field,
					"material '%s': defer '%s' must be longer than zero", id, defer);
			reg_err_free(derr);
		}
		free(essential);
		free(defer);
	}
}

static const reg_department *find_dept(const reg_catalog *cat, const char *id)
{
	for (size_t i = 0; id && i < cat->n_depts; i++)
		if (cat->depts[i].id && strcmp(cat->depts[i].id, id) == 0)
			return &cat->depts[i];
	return NULL;
}

static const reg_material *find_material(const reg_catalog *cat, const char *id)
{
	for (size_t i = 0; id && i < cat->n_materials; i++)
		if (cat->materials[i].id && strcmp(cat->materials[i].id, id) == 0)
			return &cat->materials[i];
	return NULL;
}

static void load_item(struct loader *ld, const xmlNode *node, reg_item *it)
{
	static const char field[] = "/catalog/items/item";
	reg_catalog *cat = ld->cat;
	long number = 0;
	it->line = reg_xml_line(node);
	it->id = need_attr(ld, node, "id");
	it->dept_id = need_attr(ld, node, "dept");
	it->zh = need_text(ld, node, "zh");
	it->en = need_text(ld, node, "en");
	const char *id = it->id ? it->id : "?";

	char *num = need_attr(ld, node, "number");
	if (num && !(parse_long(num, 99, &number) && number >= 1))
		problem(ld, it->line, field, "item '%s': bad number '%s'", id, num);
	it->number = (int)number;
	free(num);

	char *kind = need_attr(ld, node, "kind");
	it->kind = kind && strcmp(kind, "certificate") == 0 ? REG_ITEM_CERTIFICATE : REG_ITEM_FILING;
	free(kind);

	char *on_reject = opt_attr(node, "on-reject");
	it->rejection_blocks = !on_reject || strcmp(on_reject, "refuse-filing") != 0;
	free(on_reject);

	char *limit = need_attr(ld, node, "time-limit");
	reg_err *derr = NULL;
	if (limit && reg_workdur_parse(limit, &it->time_limit, &derr) < 0)
		problem(ld, it->line, field, "item '%s': bad time-limit '%s': %s", id, limit,
			reg_err_message(derr));
	else if (limit && reg_workdur_is_zero(it->time_limit))
		problem(ld, it->line, field, "item '%s': time-limit '%s' must be longer than zero",
			id, limit);
	reg_err_free(derr);
	free(limit);

	for (reg_item *other = cat->items; other < it; other++)
		if (it->id && other->id && strcmp(other->id, it->id) == 0)
			problem(ld, it->line, field, "item '%s' is already defined on line %ld", id,
				other->line);

	if (it->dept_id && !(it->dept = find_dept(cat, it->dept_id)))
		problem(ld, it->line, field, "item '%s': department '%s' does not exist", id,
			it->dept_id);

	xmlNode *applies = reg_xml_child(node, REG_NS_CATALOG, "applies-if");
	if (applies) {
		it->applies_src = reg_xml_text(applies);
		if (!it->applies_src)
			ld->oom = true;
		it->applies = compile(ld, it->applies_src, id, "applies-if", reg_xml_line(applies),
				      "/catalog/items/item/applies-if");
	}

	size_t n = count_children(node, "require");
	if (!(it->reqs = calloc(n ? n : 1, sizeof *it->reqs))) {
		ld->oom = true;
		return;
	}
	reg_xml_for_each_child(req, node, REG_NS_CATALOG, "require") {
		struct require *r = &it->reqs[it->n_reqs++];
		r->line = reg_xml_line(req);
		r->message = need_attr(ld, req, "message");
		/* The schema admits only "reject" and "supplement"; absent means reject. */
		char *on_fail = opt_attr(req, "on-fail");
		r->on_fail = on_fail && strcmp(on_fail, "supplement") == 0 ? REG_ON_FAIL_SUPPLEMENT
									   : REG_ON_FAIL_REJECT;
		free(on_fail);
		r->source = reg_xml_text(req);
		if (!r->source)
			ld->oom = true;
		r->expr = compile(ld, r->source, id, "require", r->line,
				  "/catalog/items/item/require");
	}

	n = count_children(node, "uses");
	it->uses = calloc(n ? n : 1, sizeof *it->uses);
	it->used = calloc(n ? n : 1, sizeof *it->used);
	if (!it->uses || !it->used) {
		ld->oom = true;
		return;
	}
	reg_xml_for_each_child(use, node, REG_NS_CATALOG, "uses") {
		char *mid = need_attr(ld, use, "material");
		if (!mid)
			continue;
		long line = reg_xml_line(use);
		for (size_t i = 0; i < it->n_uses; i++)
			if (strcmp(it->uses[i], mid) == 0)
				problem(ld, line, "/catalog/items/item/uses",
					"item '%s': material '%s' is listed twice", id, mid);
		const reg_material *m = find_material(cat, mid);
		if (!m)
			problem(ld, line, "/catalog/items/item/uses",
				"item '%s': material '%s' does not exist", id, mid);
		it->used[it->n_uses] = m;
		it->uses[it->n_uses++] = mid;
	}
}

static int by_number(const void *a, const void *b)
{
	const reg_item *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void load_items(struct loader *ld, const xmlNode *section)
{
	static const char field[] = "/catalog/items/item";
	reg_catalog *cat = ld->cat;
	size_t n = count_children(section, "item");
	if (!(cat->items = section_array(ld, section, field, n, sizeof *cat->items)))
		return;
	reg_xml_for_each_child(node, section, REG_NS_CATALOG, "item")
		load_item(ld, node, &cat->items[cat->n_items++]);

	/* Numbers run 1..N: sort (document order among equals) and look for repeats and gaps.
	 * Nothing points into the item array yet, so the entries may move. */
	qsort(cat->items, cat->n_items, sizeof *cat->items, by_number);
	int expect = 1;
	for (size_t i = 0; i < cat->n_items; i++) {
		const reg_item *it = &cat->items[i];
		const char *id = it->id ? it->id : "?";
		if (it->number < 1)
			continue; /* already reported */
		if (i > 0 && it->number == cat->items[i - 1].number) {
			problem(ld, it->line, field, "item '%s': number %d is already item '%s''s", id,
				it->number, cat->items[i - 1].id ? cat->items[i - 1].id : "?");
			continue;
		}
		if (it->number != expect)
			problem(ld, it->line, field,
				"item '%s': number %d, but no item has number %d (numbers run 1..N)",
				id, it->number, expect);
		expect = it->number + 1;
	}
}

static void load_steps(struct loader *ld, const xmlNode *section)
{
	static const char field[] = "/catalog/escalation/step";
	reg_catalog *cat = ld->cat;
	size_t n = count_children(section, "step");
	if (!(cat->steps = section_array(ld, section, field, n, sizeof *cat->steps)))
		return;
	reg_xml_for_each_child(node, section, REG_NS_CATALOG, "step") {
		reg_step *s = &cat->steps[cat->n_steps++];
		long percent = 0;
		s->line = reg_xml_line(node);
		s->id = need_attr(ld, node, "id");
		s->zh = need_text(ld, node, "zh");
		s->en = need_text(ld, node, "en");
		const char *id = s->id ? s->id : "?";
		char *at = need_attr(ld, node, "at");
		if (at && !(parse_long(at, 1000, &percent) && percent >= 1))
			problem(ld, s->line, field, "step '%s': bad percent '%s'", id, at);
		s->percent = (int)percent;
		free(at);
		/* The schema admits only "department" and "supervisor"; absent means department. */
		char *to = opt_attr(node, "to");
		s->to_supervisor = to && strcmp(to, "supervisor") == 0;
		free(to);
		if (cat->n_steps < 2)
			continue;
		const reg_step *prev = &cat->steps[cat->n_steps - 2];
		for (size_t i = 0; s->id && i + 1 < cat->n_steps; i++)
			if (cat->steps[i].id && strcmp(cat->steps[i].id, s->id) == 0)
				problem(ld, s->line, field, "step '%s' is already defined on line %ld",
					id, cat->steps[i].line);
		if (s->percent <= prev->percent)
			problem(ld, s->line, field,
				"step '%s' at %d%% must come after step '%s' at %d%% (percents ascend)",
				id, s->percent, prev->id ? prev->id : "?", prev->percent);
	}
}

static void load_seals(struct loader *ld, const xmlNode *section)
{
	static const char field[] = "/catalog/seals/seal";
	reg_catalog *cat = ld->cat;
	size_t n = count_children(section, "seal");
	if (!(cat->seals = section_array(ld, section, field, n, sizeof *cat->seals)))
		return;
	reg_xml_for_each_child(node, section, REG_NS_CATALOG, "seal") {
		reg_seal_type *s = &cat->seals[cat->n_seals++];
		s->line = reg_xml_line(node);
		s->code = need_attr(ld, node, "code");
		s->id = need_attr(ld, node, "id");
		s->zh = need_text(ld, node, "zh");
		s->en = need_text(ld, node, "en");
		s->font = need_attr(ld, node, "font");
		s->code_font = opt_attr(node, "code-font");
		const char *id = s->id ? s->id : "?";

		char *shape = need_attr(ld, node, "shape");
		s->shape = !shape ? REG_SEAL_ROUND
			   : strcmp(shape, "square") == 0 ? REG_SEAL_SQUARE
			   : strcmp(shape, "oval") == 0 ? REG_SEAL_OVAL : REG_SEAL_ROUND;
		free(shape);
		char *star = need_attr(ld, node, "star");
		s->star = star && strcmp(star, "yes") == 0;
		free(star);

		if (!read_mm(node, "diameter", &s->diameter) ||
		    !read_mm(node, "jsc-diameter", &s->jsc_diameter) ||
		    !read_mm(node, "width", &s->width) || !read_mm(node, "height", &s->height) ||
		    !read_mm(node, "border", &s->border) ||
		    !read_mm(node, "star-diameter", &s->star_diameter))
			problem(ld, s->line, field, "seal '%s': a size is not a length in millimetres",
				id);
		if (s->shape == REG_SEAL_ROUND) {
			if (s->diameter <= 0)
				problem(ld, s->line, field, "seal '%s': a round seal needs a diameter", id);
			if (s->width > 0 || s->height > 0)
				problem(ld, s->line, field,
					"seal '%s': a round seal has a diameter, not width and height", id);
			s->width = s->height = s->diameter;
			if (s->jsc_diameter <= 0)
				s->jsc_diameter = s->diameter;
		} else {
			if (s->width <= 0 || s->height <= 0)
				problem(ld, s->line, field, "seal '%s': %s %s seal needs width and height",
					id, s->shape == REG_SEAL_OVAL ? "an" : "a",
					reg_seal_shape_name(s->shape));
			if (s->diameter > 0 || s->jsc_diameter > 0)
				problem(ld, s->line, field,
					"seal '%s': only a round seal has a diameter", id);
		}
		if (s->star && s->star_diameter <= 0)
			problem(ld, s->line, field, "seal '%s': a star needs a star-diameter", id);
		if (!s->star && s->star_diameter > 0)
			problem(ld, s->line, field, "seal '%s': star-diameter given without a star", id);

		char *price = need_attr(ld, node, "engraving-price");
		if (price && !parse_fixed(price, 2, INT64_C(1000000000), &s->price_fen))
			problem(ld, s->line, field, "seal '%s': bad engraving-price '%s'", id, price);
		free(price);

		for (size_t i = 0; i + 1 < cat->n_seals; i++) {
			const reg_seal_type *o = &cat->seals[i];
			if (s->code && o->code && strcmp(o->code, s->code) == 0)
				problem(ld, s->line, field,
					"seal '%s': code '%s' is already seal '%s''s", id, s->code,
					o->id ? o->id : "?");
			if (s->id && o->id && strcmp(o->id, s->id) == 0)
				problem(ld, s->line, field, "seal '%s' is already defined on line %ld",
					id, o->line);
		}
	}
}

/* ---- schema problems, named after their item ---- */

struct span {
	long first, last;
	char *id;
};

static long last_line(const xmlNode *node)
{
	long last = reg_xml_line(node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		long l = last_line(c);
		if (l > last)
			last = l;
	}
	return last;
}

/*
 * The schema speaks of elements ("element 'uses': attribute 'material' …"); a city editing its
 * catalog thinks in items.  Every problem whose line lies inside an <item> gets the item's id
 * in front, so "item 'recycling': …" reads the same whether the schema or the semantic checks
 * found it.
 */
static void name_schema_problems(xmlDoc *doc, reg_err **errp)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *items = root ? reg_xml_child(root, REG_NS_CATALOG, "items") : NULL;
	size_t n = items ? count_children(items, "item") : 0;
	if (n == 0 || n > MAX_ENTRIES)
		return;
	struct span *spans = calloc(n, sizeof *spans);
	if (!spans)
		return;
	size_t k = 0;
	reg_xml_for_each_child(item, items, REG_NS_CATALOG, "item") {
		spans[k].first = reg_xml_line(item);
		spans[k].last = last_line(item);
		spans[k].id = trim(reg_xml_attr(item, "id"));
		k++;
	}
	reg_err *named = NULL;
	for (const reg_err *e = *errp; e; e = reg_err_next(e)) {
		const char *id = NULL;
		long line = reg_err_line(e);
		for (size_t i = 0; line > 0 && i < n && !id; i++)
			if (line >= spans[i].first && line <= spans[i].last && spans[i].id)
				id = spans[i].id;
		if (id)
			reg_err_add(&named, reg_err_code(e), reg_err_file(e), line, reg_err_field(e),
				    "item '%s': %s", id, reg_err_message(e));
		else
			reg_err_add(&named, reg_err_code(e), reg_err_file(e), line, reg_err_field(e),
				    "%s", reg_err_message(e));
	}
	if (named) {
		reg_err_free(*errp);
		*errp = named;
	}
	for (size_t i = 0; i < n; i++)
		free(spans[i].id);
	free(spans);
}

/* ---- load ---- */

static reg_catalog *build(struct loader *ld, xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	reg_catalog *cat = ld->cat = calloc(1, sizeof *cat);
	if (!cat || !root) {
		ld->oom = true;
		return cat;
	}
	cat->path = need_strdup(ld, ld->path);
	cat->name = need_attr(ld, root, "name");
	char *version = need_attr(ld, root, "version");
	if (version && !parse_long(version, 1000000000L, &cat->version))
		problem(ld, reg_xml_line(root), "/catalog", "bad version '%s'", version);
	free(version);

	load_departments(ld, reg_xml_child(root, REG_NS_CATALOG, "departments"));
	load_materials(ld, reg_xml_child(root, REG_NS_CATALOG, "materials"));
	load_items(ld, reg_xml_child(root, REG_NS_CATALOG, "items"));
	load_steps(ld, reg_xml_child(root, REG_NS_CATALOG, "escalation"));
	load_seals(ld, reg_xml_child(root, REG_NS_CATALOG, "seals"));
	return cat;
}

reg_catalog *reg_catalog_load(const char *path, const char *schema_dir, reg_err **errp)
{
	struct loader ld = {.path = path};
	xmlDoc *doc = NULL;
	xmlSchema *schema = NULL;
	char *xsd = NULL;
	reg_catalog *cat = NULL;

	if (!path || !schema_dir) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
			    "reg_catalog_load needs a catalog path and a schema directory");
		return NULL;
	}
	if (!(doc = reg_xml_parse_file(path, &ld.err)))
		goto out;
	if (asprintf(&xsd, "%s/catalog.xsd", schema_dir) < 0) {
		xsd = NULL;
		ld.oom = true;
		goto out;
	}
	if (!(schema = reg_xml_schema_load(xsd, &ld.err)))
		goto out;
	if (reg_xml_validate(schema, doc, path, &ld.err) < 0 || ld.err) {
		name_schema_problems(doc, &ld.err);
		goto out;
	}

	if (!(ld.xpc = xmlXPathNewContext(NULL))) {
		ld.oom = true;
		goto out;
	}
	/* Unknown prefixes and variables fail at compile time; errors come to us. */
	ld.xpc->flags = XML_XPATH_CHECKNS | XML_XPATH_NOVAR;
	ld.xpc->userData = &ld;
	ld.xpc->error = xpath_error;
	if (xmlXPathRegisterNs(ld.xpc, BAD_CAST "d", BAD_CAST REG_NS_DOSSIER) != 0 ||
	    xmlXPathRegisterNs(ld.xpc, BAD_CAST "reg", BAD_CAST REG_NS_FUNCTIONS) != 0) {
		ld.oom = true;
		goto out;
	}
	cat = build(&ld, doc);

out:
	if (ld.oom)
		reg_err_set(&ld.err, REG_EINTERNAL, path, 0, NULL, "out of memory");
	if (ld.err) {
		/* A catalog that cannot be read is a configuration problem (exit 78), whatever the
		 * parser called it — short of running out of memory. */
		if (!ld.oom)
			reg_err_recode(ld.err, REG_ECONFIG);
		reg_err_locate(ld.err, path, 0);
		reg_catalog_free(cat);
		cat = NULL;
		reg_err_append(errp, &ld.err);
	}
	xmlXPathFreeContext(ld.xpc);
	xmlSchemaFree(schema);
	xmlFreeDoc(doc);
	free(xsd);
	return cat;
}

void reg_catalog_free(reg_catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n_depts; i++) {
		free(cat->depts[i].id);
		free(cat->depts[i].zh);
		free(cat->depts[i].en);
	}
	for (size_t i = 0; i < cat->n_materials; i++) {
		free(cat->materials[i].id);
		free(cat->materials[i].zh);
		free(cat->materials[i].en);
	}
	for (size_t i = 0; i < cat->n_items; i++) {
		reg_item *it = &cat->items[i];
		free(it->id);
		free(it->dept_id);
		free(it->zh);
		free(it->en);
		free(it->applies_src);
		xmlXPathFreeCompExpr(it->applies);
		for (size_t j = 0; j < it->n_reqs; j++) {
			free(it->reqs[j].source);
			free(it->reqs[j].message);
			xmlXPathFreeCompExpr(it->reqs[j].expr);
		}
		free(it->reqs);
		for (size_t j = 0; j < it->n_uses; j++)
			free(it->uses[j]);
		free(it->uses);
		free(it->used);
	}
	for (size_t i = 0; i < cat->n_steps; i++) {
		free(cat->steps[i].id);
		free(cat->steps[i].zh);
		free(cat->steps[i].en);
	}
	for (size_t i = 0; i < cat->n_seals; i++) {
		reg_seal_type *s = &cat->seals[i];
		free(s->code);
		free(s->id);
		free(s->zh);
		free(s->en);
		free(s->font);
		free(s->code_font);
	}
	free(cat->depts);
	free(cat->materials);
	free(cat->items);
	free(cat->steps);
	free(cat->seals);
	free(cat->path);
	free(cat->name);
	free(cat);
}

/* ---- accessors ---- */

const char *reg_catalog_path(const reg_catalog *cat) { return cat->path; }
const char *reg_catalog_name(const reg_catalog *cat) { return cat->name; }
long reg_catalog_version(const reg_catalog *cat) { return cat->version; }

size_t reg_catalog_department_count(const reg_catalog *cat) { return cat->n_depts; }

const reg_department *reg_catalog_department(const reg_catalog *cat, size_t i)
{
	return i < cat->n_depts ? &cat->depts[i] : NULL;
}

const reg_department *reg_catalog_find_department(const reg_catalog *cat, const char *id)
{
	return find_dept(cat, id);
}

const char *reg_department_id(const reg_department *d) { return d->id; }
const char *reg_department_zh(const reg_department *d) { return d->zh; }
const char *reg_department_en(const reg_department *d) { return d->en; }

size_t reg_catalog_material_count(const reg_catalog *cat) { return cat->n_materials; }

const reg_material *reg_catalog_material(const reg_catalog *cat, size_t i)
{
	return i < cat->n_materials ? &cat->materials[i] : NULL;
}

const reg_material *reg_catalog_find_material(const reg_catalog *cat, const char *id)
{
	return find_material(cat, id);
}

const char *reg_material_id(const reg_material *m) { return m->id; }
const char *reg_material_zh(const reg_material *m) { return m->zh; }
const char *reg_material_en(const reg_material *m) { return m->en; }
bool reg_material_essential(const reg_material *m) { return m->essential; }
int64_t reg_material_defer(const reg_material *m) { return m->essential ? 0 : m->defer; }

size_t reg_catalog_item_count(const reg_catalog *cat) { return cat->n_items; }

const reg_item *reg_catalog_item(const reg_catalog *cat, size_t i)
{
	return i < cat->n_items ? &cat->items[i] : NULL;
}

const reg_item *reg_catalog_find_item(const reg_catalog *cat, const char *id)
{
	for (size_t i = 0; id && i < cat->n_items; i++)
		if (strcmp(cat->items[i].id, id) == 0)
			return &cat->items[i];
	return NULL;
}

const reg_item *reg_catalog_item_by_number(const reg_catalog *cat, int number)
{
	return number >= 1 && (size_t)number <= cat->n_items ? &cat->items[number - 1] : NULL;
}

const char *reg_item_id(const reg_item *it) { return it->id; }
int reg_item_number(const reg_item *it) { return it->number; }
const char *reg_item_dept(const reg_item *it) { return it->dept_id; }
const reg_department *reg_item_department(const reg_item *it) { return it->dept; }
reg_item_kind reg_item_kind_of(const reg_item *it) { return it->kind; }
bool reg_item_rejection_blocks(const reg_item *it) { return it->rejection_blocks; }

const char *reg_item_kind_name(reg_item_kind kind)
{
	return kind == REG_ITEM_CERTIFICATE ? "certificate" : "filing";
}

const char *reg_item_zh(const reg_item *it) { return it->zh; }
const char *reg_item_en(const reg_item *it) { return it->en; }
reg_workdur reg_item_time_limit(const reg_item *it) { return it->time_limit; }
long reg_item_line(const reg_item *it) { return it->line; }
const char *reg_item_applies_if(const reg_item *it) { return it->applies_src; }
xmlXPathCompExpr *reg_item_applies_if_expr(const reg_item *it) { return it->applies; }
size_t reg_item_require_count(const reg_item *it) { return it->n_reqs; }

const char *reg_item_require_source(const reg_item *it, size_t i)
{
	return i < it->n_reqs ? it->reqs[i].source : NULL;
}

xmlXPathCompExpr *reg_item_require_expr(const reg_item *it, size_t i)
{
	return i < it->n_reqs ? it->reqs[i].expr : NULL;
}

const char *reg_item_require_message(const reg_item *it, size_t i)
{
	return i < it->n_reqs ? it->reqs[i].message : NULL;
}

long reg_item_require_line(const reg_item *it, size_t i)
{
	return i < it->n_reqs ? it->reqs[i].line : 0;
}

reg_on_fail reg_item_require_on_fail(const reg_item *it, size_t i)
{
	return i < it->n_reqs ? it->reqs[i].on_fail : REG_ON_FAIL_REJECT;
}

const char *reg_on_fail_name(reg_on_fail on_fail)
{
	return on_fail == REG_ON_FAIL_SUPPLEMENT ? "supplement" : "reject";
}

size_t reg_item_material_count(const reg_item *it) { return it->n_uses; }

const char *reg_item_material_id(const reg_item *it, size_t i)
{
	return i < it->n_uses ? it->uses[i] : NULL;
}

const reg_material *reg_item_material(const reg_item *it, size_t i)
{
	return i < it->n_uses ? it->used[i] : NULL;
}

bool reg_item_uses(const reg_item *it, const char *material_id)
{
	for (size_t i = 0; material_id && i < it->n_uses; i++)
		if (strcmp(it->uses[i], material_id) == 0)
			return true;
	return false;
}

size_t reg_catalog_step_count(const reg_catalog *cat) { return cat->n_steps; }

const reg_step *reg_catalog_step(const reg_catalog *cat, size_t i)
{
	return i < cat->n_steps ? &cat->steps[i] : NULL;
}

const char *reg_step_id(const reg_step *s) { return s->id; }
int reg_step_percent(const reg_step *s) { return s->percent; }
bool reg_step_to_supervisor(const reg_step *s) { return s->to_supervisor; }
const char *reg_step_zh(const reg_step *s) { return s->zh; }
const char *reg_step_en(const reg_step *s) { return s->en; }

size_t reg_catalog_seal_count(const reg_catalog *cat) { return cat->n_seals; }

const reg_seal_type *reg_catalog_seal(const reg_catalog *cat, size_t i)
{
	return i < cat->n_seals ? &cat->seals[i] : NULL;
}

const reg_seal_type *reg_catalog_find_seal(const reg_catalog *cat, const char *id)
{
	for (size_t i = 0; id && i < cat->n_seals; i++)
		if (strcmp(cat->seals[i].id, id) == 0)
			return &cat->seals[i];
	return NULL;
}

const char *reg_seal_type_code(const reg_seal_type *s) { return s->code; }
const char *reg_seal_type_id(const reg_seal_type *s) { return s->id; }
const char *reg_seal_type_zh(const reg_seal_type *s) { return s->zh; }
const char *reg_seal_type_en(const reg_seal_type *s) { return s->en; }
reg_seal_shape reg_seal_type_shape(const reg_seal_type *s) { return s->shape; }

const char *reg_seal_shape_name(reg_seal_shape shape)
{
	switch (shape) {
	case REG_SEAL_ROUND: return "round";
	case REG_SEAL_SQUARE: return "square";
	case REG_SEAL_OVAL: return "oval";
	}
	return "round";
}

double reg_seal_type_diameter(const reg_seal_type *s) { return s->diameter; }
double reg_seal_type_jsc_diameter(const reg_seal_type *s) { return s->jsc_diameter; }
double reg_seal_type_width(const reg_seal_type *s) { return s->width; }
double reg_seal_type_height(const reg_seal_type *s) { return s->height; }
double reg_seal_type_border(const reg_seal_type *s) { return s->border; }
bool reg_seal_type_star(const reg_seal_type *s) { return s->star; }
double reg_seal_type_star_diameter(const reg_seal_type *s) { return s->star_diameter; }
const char *reg_seal_type_font(const reg_seal_type *s) { return s->font; }
const char *reg_seal_type_code_font(const reg_seal_type *s) { return s->code_font; }
int64_t reg_seal_type_price_fen(const reg_seal_type *s) { return s->price_fen; }
