#include "csv.h"
#include "files.h"
#include "utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RAW_SIZE (64 * 1024)
#define DEC_SIZE (64 * 1024)

/* What the byte source returns besides 0..255. */
enum { SRC_EOF = -1, SRC_BAD = -2, SRC_IOERR = -3 };

int reg_csv_encoding_parse(const char *text, reg_csv_encoding *enc, reg_err **errp)
{
	static const char *const utf8[] = {"utf-8", "utf8"};
	static const char *const gbk[] = {"gbk", "gb18030", "gb2312", "cp936"};
	for (size_t i = 0; text && i < sizeof utf8 / sizeof *utf8; i++)
		if (strcasecmp(text, utf8[i]) == 0) {
			*enc = REG_CSV_UTF8;
			return 0;
		}
	for (size_t i = 0; text && i < sizeof gbk / sizeof *gbk; i++)
		if (strcasecmp(text, gbk[i]) == 0) {
			*enc = REG_CSV_GBK;
			return 0;
		}
	return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
			   "unknown encoding '%s' (use utf-8 or gbk)", text ? text : "");
}

/* ---- reader ---------------------------------------------------------------------------- */

enum bad_kind { BAD_NONE, BAD_UTF8, BAD_GBK };

struct reg_csv_reader {
	FILE *fp;
	char *name;
	reg_csv_encoding enc;
	iconv_t cd;                 /* GBK only */

	/* Raw bytes from fp.  In UTF-8 mode they are the source itself. */
	unsigned char *raw;
	size_t raw_pos, raw_len;
	bool raw_eof;
	bool need_input;            /* iconv stopped inside a character at the end of raw */
	/* Decoded bytes (GBK mode). */
	unsigned char *dec;
	bool bad_pending;           /* an invalid byte follows the decoded bytes */
	unsigned char bad_byte;
	/* The source the parser reads: raw (UTF-8) or dec (GBK). */
	const unsigned char *src;
	size_t src_pos, src_len;

	bool started, at_end, fatal;
	long line;                  /* physical line of the next byte */
	long col;                   /* characters taken on that line */
	bool after_cr;

	/* The current record: fields back to back in buf, each NUL-terminated. */
	char *buf;
	size_t len, cap;
	size_t nfields;
	size_t off[REG_CSV_MAX_FIELDS + 1];
	size_t flen[REG_CSV_MAX_FIELDS + 1];
	long rec_line;
	reg_utf8_stream u8;
	size_t seq_start;           /* where the UTF-8 sequence being built started in buf */
	long seq_line, seq_col;     /* and where in the file */

	/* The first encoding problem of the record (a row error). */
	enum bad_kind bad;
	long bad_line, bad_col;
	size_t bad_field;
	unsigned char bad_raw;

	char **names;
	size_t nnames;
	char colbuf[32];
};

reg_csv_reader *reg_csv_reader_new(FILE *fp, const char *name, reg_csv_encoding enc,
				   reg_err **errp)
{
	reg_csv_reader *r = calloc(1, sizeof *r);
	if (!r) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
		return NULL;
	}
	r->fp = fp;
	r->enc = enc;
	r->cd = (iconv_t)-1;
	r->line = 1;
	r->name = strdup(name ? name : "-");
	r->raw = malloc(RAW_SIZE);
	r->cap = 256;
	r->buf = malloc(r->cap);
	if (enc == REG_CSV_GBK)
		r->dec = malloc(DEC_SIZE);
	if (!r->name || !r->raw || !r->buf || (enc == REG_CSV_GBK && !r->dec)) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
		goto fail;
	}
	if (enc == REG_CSV_GBK) {
		r->cd = iconv_open("UTF-8", "GB18030");
		if (r->cd == (iconv_t)-1) {
			reg_err_set(errp, REG_EINTERNAL, name, 0, NULL,
				    "cannot convert from GB18030: %s", strerror(errno));
			goto fail;
		}
	} else if (enc != REG_CSV_UTF8) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "unknown csv encoding %d", (int)enc);
		goto fail;
	}
	return r;
