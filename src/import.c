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
 *     candidates that are no case (the preamble), and give them ids.
 */
#include "import.h"
#include "import_impl.h"
#include "kbuf.h"
#include "kerr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISHER "内閣官房 内閣サイバーセキュリティセンター (NISC)"

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

struct line {
	const char *s;   /* trimmed text, in parser.buf */
	int len;
	int no;          /* physical line number, 1-based */
	unsigned char kind, btype, page, used, noise, ainline, atype;
	signed char sec; /* LK_HEAD */
	int aidx;        /* record anchored here */
	int owner;       /* 1 + pcase that holds its text; -1 structure; 0 none */
	size_t koff;     /* key in parser.keys */
	int klen;
	const char *why; /* why it was dropped */
};

struct hdr {
	int num, ref;
	const char *t, *m;
	size_t tlen, mlen;
};

struct entry {
	int num;
	char *title, *category, *overview, *lessons;
};

struct attr {
	int line;
	char *title, *org, *factor;
	int num, reader;
};

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
	char *title_cand;
};

struct item {
	int first, last, nlines;
	unsigned char btype, para, endsent, sentence;
	size_t mlen;
	struct kbuf text;
};

struct items {
	struct item *v;
	int n, alloc;
};

struct parser {
	const char *document;
	char *buf;
	struct line *ln;
	size_t n, alloc;
	struct kbuf keys;
	struct entry *ent;
	size_t nent, aent;
	struct attr *at;
	size_t nat, aat;
	struct tl *tl;
	size_t ntl, atl;
	struct unit *u;
	size_t nu, au;
	struct pcase *pc;
	size_t npc, apc;
	unsigned secs_seen;
	int after_mode;
	int rc;           /* first allocation failure */
	struct kimport_result *res;
};

/* ---- small helpers ---- */

static int grow(void **v, size_t *alloc, size_t need, size_t size)
{
	size_t n;
	void *p;

	if (need <= *alloc)
		return 0;
	n = *alloc ? *alloc * 2 : 16;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (!p)
		return KE_NOMEM;
	*v = p;
	*alloc = n;
	return 0;
}

#define GROW(p, arr, cnt, al) \
	(grow((void **)&(arr), &(al), (cnt) + 1, sizeof(*(arr))) < 0 ? ((p)->rc = KE_NOMEM) : 0)

static const char *key(const struct parser *p, size_t i)
{
	return p->keys.buf + p->ln[i].koff;
}

static int keq(const struct parser *p, size_t i, const char *lit)
{
	return (size_t)p->ln[i].klen == strlen(lit) && !memcmp(key(p, i), lit, p->ln[i].klen);
}

static int khas(const struct parser *p, size_t i, const char *lit)
{
	return ki_memmem(key(p, i), p->ln[i].klen, lit, strlen(lit)) != NULL;
}

static int has(const char *s, size_t len, const char *lit)
{
	return ki_memmem(s, len, lit, strlen(lit)) != NULL;
}

static char *dupn(struct parser *p, const char *s, size_t len)
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

/* A cursor over raw UTF-8 that compares folded code points. */
struct cur {
	const char *s;
	size_t len, i;
};

static uint32_t c_peek(const struct cur *c)
{
	size_t j = c->i;

	return c->i < c->len ? ki_fold(ki_u8(c->s, c->len, &j)) : 0;
}

static void c_next(struct cur *c)
{
	if (c->i < c->len)
		ki_u8(c->s, c->len, &c->i);
}

static void c_skipsp(struct cur *c)
{
	while (c->i < c->len && ki_isspace(c_peek(c)))
		c_next(c);
}

static int c_eat(struct cur *c, const char *lit)
{
	size_t j = c->i, k = 0, ll = strlen(lit);

	while (k < ll) {
		if (j >= c->len)
			return 0;
		if (ki_fold(ki_u8(c->s, c->len, &j)) != ki_fold(ki_u8(lit, ll, &k)))
			return 0;
	}
	c->i = j;
	return 1;
}

static int c_num(struct cur *c, int maxd, int *v)
{
	int n = 0, d = 0;

	while (d < maxd) {
		uint32_t ch = c_peek(c);

		if (ch < '0' || ch > '9')
			break;
		n = n * 10 + (int)(ch - '0');
		d++;
		c_next(c);
	}
	if (!d)
		return 0;
	if (d == maxd) {
		uint32_t ch = c_peek(c);

		if (ch >= '0' && ch <= '9')
			return 0;
	}
	*v = n;
	return 1;
}

static uint32_t c_prev(const char *s, size_t lo, size_t *i)
{
	size_t end = *i, j, k;

	if (end <= lo)
		return 0;
	j = end - 1;
	while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80 && end - j < 4)
		j--;
	k = j;
	*i = j;
	return ki_fold(ki_u8(s, end, &k));
}

static size_t rtrim_ws(const char *s, size_t lo, size_t hi)
{
	while (hi > lo) {
		size_t j = hi;

		if (!ki_isspace(c_prev(s, lo, &j)))
			break;
		hi = j;
	}
	return hi;
}

static size_t rtrim_sp(const char *s, size_t lo, size_t hi)
{
	while (hi > lo) {
		size_t j = hi;
		uint32_t c = c_prev(s, lo, &j);

		if (!ki_isspace(c) && c != '*')
			break;
		hi = j;
	}
	return hi;
}

static int ends_sentence(const char *s, size_t len)
{
	uint32_t c = ki_fold(ki_last_cp(s, len));

	return c == 0x3002 || c == '.' || c == '!' || c == '?' || c == 0xFF61;
}

