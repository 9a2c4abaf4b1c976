#include "supply.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "apply.h"
#include "catalog.h"
#include "clock.h"
#include "files.h"
#include "ledger.h"
#include "registry.h"
#include "rules.h"
#include "xml.h"

const char *reg_supply_kind_name(reg_supply_kind k)
{
	switch (k) {
	case REG_SUPPLY_SUPPLEMENT: return N_("supplied");
	case REG_SUPPLY_FULFILMENT: return N_("fulfilled");
	case REG_SUPPLY_BOTH: return N_("supplied, fulfilling its commitment");
	case REG_SUPPLY_ALREADY: return N_("already recorded");
	}
	return "?";
}

int reg_supplied_parse(char *arg, reg_supplied *out, reg_err **errp)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "'%s' is not MATERIAL=FILE (a catalog material and its file)", arg);
	*eq = '\0';
	*out = (reg_supplied){.material = arg, .path = eq + 1};
	return 0;
}

void reg_supply_report_clear(reg_supply_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_again; i++)
		free(r->again[i]);
	free(r->again);
	free(r->lines);
	free(r->number);
	free(r->state);
	*r = (reg_supply_report){0};
}

void reg_supply_report_print(const reg_supply_report *r, const char *prog, FILE *fp)
{
	for (size_t i = 0; i < r->n_lines; i++) {
		const reg_supply_line *l = &r->lines[i];
		char version[96] = "";
		if ((l->kind == REG_SUPPLY_SUPPLEMENT || l->kind == REG_SUPPLY_BOTH) && r->version)
			snprintf(version, sizeof version, _(" (body version %lld)"),
				 (long long)r->version);
		fprintf(fp, "%s: %s: %s: %s%s\n", prog, r->number, l->material,
			_(reg_supply_kind_name(l->kind)), version);
	}
	if (r->n_again) {
		fprintf(fp, "%s: %s: %s", prog, r->number, _("reviews again:"));
		for (size_t i = 0; i < r->n_again; i++)
			fprintf(fp, "%s %s", i ? "," : "", r->again[i]);
		fputc('\n', fp);
	}
}

/* ---- one request ---------------------------------------------------------------------------- */

typedef struct owed_list {
	reg_registry_commitment *items;
	size_t n, cap;
	bool failed;
} owed_list;

static int collect_commitment(const reg_registry_commitment *c, void *ctx)
{
	owed_list *o = ctx;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 8;
		reg_registry_commitment *grown = realloc(o->items, cap * sizeof *grown);
		if (!grown) {
			o->failed = true;
			return -1;
		}
		o->items = grown, o->cap = cap;
	}
	reg_registry_commitment *k = &o->items[o->n];
	*k = (reg_registry_commitment){.fulfilled_at = c->fulfilled_at};
	k->material = strdup(c->material);
	k->fulfilled_sha256 = c->fulfilled_sha256 ? strdup(c->fulfilled_sha256) : NULL;
	if (!k->material || (c->fulfilled_sha256 && !k->fulfilled_sha256)) {
		free((char *)k->material);
		free((char *)k->fulfilled_sha256);
		o->failed = true;
		return -1;
	}
	o->n++;
	return 0;
}

static void owed_clear(owed_list *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free((char *)o->items[i].material);
		free((char *)o->items[i].fulfilled_sha256);
	}
	free(o->items);
}

static const reg_registry_commitment *commitment_of(const owed_list *o, const char *material)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->items[i].material, material) == 0)
			return &o->items[i];
	return NULL;
}

/* Whether an applicable item whose verdict in force asks for a supplement uses `material`. */
static bool asked_for(const reg_catalog *cat, const reg_assessment *as, const char *material)
{
	for (size_t i = 0; i < as->n_items; i++)
		if (as->status[i] == REG_ITEM_SUPPLEMENT &&
		    reg_item_uses(reg_catalog_item(cat, i), material))
			return true;
	return false;
}

