/*
 * similar.h - similar cases.  This module owns finding the cases most like
 * a case or a text: the text's distinctive terms (content words weighted
 * by column and by how rare they are in the library), then the cases that
 * share the most of them, ranked like a search.  The result is a struct
 * ksearch_result (search.h) whose terms are the terms used and whose hits
 * carry the terms they share.
 *
 * Visibility: filter.reader (reader.h; NULL = anonymous) hides every case
 * that reader may not see, the case asked about included.
 */
#ifndef KYOKUN_SIMILAR_H
#define KYOKUN_SIMILAR_H

#include "case.h"
#include "search.h"
#include "store.h"

struct kerr;
struct kstore;

#define KSIMILAR_MAX_TEXT (1 << 20) /* bytes of similar --text */

struct ksimilar_opts {
	const char *id;           /* a case ... */
	const char *text;         /* ... or a text */
	struct kfilter filter;    /* reader, limit (default 10), other filters */
	int nterms;               /* distinctive terms to use (default 24) */
	int no_total;             /* 1: res->total not wanted (-1 where the ranking did not count it) */
};

#define KSIMILAR_OPTS_INIT { .filter = KFILTER_INIT }

/*
 * Cases most like the case id (not itself) or like text.  The case must be
 * visible to filter.reader (else KE_NOTFOUND, as for an absent id).
 * res->terms are the distinctive terms used; each hit's shared[] the ones
 * it contains.
 */
int ksimilar(struct kstore *st, const struct ksimilar_opts *o, struct ksearch_result *res,
	     struct kerr *err);

/*
 * The content words ksimilar() would weigh in text (runs of kanji,
 * katakana or letters of two or more; before looking them up in the
 * library): 0 for a text of only punctuation, digits or kana particles.
 * -1 if text is not valid UTF-8 or memory ran out.
 */
long ksimilar_text_words(const char *text);

/*
 * Where a similar hit's shared terms occur in its case: the places (keys as
 * in the case JSON: "title", "summary", "key_lessons", then the sections
 * "background", "detection", ... in the order the reports print them, then
 * "timeline"), each with the shared terms (bit t: hit->shared[t]) found
 * there, in that order.  Keys are static strings.
 */
#define KSIMILAR_WHERE_MAX (KSEC__N + 4)

struct ksimilar_where {
	const char *key[KSIMILAR_WHERE_MAX];
	unsigned long long terms[KSIMILAR_WHERE_MAX];
	size_t n;
};

/*
 * Fill *w for hit h of a ksimilar() result.  The hit is one the reader
 * could see (ksimilar() left out the others), so its case is read without
 * asking again.  0, KE_NOTFOUND (the case went away meanwhile: *w empty),
 * KE_DB or KE_NOMEM.
 */
int ksimilar_where(struct kstore *st, const struct ksearch_hit *h, struct ksimilar_where *w,
		   struct kerr *err);

#endif
