#include "page.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "utf8.h"
#include "xml.h"

#define SVG_NS "http://www.w3.org/2000/svg"
/* Where an ideograph's em box lies around its baseline: its top 0.88 em above (as in seal.c). */
#define ASCENT 0.88
#define MIDDLE 0.38
/* A table cell's text keeps this much (mm) from its column's edges. */
#define CELL_PAD 1.0

void reg_documents_free(reg_document *docs, size_t n)
{
	for (size_t i = 0; docs && i < n; i++) {
		free(docs[i].path);
		free(docs[i].data);
	}
	free(docs);
}

/* ---- text metrics ---------------------------------------------------------------------------- */

/* The bytes of the UTF-8 character at s (its lead byte and the continuation bytes after it). */
static size_t char_len(const char *s)
{
	size_t n = 1;
	while (s[n] && reg_utf8_continues((unsigned char)s[n]))
		n++;
	return n;
}

static double char_em(const char *s)
{
	unsigned char c = (unsigned char)*s;
	return c == ' ' ? 0.35 : c < 0x80 ? 0.6 : 1.0;
}

double reg_text_em(const char *s, size_t len)
{
	double em = 0;
	for (size_t i = 0; i < len && s[i]; i += char_len(s + i))
		em += char_em(s + i);
	return em;
}

static bool starts_with_one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strncmp(s, *set, strlen(*set)) == 0)
			return true;
	return false;
}

static const char *const closing[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》", "」",
				      "』", "】", "”", "’", "〉", "…", ",", ".", ";", ":", "?",
				      "!", ")", "]", "}", NULL};
static const char *const opening[] = {"（", "《", "「", "『", "【", "“", "‘", "〈", "(", "[",
				      "{", NULL};

/* A character of an ASCII word: anything printable but a space (13:30, 0473-3921234, B座's B). */
static bool ascii_word(char c)
{
	return c > ' ' && c < 0x7F;
}

/* The start of the character before byte `end` of s (end > 0). */
static size_t previous(const char *s, size_t end)
{
	size_t i = end - 1;
	while (i > 0 && reg_utf8_continues((unsigned char)s[i]))
		i--;
	return i;
}

size_t reg_text_line(const char *s, double width_em)
{
	size_t end = 0, chars = 0;
	double em = 0;
	while (s[end]) {
		double w = char_em(s + end);
		if (chars > 0 && em + w > width_em + 1e-9)
			break;
		em += w;
		end += char_len(s + end);
		chars++;
	}
	if (!s[end] || chars < 2)
		return end;
	/* Back past a run of closing punctuation (）；) and a run of opening punctuation, as long
	 * as something is left on the line. */
	for (size_t prev = previous(s, end);
	     prev > 0 && (starts_with_one_of(s + end, closing) ||
			  starts_with_one_of(s + prev, opening));
	     prev = previous(s, end))
		end = prev;
	if (ascii_word(s[end - 1]) && ascii_word(s[end])) {
		size_t run = end;
		while (run > 0 && ascii_word(s[run - 1]))
			run--;
		if (run > 0)
			end = run;
	}
	return end;
}

const char *reg_text_skip_spaces(const char *s)
{
	for (;;) {
		if (*s == ' ')
			s++;
		else if (strncmp(s, "\u3000", 3) == 0)
			s += 3;
		else
			return s;
	}
}

/* ---- pages ----------------------------------------------------------------------------------- */

struct reg_pages {
	double w, h;
	char *name, *title;
	reg_page_start_fn start;
	void *ctx;
	xmlDoc **pages;
	xmlNode **inks;  /* each page's group of ink: text, frames and rules, in drawing order */
	size_t n, cap;
	double top, bottom, y, leading;
	bool sample;
	double sample_y;
	double num_x, num_y;
	reg_page_anchor num_anchor;
	bool oom;
};

