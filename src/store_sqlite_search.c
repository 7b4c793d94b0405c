/*
 * store_sqlite_search.c - the SQLite backend's search: the SQL of search,
 * facets and similar cases (the other half of the backend, with
 * store_sqlite.c, whose table kstore_be_sqlite reaches the ksqlite_search_*
 * functions here).  Bound parameters only; the
 * MATCH expression is rendered here from the search layer's tree
 * (store_query.h), every phrase quoted.
 *
 * Statements used on every search are prepared on first use into
 * st->cache[]; statements whose text depends on the filter are prepared per
 * call.
 */
#include "store_search.h"
#include "store_sqlite.h"
#include "store_sqlite_cover.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "tokenizer.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sqlite3.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

/* st->cache[] slots. */
enum {
	C_INIT,      /* prepared once the aux functions are registered */
	C_ROW,
	C_HL,
	C_TEXT,
	C_INDEXED,
	C_TOP,
	C_TOP2,
	C_COUNT,
	C_STATS,
	C_DLALL,
	C_MINID,
	C_MAXID,
	C_NROWS,
	C_COLLECT,
	C_COLLECT2,
	C_STATE,
	C_SOME,
	C_DF,
	C_DLONE,
	C_MARKED,
	C_SAMPLE,
	C_SAMPLEW,
	C_HLMANY,
	C_PARTS,
	C_PARTS_ALL,
	C_PARTS_ALL2,
	C__N
};

_Static_assert(C__N <= KSQLITE_NCACHE, "raise KSQLITE_NCACHE");

/* The most phrases the ranking in C takes (a bit each in a 64-bit mask; more: the SQL path). */
#define TOPK_MAX_PHRASES 64

/*
 * The ANDs inside a query's groups (counts_groups()): a word's parts, each
 * part a phrase or its synonyms ORed (サポート AND 詐欺; (予備系 OR 待機系) AND
 * (切り替え OR 切替)).  A phrase of an AND counts in a row only where each
 * kid of its AND has a phrase in the row.
 */
#define CONJ_MAX_KIDS 8
struct conj {
	int on;                                  /* some AND has two kids or more */
	signed char and_of[TOPK_MAX_PHRASES];    /* phrase i's AND in ands[], -1: none */
	struct {
		int nkid;
		unsigned long long kid[CONJ_MAX_KIDS]; /* each kid's phrases (bit i: phrase i) */
	} ands[TOPK_MAX_PHRASES / 2];
	int nands;
};

/*
 * Column weights of bm25: what a title or summary says is worth more than
 * the same words deep in the body.  The lessons column holds the key
 * lessons and the sections 得られた気付き・教訓 and 再発防止策 (what the
 * case teaches: put_text() in store_sqlite.c); meta is the category and
 * organisation.
 */
#define WEIGHTS "8.0, 4.0, 3.0, 1.0, 1.0, 0.5"

/* ---- FTS5 auxiliary functions ------------------------------------------- */

/* kyokun_phrases(case_fts): bit i set when phrase i (i < 64) occurs in the row. */
static void aux_phrases(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
			int argc, sqlite3_value **argv)
{
	unsigned long long mask = 0;
	int n = api->xPhraseCount(fts);

	(void)argc;
	(void)argv;
	for (int i = 0; i < n && i < 64; i++) {
		Fts5PhraseIter it;
		int col = -1, off = -1;

		if (api->xPhraseFirst(fts, i, &it, &col, &off) != SQLITE_OK)
			continue;
		if (col >= 0)
			mask |= 1ULL << i;
	}
	sqlite3_result_int64(sctx, (sqlite3_int64)mask);
}

/*
 * kyokun_rank(case_fts, k, w0, ..., w5, groups, stats): FTS5's bm25() with
 * column weights, computed only for the rows that can still be among the
 * best k (stats, when bound: the reader's statistics, struct rank_given).
 *
 * bm25 sums, per phrase, idf * f(1+k1) / (f + k1(1 - b + b D/avgD)) with f
 * the column-weighted count of the phrase's instances and D the row's
 * length (all columns): the length costs a read of the docsize table per
 * row, and that is most of bm25's cost.  Its upper bound for D = 0 needs no
 * length, so a row whose bound is below the k-th best exact score seen so
 * far cannot be in the first k: it gets NULL without the read and never
 * reaches the sorter.  The result is the exact bm25 order of the first k
 * rows, for a fraction of the work when a query matches many rows.
 *
 * The state (idf per phrase, the k best scores as a min-heap) lives for one
 * statement.  The function is used both in WHERE and in the result, so the
 * last row's answer is remembered.  Rows that the caller's filters reject
 * must not reach it (see top_sql(): it is called inside a CASE).
 */
#define BM25_K1 1.2
#define BM25_B 0.75

/* bm25's idf of a phrase in df of nrow rows (FTS5's, kept above zero). */
static double bm25_idf(double nrow, double df)
{
	double idf = log((nrow - df + 0.5) / (df + 0.5));

	return idf > 0 ? idf : 1e-6;
}

/* One phrase's part of bm25: f its column-weighted count, dl the row's length (0: the upper bound). */
static double bm25_term(double idf, double f, double dl, double avgdl)
{
	return idf * f * (BM25_K1 + 1) / (f + BM25_K1 * (1 - BM25_B + BM25_B * dl / avgdl));
}

/*
 * The instances after the first of a position list as xPhraseFirst() leaves
 * it (it->a the next entry, it->b the end: FTS5's format, a varint per
 * instance, its offset + 2, and 0x01 then a varint before the first
 * instance of another column), weighted as phrase_freq() weighs them, added
 * to *f from column col on: what xPhraseNext() would report, one call per
 * instance saved (for a common word most of a row's cost).  -1 if the list
 * ends inside a varint (not a list: the caller asks FTS5).
 */
static int poslist_freq(const Fts5PhraseIter *it, int col, const double *w, int nw, double *f)
{
	const unsigned char *p = it->a, *e = it->b;
	double wc = col < nw ? w[col] : 1.0, sum = *f;

	if (!p)
		return p == e ? 0 : -1;
	while (p < e) {
		unsigned c = *p++;

		if (c == 1) {
			/* another column: its number, then its first instance (counted as any) */
			unsigned v = 0;

			do {
				if (p >= e)
					return -1;
				c = *p++;
				v = v << 7 | (c & 0x7f);
			} while ((c & 0x80) && v < (1u << 24));
			if (c & 0x80)
				return -1;
			wc = v < (unsigned)nw ? w[v] : 1.0;
			continue;
		}
		while (c & 0x80) {
			if (p >= e)
				return -1;
			c = *p++;
		}
		sum += wc;
	}
	*f = sum;
	return 0;
}

/*
 * poslist_freq() agrees with xPhraseNext() (checked on the first rows with
 * more than one instance this process sees): 1 yes, -1 no (FTS5's own
 * calls from then on), 0 not yet known.
 */
static _Atomic int poslist_ok;
static _Atomic int poslist_checks;

/*
 * The phrases of the row kyokun_collect() is at, each asked of FTS5 once
 * (xPhraseFirst(): bit i of known set once asked, of have when the row holds
 * phrase i, its first instance kept to count the rest from).
 */
struct row_ph {
	unsigned long long known, have;
	/* on a run with phrases on their covers (t->cv, store_sqlite_cover.h): those phrases (each
	 * one's weighted count in sfr once known), the row and the weights */
	const struct kcover *cv;
	unsigned long long cover;
	struct kcover_at *at; /* the run's row (its rowid) */
	const double *w;
	double sfr[TOPK_MAX_PHRASES];
	unsigned and_known, and_ok; /* row_counts(): whether each AND holds (bit a: conj.ands[a]) */
	struct {
		Fts5PhraseIter it;
		int col, off;
	} p[TOPK_MAX_PHRASES];
};

/*
 * Does the row hold phrase i (asked of FTS5 once, bit i of r->known)?  On a
 * run with covered phrases (r->cover), such a phrase holds where its
 * cover's tokens are in place (kcover_held(), which counts its instances
 * too), another one where FTS5 reports it at its own number in the run.
 */
static int row_has_cover(const Fts5ExtensionApi *api, Fts5Context *fts, int i, struct row_ph *r)
{
	r->known |= 1ULL << i;
	r->p[i].col = -1;
	if (r->cover >> i & 1) {
		if (kcover_held(r->cv, api, fts, r->at, i, r->w, KCOL__N, &r->sfr[i]))
			r->have |= 1ULL << i;
	} else if (api->xPhraseFirst(fts, r->cv->ph[i].base, &r->p[i].it, &r->p[i].col, &r->p[i].off) ==
			   SQLITE_OK &&
		   r->p[i].col >= 0) {
		r->have |= 1ULL << i;
	}
	return r->have >> i & 1;
}

static inline int row_has(const Fts5ExtensionApi *api, Fts5Context *fts, int i, struct row_ph *r)
{
	if (!(r->known >> i & 1)) {
		if (r->cover)
			return row_has_cover(api, fts, i, r);
		r->known |= 1ULL << i;
		r->p[i].col = -1;
		if (api->xPhraseFirst(fts, i, &r->p[i].it, &r->p[i].col, &r->p[i].off) == SQLITE_OK &&
		    r->p[i].col >= 0)
			r->have |= 1ULL << i;
	}
	return r->have >> i & 1;
}

/*
 * The column-weighted count of phrase i's instances in the row (w[col], 1
 * past nw columns); from its first instance in rp if asked for already (rp
 * may be NULL, not on a run with covered phrases).
 */
static double phrase_freq(const Fts5ExtensionApi *api, Fts5Context *fts, int i, const double *w, int nw,
			  struct row_ph *rp)
{
	Fts5PhraseIter it;
	int col = -1, off = -1, ok = poslist_ok, more;
	double f = 0, g;

	if (rp && rp->cover) {
		if (!row_has(api, fts, i, rp))
			return 0;
		if (rp->cover >> i & 1)
			return rp->sfr[i];
	}
	if (rp && (rp->known >> i & 1)) {
		it = rp->p[i].it;
		col = rp->p[i].col;
		off = rp->p[i].off;
	} else if (api->xPhraseFirst(fts, i, &it, &col, &off) != SQLITE_OK) {
		return 0;
	}
	if (col < 0)
		return 0;
	f = col < nw ? w[col] : 1.0;
	if (ok > 0 && poslist_freq(&it, col, w, nw, &f) == 0)
		return f;
	g = f;
	more = it.a && it.a < it.b;
	if (ok == 0 && poslist_freq(&it, col, w, nw, &g) < 0)
		ok = -1;
	for (api->xPhraseNext(fts, &it, &col, &off); col >= 0; api->xPhraseNext(fts, &it, &col, &off))
		f += col < nw ? w[col] : 1.0;
	if (ok == 0 && g != f)
		ok = -1;
	if (ok < 0)
		poslist_ok = -1;
	else if (ok == 0 && more && ++poslist_checks >= 64)
		poslist_ok = 1;
	return f;
}


/*
 * Synonyms are one word: the alternatives the search layer gave for one
 * typed word (an OR of phrases serving the same term: the word and its
 * synonyms) are one term of bm25, whose count is the sum of theirs and
 * whose idf is that of the most common of them (the closest to the idf of
 * "any of them" that the phrases' own counts give).  Summed as separate
 * terms, a case that once used a rare synonym (委託業者) ranked above one
 * about the word itself (委託先 in its title): the rare word added its own
 * high idf.  grp[i] is 1 when phrase i belongs to the group of phrase
 * i - 1, 0 when it starts one (grp NULL: each phrase its own).
 */
static double grouped_bm25(const char *grp, int np, const double *idf, const double *fr, double dl,
			   double avgdl)
{
	double sum = 0, f = 0, gidf = 0;

	for (int i = 0; i < np; i++) {
		if (!grp || grp[i] != 1) {
			if (f > 0)
				sum += bm25_term(gidf, f, dl, avgdl);
			f = 0;
			gidf = idf[i];
		} else if (idf[i] < gidf) {
			gidf = idf[i];
		}
		if (fr[i] > 0)
			f += fr[i];
	}
	if (f > 0)
		sum += bm25_term(gidf, f, dl, avgdl);
	return sum;
}

struct rank {
	int k, nheap, nphrase;
	char *grp;         /* the phrases' groups (grouped_bm25()), NULL: none */
	double avgdl;
	sqlite3_int64 last_rowid;
	int have_last, last_null;
	double last;
	double *heap;      /* k best exact scores, heap[0] the least */
	double idf[];
};

static int rank_count(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	(*(sqlite3_int64 *)ctx)++;
	return SQLITE_OK;
}

static void rank_free(void *p)
{
	struct rank *r = p;

	if (r) {
		sqlite3_free(r->heap);
		sqlite3_free(r->grp);
	}
	sqlite3_free(r);
}

