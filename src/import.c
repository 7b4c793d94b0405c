/*
 * import.c - published report text → structured cases (see import.h).
 *
 * The pipeline:
 *  1. check the bytes (UTF-8, no binary), cut the text into logical lines
 *     (a heading and the text printed after it on the same line, or bullets
 *     run together on one line, become separate lines) and classify each:
 *     case header, section heading, bullet, timeline row, header facts ...
 *  2. take out the structures that carry their own position: header facts
 *     (組織属性, 要因, ケース, 想定読者), timelines, the case list (a table, or
 *     a list of `事例N` lines with group headings); then mark noise (page
 *     numbers and markers, running headers);
 *  3. cut the rest into units: runs of body lines, groups of headings, case
 *     headers, page breaks, and the structures of step 2;
 *  4. decide whether this report prints its headings before their bodies
 *     (補完調査) or after them (事例集's まとめ pages), by a vote of the
 *     headings whose side is unambiguous;
 *  5. walk the units, opening cases at case headers, at overview headings
 *     and at header facts, and hand each run to the headings that claim it
 *     (a run claimed by several headings is split by the cue words of
 *     import_classify.c; a run no heading claims is classified paragraph by
 *     paragraph);
 *  6. complete the cases from their neighbours (numbers in sequence) and the
 *     case list (titles, categories, overviews, key lessons), drop
 *     candidates that are no case (the preamble), and give them ids; an
 *     overview printed before its case header goes back to its case; on
 *     pages whose columns came out interleaved, blocks move to the headed
 *     section their wording fits; a case without a printed title gets one
 *     derived from its facts or overview;
 *  7. every placed block is recorded with how it was placed (heading,
 *     order, cue): the case's "import" member, with a confidence.
 */
#include "import.h"
#include "import_impl.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISHER "内閣官房 内閣サイバーセキュリティセンター (NISC)"

enum { U_RUN, U_GROUP, U_PAGE, U_HDR, U_ATTR, U_TL };

struct unit {
	int type;
	int a, b; /* lines [a, b) */
	int idx;  /* record of U_ATTR / U_TL */
};

struct pcase {
	struct kcase c;
	int num, ref, hdr_title, by_summary, fresh, attr, nsec, line, keep;
	int anchored; /* opened by a case header, an overview heading or header facts */
	int next_num; /* the number of the next case that has one (number_cases) */
	char *title_cand;
	int tc_first, tc_last; /* the lines of title_cand */
	struct kbuf sec[KSEC__N]; /* section texts, moved into c at the end */
	json_t *blocks; /* the placed blocks: {"section", "how", "text"}, in order */
	int *bline;      /* first and last line of each block (2 per block; -1 unknown) */
	size_t nbline, abline;
	unsigned heads;  /* sections (KSEC_*) with a heading in the case */
	int bunched;     /* headings in a bunch or after their bodies: lines out of order */
};

struct item {
	int first, last, nlines;
	unsigned char btype, para, endsent, sentence;
	size_t mlen;
	struct kbuf text;
};

struct items {
	struct item *v;
	int n;
	size_t alloc;
};

/* ---- units ---- */

static int add_unit(struct parser *p, int type, int a, int b, int idx)
{
	struct unit *u;

	if (GROW(p, p->u, p->nu, p->au))
		return KE_NOMEM;
	u = &p->u[p->nu++];
	u->type = type;
	u->a = a;
	u->b = b;
	u->idx = idx;
	return 0;
}

/*
 * Cut the lines nothing has taken into units: runs of body lines (blank
 * lines inside included), groups of consecutive headings, case headers,
 * page breaks, and the header facts and timelines at their anchor lines.
 */
static int build_units(struct parser *p)
{
	int open = -1; /* index of the open RUN or GROUP unit */

	for (size_t i = 0; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];

		if (l->page && l->kind != LK_BLANK && !l->noise &&
		    !(p->nu && p->u[p->nu - 1].type == U_PAGE)) {
			add_unit(p, U_PAGE, (int)i, (int)i, 0);
			open = -1;
		}
		if (l->atype == AN_ATTR || l->atype == AN_TL) {
			add_unit(p, l->atype == AN_ATTR ? U_ATTR : U_TL, (int)i, (int)i + 1, l->aidx);
			open = -1;
			continue;
		}
		if (l->used || l->noise)
			continue;
		if (l->kind == LK_BLANK) {
			if (open >= 0 && p->u[open].type == U_RUN)
				p->u[open].b = (int)i + 1;
			continue;
		}
		if (l->kind == LK_HDR) {
			add_unit(p, U_HDR, (int)i, (int)i + 1, 0);
			open = -1;
		} else if (l->kind == LK_HEAD) {
			/* an appendix heading stands alone: the headings before it
			 * still claim their bodies */
			if (open >= 0 && p->u[open].type == U_GROUP && l->sec != KI_END &&
			    p->ln[p->u[open].b - 1].sec != KI_END) {
				p->u[open].b = (int)i + 1;
			} else {
				add_unit(p, U_GROUP, (int)i, (int)i + 1, 0);
				open = (int)p->nu - 1;
			}
		} else {
			if (open >= 0 && p->u[open].type == U_RUN) {
				p->u[open].b = (int)i + 1;
			} else {
				add_unit(p, U_RUN, (int)i, (int)i + 1, 0);
				open = (int)p->nu - 1;
			}
		}
	}
	return p->rc;
}

/* labels of a group: section numbers of its headings, in order */
static int group_labels(const struct parser *p, const struct unit *u, int *lab, int max)
{
	int n = 0;

	for (int i = u->a; i < u->b && n < max; i++)
		if (p->ln[i].kind == LK_HEAD && !p->ln[i].used && !p->ln[i].noise)
			lab[n++] = p->ln[i].sec;
	return n;
}

/* Does a heading of this section hold text (not a figure, a frame, a timeline)? */
static int content_label(int sec)
{
	return sec < KSEC__N || sec == KI_SUMMARY;
}

/* Has group u a heading of section sec? */
static int group_has(const struct parser *p, const struct unit *u, int sec)
{
	int lab[32], n = group_labels(p, u, lab, 32);

	for (int i = 0; i < n; i++)
		if (lab[i] == sec)
			return 1;
	return 0;
}

/* Has group u a heading that holds text? */
static int group_content(const struct parser *p, const struct unit *u)
{
	int lab[32], n = group_labels(p, u, lab, 32);

	for (int i = 0; i < n; i++)
		if (content_label(lab[i]))
			return 1;
	return 0;
}

/* ---- items: paragraphs of a run ---- */

static void items_free(struct items *it)
{
	for (int i = 0; i < it->n; i++)
		kbuf_release(&it->v[i].text);
	free(it->v);
	it->v = NULL;
	it->n = it->alloc = 0;
}

/* Wide characters with a gap between them: columns of a table, not prose. */
static int columnar(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t prev = 0;
	int gap = 0;

	while (i < len) {
		uint32_t c = ki_u8(s, len, &i);

		if (c == ' ' || c == 0x3000) {
			gap = prev != 0;
			continue;
		}
		if (gap && ki_iswide(c) && ki_iswide(prev))
			return 1;
		gap = 0;
		prev = c == 0x3001 || c == 0x3002 || c == 0xFF0C || c == 0xFF0E || c == 0x300C ||
		       c == 0x300D || c == 0xFF08 || c == 0xFF09 ? 0 : c;
	}
	return 0;
}

/* Does the line break after prev end a line of the text (not just of the page)? */
static int newline_needed(const struct line *prev, const struct line *next, size_t maxw)
{
	uint32_t c = ki_fold(ki_last_cp(prev->s, prev->len)), d;
	size_t w = ki_width(prev->s, prev->len), i = 0;

	if (ki_ends_sentence(prev->s, prev->len) || c == ':' || c == '>' || c == 0x3011)
		return 1;
	if (c == 0x3001 || c == ',' || c == 0xFF0C)
		return 0;
	d = ki_fold(ki_u8(next->s, next->len, &i));
	i = 0;
	if (c < 0x80 && d < 0x80 && ki_is_alnum((unsigned char)c) && ki_is_alnum((unsigned char)d))
		return 0; /* an English phrase wrapped */
	if (columnar(prev->s, prev->len))
		return 1;
	if (maxw < 20)
		return 0;
	if (w * 100 < maxw * 55)
		return 1;
	/* a sentence that ends without 。 well before the margin, and a next
	 * line that does not go on with the same word */
	d = ki_u8(next->s, next->len, &i);
	return w * 100 < maxw * 85 && (c == 0x305F || c == 0x3060 || c == 0x308B || c == 0x3044 ||
				       c == 0x3059 || c == 0x305A) &&
	       !(d >= 0x3041 && d <= 0x309F);
}

/*
 * The paragraphs of lines [a, b): a bullet with the lines that continue it
 * (wrapped lines joined, lines that end a text kept as lines), or a
 * paragraph without a bullet.
 */
static char *item_key(struct parser *p, const struct item *it);

/*
 * The first line of a bullet that is a heading of what follows (「…委託先の
 * 選定」 then its body): no punctuation, ends in a noun well before the
 * margin, and the next line is a sentence of its own.
 */
