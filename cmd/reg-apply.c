/*
 * reg-apply — one-window acceptance (一窗受理): applications in (CSV batches, XML dossiers or
 * batches, or the interactive form), accepted dossiers out, rejections on stderr.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "application.h"
#include "catalog.h"
#include "cli.h"
#include "clock.h"
#include "appform.h"
#include "intake.h"
#include "registry.h"
#include "xml.h"

static const char prog[] = "reg-apply";

static void usage(void)
{
	printf(_("usage: %s [options] [FILE...]\n"
	       "       %s -i [options]\n"
	       "Accept applications (一窗受理): check each once, number it, record it in the registry\n"
	       "and write the accepted dossiers to standard output.  FILE is a CSV batch (by its .csv\n"
	       "name or --csv) or an XML dossier or batch; none or '-' reads standard input.\n\n"
	       "  -c, --csv             read the inputs as CSV whatever their names\n"
	       "  -e, --encoding ENC    CSV encoding: utf-8 (default) or gbk\n"
	       "  -i, --interactive     fill in one application at the counter (readline form)\n"
	       "      --draft FILE      keep the form's answers in FILE until it is accepted\n"
	       "                        (default $XDG_STATE_HOME/regkit/draft)\n"
	       "  -o, --output FILE     write accepted dossiers to FILE instead of standard output\n"
	       "  -r, --rejects FILE    write rejected applications to FILE in their input format\n"
	       "                        (CSV: the same columns plus line and reason)\n%s\n%s\n"
	       "Exit status: 0 all accepted, 1 some rejected, 64 usage, 65 input not CSV or XML,\n"
	       "66 input missing, 70 internal error, 73 cannot create output, 74 I/O error,\n"
	       "75 registry busy, 78 bad catalog or configuration.\n"),
	       prog, prog, reg_cli_progress_help, reg_cli_config_help);
}

typedef struct run {
	reg_config *cfg;
	bool csv;
	bool interactive;
	reg_csv_encoding encoding;
	const char *output;
	const char *rejects;
	const char *draft;      /* --draft, else the standard one (appform.h) */
	char **inputs;
	int n_inputs;
} run;

/* Rejections and notes alike: `reg-apply: FILE:LINE: FIELD: message` on stderr. */
static void print_rejection(const reg_err *problems, void *user)
{
	(void)user;
	reg_err_print(problems, prog, stderr);
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
static int accept_form(run *r, const reg_catalog *cat, reg_apply *apply, reg_intake *in,
		       reg_err **errp)
{
	size_t n_mat = reg_catalog_material_count(cat), n_items = reg_catalog_item_count(cat);
	const char **materials = calloc(n_mat + 1, sizeof *materials);
	const char **items = calloc(n_items + 1, sizeof *items);
	char *values[REG_COL__COUNT] = {0}, *history = reg_form_history_path();
	int64_t now;
	int offset, rc = -1;
	if (!materials || !items) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
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

static int accept_all(run *r, reg_err **errp)
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
		.on_note = print_rejection,
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

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"csv", no_argument, NULL, 'c'},
		{"draft", required_argument, NULL, 'D'},
		{"encoding", required_argument, NULL, 'e'},
		{"interactive", no_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'o'},
		{"rejects", required_argument, NULL, 'r'},
		REG_CLI_PROGRESS_OPTIONS,
		REG_CLI_CONFIG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	run r = {.cfg = reg_config_new(), .encoding = REG_CSV_UTF8};
	char *default_draft = NULL;
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, "ce:io:r:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': r.csv = true; break;
		case 'D': r.draft = optarg; break;
		case 'e':
			if (reg_csv_encoding_parse(optarg, &r.encoding, &err) < 0) {
				code = reg_cli_usage_error(prog, "%s", reg_err_message(err));
				goto out;
			}
			break;
		case 'i': r.interactive = true; break;
		case 'o': r.output = optarg; break;
		case 'r': r.rejects = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(r.cfg, opt, optarg)) {
				code = reg_cli_usage_error(prog, "unknown option");
				goto out;
			}
		}
	}
	r.inputs = argv + optind;
	r.n_inputs = argc - optind;
	if (r.interactive && r.n_inputs > 0) {
		code = reg_cli_usage_error(prog, "-i reads the form, not files");
		goto out;
	}
	if (r.draft && !r.interactive) {
		code = reg_cli_usage_error(prog, "--draft is the form's (-i)");
		goto out;
	}
	if (r.interactive && !r.draft)
		r.draft = default_draft = reg_form_draft_path();
	if (accept_all(&r, &err) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	free(default_draft);
	reg_err_free(err);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
