#include "xml.h"
#include "files.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlIO.h>
#include <openssl/evp.h>

/*
 * What every parse allows.  Deliberately absent: NOENT (substitutes and *loads* entities),
 * DTDLOAD, DTDVALID, DTDATTR, RECOVER, HUGE (lifts the limits that stop billion laughs).
 * NONET is belt and braces: the restricted loader below refuses the network anyway.
 */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA)

/* How much of a stream is handed to the push parser at a time: a small multiple of a page,
 * so the dossiers finished by one chunk (queued until asked for) stay few. */
#define STREAM_CHUNK 16384
#define MEMORY_CHUNK 65536

/* libxml2 keeps an element's line in an unsigned short; beyond it we keep the real line in the
 * node's psvi slot (libxml2 itself does this for text nodes with XML_PARSE_BIG_LINES; nothing
 * in libxml2 2.9 uses an element's psvi). */
#define LINE_CAP 65535


/*
 * The one piece of process state: the real path of the schema directory, written once by
 * reg_xml_init() from main before any thread starts and only read afterwards.
 */
static char schema_root[PATH_MAX];
static bool initialized;

/* ---------------------------------------------------------------------------------------- */
/* messages */

static bool xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* libxml2's message made to read like ours: one line, trimmed, first letter lower case, no full
 * stop; with `strip_ns`, "{urn:…}name" becomes "name" (the field already says where). */
static char *tidy_message(const char *msg, bool strip_ns)
{
	if (!msg)
		msg = "unknown error";
	static const char huge[] = "use XML_PARSE_HUGE option"; /* not an option for us */
	size_t n = strlen(msg);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = msg[i];
		if (strncmp(msg + i, huge, sizeof huge - 1) == 0) {
			i += sizeof huge - 2;
			continue;
		}
		/* "{urn:regkit:dossier:1}capital" loses its namespace URI; a pattern's
		 * quantifier such as "{1,6}" (no letter first, no colon) stays. */
		if (strip_ns && c == '{' && i + 1 < n && isalpha((unsigned char)msg[i + 1])) {
			size_t k = i + 1;
			bool colon = false;
			while (k < n && msg[k] != '}' && msg[k] != '{' && !xml_space(msg[k]) &&
			       msg[k] != '\'')
				colon |= msg[k++] == ':';
			if (k < n && msg[k] == '}' && colon) {
				i = k;
				continue;
			}
		}
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == ' ' && (j == 0 || out[j - 1] == ' '))
			continue;
		out[j++] = c;
	}
	while (j > 0 && (out[j - 1] == ' ' || out[j - 1] == '.'))
		j--;
	out[j] = '\0';
	if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
		out[0] = (char)(out[0] - 'A' + 'a');
	return out;
}

/* Silences libxml2's global channels: every regkit use has its own per-context handler, and an
 * error raised without a context (a few encoding and tree errors) is always followed by one the
 * context does see. */
static void silent_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* ---------------------------------------------------------------------------------------- */
/* init and the restricted entity loader */

/* A file: URI (percent-escapes decoded) or a plain path as a local path; NULL for any other
 * scheme or another host. */
static char *local_path(const char *url)
{
	const char *p = url;
	size_t i = 0;
	if ((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')) {
		while ((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= 'A' && url[i] <= 'Z') ||
		       (url[i] >= '0' && url[i] <= '9') || url[i] == '+' || url[i] == '-' ||
		       url[i] == '.')
			i++;
		if (url[i] == ':') {
			if (i != 4 || strncasecmp(url, "file", 4) != 0)
				return NULL;
			p = url + 5;
			if (strncmp(p, "//", 2) == 0) {
				p += 2;
				if (strncmp(p, "localhost/", 10) == 0)
					p += 9;
				else if (*p != '/')
					return NULL; /* file://host/… is another machine */
			}
			return xmlURIUnescapeString(p, 0, NULL);
		}
	}
	return strdup(p);
}

/* The real path of `path` when it is a file below the schema directory, else NULL. */
static char *inside_schema_root(const char *path)
{
	if (!schema_root[0] || !path)
		return NULL;
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	size_t n = strlen(schema_root);
	bool inside = strncmp(real, schema_root, n) == 0 &&
		      (real[n] == '/' || (n == 1 && schema_root[0] == '/'));
	if (!inside) {
		free(real);
		return NULL;
	}
	return real;
}

/*
 * Only XSD includes and imports of regkit's own schemas reach here (documents never load
 * anything: no DTD, no entities, no XInclude processing).  A file whose real path is below the
 * schema directory is read under our cap and handed over from memory; everything else —
 * other directories, symbolic links out, the network — is refused.
 */
static xmlParserInputPtr restricted_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)id;
	if (!url)
		return NULL;
	char *path = local_path(url);
	char *real = inside_schema_root(path);
	if (!real && path && strchr(path, '%')) {
		char *unescaped = xmlURIUnescapeString(path, 0, NULL);
		real = inside_schema_root(unescaped);
		free(unescaped);
	}
	free(path);
	if (!real)
		return NULL;

	xmlParserInputPtr in = NULL;
	char *data = NULL;
	size_t len = 0;
	reg_err *err = NULL;
	FILE *fp = fopen(real, "rb");
	if (!fp || reg_read_all(fp, real, REG_XML_MAX_DOCUMENT, &data, &len, &err) < 0)
		goto out;
	xmlParserInputBufferPtr buf =
		xmlParserInputBufferCreateMem(data, (int)len, XML_CHAR_ENCODING_NONE);
	if (!buf)
		goto out;
	in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
	if (!in) {
		xmlFreeParserInputBuffer(buf);
		goto out;
	}
	/* The base for the schema's own relative includes. */
	in->filename = (const char *)xmlStrdup((const xmlChar *)real);
out:
	if (fp)
		fclose(fp);
	free(data);
	free(real);
	reg_err_free(err);
	return in;
}

void reg_xml_init(const char *schema_dir)
{
	xmlInitParser();
	schema_root[0] = '\0';
	if (schema_dir) {
		char *real = realpath(schema_dir, NULL);
		if (real && strlen(real) < sizeof schema_root)
			strcpy(schema_root, real);
		free(real);
	}
	xmlSetExternalEntityLoader(restricted_loader);
	xmlSetStructuredErrorFunc(NULL, silent_structured);
	xmlThrDefSetStructuredErrorFunc(NULL, silent_structured);
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlThrDefSetGenericErrorFunc(NULL, silent_generic);
	initialized = true;
}

