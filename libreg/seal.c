#include "seal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "clock.h"
#include "decimal.h"
#include "utf8.h"
#include "xml.h"

/* ---- geometry constants (docs/seals.md explains each) ---------------------------------------- */

#define PI 3.14159265358979323846

/* The name arc: 210° up to 10 characters, 6° wider per further character, 270° at most. */
#define ARC_MIN_DEG 210.0
#define ARC_MAX_DEG 270.0
#define ARC_FULL_AT 10
#define ARC_STEP_DEG 6.0
/* A character takes at most this share of the distance to its neighbour: the rest is air. */
#define CHAR_FILL 0.9
/* Where an ideograph's em box lies around its baseline: ascent 0.88 em, descent 0.12 em, so its
 * middle stands 0.38 em above the baseline (the CJK fonts of the font lists all use this box). */
#define CJK_ASCENT 0.88
#define CJK_MIDDLE 0.38
/* Digits and capitals in Arial-like fonts: cap height 0.716 em.  The last face of the Arial
 * list, DejaVu Sans (always on Debian), is up to 15% wider than Arial: what must keep clear of
 * the name is measured that wide. */
#define LATIN_CAP 0.716
#define LATIN_WIDEST 1.15
/* Inner pentagram radius / outer radius: cos 72° / cos 36°. */
#define STAR_INNER 0.381966011250105
/* Outline traced around engraved characters, as a share of their size. */
#define STROKE 0.035

/* Long names: characters are narrowed (长体) once full-width ones would be smaller than
 * NARROW_BELOW of the seal's size (diameter, or mean of an oval's axes), down to SQUEEZE_MIN of
 * their height; the name takes two rows once one row would hold them smaller than
 * TWO_ROWS_BELOW, ROW_GAP apart. */
#define NARROW_BELOW 0.1
#define SQUEEZE_MIN 0.6
#define TWO_ROWS_BELOW 0.075
#define ROW_GAP 0.01
/* Air (mm) kept between the name and a caption, USCC or code inside it; each shrinks (3% a
 * step) until it keeps it, but not below its least size (a share of the seal's size). */
#define CLEAR 0.3
#define CAPTION_LEAST 0.04
#define USCC_LEAST 0.05
#define USCC_KEEP 0.075 /* the USCC a two-row name leaves room for */
#define CODE_LEAST 0.035

#define FONT_SONG REG_FONT_SONG
#define FONT_FANGSONG REG_FONT_FANGSONG
#define FONT_KAI REG_FONT_KAI
#define FONT_HEI REG_FONT_HEI
#define FONT_ARIAL REG_FONT_ARIAL
#define FONT_WATERMARK FONT_HEI

#define F_NAME "/dossier/enterprise/name"
#define F_LEGAL_REP "/dossier/enterprise/legal-representative/name"
#define F_USCC "/dossier/issuance/@uscc"

/* ---- characters ------------------------------------------------------------------------------ */

/* A name split into its characters (UTF-8 sequences), each NUL-terminated. */
#define CHARS_MAX (REG_SEAL_NAME_MAX + 24)
struct chars {
	size_t n;
	char c[CHARS_MAX][5];
};

/* Split `text` into at most `max` characters; -1 (REG_ENO) when it is not valid UTF-8, holds a
 * control character, or has fewer than `min` or more than `max` characters. */
static int split(const char *text, size_t min, size_t max, const char *what, const char *field,
		 struct chars *out, reg_err **errp)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + strlen(text);
	out->n = 0;
	while (*s) {
		uint32_t cp;
		size_t len = reg_utf8_next(s, (size_t)(end - s), &cp);
		if (!len)
			return reg_err_set(errp, REG_ENO, NULL, 0, field, "%s is not valid UTF-8", what);
		if (reg_utf8_is_control(cp))
			return reg_err_set(errp, REG_ENO, NULL, 0, field,
					   "%s contains a control character", what);
		if (out->n == max) /* quote what fits, never a runaway field whole */
			return reg_err_set(errp, REG_ENO, NULL, 0, field,
					   "%s '%.*s…' is too long for a seal: at most %zu characters",
					   what, (int)((const char *)s - text), text, max);
		memcpy(out->c[out->n], s, len);
		out->c[out->n][len] = '\0';
		out->n++;
		s += len;
	}
	if (out->n < min)
		return reg_err_set(errp, REG_ENO, NULL, 0, field,
				   "%s '%s' is too short for a seal: at least %zu characters", what,
				   text, min);
	return 0;
}

/* Add the characters of a trusted text (a catalog name); -1 when they do not fit. */
static int append(struct chars *cs, const char *text)
{
	size_t len, n = strlen(text);
	for (const unsigned char *s = (const unsigned char *)text; *s; s += len) {
		if (!(len = reg_utf8_next(s, n - (size_t)((const char *)s - text), NULL)) ||
		    cs->n == CHARS_MAX)
			return -1;
		memcpy(cs->c[cs->n], s, len);
		cs->c[cs->n][len] = '\0';
		cs->n++;
	}
	return 0;
}

/* Advance widths (em) of Arial and its metric clones for the USCC charset. */
static double latin_width(char c)
{
	if (c >= '0' && c <= '9')
		return 0.556;
	switch (c) {
	case 'J': return 0.5;
	case 'L': return 0.556;
	case 'F': case 'T': return 0.611;
	case 'A': case 'B': case 'E': case 'K': case 'P': case 'X': case 'Y': return 0.667;
	case 'C': case 'D': case 'H': case 'N': case 'R': case 'U': return 0.722;
	case 'G': case 'Q': return 0.778;
	case 'M': return 0.833;
	case 'W': return 0.944;
	default: return 0.75;
	}
}

static double latin_em(const char *s)
{
	double w = 0;
	for (; *s; s++)
		w += latin_width(*s);
	return w;
}

/* ---- output ---------------------------------------------------------------------------------- */

struct svg {
	FILE *fp;
	char *buf;
	size_t len;
};

/* A length or angle from integer thousandths, so no locale or %f rounding can change a byte:
 * 19.4 → "19.4", 20 → "20", -0.0004 → "0". */
