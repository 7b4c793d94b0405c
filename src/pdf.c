/*
 * pdf.c - the text of a PDF with poppler-glib, shaped like pdftotext's.
 *
 * poppler_page_get_text() gives the lines of a page in the order pdftotext
 * prints them (both come from poppler's TextOutputDev: blocks of lines
 * grouped into flows, columns one after the other), but
 *   - joined by bare newlines: nothing marks where a flow ends, where
 *     pdftotext prints an empty line;
 *   - with the cells of what it takes for a table row run together on one
 *     line ("1Introduction", "•Item");
 *   - with words hyphenated at the end of a line left broken.
 * We repair that from the box of every character of the text
 * (poppler_page_get_text_layout()) and the font sizes
 * (poppler_page_get_text_attributes()): a line is cut where its characters
 * jump (back left, to another height, or across a gap with no space); the
 * lines are grouped into blocks and the blocks into flows with the rules
 * and constants of TextOutputDev.cc (see pdf_blocks() and pdf_breaks()).
 * On our generated reports the result is byte for byte pdftotext's; on
 * other documents a few empty lines may differ, never the text or its
 * order.  Without usable boxes (their count differs from the text's) the
 * lines are kept and only the page ends with an empty line.
 *
 * Poppler reports the problems of a file (syntax errors, ...) through an
 * error callback that poppler-glib turns into GLib log messages of the
 * domain "Poppler" ("Syntax error at position N: ..."), which GLib's
 * default handler prints on stderr.  We catch them with a log handler and
 * keep those of a call in a thread-local struct pdf_diag; the first
 * explains a damaged file.  KYOKUN_PDF_DEBUG=1 prints them on stderr, =2
 * also the lines with their boxes and where flows start.
 */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poppler.h>

#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <dlfcn.h>

/*
 * poppler-glib is loaded when the first PDF is read (dlopen), not when
 * kyokun starts: it and what it needs (GLib, cairo, freetype, fontconfig,
 * libstdc++ ...) were two thirds of every command's start-up time (about
 * 20 of 30 ms), which every command paid though only a PDF import uses
 * them.  The functions used, called through pdf_fn; their types come from
 * poppler.h, so a mismatch is a compile error.
 */
#ifndef KYOKUN_POPPLER_SONAME
#define KYOKUN_POPPLER_SONAME "libpoppler-glib.so.8"
#endif
#define PDF_FUNCTIONS(X) \
	X(g_bytes_new_static) X(g_bytes_unref) X(g_clear_error) X(g_free) X(g_log_set_handler) \
	X(g_object_unref) X(g_utf8_validate) X(g_utf8_make_valid) X(g_file_error_quark) X(poppler_error_quark) \
	X(poppler_document_get_n_pages) X(poppler_document_get_page) X(poppler_document_get_title) \
	X(poppler_document_new_from_bytes) X(poppler_document_new_from_fd) \
	X(poppler_page_free_text_attributes) X(poppler_page_get_text) \
	X(poppler_page_get_text_attributes) X(poppler_page_get_text_layout)
static struct {
#define PDF_MEMBER(f) __typeof__(f) *f;
	PDF_FUNCTIONS(PDF_MEMBER)
#undef PDF_MEMBER
} pdf_fn;
static char pdf_load_error[256]; /* why poppler could not be loaded, or "" */

#define PDF_TAIL		1024	/* "%%EOF" is in the last 1024 bytes */
#define PDF_MAX_STREAM		((size_t)1 << 31) /* from a pipe */
#define PDF_LINE_SPACING	1.5	/* poppler's maxLineSpacingDelta */
#define PDF_BLOCK_SPACING	2.5	/* poppler's maxBlockSpacing */
#define PDF_FONT_DELTA		0.05	/* poppler's maxBlockFontSizeDelta1 */
#define PDF_SLACK		0.5	/* points, for rounding in the boxes */

/* What poppler said during one call. */
struct pdf_diag {
	int n;
	char first[256];
	int missing;		/* objects it refers to are not in the file */
	char lost[128];		/* the first such message */
};

/*
 * A line of the page text as pdftotext would print it, and the box of its
 * characters (y downwards).  pdf_fn.poppler_page_get_text() puts the cells of a
 * table row on one line; we split them again where the characters jump.
 */
struct pdf_line {
	const char *s;
	size_t len;
	int boxed;		/* box and font size known */
	double x0, y0, x1, y1;	/* y1 stands for the baseline */
	double fs;		/* font size of its first character */
};

