/* csv: the clerks' CSV batches — syntax, lines, encodings, caps, errors — and the rejects writer. */
#include "csv.h"
#include "tap.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#define NAME_UTF8 "乌海市恒泰商贸有限公司"
/* The same name in GBK, two bytes a character (乌 = CE DA, 海 = BA A3, …); checked against glibc
 * iconv below rather than trusted. */
static const char name_gbk[] = "\xCE\xDA\xBA\xA3\xCA\xD0\xBA\xE3\xCC\xA9\xC9\xCC\xC3\xB3\xD3\xD0"
			       "\xCF\xDE\xB9\xAB\xCB\xBE";

/* ---- helpers --------------------------------------------------------------------------- */

static FILE *from_bytes(const char *data, size_t n)
{
	FILE *fp = tmpfile();
	if (!fp || fwrite(data, 1, n, fp) != n || fseek(fp, 0, SEEK_SET) != 0) {
		perror("tmpfile");
		exit(1);
	}
	return fp;
}

struct result {
	char *dump;          /* records and errors, see parse() */
	char *msg;           /* message of the last error */
	reg_code code;       /* its code */
	long records;
};

/* Read a whole input and describe it as one string:
 *   `LINE[f1|f2]`                    a record starting on LINE
 *   `LINE![f1|f2]{ELINE:FIELD}`      a row error (the reader goes on)
 *   `X{ELINE:FIELD}`                 a fatal error (the reader stops)
 * items separated by one space. */
static struct result parse_fp(FILE *fp, reg_csv_encoding enc, bool header)
{
	struct result res = {0};
	size_t size = 0;
	FILE *out = open_memstream(&res.dump, &size);
	reg_err *err = NULL;
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", enc, &err);
	if (!r) {
		fprintf(out, "NEW{%s}", reg_err_message(err));
		goto out;
	}
	for (bool first = true;; first = false) {
		reg_err_clear(&err);
		int rc = reg_csv_next(r, &err);
		if (rc == 0)
			break;
		if (!first)
			fputc(' ', out);
		if (rc < 0 && reg_csv_fatal(r)) {
			fprintf(out, "X{%ld:%s}", reg_err_line(err),
				reg_err_field(err) ? reg_err_field(err) : "-");
			break;
		}
		res.records++;
		fprintf(out, "%ld%s[", reg_csv_line(r), rc < 0 ? "!" : "");
		for (size_t i = 0; i < reg_csv_count(r); i++)
			fprintf(out, "%s%s", i ? "|" : "", reg_csv_field(r, i));
		fputc(']', out);
		if (rc < 0)
			fprintf(out, "{%ld:%s}", reg_err_line(err),
				reg_err_field(err) ? reg_err_field(err) : "-");
		if (header && first && rc == 1)
			reg_csv_use_header(r, NULL);
		if (rc < 0) {
			free(res.msg);
			res.msg = strdup(reg_err_message(err));
			res.code = reg_err_code(err);
		}
	}
	if (err) {
		free(res.msg);
		res.msg = strdup(reg_err_message(err));
		res.code = reg_err_code(err);
	}
out:
	reg_err_free(err);
	reg_csv_reader_free(r);
	fclose(out);
	return res;
}

static struct result parse_n(const char *data, size_t n, reg_csv_encoding enc)
{
	FILE *fp = from_bytes(data, n);
	struct result res = parse_fp(fp, enc, false);
	fclose(fp);
	return res;
}

static void result_free(struct result *res)
{
	free(res->dump);
	free(res->msg);
}

/* Parse `data` and compare the description; when `msg` is given, the last error's message must
 * contain it. */
static void check_n(const char *data, size_t n, reg_csv_encoding enc, const char *want,
		    const char *msg, const char *what)
{
	struct result res = parse_n(data, n, enc);
	bool good = strcmp(res.dump, want) == 0;
	if (msg)
		good = good && res.msg && strstr(res.msg, msg);
	ok(good, "%s", what);
	if (!good) {
		printf("#   got  '%s'\n#   want '%s'\n", res.dump, want);
		if (msg)
			printf("#   message '%s', want it to contain '%s'\n",
			       res.msg ? res.msg : "(none)", msg);
	}
	result_free(&res);
}

#define check(data, want, msg, what) check_n(data, sizeof(data) - 1, REG_CSV_UTF8, want, msg, what)
#define check_gbk(data, want, msg, what) check_n(data, sizeof(data) - 1, REG_CSV_GBK, want, msg, what)

/* A FILE producing `head` then `fill` bytes up to `total`, without holding them in memory; it
 * counts what was read, and can fail with EIO after `fail_at` bytes. */
struct gen {
	const char *head;
	size_t head_len;
	char fill;
	uint64_t total, pos, fail_at;
};

static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	struct gen *g = cookie;
	if (g->fail_at && g->pos >= g->fail_at) {
		errno = EIO;
		return -1;
	}
	size_t n = 0;
	while (n < size && g->pos < g->total) {
		buf[n++] = g->pos < g->head_len ? g->head[g->pos] : g->fill;
		g->pos++;
	}
	return (ssize_t)n;
}

