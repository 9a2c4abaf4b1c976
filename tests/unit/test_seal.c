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
	char text[64];
	double x, y, size, rot;
};

/* The <text> elements of one class in document order, and how many elements carry the class. */
struct found {
	struct glyph g[128];
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
			if (strcmp((const char *)n->name, "text") == 0 && f->n < 128) {
				struct glyph *g = &f->g[f->n++];
				char *t = reg_xml_text(n), *tr = reg_xml_attr(n, "transform");
				snprintf(g->text, sizeof g->text, "%s", t ? t : "");
				g->x = attr_num(n, "x");
				g->y = attr_num(n, "y");
				g->size = attr_num(n, "font-size");
				g->rot = 0;
				if (tr && strncmp(tr, "rotate(", 7) == 0)
					g->rot = strtod(tr + 7, NULL);
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
	static char buf[1024];
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
static char *draw(const char *id, const reg_seal_owner *o, const char *code, xmlDoc **doc)
{
	reg_seal_spec spec = {.type = seal(id), .owner = o, .code = code};
	reg_err *err = NULL;
	char *svg = NULL;
	size_t len = 0;
	*doc = NULL;
	if (reg_seal_svg(&spec, &svg, &len, &err) < 0) {
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

static reg_seal_owner owner(const char *name, const char *form)
{
	reg_seal_owner o = {(char *)name, (char *)form, (char *)"张伟", (char *)USCC};
	return o;
}

/* ---- the drawings ---------------------------------------------------------------------------- */

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

/* The round seals: rotations evenly spaced, spanning 210–270°, every character inside the
 * border and clear of its neighbours, for names from the shortest to the longest allowed. */
static void check_round(const char *id, const char *name, double diameter)
{
	reg_seal_owner o = owner(name, "llc");
	xmlDoc *doc;
	char *svg = draw(id, &o, CODE, &doc);
	size_t n = utf8_len(name);
	if (!ok(svg && doc, "%s, %zu characters: drawn", id, n)) {
		free(svg);
		xmlFreeDoc(doc);
		return;
	}
	struct found f = find(doc, "name");
	is_int(f.n, n, "%s, %zu characters: one <text> each", id, n);
	double c = diameter / 2, r_in = c - reg_seal_type_border(seal(id));
	double span = f.g[f.n - 1].rot - f.g[0].rot, step = span / (double)(f.n - 1);
	bool even = true, inside = true, apart = true, upright = true;
	for (size_t i = 0; i < f.n; i++) {
		const struct glyph *g = &f.g[i];
		if (fabs(g->rot - (f.g[0].rot + step * (double)i)) > 0.002)
			even = false;
		/* The glyph's em box: 0.88 em above the baseline, half an em either side. */
		double th = g->rot * M_PI / 180, ux = sin(th), uy = -cos(th);
		double tx = ux * g->size * 0.88, ty = uy * g->size * 0.88;
		for (int side = -1; side <= 1; side += 2) {
			double px = g->x + tx + side * cos(th) * g->size / 2;
			double py = g->y + ty + side * sin(th) * g->size / 2;
			if (hypot(px - c, py - c) > r_in)
				inside = false;
		}
		/* Baseline points on the same radius: the same angle round the centre. */
		double ang = atan2(g->x - c, c - g->y) * 180 / M_PI;
		if (fabs(ang - g->rot) > 0.01)
			upright = false;
		if (i > 0 && hypot(g->x - f.g[i - 1].x, g->y - f.g[i - 1].y) < 0.9 * g->size)
			apart = false;
	}
	ok(even, "%s, %zu characters: rotations evenly spaced", id, n);
	ok(span >= 210 - 1e-9 && span <= 270 + 1e-9, "%s, %zu characters: the arc spans %.3f°, "
	   "within 210–270°", id, n, span);
	ok(fabs(f.g[0].rot + f.g[f.n - 1].rot) < 0.002, "%s, %zu characters: centred on the top",
	   id, n);
	ok(inside, "%s, %zu characters: every character inside the border", id, n);
	ok(apart, "%s, %zu characters: neighbours do not overlap", id, n);
	ok(upright, "%s, %zu characters: each character turned to face outwards", id, n);
	ok(f.g[0].size >= 1.5 && f.g[0].size <= 0.15 * diameter,
	   "%s, %zu characters: size %.3f mm stays legible and within the ring", id, n, f.g[0].size);
	free(svg);
	xmlFreeDoc(doc);
}

/* The oval: evenly spaced along the curve, rotations increasing over 210–270°. */
static void check_oval(const char *name)
{
	reg_seal_owner o = owner(name, "llc");
	xmlDoc *doc;
	char *svg = draw("invoice", &o, CODE, &doc);
	size_t n = utf8_len(name);
	if (!ok(svg && doc, "invoice, %zu characters: drawn", n)) {
		free(svg);
		xmlFreeDoc(doc);
		return;
	}
	struct found f = find(doc, "name");
	const reg_seal_type *t = seal("invoice");
	double cx = reg_seal_type_width(t) / 2, cy = reg_seal_type_height(t) / 2;
	double b = reg_seal_type_border(t), a_in = cx - b, b_in = cy - b;
	double span = f.g[f.n - 1].rot - f.g[0].rot;
	bool rising = true, inside = true;
	/* The characters' middles (0.38 em above the baselines) lie on an ellipse about the centre:
	 * fit its axes (x²u + y²v = 1 by least squares), then measure the arc between neighbours. */
	double mx[128], my[128], sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0;
	for (size_t i = 0; i < f.n; i++) {
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
	for (size_t i = 0; i < f.n; i++) {
		const struct glyph *g = &f.g[i];
		if (i > 0 && g->rot <= f.g[i - 1].rot)
			rising = false;
		if (i > 0) {
			double t0 = atan2(mx[i - 1] / ea, -my[i - 1] / eb);
			double t1 = atan2(mx[i] / ea, -my[i] / eb), d = 0;
			for (int k = 0; k < 400; k++) {
				double a0 = t0 + (t1 - t0) * k / 400, a1 = t0 + (t1 - t0) * (k + 1) / 400;
				d += hypot(ea * (sin(a1) - sin(a0)), eb * (cos(a1) - cos(a0)));
			}
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		double th = g->rot * M_PI / 180;
		for (int side = -1; side <= 1; side += 2) {
			double px = g->x + sin(th) * g->size * 0.88 + side * cos(th) * g->size / 2;
			double py = g->y - cos(th) * g->size * 0.88 + side * sin(th) * g->size / 2;
			double e = (px - cx) * (px - cx) / (a_in * a_in) +
				   (py - cy) * (py - cy) / (b_in * b_in);
			if (e > 1)
				inside = false;
		}
	}
	is_int(f.n, n, "invoice, %zu characters: one <text> each", n);
	ok(rising, "invoice, %zu characters: rotations rise from left to right", n);
	ok(span >= 210 - 1e-9 && span <= 270 + 1e-9,
	   "invoice, %zu characters: the arc spans %.3f°, within 210–270°", n, span);
	if (f.n >= 3)
		ok(hi - lo < 0.01 * hi, "invoice, %zu characters: evenly spaced along the arc "
		   "(%.3f–%.3f mm)", n, lo, hi);
	ok(inside, "invoice, %zu characters: every character inside the border", n);
	free(svg);
	xmlFreeDoc(doc);
}

static void test_lengths(void)
{
	static const char *const names[] = {
		"恒泰",
		"恒泰公司",
		NAME,
		"乌海市海勃湾区恒泰商贸物流有限公司",
		"内蒙古自治区乌海市海勃湾区恒泰商贸物流信息咨询服务股份有限公司",
		/* REG_SEAL_NAME_MAX = 40 characters */
		"内蒙古自治区乌海市海勃湾区恒泰昌商贸物流信息咨询服务餐饮娱乐管理科技开发有限公司",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		check_round("official", names[i], 40);
		check_round("contract", names[i], 40);
		check_oval(names[i]);
	}
	ok(utf8_len(names[5]) == REG_SEAL_NAME_MAX, "the longest name tested is the limit");

	/* A joint-stock company's official seal is 42 mm; its contract seal stays 40 mm. */
	reg_seal_owner o = owner("乌海市恒泰商贸股份有限公司", "jsc");
	xmlDoc *doc;
	char *svg = draw("official", &o, CODE, &doc);
	char *w = doc ? reg_xml_attr(xmlDocGetRootElement(doc), "width") : NULL;
	is_str(w, "42mm", "a joint-stock company's official seal is 42 mm across");
	free(w);
	free(svg);
	xmlFreeDoc(doc);
	check_round("official", "乌海市恒泰商贸股份有限公司", 40); /* llc owner: 40 mm */
	svg = draw("contract", &o, CODE, &doc);
	w = doc ? reg_xml_attr(xmlDocGetRootElement(doc), "width") : NULL;
	is_str(w, "40mm", "its contract seal stays 40 mm");
	free(w);
	free(svg);
	xmlFreeDoc(doc);
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
	char long_name[256] = "";
	for (int i = 0; i < REG_SEAL_NAME_MAX + 1; i++)
		strcat(long_name, "恒");
	expect_refused("a name of 41 characters", owner(long_name, "llc"), "official", CODE,
		       "at most 40");
	expect_refused("a name of one character", owner("恒", "llc"), "official", CODE,
		       "too short");
	expect_refused("a name that is not UTF-8", owner("\xe6\x81\x92\xff\xfe", "llc"),
		       "official", CODE, "UTF-8");
	expect_refused("a name with a control character", owner("恒泰\n商贸", "llc"), "official",
		       CODE, "control");
	reg_seal_owner o = owner(NAME, "llc");
	o.legal_rep = (char *)"张伟张伟张伟张伟张";
	expect_refused("a person's name of 9 characters", o, "legal-rep", CODE, "at most 8");
	o = owner(NAME, "llc");
	o.uscc = (char *)"91150302MA0000015X";
	expect_refused("a USCC with a wrong check", o, "invoice", CODE, "check");
	o = owner(NAME, "llc");
	o.uscc = NULL;
	expect_refused("a filed invoice seal without a USCC", o, "invoice", CODE, "USCC");
	expect_refused("a seal code of 12 digits", owner(NAME, "llc"), "official", "150302000001",
		       "13 digits");
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
	test_set();
	test_lengths();
	test_refusals();
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
