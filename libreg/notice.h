/*
 * notice — the documents a clerk prints and hands over (or sends) in the course of one-window
 * registration, as A4 portrait pages (libreg/page.h: true size, one SVG file per sheet,
 * deterministic bytes, text escaped, no external references, the font lists of docs/seals.md):
 *
 *   受理通知书       acceptance receipt: what was accepted, when, by whom, the items applied for
 *                    with their departments and promised completion, commitments owed
 *   一次性告知书     one-time notice: every problem found, at once — what a department asks the
 *                    applicant to supplement, or why the window could not accept an application
 *   不予登记通知书   rejection notice: each rejected item, its department and reasons, and the
 *                    legal remedies (administrative review within 60 days, suit within 6 months)
 *   提醒单 催办单    the escalation ladder's slips (三单一函) as letters to the late department,
 *   督办单 移交函    the transfer letter to the supervising body
 *   承诺逾期通知书   overdue-commitment notice: materials promised and not delivered
 *
 * Every document is headed with the registration authority's name (in red, as an official
 * document's 红头) and the document's title and reference number, addressed, and closed with
 * the authority's name, the date and its round stamp pressed over them (the catalog's official
 * seal type, drawn by the seal module as on the license).  Lists flow onto further sheets
 * (NAME-2.svg …) and are never cut: every sheet after the first repeats the title and the
 * reference number, a table's header row is repeated where the table continues, and every
 * sheet of a document of several says 第i页 共N页.  A document of a test-only authority is
 * marked 样本 on every sheet (page.h) and its stamp says 样本 TEST.
 *
 * Inputs are plain structs of UTF-8 strings the caller has already resolved — names, the
 * Chinese names of items and departments, dates and times formatted as they are to be printed
 * ("2026年11月23日", "2026年11月23日 09:00") — so this module needs no registry, catalog lookup
 * or clock: it lays out what it is given, faithfully and completely.  A NULL string prints as
 * nothing (its line is left out where the layout allows: a field without a value is not
 * printed); a NULL `next`, `request` or `consequence` prints the standard wording given below.
 * Text is laid out as page.h says (characters, not words; punctuation rules).
 *
 * Every function returns the sheets as reg_documents named <name>.svg, <name>-2.svg … (the
 * default names below when `name` is NULL), *docs owned by the caller (reg_documents_free).
 * Errors: REG_EINTERNAL when out of memory, REG_ECONFIG when the authority's name cannot be
 * engraved on its stamp.
 */
#ifndef REG_NOTICE_H
#define REG_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "errors.h"
#include "page.h"

/* What every notice has. */
typedef struct reg_notice_head {
	const char *authority;        /* 登记机关: 乌海市海勃湾区市场监督管理局 */
	const reg_seal_type *stamp;   /* the catalog's official seal type (reg_catalog_find_seal
				       * (cat, "official")) for the authority's stamp; NULL: none */
	bool test_authority;          /* reg_authority_test_only: marked 样本 */
	const char *reference;        /* the document's own number: 海市监受字〔2026〕第1号 */
	const char *date;             /* the date it is issued: 2026年11月23日 */
	const char *contact;          /* 咨询电话 0473-3921234, or NULL */
} reg_notice_head;

/* One catalog item of a dossier. */
typedef struct reg_notice_item {
	const char *number;           /* the catalog number: "3" */
	const char *name;             /* 税务登记证 */
	const char *department;       /* 税务局 */
	const char *due;              /* promised completion: 2026年11月23日 13:30 */
} reg_notice_item;

/* A material the applicant committed to deliver later (容缺受理 + 告知承诺). */
typedef struct reg_notice_commitment {
	const char *material;         /* 经营场所使用证明 */
	const char *due;              /* 2026年12月20日 */
} reg_notice_commitment;

/*
 * 受理通知书, default name "acceptance".  Standard `next`: "各部门将在承诺时限内并联审批，
 * 全部办结后请凭本通知书到本窗口一次领取营业执照、登记备案结果和免费刻制的印章；容缺材料请
 * 在承诺期限内补交。"
 */
typedef struct reg_acceptance_notice {
	reg_notice_head head;
	const char *number;           /* acceptance number 150302-20261123-000001 */
	const char *enterprise;       /* the enterprise name applied for */
	const char *form;             /* legal form code (llc …): 法定代表人 / 投资人 / 执行事务合伙人 */
	const char *legal_rep;
	const char *accepted_at;      /* 2026年11月23日 09:00 */
	const char *window, *clerk;   /* 01, 王芳 */
	const reg_notice_item *items;
	size_t n_items;
	const reg_notice_commitment *commitments;
	size_t n_commitments;
	const char *next;             /* what happens next; NULL: the standard wording */
} reg_acceptance_notice;

int reg_notice_acceptance(const reg_acceptance_notice *n, const char *name, reg_document **docs,
			  size_t *count, reg_err **errp);

/* The two occasions of a one-time notice. */
typedef enum reg_onetime_kind {
	REG_ONETIME_SUPPLEMENT, /* a department asks for a supplement (补正) */
	REG_ONETIME_REFUSAL,    /* the window could not accept the application (不予受理) */
} reg_onetime_kind;

/* One problem.  Supplement: the department, the item (its Chinese name), the reasons and the
 * materials to bring.  Refusal: subject is the field's Chinese label (企业名称, 法定代表人身份证号
 * …), reasons the messages; department and bring are NULL. */
