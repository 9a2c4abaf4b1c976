/*
 * test_seal — the seal set as a user relies on it: every drawing is well-formed SVG at true size
 * with what each seal must show (the name on the arc as one rotated <text> per character, evenly
 * spaced over 210–270°, the star only on the official and contract seals, the code, the USCC on
 * the invoice seal), nothing librsvg would drop (<textPath>), names of any allowed length inside
 * the ring, byte-identical output whatever the locale; the filing record; and seal codes filed
 * once per USCC in a real registry, never burned by a rollback.
 */
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regkit-config.h"
#include "names.h"
#include "registry.h"
#include "seal.h"
#include "tap.h"
#include "xml.h"

#define NAME "乌海市恒泰商贸有限公司"
#define USCC "91150302MA0000015Y"
#define CODE "1503020000001"

static reg_catalog *cat;
static char tmpdir[PATH_MAX] = "/tmp/test-seal-XXXXXX";

/* ---- reading the drawings back --------------------------------------------------------------- */

struct glyph {
	char text[512];
	double x, y, size, rot, sx; /* sx: the horizontal scale of a narrowed character, else 1 */
};

/* The <text> elements of one class in document order, and how many elements carry the class. */
struct found {
	struct glyph g[256];
	size_t n;
	size_t elements;
};

static double attr_num(xmlNode *n, const char *name)
{
	char *v = reg_xml_attr(n, name);
	double d = v ? strtod(v, NULL) : NAN;
	free(v);
	return d;
}

static void collect(xmlNode *n, const char *cls, struct found *f)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		char *c = reg_xml_attr(n, "class");
		if (c && strcmp(c, cls) == 0) {
			f->elements++;
			if (strcmp((const char *)n->name, "text") == 0 && f->n < 256) {
				struct glyph *g = &f->g[f->n++];
				char *t = reg_xml_text(n), *tr = reg_xml_attr(n, "transform");
				snprintf(g->text, sizeof g->text, "%s", t ? t : "");
				g->x = attr_num(n, "x");
				g->y = attr_num(n, "y");
				g->size = attr_num(n, "font-size");
				g->rot = 0;
				g->sx = 1;
				if (tr && strncmp(tr, "rotate(", 7) == 0)
					g->rot = strtod(tr + 7, NULL);
				if (tr && strstr(tr, "scale("))
					g->sx = strtod(strstr(tr, "scale(") + 6, NULL);
				free(t);
				free(tr);
			}
		}
		free(c);
		collect(n->children, cls, f);
	}
}

static struct found find(xmlDoc *doc, const char *cls)
{
	struct found f;
	memset(&f, 0, sizeof f);
	collect(xmlDocGetRootElement(doc), cls, &f);
	return f;
}

static char *joined(const struct found *f)
{
	static char buf[2048];
	buf[0] = '\0';
	for (size_t i = 0; i < f->n; i++)
		strncat(buf, f->g[i].text, sizeof buf - strlen(buf) - 1);
	return buf;
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The first n characters of s, in buf. */
static const char *first_chars(const char *s, size_t n, char *buf, size_t size)
{
	size_t i = 0, chars = 0;
	while (s[i] && (chars < n || ((unsigned char)s[i] & 0xC0) == 0x80)) {
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
		if (chars > n)
			break;
		i++;
	}
	snprintf(buf, size, "%.*s", (int)i, s);
	return buf;
}

static const reg_seal_type *seal(const char *id)
{
	const reg_seal_type *t = reg_catalog_find_seal(cat, id);
	if (!t) {
		printf("Bail out! the catalog has no seal '%s'\n", id);
		exit(1);
	}
	return t;
}

/* Draw one seal; the SVG text (caller frees) and its parsed tree in *doc. */
static char *draw_spec(const reg_seal_spec *spec, xmlDoc **doc)
{
	const char *id = reg_seal_type_id(spec->type);
	reg_err *err = NULL;
	char *svg = NULL;
	size_t len = 0;
	*doc = NULL;
	if (reg_seal_svg(spec, &svg, &len, &err) < 0) {
		diag("%s: %s", id, reg_err_message(err));
		reg_err_free(err);
		return NULL;
	}
	if (strlen(svg) != len)
		diag("%s: length %zu but %zu bytes before the NUL", id, len, strlen(svg));
	*doc = reg_xml_parse_memory(svg, len, id, &err);
	if (!*doc)
		diag("%s: %s", id, reg_err_message(err));
	reg_err_free(err);
	return svg;
}

static char *draw(const char *id, const reg_seal_owner *o, const char *code, xmlDoc **doc)
{
	reg_seal_spec spec = {.type = seal(id), .owner = o, .code = code};
	return draw_spec(&spec, doc);
}

static reg_seal_owner owner(const char *name, const char *form)
{
	reg_seal_owner o = {(char *)name, (char *)form, (char *)"张伟", (char *)USCC};
	return o;
}

/* ---- boxes: whether two drawn things touch ----------------------------------------------------
 * */

/* A text's box: w wide about its anchor (x, y) on the baseline, `up` above and `down` below the
 * baseline, turned by rot degrees about the anchor as SVG's rotate() turns it (clockwise, y
 * down).  The tests' own geometry, not the library's: an ideograph is a 1 em box from 0.88 em
 * above to 0.12 em below its baseline (narrowed by its horizontal scale), a digit or capital in
 * an Arial face about 0.6 em wide (0.75 em for a letter) and 0.716 em high. */
struct quad {
	double x[4], y[4];
};

static struct quad quad_of(double x, double y, double rot, double w, double up, double down)
{
	double th = rot * M_PI / 180, c = cos(th), s = sin(th);
	double lx[4] = {-w / 2, w / 2, w / 2, -w / 2}, ly[4] = {-up, -up, down, down};
	struct quad q;
	for (int i = 0; i < 4; i++) {
		q.x[i] = x + c * lx[i] - s * ly[i];
		q.y[i] = y + s * lx[i] + c * ly[i];
	}
	return q;
}

static struct quad cjk_quad(const struct glyph *g)
{
	double n = (double)utf8_len(g->text);
	return quad_of(g->x, g->y, g->rot, n * g->size * g->sx, 0.88 * g->size, 0.12 * g->size);
}

static double latin_em(const char *s)
{
	double em = 0;
	for (; *s; s++)
		em += *s >= '0' && *s <= '9' ? 0.6 : 0.75;
	return em;
}

static struct quad latin_quad(const struct glyph *g)
{
	return quad_of(g->x, g->y, g->rot, latin_em(g->text) * g->size, 0.716 * g->size, 0);
}

/* Separated by at least `gap` along some axis (the separating-axis test for two rectangles). */
static bool apart(const struct quad *a, const struct quad *b, double gap)
{
	const struct quad *q[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		for (int e = 0; e < 2; e++) {
			double nx = q[k]->y[e] - q[k]->y[e + 1], ny = q[k]->x[e + 1] - q[k]->x[e];
			double len = hypot(nx, ny);
			if (len == 0)
				continue;
			nx /= len, ny /= len;
			double amin = INFINITY, amax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
			for (int i = 0; i < 4; i++) {
				double pa = a->x[i] * nx + a->y[i] * ny;
				double pb = b->x[i] * nx + b->y[i] * ny;
				amin = fmin(amin, pa), amax = fmax(amax, pa);
				bmin = fmin(bmin, pb), bmax = fmax(bmax, pb);
			}
			if (amax + gap <= bmin || bmax + gap <= amin)
				return true;
		}
	}
	return false;
}

/* The shortest distance from (px, py) to the box's outline (the point lies outside it). */
static double distance_to(const struct quad *q, double px, double py)
{
	double best = INFINITY;
	for (int i = 0; i < 4; i++) {
		double ax = q->x[i], ay = q->y[i], bx = q->x[(i + 1) % 4], by = q->y[(i + 1) % 4];
		double dx = bx - ax, dy = by - ay, t = ((px - ax) * dx + (py - ay) * dy) /
						     (dx * dx + dy * dy);
		t = t < 0 ? 0 : t > 1 ? 1 : t;
		best = fmin(best, hypot(px - ax - t * dx, py - ay - t * dy));
	}
	return best;
}

/* Every box of `name` clear of every box of `other` by `gap`; the first that is not in *why. */
static bool clear_of(const struct found *name, const struct found *other, bool latin,
		     double gap, const char *what, char *why, size_t size)
{
	for (size_t j = 0; j < other->n; j++) {
		struct quad o = latin ? latin_quad(&other->g[j]) : cjk_quad(&other->g[j]);
		for (size_t i = 0; i < name->n; i++) {
			struct quad q = cjk_quad(&name->g[i]);
			if (!apart(&q, &o, gap)) {
				snprintf(why, size, "name character %zu '%s' touches the %s '%s'",
					 i + 1,
					 name->g[i].text, what, other->g[j].text);
				return false;
			}
		}
	}
	return true;
}

/* No character of the outer row touches one of the inner row. */
static bool rows_apart(const struct found *f, const size_t *start, size_t rows, char *why,
		       size_t size)
{
	for (size_t i = 0; rows == 2 && i < start[1]; i++) {
		for (size_t j = start[1]; j < f->n; j++) {
			struct quad q = cjk_quad(&f->g[i]), p = cjk_quad(&f->g[j]);
			if (!apart(&q, &p, 0)) {
				snprintf(why, size, "the rows touch at characters %zu and %zu",
					 i + 1,
					 j + 1);
				return false;
			}
		}
	}
	return true;
}

/* The rows of a name on a ring: a new row starts where the rotation falls back (each row reads
 * clockwise, left to right).  start[r] is the first character of row r; returns the count. */
static size_t rows_of(const struct found *f, size_t start[8])
{
	size_t rows = 0;
	for (size_t i = 0; i < f->n && rows < 8; i++)
		if (i == 0 || f->g[i].rot <= f->g[i - 1].rot)
			start[rows++] = i;
	return rows;
}

/* ---- the drawings ---------------------------------------------------------------------------- */

/* Numbers in a drawing: millimetres to the micrometre, no trailing zeros, never "-0". */
static void test_mm_format(void)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{0, "0"},          {-0.0004, "0"},   {1, "1"},          {12.5, "12.5"},
		{0.005, "0.005"},  {0.05, "0.05"},   {0.105, "0.105"},  {0.12, "0.12"},
		{-3.25, "-3.25"},  {210, "210"},     {297.0004, "297"}, {1234567.8915, "1234567.892"},
		{-0.0006, "-0.001"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[REG_SEAL_MM_BUFSIZE];
		reg_seal_mm_format(cases[i].v, buf);
		is_str(buf, cases[i].want, "%g mm is written %s", cases[i].v, cases[i].want);
	}
}

