/*
 * tokenizer.c - the "kyokun" FTS5 tokenizer: NFKC and kana-variant
 * normalisation, CJK bigrams, Latin words, offsets into the original text.
 * The rules are documented in tokenizer.h.
 *
 * Three streaming stages, each pulling from the one before:
 *
 *   knorm_cluster()  original bytes -> clusters (a base code point and the
 *                    combining marks after it), NFKC_Casefold'ed by
 *                    utf8proc one cluster at a time, so every normalised
 *                    code point knows the original bytes it came from;
 *   kana_next()      kana variants (small kana, ー, ヴ, ・);
 *   tok_run()        CJK bigrams / Latin words, handed to the callback.
 *
 * Most of a Japanese text is kanji and kana that the first two stages leave
 * as they are: tok_run() takes such a code point straight from the text
 * when the one after it is of the same kind (fast_class()), and only the
 * stretches between go through the stages; a bigram of two such code points
 * is the text's own bytes.  This was 40% of the tokenizer's instructions
 * (a bulk add: 392M -> 232M at 3,000 cases).  The unit tests hold the two
 * paths to the same tokens (tests/unit/test_tokenizer_ref.c).
 *
 * Nothing is allocated: the state is a few hundred bytes on the stack.
 * This file is also #included by ext/kyokun_fts.c for the loadable
 * extension, where sqlite3ext.h has already redirected sqlite3_* calls.
 */
#include "tokenizer.h"

#include <sqlite3.h> /* the FTS5 tokenizer API (after sqlite3ext.h in the extension) */
#include "kbuf.h"
#include "kerr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* One normalised code point and the original bytes [start, end) it came from. */
struct kcp {
	int32_t cp;
	size_t start, end;
};

/* Longest NFKC_Casefold expansion of one code point is 18 (U+FDFA). */
#define DECOMP_MAX 32
/* A cluster: base and marks, decomposed.  At most CLUSTER_MARKS marks are
 * joined to one base (the Stream-Safe Text Format limit); more start a new
 * cluster, so hostile input cannot make a cluster grow without bound. */
#define CLUSTER_MAX 128
#define CLUSTER_MARKS 30

#define NFKC_CF (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
		 UTF8PROC_IGNORE)

struct knorm {
	const unsigned char *s;
	size_t len, pos;

	/* Look-ahead: the next original code point, decomposed. */
	int32_t la[DECOMP_MAX];
	int nla, la_ok, la_cont;
	size_t la_start, la_end;

	/* The current cluster, composed, handed out one code point at a time. */
	int32_t cl[CLUSTER_MAX];
	int ncl, icl;
	size_t cl_start, cl_end;

	/* Kana stage: one code point held back, one looked at. */
	struct kcp held, next;
	int have_held, held_fixed, have_next;
};

typedef int (*emit_fn)(void *ctx, int tflags, const char *tok, int ntok,
		       int start, int end);

struct ktok {
	struct knorm n;
	int query;
	emit_fn emit;
	void *ctx;

	/* CJK run: its length and last character; prev_raw when that
	 * character is its own original bytes (the fast path's), so a bigram
	 * can be handed out as the original text without re-encoding. */
	int run, prev_raw;
	struct kcp prev;

	/* Query mode: the final unigram of a run, emitted only if a token follows. */
	int have_pend;
	struct kcp pend;

	/* Latin word being collected. */
	int in_word, word_full, nword;
	size_t wstart, wend;
	char word[KTOK_MAX_WORD];
};

/* ---- UTF-8 ---- */

/*
 * These two are copies of kutf8_decode() and kutf8_encode() (utf8.h), with
 * the same strict rules: this file is also compiled alone into the loadable
 * SQLite extension (ext/kyokun_fts.c, with kerr.c and kbuf.c only), so it
 * keeps the tokenizer free of the rest of the tree.
 *
 * Decode the sequence at s[0..n), n >= 1.  Returns its length; *cp is -1
 * (and the length 1) for a byte that does not start a valid, complete,
 * shortest-form sequence of a scalar value.
 */
static inline int utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned c = s[0];
	int32_t v;

	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c < 0xC2)
		goto bad;
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			goto bad;
		*cp = (int32_t)(((c & 0x1F) << 6) | (s[1] & 0x3F));
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			goto bad;
		v = (int32_t)(((c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) |
			      (s[2] & 0x3F));
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			goto bad;
		*cp = v;
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			goto bad;
		v = (int32_t)(((c & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) |
			      ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3F));
		if (v < 0x10000 || v > 0x10FFFF)
			goto bad;
		*cp = v;
		return 4;
	}
bad:
	*cp = -1;
	return 1;
}

/* Encode a scalar value; returns the length (1..4). */
static inline int utf8_encode(int32_t c, char *d)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xC0 | (c >> 6));
		d[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xE0 | (c >> 12));
		d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (c >> 18));
	d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* ---- Stage 1: NFKC_Casefold by clusters ---- */

/*
 * Code points that NFKC_Casefold leaves alone and that never continue a
 * cluster: the bulk of Japanese text takes this path without utf8proc.
 */
