/*
 * csv — the CSV batches clerks export from their spreadsheets (docs/formats.md), read as a stream,
 * and the CSV that reg-apply writes back for rejected rows.
 *
 * The module knows CSV syntax and text encodings, nothing of regkit's columns.
 *
 * Syntax (RFC 4180, read strictly because a misread row could become a real registration):
 *   - fields separated by ',', records ended by CRLF, LF or a lone CR (Excel for Mac writes CR);
 *     the last record may end without a line end;
 *   - a field is quoted when its first byte is '"'; inside quotes "" stands for one '"' and
 *     commas, CR and LF are data (kept byte for byte, line ends are not normalised);
 *   - a line with nothing on it between records is SKIPPED (RFC 4180 would read it as a record
 *     of one empty field, which a spreadsheet never means); it still counts as a line.  A line of
 *     bare commas (",,,", what Excel writes for a formatted but empty row) is a record:
 *     reg_csv_blank() tells the caller;
 *   - no trimming: spaces are data.
 *
 * Lines: reg_csv_line() is the PHYSICAL line where the current record starts, the first line of
 * the file being line 1 (the header).  CRLF, LF and lone CR each end one line, wherever they
 * stand, so a record after a quoted field spanning three lines starts three lines further down.
 *
 * Encodings (raw bytes are converted to UTF-8 BEFORE the CSV syntax is parsed):
 *   REG_CSV_UTF8  a leading UTF-8 byte order mark is skipped.  UTF-8 is validated strictly
 *                 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no
 *                 truncated sequences).
 *   REG_CSV_GBK   decoded with glibc iconv as GB18030, the superset of GBK (and of GB2312 and
 *                 Windows code page 936, what Excel writes on a Chinese Windows): glibc's
 *                 GB18030 decodes every two-byte sequence its GBK decodes to the same character
 *                 (the tests compare all of them), and its four-byte sequences also cover the
 *                 rare characters of personal names (生僻字) that GBK cannot encode.  The one
 *                 gap, the single byte 0x80 that code page 936 uses for '€', is mapped here.
 *   Converting before parsing is safe because no multi-byte character of either encoding
 *   contains a CSV structural byte: UTF-8 continuation bytes are 0x80-0xBF; a GBK/GB18030 lead
 *   byte is 0x81-0xFE, a two-byte trail is 0x40-0x7E or 0x80-0xFE, the second and fourth bytes
 *   of a four-byte sequence are 0x30-0x39 — never '"' (0x22), ',' (0x2C), CR (0x0D), LF (0x0A)
 *   or NUL.  So every structural byte in the raw input is a real one, the line count of the
 *   converted text is the line count of the file, and an invalid byte never hides a record
 *   boundary.  (tests/unit/test_csv.c checks this claim against glibc for every lead byte.)
 *   A file read as GBK that is really UTF-8 usually decodes to nonsense without any invalid
 *   byte; only a UTF-8 byte order mark is recognised (and refused with a hint).
 *
 * Errors.  reg_csv_next returns -1 for two kinds of problems; reg_csv_fatal() tells them apart:
 *   FATAL (the stream cannot go on: record boundaries are no longer known, or the input is
 *   hostile or not CSV at all) — REG_EDATA: a '"' inside an unquoted field, text after the
 *   closing quote of a field, a quoted field still open at end of file (reported at the line
 *   where it opened), a NUL byte (usually a UTF-16 file), a UTF-16 byte order mark, a field
 *   over REG_CSV_MAX_FIELD bytes, a record over REG_CSV_MAX_RECORD bytes or REG_CSV_MAX_FIELDS
 *   fields (the reader stops at the cap: a 100 MB field costs at most about 1 MiB of memory and
 *   of reading); REG_EIO when reading fails.  Later calls return -1 (REG_EINTERNAL).
 *   ROW (only this record is bad; the next call goes on with the next record) — REG_EDATA:
 *   invalid UTF-8, or a byte sequence that is not GB18030.  The record's fields stay readable,
 *   invalid bytes replaced by U+FFFD (one per maximal subpart, as Unicode recommends), so the
 *   row can be written to a rejects file; the error reports the first one.  A caller
 *   that reports it as one rejected row among others may reg_err_recode it to REG_ENO.
 * Every error carries the input name, the physical line of the offending byte, the column as
 * field ("column 3", or the header's name once reg_csv_use_header was called) and the character
 * position on that line in the message.
 *
 * Memory: about 150 KiB of buffers plus the largest record; the FILE stays the caller's.
 */
#ifndef REG_CSV_H
#define REG_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "errors.h"

#define REG_CSV_MAX_FIELD (1024 * 1024)       /* bytes of UTF-8 in one field */
#define REG_CSV_MAX_RECORD (4 * 1024 * 1024)  /* bytes of UTF-8 in all fields of one record */
#define REG_CSV_MAX_FIELDS 1024               /* fields in one record */

typedef enum reg_csv_encoding {
	REG_CSV_UTF8,
	REG_CSV_GBK,          /* GBK, GB2312, CP936 and GB18030, all read as GB18030 */
} reg_csv_encoding;

/* Parse an --encoding argument: "utf-8"/"utf8", or "gbk"/"gb18030"/"gb2312"/"cp936" (any case).
 * REG_EUSAGE for anything else. */
