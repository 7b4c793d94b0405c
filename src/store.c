/*
 * store.c - the neutral store API (store.h, store_search.h, store_account.h,
 * store_report.h): it picks the
 * storage backend when a store is opened and hands every operation to the
 * backend's table (store_be.h), as st->be->op(st, ...).  What needs no
 * backend (the path, the column names) is answered here.  No database
 * code: the SQLite backend is store_sqlite*.c.
 */
#include "store.h"
#include "store_be.h"
#include "store_search.h"
#include "store_account.h"
#include "store_report.h"
#include "account.h"
#include "kerr.h"

#include <stdlib.h>
#include <string.h>

long krids_find(const struct krids *s, long long rid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo] == rid ? (long)lo : -1;
}

int krids_has(const struct krids *s, long long rid)
{
	return krids_find(s, rid) >= 0;
}

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

int kstore_case_changes(struct kstore *st, unsigned long long *counter, struct kerr *err)
{
	return st->be->case_changes(st, counter, err);
}

int kstore_check(struct kstore *st, int flags, kstore_check_cb cb, void *ctx, struct kerr *err)
{
	return st->be->check(st, flags, cb, ctx, err);
}

int kstore_backup(struct kstore *st, const char *dest, kstore_progress_cb cb, void *ctx, struct kerr *err)
{
	return st->be->backup(st, dest, cb, ctx, err);
}

int kstore_file_version(const char *path, int *version, struct kerr *err)
{
	const struct kstore_be *be = pick(path, err);

	*version = -1;
	return be ? be->file_version(path, version, err) : KE_USAGE;
}

int kstore_file_lock(const char *path, struct kstore_lock **lk, struct kerr *err)
{
	const struct kstore_be *be = pick(path, err);

	*lk = NULL;
	return be ? be->file_lock(path, lk, err) : KE_USAGE;
}

void kstore_file_unlock(struct kstore_lock *lk)
{
	if (lk)
		default_be->file_unlock(lk);
}

int kstore_begin(struct kstore *st, struct kerr *err)
{
	return st->be->begin(st, err);
}

int kstore_begin_bulk(struct kstore *st, struct kerr *err)
{
	return st->be->begin_bulk(st, err);
}

int kstore_read_begin(struct kstore *st, struct kerr *err)
{
	return st->be->read_begin(st, err);
}

void kstore_read_end(struct kstore *st, int began)
{
	st->be->read_end(st, began);
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
	return st->be->put_json(st, c, json, len, NULL, outcome, err);
}

int kstore_prep_make(struct kstore *st, const struct kcase *c, struct kstore_prep **out, struct kerr *err)
{
	*out = NULL;
	return st->be->prep_make ? st->be->prep_make(st, c, out, err) : 0;
}

void kstore_prep_free(struct kstore *st, struct kstore_prep *p)
{
	if (p && st->be->prep_free)
		st->be->prep_free(p);
}

int kstore_put_prep(struct kstore *st, const struct kcase *c, const char *json, size_t len,
		    struct kstore_prep *p, int *outcome, struct kerr *err)
{
	return st->be->put_json(st, c, json, len, p, outcome, err);
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

void kdocmeta_free(struct kdocmeta *m)
{
	free(m->title);
	free(m->publisher);
	free(m->published);
	free(m->url);
	memset(m, 0, sizeof(*m));
}

int kstore_doc_put(struct kstore *st, const char *name, const struct kdocmeta *m, struct kerr *err)
{
	return st->be->doc_put(st, name, m, err);
}

int kstore_doc_get_many(struct kstore *st, const char *const *names, size_t n, struct kdocmeta *m,
			struct kerr *err)
{
	int rc = 0;