static int bullet_heading(const struct item *cur, const struct line *prev, const struct line *next,
			  size_t maxw)
{
	uint32_t c = ki_last_cp(prev->s, prev->len);
	size_t w = ki_width(prev->s, prev->len);

	if (cur->nlines != 1 || cur->btype != KB_STD || maxw < 20 || w * 100 >= maxw * 90)
		return 0;
	if (has(prev->s, prev->len, "、") || has(prev->s, prev->len, "。"))
		return 0;
	/* kanji or katakana (a noun), not a particle or a verb going on */
	if (!((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC))
		return 0;
	return ki_width(next->s, next->len) > w / 2 &&
	       (ki_ends_sentence(next->s, next->len) || ki_width(next->s, next->len) * 100 >= maxw * 90);
}

/* A short line without punctuation: a label of a figure, not text. */
static int fig_label(const struct line *l)
{
	size_t n = ki_cplen(l->s, l->len);

	return n <= 8 && !has(l->s, l->len, "、") && !has(l->s, l->len, "。") &&
	       !has(l->s, l->len, "：") && !has(l->s, l->len, ":");
}

static int build_items(struct parser *p, int a, int b, struct items *it)
{
	size_t maxw = 0;
	int saw_blank = 1, nl = 0;
	struct item *cur = NULL;
	const struct line *prev = NULL;

	for (int i = a; i < b; i++) {
		const struct line *l = &p->ln[i];
		size_t w;

		if (l->used || l->noise || l->kind == LK_BLANK || l->kind == LK_HEAD ||
		    l->kind == LK_HDR)
			continue;
		w = ki_width(l->s, l->len);
		if (w > maxw)
			maxw = w;
		nl++;
	}
	/* a few lines say little about where the page wraps */
	if (nl < 4 && p->wrapw > maxw)
		maxw = p->wrapw;
	for (int i = a; i < b && !p->rc; i++) {
		struct line *l = &p->ln[i];
		int start;

		if (l->used || l->noise || l->kind == LK_HEAD || l->kind == LK_HDR)
			continue;
		if (l->kind == LK_BLANK || (l->page && cur)) {
			saw_blank = 1;
			if (l->kind == LK_BLANK)
				continue;
		}
		start = !cur || l->btype != KB_NONE || (saw_blank && cur->endsent);
		if (!start && !saw_blank && cur->endsent && l->btype == KB_NONE && fig_label(l)) {
			/* 本番系, 予備系, →: a label of the figure beside the text */
			l->noise = 1;
			l->why = "figure label";
			continue;
		}
		if (start) {
			struct item *n;
			size_t mlen = 0;

			if (GROW(p, it->v, (size_t)it->n, it->alloc))
				break;
			n = &it->v[it->n++];
			memset(n, 0, sizeof(*n));
			n->first = i;
			n->btype = l->btype;
			n->para = (unsigned char)saw_blank;
			if (l->btype == KB_STD)
				ki_bullet(l->s, l->len, &mlen);
			n->mlen = mlen;
			if (ki_add_clean(&n->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
			cur = n;
		} else if (!saw_blank && (newline_needed(prev, l, maxw) || bullet_heading(cur, prev, l, maxw))) {
			if (kbuf_addch(&cur->text, '\n') < 0 || ki_add_clean(&cur->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
		} else {
			if (ki_add_joined(&cur->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
		}
		cur->last = i;
		cur->nlines++;
		cur->endsent = (unsigned char)ki_ends_sentence(l->s, l->len);
		/* a cross-reference (「２.状況」を参照) is a paragraph of its own */
		if (!cur->endsent && has(l->s, l->len, "参照")) {
			char *key = item_key(p, cur);

			cur->endsent = key && ki_is_crossref(key, strlen(key));
			free(key);
		}
		saw_blank = 0;
		prev = l;
	}
	for (int i = 0; i < it->n; i++) {
		struct item *n = &it->v[i];

		n->sentence = (unsigned char)has(kbuf_str(&n->text), n->text.len, "。");
		/* a sub-line that stays in its own line ends a sentence too */
		if (!n->text.buf && kbuf_addch(&n->text, '\0') < 0)
			p->rc = KE_NOMEM;
	}
	return p->rc;
}

/* ---- cases ---- */

static int new_case(struct parser *p, int line)
{
	struct pcase *c;

	if (GROW(p, p->pc, p->npc, p->apc))
		return -1;
	c = &p->pc[p->npc];
	memset(c, 0, sizeof(*c));
	kcase_init(&c->c);
	c->num = -1;
	c->attr = -1;
	c->line = line;
	return (int)p->npc++;
}

/* Has the case any summary, section or timeline yet? */
static int has_content(const struct pcase *c)
{
	return c->c.summary.n || c->nsec || c->c.ntimeline;
}

/* The lines of it hold text of case ci. */
static void place(struct parser *p, int ci, const struct item *it)
{
	for (int i = it->first; i <= it->last; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = ci + 1;
			p->ln[i].why = NULL;
		}
}

/* The lines of it are not case text, for why. */
static void drop(struct parser *p, const struct item *it, const char *why)
{
	for (int i = it->first; i <= it->last; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = 0;
			p->ln[i].why = why;
		}
}

static const char *const how_name[] = { "heading", "order", "cue" };

/* Note a placed block of case ci: its section (a key), how, its text. */
static void record_block_at(struct parser *p, struct pcase *c, const char *key, int how, const char *s,
			    size_t len, int first, int last)
{
	json_t *b;

	if (KGROW(c->bline, c->abline, c->nbline + 2) < 0) {
		p->rc = KE_NOMEM;
		return;
	}
	c->bline[c->nbline++] = first;
	c->bline[c->nbline++] = last;

	if (!c->blocks && !(c->blocks = json_array())) {
		p->rc = KE_NOMEM;
		return;
	}
	b = json_pack("{s:s, s:s, s:s%}", "section", key, "how", how_name[how], "text", s, len);
	if (!b || json_array_append_new(c->blocks, b) < 0)
		p->rc = KE_NOMEM;
}

static void record_block(struct parser *p, struct pcase *c, const char *key, int how, const char *s,
			 size_t len)
{
	record_block_at(p, c, key, how, s, len, -1, -1);
}

/* Append a paragraph to a section of case ci. */
static void add_section(struct parser *p, int ci, int sec, const struct item *it)
{
	struct pcase *c = &p->pc[ci];

	if (!c->sec[sec].len)
		c->nsec++;
	if ((c->sec[sec].len && kbuf_addch(&c->sec[sec], '\n') < 0) ||
	    kbuf_add(&c->sec[sec], kbuf_str(&it->text), it->text.len) < 0)
		p->rc = KE_NOMEM;
	record_block_at(p, c, ksection_key(sec), p->how, kbuf_str(&it->text), it->text.len, it->first,
			it->last);
	place(p, ci, it);
	c->fresh = 0;
}

/* The key of an item for the cue words: its first few kilobytes are enough. */
#define CUE_TEXT_MAX 8192

static char *item_key(struct parser *p, const struct item *it)
{
	struct kbuf k = KBUF_INIT;
	size_t n = it->text.len;

	if (n > CUE_TEXT_MAX) {
		n = CUE_TEXT_MAX;
		while (n > 0 && kutf8_is_cont((unsigned char)it->text.buf[n]))
			n--;
	}
	if (ki_key(&k, kbuf_str(&it->text), n) < 0) {
		kbuf_release(&k);
		p->rc = KE_NOMEM;
		return NULL;
	}
	return kbuf_detach(&k, NULL);
}

/* Is the paragraph only a pointer to the figure and the timeline? */
static int is_crossref(struct parser *p, const struct item *it)
{
	char *k = item_key(p, it);
	int r = k && ki_is_crossref(k, strlen(k));

	free(k);
	return r;
}

/* A figure label left in a section: one short line on its own, no punctuation. */
static int label_junk(const struct parser *p, const struct item *it, const struct item *prev)
{
	const char *s = kbuf_str(&it->text);
	int labels = 0;

	if (it->btype != KB_NONE || !it->para || (prev && !prev->endsent && !prev->sentence))
		return 0;
	if (it->nlines == 1)
		return ki_cplen(s, it->text.len) <= 8 && !has(s, it->text.len, "、") &&
		       !has(s, it->text.len, "。");
	/* lines of labels one under another (本番系 / 予備系 / →) */
	for (int i = it->first; i <= it->last; i++) {
		const struct line *l = &p->ln[i];

		if (l->kind == LK_BLANK || l->noise || l->used)
			continue;
		if (l->btype != KB_NONE || !fig_label(l))
			return 0;
		labels++;
	}
	return labels > 0;
}

/* Keep a paragraph as the case's title where nothing better names it. */
static void set_title_cand(struct parser *p, struct pcase *c, const struct item *it)
{
	struct kbuf t = KBUF_INIT;
	const char *s = kbuf_str(&it->text);

	if (c->title_cand)
		return;
	c->tc_first = it->first;
	c->tc_last = it->last;
	for (size_t i = 0; i < it->text.len; i++)
		if (s[i] != '\n' && kbuf_addch(&t, s[i]) < 0)
			p->rc = KE_NOMEM;
	c->title_cand = kbuf_detach(&t, NULL);
}

/*
 * Where the overview heading comes after its bullets, the run before it may
 * begin with what the page before left (a diagram, an introduction): the
 * overview is the last block of bullets, and a short line just before it
 * is the case's title.
 */
static void apply_summary_before_label(struct parser *p, int ci, struct items *it, const int *sel)
{
	struct pcase *c = &p->pc[ci];
	int last = -1, bt = KB_NONE, start = -1;

	for (int i = it->n - 1; i >= 0; i--)
		if (sel[i] && it->v[i].btype != KB_NONE && it->v[i].btype != KB_SUBHEAD) {
			bt = it->v[i].btype;
			break;
		}
	for (int i = it->n - 1; i >= 0; i--) {
		const struct item *x = &it->v[i];

		if (!sel[i])
			continue;
		if (x->btype == bt || x->btype == KB_NOTE) {
			start = i;
		} else if (x->btype == KB_NONE && x->sentence) {
			/* a paragraph among the bullets */
		} else {
			last = i;
			break;
		}
	}
	for (int i = 0; i < it->n && !p->rc; i++) {
		struct item *x = &it->v[i];

		if (!sel[i])
			continue;
		if (start < 0 || i < start) {
			if (i == last && x->btype == KB_NONE && !x->sentence &&
			    ki_cplen(kbuf_str(&x->text), x->text.len) <= 80) {
				drop(p, x, "before the overview");
				set_title_cand(p, c, x);
			} else {
				drop(p, x, "before the overview");
			}
			continue;
		}
		if (kstrv_push(&c->c.summary, kbuf_str(&x->text) + x->mlen) < 0)
			p->rc = KE_NOMEM;
		record_block(p, c, "summary", p->how, kbuf_str(&x->text) + x->mlen,
			     x->text.len - x->mlen);
		place(p, ci, x);
		c->fresh = 0;
	}
}

/*
 * Does the text begin with the label of a step of a flow figure: (1),
 * （対処１）, (検知), ①? (ki_bullet does not take "(1)" without a space.)
 */
static int step_label(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t c = ki_fold(ki_u8(s, len, &i));

	if (ki_is_circled(c))
		return 1;
	if (c != '(')
		return 0;
	while (i < len && n <= 6) {
		c = ki_fold(ki_u8(s, len, &i));
		if (c == ')')
			return n > 0;
		n++;
	}
	return 0;
}

/* The overview: its bullets, not the diagram that follows on the page. */
static void apply_summary(struct parser *p, int ci, struct items *it, const int *sel)
{
	struct pcase *c = &p->pc[ci];
	int count[8] = { 0 }, dom = KB_NONE, kept = 0, fig = 0, first_b = it->n, plain = 0, kept_std = 0;

	if (p->after_mode) {
		apply_summary_before_label(p, ci, it, sel);
		return;
	}

	for (int i = 0; i < it->n; i++)
		if (sel[i] && it->v[i].btype != KB_NONE && it->v[i].btype < 8)
			count[it->v[i].btype]++;
	for (int t = 1; t < 8; t++)
		if (t != KB_SUBHEAD && count[t] > count[dom])
			dom = t;
	/* an overview printed without bullets: its sentences come before the
	 * numbered labels of the diagram */
	for (int i = 0; i < it->n; i++)
		if (sel[i] && it->v[i].btype != KB_NONE) {
			first_b = i;
			break;
		}
	for (int i = 0; i < it->n && !p->rc; i++) {
		struct item *x = &it->v[i];
		int keep = 0;

		if (!sel[i])
			continue;
		if (fig) {
			drop(p, x, "figure");
			continue;
		}
		if (plain && x->btype != KB_NONE && x->btype != KB_STD && x->btype != KB_NOTE) {
			/* after an overview in plain sentences, (1) ... labels the diagram */
			fig = 1;
		} else if (kept_std && (x->btype == KB_PAREN || x->btype == KB_CIRCLED)) {
			/* after an overview in bullets, (1) … (対処1) … label the flow figure */
			fig = 1;
		} else if (x->btype == KB_STD || x->btype == KB_NOTE || (x->btype != KB_NONE && x->btype == dom))
			keep = 1;
		else if (x->btype == KB_NONE) {
			if (kept && dom == KB_STD && step_label(kbuf_str(&x->text), x->text.len))
				fig = 1; /* (1) … (対処1) …: the flow figure begins */
			else if (x->sentence && (kept || !dom))
				keep = 1;
			else if (x->sentence && dom != KB_STD && i < first_b)
				keep = plain = 1;
			else if (!kept && !x->sentence && ki_cplen(kbuf_str(&x->text), x->text.len) <= 80) {
				drop(p, x, "before the overview");
				set_title_cand(p, c, x);
				continue;
			} else if (kept) {
				fig = 1;
			}
		} else if (kept) {
			fig = 1;
		}
		if (!keep) {
			drop(p, x, "figure");
			continue;
		}
		kept_std += x->btype == KB_STD;
		if (x->btype == KB_NONE) {
			/* plain sentences, one a line: one overview item each */
			const char *t = kbuf_str(&x->text) + x->mlen, *nl;

			while ((nl = strchr(t, '\n')) && !p->rc) {
				if (nl > t && kstrv_pushn(&c->c.summary, t, (size_t)(nl - t)) < 0)
					p->rc = KE_NOMEM;
				t = nl + 1;
			}
			if (*t && kstrv_push(&c->c.summary, t) < 0)
				p->rc = KE_NOMEM;
		} else if (kstrv_push(&c->c.summary, kbuf_str(&x->text) + x->mlen) < 0) {
			p->rc = KE_NOMEM;
		}
		record_block(p, c, "summary", p->how, kbuf_str(&x->text) + x->mlen, x->text.len - x->mlen);
		place(p, ci, x);
		c->fresh = 0;
		kept++;
	}
}

/* Cue scores of each paragraph for each heading: n x k, row by row. */
static double *item_scores(struct parser *p, struct items *it, const int *lab, int k)
{
	size_t n = it->n > 0 ? (size_t)it->n : 1, kk = k > 0 ? (size_t)k : 1;
	double *sc = calloc(n * kk, sizeof(*sc));

	if (!sc) {
		p->rc = KE_NOMEM;
		return NULL;
	}
	int xref = 0;

	for (int i = 0; i < it->n; i++)
		xref |= is_crossref(p, &it->v[i]);
	for (int i = 0; i < it->n; i++) {
		double s[KSEC__N];
		char *key = item_key(p, &it->v[i]);
		int x;

		if (!key)
			break;
		x = ki_is_crossref(key, strlen(key));
		ki_cue_scores(key, strlen(key), s);
		for (int l = 0; l < k; l++) {
			if (lab[l] < KSEC__N)
				sc[(size_t)i * k + l] = s[lab[l]];
			/* a block that only points to the figure and the timeline
			 * (「２.状況」「３.時系列」を参照) holds nothing else */
			if (lab[l] == KSEC_DETECTION && xref)
				sc[(size_t)i * k + l] += x ? 10 : -2;
		}
		free(key);
	}
	return sc;
}

/* cost of a heading without any body */
#define EMPTY_HEADING 2.5

/* How the paragraphs of a run are split among the headings that claim it. */
struct plan {
	struct items it;
	int lab[32], k, fig;
	int *assign;
	double score;
};

/* Free what plan_run() allocated. */
static void plan_free(struct plan *pl)
{
	items_free(&pl->it);
	free(pl->assign);
	pl->assign = NULL;
}

/*
 * Split the paragraphs of lines [a, b) among the headings lab0[0..k0) (those
 * that hold text; the others only say the run is a figure): a segment may
 * begin at a bullet, or at a paragraph where the run has no bullets.
 */
static int plan_run(struct parser *p, int a, int b, const int *lab0, int k0, int ordered,
		    double empty, int want_score, struct plan *pl)
{
	unsigned char *cut = NULL;
	double *sc = NULL;
	int has_bullets = 0;

	memset(pl, 0, sizeof(*pl));
	for (int i = 0; i < k0 && pl->k < 32; i++)
		if (content_label(lab0[i]))
			pl->lab[pl->k++] = lab0[i];
		else if (lab0[i] == KI_FIGURE || lab0[i] == KI_STATUS)
			pl->fig = 1;
	if (build_items(p, a, b, &pl->it) < 0 || !pl->it.n || !pl->k)
		goto out;
	pl->assign = calloc(pl->it.n, sizeof(*pl->assign));
	cut = calloc(pl->it.n, 1);
	if (!pl->assign || !cut) {
		p->rc = KE_NOMEM;
		goto out;
	}
	for (int i = 0; i < pl->it.n; i++)
		if (pl->it.v[i].btype != KB_NONE && pl->it.v[i].btype != KB_SUBHEAD)
			has_bullets = 1;
	for (int i = 0; i < pl->it.n; i++)
		cut[i] = !i || pl->it.v[i].btype != KB_NONE ||
			 (!has_bullets && pl->it.v[i].para && pl->it.v[i - 1].endsent);
	/* one heading takes all: the cue words matter only for a score */
	if (pl->k == 1 && !want_score)
		goto out;
	if (!(sc = item_scores(p, &pl->it, pl->lab, pl->k)))
		goto out;
	pl->score = ki_segment(pl->it.n, pl->k, sc, cut, ordered, empty, pl->assign);
out:
	free(sc);
	free(cut);
	return p->rc;
}

/* Move the paragraphs of a plan into case ci (or drop them, saying why). */
static void apply_plan(struct parser *p, int ci, struct plan *pl)
{
	struct items *it = &pl->it;
	int *sel;

	if (!it->n)
		return;
	if (!pl->k) {
		for (int i = 0; i < it->n; i++)
			drop(p, &it->v[i], pl->fig ? "figure" : "under a heading that holds no text");
		return;
	}
	if (!(sel = calloc(it->n, sizeof(*sel)))) {
		p->rc = KE_NOMEM;
		return;
	}
	for (int i = 0; i < it->n && !p->rc; i++) {
		int sec = pl->lab[pl->assign[i]];

		if (sec == KI_SUMMARY) {
			sel[i] = 1;
			continue;
		}
		if (is_crossref(p, &it->v[i]))
			drop(p, &it->v[i], "cross-reference");
		else if (label_junk(p, &it->v[i], i ? &it->v[i - 1] : NULL))
			drop(p, &it->v[i], "figure label");
		else
			add_section(p, ci, sec, &it->v[i]);
	}
	apply_summary(p, ci, it, sel);
	free(sel);
}

/* Hand the items of lines [a, b) to the headings lab[0..k). */
static void apply_run(struct parser *p, int ci, int a, int b, const int *lab, int k, int ordered)
{
	struct plan pl;
	int content = 0;

	for (int i = 0; i < k; i++)
		content += content_label(lab[i]) != 0;
	p->how = content > 1 ? HOW_ORDER : p->how1;

	if (plan_run(p, a, b, lab, k, ordered, EMPTY_HEADING, 0, &pl) == 0)
		apply_plan(p, ci, &pl);
	plan_free(&pl);
}

/* The score of handing lines [a, b) to headings lab[0..k) (a dry run). */
static double run_score(struct parser *p, int a, int b, const int *lab, int k, int ordered)
{
	struct plan pl;
	double s;

	plan_run(p, a, b, lab, k, ordered, EMPTY_HEADING, 1, &pl);
	s = pl.score;
	plan_free(&pl);
	return s;
}

/*
 * A run no heading claims: its paragraphs go where their wording says, in
 * the order the report's sections come in (a section may be missing).
 */
static void classify_run(struct parser *p, int ci, int a, int b)
{
	unsigned allowed = p->secs_seen & ((1u << KSEC__N) - 1);
	int lab[KSEC__N], k = 0;
	struct plan pl;

	if (!allowed)
		allowed = (1u << KSEC_BACKGROUND) | (1u << KSEC_DETECTION) | (1u << KSEC_RESPONSE) |
			  (1u << KSEC_CAUSE) | (1u << KSEC_COUNTERMEASURES) | (1u << KSEC_LESSONS);
	for (int i = 0; i < KSEC__N; i++)
		if (allowed & (1u << ksection_display_order[i]))
			lab[k++] = ksection_display_order[i];
	p->how = HOW_CUE;
	if (plan_run(p, a, b, lab, k, 1, 0, 0, &pl) == 0)
		apply_plan(p, ci, &pl);
	plan_free(&pl);
}

/* None of lines [a, b) is case text, for why. */
static void drop_run(struct parser *p, int a, int b, const char *why)
{
	for (int i = a; i < b; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = 0;
			p->ln[i].why = why;
		}
}

/* How well the wording of lines [a, b) fits the headings, per paragraph. */
static double run_fit(struct parser *p, int a, int b, const int *lab, int k)
{
	struct plan pl;
	double s;

	plan_run(p, a, b, lab, k, 1, 0, 1, &pl);
	s = pl.it.n ? pl.score / pl.it.n : 0;
	plan_free(&pl);
	return s;
}

/*
 * Headings before their bodies (0) or after them (1)?  A heading between a
 * case header (or a page break) and a run heads that run; a heading after a
 * run and before another heading or a page break ends it.  Where a heading
 * sits between two runs, the run whose wording fits it better has a
 * (weaker) say.
 */
static int vote_mode(struct parser *p)
{
	int before = 0, after = 0;

	for (size_t i = 0; i < p->nu && !p->rc; i++) {
		const struct unit *u = &p->u[i];
		int prev = -1, next = -1, lab[32], k, last;
		long j, pj, nj;

		if (u->type != U_GROUP || !group_content(p, u))
			continue;
		k = group_labels(p, u, lab, 32);
		last = k ? lab[k - 1] : -1;
		for (j = (long)i - 1; j >= 0 && p->u[j].type == U_PAGE; j--)
			;
		pj = j;
		if (j >= 0)
			prev = p->u[j].type;
		if (j >= 0 && (size_t)j + 1 < i)
			prev = U_PAGE;
		for (j = (long)i + 1; (size_t)j < p->nu && p->u[j].type == U_PAGE; j++)
			;
		nj = j;
		if ((size_t)j < p->nu) {
			next = p->u[j].type;
			if (next == U_GROUP && group_content(p, &p->u[j]))
				next = -2;
		}
		if (prev != U_RUN && next == U_RUN) {
			before += 2;
		} else if (prev == U_RUN && (next != U_RUN && next != -2)) {
			after += 2;
		} else if (prev == U_RUN && (last == KI_MATOME || last == KI_STATUS)) {
			after += 2;
		} else if (prev == U_RUN && next == U_RUN && !group_has(p, u, KI_SUMMARY)) {
			double f0 = run_fit(p, p->u[pj].a, p->u[pj].b, lab, k);
			double f1 = run_fit(p, p->u[nj].a, p->u[nj].b, lab, k);

			if (f0 > f1 + 0.5)
				after++;
			else if (f1 > f0 + 0.5)
				before++;
		}
	}
	return after > before;
}

/* ---- the walk ---- */

struct walker {
	struct parser *p;
	int cur;
	int pend[32], npend;     /* headings waiting for their body */
	int pa_a, pa_b, pa_case; /* a run handed to headings, not yet applied */
	int pa_lab[32], npa, pa_ordered;
	int cursec;
	int fig;                 /* the last group held only a figure */
	int run_a, run_b;        /* after mode: the run waiting for its headings */
	int hungry[32], nhungry; /* after mode: headings that found no run */
};

/* The current case, opened at line if there is none. */
static int cur_case(struct walker *w, int line)
{
	if (w->cur < 0)
		w->cur = new_case(w->p, line);
	return w->cur;
}

/* Apply the run that waits for a heading after it (walk_before). */
static void commit(struct walker *w)
{
	if (w->npa && w->pa_case >= 0) {
		apply_run(w->p, w->pa_case, w->pa_a, w->pa_b, w->pa_lab, w->npa,
			  w->npa <= 1 || w->pa_ordered);
		for (int i = w->npa - 1; i >= 0; i--)
			if (w->pa_lab[i] < KSEC__N) {
				w->cursec = w->pa_lab[i];
				break;
			}
	}
	w->npa = 0;
}

/* The title of a case header, both its parts joined. */
static char *hdr_title(struct parser *p, const struct hdr *h)
{
	struct kbuf t = KBUF_INIT;

	if (ki_add_clean(&t, h->t, h->tlen) < 0 || ki_add_joined(&t, h->t2, h->t2len) < 0) {
		kbuf_release(&t);
		p->rc = KE_NOMEM;
		return NULL;
	}
	return kbuf_detach(&t, NULL);
}

/*
 * A case header: the next page of the current case, the header of a case
 * whose first page came without one, or a new case.
 */
static void on_hdr(struct walker *w, const struct unit *u)
{
	struct parser *p = w->p;
	struct hdr h;
	struct pcase *c = w->cur >= 0 ? &p->pc[w->cur] : NULL;

	ki_line_hdr(p, (size_t)u->a, &h);
	p->ln[u->a].owner = -1;
	if (c && !h.ref && h.num >= 0 && c->num == h.num && !c->ref) {
		/* the next page of the same case */
	} else if (c && c->num < 0 && !c->ref && c->by_summary && !c->hdr_title && !h.ref) {
		/* the case began on a page without its header */
		c->num = h.num;
		if (h.tlen || h.t2len) {
			free(c->c.title);
			c->c.title = hdr_title(p, &h);
			c->hdr_title = 1;
		}
	} else {
		int ci = new_case(p, u->a);

		if (ci < 0)
			return;
		w->cur = ci;
		c = &p->pc[ci];
		c->num = h.num;
		c->ref = h.ref;
		/* a run right after the header is the overview, unless the
		 * page marker says this is not the case's first page */
		c->fresh = ki_marker_page(&h) <= 1;
		c->anchored = 1;
		if (h.tlen || h.t2len) {
			c->c.title = hdr_title(p, &h);
			c->hdr_title = 1;
		}
		w->cursec = -1;
		w->npend = 0;
		w->fig = 0;
	}
	if (h.mlen && c && !c->c.source.page_marker)
		c->c.source.page_marker = dupn(p, h.m, h.mlen);
}

/* Header facts: of the current case, or the first of a new one. */
static void on_attr(struct walker *w, const struct unit *u)
{
	struct parser *p = w->p;
	struct pcase *c = w->cur >= 0 ? &p->pc[w->cur] : NULL;

	/* header facts after the body of a case begin the next one */
	if (!c || c->attr >= 0 || c->nsec || c->c.ntimeline) {
		if ((w->cur = new_case(p, u->a)) < 0)
			return;
		c = &p->pc[w->cur];
		w->cursec = -1;
	}
	c->attr = u->idx;
	c->anchored = 1;
}

/* A timeline: its events go to the current case. */
static void on_tl(struct walker *w, const struct unit *u)
{
	struct parser *p = w->p;
	struct tl *t = &p->tl[u->idx];
	struct pcase *c;

	if (!t->n || cur_case(w, u->a) < 0)
		return;
	c = &p->pc[w->cur];
	for (size_t i = 0; i < t->n; i++) {
		const char *txt = kbuf_str(&t->ev[i].text);

		if (kcase_add_event(&c->c, t->ev[i].has_day, t->ev[i].day, t->ev[i].when,
				    t->ev[i].actor, txt) < 0)
			p->rc = KE_NOMEM;
	}
	c->fresh = 0;
}

/* Is the next unit after i (past page breaks) of this type? */
static int next_type(const struct parser *p, size_t i, size_t *at)
{
	size_t j = i + 1;

	while (j < p->nu && p->u[j].type == U_PAGE)
		j++;
	*at = j;
	return j < p->nu ? p->u[j].type : -1;
}

/*
 * Headings in a row after a run, followed by another run: either all of
 * them head the run after (a bunch), or the first few were printed after
 * their bodies and belong with the run before.  The wording decides; the
 * first reading wins unless the other is clearly better.  Returns how many
 * of lab[] remain for the run after (the others join w->pa_lab).
 */
static int split_group(struct walker *w, int *lab, int k, size_t next)
{
	struct parser *p = w->p;
	const struct unit *r = &p->u[next];
	int both[64], nb, best_m = 0, content = 0;
	double best;

	for (int i = 0; i < k; i++)
		content += content_label(lab[i]);
	if (content < 2 || k > 16 || w->npa > 16)
		return k;
	best = run_score(p, w->pa_a, w->pa_b, w->pa_lab, w->npa, w->pa_ordered || w->npa <= 1) +
	       run_score(p, r->a, r->b, lab, k, k <= 1) + 1.0;
	for (int m = 1; m < k; m++) {
		double s;

		memcpy(both, w->pa_lab, sizeof(int) * w->npa);
		memcpy(both + w->npa, lab, sizeof(int) * m);
		nb = w->npa + m;
		s = run_score(p, w->pa_a, w->pa_b, both, nb, 1) +
		    run_score(p, r->a, r->b, lab + m, k - m, k - m <= 1);
		if (s > best) {
			best = s;
			best_m = m;
		}
	}
	if (!best_m)
		return k;
	for (int i = 0; i < best_m; i++)
		w->pa_lab[w->npa++] = lab[i];
	w->pa_ordered = 1;
	memmove(lab, lab + best_m, sizeof(int) * (k - best_m));
	return k - best_m;
}

/*
 * The walk where headings come before their bodies: a heading claims the run
 * after it (headings in a bunch share it); a run no heading claims is the
 * overview on a case's first page, the continuation of the last section,
 * or classified by its wording.
 */
static void walk_before(struct walker *w)
{
	struct parser *p = w->p;

	for (size_t ui = 0; ui < p->nu && !p->rc; ui++) {
		const struct unit *u = &p->u[ui];
		int lab[32], k;
		size_t at;

		switch (u->type) {
		case U_PAGE:
			w->fig = 0; /* a figure ends with its page */
			break;
		case U_HDR: {
			struct hdr h;
			int cont;

			w->fig = 0;
			ki_line_hdr(p, (size_t)u->a, &h);
			cont = w->cur >= 0 && h.num >= 0 && p->pc[w->cur].num == h.num;
			commit(w);
			if (!cont)
				w->npend = 0;
			on_hdr(w, u);
			break;
		}
		case U_GROUP: {
			int nt = next_type(p, ui, &at), prevrun;
			long pj = (long)ui - 1;

			k = group_labels(p, u, lab, 32);
			for (int i = u->a; i < u->b; i++)
				p->ln[i].owner = -1;
			if (group_has(p, u, KI_END)) {
				/* an appendix: what follows is no case's text */
				commit(w);
				w->cur = -1;
				w->npend = 0;
				w->cursec = -1;
				break;
			}
			while (pj >= 0 && p->u[pj].type == U_PAGE)
				pj--;
			prevrun = pj >= 0 && p->u[pj].type == U_RUN;
			if (nt == U_HDR) {
				struct hdr h;

				ki_line_hdr(p, (size_t)p->u[at].a, &h);
				if (w->cur >= 0 && h.num >= 0 && p->pc[w->cur].num == h.num)
					nt = U_RUN; /* the body follows after the page header */
			}
			if (!group_has(p, u, KI_SUMMARY) && nt != U_RUN && nt != U_GROUP && prevrun &&
			    w->npa && group_content(p, u)) {
				/* a heading printed after its body */
				if (w->pa_case >= 0) {
					for (int i = 0; i < k; i++)
						if (lab[i] < KSEC__N)
							p->pc[w->pa_case].heads |= 1u << lab[i];
					p->pc[w->pa_case].bunched = 1;
				}
				for (int i = 0; i < k && w->npa < 32; i++)
					w->pa_lab[w->npa++] = lab[i];
				w->pa_ordered = 1;
				break;
			}
			if (nt == U_RUN && prevrun && w->npa && !group_has(p, u, KI_SUMMARY))
				k = split_group(w, lab, k, at);
			commit(w);
			if (group_has(p, u, KI_SUMMARY) && w->cur >= 0 && has_content(&p->pc[w->cur])) {
				if ((w->cur = new_case(p, u->a)) < 0)
					return;
				p->pc[w->cur].by_summary = 1;
				p->pc[w->cur].anchored = 1;
				w->cursec = -1;
				w->npend = 0;
			}
			if (cur_case(w, u->a) < 0)
				return;
			{
				int nc = 0;

				for (int i = 0; i < k; i++)
					if (lab[i] < KSEC__N) {
						p->pc[w->cur].heads |= 1u << lab[i];
						nc++;
					}
				if (nc >= 2)
					p->pc[w->cur].bunched = 1;
			}
			if (group_has(p, u, KI_SUMMARY) && !has_content(&p->pc[w->cur])) {
				p->pc[w->cur].by_summary = p->pc[w->cur].num < 0;
				p->pc[w->cur].anchored = 1;
			}
			for (int i = 0; i < k && w->npend < 32; i++)
				w->pend[w->npend++] = lab[i];
			break;
		}
		case U_RUN: {
			struct pcase *c;

			commit(w);
			if (w->npend) {
				int ci = cur_case(w, u->a);

				if (ci < 0)
					return;
				memcpy(w->pa_lab, w->pend, sizeof(int) * w->npend);
				w->npa = w->npend;
				w->pa_ordered = 0;
				w->pa_a = u->a;
				w->pa_b = u->b;
				w->pa_case = ci;
				w->fig = 1;
				for (int i = 0; i < w->npend; i++)
					if (content_label(w->pend[i]))
						w->fig = 0;
				w->npend = 0;
				break;
			}
			if (cur_case(w, u->a) < 0)
				return;
			c = &p->pc[w->cur];
			if (c->fresh && !has_content(c)) {
				int s = KI_SUMMARY;

				apply_run(p, w->cur, u->a, u->b, &s, 1, 1);
			} else if (w->fig) {
				int s = KI_FIGURE;

				apply_run(p, w->cur, u->a, u->b, &s, 1, 1);
			} else if (w->cursec >= 0) {
				/* the last section goes on: its heading is further up */
				p->how1 = HOW_ORDER;
				apply_run(p, w->cur, u->a, u->b, &w->cursec, 1, 1);
				p->how1 = HOW_HEADING;
			} else {
				classify_run(p, w->cur, u->a, u->b);
			}
			break;
		}
		case U_ATTR:
			commit(w);
			on_attr(w, u);
			break;
		case U_TL:
			commit(w);
			on_tl(w, u);
			break;
		}
	}
	commit(w);
}

/* The run no heading after it claimed (walk_after). */
static void flush_orphan(struct walker *w)
{
	struct parser *p = w->p;

	if (w->run_a < 0)
		return;
	if (cur_case(w, w->run_a) >= 0) {
		if (w->nhungry)
			apply_run(p, w->cur, w->run_a, w->run_b, w->hungry, w->nhungry, 1);
		else
			drop_run(p, w->run_a, w->run_b, w->fig ? "figure" : "no heading claims it");
	}
	w->nhungry = 0;
	w->run_a = w->run_b = -1;
}

/*
 * The walk where headings come after their bodies (a case collection's
 * まとめ pages, and its overview before １．概要): a group of headings claims
 * the run before it, split in the headings' order; a new overview heading
 * opens a new case, with the run before it.
 */
static void walk_after(struct walker *w)
{
	struct parser *p = w->p;

	w->run_a = w->run_b = -1;
	for (size_t ui = 0; ui < p->nu && !p->rc; ui++) {
		const struct unit *u = &p->u[ui];
		int lab[32], k, content;

		switch (u->type) {
		case U_PAGE:
			flush_orphan(w);
			break;
		case U_RUN:
			if (w->run_a < 0)
				w->run_a = u->a;
			w->run_b = u->b;
			break;
		case U_GROUP:
			k = group_labels(p, u, lab, 32);
			content = group_content(p, u);
			for (int i = u->a; i < u->b; i++)
				p->ln[i].owner = -1;
			if (group_has(p, u, KI_END)) {
				if (w->run_a >= 0)
					drop_run(p, w->run_a, w->run_b, "no heading claims it");
				w->run_a = w->run_b = -1;
				w->nhungry = 0;
				w->cur = -1;
				break;
			}
			if (group_has(p, u, KI_SUMMARY) && w->cur >= 0 && has_content(&p->pc[w->cur])) {
				if ((w->cur = new_case(p, w->run_a >= 0 ? w->run_a : u->a)) < 0)
					return;
				p->pc[w->cur].by_summary = 1;
				w->nhungry = 0;
			}
			if (cur_case(w, u->a) < 0)
				return;
			if (group_has(p, u, KI_SUMMARY))
				p->pc[w->cur].anchored = 1;
			if (w->run_a >= 0) {
				apply_run(p, w->cur, w->run_a, w->run_b, lab, k, 0);
				w->run_a = w->run_b = -1;
				w->nhungry = 0;
			} else if (content) {
				w->nhungry = 0;
				for (int i = 0; i < k; i++)
					if (content_label(lab[i]))
						w->hungry[w->nhungry++] = lab[i];
			}
			w->fig = group_has(p, u, KI_STATUS) || group_has(p, u, KI_FIGURE);
			break;
		case U_HDR:
			flush_orphan(w);
			on_hdr(w, u);
			break;
		case U_ATTR:
			flush_orphan(w);
			on_attr(w, u);
			break;
		case U_TL:
			flush_orphan(w);
			on_tl(w, u);
			break;
		}
	}
	flush_orphan(w);
}

/* ---- completing the cases ---- */

static void apply_attr(struct parser *p, struct pcase *c)
{
	struct attr *a;

	if (c->attr < 0)
		return;
	a = &p->at[c->attr];
	if (a->title && !c->c.title)
		c->c.title = dupn(p, a->title, strlen(a->title));
	if (a->org && !c->c.attributes.organization)
		c->c.attributes.organization = dupn(p, a->org, strlen(a->org));
	if (a->factor && !c->c.attributes.factors)
		c->c.attributes.factors = dupn(p, a->factor, strlen(a->factor));
	if (a->reader && !c->c.attributes.reader_level)
		c->c.attributes.reader_level = dupn(p, a->reader == 1 ? "basic" : "advanced",
						    a->reader == 1 ? 5 : 8);
	if (a->num >= 0 && c->num < 0)
		c->num = a->num;
}

/* A bullet inside a list cell. */
static int item_mark(uint32_t c, int after_space)
{
	return c == 0x2022 || c == 0x25CF || c == 0x25CB || c == 0x2713 || c == 0x2714 ||
	       c == 0x25A0 || c == 0x25C6 || ki_is_circled(c) || (c == 0x30FB && after_space);
}

/* A list cell as items: split at bullet markers, line breaks and <br>. */
static void push_cell_items(struct parser *p, struct kstrv *sv, const char *s)
{
	size_t len = strlen(s), i = 0, start = 0;
	int after_space = 1;

	while (!p->rc) {
		size_t j = i, skip = 0, mlen;
		int br = 0;
		uint32_t c = 0;

		if (i >= len) {
			br = 1;
		} else if (s[i] == '\n') {
			br = 1;
			skip = 1;
		} else if (len - i >= 4 && !memcmp(s + i, "<br>", 4)) {
			br = 1;
			skip = 4;
		} else {
			c = ki_u8(s, len, &j);
			br = i > start && item_mark(c, after_space);
		}
		if (br) {
			size_t a = start, b = i;

			if (a < b && ki_bullet(s + a, b - a, &mlen) == KB_STD)
				a += mlen;
			while (a < b && ki_isspace((unsigned char)s[a]))
				a++;
			b = ki_rtrim_ws(s, a, b);
			if (a < b && kstrv_pushn(sv, s + a, b - a) < 0)
				p->rc = KE_NOMEM;
			if (i >= len)
				break;
			i += skip;
			start = i;
			after_space = 1;
			continue;
		}
		after_space = ki_isspace(c);
		i = j;
	}
}

/* A byte that an id keeps. */
static int id_safe(unsigned char c)
{
	return ki_is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/*
 * The document's name as the stem of ids: its base name without extension,
 * bytes outside [A-Za-z0-9._~-] replaced, and then a hash of the name so
 * that two names that differ only there do not meet.
 */
static char *doc_stem(struct parser *p)
{
	const char *d = p->document ? p->document : "", *slash = strrchr(d, '/'), *dot;
	size_t n;
	struct kbuf b = KBUF_INIT;
	int changed = 0, rc = 0;

	if (slash)
		d = slash + 1;
	n = strlen(d);
	dot = strrchr(d, '.');
	if (dot && dot > d && (size_t)(d + n - dot) <= 6)
		n = (size_t)(dot - d);
	for (size_t i = 0; i < n && b.len < 100 && !rc; i++) {
		unsigned char c = (unsigned char)d[i];

		if (id_safe(c)) {
			rc = kbuf_addch(&b, (char)c);
		} else {
			changed = 1;
			if (!b.len || b.buf[b.len - 1] != '_')
				rc = kbuf_addch(&b, '_');
		}
	}
	if (!rc && (changed || n > 100))
		rc = kbuf_addf(&b, "-%08x", ki_fnv1a(d, n));
	if (!rc && !b.len)
		rc = kbuf_adds(&b, "doc");
	if (rc < 0) {
		kbuf_release(&b);
		p->rc = KE_NOMEM;
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* 令和2年度 → 2020, 平成30年度 → 2018, 2020年度 → 2020 in key k, or 0 */
static int fiscal_year(const char *k, size_t kl)
{
	const char *q = k, *end = k + kl;

	while ((q = ki_memmem(q, (size_t)(end - q), "年度", strlen("年度")))) {
		const char *d = q;
		int v = 0, mul = 1, nd = 0;

		while (d > k && d[-1] >= '0' && d[-1] <= '9' && nd < 4) {
			d--;
			v += (d[0] - '0') * mul;
			mul *= 10;
			nd++;
		}
		if (nd == 4 && v >= 1990 && v <= 2100)
			return v;
		if (!nd && d - k >= 3 && !memcmp(d - 3, "元", 3))
			d -= 3, v = 1, nd = 1;
		if (nd && nd <= 2 && d - k >= 6) {
			if (!memcmp(d - 6, "令和", 6))
				return 2018 + v;
			if (!memcmp(d - 6, "平成", 6))
				return 1988 + v;
		}
		q += strlen("年度");
	}
	return 0;
}

/* "2020年1月1日~": the year a survey period starts */
static int period_year(const char *k, size_t kl)
{
	const char *q = k, *end = k + kl;

	if (!ki_memmem(k, kl, "~", 1))
		return 0;
	while ((q = ki_memmem(q, (size_t)(end - q), "年", strlen("年")))) {
		if (q - k >= 4 && ki_all_digits(q - 4, 4) && (q - k == 4 || q[-5] < '0' || q[-5] > '9')) {
			const char *r = q + strlen("年");
			int nd = 0;

			while (r < end && *r >= '0' && *r <= '9' && nd < 2)
				r++, nd++;
			if (nd && end - r >= 3 && !memcmp(r, "月", 3))
				return atoi(q - 4);
		}
		q += strlen("年");
	}
	return 0;
}

/* The survey year stated before the first case (lines [0, upto)), or 0. */
static int find_year(const struct parser *p, size_t upto)
{
	int y;

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < upto && i < p->n; i++) {
			const char *k = lkey(p, i);
			size_t kl = p->ln[i].klen;

			if (pass == 0 && (has(k, kl, "調査") || has(k, kl, "事例") || has(k, kl, "報告")) &&
			    (y = fiscal_year(k, kl)))
				return y;
			if (pass == 1 && (y = fiscal_year(k, kl)))
				return y;
			if (pass == 2 && has(k, kl, "対象") && (y = period_year(k, kl)))
				return y;
			if (pass == 2 && (y = period_year(k, kl)))
				return y;
		}
	return 0;
}

/* Which candidates are cases; returns the first line of the first case. */
static size_t keep_cases(struct parser *p)
{
	size_t first = p->n;

	for (size_t i = 0; i < p->npc; i++) {
		struct pcase *c = &p->pc[i];

		apply_attr(p, c);
		c->keep = (c->num >= 0 && !c->ref) || c->c.ntimeline || (c->anchored && c->nsec >= 1) ||
			  (c->hdr_title && (!c->ref || c->c.summary.n));
		if (c->keep && (size_t)c->line < first)
			first = (size_t)c->line;
	}
	return first;
}

/* A case without a number between 2 and 4 is 3: numbers in sequence. */
static void number_cases(struct parser *p)
{
	int prev = 0, next = -1;

	/* backwards: the number of the next numbered case after each one */
	for (size_t i = p->npc; i-- > 0;) {
		struct pcase *c = &p->pc[i];

		c->next_num = next;
		if (c->keep && !c->ref && c->num >= 0)
			next = c->num;
	}
	for (size_t i = 0; i < p->npc; i++) {
		struct pcase *c = &p->pc[i];

		if (!c->keep || c->ref)
			continue;
		if (c->num < 0 && (c->next_num < 0 || prev + 1 < c->next_num))
			c->num = prev + 1;
		if (c->num >= 0)
			prev = c->num;
	}
}

/*
 * Ids: stem-N (stem-N-2 ... for a number seen again), stem-refK for
 * reference cases, stem-xK for cases without a number.  seen counts the
 * numbers (below 1000, see ki_parse_hdr) given out so far.
 */
static char *case_id(struct parser *p, const struct pcase *c, const char *stem, int *seen,
		     int *nref, int *nun)
{
	struct kbuf id = KBUF_INIT;
	int rc;

	if (c->num >= 0 && !c->ref && c->num < 1000 && seen[c->num]++)
		rc = kbuf_addf(&id, "%s-%d-%d", stem, c->num, seen[c->num]);
	else if (c->num >= 0 && !c->ref)
		rc = kbuf_addf(&id, "%s-%d", stem, c->num);
	else if (c->ref)
		rc = kbuf_addf(&id, "%s-ref%d", stem, ++*nref);
	else
		rc = kbuf_addf(&id, "%s-x%d", stem, ++*nun);
	if (rc < 0) {
		kbuf_release(&id);
		p->rc = KE_NOMEM;
		return NULL;
	}
	return kbuf_detach(&id, NULL);
}

/* cost of a heading without any body, when blocks are moved (reorder_blocks) */
#define EMPTY_HEADED 3.0
/* what the wording must gain to move a block away from where the walk put it */
#define KEEP_HEADING 2.0
#define KEEP_ORDER 1.0
#define KEEP_CUE 0.5

/* Cue scores of a block's text for the sections. */
static void block_scores(struct parser *p, json_t *b, double sc[KSEC__N])
{
	const char *t = json_string_value(json_object_get(b, "text"));
	struct kbuf k = KBUF_INIT;

	for (int i = 0; i < KSEC__N; i++)
		sc[i] = 0;
	if (!t || ki_key(&k, t, strlen(t)) < 0) {
		if (t)
			p->rc = KE_NOMEM;
	} else {
		ki_cue_scores(k.buf, k.len, sc);
	}
	kbuf_release(&k);
}

/* The sections of c again, from its blocks (their "section" keys), in order. */
static void rebuild_sections(struct parser *p, struct pcase *c)
{
	size_t i;
	json_t *b;

	for (int k = 0; k < KSEC__N; k++)
		c->sec[k].len = 0;
	c->nsec = 0;
	json_array_foreach(c->blocks, i, b) {
		const char *t = json_string_value(json_object_get(b, "text"));
		int k = ksection_from_key(json_string_value(json_object_get(b, "section")));

		if (k < 0 || k >= KSEC__N || !t)
			continue;
		if (!c->sec[k].len)
			c->nsec++;
		if ((c->sec[k].len && kbuf_addch(&c->sec[k], '\n') < 0) || kbuf_adds(&c->sec[k], t) < 0)
			p->rc = KE_NOMEM;
	}
}

/* Only blank lines, noise or structure in lines (a, b)? */
static int nothing_between(const struct parser *p, int a, int b)
{
	for (int i = a + 1; i < b; i++)
		if (p->ln[i].kind != LK_BLANK && !p->ln[i].noise && !p->ln[i].used && p->ln[i].owner >= 0)
			return 0;
	return 1;
}

/* Is there a blank line (or a page break) in lines (a, b]? */
static int gap_between(const struct parser *p, int a, int b)
{
	for (int i = a + 1; i <= b; i++)
		if (p->ln[i].kind == LK_BLANK || p->ln[i].page)
			return 1;
	return 0;
}

/* Is t (a bullet perhaps) one of the overview items of c? */
static int in_overview(const struct pcase *c, const char *t)
{
	size_t m = 0, len = strlen(t);

	if (ki_bullet(t, len, &m) != KB_STD)
		m = 0;
	for (size_t i = 0; i < c->c.summary.n; i++)
		if (strlen(c->c.summary.v[i]) >= 20 && !strcmp(c->c.summary.v[i], t + m))
			return 1;
	return 0;
}

/* The blocks that end case a and repeat the overview of case c (the next) go. */
static void drop_repeated_overview(struct parser *p, struct pcase *a, const struct pcase *c)
{
	size_t n = json_array_size(a->blocks), k = n;

	while (k > 0) {
		json_t *b = json_array_get(a->blocks, k - 1);
		const char *t = json_string_value(json_object_get(b, "text"));
		int sec = ksection_from_key(json_string_value(json_object_get(b, "section")));

		if (!t || sec < 0 || sec >= KSEC__N || !in_overview(c, t))
			break;
		k--;
	}
	if (k == n)
		return;
	while (json_array_size(a->blocks) > k)
		json_array_remove(a->blocks, k);
	if (a->nbline > 2 * k)
		a->nbline = 2 * k;
	rebuild_sections(p, a);
}

/*
 * A case's overview printed before its header (the page's columns read in
 * another order) runs into the last section of the case before: where a
 * numbered case has no overview of its own, the blocks that end the case
 * before, after a blank line and right up to this case's header, and that
 * tell what happened (no advice), are its overview.
 */
static void move_overviews(struct parser *p)
{
	struct pcase *prev = NULL;

	for (size_t ci = 0; ci < p->npc && !p->rc; ci++) {
		struct pcase *c = &p->pc[ci], *a = prev;
		size_t n, k, take;

		if (!c->keep)
			continue;
		prev = c;
		if (a && a->blocks && c->c.summary.n) {
			drop_repeated_overview(p, a, c);
			continue;
		}
		if (!a || c->num < 0 || c->ref || !a->blocks)
			continue;
		n = json_array_size(a->blocks);
		if (!n || a->nbline < 2 * n || a->bline[2 * n - 1] < 0 ||
		    !nothing_between(p, a->bline[2 * n - 1], c->line))
			continue;
		/* the run of blocks that ends there, back to a blank line */
		for (k = n; k > 0; k--) {
			json_t *b = json_array_get(a->blocks, k - 1);
			const char *t = json_string_value(json_object_get(b, "text"));
			int sec = ksection_from_key(json_string_value(json_object_get(b, "section")));
			struct kbuf key = KBUF_INIT;
			double sc[KSEC__N];

			if (sec < 0 || sec >= KSEC__N || a->bline[2 * (k - 1)] < 0 || !t)
				break;
			if (ki_key(&key, t, strlen(t)) < 0) {
				p->rc = KE_NOMEM;
				break;
			}
			ki_cue_scores(key.buf, key.len, sc);
			kbuf_release(&key);
			if (sc[KSEC_LESSONS] >= 1.0 || sc[KSEC_COUNTERMEASURES] >= 2.0)
				break;
			if (k >= 2 && a->bline[2 * (k - 2) + 1] >= 0 &&
			    gap_between(p, a->bline[2 * (k - 2) + 1], a->bline[2 * (k - 1)])) {
				k--;
				break;
			}
		}
		/* k: the first block of the run; the section keeps a block before it */
		if (k == 0 || k >= n)
			continue;
		if (!gap_between(p, a->bline[2 * (k - 1) + 1], a->bline[2 * k]))
			continue;
		take = k;
		for (size_t i = take; i < n && !p->rc; i++) {
			json_t *b = json_array_get(a->blocks, i);
			const char *t = json_string_value(json_object_get(b, "text"));
			size_t m = 0;

			if (ki_bullet(t, strlen(t), &m) != KB_STD)
				m = 0;
			if (kstrv_push(&c->c.summary, t + m) < 0)
				p->rc = KE_NOMEM;
			record_block(p, c, "summary", HOW_ORDER, t + m, strlen(t + m));
			for (int l = a->bline[2 * i]; l <= a->bline[2 * i + 1]; l++)
				if (p->ln[l].owner == (int)(a - p->pc) + 1)
					p->ln[l].owner = (int)ci + 1;
		}
		/* the overview goes first among c's blocks */
		if (c->blocks) {
			size_t nb = json_array_size(c->blocks), moved = n - take;

			for (size_t i = 0; i < moved; i++) {
				json_t *b = json_incref(json_array_get(c->blocks, nb - moved + i));

				json_array_remove(c->blocks, nb - moved + i);
				json_array_insert_new(c->blocks, i, b);
			}
			if (c->nbline == 2 * nb) {
				memmove(c->bline + 2 * moved, c->bline, sizeof(int) * 2 * (nb - moved));
				for (size_t i = 0; i < 2 * moved; i++)
					c->bline[i] = -1;
			}
		}
		while (json_array_size(a->blocks) > take)
			json_array_remove(a->blocks, take);
		a->nbline = 2 * take;
		rebuild_sections(p, a);
	}
}

/*
 * Where the text came out of a two-column page interleaved (headings in a
 * bunch, headings after their bodies, the bodies of 背景 or 原因 last), the
 * order of the lines does not say which body is whose: a heading of the
 * case left without a body takes the block whose wording fits it best from
 * a section that keeps another, and a block at either end of its section
 * moves to another headed section whose wording it fits far better.  Moved
 * blocks are placed by their cues ("how": "cue"); the sections are rebuilt
 * from the blocks in their order.
 */
static void reorder_blocks(struct parser *p, struct pcase *c)
{
	size_t n = c->blocks ? json_array_size(c->blocks) : 0;
	int sec[256], orig[256], cnt[KSEC__N] = { 0 }, moved = 0;
	double (*sc)[KSEC__N], keep[256];

	if (!c->bunched || n < 2 || n > 256)
		return;
	if (!(sc = calloc(n, sizeof(*sc)))) {
		p->rc = KE_NOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *b = json_array_get(c->blocks, i);

		const char *how = json_string_value(json_object_get(b, "how"));

		sec[i] = ksection_from_key(json_string_value(json_object_get(b, "section")));
		keep[i] = !how || !strcmp(how, "heading") ? KEEP_HEADING : !strcmp(how, "order") ? KEEP_ORDER : KEEP_CUE;
		if (sec[i] >= 0 && sec[i] < KSEC__N) {
			cnt[sec[i]]++;
			block_scores(p, b, sc[i]);
		} else {
			sec[i] = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		orig[i] = sec[i];
	/*
	 * Hill climbing, one block at a time: the wording of each block for its
	 * section, less what leaving the walk's place costs (its heading's word
	 * counts more than the order's), less a cost for each heading of the
	 * case left without a body.
	 */
	for (int round = 0; round < 4 * (int)n && !p->rc; round++) {
		int bi = -1, bt = -1;
		double best = 1e-6;

		for (size_t i = 0; i < n; i++) {
			int s = sec[i];

			if (s < 0)
				continue;
			for (int t = 0; t < KSEC__N; t++) {
				double g;

				if (t == s || !(c->heads & (1u << t)))
					continue;
				g = sc[i][t] - sc[i][s];
				g += t == orig[i] ? keep[i] : s == orig[i] ? -keep[i] : 0;
				g += cnt[t] ? 0 : EMPTY_HEADED;
				g -= cnt[s] == 1 && (c->heads & (1u << s)) ? EMPTY_HEADED : 0;
				if (g > best) {
					best = g;
					bi = (int)i;
					bt = t;
				}
			}
		}
		if (bi < 0)
			break;
		cnt[sec[bi]]--;
		cnt[bt]++;
		sec[bi] = bt;
		moved = 1;
	}
	for (size_t i = 0; i < n && moved; i++)
		if (sec[i] != orig[i]) {
			json_t *b = json_array_get(c->blocks, i);

			if (json_object_set_new(b, "how", json_string("cue")) < 0 ||
			    json_object_set_new(b, "section", json_string(ksection_key(sec[i]))) < 0)
				p->rc = KE_NOMEM;
		}
	if (moved)
		rebuild_sections(p, c);
	free(sc);
}

/*
 * The case's "import" member: how sure the import is of it (high: every
 * block placed under its own heading; medium: some placed by the template's
 * order or a few by cue words; low: a quarter or more by cue words only, or
 * nothing placed) and its blocks.
 */
const char *kimport_confidence(const json_t *blocks)
{
	size_t n = json_is_array(blocks) ? json_array_size(blocks) : 0, ncue = 0, norder = 0, i;
	const json_t *b;

	for (i = 0; i < n; i++) {
		const char *how;

		b = json_array_get(blocks, i);
		how = json_string_value(json_object_get(b, "how"));
		ncue += how && !strcmp(how, "cue");
		norder += how && !strcmp(how, "order");
	}
	if (!n || ncue * 4 >= n)
		return "low";
	return ncue || norder ? "medium" : "high";
}

static void set_confidence(struct parser *p, struct pcase *c)
{
	const char *conf = p->res->unknown_layout ? "low" : kimport_confidence(c->blocks);
	json_t *imp;

	if (!c->blocks && !(c->blocks = json_array()))
		goto nomem;
	imp = json_pack("{s:s, s:O}", "confidence", conf, "blocks", c->blocks);
	if (!imp || (!c->c.extra && !(c->c.extra = json_object())) ||
	    json_object_set_new(c->c.extra, "import", imp) < 0)
		goto nomem;
	return;
nomem:
	p->rc = KE_NOMEM;
}

/* Bytes of s up to n characters. */
static size_t first_chars(const char *s, size_t len, size_t n)
{
	size_t i = 0;

	while (i < len && n--)
		ki_u8(s, len, &i);
	return i;
}

/*
 * A title where the report prints none (its cases are only 事例3, 事例4):
 * from the header facts (組織属性 and 要因), else from the overview's first
 * item that tells what happened (not the "本事例のC社は…である" introduction):
 * its first sentence, or its first clause when that is long, at most 40
 * characters.  Marked as derived.
 */
#define DERIVED_TITLE_MAX 40

static void derive_title(struct parser *p, struct pcase *c, const struct entry *e)
{
	const struct kattributes *a = &c->c.attributes;
	struct kbuf t = KBUF_INIT;
	struct kstrv ov = { 0 };
	const struct kstrv *sv = &c->c.summary;

	if (a->organization && a->factors && *a->organization && *a->factors) {
		if (kbuf_addf(&t, "%s における%s", a->organization, a->factors) < 0)
			p->rc = KE_NOMEM;
		goto done;
	}
	if (!sv->n && e && e->overview) {
		push_cell_items(p, &ov, e->overview);
		sv = &ov;
	}
	for (size_t i = 0; i < sv->n && !t.len; i++) {
		const char *s = sv->v[i], *end;
		size_t len = strlen(s), m = 0, n;

		if (ki_bullet(s, len, &m) == KB_STD) {
			s += m;
			len -= m;
		}
		if (has(s, len, "本事例") || ki_cplen(s, len) < 8)
			continue;
		if ((end = ki_memmem(s, len, "。", 3)))
			len = (size_t)(end - s);
		n = ki_cplen(s, len);
		if (n > DERIVED_TITLE_MAX && (end = ki_memmem(s, len, "、", 3)) &&
		    ki_cplen(s, (size_t)(end - s)) >= 8)
			len = (size_t)(end - s);
		/* a clause that ends in a verb's stem: 感染し → 感染 */
		if (len > 3 && !memcmp(s + len - 3, "し", 3)) {
			size_t j = len - 3;
			uint32_t prev = ki_prev_cp(s, 0, &j);

			if (prev >= 0x4E00 && prev <= 0x9FFF)
				len -= 3;
		}
		n = ki_cplen(s, len);
		if (n > DERIVED_TITLE_MAX) {
			len = first_chars(s, len, DERIVED_TITLE_MAX - 1);
			if (ki_add_clean(&t, s, len) < 0 || kbuf_adds(&t, "…") < 0)
				p->rc = KE_NOMEM;
		} else if (ki_add_clean(&t, s, len) < 0) {
			p->rc = KE_NOMEM;
		}
	}
	if (!t.len && !sv->n && c->blocks && json_array_size(c->blocks)) {
		/* no overview: the first block says what happened */
		const char *s = json_string_value(json_object_get(json_array_get(c->blocks, 0), "text"));

		if (s && kstrv_push(&ov, s) == 0) {
			sv = &ov;
			for (size_t i = 0; i < sv->n && !t.len; i++) {
				size_t len = strlen(sv->v[i]), m = 0;
				const char *x = sv->v[i], *end;

				if (ki_bullet(x, len, &m) == KB_STD) {
					x += m;
					len -= m;
				}
				if ((end = ki_memmem(x, len, "。", 3)))
					len = (size_t)(end - x);
				if ((end = memchr(x, '\n', len)))
					len = (size_t)(end - x);
				if (ki_cplen(x, len) > DERIVED_TITLE_MAX) {
					len = first_chars(x, len, DERIVED_TITLE_MAX - 1);
					if (ki_add_clean(&t, x, len) < 0 || kbuf_adds(&t, "…") < 0)
						p->rc = KE_NOMEM;
				} else if (ki_add_clean(&t, x, len) < 0) {
					p->rc = KE_NOMEM;
				}
			}
		}
	}
done:
	kstrv_clear(&ov);
	if (t.len && !p->rc) {
		c->c.title = kbuf_detach(&t, NULL);
		c->c.title_derived = c->c.title != NULL;
	}
	kbuf_release(&t);
}

/* What the case list and the report as a whole tell about case c. */
static void complete_case(struct parser *p, struct pcase *c, const struct entry *e,
			  const char *publisher, int year)
{
	char buf[32];

	if (c->c.title && !*c->c.title) {
		free(c->c.title);
		c->c.title = NULL;
	}
	/* an entry of a list of bare "事例N" lines has an empty title */
	if (!c->c.title && e && e->title && *e->title)
		c->c.title = dupn(p, e->title, strlen(e->title));
	if (!c->c.title && c->title_cand && *c->title_cand) {
		c->c.title = dupn(p, c->title_cand, strlen(c->title_cand));
		for (int i = c->tc_first; i <= c->tc_last; i++)
			p->ln[i].owner = -1; /* the title */
	}
	if (!c->c.title)
		derive_title(p, c, e);
	if (!c->c.title) {
		if (c->num >= 0)
			snprintf(buf, sizeof(buf), "事例%d", c->num);
		else
			snprintf(buf, sizeof(buf), "事例");
		c->c.title = dupn(p, buf, strlen(buf));
	}
	if (e && e->category && !c->c.category)
		c->c.category = dupn(p, e->category, strlen(e->category));
	if (e && e->overview && !c->c.summary.n) {
		push_cell_items(p, &c->c.summary, e->overview);
		for (size_t i = 0; i < c->c.summary.n; i++)
			record_block(p, c, "summary", e->split ? HOW_CUE : HOW_HEADING, c->c.summary.v[i],
				     strlen(c->c.summary.v[i]));
	}
	if (e && e->lessons && !c->c.key_lessons.n) {
		push_cell_items(p, &c->c.key_lessons, e->lessons);
		for (size_t i = 0; i < c->c.key_lessons.n; i++)
			record_block(p, c, "key_lessons", e->split ? HOW_CUE : HOW_HEADING,
				     c->c.key_lessons.v[i], strlen(c->c.key_lessons.v[i]));
	}
	reorder_blocks(p, c);
	set_confidence(p, c);
	for (int k = 0; k < KSEC__N; k++)
		if (c->sec[k].len && !(c->c.sections[k] = kbuf_detach(&c->sec[k], NULL)))
			p->rc = KE_NOMEM;
	c->c.source.document = dupn(p, p->document ? p->document : "",
				    p->document ? strlen(p->document) : 0);
	if (publisher)
		c->c.source.publisher = dupn(p, publisher, strlen(publisher));
	c->c.source.has_year = year > 0;
	c->c.source.year = year;
	c->c.source.has_case_number = c->num >= 0 && !c->ref;
	c->c.source.case_number = c->ref ? 0 : c->num;
	c->c.tlp = dupn(p, "clear", 5);
}

/*
 * Does the text the cue words placed read as an incident (two blocks or
 * more that speak of one: 検知, 復旧, 原因 …), not as any prose?
 */
static int reads_as_incident(struct parser *p, struct pcase *c)
{
	size_t i, speaking = 0;
	double total = 0;
	json_t *b;

	json_array_foreach(c->blocks, i, b) {
		double sc[KSEC__N], best = 0;

		block_scores(p, b, sc);
		for (int k = 0; k < KSEC__N; k++)
			if (sc[k] > best)
				best = sc[k];
		total += best;
		speaking += best >= 1.0;
	}
	return speaking >= 2 && total >= 3.0;
}

/*
 * Complete the candidates: header facts, numbers in sequence, the case
 * list's title, category, overview and key lessons, ids, source; keep the
 * ones that are cases and move them to the result.
 */
static void finish(struct parser *p)
{
	struct kimport_result *res = p->res;
	char *stem = doc_stem(p);
	const char *publisher = NULL;
	int nref = 0, nun = 0, *bynum = malloc(1000 * sizeof(int)), *seen = calloc(1000, sizeof(int));

	if (!stem || !bynum || !seen) {
		p->rc = KE_NOMEM;
		goto out;
	}
	for (int i = 0; i < 1000; i++)
		bynum[i] = -1;
	for (size_t i = p->nent; i-- > 0;)
		if (p->ent[i].num >= 0 && p->ent[i].num < 1000)
			bynum[p->ent[i].num] = (int)i;
	for (size_t i = 0; i < p->n; i++)
		if (khas(p, i, "内閣サイバーセキュリティセンター") || khas(p, i, "NISC") ||
		    khas(p, i, "補完調査")) {
			publisher = PUBLISHER;
			break;
		}
	res->year = find_year(p, keep_cases(p));
	/* an unknown layout: what the cue words placed is the case, flagged low */
	{
		size_t kept = 0, first = p->npc;

		for (size_t i = 0; i < p->npc; i++)
			kept += p->pc[i].keep;
		for (size_t i = 0; !kept && i < p->npc && first == p->npc; i++)
			if (p->pc[i].nsec || p->pc[i].c.summary.n)
				first = i;
		if (!kept && first < p->npc && reads_as_incident(p, &p->pc[first])) {
			p->pc[first].keep = 1;
			res->unknown_layout = 1;
		}
	}
	number_cases(p);
	move_overviews(p);
	for (size_t i = 0; i < p->npc && !p->rc; i++) {
		struct pcase *c = &p->pc[i];
		struct kcase *kc;

		if (!c->keep)
			continue;
		complete_case(p, c, ki_find_entry(p, bynum, c->ref ? -1 : c->num, c->c.title),
			      publisher, res->year);
		c->c.id = case_id(p, c, stem, seen, &nref, &nun);
		if (p->rc)
			break;
		if (!(kc = kcase_list_add(&res->cases))) {
			p->rc = KE_NOMEM;
			break;
		}
		*kc = c->c;
		kcase_init(&c->c);
	}
out:
	free(seen);
	free(bynum);
	free(stem);
}

/* "line N: text — why" for each line of text that went into no case. */
static void explain(struct parser *p)
{
	size_t more = 0;

	for (size_t i = 0; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];
		const char *why = l->why;
		struct kbuf b = KBUF_INIT;
		size_t cut = 0, n = 0;

		if (l->kind == LK_BLANK || l->owner < 0)
			continue;
		if (l->owner > 0) {
			if (p->pc[l->owner - 1].keep)
				continue;
			why = "not part of a case";
		}
		if (!why)
			why = l->used ? "structure" : "not part of a case";
		if (p->res->unplaced.n >= KIMPORT_MAX_UNPLACED) {
			more++;
			continue;
		}
		while (cut < (size_t)l->len && n < 60) {
			ki_u8(l->s, l->len, &cut);
			n++;
		}
		if (kbuf_addf(&b, "line %d: %.*s%s — %s", l->no, (int)cut, l->s,
			      cut < (size_t)l->len ? "…" : "", why) < 0 ||
		    kstrv_push_owned(&p->res->unplaced, kbuf_detach(&b, NULL)) < 0)
			p->rc = KE_NOMEM;
		kbuf_release(&b);
	}
	if (more && !p->rc) {
		char msg[96];

		snprintf(msg, sizeof(msg), "and %zu more lines", more);
		if (kstrv_push(&p->res->unplaced, msg) < 0)
			p->rc = KE_NOMEM;
	}
}

/* Free everything of the parser (not the result). */
static void parser_free(struct parser *p)
{
	free(p->buf);
	free(p->ln);
	kbuf_release(&p->keys);
	for (size_t i = 0; i < p->nent; i++) {
		free(p->ent[i].title);
		free(p->ent[i].category);
		free(p->ent[i].overview);
		free(p->ent[i].lessons);
	}
	free(p->ent);
	for (size_t i = 0; i < p->nat; i++) {
		free(p->at[i].title);
		free(p->at[i].org);
		free(p->at[i].factor);
	}
	free(p->at);
	for (size_t i = 0; i < p->ntl; i++) {
		for (size_t j = 0; j < p->tl[i].n; j++) {
			free(p->tl[i].ev[j].when);
			free(p->tl[i].ev[j].actor);
			kbuf_release(&p->tl[i].ev[j].text);
		}
		free(p->tl[i].ev);
	}
	free(p->tl);
	free(p->u);
	for (size_t i = 0; i < p->npc; i++) {
		kcase_free(&p->pc[i].c);
		free(p->pc[i].title_cand);
		json_decref(p->pc[i].blocks);
		free(p->pc[i].bline);
		for (int k = 0; k < KSEC__N; k++)
			kbuf_release(&p->pc[i].sec[k]);
	}
	free(p->pc);
}

/*
 * Has the text certainly more than KIMPORT_MAX_LINES lines as ki_cut_lines()
 * keeps them?  It keeps every line of text and drops at most one blank line
 * of two (in text with doubled line ends), so at least half the lines: past
 * 2 * KIMPORT_MAX_LINES + 1 line ends there are too many.  Checked before
 * anything is copied or allocated.
 */
static int too_many_lines(const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	size_t n = 0;

	while (s < end && (s = memchr(s, '\n', (size_t)(end - s)))) {
		if (++n > 2 * (size_t)KIMPORT_MAX_LINES + 1)
			return 1;
		s++;
	}
	return 0;
}

/* Refuse what is no UTF-8 text. */
static int check_bytes(const char *text, size_t len, struct kerr *err)
{
	size_t bad, ctl = 0;
	const char *nul = memchr(text, '\0', len);

	if (nul)
		return kerr_set(err, KE_PARSE, "binary data (a NUL byte at offset %zu), not report text",
				(size_t)(nul - text));
	bad = kutf8_valid_prefix(text, len); /* no NUL inside, checked above */
	if (bad < len)
		return kerr_set(err, KE_PARSE, "invalid UTF-8 at byte %zu (expected UTF-8 text)", bad);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F)
			ctl++;
	}
	if (ctl > 8 && ctl * 200 > len)
		return kerr_set(err, KE_PARSE, "binary data (%zu control bytes), not report text", ctl);
	return 0;
}

int kimport_text(const char *text, size_t len, const char *document,
		 struct kimport_result *res, struct kerr *err)
{
	struct parser p;
	struct walker w;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	if (!text && len)
		return kerr_set(err, KE_INVALID, "no text given");
	if (len > KIMPORT_MAX_TEXT)
		return kerr_set(err, KE_TOOBIG, "text of %zu bytes exceeds the limit of %u bytes",
				len, KIMPORT_MAX_TEXT);
	if (text && too_many_lines(text, len))
		return kerr_set(err, KE_TOOBIG, "more than %d lines, too many for a report", KIMPORT_MAX_LINES);
	if ((rc = check_bytes(text ? text : "", len, err)) < 0)
		return rc;
	p.document = document;
	p.res = res;
	p.buf = malloc(len + 1);
	if (!p.buf) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	memcpy(p.buf, text ? text : "", len);
	p.buf[len] = '\0';
	/* a byte order mark and stray control bytes are no text */
	if (len >= 3 && !memcmp(p.buf, "\xEF\xBB\xBF", 3))
		memset(p.buf, ' ', 3);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)p.buf[i] < 0x20 && p.buf[i] != '\t' && p.buf[i] != '\n' &&
		     p.buf[i] != '\r' && p.buf[i] != '\f') || p.buf[i] == 0x7F)
			p.buf[i] = ' ';
	if ((rc = ki_cut_lines(&p, len)) == KE_TOOBIG) {
		rc = kerr_set(err, KE_TOOBIG, "more than %d lines, too many for a report", KIMPORT_MAX_LINES);
		goto out;
	}
	if (rc < 0 || ki_mark_running_headers(&p) < 0 || ki_parse_attrs(&p) < 0 || ki_parse_tls(&p) < 0)
		goto nomem;
	ki_parse_tables(&p);
	ki_parse_column_lists(&p);
	ki_parse_twocol_list(&p);
	ki_parse_toc(&p);
	ki_mark_page_numbers(&p);
	if (p.rc || build_units(&p) < 0)
		goto nomem;
	p.after_mode = vote_mode(&p);
	memset(&w, 0, sizeof(w));
	w.p = &p;
	w.cur = -1;
	w.cursec = -1;
	w.pa_case = -1;
	if (p.after_mode)
		walk_after(&w);
	else
		walk_before(&w);
	if (p.rc)
		goto nomem;
	finish(&p);
	if (p.rc)
		goto nomem;
	explain(&p);
	if (p.rc)
		goto nomem;
	if (!res->cases.n) {
		rc = kerr_set(err, KE_INVALID, "no case found in this text");
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	parser_free(&p);
	return rc;
}

void kimport_result_free(struct kimport_result *res)
{
	if (!res)
		return;
	kcase_list_free(&res->cases);
	kstrv_clear(&res->unplaced);
	res->year = 0;
}
