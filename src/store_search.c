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
	C_COUNT,
	C__N
};

_Static_assert(C__N <= KSTORE_NCACHE, "raise KSTORE_NCACHE");

/*
 * Column weights of bm25: what a title or summary says is worth more than
 * the same words deep in the body.  meta is the category and organisation.
 */
#define BM25 "bm25(case_fts, 8.0, 4.0, 3.0, 1.0, 1.0, 0.5)"

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

static int top_sql(struct kbuf *sql, const char *match_col, const struct kfilter *f, long long exclude_rid)
{
	int rc = 0;

	rc |= kbuf_adds(sql, "SELECT case_fts.rowid, -" BM25 " AS s, kyokun_phrases(case_fts)"
			" FROM case_fts");
	if (has_filter(f)) {
		rc |= kbuf_adds(sql, " JOIN cases c ON c.rid = case_fts.rowid");
		rc |= kstore__filter_sql(f, sql);
		rc |= kbuf_addf(sql, " AND %s MATCH :match", match_col);
	} else {
		rc |= kbuf_addf(sql, " WHERE %s MATCH :match", match_col);
	}
	if (exclude_rid)
		rc |= kbuf_adds(sql, " AND case_fts.rowid <> :exclude");
	rc |= kbuf_adds(sql, " ORDER BY s DESC, case_fts.rowid LIMIT :limit OFFSET :offset");
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

int kstore_search_top(struct kstore *st, const char *match, const char *head_match,
		      const struct kfilter *f, long long exclude_rid, long limit, long offset,
		      struct kstore_hit **hits, size_t *n, struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, own = 0;

	(void)head_match;
	*hits = NULL;
	*n = 0;
	if ((rc = init(st, err)))
		return rc;
	if (!has_filter(f) && !exclude_rid) {
		if ((rc = top_sql(&sql, "case_fts", f, 0)) < 0)
			goto nomem;
		if ((rc = cached(st, C_TOP, sql.buf, &s, err)))
			goto out;
	} else {
		if ((rc = top_sql(&sql, "case_fts", f, exclude_rid)) < 0)
			goto nomem;
		if ((rc = kstore__prepare(st, sql.buf, &s, err)))
			goto out;
		own = 1;
	}
	bind_common(s, match, f, exclude_rid, limit, offset);
	rc = collect(st, s, limit, hits, n, err);
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
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
