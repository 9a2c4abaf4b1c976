/*
 * fanin — reg-merge: the copies of each dossier coming back from the departments' streams
 * become one dossier, recorded and decided by the ledger (docs/approval.md).
 *
 * Inputs are read round-robin, one dossier from each per round; copies are filed by acceptance
 * number.  Streams in the same order (the usual fan-out of one reg-apply output) bring the
 * copies of a dossier in the same round: it is settled and written at once, and memory stays
 * flat.  Otherwise copies wait until every input has brought one or has ended.  Output follows
 * the first input's order; dossiers it never had come last, in the order they first arrived.
 * A dossier that never gets all its copies (a stream left it out) is merged from what arrived
 * once the inputs lacking it have ended; until then the dossiers after it in the first input
 * wait too, so such a stream costs memory for the rest of the run.
 *
 * Each dossier, in one registry transaction (libreg/ledger.h):
 *   1. the registry holds it and has not issued it, and every copy's body is a version the
 *      registry holds (a copy whose body is none is refused, naming its file and the
 *      departments it carries: its body changed after review);
 *   2. each copy's verdicts are admitted in turn — recorded already, or proved by their
 *      department's signature and then recorded (a department's host sends its stream as a
 *      file: this is where its verdicts enter the ledger); one that cannot be proved, or that
 *      conflicts with another verdict on its item at the same instant, refuses the dossier and
 *      nothing is recorded.  The union of the copies is what the registry then records;
 *   3. the state follows from what is recorded (rejected is final) and the output is the
 *      ledger's view of the dossier, on its current body.
 * A refused dossier is printed (`prog: FILE:LINE: FIELD: message`), left out of the output, and
 * the run goes on (REG_ENO at the end); anything else stops the run, what was written before it
 * staying a well-formed batch.
 *
 * Output shape: a <batch> when any input is a batch or the inputs hold different dossiers,
 * otherwise one <dossier>.
 */
#ifndef REG_FANIN_H
#define REG_FANIN_H

#include <stddef.h>

#include "configuration.h"
#include "errors.h"

/* Merge the inputs (none: standard input; "-" at most once) into `output` ("-" or NULL:
 * standard output).  `prog` prefixes the refusals printed as the run goes on. */
int reg_fanin_run(reg_config *cfg, char *const *inputs, size_t n_inputs, const char *output,
		  const char *prog, reg_err **errp);

#endif