void reg_xml_cleanup(void)
{
	xmlCleanupParser();
}

/* ---------------------------------------------------------------------------------------- */
/* reading */

int reg_read_all(FILE *fp, const char *name, size_t cap, char **out, size_t *len, reg_err **errp)
{
	*out = NULL;
	*len = 0;
	if (cap > SIZE_MAX - 2)
		cap = SIZE_MAX - 2;
	char *buf = NULL;
	size_t size = 0, alloc = 0;
	for (;;) {
		if (alloc - size < 2) {
			size_t grow = alloc ? alloc * 2 : 65536;
			if (grow > cap + 2)
				grow = cap + 2;
			char *nbuf = realloc(buf, grow);
			if (!nbuf) {
				free(buf);
				return reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
			}
			buf = nbuf;
			alloc = grow;
		}
		/* Never more than cap + 1 bytes in all: one past the cap proves it is too big. */
		size_t want = alloc - size - 1;
		if (want > cap + 1 - size)
			want = cap + 1 - size;
		size_t n = fread(buf + size, 1, want, fp);
		size += n;
		if (size > cap) {
			free(buf);
			return reg_err_set(errp, REG_EDATA, name, 0, NULL, "input larger than %zu bytes",
					   cap);
		}
		if (n < want) {
			if (ferror(fp)) {
				int e = errno;
				free(buf);
				return reg_err_set(errp, REG_EIO, name, 0, NULL, "read error: %s",
						   strerror(e ? e : EIO));
			}
			break;
		}
	}
	buf[size] = '\0';
	*out = buf;
	*len = size;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* the parse: libxml2's tree builder wrapped in our checks */

enum root_kind { ROOT_NONE, ROOT_DOSSIER, ROOT_BATCH };

typedef struct queued {
	xmlDoc *doc;
	long line;
	struct queued *next;
} queued;

/* Per parse, reached from the parser context's _private. */
typedef struct pstate {
	const char *name; /* what errors call the input */
	reg_err *err;     /* the first problem; once set, the parse has failed */
	int depth;        /* elements open */
	int ns_in_scope;  /* namespace declarations on the open elements */
	int ns_at[REG_XML_MAX_DEPTH + 1]; /* declared by the open element at each depth */
	bool root_closed; /* the root element ended: only comments, PIs and blanks may follow */
	char root_name[24];
	/* streams only */
	bool stream;
	enum root_kind root;
	bool in_dossier;
	long dossier_line;
	unsigned long elements; /* in the dossier being read */
	unsigned long long fed; /* bytes handed to the parser */
	unsigned long long mark; /* fed at the last dossier boundary */
	queued *head, *tail;
} pstate;

static long ctxt_line(xmlParserCtxt *ctxt)
{
	return ctxt && ctxt->input ? (long)ctxt->input->line : 0;
}

static bool all_blank(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!xml_space(p[i]))
			return false;
	return true;
}

/* What stands where the parser met the end of the document but the input went on, after the
 * root element closed: "a second root element <x>" or "text 'junk'", at most 16 characters of
 * it, a control character as '?' (docs/decisions.md, "Streams").  The parser's buffer is UTF-8
 * by then, whatever the input's encoding. */
static void describe_after_root(const xmlParserCtxt *ctxt, char *out, size_t size)
{
	enum { CHARS = 16 };
	const xmlChar *p = ctxt->input ? ctxt->input->cur : NULL;
	const xmlChar *end = ctxt->input ? ctxt->input->end : NULL;
	char what[CHARS * 4 + 1];
	size_t o = 0;
	bool element = p && end - p >= 2 && p[0] == '<' &&
		       (isalpha(p[1]) || p[1] == '_' || p[1] == ':' || p[1] >= 0x80);
	if (element)
		p++;
	for (int chars = 0; p && p < end && chars < CHARS; chars++) {
		unsigned char c = *p;
		bool stop = element ? !(isalnum(c) || (c && strchr("_:.-", c)) || c >= 0x80)
				    : c == '<' || xml_space(c) || c == 0;
		size_t len = reg_utf8_lead_len(c);
		if (stop || (size_t)(end - p) < len)
			break;
		if (c < 0x20 || c == 0x7F)
			what[o++] = '?';
		else
			memcpy(what + o, p, len), o += len;
		p += len;
	}
	what[o] = '\0';
	snprintf(out, size, element ? "a second root element <%s>" : "text '%s'", what);
}

/*
 * libxml2 2.9 checks the attributes of a start tag for duplicates in quadratic time, before any
 * callback of ours could step in: 40 000 attributes in 400 kB take seconds, an 8 MB dossier of
 * them half an hour.  So the bytes are scanned first, linearly, and a start tag with more than
 * REG_XML_MAX_ATTRIBUTES attributes (namespace declarations included) is refused before libxml2
 * sees it.  The scan only has to find start tags: it steps over comments, CDATA sections,
 * processing instructions, declarations and quoted values; its state carries across chunks.
 */
enum scan_state { S_TEXT, S_LT, S_TAG, S_QUOTE, S_BANG, S_BANG_DASH, S_COMMENT, S_CDATA, S_PI,
		  S_DECL };

typedef struct tagscan {
	enum scan_state state;
	char quote;
	int run;     /* '-' (comment), ']' (CDATA) or '?' (PI) just seen */
	int count;   /* attributes of the current start tag */
	long line;   /* current line, 1-based */
	long tag_line;
	unsigned long long pos, tag_pos; /* offsets in the whole input */
} tagscan;

/* The offset in `p` where the input became unacceptable, or n when all of it is fine. */
static size_t scan_tags(tagscan *t, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++, t->pos++) {
		unsigned char c = p[i];
		if (c == '\n')
			t->line++;
		switch (t->state) {
		case S_TEXT:
			if (c == '<') {
				t->state = S_LT;
				t->tag_pos = t->pos;
				t->tag_line = t->line;
			}
			break;
		case S_LT:
			t->run = 0;
			if (c == '!') {
				t->state = S_BANG;
			} else if (c == '?') {
				t->state = S_PI;
			} else {
				t->state = S_TAG;
				t->count = 0;
				if (c == '>')
					t->state = S_TEXT;
			}
			break;
		case S_BANG:
			t->state = c == '-' ? S_BANG_DASH : c == '[' ? S_CDATA : S_DECL;
			break;
		case S_BANG_DASH:
			t->state = c == '-' ? S_COMMENT : S_DECL;
			break;
		case S_COMMENT:
		case S_CDATA:
			if (c == (t->state == S_COMMENT ? '-' : ']')) {
				t->run++;
			} else {
				if (c == '>' && t->run >= 2)
					t->state = S_TEXT;
				t->run = 0;
			}
			break;
		case S_PI:
			if (c == '>' && t->run)
				t->state = S_TEXT;
			t->run = c == '?';
			break;
		case S_DECL:
			if (c == '>')
				t->state = S_TEXT;
			break;
		case S_TAG:
			if (c == '"' || c == '\'') {
				t->quote = (char)c;
				t->state = S_QUOTE;
			} else if (c == '=') {
				if (++t->count > REG_XML_MAX_ATTRIBUTES)
					return i;
			} else if (c == '>') {
				t->state = S_TEXT;
			}
			break;
		case S_QUOTE:
			if (c == (unsigned char)t->quote)
				t->state = S_TAG;
			break;
		}
	}
	return n;
}

