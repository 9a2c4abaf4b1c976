/*
 * reg-registry — the registry itself: create its schema ahead of the tools (for deployments
 * whose tools run with roles that may not create tables), or copy a whole registry between
 * SQLite and PostgreSQL, or SQLite to SQLite as an online backup (libreg/registry.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>

#include "cli.h"
#include "registry.h"

static const char prog[] = "reg-registry";

enum { OPT_FROM = 1, OPT_TO };

static void usage(FILE *fp)
{
	char *config = reg_cli_config_help_for(REG_CLI_USES_DB);
	fprintf(fp,
		_("usage: %s init [--db TARGET]\n"
		"       %s copy [--from SOURCE] --to TARGET\n"
		"Create a registry, or copy one.  A registry is an SQLite file or a PostgreSQL\n"
		"database named by a libpq URI (postgresql://… or postgres://…).\n"
		"\n"
		"  init                  create the registry's schema in TARGET (--db, REG_DB), or\n"
		"                        bring an older one up to date; print its schema version\n"
		"  copy                  copy every row of SOURCE (default --db, REG_DB) into TARGET,\n"
		"                        serials, ids and archive bytes as they are, in one\n"
		"                        transaction; TARGET is created when missing and must hold no\n"
		"                        row; print the rows copied per table\n"
		"      --from SOURCE     the registry to copy (read only, one snapshot)\n"
		"      --to TARGET       the registry to fill\n"
		"\n"
		"Exit status: 0 success, 64 usage, 66 no such registry, 70 internal, 73 the target\n"
		"cannot be created or is not empty, 74 I/O or the server went away, 75 registry busy,\n"
		"78 not a registry or a newer one.\n"
		"\n"),
		prog, prog);
	fputs(config ? config : "", fp);
	free(config);
}

static int init(reg_config *cfg, reg_err **errp)
{
	reg_registry *reg = reg_registry_open(reg_config_db(cfg), errp);
	int version = 0;
	if (!reg || reg_registry_schema_version(reg, &version, errp) < 0) {
		reg_registry_free(reg);
		return -1;
	}
	printf(_("%s: registry schema version %d (%s)\n"), reg_registry_path(reg), version,
	       reg_registry_backend(reg));
	reg_registry_free(reg);
	return 0;
}

static void copied(const char *table, int64_t rows, void *ctx)
{
	(void)ctx;
	printf("%s\t%" PRId64 "\n", table, rows);
}

static int copy(const char *from, const char *to, reg_err **errp)
{
	struct stat sb;
	/* A new SQLite file that a failed copy would leave empty is removed again. */
	bool made = !reg_registry_target_is_server(to) && stat(to, &sb) < 0 && errno == ENOENT;
	reg_registry *src = reg_registry_open_readonly(from, errp), *dst = NULL;
	int rc = -1;
	if (src && (dst = reg_registry_open(to, errp)))
		rc = reg_registry_copy(src, dst, copied, NULL, errp);
	reg_registry_free(dst);
	reg_registry_free(src);
	if (rc < 0 && made)
		unlink(to);
	return rc;
}

int main(int argc, char **argv)
{
	reg_cli_init();
	static const struct option longopts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		REG_CLI_OPT_DB,
		REG_CLI_OPT_HELP_VERSION,
		{NULL, 0, NULL, 0},
	};
	reg_config *cfg = reg_config_new();
	const char *from = NULL, *to = NULL;
	reg_err *err = NULL;
	int opt, code = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		case REG_OPT_HELP: usage(stdout); goto out;
		case REG_OPT_VERSION: reg_cli_version(prog); goto out;
		case ':':
		case '?':
			code = reg_cli_option_error(prog, opt, argv);
			goto out;
		default:
			if (!reg_cli_config_option(cfg, opt, optarg)) {
				code = reg_cli_usage_error(prog, "unknown option '%s'",
							   argv[optind - 1]);
				goto out;
			}
		}
	}
	const char *command = optind < argc ? argv[optind] : NULL;
	if (!command) {
		code = reg_cli_usage_error(prog, "init or copy?");
		goto out;
	}
	if (argc - optind > 1) {
		code = reg_cli_usage_error(prog, "unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	int rc;
	if (strcmp(command, "init") == 0) {
		if (from || to) {
			code = reg_cli_usage_error(prog, "init takes --db, not --from or --to");
			goto out;
		}
		rc = init(cfg, &err);
	} else if (strcmp(command, "copy") == 0) {
		if (!to) {
			code = reg_cli_usage_error(prog, "copy needs --to TARGET");
			goto out;
		}
		rc = copy(from ? from : reg_config_db(cfg), to, &err);
	} else {
		code = reg_cli_usage_error(prog, "unknown command '%s' (init or copy)", command);
		goto out;
	}
	if (rc < 0 || reg_cli_close(stdout, "-", &err) < 0) {
		code = reg_cli_fail(prog, err);
		err = NULL;
	}
out:
	reg_err_free(err);
	reg_config_free(cfg);
	return code;
}
