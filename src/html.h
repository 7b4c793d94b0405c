/*
 * html.h - an HTML writer that escapes by construction.
 *
 * Everything the web pages print goes through html_printf(), whose format
 * must be a string literal (the macro pastes "" in front of it, so anything
 * else does not compile).  Its directives:
 *
 *     %s      text: escaped for HTML text and quoted attribute values
 *             (& < > " ' become entities; invalid UTF-8 becomes U+FFFD;
 *             control characters other than tab and newline are dropped;
 *             bidirectional embeddings, overrides and isolates the text
 *             opens are closed at its end, and closers it did not open are
 *             dropped, so text cannot reorder the page around it).
 *             NULL prints nothing.
 *     %.*s    the same for (int length, const char *)
 *     %U      one URL component (path segment or query value): every byte
 *             outside A-Z a-z 0-9 - . _ ~ is percent-encoded
 *     %d %u %ld %lu %lld %zu   numbers
 *     %R      RAW: only for trusted constant markup from tables in this
 *             program, never for anything read from a case or a request
 *     %%      a percent sign
 *
 * There is no way to print text unescaped except %R, so an escaping bug has
 * to be written on purpose.  Errors (out of memory, an unknown directive) are
 * sticky in w->err and looked at once, at the end of the page.
 *
 *     struct html w;
 *     html_init(&w, &body);
 *     html_printf(&w, "<a href=\"/cases/%U\">%s</a>", c->id, c->title);
 *     if (w.err) ...
 */
#ifndef KYOKUN_HTML_H
#define KYOKUN_HTML_H

#include <stddef.h>

struct kbuf;

struct html {
	struct kbuf *out;
	int err; /* 0 or the first KE_* error */
	/* Highlighting (html_marks()): in the text of %s and %.*s, the byte
	 * mark_open starts a <mark>, mark_close ends it; 0 for none. */
	char mark_open, mark_close;
	int nmark; /* marks written; the first has id="match-1" */
};

void html_init(struct html *w, struct kbuf *out);

/* The format is pasted to "" so that it must be a string literal. */
#define html_printf(w, ...) html_printf_((w), "" __VA_ARGS__)
void html_printf_(struct html *w, const char *fmt, ...);

/* Append escaped text (len bytes) to a buffer: the %s of html_printf. */
int html_escape(struct kbuf *b, const char *s, size_t len);

/* Append one percent-encoded URL component: the %U of html_printf. */
int url_encode(struct kbuf *b, const char *s, size_t len);

/*
 * Text with highlight markers: the bytes between open and close (e.g. the
 * search snippet's markers) are wrapped in <mark>..</mark>, everything else
 * is escaped.  Unbalanced markers are closed at the end.
 */
void html_marked(struct html *w, const char *s, const char *open, const char *close);

/*
 * Turn highlighting on (open and close: two control bytes, e.g. the ones
 * ksearch_mark_case() put in a case's text) or off (0, 0).  While on, the
 * text of %s and %.*s becomes <mark>..</mark> between them (closed at the
 * end of each directive); the first mark written has id="match-1", the
 * anchor a link's #match-1 scrolls to.
 */
void html_marks(struct html *w, char open, char close);

/*
 * Multi-line text from a case (one bullet or paragraph per line, as the
 * reports print them): lines that start with a bullet (・ ● ○ ■ - * ①...)
 * become <li> of a <ul>, other lines <p>.  Empty lines are skipped.
 */
void html_lines(struct html *w, const char *s);

#endif
