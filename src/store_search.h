/*
 * store_search.h - the store side of search (store.c hands each call to
 * the backend; SQLite's is store_sqlite_search.c): ranked
 * matches, counts and facets for a search expression, highlighted column
 * text, term statistics for `similar`.  Only the search modules (search.c,
 * query.c, similar.c) call these.  The expression is a tree of phrases
 * (store_query.h), which store_sqlite_search.c renders as an FTS5 MATCH
 * expression with every phrase quoted.
 *
 * Visibility: every function takes the filter's reader into account, so
 * no hidden case is ranked, counted or read.
 */
#ifndef KYOKUN_STORE_SEARCH_H
#define KYOKUN_STORE_SEARCH_H

#include <stddef.h>

#include "store.h"
#include "store_query.h"

struct kstore;
struct kfilter;
struct kerr;
struct kcase_row;

/* The columns of case_fts, in order (migration 2 in store_sqlite.c). */
enum {
	KCOL_TITLE,
	KCOL_SUMMARY,
	KCOL_LESSONS,
	KCOL_BODY,
	KCOL_TIMELINE,
	KCOL_META,
	KCOL__N
};

/* "title", "summary", ... */
const char *kstore_col_name(int col);

/* One ranked match. */
struct kstore_hit {
	long long rid;
	double score;            /* higher is better */
	unsigned long long phrases; /* bit i: phrase i of the query occurs in the case (i < 64) */
};

/*
 * The best limit matches of q (after offset) that pass f, best first,
 * by bm25 with column weights (title 8, summary 4, lessons 3, body and
 * timeline 1, meta 0.5).  exclude_rid (0 = none) is left out (similar
 * cases).  *hits is allocated (free it); *n is the number of hits.
 *
 * By default (offset + limit up to 10,000) FTS5 evaluates the match and
 * each matching row is scored in C (bm25 with the same numbers as FTS5's;
 * a row's filters and length are read only if its upper bound can reach
 * the page).  Up to 8,192 rows in the table, idf is exact; above, it is
 * estimated from a fixed sample of the rows (a single phrase's is always
 * exact).  From 65,536 rows on, when a search is still in the first half
 * of the rowids after 3 ms and there are two processors, the
 * second half is scored at once on a second, read-only connection (opened
 * on first use and kept; KYOKUN_SEARCH_THREADS=1 in the environment turns
 * this off).  KSTORE_RANK_SQL uses the SQL statement
 * with kyokun_rank() instead (exact idf always); on a small table both
 * give the same hits, scores and order.
 * KSTORE_RANK_EXACT scores every hit with kyokun_rank() unpruned and sorts
 * them.  The score is FTS5's bm25() with column weights, except that the
 * alternatives of one typed word (the word, its synonyms) count as one
 * term (store_sqlite_search.c, grouped_bm25()).
 */
enum {
	KSTORE_RANK_EXACT = 1,
	KSTORE_RANK_SQL = 2,  /* the pruned SQL statement, not the match scored in C (tests, comparison) */
	KSTORE_RANK_LOAD = 4, /* read all document lengths at once (tests) */
	KSTORE_RANK_SAMPLE = 8, /* estimate idf from tiny samples, whatever the size (tests) */
	KSTORE_RANK_SPLIT = 16, /* two connections at once, whatever the size (tests) */
};

int kstore_search_top(struct kstore *st, const struct kstore_query *q, int flags, const struct kfilter *f,
		      long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
		      struct kerr *err);

/*
 * kstore_search_top() (no rid left out) that counts on the way: *total the
 * rows of q passing f, exactly as kstore_search_count() gives them.  With
 * any (the relaxed tier without its except: every phrase of q ORed; may
 * be NULL), *total_any the rows of any passing f, and where q's shape
 * allows it (its words each a phrase or an OR of phrases) the hits come
 * from one run over any's rows (q's ranked, all counted): q's hits and
 * scores are those of kstore_search_top(), and the cases with only some
 * of the words are total_any - total without a second run.  A count
 * the backend could not take on the way is -1 (ask kstore_search_count).
 */
int kstore_search_counted(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			  int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			  size_t *n, long *total, long *total_any, struct kerr *err);

/*
 * The same, with the rowids of the cases counted in *total (ascending, no
 * repeats; rows->v malloc'ed, the caller frees it) where the run saw every
 * one of them, so that their facets need no second run
 * (kstore_search_facets_rids()); rows->v NULL where it did not.
 */
struct kstore_rows {
	long long *v;
	size_t n;
};
int kstore_search_counted_rows(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			       int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			       size_t *n, long *total, long *total_any, struct kstore_rows *rows, struct kerr *err);