typedef struct reg_notice_problem {
	const char *department;
	const char *subject;
	const char *const *reasons;
	size_t n_reasons;
	const char *const *bring;
	size_t n_bring;
} reg_notice_problem;

/*
 * 一次性告知书, default name "onetime": one layout for both kinds, a numbered table of every
 * problem.  A supplement notice names the acceptance number, where to bring the materials and
 * by when, and that the review goes on once they are complete; a refusal names the application
 * (number may be NULL: nothing was accepted), says nothing was accepted and that the list is
 * every problem found, so that a corrected application can be made again at once.
 */
typedef struct reg_onetime_notice {
	reg_notice_head head;
	reg_onetime_kind kind;
	const char *number;           /* acceptance number, or NULL */
	const char *enterprise;
	const reg_notice_problem *problems;
	size_t n_problems;
	const char *where;            /* supplement: 提交地点 (本中心一号窗口) */
	const char *due;              /* supplement: 补正期限 2026年12月3日 */
} reg_onetime_notice;

int reg_notice_onetime(const reg_onetime_notice *n, const char *name, reg_document **docs,
		       size_t *count, reg_err **errp);

/* One rejected item. */
typedef struct reg_notice_rejected {
	const char *item;             /* 对外贸易经营者备案登记 */
	const char *department;       /* 商务局 */
	const char *const *reasons;
	size_t n_reasons;
} reg_notice_rejected;

/*
 * 不予登记通知书, default name "rejection".  The remedy, as such notices say it: "如不服本决定，
 * 可以自收到本通知书之日起60日内向<review_body>申请行政复议，或者自收到本通知书之日起6个月内
 * 向<court>提起行政诉讼。" (行政复议法 art. 20, 行政诉讼法 art. 46); NULL review_body prints
 * "有管辖权的行政复议机关", NULL court "有管辖权的人民法院".
 */
typedef struct reg_rejection_notice {
	reg_notice_head head;
	const char *number;           /* acceptance number */
	const char *enterprise;
	const reg_notice_rejected *items;
	size_t n_items;
	const char *review_body;      /* 乌海市海勃湾区人民政府 */
	const char *court;            /* 乌海市海勃湾区人民法院 */
} reg_rejection_notice;

int reg_notice_rejection(const reg_rejection_notice *n, const char *name, reg_document **docs,
			 size_t *count, reg_err **errp);

/* The rungs of 三单一函. */
typedef enum reg_slip_kind {
	REG_SLIP_REMINDER,     /* 提醒单: the time limit is running out */
	REG_SLIP_URGING,       /* 催办单: the time limit has passed */
	REG_SLIP_SUPERVISION,  /* 督办单: long past, still not done */
	REG_SLIP_TRANSFER,     /* 移交函: to the supervising body, after the three slips */
} reg_slip_kind;

/*
 * A slip as a letter, default name "slip".  Standard `request`:
 *   提醒单  请在承诺时限届满前办结，并将办理结果反馈本机关。
 *   催办单  该事项已超过承诺时限，请立即办理，并于一个工作日内将办理结果或未能办结的原因反馈本机关。
 *   督办单  该事项经提醒、催办仍未办结，现予督办。请立即办结，并书面说明逾期原因及责任人。
 *   移交函  该事项经提醒、催办、督办仍未办结，现将有关情况移交你单位，请依照有关规定督促办理并
 *           追究相关责任。
 * The opening sentence says the same in brief; the title is the kind's unless `title` is
 * given (a catalog's ladder may name its rungs otherwise).
 */
typedef struct reg_slip_notice {
	reg_notice_head head;
	reg_slip_kind kind;
	const char *title;            /* NULL: 提醒单 / 催办单 / 督办单 / 移交函 */
	const char *addressee;        /* the late department, or for 移交函 the supervising body */
	const char *department;       /* the late department */
	const char *number;           /* acceptance number */
	const char *enterprise;
	const char *item;             /* the item's Chinese name */
	const char *accepted_at;      /* 2026年11月23日 09:00 */
	const char *deadline;         /* the promised time limit's end: 2026年11月23日 13:30 */
	const char *elapsed;          /* time used: 已用 6 工作小时（承诺时限的150%） */
	const char *request;          /* what is asked; NULL: the standard wording */
} reg_slip_notice;

int reg_notice_slip(const reg_slip_notice *n, const char *name, reg_document **docs,
		    size_t *count, reg_err **errp);

/* One overdue commitment. */
typedef struct reg_notice_owed {
	const char *material;         /* 经营场所使用证明 */
	const char *promised;         /* 2026年12月20日 */
	int days;                     /* days overdue */
} reg_notice_owed;

/*
 * 承诺逾期通知书, default name "overdue".  Standard `consequence`: "请自收到本通知书之日起5个
 * 工作日内补交上述材料。逾期仍未补交的，本机关将依法撤销相关登记（备案），并将未履行承诺的
 * 情况记入企业信用记录。"
 */
typedef struct reg_overdue_notice {
	reg_notice_head head;
	const char *number;           /* acceptance number */
	const char *enterprise;
	const reg_notice_owed *items;
	size_t n_items;
	const char *consequence;      /* what follows; NULL: the standard wording */
} reg_overdue_notice;

int reg_notice_overdue(const reg_overdue_notice *n, const char *name, reg_document **docs,
		       size_t *count, reg_err **errp);

#endif
