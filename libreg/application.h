/*
 * application — the application form's columns (CSV batches and the interactive form) turned
 * into a partial dossier (docs/formats.md), before acceptance checks it.
 *
 * Columns, by English name or Chinese alias (reg-apply(1) has the table):
 *   name 企业名称, form 组织形式, capital 注册资本, division 行政区划, address 住所,
 *   scope 经营范围, industry 行业代码, legal_rep_name 法定代表人, legal_rep_id 法定代表人身份证号,
 *   legal_rep_phone 法定代表人电话, shareholders 股东, finance_officer_name 财务负责人,
 *   finance_officer_id 财务负责人身份证号, staff 从业人数, contact_phone 联系电话,
 *   materials 材料, commitments 承诺, requests 申请事项 (optional)
 * Every column but legal_rep_phone, finance_officer_*, staff, contact_phone, commitments and
 * requests must be in the header; an unknown or repeated column is an error (a typo would
 * otherwise drop data silently).  A column with an empty name (spreadsheets add them) is
 * ignored, and so are `line` and `reason`, what reg-apply adds to a rejects file (intake.h):
 * corrected, it can be submitted again as it is.
 *
 * Values are converted, not judged: "60" becomes <share>60.00</share>, a malformed list item is
 * reported against its column; whether the values are acceptable is acceptance's question.
 * One thing is judged here, so a hostile row costs nothing: a list column (shareholders,
 * materials, commitments, requests) holds at most REG_APPLICATION_MAX_ITEMS items, the longest
 * list the law allows (a joint-stock company's 200 promoters, 发起人, 公司法); a longer one is
 * one problem of its column and builds nothing.  Acceptance narrows each list further
 * (libreg/apply.h).
 */
#ifndef REG_APPLICATION_H
#define REG_APPLICATION_H

#include <stdbool.h>
#include <stddef.h>

#include "dossier.h"
#include "errors.h"

#define REG_APPLICATION_MAX_ITEMS 200

typedef enum reg_column {
	REG_COL_NAME, REG_COL_FORM, REG_COL_CAPITAL, REG_COL_DIVISION, REG_COL_ADDRESS,
	REG_COL_SCOPE, REG_COL_INDUSTRY, REG_COL_LEGAL_REP_NAME, REG_COL_LEGAL_REP_ID,
	REG_COL_LEGAL_REP_PHONE, REG_COL_SHAREHOLDERS, REG_COL_FINANCE_OFFICER_NAME,
	REG_COL_FINANCE_OFFICER_ID, REG_COL_STAFF, REG_COL_CONTACT_PHONE, REG_COL_MATERIALS,
	REG_COL_COMMITMENTS, REG_COL_REQUESTS,
	REG_COL__COUNT
} reg_column;

/* English name, Chinese alias and a one-line description of each column (for help and forms;
 * the description in the reader's language). */
const char *reg_column_name(reg_column c);
const char *reg_column_alias(reg_column c);
const char *reg_column_description(reg_column c);
bool reg_column_required(reg_column c);
/* Whether a header names a column reg-apply writes into a rejects file, `line` or `reason`,
 * which a row never carries application data in. */
bool reg_column_is_report(const char *header);

/* Where each column sits in a header row. */
typedef struct reg_columns reg_columns;
/* Map a header row; REG_EDATA naming the column for unknown, repeated or missing columns. */
reg_columns *reg_columns_new(const char *const *header, size_t n, const char *file,
			     reg_err **errp);
size_t reg_columns_width(const reg_columns *cols);
void reg_columns_free(reg_columns *cols);

/* Build a partial dossier from one row (values by header position).  Problems are REG_ENO with
 * the row's line and the column's name as field; all of them are reported. */
reg_dossier *reg_application_from_row(const reg_columns *cols, const char *const *values,
				      size_t n, const char *file, long line, reg_err **errp);
/* The same from values indexed by reg_column (NULL or "" = empty), for the interactive form. */
reg_dossier *reg_application_from_fields(const char *const values[REG_COL__COUNT],
					 const char *file, long line, reg_err **errp);

/* The column a dossier element path belongs to ("/dossier/enterprise/legal-representative/
 * citizen-id" → "legal_rep_id"), so checks made on the dossier speak the CSV's language;
 * NULL when no column holds it. */
const char *reg_column_for_path(const char *path);

#endif
