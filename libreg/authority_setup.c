#include "authority_setup.h"

#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlstring.h>

#include "clock.h"
#include "files.h"
#include "ids.h"
#include "keyring.h"
#include "sign.h"
#include "worktime.h"
#include "xml.h"

#define BUREAU "市场监督管理局"
#define PRIVATE_MODE 0600
#define PUBLIC_MODE 0644
/* In the comment that stands for a department bringing its own key, until it is imported. */
#define EXTERNAL_NOTE "brings its own key"

static char *path_join(const char *dir, const char *name)
{
	char *out = NULL;
	return asprintf(&out, "%s/%s", dir, name) < 0 ? NULL : out;
}

/* The folder of a path ("." for a bare name); caller frees. */
static char *folder_of(const char *path)
{
	char *copy = strdup(path), *out = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	return out;
}

/* The division's name as a local bureau is named after it: without the province where a
 * prefecture stands between.  A string of the table (static), NULL for an unknown code. */
static const char *local_name(const char *division)
{
	const char *full = reg_division_name(division);
	if (!full)
		return NULL;
	char prov[7], pref[7];
	snprintf(prov, sizeof prov, "%.2s0000", division);
	snprintf(pref, sizeof pref, "%.4s00", division);
	const char *pname = reg_division_short_name(prov);
	if (strcmp(division, prov) != 0 && strcmp(pref, prov) != 0 && reg_division_known(pref) &&
	    pname && strncmp(full, pname, strlen(pname)) == 0 && full[strlen(pname)])
		return full + strlen(pname);
	return full;
}

char *reg_authority_default_name(const char *division)
{
	const char *local = local_name(division);
	char *name = NULL;
	return local && asprintf(&name, "%s%s", local, BUREAU) >= 0 ? name : NULL;
}

/* "+08:00": the form <time-zone> takes. */
static void format_zone(int offset, char buf[8])
{
	snprintf(buf, 8, "%c%02d:%02d", offset < 0 ? '-' : '+', abs(offset) / 60 % 100,
		 abs(offset) % 60);
}

/* A value for one line of the file: valid UTF-8, something visible, no control character. */
static bool one_line(const char *s)
{
	bool visible = false;
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		visible |= *p != ' ';
	}
	return visible && xmlCheckUTF8((const xmlChar *)s);
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* Make a key pair, write its private half to folder/name (0600, never replacing a file) and
 * give back the public half as PEM and its fingerprint. */
static int make_key(const char *folder, const char *name, char **pub, size_t *pub_len,
		    char fingerprint[65], reg_err **errp)
{
	char *priv = NULL;
	size_t priv_len = 0;
	int rc = -1;
	reg_sign_key *key = reg_sign_key_generate(errp);
	/* The private key is written last, so nothing fails once it exists. */
	if (key && reg_sign_key_pem(key, true, &priv, &priv_len, errp) == 0 &&
	    reg_sign_key_pem(key, false, pub, pub_len, errp) == 0 &&
	    reg_sign_key_fingerprint(key, fingerprint, errp) == 0 &&
	    reg_file_write_new(folder, name, priv, priv_len, PRIVATE_MODE, errp) == 0)
		rc = 0;
	reg_sign_pem_free(priv, priv_len);
	reg_sign_key_free(key);
	return rc;
}

int reg_authority_keygen(const char *private_path, char **pem, size_t *len, char fingerprint[65],
			 reg_err **errp)
{
	*pem = NULL;
	*len = 0;
	char *folder = folder_of(private_path), *copy = strdup(private_path);
	int rc = folder && copy ? make_key(folder, basename(copy), pem, len, fingerprint, errp)
				: reg_err_oom(errp);
	if (rc < 0) {
		reg_sign_pem_free(*pem, *len);
		*pem = NULL;
		*len = 0;
	}
	free(folder);
	free(copy);
	return rc;
}

/* ---- writing the document ------------------------------------------------------------------ */

/* A comment node; the text must not hold "--" (it would end the comment). */
static bool add_comment(xmlNode *parent, const char *fmt, ...) REG_PRINTF(2, 3);
static bool add_comment(xmlNode *parent, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	xmlNode *c = n >= 0 && !strstr(text, "--") ? xmlNewDocComment(parent->doc, BAD_CAST text)
						   : NULL;
	free(n >= 0 ? text : NULL);
	return c && xmlAddChild(parent, c);
}

/* The file's bytes: reg_xml_serialize writes the root element alone, so the comments around it
 * (the shipped file has one before it) are put back after the declaration line. */
static int serialize(xmlDoc *doc, char **out, size_t *len, reg_err **errp)
{
	char *body = NULL;
	size_t body_len = 0;
	if (reg_xml_serialize(doc, &body, &body_len, errp) < 0)
		return -1;
	const char *nl = strchr(body, '\n');
	size_t decl = nl ? (size_t)(nl - body) + 1 : 0;
	xmlNode *root = xmlDocGetRootElement(doc);
	FILE *fp = open_memstream(out, len);
	if (!fp) {
		free(body);
		return reg_err_oom(errp);
	}
	fwrite(body, 1, decl, fp);
	for (xmlNode *n = doc->children; n; n = n->next) {
		if (n == root)
			fwrite(body + decl, 1, body_len - decl, fp);
		else if (n->type == XML_COMMENT_NODE)
			fprintf(fp, "<!--%s-->\n", (const char *)n->content);
	}
	bool failed = ferror(fp) != 0;
	failed |= fclose(fp) != 0;
	free(body);
	if (failed) {
		free(*out);
		*out = NULL;
		return reg_err_oom(errp);
	}
	return 0;
}

