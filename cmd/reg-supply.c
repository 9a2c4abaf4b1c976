/*
 * reg-supply — the window records what an applicant brings after acceptance: a supplement
 * (补正) asked for by a department, or a material promised under a commitment (告知承诺).
 * Writes the dossier as the registry now holds it, for reg-approve.
 */
#include <stdlib.h>

#include "cli.h"
#include "supply.h"
#include "xml.h"

static const char prog[] = "reg-supply";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s [options] NUMBER MATERIAL=FILE...\n"
	       "Record materials handed in after acceptance for dossier NUMBER.  A material the\n"
	       "dossier owes under a commitment fulfils it (no verdict changes); any other is a\n"
	       "supplement: a new body version, and the departments whose items use it review\n"
	       "again.  FILE is read inside the folder (-C), never through a link.  Writes the\n"
	       "dossier as the registry now holds it; says on stderr what was recorded.\n\n"
	       "  -C, --folder DIR      where the files are (default: the current folder)\n"
	       "  -o, --output FILE     where the dossier goes (default: standard output)\n\n%s\n"
	       "Exit status: 0 recorded, 1 refused (unknown dossier or material, a file refused,\n"
	       "the dossier issued or rejected), 64 usage, 70 internal, 74 I/O error, 75 registry\n"
	       "busy, 78 bad catalog or configuration.\n"),
	       prog, config ? config : "");
	free(config);
}

static int supply(reg_config *cfg, reg_supply_request *rq, char **args, int n,
		  const char *output, reg_err **errp)
{
	reg_supplied *list = calloc((size_t)n + 1, sizeof *list);
	reg_supply_report report = {0};
	reg_dossier *view = NULL;
	reg_xml_out *xo = NULL;
	FILE *out = NULL;
	int rc = -1;
	if (!list)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
	for (int i = 0; i < n; i++)
		if (reg_supplied_parse(args[i], &list[i], errp) < 0)
			goto out;
	rq->materials = list;
	rq->n_materials = (size_t)n;
	reg_xml_init(reg_config_schema_dir(cfg));
	if (!(view = reg_supply(cfg, rq, &report, errp)))
		goto out;
	reg_supply_report_print(&report, prog, stderr);
	if (!(out = reg_cli_open_output(output, errp)) || !(xo = reg_xml_out_new(out, false)))
		goto out;
	rc = reg_xml_out_write(xo, reg_dossier_doc(view), errp) < 0 ||
	     reg_xml_out_finish(xo, errp) < 0 ? -1 : 0;
out:
	reg_xml_out_free(xo);
	if (out && reg_cli_close(out, output, errp) < 0)
		rc = -1;
	reg_dossier_free(view);
	reg_supply_report_clear(&report);
	free(list);
	return rc;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"folder", required_argument, NULL, 'C'},
		{"output", required_argument, NULL, 'o'},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	reg_supply_request rq = {0};
	const char *output = "-";
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":C:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C': rq.folder = optarg; break;
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
	if (argc - optind < 2) {
		code = reg_cli_usage_error(prog, "give the dossier's NUMBER and at least one "
					   "MATERIAL=FILE");
		goto out;
	}
	rq.number = argv[optind];
	if (supply(cfg, &rq, argv + optind + 1, argc - optind - 1, output, &err) < 0)
		code = reg_err_exit_code(err);
	reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(cfg);
	reg_xml_cleanup();
	return code;
}
