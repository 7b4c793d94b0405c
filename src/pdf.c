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
#include <math.h>
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
	X(poppler_page_get_text_attributes) X(poppler_page_get_text_layout) X(poppler_page_get_size)
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
#define PDF_GUTTER		0.8	/* font sizes: the narrowest gap between columns */

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
	int margin;		/* 1 in the top band of the page, 2 in the bottom one */
	int figure;		/* the label of a figure: left out */
	int flow;		/* the layout starts a flow here */
	int table;		/* a row of table `table` (rows of one table are one flow) */
	size_t soff;		/* a made-up line (a table row): its text in the page's kbuf */
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
	if (fs > 0 && c->x1 - p->x2 > 1.5 * PDF_GUTTER * fs)
		return 1;	/* across a gutter, even with a space */
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

/*
 * ---- reading order from the boxes ----
 *
 * poppler's order is right for one column and for columns it can tell
 * apart, but it reads two columns whose lines share their baselines across
 * (a line of the left column, then the right one's, ...), and a table row
 * by row with its cells as separate flows.  We rebuild the order of such
 * pages from the boxes:
 *   - lines in the top and bottom bands of the page (PDF_BAND) are margin
 *     text: a lone page number there is dropped, other text is dropped at
 *     the end when the same text is on many pages (running headers and
 *     footers; pdf_margins_drop());
 *   - runs of short lines away from the text's left edge, scattered (not a
 *     list) and not where a column of text starts (not a table's head),
 *     are the labels of a figure and are left out (pdf_figures());
 *   - the other lines are grouped into rows (lines side by side), and the
 *     rows into regions: runs of rows that keep a common vertical gap free
 *     (a gutter at least PDF_GUTTER font sizes wide); a line across the
 *     gutter starts a new region, unless it is the heading of a group of
 *     rows inside a table (pdf_group_row());
 *   - in a table, a row starts where the lines are further apart than the
 *     lines of a paragraph (pdf_below());
 *   - a region with two gutters or more and two rows or more is a table
 *     (columns of text, as on a spread of two pages printed in two columns
 *     each, make one row: they are read one after the other).  With PDF_TABCOLS
 *     columns or more, or a head naming roles (①..., ②...: a timeline),
 *     each row becomes one line, its cells (their lines joined) separated
 *     by tabs, as the text importer reads tables; in a timeline each bullet
 *     of a cell is a line of its own with the row's time, so that every
 *     event keeps its column (its actor).  A smaller table is read row by
 *     row, each cell whole, as pdftotext reads a table it sees;
 *   - a region with one gutter is a table of two columns (read so) when
 *     the blocks of its columns start side by side, or when its first
 *     column is narrow and most of its rows hold text in both (side heads,
 *     pdf_rowed()); else two columns of text when both are wide enough
 *     (PDF_TEXTCOL): the left one is read, then the right one;
 *   - other regions keep poppler's order.
 * When that gives poppler's order, the flows are poppler's (pdftotext's).
 */
#define PDF_BAND	0.07	/* of the page height: the top and bottom bands */
#define PDF_TEXTCOL	0.2	/* of the region's width: the narrowest text column */
#define PDF_MAXGAP	16	/* gutters of a region */
#define PDF_LABEL	12	/* characters: the longest label of a figure */
#define PDF_TABCOLS	4	/* columns of a table read as tab-separated rows */
#define PDF_ROWPITCH	1.6	/* font sizes: lines further apart are in another row */
#define PDF_FIGMAX	2000	/* lines of a page looked at for figure labels */
#define PDF_SIDEHEAD	0.4	/* of the region's width: the widest column of side heads */

struct pdf_gap {
	double x0, x1;
};

/* A line's place in the page: sorted top to bottom, then left to right. */
struct pdf_key {
	double y0, x0;
	size_t i;
	int row;
};

static int pdf_key_cmp(const void *a, const void *b)
{
	const struct pdf_key *p = a, *q = b;

	if (p->y0 != q->y0)
		return p->y0 < q->y0 ? -1 : 1;
	if (p->x0 != q->x0)
		return p->x0 < q->x0 ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int pdf_gap_cmp(const void *a, const void *b)
{
	const struct pdf_gap *p = a, *q = b;

	return p->x0 < q->x0 ? -1 : p->x0 > q->x0;
}

static int pdf_dbl_cmp(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return p < q ? -1 : p > q;
}

/* The code point at s[*i] (advancing *i), or 0 at the end. */
static uint32_t pdf_cp(const char *s, size_t len, size_t *i)
{
	uint32_t cp = 0;
	int n;

	if (*i >= len)
		return 0;
	n = kutf8_decode(s + *i, len - *i, &cp);
	*i += n > 0 ? (size_t)n : 1;
	return n > 0 ? cp : 0xfffd;
}

static int pdf_is_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 0xff10 && c <= 0xff19);
}

