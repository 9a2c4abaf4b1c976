#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "application.h"
#include "clock.h"
#include "i18n.h"
#include "decimal.h"
#include "files.h"
#include "ids.h"
#include "ledger.h"
#include "names.h"
#include "xml.h"


/* Where each name accepted in this run came from, for the message about a second application
 * under the same name.  The registry says whether a name is taken; this only adds the line.  A
 * table of 64-bit name hashes and lines in one allocation that doubles, up to NAME_LINES_MAX
 * names: a copy of every name, kept for the whole run among each dossier's short-lived
 * allocations, pinned the heap and grew a batch's peak RSS by a third of a KiB per row, and even
 * the table of all of a million rows' hashes passed 64 MiB while it doubled (bench/RESULTS.md). */
typedef struct name_line {
	uint64_t hash; /* 0: an empty slot */
	long line;
} name_line;

typedef struct name_lines {
	name_line *slots;
	size_t cap, n; /* cap a power of two, at least twice n */
} name_lines;

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1;
}

static name_line *name_slot(name_line *slots, size_t cap, uint64_t hash)
{
	size_t i = (size_t)hash & (cap - 1);
	while (slots[i].hash && slots[i].hash != hash)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* The lines of at most this many names are kept (2 MiB): past it the table starts afresh, so a
 * batch of any length runs in flat memory; a second application under a name taken that long
 * before in the run is refused all the same (the registry holds the name), only without the
 * earlier line. */
#define NAME_LINES_MAX 65536

/* The first line that took the name stays; out of memory only loses the line. */
static void name_lines_put(name_lines *t, const char *name, long line)
{
	if (t->n >= NAME_LINES_MAX) {
		memset(t->slots, 0, t->cap * sizeof *t->slots);
		t->n = 0;
	}
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		name_line *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].hash)
				*name_slot(slots, cap, t->slots[i].hash) = t->slots[i];
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	uint64_t hash = name_hash(name);
	name_line *slot = name_slot(t->slots, t->cap, hash);
	if (!slot->hash) {
		*slot = (name_line){hash, line};
		t->n++;
	}
}

/* The line that took the name in this run, or 0. */
static long name_lines_get(const name_lines *t, const char *name)
{
	return t->cap ? name_slot(t->slots, t->cap, name_hash(name))->line : 0;
}

struct reg_apply {
	reg_config *cfg;
	const reg_catalog *cat;
	reg_registry *reg;
	const reg_authority *auth;
	xmlSchema *schema;
	reg_rules *rules;
	int offset;
	int64_t now;
	name_lines batch_names;  /* name → line of the application that took it in this run */
};

/* One application under examination. */
typedef struct check {
	reg_apply *a;
	reg_dossier *d;
	bool csv;
	const char *file;
	long line;
	reg_err *problems;
	reg_err *notes;      /* what acceptance has to say without refusing (REG_OK) */
	/* The name is registered already: a problem unless this is the very application whose
	 * dossier is still open (handed back: see apply.h), so it is said last. */
	const xmlNode *name_taken;
	bool accepting;      /* reg_apply_accept, which hands such an application back */
	char application[65]; /* its digest, once the checks made it (materials hashed) */
	bool handed_back;    /* the registry holds it, open: no further check */
} check;

static void problem(check *c, const xmlNode *at, const char *path, const char *fmt, ...)
	REG_PRINTF(4, 5);

static void problem_v(check *c, long at_line, const char *path, const char *fmt, va_list ap)
{
	const char *field = path;
	long line = c->line;
	if (c->csv) {
		const char *column = reg_column_for_path(path);
		field = column ? column : path;
	} else if (at_line > 0) {
		line = at_line;
	}
	reg_err_setv(&c->problems, REG_ENO, c->file, line, field, fmt, ap);
}

static void problem(check *c, const xmlNode *at, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_v(c, at ? reg_xml_line(at) : 0, path, fmt, ap);
	va_end(ap);
}

/* A problem someone else located (the schema validator): its line, our field naming. */
static void problem_at_line(check *c, long line, const char *path, const char *fmt, ...)
	REG_PRINTF(4, 5);

static void problem_at_line(check *c, long line, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_v(c, line, path, fmt, ap);
	va_end(ap);
}

/* Every problem of a chain someone else located; its "and N more problems" stays a count. */
static void problems_located(check *c, const reg_err *chain)
{
	for (const reg_err *e = chain; e; e = reg_err_next(e)) {
		if (reg_err_more(e))
			reg_err_add_more(&c->problems, REG_ENO, c->file,
					 c->csv || reg_err_line(e) <= 0 ? c->line : reg_err_line(e),
					 reg_err_more(e));
		else
			problem_at_line(c, reg_err_line(e),
					reg_err_field(e) ? reg_err_field(e) : "/dossier", "%s",
					reg_err_message(e));
	}
}


static int rules_name_lookup(void *user, const char *name, reg_err **errp)
{
	reg_apply *a = user;
	bool taken = false;
	if (!a->reg)
		return 0;
	if (reg_registry_name_taken(a->reg, reg_authority_division(a->auth), name, &taken, errp) < 0)
		return -1;
	return taken;
}

