/*
 * import_parts.c - the structures of a report that carry their own
 * position: the header facts of a case collection (組織属性, 要因, ケース,
 * 想定読者, in a block of labels or as 組織属性：value lines), timelines
 * (３．時系列 with its rows of day labels and bullets, or tab-separated cells
 * with the actors' columns), and the case list at the start (a table with
 * No / 事例 / 事例の概要 / 主な気付き・教訓 columns and group rows, or `事例N
 * タイトル` lines under group headings).  Their lines are consumed here; the
 * walk in import.c attaches them to cases.
 */
#include "import_impl.h"

#include <stdio.h>

/* ---- header facts (組織属性, 要因, ケース, 想定読者) ---- */

static int is_fragment(const struct parser *p, size_t i)
{
	return keq(p, i, "組織") || keq(p, i, "属性") || keq(p, i, "想定") || keq(p, i, "読者") ||
	       keq(p, i, "組織属性") || keq(p, i, "想定読者");
}

/* Is line i plain text nothing has taken yet? */
static int text_line(const struct parser *p, long i)
{
	return i >= 0 && (size_t)i < p->n && !p->ln[i].used && !p->ln[i].noise &&
	       p->ln[i].kind == LK_TEXT;
}

/* First line of the paragraph of text lines that ends at line e. */
static long para_up(struct parser *p, long e)
{
	long s = e;

	/*
	 * a line wrapped into the next one is not much shorter than it, or is
	 * the tail of a line wrapped at the full width
	 */
	while (s > 0 && e - s < 4 && !p->ln[s].page && text_line(p, s - 1) &&
	       !is_fragment(p, (size_t)(s - 1)) && !has(p->ln[s - 1].s, p->ln[s - 1].len, "、") &&
	       !has(p->ln[s - 1].s, p->ln[s - 1].len, "。") &&
	       (ki_width(p->ln[s - 1].s, p->ln[s - 1].len) * 4 >= ki_width(p->ln[s].s, p->ln[s].len) ||
		(s > 1 && !p->ln[s - 1].page && text_line(p, s - 2) &&
		 !has(p->ln[s - 2].s, p->ln[s - 2].len, "、") &&
		 !has(p->ln[s - 2].s, p->ln[s - 2].len, "。") && p->wrapw &&
		 ki_width(p->ln[s - 2].s, p->ln[s - 2].len) * 5 >= p->wrapw * 4)))
		s--;
	return s;
}

/* The white space a line begins with, in columns. */
static size_t indent_of(const struct parser *p, size_t i)
{
	const char *s = p->ln[i].s;
	size_t n = 0;

	while (s - n > p->buf && (s[-1 - (long)n] == ' ' || s[-1 - (long)n] == '\t'))
		n++;
	return n;
}

/* Does line i end in white space the trimming took off (the layout's gap)? */
static int gap_after(const struct parser *p, size_t i)
{
	const unsigned char *e = (const unsigned char *)p->ln[i].s + p->ln[i].len;

	return e[0] == ' ' || e[0] == '\t' || (e[0] == 0xE3 && e[1] == 0x80 && e[2] == 0x80);
}

