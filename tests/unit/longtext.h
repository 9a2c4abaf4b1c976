/*
 * longtext.h — long texts for tests: `unit` repeated to exactly `chars` characters (UTF-8),
 * cut inside its last repetition.  The caller frees; aborts when out of memory.
 */
#ifndef REG_TEST_LONGTEXT_H
#define REG_TEST_LONGTEXT_H

#include <stdlib.h>
#include <string.h>

static inline char *long_text(const char *unit, size_t chars)
{
	size_t len = 0, have = 0;
	char *s = malloc(chars * 4 + 1);
	if (!s)
		abort();
	while (have < chars) {
		for (const unsigned char *p = (const unsigned char *)unit; *p && have < chars;) {
			size_t l = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2
				 : (*p & 0xF0) == 0xE0 ? 3 : 4;
			memcpy(s + len, p, l);
			len += l, p += l, have++;
		}
	}
	s[len] = '\0';
	return s;
}

#endif