static void test_set(void)
{
	static const struct {
		const char *id;
		const char *width, *height;
		bool star, arc, uscc;
	} seals[] = {
		{"official", "40mm", "40mm", true, true, false},
		{"finance", "22mm", "22mm", false, false, false},
		{"invoice", "40mm", "30mm", false, true, true},
		{"contract", "40mm", "40mm", true, true, false},
		{"legal-rep", "20mm", "20mm", false, false, false},
	};
	reg_seal_owner o = owner(NAME, "llc");
	for (size_t i = 0; i < sizeof seals / sizeof *seals; i++) {
		const char *id = seals[i].id;
		xmlDoc *doc;
		char *svg = draw(id, &o, CODE, &doc);
		if (!ok(svg && doc, "%s: drawn and well-formed XML", id)) {
			free(svg);
			xmlFreeDoc(doc);
			continue;
		}
		xmlNode *root = xmlDocGetRootElement(doc);
		char *w = reg_xml_attr(root, "width"), *h = reg_xml_attr(root, "height");
		char *vb = reg_xml_attr(root, "viewBox"), want_vb[64];
		snprintf(want_vb, sizeof want_vb, "0 0 %.*s %.*s", (int)strlen(seals[i].width) - 2,
			 seals[i].width, (int)strlen(seals[i].height) - 2, seals[i].height);
		ok(strcmp((const char *)root->name, "svg") == 0 && root->ns &&
		   strcmp((const char *)root->ns->href, "http://www.w3.org/2000/svg") == 0,
		   "%s: an SVG root", id);
		is_str(w, seals[i].width, "%s: true width", id);
		is_str(h, seals[i].height, "%s: true height", id);
		is_str(vb, want_vb, "%s: viewBox in millimetres", id);
		free(w);
		free(h);
		free(vb);
		ok(!strstr(svg, "textPath"), "%s: no <textPath> (librsvg ignores it)", id);
		ok(!strstr(svg, "href") && !strstr(svg, "url(") && !strstr(svg, "<script"),
		   "%s: no external references", id);

		struct found star = find(doc, "star");
		is_int(star.elements, seals[i].star ? 1 : 0, "%s: %s", id,
		       seals[i].star ? "one star" : "no star");
		struct found code = find(doc, "code");
		is_str(joined(&code), CODE, "%s: the seal code is printed on it", id);
		is_int(find(doc, "specimen").elements, 0, "%s: no specimen watermark", id);
		struct found uscc = find(doc, "uscc");
		if (seals[i].uscc)
			is_str(joined(&uscc), USCC, "%s: the USCC across the centre", id);
		else
			is_int(uscc.elements, 0, "%s: no USCC", id);

		struct found name = find(doc, "name");
		if (seals[i].arc) {
			is_int(name.n, utf8_len(NAME), "%s: one <text> per name character", id);
			is_str(joined(&name), NAME, "%s: the name reads in order", id);
		}
		free(svg);
		xmlFreeDoc(doc);
	}
}

/* The legible minimum of a name character on a ring, and of the USCC on the invoice seal. */
#define NAME_MIN_MM 1.8
#define USCC_MIN_MM 1.5
/* Air the tests ask between the name and what stands inside it. */
#define GAP_MM 0.2

/* A 100-character name (REG_SEAL_NAME_MAX); its first n characters make the names of every
 * length in the sweeps below. */
static const char LONGEST[] =
	"内蒙古自治区乌海市海勃湾区恒泰昌商贸物流信息咨询服务餐饮娱乐管理科技开发建筑工程环保能源农牧业"
	"机械设备租赁进出口贸易文化传媒广告会展旅游酒店房地产开发物业管理汽车销售维修电子商务网络新技术"
	"服务有限公司";

