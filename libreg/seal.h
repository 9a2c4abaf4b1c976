/*
 * seal — the seal set engraved free at issuance (公章刻制免费, docs/domain.md): true-size SVG
 * drawings, the seal codes filed in the registry, and the public-security filing record.
 *
 * The seal types (code, id, shape, sizes, border, star, fonts, engraving price) come from the
 * catalog (libreg/catalog.h, schemas/catalog.xml); a city edits its catalog, not this code.  What
 * stands on a seal follows from its type:
 *   round   the enterprise name on the upper arc, one rotated <text> per character (never
 *           <textPath>, which librsvg ignores), the star in the centre when the type has one,
 *           the type's Chinese name (合同专用章) below the star — except on the official seal
 *           (id "official", 公章), which carries only the name — and the seal code small along
 *           the bottom arc, one digit per <text>.  A joint-stock company (form "jsc") gets the
 *           type's jsc-diameter (42 mm for 公章).
 *   oval    the name on the upper arc (evenly spaced along the arc, each character turned to the
 *           curve's normal), the USCC across the centre in the type's code-font when it has one,
 *           the type's Chinese name below it and the seal code under that.
 *   square  the characters in a grid read in columns from right to left, each column from the
 *           top (the traditional order): the enterprise name followed by the type's Chinese
 *           name (财务专用章); for the legal-representative seal (id "legal-rep") the person's
 *           name instead, completed to a square grid as name seals are (张伟 → 张伟之印,
 *           张三丰 → 张三丰印); the seal code in a strip along the bottom.
 * The name arc spans 210° for names of up to 10 characters and widens by 6° per further
 * character up to 270° (20 characters and more), measured between the centres of the first and
 * last characters; characters are as large as the ring allows (14.5% of the diameter at most)
 * and shrink for long names so neighbours never touch.  Below a tenth of the seal's size (its
 * diameter, or the mean of an oval's axes: 4 mm on 公章) characters are narrowed instead (长体,
 * down to 60% of their height) and below 7.5% (3 mm) the name takes two concentric rows, read
 * outer row first, when they hold it taller — as real seals lay out long names; on the oval the
 * two rows stay small enough to leave the USCC 2.25 mm.  Every name the window accepts fits,
 * none is refused for its length.  What stands inside
 * the name (the caption, the USCC, the code) is sized so that it keeps clear of every character
 * of it.  docs/seals.md shows the results and the sizes at the longest name.
 *
 * The SVG is self-contained (no external references, no scripts), width and height in "mm"
 * with a viewBox in millimetres, red (REG_SEAL_COLOR) on transparent, and deterministic: every
 * number is written from integer micrometres (or thousandths of a degree) by hand, never with
 * printf's %f, so neither the locale nor the platform changes a byte.  Text is XML-escaped.
 * Elements carry a class saying what they are ("border", "star", "name", "caption", "uscc",
 * "code", "specimen"), for tests and for anyone styling a print.
 *
 * A specimen (sample shown before issuance, 样本) has no seal code and a diagonal
 * "样本 SPECIMEN" watermark across it; its USCC may be absent (the oval seal then shows
 * eighteen X as a placeholder).  A specimen is never filed.  A seal filed (or a stamp pressed)
 * by a test-only authority (authority.xml test-only="true": its private key is public) keeps its
 * code and gets the same watermark worded "样本 TEST" (class "test-authority"): it proves
 * nothing, and says so.  A specimen of a test authority carries only the specimen's mark.
 *
 * Registry.  Seal codes are 13 digits: the authority's division and a 7-digit serial from the
 * registry counter "seal:<division>", so they are unique per authority.  reg_seal_file_set is the
 * one function that files a set; reg-issue and reg-seal both call it, and calling it again for
 * the same USCC returns the codes already filed instead of taking new serials.
 *
 * Limits (untrusted input): an enterprise name holds 2 to REG_SEAL_NAME_MAX characters and a
 * person's name 1 to REG_SEAL_PERSON_MAX; both must be valid UTF-8 without control characters.
 * These are the window's limits too: REG_SEAL_NAME_MAX is REG_NAME_MAX_CHARS (libreg/names.h),
 * so every name the window accepts is engraved, and the window refuses a legal representative
 * whose name is longer than REG_SEAL_PERSON_MAX (the name seal's 6 × 5 grid).  Anything else is
 * refused with REG_ENO, never drawn.  Errors name the dossier element the value comes from as
 * their field (/dossier/enterprise/name, /dossier/issuance/@uscc …).
 */
