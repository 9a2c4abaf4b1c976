#include "diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli.h"
#include "keyring.h"
#include "sign.h"
#include "utf8.h"
#include "xml.h"

/* One entry being compared.  out NULL: only count (brief mode looks inside an entry to know
 * whether it differs at all, then writes one line for it). */
typedef struct dctx {
	FILE *out;
	const char *entry;
	size_t count;
	bool oom;
} dctx;

/* ---- writing ------------------------------------------------------------------------------ */

/* A value as it is, with what would break the line or hide itself escaped (see diff.h). */
static void put_value(FILE *out, const char *s)
{
	if (!s || !*s) {
		fputs("\"\"", out);
		return;
	}
	size_t n = strlen(s), shown = n;
	if (n > REG_DIFF_VALUE_MAX)
		shown = reg_utf8_cut(s, n, REG_DIFF_VALUE_MAX);
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c < 0x20 || c == 0x7F)
			fprintf(out, "\\x%02x", c);
		else if (c == 0xC2 && i + 1 < shown && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9F) {
			/* C1 control, U+0080 … U+009F */
			fprintf(out, "\\xc2\\x%02x", (unsigned char)s[i + 1]);
			i++;
		} else {
			putc(c, out);
		}
	}
	if (shown < n)
		fputs("...", out);
}

/* "+ ENTRY", "- ENTRY", "~ ENTRY" */
static void line_entry(FILE *out, char sign, const char *entry, size_t *ndiff)
{
	(*ndiff)++;
	if (!out)
		return;
	fprintf(out, "%c ", sign);
	put_value(out, entry);
	putc('\n', out);
}

/* "~ ENTRY PATH: OLD → NEW" */
static void line_changed(dctx *c, const char *path, const char *old, const char *new)
{
	c->count++;
	if (!c->out)
		return;
	fputs("~ ", c->out);
	put_value(c->out, c->entry);
	fprintf(c->out, " %s: ", path);
	put_value(c->out, old);
	fputs(" \xe2\x86\x92 ", c->out); /* → */
	put_value(c->out, new);
	putc('\n', c->out);
}

/* "~ ENTRY +PATH[: VALUE]" or "~ ENTRY -PATH[: VALUE]" */
static void line_one(dctx *c, char sign, const char *path, const char *value)
{
	c->count++;
	if (!c->out)
		return;
	fputs("~ ", c->out);
	put_value(c->out, c->entry);
	fprintf(c->out, " %c%s", sign, path);
	if (value) {
		fputs(": ", c->out);
		put_value(c->out, value);
	}
	putc('\n', c->out);
}

/* ---- trees -------------------------------------------------------------------------------- */

static const char *ns_href(const xmlNs *ns)
{
	return ns && ns->href ? (const char *)ns->href : "";
}

static int element_name_cmp(const xmlNode *a, const xmlNode *b)
{
	int c = strcmp(ns_href(a->ns), ns_href(b->ns));
	return c ? c : strcmp((const char *)a->name, (const char *)b->name);
}

static int attr_cmp(const void *pa, const void *pb)
{
	const xmlAttr *a = *(const xmlAttr *const *)pa, *b = *(const xmlAttr *const *)pb;
	int c = strcmp(ns_href(a->ns), ns_href(b->ns));
	return c ? c : strcmp((const char *)a->name, (const char *)b->name);
}

static bool has_element_children(const xmlNode *e)
{
	for (const xmlNode *k = e->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* The element's own text: its text and CDATA children, concatenated ("" when none). */
static char *own_text(const xmlNode *e)
{
	size_t n = 0;
	for (const xmlNode *k = e->children; k; k = k->next)
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content)
			n += strlen((const char *)k->content);
	char *s = malloc(n + 1), *p = s;
	if (!s)
		return NULL;
	for (const xmlNode *k = e->children; k; k = k->next)
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content) {
			size_t l = strlen((const char *)k->content);
			memcpy(p, k->content, l);
			p += l;
		}
	*p = '\0';
	return s;
}

