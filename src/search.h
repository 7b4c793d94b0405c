/*
 * search.h - full-text search, facets and similar cases: the library call
 * behind `kyokun search`, `kyokun similar` and the web application.
 *
 * Query language (what a person types in a search box):
 *
 *     word word        all words (AND)
 *     "a phrase"       the words in this order ("..." or “...” or ＂...＂)
 *     -word -"phrase"  exclude cases with it
 *     a OR b           either (also "|"); binds tighter than AND: a b OR c = a (b OR c)
 *     ( ... )          grouping
 *
 * Full-width spaces, quotes, parentheses and minus signs count as their
 * ASCII forms.  User text never reaches FTS5 syntax unquoted: every term is
 * one FTS5 string ("..." with " doubled), so no user input is an operator,
 * a column filter or a prefix.  A term that ends in a single CJK character
 * (a one-kanji query such as 系) becomes a prefix query "系" *, because the
 * index holds CJK text as overlapping bigrams.
 *
 * A Japanese word typed without spaces (待機系への切替, パッチ未適用) is
 * segmented at particles (の, へ, を, による, ...) and at changes between
 * kanji, katakana and Latin letters; it then matches the exact string OR
 * all of its segments, so cases with the exact string rank first (bm25 adds
 * the phrase's score) and cases that say it differently (予備系に切り替え
 * た) are still found.  Synonyms (see synonyms.txt) are applied to every
 * word and segment as an OR group.
 *
 * Ranking is bm25 with column weights (title, summary and lessons above
 * body and timeline); see store_search.h for the two-phase evaluation.
 *
 * Visibility: filter.reader (reader.h; NULL = anonymous) hides every case
 * that reader may not see from hits, totals, facet counts and similar cases.
 */
#ifndef KYOKUN_SEARCH_H
#define KYOKUN_SEARCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "store.h"

struct kerr;
struct kbuf;

/* Caps on what a query may be. */
#define KSEARCH_MAX_QUERY 4096   /* bytes of query text */
#define KSEARCH_MAX_TERMS 32     /* words and phrases, before expansion */
#define KSEARCH_MAX_PHRASES 128  /* FTS5 strings after segmentation and synonyms */
#define KSIMILAR_MAX_TEXT (1 << 20) /* bytes of similar --text */

/* ---- synonyms ----------------------------------------------------------- */

struct ksyn;

/*
 * Load the synonym list: from path if non-NULL; else $KYOKUN_SYNONYMS; else
 * data/synonyms.txt next to the binary's directory or its ../share/kyokun/;
 * else the list compiled into kyokun.  Format: one group per line, words
 * separated by spaces (or "/", ",", "、"); "#" starts a comment.
 */
int ksyn_load(struct ksyn **out, const char *path, struct kerr *err);
/* Parse a list from memory (same format). */
int ksyn_parse(struct ksyn **out, const char *text, size_t len, const char *what,
	       struct kerr *err);
void ksyn_free(struct ksyn *s);
/* The shared list loaded once (ksyn_load(NULL)); never NULL after success. */
int ksyn_default(const struct ksyn **out, struct kerr *err);
/* Where the default list came from: a path, or "built-in". */
const char *ksyn_source(const struct ksyn *s);
/* The group containing word (compared normalised), as a NULL-terminated
 * array of the group's words, or NULL. */
const char *const *ksyn_lookup(const struct ksyn *s, const char *word);

/* ---- query compilation -------------------------------------------------- */

/* One FTS5 string of the compiled expression (its index is FTS5's phrase number). */
struct kphrase {
	char *text;    /* the text given to FTS5, unquoted */
	int prefix;    /* followed by * */
	int term;      /* index of the user term (struct kquery.terms) it serves */
	int kind;      /* KP_EXACT, KP_SEGMENT, KP_SYNONYM */
};

enum { KP_EXACT, KP_SEGMENT, KP_SYNONYM };

struct kquery {
	char *match;        /* the FTS5 MATCH expression */
	char *head_match;   /* the same restricted to the title/summary/lessons columns */
	char *relaxed_match; /* cases with some but not all of the words, or NULL */
	char **terms;       /* the user's positive words and phrases, as typed */
	size_t nterms;
	struct kphrase *phrases;
	size_t nphrases;
	int has_not;
};

enum {
	KQ_NO_SEGMENT = 1,  /* do not segment Japanese words */
	KQ_NO_SYNONYMS = 2, /* do not expand synonyms */
	KQ_ALL_PHRASES = 4, /* keep alternatives another one subsumes (for marking snippets) */
};

/*
 * Parse and compile a user query.  KE_USAGE with a message for an empty
 * query, no searchable word, unbalanced quotes or parentheses, a query of
 * only excluded words; KE_TOOBIG past the caps above.
 * syn may be NULL (no synonyms).
 */
int kquery_compile(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		   struct kerr *err);
void kquery_free(struct kquery *q);

