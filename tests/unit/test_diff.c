/* diff: an auditor reads reg-diff's lines as the whole truth about two issuances — every change
 * of a value named once with its path, formatting never, the order fixed, and every line one
 * line whatever the values hold. */
#include "diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regkit-config.h"
#include "tap.h"
#include "xml.h"

static xmlDoc *X(const char *s)
{
	reg_err *err = NULL;
	xmlDoc *d = reg_xml_parse_memory(s, strlen(s), "t", &err);
	if (!d) {
		reg_err_print(err, "parse", stdout);
		reg_err_free(err);
	}
	return d;
}

/* The lines reg_diff_tree writes for two documents (entry "E"); *n the count. */
static char *tree(const char *a, const char *b, unsigned flags, size_t *n)
{
	xmlDoc *da = X(a), *db = X(b);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	reg_err *err = NULL;
	*n = 99;
	if (da && db &&
	    reg_diff_tree("E", xmlDocGetRootElement(da), xmlDocGetRootElement(db), flags, fp, n,
			  &err) < 0) {
		reg_err_print(err, "diff", stdout);
		reg_err_free(err);
	}
	fclose(fp);
	xmlFreeDoc(da);
	xmlFreeDoc(db);
	return buf;
}

static void case_tree(const char *a, const char *b, const char *want, size_t want_n,
		      const char *what)
{
	size_t n = 0;
	char *got = tree(a, b, 0, &n);
	is_str(got, want, "%s", what);
	is_int(n, want_n, "%s: %zu difference(s) counted", what, want_n);
	free(got);
}

