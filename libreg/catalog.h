/*
 * catalog — what a city registers in one window (schemas/catalog.xml, docs/formats.md): its
 * departments, the items the license stands for (certificates and filings, numbered 1..N), the
 * materials they use, the escalation ladder for late departments (三单一函) and the seals
 * engraved free at issuance.  A city changes its catalog, not the code.
 *
 * Loading checks everything a tool would otherwise trip over halfway through a batch:
 *   - the file is well-formed, has no DOCTYPE and is valid against schemas/catalog.xsd;
 *   - department, material, item and seal identifiers and seal codes are unique;
 *   - item numbers run 1..N without gaps or repeats; every item's department and every
 *     material it uses exist;
 *   - durations parse and are positive: time-limit as working time (libreg/worktime.h: P0.5D,
 *     P5D, PT4H), defer as calendar time (P30D); only a non-essential material may be
 *     deferred (default P30D);
 *   - escalation percents strictly ascend; seals carry the sizes their shape needs;
 *   - every XPath expression (applies-if, require) compiles as XPath 1.0 with the prefixes d
 *     and reg, uses no variables, and calls only XPath 1.0 core functions and the reg:
 *     functions of libreg/rules.h — a typo fails at load, not on the thousandth dossier.
 * Every problem found is reported (the whole chain, not just the first) as REG_ECONFIG with the
 * catalog file, the line of the offending element, its path as field (/catalog/items/item) and
 * a message naming it: "item 'recycling': department 'trade' does not exist".  Schema problems
 * inside an item are named the same way.
 *
 * Access.  The catalog and everything in it are opaque and read-only once loaded; accessors
 * take const pointers, never fail on valid arguments, and may be called from any thread.
 * Strings belong to the catalog and live until reg_catalog_free.  Each kind of entry has a
 * `reg_catalog_<kind>_count` / `reg_catalog_<kind>(cat, i)` pair (document order; items in
 * number order, so reg_catalog_item(cat, i) has number i + 1) and, where it has an id, a
 * `reg_catalog_find_<kind>(cat, id)` returning NULL when there is none.  An entry's fields are
 * read with `reg_<kind>_<field>(entry)`.  Out-of-range indexes return NULL / 0.
 *
 * XPath.  Expressions are evaluated by libreg/rules.h with the <dossier> element as context
 * node.  The compiled form (xmlXPathCompExpr) is shared by every thread; libxml2 2.9 caches
 * the resolved function pointer inside a compiled expression on first evaluation, so every
 * evaluation context must register the same functions (reg_rules_new does).  The source text
 * is kept for messages and for callers that want their own compiled copy.
 */
#ifndef REG_CATALOG_H
#define REG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/xpath.h>

#include "errors.h"
#include "worktime.h"

typedef struct reg_catalog reg_catalog;
typedef struct reg_department reg_department;
typedef struct reg_material reg_material;
typedef struct reg_item reg_item;
typedef struct reg_step reg_step;            /* one rung of the escalation ladder */
typedef struct reg_seal_type reg_seal_type;  /* a kind of seal, not an engraved seal */

typedef enum reg_item_kind {
	REG_ITEM_CERTIFICATE, /* one of the base certificates the license replaces */
	REG_ITEM_FILING,      /* a filing (备案) with another department */
} reg_item_kind;

/* What a failed `require` rule means at approval time (the attribute on-fail, default reject):
 * reject the item, or ask for a supplement — for a rule about a deferrable material the
 * applicant may still hand in (容缺受理), where refusing the whole item would be too harsh. */
typedef enum reg_on_fail {
	REG_ON_FAIL_REJECT,
	REG_ON_FAIL_SUPPLEMENT,
} reg_on_fail;

typedef enum reg_seal_shape {
	REG_SEAL_ROUND,
	REG_SEAL_SQUARE,
	REG_SEAL_OVAL,
} reg_seal_shape;