static char *attr_value(const xmlAttr *a)
{
	xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
	char *s = strdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

static char *attr_path(const char *path, const xmlAttr *a)
{
	char *p = NULL;
	const char *prefix = a->ns && a->ns->prefix ? (const char *)a->ns->prefix : NULL;
	if (asprintf(&p, "%s/@%s%s%s", path, prefix ? prefix : "", prefix ? ":" : "",
		     (const char *)a->name) < 0)
		return NULL;
	return p;
}

/* The attributes of e, sorted by namespace and local name; *n their number. */
static const xmlAttr **sorted_attrs(const xmlNode *e, size_t *n, bool *oom)
{
	size_t count = 0;
	for (const xmlAttr *a = e->properties; a; a = a->next)
		count++;
	*n = count;
	if (!count)
		return NULL;
	const xmlAttr **v = malloc(count * sizeof *v);
	if (!v) {
		*oom = true;
		return NULL;
	}
	size_t i = 0;
	for (const xmlAttr *a = e->properties; a; a = a->next)
		v[i++] = a;
	qsort(v, count, sizeof *v, attr_cmp);
	return v;
}

static void diff_attrs(dctx *c, const char *path, const xmlNode *a, const xmlNode *b)
{
	size_t na, nb;
	const xmlAttr **va = sorted_attrs(a, &na, &c->oom), **vb = sorted_attrs(b, &nb, &c->oom);
	size_t i = 0, j = 0;
	while (!c->oom && (i < na || j < nb)) {
		int cmp = i == na ? 1 : j == nb ? -1 : attr_cmp(&va[i], &vb[j]);
		const xmlAttr *at = cmp <= 0 ? va[i] : vb[j];
		char *p = attr_path(path, at);
		char *x = cmp <= 0 ? attr_value(va[i]) : NULL;
		char *y = cmp >= 0 ? attr_value(vb[j]) : NULL;
		if (!p || (cmp <= 0 && !x) || (cmp >= 0 && !y))
			c->oom = true;
		else if (cmp < 0)
			line_one(c, '-', p, x);
		else if (cmp > 0)
			line_one(c, '+', p, y);
		else if (strcmp(x, y) != 0)
			line_changed(c, p, x, y);
		free(p);
		free(x);
		free(y);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
	free(va);
	free(vb);
}

/* An element present on one side only: its path, and its text when it holds no elements. */
static void diff_lone(dctx *c, char sign, const char *path, const xmlNode *e)
{
	char *t = NULL;
	if (!has_element_children(e)) {
		if (!(t = own_text(e))) {
			c->oom = true;
			return;
		}
	}
	line_one(c, sign, path, t && *t ? t : NULL);
	free(t);
}

/* One child element in the grouping below: side 0 = A, 1 = B; pos its place among the element
 * children of its side. */
typedef struct kid {
	const xmlNode *n;
	int side;
	size_t pos;
} kid;

static int kid_cmp(const void *pa, const void *pb)
{
	const kid *a = pa, *b = pb;
	int c = element_name_cmp(a->n, b->n);
	if (c)
		return c;
	if (a->side != b->side)
		return a->side - b->side;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* A run of children of one name: kids[start …) with na from A, then nb from B. */
typedef struct group {
	size_t start, na, nb;
	size_t order; /* first appearance: A's position, else |A| + B's position */
} group;

static int group_cmp(const void *pa, const void *pb)
{
	const group *a = pa, *b = pb;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void diff_element(dctx *c, const char *path, const xmlNode *a, const xmlNode *b);

static void diff_children(dctx *c, const char *path, const xmlNode *a, const xmlNode *b)
{
	size_t na = 0, nb = 0;
	for (const xmlNode *k = a->children; k; k = k->next)
		na += k->type == XML_ELEMENT_NODE;
	for (const xmlNode *k = b->children; k; k = k->next)
		nb += k->type == XML_ELEMENT_NODE;
	if (na + nb == 0)
		return;
	/* Sorting by (name, side, position) puts each name's children together, A's before B's,
	 * in document order: linear pairing after an n log n sort, whatever the fan-out. */
	kid *kids = malloc((na + nb) * sizeof *kids);
	group *groups = malloc((na + nb) * sizeof *groups);
	if (!kids || !groups) {
		c->oom = true;
		goto out;
	}
	size_t n = 0, pos = 0;
	for (const xmlNode *k = a->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			kids[n++] = (kid){k, 0, pos++};
	pos = 0;
	for (const xmlNode *k = b->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			kids[n++] = (kid){k, 1, pos++};
	qsort(kids, n, sizeof *kids, kid_cmp);
	size_t ng = 0;
	for (size_t i = 0; i < n;) {
		group g = {.start = i};
		size_t j = i;
		while (j < n && element_name_cmp(kids[j].n, kids[i].n) == 0) {
			if (kids[j].side == 0)
				g.na++;
			else
				g.nb++;
			j++;
		}
		g.order = kids[i].side == 0 ? kids[i].pos : na + kids[i].pos;
		groups[ng++] = g;
		i = j;
	}
	qsort(groups, ng, sizeof *groups, group_cmp);
	for (size_t g = 0; g < ng && !c->oom; g++) {
		const group *gr = &groups[g];
		size_t most = gr->na > gr->nb ? gr->na : gr->nb;
		const char *name = (const char *)kids[gr->start].n->name;
		for (size_t k = 0; k < most && !c->oom; k++) {
			char *p = NULL;
			int r = most > 1 ? asprintf(&p, "%s/%s[%zu]", path, name, k + 1)
					 : asprintf(&p, "%s/%s", path, name);
			if (r < 0) {
				c->oom = true;
				break;
			}
			const xmlNode *x = k < gr->na ? kids[gr->start + k].n : NULL;
			const xmlNode *y = k < gr->nb ? kids[gr->start + gr->na + k].n : NULL;
			if (x && y)
				diff_element(c, p, x, y);
			else if (x)
				diff_lone(c, '-', p, x);
			else
				diff_lone(c, '+', p, y);
			free(p);
		}
	}
out:
	free(kids);
	free(groups);
}

static void diff_element(dctx *c, const char *path, const xmlNode *a, const xmlNode *b)
{
	diff_attrs(c, path, a, b);
	char *x = own_text(a), *y = own_text(b);
	if (!x || !y)
		c->oom = true;
	else if (strcmp(x, y) != 0)
		line_changed(c, path, x, y);
	free(x);
	free(y);
	if (!c->oom)
		diff_children(c, path, a, b);
}

static void diff_root(dctx *c, const xmlNode *a, const xmlNode *b)
{
	char *pa = NULL, *pb = NULL;
	if (asprintf(&pa, "/%s", (const char *)a->name) < 0) {
		c->oom = true;
		return;
	}
	if (element_name_cmp(a, b) == 0) {
		diff_element(c, pa, a, b);
	} else if (asprintf(&pb, "/%s", (const char *)b->name) < 0) {
		c->oom = true;
	} else {
		diff_lone(c, '-', pa, a);
		diff_lone(c, '+', pb, b);
	}
	free(pa);
	free(pb);
}

/* Compare one pair of trees as `entry`, writing its lines (or, brief, the entry's one line). */
static int diff_pair(const char *entry, const xmlNode *a, const xmlNode *b, unsigned flags,
		     FILE *out, size_t *ndiff, reg_err **errp)
{
	bool brief = flags & REG_DIFF_BRIEF;
	dctx c = {.out = brief ? NULL : out, .entry = entry};
	diff_root(&c, a, b);
	if (c.oom)
		return reg_err_oom(errp);
	if (brief) {
		if (c.count)
			line_entry(out, '~', entry, ndiff);
	} else {
		*ndiff += c.count;
	}
	return 0;
}

static int check_written(FILE *out, reg_err **errp)
{
	if (out && ferror(out))
		return reg_err_set(errp, REG_EIO, "-", 0, NULL, "write failed");
	return 0;
}

int reg_diff_tree(const char *entry, const xmlNode *a, const xmlNode *b, unsigned flags,
		  FILE *out, size_t *ndiff, reg_err **errp)
{
	*ndiff = 0;
	if (!a || !b || a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "no element to compare");
	if (diff_pair(entry, a, b, flags, out, ndiff, errp) < 0)
		return -1;
	return check_written(out, errp);
}

/* ---- archives ----------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_xml_entry(const char *path)
{
	return ends_with(path, ".xml") || ends_with(path, ".svg");
}

static int diff_entry(const reg_archive_file *fa, const reg_archive_file *fb, unsigned flags,
		      FILE *out, size_t *ndiff, reg_err **errp)
{
	if (fa->len == fb->len && memcmp(fa->data, fb->data, fa->len) == 0)
		return 0;
	if (is_xml_entry(fa->path)) {
		/* An entry that is not well-formed XML is still an entry: compared by its bytes. */
		reg_err *ignored = NULL;
		xmlDoc *da = reg_xml_parse_memory((const char *)fa->data, fa->len, fa->path, &ignored);
		xmlDoc *db = da ? reg_xml_parse_memory((const char *)fb->data, fb->len, fb->path,
						       &ignored)
				: NULL;
		int rc = 0;
		bool trees = da && db;
		if (trees)
			rc = diff_pair(fa->path, xmlDocGetRootElement(da), xmlDocGetRootElement(db),
				       flags, out, ndiff, errp);
		xmlFreeDoc(da);
		xmlFreeDoc(db);
		reg_code code = reg_err_code(ignored);
		reg_err_free(ignored);
		if (code == REG_EINTERNAL)
			return reg_err_oom(errp);
		if (trees || rc < 0)
			return rc;
	}
	line_entry(out, '~', fa->path, ndiff);
	return 0;
}

int reg_diff_archives(const reg_archive_entries *a, const reg_archive_entries *b, unsigned flags,
		      FILE *out, size_t *ndiff, reg_err **errp)
{
	size_t na = reg_archive_count(a), nb = reg_archive_count(b), i = 0, j = 0;
	*ndiff = 0;
	while (i < na || j < nb) {
		const reg_archive_file *fa = i < na ? reg_archive_at(a, i) : NULL;
		const reg_archive_file *fb = j < nb ? reg_archive_at(b, j) : NULL;
		int cmp = !fa ? 1 : !fb ? -1 : strcmp(fa->path, fb->path);
		if (cmp < 0) {
			line_entry(out, '-', fa->path, ndiff);
			i++;
		} else if (cmp > 0) {
			line_entry(out, '+', fb->path, ndiff);
			j++;
		} else {
			if (diff_entry(fa, fb, flags, out, ndiff, errp) < 0)
				return -1;
			i++;
			j++;
		}
	}
	return check_written(out, errp);
}

/* ---- dossier files ------------------------------------------------------------------------ */

static bool is_dossier_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, REG_NS_DOSSIER) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

typedef struct keyed {
	char *number;
	const xmlNode *dossier;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	return strcmp(a->number, b->number);
}

static void keyed_free(keyed *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].number);
	free(v);
}

/* The dossiers of a file keyed by acceptance number, sorted; refuses what cannot be lined up. */
static int collect(const xmlNode *root, const char *name, keyed **out, size_t *n, reg_err **errp)
{
	size_t cap = 0, count = 0;
	keyed *v = NULL;
	*out = NULL;
	*n = 0;
	bool single = is_dossier_element(root, "dossier");
	for (const xmlNode *d = single ? root : root->children; d; d = single ? NULL : d->next) {
		if (d->type != XML_ELEMENT_NODE)
			continue;
		if (!is_dossier_element(d, "dossier")) {
			reg_err_set(errp, REG_EDATA, name, reg_xml_line(d), NULL,
				    "<%s> in a batch is not a dossier", (const char *)d->name);
			goto fail;
		}
		char *number = reg_xml_attr(reg_xml_child(d, REG_NS_DOSSIER, "acceptance"), "number");
		if (!number || !*number) {
			free(number);
			reg_err_set(errp, REG_EDATA, name, reg_xml_line(d), "/dossier/acceptance/@number",
				    "a dossier without an acceptance number cannot be lined up with "
				    "the other file's");
			goto fail;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			keyed *nv = realloc(v, ncap * sizeof *nv);
			if (!nv) {
				free(number);
				reg_err_oom(errp);
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		v[count++] = (keyed){number, d};
	}
	if (count > 1)
		qsort(v, count, sizeof *v, keyed_cmp);
	for (size_t i = 1; i < count; i++)
		if (strcmp(v[i - 1].number, v[i].number) == 0) {
			long l1 = reg_xml_line(v[i - 1].dossier), l2 = reg_xml_line(v[i].dossier);
			reg_err_set(errp, REG_EDATA, name, l1 > l2 ? l1 : l2, NULL,
				    "acceptance number '%.40s' appears twice", v[i].number);
			goto fail;
		}
	*out = v;
	*n = count;
	return 0;
fail:
	keyed_free(v, count);
	return -1;
}

int reg_diff_dossiers(const xmlDoc *a, const char *name_a, const xmlDoc *b, const char *name_b,
		      unsigned flags, FILE *out, size_t *ndiff, reg_err **errp)
{
	const xmlNode *ra = xmlDocGetRootElement(a), *rb = xmlDocGetRootElement(b);
	*ndiff = 0;
	if (!is_dossier_element(ra, "dossier") && !is_dossier_element(ra, "batch"))
		return reg_err_set(errp, REG_EDATA, name_a, reg_xml_line(ra), NULL,
				   "not a dossier file: the root is not <dossier> or <batch> of %s",
				   REG_NS_DOSSIER);
	if (!is_dossier_element(rb, "dossier") && !is_dossier_element(rb, "batch"))
		return reg_err_set(errp, REG_EDATA, name_b, reg_xml_line(rb), NULL,
				   "not a dossier file: the root is not <dossier> or <batch> of %s",
				   REG_NS_DOSSIER);
	if (is_dossier_element(ra, "dossier") && is_dossier_element(rb, "dossier"))
		return reg_diff_tree(REG_DIFF_DOSSIER_ENTRY, ra, rb, flags, out, ndiff, errp);

	keyed *va = NULL, *vb = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	int rc = -1;
	if (collect(ra, name_a, &va, &na, errp) < 0 || collect(rb, name_b, &vb, &nb, errp) < 0)
		goto out;
	while (i < na || j < nb) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(va[i].number, vb[j].number);
		if (cmp < 0) {
			line_entry(out, '-', va[i++].number, ndiff);
		} else if (cmp > 0) {
			line_entry(out, '+', vb[j++].number, ndiff);
		} else {
			if (diff_pair(va[i].number, va[i].dossier, vb[j].dossier, flags, out, ndiff,
				      errp) < 0)
				goto out;
			i++;
			j++;
		}
	}
	rc = check_written(out, errp);
out:
	keyed_free(va, na);
	keyed_free(vb, nb);
	return rc;
}

int reg_diff_say_genuine(const reg_archive_entries *e, const char *name,
			 const reg_verify_options *opt, FILE *out, bool *genuine, reg_err **errp)
{
	reg_err *why = NULL;
	int rc = reg_verify_archive(e, opt, &why);
	if (genuine)
		*genuine = rc == 0;
	if (rc < 0 && reg_err_exit_code(why) != REG_ENO) {
		reg_err_append(errp, &why);
		return -1;
	}
	if (rc < 0) {
		char *reasons = reg_verify_reasons(why, name);
		fprintf(out, "! %s: not genuine: %s\n", name, reasons ? reasons : "out of memory");
		free(reasons);
	}
	reg_err_free(why);
	if (ferror(out))
		return reg_err_set(errp, REG_EIO, "-", 0, NULL, "write failed");
	return 0;
}

/* ---- two inputs, as reg-diff is given them ------------------------------------------------- */

/* One input: an archive or a parsed dossier file. */
struct side {
	const char *name;
	reg_archive_entries *archive;
	xmlDoc *doc;
};

/* An archive by its name (.tar.gz, .tgz) or by the gzip magic; anything else is XML. */
static int load_side(struct side *s, reg_err **errp)
{
	if (strcmp(s->name, "-") != 0) {
		struct stat st;
		if (stat(s->name, &st) == 0 && S_ISDIR(st.st_mode))
			return reg_err_set(errp, REG_ENOINPUT, s->name, 0, NULL,
					   "cannot open: is a directory");
		if (ends_with(s->name, ".tar.gz") || ends_with(s->name, ".tgz"))
			return reg_archive_load(s->name, &s->archive, errp);
	}
	FILE *fp = reg_cli_open_input(s->name, errp);
	if (!fp)
		return -1;
	char *buf = NULL;
	size_t len = 0;
	int rc = reg_read_all(fp, s->name, REG_ARCHIVE_MAX_COMPRESSED > REG_XML_MAX_DOCUMENT
						   ? REG_ARCHIVE_MAX_COMPRESSED
						   : REG_XML_MAX_DOCUMENT,
			      &buf, &len, errp);
	if (fp != stdin)
		fclose(fp);
	if (rc == 0) {
		if (len >= 2 && (unsigned char)buf[0] == 0x1F && (unsigned char)buf[1] == 0x8B)
			rc = reg_archive_load_mem(buf, len, s->name, &s->archive, errp);
		else if (!(s->doc = reg_xml_parse_memory(buf, len, s->name, errp)))
			rc = -1;
	}
	free(buf);
	return rc;
}

/* Both archives checked as reg-verify would (the configured authority's keys and catalog),
 * each that is not genuine said so before the differences. */
static int say_genuine(reg_config *cfg, struct side *a, struct side *b, FILE *out,
		       reg_err **errp)
{
	const reg_authority *auth = reg_config_authority(cfg, errp);
	reg_sign_key *key = NULL;
	reg_keyring *keys = NULL;
	reg_catalog *cat = NULL;
	int offset = 0, rc = -1;
	if (!auth || reg_config_offset(cfg, &offset, errp) < 0)
		return -1;
	if (!reg_authority_public_key_path(auth)) {
		reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(cfg), 0, NULL,
			    "the authority has no public key");
		return -1;
	}
	if ((key = reg_sign_key_load_public(reg_authority_public_key_path(auth), errp)) &&
	    (keys = reg_keyring_new(auth, errp)) &&
	    (cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				    errp))) {
		reg_verify_options opt = {.key = key, .catalog = cat, .keys = keys,
					  .offset_min = offset};
		if (reg_diff_say_genuine(a->archive, a->name, &opt, out, NULL, errp) == 0 &&
		    reg_diff_say_genuine(b->archive, b->name, &opt, out, NULL, errp) == 0)
			rc = 0;
	}
	reg_catalog_free(cat);
	reg_keyring_free(keys);
	reg_sign_key_free(key);
	return rc;
}