/* 1 hiragana, 2 katakana, 3 kanji, 0 other */
static int script_of(uint32_t c)
{
	if (c >= 0x3041 && c <= 0x309F)
		return 1;
	if ((c >= 0x30A0 && c <= 0x30FF) || (c >= 0xFF66 && c <= 0xFF9F))
		return 2;
	if ((c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005 || (c >= 0x3400 && c <= 0x4DBF))
		return 3;
	return 0;
}

struct piece {
	const char *s;
	size_t len;
	long line;
	int gap; /* before it: 0 none, 1 a space, 2 a line end, 3 a line end the layout marks as a gap */
};

/*
 * May a line end inside a list of factors part two items ("ランサムウェア" /
 * "総当たり攻撃等")?  Where the script changes between words of three and
 * more characters; a word wrapped inside goes on in its script or in kana.
 */
static int item_break(const struct piece *a, const struct piece *b)
{
	size_t i = 0;
	int sa, sb;

	if (ki_cplen(a->s, a->len) < 3 || ki_cplen(b->s, b->len) < 3)
		return 0;
	sa = script_of(ki_last_cp(a->s, a->len));
	sb = script_of(ki_u8(b->s, b->len, &i));
	return (sa == 2 && sb == 3) || (sa == 3 && sb == 2);
}

/*
 * "title organisation factor" in lines s..e: words apart are fields, the
 * last two being the values; a line end joins the parts of a wrapped word,
 * unless the layout shows a gap there.
 */
static void split_facts(struct parser *p, long s, long e, struct attr *a)
{
	struct piece pc[24];
	struct kbuf f[3] = { KBUF_INIT, KBUF_INIT, KBUF_INIT };
	int np = 0, nf = 1, fi;

	for (long k = s; k <= e && np < 24; k++) {
		const char *q = p->ln[k].s;
		size_t len = (size_t)p->ln[k].len, i = 0;
		int first = 1;

		while (i < len && np < 24) {
			size_t j = i, st;

			if (ki_isspace(ki_u8(q, len, &j))) {
				i = j;
				continue;
			}
			st = i;
			while (i < len) {
				j = i;
				if (ki_isspace(ki_u8(q, len, &j)))
					break;
				i = j;
			}
			pc[np].s = q + st;
			pc[np].len = i - st;
			pc[np].line = k;
			if (!np)
				pc[np].gap = 0;
			else if (!first)
				pc[np].gap = 1;
			else if (gap_after(p, (size_t)k - 1) ||
				 indent_of(p, (size_t)k) >= indent_of(p, (size_t)k - 1) + 2)
				pc[np].gap = 3;
			else
				pc[np].gap = 2;
			nf += pc[np].gap == 1 || pc[np].gap == 3;
			first = 0;
			np++;
		}
	}
	if (!np)
		return;
	/*
	 * two fields, the first long and its last line short: the title,
	 * wrapped apart from the values without a blank line
	 */
	if (nf == 2) {
		size_t w = 0, best = 0;
		int bk = -1;

		for (int k = 1; k < np && pc[k].gap != 1 && pc[k].gap != 3; k++) {
			size_t i = 0, lw;

			w += ki_width(pc[k - 1].s, pc[k - 1].len);
			if (pc[k].gap != 2 || w < 24 || ki_cplen(pc[k].s, pc[k].len) < 2 ||
			    script_of(ki_u8(pc[k].s, pc[k].len, &i)) == 1)
				continue;
			lw = ki_width(p->ln[pc[k - 1].line].s, p->ln[pc[k - 1].line].len);
			if (bk < 0 || lw < best) {
				bk = k;
				best = lw;
			}
		}
		if (bk > 0) {
			pc[bk].gap = 3;
			nf = 3;
		}
	}
	/* fields from the end: factor, organisation, then the title */
	fi = nf >= 3 ? 0 : 3 - nf;
	for (int k = 0, field = 0; k < np; k++) {
		int to;

		if (k && (pc[k].gap == 1 || pc[k].gap == 3))
			field++;
		to = field >= nf - 2 ? 3 - (nf - field) : 0;
		if (nf < 3)
			to = fi + field;
		if (to < 0)
			to = 0;
		if (f[to].len) {
			int r = 0;

			if (pc[k].gap == 1 || pc[k].gap == 3 || (to == 2 && item_break(&pc[k - 1], &pc[k])))
				r = kbuf_addch(&f[to], ' ');
			if (r < 0 || ki_add_joined(&f[to], pc[k].s, pc[k].len) < 0)
				p->rc = KE_NOMEM;
		} else if (ki_add_joined(&f[to], pc[k].s, pc[k].len) < 0) {
			p->rc = KE_NOMEM;
		}
	}
	if (f[0].len) {
		free(a->title);
		a->title = kbuf_detach(&f[0], NULL);
	}
	if (f[1].len)
		a->org = kbuf_detach(&f[1], NULL);
	if (f[2].len)
		a->factor = kbuf_detach(&f[2], NULL);
	if (nf == 1 && a->factor && !a->org) {
		a->org = a->factor;
		a->factor = NULL;
	}
	for (int k = 0; k < 3; k++)
		kbuf_release(&f[k]);
}

/* Lines a..e joined as one phrase. */
static char *join_lines(struct parser *p, long a, long e)
{
	struct kbuf b = KBUF_INIT;
	char *r;

	for (long i = a; i <= e; i++)
		if (ki_add_joined(&b, p->ln[i].s, p->ln[i].len) < 0) {
			kbuf_release(&b);
			p->rc = KE_NOMEM;
			return NULL;
		}
	r = kbuf_detach(&b, NULL);
	if (!r)
		p->rc = KE_NOMEM;
	return r;
}

/* Lines a..e are structure: taken, and not to be reported. */
static void mark(struct parser *p, long a, long e)
{
	for (long i = a; i <= e; i++) {
		p->ln[i].used = 1;
		p->ln[i].owner = -1;
	}
}

/* 12, 12 基本的取組み想定, 基本的取組み, 先進的取組み想定読者 */
static int reader_value(const char *k, size_t kl, int *num, int *reader)
{
	size_t i = 0;
	int n = -1;

	*reader = 0;
	while (i < kl && k[i] >= '0' && k[i] <= '9' && i < 3)
		i++;
	if (i) {
		if (i < kl && k[i] >= '0' && k[i] <= '9')
			return 0;
		n = atoi(k);
	}
	if (kl - i >= strlen("基本的取組み") && !memcmp(k + i, "基本的取組み", strlen("基本的取組み"))) {
		*reader = 1;
		i += strlen("基本的取組み");
	} else if (kl - i >= strlen("先進的取組み") &&
		   !memcmp(k + i, "先進的取組み", strlen("先進的取組み"))) {
		*reader = 2;
		i += strlen("先進的取組み");
	}
	if (kl - i >= strlen("想定") && !memcmp(k + i, "想定", strlen("想定")))
		i += strlen("想定");
	if (kl - i >= strlen("読者") && !memcmp(k + i, "読者", strlen("読者")))
		i += strlen("読者");
	*num = n;
	return i == kl && (n >= 0 || *reader);
}

/*
 * Header facts around the label line L ("属性 要因ケース"): the paragraph
 * before it holds "title organisation factor" (the title may stand in a
 * paragraph of its own), the lines after it the case number and the reader
 * level ("1 基本的取組み想定", "読者").
 */
static void parse_attr_labels(struct parser *p, size_t L, struct attr *a)
{
	long i = (long)L - 1, s1, s2;
	int frag = 0, found = 0;

	mark(p, (long)L, (long)L);
	while (i >= 0 && (size_t)(L - i) < 8) {
		struct line *l = &p->ln[i];

		if (l->kind == LK_BLANK || l->noise ||
		    (l->kind == LK_TEXT && ki_all_digits(lkey(p, i), l->klen))) {
			i--;
		} else if (text_line(p, i) && is_fragment(p, (size_t)i)) {
			frag |= keq(p, (size_t)i, "組織");
			mark(p, i, i);
			i--;
		} else if (l->kind == LK_HEAD && !l->used) {
			i--;
		} else {
			break;
		}
	}
	if (text_line(p, i) && !has(p->ln[i].s, p->ln[i].len, "。") &&
	    !has(p->ln[i].s, p->ln[i].len, "、")) {
		s1 = para_up(p, i);
		split_facts(p, s1, i, a);
		mark(p, s1, i);
		found = 1;
		if (!a->title && a->factor) {
			i = s1 - 1;
			while (i >= 0 && p->ln[i].kind == LK_BLANK && s1 - i < 3)
				i--;
			if (text_line(p, i) && !has(p->ln[i].s, p->ln[i].len, "。") &&
			    !has(p->ln[i].s, p->ln[i].len, "、") && !p->ln[s1].page) {
				s2 = para_up(p, i);
				a->title = join_lines(p, s2, i);
				mark(p, s2, i);
			}
		}
	}
	/* "パッチ未適用組織": the label 組織 of 組織属性 glued to the value */
	if (found && a->factor && !frag && !khas(p, L, "組織")) {
		size_t fl = strlen(a->factor), gl = strlen("組織");

		if (fl > gl && !strcmp(a->factor + fl - gl, "組織"))
			a->factor[fl - gl] = '\0';
	}
	for (size_t j = L + 1, last = L; j < p->n && j <= L + 40; j++) {
		struct line *l = &p->ln[j];
		int num, reader;

		if (l->kind == LK_HDR || l->kind == LK_TLHDR || l->kind == LK_ATTR ||
		    l->kind == LK_HEAD || l->kind == LK_TLROW)
			break;
		if (l->used || (l->kind != LK_TEXT && l->kind != LK_BULLET))
			continue;
		if (reader_value(lkey(p, j), l->klen, &num, &reader) && (!l->noise || reader) &&
		    (num < 0 || (a->num < 0 && j <= L + 12)) && (!reader || !a->reader)) {
			if (num >= 0)
				a->num = num;
			if (reader)
				a->reader = reader;
			mark(p, (long)j, (long)j);
			last = j;
		} else if (j <= last + 3 && text_line(p, (long)j) && is_fragment(p, j)) {
			mark(p, (long)j, (long)j);
		}
		if (a->num >= 0 && a->reader && j > last + 3)
			break;
	}
}

/* Header facts as "組織属性：X" lines from L on. */
static void parse_attr_inline(struct parser *p, size_t L, struct attr *a)
{
	for (size_t j = L; j < p->n && j < L + 8; j++) {
		struct line *l = &p->ln[j];
		size_t voff;
		int which, num, reader;
		char **dst = NULL;

		if (l->kind == LK_BLANK)
			continue;
		if (l->kind != LK_ATTR || !l->ainline || l->used)
			break;
		which = ki_attr_inline(l->s, l->len, &voff);
		if (which == 1)
			dst = &a->org;
		else if (which == 2)
			dst = &a->factor;
		if (dst && !*dst)
			*dst = dupn(p, l->s + voff, l->len - voff);
		if (which == 3 || which == 4) {
			struct kbuf k = KBUF_INIT;

			if (ki_key(&k, l->s + voff, l->len - voff) == 0 &&
			    reader_value(k.buf, k.len, &num, &reader)) {
				if (which == 3 && num >= 0)
					a->num = num;
				if (reader)
					a->reader = reader;
			}
			kbuf_release(&k);
		}
		mark(p, (long)j, (long)j);
	}
}

int ki_parse_attrs(struct parser *p)
{
	for (size_t i = 0; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];
		struct attr *a;

		if (l->kind != LK_ATTR || l->used)
			continue;
		if (GROW(p, p->at, p->nat, p->aat))
			break;
		a = &p->at[p->nat];
		memset(a, 0, sizeof(*a));
		a->line = (int)i;
		a->num = -1;
		if (l->ainline)
			parse_attr_inline(p, i, a);
		else
			parse_attr_labels(p, i, a);
		l->atype = AN_ATTR;
		l->aidx = (int)p->nat++;
	}
	return p->rc;
}

