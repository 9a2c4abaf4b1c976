/* utf8: the strict RFC 3629 decoder, and the counting and cutting helpers built beside it. */
#include "utf8.h"
#include "tap.h"

#include <stdint.h>

/* The shortest form of cp, written independently of the decoder under test. */
static size_t encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

static void decodes(const char *bytes, size_t n, size_t want_len, uint32_t want_cp,
		    const char *what)
{
	uint32_t cp = 0xDEADBEEF;
	size_t len = reg_utf8_next(bytes, n, &cp);
	ok(len == want_len && cp == want_cp, "%s: U+%04X in %zu bytes", what, (unsigned)want_cp,
	   want_len);
	if (len != want_len || cp != want_cp)
		diag("got length %zu, U+%04X", len, (unsigned)cp);
	ok(reg_utf8_valid(bytes, want_len), "%s: valid", what);
}

static void refuses(const char *bytes, size_t n, const char *what)
{
	uint32_t cp = 0xDEADBEEF;
	size_t len = reg_utf8_next(bytes, n, &cp);
	ok(len == 0 && cp == 0xDEADBEEF, "%s: refused", what);
	if (len)
		diag("got length %zu, U+%04X", len, (unsigned)cp);
	ok(!reg_utf8_valid(bytes, n), "%s: not valid", what);
	/* the stream decoder refuses it too, by its end at the latest */
	reg_utf8_stream u = {0};
	bool refused = false;
	for (size_t i = 0; i < n && !refused; i++)
		refused = reg_utf8_step(&u, (unsigned char)bytes[i]) < 0;
	ok(refused || u.need > 0, "%s: the stream decoder refuses it", what);
}

#define DECODES(lit, len, cp, what) decodes(lit, sizeof lit - 1, len, cp, what)
#define REFUSES(lit, what) refuses(lit, sizeof lit - 1, what)

