/*
 * cli — the small front end every reg-* main shares (bsdtar's libarchive_fe, curl's tool_*):
 * the configuration options, --help/--version, opening inputs and outputs with "-" for the
 * standard streams, and the single mapping from a reg_err to an exit status.
 *
 * A main lists REG_CLI_CONFIG_OPTIONS in its getopt_long table and passes every option it does
 * not know itself to reg_cli_config_option.
 */
#ifndef REG_CLI_H
#define REG_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "configuration.h"
#include "errors.h"
#include "i18n.h"

enum reg_cli_option {
	REG_OPT_DB = 0x1000,
	REG_OPT_CATALOG,
	REG_OPT_AUTHORITY,
	REG_OPT_NOW,
	REG_OPT_WINDOW,
	REG_OPT_CLERK,
	REG_OPT_HELP,
	REG_OPT_VERSION,
	REG_OPT_PROGRESS,
	REG_OPT_QUIET,
};

#define REG_CLI_CONFIG_OPTIONS                                                          \
	{"db", required_argument, NULL, REG_OPT_DB},                                     \
	{"catalog", required_argument, NULL, REG_OPT_CATALOG},                           \
	{"authority", required_argument, NULL, REG_OPT_AUTHORITY},                       \
	{"now", required_argument, NULL, REG_OPT_NOW},                                   \
	{"window", required_argument, NULL, REG_OPT_WINDOW},                             \
	{"clerk", required_argument, NULL, REG_OPT_CLERK},                               \
	{"help", no_argument, NULL, REG_OPT_HELP},                                       \
	{"version", no_argument, NULL, REG_OPT_VERSION}

/* The batch tools' --progress and --quiet (libreg/progress.h), handled by
 * reg_cli_config_option; reg_cli_progress_help lists them for --help. */
#define REG_CLI_PROGRESS_OPTIONS                                                        \
	{"progress", no_argument, NULL, REG_OPT_PROGRESS},                               \
	{"quiet", no_argument, NULL, REG_OPT_QUIET}
const char *reg_cli_progress_help_text(void);
#define reg_cli_progress_help (reg_cli_progress_help_text())

/* Call first thing in main: the locale and the translations (libreg/i18n.h). */
void reg_cli_init(void);

/* Text for --help listing the shared options, to print after a tool's own, in the reader's
 * language. */
const char *reg_cli_config_help_text(void);
#define reg_cli_config_help (reg_cli_config_help_text())

/* Handle a shared option: 1 = handled, 0 = not one of ours. */
int reg_cli_config_option(reg_config *cfg, int opt, const char *arg);

/* "reg-x (regkit) 0.1.0" on stdout. */
void reg_cli_version(const char *prog);
/* A whole decimal number from min to max (an option's argument, such as -j N): 0, or -1 when
 * it is anything else. */
int reg_cli_parse_count(const char *arg, unsigned min, unsigned max, unsigned *out);
/* Print `prog: message` and a pointer to --help on stderr; returns REG_EUSAGE (64). */
int reg_cli_usage_error(const char *prog, const char *fmt, ...) REG_PRINTF(2, 3);
/* getopt_long refused an option: `got` is what it returned (':' a missing value, when the
 * option string starts with ':', as every tool's does; '?' anything else), argv the command
 * line.  Says why once, in our words (reg_cli_init turns getopt's own messages off), naming
 * the option; returns REG_EUSAGE (64). */
int reg_cli_option_error(const char *prog, int got, char *const *argv);
/* Print the error chain to stderr, free it, return its exit status. */
int reg_cli_fail(const char *prog, reg_err *err);

/*
 * bsdtar's delayed error exit.  A problem of one dossier (REG_ENO) is printed as
 * `prog: FILE:LINE: FIELD: message`, located at file/line where it has no place of its own, and
 * counted in *refused; the batch goes on (returns 0).  Anything else is moved to *errp and the
 * run stops (returns -1).  Takes ownership of err.
 */
int reg_cli_delay(const char *prog, reg_err *err, const char *file, long line, size_t *refused,
		  reg_err **errp);

/* Say on stderr, when `a` is the shipped TEST authority, that what this run signs proves
 * nothing (`prog: note: …`): call it once per run, where the run loads its signing keys. */
void reg_cli_note_test_authority(const char *prog, const reg_authority *a);

/* Open an input ("-" or NULL = stdin) / output ("-" or NULL = stdout). Never NULL on success. */
FILE *reg_cli_open_input(const char *path, reg_err **errp);
FILE *reg_cli_open_output(const char *path, reg_err **errp);
/* Close what reg_cli_open_* opened (leaves the standard streams open but flushes and checks
 * stdout); a failed write surfaces here as REG_EIO. */
int reg_cli_close(FILE *fp, const char *path, reg_err **errp);

#endif
