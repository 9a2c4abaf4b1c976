/*
 * ids — the identifiers of Chinese registration, implemented from their standards.
 *
 *   USCC          GB 32100-2015, 18 chars: registration-department code, category code,
 *                 6-digit division (GB/T 2260), 9-char organization code (GB 11714), check char.
 *                 Charset 0123456789ABCDEFGHJKLMNPQRTUWXY (31 symbols: no I O Z S V); weights
 *                 3^i mod 31; check = 31 - (sum mod 31), 31 -> 0.
 *   org code      GB 11714: 8 body chars (digits and A-Z, valued A=10 … Z=35) + check;
 *                 weights 3 7 9 10 5 8 4 2; check = 11 - (sum mod 11), 10 -> X, 11 -> 0.
 *   citizen id    GB 11643: 6-digit division, 8-digit birth date that must exist, 3-digit order
 *                 (odd male, even female), ISO 7064 MOD 11-2 check (X for 10).  "Not born in
 *                 the future" needs today's date, which a pure function does not have: the
 *                 check here is that the date exists and its year is 1900 or later; a caller
 *                 that knows the date compares reg_citizen_id_birth (or reg_citizen_id_age >= 0).
 *   division      GB/T 2260 codes with names: every province-, prefecture- and county-level
 *                 code in use, from schemas/divisions.tsv compiled in; its edition, where it
 *                 comes from and how to update it: docs/divisions.md.
 *   seal code     13 digits: 6-digit division + 7-digit serial.
 *
 * Validation reports the FIRST rule that failed, in the fixed order of reg_id_rule, with a
 * message fit to print (lower case, no full stop; only printable ASCII of the input is quoted,
 * so the message is safe to print whatever the input); "explain" decomposes a valid code.
 * Each kind checks the rules that apply to it: USCC length, charset (positions 3-8 digits, the
 * rest the USCC charset), department/category, organization code, check; org code length,
 * charset (8 digits or A-Z, then a digit or X), check; citizen id length, charset (17 digits,
 * then a digit or X), birth date, check.  A USCC or citizen id whose division is not in the
 * table is still valid: national codes carry 100000, and codes issued under a division keep it
 * after the division is retired.
 * All functions are pure and thread-safe.
 */
#ifndef REG_IDS_H
#define REG_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REG_USCC_LEN 18
#define REG_ORG_CODE_LEN 9
#define REG_CITIZEN_ID_LEN 18
#define REG_SEAL_CODE_LEN 13
#define REG_USCC_CHARSET "0123456789ABCDEFGHJKLMNPQRTUWXY"

typedef enum reg_id_rule {
	REG_ID_OK = 0,
	REG_ID_LENGTH,       /* wrong number of characters */
	REG_ID_CHARSET,      /* a character outside the charset (lower case gets a hint) */
	REG_ID_DEPT_CATEGORY,/* USCC positions 1-2 not a GB 32100 pair */
	REG_ID_ORG_CODE,     /* the organization code inside a USCC fails its own check */
	REG_ID_BIRTH_DATE,   /* citizen id: the birth date does not exist or is before 1900 */
	REG_ID_CHECK,        /* the final check character is wrong */
} reg_id_rule;

typedef struct reg_id_result {
	reg_id_rule rule;
	char message[160];   /* why it is invalid, "" when ok */
	char expected_check; /* for REG_ID_CHECK: the character that should stand last */
} reg_id_result;

/* Validate; `code` is NUL-terminated and may be any bytes (UTF-8 counts characters, not bytes,
 * for the length message). */
reg_id_result reg_uscc_check(const char *code);
reg_id_result reg_org_code_check(const char *code);
reg_id_result reg_citizen_id_check(const char *id);
static inline bool reg_uscc_valid(const char *c) { return reg_uscc_check(c).rule == REG_ID_OK; }
static inline bool reg_org_code_valid(const char *c) { return reg_org_code_check(c).rule == REG_ID_OK; }
static inline bool reg_citizen_id_valid(const char *c) { return reg_citizen_id_check(c).rule == REG_ID_OK; }

/* Check characters of the first 17 (USCC), 8 (org code), 17 (citizen id) characters; '\0'
 * when a character is outside the charset. */