#ifndef REG_SEAL_H
#define REG_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.h"
#include "catalog.h"
#include "dossier.h"
#include "errors.h"
#include "ids.h"
#include "names.h"
#include "registry.h"

#define REG_SEAL_DIR "seals"              /* the set's folder in an archive: <USCC>/seals/ */
#define REG_SEAL_FILING "filing.xml"      /* the filing record inside it */
#define REG_SEAL_COLOR "#d4000f"          /* seal-paste red */
#define REG_SEAL_NAME_MAX REG_NAME_MAX_CHARS /* characters of an enterprise name: 100 */
#define REG_SEAL_PERSON_MAX 30            /* characters of a person's name on a seal */
#define REG_SEAL_FILE_NAME_MAX 80         /* "NN-<id>.svg" with a 64-character id, and NUL */

/* Whom a set of seals is for.  Strings are owned by the struct when filled by
 * reg_seal_owner_from_dossier (release with reg_seal_owner_clear); a caller that fills one by
 * hand owns its strings itself. */
typedef struct reg_seal_owner {
	char *name;       /* enterprise name as on the license */
	char *form;       /* llc | jsc | sole | partnership; "jsc" selects the jsc-diameter */
	char *legal_rep;  /* the legal representative's name (the legal-representative seal) */
	char *uscc;       /* from <issuance uscc=…>; NULL before issuance (specimens only) */
} reg_seal_owner;

/* Read name, form, legal representative and USCC from a dossier.  A missing name or legal
 * representative is REG_ENO with the element's path as field and the dossier's file and line;
 * a missing issuance leaves uscc NULL (the caller decides whether that is an error). */
int reg_seal_owner_from_dossier(const reg_dossier *d, reg_seal_owner *out, reg_err **errp);
void reg_seal_owner_clear(reg_seal_owner *o);

/* One seal to draw. */
typedef struct reg_seal_spec {
	const reg_seal_type *type;   /* from the catalog */
	const reg_seal_owner *owner;
	const char *code;            /* the 13-digit seal code; NULL draws a specimen */
	bool stamp;                  /* the registration authority's own seal pressed on a license
				      * (owner->name is the authority's name): no code, no
				      * specimen watermark, never filed; code must be NULL */
	bool test_authority;         /* by a test-only authority: marked 样本 TEST (above) */
} reg_seal_spec;

/* Draw one seal as SVG into *svg (NUL-terminated, *len bytes without the NUL, owned by the
 * caller).  REG_ENO when a name does not fit the limits above, the USCC is invalid, a filed
 * (non-specimen) oval seal has no USCC, or the code is not 13 digits; a stamp with a code is
 * REG_EINTERNAL. */
int reg_seal_svg(const reg_seal_spec *spec, char **svg, size_t *len, reg_err **errp);

/* A length in millimetres as the seals write it, from integer micrometres (19.4 → "19.4",
 * 20 → "20", -0.0004 → "0"): no locale or %f rounding changes a byte.  reg_seal_mm_format
 * writes it into buf (always enough: REG_SEAL_MM_BUFSIZE); reg_seal_mm_text returns a copy
 * owned by the caller, NULL when out of memory. */
#define REG_SEAL_MM_BUFSIZE 32
void reg_seal_mm_format(double v, char buf[REG_SEAL_MM_BUFSIZE]);
char *reg_seal_mm_text(double v);

/* The font-family lists of the catalog's faces (docs/seals.md): each face as Windows, macOS and
 * Debian (fonts-arphic-uming, fonts-arphic-ukai, fonts-noto-cjk) name it.  The license and the
 * notices print with the same lists. */