reg_pages *reg_pages_new(reg_page_format format, const char *name, const char *title,
			 reg_page_start_fn start, void *ctx)
{
	reg_pages *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	bool landscape = format == REG_PAGE_A4_LANDSCAPE;
	d->w = landscape ? 297 : 210;
	d->h = landscape ? 210 : 297;
	d->name = strdup(name);
	d->title = strdup(title);
	d->start = start;
	d->ctx = ctx;
	d->leading = 1.5;
	d->num_x = d->w / 2;
	d->num_y = d->h - 10;
	d->num_anchor = REG_PAGE_MIDDLE;
	if (!d->name || !d->title) {
		reg_pages_free(d);
		return NULL;
	}
	return d;
}

size_t reg_pages_sheet_number(const char *path, const char *name)
{
	size_t len = strlen(name);
	if (strncmp(path, name, len) != 0)
		return 0;
	const char *p = path + len;
	if (strcmp(p, ".svg") == 0)
		return 1;
	if (*p++ != '-' || *p < '1' || *p > '9')
		return 0;
	size_t k = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (k > SIZE_MAX / 10 - 1)
			return 0;
		k = k * 10 + (size_t)(*p - '0');
	}
	return k >= 2 && strcmp(p, ".svg") == 0 ? k : 0;
}

void reg_pages_free(reg_pages *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		xmlFreeDoc(d->pages[i]);
	free(d->pages);
	free(d->inks);
	free(d->name);
	free(d->title);
	free(d);
}

double reg_pages_width(const reg_pages *d)
{
	return d->w;
}

double reg_pages_height(const reg_pages *d)
{
	return d->h;
}

size_t reg_pages_count(const reg_pages *d)
{
	return d->n;
}

static void set_mm(xmlNode *node, const char *attr, double v)
{
	char buf[REG_SEAL_MM_BUFSIZE];
	reg_seal_mm_format(v, buf);
	xmlSetProp(node, BAD_CAST attr, BAD_CAST buf);
}

void reg_pages_set_mm(reg_pages *d, xmlNode *node, const char *attr, double v)
{
	(void)d;
	if (node)
		set_mm(node, attr, v);
}

static int out_of_memory(reg_err **errp)
{
	return reg_err_oom(errp);
}

int reg_pages_add(reg_pages *d, reg_err **errp)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 4;
		xmlDoc **pages = realloc(d->pages, cap * sizeof *pages);
		if (!pages)
			return out_of_memory(errp);
		d->pages = pages;
		xmlNode **inks = realloc(d->inks, cap * sizeof *inks);
		if (!inks)
			return out_of_memory(errp);
		d->inks = inks;
		d->cap = cap;
	}
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *svg = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "svg", NULL) : NULL;
	xmlNs *ns = svg ? xmlNewNs(svg, BAD_CAST SVG_NS, NULL) : NULL;
	if (!ns) {
		xmlFreeNode(svg);
		xmlFreeDoc(doc);
		return out_of_memory(errp);
	}
	xmlSetNs(svg, ns);
	xmlDocSetRootElement(doc, svg);
	d->pages[d->n] = doc;
	char w[REG_SEAL_MM_BUFSIZE], h[REG_SEAL_MM_BUFSIZE], buf[3 * REG_SEAL_MM_BUFSIZE];
	reg_seal_mm_format(d->w, w);
	reg_seal_mm_format(d->h, h);
	snprintf(buf, sizeof buf, "%smm", w);
	xmlSetProp(svg, BAD_CAST "width", BAD_CAST buf);
	snprintf(buf, sizeof buf, "%smm", h);
	xmlSetProp(svg, BAD_CAST "height", BAD_CAST buf);
	snprintf(buf, sizeof buf, "0 0 %s %s", w, h);
	xmlSetProp(svg, BAD_CAST "viewBox", BAD_CAST buf);
	char *title = NULL;
	if (d->n == 0 ? !(title = strdup(d->title))
		      : asprintf(&title, "%s：第%zu页", d->title, d->n + 1) < 0) {
		title = NULL;
		d->oom = true;
	}
	if (!xmlNewTextChild(svg, ns, BAD_CAST "title", BAD_CAST(title ? title : "")))
		d->oom = true;
	free(title);
	xmlNode *ink = xmlNewChild(svg, ns, BAD_CAST "g", NULL);
	if (!ink) {
		d->n++;
		return out_of_memory(errp);
	}
	xmlSetProp(ink, BAD_CAST "font-family", BAD_CAST REG_FONT_SONG);
	xmlSetProp(ink, BAD_CAST "fill", BAD_CAST REG_PAGE_INK);
	d->inks[d->n++] = ink;
	d->top = d->y = 0;
	d->bottom = d->h;
	return d->start ? d->start(d, d->n - 1, d->ctx, errp) : 0;
}

