/*
 * test_xml — libreg/xml.c: safe parsing, the hostile corpus (tests/hostile/xml), dossier
 * streams, the writer, C14N digests, schema validation and the restricted entity loader.
 */
#include "hex.h"
#include "tap.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parserInternals.h>

#include "xml.h"

#define MARKER "REGKIT-SECRET-MARKER-7f3a9c"
#define PASSWD "root:x:0:0"
#define NS "urn:regkit:dossier:1"

static char tmp[256];
static char schemas[300];
static char corpus[1024];
static char secret[300];

/* ------------------------------------------------------------------------------------------ */
/* small tools */

static char *join(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static void write_bytes(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0)
		abort();
}

static void write_file(const char *path, const char *s)
{
	write_bytes(path, s, strlen(s));
}

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* Every message, file and field of the chain, joined: what a user would see. */
static char *err_text(const reg_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	reg_err_print(e, "test", fp);
	fclose(fp);
	return buf;
}

static bool err_has(const reg_err *e, const char *needle)
{
	char *t = err_text(e);
	bool r = contains(t, needle);
	free(t);
	return r;
}

static bool leaks(const reg_err *e)
{
	return err_has(e, MARKER) || err_has(e, PASSWD);
}

static char *ser(xmlDoc *doc)
{
	char *out = NULL;
	size_t len = 0;
	reg_err *e = NULL;
	if (reg_xml_serialize(doc, &out, &len, &e) < 0) {
		reg_err_print(e, "# serialize", stdout);
		reg_err_free(e);
		return NULL;
	}
	if (strlen(out) != len)
		abort();
	return out;
}

static xmlDoc *parse(const char *s, reg_err **e)
{
	return reg_xml_parse_memory(s, strlen(s), "doc.xml", e);
}

static char *digest(xmlDoc *doc, xmlNode *node)
{
	unsigned char d[32];
	static char hex[4][65];
	static int slot;
	reg_err *e = NULL;
	if (reg_xml_c14n_sha256(doc, node, d, &e) < 0) {
		reg_err_print(e, "# digest", stdout);
		reg_err_free(e);
		return NULL;
	}
	char *h = hex[slot++ % 4];
	reg_hex(d, 32, h);
	return h;
}

static char *digest_of(const char *s)
{
	reg_err *e = NULL;
	xmlDoc *doc = parse(s, &e);
	char *h = doc ? digest(doc, NULL) : NULL;
	if (!doc)
		reg_err_print(e, "# parse", stdout);
	reg_err_free(e);
	xmlFreeDoc(doc);
	return h;
}

/* Everything a stream yields, read to its end. */
typedef struct {
	int ndocs;
	long lines[8];
	char *first; /* serialization of the first dossier */
	int rc;
	bool batch;
	bool leaked;
	reg_err *err;
} run;

static run run_stream(FILE *fp, const char *name)
{
	run r = { 0 };
	reg_xml_stream *s = reg_xml_stream_new(fp, name, &r.err);
	if (!s) {
		r.rc = -1;
		return r;
	}
	xmlDoc *doc;
	long line;
	while ((r.rc = reg_xml_stream_next(s, &doc, &line, &r.err)) == 1) {
		char *out = ser(doc);
		if (contains(out, MARKER) || contains(out, PASSWD))
			r.leaked = true;
		if (r.ndocs < 8)
			r.lines[r.ndocs] = line;
		if (r.ndocs == 0)
			r.first = out;
		else
			free(out);
		r.ndocs++;
		xmlFreeDoc(doc);
	}
	r.batch = reg_xml_stream_is_batch(s);
	/* An ended or failed stream stays so. */
	if (reg_xml_stream_next(s, &doc, &line, NULL) != r.rc)
		r.rc = 99;
	reg_xml_stream_free(s);
	if (leaks(r.err))
		r.leaked = true;
	return r;
}

static run run_stream_str(const char *s, const char *name)
{
	FILE *fp = fmemopen((void *)s, strlen(s), "r");
	run r = run_stream(fp, name);
	fclose(fp);
	return r;
}

static run run_stream_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		abort();
	run r = run_stream(fp, path);
	fclose(fp);
	return r;
}

static void run_free(run *r)
{
	free(r->first);
	reg_err_free(r->err);
}

/* A FILE that produces head, `fill_len` copies of `fill`, then tail, counting what was read:
 * 100 MB inputs without 100 MB anywhere. */
typedef struct {
	const char *head, *tail;
	char fill;
	unsigned long long fill_len, pos, consumed;
} gen;

static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	gen *g = cookie;
	size_t hl = strlen(g->head), tl = strlen(g->tail);
	unsigned long long total = hl + g->fill_len + tl;
	size_t n = 0;
	while (n < size && g->pos < total) {
		unsigned long long p = g->pos;
		if (p < hl)
			buf[n++] = g->head[p], g->pos++;
		else if (p < hl + g->fill_len) {
			unsigned long long k = hl + g->fill_len - p;
			if (k > size - n)
				k = size - n;
			memset(buf + n, g->fill, (size_t)k);
			n += (size_t)k;
			g->pos += k;
		} else
			buf[n++] = g->tail[p - hl - g->fill_len], g->pos++;
	}
	g->consumed += n;
	return (ssize_t)n;
}

