/*
 * store_be.h - private to the store layer: the table of functions a
 * storage backend implements, and the base every connection starts with.
 *
 * store.c (the neutral API of store.h and store_search.h) picks a backend
 * when a store is opened and then calls st->be->op(st, ...) for every
 * operation; it holds no backend logic and never talks to a database.
 * A backend's connection struct embeds struct kstore first
 * (struct kstore_sqlite { struct kstore base; ... } in
 * store_sqlite.h) and casts back from it.  Each member has the contract
 * of the public function of the same name (store.h, store_search.h).
 *
 * Backends: kstore_be_sqlite (store_sqlite*.c).  Nothing outside the
 * store layer includes this.
 */
#ifndef KYOKUN_STORE_BE_H
#define KYOKUN_STORE_BE_H

#include <stddef.h>
#include <time.h>

#include "store.h"
#include "store_query.h"
#include "store_search.h"

struct kstore_be;
struct kstore_be_account;
struct kstore_be_report;

/* The start of every backend's connection struct. */
struct kstore {
	const struct kstore_be *be; /* the backend's table */
	char *path;                 /* as given to kstore_open() (the backend's copy, freed by its close) */
};

struct kstore_be {
	const char *name; /* "sqlite": kstore_backend() */

	/* process-wide settings (kstore_global_init) */
	int (*global_init)(int server);

	/* set (*st)->be and (*st)->path; *st is NULL on failure */
	int (*open)(struct kstore **st, const char *path, int flags, struct kerr *err);
	void (*close)(struct kstore *st); /* st is not NULL */
	int (*schema_version)(struct kstore *st);
	int (*schema_latest)(void);
	const char *(*note)(const struct kstore *st);
	int (*changes)(struct kstore *st, unsigned long long *counter, struct kerr *err);
	int (*case_changes)(struct kstore *st, unsigned long long *counter, struct kerr *err);
	int (*check)(struct kstore *st, int flags, kstore_check_cb cb, void *ctx, struct kerr *err);

	/* backups and restores (store.h); the file ones take no store */
	int (*backup)(struct kstore *st, const char *dest, kstore_progress_cb cb, void *ctx, struct kerr *err);
	int (*file_version)(const char *path, int *version, struct kerr *err);
	int (*file_lock)(const char *path, struct kstore_lock **lk, struct kerr *err);
	void (*file_unlock)(struct kstore_lock *lk);

	int (*begin)(struct kstore *st, struct kerr *err);
	int (*begin_bulk)(struct kstore *st, struct kerr *err);
	int (*commit)(struct kstore *st, struct kerr *err);
	void (*rollback)(struct kstore *st);
	int (*read_begin)(struct kstore *st, struct kerr *err);
	void (*read_end)(struct kstore *st, int began);

	int (*put)(struct kstore *st, const struct kcase *c, int *outcome, struct kerr *err);
	int (*put_json)(struct kstore *st, const struct kcase *c, const char *json, size_t len,
			struct kstore_prep *p, int *outcome, struct kerr *err);
	/* NULL: nothing made ahead (*out NULL) */
	int (*prep_make)(struct kstore *st, const struct kcase *c, struct kstore_prep **out, struct kerr *err);
	void (*prep_free)(struct kstore_prep *p);
	int (*get)(struct kstore *st, const char *id, struct kcase *c, struct kerr *err);
	int (*delete)(struct kstore *st, const char *id, struct kerr *err);

	int (*list)(struct kstore *st, const struct kfilter *f, kstore_row_cb cb, void *ctx, long *total,
		    struct kerr *err);
	int (*recent)(struct kstore *st, const struct kreader *r, int n, kstore_row_cb cb, void *ctx,
		      struct kerr *err);
	int (*history)(struct kstore *st, const char *id, kstore_rev_cb cb, void *ctx, struct kerr *err);
	int (*documents)(struct kstore *st, const struct kreader *r, kstore_doc_cb cb, void *ctx,
			 struct kerr *err);
	int (*count)(struct kstore *st, const struct kreader *r, long *n, struct kerr *err);
	int (*doc_put)(struct kstore *st, const char *name, const struct kdocmeta *m, struct kerr *err);
	int (*doc_get)(struct kstore *st, const char *name, struct kdocmeta *m, struct kerr *err);
	int (*doc_get_many)(struct kstore *st, const char *const *names, size_t n, struct kdocmeta *m,
			    struct kerr *err);