void reg_pages_set_leading(reg_pages *d, double leading)
{
	d->leading = leading;
}

void reg_pages_body(reg_pages *d, double top, double bottom)
{
	d->top = d->y = top;
	d->bottom = bottom;
}

double reg_pages_cursor(const reg_pages *d)
{
	return d->y;
}

void reg_pages_skip(reg_pages *d, double mm)
{
	d->y += mm;
}

int reg_pages_need(reg_pages *d, double mm, reg_err **errp)
{
	/* A fresh page takes whatever comes, even what is taller than its body. */
	if (d->n == 0 || (d->y > d->top + 1e-9 && d->y + mm > d->bottom + 1e-9))
		return reg_pages_add(d, errp);
	return 0;
}

static xmlNode *text_in(reg_pages *d, xmlNode *ink, const char *cls, double x, double y,
			double size, reg_page_anchor anchor, const char *text, size_t len)
{
	char *copy = strndup(text, len);
	xmlNode *t = copy && ink ? xmlNewTextChild(ink, ink->ns, BAD_CAST "text", BAD_CAST copy)
				 : NULL;
	free(copy);
	if (!t) {
		d->oom = true;
		return NULL;
	}
	if (cls)
		xmlSetProp(t, BAD_CAST "class", BAD_CAST cls);
	set_mm(t, "x", x);
	set_mm(t, "y", y);
	set_mm(t, "font-size", size);
	if (anchor != REG_PAGE_START)
		xmlSetProp(t, BAD_CAST "text-anchor",
			   BAD_CAST(anchor == REG_PAGE_MIDDLE ? "middle" : "end"));
	return t;
}

xmlNode *reg_pages_text_n(reg_pages *d, const char *cls, double x, double y, double size,
			  reg_page_anchor anchor, const char *text, size_t len)
{
	return text_in(d, d->n ? d->inks[d->n - 1] : NULL, cls, x, y, size, anchor, text, len);
}

xmlNode *reg_pages_text(reg_pages *d, const char *cls, double x, double y, double size,
			reg_page_anchor anchor, const char *text)
{
	return reg_pages_text_n(d, cls, x, y, size, anchor, text, strlen(text));
}

static xmlNode *shape(reg_pages *d, const char *name)
{
	xmlNode *ink = d->n ? d->inks[d->n - 1] : NULL;
	xmlNode *s = ink ? xmlNewChild(ink, ink->ns, BAD_CAST name, NULL) : NULL;
	if (!s)
		d->oom = true;
	return s;
}

void reg_pages_rect(reg_pages *d, double x, double y, double w, double h, double stroke,
		    const char *color)
{
	xmlNode *r = shape(d, "rect");
	if (!r)
		return;
	set_mm(r, "x", x);
	set_mm(r, "y", y);
	set_mm(r, "width", w);
	set_mm(r, "height", h);
	if (stroke > 0) {
		xmlSetProp(r, BAD_CAST "fill", BAD_CAST "none");
		xmlSetProp(r, BAD_CAST "stroke", BAD_CAST color);
		set_mm(r, "stroke-width", stroke);
	} else {
		xmlSetProp(r, BAD_CAST "fill", BAD_CAST color);
	}
}

void reg_pages_rule(reg_pages *d, double x1, double y1, double x2, double y2, double stroke,
		    const char *color)
{
	xmlNode *l = shape(d, "line");
	if (!l)
		return;
	set_mm(l, "x1", x1);
	set_mm(l, "y1", y1);
	set_mm(l, "x2", x2);
	set_mm(l, "y2", y2);
	xmlSetProp(l, BAD_CAST "stroke", BAD_CAST color);
	set_mm(l, "stroke-width", stroke);
}