static int too_many_attributes(const tagscan *t, const char *name, reg_err **errp)
{
	return reg_err_set(errp, REG_EDATA, name, t->tag_line, NULL,
			   "element with more than %d attributes", REG_XML_MAX_ATTRIBUTES);
}

/* Records the parse's first problem and stops the parser.  Only for SAX callbacks, where
 * libxml2 checks for a stop on return (never from the error handler itself). */
static void refuse(xmlParserCtxt *ctxt, reg_code code, const char *fmt, ...) REG_PRINTF(3, 4);
static void refuse(xmlParserCtxt *ctxt, reg_code code, const char *fmt, ...)
{
	pstate *st = ctxt->_private;
	if (!st->err) {
		va_list ap;
		va_start(ap, fmt);
		reg_err_setv(&st->err, code, st->name, ctxt_line(ctxt), NULL, fmt, ap);
		va_end(ap);
	}
	xmlStopParser(ctxt);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxt *ctxt = ctx;
	pstate *st = ctxt ? ctxt->_private : NULL;
	if (!st || !e || e->level < XML_ERR_ERROR || st->err)
		return;
	long line = e->line > 0 ? e->line : ctxt_line(ctxt);
	/* libxml2's own limits (kept: no XML_PARSE_HUGE) are the input's fault, not ours. */
	if (e->message && strstr(e->message, "huge text node")) {
		reg_err_set(&st->err, REG_EDATA, st->name, line, NULL, "text larger than %d bytes",
			    XML_MAX_TEXT_LENGTH);
		return;
	}
	if (e->message && strstr(e->message, "Huge input lookup")) {
		reg_err_set(&st->err, REG_EDATA, st->name, line, NULL,
			    "markup or value larger than %d bytes", XML_MAX_LOOKUP_LIMIT);
		return;
	}
	if (e->code == XML_ERR_NO_MEMORY) {
		reg_err_set(&st->err, REG_EINTERNAL, st->name, line, NULL, "out of memory");
		return;
	}
	if (e->code == XML_ERR_DOCUMENT_END && st->depth == 0 && st->root_closed) {
		/* The push parser's word for anything but a comment or PI after the root. */
		char what[96];
		bool ours = strcmp(st->root_name, "dossier") == 0 || strcmp(st->root_name, "batch") == 0;
		describe_after_root(ctxt, what, sizeof what);
		reg_err_set(&st->err, REG_EDATA, st->name, ctxt_line(ctxt), NULL,
			    "%s after the %s%s%s (column %d)", what, ours ? "" : "root element <",
			    st->root_name, ours ? "" : ">", ctxt->input ? ctxt->input->col : 0);
		return;
	}
	if (e->code == XML_ERR_DOCUMENT_END && st->depth == 0) {
		/* ... and for an input that ended before any root element. */
		reg_err_set(&st->err, REG_EDATA, st->name, line, NULL,
			    "not well-formed: no root element");
		return;
	}
	if (e->code == XML_ERR_DOCUMENT_END && st->depth > 0 && ctxt->name) {
		/* The push parser's word for a stream that ends inside an element. */
		reg_err_set(&st->err, REG_EDATA, st->name, line, NULL,
			    "not well-formed: premature end of data in tag %s",
			    (const char *)ctxt->name);
		return;
	}
	char *msg = tidy_message(e->message, false);
	reg_err_set(&st->err, REG_EDATA, st->name, line, NULL, "not well-formed: %s",
		    msg ? msg : "unknown error");
	free(msg);
}

static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	refuse(ctx, REG_EDATA, "document type declarations are not allowed");
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	refuse(ctx, REG_EDATA, "document type declarations are not allowed");
}

static xmlParserInputPtr on_resolve_entity(void *ctx, const xmlChar *public_id,
					   const xmlChar *system_id)
{
	(void)public_id;
	(void)system_id;
	refuse(ctx, REG_EDATA, "external entities are not allowed");
	return NULL;
}

static bool is_dossier_ns(const xmlChar *uri)
{
	return uri && strcmp((const char *)uri, REG_NS_DOSSIER) == 0;
}

/* Where a dossier element stands: the root, or a child of the <batch> root. */
static int dossier_depth(const pstate *st)
{
	return st->root == ROOT_BATCH ? 1 : 0;
}

/* The shape of a stream, checked at each start tag before the tree grows. */
static int stream_check_start(xmlParserCtxt *ctxt, pstate *st, const xmlChar *localname,
			      const xmlChar *uri)
{
	const char *local = (const char *)localname;
	if (st->depth == 0) {
		if (is_dossier_ns(uri) && strcmp(local, "dossier") == 0) {
			st->root = ROOT_DOSSIER;
		} else if (is_dossier_ns(uri) && strcmp(local, "batch") == 0) {
			st->root = ROOT_BATCH;
			return 0;
		} else {
			refuse(ctxt, REG_EDATA,
			       "root element <%s> is neither <dossier> nor <batch> in namespace %s",
			       local, REG_NS_DOSSIER);
			return -1;
		}
	} else if (st->root == ROOT_BATCH && st->depth == 1) {
		if (!is_dossier_ns(uri) || strcmp(local, "dossier") != 0) {
			refuse(ctxt, REG_EDATA, "a batch holds only <dossier> elements, not <%s>",
			       local);
			return -1;
		}
	} else {
		return 0;
	}
	st->in_dossier = true;
	st->dossier_line = ctxt_line(ctxt);
	st->mark = st->fed;
	st->elements = 0;
	return 0;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
		     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
		     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt *ctxt = ctx;
	pstate *st = ctxt->_private;
	if (st->depth >= REG_XML_MAX_DEPTH) {
		refuse(ctxt, REG_EDATA, "not well-formed: elements nested deeper than %d",
		       REG_XML_MAX_DEPTH);
		return;
	}
	/* libxml2 looks every prefix up linearly through all declarations in scope: refused here,
	 * at the element that declares one too many, before any costly descendant is parsed. */
	if (st->ns_in_scope + nb_namespaces > REG_XML_MAX_NAMESPACES) {
		refuse(ctxt, REG_EDATA, "more than %d namespace declarations in scope",
		       REG_XML_MAX_NAMESPACES);
		return;
	}
	if (st->stream && stream_check_start(ctxt, st, localname, uri) < 0)
		return;
	if (st->stream && st->in_dossier && ++st->elements > REG_XML_MAX_DOSSIER_ELEMENTS) {
		refuse(ctxt, REG_EDATA, "dossier with more than %d elements",
		       REG_XML_MAX_DOSSIER_ELEMENTS);
		return;
	}
	long line = ctxt_line(ctxt);
	xmlNode *parent = ctxt->node;
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
			      nb_attributes, nb_defaulted, attributes);
	st->depth++;
	st->ns_at[st->depth] = nb_namespaces;
	st->ns_in_scope += nb_namespaces;
	xmlNode *node = ctxt->node;
	if (node && node != parent && node->type == XML_ELEMENT_NODE && line >= LINE_CAP)
		node->psvi = (void *)(intptr_t)line;
}

