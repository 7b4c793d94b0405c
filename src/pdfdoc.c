/*
 * pdfdoc.c - a published report and a single case as PDF, typeset with
 * pango and cairo (see pdfdoc.h).
 *
 * The page: A4 portrait, 20 mm side margins, a header (the running title
 * left, the TLP label right) and a footer (the source or publisher left,
 * "3 / 42" in the middle, the TLP label right) on every page.  The text is
 * Noto Sans CJK JP (cairo embeds the subset used).
 *
 * The document is laid out twice on the same surface: the first pass draws
 * nothing and only records where every entry of the table of contents
 * lands and how many pages there are; the second draws, with the page
 * numbers known.  The table of contents has the same lines in both passes
 * (its numbers are in a column of their own), so the page breaks are the
 * same.
 *
 * Text flows a line at a time: a paragraph or a table row that does not fit
 * goes on to the next page (a table repeats its header row there); a row
 * taller than a page is split between its lines, never cut.  Every string
 * is made valid UTF-8 without control characters before pango sees it.
 *
 * pango, cairo and GLib are loaded at the first PDF (dlopen of
 * libpangocairo-1.0, whose dependencies bring cairo, pango and GLib), as
 * pdf.c loads poppler: kyokun's start-up does not pay for them.
 */
#include "pdfdoc.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#ifndef KYOKUN_PANGOCAIRO_SONAME
#define KYOKUN_PANGOCAIRO_SONAME "libpangocairo-1.0.so.0"
#endif

/* The functions used, called through pd_fn; their types come from the headers. */
#define PD_FUNCTIONS(X) \
	X(cairo_pdf_surface_create_for_stream) X(cairo_pdf_surface_set_metadata) \
	X(cairo_pdf_surface_add_outline) X(cairo_surface_destroy) X(cairo_surface_finish) \
	X(cairo_surface_status) X(cairo_create) X(cairo_destroy) X(cairo_status) X(cairo_show_page) \
	X(cairo_set_source_rgb) X(cairo_rectangle) X(cairo_fill) X(cairo_stroke) X(cairo_move_to) \
	X(cairo_line_to) X(cairo_set_line_width) X(cairo_tag_begin) X(cairo_tag_end) \
	X(pango_cairo_create_context) X(pango_cairo_show_layout_line) \
	X(pango_context_set_language) X(pango_language_from_string) \
	X(pango_layout_new) X(pango_layout_set_text) X(pango_layout_set_width) X(pango_layout_set_wrap) \
	X(pango_layout_set_font_description) X(pango_layout_set_indent) X(pango_layout_set_alignment) \
	X(pango_layout_set_ellipsize) X(pango_layout_get_unknown_glyphs_count) X(pango_layout_get_iter) X(pango_layout_iter_free) \
	X(pango_layout_iter_next_line) X(pango_layout_iter_get_line_readonly) \
	X(pango_layout_iter_get_line_extents) X(pango_layout_iter_get_baseline) \
	X(pango_font_description_from_string) X(pango_font_description_free) X(g_object_unref)
static struct {
#define PD_MEMBER(f) __typeof__(f) *f;
	PD_FUNCTIONS(PD_MEMBER)
#undef PD_MEMBER
} pd_fn;
static char pd_load_error[256];
static pthread_once_t pd_once = PTHREAD_ONCE_INIT;
/* one document at a time: fontconfig and the font caches are shared */
static pthread_mutex_t pd_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * For LeakSanitizer builds: fontconfig keeps its configuration and pattern
 * caches for the life of the process, and cairo 1.16 leaks a little while
 * it writes the subset of a CJK font in cairo_surface_finish() (about 1.5
 * KB a document); neither is kyokun's.  Weak, so that a test program's own
 * list wins; ignored in builds without the sanitizer.
 */
const char *__lsan_default_suppressions(void) __attribute__((weak));
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

