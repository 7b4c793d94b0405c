/*
 * import_lines.c - a report's text as classified lines: cut at line breaks
 * (and form feeds, and bullets run together on one line, and a heading with
 * text after it), each line classified (case header `事例N タイトル １／３`,
 * section heading in its several spellings, timeline row `1日目 22:00`,
 * header-fact labels, table row, bullet, text), and noise marked (page
 * numbers, page markers, running headers).
 */
#include "import.h"
#include "import_impl.h"

#include <stdio.h>

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

/* Markdown around a heading: "### **【1 背景】**" */
static void skip_markup(struct cur *c)
{
	while (c_peek(c) == '#' || c_peek(c) == '*' || (c->i < c->len && ki_isspace(c_peek(c))))
		c_next(c);
}

/* Digits (up to 3) ending at *i, moving *i back over them; their count. */
static int digits_back(const char *s, size_t lo, size_t *i)
{
	int nd;

	for (nd = 0; nd < 4; nd++) {
		size_t j = *i;
		uint32_t c = ki_prev_cp(s, lo, &j);

		if (c < '0' || c > '9')
			break;
		*i = j;
	}
	return nd <= 3 ? nd : 0;
}

/* "1-3" (case and page) or "p.3" after a space at the end of s[lo..hi), or hi */
static size_t other_marker(const char *s, size_t lo, size_t hi, size_t *mend)
{
	size_t i = ki_rtrim_sp(s, lo, hi), end = i, j;
	uint32_t c;

	if (!digits_back(s, lo, &i))
		return hi;
	j = i;
	c = ki_prev_cp(s, lo, &j);
	if (c == '-' || c == 0x2212 || c == 0x2010) {
		i = j;
		if (!digits_back(s, lo, &i))
			return hi;
	} else if (c == '.') {
		i = j;
		j = i;
		c = ki_prev_cp(s, lo, &j);
		if (c != 'p' && c != 'P')
			return hi;
		i = j;
	} else {
		return hi;
	}
	if (i <= lo)
		return hi;
	j = i;
	if (!ki_isspace(ki_prev_cp(s, lo, &j)))
		return hi;
	*mend = end;
	return i;
}

/* "１／３", "(2/2)", "1-3", "p.3" at the end of s[lo..hi): returns where the marker starts, or hi */
static size_t find_marker(const char *s, size_t lo, size_t hi, size_t *mend)
{
	size_t i = ki_rtrim_sp(s, lo, hi), j, end = i, o;
	int paren = 0, nd;
	uint32_t c;

	if ((o = other_marker(s, lo, hi, mend)) < hi)
		return o;

	j = i;
	c = ki_prev_cp(s, lo, &j);
	if (c == ')') {
		paren = 1;
		i = j;
	}
	for (nd = 0; nd < 3; nd++) {
		j = i;
		c = ki_prev_cp(s, lo, &j);
		if (c < '0' || c > '9')
			break;
		i = j;
	}
	if (!nd)
		return hi;
	i = ki_rtrim_sp(s, lo, i);
	j = i;
	if (ki_prev_cp(s, lo, &j) != '/')
		return hi;
	i = ki_rtrim_sp(s, lo, j);
	for (nd = 0; nd < 3; nd++) {
		j = i;
		c = ki_prev_cp(s, lo, &j);
		if (c < '0' || c > '9')
			break;
		i = j;
	}
	if (!nd)
		return hi;
	if (paren) {
		j = i;
		if (ki_prev_cp(s, lo, &j) != '(')
			return hi;
		i = j;
	}
	if (i > lo) {
		j = i;
		if (!ki_isspace(ki_prev_cp(s, lo, &j)))
			return hi;
	}
	*mend = end;
	return i;
}

