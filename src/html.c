/*
 * html.c - the escaping HTML writer (see html.h).
 */
#include "html.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

void html_init(struct html *w, struct kbuf *out)
{
	w->out = out;
	w->err = 0;
	w->mark_open = w->mark_close = 0;
	w->nmark = 0;
}

/*
 * Bidirectional formatting characters in text from outside: U+202A..U+202E
 * (embeddings and overrides, closed by U+202C) and U+2066..U+2069 (isolates,
 * closed by U+2069).  Counts what p (3 bytes of UTF-8) opens or closes;
 * -1 for a closer with nothing of the text's own to close (dropped: it
 * would close the page's).
 */
static int bidi_control(const unsigned char *p, int *embeds, int *isolates)
{
	if (p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) {
		if (p[2] != 0xac)
			return ++*embeds, 0;
		return *embeds > 0 ? (--*embeds, 0) : -1;
	}
	if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) {
		if (p[2] != 0xa9)
			return ++*isolates, 0;
		return *isolates > 0 ? (--*isolates, 0) : -1;
	}
	return 0;
}

int html_escape(struct kbuf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	int rc = 0, embeds = 0, isolates = 0;

	if (!s)
		return 0;
	/* copy runs of safe bytes at once; the common case is all of it */
	while (i < len && !rc) {
		unsigned char ch = s[i];
		const char *ent = NULL;

		if (ch >= 0x80) {
			uint32_t cp;
			int seq = kutf8_decode(str + i, len - i, &cp);

			if (seq == 3 && bidi_control(s + i, &embeds, &isolates) < 0) {
				/* a closer of what this text did not open: dropped */
				rc = kbuf_add(b, s + run, i - run);
				i += 3;
				run = i;
				continue;
			}
			if (seq > 0) {
				i += (size_t)seq;
				continue;
			}
			ent = "\xef\xbf\xbd"; /* U+FFFD */
		} else if (ch == '&') {
			ent = "&amp;";
		} else if (ch == '<') {
			ent = "&lt;";
		} else if (ch == '>') {
			ent = "&gt;";
		} else if (ch == '"') {
			ent = "&quot;";
		} else if (ch == '\'') {
			ent = "&#39;";
		} else if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f) {
			ent = "";
		} else {
			i++;
			continue;
		}
		rc = kbuf_add(b, s + run, i - run);
		if (!rc)
			rc = kbuf_adds(b, ent);
		i++;
		run = i;
	}
	if (!rc && run < len)
		rc = kbuf_add(b, s + run, len - run);
	/* close what the text opened, so it cannot reorder the page after it */
	while (!rc && embeds-- > 0)
		rc = kbuf_adds(b, "\xe2\x80\xac"); /* U+202C POP DIRECTIONAL FORMATTING */
	while (!rc && isolates-- > 0)
		rc = kbuf_adds(b, "\xe2\x81\xa9"); /* U+2069 POP DIRECTIONAL ISOLATE */
	return rc;
}

int url_encode(struct kbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			rc = kbuf_addch(b, ch);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rc = kbuf_add(b, e, 3);
		}
	}
	return rc;
}

void html_marks(struct html *w, char open, char close)
{
	w->mark_open = open;
	w->mark_close = close;
}

/* Escaped text with the highlighting bytes as <mark>s (html_marks). */
static int escape_marked(struct html *w, const char *s, size_t n)
{
	size_t a = 0;
	int rc = 0, in = 0;

	if (!w->mark_open || !s)
		return html_escape(w->out, s, n);
	for (size_t i = 0; i < n && !rc; i++) {
		if (s[i] != w->mark_open && s[i] != w->mark_close)
			continue;
		rc |= html_escape(w->out, s + a, i - a);
		a = i + 1;
		if (s[i] == w->mark_open && !in) {
			rc |= kbuf_adds(w->out, w->nmark++ ? "<mark>" : "<mark id=\"match-1\">");
			in = 1;
		} else if (s[i] == w->mark_close && in) {
			rc |= kbuf_adds(w->out, "</mark>");
			in = 0;
		}
	}
	rc |= html_escape(w->out, s + a, n - a);
	if (in)
		rc |= kbuf_adds(w->out, "</mark>");
	return rc;
}