static inline int is_plain(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0x3041 && c <= 0x3096) ||
	       (c >= 0x30A1 && c <= 0x30FC) ||
	       (c >= 0x3001 && c <= 0x3002) ||
	       (c >= 0x3005 && c <= 0x3007) ||
	       (c >= 0x300C && c <= 0x300F) ||
	       (c >= 0x3400 && c <= 0x4DBF);
}

/*
 * Does a code point whose decomposition starts with c join the cluster
 * before it?  Combining marks do (ｶ+ﾞ is カ+U+3099 -> ガ), and so do Hangul
 * vowel and final jamo, which compose with the syllable before them.
 */
static int continues(int32_t c)
{
	const utf8proc_property_t *p;

	if (c < 0x300)
		return 0;
	if ((c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2))
		return 1;
	p = utf8proc_get_property(c);
	return p->combining_class != 0 ||
	       p->category == UTF8PROC_CATEGORY_MN ||
	       p->category == UTF8PROC_CATEGORY_MC ||
	       p->category == UTF8PROC_CATEGORY_ME;
}

/* Read and decompose the next original code point into la; 0 at the end. */
static int knorm_read(struct knorm *n)
{
	int32_t c;
	utf8proc_ssize_t r;

	if (n->pos >= n->len)
		return 0;
	n->la_start = n->pos;
	n->pos += (size_t)utf8_decode(n->s + n->pos, n->len - n->pos, &c);
	n->la_end = n->pos;
	n->la_ok = 1;
	n->la_cont = 0;
	n->nla = 1;
	if (c < 0x80) {
		n->la[0] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
		return 1;
	}
	if (c < 0) {
		n->la[0] = 0xFFFD;
		return 1;
	}
	if (is_plain(c)) {
		n->la[0] = c;
		return 1;
	}
	r = utf8proc_decompose_char(c, n->la, DECOMP_MAX, NFKC_CF, NULL);
	if (r < 0 || r > DECOMP_MAX) {
		n->la[0] = 0xFFFD;
		return 1;
	}
	n->nla = (int)r;
	/* An ignorable (nothing left) vanishes into the cluster before it. */
	n->la_cont = r == 0 || continues(n->la[0]);
	return 1;
}

/* Canonical ordering of the marks in the cluster (a stable bubble sort). */
static void knorm_reorder(int32_t *b, int n)
{
	int i = 0;

	while (i < n - 1) {
		int c1 = utf8proc_get_property(b[i])->combining_class;
		int c2 = utf8proc_get_property(b[i + 1])->combining_class;

		if (c2 > 0 && c1 > c2) {
			int32_t t = b[i];

			b[i] = b[i + 1];
			b[i + 1] = t;
			if (i > 0)
				i--;
		} else {
			i++;
		}
	}
}

/* Build the next non-empty cluster; 0 at the end of the input. */
static int knorm_cluster(struct knorm *n)
{
	for (;;) {
		int marks = 0;

		if (!n->la_ok && !knorm_read(n))
			return 0;
		memcpy(n->cl, n->la, (size_t)n->nla * sizeof(n->la[0]));
		n->ncl = n->nla;
		n->cl_start = n->la_start;
		n->cl_end = n->la_end;
		n->la_ok = 0;
		while (knorm_read(n)) {
			if (!n->la_cont || marks >= CLUSTER_MARKS ||
			    n->ncl + n->nla > CLUSTER_MAX)
				break;
			memcpy(n->cl + n->ncl, n->la,
			       (size_t)n->nla * sizeof(n->la[0]));
			n->ncl += n->nla;
			n->cl_end = n->la_end;
			n->la_ok = 0;
			marks++;
		}
		if (n->ncl > 1) {
			utf8proc_ssize_t r;

			knorm_reorder(n->cl, n->ncl);
			r = utf8proc_normalize_utf32(n->cl, n->ncl,
						     UTF8PROC_COMPOSE);
			n->ncl = r < 0 ? 0 : (int)r;
		}
		n->icl = 0;
		if (n->ncl > 0)
			return 1;
	}
}

static inline int knorm_next(struct knorm *n, struct kcp *out)
{
	if (n->icl >= n->ncl && !knorm_cluster(n))
		return 0;
	out->cp = n->cl[n->icl++];
	out->start = n->cl_start;
	out->end = n->cl_end;
	return 1;
}

/* Normalise s[pos..end); offsets stay those of s. */
static void knorm_range(struct knorm *n, const char *s, size_t pos, size_t end)
{
	n->s = (const unsigned char *)s;
	n->len = s ? end : 0;
	n->pos = s ? pos : 0;
	n->la_ok = 0;
	n->ncl = n->icl = 0;
	n->have_held = n->held_fixed = n->have_next = 0;
}

static void knorm_init(struct knorm *n, const char *s, size_t len)
{
	n->s = (const unsigned char *)s;
	n->len = s ? len : 0;
	n->pos = 0;
	n->la_ok = 0;
	n->ncl = n->icl = 0;
	n->have_held = n->held_fixed = n->have_next = 0;
}

/* ---- Stage 2: kana variants ---- */

