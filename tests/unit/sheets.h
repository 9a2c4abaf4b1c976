/*
 * sheets.h — reading printed sheets back (libreg/page.h: one SVG per sheet), for the tests of
 * the license and the notices: the sheets of a document in their order, the texts of a class
 * across them, and whether every line of text stays inside a frame.  Drawings nested in a sheet
 * (the authority's stamp) are left out: their texts are the seal's.
 */
#ifndef REG_TEST_SHEETS_H
#define REG_TEST_SHEETS_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "tap.h"
#include "xml.h"

static const reg_document *document(const reg_document *docs, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(docs[i].path, path) == 0)
			return &docs[i];
	return NULL;
}

/* The sheets of document `name` in their order — NAME.svg, NAME-2.svg … — parsed with
 * libxml2 (so well-formed); returns how many (at most max), stopping at the first missing or
 * not well-formed one. */
static size_t sheets_of(const reg_document *docs, size_t n, const char *name, xmlDoc **sheets,
			size_t max)
{
	size_t count = 0;
	for (size_t k = 1; k <= max; k++) {
		char path[128];
		if (k == 1)
			snprintf(path, sizeof path, "%s.svg", name);
		else
			snprintf(path, sizeof path, "%s-%zu.svg", name, k);
		const reg_document *d = document(docs, n, path);
		if (!d)
			break;
		reg_err *err = NULL;
		sheets[count] = reg_xml_parse_memory(d->data, d->len, path, &err);
		if (!sheets[count]) {
			diag("%s: %s", path, reg_err_message(err));
			reg_err_free(err);
			break;
		}
		count++;
	}
	return count;
}

static void free_sheets(xmlDoc **sheets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		xmlFreeDoc(sheets[i]);
}

typedef bool (*text_fn)(xmlNode *text, const char *content, void *ctx);

/* Calls fn for each <text> of class cls (NULL: every <text>) in document order, leaving out
 * nested drawings; stops when fn returns false. */
static bool each_text(xmlNode *n, const char *cls, text_fn fn, void *ctx)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "svg") == 0 && n->parent &&
		    n->parent->type == XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "text") == 0) {
			char *c = reg_xml_attr(n, "class");
			bool match = !cls || (c && strcmp(c, cls) == 0);
			free(c);
			if (match) {
				char *t = reg_xml_text(n);
				bool go = fn(n, t ? t : "", ctx);
				free(t);
				if (!go)
					return false;
			}
		}
		if (!each_text(n->children, cls, fn, ctx))
			return false;
	}
	return true;
}

struct text_buf {
	char *s;
	size_t len, count;
};

static bool append_text(xmlNode *text, const char *content, void *ctx)
{
	(void)text;
	struct text_buf *b = ctx;
	size_t add = strlen(content);
	char *s = realloc(b->s, b->len + add + 1);
	if (!s)
		abort();
	b->s = s;
	memcpy(b->s + b->len, content, add + 1);
	b->len += add;
	b->count++;
	return true;
}

/* The texts of class cls (NULL: all) on every sheet, joined in order (caller frees); *count
 * (may be NULL) how many <text> they were. */
static char *texts(xmlDoc **sheets, size_t n, const char *cls, size_t *count)
{
	struct text_buf b = {calloc(1, 1), 0, 0};
	if (!b.s)
		abort();
	for (size_t i = 0; i < n; i++)
		each_text(xmlDocGetRootElement(sheets[i]), cls, append_text, &b);
	if (count)
		*count = b.count;
	return b.s;
}

static bool has_text(xmlDoc **sheets, size_t n, const char *cls, const char *want)
{
	char *all = texts(sheets, n, cls, NULL);
	bool found = strstr(all, want) != NULL;
	free(all);
	return found;
}

static double attr_num(xmlNode *n, const char *name)
{
	char *v = reg_xml_attr(n, name);
	double d = v ? strtod(v, NULL) : NAN;
	free(v);
	return d;
}

/* A conservative width of a text in em: 1 for every character but ASCII, 0.6 for those. */
static double em_of(const char *s)
{
	double em = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80)
			em += 0.6;
		else if ((*p & 0xC0) != 0x80)
			em += 1;
	return em;
}

/* Every unturned line of text inside the frame x0..x1, y0..y1 (its em box); the smallest text
 * of the classes in `values` (NULL-terminated; NULL: none). */
struct fit {
	double x0, x1, y0, y1;
	const char *const *values;
	double min_size;
	char where[256];
};

static bool check_fit(xmlNode *t, const char *content, void *ctx)
{
	struct fit *f = ctx;
	double x = attr_num(t, "x"), y = attr_num(t, "y"), size = attr_num(t, "font-size");
	char *anchor = reg_xml_attr(t, "text-anchor"), *tr = reg_xml_attr(t, "transform");
	char *cls = reg_xml_attr(t, "class");
	double w = em_of(content) * size;
	double left = !anchor ? x : strcmp(anchor, "middle") == 0 ? x - w / 2
				  : strcmp(anchor, "end") == 0 ? x - w : x;
	for (size_t i = 0; f->values && cls && f->values[i]; i++)
		if (strcmp(cls, f->values[i]) == 0 && size < f->min_size)
			f->min_size = size;
	if (!tr && !f->where[0] &&
	    (left < f->x0 || left + w > f->x1 || y - 0.88 * size < f->y0 || y > f->y1))
		snprintf(f->where, sizeof f->where, "%s '%.60s' at %.1f,%.1f, %.2f mm wide",
			 cls ? cls : "text", content, left, y, w);
	free(anchor);
	free(tr);
	free(cls);
	return true;
}

#endif