static FILE *gen_open(struct gen *g)
{
	cookie_io_functions_t io = {.read = gen_read};
	return fopencookie(g, "r", io);
}

/* ---- syntax and lines ------------------------------------------------------------------ */

static void test_syntax(void)
{
	check("name,capital\n" NAME_UTF8 ",60.50\n", "1[name|capital] 2[" NAME_UTF8 "|60.50]", NULL,
	      "plain records, UTF-8 kept as is");
	check("\"a,b\",\"say \"\"hi\"\"\",\"\",x\n", "1[a,b|say \"hi\"||x]", NULL,
	      "quoted fields: embedded comma, doubled quote, empty quoted field");
	check("\"\"\"\"\n", "1[\"]", NULL, "a field that is only a quote");
	check("h\n\"l1\nl2\nl3\",x\nnext,y\n", "1[h] 2[l1\nl2\nl3|x] 5[next|y]", NULL,
	      "a record after a 3-line quoted field starts 3 lines further down");
	check("a,b\r\n\"x\r\ny\",z\r\nc,d\r\n", "1[a|b] 2[x\r\ny|z] 4[c|d]", NULL,
	      "CRLF line ends, CRLF kept inside a quoted field and counted as one line");
	check("a\rb\r\"c\rd\"\re", "1[a] 2[b] 3[c\rd] 5[e]", NULL,
	      "lone CR line ends (old Excel for Mac) end records and count lines");
	check("a\n\"x\r\n\ny\"\nb\n", "1[a] 2[x\r\n\ny] 5[b]", NULL,
	      "CRLF then LF inside a quoted field are two lines");
	check("\xEF\xBB\xBFname,x\nv,w\n", "1[name|x] 2[v|w]", NULL,
	      "a UTF-8 byte order mark is skipped");
	check("a,b\nc,d", "1[a|b] 2[c|d]", NULL, "the last line may lack a line end");
	check("a\n\"c\nd\"", "1[a] 2[c\nd]", NULL, "a quoted field may end the file");
	check("\n\na\n\n\r\n\nb\n\n", "3[a] 7[b]", NULL,
	      "empty lines are skipped but counted");
	check("a,\n,b\n,\n", "1[a|] 2[|b] 3[|]", NULL, "empty fields around commas");
	check(" a , b \n", "1[ a | b ]", NULL, "spaces are data, never trimmed");
	check("", "", NULL, "an empty file has no records");
	check("\xEF\xBB\xBF", "", NULL, "a file of only a byte order mark has no records");
	check("\r\n\n\r", "", NULL, "a file of only line ends has no records");

	/* accessors */
	FILE *fp = from_bytes(",,,\nx,,y\n", 9);
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	is_int(reg_csv_next(r, NULL), 1, "blank record read");
	ok(reg_csv_count(r) == 4 && reg_csv_blank(r), "',,,' is a blank record of 4 fields");
	ok(reg_csv_field(r, 4) == NULL && reg_csv_field_len(r, 4) == 0,
	   "a field past the last is NULL with length 0");
	is_int(reg_csv_next(r, NULL), 1, "second record read");
	ok(!reg_csv_blank(r) && reg_csv_field_len(r, 2) == 1 && reg_csv_field_len(r, 1) == 0,
	   "a record with one non-empty field is not blank; lengths are right");
	is_int(reg_csv_next(r, NULL), 0, "end of input");
	is_int(reg_csv_next(r, NULL), 0, "end of input again");
	is_str(reg_csv_name(r), "in.csv", "the reader keeps the input name");
	reg_csv_reader_free(r);
	fclose(fp);
	reg_csv_reader_free(NULL);

	/* a field may contain any UTF-8, with its exact length */
	fp = from_bytes("\"a\nb\"\n", 6);
	r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	reg_csv_next(r, NULL);
	is_int(reg_csv_field_len(r, 0), 3, "field length counts the embedded newline");
	reg_csv_reader_free(r);
	fclose(fp);
}

/* ---- fatal errors ---------------------------------------------------------------------- */