fail:
	reg_csv_reader_free(r);
	return NULL;
}

void reg_csv_reader_free(reg_csv_reader *r)
{
	if (!r)
		return;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->name);
	free(r->raw);
	free(r->dec);
	free(r->buf);
	free(r);
}

/* Read more raw bytes after the unread ones: 1 when some came, 0 at end of file, -1 on error. */
static int read_raw(reg_csv_reader *r)
{
	if (r->raw_pos > 0) {
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
		r->raw_len -= r->raw_pos;
		r->raw_pos = 0;
	}
	if (r->raw_eof || r->raw_len == RAW_SIZE)
		return 0;
	bool failed;
	size_t n = reg_file_read_some(r->fp, r->raw + r->raw_len, RAW_SIZE - r->raw_len, &failed);
	if (n == 0) {
		if (failed)
			return -1;
		r->raw_eof = true;
		return 0;
	}
	r->raw_len += n;
	return 1;
}

static int refill_utf8(reg_csv_reader *r)
{
	if (r->raw_pos == r->raw_len) {
		r->raw_pos = r->raw_len = 0;
		int k = read_raw(r);
		if (k < 0)
			return SRC_IOERR;
		if (k == 0)
			return SRC_EOF;
	}
	r->src = r->raw;
	r->src_pos = r->raw_pos;
	r->src_len = r->raw_len;
	r->raw_pos = r->raw_len;
	return 1;
}

static int refill_gbk(reg_csv_reader *r)
{
	for (;;) {
		if (r->bad_pending) {
			r->bad_pending = false;
			return SRC_BAD;
		}
		if (r->need_input || r->raw_pos == r->raw_len) {
			if (read_raw(r) < 0)
				return SRC_IOERR;
			r->need_input = false;
			if (r->raw_len == 0)
				return SRC_EOF;
		}
		char *in = (char *)r->raw + r->raw_pos, *out = (char *)r->dec;
		size_t inleft = r->raw_len - r->raw_pos, outleft = DEC_SIZE;
		size_t rc = iconv(r->cd, &in, &inleft, &out, &outleft);
		int e = errno;
		r->raw_pos = (size_t)((unsigned char *)in - r->raw);
		if (rc == (size_t)-1) {
			if (e == EILSEQ && r->raw[r->raw_pos] == 0x80) {
				/* Code page 936's euro sign, which glibc's GB18030 lacks (its GBK has
				 * it); when there is no room for it now, the next call gets it. */
				if (outleft >= 3) {
					memcpy(out, "\xE2\x82\xAC", 3);
					outleft -= 3;
					r->raw_pos++;
				}
			} else if (e == EILSEQ) {
				/* Skip the one byte that cannot start a character: if it was a lead byte
				 * followed by ASCII, that ASCII byte (perhaps a comma) is read next. */
				r->bad_byte = r->raw[r->raw_pos++];
				r->bad_pending = true;
			} else if (e == EINVAL) {
				if (r->raw_eof) {
					/* A character cut short by the end of the file. */
					r->bad_byte = r->raw[r->raw_pos];
					r->raw_pos = r->raw_len;
					r->bad_pending = true;
				} else {
					r->need_input = true;
				}
			} else if (e != E2BIG) {
				return SRC_IOERR;
			}
		}
		size_t produced = DEC_SIZE - outleft;
		if (produced > 0) {
			r->src = r->dec;
			r->src_pos = 0;
			r->src_len = produced;
			return 1;
		}
	}
}

/* The next decoded byte, or SRC_EOF, SRC_BAD (an invalid GB18030 byte), SRC_IOERR; keeps the
 * line and character counts. */
static int take(reg_csv_reader *r)
{
	if (r->src_pos == r->src_len) {
		int k = r->enc == REG_CSV_GBK ? refill_gbk(r) : refill_utf8(r);
		if (k <= 0) {
			if (k == SRC_BAD) {
				r->col++;
				r->after_cr = false;
			}
			return k;
		}
	}
	int c = r->src[r->src_pos++];
	if (c == '\r') {
		r->line++;
		r->col = 0;
		r->after_cr = true;
	} else if (c == '\n') {
		if (!r->after_cr)
			r->line++;
		r->col = 0;
		r->after_cr = false;
	} else {
		if (!reg_utf8_continues((unsigned char)c))
			r->col++;
		r->after_cr = false;
	}
	return c;
}