int reg_pages_stamp(reg_pages *d, const reg_seal_type *type, const char *authority, bool test,
		    double cx, double cy, reg_err **errp)
{
	reg_seal_owner owner = {.name = (char *)authority};
	reg_seal_spec spec = {.type = type, .owner = &owner, .stamp = true, .test_authority = test};
	char *text = NULL;
	size_t len = 0;
	reg_err *why = NULL;
	if (!d->n)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "a stamp without a page");
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
	xmlDoc *page = d->pages[d->n - 1];
	xmlNode *stamp = xmlDocCopyNode(xmlDocGetRootElement(seal), page, 1);
	xmlFreeDoc(seal);
	if (!stamp || !xmlAddChild(xmlDocGetRootElement(page), stamp)) {
		xmlFreeNode(stamp);
		return out_of_memory(errp);
	}
	double size = reg_seal_type_diameter(type);
	xmlSetProp(stamp, BAD_CAST "class", BAD_CAST "stamp");
	set_mm(stamp, "x", cx - size / 2);
	set_mm(stamp, "y", cy - size / 2);
	set_mm(stamp, "width", size);
	set_mm(stamp, "height", size);
	/* Seal paste lets the print show through. */
	xmlSetProp(stamp, BAD_CAST "opacity", BAD_CAST "0.85");
	return 0;
}

void reg_pages_mark_sample(reg_pages *d, double line_y)
{
	d->sample = true;
	d->sample_y = line_y;
}

void reg_pages_number_at(reg_pages *d, double x, double y, reg_page_anchor anchor)
{
	d->num_x = x;
	d->num_y = y;
	d->num_anchor = anchor;
}

/* The test authority's marking on one page, over everything: 样本 as long as half the page's
 * diagonal and along it, red at 15%, and the line that says why in plain red. */
static void sample_mark(reg_pages *d, size_t i)
{
	xmlNode *svg = xmlDocGetRootElement(d->pages[i]);
	xmlNode *g = xmlNewChild(svg, svg->ns, BAD_CAST "g", NULL);
	if (!g) {
		d->oom = true;
		return;
	}
	xmlSetProp(g, BAD_CAST "font-family", BAD_CAST REG_FONT_HEI);
	xmlSetProp(g, BAD_CAST "font-weight", BAD_CAST "bold");
	xmlSetProp(g, BAD_CAST "fill", BAD_CAST REG_PAGE_RED);
	double size = hypot(d->w, d->h) / 4, rot = -atan2(d->h, d->w) * 180.0 / M_PI;
	double x = d->w / 2, y = d->h / 2 + MIDDLE * size;
	xmlNode *t = text_in(d, g, "sample", x, y, size, REG_PAGE_MIDDLE, "样本", strlen("样本"));
	if (t) {
		char r[REG_SEAL_MM_BUFSIZE], cx[REG_SEAL_MM_BUFSIZE], cy[REG_SEAL_MM_BUFSIZE];
		char transform[4 * REG_SEAL_MM_BUFSIZE];
		reg_seal_mm_format(rot, r);
		reg_seal_mm_format(x, cx);
		reg_seal_mm_format(y, cy);
		snprintf(transform, sizeof transform, "rotate(%s %s %s)", r, cx, cy);
		xmlSetProp(t, BAD_CAST "transform", BAD_CAST transform);
		xmlSetProp(t, BAD_CAST "fill-opacity", BAD_CAST "0.15");
	}
	text_in(d, g, "sample-line", d->w / 2, d->sample_y, 3.5, REG_PAGE_MIDDLE,
		REG_PAGE_SAMPLE_LINE, strlen(REG_PAGE_SAMPLE_LINE));
}

