/* hex: digests written as lower-case hex, and hex digits read back. */
#include "hex.h"
#include "sign.h"
#include "tap.h"

int main(void)
{
	char out[2 * 5 + 1];
	memset(out, 'x', sizeof out);
	reg_hex("\x00\x01\x7F\xAB\xFF", 5, out);
	is_str(out, "00017fabff", "bytes as lower-case hex, two digits each, NUL-terminated");
	reg_hex("", 0, out);
	is_str(out, "", "no bytes: the empty string");

	int bad = 0;
	for (int c = 0; c < 256; c++) {
		int want_lower = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
											 : -1;
		int want_any = want_lower >= 0 ? want_lower : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		bad += reg_hex_digit((char)c, false) != want_lower;
		bad += reg_hex_digit((char)c, true) != want_any;
	}
	ok(bad == 0, "digit: 0-9 a-f always, A-F only when asked, nothing else (%d bad)", bad);

	ok(reg_hex_is_lower("0123456789abcdef", 16), "is_lower: every lower-case digit");
	ok(!reg_hex_is_lower("0123456789ABCDEF", 16), "is_lower: upper case is not");
	ok(!reg_hex_is_lower("00g0", 4), "is_lower: g is not a digit");
	ok(reg_hex_is_lower("", 0), "is_lower: nothing is vacuously hex");
	ok(reg_hex_is_lower("ab\0", 2), "is_lower: only the n bytes asked are looked at");

	/* the digest helpers write through reg_hex */
	char h[65];
	reg_err *err = NULL;
	ok(reg_sha256_hex("abc", 3, h, &err) == 0 &&
	   strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	   "sha256_hex(\"abc\") is the FIPS 180-2 test vector");
	unsigned char md[32];
	char again[65];
	ok(reg_sha256("abc", 3, md, &err) == 0, "sha256 raw");
	reg_hex(md, sizeof md, again);
	is_str(again, h, "raw digest as hex is sha256_hex");
	reg_err_free(err);
	return tap_done();
}