reg_apply *reg_apply_new(reg_config *cfg, const reg_catalog *catalog, reg_registry *registry,
			 reg_err **errp)
{
	reg_apply *a = calloc(1, sizeof *a);
	if (!a) {
		reg_err_oom(errp);
		return NULL;
	}
	a->cfg = cfg;
	a->cat = catalog;
	a->reg = registry;
	if (!(a->auth = reg_config_authority(cfg, errp)) || reg_config_now(cfg, &a->now, errp) < 0 ||
	    !(a->schema = reg_xml_schema_load(reg_config_schema_path(cfg, "dossier.xsd"), errp)) ||
	    !(a->rules = reg_rules_new(errp))) {
		reg_apply_free(a);
		return NULL;
	}
	a->offset = reg_authority_offset(a->auth);
	reg_rules_set_name_lookup(a->rules, rules_name_lookup, a);
	return a;
}

reg_registry *reg_apply_registry(const reg_apply *a)
{
	return a->reg;
}

void reg_apply_free(reg_apply *a)
{
	if (!a)
		return;
	xmlSchemaFree(a->schema);
	reg_rules_free(a->rules);
	free(a->batch_names.slots);
	free(a);
}

/* Stage 1: the enterprise -------------------------------------------------------------- */

static const char *const legal_forms[] = {"llc", "jsc", "sole", "partnership"};

static bool matches_industry_code(const char *s)
{
	if (!s || strlen(s) != 5 || s[0] < 'A' || s[0] > 'T')
		return false;
	for (int i = 1; i < 5; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_citizen_id(check *c, const xmlNode *node, const char *path, const char *who)
{
	char *id = reg_xml_text(node);
	if (!id || !*id) {
		problem(c, node, path, "%s: citizen id missing", who);
	} else {
		reg_id_result r = reg_citizen_id_check(id);
		if (r.rule != REG_ID_OK)
			problem(c, node, path, "%s", r.message);
	}
	free(id);
}

/* A person's name at the window (libreg/names.h): every problem, `who` before each ("" or
 * "shareholder 3: "). */
static void check_person_name(check *c, const xmlNode *node, const char *path, const char *who)
{
	char *name = reg_xml_text(node);
	reg_err *naming = NULL;
	if (reg_person_name_check(name, &naming) < 0)
		for (const reg_err *e = naming; e; e = reg_err_next(e))
			problem(c, node, path, "%s%s", who, reg_err_message(e));
	reg_err_free(naming);
	free(name);
}

/* A shareholder's citizen id, to find one person twice. */
typedef struct held {
	char *id;
	size_t number; /* 1-based, in document order */
	const xmlNode *node;
} held;

static int cmp_held(const void *x, const void *y)
{
	const held *a = x, *b = y;
	int d = strcasecmp(a->id, b->id); /* 'x' and 'X' are one check character */
	return d ? d : a->number < b->number ? -1 : a->number > b->number;
}

/* Each later shareholder with the citizen id of an earlier one, once: sorted, O(n log n). */
static void check_same_person(check *c, held *ids, size_t n)
{
	qsort(ids, n, sizeof *ids, cmp_held);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcasecmp(ids[i].id, ids[first].id) != 0) {
			first = i;
			continue;
		}
		problem(c, ids[i].node, "/dossier/enterprise/shareholders/shareholder/citizen-id",
			"shareholders %zu and %zu have the same citizen id: one person is one "
			"shareholder", ids[first].number, ids[i].number);
	}
}

/* How many elements of one kind a list holds, counting no further than one past `most`: a
 * hostile list is refused by its length before any entry is looked at. */
static size_t count_children(const xmlNode *list, const char *name, size_t most)
{
	size_t n = 0;
	reg_xml_for_each_child(x, list, REG_NS_DOSSIER, name)
		if (++n > most)
			break;
	return n;
}

/* The most shareholders of a legal form: an LLC has at most 50 (公司法), a joint-stock company
 * at most 200 promoters (发起人, 公司法); the other forms are held to the larger of the two, the
 * longest list a CSV row may carry anyway (REG_APPLICATION_MAX_ITEMS). */
static size_t most_shareholders(const char *form, const char **why)
{
	if (form && strcmp(form, "llc") == 0) {
		*why = "a limited liability company has at most 50 shareholders (公司法)";
		return 50;
	}
	*why = "a joint-stock company has at most 200 promoters (发起人, 公司法), and no enterprise "
	       "more shareholders";
	return REG_APPLICATION_MAX_ITEMS;
}

