/*
 * xml — the one place regkit parses, streams, writes and digests XML.
 *
 * Everything regkit reads is untrusted.  Parsing here therefore:
 *   - never substitutes entities, loads or validates a DTD, recovers or lifts limits
 *     (no XML_PARSE_NOENT/DTDLOAD/DTDVALID/RECOVER/HUGE), and sets XML_PARSE_NONET;
 *   - refuses any document type declaration outright (a dossier or catalog has no use for one,
 *     and it is where XXE and billion laughs live): "document type declarations are not allowed";
 *   - keeps line numbers beyond 65535 (XML_PARSE_BIG_LINES);
 *   - reads from memory or our own read callback, never from a file name (libxml2 2.9 would
 *     gunzip it), with our own byte caps; nesting deeper than REG_XML_MAX_DEPTH is refused;
 *   - reports errors through a per-parse handler into reg_err (file, line, "not well-formed …"),
 *     never on libxml2's global error stream.
 * Whitespace-only text between elements is dropped on parse, so the same content always
 * serializes and digests the same way however it was indented (docs/formats.md).
 *
 * reg_xml_init() installs the restricted external-entity loader (only files below the schema
 * directory, which XSD imports need) and must be called once from main before any thread starts.
 */
#ifndef REG_XML_H
#define REG_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "err.h"

#define REG_NS_DOSSIER "urn:regkit:dossier:1"
#define REG_NS_CATALOG "urn:regkit:catalog:1"
#define REG_NS_AUTHORITY "urn:regkit:authority:1"
#define REG_NS_FUNCTIONS "urn:regkit:functions:1"
#define REG_NS_ARCHIVE "urn:regkit:archive:1" /* license, registration records, seal filing */

#define REG_XML_MAX_DOCUMENT (64u << 20)  /* one whole document read into memory */
#define REG_XML_MAX_DOSSIER (8u << 20)    /* one dossier inside a streamed batch */
#define REG_XML_MAX_DEPTH 64
#define REG_XML_MAX_ATTRIBUTES 64           /* per start tag, namespace declarations included */
#define REG_XML_MAX_NAMESPACES 32           /* namespace declarations in scope at once */

/* Once per process, before threads: libxml2 init + the restricted entity loader. */
void reg_xml_init(const char *schema_dir);
void reg_xml_cleanup(void);

/* Parse one whole document from memory.  `name` is what errors call the input ("-" for stdin). */
xmlDoc *reg_xml_parse_memory(const char *buf, size_t len, const char *name, reg_err **errp);
/* Read a whole file ("-" = stdin) under REG_XML_MAX_DOCUMENT and parse it. */
xmlDoc *reg_xml_parse_file(const char *path, reg_err **errp);
/* Read a whole stream into memory under a cap; *out is NUL-terminated, owned by the caller. */
int reg_read_all(FILE *fp, const char *name, size_t cap, char **out, size_t *len, reg_err **errp);

/*
 * A stream of dossiers: a document whose root is <dossier> or <batch> of <dossier>s, read one
 * dossier at a time (xmlTextReader over our own read callback), so memory stays flat whatever
 * the batch size.  Each dossier comes out as a document of its own, with the namespace
 * declarations it needs, owned by the caller; its line is where its start tag stands.
 */
typedef struct reg_xml_stream reg_xml_stream;

/* fp stays the caller's; name is for messages ("-" for stdin). */
reg_xml_stream *reg_xml_stream_new(FILE *fp, const char *name, reg_err **errp);
/* 1: *doc holds the next dossier; 0: end of stream; -1: error (REG_EDATA when the input is not
 * well-formed or its root/children are not dossiers). */
int reg_xml_stream_next(reg_xml_stream *s, xmlDoc **doc, long *line, reg_err **errp);
/* Whether the root was <batch> (known after the first reg_xml_stream_next). */
bool reg_xml_stream_is_batch(const reg_xml_stream *s);
const char *reg_xml_stream_name(const reg_xml_stream *s);
void reg_xml_stream_free(reg_xml_stream *s);

/*
 * Writing a stream of dossiers: as a <batch> (when `batch`) or as bare documents.  Output is
 * UTF-8, indented with two spaces, one XML declaration, deterministic byte for byte.
 */
typedef struct reg_xml_out reg_xml_out;
reg_xml_out *reg_xml_out_new(FILE *fp, bool batch);
int reg_xml_out_write(reg_xml_out *o, xmlDoc *doc, reg_err **errp);
/* Writes the closing tag of a batch (an empty batch is "<batch …/>") and flushes. */
int reg_xml_out_finish(reg_xml_out *o, reg_err **errp);
void reg_xml_out_free(reg_xml_out *o);

/* Serialize one document exactly as reg_xml_out does (for archives): *out owned by caller. */
int reg_xml_serialize(xmlDoc *doc, char **out, size_t *len, reg_err **errp);

/* SHA-256 of the exclusive C14N (no comments) of the subtree at `node`. */
int reg_xml_c14n_sha256(xmlDoc *doc, xmlNode *node, unsigned char digest[32], reg_err **errp);

/* Schema validation.  A compiled schema may be shared by threads; each validation makes its own
 * context.  Problems are appended to *errp with the element's line and path as field. */
xmlSchema *reg_xml_schema_load(const char *xsd_path, reg_err **errp);
int reg_xml_validate(xmlSchema *schema, xmlDoc *doc, const char *name, reg_err **errp);

/* Small helpers over libxml2's tree API, namespace-aware with `ns` (NULL = no namespace). */
xmlNode *reg_xml_child(const xmlNode *parent, const char *ns, const char *name);
xmlNode *reg_xml_next_sibling(const xmlNode *node, const char *ns, const char *name);
#define reg_xml_for_each_child(child, parent, ns, name)                                    \
	for (xmlNode *child = reg_xml_child((parent), (ns), (name)); child;                \
	     child = reg_xml_next_sibling(child, (ns), (name)))
/* Text content of a node, trimmed of surrounding XML whitespace; caller frees (never NULL on
 * success, "" for an empty element); NULL only when node is NULL. */
char *reg_xml_text(const xmlNode *node);
/* Text of the named child, or NULL when absent. */
char *reg_xml_child_text(const xmlNode *parent, const char *ns, const char *name);
/* Attribute value (no namespace) or NULL; caller frees. */
char *reg_xml_attr(const xmlNode *node, const char *name);
/* "/dossier/enterprise/legal-representative/citizen-id" — for error FIELDs. Caller frees. */
char *reg_xml_path(const xmlNode *node);
long reg_xml_line(const xmlNode *node);
/* Hex of a digest: out must hold 2*len+1. */
void reg_hex(const unsigned char *bytes, size_t len, char *out);

#endif
