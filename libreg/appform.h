/*
 * appform — the application form a clerk fills in at the counter (`reg-apply -i`): GNU readline,
 * one field at a time, every answer checked as it is typed, a summary to confirm at the end.
 * The result is the column values of libreg/application.h, so the caller goes on exactly as
 * for a CSV row: reg_application_from_fields, then acceptance.  The form never writes to
 * stdout (the dossier stream goes there) and never decides acceptance: it catches typing
 * mistakes early and, given acceptance (opt->apply), asks acceptance's own checks before the
 * clerk confirms (see "Acceptance's checks"); acceptance still checks everything.
 *
 * Order of the questions.  组织形式 form and 行政区划 division come first, because the name is
 * checked against both (reg_name_check); then 企业名称 name, capital, address, scope,
 * industry, the legal representative (name, citizen id, phone), the shareholders, the
 * financial officer, staff, contact phone, materials, commitments, requests.  Prompts read
 * "企业名称 name: " — the Chinese label and the column's English name — with " (optional)"
 * for an optional column and " [value]" when an empty answer takes a default.
 *
 * Answers.  Surrounding spaces (ASCII and the ideographic U+3000) are dropped; text must be
 * valid UTF-8 without control characters and within the dossier schema's length caps.  Codes
 * (citizen id, USCC, industry) are upper-cased, the name goes through reg_name_normalize
 * (half-width ( ) become （ ）).  A refused answer prints "  COLUMN: reason" and the question
 * is asked again:
 *   form         llc, jsc, sole, partnership, or 有限责任公司/有限公司, 股份有限公司,
 *                个人独资企业, 合伙企业
 *   division     six digits in the GB/T 2260 table (ids.h), or a full or unambiguous short
 *                name from it; empty takes the authority's division when one is given
 *   name         reg_name_check for the form and division, every problem printed; changing
 *                form or division later re-checks the name and asks again if it now fails
 *   capital      decimal.h's grammar, above zero, at most 15 integer digits; kept as "N.NN"
 *   industry     GB/T 4754-2017: section letter + 4 digits whose 2-digit division lies in the
 *                section (F51xx, not F61xx); codes outside the shipped table are accepted, and
 *                a class name of the table ("百货零售") stands for its code
 *   citizen ids  reg_citizen_id_check's reason ("check character should be X"), not born
 *                after today; the legal representative at least 18 on opt->today
 *   phones       \+?[0-9][0-9-]{2,31} (the schema's pattern); staff 0 … 10 000 000
 * Typing "?" at a column's (first) question prints what the column holds and how to complete
 * it.
 *
 * Lists.  Shareholders: name, id (citizen id or USCC; for a name equal to the legal
 * representative's, the representative's id is the default), share in percent (exact
 * hundredths).  The running sum may never pass 100.00 and an empty name finishes only when
 * the sum is exactly 100.00; "-" as a name removes the last shareholder.  The column text is
 * "name:id:share;…" with shares as "60.00".  Names may not contain ':' or ';'.
 * Materials: one material id per question (TAB completes the catalog's ids), then an
 * optional file path ("empty = sighted at the window"; the file must exist and be a regular
 * file, relative to the current directory — reg-apply applies the href rule of
 * docs/formats.md); "id=path" on one line skips the second question.  At least one material;
 * each at most once; the column text is "id=path;id;…".
 * Commitments (optional): a material id not among the materials, then a due date YYYY-MM-DD
 * after today; "id@date" on one line works too; the column text is "id@date;…".
 * Requests (optional): catalog item numbers or ids separated by ';' or ','.
 * Editing a list from the summary enters it again from the start.
 *
 * Acceptance's checks.  With opt->apply (a reg_apply, libreg/apply.h) the form checks what
 * acceptance checks, with acceptance's own code and nothing recorded: at the division question
 * the authority's area (reg_apply_check_division), at the name question the name rules and the
 * registry — a name already registered is refused there, and asked again
 * (reg_apply_check_name); after the last question the whole application
 * (reg_application_from_fields, then reg_apply_check: catalog items and rules, materials and
 * their files, commitment limits, every field's syntax).  Whatever acceptance would refuse is
 * printed "  COLUMN: reason" under "acceptance would refuse it:" and the first problem's field
 * is asked again, its current value the default; when it comes back unchanged, or the problem
 * names no field (a catalog rule), the summary is shown and the clerk picks the field to change.
 * The confirmation question comes only once the application passes: what the clerk confirms is
 * what acceptance takes (unless the registry changes in between: acceptance still checks).
 *
 * Summary.  After the last question the form prints every column, numbered 1-18 in column
 * order, and asks "确认 confirm? [y/n]" (y, yes, 是 / n, no, 否).  n asks which field to
 * change, by number, English name or Chinese label; the field is asked again with its current
 * value as the default (empty keeps it, "-" clears an optional one), then the summary comes
 * back.  "abandon" (or 放弃, q) at that question abandons: nothing is returned, the draft is
 * removed, and "abandoned, nothing recorded" is printed.
 *
 * Draft.  With opt->draft, the answers are written to that file after each question (a list —
 * shareholders, materials, commitments — once it is finished), atomically (libreg/files.h),
 * mode 0600, missing directories created 0700: it holds citizen ids and phone numbers, unlike
 * the history.  End of input (Ctrl-D) at any question, a SIGINT (Ctrl-C) or a crash leaves it;
 * the next form with the same draft prints what it holds and asks "继续 resume it? [y/n]": y
 * takes its answers and asks only the questions not yet answered (then the checks and the
 * summary as usual), n removes it and starts afresh.  The caller removes it once the dossier
 * is accepted (reg_form_draft_remove).  A file there that is not a draft (its first line is
 * "regkit form draft 1", then COLUMN=VALUE lines) is reported and never overwritten; a draft
 * that cannot be written is reported once and the form goes on without it.  One form at a time
 * per draft file.  End of input before any answer, with no draft, abandons.
 *
 * Completion (TAB): form (with the Chinese names), division codes (with their names; typing
 * part of a name also finds the code), industry codes from a small table of common GB/T
 * 4754-2017 classes, material ids and request item ids (from the options), file names for
 * material files, field names at the change question.
 *
 * History: when opt->history is set, earlier answers are loaded from it and this session's
 * are appended (the file is cut to its last REG_FORM_HISTORY_MAX lines).  Missing directories
 * are created 0700, the file 0600; citizen ids, USCCs and phone numbers are never written to
 * it (personal data on a shared counter machine).  A history that cannot be read or written
 * is reported with one line on the output and the form goes on without it.
 *
 * Terminal or not.  When opt->in is a terminal, readline edits the line, echoes and shows
 * prompts itself.  Otherwise (answers piped in, as tests and scripts do) readline only reads
 * lines: the form turns off its terminal preparation, signal handling and redisplay, prints
 * each prompt and the answer read itself, so the output is a clean transcript without escape
 * sequences.  Key bindings still apply: a TAB in piped input completes.  Lines end with LF
 * (a CR would end an answer of its own).  readline reads the input's file descriptor directly,
 * one byte at a time, so opt->in must have one (not fmemopen) and nothing may be waiting in
 * its stdio buffer.  8-bit input is switched on for the run (input-meta, output-meta on,
 * convert-meta off), so Chinese answers work in any locale; the caller should still call
 * setlocale(LC_ALL, "") for correct display widths.
 *
 * Global state.  readline and its history are process-global.  For the run the form sets
 * rl_instream, rl_outstream, rl_readline_name ("regkit", for $if in ~/.inputrc),
 * rl_attempted_completion_function, rl_completion_display_matches_hook,
 * rl_completion_word_break_hook, rl_change_environment (0: readline must not export LINES and
 * COLUMNS), the three meta variables above, the history list (its own, empty plus the file),
 * and for piped input rl_prep_term_function, rl_deprep_term_function, rl_redisplay_function,
 * rl_catch_signals and rl_catch_sigwinch; the completion callbacks, which readline calls
 * without user data, find the running form through one file-scope pointer.  Everything is
 * restored before reg_form_run returns, the caller's history list included.  What readline
 * does not let anyone restore stays: its one-time initialization (it reads ~/.inputrc or
 * $INPUTRC and sets LC_CTYPE from the environment, once per process).  On a terminal,
 * readline's default signal handling is left as the caller set it: Ctrl-C restores the
 * terminal and the process gets SIGINT, so nothing is recorded either (the draft keeps what
 * was answered).  Not thread-safe: one
 * form at a time per process, and no other readline use while it runs.
 */
