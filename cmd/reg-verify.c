/*
 * reg-verify — the auditor's checks: identifiers (USCC, organization code, citizen id) given as
 * arguments or one per line on stdin, or issued archives, never extracted.  main parses the
 * options and picks the mode; libreg/audit.h checks, writes one result per input and gives the
 * exit status (0 all ok, 1 any invalid, 64 usage; see usage()).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"

static const char prog[] = "reg-verify";

enum { OPT_USCC = 1, OPT_ORG_CODE, OPT_CITIZEN_ID, OPT_EXPLAIN, OPT_KEY, OPT_FORMAT };

static const char *const mode_flags[] = {NULL, "--uscc", "--org-code", "--citizen-id"};

static void usage(FILE *fp)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_DB | REG_CLI_USES_CATALOG | REG_CLI_USES_AUTHORITY);
	fprintf(fp,
		_("usage: %s --uscc | --org-code | --citizen-id [--explain] [--format F] [CODE...]\n"
		"       %s [--key PUBKEY] [--db FILE] [--format F] ARCHIVE...\n"
		"Check identifiers against their standards; with no CODE, read one per line from\n"
		"standard input.  Or check issued archives (<USCC>.tar.gz, '-' for standard input)\n"
		"without extracting them: MANIFEST digests, signature, USCC and identifiers, the\n"
		"registration records and seal set, and with --db the registry's records.\n"
		"Each input gets one line: INPUT<TAB>ok|invalid<TAB>EXPLANATION.\n"
		"Exit status: 0 all ok, 1 any invalid (a hostile archive included), 64 usage error,\n"
		"66 archive or registry missing, 75 registry busy, 78 bad key, catalog or authority.\n"
		"\n"
		"      --uscc            unified social credit codes (GB 32100-2015)\n"
		"      --org-code        organization codes (GB 11714)\n"
		"      --citizen-id      citizen identity numbers (GB 11643)\n"
		"      --explain         decompose valid codes (department, division, birth date ...)\n"
		"      --key PUBKEY      archives: the authority's public key (PEM; default the\n"
		"                        configured authority's)\n"
		"      --format F        the results as a table: tsv (with a header line), json or\n"
		"                        xml (urn:regkit:verify:1)\n"
		"\n"),
		prog, prog);
	fputs(config ? config : "", fp);
	free(config);
}

static int choose_mode(reg_audit_request *rq, reg_audit_mode mode)
{
	if (rq->mode != REG_AUDIT_ARCHIVES && rq->mode != mode)
		return reg_cli_usage_error(prog, "choose one of --uscc, --org-code, --citizen-id, "
					   "not both %s and %s", mode_flags[rq->mode],
					   mode_flags[mode]);
	rq->mode = mode;
	return 0;
}

/* An argument that names no file and is letters and digits only is an identifier given
 * without its kind flag, not a missing archive. */
static bool looks_like_code(const char *arg)
{
	if (!*arg || access(arg, F_OK) == 0)
		return false;
	for (const char *p = arg; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return false;
	return true;
}

static int run(reg_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"uscc", no_argument, NULL, OPT_USCC},
		{"org-code", no_argument, NULL, OPT_ORG_CODE},
		{"citizen-id", no_argument, NULL, OPT_CITIZEN_ID},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"key", required_argument, NULL, OPT_KEY},
		{"format", required_argument, NULL, OPT_FORMAT},
		REG_CLI_OPT_DB,
		REG_CLI_OPT_CATALOG,
		REG_CLI_OPT_AUTHORITY,
		REG_CLI_OPT_HELP_VERSION,
		{NULL, 0, NULL, 0},
	};
	const char *env_db = getenv("REG_DB");
	reg_audit_request rq = {.prog = prog, .db = env_db && *env_db};
	int opt, rc = 0;
	while (!rc && (opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_USCC: rc = choose_mode(&rq, REG_AUDIT_USCC); break;
		case OPT_ORG_CODE: rc = choose_mode(&rq, REG_AUDIT_ORG_CODE); break;
		case OPT_CITIZEN_ID: rc = choose_mode(&rq, REG_AUDIT_CITIZEN_ID); break;
		case OPT_EXPLAIN: rq.explain = true; break;
		case OPT_KEY: rq.key = optarg; break;
		case OPT_FORMAT:
			rq.formatted = true;
			if (reg_table_format_parse(optarg, &rq.format) < 0)
				rc = reg_cli_usage_error(prog, "--format is tsv, json or xml, not '%s'",
						   optarg);
			break;
		case REG_OPT_DB:
			rq.db = true;
			reg_cli_config_option(cfg, opt, optarg);
			break;
		case REG_OPT_HELP: usage(stdout); return REG_OK;
		case REG_OPT_VERSION: reg_cli_version(prog); return REG_OK;
		case ':':
			return reg_cli_option_error(prog, opt, argv);
		case '?': return reg_cli_option_error(prog, opt, argv);
		default:
			if (!reg_cli_config_option(cfg, opt, optarg))
				return reg_cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	rq.inputs = argv + optind;
	rq.n_inputs = argc - optind;
	if (rq.mode != REG_AUDIT_ARCHIVES) {
		if (rq.key)
			return reg_cli_usage_error(prog, "--key is for archives, not identifiers");
		return reg_audit_run(cfg, &rq);
	}
	if (!rq.n_inputs)
		return reg_cli_usage_error(prog, "say what to check: ARCHIVE..., or --uscc, "
					   "--org-code or --citizen-id");
	if (rq.explain)
		return reg_cli_usage_error(prog, "--explain is for identifiers, not archives");
	for (int i = 0; i < rq.n_inputs; i++)
		if (looks_like_code(rq.inputs[i]))
			return reg_cli_usage_error(prog, "'%s' is not an archive; to check an identifier "
						   "say --uscc, --org-code or --citizen-id",
						   rq.inputs[i]);
	return reg_audit_run(cfg, &rq);
}

int main(int argc, char **argv)
{
	reg_cli_init();
	reg_config *cfg = reg_config_new();
	if (!cfg) {
		fprintf(stderr, _("%s: out of memory\n"), prog);
		return REG_EINTERNAL;
	}
	int rc = run(cfg, argc, argv);
	reg_config_free(cfg);
	return rc;
}