static inline int is_kana(int32_t c)
{
	return (c >= 0x3041 && c <= 0x309F) ||
	       (c >= 0x30A1 && c <= 0x30FF && c != 0x30FB && c != 0x30FC) ||
	       (c >= 0x31F0 && c <= 0x31FF);
}

static inline int is_katakana(int32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FF && c != 0x30FB && c != 0x30FC) ||
	       (c >= 0x31F0 && c <= 0x31FF);
}

/* ぁ -> あ, ッ -> ツ, ヶ -> ケ, ...; anything else unchanged. */
static inline int32_t small_to_full(int32_t c)
{
	if (c < 0x3041 || c > 0x30F6)
		return c;
	switch (c) {
	case 0x3041: case 0x3043: case 0x3045: case 0x3047: case 0x3049:
	case 0x3063: case 0x3083: case 0x3085: case 0x3087: case 0x308E:
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:
	case 0x30C3: case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE:
		return c + 1;
	case 0x3095: return 0x304B;	/* ゕ -> か */
	case 0x3096: return 0x3051;	/* ゖ -> け */
	case 0x30F5: return 0x30AB;	/* ヵ -> カ */
	case 0x30F6: return 0x30B1;	/* ヶ -> ケ */
	}
	return c;
}

/*
 * ヴ (or ゔ) followed by v: returns the replacement for ヴ and sets *eat if
 * v is absorbed (ヴァ -> バ), not if it stays (ヴュ -> ビ + ュ).
 */
static int32_t fold_vu(int32_t vu, int32_t v, int *eat)
{
	int32_t base = vu == 0x30F4 ? 0x60 : 0;	/* katakana offset */

	*eat = 1;
	switch (v - base) {
	case 0x3041: return 0x3070 + base;	/* ぁ: ば */
	case 0x3043: return 0x3073 + base;	/* ぃ: び */
	case 0x3047: return 0x3079 + base;	/* ぇ: べ */
	case 0x3049: return 0x307C + base;	/* ぉ: ぼ */
	}
	*eat = 0;
	switch (v - base) {
	case 0x3083: case 0x3085: case 0x3087:	/* ゃゅょ: び */
		return 0x3073 + base;
	}
	return 0x3076 + base;			/* ぶ */
}

/* Next code point after stage 2; 0 at the end. */
static int kana_next(struct knorm *n, struct kcp *out)
{
	for (;;) {
		if (!n->have_held) {
			if (!knorm_next(n, &n->held))
				return 0;
			n->have_held = 1;
			n->held_fixed = 0;
		}
		if (!n->have_next)
			n->have_next = knorm_next(n, &n->next);
		if (!n->held_fixed) {
			int32_t c = n->held.cp;

			n->held_fixed = 1;
			if (c == 0x30F4 || c == 0x3094) {
				int eat;

				n->held.cp = fold_vu(c, n->have_next ?
						     n->next.cp : 0, &eat);
				if (eat && n->have_next) {
					n->held.end = n->next.end;
					n->have_next = 0;
					continue;
				}
			} else {
				n->held.cp = small_to_full(c);
			}
		}
		if (n->have_next) {
			if (n->next.cp == 0x30FC && is_kana(n->held.cp)) {
				/* ー belongs to the sound before it */
				n->held.end = n->next.end;
				n->have_next = 0;
				continue;
			}
			if (n->next.cp == 0x30FB && is_katakana(n->held.cp)) {
				n->have_next = 0;
				continue;
			}
		}
		*out = n->held;
		if (n->have_next) {
			n->held = n->next;
			n->held_fixed = 0;
			n->have_next = 0;
		} else {
			n->have_held = 0;
		}
		return 1;
	}
}

/* ---- Stage 3: tokens ---- */

int ktok_is_cjk(int c)
{
	if (c < 0x3005)
		return 0;
	if (c <= 0x30FF)
		return (c >= 0x3041 && c <= 0x3096) ||
		       (c >= 0x30A1 && c <= 0x30FA) ||
		       (c >= 0x3005 && c <= 0x3007) ||	/* 々 〆 〇 */
		       (c >= 0x3031 && c <= 0x3035) ||	/* 〱 .. 〵 */
		       c == 0x303B || c == 0x303C ||		/* 〻 〼 */
		       (c >= 0x309D && c <= 0x309F) ||	/* ゝ ゞ ゟ */
		       (c >= 0x30FD && c <= 0x30FF);		/* ヽ ヾ ヿ */
	return (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x31F0 && c <= 0x31FF) ||		/* small katakana ext. */
	       (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x1B000 && c <= 0x1B16F) ||		/* kana supplement */
	       (c >= 0x20000 && c <= 0x3FFFF);		/* ext. B .. H */
}

enum { C_SEP, C_CJK, C_WORD, C_MARK };

static inline int classify(int32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z'))
			return C_WORD;
		return C_SEP;
	}
	if (ktok_is_cjk(c))
		return C_CJK;
	if (c == 0x30FC || c == 0x30FB)
		return C_SEP;
	switch (utf8proc_get_property(c)->category) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return C_WORD;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return C_MARK;
	}
	return C_SEP;
}

