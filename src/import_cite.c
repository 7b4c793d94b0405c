/*
 * import_cite.c - what an imported report is cited by: its own title,
 * publisher and publication date as its first page prints them, and the
 * page each case starts on (pages are separated by form feeds, as pdftotext
 * and kpdf_extract_mem write them).
 */
#include "import.h"
#include "case.h"
#include "kerr.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The first page: up to the first form feed.  A text without pages says
 * nothing (its first lines are as likely the first case as a cover).
 */
static size_t first_page(const char *t, size_t len)
{
	const char *ff = memchr(t, '\f', len);

	return ff ? (size_t)(ff - t) : 0;
}

static int has(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++) {
		size_t m = strlen(*words);

		for (size_t i = 0; i + m <= n; i++)
			if (!memcmp(s + i, *words, m))
				return 1;
	}
	return 0;
}

static char *trimdup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (!n || !kutf8_valid(s, n))
		return NULL;
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* "2021年5月31日" (ASCII digits) at s as YYYY-MM-DD in out[11]; its length or 0. */
static size_t jdate(const char *s, size_t n, char out[16])
{
	int v[3] = { 0, 0, 0 }, k = 0;
	size_t i = 0;
	static const char *const sep[3] = { "年", "月", "日" };

	for (k = 0; k < 3; k++) {
		size_t d = 0;

		while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4)
			v[k] = v[k] * 10 + (s[i++] - '0'), d++;
		if (!d || (k == 0 && d != 4) || i + 3 > n || memcmp(s + i, sep[k], 3))
			return 0;
		i += 3;
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return 0;
	snprintf(out, 16, "%04d-%02d-%02d", v[0] % 10000, v[1] % 100, v[2] % 100);
	return i;
}

int kimport_cite_guess(const char *text, size_t len, struct kimport_cite *out)
{
	static const char *const title_words[] = { "報告書", "調査", "について", "事例集", "ガイド",
		"白書", "Report", "report", NULL };
	static const char *const pub_words[] = { "内閣", "省", "庁", "機構", "協会", "研究所",
		"センター", "株式会社", NULL };
	size_t end = first_page(text, len), p = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *l = text + p, *nl = memchr(l, '\n', end - p);
		size_t n = nl ? (size_t)(nl - l) : end - p;

		p += n + 1;
		if (n < 6 || n > 200)
			continue;
		if (!out->published[0])
			for (size_t i = 0; i < n; i++)
				if (l[i] >= '0' && l[i] <= '9' && (i == 0 || l[i - 1] < '0' || l[i - 1] > '9') &&
				    jdate(l + i, n - i, out->published))
					break;
		if (!out->title && n <= 150 && has(l, n, title_words))
			out->title = trimdup(l, n);
		else if (!out->publisher && n <= 90 && has(l, n, pub_words))
			out->publisher = trimdup(l, n);
	}
	return 0;
}

void kimport_cite_free(struct kimport_cite *c)
{
	free(c->title);
	free(c->publisher);
	memset(c, 0, sizeof(*c));
}

/* The first line of s, at most max bytes (cut on a character). */
static size_t probe_len(const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");

	if (n > max)
		n = (size_t)kutf8_cut(s, (int)max);
	return n;
}

static const char *find(const char *hay, size_t hlen, const char *needle, size_t n)
{
	if (!n || n > hlen)
		return NULL;
	for (size_t i = 0; i + n <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			return hay + i;
	return NULL;
}

void kimport_pages(const char *text, size_t len, struct kimport_result *res)
{
	size_t from = 0;

	if (!memchr(text, '\f', len))
		return;
	for (size_t i = 0; i < res->cases.n; i++) {
		struct kcase *c = &res->cases.v[i];
		const char *hit = NULL;

		/* the case's own overview, else its body: what the case list at the front does not repeat */
		for (size_t k = 0; k < c->summary.n && k < 2 && !hit; k++)
			hit = find(text + from, len - from, c->summary.v[k], probe_len(c->summary.v[k], 60));
		for (int k = 0; k < KSEC__N && !hit; k++) {
			const char *s = c->sections[ksection_display_order[k]];

			if (s && *s)
				hit = find(text + from, len - from, s, probe_len(s, 60));
		}
		if (!hit)
			continue;
		from = (size_t)(hit - text);
		int page = 1;

		for (size_t j = 0; j < from; j++)
			page += text[j] == '\f';
		c->source.has_page = 1;
		c->source.page = page;
	}
}
