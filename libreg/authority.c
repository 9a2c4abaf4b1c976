#include "authority.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ids.h"
#include "xml.h"

struct reg_authority {
	char *division;
	char *name;
	char **area;
	size_t area_len;
	int offset_min;
	char *private_key;
	char *public_key;
	bool test_only;
	char *path;
	reg_dept_key *keys;
	size_t n_keys;
	reg_calendar *calendar;
	char *supervisor;
};

static void dept_key_clear(reg_dept_key *k)
{
	free((char *)k->dept);
	free((char *)k->public_path);
	free((char *)k->private_path);
}

void reg_authority_free(reg_authority *a)
{
	if (!a)
		return;
	free(a->division);
	free(a->name);
	for (size_t i = 0; i < a->area_len; i++)
		free(a->area[i]);
	free(a->area);
	free(a->private_key);
	free(a->public_key);
	for (size_t i = 0; i < a->n_keys; i++)
		dept_key_clear(&a->keys[i]);
	free(a->keys);
	free(a->path);
	reg_calendar_free(a->calendar);
	free(a->supervisor);
	free(a);
}

static bool six_digits(const char *s)
{
	if (!s || strlen(s) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Key files sit beside authority.xml; an absolute path is taken as given (it is configuration,
 * written by the bureau, not applicant input). */
static char *beside(const char *config_path, const char *file)
{
	if (!file || !*file)
		return NULL;
	if (file[0] == '/')
		return strdup(file);
	char *copy = strdup(config_path);
	char *out = NULL;
	if (copy && asprintf(&out, "%s/%s", dirname(copy), file) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* A key's period bound: an ISO 8601 time (a date alone is its midnight) in the authority's
 * zone, or absent (open). */
static void key_bound(xmlNode *key, const char *attr, int offset, int64_t open_value,
		      int64_t *out, const char *path, reg_err **err)
{
	char *text = reg_xml_attr(key, attr);
	*out = open_value;
	if (text && reg_time_parse(text, offset, out, NULL, NULL) < 0)
		reg_err_add(err, REG_ECONFIG, path, reg_xml_line(key),
			    "/authority/departments/department/key",
			    "%s '%s' is not an ISO 8601 time", attr, text);
	free(text);
}

/* <departments>: each department's keys, their periods in order and never overlapping. */
static void load_dept_keys(reg_authority *a, xmlNode *root, const char *path, reg_err **err)
{
	static const char field[] = "/authority/departments/department";
	xmlNode *depts = reg_xml_child(root, REG_NS_AUTHORITY, "departments");
	reg_xml_for_each_child(d, depts, REG_NS_AUTHORITY, "department") {
		char *id = reg_xml_attr(d, "id");
		if (!id || !*id) {
			reg_err_add(err, REG_ECONFIG, path, reg_xml_line(d), field, "no id");
			free(id);
			continue;
		}
		size_t first = a->n_keys;
		for (size_t i = 0; i < first; i++)
			if (strcmp(a->keys[i].dept, id) == 0) {
				reg_err_add(err, REG_ECONFIG, path, reg_xml_line(d), field,
					    "department '%s' is listed twice", id);
				break;
			}
		reg_xml_for_each_child(k, d, REG_NS_AUTHORITY, "key") {
			reg_dept_key *grown = realloc(a->keys, (a->n_keys + 1) * sizeof *grown);
			if (!grown) {
				reg_err_add(err, REG_EINTERNAL, path, 0, NULL, "out of memory");
				break;
			}
			a->keys = grown;
			reg_dept_key *key = &a->keys[a->n_keys++];
			char *pub = reg_xml_attr(k, "public"), *priv = reg_xml_attr(k, "private");
			*key = (reg_dept_key){.dept = strdup(id), .public_path = beside(path, pub),
					      .private_path = beside(path, priv),
					      .line = reg_xml_line(k)};
			free(pub);
			free(priv);
			key_bound(k, "from", a->offset_min, INT64_MIN, &key->valid_from, path, err);
			key_bound(k, "until", a->offset_min, INT64_MAX, &key->valid_until, path, err);
			if (!key->public_path)
				reg_err_add(err, REG_ECONFIG, path, key->line, field,
					    "a key of '%s' has no public key file", id);
			if (key->valid_from >= key->valid_until)
				reg_err_add(err, REG_ECONFIG, path, key->line, field,
					    "a key of '%s' ends before it starts", id);
			/* Listed in order of their periods, so one verdict has one key. */
			if (a->n_keys - 1 > first &&
			    key->valid_from < a->keys[a->n_keys - 2].valid_until)
				reg_err_add(err, REG_ECONFIG, path, key->line, field,
					    "keys of '%s' overlap: list them in order, each starting "
					    "at or after the end of the one before", id);
		}
		if (a->n_keys == first)
			reg_err_add(err, REG_ECONFIG, path, reg_xml_line(d), field,
				    "department '%s' has no key", id);
		free(id);
	}
}

reg_authority *reg_authority_load(const char *path, reg_err **errp)
{
	reg_err *err = NULL;
	reg_authority *a = calloc(1, sizeof *a);
	if (!a || !(a->path = strdup(path))) {
		free(a);
		reg_err_set(errp, REG_EINTERNAL, path, 0, NULL, "out of memory");
		return NULL;
	}
	xmlDoc *doc = reg_xml_parse_file(path, &err);
	char *zone = NULL, *flag = NULL;
	if (!doc)
		goto out;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !root->ns || strcmp((const char *)root->ns->href, REG_NS_AUTHORITY) != 0 ||
	    strcmp((const char *)root->name, "authority") != 0) {
		reg_err_set(&err, REG_ECONFIG, path, reg_xml_line(root), NULL,
			    "not an authority file (root must be <authority xmlns=\"%s\">)",
			    REG_NS_AUTHORITY);
		goto out;
	}
	a->division = reg_xml_child_text(root, REG_NS_AUTHORITY, "division");
	a->name = reg_xml_child_text(root, REG_NS_AUTHORITY, "name");
	if (!six_digits(a->division))
		reg_err_add(&err, REG_ECONFIG, path, reg_xml_line(root), "/authority/division",
			    "must be a 6-digit GB/T 2260 code");
	if (!a->name || !*a->name)
		reg_err_add(&err, REG_ECONFIG, path, reg_xml_line(root), "/authority/name", "missing");
	xmlNode *area = reg_xml_child(root, REG_NS_AUTHORITY, "area");
	reg_xml_for_each_child(d, area, REG_NS_AUTHORITY, "division") {
		char *code = reg_xml_text(d);
		char **grown = realloc(a->area, (a->area_len + 1) * sizeof *grown);
		if (!grown) {
			free(code);
			break;
		}
		a->area = grown;
		a->area[a->area_len++] = code;
		if (!six_digits(code))
			reg_err_add(&err, REG_ECONFIG, path, reg_xml_line(d), "/authority/area/division",
				    "'%s' is not a 6-digit GB/T 2260 code", code);
	}
	if (a->area_len == 0 && a->division) {
		/* An authority without an explicit area registers its own division. */
		a->area = malloc(sizeof *a->area);
		if (a->area)
			a->area[a->area_len++] = strdup(a->division);
	}
	zone = reg_xml_child_text(root, REG_NS_AUTHORITY, "time-zone");
	a->offset_min = 8 * 60;
	if (zone && reg_offset_parse(zone, &a->offset_min, NULL) < 0)
		reg_err_add(&err, REG_ECONFIG, path, reg_xml_line(root), "/authority/time-zone",
			    "bad UTC offset '%s' (expected +HH:MM)", zone);
	xmlNode *key = reg_xml_child(root, REG_NS_AUTHORITY, "signing-key");
	if (key) {
		char *priv = reg_xml_attr(key, "private"), *pub = reg_xml_attr(key, "public");
		a->private_key = beside(path, priv);
		a->public_key = beside(path, pub);
		free(priv);
		free(pub);
	}
	flag = reg_xml_attr(root, "test-only");
	a->test_only = flag && strcmp(flag, "true") == 0;
	load_dept_keys(a, root, path, &err);
	/* Office calendar and supervising body: docs/calendar.md, docs/formats.md. */
	a->calendar = reg_calendar_parse(reg_xml_child(root, REG_NS_AUTHORITY, "calendar"),
					 a->offset_min, path, &err);
	xmlNode *supervisor = reg_xml_child(root, REG_NS_AUTHORITY, "supervisor");
	a->supervisor = reg_xml_text(supervisor);
	if (a->supervisor && !*a->supervisor)
		reg_err_add(&err, REG_ECONFIG, path, reg_xml_line(supervisor), "/authority/supervisor",
			    "empty: name the body that receives transfer letters, or leave it out");
out:
	free(zone);
	free(flag);
	xmlFreeDoc(doc);
	if (err) {
		/* Whatever went wrong reading it, a broken authority is a configuration problem. */
		reg_err_recode(err, REG_ECONFIG);
		reg_err_append(errp, &err);
		reg_authority_free(a);
		return NULL;
	}
	return a;
}

const char *reg_authority_division(const reg_authority *a) { return a->division; }
const char *reg_authority_name(const reg_authority *a) { return a->name; }
int reg_authority_offset(const reg_authority *a) { return a->offset_min; }
const char *reg_authority_private_key_path(const reg_authority *a) { return a->private_key; }
const char *reg_authority_public_key_path(const reg_authority *a) { return a->public_key; }
bool reg_authority_test_only(const reg_authority *a) { return a->test_only; }
const char *reg_authority_path(const reg_authority *a) { return a->path; }
size_t reg_authority_dept_key_count(const reg_authority *a) { return a->n_keys; }

const reg_dept_key *reg_authority_dept_key(const reg_authority *a, size_t i)
{
	return i < a->n_keys ? &a->keys[i] : NULL;
}
const reg_calendar *reg_authority_calendar(const reg_authority *a) { return a->calendar; }
const char *reg_authority_supervisor(const reg_authority *a) { return a->supervisor; }

size_t reg_authority_area_count(const reg_authority *a) { return a->area_len; }

const char *reg_authority_area(const reg_authority *a, size_t i)
{
	return i < a->area_len ? a->area[i] : NULL;
}

bool reg_authority_covers(const reg_authority *a, const char *division)
{
	for (size_t i = 0; division && i < a->area_len; i++)
		if (strcmp(a->area[i], division) == 0)
			return true;
	return false;
}