/* ---- timelines ---- */

static int tl_add(struct parser *p, struct tl *t, const char *when, size_t wlen, int has_day,
		  int day, const char *actor)
{
	struct tlev *e;

	if (GROW(p, t->ev, t->n, t->alloc))
		return KE_NOMEM;
	e = &t->ev[t->n++];
	memset(e, 0, sizeof(*e));
	e->has_day = has_day;
	e->day = day;
	e->when = dupn(p, when ? when : "", when ? wlen : 0);
	if (actor)
		e->actor = dupn(p, actor, strlen(actor));
	return p->rc;
}

/* Text of a timeline cell or bullet, without its bullet marker. */
static int tl_text(struct parser *p, struct tlev *e, const char *s, size_t len, int cont)
{
	size_t mlen;
	int bt = ki_bullet(s, len, &mlen);

	if (!cont && bt == KB_STD) {
		s += mlen;
		len -= mlen;
	}
	if ((cont ? ki_add_joined(&e->text, s, len) : ki_add_clean(&e->text, s, len)) < 0)
		p->rc = KE_NOMEM;
	return p->rc;
}

/* The cells of a table row, split at tabs (or at pipes where it starts with one). */
static void split_cells(const char *s, size_t len, const char **cell, size_t *clen, int *nc, int max)
{
	size_t a = 0;

	*nc = 0;
	if (len && s[0] == '|') {
		a = 1;
		while (len > a && (s[len - 1] == '|' || s[len - 1] == ' '))
			len--;
	}
	while (a <= len && *nc < max) {
		size_t b = a;

		while (b < len && s[b] != '\t' && !(s[b] == '|' && s[0] == '|'))
			b++;
		cell[*nc] = s + a;
		clen[*nc] = b - a;
		while (clen[*nc] && (cell[*nc][0] == ' '))
			cell[*nc]++, clen[*nc]--;
		while (clen[*nc] && cell[*nc][clen[*nc] - 1] == ' ')
			clen[*nc]--;
		(*nc)++;
		a = b + 1;
	}
}

#define MAXCELL 12

/*
 * Does the bullet at line i end the timeline?  A cross-reference does, and
 * so does a whole sentence (ending in 。) after events that were short row
 * texts: the page after a timeline, where nothing marks the page break.
 */
static int tl_ends_here(struct parser *p, size_t i, const struct tl *t, int labelled,
			int sentences)
{
	struct kbuf b = KBUF_INIT, k = KBUF_INIT;
	size_t mlen;
	int end = 0;

	ki_bullet(p->ln[i].s, p->ln[i].len, &mlen);
	if (ki_add_clean(&b, p->ln[i].s + mlen, p->ln[i].len - mlen) < 0)
		goto nomem;
	for (size_t j = i + 1; j < p->n; j++) {
		const struct line *l = &p->ln[j];

		if (l->kind != LK_TEXT || l->used || l->noise || l->page)
			break;
		if (ki_add_joined(&b, l->s, l->len) < 0)
			goto nomem;
	}
	if (ki_key(&k, kbuf_str(&b), b.len) < 0)
		goto nomem;
	end = ki_is_crossref(k.buf, k.len) ||
	      ((t->n >= 2 || !labelled) && !sentences && ki_ends_sentence(k.buf, k.len) &&
	       ki_cplen(k.buf, k.len) >= 20);
	goto out;
nomem:
	p->rc = KE_NOMEM;
out:
	kbuf_release(&b);
	kbuf_release(&k);
	return end;
}

/*
 * The timeline that begins at line a (３．時系列, the 日時 row, or a first
 * day label): day labels, the bullets under them (one event each, the lines
 * that continue a bullet joined to it), tab-separated cells with the actors
 * of the header row.  It ends at a page break, another heading, header
 * facts, or the first paragraph that is no event (tl_ends_here).
 */