int ki_parse_hdr(const char *s, size_t len, struct hdr *h)
{
	struct cur c = { s, len, 0 };
	int br = 0, num = -1, ref = 0, isjirei;
	size_t ts, te, ms, me = 0, n;
	uint32_t d;

	memset(h, 0, sizeof(*h));
	h->num = -1;
	skip_markup(&c);
	if (c_eat(&c, "(参考)") || c_eat(&c, "【参考】") || c_eat(&c, "[参考]") ||
	    c_eat(&c, "<参考>")) {
		ref = 1;
		c_skipsp(&c);
	}
	if (c_eat(&c, "【"))
		br = 1;
	else if (c_eat(&c, "["))
		br = 2;
	isjirei = c_eat(&c, "事例") || c_eat(&c, "事案");
	/* "No.3 タイトル": a number with the No. mark stands for 事例 */
	if (!isjirei && !ref && (c_eat(&c, "No.") || c_eat(&c, "NO.") || c_eat(&c, "№"))) {
		uint32_t dg = c_peek(&c);

		if (dg < '0' || dg > '9')
			return 0;
		isjirei = 1;
	}
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
	te = ki_rtrim_sp(s, ts, len);
	ms = find_marker(s, ts, te, &me);
	if (ms < te) {
		h->m = s + ms;
		h->mlen = me - ms;
		while (h->mlen && ki_isspace((unsigned char)h->m[0])) {
			h->m++;
			h->mlen--;
		}
		te = ki_rtrim_sp(s, ts, ms);
	}
	h->t = s + ts;
	h->tlen = te - ts;
	/* "事例 3" alone: the title is on the next line (join_wrapped_headers) */
	if (!h->tlen && !h->mlen && !(isjirei && num >= 0))
		return 0;
	n = ki_cplen(h->t, h->tlen);
	if (n > 120 || has(h->t, h->tlen, "。"))
		return 0;
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
		    (h->sec == KI_END && tl <= 3 && ki_is_alnum((unsigned char)*t)) ||
		    (tl >= 2 && *t == '(' && t[tl - 1] == ')' && tl < 80) ||
		    (h->prefix && tl > 3 && !memcmp(t, "、", 3))) {
			best = h->sec;
			bestl = nl;
		}
	}
	return best;
}

/* The closing bracket of an opening one at the start of a heading, or 0. */
static uint32_t closing_bracket(uint32_t c)
{
	switch (c) {
	case 0x3010: return 0x3011; /* 【】 */
	case '[': return ']';       /* ［］ folded */
	case '<': return '>';       /* ＜＞ folded */
	case 0x3008: return 0x3009; /* 〈〉 */
	case 0x300A: return 0x300B; /* 《》 */
	case 0x3014: return 0x3015; /* 〔〕 */
	case 0x3016: return 0x3017; /* 〖〗 */
	}
	return 0;
}

/* ■ ◆ ▼ ... before a heading name */
static int heading_mark(uint32_t c)
{
	return c == 0x25A0 || c == 0x25A1 || c == 0x25C6 || c == 0x25C7 || c == 0x25BC ||
	       c == 0x25BD || c == 0x25B6 || c == 0x25BA || c == 0x25CF || c == 0x25CB ||
	       c == 0x25CE;
}

/* Skip "1", "1.", "(1)", "1、" at the start of a key; returns the offset. */
static size_t skip_number(const char *k, size_t kl)
{
	size_t j = 0;

	/* ①背景, ❶ 背景, ⑴背景 (a number in one character) */
	if (kl >= 3 && (unsigned char)k[0] >= 0xE0) {
		size_t e = 0;

		if (ki_is_circled(ki_u8(k, kl, &e)))
			return e;
	}
	if (kl && k[0] == '(') {
		j = 1;
		while (j < kl && k[j] >= '0' && k[j] <= '9')
			j++;
		return j > 1 && j < kl && k[j] == ')' ? j + 1 : 0;
	}
	while (j < kl && k[j] >= '0' && k[j] <= '9')
		j++;
	if (!j || j > 2)
		return 0;
	if (j < kl && (k[j] == '.' || k[j] == ')' || k[j] == ':'))
		j++;
	else if (j + 3 <= kl && !memcmp(k + j, "、", 3))
		j += 3;
	return j;
}

/*
 * A section heading: 【１ 背景】 (text may follow on the line: *rest is its
 * offset), ＜背景＞, ■背景, １. 背景, ３．時系列（...）, 背景： (text may follow),
 * or a long name alone on its line.  A short name alone (背景, 対処) is
 * *weak: diagrams print such words too, so it heads a body only where a
 * bullet follows (classify() looks).
 */