	/* search (store_search.h) */
	int (*search_top)(struct kstore *st, const struct kstore_query *q, int flags, const struct kfilter *f,
			  long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
			  struct kerr *err);
	void (*search_tune)(struct kstore *st, int threads, int facets_sql);
	int (*search_warm)(struct kstore *st, struct kerr *err); /* NULL: nothing to read ahead */
	int (*search_count)(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			    long long exclude_rid, long *total, struct kerr *err);
	int (*search_facets)(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			     kstore_facet_cb cb, void *ctx, long *total, struct kerr *err);
	int (*search_facets_rids)(struct kstore *st, const long long *rids, size_t n, kstore_facet_cb cb, void *ctx,
				  struct kerr *err);
	int (*search_rids)(struct kstore *st, const struct kstore_query *q, const struct kfilter *f, long long **rids,
			   size_t *n, struct kerr *err);
	int (*search_row)(struct kstore *st, long long rid, const struct kreader *r, kstore_row_cb cb, void *ctx,
			  struct kerr *err);
	int (*search_highlight)(struct kstore *st, const struct kstore_query *q, long long rid, const char *open,
				const char *close, char *cols[KCOL__N], struct kerr *err);
	int (*search_highlight_many)(struct kstore *st, const struct kstore_query *q, const long long *rids,
				     size_t n, const char *open, const char *close, kstore_highlight_cb cb,
				     void *ctx, struct kerr *err);
	int (*search_marked)(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			     size_t n, const struct kreader *r, const char *open, const char *close,
			     kstore_marked_cb cb, void *ctx, struct kerr *err);
	int (*search_parts)(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			    size_t n, const struct kreader *r, kstore_parts_cb cb, void *ctx, struct kerr *err);
	int (*search_parts_all)(struct kstore *st, const struct kstore_query *q, const struct kstore_query *q2,
				int col, const struct kfilter *f, kstore_parts_cb cb, void *ctx, struct kerr *err);
	int (*case_text)(struct kstore *st, const char *id, const struct kreader *r, long long *rid,
			 char *cols[KCOL__N], struct kerr *err);
	int (*token_df)(struct kstore *st, const char *tok, int ntok, long *df, struct kerr *err);
	int (*phrase_df)(struct kstore *st, const struct kphrase *phrases, size_t n, double *df, int *exact,
			 struct kerr *err);
	int (*phrase_rows)(struct kstore *st, const struct kphrase *phrase, long most, long *n, struct kerr *err);
	int (*indexed)(struct kstore *st, long *n, struct kerr *err);
	int (*term_df)(struct kstore *st, const struct kreader *r, const char *tok, int ntok, long *df,
		       struct kerr *err);
	int (*term_docs)(struct kstore *st, const struct kreader *r, long *n, double *avgdl, struct kerr *err);
	int (*similar_top)(struct kstore *st, const struct kstore_query *q, const double *idf, double avgdl,
			   const struct kfilter *f, long long exclude_rid, long limit, long offset,
			   struct kstore_hit **hits, size_t *n, long *total, struct kerr *err);
	char *(*query_text)(const struct kstore_query *q);
	int (*search_counted)(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			      int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			      size_t *n, long *total, long *total_any, struct kstore_rows *rows, struct kerr *err);

	/* accounts and the audit log (store_account.h) */
	const struct kstore_be_account *account;
	/* incidents, drafts and settings (store_report.h) */
	const struct kstore_be_report *report;
};

