/* The CSV reader: any bytes as a CSV batch, read as UTF-8 and again as GBK; the header mapped to
 * the application's columns and every row turned into a dossier and checked as the window
 * checks it. */
#include <stdio.h>
#include <stdlib.h>

#include "application.h"
#include "apply.h"
#include "csv.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_world_get();
	return 0;
}

/* The current record's fields as an array the application module takes. */
static const char **fields(const reg_csv_reader *r, size_t *n)
{
	*n = reg_csv_count(r);
	const char **v = calloc(*n + 1, sizeof *v);
	for (size_t i = 0; v && i < *n; i++)
		v[i] = reg_csv_field(r, i);
	return v;
}

static void one_pass(const uint8_t *data, size_t size, reg_csv_encoding enc)
{
	static const char name[] = "fuzz.csv";
	const fuzz_world *w = fuzz_world_get();
	FILE *fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return;
	reg_err *err = NULL;
	reg_columns *cols = NULL;
	reg_csv_reader *r = reg_csv_reader_new(fp, name, enc, &err);
	size_t n = 0;
	const char **v = NULL;
	if (!r || reg_csv_next(r, &err) != 1 || reg_csv_use_header(r, &err) < 0 ||
	    !(v = fields(r, &n)) || !(cols = reg_columns_new(v, n, name, &err)))
		goto out;
	int more;
	while ((more = reg_csv_next(r, &err)) != 0) {
		if (more < 0) {
			if (reg_csv_fatal(r))
				break;
			reg_err_clear(&err);
			continue;
		}
		if (reg_csv_blank(r))
			continue;
		free(v);
		if (!(v = fields(r, &n)))
			break;
		reg_dossier *d = reg_application_from_row(cols, v, n, name, reg_csv_line(r), &err);
		reg_err_clear(&err);
		if (d)
			(void)reg_apply_check(w->checker, d, w->fixtures, true, &err);
		reg_err_clear(&err);
		reg_dossier_free(d);
	}
out:
	free(v);
	reg_columns_free(cols);
	reg_csv_reader_free(r);
	reg_err_free(err);
	fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_pass(data, size, REG_CSV_UTF8);
	one_pass(data, size, REG_CSV_GBK);
	return 0;
}