static xmlNode *key_element(xmlNode *dept, const char *pub, const char *priv, const char *from)
{
	xmlNode *k = xmlNewChild(dept, dept->ns, BAD_CAST "key", NULL);
	bool ok = k && xmlNewProp(k, BAD_CAST "public", BAD_CAST pub) &&
		  (!priv || xmlNewProp(k, BAD_CAST "private", BAD_CAST priv)) &&
		  xmlNewProp(k, BAD_CAST "from", BAD_CAST from);
	return ok ? k : NULL;
}

static xmlNode *dept_element(xmlNode *depts, const char *id)
{
	xmlNode *d = xmlNewChild(depts, depts->ns, BAD_CAST "department", NULL);
	return d && xmlNewProp(d, BAD_CAST "id", BAD_CAST id) ? d : NULL;
}

/* ---- a new authority ----------------------------------------------------------------------- */

/* The files of a creation, in the order they are made; made counts those that exist now. */
typedef struct plan {
	char *dir, *depts_dir;
	bool made_dir, made_depts_dir;
	char **paths;
	size_t n, made;
} plan;

static int plan_add(plan *p, const char *folder, const char *name, reg_err **errp)
{
	char **grown = realloc(p->paths, (p->n + 1) * sizeof *grown);
	if (!grown)
		return reg_err_oom(errp);
	p->paths = grown;
	if (!(p->paths[p->n] = path_join(folder, name)))
		return reg_err_oom(errp);
	p->n++;
	return 0;
}

/* Undo what was made (ok false), then free. */
static void plan_free(plan *p, bool ok)
{
	for (size_t i = p->made; !ok && i-- > 0;)
		unlink(p->paths[i]);
	if (!ok && p->made_depts_dir)
		rmdir(p->depts_dir);
	if (!ok && p->made_dir)
		rmdir(p->dir);
	for (size_t i = 0; i < p->n; i++)
		free(p->paths[i]);
	free(p->paths);
	free(p->depts_dir);
}

static bool is_external(const reg_authority_spec *s, const char *id)
{
	for (size_t i = 0; i < s->n_external; i++)
		if (strcmp(s->external[i], id) == 0)
			return true;
	return false;
}

static int check_spec(const reg_authority_spec *s, int *offset, reg_err **errp)
{
	reg_err *err = NULL;
	if (!reg_division_known(s->division))
		reg_err_add(&err, REG_EUSAGE, NULL, 0, "division", "unknown division '%s'",
			    s->division ? s->division : "");
	for (size_t i = 0; i < s->n_area; i++)
		if (!reg_division_known(s->area[i]))
			reg_err_add(&err, REG_EUSAGE, NULL, 0, "area", "unknown division '%s'",
				    s->area[i]);
	if (s->name && !one_line(s->name))
		reg_err_add(&err, REG_EUSAGE, NULL, 0, "name", "the name must be one line of text");
	if (s->supervisor && !one_line(s->supervisor))
		reg_err_add(&err, REG_EUSAGE, NULL, 0, "supervisor",
			    "the supervisor must be one line of text");
	const char *zone = s->time_zone ? s->time_zone : "+08:00";
	if (reg_offset_parse(zone, offset, NULL) < 0)
		reg_err_add(&err, REG_EUSAGE, NULL, 0, "time-zone",
			    "bad UTC offset '%s' (expected +HH:MM)", zone);
	for (size_t i = 0; i < s->n_external; i++) {
		if (!reg_catalog_find_department(s->catalog, s->external[i]))
			reg_err_add(&err, REG_EUSAGE, NULL, 0, "external",
				    "department '%s' is not in the catalog", s->external[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->external[i], s->external[j]) == 0)
				reg_err_add(&err, REG_EUSAGE, NULL, 0, "external",
					    "department '%s' is given twice", s->external[i]);
	}
	if (!err)
		return 0;
	reg_err_append(errp, &err);
	return -1;
}

/* Every file of the new authority, none of which may exist yet. */
static int plan_files(plan *p, const reg_authority_spec *s, reg_err **errp)
{
	if (plan_add(p, p->dir, "authority.key", errp) < 0 ||
	    plan_add(p, p->dir, "authority.pub", errp) < 0)
		return -1;
	for (size_t i = 0; i < reg_catalog_department_count(s->catalog); i++) {
		const char *id = reg_department_id(reg_catalog_department(s->catalog, i));
		char key[REG_FILE_NAME_MAX], pub[REG_FILE_NAME_MAX];
		snprintf(key, sizeof key, "%s.key", id);
		snprintf(pub, sizeof pub, "%s.pub", id);
		if (!is_external(s, id) && (plan_add(p, p->depts_dir, key, errp) < 0 ||
					    plan_add(p, p->depts_dir, pub, errp) < 0))
			return -1;
	}
	if (plan_add(p, p->dir, "authority.xml", errp) < 0)
		return -1;
	/* The first file in the way is named, the others counted (a whole authority is 25). */
	size_t first = p->n, more = 0;
	int why = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct stat st;
		int found = lstat(p->paths[i], &st) == 0 ? 0 : errno; /* 0: it exists */
		if (found == ENOENT)
			continue;
		if (first == p->n) {
			first = i;
			why = found;
		} else {
			more++;
		}
	}
	if (first == p->n)
		return 0;
	char tail[64] = "";
	if (more)
		snprintf(tail, sizeof tail, ", and %zu more of its files", more);
	return reg_err_set(errp, REG_ECANTCREAT, p->paths[first], 0, NULL,
			   "cannot create: %s%s (a new authority never replaces a file)",
			   why ? strerror(why) : "it exists", tail);
}

