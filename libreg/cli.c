#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "i18n.h"
#include "regkit-config.h"

/* One line per shared option, so that each tool's --help lists those it takes. */
static const struct {
	unsigned uses;
	const char *line;
} config_lines[] = {
	{REG_CLI_USES_DB, N_("      --db FILE         registry database (REG_DB, default ./registry.db)\n")},
	{REG_CLI_USES_CATALOG,
	 N_("      --catalog FILE    item catalog (REG_CATALOG, default the shipped catalog.xml)\n")},
	{REG_CLI_USES_AUTHORITY,
	 N_("      --authority FILE  authority.xml (REG_AUTHORITY; default: see regkit(7))\n")},
	{REG_CLI_USES_NOW, N_("      --now TIME        the current time, ISO 8601 (default "
			      "SOURCE_DATE_EPOCH, else the clock)\n")},
	{REG_CLI_USES_WINDOW, N_("      --window ID       acceptance window (REG_WINDOW, default 01)\n")},
	{REG_CLI_USES_CLERK,
	 N_("      --clerk NAME      clerk on duty (REG_CLERK, default the login name)\n")},
	{0, N_("      --help            show this help and exit\n")},
	{0, N_("      --version         show the version and exit\n")},
};

char *reg_cli_config_help_for(unsigned uses)
{
	const char *head = (uses ? _("Configuration (an option beats the environment beats the "
				     "default):\n")
				 : "");
	size_t len = strlen(head) + 1;
	for (size_t i = 0; i < sizeof config_lines / sizeof *config_lines; i++)
		if (!config_lines[i].uses || (config_lines[i].uses & uses))
			len += strlen(_(config_lines[i].line));
	char *out = malloc(len);
	if (!out)
		return NULL;
	char *p = stpcpy(out, head);
	for (size_t i = 0; i < sizeof config_lines / sizeof *config_lines; i++)
		if (!config_lines[i].uses || (config_lines[i].uses & uses))
			p = stpcpy(p, _(config_lines[i].line));
	return out;
}

void reg_cli_init(void)
{
	reg_i18n_init();
	/* Refused options are said once, by reg_cli_option_error, not also by getopt. */
	opterr = 0;
}

int reg_cli_option_error(const char *prog, int got, char *const *argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	bool is_long = strncmp(word, "--", 2) == 0;
	if (got == ':')
		return is_long ? reg_cli_usage_error(prog, "option '%s' needs a value", word)
			       : reg_cli_usage_error(prog, "option '-%c' needs a value", optopt);
	if (!is_long && optopt > ' ' && optopt < 0x7F)
		return reg_cli_usage_error(prog, "unknown option '-%c'", optopt);
	const char *eq = strchr(word, '=');
	if (is_long && optopt != 0 && eq)
		return reg_cli_usage_error(prog, "option '%.*s' takes no value", (int)(eq - word),
					   word);
	return reg_cli_usage_error(prog, "unknown option '%.*s'",
				   (int)(eq ? (size_t)(eq - word) : strlen(word)), word);
}

static const char progress_help[] = N_(
	"      --progress        show the progress line even when standard error is no terminal\n"
	"      --quiet           no progress line (SIGUSR1 still prints one status line)\n");

const char *reg_cli_progress_help_text(void)
{
	return _(progress_help);
}

int reg_cli_config_option(reg_config *cfg, int opt, const char *arg)
{
	switch (opt) {
	case REG_OPT_PROGRESS: reg_config_set(cfg, REG_CFG_PROGRESS, "always"); return 1;
	case REG_OPT_QUIET: reg_config_set(cfg, REG_CFG_PROGRESS, "never"); return 1;
	case REG_OPT_DB: reg_config_set(cfg, REG_CFG_DB, arg); return 1;
	case REG_OPT_CATALOG: reg_config_set(cfg, REG_CFG_CATALOG, arg); return 1;
	case REG_OPT_AUTHORITY: reg_config_set(cfg, REG_CFG_AUTHORITY, arg); return 1;
	case REG_OPT_NOW: reg_config_set(cfg, REG_CFG_NOW, arg); return 1;
	case REG_OPT_WINDOW: reg_config_set(cfg, REG_CFG_WINDOW, arg); return 1;
	case REG_OPT_CLERK: reg_config_set(cfg, REG_CFG_CLERK, arg); return 1;
	default: return 0;
	}
}

void reg_cli_version(const char *prog)
{
	printf("%s (regkit) %s\n", prog, REG_VERSION);
}

int reg_cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, _("Try '%s --help' for more information.\n"), prog);
	return REG_EUSAGE;
}

int reg_cli_fail(const char *prog, reg_err *err)
{
	int code = reg_err_exit_code(err);
	reg_err_print(err, prog, stderr);
	reg_err_free(err);
	return code == REG_OK ? REG_EINTERNAL : code;
}

int reg_cli_delay(const char *prog, reg_err *err, const char *file, long line, size_t *refused,
		  reg_err **errp)
{
	if (reg_err_exit_code(err) != REG_ENO) {
		reg_err_append(errp, &err);
		return -1;
	}
	reg_err_locate(err, file, line);
	reg_err_print(err, prog, stderr);
	reg_err_free(err);
	(*refused)++;
	return 0;
}

static bool is_std(const char *path)
{
	return !path || strcmp(path, "-") == 0;
}

FILE *reg_cli_open_input(const char *path, reg_err **errp)
{
	if (is_std(path))
		return stdin;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		reg_err_set(errp, REG_ENOINPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
	return fp;
}

FILE *reg_cli_open_output(const char *path, reg_err **errp)
{
	if (is_std(path))
		return stdout;
	FILE *fp = fopen(path, "wb");
	if (!fp)
		reg_err_set(errp, REG_ECANTCREAT, path, 0, NULL, "cannot create: %s", strerror(errno));
	return fp;
}

int reg_cli_close(FILE *fp, const char *path, reg_err **errp)
{
	if (!fp)
		return 0;
	const char *name = is_std(path) ? "-" : path;
	bool failed = ferror(fp) != 0;
	if (fp == stdin)
		return 0;
	if (fp == stdout || fp == stderr)
		failed |= fflush(fp) != 0;
	else
		failed |= fclose(fp) != 0;
	if (failed)
		return reg_err_set(errp, REG_EIO, name, 0, NULL, "write failed: %s", strerror(errno));
	return 0;
}

void reg_cli_note_test_authority(const char *prog, const reg_authority *a)
{
	if (!a || !reg_authority_test_only(a))
		return;
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, _("note: signing as the TEST authority %s (%s), whose keys are public: "
			  "what this signs proves nothing\n"), reg_authority_name(a),
		reg_authority_path(a));
}

int reg_cli_parse_count(const char *arg, unsigned min, unsigned max, unsigned *out)
{
	char *end = NULL;
	errno = 0;
	long long n = strtoll(arg, &end, 10);
	if (!*arg || *end || errno || n < (long long)min || n > (long long)max)
		return -1;
	*out = (unsigned)n;
	return 0;
}