static FILE *gen_open(gen *g)
{
	cookie_io_functions_t io = { .read = gen_read };
	return fopencookie(g, "r", io);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------ */

static const char sample[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">\n"
	"  <enterprise>\n"
	"    <name>  乌海市恒泰商贸有限公司 </name>\n"
	"    <form>llc</form>\n"
	"    <address division=\"150302\">乌海市海勃湾区新华大街18号</address>\n"
	"    <legal-representative>\n"
	"      <name>张伟</name>\n"
	"      <citizen-id>150302198503150011</citizen-id>\n"
	"    </legal-representative>\n"
	"    <shareholders>\n"
	"      <shareholder><name>张伟</name><share>60.00</share></shareholder>\n"
	"      <shareholder><name>李娜</name><share>40.00</share></shareholder>\n"
	"    </shareholders>\n"
	"    <staff/>\n"
	"    <contact><![CDATA[a<b & c]]></contact>\n"
	"  </enterprise>\n"
	"</dossier>\n";

static void test_good_document(void)
{
	reg_err *e = NULL;
	xmlDoc *doc = parse(sample, &e);
	ok(doc && !e, "a good dossier parses");
	if (!doc) {
		reg_err_free(e);
		return;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *ent = reg_xml_child(root, NS, "enterprise");
	ok(ent != NULL, "reg_xml_child finds <enterprise> in the dossier namespace");
	ok(reg_xml_child(root, NULL, "enterprise") == NULL, "reg_xml_child with no namespace misses it");
	char *name = reg_xml_child_text(ent, NS, "name");
	is_str(name, "乌海市恒泰商贸有限公司", "child text is trimmed UTF-8");
	free(name);
	char *staff = reg_xml_child_text(ent, NS, "staff");
	is_str(staff, "", "an empty element's text is \"\"");
	free(staff);
	ok(reg_xml_child_text(ent, NS, "missing") == NULL, "an absent child's text is NULL");
	ok(reg_xml_text(NULL) == NULL, "reg_xml_text(NULL) is NULL");
	char *contact = reg_xml_child_text(ent, NS, "contact");
	is_str(contact, "a<b & c", "CDATA arrives as plain text");
	free(contact);
	xmlNode *addr = reg_xml_child(ent, NS, "address");
	char *div = reg_xml_attr(addr, "division");
	is_str(div, "150302", "reg_xml_attr reads an attribute");
	free(div);
	ok(reg_xml_attr(addr, "nope") == NULL, "an absent attribute is NULL");
	int n = 0;
	reg_xml_for_each_child(sh, reg_xml_child(ent, NS, "shareholders"), NS, "shareholder")
		n++;
	is_int(n, 2, "reg_xml_for_each_child visits both shareholders");
	n = 0;
	reg_xml_for_each_child(sh, reg_xml_child(ent, NS, "absent"), NS, "shareholder")
		n++;
	is_int(n, 0, "reg_xml_for_each_child over a missing parent visits nothing");
	xmlNode *id = reg_xml_child(reg_xml_child(ent, NS, "legal-representative"), NS, "citizen-id");
	char *path = reg_xml_path(id);
	is_str(path, "/dossier/enterprise/legal-representative/citizen-id", "reg_xml_path of an element");
	free(path);
	path = reg_xml_path((xmlNode *)xmlHasProp(addr, BAD_CAST "division"));
	is_str(path, "/dossier/enterprise/address/@division", "reg_xml_path of an attribute");
	free(path);
	is_int(reg_xml_line(id), 9, "reg_xml_line of an element");
	is_int(reg_xml_line(root), 2, "reg_xml_line of the root");
	char *out = ser(doc);
	ok(contains(out, "<contact>a&lt;b &amp; c</contact>"), "CDATA is written as escaped text");
	ok(contains(out, "<name>  乌海市恒泰商贸有限公司 </name>"),
	   "whitespace inside a value is kept (it is content)");
	free(out);
	xmlFreeDoc(doc);
}

static void test_whitespace_and_digest(void)
{
	const char *a = "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\"><enterprise>"
			"<name>恒泰</name><capital>1000000.00</capital></enterprise><requests/>"
			"</dossier>";
	const char *b = "<?xml version=\"1.0\"?>\r\n<dossier xmlns=\"urn:regkit:dossier:1\"\r\n"
			"    state=\"accepted\">\r\n\t<enterprise>\r\n\t\t<name>恒泰</name>\r\n"
			"\t\t<capital>1000000.00</capital>\r\n\t</enterprise>\r\n"
			"       <requests></requests>\r\n</dossier>\r\n";
	const char *c = "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\"><enterprise>"
			"<name>恒泰</name><capital>1000000.01</capital></enterprise><requests/>"
			"</dossier>";
	const char *d = "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\"><enterprise>"
			"<name> 恒泰</name><capital>1000000.00</capital></enterprise><requests/>"
			"</dossier>";
	reg_err *e = NULL;
	xmlDoc *da = parse(a, &e), *db = parse(b, &e);
	char *sa = da ? ser(da) : NULL, *sb = db ? ser(db) : NULL;
	ok(sa && sb && strcmp(sa, sb) == 0, "differently indented copies serialize identically");
	is_str(sa,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">\n"
	       "  <enterprise>\n"
	       "    <name>恒泰</name>\n"
	       "    <capital>1000000.00</capital>\n"
	       "  </enterprise>\n"
	       "  <requests/>\n"
	       "</dossier>\n",
	       "serialization: one declaration, two-space indentation, UTF-8 as is");
	char *ha = digest_of(a), *hb = digest_of(b), *hc = digest_of(c), *hd = digest_of(d);
	is_str(ha, hb, "differently indented copies digest identically");
	ok(ha && hc && strcmp(ha, hc) != 0, "a changed value changes the digest");
	ok(ha && hd && strcmp(ha, hd) != 0, "a leading space inside a value changes the digest");
	ok(ha && strlen(ha) == 64 && strspn(ha, "0123456789abcdef") == 64, "digest hex is lower case");
	free(sa);
	free(sb);
	xmlFreeDoc(da);
	xmlFreeDoc(db);
	ok(!e, "no errors on the way");
	reg_err_free(e);
}

static void test_c14n(void)
{
	/* Attribute order, unused and redundant namespace declarations, their placement and
	 * comments are not content; C14N makes them not count. */
	const char *a = "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\" id=\"7\">"
			"<enterprise><name>x</name></enterprise></dossier>";
	const char *b = "<!-- a note --><dossier id=\"7\" xmlns:unused=\"urn:nothing\" state=\"accepted\" "
			"xmlns=\"urn:regkit:dossier:1\"><!-- inside --><enterprise "
			"xmlns=\"urn:regkit:dossier:1\"><name>x</name></enterprise></dossier>";
	is_str(digest_of(a), digest_of(b),
	       "digest independent of attribute order, unused/redundant declarations and comments");

	/* The same dossier inside a batch (namespace declared on <batch>, an extra prefix in
	 * scope) digests like the standalone one. */
	const char *batch = "<batch xmlns=\"urn:regkit:dossier:1\" xmlns:x=\"urn:x\">"
			    "<dossier state=\"accepted\" id=\"7\"><enterprise><name>x</name>"
			    "</enterprise></dossier></batch>";
	run r = { 0 };
	FILE *fp = fmemopen((void *)batch, strlen(batch), "r");
	reg_xml_stream *s = reg_xml_stream_new(fp, "batch.xml", &r.err);
	xmlDoc *doc = NULL;
	long line;
	ok(s && reg_xml_stream_next(s, &doc, &line, &r.err) == 1, "dossier read from a batch");
	if (doc)
		is_str(digest(doc, NULL), digest_of(a), "a dossier from a batch digests like a standalone one");
	xmlFreeDoc(doc);
	reg_xml_stream_free(s);
	fclose(fp);
	run_free(&r);

	/* A subtree: the digest of <enterprise> inside the dossier equals that of the same
	 * element as a document of its own (exclusive C14N carries the namespace it uses). */
	reg_err *e = NULL;
	xmlDoc *da = parse(a, &e);
	xmlNode *ent = reg_xml_child(xmlDocGetRootElement(da), NS, "enterprise");
	char *sub = digest(da, ent);
	is_str(sub, digest_of("<enterprise xmlns=\"urn:regkit:dossier:1\"><name>x</name></enterprise>"),
	       "the digest of a subtree is that of the subtree alone");
	ok(sub && strcmp(sub, digest(da, NULL)) != 0, "the subtree digest differs from the whole");
	xmlFreeDoc(da);
	reg_err_free(e);

	/* Leaving parts out: the same digest as removing them from a copy, whatever the prefixes,
	 * nesting, whitespace and namespace declarations inside them. */
	const char *parts = "<d:dossier xmlns:d=\"urn:regkit:dossier:1\" state=\"approved\" id=\"7\">\n"
			    "  <d:enterprise><d:name>x</d:name></d:enterprise>\n"
			    "  <d:approvals xmlns:q=\"urn:q\"><d:approval q:x=\"1\" item=\"a\"/></d:approvals>\n"
			    "  <approvals xmlns=\"urn:other\"><kept/></approvals>\n"
			    "  <d:issuance uscc=\"x\"/>\n"
			    "  <d:approvals/>\n"
			    "  <d:materials state=\"kept\"/>\n"
			    "</d:dossier>";
	static const char *const skip[] = {"approvals", "issuance", NULL};
	xmlDoc *dp = parse(parts, &e);
	xmlDoc *copy = dp ? xmlCopyDoc(dp, 1) : NULL;
	xmlNode *croot = copy ? xmlDocGetRootElement(copy) : NULL;
	if (croot) {
		xmlUnsetProp(croot, BAD_CAST "state");
		for (size_t i = 0; skip[i]; i++) {
			xmlNode *c;
			while ((c = reg_xml_child(croot, NS, skip[i]))) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
	}
	unsigned char dw[32];
	char without[65] = "";
	if (dp && reg_xml_c14n_sha256_without(xmlDocGetRootElement(dp), "state", NS, skip, dw, &e) == 0)
		reg_hex(dw, 32, without);
	char *removed = croot ? digest(copy, NULL) : NULL;
	is_str(without, removed, "c14n without parts equals c14n of a copy with them removed");
	ok(removed && !strstr(removed, "urn:other") && strcmp(without, digest(dp, NULL)) != 0,
	   "and differs from the whole: something was left out");
	unsigned char dn[32];
	char none[65] = "";
	if (dp && reg_xml_c14n_sha256_without(xmlDocGetRootElement(dp), NULL, NULL, NULL, dn, &e) == 0)
		reg_hex(dn, 32, none);
	is_str(none, digest(dp, NULL), "leaving nothing out is the plain digest");
	xmlFreeDoc(copy);
	xmlFreeDoc(dp);
	reg_err_free(e);
	e = NULL;

	/* Known value: the exclusive C14N of <a b='1' xmlns='urn:x'/> is exactly
	 * <a xmlns="urn:x" b="1"></a> (printf that | sha256sum). */
	is_str(digest_of("<a b='1' xmlns='urn:x'/>"), "fd2ccc7917101852ac24362df7f1ef9cea6801c08965ab9f1394cebddcf10a5b",
	       "the digest is SHA-256 of the canonical bytes");
}

/* ------------------------------------------------------------------------------------------ */

static void test_hostile_corpus(void)
{
	static const struct {
		const char *file;
		bool parses;      /* well-formed as a plain document */
		int stream_docs;  /* dossiers a stream yields before its error */
		const char *why;  /* expected in the stream's (and the parse's) error */
	} cases[] = {
		{ "xxe-file.xml", false, 0, "document type declarations are not allowed" },
		{ "xxe-param.xml", false, 0, "document type declarations are not allowed" },
		{ "billion-laughs.xml", false, 0, "document type declarations are not allowed" },
		{ "quadratic-blowup.xml", false, 0, "document type declarations are not allowed" },
		{ "doctype-only.xml", false, 0, "document type declarations are not allowed" },
		{ "invalid-utf8.xml", false, 0, "not well-formed" },
		{ "nul-byte.xml", false, 0, "not well-formed" },
		{ "truncated.xml", false, 2, "not well-formed" },
		{ "wrong-root.xml", true, 0, "neither <dossier> nor <batch>" },
		{ "batch-with-junk.xml", true, 1, "a batch holds only <dossier> elements, not <note>" },
		{ "xinclude.xml", true, 1, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = join(corpus, cases[i].file);
		reg_err *e = NULL;
		double t0 = now();
		xmlDoc *doc = reg_xml_parse_file(path, &e);
		if (cases[i].parses) {
			ok(doc && !e, "%s: well-formed as a plain document", cases[i].file);
			char *out = doc ? ser(doc) : NULL;
			ok(out && !contains(out, PASSWD), "%s: nothing from /etc/passwd in the tree",
			   cases[i].file);
			free(out);
		} else {
			ok(!doc && reg_err_code(e) == REG_EDATA, "%s: parse fails with REG_EDATA",
			   cases[i].file);
			is_str(reg_err_file(e), path, "%s: the error names the file", cases[i].file);
			ok(reg_err_line(e) > 0, "%s: the error has a line", cases[i].file);
			ok(err_has(e, cases[i].why), "%s: parse error says '%s'", cases[i].file,
			   cases[i].why);
			ok(!leaks(e), "%s: no file content in the error", cases[i].file);
			if (!err_has(e, cases[i].why))
				reg_err_print(e, "#", stdout);
		}
		xmlFreeDoc(doc);
		reg_err_free(e);

		run r = run_stream_file(path);
		is_int(r.ndocs, cases[i].stream_docs, "%s: stream yields %d dossier(s)", cases[i].file,
		       cases[i].stream_docs);
		if (cases[i].why) {
			ok(r.rc == -1 && reg_err_code(r.err) == REG_EDATA, "%s: stream fails with REG_EDATA",
			   cases[i].file);
			is_str(reg_err_file(r.err), path, "%s: the stream error names the file",
			       cases[i].file);
			ok(err_has(r.err, cases[i].why), "%s: stream error says '%s'", cases[i].file,
			   cases[i].why);
			if (!err_has(r.err, cases[i].why))
				reg_err_print(r.err, "#", stdout);
		} else {
			ok(r.rc == 0 && !r.err, "%s: stream ends cleanly", cases[i].file);
		}
		ok(!r.leaked, "%s: nothing from a named file anywhere", cases[i].file);
		ok(now() - t0 < 10.0, "%s: handled promptly", cases[i].file);
		run_free(&r);
		free(path);
	}

	/* The truncated batch: the two complete dossiers, at their lines, then the error. */
	char *path = join(corpus, "truncated.xml");
	run r = run_stream_file(path);
	ok(r.ndocs == 2 && r.lines[0] == 4 && r.lines[1] == 7,
	   "truncated batch: complete dossiers come out with their lines (4, 7)");
	ok(r.batch, "truncated batch: known to be a batch");
	run_free(&r);
	free(path);

	path = join(corpus, "xinclude.xml");
	reg_err *e = NULL;
	xmlDoc *doc = reg_xml_parse_file(path, &e);
	xmlNode *name = reg_xml_child(reg_xml_child(xmlDocGetRootElement(doc), NS, "enterprise"), NS, "name");
	xmlNode *inc = reg_xml_child(name, "http://www.w3.org/2001/XInclude", "include");
	ok(inc != NULL, "xinclude.xml: xi:include stays an unprocessed element");
	xmlFreeDoc(doc);
	reg_err_free(e);
	free(path);
}

/* The XXE shapes again, now pointing at a secret file that does exist. */
static void test_secret_file(void)
{
	static const char *shapes[] = {
		"<!DOCTYPE dossier [<!ENTITY s SYSTEM \"file://%s\">]>"
		"<dossier xmlns=\"urn:regkit:dossier:1\"><enterprise><name>&s;</name></enterprise></dossier>",
		"<!DOCTYPE dossier [<!ENTITY s SYSTEM \"%s\">]>"
		"<dossier xmlns=\"urn:regkit:dossier:1\" state=\"&s;\"/>",
		"<!DOCTYPE dossier [<!ENTITY %% p SYSTEM \"%s\"> %%p;]>"
		"<dossier xmlns=\"urn:regkit:dossier:1\"/>",
		"<!DOCTYPE dossier SYSTEM \"%s\"><dossier xmlns=\"urn:regkit:dossier:1\"/>",
		"<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE dossier PUBLIC \"-//x//y\" \"%s\" []>"
		"<dossier xmlns=\"urn:regkit:dossier:1\"/>",
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char *doc_text = NULL;
		if (asprintf(&doc_text, shapes[i], secret) < 0)
			abort();
		reg_err *e = NULL;
		xmlDoc *doc = reg_xml_parse_memory(doc_text, strlen(doc_text), "secret.xml", &e);
		ok(!doc && reg_err_code(e) == REG_EDATA &&
			   err_has(e, "document type declarations are not allowed"),
		   "secret shape %zu: refused as a DOCTYPE", i + 1);
		is_str(reg_err_file(e), "secret.xml", "secret shape %zu: the error names the input", i + 1);
		ok(!leaks(e), "secret shape %zu: the marker is not in the error", i + 1);
		xmlFreeDoc(doc);
		reg_err_free(e);
		run r = run_stream_str(doc_text, "secret-stream.xml");
		ok(r.rc == -1 && r.ndocs == 0 && !r.leaked && reg_err_code(r.err) == REG_EDATA &&
			   err_has(r.err, "document type declarations are not allowed"),
		   "secret shape %zu: the stream refuses it too, nothing leaks", i + 1);
		run_free(&r);
		free(doc_text);
	}

	char *xi = NULL;
	if (asprintf(&xi, "<dossier xmlns=\"urn:regkit:dossier:1\" "
			  "xmlns:xi=\"http://www.w3.org/2001/XInclude\"><enterprise><name>"
			  "<xi:include href=\"%s\" parse=\"text\"/></name></enterprise></dossier>",
		     secret) < 0)
		abort();
	reg_err *e = NULL;
	xmlDoc *doc = parse(xi, &e);
	char *out = doc ? ser(doc) : NULL;
	ok(out && !contains(out, MARKER) && contains(out, "xi:include"),
	   "xi:include of the secret: kept as an element, the file never read");
	char *h = doc ? digest(doc, NULL) : NULL;
	ok(h != NULL, "and it digests");
	free(out);
	xmlFreeDoc(doc);
	reg_err_free(e);
	run r = run_stream_str(xi, "xi.xml");
	ok(r.ndocs == 1 && r.rc == 0 && !r.leaked, "xi:include through a stream: nothing leaks");
	run_free(&r);
	free(xi);
}

static void test_deep_nesting(void)
{
	enum { DEEP = 10000 };
	size_t cap = DEEP * 8 + 200;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	size_t n = (size_t)sprintf(buf, "<dossier xmlns=\"urn:regkit:dossier:1\">");
	for (int i = 0; i < DEEP; i++)
		n += (size_t)sprintf(buf + n, "<a>");
	for (int i = 0; i < DEEP; i++)
		n += (size_t)sprintf(buf + n, "</a>");
	n += (size_t)sprintf(buf + n, "</dossier>");
	reg_err *e = NULL;
	xmlDoc *doc = reg_xml_parse_memory(buf, n, "deep.xml", &e);
	ok(!doc && reg_err_code(e) == REG_EDATA && err_has(e, "nested deeper than 64"),
	   "10 000-deep nesting: refused at depth 64");
	is_str(reg_err_file(e), "deep.xml", "deep nesting: the error names the input");
	xmlFreeDoc(doc);
	reg_err_free(e);
	run r = run_stream_str(buf, "deep-stream.xml");
	ok(r.rc == -1 && r.ndocs == 0 && err_has(r.err, "nested deeper than 64"),
	   "10 000-deep nesting in a stream: refused");
	run_free(&r);

	/* The limit exactly: 64 levels are fine, 65 are not. */
	for (int depth = 64; depth <= 65; depth++) {
		n = (size_t)sprintf(buf, "<batch xmlns=\"urn:regkit:dossier:1\"><dossier>");
		for (int i = 2; i < depth; i++)
			n += (size_t)sprintf(buf + n, "<a>");
		for (int i = 2; i < depth; i++)
			n += (size_t)sprintf(buf + n, "</a>");
		n += (size_t)sprintf(buf + n, "</dossier></batch>");
		e = NULL;
		doc = reg_xml_parse_memory(buf, n, "limit.xml", &e);
		ok(depth == 64 ? doc != NULL : doc == NULL, "depth %d %s (parse)", depth,
		   depth == 64 ? "accepted" : "refused");
		xmlFreeDoc(doc);
		reg_err_free(e);
		r = run_stream_str(buf, "limit.xml");
		ok(depth == 64 ? (r.rc == 0 && r.ndocs == 1) : (r.rc == -1 && r.ndocs == 0),
		   "depth %d %s (stream)", depth, depth == 64 ? "accepted" : "refused");
		run_free(&r);
	}
	free(buf);
}

static void test_huge_inputs(void)
{
	/* A 100 MB field in a streamed dossier: refused at the per-dossier cap, having read
	 * little more than the cap. */
	gen g = { .head = "<?xml version=\"1.0\"?>\n<dossier xmlns=\"urn:regkit:dossier:1\">\n"
			  "<enterprise><name>",
		  .fill = 'A',
		  .fill_len = 100ull << 20,
		  .tail = "</name></enterprise></dossier>\n" };
	FILE *fp = gen_open(&g);
	double t0 = now();
	run r = run_stream(fp, "huge.xml");
	double dt = now() - t0;
	fclose(fp);
	ok(r.rc == -1 && r.ndocs == 0 && reg_err_code(r.err) == REG_EDATA,
	   "100 MB field in a stream: REG_EDATA");
	ok(err_has(r.err, "huge.xml:2: dossier larger than 8388608 bytes"),
	   "the error names the file, the dossier's line and the cap");
	ok(g.consumed <= REG_XML_MAX_DOSSIER + (1u << 20), "only %llu bytes were read", g.consumed);
	ok(dt < 30.0, "refused in %.1f s", dt);
	run_free(&r);

	/* The same after a good dossier in a batch: the good one comes out first. */
	gen g2 = { .head = "<batch xmlns=\"urn:regkit:dossier:1\">\n<dossier><enterprise><name>ok"
			   "</name></enterprise></dossier>\n<dossier><enterprise><name>",
		   .fill = 'B',
		   .fill_len = 100ull << 20,
		   .tail = "</name></enterprise></dossier></batch>\n" };
	fp = gen_open(&g2);
	r = run_stream(fp, "huge-batch.xml");
	fclose(fp);
	ok(r.ndocs == 1 && r.rc == -1 && err_has(r.err, "huge-batch.xml:3: dossier larger than"),
	   "100 MB field in a batch's second dossier: the first comes out, then the error");
	run_free(&r);

	/* Megabytes of nothing between dossiers are capped too. */
	gen g3 = { .head = "<batch xmlns=\"urn:regkit:dossier:1\">",
		   .fill = ' ',
		   .fill_len = 20u << 20,
		   .tail = "</batch>" };
	fp = gen_open(&g3);
	r = run_stream(fp, "blank.xml");
	fclose(fp);
	ok(r.rc == -1 && err_has(r.err, "more than 8388608 bytes outside any dossier") &&
		   g3.consumed <= REG_XML_MAX_DOSSIER + (1u << 20),
	   "20 MB of blanks between dossiers: refused at the cap");
	run_free(&r);

	/* A whole document read into memory stops one byte past its cap. */
	gen g4 = { .head = "<a>", .fill = 'x', .fill_len = 100ull << 20, .tail = "</a>" };
	fp = gen_open(&g4);
	char *buf = NULL;
	size_t len = 0;
	reg_err *e = NULL;
	int rc = reg_read_all(fp, "big.xml", REG_XML_MAX_DOCUMENT, &buf, &len, &e);
	fclose(fp);
	ok(rc == -1 && !buf && reg_err_code(e) == REG_EDATA &&
		   err_has(e, "big.xml: input larger than 67108864 bytes"),
	   "reg_read_all: 100 MB refused at the 64 MiB cap");
	ok(g4.consumed <= REG_XML_MAX_DOCUMENT + (1u << 20), "reg_read_all read %llu bytes", g4.consumed);
	reg_err_free(e);

	e = NULL;
	fp = fmemopen((void *)"hello", 5, "r");
	rc = reg_read_all(fp, "small", 5, &buf, &len, &e);
	ok(rc == 0 && len == 5 && buf && strcmp(buf, "hello") == 0, "reg_read_all: exactly the cap is fine");
	free(buf);
	fclose(fp);
	fp = fmemopen((void *)"hello!", 6, "r");
	rc = reg_read_all(fp, "small", 5, &buf, &len, &e);
	ok(rc == -1 && err_has(e, "input larger than 5 bytes"), "reg_read_all: one byte more is not");
	fclose(fp);
	reg_err_free(e);
}

/* Shapes that cost libxml2 2.9 quadratic time before any callback sees them. */
static void test_quadratic_shapes(void)
{
	char *buf = malloc(1u << 20);
	if (!buf)
		abort();
	for (int count = 64; count <= 65; count++) {
		size_t n = (size_t)sprintf(buf, "<batch xmlns=\"urn:regkit:dossier:1\">\n<dossier/>\n<dossier\n");
		for (int i = 0; i < count; i++)
			n += (size_t)sprintf(buf + n, " a%d='=x>'", i);
		n += (size_t)sprintf(buf + n, "/></batch>");
		reg_err *e = NULL;
		xmlDoc *doc = reg_xml_parse_memory(buf, n, "attrs.xml", &e);
		if (count == 64)
			ok(doc && !e, "64 attributes on an element are fine ('=' and '>' in values do not count)");
		else
			ok(!doc && reg_err_code(e) == REG_EDATA &&
				   err_has(e, "attrs.xml:3: element with more than 64 attributes"),
			   "65 attributes: REG_EDATA at the element's line");
		xmlFreeDoc(doc);
		reg_err_free(e);
		run r = run_stream_str(buf, "attrs.xml");
		if (count == 64)
			ok(r.rc == 0 && r.ndocs == 2, "64 attributes stream fine");
		else
			ok(r.rc == -1 && r.ndocs == 1 && err_has(r.err, "attrs.xml:3: element with more than 64"),
			   "65 attributes in a stream: the dossier before comes out, then the error");
		run_free(&r);
	}
	/* Comments, CDATA and processing instructions full of '=' are not start tags. */
	size_t n = (size_t)sprintf(buf, "<dossier xmlns=\"urn:regkit:dossier:1\"><!-- ");
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(buf + n, "a=b ");
	n += (size_t)sprintf(buf + n, "--><?pi ");
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(buf + n, "a=b ");
	n += (size_t)sprintf(buf + n, "?><x><![CDATA[<y ");
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(buf + n, "a='b' ");
	n += (size_t)sprintf(buf + n, "]]></x></dossier>");
	reg_err *e = NULL;
	xmlDoc *doc = reg_xml_parse_memory(buf, n, "eq.xml", &e);
	ok(doc && !e, "'=' in comments, PIs and CDATA is not counted");
	xmlFreeDoc(doc);
	reg_err_free(e);

	/* 40 000 attributes once took libxml2 seconds; now refused at once. */
	n = (size_t)sprintf(buf, "<dossier xmlns=\"urn:regkit:dossier:1\"><x");
	for (int i = 0; i < 40000; i++)
		n += (size_t)sprintf(buf + n, " a%d=''", i);
	n += (size_t)sprintf(buf + n, "/></dossier>");
	double t0 = now();
	e = NULL;
	doc = reg_xml_parse_memory(buf, n, "many.xml", &e);
	ok(!doc && err_has(e, "more than 64 attributes") && now() - t0 < 2.0,
	   "40 000 attributes: refused without libxml2's quadratic check");
	reg_err_free(e);

	/* Namespace declarations in scope: 32 are fine, 33 are not. */
	for (int count = 32; count <= 33; count++) {
		n = (size_t)sprintf(buf, "<dossier xmlns=\"urn:regkit:dossier:1\">");
		for (int i = 1; i < count; i++)
			n += (size_t)sprintf(buf + n, "<n xmlns:p%d='urn:%d'>", i, i);
		for (int i = 1; i < count; i++)
			n += (size_t)sprintf(buf + n, "</n>");
		n += (size_t)sprintf(buf + n, "<m xmlns:a='urn:a'/><m xmlns:b='urn:b'/></dossier>");
		e = NULL;
		doc = reg_xml_parse_memory(buf, n, "ns.xml", &e);
		if (count == 32)
			ok(doc && !e, "32 namespace declarations in scope are fine (siblings' do not add up)");
		else
			ok(!doc && err_has(e, "more than 32 namespace declarations in scope"),
			   "33 in scope: refused");
		xmlFreeDoc(doc);
		reg_err_free(e);
	}
	free(buf);

	/* libxml2's own limits come out as data errors with our words. */
	size_t big = 11u << 20;
	buf = malloc(big + 100);
	if (!buf)
		abort();
	n = (size_t)sprintf(buf, "<a>");
	memset(buf + n, 'x', big);
	n += big;
	n += (size_t)sprintf(buf + n, "</a>");
	e = NULL;
	doc = reg_xml_parse_memory(buf, n, "text.xml", &e);
	ok(!doc && reg_err_code(e) == REG_EDATA && err_has(e, "text larger than 10000000 bytes"),
	   "an 11 MB text node: REG_EDATA, libxml2's limit in our words");
	reg_err_free(e);
	free(buf);
}

/* Whole documents beyond 10 MB parse (libxml2 2.9's pull parser cannot). */
static void test_large_document(void)
{
	size_t target = 12u << 20;
	char *buf = malloc(target + 200);
	if (!buf)
		abort();
	size_t n = (size_t)sprintf(buf, "<catalog xmlns=\"urn:regkit:catalog:1\">\n");
	int items = 0;
	while (n < target) {
		n += (size_t)sprintf(buf + n, "  <item id=\"i%d\" number=\"%d\"><zh>项</zh></item>\n", items, items);
		items++;
	}
	n += (size_t)sprintf(buf + n, "</catalog>\n");
	reg_err *e = NULL;
	xmlDoc *doc = reg_xml_parse_memory(buf, n, "large.xml", &e);
	ok(doc && !e, "a 12 MB document with attributes throughout parses");
	int count = 0;
	xmlNode *last = NULL;
	reg_xml_for_each_child(it, xmlDocGetRootElement(doc), REG_NS_CATALOG, "item") {
		count++;
		last = it;
	}
	is_int(count, items, "all %d items are there", items);
	is_int(reg_xml_line(last), items + 1, "the last one on its line");
	xmlFreeDoc(doc);
	reg_err_free(e);
	free(buf);
}

static void test_streams(void)
{
	const char *three = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<!-- a batch -->\n"
			    "<batch xmlns=\"urn:regkit:dossier:1\">\n"
			    "  <dossier state=\"accepted\">\n"
			    "    <enterprise><name>一</name></enterprise>\n"
			    "  </dossier>\n"
			    "  <!-- between -->\n"
			    "  <?pi between?>\n"
			    "  <dossier><enterprise><name>二</name></enterprise></dossier>\n"
			    "  <dossier\n"
			    "     state=\"issued\">\n"
			    "    <enterprise><name>三</name></enterprise>\n"
			    "  </dossier>\n"
			    "</batch>\n";
	FILE *fp = fmemopen((void *)three, strlen(three), "r");
	reg_err *e = NULL;
	reg_xml_stream *s = reg_xml_stream_new(fp, "three.xml", &e);
	is_str(reg_xml_stream_name(s), "three.xml", "reg_xml_stream_name");
	xmlDoc *doc;
	long line;
	const char *names[] = { "一", "二", "三" };
	long lines[] = { 4, 9, 11 };
	for (int i = 0; i < 3; i++) {
		int rc = reg_xml_stream_next(s, &doc, &line, &e);
		ok(rc == 1, "batch: dossier %d comes out", i + 1);
		if (rc != 1)
			break;
		is_int(line, lines[i], "batch: dossier %d starts on line %ld", i + 1, lines[i]);
		xmlNode *root = xmlDocGetRootElement(doc);
		char *name = reg_xml_child_text(reg_xml_child(root, NS, "enterprise"), NS, "name");
		is_str(name, names[i], "batch: dossier %d is the right one", i + 1);
		ok(root->ns && root->nsDef && strcmp((const char *)root->nsDef->href, NS) == 0,
		   "batch: dossier %d declares its namespace itself", i + 1);
		is_int(reg_xml_line(root), lines[i], "batch: dossier %d keeps its line in the tree", i + 1);
		free(name);
		xmlFreeDoc(doc);
	}
	ok(reg_xml_stream_is_batch(s), "batch: is_batch");
	ok(reg_xml_stream_next(s, &doc, &line, &e) == 0 && !doc, "batch: then the end");
	ok(reg_xml_stream_next(s, &doc, &line, &e) == 0, "batch: and the end again");
	ok(!e, "batch: no errors");
	reg_xml_stream_free(s);
	fclose(fp);
	reg_err_free(e);

	run r = run_stream_str("<dossier xmlns='urn:regkit:dossier:1'><enterprise/></dossier>\n", "one.xml");
	ok(r.rc == 0 && r.ndocs == 1 && !r.batch && r.lines[0] == 1, "a single dossier: one document, not a batch");
	is_str(r.first,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<dossier xmlns=\"urn:regkit:dossier:1\">\n  <enterprise/>\n</dossier>\n",
	       "a single dossier: as written");
	run_free(&r);

	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'>\n</batch>", "empty.xml");
	ok(r.rc == 0 && r.ndocs == 0 && r.batch && !r.err, "an empty batch: no dossiers, no error");
	run_free(&r);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'/>", "empty2.xml");
	ok(r.rc == 0 && r.ndocs == 0 && r.batch, "an empty-element batch too");
	run_free(&r);

	r = run_stream_str("", "nothing.xml");
	ok(r.rc == -1 && reg_err_code(r.err) == REG_EDATA && err_has(r.err, "nothing.xml: empty input"),
	   "empty input: REG_EDATA, 'empty input'");
	run_free(&r);
	r = run_stream_str(" \n\t\r\n", "blanks.xml");
	ok(r.rc == -1 && reg_err_code(r.err) == REG_EDATA &&
		   err_has(r.err, "blanks.xml: empty input (only white space)"),
	   "only white space: empty input too");
	run_free(&r);
	r = run_stream_str("<?xml version='1.0'?><!-- nothing -->", "prolog.xml");
	ok(r.rc == -1 && err_has(r.err, "prolog.xml:1: not well-formed: no root element"),
	   "a prolog without a root: no root element");
	run_free(&r);
	e = NULL;
	ok(!reg_xml_parse_memory(" \n", 2, "blank-doc.xml", &e) &&
		   err_has(e, "blank-doc.xml: empty input (only white space)"),
	   "a whole document of white space: empty input");
	reg_err_free(e);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'>text<dossier/></batch>", "text.xml");
	ok(r.rc == -1 && r.ndocs == 0 && err_has(r.err, "not text"), "text in a batch: refused");
	run_free(&r);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'><dossier/><dossier><x:y/></dossier></batch>",
			   "ns.xml");
	ok(r.rc == -1 && r.ndocs == 1 && err_has(r.err, "namespace prefix x"),
	   "an unbound prefix inside the second dossier: only the first comes out");
	run_free(&r);
	r = run_stream_str("<dossier xmlns='urn:regkit:dossier:1'/><junk/>", "trail.xml");
	ok(r.rc == -1 && r.ndocs == 1 &&
		   err_has(r.err, "trail.xml:1: a second root element <junk> after the dossier "
			   "(column 40)"),
	   "a second root after a single dossier: the dossier, then where and what");
	run_free(&r);
	r = run_stream_str("<dossier xmlns='urn:regkit:dossier:1'/>\n<!-- fine -->\n"
			   "  junk and more\n", "text.xml");
	ok(r.rc == -1 && r.ndocs == 1 && reg_err_code(r.err) == REG_EDATA &&
		   err_has(r.err, "text.xml:3: text 'junk' after the dossier (column 3)"),
	   "text after a single dossier: the dossier, then where and what");
	run_free(&r);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'><dossier/></batch>\n"
			   "\xe4\xb9\xb1\x01\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1"
			   "\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1"
			   "\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1\xe4\xb9\xb1",
			   "long.xml");
	ok(r.rc == -1 && r.ndocs == 1 &&
		   err_has(r.err, "long.xml:2: text '乱?乱乱乱乱乱乱乱乱乱乱乱乱乱乱' after the batch "
			   "(column 1)"),
	   "text after a batch: 16 characters of it at most, a control character as '?'");
	run_free(&r);
	e = NULL;
	ok(!reg_xml_parse_memory("<a/><b/>", 8, "doc.xml", &e) &&
		   err_has(e, "doc.xml:1: a second root element <b> after the root element <a> (column 5)"),
	   "a whole document says the same");
	reg_err_free(e);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'><dossier xmlns='urn:other'/></batch>",
			   "otherns.xml");
	ok(r.rc == -1 && err_has(r.err, "not <dossier>"), "a dossier in another namespace: refused");
	run_free(&r);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'><dossier><enterprise>", "cut.xml");
	ok(r.rc == -1 && r.ndocs == 0 &&
		   err_has(r.err, "cut.xml:1: not well-formed: premature end of data in tag enterprise"),
	   "a stream cut inside an element: REG_EDATA, premature end");
	run_free(&r);
	r = run_stream_str("<batch xmlns='urn:regkit:dossier:1'><dossier><enterpr", "cut2.xml");
	ok(r.rc == -1 && r.ndocs == 0 && err_has(r.err, "cut2.xml:1: not well-formed: "),
	   "a stream cut inside a start tag: REG_EDATA");
	run_free(&r);

	/* UTF-16 with a byte-order mark is still XML; a declared encoding is honoured. */
	const char u16[] = "\xff\xfe<\0d\0o\0s\0s\0i\0e\0r\0 \0x\0m\0l\0n\0s\0=\0'\0u\0r\0n\0:\0r\0e\0"
			   "g\0k\0i\0t\0:\0d\0o\0s\0s\0i\0e\0r\0:\0001\0'\0/\0>\0";
	FILE *f16 = fmemopen((void *)u16, sizeof u16 - 1, "r");
	r = run_stream(f16, "u16.xml");
	fclose(f16);
	ok(r.rc == 0 && r.ndocs == 1, "UTF-16 with a BOM streams");
	run_free(&r);
	const char u16dt[] = "\xff\xfe<\0!\0D\0O\0C\0T\0Y\0P\0E\0 \0d\0 \0[\0]\0>\0<\0d\0/\0>\0";
	e = NULL;
	doc = reg_xml_parse_memory(u16dt, sizeof u16dt - 1, "u16dt.xml", &e);
	ok(!doc && err_has(e, "document type declarations are not allowed"),
	   "a DOCTYPE in UTF-16 is refused all the same");
	reg_err_free(e);
	f16 = fmemopen((void *)u16dt, sizeof u16dt - 1, "r");
	r = run_stream(f16, "u16dt.xml");
	fclose(f16);
	ok(r.rc == -1 && err_has(r.err, "document type declarations are not allowed"),
	   "a DOCTYPE in UTF-16 is refused by the stream too");
	run_free(&r);
}

static void test_big_lines(void)
{
	/* A batch of more than 70 000 lines: the second dossier starts on line 70004. */
	size_t pad = 70000;
	const char *head = "<?xml version=\"1.0\"?>\n<batch xmlns=\"urn:regkit:dossier:1\">\n"
			   "<dossier><enterprise><name>a</name></enterprise></dossier>";
	const char *tail = "\n<dossier>\n<enterprise>\n<name>b</name>\n<staff>x</staff>\n"
			   "</enterprise>\n</dossier>\n</batch>\n";
	size_t len = strlen(head) + pad + strlen(tail);
	char *buf = malloc(len + 1);
	if (!buf)
		abort();
	strcpy(buf, head);
	memset(buf + strlen(head), '\n', pad);
	strcpy(buf + strlen(head) + pad, tail);
	FILE *fp = fmemopen(buf, len, "r");
	reg_err *e = NULL;
	reg_xml_stream *s = reg_xml_stream_new(fp, "long.xml", &e);
	xmlDoc *doc = NULL;
	long line = 0;
	reg_xml_stream_next(s, &doc, &line, &e);
	is_int(line, 3, "long batch: the first dossier on line 3");
	xmlFreeDoc(doc);
	doc = NULL;
	reg_xml_stream_next(s, &doc, &line, &e);
	is_int(line, 70004, "long batch: the second dossier on line 70004");
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNode *ent = reg_xml_child(root, NS, "enterprise");
	xmlNode *name = reg_xml_child(ent, NS, "name");
	is_int(reg_xml_line(root), 70004, "reg_xml_line beyond 65535 (dossier)");
	is_int(reg_xml_line(name), 70006, "reg_xml_line beyond 65535 (nested element)");
	is_int(reg_xml_line(name ? name->children : NULL), 70006, "reg_xml_line beyond 65535 (text)");

	/* Schema errors carry those lines too. */
	char *xsd = join(schemas, "lines.xsd");
	write_file(xsd,
		   "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
		   "targetNamespace=\"urn:regkit:dossier:1\" elementFormDefault=\"qualified\">"
		   "<xs:element name=\"dossier\"><xs:complexType><xs:sequence>"
		   "<xs:element name=\"enterprise\"><xs:complexType><xs:sequence>"
		   "<xs:element name=\"name\" type=\"xs:string\"/>"
		   "<xs:element name=\"staff\" type=\"xs:nonNegativeInteger\" minOccurs=\"0\"/>"
		   "</xs:sequence></xs:complexType></xs:element>"
		   "</xs:sequence></xs:complexType></xs:element></xs:schema>");
	xmlSchema *schema = reg_xml_schema_load(xsd, &e);
	ok(schema != NULL, "schema for the long batch loads");
	reg_err *ve = NULL;
	ok(doc && schema && reg_xml_validate(schema, doc, "long.xml", &ve) == -1,
	   "the invalid <staff> is found");
	is_int(reg_err_line(ve), 70007, "the schema error is on line 70007");
	is_str(reg_err_field(ve), "/dossier/enterprise/staff", "and names the element path");
	is_int(reg_xml_line(name), 70006, "validation leaves the lines alone");
	reg_err_free(ve);
	xmlSchemaFree(schema);
	free(xsd);
	xmlFreeDoc(doc);
	reg_xml_stream_free(s);
	fclose(fp);

	/* The same text parsed whole. */
	doc = reg_xml_parse_memory(buf, len, "long.xml", &e);
	root = xmlDocGetRootElement(doc);
	xmlNode *second = reg_xml_next_sibling(reg_xml_child(root, NS, "dossier"), NS, "dossier");
	is_int(reg_xml_line(second), 70004, "whole parse: a dossier beyond line 65535");
	is_int(reg_xml_line(reg_xml_child(reg_xml_child(second, NS, "enterprise"), NS, "staff")), 70007,
	       "whole parse: a nested element beyond line 65535");
	xmlFreeDoc(doc);

	/* A parse error beyond line 65535 is reported on its line. */
	strcpy(buf + strlen(head) + pad, "\n<dossier>\n</dossiers>\n</batch>\n");
	doc = reg_xml_parse_memory(buf, strlen(buf), "bad.xml", &e);
	ok(!doc && reg_err_line(e) == 70005, "a parse error on line 70005 says so (got %ld)",
	   reg_err_line(e));
	reg_err_free(e);
	e = NULL;
	run r = run_stream_str(buf, "bad.xml");
	ok(r.ndocs == 1 && reg_err_line(r.err) == 70005, "so does the stream (got %ld)",
	   reg_err_line(r.err));
	run_free(&r);
	ok(!e, "no unexpected errors");
	reg_err_free(e);
	free(buf);
}

static void test_writer(void)
{
	const char *d1 = "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\"><enterprise>"
			 "<name>A</name></enterprise></dossier>";
	const char *d2 = "<d:dossier xmlns:d=\"urn:regkit:dossier:1\"><d:enterprise><d:name>B</d:name>"
			 "</d:enterprise></d:dossier>";
	reg_err *e = NULL;
	xmlDoc *a = parse(d1, &e), *b = parse(d2, &e);

	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	reg_xml_out *o = reg_xml_out_new(fp, true);
	ok(reg_xml_out_write(o, a, &e) == 0 && reg_xml_out_write(o, b, &e) == 0 &&
		   reg_xml_out_finish(o, &e) == 0,
	   "batch writer: two dossiers");
	reg_xml_out_free(o);
	fclose(fp);
	const char *want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<batch xmlns=\"urn:regkit:dossier:1\">\n"
			   "  <dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">\n"
			   "    <enterprise>\n"
			   "      <name>A</name>\n"
			   "    </enterprise>\n"
			   "  </dossier>\n"
			   "  <d:dossier xmlns:d=\"urn:regkit:dossier:1\">\n"
			   "    <d:enterprise>\n"
			   "      <d:name>B</d:name>\n"
			   "    </d:enterprise>\n"
			   "  </d:dossier>\n"
			   "</batch>\n";
	is_str(buf, want, "batch shape: one declaration, dossiers indented inside <batch>");

	/* reg-approve's workers serialize, its main thread writes: the same bytes. */
	char *dumped = NULL, *da = NULL, *db = NULL;
	size_t dumped_len = 0, la = 0, lb = 0;
	fp = open_memstream(&dumped, &dumped_len);
	o = reg_xml_out_new(fp, true);
	ok(reg_xml_dump(a, true, &da, &la, &e) == 0 && reg_xml_dump(b, true, &db, &lb, &e) == 0 &&
		   reg_xml_out_write_dump(o, true, da, la, &e) == 0 &&
		   reg_xml_out_write_dump(o, true, db, lb, &e) == 0 && reg_xml_out_finish(o, &e) == 0,
	   "dumped then written: two dossiers");
	reg_xml_out_free(o);
	fclose(fp);
	is_str(dumped, want, "dump + write_dump is byte-identical to reg_xml_out_write");
	ok(da && strlen(da) == la, "a dump is NUL-terminated and its length is right");
	reg_err *e_mode = NULL;
	free(dumped);
	fp = open_memstream(&dumped, &dumped_len);
	o = reg_xml_out_new(fp, false);
	ok(reg_xml_out_write_dump(o, true, da, la, &e_mode) == -1 &&
		   reg_err_code(e_mode) == REG_EINTERNAL,
	   "a batch dump into single-document output is REG_EINTERNAL");
	reg_err_free(e_mode);
	reg_xml_out_free(o);
	fclose(fp);
	is_str(dumped, "", "and writes nothing");
	free(dumped);
	free(da);
	free(db);

	/* Round trip through the stream reader and the writer again. */
	char *again = NULL;
	size_t again_len = 0;
	FILE *in = fmemopen(buf, len, "r");
	FILE *out = open_memstream(&again, &again_len);
	reg_xml_stream *s = reg_xml_stream_new(in, "rt.xml", &e);
	o = reg_xml_out_new(out, reg_xml_stream_is_batch(s));
	xmlDoc *doc;
	long line;
	int n = 0;
	while (reg_xml_stream_next(s, &doc, &line, &e) == 1) {
		if (n++ == 0)
			ok(reg_xml_stream_is_batch(s), "round trip: the output reads back as a batch");
		reg_xml_out_free(o);
		o = NULL;
		break;
	}
	xmlFreeDoc(doc);
	reg_xml_stream_free(s);
	fclose(in);
	fclose(out);
	free(again);
	again = NULL;
	in = fmemopen(buf, len, "r");
	out = open_memstream(&again, &again_len);
	s = reg_xml_stream_new(in, "rt.xml", &e);
	o = reg_xml_out_new(out, true);
	while (reg_xml_stream_next(s, &doc, &line, &e) == 1) {
		reg_xml_out_write(o, doc, &e);
		xmlFreeDoc(doc);
	}
	reg_xml_out_finish(o, &e);
	reg_xml_out_free(o);
	reg_xml_stream_free(s);
	fclose(in);
	fclose(out);
	is_str(again, buf, "round trip: batch read and written again is byte-identical");
	free(again);
	free(buf);

	/* Single-document output. */
	buf = NULL;
	fp = open_memstream(&buf, &len);
	o = reg_xml_out_new(fp, false);
	ok(reg_xml_out_write(o, a, &e) == 0, "single output: the first document");
	reg_err *e2 = NULL;
	ok(reg_xml_out_write(o, b, &e2) == -1 && reg_err_code(e2) == REG_EINTERNAL,
	   "single output: a second document is REG_EINTERNAL");
	reg_err_free(e2);
	reg_xml_out_finish(o, &e);
	reg_xml_out_free(o);
	fclose(fp);
	char *ser_a = ser(a);
	is_str(buf, ser_a, "reg_xml_serialize gives the bytes of single-document output");
	is_str(ser_a,
	       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<dossier xmlns=\"urn:regkit:dossier:1\" state=\"accepted\">\n"
	       "  <enterprise>\n    <name>A</name>\n  </enterprise>\n</dossier>\n",
	       "single output shape");
	xmlDoc *re = ser_a ? parse(ser_a, &e) : NULL;
	char *ser_re = re ? ser(re) : NULL;
	is_str(ser_re, ser_a, "parse(serialize(doc)) serializes identically");
	free(ser_re);
	xmlFreeDoc(re);
	free(ser_a);
	free(buf);

	/* Empty outputs. */
	buf = NULL;
	fp = open_memstream(&buf, &len);
	o = reg_xml_out_new(fp, true);
	reg_xml_out_finish(o, &e);
	reg_xml_out_free(o);
	fclose(fp);
	is_str(buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<batch xmlns=\"urn:regkit:dossier:1\"/>\n",
	       "an empty batch");
	free(buf);
	run r = run_stream_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<batch xmlns=\"urn:regkit:dossier:1\"/>\n",
			       "empty.xml");
	ok(r.rc == 0 && r.ndocs == 0 && r.batch, "an empty batch reads back as one");
	run_free(&r);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	o = reg_xml_out_new(fp, false);
	reg_xml_out_finish(o, &e);
	reg_xml_out_free(o);
	fclose(fp);
	is_str(buf, "", "single output with no document writes nothing");
	free(buf);
	reg_xml_out_free(NULL);

	/* Write errors are reported. */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		o = reg_xml_out_new(full, true);
		reg_err *we = NULL;
		int rc = reg_xml_out_write(o, a, &we);
		if (rc == 0)
			rc = reg_xml_out_finish(o, &we);
		ok(rc == -1 && reg_err_code(we) == REG_EIO, "a full disk is REG_EIO");
		reg_err_free(we);
		reg_xml_out_free(o);
		fclose(full);
	}
	xmlFreeDoc(a);
	xmlFreeDoc(b);
	ok(!e, "writer: no unexpected errors");
	reg_err_print(e, "#", stdout);
	reg_err_free(e);
}

