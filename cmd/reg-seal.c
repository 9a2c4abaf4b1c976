/*
 * reg-seal — the free seal set (公章刻制免费) on its own: true-size SVG drawings of the catalog's
 * seals and the public-security filing record, for the issued enterprises of a dossier stream
 * or one given by flags, following the registry's record (libreg/sealset.h).  --specimen draws
 * unfiled samples and never opens the registry.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "cli.h"
#include "sealset.h"
#include "xml.h"

static const char prog[] = "reg-seal";

enum { OPT_NAME = 1, OPT_USCC, OPT_LEGAL_REP, OPT_FORM };

static void usage(FILE *fp)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	fprintf(fp,
		_("usage: %s [-o DIR] [--specimen] [FILE]\n"
		"       %s [-o DIR] [--specimen] --name NAME --uscc USCC --legal-rep NAME [--form FORM]\n"
		"Draw the free seal set of each enterprise as true-size SVG and write its public-security\n"
		"filing record: DIR/USCC/seals/NN-ID.svg and DIR/USCC/seals/filing.xml.  FILE is a\n"
		"dossier or batch of issued dossiers (none or '-' reads standard input).  The seals\n"
		"carry what the registry recorded for the USCC; a name or person that differs is\n"
		"refused.  Seal codes are filed in the registry once per USCC; running again reuses them.\n"
		"\n"
		"  -o, --output DIR      write below DIR (default the current directory)\n"
		"  -s, --specimen        draw unfiled samples without codes (样本), into DIR/specimen;\n"
		"                        the registry is not opened\n"
		"      --name NAME       the enterprise name, instead of reading dossiers\n"
		"      --uscc USCC       its unified social credit code (optional with --specimen)\n"
		"      --legal-rep NAME  its legal representative\n"
		"      --form FORM       llc (default), jsc, sole or partnership; jsc gets the 42 mm\n"
		"                        official seal\n"
		"\n"
		"Exit status: 0 success, 1 some enterprise refused (not issued by this registry, not\n"
		"the registry's name or person), 64 usage, 65 input not XML dossiers, 66 no input,\n"
		"73 cannot create output, 74 I/O error, 75 registry busy, 78 bad catalog or\n"
		"configuration.\n"
		"\n"),
		prog, prog);
	fputs(config ? config : "", fp);
	free(config);
}

/* 0 to run, -1 for --help or --version (done), or an exit status. */
static int parse(reg_config *cfg, reg_sealset_request *rq, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"specimen", no_argument, NULL, 's'},
		{"name", required_argument, NULL, OPT_NAME},
		{"uscc", required_argument, NULL, OPT_USCC},
		{"legal-rep", required_argument, NULL, OPT_LEGAL_REP},
		{"form", required_argument, NULL, OPT_FORM},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, ":o:s", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': rq->dir = optarg; break;
		case 's': rq->specimen = true; break;
		case OPT_NAME: rq->given.name = optarg; rq->flags = true; break;
		case OPT_USCC: rq->given.uscc = optarg; rq->flags = true; break;
		case OPT_LEGAL_REP: rq->given.legal_rep = optarg; rq->flags = true; break;
		case OPT_FORM: rq->given.form = optarg; rq->flags = true; break;
		case REG_OPT_HELP: usage(stdout); return -1;
		case REG_OPT_VERSION: reg_cli_version(prog); return -1;
		case ':':
			return reg_cli_option_error(prog, opt, argv);
		case '?':
			return reg_cli_option_error(prog, opt, argv);
		default:
			if (!reg_cli_config_option(cfg, opt, optarg))
				return reg_cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return reg_cli_usage_error(prog, "one input at a time: '%s' and '%s'", argv[optind],
					   argv[optind + 1]);
	if (argc - optind == 1)
		rq->input = argv[optind];
	if (rq->flags) {
		static const char *const forms[] = {"llc", "jsc", "sole", "partnership"};
		bool known = !rq->given.form;
		for (size_t i = 0; rq->given.form && i < sizeof forms / sizeof *forms; i++)
			known |= strcmp(rq->given.form, forms[i]) == 0;
		if (rq->input)
			return reg_cli_usage_error(prog, "give either FILE or --name …, not both");
		if (!rq->given.name || !rq->given.legal_rep)
			return reg_cli_usage_error(prog, "--name and --legal-rep go together");
		if (!rq->given.uscc && !rq->specimen)
			return reg_cli_usage_error(prog, "--uscc is needed unless --specimen");
		if (!known)
			return reg_cli_usage_error(prog, "unknown --form '%s': llc, jsc, sole or "
						   "partnership", rq->given.form);
		/* A specimen is drawn from what it is given; a filed set from the record. */
		if (!rq->given.form && rq->specimen)
			rq->given.form = (char *)"llc";
	}
	if (!*rq->dir)
		return reg_cli_usage_error(prog, "-o needs a directory");
	return 0;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	reg_config *cfg = reg_config_new();
	reg_sealset_request rq = {.dir = ".", .prog = prog};
	if (!cfg) {
		fprintf(stderr, _("%s: out of memory\n"), prog);
		return REG_EINTERNAL;
	}
	int rc = parse(cfg, &rq, argc, argv);
	if (rc == 0) {
		reg_xml_init(reg_config_schema_dir(cfg));
		rc = reg_sealset_run(cfg, &rq);
	} else if (rc < 0) {
		rc = REG_OK; /* --help, --version */
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("%s: -: write failed: %s\n"), prog, strerror(errno));
		if (rc == REG_OK)
			rc = REG_EIO;
	}
	reg_config_free(cfg);
	reg_xml_cleanup();
	return rc;
}
