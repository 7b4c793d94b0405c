/*
 * search_int.h - private to the search modules (synonym.c, segment.c,
 * query.c, search.c, similar.c, search_output.c): the UTF-8 and character
 * class helpers they share, and the hit rows search.c and similar.c both
 * add.  Nothing outside these files includes this, but for the unit tests
 * (tests/unit/test_search.c, for its hook into ksearch()).
 */
#ifndef KYOKUN_SEARCH_INT_H
#define KYOKUN_SEARCH_INT_H

#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

#include "kbuf.h"
#include "tokenizer.h"
#include "utf8.h"

struct kstore;
struct kstore_hit;
struct kreader;
struct ksearch_result;
struct kerr;

/* ---- UTF-8 helpers ------------------------------------------------------------ */

/*
 * Decode one code point at s[0..n) (kutf8_decode()), the way every loop here
 * wants it: never stuck, so it returns its length, or 1 with *cp -1 when s
 * does not start a valid character (or n is 0).
 */
static inline int u8_next(const char *s, size_t n, int32_t *cp)
{
	uint32_t c;
	int l = n ? kutf8_decode(s, n, &c) : -1;

	if (l < 0) {
		*cp = -1;
		return 1;
	}
	*cp = (int32_t)c;
	return l;
}

static inline int is_kanji(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) ||
	       c == 0x3005 || c == 0x3006 || c == 0x3007 || c == 0x303B;
}

static inline int is_hiragana(int32_t c)
{
	return (c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E;
}

static inline int is_katakana(int32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || c == 0x30FD || c == 0x30FE ||
	       (c >= 0x31F0 && c <= 0x31FF);
}

static inline int is_latin(int32_t c)
{
	if (c < 0)
		return 0;
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
		return !ktok_is_cjk(c);
	default:
		return 0;
	}
}

enum { CL_OTHER, CL_KANJI, CL_HIRA, CL_KATA, CL_LATIN };

static inline int char_class(int32_t c)
{
	if (is_kanji(c))
		return CL_KANJI;
	if (is_hiragana(c))
		return CL_HIRA;
	if (is_katakana(c))
		return CL_KATA;
	if (is_latin(c))
		return CL_LATIN;
	return CL_OTHER;
}

/* NFKC (no case folding: "OR" must stay an operator) of s; NULL if out of memory
 * or s is not UTF-8 (*bad set). */
static inline char *nfkc(const char *s, int *bad)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n;

	*bad = 0;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
	if (n < 0) {
		*bad = n != UTF8PROC_ERROR_NOMEM;
		return NULL;
	}
	return (char *)out;
}

/* The index's normal form of s (tokenizer.h), as a new string. */
static inline char *norm_dup(const char *s, size_t len)
{
	struct kbuf b = KBUF_INIT;

	if (ktok_normalize(s, len, &b) < 0 || kbuf_addch(&b, 0) < 0) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* Characters (code points) in s[a..b). */
static inline size_t nchars(const char *s, size_t a, size_t b)
{
	size_t n = 0;

	for (size_t i = a; i < b; i++)
		n += !kutf8_is_cont((unsigned char)s[i]);
	return n;
}

/*
 * A test's hook into ksearch(), which reads in steps another connection may
 * write between: the ranking, the hits' rows (KSEARCH__RANKED is after the
 * first), then the snippets (KSEARCH__SNIPPETS is before them, in section
 * searches too).  fn(ctx, stage) is called at each while set; NULL unsets.
 * Set only while no search runs (a test's own thread).  search.c.
 */
enum { KSEARCH__RANKED = 1, KSEARCH__SNIPPETS };
void ksearch__test_hook(void (*fn)(void *ctx, int stage), void *ctx);

/* Append the hits of sh[0..n) to res (rows, scores); search.c. */
int ksearch__add_hits(struct kstore *st, const struct kstore_hit *sh, size_t n, const struct kreader *reader,
		      int partial, struct ksearch_result *res, struct kerr *err);

/* ---- where a match is (search_where.c) ------------------------------------------------ */

struct kquery;
struct kfilter;
struct kstore_query;
struct ksearch_hit;

/*
 * Take section:NAME out of a query: *rest the query without it (allocated),
 * *field its KSF_* (-1 none).  KE_USAGE for an unknown section (the message
 * lists the known ones) or two different ones.
 */
/* qsort()/bsearch() order of rowids (long long), ascending. */
int ksearch__rid_cmp(const void *a, const void *b);

int ksearch__take_section(const char *query, char **rest, int *field, struct kerr *err);

/* The index columns (bits 1u << KCOL_*) part f is in; whether it is a whole column. */
unsigned ksearch__field_cols(int f);
int ksearch__field_whole_col(int f);

/*
 * Whether part f of each case rids[i] (no repeats) holds match (q is its
 * query with every phrase; match names f's column only): with all, each
 * of the query's words the case shows marked; else any; into yes[i].  A
 * case r may not see holds nothing.  The match is run once over the index
 * for them all (kstore_search_marked()).
 */
int ksearch__in_field_many(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
			   const long long *rids, size_t n, const struct kreader *r, int f, int all,
			   unsigned char *yes, struct kerr *err);

/*
 * The same for every case of match that passes filter: the cases into
 * *rids (ascending, malloc'ed) and *n, the answers into *yes (malloc'ed),
 * listed and decided in one run of the match.  With some (else NULL), a
 * query of match's phrases in the same order (the some-words tier), the
 * cases of either, and whether part f holds some of some's words into
 * *yes_some, in the same one run.  1 (nothing done) when the store cannot,
 * or part f is not one the index knows the places of: the caller lists
 * the cases, then asks ksearch__in_field_many().
 */
int ksearch__in_field_all(struct kstore *st, const struct kstore_query *match, const struct kstore_query *some,
			  const struct kquery *q, const struct kfilter *filter, int f, int all, long long **rids,
			  size_t *n, unsigned char **yes, unsigned char **yes_some, struct kerr *err);

/*
 * Hit h's matched parts (h->where) and snippet of about chars characters
 * from its best matched part (prefer: a KSF_* to take if it is matched, -1
 * none), cut at sentence, clause or word boundaries.
 */
int ksearch__where(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
		   const struct kreader *r, int prefer, struct ksearch_hit *h, int chars, struct kerr *err);

/*
 * ksearch__where() for the hits hits[0..n) at once, the same answers: the
 * match run once over the index for them all rather than looked up once
 * per hit (kstore_search_highlight_many(): for a match with a prefix).
 */
int ksearch__where_many(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
			const struct kreader *r, int prefer, struct ksearch_hit *const *hits, size_t n, int chars,
			struct kerr *err);

#endif