/*
 * threads: how many connections a search may use at once (0: two when the
 * machine has two processors and the table 65,536 rows or more; 1: one).
 * facets_sql: count facets and filtered totals with SQL joins instead of
 * the columns kept in memory (comparison, tests).
 */
void kstore_search_tune(struct kstore *st, int threads, int facets_sql);

/*
 * Read into st's memory now what its first search, case page or similar
 * list would read on first use (the facet columns, each case's length), so
 * that the first request after a server starts does not wait for it.  A
 * server's compute thread calls it on its connection as it starts.
 * Returns 0 or an error (nothing is kept; the first use reads as usual).
 */
int kstore_search_warm(struct kstore *st, struct kerr *err);

/* Number of visible cases matching (f's filters apply). */
int kstore_search_count(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			long long exclude_rid, long *total, struct kerr *err);

/*
 * Facet counts for the visible cases matching q and f: cb gets
 * (facet, value, count) with facet a KFACET_* of store.h; *total the
 * number of matching cases.  q NULL: every case that passes f (what
 * browsing counts).
 */
#ifndef KSTORE_FACET_CB
#define KSTORE_FACET_CB
typedef int (*kstore_facet_cb)(void *ctx, int facet, const char *value, long count);
#endif
int kstore_search_facets(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			 kstore_facet_cb cb, void *ctx, long *total, struct kerr *err);

/*
 * The facet counts (as kstore_search_facets() gives them) of the cases
 * rids[0..n) (sorted ascending, no repeats), which the caller has found
 * for its reader and filters.
 */
int kstore_search_facets_rids(struct kstore *st, const long long *rids, size_t n, kstore_facet_cb cb, void *ctx,
			      struct kerr *err);

/*
 * Every case matching q that passes f (its reader, its filters), unranked:
 * their rowids ascending into *rids (malloc'ed, the caller frees) and *n.
 * 1 (nothing done) when the backend cannot list them so (the caller ranks
 * them with kstore_search_top() instead).
 */
int kstore_search_rids(struct kstore *st, const struct kstore_query *q, const struct kfilter *f, long long **rids,
		       size_t *n, struct kerr *err);

/* The listing row of a case by rid (NOTFOUND if absent or hidden from r). */
int kstore_search_row(struct kstore *st, long long rid, const struct kreader *r, kstore_row_cb cb, void *ctx,
		      struct kerr *err);

/*
 * The text of each column of case rid with the matches of q marked by
 * open and close (kyokun_highlight()).  cols[i] are allocated (free them),
 * "" for an empty column.
 */
int kstore_search_highlight(struct kstore *st, const struct kstore_query *q, long long rid,
			    const char *open, const char *close, char *cols[KCOL__N], struct kerr *err);

/*
 * kstore_search_highlight() for the rows rids[0..n) (sorted ascending, no
 * repeats) at once, with one run of the match over the index: each row of
 * q among them given to cb, in no set order, with its columns (cb takes
 * them and frees them, also when it fails).  For a match that is costly
 * to set up, as a prefix is (FTS5 gathers every word of the prefix for
 * each run, however few rows it then reads).  A negative return from cb
 * stops and is returned.
 */
typedef int (*kstore_highlight_cb)(void *ctx, long long rid, char *cols[KCOL__N]);
int kstore_search_highlight_many(struct kstore *st, const struct kstore_query *q, const long long *rids,
				 size_t n, const char *open, const char *close, kstore_highlight_cb cb,
				 void *ctx, struct kerr *err);

/*
 * Each row of q among rids[0..n) (sorted ascending, no repeats) that r
 * may see, in no set order, given to cb: its rid, column col's text with
 * q's matches marked by open and close (as kstore_search_highlight()
 * marks it) and the case's interchange JSON (NULL if none).  The match is
 * run once for them all; a row outside rids is not marked.  A negative
 * return from cb stops and is returned.
 */
typedef int (*kstore_marked_cb)(void *ctx, long long rid, const char *marked, const char *json);
int kstore_search_marked(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			 size_t n, const struct kreader *r, const char *open, const char *close,
			 kstore_marked_cb cb, void *ctx, struct kerr *err);

/*
 * Where a case's parts begin in the lessons and body columns (see
 * store_sqlite_parts.c): a part of column col (KCOL_LESSONS, KCOL_BODY)
 * is a section (what = KSEC_*) or one key lesson (KPART_KEY_LESSON); its
 * tokens run from first to the next part's of the same column.
 */
