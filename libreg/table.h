/*
 * table — the one writer of the tools' result listings (docs/formats.md "Listings"): named
 * columns, rows of UTF-8 text cells (or NULL), rendered as TSV, JSON or XML.
 *
 * Two shapes.  A LISTING is one table: reg_table_list once, then its rows.  A RECORD is one
 * object: its scalar fields (reg_table_field) first, then any number of named lists, each a
 * table of its own (a lookup: one enterprise with its verdicts, commitments, editions …).
 *
 *            listing                              record
 *   TSV      header line, one line per row        blocks separated by an empty line, each a
 *                                                 line with its name, a header line, its rows;
 *                                                 the first block, named by the doc's
 *                                                 root, is the record's own fields as
 *                                                 "field<TAB>value" lines
 *   JSON     [ {"col": "v" | null, …}, … ]        { "field": "v", …, "list": [ {…}, … ], … }
 *   XML      <root xmlns=ns attrs…>               <root xmlns=ns attrs… field="v" …>
 *              <row col="v" …/> …                   <list><row col="v" …/> …</list> …
 *            </root>                              </root>
 *
 * Cells.  TSV writes the bytes as they are, except four, escaped so that a cell never adds a
 * column or a line and the escaping can be undone exactly: backslash as \\, TAB as \t, LF as \n,
 * CR as \r.  NULL and "" are both an empty field.  JSON writes NULL as null and escapes strings
 * as RFC 8259 says (", \, and the control characters); XML leaves a NULL cell's attribute out.
 * JSON and XML carry text: a byte that is not part of valid UTF-8 is written as U+FFFD, and so
 * in XML is a character XML 1.0 cannot hold (control characters other than TAB, LF, CR).  In
 * XML a column name's '_' becomes '-' (step_zh is step-zh=).
 *
 * Streaming.  Every row is written as it comes (TSV and JSON straight to the FILE, XML through
 * libxml2's text writer, which flushes as its buffer fills): nothing holds the rows, so a
 * listing of a million dossiers takes the memory of one.  reg_table_finish closes what is open;
 * write errors (of the FILE, of libxml2) surface there as REG_EIO.  A call out of order (a
 * field after a list, a row before a list, a second list in a listing) is REG_EINTERNAL there.
 */
#ifndef REG_TABLE_H
#define REG_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "errors.h"

typedef enum reg_table_format {
	REG_TABLE_TSV,
	REG_TABLE_JSON,
	REG_TABLE_XML,
} reg_table_format;

/* "tsv", "json", "xml": 0, or -1 for anything else. */
int reg_table_format_parse(const char *name, reg_table_format *out);

/* The document around the rows, for XML: the root element, its namespace and attributes as
 * name, value pairs ending with NULL (attrs may be NULL).  A TSV record's first block is named
 * by root. */
typedef struct reg_table_doc {
	const char *root;
	const char *ns;
	const char *const *attrs;
} reg_table_doc;

typedef struct reg_table reg_table;

/* A writer on fp (which stays the caller's).  `record`: the RECORD shape, else a LISTING. */
reg_table *reg_table_new(FILE *fp, reg_table_format fmt, const reg_table_doc *doc, bool record,
			 reg_err **errp);
/* Free.  An unfinished table stays unfinished (a run that failed half way must not look like
 * a complete document): what was written stays, nothing is closed.  NULL is a no-op. */
void reg_table_free(reg_table *t);

/* A scalar of the record (RECORD only, before its first list). */
void reg_table_field(reg_table *t, const char *name, const char *value);
/* Start a table: `name` names the list (RECORD: its TSV block, JSON key and XML element;
 * unused in a LISTING), `row` the XML element of a row; the columns stay the caller's until the
 * next list or the finish.  A list in progress ends. */
void reg_table_list(reg_table *t, const char *name, const char *row, const char *const *cols,
		    size_t ncols);
/* One row of the current list: ncols cells, each NULL or a string. */
void reg_table_row(reg_table *t, const char *const *cells);
/* The same with the cells' lengths (a cell may then hold NUL bytes); lens NULL: strlen. */
void reg_table_row_len(reg_table *t, const char *const *cells, const size_t *lens);

/* Push what is written so far out to the FILE and flush it (a row that tells a pipe something
 * is there: reg-issue's archives). */
void reg_table_flush(reg_table *t);

/* Close the document.  0, or -1 with REG_EIO (a write failed) or REG_EINTERNAL (a call out of
 * order).  The FILE is flushed, not closed. */
int reg_table_finish(reg_table *t, reg_err **errp);

/* TSV's escaping of one cell (the inverse of reg_table_tsv_unescape), into a new string; NULL
 * when out of memory. */
char *reg_table_tsv_escape(const char *s, size_t len);
/* Undo the escaping: *out (caller frees) and *len.  -1 for a lone backslash or an unknown
 * escape (and when out of memory). */
int reg_table_tsv_unescape(const char *s, char **out, size_t *len);

#endif