/* Is the line a page number alone ("12", "- 12 -", "（12）", "12/40", "p. 12")? */
static int pdf_lone_number(const char *s, size_t len)
{
	size_t i = 0;
	int digits = 0;
	uint32_t c;

	while ((c = pdf_cp(s, len, &i)) != 0) {
		if (pdf_is_digit(c))
			digits++;
		else if (!strchr(" -./()[]pP", (int)(c < 0x80 ? c : 'x')) &&
			 c != 0x2013 && c != 0x2014 && c != 0x2212 && c != 0xff0d && c != 0xff08 &&
			 c != 0xff09 && c != 0xff0f && c != 0x3000)
			return 0;
	}
	return digits > 0 && digits <= 4;
}

/*
 * The text of a margin line without spaces, hashed (FNV-1a).  Digits are
 * kept: a case's heading (事例３) printed high on each page is no running
 * header; a footer with the page number in it is left to the importer.
 */
static uint32_t pdf_margin_key(const char *s, size_t len, int band)
{
	uint32_t h = 2166136261u ^ (uint32_t)band;
	size_t i = 0, at;
	uint32_t c;

	for (at = i; (c = pdf_cp(s, len, &i)) != 0; at = i) {
		if (c == ' ' || c == 0x3000)
			continue;
		for (; at < i; at++)
			h = (h ^ (unsigned char)s[at]) * 16777619u;
	}
	return h;
}

/* Is [a0, a1] across gap g (more than touching it)? */
static int pdf_crosses(double a0, double a1, const struct pdf_gap *g)
{
	return a0 < g->x1 - PDF_SLACK && a1 > g->x0 + PDF_SLACK;
}

/*
 * What is left of gutter g beside the lines k[a..b) (the widest free part);
 * 0 when it is narrower than min (the lines go across it), else 1.
 */
static int pdf_shrink(struct pdf_gap *g, const struct pdf_line *l, const struct pdf_key *k,
		      size_t a, size_t b, double min)
{
	struct pdf_gap best = *g;
	int changed = 1;

	/* cut the gap at each line until none crosses it */
	while (changed) {
		changed = 0;
		for (size_t j = a; j < b; j++) {
			const struct pdf_line *m = &l[k[j].i];
			double left, right;

			if (!pdf_crosses(m->x0, m->x1, &best))
				continue;
			left = m->x0 - best.x0;
			right = best.x1 - m->x1;
			if (left >= right)
				best.x1 = m->x0;
			else
				best.x0 = m->x1;
			changed = 1;
			if (best.x1 - best.x0 < min)
				return 0;
		}
	}
	*g = best;
	return 1;
}

/* The gaps between the lines k[a..b) (one row), at least min wide. */
static int pdf_row_gaps(const struct pdf_line *l, const struct pdf_key *k, size_t a, size_t b,
			double min, struct pdf_gap *g)
{
	struct pdf_gap cov[64];
	size_t nc = 0;
	int ng = 0;
	double end;

	if (b - a > 64)
		return 0;	/* not a row of a page */
	for (size_t j = a; j < b; j++) {
		cov[nc].x0 = l[k[j].i].x0;
		cov[nc++].x1 = l[k[j].i].x1;
	}
	qsort(cov, nc, sizeof(*cov), pdf_gap_cmp);
	end = cov[0].x1;
	for (size_t j = 1; j < nc; j++) {
		if (cov[j].x0 - end >= min && ng < PDF_MAXGAP) {
			g[ng].x0 = end;
			g[ng++].x1 = cov[j].x0;
		}
		if (cov[j].x1 > end)
			end = cov[j].x1;
	}
	return ng;
}

/*
 * Does line m start below lines whose boxes end at bottom, further than
 * lines of a paragraph follow each other (a new row of a table, a new
 * block)?
 */
static int pdf_below(const struct pdf_line *m, double bottom)
{
	return m->y0 >= bottom - PDF_SLACK && m->y1 - bottom > PDF_ROWPITCH * m->fs;
}

/* Which column of a region line m is in (the gutters left of it). */
static int pdf_column(const struct pdf_line *m, const struct pdf_gap *g, int ng)
{
	int c = 0;

	while (c < ng && g[c].x1 <= m->x0 + PDF_SLACK)
		c++;
	return c;
}

/* Does the text start with a bullet (・ • ● ○ ■ ◆ - *)? */
static int pdf_bullet(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t c = pdf_cp(s, len, &i);

	return c == 0x30fb || c == 0x2022 || c == 0x25cf || c == 0x25cb || c == 0x25a0 ||
	       c == 0x25c6 || c == 0xff65 || ((c == '-' || c == '*') && i < len && s[i] == ' ');
}

/* Is the text a role label of a timeline (①..⑳)? */
static int pdf_role(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t c = pdf_cp(s, len, &i);

	return c >= 0x2460 && c <= 0x2473;
}

#define PDF_MAXITEM 32