/* A backend's account operations: each has the contract of kstore_NAME in store_account.h. */
struct korg;
struct kuser;
struct ksession;
struct ktoken;
struct kaudit;
struct kaudit_query;
struct kstore_be_account {
	int (*set_actor)(struct kstore *st, long long user_id, const char *actor, const char *address);
	int (*org_add)(struct kstore *st, struct korg *o, struct kerr *err);
	/* by name, or by id when name is NULL */
	int (*org_get)(struct kstore *st, const char *name, long long id, struct korg *o, struct kerr *err);
	int (*org_list)(struct kstore *st, int (*cb)(void *ctx, const struct korg *o), void *ctx,
			struct kerr *err);
	int (*user_add)(struct kstore *st, struct kuser *u, struct kerr *err);
	/* by login, or by id when login is NULL */
	int (*user_get)(struct kstore *st, const char *login, long long id, struct kuser *u, struct kerr *err);
	int (*user_list)(struct kstore *st, int (*cb)(void *ctx, const struct kuser *u), void *ctx,
			 struct kerr *err);
	int (*user_update)(struct kstore *st, const struct kuser *u, unsigned fields, struct kerr *err);
	int (*session_add)(struct kstore *st, const struct ksession *s, struct kerr *err);
	int (*session_get)(struct kstore *st, const char *hash, struct ksession *s, struct kerr *err);
	int (*session_touch)(struct kstore *st, const char *hash, const char *seen, struct kerr *err);
	int (*session_delete)(struct kstore *st, const char *hash, struct kerr *err);
	int (*session_delete_user)(struct kstore *st, long long user_id, struct kerr *err);
	int (*session_purge)(struct kstore *st, const char *now, const char *idle_before, long *n,
			     struct kerr *err);
	int (*token_add)(struct kstore *st, struct ktoken *t, const char *hash, struct kerr *err);
	int (*token_find)(struct kstore *st, const char *hash, struct ktoken *t, struct kerr *err);
	int (*token_list)(struct kstore *st, long long user_id, int (*cb)(void *ctx, const struct ktoken *t),
			  void *ctx, struct kerr *err);
	int (*token_revoke)(struct kstore *st, long long id, long long user_id, struct kerr *err);
	int (*token_used)(struct kstore *st, long long id, const char *when, struct kerr *err);
	int (*signin_failures)(struct kstore *st, const char *key, int *n, char *last, struct kerr *err);
	int (*signin_failed)(struct kstore *st, const char *key, const char *now, struct kerr *err);
	int (*signin_clear)(struct kstore *st, const char *key, struct kerr *err);
	int (*audit_add)(struct kstore *st, const struct kaudit *a, struct kerr *err);
	int (*audit_list)(struct kstore *st, const struct kaudit_query *q,
			  int (*cb)(void *ctx, const struct kaudit *a), void *ctx, struct kerr *err);
};

/* A backend's incident, draft and settings operations: each has the contract of kstore_NAME in store_report.h. */
struct kdeadlines;
struct kincident;
struct kincident_query;
struct kreport_row;
struct kstatus_row;
struct kdraft_row;
struct kstore_be_report {
	int (*deadlines_get)(struct kstore *st, struct kdeadlines *d, struct kerr *err);
	int (*deadlines_set)(struct kstore *st, const struct kdeadlines *d, struct kerr *err);
	int (*incident_add)(struct kstore *st, struct kincident *inc, time_t now, struct kerr *err);
	int (*incident_get)(struct kstore *st, const char *id, struct kincident *inc, struct kerr *err);
	int (*incident_list)(struct kstore *st, const struct kincident_query *q,
			     int (*cb)(void *ctx, const struct kincident *inc), void *ctx, long *total,
			     struct kerr *err);
	int (*incident_counts)(struct kstore *st, const struct kincident_query *q,
			       int (*cb)(void *ctx, const char *kind, const char *value, long n), void *ctx,
			       struct kerr *err);
	int (*incident_report)(struct kstore *st, struct kincident *inc, struct json_t *rep, time_t now, int *seq,
			       struct kerr *err);
	int (*incident_reports)(struct kstore *st, const char *id, int (*cb)(void *ctx, const struct kreport_row *r),
				void *ctx, struct kerr *err);
	int (*incident_status)(struct kstore *st, const char *id, int status, const char *note, time_t now,
			       struct kerr *err);
	int (*incident_candidate)(struct kstore *st, const char *id, int on, time_t now, struct kerr *err);
	int (*incident_history)(struct kstore *st, const char *id, int (*cb)(void *ctx, const struct kstatus_row *r),
				void *ctx, struct kerr *err);
	int (*draft_put)(struct kstore *st, const struct kcase *c, const char *incident, int *outcome,
			 struct kerr *err);
	int (*draft_get)(struct kstore *st, const char *id, struct kcase *c, struct kerr *err);
	int (*draft_list)(struct kstore *st, int (*cb)(void *ctx, const struct kdraft_row *d), void *ctx,
			  struct kerr *err);
	int (*publish)(struct kstore *st, const char *id, struct kerr *err);
};

/* The backends built in. */
extern const struct kstore_be kstore_be_sqlite;

#endif
