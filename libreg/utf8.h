/*
 * utf8 — UTF-8 as RFC 3629 defines it, in one place.
 *
 * A valid sequence is the shortest form of one code point in U+0000..U+10FFFF that is not a
 * surrogate (U+D800..U+DFFF): overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED
 * A0..BF), code points past U+10FFFF (F4 90.., F5..FF) and sequences cut short are not.  The
 * decoder is strict; what a caller does with bytes that are not UTF-8 (refuse the text,
 * replace them with U+FFFD, quote them) is the caller's.
 *
 * The counting and cutting helpers do not decode: a character is a byte that does not continue
 * a sequence (10xxxxxx), so on valid UTF-8 they count and cut code points, and on anything else
 * they still terminate and never cut between a lead byte and its continuation bytes.
 */
#ifndef REG_UTF8_H
#define REG_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* U+FFFD REPLACEMENT CHARACTER, 3 bytes. */
#define REG_UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* A byte that continues a sequence (10xxxxxx) rather than starting a character. */
static inline bool reg_utf8_continues(unsigned char b)
{
	return (b & 0xC0) == 0x80;
}

/* C0 controls, DEL and the C1 controls (U+0080..U+009F). */
static inline bool reg_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

/* Decode the sequence at s (n bytes available): its length 1..4, and its code point in *cp
 * (cp may be NULL).  0 when n is 0 or the bytes there start no valid sequence (overlong,
 * surrogate, past U+10FFFF, a stray continuation byte, or cut short by n); *cp is then left
 * alone.  U+0000 is a valid one-byte sequence. */
size_t reg_utf8_next(const void *s, size_t n, uint32_t *cp);

/* s[0..n) is valid UTF-8 throughout (nul bytes included). */
bool reg_utf8_valid(const void *s, size_t n);

/* Characters of s[0..n): the bytes that do not continue a sequence. */
size_t reg_utf8_count(const char *s, size_t n);

/* The longest prefix of s[0..n) of at most max bytes that ends on a character boundary: max
 * itself unless s[max] continues a sequence, then backed off to the start of that character;
 * n when n <= max. */
size_t reg_utf8_cut(const char *s, size_t n, size_t max);

/* s[0..n) without a trailing incomplete sequence (what a byte-limited copy may have cut short):
 * n when the last character's lead byte has all the continuation bytes it announces. */
size_t reg_utf8_whole(const char *s, size_t n);

/* The length of the sequence a lead byte announces, from its high bits alone: 1 for ASCII (and
 * for a stray continuation byte), 2 for C0..DF, 3 for E0..EF, 4 for F0..FF.  For buffers known
 * to be UTF-8, or to step over what is not. */
size_t reg_utf8_lead_len(unsigned char lead);

/*
 * A strict decoder fed one byte at a time, for a byte stream read in chunks (csv).  Start from
 * a zeroed reg_utf8_stream.  reg_utf8_step returns 0 when the byte is acceptable where it
 * stands, -1 when it is not: a byte that starts no sequence (the state is unchanged), or one
 * that breaks off the sequence in progress (the state is reset; the caller may feed that byte
 * again as the start of the next).  `need` is how many continuation bytes the sequence in
 * progress still needs: non-zero at the end of the text means it was cut short.
 */
typedef struct reg_utf8_stream {
	unsigned need;
	unsigned char lo, hi; /* the range of the next continuation byte */
} reg_utf8_stream;

int reg_utf8_step(reg_utf8_stream *u, unsigned char b);

#endif