#define FAIL(...) snprintf(why, size, __VA_ARGS__)

/* A round seal with the name on one or two rows: each row's rotations evenly spaced over
 * 210–270° and centred on the top, each character turned to face outwards, inside the border,
 * clear of its neighbours, of the other row, of the star, the caption and the code. */
static bool round_ok(const char *id, const char *name, const char *form, char *why, size_t size)
{
	reg_seal_owner o = owner(name, form);
	xmlDoc *doc;
	char *svg = draw(id, &o, CODE, &doc);
	bool good = false;
	if (!svg || !doc) {
		FAIL("not drawn");
		goto out;
	}
	double D = attr_num(xmlDocGetRootElement(doc), "width");
	struct found f = find(doc, "name"), cap = find(doc, "caption"), code = find(doc, "code");
	size_t n = utf8_len(name), start[8], rows = rows_of(&f, start);
	if (f.n != n) {
		FAIL("%zu <text> for %zu characters", f.n, n);
		goto out;
	}
	if (strcmp(joined(&f), name) != 0) {
		FAIL("the name reads '%s'", joined(&f));
		goto out;
	}
	if (rows > 2) {
		FAIL("%zu rows", rows);
		goto out;
	}
	double c = D / 2, r_in = c - reg_seal_type_border(seal(id));
	double star_r = reg_seal_type_star_diameter(seal(id)) / 2; /* 0 without a star */
	for (size_t r = 0; r < rows; r++) {
		size_t a = start[r], b = r + 1 < rows ? start[r + 1] : f.n, k = b - a;
		if (k < 2) {
			FAIL("row %zu holds %zu character", r + 1, k);
			goto out;
		}
		double span = f.g[b - 1].rot - f.g[a].rot, step = span / (double)(k - 1);
		if (span < 210 - 1e-9 || span > 270 + 1e-9) {
			FAIL("row %zu spans %.3f°, not 210–270°", r + 1, span);
			goto out;
		}
		if (fabs(f.g[a].rot + f.g[b - 1].rot) > 0.002) {
			FAIL("row %zu is not centred on the top", r + 1);
			goto out;
		}
		for (size_t i = a; i < b; i++) {
			const struct glyph *g = &f.g[i];
			if (fabs(g->rot - (f.g[a].rot + step * (double)(i - a))) > 0.002) {
				FAIL("row %zu: rotations not evenly spaced at %zu", r + 1, i + 1);
				goto out;
			}
			double ang = atan2(g->x - c, c - g->y) * 180 / M_PI;
			if (fabs(ang - g->rot) > 0.01) {
				FAIL("character %zu does not face outwards", i + 1);
				goto out;
			}
			if (i > a && hypot(g->x - f.g[i - 1].x, g->y - f.g[i - 1].y) <
					     0.9 * g->size * g->sx) {
				FAIL("characters %zu and %zu overlap", i, i + 1);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		const struct glyph *g = &f.g[i];
		struct quad q = cjk_quad(g);
		for (int k = 0; k < 4; k++)
			if (hypot(q.x[k] - c, q.y[k] - c) > r_in) {
				FAIL("character %zu '%s' crosses the border", i + 1, g->text);
				goto out;
			}
		if (star_r > 0 && distance_to(&q, c, c) < star_r) {
			FAIL("character %zu '%s' reaches into the star", i + 1, g->text);
			goto out;
		}
		if (g->size < NAME_MIN_MM || g->size > 0.15 * D) {
			FAIL("size %.3f mm", g->size);
			goto out;
		}
	}
	if (!rows_apart(&f, start, rows, why, size) ||
	    !clear_of(&f, &cap, false, GAP_MM, "caption", why, size) ||
	    !clear_of(&f, &code, true, GAP_MM, "code", why, size))
		goto out;
	snprintf(why, size, "%zu row%s, %.3f mm, narrowed to %.0f%%", rows, rows > 1 ? "s" : "",
		 f.g[0].size, 100 * f.g[0].sx);
	good = true;
out:
	free(svg);
	xmlFreeDoc(doc);
	return good;
}

/* The invoice seal: each row's characters rising from left to right over 210–270°, evenly
 * spaced along the curve, inside the border; the USCC, the caption and the code clear of the
 * name.  *uscc_clear says whether the USCC alone is. */
static bool oval_ok(const char *name, bool *uscc_clear, char *why, size_t size)
{
	reg_seal_owner o = owner(name, "llc");
	xmlDoc *doc;
	char *svg = draw("invoice", &o, CODE, &doc);
	bool good = false;
	*uscc_clear = false;
	if (!svg || !doc) {
		FAIL("not drawn");
		goto out;
	}
	struct found f = find(doc, "name"), uscc = find(doc, "uscc");
	struct found cap = find(doc, "caption"), code = find(doc, "code");
	size_t n = utf8_len(name), start[8], rows = rows_of(&f, start);
	const reg_seal_type *t = seal("invoice");
	double cx = reg_seal_type_width(t) / 2, cy = reg_seal_type_height(t) / 2;
	double bd = reg_seal_type_border(t), a_in = cx - bd, b_in = cy - bd;
	if (uscc.n != 1 || strcmp(uscc.g[0].text, USCC) != 0) {
		FAIL("no USCC across the centre");
		goto out;
	}
	*uscc_clear = clear_of(&f, &uscc, true, GAP_MM, "USCC", why, size);
	if (!*uscc_clear)
		goto out;
	if (uscc.g[0].size < USCC_MIN_MM) {
		FAIL("the USCC is %.3f mm", uscc.g[0].size);
		goto out;
	}
	if (f.n != n || strcmp(joined(&f), name) != 0) {
		FAIL("the name reads '%s'", joined(&f));
		goto out;
	}
	if (rows > 2) {
		FAIL("%zu rows", rows);
		goto out;
	}
	for (size_t r = 0; r < rows; r++) {
		size_t a = start[r], b = r + 1 < rows ? start[r + 1] : f.n, k = b - a;
		double span = f.g[b - 1].rot - f.g[a].rot;
		if (k < 2 || span < 210 - 1e-9 || span > 270 + 1e-9) {
			FAIL("row %zu: %zu characters over %.3f°", r + 1, k, span);
			goto out;
		}
		/* The characters' middles (0.38 em above the baselines) lie on an ellipse about the
		 * centre: fit its axes (x²u + y²v = 1 by least squares), then measure the arc
		 * between neighbours. */
		double mx[256], my[256], sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0;
		for (size_t i = a; i < b; i++) {
			const struct glyph *g = &f.g[i];
			double th = g->rot * M_PI / 180, m = 0.38 * g->size;
			mx[i] = g->x + m * sin(th) - cx;
			my[i] = g->y - m * cos(th) - cy;
			double X = mx[i] * mx[i], Y = my[i] * my[i];
			sxx += X * X, sxy += X * Y, syy += Y * Y, sx += X, sy += Y;
		}
		double det = sxx * syy - sxy * sxy;
		double u = (sx * syy - sy * sxy) / det, v = (sy * sxx - sx * sxy) / det;
		double ea = 1 / sqrt(u), eb = 1 / sqrt(v), lo = 1e9, hi = 0;
		for (size_t i = a + 1; i < b; i++) {
			if (f.g[i].rot <= f.g[i - 1].rot) {
				FAIL("row %zu: rotations do not rise at %zu", r + 1, i + 1);
				goto out;
			}
			double t0 = atan2(mx[i - 1] / ea, -my[i - 1] / eb);
			double t1 = atan2(mx[i] / ea, -my[i] / eb), d = 0;
			for (int s = 0; s < 400; s++) {
				double a0 = t0 + (t1 - t0) * s / 400;
				double a1 = t0 + (t1 - t0) * (s + 1) / 400;
				d += hypot(ea * (sin(a1) - sin(a0)), eb * (cos(a1) - cos(a0)));
			}
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		if (k >= 3 && hi - lo >= 0.01 * hi) {
			FAIL("row %zu: not evenly spaced along the arc (%.3f–%.3f mm)", r + 1, lo,
			     hi);
			goto out;
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		struct quad q = cjk_quad(&f.g[i]);
		for (int k = 0; k < 4; k++)
			if ((q.x[k] - cx) * (q.x[k] - cx) / (a_in * a_in) +
				    (q.y[k] - cy) * (q.y[k] - cy) / (b_in * b_in) > 1) {
				FAIL("character %zu '%s' crosses the border", i + 1, f.g[i].text);
				goto out;
			}
		if (f.g[i].size < NAME_MIN_MM) {
			FAIL("size %.3f mm", f.g[i].size);
			goto out;
		}
	}
	if (!rows_apart(&f, start, rows, why, size) ||
	    !clear_of(&f, &cap, false, GAP_MM, "caption", why, size) ||
	    !clear_of(&f, &code, true, GAP_MM, "code", why, size))
		goto out;
	struct quad uq = latin_quad(&uscc.g[0]);
	for (size_t j = 0; j < cap.n; j++) {
		struct quad cq = cjk_quad(&cap.g[j]);
		if (!apart(&uq, &cq, GAP_MM)) {
			FAIL("the caption touches the USCC");
			goto out;
		}
	}
	snprintf(why, size, "%zu row%s, name %.3f mm narrowed to %.0f%%, USCC %.3f mm", rows,
		 rows > 1 ? "s" : "", f.g[0].size, 100 * f.g[0].sx, uscc.g[0].size);
	good = true;
out:
	free(svg);
	xmlFreeDoc(doc);
	return good;
}

static void test_lengths(void)
{
	static const char *const names[] = {
		"恒泰",
		"恒泰公司",
		NAME,
		"乌海市海勃湾区恒泰商贸物流有限公司",
		"内蒙古自治区乌海市海勃湾区恒泰商贸物流信息咨询服务股份有限公司",
		"内蒙古自治区乌海市海勃湾区恒泰昌商贸物流信息咨询服务餐饮娱乐管理科技开发有限公司",
		LONGEST,
	};
	char why[256];
	bool clear;
	is_int(REG_SEAL_NAME_MAX, REG_NAME_MAX_CHARS,
	       "a seal takes every name the window accepts (REG_NAME_MAX_CHARS)");
	is_int(utf8_len(LONGEST), REG_SEAL_NAME_MAX, "the longest name tested is the limit");
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t n = utf8_len(names[i]);
		ok(round_ok("official", names[i], "llc", why, sizeof why),
		   "official, %zu characters: %s",
		   n, why);
		ok(round_ok("contract", names[i], "llc", why, sizeof why),
		   "contract, %zu characters: %s",
		   n, why);
		ok(round_ok("official", names[i], "jsc", why, sizeof why),
		   "official 42 mm, %zu characters: %s", n, why);
		ok(oval_ok(names[i], &clear, why, sizeof why), "invoice, %zu characters: %s", n,
		   why);
	}

	/* Every length the seal accepts. */
	const char *const rounds[] = {"official", "contract"};
	for (size_t s = 0; s < 2; s++) {
		size_t bad = 0;
		char first[512] = "";
		for (size_t n = 2; n <= REG_SEAL_NAME_MAX; n++) {
			char name[512];
			first_chars(LONGEST, n, name, sizeof name);
			if (!round_ok(rounds[s], name, "llc", why, sizeof why) && !bad++)
				snprintf(first, sizeof first, "%zu characters: %s", n, why);
		}
		ok(bad == 0, "%s: every name of 2 to %d characters is laid out whole, inside the "
		   "ring, clear of star, caption and code%s%s", rounds[s], REG_SEAL_NAME_MAX,
		   bad ? " — first failure at " : "", first);
	}
	size_t bad = 0;
	char first[512] = "";
	for (size_t n = 2; n <= REG_SEAL_NAME_MAX; n++) {
		char name[512];
		first_chars(LONGEST, n, name, sizeof name);
		bool all = oval_ok(name, &clear, why, sizeof why);
		ok(clear,
		   "invoice, %zu characters: the USCC across the centre is clear of the name%s%s",
		   n, clear ? "" : ": ", clear ? "" : why);
		if (!all && !bad++)
			snprintf(first, sizeof first, "%zu characters: %s", n, why);
	}
	ok(bad == 0, "invoice: every name of 2 to %d characters is laid out whole, inside the "
	   "border, clear of caption and code%s%s", REG_SEAL_NAME_MAX,
	   bad ? " — first failure at " : "", first);

	/* The square finance seal: the longest name and 财务专用章 in its grid, every character
	 * whole inside the border and clear of the others. */
	reg_seal_owner o = owner(LONGEST, "llc");
	xmlDoc *doc;
	char *svg = draw("finance", &o, CODE, &doc);
	if (ok(svg && doc, "finance, %d characters: drawn", REG_SEAL_NAME_MAX)) {
		struct found f = find(doc, "name"), cap = find(doc, "caption");
		double W = reg_seal_type_width(seal("finance"));
		double bd = reg_seal_type_border(seal("finance"));
		bool inside = true, clear = true;
		is_str(joined(&f), LONGEST, "finance: the whole name");
		is_str(joined(&cap), "财务专用章", "finance: then 财务专用章");
		for (size_t i = 0; i < cap.n; i++)
			f.g[f.n++] = cap.g[i];
		for (size_t i = 0; i < f.n; i++) {
			struct quad q = cjk_quad(&f.g[i]);
			for (int k = 0; k < 4; k++)
				inside &= q.x[k] >= bd && q.x[k] <= W - bd && q.y[k] >= bd &&
					  q.y[k] <= W - bd;
			for (size_t j = 0; j < i; j++) {
				struct quad p = cjk_quad(&f.g[j]);
				clear &= apart(&q, &p, 0);
			}
		}
		ok(inside && clear, "finance: every character inside the border, none touching "
		   "(%.3f mm)", f.g[0].size);
	}
	free(svg);
	xmlFreeDoc(doc);

	/* A joint-stock company's official seal is 42 mm; its contract seal stays 40 mm. */
	o = owner("乌海市恒泰商贸股份有限公司", "jsc");
	svg = draw("official", &o, CODE, &doc);
	char *w = doc ? reg_xml_attr(xmlDocGetRootElement(doc), "width") : NULL;
	is_str(w, "42mm", "a joint-stock company's official seal is 42 mm across");
	free(w);
	free(svg);
	xmlFreeDoc(doc);
	svg = draw("contract", &o, CODE, &doc);
	w = doc ? reg_xml_attr(xmlDocGetRootElement(doc), "width") : NULL;
	is_str(w, "40mm", "its contract seal stays 40 mm");
	free(w);
	free(svg);
	xmlFreeDoc(doc);
}

/* The legal-representative seal: the person's name in a grid that grows with it, read in
 * columns from right to left, each from the top, every character whole inside the border
 * above the code strip and clear of the others. */
static void test_people(void)
{
	static const struct {
		const char *name, *reads;
	} people[] = {
		{"玉", "玉之印"},
		{"张伟", "张伟之印"},
		{"张三丰", "张三丰印"},
		{"欧阳修远", "欧阳修远"},
		{"古丽·阿依", "古丽·阿依"},
		{"阿卜杜·买买提艾力", "阿卜杜·买买提艾力"},
		{"阿卜杜热合曼·买买提明·艾则孜江", "阿卜杜热合曼·买买提明·艾则孜江"},
		{"阿卜杜热合曼·买买提明·艾则孜江·阿不都克力木·吐尔洪阿吉江",
		 "阿卜杜热合曼·买买提明·艾则孜江·阿不都克力木·吐尔洪阿吉江"},
	};
	static const size_t lengths[] = {1, 2, 3, 4, 5, 9, 16, 30};
	is_int(REG_SEAL_PERSON_MAX, 30, "a person's name on a seal may have 30 characters");
	const reg_seal_type *t = seal("legal-rep");
	double W = reg_seal_type_width(t), H = reg_seal_type_height(t), b = reg_seal_type_border(t);
	for (size_t i = 0; i < sizeof people / sizeof *people; i++) {
		size_t n = utf8_len(people[i].name);
		reg_seal_owner o = owner(NAME, "llc");
		o.legal_rep = (char *)people[i].name;
		xmlDoc *doc;
		char *svg = draw("legal-rep", &o, CODE, &doc);
		is_int(n, lengths[i], "a person's name of %zu characters", lengths[i]);
		if (!ok(svg && doc, "%zu characters: drawn", n)) {
			free(svg);
			xmlFreeDoc(doc);
			continue;
		}
		struct found f = find(doc, "name"), code = find(doc, "code");
		is_str(joined(&f), people[i].reads, "%zu characters: the seal reads %s", n,
		       people[i].reads);
		/* Columns from the right, each from the top: x never grows, and within a column y
		 * grows. */
		bool order = true, inside = true, clear = true, same = true;
		size_t cols = 1;
		for (size_t k = 1; k < f.n; k++) {
			if (f.g[k].x > f.g[k - 1].x + 1e-9)
				order = false;
			else if (fabs(f.g[k].x - f.g[k - 1].x) < 1e-9 && f.g[k].y <= f.g[k - 1].y)
				order = false;
			if (f.g[k].x < f.g[k - 1].x - 1e-9)
				cols++;
			if (fabs(f.g[k].size - f.g[0].size) > 1e-9)
				same = false;
		}
		double code_top = code.n ? code.g[0].y - 0.716 * code.g[0].size : H - b;
		for (size_t k = 0; k < f.n; k++) {
			struct quad q = cjk_quad(&f.g[k]);
			for (int c = 0; c < 4; c++)
				if (q.x[c] < b || q.x[c] > W - b || q.y[c] < b || q.y[c] > code_top)
					inside = false;
			for (size_t j = 0; j < k; j++) {
				struct quad p = cjk_quad(&f.g[j]);
				if (!apart(&q, &p, 0))
					clear = false;
			}
		}
		/* ⌈√n⌉ columns, fewer when the rows they need suffice (docs/seals.md). */
		size_t want_cols = 1;
		while (want_cols * want_cols < f.n)
			want_cols++;
		size_t want_rows = (f.n + want_cols - 1) / want_cols;
		want_cols = (f.n + want_rows - 1) / want_rows;
		ok(order, "%zu characters: columns from right to left, each read from the top", n);
		ok(cols == want_cols,
		   "%zu characters: %zu columns of %zu rows, a grid that grows with "
		   "the name", n, cols, want_rows);
		ok(inside, "%zu characters: every character inside the border, above the code", n);
		ok(clear, "%zu characters: no two characters touch", n);
		ok(same && f.g[0].size >= 2.0, "%zu characters: one size, %.3f mm, legible", n,
		   f.g[0].size);
		free(svg);
		xmlFreeDoc(doc);
	}
}

static void expect_refused(const char *what, reg_seal_owner o, const char *id, const char *code,
			   const char *needle)
{
	reg_seal_spec spec = {.type = seal(id), .owner = &o, .code = code};
	reg_err *err = NULL;
	char *svg = NULL;
	size_t len = 0;
	int rc = reg_seal_svg(&spec, &svg, &len, &err);
	ok(rc < 0 && !svg && reg_err_code(err) == REG_ENO && strstr(reg_err_message(err), needle),
	   "%s is refused (%s)", what, reg_err_message(err));
	free(svg);
	reg_err_free(err);
}

static void test_refusals(void)
{
	char long_name[1024] = "", person[256] = "", most[32];
	for (int i = 0; i < REG_SEAL_NAME_MAX + 1; i++)
		strcat(long_name, "恒");
	snprintf(most, sizeof most, "at most %d", REG_SEAL_NAME_MAX);
	expect_refused("a name longer than the window accepts", owner(long_name, "llc"), "official",
		       CODE, most);
	expect_refused("a name of one character", owner("恒", "llc"), "official", CODE,
		       "too short");
	expect_refused("a name that is not UTF-8", owner("\xe6\x81\x92\xff\xfe", "llc"),
		       "official", CODE, "UTF-8");
	expect_refused("a name with a control character", owner("恒泰\n商贸", "llc"), "official",
		       CODE, "control");
	reg_seal_owner o = owner(NAME, "llc");
	for (int i = 0; i < REG_SEAL_PERSON_MAX + 1; i++)
		strcat(person, "张");
	o.legal_rep = person;
	snprintf(most, sizeof most, "at most %d", REG_SEAL_PERSON_MAX);
	expect_refused("a person's name of 31 characters", o, "legal-rep", CODE, most);
	o = owner(NAME, "llc");
	o.uscc = (char *)"91150302MA0000015X";
	expect_refused("a USCC with a wrong check", o, "invoice", CODE, "check");
	o = owner(NAME, "llc");
	o.uscc = NULL;
	expect_refused("a filed invoice seal without a USCC", o, "invoice", CODE, "USCC");
	expect_refused("a seal code of 12 digits", owner(NAME, "llc"), "official", "150302000001",
		       "13 digits");
}

/* Seals filed by the shipped TEST authority (its private key is public) say so: 样本 across
 * them, as a specimen says it, but with their code; a real authority's seals carry no mark. */
static void test_test_authority(void)
{
	static const char *const ids[] = {"official", "finance", "invoice", "contract", "legal-rep"};
	reg_seal_owner o = owner(NAME, "llc");
	for (size_t i = 0; i < 5; i++) {
		reg_seal_spec spec = {.type = seal(ids[i]), .owner = &o, .code = CODE,
				      .test_authority = true};
		xmlDoc *doc;
		char *svg = draw_spec(&spec, &doc);
		if (!ok(svg && doc, "%s of a test authority: drawn", ids[i])) {
			free(svg);
			xmlFreeDoc(doc);
			continue;
		}
		struct found mark = find(doc, "test-authority"), code = find(doc, "code");
		ok(mark.n == 1 && strstr(mark.g[0].text, "样本") && mark.g[0].rot < -20 &&
		   mark.g[0].rot > -70, "%s of a test authority: 样本 across it (%s)", ids[i],
		   mark.n ? mark.g[0].text : "no mark");
		is_str(joined(&code), CODE, "%s of a test authority: still its seal code", ids[i]);
		is_int(find(doc, "specimen").elements, 0, "%s of a test authority: not a specimen",
		       ids[i]);
		free(svg);
		xmlFreeDoc(doc);
		spec.test_authority = false;
		svg = draw_spec(&spec, &doc);
		is_int(doc ? find(doc, "test-authority").elements : 99, 0,
		       "%s of a real authority: no mark", ids[i]);
		free(svg);
		xmlFreeDoc(doc);
	}
	/* The test authority's own stamp, and a specimen (one mark, the specimen's). */
	reg_seal_owner authority = {.name = (char *)"乌海市海勃湾区市场监督管理局"};
	reg_seal_spec stamp = {.type = seal("official"), .owner = &authority, .stamp = true,
			       .test_authority = true};
	xmlDoc *doc;
	char *svg = draw_spec(&stamp, &doc);
	ok(doc && find(doc, "test-authority").n == 1, "a test authority's stamp is marked 样本");
	free(svg);
	xmlFreeDoc(doc);
	o.uscc = NULL;
	reg_seal_spec specimen = {.type = seal("official"), .owner = &o, .test_authority = true};
	svg = draw_spec(&specimen, &doc);
	ok(doc && find(doc, "specimen").n == 1 && find(doc, "test-authority").elements == 0,
	   "a specimen keeps its one 样本 SPECIMEN mark");
	free(svg);
	xmlFreeDoc(doc);
}

static void test_specimen_and_escaping(void)
{
	reg_seal_owner o = owner(NAME, "llc");
	o.uscc = NULL;
	static const char *const ids[] = {"official", "finance", "invoice", "contract", "legal-rep"};
	for (size_t i = 0; i < 5; i++) {
		xmlDoc *doc;
		char *svg = draw(ids[i], &o, NULL, &doc);
		ok(svg && doc, "%s specimen: drawn without a USCC", ids[i]);
		if (doc) {
			struct found wm = find(doc, "specimen");
			is_int(find(doc, "code").elements, 0, "%s specimen: no seal code", ids[i]);
			ok(wm.n == 1 && strstr(wm.g[0].text, "样本") && strstr(wm.g[0].text, "SPECIMEN"),
			   "%s specimen: the 样本 SPECIMEN watermark", ids[i]);
			ok(wm.n == 1 && wm.g[0].rot < -20 && wm.g[0].rot > -70,
			   "%s specimen: the watermark runs along the diagonal", ids[i]);
		}
		free(svg);
		xmlFreeDoc(doc);
	}

	/* The authority's stamp on a license: name and star, no code, no watermark. */
	reg_seal_owner authority = {.name = (char *)"乌海市海勃湾区市场监督管理局"};
	reg_seal_spec stamp = {.type = seal("official"), .owner = &authority, .stamp = true};
	char *stamp_svg = NULL;
	size_t stamp_len = 0;
	reg_err *stamp_err = NULL;
	ok(reg_seal_svg(&stamp, &stamp_svg, &stamp_len, &stamp_err) == 0, "a stamp is drawn");
	xmlDoc *stamp_doc = stamp_svg ? reg_xml_parse_memory(stamp_svg, stamp_len, "stamp", NULL)
				      : NULL;
	if (stamp_doc) {
		struct found n = find(stamp_doc, "name");
		is_str(joined(&n), "乌海市海勃湾区市场监督管理局", "stamp: the authority's name on the arc");
		is_int(find(stamp_doc, "star").elements, 1, "stamp: the star");
		is_int(find(stamp_doc, "code").elements, 0, "stamp: no seal code");
		is_int(find(stamp_doc, "specimen").elements, 0, "stamp: no specimen watermark");
	} else {
		ok(0, "the stamp parses");
	}
	xmlFreeDoc(stamp_doc);
	free(stamp_svg);
	reg_err_free(stamp_err);
	stamp_err = NULL;
	stamp.code = CODE;
	ok(reg_seal_svg(&stamp, &stamp_svg, &stamp_len, &stamp_err) == -1 &&
		   reg_err_code(stamp_err) == REG_EINTERNAL,
	   "a stamp with a seal code is a caller's mistake");
	reg_err_free(stamp_err);

	/* Markup in a name stays text. */
	o = owner("乌海<&>\"'商贸公司", "llc");
	xmlDoc *doc;
	char *svg = draw("official", &o, CODE, &doc);
	struct found f = doc ? find(doc, "name") : (struct found){0};
	is_str(doc ? joined(&f) : NULL, "乌海<&>\"'商贸公司",
	       "markup characters in a name are escaped, not interpreted");
	free(svg);
	xmlFreeDoc(doc);

	/* The legal-representative seal: a square grid read in columns from the right. */
	o = owner(NAME, "llc");
	svg = draw("legal-rep", &o, CODE, &doc);
	f = doc ? find(doc, "name") : (struct found){0};
	is_str(doc ? joined(&f) : NULL, "张伟之印", "a two-character name seal reads 张伟之印");
	ok(f.n == 4 && f.g[0].x > f.g[2].x && fabs(f.g[0].x - f.g[1].x) < 1e-9 &&
	   f.g[0].y < f.g[1].y, "the first column is on the right, read from the top");
	free(svg);
	xmlFreeDoc(doc);
	o.legal_rep = (char *)"张三丰";
	svg = draw("legal-rep", &o, CODE, &doc);
	f = doc ? find(doc, "name") : (struct found){0};
	is_str(doc ? joined(&f) : NULL, "张三丰印", "a three-character name seal reads 张三丰印");
	free(svg);
	xmlFreeDoc(doc);

	/* The finance seal: the name then 财务专用章 in the grid. */
	svg = draw("finance", &o, CODE, &doc);
	struct found nm = doc ? find(doc, "name") : (struct found){0};
	struct found cap = doc ? find(doc, "caption") : (struct found){0};
	is_str(doc ? joined(&nm) : NULL, NAME, "the finance seal carries the name");
	is_str(doc ? joined(&cap) : NULL, "财务专用章", "and 财务专用章 after it");
	free(svg);
	xmlFreeDoc(doc);
	svg = draw("contract", &o, CODE, &doc);
	cap = doc ? find(doc, "caption") : (struct found){0};
	struct found star = doc ? find(doc, "star") : (struct found){0};
	is_str(doc ? joined(&cap) : NULL, "合同专用章", "the contract seal says 合同专用章");
	ok(cap.n == 1 && cap.g[0].y > 20 + 7 * 0.809, "below the star");
	(void)star;
	free(svg);
	xmlFreeDoc(doc);
	svg = draw("official", &o, CODE, &doc);
	is_int(doc ? find(doc, "caption").elements : 99, 0, "the official seal has no caption");
	free(svg);
	xmlFreeDoc(doc);
}

/* Two calls give the same bytes, and a locale with a decimal comma changes nothing. */
static void test_deterministic(void)
{
	static const char *const ids[] = {"official", "finance", "invoice", "contract", "legal-rep"};
	reg_seal_owner o = owner(NAME, "llc");
	char *first[5] = {0};
	bool same = true;
	for (size_t i = 0; i < 5; i++) {
		xmlDoc *doc;
		first[i] = draw(ids[i], &o, CODE, &doc);
		xmlFreeDoc(doc);
		char *again = draw(ids[i], &o, CODE, &doc);
		xmlFreeDoc(doc);
		same &= first[i] && again && strcmp(first[i], again) == 0;
		free(again);
	}
	ok(same, "two calls draw the same bytes");

	static const char *const comma[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
					    "ru_RU.UTF-8", "nl_NL.UTF-8"};
	const char *got = NULL;
	for (size_t i = 0; !got && i < sizeof comma / sizeof *comma; i++)
		got = setlocale(LC_NUMERIC, comma[i]) ? comma[i] : NULL;
	if (got && strcmp(localeconv()->decimal_point, ",") == 0) {
		same = true;
		for (size_t i = 0; i < 5; i++) {
			xmlDoc *doc;
			char *again = draw(ids[i], &o, CODE, &doc);
			xmlFreeDoc(doc);
			same &= first[i] && again && strcmp(first[i], again) == 0;
			free(again);
		}
		setlocale(LC_NUMERIC, "C");
		ok(same, "the same bytes under LC_NUMERIC=%s (decimal comma)", got);
	} else {
		setlocale(LC_NUMERIC, "C");
		ok(true, "# SKIP no locale with a decimal comma is installed");
	}
	for (size_t i = 0; i < 5; i++)
		free(first[i]);

	char name[REG_SEAL_FILE_NAME_MAX];
	ok(reg_seal_file_name(seal("legal-rep"), name, sizeof name) == 0 &&
	   strcmp(name, "05-legal-rep.svg") == 0, "file name NN-<id>.svg");
}

/* ---- registry and filing record -------------------------------------------------------------- */

static int issue(reg_registry *reg, const char *number, const char *uscc, reg_err **err)
{
	reg_registry_dossier d = {
		.number = number, .name = NAME, .authority = "150302",
		.state = REG_REGISTRY_STATE_ISSUED, .accepted_at = 1795402800,
	};
	reg_registry_body first = {
		.digest = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
		.body = "<dossier xmlns=\"urn:regkit:dossier:1\"/>",
	};
	reg_registry_issuance is = {.number = number, .uscc = uscc, .issued_at = 1795402800};
	if (reg_registry_add_dossier(reg, &d, &first, err) < 0 || reg_registry_add_issuance(reg, &is, err) < 0)
		return -1;
	return 0;
}

static int64_t count(reg_registry *reg, const char *table)
{
	int64_t n = -1;
	reg_err *err = NULL;
	reg_registry_count(reg, table, &n, &err);
	reg_err_free(err);
	return n;
}

static void test_registry(void)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/registry.db", tmpdir);
	reg_err *err = NULL;
	reg_registry *reg = reg_registry_open(path, &err);
	if (!ok(reg, "a fresh registry")) {
		reg_err_free(err);
		return;
	}
	/* 2026-11-23T20:00:00Z is already 24 November in the authority's +08:00. */
	const int64_t at = 1795464000;
	size_t n = reg_catalog_seal_count(cat), n_new = 99;
	reg_seal_filed filed[8], again[8];
	ok(n == 5, "the shipped catalog has five seals");

	/* Not issued here: refused, nothing taken. */
	reg_registry_begin(reg, &err);
	int rc = reg_seal_file_set(reg, cat, "150302", USCC, at, filed, &n_new, &err);
	ok(rc < 0 && reg_err_code(err) == REG_ENO &&
	   strstr(reg_err_message(err), "USCC '" USCC "' was not issued by this registry"),
	   "a USCC this registry did not issue is refused: %s", reg_err_message(err));
	reg_err_clear(&err);
	reg_registry_rollback(reg, NULL);
	is_int(count(reg, "seals"), 0, "and nothing was filed");

	ok(issue(reg, "150302-20261123-000001", USCC, &err) == 0, "issue " USCC);
	reg_err_clear(&err);
	reg_registry_begin(reg, &err);
	rc = reg_seal_file_set(reg, cat, "150302", USCC, at, filed, &n_new, &err);
	ok(rc == 0 && reg_registry_commit(reg, &err) == 0, "the set is filed");
	reg_err_clear(&err);
	is_int(n_new, 5, "five new seals");
	bool shape = true, distinct = true;
	for (size_t i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof want, "150302%07zu", i + 1);
		shape &= strcmp(filed[i].code, want) == 0 && !filed[i].reused &&
			 filed[i].filed_at == at && filed[i].type == reg_catalog_seal(cat, i);
		for (size_t j = 0; j < i; j++)
			distinct &= strcmp(filed[i].code, filed[j].code) != 0;
	}
	ok(shape, "codes are the division 150302 and serials 1-5, in catalog order");
	ok(distinct, "no two seals share a code");
	is_int(count(reg, "seals"), 5, "five rows in seals");
	is_int(count(reg, "events"), 1, "one seal-filed event");

	reg_registry_begin(reg, &err);
	rc = reg_seal_file_set(reg, cat, "150302", USCC, at + 3600, again, &n_new, &err);
	reg_registry_commit(reg, &err);
	bool reused = rc == 0 && n_new == 0;
	for (size_t i = 0; i < n; i++)
		reused &= again[i].reused && strcmp(again[i].code, filed[i].code) == 0 &&
			  again[i].filed_at == at;
	ok(reused, "filing again reuses every code and its filing time");
	reg_err_clear(&err);
	is_int(count(reg, "seals"), 5, "still five seals");
	is_int(count(reg, "events"), 1, "and no new event");

	/* A rollback gives the serials back. */
	char fix[REG_USCC_LEN + 1];
	if (reg_uscc_make("150302", 2, fix) < 0)
		abort();
	ok(issue(reg, "150302-20261123-000002", fix, &err) == 0, "issue a second USCC");
	reg_err_clear(&err);
	reg_registry_begin(reg, &err);
	reg_seal_file_set(reg, cat, "150302", fix, at, again, NULL, &err);
	reg_registry_rollback(reg, NULL);
	reg_err_clear(&err);
	reg_registry_begin(reg, &err);
	rc = reg_seal_file_set(reg, cat, "150302", fix, at, again, NULL, &err);
	reg_registry_commit(reg, &err);
	ok(rc == 0 && strcmp(again[0].code, "1503020000006") == 0,
	   "after a rollback the next set starts at serial 6 again: %s", again[0].code);
	reg_err_clear(&err);

	/* The filing record. */
	char *apath = NULL;
	if (asprintf(&apath, "%s/fixtures/authority/authority.xml",
		     getenv("REG_DATADIR") && *getenv("REG_DATADIR") ? getenv("REG_DATADIR")
								       : REG_SOURCE_DATADIR) < 0)
		abort();
	reg_authority *auth = reg_authority_load(apath, &err);
	free(apath);
	ok(auth, "the test authority loads");
	reg_err_clear(&err);
	reg_seal_owner o = owner(NAME, "llc");
	char *xml = NULL, *xml2 = NULL;
	size_t len = 0, len2 = 0;
	rc = auth ? reg_seal_filing_xml(cat, auth, &o, filed, n, &xml, &len, &err) : -1;
	xmlDoc *doc = rc == 0 ? reg_xml_parse_memory(xml, len, "filing.xml", &err) : NULL;
	ok(doc, "the filing record is well-formed XML");
	reg_err_clear(&err);
	if (doc) {
		xmlNode *root = xmlDocGetRootElement(doc);
		ok(strcmp((const char *)root->name, "seal-filing") == 0 && root->ns &&
		   strcmp((const char *)root->ns->href, REG_NS_ARCHIVE) == 0,
		   "<seal-filing> in urn:regkit:archive:1");
		char *date = reg_xml_attr(root, "date");
		is_str(date, "2026-11-24", "dated in the authority's time zone");
		free(date);
		xmlNode *ent = reg_xml_child(root, REG_NS_ARCHIVE, "enterprise");
		char *u = reg_xml_attr(ent, "uscc"), *nm = reg_xml_child_text(ent, REG_NS_ARCHIVE, "name");
		is_str(u, USCC, "the enterprise's USCC");
		is_str(nm, NAME, "and name");
		free(u);
		free(nm);
		char *an = reg_xml_child_text(root, REG_NS_ARCHIVE, "authority");
		is_str(an, "乌海市海勃湾区市场监督管理局", "the authority");
		free(an);
		xmlNode *seals = reg_xml_child(root, REG_NS_ARCHIVE, "seals");
		size_t k = 0;
		bool fields = true;
		reg_xml_for_each_child(s, seals, REG_NS_ARCHIVE, "seal") {
			char *code = reg_xml_attr(s, "code"), *fee = reg_xml_attr(s, "fee");
			char *type = reg_xml_attr(s, "type"), *file = reg_xml_attr(s, "file");
			char want[REG_SEAL_FILE_NAME_MAX];
			reg_seal_file_name(reg_catalog_seal(cat, k), want, sizeof want);
			fields &= k < n && code && strcmp(code, filed[k].code) == 0 && fee &&
				  strcmp(fee, "0.00") == 0 && type &&
				  strcmp(type, reg_seal_type_code(reg_catalog_seal(cat, k))) == 0 &&
				  file && strcmp(file, want) == 0;
			free(code);
			free(fee);
			free(type);
			free(file);
			k++;
		}
		is_int(k, 5, "five seals in the record");
		ok(fields, "each with its code, type, file and fee 0.00");
		xmlNode *total = reg_xml_child(root, REG_NS_ARCHIVE, "total");
		char *spared = reg_xml_attr(total, "spared"), *fee = reg_xml_attr(total, "fee");
		is_str(spared, "1000.00", "the engraving prices spared add up (300+200+200+200+100)");
		is_str(fee, "0.00", "for a fee of 0");
		free(spared);
		free(fee);
		xmlFreeDoc(doc);
	}
	rc = auth ? reg_seal_filing_xml(cat, auth, &o, filed, n, &xml2, &len2, &err) : -1;
	ok(rc == 0 && xml && len == len2 && memcmp(xml, xml2, len) == 0,
	   "the record is the same bytes when written again");
	reg_err_clear(&err);
	free(xml);
	free(xml2);
	reg_authority_free(auth);
	reg_registry_free(reg);
	unlink(path);
	char wal[PATH_MAX + 32];
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

/* The owner as reg-issue and reg-seal read it from a dossier. */
static void test_owner(void)
{
	static const char xml[] =
		"<dossier xmlns=\"urn:regkit:dossier:1\" state=\"issued\">\n"
		"  <enterprise><name>" NAME "</name><form>jsc</form>\n"
		"    <legal-representative><name>张伟</name></legal-representative></enterprise>\n"
		"  <issuance uscc=\"" USCC "\" time=\"2026-11-23T10:00:00+08:00\" authority=\"150302\"/>\n"
		"</dossier>\n";
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(xml, sizeof xml - 1, "d.xml", &err);
	reg_dossier *d = doc ? reg_dossier_adopt(doc, "d.xml", 1, &err) : NULL;
	reg_seal_owner o;
	int rc = d ? reg_seal_owner_from_dossier(d, &o, &err) : -1;
	ok(rc == 0 && strcmp(o.name, NAME) == 0 && strcmp(o.form, "jsc") == 0 &&
	   strcmp(o.legal_rep, "张伟") == 0 && strcmp(o.uscc, USCC) == 0,
	   "name, form, legal representative and USCC come from the dossier");
	if (rc == 0)
		reg_seal_owner_clear(&o);
	reg_dossier_free(d);
	reg_err_clear(&err);

	static const char bare[] = "<dossier xmlns=\"urn:regkit:dossier:1\">\n"
				   "  <enterprise><form>llc</form></enterprise>\n</dossier>\n";
	doc = reg_xml_parse_memory(bare, sizeof bare - 1, "b.xml", &err);
	d = doc ? reg_dossier_adopt(doc, "b.xml", 3, &err) : NULL;
	rc = d ? reg_seal_owner_from_dossier(d, &o, &err) : 0;
	ok(rc < 0 && reg_err_code(err) == REG_ENO && reg_err_file(err) &&
	   strcmp(reg_err_file(err), "b.xml") == 0 && reg_err_line(err) == 3 &&
	   strcmp(reg_err_field(err), "/dossier/enterprise/name") == 0 && reg_err_next(err),
	   "a dossier without name and legal representative: both reported at its line");
	reg_dossier_free(d);
	reg_err_free(err);
	reg_seal_owner_clear(NULL);
}

int main(void)
{
	const char *env = getenv("REG_DATADIR");
	char *datadir = strdup(env && *env ? env : REG_SOURCE_DATADIR), *schemas = NULL, *path = NULL;
	if (!datadir || asprintf(&schemas, "%s/schemas", datadir) < 0 ||
	    asprintf(&path, "%s/catalog.xml", schemas) < 0 || !mkdtemp(tmpdir))
		abort();
	reg_xml_init(schemas);
	reg_err *err = NULL;
	cat = reg_catalog_load(path, schemas, &err);
	if (!cat) {
		reg_err_print(err, "Bail out! catalog", stdout);
		return 1;
	}
	test_mm_format();
	test_set();
	test_lengths();
	test_people();
	test_refusals();
	test_test_authority();
	test_specimen_and_escaping();
	test_deterministic();
	test_owner();
	test_registry();
	reg_catalog_free(cat);
	rmdir(tmpdir);
	free(datadir);
	free(schemas);
	free(path);
	reg_xml_cleanup();
	return tap_done();
}