int reg_pages_finish(reg_pages *d, const char *dir, reg_document **docs, size_t *n,
		     reg_err **errp)
{
	*docs = NULL;
	*n = 0;
	if (!d->n && reg_pages_add(d, errp) < 0)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		if (d->n > 1) {
			char number[64];
			snprintf(number, sizeof number, "第%zu页 共%zu页", i + 1, d->n);
			text_in(d, d->inks[i], "page-number", d->num_x, d->num_y, 3, d->num_anchor,
				number, strlen(number));
		}
		if (d->sample)
			sample_mark(d, i);
	}
	if (d->oom)
		return out_of_memory(errp);
	reg_document *out = calloc(d->n, sizeof *out);
	if (!out)
		return out_of_memory(errp);
	for (size_t i = 0; i < d->n; i++) {
		char number[24] = "";
		if (i > 0)
			snprintf(number, sizeof number, "-%zu", i + 1);
		if (asprintf(&out[i].path, "%s%s%s%s.svg", dir ? dir : "", dir ? "/" : "", d->name,
			     number) < 0) {
			out[i].path = NULL;
			reg_documents_free(out, d->n);
			return out_of_memory(errp);
		}
		if (reg_xml_serialize(d->pages[i], &out[i].data, &out[i].len, errp) < 0) {
			reg_documents_free(out, d->n);
			return -1;
		}
	}
	*docs = out;
	*n = d->n;
	return 0;
}

/* ---- flowing text ---------------------------------------------------------------------------- */

size_t reg_text_lines(const char *text, double width_em, double indent)
{
	size_t lines = 0;
	for (const char *p = text; *p; lines++)
		p = reg_text_skip_spaces(p + reg_text_line(p, width_em - (lines ? 0 : indent)));
	return lines;
}

int reg_pages_paragraph(reg_pages *d, const char *cls, double x, double width, double size,
			double indent, const char *text, reg_err **errp)
{
	return reg_pages_paragraph_keep(d, cls, x, width, size, indent, text, 0, errp);
}

int reg_pages_paragraph_keep(reg_pages *d, const char *cls, double x, double width, double size,
			     double indent, const char *text, double keep, reg_err **errp)
{
	const char *p = text;
	double pitch = d->leading * size;
	size_t lines = keep > 0 ? reg_text_lines(text, width / size, indent) : 0;
	for (size_t k = 0; *p; k++) {
		double in = k == 0 ? indent * size : 0;
		size_t len = reg_text_line(p, (width - in) / size), left = lines - k;
		double need = keep > 0 && left <= 2 ? (double)left * pitch + keep : size;
		if (reg_pages_need(d, need, errp) < 0)
			return -1;
		reg_pages_text_n(d, cls, x + in, d->y + ASCENT * size, size, REG_PAGE_START, p,
				 len);
		d->y += pitch;
		p = reg_text_skip_spaces(p + len);
	}
	return 0;
}

int reg_pages_field(reg_pages *d, const char *label_cls, const char *cls, double x,
		    double label_width, double width, double size, const char *label,
		    const char *value, reg_err **errp)
{
	if (reg_pages_need(d, size, errp) < 0)
		return -1;
	/* A label longer than its column is set smaller, never over the value. */
	double em = reg_text_em(label, strlen(label)), lsize = size;
	if (em * lsize > label_width - 1)
		lsize = (label_width - 1) / em;
	reg_pages_text(d, label_cls, x, d->y + ASCENT * size, lsize, REG_PAGE_START, label);
	if (!*value) {
		d->y += d->leading * size;
		return 0;
	}
	return reg_pages_paragraph(d, cls, x + label_width, width - label_width, size, 0, value,
				   errp);
}

/* A table being drawn. */
struct table {
	double x, width, size;
	size_t cols;
	const double *widths;
	const char *const *header;
	const char *classes[8];
};

/* One line of each cell of a row, advancing each cell's position. */
static void table_line(reg_pages *d, const struct table *t, const char *const *cls,
		       const char **at)
{
	double left = t->x;
	for (size_t c = 0; c < t->cols; c++) {
		if (at[c] && *at[c]) {
			size_t len = reg_text_line(at[c], (t->widths[c] - 2 * CELL_PAD) / t->size);
			reg_pages_text_n(d, cls[c], left + CELL_PAD, d->y + ASCENT * t->size,
					 t->size,
					 REG_PAGE_START, at[c], len);
			at[c] = reg_text_skip_spaces(at[c] + len);
		}
		left += t->widths[c];
	}
	d->y += d->leading * t->size;
}