static int parse_heading(const char *s, size_t len, size_t *rest, int *weak)
{
	struct cur c = { s, len, 0 };
	struct kbuf k = KBUF_INIT;
	int sec = -1;
	size_t ks;
	uint32_t close;

	*rest = 0;
	*weak = 0;
	skip_markup(&c);
	if ((close = closing_bracket(c_peek(&c)))) {
		size_t in, end = 0;

		c_next(&c);
		in = c.i;
		while (c.i < len) {
			if (c_peek(&c) == close) {
				end = c.i;
				break;
			}
			c_next(&c);
		}
		if (!end) {
			/* "【１ 背景": the closing bracket lost; read on without it */
			c.i = in;
			goto plain;
		}
		if (ki_key(&k, s + in, end - in) < 0)
			goto out;
		c_next(&c);
		ks = skip_number(k.buf, k.len);
		if (!ks)
			while (ks < k.len && k.buf[ks] >= '0' && k.buf[ks] <= '9')
				ks++;
		if (ks < k.len) {
			sec = match_name(k.buf + ks, k.len - ks, 0);
		} else if (ks) {
			/* 【1】背景: the name after the bracketed number */
			c_skipsp(&c);
			kbuf_reset(&k);
			if (ki_key(&k, s + c.i, len - c.i) < 0)
				goto out;
			sec = k.len ? match_name(k.buf, k.len, 0) : -1;
			goto out;
		}
		if (sec >= 0) {
			c_skipsp(&c);
			if (c.i < len)
				*rest = c.i;
		}
		goto out;
	}
plain:
	if (heading_mark(c_peek(&c))) {
		c_next(&c);
		c_skipsp(&c);
		if (ki_key(&k, s + c.i, len - c.i) < 0 || !k.len || k.len > 200)
			goto out;
		ks = skip_number(k.buf, k.len);
		sec = ks < k.len ? match_name(k.buf + ks, k.len - ks, 0) : -1;
		goto out;
	}
	if (ki_key(&k, s + c.i, len - c.i) < 0 || !k.len || k.len > 200)
		goto out;
	/* "１ 背景】": the opening bracket lost in extraction */
	{
		size_t e = k.len;
		uint32_t last = ki_prev_cp(k.buf, 0, &e);

		if (last == 0x3011 || last == ']' || last == '>' || last == 0x3009 || last == 0x300B ||
		    last == 0x3015 || last == 0x3017)
			k.len = e;
		if (!k.len)
			goto out;
	}
	ks = skip_number(k.buf, k.len);
	if (ks) {
		sec = ks < k.len ? match_name(k.buf + ks, k.len - ks, 0) : -1;
	} else if ((sec = match_name(k.buf, k.len, 1)) < 0 &&
		   (sec = match_name(k.buf, k.len, 0)) >= 0) {
		*weak = k.buf[k.len - 1] != ':';
	}
	if (sec < 0) {
		/* 背景：text on the same line */
		struct cur d = c;
		size_t n = 0;

		while (d.i < len && n < 16 && c_peek(&d) != ':') {
			c_next(&d);
			n++;
		}
		if (d.i < len && c_peek(&d) == ':') {
			kbuf_reset(&k);
			if (ki_key(&k, s + c.i, d.i - c.i) < 0 || !k.len)
				goto out;
			ks = skip_number(k.buf, k.len);
			sec = ks < k.len ? match_name(k.buf + ks, k.len - ks, 0) : -1;
			c_next(&d);
			c_skipsp(&d);
			if (sec >= 0 && d.i < len)
				*rest = d.i;
		}
	}
out:
	kbuf_release(&k);
	return sec;
}

/* 1日目（休）夜間, 2日目 14:00, 検知の11日前, 2週目, 1か月以上前 ... */
int ki_parse_day(const char *s, size_t len, size_t *end, int *has_day, int *day)
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
int ki_attr_inline(const char *s, size_t len, size_t *voff)
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