/* and no list of the suppressions used at exit (a report file the tests would take for a leak) */
const char *__lsan_default_options(void) __attribute__((weak));
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static void pd_init(void)
{
	void *lib = dlopen(KYOKUN_PANGOCAIRO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		const char *e = dlerror();

		snprintf(pd_load_error, sizeof(pd_load_error), "%s", e ? e : KYOKUN_PANGOCAIRO_SONAME);
		return;
	}
	/* cairo's, pango's and GLib's functions: dlsym() looks in the library and the ones it needs */
#define PD_LOAD(f) \
	if (!pd_load_error[0] && !(*(void **)&pd_fn.f = dlsym(lib, #f))) \
		snprintf(pd_load_error, sizeof(pd_load_error), "%s has no %s", KYOKUN_PANGOCAIRO_SONAME, #f);
	PD_FUNCTIONS(PD_LOAD)
#undef PD_LOAD
}

static int pd_available(struct kerr *err)
{
	pthread_once(&pd_once, pd_init);
	if (pd_load_error[0])
		return kerr_set(err, KE_UNSUPPORTED, "PDF output needs pango and cairo (Debian: "
				"libpangocairo-1.0-0): %s", pd_load_error);
	return 0;
}

/* ---- the page ---------------------------------------------------------------------------- */

#define PW 595.276	/* A4, points */
#define PH 841.890
#define ML 56.69	/* 20 mm */
#define MR 56.69
#define TOP 72.0	/* where the text starts */
#define BOTTOM (PH - 68.0) /* where it must end */
#define CW (PW - ML - MR) /* the text's width */
#define PAD 4.0		/* inside a table cell */
#define LEAD 1.45	/* line advance / line height, body text */
#define TLEAD 1.3	/* in tables */

#define FONT "Noto Sans CJK JP,Noto Sans CJK,sans-serif"

enum { F_BODY, F_BOLD, F_SMALL, F_TABLE, F_TABLE_BOLD, F_H1, F_H2, F_H3, F_TITLE, F_TLP, F__N };
static const char *const font_specs[F__N] = {
	[F_BODY] = FONT " 10", [F_BOLD] = FONT " Bold 10", [F_SMALL] = FONT " 7.5",
	[F_TABLE] = FONT " 8.5", [F_TABLE_BOLD] = FONT " Bold 8.5", [F_H1] = FONT " Bold 18",
	[F_H2] = FONT " Bold 14", [F_H3] = FONT " Bold 11", [F_TITLE] = FONT " Bold 24",
	[F_TLP] = FONT " Bold 8",
};

struct rgb {
	double r, g, b;
};
static const struct rgb C_TEXT = { 0.10, 0.10, 0.12 }, C_GREY = { 0.40, 0.40, 0.43 },
			C_HEAD = { 0.08, 0.20, 0.42 }, C_RULE = { 0.62, 0.64, 0.68 },
			C_FILL = { 0.90, 0.92, 0.95 }, C_CAT = { 0.80, 0.85, 0.92 },
			C_KEY = { 0.95, 0.96, 0.97 };

/* An entry of the table of contents, and where it landed in the first pass. */
struct pd_toc {
	char *text;
	int level; /* 1 or 2 */
	int page;
	double y;
};

struct pd {
	cairo_surface_t *surf;
	cairo_t *cr;
	PangoContext *pc;
	PangoFontDescription *font[F__N];
	int draw;	/* the second pass */
	int page;	/* the current page, 1-based; 0 before the first */
	int total;	/* pages, from the first pass */
	double y;	/* where the next line goes */
	const char *tlp; /* the TLP level to print, or NULL (clear) */
	char *running;	/* the header's left text */
	char *foot;	/* the footer's left text */
	struct pd_toc *toc;
	size_t ntoc, next_mark;
	int outline_parent; /* the outline item of the last level-1 entry */
	const struct pd_table *table; /* the table whose header row repeats */
	char link[96];	/* the link of the lines drawn now, or "" */
	char cell_link[96]; /* the link of column cell_col of the next table row, or "" */
	int cell_col;
	struct kbuf tmp; /* pd_clean()'s result */
	int nomem;
};

/* A line of a laid-out text: its advance (slot height), its baseline in the slot, its x. */
struct pd_line {
	PangoLayoutLine *line;
	double adv, base, x;
};

struct pd_block {
	PangoLayout *lay;
	struct pd_line *l;
	int n;
	double h; /* sum of the advances */
};

/*
 * s as pango may see it: valid UTF-8 (anything else becomes U+FFFD), no
 * control characters (a tab is a space; a newline stays unless flat, when
 * it is a space too), no bidirectional overrides.  Into d->tmp.
 */
static const char *pd_clean(struct pd *d, const char *s, int flat);

/* Pictographs (emoji) the fonts may lack; 〓 stands for one the font has not (a Japanese convention). */
static int pictograph(uint32_t cp)
{
	return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2B00 && cp <= 0x2BFF);
}

static const char *pd_clean_mode(struct pd *d, const char *s, int flat, int geta);

static const char *pd_clean(struct pd *d, const char *s, int flat)
{
	return pd_clean_mode(d, s, flat, 0);
}

/* pd_clean(), and with geta every pictograph becomes 〓, emoji joiners and selectors go */
static const char *pd_clean_mode(struct pd *d, const char *s, int flat, int geta)
{
	size_t n = s ? strlen(s) : 0;

	kbuf_reset(&d->tmp);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = kutf8_decode(s + i, n - i, &cp);

		if (k < 0) {
			/* a run of bad bytes is one U+FFFD */
			if (kbuf_adds(&d->tmp, "\xEF\xBF\xBD") < 0)
				d->nomem = 1;
			for (i++; i < n && kutf8_decode(s + i, n - i, &cp) < 0; i++)
				;
			continue;
		}
		if (cp == '\n' && !flat) {
			if (kbuf_addch(&d->tmp, '\n') < 0)
				d->nomem = 1;
		} else if (cp == '\t' || cp == '\n') {
			if (kbuf_addch(&d->tmp, ' ') < 0)
				d->nomem = 1;
		} else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
			   (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
			   (geta && (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F)))) {
			/* dropped */
		} else if (geta && pictograph(cp)) {
			if (kbuf_adds(&d->tmp, "〓") < 0)
				d->nomem = 1;
		} else if (kbuf_add(&d->tmp, s + i, (size_t)k) < 0) {
			d->nomem = 1;
		}
		i += (size_t)k;
	}
	return kbuf_str(&d->tmp);
}

static void pd_color(struct pd *d, struct rgb c)
{
	pd_fn.cairo_set_source_rgb(d->cr, c.r, c.g, c.b);
}

static void pd_block_free(struct pd_block *b)
{
	if (b->lay)
		pd_fn.g_object_unref(b->lay);
	free(b->l);
	memset(b, 0, sizeof(*b));
}

/*
 * Lay text out in width points with font f: hang > 0 indents every line of a
 * paragraph but its first by hang points (bullets); align is a PangoAlignment;
 * lead the line advance over the line height.  Returns 0 or -1 (memory).
 */
static int pd_block_make(struct pd *d, struct pd_block *b, const char *text, int f, double width, double hang,
			 int align, double lead)
{
	PangoLayoutIter *it;
	int alloc = 8;

	memset(b, 0, sizeof(*b));
	b->lay = pd_fn.pango_layout_new(d->pc);
	b->l = malloc((size_t)alloc * sizeof(*b->l));
	if (!b->lay || !b->l) {
		d->nomem = 1;
		return -1;
	}
	pd_fn.pango_layout_set_font_description(b->lay, d->font[f]);
	pd_fn.pango_layout_set_width(b->lay, (int)(width * PANGO_SCALE));
	pd_fn.pango_layout_set_wrap(b->lay, PANGO_WRAP_WORD_CHAR);
	pd_fn.pango_layout_set_alignment(b->lay, (PangoAlignment)align);
	if (hang > 0)
		pd_fn.pango_layout_set_indent(b->lay, (int)(-hang * PANGO_SCALE));
	pd_fn.pango_layout_set_text(b->lay, pd_clean(d, text, 0), -1);
	/* a glyph the fonts lack would print as a box with its code: pictographs become 〓 */
	if (pd_fn.pango_layout_get_unknown_glyphs_count(b->lay) > 0)
		pd_fn.pango_layout_set_text(b->lay, pd_clean_mode(d, text, 0, 1), -1);
	it = pd_fn.pango_layout_get_iter(b->lay);
	do {
		PangoRectangle logical;
		double top, h;

		if (b->n == alloc) {
			struct pd_line *nl = realloc(b->l, (size_t)alloc * 2 * sizeof(*b->l));

			if (!nl) {
				d->nomem = 1;
				break;
			}
			b->l = nl;
			alloc *= 2;
		}
		pd_fn.pango_layout_iter_get_line_extents(it, NULL, &logical);
		top = (double)logical.y / PANGO_SCALE;
		h = (double)logical.height / PANGO_SCALE;
		b->l[b->n].line = pd_fn.pango_layout_iter_get_line_readonly(it);
		b->l[b->n].adv = h * lead;
		b->l[b->n].base = h * (lead - 1) / 2 + (double)pd_fn.pango_layout_iter_get_baseline(it) / PANGO_SCALE - top;
		b->l[b->n].x = (double)logical.x / PANGO_SCALE;
		b->h += b->l[b->n].adv;
		b->n++;
	} while (pd_fn.pango_layout_iter_next_line(it));
	pd_fn.pango_layout_iter_free(it);
	return d->nomem ? -1 : 0;
}

static void pd_show_line(struct pd *d, const struct pd_line *l, double x, double slot_top)
{
	if (!d->draw)
		return;
	if (d->link[0])
		pd_fn.cairo_tag_begin(d->cr, CAIRO_TAG_LINK, d->link);
	pd_fn.cairo_move_to(d->cr, x + l->x, slot_top + l->base);
	pd_fn.pango_cairo_show_layout_line(d->cr, l->line);
	if (d->link[0])
		pd_fn.cairo_tag_end(d->cr, CAIRO_TAG_LINK);
}

/* One line of text at (x, top) in width w, flattened and ellipsized; returns its advance. */
static double pd_line_at(struct pd *d, const char *text, int f, struct rgb c, double x, double top, double w,
			 int align)
{
	PangoLayout *lay = pd_fn.pango_layout_new(d->pc);
	PangoLayoutIter *it;
	PangoRectangle logical;
	struct pd_line l;

	if (!lay) {
		d->nomem = 1;
		return 0;
	}
	pd_fn.pango_layout_set_font_description(lay, d->font[f]);
	pd_fn.pango_layout_set_width(lay, (int)(w * PANGO_SCALE));
	pd_fn.pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
	pd_fn.pango_layout_set_alignment(lay, (PangoAlignment)align);
	pd_fn.pango_layout_set_text(lay, pd_clean(d, text, 1), -1);
	it = pd_fn.pango_layout_get_iter(lay);
	pd_fn.pango_layout_iter_get_line_extents(it, NULL, &logical);
	l.line = pd_fn.pango_layout_iter_get_line_readonly(it);
	l.adv = (double)logical.height / PANGO_SCALE;
	l.base = (double)(pd_fn.pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
	l.x = (double)logical.x / PANGO_SCALE;
	pd_color(d, c);
	pd_show_line(d, &l, x, top);
	pd_fn.pango_layout_iter_free(it);
	pd_fn.g_object_unref(lay);
	return l.adv;
}

static const char *tlp_upper(const char *tlp)
{
	static const char *const up[] = { "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED" };
	int r = ktlp_rank(tlp);

	return r >= 0 ? up[r] : NULL;
}

/* The TLP 2.0 label: its colour on black, right-aligned ending at x_right, centred on mid. */
static void pd_tlp_label(struct pd *d, double x_right, double mid)
{
	/* TLP 2.0: RED #FF2B2B, AMBER #FFC000, GREEN #33FF00, CLEAR #FFFFFF, on #000000 */
	static const struct rgb col[] = {
		{ 1, 1, 1 }, { 0x33 / 255.0, 1, 0 }, { 1, 0xC0 / 255.0, 0 }, { 1, 0xC0 / 255.0, 0 },
		{ 1, 0x2B / 255.0, 0x2B / 255.0 },
	};
	const char *label = tlp_upper(d->tlp);
	struct pd_block b;
	double w, h;

	if (!label || pd_block_make(d, &b, label, F_TLP, 200, 0, PANGO_ALIGN_LEFT, 1.0) < 0 || !b.n) {
		pd_block_free(&b);
		return;
	}
	{
		PangoRectangle ink, logical;
		PangoLayoutIter *it = pd_fn.pango_layout_get_iter(b.lay);

		pd_fn.pango_layout_iter_get_line_extents(it, &ink, &logical);
		pd_fn.pango_layout_iter_free(it);
		w = (double)logical.width / PANGO_SCALE;
		h = b.l[0].adv;
	}
	if (d->draw) {
		pd_color(d, (struct rgb){ 0, 0, 0 });
		pd_fn.cairo_rectangle(d->cr, x_right - w - 8, mid - h / 2 - 1.5, w + 8, h + 3);
		pd_fn.cairo_fill(d->cr);
		pd_color(d, col[ktlp_rank(d->tlp)]);
		pd_show_line(d, &b.l[0], x_right - w - 4, mid - h / 2);
	}
	pd_block_free(&b);
}

static void pd_rule(struct pd *d, double x0, double y0, double x1, double y1, double width, struct rgb c)
{
	if (!d->draw)
		return;
	pd_color(d, c);
	pd_fn.cairo_set_line_width(d->cr, width);
	pd_fn.cairo_move_to(d->cr, x0, y0);
	pd_fn.cairo_line_to(d->cr, x1, y1);
	pd_fn.cairo_stroke(d->cr);
}

static void pd_table_head(struct pd *d);

static void pd_page_begin(struct pd *d)
{
	char link[96];

	d->page++;
	d->y = TOP;
	if (!d->draw)
		return;
	memcpy(link, d->link, sizeof(link));
	d->link[0] = 0;
	pd_line_at(d, d->running ? d->running : "", F_SMALL, C_GREY, ML, 30, d->tlp ? CW - 110 : CW,
		   PANGO_ALIGN_LEFT);
	if (d->tlp)
		pd_tlp_label(d, PW - MR, 36);
	pd_rule(d, ML, 46, PW - MR, 46, 0.5, C_RULE);
	memcpy(d->link, link, sizeof(link));
}

static void pd_page_end(struct pd *d)
{
	char num[48], link[96];

	if (!d->page)
		return;
	if (!d->draw)
		return;
	memcpy(link, d->link, sizeof(link));
	d->link[0] = 0;
	pd_rule(d, ML, PH - 50, PW - MR, PH - 50, 0.5, C_RULE);
	snprintf(num, sizeof(num), "%d / %d", d->page, d->total);
	pd_line_at(d, num, F_SMALL, C_GREY, ML, PH - 44, CW, PANGO_ALIGN_CENTER);
	pd_line_at(d, d->foot ? d->foot : "", F_SMALL, C_GREY, ML, PH - 44, CW / 2 - 30, PANGO_ALIGN_LEFT);
	if (d->tlp)
		pd_tlp_label(d, PW - MR, PH - 38);
	pd_fn.cairo_show_page(d->cr);
	memcpy(d->link, link, sizeof(link));
}

static void pd_new_page(struct pd *d)
{
	pd_page_end(d);
	pd_page_begin(d);
}

/* Room for h more points on this page, or a new page; a table's header row follows. */
static void pd_need(struct pd *d, double h)
{
	if (!d->page) {
		pd_page_begin(d);
		return;
	}
	if (d->y + h > BOTTOM && d->y > TOP) {
		pd_new_page(d);
		if (d->table)
			pd_table_head(d);
	}
}

/* Flow the lines of b from x, a line at a time, onto as many pages as they need. */
static void pd_flow(struct pd *d, const struct pd_block *b, double x, struct rgb c)
{
	pd_color(d, c);
	for (int i = 0; i < b->n; i++) {
		if (!d->page || d->y + b->l[i].adv > BOTTOM) {
			pd_need(d, b->l[i].adv);
			pd_color(d, c);
		}
		pd_show_line(d, &b->l[i], x, d->y);
		d->y += b->l[i].adv;
	}
}

static int is_bullet(const char *s)
{
	return !strncmp(s, "・", 3) || !strncmp(s, "•", 3) || !strncmp(s, "- ", 2) || !strncmp(s, "* ", 2) ||
	       !strncmp(s, "○", 3) || !strncmp(s, "●", 3) || !strncmp(s, "■", 3) || !strncmp(s, "※", 3);
}

/* One paragraph at indent x (from the margin); bullets hang. */
static void pd_para(struct pd *d, const char *text, int f, double indent, struct rgb c, double after)
{
	struct pd_block b;
	struct kbuf t = KBUF_INIT;
	double hang = 0;

	if ((text[0] == '-' || text[0] == '*') && text[1] == ' ') {
		/* a Markdown bullet prints as ・ */
		if (kbuf_adds(&t, "・") < 0 || kbuf_adds(&t, text + 2) < 0)
			d->nomem = 1;
		text = kbuf_str(&t);
	}
	if (is_bullet(text))
		hang = f == F_TABLE ? 8.5 : 10;
	if (pd_block_make(d, &b, text, f, CW - indent, hang, PANGO_ALIGN_LEFT, LEAD) == 0)
		pd_flow(d, &b, ML + indent, c);
	pd_block_free(&b);
	kbuf_release(&t);
	d->y += after;
}

/* Text of lines and paragraphs: every line a paragraph, a blank line a gap. */
static void pd_text(struct pd *d, const char *text, double indent)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);
		char *s = line, *e;

		if (!line) {
			d->nomem = 1;
			return;
		}
		while (*s == ' ' || *s == '\r' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
			*--e = 0;
		if (*s)
			pd_para(d, s, F_BODY, indent, C_TEXT, 1.5);
		else
			d->y += 4;
		free(line);
		p += n + (nl ? 1 : 0);
	}
}