static int tok_emit(struct ktok *t, const char *tok, int n, size_t start,
		    size_t end)
{
	if (t->have_pend) {
		char u[4];
		int k = utf8_encode(t->pend.cp, u);
		int rc;

		t->have_pend = 0;
		rc = t->emit(t->ctx, 0, u, k, (int)t->pend.start,
			     (int)t->pend.end);
		if (rc)
			return rc;
	}
	return t->emit(t->ctx, 0, tok, n, (int)start, (int)end);
}

static int tok_end_run(struct ktok *t)
{
	char u[4];
	int k, run = t->run;

	t->run = 0;
	if (run >= 2 && t->query) {
		t->pend = t->prev;
		t->have_pend = 1;
		return 0;
	}
	if (t->prev_raw)
		return tok_emit(t, (const char *)t->n.s + t->prev.start,
				(int)(t->prev.end - t->prev.start),
				t->prev.start, t->prev.end);
	k = utf8_encode(t->prev.cp, u);
	return tok_emit(t, u, k, t->prev.start, t->prev.end);
}

/* ---- English words: a light stemmer ---- */

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int ends(const char *w, int n, const char *suf)
{
	int k = (int)strlen(suf);

	return n >= k && !memcmp(w + n - k, suf, (size_t)k);
}

/* Does w[0..n) have a vowel (a stem worth keeping)? */
static int has_vowel(const char *w, int n)
{
	for (int i = 0; i < n; i++)
		if (is_vowel(w[i]))
			return 1;
	return 0;
}

/* Words the rules below would break, kept as they are. */
static int stem_exception(const char *w, int n)
{
	static const char *const keep[] = {
		"ddos", "windows", "news", "series", "species", "always", "perhaps", "thus", "during",
		"nothing", "something", "anything", "everything", "morning", "evening",
	};

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((int)strlen(keep[i]) == n && !memcmp(keep[i], w, (size_t)n))
			return 1;
	return 0;
}

/*
 * The stem of an English word w[0..n) (lower case a-z only; anything else
 * is left alone): its length, w rewritten in place.  Conservative and the
 * same for documents and queries (see tokenizer.h): plurals (backups ->
 * backup, policies -> policy, patches -> patch), then -ing and -ed
 * (phishing -> phish, patched -> patch, logging -> log) when a stem of
 * three letters with a vowel is left, then a final e (update, updated and
 * updating are all "updat").  Words of under four letters are not touched.
 */
int ktok_stem(char *w, int n)
{
	int stripped = 0;

	if (n < 4)
		return n;
	for (int i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return n;
	if (stem_exception(w, n))
		return n;
	/* plurals */
	if (ends(w, n, "ies") && n > 4 && !ends(w, n, "eies") && !ends(w, n, "aies")) {
		n -= 2;
		w[n - 1] = 'y';
	} else if (ends(w, n, "sses") || ends(w, n, "ches") || ends(w, n, "shes") || ends(w, n, "xes") ||
		   ends(w, n, "zes")) {
		n -= 2;
	} else if (w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is")) {
		n -= 1;
	}
	/* -ing, -ed */
	if (ends(w, n, "ing") && n - 3 >= 3 && has_vowel(w, n - 3)) {
		n -= 3;
		stripped = 1;
	} else if (ends(w, n, "ed") && n - 2 >= 3 && has_vowel(w, n - 2)) {
		n -= 2;
		stripped = 1;
	}
	if (stripped && n >= 4 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 'l' &&
	    w[n - 1] != 's' && w[n - 1] != 'z')
		n -= 1;   /* logg -> log, dropp -> drop; not install, pass */
	/* a final e: update, updated, updating meet */
	if (n >= 4 && w[n - 1] == 'e')
		n -= 1;
	return n;
}

static int tok_end_word(struct ktok *t)
{
	t->in_word = 0;
	t->nword = ktok_stem(t->word, t->nword);
	return tok_emit(t, t->word, t->nword, t->wstart, t->wend);
}

static void tok_add_word(struct ktok *t, const struct kcp *c)
{
	char u[4];
	int k;

	if (!t->in_word) {
		t->in_word = 1;
		t->word_full = 0;
		t->nword = 0;
		t->wstart = c->start;
	}
	t->wend = c->end;
	if (t->word_full)
		return;
	k = utf8_encode(c->cp, u);
	if (t->nword + k > KTOK_MAX_WORD) {
		t->word_full = 1;
		return;
	}
	memcpy(t->word + t->nword, u, (size_t)k);
	t->nword += k;
}

/* One code point of class cls into the tokens; raw when c is its own
 * original bytes s[c->start..c->end), unchanged by normalisation. */
static int tok_cp(struct ktok *t, const struct kcp *c, int cls, int raw)
{
	int rc;

	switch (cls) {
	case C_CJK:
		if (t->in_word && (rc = tok_end_word(t)))
			return rc;
		if (t->run) {
			if (raw && t->prev_raw) {
				/* both characters as they stand in the text */
				rc = tok_emit(t, (const char *)t->n.s + t->prev.start,
					      (int)(c->end - t->prev.start),
					      t->prev.start, c->end);
			} else {
				char u[8];
				int k = utf8_encode(t->prev.cp, u);

				k += utf8_encode(c->cp, u + k);
				rc = tok_emit(t, u, k, t->prev.start, c->end);
			}
			if (rc)
				return rc;
		}
		t->prev = *c;
		t->prev_raw = raw;
		t->run++;
		break;
	case C_WORD:
		if (t->run && (rc = tok_end_run(t)))
			return rc;
		tok_add_word(t, c);
		break;
	case C_MARK:
		/* a mark left over after composition stays with
		 * what it follows; on its own it is nothing */
		if (t->in_word) {
			tok_add_word(t, c);
		} else if (t->run) {
			t->prev.end = c->end;
			t->prev_raw = 0;
		}
		break;
	default:
		if (t->run && (rc = tok_end_run(t)))
			return rc;
		if (t->in_word && (rc = tok_end_word(t)))
			return rc;
		break;
	}
	return 0;
}

/*
 * The fast path's class of c, or -1 when c must go through stages 1 and 2:
 * code points that normalisation leaves as they are (ASCII but for case),
 * that never join the code point before them, and that no kana rule
 * changes or looks past.  Small kana, ヴ, ー and ・ are not among them.
 */
static inline int fast_class(int32_t c)
{
#ifdef KTOK_SLOW_ONLY
	/* the unit tests' reference: every code point through stages 1, 2 */
	(void)c;
	return -1;
#endif
	if (c < 0x80) {
		if (c < 0)
			return -1;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z'))
			return C_WORD;
		return C_SEP;
	}
	if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x3005 && c <= 0x3007))
		return C_CJK;
	if ((c >= 0x3041 && c <= 0x3093) || (c >= 0x30A1 && c <= 0x30F3) ||
	    (c >= 0x30F7 && c <= 0x30FA))
		return small_to_full(c) == c ? C_CJK : -1;
	if (c == 0x3001 || c == 0x3002 || (c >= 0x300C && c <= 0x300F))
		return C_SEP;
	return -1;
}

