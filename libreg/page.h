/*
 * page — what regkit prints on paper: the business license (libreg/license.h) and the notices a
 * clerk hands over (libreg/notice.h), as true-size SVG pages.
 *
 * Page model.  SVG has no pages: SVG 1.2's pageSet was never implemented, and a drawing taller
 * than its sheet is shrunk onto one page or cut wherever the printer likes.  So a document of
 * several pages is several SVG files, each exactly one sheet — width="210mm" height="297mm"
 * (A4 portrait) or 297 × 210 (landscape), a viewBox in millimetres, so that printing at 100%
 * gives true size.  `rsvg-convert -f pdf -o all.pdf p.svg p-2.svg …` makes a PDF of one A4
 * page each, and a browser prints each file as one sheet.  The first page of a document NAME is
 * NAME.svg, page k > 1 is NAME-k.svg (license.svg, license-2.svg …), and every page of a
 * document of more than one says 第i页 共N页 (class "page-number").
 *
 * Text.  Positions are millimetres from the top left of the sheet, sizes the em in millimetres;
 * a text's y is its baseline.  Widths are estimated, never measured (no font is at hand when
 * the bytes are made): 1 em for every character but ASCII, 0.6 em for printable ASCII and
 * 0.35 em for a space.  CJK fonts set ideographs and full-width punctuation in 1 em; their
 * Latin letters and digits are proportional and narrower than 0.6 em but for wide capitals, so
 * a line never runs past its width, at the price of a little air.  Lines break between any two
 * characters (Chinese puts no spaces between words) with three exceptions, each moving the
 * break back: a line never begins with closing punctuation (，。、；：？！）》」』】” and their
 * ASCII kin) nor ends with opening punctuation (（《「『【“), and a run of printable ASCII
 * (13:30, 0473-3921234, a Latin word) is not split unless it fills the line alone.
 * Spaces at the start of a broken line are dropped.
 *
 * Output.  Deterministic bytes: each page is a libxml2 tree serialized as every regkit document
 * (reg_xml_serialize), every number written from integer micrometres (reg_seal_mm_format), so
 * neither locale nor platform changes a byte; text is XML-escaped by the tree.  No external
 * references, no scripts, no CSS; the fonts are the lists of docs/seals.md (REG_FONT_* in
 * seal.h).  Elements carry a class saying what they are, for tests and for whoever styles a
 * print.
 *
 * A document built by a test-only authority (authority.xml test-only="true": its private key
 * is public) carries on every page a large diagonal 样本 (class "sample") and the line
 * "测试登记机关 — 样本，不具法律效力" (class "sample-line"): reg_pages_mark_sample.
 */
#ifndef REG_PAGE_H
#define REG_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "catalog.h"
#include "errors.h"

/* One generated document: its path below the archive's top directory (or a file name) and its
 * bytes. */
typedef struct reg_document {
	char *path;
	char *data;
	size_t len;
} reg_document;

void reg_documents_free(reg_document *docs, size_t n);

#define REG_PAGE_INK "#1a1a1a"
#define REG_PAGE_RED "#c8102e"                     /* the red of a license's frame and title */
#define REG_PAGE_SAMPLE_LINE "测试登记机关 — 样本，不具法律效力"

/* The estimated width (em) of the first len bytes of a UTF-8 text. */
double reg_text_em(const char *s, size_t len);
/* The bytes of the first line of s that fits width_em, broken as above: at least one character
 * unless s is empty (a character wider than the line stands alone). */
size_t reg_text_line(const char *s, double width_em);
/* s past the spaces a broken line drops at its start. */
const char *reg_text_skip_spaces(const char *s);

typedef enum reg_page_format {
	REG_PAGE_A4_PORTRAIT,
	REG_PAGE_A4_LANDSCAPE,
} reg_page_format;

typedef enum reg_page_anchor {
	REG_PAGE_START,
	REG_PAGE_MIDDLE,
	REG_PAGE_END,
} reg_page_anchor;

/* A document of pages being drawn.  Drawing goes to the current page, the last one added. */
typedef struct reg_pages reg_pages;

/* Called when page `index` (0 for the first) starts, to draw its frame and header and to say
 * where its body lies (reg_pages_body).  -1 stops the document with *errp set. */
typedef int (*reg_page_start_fn)(reg_pages *d, size_t index, void *ctx, reg_err **errp);

/* `name` makes the file names (NAME.svg, NAME-2.svg …), `title` each page's <title> (": 第k页"
 * is added on pages after the first).  NULL when out of memory. */
reg_pages *reg_pages_new(reg_page_format format, const char *name, const char *title,
			 reg_page_start_fn start, void *ctx);
void reg_pages_free(reg_pages *d);

/* The number of the sheet a file name `path` gives for document `name`: 1 for NAME.svg, k for
 * NAME-k.svg (k >= 2, no leading zero); 0 when it is not a sheet of that document. */
size_t reg_pages_sheet_number(const char *path, const char *name);

double reg_pages_width(const reg_pages *d);
double reg_pages_height(const reg_pages *d);
size_t reg_pages_count(const reg_pages *d);