static bool any_left(const char **at, size_t cols)
{
	for (size_t c = 0; c < cols; c++)
		if (at[c] && *at[c])
			return true;
	return false;
}

static int table_row(reg_pages *d, const struct table *t, const char *const *cells, bool header,
		     reg_err **errp);

static int table_header(reg_pages *d, const struct table *t, reg_err **errp)
{
	return t->header ? table_row(d, t, t->header, true, errp) : 0;
}

/* A row, line by line, all its cells together; a rule under it.  A line that starts a new page
 * is preceded there by the header. */
static int table_row(reg_pages *d, const struct table *t, const char *const *cells, bool header,
		     reg_err **errp)
{
	static const char *const th[8] = {"th", "th", "th", "th", "th", "th", "th", "th"};
	const char *at[8];
	for (size_t c = 0; c < t->cols; c++)
		at[c] = cells[c];
	do {
		size_t pages = d->n;
		if (reg_pages_need(d, t->size, errp) < 0)
			return -1;
		if (d->n != pages && !header && table_header(d, t, errp) < 0)
			return -1;
		table_line(d, t, header ? th : t->classes, at);
	} while (any_left(at, t->cols));
	double rule = d->y - (d->leading - 1) * t->size / 2;
	reg_pages_rule(d, t->x, rule, t->x + t->width, rule, header ? 0.3 : 0.15, REG_PAGE_INK);
	d->y += 0.5;
	return 0;
}

int reg_pages_table(reg_pages *d, double x, size_t cols, const double *widths,
		    const char *const *header, const char *const *col_cls,
		    const char *const *cells, size_t rows, double size, reg_err **errp)
{
	struct table t = {.x = x, .size = size, .cols = cols, .widths = widths, .header = header};
	if (cols > 8)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "a table of %zu columns",
				   cols);
	for (size_t c = 0; c < cols; c++) {
		t.width += widths[c];
		t.classes[c] = col_cls && col_cls[c] ? col_cls[c] : "td";
	}
	if (reg_pages_need(d, 2 * d->leading * size, errp) < 0)
		return -1;
	reg_pages_rule(d, x, d->y, x + t.width, d->y, 0.3, REG_PAGE_INK);
	d->y += 0.5;
	if (table_header(d, &t, errp) < 0)
		return -1;
	for (size_t r = 0; r < rows; r++)
		if (table_row(d, &t, cells + r * cols, false, errp) < 0)
			return -1;
	return 0;
}

size_t reg_pages_box(reg_pages *d, const char *cls, double x, double top, double w, double h,
		     double size_max, double size_min, const char *text, const char *more)
{
	for (int step = 0;; step++) {
		double size = size_max - 0.25 * step;
		bool last = size <= size_min + 1e-9;
		if (last)
			size = size_min;
		double pitch = d->leading * size;
		size_t lines = 0, holds = 0;
		if (h >= size)
			holds = (size_t)floor((h - size) / pitch + 1e-9) + 1;
		const char *p = text;
		while (*p && lines <= holds) {
			p = reg_text_skip_spaces(p + reg_text_line(p, w / size));
			lines++;
		}
		bool fits = !*p && lines <= holds;
		if (!fits && !last)
			continue;
		/* Drawn: all of it, or the lines the box holds, the last leaving room for `more`.
		 * */
		p = text;
		for (size_t k = 0; *p && k < holds; k++) {
			bool marker = !fits && k + 1 == holds;
			double y = top + ASCENT * size + (double)k * pitch;
			double room = marker ? w - reg_text_em(more, strlen(more)) * size - 1 : w;
			size_t len = reg_text_line(p, room / size);
			reg_pages_text_n(d, cls, x, y, size, REG_PAGE_START, p, len);
			p = reg_text_skip_spaces(p + len);
			if (marker)
				reg_pages_text(d, "more", x + w, y, size, REG_PAGE_END, more);
		}
		return (size_t)(p - text);
	}
}