static void valid_forms(void)
{
	DECODES("A", 1, 0x41, "ASCII");
	DECODES("\0", 1, 0, "U+0000 is one byte");
	DECODES("\x7F", 1, 0x7F, "U+007F, the last 1-byte form");
	DECODES("\xC2\x80", 2, 0x80, "U+0080, the first 2-byte form");
	DECODES("\xC3\xA9", 2, 0xE9, "é");
	DECODES("\xDF\xBF", 2, 0x7FF, "U+07FF, the last 2-byte form");
	DECODES("\xE0\xA0\x80", 3, 0x800, "U+0800, the first 3-byte form");
	DECODES("\xE4\xB8\xAD", 3, 0x4E2D, "中");
	DECODES("\xED\x9F\xBF", 3, 0xD7FF, "U+D7FF, just below the surrogates");
	DECODES("\xEE\x80\x80", 3, 0xE000, "U+E000, just above the surrogates");
	DECODES("\xEF\xBF\xBD", 3, 0xFFFD, "U+FFFD");
	DECODES("\xEF\xBF\xBF", 3, 0xFFFF, "U+FFFF, the last 3-byte form");
	DECODES("\xF0\x90\x80\x80", 4, 0x10000, "U+10000, the first 4-byte form");
	DECODES("\xF0\xA0\x80\x80", 4, 0x20000, "U+20000 (CJK extension B)");
	DECODES("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, "U+10FFFF, the last code point");
	/* only the first sequence is decoded */
	decodes("\xE4\xB8\xAD\xE6\x96\x87", 6, 3, 0x4E2D, "中文: the first character");
	ok(reg_utf8_next("A", 1, NULL) == 1, "cp may be NULL");
}

static void invalid_forms(void)
{
	ok(reg_utf8_next("A", 0, NULL) == 0, "nothing to decode in 0 bytes");
	REFUSES("\x80", "a stray continuation byte 80");
	REFUSES("\xBF", "a stray continuation byte BF");
	REFUSES("\xC0\x80", "overlong U+0000 (C0 80)");
	REFUSES("\xC0\xAF", "overlong '/' (C0 AF)");
	REFUSES("\xC1\xBF", "overlong U+007F (C1 BF)");
	REFUSES("\xE0\x80\x80", "overlong 3-byte U+0000 (E0 80 80)");
	REFUSES("\xE0\x9F\xBF", "overlong 3-byte U+07FF (E0 9F BF)");
	REFUSES("\xF0\x80\x80\x80", "overlong 4-byte U+0000 (F0 80 80 80)");
	REFUSES("\xF0\x8F\xBF\xBF", "overlong 4-byte U+FFFF (F0 8F BF BF)");
	REFUSES("\xED\xA0\x80", "surrogate U+D800");
	REFUSES("\xED\xAF\xBF", "surrogate U+DBFF");
	REFUSES("\xED\xB0\x80", "surrogate U+DC00");
	REFUSES("\xED\xBF\xBF", "surrogate U+DFFF");
	REFUSES("\xED\xA0\xBD\xED\xB8\x80", "a CESU-8 surrogate pair");
	REFUSES("\xF4\x90\x80\x80", "U+110000, past the last code point");
	REFUSES("\xF7\xBF\xBF\xBF", "U+1FFFFF (F7 BF BF BF)");
	REFUSES("\xF5\x80\x80\x80", "lead byte F5");
	REFUSES("\xF8\x88\x80\x80\x80", "a 5-byte form (F8)");
	REFUSES("\xFC\x84\x80\x80\x80\x80", "a 6-byte form (FC)");
	REFUSES("\xFE", "byte FE");
	REFUSES("\xFF", "byte FF");
	REFUSES("\xC3", "2-byte form cut after its lead byte");
	REFUSES("\xE4\xB8", "3-byte form cut after 2 bytes");
	REFUSES("\xE4", "3-byte form cut after its lead byte");
	REFUSES("\xF0\x9F\x98", "4-byte form cut after 3 bytes");
	REFUSES("\xC3" "A", "2-byte form whose continuation is ASCII");
	REFUSES("\xE4\x41\xAD", "3-byte form with ASCII inside");
	REFUSES("\xE4\xB8\xC3\xA9", "3-byte form broken by a lead byte");
	REFUSES("\xF0\x9F\x98\x41", "4-byte form ending in ASCII");
	ok(reg_utf8_next("\xE4\xB8\xAD", 2, NULL) == 0, "a sequence cut short by n is refused");
	ok(!reg_utf8_valid("ok \xE4\xB8\xAD \x80", 8), "a bad byte after good text: not valid");
	ok(reg_utf8_valid("", 0), "the empty text is valid");
	ok(reg_utf8_valid("a\0b", 3), "nul bytes are valid UTF-8");
}

/* Every code point round-trips; every 1-, 2- and 3-byte string decodes exactly when it is the
 * shortest form of a code point that is not a surrogate; the stream decoder agrees. */
static void exhaustive(void)
{
	unsigned char b[4];
	size_t bad = 0;
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		size_t n = encode(cp, b);
		uint32_t got;
		if (reg_utf8_next(b, n, &got) != n || got != cp || reg_utf8_next(b, n - 1, NULL))
			bad++;
	}
	ok(bad == 0, "every scalar value decodes from its shortest form, not from less (%zu bad)",
	   bad);

	bad = 0;
	size_t stream_bad = 0;
	for (uint32_t v = 0; v < 1u << 24; v++) {
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		if (b[0] < 0xC0)
			continue; /* ASCII and continuation leads are covered above */
		uint32_t cp;
		size_t len = reg_utf8_next(b, 3, &cp);
		unsigned char again[4];
		bool want = false;
		size_t want_len = 0;
		for (size_t k = 2; k <= 3 && !want; k++) {
			/* the k-byte prefix is a shortest form? */
			uint32_t c = k == 2 ? (uint32_t)(b[0] & 0x1F) << 6 | (b[1] & 0x3F)
					    : (uint32_t)(b[0] & 0x0F) << 12 |
						      (uint32_t)(b[1] & 0x3F) << 6 | (b[2] & 0x3F);
			if ((k == 2 && b[0] >= 0xE0) || (k == 3 && (b[0] < 0xE0 || b[0] >= 0xF0)))
				continue;
			if (c >= 0xD800 && c <= 0xDFFF)
				continue;
			if (encode(c, again) == k && memcmp(again, b, k) == 0)
				want = true, want_len = k;
		}
		if (want ? len != want_len : len != 0)
			bad++;
		reg_utf8_stream u = {0};
		size_t i = 0;
		bool refused = false;
		do
			refused = reg_utf8_step(&u, b[i++]) < 0;
		while (!refused && u.need > 0 && i < 3);
		bool stream_ok = !refused && u.need == 0;
		if (stream_ok != want || (want && i != want_len))
			stream_bad++;
	}
	ok(bad == 0, "every 2- and 3-byte string: decoded exactly when a shortest form (%zu bad)",
	   bad);
	ok(stream_bad == 0, "the stream decoder agrees on every one of them (%zu bad)",
	   stream_bad);

	/* 4-byte leads against every second byte, with good and bad third and fourth bytes */
	bad = 0;
	static const unsigned char tails[] = {0x80, 0xBF, 0x41, 0xC0};
	for (unsigned lead = 0xF0; lead <= 0xFF; lead++)
		for (unsigned second = 0; second < 256; second++)
			for (size_t t = 0; t < sizeof tails; t++)
				for (size_t t2 = 0; t2 < sizeof tails; t2++) {
					b[0] = (unsigned char)lead, b[1] = (unsigned char)second;
					b[2] = tails[t], b[3] = tails[t2];
					uint32_t c = (uint32_t)(lead & 0x07) << 18 |
						     (uint32_t)(second & 0x3F) << 12 |
						     (uint32_t)(b[2] & 0x3F) << 6 | (b[3] & 0x3F);
					bool want = lead <= 0xF4 && reg_utf8_continues(b[1]) &&
						    reg_utf8_continues(b[2]) &&
						    reg_utf8_continues(b[3]) && c >= 0x10000 &&
						    c <= 0x10FFFF;
					if ((reg_utf8_next(b, 4, NULL) == 4) != want ||
					    (!want && reg_utf8_next(b, 4, NULL) != 0))
						bad++;
				}
	ok(bad == 0, "4-byte forms: decoded exactly when U+10000..U+10FFFF (%zu bad)", bad);
}