static int blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
			return 0;
	return 1;
}

/* The next entry of the table of contents lands here (both passes, in order). */
static void pd_mark(struct pd *d)
{
	struct pd_toc *t;

	if (d->next_mark >= d->ntoc)
		return;
	t = &d->toc[d->next_mark++];
	if (!d->draw) {
		t->page = d->page;
		t->y = d->y;
	} else {
		char link[96];

		snprintf(link, sizeof(link), "page=%d pos=[%.1f %.1f]", d->page, ML, d->y > 12 ? d->y - 12 : 0);
		if (t->level == 1)
			d->outline_parent = pd_fn.cairo_pdf_surface_add_outline(
				d->surf, CAIRO_PDF_OUTLINE_ROOT, pd_clean(d, t->text, 1), link, 0);
		else
			pd_fn.cairo_pdf_surface_add_outline(d->surf, d->outline_parent, pd_clean(d, t->text, 1),
							    link, 0);
	}
}

/* A heading: level 1 (a part), 2 (a case, a theme), 3 (a section); kept with what follows. */
static void pd_heading(struct pd *d, const char *text, int level, int mark)
{
	static const int font[] = { 0, F_H1, F_H2, F_H3 };
	struct pd_block b;
	double before = level == 1 ? 0 : level == 2 ? 10 : 8;

	if (d->page && d->y > TOP)
		d->y += before;
	if (pd_block_make(d, &b, text, font[level], CW - (level == 3 ? 9 : 0), 0, PANGO_ALIGN_LEFT, 1.3) < 0) {
		pd_block_free(&b);
		return;
	}
	pd_need(d, b.h + (level == 3 ? 40 : 60));
	if (mark)
		pd_mark(d);
	if (level == 3) {
		/* a bar on the left */
		if (d->draw) {
			pd_color(d, C_HEAD);
			pd_fn.cairo_rectangle(d->cr, ML, d->y + 3, 3, b.h - 6);
			pd_fn.cairo_fill(d->cr);
		}
		pd_flow(d, &b, ML + 9, C_HEAD);
	} else {
		pd_flow(d, &b, ML, C_HEAD);
	}
	if (level == 1) {
		pd_rule(d, ML, d->y + 1, PW - MR, d->y + 1, 1.2, C_HEAD);
		d->y += 10;
	} else if (level == 2) {
		pd_rule(d, ML, d->y + 1, PW - MR, d->y + 1, 0.6, C_RULE);
		d->y += 7;
	} else {
		d->y += 3;
	}
	pd_block_free(&b);
}