void reg_seal_mm_format(double v, char buf[REG_SEAL_MM_BUFSIZE])
{
	/* Written by hand, not by snprintf: a seal set prints some thousands of numbers, and
	 * printf's machinery was a tenth of an archive's cost. */
	long long u = llround(v * 1000.0);
	char *p = buf, digits[24];
	if (u < 0) {
		*p++ = '-';
		u = -u;
	}
	unsigned long long whole = (unsigned long long)u / 1000;
	int n = 0;
	do {
		digits[n++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole && n < (int)sizeof digits);
	while (n > 0)
		*p++ = digits[--n];
	int frac = (int)(u % 1000);
	if (frac) {
		*p++ = '.';
		*p++ = (char)('0' + frac / 100);
		if (frac % 100) {
			*p++ = (char)('0' + frac / 10 % 10);
			if (frac % 10)
				*p++ = (char)('0' + frac % 10);
		}
	}
	*p = '\0';
}

static void num(FILE *fp, double v)
{
	char buf[REG_SEAL_MM_BUFSIZE];
	reg_seal_mm_format(v, buf);
	fputs(buf, fp);
}

static void escaped(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default: putc(*s, fp);
		}
	}
}

/* <text class=… x y font-size [transform=rotate(a x y) [narrowing]]>text</text>: anchor and
 * family come from the enclosing group.  A character narrowed to `squeeze` of its width is
 * scaled horizontally about its own x ("translate(x 0) scale(s 1) translate(-x 0)") before it
 * is turned, so it stays centred on its point. */
static void text(FILE *fp, const char *cls, double x, double y, double size, double rot,
		 double squeeze, const char *s)
{
	bool turned = llround(rot * 1000.0) != 0, narrow = llround(squeeze * 1000.0) != 1000;
	fprintf(fp, "<text class=\"%s\" x=\"", cls);
	num(fp, x);
	fputs("\" y=\"", fp);
	num(fp, y);
	fputs("\" font-size=\"", fp);
	num(fp, size);
	if (turned || narrow)
		fputs("\" transform=\"", fp);
	if (turned) {
		fputs("rotate(", fp);
		num(fp, rot);
		putc(' ', fp);
		num(fp, x);
		putc(' ', fp);
		num(fp, y);
		fputs(narrow ? ") " : ")", fp);
	}
	if (narrow) {
		fputs("translate(", fp);
		num(fp, x);
		fputs(" 0) scale(", fp);
		num(fp, squeeze);
		fputs(" 1) translate(", fp);
		num(fp, -x);
		fputs(" 0)", fp);
	}
	fputs("\">", fp);
	escaped(fp, s);
	fputs("</text>\n", fp);
}

/* <g> of texts in one font, centred on their x; `stroke` > 0 traces the glyphs' outlines with a
 * line that wide as well — engraved characters are bolder than the fonts' book weight. */
static void group_open(FILE *fp, const char *family, double stroke, const char *extra)
{
	fputs("<g font-family=\"", fp);
	escaped(fp, family);
	fputs("\" text-anchor=\"middle\"", fp);
	if (llround(stroke * 1000.0) > 0) {
		fputs(" stroke=\"" REG_SEAL_COLOR "\" stroke-width=\"", fp);
		num(fp, stroke);
		fputs("\" stroke-linejoin=\"round\"", fp);
	}
	fprintf(fp, "%s%s>\n", extra ? " " : "", extra ? extra : "");
}

/* The font-family list for a catalog font name: the Windows, macOS and Debian faces of it. */
static const char *family(const char *font)
{
	static const struct {
		const char *name, *list;
	} fonts[] = {
		{"宋体", FONT_SONG}, {"SimSun", FONT_SONG},
		{"仿宋", FONT_FANGSONG}, {"FangSong", FONT_FANGSONG},
		{"楷体", FONT_KAI}, {"KaiTi", FONT_KAI},
		{"黑体", FONT_HEI}, {"SimHei", FONT_HEI},
		{"Arial", FONT_ARIAL},
	};
	for (size_t i = 0; font && i < sizeof fonts / sizeof *fonts; i++)
		if (strcmp(font, fonts[i].name) == 0)
			return fonts[i].list;
	return NULL;
}

/* A catalog font this code has no list for is written as given, with a generic fallback. */
static void group_font(FILE *fp, const char *font, const char *fallback, double stroke)
{
	const char *list = family(font);
	if (list || !font) {
		group_open(fp, list ? list : fallback, stroke, NULL);
		return;
	}
	char *own = NULL;
	if (asprintf(&own, "%s, %s", font, fallback) < 0)
		own = NULL;
	group_open(fp, own ? own : fallback, stroke, NULL);
	free(own);
}

/* ---- pieces shared by the shapes ------------------------------------------------------------- */

static void star(FILE *fp, double cx, double cy, double diameter)
{
	double R = diameter / 2, r = R * STAR_INNER;
	fputs("<path class=\"star\" d=\"", fp);
	for (int k = 0; k < 10; k++) {
		double a = k * 36.0 * PI / 180.0, rad = k % 2 ? r : R;
		fputs(k ? " L" : "M", fp);
		num(fp, cx + rad * sin(a));
		putc(',', fp);
		num(fp, cy - rad * cos(a));
	}
	fputs(" Z\"/>\n", fp);
}

/* The code along the bottom of a round seal: digits upright towards the centre, read from left
 * to right, their baselines on radius r_base. */
static void code_arc(FILE *fp, double c, double r_base, double size, const char *code)
{
	size_t n = strlen(code);
	double r_mid = r_base - size * LATIN_CAP / 2;
	double step = 0.62 * size / r_mid * 180.0 / PI; /* degrees per digit */
	char digit[2] = {0, 0};
	group_open(fp, FONT_ARIAL, 0, NULL);
	for (size_t i = 0; i < n; i++) {
		double phi = ((double)(n - 1) / 2 - (double)i) * step;
		double th = (180.0 + phi) * PI / 180.0;
		digit[0] = code[i];
		text(fp, "code", c + r_base * sin(th), c - r_base * cos(th), size, phi, 1, digit);
	}
	fputs("</g>\n", fp);
}

/* Degrees between the first and last characters' centres of a row of n characters. */
static double arc_span(size_t n)
{
	if (n <= ARC_FULL_AT)
		return ARC_MIN_DEG;
	double s = ARC_MIN_DEG + ARC_STEP_DEG * (double)(n - ARC_FULL_AT);
	return s > ARC_MAX_DEG ? ARC_MAX_DEG : s;
}

/* ---- the name on a ring ---------------------------------------------------------------------- */

/* Where a round or oval seal's name lies: the curve the tops of the outer row's characters touch
 * (a circle when rx == ry), centred on the seal; the largest character; the air between rows. */
struct ring {
	bool oval;
	double cx, cy, rx, ry;
	double h_max, row_gap;
	double h_max2;  /* the largest character in two rows, when smaller than h_max (else 0) */
};

/* How the name is laid out: one or two rows (n[0] characters on the outer, n[1] on the inner,
 * read in that order), one size (em) and one horizontal scale for every character. */
