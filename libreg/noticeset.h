/*
 * noticeset — the printed notices of one dossier, filled from what the registry holds
 * (docs/notices.md).  libreg/notice.h lays a notice out from plain strings; this module decides
 * what those strings are, and nothing of it comes from an input: the ledger says the state and
 * which verdicts are in force (libreg/ledger.h), the catalog names items, departments and
 * materials in Chinese, the authority's calendar gives the promised completion in working time.
 *
 *   receipt    受理通知书, for any dossier the registry holds: the applicable items with their
 *              departments and promised completion (acceptance + the item's time limit in
 *              working time), the commitments still owed
 *   onetime    一次性告知书 of a supplement: for a pending dossier whose verdicts in force ask for
 *              a supplement — each department's item, its signed reasons, and what to bring (the
 *              materials the item's catalog entry uses).  REG_ENO when none asks for one
 *   rejection  不予登记通知书, for a rejected dossier: every rejected item, its department and
 *              the reasons recorded.  REG_ENO for a dossier not rejected
 *   slip       a recorded escalation slip as a letter (提醒单 催办单 督办单 移交函): `item` and
 *              `step` name it; deadline and time used as they stood when it was issued.  The
 *              移交函 is addressed to the authority's supervising body.  REG_ENO when the
 *              registry recorded no such slip
 *   overdue    承诺逾期通知书: the commitments past their due date and still owed, with the days
 *              overdue.  REG_ENO when none is
 *
 * Reference numbers (文号).  Each notice of a dossier gets one, "市监<字>字〔YEAR〕第N号", N from
 * the registry counter "notice:<kind>:<division>:<year>" (受 receipt, 补 one-time, 驳 rejection,
 * 督 slip, 逾 overdue), recorded with its date in a "notice" event in the same transaction.  Printing
 * the same notice again reuses the recorded number and date, so a reprint is the same bytes;
 * only a refused request records nothing.
 *
 * Output: the sheets as reg_documents named "<NUMBER>-<kind>.svg", "-2.svg" … (slips:
 * "<NUMBER>-<item>-<step>.svg"), the caller's (reg_documents_free).
 */
#ifndef REG_NOTICESET_H
#define REG_NOTICESET_H

#include <stddef.h>

#include "configuration.h"
#include "errors.h"
#include "page.h"

typedef enum reg_notice_kind {
	REG_NOTICE_RECEIPT,
	REG_NOTICE_ONETIME,
	REG_NOTICE_REJECTION,
	REG_NOTICE_SLIP,
	REG_NOTICE_OVERDUE,
} reg_notice_kind;

/* "receipt", "onetime", "rejection", "slip", "overdue"; -1 for anything else. */
int reg_notice_kind_parse(const char *text, reg_notice_kind *out);
const char *reg_notice_kind_name(reg_notice_kind k);

typedef struct reg_notice_request {
	reg_notice_kind kind;
	const char *number;    /* the acceptance number */
	const char *item;      /* slip: the item id */
	const char *step;      /* slip: the step id (reminder, urging, supervision, transfer) */
} reg_notice_request;

/* Make the notice (see above) from the configuration's registry, catalog and authority; the
 * reference (owned by *reference, caller frees; may be NULL) says which number it carries. */
int reg_notice_make(reg_config *cfg, const reg_notice_request *rq, reg_document **docs,
		    size_t *count, char **reference, reg_err **errp);

#endif
