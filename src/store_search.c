/*
 * store_search.c - the SQL of search, facets and similar cases (the other
 * half of the storage module, with store.c).  Bound parameters only; the
 * MATCH expression is built by search.c with every user term quoted.
 *
 * Statements used on every search are prepared on first use into
 * st->cache[]; statements whose text depends on the filter are prepared per
 * call.
 */
#include "store_search.h"
#include "store_int.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* st->cache[] slots. */
enum {
	C_INIT,      /* prepared once the aux functions are registered */
	C_ROW,
	C_HL,
	C_TEXT,
	C_DF,
	C_INDEXED,
	C_TOP,
	C_TOP2,
	C_COUNT,
	C__N
};

_Static_assert(C__N <= KSTORE_NCACHE, "raise KSTORE_NCACHE");

/*
 * Column weights of bm25: what a title or summary says is worth more than
 * the same words deep in the body.  meta is the category and organisation.
 */
#define WEIGHTS "8.0, 4.0, 3.0, 1.0, 1.0, 0.5"
#define BM25 "bm25(case_fts, " WEIGHTS ")"

static const char *const col_names[KCOL__N] = {
	"title", "summary", "lessons", "body", "timeline", "meta",
};

const char *kstore_col_name(int col)
{
	return col >= 0 && col < KCOL__N ? col_names[col] : NULL;
}

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
 * kyokun_rank(case_fts, k, w0, ..., w5): FTS5's bm25() with column weights,
 * computed only for the rows that can still be among the best k.
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

struct rank {
	int k, nheap, nphrase;
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

	if (r)
		sqlite3_free(r->heap);
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

static struct rank *rank_state(const Fts5ExtensionApi *api, Fts5Context *fts, int k, int *rc)
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
	r->k = k < 1 ? 1 : k;
	r->nphrase = np;
	r->heap = sqlite3_malloc64((size_t)r->k * sizeof(double));
	if (!r->heap) {
		sqlite3_free(r);
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	if ((*rc = api->xRowCount(fts, &nrow)) != SQLITE_OK ||
	    (*rc = api->xColumnTotalSize(fts, -1, &total)) != SQLITE_OK)
		goto fail;
	r->avgdl = nrow > 0 ? (double)total / (double)nrow : 1.0;
	if (r->avgdl <= 0)
		r->avgdl = 1.0;
	for (int i = 0; i < np; i++) {
		sqlite3_int64 hits = 0;
		double idf;

		if ((*rc = api->xQueryPhrase(fts, i, &hits, rank_count)) != SQLITE_OK)
			goto fail;
		idf = log(((double)nrow - (double)hits + 0.5) / ((double)hits + 0.5));
		r->idf[i] = idf > 0 ? idf : 1e-6;
	}
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

	r = rank_state(api, fts, argc > 0 ? sqlite3_value_int(argv[0]) : 10, &rc);
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
	for (int i = 0; i < np; i++) {
		Fts5PhraseIter it;
		int col = -1, off = -1;

		fr[i] = 0;
		if (api->xPhraseFirst(fts, i, &it, &col, &off) != SQLITE_OK)
			continue;
		for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
			fr[i] += col < 16 ? w[col] : 1.0;
		if (fr[i] > 0)
			ub += r->idf[i] * fr[i] * (BM25_K1 + 1) / (fr[i] + BM25_K1 * (1 - BM25_B));
	}
	r->have_last = 1;
	r->last_rowid = rowid;
	r->last_null = 1;
	if (r->nheap == r->k && ub < r->heap[0])
		goto out; /* cannot be among the first k */
	{
		int dl = 0;

		if ((rc = api->xColumnSize(fts, -1, &dl)) != SQLITE_OK) {
			r->have_last = 0;
			sqlite3_result_error_code(sctx, rc);
			goto out_free;
		}
		for (int i = 0; i < np; i++)
			if (fr[i] > 0)
				exact += r->idf[i] * fr[i] * (BM25_K1 + 1) /
					 (fr[i] + BM25_K1 * (1 - BM25_B + BM25_B * dl / r->avgdl));
	}
	if (r->nheap == r->k && exact < r->heap[0])
		goto out;
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

static int init(struct kstore *st, struct kerr *err)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	if (st->cache[C_INIT])
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return kstore__db_err(st, err, "search: SQLite has no FTS5");
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api || api->iVersion < 2)
		return kerr_set(err, KE_DB, "search: no usable fts5_api");
	rc = api->xCreateFunction(api, "kyokun_phrases", NULL, aux_phrases, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "kyokun_rank", NULL, aux_rank, NULL);
	if (rc != SQLITE_OK)
		return kerr_set(err, KE_DB, "search: registering functions: %s", sqlite3_errstr(rc));
	return kstore__prepare(st, "SELECT 1", &st->cache[C_INIT], err);
}

