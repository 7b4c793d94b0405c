/*
 * utf8.h - UTF-8, strictly: shortest form only, no surrogates (U+D800..
 * U+DFFF), nothing above U+10FFFF.  The one decoder, encoder and validator
 * of kyokun (base layer).
 *
 * kutf8_decode() and kutf8_encode() are inline: they sit in the inner loops
 * of the importer and the HTML escaper.
 */
#ifndef KYOKUN_UTF8_H
#define KYOKUN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The longest sequence. */
#define KUTF8_MAX 4

/* Is b a continuation byte (10xxxxxx), i.e. not the start of a character? */
static inline int kutf8_is_cont(unsigned char b)
{
	return (b & 0xC0) == 0x80;
}

/*
 * Decode the character at s[0..n), n >= 1.  Returns its length (1..4) and
 * sets *cp, or -1 when s does not start a valid, complete, shortest-form
 * sequence of a scalar value (*cp is then left alone).  NUL decodes as
 * U+0000, length 1.
 */
static inline int kutf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[0], v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return -1;
	if (c < 0xE0) {
		if (n < 2 || !kutf8_is_cont(s[1]))
			return -1;
		*cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || !kutf8_is_cont(s[1]) || !kutf8_is_cont(s[2]))
			return -1;
		v = ((c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3F);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return -1;
		*cp = v;
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || !kutf8_is_cont(s[1]) || !kutf8_is_cont(s[2]) || !kutf8_is_cont(s[3]))
			return -1;
		v = ((c & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3F);
		if (v < 0x10000 || v > 0x10FFFF)
			return -1;
		*cp = v;
		return 4;
	}
	return -1;
}

/* Encode the scalar value cp into d (room for KUTF8_MAX bytes); returns the length, 1..4. */
static inline int kutf8_encode(uint32_t cp, char *d)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of the longest prefix of s[0..len) that is valid UTF-8 without NUL
 * (== len when all of it is): the offset of the first bad byte. */
size_t kutf8_valid_prefix(const char *s, size_t len);

/* Is s[0..len) valid UTF-8 without NUL? */
int kutf8_valid(const char *s, size_t len);

/* Bytes of s to print with "%.*s" for at most max bytes without cutting a
 * UTF-8 character in two. */
int kutf8_cut(const char *s, int max);

#endif