/* Append line m to a cell: a bullet starts an item (after a space), a wrapped line joins. */
static int pdf_cell_add(struct kbuf *cell, const struct pdf_line *m, size_t *items,
			size_t *nitems)
{
	int b = pdf_bullet(m->s, m->len);

	if (cell->len && b) {
		if (*nitems < PDF_MAXITEM)
			items[(*nitems)++] = cell->len + 1;
		if (kbuf_addch(cell, ' ') < 0)
			return KE_NOMEM;
	} else if (cell->len && (unsigned char)cell->buf[cell->len - 1] < 0x80 &&
		   (unsigned char)m->s[0] < 0x80 && cell->buf[cell->len - 1] != '-') {
		if (kbuf_addch(cell, ' ') < 0)
			return KE_NOMEM;
	}
	return kbuf_add(cell, m->s, m->len);
}

/*
 * Add a made-up line for a table row: all its cells (c < 0), or only the
 * part s0..s1 of cell c with the time (label) in the first column.
 */
static int pdf_row_line(struct kbuf *syn, struct pdf_line **v, size_t *n, size_t *alloc,
			struct pdf_line *row, const struct kbuf *cell, int ng, int c, size_t s0,
			size_t s1, const struct kbuf *label)
{
	int rc = 0;

	if (KGROW(*v, *alloc, *n + 1) < 0)
		return KE_NOMEM;
	row->soff = syn->len;
	for (int d = 0; d <= ng && rc == 0; d++) {
		if (d)
			rc = kbuf_addch(syn, '\t');
		if (rc < 0)
			break;
		if (c < 0)
			rc = kbuf_add(syn, cell[d].buf, cell[d].len);
		else if (d == 0 && cell[0].len)
			rc = kbuf_add(syn, cell[0].buf, cell[0].len);
		else if (d == 0)
			rc = kbuf_add(syn, label->buf, label->len);
		else if (d == c)
			rc = kbuf_add(syn, cell[c].buf + s0, s1 - s0);
	}
	if (rc < 0)
		return rc;
	row->len = syn->len - row->soff;
	(*v)[(*n)++] = *row;
	return 0;
}

static int pdf_put(struct pdf_line **v, size_t *n, size_t *alloc, const struct pdf_line *m,
		   int flow);

/*
 * Add the rows of the table in k[a..b) to v as made-up lines, their text
 * in syn (at soff; s is set when all are made).
 */
static int pdf_table(const struct pdf_line *l, struct pdf_key *k, size_t a, size_t b,
		     const struct pdf_gap *g, int ng, int tabno, struct kbuf *syn,
		     struct pdf_line **v, size_t *n, size_t *alloc)
{
	struct kbuf cell[PDF_MAXGAP + 1], label = KBUF_INIT;
	size_t items[PDF_MAXGAP + 1][PDF_MAXITEM], nitems[PDF_MAXGAP + 1];
	int role = 0, rc = 0, first = 1;

	size_t j = a;

	for (int c = 0; c <= ng; c++)
		cell[c] = (struct kbuf)KBUF_INIT;
	/* k[a..b) is in row order; within the table, top to bottom */
	qsort(k + a, b - a, sizeof(*k), pdf_key_cmp);
	/* its rows (pdf_below()); does its head (the first row) name roles? */
	{
		double bottom = -1e30;
		int r = 0;

		for (size_t q = a; q < b; q++) {
			const struct pdf_line *m = &l[k[q].i];
			int c = pdf_column(m, g, ng);

			if (q > a && pdf_below(m, bottom))
				r++;
			if (m->y1 > bottom)
				bottom = m->y1;
			k[q].row = r;
			role |= r == 0 && c > 0 && pdf_role(m->s, m->len);
		}
	}
	if (!role && ng + 1 < PDF_TABCOLS) {
		/* row by row, each cell a flow of its own lines */
		for (size_t q = a, e; q < b && rc == 0; q = e) {
			for (e = q; e < b && k[e].row == k[q].row; e++)
				;
			for (int c = 0; c <= ng && rc == 0; c++) {
				int start = 1;

				for (size_t t = q; t < e && rc == 0; t++) {
					if (pdf_column(&l[k[t].i], g, ng) != c)
						continue;
					rc = pdf_put(v, n, alloc, &l[k[t].i], start);
					start = 0;
				}
			}
		}
		return rc;
	}
	while (j < b && rc == 0) {
		struct pdf_line row;

		memset(&row, 0, sizeof(row));
		row.boxed = 1;
		row.x0 = row.y0 = 1e30;
		row.x1 = row.y1 = -1e30;
		for (int c = 0; c <= ng; c++) {
			kbuf_setlen(&cell[c], 0);
			nitems[c] = 0;
		}
		/* the lines of one row */
		for (size_t r = j; j < b && rc == 0; j++) {
			const struct pdf_line *m = &l[k[j].i];
			int c = pdf_column(m, g, ng);

			if (k[j].row != k[r].row)
				break;
			if (!row.fs)
				row.fs = m->fs;
			if (m->x0 < row.x0) row.x0 = m->x0;
			if (m->y0 < row.y0) row.y0 = m->y0;
			if (m->x1 > row.x1) row.x1 = m->x1;
			if (m->y1 > row.y1) row.y1 = m->y1;
			rc = pdf_cell_add(&cell[c], m, items[c], &nitems[c]);
		}
		if (rc < 0)
			break;
		if (!first && cell[0].len) {
			kbuf_setlen(&label, 0);
			rc = kbuf_add(&label, cell[0].buf, cell[0].len);
		}
		row.table = tabno;
		if (!role || first) {
			rc = rc ? rc : pdf_row_line(syn, v, n, alloc, &row, cell, ng, -1, 0, 0, NULL);
		} else {
			/* a timeline with roles: one line per event, with the row's time */
			int any = 0;

			for (int c = 1; c <= ng && rc == 0; c++) {
				for (size_t it = 0; cell[c].len && it <= nitems[c] && rc == 0; it++) {
					size_t s0 = it ? items[c][it - 1] : 0;
					size_t s1 = it < nitems[c] ? items[c][it] - 1 : cell[c].len;

					rc = pdf_row_line(syn, v, n, alloc, &row, cell, ng, c, s0, s1, &label);
					any = 1;
				}
			}
			if (!any && rc == 0)
				rc = pdf_row_line(syn, v, n, alloc, &row, cell, ng, 0, 0, 0, &label);
		}
		first = 0;
	}
	for (int c = 0; c <= ng; c++)
		kbuf_release(&cell[c]);
	kbuf_release(&label);
	return rc;
}

