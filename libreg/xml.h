/*
 * xml — the one place regkit parses, streams, writes and digests XML.
 *
 * Everything regkit reads is untrusted.  Parsing here therefore:
 *   - never substitutes entities, loads or validates a DTD, recovers or lifts limits
 *     (no XML_PARSE_NOENT/DTDLOAD/DTDVALID/RECOVER/HUGE), and sets XML_PARSE_NONET;
 *   - refuses any document type declaration outright, before its internal subset is read (a
 *     dossier or catalog has no use for one, and it is where XXE and billion laughs live):
 *     "document type declarations are not allowed"; XInclude is never processed;
 *   - keeps line numbers beyond 65535 (XML_PARSE_BIG_LINES, and our own for elements);
 *   - reads from memory or our own read loop, never from a file name (libxml2 2.9 would
 *     gunzip it), with our own byte caps; refuses nesting deeper than REG_XML_MAX_DEPTH, more
 *     than REG_XML_MAX_ATTRIBUTES attributes on one element and more than
 *     REG_XML_MAX_NAMESPACES namespace declarations in scope (libxml2 2.9 spends quadratic
 *     time on those before anything else could stop it); libxml2's own limits stay (10 MB for
 *     one text or one piece of markup);
 *   - reports the first problem through a per-parse handler into reg_err (REG_EDATA, file,
 *     line, "not well-formed: <libxml2's words>"), never on libxml2's global error stream.
 * Both whole documents and streams go through libxml2's push parser with our checks wrapped
 * around its tree builder, so they accept and refuse exactly the same inputs.  The encoding is
 * whatever the document says (UTF-8 by default); invalid bytes for it are not well-formed.
 *
 * Whitespace-only text is dropped on parse in every element that has element children, so the
 * same content always serializes and digests the same way however it was indented
 * (docs/formats.md).  Whitespace inside a value (an element without element children) is
 * content and kept.  CDATA sections arrive as plain text.
 */
#ifndef REG_XML_H
#define REG_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "errors.h"

#define REG_NS_DOSSIER "urn:regkit:dossier:1"
#define REG_NS_CATALOG "urn:regkit:catalog:1"
#define REG_NS_AUTHORITY "urn:regkit:authority:1"
#define REG_NS_FUNCTIONS "urn:regkit:functions:1"
#define REG_NS_ARCHIVE "urn:regkit:archive:1" /* license, registration records, seal filing */

#define REG_XML_MAX_DOCUMENT (64u << 20)  /* one whole document read into memory */
#define REG_XML_MAX_DOSSIER (8u << 20)    /* one dossier of a stream; also the most bytes
					     between two dossiers or before the first */
/* Elements in one dossier of a stream, the dossier's own included.  The largest genuine one
 * stays far below: 200 shareholders of 4 elements, a catalog's materials, requests and
 * commitments, 1 000 approvals (REG_DOSSIER_MAX_APPROVALS) with their reasons.  8 MiB of
 * <material/>s would be 300 000 elements: libxml2's tree of them takes over 200 MB, which the cap
 * saves before it is built. */
#define REG_XML_MAX_DOSSIER_ELEMENTS 10000
#define REG_XML_MAX_DEPTH 64
#define REG_XML_MAX_ATTRIBUTES 64           /* per start tag, namespace declarations included */
#define REG_XML_MAX_NAMESPACES 32           /* namespace declarations in scope at once */

/*
 * Once per process, from main before any thread starts: xmlInitParser(), the restricted
 * external-entity loader, and silence on libxml2's global error channels (every use here has
 * its own per-context handler).  The loader opens only files whose real path lies below
 * schema_dir (XSD xs:include/xs:import of regkit's own schemas) and refuses everything else:
 * other directories, ".." and symbolic links out, any URL scheme but file:.  The real path of
 * schema_dir is the one piece of process state of this module, written here and only read
 * afterwards; NULL or a directory that does not exist makes the loader refuse everything.
 */
void reg_xml_init(const char *schema_dir);
/* xmlCleanupParser(): at the very end of main, after every thread has finished. */
void reg_xml_cleanup(void);

/* Parse one whole document from memory (at most REG_XML_MAX_DOCUMENT bytes).  `name` is what
 * errors call the input ("-" for stdin).  Any root element: checking it is the caller's job.
 * Empty input and what follows the root are reported as for streams (below). */
xmlDoc *reg_xml_parse_memory(const char *buf, size_t len, const char *name, reg_err **errp);
/* Read a whole file ("-" = stdin) under REG_XML_MAX_DOCUMENT and parse it.  A file that cannot
 * be opened is REG_ENOINPUT ("cannot open: …"). */