static void check_shareholders(check *c, xmlNode *ent)
{
	static const char path[] = "/dossier/enterprise/shareholders";
	xmlNode *list = reg_xml_child(ent, REG_NS_DOSSIER, "shareholders");
	int64_t total = 0;
	size_t count = 0;
	bool all_parsed = true;
	char *form = reg_xml_child_text(ent, REG_NS_DOSSIER, "form");
	const char *why;
	size_t most = most_shareholders(form, &why);
	free(form);
	if (count_children(list, "shareholder", most) > most) {
		problem(c, list, path, "more than %zu shareholders: %s", most, why);
		return;
	}
	held *ids = calloc(most + 1, sizeof *ids);
	size_t n_ids = 0;
	if (!ids) {
		reg_err_set(&c->problems, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		return;
	}
	reg_xml_for_each_child(s, list, REG_NS_DOSSIER, "shareholder") {
		count++;
		char *name = reg_xml_child_text(s, REG_NS_DOSSIER, "name");
		xmlNode *person = reg_xml_child(s, REG_NS_DOSSIER, "citizen-id");
		xmlNode *company = reg_xml_child(s, REG_NS_DOSSIER, "uscc");
		if (person) {
			char *id = reg_xml_text(person), who[40];
			reg_id_result r = reg_citizen_id_check(id);
			if (r.rule != REG_ID_OK)
				problem(c, person, path, "shareholder '%s': %s", name ? name : "", r.message);
			snprintf(who, sizeof who, _("shareholder %zu: "), count);
			check_person_name(c, reg_xml_child(s, REG_NS_DOSSIER, "name"),
					  "/dossier/enterprise/shareholders/shareholder/name", who);
			if (id && *id)
				ids[n_ids++] = (held){.id = id, .number = count, .node = person};
			else
				free(id);
		} else if (company) {
			char *id = reg_xml_text(company);
			reg_id_result r = reg_uscc_check(id);
			if (r.rule != REG_ID_OK)
				problem(c, company, path, "shareholder '%s': %s", name ? name : "", r.message);
			free(id);
		} else {
			problem(c, s, path, "shareholder '%s': no citizen id or USCC", name ? name : "");
		}
		char *share = reg_xml_child_text(s, REG_NS_DOSSIER, "share");
		int64_t hundredths = 0;
		reg_err *e = NULL;
		if (!share || reg_decimal_parse(share, &hundredths, &e) < 0) {
			problem(c, s, path, "shareholder '%s': share: %s", name ? name : "",
				e ? reg_err_message(e) : "missing");
			all_parsed = false;
		} else if (hundredths <= 0) {
			problem(c, s, path, "shareholder '%s': share must be more than 0", name ? name : "");
		} else {
			total += hundredths;
		}
		reg_err_free(e);
		free(share);
		free(name);
	}
	if (count == 0) {
		problem(c, list ? list : ent, path, "at least one shareholder is required");
	} else if (all_parsed && total != 10000) {
		char sum[32];
		reg_decimal_format(total, sum, sizeof sum);
		problem(c, list, path, "shares sum to %s%%, not exactly 100%%", sum);
	}
	check_same_person(c, ids, n_ids);
	for (size_t i = 0; i < n_ids; i++)
		free(ids[i].id);
	free(ids);
}

/* The division known and within the authority's area. */
static bool check_division(check *c, const xmlNode *at, const char *division)
{
	reg_apply *a = c->a;
	if (!division || !reg_division_known(division))
		problem(c, at, "/dossier/enterprise/address/@division",
			"'%s' is not a known GB/T 2260 division", division ? division : "");
	else if (!reg_authority_covers(a->auth, division))
		problem(c, at, "/dossier/enterprise/address/@division",
			"division %s (%s) is outside the area of %s", division,
			reg_division_name(division), reg_authority_name(a->auth));
	else
		return true;
	return false;
}

/* The name registered already, said at its element. */
static void name_is_taken(check *c, const xmlNode *at, const char *name)
{
	problem(c, at, "/dossier/enterprise/name", "'%s' is already registered under %s",
		name ? name : "", reg_authority_name(c->a->auth));
}

/* The name rules for a known form and a division of the area, then the registry.  A name taken
 * is a problem at once only for a single answer (c->d NULL); for a dossier it is said last, as
 * c->name_taken (see check). */
static void check_name(check *c, const xmlNode *at, const char *name, const char *form,
		       const char *division)
{
	reg_apply *a = c->a;
	reg_err *naming = NULL;
	if (reg_name_check(name, form, division, &naming) < 0)
		for (const reg_err *e = naming; e; e = reg_err_next(e))
			problem(c, at, "/dossier/enterprise/name", "%s", reg_err_message(e));
	reg_err_free(naming);
	reg_err *lookup = NULL;
	int taken = rules_name_lookup(a, name, &lookup);
	if (taken < 0)
		reg_err_append(&c->problems, &lookup); /* the registry's trouble, not the name's */
	if (taken == 1) {
		long line = name_lines_get(&a->batch_names, name);
		if (line > 0)
			problem(c, at, "/dossier/enterprise/name",
				"'%s' was already accepted earlier in this batch (line %ld)", name,
				line);
		else if (!c->d)
			name_is_taken(c, at, name);
		else
			c->name_taken = at;
	}
}

static void check_enterprise(check *c)
{
	reg_apply *a = c->a;
	xmlNode *ent = reg_dossier_section(c->d, "enterprise", false);
	if (!ent) {
		problem(c, reg_dossier_root(c->d), "/dossier/enterprise", "missing");
		return;
	}
	char *name = reg_dossier_text(c->d, "enterprise/name");
	char *form = reg_dossier_text(c->d, "enterprise/form");
	char *capital = reg_dossier_text(c->d, "enterprise/capital");
	char *division = reg_dossier_attr(c->d, "enterprise/address", "division");
	char *industry = reg_dossier_attr(c->d, "enterprise/scope", "industry");
	xmlNode *name_node = reg_dossier_node(c->d, "enterprise/name");

	bool form_known = false;
	for (size_t i = 0; form && i < sizeof legal_forms / sizeof *legal_forms; i++)
		form_known |= strcmp(form, legal_forms[i]) == 0;
	if (!form_known)
		problem(c, reg_dossier_node(c->d, "enterprise/form"), "/dossier/enterprise/form",
			"'%s' is not a legal form (llc, jsc, sole or partnership)", form ? form : "");

	bool division_ok = check_division(c, reg_dossier_node(c->d, "enterprise/address"),
					  division);
	if (!name || !*name)
		problem(c, name_node, "/dossier/enterprise/name", "missing");
	else if (form_known && division_ok)
		check_name(c, name_node, name, form, division);

	int64_t hundredths = 0;
	reg_err *e = NULL;
	if (!capital || reg_decimal_parse(capital, &hundredths, &e) < 0)
		problem(c, reg_dossier_node(c->d, "enterprise/capital"), "/dossier/enterprise/capital",
			"%s", e ? reg_err_message(e) : "missing");
	else if (hundredths <= 0)
		problem(c, reg_dossier_node(c->d, "enterprise/capital"), "/dossier/enterprise/capital",
			"must be more than 0");
	reg_err_free(e);

	if (!matches_industry_code(industry))
		problem(c, reg_dossier_node(c->d, "enterprise/scope"), "/dossier/enterprise/scope/@industry",
			"'%s' is not a GB/T 4754 industry code (a letter A-T and 4 digits)",
			industry ? industry : "");

	check_person_name(c, reg_dossier_node(c->d, "enterprise/legal-representative/name"),
			  "/dossier/enterprise/legal-representative/name", "");
	xmlNode *rep_id = reg_dossier_node(c->d, "enterprise/legal-representative/citizen-id");
	check_citizen_id(c, rep_id, "/dossier/enterprise/legal-representative/citizen-id",
			 "legal representative");
	char *rep = rep_id ? reg_xml_text(rep_id) : NULL;
	if (rep && reg_citizen_id_valid(rep)) {
		int y, m, d;
		reg_time_civil(a->now, a->offset, &y, &m, &d);
		int age = reg_citizen_id_age(rep, y, m, d);
		if (age < 18)
			problem(c, rep_id, "/dossier/enterprise/legal-representative/citizen-id",
				"the legal representative must be at least 18 (is %d)", age);
	}
	free(rep);
	xmlNode *officer_id = reg_dossier_node(c->d, "enterprise/financial-officer/citizen-id");
	if (officer_id)
		check_citizen_id(c, officer_id, "/dossier/enterprise/financial-officer/citizen-id",
				 "financial officer");
	if (reg_dossier_node(c->d, "enterprise/financial-officer"))
		check_person_name(c, reg_dossier_node(c->d, "enterprise/financial-officer/name"),
				  "/dossier/enterprise/financial-officer/name", "");
	check_shareholders(c, ent);
	free(name);
	free(form);
	free(capital);
	free(division);
	free(industry);
}

/* Stage 2: what is asked for ------------------------------------------------------------- */

static const reg_item *resolve_item(const reg_catalog *cat, const char *ref)
{
	char *end = NULL;
	long number = strtol(ref, &end, 10);
	if (*ref && !*end)
		return reg_catalog_item_by_number(cat, (int)number);
	return reg_catalog_find_item(cat, ref);
}

/* Requests may name items by number (CSV) — rewritten to ids, as the schema wants.  Each item
 * once, so there are no more requests than catalog items. */
static void check_requests(check *c)
{
	static const char path[] = "/dossier/requests/request";
	const reg_catalog *cat = c->a->cat;
	size_t most = reg_catalog_item_count(cat);
	xmlNode *list = reg_dossier_section(c->d, "requests", false);
	if (count_children(list, "request", most) > most) {
		problem(c, list, path, "more than %zu requests (the catalog has %zu items, each "
			"requested at most once)", most, most);
		return;
	}
	bool *seen = calloc(most + 1, sizeof *seen);
	reg_xml_for_each_child(q, list, REG_NS_DOSSIER, "request") {
		char *ref = reg_xml_attr(q, "item");
		const reg_item *it = ref ? resolve_item(cat, ref) : NULL;
		if (!it) {
			problem(c, q, path, "'%s' is not an item of the catalog", ref ? ref : "");
		} else if (seen && seen[reg_item_number(it) - 1]) {
			problem(c, q, path, "item '%s' is requested twice", reg_item_id(it));
		} else {
			if (seen)
				seen[reg_item_number(it) - 1] = true;
			xmlSetProp(q, BAD_CAST "item", BAD_CAST reg_item_id(it));
		}
		free(ref);
	}
	free(seen);
}

int reg_applicable_items(const reg_catalog *cat, reg_rules *rules, reg_dossier *d, bool *applies,
			 reg_err **errp)
{
	xmlNode *requests = reg_dossier_section(d, "requests", false);
	for (size_t i = 0; i < reg_catalog_item_count(cat); i++) {
		const reg_item *it = reg_catalog_item(cat, i);
		bool yes = false;
		if (reg_rules_test(rules, reg_item_applies_if_expr(it), reg_item_applies_if(it), &yes,
				   errp) < 0)
			return -1;
		if (yes && requests) {
			bool requested = false;
			reg_xml_for_each_child(q, requests, REG_NS_DOSSIER, "request") {
				char *ref = reg_xml_attr(q, "item");
				requested |= ref && strcmp(ref, reg_item_id(it)) == 0;
				free(ref);
			}
			/* Items 1-6 (the base certificates) apply to every enterprise even when
			 * the applicant lists only filings: a request narrows the filings. */
			yes = requested || reg_item_kind_of(it) == REG_ITEM_CERTIFICATE ||
			      reg_item_number(it) <= 6;
		}
		applies[i] = yes;
	}
	return 0;
}

static void check_requests_apply(check *c, const bool *applies)
{
	xmlNode *list = reg_dossier_section(c->d, "requests", false);
	reg_xml_for_each_child(q, list, REG_NS_DOSSIER, "request") {
		char *ref = reg_xml_attr(q, "item");
		const reg_item *it = ref ? reg_catalog_find_item(c->a->cat, ref) : NULL;
		if (it && !applies[reg_item_number(it) - 1])
			problem(c, q, "/dossier/requests/request",
				"item '%s' (%s) does not apply to this business scope", ref,
				reg_item_zh(it));
		free(ref);
	}
}

/* Stage 3: materials --------------------------------------------------------------------- */

/* Hash a material's file (reg_file_hash_inside); its refusal becomes the dossier's problem. */
static int hash_material(check *c, const xmlNode *m, const char *base_dir, const char *href,
			 char hex[65])
{
	reg_err *err = NULL;
	if (reg_file_hash_inside(base_dir, href, hex, &err) == 0)
		return 0;
	if (reg_err_code(err) == REG_ENO)
		problem(c, m, "/dossier/materials/material", "%s", reg_err_message(err));
	else
		reg_err_append(&c->problems, &err);
	reg_err_free(err);
	return -1;
}

/* The catalog index of a material, to mark it seen: a list is at most as long as the catalog
 * by then, so this costs no more than the catalog's size squared, whatever the input. */
static size_t material_index(const reg_catalog *cat, const reg_material *mat)
{
	size_t i = 0;
	while (i < reg_catalog_material_count(cat) && reg_catalog_material(cat, i) != mat)
		i++;
	return i;
}

/* One commitment: a material of the catalog that may be deferred, due on a day from today to
 * its limit (default 30 days) after acceptance. */
static void check_commitment(check *c, const xmlNode *at, const char *type, const char *due)
{
	static const char cpath[] = "/dossier/commitments/commitment";
	const reg_material *mat = type ? reg_catalog_find_material(c->a->cat, type) : NULL;
	int64_t epoch;
	int y, mo, d;
	reg_time_civil(c->a->now, c->a->offset, &y, &mo, &d);
	int64_t today = reg_days_from_civil(y, mo, d);
	if (!mat) {
		problem(c, at, cpath, "'%s' is not a material of the catalog", type ? type : "");
	} else if (reg_material_essential(mat)) {
		problem(c, at, cpath, "'%s' (%s) is a core material and cannot be deferred", type,
			reg_material_zh(mat));
	} else if (!due || strlen(due) != 10 || reg_time_parse(due, 0, &epoch, NULL, NULL) < 0) {
		problem(c, at, cpath, "'%s': due date '%s' is not YYYY-MM-DD", type, due ? due : "");
	} else {
		int64_t due_day = epoch / 86400, limit = reg_material_defer(mat) / 86400;
		if (due_day < today)
			problem(c, at, cpath, "'%s': due date %s is already past", type, due);
		else if (due_day - today > limit)
			problem(c, at, cpath, "'%s': due date %s is more than %lld days after acceptance",
				type, due, (long long)limit);
	}
}

static void check_materials(check *c, const char *base_dir, const bool *applies)
{
	static const char mpath[] = "/dossier/materials/material";
	static const char cpath[] = "/dossier/commitments/commitment";
	const reg_catalog *cat = c->a->cat;
	size_t most = reg_catalog_material_count(cat);
	xmlNode *materials = reg_dossier_section(c->d, "materials", false);
	xmlNode *commitments = reg_dossier_section(c->d, "commitments", false);

	/* Each material type at most once, so neither list can be longer than the catalog's list
	 * of materials: a longer one is refused whole, nothing in it hashed or looked up. */
	bool too_long = false;
	if (count_children(materials, "material", most) > most) {
		problem(c, materials, mpath, "more than %zu materials (the catalog has %zu material "
			"types, each given at most once)", most, most);
		too_long = true;
	}
	if (count_children(commitments, "commitment", most) > most) {
		problem(c, commitments, cpath, "more than %zu commitments (the catalog has %zu "
			"material types, each deferred at most once)", most, most);
		too_long = true;
	}
	bool *seen = calloc(2 * most + 1, sizeof *seen), *deferred = seen ? seen + most : NULL;
	if (too_long || !seen) {
		if (!seen)
			reg_err_set(&c->problems, REG_EINTERNAL, NULL, 0, NULL, "out of memory");
		free(seen);
		return;
	}

	reg_xml_for_each_child(m, materials, REG_NS_DOSSIER, "material") {
		char *type = reg_xml_attr(m, "type"), *href = reg_xml_attr(m, "href");
		char *given = reg_xml_attr(m, "sha256");
		const reg_material *mat = type ? reg_catalog_find_material(cat, type) : NULL;
		char hex[65];
		if (!mat) {
			problem(c, m, mpath, "'%s' is not a material of the catalog", type ? type : "");
		} else if (seen[material_index(cat, mat)]) {
			problem(c, m, mpath, "'%s' is given twice (each material type at most once)",
				type);
		} else {
			seen[material_index(cat, mat)] = true;
		}
		if (href && hash_material(c, m, base_dir, href, hex) == 0) {
			if (given && strcmp(given, hex) != 0)
				problem(c, m, mpath, "file '%s' does not match its sha256", href);
			xmlSetProp((xmlNode *)m, BAD_CAST "sha256", BAD_CAST hex);
		}
		free(type);
		free(href);
		free(given);
	}

	reg_xml_for_each_child(k, commitments, REG_NS_DOSSIER, "commitment") {
		char *type = reg_xml_attr(k, "material"), *due = reg_xml_attr(k, "due");
		const reg_material *mat = type ? reg_catalog_find_material(cat, type) : NULL;
		bool twice = mat && deferred[material_index(cat, mat)];
		if (mat)
			deferred[material_index(cat, mat)] = true;
		if (twice)
			problem(c, k, cpath, "'%s' is deferred twice (each material at most once)", type);
		else
			check_commitment(c, k, type, due);
		free(type);
		free(due);
	}

	/* Every material the applicable items use: present, or deferred when it may be. */
	for (size_t i = 0; i < reg_catalog_material_count(cat); i++) {
		const reg_material *mat = reg_catalog_material(cat, i);
		const char *id = reg_material_id(mat);
		bool needed = false;
		for (size_t j = 0; j < reg_catalog_item_count(cat) && !needed; j++)
			needed = applies[j] && reg_item_uses(reg_catalog_item(cat, j), id);
		if (!needed || seen[i])
			continue;
		if (reg_material_essential(mat))
			problem(c, materials, mpath, "core material '%s' (%s) is missing", id,
				reg_material_zh(mat));
		else if (!deferred[i])
			problem(c, materials, mpath,
				"'%s' (%s) is missing and no commitment defers it", id, reg_material_zh(mat));
	}
	free(seen);
}

/* Which applicable items use each material — recorded once on the material (data runs, not
 * people). */
static void record_material_use(check *c, const bool *applies)
{
	const reg_catalog *cat = c->a->cat;
	xmlNode *materials = reg_dossier_section(c->d, "materials", false);
	reg_xml_for_each_child(m, materials, REG_NS_DOSSIER, "material") {
		char *type = reg_xml_attr(m, "type");
		char *items = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&items, &len);
		for (size_t j = 0; fp && type && j < reg_catalog_item_count(cat); j++) {
			const reg_item *it = reg_catalog_item(cat, j);
			if (applies[j] && reg_item_uses(it, type))
				fprintf(fp, "%s%s", ftell(fp) ? " " : "", reg_item_id(it));
		}
		if (fp)
			fclose(fp);
		if (items && *items)
			xmlSetProp(m, BAD_CAST "items", BAD_CAST items);
		else
			xmlUnsetProp(m, BAD_CAST "items");
		free(items);
		free(type);
	}
}