/*
 * The text as runs: a code point of fast_class() whose follower is one too
 * (or the end) goes straight to tok_cp(); anything else, up to the next
 * fast code point, goes through the streaming stages 1 and 2.  Cutting the
 * stages there changes nothing: a fast code point joins nothing before it,
 * and nothing before it looks at it (ヴ only eats small kana, ー and ・
 * follow kana, marks follow anything: none of them is fast).
 */
static int tok_run(struct ktok *t)
{
	const unsigned char *s = t->n.s;
	size_t len = t->n.len, pos = 0, end;
	int32_t c = 0, c2 = 0;
	int k = 0, k2 = 0, cls = -1, cls2 = -1, rc;
	struct kcp cp;

	if (len > 0) {
		k = utf8_decode(s, len, &c);
		cls = fast_class(c);
	}
	while (pos < len) {
		end = pos + (size_t)k;
		if (cls >= 0) {
			cls2 = -1;
			if (end < len) {
				k2 = utf8_decode(s + end, len - end, &c2);
				cls2 = fast_class(c2);
			}
			if (end >= len || cls2 >= 0) {
				cp.cp = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
				cp.start = pos;
				cp.end = end;
				if ((rc = tok_cp(t, &cp, cls, 1)))
					return rc;
				pos = end;
				c = c2;
				k = k2;
				cls = cls2;
				continue;
			}
		}
		/* the slow stretch: up to the next fast code point */
		cls2 = -1;
		while (end < len) {
			k2 = utf8_decode(s + end, len - end, &c2);
			if ((cls2 = fast_class(c2)) >= 0)
				break;
			end += (size_t)k2;
		}
		knorm_range(&t->n, (const char *)s, pos, end);
		while (kana_next(&t->n, &cp))
			if ((rc = tok_cp(t, &cp, classify(cp.cp), 0)))
				return rc;
		t->n.len = len;	/* tok_end_run() reads the text */
		pos = end;
		c = c2;
		k = k2;
		cls = cls2;
	}
	if (t->run && (rc = tok_end_run(t)))
		return rc;
	if (t->in_word && (rc = tok_end_word(t)))
		return rc;
	/* a pending final unigram of the last run is dropped */
	return 0;
}

static int tokenize(const char *s, int len, int query, emit_fn emit,
		    void *ctx)
{
	struct ktok t;

	if (len <= 0 || !s)
		return 0;
	knorm_init(&t.n, s, (size_t)len);
	t.query = query;
	t.emit = emit;
	t.ctx = ctx;
	t.run = 0;
	t.prev_raw = 0;
	t.have_pend = 0;
	t.in_word = 0;
	return tok_run(&t);
}

/* ---- Public helpers ---- */

int ktok_normalize(const char *s, size_t len, struct kbuf *out)
{
	struct knorm n;
	struct kcp c;
	size_t keep = out->len;

	knorm_init(&n, s, len);
	while (kana_next(&n, &c)) {
		char u[4];
		int rc = kbuf_add(out, u, (size_t)utf8_encode(c.cp, u));

		if (rc < 0) {
			if (out->buf)
				kbuf_setlen(out, keep);
			return rc;
		}
	}
	return 0;
}