#define KPART_KEY_LESSON 0xFE
struct kstore_part {
	int col, what;
	unsigned first;
};

/* A phrase of the query (its number, as struct kstore_hit.phrases numbers them) at a token of a column. */
struct kstore_inst {
	int phrase;
	int pos;
};

/* A row's instances of one query's phrases, inst[0..n); holds 0 where that query does not hold in the row. */
struct kstore_marks {
	const struct kstore_inst *inst;
	size_t n;
	int holds;
};

/*
 * Each row of q among rids[0..n) (sorted ascending, no repeats) that r
 * may see, in no set order, given to cb: its rid, m[0] the instances in
 * column col of q's phrases (those kstore_search_marked() would mark, in
 * the index's order) and the case's parts, or parts NULL when the index
 * does not know them (a case stored before they were kept: read it with
 * kstore_search_marked()).  A row where q does not hold is left out.  The
 * match is run once for them all.  A negative return from cb stops and is
 * returned.
 */
typedef int (*kstore_parts_cb)(void *ctx, long long rid, const struct kstore_marks *m,
			       const struct kstore_part *parts, size_t nparts);
int kstore_search_parts(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			size_t n, const struct kreader *r, kstore_parts_cb cb, void *ctx, struct kerr *err);
/*
 * The same for every row of q that passes f (its reader, its filters), in
 * ascending rowid order: the cases are listed and their parts read in one
 * run of the match.  With q2 (else NULL), a query of the same phrases in
 * the same order (another tree over them: a search's all-words and
 * some-words tiers), m[1] is q2's marks in the same row, and a row where
 * either holds is given (m[i].holds says which).  1 (nothing done) when
 * the backend cannot filter them so (the caller lists them with
 * kstore_search_rids() first) or q2's phrases are not q's.
 */
int kstore_search_parts_all(struct kstore *st, const struct kstore_query *q, const struct kstore_query *q2, int col,
			    const struct kfilter *f, kstore_parts_cb cb, void *ctx, struct kerr *err);

/*
 * The searchable text of a case by id (KE_NOTFOUND if absent or hidden
 * from r), column by column; cols[i] allocated.
 */
int kstore_case_text(struct kstore *st, const char *id, const struct kreader *r, long long *rid,
		     char *cols[KCOL__N], struct kerr *err);

/* In how many cases the index token tok occurs (fts5vocab: walks its rows). */
int kstore_token_df(struct kstore *st, const char *tok, int ntok, long *df, struct kerr *err);

/*
 * df[i]: the rows holding phrases[i], for n up to 1,000: counted exactly
 * (*exact = 1) up to 8,192 rows in the table, else estimated from a fixed
 * sample of the rows (0 then means rare, not none).
 */
int kstore_phrase_df(struct kstore *st, const struct kphrase *phrases, size_t n, double *df, int *exact,
		     struct kerr *err);

/* *n: the rows holding phrase, counted up to most (a quick look for a rare one). */
int kstore_phrase_rows(struct kstore *st, const struct kphrase *phrase, long most, long *n, struct kerr *err);

/*
 * q as the store runs it: the FTS5 MATCH expression (for display and
 * tests; the functions above render it themselves).  NULL if out of
 * memory or q is malformed.
 */
char *kstore_query_text(const struct kstore_query *q);

/* Number of indexed cases (all, visible or not: for idf only). */
int kstore_indexed(struct kstore *st, long *n, struct kerr *err);

/*
 * Term statistics for reader r, exact and cheap (the vocabulary, kept at
 * every commit): *df the cases holding the index token tok, *n the cases,
 * both counting only the cases r sees in full (every case of the TLP
 * levels r sees on every case; kreader_levels_always()), so that cases
 * hidden from r never change r's scores.
 */
int kstore_term_df(struct kstore *st, const struct kreader *r, const char *tok, int ntok, long *df,
		   struct kerr *err);
int kstore_term_docs(struct kstore *st, const struct kreader *r, long *n, double *avgdl, struct kerr *err);

/*
 * kstore_search_top() for similar cases, scored with the caller's
 * statistics (idf[i] for the query's phrase i, the average length avgdl:
 * the reader's, from kstore_term_df/kstore_term_docs) instead of the whole
 * library's; *total: the rows of the match passing f, counted on the way
 * (-1 when not counted: ask kstore_search_count).
 */
int kstore_similar_top(struct kstore *st, const struct kstore_query *q, const double *idf, double avgdl,
		       const struct kfilter *f, long long exclude_rid, long limit, long offset,
		       struct kstore_hit **hits, size_t *n, long *total, struct kerr *err);

#endif
