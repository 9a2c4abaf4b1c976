/*
 * progress — one updating status line on standard error for a long batch (docs/progress.md):
 *
 *   reg-apply: 1200 dossiers, 352/s, 41%, 0:12 left
 *
 * done, the rate, and — when the input being read is a regular file — how much of it is read
 * and the time left.  It shows when standard error is a terminal and standard output is not a
 * pipe, so in `reg-apply | reg-approve | reg-merge | reg-issue -o out` only the last stage
 * draws; REG_PROGRESS_ALWAYS (--progress) forces it, REG_PROGRESS_NEVER (--quiet) silences it.
 * The line is redrawn at most five times a second and ends with a carriage return, so a message
 * printed meanwhile starts at the line's beginning; reg_progress_free writes the last count and
 * a newline.
 *
 * SIGUSR1 prints one status line at the next step whatever the mode, as bsdtar does on
 * SIGINFO: `kill -USR1 PID` on a batch that runs in the background says how far it is.  The
 * signal's flag is the one global of the cli layer (a handler can touch nothing else).
 */
#ifndef REG_PROGRESS_H
#define REG_PROGRESS_H

#include <stdio.h>

typedef enum reg_progress_mode {
	REG_PROGRESS_AUTO,
	REG_PROGRESS_ALWAYS,
	REG_PROGRESS_NEVER,
} reg_progress_mode;

typedef struct reg_progress reg_progress;

/* `prog` names the tool, `unit` what is counted ("dossiers", "archives").  Installs the SIGUSR1
 * handler.  NULL only when out of memory (every function takes NULL as "no progress"). */
reg_progress *reg_progress_new(const char *prog, const char *unit, reg_progress_mode mode);
/* The input now being read: its size and read position give the percentage (NULL: none). */
void reg_progress_watch(reg_progress *p, FILE *input);
/* `n` more done. */
void reg_progress_add(reg_progress *p, unsigned long n);
/* The last line (when drawing) and a newline; frees. */
void reg_progress_free(reg_progress *p);

#endif