static void test_trees(void)
{
	case_tree("<a x=\"1\" y=\"2\">\n  <b>t</b>\n  <c/>\n</a>\n",
		  "<a y='2' x='1'><b>t</b><c></c></a>", "", 0,
		  "indentation, attribute order, quotes and empty-element form never count");
	case_tree("<p:a xmlns:p=\"urn:x\" xmlns:q=\"urn:unused\"><p:b p:k=\"v\">t</p:b></p:a>",
		  "<a xmlns=\"urn:x\"><b xmlns:r=\"urn:x\" r:k=\"v\">t</b></a>", "", 0,
		  "namespace prefixes and unused declarations never count");
	case_tree("<a xmlns=\"urn:x\"/>", "<a xmlns=\"urn:y\"/>", "~ E -/a\n~ E +/a\n", 2,
		  "the namespace itself does count");
	case_tree("<license><uscc>U</uscc><capital>1000000</capital></license>",
		  "<license><uscc>U</uscc><capital>2000000</capital></license>",
		  "~ E /license/capital: 1000000 \xe2\x86\x92 2000000\n", 1,
		  "a changed value: path, old, arrow, new");
	case_tree("<a k=\"1\" gone=\"g\" same=\"s\"><b>x</b></a>",
		  "<a same=\"s\" k=\"2\" new=\"n\"><b>y</b></a>",
		  "~ E -/a/@gone: g\n~ E /a/@k: 1 \xe2\x86\x92 2\n~ E +/a/@new: n\n"
		  "~ E /a/b: x \xe2\x86\x92 y\n",
		  4, "attributes as a set, in name order, before the children");
	case_tree("<a>t<b/></a>", "<a>u<b/></a>", "~ E /a: t \xe2\x86\x92 u\n", 1,
		  "an element's own text beside its children");
	case_tree("<a/>", "<a>x</a>", "~ E /a: \"\" \xe2\x86\x92 x\n", 1,
		  "an empty value is written \"\"");
	case_tree("<a>x </a>", "<a>x</a>", "~ E /a: x  \xe2\x86\x92 x\n", 1,
		  "whitespace inside a value is content");
	case_tree("<r><items><item>1</item><item>2</item><item>3</item></items></r>",
		  "<r><items><item>1</item><item>two</item><item>3</item><item>4</item></items></r>",
		  "~ E /r/items/item[2]: 2 \xe2\x86\x92 two\n~ E +/r/items/item[4]: 4\n", 2,
		  "same-name siblings pair by position, 1-based index");
	case_tree("<r><item>1</item></r>", "<r><item>1</item><item>2</item></r>",
		  "~ E +/r/item[2]: 2\n", 1,
		  "an index as soon as either side has two of a name");
	case_tree("<r><x>1</x></r>", "<r><x>1</x><y><z>deep</z></y></r>", "~ E +/r/y\n", 1,
		  "an added element holding elements: its path only, not its insides");
	case_tree("<r><a/><b/></r>", "<r><b/><a/></r>", "", 0,
		  "the order of differently named siblings is not compared");
	case_tree("<r><b>1</b><a>1</a></r>", "<r><a>2</a><c/><b>2</b></r>",
		  "~ E /r/b: 1 \xe2\x86\x92 2\n~ E /r/a: 1 \xe2\x86\x92 2\n~ E +/r/c\n", 3,
		  "names in order of first appearance in A, then B's new ones");
	case_tree("<a/>", "<b>t</b>", "~ E -/a\n~ E +/b: t\n", 2, "different roots");
	case_tree("<svg xmlns=\"http://www.w3.org/2000/svg\" "
		  "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><use xlink:href=\"#a\"/></svg>",
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		  "xmlns:xlink=\"http://www.w3.org/1999/xlink\"><use xlink:href=\"#b\"/></svg>",
		  "~ E /svg/use/@xlink:href: #a \xe2\x86\x92 #b\n", 1,
		  "a namespaced attribute keeps its prefix in the path");
	case_tree("<a>p</a>", "<a>a\\b&#9;c&#10;d&#13;e&#127;f&#133;g→</a>",
		  "~ E /a: p \xe2\x86\x92 a\\\\b\\tc\\nd\\re\\x7ff\\xc2\\x85g→\n", 1,
		  "backslash and control characters escaped, UTF-8 as is: one line");

	/* A long value is cut at REG_DIFF_VALUE_MAX on a character boundary. */
	char a[4096] = "<a>", b[64] = "<a>x</a>", want[1024] = "~ E /a: ";
	for (int i = 0; i < 600; i++)
		strcat(a, "字");
	strcat(a, "</a>");
	for (int i = 0; i < REG_DIFF_VALUE_MAX / 3; i++)
		strcat(want, "字");
	strcat(want, "... \xe2\x86\x92 x\n");
	case_tree(a, b, want, 1, "a long value is cut on a character boundary, marked ...");

	size_t n = 0;
	char *got = tree("<a k=\"1\"><b>x</b></a>", "<a k=\"2\"><b>y</b></a>", REG_DIFF_BRIEF, &n);
	is_str(got, "~ E\n", "brief: the entry once");
	is_int(n, 1, "brief counts entries");
	free(got);
	got = tree("<a k=\"1\"> <b>x</b></a>", "<a  k='1'><b>x</b>\n</a>", REG_DIFF_BRIEF, &n);
	is_str(got, "", "brief: formatting alone is still no difference");
	free(got);
}

/* Fan-out: pairing is n log n, so a wide document cannot make reg-diff hang. */
static void test_wide(void)
{
	enum { N = 30000 };
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);
	fputs("<r>", fa);
	fputs("<r>", fb);
	for (int i = 0; i < N; i++) {
		fprintf(fa, "<e%d>%d</e%d>", i, i, i);
		fprintf(fb, "<e%d>%d</e%d>", N - 1 - i, i == 0 ? -1 : N - 1 - i, N - 1 - i);
	}
	fputs("</r>", fa);
	fputs("</r>", fb);
	fclose(fa);
	fclose(fb);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t n = 0;
	char *got = tree(a, b, 0, &n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	char want[64];
	snprintf(want, sizeof want, "~ E /r/e%d: %d \xe2\x86\x92 -1\n", N - 1, N - 1);
	is_str(got, want, "%d distinct siblings in reverse order: only the one change", N);
	ok(secs < 20.0, "and quickly (%.2f s)", secs);
	free(got);
	free(a);
	free(b);
}

/* ---- archives ----------------------------------------------------------------------------- */

