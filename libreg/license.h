/*
 * license — the documents of one issuance (一窗出件), built from an approved dossier:
 *
 *   license.xml                 the business license: USCC, name, legal form, legal
 *                               representative, capital, date of establishment, address, scope,
 *                               the authority, and the twenty catalog items with their status
 *   license.svg                 the same as a printable A4 landscape page a person recognises
 *   registrations/NN-<id>.xml   one record per catalog item: `filed` when its department
 *                               approved it, `not-applicable` otherwise (so every archive has
 *                               exactly as many records as the catalog has items)
 *
 * All in namespace urn:regkit:archive:1, serialized like every regkit document, dates in the
 * authority's zone: the same dossier, USCC and time always give the same bytes.
 */
#ifndef REG_LICENSE_H
#define REG_LICENSE_H

#include <stddef.h>
#include <stdint.h>

#include "authority.h"
#include "catalog.h"
#include "dossier.h"
#include "errors.h"

typedef struct reg_license_input {
	const reg_catalog *catalog;
	const reg_authority *authority;
	const reg_dossier *dossier; /* approved, with its approvals */
	const char *uscc;
	int64_t issued_at;          /* epoch seconds */
} reg_license_input;

/* One generated document: its path below the archive's top directory and its bytes. */
typedef struct reg_document {
	char *path;
	char *data;
	size_t len;
} reg_document;

/* license.xml, license.svg and one registration record per catalog item, in that order;
 * *docs owned by the caller (reg_documents_free). */
int reg_license_documents(const reg_license_input *in, reg_document **docs, size_t *n,
			  reg_err **errp);
void reg_documents_free(reg_document *docs, size_t n);

/* The Chinese name of a legal form code ("llc" → "有限责任公司"), NULL when unknown. */
const char *reg_legal_form_zh(const char *form);

#endif