/* The number of code points of s, up to max + 1. */
static size_t pdf_cps(const char *s, size_t len, size_t max)
{
	size_t i = 0, n = 0;

	while (n <= max && pdf_cp(s, len, &i))
		n++;
	return n;
}

/*
 * Could line m be the label of a figure: short (PDF_LABEL characters at
 * most), no larger than the body's font (fs), no bullet or sentence, and
 * away from the left edge of the text (x0)?
 */
static int pdf_label_like(const struct pdf_line *m, double fs, double x0)
{
	size_t e = m->len;

	while (e && m->s[e - 1] == ' ')
		e--;
	return m->fs <= 1.05 * fs && m->x0 > x0 + 2 * fs &&
	       pdf_cps(m->s, e, PDF_LABEL) <= PDF_LABEL && !pdf_bullet(m->s, e) &&
	       !(e >= 3 && !memcmp(m->s + e - 3, "。", 3));
}

/*
 * Does line m start where a line of text (not label-like) starts?  Then it
 * is the head of a table column, not a figure's label.
 */
static int pdf_aligned(const struct pdf_line *l, const struct pdf_key *k, size_t nb,
		       const struct pdf_line *m, double fs, double x0)
{
	for (size_t j = 0; j < nb; j++) {
		const struct pdf_line *o = &l[k[j].i];

		if (o != m && o->x0 - m->x0 <= 1 && m->x0 - o->x0 <= 1 && !pdf_label_like(o, fs, x0))
			return 1;
	}
	return 0;
}

/*
 * Take the labels of figures out of k[0..nb) (sorted top to bottom):
 * runs of two or more label-like lines with no other line between them,
 * not all starting at the same x (that would be a list), none starting
 * where a line of text starts (the head of a table column), as the boxes of a
 * flow chart are labelled (本番系, 予備系, （対処１） ...).  Returns how many
 * lines are left.
 */
static size_t pdf_figures(struct pdf_line *l, struct pdf_key *k, size_t nb, double fs)
{
	double x0 = 1e30;
	size_t w = 0;

	for (size_t j = 0; j < nb; j++)
		if (l[k[j].i].x0 < x0)
			x0 = l[k[j].i].x0;
	for (size_t j = 0, e; j < nb; j = e) {
		int scattered = 0;

		for (e = j; e < nb && pdf_label_like(&l[k[e].i], fs, x0) &&
			    !pdf_aligned(l, k, nb, &l[k[e].i], fs, x0); e++)
			scattered |= e > j && (l[k[e].i].x0 - l[k[j].i].x0 > fs ||
					       l[k[j].i].x0 - l[k[e].i].x0 > fs);
		if (e - j >= 2 && scattered) {
			for (size_t q = j; q < e; q++)
				l[k[q].i].figure = 1;
			continue;
		}
		if (e == j)
			e++;
		for (size_t q = j; q < e; q++)
			k[w++] = k[q];
	}
	return w;
}

