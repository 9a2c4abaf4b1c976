/*
 * issue — one-window issuance (一窗出件): an approved dossier becomes its enterprise's USCC, the
 * license, the twenty registration records, the filed seal set and the final dossier, in ONE
 * signed archive <out>/<USCC>.tar.gz (DESIGN.md §3).
 *
 * Each dossier is one registry transaction: the issuance record with its USCC ("91" + authority
 * division + "MA" + a serial of counter "uscc:<division>" + checks), the seal codes, the archive's
 * digest, the dossier's new state and an event.  The archive is written to a hidden temporary
 * file in <out> and renamed before the commit; if the commit fails it is removed again, so a
 * final archive name never holds a partial archive, nor one a failure left unrecorded.  Only a
 * kill (SIGKILL, power loss) between the rename and the commit — a few system calls — leaves a
 * whole, signed archive whose issuance the registry does not hold (reg-verify --db says so):
 * its serial was not taken, so the rerun of the batch issues that dossier under the same USCC
 * and replaces the file with the same bytes; should another run take the serial first, its own
 * recorded archive replaces the file.  Either way no USCC is ever recorded twice.
 *
 * Re-issuing: a dossier the registry already issued keeps its USCC, its issuance time and its
 * seal codes, so the archive comes out byte-identical and no serial is taken.  That is also how
 * a batch killed half-way is finished: run it again.
 *
 * Only a dossier whose state is `approved` (or `issued`, for a re-issue) is issued; its body must
 * be the one the registry accepted and every approval must be on that body.
 */
#ifndef REG_ISSUE_H
#define REG_ISSUE_H

#include <stdbool.h>

#include "catalog.h"
#include "configuration.h"
#include "dossier.h"
#include "errors.h"
#include "ids.h"
#include "registry.h"

typedef struct reg_issue reg_issue;

typedef struct reg_issued {
	char uscc[REG_USCC_LEN + 1];
	char path[4096];      /* <out>/<USCC>.tar.gz */
	char sha256[65];      /* of the archive's bytes */
	bool reissued;        /* issued before: same USCC, nothing new taken */
} reg_issued;

/* Loads the authority's signing key and clears temporary files killed runs left in out_dir.
 * The config, catalog and registry stay the caller's.  With registry NULL, the configuration's
 * registry (--db) is opened when the first dossier comes, and only if it exists (registry.h:
 * reg_registry_open_existing, and why pipelines open it late); it is then the reg_issue's. */
reg_issue *reg_issue_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 const char *out_dir, reg_err **errp);
/* Issue one dossier (it becomes the final dossier: <issuance>, state issued).  REG_ENO when
 * it cannot be issued (not approved, unknown to the registry, changed since acceptance); any
 * other code stops the run. */
int reg_issue_dossier(reg_issue *is, reg_dossier *d, reg_issued *out, reg_err **errp);
void reg_issue_free(reg_issue *is);

#endif