static int cached(struct kstore *st, int slot, const char *sql, sqlite3_stmt **s, struct kerr *err)
{
	int rc;

	if ((rc = init(st, err)))
		return rc;
	if (!st->cache[slot]) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->cache[slot],
				       NULL) != SQLITE_OK)
			return kstore__db_err(st, err, "search");
	}
	*s = st->cache[slot];
	return 0;
}

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Does f restrict anything beyond limit/offset? */
static int has_filter(const struct kfilter *f)
{
	return f->document || f->year || f->category || f->tag || f->event_class || f->threat ||
	       f->sector || f->reader_level || f->tlp || kstore__tlp_in(f->max_tlp);
}

/* FTS5 reports a bad expression as an SQL error; search.c never builds one,
 * but say so plainly rather than show SQL if it happens. */
static int match_err(struct kstore *st, struct kerr *err, const char *what)
{
	const char *m = sqlite3_errmsg(st->db);

	if (strstr(m, "fts5"))
		return kerr_set(err, KE_USAGE, "%s: the query could not be run (%s)", what, m);
	return kstore__db_err(st, err, what);
}

/* ---- ranking --------------------------------------------------------------- */

static int collect(struct kstore *st, sqlite3_stmt *s, long cap, struct kstore_hit **hits,
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

/*
 * The ranking statement: bm25 with the column weights, best first.  Unless
 * exact is asked for, the score is kyokun_rank(), which gives the same
 * numbers but skips the rows that cannot make the page (see above); the
 * filters go into a CASE so that the rows they reject never reach it.
 */
#define KSTORE_RANK_MAX 10000

static int top_sql(struct kbuf *sql, const struct kfilter *f, long long exclude_rid, int pruned)
{
	struct kbuf cond = KBUF_INIT;
	int rc = 0;

	if (has_filter(f)) {
		rc |= kstore__filter_sql(f, &cond);   /* " WHERE 1 AND ..." */
	} else {
		rc |= kbuf_adds(&cond, " WHERE 1");
	}
	if (exclude_rid)
		rc |= kbuf_adds(&cond, " AND case_fts.rowid <> :exclude");
	if (rc)
		goto out;
	if (pruned) {
		rc |= kbuf_addf(sql, "SELECT case_fts.rowid, CASE WHEN %s THEN kyokun_rank(case_fts, :k, "
				WEIGHTS ") END AS s, kyokun_phrases(case_fts) FROM case_fts",
				kbuf_str(&cond) + 7);
	} else {
		rc |= kbuf_adds(sql, "SELECT case_fts.rowid, -" BM25 " AS s, kyokun_phrases(case_fts)"
				" FROM case_fts");
	}
	if (has_filter(f))
		rc |= kbuf_adds(sql, " JOIN cases c ON c.rid = case_fts.rowid");
	rc |= kbuf_addf(sql, "%s AND case_fts MATCH :match%s ORDER BY s DESC, case_fts.rowid"
			" LIMIT :limit OFFSET :offset", kbuf_str(&cond), pruned ? " AND s IS NOT NULL" : "");
out:
	kbuf_release(&cond);
	return rc ? KE_NOMEM : 0;
}

static void bind_common(sqlite3_stmt *s, const char *match, const struct kfilter *f,
			long long exclude_rid, long limit, long offset)
{
	int i;

	kstore__bind_filter(s, f);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":match"), match, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(s, ":exclude")) > 0)
		sqlite3_bind_int64(s, i, exclude_rid);
	if ((i = sqlite3_bind_parameter_index(s, ":limit")) > 0)
		sqlite3_bind_int64(s, i, limit > 0 ? limit : -1);
	if ((i = sqlite3_bind_parameter_index(s, ":offset")) > 0)
		sqlite3_bind_int64(s, i, offset > 0 ? offset : 0);
}