struct name_layout {
	size_t rows, n[2];
	double size, squeeze;
};

/* One character placed: its baseline centre and its rotation (degrees, clockwise from upright,
 * so its top faces outwards). */
struct placed {
	double x, y, rot;
};

#define OVAL_STEPS 2048

/* The arc of the ellipse with semi-axes a (across) and b (up) about the seal's centre between
 * the points whose normals lie span/2 (radians) either side of the upward one: its length, the
 * parameter of its right end in *t_end (a point is (a sin t, −b cos t)), and in len[0..OVAL_STEPS]
 * (when not NULL) the length from the left end to each of OVAL_STEPS even steps of t.  Each
 * step's end is the next one's start: its sine and cosine are reused. */
static double ellipse_arc(double a, double b, double span, double *t_end, double *len)
{
	double te = atan2(a * sin(span / 2), b * cos(span / 2)), total = 0;
	double s0 = sin(-te), c0 = cos(-te);
	if (len)
		len[0] = 0;
	for (int k = 1; k <= OVAL_STEPS; k++) {
		double t1 = -te + 2 * te * k / OVAL_STEPS, s1 = sin(t1), c1 = cos(t1);
		total += hypot(a * (s1 - s0), b * (c1 - c0));
		if (len)
			len[k] = total;
		s0 = s1;
		c0 = c1;
	}
	if (t_end)
		*t_end = te;
	return total;
}

/* From the outer curve in to the middles of row k's characters when they are h high. */
static double row_inset(const struct ring *r, size_t k, double h)
{
	return (double)k * (h + r->row_gap) + h / 2;
}

static double half_pitch_sine(size_t n)
{
	double pitch = arc_span(n) / (double)(n - 1);
	return pitch / 2 >= 90 ? 1.0 : sin(pitch / 2 * PI / 180.0);
}

/* The room of one character of a row of n characters h high: the chord between neighbouring
 * centres at the characters' middle radius on a circle, the arc length between them on an
 * ellipse (whose characters are spaced evenly along the curve). */
/* The length of the arc ellipse_arc measures, by Gauss–Legendre quadrature of
 * √(a² cos² t + b² sin² t) over [−te, te]: 8 panels of 8 nodes, exact to far below a micrometre
 * for any seal, and some 30 times cheaper than the 2048-step polyline, which the size search
 * would otherwise walk a dozen times a seal.  (The polyline is still what places the
 * characters: it is walked once.) */
static double ellipse_length(double a, double b, double span)
{
	static const double node[4] = {0.1834346424956498, 0.5255324099163290,
				       0.7966664774136267, 0.9602898564975363};
	static const double weight[4] = {0.3626837833783620, 0.3137066458778873,
					 0.2223810344533745, 0.1012285362903763};
	double te = atan2(a * sin(span / 2), b * cos(span / 2)), total = 0;
	const int panels = 8;
	double w = 2 * te / panels;
	for (int p = 0; p < panels; p++) {
		double mid = -te + (p + 0.5) * w, half = w / 2;
		for (int i = 0; i < 4; i++)
			for (int sign = -1; sign <= 1; sign += 2) {
				double t = mid + sign * half * node[i], c = cos(t), si = sin(t);
				total += weight[i] * half * sqrt(a * a * c * c + b * b * si * si);
			}
	}
	return total;
}

static double row_advance(const struct ring *r, size_t k, size_t n, double h)
{
	double in = row_inset(r, k, h);
	if (!r->oval)
		return 2 * (r->rx - in) * half_pitch_sine(n);
	return ellipse_length(r->rx - in, r->ry - in, arc_span(n) * PI / 180.0) / (double)(n - 1);
}

/* The largest size (at most h_max) at which the characters of every row, narrowed to `s` of
 * their width, take CHAR_FILL of their room. */
static double ring_size(const struct ring *r, const struct name_layout *l, double s)
{
	double h = r->h_max;
	if (!r->oval) {
		/* s h = CHAR_FILL · 2 (rx − k (h + gap) − h/2) · sin(pitch/2), solved for h. */
		for (size_t k = 0; k < l->rows; k++) {
			double half = half_pitch_sine(l->n[k]);
			double hk = 2 * CHAR_FILL * half * (r->rx - (double)k * r->row_gap) /
				    (s + CHAR_FILL * half * (double)(2 * k + 1));
			h = hk < h ? hk : h;
		}
		return h;
	}
	/* Size and curve depend on each other (smaller characters ride a larger ellipse); a few
	 * rounds settle it to far below a micrometre.  A round that leaves the size exactly as it
	 * was would only repeat itself, so the rounds stop there (most names: at the first, the
	 * size capped at h_max). */
	for (int round = 0; round < 12; round++) {
		double next = r->h_max;
		for (size_t k = 0; k < l->rows; k++) {
			double fit = CHAR_FILL * row_advance(r, k, l->n[k], h) / s;
			next = fit < next ? fit : next;
		}
		if (next == h)
			break;
		h = next;
	}
	return h;
}

/* Full-width characters while they are at least `narrow_below` high; below that narrower ones
 * (down to SQUEEZE_MIN), at that height, and smaller only once they are that narrow. */
static void size_name(const struct ring *r, double narrow_below, struct name_layout *l)
{
	l->squeeze = 1;
	l->size = ring_size(r, l, 1);
	if (l->size >= narrow_below)
		return;
	/* At the height narrow_below the rows stand still: the widest scale that fits them. */
	double s = 1;
	for (size_t k = 0; k < l->rows; k++) {
		double fit = CHAR_FILL * row_advance(r, k, l->n[k], narrow_below) / narrow_below;
		s = fit < s ? fit : s;
	}
	if (s >= SQUEEZE_MIN) {
		l->size = narrow_below;
		l->squeeze = s;
	} else {
		l->squeeze = SQUEEZE_MIN;
		l->size = ring_size(r, l, SQUEEZE_MIN);
	}
}

/* One row, or two when one would hold the characters smaller than `two_rows_below` and two
 * hold them taller (in two rows at most h_max2; as tall: wider): of the splits around the share
 * of each row's length, the one that gives the tallest, the outer row taking the first part of
 * the name. */