/* ---- tables ------------------------------------------------------------------------------- */

struct pd_table {
	const char *const *head; /* column headings, or NULL: no header row */
	const double *w;	 /* column widths (sum CW) */
	int ncols;
	const double *shade;	 /* per column: 1 = shaded like a key column, or NULL */
};

/* A row of cells, a part of it per page (kind 1: one cell across, shaded: a category). */
static void pd_row(struct pd *d, const struct pd_table *t, const char *const *cells, int kind)
{
	struct pd_block b[8];
	int pos[8], ncols = kind ? 1 : t->ncols, f = kind || (!cells && t->head) ? F_TABLE_BOLD : F_TABLE;
	double full = 0, cap;
	int header = !cells;

	if (header)
		cells = t->head;
	memset(b, 0, sizeof(b));
	for (int i = 0; i < ncols; i++) {
		double w = kind ? CW : t->w[i];
		const char *s = cells[i] ? cells[i] : "";

		pos[i] = 0;
		pd_block_make(d, &b[i], s, f, w - 2 * PAD, is_bullet(s) ? 8.5 : 0, PANGO_ALIGN_LEFT, TLEAD);
		if (b[i].h > full)
			full = b[i].h;
	}
	full += 2 * PAD;
	cap = BOTTOM - TOP - 30; /* what a page holds below a header row */
	if (!header) {
		/* a row that fits a page is not split; a category row stays with the next row */
		if (!d->page || (d->y + full + (kind ? 30 : 0) > BOTTOM && (full <= cap || BOTTOM - d->y < 60)))
			pd_need(d, full + (kind ? 30 : 0) > cap ? BOTTOM : full + (kind ? 30 : 0));
	}
	for (;;) {
		double avail = BOTTOM - d->y - 2 * PAD, h = 0, x = ML;
		int take[8], progress = 0, left = 0;

		for (int i = 0; i < ncols; i++) {
			double used = 0;

			take[i] = pos[i];
			while (take[i] < b[i].n && used + b[i].l[take[i]].adv <= avail)
				used += b[i].l[take[i]++].adv;
			if (take[i] == pos[i] && pos[i] < b[i].n && d->y <= TOP + 40)
				used += b[i].l[take[i]++].adv; /* a line taller than a page: never lost */
			if (take[i] > pos[i])
				progress = 1;
			if (used > h)
				h = used;
		}
		for (int i = 0; i < ncols; i++)
			if (pos[i] < b[i].n)
				left = 1;
		if (!progress && left) {
			pd_new_page(d);
			if (!header && t->head)
				pd_table_head(d);
			continue;
		}
		h += 2 * PAD;
		if (header && h < full)
			h = full;
		for (int i = 0; i < ncols; i++) {
			double w = kind ? CW : t->w[i], yy = d->y + PAD;

			if (d->draw && (header || kind || (t->shade && t->shade[i]))) {
				pd_color(d, header ? C_FILL : kind ? C_CAT : C_KEY);
				pd_fn.cairo_rectangle(d->cr, x, d->y, w, h);
				pd_fn.cairo_fill(d->cr);
			}
			pd_color(d, kind || header ? C_HEAD : C_TEXT);
			if (!header && !kind && i == d->cell_col && d->cell_link[0])
				memcpy(d->link, d->cell_link, sizeof(d->link));
			for (int j = pos[i]; j < take[i]; j++) {
				pd_show_line(d, &b[i].l[j], x + PAD, yy);
				yy += b[i].l[j].adv;
			}
			if (!header && !kind && i == d->cell_col && d->cell_link[0])
				d->link[0] = 0;
			if (d->draw) {
				pd_color(d, C_RULE);
				pd_fn.cairo_set_line_width(d->cr, 0.5);
				pd_fn.cairo_rectangle(d->cr, x, d->y, w, h);
				pd_fn.cairo_stroke(d->cr);
			}
			pos[i] = take[i];
			x += w;
		}
		d->y += h;
		left = 0;
		for (int i = 0; i < ncols; i++)
			if (pos[i] < b[i].n)
				left = 1;
		if (!left || d->nomem)
			break;
		pd_new_page(d);
		if (!header && t->head)
			pd_table_head(d);
	}
	for (int i = 0; i < ncols; i++)
		pd_block_free(&b[i]);
}

