/*
 * rules — the catalog's XPath 1.0 expressions evaluated on a dossier (docs/formats.md).
 *
 * The context node is the <dossier> element; prefix `d` is the dossier namespace and `reg` the
 * functions namespace, in which these extension functions exist:
 *   reg:uscc-valid(s)        GB 32100 check of the string
 *   reg:citizen-id-valid(s)  GB 11643 check of the string
 *   reg:age(id)              whole years from the citizen id's birth date to the reference date
 *                            (the acceptance date, else "now"); NaN for an invalid id
 *   reg:division-name(code)  GB/T 2260 full name, "" when unknown
 *   reg:name-valid(n, f, d)  the name follows the naming rules (libreg/names.h) for legal form f
 *                            and address division d
 *   reg:name-taken(name)     the name is already registered under this authority (asks the
 *                            lookup the caller installed; false when none is installed)
 *   reg:has-material(type)   the dossier lists the material (with a file or sighted)
 *   reg:committed(type)      the dossier has a commitment to supply the material later
 *   reg:scope-mentions(w…)   the business scope contains any of the words
 *
 * A reg_rules is one evaluation context: make one per thread (libxml2's XPath contexts are not
 * shared); the compiled expressions come from the catalog and are shared read-only.
 */
#ifndef REG_RULES_H
#define REG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/xpath.h>

#include "dossier.h"
#include "errors.h"

typedef struct reg_rules reg_rules;
/* Answers reg:name-taken: 1 taken, 0 free, -1 could not tell, with *errp set (the registry's
 * own error: a server gone is exit 74, not a bad catalog) — reg_rules_test then fails with
 * that error as it is. */
typedef int (*reg_name_lookup)(void *user, const char *name, reg_err **errp);

reg_rules *reg_rules_new(reg_err **errp);
void reg_rules_set_name_lookup(reg_rules *r, reg_name_lookup fn, void *user);
/* Point the context at a dossier.  `reference` is the instant ages are measured at when the
 * dossier has no acceptance time yet; offset_min the authority's zone for the date. */
int reg_rules_bind(reg_rules *r, reg_dossier *d, int64_t reference, int offset_min, reg_err **errp);
/* Evaluate a compiled expression as an XPath boolean.  Evaluation errors (an unknown function,
 * a type error) are REG_ECONFIG: the catalog is wrong, not the dossier. `source` names the
 * expression in messages. */
int reg_rules_test(reg_rules *r, xmlXPathCompExpr *expr, const char *source, bool *result,
		   reg_err **errp);
/* Compile an expression (for catalogs and tests); REG_ECONFIG when it does not compile. */
xmlXPathCompExpr *reg_rules_compile(const char *source, reg_err **errp);
void reg_rules_free(reg_rules *r);
/* Whether reg:NAME (the first len bytes of name) is one of the functions above — so a catalog
 * that calls an unknown one is refused when it loads, not when a rule first runs. */
bool reg_rules_has_function(const char *name, size_t len);

#endif