static void heap_push(struct rank *r, double v)
{
	int i;

	if (r->nheap < r->k) {
		i = r->nheap++;
	} else {
		if (v <= r->heap[0])
			return;
		/* replace the least: sift down from the root */
		i = 0;
		for (;;) {
			int l = 2 * i + 1, m = i;

			if (l < r->nheap && r->heap[l] < (m == i ? v : r->heap[m]))
				m = l;
			if (l + 1 < r->nheap && r->heap[l + 1] < (m == i ? v : r->heap[m]))
				m = l + 1;
			if (m == i)
				break;
			r->heap[i] = r->heap[m];
			i = m;
		}
		r->heap[i] = v;
		return;
	}
	while (i > 0 && r->heap[(i - 1) / 2] > v) {
		r->heap[i] = r->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->heap[i] = v;
}

/*
 * The statistics a reader is ranked with when they are not the library's
 * (see reader_stats() below), given to kyokun_rank() as a pointer.
 */
struct rank_given {
	double nrow, avgdl;
	int np;
	const double *idf; /* per phrase, np of them; NULL: the library's statistics */
	const double *df;  /* with idf NULL: the library's count of a phrase's rows where known (>= 0) */
};

static struct rank *rank_state(const Fts5ExtensionApi *api, Fts5Context *fts, int k, const char *groups,
			       const struct rank_given *given, int *rc)
{
	struct rank *r = api->xGetAuxdata(fts, 0);
	int np = api->xPhraseCount(fts);
	sqlite3_int64 nrow = 0, total = 0;

	*rc = SQLITE_OK;
	if (r)
		return r;
	r = sqlite3_malloc64(sizeof(*r) + (size_t)(np ? np : 1) * sizeof(double));
	if (!r) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->k = k < 0 ? 1 : k; /* 0: every row scored, none pruned */
	r->nphrase = np;
	r->heap = sqlite3_malloc64((size_t)(r->k ? r->k : 1) * sizeof(double));
	if (!r->heap) {
		sqlite3_free(r);
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	if (groups && np > 0) {
		size_t len = strlen(groups);

		if (!(r->grp = sqlite3_malloc64((size_t)np))) {
			*rc = SQLITE_NOMEM;
			goto fail;
		}
		for (int i = 0; i < np; i++)
			r->grp[i] = (size_t)i < len && groups[i] == '1';
	}
	if (given && given->np == np && given->idf) {
		/* the reader's statistics */
		r->avgdl = given->avgdl > 0 ? given->avgdl : 1.0;
		memcpy(r->idf, given->idf, (size_t)np * sizeof(*r->idf));
		goto ready;
	}
	if ((*rc = api->xRowCount(fts, &nrow)) != SQLITE_OK ||
	    (*rc = api->xColumnTotalSize(fts, -1, &total)) != SQLITE_OK)
		goto fail;
	r->avgdl = nrow > 0 ? (double)total / (double)nrow : 1.0;
	if (r->avgdl <= 0)
		r->avgdl = 1.0;
	for (int i = 0; i < np; i++) {
		sqlite3_int64 hits = 0;

		/* counted by a run that saw every row (struct dfmemo), else here */
		if (given && given->np == np && given->df && given->df[i] >= 0)
			hits = (sqlite3_int64)given->df[i];
		else if ((*rc = api->xQueryPhrase(fts, i, &hits, rank_count)) != SQLITE_OK)
			goto fail;
		r->idf[i] = bm25_idf((double)nrow, (double)hits);
	}
ready:
	if ((*rc = api->xSetAuxdata(fts, r, rank_free)) != SQLITE_OK)
		return NULL; /* xSetAuxdata freed it */
	return r;
fail:
	rank_free(r);
	return NULL;
}

static void aux_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
		     int argc, sqlite3_value **argv)
{
	struct rank *r;
	double w[16], freq[64], *fr = freq, ub = 0, exact = 0;
	sqlite3_int64 rowid = api->xRowid(fts);
	int ncol = api->xColumnCount(fts), rc, np;
	const char *groups = argc > ncol + 1 ? (const char *)sqlite3_value_text(argv[ncol + 1]) : NULL;
	const struct rank_given *given = argc > ncol + 2 ? sqlite3_value_pointer(argv[ncol + 2], "kyokun_rstats") : NULL;

	r = rank_state(api, fts, argc > 0 ? sqlite3_value_int(argv[0]) : 10, groups, given, &rc);
	if (!r) {
		sqlite3_result_error_code(sctx, rc);
		return;
	}
	if (r->have_last && r->last_rowid == rowid) {
		if (r->last_null)
			sqlite3_result_null(sctx);
		else
			sqlite3_result_double(sctx, r->last);
		return;
	}
	np = r->nphrase;
	if (np > 64 && !(fr = sqlite3_malloc64((size_t)np * sizeof(double)))) {
		sqlite3_result_error_nomem(sctx);
		return;
	}
	for (int c = 0; c < ncol && c < 16; c++)
		w[c] = c + 1 < argc ? sqlite3_value_double(argv[c + 1]) : 1.0;
	for (int i = 0; i < np; i++)
		fr[i] = phrase_freq(api, fts, i, w, 16, NULL);
	ub = grouped_bm25(r->grp, np, r->idf, fr, 0, r->avgdl);
	r->have_last = 1;
	r->last_rowid = rowid;
	r->last_null = 1;
	if (r->k && r->nheap == r->k && ub < r->heap[0])
		goto out; /* cannot be among the first k */
	{
		int dl = 0;

		if ((rc = api->xColumnSize(fts, -1, &dl)) != SQLITE_OK) {
			r->have_last = 0;
			sqlite3_result_error_code(sctx, rc);
			goto out_free;
		}
		exact = grouped_bm25(r->grp, np, r->idf, fr, dl, r->avgdl);
	}
	if (r->k && r->nheap == r->k && exact < r->heap[0])
		goto out;
	if (r->k)
		heap_push(r, exact);
	r->last_null = 0;
	r->last = exact;
out:
	if (r->last_null)
		sqlite3_result_null(sctx);
	else
		sqlite3_result_double(sctx, r->last);
out_free:
	if (fr != freq)
		sqlite3_free(fr);
}

/*
 * The ranked top-k path of kstore_search_top() (top_match() below) uses
 * three auxiliary functions, each given the query's struct topk:
 *
 *   kyokun_stats(case_fts, t)    on the first matching row: the row count,
 *                                the average length, the length cache;
 *   kyokun_sample(case_fts, t)   on each row of a sample of rows matching
 *                                any phrase: counts rows per phrase (the
 *                                document frequencies bm25's idf needs);
 *   kyokun_collect(case_fts, t)  on each row of the match: bm25 in C and a
 *                                min-heap of the best k.
 */

/*
 * Document frequencies are counted exactly up to this many rows; above it
 * they are estimated from TOPK_WINDOWS windows of rowids spread over the
 * table holding this many rows in all.  Counting exactly walks every row of
 * every phrase (for a common word at a million rows, most of a query's
 * time), and idf needs only the proportion.
 */
#define TOPK_SAMPLE_ROWS 8192
#define TOPK_WINDOWS 8

/*
 * Up to this many rows, a search whose run walks every row of every phrase
 * counts the windows on the way and scores its rows after the run
 * (defer_score()) rather than walking the windows first: the windows are
 * then a good part of the run (8% at 100,000 rows: "委託先 脆弱性" 7% and
 * "ランサムウェア バックアップ" 11% less CPU), while keeping every row
 * with all the words costs about as much at any size (at 1,000,000 rows,
 * where the windows are under 1%, 訓練 took 13% more).
 */
#define TOPK_DEFER_ROWS (32 * TOPK_SAMPLE_ROWS)

/*
 * From this many rows on, a search still in the first half of the rowids
 * after this long scores the second half on a second connection at once
 * (a quick one is done before a second connection would help).
 */
#define TOPK_PARALLEL_ROWS 65536
#define TOPK_PARALLEL_AFTER_NS 3000000LL

/*
 * sample_windows()'s windows and sample_seen()'s count of their rows (two
 * statements, the second stepping through every row of the windows: at
 * 100,000 cases a quarter of a rare word's search), kept per connection
 * while the cases are unchanged, one per shape of window.
 */
struct swin {
	int valid;
	unsigned long long changes;
	sqlite3_int64 nrow;
	int nwin;
	sqlite3_int64 a[TOPK_WINDOWS], b[TOPK_WINDOWS];
	long seen;
};

/*
 * The length of every row (what xColumnSize(-1) reads from case_fts_docsize
 * one row at a time), kept per connection once a query needs many of them:
 * loaded in one scan of the docsize table, valid while the cases are
 * unchanged (ksqlite_case_changes(): other writes leave it).
 */
/*
 * The rows holding a phrase in some columns, exactly as kyokun_rank()
 * counts them (xQueryPhrase()), kept from a run that saw every row of the
 * index holding any of its phrases in those columns (a section search's
 * decision, ksqlite_search_parts_all() unfiltered): the page's ranking,
 * run next over the same phrases, need not walk each phrase's rows again.
 * Valid while the cases are unchanged; at most DFMEMO_MAX phrases.
 */
#define DFMEMO_MAX 256
struct dfent {
	unsigned cols;
	char *text; /* the phrase as fts_phrase() renders it */
	long df;
};
struct dfmemo {
	int valid;
	unsigned long long changes; /* ksqlite_case_changes() when counted */
	struct dfent *v;
	size_t n, alloc;
};

static void dfmemo_clear(struct dfmemo *dm)
{
	for (size_t i = 0; i < dm->n; i++)
		free(dm->v[i].text);
	dm->n = 0;
	dm->valid = 0;
}

struct dlcache {
	int valid;
	long reads;                 /* lengths read one by one since the last load (every query's) */
	unsigned long long changes; /* ksqlite_case_changes() when loaded */
	sqlite3_int64 n;  /* dl[0..n) by rowid */
	int *dl;          /* -1: no such row */
	struct rwin *win; /* the last reader's sample windows (reader_df()), NULL: none */
	struct swin sw[4]; /* sample_plan(): [2 * (over 16 phrases) + tiny] */
	struct dfmemo dfm; /* phrases' exact counts (struct dfmemo) */
};

static void dlcache_free(void *p)
{
	struct dlcache *dc = p;

	if (dc) {
		free(dc->dl);
		free(dc->win);
		dfmemo_clear(&dc->dfm);
		free(dc->dfm.v);
	}
	free(dc);
}

/*
 * The statistics of bm25 for a reader who does not see every level in full
 * (issue 16): an anonymous reader, a signed-in one, the operator with
 * --max-tlp.  N, avgdl and the phrases' df count only the cases of the
 * levels the reader sees on every case (kreader_levels_always()), so that
 * cases hidden from it change neither the order nor the scores it is shown.
 * Cases it sees only under a condition (its organisation's, its sectors',
 * naming it) are not counted either, as for similar cases; a phrase in
 * none of the cases counted but in some it sees so is counted as it sees
 * them (kstore_search_count with its filter), as similar.c does.
 *
 * N and avgdl come from the vocabulary (case_vocab's term '', one row a
 * level).  A phrase's df cannot: every Japanese word of two characters or
 * more is a phrase of index bigrams (委託先: 委託 託先), in fewer cases than
 * its rarest bigram, and a query's phrase may be a prefix or cross a
 * separator.  The rarest token's count is only a bound (about 委託 it says
 * nothing of 委託先), and a bound ranks differently from the library's exact
 * count.  So a phrase's rows are counted as the library's are (sample_df()),
 * FTS5 walking them, but only the rows of the levels counted add (each row's
 * level is in memory, with the facets' columns: one array lookup): exactly up
 * to TOPK_SAMPLE_ROWS visible rows, above that from TOPK_WINDOWS windows
 * placed among the visible rows (the i-th visible row, not the i-th rowid,
 * so that hidden rows move no window), their places kept per connection
 * until the next change.  A query of one phrase counts its visible rows
 * while it is ranked, as the library's path counts all (no extra pass).
 * Where the levels cannot be had in memory, the rarest token's count is
 * used (the vocabulary's: still only the reader's cases).
 */
struct rstats {
	int on;                   /* 0: the library's statistics (the reader sees every level in full) */
	const struct kreader *reader;
	int cond;                 /* the reader sees some cases under a condition */
	struct kwant vis;         /* the levels counted, nothing else */
	double nrow, avgdl;       /* their cases, and the cases' mean length */
	struct kfacets *fc;       /* every row's level; NULL: cannot be had (df bounded from the vocabulary) */
};

/* Sample windows among the rows of some levels (reader_df()), valid while the cases are unchanged. */
struct rwin {
	unsigned long long changes;
	unsigned levels;
	int nwin, wrows;
	long nvis;                           /* rows of those levels */
	sqlite3_int64 a[TOPK_WINDOWS], b[TOPK_WINDOWS]; /* window w: rowids [a, b) */
};

struct topk_ent {
	struct kstore_hit h;
	double fr0;                          /* phrase 0's weighted count */
	int dl;                              /* the row's length */
};

struct topk {
	/* the rows counted in passed, ascending, when asked for (struct ksqlite_counts' want_rows) */
	int want_rows;
	long long *prow;
	size_t nprow, cprow;
	struct dlcache *dlc;
	sqlite3_int64 nrow;
	int np;
	const char *ptext[TOPK_MAX_PHRASES]; /* phrase i in the match text */
	int plen[TOPK_MAX_PHRASES];
	double w[KCOL__N];
	double idf[TOPK_MAX_PHRASES];
	char grp[TOPK_MAX_PHRASES];          /* the phrases' groups (grouped_bm25()) */
	double avgdl;
	int called, rc;
	/* kyokun_collect */
	struct topk_ent *heap;
	size_t k, nheap;
	sqlite3_int64 exclude;
	struct kfacets *fc;                  /* filters from the columns in memory (NULL: ...) */
	struct kwant want;
	sqlite3_stmt *fs;                    /* ... from SQL (NULL: none), :rid at frid */
	int frid;
	const struct dlcache *dl;            /* lengths, when loaded */
	struct kstore_sqlite *st;                   /* the connection, to load them */
	int load_all;                        /* load them before the first row */
	int own_txn;                         /* the read transaction is the search's own */
	long rows;                           /* rows of the match visited */
	int fresh;                           /* no row visited yet by this statement */
	long long spawn_at;                  /* at this time (now_ns(); 0: at once), before spawn_before ... */
	sqlite3_int64 spawn_before;
	void (*spawn)(void *);               /* ... call this (it may set stop_at) */
	void *spawn_arg;
	sqlite3_int64 stop_at;               /* rows from this rowid on are not this statement's */
	int stopped;                         /* the statement was ended there */
	/* statistics given by the caller (ksqlite_similar_top): idf, avgdl, and a count of the rows passing */
	int given;
	long passed;
	/* the reader's statistics (reader_stats()), NULL: the library's */
	const struct rstats *rs;
	const struct kphrase *ph0;           /* the one phrase (its rows counted as the reader's: vrows) */
	int count_vis;                       /* count them on the way (else vdf) */
	long vrows;
	double vdf;
	/* counting (ksqlite_search_counted): the rows passing the filters counted as they pass */
	int counting;
	/* the match is every phrase ORed, ranked only where all ngrp groups hold a phrase
	 * (sgrp[g]: bit i for phrase i): those rows counted in passed, every row in passed_any */
	int ngrp, miss;
	unsigned long long sgrp[TOPK_MAX_PHRASES];
	/* with conj.on, phrase i of an AND in the query (a segmented word's parts) counts (holds,
	 * scores) only where each kid of its AND has a phrase in the row, as the query's own run
	 * reports it (see counts_groups()) */
	struct conj conj;
	int any_grp;                         /* passed_any: the rows where some group holds */
	long passed_any;
	/* idf from the run itself (defer: see defer_score()): the windows of sample_df(), their
	 * rows per phrase counted on the way (wcur: the window the run is at), and the rows
	 * with all the words kept (rid, the phrases found, each bm25 group's count) to be
	 * scored after it */
	int defer, nwin, wcur, nbg;          /* defer 2: the reader's windows (reader_df()) */
	int wrows;
	unsigned long long wrun;             /* the phrases counted on the way (bit i: phrase i); the
					      * others' windows counted apart (window_rest()) */
	long seen;                           /* the rows of the windows (defer 1: sample_plan()) */
	const struct kphrase *const *ph;     /* the phrases (defer 2) */
	sqlite3_int64 wa[TOPK_WINDOWS], wb[TOPK_WINDOWS];
	long wcnt[TOPK_MAX_PHRASES];
	unsigned long long xmask;            /* phrases whose rows the vocabulary counted (window_rest()) */
	double xdf[TOPK_MAX_PHRASES];        /* ... their counts */
	struct topk_cand *cand;
	double *cf;                          /* cand i's groups at cf[i * nbg] */
	size_t ncand, ccap;
	/* split_runs(): a run per phrase (sph, in the match alone), its rows and their counts
	 * kept in rowid order, phrase i's at srow[sat[i]] to srow[sat[i + 1]] */
	int split, sph;
	struct topk_srow *srow;
	size_t nsrow, srcap, sat[TOPK_MAX_PHRASES + 1];
	/* the run's long phrases matched on a cover of their tokens (store_sqlite_cover.h): the
	 * run's tree (croot; cflat: its phrases all ORed), and once covered, cv */
	const struct kstore_qnode *croot;
	int cflat;
	const struct kcover *cv;
	struct kcover_at cat; /* the row the run is at, for cv */
};

struct topk_srow {
	sqlite3_int64 rid;
	double fr;
};

struct topk_cand {
	sqlite3_int64 rid;
	unsigned long long a;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct topk *topk_arg(int argc, sqlite3_value **argv)
{
	return argc > 0 ? sqlite3_value_pointer(argv[0], "kyokun_topk") : NULL;
}

/* kyokun_stats(case_fts, t) */
static void aux_stats(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
		      int argc, sqlite3_value **argv)
{
	struct topk *t = topk_arg(argc, argv);
	sqlite3_int64 nrow = 0, total = 0;
	int rc;

	sqlite3_result_null(sctx);
	if (!t || t->called)
		return;
	t->called = 1;
	t->dlc = api->xUserData(fts);
	if (api->xPhraseCount(fts) != t->np || api->xColumnCount(fts) != KCOL__N) {
		t->rc = SQLITE_MISMATCH; /* not the phrases rendered: use the SQL path */
		return;
	}
	if ((rc = api->xRowCount(fts, &nrow)) != SQLITE_OK ||
	    (rc = api->xColumnTotalSize(fts, -1, &total)) != SQLITE_OK) {
		t->rc = rc;
		return;
	}
	t->nrow = nrow;
	/* as rank_state() */
	t->avgdl = nrow > 0 ? (double)total / (double)nrow : 1.0;
	if (t->avgdl <= 0)
		t->avgdl = 1.0;
}

/* kyokun_sample(case_fts, sm): the match is every phrase ORed, in order. */
struct sample {
	int np;
	long *cnt;  /* rows seen per phrase */
	const struct kfacets *fc; /* count only the rows passing vis (NULL: every row) */
	const struct kwant *vis;
};

static void aux_sample(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
		       int argc, sqlite3_value **argv)
{
	struct sample *sm = argc > 0 ? sqlite3_value_pointer(argv[0], "kyokun_sample") : NULL;

	sqlite3_result_null(sctx);
	if (!sm || api->xPhraseCount(fts) != sm->np)
		return;
	if (sm->fc && !ksqlite_want_passes(sm->fc, sm->vis, api->xRowid(fts)))
		return;
	for (int i = 0; i < sm->np; i++) {
		Fts5PhraseIter it;
		int col = -1, off = -1;

		if (api->xPhraseFirst(fts, i, &it, &col, &off) == SQLITE_OK && col >= 0)
			sm->cnt[i]++;
	}
}

static int dlcache_ready(struct kstore_sqlite *st, struct dlcache *dc, int load, struct kerr *err);

/* Push e onto t's heap of the best k (heap[0] the one ranking last). */
static void topk_push(struct topk *t, const struct topk_ent *e);

/*
 * A row of a deferred run kept (t->defer: scored by defer_score()), with
 * each bm25 group's count summed as grouped_bm25() sums it.  -1: no memory.
 */
static int topk_keep(struct topk *t, sqlite3_int64 rid, unsigned long long a, const double *fr)
{
	double *gf;
	int g = -1;

	if (t->ncand == t->ccap) {
		size_t nc = t->ccap ? t->ccap * 2 : 1024;
		struct topk_cand *c = realloc(t->cand, nc * sizeof(*c));
		double *f = c ? realloc(t->cf, nc * (size_t)t->nbg * sizeof(*f)) : NULL;

		if (c)
			t->cand = c;
		if (f)
			t->cf = f;
		if (!c || !f)
			return -1;
		t->ccap = nc;
	}
	gf = t->cf + t->ncand * (size_t)t->nbg;
	for (int i = 0; i < t->np; i++) {
		if (t->grp[i] != 1)
			gf[++g] = 0;
		if (fr[i] > 0)
			gf[g] += fr[i];
	}
	t->cand[t->ncand++] = (struct topk_cand){ rid, a };
	return 0;
}

/* Has the row a phrase of m? */
static inline int row_has_any(const Fts5ExtensionApi *api, Fts5Context *fts, unsigned long long m, struct row_ph *r)
{
	for (; m; m &= m - 1)
		if (row_has(api, fts, __builtin_ctzll(m), r))
			return 1;
	return 0;
}

/* Does phrase i count in the row: held, and in an AND (t->conj) each kid of it held (once per row and AND)? */
static inline int row_counts(const struct topk *t, const Fts5ExtensionApi *api, Fts5Context *fts, int i,
		      struct row_ph *r)
{
	int a, ok = 1;

	if (!row_has(api, fts, i, r))
		return 0;
	if (!t->conj.on || (a = t->conj.and_of[i]) < 0)
		return 1;
	if (r->and_known >> a & 1)
		return r->and_ok >> a & 1;
	for (int k = 0; k < t->conj.ands[a].nkid && ok; k++)
		ok = row_has_any(api, fts, t->conj.ands[a].kid[k], r);
	r->and_known |= 1u << a;
	r->and_ok |= (unsigned)ok << a;
	return ok;
}

/* Does one of the phrases of m count in the row (row_counts())? */
static inline int group_counts(const struct topk *t, const Fts5ExtensionApi *api, Fts5Context *fts,
			       unsigned long long m, struct row_ph *r)
{
	for (; m; m &= m - 1)
		if (row_counts(t, api, fts, __builtin_ctzll(m), r))
			return 1;
	return 0;
}

/* A row counted in t->passed kept (t->want_rows); -1 out of memory. */
static int topk_row(struct topk *t, sqlite3_int64 rid)
{
	return KGROW(t->prow, t->cprow, t->nprow + 1) < 0 ? -1 : (t->prow[t->nprow++] = rid, 0);
}

/*
 * Does the row of a run with covered phrases (t->cv) hold one of its
 * phrases?  FTS5 stops on a row where a cover has its tokens, not only
 * where they are in place: such a row is no row of the run.  The phrases
 * not covered are asked first (FTS5 reports them where they hold); each
 * answer is kept for the rest of the row (row_has()).  The run is its
 * phrases ORed, in which FTS5 reports each phrase wherever it holds, so
 * every phrase's instances are those of the run of whole phrases.
 */
static int cover_row(const struct topk *t, const Fts5ExtensionApi *api, Fts5Context *fts, struct row_ph *r)
{
	unsigned long long all = t->np >= 64 ? ~0ULL : (1ULL << t->np) - 1;

	return row_has_any(api, fts, all & ~r->cover, r) || row_has_any(api, fts, r->cover, r);
}

/* kyokun_collect(case_fts, t) */
static void aux_collect(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
			int argc, sqlite3_value **argv)
{
	struct topk *t = api->xGetAuxdata(fts, 0);
	sqlite3_int64 rid = api->xRowid(fts);
	double fr[TOPK_MAX_PHRASES], ub = 0, exact = 0;
	unsigned long long a = 0;
	struct row_ph rp;
	int dl = 0, rc;

	rp.known = rp.have = rp.cover = 0;
	rp.and_known = rp.and_ok = 0;
	sqlite3_result_null(sctx);
	if (!t) {
		/* the first row: keep t with the cursor (no type check per row) */
		if (!(t = topk_arg(argc, argv)))
			return;
		if ((rc = api->xSetAuxdata(fts, t, NULL)) != SQLITE_OK) {
			t->rc = rc;
			sqlite3_result_error_code(sctx, rc);
			return;
		}
	}
	if (t->rc)
		return;
	if (t->fresh) {
		/* this connection's lengths of every row, if read already (or asked for) */
		struct kerr e = KERR_INIT;

		t->fresh = 0;
		t->dlc = api->xUserData(fts);
		t->dl = dlcache_ready(t->st, t->dlc, t->load_all, &e) > 0 ? t->dlc : NULL;
	}
	if (t->split) {
		/* phrase sph's run alone (split_runs()): its rows in the sample windows counted, as the
		 * run of every phrase counts them, and its count kept */
		double f = phrase_freq(api, fts, 0, t->w, KCOL__N, NULL);

		while (t->wcur < t->nwin && rid >= t->wb[t->wcur])
			t->wcur++;
		if (t->wcur < t->nwin && rid >= t->wa[t->wcur] && f > 0)
			t->wcnt[t->sph]++;
		if (t->nsrow == t->srcap) {
			size_t nc = t->srcap ? t->srcap * 2 : 1024;
			struct topk_srow *r = realloc(t->srow, nc * sizeof(*r));

			if (!r) {
				t->rc = SQLITE_NOMEM;
				sqlite3_result_error_code(sctx, SQLITE_NOMEM);
				return;
			}
			t->srow = r;
			t->srcap = nc;
		}
		t->srow[t->nsrow++] = (struct topk_srow){ rid, f };
		return;
	}
	if (rid >= t->stop_at) {
		/* the rest is another connection's: end the statement here */
		t->stopped = 1;
		sqlite3_result_error(sctx, "kyokun: the rest is the other half's", -1);
		return;
	}
	if (t->cv) {
		rp.cv = t->cv;
		rp.cover = t->cv->mask;
		kcover_at_row(&t->cat, rid);
		rp.at = &t->cat;
		rp.w = t->w;
		/* (a run of groups of two phrases or more asks below, where it must) */
		if ((!t->ngrp || t->np == 1) && !cover_row(t, api, fts, &rp))
			return;
	}
	t->rows++;
	if (t->count_vis && ksqlite_want_passes(t->rs->fc, &t->rs->vis, rid))
		t->vrows++;
	if (t->defer) {
		/* a row of a sample window: the phrases it holds counted, as sample_df() (reader_df())
		 * counts them */
		while (t->wcur < t->nwin && rid >= t->wb[t->wcur])
			t->wcur++;
		if (t->wcur < t->nwin && rid >= t->wa[t->wcur] &&
		    (t->defer == 1 || ksqlite_want_passes(t->rs->fc, &t->rs->vis, rid))) {
			for (int i = 0; i < t->np; i++)
				if ((t->wrun >> i & 1) && row_has(api, fts, i, &rp))
					t->wcnt[i]++;
		}
	}
	if (t->spawn && rid < t->spawn_before && (t->spawn_at == 0 || now_ns() >= t->spawn_at)) {
		/* long enough at it: the other half on another connection */
		t->spawn(t->spawn_arg);
		t->spawn = NULL;
	}
	if (t->exclude && rid == t->exclude)
		return;
	if (t->given || t->counting) {
		/* the rows passing the filters, counted (the caller's total) */
		if (t->fc && !ksqlite_want_passes(t->fc, &t->want, rid))
			return;
		if (t->ngrp) {
			/* every phrase ORed: the row counts as some of the words (with any_grp, where
			 * a group holds); ranked only with all (the group found missing last is looked
			 * at first: it is likely missing again) */
			int some = !t->any_grp, all = 1;

			for (int k = 0; k < t->ngrp && (all || !some); k++) {
				int g = k == 0 ? t->miss : k == t->miss ? 0 : k;
				int hit = t->conj.on ? group_counts(t, api, fts, t->sgrp[g], &rp)
						     : row_has_any(api, fts, t->sgrp[g], &rp);

				if (hit) {
					some = 1;
				} else if (all) {
					t->miss = g;
					all = 0;
				}
			}
			if (!all && some && !t->any_grp && t->cv)
				some = cover_row(t, api, fts, &rp); /* FTS5 stops on a cover's tokens not in place */
			t->passed_any += some;
			if (!all)
				return;
		}
		t->passed++;
		if (t->want_rows && topk_row(t, rid) < 0) {
			t->rc = SQLITE_NOMEM;
			sqlite3_result_error_code(sctx, SQLITE_NOMEM);
			return;
		}
	}
	/* each phrase's count (from its first instance if asked for already) */
	for (int i = 0; i < t->np; i++) {
		fr[i] = t->conj.on && !row_counts(t, api, fts, i, &rp) ? 0 : phrase_freq(api, fts, i, t->w, KCOL__N, &rp);
		if (fr[i] > 0)
			a |= 1ULL << i;
	}
	if (t->defer) {
		if (topk_keep(t, rid, a, fr) < 0) {
			t->rc = SQLITE_NOMEM;
			sqlite3_result_error_code(sctx, SQLITE_NOMEM);
		}
		return;
	}
	ub = grouped_bm25(t->grp, t->np, t->idf, fr, 0, t->avgdl);
	if (t->nheap == t->k && ub <= t->heap[0].h.score)
		return; /* cannot be among the first k (a tie loses: a later rowid) */
	if (t->fc && !t->given && !t->counting && !ksqlite_want_passes(t->fc, &t->want, rid))
		return;
	if (t->fs) {
		sqlite3_bind_int64(t->fs, t->frid, rid);
		rc = sqlite3_step(t->fs);
		sqlite3_reset(t->fs);
		if (rc == SQLITE_DONE)
			return;
		if (rc != SQLITE_ROW) {
			t->rc = rc;
			sqlite3_result_error_code(sctx, rc);
			return;
		}
	}
	if (!t->dl && t->dlc && ++t->dlc->reads > 1000 + t->nrow / 32) {
		/* many rows ranked on this connection: read all lengths at once (kept for the next
		 * query; a connection that serves many reads them once, not each query its share) */
		struct kerr e = KERR_INIT;

		if (dlcache_ready(t->st, t->dlc, 1, &e) > 0)
			t->dl = t->dlc;
		else
			t->dlc = NULL; /* no memory for it: one by one */
	}
	if (t->dl && rid >= 0 && rid < t->dl->n && t->dl->dl[rid] >= 0) {
		dl = t->dl->dl[rid];
	} else if ((rc = api->xColumnSize(fts, -1, &dl)) != SQLITE_OK) {
		t->rc = rc;
		sqlite3_result_error_code(sctx, rc);
		return;
	}
	exact = grouped_bm25(t->grp, t->np, t->idf, fr, dl, t->avgdl);
	if (t->nheap == t->k && exact <= t->heap[0].h.score)
		return;
	topk_push(t, &(struct topk_ent){ { rid, exact, a }, fr[0], dl });
}

/* kyokun_rid_in(set, rowid): 1 if rowid is in the set (struct krids) bound as a pointer, else 0 */
static void sql_rid_in(sqlite3_context *sctx, int argc, sqlite3_value **argv)
{
	const struct krids *set = argc == 2 ? sqlite3_value_pointer(argv[0], "kyokun_rid_set") : NULL;

	sqlite3_result_int(sctx, set && krids_has(set, sqlite3_value_int64(argv[1])));
}

/* A filter for SQL from the facet columns in memory: kyokun_want(w, rowid) (struct want_ptr). */
struct want_ptr {
	const struct kfacets *fc;
	const struct kwant *w;
};

static void sql_want(sqlite3_context *sctx, int argc, sqlite3_value **argv)
{
	const struct want_ptr *p = argc == 2 ? sqlite3_value_pointer(argv[0], "kyokun_want") : NULL;

	sqlite3_result_int(sctx, p && ksqlite_want_passes(p->fc, p->w, sqlite3_value_int64(argv[1])));
}

static int init(struct kstore_sqlite *st, struct kerr *err)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	if (st->cache[C_INIT])
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return ksqlite_db_err(st, err, "search: SQLite has no FTS5");
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api || api->iVersion < 2)
		return kerr_set(err, KE_DB, "search: no usable fts5_api");
	rc = api->xCreateFunction(api, "kyokun_phrases", NULL, aux_phrases, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "kyokun_rank", NULL, aux_rank, NULL);
	if (rc == SQLITE_OK) {
		struct dlcache *dc = calloc(1, sizeof(*dc));

		if (!dc)
			return kerr_set(err, KE_NOMEM, "out of memory");
		rc = api->xCreateFunction(api, "kyokun_stats", dc, aux_stats, dlcache_free);
		if (rc == SQLITE_OK)
			st->search_dlc = dc; /* FTS5 frees it with the connection */
		if (rc == SQLITE_OK)
			rc = api->xCreateFunction(api, "kyokun_sample", NULL, aux_sample, NULL);
		if (rc == SQLITE_OK)
			rc = api->xCreateFunction(api, "kyokun_collect", dc, aux_collect, NULL);
		if (rc == SQLITE_OK)
			rc = api->xCreateFunction(api, "kyokun_upos", NULL, kcover_upos_fn, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "kyokun_rid_in", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL,
						sql_rid_in, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "kyokun_want", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL,
						sql_want, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return kerr_set(err, KE_DB, "search: registering functions: %s", sqlite3_errstr(rc));
	return ksqlite_prepare(st, "SELECT 1", &st->cache[C_INIT], err);
}

static int cached(struct kstore_sqlite *st, int slot, const char *sql, sqlite3_stmt **s, struct kerr *err)
{
	int rc;

	if ((rc = init(st, err)))
		return rc;
	if (!st->cache[slot]) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->cache[slot],
				       NULL) != SQLITE_OK)
			return ksqlite_db_err(st, err, "search");
	}
	*s = st->cache[slot];
	return 0;
}

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Does f restrict the cases by their columns, tags or rowids (kfilter.only), not counting the reader's visibility? */
static int has_facet_filter(const struct kfilter *f)
{
	return f->document || f->year || f->year_from || f->year_to || f->none || f->category || f->tag ||
	       f->event_class || f->threat || f->sector || f->reader_level || f->tlp || f->only;
}

/* Does f restrict anything beyond limit/offset? */
static int has_filter(const struct kfilter *f)
{
	return has_facet_filter(f) || kreader_levels_always(f->reader) != 0x1f;
}