#define REG_FONT_SONG "SimSun, Songti SC, AR PL UMing CN, Noto Serif CJK SC, serif"
#define REG_FONT_FANGSONG "FangSong, STFangsong, AR PL UKai CN, Noto Serif CJK SC, serif"
#define REG_FONT_KAI "KaiTi, STKaiti, AR PL UKai CN, Noto Serif CJK SC, serif"
#define REG_FONT_HEI "SimHei, Heiti SC, Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif"
#define REG_FONT_ARIAL "Arial, Liberation Sans, DejaVu Sans, sans-serif"

/* "01-official.svg": the type's code and id (docs/formats.md).  -1 when it does not fit. */
int reg_seal_file_name(const reg_seal_type *type, char *buf, size_t size);

/* One filed seal of a set. */
typedef struct reg_seal_filed {
	const reg_seal_type *type;
	char code[REG_SEAL_CODE_LEN + 1];
	int64_t filed_at;            /* epoch seconds of its filing (kept when reused) */
	bool reused;                 /* filed before: no serial was taken this time */
} reg_seal_filed;

/*
 * File the catalog's seal set for an issued USCC, inside the caller's transaction
 * (reg_registry_begin … commit: a rollback un-takes every serial).  out receives one entry per
 * catalog seal type, in catalog order (reg_catalog_seal_count entries).  A type already filed for
 * this USCC keeps its code and filing time; each missing one takes the next serial of
 * "seal:<division>", becomes code division + serial (reg_seal_code_make) and is recorded with
 * reg_registry_add_seal at `at`; when anything new was filed one event "seal-filed" is appended
 * for the issuance's dossier, its detail the USCC and the new codes ("91150302MA0000015Y
 * 01=1503020000001 02=…").  *n_new (may be NULL) counts the seals filed now.
 * A USCC that is not valid, or not issued by this registry, is REG_ENO ("USCC 'X' was not issued
 * by this registry"); a serial past 9 999 999 is REG_ENO as well.
 */
int reg_seal_file_set(reg_registry *reg, const reg_catalog *cat, const char *division,
		      const char *uscc, int64_t at, reg_seal_filed *out, size_t *n_new,
		      reg_err **errp);

/*
 * The public-security filing record, seals/filing.xml (namespace urn:regkit:archive:1):
 *
 *   <seal-filing xmlns="urn:regkit:archive:1" date="2026-11-23">
 *     <enterprise uscc="91150302MA0000015Y" form="llc">
 *       <name>乌海市恒泰商贸有限公司</name>
 *       <legal-representative>张伟</legal-representative>
 *     </enterprise>
 *     <authority division="150302">乌海市海勃湾区市场监督管理局</authority>
 *     <filed-with item="seal-filing" dept="police">公安局</filed-with>
 *     <seals>
 *       <seal code="1503020000001" type="01" id="official" shape="round" width="40"
 *             height="40" file="01-official.svg" filed="2026-11-23" fee="0.00" spared="300.00">
 *         <zh>公章</zh><en>official seal</en>
 *       </seal>
 *       …
 *     </seals>
 *     <total count="5" fee="0.00" spared="1000.00"/>
 *   </seal-filing>
 *
 * date is the latest filing date of the set and every date is in the authority's time zone, so
 * the record of a set filed earlier is the same byte for byte however often it is written.
 * Sizes are the seal's true size in millimetres (jsc-diameter for a joint-stock company); fee
 * is always 0 (free engraving) and spared the catalog's engraving price in yuan.  filed-with
 * names the department of the catalog item "seal-filing" and is left out when the catalog has
 * no such item.  Serialized as every regkit document (libreg/xml.h reg_xml_serialize).
 */
int reg_seal_filing_xml(const reg_catalog *cat, const reg_authority *authority,
			const reg_seal_owner *owner, const reg_seal_filed *seals, size_t n,
			char **xml, size_t *len, reg_err **errp);

#endif
