/*
 * import_impl.h - internals of the importer, shared by import.c (units, the
 * walk, completing the cases), import_lines.c (cutting and classifying
 * lines), import_parts.c (header facts, timelines, the case list),
 * import_text.c (characters) and import_classify.c (cue words).  Not part
 * of the library's interface.
 */
#ifndef KYOKUN_IMPORT_IMPL_H
#define KYOKUN_IMPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"

/* Headings that are no body section of the spec, after the KSEC_* ones. */
enum {
	KI_SUMMARY = KSEC__N, /* 事例の概要, １．概要 */
	KI_STATUS,            /* ２．状況: a diagram */
	KI_TIMELINE,          /* ３．時系列 */
	KI_MATOME,            /* ４．まとめ: a frame around other headings */
	KI_FIGURE,            /* 発生事象のイメージ: a figure caption */
	KI_END,               /* 付録, 用語集: the cases are over */
	KI_NSEC
};

/* Bullet types (ki_bullet). */
enum {
	KB_NONE,
	KB_STD,     /* • ・ ● ○ ◆ ■ ✓ - * ... */
	KB_NOTE,    /* ※ */
	KB_CIRCLED, /* ① ⑴ ❶ */
	KB_PAREN,   /* (1) （ア） (i) */
	KB_NUM,     /* 1. 2) */
	KB_SUBHEAD, /* ＜システム面＞ 【事象①】 */
};

/* import_text.c: character helpers (input is valid UTF-8; a stray byte reads as U+FFFD). */
uint32_t ki_u8(const char *s, size_t len, size_t *i);
uint32_t ki_fold(uint32_t c);
int ki_isspace(uint32_t c);
int ki_iswide(uint32_t c);
size_t ki_width(const char *s, size_t len);
size_t ki_cplen(const char *s, size_t len);
uint32_t ki_last_cp(const char *s, size_t len);
int ki_is_circled(uint32_t c);
/* Folded copy of s (fullwidth ASCII to ASCII) without white space and '*'. */
int ki_key(struct kbuf *out, const char *s, size_t len);
/* Bullet type at the start of s; *mlen = bytes of the marker and the spaces after it. */
int ki_bullet(const char *s, size_t len, size_t *mlen);
/* The first n[0..nl) in h[0..hl) (memmem), or NULL. */
const char *ki_memmem(const char *h, size_t hl, const char *n, size_t nl);

/* import_classify.c: cue words and segmentation. */
/* Scores of text (a key: folded, no spaces) for the sections KSEC_*. */
void ki_cue_scores(const char *key, size_t klen, double sc[KSEC__N]);
/* Is the key only a cross-reference ("「２.状況」、「３.時系列」を参照")? */
int ki_is_crossref(const char *key, size_t klen);

/*
 * Split items 0..n-1 into contiguous segments, one per label 0..k-1 (a label
 * may get none, at empty_cost), maximising the sum of score[i * k + label].
 * cut_ok[i] says a segment may start at item i (cut_ok[0] must be set).
 * ordered: segments follow the label order; otherwise each label is used at
 * most once in any order.  Writes assign[i] (a label index).  Returns the
 * total score.
 */
double ki_segment(int n, int k, const double *score, const unsigned char *cut_ok,
		  int ordered, double empty_cost, int *assign);

/* ---- the parser's state, shared by import.c, import_lines.c, import_parts.c ---- */

struct kimport_result;
struct unit;
struct pcase;

/* What a line is (struct line.kind). */
enum {
	LK_BLANK,
	LK_TEXT,
	LK_BULLET,
	LK_HEAD,  /* a section heading (sec) */
	LK_HDR,   /* 事例N title page-marker */
	LK_TLHDR, /* 日時 ①経営層 ②... */
	LK_TLROW, /* 1日目 22:00 ... */
	LK_ATTR,  /* 属性 要因 ケース, or 組織属性：... */
	LK_ROW,   /* a table row (tabs or pipes) */
};

/* what a line anchors (struct line.atype) */
enum { AN_NONE, AN_ATTR, AN_TL };

/* A logical line of the text. */
struct line {
	const char *s;   /* trimmed text, in parser.buf */
	int len;
	int no;          /* physical line number, 1-based */
	unsigned char kind, btype, page, used, noise, ainline, atype;
	signed char sec; /* LK_HEAD */
	signed char weak; /* a short heading name alone (section), not taken yet; else -1 */
	int cont;        /* LK_HDR: the line its title goes on in (with the marker), or 0 */
	int aidx;        /* record anchored here */
	int owner;       /* 1 + pcase that holds its text; -1 structure; 0 none */
	size_t koff;     /* key in parser.keys */
	int klen;
	const char *why; /* why it was dropped */
};

/* A case header: 事例{num} {t}{t2} {m}, or （参考） {t} (ref, num -1). */
struct hdr {
	int num, ref;
	const char *t, *t2, *m;
	size_t tlen, t2len, mlen;
};