static reg_archive_entries *archive(const char *const *files, const reg_sign_key *key)
{
	reg_err *err = NULL;
	reg_archive_writer *w = reg_archive_writer_new("91150302MA0000015Y", 1795395600, &err);
	for (size_t i = 0; w && files[i]; i += 2)
		reg_archive_add_file(w, files[i], files[i + 1], strlen(files[i + 1]), &err);
	unsigned char *buf = NULL;
	size_t len = 0;
	reg_archive_entries *e = NULL;
	if (w && key)
		reg_archive_add_signed_manifest(w, key, &err);
	if (w && !err && reg_archive_write_mem(w, &buf, &len, &err) == 0)
		reg_archive_load_mem(buf, len, "mem", &e, &err);
	if (err) {
		reg_err_print(err, "archive", stdout);
		reg_err_free(err);
	}
	free(buf);
	reg_archive_writer_free(w);
	return e;
}

static char *archives(const reg_archive_entries *a, const reg_archive_entries *b,
		      unsigned flags, size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	reg_err *err = NULL;
	if (reg_diff_archives(a, b, flags, fp, n, &err) < 0) {
		reg_err_print(err, "diff", stdout);
		reg_err_free(err);
	}
	fclose(fp);
	return buf;
}

static void test_archives(const reg_sign_key *key)
{
	static const char *const fa[] = {
		"license.xml", "<license>\n  <capital>1</capital>\n  <name>N</name>\n</license>\n",
		"dossier.xml", "<dossier><x></dossier>",
		"notes.txt", "a",
		"seals/01-official.svg", "<svg><text>N</text></svg>",
		"registrations/10-recycling.xml", "<registration/>",
		"same.bin", "\x01\x02",
		NULL,
	};
	static const char *const fb[] = {
		"license.xml", "<license><name>N</name><capital>2</capital></license>",
		"dossier.xml", "<dossier><y></dossier>",
		"notes.txt", "b",
		"seals/01-official.svg", "<svg>\n<text>N</text>\n</svg>\n",
		"same.bin", "\x01\x02",
		"zz.xml", "<z/>",
		NULL,
	};
	reg_archive_entries *a = archive(fa, key), *b = archive(fb, key);
	if (!ok(a && b, "two archives"))
		goto out;
	size_t n = 0;
	char *got = archives(a, b, 0, &n);
	is_str(got,
	       "~ MANIFEST\n~ MANIFEST.sig\n"
	       "~ dossier.xml\n"
	       "~ license.xml /license/capital: 1 \xe2\x86\x92 2\n"
	       "~ notes.txt\n"
	       "- registrations/10-recycling.xml\n"
	       "+ zz.xml\n",
	       "entries in archive order: MANIFEST and non-XML by digest, XML by tree, a "
	       "malformed XML entry by digest, formatting-only entries silent");
	is_int(n, 7, "seven differences");
	free(got);
	got = archives(a, b, REG_DIFF_BRIEF, &n);
	is_str(got,
	       "~ MANIFEST\n~ MANIFEST.sig\n~ dossier.xml\n~ license.xml\n~ notes.txt\n"
	       "- registrations/10-recycling.xml\n+ zz.xml\n",
	       "brief: entry names only");
	free(got);
	got = archives(a, a, 0, &n);
	is_str(got, "", "an archive and itself: nothing");
	is_int(n, 0, "no difference");
	free(got);

	/* A failed write is REG_EIO, not a silent short diff. */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		reg_err *err = NULL;
		is_int(reg_diff_archives(a, b, 0, full, &n, &err), -1, "writing to a full disk fails");
		is_int(reg_err_code(err), REG_EIO, "as REG_EIO");
		reg_err_free(err);
		fclose(full);
	}
out:
	reg_archive_entries_free(a);
	reg_archive_entries_free(b);
}

/* ---- dossier files ------------------------------------------------------------------------ */

#define NS "xmlns=\"urn:regkit:dossier:1\""
#define D(number, capital)                                                                  \
	"<dossier " NS "><enterprise><capital>" capital "</capital></enterprise>"            \
	"<acceptance number=\"" number "\"/></dossier>"

