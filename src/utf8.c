/*
 * utf8.c - validating UTF-8 (the rules are in utf8.h).
 */
#include "utf8.h"

#include <string.h>

size_t kutf8_valid_prefix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		int n;

		if ((unsigned char)s[i] - 1u < 0x7Fu) { /* ASCII but NUL */
			i++;
			continue;
		}
		n = kutf8_decode(s + i, len - i, &cp);
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