int reg_csv_encoding_parse(const char *text, reg_csv_encoding *enc, reg_err **errp);

/* ---- reader ---------------------------------------------------------------------------- */

typedef struct reg_csv_reader reg_csv_reader;

/* A reader over fp (not closed by the reader), name being what errors call it ("-" for stdin).
 * Nothing is read before the first reg_csv_next. */
reg_csv_reader *reg_csv_reader_new(FILE *fp, const char *name, reg_csv_encoding enc,
				   reg_err **errp);
void reg_csv_reader_free(reg_csv_reader *r);

/* Read the next record: 1 a record is ready, 0 end of input, -1 error (see above). */
int reg_csv_next(reg_csv_reader *r, reg_err **errp);
/* True once the reader met an error it cannot continue after. */
bool reg_csv_fatal(const reg_csv_reader *r);

/* The current record; valid until the next reg_csv_next.  Fields are UTF-8, NUL-terminated,
 * and may contain CR and LF (from quoted fields); field(i) is NULL and field_len(i) 0 past the
 * last field.  After a fatal error the record has no fields. */
size_t reg_csv_count(const reg_csv_reader *r);
const char *reg_csv_field(const reg_csv_reader *r, size_t i);
size_t reg_csv_field_len(const reg_csv_reader *r, size_t i);
/* Physical line where the current record starts (1 = the first line of the file). */
long reg_csv_line(const reg_csv_reader *r);
/* True when every field of the current record is empty (",,,"). */
bool reg_csv_blank(const reg_csv_reader *r);
const char *reg_csv_name(const reg_csv_reader *r);

/* Take the current record as the header: its fields become the column names used in error
 * locations and by reg_csv_find_column.  REG_EDATA when a non-empty name appears twice (a
 * lookup by name would be ambiguous); empty names are allowed (Excel's trailing ",,,"). */
int reg_csv_use_header(reg_csv_reader *r, reg_err **errp);
/* Index of the column named exactly `name`, -1 when the header has none. */
long reg_csv_find_column(const reg_csv_reader *r, const char *name);
/* What errors call column i: the header's name when it has a non-empty one, else NULL. */
const char *reg_csv_column_name(const reg_csv_reader *r, size_t i);

/* ---- writer ---------------------------------------------------------------------------- */

typedef struct reg_csv_writer reg_csv_writer;

enum {
	/* Start the output with a UTF-8 byte order mark: Excel reads a CSV without one in the
	 * machine's ANSI code page (GBK on a Chinese Windows) and shows UTF-8 as nonsense.
	 * reg_csv_reader skips it. */
	REG_CSV_WRITE_BOM = 1u << 0,
};

/* A writer of UTF-8 CSV to fp (not closed by the writer; the caller checks fflush/fclose).
 * Records end with LF alone: every CSV reader, Excel and LibreOffice included, accepts it, and it
 * keeps the output diff- and grep-friendly like every other regkit output.  A field is quoted
 * when it contains ',', '"', CR or LF, starts or ends with a space or tab (some readers trim), or
 * starts with U+FEFF (which would read as a byte order mark at the start of the file);
 * '"' is doubled.  A record of one empty field is written as "" so it is not an empty line.
 *
 * CSV injection: a spreadsheet evaluates a cell that starts with '=', '+', '-' or '@' as a
 * formula (=cmd|' /C calc'!A0 runs a program in Excel), and TAB or CR first hides one.  Such a
 * field is written with one leading apostrophe, which Excel and LibreOffice take for "text, not
 * a formula".  A field that starts with apostrophes followed by one of those characters gets one
 * more too, so the rule is a bijection and reg_csv_unprotect undoes it exactly: a field read
 * back is the field written, whatever it was. */
reg_csv_writer *reg_csv_writer_new(FILE *fp, const char *name, unsigned flags, reg_err **errp);
void reg_csv_writer_free(reg_csv_writer *w);
/* Write one record of n >= 1 fields (a NULL field is empty).  Nothing is written when a field is
 * not valid UTF-8 (REG_EINTERNAL: the caller passed undecoded bytes); REG_EIO when writing
 * fails. */
int reg_csv_write(reg_csv_writer *w, const char *const *fields, size_t n, reg_err **errp);

/* The reading side of the writer's apostrophe: a field that starts with an apostrophe followed
 * by '=', '+', '-', '@', TAB, CR or further apostrophes and then one of them loses that one
 * apostrophe (the pointer past it); any other field is returned as it is.  For a reader of CSV
 * that regkit or a spreadsheet wrote from it (reg-apply reads every field of a row through it,
 * so a rejects file, corrected, can be submitted again unchanged). */
const char *reg_csv_unprotect(const char *field);

/* ---- sub-lists inside a field ---------------------------------------------------------- */

/* Split a list packed into one CSV field ("张三:150302…:60;李四:150303…:40") in place at every
 * `sep` (an ASCII byte): parts[] receives pointers into s, each part with ASCII spaces and tabs
 * trimmed from both ends (clerks type "; ").  There is no escaping: an item cannot contain sep.
 * Empty parts are kept ("a;;b" → 3 parts); a string that is empty or blank gives 0 parts.
 * Returns the number of parts, or -1 (REG_ENO "more than N items", no location: the caller
 * adds it) when there are more than max. */
int reg_split(char *s, char sep, char **parts, size_t max, reg_err **errp);

#endif