static void pd_table_head(struct pd *d)
{
	const struct pd_table *t = d->table;

	if (!t || !t->head)
		return;
	d->table = NULL; /* no recursion */
	pd_row(d, t, NULL, 0);
	d->table = t;
}

static void pd_table_begin(struct pd *d, const struct pd_table *t)
{
	pd_need(d, 60);
	d->table = t;
	pd_table_head(d);
}

static void pd_table_end(struct pd *d)
{
	d->table = NULL;
	d->y += 8;
}

/* ---- the case template -------------------------------------------------------------------- */

static int join_lines(struct kbuf *b, const struct kstrv *sv, const char *prefix, const char *sep)
{
	kbuf_reset(b);
	for (size_t i = 0; i < sv->n; i++)
		if (!blank(sv->v[i]))
			if ((b->len && kbuf_adds(b, sep) < 0) || (prefix && !is_bullet(sv->v[i]) && kbuf_adds(b, prefix) < 0) ||
			    kbuf_adds(b, sv->v[i]) < 0)
				return -1;
	return 0;
}

static int source_text(struct kbuf *b, const struct kcase *c)
{
	int rc = 0;

	kbuf_reset(b);
	if (c->source.document)
		rc |= kbuf_adds(b, c->source.document);
	if (c->source.publisher)
		rc |= kbuf_addf(b, "%s%s", b->len ? "（" : "", c->source.publisher), rc |= b->len && c->source.document ? kbuf_adds(b, "）") : 0;
	if (c->source.has_year)
		rc |= kbuf_addf(b, "%s%d年", b->len ? " " : "", c->source.year);
	if (c->source.has_case_number)
		rc |= kbuf_addf(b, "%s事例%d", b->len ? " " : "", c->source.case_number);
	return rc < 0 ? -1 : 0;
}

/* A case without a TLP is TLP:AMBER (reader.c); an unknown level is taken as amber too. */
static const char *case_tlp(const struct kcase *c)
{
	return c->tlp && ktlp_rank(c->tlp) >= 0 ? c->tlp : "amber";
}

static const double facts_w[] = { 110, CW - 110 };
static const double facts_shade[] = { 1, 0 };
static const struct pd_table facts_table = { NULL, facts_w, 2, facts_shade };

static void fact(struct pd *d, const char *key, const char *value)
{
	const char *cells[2] = { key, value };

	if (!blank(value))
		pd_row(d, &facts_table, cells, 0);
}

static const char *const tl_head[] = { "日時 When", "主体 Who", "出来事 What" };
static const double tl_w[] = { 90, 100, CW - 190 };
static const struct pd_table tl_table = { tl_head, tl_w, 3, NULL };

/* One case: num > 0 is its number in the report ("事例 3"); url where it is read online. */
static void pd_case(struct pd *d, const struct kcase *c, size_t num, const char *url, int mark)
{
	struct kbuf t = KBUF_INIT, lab = KBUF_INIT;
	int rc = 0;

	if (num)
		rc |= kbuf_addf(&lab, "事例 %zu　", num);
	rc |= kbuf_adds(&lab, c->title && *c->title ? c->title : "（無題 untitled）");
	if (rc < 0)
		d->nomem = 1;
	pd_heading(d, kbuf_str(&lab), 2, mark);

	fact(d, "事例ID Case ID", c->id);
	if (join_lines(&t, &c->tags.sectors, NULL, "、") < 0)
		d->nomem = 1;
	fact(d, "分野 Sector", kbuf_str(&t));
	fact(d, "分類 Category", c->category);
	fact(d, "組織属性 Organisation", c->attributes.organization);
	fact(d, "TLP", tlp_upper(case_tlp(c)));
	if (source_text(&t, c) < 0)
		d->nomem = 1;
	fact(d, "出典 Source", kbuf_str(&t));
	if (url)
		fact(d, "URL", url);
	d->y += 6;

	if (join_lines(&t, &c->summary, "・", "\n") < 0)
		d->nomem = 1;
	if (!blank(kbuf_str(&t))) {
		pd_heading(d, "事例の概要 Overview", 3, 0);
		pd_text(d, kbuf_str(&t), 0);
	}
	if (join_lines(&t, &c->key_lessons, "・", "\n") < 0)
		d->nomem = 1;
	if (!blank(kbuf_str(&t))) {
		pd_heading(d, "主な気付き・教訓 Key lessons", 3, 0);
		pd_text(d, kbuf_str(&t), 0);
	}
	for (int s = 0; s < KSEC__N; s++) {
		char head[160];

		if (blank(c->sections[s]))
			continue;
		snprintf(head, sizeof(head), "%s %s", ksection_label_ja(s), ksection_label_en(s));
		pd_heading(d, head, 3, 0);
		pd_text(d, c->sections[s], 0);
	}
	if (c->ntimeline) {
		pd_heading(d, "時系列 Timeline", 3, 0);
		pd_table_begin(d, &tl_table);
		for (size_t i = 0; i < c->ntimeline; i++) {
			const struct kevent *e = &c->timeline[i];
			char day[64] = "";
			const char *cells[3];

			if (e->has_day && e->when && *e->when)
				snprintf(day, sizeof(day), "%d日目 %.40s", e->day, e->when);
			else if (e->has_day)
				snprintf(day, sizeof(day), "%d日目", e->day);
			cells[0] = day[0] ? day : e->when;
			cells[1] = e->actor;
			cells[2] = e->text;
			pd_row(d, &tl_table, cells, 0);
		}
		pd_table_end(d);
	}
	kbuf_release(&t);
	kbuf_release(&lab);
}