static void parse_tl(struct parser *p, size_t a, struct tl *t)
{
	char *actors[MAXCELL] = { 0 };
	const char *when = NULL;
	size_t wlen = 0, i = a, first = a;
	int has_day = 0, day = 0, open = 0, tabbed = 0, sentences = 0, bullets = 0, gap = 0, thdr = 0;
	struct tlev *cur = NULL;

	for (; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];
		int newev;

		if (l->kind == LK_BLANK) {
			gap = 1;
			continue;
		}
		newev = gap;
		gap = 0;
		if (l->used && l->owner == -1 && l->atype != AN_NONE)
			break;
		if (l->used)
			continue;
		if (l->noise || (l->kind == LK_TEXT && ki_page_number(lkey(p, i), l->klen))) {
			l->noise = 1;
			l->why = "page number";
			continue;
		}
		if (l->page && i > first && l->kind != LK_TLROW && l->kind != LK_TLHDR)
			break;
		if (l->kind == LK_HEAD) {
			if (l->sec != KI_TIMELINE)
				break;
			mark(p, (long)i, (long)i);
			if (t->n) {
				i++;
				break;
			}
			continue;
		}
		if (l->kind == LK_HDR || l->kind == LK_ATTR)
			break;
		if (l->kind == LK_TLHDR) {
			const char *cell[MAXCELL];
			size_t clen[MAXCELL];
			int nc;

			mark(p, (long)i, (long)i);
			thdr = 1;
			if (!memchr(l->s, '\t', l->len) && l->s[0] != '|')
				continue;
			tabbed = 1;
			split_cells(l->s, l->len, cell, clen, &nc, MAXCELL);
			for (int c = 1; c < nc; c++) {
				size_t ml = 0;

				if (clen[c]) {
					size_t j = 0;

					if (ki_is_circled(ki_u8(cell[c], clen[c], &j)))
						ml = j;
					free(actors[c]);
					actors[c] = dupn(p, cell[c] + ml, clen[c] - ml);
				}
			}
			continue;
		}
		if (l->kind == LK_BULLET && l->btype == KB_STD && tl_ends_here(p, i, t, when != NULL, sentences))
			break;
		if (cur && ki_ends_sentence(kbuf_str(&cur->text), cur->text.len))
			sentences = 1;
		mark(p, (long)i, (long)i);
		if (l->kind == LK_TLROW) {
			size_t end;

			ki_parse_day(l->s, l->len, &end, &has_day, &day);
			when = l->s;
			wlen = end;
			open = 0;
			cur = NULL;
			if (end < (size_t)l->len) {
				const char *cell[MAXCELL];
				size_t clen[MAXCELL];
				int nc;

				if (tabbed || memchr(l->s + end, '\t', l->len - end)) {
					/* the first cell is what follows the label in
					 * column 0 (nothing, when a tab comes next) */
					int shift = l->s[end] == '\t' ? 0 : 1;

					split_cells(l->s + end, l->len - end, cell, clen, &nc, MAXCELL);
					for (int c = 0; c < nc; c++) {
						if (!clen[c])
							continue;
						if (tl_add(p, t, when, wlen, has_day, day,
							   c + shift < MAXCELL ? actors[c + shift] : NULL) < 0)
							break;
						cur = &t->ev[t->n - 1];
						tl_text(p, cur, cell[c], clen[c], 0);
						open = 1;
					}
				} else {
					size_t k = end;

					while (k < (size_t)l->len && ki_isspace((unsigned char)l->s[k]))
						k++;
					if (tl_add(p, t, when, wlen, has_day, day, NULL) < 0)
						break;
					cur = &t->ev[t->n - 1];
					tl_text(p, cur, l->s + k, l->len - k, 0);
					open = 1;
				}
			}
			continue;
		}
		if (l->kind == LK_BULLET && l->btype == KB_STD) {
			bullets = 1;
			if (tl_add(p, t, when, wlen, has_day, day, NULL) < 0)
				break;
			cur = &t->ev[t->n - 1];
			tl_text(p, cur, l->s, l->len, 0);
			open = 1;
			continue;
		}
		/* without bullets, a paragraph is an event */
		if (open && cur && !(newev && !bullets && (when || thdr) && !tabbed)) {
			tl_text(p, cur, l->s, l->len, 1);
			continue;
		}
		if ((when || thdr) && (!t->n || !cur || !bullets) && !tabbed) {
			if (t->n && tl_ends_here(p, i, t, 1, sentences)) {
				l->used = 0;
				l->owner = 0;
				break;
			}
			if (tl_add(p, t, when, wlen, has_day, day, NULL) < 0)
				break;
			cur = &t->ev[t->n - 1];
			tl_text(p, cur, l->s, l->len, 0);
			open = 1;
			continue;
		}
		l->owner = 0;
		l->why = "timeline note";
	}
	for (int c = 0; c < MAXCELL; c++)
		free(actors[c]);
}

int ki_parse_tls(struct parser *p)
{
	for (size_t i = 0; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];
		struct tl *t;
		int anchor = 0;

		if (l->used)
			continue;
		if ((l->kind == LK_HEAD && l->sec == KI_TIMELINE) || l->kind == LK_TLHDR) {
			anchor = 1;
		} else if (l->kind == LK_TLROW) {
			/* rows without a heading: two of them close together */
			for (size_t j = i + 1; j < p->n && j < i + 30; j++)
				if (p->ln[j].kind == LK_TLROW && !p->ln[j].used) {
					anchor = 1;
					break;
				}
		}
		if (!anchor)
			continue;
		if (GROW(p, p->tl, p->ntl, p->atl))
			break;
		t = &p->tl[p->ntl];
		memset(t, 0, sizeof(*t));
		t->line = (int)i;
		parse_tl(p, i, t);
		l->used = 1;
		l->owner = -1;
		l->atype = AN_TL;
		l->aidx = (int)p->ntl++;
	}
	return p->rc;
}

/* ---- the case list ---- */

static int cell_num(const char *s, size_t len)
{
	struct kbuf k = KBUF_INIT;
	int n = -1;

	if (ki_key(&k, s, len) == 0 && k.len && k.len <= 3 && ki_all_digits(k.buf, k.len))
		n = atoi(k.buf);
	else if (k.len >= 2 && k.len <= 4 && k.buf[k.len - 1] == '.' && ki_all_digits(k.buf, k.len - 1))
		n = atoi(k.buf);
	kbuf_release(&k);
	return n;
}

/* Does the cell contain what (folded)? */
static int cell_is(const char *s, size_t len, const char *what)
{
	struct kbuf k = KBUF_INIT;
	int r = 0;

	if (ki_key(&k, s, len) == 0)
		r = has(k.buf, k.len, what);
	kbuf_release(&k);
	return r;
}

/* A copy of a cell's text without markdown emphasis. */
static char *dup_cell(struct parser *p, const char *s, size_t len)
{
	struct kbuf b = KBUF_INIT;
	char *r;

	if (ki_add_clean(&b, s, len) < 0) {
		kbuf_release(&b);
		p->rc = KE_NOMEM;
		return NULL;
	}
	if (!(r = kbuf_detach(&b, NULL)))
		p->rc = KE_NOMEM;
	return r;
}

/* A new entry of the case list. */
static struct entry *add_entry(struct parser *p, int num)
{
	struct entry *e;

	if (GROW(p, p->ent, p->nent, p->aent))
		return NULL;
	e = &p->ent[p->nent++];
	memset(e, 0, sizeof(*e));
	e->num = num;
	return e;
}

/* blank, noise, or a page number ("- 3 -", not marked yet) between two list lines */
static int skippable(const struct parser *p, size_t j)
{
	const struct line *l = &p->ln[j];

	return l->kind == LK_BLANK || l->noise ||
	       (!l->used && (l->kind == LK_TEXT || l->kind == LK_BULLET) &&
		ki_page_number(lkey(p, j), l->klen));
}

