#include "dossier.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hex.h"
#include "xml.h"

struct reg_dossier {
	xmlDoc *doc;
	char *file;
	long line;
};

/* The canonical order of a dossier's sections (docs/formats.md, schemas/dossier.xsd). */
static const char *const section_order[] = {
	"enterprise", "requests", "materials", "commitments", "acceptance",
	"versions", "approvals", "outstanding", "issuance", "rejection",
};
#define N_SECTIONS (sizeof section_order / sizeof section_order[0])

static const char *const state_names[] = {
	[REG_STATE_NONE] = "", [REG_STATE_ACCEPTED] = "accepted", [REG_STATE_APPROVED] = "approved",
	[REG_STATE_REJECTED] = "rejected", [REG_STATE_PENDING] = "pending", [REG_STATE_ISSUED] = "issued",
};
static const char *const verdict_names[] = {
	[REG_VERDICT_APPROVED] = "approved", [REG_VERDICT_REJECTED] = "rejected",
	[REG_VERDICT_SUPPLEMENT] = "supplement", [REG_VERDICT_NOT_APPLICABLE] = "not-applicable",
};

static bool is_dossier_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns &&
	       strcmp((const char *)n->ns->href, REG_NS_DOSSIER) == 0 &&
	       (!name || strcmp((const char *)n->name, name) == 0);
}

reg_dossier *reg_dossier_new(reg_err **errp)
{
	reg_dossier *d = calloc(1, sizeof *d);
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = doc ? xmlNewNode(NULL, BAD_CAST "dossier") : NULL;
	if (!d || !root) {
		free(d);
		xmlFreeNode(root);
		xmlFreeDoc(doc);
		reg_err_oom(errp);
		return NULL;
	}
	xmlSetNs(root, xmlNewNs(root, BAD_CAST REG_NS_DOSSIER, NULL));
	xmlDocSetRootElement(doc, root);
	d->doc = doc;
	reg_dossier_section(d, "enterprise", true);
	return d;
}

reg_dossier *reg_dossier_adopt(xmlDoc *doc, const char *file, long line, reg_err **errp)
{
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!is_dossier_element(root, "dossier")) {
		reg_err_set(errp, REG_EDATA, file, line, NULL,
			    "not a dossier (root must be <dossier xmlns=\"%s\">)", REG_NS_DOSSIER);
		xmlFreeDoc(doc);
		return NULL;
	}
	reg_dossier *d = calloc(1, sizeof *d);
	if (!d) {
		xmlFreeDoc(doc);
		reg_err_oom(errp);
		return NULL;
	}
	d->doc = doc;
	d->file = file ? strdup(file) : NULL;
	d->line = line ? line : reg_xml_line(root);
	return d;
}

void reg_dossier_free(reg_dossier *d)
{
	if (!d)
		return;
	xmlFreeDoc(d->doc);
	free(d->file);
	free(d);
}

void reg_dossier_set_origin(reg_dossier *d, const char *file, long line)
{
	free(d->file);
	d->file = file ? strdup(file) : NULL;
	d->line = line;
}

xmlDoc *reg_dossier_doc(const reg_dossier *d) { return d->doc; }

void reg_dossier_replace_doc(reg_dossier *d, xmlDoc *doc)
{
	xmlFreeDoc(d->doc);
	d->doc = doc;
}

static void strip(xmlNode *n)
{
	for (xmlNode *c = n->children, *next; c; c = next) {
		next = c->next;
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			strip(c);
		}
	}
}

void reg_dossier_strip_comments(reg_dossier *d)
{
	xmlNode *root = reg_dossier_root(d);
	if (root)
		strip(root);
}
xmlNode *reg_dossier_root(const reg_dossier *d) { return xmlDocGetRootElement(d->doc); }
const char *reg_dossier_file(const reg_dossier *d) { return d->file; }
long reg_dossier_line(const reg_dossier *d) { return d->line; }

static size_t section_rank(const xmlNode *n)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (strcmp((const char *)n->name, section_order[i]) == 0)
			return i;
	return N_SECTIONS;
}

xmlNode *reg_dossier_section(reg_dossier *d, const char *name, bool create)
{
	xmlNode *root = reg_dossier_root(d);
	xmlNode *found = reg_xml_child(root, REG_NS_DOSSIER, name);
	if (found || !create)
		return found;
	xmlNode *fresh = xmlNewNode(root->ns, BAD_CAST name);
	if (!fresh)
		return NULL;
	size_t rank = section_rank(fresh);
	/* Insert before the first section that must come after this one. */
	for (xmlNode *c = root->children; c; c = c->next) {
		if (is_dossier_element(c, NULL) && section_rank(c) > rank)
			return xmlAddPrevSibling(c, fresh);
	}
	return xmlAddChild(root, fresh);
}

