/* table: the listings every tool writes — TSV that round-trips, JSON and XML that parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "tap.h"
#include "xml.h"

static const char *const cols[] = {"number", "name", "step_zh"};

/* A listing of `rows` in fmt, as a string (caller frees); NULL on failure. */
static char *listing(reg_table_format fmt, const char *const rows[][3], size_t n, int *rc)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	const char *const attrs[] = {"view", "test", NULL};
	reg_table_doc doc = {"status", "urn:regkit:status:1", attrs};
	reg_err *err = NULL;
	reg_table *t = reg_table_new(fp, fmt, &doc, false, &err);
	reg_table_list(t, "dossiers", "dossier", cols, 3);
	for (size_t i = 0; i < n; i++)
		reg_table_row(t, rows[i]);
	*rc = reg_table_finish(t, &err);
	reg_table_free(t);
	reg_err_free(err);
	fclose(fp);
	return buf;
}

int main(void)
{
	reg_xml_init(NULL);
	static const char tricky[] = "a\tb\nc\\d\re \\t 乌海";
	const char *const rows[][3] = {
		{"150302-20261123-000001", tricky, NULL},
		{"150302-20261123-000002", "", "催办单"},
	};
	int rc;

	/* TSV */
	char *tsv = listing(REG_TABLE_TSV, rows, 2, &rc);
	is_int(rc, 0, "TSV listing finishes");
	is_str(tsv, "number\tname\tstep_zh\n"
		    "150302-20261123-000001\ta\\tb\\nc\\\\d\\re \\\\t 乌海\t\n"
		    "150302-20261123-000002\t\t催办单\n",
	       "TSV: a header line, then one line per row; \\\\ \\t \\n \\r escaped, NULL empty");
	/* Split the second line back into cells and undo the escaping. */
	char *line = strchr(tsv, '\n') + 1;
	*strchr(line, '\n') = '\0';
	char *cell = strchr(line, '\t') + 1;
	*strchr(cell, '\t') = '\0';
	char *back = NULL;
	size_t len = 0;
	ok(reg_table_tsv_unescape(cell, &back, &len) == 0 && len == strlen(tricky) &&
	   memcmp(back, tricky, len) == 0, "TSV: the cell unescapes to the value, byte for byte");
	free(back);
	free(tsv);
	static const char bytes[] = {'x', '\0', '\\', 'y', '\x01'};
	char *esc = reg_table_tsv_escape(bytes, sizeof bytes);
	is_str(esc, "x", "TSV: other bytes as they are (a NUL too)");
	ok(esc && memcmp(esc, "x\0\\\\y\x01", 6) == 0, "TSV: only the backslash doubled there");
	ok(reg_table_tsv_unescape(esc, &back, &len) == 0 && len == 1, "TSV: unescape of a C string");
	free(back);
	free(esc);
	ok(reg_table_tsv_unescape("a\\x41", &back, &len) < 0, "TSV: an unknown escape is refused");
	ok(reg_table_tsv_unescape("a\\", &back, &len) < 0, "TSV: a lone backslash is refused");

	/* JSON */
	char *json = listing(REG_TABLE_JSON, rows, 2, &rc);
	is_int(rc, 0, "JSON listing finishes");
	is_str(json, "[\n"
		     "  {\"number\": \"150302-20261123-000001\", \"name\": \"a\\tb\\nc\\\\d\\re \\\\t 乌海\", "
		     "\"step_zh\": null},\n"
		     "  {\"number\": \"150302-20261123-000002\", \"name\": \"\", \"step_zh\": \"催办单\"}\n"
		     "]\n",
	       "JSON: an array of objects, strings escaped, NULL as null");
	free(json);
	const char *const bad[][3] = {{"\"q\"", "\xC0\xAF\xFF ok", "\x01\x7f"}};
	json = listing(REG_TABLE_JSON, bad, 1, &rc);
	is_str(json, "[\n  {\"number\": \"\\\"q\\\"\", \"name\": \"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD ok\", "
		     "\"step_zh\": \"\\u0001\x7f\"}\n]\n",
	       "JSON: invalid UTF-8 (an overlong form, 0xFF) as U+FFFD, control characters \\u");
	free(json);
	json = listing(REG_TABLE_JSON, rows, 0, &rc);
	is_str(json, "[]\n", "JSON: no rows, an empty array");
	free(json);

	/* XML */
	char *xml = listing(REG_TABLE_XML, rows, 2, &rc);
	is_int(rc, 0, "XML listing finishes");
	reg_err *err = NULL;
	xmlDoc *doc = reg_xml_parse_memory(xml, strlen(xml), "xml", &err);
	ok(doc != NULL, "XML: well-formed");
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNode *first = root ? reg_xml_child(root, "urn:regkit:status:1", "dossier") : NULL;
	char *name = first ? reg_xml_attr(first, "name") : NULL;
	is_str(name, tricky, "XML: an attribute keeps tab, newline, CR and backslash");
	char *zh = first ? reg_xml_attr(first, "step-zh") : NULL;
	ok(first && !zh, "XML: a NULL cell is no attribute");
	xmlNode *second = first ? reg_xml_next_sibling(first, "urn:regkit:status:1", "dossier") : NULL;
	char *zh2 = second ? reg_xml_attr(second, "step-zh") : NULL;
	is_str(zh2, "催办单", "XML: '_' of a column is '-'");
	char *view = root ? reg_xml_attr(root, "view") : NULL;
	is_str(view, "test", "XML: the document's attributes on the root");
	free(name), free(zh), free(zh2), free(view);
	xmlFreeDoc(doc);
	free(xml);
	xml = listing(REG_TABLE_XML, bad, 1, &rc);
	doc = reg_xml_parse_memory(xml, strlen(xml), "xml", &err);
	ok(doc != NULL, "XML: control characters and invalid UTF-8 still well-formed (U+FFFD)");
	xmlFreeDoc(doc);
	free(xml);
	reg_err_clear(&err);

	/* A record: fields, then lists. */
	for (int f = 0; f < 3; f++) {
		char *buf = NULL;
		size_t size = 0;
		FILE *fp = open_memstream(&buf, &size);
		reg_table_doc d = {"enterprise", "urn:regkit:status:1", NULL};
		reg_table *t = reg_table_new(fp, (reg_table_format)f, &d, true, &err);
		static const char *const vcols[] = {"item", "verdict"};
		reg_table_field(t, "number", "150302-20261123-000001");
		reg_table_field(t, "uscc", NULL);
		reg_table_list(t, "verdicts", "verdict", vcols, 2);
		reg_table_row(t, (const char *const[]){"tax-registration", "approved"});
		reg_table_row(t, (const char *const[]){"seal-filing", NULL});
		reg_table_list(t, "slips", "slip", vcols, 2);
		rc = reg_table_finish(t, &err);
		reg_table_free(t);
		fclose(fp);
		is_int(rc, 0, "record %d finishes", f);
		if (f == REG_TABLE_TSV)
			is_str(buf, "enterprise\nfield\tvalue\nnumber\t150302-20261123-000001\nuscc\t\n"
				    "\nverdicts\nitem\tverdict\ntax-registration\tapproved\nseal-filing\t\n"
				    "\nslips\nitem\tverdict\n",
			       "TSV record: blocks, each with its name and header");
		else if (f == REG_TABLE_JSON)
			is_str(buf, "{\n  \"number\": \"150302-20261123-000001\",\n  \"uscc\": null,\n"
				    "  \"verdicts\": [\n    {\"item\": \"tax-registration\", \"verdict\": "
				    "\"approved\"},\n    {\"item\": \"seal-filing\", \"verdict\": null}\n  ],\n"
				    "  \"slips\": []\n}\n",
			       "JSON record: an object with nested lists");
		else
			ok(strstr(buf, "<enterprise xmlns=\"urn:regkit:status:1\" number=\"150302-20261123-000001\">") &&
			   strstr(buf, "<verdicts>") && strstr(buf, "<verdict item=\"seal-filing\"/>") &&
			   strstr(buf, "<slips/>"), "XML record: fields on the root, lists as elements");
		free(buf);
	}

	/* Out of order is a bug, said at the finish. */
	FILE *null = fopen("/dev/null", "w");
	reg_table *t = reg_table_new(null, REG_TABLE_TSV, NULL, false, &err);
	reg_table_row(t, rows[0]);
	ok(reg_table_finish(t, &err) < 0 && reg_err_code(err) == REG_EINTERNAL,
	   "a row before its list is REG_EINTERNAL");
	reg_table_free(t);
	reg_err_clear(&err);
	t = reg_table_new(null, REG_TABLE_JSON, NULL, false, &err);
	reg_table_list(t, "a", "a", cols, 3);
	reg_table_field(t, "x", "y");
	ok(reg_table_finish(t, &err) < 0, "a field in a listing is refused");
	reg_table_free(t);
	reg_err_clear(&err);
	fclose(null);

	/* Streaming: the rows are out before the finish. */
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);
	reg_table_doc sd = {"status", NULL, NULL};
	t = reg_table_new(fp, REG_TABLE_XML, &sd, false, &err);
	reg_table_list(t, "d", "dossier", cols, 3);
	for (int i = 0; i < 20000; i++)
		reg_table_row(t, rows[1]);
	fflush(fp);
	ok(size > 100000, "XML: 20 000 rows written before the finish (%zu bytes)", size);
	reg_table_free(t);
	fclose(fp);
	free(buf);

	reg_table_format fm;
	ok(reg_table_format_parse("json", &fm) == 0 && fm == REG_TABLE_JSON &&
	   reg_table_format_parse("JSON", &fm) < 0, "format names");
	reg_xml_cleanup();
	return tap_done();
}
