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
	C_LISTS,
	C_DOCSIZE,
	C_DV,
	C_DLALL,
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

/*
 * kyokun_lists(case_fts, state): the phrase lists of the ranked top-k path
 * (kstore_search_top(), "phrase lists" below).  Called on the first row of
 * "... WHERE case_fts MATCH :match LIMIT 1": for every phrase of the
 * expression it walks the rows containing the phrase (xQueryPhrase, the
 * walk bm25's idf needs anyway) and keeps each row's column-weighted
 * instance count, in rowid order.  Nothing else of the match is read.
 */
#define TOPK_MAX_PHRASES 64
#define TOPK_MAX_NODES 512

struct plist {
	sqlite3_int64 *rid;
	double *f;        /* column-weighted instance count */
	size_t n, cap;
	const double *w;
};

enum { TN_PHRASE, TN_AND, TN_OR, TN_NOT };

struct tnode {
	int type;
	int phrase;       /* TN_PHRASE */
	int kid, next;    /* first child, next sibling (-1 = none) */
};

/*
 * The length of every row (what xColumnSize(-1) reads from case_fts_docsize
 * one row at a time), kept per connection once a query needs many of them:
 * loaded in one scan of the docsize table, valid while the database is
 * unchanged (PRAGMA data_version for other connections, the change count
 * for this one).
 */
struct dlcache {
	int valid;
	sqlite3_int64 data_version, changes;
	sqlite3_int64 n;  /* dl[0..n) by rowid */
	int *dl;          /* -1: no such row */
};

static void dlcache_free(void *p)
{
	struct dlcache *dc = p;

	if (dc)
		free(dc->dl);
	free(dc);
}

struct topk {
	struct dlcache *dlc;
	sqlite3_int64 nrow;
	struct tnode node[TOPK_MAX_NODES];
	int nnode, root, np, pure_or;
	double w[KCOL__N];
	struct plist pl[TOPK_MAX_PHRASES];
	double idf[TOPK_MAX_PHRASES];
	double avgdl;
	int called, rc;
};

static int plist_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	struct plist *pl = ctx;
	Fts5PhraseIter it;
	int col = -1, off = -1;
	double f = 0;

	if (pl->n == pl->cap) {
		size_t nc = pl->cap ? pl->cap * 2 : 1024;
		sqlite3_int64 *nr = sqlite3_realloc64(pl->rid, nc * sizeof(*nr));
		double *nf;

		if (!nr)
			return SQLITE_NOMEM;
		pl->rid = nr;
		if (!(nf = sqlite3_realloc64(pl->f, nc * sizeof(*nf))))
			return SQLITE_NOMEM;
		pl->f = nf;
		pl->cap = nc;
	}
	if (api->xPhraseFirst(fts, 0, &it, &col, &off) == SQLITE_OK)
		for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
			f += col < KCOL__N ? pl->w[col] : 1.0;
	pl->rid[pl->n] = api->xRowid(fts);
	pl->f[pl->n] = f;
	pl->n++;
	return SQLITE_OK;
}