static void test_errors(void)
{
	check("h\nab\"c,d\n", "1[h] X{2:column 1}", "'\"' inside an unquoted field at character 3",
	      "a quote inside an unquoted field is fatal, with line and column");
	check("h,i\nx,\"ab\"c\n", "1[h|i] X{2:column 2}", "text after the closing quote at character 7",
	      "text after a closing quote is fatal");
	check("h\n\"ab\" \n", "1[h] X{2:column 1}", "text after the closing quote",
	      "even a space after a closing quote is fatal");
	check("h\nx,\"abc\n\ndef\n", "1[h] X{2:column 2}",
	      "quoted field not closed before the end of the file",
	      "an unterminated quoted field is fatal, reported where it opened");
	check("h\na\0b\n", "1[h] X{2:column 1}", "NUL byte at character 2 (a UTF-16 file?",
	      "a NUL byte is fatal");
	check("\xFF\xFEh\0,\0", "X{1:column 1}", "the file is UTF-16", "a UTF-16 file is refused");
	check("\xFE\xFF\0h", "X{1:column 1}", "the file is UTF-16", "big-endian UTF-16 too");

	/* the fatal error's column comes from the header once there is one */
	FILE *fp = from_bytes("name,capital\nx,6\"0\n", 19);
	struct result res = parse_fp(fp, REG_CSV_UTF8, true);
	is_str(res.dump, "1[name|capital] X{2:capital}", "errors name the header's column");
	is_int(res.code, REG_EDATA, "syntax errors are REG_EDATA");
	result_free(&res);
	fclose(fp);

	/* after a fatal error the reader refuses to go on */
	fp = from_bytes("a\"\nb\n", 5);
	reg_err *err = NULL;
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	is_int(reg_csv_next(r, &err), -1, "fatal error returns -1");
	ok(reg_csv_fatal(r) && reg_csv_count(r) == 0, "the reader is fatal and has no fields");
	ok(strcmp(reg_err_file(err), "in.csv") == 0 && reg_err_line(err) == 1,
	   "the error names the file and line");
	reg_err_clear(&err);
	is_int(reg_csv_next(r, &err), -1, "a call after a fatal error fails");
	is_int(reg_err_code(err), REG_EINTERNAL, "as a caller error");
	reg_err_free(err);
	reg_csv_reader_free(r);
	fclose(fp);

	/* read errors */
	struct gen g = {.head = "a,b\nc,d\n", .head_len = 8, .fill = 'x', .total = 1 << 20,
			.fail_at = 100};
	fp = gen_open(&g);
	res = parse_fp(fp, REG_CSV_UTF8, false);
	ok(strncmp(res.dump, "1[a|b] 2[c|d] X{", 16) == 0 && res.code == REG_EIO &&
	   res.msg && strstr(res.msg, "read error"), "a read error is fatal REG_EIO");
	diag("%s: %s", res.dump, res.msg ? res.msg : "");
	result_free(&res);
	fclose(fp);
}

/* ---- caps ------------------------------------------------------------------------------ */

static void big_field(const char *head, const char *what)
{
	struct gen g = {.head = head, .head_len = strlen(head), .fill = 'a',
			.total = 100u * 1000 * 1000};
	FILE *fp = gen_open(&g);
	struct result res = parse_fp(fp, REG_CSV_UTF8, false);
	ok(strcmp(res.dump, "1[h] X{2:column 1}") == 0 && res.code == REG_EDATA && res.msg &&
	   strstr(res.msg, "field longer than 1048576 bytes"), "%s fails with a clean error", what);
	diag("%s / %s", res.dump, res.msg ? res.msg : "");
	/* it stopped at the cap: no more than the cap and two buffers were read, not 100 MB */
	ok(g.pos < REG_CSV_MAX_FIELD + 256 * 1024,
	   "%s: stopped after %llu of 100000000 bytes", what, (unsigned long long)g.pos);
	result_free(&res);
	fclose(fp);
}

static void test_caps(void)
{
	big_field("h\n", "a 100 MB unquoted field");
	big_field("h\n\"", "a 100 MB quoted field");

	/* five fields of 1 000 000 bytes: each under the field cap, together over the record cap */
	size_t n = 5 * 1000001 + 1;
	char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = i % 1000001 == 1000000 ? ',' : 'b';
	data[n - 1] = '\n';
	struct result res = parse_n(data, n, REG_CSV_UTF8);
	ok(strcmp(res.dump, "X{1:column 5}") == 0 && res.msg &&
	   strstr(res.msg, "record longer than 4194304 bytes"), "a record over 4 MiB is fatal");
	diag("%s / %s", res.dump, res.msg ? res.msg : "");
	result_free(&res);

	/* one field of exactly the cap is fine */
	n = REG_CSV_MAX_FIELD + 1;
	data = realloc(data, n);
	memset(data, 'c', n - 1);
	data[n - 1] = '\n';
	FILE *fp = from_bytes(data, n);
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	ok(reg_csv_next(r, NULL) == 1 && reg_csv_field_len(r, 0) == REG_CSV_MAX_FIELD,
	   "a field of exactly REG_CSV_MAX_FIELD bytes is read");
	reg_csv_reader_free(r);
	fclose(fp);

	/* 1024 fields are fine, 1025 are not */
	n = 2 * 1025;
	data = realloc(data, n + 1);
	for (size_t i = 0; i < n; i += 2) {
		data[i] = 'f';
		data[i + 1] = ',';
	}
	data[2 * 1024 - 1] = '\n';
	res = parse_n(data, 2 * 1024, REG_CSV_UTF8);
	ok(res.records == 1 && strncmp(res.dump, "1[f|f|", 6) == 0, "1024 fields are read");
	result_free(&res);
	data[2 * 1024 - 1] = ',';
	data[n - 1] = '\n';
	res = parse_n(data, n, REG_CSV_UTF8);
	ok(strcmp(res.dump, "X{1:column 1025}") == 0 && res.msg &&
	   strstr(res.msg, "more than 1024 fields"), "1025 fields are fatal");
	result_free(&res);
	/* and 100 000 empty fields stop at the cap too */
	struct gen g = {.head = "", .fill = ',', .total = 100000};
	fp = gen_open(&g);
	res = parse_fp(fp, REG_CSV_UTF8, false);
	ok(strcmp(res.dump, "X{1:column 1025}") == 0, "a line of 100 000 commas is fatal");
	result_free(&res);
	fclose(fp);
	free(data);
}