struct cb_adapter {
	ktok_cb cb;
	void *ctx;
};

static int adapt(void *ctx, int tflags, const char *tok, int ntok, int start,
		 int end)
{
	struct cb_adapter *a = ctx;

	(void)tflags;
	return a->cb(a->ctx, tok, ntok, start, end);
}

int ktok_tokenize(const char *s, int len, int for_query, ktok_cb cb, void *ctx)
{
	struct cb_adapter a = { cb, ctx };

	if (len < 0)
		len = s ? (int)strnlen(s, INT32_MAX) : 0;
	return tokenize(s, len, for_query != 0, adapt, &a);
}

/* ---- FTS5 glue ---- */

struct ktok_fts {
	struct ktok_tap *tap; /* ktok_register_tap()'s, or NULL */
};

static int fts_create(void *ctx, const char **argv, int argc,
		      Fts5Tokenizer **out)
{
	struct ktok_fts *p;

	(void)argv;
	if (argc > 0)
		return SQLITE_ERROR;	/* the tokenizer takes no options */
	p = sqlite3_malloc(sizeof(*p));
	if (!p)
		return SQLITE_NOMEM;
	p->tap = ctx;
	*out = (Fts5Tokenizer *)p;
	return SQLITE_OK;
}

static void fts_delete(Fts5Tokenizer *tk)
{
	sqlite3_free(tk);
}

/* FTS5's callback and the tap's, each token to both. */
struct tap_pair {
	int (*xtoken)(void *, int, const char *, int, int, int);
	void *ctx;
	struct ktok_tap *tap;
};

static int tap_both(void *ctx, int tflags, const char *tok, int ntok, int start,
		    int end)
{
	struct tap_pair *p = ctx;
	int rc = p->xtoken(p->ctx, tflags, tok, ntok, start, end);

	if (rc == SQLITE_OK && p->tap->cb(p->tap->ctx, tok, ntok, start, end))
		rc = SQLITE_ERROR;
	return rc;
}

/* ---- tokens made ahead (struct ktok_pre) ---- */

/* A token as kept: its header, then its ntok bytes. */
struct pre_tok {
	int32_t ntok, start, end;
};

/* (an emit_fn: a million tokens per 3,000 cases, so one check of the room and two copies) */
static int pre_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
	struct kbuf *b = ctx;
	struct pre_tok h = { ntok, start, end };
	size_t need = sizeof(h) + (size_t)ntok;
	char *at;

	(void)tflags;
	if (b->alloc - b->len <= need && kbuf_grow(b, need) < 0)
		return KE_NOMEM;
	at = b->buf + b->len;
	memcpy(at, &h, sizeof(h));
	memcpy(at + sizeof(h), tok, (size_t)ntok);
	b->len += need;
	return 0;
}

int ktok_pre_add(struct ktok_pre *p, const char *text, size_t len)
{
	size_t t, k;
	int rc;

	if (p->n == KTOK_PRE_COLS || len > INT32_MAX)
		return 0; /* (not kept: tokenized as usual) */
	if (!p->text && !(p->text = calloc(1, sizeof(*p->text))))
		return KE_NOMEM;
	if (!p->tok && !(p->tok = calloc(1, sizeof(*p->tok))))
		return KE_NOMEM;
	t = p->text->len;
	k = p->tok->len;
	if (kbuf_add(p->text, text, len) < 0)
		return KE_NOMEM;
	if ((rc = tokenize(text, (int)len, 0, pre_token, p->tok)) != 0) {
		p->text->len = t;
		p->tok->len = k;
		return rc < 0 ? rc : KE_NOMEM;
	}
	p->col[p->n].text = t;
	p->col[p->n].len = len;
	p->col[p->n].tok = k;
	p->col[p->n].end = p->tok->len;
	p->n++;
	return 0;
}

void ktok_pre_release(struct ktok_pre *p)
{
	if (p->text)
		kbuf_release(p->text);
	if (p->tok)
		kbuf_release(p->tok);
	free(p->text);
	free(p->tok);
	memset(p, 0, sizeof(*p));
}

/*
 * The tokens made ahead for text[0..len) to emit, if it is the next text
 * of p: 1 given (*rc emit's result), 0 not that text.
 */
static int pre_give(struct ktok_pre *p, const char *text, int len, emit_fn emit, void *ctx, int *rc)
{
	const unsigned char *b;
	size_t at, end;
	int i = p->next;

	/* (a text not given to the tokenizer is passed over) */
	while (i < p->n && (len < 0 || (size_t)len != p->col[i].len ||
			    (len && memcmp(p->text->buf + p->col[i].text, text, (size_t)len))))
		i++;
	if (i >= p->n)
		return 0;
	b = (const unsigned char *)p->tok->buf;
	at = p->col[i].tok;
	end = p->col[i].end;
	p->next = i + 1;
	*rc = 0;
	while (at < end && !*rc) {
		struct pre_tok h;

		memcpy(&h, b + at, sizeof(h));
		at += sizeof(h);
		*rc = emit(ctx, 0, (const char *)b + at, h.ntok, h.start, h.end);
		at += (size_t)h.ntok;
	}
	return 1;
}