/* The bullet type of the next line with text (within two blank lines). */
static int bullet_follows(const struct parser *p, size_t i)
{
	size_t mlen;

	for (size_t j = i + 1; j < p->n && j <= i + 3; j++)
		if (p->ln[j].len)
			return ki_bullet(p->ln[j].s, p->ln[j].len, &mlen);
	return KB_NONE;
}

/*
 * A report that heads its sections with short names alone (背景, 検知 ...)
 * shows it by several of them followed by bullets: then a short name
 * followed by any kind of list item heads a section too.
 */
static void take_weak_headings(struct parser *p)
{
	unsigned seen = 0;
	int n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->ln[i].kind == LK_HEAD && p->ln[i].weak >= 0 && p->ln[i].sec < KSEC__N &&
		    !(seen & (1u << p->ln[i].sec))) {
			seen |= 1u << p->ln[i].sec;
			n++;
		}
	if (n < 3)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct line *l = &p->ln[i];

		if (l->kind == LK_HEAD || l->weak < 0 || bullet_follows(p, i) == KB_NONE)
			continue;
		l->kind = LK_HEAD;
		l->sec = l->weak;
		if (l->sec < KSEC__N)
			p->secs_seen |= 1u << l->sec;
	}
}

/* What line i is: sets kind, btype and (for headings) sec. */
static void classify(struct parser *p, size_t i)
{
	struct line *l = &p->ln[i];
	const char *k = lkey(p, i);
	size_t mlen, rest, end, voff, six = 6;
	struct hdr h;
	int a, b, weak;

	if (!l->len || !l->klen) {
		l->kind = LK_BLANK;
		return;
	}
	l->btype = (unsigned char)ki_bullet(l->s, l->len, &mlen);
	if (ki_parse_hdr(l->s, l->len, &h)) {
		l->kind = LK_HDR;
	} else if ((l->sec = (signed char)parse_heading(l->s, l->len, &rest, &weak)) >= 0 &&
		   (!weak || bullet_follows(p, i) == KB_STD)) {
		l->kind = LK_HEAD;
		l->weak = weak ? l->sec : -1;
		if (l->sec < KSEC__N)
			p->secs_seen |= 1u << l->sec;
	} else if (l->klen >= 6 && (!memcmp(k, "日時", 6) || !memcmp(k, "日付", 6)) &&
		   !has(k, l->klen, "。") &&
		   (l->klen == 6 || k[6] == '(' || ki_is_circled(ki_u8(k, l->klen, &six)) ||
		    l->s[6] == '\t' || l->s[6] == ' ')) {
		l->kind = LK_TLHDR;
	} else if (ki_parse_day(l->s, l->len, &end, &a, &b)) {
		l->kind = LK_TLROW;
	} else if (attr_label_line(k, l->klen)) {
		l->kind = LK_ATTR;
	} else if (ki_attr_inline(l->s, l->len, &voff)) {
		l->kind = LK_ATTR;
		l->ainline = 1;
	} else if (memchr(l->s, '\t', l->len) || (l->s[0] == '|' && memchr(l->s + 1, '|', l->len - 1))) {
		l->kind = LK_ROW;
	} else if (l->btype != KB_NONE) {
		l->kind = LK_BULLET;
	} else {
		l->kind = LK_TEXT;
	}
	if (l->kind != LK_HEAD) {
		l->weak = l->sec >= 0 && weak && l->kind == LK_TEXT ? l->sec : -1;
		l->sec = -1;
	}
}

/* ---- cutting the text into lines ---- */

static int push_line(struct parser *p, const char *s, size_t len, int no, int page)
{
	size_t a = 0, b = len, rest;
	struct line *l;
	int weak;

	while (a < b) {
		size_t j = a;

		if (!ki_isspace(ki_u8(s, b, &j)))
			break;
		a = j;
	}
	b = ki_rtrim_ws(s, a, b);
	if (a < b && parse_heading(s + a, b - a, &rest, &weak) >= 0 && rest) {
		int rc = push_line(p, s + a, rest, no, page);

		return rc < 0 ? rc : push_line(p, s + a + rest, b - a - rest, no, 0);
	}
	if (p->n >= KIMPORT_MAX_LINES)
		return p->rc = KE_TOOBIG;
	if (GROW(p, p->ln, p->n, p->alloc))
		return KE_NOMEM;
	l = &p->ln[p->n++];
	memset(l, 0, sizeof(*l));
	l->s = s + a;
	l->len = (int)(b - a);
	l->no = no;
	l->page = a < b ? (unsigned char)page : 0;
	l->sec = -1;
	l->weak = -1;
	return 0;
}

