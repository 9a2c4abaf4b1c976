/*
 * names — enterprise names as the window checks them (企业名称登记管理规定, 国务院令第734号, in
 * force 2021-03-01, with the Company Law, the Partnership Enterprise Law and the sole
 * proprietorship registration rules where they say what a form must be called).
 *
 * A name is 行政区划 + 字号 + 行业 + 组织形式: 乌海市 + 恒泰 + 商贸 + 有限公司.  reg_name_check
 * reports EVERY problem it finds, each as one error of the chain (code REG_ENO, no file, line
 * or field: the caller knows where the name came from and locates the chain), in this order:
 *
 *   size      empty, or longer than REG_NAME_MAX_CHARS characters (more than 4 bytes a
 *             character is refused before decoding), or not valid UTF-8 (overlong forms,
 *             surrogates and truncated sequences included).  These stop the check: nothing
 *             else is said about such an input.
 *   characters  standard Chinese characters only: every code point in the basic CJK Unified
 *             Ideographs block U+4E00–U+9FFF.  Extension A (U+3400–U+4DBF), the later
 *             extensions and the compatibility ideographs are refused: they are not in GBK
 *             (clerks' CSV files), most seal and license fonts lack them, and 通用规范汉字表
 *             characters outside the basic block are too rare to justify the risk.  Latin
 *             letters, digits (half- and full-width), spaces (also U+3000), punctuation and
 *             control characters are refused, each kind reported once, at its first
 *             occurrence.  Half-width ( ) gets its own message pointing to full-width （）.
 *             Simplified versus traditional forms are not told apart (no table for it).
 *   parentheses  full-width （） only around the trailing partnership qualifier.  The
 *             2023 rules' "字号（行政区划）" placement is not supported.
 *   division  the name starts with the division of the address or one it lies in, longest
 *             candidate first.  For 150302 the candidates are 乌海市海勃湾区, 乌海市, 乌海,
 *             内蒙古自治区, 内蒙古.  A city district (区 under a city) is NEVER accepted on its
 *             own: art. 7 of the regulation ("市辖区名称在企业名称中使用时应当同时冠以其所属的设
 *             区的市的行政区划名称"), so 海勃湾区恒泰… is refused with a pointer to 乌海市海勃湾区
 *             — a deliberate departure from a brief that listed 海勃湾区 alone.  Counties,
 *             banners and county-level cities stand alone or after their city (达拉特旗,
 *             鄂尔多斯市达拉特旗).  The level suffix may be left out where that is customary:
 *             省/市 of provinces, municipalities, prefecture-level and county-level cities
 *             (乌海, 满洲里), and 自治区/特别行政区 together with the ethnic qualifier
 *             (内蒙古, 广西, 宁夏, 新疆, 香港); never 县, 旗, 区 or 盟, and never when fewer
 *             than 2 characters would remain.  The match is the longest candidate, never
 *             retried shorter: 乌海市场服务有限公司 reads as 乌海市 + 场…, which is refused
 *             (write 乌海市市场服务有限公司).  With an unknown division the prefix is not checked
 *             (one "unknown division" problem instead) and the 字号 is taken from the start.
 *   form      the organization form at the end must match the legal form:
 *               llc          有限公司 or 有限责任公司 (Company Law art. 7), never 股份有限公司
 *               jsc          股份有限公司 or 股份公司 (Company Law art. 7)
 *               sole         one of 厂 店 馆 部 行 商行 中心 工作室 事务所 个人独资企业, and the
 *                            name must not contain 有限 or 公司 anywhere (个人独资企业登记管理
 *                            办法 art. 6)
 *               partnership  one of 合伙企业 中心 工作室 事务所 商行 厂 店 馆 部 行 followed by
 *                            （普通合伙）, （特殊普通合伙） or （有限合伙） (Partnership Enterprise
 *                            Law arts. 15, 56, 62: the kind must be stated); a bare 合伙企业
 *                            without the qualifier is refused; never 公司
 *             A bare 公司 (no 有限 or 股份) matches no legal form.  A mismatch names both:
 *             "organization form '股份有限公司' does not match legal form llc (有限公司 or
 *             有限责任公司)".  Branches (…分公司) are not enterprise names here.
 *   字号       what lies between the division and the form is 字号 + industry.  When it ends in
 *             a word of the shipped industry list (names.c, one table), that word is the
 *             industry and the rest the 字号, which must have at least 2 characters, must not
 *             itself be an industry word (商贸科技有限公司) nor a division name from the table,
 *             which holds the whole country's (regulation art. 8: 东方 of 海南省东方市 too),
 *             nor begin with a second division's full name after the prefix (乌海市海南区…
 *             for an address in 海勃湾区: the wrong district).  LENIENCE: when no listed word
 *             ends it, the industry wording is taken on trust and the whole middle must have
 *             at least 3 characters (2 for the 字号, 1 or more of industry) for a company; for
 *             sole proprietorships and partnerships, whose form word often carries the trade
 *             (商行, 饭店, 工作室), the industry may be absent and 2 characters suffice.
 *   restricted words  (one table in names.c, matched as substrings):
 *             中国 中华 全国 国家 中央 国际 may not head a name nor stand in the 字号; they are
 *             accepted only inside a listed industry phrase (国际贸易, 国际货运代理, 国际物流,
 *             国际旅行社, 中央空调), which is how the implementing rules let them "qualify the
 *             industry".  Refused anywhere after the division: 世界 环球 全球 亚洲 联合国
 *             (international bodies, misleading scope) and party/state organ words 共产党 中共
 *             政府 国务院 人民代表大会 政协 解放军 武警 公安 检察院 法院 部队 (regulation art. 11(3)).
 *             Obscene, discriminatory or misleading content in general is for the clerk: no
 *             word list decides it.
 *
 * Not here: whether the name is already registered or appears twice in a batch (the registry
 * and reg-apply check uniqueness).  All functions are pure and thread-safe.
 *
 * People's names (the legal representative, shareholders that are persons, the financial
 * officer: everyone the window registers has a GB 11643 citizen id, so a name as the household
 * register and the identity card write it), reg_person_name_check, reporting every problem as
 * reg_name_check does:
 *   size      1 to REG_PERSON_NAME_MAX_CHARS characters of valid UTF-8.  30 is room for the
 *             long names of minorities written in characters (维吾尔族, 蒙古族, 藏族 …: 阿卜杜热
 *             合曼·买买提明 has 11) with room to spare; the seals lay out what this allows.
 *   characters  CJK Unified Ideographs U+4E00–U+9FFF with extensions A to G (U+3400–U+4DBF,
 *             U+20000–U+3134F but for the unassigned gaps) and the compatibility ideographs
 *             (U+F900–U+FAFF, U+2F800–U+2FA1F): unlike an enterprise name, a person's name is
 *             not chosen, and the rare characters of names (生僻字) are why GB 18030 and the
 *             extensions exist.  Extension H and later (Unicode 15, 2022, and on) are not
 *             accepted yet.  And the middle dot U+00B7 '·' that joins the parts of a
 *             transliterated minority name (the identity card's own), never first, never
 *             last, never two in a row; the dots it is confused with (. ・ • ‧ ．) are
 *             refused with a pointer to it.  Latin letters, digits, spaces, punctuation and
 *             control characters are refused, each kind once, at its first occurrence, so
 *             "=1+1" is two problems (a character '=' and a digit '1').
 */
