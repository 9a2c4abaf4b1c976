/*
 * reg-issue — one-window issuance (一窗出件): approved dossiers in, one signed reproducible
 * archive per enterprise out, and a line `USCC<TAB>path<TAB>sha256` per archive on stdout.
 */
#include <stdlib.h>

#include "cli.h"
#include "issue.h"
#include "table.h"
#include "xml.h"

static const char prog[] = "reg-issue";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s -o DIR [options] [FILE...]\n"
	       "Issue approved dossiers (一窗出件): for each, the USCC, the business license, the\n"
	       "twenty registration records and the free seal set in one signed archive\n"
	       "DIR/<USCC>.tar.gz.  FILE is a dossier or batch from reg-merge; none or '-' reads\n"
	       "standard input.  Prints USCC<TAB>path<TAB>sha256 per archive.\n\n"
	       "  -o, --output DIR      where the archives go (created if missing)\n"
	       "      --new-edition     give issued dossiers a new edition of their archive\n"
	       "                        (DIR/<USCC>-N.tar.gz) instead of writing the recorded one\n"
	       "  -j, --jobs N          build archives on N threads (default: the cores); the\n"
	       "                        archives are the same bytes whatever N\n"
	       "      --format F        the lines as a table: tsv (with a header line), json or\n"
	       "                        xml (urn:regkit:issued:1)\n%s\n%s\n"
	       "Exit status: 0 all issued, 1 some dossiers not issued (not approved, changed since\n"
	       "acceptance), 64 usage, 65 input not XML, 66 input missing, 73 cannot create an\n"
	       "archive, 74 I/O error, 75 registry busy, 78 bad catalog, authority or key.\n"),
	       prog, reg_cli_progress_help, config ? config : "");
	free(config);
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"new-edition", no_argument, NULL, 'E'},
		{"jobs", required_argument, NULL, 'j'},
		REG_CLI_PROGRESS_OPTIONS,
		{"format", required_argument, NULL, 'F'},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_issue_request r = {.prog = prog, .cfg = reg_config_new()};
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":o:j:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': r.out_dir = optarg; break;
		case 'E': r.new_edition = true; break;
		case 'j':
			if (reg_cli_parse_count(optarg, 1, REG_ISSUE_MAX_THREADS, &r.threads) < 0) {
				code = reg_cli_usage_error(prog, "-j needs a number of threads from 1 "
							   "to %d", REG_ISSUE_MAX_THREADS);
				goto out;
			}
			break;
		case 'F':
			r.formatted = true;
			if (reg_table_format_parse(optarg, &r.format) < 0) {
				code = reg_cli_usage_error(prog, "--format is tsv, json or xml, not '%s'",
						   optarg);
				goto out;
			}
			break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(r.cfg, opt, optarg)) {
				code = reg_cli_option_error(prog, opt, argv);
				goto out;
			}
		}
	}
	if (!r.out_dir) {
		code = reg_cli_usage_error(prog, "-o DIR is required (where the archives go)");
		goto out;
	}
	r.inputs = argv + optind;
	r.n_inputs = argc - optind;
	if (reg_issue_run(&r, &err) < 0)
		code = reg_err_exit_code(err);
	reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
