/*
 * reg-approve — parallel approval (并联审批): each department reviews its own items of the
 * accepted dossiers (--dept), a clerk records a decision (--dossier), or every department at
 * once on a pool of threads (--all, merged as reg-merge would).
 */
#include <stdlib.h>

#include "approve.h"
#include "catalog.h"
#include "cli.h"
#include "table.h"
#include "xml.h"

static const char prog[] = "reg-approve";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s --dept DEPT [options] [FILE...]\n"
	       "       %s --dept DEPT --dossier NUMBER [--item ID] --verdict VERDICT\n"
	       "                   --reason TEXT --reviewer NAME [options] [FILE...]\n"
	       "       %s --all [-j N] [options] [FILE...]\n"
	       "       %s --list-depts\n"
	       "Review accepted dossiers (并联审批): one approval per catalog item of the department,\n"
	       "appended to each dossier and recorded in the registry.  FILE is a dossier or a batch;\n"
	       "none or '-' reads standard input.\n\n"
	       "  -d, --dept DEPT       review as this department (a catalog department id)\n"
	       "  -a, --all             every department at once, merged (state set) as reg-merge does\n"
	       "  -j, --jobs N          with --all: N threads (default: the number of cores)\n"
	       "  -l, --list-depts      print the catalog's departments: id, Chinese, English (TAB)\n"
	       "      --format F        ... as a table: tsv (with a header line), json or xml\n"
	       "      --dossier NUMBER  a clerk's decision on the dossier with this acceptance number\n"
	       "      --item ID         ... on this item only (default: every applicable item of DEPT)\n"
	       "      --verdict V       ... approved, rejected or supplement\n"
	       "      --reason TEXT     ... why (repeatable; at least one)\n"
	       "      --reviewer NAME   who decides (default for automatic verdicts: reg-approve)\n"
	       "      --offline         review and sign only, with no registry (a department's host;\n"
	       "                        reg-merge records the stream at the authority)\n"
	       "      --key FILE        sign with this private key of DEPT (default: where the\n"
	       "                        authority file says this host keeps it)\n"
	       "  -o, --output FILE     write the dossiers to FILE instead of standard output\n%s\n%s\n"
	       "Exit status: 0 all reviewed, 1 some dossiers refused (the others go on), 64 usage,\n"
	       "65 input not XML dossiers, 66 input missing, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n"),
	       prog, prog, prog, prog, reg_cli_progress_help, config ? config : "");
	free(config);
}

enum { OPT_DOSSIER = 0x2000, OPT_ITEM, OPT_VERDICT, OPT_REASON, OPT_REVIEWER, OPT_OFFLINE,
       OPT_KEY, OPT_FORMAT };

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"dept", required_argument, NULL, 'd'},
		{"all", no_argument, NULL, 'a'},
		{"jobs", required_argument, NULL, 'j'},
		{"list-depts", no_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"dossier", required_argument, NULL, OPT_DOSSIER},
		{"item", required_argument, NULL, OPT_ITEM},
		{"verdict", required_argument, NULL, OPT_VERDICT},
		{"reason", required_argument, NULL, OPT_REASON},
		{"reviewer", required_argument, NULL, OPT_REVIEWER},
		{"offline", no_argument, NULL, OPT_OFFLINE},
		{"key", required_argument, NULL, OPT_KEY},
		REG_CLI_PROGRESS_OPTIONS,
		{"format", required_argument, NULL, OPT_FORMAT},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	reg_approve_request rq = {.prog = prog};
	const char **reasons = calloc((size_t)argc + 1, sizeof *reasons);
	const char *output = NULL;
	reg_err *err = NULL;
	bool all = false, list = false, jobs_given = false, has_verdict = false, formatted = false;
	reg_table_format fmt = REG_TABLE_TSV;
	int opt, code = 0;
	if (!cfg || !reasons) {
		fprintf(stderr, _("%s: out of memory\n"), prog);
		code = REG_EINTERNAL;
		goto out;
	}
	while ((opt = getopt_long(argc, argv, ":d:aj:lo:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': rq.dept = optarg; break;
		case 'a': all = true; break;
		case 'j':
			if (reg_cli_parse_count(optarg, 1, REG_APPROVE_MAX_THREADS, &rq.jobs) < 0) {
				code = reg_cli_usage_error(prog, "-j wants a number of threads from 1 to %d",
							   REG_APPROVE_MAX_THREADS);
				goto out;
			}
			jobs_given = true;
			break;
		case 'l': list = true; break;
		case 'o': output = optarg; break;
		case OPT_DOSSIER: rq.dossier = optarg; break;
		case OPT_ITEM: rq.item = optarg; break;
		case OPT_VERDICT:
			if (reg_verdict_parse(optarg, &rq.verdict) < 0 ||
			    rq.verdict == REG_VERDICT_NOT_APPLICABLE) {
				code = reg_cli_usage_error(prog, "--verdict is approved, rejected or "
							   "supplement, not '%s'", optarg);
				goto out;
			}
			has_verdict = true;
			break;
		case OPT_REASON: reasons[rq.n_reasons++] = optarg; break;
		case OPT_REVIEWER: rq.reviewer = optarg; break;
		case OPT_OFFLINE: rq.offline = true; break;
		case OPT_KEY: rq.key = optarg; break;
		case OPT_FORMAT:
			if (reg_table_format_parse(optarg, &fmt) < 0) {
				code = reg_cli_usage_error(prog, "--format is tsv, json or xml, not '%s'",
						   optarg);
				goto out;
			}
			formatted = true;
			break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg)) {
				code = reg_cli_option_error(prog, opt, argv);
				goto out;
			}
		}
	}
	rq.reasons = reasons;
	rq.mode = all ? REG_APPROVE_ALL : rq.dossier ? REG_APPROVE_DECISION : REG_APPROVE_DEPT;
	size_t n_inputs = (size_t)(argc - optind);
	reg_approve_given given = {.all = all, .list = list, .jobs = jobs_given,
				   .verdict = has_verdict, .format = formatted,
				   .n_inputs = n_inputs, .output = output};
	const char *why = reg_approve_request_problem(&rq, &given);
	if (why) {
		code = reg_cli_usage_error(prog, "%s", why);
		goto out;
	}
	reg_xml_init(reg_config_schema_dir(cfg));
	if ((list ? reg_approve_list_depts(cfg, formatted ? &fmt : NULL, &err)
	          : reg_approve_run(cfg, &rq, argv + optind, n_inputs, output, &err)) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	free(reasons);
	reg_config_free(cfg);
	reg_xml_cleanup();
	return code;
}