/* Stage 4: the catalog's own rules ------------------------------------------------------- */

static int check_rules(check *c, const bool *applies, reg_err **errp)
{
	const reg_catalog *cat = c->a->cat;
	for (size_t j = 0; j < reg_catalog_item_count(cat); j++) {
		if (!applies[j])
			continue;
		const reg_item *it = reg_catalog_item(cat, j);
		for (size_t r = 0; r < reg_item_require_count(it); r++) {
			bool ok = false;
			if (reg_rules_test(c->a->rules, reg_item_require_expr(it, r),
					   reg_item_require_source(it, r), &ok, errp) < 0)
				return -1;
			if (!ok)
				problem(c, NULL, "/dossier", "%s: %s", reg_item_id(it),
					reg_item_require_message(it, r));
		}
	}
	return 0;
}

static int examine(check *c, const char *base_dir, bool *applies, reg_err **errp)
{
	reg_apply *a = c->a;
	char *number = reg_dossier_number(c->d);
	if (number) {
		problem(c, reg_dossier_section(c->d, "acceptance", false), "/dossier/acceptance",
			"already accepted as %s", number);
		free(number);
		return 0;
	}
	if (reg_rules_bind(a->rules, c->d, a->now, a->offset, errp) < 0)
		return -1;
	check_enterprise(c);
	check_requests(c);
	if (reg_applicable_items(a->cat, a->rules, c->d, applies, errp) < 0)
		return -1;
	check_requests_apply(c, applies);
	check_materials(c, base_dir, applies);
	if (c->accepting && !c->problems) {
		/* The application as it came, its material files hashed: the same one handed in
		 * again while its dossier is open gets that dossier back (record() checks again,
		 * inside its transaction). */
		reg_registry_dossier prior = {0};
		reg_dossier_strip_comments(c->d);
		if (reg_dossier_body_digest(c->d, c->application, errp) < 0 ||
		    (c->name_taken &&
		     reg_registry_find_application(a->reg, reg_authority_division(a->auth),
						   c->application, &prior, &c->handed_back,
						   errp) < 0))
			return -1;
		reg_registry_dossier_clear(&prior);
		if (c->handed_back)
			return 0;
	}
	if (c->name_taken) {
		char *name = reg_xml_text(c->name_taken);
		name_is_taken(c, c->name_taken, name);
		free(name);
	}
	if (!c->problems && check_rules(c, applies, errp) < 0)
		return -1;
	return 0;
}