/* Whether a text node is whitespace only (CDATA is text already: XML_PARSE_NOCDATA). */
static bool blank_text(const xmlNode *n)
{
	if (n->type != XML_TEXT_NODE)
		return false;
	for (const xmlChar *p = n->content; p && *p; p++)
		if (!xml_space(*p))
			return false;
	return true;
}

/* Drops whitespace-only text in every element that has element children: indentation is
 * formatting, never content (docs/formats.md). */
static void strip_blanks(xmlNode *node)
{
	bool has_elements = false;
	for (xmlNode *c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			has_elements = true;
			break;
		}
	xmlNode *next;
	for (xmlNode *c = node->children; c; c = next) {
		next = c->next;
		if (has_elements && blank_text(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			strip_blanks(c);
		}
	}
}

/* xmlDocCopyNode keeps lines only up to 65535; carry the real ones over. */
static void copy_lines(const xmlNode *from, xmlNode *to)
{
	to->line = from->line;
	if ((from->type == XML_ELEMENT_NODE || from->type == XML_TEXT_NODE) &&
	    from->line == LINE_CAP)
		to->psvi = from->psvi;
	const xmlNode *f = from->children;
	xmlNode *t = to->children;
	if (from->type != XML_ELEMENT_NODE)
		return;
	for (; f && t; f = f->next, t = t->next)
		copy_lines(f, t);
}

/* A finished dossier becomes a document of its own and leaves the stream's tree, so memory
 * stays flat.  xmlDocCopyNode declares on the copy's root every namespace the subtree uses but
 * an ancestor (the <batch>) declared, with the same prefix; declarations nobody uses are not
 * carried over, so a dossier read from a batch and written again is byte-identical. */
static void stream_take(xmlParserCtxt *ctxt, pstate *st, xmlNode *node)
{
	st->in_dossier = false;
	st->mark = st->fed;
	xmlDoc *doc = NULL;
	queued *q = NULL;
	if (st->err)
		goto out; /* a problem came before the end: nothing more comes out */
	doc = xmlNewDoc(BAD_CAST "1.0");
	q = calloc(1, sizeof *q);
	xmlNode *copy = doc && q ? xmlDocCopyNode(node, doc, 1) : NULL;
	if (!copy) {
		refuse(ctxt, REG_EINTERNAL, "out of memory");
		goto out;
	}
	xmlDocSetRootElement(doc, copy);
	copy_lines(node, copy);
	strip_blanks(copy);
	q->doc = doc;
	q->line = st->dossier_line;
	if (st->tail)
		st->tail->next = q;
	else
		st->head = q;
	st->tail = q;
	doc = NULL;
	q = NULL;
out:
	xmlFreeDoc(doc);
	free(q);
	xmlUnlinkNode(node);
	xmlFreeNode(node);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxt *ctxt = ctx;
	pstate *st = ctxt->_private;
	xmlNode *node = ctxt->node;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	if (st->depth > 0)
		st->ns_in_scope -= st->ns_at[st->depth--];
	if (st->depth == 0 && !st->root_closed) {
		st->root_closed = true;
		snprintf(st->root_name, sizeof st->root_name, "%s", (const char *)localname);
	}
	if (st->stream && st->in_dossier && st->depth == dossier_depth(st) && node &&
	    node->type == XML_ELEMENT_NODE)
		stream_take(ctxt, st, node);
}

/* Between the dossiers of a batch: whitespace, comments and processing instructions are
 * dropped; text is refused. */
static bool between_dossiers(const pstate *st)
{
	return st->stream && !st->in_dossier;
}

static void on_characters(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxt *ctxt = ctx;
	pstate *st = ctxt->_private;
	if (between_dossiers(st)) {
		for (int i = 0; i < len; i++)
			if (!xml_space(ch[i])) {
				refuse(ctxt, REG_EDATA, "a batch holds only <dossier> elements, not text");
				return;
			}
		return;
	}
	xmlSAX2Characters(ctx, ch, len);
}

static void on_comment(void *ctx, const xmlChar *value)
{
	xmlParserCtxt *ctxt = ctx;
	if (!between_dossiers(ctxt->_private))
		xmlSAX2Comment(ctx, value);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	xmlParserCtxt *ctxt = ctx;
	if (!between_dossiers(ctxt->_private))
		xmlSAX2ProcessingInstruction(ctx, target, data);
}

/* Our options and handlers on a fresh parser context (whose SAX block is its own copy). */
static int setup_ctxt(xmlParserCtxt *ctxt, pstate *st)
{
	if (xmlCtxtUseOptions(ctxt, PARSE_OPTIONS) != 0)
		return -1;
	xmlSAXHandler *sax = ctxt->sax;
	ctxt->_private = st;
	sax->initialized = XML_SAX2_MAGIC;
	sax->serror = on_error;
	sax->error = NULL;
	sax->warning = NULL;
	sax->fatalError = NULL;
	sax->internalSubset = on_doctype;
	sax->externalSubset = on_doctype;
	sax->entityDecl = on_entity_decl;
	sax->resolveEntity = on_resolve_entity;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->characters = on_characters;
	sax->ignorableWhitespace = on_characters;
	sax->cdataBlock = NULL; /* XML_PARSE_NOCDATA: CDATA arrives as characters */
	sax->comment = on_comment;
	sax->processingInstruction = on_pi;
	return 0;
}

xmlDoc *reg_xml_parse_memory(const char *buf, size_t len, const char *name, reg_err **errp)
{
	pstate st = { .name = name };
	xmlDoc *doc = NULL;
	if (len == 0 || !buf || all_blank((const unsigned char *)buf, len))
		return reg_err_set(errp, REG_EDATA, name, 0, NULL, "empty input%s",
				   len ? " (only white space)" : ""),
		       NULL;
	if (len > REG_XML_MAX_DOCUMENT || len > INT_MAX)
		return reg_err_set(errp, REG_EDATA, name, 0, NULL, "input larger than %u bytes",
				   REG_XML_MAX_DOCUMENT),
		       NULL;
	tagscan scan = { .line = 1 };
	if (scan_tags(&scan, (const unsigned char *)buf, len) != len)
		return too_many_attributes(&scan, name, errp), NULL;
	/* The push parser, fed in chunks, as for streams: libxml2 2.9's pull parser never lets go
	 * of a memory buffer and fails past 10 MB ("huge input lookup") without XML_PARSE_HUGE. */
	xmlParserCtxt *ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
	if (!ctxt || setup_ctxt(ctxt, &st) < 0) {
		reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "cannot create an xml parser");
		goto out;
	}
	for (size_t off = 0; off < len && !st.err; off += MEMORY_CHUNK) {
		size_t n = len - off < MEMORY_CHUNK ? len - off : MEMORY_CHUNK;
		xmlParseChunk(ctxt, buf + off, (int)n, 0);
	}
	if (!st.err)
		xmlParseChunk(ctxt, NULL, 0, 1);
	if (!st.err && (!ctxt->wellFormed || !ctxt->myDoc))
		reg_err_set(&st.err, REG_EDATA, name, ctxt_line(ctxt), NULL, "not well-formed");
	if (!st.err && !xmlDocGetRootElement(ctxt->myDoc))
		reg_err_set(&st.err, REG_EDATA, name, 0, NULL, "not well-formed: no root element");
	if (st.err) {
		reg_err_append(errp, &st.err);
		goto out;
	}
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	strip_blanks(xmlDocGetRootElement(doc));
out:
	if (ctxt) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	return doc;
}