/* How many rows (pdf_below() apart) the lines k[a..b) make. */
static int pdf_bands(const struct pdf_line *l, struct pdf_key *k, size_t a, size_t b)
{
	double bottom = -1e30;
	int n = 0;

	qsort(k + a, b - a, sizeof(*k), pdf_key_cmp);
	for (size_t q = a; q < b; q++) {
		const struct pdf_line *m = &l[k[q].i];

		n += q == a || pdf_below(m, bottom);
		if (m->y1 > bottom)
			bottom = m->y1;
	}
	return n;
}

/*
 * Are the ng + 1 columns between x0 and x1 (gutters g) wide enough to be
 * columns of text: each at least PDF_TEXTCOL * 2 / (ng + 1) of the width?
 */
static int pdf_wide_columns(const struct pdf_gap *g, int ng, double x0, double x1)
{
	double min = PDF_TEXTCOL * 2 / (ng + 1) * (x1 - x0), from = x0;

	if (!ng)
		return 0;
	for (int c = 0; c <= ng; c++) {
		double to = c < ng ? g[c].x0 : x1;

		if (to - from < min)
			return 0;
		from = c < ng ? g[c].x1 : x1;
	}
	return 1;
}

/*
 * Are the two columns of k[a..b) the cells of a table: blocks of lines
 * (pdf_below() apart) that start side by side,
 * at least twice and for most of the blocks, or side heads (below)?  Two
 * columns of text line up at their top only.
 */
static int pdf_rowed(const struct pdf_line *l, struct pdf_key *k, size_t a, size_t b,
		     const struct pdf_gap *g, double fs)
{
	double top[2][64], last[2] = { -1e30, -1e30 };
	int nt[2] = { 0, 0 }, pairs = 0, least;

	qsort(k + a, b - a, sizeof(*k), pdf_key_cmp);
	for (size_t q = a; q < b; q++) {
		const struct pdf_line *m = &l[k[q].i];
		int c = pdf_column(m, g, 1);

		if (pdf_below(m, last[c]) && nt[c] < 64)
			top[c][nt[c]++] = m->y0;
		if (m->y1 > last[c])
			last[c] = m->y1;
	}
	for (int i = 0; i < nt[0]; i++)
		for (int j = 0; j < nt[1]; j++)
			if (top[0][i] - top[1][j] < 0.3 * fs && top[1][j] - top[0][i] < 0.3 * fs) {
				pairs++;
				break;
			}
	least = nt[0] < nt[1] ? nt[0] : nt[1];
	if (pairs >= 2 && pairs * 10 >= least * 6)
		return 1;
	/*
	 * Side heads: a narrow first column, and rows (bands of lines with a
	 * gap across both columns between them) that mostly hold text in both
	 * columns, whatever the height of the head in its row.
	 */
	{
		double x0 = 1e30, x1 = -1e30, bottom = -1e30;
		int bands = 0, both = 0, has[2] = { 0, 0 };

		for (size_t q = a; q < b; q++) {
			const struct pdf_line *m = &l[k[q].i];

			if (m->x0 < x0) x0 = m->x0;
			if (m->x1 > x1) x1 = m->x1;
		}
		if (g->x0 - x0 >= PDF_SIDEHEAD * (x1 - x0))
			return 0;
		for (size_t q = a; q <= b; q++) {
			const struct pdf_line *m = q < b ? &l[k[q].i] : NULL;

			if (q == b || (q > a && pdf_below(m, bottom))) {
				bands++;
				both += has[0] && has[1];
				has[0] = has[1] = 0;
			}
			if (!m)
				break;
			has[pdf_column(m, g, 1)] = 1;
			if (m->y1 > bottom)
				bottom = m->y1;
		}
		return both >= 2 && both * 10 >= bands * 6;
	}
}

/*
 * Is the row k[j..e) the heading of a group of rows inside a table of
 * ng + 1 >= 3 columns (gutters g): one line, from the first column, across
 * a gutter but not the last, and the next row keeps the gutters free?
 */
static int pdf_group_row(const struct pdf_line *l, const struct pdf_key *k, size_t j, size_t e,
			 size_t nb, const struct pdf_gap *g, int ng, double gmin)
{
	const struct pdf_line *m = &l[k[j].i];
	struct pdf_gap t[PDF_MAXGAP];
	size_t f;
	int ok = 1;

	if (ng < 2 || e - j != 1 || e >= nb || pdf_column(m, g, ng) != 0 ||
	    pdf_crosses(m->x0, m->x1, &g[ng - 1]) || m->x1 > g[ng - 1].x0)
		return 0;
	for (f = e; f < nb && k[f].row == k[e].row; f++)
		;
	memcpy(t, g, sizeof(g[0]) * (size_t)ng);
	for (int q = 0; q < ng && ok; q++)
		ok = pdf_shrink(&t[q], l, k, e, f, gmin);
	return ok;
}

/* Add line m to v (a copy), starting a flow there if flow is set. */
static int pdf_put(struct pdf_line **v, size_t *n, size_t *alloc, const struct pdf_line *m,
		   int flow)
{
	if (KGROW(*v, *alloc, *n + 1) < 0)
		return KE_NOMEM;
	(*v)[*n] = *m;
	(*v)[(*n)++].flow = flow;
	return 0;
}

