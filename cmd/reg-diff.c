/*
 * reg-diff — what changed between two issued archives or two dossier files (libreg/diff.h).
 * main parses options, loads both inputs (archives through the hostile-safe reader: nothing is
 * ever extracted) and maps the outcome to diff(1)'s exit status: 0 same, 1 different, 2 any
 * trouble — a usage error and a refused (hostile) archive included.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tarball.h"
#include "cli.h"
#include "configuration.h"
#include "diff.h"
#include "keyring.h"
#include "sign.h"
#include "errors.h"
#include "xml.h"

static const char prog[] = "reg-diff";

enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_TROUBLE = 2 };

enum { OPT_BRIEF = 'q' };

static void usage(FILE *fp)
{
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
	fputs(reg_cli_config_help, fp);
}

/* One input: an archive or a parsed dossier file. */
struct side {
	const char *name;
	reg_archive_entries *archive;
	xmlDoc *doc;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* An archive by its name (.tar.gz, .tgz) or by the gzip magic; anything else is XML. */
static int load_side(struct side *s, reg_err **errp)
{
	if (strcmp(s->name, "-") != 0) {
		struct stat st;
		if (stat(s->name, &st) == 0 && S_ISDIR(st.st_mode))
			return reg_err_set(errp, REG_ENOINPUT, s->name, 0, NULL,
					   "cannot open: is a directory");
		if (ends_with(s->name, ".tar.gz") || ends_with(s->name, ".tgz"))
			return reg_archive_load(s->name, &s->archive, errp);
	}
	FILE *fp = reg_cli_open_input(s->name, errp);
	if (!fp)
		return -1;
	char *buf = NULL;
	size_t len = 0;
	int rc = reg_read_all(fp, s->name, REG_ARCHIVE_MAX_COMPRESSED > REG_XML_MAX_DOCUMENT
						   ? REG_ARCHIVE_MAX_COMPRESSED
						   : REG_XML_MAX_DOCUMENT,
			      &buf, &len, errp);
	if (fp != stdin)
		fclose(fp);
	if (rc == 0) {
		if (len >= 2 && (unsigned char)buf[0] == 0x1F && (unsigned char)buf[1] == 0x8B)
			rc = reg_archive_load_mem(buf, len, s->name, &s->archive, errp);
		else if (!(s->doc = reg_xml_parse_memory(buf, len, s->name, errp)))
			rc = -1;
	}
	free(buf);
	return rc;
}

/* Both archives checked as reg-verify would (the configured authority's keys and catalog),
 * each that is not genuine said so before the differences. */
static int say_genuine(reg_config *cfg, struct side *a, struct side *b, reg_err **errp)
{
	const reg_authority *auth = reg_config_authority(cfg, errp);
	reg_sign_key *key = NULL;
	reg_keyring *keys = NULL;
	reg_catalog *cat = NULL;
	int offset = 0, rc = -1;
	if (!auth || reg_config_offset(cfg, &offset, errp) < 0)
		return -1;
	if (!reg_authority_public_key_path(auth)) {
		reg_err_set(errp, REG_ECONFIG, reg_config_authority_path(cfg), 0, NULL,
			    "the authority has no public key");
		return -1;
	}
	if ((key = reg_sign_key_load_public(reg_authority_public_key_path(auth), errp)) &&
	    (keys = reg_keyring_new(auth, errp)) &&
	    (cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				    errp))) {
		reg_verify_options opt = {.key = key, .catalog = cat, .keys = keys,
					  .offset_min = offset};
		if (reg_diff_say_genuine(a->archive, a->name, &opt, stdout, NULL, errp) == 0 &&
		    reg_diff_say_genuine(b->archive, b->name, &opt, stdout, NULL, errp) == 0)
			rc = 0;
	}
	reg_catalog_free(cat);
	reg_keyring_free(keys);
	reg_sign_key_free(key);
	return rc;
}

static int compare(reg_config *cfg, struct side *a, struct side *b, unsigned flags,
		   size_t *ndiff, reg_err **errp)
{
	if (load_side(a, errp) < 0 || load_side(b, errp) < 0)
		return -1;
	if (a->archive && b->archive)
		return say_genuine(cfg, a, b, errp) < 0
			       ? -1
			       : reg_diff_archives(a->archive, b->archive, flags, stdout, ndiff, errp);
	if (a->doc && b->doc)
		return reg_diff_dossiers(a->doc, a->name, b->doc, b->name, flags, stdout, ndiff,
					 errp);
	return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
			   "cannot compare an archive with a dossier file ('%s' is an archive)",
			   a->archive ? a->name : b->name);
}

static int run(reg_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"brief", no_argument, NULL, OPT_BRIEF},
		REG_CLI_CONFIG_OPTIONS,
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
	struct side a = {.name = argv[0]}, b = {.name = argv[1]};
	reg_err *err = NULL;
	size_t ndiff = 0;
	int rc = compare(cfg, &a, &b, flags, &ndiff, &err);
	if (reg_cli_close(stdout, "-", &err) < 0)
		rc = -1;
	reg_archive_entries_free(a.archive);
	reg_archive_entries_free(b.archive);
	xmlFreeDoc(a.doc);
	xmlFreeDoc(b.doc);
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