xmlDoc *reg_xml_parse_file(const char *path, reg_err **errp)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp)
		return reg_err_set(errp, REG_ENOINPUT, path, 0, NULL, "cannot open: %s",
				   strerror(errno)),
		       NULL;
	char *buf = NULL;
	size_t len = 0;
	xmlDoc *doc = NULL;
	if (reg_read_all(fp, path, REG_XML_MAX_DOCUMENT, &buf, &len, errp) == 0)
		doc = reg_xml_parse_memory(buf, len, path, errp);
	free(buf);
	if (!is_stdin)
		fclose(fp);
	return doc;
}

/* ---------------------------------------------------------------------------------------- */
/* streams */

struct reg_xml_stream {
	FILE *fp;
	char *name;
	xmlParserCtxt *ctxt;
	pstate st;
	tagscan scan;
	bool eof;
	bool nonblank; /* anything but white space was read */
	unsigned char buf[STREAM_CHUNK];
};

reg_xml_stream *reg_xml_stream_new(FILE *fp, const char *name, reg_err **errp)
{
	reg_xml_stream *s = calloc(1, sizeof *s);
	if (!s || !(s->name = strdup(name ? name : "-")))
		goto oom;
	s->fp = fp;
	s->st.name = s->name;
	s->st.stream = true;
	s->scan.line = 1;
	/* No initial bytes and no file name: the encoding is detected from the first chunk, and
	 * libxml2 never learns a path it could open. */
	s->ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
	if (!s->ctxt || setup_ctxt(s->ctxt, &s->st) < 0)
		goto oom;
	return s;
oom:
	reg_xml_stream_free(s);
	reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "cannot create an xml parser");
	return NULL;
}

/* The stream's problem, reported again to every later call. */
static int stream_report(const reg_xml_stream *s, reg_err **errp)
{
	for (const reg_err *e = s->st.err; e; e = reg_err_next(e))
		reg_err_add(errp, reg_err_code(e), reg_err_file(e), reg_err_line(e), reg_err_field(e),
			    "%s", reg_err_message(e));
	return -1;
}

/* What the input has now, up to a buffer: read(2) returns what a pipe holds, where fread
 * would wait until the buffer is full — and a dossier that came alone would wait with it for
 * the next.  (A FILE without a descriptor, fmemopen's, is read with fread.) */
int reg_xml_stream_next(reg_xml_stream *s, xmlDoc **doc, long *line, reg_err **errp)
{
	*doc = NULL;
	if (line)
		*line = 0;
	pstate *st = &s->st;
	for (;;) {
		if (st->head) {
			queued *q = st->head;
			st->head = q->next;
			if (!st->head)
				st->tail = NULL;
			*doc = q->doc;
			if (line)
				*line = q->line;
			free(q);
			return 1;
		}
		if (st->err)
			return stream_report(s, errp);
		if (s->eof)
			return 0;
		bool failed = false;
		size_t n = reg_file_read_some(s->fp, s->buf, sizeof s->buf, &failed);
		if (n > 0) {
			st->fed += n;
			s->nonblank = s->nonblank || !all_blank(s->buf, n);
			if (st->fed - st->mark > REG_XML_MAX_DOSSIER) {
				if (st->in_dossier)
					reg_err_set(&st->err, REG_EDATA, s->name, st->dossier_line, NULL,
						    "dossier larger than %u bytes", REG_XML_MAX_DOSSIER);
				else
					reg_err_set(&st->err, REG_EDATA, s->name, ctxt_line(s->ctxt),
						    NULL, "more than %u bytes outside any dossier",
						    REG_XML_MAX_DOSSIER);
				continue;
			}
			unsigned long long start = s->scan.pos;
			size_t ok = scan_tags(&s->scan, s->buf, n);
			if (ok < n) {
				/* Everything before the offending start tag still counts: dossiers
				 * complete before it come out first. */
				size_t before = s->scan.tag_pos > start ? (size_t)(s->scan.tag_pos - start) : 0;
				if (before > 0)
					xmlParseChunk(s->ctxt, (const char *)s->buf, (int)before, 0);
				too_many_attributes(&s->scan, s->name, &st->err);
				continue;
			}
			xmlParseChunk(s->ctxt, (const char *)s->buf, (int)n, 0);
		} else if (failed) {
			reg_err_set(&st->err, REG_EIO, s->name, 0, NULL, "read error: %s",
				    strerror(errno ? errno : EIO));
			continue;
		} else if (!s->nonblank) {
			/* Nothing to parse: a pipeline whose first tool wrote nothing, a wrong file. */
			reg_err_set(&st->err, REG_EDATA, s->name, 0, NULL, "empty input%s",
				    st->fed ? " (only white space)" : "");
			s->eof = true;
			continue;
		} else {
			xmlParseChunk(s->ctxt, NULL, 0, 1);
			s->eof = true;
		}
		if (!st->err && !s->ctxt->wellFormed)
			reg_err_set(&st->err, REG_EDATA, s->name, ctxt_line(s->ctxt), NULL,
				    "not well-formed");
		if (!st->err && s->eof && st->root == ROOT_NONE)
			reg_err_set(&st->err, REG_EDATA, s->name, 0, NULL,
				    "not well-formed: no root element");
	}
}