/* An entry of the case list at the start of a report. */
struct entry {
	int num;
	char *title, *category, *overview, *lessons;
	int split; /* overview and lessons told apart by their wording (two-column list) */
};

/* How a block of text was placed (the import's confidence, per block). */
enum { HOW_HEADING, HOW_ORDER, HOW_CUE };

/* Header facts of a case collection; reader 1 basic, 2 advanced. */
struct attr {
	int line;
	char *title, *org, *factor;
	int num, reader;
};

/* A timeline: its events, in order. */
struct tlev {
	int has_day, day;
	char *when, *actor;
	struct kbuf text;
};

struct tl {
	int line;
	struct tlev *ev;
	size_t n, alloc;
};

/* One import: the text, its lines, what was found in them. */
struct parser {
	const char *document;
	char *buf;        /* a copy of the text; lines point into it */
	struct line *ln;
	size_t n, alloc;
	struct kbuf keys; /* the lines' keys (ki_key), NUL-separated */
	struct entry *ent;
	size_t nent, aent;
	struct attr *at;
	size_t nat, aat;
	struct tl *tl;
	size_t ntl, atl;
	struct unit *u;   /* import.c */
	size_t nu, au;
	struct pcase *pc; /* import.c: candidate cases */
	size_t npc, apc;
	unsigned secs_seen; /* sections the report has headings for */
	int after_mode;
	size_t wrapw;     /* the width most body lines wrap at */
	int how;          /* HOW_*: how the blocks being placed now were placed */
	int how1;         /* HOW_* of a run one heading claims (HOW_ORDER: it continues a section) */
	int rc;           /* first allocation failure */
	struct kimport_result *res;
};

/* Room for one more element of arr (cnt used, al allocated); sets p->rc when out of memory. */
#define GROW(p, arr, cnt, al) (KGROW(arr, al, (cnt) + 1) < 0 ? ((p)->rc = KE_NOMEM) : 0)

/* The key of line i: folded, without white space (ki_key). */
static inline const char *lkey(const struct parser *p, size_t i)
{
	return p->keys.buf + p->ln[i].koff;
}

static inline int keq(const struct parser *p, size_t i, const char *lit)
{
	return (size_t)p->ln[i].klen == strlen(lit) && !memcmp(lkey(p, i), lit, p->ln[i].klen);
}

static inline int khas(const struct parser *p, size_t i, const char *lit)
{
	return ki_memmem(lkey(p, i), p->ln[i].klen, lit, strlen(lit)) != NULL;
}

static inline int has(const char *s, size_t len, const char *lit)
{
	return ki_memmem(s, len, lit, strlen(lit)) != NULL;
}

static inline char *dupn(struct parser *p, const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (!d) {
		p->rc = KE_NOMEM;
		return NULL;
	}
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* import_text.c: text helpers */
uint32_t ki_prev_cp(const char *s, size_t lo, size_t *i); /* folded, moves *i back */
size_t ki_rtrim_ws(const char *s, size_t lo, size_t hi);  /* without trailing space */
size_t ki_rtrim_sp(const char *s, size_t lo, size_t hi);  /* ... and '*' */
int ki_ends_sentence(const char *s, size_t len);          /* 。. ! ? */
int ki_is_alnum(unsigned char c);
/* Append text without markdown emphasis; tabs become spaces. */
int ki_add_clean(struct kbuf *b, const char *s, size_t len);
/* Join a wrapped line to what b holds: no space between Japanese characters. */
int ki_add_joined(struct kbuf *b, const char *s, size_t len);

/* import_lines.c: the text as classified lines */
int ki_cut_lines(struct parser *p, size_t len);
int ki_mark_running_headers(struct parser *p);
void ki_mark_page_numbers(struct parser *p);
int ki_parse_hdr(const char *s, size_t len, struct hdr *h);
/* The case header of line i, with the part of its title on the next line. */
void ki_line_hdr(const struct parser *p, size_t i, struct hdr *h);
int ki_parse_day(const char *s, size_t len, size_t *end, int *has_day, int *day);
int ki_attr_inline(const char *s, size_t len, size_t *voff);
int ki_marker_page(const struct hdr *h);
int ki_all_digits(const char *k, size_t kl);
int ki_page_number(const char *k, size_t kl);
uint32_t ki_fnv1a(const char *s, size_t n);

/* import_parts.c: header facts, timelines, the case list */
int ki_parse_attrs(struct parser *p);
int ki_parse_tls(struct parser *p);
void ki_parse_tables(struct parser *p);
void ki_parse_toc(struct parser *p);
void ki_parse_column_lists(struct parser *p);
void ki_parse_twocol_list(struct parser *p);
const struct entry *ki_find_entry(const struct parser *p, const int *bynum, int num,
				  const char *title);

#endif