/* One physical line: bullets run together ("6日目 • A • B") become lines. */
static int push_phys(struct parser *p, const char *s, size_t len, int no, int page)
{
	size_t start = 0, i = 0;

	/* the cells of a table keep their bullets */
	if (memchr(s, '\t', len))
		return push_line(p, s, len, no, page);
	while (i + 3 <= len) {
		if ((unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0xA2 && i > start) {
			size_t j = i, k;
			uint32_t c = ki_prev_cp(s, start, &j);

			k = ki_rtrim_sp(s, start, i);
			if (ki_isspace(c) && k > start) {
				if (push_line(p, s + start, i - start, no, page) < 0)
					return p->rc;
				page = 0;
				start = i;
			}
		}
		i++;
	}
	return push_line(p, s + start, len - start, no, page);
}

/*
 * A long title wraps: "事例3 重要インフラ事業者における" / "2度の感染 1/2".  A
 * case header without page marker followed by a short line that ends with
 * one takes that line as the rest of its title.
 */
static void join_wrapped_headers(struct parser *p)
{
	for (size_t i = 0; i + 1 < p->n; i++) {
		struct line *n = &p->ln[i + 1];
		struct hdr h;
		size_t mend;

		int bare;

		if (p->ln[i].kind != LK_HDR || n->kind != LK_TEXT || n->page ||
		    !ki_parse_hdr(p->ln[i].s, p->ln[i].len, &h) || h.mlen || h.ref)
			continue;
		/* a number alone ("事例 3") takes the next line as its title, marker or not */
		bare = !h.tlen;
		if (ki_cplen(n->s, n->len) > 60 || has(n->s, n->len, "、") || has(n->s, n->len, "。") ||
		    (!bare && find_marker(n->s, 0, n->len, &mend) == (size_t)n->len))
			continue;
		p->ln[i].cont = (int)(i + 1);
		n->used = 1;
		n->owner = -1;
	}
}

void ki_line_hdr(const struct parser *p, size_t i, struct hdr *h)
{
	const struct line *n;
	size_t ms, mend = 0;

	ki_parse_hdr(p->ln[i].s, p->ln[i].len, h);
	if (!p->ln[i].cont)
		return;
	n = &p->ln[p->ln[i].cont];
	ms = find_marker(n->s, 0, n->len, &mend);
	h->m = n->s + ms;
	h->mlen = ms < (size_t)n->len ? mend - ms : 0;
	while (h->mlen && ki_isspace((unsigned char)h->m[0])) {
		h->m++;
		h->mlen--;
	}
	h->t2 = n->s;
	h->t2len = ki_rtrim_sp(n->s, 0, ms);
}

/* The width that nine in ten body lines stay within. */
static int wrap_width(struct parser *p)
{
	size_t hist[257] = { 0 }, n = 0, k = 0;

	for (size_t i = 0; i < p->n; i++) {
		size_t w;

		if (p->ln[i].kind != LK_TEXT && p->ln[i].kind != LK_BULLET)
			continue;
		w = ki_width(p->ln[i].s, p->ln[i].len);
		hist[w > 256 ? 256 : w]++;
		n++;
	}
	for (size_t w = 0; w <= 256; w++) {
		k += hist[w];
		if (k * 10 >= n * 9) {
			p->wrapw = w;
			break;
		}
	}
	return 0;
}

static int blank_line(const char *s, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
			return 0;
	return 1;
}

int ki_cut_lines(struct parser *p, size_t len)
{
	char *s = p->buf;
	size_t i = 0, nonblank = 0, hint = 0, multi = 0, adjacent = 0, blanks = 0;
	int no = 0, use_hints, doubled, prev_text = 0;

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
				adjacent += prev_text;
				prev_text = 1;
				if (k == 1 && s[i] == ' ')
					hint++;
				else if (k > 1)
					multi++;
			} else {
				prev_text = 0;
			}
		} else {
			prev_text = 0;
		}
		i += ll + 1;
	}
	use_hints = hint && hint * 100 <= nonblank * 40 && multi * 100 <= nonblank * 15;
	/*
	 * Text with every line followed by a blank one (a doubled line end):
	 * there a single blank line is a line end, two or three a paragraph end.
	 */
	doubled = nonblank >= 20 && adjacent * 50 <= nonblank;

	i = 0;
	while (i < len) {
		char *e = memchr(s + i, '\n', len - i);
		size_t ll = e ? (size_t)(e - (s + i)) : len - i, a = i, b = i + ll;
		int page;

		no++;
		if (b > a && s[b - 1] == '\r')
			b--;
		if (blank_line(s + a, b - a)) {
			if (doubled && (++blanks & 1)) {
				i += ll + 1;
				continue;
			}
		} else {
			blanks = 0;
		}
		page = use_hints && b - a >= 2 && s[a] == ' ' && s[a + 1] != ' ' && s[a + 1] != '\t';
		/* form feeds: a page ends there */
		for (;;) {
			char *ff = memchr(s + a, '\f', b - a);

			if (!ff)
				break;
			if (push_phys(p, s + a, (size_t)(ff - (s + a)), no, page) < 0)
				return p->rc;
			a = (size_t)(ff - s) + 1;
			page = 1;
		}
		if (push_phys(p, s + a, b - a, no, page) < 0)
			return p->rc;
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
	take_weak_headings(p);
	join_wrapped_headers(p);
	return wrap_width(p);
}

