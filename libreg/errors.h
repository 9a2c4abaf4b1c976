/*
 * errors — the one error type of regkit.
 *
 * Every libreg function that can fail takes a `reg_err **errp` as its last argument and, on
 * failure, stores a new error there and returns -1 (or NULL).  An error carries:
 *
 *   code     what kind of failure it is; the values ARE the exit codes (docs/exit-codes.md), so
 *            a tool's main maps an error to its exit status in one place (reg_err_exit_code).
 *   file     the input it concerns ("-" for stdin), or NULL
 *   line     1-based line in that input (the CSV header is line 1), or 0 when unknown
 *   field    the CSV column or the element path (/dossier/enterprise/name), or NULL
 *   message  lower case, no full stop, the subject quoted ("unknown division '150399'")
 *
 * One rejected dossier usually has several problems: reg_err_add appends to a chain, and every
 * function that reports also reports the chain.  errp may be NULL when the caller does not care.
 * Errors are owned by whoever holds the pointer; reg_err_free(NULL) is a no-op.
 *
 * A chain is one record's problems (a CSV row, a dossier, an archive), and a hostile record can
 * have as many as it has list entries (a row naming 140 000 unknown materials).  So appending
 * costs O(1) (the first error of a chain keeps its tail), and a chain keeps at most
 * REG_ERR_MAX_PROBLEMS problems of code REG_ENO, far more than a genuine application ever has:
 * each further one is only counted, without formatting its message, in one problem that stands
 * for all of them, "and N more problems" (N exact; its file and line those of the first one left
 * out, no field).  Errors of any other code always join: each of them stops a run, so a chain
 * holds few, and the one that decides the exit status is always shown.
 */
#ifndef REG_ERRORS_H
#define REG_ERRORS_H

#include <stdarg.h>
#include <stdio.h>

typedef enum reg_code {
	REG_OK = 0,
	REG_ENO = 1,          /* the answer is "no": rejected, invalid, not genuine */
	REG_EUSAGE = 64,      /* bad command line */
	REG_EDATA = 65,       /* input not readable as its format at all */
	REG_ENOINPUT = 66,    /* an input file does not exist or cannot be opened */
	REG_EINTERNAL = 70,   /* a bug or an impossible state */
	REG_ECANTCREAT = 73,  /* cannot create an output file */
	REG_EIO = 74,         /* read or write failed */
	REG_EBUSY = 75,       /* the registry stayed locked past the timeout: try again */
	REG_ECONFIG = 78,     /* bad catalog, authority or configuration */
} reg_code;

typedef struct reg_err reg_err;

/* The REG_ENO problems a chain shows before "and N more problems" (see above). */
#define REG_ERR_MAX_PROBLEMS 100

#if defined(__GNUC__)
#define REG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define REG_PRINTF(f, a)
#endif

/* Store a new error in *errp and return -1; when *errp already holds one, the new one joins the
 * end of its chain, so nothing is ever lost. */
int reg_err_set(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		const char *fmt, ...) REG_PRINTF(6, 7);
/* The one "out of memory" (REG_EINTERNAL) every module reports; returns -1. */
int reg_err_oom(reg_err **errp);
int reg_err_setv(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		 const char *fmt, va_list ap);
/* Append a further problem to the chain in *errp (creating it when empty); returns -1. */
int reg_err_add(reg_err **errp, reg_code code, const char *file, long line, const char *field,
		const char *fmt, ...) REG_PRINTF(6, 7);
/* Move the whole chain of *from onto the end of *to; *from becomes NULL.  The cap holds for the
 * joined chain: what *from showed past it, and what it left out, ends up counted in *to's "and
 * N more problems". */
void reg_err_append(reg_err **to, reg_err **from);
/* Count n problems as left out, as the cap does (for a caller copying a chain problem by
 * problem, which meets a capped chain's "and N more problems": reg_err_more).  code only counts
 * towards the exit status; file and line locate the summary when it is new. */
void reg_err_add_more(reg_err **errp, reg_code code, const char *file, long line, size_t n);
/* Prefix the message of every error in the chain ("tax: ", "item 3: ") — for context. */
void reg_err_prefix(reg_err *err, const char *fmt, ...) REG_PRINTF(2, 3);
/* Re-classify every error of the chain: an unreadable catalog is a configuration problem (78),
 * whatever the parser called it. */
void reg_err_recode(reg_err *err, reg_code code);
/* Replace the field of one error (a value given by a flag is named by the flag). */
void reg_err_set_field(reg_err *err, const char *field);
/* Fill in file (and line, when the error has none) for errors made without knowing them. */
void reg_err_locate(reg_err *err, const char *file, long line);

reg_code reg_err_code(const reg_err *err);       /* REG_OK for NULL */
const char *reg_err_message(const reg_err *err);
const char *reg_err_file(const reg_err *err);
long reg_err_line(const reg_err *err);
const char *reg_err_field(const reg_err *err);
const reg_err *reg_err_next(const reg_err *err);
/* For the "and N more problems" that ends a capped chain, N; 0 for any other error. */
size_t reg_err_more(const reg_err *err);
/* The problems a chain shows and stands for: every error, each summary counting for its N. */
size_t reg_err_count(const reg_err *err);
/* The highest-priority exit code in the chain: internal and environment errors beat "no". */
int reg_err_exit_code(const reg_err *err);

/* Print every error of the chain as `prog: FILE:LINE: FIELD: message`, leaving out what is
 * unknown, one line each. */
void reg_err_print(const reg_err *err, const char *prog, FILE *fp);
/* The same as one string without the program name, problems joined by "; " (for reports). */
char *reg_err_join(const reg_err *err);

void reg_err_free(reg_err *err);
/* reg_err_free(*errp); *errp = NULL. */
void reg_err_clear(reg_err **errp);

#endif
