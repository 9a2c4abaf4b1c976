/*
 * issue — one-window issuance (一窗出件): an approved dossier becomes its enterprise's USCC, the
 * license, the twenty registration records, the filed seal set and the final dossier, in ONE
 * signed archive <out>/<USCC>.tar.gz (docs/issuance.md).
 *
 * The ledger decides (libreg/ledger.h).  A dossier is issued only when the registry itself
 * shows it: accepted with this body (the input's body digest is the current version's), every
 * catalog item that applies — evaluated on the registry's own copy of the body — with a
 * counting verdict in force from its department, approved (or refused, for a filing whose
 * rejection refuses only itself), and the registry's state approved (issued, for a re-issue).
 * The input is a proposal: its approvals must be exactly the verdicts the registry recorded,
 * and its state the registry's; where they differ the dossier is refused (REG_ENO, naming the
 * item and what differs; the batch goes on) and nothing is taken or written.  The final dossier
 * inside the archive is written from what the registry holds — its body, its verdicts, the
 * body versions and the issuance — never copied from the input, so nothing outside the body
 * digest (a comment, a <rejection>, an <outstanding>) can reach the signed archive.
 *
 * GROUPS.  Dossiers are issued in groups of up to REG_ISSUE_GROUP, one registry transaction
 * and one durability point each, in three phases:
 * Nothing touches the registry while input is awaited: a group's transaction opens once its
 * dossiers are read (a pipeline's earlier tools need the registry to write the next ones).
 *   A  (this thread, in input order, each dossier in its own savepoint) the checks below, the
 *      USCC and seal serials taken, the issuance and state recorded, the final dossier made.
 *      A dossier refused here (REG_ENO) is rolled back alone: it takes no serial, and the next
 *      one takes the serial it would have had, so serials follow the input order;
 *   B  (`threads` threads) each archive built in memory and signed — no registry, nothing
 *      shared but read-only data, so -j 1 and -j N make the same bytes;
 *   C  (this thread) every archive's bytes recorded, ONE commit, then every file written
 *      through reg_file_write_group (staged, one syncfs, renamed, one flush of the folder),
 *      then the lines reported in input order.
 * A group is finished when full, when a dossier comes that is already in it, and when the
 * caller flushes (reg-issue does when its input pauses for REG_ISSUE_PAUSE_MS, and at the end).  A failure
 * in B or C (not the dossier's fault: memory, the disk, the registry) rolls the whole group
 * back and stops the run: nothing of it issued, no serial burnt.
 *
 * ORDER OF THE STEPS, and what a kill leaves at each point.  In one registry transaction: the
 * USCC ("91" + division + "MA" + a serial of counter "uscc:<division>" + checks), the seal codes,
 * the archive built in memory, its bytes recorded (edition 1), the dossier's state, an event —
 * then the commit.  Only then is the archive written: a temporary file in <out>, flushed,
 * renamed to <USCC>.tar.gz, the folder flushed (libreg/files.h).
 *   - killed before the commit: nothing was taken (the serials roll back with the transaction)
 *     and no file has the final name; the rerun issues the dossier as if for the first time,
 *     under the same USCC;
 *   - killed after the commit, before the rename: the registry holds the issuance and the
 *     archive's bytes, the folder lacks the file (at most a temporary one, removed by the next
 *     run); the rerun finds the dossier issued and writes the recorded bytes;
 *   - after the rename: done; a rerun writes the same bytes again.
 * In a group the same holds for every dossier of it at once: before the commit none of them
 * is issued; after it all are, and the rerun writes those whose file is missing.
 * So a USCC is never handed to a second enterprise, and a final name never holds a partial or
 * unrecorded archive — after a power cut too: the commit is flushed before it returns (SQLite's
 * synchronous=FULL, PostgreSQL's synchronous_commit), and the file only then.
 *
 * RE-ISSUE.  An archive once recorded never changes.  Issuing a dossier the registry already
 * issued writes the recorded bytes of its latest edition again — byte-identical, nothing taken
 * (the input must still agree with the registry, or it is refused).  A NEW EDITION (after a
 * catalog or rendering change, or to replace a lost license) is asked for explicitly
 * (new_edition): a new archive, built from the registry's record with this run's code and
 * catalog, its issuance carrying edition N, the edition's time and the digest of the edition it
 * supersedes; recorded as edition N beside the earlier ones, written as <USCC>-N.tar.gz.  Both
 * stay verifiable (reg-verify --db knows every edition).
 *
 * The test authority: an archive signed by a test-only authority is marked 样本 on its license
 * and seals (libreg/license.h), and reg_issue_new says once on stderr that it signs as one.
 */
