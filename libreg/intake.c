#include "intake.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "appform.h"
#include "application.h"
#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "files.h"
#include "registry.h"
#include "xml.h"

/* An accepted dossier as it will be written, held until its group is committed. */
typedef struct held {
	char *xml;
	size_t len;
} held;

#define GROUP_MAX 64 /* acceptances per registry transaction */

struct reg_intake {
	reg_intake_options opt;
	reg_xml_out *out;          /* created at the first dossier or at finish */
	bool out_batch;            /* what `out` was made as: its dossiers nested in a <batch> */
	bool batch;
	held *held;                /* the group's accepted dossiers, not written before its commit */
	size_t n_held;
	bool group_open;           /* this intake began the registry transaction of a group */
	reg_xml_out *xml_rejects;
	reg_csv_writer *csv_rejects;
	bool rejects_header_written;
	size_t header_width;       /* columns of the current CSV input's header */
	size_t accepted, rejected;
};

reg_intake_format reg_intake_guess(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 4 && strcasecmp(name + n - 4, ".csv") == 0 ? REG_INTAKE_CSV : REG_INTAKE_XML;
}

reg_intake *reg_intake_new(const reg_intake_options *opt, reg_err **errp)
{
	reg_intake *in = calloc(1, sizeof *in);
	if (!in) {
		reg_err_oom(errp);
		return NULL;
	}
	in->opt = *opt;
	in->batch = opt->batch;
	if (opt->rejects && opt->rejects_format == REG_INTAKE_CSV) {
		/* A BOM, so Excel on a Chinese Windows opens the rejects as UTF-8. */
		in->csv_rejects = reg_csv_writer_new(opt->rejects, opt->rejects_name,
						     REG_CSV_WRITE_BOM, errp);
		if (!in->csv_rejects) {
			free(in);
			return NULL;
		}
	} else if (opt->rejects) {
		in->xml_rejects = reg_xml_out_new(opt->rejects, true);
	}
	return in;
}

static void drop_held(reg_intake *in)
{
	for (size_t i = 0; i < in->n_held; i++)
		free(in->held[i].xml);
	in->n_held = 0;
}

void reg_intake_free(reg_intake *in)
{
	if (!in)
		return;
	/* A group not finished was never written out: nothing of it is kept either. */
	reg_registry *reg = in->opt.apply ? reg_apply_registry(in->opt.apply) : NULL;
	if (reg && reg_registry_in_transaction(reg))
		reg_registry_rollback(reg, NULL);
	drop_held(in);
	free(in->held);
	reg_xml_out_free(in->out);
	reg_xml_out_free(in->xml_rejects);
	reg_csv_writer_free(in->csv_rejects);
	free(in);
}

size_t reg_intake_accepted(const reg_intake *in) { return in->accepted; }
size_t reg_intake_rejected(const reg_intake *in) { return in->rejected; }

/*
 * Groups.  Acceptances are recorded in groups of up to GROUP_MAX: one registry transaction,
 * each dossier in its own savepoint (libreg/apply.c), one commit — and only after the commit
 * are the group's dossiers written out, so what goes out is always recorded.  The group is
 * finished when full, whenever reading on would wait (a dossier that came alone goes out at
 * once; the next tool of a pipeline is never locked out while this one waits), and at the end.
 * A run that stops keeps nothing of its unfinished group: not recorded, not written.
 */
static int open_group(reg_intake *in, reg_err **errp)
{
	reg_registry *reg = reg_apply_registry(in->opt.apply);
	if (!reg || in->group_open)
		return 0;
	if (reg_registry_begin(reg, errp) < 0)
		return -1;
	in->group_open = true;
	return 0;
}