int kstore_search_top(struct kstore *st, const char *match, int flags, const struct kfilter *f,
		      long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
		      struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, own = 0, two_phase;

	*hits = NULL;
	*n = 0;
	if ((rc = init(st, err)))
		return rc;
	two_phase = limit > 0 && offset + limit <= KSTORE_RANK_MAX && !(flags & KSTORE_RANK_EXACT);
	if ((rc = top_sql(&sql, f, exclude_rid, two_phase)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!has_filter(f) && !exclude_rid) {
		if ((rc = cached(st, two_phase ? C_TOP2 : C_TOP, sql.buf, &s, err)))
			goto out;
	} else {
		if ((rc = kstore__prepare(st, sql.buf, &s, err)))
			goto out;
		own = 1;
	}
	bind_common(s, match, f, exclude_rid, limit, offset);
	if (two_phase)
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":k"), offset + limit);
	rc = collect(st, s, limit, hits, n, err);
out:
	if (s && own)
		sqlite3_finalize(s);
	else if (s)
		done(s);
	kbuf_release(&sql);
	if (rc) {
		free(*hits);
		*hits = NULL;
		*n = 0;
	}
	return rc;
}

int kstore_search_count(struct kstore *st, const char *match, const struct kfilter *f,
			long long exclude_rid, long *total, struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, own = 0, r = 0;

	*total = 0;
	if ((rc = init(st, err)))
		return rc;
	if (!has_filter(f) && !exclude_rid) {
		if ((rc = cached(st, C_COUNT, "SELECT count(*) FROM case_fts WHERE case_fts MATCH :match",
				 &s, err)))
			return rc;
	} else {
		r |= kbuf_adds(&sql, "SELECT count(*) FROM case_fts JOIN cases c ON c.rid = case_fts.rowid");
		r |= kstore__filter_sql(f, &sql);
		r |= kbuf_adds(&sql, " AND case_fts MATCH :match");
		if (exclude_rid)
			r |= kbuf_adds(&sql, " AND case_fts.rowid <> :exclude");
		if (r) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = kstore__prepare(st, sql.buf, &s, err)))
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
	return rc;
}

/* ---- facets ---------------------------------------------------------------- */

int kstore_search_facets(struct kstore *st, const char *match, const struct kfilter *f,
			 kstore_facet_cb cb, void *ctx, long *total, struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	*total = 0;
	if ((rc = init(st, err)))
		return rc;
	r |= kbuf_adds(&sql, "WITH h(rid) AS MATERIALIZED (SELECT c.rid FROM case_fts"
			     " JOIN cases c ON c.rid = case_fts.rowid");
	r |= kstore__filter_sql(f, &sql);
	r |= kbuf_addf(&sql, " AND case_fts MATCH :match)"
		       " SELECT -1, NULL, count(*) FROM h"
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
		       "  GROUP BY t.kind, t.value",
		       KFACET_CATEGORY, KFACET_DOCUMENT, KFACET_YEAR, KFACET_EVENT_CLASS,
		       KFACET_READER_LEVEL, KFACET_TLP, KFACET_THREAT, KFACET_SECTOR);
	if (r) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = kstore__prepare(st, sql.buf, &s, err)))
		goto out;
	bind_common(s, match, f, 0, 0, 0);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int facet = sqlite3_column_int(s, 0);
		long count = (long)sqlite3_column_int64(s, 2);

		if (facet < 0) {
			*total = count;
			continue;
		}
		if ((rc = cb(ctx, facet, (const char *)sqlite3_column_text(s, 1), count)))
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = match_err(st, err, "search facets");
out:
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