#ifndef REG_APPFORM_H
#define REG_APPFORM_H

#include <stdio.h>

#include "application.h"
#include "errors.h"

typedef struct reg_apply reg_apply;

/* History lines kept in the history file. */
#define REG_FORM_HISTORY_MAX 1000

typedef struct reg_form_options {
	FILE *in;   /* the answers; NULL = stdin.  Must have a file descriptor (see above). */
	FILE *out;  /* prompts, echo, messages, summary; NULL = stderr.  Never stdout. */
	/* History file (reg_form_history_path gives the standard one), or NULL for none. */
	const char *history;
	/* The catalog's material ids, NULL-terminated, for completion and checking (an id not
	 * listed is refused); material_names, when not NULL, runs parallel with a name to show
	 * beside each ("设立登记申请书").  NULL = any well-formed id, no completion. */
	const char *const *material_ids;
	const char *const *material_names;
	/* The catalog's item ids in number order (item i + 1 is item_ids[i]), NULL-terminated,
	 * for completing and checking requests; NULL = any well-formed id or number. */
	const char *const *item_ids;
	/* The authority's division: the default answer to the division question; NULL = none. */
	const char *division;
	/* Today's civil date in the authority's zone (clock.h reg_time_civil): ages and
	 * commitment due dates are measured from it.  Required. */
	int today_year, today_month, today_day;
	/* Acceptance, for its checks (see above; nothing is recorded), or NULL for the form's
	 * own checks alone.  base_dir: what material paths are relative to; NULL = ".". */
	reg_apply *apply;
	const char *base_dir;
	/* The draft file (reg_form_draft_path gives the standard one), or NULL for none. */
	const char *draft;
} reg_form_options;