static void lay_out(const struct ring *r, size_t n, double narrow_below, double two_rows_below,
		    struct name_layout *l)
{
	*l = (struct name_layout){.rows = 1, .n = {n, 0}};
	size_name(r, narrow_below, l);
	if (l->size >= two_rows_below || n < 4)
		return;
	double mean = r->oval ? (r->rx + r->ry) / 2 : r->rx;
	double out = mean - row_inset(r, 0, two_rows_below);
	double in = mean - row_inset(r, 1, two_rows_below);
	size_t guess = (size_t)llround((double)n * out / (out + in));
	struct name_layout best = *l;
	struct ring two = *r;
	if (r->h_max2 > 0 && r->h_max2 < r->h_max)
		two.h_max = r->h_max2;
	for (size_t n0 = guess > 4 ? guess - 2 : 2; n0 <= guess + 2 && n0 + 2 <= n; n0++) {
		struct name_layout t = {.rows = 2, .n = {n0, n - n0}};
		size_name(&two, narrow_below < two.h_max ? narrow_below : two.h_max, &t);
		if (t.size > best.size + 1e-9 ||
		    (t.size > best.size - 1e-9 && t.squeeze > best.squeeze))
			best = t;
	}
	*l = best;
}

/* Every character's place: evenly by angle on a circle, evenly by arc length on an ellipse,
 * each row symmetric about the top. */
static void place(const struct ring *r, const struct name_layout *l, struct placed *at)
{
	double h = l->size, len[OVAL_STEPS + 1];
	size_t i = 0;
	for (size_t k = 0; k < l->rows; k++) {
		size_t n = l->n[k];
		double span = arc_span(n), in = row_inset(r, k, h);
		if (!r->oval) {
			double pitch = span / (double)(n - 1), r_base = r->rx - in - CJK_MIDDLE * h;
			for (size_t j = 0; j < n; j++, i++) {
				double deg = -span / 2 + (double)j * pitch, th = deg * PI / 180.0;
				double x = r->cx + r_base * sin(th), y = r->cy - r_base * cos(th);
				at[i] = (struct placed){x, y, deg};
			}
			continue;
		}
		double a = r->rx - in, b = r->ry - in, t_end;
		double pitch = ellipse_arc(a, b, span * PI / 180.0, &t_end, len) / (double)(n - 1);
		int s = 0;
		for (size_t j = 0; j < n; j++, i++) {
			double want = (double)j * pitch, t;
			while (s < OVAL_STEPS && len[s + 1] < want)
				s++;
			if (s >= OVAL_STEPS || j + 1 == n) {
				t = t_end;
			} else {
				double seg = len[s + 1] - len[s];
				double f = seg > 0 ? (want - len[s]) / seg : 0;
				t = -t_end + 2 * t_end * ((double)s + f) / OVAL_STEPS;
			}
			double px = r->cx + a * sin(t), py = r->cy - b * cos(t);
			double psi = atan2(sin(t) / a, cos(t) / b);
			/* From the middle down to the baseline, against the normal. */
			at[i] = (struct placed){px - CJK_MIDDLE * h * sin(psi),
						py + CJK_MIDDLE * h * cos(psi), psi * 180.0 / PI};
		}
	}
}

static void draw_name(FILE *fp, const char *font, const struct name_layout *l,
		      const struct placed *at, const struct chars *name)
{
	group_font(fp, font, "serif", STROKE * l->size);
	for (size_t i = 0; i < name->n; i++)
		text(fp, "name", at[i].x, at[i].y, l->size, at[i].rot, l->squeeze, name->c[i]);
	fputs("</g>\n", fp);
}

/* ---- keeping things apart -------------------------------------------------------------------- */

/* A text's box: w wide about its anchor (x, y) on the baseline, `up` above and `down` below it,
 * turned by rot degrees about the anchor as SVG's rotate() turns it. */
struct box {
	double x[4], y[4];
};

static struct box text_box(double x, double y, double rot, double w, double up, double down)
{
	double th = rot * PI / 180.0, c = cos(th), s = sin(th);
	double lx[4] = {-w / 2, w / 2, w / 2, -w / 2}, ly[4] = {-up, -up, down, down};
	struct box b;
	for (int i = 0; i < 4; i++) {
		b.x[i] = x + c * lx[i] - s * ly[i];
		b.y[i] = y + s * lx[i] + c * ly[i];
	}
	return b;
}

/* At least `gap` apart along one of the four edge normals (two rectangles overlap exactly when
 * no such axis separates them). */
static bool boxes_apart(const struct box *p, const struct box *q, double gap)
{
	const struct box *edges[2] = {p, q};
	for (int k = 0; k < 2; k++) {
		for (int e = 0; e < 2; e++) {
			double nx = edges[k]->y[e] - edges[k]->y[e + 1];
			double ny = edges[k]->x[e + 1] - edges[k]->x[e], norm = hypot(nx, ny);
			if (norm == 0)
				continue;
			double p_lo = INFINITY, p_hi = -INFINITY, q_lo = INFINITY, q_hi = -INFINITY;
			for (int i = 0; i < 4; i++) {
				double a = (p->x[i] * nx + p->y[i] * ny) / norm;
				double b = (q->x[i] * nx + q->y[i] * ny) / norm;
				p_lo = fmin(p_lo, a), p_hi = fmax(p_hi, a);
				q_lo = fmin(q_lo, b), q_hi = fmax(q_hi, b);
			}
			if (p_hi + gap <= q_lo || q_hi + gap <= p_lo)
				return true;
		}
	}
	return false;
}

/* The em boxes of the name's characters: 1 em (narrowed) wide, from the ascent to the descent. */
static void name_boxes(const struct name_layout *l, const struct placed *at, size_t n,
		       struct box *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = text_box(at[i].x, at[i].y, at[i].rot, l->size * l->squeeze,
				  CJK_ASCENT * l->size, (1 - CJK_ASCENT) * l->size);
}

/* A horizontal line of text centred on cx, its baseline at base + rise × size, em × size wide,
 * up × size above and down × size below the baseline. */
struct line {
	double cx, base, rise, em, up, down;
};

static struct box line_box(const struct line *ln, double size)
{
	return text_box(ln->cx, ln->base + ln->rise * size, 0, ln->em * size, ln->up * size,
			ln->down * size);
}

/* The largest size from `want` down (3% a step) at which the line keeps CLEAR of every
 * character of the name; `least` when none above it does. */
static double fit_line(const struct line *ln, double want, double least, const struct box *name,
		       size_t n)
{
	for (double size = want; size > least; size *= 0.97) {
		struct box b = line_box(ln, size);
		size_t i = 0;
		while (i < n && boxes_apart(&b, &name[i], CLEAR))
			i++;
		if (i == n)
			return size;
	}
	return least;
}

/* Characters in a grid inside the box (x0,y0)-(x1,y1): columns from right to left, each from
 * the top; a short last column spreads its characters over the full height.  The first
 * `n_name` characters get class "name", the rest "caption". */