static int fts_tokenize(Fts5Tokenizer *tk, void *ctx, int flags,
			const char *text, int len,
			int (*xtoken)(void *, int, const char *, int, int, int))
{
	struct ktok_tap *tap = ((struct ktok_fts *)tk)->tap;

	/* DOCUMENT and AUX (highlight, snippet) must give the same tokens */
	if (tap && tap->cb && (flags & FTS5_TOKENIZE_DOCUMENT)) {
		struct tap_pair p = { xtoken, ctx, tap };
		int rc;

		if (tap->begin && tap->begin(tap->ctx, text, len))
			return SQLITE_ERROR;
		if (tap->pre && pre_give(tap->pre, text, len, tap_both, &p, &rc))
			return rc;
		return tokenize(text, len, 0, tap_both, &p);
	}
	return tokenize(text, len, (flags & FTS5_TOKENIZE_QUERY) != 0, xtoken,
			ctx);
}

/* ---- kyokun_highlight(): highlight() that copes with overlapping bigrams ---- */

/* A run of matched tokens [ps, pe] and, once tokenised, its bytes [bs, be). */
struct hl_range {
	int ps, pe, bs, be;
};

struct hl_ctx {
	struct hl_range *r;
	int n, k, pos;
};

static int hl_cmp(const void *a, const void *b)
{
	const struct hl_range *x = a, *y = b;

	return (x->ps > y->ps) - (x->ps < y->ps);
}

static int hl_token(void *ctx, int tflags, const char *tok, int ntok,
		    int start, int end)
{
	struct hl_ctx *h = ctx;
	int pos;

	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	pos = h->pos++;
	if (h->k < h->n && pos == h->r[h->k].ps)
		h->r[h->k].bs = start;
	if (h->k < h->n && pos == h->r[h->k].pe) {
		h->r[h->k].be = end;
		h->k++;
	}
	return h->k < h->n ? SQLITE_OK : SQLITE_DONE;
}

/*
 * Which of the row's phrases keep wants marked (kyokun_highlight(), kyokun_inst()):
 * *has gets np * 2 + 1 bytes (sqlite3_free), the phrases in the row, then at *has + np
 * those to mark.  SQLITE_DONE: keep says the row is not to be marked at all.
 */
static int keep_choose(const Fts5ExtensionApi *api, Fts5Context *fts, const struct ktok_hl_keep *keep, int ninst,
		       unsigned char **has, int *np)
{
	int rc = SQLITE_OK;

	*np = api->xPhraseCount(fts);
	if (!(*has = sqlite3_malloc64((sqlite3_uint64)*np * 2 + 1)))
		return SQLITE_NOMEM;
	memset(*has, 0, (size_t)*np * 2 + 1);
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ph, ic, io;

		if ((rc = api->xInst(fts, i, &ph, &ic, &io)) == SQLITE_OK && ph >= 0 && ph < *np)
			(*has)[ph] = 1;
	}
	if (rc == SQLITE_OK && keep->fn(keep->ctx, *has, *has + *np, *np))
		rc = SQLITE_DONE;
	return rc;
}