	memset(m, 0, n * sizeof(*m));
	if (!st->be->doc_get_many) {
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = st->be->doc_get(st, names[i], &m[i], err);
		return rc;
	}
	for (size_t i = 0; i < n && rc == 0; i += 500) /* a statement's parameters are limited */
		rc = st->be->doc_get_many(st, names + i, n - i < 500 ? n - i : 500, m + i, err);
	return rc;
}

int kstore_doc_get(struct kstore *st, const char *name, struct kdocmeta *m, struct kerr *err)
{
	memset(m, 0, sizeof(*m));
	return st->be->doc_get(st, name, m, err);
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

int kstore_search_counted_rows(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			       int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			       size_t *n, long *total, long *total_any, struct kstore_rows *rows, struct kerr *err)
{
	if (rows)
		*rows = (struct kstore_rows){ NULL, 0 };
	if (!st->be->search_counted) {
		*total = -1;
		if (total_any)
			*total_any = -1;
		return st->be->search_top(st, q, flags, f, 0, limit, offset, hits, n, err);
	}
	return st->be->search_counted(st, q, any, flags, f, limit, offset, hits, n, total, total_any, rows, err);
}

int kstore_search_counted(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			  int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			  size_t *n, long *total, long *total_any, struct kerr *err)
{
	return kstore_search_counted_rows(st, q, any, flags, f, limit, offset, hits, n, total, total_any, NULL, err);
}

int kstore_search_rids(struct kstore *st, const struct kstore_query *q, const struct kfilter *f, long long **rids,
		       size_t *n, struct kerr *err)
{
	return st->be->search_rids(st, q, f, rids, n, err);
}

int kstore_search_warm(struct kstore *st, struct kerr *err)
{
	return st->be->search_warm ? st->be->search_warm(st, err) : 0;
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

int kstore_search_facets_rids(struct kstore *st, const long long *rids, size_t n, kstore_facet_cb cb, void *ctx,
			      struct kerr *err)
{
	return st->be->search_facets_rids(st, rids, n, cb, ctx, err);
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

int kstore_search_highlight_many(struct kstore *st, const struct kstore_query *q, const long long *rids,
				 size_t n, const char *open, const char *close, kstore_highlight_cb cb,
				 void *ctx, struct kerr *err)
{
	return st->be->search_highlight_many(st, q, rids, n, open, close, cb, ctx, err);
}

int kstore_search_marked(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			 size_t n, const struct kreader *r, const char *open, const char *close,
			 kstore_marked_cb cb, void *ctx, struct kerr *err)
{
	return st->be->search_marked(st, q, col, rids, n, r, open, close, cb, ctx, err);
}

int kstore_search_parts(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			size_t n, const struct kreader *r, kstore_parts_cb cb, void *ctx, struct kerr *err)
{
	return st->be->search_parts(st, q, col, rids, n, r, cb, ctx, err);
}

int kstore_search_parts_all(struct kstore *st, const struct kstore_query *q, const struct kstore_query *q2, int col,
			    const struct kfilter *f, kstore_parts_cb cb, void *ctx, struct kerr *err)
{
	return st->be->search_parts_all(st, q, q2, col, f, cb, ctx, err);
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

int kstore_term_df(struct kstore *st, const struct kreader *r, const char *tok, int ntok, long *df,
		   struct kerr *err)
{
	return st->be->term_df(st, r, tok, ntok, df, err);
}

int kstore_term_docs(struct kstore *st, const struct kreader *r, long *n, double *avgdl, struct kerr *err)
{
	return st->be->term_docs(st, r, n, avgdl, err);
}

int kstore_similar_top(struct kstore *st, const struct kstore_query *q, const double *idf, double avgdl,
		       const struct kfilter *f, long long exclude_rid, long limit, long offset,
		       struct kstore_hit **hits, size_t *n, long *total, struct kerr *err)
{
	return st->be->similar_top(st, q, idf, avgdl, f, exclude_rid, limit, offset, hits, n, total, err);
}

char *kstore_query_text(const struct kstore_query *q)
{
	return default_be->query_text(q);
}

/* ---- accounts (store_account.h) ------------------------------------------ */

#define ACCT(st) ((st)->be->account)

int kstore_set_actor(struct kstore *st, long long user_id, const char *actor, const char *address)
{
	return ACCT(st)->set_actor(st, user_id, actor, address);
}

int kstore_org_add(struct kstore *st, struct korg *o, struct kerr *err)
{
	return ACCT(st)->org_add(st, o, err);
}

int kstore_org_get(struct kstore *st, const char *name, struct korg *o, struct kerr *err)
{
	if (!name)
		return kerr_set(err, KE_NOTFOUND, "no organisation named");
	return ACCT(st)->org_get(st, name, 0, o, err);
}

int kstore_org_get_id(struct kstore *st, long long id, struct korg *o, struct kerr *err)
{
	return ACCT(st)->org_get(st, NULL, id, o, err);
}

int kstore_org_list(struct kstore *st, kstore_org_cb cb, void *ctx, struct kerr *err)
{
	return ACCT(st)->org_list(st, cb, ctx, err);
}

int kstore_user_add(struct kstore *st, struct kuser *u, struct kerr *err)
{
	return ACCT(st)->user_add(st, u, err);
}

int kstore_user_get(struct kstore *st, const char *login, struct kuser *u, struct kerr *err)
{
	if (!login)
		return kerr_set(err, KE_NOTFOUND, "no login given");
	return ACCT(st)->user_get(st, login, 0, u, err);
}

int kstore_user_get_id(struct kstore *st, long long id, struct kuser *u, struct kerr *err)
{
	return ACCT(st)->user_get(st, NULL, id, u, err);
}

int kstore_user_list(struct kstore *st, kstore_user_cb cb, void *ctx, struct kerr *err)
{
	return ACCT(st)->user_list(st, cb, ctx, err);
}

int kstore_user_update(struct kstore *st, const struct kuser *u, unsigned fields, struct kerr *err)
{
	return ACCT(st)->user_update(st, u, fields, err);
}

int kstore_reader_of_user(struct kstore *st, const struct kuser *u, struct kreader_hold *h, struct kerr *err)
{
	struct korg org = { 0 };
	int rc;

	if (u->disabled)
		return kuser_reader(u, NULL, h, err);
	if (u->org_id && (rc = kstore_org_get_id(st, u->org_id, &org, err)))
		return rc;
	rc = kuser_reader(u, u->org_id ? &org : NULL, h, err);
	korg_free(&org);
	return rc;
}

int kstore_session_add(struct kstore *st, const struct ksession *s, struct kerr *err)
{
	return ACCT(st)->session_add(st, s, err);
}

int kstore_session_get(struct kstore *st, const char *hash, struct ksession *s, struct kerr *err)
{
	return ACCT(st)->session_get(st, hash, s, err);
}

int kstore_session_touch(struct kstore *st, const char *hash, const char *seen, struct kerr *err)
{
	return ACCT(st)->session_touch(st, hash, seen, err);
}

int kstore_session_delete(struct kstore *st, const char *hash, struct kerr *err)
{
	return ACCT(st)->session_delete(st, hash, err);
}

int kstore_session_delete_user(struct kstore *st, long long user_id, struct kerr *err)
{
	return ACCT(st)->session_delete_user(st, user_id, err);
}

int kstore_session_purge(struct kstore *st, const char *now, const char *idle_before, long *n,
			 struct kerr *err)
{
	return ACCT(st)->session_purge(st, now, idle_before, n, err);
}

int kstore_token_add(struct kstore *st, struct ktoken *t, const char *hash, struct kerr *err)
{
	return ACCT(st)->token_add(st, t, hash, err);
}

int kstore_token_find(struct kstore *st, const char *hash, struct ktoken *t, struct kerr *err)
{
	return ACCT(st)->token_find(st, hash, t, err);
}

int kstore_token_list(struct kstore *st, long long user_id, kstore_token_cb cb, void *ctx, struct kerr *err)
{
	return ACCT(st)->token_list(st, user_id, cb, ctx, err);
}

int kstore_token_revoke(struct kstore *st, long long id, long long user_id, struct kerr *err)
{
	return ACCT(st)->token_revoke(st, id, user_id, err);
}

int kstore_token_used(struct kstore *st, long long id, const char *when, struct kerr *err)
{
	return ACCT(st)->token_used(st, id, when, err);
}

int kstore_signin_failures(struct kstore *st, const char *key, int *n, char last[KTIME_LEN + 1],
			   struct kerr *err)
{
	return ACCT(st)->signin_failures(st, key, n, last, err);
}

int kstore_signin_failed(struct kstore *st, const char *key, const char *now, struct kerr *err)
{
	return ACCT(st)->signin_failed(st, key, now, err);
}

int kstore_signin_clear(struct kstore *st, const char *key, struct kerr *err)
{
	return ACCT(st)->signin_clear(st, key, err);
}

int kstore_audit_add(struct kstore *st, const struct kaudit *a, struct kerr *err)
{
	return ACCT(st)->audit_add(st, a, err);
}

int kstore_audit_list(struct kstore *st, const struct kaudit_query *q, kstore_audit_cb cb, void *ctx,
		      struct kerr *err)
{
	return ACCT(st)->audit_list(st, q, cb, ctx, err);
}

/* ---- incidents, drafts, settings (store_report.h) ------------------------ */

#define REP(st) ((st)->be->report)

/* No query: anonymous, which lists nothing. */
static const struct kincident_query no_query = { .reader = NULL };

int kstore_deadlines_get(struct kstore *st, struct kdeadlines *d, struct kerr *err)
{
	return REP(st)->deadlines_get(st, d, err);
}

int kstore_deadlines_set(struct kstore *st, const struct kdeadlines *d, struct kerr *err)
{
	return REP(st)->deadlines_set(st, d, err);
}

int kstore_incident_add(struct kstore *st, struct kincident *inc, time_t now, struct kerr *err)
{
	return REP(st)->incident_add(st, inc, now, err);
}

int kstore_incident_get(struct kstore *st, const char *id, struct kincident *inc, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no incident id given");
	return REP(st)->incident_get(st, id, inc, err);
}

int kstore_incident_list(struct kstore *st, const struct kincident_query *q, kstore_incident_cb cb, void *ctx,
			 long *total, struct kerr *err)
{
	return REP(st)->incident_list(st, q ? q : &no_query, cb, ctx, total, err);
}

int kstore_incident_counts(struct kstore *st, const struct kincident_query *q, kstore_count_cb cb, void *ctx,
			   struct kerr *err)
{
	return REP(st)->incident_counts(st, q ? q : &no_query, cb, ctx, err);
}

int kstore_incident_report(struct kstore *st, struct kincident *inc, json_t *rep, time_t now, int *seq,
			   struct kerr *err)
{
	return REP(st)->incident_report(st, inc, rep, now, seq, err);
}

int kstore_incident_reports(struct kstore *st, const char *id, kstore_report_cb cb, void *ctx, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no incident id given");
	return REP(st)->incident_reports(st, id, cb, ctx, err);
}

int kstore_incident_status(struct kstore *st, const char *id, int status, const char *note, time_t now,
			   struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no incident id given");
	return REP(st)->incident_status(st, id, status, note, now, err);
}

int kstore_incident_candidate(struct kstore *st, const char *id, int on, time_t now, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no incident id given");
	return REP(st)->incident_candidate(st, id, on, now, err);
}

int kstore_incident_history(struct kstore *st, const char *id, kstore_status_cb cb, void *ctx, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no incident id given");
	return REP(st)->incident_history(st, id, cb, ctx, err);
}

int kstore_draft_put(struct kstore *st, const struct kcase *c, const char *incident, int *outcome,
		     struct kerr *err)
{
	return REP(st)->draft_put(st, c, incident, outcome, err);
}

int kstore_draft_get(struct kstore *st, const char *id, struct kcase *c, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no draft id given");
	return REP(st)->draft_get(st, id, c, err);
}

int kstore_draft_list(struct kstore *st, kstore_draft_cb cb, void *ctx, struct kerr *err)
{
	return REP(st)->draft_list(st, cb, ctx, err);
}

int kstore_publish(struct kstore *st, const char *id, struct kerr *err)
{
	if (!id)
		return kerr_set(err, KE_NOTFOUND, "no draft id given");
	return REP(st)->publish(st, id, err);
}