static int make_dir(const char *path, bool *made, reg_err **errp)
{
	struct stat st;
	*made = lstat(path, &st) != 0;
	return reg_mkdir(path, errp);
}

/* Write the next planned file (a public key or the document), 0644. */
static int write_planned(plan *p, const char *data, size_t len, reg_err **errp)
{
	char *copy = strdup(p->paths[p->made]), *folder = folder_of(p->paths[p->made]);
	int rc = copy && folder ? reg_file_write_new(folder, basename(copy), data, len, PUBLIC_MODE,
						     errp)
				: reg_err_oom(errp);
	free(copy);
	free(folder);
	if (rc == 0)
		p->made++;
	return rc;
}

/* The key pair of the next two planned files: private, then public. */
static int write_pair(plan *p, reg_err **errp)
{
	char *pub = NULL, fingerprint[65], *copy = strdup(p->paths[p->made]);
	char *folder = folder_of(p->paths[p->made]);
	size_t pub_len = 0;
	int rc = copy && folder ? make_key(folder, basename(copy), &pub, &pub_len, fingerprint, errp)
				: reg_err_oom(errp);
	free(copy);
	free(folder);
	if (rc == 0) {
		p->made++;
		rc = write_planned(p, pub, pub_len, errp);
	}
	reg_sign_pem_free(pub, pub_len);
	return rc;
}

/* The comments of a new file, for the people who will edit it (none may hold "--"). */
static const char made_note[] =
	" %s, made by reg-authority new at %s (docs/authority.md). The private keys beside it "
	"(authority.key, departments/*.key) are mode 0600: keep them on this host, off any source "
	"checkout, and hand each department only its own. ";
static const char departments_note[] =
	" Each department's verdict keys. A key counts for verdicts given in [from, until); a "
	"rotated key stays listed with its until, so older verdicts still verify. private= is "
	"where this host keeps the private key; a department's own host lists only its own. ";
static const char external_note[] =
	" %s (%s) " EXTERNAL_NOTE ": it makes it on its own host with reg-authority keygen, and "
	"reg-authority import lists it here. ";
static const char supervisor_note[] =
	" <supervisor>…</supervisor>: name the body that receives the transfer letters (移交函) "
	"about a late department, the government this bureau answers to (for example "
	"%s人民政府). Until it is named, a transfer letter falling due stops reg-status "
	"(exit 78). ";

static xmlDoc *new_document(const reg_authority_spec *s, int offset, reg_err **errp)
{
	char from[REG_TIME_ISO_MAX], *name = s->name ? strdup(s->name)
						   : reg_authority_default_name(s->division);
	int year, month, day;
	reg_time_format(s->now, offset, from);
	reg_time_civil(s->now, offset, &year, &month, &day);
	int years[2] = {year, year + 1};
	char zone[8];
	format_zone(offset, zone);
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "authority", NULL) : NULL;
	xmlNs *ns = root ? xmlNewNs(root, BAD_CAST REG_NS_AUTHORITY, NULL) : NULL;
	bool ok = name && ns;
	if (ok) {
		xmlSetNs(root, ns);
		xmlDocSetRootElement(doc, root);
	}
	ok = ok && add_comment(root, made_note, name, from);
	ok = ok && xmlNewTextChild(root, ns, BAD_CAST "division", BAD_CAST s->division) &&
	     xmlNewTextChild(root, ns, BAD_CAST "name", BAD_CAST name);
	xmlNode *area = ok ? xmlNewChild(root, ns, BAD_CAST "area", NULL) : NULL;
	ok = ok && area;
	for (size_t i = 0; ok && i < (s->n_area ? s->n_area : 1); i++)
		ok = xmlNewTextChild(area, ns, BAD_CAST "division",
				     BAD_CAST (s->n_area ? s->area[i] : s->division)) != NULL;
	ok = ok && xmlNewTextChild(root, ns, BAD_CAST "time-zone", BAD_CAST zone);
	xmlNode *signing = ok ? xmlNewChild(root, ns, BAD_CAST "signing-key", NULL) : NULL;
	ok = ok && signing &&
	     xmlNewProp(signing, BAD_CAST "private", BAD_CAST "authority.key") &&
	     xmlNewProp(signing, BAD_CAST "public", BAD_CAST "authority.pub");
	xmlNode *depts = ok ? xmlNewChild(root, ns, BAD_CAST "departments", NULL) : NULL;
	ok = ok && depts &&
	     add_comment(depts, "%s", departments_note);
	for (size_t i = 0; ok && i < reg_catalog_department_count(s->catalog); i++) {
		const reg_department *dp = reg_catalog_department(s->catalog, i);
		const char *id = reg_department_id(dp);
		char pub[REG_FILE_NAME_MAX + 16], priv[REG_FILE_NAME_MAX + 16];
		snprintf(pub, sizeof pub, "departments/%s.pub", id);
		snprintf(priv, sizeof priv, "departments/%s.key", id);
		xmlNode *d = NULL;
		if (is_external(s, id))
			ok = add_comment(depts, external_note, id, reg_department_zh(dp));
		else
			ok = (d = dept_element(depts, id)) && key_element(d, pub, priv, from);
	}
	if (ok && s->supervisor)
		ok = xmlNewTextChild(root, ns, BAD_CAST "supervisor", BAD_CAST s->supervisor) != NULL;
	else if (ok)
		ok = add_comment(root, supervisor_note, local_name(s->division));
	free(name);
	if (ok && reg_calendar_skeleton(root, years, 2, errp))
		return doc;
	if (!ok)
		reg_err_oom(errp);
	xmlFreeDoc(doc);
	return NULL;
}