/* Start a new page (calling `start`); the body cursor goes to the top of its body. */
int reg_pages_add(reg_pages *d, reg_err **errp);

/* Line pitch as a multiple of the text size (default 1.5). */
void reg_pages_set_leading(reg_pages *d, double leading);
/* Where the flowing body of the current page lies (top and bottom, mm); the cursor goes to
 * the top.  The start function sets it. */
void reg_pages_body(reg_pages *d, double top, double bottom);
/* The body cursor: where the next flowing text's top will stand. */
double reg_pages_cursor(const reg_pages *d);
void reg_pages_skip(reg_pages *d, double mm);
/* A new page unless `mm` remain in the body of the current one. */
int reg_pages_need(reg_pages *d, double mm, reg_err **errp);

/* Drawing on the current page.  The returned node may be given further attributes (fill,
 * font-weight …); NULL only when out of memory, which reg_pages_finish then reports. */
xmlNode *reg_pages_text(reg_pages *d, const char *cls, double x, double y, double size,
			reg_page_anchor anchor, const char *text);
xmlNode *reg_pages_text_n(reg_pages *d, const char *cls, double x, double y, double size,
			  reg_page_anchor anchor, const char *text, size_t len);
void reg_pages_rect(reg_pages *d, double x, double y, double w, double h, double stroke,
		    const char *color);
void reg_pages_rule(reg_pages *d, double x1, double y1, double x2, double y2, double stroke,
		    const char *color);
/* Set an attribute to a length (written as reg_seal_mm_format writes it). */
void reg_pages_set_mm(reg_pages *d, xmlNode *node, const char *attr, double v);

/* The registration authority's round stamp centred at (cx, cy): the catalog's seal type `type`
 * drawn by the seal module with the authority's name on the arc and the star, no code, marked
 * 样本 TEST for a test authority (seal.h), nested as an <svg class="stamp"> at true size and
 * pressed at 85% opacity so the print shows through.  REG_ECONFIG when the name cannot be
 * engraved. */
int reg_pages_stamp(reg_pages *d, const reg_seal_type *type, const char *authority, bool test,
		    double cx, double cy, reg_err **errp);

/* Every page, when the document is finished, gets the test authority's marking: the diagonal
 * 样本 and REG_PAGE_SAMPLE_LINE centred at height `line_y`. */
void reg_pages_mark_sample(reg_pages *d, double line_y);
/* Where 第i页 共N页 stands (default: centred 10 mm above the bottom edge). */
void reg_pages_number_at(reg_pages *d, double x, double y, reg_page_anchor anchor);

/* How many lines a paragraph takes: `width_em` wide, its first line indented by `indent` em. */
size_t reg_text_lines(const char *text, double width_em, double indent);

/* Flowing text, from the body cursor, breaking onto new pages between lines: a paragraph from
 * x, `width` wide, the first line indented by `indent` em. */
int reg_pages_paragraph(reg_pages *d, const char *cls, double x, double width, double size,
			double indent, const char *text, reg_err **errp);
/* The same, its last two lines kept on one sheet with the `keep` mm that follow them (the
 * closing block of a notice): a new sheet starts before them when they would not fit. */
int reg_pages_paragraph_keep(reg_pages *d, const char *cls, double x, double width, double size,
			     double indent, const char *text, double keep, reg_err **errp);
/* A label and its value beside it: the label at x (class label_cls), the value's lines from
 * x + label_width to x + width. */
int reg_pages_field(reg_pages *d, const char *label_cls, const char *cls, double x,
		    double label_width, double width, double size, const char *label,
		    const char *value, reg_err **errp);
/*
 * A table: `cols` columns of the given widths from x, a header row (class "th", NULL: none)
 * repeated at the top of every page the table reaches, then `rows` rows of cells
 * (cells[row * cols + col], NULL for an empty cell; class "td" and, for column c, the class
 * in col_cls[c] when col_cls is not NULL).  A row's cells are wrapped in their columns and
 * drawn line by line, so a row taller than what is left of a page continues on the next one;
 * a rule closes each row.
 */
int reg_pages_table(reg_pages *d, double x, size_t cols, const double *widths,
		    const char *const *header, const char *const *col_cls,
		    const char *const *cells, size_t rows, double size, reg_err **errp);

/*
 * Text in a fixed box (x, top, w, h): at the largest size from size_max down to size_min (in
 * steps of 0.25 mm) at which all of it fits on lines of the box's width; when even size_min
 * does not hold it, as many lines at size_min as the box holds, the last ending early with
 * `more` (class "more") right-aligned in the box.  Returns the bytes of text laid out
 * (strlen(text) when all of it): the caller carries the rest elsewhere.
 */
size_t reg_pages_box(reg_pages *d, const char *cls, double x, double top, double w, double h,
		     double size_max, double size_min, const char *text, const char *more);

/* Number the pages (when more than one) and mark them (reg_pages_mark_sample), serialize each:
 * *docs (reg_documents_free) holds one document per page, named as above, with `dir` (NULL:
 * none) and a slash in front of each name. */
int reg_pages_finish(reg_pages *d, const char *dir, reg_document **docs, size_t *n,
		     reg_err **errp);

#endif
