/*
 * sealset — reg-seal: the free seal set (公章刻制免费) of enterprises on its own, drawn and filed
 * exactly as reg-issue does it (libreg/seal.h), for dossiers read from a stream or one
 * enterprise given by flags.
 *
 * Seals follow the record.  For an issued USCC the name, legal form and legal representative
 * on the seals are the registry's (the body of the dossier it issued under that USCC), not the
 * input's: a dossier or flag that says otherwise — another name, another person — is refused
 * (REG_ENO, naming what differs and the registry's value), no seal filed, no file written.  A
 * USCC the registry never issued is refused too.  Seal codes are filed once per USCC: running
 * again reuses them and writes the same bytes.  Specimens (--specimen) carry no code, are never
 * filed and never open the registry; they are drawn from what they are given.
 *
 * Output layout (reg-seal(1)):
 *   DIR/<USCC>/seals/NN-<seal-id>.svg, DIR/<USCC>/seals/filing.xml   filed sets
 *   DIR/specimen/seals/NN-<seal-id>.svg                             one specimen set
 *   DIR/specimen-<N>/seals/NN-<seal-id>.svg                         the Nth dossier of a batch
 * Every file is written whole (libreg/files.h, mode 0644).  One line per file written goes to
 * standard output: PATH, a TAB, the seal code ("-" for filing.xml and for specimens).
 *
 * Problems of one enterprise are printed (`prog: FILE:LINE: FIELD: message`, FIELD the flag for
 * a value given by a flag) and the run goes on; the exit status is the worst seen.
 */
#ifndef REG_SEALSET_H
#define REG_SEALSET_H

#include <stdbool.h>

#include "configuration.h"
#include "seal.h"

typedef struct reg_sealset_request {
	const char *dir;            /* where to write ("." by default) */
	bool specimen;
	bool flags;                 /* the enterprise is `given`, not read from `input` */
	reg_seal_owner given;       /* borrowed; form NULL means llc */
	const char *input;          /* FILE, or NULL for standard input */
	const char *prog;
} reg_sealset_request;

/* The whole run; returns the exit status (0, 1, or the worst failure's code). */
int reg_sealset_run(reg_config *cfg, const reg_sealset_request *rq);

/* The owner of the seals of an issued USCC as the registry holds it (*out the caller's, release
 * with reg_seal_owner_clear).  A USCC the registry did not issue is REG_ENO. */
int reg_seal_owner_from_registry(reg_registry *reg, const char *uscc, reg_seal_owner *out,
				 reg_err **errp);

#endif