static const char *column(reg_csv_reader *r, size_t i)
{
	const char *n = reg_csv_column_name(r, i);
	if (n)
		return n;
	snprintf(r->colbuf, sizeof r->colbuf, "column %zu", i + 1);
	return r->colbuf;
}

static int fatal(reg_csv_reader *r, reg_err **errp, reg_code code, long line, const char *fmt,
		 ...) REG_PRINTF(5, 6);

static int fatal(reg_csv_reader *r, reg_err **errp, reg_code code, long line, const char *fmt,
		 ...)
{
	va_list ap;
	va_start(ap, fmt);
	reg_err_setv(errp, code, r->name, line, column(r, r->nfields), fmt, ap);
	va_end(ap);
	r->fatal = true;
	r->nfields = 0;
	r->len = 0;
	return -1;
}

static void mark_bad(reg_csv_reader *r, enum bad_kind kind, unsigned char raw, long line,
		     long col)
{
	if (r->bad != BAD_NONE)
		return;
	r->bad = kind;
	r->bad_line = line;
	r->bad_col = col;
	r->bad_field = r->nfields;
	r->bad_raw = raw;
}

/* Append bytes to the current field under the caps; -1 (fatal error set) past a cap. */
static int append(reg_csv_reader *r, const char *p, size_t n, reg_err **errp)
{
	size_t field = r->len - r->off[r->nfields];
	if (field + n > REG_CSV_MAX_FIELD)
		return fatal(r, errp, REG_EDATA, r->line, "field longer than %d bytes",
			     REG_CSV_MAX_FIELD);
	/* len counts one NUL per finished field besides the data. */
	if (r->len - r->nfields + n > REG_CSV_MAX_RECORD)
		return fatal(r, errp, REG_EDATA, r->line, "record longer than %d bytes",
			     REG_CSV_MAX_RECORD);
	if (r->len + n + 1 > r->cap) {
		/* Doubling, but never past what the caps allow: memory stays bounded by them. */
		size_t cap = r->cap, most = REG_CSV_MAX_RECORD + REG_CSV_MAX_FIELDS + 1;
		while (cap < r->len + n + 1)
			cap = cap * 2 < most ? cap * 2 : most;
		char *b = realloc(r->buf, cap);
		if (!b)
			return fatal(r, errp, REG_EINTERNAL, r->line, "out of memory");
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	return 0;
}

static const char replacement[] = REG_UTF8_REPLACEMENT;

/* An incomplete UTF-8 sequence at the end of the field so far becomes U+FFFD. */
static int flush_u8(reg_csv_reader *r, reg_err **errp)
{
	if (r->u8.need == 0)
		return 0;
	r->u8.need = 0;
	r->len = r->seq_start;
	mark_bad(r, BAD_UTF8, 0, r->seq_line, r->seq_col);
	return append(r, replacement, 3, errp);
}

static void seq_begin(reg_csv_reader *r)
{
	r->seq_start = r->len;
	r->seq_line = r->line;
	r->seq_col = r->col;
}

/* Append one byte of field data, checking UTF-8 as it comes.  Invalid input becomes one U+FFFD
 * per maximal subpart, as Unicode recommends (C0 AF gives two, a truncated E4 B9 one); the
 * character positions in messages count those U+FFFD. */
static int emit(reg_csv_reader *r, unsigned char c, reg_err **errp)
{
	if (r->u8.need == 0)
		seq_begin(r);
	bool inside = r->u8.need > 0;
	if (reg_utf8_step(&r->u8, c) == 0)
		return append(r, (const char *)&c, 1, errp);
	if (inside) {
		/* The sequence broke off: replace what was kept of it, then read c afresh. */
		r->len = r->seq_start;
		mark_bad(r, BAD_UTF8, 0, r->seq_line, r->seq_col);
		if (append(r, replacement, 3, errp) < 0)
			return -1;
		seq_begin(r);
		if (reg_utf8_step(&r->u8, c) == 0)
			return append(r, (const char *)&c, 1, errp);
	}
	/* take() did not count a continuation byte as a character: standing alone, it is one */
	if (reg_utf8_continues(c))
		r->col++;
	mark_bad(r, BAD_UTF8, 0, r->line, r->col);
	return append(r, replacement, 3, errp);
}

static int end_field(reg_csv_reader *r, reg_err **errp)
{
	if (flush_u8(r, errp) < 0)
		return -1;
	if (append(r, "", 0, errp) < 0)
		return -1;
	r->buf[r->len++] = '\0';   /* append left room for it */
	r->flen[r->nfields] = r->len - 1 - r->off[r->nfields];
	r->nfields++;
	r->off[r->nfields] = r->len;
	return 0;
}

/* Begin a new field after a comma, under the field-count cap. */
static int next_field(reg_csv_reader *r, reg_err **errp)
{
	if (end_field(r, errp) < 0)
		return -1;
	if (r->nfields == REG_CSV_MAX_FIELDS)
		return fatal(r, errp, REG_EDATA, r->line, "more than %d fields in a record",
			     REG_CSV_MAX_FIELDS);
	return 0;
}

/* Before the first record: byte order marks. */
static int start(reg_csv_reader *r, reg_err **errp)
{
	r->started = true;
	while (r->raw_len < 3 && !r->raw_eof)
		if (read_raw(r) < 0)
			return fatal(r, errp, REG_EIO, 0, "read error: %s", strerror(errno));
	const unsigned char *b = r->raw;
	if (r->raw_len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
		return fatal(r, errp, REG_EDATA, 1, "the file is UTF-16 (save it as CSV UTF-8)");
	if (r->raw_len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		if (r->enc == REG_CSV_GBK)
			return fatal(r, errp, REG_EDATA, 1,
				     "the file starts with a UTF-8 byte order mark: it is UTF-8, "
				     "not GBK (leave out --encoding gbk)");
		r->raw_pos = 3;
	}
	return 0;
}

static int source_error(reg_csv_reader *r, reg_err **errp)
{
	return fatal(r, errp, REG_EIO, r->line, "read error: %s",
		     errno ? strerror(errno) : "unknown error");
}

static int row_error(reg_csv_reader *r, reg_err **errp)
{
	const char *col = column(r, r->bad_field);
	if (r->bad == BAD_GBK)
		return reg_err_set(errp, REG_EDATA, r->name, r->bad_line, col,
				   "invalid GBK byte 0x%02X at character %ld (if the file was saved "
				   "as UTF-8, leave out --encoding gbk)", r->bad_raw, r->bad_col);
	return reg_err_set(errp, REG_EDATA, r->name, r->bad_line, col,
			   "invalid UTF-8 at character %ld (if the file was saved as GBK, use "
			   "--encoding gbk)", r->bad_col);
}

int reg_csv_next(reg_csv_reader *r, reg_err **errp)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN } st = FIELD_START;
	if (r->fatal)
		return reg_err_set(errp, REG_EINTERNAL, r->name, 0, NULL,
				   "csv reader used after a fatal error");
	r->len = 0;
	r->nfields = 0;
	r->off[0] = 0;
	r->u8.need = 0;
	r->bad = BAD_NONE;
	if (r->at_end)
		return 0;
	if (!r->started && start(r, errp) < 0)
		return -1;

	int c;
	do   /* empty lines */
		c = take(r);
	while (c == '\r' || c == '\n');
	if (c == SRC_EOF) {
		r->at_end = true;
		return 0;
	}
	r->rec_line = r->line;
	long quote_line = 0;
	for (;; c = take(r)) {
		if (c == SRC_IOERR)
			return source_error(r, errp);
		if (c == 0)
			return fatal(r, errp, REG_EDATA, r->line,
				     "NUL byte at character %ld (a UTF-16 file? save it as CSV UTF-8)",
				     r->col);
		if (c == SRC_BAD) {
			if (st == QUOTE_SEEN)
				return fatal(r, errp, REG_EDATA, r->line,
					     "text after the closing quote at character %ld (a '\"' "
					     "inside quotes is written \"\")", r->col);
			if (st == FIELD_START)
				st = UNQUOTED;
			if (flush_u8(r, errp) < 0)
				return -1;
			mark_bad(r, BAD_GBK, r->bad_byte, r->line, r->col);
			if (append(r, replacement, 3, errp) < 0)
				return -1;
			continue;
		}
		bool eol = c == '\r' || c == '\n' || c == SRC_EOF;
		switch (st) {
		case FIELD_START:
			if (c == '"') {
				st = QUOTED;
				quote_line = r->line;
				continue;
			}
			st = UNQUOTED;
			/* fall through */
		case UNQUOTED:
			if (c == '"')
				return fatal(r, errp, REG_EDATA, r->line,
					     "'\"' inside an unquoted field at character %ld (quote "
					     "the whole field and write the '\"' as \"\")", r->col);
			break;
		case QUOTED:
			if (c == SRC_EOF)
				return fatal(r, errp, REG_EDATA, quote_line,
					     "quoted field not closed before the end of the file");
			if (c == '"') {
				if (flush_u8(r, errp) < 0)
					return -1;
				st = QUOTE_SEEN;
			} else if (emit(r, (unsigned char)c, errp) < 0) {
				return -1;
			}
			continue;
		case QUOTE_SEEN:
			if (c == '"') {
				if (emit(r, '"', errp) < 0)
					return -1;
				st = QUOTED;
				continue;
			}
			if (c != ',' && !eol)
				return fatal(r, errp, REG_EDATA, r->line,
					     "text after the closing quote at character %ld (a '\"' "
					     "inside quotes is written \"\")", r->col);
			break;
		}
		/* UNQUOTED, or after a closing quote */
		if (c == ',') {
			if (next_field(r, errp) < 0)
				return -1;
			st = FIELD_START;
		} else if (eol) {
			if (c == SRC_EOF)
				r->at_end = true;
			if (end_field(r, errp) < 0)
				return -1;
			break;
		} else if (emit(r, (unsigned char)c, errp) < 0) {
			return -1;
		}
	}
	if (r->bad != BAD_NONE)
		return row_error(r, errp);
	return 1;
}

