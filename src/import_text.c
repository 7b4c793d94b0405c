/*
 * import_text.c - character helpers of the importer: UTF-8 decoding, folding
 * of fullwidth forms, display width, bullet markers, matching keys, and
 * joining the lines that the page layout broke.
 */
#include "import_impl.h"
#include "kbuf.h"
#include "utf8.h"

#include <string.h>

uint32_t ki_u8(const char *s, size_t len, size_t *i)
{
	size_t k = *i, end;
	uint32_t c;
	int n;

	if (k >= len)
		return 0;
	n = kutf8_decode(s + k, len - k, &c);
	if (n > 0) {
		*i = k + (size_t)n;
		return c;
	}
	/* one U+FFFD for a stray byte, or for a broken sequence and the
	 * continuation bytes it has */
	c = (unsigned char)s[k];
	end = k + 1 + (c < 0xC0 || c >= 0xF8 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1);
	for (k++; k < end && k < len && kutf8_is_cont((unsigned char)s[k]); k++)
		;
	*i = k;
	return 0xFFFD;
}

uint32_t ki_fold(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;
	if (c == 0x3000 || c == 0x00A0)
		return ' ';
	if (c == 0x2010 || c == 0x2011 || c == 0x2212)
		return '-';
	return c;
}

int ki_isspace(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == 0x3000 || c == 0x00A0 || (c >= 0x2000 && c <= 0x200B) || c == 0xFEFF;
}

int ki_iswide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2460 && c <= 0x24FF) ||
	       (c >= 0x25A0 && c <= 0x27BF) || (c >= 0x2E80 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x20000;
}

size_t ki_width(const char *s, size_t len)
{
	size_t i = 0, w = 0;

	while (i < len)
		w += ki_iswide(ki_u8(s, len, &i)) ? 2 : 1;
	return w;
}

size_t ki_cplen(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		ki_u8(s, len, &i);
		n++;
	}
	return n;
}

uint32_t ki_last_cp(const char *s, size_t len)
{
	size_t i = len;

	if (!len)
		return 0;
	while (i > 0 && kutf8_is_cont((unsigned char)s[i - 1]) && len - i < 3)
		i--;
	if (i > 0)
		i--;
	return ki_u8(s, len, &i);
}

int ki_is_circled(uint32_t c)
{
	return (c >= 0x2460 && c <= 0x249B) || (c >= 0x2776 && c <= 0x2793) || c == 0x24EA ||
	       (c >= 0x3251 && c <= 0x325F) || (c >= 0x32B1 && c <= 0x32BF) ||
	       (c >= 0x24B6 && c <= 0x24E9);
}

int ki_key(struct kbuf *out, const char *s, size_t len)
{
	size_t i = 0;
	int rc;

	/* folding never makes a character longer; only a U+FFFD for a stray
	 * byte (not in checked text) does */
	if ((rc = kbuf_grow(out, len + 1)) < 0)
		return rc;
	while (i < len) {
		uint32_t c = ki_fold(ki_u8(s, len, &i));

		if (ki_isspace(c) || c == '*')
			continue;
		if (c == 0xFFFD && (rc = kbuf_grow(out, 3 + (len - i))) < 0)
			return rc;
		out->len += (size_t)kutf8_encode(c, out->buf + out->len);
	}
	out->buf[out->len] = '\0';
	return 0;
}

static int std_bullet(uint32_t c)
{
	switch (c) {
	case 0x2022: case 0x30FB: case 0xFF65: case 0x25CF: case 0x25CB: case 0x25C6:
	case 0x25C7: case 0x25A0: case 0x25A1: case 0x25AA: case 0x25AB: case 0x25CE:
	case 0x2605: case 0x2606: case 0x2713: case 0x2714: case 0x27A2: case 0x27A4:
	case 0x25B6: case 0x25BA: case 0x25B7: case 0x2219: case 0x00B7: case 0x25E6:
	case 0x2043: case 0x2023: case 0x2666: case 0x25C9: case 0x2756:
		return 1;
	}
	return 0;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len) {
		size_t j = i;

		if (!ki_isspace(ki_u8(s, len, &j)))
			break;
		i = j;
	}
	return i;
}

/* (1) （ア） (i) (ⅳ) (a): a short token in parentheses */
static size_t paren_marker(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t c = ki_fold(ki_u8(s, len, &i));

	if (c != '(')
		return 0;
	while (i < len && n < 4) {
		c = ki_fold(ki_u8(s, len, &i));
		if (c == ')')
			return n ? i : 0;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= 0x2160 && c <= 0x217F) || (c >= 0x30A2 && c <= 0x30F3) ||
		      (c >= 0x3042 && c <= 0x3093)))
			return 0;
		n++;
	}
	return 0;
}