static void test_schema(void)
{
	char *types = join(schemas, "types.xsd");
	char *main_xsd = join(schemas, "tiny.xsd");
	write_file(types,
		   "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
		   "targetNamespace=\"urn:regkit:dossier:1\">\n"
		   "  <xs:simpleType name=\"count\"><xs:restriction base=\"xs:nonNegativeInteger\"/>"
		   "</xs:simpleType>\n</xs:schema>\n");
	write_file(main_xsd,
		   "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
		   "xmlns=\"urn:regkit:dossier:1\" targetNamespace=\"urn:regkit:dossier:1\" "
		   "elementFormDefault=\"qualified\">\n"
		   "  <xs:include schemaLocation=\"types.xsd\"/>\n"
		   "  <xs:element name=\"dossier\"><xs:complexType><xs:sequence>\n"
		   "    <xs:element name=\"name\" type=\"xs:string\"/>\n"
		   "    <xs:element name=\"staff\" type=\"count\"/>\n"
		   "  </xs:sequence><xs:attribute name=\"state\" type=\"xs:string\"/>"
		   "</xs:complexType></xs:element>\n</xs:schema>\n");
	reg_err *e = NULL;
	xmlSchema *schema = reg_xml_schema_load(main_xsd, &e);
	ok(schema && !e, "a schema with an include inside the schema directory loads");
	reg_err_print(e, "#", stdout);

	xmlDoc *good = parse("<dossier xmlns=\"urn:regkit:dossier:1\">\n  <name>x</name>\n"
			     "  <staff>3</staff>\n</dossier>\n", &e);
	ok(schema && reg_xml_validate(schema, good, "good.xml", &e) == 0 && !e, "a valid document validates");
	xmlDoc *bad = parse("<dossier xmlns=\"urn:regkit:dossier:1\">\n  <name>x</name>\n"
			    "  <staff>-3</staff>\n  <extra/>\n</dossier>\n", &e);
	reg_err *ve = NULL;
	ok(schema && reg_xml_validate(schema, bad, "bad.xml", &ve) == -1, "an invalid document does not");
	is_int(reg_err_code(ve), REG_ENO, "schema problems are REG_ENO (the answer is no)");
	is_str(reg_err_file(ve), "bad.xml", "the problem names the document");
	is_int(reg_err_line(ve), 3, "the problem has the element's line");
	is_str(reg_err_field(ve), "/dossier/staff", "the problem has the element's path");
	ok(!contains(reg_err_message(ve), "{urn:"), "messages drop {namespace} noise: %s",
	   reg_err_message(ve));
	const reg_err *second = reg_err_next(ve);
	ok(second && reg_err_line(second) == 4 && reg_err_field(second) &&
		   strcmp(reg_err_field(second), "/dossier/extra") == 0,
	   "every problem is reported (the unexpected <extra> on line 4)");
	reg_err_free(ve);
	char *hint = NULL;
	if (asprintf(&hint, "<dossier xmlns=\"urn:regkit:dossier:1\" "
			    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
			    "xsi:schemaLocation=\"urn:regkit:dossier:1 %s\">"
			    "<name>x</name><staff>1</staff></dossier>", secret) < 0)
		abort();
	xmlDoc *hinted = parse(hint, &e);
	ve = NULL;
	ok(schema && reg_xml_validate(schema, hinted, "hint.xml", &ve) == 0 && !leaks(ve),
	   "an instance's xsi:schemaLocation is ignored (our schema decides, nothing is read)");
	reg_err_free(ve);
	xmlFreeDoc(hinted);
	free(hint);
	xmlFreeDoc(good);
	xmlFreeDoc(bad);
	xmlSchemaFree(schema);

	/* Broken and out-of-bounds schemas are configuration errors. */
	char *broken = join(schemas, "broken.xsd");
	write_file(broken, "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
			   "<xs:element name=\"a\" type=\"nosuch\"/>\n</xs:schema>\n");
	reg_err *le = NULL;
	ok(!reg_xml_schema_load(broken, &le) && reg_err_code(le) == REG_ECONFIG && reg_err_line(le) == 2,
	   "a broken schema: REG_ECONFIG with its line");
	reg_err_free(le);
	le = NULL;

	char *outside = join(tmp, "outside.xsd");
	write_file(outside, "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>\n");
	ok(!reg_xml_schema_load(outside, &le) && reg_err_code(le) == REG_ECONFIG &&
		   err_has(le, "outside the schema directory"),
	   "a schema outside the schema directory is refused");
	reg_err_free(le);
	le = NULL;

	char *escape = join(schemas, "escape.xsd");
	write_file(escape, "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
			   "  <xs:include schemaLocation=\"../outside.xsd\"/>\n</xs:schema>\n");
	ok(!reg_xml_schema_load(escape, &le) && reg_err_code(le) == REG_ECONFIG,
	   "an include that leaves the schema directory fails the load");
	reg_err_free(le);
	le = NULL;

	char *link = join(schemas, "link.xsd");
	symlink(outside, link);
	char *vialink = join(schemas, "vialink.xsd");
	write_file(vialink, "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
			    "  <xs:include schemaLocation=\"link.xsd\"/>\n</xs:schema>\n");
	ok(!reg_xml_schema_load(vialink, &le) && reg_err_code(le) == REG_ECONFIG,
	   "an include through a symbolic link out of the directory fails too");
	reg_err_free(le);

	/* The loader itself. */
	xmlParserInputPtr inp = xmlLoadExternalEntity(secret, NULL, NULL);
	ok(inp == NULL, "the entity loader refuses a file outside the schema directory");
	if (inp)
		xmlFreeInputStream(inp);
	char *url = NULL;
	if (asprintf(&url, "file://%s", secret) < 0)
		abort();
	inp = xmlLoadExternalEntity(url, NULL, NULL);
	ok(inp == NULL, "and the same as a file: URL");
	free(url);
	if (asprintf(&url, "%s/../secret.txt", schemas) < 0)
		abort();
	inp = xmlLoadExternalEntity(url, NULL, NULL);
	ok(inp == NULL, "and the same through ..");
	free(url);
	inp = xmlLoadExternalEntity("http://127.0.0.1:9/x.xsd", NULL, NULL);
	ok(inp == NULL, "the entity loader refuses the network");
	inp = xmlLoadExternalEntity(types, NULL, NULL);
	ok(inp != NULL, "the entity loader opens a file inside the schema directory");
	if (inp)
		xmlFreeInputStream(inp);
	if (asprintf(&url, "file://%s", types) < 0)
		abort();
	inp = xmlLoadExternalEntity(url, NULL, NULL);
	ok(inp != NULL, "and as a file: URL");
	if (inp)
		xmlFreeInputStream(inp);
	free(url);

	free(types);
	free(main_xsd);
	free(broken);
	free(outside);
	free(escape);
	free(link);
	free(vialink);
	reg_err_free(e);
}