/* Longest XPath expression a catalog may hold (also the schema's cap). */
#define REG_CATALOG_MAX_XPATH 4096
/* Deferral for a non-essential material that names none (容缺受理, docs/domain.md). */
#define REG_CATALOG_DEFAULT_DEFER (30 * 86400)

/*
 * Load and check a catalog.  `schema_dir` holds catalog.xsd — normally reg_config_schema_dir(),
 * the same directory given to reg_xml_init (whose entity loader only reads below it).  Compiles
 * XSD and XPath, so call it from the main thread before workers start.  Any fault → NULL and
 * REG_ECONFIG, a missing or unreadable file included (the catalog is configuration: exit 78);
 * only running out of memory is REG_EINTERNAL.
 */
reg_catalog *reg_catalog_load(const char *path, const char *schema_dir, reg_err **errp);
void reg_catalog_free(reg_catalog *cat);

const char *reg_catalog_path(const reg_catalog *cat);   /* as given to reg_catalog_load */
const char *reg_catalog_name(const reg_catalog *cat);   /* 乌海市多证合一（二十证合一） */
long reg_catalog_version(const reg_catalog *cat);

/* ---- departments ---- */
size_t reg_catalog_department_count(const reg_catalog *cat);
const reg_department *reg_catalog_department(const reg_catalog *cat, size_t i);
const reg_department *reg_catalog_find_department(const reg_catalog *cat, const char *id);

const char *reg_department_id(const reg_department *d);   /* "amr" */
const char *reg_department_zh(const reg_department *d);   /* 市场监督管理局 */
const char *reg_department_en(const reg_department *d);   /* market regulation */

/* ---- materials ---- */
size_t reg_catalog_material_count(const reg_catalog *cat);
const reg_material *reg_catalog_material(const reg_catalog *cat, size_t i);
const reg_material *reg_catalog_find_material(const reg_catalog *cat, const char *id);

const char *reg_material_id(const reg_material *m);
const char *reg_material_zh(const reg_material *m);
const char *reg_material_en(const reg_material *m);
/* Essential materials (core documents, legally required pre-approvals) are never deferred. */
bool reg_material_essential(const reg_material *m);
/* How long a commitment may defer a non-essential material, in seconds; 0 when essential. */
int64_t reg_material_defer(const reg_material *m);

/* ---- items, in number order ---- */
size_t reg_catalog_item_count(const reg_catalog *cat);
/* The item numbered i + 1. */
const reg_item *reg_catalog_item(const reg_catalog *cat, size_t i);
const reg_item *reg_catalog_find_item(const reg_catalog *cat, const char *id);
/* NULL when no item has that number. */
const reg_item *reg_catalog_item_by_number(const reg_catalog *cat, int number);

const char *reg_item_id(const reg_item *it);              /* "business-license" */
int reg_item_number(const reg_item *it);                  /* 1..N */
const char *reg_item_dept(const reg_item *it);            /* the department's id */
const reg_department *reg_item_department(const reg_item *it);
reg_item_kind reg_item_kind_of(const reg_item *it);
const char *reg_item_kind_name(reg_item_kind kind);       /* "certificate" | "filing" */
const char *reg_item_zh(const reg_item *it);
const char *reg_item_en(const reg_item *it);
/* The promised time limit from acceptance (承诺时限), in working time as the catalog wrote it
 * (P0.5D → 500 millidays); reg_workdur_seconds turns it into working seconds on the
 * authority's calendar. */
reg_workdur reg_item_time_limit(const reg_item *it);
/* Whether a rejection of this item refuses the whole establishment (on-reject, default) or only
 * this filing, the license still being issued with the item refused (docs/ledger.md). */
bool reg_item_rejection_blocks(const reg_item *it);
/* Line of the <item> in the catalog file, for messages about it. */
long reg_item_line(const reg_item *it);

/* applies-if: whether the item concerns a dossier at all (source trimmed of surrounding
 * whitespace). */