static void grid(FILE *fp, const char *font, double x0, double y0, double x1, double y1,
		 const struct chars *cs, size_t n_name)
{
	size_t cols = 1;
	while (cols * cols < cs->n)
		cols++;
	size_t rows = (cs->n + cols - 1) / cols;
	cols = (cs->n + rows - 1) / rows;
	double cw = (x1 - x0) / (double)cols, ch = (y1 - y0) / (double)rows;
	double size = (cw < ch ? cw : ch) * CHAR_FILL;
	group_font(fp, font, "serif", STROKE * size);
	for (size_t i = 0; i < cs->n; i++) {
		size_t col = i / rows, row = i % rows;
		size_t in_col = col + 1 < cols ? rows : cs->n - col * rows;
		double x = x1 - ((double)col + 0.5) * cw;
		double y = y0 + ((double)row + 0.5) * (y1 - y0) / (double)in_col + CJK_MIDDLE * size;
		text(fp, i < n_name ? "name" : "caption", x, y, size, 0, 1, cs->c[i]);
	}
	fputs("</g>\n", fp);
}

/* "样本 SPECIMEN" (or "样本 TEST") across the rising diagonal, grey and translucent: plainly not
 * part of the seal's own red. */
static void watermark(FILE *fp, double w, double h, const char *cls, const char *words)
{
	/* As long as 70% of the diagonal of the square inscribed in the seal: an ideograph 1 em, a
	 * space 0.28 em, a capital of the bold sans face 0.72 em. */
	double em = 0;
	for (const unsigned char *c = (const unsigned char *)words; *c; c++)
		em += *c == ' ' ? 0.28 : *c < 0x80 ? 0.72 : !reg_utf8_continues(*c) ? 1.0 : 0;
	double length = 0.7 * sqrt(2.0) * (w < h ? w : h);
	double size = length / em;
	double rot = -atan2(h, w) * 180.0 / PI;
	group_open(fp, FONT_WATERMARK, 0,
		   "fill=\"#000000\" fill-opacity=\"0.4\" font-weight=\"bold\"");
	text(fp, cls, w / 2, h / 2 + CJK_MIDDLE * size, size, rot, 1, words);
	fputs("</g>\n", fp);
}

/* ---- the shapes ------------------------------------------------------------------------------ */

struct draw {
	FILE *fp;
	const reg_seal_type *type;
	const struct chars *name;
	const char *caption;     /* type's Chinese name, or NULL when the seal has none */
	const char *code;        /* NULL: specimen */
	const char *uscc;        /* for the oval seal's centre line */
	double w, h;
};

static void draw_round(const struct draw *d)
{
	FILE *fp = d->fp;
	double D = d->w, c = D / 2, b = reg_seal_type_border(d->type);
	double gap = 0.02 * D, r_top = c - b - gap;

	fprintf(fp, "<circle class=\"border\" cx=\"");
	num(fp, c);
	fputs("\" cy=\"", fp);
	num(fp, c);
	fputs("\" r=\"", fp);
	num(fp, c - b / 2);
	fputs("\" fill=\"none\" stroke=\"" REG_SEAL_COLOR "\" stroke-width=\"", fp);
	num(fp, b);
	fputs("\"/>\n", fp);

	double star_d = reg_seal_type_star(d->type) ? reg_seal_type_star_diameter(d->type) : 0;
	if (star_d > 0)
		star(fp, c, c, star_d);
	struct ring ring = {.cx = c, .cy = c, .rx = r_top, .ry = r_top, .h_max = 0.145 * D,
			    .row_gap = ROW_GAP * D};
	struct name_layout l;
	struct placed at[CHARS_MAX];
	struct box boxes[CHARS_MAX];
	lay_out(&ring, d->name->n, NARROW_BELOW * D, TWO_ROWS_BELOW * D, &l);
	place(&ring, &l, at);
	name_boxes(&l, at, d->name->n, boxes);
	draw_name(fp, reg_seal_type_font(d->type), &l, at, d->name);

	if (d->caption) {
		double n_cap = (double)reg_utf8_count(d->caption, strlen(d->caption));
		double size = 0.09 * D;
		if (size * n_cap > 0.5 * D)
			size = 0.5 * D / n_cap;
		/* Below the star's lower points (0.809 R under the centre), or below the middle. */
		double top = c + (star_d > 0 ? 0.809 * star_d / 2 + 0.04 * D : 0.04 * D);
		struct line ln = {c, top, CJK_ASCENT, n_cap, CJK_ASCENT, 1 - CJK_ASCENT};
		size = fit_line(&ln, size, CAPTION_LEAST * D, boxes, d->name->n);
		group_font(fp, reg_seal_type_font(d->type), "serif", STROKE * size);
		text(fp, "caption", c, top + CJK_ASCENT * size, size, 0, 1, d->caption);
		fputs("</g>\n", fp);
	}
	if (d->code)
		code_arc(fp, c, r_top, 0.045 * D, d->code);
}

