/* table — result listings as TSV, JSON or XML (table.h). */
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "utf8.h"

typedef enum phase {
	PH_START,   /* nothing written past the document's start */
	PH_FIELDS,  /* RECORD: fields written */
	PH_LIST,    /* a list is open */
	PH_DONE,
} phase;

struct reg_table {
	FILE *fp;
	reg_table_format fmt;
	bool record;
	const char *root;     /* RECORD, TSV: the first block's name */
	phase phase;
	xmlTextWriter *xw;
	const char *row;
	const char *const *cols;
	size_t ncols;
	size_t lists, rows;   /* lists started; rows of the current list */
	size_t fields;
	bool failed;          /* a write failed */
	bool misuse;          /* a call out of order */
};

int reg_table_format_parse(const char *name, reg_table_format *out)
{
	static const char *const names[] = {"tsv", "json", "xml"};
	for (int i = 0; i < 3; i++)
		if (name && strcmp(name, names[i]) == 0) {
			*out = (reg_table_format)i;
			return 0;
		}
	return -1;
}

static const char replacement[] = REG_UTF8_REPLACEMENT;

/* ---- TSV --------------------------------------------------------------------------------- */

static void tsv_cell(FILE *fp, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\': fputs("\\\\", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		default: putc(s[i], fp);
		}
	}
}

char *reg_table_tsv_escape(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	if (!fp)
		return NULL;
	tsv_cell(fp, s, len);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int reg_table_tsv_unescape(const char *s, char **out, size_t *len)
{
	size_t n = strlen(s), j = 0;
	char *buf = malloc(n + 1);
	if (!buf)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			buf[j++] = s[i];
			continue;
		}
		switch (i + 1 < n ? s[++i] : '\0') {
		case '\\': buf[j++] = '\\'; break;
		case 't': buf[j++] = '\t'; break;
		case 'n': buf[j++] = '\n'; break;
		case 'r': buf[j++] = '\r'; break;
		default: free(buf); return -1;
		}
	}
	buf[j] = '\0';
	*out = buf;
	*len = j;
	return 0;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void json_string(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	putc('"', fp);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = reg_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			fputs(replacement, fp);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			putc('\\', fp);
			putc((int)cp, fp);
		} else if (cp < 0x20) {
			switch (cp) {
			case '\b': fputs("\\b", fp); break;
			case '\f': fputs("\\f", fp); break;
			case '\n': fputs("\\n", fp); break;
			case '\r': fputs("\\r", fp); break;
			case '\t': fputs("\\t", fp); break;
			default: fprintf(fp, "\\u%04X", (unsigned)cp);
			}
		} else {
			fwrite(p + i, 1, n, fp);
		}
		i += n;
	}
	putc('"', fp);
}

/* ---- XML --------------------------------------------------------------------------------- */

/* s as text XML 1.0 can hold: invalid UTF-8 and forbidden characters as U+FFFD.  NULL when out
 * of memory. */