/* ---- UTF-8 ----------------------------------------------------------------------------- */

/* `bytes` alone on line 3 is a row error at character 1 and becomes `ufffd` copies of U+FFFD
 * (one per maximal subpart, as Unicode recommends); lines 2 and 4 are fine. */
static void bad_utf8(const char *bytes, int ufffd, const char *what)
{
	char data[128], want[128];
	int n = snprintf(data, sizeof data, "h\nok\n%s\nafter\n", bytes);
	int w = snprintf(want, sizeof want, "1[h] 2[ok] 3![");
	for (int i = 0; i < ufffd; i++)
		w += snprintf(want + w, sizeof want - (size_t)w, "\xEF\xBF\xBD");
	snprintf(want + w, sizeof want - (size_t)w, "]{3:column 1} 4[after]");
	check_n(data, (size_t)n, REG_CSV_UTF8, want,
		"invalid UTF-8 at character 1 (if the file was saved as GBK, use --encoding gbk)",
		what);
}

static void test_utf8(void)
{
	bad_utf8("\xC0\xAF", 2, "overlong 2-byte '/' is a row error");
	bad_utf8("\xE0\x80\xAF", 3, "overlong 3-byte form is a row error");
	bad_utf8("\xF0\x80\x80\xAF", 4, "overlong 4-byte form is a row error");
	bad_utf8("\xED\xA0\x80", 3, "a UTF-16 surrogate is a row error");
	bad_utf8("\xF4\x90\x80\x80", 4, "a code point above U+10FFFF is a row error");
	bad_utf8("\xF5", 1, "byte 0xF5 is a row error");
	bad_utf8("\x80", 1, "a lone continuation byte is a row error");
	bad_utf8("\xE4\xB9", 1, "a sequence cut short by the line end is a row error");
	check("h\n\xE4\xB9\xE4\xB9\x8C\n", "1[h] 2![\xEF\xBF\xBD\xE4\xB9\x8C]{2:column 1}",
	      "invalid UTF-8 at character 1", "a cut sequence then a good one: U+FFFD, then the character");
	check("\xF0\x9F\x98\x80,\xF4\x8F\xBF\xBF,\xEF\xBF\xBF,\xC2\x80\n",
	      "1[\xF0\x9F\x98\x80|\xF4\x8F\xBF\xBF|\xEF\xBF\xBF|\xC2\x80]", NULL,
	      "4-byte characters, U+10FFFF, U+FFFF and U+0080 are valid");
	check("h\na\xE4\xB9,b\xE4\xB9\xFF" "c\n", "1[h] 2![a\xEF\xBF\xBD|b\xEF\xBF\xBD\xEF\xBF\xBD" "c]{2:column 1}",
	      "invalid UTF-8 at character 2", "each invalid sequence becomes U+FFFD; the first one is reported");
	check("h\n\xC3\xA9\x80x,\x80\n", "1[h] 2![\xC3\xA9\xEF\xBF\xBDx|\xEF\xBF\xBD]{2:column 1}",
	      "invalid UTF-8 at character 2", "character positions count characters, not bytes");
	check("h\n\"x\ny\xFFz\",w\nnext\n", "1[h] 2![x\ny\xEF\xBF\xBDz|w]{3:column 1} 4[next]",
	      "invalid UTF-8 at character 2",
	      "the error names the line of the bad byte inside a multi-line field");
	check("h\nab\xE4", "1[h] 2![ab\xEF\xBF\xBD]{2:column 1}", "invalid UTF-8",
	      "a sequence cut short by the end of the file is a row error");
	check("h\n\"ab\xE4\"\n", "1[h] 2![ab\xEF\xBF\xBD]{2:column 1}", "invalid UTF-8",
	      "a sequence cut short by a closing quote is a row error");

	/* a GBK file read as UTF-8: the hint tells the clerk what to do */
	char data[64];
	int n = snprintf(data, sizeof data, "name,capital\n%s,60\n", name_gbk);
	struct result res = parse_n(data, (size_t)n, REG_CSV_UTF8);
	ok(res.records == 2 && res.code == REG_EDATA && res.msg &&
	   strstr(res.msg, "--encoding gbk"), "a GBK file read as UTF-8 suggests --encoding gbk");
	diag("%s", res.msg ? res.msg : "");
	result_free(&res);

	/* row errors are not fatal and keep the record's line */
	FILE *fp = from_bytes("h\n\"a\nb\xFF\"\nc\n", 12);
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	reg_err *err = NULL;
	reg_csv_next(r, NULL);
	ok(reg_csv_next(r, &err) == -1 && !reg_csv_fatal(r) && reg_csv_line(r) == 2 &&
	   reg_err_line(err) == 3, "a row error: not fatal, record line 2, error line 3");
	reg_err_free(err);
	ok(reg_csv_next(r, NULL) == 1 && reg_csv_line(r) == 4, "the next record is read");
	reg_csv_reader_free(r);
	fclose(fp);
}

/* ---- GBK ------------------------------------------------------------------------------- */