char reg_uscc_check_char(const char *first17);
char reg_org_code_check_char(const char *first8);
char reg_citizen_id_check_char(const char *first17);

/* Build a new enterprise USCC "91" + division + "MA" + serial6 + org check + USCC check from a
 * serial number (0 … 31^6-1, written in the USCC charset, most significant first).
 * out must hold 19 bytes.  Returns -1 if the division is not 6 digits or serial is out of range. */
int reg_uscc_make(const char *division6, uint64_t serial, char out[REG_USCC_LEN + 1]);
/* 13-digit seal code: division + 7-digit serial (0 … 9 999 999). */
int reg_seal_code_make(const char *division6, uint64_t serial, char out[REG_SEAL_CODE_LEN + 1]);

/* Names of GB 32100 registration departments and categories ("1" → "机构编制 institutional
 * establishment", "91" → "企业 enterprise"); NULL when not in the table. */
const char *reg_uscc_department_name(char dept);
const char *reg_uscc_category_name(char dept, char category);

/* Divisions (GB/T 2260). reg_division_name returns the full name ("内蒙古自治区乌海市海勃湾区";
 * a province alone: "北京市"; where the standard has no prefecture the province and the county:
 * "北京市朝阳区", "湖北省仙桃市", docs/divisions.md) or NULL when the code is not six digits or
 * not in the shipped table — a retired code too ("110103", 崇文区 until 2010).  The strings are
 * static. */
const char *reg_division_name(const char *code6);
/* The name as the standard writes it ("海勃湾区"), for enterprise names (行政区划 + 字号 …). */
const char *reg_division_short_name(const char *code6);
bool reg_division_known(const char *code6);
/* Is s[0..n) exactly the short name of a division ("海勃湾区", "东方市")?  The table's copy of
 * the name, or NULL; by bisection over an index of the names, so the name rules can ask for
 * every prefix of an enterprise name.  Several divisions may share a name (鼓楼区): which one's
 * copy comes back is unspecified. */
const char *reg_division_find_short_name(const char *s, size_t n);
/* Iterate the table in code order (for completion), name = the full name: false past the end. */
bool reg_division_at(size_t index, const char **code, const char **name);

/* Decomposition of a valid code for `reg-verify --explain`, one line, fields separated by "; "
 * ("department 9 工商 industry and commerce; category 1 企业 enterprise; division 150302
 * 内蒙古自治区乌海市海勃湾区; organization code MA0000015; check Y"); for an org code the body
 * and check; for a citizen id the division, birth date, order, sex and check.  Unknown
 * divisions are said to be unknown, not an error ("division 100000 unknown"; "division 500105
 * unknown, in 重庆市" when only the province is known, as for a code retired since).  An
 * invalid code gets its message instead.  The result is truncated to fit `size`;
 * REG_ID_EXPLAIN_MAX holds any explanation with the shipped tables (the longest is under 300
 * bytes). */
#define REG_ID_EXPLAIN_MAX 512
void reg_uscc_explain(const char *code, char *buf, size_t size);
void reg_org_code_explain(const char *code, char *buf, size_t size);
void reg_citizen_id_explain(const char *id, char *buf, size_t size);

/* Birth date of a valid citizen id: 0, or -1 (nothing stored) when the id is invalid. */
int reg_citizen_id_birth(const char *id, int *year, int *month, int *day);
/* Age in whole years at the civil date (y, m, d), from a valid citizen id; -1 if the id is
 * invalid or the date comes before the birth.  Someone born on 29 February comes of age on
 * 1 March in a common year. */
int reg_citizen_id_age(const char *id, int year, int month, int day);

/* A citizen id as listings show it on screen (docs/decisions.md): the first 6 and last 4
 * characters kept, each one between as '*' (150302********0104).  Anything that is not 11 to
 * REG_CITIZEN_ID_MASK_MAX-1 ASCII letters and digits is all stars, one per byte up to the
 * buffer; NULL gives "". */
#define REG_CITIZEN_ID_MASK_MAX 64
void reg_citizen_id_mask(const char *id, char out[REG_CITIZEN_ID_MASK_MAX]);

#endif
