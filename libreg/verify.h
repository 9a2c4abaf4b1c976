/*
 * verify — is an issued archive genuine?  (reg-verify ARCHIVE…, docs/formats.md, "Archive")
 *
 * Works on an archive reg_archive_load has already accepted: every hostile archive (absolute
 * or ".." paths, links, devices, duplicates, oversized entries, bombs, truncated gzip …) was
 * refused there, nothing was written to disk, and nothing here reads anything but the entries
 * in memory and, when asked, the registry.
 *
 * Every problem found is one REG_ENO error ("not genuine", exit 1) appended to the chain, so
 * one run names them all.  An error's file is the entry it concerns ("license.xml") — or the
 * archive itself for a problem of the whole — its line and field the element's line and path
 * when there is one.  The checks, in the order their problems are reported:
 *
 *  1. MANIFEST and signature (reg_archive_check_manifest): MANIFEST.sig is the authority's
 *     Ed25519 signature of MANIFEST, every file's digest matches its MANIFEST line, and no file
 *     is missing from or extra to MANIFEST;
 *  2. the top directory is a valid USCC (GB 32100, reg_uscc_check);
 *  3. layout (docs/formats.md), from the catalog: license.xml, license.svg, dossier.xml and
 *     seals/filing.xml; one registrations/NN-<item-id>.xml per catalog item (NN the item's
 *     number, two digits) and no other file in registrations/; one seals/NN-<seal-id>.svg per
 *     catalog seal type (NN the type's code) and no other .svg in seals/;
 *  4. documents: each of those is well-formed XML (reg_xml_parse_memory: no DTD, caps) with
 *     its root — <license>, <registration> and <seal-filing> in urn:regkit:archive:1, <dossier>
 *     in urn:regkit:dossier:1, <svg> (any namespace) for the drawings;
 *  5. the USCC: license.xml's root has a <uscc> child whose text is the top directory, and so
 *     are seals/filing.xml's <enterprise uscc="…"> and dossier.xml's <issuance uscc="…">
 *     when present;
 *  6. identifiers in license.xml and seals/filing.xml, found by name, each valid by its
 *     standard (libreg/ids.h):
 *        element or attribute `uscc`                        USCC (GB 32100)
 *        element or attribute `citizen-id`                  citizen id (GB 11643)
 *        element or attribute `org-code`                    organization code (GB 11714)
 *        element or attribute `seal-code`, and `code` of a <seal>   seal code: 13 digits
 *     (these names are the contract with reg-issue: a document may add any other element,
 *     and only these are taken for identifiers);
 *  7. the seal set filed: seals/filing.xml's <seals> holds exactly one <seal> per catalog seal
 *     type (by its `type`, the type's code), each with a seal code, no code twice;
 *  8. with a registry: the USCC was issued by it, the archive's SHA-256 is that of an edition
 *     the registry recorded for it (an earlier edition is genuine and said to be superseded;
 *     a digest of no edition: the message says whether the tar is still canonical — the
 *     writer's exact bytes — or was repacked), dossier.xml's acceptance number is the
 *     issuance's dossier, and the seal codes of seals/filing.xml are exactly those the
 *     registry filed for this USCC, each of the same type;
 *  9. the departments' signatures (docs/signatures.md): dossier.xml's approvals grouped into
 *     statements, each signed by the key its department had at the statement's time, and for
 *     each one verdicts/NN-<dept>.txt holding exactly that statement and verdicts/NN-<dept>.sig
 *     its signature.  An archive issued before verdicts were signed (no signature at all, no
 *     verdicts/) is genuine and says its verdicts are unsigned; an unsigned statement beside
 *     signed ones is not;
 * 10. the tree: no file but those steps 3 and 9 name (and MANIFEST, MANIFEST.sig); and every
 *     document agrees with dossier.xml: license.xml's name and acceptance number, every
 *     registration record's USCC and name, seals/filing.xml's enterprise name.
 * A document that cannot be parsed is reported once and its later checks are skipped.
 *
 * Only a failure of the check itself is anything but REG_ENO: the registry busy (REG_EBUSY),
 * unreadable (REG_EIO), out of memory (REG_EINTERNAL).  reg_err_exit_code on the chain tells
 * the two apart.
 */
#ifndef REG_VERIFY_H
#define REG_VERIFY_H

#include "tarball.h"
#include "catalog.h"
#include "errors.h"
#include "registry.h"
#include "keyring.h"
#include "sign.h"

typedef struct reg_verify_options {
	const reg_sign_key *key;     /* the authority's key (public or private); required */
	const reg_catalog *catalog;  /* the items and seal types an archive holds; required */
	reg_registry *registry;      /* NULL: no registry comparison (step 8 skipped) */
	const reg_keyring *keys;     /* the departments' keys (step 9); NULL skips the check of
				      * their signatures (said in a note) */
	const char *test_authority;  /* the TEST authority's name when the key is the shipped
				      * test key (or the configured authority is test-only): said
				      * in a note; NULL otherwise */
	int offset_min;              /* the authority's zone, to read approval times */
} reg_verify_options;

/* 0: the archive passed every check; *errp may then hold notes (code REG_OK: "signed by the
 * TEST authority …", "its verdicts are unsigned: …", "edition 1, superseded by edition 2").
 * -1: *errp holds the chain (see above), notes included. */
int reg_verify_archive(const reg_archive_entries *e, const reg_verify_options *opt,
		       reg_err **errp);

/*
 * The third field of reg-verify's line for a chain of reasons (from reg_archive_load or
 * reg_verify_archive): each reason as "[FILE[:LINE]: ][FIELD: ]message" — FILE left out when
 * it is `archive` (the archive's own name) or unknown — joined by "; ".  Control characters
 * (TAB and newline included) are written as \xHH so the line keeps its three fields.
 * NULL only when out of memory.  Caller frees.
 */
char *reg_verify_reasons(const reg_err *chain, const char *archive);

#endif