xmlDoc *reg_xml_parse_file(const char *path, reg_err **errp);
/* Read a whole stream into memory under a cap, never reading more than cap + 1 bytes; beyond the
 * cap REG_EDATA "input larger than N bytes", a read error REG_EIO.  *out is NUL-terminated (the
 * NUL not counted in *len), owned by the caller. */
int reg_read_all(FILE *fp, const char *name, size_t cap, char **out, size_t *len, reg_err **errp);

/*
 * A stream of dossiers: a document whose root is <dossier> or <batch> of <dossier>s (namespace
 * REG_NS_DOSSIER), read one dossier at a time: our own read loop over the FILE feeds libxml2's
 * push parser in 16 kB chunks, and each dossier leaves the parser's tree as soon as its end tag
 * is read, so memory stays flat whatever the batch size (100 000 dossiers: under 10 MB RSS).
 * (Not xmlTextReader (docs/decisions.md): the reader hides its parser context, so a DOCTYPE
 * could only be seen after its internal subset was parsed, and element lines beyond 65535 would
 * be lost.)  Each dossier comes out as a document of its own, owned by the caller, with the
 * namespace declarations it uses declared on its root (those a <batch> made and nobody used are
 * not carried over); its line is where its start tag ends, as libxml2 counts element lines.
 * Between the dossiers of a batch, whitespace, comments and processing instructions are
 * dropped; text or any other element is REG_EDATA.  No dossier, and no stretch before the first
 * or between two, may exceed REG_XML_MAX_DOSSIER bytes, and no dossier may hold more than
 * REG_XML_MAX_DOSSIER_ELEMENTS elements.
 */
typedef struct reg_xml_stream reg_xml_stream;

/* fp stays the caller's; name is for messages ("-" for stdin). */
reg_xml_stream *reg_xml_stream_new(FILE *fp, const char *name, reg_err **errp);
/* 1: *doc holds the next dossier (line: where it starts, when line is not NULL); 0: end of
 * stream; -1: error — REG_EDATA when the input is not well-formed, breaks a cap or its root or
 * children are not dossiers, REG_EIO when reading fails.  The dossiers completed before a
 * problem come out first (a truncated batch yields its complete dossiers, then the error); a
 * dossier in which a problem was found never comes out.  After 0 or -1, every later call gives
 * the same answer again.  Zero bytes or white space alone are REG_EDATA "empty input"; anything
 * after the root element but comments and PIs is REG_EDATA at its line, saying what it is:
 * "text 'junk' after the dossier (column 3)", "a second root element <x> after the batch
 * (column 1)" (docs/decisions.md, "Streams"). */
int reg_xml_stream_next(reg_xml_stream *s, xmlDoc **doc, long *line, reg_err **errp);
/* Whether dossiers already read are waiting to be taken: the next reg_xml_stream_next returns
 * one without reading (so a tool grouping its work does not finish a group for want of input
 * while the chunk it read holds more dossiers). */
bool reg_xml_stream_queued(const reg_xml_stream *s);
/* Whether the root was <batch> (known after the first reg_xml_stream_next). */
bool reg_xml_stream_is_batch(const reg_xml_stream *s);
const char *reg_xml_stream_name(const reg_xml_stream *s);
void reg_xml_stream_free(reg_xml_stream *s);

/*
 * Writing dossiers: `<?xml version="1.0" encoding="UTF-8"?>` once, then either
 *   - batch: `<batch xmlns="urn:regkit:dossier:1">`, each document's root element indented one
 *     level (as if the batch were one tree), `</batch>` — an empty batch is
 *     `<batch xmlns="urn:regkit:dossier:1"/>`; every dossier keeps its own namespace
 *     declaration, so each reads back as a document of its own;
 *   - single: exactly one document's root element.  A second write is REG_EINTERNAL (two roots
 *     would not be XML); finishing without any write writes nothing at all.
 * Only the root element is written (comments or PIs outside it are not).  UTF-8 as is,
 * two-space indentation wherever an element holds only elements (libxml2's format=1), attributes
 * and namespace declarations in tree order: deterministic byte for byte.  A failed write is
 * REG_EIO.  The FILE stays the caller's.
 */
typedef struct reg_xml_out reg_xml_out;
reg_xml_out *reg_xml_out_new(FILE *fp, bool batch); /* NULL only when out of memory */
int reg_xml_out_write(reg_xml_out *o, xmlDoc *doc, reg_err **errp);
/* The same bytes in two steps, so the serializing can happen in another thread than the
 * writing: reg_xml_dump makes what reg_xml_out_write would write for `doc` (nested: for batch
 * output), *out NUL-terminated and the caller's; reg_xml_out_write_dump writes it (REG_EINTERNAL
 * when `nested` is not the output's batch mode). */