int reg_apply_check(reg_apply *a, reg_dossier *d, const char *base_dir, bool csv, reg_err **errp)
{
	check c = {.a = a, .d = d, .csv = csv, .file = reg_dossier_file(d), .line = reg_dossier_line(d)};
	bool *applies = calloc(reg_catalog_item_count(a->cat) + 1, sizeof *applies);
	int rc = -1;
	if (!applies)
		return reg_err_oom(errp);
	if (examine(&c, base_dir, applies, errp) == 0 && !c.problems)
		rc = 0;
	reg_err_append(errp, &c.problems);
	free(applies);
	return rc;
}

/* One answer alone: the CSV column as field, no file or line (the form says where). */
static int check_one(check *c, reg_err **errp)
{
	if (!c->problems)
		return 0;
	reg_err_append(errp, &c->problems);
	return -1;
}

int reg_apply_check_division(reg_apply *a, const char *division, reg_err **errp)
{
	check c = {.a = a, .csv = true};
	check_division(&c, NULL, division);
	return check_one(&c, errp);
}

int reg_apply_check_name(reg_apply *a, const char *name, const char *form, const char *division,
			 reg_err **errp)
{
	check c = {.a = a, .csv = true};
	if (!check_division(&c, NULL, division))
		return check_one(&c, errp);
	check_name(&c, NULL, name, form, division);
	return check_one(&c, errp);
}