static char *dossiers(const char *a, const char *b, size_t *n, reg_err **err)
{
	xmlDoc *da = X(a), *db = X(b);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (da && db)
		reg_diff_dossiers(da, "A", db, "B", 0, fp, n, err);
	fclose(fp);
	xmlFreeDoc(da);
	xmlFreeDoc(db);
	return buf;
}

static void test_dossiers(void)
{
	size_t n = 0;
	reg_err *err = NULL;
	char *got = dossiers(D("N1", "1"), D("N2", "2"), &n, &err);
	is_str(got, "~ dossier.xml /dossier/enterprise/capital: 1 \xe2\x86\x92 2\n"
		    "~ dossier.xml /dossier/acceptance/@number: N1 \xe2\x86\x92 N2\n",
	       "two single dossiers: one entry, dossier.xml, as inside an archive");
	free(got);

	got = dossiers("<batch " NS ">" D("N3", "3") D("N1", "1") D("N2", "2") "</batch>",
		       "<batch " NS ">" D("N2", "2") D("N1", "9") D("N4", "4") "</batch>", &n, &err);
	is_str(got, "~ N1 /dossier/enterprise/capital: 1 \xe2\x86\x92 9\n- N3\n+ N4\n",
	       "batches: dossiers by acceptance number, in number order");
	is_int(n, 3, "three differences");
	free(got);
	got = dossiers(D("N1", "1"), "<batch " NS ">" D("N1", "1") D("N2", "2") "</batch>", &n,
		       &err);
	is_str(got, "+ N2\n", "a single dossier against a batch: a batch of one");
	free(got);
	ok(err == NULL, "no error so far");

	got = dossiers("<batch " NS "><dossier/></batch>", D("N1", "1"), &n, &err);
	ok(reg_err_code(err) == REG_EDATA && strstr(reg_err_message(err), "acceptance number") &&
	   strcmp(reg_err_file(err), "A") == 0, "a batch dossier without a number: %s",
	   reg_err_message(err));
	free(got);
	reg_err_clear(&err);
	got = dossiers(D("N1", "1"), "<batch " NS ">" D("N1", "1") "\n" D("N1", "2") "</batch>",
		       &n, &err);
	ok(reg_err_code(err) == REG_EDATA && reg_err_line(err) == 2 &&
	   strstr(reg_err_message(err), "'N1' appears twice"), "a number twice: %s",
	   reg_err_message(err));
	free(got);
	reg_err_clear(&err);
	got = dossiers("<batch " NS "><other/></batch>", D("N1", "1"), &n, &err);
	ok(reg_err_code(err) == REG_EDATA && strstr(reg_err_message(err), "<other> in a batch"),
	   "a batch holding something else: %s", reg_err_message(err));
	free(got);
	reg_err_clear(&err);
	got = dossiers(D("N1", "1"), "<catalog xmlns=\"urn:regkit:catalog:1\"/>", &n, &err);
	ok(reg_err_code(err) == REG_EDATA && strcmp(reg_err_file(err), "B") == 0 &&
	   strstr(reg_err_message(err), "not a dossier file"), "not a dossier file: %s",
	   reg_err_message(err));
	free(got);
	reg_err_clear(&err);
}

int main(void)
{
	const char *src = getenv("REG_SOURCE_DIR") ? getenv("REG_SOURCE_DIR") : REG_SOURCE_DATADIR;
	char schemas[4200], keypath[4200];
	snprintf(schemas, sizeof schemas, "%s/schemas", src);
	snprintf(keypath, sizeof keypath, "%s/fixtures/authority/authority.key", src);
	reg_xml_init(schemas);
	reg_err *err = NULL;
	reg_sign_key *key = reg_sign_key_load_private(keypath, &err);
	ok(key != NULL, "the fixture key loads");
	test_trees();
	test_wide();
	if (key)
		test_archives(key);
	test_dossiers();
	reg_err_free(err);
	reg_sign_key_free(key);
	reg_xml_cleanup();
	return tap_done();
}