static char *xml_text(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(3 * len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = reg_utf8_next(p + i, len - i, &cp);
		bool allowed = n && (cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r') &&
			       cp != 0xFFFE && cp != 0xFFFF;
		if (!allowed) {
			memcpy(o, replacement, 3);
			o += 3;
			i += n ? n : 1;
		} else {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		}
	}
	*o = '\0';
	return out;
}

static void xml_name(const char *col, char *buf, size_t size)
{
	snprintf(buf, size, "%s", col);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = '-';
}

static void xml_attr(reg_table *t, const char *name, const char *value, size_t len)
{
	char attr[64];
	char *text = xml_text(value, len);
	xml_name(name, attr, sizeof attr);
	if (!text || xmlTextWriterWriteAttribute(t->xw, BAD_CAST attr, BAD_CAST text) < 0)
		t->failed = true;
	free(text);
}

static void xml_check(reg_table *t, int rc)
{
	if (rc < 0)
		t->failed = true;
}

/* ---- the writer -------------------------------------------------------------------------- */

reg_table *reg_table_new(FILE *fp, reg_table_format fmt, const reg_table_doc *doc, bool record,
			 reg_err **errp)
{
	reg_table *t = calloc(1, sizeof *t);
	if (!t) {
		reg_err_oom(errp);
		return NULL;
	}
	*t = (reg_table){.fp = fp, .fmt = fmt, .record = record,
			 .root = doc && doc->root ? doc->root : "record"};
	if (fmt != REG_TABLE_XML)
		return t;
	xmlOutputBuffer *buf = xmlOutputBufferCreateFile(fp, NULL);
	if (!buf || !(t->xw = xmlNewTextWriter(buf))) {
		if (buf)
			xmlOutputBufferClose(buf);
		free(t);
		reg_err_oom(errp);
		return NULL;
	}
	xml_check(t, xmlTextWriterSetIndent(t->xw, 1));
	xml_check(t, xmlTextWriterSetIndentString(t->xw, BAD_CAST "  "));
	xml_check(t, xmlTextWriterStartDocument(t->xw, "1.0", "UTF-8", NULL));
	xml_check(t, xmlTextWriterStartElement(t->xw, BAD_CAST doc->root));
	if (doc->ns)
		xml_check(t, xmlTextWriterWriteAttribute(t->xw, BAD_CAST "xmlns", BAD_CAST doc->ns));
	for (size_t i = 0; doc->attrs && doc->attrs[i] && doc->attrs[i + 1]; i += 2)
		xml_attr(t, doc->attrs[i], doc->attrs[i + 1], strlen(doc->attrs[i + 1]));
	return t;
}

/* RECORD, TSV: the first block's start, before the first field or list. */
static void tsv_record_start(reg_table *t)
{
	fprintf(t->fp, "%s\nfield\tvalue\n", t->root);
}

void reg_table_field(reg_table *t, const char *name, const char *value)
{
	if (!t->record || t->phase > PH_FIELDS) {
		t->misuse = true;
		return;
	}
	size_t len = value ? strlen(value) : 0;
	switch (t->fmt) {
	case REG_TABLE_TSV:
		if (t->phase == PH_START)
			tsv_record_start(t);
		tsv_cell(t->fp, name, strlen(name));
		putc('\t', t->fp);
		tsv_cell(t->fp, value ? value : "", len);
		putc('\n', t->fp);
		break;
	case REG_TABLE_JSON:
		fputs(t->fields ? ",\n  " : "{\n  ", t->fp);
		json_string(t->fp, name, strlen(name));
		fputs(": ", t->fp);
		if (value)
			json_string(t->fp, value, len);
		else
			fputs("null", t->fp);
		break;
	case REG_TABLE_XML:
		if (value)
			xml_attr(t, name, value, len);
		break;
	}
	t->fields++;
	t->phase = PH_FIELDS;
}

/* End the list in progress. */
static void end_list(reg_table *t)
{
	if (t->phase != PH_LIST)
		return;
	switch (t->fmt) {
	case REG_TABLE_TSV:
		break;
	case REG_TABLE_JSON:
		if (t->record)
			fputs(t->rows ? "\n  ]" : "]", t->fp);
		else
			fputs(t->rows ? "\n]\n" : "]\n", t->fp);
		break;
	case REG_TABLE_XML:
		if (t->record)
			xml_check(t, xmlTextWriterEndElement(t->xw));
		break;
	}
}

void reg_table_list(reg_table *t, const char *name, const char *row, const char *const *cols,
		    size_t ncols)
{
	if (t->phase == PH_DONE || (!t->record && t->lists)) {
		t->misuse = true;
		return;
	}
	end_list(t);
	switch (t->fmt) {
	case REG_TABLE_TSV:
		if (t->record) {
			if (t->phase == PH_START)
				tsv_record_start(t);
			fprintf(t->fp, "\n%s\n", name);
		}
		for (size_t i = 0; i < ncols; i++) {
			tsv_cell(t->fp, cols[i], strlen(cols[i]));
			putc(i + 1 < ncols ? '\t' : '\n', t->fp);
		}
		break;
	case REG_TABLE_JSON:
		if (t->record) {
			fputs(t->fields || t->lists ? ",\n  " : "{\n  ", t->fp);
			json_string(t->fp, name, strlen(name));
			fputs(": [", t->fp);
		} else {
			fputs("[", t->fp);
		}
		break;
	case REG_TABLE_XML:
		if (t->record)
			xml_check(t, xmlTextWriterStartElement(t->xw, BAD_CAST name));
		break;
	}
	t->row = row;
	t->cols = cols;
	t->ncols = ncols;
	t->rows = 0;
	t->lists++;
	t->phase = PH_LIST;
}

void reg_table_row_len(reg_table *t, const char *const *cells, const size_t *lens)
{
	if (t->phase != PH_LIST) {
		t->misuse = true;
		return;
	}
	switch (t->fmt) {
	case REG_TABLE_TSV:
		for (size_t i = 0; i < t->ncols; i++) {
			if (cells[i])
				tsv_cell(t->fp, cells[i], lens ? lens[i] : strlen(cells[i]));
			putc(i + 1 < t->ncols ? '\t' : '\n', t->fp);
		}
		break;
	case REG_TABLE_JSON:
		fputs(t->rows ? ",\n" : "\n", t->fp);
		fputs(t->record ? "    {" : "  {", t->fp);
		for (size_t i = 0; i < t->ncols; i++) {
			if (i)
				fputs(", ", t->fp);
			json_string(t->fp, t->cols[i], strlen(t->cols[i]));
			fputs(": ", t->fp);
			if (cells[i])
				json_string(t->fp, cells[i], lens ? lens[i] : strlen(cells[i]));
			else
				fputs("null", t->fp);
		}
		putc('}', t->fp);
		break;
	case REG_TABLE_XML:
		xml_check(t, xmlTextWriterStartElement(t->xw, BAD_CAST t->row));
		for (size_t i = 0; i < t->ncols; i++)
			if (cells[i])
				xml_attr(t, t->cols[i], cells[i], lens ? lens[i] : strlen(cells[i]));
		xml_check(t, xmlTextWriterEndElement(t->xw));
		break;
	}
	t->rows++;
}

void reg_table_row(reg_table *t, const char *const *cells)
{
	reg_table_row_len(t, cells, NULL);
}

void reg_table_flush(reg_table *t)
{
	if (t->xw)
		xml_check(t, xmlTextWriterFlush(t->xw));
	if (fflush(t->fp) != 0)
		t->failed = true;
}

int reg_table_finish(reg_table *t, reg_err **errp)
{
	if (t->phase != PH_DONE) {
		if (!t->record && t->phase == PH_START)
			t->misuse = true;
		end_list(t);
		switch (t->fmt) {
		case REG_TABLE_TSV:
			if (t->record && t->phase == PH_START)
				tsv_record_start(t);
			break;
		case REG_TABLE_JSON:
			if (t->record)
				fputs(t->fields || t->lists ? "\n}\n" : "{}\n", t->fp);
			break;
		case REG_TABLE_XML:
			xml_check(t, xmlTextWriterEndDocument(t->xw));
			xmlFreeTextWriter(t->xw); /* flushes; the FILE stays open */
			t->xw = NULL;
			break;
		}
		t->phase = PH_DONE;
		if (fflush(t->fp) != 0 || ferror(t->fp))
			t->failed = true;
	}
	if (t->misuse)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "table written out of order (a bug)");
	if (t->failed)
		return reg_err_set(errp, REG_EIO, NULL, 0, NULL, "cannot write the output");
	return 0;
}

void reg_table_free(reg_table *t)
{
	if (!t)
		return;
	if (t->xw)
		xmlFreeTextWriter(t->xw);
	free(t);
}