int reg_apply_check_commitment(reg_apply *a, const char *material, const char *due,
			       reg_err **errp)
{
	check c = {.a = a, .csv = true};
	check_commitment(&c, NULL, material, due);
	return check_one(&c, errp);
}

/* Stage 5: numbering and recording --------------------------------------------------------- */

static void set_acceptance(reg_apply *a, reg_dossier *d, const char *number)
{
	xmlNode *acc = reg_dossier_section(d, "acceptance", true);
	char when[REG_TIME_ISO_MAX];
	reg_time_format(a->now, a->offset, when);
	xmlSetProp(acc, BAD_CAST "number", BAD_CAST number);
	xmlSetProp(acc, BAD_CAST "window", BAD_CAST reg_config_window(a->cfg));
	xmlSetProp(acc, BAD_CAST "clerk", BAD_CAST reg_config_clerk(a->cfg));
	xmlSetProp(acc, BAD_CAST "time", BAD_CAST when);
	xmlSetProp(acc, BAD_CAST "authority", BAD_CAST reg_authority_division(a->auth));
	reg_dossier_set_state(d, REG_STATE_ACCEPTED);
}

/* One dossier's recording is its own transaction, or — inside a group the caller holds open
 * (reg_intake: many acceptances, one commit) — its own savepoint. */