/* What the tools will do with it: load the file, every public key, every private key. */
static int check_loads(const char *path, int64_t now, reg_err **errp)
{
	reg_authority *a = reg_authority_load(path, errp);
	reg_keyring *kr = a ? reg_keyring_new(a, errp) : NULL;
	reg_sign_key *key = kr && reg_keyring_load_signers(kr, NULL, 0, now, errp) == 0
				    ? reg_sign_key_load_private(reg_authority_private_key_path(a),
								errp)
				    : NULL;
	int rc = key ? 0 : -1;
	reg_sign_key_free(key);
	reg_keyring_free(kr);
	reg_authority_free(a);
	return rc;
}

int reg_authority_create(const char *dir, const reg_authority_spec *s, reg_err **errp)
{
	int offset = 0;
	if (check_spec(s, &offset, errp) < 0)
		return -1;
	plan p = {.dir = (char *)dir, .depts_dir = path_join(dir, "departments")};
	xmlDoc *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;
	if (!p.depts_dir) {
		reg_err_oom(errp);
		goto out;
	}
	if (plan_files(&p, s, errp) < 0 || !(doc = new_document(s, offset, errp)) ||
	    serialize(doc, &text, &len, errp) < 0 || make_dir(dir, &p.made_dir, errp) < 0)
		goto out;
	if (p.n > 3 && make_dir(p.depts_dir, &p.made_depts_dir, errp) < 0)
		goto out;
	while (p.made + 1 < p.n)
		if (write_pair(&p, errp) < 0)
			goto out;
	if (write_planned(&p, text, len, errp) < 0)
		goto out;
	if (check_loads(p.paths[p.n - 1], s->now, errp) < 0) {
		reg_err_prefix(*errp, "the new authority does not load: ");
		goto out;
	}
	rc = 0;
out:
	plan_free(&p, rc == 0);
	xmlFreeDoc(doc);
	free(text);
	return rc;
}

/* ---- importing a department's key ---------------------------------------------------------- */

struct reg_authority_edit {
	char *path, *dir;
	int fd;                 /* the file as read; locked while it is replaced */
	mode_t mode;
	char digest[65];        /* of the bytes read */
	reg_authority *auth;
	xmlDoc *doc;
	char **copies;          /* public key copies made, removed unless committed */
	size_t n_copies;
	bool changed, committed;
};

