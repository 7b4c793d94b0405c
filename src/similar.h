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

#endif
