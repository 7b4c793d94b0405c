/*
 * theme_items.c - the lessons of a case as the 総括 sees them: the bullets
 * (or paragraphs) of its 得られた気付き・教訓 section, each with the lines
 * that explain it, and the key lessons not already among them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbuf.h"
#include "kerr.h"
#include "theme.h"
#include "utf8.h"

/* White space at s: ASCII blanks and the ideographic space; its length or 0. */
static size_t blank_at(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r')
		return 1;
	if (!strncmp(s, "\u3000", 3))
		return 3;
	return 0;
}

static const char *skip_blank(const char *s, const char *end)
{
	size_t k;

	while (s < end && (k = blank_at(s)) > 0)
		s += k;
	return s;
}

/*
 * If the line [s, end) starts with a bullet or a number, the length of the
 * marker and the blanks after it; else 0.
 */
static size_t bullet_len(const char *s, const char *end)
{
	static const char *const marks[] = {
		"\u2022", "\u30fb", "\u25cf", "\u25cb", "\u25c6", "\u25c7", "\u25a0", "\u25a1", "\u25aa",
		"\u2023", "\u2043", "\u2219", "\u00b7", "\uff65", "\u2605", "\u2606", "\u25b6", "\u25b7",
		"\u27a2", "\u2192", "\uff0d", NULL,
	};
	const char *p = s;
	uint32_t cp;
	int k;

	if (p >= end)
		return 0;
	if ((*p == '-' || *p == '*' || *p == '+') && p + 1 < end && (p[1] == ' ' || p[1] == '\t'))
		p += 1;
	else {
		for (int i = 0; marks[i]; i++) {
			size_t l = strlen(marks[i]);
			if ((size_t)(end - p) >= l && !memcmp(p, marks[i], l)) {
				p += l;
				goto blanks;
			}
		}
		/* circled numbers ①..⑳ */
		k = kutf8_decode(p, (size_t)(end - p), &cp);
		if (k > 0 && cp >= 0x2460 && cp <= 0x2473) {
			p += k;
			goto blanks;
		}
		/* 1. 1) 1． (1) （1） 1、 */
		const char *q = p;
		int paren = 0;
		if (*q == '(') {
			paren = 1;
			q++;
		} else if ((size_t)(end - q) >= 3 && !memcmp(q, "\uff08", 3)) {
			paren = 3;
			q += 3;
		}
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9' && q - d < 3)
			q++;
		if (q == d)
			return 0;
		if (paren == 1 && q < end && *q == ')')
			p = q + 1;
		else if (paren == 3 && (size_t)(end - q) >= 3 && !memcmp(q, "\uff09", 3))
			p = q + 3;
		else if (!paren && q < end && (*q == '.' || *q == ')') && q + 1 < end && (q[1] == ' ' || (unsigned char)q[1] >= 0x80))
			p = q + 1;
		else if (!paren && (size_t)(end - q) >= 3 && (!memcmp(q, "\uff0e", 3) || !memcmp(q, "\u3001", 3) || !memcmp(q, "\uff09", 3)))
			p = q + 3;
		else
			return 0;
	}
blanks:
	p = skip_blank(p, end);
	if (p >= end)
		return 0; /* a bare marker */
	return (size_t)(p - s);
}

/* Append the text of item b (trimmed) to out if it says something. */
static int flush(struct kbuf *b, struct kstrv *out, int *count)
{
	int rc = 0;

	kbuf_rtrim(b);
	/* an introduction such as 以下の教訓が得られた： is not a lesson */
	if (b->len && !(b->len >= 3 && !memcmp(b->buf + b->len - 3, "\uff1a", 3)) && b->buf[b->len - 1] != ':') {
		if ((rc = kstrv_pushn(out, b->buf, b->len)) < 0)
			return rc;
		(*count)++;
	}
	kbuf_reset(b);
	return 0;
}

static int split_text(const char *text, struct kstrv *out, int *count)
{
	struct kbuf b = KBUF_INIT;
	const char *s = text, *end = text + strlen(text);
	int bullets = 0, rc = 0;

	/* bullets anywhere? then each is an item with its following lines */
	for (const char *l = s; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));
		if (!e)
			e = end;
		if (bullet_len(skip_blank(l, e), e))
			bullets++;
		l = e + 1;
	}
	for (const char *l = s; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));
		if (!e)
			e = end;
		const char *t = skip_blank(l, e);
		size_t m = bullets ? bullet_len(t, e) : 0;
		if (t == e) {
			/* a blank line ends a paragraph (without bullets) */
			if (!bullets && (rc = flush(&b, out, count)) < 0)
				goto out;
		} else if (m || !bullets) {
			if (m && (rc = flush(&b, out, count)) < 0)
				goto out;
			if (b.len && (rc = kbuf_addch(&b, '\n')) < 0)
				goto out;
			if ((rc = kbuf_add(&b, t + m, (size_t)(e - t - m))) < 0)
				goto out;
		} else {
			if (b.len && (rc = kbuf_addch(&b, '\n')) < 0)
				goto out;
			if ((rc = kbuf_add(&b, t, (size_t)(e - t))) < 0)
				goto out;
		}
		l = e + 1;
	}
	rc = flush(&b, out, count);
out:
	kbuf_release(&b);
	return rc;
}

int ktheme_lessons(const struct kcase *c, struct kstrv *out)
{
	size_t first = out->n;
	int count = 0, rc;

	if (c->sections[KSEC_LESSONS] && (rc = split_text(c->sections[KSEC_LESSONS], out, &count)) < 0)
		return rc;
	for (size_t i = 0; i < c->key_lessons.n; i++) {
		const char *k = c->key_lessons.v[i];
		int dup = 0;
		size_t kl;
		while (*k && blank_at(k))
			k += blank_at(k);
		kl = strlen(k);
		while (kl && (k[kl - 1] == ' ' || k[kl - 1] == '\n' || k[kl - 1] == '\t'))
			kl--;
		if (!kl)
			continue;
		for (size_t j = first; j < out->n && !dup; j++) {
			char *kk = strndup(k, kl);
			if (!kk)
				return KE_NOMEM;
			dup = strstr(out->v[j], kk) != NULL;
			free(kk);
		}
		if (dup)
			continue;
		if ((rc = kstrv_pushn(out, k, kl)) < 0)
			return rc;
		count++;
	}
	return count;
}