/* FTS5 reports a bad expression as an SQL error; fts_query() never renders
 * one, but say so plainly rather than show SQL if it happens. */
static int match_err(struct kstore_sqlite *st, struct kerr *err, const char *what)
{
	const char *m = sqlite3_errmsg(st->db);

	if (strstr(m, "fts5"))
		return kerr_set(err, KE_USAGE, "%s: the query could not be run (%s)", what, m);
	return ksqlite_db_err(st, err, what);
}

/* ---- ranking --------------------------------------------------------------- */

static int collect(struct kstore_sqlite *st, sqlite3_stmt *s, long cap, struct kstore_hit **hits,
		   size_t *n, struct kerr *err)
{
	size_t alloc = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == alloc) {
			size_t na = alloc ? alloc * 2 : (cap > 0 && cap < 64 ? (size_t)cap : 64);
			struct kstore_hit *nh = realloc(*hits, na * sizeof(*nh));

			if (!nh)
				return kerr_set(err, KE_NOMEM, "out of memory");
			*hits = nh;
			alloc = na;
		}
		(*hits)[*n].rid = sqlite3_column_int64(s, 0);
		(*hits)[*n].score = sqlite3_column_double(s, 1);
		(*hits)[*n].phrases = (unsigned long long)sqlite3_column_int64(s, 2);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		return match_err(st, err, "search");
	return 0;
}

/* ---- the expression as FTS5 text ------------------------------------------------ */

/*
 * The search layer hands the store a tree of phrases (store_query.h); here
 * it becomes an FTS5 MATCH expression: every phrase one FTS5 string ("..."
 * with " doubled, then " *" for a prefix), every AND, OR and NOT of two or
 * more in parentheses, a column restriction {title summary ...} : (...)
 * around it all.  FTS5 numbers the phrases in the order they are written,
 * which is the tree's order, so the ranking below knows phrase i as the
 * i-th phrase of the tree without parsing the text back.
 */

/* Where the phrases are in a rendered expression: FTS5's phrase i at text + off[i], len[i] bytes. */
struct ppos {
	int n;                          /* phrases in all (may be more than TOPK_MAX_PHRASES) */
	size_t off[TOPK_MAX_PHRASES];
	int len[TOPK_MAX_PHRASES];
};

/* Append s as an FTS5 string ("..." with quotes doubled); nonzero out of memory. */
static int add_quoted(struct kbuf *b, const char *s)
{
	int rc = kbuf_addch(b, '"');

	for (const char *p = s; *p; p++)
		rc |= *p == '"' ? kbuf_adds(b, "\"\"") : kbuf_addch(b, *p);
	return rc | kbuf_addch(b, '"');
}

/* A phrase: "text", and " *" after a prefix; nonzero out of memory. */
static int fts_phrase(struct kbuf *b, const struct kphrase *p)
{
	return add_quoted(b, p->text) | (p->prefix ? kbuf_adds(b, " *") : 0);
}

/* Append node n; each phrase's place into pp (may be NULL).  KE_INVALID for a malformed tree. */
static int fts_node(struct kbuf *b, const struct kstore_qnode *n, struct ppos *pp)
{
	static const char *const op[] = { [KSQ_AND] = " AND ", [KSQ_OR] = " OR ", [KSQ_NOT] = " NOT " };
	int rc;

	if (!n || n->op < KSQ_PHRASE || n->op > KSQ_NOT ||
	    (n->op == KSQ_PHRASE ? !n->phrase.text : !n->kid || !n->nkid || (n->op == KSQ_NOT && n->nkid != 2)))
		return KE_INVALID;
	if (n->op == KSQ_PHRASE) {
		size_t start = b->len;

		if (fts_phrase(b, &n->phrase))
			return KE_NOMEM;
		if (pp && pp->n < TOPK_MAX_PHRASES) {
			pp->off[pp->n] = start;
			pp->len[pp->n] = (int)(b->len - start);
		}
		if (pp)
			pp->n++;
		return 0;
	}
	if (n->nkid > 1 && kbuf_addch(b, '(') < 0)
		return KE_NOMEM;
	for (size_t i = 0; i < n->nkid; i++) {
		if (i && kbuf_adds(b, op[n->op]) < 0)
			return KE_NOMEM;
		if ((rc = fts_node(b, n->kid[i], pp)) < 0)
			return rc;
	}
	return n->nkid > 1 && kbuf_addch(b, ')') < 0 ? KE_NOMEM : 0;
}

/* An FTS5 expression of node n into b (fts_node(), fts_node_count()); pp as fts_node()'s. */
typedef int (*fts_node_fn)(struct kbuf *b, const struct kstore_qnode *n, struct ppos *pp);

/* q as an FTS5 MATCH expression into b (reset first), its nodes written by node. */
static int fts_query_with(struct kbuf *b, const struct kstore_query *q, fts_node_fn node, struct ppos *pp,
			  struct kerr *err)
{
	int rc = 0, n = 0;

	kbuf_reset(b);
	if (pp)
		pp->n = 0;
	if (!q || (q->cols & ~((1u << KCOL__N) - 1)))
		rc = KE_INVALID;
	if (!rc && q->cols) {
		rc |= kbuf_addch(b, '{');
		for (int c = 0; c < KCOL__N; c++)
			if (q->cols & 1u << c)
				rc |= kbuf_addf(b, "%s%s", n++ ? " " : "", kstore_col_name(c));
		rc |= kbuf_adds(b, "} : (");
	}
	if (!rc && q->except) {
		if (!(rc = kbuf_addch(b, '(')) && !(rc = node(b, q->root, pp)) &&
		    !(rc = kbuf_adds(b, ") NOT (")) && !(rc = node(b, q->except, pp)))
			rc = kbuf_addch(b, ')');
	} else if (!rc) {
		rc = node(b, q->root, pp);
	}
	if (!rc && q->cols)
		rc = kbuf_addch(b, ')');
	if (rc == KE_INVALID)
		return kerr_set(err, KE_INVALID, "search: a malformed expression");
	return rc ? kerr_set(err, KE_NOMEM, "out of memory") : 0;
}

/* q as an FTS5 MATCH expression into b (reset first); the phrases' places into pp (may be NULL). */
static int fts_query(struct kbuf *b, const struct kstore_query *q, struct ppos *pp, struct kerr *err)
{
	return fts_query_with(b, q, fts_node, pp, err);
}

/* ---- counting: an OR's phrases that another of its phrases implies, left out ---- */

/*
 * A row holds a phrase when its query tokens (ktok_tokenize(), query mode)
 * are at consecutive places of one column.  So when phrase q's tokens are a
 * run of phrase p's (サポート: サポ ポー ート, in サポート詐欺: サポ ポー ート ト詐
 * 詐欺), every row holding p holds q, and in an OR of both, p adds no row:
 * a count need not evaluate it (its positions are the dearest part).  The
 * rows matched, and so every count, stay the same; a ranking still needs p
 * (its instances score).  Prefix phrases and phrases without a token are
 * kept as they are.
 */
struct ctok {
	struct kbuf b; /* "\0tok\0tok...\0" */
	int ntok;
};

static int ctok_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct ctok *c = ctx;

	(void)start;
	(void)end;
	c->ntok++;
	return kbuf_add(&c->b, tok, (size_t)ntok) || kbuf_addch(&c->b, 0) ? KE_NOMEM : 0;
}

/* A phrase's query tokens into c (empty on entry); KE_NOMEM. */
static int ctok_make(struct ctok *c, const char *text)
{
	return kbuf_addch(&c->b, 0) || ktok_tokenize(text, -1, 1, ctok_cb, c) ? KE_NOMEM : 0;
}

/* Are q's tokens a run of p's (both as ctok_cb() writes them)? */
static int ctok_within(const struct ctok *q, const struct ctok *p)
{
	if (q->b.len > p->b.len)
		return 0;
	for (size_t i = 0; i + q->b.len <= p->b.len; i++)
		if (p->b.buf[i] == 0 && !memcmp(p->b.buf + i, q->b.buf, q->b.len))
			return 1;
	return 0;
}

/*
 * Does every row holding phrase p (its tokens) hold node k, by the rule
 * above: k a phrase whose tokens are a run of p's, an AND of kids each so,
 * an OR with a kid so?  (A word in parts: 遠隔操作 holds in no row without
 * 遠隔 AND 操作, nor 予備系への切り替え without (予備系 OR 待機系) AND
 * (切り替え OR 切替).)  1 yes, 0 no (or not known: a prefix phrase, NOT),
 * KE_NOMEM.
 */
static int implied_by(const struct ctok *p, const struct kstore_qnode *k, int depth)
{
	struct ctok c = { KBUF_INIT, 0 };
	int rc = 0;

	if (!k || depth > 8)
		return 0;
	switch (k->op) {
	case KSQ_PHRASE:
		if (!k->phrase.text || k->phrase.prefix)
			return 0;
		if (!(rc = ctok_make(&c, k->phrase.text)))
			rc = c.ntok > 0 && ctok_within(&c, p);
		kbuf_release(&c.b);
		return rc;
	case KSQ_AND:
	case KSQ_OR:
		if (!k->kid || !k->nkid)
			return 0;
		for (size_t i = 0; i < k->nkid; i++) {
			if ((rc = implied_by(p, k->kid[i], depth + 1)) < 0)
				return rc;
			if (rc != (k->op == KSQ_AND))
				return rc; /* an AND's kid not implied, an OR's kid implied */
		}
		return k->op == KSQ_AND;
	default:
		return 0;
	}
}

/* n's kids, through nested ORs, appended to v (grown as needed); nonzero out of memory. */
static int or_kids(const struct kstore_qnode *n, const struct kstore_qnode ***v, size_t *nv, size_t *cap)
{
	for (size_t i = 0; i < n->nkid; i++) {
		const struct kstore_qnode *k = n->kid[i];

		if (k && k->op == KSQ_OR && k->kid && k->nkid) {
			if (or_kids(k, v, nv, cap))
				return 1;
			continue;
		}
		if (*nv == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			const struct kstore_qnode **nvv = realloc(*v, nc * sizeof(**v));

			if (!nvv)
				return 1;
			*v = nvv;
			*cap = nc;
		}
		(*v)[(*nv)++] = k;
	}
	return 0;
}

/* As fts_node(), for a count: see above. */
static int fts_node_count(struct kbuf *b, const struct kstore_qnode *n)
{
	static const char *const op[] = { [KSQ_AND] = " AND ", [KSQ_OR] = " OR ", [KSQ_NOT] = " NOT " };
	const struct kstore_qnode **v = NULL;
	struct ctok *ct = NULL;
	size_t nv = 0, cap = 0, out = 0;
	int rc = 0;

	if (!n || n->op != KSQ_OR || !n->kid || !n->nkid) {
		if (!n || n->op < KSQ_PHRASE || n->op > KSQ_NOT || n->op == KSQ_PHRASE)
			return fts_node(b, n, NULL);
		if (!n->kid || !n->nkid || (n->op == KSQ_NOT && n->nkid != 2))
			return KE_INVALID;
		if (n->nkid > 1 && kbuf_addch(b, '(') < 0)
			return KE_NOMEM;
		for (size_t i = 0; i < n->nkid; i++) {
			if (i && kbuf_adds(b, op[n->op]) < 0)
				return KE_NOMEM;
			if ((rc = fts_node_count(b, n->kid[i])) < 0)
				return rc;
		}
		return n->nkid > 1 && kbuf_addch(b, ')') < 0 ? KE_NOMEM : 0;
	}
	if (or_kids(n, &v, &nv, &cap) || !(ct = calloc(nv, sizeof(*ct)))) {
		rc = KE_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nv; i++) {
		const struct kstore_qnode *k = v[i];

		if (!k || k->op != KSQ_PHRASE || !k->phrase.text || k->phrase.prefix)
			continue;
		if ((rc = ctok_make(&ct[i], k->phrase.text)))
			goto out;
	}
	if (kbuf_addch(b, '(') < 0) {
		rc = KE_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nv; i++) {
		int implied = 0;

		/* left out: another phrase holds in every row that this one does (of two alike, the first
		 * kept), or an AND of them does (a word beside its parts: never left out itself) */
		for (size_t j = 0; j < nv && ct[i].ntok && !implied; j++) {
			if (j == i)
				continue;
			if (v[j] && v[j]->op == KSQ_AND)
				implied = implied_by(&ct[i], v[j], 0);
			else
				implied = ct[j].ntok && ctok_within(&ct[j], &ct[i]) &&
					  (j < i || ct[j].b.len < ct[i].b.len);
		}
		if (implied < 0) {
			rc = implied;
			goto out;
		}
		if (implied)
			continue;
		if (out++ && kbuf_adds(b, " OR ") < 0) {
			rc = KE_NOMEM;
			goto out;
		}
		if ((rc = fts_node_count(b, v[i])) < 0)
			goto out;
	}
	if (kbuf_addch(b, ')') < 0)
		rc = KE_NOMEM;
out:
	for (size_t i = 0; ct && i < nv; i++)
		kbuf_release(&ct[i].b);
	free(ct);
	free(v);
	return rc;
}

/* fts_node_count() as an fts_node_fn (it records no places). */
static int fts_node_count_fn(struct kbuf *b, const struct kstore_qnode *n, struct ppos *pp)
{
	(void)pp;
	return fts_node_count(b, n);
}

/* q as an FTS5 MATCH expression for counting its rows (see fts_node_count()), into b (reset first). */
static int fts_query_count(struct kbuf *b, const struct kstore_query *q, struct kerr *err)
{
	return fts_query_with(b, q, fts_node_count_fn, NULL, err);
}

/* n's phrases' groups into b, in fts_node()'s order: see grouped_bm25(). */
static int group_node(struct kbuf *b, const struct kstore_qnode *n)
{
	int alts = n->op == KSQ_OR && n->nkid > 1, rc = 0;

	if (n->op == KSQ_PHRASE)
		return kbuf_addch(b, '0');
	for (size_t i = 0; i < n->nkid && alts; i++)
		alts = n->kid[i]->op == KSQ_PHRASE && n->kid[i]->phrase.term >= 0 &&
		       n->kid[i]->phrase.term == n->kid[0]->phrase.term;
	for (size_t i = 0; i < n->nkid && !rc; i++)
		rc = alts ? kbuf_addch(b, i ? '1' : '0') : group_node(b, n->kid[i]);
	return rc;
}

/* The groups of q's phrases (after fts_query() accepted q): a string of '0' and '1'. */
static int query_groups(struct kbuf *b, const struct kstore_query *q)
{
	int rc;

	kbuf_reset(b);
	rc = group_node(b, q->root);
	if (!rc && q->except)
		rc = group_node(b, q->except);
	return rc || !kbuf_str(b) ? KE_NOMEM : 0;
}

char *ksqlite_query_text(const struct kstore_query *q)
{
	struct kbuf b = KBUF_INIT;

	if (fts_query(&b, q, NULL, NULL) < 0) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* ---- ranked top-k: the expression's phrases ------------------------------------- */

/*
 * The ranking in C (top_match()) needs the expression's phrases, numbered as
 * FTS5 numbers them, and nothing else (FTS5 evaluates the expression).  It
 * takes them from the tree as rendered (struct ppos); an expression with
 * more than TOPK_MAX_PHRASES phrases or a column restriction makes the SQL
 * path run instead.
 */
static int tk_phrases(struct topk *t, const struct kstore_query *q, const char *match, const struct ppos *pp,
		      const char *groups)
{
	if (q->cols || pp->n > TOPK_MAX_PHRASES || strlen(groups) != (size_t)pp->n)
		return -1;
	t->np = pp->n;
	for (int i = 0; i < pp->n; i++) {
		t->ptext[i] = match + pp->off[i];
		t->plen[i] = pp->len[i];
		t->grp[i] = groups[i] == '1';
	}
	return 0;
}

static void topk_free(struct topk *t)
{
	if (!t)
		return;
	free(t->prow);
	free(t->heap);
	free(t->cand);
	free(t->cf);
	free(t->srow);
	free(t);
}

/* Is st's length cache current?  Load it if not and load is set. */
static atomic_ulong length_reads; /* ksqlite_search_length_reads() */

unsigned long ksqlite_search_length_reads(void)
{
	return atomic_load(&length_reads);
}

static int dlcache_ready(struct kstore_sqlite *st, struct dlcache *dc, int load, struct kerr *err)
{
	sqlite3_stmt *s;
	sqlite3_int64 max = 0;
	unsigned long long ch;
	int rc, r;

	if (!dc)
		return 0;
	if ((rc = ksqlite_case_changes(&st->base, &ch, err)))
		return rc;
	if (dc->valid && dc->changes == ch)
		return 1;
	dc->valid = 0;
	if (!load)
		return 0;
	if ((rc = cached(st, C_DLALL, "SELECT id, sz FROM case_fts_docsize ORDER BY id", &s, err)))
		return rc;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(s, 0);

		if (id < 0 || id >= (1 << 27))
			break; /* not worth an array */
		if (id >= dc->n) {
			sqlite3_int64 nn = dc->n ? dc->n : 4096;
			int *nd;

			while (nn <= id)
				nn *= 2;
			if (!(nd = realloc(dc->dl, (size_t)nn * sizeof(*nd))))
				break;
			for (sqlite3_int64 i = dc->n; i < nn; i++)
				nd[i] = -1;
			dc->dl = nd;
			dc->n = nn;
		}
		if (id > max)
			max = id;
		dc->dl[id] = ksqlite_docsize_sum(sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1));
	}
	done(s);
	if (r != SQLITE_DONE) {
		free(dc->dl);
		dc->dl = NULL;
		dc->n = 0;
		return r == SQLITE_ROW ? 0 : ksqlite_db_err(st, err, "search: document lengths");
	}
	dc->valid = 1;
	dc->reads = 0;
	dc->changes = ch;
	atomic_fetch_add(&length_reads, 1);
	return 1;
}

/* a ranks before b: higher score, then lower rowid. */
static int hit_before(const struct kstore_hit *a, const struct kstore_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->rid < b->rid);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct kstore_hit *x = &((const struct topk_ent *)a)->h, *y = &((const struct topk_ent *)b)->h;

	return hit_before(x, y) ? -1 : hit_before(y, x) ? 1 : 0;
}

static int ent_before(const struct topk_ent *a, const struct topk_ent *b)
{
	return hit_before(&a->h, &b->h);
}