static int finish_group(reg_intake *in, reg_err **errp)
{
	reg_registry *reg = reg_apply_registry(in->opt.apply);
	if (in->group_open) {
		in->group_open = false;
		/* A transaction the registry has given up (the server gone) recorded nothing: its
		 * dossiers must not go out as if it had. */
		if (!reg_registry_in_transaction(reg)) {
			drop_held(in);
			return reg_err_set(errp, REG_EIO, reg_registry_path(reg), 0, NULL,
					   "the registry lost the transaction: the last dossiers "
					   "were not recorded");
		}
		if (reg_registry_commit(reg, errp) < 0) {
			reg_registry_rollback(reg, NULL);
			drop_held(in);
			return -1;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < in->n_held && rc == 0; i++)
		rc = reg_xml_out_write_dump(in->out, in->out_batch, in->held[i].xml, in->held[i].len,
					    errp);
	/* Out now, not when a buffer fills: the next tool may be waiting for exactly these. */
	if (rc == 0 && in->n_held && fflush(in->opt.out) != 0)
		rc = reg_err_set(errp, REG_EIO, NULL, 0, NULL, "write failed: %s", strerror(errno));
	drop_held(in);
	return rc;
}

static int emit(reg_intake *in, reg_dossier *d, reg_err **errp)
{
	if (!in->out) {
		if (!(in->out = reg_xml_out_new(in->opt.out, in->batch)))
			return reg_err_oom(errp);
		in->out_batch = in->batch;
	}
	if (!in->held && !(in->held = calloc(GROUP_MAX, sizeof *in->held)))
		return reg_err_oom(errp);
	held *h = &in->held[in->n_held];
	if (reg_xml_dump(reg_dossier_doc(d), in->out_batch, &h->xml, &h->len, errp) < 0)
		return -1;
	in->n_held++;
	return in->n_held == GROUP_MAX ? finish_group(in, errp) : 0;
}

static void report(reg_intake *in, const reg_err *problems)
{
	in->rejected++;
	reg_progress_add(in->opt.progress, 1);
	if (in->opt.on_reject)
		in->opt.on_reject(problems, in->opt.user);
}

/* A rejection is the answer "no" for one application; anything else stops the run. */
static bool only_rejections(const reg_err *e)
{
	return e && reg_err_exit_code(e) == REG_ENO;
}

static int reject_xml(reg_intake *in, reg_dossier *d, const reg_err *problems, reg_err **errp)
{
	report(in, problems);
	if (!in->xml_rejects)
		return 0;
	reg_dossier_add_rejection(d, problems);
	return reg_xml_out_write(in->xml_rejects, reg_dossier_doc(d), errp);
}

int reg_intake_dossier(reg_intake *in, reg_dossier *d, const char *base_dir, reg_err **errp)
{
	reg_err *problems = NULL;
	int rc = 0;
	if (open_group(in, errp) < 0) {
		reg_dossier_free(d);
		return -1;
	}
	if (reg_apply_accept(in->opt.apply, d, base_dir, false, &problems) == 0) {
		in->accepted++;
		reg_progress_add(in->opt.progress, 1);
		if (problems && in->opt.on_note)
			in->opt.on_note(problems, in->opt.user);
		rc = emit(in, d, errp);
	} else if (only_rejections(problems)) {
		rc = reject_xml(in, d, problems, errp);
	} else {
		reg_err_append(errp, &problems);
		rc = -1;
	}
	reg_err_free(problems);
	reg_dossier_free(d);
	return rc;
}

int reg_intake_xml(reg_intake *in, FILE *fp, const char *name, const char *base_dir,
		   reg_err **errp)
{
	reg_xml_stream *s = reg_xml_stream_new(fp, name, errp);
	if (!s)
		return -1;
	reg_progress_watch(in->opt.progress, fp);
	int rc;
	xmlDoc *doc = NULL;
	long line = 0;
	for (;;) {
		if (in->n_held && !reg_xml_stream_queued(s) && reg_file_would_wait(fp) &&
		    finish_group(in, errp) < 0) {
			rc = -1;
			break;
		}
		if ((rc = reg_xml_stream_next(s, &doc, &line, errp)) != 1)
			break;
		in->batch |= reg_xml_stream_is_batch(s);
		reg_dossier *d = reg_dossier_adopt(doc, name, line, errp);
		if (!d || reg_intake_dossier(in, d, base_dir, errp) < 0) {
			rc = -1;
			break;
		}
	}
	reg_xml_stream_free(s);
	return rc < 0 ? -1 : 0;
}

static int reject_row(reg_intake *in, const reg_csv_reader *r, const reg_err *problems,
		      reg_err **errp)
{
	report(in, problems);
	if (!in->csv_rejects)
		return 0;
	/* Rows are written in the header's shape: a short row is padded, so every rejected row
	 * lines up with the header even when its own field count was the problem.  The input's own
	 * line and reason (a rejects file submitted again) give way to this run's. */
	size_t width = in->header_width, have = reg_csv_count(r), n = 0;
	const char **fields = calloc(width + 2, sizeof *fields);
	char line[24], *reason = reg_err_join(problems);
	int rc = -1;
	if (!fields || !reason) {
		reg_err_oom(errp);
		goto out;
	}
	if (!in->rejects_header_written) {
		for (size_t i = 0; i < width; i++)
			if (!reg_column_is_report(reg_csv_column_name(r, i)))
				fields[n++] = reg_csv_column_name(r, i);
		fields[n] = "line";
		fields[n + 1] = "reason";
		if (reg_csv_write(in->csv_rejects, fields, n + 2, errp) < 0)
			goto out;
		in->rejects_header_written = true;
		n = 0;
	}
	/* The fields as the application had them: the writer protects them again (csv.h), so a
	 * rejects file submitted again and rejected again comes back the same. */
	for (size_t i = 0; i < width; i++)
		if (!reg_column_is_report(reg_csv_column_name(r, i)))
			fields[n++] = i < have ? reg_csv_unprotect(reg_csv_field(r, i)) : "";
	snprintf(line, sizeof line, "%ld", reg_csv_line(r));
	fields[n] = line;
	fields[n + 1] = reason;
	rc = reg_csv_write(in->csv_rejects, fields, n + 2, errp);
out:
	free(reason);
	free(fields);
	return rc;
}

static int take_row(reg_intake *in, const reg_columns *cols, const reg_csv_reader *r,
		    const char *name, const char *base_dir, reg_err **errp)
{
	size_t n = reg_csv_count(r);
	const char **values = calloc(n ? n : 1, sizeof *values);
	if (!values)
		return reg_err_oom(errp);
	/* A rejects file protected its fields against spreadsheets' formulas (csv.h): read back,
	 * each is what it was. */
	for (size_t i = 0; i < n; i++)
		values[i] = reg_csv_unprotect(reg_csv_field(r, i));
	reg_err *problems = NULL;
	int rc = 0;
	reg_dossier *d = reg_application_from_row(cols, values, n, name, reg_csv_line(r), &problems);
	free(values);
	if (d && open_group(in, errp) < 0) {
		reg_dossier_free(d);
		return -1;
	}
	if (d && reg_apply_accept(in->opt.apply, d, base_dir, true, &problems) == 0) {
		in->accepted++;
		reg_progress_add(in->opt.progress, 1);
		if (problems && in->opt.on_note)
			in->opt.on_note(problems, in->opt.user);
		rc = emit(in, d, errp);
	} else if (only_rejections(problems)) {
		rc = reject_row(in, r, problems, errp);
	} else {
		reg_err_append(errp, &problems);
		rc = -1;
	}
	reg_err_free(problems);
	reg_dossier_free(d);
	return rc;
}

int reg_intake_csv(reg_intake *in, FILE *fp, const char *name, const char *base_dir,
		   reg_csv_encoding encoding, reg_err **errp)
{
	reg_csv_reader *r = reg_csv_reader_new(fp, name, encoding, errp);
	reg_columns *cols = NULL;
	int rc = -1, got;
	in->batch = true;
	reg_progress_watch(in->opt.progress, fp);
	if (!r)
		return -1;
	if ((got = reg_csv_next(r, errp)) <= 0) {
		if (got == 0)
			reg_err_set(errp, REG_EDATA, name, 1, NULL, "no header row: not a CSV batch");
		goto out;
	}
	if (reg_csv_use_header(r, errp) < 0)
		goto out;
	{
		size_t n = reg_csv_count(r);
		const char **header = calloc(n ? n : 1, sizeof *header);
		if (!header)
			goto out;
		for (size_t i = 0; i < n; i++)
			header[i] = reg_csv_field(r, i);
		in->header_width = n;
		cols = reg_columns_new(header, n, name, errp);
		free(header);
		if (!cols)
			goto out;
	}
	for (;;) {
		reg_err *row_err = NULL;
		if (in->n_held && reg_file_would_wait(fp) && finish_group(in, errp) < 0)
			goto out;
		got = reg_csv_next(r, &row_err);
		if (got == 0)
			break;
		if (got < 0 && reg_csv_fatal(r)) {
			reg_err_append(errp, &row_err);
			goto out;
		}
		if (got < 0) {
			/* This row's bytes were bad (an encoding problem): reject it, go on. */
			reg_err_recode(row_err, REG_ENO);
			int written = reject_row(in, r, row_err, errp);
			reg_err_free(row_err);
			if (written < 0)
				goto out;
			continue;
		}
		if (reg_csv_blank(r))
			continue;
		if (take_row(in, cols, r, name, base_dir, errp) < 0)
			goto out;
	}
	rc = 0;
out:
	reg_columns_free(cols);
	reg_csv_reader_free(r);
	return rc;
}

int reg_intake_finish(reg_intake *in, reg_err **errp)
{
	if (finish_group(in, errp) < 0)
		return -1;
	if (!in->out && in->batch && !(in->out = reg_xml_out_new(in->opt.out, true)))
		return reg_err_oom(errp);
	if (in->out && reg_xml_out_finish(in->out, errp) < 0)
		return -1;
	if (in->xml_rejects && reg_xml_out_finish(in->xml_rejects, errp) < 0)
		return -1;
	return 0;
}

/* ---- a whole run of reg-apply ------------------------------------------------------------- */

/* Rejections and notes alike: `reg-apply: FILE:LINE: FIELD: message` on stderr. */
static void print_rejection(const reg_err *problems, void *user)
{
	const reg_intake_request *r = user;
	reg_err_print(problems, r->prog, stderr);
}

static char *folder_of(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return strdup(".");
	char *copy = strdup(path), *dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	return dir;
}

/* The counter: one application through the readline form — checked by acceptance as it is
 * typed — then the same acceptance as a file.  Abandoning ("abandon") or interrupting (Ctrl-D,
 * the answers kept in the draft) records nothing and is the answer "no". */
static int accept_form(const reg_intake_request *r, const reg_catalog *cat, reg_apply *apply, reg_intake *in,
		       reg_err **errp)
{
	size_t n_mat = reg_catalog_material_count(cat), n_items = reg_catalog_item_count(cat);
	const char **materials = calloc(n_mat + 1, sizeof *materials);
	const char **items = calloc(n_items + 1, sizeof *items);
	char *values[REG_COL__COUNT] = {0}, *history = reg_form_history_path();
	int64_t now;
	int offset, rc = -1;
	if (!materials || !items) {
		reg_err_oom(errp);
		goto out;
	}
	for (size_t i = 0; i < n_mat; i++)
		materials[i] = reg_material_id(reg_catalog_material(cat, i));
	for (size_t i = 0; i < n_items; i++)
		items[i] = reg_item_id(reg_catalog_item(cat, i));
	if (reg_config_now(r->cfg, &now, errp) < 0 || reg_config_offset(r->cfg, &offset, errp) < 0)
		goto out;
	reg_form_options opt = {
		.in = stdin, .out = stderr, .history = history, .material_ids = materials,
		.item_ids = items, .division = reg_authority_division(reg_config_authority(r->cfg, NULL)),
		.apply = apply, .base_dir = ".", .draft = r->draft,
	};
	reg_time_civil(now, offset, &opt.today_year, &opt.today_month, &opt.today_day);
	int answered = reg_form_run(&opt, values, errp);
	if (answered < 0)
		goto out;
	if (answered == 0) {
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "abandoned: nothing recorded");
		goto out;
	}
	if (answered == 2) {
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL,
				 "interrupted: nothing recorded; reg-apply -i resumes from %s",
				 r->draft);
		goto out;
	}
	reg_dossier *d = reg_application_from_fields((const char *const *)values, "-", 0, errp);
	rc = d ? reg_intake_dossier(in, d, ".", errp) : -1;