/*
 * Segment a Japanese word for searching: content words split at particles
 * and script changes.  Appends the segments (copies) to out; returns their
 * number (1 = not split), or KE_NOMEM.
 */
struct kstrv;
int kquery_segment(const char *word, struct kstrv *out);

/* ---- search ------------------------------------------------------------- */

/* A highlighted stretch of a snippet: [start, end) in bytes of snippet. */
struct kspan {
	int start, end;
};

struct ksearch_hit {
	long long rid;
	char *id;
	char *title;
	char *document;
	int has_year, year;
	int has_case_number, case_number;
	char *category;
	char *tlp;
	double score;             /* higher is better */
	int partial;              /* matches only some of the words (the relaxed tier) */
	char *snippet;            /* an excerpt of the original text, or NULL */
	const char *snippet_field; /* "title", "summary", "lessons", "body", "timeline", "meta" */
	int snippet_offset;       /* where snippet starts in that field's text, in bytes */
	int snippet_more;         /* the field's text goes on after snippet */
	struct kspan *spans;      /* highlights within snippet */
	size_t nspans;
	char **shared;            /* similar: the terms this case shares */
	size_t nshared;
};

enum {
	KFACET_CATEGORY,
	KFACET_DOCUMENT,
	KFACET_YEAR,
	KFACET_EVENT_CLASS,
	KFACET_THREAT,
	KFACET_SECTOR,
	KFACET_READER_LEVEL,
	KFACET_TLP,
	KFACET__N
};

/* "category", "document", ... (also the --filter keys). */
const char *kfacet_name(int facet);

struct kfacet_value {
	char *value;
	long count;
};

struct kfacet {
	struct kfacet_value *v;   /* by count, descending, then value */
	size_t n;
};

struct ksearch_opts {
	const char *query;
	struct kfilter filter;    /* filters, reader, limit (default 10, max 1000), offset */
	int facets;               /* compute facet counts */
	int snippets;             /* make snippets */
	int snippet_chars;        /* length of a snippet in characters (default 120) */
	int flags;                /* KQ_* */
	const struct ksyn *syn;   /* NULL: the default list */
	int exact_total;          /* count the hits (total); else total is -1 */
	int exact_rank;           /* bm25 over every hit, not the two-phase ranking */
};

#define KSEARCH_OPTS_INIT { .filter = KFILTER_INIT, .facets = 1, .snippets = 1, .exact_total = 1 }

struct ksearch_result {
	char *query;
	char *match;              /* the FTS5 expression that ran */
	long total;               /* visible cases matching the query (-1 if not counted) */
	long total_partial;       /* and cases matching only some of its words */
	struct ksearch_hit *hits;
	size_t nhits;
	int has_facets;
	struct kfacet facets[KFACET__N];
	char **terms;             /* similar: the terms the query used */
	size_t nterms;
};

/*
 * Run a search.  Zero hits is success.  Errors: KE_USAGE (the query; the
 * message is fit for the person who typed it), KE_TOOBIG, KE_DB, KE_NOMEM.
 * res must be freed with ksearch_result_free() whatever the return.
 */
int ksearch(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
	    struct kerr *err);
void ksearch_result_free(struct ksearch_result *res);

/*
 * Set one filter from a KEY=VALUE given by a person (--filter, a query
 * string): keys are the facet names; values are checked (year a number,
 * tlp a level, event_class a known class).  The filter points into value,
 * which must outlive it.  KE_USAGE for an unknown key or a bad value.
 */
int ksearch_filter_set(struct kfilter *f, const char *key, const char *value, struct kerr *err);

/*
 * The same from one "KEY=VALUE" argument (--filter).  seen[KFACET__N]
 * (zeroed by the caller) refuses a key given twice.  f points into arg.
 */
int ksearch_filter_arg(struct kfilter *f, const char *arg, int *seen, struct kerr *err);

/* ---- similar cases -------------------------------------------------------- */

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

/* ---- output ---------------------------------------------------------------- */

/*
 * The result as JSON: {"query", "total", "results":[{"id","title",
 * "source":{"document","year","case_number"},"category","tlp","score",
 * "snippet","highlights":[[start,end],...],"snippet_field"}...], "facets":
 * {"category":{"value":count,...},...}}; highlights are in Unicode
 * characters of snippet.  Similar results carry "shared_terms" and the
 * result "terms".  Returns a new reference or NULL (out of memory).
 */
json_t *ksearch_result_json(const struct ksearch_result *res);

/*
 * The result as text for a person: a numbered list with source, score and
 * snippet (matches in bold when color, else in 【】), then the facets (if
 * any).  similar prints its terms and each hit's shared terms.
 */
void ksearch_result_text(const struct ksearch_result *res, FILE *fp, int color, int similar);

/* Print res to fp as indented JSON (json != 0) or as text; 0 or KE_NOMEM. */
int ksearch_result_print(const struct ksearch_result *res, FILE *fp, int json, int color, int similar);

#endif