/* The next / previous line with text that is not noise, or -1. */
static long next_nonblank(const struct parser *p, size_t i)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (!skippable(p, j))
			return (long)j;
	return -1;
}

static long prev_nonblank(const struct parser *p, size_t i)
{
	for (long j = (long)i - 1; j >= 0; j--)
		if (!skippable(p, (size_t)j))
			return j;
	return -1;
}

/* The text of a group heading without its mark (■, ①, 【】): s[*a, *b). */
static void category_text(const char *s, size_t len, size_t *a, size_t *b)
{
	size_t m = 0, j;

	*a = 0;
	*b = len;
	if (ki_bullet(s, len, &m) == KB_NONE)
		return;
	j = 0;
	if (ki_u8(s, len, &j) == 0x3010 && ki_last_cp(s, len) == 0x3011) {
		*a = j;
		*b = len - 3;
	} else {
		*a = m;
	}
	while (*a < *b) {
		j = *a;
		if (!ki_isspace(ki_u8(s, *b, &j)))
			break;
		*a = j;
	}
	*b = ki_rtrim_ws(s, *a, *b);
}

/* A short line of text that can be a group heading of the case list. */
static int category_like(const struct parser *p, long i)
{
	const struct line *l;
	size_t n;

	/* a group heading may be marked: ■ 外部からの攻撃, ① ..., 【...】 */
	if (i >= 0 && (size_t)i < p->n && !p->ln[i].used && !p->ln[i].noise &&
	    p->ln[i].kind == LK_BULLET &&
	    (p->ln[i].btype == KB_STD || p->ln[i].btype == KB_CIRCLED || p->ln[i].btype == KB_SUBHEAD)) {
		size_t a, b;

		l = &p->ln[i];
		category_text(l->s, (size_t)l->len, &a, &b);
		n = ki_cplen(l->s + a, b - a);
		return n >= 3 && n <= 60 && !has(l->s, l->len, "。") && !has(l->s, l->len, "、");
	}
	if (!text_line(p, i))
		return 0;
	l = &p->ln[i];
	n = ki_cplen(l->s, l->len);
	return n >= 3 && n <= 60 && !has(l->s, l->len, "。") && !has(l->s, l->len, "一覧") &&
	       ki_fold(ki_last_cp(l->s, l->len)) != ':';
}

void ki_parse_tables(struct parser *p)
{
	for (size_t i = 0; i < p->n && !p->rc; i++) {
		const char *cell[MAXCELL];
		size_t clen[MAXCELL];
		int nc, cnum = 0, ctitle = -1, cov = -1, cles = -1, ccat = -1;
		const char *cat = NULL;
		size_t catlen = 0;

		if (p->ln[i].kind != LK_ROW || p->ln[i].used)
			continue;
		split_cells(p->ln[i].s, p->ln[i].len, cell, clen, &nc, MAXCELL);
		for (int c = 0; c < nc; c++) {
			if (ctitle < 0 && (cell_is(cell[c], clen[c], "事例名") ||
					   cell_is(cell[c], clen[c], "件名") ||
					   ((cell_is(cell[c], clen[c], "事例") ||
					     cell_is(cell[c], clen[c], "事案")) &&
					    !cell_is(cell[c], clen[c], "概要") && clen[c] <= 12)))
				ctitle = c;
			else if (cov < 0 && cell_is(cell[c], clen[c], "概要"))
				cov = c;
			else if (cles < 0 && (cell_is(cell[c], clen[c], "教訓") ||
					      cell_is(cell[c], clen[c], "気付き") ||
					      cell_is(cell[c], clen[c], "気づき")))
				cles = c;
			else if (ccat < 0 && (cell_is(cell[c], clen[c], "分類") ||
					      cell_is(cell[c], clen[c], "区分") ||
					      cell_is(cell[c], clen[c], "カテゴリ")))
				ccat = c;
			else if (cell_is(cell[c], clen[c], "No") || cell_is(cell[c], clen[c], "番号"))
				cnum = c;
		}
		if (ctitle < 0 || (cov < 0 && cles < 0))
			continue;
		mark(p, (long)i, (long)i);
		for (size_t j = i + 1; j < p->n && !p->rc; j++) {
			struct line *l = &p->ln[j];
			struct entry *e;
			int n, nonempty = 0, only = -1;

			if (l->kind == LK_BLANK)
				continue;
			if (l->kind != LK_ROW) {
				long nj = next_nonblank(p, j);

				/* a group heading row (its empty cells trimmed away) */
				if (category_like(p, (long)j) && nj >= 0 && p->ln[nj].kind == LK_ROW) {
					cat = l->s;
					catlen = (size_t)l->len;
					mark(p, (long)j, (long)j);
					continue;
				}
				break;
			}
			split_cells(l->s, l->len, cell, clen, &nc, MAXCELL);
			for (int c = 0; c < nc; c++)
				if (clen[c] && !(clen[c] >= 3 && strspn(cell[c], "-:| ") >= clen[c])) {
					nonempty++;
					only = c;
				}
			mark(p, (long)j, (long)j);
			if (!nonempty)
				continue;
			n = cnum < nc ? cell_num(cell[cnum], clen[cnum]) : -1;
			if (n < 0 && nonempty == 1) {
				cat = cell[only];
				catlen = clen[only];
				continue;
			}
			if (n < 0 || ctitle >= nc || !(e = add_entry(p, n)))
				continue;
			e->title = dup_cell(p, cell[ctitle], clen[ctitle]);
			if (ccat >= 0 && ccat < nc && clen[ccat])
				e->category = dup_cell(p, cell[ccat], clen[ccat]);
			else if (cat)
				e->category = dup_cell(p, cat, catlen);
			if (cov >= 0 && cov < nc && clen[cov])
				e->overview = dup_cell(p, cell[cov], clen[cov]);
			if (cles >= 0 && cles < nc && clen[cles])
				e->lessons = dup_cell(p, cell[cles], clen[cles]);
		}
	}
}

/* A case header without page marker: an entry of a list of cases. */
static int toc_hdr(const struct parser *p, long i)
{
	struct hdr h;

	if (i < 0 || p->ln[i].kind != LK_HDR)
		return 0;
	ki_line_hdr(p, (size_t)i, &h);
	return !h.mlen && (h.num >= 0 || h.ref);
}