int ki_bullet(const char *s, size_t len, size_t *mlen)
{
	size_t i = 0, j;
	uint32_t c, raw;

	*mlen = 0;
	if (!len)
		return KB_NONE;
	raw = ki_u8(s, len, &i);
	c = ki_fold(raw);
	j = i;
	if (std_bullet(raw) || ((c == '-' || c == '*' || c == '+') && i < len &&
				ki_isspace(ki_fold(ki_u8(s, len, &j))))) {
		j = skip_spaces(s, len, i);
		if (c == '-' || c == '*' || c == '+') {
			/* "- ✓ text" (a converter's list item around a check mark) */
			size_t k = j;
			uint32_t d = ki_u8(s, len, &k);

			if (std_bullet(d))
				j = skip_spaces(s, len, k);
		}
		*mlen = j;
		return KB_STD;
	}
	if (raw == 0x203B) {
		*mlen = skip_spaces(s, len, i);
		return KB_NOTE;
	}
	if (ki_is_circled(raw)) {
		*mlen = skip_spaces(s, len, i);
		return KB_CIRCLED;
	}
	if ((j = paren_marker(s, len)) > 0) {
		*mlen = skip_spaces(s, len, j);
		return KB_PAREN;
	}
	if (c >= '0' && c <= '9') {
		size_t k = i;
		int nd = 1;

		while (k < len) {
			size_t t = k;

			c = ki_fold(ki_u8(s, len, &t));
			if (c < '0' || c > '9')
				break;
			k = t;
			if (++nd > 2)
				return KB_NONE;
		}
		j = k;
		c = ki_fold(ki_u8(s, len, &j));
		if (c == '.' || c == ')') {
			size_t t = j;
			uint32_t d = ki_fold(ki_u8(s, len, &t));

			if (j < len && d >= '0' && d <= '9')
				return KB_NONE;
			*mlen = skip_spaces(s, len, j);
			return KB_NUM;
		}
		return KB_NONE;
	}
	if (c == '<' || raw == 0x3008 || raw == 0x300A || raw == 0x3010 || raw == 0x3016) {
		uint32_t close = c == '<' ? '>' : raw + 1;
		size_t k = i, n = 0;

		while (k < len && n < 40) {
			uint32_t d = ki_fold(ki_u8(s, len, &k));

			n++;
			if (d == close)
				return KB_SUBHEAD;
		}
	}
	return KB_NONE;
}

const char *ki_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	const char *end, *q;

	if (!nl)
		return h;
	if (nl > hl)
		return NULL;
	if (nl < 3) {
		for (size_t i = 0; i + nl <= hl; i++)
			if (h[i] == n[0] && !memcmp(h + i, n, nl))
				return h + i;
		return NULL;
	}
	/* UTF-8 Japanese shares its first bytes: look for the last one, then
	 * compare the rest */
	end = h + hl;
	for (q = h + nl - 1; q < end; q++) {
		q = memchr(q, n[nl - 1], (size_t)(end - q));
		if (!q)
			return NULL;
		if (q[-1] == n[nl - 2] && !memcmp(q - (nl - 1), n, nl - 1))
			return q - (nl - 1);
	}
	return NULL;
}

uint32_t ki_prev_cp(const char *s, size_t lo, size_t *i)
{
	size_t end = *i, j, k;

	if (end <= lo)
		return 0;
	j = end - 1;
	while (j > lo && kutf8_is_cont((unsigned char)s[j]) && end - j < 4)
		j--;
	k = j;
	*i = j;
	return ki_fold(ki_u8(s, end, &k));
}

size_t ki_rtrim_ws(const char *s, size_t lo, size_t hi)
{
	while (hi > lo) {
		size_t j = hi;

		if (!ki_isspace(ki_prev_cp(s, lo, &j)))
			break;
		hi = j;
	}
	return hi;
}

size_t ki_rtrim_sp(const char *s, size_t lo, size_t hi)
{
	while (hi > lo) {
		size_t j = hi;
		uint32_t c = ki_prev_cp(s, lo, &j);

		if (!ki_isspace(c) && c != '*')
			break;
		hi = j;
	}
	return hi;
}

int ki_ends_sentence(const char *s, size_t len)
{
	uint32_t c = ki_fold(ki_last_cp(s, len));

	return c == 0x3002 || c == '.' || c == '!' || c == '?' || c == 0xFF61;
}

int ki_is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Append text without markdown emphasis; tabs become spaces. */
int ki_add_clean(struct kbuf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int rc;

		if (s[i] == '*' && i + 1 < len && s[i + 1] == '*') {
			i++;
			continue;
		}
		rc = kbuf_addch(b, s[i] == '\t' ? ' ' : s[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Join a wrapped line to what b holds: no space between Japanese characters. */
int ki_add_joined(struct kbuf *b, const char *s, size_t len)
{
	if (b->len && len && ki_is_alnum((unsigned char)b->buf[b->len - 1]) &&
	    ki_is_alnum((unsigned char)s[0]) && kbuf_addch(b, ' ') < 0)
		return KE_NOMEM;
	return ki_add_clean(b, s, len);
}
