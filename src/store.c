/*
 * store.c - the neutral store API (store.h, store_search.h): it picks the
 * storage backend when a store is opened and hands every operation to the
 * backend's table (store_be.h), as st->be->op(st, ...).  What needs no
 * backend (the path, the column names) is answered here.  No database
 * code: the SQLite backend is store_sqlite*.c.
 */
#include "store.h"
#include "store_be.h"
#include "store_search.h"
#include "kerr.h"

#include <string.h>

/* The backend of a path without a scheme, and of the calls that have no store. */
static const struct kstore_be *const default_be = &kstore_be_sqlite;

/* The backend for path, or NULL with err set. */
static const struct kstore_be *pick(const char *path, struct kerr *err)
{
	/* the address is not repeated: it may hold a password */
	if (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11)) {
		kerr_set(err, KE_USAGE, "this kyokun was built without PostgreSQL support (the database is a "
			 "PostgreSQL address); give the path of a database file");
		return NULL;
	}
	return default_be;
}

int kstore_open(struct kstore **st, const char *path, int flags, struct kerr *err)
{
	const struct kstore_be *be;

	*st = NULL;
	if (!(be = pick(path, err)))
		return KE_USAGE;
	return be->open(st, path, flags, err);
}

void kstore_close(struct kstore *st)
{
	if (st)
		st->be->close(st);
}

const char *kstore_backend(const struct kstore *st)
{
	return st->be->name;
}

const char *kstore_path(const struct kstore *st)
{
	return st->path;
}

int kstore_global_init(int server)
{
	return default_be->global_init(server);
}

int kstore_schema_version(struct kstore *st)
{
	return st->be->schema_version(st);
}

int kstore_schema_latest(void)
{
	return default_be->schema_latest();
}

const char *kstore_note(const struct kstore *st)
{
	return st->be->note(st);
}

int kstore_changes(struct kstore *st, unsigned long long *counter, struct kerr *err)
{
	return st->be->changes(st, counter, err);
}

int kstore_check(struct kstore *st, int flags, kstore_check_cb cb, void *ctx, struct kerr *err)
{
	return st->be->check(st, flags, cb, ctx, err);
}

int kstore_begin(struct kstore *st, struct kerr *err)
{
	return st->be->begin(st, err);
}

int kstore_begin_bulk(struct kstore *st, struct kerr *err)
{
	return st->be->begin_bulk(st, err);
}

int kstore_commit(struct kstore *st, struct kerr *err)
{
	return st->be->commit(st, err);
}

void kstore_rollback(struct kstore *st)
{
	st->be->rollback(st);
}

int kstore_put(struct kstore *st, const struct kcase *c, int *outcome, struct kerr *err)
{
	return st->be->put(st, c, outcome, err);
}

int kstore_put_json(struct kstore *st, const struct kcase *c, const char *json, size_t len,
		    int *outcome, struct kerr *err)
{
	return st->be->put_json(st, c, json, len, outcome, err);
}

int kstore_get(struct kstore *st, const char *id, struct kcase *c, struct kerr *err)
{
	return st->be->get(st, id, c, err);
}

int kstore_delete(struct kstore *st, const char *id, struct kerr *err)
{
	return st->be->delete(st, id, err);
}

int kstore_list(struct kstore *st, const struct kfilter *f, kstore_row_cb cb, void *ctx,
		long *total, struct kerr *err)
{
	return st->be->list(st, f, cb, ctx, total, err);
}

int kstore_recent(struct kstore *st, const struct kreader *r, int n, kstore_row_cb cb, void *ctx,
		  struct kerr *err)
{
	return st->be->recent(st, r, n, cb, ctx, err);
}

int kstore_history(struct kstore *st, const char *id, kstore_rev_cb cb, void *ctx,
		   struct kerr *err)
{
	return st->be->history(st, id, cb, ctx, err);
}

int kstore_documents(struct kstore *st, const struct kreader *r, kstore_doc_cb cb, void *ctx,
		     struct kerr *err)
{
	return st->be->documents(st, r, cb, ctx, err);
}

int kstore_count(struct kstore *st, const struct kreader *r, long *n, struct kerr *err)
{
	return st->be->count(st, r, n, err);
}

/* ---- search (store_search.h) --------------------------------------------- */

static const char *const col_names[KCOL__N] = {
	"title", "summary", "lessons", "body", "timeline", "meta",
};

const char *kstore_col_name(int col)
{
	return col >= 0 && col < KCOL__N ? col_names[col] : NULL;
}

int kstore_search_top(struct kstore *st, const struct kstore_query *q, int flags, const struct kfilter *f,
		      long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
		      struct kerr *err)
{
	return st->be->search_top(st, q, flags, f, exclude_rid, limit, offset, hits, n, err);
}

void kstore_search_tune(struct kstore *st, int threads, int facets_sql)
{
	st->be->search_tune(st, threads, facets_sql);
}

int kstore_search_count(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			long long exclude_rid, long *total, struct kerr *err)
{
	return st->be->search_count(st, q, f, exclude_rid, total, err);
}

int kstore_search_facets(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			 kstore_facet_cb cb, void *ctx, long *total, struct kerr *err)
{
	return st->be->search_facets(st, q, f, cb, ctx, total, err);
}

int kstore_search_row(struct kstore *st, long long rid, const struct kreader *r, kstore_row_cb cb, void *ctx,
		      struct kerr *err)
{
	return st->be->search_row(st, rid, r, cb, ctx, err);
}

int kstore_search_highlight(struct kstore *st, const struct kstore_query *q, long long rid,
			    const char *open, const char *close, char *cols[KCOL__N], struct kerr *err)
{
	return st->be->search_highlight(st, q, rid, open, close, cols, err);
}

int kstore_case_text(struct kstore *st, const char *id, const struct kreader *r, long long *rid,
		     char *cols[KCOL__N], struct kerr *err)
{
	return st->be->case_text(st, id, r, rid, cols, err);
}

int kstore_token_df(struct kstore *st, const char *tok, int ntok, long *df, struct kerr *err)
{
	return st->be->token_df(st, tok, ntok, df, err);
}

int kstore_phrase_df(struct kstore *st, const struct kphrase *phrases, size_t n, double *df, int *exact,
		     struct kerr *err)
{
	return st->be->phrase_df(st, phrases, n, df, exact, err);
}

int kstore_phrase_rows(struct kstore *st, const struct kphrase *phrase, long most, long *n, struct kerr *err)
{
	return st->be->phrase_rows(st, phrase, most, n, err);
}

int kstore_indexed(struct kstore *st, long *n, struct kerr *err)
{
	return st->be->indexed(st, n, err);
}

char *kstore_query_text(const struct kstore_query *q)
{
	return default_be->query_text(q);
}
