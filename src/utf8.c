/*
 * utf8.c - validating UTF-8 (the rules are in utf8.h).
 */
#include "utf8.h"

#include <string.h>

/*
 * Every string from outside is checked, most of it several times (a bulk
 * add: the line, the case, its JSON written back), so the common shapes go
 * first: eight ASCII bytes at a time, then a three-byte sequence (kana and
 * kanji) checked in place; anything else through kutf8_decode().
 */
size_t kutf8_valid_prefix(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		uint32_t cp;
		int n;

		if (c - 1u < 0x7Fu) { /* ASCII but NUL */
			uint64_t w;

			i++;
			/* then whole words of it: no high bit, no zero byte */
			while (i + 8 <= len) {
				memcpy(&w, s + i, 8);
				if ((w | ((w - 0x0101010101010101ull) & ~w)) & 0x8080808080808080ull)
					break;
				i += 8;
			}
			continue;
		}
		if ((c & 0xF0) == 0xE0 && len - i >= 3) {
			unsigned c1 = s[i + 1], c2 = s[i + 2];

			/* continuation bytes; not overlong (E0 80..9F), not a surrogate (ED A0..BF) */
			if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c == 0xE0 && c1 < 0xA0) ||
			    (c == 0xED && c1 >= 0xA0))
				return i;
			i += 3;
			continue;
		}
		n = kutf8_decode(str + i, len - i, &cp);
		if (n < 0 || cp == 0)
			return i;
		i += (size_t)n;
	}
	return len;
}

int kutf8_valid(const char *s, size_t len)
{
	return kutf8_valid_prefix(s, len) == len;
}

int kutf8_cut(const char *s, int max)
{
	int n = (int)strnlen(s, (size_t)max + 1);

	if (n <= max)
		return n;
	for (n = max; n > 0 && kutf8_is_cont((unsigned char)s[n]); n--)
		;
	return n;
}