static int pdf_idx_cmp(const void *a, const void *b)
{
	const struct pdf_key *p = a, *q = b;

	return p->i < q->i ? -1 : p->i > q->i;
}

/*
 * The lines l[0..n) of a page ph points high in reading order, into *v
 * (*nv of them; made-up table rows have their text in syn).  *moved is set
 * when that is not poppler's order.  Lone page numbers in the margin bands
 * are left out; other margin lines have ->margin set.
 */
static int pdf_layout(struct pdf_line *l, size_t n, double ph, struct kbuf *syn,
		      struct pdf_line **v, size_t *nv, size_t *alloc, int *moved)
{
	struct pdf_key *k = NULL;
	double *fs = NULL, gmin, med;
	size_t nb = 0, nrow = 0, tabs = 0;
	int rc = 0;

	*moved = 0;
	k = malloc((n ? n : 1) * sizeof(*k));
	fs = malloc((n ? n : 1) * sizeof(*fs));
	if (!k || !fs) {
		rc = KE_NOMEM;
		goto out;
	}
	/* margin lines; the body's lines in k[], top to bottom */
	for (size_t i = 0; i < n; i++) {
		struct pdf_line *m = &l[i];

		m->margin = ph > 0 && m->y1 < PDF_BAND * ph ? 1 :
			    ph > 0 && m->y0 > (1 - PDF_BAND) * ph ? 2 : 0;
		if (m->margin)
			continue;
		k[nb].y0 = m->y0;
		k[nb].x0 = m->x0;
		k[nb].i = i;
		fs[nb++] = m->fs;
	}
	if (!nb)
		goto margins;
	qsort(fs, nb, sizeof(*fs), pdf_dbl_cmp);
	med = fs[nb / 2];	/* the body's font size */
	gmin = PDF_GUTTER * med;
	if (gmin < 3)
		gmin = 3;
	qsort(k, nb, sizeof(*k), pdf_key_cmp);
	if (nb <= PDF_FIGMAX)	/* (quadratic in the lines) */
		nb = pdf_figures(l, k, nb, med);
	/* rows: lines whose middle halves overlap in height */
	{
		double c1 = -1e30;

		for (size_t j = 0; j < nb; j++) {
			const struct pdf_line *m = &l[k[j].i];
			double h = m->y1 - m->y0, a = m->y0 + 0.25 * h, b = m->y1 - 0.25 * h;

			if (j && a <= c1) {
				if (b > c1)
					c1 = b;
			} else {
				nrow++;
				c1 = b;
			}
			k[j].row = (int)nrow - 1;
		}
	}
	/* regions: runs of rows that keep their gutters free */
	for (size_t j = 0; j < nb && rc == 0;) {
		struct pdf_gap g[PDF_MAXGAP];
		size_t a = j, e;
		int ng;
		double x0 = 1e30, x1 = -1e30;

		for (e = j; e < nb && k[e].row == k[j].row; e++)
			;
		ng = pdf_row_gaps(l, k, j, e, gmin, g);
		j = e;
		while (j < nb) {
			struct pdf_gap t[PDF_MAXGAP];
			int ok = 1, rg;

			for (e = j; e < nb && k[e].row == k[j].row; e++)
				;
			if (!ng) {
				struct pdf_gap h[PDF_MAXGAP];

				rg = pdf_row_gaps(l, k, j, e, gmin, h);
				if (rg)
					break;	/* columns start */
			} else {
				memcpy(t, g, sizeof(g[0]) * (size_t)ng);
				for (int q = 0; q < ng && ok; q++)
					ok = pdf_shrink(&t[q], l, k, j, e, gmin);
				if (!ok && pdf_group_row(l, k, j, e, nb, g, ng, gmin)) {
					j = e;	/* a group's heading inside a table */
					continue;
				}
				if (!ok)
					break;	/* a line across the gutter */
				memcpy(g, t, sizeof(g[0]) * (size_t)ng);
			}
			j = e;
		}
		for (size_t q = a; q < j; q++) {
			if (l[k[q].i].x0 < x0) x0 = l[k[q].i].x0;
			if (l[k[q].i].x1 > x1) x1 = l[k[q].i].x1;
		}
		if (pdf_debug >= 2)
			fprintf(stderr, "kyokun: pdf: region of %zu lines at y %.1f, %d gutter(s)\n", j - a,
				l[k[a].i].y0, ng);
		if (ng >= 2 && pdf_bands(l, k, a, j) >= 2) {
			/* a table */
			size_t before = *nv;

			rc = pdf_table(l, k, a, j, g, ng, (int)++tabs, syn, v, nv, alloc);
			if (rc == 0 && *nv > before)
				(*v)[before].flow = 1;
			*moved = 1;
		} else if (ng == 1 && pdf_rowed(l, k, a, j, g, med)) {
			/* a table of two columns: row by row */
			size_t before = *nv;

			if (pdf_debug >= 2)
				fprintf(stderr, "kyokun: pdf: (two columns, cells side by side)\n");
			rc = pdf_table(l, k, a, j, g, ng, (int)++tabs, syn, v, nv, alloc);
			if (rc == 0 && *nv > before)
				(*v)[before].flow = 1;
			*moved = 1;
		} else if (pdf_wide_columns(g, ng, x0, x1)) {
			/* columns of text (a page, a spread): one after the other */
			qsort(k + a, j - a, sizeof(*k), pdf_idx_cmp);
			for (int c = 0; c <= ng && rc == 0; c++) {
				int start = 1;

				for (size_t q = a; q < j && rc == 0; q++) {
					const struct pdf_line *m = &l[k[q].i];

					if (pdf_column(m, g, ng) != c)
						continue;
					rc = pdf_put(v, nv, alloc, m, start);
					start = 0;
				}
			}
		} else {
			/* poppler's order */
			qsort(k + a, j - a, sizeof(*k), pdf_idx_cmp);
			for (size_t q = a; q < j && rc == 0; q++)
				rc = pdf_put(v, nv, alloc, &l[k[q].i], q == a);
		}
	}
margins:
	/* running headers first, footers last; lone page numbers left out */
	if (rc == 0) {
		size_t body = *nv, top = 0;

		for (size_t i = 0; i < n && rc == 0; i++)
			if (l[i].margin && !pdf_lone_number(l[i].s, l[i].len))
				rc = pdf_put(v, nv, alloc, &l[i], 1);
		/* move the top ones to the front */
		for (size_t i = body; i < *nv && rc == 0; i++) {
			if ((*v)[i].margin == 1) {
				struct pdf_line t = (*v)[i];

				memmove(*v + top + 1, *v + top, (i - top) * sizeof(**v));
				(*v)[top++] = t;
			}
		}
	}
	/* poppler's order after all? */
	for (size_t i = 0; i < *nv && rc == 0 && !*moved; i++) {
		if ((*v)[i].soff || (*v)[i].table || (*v)[i].s < (i ? (*v)[i - 1].s : NULL))
			*moved = 1;
	}
	/* made-up lines point into syn now that it has all its text */
	for (size_t i = 0; i < *nv && rc == 0; i++)
		if ((*v)[i].table)
			(*v)[i].s = syn->buf + (*v)[i].soff;
out:
	free(k);
	free(fs);
	return rc;
}