/* The whole file from its start, under the document cap. */
static int read_fd(int fd, const char *path, char **buf, size_t *len, reg_err **errp)
{
	int copy = dup(fd);
	FILE *fp = copy >= 0 && lseek(copy, 0, SEEK_SET) == 0 ? fdopen(copy, "rb") : NULL;
	if (!fp) {
		if (copy >= 0)
			close(copy);
		return reg_err_set(errp, REG_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
	}
	int rc = reg_read_all(fp, path, REG_XML_MAX_DOCUMENT, buf, len, errp);
	fclose(fp);
	return rc;
}

reg_authority_edit *reg_authority_edit_open(const char *path, reg_err **errp)
{
	reg_authority_edit *e = calloc(1, sizeof *e);
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	if (!e)
		goto nomem;
	e->fd = -1;
	if (!(e->path = strdup(path)) || !(e->dir = folder_of(path)))
		goto nomem;
	if ((e->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		reg_err_set(errp, REG_ENOINPUT, path, 0, NULL, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (fstat(e->fd, &st) || !S_ISREG(st.st_mode)) {
		reg_err_set(errp, REG_ECONFIG, path, 0, NULL, "not a regular file");
		goto fail;
	}
	e->mode = st.st_mode & 07777;
	if (read_fd(e->fd, path, &buf, &len, errp) < 0 ||
	    reg_sha256_hex(buf, len, e->digest, errp) < 0 ||
	    !(e->doc = reg_xml_parse_memory(buf, len, path, errp)) ||
	    !(e->auth = reg_authority_load(path, errp)))
		goto fail;
	free(buf);
	return e;
nomem:
	reg_err_oom(errp);
fail:
	free(buf);
	reg_authority_edit_free(e);
	return NULL;
}

const reg_authority *reg_authority_edit_current(const reg_authority_edit *e)
{
	return e->auth;
}

/* A key's period bound as the file writes it (absent: open_value). */
static int64_t bound(xmlNode *key, const char *attr, int offset, int64_t open_value)
{
	char *text = reg_xml_attr(key, attr);
	int64_t t = open_value;
	if (text && reg_time_parse(text, offset, &t, NULL, NULL) < 0)
		t = open_value; /* the file loaded, so this does not happen */
	free(text);
	return t;
}

/* The <department id=…> of the document, or NULL. */
static xmlNode *find_dept(xmlNode *depts, const char *id)
{
	reg_xml_for_each_child(d, depts, REG_NS_AUTHORITY, "department") {
		char *did = reg_xml_attr(d, "id");
		bool same = did && strcmp(did, id) == 0;
		free(did);
		if (same)
			return d;
	}
	return NULL;
}

/* Refuse a key any department already lists (in the document, imports of this edit too), or
 * the authority's own. */
static int check_unlisted(reg_authority_edit *e, const reg_sign_key *pub, const char *path,
			  reg_err **errp)
{
	const char *own_path = reg_authority_public_key_path(e->auth);
	reg_sign_key *own = own_path ? reg_sign_key_load_public(own_path, NULL) : NULL;
	bool is_own = own && reg_sign_key_same_public(own, pub);
	reg_sign_key_free(own);
	if (is_own)
		return reg_err_set(errp, REG_ENO, path, 0, NULL,
				   "this is the authority's own signing key");
	xmlNode *depts = reg_xml_child(xmlDocGetRootElement(e->doc), REG_NS_AUTHORITY,
				       "departments");
	int rc = 0;
	reg_xml_for_each_child(d, depts, REG_NS_AUTHORITY, "department") {
		reg_xml_for_each_child(k, d, REG_NS_AUTHORITY, "key") {
			char *rel = reg_xml_attr(k, "public"), *id = reg_xml_attr(d, "id");
			char *file = rel && rel[0] != '/' ? path_join(e->dir, rel) : NULL;
			reg_sign_key *listed = NULL;
			if (!rel || !id || (rel[0] != '/' && !file))
				rc = reg_err_oom(errp); /* the file loaded: every key has a public file */
			else if (!(listed = reg_sign_key_load_public(file ? file : rel, errp)))
				rc = -1;
			else if (reg_sign_key_same_public(listed, pub))
				rc = reg_err_set(errp, REG_ENO, path, 0, NULL, "this key is "
						 "already listed for department '%s'", id);
			reg_sign_key_free(listed);
			free(rel);
			free(id);
			free(file);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* The private half this host keeps: it must pair, be readable by its owner only, and is
 * recorded relative to the authority's folder when it lies below it.  *recorded caller's. */
static int private_entry(reg_authority_edit *e, const char *path, const reg_sign_key *pub,
			 char **recorded, reg_err **errp)
{
	struct stat st;
	reg_sign_key *priv = reg_sign_key_load_private(path, errp);
	char *real = priv ? realpath(path, NULL) : NULL, *base = real ? realpath(e->dir, NULL) : NULL;
	int rc = -1;
	if (!priv)
		goto out;
	if (!real || !base || stat(real, &st)) {
		reg_err_set(errp, REG_ECONFIG, path, 0, NULL, "cannot resolve: %s", strerror(errno));
		goto out;
	}
	if (!reg_sign_key_same_public(priv, pub)) {
		reg_err_set(errp, REG_ENO, path, 0, NULL, "not the private half of the key imported");
		goto out;
	}
	if (st.st_mode & 077) {
		reg_err_set(errp, REG_ECONFIG, path, 0, NULL,
			    "a private key readable by others (mode %04o): make it 0600",
			    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	size_t n = strlen(base);
	bool below = strncmp(real, base, n) == 0 && real[n] == '/';
	rc = (*recorded = strdup(below ? real + n + 1 : real)) ? 0 : reg_err_oom(errp);
out:
	free(real);
	free(base);
	reg_sign_key_free(priv);
	return rc;
}

/* The period of the department's last key is closed at `from`; refusals as the header says. */
static int close_last(reg_authority_edit *e, xmlNode *dept, const reg_key_import *imp,
		      int64_t from, reg_err **errp)
{
	int offset = reg_authority_offset(e->auth);
	xmlNode *last = NULL;
	reg_xml_for_each_child(k, dept, REG_NS_AUTHORITY, "key")
		last = k;
	if (!last)
		return 0;
	int64_t lf = bound(last, "from", offset, INT64_MIN);
	int64_t lu = bound(last, "until", offset, INT64_MAX);
	char start[REG_TIME_ISO_MAX], at[REG_TIME_ISO_MAX];
	reg_time_format(from, offset, at);
	if (from <= lf) {
		reg_time_format(lf, offset, start);
		return reg_err_set(errp, REG_ENO, e->path, reg_xml_line(last), NULL,
				   "a new key of '%s' must start after its current key, which counts "
				   "from %s", imp->dept, start);
	}
	if (lu <= from)
		return 0; /* already closed before the new key starts */
	if (from < imp->now) {
		reg_time_format(imp->now, offset, start);
		return reg_err_set(errp, REG_ENO, e->path, reg_xml_line(last), NULL,
				   "a new key of '%s' from %s would cut short its current key before "
				   "now (%s): verdicts that key signed since would stop verifying",
				   imp->dept, at, start);
	}
	return xmlSetProp(last, BAD_CAST "until", BAD_CAST at) ? 0 : reg_err_oom(errp);
}

/* The <departments> element, made after <signing-key> when the file has none. */
static xmlNode *departments_of(xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *depts = reg_xml_child(root, REG_NS_AUTHORITY, "departments");
	if (depts)
		return depts;
	xmlNode *after = reg_xml_child(root, REG_NS_AUTHORITY, "signing-key");
	depts = xmlNewDocNode(doc, root->ns, BAD_CAST "departments", NULL);
	if (depts && !(after ? xmlAddNextSibling(after, depts) : xmlAddChild(root, depts))) {
		xmlFreeNode(depts);
		return NULL;
	}
	return depts;
}

/* A <department> for a department listed for the first time: where reg_authority_create left
 * the comment saying it brings its own key, which it replaces, else at the end. */
static xmlNode *new_dept(xmlNode *depts, const char *id)
{
	xmlNode *d = dept_element(depts, id);
	char *mark = NULL;
	if (!d || asprintf(&mark, " %s (", id) < 0)
		return d;
	for (xmlNode *c = depts->children; c; c = c->next)
		if (c->type == XML_COMMENT_NODE && c->content &&
		    strncmp((const char *)c->content, mark, strlen(mark)) == 0 &&
		    strstr((const char *)c->content, EXTERNAL_NOTE)) {
			xmlAddPrevSibling(c, d);
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			break;
		}
	free(mark);
	return d;
}

/* Copy the public key as PEM to departments/DEPT-FP12.pub; *rel gets the path the file lists. */
static int copy_public(reg_authority_edit *e, const reg_sign_key *pub, const char *dept,
		       const char fingerprint[65], char **rel, reg_err **errp)
{
	char name[REG_FILE_NAME_MAX], *pem = NULL;
	size_t len = 0;
	snprintf(name, sizeof name, "%s-%.12s.pub", dept, fingerprint);
	char *folder = path_join(e->dir, "departments"), *path = folder ? path_join(folder, name)
									 : NULL;
	char **grown = path ? realloc(e->copies, (e->n_copies + 1) * sizeof *grown) : NULL;
	int rc = -1;
	if (!grown) {
		reg_err_oom(errp);
		goto out;
	}
	e->copies = grown;
	if (reg_mkdir(folder, errp) < 0 || reg_sign_key_pem(pub, false, &pem, &len, errp) < 0 ||
	    reg_file_write_new(folder, name, pem, len, PUBLIC_MODE, errp) < 0)
		goto out;
	e->copies[e->n_copies++] = path;
	path = NULL;
	rc = asprintf(rel, "departments/%s", name) < 0 ? reg_err_oom(errp) : 0;
out:
	reg_sign_pem_free(pem, len);
	free(folder);
	free(path);
	return rc;
}

int reg_authority_edit_add_key(reg_authority_edit *e, const reg_key_import *imp,
			       char fingerprint[65], reg_err **errp)
{
	char fp[65], at[REG_TIME_ISO_MAX], *priv = NULL, *rel = NULL;
	int64_t from = 0;
	int offset = reg_authority_offset(e->auth), rc = -1;
	reg_sign_key *pub = NULL;
	xmlNode *depts, *dept;
	if (!reg_catalog_find_department(imp->catalog, imp->dept))
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "department '%s' is not in the catalog", imp->dept);
	if (reg_time_parse(imp->from, offset, &from, NULL, NULL) < 0)
		return reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL,
				   "key start '%s' is not an ISO 8601 time", imp->from);
	reg_time_format(from, offset, at);
	if (!(pub = reg_sign_key_load_public(imp->public_path, errp)) ||
	    reg_sign_key_fingerprint(pub, fp, errp) < 0 ||
	    check_unlisted(e, pub, imp->public_path, errp) < 0 ||
	    (imp->private_path && private_entry(e, imp->private_path, pub, &priv, errp) < 0))
		goto out;
	if (!(depts = departments_of(e->doc))) {
		reg_err_oom(errp);
		goto out;
	}
	if ((dept = find_dept(depts, imp->dept)) ? close_last(e, dept, imp, from, errp) < 0
						  : !(dept = new_dept(depts, imp->dept))) {
		if (!dept)
			reg_err_oom(errp);
		goto out;
	}
	if (copy_public(e, pub, imp->dept, fp, &rel, errp) < 0)
		goto out;
	if (!key_element(dept, rel, priv, at)) {
		reg_err_oom(errp);
		goto out;
	}
	e->changed = true;
	if (fingerprint)
		memcpy(fingerprint, fp, sizeof fp);
	rc = 0;
out:
	reg_sign_key_free(pub);
	free(priv);
	free(rel);
	return rc;
}

/* Whether the name still holds the file read, with the bytes read. */
static int unchanged(reg_authority_edit *e, reg_err **errp)
{
	struct stat now, held;
	char *buf = NULL, digest[65];
	size_t len = 0;
	if (stat(e->path, &now) || fstat(e->fd, &held) || now.st_dev != held.st_dev ||
	    now.st_ino != held.st_ino)
		goto changed;
	if (read_fd(e->fd, e->path, &buf, &len, errp) < 0 ||
	    reg_sha256_hex(buf, len, digest, errp) < 0) {
		free(buf);
		return -1;
	}
	free(buf);
	if (strcmp(digest, e->digest) == 0)
		return 0;
changed:
	return reg_err_set(errp, REG_EBUSY, e->path, 0, NULL,
			   "changed since it was read: nothing written, run again");
}

int reg_authority_edit_commit(reg_authority_edit *e, reg_err **errp)
{
	if (!e->changed)
		return 0;
	char *text = NULL, *copy = strdup(e->path);
	size_t len = 0;
	int rc = -1;
	reg_staged *st = NULL;
	if (!copy) {
		reg_err_oom(errp);
		goto out;
	}
	if (serialize(e->doc, &text, &len, errp) < 0 ||
	    !(st = reg_file_stage(e->dir, basename(copy), text, len, e->mode, errp)))
		goto out;
	reg_authority *next = reg_authority_load(reg_file_staged_path(st), errp);
	reg_keyring *kr = next ? reg_keyring_new(next, errp) : NULL;
	bool loads = kr != NULL;
	reg_keyring_free(kr);
	reg_authority_free(next);
	if (!loads) {
		reg_err_prefix(*errp, "the changed authority file would not load: ");
		goto out;
	}
	if (flock(e->fd, LOCK_EX) < 0) {
		reg_err_set(errp, REG_EIO, e->path, 0, NULL, "cannot lock: %s", strerror(errno));
		goto out;
	}
	if (unchanged(e, errp) < 0)
		goto out;
	rc = reg_file_publish(st, errp);
	st = NULL;
	e->committed = rc == 0;
out:
	reg_file_abandon(st);
	free(text);
	free(copy);
	e->changed = false;
	return rc;
}

void reg_authority_edit_free(reg_authority_edit *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_copies; i++) {
		if (!e->committed)
			unlink(e->copies[i]);
		free(e->copies[i]);
	}
	free(e->copies);
	if (e->fd >= 0)
		close(e->fd);
	xmlFreeDoc(e->doc);
	reg_authority_free(e->auth);
	free(e->path);
	free(e->dir);
	free(e);
}

/* ---- describing ---------------------------------------------------------------------------- */

/* One TSV line of n fields, control bytes as \xHH. */
static void put_line(FILE *out, size_t n, const char *const *fields)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc('\t', out);
		for (const char *s = fields[i]; s && *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\x%02X", c);
			else
				putc(c, out);
		}
	}
	putc('\n', out);
}

#define LINE(out, ...)                                                                       \
	put_line(out, sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *),          \
		 (const char *[]){__VA_ARGS__})

static int fingerprint_of(const char *pub_path, char fp[65], reg_err **errp)
{
	fp[0] = '\0';
	if (!pub_path)
		return 0;
	reg_sign_key *key = reg_sign_key_load_public(pub_path, errp);
	int rc = key ? reg_sign_key_fingerprint(key, fp, errp) : -1;
	reg_sign_key_free(key);
	return rc;
}

static int describe_keys(const reg_authority *a, const char *dept, FILE *out, reg_err **errp)
{
	int offset = reg_authority_offset(a);
	for (size_t i = 0; i < reg_authority_dept_key_count(a); i++) {
		const reg_dept_key *k = reg_authority_dept_key(a, i);
		char from[REG_TIME_ISO_MAX] = "", until[REG_TIME_ISO_MAX] = "", fp[65];
		if (dept && strcmp(dept, k->dept) != 0)
			continue;
		if (fingerprint_of(k->public_path, fp, errp) < 0)
			return -1;
		if (k->valid_from != INT64_MIN)
			reg_time_format(k->valid_from, offset, from);
		if (k->valid_until != INT64_MAX)
			reg_time_format(k->valid_until, offset, until);
		LINE(out, "key", k->dept, from, until, fp, k->public_path, k->private_path);
	}
	return 0;
}

int reg_authority_describe(const reg_authority *a, int64_t now, const char *dept, FILE *out,
			   reg_err **errp)
{
	int offset = reg_authority_offset(a), year, month, day;
	const reg_calendar *cal = reg_authority_calendar(a);
	char zone[8], number[8], fp[65];
	if (dept)
		goto keys;
	format_zone(offset, zone);
	LINE(out, "file", reg_authority_path(a));
	LINE(out, "division", reg_authority_division(a),
	     reg_division_name(reg_authority_division(a)));
	LINE(out, "name", reg_authority_name(a));
	for (size_t i = 0; i < reg_authority_area_count(a); i++) {
		const char *code = reg_authority_area(a, i);
		LINE(out, "area", code, reg_division_name(code));
	}
	LINE(out, "time-zone", zone);
	LINE(out, "test-only", reg_authority_test_only(a) ? "true" : "false");
	LINE(out, "supervisor", reg_authority_supervisor(a));
	reg_time_civil(now, offset, &year, &month, &day);
	for (int y = 1; y <= 9999; y++) {
		bool filled = reg_calendar_has_year(cal, y);
		snprintf(number, sizeof number, "%d", y);
		if (filled || y == year || y == year + 1)
			LINE(out, "calendar", number, filled ? "filled" : "empty");
	}
	if (fingerprint_of(reg_authority_public_key_path(a), fp, errp) < 0)
		return -1;
	LINE(out, "signing-key", fp, reg_authority_public_key_path(a),
	     reg_authority_private_key_path(a));
keys:
	if (describe_keys(a, dept, out, errp) < 0)
		return -1;
	if (ferror(out))
		return reg_err_set(errp, REG_EIO, "-", 0, NULL, "write failed: %s", strerror(errno));
	return 0;
}

/* ---- reg-authority's modes ------------------------------------------------------------------ */

/* The facts of the authority file at `path` (dept: only that department's keys). */
static int show_file(const char *path, int64_t now, const char *dept, reg_err **errp)
{
	reg_authority *a = reg_authority_load(path, errp);
	int rc = a ? reg_authority_describe(a, now, dept, stdout, errp) : -1;
	reg_authority_free(a);
	return rc;
}

static int cmd_new(reg_authority_command *r, reg_err **errp)
{
	char *path = NULL;
	int rc = reg_authority_create(r->args[0], &r->spec, errp) < 0 ||
			 asprintf(&path, "%s/authority.xml", r->args[0]) < 0
		 ? -1 : show_file(path, r->spec.now, NULL, errp);
	if (rc == 0 && !r->spec.supervisor)
		fprintf(stderr, _("%s: note: %s names no <supervisor> yet: fill it in, and each <year> "
			"of its calendar, before the first transfer letter falls due\n"), r->prog, path);
	free(path);
	return rc;
}

static int cmd_keygen(reg_authority_command *r, reg_err **errp)
{
	char *pem = NULL, fp[65];
	size_t len = 0;
	if (reg_authority_keygen(r->output, &pem, &len, fp, errp) < 0)
		return -1;
	fwrite(pem, 1, len, stdout);
	reg_sign_pem_free(pem, len);
	fprintf(stderr, _("%s: %s: private key in %s (mode 0600: it stays on this host); public key "
		"fingerprint %s\n"), r->prog, r->imp.dept, r->output, fp);
	return 0;
}

static int cmd_import(reg_authority_command *r, reg_err **errp)
{
	const char *path = reg_config_authority_path(r->cfg);
	reg_authority_edit *e = reg_authority_edit_open(path, errp);
	int rc = e && reg_authority_edit_add_key(e, &r->imp, NULL, errp) == 0 &&
			 reg_authority_edit_commit(e, errp) == 0
		 ? show_file(path, r->imp.now, r->imp.dept, errp) : -1;
	reg_authority_edit_free(e);
	return rc;
}

static int cmd_show(reg_authority_command *r, reg_err **errp)
{
	const reg_authority *a = reg_config_authority(r->cfg, errp);
	return a ? reg_authority_describe(a, r->imp.now, NULL, stdout, errp) : -1;
}

int reg_authority_command_run(reg_authority_command *r, reg_err **errp)
{
	int mode = r->mode;
	reg_catalog *cat = NULL;
	int rc = -1;
	reg_xml_init(reg_config_schema_dir(r->cfg));
	if (reg_config_now(r->cfg, &r->imp.now, errp) < 0 ||
	    (mode != REG_AUTHORITY_SHOW && !(cat = reg_catalog_load(reg_config_catalog_path(r->cfg),
						      reg_config_schema_dir(r->cfg), errp))))
		goto out;
	r->spec.now = r->imp.now;
	r->spec.catalog = r->imp.catalog = cat;
	r->imp.public_path = r->n_args ? r->args[0] : NULL;
	if (mode == REG_AUTHORITY_KEYGEN && !reg_catalog_find_department(cat, r->imp.dept))
		rc = reg_err_set(errp, REG_EUSAGE, NULL, 0, NULL, "department '%s' is not in the "
				 "catalog", r->imp.dept);
	else
		rc = mode == REG_AUTHORITY_NEW ? cmd_new(r, errp) : mode == REG_AUTHORITY_KEYGEN ? cmd_keygen(r, errp)
		   : mode == REG_AUTHORITY_IMPORT ? cmd_import(r, errp) : cmd_show(r, errp);
out:
	reg_catalog_free(cat);
	return rc;
}

const char *reg_authority_command_problem(const reg_authority_command *r)
{
	int mode = r->mode;
	if (!mode)
		return _("say what to do: new, keygen, import or show");
	if (mode == REG_AUTHORITY_NEW && (!r->spec.division || r->n_args != 1))
		return _("new wants --division CODE and one DIR");
	if (mode == REG_AUTHORITY_KEYGEN && (!r->imp.dept || !r->output || r->n_args))
		return _("keygen wants --dept DEPT and -o FILE.key");
	if (mode == REG_AUTHORITY_IMPORT && (!r->imp.dept || !r->imp.from || r->n_args != 1))
		return _("import wants --dept DEPT, --from TIME and one PUBKEY");
	if (mode == REG_AUTHORITY_SHOW && r->n_args)
		return _("show takes no argument (--authority FILE says which)");
	return NULL;
}
