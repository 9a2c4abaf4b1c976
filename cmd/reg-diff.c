/*
 * reg-diff — what changed between two issued archives or two dossier files (libreg/diff.h).
 * main parses options, loads both inputs (archives through the hostile-safe reader: nothing is
 * ever extracted) and maps the outcome to diff(1)'s exit status: 0 same, 1 different, 2 any
 * trouble — a usage error and a refused (hostile) archive included.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "cli.h"
#include "configuration.h"
#include "diff.h"
#include "xml.h"

static const char prog[] = "reg-diff";

enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_TROUBLE = 2 };

enum { OPT_BRIEF = 'q' };

static void usage(FILE *fp)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_CATALOG | REG_CLI_USES_AUTHORITY);
	fprintf(fp,
		_("usage: %s [--brief] A B\n"
		"Compare two issued archives (<USCC>.tar.gz) entry by entry, or two dossier files\n"
		"(<dossier> or <batch>), XML structurally: formatting never counts.  One line per\n"
		"difference: '+ ENTRY', '- ENTRY', '~ ENTRY', '~ ENTRY /path: OLD -> NEW',\n"
		"'~ ENTRY +/path', '~ ENTRY -/path'; an archive that is not genuine is said first:\n"
		"'! NAME: not genuine: REASONS'.  '-' reads one input from standard input.\n"
		"Exit status: 0 the same, 1 different, 2 trouble (usage, unreadable or refused input).\n"
		"\n"
		"  -q, --brief           name the entries that differ, nothing more\n"
		"\n"),
		prog);
	fputs(config ? config : "", fp);
	free(config);
}

static int run(reg_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"brief", no_argument, NULL, OPT_BRIEF},
		REG_CLI_OPT_CATALOG,
		REG_CLI_OPT_AUTHORITY,
		REG_CLI_OPT_HELP_VERSION,
		{NULL, 0, NULL, 0},
	};
	unsigned flags = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, ":q", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_BRIEF: flags |= REG_DIFF_BRIEF; break;
		case REG_OPT_HELP: usage(stdout); return EXIT_SAME;
		case REG_OPT_VERSION: reg_cli_version(prog); return EXIT_SAME;
		case ':':
		case '?':
			reg_cli_option_error(prog, opt, argv);
			return EXIT_TROUBLE;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg)) {
				reg_cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
				return EXIT_TROUBLE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2) {
		reg_cli_usage_error(prog, "give two inputs to compare, A and B");
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[0], "-") == 0 && strcmp(argv[1], "-") == 0) {
		reg_cli_usage_error(prog, "only one input can be standard input");
		return EXIT_TROUBLE;
	}

	reg_xml_init(reg_config_schema_dir(cfg));
	reg_err *err = NULL;
	size_t ndiff = 0;
	int rc = reg_diff_inputs(cfg, argv[0], argv[1], flags, stdout, &ndiff, &err);
	if (reg_cli_close(stdout, "-", &err) < 0)
		rc = -1;
	reg_xml_cleanup();
	if (rc < 0) {
		reg_err_print(err, prog, stderr);
		reg_err_free(err);
		return EXIT_TROUBLE;
	}
	reg_err_free(err);
	return ndiff ? EXIT_DIFFERENT : EXIT_SAME;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	reg_config *cfg = reg_config_new();
	if (!cfg) {
		fprintf(stderr, _("%s: out of memory\n"), prog);
		return EXIT_TROUBLE;
	}
	int rc = run(cfg, argc, argv);
	reg_config_free(cfg);
	return rc;
}