static void draw_oval(const struct draw *d)
{
	FILE *fp = d->fp;
	double W = d->w, H = d->h, cx = W / 2, cy = H / 2, b = reg_seal_type_border(d->type);
	double gap = 0.02 * H;
	double a_in = cx - b, b_in = cy - b;

	fputs("<ellipse class=\"border\" cx=\"", fp);
	num(fp, cx);
	fputs("\" cy=\"", fp);
	num(fp, cy);
	fputs("\" rx=\"", fp);
	num(fp, cx - b / 2);
	fputs("\" ry=\"", fp);
	num(fp, cy - b / 2);
	fputs("\" fill=\"none\" stroke=\"" REG_SEAL_COLOR "\" stroke-width=\"", fp);
	num(fp, b);
	fputs("\"/>\n", fp);

	const char *font = reg_seal_type_font(d->type);
	struct ring ring = {.oval = true, .cx = cx, .cy = cy, .rx = a_in - gap, .ry = b_in - gap,
			    .h_max = 0.14 * H, .row_gap = ROW_GAP * H};
	struct name_layout l;
	struct placed at[CHARS_MAX];
	struct box boxes[CHARS_MAX];
	size_t n = d->name->n;
	const char *code_font = reg_seal_type_code_font(d->type);
	const char *uscc = d->uscc ? d->uscc : "XXXXXXXXXXXXXXXXXX";
	/* Two rows reach in from both sides at the centre line: the characters stay small enough
	 * to leave the USCC USCC_KEEP of the height there (its half width and the air beside it
	 * within the inner row's inner edge). */
	if (code_font)
		ring.h_max2 = (ring.rx - ring.row_gap - CLEAR -
			       LATIN_WIDEST * latin_em(uscc) * USCC_KEEP * H / 2) / 2;
	/* The oval's ring is about as long as a circle's of the mean of width and height. */
	lay_out(&ring, n, NARROW_BELOW * (W + H) / 2, TWO_ROWS_BELOW * (W + H) / 2, &l);
	place(&ring, &l, at);
	name_boxes(&l, at, n, boxes);
	draw_name(fp, font, &l, at, d->name);

	/* The USCC across the centre, as large as keeps it clear of the name's lower ends. */
	double below = cy;
	if (code_font) {
		double em = LATIN_WIDEST * latin_em(uscc);
		struct line ln = {cx, cy, LATIN_CAP / 2, em, LATIN_CAP, 0};
		double size = fit_line(&ln, 0.09 * H, USCC_LEAST * H, boxes, n);
		group_font(fp, code_font, "sans-serif", 0);
		text(fp, "uscc", cx, cy + LATIN_CAP * size / 2, size, 0, 1, uscc);
		fputs("</g>\n", fp);
		below = cy + LATIN_CAP * size / 2;
	}
	/* The rest of the lower half holds the caption and, under it, the code. */
	double bottom = cy + b_in - gap;
	if (d->caption) {
		double n_cap = (double)reg_utf8_count(d->caption, strlen(d->caption));
		double size = 0.12 * H;
		if (size * n_cap > 0.45 * W)
			size = 0.45 * W / n_cap;
		/* Centred a third of the way down from the USCC. */
		struct line ln = {cx, below + 0.35 * (bottom - below), CJK_ASCENT / 2, n_cap,
				  CJK_ASCENT, 1 - CJK_ASCENT};
		size = fit_line(&ln, size, CAPTION_LEAST * H, boxes, n);
		group_font(fp, font, "serif", STROKE * size);
		text(fp, "caption", cx, ln.base + ln.rise * size, size, 0, 1, d->caption);
		fputs("</g>\n", fp);
	}
	if (d->code) {
		struct line ln = {cx, below + 0.72 * (bottom - below), LATIN_CAP / 2,
				  LATIN_WIDEST * latin_em(d->code), LATIN_CAP, 0};
		double size = fit_line(&ln, 0.05 * H, CODE_LEAST * H, boxes, n);
		group_open(fp, FONT_ARIAL, 0, NULL);
		text(fp, "code", cx, ln.base + ln.rise * size, size, 0, 1, d->code);
		fputs("</g>\n", fp);
	}
}

static void draw_square(const struct draw *d, const struct chars *cs, size_t n_name)
{
	FILE *fp = d->fp;
	double W = d->w, H = d->h, b = reg_seal_type_border(d->type);
	double gap = 0.035 * (W < H ? W : H);

	fputs("<rect class=\"border\" x=\"", fp);
	num(fp, b / 2);
	fputs("\" y=\"", fp);
	num(fp, b / 2);
	fputs("\" width=\"", fp);
	num(fp, W - b);
	fputs("\" height=\"", fp);
	num(fp, H - b);
	fputs("\" fill=\"none\" stroke=\"" REG_SEAL_COLOR "\" stroke-width=\"", fp);
	num(fp, b);
	fputs("\"/>\n", fp);

	double x0 = b + gap, x1 = W - b - gap, y0 = b + gap, y1 = H - b - gap;
	double code_size = 0.06 * H;
	/* The code's strip along the bottom, kept whether or not the seal carries a code, so a
	 * specimen has the same layout as the seal. */
	double grid_bottom = y1 - LATIN_CAP * code_size - gap;
	grid(fp, reg_seal_type_font(d->type), x0, y0, x1, grid_bottom, cs, n_name);
	if (d->code) {
		group_open(fp, FONT_ARIAL, 0, NULL);
		text(fp, "code", W / 2, y1, code_size, 0, 1, d->code);
		fputs("</g>\n", fp);
	}
}

/* ---- public: drawing ------------------------------------------------------------------------- */

static bool is_id(const reg_seal_type *t, const char *id)
{
	return strcmp(reg_seal_type_id(t), id) == 0;
}

static bool thirteen_digits(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == REG_SEAL_CODE_LEN;
}

int reg_seal_svg(const reg_seal_spec *spec, char **svg, size_t *len, reg_err **errp)
{
	*svg = NULL;
	*len = 0;
	if (!spec || !spec->type || !spec->owner)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "seal without type or owner");
	const reg_seal_type *t = spec->type;
	const reg_seal_owner *o = spec->owner;
	bool person = is_id(t, "legal-rep") && reg_seal_type_shape(t) == REG_SEAL_SQUARE;
	reg_seal_shape shape = reg_seal_type_shape(t);

	struct chars name, cs;
	if (!o->name)
		return reg_err_set(errp, REG_ENO, NULL, 0, F_NAME, "the enterprise has no name");
	if (split(o->name, 2, REG_SEAL_NAME_MAX, "enterprise name", F_NAME, &name, errp) < 0)
		return -1;
	if (person) {
		if (!o->legal_rep)
			return reg_err_set(errp, REG_ENO, NULL, 0, F_LEGAL_REP,
					   "the legal representative has no name");
		if (split(o->legal_rep, 1, REG_SEAL_PERSON_MAX, "legal representative's name",
			  F_LEGAL_REP, &cs, errp) < 0)
			return -1;
		/* A name seal fills its square: 张伟 → 张伟之印, 张三丰 → 张三丰印. */
		if (cs.n <= 2)
			(void)append(&cs, "之印");
		else if (cs.n == 3)
			(void)append(&cs, "印");
	}
	if (o->uscc && !reg_uscc_valid(o->uscc))
		return reg_err_set(errp, REG_ENO, NULL, 0, F_USCC, "invalid USCC: %s",
				   reg_uscc_check(o->uscc).message);
	if (spec->stamp && spec->code)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "an authority's stamp carries no seal code");
	if (spec->code && !thirteen_digits(spec->code))
		return reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				   "seal code must be %d digits", REG_SEAL_CODE_LEN);
	if (spec->code && shape == REG_SEAL_OVAL && reg_seal_type_code_font(t) && !o->uscc)
		return reg_err_set(errp, REG_ENO, NULL, 0, F_USCC,
				   "the %s carries the USCC, but the enterprise has none",
				   reg_seal_type_en(t));

	/* The caption is catalog text: valid UTF-8 (the catalog is parsed XML), length checked. */
	const char *caption = reg_seal_type_zh(t);
	if (reg_utf8_count(caption, strlen(caption)) > CHARS_MAX - REG_SEAL_NAME_MAX)
		return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
				   "seal '%s': its Chinese name is too long to engrave",
				   reg_seal_type_id(t));

	struct draw d = {
		.type = t,
		.name = &name,
		.caption = is_id(t, "official") || person ? NULL : reg_seal_type_zh(t),
		.code = spec->code,
		.uscc = o->uscc,
	};
	if (shape == REG_SEAL_ROUND) {
		d.w = d.h = o->form && strcmp(o->form, "jsc") == 0 ? reg_seal_type_jsc_diameter(t)
								   : reg_seal_type_diameter(t);
	} else {
		d.w = reg_seal_type_width(t);
		d.h = reg_seal_type_height(t);
	}
	if (!(d.w > 0 && d.h > 0))
		return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL, "seal '%s' has no size",
				   reg_seal_type_id(t));

	struct svg out = {0};
	if (!(out.fp = open_memstream(&out.buf, &out.len)))
		return reg_err_oom(errp);
	FILE *fp = d.fp = out.fp;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"", fp);
	num(fp, d.w);
	fputs("mm\" height=\"", fp);
	num(fp, d.h);
	fputs("mm\" viewBox=\"0 0 ", fp);
	num(fp, d.w);
	putc(' ', fp);
	num(fp, d.h);
	fputs("\">\n<title>", fp);
	escaped(fp, o->name);
	putc(' ', fp);
	escaped(fp, reg_seal_type_zh(t));
	putc(' ', fp);
	escaped(fp, spec->code ? spec->code : spec->stamp ? "登记机关" : "样本 specimen");
	fputs("</title>\n<g fill=\"" REG_SEAL_COLOR "\" stroke=\"none\">\n", fp);

	switch (shape) {
	case REG_SEAL_ROUND:
		draw_round(&d);
		break;
	case REG_SEAL_OVAL:
		draw_oval(&d);
		break;
	case REG_SEAL_SQUARE:
		if (!person) {
			cs = name;
			(void)append(&cs, reg_seal_type_zh(t));
		}
		draw_square(&d, &cs, person ? cs.n : name.n);
		break;
	}
	fputs("</g>\n", fp);
	if (!spec->code && !spec->stamp)
		watermark(fp, d.w, d.h, "specimen", "样本 SPECIMEN");
	else if (spec->test_authority)
		watermark(fp, d.w, d.h, "test-authority", "样本 TEST");
	fputs("</svg>\n", fp);

	if (ferror(fp) | fclose(fp)) {
		free(out.buf);
		return reg_err_oom(errp);
	}
	*svg = out.buf;
	*len = out.len;
	return 0;
}