static int record_begin(reg_registry *reg, bool *own, reg_err **errp)
{
	*own = !reg_registry_in_transaction(reg);
	return *own ? reg_registry_begin(reg, errp) : reg_registry_savepoint(reg, errp);
}

static int record_end(reg_registry *reg, bool own, reg_err **errp)
{
	return own ? reg_registry_commit(reg, errp) : reg_registry_savepoint_release(reg, errp);
}

static void record_undo(reg_registry *reg, bool own)
{
	if (own)
		reg_registry_rollback(reg, NULL);
	else
		reg_registry_savepoint_rollback(reg, NULL);
}

/* The same application accepted before and still open: the dossier is handed back as the
 * registry holds it (its body, the registry's state), with a note and an event, and no row. */
static int hand_back(reg_apply *a, check *c, const reg_registry_dossier *prior, bool own,
		     reg_err **errp)
{
	xmlDoc *doc = reg_xml_parse_memory(prior->body, strlen(prior->body),
					   reg_registry_path(a->reg), errp);
	reg_state state = REG_STATE_ACCEPTED;
	char detail[160];
	if (!doc)
		return -1;
	snprintf(detail, sizeof detail, "handed in again: %s line %ld", c->file ? c->file : "-",
		 c->line);
	if (reg_registry_add_event(a->reg, a->now, "resubmitted", prior->number, detail, NULL,
				   errp) < 0 ||
	    record_end(a->reg, own, errp) < 0) {
		xmlFreeDoc(doc);
		return -1;
	}
	reg_dossier_replace_doc(c->d, doc);
	reg_state_parse(prior->state, &state);
	reg_dossier_set_state(c->d, state);
	/* A note, not a problem: the code says the application was not refused. */
	reg_err_set(&c->notes, REG_OK, c->file, c->line, NULL,
		    "already accepted as %s (%s): the same dossier, written again", prior->number,
		    prior->state);
	return 0;
}

