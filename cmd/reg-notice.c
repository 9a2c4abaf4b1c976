/*
 * reg-notice — the notices a window prints and hands over, made from what the registry holds:
 * the acceptance receipt, the one-time notice of a supplement, the rejection notice, the
 * escalation slips as letters, the overdue-commitment notice (A4 SVG sheets).
 */
#include <stdlib.h>

#include "cli.h"
#include "files.h"
#include "noticeset.h"
#include "sign.h"
#include "xml.h"

static const char prog[] = "reg-notice";

static void usage(void)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_PIPELINE);
	printf(_("usage: %s -o DIR [options] KIND NUMBER\n"
	       "       %s -o DIR [options] slip NUMBER --item ITEM --step STEP\n"
	       "Print a notice of dossier NUMBER as A4 SVG sheets in DIR, from the registry:\n"
	       "  receipt     受理通知书: the items applied for, promised completion, commitments\n"
	       "  onetime     一次性告知书: every supplement the departments ask for, at once\n"
	       "  rejection   不予登记通知书: each rejected item with its department's reasons\n"
	       "  slip        提醒单/催办单/督办单/移交函: a recorded escalation slip as a letter\n"
	       "  overdue     承诺逾期通知书: the commitments past their due date\n"
	       "Each notice gets a reference number once; printing it again gives the same sheets.\n"
	       "Prints one line per sheet: path<TAB>sha256.\n\n"
	       "  -o, --output DIR      where the sheets go (created if missing)\n"
	       "      --item ITEM       slip: the catalog item it chases\n"
	       "      --step STEP       slip: the rung (reminder, urging, supervision, transfer)\n\n"
	       "%s\n"
	       "Exit status: 0 printed, 1 no such notice (unknown dossier, not rejected, nothing\n"
	       "asked, no such slip), 64 usage, 66 no registry, 73 cannot write, 74 I/O error,\n"
	       "75 registry busy, 78 bad catalog, authority or configuration.\n"),
	       prog, prog, config ? config : "");
	free(config);
}

static int print(reg_config *cfg, const reg_notice_request *rq, const char *dir, reg_err **errp)
{
	reg_document *docs = NULL;
	size_t n = 0;
	int rc = -1;
	reg_xml_init(reg_config_schema_dir(cfg));
	if (reg_mkdir(dir, errp) < 0 || reg_notice_make(cfg, rq, &docs, &n, NULL, errp) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char sha[65];
		if (reg_file_write_atomic(dir, docs[i].path, docs[i].data, docs[i].len, 0644, errp) < 0 ||
		    reg_sha256_hex((const unsigned char *)docs[i].data, docs[i].len, sha, errp) < 0)
			goto out;
		printf("%s/%s\t%s\n", dir, docs[i].path, sha);
	}
	rc = reg_cli_close(stdout, "-", errp);
out:
	reg_documents_free(docs, n);
	return rc;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"item", required_argument, NULL, 'I'},
		{"step", required_argument, NULL, 'S'},
		REG_CLI_PIPELINE_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	reg_notice_request rq = {0};
	const char *dir = NULL;
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'I': rq.item = optarg; break;
		case 'S': rq.step = optarg; break;
		case REG_OPT_HELP: usage(); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg)) {
				code = reg_cli_option_error(prog, opt, argv);
				goto out;
			}
		}
	}
	if (argc - optind != 2 || reg_notice_kind_parse(argv[optind], &rq.kind) < 0) {
		code = reg_cli_usage_error(prog, "give a KIND (receipt, onetime, rejection, slip, "
					   "overdue) and a dossier NUMBER");
		goto out;
	}
	if (!dir) {
		code = reg_cli_usage_error(prog, "-o DIR is required (where the sheets go)");
		goto out;
	}
	if ((rq.kind == REG_NOTICE_SLIP) != (rq.item && rq.step)) {
		code = reg_cli_usage_error(prog, "--item and --step name a slip, and only a slip");
		goto out;
	}
	rq.number = argv[optind + 1];
	if (print(cfg, &rq, dir, &err) < 0)
		code = reg_err_exit_code(err);
	reg_err_print(err, prog, stderr);
out:
	reg_err_free(err);
	reg_config_free(cfg);
	reg_xml_cleanup();
	return code;
}