static void fts_highlight(const Fts5ExtensionApi *api, Fts5Context *fts,
			  sqlite3_context *sctx, int argc, sqlite3_value **argv)
{
	struct hl_ctx h = { NULL, 0, 0, 0 };
	const char *text = NULL, *open, *close;
	const struct ktok_hl_keep *keep = NULL;
	unsigned char *has = NULL, *want = NULL;
	sqlite3_str *out;
	int col, ntext = 0, ninst = 0, i, rc, off, bs, be, np = 0;

	if (argc == 4)
		keep = sqlite3_value_pointer(argv[3], "kyokun_hl_keep");
	if ((argc != 3 && argc != 4) || (argc == 4 && !keep)) {
		sqlite3_result_error(sctx,
			"wrong number of arguments to function kyokun_highlight()",
			-1);
		return;
	}
	col = sqlite3_value_int(argv[0]);
	open = (const char *)sqlite3_value_text(argv[1]);
	close = (const char *)sqlite3_value_text(argv[2]);
	rc = api->xColumnText(fts, col, &text, &ntext);
	if (rc == SQLITE_RANGE || (rc == SQLITE_OK && !text)) {
		sqlite3_result_text(sctx, "", 0, SQLITE_STATIC);
		return;
	}
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &ninst);
	if (rc == SQLITE_OK && ninst > 0) {
		h.r = sqlite3_malloc64((sqlite3_uint64)ninst * sizeof(*h.r));
		if (!h.r)
			rc = SQLITE_NOMEM;
	}
	if (rc == SQLITE_OK && keep) {
		if ((rc = keep_choose(api, fts, keep, ninst, &has, &np)) == SQLITE_DONE) {
			sqlite3_free(h.r);
			sqlite3_free(has);
			sqlite3_result_null(sctx);
			return;
		}
		want = has ? has + np : NULL;
	}
	for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ph, ic, io;

		rc = api->xInst(fts, i, &ph, &ic, &io);
		if (rc == SQLITE_OK && ic == col && (!want || (ph >= 0 && ph < np && want[ph]))) {
			h.r[h.n].ps = io;
			h.r[h.n].pe = io + api->xPhraseSize(fts, ph) - 1;
			h.r[h.n].bs = h.r[h.n].be = -1;
			h.n++;
		}
	}
	sqlite3_free(has);
	if (rc == SQLITE_OK && h.n > 0) {
		int m = 0;

		/* coalesce instances sharing tokens, as highlight() does */
		qsort(h.r, (size_t)h.n, sizeof(*h.r), hl_cmp);
		for (i = 1; i < h.n; i++) {
			if (h.r[i].ps <= h.r[m].pe) {
				if (h.r[i].pe > h.r[m].pe)
					h.r[m].pe = h.r[i].pe;
			} else {
				h.r[++m] = h.r[i];
			}
		}
		h.n = m + 1;
		rc = api->xTokenize(fts, text, ntext, &h, hl_token);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		sqlite3_free(h.r);
		sqlite3_result_error_code(sctx, rc);
		return;
	}

	/* write the text, merging ranges whose bytes overlap */
	out = sqlite3_str_new(NULL);
	off = 0;
	for (i = 0; i < h.n; i++) {
		bs = h.r[i].bs;
		be = h.r[i].be;
		if (bs < 0 || be < 0)
			continue;
		while (i + 1 < h.n && h.r[i + 1].bs >= 0 && h.r[i + 1].be >= 0 &&
		       h.r[i + 1].bs < be) {
			i++;
			if (h.r[i].be > be)
				be = h.r[i].be;
		}
		if (bs < off)
			bs = off;
		if (be > ntext)
			be = ntext;
		if (be <= bs)
			continue;
		sqlite3_str_append(out, text + off, bs - off);
		if (open)
			sqlite3_str_appendall(out, open);
		sqlite3_str_append(out, text + bs, be - bs);
		if (close)
			sqlite3_str_appendall(out, close);
		off = be;
	}
	sqlite3_str_append(out, text + off, ntext - off);
	sqlite3_free(h.r);
	rc = sqlite3_str_errcode(out);
	if (rc != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(out));
		sqlite3_result_error_code(sctx, rc);
		return;
	}
	ntext = sqlite3_str_length(out);
	sqlite3_result_text(sctx, sqlite3_str_finish(out), ntext, sqlite3_free);
}

/* ---- kyokun_inst(): where a query's phrases are in a column, in tokens ---- */

static void fts_inst(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx, int argc,
		     sqlite3_value **argv)
{
	const struct ktok_hl_keep *keep = argc == 2 ? sqlite3_value_pointer(argv[1], "kyokun_hl_keep") : NULL;
	unsigned char *has = NULL, *want = NULL;
	struct ktok_inst *v = NULL;
	int col, ninst = 0, np = 0, n = 0, i, rc;

	if (argc != 2 || !keep) {
		sqlite3_result_error(sctx, "wrong arguments to function kyokun_inst()", -1);
		return;
	}
	col = sqlite3_value_int(argv[0]);
	rc = api->xInstCount(fts, &ninst);
	if (rc == SQLITE_OK && ninst > 0 && !(v = sqlite3_malloc64((sqlite3_uint64)ninst * sizeof(*v))))
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK && (rc = keep_choose(api, fts, keep, ninst, &has, &np)) == SQLITE_DONE) {
		rc = SQLITE_OK;
		sqlite3_result_null(sctx);
		goto out;
	}
	if (rc != SQLITE_OK)
		goto out;
	want = has + np;
	for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ph, ic, io;

		rc = api->xInst(fts, i, &ph, &ic, &io);
		if (rc == SQLITE_OK && ic == col && ph >= 0 && ph < np && want[ph])
			v[n++] = (struct ktok_inst){ ph, io };
	}
	if (rc == SQLITE_OK) {
		sqlite3_result_blob(sctx, n ? (const void *)v : "", n * (int)sizeof(*v), SQLITE_TRANSIENT);
	}
out:
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(sctx, rc);
	sqlite3_free(v);
	sqlite3_free(has);
}

int ktok_register(sqlite3 *db, struct kerr *err)
{
	return ktok_register_tap(db, NULL, err);
}

int ktok_register_tap(sqlite3 *db, struct ktok_tap *tap, struct kerr *err)
{
	static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return kerr_set(err, KE_DB,
				"registering the kyokun tokenizer: SQLite has no FTS5 (%s)",
				sqlite3_errmsg(db));
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return kerr_set(err, KE_DB,
				"registering the kyokun tokenizer: no usable fts5_api (need version 2)");
	rc = api->xCreateTokenizer(api, "kyokun", tap, &tok, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "kyokun_highlight", NULL,
					  fts_highlight, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "kyokun_inst", NULL, fts_inst, NULL);
	if (rc != SQLITE_OK)
		return kerr_set(err, KE_DB,
				"registering the kyokun tokenizer: %s",
				sqlite3_errstr(rc));
	return 0;
}
