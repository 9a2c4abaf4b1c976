/* utf8: see utf8.h. */
#include "utf8.h"

/* The continuation bytes a lead byte needs and the range of the first of them (narrowed after
 * E0, ED, F0 and F4 to refuse overlong forms, surrogates and code points past U+10FFFF); false
 * when b starts no sequence. */
static bool lead(unsigned char b, unsigned *need, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (b < 0x80)
		*need = 0;
	else if (b >= 0xC2 && b <= 0xDF)
		*need = 1;
	else if (b == 0xE0)
		*need = 2, *lo = 0xA0;
	else if (b == 0xED)
		*need = 2, *hi = 0x9F;
	else if (b >= 0xE1 && b <= 0xEF)
		*need = 2;
	else if (b == 0xF0)
		*need = 3, *lo = 0x90;
	else if (b == 0xF4)
		*need = 3, *hi = 0x8F;
	else if (b >= 0xF1 && b <= 0xF3)
		*need = 3;
	else
		return false;
	return true;
}

size_t reg_utf8_next(const void *buf, size_t n, uint32_t *cp)
{
	const unsigned char *s = buf;
	unsigned need;
	unsigned char lo, hi;
	if (n == 0 || !lead(s[0], &need, &lo, &hi) || need >= n)
		return 0;
	static const unsigned char mask[] = {0x7F, 0x1F, 0x0F, 0x07};
	uint32_t v = s[0] & mask[need];
	for (unsigned i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	if (cp)
		*cp = v;
	return need + 1;
}

bool reg_utf8_valid(const void *buf, size_t n)
{
	const unsigned char *s = buf;
	for (size_t i = 0, k; i < n; i += k)
		if ((k = reg_utf8_next(s + i, n - i, NULL)) == 0)
			return false;
	return true;
}

size_t reg_utf8_count(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += !reg_utf8_continues((unsigned char)s[i]);
	return count;
}

size_t reg_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && reg_utf8_continues((unsigned char)s[max]))
		max--;
	return max;
}

size_t reg_utf8_lead_len(unsigned char b)
{
	return b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

size_t reg_utf8_whole(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && reg_utf8_continues((unsigned char)s[i - 1]))
		i--;
	if (i == 0)
		return 0;
	return n - (i - 1) >= reg_utf8_lead_len((unsigned char)s[i - 1]) ? n : i - 1;
}

int reg_utf8_step(reg_utf8_stream *u, unsigned char b)
{
	if (u->need == 0) {
		unsigned need;
		unsigned char lo, hi;
		if (!lead(b, &need, &lo, &hi))
			return -1;
		u->need = need, u->lo = lo, u->hi = hi;
		return 0;
	}
	if (b < u->lo || b > u->hi) {
		u->need = 0;
		return -1;
	}
	u->need--;
	u->lo = 0x80;
	u->hi = 0xBF;
	return 0;
}