/* 事例１ タイトル lines one after another (with group headings between) */
void ki_parse_toc(struct parser *p)
{
	long cat = -1;
	int inchain = 0, lastnum = -1;

	for (size_t i = 0; i < p->n && !p->rc; i++) {
		long j, k;
		struct hdr h;
		struct entry *e;

		if (!toc_hdr(p, (long)i) || p->ln[i].used) {
			if (p->ln[i].kind != LK_BLANK && !category_like(p, (long)i))
				inchain = 0;
			continue;
		}
		j = next_nonblank(p, i);
		if (j < 0)
			break;
		ki_line_hdr(p, i, &h);
		/* the last entry of a list is followed by other text: it goes on
		 * the numbers of the entries before it */
		if (!(p->ln[j].kind == LK_HDR ||
		      (category_like(p, j) && (k = next_nonblank(p, (size_t)j)) >= 0 && toc_hdr(p, k)) ||
		      (inchain && h.num >= 0 && h.num == lastnum + 1)))
			continue;
		/* a group heading just before this entry */
		k = prev_nonblank(p, i);
		if (category_like(p, k)) {
			long b = prev_nonblank(p, (size_t)k);

			/* after the list's own title (…一覧) or marked (■ ① 【】) */
			if (inchain || (b >= 0 && !text_line(p, b)) || b < 0 ||
			    ki_ends_sentence(p->ln[b].s, p->ln[b].len) || p->ln[k].kind == LK_BULLET ||
			    has(p->ln[b].s, p->ln[b].len, "一覧"))
				cat = k;
		} else if (!inchain) {
			cat = -1;
		}
		if (cat >= 0 && !p->ln[cat].used)
			mark(p, cat, cat);
		if (!(e = add_entry(p, h.num)))
			break;
		if (h.tlen || !h.t2len)
			e->title = dupn(p, h.t, h.tlen);
		else
			e->title = dupn(p, h.t2, h.t2len);
		if (cat >= 0) {
			size_t ca, cb;

			category_text(p->ln[cat].s, (size_t)p->ln[cat].len, &ca, &cb);
			e->category = dupn(p, p->ln[cat].s + ca, cb - ca);
		}
		mark(p, (long)i, (long)i);
		inchain = 1;
		lastnum = h.num;
	}
}

/* The case list's entry for a case: by number (case numbers have at most
 * three digits, see parse_hdr), else by title in a list of sensible size. */
const struct entry *ki_find_entry(const struct parser *p, const int *bynum, int num,
				      const char *title)
{
	if (num >= 0 && num < 1000 && bynum[num] >= 0)
		return &p->ent[bynum[num]];
	for (size_t i = 0; title && num < 0 && i < p->nent && i < 1000; i++)
		if (p->ent[i].title && !strcmp(p->ent[i].title, title))
			return &p->ent[i];
	return NULL;
}

/* ---- a case list whose columns are printed one after the other ---- */

/* 0 no label, 1 the title column, 2 overview, 3 lessons */
static int column_label(const struct parser *p, size_t i)
{
	static const char *const tl[] = { "事例", "事例名", "事案", "事案名", "件名", "タイトル", "事例タイトル" };
	static const char *const ov[] = { "事例の概要", "事案の概要", "概要", "事象の概要" };
	static const char *const le[] = { "主な気付き・教訓", "主な気づき・教訓", "気付き・教訓", "気づき・教訓",
					  "主な教訓", "教訓", "得られた気付き・教訓", "主な気付き" };
	const struct line *l = &p->ln[i];

	if (l->used || l->noise || (l->kind != LK_TEXT && l->kind != LK_HEAD))
		return 0;
	for (size_t k = 0; k < sizeof(tl) / sizeof(tl[0]); k++)
		if (keq(p, i, tl[k]))
			return 1;
	for (size_t k = 0; k < sizeof(ov) / sizeof(ov[0]); k++)
		if (keq(p, i, ov[k]))
			return 2;
	for (size_t k = 0; k < sizeof(le) / sizeof(le[0]); k++)
		if (keq(p, i, le[k]))
			return 3;
	return 0;
}

/*
 * The cells of one column: the lines from a to the next label, a case
 * header or a heading; grouped into n cells (one a line, or one a sentence
 * when cells wrap).  Returns the line after the column, or -1 when the
 * column does not have n cells.
 */
static long column_cells(struct parser *p, long a, int n, long *first, long *last)
{
	long j, nl = 0, ns = 0, end = a, nend = -1;
	int c;

	/* up to the line that ends the n-th sentence, or n lines */
	for (j = a; j < (long)p->n && ns < n; j++) {
		const struct line *l = &p->ln[j];

		if (l->kind == LK_BLANK || l->noise)
			continue;
		if (l->used || column_label(p, (size_t)j) || l->kind == LK_HDR || l->kind == LK_HEAD ||
		    (l->kind != LK_TEXT && l->kind != LK_BULLET))
			break;
		if (++nl == n)
			nend = j + 1;
		if (ki_ends_sentence(l->s, l->len))
			ns++;
		end = j + 1;
	}
	if (ns < n) {
		/* cells without sentence ends: one a line */
		if (nend < 0)
			return -1;
		end = nend;
	}
	for (j = a, c = 0, first[0] = -1; j < end && c < n; j++) {
		const struct line *l = &p->ln[j];

		if (l->kind == LK_BLANK || l->noise)
			continue;
		if (first[c] < 0)
			first[c] = j;
		last[c] = j;
		if ((ns < n || ki_ends_sentence(l->s, l->len)) && ++c < n)
			first[c] = -1;
	}
	return c == n ? end : -1;
}

static char *join_cell(struct parser *p, long a, long b)
{
	struct kbuf t = KBUF_INIT;

	for (long j = a; j <= b; j++)
		if (p->ln[j].kind != LK_BLANK && !p->ln[j].noise &&
		    ki_add_joined(&t, p->ln[j].s, (size_t)p->ln[j].len) < 0) {
			kbuf_release(&t);
			p->rc = KE_NOMEM;
			return NULL;
		}
	return kbuf_detach(&t, NULL);
}

/*
 * A table that the converter printed column by column: "事例" then the
 * titles, one a line; "事例の概要" then the overviews; "主な気付き・教訓"
 * then the lessons (a "No" column of numbers before them is taken too).
 */
