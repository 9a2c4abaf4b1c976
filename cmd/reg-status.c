/*
 * reg-status — the supervisor's views of the registry (dossiers by state, pending and overdue
 * reviews, commitments falling due), the escalation ladder (三单一函: --escalate writes each due
 * slip once), the export of dossiers and the lookup of one enterprise.  main parses the options
 * and hands the request to libreg/status.h.
 */

#include <stdlib.h>

#include "cli.h"
#include "clock.h"
#include "dossier.h"
#include "status.h"
#include "xml.h"

static const char prog[] = "reg-status";

/* Commitments due within this long from now are "falling due" (--within changes it). */
#define DEFAULT_WITHIN (3 * 86400)

enum { OPT_STATE = 1, OPT_OVERDUE, OPT_PENDING, OPT_COMMITMENTS, OPT_WITHIN, OPT_XML,
       OPT_ESCALATE, OPT_EXPORT, OPT_FORMAT, OPT_UNMASK };

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s [--state STATE] [--format F] [-o FILE] [options]\n"
	       "       %s --overdue | --pending [--state STATE] [--format F] [-o FILE] [options]\n"
	       "       %s --commitments [--within DURATION] [--format F] [-o FILE] [options]\n"
	       "       %s --escalate -o DIR [--format F] [options]\n"
	       "       %s --export [-o FILE] [options] NUMBER...\n"
	       "       %s [--format F] [--unmask] [-o FILE] [options] QUERY\n"
	       "Show the registry: dossiers (default), reviews past a rung of the escalation ladder\n"
	       "(--overdue) or all pending ones (--pending), commitments falling due or overdue\n"
	       "(--commitments); or write each due escalation slip once into DIR (--escalate); or\n"
	       "one enterprise: QUERY is its USCC, acceptance number or exact name.\n\n"
	       "      --state STATE     only dossiers in STATE (accepted, approved, rejected,\n"
	       "                        pending, issued)\n"
	       "      --overdue         pending reviews that reached a rung (提醒单 … 移交函)\n"
	       "      --pending         every pending review, with the rung reached if any\n"
	       "      --commitments     owed commitments due within --within, or overdue\n"
	       "      --within DURATION how far ahead --commitments looks (ISO 8601, default P3D)\n"
	       "      --escalate        write the due slips into the directory given by -o\n"
	       "      --export          the dossiers NUMBER... as the registry holds them\n"
	       "      --format F        tsv (default), json or xml (urn:regkit:status:1)\n"
	       "      --xml             the same as --format xml\n"
	       "      --unmask          a lookup shows citizen ids in full (default 150302********0104)\n"
	       "  -o, --output PATH     the output file (default standard output), or with\n"
	       "                        --escalate the slip directory\n\n%s\n"
	       "Exit status: 0 success, 1 not in the registry (a QUERY, an --export NUMBER), 64 usage,\n"
	       "66 no registry, 73 cannot create output, 75 registry busy, 78 bad catalog or\n"
	       "configuration.\n"),
	       prog, prog, prog, prog, prog, prog, config ? config : "");
	free(config);
}

static int choose(reg_status_request *rq, int *views, reg_status_view v)
{
	if ((*views)++ && rq->view != v)
		return reg_cli_usage_error(prog, "--%s and --%s are different views: choose one",
					   reg_status_view_name(rq->view), reg_status_view_name(v));
	rq->view = v;
	return 0;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"state", required_argument, NULL, OPT_STATE},
		{"overdue", no_argument, NULL, OPT_OVERDUE},
		{"pending", no_argument, NULL, OPT_PENDING},
		{"commitments", no_argument, NULL, OPT_COMMITMENTS},
		{"within", required_argument, NULL, OPT_WITHIN},
		{"xml", no_argument, NULL, OPT_XML},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"unmask", no_argument, NULL, OPT_UNMASK},
		{"escalate", no_argument, NULL, OPT_ESCALATE},
		{"export", no_argument, NULL, OPT_EXPORT},
		{"output", required_argument, NULL, 'o'},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	reg_status_request rq = {.prog = prog, .within = DEFAULT_WITHIN};
	reg_err *err = NULL;
	reg_state state;
	reg_table_format fmt;
	const char *why;
	bool within = false, format = false;
	int opt, views = 0, code = 0;
	while ((opt = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1 && !code) {
		switch (opt) {
		case OPT_STATE:
			if (reg_state_parse(optarg, &state) < 0 || state == REG_STATE_NONE)
				code = reg_cli_usage_error(prog, "unknown state '%s'", optarg);
			rq.state = optarg;
			break;
		case OPT_OVERDUE: code = choose(&rq, &views, REG_STATUS_OVERDUE); break;
		case OPT_PENDING: code = choose(&rq, &views, REG_STATUS_PENDING); break;
		case OPT_COMMITMENTS: code = choose(&rq, &views, REG_STATUS_COMMITMENTS); break;
		case OPT_ESCALATE: code = choose(&rq, &views, REG_STATUS_ESCALATE); break;
		case OPT_EXPORT: code = choose(&rq, &views, REG_STATUS_EXPORT); break;
		case OPT_WITHIN:
			if (reg_duration_parse(optarg, &rq.within, &err) < 0)
				code = reg_cli_usage_error(prog, "--within: %s", reg_err_message(err));
			within = true;
			break;
		case OPT_XML:
		case OPT_FORMAT:
			if (reg_table_format_parse(opt == OPT_XML ? "xml" : optarg, &fmt) < 0)
				code = reg_cli_usage_error(prog, "--format is tsv, json or xml, not '%s'",
						   optarg);
			else if (format && fmt != rq.format)
				code = reg_cli_usage_error(prog, "two different formats given");
			rq.format = fmt;
			format = true;
			break;
		case OPT_UNMASK: rq.unmask = true; break;
		case 'o': rq.output = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg))
				code = reg_cli_option_error(prog, opt, argv);
		}
	}
	if (code)
		goto out;
	if ((why = reg_status_request_problem(&rq, argc - optind, within, format))) {
		code = reg_cli_usage_error(prog, "%s", why);
		goto out;
	}
	rq.numbers = argv + optind;
	rq.n_numbers = argc - optind;
	if (rq.view == REG_STATUS_DOSSIERS && optind < argc) {
		rq.view = REG_STATUS_LOOKUP;
		rq.query = argv[optind];
	}
	if (reg_status_run(cfg, &rq, &err) < 0)
		code = reg_err_exit_code(err);
	if (err)
		reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(cfg);
	reg_xml_cleanup();
	return code;
}