static char *iconv_all(const char *from, const char *to, const char *in, size_t n, size_t *outn)
{
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = 4 * n + 4, left = cap;
	char *out = calloc(1, cap), *o = out, *i = (char *)in;
	if (iconv(cd, &i, &n, &o, &left) == (size_t)-1) {
		free(out);
		out = NULL;
	}
	*outn = cap - left;
	iconv_close(cd);
	return out;
}

/* The claim csv.h relies on: in GB18030 (hence GBK), no byte of CSV structure — '"', ',', CR,
 * LF, NUL — can be the 2nd or 4th byte of a character, and 2-byte trails lie in 0x40-0x7E,
 * 0x80-0xFE.  Checked against glibc for every lead byte. */
static void test_gbk_claim(void)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	ok(cd != (iconv_t)-1, "glibc converts from GB18030");
	if (cd == (iconv_t)-1)
		return;
	static const unsigned char structural[] = {'"', ',', '\r', '\n', '\0'};
	bool structural_ok = true, trails_ok = true;
	for (unsigned lead = 0x81; lead <= 0xFE; lead++) {
		for (unsigned t = 0; t <= 0xFF; t++) {
			char in[2] = {(char)lead, (char)t}, outb[16], *i = in, *o = outb;
			size_t il = 2, ol = sizeof outb;
			iconv(cd, NULL, NULL, NULL, NULL);
			iconv(cd, &i, &il, &o, &ol);
			bool pair = il == 0;   /* both bytes made one character */
			if (pair && !((t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE))) {
				trails_ok = false;
				diag("lead %02X trail %02X decodes", lead, t);
			}
			if (pair && memchr(structural, (int)t, sizeof structural))
				structural_ok = false;
		}
		for (size_t s = 0; s < sizeof structural; s++) {
			/* four-byte forms: lead, 0x30-0x39, 0x81-0xFE, 0x30-0x39 */
			char in[4] = {(char)lead, '0', (char)0x81, (char)structural[s]};
			char outb[16], *i = in, *o = outb;
			size_t il = 4, ol = sizeof outb;
			iconv(cd, NULL, NULL, NULL, NULL);
			iconv(cd, &i, &il, &o, &ol);
			if (il == 0)
				structural_ok = false;
		}
	}
	/* every pair glibc's GBK decodes, GB18030 decodes to the same character */
	iconv_t gbk = iconv_open("UTF-8", "GBK");
	bool superset = gbk != (iconv_t)-1;
	for (unsigned lead = 0x81; superset && lead <= 0xFE; lead++) {
		for (unsigned t = 0x40; t <= 0xFE; t++) {
			char in[2] = {(char)lead, (char)t}, o1[16], o2[16];
			char *i = in, *o = o1;
			size_t il = 2, ol1 = sizeof o1, ol2 = sizeof o2;
			iconv(gbk, NULL, NULL, NULL, NULL);
			iconv(gbk, &i, &il, &o, &ol1);
			if (il != 0)
				continue;
			i = in, il = 2, o = o2;
			iconv(cd, NULL, NULL, NULL, NULL);
			iconv(cd, &i, &il, &o, &ol2);
			if (il != 0 || ol1 != ol2 || memcmp(o1, o2, sizeof o1 - ol1) != 0) {
				diag("GBK %02X%02X decodes differently in GB18030", lead, t);
				superset = false;
			}
		}
	}
	if (gbk != (iconv_t)-1)
		iconv_close(gbk);
	ok(superset, "glibc's GB18030 decodes every GBK pair to the same character");
	iconv_close(cd);
	ok(trails_ok, "every 2-byte GB18030 trail is within 0x40-0x7E or 0x80-0xFE");
	ok(structural_ok, "no quote, comma, CR, LF or NUL is ever part of a GB18030 character");
}

