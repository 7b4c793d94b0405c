/*
 * store_int.h - private to the storage module (store.c, store_search.c):
 * the connection struct and the SQL helpers its files share.  Nothing
 * outside the storage module includes this.
 */
#ifndef KYOKUN_STORE_INT_H
#define KYOKUN_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"

struct kbuf;
struct kfilter;
struct kcase_row;

#define KSTORE_NSTMT 16   /* statements prepared at open (store.c) */
#define KSTORE_NCACHE 24  /* slots for statements prepared on first use (store_search.c) */

struct kstore {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[KSTORE_NSTMT];
	sqlite3_stmt *cache[KSTORE_NCACHE];
	int in_txn;
	long long batch; /* identifies the open transaction (meta 'batch' counter) */
	struct kstore *helper; /* a second read-only connection for searches (store_search.c) */
	int helper_failed;     /* it could not be opened */
	int threads;           /* search threads: 0 = as many as processors (at most 2) */
	struct kfacets *facets; /* facet columns by rowid, read on first use (store_facet.c) */
	int facets_sql;         /* count facets in SQL instead (kstore_search_tune) */
	int readonly;           /* opened with KSTORE_READONLY */
	int immutable;          /* opened immutable (read-only media): no locks, no WAL */
	int damaged;            /* SQLite reported the file damaged: no more writes */
	const char *note;       /* kstore_note() */
	/* kstore_changes(): what the connection saw at the last call */
	sqlite3_stmt *dv;       /* PRAGMA data_version */
	sqlite3_int64 seen_dv, seen_ch;
	unsigned long long changes; /* the counter: 0 before the first call */
	int rolled_back;        /* a transaction was rolled back since */
};

/* err from the connection's last error; a damaged file is said so, and ends the transaction. */
int kstore__db_err(struct kstore *st, struct kerr *err, const char *what);
/* Is path's file or folder not writable (read-only media)?  Then readers open it immutable. */
int kstore__media_readonly(const char *path);
void kstore__bind_text(sqlite3_stmt *s, int i, const char *v);
int kstore__step_done(struct kstore *st, sqlite3_stmt *s, struct kerr *err, const char *what);
int kstore__prepare(struct kstore *st, const char *sql, sqlite3_stmt **s, struct kerr *err);
/* The ROW_COLS columns, starting at column 0, into r. */
void kstore__fill_row(sqlite3_stmt *s, struct kcase_row *r);
/*
 * The TLP levels r sees on every case, as an SQL IN list written into buf
 * ("('clear','green')"; "(NULL)" for none), or NULL when r sees every level.
 * Levels r sees only on some cases (own organisation, named recipients)
 * are left out until cases carry an owner and recipients (accounts).
 */
#define KSTORE_TLP_IN_MAX 96
const char *kstore__tlp_in(const struct kreader *r, char buf[KSTORE_TLP_IN_MAX]);
/* " WHERE 1 AND ..." for f on table alias c, with named parameters bound by kstore__bind_filter. */
int kstore__filter_sql(const struct kfilter *f, struct kbuf *sql);
void kstore__bind_filter(sqlite3_stmt *s, const struct kfilter *f);
int kstore__walk_rows(struct kstore *st, sqlite3_stmt *s, kstore_row_cb cb, void *ctx, struct kerr *err);

/*
 * store_facet.c: the rows of match (NULL: every case) that pass f
 * (exclude_rid, if not 0, left out) counted into *total and, unless cb is NULL, their facet values
 * given to cb, from columns kept in memory per connection.  1 (nothing
 * done) when they cannot be kept: the caller counts in SQL.
 */
struct kfacets;
#ifndef KSTORE_FACET_CB
#define KSTORE_FACET_CB
typedef int (*kstore_facet_cb)(void *ctx, int facet, const char *value, long count);
#endif
int kstore__facets_count(struct kstore *st, const char *match, const struct kfilter *f,
			 long long exclude_rid, kstore_facet_cb cb, void *ctx, long *total,
			 struct kerr *err);
void kstore__facets_free(struct kfacets *fc);
/* st's columns, current (read again if the database changed); 1: cannot be had. */
int kstore__facets_ready(struct kstore *st, struct kfacets **fc, struct kerr *err);

/* A filter as codes of those columns: 0 if no case can pass it. */
struct kwant {
	int32_t col[6];  /* code wanted, -1 any */
	int32_t tag[4];  /* by kind: threat, sector, event class, any */
	unsigned levels; /* TLP levels visible (bit i: rank i) */
};
int kstore__want_init(const struct kfacets *fc, const struct kfilter *f, struct kwant *w);
/* Does the case of rowid r pass w? */
int kstore__want_passes(const struct kfacets *fc, const struct kwant *w, long long r);

#define KSTORE_ROW_COLS "c.rid, c.id, c.title, c.document, c.year, c.case_number, c.category, c.tlp," \
			" c.event_class, c.revision, c.created, c.updated, c.body"

#endif