#ifndef REG_ISSUE_H
#define REG_ISSUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "ids.h"
#include "registry.h"
#include "table.h"

typedef struct reg_issue reg_issue;

typedef struct reg_issued {
	char uscc[REG_USCC_LEN + 1];
	char path[4096];      /* <out>/<USCC>.tar.gz, or <out>/<USCC>-N.tar.gz for edition N > 1 */
	char sha256[65];      /* of the archive's bytes */
	int64_t edition;
	bool reissued;        /* issued before: the recorded bytes written again */
} reg_issued;

/* Dossiers per registry transaction (GROUPS), and the most threads phase B runs on. */
#define REG_ISSUE_GROUP 64
#define REG_ISSUE_MAX_THREADS 64
/* How long input may pause before a partial group is finished (milliseconds). */
#define REG_ISSUE_PAUSE_MS 20

typedef struct reg_issue_options {
	const char *out_dir;
	bool new_edition;     /* issued dossiers get a new edition instead of their recorded one */
	const char *prog;     /* names the tool in the test-authority note */
	unsigned threads;     /* phase B's threads; 0: the cores online (reg-issue -j) */
	size_t group;         /* dossiers per group; 0: REG_ISSUE_GROUP */
	/* Called for each archive once it is recorded and on disk under its name, in input
	 * order (reg-issue prints its line here). */
	void (*on_issued)(const reg_issued *out, void *ctx);
	void *on_issued_ctx;
} reg_issue_options;

/* Loads the authority's signing key and clears temporary files killed runs left in out_dir.
 * The config, catalog and registry stay the caller's.  With registry NULL, the configuration's
 * registry (--db) is opened when the first dossier comes, and only if it exists
 * (libreg/registry.h, and why pipelines open it late); it is then the reg_issue's. */
reg_issue *reg_issue_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 const reg_issue_options *opt, reg_err **errp);
/* Take one dossier into the group (see GROUPS; `d` becomes the reg_issue's): all of its work
 * happens when the group is finished — when full, when the same dossier comes again, or at
 * reg_issue_flush.  A dossier refused then (REG_ENO) is passed to the on_refused callback
 * (reg_issue_stream's prints it) and nothing of it is kept; -1 means the run stops, the
 * group dropped unissued. */
int reg_issue_dossier(reg_issue *is, reg_dossier *d, reg_err **errp);
/* Finish the group: build, record, commit, write, report.  Call before waiting for more input
 * and at the end; a group not flushed is rolled back by reg_issue_free. */
int reg_issue_flush(reg_issue *is, reg_err **errp);
/* A dossier stream (a batch or single dossiers, libreg/xml.h) from fp: each dossier through
 * reg_issue_dossier, the group finished whenever the input pauses (REG_ISSUE_PAUSE_MS, and never while read
 * dossiers are queued) and at the end.  A
 * dossier refused is reported on stderr as `prog: FILE:LINE: …` and counted in *refused
 * (reg_cli_delay); -1 stops (the dossiers before the stop are issued). */
int reg_issue_stream(reg_issue *is, FILE *fp, const char *name, const char *prog,
		     size_t *refused, reg_err **errp);
void reg_issue_free(reg_issue *is);

/* reg-issue's run: DIR made, every input in turn (none: standard input) issued through
 * reg_issue_stream, a line USCC<TAB>path<TAB>sha256 per archive on stdout as soon as it is on
 * disk — or, `formatted`, a table (libreg/table.h) of those rows.  Some dossiers not issued is
 * REG_ENO ("N dossiers not issued"), the others issued. */
typedef struct reg_issue_request {
	const char *prog;
	reg_config *cfg;
	const char *out_dir;
	bool new_edition;
	unsigned threads;          /* 0: the cores */
	bool formatted;            /* --format: a table instead of the plain lines */
	reg_table_format format;
	char **inputs;
	int n_inputs;
} reg_issue_request;

int reg_issue_run(const reg_issue_request *r, reg_err **errp);

#endif
