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

#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "ids.h"
#include "registry.h"

typedef struct reg_issue reg_issue;

typedef struct reg_issued {
	char uscc[REG_USCC_LEN + 1];
	char path[4096];      /* <out>/<USCC>.tar.gz, or <out>/<USCC>-N.tar.gz for edition N > 1 */
	char sha256[65];      /* of the archive's bytes */
	int64_t edition;
	bool reissued;        /* issued before: the recorded bytes written again */
} reg_issued;

typedef struct reg_issue_options {
	const char *out_dir;
	bool new_edition;     /* issued dossiers get a new edition instead of their recorded one */
	const char *prog;     /* names the tool in the test-authority note */
} reg_issue_options;

/* Loads the authority's signing key and clears temporary files killed runs left in out_dir.
 * The config, catalog and registry stay the caller's.  With registry NULL, the configuration's
 * registry (--db) is opened when the first dossier comes, and only if it exists
 * (libreg/registry.h, and why pipelines open it late); it is then the reg_issue's. */
reg_issue *reg_issue_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 const reg_issue_options *opt, reg_err **errp);
/* Issue one dossier (see above).  REG_ENO when it cannot be issued; any other code stops the
 * run. */
int reg_issue_dossier(reg_issue *is, reg_dossier *d, reg_issued *out, reg_err **errp);
void reg_issue_free(reg_issue *is);

#endif