/* Put the file's digest and path on the body's <material type=…>, adding one if missing. */
static int set_material(reg_dossier *d, const char *type, const char *path, const char *sha,
			reg_err **errp)
{
	xmlNode *materials = reg_dossier_section(d, "materials", true), *found = NULL;
	if (!materials)
		return reg_err_oom(errp);
	reg_xml_for_each_child(m, materials, REG_NS_DOSSIER, "material") {
		char *t = reg_xml_attr(m, "type");
		bool same = t && strcmp(t, type) == 0;
		free(t);
		if (same) {
			found = m;
			break;
		}
	}
	if (!found && !(found = xmlNewChild(materials, materials->ns, BAD_CAST "material", NULL)))
		return reg_err_oom(errp);
	xmlUnsetProp(found, BAD_CAST "sighted");
	if (!xmlSetProp(found, BAD_CAST "type", BAD_CAST type) ||
	    !xmlSetProp(found, BAD_CAST "sha256", BAD_CAST sha) ||
	    !xmlSetProp(found, BAD_CAST "href", BAD_CAST path))
		return reg_err_oom(errp);
	return 0;
}

/* The body the registry holds now, with what applies to it and the assessment. */
typedef struct current {
	reg_ledger_record *rec;
	reg_dossier *d;
	bool *applies;
	reg_assessment as;
} current;

static void current_clear(current *c)
{
	reg_assessment_clear(&c->as);
	free(c->applies);
	reg_dossier_free(c->d);
	reg_ledger_record_free(c->rec);
	*c = (current){0};
}

static int read_current(reg_ledger *l, reg_registry *reg, reg_rules *rules,
			const reg_catalog *cat, const char *number, int64_t now, int offset,
			current *c, reg_err **errp)
{
	if (!(c->rec = reg_ledger_read(l, reg, number, true, errp)))
		return -1;
	const reg_registry_dossier *row = reg_ledger_row(c->rec);
	xmlDoc *doc = reg_xml_parse_memory(row->body, strlen(row->body), reg_registry_path(reg),
					   errp);
	if (!doc || !(c->d = reg_dossier_adopt(doc, reg_registry_path(reg), 0, errp)))
		return -1;
	if (!(c->applies = calloc(reg_catalog_item_count(cat) + 1, sizeof *c->applies)))
		return reg_err_oom(errp);
	if (reg_rules_bind(rules, c->d, now, offset, errp) < 0 ||
	    reg_applicable_items(cat, rules, c->d, c->applies, errp) < 0 ||
	    reg_ledger_assess(l, c->rec, c->applies, &c->as, errp) < 0)
		return -1;
	return 0;
}

/* Whose verdict counted before and no longer does: "dept (item)". */
static int reviews_again(const reg_catalog *cat, const current *before, const current *after,
			 reg_supply_report *rep, reg_err **errp)
{
	for (size_t i = 0; i < after->as.n_items; i++) {
		if (!after->applies[i] || before->as.in_force[i] < 0 || after->as.in_force[i] >= 0)
			continue;
		const reg_item *it = reg_catalog_item(cat, i);
		char **grown = realloc(rep->again, (rep->n_again + 1) * sizeof *grown);
		if (!grown)
			return reg_err_oom(errp);
		rep->again = grown;
		if (asprintf(&rep->again[rep->n_again], "%s (%s)", reg_item_dept(it), reg_item_id(it)) < 0)
			return reg_err_oom(errp);
		rep->n_again++;
	}
	return 0;
}

/* Check the request and hash its files: before anything is read from the registry. */
static int hash_files(const reg_catalog *cat, const reg_supply_request *rq,
		      reg_supply_report *rep, reg_err **errp)
{
	if (!(rep->lines = calloc(rq->n_materials + 1, sizeof *rep->lines)))
		return reg_err_oom(errp);
	const char *folder = rq->folder ? rq->folder : ".";
	for (size_t i = 0; i < rq->n_materials; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(rq->materials[j].material, rq->materials[i].material) == 0)
				return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
						   "material '%s' given twice", rq->materials[i].material);
	for (size_t i = 0; i < rq->n_materials; i++)
		if (!reg_catalog_find_material(cat, rq->materials[i].material))
			return reg_err_set(errp, REG_ENO, reg_catalog_path(cat), 0, NULL,
					   "'%s' is not a material of the catalog",
					   rq->materials[i].material);
	for (size_t i = 0; i < rq->n_materials; i++) {
		const reg_supplied *s = &rq->materials[i];
		reg_supply_line *line = &rep->lines[rep->n_lines++];
		line->material = s->material;
		reg_err *err = NULL;
		if (reg_file_hash_inside(folder, s->path, line->sha256, &err) < 0) {
			if (reg_err_code(err) == REG_ENO) {
				reg_err_set(errp, REG_ENO, NULL, 0, s->material, "%s",
					    reg_err_message(err));
				reg_err_free(err);
			} else {
				reg_err_append(errp, &err);
			}
			return -1;
		}
	}
	return 0;
}