void reg_dossier_drop_section(reg_dossier *d, const char *name)
{
	xmlNode *s = reg_xml_child(reg_dossier_root(d), REG_NS_DOSSIER, name);
	if (s) {
		xmlUnlinkNode(s);
		xmlFreeNode(s);
	}
}

xmlNode *reg_dossier_node(const reg_dossier *d, const char *path)
{
	xmlNode *n = reg_dossier_root(d);
	char *copy = strdup(path), *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); n && part; part = strtok_r(NULL, "/", &save))
		n = reg_xml_child(n, REG_NS_DOSSIER, part);
	free(copy);
	return n;
}

char *reg_dossier_text(const reg_dossier *d, const char *path)
{
	xmlNode *n = reg_dossier_node(d, path);
	return n ? reg_xml_text(n) : NULL;
}

char *reg_dossier_attr(const reg_dossier *d, const char *path, const char *attr)
{
	xmlNode *n = path && *path ? reg_dossier_node(d, path) : reg_dossier_root(d);
	return n ? reg_xml_attr(n, attr) : NULL;
}

const char *reg_state_name(reg_state s) { return state_names[s]; }
const char *reg_verdict_name(reg_verdict v) { return verdict_names[v]; }

int reg_state_parse(const char *text, reg_state *s)
{
	for (size_t i = 1; text && i < sizeof state_names / sizeof *state_names; i++)
		if (strcmp(text, state_names[i]) == 0) {
			*s = (reg_state)i;
			return 0;
		}
	return -1;
}

int reg_verdict_parse(const char *text, reg_verdict *v)
{
	for (size_t i = 0; text && i < sizeof verdict_names / sizeof *verdict_names; i++)
		if (strcmp(text, verdict_names[i]) == 0) {
			*v = (reg_verdict)i;
			return 0;
		}
	return -1;
}

reg_state reg_dossier_state(const reg_dossier *d)
{
	char *text = reg_xml_attr(reg_dossier_root(d), "state");
	reg_state s = REG_STATE_NONE;
	if (text && reg_state_parse(text, &s) < 0)
		s = REG_STATE_NONE;
	free(text);
	return s;
}

void reg_dossier_set_state(reg_dossier *d, reg_state state)
{
	xmlNode *root = reg_dossier_root(d);
	if (state == REG_STATE_NONE)
		xmlUnsetProp(root, BAD_CAST "state");
	else
		xmlSetProp(root, BAD_CAST "state", BAD_CAST state_names[state]);
}

char *reg_dossier_number(const reg_dossier *d)
{
	return reg_dossier_attr(d, "acceptance", "number");
}

int reg_dossier_body_digest(const reg_dossier *d, char hex[65], reg_err **errp)
{
	static const char *const not_body[] = {"versions", "approvals", "outstanding", "issuance",
					       "rejection", NULL};
	xmlNode *root = xmlDocGetRootElement(d->doc);
	unsigned char digest[32];
	if (!root)
		return reg_err_set(errp, REG_EINTERNAL, d->file, d->line, NULL, "empty dossier");
	if (reg_xml_c14n_sha256_without(root, "state", REG_NS_DOSSIER, not_body, digest, errp) < 0)
		return -1;
	reg_hex(digest, sizeof digest, hex);
	return 0;
}

int reg_dossier_add_approval(reg_dossier *d, const reg_approval *a, reg_err **errp)
{
	xmlNode *list = reg_dossier_section(d, "approvals", true);
	xmlNode *n = list ? xmlNewChild(list, list->ns, BAD_CAST "approval", NULL) : NULL;
	if (!n)
		return reg_err_oom(errp);
	xmlSetProp(n, BAD_CAST "item", BAD_CAST a->item);
	xmlSetProp(n, BAD_CAST "dept", BAD_CAST a->dept);
	xmlSetProp(n, BAD_CAST "verdict", BAD_CAST verdict_names[a->verdict]);
	xmlSetProp(n, BAD_CAST "reviewer", BAD_CAST a->reviewer);
	xmlSetProp(n, BAD_CAST "time", BAD_CAST a->time);
	xmlSetProp(n, BAD_CAST "body-digest", BAD_CAST a->digest);
	if (a->signature)
		xmlSetProp(n, BAD_CAST "signature", BAD_CAST a->signature);
	for (size_t i = 0; i < a->n_reasons; i++)
		xmlNewTextChild(n, n->ns, BAD_CAST "reason", BAD_CAST a->reasons[i]);
	return 0;
}