/* ---- noise ---- */

int ki_all_digits(const char *k, size_t kl)
{
	if (!kl)
		return 0;
	for (size_t i = 0; i < kl; i++)
		if (k[i] < '0' || k[i] > '9')
			return 0;
	return 1;
}

int ki_page_number(const char *k, size_t kl)
{
	size_t i = 0, d;

	if (ki_all_digits(k, kl))
		return kl <= 4;
	if (kl >= 3 && k[0] == '-' && k[kl - 1] == '-' && ki_all_digits(k + 1, kl - 2))
		return 1;
	if (kl >= 2 && (k[0] == 'p' || k[0] == 'P') && ki_all_digits(k + 1 + (k[1] == '.'), kl - 1 - (k[1] == '.')))
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

uint32_t ki_fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void ki_mark_page_numbers(struct parser *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct line *l = &p->ln[i];

		if (l->used || (l->kind != LK_TEXT && l->kind != LK_ROW && l->kind != LK_BULLET))
			continue;
		/* "- 12 -" reads as a bullet; a bullet of digits alone is a page number too */
		if (ki_page_number(lkey(p, i), l->klen)) {
			l->noise = 1;
			l->why = "page number";
		}
	}
}

/* Running headers: a short text line printed on three pages or more. */
int ki_mark_running_headers(struct parser *p)
{
	size_t cap = 16, *tab = NULL;
	int *cnt = NULL, rc = 0;

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
			const char *k = lkey(p, i);
			size_t n, h;

			if (l->used || l->noise || l->kind != LK_TEXT)
				continue;
			n = ki_cplen(k, l->klen);
			if (n < 4 || n > 40 || has(k, l->klen, "。") || has(k, l->klen, "、"))
				continue;
			h = ki_fnv1a(k, l->klen) & (cap - 1);
			while (cnt[h] && (p->ln[tab[h]].klen != l->klen ||
					  memcmp(lkey(p, tab[h]), k, l->klen)))
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

/* k of a page marker "k/n", or 0 */
int ki_marker_page(const struct hdr *h)
{
	struct cur c = { h->m, h->mlen, 0 };
	int k = 0;

	if (!h->mlen)
		return 0;
	c_eat(&c, "(");
	c_skipsp(&c);
	if (!c_num(&c, 3, &k))
		return 0;
	/* "1-3": case 1, page 3 */
	if (c_eat(&c, "-") || c_eat(&c, "\xe2\x88\x92") || c_eat(&c, "\xe2\x80\x90"))
		return c_num(&c, 3, &k) ? k : 0;
	return k;
}