static int compare(reg_config *cfg, struct side *a, struct side *b, unsigned flags,
		   FILE *out, size_t *ndiff, reg_err **errp)
{
	if (load_side(a, errp) < 0 || load_side(b, errp) < 0)
		return -1;
	if (a->archive && b->archive)
		return say_genuine(cfg, a, b, out, errp) < 0
			       ? -1
			       : reg_diff_archives(a->archive, b->archive, flags, out, ndiff, errp);
	if (a->doc && b->doc)
		return reg_diff_dossiers(a->doc, a->name, b->doc, b->name, flags, out, ndiff,
					 errp);
	return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
			   "cannot compare an archive with a dossier file ('%s' is an archive)",
			   a->archive ? a->name : b->name);
}

int reg_diff_inputs(reg_config *cfg, const char *a_name, const char *b_name, unsigned flags,
		    FILE *out, size_t *ndiff, reg_err **errp)
{
	struct side a = {.name = a_name}, b = {.name = b_name};
	*ndiff = 0;
	int rc = compare(cfg, &a, &b, flags, out, ndiff, errp);
	reg_archive_entries_free(a.archive);
	reg_archive_entries_free(b.archive);
	xmlFreeDoc(a.doc);
	xmlFreeDoc(b.doc);
	return rc;
}
