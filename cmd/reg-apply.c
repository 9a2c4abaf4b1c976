/*
 * reg-apply — one-window acceptance (一窗受理): applications in (CSV batches, XML dossiers or
 * batches, or the interactive form), accepted dossiers out, rejections on stderr.
 */
#include <stdlib.h>

#include "appform.h"
#include "cli.h"
#include "intake.h"
#include "xml.h"

static const char prog[] = "reg-apply";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_ALL);
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
	       prog, prog, reg_cli_progress_help, config ? config : "");
	free(config);
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
	reg_intake_request r = {.prog = prog, .cfg = reg_config_new(), .encoding = REG_CSV_UTF8};
	char *default_draft = NULL;
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":ce:io:r:", longopts, NULL)) != -1) {
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
				code = reg_cli_option_error(prog, opt, argv);
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
	if (reg_intake_run(&r, &err) < 0)
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