static void test_gbk(void)
{
	size_t n = 0;
	char *conv = iconv_all("UTF-8", "GBK", NAME_UTF8, strlen(NAME_UTF8), &n);
	ok(conv && n == sizeof name_gbk - 1 && memcmp(conv, name_gbk, n) == 0,
	   "the hard-coded GBK bytes are what glibc writes for " NAME_UTF8);
	free(conv);

	char data[256];
	int len = snprintf(data, sizeof data, "name,capital\r\n%s,\"1,000.50\"\r\n", name_gbk);
	check_n(data, (size_t)len, REG_CSV_GBK, "1[name|capital] 2[" NAME_UTF8 "|1,000.50]", NULL,
		"a GBK record is read as UTF-8");
	len = snprintf(data, sizeof data, "h\n\"%s\"\"x\r\n%s\",z\nend\n", name_gbk, name_gbk);
	check_n(data, (size_t)len, REG_CSV_GBK,
		"1[h] 2[" NAME_UTF8 "\"x\r\n" NAME_UTF8 "|z] 4[end]", NULL,
		"GBK inside a quoted field with a doubled quote and a line end");
	check_gbk("\x81\x39\xEE\x39,\x80\n", "1[\xE3\x90\x80|\xE2\x82\xAC]", NULL,
		  "GB18030 four-byte U+3400 and the code page 936 euro sign are read");

	/* invalid bytes: a row error naming the line; the comma after a bad lead byte still splits */
	check_gbk("h\nab\x81,c\nnext\n", "1[h] 2![ab\xEF\xBF\xBD|c]{2:column 1} 3[next]",
		  "invalid GBK byte 0x81 at character 3",
		  "a lead byte followed by a comma is a row error; the comma stays a separator");
	check_gbk("h\n\"x\n\xFF\"\nnext\n", "1[h] 2![x\n\xEF\xBF\xBD]{3:column 1} 4[next]",
		  "invalid GBK byte 0xFF at character 1",
		  "byte 0xFF is a row error on its own line inside a quoted field");
	check_gbk("h\nab\xCE", "1[h] 2![ab\xEF\xBF\xBD]{2:column 1}", "invalid GBK byte 0xCE",
		  "a character cut short by the end of the file is a row error");
	check_gbk("h\n\"ab\"\x81\n", "1[h] X{2:column 1}", "text after the closing quote",
		  "an invalid byte after a closing quote is fatal like any text");
	check_gbk("\xEF\xBB\xBFh\n", "X{1:column 1}", "leave out --encoding gbk",
		  "a UTF-8 byte order mark with --encoding gbk is refused with a hint");

	/* 20 000 records, so characters and lines cross the 64 KiB buffers at every offset */
	size_t cap = 20000 * 40;
	char *big = malloc(cap);
	size_t used = 0;
	for (int i = 0; i < 20000; i++)
		used += (size_t)snprintf(big + used, cap - used, "%s%s,%d\n", i % 3 ? "" : "x",
					 name_gbk, i);
	for (int pass = 0; pass < 2; pass++) {
		FILE *fp;
		if (pass == 0) {
			fp = from_bytes(big, used);
		} else {
			size_t un = 0;
			char *utf8 = iconv_all("GBK", "UTF-8", big, used, &un);
			fp = from_bytes(utf8, un);
			free(utf8);
		}
		reg_csv_reader *r = reg_csv_reader_new(fp, "big.csv",
						       pass ? REG_CSV_UTF8 : REG_CSV_GBK, NULL);
		int i = 0;
		bool all = true;
		while (reg_csv_next(r, NULL) == 1) {
			char want[64];
			snprintf(want, sizeof want, "%s" NAME_UTF8, i % 3 ? "" : "x");
			char num[16];
			snprintf(num, sizeof num, "%d", i);
			if (reg_csv_line(r) != i + 1 || strcmp(reg_csv_field(r, 0), want) != 0 ||
			    strcmp(reg_csv_field(r, 1), num) != 0) {
				all = false;
				diag("record %d at line %ld differs", i, reg_csv_line(r));
				break;
			}
			i++;
		}
		ok(all && i == 20000 && !reg_csv_fatal(r), "%s: 20 000 records across buffer boundaries",
		   pass ? "UTF-8" : "GBK");
		reg_csv_reader_free(r);
		fclose(fp);
	}
	free(big);
}

/* ---- header ---------------------------------------------------------------------------- */

static void test_header(void)
{
	FILE *fp = from_bytes("name,capital,,\nx,\xFF,,\n", 21);
	reg_err *err = NULL;
	reg_csv_reader *r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	is_int(reg_csv_find_column(r, "name"), -1, "no columns before a header is taken");
	reg_csv_next(r, NULL);
	is_int(reg_csv_use_header(r, &err), 0, "a header with empty trailing names is taken");
	is_int(reg_csv_find_column(r, "capital"), 1, "find a column by name");
	is_int(reg_csv_find_column(r, "Capital"), -1, "names are matched exactly");
	ok(reg_csv_column_name(r, 0) && strcmp(reg_csv_column_name(r, 0), "name") == 0 &&
	   reg_csv_column_name(r, 2) == NULL && reg_csv_column_name(r, 9) == NULL,
	   "column names; NULL for empty and missing ones");
	is_int(reg_csv_next(r, &err), -1, "row error");
	is_str(reg_err_field(err), "capital", "a row error names the header's column");
	reg_err_free(err);
	reg_csv_reader_free(r);
	fclose(fp);

	fp = from_bytes("a,b,a\n", 6);
	err = NULL;
	r = reg_csv_reader_new(fp, "in.csv", REG_CSV_UTF8, NULL);
	reg_csv_next(r, NULL);
	ok(reg_csv_use_header(r, &err) == -1 && reg_err_code(err) == REG_EDATA &&
	   strstr(reg_err_message(err), "column name 'a' appears twice (columns 1 and 3)"),
	   "a duplicated column name is refused");
	reg_err_free(err);
	reg_csv_reader_free(r);
	fclose(fp);
}

/* ---- writer ---------------------------------------------------------------------------- */