out:
	reg_form_values_free(values);
	free(history);
	free(materials);
	free(items);
	return rc;
}

int reg_intake_run(const reg_intake_request *r, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_registry *reg = NULL;
	reg_apply *apply = NULL;
	reg_intake *in = NULL;
	FILE *out = NULL, *rejects = NULL;
	int rc = -1;
	reg_intake_format first = r->csv ? REG_INTAKE_CSV
				: reg_intake_guess(r->n_inputs ? r->inputs[0] : NULL);

	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(cat = reg_catalog_load(reg_config_catalog_path(r->cfg), reg_config_schema_dir(r->cfg),
				     errp)) ||
	    !(reg = reg_registry_open(reg_config_db(r->cfg), errp)) ||
	    !(apply = reg_apply_new(r->cfg, cat, reg, errp)) ||
	    !(out = reg_cli_open_output(r->output, errp)) ||
	    (r->rejects && !(rejects = reg_cli_open_output(r->rejects, errp))))
		goto out;
	reg_intake_options opt = {
		.apply = apply, .out = out, .batch = r->n_inputs > 1, .rejects = rejects,
		.rejects_name = r->rejects, .rejects_format = first, .on_reject = print_rejection,
		.on_note = print_rejection, .user = (void *)r,
		.progress = r->interactive ? NULL : reg_config_progress(r->cfg, "applications"),
	};
	if (!(in = reg_intake_new(&opt, errp)))
		goto out;
	rc = 0;
	for (int i = 0; i < r->n_inputs || (i == 0 && !r->interactive); i++) {
		const char *name = i < r->n_inputs ? r->inputs[i] : "-";
		reg_intake_format format = r->csv ? REG_INTAKE_CSV : reg_intake_guess(name);
		if (r->rejects && format != first) {
			rc = reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
					 "--rejects needs inputs of one format (CSV or XML)");
			break;
		}
		FILE *fp = reg_cli_open_input(name, errp);
		char *base = folder_of(name);
		if (!fp || !base)
			rc = -1;
		else if (format == REG_INTAKE_CSV)
			rc = reg_intake_csv(in, fp, name, base, r->encoding, errp);
		else
			rc = reg_intake_xml(in, fp, name, base, errp);
		free(base);
		if (fp && fp != stdin)
			fclose(fp);
		if (rc < 0)
			break;
	}
	if (rc == 0 && r->interactive)
		rc = accept_form(r, cat, apply, in, errp);
	/* Whatever was accepted before a failure is recorded: its dossiers must reach the output. */
	/* After a failure its message is the one that counts: what finishing finds, not. */
	reg_err *late = NULL;
	if (reg_intake_finish(in, rc < 0 ? &late : errp) < 0)
		rc = -1;
	reg_err_free(late);
	if (rc == 0 && reg_intake_rejected(in) > 0)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu of %zu applications rejected",
				 reg_intake_rejected(in),
				 reg_intake_rejected(in) + reg_intake_accepted(in));
	/* The form's dossier recorded (and written out): its draft has done its work.  Refused,
	 * the draft stays for the next -i to resume and correct. */
	if (rc == 0 && r->interactive && reg_intake_accepted(in) == 1 &&
	    reg_form_draft_remove(r->draft, errp) < 0)
		rc = -1;
out:
	if (reg_cli_close(out, r->output, errp) < 0 ||
	    (rejects && reg_cli_close(rejects, r->rejects, errp) < 0))
		rc = -1;
	reg_intake_free(in);
	reg_apply_free(apply);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return rc;
}