void reg_approval_clear(reg_approval *a)
{
	free(a->item), free(a->dept), free(a->reviewer), free(a->time), free(a->digest);
	free(a->signature);
	for (size_t r = 0; r < a->n_reasons; r++)
		free(a->reasons[r]);
	free(a->reasons);
	memset(a, 0, sizeof *a);
}

void reg_approval_list_free(reg_approval *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		reg_approval_clear(&list[i]);
	free(list);
}

int reg_dossier_approvals_capped(const reg_dossier *d, reg_err **errp)
{
	xmlNode *list = reg_xml_child(reg_dossier_root(d), REG_NS_DOSSIER, "approvals");
	size_t count = 0;
	reg_xml_for_each_child(c, list, REG_NS_DOSSIER, "approval")
		if (++count > REG_DOSSIER_MAX_APPROVALS)
			return reg_err_set(errp, REG_ENO, d->file, reg_xml_line(list),
					   "/dossier/approvals",
					   "more than %d approvals", REG_DOSSIER_MAX_APPROVALS);
	return 0;
}

int reg_dossier_approvals(const reg_dossier *d, reg_approval **out, size_t *n, reg_err **errp)
{
	xmlNode *list = reg_xml_child(reg_dossier_root(d), REG_NS_DOSSIER, "approvals");
	size_t count = 0;
	if (reg_dossier_approvals_capped(d, errp) < 0)
		return -1;
	reg_xml_for_each_child(c, list, REG_NS_DOSSIER, "approval")
		count++;
	reg_approval *all = calloc(count ? count : 1, sizeof *all);
	if (!all)
		return reg_err_oom(errp);
	size_t i = 0;
	int rc = 0;
	reg_xml_for_each_child(c, list, REG_NS_DOSSIER, "approval") {
		reg_approval *a = &all[i++];
		a->item = reg_xml_attr(c, "item");
		a->dept = reg_xml_attr(c, "dept");
		a->reviewer = reg_xml_attr(c, "reviewer");
		a->time = reg_xml_attr(c, "time");
		a->digest = reg_xml_attr(c, "body-digest");
		a->signature = reg_xml_attr(c, "signature");
		a->line = reg_xml_line(c);
		char *verdict = reg_xml_attr(c, "verdict");
		if (!a->item || !a->dept || !a->time || !a->digest ||
		    reg_verdict_parse(verdict, &a->verdict) < 0)
			rc = reg_err_add(errp, REG_ENO, d->file, a->line, "/dossier/approvals/approval",
					 "incomplete approval (item, dept, verdict, time and "
					 "body-digest are required)");
		free(verdict);
		reg_xml_for_each_child(r, c, REG_NS_DOSSIER, "reason") {
			char **grown = realloc(a->reasons, (a->n_reasons + 1) * sizeof *grown);
			if (!grown)
				break;
			a->reasons = grown;
			a->reasons[a->n_reasons++] = reg_xml_text(r);
		}
	}
	if (rc < 0) {
		reg_approval_list_free(all, count);
		return -1;
	}
	*out = all;
	*n = count;
	return 0;
}

const reg_approval *reg_approval_in_force(const reg_approval *list, size_t n, const char *item)
{
	const reg_approval *best = NULL;
	int64_t best_at = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		if (!list[i].item || strcmp(list[i].item, item) != 0)
			continue;
		int64_t at = INT64_MIN;
		if (list[i].time && reg_time_parse(list[i].time, 0, &at, NULL, NULL) < 0)
			at = INT64_MIN;
		if (!best || at >= best_at) {
			best = &list[i];
			best_at = at;
		}
	}
	return best;
}

void reg_dossier_add_rejection(reg_dossier *d, const reg_err *problems)
{
	xmlNode *rej = reg_dossier_section(d, "rejection", true);
	if (!rej)
		return;
	for (const reg_err *e = problems; e; e = reg_err_next(e)) {
		xmlNode *p = xmlNewTextChild(rej, rej->ns, BAD_CAST "problem",
					     BAD_CAST reg_err_message(e));
		if (!p)
			return;
		if (reg_err_line(e) > 0) {
			char line[24];
			snprintf(line, sizeof line, "%ld", reg_err_line(e));
			xmlSetProp(p, BAD_CAST "line", BAD_CAST line);
		}
		if (reg_err_field(e))
			xmlSetProp(p, BAD_CAST "field", BAD_CAST reg_err_field(e));
	}
}