const char *reg_item_applies_if(const reg_item *it);
xmlXPathCompExpr *reg_item_applies_if_expr(const reg_item *it);

/* require rules: each must hold for the item to be approved; the message says what failed,
 * on_fail what the failure asks for (reg-approve: rejected, or supplement). */
size_t reg_item_require_count(const reg_item *it);
const char *reg_item_require_source(const reg_item *it, size_t i);
xmlXPathCompExpr *reg_item_require_expr(const reg_item *it, size_t i);
const char *reg_item_require_message(const reg_item *it, size_t i);
long reg_item_require_line(const reg_item *it, size_t i);
/* REG_ON_FAIL_REJECT for an out-of-range index. */
reg_on_fail reg_item_require_on_fail(const reg_item *it, size_t i);
const char *reg_on_fail_name(reg_on_fail on_fail);          /* "reject" | "supplement" */

/* Materials the item uses, in catalog order (data runs, not people: one material, many items). */
size_t reg_item_material_count(const reg_item *it);
const char *reg_item_material_id(const reg_item *it, size_t i);
const reg_material *reg_item_material(const reg_item *it, size_t i);
bool reg_item_uses(const reg_item *it, const char *material_id);

/* ---- escalation (三单一函), ascending ---- */
size_t reg_catalog_step_count(const reg_catalog *cat);
const reg_step *reg_catalog_step(const reg_catalog *cat, size_t i);

const char *reg_step_id(const reg_step *s);    /* "reminder" */
int reg_step_percent(const reg_step *s);       /* issued once this share of the limit is used */
/* Whether the rung's slip goes to the authority's supervising body about the late department
 * (the transfer letter, 移交函: to="supervisor") rather than to the department itself. */
bool reg_step_to_supervisor(const reg_step *s);
const char *reg_step_zh(const reg_step *s);    /* 提醒单 */
const char *reg_step_en(const reg_step *s);

/* ---- seal types, in catalog order ---- */
size_t reg_catalog_seal_count(const reg_catalog *cat);
const reg_seal_type *reg_catalog_seal(const reg_catalog *cat, size_t i);
const reg_seal_type *reg_catalog_find_seal(const reg_catalog *cat, const char *id);

const char *reg_seal_type_code(const reg_seal_type *s);   /* "01" … "05": the kind's code */
const char *reg_seal_type_id(const reg_seal_type *s);     /* "official" — seals/NN-<id>.svg */
const char *reg_seal_type_zh(const reg_seal_type *s);     /* 公章 */
const char *reg_seal_type_en(const reg_seal_type *s);
reg_seal_shape reg_seal_type_shape(const reg_seal_type *s);
const char *reg_seal_shape_name(reg_seal_shape shape);    /* "round" | "square" | "oval" */
/* Sizes in millimetres at true size (0.1 mm precision).  A round seal has a diameter (and
 * width = height = diameter); square and oval seals have width and height (diameter 0).
 * jsc_diameter is the diameter for a joint-stock company (the diameter when not set). */
double reg_seal_type_diameter(const reg_seal_type *s);
double reg_seal_type_jsc_diameter(const reg_seal_type *s);
double reg_seal_type_width(const reg_seal_type *s);
double reg_seal_type_height(const reg_seal_type *s);
double reg_seal_type_border(const reg_seal_type *s);
bool reg_seal_type_star(const reg_seal_type *s);
double reg_seal_type_star_diameter(const reg_seal_type *s); /* 0 without a star */
const char *reg_seal_type_font(const reg_seal_type *s);      /* 宋体: face of the name */
const char *reg_seal_type_code_font(const reg_seal_type *s); /* Arial for a code across the
							      * centre, or NULL */
/* What engraving would have cost, in fen (1/100 yuan): recorded as spared, the fee being 0. */
int64_t reg_seal_type_price_fen(const reg_seal_type *s);

#endif