/* A block of lines, as poppler's TextBlock (see pdf_blocks()). */
struct pdf_block {
	size_t first;		/* its first line */
	double x0, y0, x1, y1;	/* extent of its lines */
	double px0, px1;	/* extent of its lines above the current row */
	int prows;		/* there are such lines */
	double row0, row;	/* baselines of its first and current row */
	double fs;		/* font size of its first line */
	double lo, hi;		/* how far it could widen (no text there) */
};

static _Thread_local struct pdf_diag *pdf_cur;
static pthread_once_t pdf_once = PTHREAD_ONCE_INIT;
static int pdf_debug;

/* msg is poppler's "Syntax error at position 1234: Couldn't ..." */
static void pdf_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
			 gpointer data)
{
	struct pdf_diag *d = pdf_cur;
	const char *at, *text;
	long long pos = -1;

	if (!msg)
		return;
	if (pdf_debug)
		fprintf(stderr, "kyokun: poppler: %s\n", msg);
	if (!d)
		return;
	if (!d->missing && (strstr(msg, "Invalid XRef entry") || strstr(msg, "not found but needed"))) {
		const char *m = strstr(msg, ": ");

		snprintf(d->lost, sizeof(d->lost), "%s", m ? m + 2 : msg);
		d->missing = 1;
	}
	if (d->n++)
		return;
	at = strstr(msg, " at position ");
	text = at ? strstr(at, ": ") : NULL;
	if (text) {
		pos = strtoll(at + 13, NULL, 10);
		text += 2;
	} else {
		text = msg;
	}
	if (pos >= 0)
		snprintf(d->first, sizeof(d->first), "%s (at byte %lld)", text, pos);
	else
		snprintf(d->first, sizeof(d->first), "%s", text);
}