void ki_parse_column_lists(struct parser *p)
{
	for (size_t i = 0; i < p->n && !p->rc; i++) {
		long j, t0, end, nums = -1, *fi = NULL, *la = NULL;
		int n = 0, base;

		if (column_label(p, i) != 1)
			continue;
		/* the titles: short lines without a sentence end */
		for (j = (long)i + 1, t0 = -1, end = j; j < (long)p->n; j++) {
			const struct line *l = &p->ln[j];

			if (l->kind == LK_BLANK || l->noise)
				continue;
			if (l->used || l->kind != LK_TEXT || column_label(p, (size_t)j) ||
			    ki_ends_sentence(l->s, l->len) || has(l->s, l->len, "。") ||
			    ki_cplen(l->s, l->len) > 60)
				break;
			if (t0 < 0)
				t0 = j;
			n++;
			end = j + 1;
		}
		if (n < 2 || j >= (long)p->n || column_label(p, (size_t)j) < 2)
			continue;
		/* "No" and the numbers 1..n before the title label */
		{
			long k = (long)i - 1;

			while (k >= 0 && (p->ln[k].kind == LK_BLANK || ki_all_digits(lkey(p, (size_t)k), p->ln[k].klen)))
				k--;
			if (k >= 0 && (keq(p, (size_t)k, "No") || keq(p, (size_t)k, "No.") || keq(p, (size_t)k, "番号")))
				nums = k;
		}
		fi = malloc(sizeof(*fi) * (size_t)n * 2);
		if (!fi) {
			p->rc = KE_NOMEM;
			return;
		}
		la = fi + n;
		base = (int)p->nent;
		for (long k = t0, e = 0; k < end; k++) {
			struct entry *en;

			if (p->ln[k].kind == LK_BLANK || p->ln[k].noise)
				continue;
			if (!(en = add_entry(p, (int)++e)))
				break;
			en->title = dupn(p, p->ln[k].s, (size_t)p->ln[k].len);
		}
		/* the overview and lessons columns */
		while (j < (long)p->n && !p->rc) {
			int lab = column_label(p, (size_t)j);
			long next;

			if (lab < 2)
				break;
			next = column_cells(p, j + 1, n, fi, la);
			if (next < 0)
				break;
			for (int c = 0; c < n; c++) {
				struct entry *en = &p->ent[base + c];
				char *v = join_cell(p, fi[c], la[c]);

				if (lab == 2 && !en->overview)
					en->overview = v;
				else if (lab == 3 && !en->lessons)
					en->lessons = v;
				else
					free(v);
			}
			end = next;
			for (j = next; j < (long)p->n && (p->ln[j].kind == LK_BLANK || p->ln[j].noise); j++)
				;
		}
		free(fi);
		mark(p, nums >= 0 ? nums : (long)i, end - 1);
		for (long k = nums >= 0 ? nums : (long)i; k < end; k++)
			if (p->ln[k].kind == LK_BLANK) {
				p->ln[k].used = 0;
				p->ln[k].owner = 0;
			}
		i = (size_t)end - 1;
	}
}

/* ---- a case list printed as a two-column table ---- */

/* The next line with text (a number alone too), or -1. */
static long next_text(const struct parser *p, size_t i)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (p->ln[j].kind != LK_BLANK && !p->ln[j].noise)
			return (long)j;
	return -1;
}

/*
 * A header line naming both columns: 事例の概要 and 主な気付き・教訓 (気付き,
 * 気づき, 教訓), short, no sentence.
 */
static int short_label(const struct parser *p, size_t i)
{
	const struct line *l = &p->ln[i];

	return !l->noise && l->kind != LK_BLANK && l->klen <= 90 && !khas(p, i, "。") && !khas(p, i, "、");
}

static int lesson_label(const struct parser *p, size_t i)
{
	return khas(p, i, "気付き") || khas(p, i, "気づき") || khas(p, i, "教訓");
}

/* Returns the header's last line (its parts on one physical line), or -1. */
static long twocol_header(const struct parser *p, size_t i)
{
	if (!short_label(p, i) || !khas(p, i, "概要"))
		return -1;
	if (lesson_label(p, i))
		return (long)i;
	/* "事例の概要" is a heading of its own: the rest is cut off to a line */
	if (i + 1 < p->n && p->ln[i + 1].no == p->ln[i].no && short_label(p, i + 1) &&
	    lesson_label(p, i + 1))
		return (long)i + 1;
	return -1;
}

/* A case number alone on its line (half- or full-width digits, "3." too). */
static int number_alone(const struct parser *p, long i)
{
	const char *k;
	size_t kl;

	if (i < 0 || (size_t)i >= p->n || p->ln[i].used || p->ln[i].noise)
		return -1;
	k = lkey(p, (size_t)i);
	kl = (size_t)p->ln[i].klen;
	if (kl && (k[kl - 1] == '.' || k[kl - 1] == ')'))
		kl--;
	if (!kl || kl > 3 || !ki_all_digits(k, kl))
		return -1;
	return atoi(k);
}

/* A group heading is no bullet of a column (■ and 【】 mark groups). */
static int twocol_group_mark(const struct line *l)
{
	size_t z = 0;
	uint32_t c;

	if (l->kind != LK_BULLET)
		return 1;
	c = ki_u8(l->s, (size_t)l->len, &z);
	return c == 0x25A0 || c == 0x3010 || l->btype == KB_SUBHEAD;
}

/* How much an item reads as a lesson (> 0) rather than as what happened (< 0). */
static double lesson_lean(const char *s, size_t len)
{
	static const char *const advice[] = { "重要", "必要", "べき", "望ましい", "有効", "大切",
					      "肝要", "不可欠", "ておく", "ことが求められ", "心掛け",
					      "心がけ", "検討する", "教訓", "気付き", "気づき" };
	static const char *const past[] = { "した。", "された。", "った。", "いた。", "できた。",
					    "だ。", "た。", "ていた", "が発生", "判明" };
	struct kbuf k = KBUF_INIT;
	double sc[KSEC__N], lean = 0;

	if (ki_key(&k, s, len) < 0 || !k.len) {
		kbuf_release(&k);
		return 0;
	}
	ki_cue_scores(k.buf, k.len, sc);
	lean = sc[KSEC_LESSONS] + 0.5 * sc[KSEC_COUNTERMEASURES] -
	       0.3 * (sc[KSEC_BACKGROUND] + sc[KSEC_DETECTION] + sc[KSEC_RESPONSE] + sc[KSEC_CAUSE] +
		      sc[KSEC_IMPACT]);
	for (size_t i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
		if (has(k.buf, k.len, advice[i]))
			lean += 2;
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		size_t n = strlen(past[i]);

		if (k.len >= n && !memcmp(k.buf + k.len - n, past[i], n)) {
			lean -= 2;
			break;
		}
	}
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++)
		if (has(k.buf, k.len, past[i]))
			lean -= 0.5;
	kbuf_release(&k);
	return lean;
}

/* The items of one entry, as offsets into a kbuf of NUL-separated texts. */
struct twocol_items {
	struct kbuf text;
	size_t off[64];
	uint32_t mark[64]; /* the item's bullet (0 none) */
	int n;
};

