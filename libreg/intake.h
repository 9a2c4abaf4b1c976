/*
 * intake — the input side of the window (reg-apply): applications streamed from CSV batches,
 * XML dossiers or batches, or the interactive form, each put through acceptance (libreg/apply.h)
 * one at a time, so memory stays flat whatever the batch size.
 *
 * Accepted dossiers go to `out` as XML: a <batch> when the run is a batch (any CSV input, several
 * inputs, or a <batch> document), a bare <dossier> when the only input is one dossier.
 * Rejected applications are handed to `on_reject` (reg-apply prints them) and, with a rejects
 * stream, written back in their input's own format: CSV rows with the same columns plus `line`
 * and `reason`; XML dossiers with a <rejection> element.  A rejection does not stop the run;
 * input that is not CSV or not well-formed XML at all does (REG_EDATA).
 */
#ifndef REG_INTAKE_H
#define REG_INTAKE_H

#include <stdbool.h>
#include <stdio.h>

#include "apply.h"
#include "configuration.h"
#include "csv.h"
#include "errors.h"
#include "progress.h"

typedef enum reg_intake_format { REG_INTAKE_XML, REG_INTAKE_CSV } reg_intake_format;

typedef struct reg_intake_options {
	reg_apply *apply;
	FILE *out;                 /* accepted dossiers */
	bool batch;                /* force a <batch> (several inputs, CSV, or the caller knows) */
	FILE *rejects;             /* may be NULL */
	const char *rejects_name;  /* for messages */
	reg_intake_format rejects_format;
	void (*on_reject)(const reg_err *problems, void *user);
	/* An application accepted with something to say (handed back as accepted before: see
	 * libreg/apply.h); may be NULL. */
	void (*on_note)(const reg_err *note, void *user);
	void *user;
	reg_progress *progress;    /* counts each application, watches each input; may be NULL */
} reg_intake_options;

typedef struct reg_intake reg_intake;

reg_intake *reg_intake_new(const reg_intake_options *opt, reg_err **errp);
/* One input stream.  `name` is what messages call it ("-" for stdin); material files are looked
 * up relative to `base_dir`.  Returns -1 only for what stops the run. */
int reg_intake_csv(reg_intake *in, FILE *fp, const char *name, const char *base_dir,
		   reg_csv_encoding encoding, reg_err **errp);
int reg_intake_xml(reg_intake *in, FILE *fp, const char *name, const char *base_dir,
		   reg_err **errp);
/* One application already in hand (the interactive form); takes ownership of d. */
int reg_intake_dossier(reg_intake *in, reg_dossier *d, const char *base_dir, reg_err **errp);
/* Close the output batch and flush.  Call once, after the last input. */
int reg_intake_finish(reg_intake *in, reg_err **errp);
size_t reg_intake_accepted(const reg_intake *in);
size_t reg_intake_rejected(const reg_intake *in);
void reg_intake_free(reg_intake *in);

/* The format of an input by its name: ".csv" (any case) is CSV, anything else XML. */
reg_intake_format reg_intake_guess(const char *name);

/* reg-apply's run: every input in turn (CSV or XML by its name, or CSV with `csv`; none: standard
 * input), then with `interactive` one application through the form (libreg/appform.h), each
 * accepted dossier to `output`, each rejection to `rejects` and said on stderr under `prog`.
 * Material files are looked up in the folder of the input that names them.  Some applications
 * rejected is REG_ENO ("N of M applications rejected"), the others accepted. */
typedef struct reg_intake_request {
	const char *prog;
	reg_config *cfg;
	bool csv;                  /* every input is CSV (-c) */
	bool interactive;          /* -i */
	reg_csv_encoding encoding;
	const char *output;        /* NULL or "-": standard output */
	const char *rejects;       /* --rejects, or NULL */
	const char *draft;         /* the form's draft file (appform.h) */
	char **inputs;
	int n_inputs;
} reg_intake_request;

int reg_intake_run(const reg_intake_request *r, reg_err **errp);

#endif
