/*
 * license — the documents of one issuance (一窗出件), built from an approved dossier:
 *
 *   license.xml                 the business license: USCC, name, legal form, legal
 *                               representative, capital, date of establishment, address, scope,
 *                               the authority, and the twenty catalog items with their status
 *   license.svg                 the same as a printable A4 landscape page a person recognises
 *   license-2.svg …             continuation pages (续页), only when a value does not fit
 *   registrations/NN-<id>.xml   one record per catalog item: `filed` when its department
 *                               approved it, `not-applicable` otherwise (so every archive has
 *                               exactly as many records as the catalog has items)
 *
 * All in namespace urn:regkit:archive:1, serialized like every regkit document, dates in the
 * authority's zone: the same dossier, USCC and time always give the same bytes.
 *
 * The printed license never cuts a value short (docs/issuance.md shows the layout).  Every
 * value has its box on page 1 and is set in 5 mm type; a value too long for its box is set
 * smaller, down to 2.5 mm, on more lines; what even 2.5 mm does not hold ends page 1's box
 * with "（见续页）" and continues on continuation pages: A4 landscape sheets of their own
 * (license-2.svg, license-3.svg …, libreg/page.h says why one file per sheet), headed
 * 营业执照（续页） with the USCC and the name, each continued value under its label and
 * "（续）", with the authority's stamp and date; every sheet of such a license says 第i页 共N页.
 * The longest address (200 characters) and business scope (4000) the dossier schema accepts
 * are printed whole.
 *
 * The labels follow the legal form, as the license of each form prints them: llc and jsc
 * 法定代表人 and 注册资本, sole (个人独资企业) 投资人 and 出资额, partnership (合伙企业) 执行事务
 * 合伙人 and 出资额.  license.xml keeps its element names (<legal-representative>, <capital>)
 * and carries the printed label in a `label` attribute.
 *
 * A license issued by a test-only authority (test_authority) is marked on every sheet: a large
 * diagonal 样本 and the line "测试登记机关 — 样本，不具法律效力"; its stamp says 样本 TEST.
 */
#ifndef REG_LICENSE_H
#define REG_LICENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.h"
#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "ledger.h"
#include "page.h"

typedef struct reg_license_input {
	const reg_catalog *catalog;
	const reg_authority *authority;
	const reg_dossier *dossier; /* approved, with its approvals */
	const char *uscc;
	int64_t issued_at;          /* epoch seconds */
	bool test_authority;        /* the authority is test-only (reg_authority_test_only): 样本 */
	/* The ledger's assessment of the dossier (libreg/ledger.h) and the verdict list it indexes
	 * (reg_ledger_verdicts): an item is `filed` when its verdict in force is an approval,
	 * `refused` when a rejection that refuses only its filing (on-reject), else
	 * `not-applicable`.  NULL: the dossier's latest verdict per item decides (tests). */
	const reg_assessment *assessment;
	const reg_approval *verdicts;
	size_t n_verdicts;
} reg_license_input;

/* license.xml, license.svg, its continuation pages (license-2.svg …) when there are any, and
 * one registration record per catalog item, in that order; *docs owned by the caller
 * (reg_documents_free, libreg/page.h). */
int reg_license_documents(const reg_license_input *in, reg_document **docs, size_t *n,
			  reg_err **errp);

/* The Chinese name of a legal form code ("llc" → "有限责任公司"), NULL when unknown. */
const char *reg_legal_form_zh(const char *form);
/* What a license calls the person and the amount for a legal form: 法定代表人 and 注册资本
 * (llc, jsc, and an unknown form), 投资人 and 出资额 (sole), 执行事务合伙人 and 出资额
 * (partnership). */
const char *reg_legal_form_person_label(const char *form);
const char *reg_legal_form_capital_label(const char *form);

#endif