bool reg_xml_stream_queued(const reg_xml_stream *s)
{
	return s && s->st.head;
}

bool reg_xml_stream_is_batch(const reg_xml_stream *s)
{
	return s && s->st.root == ROOT_BATCH;
}

const char *reg_xml_stream_name(const reg_xml_stream *s)
{
	return s ? s->name : NULL;
}

void reg_xml_stream_free(reg_xml_stream *s)
{
	if (!s)
		return;
	while (s->st.head) {
		queued *q = s->st.head;
		s->st.head = q->next;
		xmlFreeDoc(q->doc);
		free(q);
	}
	if (s->ctxt) {
		xmlFreeDoc(s->ctxt->myDoc);
		s->ctxt->myDoc = NULL;
		xmlFreeParserCtxt(s->ctxt);
	}
	reg_err_free(s->st.err);
	free(s->name);
	free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* writing */

struct reg_xml_out {
	FILE *fp;
	bool batch;
	bool started;  /* declaration (and the batch start tag) written */
	bool finished;
	size_t count;
	xmlOutputBufferPtr ob; /* made at the first document and kept: a new one per document
				* costs a large allocation each, and that dominated a batch */
};

static const char xml_decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
static const char batch_open[] = "<batch xmlns=\"" REG_NS_DOSSIER "\">\n";
static const char batch_empty[] = "<batch xmlns=\"" REG_NS_DOSSIER "\"/>\n";
static const char batch_close[] = "</batch>\n";

reg_xml_out *reg_xml_out_new(FILE *fp, bool batch)
{
	reg_xml_out *o = calloc(1, sizeof *o);
	if (o) {
		o->fp = fp;
		o->batch = batch;
	}
	return o;
}

static int file_write(void *ctx, const char *buf, int len)
{
	if (len == 0)
		return 0; /* libxml2 flushes empty buffers too, even at close after the FILE is gone */
	return fwrite(buf, 1, (size_t)len, ctx) == (size_t)len ? len : -1;
}

static int write_failed(reg_err **errp)
{
	return reg_err_set(errp, REG_EIO, NULL, 0, NULL, "write failed: %s",
			   strerror(errno ? errno : EIO));
}

/* The root element of `doc` into `ob`, one level in when nested (inside a batch, exactly as if
 * the batch were one tree), with its closing newline. */
static void dump_root(xmlOutputBufferPtr ob, xmlDoc *doc, xmlNode *root, bool nested)
{
	if (nested)
		xmlOutputBufferWrite(ob, 2, "  ");
	/* libxml2 writes non-ASCII in attributes as character references when the document has
	 * no encoding (a tree built in memory rather than parsed): declare UTF-8 for the dump so a
	 * dossier made from a CSV row serializes exactly like the same dossier parsed from XML. */
	const xmlChar *declared = doc->encoding;
	if (!declared)
		doc->encoding = BAD_CAST "UTF-8";
	xmlNodeDumpOutput(ob, doc, root, nested ? 1 : 0, 1, "UTF-8");
	doc->encoding = declared;
	xmlOutputBufferWrite(ob, 1, "\n");
}

static xmlNode *root_of(xmlDoc *doc, reg_err **errp)
{
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root)
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
			    "cannot write a document without a root element");
	return root;
}

/* Checks before a document goes out, and the declaration (and batch start tag) before the
 * first. */
static int begin_document(reg_xml_out *o, reg_err **errp)
{
	if (o->finished)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "document written after the end of the output");
	if (!o->batch && o->count > 0)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "a second document written to single-document output");
	if (!o->started) {
		if (fputs(xml_decl, o->fp) == EOF ||
		    (o->batch && fputs(batch_open, o->fp) == EOF))
			return write_failed(errp);
		o->started = true;
	}
	return 0;
}

int reg_xml_out_write(reg_xml_out *o, xmlDoc *doc, reg_err **errp)
{
	xmlNode *root = root_of(doc, errp);
	if (!root || begin_document(o, errp) < 0)
		return -1;
	if (!o->ob && !(o->ob = xmlOutputBufferCreateIO(file_write, NULL, o->fp, NULL)))
		return reg_err_oom(errp);
	dump_root(o->ob, doc, root, o->batch);
	/* Each document reaches the FILE whole, before anything else is written to it. */
	if (xmlOutputBufferFlush(o->ob) < 0 || o->ob->error || ferror(o->fp))
		return write_failed(errp);
	o->count++;
	return 0;
}

/* What an output would write for `doc` alone, into a string of the caller's: with the XML
 * declaration (a whole single-document output) or without (one document of a stream). */
static int dump_string(xmlDoc *doc, bool nested, bool with_decl, char **out, size_t *len,
		       reg_err **errp)
{
	*out = NULL;
	*len = 0;
	xmlNode *root = root_of(doc, errp);
	if (!root)
		return -1;
	xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
	if (!ob)
		return reg_err_oom(errp);
	if (with_decl)
		xmlOutputBufferWrite(ob, (int)(sizeof xml_decl - 1), xml_decl);
	dump_root(ob, doc, root, nested);
	int rc = -1;
	size_t size = xmlOutputBufferGetSize(ob);
	if (ob->error)
		reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot serialize the document");
	else if (!(*out = malloc(size + 1)))
		reg_err_oom(errp);
	else {
		memcpy(*out, xmlOutputBufferGetContent(ob), size);
		(*out)[size] = '\0';
		*len = size;
		rc = 0;
	}
	xmlOutputBufferClose(ob);
	return rc;
}

