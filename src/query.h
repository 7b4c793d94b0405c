/*
 * query.h - the query language of search.  This module owns parsing what a
 * person types in a search box and compiling it (struct kquery) into the
 * expression tree the store runs (store_query.h): segmentation of Japanese
 * words, synonyms, the relaxed tier.
 *
 *     word word        all words (AND)
 *     "a phrase"       the words in this order ("..." or “...” or ＂...＂)
 *     -word -"phrase"  exclude cases with it
 *     a OR b           either (also "|"); binds tighter than AND: a b OR c = a (b OR c)
 *     ( ... )          grouping
 *
 * Full-width spaces, quotes, parentheses and minus signs count as their
 * ASCII forms.  User text never becomes syntax: every term is one phrase
 * of the tree (which the store quotes: one FTS5 string, "..." with "
 * doubled), so no user input is an operator, a column filter or a prefix.
 * A term that ends in a single CJK character (a one-kanji query such as
 * 系) becomes a prefix phrase ("系" *), because the index holds CJK text as
 * overlapping bigrams.
 *
 * A Japanese word typed without spaces (待機系への切替, パッチ未適用) is
 * segmented (segment.h); it then matches the exact string OR all of its
 * segments, so cases with the exact string rank first (bm25 adds the
 * phrase's score) and cases that say it differently (予備系に切り替えた)
 * are still found.  Synonyms (synonym.h, see synonyms.txt) are applied to
 * every word and segment as an OR group.
 */
#ifndef KYOKUN_QUERY_H
#define KYOKUN_QUERY_H

#include <stddef.h>

#include "store_query.h"

struct kerr;
struct ksyn;

/* Caps on what a query may be. */
#define KSEARCH_MAX_QUERY 4096   /* bytes of query text */
#define KSEARCH_MAX_TERMS 32     /* words and phrases, before expansion */
#define KSEARCH_MAX_PHRASES 128  /* phrases after segmentation and synonyms */
#define KSEARCH_MAX_PREFIXES 8   /* one-character words (prefixes: every word starting with it) */
#define KSEARCH_MAX_SECTION_TERMS 8 /* words of a section:NAME search (it reads every case with them) */

enum { KP_EXACT, KP_SEGMENT, KP_SYNONYM };  /* struct kphrase.kind */

struct kquery {
	struct kstore_query expr;    /* all the words: what the store runs and ranks */
	struct kstore_query head;    /* the same in the title, summary and lessons only */
	struct kstore_query relaxed; /* some but not all of the words, each whole (.root NULL: none) */
	struct kstore_query relaxed_parts; /* relaxed's cases ranked: the parts of its words scoring
					    * wherever they are (.root NULL: relaxed itself) */
	char *match;        /* expr as the store runs it: the FTS5 MATCH expression (display, tests) */
	char *head_match;   /* head, the same */
	char *relaxed_match; /* relaxed, the same, or NULL */
	char **terms;       /* the user's positive words and phrases, as typed */
	size_t nterms, terms_alloc;
	struct kphrase *phrases; /* every phrase of expr, in the order compiled */
	size_t nphrases, phrases_alloc;
	int has_not;
	struct kstore_qnode *tree, *relaxed_tree, *parts_tree; /* the trees the four point into */
};

enum {
	KQ_NO_SEGMENT = 1,  /* do not segment Japanese words */
	KQ_NO_SYNONYMS = 2, /* do not expand synonyms */
	KQ_ALL_PHRASES = 4, /* keep alternatives another one subsumes (for marking snippets) */
};

/*
 * Why a query was refused (struct kerr's why, with its numbers num[] and
 * word): so that the web can say it in the page's language.  The English
 * message stays in err->msg for the CLI and the API.
 */
enum kquery_why {
	KQERR_NONE,
	KQERR_QUOTE,          /* word: the start of the phrase left open */
	KQERR_WORDS,          /* num[0]: the most words */
	KQERR_NESTING,
	KQERR_PAREN_OPEN,
	KQERR_PAREN_EMPTY,
	KQERR_PAREN_CLOSE,
	KQERR_OR_SIDES,
	KQERR_NOT_WORD,
	KQERR_END,
	KQERR_NOT_TWICE,
	KQERR_PHRASES,        /* num[0]: the most phrases with synonyms and segments */
	KQERR_NOT_ALONE,      /* word: the excluded word */
	KQERR_NOT_IN_OR,
	KQERR_ONLY_NOT,
	KQERR_BYTES,          /* num[0]: the query's bytes, num[1]: the most */
	KQERR_UTF8,
	KQERR_EMPTY,
	KQERR_NO_WORD,
	KQERR_PREFIXES,       /* num[0]: the most one-character words */
	KQERR_SECTION_WORDS,  /* num[0]: the most, num[1]: the words given */
	KQERR_SECTION_UNKNOWN, /* word: the name given */
	KQERR_SECTION_TWO,    /* word: the second section named */
	KQERR__N
};

/*
 * Parse and compile a user query.  KE_USAGE with a message for an empty
 * query, no searchable word, unbalanced quotes or parentheses, a query of
 * only excluded words; KE_TOOBIG past the caps above.
 * syn may be NULL (no synonyms).
 */
int kquery_compile(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		   struct kerr *err);
/*
 * The same for a query that runs on the library st (NULL: as
 * kquery_compile()): a synonym that no case of st holds (one of its index
 * tokens in no case, by the vocabulary) is left out, as it would match and
 * score nothing.  The word as typed and its segments always stay.  Call it
 * inside the read transaction the search runs in (kstore_read_begin()), so
 * that the vocabulary read is the one searched.
 */
struct kstore;
int kquery_compile_in(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		      struct kstore *st, struct kerr *err);
void kquery_free(struct kquery *q);

/* The segments of a Japanese word as the compiler cuts it: ksegment_split()
 * of segment.h (the name callers have used). */
struct kstrv;
int kquery_segment(const char *word, struct kstrv *out);

#endif