/* ---- the document ------------------------------------------------------------------------- */

static cairo_status_t pd_write(void *closure, const unsigned char *data, unsigned int len)
{
	return kbuf_add(closure, data, len) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static int pd_open(struct pd *d, struct kbuf *out, struct kerr *err)
{
	d->surf = pd_fn.cairo_pdf_surface_create_for_stream(pd_write, out, PW, PH);
	if (pd_fn.cairo_surface_status(d->surf) != CAIRO_STATUS_SUCCESS)
		return kerr_set(err, KE_NOMEM, "PDF: cannot create the document");
	d->cr = pd_fn.cairo_create(d->surf);
	d->pc = pd_fn.pango_cairo_create_context(d->cr);
	if (pd_fn.cairo_status(d->cr) != CAIRO_STATUS_SUCCESS || !d->pc)
		return kerr_set(err, KE_NOMEM, "PDF: cannot create the document");
	pd_fn.pango_context_set_language(d->pc, pd_fn.pango_language_from_string("ja"));
	for (int i = 0; i < F__N; i++)
		if (!(d->font[i] = pd_fn.pango_font_description_from_string(font_specs[i])))
			return kerr_set(err, KE_NOMEM, "PDF: out of memory");
	return 0;
}

static void pd_meta(struct pd *d, cairo_pdf_metadata_t k, const char *v)
{
	if (v && *v)
		pd_fn.cairo_pdf_surface_set_metadata(d->surf, k, pd_clean(d, v, 1));
}

/* Finish the document (out gets the PDF) and free d. */
static int pd_close(struct pd *d, int rc, struct kerr *err)
{
	if (d->surf) {
		cairo_status_t st;

		if (d->cr)
			pd_fn.cairo_destroy(d->cr);
		pd_fn.cairo_surface_finish(d->surf);
		st = pd_fn.cairo_surface_status(d->surf);
		pd_fn.cairo_surface_destroy(d->surf);
		if (!rc && st != CAIRO_STATUS_SUCCESS)
			rc = st == CAIRO_STATUS_NO_MEMORY || st == CAIRO_STATUS_WRITE_ERROR
				     ? kerr_set(err, KE_NOMEM, "PDF: out of memory")
				     : kerr_set(err, KE_IO, "PDF: cairo failed (status %d)", (int)st);
	}
	if (d->pc)
		pd_fn.g_object_unref(d->pc);
	for (int i = 0; i < F__N; i++)
		if (d->font[i])
			pd_fn.pango_font_description_free(d->font[i]);
	for (size_t i = 0; i < d->ntoc; i++)
		free(d->toc[i].text);
	free(d->toc);
	free(d->running);
	free(d->foot);
	kbuf_release(&d->tmp);
	if (!rc && d->nomem)
		rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
	return rc;
}

static int toc_add(struct pd *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int toc_add(struct pd *d, int level, const char *fmt, ...)
{
	struct pd_toc *t = realloc(d->toc, (d->ntoc + 1) * sizeof(*d->toc));
	struct kbuf b = KBUF_INIT;
	va_list ap;
	int rc;

	if (!t)
		return -1;
	d->toc = t;
	va_start(ap, fmt);
	rc = kbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	d->toc[d->ntoc++] = (struct pd_toc){ kbuf_detach(&b, NULL), level, 0, 0 };
	return 0;
}

static void pd_toc_page(struct pd *d)
{
	pd_heading(d, "目次 Contents", 1, 0);
	for (size_t i = 0; i < d->ntoc; i++) {
		const struct pd_toc *t = &d->toc[i];
		double indent = t->level == 1 ? 0 : 16, top;
		struct pd_block b;
		char num[16];

		if (t->level == 1 && i)
			d->y += 4;
		if (pd_block_make(d, &b, t->text, t->level == 1 ? F_BOLD : F_BODY, CW - indent - 44, 0,
				  PANGO_ALIGN_LEFT, 1.35) < 0) {
			pd_block_free(&b);
			return;
		}
		pd_need(d, b.h);
		if (d->draw)
			snprintf(d->link, sizeof(d->link), "page=%d pos=[%.1f %.1f]", t->page, ML,
				 t->y > 12 ? t->y - 12 : 0);
		pd_flow(d, &b, ML + indent, t->level == 1 ? C_HEAD : C_TEXT);
		top = d->y - b.l[b.n - 1].adv;
		snprintf(num, sizeof(num), "%d", t->page);
		/* the number on the entry's last line, in the same slot */
		pd_line_at(d, num, t->level == 1 ? F_BOLD : F_BODY, t->level == 1 ? C_HEAD : C_TEXT, PW - MR - 40,
			   top + b.l[b.n - 1].adv * (1 - 1 / 1.35) / 2, 40, PANGO_ALIGN_RIGHT);
		d->link[0] = 0;
		pd_block_free(&b);
	}
}

static const char *const list_head[] = { "No.", "事例", "事例の概要", "主な気付き・教訓" };
static const double list_w[] = { 30, 112, (CW - 142) / 2, (CW - 142) / 2 };
static const struct pd_table list_table = { list_head, list_w, 4, NULL };

static const char *const theme_head[] = { "気付き・教訓 Lesson", "事例 Case", "区分" };
static const double theme_w[] = { CW - 110, 66, 44 };
static const struct pd_table theme_table = { theme_head, theme_w, 3, NULL };

static const char *cat_of(const struct kcase *c)
{
	return c->category && !blank(c->category) ? c->category : "その他 Other";
}

static void pd_case_list(struct pd *d, const struct kpubreport *r)
{
	struct kbuf sum = KBUF_INIT, les = KBUF_INIT, no = KBUF_INIT;
	struct kstrv cs = { 0 }, cl = { 0 };
	const char *prev = NULL;
	size_t first_case = (blank(r->intro) ? 0 : 1) + 2;
	int any_cat = 0;

	pd_heading(d, "事例一覧 List of cases", 1, 1);
	if (!r->cases.n) {
		pd_para(d, "この報告書に掲載する事例はありません。", F_BODY, 0, C_TEXT, 2);
		pd_para(d, "This report has no cases.", F_BODY, 0, C_GREY, 6);
		return;
	}
	for (size_t i = 0; i < r->cases.n && !any_cat; i++)
		any_cat = r->cases.v[i].category && !blank(r->cases.v[i].category);
	pd_table_begin(d, &list_table);
	for (size_t i = 0; i < r->cases.n; i++) {
		const struct kcase *c = &r->cases.v[i];
		const char *cells[4];

		/* category rows when the cases have categories (none at all: no rows) */
		if (any_cat && (!prev || strcmp(prev, cat_of(c)))) {
			size_t k = 0;

			for (size_t j = i; j < r->cases.n && !strcmp(cat_of(&r->cases.v[j]), cat_of(c)); j++)
				k++;
			kbuf_reset(&no);
			if (kbuf_addf(&no, "%s（%zu件）", cat_of(c), k) < 0)
				d->nomem = 1;
			cells[0] = kbuf_str(&no);
			pd_row(d, &list_table, cells, 1);
			prev = cat_of(c);
		}
		kbuf_reset(&no);
		/* the overview and main lessons as the HTML and Markdown lists show them */
		if (kbuf_addf(&no, "%zu", i + 1) < 0 || kpubreport_list_cell(c, 0, &cs) < 0 ||
		    kpubreport_list_cell(c, 1, &cl) < 0 || join_lines(&sum, &cs, "・", "\n") < 0 ||
		    join_lines(&les, &cl, "・", "\n") < 0)
			d->nomem = 1;
		kstrv_clear(&cs);
		kstrv_clear(&cl);
		cells[0] = kbuf_str(&no);
		cells[1] = c->title;
		cells[2] = kbuf_str(&sum);
		cells[3] = kbuf_str(&les);
		/* the title links to the case (its entry in the contents: after はじめに, 事例一覧, 事例) */
		if (d->draw && first_case + i < d->ntoc) {
			const struct pd_toc *e = &d->toc[first_case + i];

			snprintf(d->cell_link, sizeof(d->cell_link), "page=%d pos=[%.1f %.1f]", e->page, ML,
				 e->y > 12 ? e->y - 12 : 0);
			d->cell_col = 1;
		}
		pd_row(d, &list_table, cells, 0);
		d->cell_link[0] = 0;
		if (d->nomem)
			break;
	}
	pd_table_end(d);
	kbuf_release(&sum);
	kbuf_release(&les);
	kbuf_release(&no);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void pd_themes(struct pd *d, const struct kpubreport *r)
{
	struct kbuf b = KBUF_INIT, cs = KBUF_INIT;

	pd_new_page(d);
	pd_heading(d, "総括 Cross-case lessons", 1, 1);
	pd_para(d, "選定した事例の気付き・教訓をテーマごとにまとめた。「共通」は複数の組織に共通する教訓、「固有」は一つの事例に固有の教訓である。",
		F_BODY, 0, C_TEXT, 4);
	for (size_t i = 0; i < r->themes.n; i++) {
		const struct ktheme *t = &r->themes.v[i];
		size_t *idx = t->n ? calloc(t->n, sizeof(*idx)) : NULL;
		size_t k = 0;

		if (t->n && !idx) {
			d->nomem = 1;
			break;
		}
		for (size_t j = 0; j < t->n; j++)
			idx[j] = t->lessons[j].case_index;
		qsort(idx, t->n, sizeof(*idx), cmp_size);
		kbuf_reset(&cs);
		for (size_t j = 0; j < t->n; j++)
			if (!j || idx[j] != idx[j - 1]) {
				if (kbuf_addf(&cs, "%s%zu", k++ ? "、" : "事例 ", idx[j] + 1) < 0)
					d->nomem = 1;
			}
		free(idx);
		kbuf_reset(&b);
		if (kbuf_addf(&b, "%zu. %s", i + 1, t->name ? t->name : t->key ? t->key : "") < 0 ||
		    (t->name_en && *t->name_en && kbuf_addf(&b, " %s", t->name_en) < 0))
			d->nomem = 1;
		pd_heading(d, kbuf_str(&b), 2, 1);
		kbuf_reset(&b);
		if (kbuf_addf(&b, "%zu件の気付き・教訓（%s）", t->n, kbuf_str(&cs)) < 0)
			d->nomem = 1;
		pd_para(d, kbuf_str(&b), F_BODY, 0, C_GREY, 4);
		if (!t->n)
			continue;
		pd_table_begin(d, &theme_table);
		for (size_t j = 0; j < t->n; j++) {
			const struct ktheme_lesson *l = &t->lessons[j];
			const char *cells[3];
			char num[32];

			snprintf(num, sizeof(num), "事例 %zu", l->case_index + 1);
			cells[0] = l->text;
			cells[1] = num;
			cells[2] = l->shared ? "共通" : "固有";
			pd_row(d, &theme_table, cells, 0);
		}
		pd_table_end(d);
	}
	kbuf_release(&b);
	kbuf_release(&cs);
}

static void pd_title_page(struct pd *d, const struct kpubreport *r)
{
	struct pd_block b;
	struct kbuf t = KBUF_INIT;

	pd_need(d, 0);
	d->y = 230;
	if (pd_block_make(d, &b, r->title && !blank(r->title) ? r->title : "報告書", F_TITLE, CW, 0,
			  PANGO_ALIGN_LEFT, 1.3) == 0) {
		/* a very long title flows on, never cut */
		pd_flow(d, &b, ML, C_HEAD);
	}
	pd_block_free(&b);
	pd_rule(d, ML, d->y + 6, PW - MR, d->y + 6, 2, C_HEAD);
	d->y += 24;
	if (r->period && *r->period) {
		kbuf_reset(&t);
		kbuf_addf(&t, "対象期間 Period: %s", r->period);
		pd_para(d, kbuf_str(&t), F_BODY, 0, C_TEXT, 4);
	}
	if (r->publisher && *r->publisher) {
		kbuf_reset(&t);
		kbuf_addf(&t, "発行 Publisher: %s", r->publisher);
		pd_para(d, kbuf_str(&t), F_BODY, 0, C_TEXT, 4);
	}
	if (r->date && *r->date) {
		kbuf_reset(&t);
		kbuf_addf(&t, "発行日 Date: %s", r->date);
		pd_para(d, kbuf_str(&t), F_BODY, 0, C_TEXT, 4);
	}
	kbuf_reset(&t);
	kbuf_addf(&t, "掲載事例 Cases: %zu件", r->cases.n);
	pd_para(d, kbuf_str(&t), F_BODY, 0, C_TEXT, 4);
	if (d->tlp) {
		d->y += 16;
		kbuf_reset(&t);
		kbuf_addf(&t, "この報告書は %s です。TLP 2.0 の定める範囲を超えて共有しないでください。"
			  "This report is %s: do not share it beyond what TLP 2.0 allows.",
			  tlp_upper(d->tlp), tlp_upper(d->tlp));
		pd_para(d, kbuf_str(&t), F_BOLD, 0, C_TEXT, 4);
	}
	kbuf_release(&t);
}

static void pd_report_pass(struct pd *d, const struct kpubreport *r)
{
	d->page = 0;
	d->next_mark = 0;
	d->table = NULL;
	d->link[0] = 0;
	pd_title_page(d, r);
	pd_new_page(d);
	pd_toc_page(d);
	pd_new_page(d);
	if (!blank(r->intro)) {
		pd_heading(d, "はじめに Introduction", 1, 1);
		pd_text(d, r->intro, 0);
		d->y += 10;
	}
	pd_case_list(d, r);
	if (r->cases.n) {
		pd_new_page(d);
		pd_heading(d, "事例 Cases", 1, 1);
		for (size_t i = 0; i < r->cases.n && !d->nomem; i++) {
			if (i)
				pd_new_page(d);
			pd_case(d, &r->cases.v[i], i + 1, NULL, 1);
		}
	}
	if (r->themes.n)
		pd_themes(d, r);
	pd_page_end(d);
}

static const char *report_tlp(const struct kpubreport *r)
{
	const char *tlp = r->tlp;

	if (!tlp || ktlp_rank(tlp) < 0) {
		tlp = "clear";
		for (size_t i = 0; i < r->cases.n; i++)
			if (ktlp_rank(case_tlp(&r->cases.v[i])) > ktlp_rank(tlp))
				tlp = case_tlp(&r->cases.v[i]);
	}
	return ktlp_rank(tlp) > 0 ? tlp : NULL;
}

int kpdfdoc_report(const struct kpubreport *r, struct kbuf *out, struct kerr *err)
{
	struct pd d;
	int rc;

	if ((rc = pd_available(err)) < 0)
		return rc;
	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&pd_lock);
	if ((rc = pd_open(&d, out, err)) < 0)
		goto out;
	d.tlp = report_tlp(r);
	if (!(d.running = strdup(r->title && *r->title ? r->title : "報告書")) ||
	    !(d.foot = strdup(r->publisher && *r->publisher ? r->publisher : r->date ? r->date : ""))) {
		rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
		goto out;
	}
	if (r->publisher && r->date && *r->date) {
		free(d.foot);
		if (!(d.foot = malloc(strlen(r->publisher) + strlen(r->date) + 4))) {
			rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
			goto out;
		}
		sprintf(d.foot, "%s  %s", r->publisher, r->date);
	}
	rc = 0;
	if (!blank(r->intro))
		rc |= toc_add(&d, 1, "はじめに Introduction");
	rc |= toc_add(&d, 1, "事例一覧 List of cases");
	if (r->cases.n)
		rc |= toc_add(&d, 1, "事例 Cases");
	for (size_t i = 0; i < r->cases.n; i++)
		rc |= toc_add(&d, 2, "%zu. %s", i + 1, r->cases.v[i].title ? r->cases.v[i].title : "");
	if (r->themes.n)
		rc |= toc_add(&d, 1, "総括 Cross-case lessons");
	for (size_t i = 0; i < r->themes.n; i++)
		rc |= toc_add(&d, 2, "%zu. %s", i + 1, r->themes.v[i].name ? r->themes.v[i].name : "");
	if (rc < 0) {
		rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
		goto out;
	}
	pd_meta(&d, CAIRO_PDF_METADATA_TITLE, r->title);
	pd_meta(&d, CAIRO_PDF_METADATA_AUTHOR, r->publisher);
	pd_meta(&d, CAIRO_PDF_METADATA_CREATOR, "kyokun");
	/* the first pass finds the pages; the second draws */
	pd_report_pass(&d, r);
	d.total = d.page;
	d.draw = 1;
	if (!d.nomem)
		pd_report_pass(&d, r);
out:
	rc = pd_close(&d, rc, err);
	pthread_mutex_unlock(&pd_lock);
	return rc;
}

int kpdfdoc_case(const struct kcase *c, const struct kpdfdoc_meta *m, struct kbuf *out, struct kerr *err)
{
	struct pd d;
	struct kbuf t = KBUF_INIT, lab = KBUF_INIT;
	int rc;

	if ((rc = pd_available(err)) < 0)
		return rc;
	memset(&d, 0, sizeof(d));
	pthread_mutex_lock(&pd_lock);
	if ((rc = pd_open(&d, out, err)) < 0)
		goto out;
	d.tlp = ktlp_rank(case_tlp(c)) > 0 ? case_tlp(c) : NULL;
	rc = kbuf_addf(&t, "事例 %s", c->id ? c->id : "");
	if (c->title)
		rc |= kbuf_addf(&t, "　%s", c->title);
	if (rc < 0 || !(d.running = kbuf_detach(&t, NULL))) {
		rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
		goto out;
	}
	/* the date first: a long source is ellipsized, never the date */
	rc = source_text(&lab, c);
	if (m && m->generated && *m->generated)
		rc |= kbuf_addf(&t, "出力日 %s  ", m->generated);
	rc |= kbuf_adds(&t, kbuf_str(&lab));
	if (rc < 0 || !(d.foot = strdup(kbuf_str(&t)))) {
		rc = kerr_set(err, KE_NOMEM, "PDF: out of memory");
		goto out;
	}
	rc = 0;
	pd_meta(&d, CAIRO_PDF_METADATA_TITLE, c->title);
	pd_meta(&d, CAIRO_PDF_METADATA_SUBJECT, c->id);
	pd_meta(&d, CAIRO_PDF_METADATA_CREATOR, "kyokun");
	for (int pass = 0; pass < 2 && !d.nomem; pass++) {
		d.page = 0;
		d.table = NULL;
		pd_need(&d, 0);
		pd_case(&d, c, 0, m ? m->url : NULL, 0);
		pd_page_end(&d);
		d.total = d.page;
		d.draw = 1;
	}
out:
	kbuf_release(&t);
	kbuf_release(&lab);
	rc = pd_close(&d, rc, err);
	pthread_mutex_unlock(&pd_lock);
	return rc;
}