static void pdf_init(void)
{
	const char *dbg = getenv("KYOKUN_PDF_DEBUG");
	void *lib;

	pdf_debug = dbg ? atoi(dbg) : 0;
	lib = dlopen(KYOKUN_POPPLER_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *e = dlerror();

		snprintf(pdf_load_error, sizeof(pdf_load_error), "%s", e ? e : KYOKUN_POPPLER_SONAME);
		return;
	}
	/* GLib's functions too: dlsym() looks in the library and the ones it needs */
#define PDF_LOAD(f) \
	if (!pdf_load_error[0] && !(*(void **)&pdf_fn.f = dlsym(lib, #f))) \
		snprintf(pdf_load_error, sizeof(pdf_load_error), "%s has no %s", KYOKUN_POPPLER_SONAME, #f);
	PDF_FUNCTIONS(PDF_LOAD)
#undef PDF_LOAD
	if (pdf_load_error[0])
		return; /* the library stays loaded: nothing else to do with it */
	pdf_fn.g_log_set_handler("Poppler", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
			  G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, pdf_glib_log, NULL);
}

static int pdf_unavailable(struct kerr *err)
{
	return kerr_set(err, KE_IO, "cannot read PDFs: poppler could not be loaded (%s); install "
			"libpoppler-glib8, or give the report as text (pdftotext -layout)", pdf_load_error);
}

int kpdf_sniff(const void *data, size_t len)
{
	return data && len >= 5 && !memcmp(data, "%PDF-", 5);
}

/* Is "%%EOF" in the (last bytes of the) file? */
static int pdf_has_eof(const unsigned char *tail, size_t len)
{
	for (size_t i = 0; i + 5 <= len; i++)
		if (tail[i] == '%' && !memcmp(tail + i, "%%EOF", 5))
			return 1;
	return 0;
}

/* The checks before poppler sees the data: head = first bytes, tail = last. */
static int pdf_check(const unsigned char *head, size_t hlen, const unsigned char *tail,
		     size_t tlen, size_t size, struct kerr *err)
{
	size_t i;

	if (!size)
		return kerr_set(err, KE_PARSE, "not a PDF file (the file is empty)");
	if (!kpdf_sniff(head, hlen)) {
		for (i = 0; i < hlen && (head[i] == ' ' || head[i] == '\t' ||
					 head[i] == '\r' || head[i] == '\n'); i++)
			;
		if (i < hlen && head[i] == '<')
			return kerr_set(err, KE_PARSE, "not a PDF file (it looks like HTML or XML)");
		return kerr_set(err, KE_PARSE, "not a PDF file (it does not start with %%PDF-)");
	}
	if (!pdf_has_eof(tail, tlen))
		return kerr_set(err, KE_PARSE, "truncated PDF: no %%%%EOF at the end "
				"(an incomplete download?)");
	return 0;
}

/* Append s without control characters, as valid UTF-8; sets *text if visible. */
static int pdf_add_clean(struct kbuf *out, const char *s, size_t len, int *text)
{
	gchar *fixed = NULL;
	size_t i, start = 0;
	int rc = 0;

	if (!pdf_fn.g_utf8_validate(s, (gssize)len, NULL)) {
		fixed = pdf_fn.g_utf8_make_valid(s, (gssize)len);
		s = fixed;
		len = strlen(fixed);
	}
	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			rc = kbuf_add(out, s + start, i - start);
			start = i + 1;
		} else if (c > 0x20) {
			*text = 1;
		}
	}
	if (rc == 0)
		rc = kbuf_add(out, s + start, len - start);
	pdf_fn.g_free(fixed);
	return rc;
}

static int pdf_overlap(double a0, double a1, double b0, double b1)
{
	return a0 < b1 && b0 < a1;
}

/* Add line l (without its leading spaces; none if that leaves nothing). */
static int pdf_push(struct pdf_line **v, size_t *n, size_t *alloc, struct pdf_line *l)
{
	while (l->len && *l->s == ' ')
		l->s++, l->len--;
	if (!l->len)
		return 0;
	if (KGROW(*v, *alloc, *n + 1) < 0)
		return KE_NOMEM;
	(*v)[(*n)++] = *l;
	return 0;
}

/* The font size at character k (attrs is advanced, k only grows). */
static double pdf_font_size(GList **attrs, size_t k)
{
	for (; *attrs; *attrs = (*attrs)->next) {
		PopplerTextAttributes *a = (*attrs)->data;

		if (a->end_index >= (int)k)
			return a->start_index <= (int)k ? a->font_size : 0;
	}
	return 0;
}

/* Must the line be cut between characters p and c (sp: a space between)? */
static int pdf_jump(const PopplerRectangle *p, const PopplerRectangle *c, int sp, double fs)
{
	if (c->y1 >= p->y2 || c->y2 <= p->y1)
		return 1;	/* not on the same height */
	if (c->x1 < p->x1 - PDF_SLACK)
		return 1;	/* back to the left */
	return !sp && c->x1 - p->x2 > 0.5 * fs;	/* a gap without a space */
}

/* Past the UTF-8 character at p (its continuation bytes, if any). */
static const char *pdf_char_end(const char *p)
{
	for (p++; kutf8_is_cont((unsigned char)*p); p++)
		;
	return p;
}

/*
 * Split the page text into lines (r: one box per character, or NULL) and
 * measure them.  Appends to *v; 0 or KE_NOMEM.
 */
static int pdf_lines(const char *text, const PopplerRectangle *r, size_t nr, GList *attrs,
		     struct pdf_line **v, size_t *n, size_t *alloc)
{
	struct pdf_line cur;
	const PopplerRectangle *prev = NULL;
	const char *p = text, *end = text;
	size_t k = 0;	/* character index, as in r[] and attrs */
	int sp = 0, rc = 0;

	memset(&cur, 0, sizeof(cur));
	cur.s = p;
	for (;; p++) {
		unsigned char ch = (unsigned char)*p;
		const PopplerRectangle *c;

		if (ch == '\n' || !ch) {
			if (end > cur.s) {
				cur.len = (size_t)(end - cur.s);
				rc = pdf_push(v, n, alloc, &cur);
			}
			if (!ch || rc < 0)
				break;
			memset(&cur, 0, sizeof(cur));
			cur.s = end = p + 1;
			prev = NULL;
			sp = 0;
			k++;
			continue;
		}
		if (kutf8_is_cont(ch))
			continue;	/* inside a character */
		if (ch == ' ' || !r || k >= nr) {
			sp |= ch == ' ';
			if (ch != ' ')
				end = pdf_char_end(p);
			k++;
			continue;
		}
		c = &r[k];
		if (prev && pdf_jump(prev, c, sp, cur.fs)) {
			cur.len = (size_t)(end - cur.s);
			rc = pdf_push(v, n, alloc, &cur);
			if (rc < 0)
				break;
			memset(&cur, 0, sizeof(cur));
			cur.s = p;
		}
		if (!cur.boxed) {
			cur.boxed = 1;
			cur.x0 = c->x1, cur.y0 = c->y1, cur.x1 = c->x2, cur.y1 = c->y2;
			cur.fs = pdf_font_size(&attrs, k);
			if (cur.fs <= 0)
				cur.fs = c->y2 - c->y1;
		}
		if (c->x1 < cur.x0) cur.x0 = c->x1;
		if (c->y1 < cur.y0) cur.y0 = c->y1;
		if (c->x2 > cur.x1) cur.x1 = c->x2;
		if (c->y2 > cur.y1) cur.y1 = c->y2;
		end = pdf_char_end(p);
		prev = c;
		sp = 0;
		k++;
	}
	return rc;
}

static void pdf_block_start(struct pdf_block *b, const struct pdf_line *l)
{
	b->x0 = l->x0, b->y0 = l->y0, b->x1 = l->x1, b->y1 = l->y1;
	b->px0 = b->px1 = 0;
	b->prows = 0;
	b->row0 = b->row = l->y1;
	b->fs = l->fs;
	b->lo = -1e30, b->hi = 1e30;
}

static void pdf_block_add(struct pdf_block *b, const struct pdf_line *l, int newrow)
{
	if (newrow) {
		if (!b->prows || b->x0 < b->px0) b->px0 = b->x0;
		if (!b->prows || b->x1 > b->px1) b->px1 = b->x1;
		b->prows = 1;
		b->row = l->y1;
	}
	if (l->x0 < b->x0) b->x0 = l->x0;
	if (l->y0 < b->y0) b->y0 = l->y0;
	if (l->x1 > b->x1) b->x1 = l->x1;
	if (l->y1 > b->y1) b->y1 = l->y1;
}

/*
 * Does line c join block b: -1 no, 0 further on its current row (a row
 * the block already spans), 1 as its next row (baseline at most 1.5 font
 * sizes lower, overlapping the block, same font size)?
 */
static int pdf_joins(const struct pdf_block *b, const struct pdf_line *c)
{
	double d = c->y1 - b->row, tol = PDF_FONT_DELTA * b->fs + 0.01;

	if (c->fs - b->fs > tol || b->fs - c->fs > tol)
		return -1;
	if (d > -0.2 * b->fs && d < 0.2 * b->fs && b->prows &&
	    pdf_overlap(c->x0, c->x1, b->px0, b->px1))
		return 0;
	if (d >= 0.2 * b->fs && d <= PDF_LINE_SPACING * b->fs + PDF_SLACK &&
	    pdf_overlap(c->x0, c->x1, b->x0, b->x1))
		return 1;
	return -1;
}

/*
 * Is line m within block a grown by line c, as poppler pulls in text that
 * overlaps a block (baseline within half a font size of its rows, beside
 * it by less than 0.3 font sizes, font size within 60%)?
 */
static int pdf_inside(const struct pdf_block *a, const struct pdf_line *c,
		      const struct pdf_line *m)
{
	double fs = a->fs;
	double x0 = a->x0 < c->x0 ? a->x0 : c->x0, x1 = a->x1 > c->x1 ? a->x1 : c->x1;

	return m->y1 >= a->row0 - 0.5 * fs && m->y1 <= c->y1 + 0.5 * fs &&
	       m->x0 < x1 + 0.3 * fs && m->x1 > x0 - 0.3 * fs &&
	       m->fs > 0.4 * fs && m->fs < 1.6 * fs;
}

/*
 * Group the lines into poppler's blocks: a line joins the block when it is
 * the next row (baseline at most 1.5 font sizes lower, overlapping the
 * block, same font size), or further on a row the block already spans.
 * Fills blk[] (of n) and returns how many blocks, or 0 if nothing is known.
 */
static size_t pdf_blocks(const struct pdf_line *l, size_t n, struct pdf_block *blk)
{
	size_t nb = 0;

	for (size_t i = 0; i < n; i++) {
		const struct pdf_line *c = &l[i];
		struct pdf_block *b = nb ? &blk[nb - 1] : NULL, *a = nb > 1 ? &blk[nb - 2] : NULL;
		int how;

		if (!c->boxed)
			return 0;
		if (b && (how = pdf_joins(b, c)) >= 0) {
			pdf_block_add(b, c, how);
			continue;
		}
		/*
		 * A line beside a block comes out before the block's next row
		 * ("[Function]" at the right margin): poppler's block takes both.
		 */
		if (a && b->first == i - 1 && (how = pdf_joins(a, c)) > 0 &&
		    pdf_inside(a, c, &l[i - 1])) {
			pdf_block_add(a, &l[i - 1], 0);
			pdf_block_add(a, c, how);
			nb--;
			continue;
		}
		b = &blk[nb++];
		pdf_block_start(b, c);
		b->first = i;
	}
	return nb;
}

/*
 * How far could each block widen (TextBlock::updatePriMinMax): up to the
 * nearest block beside it, or without bound.
 */
static void pdf_widen(struct pdf_block *b, size_t nb)
{
	for (size_t i = 0; i < nb; i++) {
		for (size_t j = 0; j < nb; j++) {
			double v;

			if (j == i || !pdf_overlap(b[i].y0, b[i].y1, b[j].y0, b[j].y1))
				continue;
			if (b[j].x0 < b[i].x0) {
				v = b[j].x1 < b[i].x0 ? b[j].x1 : b[i].x0;
				if (v > b[i].lo)
					b[i].lo = v;
			}
			if (b[j].x1 > b[i].x1) {
				v = b[j].x0 > b[i].x1 ? b[j].x0 : b[i].x1;
				if (v < b[i].hi)
					b[i].hi = v;
			}
		}
	}
}

/*
 * Where do pdftotext's flows start?  brk[i] = 1 before line i.  A block
 * continues the flow (TextPage::coalesce, TextFlow::blockFits) when it
 * starts lower than the previous block, at most 2.5 font sizes under it,
 * within the width both the previous and the first block of the flow
 * could take, and its font is not larger.
 */
static void pdf_breaks(const struct pdf_line *l, size_t n, struct pdf_block *blk, char *brk)
{
	size_t nb = pdf_blocks(l, n, blk), first = 0;

	memset(brk, 0, n);
	if (!nb) {
		brk[0] = 1;
		return;
	}
	pdf_widen(blk, nb);
	brk[0] = 1;
	for (size_t j = 1; j < nb; j++) {
		const struct pdf_block *b = &blk[j], *p = &blk[j - 1], *f = &blk[first];

		if (b->y0 - p->y1 <= PDF_BLOCK_SPACING * p->fs &&
		    b->x0 >= p->lo - PDF_SLACK && b->x1 <= p->hi + PDF_SLACK && b->y0 > p->y0 &&
		    b->fs <= p->fs + 0.01 &&
		    b->x0 >= f->lo - PDF_SLACK && b->x1 <= f->hi + PDF_SLACK)
			continue;
		brk[b->first] = 1;
		first = j;
	}
}

/* Append the text of one page and its form feed. */
static int pdf_page(PopplerPage *page, struct kbuf *out, int *hastext)
{
	PopplerRectangle *rects = NULL;
	struct pdf_line *lines = NULL;
	struct pdf_block *blocks = NULL;
	GList *attrs = NULL;
	size_t n = 0, alloc = 0, nchars = 0;
	char *text, *brk = NULL;
	guint nrects = 0;
	int rc = 0;

	text = pdf_fn.poppler_page_get_text(page);
	if (!text || !*text)
		goto out;
	for (const char *p = text; *p; p++)
		nchars += !kutf8_is_cont((unsigned char)*p);
	/* one box per character of the text, or we cannot use them */
	if (!pdf_fn.poppler_page_get_text_layout(page, &rects, &nrects) || nrects != nchars) {
		pdf_fn.g_free(rects);
		rects = NULL;
	} else {
		attrs = pdf_fn.poppler_page_get_text_attributes(page);
	}
	rc = pdf_lines(text, rects, nrects, attrs, &lines, &n, &alloc);
	if (rc < 0 || !n)
		goto out;
	brk = malloc(n);
	blocks = malloc(n * sizeof(*blocks));
	if (!brk || !blocks) {
		rc = KE_NOMEM;
		goto out;
	}
	pdf_breaks(lines, n, blocks, brk);
	if (pdf_debug >= 2)
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "kyokun: pdf: %c %6.1f %6.1f %6.1f %6.1f fs %4.1f %.*s\n", brk[i] ? '*' : ' ',
				lines[i].x0, lines[i].y0, lines[i].x1, lines[i].y1, lines[i].fs,
				(int)(lines[i].len > 40 ? 40 : lines[i].len), lines[i].s);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct pdf_line *l = &lines[i];
		int last = i + 1 == n || brk[i + 1];
		int hyphen = !last && l->s[l->len - 1] == '-';

		rc = pdf_add_clean(out, l->s, hyphen ? l->len - 1 : l->len, hastext);
		if (rc == 0 && !hyphen)
			rc = kbuf_addch(out, '\n');
		if (rc == 0 && last)
			rc = kbuf_addch(out, '\n');	/* the end of a flow */
	}
out:
	if (rc == 0)
		rc = kbuf_addch(out, '\f');
	if (attrs)
		pdf_fn.poppler_page_free_text_attributes(attrs);
	pdf_fn.g_free(rects);
	free(lines);
	free(blocks);
	free(brk);
	pdf_fn.g_free(text);
	return rc;
}

