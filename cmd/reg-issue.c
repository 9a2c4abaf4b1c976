/*
 * reg-issue — one-window issuance (一窗出件): approved dossiers in, one signed reproducible
 * archive per enterprise out, and a line `USCC<TAB>path<TAB>sha256` per archive on stdout.
 */
#include "catalog.h"
#include <stdlib.h>

#include "cli.h"
#include "files.h"
#include "issue.h"
#include "registry.h"
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

typedef struct run {
	reg_config *cfg;
	const char *out_dir;
	bool new_edition;
	unsigned threads;
	bool formatted;          /* --format: a table instead of the plain lines */
	reg_table_format format;
	char **inputs;
	int n_inputs;
} run;

static const char *const issued_cols[] = {"uscc", "path", "sha256"};

static void print_line(const reg_issued *done, void *ctx)
{
	reg_table *t = ctx;
	/* Each line out at once: it says the archive is there, and a pipe may wait for it. */
	if (t) {
		reg_table_row(t, (const char *const[]){done->uscc, done->path, done->sha256});
		reg_table_flush(t);
		return;
	}
	printf("%s\t%s\t%s\n", done->uscc, done->path, done->sha256);
	fflush(stdout);
}

static int issue_all(run *r, reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_issue *is = NULL;
	reg_table *t = NULL;
	int rc = -1;
	size_t refused = 0;
	reg_issue_options opt = {.out_dir = r->out_dir, .new_edition = r->new_edition, .prog = prog,
				 .threads = r->threads, .on_issued = print_line};
	reg_table_doc doc = {"issued", "urn:regkit:issued:1", NULL};
	if (reg_mkdir(r->out_dir, errp) < 0 ||
	    (r->formatted && !(t = reg_table_new(stdout, r->format, &doc, false, errp))))
		return -1;
	opt.on_issued_ctx = t;
	if (t)
		reg_table_list(t, "archives", "archive", issued_cols, 3);
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (!(cat = reg_catalog_load(reg_config_catalog_path(r->cfg), reg_config_schema_dir(r->cfg),
				     errp)) ||
	    !(is = reg_issue_new(r->cfg, cat, NULL, &opt, errp)))
		goto out;
	rc = 0;
	for (int i = 0; i < r->n_inputs || i == 0; i++) {
		const char *name = i < r->n_inputs ? r->inputs[i] : "-";
		FILE *fp = reg_cli_open_input(name, errp);
		rc = fp ? reg_issue_stream(is, fp, name, prog, &refused, errp) : -1;
		if (fp && fp != stdin)
			fclose(fp);
		if (rc < 0)
			break;
	}
	if (t && rc == 0 && reg_table_finish(t, errp) < 0)
		rc = -1;
	if (reg_cli_close(stdout, "-", errp) < 0)
		rc = -1;
	if (rc == 0 && refused)
		rc = reg_err_set(errp, REG_ENO, NULL, 0, NULL, "%zu dossiers not issued", refused);
out:
	reg_table_free(t);
	reg_issue_free(is);
	reg_catalog_free(cat);
	return rc;
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
		REG_CLI_OPT_DB,
		REG_CLI_OPT_CATALOG,
		REG_CLI_OPT_AUTHORITY,
		REG_CLI_OPT_NOW,
		REG_CLI_OPT_HELP_VERSION,
		{NULL, 0, NULL, 0},
	};
	run r = {.cfg = reg_config_new()};
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
	if (issue_all(&r, &err) < 0)
		code = reg_err_exit_code(err);
	reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(r.cfg);
	reg_xml_cleanup();
	return code;
}