static void fail(struct html *w, int rc)
{
	if (rc && !w->err)
		w->err = rc;
}

void html_printf_(struct html *w, const char *fmt, ...)
{
	const char *p = fmt, *lit = fmt;
	va_list ap;
	int rc = 0;

	if (w->err)
		return;
	va_start(ap, fmt);
	while (*p && !rc) {
		const char *s;
		int n;

		if (*p != '%') {
			p++;
			continue;
		}
		rc = kbuf_add(w->out, lit, (size_t)(p - lit));
		if (rc)
			break;
		p++;
		switch (*p) {
		case 's':
			s = va_arg(ap, const char *);
			rc = escape_marked(w, s, s ? strlen(s) : 0);
			break;
		case '.':
			if (p[1] != '*' || p[2] != 's') {
				rc = KE_INVALID;
				break;
			}
			p += 2;
			n = va_arg(ap, int);
			s = va_arg(ap, const char *);
			rc = escape_marked(w, s, s && n > 0 ? (size_t)n : 0);
			break;
		case 'U':
			s = va_arg(ap, const char *);
			rc = url_encode(w->out, s ? s : "", s ? strlen(s) : 0);
			break;
		case 'R':
			s = va_arg(ap, const char *);
			rc = kbuf_adds(w->out, s ? s : "");
			break;
		case 'd':
			rc = kbuf_addf(w->out, "%d", va_arg(ap, int));
			break;
		case 'u':
			rc = kbuf_addf(w->out, "%u", va_arg(ap, unsigned));
			break;
		case 'z':
			if (p[1] != 'u') {
				rc = KE_INVALID;
				break;
			}
			p++;
			rc = kbuf_addf(w->out, "%zu", va_arg(ap, size_t));
			break;
		case 'l':
			if (p[1] == 'd') {
				p++;
				rc = kbuf_addf(w->out, "%ld", va_arg(ap, long));
			} else if (p[1] == 'u') {
				p++;
				rc = kbuf_addf(w->out, "%lu", va_arg(ap, unsigned long));
			} else if (p[1] == 'l' && p[2] == 'd') {
				p += 2;
				rc = kbuf_addf(w->out, "%lld", va_arg(ap, long long));
			} else {
				rc = KE_INVALID;
			}
			break;
		case '%':
			rc = kbuf_addch(w->out, '%');
			break;
		default:
			rc = KE_INVALID; /* a directive this writer does not know */
			break;
		}
		if (rc)
			break;
		p++;
		lit = p;
	}
	if (!rc && p > lit)
		rc = kbuf_add(w->out, lit, (size_t)(p - lit));
	va_end(ap);
	fail(w, rc);
}

void html_marked(struct html *w, const char *s, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	int in = 0;

	if (w->err || !s)
		return;
	while (*s) {
		const char *a = strstr(s, in ? close : open);
		size_t n = a ? (size_t)(a - s) : strlen(s);

		fail(w, html_escape(w->out, s, n));
		s += n;
		if (!a)
			break;
		html_printf(w, "%R", in ? "</mark>" : "<mark>");
		s += in ? lc : lo;
		in = !in;
	}
	if (in)
		html_printf(w, "</mark>");
}

/* The bullet a line starts with (its length in bytes), or 0. */
static size_t bullet_len(const char *s)
{
	static const char *const marks[] = { "・", "●", "○", "■", "□", "◆", "◇", "▪", "•", "- ", "* " };

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (!strncmp(s, marks[i], strlen(marks[i])))
			return strlen(marks[i]);
	return 0;
}

void html_lines(struct html *w, const char *s)
{
	int in_list = 0;

	while (s && *s && !w->err) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s), b;
		const char *line = s;

		s += n + (nl ? 1 : 0);
		while (n && (*line == ' ' || *line == '\t' || *line == '\r'))
			line++, n--;
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		b = bullet_len(line);
		if (b && b < n) {
			if (!in_list)
				html_printf(w, "<ul>");
			in_list = 1;
			html_printf(w, "<li>%.*s</li>", (int)(n - b), line + b);
		} else {
			if (in_list)
				html_printf(w, "</ul>");
			in_list = 0;
			html_printf(w, "<p>%.*s</p>", (int)n, line);
		}
	}
	if (in_list)
		html_printf(w, "</ul>");
}