static void test_misc(void)
{
	reg_err *e = NULL;
	ok(!reg_xml_parse_file("/nonexistent/x.xml", &e) && reg_err_code(e) == REG_ENOINPUT &&
		   err_has(e, "/nonexistent/x.xml: cannot open"),
	   "a missing file is REG_ENOINPUT");
	reg_err_free(e);
	e = NULL;
	ok(!reg_xml_parse_memory("", 0, "empty", &e) && reg_err_code(e) == REG_EDATA,
	   "an empty document is REG_EDATA");
	reg_err_free(e);
	e = NULL;
	xmlDoc *lead = reg_xml_parse_memory("  <a/>", 6, "lead", &e);
	ok(lead && !e, "blanks before the root (no declaration) are fine");
	xmlFreeDoc(lead);
	reg_err_free(e);
	e = NULL;
	ok(!parse("<a>&#0;</a>", &e) && reg_err_code(e) == REG_EDATA, "a character reference to NUL");
	reg_err_free(e);
	e = NULL;
	ok(!parse("<a>&undefined;</a>", &e) && err_has(e, "entity 'undefined' not defined"),
	   "an undefined entity: libxml2's message, lower case, no full stop");
	reg_err_free(e);
	e = NULL;
	ok(!parse("<a><b></a>", &e) && reg_err_line(e) == 1 && err_has(e, "doc.xml:1: not well-formed: "),
	   "a tag mismatch: file, line, not well-formed");
	reg_err_free(e);
	e = NULL;
	ok(!parse("<a xmlns:x='urn:x'><x:b/><y:c/></a>", &e) && reg_err_code(e) == REG_EDATA,
	   "an unbound prefix is an error, not a warning");
	reg_err_free(e);
	e = NULL;
	xmlDoc *doc = parse("<a>&lt;&amp;&gt;&apos;&quot;&#x4E4C;</a>", &e);
	char *t = doc ? reg_xml_text(xmlDocGetRootElement(doc)) : NULL;
	is_str(t, "<&>'\"乌", "predefined entities and character references still work");
	free(t);
	xmlFreeDoc(doc);
	doc = parse("<a xmlns='relative/uri'><b/></a>", &e);
	unsigned char dg[32];
	reg_err *ce = NULL;
	ok(doc && reg_xml_c14n_sha256(doc, NULL, dg, &ce) == -1 && reg_err_code(ce) == REG_EDATA,
	   "a relative namespace URI cannot be canonicalized: REG_EDATA, not a crash");
	reg_err_free(ce);
	xmlFreeDoc(doc);
	unsigned char bytes[] = { 0x00, 0x0f, 0xa5, 0xff };
	char hex[9];
	reg_hex(bytes, 4, hex);
	is_str(hex, "000fa5ff", "reg_hex is lower case");
	ok(!e, "misc: no unexpected errors");
	reg_err_free(e);
}

