/*
 * reg-merge — the fan-in of parallel approval: the copies of each dossier coming back from the
 * departments' streams become one dossier, its verdicts recorded and its state decided by the
 * registry (libreg/fanin.h).
 */
#include <stdlib.h>

#include "cli.h"
#include "fanin.h"
#include "xml.h"

static const char prog[] = "reg-merge";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s [options] [FILE...]\n"
	       "Merge the approvals of the same dossiers coming from several department streams\n"
	       "(reg-approve --dept, or files from departments' own hosts), record every verdict\n"
	       "its department's signature proves, and write each dossier as the registry holds it:\n"
	       "approved, rejected or pending with what is outstanding.  FILE is a dossier or a\n"
	       "batch; none or '-' reads standard input.\n\n"
	       "  -o, --output FILE     write the merged dossiers to FILE instead of standard output\n\n"
	       "%s\n%s\n"
	       "Exit status: 0 all merged, 1 some dossiers refused (the others go on), 64 usage,\n"
	       "65 input not XML dossiers, 66 input missing, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n"),
	       prog, reg_cli_progress_help, config ? config : "");
	free(config);
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		REG_CLI_PROGRESS_OPTIONS,
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	const char *output = NULL;
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg)) {
				code = reg_cli_option_error(prog, opt, argv);
				goto out;
			}
		}
	}
	reg_xml_init(reg_config_schema_dir(cfg));
	if (reg_fanin_run(cfg, argv + optind, (size_t)(argc - optind), output, prog, &err) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(cfg);
	reg_xml_cleanup();
	return code;
}