/* ---- rows and text ------------------------------------------------------------ */

/* Is tlp visible at max_tlp? */
static int visible(const char *tlp, int max_tlp)
{
	int r = tlp ? ktlp_rank(tlp) : -1;

	return max_tlp < 0 || (r >= 0 && r <= max_tlp);
}

int kstore_search_row(struct kstore *st, long long rid, int max_tlp, kstore_row_cb cb, void *ctx,
		      struct kerr *err)
{
	struct kcase_row row;
	sqlite3_stmt *s;
	int rc;

	if ((rc = cached(st, C_ROW, "SELECT " KSTORE_ROW_COLS " FROM cases c WHERE c.rid = :rid", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		kstore__fill_row(s, &row);
		if (visible(row.tlp, max_tlp))
			rc = cb(ctx, &row);
		else
			rc = kerr_set(err, KE_NOTFOUND, "no such case");
	} else if (rc == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	} else {
		rc = kstore__db_err(st, err, "reading a search hit");
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

int kstore_search_highlight(struct kstore *st, const char *match, long long rid, const char *open,
			    const char *close, char *cols[KCOL__N], struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	for (int i = 0; i < KCOL__N; i++)
		cols[i] = NULL;
	rc = cached(st, C_HL, "SELECT kyokun_highlight(case_fts, 0, :o, :c),"
		    " kyokun_highlight(case_fts, 1, :o, :c), kyokun_highlight(case_fts, 2, :o, :c),"
		    " kyokun_highlight(case_fts, 3, :o, :c), kyokun_highlight(case_fts, 4, :o, :c),"
		    " kyokun_highlight(case_fts, 5, :o, :c)"
		    " FROM case_fts WHERE case_fts MATCH :match AND rowid = :rid", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":o"), open, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":c"), close, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":match"), match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":rid"), rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = copy_cols(s, 0, cols, err);
	else if (rc == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	else
		rc = match_err(st, err, "highlighting");
	done(s);
	return rc;
}

int kstore_case_text(struct kstore *st, const char *id, int max_tlp, long long *rid,
		     char *cols[KCOL__N], struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	for (int i = 0; i < KCOL__N; i++)
		cols[i] = NULL;
	rc = cached(st, C_TEXT, "SELECT c.rid, c.tlp, t.title, t.summary, t.lessons, t.body, t.timeline,"
		    " t.meta FROM cases c JOIN case_text t ON t.rid = c.rid WHERE c.id = :id", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && visible((const char *)sqlite3_column_text(s, 1), max_tlp)) {
		*rid = sqlite3_column_int64(s, 0);
		rc = copy_cols(s, 2, cols, err);
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no case with id \"%s\"", id);
	} else {
		rc = kstore__db_err(st, err, "reading the case");
	}
	done(s);
	return rc;
}

/* ---- term statistics ----------------------------------------------------------- */

int kstore_token_df(struct kstore *st, const char *tok, int ntok, long *df, struct kerr *err)
{
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
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : kstore__db_err(st, err, "term statistics");
	done(s);
	return rc;
}

int kstore_indexed(struct kstore *st, long *n, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if ((rc = cached(st, C_INDEXED, "SELECT count(*) FROM case_text", &s, err)))
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? 0 : kstore__db_err(st, err, "counting cases");
	done(s);
	return rc;
}