/* ---- running headers and footers ---- */

/* A margin line in the output: out->buf[off..off+len), of page page. */
struct pdf_mspan {
	size_t off, len, at;
	uint32_t key;
	int page, drop;
};

struct pdf_margins {
	struct pdf_mspan *v;
	size_t n, alloc;
};

static int pdf_mspan_cmp(const void *a, const void *b)
{
	const struct pdf_mspan *p = a, *q = b;

	if (p->key != q->key)
		return p->key < q->key ? -1 : 1;
	if (p->page != q->page)
		return p->page < q->page ? -1 : 1;
	return p->at < q->at ? -1 : p->at > q->at;
}

/*
 * Take out of out the margin lines whose text is on at least 3 pages and
 * 40% of the npages: running headers and footers.
 */
static int pdf_margins_drop(struct kbuf *out, struct pdf_margins *mg, int npages)
{
	struct pdf_mspan *s;
	size_t w, r;

	if (mg->n < 3)
		return 0;
	s = malloc(mg->n * sizeof(*s));
	if (!s)
		return KE_NOMEM;
	for (size_t i = 0; i < mg->n; i++) {
		s[i] = mg->v[i];
		s[i].at = i;
	}
	qsort(s, mg->n, sizeof(*s), pdf_mspan_cmp);
	for (size_t i = 0, e; i < mg->n; i = e) {
		int pages = 0;

		for (e = i; e < mg->n && s[e].key == s[i].key; e++)
			pages += e == i || s[e].page != s[e - 1].page;
		if (pages >= 3 && pages * 5 >= npages * 2)
			for (size_t q = i; q < e; q++)
				mg->v[s[q].at].drop = 1;
	}
	free(s);
	/* spans are in the order of the text */
	w = r = mg->v[0].off;
	for (size_t i = 0; i < mg->n; i++) {
		const struct pdf_mspan *m = &mg->v[i];

		if (!m->drop)
			continue;
		memmove(out->buf + w, out->buf + r, m->off - r);
		w += m->off - r;
		r = m->off + m->len;
	}
	memmove(out->buf + w, out->buf + r, out->len - r);
	kbuf_setlen(out, w + (out->len - r));
	return 0;
}

