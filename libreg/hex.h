/*
 * hex — bytes as hexadecimal digits and back, in one place: digests in MANIFEST lines, the
 * registry and messages (always lower case, as sha256sum writes them), and the two decoders
 * that read hex back (`\xHH` in a statement, `%HH` in a PostgreSQL URI).
 */
#ifndef REG_HEX_H
#define REG_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex of len bytes and a NUL: out must hold 2*len+1. */
void reg_hex(const void *bytes, size_t len, char *out);

/* The value of one hex digit: 0..15 for 0-9 and a-f, and for A-F too when `upper` is true;
 * -1 for anything else. */
int reg_hex_digit(char c, bool upper);

/* s[0..n) is lower-case hex digits only (what reg_hex writes). */
bool reg_hex_is_lower(const char *s, size_t n);

#endif