static void stream(void)
{
	reg_utf8_stream u = {0};
	const char *s = "\xE4\xB8\xAD";
	ok(reg_utf8_step(&u, (unsigned char)s[0]) == 0 && u.need == 2,
	   "stream: a lead byte needs 2");
	ok(reg_utf8_step(&u, (unsigned char)s[1]) == 0 && u.need == 1, "stream: then 1");
	ok(reg_utf8_step(&u, (unsigned char)s[2]) == 0 && u.need == 0, "stream: then none");
	ok(reg_utf8_step(&u, 0xE4) == 0 && reg_utf8_step(&u, 'A') < 0 && u.need == 0,
	   "stream: a broken sequence resets the state");
	ok(reg_utf8_step(&u, 'A') == 0, "stream: and the byte that broke it starts afresh");
	ok(reg_utf8_step(&u, 0xC0) < 0 && u.need == 0, "stream: C0 starts nothing");
	ok(reg_utf8_step(&u, 0xED) == 0 && reg_utf8_step(&u, 0xA0) < 0,
	   "stream: ED A0 (a surrogate) refused at its second byte");
	ok(reg_utf8_step(&u, 0xF4) == 0 && reg_utf8_step(&u, 0x90) < 0,
	   "stream: F4 90 (past U+10FFFF) refused at its second byte");
	ok(reg_utf8_step(&u, 0xF0) == 0 && reg_utf8_step(&u, 0x8F) < 0,
	   "stream: F0 8F (overlong) refused at its second byte");
}

static void helpers(void)
{
	const char *s = "a中文é";   /* 1 + 3 + 3 + 2 bytes */
	size_t n = strlen(s);
	is_int(reg_utf8_count(s, n), 4, "count: 4 characters in 9 bytes");
	is_int(reg_utf8_count(s, 4), 2, "count: 2 characters in the first 4 bytes");
	is_int(reg_utf8_count("", 0), 0, "count: none in nothing");
	is_int(reg_utf8_count("\x80\x80", 2), 0, "count: stray continuation bytes start none");

	is_int(reg_utf8_cut(s, n, 100), n, "cut: a text shorter than the limit is whole");
	is_int(reg_utf8_cut(s, n, n), n, "cut: a text as long as the limit is whole");
	is_int(reg_utf8_cut(s, n, 4), 4, "cut: at a boundary, the limit itself");
	is_int(reg_utf8_cut(s, n, 3), 1, "cut: inside 中, before it");
	is_int(reg_utf8_cut(s, n, 2), 1, "cut: inside 中 again, before it");
	is_int(reg_utf8_cut(s, n, 8), 7, "cut: inside é, before it");
	is_int(reg_utf8_cut(s, n, 0), 0, "cut: at 0, nothing");
	is_int(reg_utf8_cut("\x80\x80\x80", 3, 2), 0, "cut: continuation bytes all the way back");

	is_int(reg_utf8_whole(s, n), n, "whole: a complete text");
	is_int(reg_utf8_whole(s, 3), 1, "whole: 中 cut after 2 bytes is dropped");
	is_int(reg_utf8_whole(s, 2), 1, "whole: 中 cut after its lead byte is dropped");
	is_int(reg_utf8_whole(s, 4), 4, "whole: 中 complete");
	is_int(reg_utf8_whole("\xF0\x9F\x98", 3), 0, "whole: a cut 4-byte form alone gives nothing");
	is_int(reg_utf8_whole("", 0), 0, "whole: nothing");

	is_int(reg_utf8_lead_len('A'), 1, "lead_len: ASCII 1");
	is_int(reg_utf8_lead_len(0x80), 1, "lead_len: a stray continuation byte 1");
	is_int(reg_utf8_lead_len(0xC3), 2, "lead_len: C3 2");
	is_int(reg_utf8_lead_len(0xE4), 3, "lead_len: E4 3");
	is_int(reg_utf8_lead_len(0xF0), 4, "lead_len: F0 4");

	ok(reg_utf8_continues(0x80) && reg_utf8_continues(0xBF) && !reg_utf8_continues(0x7F) &&
	   !reg_utf8_continues(0xC0),
	   "continues: exactly 80..BF");
	ok(reg_utf8_is_control(0) && reg_utf8_is_control(0x1F) && reg_utf8_is_control(0x7F) &&
	   reg_utf8_is_control(0x80) && reg_utf8_is_control(0x9F) && !reg_utf8_is_control(' ') &&
	   !reg_utf8_is_control(0x7E) && !reg_utf8_is_control(0xA0) &&
	   !reg_utf8_is_control(0x4E2D),
	   "is_control: C0, DEL and C1, nothing else");
	ok(strcmp(REG_UTF8_REPLACEMENT, "\xEF\xBF\xBD") == 0 &&
	   reg_utf8_next(REG_UTF8_REPLACEMENT, 3, NULL) == 3,
	   "the replacement character is U+FFFD");
}

int main(void)
{
	valid_forms();
	invalid_forms();
	exhaustive();
	stream();
	helpers();
	return tap_done();
}