int main(void)
{
	const char *src = getenv("REG_SOURCE_DIR");
	snprintf(corpus, sizeof corpus, "%s/tests/hostile/xml", src ? src : ".");
	strcpy(tmp, "/tmp/regkit-test-xml.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	snprintf(schemas, sizeof schemas, "%s/schemas", tmp);
	snprintf(secret, sizeof secret, "%s/secret.txt", tmp);
	mkdir(schemas, 0755);
	write_file(secret, MARKER "\n");
	reg_xml_init(schemas);

	/* libxml2 must never print: stderr goes to a file for the whole run and must stay empty. */
	char *errlog = join(tmp, "stderr.log");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);

	test_good_document();
	test_whitespace_and_digest();
	test_c14n();
	test_hostile_corpus();
	test_secret_file();
	test_deep_nesting();
	test_huge_inputs();
	test_quadratic_shapes();
	test_large_document();
	test_streams();
	test_big_lines();
	test_writer();
	test_schema();
	test_misc();

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat sb;
	ok(stat(errlog, &sb) == 0 && sb.st_size == 0, "nothing was printed on stderr");
	if (sb.st_size > 0) {
		char cmd[600];
		snprintf(cmd, sizeof cmd, "head -c 2000 '%s' | sed 's/^/# /'", errlog);
		if (system(cmd) != 0)
			diag("cannot show %s", errlog);
	}
	free(errlog);

	reg_xml_cleanup();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmp);
	return tap_done();
}
