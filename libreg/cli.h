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

/* Each shared option by itself: a tool lists those it uses (REG_CLI_USES below says which), and
 * --help and --version, which every tool has.  REG_CLI_CONFIG_OPTIONS is all of them. */
#define REG_CLI_OPT_DB {"db", required_argument, NULL, REG_OPT_DB}
#define REG_CLI_OPT_CATALOG {"catalog", required_argument, NULL, REG_OPT_CATALOG}
#define REG_CLI_OPT_AUTHORITY {"authority", required_argument, NULL, REG_OPT_AUTHORITY}
#define REG_CLI_OPT_NOW {"now", required_argument, NULL, REG_OPT_NOW}
#define REG_CLI_OPT_WINDOW {"window", required_argument, NULL, REG_OPT_WINDOW}
#define REG_CLI_OPT_CLERK {"clerk", required_argument, NULL, REG_OPT_CLERK}
#define REG_CLI_OPT_HELP_VERSION                                                        \
	{"help", no_argument, NULL, REG_OPT_HELP}, {"version", no_argument, NULL, REG_OPT_VERSION}
/* What a tool of the pipeline reads (REG_CLI_USES_PIPELINE), with --help and --version. */
#define REG_CLI_PIPELINE_OPTIONS                                                        \
	REG_CLI_OPT_DB, REG_CLI_OPT_CATALOG, REG_CLI_OPT_AUTHORITY, REG_CLI_OPT_NOW,      \
	REG_CLI_OPT_HELP_VERSION
#define REG_CLI_CONFIG_OPTIONS                                                          \
	REG_CLI_OPT_DB, REG_CLI_OPT_CATALOG, REG_CLI_OPT_AUTHORITY, REG_CLI_OPT_NOW,      \
	REG_CLI_OPT_WINDOW, REG_CLI_OPT_CLERK, REG_CLI_OPT_HELP_VERSION

/* Which shared options a tool uses, for its --help (reg_cli_config_help_for). */
enum reg_cli_uses {
	REG_CLI_USES_DB = 1,
	REG_CLI_USES_CATALOG = 2,
	REG_CLI_USES_AUTHORITY = 4,
	REG_CLI_USES_NOW = 8,
	REG_CLI_USES_WINDOW = 16,
	REG_CLI_USES_CLERK = 32,
	/* what a tool of the pipeline reads: the registry, the catalog, the authority, the time */
	REG_CLI_USES_PIPELINE = 1 | 2 | 4 | 8,
	REG_CLI_USES_ALL = 63,
};

/* The batch tools' --progress and --quiet (libreg/progress.h), handled by
 * reg_cli_config_option; reg_cli_progress_help lists them for --help. */
#define REG_CLI_PROGRESS_OPTIONS                                                        \
	{"progress", no_argument, NULL, REG_OPT_PROGRESS},                               \
	{"quiet", no_argument, NULL, REG_OPT_QUIET}
const char *reg_cli_progress_help_text(void);
#define reg_cli_progress_help (reg_cli_progress_help_text())

/* Call first thing in main: the locale and the translations (libreg/i18n.h). */
void reg_cli_init(void);

/* Text for --help listing the shared options a tool uses (`uses`, enum reg_cli_uses) and
 * --help/--version, in the reader's language; the caller frees it (NULL when out of memory). */
char *reg_cli_config_help_for(unsigned uses);

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