static int pdf_open_error(GError *gerr, const struct pdf_diag *d, struct kerr *err)
{
	if (gerr && gerr->domain == pdf_fn.poppler_error_quark() && gerr->code == POPPLER_ERROR_ENCRYPTED)
		return kerr_set(err, KE_PARSE, "encrypted PDF: it cannot be read without "
				"its password");
	if (gerr && gerr->domain == pdf_fn.g_file_error_quark())
		return kerr_set(err, KE_IO, "%s", gerr->message);
	return kerr_set(err, KE_PARSE, "damaged PDF: %s",
			d->n ? d->first : gerr ? gerr->message : "it cannot be opened");
}

/* Extract all the pages of an open document. */
static int pdf_doc(PopplerDocument *doc, struct kbuf *out, int *npages,
		   const struct pdf_diag *d, struct kerr *err)
{
	size_t start = out->len;
	int n, hastext = 0, rc = 0;

	n = pdf_fn.poppler_document_get_n_pages(doc);
	if (n <= 0) {
		rc = kerr_set(err, KE_PARSE, "damaged PDF: %s",
			      d->n ? d->first : "it has no pages");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		PopplerPage *page = pdf_fn.poppler_document_get_page(doc, i);

		if (!page) {
			rc = kerr_set(err, KE_PARSE, "damaged PDF: page %d of %d cannot be read%s%s",
				      i + 1, n, d->n ? ": " : "", d->n ? d->first : "");
			goto out;
		}
		rc = pdf_page(page, out, &hastext);
		pdf_fn.g_object_unref(page);
		if (rc == KE_TOOBIG) {
			rc = kerr_set(err, rc, "the text of this PDF is larger than the limit "
				      "of %zu bytes (at page %d of %d)", out->cap, i + 1, n);
			goto out;
		}
		if (rc < 0) {
			rc = kerr_set(err, rc, "out of memory reading page %d of %d", i + 1, n);
			goto out;
		}
	}
	if (d->missing) {
		/* poppler read on, but what it shows can be anything */
		rc = kerr_set(err, KE_PARSE, "damaged PDF: parts of it are missing (%s)", d->lost);
	} else if (!hastext) {
		if (d->n)
			rc = kerr_set(err, KE_PARSE, "damaged PDF: no text could be read: %s",
				      d->first);
		else
			rc = kerr_set(err, KE_INVALID, "no text in this PDF (scanned images?)");
	}
out:
	if (rc < 0)
		kbuf_setlen(out, start);
	else if (npages)
		*npages = n;
	return rc;
}