static void topk_push(struct topk *t, const struct topk_ent *e)
{
	size_t i;

	if (t->nheap < t->k) {
		i = t->nheap++;
		while (i > 0 && ent_before(&t->heap[(i - 1) / 2], e)) {
			t->heap[i] = t->heap[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		t->heap[i] = *e;
		return;
	}
	/* replace the root (the one ranking last) and sift it down */
	for (i = 0;;) {
		size_t l = 2 * i + 1, m = i;
		const struct topk_ent *x = e;

		if (l < t->nheap && ent_before(x, &t->heap[l]))
			m = l, x = &t->heap[l];
		if (l + 1 < t->nheap && ent_before(x, &t->heap[l + 1]))
			m = l + 1;
		if (m == i)
			break;
		t->heap[i] = t->heap[m];
		i = m;
	}
	t->heap[i] = *e;
}

/* The first and last rowid of the table and the rows in [lo, hi). */
static int rowid_range(struct kstore_sqlite *st, sqlite3_int64 *lo, sqlite3_int64 *hi, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	*lo = *hi = 0;
	for (int i = 0; i < 2; i++) {
		if ((rc = cached(st, i ? C_MAXID : C_MINID,
				 i ? "SELECT id FROM case_fts_docsize ORDER BY id DESC LIMIT 1"
				   : "SELECT id FROM case_fts_docsize ORDER BY id LIMIT 1", &s, err)))
			return rc;
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			*(i ? hi : lo) = sqlite3_column_int64(s, 0);
		done(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return ksqlite_db_err(st, err, "search");
	}
	return 0;
}

static int rows_between(struct kstore_sqlite *st, sqlite3_int64 lo, sqlite3_int64 hi, long *n,
			struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = cached(st, C_NROWS, "SELECT count(*) FROM case_fts_docsize WHERE id >= ?1 AND id < ?2",
			 &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	done(s);
	return rc == SQLITE_ROW ? 0 : ksqlite_db_err(st, err, "search");
}

/*
 * sample_df()'s windows for np phrases in a table of nrow rows: *nwin of
 * them, window w the rowids [a[w], b[w]) (ascending, apart); *nwin 1: the
 * whole table, a[0] and b[0] unset.
 */
static int sample_windows(struct kstore_sqlite *st, int np, sqlite3_int64 nrow, int tiny, int *nwin,
			  sqlite3_int64 *a, sqlite3_int64 *b, struct kerr *err)
{
	sqlite3_int64 lo, hi, span;
	int rc, wrows;

	*nwin = 1;
	if ((rc = rowid_range(st, &lo, &hi, err)))
		return rc;
	span = hi - lo + 1;
	/* many phrases: fewer, longer windows (each window sets every phrase up anew) */
	wrows = tiny ? 2 : TOPK_SAMPLE_ROWS / (np > 16 ? 2 : TOPK_WINDOWS);
	if (tiny || nrow > TOPK_SAMPLE_ROWS)
		*nwin = tiny || np <= 16 ? TOPK_WINDOWS : 2;
	if (span <= (sqlite3_int64)*nwin * wrows)
		*nwin = 1; /* the windows would cover the table */
	for (int w = 0; w < *nwin && *nwin > 1; w++) {
		a[w] = lo + (span - wrows) * w / (*nwin - 1);
		b[w] = a[w] + wrows;
	}
	return 0;
}

/* The rows of the windows (sample_windows(); *nwin 1: none counted, *seen 0). */
static int sample_seen(struct kstore_sqlite *st, int nwin, const sqlite3_int64 *a, const sqlite3_int64 *b,
		       long *seen, struct kerr *err)
{
	long wn;
	int rc;

	*seen = 0;
	for (int w = 0; w < nwin && nwin > 1; w++) {
		if ((rc = rows_between(st, a[w], b[w], &wn, err)))
			return rc;
		*seen += wn;
	}
	return 0;
}

/*
 * sample_windows() and sample_seen() (*seen the rows of the windows), from
 * the connection's cache while the cases are unchanged (struct swin).
 */
static int sample_plan(struct kstore_sqlite *st, int np, sqlite3_int64 nrow, int tiny, int *nwin,
		       sqlite3_int64 *a, sqlite3_int64 *b, long *seen, struct kerr *err)
{
	struct swin *w = st->search_dlc ? &st->search_dlc->sw[2 * (np > 16) + !!tiny] : NULL;
	unsigned long long ch = 0;
	int rc;

	if (w && (rc = ksqlite_case_changes(&st->base, &ch, err)))
		return rc;
	if (w && w->valid && w->changes == ch && w->nrow == nrow) {
		*nwin = w->nwin;
		memcpy(a, w->a, sizeof(w->a));
		memcpy(b, w->b, sizeof(w->b));
		*seen = w->seen;
		return 0;
	}
	if ((rc = sample_windows(st, np, nrow, tiny, nwin, a, b, err)) ||
	    (rc = sample_seen(st, *nwin, a, b, seen, err)))
		return rc;
	if (w) {
		*w = (struct swin){ 1, ch, nrow, *nwin, { 0 }, { 0 }, *seen };
		memcpy(w->a, a, sizeof(w->a));
		memcpy(w->b, b, sizeof(w->b));
	}
	return 0;
}

/*
 * kyokun_sample over the rows matching any (the phrases ORed) into sm: all
 * of them (nwin 1) or those of the nwin windows of rowids [a[w], b[w]).
 */
static int sample_run(struct kstore_sqlite *st, struct sample *sm, const struct kbuf *any, int nwin,
		      const sqlite3_int64 *a, const sqlite3_int64 *b, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	if ((rc = cached(st, nwin == 1 ? C_SAMPLE : C_SAMPLEW, nwin == 1
			 ? "SELECT kyokun_sample(case_fts, ?1) FROM case_fts WHERE case_fts MATCH ?2"
			 : "SELECT kyokun_sample(case_fts, ?1) FROM case_fts WHERE case_fts MATCH ?2"
			   " AND rowid >= ?3 AND rowid < ?4", &s, err)))
		return rc;
	for (int w = 0; w < nwin && !rc; w++) {
		sqlite3_bind_pointer(s, 1, sm, "kyokun_sample", NULL);
		sqlite3_bind_text(s, 2, any->buf, (int)any->len, SQLITE_STATIC);
		if (nwin > 1) {
			sqlite3_bind_int64(s, 3, a[w]);
			sqlite3_bind_int64(s, 4, b[w]);
		}
		while ((r = sqlite3_step(s)) == SQLITE_ROW)
			;
		if (r != SQLITE_DONE)
			rc = match_err(st, err, "search");
		sqlite3_reset(s);
	}
	done(s);
	return rc;
}

/* The query-mode tokens of a phrase: how many, and the first (tok_one). */
struct tok_one {
	int n;
	char tok[64];
	int len;
};

static int tok_one_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tok_one *o = ctx;

	(void)start;
	(void)end;
	if (o->n++ == 0 && ntok > 0 && ntok < (int)sizeof(o->tok)) {
		memcpy(o->tok, tok, (size_t)ntok);
		o->len = ntok;
	}
	return 0;
}

/*
 * A phrase that is one index token and no prefix (a word of two characters:
 * 訓練; サーバ is the token サバ): the cases holding it are the vocabulary's
 * count of that token (case_vocab, exact at every commit), with no run over
 * its rows.  p[0..len): the phrase as the match has it (an FTS5 string).
 * 1 with *df set; 0 when it is not such a phrase, or inside a write (whose
 * counts are not in the vocabulary yet).
 */
static int token_phrase_df(struct kstore_sqlite *st, const char *p, int len, double *df, struct kerr *err)
{
	char text[256];
	struct tok_one o = { 0 };
	long n = 0;
	int k = 0, rc;

	if (st->in_txn || len < 3 || len > (int)sizeof(text) || p[0] != '"' || p[len - 1] != '"')
		return 0;
	for (int i = 1; i < len - 1; i++) {
		if (p[i] == '"' && p[++i] != '"')
			return 0; /* not one string */
		text[k++] = p[i];
	}
	text[k] = '\0';
	ktok_tokenize(text, k, 1, tok_one_cb, &o);
	if (o.n != 1 || !o.len)
		return 0;
	if ((rc = ksqlite_term_df(&st->base, &kreader_local, o.tok, o.len, &n, err)) < 0)
		return rc;
	*df = (double)n;
	return 1;
}

/*
 * The rows holding each of np phrases (FTS5 strings), df[i]: counted
 * exactly (*exact set) when the table has up to TOPK_SAMPLE_ROWS rows, else
 * estimated from the rows of TOPK_WINDOWS windows spread evenly over the
 * rowids (tiny windows with tiny, for tests).  One statement per window:
 * the phrases ORed, each matching row adding to the count of every phrase
 * it holds.
 */
static int sample_df(struct kstore_sqlite *st, const char *const *ptext, const int *plen, int np,
		     sqlite3_int64 nrow, int tiny, double *df, int *exact, struct kerr *err)
{
	struct kbuf any = KBUF_INIT;
	struct sample sm = { 0, calloc((size_t)np + 1, sizeof(long)), NULL, NULL };
	sqlite3_int64 wa[TOPK_WINDOWS], wb[TOPK_WINDOWS];
	int *at = calloc((size_t)np + 1, sizeof(int));
	long seen = 0;
	int rc = 0, r, nwin = 1;

	if (!sm.cnt || !at) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	*exact = 1;
	/* a phrase of one token: the vocabulary's count (token_phrase_df()), the others counted */
	for (int i = 0; i < np; i++) {
		if ((r = token_phrase_df(st, ptext[i], plen[i], &df[i], err)) < 0) {
			rc = r;
			goto out;
		}
		if (r)
			continue;
		if (kbuf_addf(&any, "%s%.*s", sm.np ? " OR " : "", plen[i], ptext[i])) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		at[sm.np++] = i;
	}
	if (!sm.np)
		goto out;
	if ((rc = sample_plan(st, np, nrow, tiny, &nwin, wa, wb, &seen, err)))
		goto out;
	if ((rc = sample_run(st, &sm, &any, nwin, wa, wb, err)))
		goto out;
	*exact = nwin == 1;
	for (int k = 0; k < sm.np; k++)
		df[at[k]] = nwin == 1 || seen == 0 ? (double)sm.cnt[k] : (double)sm.cnt[k] * (double)nrow / (double)seen;
out:
	kbuf_release(&any);
	free(sm.cnt);
	free(at);
	return rc;
}

/* idf for every phrase of t (see sample_df()). */
static int topk_idf(struct kstore_sqlite *st, struct topk *t, int flags, struct kerr *err)
{
	double df[TOPK_MAX_PHRASES];
	int rc, exact;

	if ((rc = sample_df(st, t->ptext, t->plen, t->np, t->nrow, !!(flags & KSTORE_RANK_SAMPLE), df, &exact,
			    err)))
		return rc;
	for (int i = 0; i < t->np; i++)
		t->idf[i] = bm25_idf((double)t->nrow, df[i]);
	return 0;
}

/* ---- the reader's statistics (struct rstats) ----------------------------------- */

/* r's statistics into rs: rs->on 0 when r sees every level in full (the library's are r's). */
static int reader_stats(struct kstore_sqlite *st, const struct kreader *r, struct rstats *rs, struct kerr *err)
{
	struct ksqlite_vis v;
	long n = 0;
	double avgdl = 1.0;
	int rc;

	memset(rs, 0, sizeof(*rs));
	if (kreader_levels_always(r) == 0x1f)
		return 0;
	ksqlite_visible_masks(r, &v);
	rs->on = 1;
	rs->reader = r;
	rs->cond = (v.org | v.sectors | v.named) != 0;
	for (int c = 0; c < (int)(sizeof(rs->vis.col) / sizeof(rs->vis.col[0])); c++)
		rs->vis.col[c] = -1;
	for (int k = 0; k < (int)(sizeof(rs->vis.tag) / sizeof(rs->vis.tag[0])); k++)
		rs->vis.tag[k] = -1;
	rs->vis.levels = kreader_levels_always(r);
	if ((rc = ksqlite_term_docs(&st->base, r, &n, &avgdl, err)) < 0)
		return rc;
	rs->nrow = (double)n;
	rs->avgdl = avgdl > 0 ? avgdl : 1.0;
	if ((rc = ksqlite_facets_ready(st, &rs->fc, err)) < 0)
		return rc;
	if (rc)
		rs->fc = NULL; /* no array of levels: bounds from the vocabulary */
	return 0;
}

/* n's phrases in FTS5's order (fts_node()'s) into v (NULL: only counted), *np of them. */
static void tree_phrases(const struct kstore_qnode *n, const struct kphrase **v, int *np)
{
	if (n->op == KSQ_PHRASE) {
		if (v)
			v[*np] = &n->phrase;
		(*np)++;
		return;
	}
	for (size_t i = 0; i < n->nkid; i++)
		tree_phrases(n->kid[i], v, np);
}

/* q's phrases (q accepted by fts_query()), *v to free. */
static int query_phrases(const struct kstore_query *q, const struct kphrase ***v, int *np)
{
	*np = 0;
	tree_phrases(q->root, NULL, np);
	if (q->except)
		tree_phrases(q->except, NULL, np);
	if (!(*v = malloc((size_t)(*np ? *np : 1) * sizeof(**v))))
		return KE_NOMEM;
	*np = 0;
	tree_phrases(q->root, *v, np);
	if (q->except)
		tree_phrases(q->except, *v, np);
	return 0;
}

/* The cases the reader sees holding phrase ph (in columns cols, 0: all), as it sees them. */
static int cond_df(struct kstore_sqlite *st, const struct rstats *rs, const struct kphrase *ph, unsigned cols,
		   double *df, struct kerr *err)
{
	struct kstore_qnode leaf = { .op = KSQ_PHRASE, .phrase = *ph };
	struct kstore_query q = { .root = &leaf, .cols = cols };
	struct kfilter f = KFILTER_INIT;
	long n = 0;
	int rc;

	f.reader = rs->reader;
	if ((rc = ksqlite_search_count(&st->base, &q, &f, 0, &n, err)) < 0)
		return rc;
	*df = (double)n;
	return 0;
}

struct tokmin {
	struct kstore_sqlite *st;
	const struct kreader *reader;
	long df;
	int rc;
	struct kerr *err;
};

static int tokmin_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tokmin *m = ctx;
	long df = 0;

	(void)start;
	(void)end;
	if ((m->rc = ksqlite_term_df(&m->st->base, m->reader, tok, ntok, &df, m->err)) < 0)
		return 1;
	if (m->df < 0 || df < m->df)
		m->df = df;
	return 0;
}

static void match_bound(struct kstore_sqlite *st, const struct kstore_qnode *n, long *bound)
{
	*bound = LONG_MAX;
	if (!n)
		return;
	if (n->op == KSQ_PHRASE) {
		struct kerr e = KERR_INIT;
		struct tokmin m = { st, &kreader_local, -1, 0, &e };

		if (n->phrase.prefix || !n->phrase.text)
			return;
		ktok_tokenize(n->phrase.text, -1, 1, tokmin_cb, &m);
		if (m.rc == 0 && m.df >= 0)
			*bound = m.df;
		return;
	}
	if (n->op != KSQ_AND && n->op != KSQ_OR)
		return;
	*bound = n->op == KSQ_OR ? 0 : LONG_MAX;
	for (size_t i = 0; i < n->nkid; i++) {
		long b;

		match_bound(st, n->kid[i], &b);
		if (n->op == KSQ_AND && b < *bound)
			*bound = b;
		if (n->op == KSQ_OR)
			*bound = b == LONG_MAX || *bound > LONG_MAX - b ? LONG_MAX : *bound + b;
	}
}

/* Without the levels in memory: phrase ph's rarest token's count among the reader's cases (a bound). */
static int vocab_bound(struct kstore_sqlite *st, const struct rstats *rs, const struct kphrase *ph, double *df,
		       struct kerr *err)
{
	struct tokmin m = { st, rs->reader, -1, 0, err };

	ktok_tokenize(ph->text, -1, 1, tokmin_cb, &m);
	if (m.rc < 0)
		return m.rc;
	*df = m.df < 0 ? 0 : (double)m.df;
	return 0;
}

/*
 * nwin windows of wrows rows each among the rows of rs's levels, evenly
 * spread over them (w->nvis: how many; the windows are set only when
 * there are more than nwin * wrows), kept in dc (may be NULL).
 */
static int vis_windows(struct kstore_sqlite *st, const struct rstats *rs, struct dlcache *dc, int nwin, int wrows,
		       struct rwin *w, struct kerr *err)
{
	unsigned long long ch = 0;
	sqlite3_int64 lo, hi, pos[2 * TOPK_WINDOWS], k = 0;
	int rc, e = 0;

	if ((rc = ksqlite_case_changes(&st->base, &ch, err)))
		return rc;
	if (dc && dc->win && dc->win->changes == ch && dc->win->levels == rs->vis.levels && dc->win->nwin == nwin &&
	    dc->win->wrows == wrows) {
		*w = *dc->win;
		return 0;
	}
	memset(w, 0, sizeof(*w));
	w->changes = ch;
	w->levels = rs->vis.levels;
	w->nwin = nwin;
	w->wrows = wrows;
	if ((rc = rowid_range(st, &lo, &hi, err)))
		return rc;
	for (sqlite3_int64 r = lo; r <= hi; r++)
		if (ksqlite_want_passes(rs->fc, &rs->vis, r))
			w->nvis++;
	if (nwin > 1 && w->nvis > (long)nwin * wrows) {
		for (int i = 0; i < nwin; i++) {
			pos[2 * i] = (sqlite3_int64)(w->nvis - wrows) * i / (nwin - 1);
			pos[2 * i + 1] = pos[2 * i] + wrows - 1;
		}
		for (sqlite3_int64 r = lo; r <= hi && e < 2 * nwin; r++) {
			if (!ksqlite_want_passes(rs->fc, &rs->vis, r))
				continue;
			for (; e < 2 * nwin && pos[e] == k; e++) {
				if (e % 2)
					w->b[e / 2] = r + 1;
				else
					w->a[e / 2] = r;
			}
			k++;
		}
	}
	if (dc && (dc->win || (dc->win = malloc(sizeof(*dc->win)))))
		*dc->win = *w;
	return 0;
}

/*
 * df[i]: the cases of rs's levels holding phrase ph[i] (in the columns cols,
 * 0: all), as sample_df() counts the library's (tiny: tiny windows, for
 * tests); see struct rstats.  dc keeps the windows (may be NULL).
 */
static int reader_df(struct kstore_sqlite *st, const struct rstats *rs, struct dlcache *dc,
		     const struct kphrase *const *ph, int np, unsigned cols, int tiny, double *df, struct kerr *err)
{
	struct kbuf any = KBUF_INIT;
	struct sample sm = { np, NULL, rs->fc, &rs->vis };
	struct rwin w = { 0 };
	int rc = 0, r = 0, nwin = 1, wrows, n = 0;

	if (!rs->fc) {
		for (int i = 0; i < np && !rc; i++)
			rc = vocab_bound(st, rs, ph[i], &df[i], err);
		goto cond;
	}
	if (!(sm.cnt = calloc((size_t)np + 1, sizeof(long))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (cols) {
		r |= kbuf_addch(&any, '{');
		for (int c = 0; c < KCOL__N; c++)
			if (cols & 1u << c)
				r |= kbuf_addf(&any, "%s%s", n++ ? " " : "", kstore_col_name(c));
		r |= kbuf_adds(&any, "} : (");
	}
	for (int i = 0; i < np; i++)
		r |= (i ? kbuf_adds(&any, " OR ") : 0) | fts_phrase(&any, ph[i]);
	if (cols)
		r |= kbuf_addch(&any, ')');
	if (r) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	/* as sample_df(), the rows of the reader's levels in place of the table's */
	wrows = tiny ? 2 : TOPK_SAMPLE_ROWS / (np > 16 ? 2 : TOPK_WINDOWS);
	if (tiny || rs->nrow > TOPK_SAMPLE_ROWS) {
		nwin = tiny || np <= 16 ? TOPK_WINDOWS : 2;
		if ((rc = vis_windows(st, rs, dc, nwin, wrows, &w, err)))
			goto out;
		if (w.nvis <= (long)nwin * wrows)
			nwin = 1;
	}
	if ((rc = sample_run(st, &sm, &any, nwin, w.a, w.b, err)))
		goto out;
	for (int i = 0; i < np; i++)
		df[i] = nwin == 1 ? (double)sm.cnt[i] : (double)sm.cnt[i] * rs->nrow / ((double)nwin * wrows);
cond:
	for (int i = 0; i < np && !rc && rs->cond; i++)
		if (df[i] <= 0)
			rc = cond_df(st, rs, ph[i], cols, &df[i], err);
out:
	kbuf_release(&any);
	free(sm.cnt);
	return rc;
}

/* The entry of dm for phrase ph in columns cols, or NULL; b the phrase's text (rendered here). */
static struct dfent *dfmemo_find(struct dfmemo *dm, unsigned cols, const struct kphrase *ph, struct kbuf *b)
{
	kbuf_reset(b);
	if (fts_phrase(b, ph))
		return NULL;
	for (size_t i = 0; i < dm->n; i++)
		if (dm->v[i].cols == cols && !strcmp(dm->v[i].text, kbuf_str(b)))
			return &dm->v[i];
	return NULL;
}

/*
 * Keep cnt[i], the rows holding ph[i] in columns cols, counted by a run
 * that saw every such row while the cases were at changes ch.  A cache:
 * out of memory, it keeps less.
 */
static void dfmemo_put(struct kstore_sqlite *st, unsigned long long ch, unsigned cols,
		       const struct kphrase *const *ph, const long *cnt, int np)
{
	struct dfmemo *dm = st->search_dlc ? &st->search_dlc->dfm : NULL;
	struct kbuf b = KBUF_INIT;

	if (!dm)
		return;
	if (!dm->valid || dm->changes != ch || dm->n + (size_t)np > DFMEMO_MAX) {
		dfmemo_clear(dm);
		dm->valid = 1;
		dm->changes = ch;
	}
	for (int i = 0; i < np && dm->n < DFMEMO_MAX; i++) {
		struct dfent *e = dfmemo_find(dm, cols, ph[i], &b);
		char *text;

		if (e) {
			e->df = cnt[i];
			continue;
		}
		if (!kbuf_str(&b)[0] || KGROW(dm->v, dm->alloc, dm->n + 1) < 0 || !(text = strdup(kbuf_str(&b))))
			break;
		dm->v[dm->n++] = (struct dfent){ cols, text, cnt[i] };
	}
	kbuf_release(&b);
}

/*
 * The library's statistics for q where runs have counted some of its
 * phrases (struct dfmemo): g->df and *df (to free), else both left empty.
 */
static int dfmemo_given(struct kstore_sqlite *st, const struct kstore_query *q, struct rank_given *g, double **df,
			struct kerr *err)
{
	struct dfmemo *dm = st->search_dlc ? &st->search_dlc->dfm : NULL;
	const struct kphrase **ph = NULL;
	struct kbuf b = KBUF_INIT;
	unsigned long long ch = 0;
	int rc, np = 0, known = 0;

	if (!dm || !dm->valid || !dm->n)
		return 0;
	if ((rc = ksqlite_case_changes(&st->base, &ch, err)) || ch != dm->changes)
		return rc;
	if (query_phrases(q, &ph, &np) || !(*df = malloc((size_t)(np ? np : 1) * sizeof(**df)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < np; i++) {
		const struct dfent *e = dfmemo_find(dm, q->cols, ph[i], &b);

		(*df)[i] = e ? (double)e->df : -1;
		known += e != NULL;
	}
	if (known)
		*g = (struct rank_given){ 0, 0, np, NULL, *df };
out:
	if (rc || !known) {
		free(*df);
		*df = NULL;
	}
	free(ph);
	kbuf_release(&b);
	return rc;
}

/*
 * The SQL path's statistics for f's reader (struct rstats) into g, its idf
 * into *idf (to free); g->idf NULL: the library's (*idf then the phrases'
 * counts a run has kept, g->df, or NULL).
 */
static int sql_rstats(struct kstore_sqlite *st, const struct kstore_query *q, const struct kfilter *f, int flags,
		      struct rank_given *g, double **idf, struct kerr *err)
{
	struct rstats rs;
	const struct kphrase **ph = NULL;
	int rc, np = 0, txn = 0;

	memset(g, 0, sizeof(*g));
	*idf = NULL;
	if (kreader_levels_always(f->reader) == 0x1f)
		return dfmemo_given(st, q, g, idf, err); /* the library's */
	if (sqlite3_get_autocommit(st->db) && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		txn = 1; /* one snapshot */
	if ((rc = reader_stats(st, f->reader, &rs, err)) || !rs.on)
		goto out;
	if ((rc = query_phrases(q, &ph, &np)) || !(*idf = calloc((size_t)(np ? np : 1), sizeof(**idf)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = reader_df(st, &rs, NULL, ph, np, q->cols, !!(flags & KSTORE_RANK_SAMPLE), *idf, err)))
		goto out;
	for (int i = 0; i < np; i++)
		(*idf)[i] = bm25_idf(rs.nrow, (*idf)[i]);
	*g = (struct rank_given){ rs.nrow, rs.avgdl, np, *idf, NULL };
out:
	if (txn)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	free(ph);
	if (rc) {
		free(*idf);
		*idf = NULL;
		memset(g, 0, sizeof(*g));
	}
	return rc;
}

int ksqlite_phrase_df(struct kstore *kst, const struct kphrase *phrases, size_t n, double *df, int *exact,
		     struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf text = KBUF_INIT;
	const char **pt = NULL;
	size_t *off = NULL;
	int *pl = NULL, rc;
	long nrow;

	*exact = 1;
	if (!n)
		return 0;
	if (n > 1000)
		return kerr_set(err, KE_TOOBIG, "too many phrases (%zu)", n);
	if ((rc = init(st, err)) || (rc = ksqlite_indexed(&st->base, &nrow, err)))
		return rc;
	if (!(pt = malloc(n * sizeof(*pt))) || !(pl = malloc(n * sizeof(*pl))) ||
	    !(off = malloc(n * sizeof(*off)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		off[i] = text.len;
		if (!phrases[i].text || fts_phrase(&text, &phrases[i])) {
			rc = phrases[i].text ? kerr_set(err, KE_NOMEM, "out of memory")
					     : kerr_set(err, KE_INVALID, "search: a malformed expression");
			goto out;
		}
		pl[i] = (int)(text.len - off[i]);
	}
	for (size_t i = 0; i < n; i++)
		pt[i] = text.buf + off[i];
	if (sqlite3_get_autocommit(st->db) && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
		rc = sample_df(st, pt, pl, (int)n, nrow, 0, df, exact, err);
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	} else {
		rc = sample_df(st, pt, pl, (int)n, nrow, 0, df, exact, err);
	}
out:
	free(pt);
	free(pl);
	free(off);
	kbuf_release(&text);
	return rc;
}

int ksqlite_phrase_rows(struct kstore *kst, const struct kphrase *phrase, long most, long *n, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf text = KBUF_INIT;
	sqlite3_stmt *s;
	int rc, r;

	*n = 0;
	if (!phrase->text)
		return kerr_set(err, KE_INVALID, "search: a malformed expression");
	if (fts_phrase(&text, phrase)) {
		kbuf_release(&text);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	if ((rc = init(st, err)) ||
	    (rc = cached(st, C_SOME, "SELECT 1 FROM case_fts WHERE case_fts MATCH ?1 LIMIT ?2", &s, err))) {
		kbuf_release(&text);
		return rc;
	}
	sqlite3_bind_text(s, 1, text.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, most);
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		(*n)++;
	done(s);
	kbuf_release(&text);
	return r == SQLITE_DONE ? 0 : match_err(st, err, "search");
}

/*
 * Run kyokun_collect over the rows of match in [lo, hi) (all when lo == hi)
 * on st's connection, into t (whose heap, idf and statistics are set).
 */
static int collect_part(struct kstore_sqlite *st, struct topk *t, const char *match, const struct kfilter *f,
			sqlite3_int64 lo, sqlite3_int64 hi, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0, r, ranged = lo < hi;

	t->st = st;
	t->dl = NULL;
	t->dlc = NULL;
	t->fresh = 1;
	if (has_filter(f) && !t->fc) {
		struct kbuf sql = KBUF_INIT;

		r = kbuf_adds(&sql, "SELECT 1 FROM cases c");
		r |= ksqlite_filter_sql(f, &sql);
		r |= kbuf_adds(&sql, " AND c.rid = :rid");
		if (r) {
			kbuf_release(&sql);
			return kerr_set(err, KE_NOMEM, "out of memory");
		}
		rc = ksqlite_prepare(st, sql.buf, &t->fs, err);
		kbuf_release(&sql);
		if (rc)
			return rc;
		ksqlite_bind_filter(t->fs, f);
		t->frid = sqlite3_bind_parameter_index(t->fs, ":rid");
	}
	if ((rc = cached(st, ranged ? C_COLLECT2 : C_COLLECT,
			 ranged ? "SELECT 1 FROM case_fts WHERE case_fts MATCH ?2 AND rowid >= ?3 AND rowid < ?4"
				  " AND kyokun_collect(case_fts, ?1) IS NOT NULL"
				: "SELECT 1 FROM case_fts WHERE case_fts MATCH ?2 AND kyokun_collect(case_fts, ?1) IS NOT NULL",
			 &s, err)))
		goto out;
	sqlite3_bind_pointer(s, 1, t, "kyokun_topk", NULL);
	sqlite3_bind_text(s, 2, match, -1, SQLITE_STATIC);
	if (ranged) {
		sqlite3_bind_int64(s, 3, lo);
		sqlite3_bind_int64(s, 4, hi);
	}
	t->stopped = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		;
	done(s);
	if (t->stopped && !t->rc)
		r = SQLITE_DONE;
	if (t->rc) {
		rc = t->rc == SQLITE_NOMEM ? kerr_set(err, KE_NOMEM, "out of memory")
					   : kerr_set(err, KE_DB, "search: %s", sqlite3_errstr(t->rc));
		goto out;
	}
	if (r != SQLITE_DONE)
		rc = match_err(st, err, "search");
out:
	if (t->fs)
		sqlite3_finalize(t->fs);
	t->fs = NULL;
	return rc;
}

/*
 * The FTS5 index as a connection sees it: its structure record (with a
 * counter every write moves) and its totals.  Two connections that read the
 * same have the same index.
 */
static int index_state(struct kstore_sqlite *st, struct kbuf *out, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc, r = 0;

	kbuf_reset(out);
	if ((rc = cached(st, C_STATE, "SELECT block FROM case_fts_data WHERE id IN (1, 10) ORDER BY id",
			 &s, err)))
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		r |= kbuf_add(out, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	done(s);
	if (rc != SQLITE_DONE)
		return ksqlite_db_err(st, err, "search");
	return r ? kerr_set(err, KE_NOMEM, "out of memory") : 0;
}

/* The second half of a search, on the helper connection (a thread). */
struct part {
	struct kstore_sqlite *st;
	struct topk *t;
	const char *match;
	const struct kfilter *f;
	sqlite3_int64 lo, hi;
	struct kbuf state;       /* the index the first half reads */
	struct kstore_sqlite *main;     /* its connection */
	struct topk *first;      /* the first half's */
	pthread_t th;
	int started, rc, same;
	struct kerr err;
};

static void *part_run(void *arg)
{
	struct part *p = arg;
	struct kbuf state = KBUF_INIT;

	if (sqlite3_exec(p->st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		p->rc = ksqlite_db_err(p->st, &p->err, "search");
		return NULL;
	}
	if ((p->rc = init(p->st, &p->err)) || (p->rc = index_state(p->st, &state, &p->err)))
		goto out;
	/* another index (a write came between the two reads): the caller does it */
	p->same = state.len == p->state.len && !memcmp(state.buf, p->state.buf, state.len);
	if (p->same)
		p->rc = collect_part(p->st, p->t, p->match, p->f, p->lo, p->hi, &p->err);
out:
	sqlite3_exec(p->st->db, "COMMIT", NULL, NULL, NULL);
	kbuf_release(&state);
	return NULL;
}

/* Merge b's heap into a's (both hold at most a->k). */
static void topk_merge(struct topk *a, const struct topk *b)
{
	for (size_t i = 0; i < b->nheap; i++)
		if (a->nheap < a->k || ent_before(&b->heap[i], &a->heap[0]))
			topk_push(a, &b->heap[i]);
	a->rows += b->rows;
	a->passed += b->passed;
	a->vrows += b->vrows;
	a->passed_any += b->passed_any;
	for (int i = 0; i < a->np && a->defer; i++)
		a->wcnt[i] += b->wcnt[i];
}

/* Start the second half (called by kyokun_collect on the first half's connection). */
static void part_start(void *arg)
{
	struct part *p = arg;
	struct kerr e = KERR_INIT;

	if (index_state(p->main, &p->state, &e) == 0 && pthread_create(&p->th, NULL, part_run, p) == 0) {
		p->started = 1;
		p->first->stop_at = p->lo;
	}
}

/*
 * The windows of the phrases a deferred run did not count (not in t->wrun),
 * counted as sample_df() counts them: their OR over the same windows.
 */
static int window_rest(struct kstore_sqlite *st, struct topk *t, struct kerr *err)
{
	struct kbuf any = KBUF_INIT;
	long cnt[TOPK_MAX_PHRASES + 1] = { 0 };
	struct sample sm = { 0, cnt, NULL, NULL };
	int at[TOPK_MAX_PHRASES], rc = 0;

	for (int i = 0; i < t->np; i++) {
		if (t->wrun >> i & 1)
			continue;
		if (t->xmask >> i & 1)
			continue; /* the vocabulary's count (defer_score()) */
		if (kbuf_addf(&any, "%s%.*s", sm.np ? " OR " : "", t->plen[i], t->ptext[i])) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		at[sm.np++] = i;
	}
	if (!sm.np)
		goto out;
	if ((rc = sample_run(st, &sm, &any, t->nwin, t->wa, t->wb, err)))
		goto out;
	for (int k = 0; k < sm.np; k++)
		t->wcnt[at[k]] = cnt[k];
out:
	kbuf_release(&any);
	return rc;
}

/*
 * The rows kept by a deferred run (t->defer), scored: the phrases' idf from
 * the sample windows counted on the way (as sample_df() would have counted
 * them: the same windows, the same rows, the same phrases), then each row
 * in rowid order as kyokun_collect() scores it (the bound for length 0
 * first, the length read only for a row that can still make the page), so
 * the heap ends as the run would have left it with those idf given first.
 */
static int defer_score(struct kstore_sqlite *st, struct topk *t, struct kerr *err)
{
	double gidf[TOPK_MAX_PHRASES];
	sqlite3_stmt *s = NULL;
	long seen = t->seen;
	int rc, g = -1;

	/* a phrase of one token: the vocabulary's exact count, as sample_df() takes it */
	for (int i = 0; t->defer == 1 && i < t->np; i++) {
		if ((rc = token_phrase_df(st, t->ptext[i], t->plen[i], &t->xdf[i], err)) < 0)
			return rc;
		if (rc)
			t->xmask |= 1ULL << i;
	}
	if (t->defer == 1 && (rc = window_rest(st, t, err)))
		return rc;
	for (int i = 0; i < t->np; i++) {
		double df;

		if (t->defer == 1) {
			df = t->xmask >> i & 1			  ? t->xdf[i]
			     : t->nwin == 1 || seen == 0 ? (double)t->wcnt[i]
							 : (double)t->wcnt[i] * (double)t->nrow / (double)seen;
			t->idf[i] = bm25_idf((double)t->nrow, df);
		} else {
			/* as reader_df() and top_match() */
			df = t->nwin == 1 ? (double)t->wcnt[i]
					  : (double)t->wcnt[i] * t->rs->nrow / ((double)t->nwin * t->wrows);
			if (t->rs->cond && df <= 0 && (rc = cond_df(st, t->rs, t->ph[i], 0, &df, err)))
				return rc;
			t->idf[i] = bm25_idf(t->rs->nrow, df);
		}
		/* each group's idf, as grouped_bm25() takes it */
		if (t->grp[i] != 1)
			gidf[++g] = t->idf[i];
		else if (t->idf[i] < gidf[g])
			gidf[g] = t->idf[i];
	}
	if (t->dlc && dlcache_ready(st, t->dlc, 0, err) > 0)
		t->dl = t->dlc;
	else
		t->dl = NULL;
	for (size_t c = 0; c < t->ncand; c++) {
		const double *gf = t->cf + c * (size_t)t->nbg;
		sqlite3_int64 rid = t->cand[c].rid;
		double ub = 0, exact = 0;
		int dl = 0;

		for (int k = 0; k < t->nbg; k++)
			if (gf[k] > 0)
				ub += bm25_term(gidf[k], gf[k], 0, t->avgdl);
		if (t->nheap == t->k && ub <= t->heap[0].h.score)
			continue;
		if (!t->dl && t->dlc && ++t->dlc->reads > 1000 + t->nrow / 32) {
			/* many rows ranked on this connection: read all lengths at once (as above) */
			struct kerr e = KERR_INIT;

			if (dlcache_ready(st, t->dlc, 1, &e) > 0)
				t->dl = t->dlc;
			else
				t->dlc = NULL;
		}
		if (t->dl && rid >= 0 && rid < t->dl->n && t->dl->dl[rid] >= 0) {
			dl = t->dl->dl[rid];
		} else {
			if (!s && (rc = cached(st, C_DLONE, "SELECT sz FROM case_fts_docsize WHERE id = ?1", &s, err)))
				return rc;
			sqlite3_bind_int64(s, 1, rid);
			if ((rc = sqlite3_step(s)) == SQLITE_ROW)
				dl = ksqlite_docsize_sum(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0));
			sqlite3_reset(s);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				done(s);
				return ksqlite_db_err(st, err, "search: document lengths");
			}
		}
		for (int k = 0; k < t->nbg; k++)
			if (gf[k] > 0)
				exact += bm25_term(gidf[k], gf[k], dl, t->avgdl);
		if (t->nheap == t->k && exact <= t->heap[0].h.score)
			continue;
		topk_push(t, &(struct topk_ent){ { rid, exact, t->cand[c].a }, 0, dl });
	}
	if (s)
		done(s);
	return 0;
}

/*
 * A deferred run of every phrase ORed (t->defer 1, on this connection
 * alone) as one run per phrase: the same rows kept with the same counts and
 * the windows counted the same (a run of every phrase stops on a row in
 * each phrase the row holds, with that phrase's instances), but FTS5 merges
 * no lists and each row asks only for the phrases it holds (for 訓練 and
 * its four synonyms, one of five on most rows: the phrases' lists were most
 * of the work).  The runs' rows merged in rowid order are what the run of
 * every phrase would have kept, counted and filtered as kyokun_collect()
 * does.
 */
static int split_runs(struct kstore_sqlite *st, struct topk *t, const struct kfilter *f, struct kerr *err)
{
	struct kbuf one = KBUF_INIT;
	size_t at[TOPK_MAX_PHRASES];
	int rc = 0;

	t->split = 1;
	t->nsrow = 0;
	for (int i = 0; i < t->np && !rc; i++) {
		t->sph = i;
		t->wcur = 0;
		t->sat[i] = t->nsrow;
		kbuf_reset(&one);
		if (kbuf_add(&one, t->ptext[i], (size_t)t->plen[i]))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		else
			rc = collect_part(st, t, kbuf_str(&one), f, 0, 0, err);
	}
	t->sat[t->np] = t->nsrow;
	t->split = 0;
	t->dlc = st->search_dlc; /* (a run without rows leaves it unset) */
	kbuf_release(&one);
	if (rc)
		return rc;
	for (int i = 0; i < t->np; i++)
		at[i] = t->sat[i];
	for (;;) {
		sqlite3_int64 rid = INT64_MAX;
		double fr[TOPK_MAX_PHRASES];
		unsigned long long a = 0;

		for (int i = 0; i < t->np; i++)
			if (at[i] < t->sat[i + 1] && t->srow[at[i]].rid < rid)
				rid = t->srow[at[i]].rid;
		if (rid == INT64_MAX)
			break;
		for (int i = 0; i < t->np; i++) {
			fr[i] = 0;
			if (at[i] < t->sat[i + 1] && t->srow[at[i]].rid == rid && (fr[i] = t->srow[at[i]++].fr) > 0)
				a |= 1ULL << i;
		}
		t->rows++;
		if (t->fc && !ksqlite_want_passes(t->fc, &t->want, rid))
			continue;
		t->passed++;
		if ((t->want_rows && topk_row(t, rid) < 0) || topk_keep(t, rid, a, fr) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

/*
 * Collect the match into t, the rowids in two halves.  When the table is
 * big, the machine has two processors and a second connection can be had
 * (st->helper, opened on first use), the second half goes to a thread on
 * that connection as soon as the first has shown enough rows of the match;
 * else this connection does it after the first.  Ends with t's heap sorted
 * best first, the scores final.
 */
static int top_parts(struct kstore_sqlite *st, struct topk *t, const char *match, const struct kfilter *f,
		     int flags, struct kerr *err)
{
	struct topk *t2 = NULL;
	struct part p = { 0 };
	struct kcover *cv = NULL;
	sqlite3_int64 lo = 0, hi = -1, mid = 0;
	int rc = 0, threads = st->threads;
	const char *env = getenv("KYOKUN_SEARCH_THREADS");
	unsigned long long all = t->np >= 64 ? ~0ULL : (1ULL << t->np) - 1;

	if (!threads)
		threads = env && *env ? atoi(env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
	t->rows = 0;
	if (t->croot && !(t->defer == 1 && t->np > 1 && t->counting && !t->ngrp && !t->exclude && t->wrun == all)) {
		/* the run with its long phrases on a cover of their tokens (not for split_runs(), below,
		 * whose runs are one phrase each) */
		if ((rc = kcover_make(st, t->croot, t->cflat, &cv, err)))
			goto out;
		if (cv && cv->np == t->np) {
			t->cv = cv;
			t->cat.hint = 0;
			match = cv->text;
		}
	}
	if (((threads >= 2 && t->nrow >= TOPK_PARALLEL_ROWS) || (flags & KSTORE_RANK_SPLIT)) &&
	    !st->helper_failed && t->own_txn /* no write of ours pending */ &&
	    strcmp(st->base.path, ":memory:") && *st->base.path) {
		if (!st->helper) {
			struct kerr e = KERR_INIT;

			if (ksqlite_open(&st->helper, st->base.path, KSTORE_READONLY, &e) < 0) {
				st->helper = NULL;
				st->helper_failed = 1; /* one go, from now on */
			} else {
				st->helper->threads = 1;
			}
		}
		if (st->helper) {
			if ((rc = rowid_range(st, &lo, &hi, err)))
				goto out;
			mid = lo + (hi - lo + 1) / 2;
			if (!(t2 = malloc(sizeof(*t2))) ||
			    !(memcpy(t2, t, sizeof(*t2)), t2->cand = NULL, t2->cf = NULL, t2->ncand = t2->ccap = 0,
			      t2->prow = NULL, t2->nprow = t2->cprow = 0,
			      t2->heap = malloc(t->k * sizeof(*t2->heap)))) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			p = (struct part){ .st = st->helper, .t = t2, .match = match, .f = f, .lo = mid,
					   .hi = hi + 1, .main = st, .first = t, .err = KERR_INIT };
			t->spawn = part_start;
			t->spawn_arg = &p;
			t->spawn_at = (flags & KSTORE_RANK_SPLIT) ? 0 : now_ns() + TOPK_PARALLEL_AFTER_NS;
			t->spawn_before = mid;
		}
	}
	/* all the rows here, unless the second half is started on the way */
	t->stop_at = INT64_MAX;
	if (t->defer == 1 && t->np > 1 && !t->spawn && t->counting && !t->ngrp && !t->exclude && t->wrun == all &&
	    !t->cv)
		rc = split_runs(st, t, f, err);
	else
		rc = collect_part(st, t, match, f, 0, 0, err);
	t->spawn = NULL;
	if (p.started) {
		pthread_join(p.th, NULL);
		/* the helper saw another index (or failed): its half here */
		if (!rc && (p.rc || !p.same)) {
			t2->nheap = 0; /* what the helper collected before it stopped */
			t2->vrows = 0;
			t2->rows = 0;
			t2->passed = 0;
			t2->passed_any = 0;
			t2->nprow = 0;
			t2->ncand = 0;
			t2->wcur = 0;
			memset(t2->wcnt, 0, sizeof(t2->wcnt));
			rc = collect_part(st, t2, match, f, mid, hi + 1, err);
		}
		if (!rc)
			topk_merge(t, t2);
		if (!rc && t->want_rows && t2->nprow) {
			/* the second half's rows after the first's: still ascending */
			if (KGROW(t->prow, t->cprow, t->nprow + t2->nprow) < 0) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			memcpy(t->prow + t->nprow, t2->prow, t2->nprow * sizeof(*t->prow));
			t->nprow += t2->nprow;
		}
		if (!rc && t->defer && t2->ncand) {
			/* the second half's rows after the first's: still in rowid order */
			struct topk_cand *c = realloc(t->cand, (t->ncand + t2->ncand) * sizeof(*c));
			double *gf = c ? realloc(t->cf, (t->ncand + t2->ncand) * (size_t)t->nbg * sizeof(*gf)) : NULL;

			if (c)
				t->cand = c;
			if (gf)
				t->cf = gf;
			if (!c || !gf) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			memcpy(t->cand + t->ncand, t2->cand, t2->ncand * sizeof(*c));
			memcpy(t->cf + t->ncand * (size_t)t->nbg, t2->cf, t2->ncand * (size_t)t->nbg * sizeof(*gf));
			t->ncand += t2->ncand;
			t->ccap = t->ncand;
		}
	}
	if (rc)
		goto out;
	if (t->defer && (rc = defer_score(st, t, err)))
		goto out;
	if (t->np == 1 && !t->given) {
		/* as aux_rank(), now that the phrase's rows are counted (the reader's: struct rstats) */
		double nrow = (double)t->nrow, df = (double)t->rows, idf;

		if (t->rs) {
			nrow = t->rs->nrow;
			df = t->count_vis ? (double)t->vrows : t->vdf;
			if (df <= 0 && t->count_vis && t->rs->cond && (rc = cond_df(st, t->rs, t->ph0, 0, &df, err)))
				goto out;
		}
		idf = bm25_idf(nrow, df);

		for (size_t i = 0; i < t->nheap; i++)
			t->heap[i].h.score = bm25_term(idf, t->heap[i].fr0, t->heap[i].dl, t->avgdl);
	}
	qsort(t->heap, t->nheap, sizeof(*t->heap), ent_cmp);
out:
	t->cv = NULL;
	kcover_free(cv);
	if (t2) {
		free(t2->heap);
		free(t2->cand);
		free(t2->cf);
		free(t2->prow);
	}
	free(t2);
	kbuf_release(&p.state);
	return rc;
}

/*
 * The default path of kstore_search_top(): the same hits, scores and order
 * as the SQL statement of top_sql() with kyokun_rank() when the table has
 * up to TOPK_SAMPLE_ROWS rows (above, idf is estimated: see topk_idf()).
 *
 * FTS5 evaluates the expression (its AND skips through the phrases' rows
 * and checks a phrase's positions only on rows the other words allow), and
 * kyokun_collect() scores each row of the match in C: the upper bound of
 * its bm25 for length 0 is checked against the k-th best exact score so
 * far, and only a row that can still reach the page has its filters
 * checked and its length read.  Nothing is sorted but the page.
 *
 * match is q rendered, pp where its phrases are.  Returns 1 when the
 * expression is not one this path handles (the caller then runs the SQL
 * path).
 */
struct ksqlite_given {
	const double *idf;  /* per phrase */
	double avgdl;
	long total;         /* out: the rows of the match passing the filters (-1: not counted) */
};

/*
 * Counting on the way (ksqlite_search_counted): total the rows of the
 * query passing the filters; with ngrp groups, the match run is every
 * phrase of the query ORed, a row is the query's when each group holds one
 * of its phrases (grp[g], bit i for phrase i), and total_any counts every
 * row passing (with any_grp, every row where some group holds).  Out: -1
 * when not counted.
 */
struct ksqlite_counts {
	const char *run;    /* the match run (NULL: the query's; with ngrp, any's) */
	int ngrp;
	unsigned long long grp[TOPK_MAX_PHRASES];
	struct conj conj;   /* the ANDs of the groups (a word's parts) */
	int any_grp;        /* any is q's groups ORed (a row counts in it where a group holds), not every
			     * phrase ORed; the run is every phrase ORed all the same */
	const struct kstore_qnode *run_root; /* the run's tree (with run_flat, its phrases all ORed) */
	int run_flat;
	long total, total_any;
	/* asked for: the rows counted in total, ascending (malloc'ed; NULL where not all were seen) */
	int want_rows;
	long long *rows;
	size_t nrows;
};

static int or_phrases(const struct kstore_qnode *n, const struct kphrase **v, int *nv);
static int not_free(const struct kstore_qnode *n);
static int fts_phrases_or(struct kbuf *b, const struct kstore_qnode *n, int *k);

/*
 * A deferred run for a query that is not every phrase ORed (see top_match()),
 * when its rows are at most this many by the vocabulary's bound (match_bound()):
 * keeping every row to score it after costs more than the windows it saves
 * when many rows match.
 */
#define TOPK_DEFER_FEW 4096

/*
 * The phrases of q that are kids of an OR at its root (bit i: phrase i in
 * FTS5's order), 0 if none or q has a NOT: each such phrase's rows are all
 * rows of the match, and a run reports it on exactly those rows.
 */
static unsigned long long root_phrases(const struct kstore_query *q)
{
	const struct kstore_qnode *r = q->root;
	unsigned long long m = 0;
	int np = 0;

	if (!r || q->except || r->op != KSQ_OR || !not_free(r))
		return 0;
	for (size_t i = 0; i < r->nkid; i++) {
		int first = np;

		tree_phrases(r->kid[i], NULL, &np);
		if (np > TOPK_MAX_PHRASES)
			return 0;
		if (r->kid[i]->op == KSQ_PHRASE && first < 64)
			m |= 1ULL << first;
	}
	return m;
}

struct tokmin;
static int tokmin_cb(void *ctx, const char *tok, int ntok, int start, int end);

/*
 * At most how many rows match n (an OR, AND and phrase tree), from the
 * vocabulary: a phrase's rarest token, an AND's rarest kid, an OR's kids
 * summed (LONG_MAX: no bound: a prefix, or the vocabulary could not be
 * read).  Only chooses a path.
 */
static void match_bound(struct kstore_sqlite *st, const struct kstore_qnode *n, long *bound);

static int top_match(struct kstore_sqlite *st, const struct kstore_query *q, const char *match, const struct ppos *pp,
		     const char *groups, int flags, const struct kfilter *f, long long exclude_rid, long limit, long offset,
		     struct kstore_hit **hits, size_t *n, struct ksqlite_given *given, struct ksqlite_counts *cnt,
		     struct kerr *err)
{
	static const double weights[KCOL__N] = { 8.0, 4.0, 3.0, 1.0, 1.0, 0.5 };
	struct topk *t = calloc(1, sizeof(*t));
	sqlite3_stmt *s = NULL;
	struct rstats rs;
	const struct kphrase **ph = NULL;
	const char *run = cnt && cnt->run ? cnt->run : match; /* match: where the phrases are */
	const struct kphrase *orv[TOPK_MAX_PHRASES];
	long bound = 0;
	int rc = 0, r, txn = 0, nph = 0, norv = 0, all_or;

	if (!t)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (tk_phrases(t, q, match, pp, groups) < 0) {
		rc = 1;
		goto out;
	}
	memcpy(t->w, weights, sizeof(weights));
	/* the run walks every row of every phrase, each reporting all the phrases it holds (see
	 * counts_groups()): every phrase ORed, counted (the filters checked on every row) */
	all_or = cnt && !exclude_rid && t->grp[0] != 1 &&
		 (cnt->ngrp || (!q->except && or_phrases(q->root, orv, &norv) == 0 && norv == t->np));
	if (cnt) {
		t->counting = 1;
		t->want_rows = cnt->want_rows;
		t->ngrp = cnt->ngrp;
		memcpy(t->sgrp, cnt->grp, sizeof(t->sgrp));
		t->conj = cnt->conj;
		t->conj.on = cnt->ngrp && cnt->conj.on;
		t->any_grp = cnt->ngrp && cnt->any_grp;
		cnt->total = 0;
		cnt->total_any = cnt->ngrp ? 0 : -1;
	}
	t->stop_at = INT64_MAX;
	t->k = (size_t)(offset + limit);
	t->exclude = exclude_rid;
	if (cnt && !exclude_rid && !given) {
		/* the counted run: its long phrases on a cover of their tokens, where it can (top_parts()) */
		t->croot = cnt->run ? cnt->run_root : q->except ? NULL : q->root;
		t->cflat = cnt->run && cnt->run_flat;
	}
	if (!(t->heap = malloc(t->k * sizeof(*t->heap)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	/* one read transaction: one snapshot, and no lock per lookup */
	if (sqlite3_get_autocommit(st->db)) {
		if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			rc = ksqlite_db_err(st, err, "search");
			goto out;
		}
		txn = 1;
	}
	t->own_txn = txn;
	if ((rc = cached(st, C_STATS, "SELECT kyokun_stats(case_fts, ?1) FROM case_fts"
			 " WHERE case_fts MATCH ?2 LIMIT 1", &s, err)))
		goto out;
	sqlite3_bind_pointer(s, 1, t, "kyokun_topk", NULL);
	sqlite3_bind_text(s, 2, run, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		;
	done(s);
	s = NULL;
	if (r != SQLITE_DONE) {
		rc = match_err(st, err, "search");
		goto out;
	}
	if (!t->called)
		goto out; /* no row matches */
	if (t->rc == SQLITE_MISMATCH) {
		rc = 1;
		goto out;
	}
	if (t->rc != SQLITE_OK) {
		rc = t->rc == SQLITE_NOMEM ? kerr_set(err, KE_NOMEM, "out of memory")
					   : kerr_set(err, KE_DB, "search: %s", sqlite3_errstr(t->rc));
		goto out;
	}
	if (given) {
		/* the caller's statistics (the reader's, from the vocabulary) */
		memcpy(t->idf, given->idf, (size_t)t->np * sizeof(*t->idf));
		t->avgdl = given->avgdl > 0 ? given->avgdl : 1.0;
		t->given = 1;
	} else if ((rc = reader_stats(st, f->reader, &rs, err))) {
		goto out;
	} else if (rs.on) {
		/* the reader's statistics (struct rstats) */
		double df[TOPK_MAX_PHRASES];

		if ((rc = query_phrases(q, &ph, &nph)) || nph != t->np) {
			rc = rc ? kerr_set(err, KE_NOMEM, "out of memory") : 1;
			goto out;
		}
		t->rs = &rs;
		t->avgdl = rs.avgdl;
		t->ph0 = ph[0];
		if (t->np == 1 && rs.fc) {
			t->idf[0] = 1; /* its visible rows counted on the way, as below */
			t->count_vis = 1;
		} else if (rs.fc && all_or && t->nrow <= TOPK_DEFER_ROWS) {
			/* the run is every phrase ORed: it walks the rows reader_df() would (below) */
			t->defer = 2;
			t->wrun = t->np >= 64 ? ~0ULL : (1ULL << t->np) - 1;
			t->ph = ph;
		} else if ((rc = reader_df(st, &rs, t->dlc, ph, t->np, 0, !!(flags & KSTORE_RANK_SAMPLE), df,
					   err))) {
			goto out;
		} else if (t->np == 1) {
			t->idf[0] = 1;
			t->vdf = df[0];
		} else {
			for (int i = 0; i < t->np; i++)
				t->idf[i] = bm25_idf(rs.nrow, df[i]);
		}
	} else if (t->np == 1) {
		/* one phrase: its rows are the match, counted on the way; the
		 * scores are scaled by its idf at the end */
		t->idf[0] = 1;
	} else if (all_or && t->nrow <= TOPK_DEFER_ROWS) {
		/* the run is every phrase ORed: it walks the rows sample_df() would (below) */
		t->defer = 1;
		t->wrun = t->np >= 64 ? ~0ULL : (1ULL << t->np) - 1;
	} else if (cnt && !exclude_rid && (t->wrun = root_phrases(q)) &&
		   (match_bound(st, q->root, &bound), bound <= TOPK_DEFER_FEW)) {
		/* few rows, some phrases ORed at the top (a word and its parts): those phrases'
		 * rows are all in the run, their windows counted on the way, the others' apart */
		t->defer = 1;
	} else if ((rc = topk_idf(st, t, flags, err))) {
		goto out;
	}
	t->load_all = !!(flags & KSTORE_RANK_LOAD);
	if (has_filter(f)) {
		/*
		 * filters from the columns kept in memory (one SQL lookup per row
		 * else); similar cases, which check a few rows only, do not wait
		 * while another connection reads the columns (a case page in the
		 * first second of `serve` at a million cases)
		 */
		struct kfacets *fc;

		if ((r = given ? ksqlite_facets_try(st, &fc, err) : ksqlite_facets_ready(st, &fc, err)) < 0) {
			rc = r;
			goto out;
		}
		if (r == 0) {
			t->fc = fc;
			if ((r = ksqlite_want_init(st, fc, f, &t->want, err)) < 0) {
				rc = r;
				goto out;
			}
			if (!r)
				goto out; /* no case passes */
		}
	}
	if (t->defer && has_filter(f) && !t->fc) {
		/* filters from SQL, checked only on the rows that can make the page: not deferred */
		if (t->defer == 1 && (rc = topk_idf(st, t, flags, err)))
			goto out;
		if (t->defer == 2) {
			double df[TOPK_MAX_PHRASES];

			if ((rc = reader_df(st, &rs, t->dlc, ph, t->np, 0, !!(flags & KSTORE_RANK_SAMPLE), df, err)))
				goto out;
			for (int i = 0; i < t->np; i++)
				t->idf[i] = bm25_idf(rs.nrow, df[i]);
		}
		t->defer = 0;
	}
	if (t->defer) {
		/* sample_df()'s (reader_df()'s) windows counted on the way, the rows with all the
		 * words scored after (defer_score()): one run fewer */
		int tiny = !!(flags & KSTORE_RANK_SAMPLE);

		for (int i = 0; i < t->np; i++)
			t->nbg += t->grp[i] != 1;
		if (t->defer == 1 &&
		    (rc = sample_plan(st, t->np, t->nrow, tiny, &t->nwin, t->wa, t->wb, &t->seen, err)))
			goto out;
		if (t->defer == 2) {
			/* as reader_df() */
			t->nwin = 1;
			t->wrows = tiny ? 2 : TOPK_SAMPLE_ROWS / (t->np > 16 ? 2 : TOPK_WINDOWS);
			if (tiny || rs.nrow > TOPK_SAMPLE_ROWS) {
				struct rwin w;

				t->nwin = tiny || t->np <= 16 ? TOPK_WINDOWS : 2;
				if ((rc = vis_windows(st, &rs, t->dlc, t->nwin, t->wrows, &w, err)))
					goto out;
				if (w.nvis <= (long)t->nwin * t->wrows)
					t->nwin = 1;
				memcpy(t->wa, w.a, sizeof(t->wa));
				memcpy(t->wb, w.b, sizeof(t->wb));
			}
		}
		if (t->nwin == 1) {
			t->wa[0] = INT64_MIN;
			t->wb[0] = INT64_MAX;
		}
	}
	if ((rc = top_parts(st, t, run, f, flags, err)))
		goto out;
	if (given)
		given->total = t->fc || !has_filter(f) ? t->passed : -1;
	if (cnt) {
		/* counted only where the filters were checked on every row */
		cnt->total = t->fc || !has_filter(f) ? t->passed : -1;
		cnt->total_any = cnt->ngrp && cnt->total >= 0 ? t->passed_any : -1;
		if (t->want_rows && cnt->total >= 0 && (size_t)cnt->total == t->nprow) {
			/* every row counted, kept: handed over */
			cnt->rows = t->prow;
			cnt->nrows = t->nprow;
			t->prow = NULL;
		}
	}
	if (t->nheap > (size_t)offset) {
		struct kstore_hit *h = malloc((t->nheap - (size_t)offset) * sizeof(*h));

		if (!h) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		*n = t->nheap - (size_t)offset;
		for (size_t i = 0; i < *n; i++)
			h[i] = t->heap[offset + i].h;
		*hits = h;
	}
out:
	if (txn)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	topk_free(t);
	free(ph);
	return rc;
}

/*
 * The ranking statement: bm25 with the column weights, best first.  Unless
 * exact is asked for, the score is kyokun_rank(), which gives the same
 * numbers but skips the rows that cannot make the page (see above); the
 * filters go into a CASE so that the rows they reject never reach it.
 */
#define KSTORE_RANK_MAX 10000

static int top_sql(struct kbuf *sql, const struct kfilter *f, long long exclude_rid, int pruned, int by_want)
{
	struct kbuf cond = KBUF_INIT;
	int rc = 0, join = f->sort == KSORT_YEAR || (has_filter(f) && !by_want);

	if (by_want) {
		/* the filters from the facet columns in memory (struct want_ptr): no row of cases read */
		rc |= kbuf_adds(&cond, " WHERE kyokun_want(:want, case_fts.rowid)");
	} else if (has_filter(f)) {
		rc |= ksqlite_filter_sql(f, &cond);   /* " WHERE 1 AND ..." */
	} else {
		rc |= kbuf_adds(&cond, " WHERE 1");
	}
	if (exclude_rid)
		rc |= kbuf_adds(&cond, " AND case_fts.rowid <> :exclude");
	if (rc)
		goto out;
	if (pruned) {
		rc |= kbuf_addf(sql, "SELECT case_fts.rowid, CASE WHEN %s THEN kyokun_rank(case_fts, :k, "
				WEIGHTS ", :groups, :rstats) END AS s, kyokun_phrases(case_fts) FROM case_fts",
				kbuf_str(&cond) + 7);
	} else {
		/* every row scored (k 0): bm25 as FTS5's bm25() computes it, synonyms grouped */
		rc |= kbuf_adds(sql, "SELECT case_fts.rowid, kyokun_rank(case_fts, 0, " WEIGHTS ", :groups, :rstats) AS s,"
				" kyokun_phrases(case_fts) FROM case_fts");
	}
	if (join)
		rc |= kbuf_adds(sql, " JOIN cases c ON c.rid = case_fts.rowid");
	rc |= kbuf_addf(sql, "%s AND case_fts MATCH :match%s ORDER BY %ss DESC, case_fts.rowid"
			" LIMIT :limit OFFSET :offset", kbuf_str(&cond), pruned ? " AND s IS NOT NULL" : "",
			f->sort == KSORT_YEAR ? "c.year IS NULL, c.year DESC, " : "");
out:
	kbuf_release(&cond);
	return rc ? KE_NOMEM : 0;
}

static void bind_common(sqlite3_stmt *s, const char *match, const struct kfilter *f,
			long long exclude_rid, long limit, long offset)
{
	int i;

	ksqlite_bind_filter(s, f);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":match"), match, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(s, ":exclude")) > 0)
		sqlite3_bind_int64(s, i, exclude_rid);
	if ((i = sqlite3_bind_parameter_index(s, ":limit")) > 0)
		sqlite3_bind_int64(s, i, limit > 0 ? limit : -1);
	if ((i = sqlite3_bind_parameter_index(s, ":offset")) > 0)
		sqlite3_bind_int64(s, i, offset > 0 ? offset : 0);
}

int ksqlite_search_top(struct kstore *kst, const struct kstore_query *q, int flags, const struct kfilter *f,
		      long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
		      struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT, mt = KBUF_INIT, grp = KBUF_INIT;
	struct ppos pp;
	struct rank_given rg;
	double *ridf = NULL;
	sqlite3_stmt *s = NULL;
	const char *match;
	struct kwant w;
	struct want_ptr wp = { NULL, &w };
	int rc, own = 0, two_phase, by_want = 0;

	*hits = NULL;
	*n = 0;
	if ((rc = init(st, err)) || (rc = fts_query(&mt, q, &pp, err)))
		goto out;
	if (query_groups(&grp, q)) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	match = kbuf_str(&mt);
	/* newest first: every hit is scored (the year comes before the score) */
	two_phase = limit > 0 && offset + limit <= KSTORE_RANK_MAX && !(flags & KSTORE_RANK_EXACT) &&
		    f->sort != KSORT_YEAR;
	if (two_phase && !(flags & KSTORE_RANK_SQL)) {
		if ((rc = top_match(st, q, match, &pp, kbuf_str(&grp), flags, f, exclude_rid, limit, offset, hits,
				    n, NULL, NULL, err)) <= 0)
			goto out;
		rc = 0;
	}
	if ((rc = sql_rstats(st, q, f, flags, &rg, &ridf, err)))
		goto out;
	if (has_filter(f) && !st->facets_sql) {
		/* the filters from the facet columns in memory, where they can be had */
		struct kfacets *fc;

		if ((rc = ksqlite_facets_ready(st, &fc, err)) < 0)
			goto out;
		if (rc == 0) {
			if ((rc = ksqlite_want_init(st, fc, f, &w, err)) <= 0)
				goto out; /* (0: no case passes) */
			wp.fc = fc;
			by_want = 1;
		}
		rc = 0;
	}
	if ((rc = top_sql(&sql, f, exclude_rid, two_phase, by_want)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!has_filter(f) && !exclude_rid && f->sort != KSORT_YEAR) {
		if ((rc = cached(st, two_phase ? C_TOP2 : C_TOP, sql.buf, &s, err)))
			goto out;
	} else {
		if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
			goto out;
		own = 1;
	}
	bind_common(s, match, f, exclude_rid, limit, offset);
	if (by_want)
		sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":want"), &wp, "kyokun_want", NULL);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":groups"), kbuf_str(&grp), -1, SQLITE_STATIC);
	if (ridf)
		sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":rstats"), &rg, "kyokun_rstats", NULL);
	if (two_phase)
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":k"), offset + limit);
	rc = collect(st, s, limit, hits, n, err);
out:
	if (s && own)
		sqlite3_finalize(s);
	else if (s)
		done(s);
	kbuf_release(&sql);
	kbuf_release(&mt);
	kbuf_release(&grp);
	free(ridf);
	if (rc) {
		free(*hits);
		*hits = NULL;
		*n = 0;
	}
	return rc;
}

/* The phrases of n, a phrase or an OR of ORs and phrases, appended to v; -1 for any other node or too many. */
static int or_phrases(const struct kstore_qnode *n, const struct kphrase **v, int *nv)
{
	if (!n)
		return -1;
	if (n->op == KSQ_PHRASE) {
		if (*nv >= TOPK_MAX_PHRASES || !n->phrase.text)
			return -1;
		v[(*nv)++] = &n->phrase;
		return 0;
	}
	if (n->op != KSQ_OR || !n->kid)
		return -1;
	for (size_t i = 0; i < n->nkid; i++)
		if (or_phrases(n->kid[i], v, nv) < 0)
			return -1;
	return 0;
}

/*
 * The phrases of one group of counts_groups(): a phrase, an OR of such, or an
 * AND whose kids are phrases or ORs of phrases (a word's parts and their
 * synonyms: サポート AND 詐欺), added to v in FTS5's order, each AND kept in cj
 * (cj->on set when an AND has two kids or more).  -1 for any other shape.
 */
static int group_phrases(const struct kstore_qnode *n, const struct kphrase **v, int *nv, struct conj *cj)
{
	if (!n)
		return -1;
	if (n->op == KSQ_PHRASE) {
		if (*nv >= TOPK_MAX_PHRASES || !n->phrase.text)
			return -1;
		cj->and_of[*nv] = -1;
		v[(*nv)++] = &n->phrase;
		return 0;
	}
	if (n->op == KSQ_AND && n->kid && n->nkid) {
		int a = cj->nands, first = *nv;

		if (a >= (int)(sizeof(cj->ands) / sizeof(cj->ands[0])) || n->nkid > CONJ_MAX_KIDS)
			return -1;
		cj->ands[a].nkid = (int)n->nkid;
		for (size_t k = 0; k < n->nkid; k++) {
			const struct kphrase *kv[TOPK_MAX_PHRASES];
			int nk = 0;

			if (or_phrases(n->kid[k], kv, &nk) < 0 || *nv + nk > TOPK_MAX_PHRASES)
				return -1;
			cj->ands[a].kid[k] = 0;
			for (int j = 0; j < nk; j++) {
				cj->ands[a].kid[k] |= 1ULL << *nv;
				v[(*nv)++] = kv[j];
			}
		}
		for (int i = first; i < *nv; i++)
			cj->and_of[i] = (signed char)a;
		cj->nands++;
		cj->on |= n->nkid > 1;
		return 0;
	}
	if (n->op != KSQ_OR || !n->kid)
		return -1;
	for (size_t i = 0; i < n->nkid; i++)
		if (group_phrases(n->kid[i], v, nv, cj) < 0)
			return -1;
	return 0;
}

/* Are a and b the same tree (operators, phrases, in order)? */
static int qnode_same(const struct kstore_qnode *a, const struct kstore_qnode *b)
{
	if (!a || !b || a->op != b->op)
		return a == b;
	if (a->op == KSQ_PHRASE)
		return a->phrase.text && b->phrase.text && !strcmp(a->phrase.text, b->phrase.text) &&
		       !a->phrase.prefix == !b->phrase.prefix;
	if (a->nkid != b->nkid)
		return 0;
	for (size_t i = 0; i < a->nkid; i++)
		if (!qnode_same(a->kid[i], b->kid[i]))
			return 0;
	return 1;
}

/*
 * Can q be ranked on a run of any (the same phrases, in the same order,
 * all ORed) with the same hits and scores, and any's rows counted on it?
 * Yes when q is a group or an AND of groups (one typed word to a group), a
 * group being a phrase, an OR of phrases (the word and its synonyms), or
 * an OR with ANDs among its kids (a segmented word: サポート詐欺 OR (サポート
 * AND 詐欺)), an AND's kids phrases or ORs of phrases (a part and its
 * synonyms).  any is every phrase ORed, or q's groups ORed (each word
 * whole: counted on the same run, c->any_grp).
 *
 * A row of any's run reports every phrase the row holds (an OR in FTS5
 * stops on a row in every one of its phrases there).  A row of q's run
 * reports a phrase where the row holds it and, inside an AND, only where
 * each other kid of that AND has a phrase there (FTS5 moves an AND's kids
 * together to the rows holding all, and ends them all with it).  So on
 * any's run a group holds when one of its phrases counts, a phrase
 * counting where each kid of its AND (c->conj) has a phrase held, and
 * only counting phrases score.  A deeper tree is not taken.  Sets c's
 * groups, or c->ngrp 0.
 */
static int counts_groups(const struct kstore_query *q, const struct kstore_query *any, struct ksqlite_counts *c)
{
	const struct kphrase *pq[TOPK_MAX_PHRASES], *pa[TOPK_MAX_PHRASES];
	const struct kstore_qnode *r = q->root;
	int nq = 0, na = 0;

	c->ngrp = 0;
	memset(&c->conj, 0, sizeof(c->conj));
	if (!r || !any || !any->root || q->except || any->except || q->cols || any->cols)
		return 0;
	if (r->op == KSQ_AND && r->kid) {
		for (size_t i = 0; i < r->nkid; i++) {
			int first = nq;

			if (group_phrases(r->kid[i], pq, &nq, &c->conj) < 0 || nq == first)
				goto no;
			c->grp[c->ngrp] = 0;
			for (int k = first; k < nq; k++)
				c->grp[c->ngrp] |= 1ULL << k;
			c->ngrp++;
		}
	} else {
		if (group_phrases(r, pq, &nq, &c->conj) < 0)
			goto no;
		c->grp[0] = nq >= 64 ? ~0ULL : (1ULL << nq) - 1;
		c->ngrp = 1;
	}
	/* any: every phrase ORed (one word's parts), or the words ORed, each whole (q's groups) */
	if (or_phrases(any->root, pa, &na) == 0) {
		if (na != nq)
			goto no;
		for (int i = 0; i < nq; i++)
			if (strcmp(pq[i]->text, pa[i]->text) || !pq[i]->prefix != !pa[i]->prefix)
				goto no;
		c->any_grp = 0;
		return 1;
	}
	/* q's groups ORed (each word whole): run every phrase ORed, any's rows those where a group
	 * holds, as the group holds on q's run */
	if (r->op != KSQ_AND || any->root->op != KSQ_OR || any->root->nkid != r->nkid)
		goto no;
	for (size_t i = 0; i < r->nkid; i++)
		if (!qnode_same(r->kid[i], any->root->kid[i]))
			goto no;
	c->any_grp = 1;
	return 1;
no:
	c->ngrp = 0;
	memset(&c->conj, 0, sizeof(c->conj));
	return 0;
}

/* No NOT in n? */
static int not_free(const struct kstore_qnode *n)
{
	if (!n || n->op == KSQ_NOT)
		return 0;
	for (size_t i = 0; n->op != KSQ_PHRASE && i < n->nkid; i++)
		if (!not_free(n->kid[i]))
			return 0;
	return 1;
}

/* Is every phrase of n (an OR, AND and phrase tree) one of v's? */
static int phrases_among(const struct kstore_qnode *n, const struct kphrase *const *v, int nv)
{
	if (n->op == KSQ_PHRASE) {
		for (int i = 0; i < nv; i++)
			if (!strcmp(n->phrase.text, v[i]->text) && !n->phrase.prefix == !v[i]->prefix)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < n->nkid; i++)
		if (!phrases_among(n->kid[i], v, nv))
			return 0;
	return 1;
}

/*
 * Is every row of q one of any's?  Yes when any is an OR of phrases and q,
 * without NOT, has no phrase that any lacks (a row of q holds one of q's
 * phrases).
 */
static int within_any(const struct kstore_query *q, const struct kstore_query *any)
{
	const struct kphrase *pa[TOPK_MAX_PHRASES];
	int na = 0;

	return q->root && any && any->root && !q->except && !any->except && q->cols == any->cols &&
	       not_free(q->root) && or_phrases(any->root, pa, &na) == 0 && phrases_among(q->root, pa, na);
}

static atomic_ulong vocab_counts; /* ksqlite_search_vocab_counts() */
static atomic_ulong split_counts; /* ksqlite_search_split_counts() */

unsigned long ksqlite_search_vocab_counts(void)
{
	return atomic_load(&vocab_counts);
}

unsigned long ksqlite_search_split_counts(void)
{
	return atomic_load(&split_counts);
}

struct tok_has {
	const char *tok;
	int len, has;
};

static int tok_has_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tok_has *h = ctx;

	(void)start;
	(void)end;
	if (ntok == h->len && !memcmp(tok, h->tok, (size_t)ntok))
		h->has = 1;
	return 0;
}

/* v[0..nv)'s index of phrase p (its text and prefix), -1 if none. */
static int phrase_at(const struct kphrase *const *v, int nv, const struct kphrase *p)
{
	for (int i = 0; i < nv; i++)
		if (!strcmp(v[i]->text, p->text) && !v[i]->prefix == !p->prefix)
			return i;
	return -1;
}

/*
 * Are q's rows those of R and B (R: every phrase of any but B, b), so that
 * |R and B| is q's own count?  Yes when q is an OR (or a single kid) of
 * phrases that hold B's token (each of their rows holds B) and of ANDs of B
 * with a phrase or an OR of phrases, and those phrases are all of R's: then
 * q = (W1 or ...) or (G and B) = (W1 or ... or G) and B = R and B.  A
 * segmented word is such a query: 踏み台サーバ is "踏み台サーバ" OR
 * ("踏み台" AND "サーバ").
 */
static int q_is_rest_and_b(const struct kstore_qnode *root, const struct kphrase *const *v, int nv, int b,
			   const struct tok_one *bt)
{
	const struct kphrase *g[TOPK_MAX_PHRASES];
	const struct kstore_qnode *const *kids = (const struct kstore_qnode *const *)&root;
	unsigned char used[TOPK_MAX_PHRASES] = { 0 };
	size_t nk = 1;

	if (root->op == KSQ_OR) {
		kids = (const struct kstore_qnode *const *)root->kid;
		nk = root->nkid;
	}
	for (size_t k = 0; k < nk; k++) {
		const struct kstore_qnode *n = kids[k];
		int ng = 0, i;

		if (n->op == KSQ_PHRASE) {
			struct tok_has h = { bt->tok, bt->len, 0 };

			if (n->phrase.prefix || (i = phrase_at(v, nv, &n->phrase)) < 0 || i == b)
				return 0;
			ktok_tokenize(n->phrase.text, -1, 1, tok_has_cb, &h);
			if (!h.has)
				return 0;
			used[i] = 1;
			continue;
		}
		if (n->op != KSQ_AND || n->nkid != 2)
			return 0;
		for (int side = 0; side < 2; side++) {
			const struct kstore_qnode *bk = n->kid[side], *gk = n->kid[!side];

			if (bk->op != KSQ_PHRASE || phrase_at(v, nv, &bk->phrase) != b)
				continue;
			if (or_phrases(gk, g, &ng) < 0)
				return 0;
			break;
		}
		if (!ng)
			return 0;
		for (int j = 0; j < ng; j++) {
			if ((i = phrase_at(v, nv, g[j])) < 0 || i == b)
				return 0;
			used[i] = 1;
		}
	}
	for (int i = 0; i < nv; i++)
		if (i != b && !used[i])
			return 0;
	return 1;
}

/*
 * The cases with any of the words (any: every phrase ORed), counted without
 * walking the rows of its most common phrase when that phrase is one index
 * token (a word of two characters: サーバ is the token サバ, 訓練 訓練): the
 * vocabulary has its count by level, exact at every commit (case_vocab), and
 * only the rest is counted, where that token is not:
 *     |B or R| = df(B) + |R and not B|
 * (FTS5 runs "R NOT B" looking B up at R's rows only; where q's rows are
 * R and B (q_is_rest_and_b()), it is |R| minus q's count, total, with no
 * look-up of B at all).  A segmented word's common part (踏み台サーバ:
 * サーバ, 55,000 of 100,000 cases) made this count most of the search.
 * Taken for a reader who sees whole levels only (the vocabulary counts by
 * level), without other filters, in every column, outside a write (whose
 * counts are not in the vocabulary yet), and only when the rest is small
 * beside B (its phrases' rarest tokens: a bound).
 *
 * vocab_plan() says whether it is taken (p->ok) from the vocabulary alone;
 * vocab_count() counts.
 */
struct vplan {
	int ok;
	const struct kphrase *v[TOPK_MAX_PHRASES];
	int nv, best;
	struct tok_one bt;
	long bdf;
};

static int vocab_plan(struct kstore_sqlite *st, const struct kstore_query *any, const struct kfilter *f,
		      struct vplan *p, struct kerr *err)
{
	struct ksqlite_vis vis;
	long rbound = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	p->best = -1;
	p->bdf = -1;
	if (st->in_txn || !any || !any->root || any->except || any->cols || or_phrases(any->root, p->v, &p->nv) < 0 ||
	    has_facet_filter(f))
		return 0;
	ksqlite_visible_masks(f->reader, &vis);
	if (vis.org | vis.sectors | vis.named)
		return 0;
	for (int i = 0; i < p->nv; i++) {
		struct tok_one o = { 0 };
		long df = 0;

		if (p->v[i]->prefix)
			continue;
		ktok_tokenize(p->v[i]->text, -1, 1, tok_one_cb, &o);
		if (o.n != 1 || !o.len)
			continue;
		if ((rc = ksqlite_term_df(&st->base, f->reader, o.tok, o.len, &df, err)) < 0)
			return rc;
		if (df > p->bdf) {
			p->bdf = df;
			p->best = i;
			p->bt = o;
		}
	}
	if (p->best < 0)
		return 0;
	for (int i = 0; i < p->nv; i++) {
		struct kstore_qnode one = { .op = KSQ_PHRASE, .phrase = *p->v[i] };
		long b;

		if (i == p->best)
			continue;
		match_bound(st, &one, &b);
		rbound = b == LONG_MAX || rbound > LONG_MAX - b ? LONG_MAX : rbound + b;
	}
	/* the rest's rows are walked (and B looked up at each): worth it only when they are few beside B's */
	p->ok = rbound <= p->bdf / 4;
	return 0;
}

/* The count of vocab_plan()'s any (p->ok) into *n; q and total: see above (total -1: not known). */
static int vocab_count(struct kstore_sqlite *st, const struct vplan *p, const struct kstore_query *q, long total,
		       const struct kfilter *f, long *n, struct kerr *err)
{
	struct kstore_qnode leaf[TOPK_MAX_PHRASES], *kids[TOPK_MAX_PHRASES], orn, bn;
	struct kstore_query rest;
	int nk = 0, rc;
	long m = 0;

	*n = -1;
	for (int i = 0; i < p->nv; i++) {
		if (i == p->best)
			continue;
		leaf[nk] = (struct kstore_qnode){ .op = KSQ_PHRASE, .phrase = *p->v[i] };
		kids[nk] = &leaf[nk];
		nk++;
	}
	if (nk) {
		orn = (struct kstore_qnode){ .op = KSQ_OR, .kid = kids, .nkid = (size_t)nk };
		bn = (struct kstore_qnode){ .op = KSQ_PHRASE, .phrase = *p->v[p->best] };
		rest = (struct kstore_query){ .root = nk == 1 ? &leaf[0] : &orn };
		if (total >= 0 && q && q->root && !q->except && !q->cols &&
		    q_is_rest_and_b(q->root, p->v, p->nv, p->best, &p->bt)) {
			/* |R and not B| = |R| - |R and B|, and R and B are q's rows, already counted */
			if ((rc = ksqlite_search_count(&st->base, &rest, f, 0, &m, err)) < 0)
				return rc;
			m -= total;
		} else {
			rest.except = &bn;
			if ((rc = ksqlite_search_count(&st->base, &rest, f, 0, &m, err)) < 0)
				return rc;
		}
	}
	*n = p->bdf + m;
	atomic_fetch_add(&vocab_counts, 1);
	return 0;
}

/* count_any_vocab(): vocab_plan() and vocab_count(); *n -1: not taken. */
static int count_any_vocab(struct kstore_sqlite *st, const struct kstore_query *q, long total,
			   const struct kstore_query *any, const struct kfilter *f, long *n, struct kerr *err)
{
	struct vplan p;
	int rc;

	*n = -1;
	if ((rc = vocab_plan(st, any, f, &p, err)) < 0 || !p.ok)
		return rc;
	return vocab_count(st, &p, q, total, f, n, err);
}

/*
 * Two words (q = G1 AND G2, each group a phrase or an OR of phrases, any =
 * G1 OR G2): the cases with either counted from the groups' own counts,
 *     |G1 or G2| = |G1| + |G2| - |G1 and G2|
 * where |G1 and G2| is q's count (total).  |Gi| is count_any_vocab()'s (a
 * word of two characters: no row walked), or, for one group only, a count
 * of that group's own rows when they are few beside the other's (委託
 * ゼロトラスト: 45 rows counted instead of walking 88,000).  q is then ranked
 * and counted on its own rows, instead of one run over every row with either
 * word (counts_groups()).  split->ok: taken, the groups' counts in split->n.
 */
struct split2 {
	int ok;
	long n[2];
};

static int split_plan(struct kstore_sqlite *st, const struct kstore_query *q, const struct ksqlite_counts *c,
		      const struct kfilter *f, struct split2 *sp, struct kerr *err)
{
	struct vplan p[2];
	struct kstore_query g[2];
	int rc;

	memset(sp, 0, sizeof(*sp));
	/* (with an AND in a group and any every phrase ORed, any's rows of the group are those of
	 * every phrase in it ORed: not the group's own) */
	if (c->ngrp != 2 || (c->conj.on && !c->any_grp) || q->root->op != KSQ_AND || q->root->nkid != 2)
		return 0;
	for (int i = 0; i < 2; i++) {
		g[i] = (struct kstore_query){ .root = q->root->kid[i] };
		if ((rc = vocab_plan(st, &g[i], f, &p[i], err)) < 0)
			return rc;
	}
	if (!p[0].ok && !p[1].ok)
		return 0;
	for (int i = 0; i < 2; i++) {
		long b;

		if (p[i].ok)
			continue;
		/* its rows are walked: worth it only when they are few beside the other group's */
		match_bound(st, g[i].root, &b);
		if (b > p[!i].bdf / 4)
			return 0;
	}
	for (int i = 0; i < 2; i++)
		if ((rc = p[i].ok ? vocab_count(st, &p[i], NULL, -1, f, &sp->n[i], err)
				  : ksqlite_search_count(&st->base, &g[i], f, 0, &sp->n[i], err)) < 0)
			return rc;
	sp->ok = sp->n[0] >= 0 && sp->n[1] >= 0;
	return 0;
}

/*
 * Are q's rows few beside any's, by the vocabulary's bounds (match_bound():
 * a phrase's rarest token)?  Then ranking q on its own rows and counting
 * any apart costs less than one run over any's (at 100,000 cases
 * 踏み台サーバ 遠隔操作 103M instructions the first way, 259M the other).
 */
#define ROWS_FEW_RATIO 8
static int rows_few(struct kstore_sqlite *st, const struct kstore_query *q, const struct kstore_query *any)
{
	long bq, ba;

	match_bound(st, q->root, &bq);
	match_bound(st, any->root, &ba);
	return bq != LONG_MAX && ba != LONG_MAX && bq <= ba / ROWS_FEW_RATIO;
}

int ksqlite_search_counted(struct kstore *kst, const struct kstore_query *q, const struct kstore_query *any,
			   int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			   size_t *n, long *total, long *total_any, struct kstore_rows *rows, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf mt = KBUF_INIT, at = KBUF_INIT, grp = KBUF_INIT;
	struct ksqlite_counts c;
	struct split2 sp = { 0 };
	struct ppos pp;
	const char *match;
	int rc;

	*hits = NULL;
	*n = 0;
	*total = -1;
	if (total_any)
		*total_any = -1;
	if (rows)
		*rows = (struct kstore_rows){ NULL, 0 };
	memset(&c, 0, sizeof(c));
	c.want_rows = rows != NULL;
	if (limit <= 0 || offset + limit > KSTORE_RANK_MAX || (flags & (KSTORE_RANK_EXACT | KSTORE_RANK_SQL)) ||
	    f->sort == KSORT_YEAR)
		goto plain;
	if ((rc = init(st, err)) || (rc = fts_query(&mt, q, &pp, err)))
		goto out;
	if (query_groups(&grp, q)) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	match = kbuf_str(&mt);
	if (total_any && counts_groups(q, any, &c)) {
		if ((rc = split_plan(st, q, &c, f, &sp, err)) < 0)
			goto out;
		if (sp.ok) {
			/* two words, each counted from the vocabulary: q's own run, counted */
			c.ngrp = 0;
		} else if (c.conj.on && rows_few(st, q, any)) {
			/* a word in parts beside a rare word: q ranked on its own few rows, any counted
			 * apart, rather than every row of every part walked and looked at */
			c.ngrp = 0;
			memset(&c.conj, 0, sizeof(c.conj));
		} else {
			/* one run over the rows with any of the words: the query's ranked and counted, all
			 * counted */
			int k = 0;

			if (c.any_grp ? fts_phrases_or(&at, q->root, &k) != 0 : (rc = fts_query(&at, any, NULL, err)) != 0) {
				if (!rc)
					rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			c.run = kbuf_str(&at);
			c.run_root = c.any_grp ? q->root : any->root;
			c.run_flat = c.any_grp;
		}
	}
	if ((rc = top_match(st, q, match, &pp, kbuf_str(&grp), flags, f, 0, limit, offset, hits, n, NULL, &c,
			    err)) <= 0) {
		if (!rc) {
			*total = c.total;
			if (total_any)
				*total_any = c.total_any;
			if (total_any && sp.ok && *total >= 0) {
				*total_any = sp.n[0] + sp.n[1] - *total;
				atomic_fetch_add(&split_counts, 1);
			}
		}
		/* q ranked on its own: any counted after it, when q's rows are among its rows (with the
		 * vocabulary's count of its most common word where it can) */
		if (!rc && total_any && *total_any < 0 && *total >= 0 && within_any(q, any) &&
		    ((rc = count_any_vocab(st, q, *total, any, f, total_any, err)) < 0 ||
		     (*total_any < 0 && (rc = ksqlite_search_count(kst, any, f, 0, total_any, err)) < 0)))
			*total_any = -1;
		goto out;
	}
plain:
	/* not a match the C ranking takes: ranked as kstore_search_top() does, not counted */
	rc = ksqlite_search_top(kst, q, flags, f, 0, limit, offset, hits, n, err);
out:
	kbuf_release(&mt);
	kbuf_release(&at);
	kbuf_release(&grp);
	/* (top_match() hands them over only where they are every row counted in total) */
	if (!rc && rows && c.rows) {
		rows->v = c.rows;
		rows->n = c.nrows;
		c.rows = NULL;
	}
	free(c.rows);
	if (rc) {
		free(*hits);
		*hits = NULL;
		*n = 0;
		*total = -1;
		if (total_any)
			*total_any = -1;
	}
	return rc;
}

int ksqlite_search_warm(struct kstore *kst, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kfacets *fc;
	int rc;

	if ((rc = init(st, err)) || (rc = ksqlite_facets_ready(st, &fc, err)))
		return rc;
	rc = dlcache_ready(st, st->search_dlc, 1, err);
	return rc < 0 ? rc : 0;
}

void ksqlite_search_tune(struct kstore *kst, int threads, int facets_sql)
{
	struct kstore_sqlite *st = ksqlite(kst);
	st->threads = threads;
	st->facets_sql = facets_sql;
}

int ksqlite_search_count(struct kstore *kst, const struct kstore_query *q, const struct kfilter *f,
			long long exclude_rid, long *total, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT, mt = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	const char *match;
	int rc, own = 0, r = 0;

	*total = 0;
	if ((rc = init(st, err)) || (rc = fts_query_count(&mt, q, err)))
		goto out;
	match = kbuf_str(&mt);
	if ((has_filter(f) || exclude_rid) && !st->facets_sql &&
	    (rc = ksqlite_facets_count(st, match, f, exclude_rid, NULL, NULL, total, err)) <= 0)
		goto out;
	if (!has_filter(f) && !exclude_rid) {
		if ((rc = cached(st, C_COUNT, "SELECT count(*) FROM case_fts WHERE case_fts MATCH :match",
				 &s, err)))
			goto out;
	} else {
		r |= kbuf_adds(&sql, "SELECT count(*) FROM case_fts JOIN cases c ON c.rid = case_fts.rowid");
		r |= ksqlite_filter_sql(f, &sql);
		r |= kbuf_adds(&sql, " AND case_fts MATCH :match");
		if (exclude_rid)
			r |= kbuf_adds(&sql, " AND case_fts.rowid <> :exclude");
		if (r) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
			goto out;
		own = 1;
	}
	bind_common(s, match, f, exclude_rid, 0, 0);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*total = (long)sqlite3_column_int64(s, 0);
	else
		rc = match_err(st, err, "search");
out:
	if (s && own)
		sqlite3_finalize(s);
	else if (s)
		done(s);
	kbuf_release(&sql);
	kbuf_release(&mt);
	return rc;
}

/* ---- similar cases: ranked with the reader's statistics (h-fast) ---------------- */

int ksqlite_similar_top(struct kstore *kst, const struct kstore_query *q, const double *idf, double avgdl,
			const struct kfilter *f, long long exclude_rid, long limit, long offset,
			struct kstore_hit **hits, size_t *n, long *total, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct ksqlite_given given = { idf, avgdl, -1 };
	struct kbuf mt = KBUF_INIT, grp = KBUF_INIT;
	struct ppos pp;
	int rc;

	*hits = NULL;
	*n = 0;
	*total = -1;
	if ((rc = init(st, err)) || (rc = fts_query(&mt, q, &pp, err)))
		goto out;
	if (query_groups(&grp, q)) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (limit > 0 && offset + limit <= KSTORE_RANK_MAX &&
	    (rc = top_match(st, q, kbuf_str(&mt), &pp, kbuf_str(&grp), 0, f, exclude_rid, limit, offset, hits, n,
			    &given, NULL, err)) <= 0) {
		if (!rc)
			*total = given.total;
		goto out;
	}
	/* not a match the C ranking takes: the ordinary ranking (the library's statistics) */
	rc = ksqlite_search_top(kst, q, 0, f, exclude_rid, limit, offset, hits, n, err);
out:
	kbuf_release(&mt);
	kbuf_release(&grp);
	return rc;
}

/* ---- facets ---------------------------------------------------------------- */

/* The facet counts of the cases in h(rid) (after its WITH), as ksqlite_search_facets() gives them. */
static int facets_tail(struct kbuf *sql)
{
	return kbuf_addf(sql, " SELECT -1, NULL, count(*) FROM h"
		       " UNION ALL SELECT %d, c.category, count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.category IS NOT NULL GROUP BY 2"
		       " UNION ALL SELECT %d, c.document, count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.document IS NOT NULL GROUP BY 2"
		       " UNION ALL SELECT %d, CAST(c.year AS TEXT), count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.year IS NOT NULL GROUP BY 2"
		       " UNION ALL SELECT %d, c.event_class, count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.event_class IS NOT NULL GROUP BY 2"
		       " UNION ALL SELECT %d, c.reader_level, count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.reader_level IS NOT NULL GROUP BY 2"
		       " UNION ALL SELECT %d, c.tlp, count(*) FROM h JOIN cases c USING(rid) GROUP BY 2"
		       " UNION ALL SELECT CASE t.kind WHEN 'threat' THEN %d ELSE %d END, t.value, count(*)"
		       "  FROM h JOIN case_tags t USING(rid) WHERE t.kind IN ('threat', 'sector')"
		       "  GROUP BY t.kind, t.value"
		       /* 未分類: the cases without a value (counted when there are some) */
		       " UNION ALL SELECT %d, 'none', count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.year IS NULL HAVING count(*) > 0"
		       " UNION ALL SELECT %d, 'none', count(*) FROM h JOIN cases c USING(rid)"
		       "  WHERE c.event_class IS NULL HAVING count(*) > 0"
		       " UNION ALL SELECT %d, 'none', count(*) FROM h WHERE NOT EXISTS (SELECT 1 FROM case_tags t"
		       "  WHERE t.rid = h.rid AND t.kind = 'threat') HAVING count(*) > 0"
		       " UNION ALL SELECT %d, 'none', count(*) FROM h WHERE NOT EXISTS (SELECT 1 FROM case_tags t"
		       "  WHERE t.rid = h.rid AND t.kind = 'sector') HAVING count(*) > 0",
		       KFACET_CATEGORY, KFACET_DOCUMENT, KFACET_YEAR, KFACET_EVENT_CLASS,
		       KFACET_READER_LEVEL, KFACET_TLP, KFACET_THREAT, KFACET_SECTOR,
		       KFACET_YEAR, KFACET_EVENT_CLASS, KFACET_THREAT, KFACET_SECTOR);
}

/* The rows of a facets_tail() statement to cb: a facet's (facet, value, count), the total (facet < 0) into *total (if given). */
static int facet_rows(struct kstore_sqlite *st, sqlite3_stmt *s, kstore_facet_cb cb, void *ctx, long *total,
		      struct kerr *err)
{
	int r, rc;

	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int facet = sqlite3_column_int(s, 0);
		long count = (long)sqlite3_column_int64(s, 2);

		if (facet < 0) {
			if (total)
				*total = count;
		} else if ((rc = cb(ctx, facet, (const char *)sqlite3_column_text(s, 1), count))) {
			return rc;
		}
	}
	return r == SQLITE_DONE ? 0 : match_err(st, err, "search facets");
}

int ksqlite_search_facets(struct kstore *kst, const struct kstore_query *q, const struct kfilter *f,
			 kstore_facet_cb cb, void *ctx, long *total, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT, mt = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	const char *match = NULL;
	int rc, r = 0;

	*total = 0;
	if ((rc = init(st, err)) || (q && (rc = fts_query(&mt, q, NULL, err))))
		goto out;
	if (q)
		match = kbuf_str(&mt);
	if (!st->facets_sql && (rc = ksqlite_facets_count(st, match, f, 0, cb, ctx, total, err)) <= 0)
		goto out;
	r |= kbuf_adds(&sql, match ? "WITH h(rid) AS MATERIALIZED (SELECT c.rid FROM case_fts"
				     " JOIN cases c ON c.rid = case_fts.rowid"
				   : "WITH h(rid) AS MATERIALIZED (SELECT c.rid FROM cases c");
	r |= ksqlite_filter_sql(f, &sql);
	r |= kbuf_addf(&sql, "%s)", match ? " AND case_fts MATCH :match" : "");
	r |= facets_tail(&sql);
	if (r) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	bind_common(s, match, f, 0, 0, 0);
	rc = facet_rows(st, s, cb, ctx, total, err);
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	kbuf_release(&mt);
	return rc;
}

int ksqlite_search_rids(struct kstore *kst, const struct kstore_query *q, const struct kfilter *f, long long **rids,
			size_t *n, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf mt = KBUF_INIT;
	int rc;

	*rids = NULL;
	*n = 0;
	if (st->facets_sql)
		return 1;
	if (!(rc = init(st, err)) && !(rc = fts_query(&mt, q, NULL, err)))
		rc = ksqlite_facets_rids(st, kbuf_str(&mt), f, rids, n, err);
	kbuf_release(&mt);
	return rc;
}

int ksqlite_search_facets_rids(struct kstore *kst, const long long *rids, size_t n, kstore_facet_cb cb,
			       void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct krids set = { rids, n };
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	if (!n)
		return 0;
	if ((rc = init(st, err)))
		return rc;
	/* from the facet columns in memory (a section search's tens of thousands of cases: 1.6G
	 * instructions in SQL at 100,000 cases) */
	if (!st->facets_sql && (rc = ksqlite_facets_count_rids(st, rids, n, cb, ctx, err)) <= 0)
		return rc;
	r |= kbuf_adds(&sql, "WITH h(rid) AS MATERIALIZED (SELECT c.rid FROM cases c WHERE kyokun_rid_in(:set, c.rid))");
	r |= facets_tail(&sql);
	if (r) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":set"), &set, "kyokun_rid_set", NULL);
	rc = facet_rows(st, s, cb, ctx, NULL, err);
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

/* ---- rows and text ------------------------------------------------------------ */

int ksqlite_search_row(struct kstore *kst, long long rid, const struct kreader *r, kstore_row_cb cb, void *ctx,
		      struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kcase_row row;
	sqlite3_stmt *s;
	int rc;

	if ((rc = cached(st, C_ROW, "SELECT " KSQLITE_ROW_COLS " FROM cases c WHERE c.rid = :rid", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ksqlite_fill_row(s, &row);
		if ((rc = ksqlite_visible_rid(st, r, rid, row.tlp, err)) > 0)
			rc = cb(ctx, &row);
		else if (rc == 0)
			rc = kerr_set(err, KE_NOTFOUND, "no such case");
	} else if (rc == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	} else {
		rc = ksqlite_db_err(st, err, "reading a search hit");
	}
	done(s);
	return rc;
}

static void free_cols(char *cols[KCOL__N])
{
	for (int i = 0; i < KCOL__N; i++) {
		free(cols[i]);
		cols[i] = NULL;
	}
}

static int copy_cols(sqlite3_stmt *s, int first, char *cols[KCOL__N], struct kerr *err)
{
	for (int i = 0; i < KCOL__N; i++) {
		const char *t = (const char *)sqlite3_column_text(s, first + i);
		int n = sqlite3_column_bytes(s, first + i);

		cols[i] = malloc((size_t)n + 1);
		if (!cols[i]) {
			free_cols(cols);
			return kerr_set(err, KE_NOMEM, "out of memory");
		}
		memcpy(cols[i], t ? t : "", (size_t)n);
		cols[i][n] = 0;
	}
	return 0;
}

/*
 * Marks: the instances of q's phrases in a row, as FTS5 means to report
 * them.
 *
 * FTS5 does not report every instance in a scan of the index when an AND
 * stands below another node (a word typed without spaces is "待機系への切替"
 * OR (待機系 AND (切替 OR 切り替え))).  On a row that has the tokens of all
 * its kids but does not match (a phrase's words apart, or only in another
 * column), such an AND clears the instances of every phrase below it
 * (fts5ExprNodeTest_AND(): fts5ExprNodeZeroPoslist()), those of an OR's
 * kid that already stands on a later row too; the OR, reaching that row,
 * does not read the kid again (fts5ExprNodeNext_OR() moves only the kids
 * on the row left), so the row matches while 切替 reports no instance.
 * (With rows (1, 'x q p') and (2, 'x y'), {b} : ("zzz" OR (x AND (y OR "p
 * q"))) highlights row 2 as "[x] y".)  A lookup of one row can lose them
 * the same way, when the first rows the phrases stand on hit that case.
 *
 * So the match here asks for every phrase of q, ORed (no AND: nothing is
 * cleared, each phrase reports all its instances), and kyokun_highlight()
 * keeps the instances FTS5 means to report (marked_want()): a phrase's,
 * when it is in the row and every AND and NOT above it holds, none of a
 * NOT's excluded phrases; and rows where q does not hold are left out.
 * Whether a node holds follows from which phrases are in the column, as
 * FTS5 decides it.
 */

/* Does node n hold, its phrases being has[*i...] (np in all); *i moves past them. */
static int tree_holds(const struct kstore_qnode *n, const unsigned char *has, int np, int *i)
{
	int yes;

	if (n->op == KSQ_PHRASE) {
		yes = *i < np && has[*i];
		(*i)++;
		return yes;
	}
	if (n->op == KSQ_NOT) {
		yes = tree_holds(n->kid[0], has, np, i);
		return !tree_holds(n->kid[1], has, np, i) && yes;
	}
	yes = n->op == KSQ_AND;
	for (size_t k = 0; k < n->nkid; k++) {
		int y = tree_holds(n->kid[k], has, np, i);

		yes = n->op == KSQ_AND ? yes && y : yes || y;
	}
	return yes;
}

/* want[] for node n's phrases (from *i): in the row, and every AND and NOT above holding (ok). */
static void tree_want(const struct kstore_qnode *n, const unsigned char *has, unsigned char *want, int np,
		      int ok, int *i)
{
	if (n->op == KSQ_PHRASE) {
		if (*i < np)
			want[*i] = (unsigned char)(ok && has[*i]);
		(*i)++;
		return;
	}
	if (n->op == KSQ_AND || n->op == KSQ_NOT) {
		int j = *i;

		ok = ok && tree_holds(n, has, np, &j);
	}
	for (size_t k = 0; k < n->nkid; k++)
		tree_want(n->kid[k], has, want, np, n->op == KSQ_NOT && k ? 0 : ok, i);
}

/*
 * kyokun_highlight()'s choice (struct ktok_hl_keep) for a kstore_query
 * whose phrases were ORed, its ctx a struct marked_memo: the choice depends
 * only on which phrases the row holds, and most rows hold one of a few sets,
 * so the last choices are remembered by set (a section search asks it of
 * every case with the words: 2,000 instructions a row for two words and
 * their synonyms).
 */
struct marked_memo {
	struct ktok_hl_keep keep; /* marked_want() with this memo (marked_memo_init()) */
	const struct kstore_query *q;
	long *cnt;  /* if set, cnt[i] counts the rows holding phrase i (np of them, ncnt) */
	int ncnt;
	struct {
		int valid, ret, np;
		unsigned long long has, want;
	} e[8];
};


static int marked_want(void *ctx, const unsigned char *has, unsigned char *want, int np)
{
	struct marked_memo *m = ctx;
	const struct kstore_query *q = m->q;
	unsigned long long hm = 0, wm = 0;
	int i = 0, ret = 0, slot = 0;

	if (m->cnt && np == m->ncnt)
		for (int k = 0; k < np; k++)
			m->cnt[k] += has[k] != 0;
	if (np <= 64) {
		for (int k = 0; k < np; k++)
			hm |= (unsigned long long)!!has[k] << k;
		slot = (int)((hm * 0x9E3779B97F4A7C15ULL) >> 61);
		if (m->e[slot].valid && m->e[slot].np == np && m->e[slot].has == hm) {
			for (int k = 0; k < np; k++)
				want[k] = (unsigned char)(m->e[slot].want >> k & 1);
			return m->e[slot].ret;
		}
	}
	if (!tree_holds(q->root, has, np, &i) || (q->except && tree_holds(q->except, has, np, &i))) {
		ret = 1;
	} else {
		i = 0;
		tree_want(q->root, has, want, np, 1, &i);
	}
	if (np <= 64) {
		for (int k = 0; k < np; k++)
			wm |= (unsigned long long)!!want[k] << k;
		m->e[slot].valid = 1;
		m->e[slot].ret = ret;
		m->e[slot].np = np;
		m->e[slot].has = hm;
		m->e[slot].want = wm;
	}
	return ret;
}

/* m for q, empty; &m->keep is what kyokun_highlight() and kyokun_inst() are given. */
static void marked_memo_init(struct marked_memo *m, const struct kstore_query *q)
{
	memset(m, 0, sizeof(*m));
	m->keep = (struct ktok_hl_keep){ marked_want, m };
	m->q = q;
}

/* Every phrase of n in order, " OR " between them (*k written so far); nonzero out of memory. */
static int fts_phrases_or(struct kbuf *b, const struct kstore_qnode *n, int *k)
{
	if (n->op == KSQ_PHRASE)
		return ((*k)++ && kbuf_adds(b, " OR ") < 0) || fts_phrase(b, &n->phrase);
	for (size_t i = 0; i < n->nkid; i++)
		if (fts_phrases_or(b, n->kid[i], k))
			return 1;
	return 0;
}

/* q's phrases ORed, in q's columns, into b (the phrases numbered as fts_query() numbers them). */
static int fts_query_marks(struct kbuf *b, const struct kstore_query *q, struct kerr *err)
{
	int rc, k = 0, n = 0;

	/* (the query checked as fts_query() checks it) */
	if ((rc = fts_query(b, q, NULL, err)))
		return rc;
	kbuf_reset(b);
	rc = q->cols ? kbuf_addch(b, '{') < 0 : 0;
	for (int c = 0; c < KCOL__N && !rc; c++)
		if (q->cols & 1u << c)
			rc = kbuf_addf(b, "%s%s", n++ ? " " : "", kstore_col_name(c)) < 0;
	if (!rc && q->cols)
		rc = kbuf_adds(b, "} : (") < 0;
	if (!rc)
		rc = fts_phrases_or(b, q->root, &k) || (q->except && fts_phrases_or(b, q->except, &k));
	if (!rc && q->cols)
		rc = kbuf_addch(b, ')') < 0;
	return rc ? kerr_set(err, KE_NOMEM, "out of memory") : 0;
}

/* A highlighting statement's columns: the marked text of each of the index's six (KCOL__N). */
#define HL_MARKS                                                                                          \
	"SELECT kyokun_highlight(case_fts, 0, :o, :c, :keep), kyokun_highlight(case_fts, 1, :o, :c, :keep),"   \
	" kyokun_highlight(case_fts, 2, :o, :c, :keep), kyokun_highlight(case_fts, 3, :o, :c, :keep),"        \
	" kyokun_highlight(case_fts, 4, :o, :c, :keep), kyokun_highlight(case_fts, 5, :o, :c, :keep)"

/* :keep of a statement that marks q's phrases: mm, set up for q (it must outlive the statement's run). */
static void bind_keep(sqlite3_stmt *s, struct marked_memo *mm, const struct kstore_query *q)
{
	marked_memo_init(mm, q);
	sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":keep"), &mm->keep, "kyokun_hl_keep", NULL);
}

/* The marks' parameters of a highlighting statement: :o and :c around a mark, :match, :keep (bind_keep()). */
static void bind_marks(sqlite3_stmt *s, const char *open, const char *close, const struct kbuf *match,
		       struct marked_memo *mm, const struct kstore_query *q)
{
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":o"), open, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":c"), close, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":match"), kbuf_str(match), -1, SQLITE_STATIC);
	bind_keep(s, mm, q);
}

int ksqlite_search_highlight(struct kstore *kst, const struct kstore_query *q, long long rid,
			    const char *open, const char *close, char *cols[KCOL__N], struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct marked_memo mm;
	struct kbuf mt = KBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	for (int i = 0; i < KCOL__N; i++)
		cols[i] = NULL;
	if ((rc = fts_query_marks(&mt, q, err)))
		return rc;
	rc = cached(st, C_HL, HL_MARKS " FROM case_fts WHERE case_fts MATCH :match AND rowid = :rid", &s, err);
	if (rc) {
		kbuf_release(&mt);
		return rc;
	}
	bind_marks(s, open, close, &mt, &mm, q);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":rid"), rid);
	rc = sqlite3_step(s);
	/* a NULL mark: q does not hold in the row (some of its phrases do) */
	for (int i = 0; i < KCOL__N && rc == SQLITE_ROW; i++)
		if (sqlite3_column_type(s, i) == SQLITE_NULL)
			rc = SQLITE_DONE;
	if (rc == SQLITE_ROW)
		rc = copy_cols(s, 0, cols, err);
	else if (rc == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	else
		rc = match_err(st, err, "highlighting");
	done(s);
	kbuf_release(&mt);
	return rc;
}

int ksqlite_search_highlight_many(struct kstore *kst, const struct kstore_query *q, const long long *rids,
				  size_t n, const char *open, const char *close, kstore_highlight_cb cb,
				  void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct krids set = { rids, n };
	struct marked_memo mm;
	struct kbuf mt = KBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if (!n)
		return 0;
	if ((rc = fts_query_marks(&mt, q, err))) {
		kbuf_release(&mt);
		return rc;
	}
	rc = cached(st, C_HLMANY, HL_MARKS ", rowid"
		    " FROM case_fts WHERE case_fts MATCH :match AND kyokun_rid_in(:set, rowid)", &s, err);
	if (rc) {
		kbuf_release(&mt);
		return rc;
	}
	bind_marks(s, open, close, &mt, &mm, q);
	sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":set"), &set, "kyokun_rid_set", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *cols[KCOL__N];
		int holds = 1;

		/* a NULL mark: q does not hold in the row (some of its phrases do) */
		for (int i = 0; i < KCOL__N; i++)
			holds &= sqlite3_column_type(s, i) != SQLITE_NULL;
		if (!holds)
			continue;
		if ((rc = copy_cols(s, 0, cols, err)) < 0)
			goto out;
		if ((rc = cb(ctx, sqlite3_column_int64(s, KCOL__N), cols)) < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : match_err(st, err, "highlighting");
out:
	done(s);
	kbuf_release(&mt);
	return rc;
}

/*
 * The statement of a marking of column col (kstore_search_marked(), _parts()): q checked to name
 * that column only, its phrases ORed into mt, sql prepared in slot, :col, :match and :keep (mm:
 * bind_keep()) bound.
 */
static int marked_prepare(struct kstore_sqlite *st, const struct kstore_query *q, int col, int slot,
			  const char *sql, struct kbuf *mt, struct marked_memo *mm, sqlite3_stmt **s,
			  struct kerr *err)
{
	int rc;

	if (col < 0 || col >= KCOL__N)
		return kerr_set(err, KE_INVALID, "search: no such column");
	if (q->cols != 1u << col)
		return kerr_set(err, KE_INVALID, "search: marking a column needs a match in that column only");
	if ((rc = fts_query_marks(mt, q, err)) || (rc = cached(st, slot, sql, s, err)))
		return rc;
	sqlite3_bind_int(*s, sqlite3_bind_parameter_index(*s, ":col"), col);
	sqlite3_bind_text(*s, sqlite3_bind_parameter_index(*s, ":match"), kbuf_str(mt), -1, SQLITE_STATIC);
	bind_keep(*s, mm, q);
	return 0;
}

int ksqlite_search_marked(struct kstore *kst, const struct kstore_query *q, int col, const long long *rids,
			  size_t n, const struct kreader *r, const char *open, const char *close,
			  kstore_marked_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct krids set = { rids, n };
	struct marked_memo mm;
	struct kbuf mt = KBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if (!n && col >= 0 && col < KCOL__N)
		return 0;
	/* the index's rows outside, so that the match is set up once; the candidates tested
	 * before a row's column is marked */
	rc = marked_prepare(st, q, col, C_MARKED,
			    "SELECT case_fts.rowid, kyokun_highlight(case_fts, :col, :o, :c, :keep), c.tlp, c.body"
			    " FROM case_fts CROSS JOIN cases c ON c.rid = case_fts.rowid"
			    " WHERE case_fts MATCH :match AND kyokun_rid_in(:set, case_fts.rowid)", &mt, &mm, &s, err);
	if (rc) {
		kbuf_release(&mt);
		return rc;
	}
	bind_marks(s, open, close, &mt, &mm, q);
	sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":set"), &set, "kyokun_rid_set", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long rid = sqlite3_column_int64(s, 0);
		const char *marked = (const char *)sqlite3_column_text(s, 1);
		const char *json = (const char *)sqlite3_column_text(s, 3);

		/* NULL: q does not hold in the row (some of its phrases do) */
		if (sqlite3_column_type(s, 1) == SQLITE_NULL || !marked)
			continue;
		if ((rc = ksqlite_visible_rid(st, r, rid, (const char *)sqlite3_column_text(s, 2), err)) < 0)
			goto out;
		if (rc && (rc = cb(ctx, rid, marked, json)) < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : match_err(st, err, "highlighting");
out:
	done(s);
	kbuf_release(&mt);
	return rc;
}

/*
 * Column i of a parts statement's row, a kyokun_inst() blob, into m (its
 * instances in *buf, grown as needed): m->holds 0 where it is NULL (the
 * query does not hold in the row).  KE_NOMEM.
 */
static int inst_column(sqlite3_stmt *s, int i, struct kstore_inst **buf, size_t *alloc, struct kstore_marks *m)
{
	const unsigned char *b = sqlite3_column_blob(s, i);
	size_t ni = (size_t)sqlite3_column_bytes(s, i) / sizeof(struct ktok_inst);

	*m = (struct kstore_marks){ NULL, 0, sqlite3_column_type(s, i) != SQLITE_NULL };
	if (!m->holds)
		return 0;
	if (ni && KGROW(*buf, *alloc, ni) < 0)
		return KE_NOMEM;
	for (size_t k = 0; k < ni; k++) {
		struct ktok_inst ti;

		memcpy(&ti, b + k * sizeof(ti), sizeof(ti));
		(*buf)[k] = (struct kstore_inst){ ti.phrase, ti.pos };
	}
	m->inst = *buf;
	m->n = ni;
	return 0;
}

/*
 * The rows of a parts statement s (rowid, kyokun_inst(), the case's TLP
 * or NULL when the statement has checked who sees it, its parts, and for
 * a second query its kyokun_inst()) given to cb (see kstore_search_parts());
 * r the reader.
 */
static int parts_rows(struct kstore_sqlite *st, sqlite3_stmt *s, const struct kreader *r, kstore_parts_cb cb,
		      void *ctx, struct kerr *err)
{
	struct kstore_inst *inst[2] = { NULL, NULL };
	size_t ialloc[2] = { 0, 0 };
	struct kstore_marks m[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	int rc, two = sqlite3_column_count(s) > 4;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long rid = sqlite3_column_int64(s, 0);
		struct kstore_part *parts = NULL;
		size_t nparts = 0;

		/* NULL: q does not hold in the row (some of its phrases do) */
		if (inst_column(s, 1, &inst[0], &ialloc[0], &m[0]) < 0 ||
		    (two && inst_column(s, 4, &inst[1], &ialloc[1], &m[1]) < 0)) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (!m[0].holds && !m[1].holds)
			continue;
		if (sqlite3_column_type(s, 2) != SQLITE_NULL &&
		    (rc = ksqlite_visible_rid(st, r, rid, (const char *)sqlite3_column_text(s, 2), err)) <= 0) {
			if (rc < 0)
				goto out;
			continue;
		}
		rc = ksqlite_parts_decode(sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3), &parts,
					  &nparts);
		if (rc < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		rc = cb(ctx, rid, m, rc ? NULL : parts, nparts);
		free(parts);
		if (rc < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : match_err(st, err, "finding the parts matched");
out:
	free(inst[0]);
	free(inst[1]);
	return rc;
}

int ksqlite_search_parts(struct kstore *kst, const struct kstore_query *q, int col, const long long *rids,
			 size_t n, const struct kreader *r, kstore_parts_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct krids set = { rids, n };
	struct marked_memo mm;
	struct kbuf mt = KBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if (!n && col >= 0 && col < KCOL__N)
		return 0;
	/* as kstore_search_marked(), the positions of the marks instead of the marked text */
	rc = marked_prepare(st, q, col, C_PARTS, "SELECT case_fts.rowid, kyokun_inst(case_fts, :col, :keep), c.tlp, p.parts"
			    " FROM case_fts CROSS JOIN cases c ON c.rid = case_fts.rowid"
			    " LEFT JOIN case_parts p ON p.rid = case_fts.rowid"
			    " WHERE case_fts MATCH :match AND kyokun_rid_in(:set, case_fts.rowid)", &mt, &mm, &s, err);
	if (!rc) {
		sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":set"), &set, "kyokun_rid_set", NULL);
		rc = parts_rows(st, s, r, cb, ctx, err);
		done(s);
	}
	kbuf_release(&mt);
	return rc;
}

/* The parts statements of ksqlite_search_parts_all(): one query, or two of the same phrases. */
#define PARTS_ALL_FROM                                                                                     \
	" FROM case_fts LEFT JOIN case_parts p ON p.rid = case_fts.rowid"                                 \
	" WHERE case_fts MATCH :match AND kyokun_want(:want, case_fts.rowid)"

int ksqlite_search_parts_all(struct kstore *kst, const struct kstore_query *q, const struct kstore_query *q2,
			     int col, const struct kfilter *f, kstore_parts_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct marked_memo mm, mm2;
	struct kbuf mt = KBUF_INIT, mt2 = KBUF_INIT;
	struct kfacets *fc;
	struct kwant w;
	struct want_ptr wp = { NULL, &w };
	const struct kphrase **ph = NULL;
	unsigned long long ch = 0;
	long *cnt = NULL;
	sqlite3_stmt *s;
	int rc, np = 0;

	if (st->facets_sql)
		return 1;
	/* one run for both only where the two match the same phrases, numbered alike */
	if (q2) {
		if (q2->cols != q->cols) {
			rc = 1;
			goto out;
		}
		if ((rc = fts_query_marks(&mt, q, err)) || (rc = fts_query_marks(&mt2, q2, err)))
			goto out;
		if (strcmp(kbuf_str(&mt), kbuf_str(&mt2))) {
			rc = 1;
			goto out;
		}
	}
	if ((rc = init(st, err)) || (rc = ksqlite_facets_ready(st, &fc, err)) != 0)
		goto out;
	if ((rc = ksqlite_want_init(st, fc, f, &w, err)) <= 0)
		goto out; /* (0: no case passes) */
	wp.fc = fc;
	/* every row with the phrases in the column seen: their counts kept for the ranking (struct dfmemo) */
	if (!has_filter(f)) {
		if ((rc = ksqlite_case_changes(&st->base, &ch, err)))
			goto out;
		if (query_phrases(q, &ph, &np) || !(cnt = calloc((size_t)(np ? np : 1), sizeof(*cnt)))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	}
	/* the rows passing f, each checked from memory before its marks are asked for */
	if (q2)
		rc = marked_prepare(st, q, col, C_PARTS_ALL2,
				    "SELECT case_fts.rowid, kyokun_inst(case_fts, :col, :keep), NULL, p.parts,"
				    " kyokun_inst(case_fts, :col, :keep2)" PARTS_ALL_FROM, &mt, &mm, &s, err);
	else
		rc = marked_prepare(st, q, col, C_PARTS_ALL,
				    "SELECT case_fts.rowid, kyokun_inst(case_fts, :col, :keep), NULL, p.parts"
				    PARTS_ALL_FROM, &mt, &mm, &s, err);
	if (!rc) {
		mm.cnt = cnt;
		mm.ncnt = np;
		sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":want"), &wp, "kyokun_want", NULL);
		if (q2) {
			marked_memo_init(&mm2, q2);
			sqlite3_bind_pointer(s, sqlite3_bind_parameter_index(s, ":keep2"), &mm2.keep,
					     "kyokun_hl_keep", NULL);
		}
		rc = parts_rows(st, s, f->reader, cb, ctx, err);
		done(s);
		if (!rc && cnt)
			dfmemo_put(st, ch, q->cols, ph, cnt, np);
	}
out:
	kbuf_release(&mt);
	kbuf_release(&mt2);
	free(ph);
	free(cnt);
	return rc;
}