int reg_xml_dump(xmlDoc *doc, bool nested, char **out, size_t *len, reg_err **errp)
{
	return dump_string(doc, nested, false, out, len, errp);
}

int reg_xml_out_write_dump(reg_xml_out *o, bool nested, const char *text, size_t len,
			   reg_err **errp)
{
	if (nested != o->batch)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL,
				   "a document dumped for %s output written to %s output",
				   nested ? "batch" : "single", o->batch ? "batch" : "single");
	if (begin_document(o, errp) < 0)
		return -1;
	if (fwrite(text, 1, len, o->fp) != len || ferror(o->fp))
		return write_failed(errp);
	o->count++;
	return 0;
}

int reg_xml_out_finish(reg_xml_out *o, reg_err **errp)
{
	if (o->finished)
		return 0;
	o->finished = true;
	if (o->batch) {
		if (!o->started) {
			if (fputs(xml_decl, o->fp) == EOF || fputs(batch_empty, o->fp) == EOF)
				return write_failed(errp);
		} else if (fputs(batch_close, o->fp) == EOF) {
			return write_failed(errp);
		}
	}
	if (fflush(o->fp) == EOF || ferror(o->fp))
		return write_failed(errp);
	return 0;
}

void reg_xml_out_free(reg_xml_out *o)
{
	if (o && o->ob)
		xmlOutputBufferClose(o->ob); /* flushed after every document: nothing is left in it */
	free(o);
}

int reg_xml_serialize(xmlDoc *doc, char **out, size_t *len, reg_err **errp)
{
	return dump_string(doc, false, true, out, len, errp);
}

/* ---------------------------------------------------------------------------------------- */
/* digests */

/* Visible: the node lies in the subtree at `root` (a namespace node is judged by its element). */
static int in_subtree(void *root, xmlNodePtr node, xmlNodePtr parent)
{
	const xmlNode *n = node && node->type == XML_NAMESPACE_DECL ? parent : node;
	for (; n; n = n->parent)
		if (n == root)
			return 1;
	return 0;
}

/* in_subtree, less what reg_xml_c14n_sha256_without leaves out. */
typedef struct subset {
	const xmlNode *root;
	const char *skip_attr, *ns;
	const char *const *skip_children;
} subset;

static bool skipped_child(const subset *v, const xmlNode *child)
{
	if (!v->skip_children || child->type != XML_ELEMENT_NODE || !child->ns ||
	    !v->ns || strcmp((const char *)child->ns->href, v->ns) != 0)
		return false;
	for (const char *const *name = v->skip_children; *name; name++)
		if (strcmp((const char *)child->name, *name) == 0)
			return true;
	return false;
}

static int in_subset(void *ctx, xmlNodePtr node, xmlNodePtr parent)
{
	const subset *v = ctx;
	const xmlNode *n = node && node->type == XML_NAMESPACE_DECL ? parent : node;
	const xmlNode *below = NULL; /* the ancestor (or n itself) whose parent is the root */
	for (; n && n != v->root; n = n->parent)
		below = n;
	if (!n)
		return 0;
	if (below && below->type == XML_ATTRIBUTE_NODE)
		return !(v->skip_attr && !below->ns &&
			 strcmp((const char *)below->name, v->skip_attr) == 0);
	return !(below && skipped_child(v, below));
}

static int digest_write(void *ctx, const char *buf, int len)
{
	return EVP_DigestUpdate(ctx, buf, (size_t)len) == 1 ? len : -1;
}

/* Stream the exclusive C14N of the nodes `visible` admits into a SHA-256. */
static int c14n_sha256(xmlDoc *doc, xmlNode *node, xmlC14NIsVisibleCallback visible, void *ctx,
		       unsigned char digest[32], reg_err **errp)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	xmlOutputBufferPtr ob = NULL;
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    !(ob = xmlOutputBufferCreateIO(digest_write, NULL, md, NULL))) {
		EVP_MD_CTX_free(md);
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "cannot start a sha-256 digest");
	}
	/* Streamed into the hash: the canonical form is never held in memory. */
	int n = xmlC14NExecute(doc, visible, ctx, XML_C14N_EXCLUSIVE_1_0, NULL, 0, ob);
	int failed = ob->error;
	int closed = xmlOutputBufferClose(ob);
	unsigned int dlen = 0;
	int rc = 0;
	if (n < 0 || failed || closed < 0 || EVP_DigestFinal_ex(md, digest, &dlen) != 1 ||
	    dlen != 32)
		/* libxml2 refuses e.g. relative namespace URIs, which C14N cannot order. */
		rc = reg_err_set(errp, REG_EDATA, NULL, reg_xml_line(node), NULL,
				 "cannot canonicalize <%s> for its digest", (const char *)node->name);
	EVP_MD_CTX_free(md);
	return rc;
}

int reg_xml_c14n_sha256(xmlDoc *doc, xmlNode *node, unsigned char digest[32], reg_err **errp)
{
	if (!doc && node)
		doc = node->doc;
	if (!node && doc)
		node = xmlDocGetRootElement(doc);
	if (!doc || !node)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "nothing to digest");
	return c14n_sha256(doc, node, in_subtree, node, digest, errp);
}

int reg_xml_c14n_sha256_without(xmlNode *node, const char *skip_attr, const char *ns,
				const char *const *skip_children, unsigned char digest[32],
				reg_err **errp)
{
	if (!node || !node->doc)
		return reg_err_set(errp, REG_EINTERNAL, NULL, 0, NULL, "nothing to digest");
	subset v = {.root = node, .skip_attr = skip_attr, .ns = ns, .skip_children = skip_children};
	return c14n_sha256(node->doc, node, in_subset, &v, digest, errp);
}

/* ---------------------------------------------------------------------------------------- */
/* schemas */

typedef struct schema_state {
	const char *name; /* the document (validation) or schema (load) */
	reg_code code;
	reg_err *err;
	int count;
} schema_state;

static void on_schema_error(void *ctx, xmlErrorPtr e)
{
	schema_state *st = ctx;
	if (!e || e->level < XML_ERR_ERROR)
		return;
	/* Past the cap only counted (errors.h), without the cost of tidying and locating. */
	if (++st->count > REG_ERR_MAX_PROBLEMS) {
		reg_err_add_more(&st->err, st->code, st->name,
				 st->code == REG_ENO && e->node ? reg_xml_line(e->node) : e->line, 1);
		return;
	}
	xmlNode *node = e->node;
	char *msg = tidy_message(e->message, true);
	char *field = NULL;
	long line = e->line;
	const char *file = st->name;
	if (node && st->code == REG_ENO) {
		line = reg_xml_line(node);
		field = reg_xml_path(node);
	} else if (e->file && st->code == REG_ECONFIG) {
		file = e->file;
	}
	reg_err_add(&st->err, st->code, file, line, field, "%s", msg ? msg : "schema error");
	free(field);
	free(msg);
}