int kpdf_extract_mem(const void *data, size_t len, struct kbuf *out, int *npages,
		     struct kerr *err)
{
	struct pdf_diag diag = { 0, { 0 }, 0, { 0 } }, *saved = pdf_cur;
	PopplerDocument *doc = NULL;
	GError *gerr = NULL;
	GBytes *bytes = NULL;
	size_t tail = len < PDF_TAIL ? len : PDF_TAIL;
	int rc;

	if (!data || !len)
		return kerr_set(err, KE_PARSE, "not a PDF file (no data)");
	rc = pdf_check(data, len, (const unsigned char *)data + (len - tail), tail, len, err);
	if (rc < 0)
		return rc;
	pthread_once(&pdf_once, pdf_init);
	if (pdf_load_error[0])
		return pdf_unavailable(err);
	pdf_cur = &diag;
	bytes = pdf_fn.g_bytes_new_static(data, len);
	doc = pdf_fn.poppler_document_new_from_bytes(bytes, NULL, &gerr);
	if (!doc) {
		rc = pdf_open_error(gerr, &diag, err);
		goto out;
	}
	rc = pdf_doc(doc, out, npages, &diag, err);
out:
	if (doc)
		pdf_fn.g_object_unref(doc);
	pdf_fn.g_bytes_unref(bytes);
	pdf_fn.g_clear_error(&gerr);
	pdf_cur = saved;
	return rc;
}