int ksqlite_case_text(struct kstore *kst, const char *id, const struct kreader *r, long long *rid,
		     char *cols[KCOL__N], struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s;
	int rc, vis = 0;

	for (int i = 0; i < KCOL__N; i++)
		cols[i] = NULL;
	rc = cached(st, C_TEXT, "SELECT c.rid, c.tlp, t.title, t.summary, t.lessons, t.body, t.timeline,"
		    " t.meta FROM cases c JOIN case_text t ON t.rid = c.rid WHERE c.id = :id", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW &&
	    (vis = ksqlite_visible_rid(st, r, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
				       err)) < 0) {
		rc = vis; /* err says why */
	} else if (rc == SQLITE_ROW && vis) {
		*rid = sqlite3_column_int64(s, 0);
		rc = copy_cols(s, 2, cols, err);
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no case with id \"%s\"", id);
	} else {
		rc = ksqlite_db_err(st, err, "reading the case");
	}
	done(s);
	return rc;
}

/* ---- term statistics ----------------------------------------------------------- */

int ksqlite_token_df(struct kstore *kst, const char *tok, int ntok, long *df, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s;
	int rc;

	*df = 0;
	if (!st->cache[C_DF]) {
		char *msg = NULL;

		if ((rc = init(st, err)))
			return rc;
		if (sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kyokun_vocab"
				 " USING fts5vocab(main, case_fts, row)", NULL, NULL, &msg) != SQLITE_OK) {
			rc = kerr_set(err, KE_DB, "term statistics: %s", msg ? msg : "failed");
			sqlite3_free(msg);
			return rc;
		}
	}
	if ((rc = cached(st, C_DF, "SELECT doc FROM temp.kyokun_vocab WHERE term = :t", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, tok, ntok, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*df = (long)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "term statistics");
	done(s);
	return rc;
}

int ksqlite_indexed(struct kstore *kst, long *n, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((rc = cached(st, C_INDEXED, "SELECT count(*) FROM case_text", &s, err)))
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? 0 : ksqlite_db_err(st, err, "counting cases");
	done(s);
	return rc;
}