/*
 * Run the form.  `values` is indexed by reg_column; every entry is set to NULL on entry.
 *    1  confirmed: values holds the answers (malloc'd strings, NULL for an empty optional
 *       column) in the syntax of the CSV columns; free them with reg_form_values_free
 *    0  abandoned ("abandon" after the summary, or end of input with no draft kept): every
 *       value NULL, nothing to free
 *    2  interrupted (end of input) with the answers kept in opt->draft: every value NULL
 *   -1  error, *errp set: REG_EINTERNAL for bad options (no today, an input without a file
 *       descriptor) or out of memory, or the registry's failure during a check; every value
 *       NULL
 * Problems with the answers are never errors: the form asks again.
 */
int reg_form_run(const reg_form_options *opt, char *values[REG_COL__COUNT], reg_err **errp);

/* Free every value and set it to NULL; safe on an all-NULL array. */
void reg_form_values_free(char *values[REG_COL__COUNT]);

/* The standard history file: $XDG_STATE_HOME/regkit/history, or
 * $HOME/.local/state/regkit/history when XDG_STATE_HOME is unset, empty or not absolute.
 * A malloc'd string; NULL when neither gives an absolute directory (or out of memory): then
 * keep no history. */
char *reg_form_history_path(void);

/* The standard draft file: "draft" beside the standard history file, or NULL likewise. */
char *reg_form_draft_path(void);
/* Remove the draft (the dossier is accepted); a draft that is not there is fine; NULL or "" is
 * a no-op.  REG_EIO when it cannot be removed. */
int reg_form_draft_remove(const char *path, reg_err **errp);

#endif