int reg_seal_file_name(const reg_seal_type *type, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s-%s.svg", reg_seal_type_code(type), reg_seal_type_id(type));
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---- owner ----------------------------------------------------------------------------------- */

int reg_seal_owner_from_dossier(const reg_dossier *d, reg_seal_owner *out, reg_err **errp)
{
	memset(out, 0, sizeof *out);
	const char *file = reg_dossier_file(d);
	long line = reg_dossier_line(d);
	out->name = reg_dossier_text(d, "enterprise/name");
	out->form = reg_dossier_text(d, "enterprise/form");
	out->legal_rep = reg_dossier_text(d, "enterprise/legal-representative/name");
	out->uscc = reg_dossier_attr(d, "issuance", "uscc");
	int rc = 0;
	if (!out->name || !*out->name)
		rc = reg_err_add(errp, REG_ENO, file, line, F_NAME, "the enterprise has no name");
	if (!out->legal_rep || !*out->legal_rep)
		rc = reg_err_add(errp, REG_ENO, file, line, F_LEGAL_REP,
				 "the legal representative has no name");
	if (rc < 0)
		reg_seal_owner_clear(out);
	return rc;
}

void reg_seal_owner_clear(reg_seal_owner *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->form);
	free(o->legal_rep);
	free(o->uscc);
	memset(o, 0, sizeof *o);
}

/* ---- registry -------------------------------------------------------------------------------- */

struct existing {
	reg_seal_filed *out;
	size_t n;
};

static int take_existing(const reg_registry_seal *s, void *ctx)
{
	struct existing *ex = ctx;
	for (size_t i = 0; i < ex->n; i++) {
		if (strcmp(reg_seal_type_code(ex->out[i].type), s->type) == 0 &&
		    strlen(s->code) == REG_SEAL_CODE_LEN) {
			memcpy(ex->out[i].code, s->code, REG_SEAL_CODE_LEN + 1);
			ex->out[i].filed_at = s->filed_at;
			ex->out[i].reused = true;
		}
	}
	return 0;
}

int reg_seal_file_set(reg_registry *reg, const reg_catalog *cat, const char *division,
		      const char *uscc, int64_t at, reg_seal_filed *out, size_t *n_new,
		      reg_err **errp)
{
	size_t n = reg_catalog_seal_count(cat), added = 0;
	char counter[32], *detail = NULL;
	size_t detail_len = 0;
	FILE *dfp = NULL;
	reg_registry_issuance is = {0};
	bool found = false;
	int rc = -1;

	if (n_new)
		*n_new = 0;
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].type = reg_catalog_seal(cat, i);
	}
	if (!division || strlen(division) != 6 || strspn(division, "0123456789") != 6)
		return reg_err_set(errp, REG_ECONFIG, NULL, 0, NULL,
				   "authority division '%s' is not six digits",
				   division ? division : "");
	if (!uscc || !reg_uscc_valid(uscc))
		return reg_err_set(errp, REG_ENO, NULL, 0, F_USCC, "%s%s",
				   uscc ? "invalid USCC: " : "no USCC",
				   uscc ? reg_uscc_check(uscc).message : "");
	if (reg_registry_get_issuance_by_uscc(reg, uscc, &is, &found, errp) < 0)
		return -1;
	if (!found)
		return reg_err_set(errp, REG_ENO, NULL, 0, F_USCC,
				   "USCC '%s' was not issued by this registry", uscc);

	struct existing ex = {out, n};
	if (reg_registry_each_seal(reg, uscc, take_existing, &ex, errp) < 0)
		goto out;

	snprintf(counter, sizeof counter, "seal:%s", division);
	if (!(dfp = open_memstream(&detail, &detail_len))) {
		reg_err_oom(errp);
		goto out;
	}
	fputs(uscc, dfp);
	for (size_t i = 0; i < n; i++) {
		if (out[i].reused)
			continue;
		uint64_t serial;
		if (reg_registry_next_serial(reg, counter, &serial, errp) < 0)
			goto out;
		if (reg_seal_code_make(division, serial, out[i].code) < 0) {
			reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				    "the seal codes of division '%s' are exhausted", division);
			goto out;
		}
		reg_registry_seal s = {
			.code = out[i].code,
			.uscc = uscc,
			.type = reg_seal_type_code(out[i].type),
			.filed_at = at,
		};
		if (reg_registry_add_seal(reg, &s, errp) < 0)
			goto out;
		out[i].filed_at = at;
		fprintf(dfp, " %s=%s", s.type, s.code);
		added++;
	}
	if (fclose(dfp) != 0) {
		dfp = NULL;
		reg_err_oom(errp);
		goto out;
	}
	dfp = NULL;
	if (added && reg_registry_add_event(reg, at, "seal-filed", is.number, detail, NULL,
					    errp) < 0)
		goto out;
	if (n_new)
		*n_new = added;
	rc = 0;