/* Append the text of one page (page pageno) and its form feed. */
static int pdf_page(PopplerPage *page, int pageno, struct kbuf *out, int *hastext,
		    struct pdf_margins *mg)
{
	PopplerRectangle *rects = NULL;
	struct pdf_line *lines = NULL, *v = NULL, *use;
	struct pdf_block *blocks = NULL;
	struct kbuf syn = KBUF_INIT;
	GList *attrs = NULL;
	size_t n = 0, alloc = 0, nv = 0, valloc = 0, nu, nchars = 0;
	char *text, *brk = NULL;
	guint nrects = 0;
	int rc = 0, moved = 0, boxed;

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
	boxed = rects != NULL;
	for (size_t i = 0; i < n && boxed; i++)
		boxed = lines[i].boxed && isfinite(lines[i].x0) && isfinite(lines[i].y0) &&
			isfinite(lines[i].x1) && isfinite(lines[i].y1) && isfinite(lines[i].fs);
	use = lines;
	nu = n;
	if (boxed) {
		double pw = 0, ph = 0;

		pdf_fn.poppler_page_get_size(page, &pw, &ph);
		rc = pdf_layout(lines, n, ph, &syn, &v, &nv, &valloc, &moved);
		if (rc < 0)
			goto out;
		use = v;
		nu = nv;
	}
	if (!nu)
		goto out;
	brk = malloc(nu);
	blocks = malloc(nu * sizeof(*blocks));
	if (!brk || !blocks) {
		rc = KE_NOMEM;
		goto out;
	}
	pdf_breaks(use, nu, blocks, brk);
	for (size_t i = 0; i < nu && moved; i++) {
		if (use[i].flow)
			brk[i] = 1;
		if (use[i].table && !use[i].flow && i && use[i - 1].table == use[i].table)
			brk[i] = 0;
	}
	if (pdf_debug >= 2)
		for (size_t i = 0; i < nu; i++)
			fprintf(stderr, "kyokun: pdf: %c%c %6.1f %6.1f %6.1f %6.1f fs %4.1f %.*s\n",
				brk[i] ? '*' : ' ', use[i].margin ? 'm' : use[i].table ? 't' : ' ',
				use[i].x0, use[i].y0, use[i].x1, use[i].y1, use[i].fs,
				(int)(use[i].len > 60 ? 60 : use[i].len), use[i].s);
	for (size_t i = 0; i < nu && rc == 0; i++) {
		const struct pdf_line *l = &use[i];
		int last = i + 1 == nu || brk[i + 1];
		int hyphen = !last && l->s[l->len - 1] == '-' && !l->table;
		size_t at = out->len;

		rc = pdf_add_clean(out, l->s, hyphen ? l->len - 1 : l->len, hastext);
		if (rc == 0 && !hyphen)
			rc = kbuf_addch(out, '\n');
		if (rc == 0 && last && (!l->margin || brk[i]))
			rc = kbuf_addch(out, '\n');	/* the end of a flow */
		if (rc == 0 && l->margin && mg) {
			if (KGROW(mg->v, mg->alloc, mg->n + 1) < 0) {
				rc = KE_NOMEM;
				break;
			}
			memset(&mg->v[mg->n], 0, sizeof(mg->v[0]));
			mg->v[mg->n].off = at;
			mg->v[mg->n].len = out->len - at;
			mg->v[mg->n].key = pdf_margin_key(l->s, l->len, l->margin);
			mg->v[mg->n++].page = pageno;
		}
		if (rc == 0 && last && l->margin && !brk[i])
			rc = kbuf_addch(out, '\n');	/* the flow's end stays */
	}
out:
	if (rc == 0)
		rc = kbuf_addch(out, '\f');
	if (attrs)
		pdf_fn.poppler_page_free_text_attributes(attrs);
	pdf_fn.g_free(rects);
	free(lines);
	free(v);
	kbuf_release(&syn);
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
	struct pdf_margins mg = { NULL, 0, 0 };
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
		rc = pdf_page(page, i + 1, out, &hastext, &mg);
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
	rc = pdf_margins_drop(out, &mg, n);
	if (rc < 0) {
		rc = kerr_set(err, rc, "out of memory");
		goto out;
	}
	/* a scan with a printed header or page numbers is still a scan */
	hastext = 0;
	for (size_t i = start; i < out->len && !hastext; i++)
		hastext = (unsigned char)out->buf[i] > 0x20;
	if (d->missing) {
		/* poppler read on, but what it shows can be anything */
		rc = kerr_set(err, KE_PARSE, "damaged PDF: parts of it are missing (%s)", d->lost);
	} else if (!hastext) {
		if (d->n)
			rc = kerr_set(err, KE_PARSE, "damaged PDF: no text could be read: %s",
				      d->first);
		else
			rc = kerr_set(err, KE_INVALID, "no text in this PDF (scanned images?): "
				      "no text layer; run OCR first");
	}
out:
	free(mg.v);
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