bool reg_csv_fatal(const reg_csv_reader *r) { return r->fatal; }
size_t reg_csv_count(const reg_csv_reader *r) { return r->nfields; }
long reg_csv_line(const reg_csv_reader *r) { return r->rec_line; }
const char *reg_csv_name(const reg_csv_reader *r) { return r->name; }

const char *reg_csv_field(const reg_csv_reader *r, size_t i)
{
	return i < r->nfields ? r->buf + r->off[i] : NULL;
}

size_t reg_csv_field_len(const reg_csv_reader *r, size_t i)
{
	return i < r->nfields ? r->flen[i] : 0;
}

bool reg_csv_blank(const reg_csv_reader *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (r->flen[i] > 0)
			return false;
	return true;
}

int reg_csv_use_header(reg_csv_reader *r, reg_err **errp)
{
	char **names = calloc(r->nfields ? r->nfields : 1, sizeof *names);
	size_t n = 0;
	if (!names)
		goto nomem;
	for (; n < r->nfields; n++) {
		const char *f = reg_csv_field(r, n);
		for (size_t j = 0; *f && j < n; j++)
			if (strcmp(names[j], f) == 0) {
				reg_err_set(errp, REG_EDATA, r->name, r->rec_line, NULL,
					    "column name '%s' appears twice (columns %zu and %zu)",
					    f, j + 1, n + 1);
				goto fail;
			}
		if (!(names[n] = strdup(f)))
			goto nomem;
	}
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	r->names = names;
	r->nnames = n;
	return 0;
nomem:
	reg_err_set(errp, REG_EINTERNAL, r->name, r->rec_line, NULL, "out of memory");
fail:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

long reg_csv_find_column(const reg_csv_reader *r, const char *name)
{
	for (size_t i = 0; name && i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

const char *reg_csv_column_name(const reg_csv_reader *r, size_t i)
{
	return i < r->nnames && r->names[i][0] ? r->names[i] : NULL;
}

/* ---- writer ---------------------------------------------------------------------------- */

struct reg_csv_writer {
	FILE *fp;
	char *name;
	unsigned flags;
	bool wrote;
};

reg_csv_writer *reg_csv_writer_new(FILE *fp, const char *name, unsigned flags, reg_err **errp)
{
	reg_csv_writer *w = calloc(1, sizeof *w);
	if (w)
		w->name = strdup(name ? name : "-");
	if (!w || !w->name) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
		reg_csv_writer_free(w);
		return NULL;
	}
	w->fp = fp;
	w->flags = flags;
	return w;
}

void reg_csv_writer_free(reg_csv_writer *w)
{
	if (!w)
		return;
	free(w->name);
	free(w);
}

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return true;
	/* U+FEFF first in the file would be read back as a byte order mark and dropped */
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* A field a spreadsheet would take for a formula, once any leading apostrophes are set aside
 * (csv.h: CSV injection). */
static bool formula_like(const char *s)
{
	while (*s == '\'')
		s++;
	return *s && strchr("=+-@\t\r", *s) != NULL;
}

const char *reg_csv_unprotect(const char *field)
{
	return field && field[0] == '\'' && formula_like(field + 1) ? field + 1 : field;
}

int reg_csv_write(reg_csv_writer *w, const char *const *fields, size_t n, reg_err **errp)
{
	if (n == 0)
		return reg_err_set(errp, REG_EINTERNAL, w->name, 0, NULL,
				   "a csv record needs at least one field");
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		if (!reg_utf8_valid(f, strlen(f)))
			return reg_err_set(errp, REG_EINTERNAL, w->name, 0, NULL,
					   "field %zu of a csv record is not valid UTF-8", i + 1);
	}
	FILE *fp = w->fp;
	if (!w->wrote && (w->flags & REG_CSV_WRITE_BOM))
		fputs("\xEF\xBB\xBF", fp);
	w->wrote = true;
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		size_t len = strlen(f);
		bool apostrophe = formula_like(f);
		if (i > 0)
			putc(',', fp);
		if (n == 1 && len == 0) {
			fputs("\"\"", fp);
		} else if (needs_quotes(f, len)) {
			putc('"', fp);
			if (apostrophe)
				putc('\'', fp);
			for (const char *p = f; *p; p++) {
				if (*p == '"')
					putc('"', fp);
				putc(*p, fp);
			}
			putc('"', fp);
		} else {
			if (apostrophe)
				putc('\'', fp);
			fwrite(f, 1, len, fp);
		}
	}
	putc('\n', fp);
	if (ferror(fp))
		return reg_err_set(errp, REG_EIO, w->name, 0, NULL, "write error: %s",
				   errno ? strerror(errno) : "unknown error");
	return 0;
}

/* ---- sub-lists ------------------------------------------------------------------------- */

static bool blank(char c) { return c == ' ' || c == '\t'; }

static char *trim(char *s, char *end)
{
	while (s < end && blank(*s))
		s++;
	while (end > s && blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

int reg_split(char *s, char sep, char **parts, size_t max, reg_err **errp)
{
	if ((unsigned char)sep == 0 || (unsigned char)sep >= 0x80)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "reg_split separator must be an ASCII character");
	char *p = s;
	while (blank(*p))
		p++;
	if (*p == '\0')
		return 0;
	size_t n = 0;
	for (;;) {
		char *end = strchr(p, sep);
		bool last = end == NULL;
		if (last)
			end = p + strlen(p);
		if (n == max)
			return reg_err_set(errp, REG_ENO, NULL, 0, NULL, "more than %zu items", max);
		parts[n++] = trim(p, end);
		if (last)
			break;
		p = end + 1;
	}
	return (int)n;
}