/* A pipe or a device: read it all, then as from memory. */
static int pdf_extract_stream(int fd, struct kbuf *out, int *npages, struct kerr *err)
{
	struct kbuf raw = KBUF_INIT;
	FILE *fp;
	int rc;

	fp = fdopen(fd, "rb");
	if (!fp) {
		rc = kerr_set(err, KE_IO, "%s", strerror(errno));
		close(fd);
		return rc;
	}
	kbuf_setcap(&raw, PDF_MAX_STREAM);
	rc = kbuf_read_fp(&raw, fp, err);
	fclose(fp);
	if (rc == 0)
		rc = kpdf_extract_mem(raw.buf, raw.len, out, npages, err);
	kbuf_release(&raw);
	return rc;
}

/* The checks of pdf_check() on the start and end of an open file. */
static int pdf_check_fd(int fd, size_t size, struct kerr *err)
{
	unsigned char head[8], tail[PDF_TAIL];
	size_t tlen = size < PDF_TAIL ? size : PDF_TAIL;
	ssize_t h, t;

	h = pread(fd, head, size < sizeof(head) ? size : sizeof(head), 0);
	t = pread(fd, tail, tlen, (off_t)(size - tlen));
	if (h < 0 || t < 0)
		return kerr_set(err, KE_IO, "%s", strerror(errno));
	return pdf_check(head, (size_t)h, tail, (size_t)t, size, err);
}

