/*
 * diff — what changed between two issued archives or two dossier files (reg-diff,
 * docs/architecture.md): the auditor's question "what is different about this enterprise's
 * papers?", answered in terms of documents and fields, not bytes.
 *
 * ENTRIES.  Two archives (already loaded, and so already past every hostile-archive check of
 * tarball.h) are compared entry by entry, an entry being a file's path below the top directory
 * ("license.xml", "seals/01-official.svg"), so archives of two different USCCs line up.  Entries
 * are visited in the archives' own order (byte-wise by path) and every line about one entry is
 * written before the next entry's, so the output is deterministic.
 *   - an entry only in B is `+ ENTRY`, only in A `- ENTRY`;
 *   - entries with the same bytes are the same, and say nothing;
 *   - an XML entry (its name ends in .xml or .svg) is compared as a tree (below): formatting,
 *     indentation, whitespace between elements, attribute order and namespace prefixes never
 *     count, so an entry that differs only in those says nothing at all;
 *   - every other entry — MANIFEST and MANIFEST.sig, any non-XML file, and an XML entry that
 *     is not well-formed on either side — is compared by its bytes (its digest): `~ ENTRY`.
 *
 * TREES.  Both documents are parsed with reg_xml_parse_memory (whitespace-only text between
 * elements is already gone), then compared from the root down, one element pair at a time:
 *   1. attributes, as a set keyed by namespace and local name (namespace declarations are not
 *      attributes): `~ ENTRY PATH/@NAME: OLD → NEW`, `~ ENTRY -PATH/@NAME: OLD`,
 *      `~ ENTRY +PATH/@NAME: NEW`;
 *   2. the element's own text (its text and CDATA children, concatenated):
 *      `~ ENTRY PATH: OLD → NEW`;
 *   3. child elements, grouped by namespace and local name, the k-th child of a name in A
 *      paired with the k-th of that name in B (names in order of first appearance in A, then
 *      names only B has in B's order); unpaired children are `~ ENTRY -PATH[: TEXT]` and
 *      `~ ENTRY +PATH[: TEXT]` (TEXT when the element holds no elements), and their insides
 *      are not listed.  The relative order of differently named siblings is not compared.
 *   Two roots of different names are `~ ENTRY -/A` and `~ ENTRY +/B`.
 * PATH is the element's local names from the root, "/license/items/item[10]/status", with a
 * 1-based index where the parent has more than one child of that name in A or in B; an
 * attribute with a namespace prefix shows it ("@xlink:href").  Values are written as they
 * are (UTF-8), empty as "", with backslash, control characters (C0, DEL and C1) escaped as
 * \\, \n, \t, \r or \xHH, and cut after REG_DIFF_VALUE_MAX bytes (on a character boundary)
 * with "..." appended.  Attribute lines come first, then the text line, then the children's.
 *
 * BRIEF: entry names only — `+ ENTRY`, `- ENTRY`, `~ ENTRY` — with the same rules for what
 * counts as a difference (an XML entry that differs only in formatting is still not listed).
 *
 * DOSSIER FILES (root <dossier> or <batch> in urn:regkit:dossier:1).  Two single dossiers are
 * one entry named "dossier.xml" — the name the dossier has in an archive, so comparing two
 * extracted dossier.xml files gives the lines comparing their archives gives.  When either file
 * is a batch, each dossier is an entry named by its acceptance number (acceptance/@number; a
 * single dossier counts as a batch of one), entries in byte-wise order of that number: a
 * dossier only in B is `+ NUMBER`, a changed one `~ NUMBER /dossier/...: OLD → NEW`.  A
 * dossier of a batch without an acceptance number, a number that appears twice in one file,
 * or anything in a batch that is not a dossier is REG_EDATA (the files cannot be lined up).
 *
 * GENUINE.  An archive that is not genuine (libreg/verify.h) still compares, but the auditor
 * must know: reg_diff_say_genuine writes `! NAME: not genuine: REASONS` for such a side before
 * any difference (it is no difference itself, and counts in no *ndiff).
 *
 * Lines go to the caller's stream, each ended by "\n"; a failed write is REG_EIO.  *ndiff
 * receives the number of lines written (in brief mode, the entries that differ): 0 means the
 * two are the same.  Nothing here keeps state between calls.
 */
#ifndef REG_DIFF_H
#define REG_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "tarball.h"
#include "configuration.h"
#include "errors.h"
#include "verify.h"

#define REG_DIFF_VALUE_MAX 512       /* bytes of a value shown before it is cut */
#define REG_DIFF_DOSSIER_ENTRY "dossier.xml"

enum reg_diff_flags {
	REG_DIFF_BRIEF = 1u << 0,    /* entry names only */
};

/* Compare two loaded archives entry by entry. */
int reg_diff_archives(const reg_archive_entries *a, const reg_archive_entries *b, unsigned flags,
		      FILE *out, size_t *ndiff, reg_err **errp);

/* Compare two element trees as the entry `entry` (the label at the start of every line);
 * a and b are the roots to compare (usually each document's root element). */
int reg_diff_tree(const char *entry, const xmlNode *a, const xmlNode *b, unsigned flags,
		  FILE *out, size_t *ndiff, reg_err **errp);

/* Compare two parsed dossier files (see DOSSIER FILES); name_a and name_b are what errors call
 * them.  A root that is neither <dossier> nor <batch> of the dossier namespace is REG_EDATA. */
/* Verify archive `e` (called `name`) with `opt` and, when it is not genuine, write its `!`
 * line.  *genuine (may be NULL) says which.  -1 only when the check itself failed (registry,
 * memory). */
int reg_diff_say_genuine(const reg_archive_entries *e, const char *name,
			 const reg_verify_options *opt, FILE *out, bool *genuine, reg_err **errp);
int reg_diff_dossiers(const xmlDoc *a, const char *name_a, const xmlDoc *b, const char *name_b,
		      unsigned flags, FILE *out, size_t *ndiff, reg_err **errp);

/* reg-diff's whole job: load `a` and `b` ("-" is standard input; an archive by its name, .tar.gz
 * or .tgz, or by the gzip magic, through the hostile-safe reader; anything else a dossier file),
 * say first of each archive that is not genuine (the configuration's authority and catalog),
 * then write their differences to `out`; *ndiff counts them.  An archive against a dossier file
 * is REG_EUSAGE. */
int reg_diff_inputs(reg_config *cfg, const char *a, const char *b, unsigned flags, FILE *out,
		    size_t *ndiff, reg_err **errp);

#endif