static int is_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Append text without markdown emphasis; tabs become spaces. */
static int add_clean(struct kbuf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int rc;

		if (s[i] == '*' && i + 1 < len && s[i + 1] == '*') {
			i++;
			continue;
		}
		rc = kbuf_addch(b, s[i] == '\t' ? ' ' : s[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Join a wrapped line to what b holds: no space between Japanese characters. */
static int add_joined(struct kbuf *b, const char *s, size_t len)
{
	if (b->len && len && is_ascii_alnum((unsigned char)b->buf[b->len - 1]) &&
	    is_ascii_alnum((unsigned char)s[0]) && kbuf_addch(b, ' ') < 0)
		return KE_NOMEM;
	return add_clean(b, s, len);
}

/* ---- line parsers ---- */

/* "１／３", "(2/2)" at the end of s[lo..hi): returns where the marker starts, or hi */
static size_t find_marker(const char *s, size_t lo, size_t hi, size_t *mend)
{
	size_t i = rtrim_sp(s, lo, hi), j, end = i;
	int paren = 0, nd;
	uint32_t c;

	j = i;
	c = c_prev(s, lo, &j);
	if (c == ')') {
		paren = 1;
		i = j;
	}
	for (nd = 0; nd < 3; nd++) {
		j = i;
		c = c_prev(s, lo, &j);
		if (c < '0' || c > '9')
			break;
		i = j;
	}
	if (!nd)
		return hi;
	i = rtrim_sp(s, lo, i);
	j = i;
	if (c_prev(s, lo, &j) != '/')
		return hi;
	i = rtrim_sp(s, lo, j);
	for (nd = 0; nd < 3; nd++) {
		j = i;
		c = c_prev(s, lo, &j);
		if (c < '0' || c > '9')
			break;
		i = j;
	}
	if (!nd)
		return hi;
	if (paren) {
		j = i;
		if (c_prev(s, lo, &j) != '(')
			return hi;
		i = j;
	}
	if (i > lo) {
		j = i;
		if (!ki_isspace(c_prev(s, lo, &j)))
			return hi;
	}
	*mend = end;
	return i;
}

static int parse_hdr(const char *s, size_t len, struct hdr *h)
{
	struct cur c = { s, len, 0 };
	int br = 0, num = -1, ref = 0, isjirei;
	size_t ts, te, ms, me = 0, n;
	uint32_t d;

	memset(h, 0, sizeof(*h));
	h->num = -1;
	while (c_peek(&c) == '#' || c_peek(&c) == '*')
		c_next(&c);
	c_skipsp(&c);
	if (c_eat(&c, "(参考)") || c_eat(&c, "【参考】") || c_eat(&c, "[参考]") ||
	    c_eat(&c, "<参考>")) {
		ref = 1;
		c_skipsp(&c);
	}
	if (c_eat(&c, "【"))
		br = 1;
	else if (c_eat(&c, "["))
		br = 2;
	isjirei = c_eat(&c, "事例");
	if (isjirei) {
		c_skipsp(&c);
		if (!c_num(&c, 3, &num) && !ref)
			return 0;
		if (br && !c_eat(&c, br == 1 ? "】" : "]"))
			return 0;
		d = c_peek(&c);
		if (!br && num >= 0 && !(d == 0 || ki_isspace(d) || d == ':' || d == '.' ||
					 d == 0x3001 || d == 0x30FB))
			return 0;
		if (d == ':' || d == '.' || d == 0x3001 || d == 0x30FB)
			c_next(&c);
		if (!br && num < 0 && !(d == 0 || ki_isspace(d) || d == ':'))
			return 0;
	} else if (!ref || br) {
		return 0;
	}
	c_skipsp(&c);
	ts = c.i;
	te = rtrim_sp(s, ts, len);
	ms = find_marker(s, ts, te, &me);
	if (ms < te) {
		h->m = s + ms;
		h->mlen = me - ms;
		while (h->mlen && ki_isspace((unsigned char)h->m[0])) {
			h->m++;
			h->mlen--;
		}
		te = rtrim_sp(s, ts, ms);
	}
	h->t = s + ts;
	h->tlen = te - ts;
	if (!h->tlen && !h->mlen)
		return 0;
	n = ki_cplen(h->t, h->tlen);
	if (n > 120 || has(h->t, h->tlen, "。"))
		return 0;
	if (h->tlen) {
		size_t i = 0;

		d = ki_u8(h->t, h->tlen, &i);
		if (d == 0x306E || d == 0x3067 || d == 0x306B || d == 0x306F || d == 0x3092 ||
		    d == 0x304C || d == 0x3068 || d == 0x3082 || d == 0x3078)
			return 0;
	}
	if (!isjirei && (!h->tlen || n > 60))
		return 0;
	h->num = num;
	h->ref = ref;
	return 1;
}

struct hname {
	const char *name;
	signed char sec;
	unsigned char bare;   /* may stand alone on a line */
	unsigned char prefix; /* may go on after "、" (発生と検知、...) */
};

static const struct hname hnames[] = {
	{ "事例の概要", KI_SUMMARY, 1, 0 },
	{ "事案の概要", KI_SUMMARY, 1, 0 },
	{ "事象の概要", KI_SUMMARY, 1, 0 },
	{ "インシデントの概要", KI_SUMMARY, 1, 0 },
	{ "概要", KI_SUMMARY, 0, 0 },
	{ "背景", KSEC_BACKGROUND, 0, 0 },
	{ "背景・国内外の状況", KSEC_BACKGROUND, 1, 0 },
	{ "受けた背景・国内外の状況", KSEC_BACKGROUND, 1, 0 },
	{ "国内外の状況", KSEC_BACKGROUND, 0, 0 },
	{ "事案の背景", KSEC_BACKGROUND, 1, 0 },
	{ "発生の背景", KSEC_BACKGROUND, 1, 0 },
	{ "検知", KSEC_DETECTION, 0, 0 },
	{ "発見", KSEC_DETECTION, 0, 0 },
	{ "覚知", KSEC_DETECTION, 0, 0 },
	{ "発生と検知", KSEC_DETECTION, 1, 1 },
	{ "対処", KSEC_RESPONSE, 0, 0 },
	{ "対応", KSEC_RESPONSE, 0, 0 },
	{ "対処・対応", KSEC_RESPONSE, 0, 0 },
	{ "初動対応", KSEC_RESPONSE, 0, 0 },
	{ "原因", KSEC_CAUSE, 0, 0 },
	{ "発生原因", KSEC_CAUSE, 0, 0 },
	{ "根本原因", KSEC_CAUSE, 0, 0 },
	{ "発生原因と根本原因の深堀り", KSEC_CAUSE, 1, 0 },
	{ "発生原因と根本原因の深堀", KSEC_CAUSE, 1, 0 },
	{ "発生原因と根本原因の深掘り", KSEC_CAUSE, 1, 0 },
	{ "再発防止策", KSEC_COUNTERMEASURES, 1, 0 },
	{ "再発防止対策", KSEC_COUNTERMEASURES, 1, 0 },
	{ "再発に備えた対策", KSEC_COUNTERMEASURES, 1, 0 },
	{ "再発防止に向けた対策", KSEC_COUNTERMEASURES, 1, 0 },
	{ "対策", KSEC_COUNTERMEASURES, 0, 0 },
	{ "今後の対策", KSEC_COUNTERMEASURES, 0, 0 },
	{ "得られた気付き・教訓", KSEC_LESSONS, 1, 0 },
	{ "得られた気づき・教訓", KSEC_LESSONS, 1, 0 },
	{ "気付き・教訓", KSEC_LESSONS, 1, 0 },
	{ "気づき・教訓", KSEC_LESSONS, 1, 0 },
	{ "得られた教訓", KSEC_LESSONS, 1, 0 },
	{ "得られた気付き", KSEC_LESSONS, 1, 0 },
	{ "教訓", KSEC_LESSONS, 0, 0 },
	{ "サイバー攻撃による影響", KSEC_IMPACT, 1, 0 },
	{ "影響", KSEC_IMPACT, 0, 0 },
	{ "被害・影響", KSEC_IMPACT, 0, 0 },
	{ "被害状況", KSEC_IMPACT, 0, 0 },
	{ "被害軽減に寄与した対策", KSEC_MITIGATION, 1, 0 },
	{ "被害軽減策", KSEC_MITIGATION, 0, 0 },
	{ "今後の課題", KSEC_CHALLENGES, 1, 0 },
	{ "課題", KSEC_CHALLENGES, 0, 0 },
	{ "状況", KI_STATUS, 0, 0 },
	{ "発生事象のイメージ", KI_FIGURE, 1, 0 },
	{ "事象のイメージ", KI_FIGURE, 0, 0 },
	{ "イメージ", KI_FIGURE, 0, 0 },
	{ "時系列", KI_TIMELINE, 0, 0 },
	{ "まとめ", KI_MATOME, 0, 0 },
	{ "付録", KI_END, 1, 0 },
	{ "参考資料", KI_END, 1, 0 },
	{ "用語集", KI_END, 1, 0 },
	{ "用語解説", KI_END, 1, 0 },
	{ "おわりに", KI_END, 1, 0 },
	{ "終わりに", KI_END, 1, 0 },
	{ "あとがき", KI_END, 1, 0 },
	{ "別添", KI_END, 1, 0 },
	{ "別紙", KI_END, 1, 0 },
};

/* Section of a heading name (a key); bare: the line has nothing else. */
static int match_name(const char *k, size_t kl, int bare)
{
	int best = -1;
	size_t bestl = 0;

	for (size_t i = 0; i < sizeof(hnames) / sizeof(hnames[0]); i++) {
		const struct hname *h = &hnames[i];
		size_t nl = strlen(h->name), tl;
		const char *t;

		if (bare && !h->bare)
			continue;
		if (kl < nl || memcmp(k, h->name, nl) || nl <= bestl)
			continue;
		t = k + nl;
		tl = kl - nl;
		if (tl == 0 || (tl == 1 && *t == ':') ||
		    (h->sec == KI_END && tl <= 3 && is_ascii_alnum((unsigned char)*t)) ||
		    (tl >= 2 && *t == '(' && t[tl - 1] == ')' && tl < 80) ||
		    (h->prefix && tl > 3 && !memcmp(t, "、", 3))) {
			best = h->sec;
			bestl = nl;
		}
	}
	return best;
}

/*
 * A section heading: 【１ 背景】 (text may follow on the line: *rest is its
 * offset), １. 背景, ３．時系列（...）, or a long name alone on its line.
 */
static int parse_heading(const char *s, size_t len, size_t *rest)
{
	struct cur c = { s, len, 0 };
	struct kbuf k = KBUF_INIT;
	int sec = -1;
	size_t ks;

	*rest = 0;
	while (c_peek(&c) == '#' || c_peek(&c) == '*')
		c_next(&c);
	c_skipsp(&c);
	if (c_eat(&c, "【") || c_eat(&c, "[")) {
		size_t in = c.i, close = 0;

		while (c.i < len) {
			uint32_t d = c_peek(&c);

			if (d == 0x3011 || d == ']') {
				close = c.i;
				break;
			}
			c_next(&c);
		}
		if (!close || ki_key(&k, s + in, close - in) < 0)
			goto out;
		c_next(&c);
		ks = 0;
		while (ks < k.len && k.buf[ks] >= '0' && k.buf[ks] <= '9')
			ks++;
		while (ks < k.len && (k.buf[ks] == '.' || k.buf[ks] == ')' || k.buf[ks] == ':'))
			ks++;
		if (ks < k.len)
			sec = match_name(k.buf + ks, k.len - ks, 0);
		if (sec >= 0) {
			c_skipsp(&c);
			if (c.i < len)
				*rest = c.i;
		}
		goto out;
	}
	if (ki_key(&k, s + c.i, len - c.i) < 0 || !k.len || k.len > 200)
		goto out;
	ks = 0;
	if (k.buf[0] == '(') {
		size_t j = 1;

		while (j < k.len && k.buf[j] >= '0' && k.buf[j] <= '9')
			j++;
		if (j > 1 && j < k.len && k.buf[j] == ')')
			ks = j + 1;
	} else if (k.buf[0] >= '0' && k.buf[0] <= '9') {
		size_t j = 0;

		while (j < k.len && k.buf[j] >= '0' && k.buf[j] <= '9')
			j++;
		if (j <= 2) {
			ks = j;
			if (ks < k.len && (k.buf[ks] == '.' || k.buf[ks] == ')' || k.buf[ks] == ':'))
				ks++;
			else if (ks + 3 <= k.len && !memcmp(k.buf + ks, "、", 3))
				ks += 3;
		}
	}
	if (ks)
		sec = ks < k.len ? match_name(k.buf + ks, k.len - ks, 0) : -1;
	else
		sec = match_name(k.buf, k.len, 1);
out:
	kbuf_release(&k);
	return sec;
}

/* 1日目（休）夜間, 2日目 14:00, 検知の11日前, 2週目, 1か月以上前 ... */
static int parse_day(const char *s, size_t len, size_t *end, int *has_day, int *day)
{
	static const char *const pre[] = { "検知の", "発生の", "発覚の", "認知の", "覚知の",
					   "公表の", "攻撃の", "侵入の", "感染の" };
	static const char *const words[] = { "以降", "以上前", "頃", "夜間", "早朝", "未明",
					     "午前", "午後", "深夜", "夕方", "朝", "昼", "夜",
					     "~", "まで" };
	static const char *const off[] = { "(休)", "(休日)", "(土)", "(日)", "(祝)", "(土日)",
					   "(平日)", "(月)", "(火)", "(水)", "(木)", "(金)" };
	struct cur c = { s, len, 0 };
	int n, known = 0, v = 0, pref = 0;
	size_t e;
	uint32_t d;

	for (size_t k = 0; k < sizeof(pre) / sizeof(pre[0]); k++)
		if (c_eat(&c, pre[k])) {
			pref = 1;
			break;
		}
	if (c_num(&c, 3, &n)) {
		if (c_eat(&c, "日目")) {
			known = 1;
			v = n;
		} else if (c_eat(&c, "日前")) {
			known = 1;
			v = -n;
		} else if (c_eat(&c, "日後")) {
		} else if (c_eat(&c, "週間目") || c_eat(&c, "週目") || c_eat(&c, "週間後") ||
			   c_eat(&c, "週間前") || c_eat(&c, "週前")) {
		} else if (c_eat(&c, "か月") || c_eat(&c, "ヶ月") || c_eat(&c, "カ月") ||
			   c_eat(&c, "ケ月") || c_eat(&c, "ヵ月") || c_eat(&c, "箇月")) {
			c_eat(&c, "以上");
			if (!c_eat(&c, "前") && !c_eat(&c, "目") && !c_eat(&c, "後"))
				return 0;
		} else if (c_eat(&c, "月")) {
			if (!c_num(&c, 2, &n) || !c_eat(&c, "日"))
				return 0;
		} else {
			return 0;
		}
	} else if (!pref && (c_eat(&c, "当日") || c_eat(&c, "翌日") || c_eat(&c, "同日") ||
			     c_eat(&c, "前日") || c_eat(&c, "翌週"))) {
	} else {
		return 0;
	}
	e = c.i;
	for (;;) {
		int hit = 0;

		c.i = e;
		c_skipsp(&c);
		for (size_t k = 0; !hit && k < sizeof(off) / sizeof(off[0]); k++)
			hit = c_eat(&c, off[k]);
		if (!hit) {
			struct cur t = c;
			int h, m;

			if (c_num(&t, 2, &h) && c_eat(&t, ":") && c_num(&t, 2, &m)) {
				c = t;
				hit = 1;
			} else {
				t = c;
				if (c_num(&t, 2, &h) && c_eat(&t, "時")) {
					c = t;
					if (c_num(&t, 2, &m) && c_eat(&t, "分"))
						c = t;
					hit = 1;
				}
			}
		}
		for (size_t k = 0; !hit && k < sizeof(words) / sizeof(words[0]); k++)
			hit = c_eat(&c, words[k]);
		if (!hit)
			break;
		e = c.i;
	}
	c.i = e;
	d = c_peek(&c);
	if (d && !ki_isspace(d) && d != 0x2022)
		return 0;
	*end = e;
	*has_day = known;
	*day = v;
	return 1;
}

static const char *const attr_tokens[] = { "組織属性", "想定読者", "組織", "属性", "要因",
					   "ケース", "想定", "読者", "No.", "No" };

/* A line of header-fact labels only, with at least two of 属性, 要因, ケース. */
static int attr_label_line(const char *k, size_t kl)
{
	unsigned strong = 0;
	size_t i = 0;

	while (i < kl) {
		size_t best = 0;
		int bt = -1;

		for (size_t t = 0; t < sizeof(attr_tokens) / sizeof(attr_tokens[0]); t++) {
			size_t tl = strlen(attr_tokens[t]);

			if (tl > best && kl - i >= tl && !memcmp(k + i, attr_tokens[t], tl)) {
				best = tl;
				bt = (int)t;
			}
		}
		if (bt < 0)
			return 0;
		if (bt == 0 || bt == 3)
			strong |= 1;
		else if (bt == 4)
			strong |= 2;
		else if (bt == 5)
			strong |= 4;
		i += best;
	}
	return (strong & 1) + ((strong >> 1) & 1) + ((strong >> 2) & 1) >= 2;
}

/* 組織属性：X, 要因：X, ケース：N, 想定読者：X; returns which (1..4) and *voff */
static int attr_inline(const char *s, size_t len, size_t *voff)
{
	static const char *const lab[] = { "組織属性", "要因", "ケース", "想定読者" };

	for (int i = 0; i < 4; i++) {
		struct cur c = { s, len, 0 };
		size_t after;
		int colon;

		if (!c_eat(&c, lab[i]))
			continue;
		after = c.i;
		c_skipsp(&c);
		colon = c_eat(&c, ":");
		/* 要因 and ケース begin ordinary sentences too: they need the colon */
		if (!colon && (i == 1 || i == 2 || c.i == after))
			return 0;
		c_skipsp(&c);
		if (c.i >= len)
			return 0;
		*voff = c.i;
		return i + 1;
	}
	return 0;
}

static void classify(struct parser *p, size_t i)
{
	struct line *l = &p->ln[i];
	const char *k = key(p, i);
	size_t mlen, rest, end, voff, six = 6;
	struct hdr h;
	int a, b;

	if (!l->len || !l->klen) {
		l->kind = LK_BLANK;
		return;
	}
	l->btype = (unsigned char)ki_bullet(l->s, l->len, &mlen);
	if (parse_hdr(l->s, l->len, &h)) {
		l->kind = LK_HDR;
	} else if ((l->sec = (signed char)parse_heading(l->s, l->len, &rest)) >= 0) {
		l->kind = LK_HEAD;
		if (l->sec < KSEC__N)
			p->secs_seen |= 1u << l->sec;
	} else if (l->klen >= 6 && !memcmp(k, "日時", 6) && !has(k, l->klen, "。") &&
		   (l->klen == 6 || k[6] == '(' || ki_is_circled(ki_u8(k, l->klen, &six)) ||
		    l->s[6] == '\t' || l->s[6] == ' ')) {
		l->kind = LK_TLHDR;
	} else if (parse_day(l->s, l->len, &end, &a, &b)) {
		l->kind = LK_TLROW;
	} else if (attr_label_line(k, l->klen)) {
		l->kind = LK_ATTR;
	} else if (attr_inline(l->s, l->len, &voff)) {
		l->kind = LK_ATTR;
		l->ainline = 1;
	} else if (memchr(l->s, '\t', l->len) || (l->s[0] == '|' && memchr(l->s + 1, '|', l->len - 1))) {
		l->kind = LK_ROW;
	} else if (l->btype != KB_NONE) {
		l->kind = LK_BULLET;
	} else {
		l->kind = LK_TEXT;
	}
	if (l->kind != LK_HEAD)
		l->sec = -1;
}

/* ---- cutting the text into lines ---- */

static int push_line(struct parser *p, const char *s, size_t len, int no, int page)
{
	size_t a = 0, b = len, rest;
	struct line *l;

	while (a < b) {
		size_t j = a;

		if (!ki_isspace(ki_u8(s, b, &j)))
			break;
		a = j;
	}
	b = rtrim_ws(s, a, b);
	if (a < b && parse_heading(s + a, b - a, &rest) >= 0 && rest) {
		int rc = push_line(p, s + a, rest, no, page);

		return rc < 0 ? rc : push_line(p, s + a + rest, b - a - rest, no, 0);
	}
	if (GROW(p, p->ln, p->n, p->alloc))
		return KE_NOMEM;
	l = &p->ln[p->n++];
	memset(l, 0, sizeof(*l));
	l->s = s + a;
	l->len = (int)(b - a);
	l->no = no;
	l->page = a < b ? (unsigned char)page : 0;
	l->sec = -1;
	return 0;
}

/* One physical line: bullets run together ("6日目 • A • B") become lines. */
static int push_phys(struct parser *p, const char *s, size_t len, int no, int page)
{
	size_t start = 0, i = 0;

	while (i + 3 <= len) {
		if ((unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0xA2 && i > start) {
			size_t j = i, k;
			uint32_t c = c_prev(s, start, &j);

			k = rtrim_sp(s, start, i);
			if (ki_isspace(c) && k > start) {
				if (push_line(p, s + start, i - start, no, page) < 0)
					return KE_NOMEM;
				page = 0;
				start = i;
			}
		}
		i++;
	}
	return push_line(p, s + start, len - start, no, page);
}

static int cut_lines(struct parser *p, size_t len)
{
	char *s = p->buf;
	size_t i = 0, nonblank = 0, hint = 0, multi = 0;
	int no = 0, use_hints;

	/* a leading single space marks a page start in some extractions */
	while (i < len) {
		char *e = memchr(s + i, '\n', len - i);
		size_t ll = e ? (size_t)(e - (s + i)) : len - i;

		if (ll && !(ll == 1 && s[i] == '\r')) {
			size_t k = 0;

			while (k < ll && (s[i + k] == ' ' || s[i + k] == '\t' || s[i + k] == '\r'))
				k++;
			if (k < ll) {
				nonblank++;
				if (k == 1 && s[i] == ' ')
					hint++;
				else if (k > 1)
					multi++;
			}
		}
		i += ll + 1;
	}
	use_hints = hint && hint * 100 <= nonblank * 15 && multi * 100 <= nonblank * 15;

	i = 0;
	while (i < len) {
		char *e = memchr(s + i, '\n', len - i);
		size_t ll = e ? (size_t)(e - (s + i)) : len - i, a = i, b = i + ll;
		int page;

		no++;
		if (b > a && s[b - 1] == '\r')
			b--;
		page = use_hints && b - a >= 2 && s[a] == ' ' && s[a + 1] != ' ' && s[a + 1] != '\t';
		/* form feeds: a page ends there */
		for (;;) {
			char *ff = memchr(s + a, '\f', b - a);

			if (!ff)
				break;
			if (push_phys(p, s + a, (size_t)(ff - (s + a)), no, page) < 0)
				return KE_NOMEM;
			a = (size_t)(ff - s) + 1;
			page = 1;
		}
		if (push_phys(p, s + a, b - a, no, page) < 0)
			return KE_NOMEM;
		i += ll + 1;
	}
	for (i = 0; i < p->n; i++) {
		struct line *l = &p->ln[i];

		l->koff = p->keys.len;
		if (ki_key(&p->keys, l->s, l->len) < 0 || kbuf_addch(&p->keys, '\0') < 0)
			return KE_NOMEM;
		l->klen = (int)(p->keys.len - 1 - l->koff);
	}
	for (i = 0; i < p->n; i++)
		classify(p, i);
	return 0;
}

/* ---- noise ---- */

static int all_digits(const char *k, size_t kl)
{
	if (!kl)
		return 0;
	for (size_t i = 0; i < kl; i++)
		if (k[i] < '0' || k[i] > '9')
			return 0;
	return 1;
}

static int page_number(const char *k, size_t kl)
{
	size_t i = 0, d;

	if (all_digits(k, kl))
		return kl <= 4;
	if (kl >= 3 && k[0] == '-' && k[kl - 1] == '-' && all_digits(k + 1, kl - 2))
		return 1;
	if (kl >= 2 && (k[0] == 'p' || k[0] == 'P') && all_digits(k + 1 + (k[1] == '.'), kl - 1 - (k[1] == '.')))
		return 1;
	/* a page marker alone: 1/2, (1/2) */
	if (i < kl && k[i] == '(')
		i++;
	for (d = 0; i < kl && k[i] >= '0' && k[i] <= '9'; i++, d++)
		;
	if (!d || i >= kl || k[i] != '/')
		return 0;
	for (i++, d = 0; i < kl && k[i] >= '0' && k[i] <= '9'; i++, d++)
		;
	if (i < kl && k[i] == ')')
		i++;
	return d && i == kl;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int mark_noise(struct parser *p)
{
	size_t cap = 16, *tab = NULL;
	int *cnt = NULL, rc = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct line *l = &p->ln[i];

		if (l->used || (l->kind != LK_TEXT && l->kind != LK_ROW))
			continue;
		if (page_number(key(p, i), l->klen)) {
			l->noise = 1;
			l->why = "page number";
		}
	}
	/* running headers: a short text line printed on three pages or more */
	while (cap < p->n * 2)
		cap *= 2;
	tab = malloc(cap * sizeof(*tab));
	cnt = calloc(cap, sizeof(*cnt));
	if (!tab || !cnt) {
		rc = KE_NOMEM;
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->n; i++) {
			struct line *l = &p->ln[i];
			const char *k = key(p, i);
			size_t n, h;

			if (l->used || l->noise || l->kind != LK_TEXT)
				continue;
			n = ki_cplen(k, l->klen);
			if (n < 4 || n > 40 || has(k, l->klen, "。") || has(k, l->klen, "、"))
				continue;
			h = fnv1a(k, l->klen) & (cap - 1);
			while (cnt[h] && (p->ln[tab[h]].klen != l->klen ||
					  memcmp(key(p, tab[h]), k, l->klen)))
				h = (h + 1) & (cap - 1);
			if (pass == 0) {
				if (!cnt[h])
					tab[h] = i;
				cnt[h]++;
			} else if (cnt[h] >= 3) {
				l->noise = 1;
				l->why = "running header or figure label";
			}
		}
	}
out:
	free(tab);
	free(cnt);
	return rc;
}

/* ---- header facts (組織属性, 要因, ケース, 想定読者) ---- */

static int is_fragment(const struct parser *p, size_t i)
{
	return keq(p, i, "組織") || keq(p, i, "属性") || keq(p, i, "想定") || keq(p, i, "読者") ||
	       keq(p, i, "組織属性") || keq(p, i, "想定読者");
}

static int text_line(const struct parser *p, long i)
{
	return i >= 0 && (size_t)i < p->n && !p->ln[i].used && p->ln[i].kind == LK_TEXT;
}

/* First line of the paragraph of text lines that ends at line e. */
static long para_up(struct parser *p, long e)
{
	long s = e;

	while (s > 0 && e - s < 3 && !p->ln[s].page && text_line(p, s - 1) &&
	       !is_fragment(p, (size_t)(s - 1)))
		s--;
	return s;
}

/* Lines a..e joined as one phrase. */
static char *join_lines(struct parser *p, long a, long e)
{
	struct kbuf b = KBUF_INIT;
	char *r;

	for (long i = a; i <= e; i++)
		if (add_joined(&b, p->ln[i].s, p->ln[i].len) < 0) {
			kbuf_release(&b);
			p->rc = KE_NOMEM;
			return NULL;
		}
	r = kbuf_detach(&b, NULL);
	if (!r)
		p->rc = KE_NOMEM;
	return r;
}

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

/* "title org factor": the words of the header facts, last two being the values */
static void split_tokens(struct parser *p, const char *q, struct attr *a)
{
	const char *tok[16];
	size_t tl[16], len = strlen(q), i = 0;
	int nt = 0;

	while (i < len && nt < 16) {
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
		tok[nt] = q + st;
		tl[nt++] = i - st;
	}
	if (nt >= 3) {
		struct kbuf t = KBUF_INIT;

		for (int k = 0; k < nt - 2; k++)
			if ((k && kbuf_addch(&t, ' ') < 0) || kbuf_add(&t, tok[k], tl[k]) < 0)
				p->rc = KE_NOMEM;
		free(a->title);
		a->title = kbuf_detach(&t, NULL);
		a->org = dupn(p, tok[nt - 2], tl[nt - 2]);
		a->factor = dupn(p, tok[nt - 1], tl[nt - 1]);
	} else if (nt == 2) {
		a->org = dupn(p, tok[0], tl[0]);
		a->factor = dupn(p, tok[1], tl[1]);
	} else if (nt == 1) {
		a->org = dupn(p, tok[0], tl[0]);
	}
}

static void parse_attr_labels(struct parser *p, size_t L, struct attr *a)
{
	long i = (long)L - 1, s1, s2;
	int frag = 0, found = 0;
	char *para = NULL;

	mark(p, (long)L, (long)L);
	while (i >= 0 && (size_t)(L - i) < 8) {
		struct line *l = &p->ln[i];

		if (l->kind == LK_BLANK || (l->kind == LK_TEXT && all_digits(key(p, i), l->klen))) {
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
	if (text_line(p, i) && !has(p->ln[i].s, p->ln[i].len, "。")) {
		s1 = para_up(p, i);
		para = join_lines(p, s1, i);
		if (para) {
			split_tokens(p, para, a);
			mark(p, s1, i);
			found = 1;
		}
		free(para);
		para = NULL;
		if (!a->title && a->factor) {
			i = s1 - 1;
			while (i >= 0 && p->ln[i].kind == LK_BLANK && s1 - i < 3)
				i--;
			if (text_line(p, i) && !has(p->ln[i].s, p->ln[i].len, "。") &&
			    !p->ln[s1].page) {
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
		if (reader_value(key(p, j), l->klen, &num, &reader) &&
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
		if (a->num >= 0 && a->reader)
			break;
	}
}

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
		which = attr_inline(l->s, l->len, &voff);
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

static int parse_attrs(struct parser *p)
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
	if ((cont ? add_joined(&e->text, s, len) : add_clean(&e->text, s, len)) < 0)
		p->rc = KE_NOMEM;
	return p->rc;
}

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

static void parse_tl(struct parser *p, size_t a, struct tl *t)
{
	char *actors[MAXCELL] = { 0 };
	const char *when = NULL;
	size_t wlen = 0, i = a, first = a;
	int has_day = 0, day = 0, open = 0, tabbed = 0;
	struct tlev *cur = NULL;

	for (; i < p->n && !p->rc; i++) {
		struct line *l = &p->ln[i];

		if (l->kind == LK_BLANK)
			continue;
		if (l->used && l->owner == -1 && l->atype != AN_NONE)
			break;
		if (l->used)
			continue;
		if (l->noise || (l->kind == LK_TEXT && page_number(key(p, i), l->klen))) {
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
		mark(p, (long)i, (long)i);
		if (l->kind == LK_TLROW) {
			size_t end;

			parse_day(l->s, l->len, &end, &has_day, &day);
			when = l->s;
			wlen = end;
			open = 0;
			cur = NULL;
			if (end < (size_t)l->len) {
				const char *cell[MAXCELL];
				size_t clen[MAXCELL];
				int nc;

				if (tabbed || memchr(l->s + end, '\t', l->len - end)) {
					split_cells(l->s + end, l->len - end, cell, clen, &nc, MAXCELL);
					for (int c = 0; c < nc; c++) {
						if (!clen[c])
							continue;
						if (tl_add(p, t, when, wlen, has_day, day,
							   actors[c + 1]) < 0)
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
			if (tl_add(p, t, when, wlen, has_day, day, NULL) < 0)
				break;
			cur = &t->ev[t->n - 1];
			tl_text(p, cur, l->s, l->len, 0);
			open = 1;
			continue;
		}
		if (open && cur) {
			tl_text(p, cur, l->s, l->len, 1);
			continue;
		}
		if (when && !t->n) {
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

static int parse_tls(struct parser *p)
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

	if (ki_key(&k, s, len) == 0 && k.len && k.len <= 3 && all_digits(k.buf, k.len))
		n = atoi(k.buf);
	else if (k.len >= 2 && k.len <= 4 && k.buf[k.len - 1] == '.' && all_digits(k.buf, k.len - 1))
		n = atoi(k.buf);
	kbuf_release(&k);
	return n;
}

static int cell_is(const char *s, size_t len, const char *what)
{
	struct kbuf k = KBUF_INIT;
	int r = 0;

	if (ki_key(&k, s, len) == 0)
		r = has(k.buf, k.len, what);
	kbuf_release(&k);
	return r;
}

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

static long next_nonblank(const struct parser *p, size_t i)
{
	for (size_t j = i + 1; j < p->n; j++)
		if (p->ln[j].kind != LK_BLANK && !p->ln[j].noise)
			return (long)j;
	return -1;
}

static long prev_nonblank(const struct parser *p, size_t i)
{
	for (long j = (long)i - 1; j >= 0; j--)
		if (p->ln[j].kind != LK_BLANK && !p->ln[j].noise)
			return j;
	return -1;
}

static int category_like(const struct parser *p, long i)
{
	const struct line *l;
	size_t n;

	if (!text_line(p, i))
		return 0;
	l = &p->ln[i];
	n = ki_cplen(l->s, l->len);
	return n >= 3 && n <= 60 && !has(l->s, l->len, "。") && !has(l->s, l->len, "一覧") &&
	       ki_fold(ki_last_cp(l->s, l->len)) != ':';
}

static void parse_tables(struct parser *p)
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
			e->title = dupn(p, cell[ctitle], clen[ctitle]);
			if (ccat >= 0 && ccat < nc && clen[ccat])
				e->category = dupn(p, cell[ccat], clen[ccat]);
			else if (cat)
				e->category = dupn(p, cat, catlen);
			if (cov >= 0 && cov < nc && clen[cov])
				e->overview = dupn(p, cell[cov], clen[cov]);
			if (cles >= 0 && cles < nc && clen[cles])
				e->lessons = dupn(p, cell[cles], clen[cles]);
		}
	}
}

static int toc_hdr(const struct parser *p, long i)
{
	struct hdr h;

	return i >= 0 && p->ln[i].kind == LK_HDR && parse_hdr(p->ln[i].s, p->ln[i].len, &h) &&
	       !h.mlen && h.num >= 0;
}

/* 事例１ タイトル lines one after another (with group headings between) */
static void parse_toc(struct parser *p)
{
	long cat = -1;
	int inchain = 0;

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
		if (!(p->ln[j].kind == LK_HDR ||
		      (category_like(p, j) && (k = next_nonblank(p, (size_t)j)) >= 0 && toc_hdr(p, k))))
			continue;
		/* a group heading just before this entry */
		k = prev_nonblank(p, i);
		if (category_like(p, k)) {
			long b = prev_nonblank(p, (size_t)k);

			if (inchain || (b >= 0 && !text_line(p, b)) || b < 0 ||
			    ends_sentence(p->ln[b].s, p->ln[b].len))
				cat = k;
		} else if (!inchain) {
			cat = -1;
		}
		if (cat >= 0 && !p->ln[cat].used)
			mark(p, cat, cat);
		parse_hdr(p->ln[i].s, p->ln[i].len, &h);
		if (!(e = add_entry(p, h.num)))
			break;
		e->title = dupn(p, h.t, h.tlen);
		if (cat >= 0)
			e->category = dupn(p, p->ln[cat].s, p->ln[cat].len);
		mark(p, (long)i, (long)i);
		inchain = 1;
	}
}

static const struct entry *find_entry(const struct parser *p, int num, const char *title)
{
	for (size_t i = 0; i < p->nent; i++)
		if (num >= 0 && p->ent[i].num == num)
			return &p->ent[i];
	for (size_t i = 0; title && i < p->nent; i++)
		if (p->ent[i].title && !strcmp(p->ent[i].title, title))
			return &p->ent[i];
	return NULL;
}

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
			if (open >= 0 && p->u[open].type == U_GROUP) {
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

static int content_label(int sec)
{
	return sec < KSEC__N || sec == KI_SUMMARY;
}

static int group_has(const struct parser *p, const struct unit *u, int sec)
{
	int lab[32], n = group_labels(p, u, lab, 32);

	for (int i = 0; i < n; i++)
		if (lab[i] == sec)
			return 1;
	return 0;
}

static int group_content(const struct parser *p, const struct unit *u)
{
	int lab[32], n = group_labels(p, u, lab, 32);

	for (int i = 0; i < n; i++)
		if (content_label(lab[i]))
			return 1;
	return 0;
}

/* Headings before their bodies (0) or after them (1)? */
static int vote_mode(const struct parser *p)
{
	int before = 0, after = 0;

	for (size_t i = 0; i < p->nu; i++) {
		const struct unit *u = &p->u[i];
		int prev = -1, next = -1;
		long j;

		if (u->type != U_GROUP || !group_content(p, u))
			continue;
		for (j = (long)i - 1; j >= 0 && p->u[j].type == U_PAGE; j--)
			;
		if (j >= 0)
			prev = p->u[j].type;
		if (j >= 0 && (size_t)j + 1 < i)
			prev = U_PAGE;
		for (j = (long)i + 1; (size_t)j < p->nu && p->u[j].type == U_PAGE; j++)
			;
		if ((size_t)j < p->nu) {
			next = p->u[j].type;
			if (next == U_GROUP && group_content(p, &p->u[j]))
				next = -2;
		}
		if (prev != U_RUN && next == U_RUN)
			before++;
		else if (prev == U_RUN && next != U_RUN && next != -2)
			after++;
	}
	return after > before;
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

static int newline_needed(const struct line *prev, size_t maxw)
{
	uint32_t c = ki_fold(ki_last_cp(prev->s, prev->len));

	if (ends_sentence(prev->s, prev->len) || c == ':' || c == '>' || c == 0x3011)
		return 1;
	if (c == 0x3001 || c == ',' || c == 0xFF0C)
		return 0;
	return maxw >= 20 && ki_width(prev->s, prev->len) * 100 < maxw * 55;
}

static int build_items(struct parser *p, int a, int b, struct items *it)
{
	size_t maxw = 0;
	int saw_blank = 1;
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
	}
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
		if (start) {
			struct item *n;
			size_t mlen = 0;

			if (it->n == it->alloc) {
				int na = it->alloc ? it->alloc * 2 : 16;
				struct item *v = realloc(it->v, sizeof(*v) * na);

				if (!v) {
					p->rc = KE_NOMEM;
					break;
				}
				it->v = v;
				it->alloc = na;
			}
			n = &it->v[it->n++];
			memset(n, 0, sizeof(*n));
			n->first = i;
			n->btype = l->btype;
			n->para = (unsigned char)saw_blank;
			if (l->btype == KB_STD)
				ki_bullet(l->s, l->len, &mlen);
			n->mlen = mlen;
			if (add_clean(&n->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
			cur = n;
		} else if (!saw_blank && newline_needed(prev, maxw)) {
			if (kbuf_addch(&cur->text, '\n') < 0 || add_clean(&cur->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
		} else {
			if (add_joined(&cur->text, l->s, l->len) < 0)
				p->rc = KE_NOMEM;
		}
		cur->last = i;
		cur->nlines++;
		cur->endsent = (unsigned char)ends_sentence(l->s, l->len);
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

static int has_content(const struct pcase *c)
{
	return c->c.summary.n || c->nsec || c->c.ntimeline;
}

static void place(struct parser *p, int ci, const struct item *it)
{
	for (int i = it->first; i <= it->last; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = ci + 1;
			p->ln[i].why = NULL;
		}
}

static void drop(struct parser *p, const struct item *it, const char *why)
{
	for (int i = it->first; i <= it->last; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = 0;
			p->ln[i].why = why;
		}
}

static void add_section(struct parser *p, int ci, int sec, const struct item *it)
{
	struct pcase *c = &p->pc[ci];

	if (!c->c.sections[sec])
		c->nsec++;
	if (kcase_section_append(&c->c, sec, kbuf_str(&it->text)) < 0)
		p->rc = KE_NOMEM;
	place(p, ci, it);
	c->fresh = 0;
}

static char *item_key(struct parser *p, const struct item *it)
{
	struct kbuf k = KBUF_INIT;

	if (ki_key(&k, kbuf_str(&it->text), it->text.len) < 0) {
		kbuf_release(&k);
		p->rc = KE_NOMEM;
		return NULL;
	}
	return kbuf_detach(&k, NULL);
}

static int is_crossref(struct parser *p, const struct item *it)
{
	char *k = item_key(p, it);
	int r = k && ki_is_crossref(k, strlen(k));

	free(k);
	return r;
}

/* A figure label left in a section: one short line on its own, no punctuation. */
static int label_junk(const struct item *it, const struct item *prev)
{
	const char *s = kbuf_str(&it->text);

	return it->btype == KB_NONE && it->nlines == 1 && it->para &&
	       ki_cplen(s, it->text.len) <= 8 && !has(s, it->text.len, "、") &&
	       !has(s, it->text.len, "。") && (!prev || prev->endsent || prev->sentence);
}

static void set_title_cand(struct parser *p, struct pcase *c, const struct item *it)
{
	struct kbuf t = KBUF_INIT;
	const char *s = kbuf_str(&it->text);

	if (c->title_cand)
		return;
	for (size_t i = 0; i < it->text.len; i++)
		if (s[i] != '\n' && kbuf_addch(&t, s[i]) < 0)
			p->rc = KE_NOMEM;
	c->title_cand = kbuf_detach(&t, NULL);
}

/* The overview: its bullets, not the diagram that follows on the page. */
static void apply_summary(struct parser *p, int ci, struct items *it, const int *sel)
{
	struct pcase *c = &p->pc[ci];
	int count[8] = { 0 }, dom = KB_NONE, kept = 0, fig = 0;

	for (int i = 0; i < it->n; i++)
		if (sel[i] && it->v[i].btype != KB_NONE && it->v[i].btype < 8)
			count[it->v[i].btype]++;
	for (int t = 1; t < 8; t++)
		if (t != KB_SUBHEAD && count[t] > count[dom])
			dom = t;
	for (int i = 0; i < it->n && !p->rc; i++) {
		struct item *x = &it->v[i];
		int keep = 0;

		if (!sel[i])
			continue;
		if (fig) {
			drop(p, x, "figure");
			continue;
		}
		if (x->btype == KB_STD || x->btype == KB_NOTE || (x->btype != KB_NONE && x->btype == dom))
			keep = 1;
		else if (x->btype == KB_NONE) {
			if (x->sentence && (kept || !dom))
				keep = 1;
			else if (!kept && !x->sentence && ki_cplen(kbuf_str(&x->text), x->text.len) <= 80) {
				set_title_cand(p, c, x);
				drop(p, x, "title before the overview");
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
		if (kstrv_push(&c->c.summary, kbuf_str(&x->text) + x->mlen) < 0)
			p->rc = KE_NOMEM;
		place(p, ci, x);
		c->fresh = 0;
		kept++;
	}
}

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

/* Hand the items of lines [a, b) to the headings lab[0..k). */
static void apply_run(struct parser *p, int ci, int a, int b, const int *lab0, int k0, int ordered)
{
	struct items it = { 0 };
	int lab[32], k = 0, *assign = NULL, *sel = NULL;
	unsigned char *cut = NULL;
	double *sc = NULL;
	int has_bullets = 0, fig = 0;

	for (int i = 0; i < k0 && k < 32; i++)
		if (content_label(lab0[i]))
			lab[k++] = lab0[i];
		else if (lab0[i] == KI_FIGURE || lab0[i] == KI_STATUS)
			fig = 1;
	if (build_items(p, a, b, &it) < 0 || !it.n)
		goto out;
	if (!k) {
		for (int i = 0; i < it.n; i++)
			drop(p, &it.v[i], fig ? "figure" : "under a heading that holds no text");
		goto out;
	}
	assign = calloc(it.n, sizeof(*assign));
	sel = calloc(it.n, sizeof(*sel));
	cut = calloc(it.n, 1);
	if (!assign || !sel || !cut) {
		p->rc = KE_NOMEM;
		goto out;
	}
	for (int i = 0; i < it.n; i++)
		if (it.v[i].btype != KB_NONE && it.v[i].btype != KB_SUBHEAD)
			has_bullets = 1;
	for (int i = 0; i < it.n; i++)
		cut[i] = !i || (it.v[i].btype != KB_NONE) ||
			 (!has_bullets && it.v[i].para && it.v[i - 1].endsent);
	if (k > 1) {
		if (!(sc = item_scores(p, &it, lab, k)))
			goto out;
		ki_segment(it.n, k, sc, cut, ordered, assign);
	}
	for (int i = 0; i < it.n && !p->rc; i++) {
		int sec = lab[assign[i]];

		if (sec == KI_SUMMARY) {
			sel[i] = 1;
			continue;
		}
		if (is_crossref(p, &it.v[i]))
			drop(p, &it.v[i], "cross-reference");
		else if (label_junk(&it.v[i], i ? &it.v[i - 1] : NULL))
			drop(p, &it.v[i], "figure label");
		else
			add_section(p, ci, sec, &it.v[i]);
	}
	apply_summary(p, ci, &it, sel);
out:
	free(sc);
	free(assign);
	free(sel);
	free(cut);
	items_free(&it);
}

/* A run no heading claims: each paragraph goes where its wording says. */
static void classify_run(struct parser *p, int ci, int a, int b, int fallback, int strict)
{
	struct items it = { 0 };
	unsigned allowed = p->secs_seen & ((1u << KSEC__N) - 1);

	if (!allowed)
		allowed = (1u << KSEC_BACKGROUND) | (1u << KSEC_DETECTION) | (1u << KSEC_RESPONSE) |
			  (1u << KSEC_CAUSE) | (1u << KSEC_COUNTERMEASURES) | (1u << KSEC_LESSONS);
	if (build_items(p, a, b, &it) < 0)
		goto out;
	for (int i = 0; i < it.n && !p->rc; i++) {
		struct item *x = &it.v[i];
		double s[KSEC__N], best = 0;
		int sec = -1;
		char *k;

		if (is_crossref(p, x)) {
			drop(p, x, "cross-reference");
			continue;
		}
		if (label_junk(x, i ? &it.v[i - 1] : NULL) ||
		    (strict && !x->sentence && x->btype != KB_STD)) {
			drop(p, x, "figure label");
			continue;
		}
		if (!(k = item_key(p, x)))
			break;
		ki_cue_scores(k, strlen(k), s);
		free(k);
		for (int t = 0; t < KSEC__N; t++)
			if ((allowed & (1u << t)) && s[t] > best) {
				best = s[t];
				sec = t;
			}
		if (sec < 0)
			sec = fallback;
		if (sec < 0)
			drop(p, x, "no heading and no cue word says where it belongs");
		else
			add_section(p, ci, sec, x);
	}
out:
	items_free(&it);
}

static void drop_run(struct parser *p, int a, int b, const char *why)
{
	for (int i = a; i < b; i++)
		if (!p->ln[i].used && !p->ln[i].noise && p->ln[i].kind != LK_BLANK) {
			p->ln[i].owner = 0;
			p->ln[i].why = why;
		}
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

static int cur_case(struct walker *w, int line)
{
	if (w->cur < 0)
		w->cur = new_case(w->p, line);
	return w->cur;
}

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

static void on_hdr(struct walker *w, const struct unit *u)
{
	struct parser *p = w->p;
	struct hdr h;
	struct pcase *c = w->cur >= 0 ? &p->pc[w->cur] : NULL;

	parse_hdr(p->ln[u->a].s, p->ln[u->a].len, &h);
	p->ln[u->a].owner = -1;
	if (c && !h.ref && h.num >= 0 && c->num == h.num && !c->ref) {
		/* the next page of the same case */
	} else if (c && c->num < 0 && !c->ref && c->by_summary && !c->hdr_title && !h.ref) {
		/* the case began on a page without its header */
		c->num = h.num;
		if (h.tlen) {
			free(c->c.title);
			c->c.title = dupn(p, h.t, h.tlen);
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
		c->fresh = 1;
		c->anchored = 1;
		if (h.tlen) {
			c->c.title = dupn(p, h.t, h.tlen);
			c->hdr_title = 1;
		}
		w->cursec = -1;
		w->npend = 0;
		w->fig = 0;
	}
	if (h.mlen && c && !c->c.source.page_marker)
		c->c.source.page_marker = dupn(p, h.m, h.mlen);
}

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

static void walk_before(struct walker *w)
{
	struct parser *p = w->p;

	for (size_t ui = 0; ui < p->nu && !p->rc; ui++) {
		const struct unit *u = &p->u[ui];
		int lab[32], k;
		size_t at;

		switch (u->type) {
		case U_PAGE:
			break;
		case U_HDR: {
			struct hdr h;
			int cont;

			parse_hdr(p->ln[u->a].s, p->ln[u->a].len, &h);
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

				parse_hdr(p->ln[p->u[at].a].s, p->ln[p->u[at].a].len, &h);
				if (w->cur >= 0 && h.num >= 0 && p->pc[w->cur].num == h.num)
					nt = U_RUN; /* the body follows after the page header */
			}
			if (!group_has(p, u, KI_SUMMARY) && nt != U_RUN && nt != U_GROUP && prevrun &&
			    w->npa && group_content(p, u)) {
				/* a heading printed after its body */
				for (int i = 0; i < k && w->npa < 32; i++)
					w->pa_lab[w->npa++] = lab[i];
				w->pa_ordered = 1;
				break;
			}
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
				apply_run(p, w->cur, u->a, u->b, &w->cursec, 1, 1);
			} else {
				classify_run(p, w->cur, u->a, u->b, -1, 0);
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
				apply_run(p, w->cur, w->run_a, w->run_b, lab, k, 1);
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
			b = rtrim_ws(s, a, b);
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

static int id_safe(unsigned char c)
{
	return is_ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

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
		rc = kbuf_addf(&b, "-%08x", fnv1a(d, n));
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
		if (q - k >= 4 && all_digits(q - 4, 4) && (q - k == 4 || q[-5] < '0' || q[-5] > '9')) {
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

static int find_year(const struct parser *p, size_t upto)
{
	int y;

	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < upto && i < p->n; i++) {
			const char *k = key(p, i);
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

static void finish(struct parser *p)
{
	struct kimport_result *res = p->res;
	char *stem = doc_stem(p);
	const char *publisher = NULL;
	size_t first = p->n;
	int prev = 0, nref = 0, nun = 0;

	if (!stem)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (khas(p, i, "内閣サイバーセキュリティセンター") || khas(p, i, "NISC") ||
		    khas(p, i, "補完調査")) {
			publisher = PUBLISHER;
			break;
		}
	for (size_t i = 0; i < p->npc; i++) {
		struct pcase *c = &p->pc[i];

		apply_attr(p, c);
		c->keep = c->num >= 0 || c->hdr_title || c->c.ntimeline || c->ref ||
			  (c->anchored && c->nsec >= 1);
		if (c->keep && (size_t)c->line < first)
			first = (size_t)c->line;
	}
	/* numbers in sequence where a case lacks one */
	for (size_t i = 0; i < p->npc; i++) {
		struct pcase *c = &p->pc[i];
		int next = -1;

		if (!c->keep || c->ref)
			continue;
		if (c->num >= 0) {
			prev = c->num;
			continue;
		}
		for (size_t j = i + 1; j < p->npc; j++)
			if (p->pc[j].keep && !p->pc[j].ref && p->pc[j].num >= 0) {
				next = p->pc[j].num;
				break;
			}
		if (next < 0 || prev + 1 < next)
			c->num = prev + 1;
		if (c->num >= 0)
			prev = c->num;
	}
	res->year = find_year(p, first);
	for (size_t i = 0; i < p->npc && !p->rc; i++) {
		struct pcase *c = &p->pc[i];
		const struct entry *e;
		struct kcase *kc;
		char buf[64];

		if (!c->keep)
			continue;
		e = find_entry(p, c->ref ? -1 : c->num, c->c.title);
		if (!c->c.title && e && e->title)
			c->c.title = dupn(p, e->title, strlen(e->title));
		if (!c->c.title && c->title_cand)
			c->c.title = dupn(p, c->title_cand, strlen(c->title_cand));
		if (!c->c.title) {
			if (c->num >= 0)
				snprintf(buf, sizeof(buf), "事例%d", c->num);
			else
				snprintf(buf, sizeof(buf), "事例");
			c->c.title = dupn(p, buf, strlen(buf));
		}
		if (e && e->category && !c->c.category)
			c->c.category = dupn(p, e->category, strlen(e->category));
		if (e && e->overview && !c->c.summary.n)
			push_cell_items(p, &c->c.summary, e->overview);
		if (e && e->lessons && !c->c.key_lessons.n)
			push_cell_items(p, &c->c.key_lessons, e->lessons);
		if (c->num >= 0 && !c->ref)
			snprintf(buf, sizeof(buf), "-%d", c->num);
		else if (c->ref)
			snprintf(buf, sizeof(buf), "-ref%d", ++nref);
		else
			snprintf(buf, sizeof(buf), "-x%d", ++nun);
		{
			struct kbuf id = KBUF_INIT;
			int dup = 1;

			if (kbuf_addf(&id, "%s%s", stem, buf) < 0)
				p->rc = KE_NOMEM;
			for (size_t j = 0; j < res->cases.n && !p->rc; j++)
				if (!strcmp(res->cases.v[j].id, kbuf_str(&id))) {
					kbuf_reset(&id);
					if (kbuf_addf(&id, "%s%s-%d", stem, buf, ++dup) < 0)
						p->rc = KE_NOMEM;
					j = (size_t)-1;
				}
			c->c.id = kbuf_detach(&id, NULL);
		}
		c->c.source.document = dupn(p, p->document ? p->document : "", p->document ? strlen(p->document) : 0);
		if (publisher)
			c->c.source.publisher = dupn(p, publisher, strlen(publisher));
		c->c.source.has_year = res->year > 0;
		c->c.source.year = res->year;
		c->c.source.has_case_number = c->num >= 0 && !c->ref;
		c->c.source.case_number = c->ref ? 0 : c->num;
		c->c.tlp = dupn(p, "clear", 5);
		if (p->rc)
			break;
		if (!(kc = kcase_list_add(&res->cases))) {
			p->rc = KE_NOMEM;
			break;
		}
		*kc = c->c;
		kcase_init(&c->c);
	}
	free(stem);
}

static void explain(struct parser *p)
{
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
}

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
	}
	free(p->pc);
}

static int check_bytes(const char *text, size_t len, struct kerr *err)
{
	size_t bad, ctl = 0;
	const char *nul = memchr(text, '\0', len);

	if (nul)
		return kerr_set(err, KE_PARSE, "binary data (a NUL byte at offset %zu), not report text",
				(size_t)(nul - text));
	bad = ki_utf8_bad(text, len);
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
	if (cut_lines(&p, len) < 0 || parse_attrs(&p) < 0 || parse_tls(&p) < 0)
		goto nomem;
	parse_tables(&p);
	parse_toc(&p);
	if (p.rc || mark_noise(&p) < 0 || build_units(&p) < 0)
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