static int record(reg_apply *a, check *c, const char *application, reg_err **errp)
{
	reg_registry *reg = a->reg;
	const char *division = reg_authority_division(a->auth);
	char *name = reg_dossier_text(c->d, "enterprise/name"), *body = NULL, *materials = NULL;
	char date[9], counter[64], number[40], digest[65], enterprise[65];
	size_t body_len = 0;
	uint64_t serial = 0;
	bool taken = false, again = false, own = true, open = false;
	reg_registry_dossier prior = {0};
	int rc = -1;

	if (record_begin(reg, &own, errp) < 0)
		goto out;
	open = true;
	if (reg_registry_find_application(reg, division, application, &prior, &again, errp) < 0)
		goto out;
	if (again) {
		if ((rc = hand_back(a, c, &prior, own, errp)) == 0)
			open = false;
		goto out;
	}
	if (reg_registry_name_taken(reg, division, name, &taken, errp) < 0)
		goto out;
	if (taken) {
		name_is_taken(c, reg_dossier_node(c->d, "enterprise/name"), name);
		goto out;
	}
	reg_time_format_compact_date(a->now, a->offset, date);
	snprintf(counter, sizeof counter, "acceptance:%s:%s", division, date);
	if (reg_registry_next_serial(reg, counter, &serial, errp) < 0)
		goto out;
	if (serial > 999999) {
		/* Not this application's fault nor a bug: the day's numbers are used up, and the
		 * rest can be accepted the next day (EX_TEMPFAIL). */
		reg_err_set(errp, REG_EBUSY, NULL, 0, NULL,
			    "more than 999999 acceptances on %s: the day's numbers are used up; "
			    "accept the rest on the next working day", date);
		goto out;
	}
	snprintf(number, sizeof number, "%s-%s-%06u", division, date, (unsigned)serial);
	set_acceptance(a, c->d, number);
	reg_err *invalid = NULL;
	if (reg_xml_validate(a->schema, reg_dossier_doc(c->d), c->file, &invalid) < 0) {
		problems_located(c, invalid);
		reg_err_free(invalid);
		goto out;
	}
	if (reg_dossier_body_digest(c->d, digest, errp) < 0 ||
	    reg_ledger_body_facts(c->d, enterprise, &materials, errp) < 0 ||
	    reg_xml_serialize(reg_dossier_doc(c->d), &body, &body_len, errp) < 0)
		goto out;
	reg_registry_dossier row = {
		.number = number, .name = name, .authority = division,
		.state = reg_state_name(REG_STATE_ACCEPTED), .accepted_at = a->now,
		.window = reg_config_window(a->cfg), .clerk = reg_config_clerk(a->cfg),
		.application_digest = application,
	};
	reg_registry_body first = {
		.digest = digest, .body = body, .enterprise_digest = enterprise,
		.materials = materials, .recorded_at = a->now,
	};
	if (reg_registry_add_dossier(reg, &row, &first, errp) < 0 ||
	    reg_registry_reserve_name(reg, division, name, number, a->now, errp) < 0)
		goto out;
	xmlNode *commitments = reg_dossier_section(c->d, "commitments", false);
	reg_xml_for_each_child(k, commitments, REG_NS_DOSSIER, "commitment") {
		char *material = reg_xml_attr(k, "material"), *due = reg_xml_attr(k, "due");
		int64_t due_at = 0;
		/* A commitment is kept until the end of its due day, in the authority's zone. */
		reg_time_parse(due, a->offset, &due_at, NULL, NULL);
		reg_registry_commitment row_c = {.number = number, .material = material, .due = due,
						 .due_at = due_at + 86399};
		int added = reg_registry_add_commitment(reg, &row_c, errp);
		free(material);
		free(due);
		if (added < 0)
			goto out;
	}
	if (reg_registry_add_event(reg, a->now, "accepted", number, name, NULL, errp) < 0 ||
	    record_end(reg, own, errp) < 0)
		goto out;
	open = false;
	name_lines_put(&a->batch_names, name, c->line);
	rc = 0;
out:
	if (open)
		record_undo(reg, own);
	if (rc < 0) {
		/* Nothing was recorded: the dossier leaves as it came. */
		reg_dossier_drop_section(c->d, "acceptance");
		reg_dossier_set_state(c->d, REG_STATE_NONE);
	}
	reg_registry_dossier_clear(&prior);
	free(materials);
	free(body);
	free(name);
	return rc;
}

int reg_apply_accept(reg_apply *a, reg_dossier *d, const char *base_dir, bool csv, reg_err **errp)
{
	check c = {.a = a, .d = d, .csv = csv, .file = reg_dossier_file(d), .line = reg_dossier_line(d)};
	bool *applies = calloc(reg_catalog_item_count(a->cat) + 1, sizeof *applies);
	int rc = -1;
	if (!applies)
		return reg_err_oom(errp);
	if (!a->reg) {
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "acceptance needs the registry");
		goto out;
	}
	c.accepting = true;
	if (examine(&c, base_dir, applies, errp) < 0 || c.problems)
		goto out;
	record_material_use(&c, applies);
	rc = record(a, &c, c.application, errp);
out:
	reg_err_append(errp, &c.problems);
	if (rc == 0)
		reg_err_append(errp, &c.notes);
	reg_err_free(c.notes);
	free(applies);
	return rc;
}