int kpdf_extract(const char *path, struct kbuf *out, int *npages, struct kerr *err)
{
	struct pdf_diag diag = { 0, { 0 }, 0, { 0 } }, *saved = pdf_cur;
	PopplerDocument *doc = NULL;
	GError *gerr = NULL;
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s: %s",
				path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = kerr_set(err, KE_IO, "%s", strerror(errno));
		close(fd);
		goto prefix;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return kerr_set(err, KE_IO, "%s: is a directory, not a file", path);
	}
	if (!S_ISREG(st.st_mode)) {
		rc = pdf_extract_stream(fd, out, npages, err);
		goto prefix;
	}
	rc = pdf_check_fd(fd, (size_t)st.st_size, err);
	if (rc < 0) {
		close(fd);
		goto prefix;
	}
	pthread_once(&pdf_once, pdf_init);
	if (pdf_load_error[0]) {
		close(fd);
		rc = pdf_unavailable(err);
		goto prefix;
	}
	pdf_cur = &diag;
	doc = pdf_fn.poppler_document_new_from_fd(fd, NULL, &gerr);	/* owns fd now */
	if (!doc)
		rc = pdf_open_error(gerr, &diag, err);
	else
		rc = pdf_doc(doc, out, npages, &diag, err);
	if (doc)
		pdf_fn.g_object_unref(doc);
	pdf_fn.g_clear_error(&gerr);
	pdf_cur = saved;
prefix:
	if (rc < 0)
		kerr_prefix(err, "%s", path);
	return rc;
}

/* The title in the PDF's metadata (issue 14, h-cite: what a document is cited by). */
char *kpdf_title_mem(const void *data, size_t len)
{
	struct pdf_diag diag = { 0, { 0 }, 0, { 0 } }, *saved = pdf_cur;
	PopplerDocument *doc;
	GBytes *bytes;
	GError *gerr = NULL;
	char *t = NULL, *title = NULL;

	if (!data || !len || !kpdf_sniff(data, len))
		return NULL;
	pthread_once(&pdf_once, pdf_init);
	if (pdf_load_error[0])
		return NULL;
	pdf_cur = &diag;
	bytes = pdf_fn.g_bytes_new_static(data, len);
	doc = pdf_fn.poppler_document_new_from_bytes(bytes, NULL, &gerr);
	if (doc) {
		t = pdf_fn.poppler_document_get_title(doc);
		if (t && *t && pdf_fn.g_utf8_validate(t, -1, NULL))
			title = strdup(t);
		pdf_fn.g_free(t);
		pdf_fn.g_object_unref(doc);
	}
	pdf_fn.g_bytes_unref(bytes);
	pdf_fn.g_clear_error(&gerr);
	pdf_cur = saved;
	return title;
}