static void test_writer(void)
{
	static const char *const awkward[] = {
		"plain", "a,b", "say \"hi\"", "l1\nl2", "l1\r\nl2", "cr\rx", " lead", "trail ",
		"\ttab", "", NAME_UTF8, "\"", ",", "mid space", NULL,
	};
	size_t nf = sizeof awkward / sizeof *awkward;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	reg_err *err = NULL;
	reg_csv_writer *w = reg_csv_writer_new(out, "rejects.csv", 0, &err);
	ok(w != NULL, "writer created");
	is_int(reg_csv_write(w, awkward, nf, &err), 0, "awkward record written");
	const char *const one_empty[] = {""};
	is_int(reg_csv_write(w, one_empty, 1, &err), 0, "a record of one empty field written");
	const char *const simple[] = {"x", "y"};
	is_int(reg_csv_write(w, simple, 2, &err), 0, "simple record written");
	const char *const bad[] = {"ok", "\xFF"};
	ok(reg_csv_write(w, bad, 2, &err) == -1 && reg_err_code(err) == REG_EINTERNAL,
	   "a field that is not UTF-8 is refused");
	reg_err_clear(&err);
	ok(reg_csv_write(w, simple, 0, &err) == -1, "a record of no fields is refused");
	reg_err_clear(&err);
	fclose(out);
	is_str(buf,
	       "plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"l1\r\nl2\",\"cr\rx\",\" lead\","
	       "\"trail \",\"'\ttab\",," NAME_UTF8 ",\"\"\"\",\",\",mid space,\n"
	       "\"\"\n"
	       "x,y\n",
	       "RFC 4180 quoting, LF line ends, nothing written for refused records");
	reg_csv_writer_free(w);

	/* and read back equal */
	FILE *in = from_bytes(buf, size);
	reg_csv_reader *r = reg_csv_reader_new(in, "rejects.csv", REG_CSV_UTF8, NULL);
	bool same = reg_csv_next(r, NULL) == 1 && reg_csv_count(r) == nf;
	for (size_t i = 0; same && i < nf; i++)
		same = strcmp(reg_csv_unprotect(reg_csv_field(r, i)), awkward[i] ? awkward[i] : "") ==
		       0;
	ok(same, "the awkward record reads back equal");
	ok(reg_csv_next(r, NULL) == 1 && reg_csv_count(r) == 1 && reg_csv_field_len(r, 0) == 0 &&
	   reg_csv_line(r) == 5, "the one-empty-field record reads back (not skipped as empty)");
	ok(reg_csv_next(r, NULL) == 1 && reg_csv_line(r) == 6 && reg_csv_next(r, NULL) == 0,
	   "the next record starts on the right line (the awkward one spans lines 1-4)");
	reg_csv_reader_free(r);
	fclose(in);
	free(buf);

	/* with a byte order mark for Excel */
	buf = NULL;
	out = open_memstream(&buf, &size);
	w = reg_csv_writer_new(out, "rejects.csv", REG_CSV_WRITE_BOM, NULL);
	reg_csv_write(w, simple, 2, NULL);
	reg_csv_write(w, simple, 2, NULL);
	fclose(out);
	is_str(buf, "\xEF\xBB\xBFx,y\nx,y\n", "REG_CSV_WRITE_BOM writes one byte order mark first");
	in = from_bytes(buf, size);
	r = reg_csv_reader_new(in, "rejects.csv", REG_CSV_UTF8, NULL);
	ok(reg_csv_next(r, NULL) == 1 && strcmp(reg_csv_field(r, 0), "x") == 0,
	   "the reader skips the writer's byte order mark");
	reg_csv_reader_free(r);
	fclose(in);
	free(buf);
	reg_csv_writer_free(w);

	/* a first field starting with U+FEFF is quoted, or it would read back as a byte order mark */
	buf = NULL;
	out = open_memstream(&buf, &size);
	w = reg_csv_writer_new(out, "rejects.csv", 0, NULL);
	const char *const feff[] = {"\xEF\xBB\xBFx", "y"};
	reg_csv_write(w, feff, 2, NULL);
	fclose(out);
	reg_csv_writer_free(w);
	in = from_bytes(buf, size);
	r = reg_csv_reader_new(in, "rejects.csv", REG_CSV_UTF8, NULL);
	ok(buf[0] == '"' && reg_csv_next(r, NULL) == 1 &&
	   strcmp(reg_csv_field(r, 0), "\xEF\xBB\xBFx") == 0,
	   "a field starting with U+FEFF is quoted and reads back whole");
	reg_csv_reader_free(r);
	fclose(in);
	free(buf);

	/* write errors */
	FILE *ro = fopen("/dev/null", "r");
	w = reg_csv_writer_new(ro, "rejects.csv", 0, NULL);
	ok(reg_csv_write(w, simple, 2, &err) == -1 && reg_err_code(err) == REG_EIO &&
	   strcmp(reg_err_file(err), "rejects.csv") == 0, "a write error is REG_EIO naming the file");
	reg_err_clear(&err);
	reg_csv_writer_free(w);
	fclose(ro);
	reg_csv_writer_free(NULL);
}

/* A spreadsheet must never see a formula in what regkit writes (CSV injection), and what it
 * wrote reads back as it was. */