/*
 * xmlSchemaNewParserCtxt takes a file name: acceptable only because an XSD is regkit's own
 * shipped configuration (below the schema directory, which the restricted loader enforces for
 * it and for every include), never applicant input.
 */
xmlSchema *reg_xml_schema_load(const char *xsd_path, reg_err **errp)
{
	if (!initialized)
		return reg_err_set(errp, REG_EINTERNAL, xsd_path, 0, NULL,
				   "reg_xml_init was not called before loading a schema"),
		       NULL;
	char *real = inside_schema_root(xsd_path);
	if (!real) {
		if (access(xsd_path, R_OK) != 0)
			reg_err_set(errp, REG_ECONFIG, xsd_path, 0, NULL, "cannot open: %s",
				    strerror(errno));
		else
			reg_err_set(errp, REG_ECONFIG, xsd_path, 0, NULL,
				    "schema is outside the schema directory '%s'",
				    schema_root[0] ? schema_root : "(none)");
		return NULL;
	}
	schema_state st = { .name = xsd_path, .code = REG_ECONFIG };
	xmlSchema *schema = NULL;
	xmlSchemaParserCtxt *pctxt = xmlSchemaNewParserCtxt(real);
	if (pctxt) {
		xmlSchemaSetParserStructuredErrors(pctxt, on_schema_error, &st);
		schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	}
	free(real);
	if (!schema && !st.err)
		reg_err_set(&st.err, REG_ECONFIG, xsd_path, 0, NULL, "cannot load the schema");
	if (st.err) {
		xmlSchemaFree(schema);
		reg_err_append(errp, &st.err);
		return NULL;
	}
	return schema;
}

int reg_xml_validate(xmlSchema *schema, xmlDoc *doc, const char *name, reg_err **errp)
{
	schema_state st = { .name = name, .code = REG_ENO };
	xmlSchemaValidCtxt *vctxt = xmlSchemaNewValidCtxt(schema);
	if (!vctxt)
		return reg_err_set(errp, REG_EINTERNAL, name, 0, NULL, "out of memory");
	xmlSchemaSetValidStructuredErrors(vctxt, on_schema_error, &st);
	int rc = xmlSchemaValidateDoc(vctxt, doc);
	xmlSchemaFreeValidCtxt(vctxt);
	if (rc == 0 && !st.err)
		return 0;
	if (!st.err)
		reg_err_set(&st.err, rc < 0 ? REG_EINTERNAL : REG_ENO, name, 0, NULL,
			    rc < 0 ? "schema validation failed internally"
				   : "does not match the schema");
	reg_err_append(errp, &st.err);
	return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* helpers */

static bool matches(const xmlNode *n, const char *ns, const char *name)
{
	if (n->type != XML_ELEMENT_NODE)
		return false;
	if (name && strcmp((const char *)n->name, name) != 0)
		return false;
	if (!ns)
		return n->ns == NULL;
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

xmlNode *reg_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *c = parent->children; c; c = c->next)
		if (matches(c, ns, name))
			return c;
	return NULL;
}

xmlNode *reg_xml_next_sibling(const xmlNode *node, const char *ns, const char *name)
{
	if (!node)
		return NULL;
	for (xmlNode *c = node->next; c; c = c->next)
		if (matches(c, ns, name))
			return c;
	return NULL;
}

char *reg_xml_trimmed(const char *s)
{
	const char *p = s ? s : "";
	size_t n = strlen(p);
	while (n > 0 && xml_space((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && xml_space((unsigned char)p[n - 1]))
		n--;
	return strndup(p, n);
}

/* A malloc'd copy of libxml2's string (which the caller would otherwise free with xmlFree),
 * trimmed of XML whitespace when asked. */
static char *take_string(xmlChar *s, bool trim)
{
	const char *p = s ? (const char *)s : "";
	char *out = trim ? reg_xml_trimmed(p) : strdup(p);
	xmlFree(s);
	return out;
}

char *reg_xml_text(const xmlNode *node)
{
	if (!node)
		return NULL;
	return take_string(xmlNodeGetContent(node), true);
}

char *reg_xml_child_text(const xmlNode *parent, const char *ns, const char *name)
{
	xmlNode *c = reg_xml_child(parent, ns, name);
	return c ? reg_xml_text(c) : NULL;
}

char *reg_xml_attr(const xmlNode *node, const char *name)
{
	if (!node || node->type != XML_ELEMENT_NODE)
		return NULL;
	xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
	return v ? take_string(v, false) : NULL;
}

char *reg_xml_path(const xmlNode *node)
{
	if (!node)
		return NULL;
	const xmlNode *attr = NULL;
	if (node->type == XML_ATTRIBUTE_NODE) {
		attr = node;
		node = node->parent;
	}
	while (node && node->type != XML_ELEMENT_NODE && node->type != XML_DOCUMENT_NODE)
		node = node->parent;
	size_t len = attr ? strlen((const char *)attr->name) + 2 : 0;
	for (const xmlNode *n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		len += strlen((const char *)n->name) + 1;
	if (len == 0)
		return strdup("/");
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	char *end = out + len;
	*end = '\0';
	if (attr) {
		size_t k = strlen((const char *)attr->name);
		end -= k;
		memcpy(end, attr->name, k);
		*--end = '@';
		*--end = '/';
	}
	for (const xmlNode *n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
		size_t k = strlen((const char *)n->name);
		end -= k;
		memcpy(end, n->name, k);
		*--end = '/';
	}
	return out;
}

long reg_xml_line(const xmlNode *node)
{
	while (node && node->type != XML_ELEMENT_NODE && node->type != XML_TEXT_NODE &&
	       node->type != XML_COMMENT_NODE && node->type != XML_PI_NODE)
		node = node->parent;
	if (!node)
		return 0;
	if ((node->type == XML_ELEMENT_NODE || node->type == XML_TEXT_NODE) &&
	    node->line == LINE_CAP && node->psvi)
		return (long)(intptr_t)node->psvi;
	long line = xmlGetLineNo(node);
	return line > 0 ? line : 0;
}