/* Decide each line's kind against the record; make the new body when there is a supplement. */
static int classify(const reg_catalog *cat, const reg_supply_request *rq, const current *cur,
		    const owed_list *owed, reg_supply_report *rep, bool *supplement,
		    reg_err **errp)
{
	reg_state state = reg_ledger_state(cur->rec);
	*supplement = false;
	for (size_t i = 0; i < rep->n_lines; i++) {
		reg_supply_line *line = &rep->lines[i];
		const reg_registry_commitment *k = commitment_of(owed, line->material);
		bool is_owed = k && k->fulfilled_at == 0;
		if (k && !is_owed && k->fulfilled_sha256 &&
		    strcmp(k->fulfilled_sha256, line->sha256) == 0) {
			line->kind = REG_SUPPLY_ALREADY;
			continue;
		}
		if (is_owed && !asked_for(cat, &cur->as, line->material)) {
			line->kind = REG_SUPPLY_FULFILMENT;
			continue;
		}
		line->kind = is_owed ? REG_SUPPLY_BOTH : REG_SUPPLY_SUPPLEMENT;
		if (state == REG_STATE_ISSUED || state == REG_STATE_REJECTED)
			return reg_err_set(errp, REG_ENO, NULL, 0, line->material,
					   state == REG_STATE_ISSUED
						   ? "dossier %s is issued: its record is closed (a "
						     "later change is an alteration, 变更登记), nothing "
						     "to supplement"
						   : "dossier %s was rejected, which is final: the "
						     "applicant applies again",
					   rq->number);
		if (set_material(cur->d, line->material, rq->materials[i].path, line->sha256, errp) < 0)
			return -1;
		*supplement = true;
	}
	return 0;
}

static int record_body(reg_registry *reg, const current *cur, int64_t now,
		       reg_supply_report *rep, bool *made, reg_err **errp)
{
	char digest[65], enterprise[65];
	char *materials = NULL, *body = NULL, *detail = NULL;
	size_t len = 0;
	int rc = -1;
	*made = false;
	if (reg_dossier_body_digest(cur->d, digest, errp) < 0)
		return -1;
	if (strcmp(digest, reg_ledger_row(cur->rec)->body_digest) == 0) {
		/* The files are the ones recorded: nothing new. */
		for (size_t i = 0; i < rep->n_lines; i++)
			if (rep->lines[i].kind == REG_SUPPLY_SUPPLEMENT)
				rep->lines[i].kind = REG_SUPPLY_ALREADY;
		return 0;
	}
	if (reg_ledger_body_facts(cur->d, enterprise, &materials, errp) < 0 ||
	    reg_xml_serialize(reg_dossier_doc(cur->d), &body, &len, errp) < 0)
		goto out;
	reg_registry_body b = {.number = rep->number, .digest = digest, .body = body,
			       .enterprise_digest = enterprise, .materials = materials,
			       .recorded_at = now};
	if (reg_registry_add_body(reg, &b, &rep->version, errp) < 0)
		goto out;
	if (asprintf(&detail, "body version %lld, %s", (long long)rep->version, digest) < 0) {
		detail = NULL;
		reg_err_oom(errp);
		goto out;
	}
	if (reg_registry_add_event(reg, now, "supplied", rep->number, detail, NULL, errp) < 0)
		goto out;
	*made = true;
	rc = 0;
out:
	free(detail);
	free(body);
	free(materials);
	return rc;
}