static void test_injection(void)
{
	static const char *const hostile[] = {
		"=cmd|' /C calc'!A0", "+8613904731234", "-5", "@SUM(A1)", "\t=1", "\r=1", "'=1+1",
		"''@x", "'plain", "a=b", "'", "''", "张伟", "", "=", "- 1",
	};
	static const char *const want[] = {
		"'=cmd|' /C calc'!A0", "'+8613904731234", "'-5", "'@SUM(A1)", "\"'\t=1\"",
		"\"'\r=1\"", "''=1+1", "'''@x", "'plain", "a=b", "'", "''", "张伟", "", "'=", "'- 1",
	};
	size_t n = sizeof hostile / sizeof *hostile;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	reg_csv_writer *w = reg_csv_writer_new(out, "rejects.csv", REG_CSV_WRITE_BOM, NULL);
	is_int(reg_csv_write(w, hostile, n, NULL), 0, "hostile fields written");
	reg_csv_writer_free(w);
	fclose(out);
	char *expect = NULL;
	size_t expect_size = 0;
	FILE *e = open_memstream(&expect, &expect_size);
	fputs("\xEF\xBB\xBF", e);
	for (size_t i = 0; i < n; i++)
		fprintf(e, "%s%s", i ? "," : "", want[i]);
	fputc('\n', e);
	fclose(e);
	is_str(buf, expect, "a field a spreadsheet would evaluate starts with an apostrophe");
	FILE *in = from_bytes(buf, size);
	reg_csv_reader *r = reg_csv_reader_new(in, "rejects.csv", REG_CSV_UTF8, NULL);
	bool same = reg_csv_next(r, NULL) == 1 && reg_csv_count(r) == n;
	for (size_t i = 0; same && i < n; i++)
		if (!(same = strcmp(reg_csv_unprotect(reg_csv_field(r, i)), hostile[i]) == 0))
			diag("field %zu read back as '%s'", i, reg_csv_unprotect(reg_csv_field(r, i)));
	ok(same, "and reads back through reg_csv_unprotect exactly as it was");
	reg_csv_reader_free(r);
	fclose(in);
	free(buf);
	free(expect);
	is_str(reg_csv_unprotect("'=1"), "=1", "unprotect removes the one apostrophe of '=1");
	is_str(reg_csv_unprotect("'abc"), "'abc", "but keeps an apostrophe before anything else");
	is_str(reg_csv_unprotect("=1"), "=1", "and leaves an unprotected field alone");
}

/* ---- sub-lists and encodings ----------------------------------------------------------- */

static void test_split(void)
{
	char s[] = "张三:150302199001011234:60; 李四 : 150303199202022345 :40.00";
	char *items[4], *parts[4];
	int n = reg_split(s, ';', items, 4, NULL);
	ok(n == 2 && strcmp(items[0], "张三:150302199001011234:60") == 0 &&
	   strcmp(items[1], "李四 : 150303199202022345 :40.00") == 0,
	   "split shareholders on ';', items trimmed");
	n = reg_split(items[1], ':', parts, 4, NULL);
	ok(n == 3 && strcmp(parts[0], "李四") == 0 && strcmp(parts[1], "150303199202022345") == 0 &&
	   strcmp(parts[2], "40.00") == 0, "split an item on ':', parts trimmed");
	char e1[] = "", e2[] = " \t ", e3[] = "a;;b;";
	is_int(reg_split(e1, ';', parts, 4, NULL), 0, "an empty field has no items");
	is_int(reg_split(e2, ';', parts, 4, NULL), 0, "a blank field has no items");
	n = reg_split(e3, ';', parts, 4, NULL);
	ok(n == 4 && strcmp(parts[0], "a") == 0 && *parts[1] == '\0' && strcmp(parts[2], "b") == 0 &&
	   *parts[3] == '\0', "empty items are kept, also after a trailing separator");
	char many[] = "1;2;3;4;5";
	reg_err *err = NULL;
	ok(reg_split(many, ';', parts, 4, &err) == -1 && reg_err_code(err) == REG_ENO &&
	   strstr(reg_err_message(err), "more than 4 items"), "more than max items are refused");
	reg_err_free(err);
}

static void test_encoding_parse(void)
{
	reg_csv_encoding e = REG_CSV_UTF8;
	ok(reg_csv_encoding_parse("gbk", &e, NULL) == 0 && e == REG_CSV_GBK, "'gbk'");
	ok(reg_csv_encoding_parse("GB18030", &e, NULL) == 0 && e == REG_CSV_GBK, "'GB18030'");
	ok(reg_csv_encoding_parse("cp936", &e, NULL) == 0 && e == REG_CSV_GBK, "'cp936'");
	ok(reg_csv_encoding_parse("UTF-8", &e, NULL) == 0 && e == REG_CSV_UTF8, "'UTF-8'");
	ok(reg_csv_encoding_parse("utf8", &e, NULL) == 0 && e == REG_CSV_UTF8, "'utf8'");
	reg_err *err = NULL;
	ok(reg_csv_encoding_parse("latin1", &e, &err) == -1 && reg_err_code(err) == REG_EUSAGE &&
	   strstr(reg_err_message(err), "unknown encoding 'latin1'"), "'latin1' is a usage error");
	reg_err_free(err);
}

int main(void)
{
	test_syntax();
	test_errors();
	test_caps();
	test_utf8();
	test_gbk_claim();
	test_gbk();
	test_header();
	test_writer();
	test_injection();
	test_split();
	test_encoding_parse();
	return tap_done();
}