static int twocol_item(struct parser *p, struct twocol_items *it, const char *s, size_t len, int cont,
		       uint32_t mark)
{
	if (!cont) {
		if (it->n >= 64)
			return 0;
		if (it->n && kbuf_addch(&it->text, '\0') < 0)
			return p->rc = KE_NOMEM;
		it->mark[it->n] = mark;
		it->off[it->n++] = it->text.len;
	}
	if (ki_add_joined(&it->text, s, len) < 0)
		return p->rc = KE_NOMEM;
	return 0;
}

/* The overview items (before *split) and the lessons (after) as "a\nb". */
static void twocol_entry(struct parser *p, struct entry *e, struct twocol_items *it)
{
	double best = -1e30, lean[64];
	int split = it->n;
	struct kbuf ov = KBUF_INIT, le = KBUF_INIT;

	if (kbuf_addch(&it->text, '\0') < 0) {
		p->rc = KE_NOMEM;
		return;
	}
	for (int i = 0; i < it->n; i++) {
		const char *s = it->text.buf + it->off[i];

		lean[i] = lesson_lean(s, strlen(s));
	}
	/* the columns' bullets differ (• then ✓): the change is the split */
	{
		int changes = 0, at = -1;

		for (int i = 1; i < it->n; i++)
			if (it->mark[i] != it->mark[i - 1]) {
				changes++;
				at = i;
			}
		if (changes == 1 && it->mark[0] && it->mark[at]) {
			best = 1e30;
			split = at;
		}
	}
	/* at least one item in each column; ties to the middle */
	for (int k = it->n >= 2 ? 1 : it->n; k <= (it->n >= 2 ? it->n - 1 : it->n); k++) {
		double sc = 0;

		for (int i = 0; i < it->n; i++)
			sc += i < k ? -lean[i] : lean[i];
		sc -= 0.01 * abs(2 * k - it->n);
		if (best < 1e29 && sc > best) {
			best = sc;
			split = k;
		}
	}
	for (int i = 0; i < it->n && !p->rc; i++) {
		struct kbuf *b = i < split ? &ov : &le;
		const char *s = it->text.buf + it->off[i];

		if ((b->len && kbuf_addch(b, '\n') < 0) || kbuf_add(b, s, strlen(s)) < 0)
			p->rc = KE_NOMEM;
	}
	e->split = 1;
	if (!p->rc && ov.len && !(e->overview = kbuf_detach(&ov, NULL)))
		p->rc = KE_NOMEM;
	if (!p->rc && le.len && !(e->lessons = kbuf_detach(&le, NULL)))
		p->rc = KE_NOMEM;
	kbuf_release(&ov);
	kbuf_release(&le);
}

/*
 * A case list as a table of two columns (事例の概要 | 主な気付き・教訓) that
 * the text gives row by row: group headings as rows of their own, each case
 * number alone on its line (a short title may follow), then the overview's
 * bullets and the lessons' bullets with nothing between them.  Where the
 * overview ends is decided from the wording (lessons advise: 重要, 必要,
 * べき ...; the overview tells what happened).
 */
void ki_parse_twocol_list(struct parser *p)
{
	for (size_t i = 0; i < p->n && !p->rc; i++) {
		long h, j, k, last = (long)i;
		int num, expect = -1, inentry = 0, maxw = 0, bulleted = 0;
		struct entry *e = NULL;
		struct twocol_items it;
		char *cat = NULL;

		if (p->ln[i].used || (h = twocol_header(p, i)) < 0)
			continue;
		/* a case number (maybe after a group heading) must follow */
		j = next_text(p, (size_t)h);
		if (j >= 0 && number_alone(p, j) < 0 && category_like(p, j))
			j = next_text(p, (size_t)j);
		if (j < 0 || number_alone(p, j) < 0)
			continue;
		memset(&it, 0, sizeof(it));
		last = h;
		for (j = h + 1; j < (long)p->n && !p->rc; j++) {
			struct line *l = &p->ln[j];
			size_t m = 0;
			int bt;

			if (p->ln[j].kind == LK_BLANK || p->ln[j].noise)
				continue;
			if (l->used || l->kind == LK_HDR || l->kind == LK_HEAD || l->kind == LK_ROW ||
			    l->kind == LK_TLHDR)
				break;
			if ((k = twocol_header(p, (size_t)j)) >= 0) { /* repeated on the next page */
				mark(p, j, k);
				j = k;
				continue;
			}
			num = number_alone(p, j);
			if (num >= 0 && (expect < 0 || num == expect)) {
				if (e)
					twocol_entry(p, e, &it);
				kbuf_release(&it.text);
				memset(&it, 0, sizeof(it));
				bulleted = 0;
				if (!(e = add_entry(p, num)))
					break;
				if (cat)
					e->category = dupn(p, cat, strlen(cat));
				expect = num + 1;
				inentry = 1;
				last = j;
				continue;
			}
			k = next_text(p, (size_t)j);
			if (category_like(p, j) && twocol_group_mark(l) &&
			    (expect < 0 ? number_alone(p, k) >= 0 : number_alone(p, k) == expect)) {
				size_t ca, cb;

				free(cat);
				category_text(l->s, (size_t)l->len, &ca, &cb);
				cat = dupn(p, l->s + ca, cb - ca);
				last = j;
				continue;
			}
			if (!inentry)
				break;
			bt = ki_bullet(l->s, (size_t)l->len, &m);
			if (bt == KB_STD || bt == KB_CIRCLED || bt == KB_NOTE) {
				size_t z = 0;

				twocol_item(p, &it, l->s + m, (size_t)l->len - m, 0, ki_u8(l->s, (size_t)l->len, &z));
				bulleted = 1;
			} else if (!it.n && e && !e->title && ki_cplen(l->s, l->len) <= 60 &&
				   !has(l->s, l->len, "。")) {
				e->title = dupn(p, l->s, (size_t)l->len);
			} else if (it.n && (int)ki_width(p->ln[last].s, p->ln[last].len) * 10 >= maxw * 7 &&
				   !ki_ends_sentence(p->ln[last].s, p->ln[last].len)) {
				/* the rest of a wrapped item */
				twocol_item(p, &it, l->s, (size_t)l->len, 1, 0);
			} else if (!it.n || !bulleted) {
				/* items without bullets: one a sentence */
				twocol_item(p, &it, l->s, (size_t)l->len, it.n &&
					    !ki_ends_sentence(p->ln[last].s, p->ln[last].len), 0);
			} else {
				break;
			}
			if ((int)ki_width(l->s, l->len) > maxw)
				maxw = (int)ki_width(l->s, l->len);
			last = j;
		}
		if (e)
			twocol_entry(p, e, &it);
		kbuf_release(&it.text);
		free(cat);
		mark(p, (long)i, last);
		i = (size_t)last;
	}
}
