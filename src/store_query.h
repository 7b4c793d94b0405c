/*
 * store_query.h - a search expression as the search layer hands it to the
 * store: a tree of phrases joined by AND, OR and NOT, with the columns it
 * may match in and the rows it must not match.  The search modules build
 * it (query.c from what a person types, similar.c from a case's terms);
 * each store backend renders it in its own query language (store_sqlite_search.c:
 * an FTS5 MATCH expression, every phrase quoted) and ranks by its phrases.
 * No user text is ever syntax here: a phrase's text is words to look for.
 *
 * A phrase is numbered by its place, depth first, left to right, the
 * root's before the except's (FTS5's phrase number; bit i of struct
 * kstore_hit.phrases).
 */
#ifndef KYOKUN_STORE_QUERY_H
#define KYOKUN_STORE_QUERY_H

#include <stddef.h>

/* One phrase: its words in this order. */
struct kphrase {
	char *text;    /* the words, unquoted (the index's tokenizer splits them) */
	int prefix;    /* its last token is a prefix ("系" *: a single CJK character) */
	int term;      /* the search layer's: the user term it serves (struct kquery.terms), -1 none */
	int kind;      /* the search layer's: KP_EXACT, KP_SEGMENT, KP_SYNONYM (query.h) */
};

enum {
	KSQ_PHRASE,
	KSQ_AND,       /* every kid */
	KSQ_OR,        /* any kid */
	KSQ_NOT,       /* kid[0] and not kid[1] */
};

struct kstore_qnode {
	int op;                     /* KSQ_* */
	struct kphrase phrase;      /* KSQ_PHRASE */
	struct kstore_qnode **kid;  /* AND, OR: two or more; NOT: two */
	size_t nkid;
};

/* What a search asks the store for. */
struct kstore_query {
	const struct kstore_qnode *root;   /* the rows matching this ... */
	const struct kstore_qnode *except; /* ... and not this (NULL: none; the relaxed tier) */
	unsigned cols;                     /* only in these columns: bits 1 << KCOL_* (store_search.h); 0 all */
};

#endif