static void aux_lists(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx,
		      int argc, sqlite3_value **argv)
{
	struct topk *t = argc > 0 ? sqlite3_value_pointer(argv[0], "kyokun_topk") : NULL;
	sqlite3_int64 nrow = 0, total = 0;
	int rc;

	sqlite3_result_null(sctx);
	if (!t || t->called)
		return;
	t->called = 1;
	t->dlc = api->xUserData(fts);
	if (api->xPhraseCount(fts) != t->np || api->xColumnCount(fts) != KCOL__N) {
		t->rc = SQLITE_MISMATCH; /* not the expression parsed: use the SQL path */
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
	for (int i = 0; i < t->np; i++) {
		double idf;

		t->pl[i].w = t->w;
		if ((rc = api->xQueryPhrase(fts, i, &t->pl[i], plist_cb)) != SQLITE_OK) {
			t->rc = rc;
			return;
		}
		idf = log(((double)nrow - (double)t->pl[i].n + 0.5) / ((double)t->pl[i].n + 0.5));
		t->idf[i] = idf > 0 ? idf : 1e-6;
	}
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
	if (rc == SQLITE_OK) {
		struct dlcache *dc = calloc(1, sizeof(*dc));

		if (!dc)
			return kerr_set(err, KE_NOMEM, "out of memory");
		rc = api->xCreateFunction(api, "kyokun_lists", dc, aux_lists, dlcache_free);
	}
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

/* ---- ranked top-k from phrase lists ------------------------------------------ */

/*
 * The expression search.c builds is a tree of AND, OR and NOT over quoted
 * strings (each one FTS5 phrase, numbered in order of appearance).  It is
 * parsed here with FTS5's precedence (NOT above AND above OR); anything
 * else (column filters, NEAR, implicit AND, ...) makes tk_parse() fail and
 * the SQL path run instead.
 */
struct tparse {
	struct topk *t;
	const char *p;
};

static void tk_space(struct tparse *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

/* Is the next token the keyword kw? */
static int tk_kw(struct tparse *ps, const char *kw)
{
	size_t n = strlen(kw);

	tk_space(ps);
	if (strncmp(ps->p, kw, n) != 0)
		return 0;
	if (ps->p[n] && ps->p[n] != ' ' && ps->p[n] != '(' && ps->p[n] != '"' && ps->p[n] != '\t' &&
	    ps->p[n] != '\n' && ps->p[n] != '\r')
		return 0;
	ps->p += n;
	return 1;
}

static int tk_new(struct topk *t, int type)
{
	if (t->nnode >= TOPK_MAX_NODES)
		return -1;
	t->node[t->nnode] = (struct tnode){ type, -1, -1, -1 };
	return t->nnode++;
}

/* Make a node of type over l and r (flattening l when it is already one). */
static int tk_join(struct topk *t, int type, int l, int r)
{
	int n, k;

	if (type != TN_NOT && t->node[l].type == type) {
		n = l;
	} else {
		if ((n = tk_new(t, type)) < 0)
			return -1;
		t->node[n].kid = l;
	}
	for (k = t->node[n].kid; t->node[k].next >= 0; k = t->node[k].next)
		;
	t->node[k].next = r;
	return n;
}

static int tk_or(struct tparse *ps);

static int tk_primary(struct tparse *ps)
{
	int n;

	tk_space(ps);
	if (*ps->p == '(') {
		ps->p++;
		if ((n = tk_or(ps)) < 0)
			return -1;
		tk_space(ps);
		if (*ps->p != ')')
			return -1;
		ps->p++;
		return n;
	}
	if (*ps->p != '"')
		return -1;
	for (ps->p++;; ps->p++) {
		if (!*ps->p)
			return -1;
		if (*ps->p == '"') {
			if (ps->p[1] != '"')
				break;
			ps->p++;
		}
	}
	ps->p++;
	tk_space(ps);
	if (*ps->p == '*')
		ps->p++;
	if (ps->t->np >= TOPK_MAX_PHRASES || (n = tk_new(ps->t, TN_PHRASE)) < 0)
		return -1;
	ps->t->node[n].phrase = ps->t->np++;
	return n;
}

static int tk_not(struct tparse *ps)
{
	int l = tk_primary(ps), r;

	while (l >= 0 && tk_kw(ps, "NOT")) {
		if ((r = tk_primary(ps)) < 0)
			return -1;
		l = tk_join(ps->t, TN_NOT, l, r);
	}
	return l;
}

static int tk_and(struct tparse *ps)
{
	int l = tk_not(ps), r;

	while (l >= 0 && tk_kw(ps, "AND")) {
		if ((r = tk_not(ps)) < 0)
			return -1;
		l = tk_join(ps->t, TN_AND, l, r);
	}
	return l;
}

static int tk_or(struct tparse *ps)
{
	int l = tk_and(ps), r;

	while (l >= 0 && tk_kw(ps, "OR")) {
		if ((r = tk_and(ps)) < 0)
			return -1;
		l = tk_join(ps->t, TN_OR, l, r);
	}
	return l;
}

static int tk_parse(struct topk *t, const char *match)
{
	struct tparse ps = { t, match };

	t->nnode = t->np = 0;
	if ((t->root = tk_or(&ps)) < 0)
		return -1;
	tk_space(&ps);
	if (*ps.p)
		return -1;
	t->pure_or = 1;
	for (int i = 0; i < t->nnode; i++)
		if (t->node[i].type == TN_AND || t->node[i].type == TN_NOT)
			t->pure_or = 0;
	return 0;
}

/* Does the row whose phrases are m match node n? */
static int tk_match(const struct topk *t, int n, unsigned long long m)
{
	const struct tnode *d = &t->node[n];
	int k;

	switch (d->type) {
	case TN_PHRASE:
		return (int)((m >> d->phrase) & 1);
	case TN_AND:
		for (k = d->kid; k >= 0; k = t->node[k].next)
			if (!tk_match(t, k, m))
				return 0;
		return 1;
	case TN_OR:
		for (k = d->kid; k >= 0; k = t->node[k].next)
			if (tk_match(t, k, m))
				return 1;
		return 0;
	default: /* TN_NOT */
		return tk_match(t, d->kid, m) && !tk_match(t, t->node[d->kid].next, m);
	}
}

/*
 * The phrases FTS5 reports for a matching row (what bm25() and
 * xPhraseFirst() see): FTS5 positions a phrase on the row only when every
 * AND above it matches the row, and never the right side of a NOT.  n
 * matches the row.
 */
static unsigned long long tk_active(const struct topk *t, int n, unsigned long long m)
{
	const struct tnode *d = &t->node[n];
	unsigned long long a = 0;
	int k;

	switch (d->type) {
	case TN_PHRASE:
		return 1ULL << d->phrase;
	case TN_AND:
		for (k = d->kid; k >= 0; k = t->node[k].next)
			a |= tk_active(t, k, m);
		return a;
	case TN_OR:
		for (k = d->kid; k >= 0; k = t->node[k].next)
			if (tk_match(t, k, m))
				a |= tk_active(t, k, m);
		return a;
	default:
		return tk_active(t, d->kid, m);
	}
}

static void topk_free(struct topk *t)
{
	if (!t)
		return;
	for (int i = 0; i < TOPK_MAX_PHRASES; i++) {
		sqlite3_free(t->pl[i].rid);
		sqlite3_free(t->pl[i].f);
	}
	free(t);
}

/* The sum of a docsize record's column sizes (nCol SQLite varints). */
static int docsize_sum(const unsigned char *p, int n)
{
	int i = 0, dl = 0;

	while (p && i < n) {
		unsigned long long v = 0;
		int j;

		for (j = 0; j < 8 && i < n; j++) {
			v = (v << 7) | (p[i] & 0x7f);
			if (!(p[i++] & 0x80))
				break;
		}
		if (j == 8 && i < n)
			v = (v << 8) | p[i++];
		dl += (int)v;
	}
	return dl;
}

/* Is st's length cache current?  Load it if not and load is set. */
static int dlcache_ready(struct kstore *st, struct dlcache *dc, int load, struct kerr *err)
{
	sqlite3_stmt *s;
	sqlite3_int64 dv = 0, ch = sqlite3_total_changes64(st->db), max = 0;
	int rc, r;

	if (!dc)
		return 0;
	if ((rc = cached(st, C_DV, "PRAGMA data_version", &s, err)))
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW)
		dv = sqlite3_column_int64(s, 0);
	done(s);
	if (dc->valid && dc->data_version == dv && dc->changes == ch)
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
		dc->dl[id] = docsize_sum(sqlite3_column_blob(s, 1), sqlite3_column_bytes(s, 1));
	}
	done(s);
	if (r != SQLITE_DONE) {
		free(dc->dl);
		dc->dl = NULL;
		dc->n = 0;
		return r == SQLITE_ROW ? 0 : kstore__db_err(st, err, "search: document lengths");
	}
	dc->valid = 1;
	dc->data_version = dv;
	dc->changes = ch;
	return 1;
}

/* The length of row rid in tokens, all columns (xColumnSize(-1)). */
static int docsize(struct kstore *st, sqlite3_int64 rid, int *dl, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc;

	*dl = 0;
	if ((rc = cached(st, C_DOCSIZE, "SELECT sz FROM case_fts_docsize WHERE id = ?1", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*dl = docsize_sum(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : kstore__db_err(st, err, "search: document length");
	}
	sqlite3_reset(s);
	return rc;
}

/* a ranks before b: higher score, then lower rowid. */
static int hit_before(const struct kstore_hit *a, const struct kstore_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->rid < b->rid);
}

/* heap[0] is the hit ranking last. */
static void hit_sift(struct kstore_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < n && hit_before(&h[m], &h[l]))
			m = l;
		if (l + 1 < n && hit_before(&h[m], &h[l + 1]))
			m = l + 1;
		if (m == i)
			return;
		struct kstore_hit x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

static int hit_cmp(const void *a, const void *b)
{
	return hit_before(a, b) ? -1 : hit_before(b, a) ? 1 : 0;
}

/*
 * The phrase-list path of kstore_search_top(): the same hits, scores and
 * order as the SQL statement of top_sql() with kyokun_rank().
 *
 * One FTS5 statement reads every phrase's rows once (kyokun_lists: the
 * walk that bm25's idf needs in any case), then the lists are merged here
 * in rowid order: the expression is evaluated on each row's set of
 * phrases, the upper bound of its bm25 for length 0 is checked against the
 * k-th best exact score so far, and only a row that can still reach the
 * page has its filters checked and its length read (one lookup each).
 * The rows of the match are not visited a second time through the SQL
 * engine, no function is called per row and nothing is sorted but the page.
 *
 * Returns 1 when the expression is not one this path handles (the caller
 * then runs the SQL path).
 */
static int top_lists(struct kstore *st, const char *match, int flags, const struct kfilter *f,
		     long long exclude_rid, long limit, long offset, struct kstore_hit **hits,
		     size_t *n, struct kerr *err)
{
	static const double weights[KCOL__N] = { 8.0, 4.0, 3.0, 1.0, 1.0, 0.5 };
	struct topk *t = calloc(1, sizeof(*t));
	struct kstore_hit *heap = NULL;
	sqlite3_stmt *s = NULL, *fs = NULL;
	size_t k = (size_t)(offset + limit), nheap = 0, pos[TOPK_MAX_PHRASES] = { 0 };
	struct dlcache *dlc = NULL;
	int rc = 0, r, frid = 0, txn = 0;

	if (!t)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (tk_parse(t, match) < 0) {
		rc = 1;
		goto out;
	}
	memcpy(t->w, weights, sizeof(weights));
	if (!(heap = malloc(k * sizeof(*heap)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	/* one read transaction: one snapshot, and no lock per lookup */
	if (sqlite3_get_autocommit(st->db)) {
		if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			rc = kstore__db_err(st, err, "search");
			goto out;
		}
		txn = 1;
	}
	if ((rc = cached(st, C_LISTS, "SELECT kyokun_lists(case_fts, ?1) FROM case_fts"
			 " WHERE case_fts MATCH ?2 LIMIT 1", &s, err)))
		goto out;
	sqlite3_bind_pointer(s, 1, t, "kyokun_topk", NULL);
	sqlite3_bind_text(s, 2, match, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		;
	done(s);
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
	if (has_filter(f)) {
		struct kbuf sql = KBUF_INIT;

		r = kbuf_adds(&sql, "SELECT 1 FROM cases c");
		r |= kstore__filter_sql(f, &sql);
		r |= kbuf_adds(&sql, " AND c.rid = :rid");
		if (r) {
			kbuf_release(&sql);
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		rc = kstore__prepare(st, sql.buf, &fs, err);
		kbuf_release(&sql);
		if (rc)
			goto out;
		kstore__bind_filter(fs, f);
		frid = sqlite3_bind_parameter_index(fs, ":rid");
	}
	{
		size_t tot = 0;

		for (int i = 0; i < t->np; i++)
			tot += t->pl[i].n;
		/* many rows to rank: read all lengths at once (or reuse them) */
		if ((r = dlcache_ready(st, t->dlc, (flags & KSTORE_RANK_LOAD) || tot > 1000 + (size_t)t->nrow / 32,
				       err)) < 0) {
			rc = r;
			goto out;
		}
		dlc = r > 0 ? t->dlc : NULL;
	}
	for (;;) {
		sqlite3_int64 rid = 0;
		unsigned long long m = 0, a;
		double fr[TOPK_MAX_PHRASES], ub = 0, exact = 0;
		int any = 0, dl;

		for (int i = 0; i < t->np; i++)
			if (pos[i] < t->pl[i].n && (!any || t->pl[i].rid[pos[i]] < rid)) {
				rid = t->pl[i].rid[pos[i]];
				any = 1;
			}
		if (!any)
			break;
		for (int i = 0; i < t->np; i++) {
			fr[i] = 0;
			if (pos[i] < t->pl[i].n && t->pl[i].rid[pos[i]] == rid) {
				m |= 1ULL << i;
				fr[i] = t->pl[i].f[pos[i]++];
			}
		}
		if (t->pure_or)
			a = m;
		else if (!tk_match(t, t->root, m))
			continue;
		else
			a = tk_active(t, t->root, m);
		if (rid == exclude_rid && exclude_rid)
			continue;
		/* as aux_rank() */
		for (int i = 0; i < t->np; i++)
			if ((a >> i & 1) && fr[i] > 0)
				ub += t->idf[i] * fr[i] * (BM25_K1 + 1) / (fr[i] + BM25_K1 * (1 - BM25_B));
		if (nheap == k && ub <= heap[0].score)
			continue; /* cannot be among the first k (a tie loses: a later rowid) */
		if (fs) {
			sqlite3_bind_int64(fs, frid, rid);
			r = sqlite3_step(fs);
			sqlite3_reset(fs);
			if (r == SQLITE_DONE)
				continue;
			if (r != SQLITE_ROW) {
				rc = kstore__db_err(st, err, "search");
				goto out;
			}
		}
		if (dlc && rid < dlc->n && dlc->dl[rid] >= 0) {
			dl = dlc->dl[rid];
		} else {
			if ((rc = docsize(st, rid, &dl, err)))
				goto out;
		}
		for (int i = 0; i < t->np; i++)
			if ((a >> i & 1) && fr[i] > 0)
				exact += t->idf[i] * fr[i] * (BM25_K1 + 1) /
					 (fr[i] + BM25_K1 * (1 - BM25_B + BM25_B * dl / t->avgdl));
		if (nheap == k && exact <= heap[0].score)
			continue;
		{
			struct kstore_hit h = { rid, exact, 0 };

			for (int i = 0; i < t->np; i++)
				if ((a >> i & 1) && fr[i] > 0)
					h.phrases |= 1ULL << i;
			if (nheap < k) {
				/* sift up */
				size_t i = nheap++;

				while (i > 0 && hit_before(&heap[(i - 1) / 2], &h)) {
					heap[i] = heap[(i - 1) / 2];
					i = (i - 1) / 2;
				}
				heap[i] = h;
			} else {
				heap[0] = h;
				hit_sift(heap, nheap, 0);
			}
		}
	}
	qsort(heap, nheap, sizeof(*heap), hit_cmp);
	if (nheap > (size_t)offset) {
		*n = nheap - (size_t)offset;
		memmove(heap, heap + offset, *n * sizeof(*heap));
		*hits = heap;
		heap = NULL;
	}
out:
	if (fs)
		sqlite3_finalize(fs);
	if (txn)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	free(heap);
	topk_free(t);
	return rc;
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
	if (two_phase && !(flags & KSTORE_RANK_SQL)) {
		if ((rc = top_lists(st, match, flags, f, exclude_rid, limit, offset, hits, n, err)) <= 0)
			goto out;
		rc = 0;
	}
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