int reg_xml_dump(xmlDoc *doc, bool nested, char **out, size_t *len, reg_err **errp);
int reg_xml_out_write_dump(reg_xml_out *o, bool nested, const char *text, size_t len,
			   reg_err **errp);
/* Writes the closing tag of a batch and flushes; a second call does nothing. */
int reg_xml_out_finish(reg_xml_out *o, reg_err **errp);
void reg_xml_out_free(reg_xml_out *o);

/* Serialize one document exactly as single-document reg_xml_out does (for archives): *out is
 * NUL-terminated, owned by the caller. */
int reg_xml_serialize(xmlDoc *doc, char **out, size_t *len, reg_err **errp);

/*
 * SHA-256 of the exclusive C14N 1.0 (no comments) of the subtree at `node` (NULL: the root
 * element; doc NULL: node's document), streamed into the hash.  Attribute order, where and
 * whether unused namespace declarations stand, comments, and (through the parse) indentation
 * do not change it; any value does — and so does a namespace *prefix*, which C14N keeps by
 * definition (regkit never renames prefixes).  REG_EDATA when libxml2 cannot canonicalize the
 * tree (a relative namespace URI).
 */
int reg_xml_c14n_sha256(xmlDoc *doc, xmlNode *node, unsigned char digest[32], reg_err **errp);

/* The same digest as if parts of `node` were removed first: its attribute `skip_attr` (without
 * a namespace; NULL: none) and each child element in namespace `ns` whose local name is in
 * `skip_children` (NULL-terminated; NULL: none), with everything inside them.  Gives exactly the
 * bytes of removing them from a copy, without making the copy. */
int reg_xml_c14n_sha256_without(xmlNode *node, const char *skip_attr, const char *ns,
				const char *const *skip_children, unsigned char digest[32],
				reg_err **errp);

/*
 * Schema validation.  Load every schema in the main thread after reg_xml_init (xmlSchemaParse
 * is not thread-safe in 2.9); xsd_path and everything it includes must lie below the schema
 * directory.  Load problems are REG_ECONFIG with the schema file and line.  A compiled schema
 * may be shared by threads; each validation makes its own context.  A document that breaks the
 * schema is REG_ENO (the answer is "no"): every problem is appended to *errp with file `name`,
 * the element's line and its path as field, the message without "{namespace}" noise; past
 * REG_ERR_MAX_PROBLEMS they are only counted (errors.h), without the cost of their messages.
 * An instance's xsi:schemaLocation hints are never followed.
 */
xmlSchema *reg_xml_schema_load(const char *xsd_path, reg_err **errp);
int reg_xml_validate(xmlSchema *schema, xmlDoc *doc, const char *name, reg_err **errp);

/* Small helpers over libxml2's tree API, namespace-aware with `ns` (NULL = no namespace);
 * name NULL matches any element in ns.  A NULL parent or node gives NULL. */
xmlNode *reg_xml_child(const xmlNode *parent, const char *ns, const char *name);
xmlNode *reg_xml_next_sibling(const xmlNode *node, const char *ns, const char *name);
#define reg_xml_for_each_child(child, parent, ns, name)                                    \
	for (xmlNode *child = reg_xml_child((parent), (ns), (name)); child;                \
	     child = reg_xml_next_sibling(child, (ns), (name)))
/* Text content of a node, trimmed of surrounding XML whitespace; caller frees (never NULL on
 * success, "" for an empty element); NULL only when node is NULL. */
char *reg_xml_text(const xmlNode *node);
/* A copy of s without the XML whitespace around it — the text reg_xml_text reads back from an
 * element written with s (what a signature over a text must cover); NULL when out of memory. */
char *reg_xml_trimmed(const char *s);
/* Text of the named child, or NULL when absent. */
char *reg_xml_child_text(const xmlNode *parent, const char *ns, const char *name);
/* Attribute value (no namespace) or NULL; caller frees. */
char *reg_xml_attr(const xmlNode *node, const char *name);
/* "/dossier/enterprise/legal-representative/citizen-id" — for error FIELDs: local names, no
 * prefixes, no indexes; an attribute node gives ".../@name", text its element's path. Caller
 * frees. */
char *reg_xml_path(const xmlNode *node);
/* The node's line (an attribute's: its element's), 0 when unknown.  Exact beyond 65535 in the
 * documents this module returns; a copy made with libxml2's own copy functions keeps lines only
 * up to 65535. */
long reg_xml_line(const xmlNode *node);

#endif