#ifndef REG_NAMES_H
#define REG_NAMES_H

#include "errors.h"

/* The longest name accepted, in characters, as the dossier schema's maxLength.  Every
 * accepted character takes 3 bytes in UTF-8, so a part of a valid name fits in
 * REG_NAME_MAX_BYTES + 1. */
#define REG_NAME_MAX_CHARS 100
#define REG_NAME_MAX_BYTES (REG_NAME_MAX_CHARS * 3)

/* The longest person's name accepted, in characters. */
#define REG_PERSON_NAME_MAX_CHARS 30

/* Check a person's name (UTF-8, NUL-terminated; any bytes; NULL is empty): 0 when it is
 * acceptable, else -1 with every problem appended to *errp (REG_ENO, no location: the caller
 * says whose name it is). */
int reg_person_name_check(const char *name, reg_err **errp);

/* Check `name` (UTF-8, NUL-terminated; any bytes) for legal form `legal_form` (llc, jsc,
 * sole, partnership — the dossier's <form>) at the address's GB/T 2260 `division` (six
 * digits).  Returns 0 when the name is acceptable, else -1 with every problem appended to
 * *errp (errp may be NULL).  An unknown legal form or division is itself a problem. */
int reg_name_check(const char *name, const char *legal_form, const char *division,
		   reg_err **errp);

/* The four parts of an acceptable name, each NUL-terminated UTF-8, concatenating to it:
 * division "乌海市海勃湾区", trade "蒙鑫", industry "再生资源回收", form "有限公司" (for a
 * partnership "中心（有限合伙）").  When the industry wording is not in the shipped list the
 * boundary is unknown: trade holds 字号 and industry together and industry is "". */
typedef struct reg_name_parts {
	char division[REG_NAME_MAX_BYTES + 1];
	char trade[REG_NAME_MAX_BYTES + 1];
	char industry[REG_NAME_MAX_BYTES + 1];
	char form[REG_NAME_MAX_BYTES + 1];
} reg_name_parts;

/* reg_name_check, then the decomposition into *parts; -1 (parts zeroed) when the check
 * fails. */
int reg_name_split(const char *name, const char *legal_form, const char *division,
		   reg_name_parts *parts, reg_err **errp);

/* What the name must end in for a legal form, as the mismatch message says it ("有限公司 or
 * 有限责任公司"); NULL for an unknown legal form. */
const char *reg_name_expected_form(const char *legal_form);

/* A newly allocated copy of `name` with surrounding spaces (ASCII white space, U+3000) removed
 * and half-width ( ) turned into full-width （ ）: what a clerk's form may offer to fix before
 * checking.  reg_name_check never normalizes — the name registered is the name checked.
 * NULL with an error for NULL or an input longer than 4 × REG_NAME_MAX_CHARS bytes (or out of
 * memory); anything else, even invalid UTF-8, is copied (the check reports it). */
char *reg_name_normalize(const char *name, reg_err **errp);

#endif