static int record_fulfilments(reg_registry *reg, const reg_supply_report *rep, int64_t now,
			      reg_err **errp)
{
	for (size_t i = 0; i < rep->n_lines; i++) {
		const reg_supply_line *line = &rep->lines[i];
		if (line->kind != REG_SUPPLY_FULFILMENT && line->kind != REG_SUPPLY_BOTH)
			continue;
		char *detail = NULL;
		if (asprintf(&detail, "%s %s", line->material, line->sha256) < 0)
			return reg_err_oom(errp);
		int rc = reg_registry_fulfil_commitment(reg, rep->number, line->material, now,
							line->sha256, errp);
		if (rc == 0)
			rc = reg_registry_add_event(reg, now, "fulfilled", rep->number, detail, NULL,
						    errp);
		free(detail);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int supply_in(reg_registry *reg, reg_ledger *l, reg_rules *rules, const reg_catalog *cat,
		     const reg_supply_request *rq, int64_t now, int offset,
		     reg_supply_report *rep, reg_err **errp)
{
	current before = {0}, after = {0};
	owed_list owed = {0};
	bool supplement = false, made = false;
	int rc = -1;
	if (read_current(l, reg, rules, cat, rq->number, now, offset, &before, errp) < 0)
		goto out;
	if (reg_registry_each_commitment_of(reg, rq->number, collect_commitment, &owed, errp) < 0) {
		if (owed.failed)
			reg_err_oom(errp);
		goto out;
	}
	if (classify(cat, rq, &before, &owed, rep, &supplement, errp) < 0 ||
	    (supplement && record_body(reg, &before, now, rep, &made, errp) < 0) ||
	    record_fulfilments(reg, rep, now, errp) < 0)
		goto out;
	if (made) {
		/* The record as it stands now: which verdicts still count on the new version. */
		if (read_current(l, reg, rules, cat, rq->number, now, offset, &after, errp) < 0 ||
		    reviews_again(cat, &before, &after, rep, errp) < 0 ||
		    reg_ledger_settle(l, reg, after.rec, &after.as, now, false, NULL, errp) < 0)
			goto out;
	}
	rc = 0;
out:
	owed_clear(&owed);
	current_clear(&after);
	current_clear(&before);
	return rc;
}

reg_dossier *reg_supply(reg_config *cfg, const reg_supply_request *rq, reg_supply_report *report,
			reg_err **errp)
{
	reg_catalog *cat = NULL;
	reg_registry *reg = NULL;
	reg_ledger *l = NULL;
	reg_rules *rules = NULL;
	reg_dossier *view = NULL;
	int64_t now = 0;
	int offset = 0;
	*report = (reg_supply_report){0};
	if (!(report->number = strdup(rq->number))) {
		reg_err_oom(errp);
		return NULL;
	}
	if (!(cat = reg_catalog_load(reg_config_catalog_path(cfg), reg_config_schema_dir(cfg),
				     errp)) ||
	    reg_config_now(cfg, &now, errp) < 0 || reg_config_offset(cfg, &offset, errp) < 0 ||
	    hash_files(cat, rq, report, errp) < 0 ||
	    !(reg = reg_registry_open_existing(reg_config_db(cfg), errp)) ||
	    !(l = reg_ledger_new(cat, NULL, offset, errp)) || !(rules = reg_rules_new(errp)))
		goto out;
	if (reg_registry_begin(reg, errp) < 0)
		goto out;
	if (supply_in(reg, l, rules, cat, rq, now, offset, report, errp) < 0 ||
	    reg_registry_commit(reg, errp) < 0) {
		reg_registry_rollback(reg, NULL);
		goto out;
	}
	/* Recorded: what goes out is the registry's view, whatever happens to it. */
	reg_registry_dossier row = {0};
	bool found = false;
	if (!(view = reg_ledger_export(l, reg, rules, rq->number, now, errp)))
		goto out;
	if (reg_registry_get_dossier(reg, rq->number, &row, &found, errp) < 0 ||
	    !(report->state = strdup(found ? row.state : "?"))) {
		if (!*errp)
			reg_err_oom(errp);
		reg_dossier_free(view);
		view = NULL;
	}
	reg_registry_dossier_clear(&row);
out:
	reg_rules_free(rules);
	reg_ledger_free(l);
	reg_registry_free(reg);
	reg_catalog_free(cat);
	return view;
}