out:
	if (dfp)
		fclose(dfp);
	free(detail);
	reg_registry_issuance_clear(&is);
	return rc;
}

/* ---- filing record --------------------------------------------------------------------------- */

char *reg_seal_mm_text(double v)
{
	char buf[REG_SEAL_MM_BUFSIZE];
	reg_seal_mm_format(v, buf);
	return strdup(buf);
}

int reg_seal_filing_xml(const reg_catalog *cat, const reg_authority *authority,
			const reg_seal_owner *owner, const reg_seal_filed *seals, size_t n,
			char **xml, size_t *len, reg_err **errp)
{
	*xml = NULL;
	*len = 0;
	if (!owner || !owner->name || !owner->uscc)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "a filing record needs the enterprise's name and USCC");
	int offset = reg_authority_offset(authority);
	int64_t latest = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || seals[i].filed_at > latest)
			latest = seals[i].filed_at;

	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "seal-filing", NULL) : NULL;
	if (!root)
		goto oom;
	xmlDocSetRootElement(doc, root);
	xmlNs *ns = xmlNewNs(root, BAD_CAST REG_NS_ARCHIVE, NULL);
	if (!ns)
		goto oom;
	xmlSetNs(root, ns);

	char date[11], price[32];
	reg_time_format_date(latest, offset, date);
	xmlNewProp(root, BAD_CAST "date", BAD_CAST date);

	xmlNode *ent = xmlNewChild(root, ns, BAD_CAST "enterprise", NULL);
	if (!ent)
		goto oom;
	xmlNewProp(ent, BAD_CAST "uscc", BAD_CAST owner->uscc);
	if (owner->form)
		xmlNewProp(ent, BAD_CAST "form", BAD_CAST owner->form);
	xmlNewTextChild(ent, ns, BAD_CAST "name", BAD_CAST owner->name);
	if (owner->legal_rep)
		xmlNewTextChild(ent, ns, BAD_CAST "legal-representative", BAD_CAST owner->legal_rep);

	xmlNode *auth = xmlNewTextChild(root, ns, BAD_CAST "authority",
					BAD_CAST reg_authority_name(authority));
	if (!auth)
		goto oom;
	xmlNewProp(auth, BAD_CAST "division", BAD_CAST reg_authority_division(authority));

	const reg_item *item = reg_catalog_find_item(cat, "seal-filing");
	const reg_department *dept = item ? reg_item_department(item) : NULL;
	if (dept) {
		xmlNode *with = xmlNewTextChild(root, ns, BAD_CAST "filed-with",
						BAD_CAST reg_department_zh(dept));
		if (!with)
			goto oom;
		xmlNewProp(with, BAD_CAST "item", BAD_CAST reg_item_id(item));
		xmlNewProp(with, BAD_CAST "dept", BAD_CAST reg_department_id(dept));
	}

	xmlNode *list = xmlNewChild(root, ns, BAD_CAST "seals", NULL);
	if (!list)
		goto oom;
	int64_t spared = 0;
	for (size_t i = 0; i < n; i++) {
		const reg_seal_type *t = seals[i].type;
		char file[REG_SEAL_FILE_NAME_MAX], filed[11];
		double w, h;
		if (reg_seal_type_shape(t) == REG_SEAL_ROUND) {
			w = h = owner->form && strcmp(owner->form, "jsc") == 0
					? reg_seal_type_jsc_diameter(t) : reg_seal_type_diameter(t);
		} else {
			w = reg_seal_type_width(t);
			h = reg_seal_type_height(t);
		}
		char *ws = reg_seal_mm_text(w), *hs = reg_seal_mm_text(h);
		xmlNode *s = xmlNewChild(list, ns, BAD_CAST "seal", NULL);
		if (!s || !ws || !hs || reg_seal_file_name(t, file, sizeof file) < 0) {
			free(ws);
			free(hs);
			goto oom;
		}
		reg_time_format_date(seals[i].filed_at, offset, filed);
		reg_decimal_format(reg_seal_type_price_fen(t), price, sizeof price);
		spared += reg_seal_type_price_fen(t);
		xmlNewProp(s, BAD_CAST "code", BAD_CAST seals[i].code);
		xmlNewProp(s, BAD_CAST "type", BAD_CAST reg_seal_type_code(t));
		xmlNewProp(s, BAD_CAST "id", BAD_CAST reg_seal_type_id(t));
		xmlNewProp(s, BAD_CAST "shape", BAD_CAST reg_seal_shape_name(reg_seal_type_shape(t)));
		xmlNewProp(s, BAD_CAST "width", BAD_CAST ws);
		xmlNewProp(s, BAD_CAST "height", BAD_CAST hs);
		xmlNewProp(s, BAD_CAST "file", BAD_CAST file);
		xmlNewProp(s, BAD_CAST "filed", BAD_CAST filed);
		xmlNewProp(s, BAD_CAST "fee", BAD_CAST "0.00");
		xmlNewProp(s, BAD_CAST "spared", BAD_CAST price);
		xmlNewTextChild(s, ns, BAD_CAST "zh", BAD_CAST reg_seal_type_zh(t));
		xmlNewTextChild(s, ns, BAD_CAST "en", BAD_CAST reg_seal_type_en(t));
		free(ws);
		free(hs);
	}
	xmlNode *total = xmlNewChild(root, ns, BAD_CAST "total", NULL);
	if (!total)
		goto oom;
	char count[24];
	snprintf(count, sizeof count, "%zu", n);
	reg_decimal_format(spared, price, sizeof price);
	xmlNewProp(total, BAD_CAST "count", BAD_CAST count);
	xmlNewProp(total, BAD_CAST "fee", BAD_CAST "0.00");
	xmlNewProp(total, BAD_CAST "spared", BAD_CAST price);

	int rc = reg_xml_serialize(doc, xml, len, errp);
	xmlFreeDoc(doc);
	return rc;
oom:
	xmlFreeDoc(doc);
	return reg_err_oom(errp);
}
