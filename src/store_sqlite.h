/*
 * store_sqlite.h - private to the SQLite backend (store_sqlite.c: schema,
 * migrations, cases, the backend table; store_sqlite_search.c: search;
 * store_sqlite_facet.c: facet columns in memory): its connection struct
 * and the SQL helpers its files share.  Nothing outside the backend
 * includes this; the rest of kyokun reaches it through store.h and the
 * table kstore_be_sqlite (store_be.h).
 */
#ifndef KYOKUN_STORE_SQLITE_H
#define KYOKUN_STORE_SQLITE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_be.h"
#include "tokenizer.h"

struct kbuf;
struct kfilter;
struct kcase_row;

#define KSQLITE_NSTMT 16   /* statements prepared at open (store_sqlite.c) */
#define KSQLITE_NCACHE 32  /* slots for statements prepared on first use (store_sqlite_search.c) */

/* A connection: base.be is &kstore_be_sqlite, base.path the path opened. */
struct kstore_sqlite {
	struct kstore base;     /* first: see ksqlite() */
	sqlite3 *db;
	sqlite3_stmt *stmt[KSQLITE_NSTMT];
	sqlite3_stmt *cache[KSQLITE_NCACHE];
	int in_txn;
	struct kbuf *bulk_idx;  /* the indexes a bulk load into no cases dropped: their SQL, NUL-separated (begin_bulk) */
	long long batch; /* identifies the open transaction (meta 'batch' counter) */
	struct kstore_sqlite *helper; /* a second read-only connection for searches (store_sqlite_search.c) */
	struct dlcache *search_dlc; /* its per-connection cache there (FTS5's functions own it) */
	int helper_failed;     /* it could not be opened */
	int threads;           /* search threads: 0 = as many as processors (at most 2) */
	struct kfacets *facets; /* facet columns by rowid, read on first use (store_sqlite_facet.c) */
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
	/* ksqlite_case_changes(): the same for the cases only (see there) */
	sqlite3_stmt *cv;       /* the meta row 'cases' */
	sqlite3_int64 cseen_dv, cseen_ch, cseen_cv;
	int cseen_null;         /* the row was missing at the last call */
	unsigned long long case_changes, case_writes, cseen_cw;
	int case_dirty;         /* the open transaction wrote a case */
	struct ksqlite_acct *acct; /* the audit actor and account statements (store_sqlite_account.c) */
	/* ksqlite_visible_rid(): the last statement, kept while readers' conditions have the same shape */
	sqlite3_stmt *vis_row;
	char *vis_row_sql;
	/* the vocabulary's pending counts and statements (store_sqlite_vocab.c) */
	struct ksqlite_vocab *vocab;
	sqlite3_stmt *vocab_get, *vocab_df;
	sqlite3_stmt *read_begin, *read_commit; /* ksqlite_read_begin()/_end(): BEGIN, COMMIT, kept */
	struct ktok_tap tap;    /* on the connection's tokenizer: set by ksqlite_vocab_tap(), ksqlite_parts_tap() */
	/* where a case's parts begin, counted as it is indexed (store_sqlite_parts.c) */
	struct ksqlite_parts *parts;
	sqlite3_stmt *parts_put, *parts_del;
	/* the facet counts' pending changes and statements (store_sqlite_counts.c) */
	struct ksqlite_counts *counts;
};

_Static_assert(offsetof(struct kstore_sqlite, base) == 0, "struct kstore first");

/* The SQLite connection a struct kstore of this backend starts. */
static inline struct kstore_sqlite *ksqlite(struct kstore *st)
{
	return (struct kstore_sqlite *)st;
}

static inline const struct kstore_sqlite *ksqlite_const(const struct kstore *st)
{
	return (const struct kstore_sqlite *)st;
}

/* Open a connection of this backend (the table's open; also the search helper's). */
int ksqlite_open(struct kstore_sqlite **st, const char *path, int flags, struct kerr *err);
void ksqlite_close(struct kstore_sqlite *st);
/* The table's operations, for the table in store_sqlite.c (their contracts: store.h, store_search.h). */
int ksqlite_changes(struct kstore *st, unsigned long long *counter, struct kerr *err);
/*
 * kstore_changes() for what is cached from the cases only (the search's,
 * the facets'): a counter that changes whenever a case was added, changed
 * or deleted (by st or by any other connection or process) or st rolled back
 * a write of a case, but not on other writes (a sign-in, the audit log).
 */
int ksqlite_case_changes(struct kstore *st, unsigned long long *counter, struct kerr *err);
/* store_sqlite_backup.c */
int ksqlite_backup(struct kstore *st, const char *dest, kstore_progress_cb cb, void *ctx, struct kerr *err);
int ksqlite_file_version(const char *path, int *version, struct kerr *err);
int ksqlite_file_lock(const char *path, struct kstore_lock **lk, struct kerr *err);
void ksqlite_file_unlock(struct kstore_lock *lk);
int ksqlite_indexed(struct kstore *st, long *n, struct kerr *err);
int ksqlite_search_top(struct kstore *st, const struct kstore_query *q, int flags, const struct kfilter *f,
		       long long exclude_rid, long limit, long offset, struct kstore_hit **hits, size_t *n,
		       struct kerr *err);
void ksqlite_search_tune(struct kstore *st, int threads, int facets_sql);
int ksqlite_search_warm(struct kstore *st, struct kerr *err);
int ksqlite_search_count(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			 long long exclude_rid, long *total, struct kerr *err);
int ksqlite_search_facets(struct kstore *st, const struct kstore_query *q, const struct kfilter *f,
			  kstore_facet_cb cb, void *ctx, long *total, struct kerr *err);
int ksqlite_search_facets_rids(struct kstore *st, const long long *rids, size_t n, kstore_facet_cb cb, void *ctx,
			       struct kerr *err);
int ksqlite_search_rids(struct kstore *st, const struct kstore_query *q, const struct kfilter *f, long long **rids,
			size_t *n, struct kerr *err);
int ksqlite_search_parts_all(struct kstore *st, const struct kstore_query *q, const struct kstore_query *q2,
			     int col, const struct kfilter *f, kstore_parts_cb cb, void *ctx, struct kerr *err);
int ksqlite_search_row(struct kstore *st, long long rid, const struct kreader *r, kstore_row_cb cb, void *ctx,
		       struct kerr *err);
int ksqlite_search_highlight(struct kstore *st, const struct kstore_query *q, long long rid, const char *open,
			     const char *close, char *cols[KCOL__N], struct kerr *err);
int ksqlite_search_highlight_many(struct kstore *st, const struct kstore_query *q, const long long *rids,
				  size_t n, const char *open, const char *close, kstore_highlight_cb cb,
				  void *ctx, struct kerr *err);
int ksqlite_search_marked(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			  size_t n, const struct kreader *r, const char *open, const char *close,
			  kstore_marked_cb cb, void *ctx, struct kerr *err);
int ksqlite_search_parts(struct kstore *st, const struct kstore_query *q, int col, const long long *rids,
			size_t n, const struct kreader *r, kstore_parts_cb cb, void *ctx, struct kerr *err);
int ksqlite_case_text(struct kstore *st, const char *id, const struct kreader *r, long long *rid,
		      char *cols[KCOL__N], struct kerr *err);
int ksqlite_token_df(struct kstore *st, const char *tok, int ntok, long *df, struct kerr *err);
int ksqlite_phrase_df(struct kstore *st, const struct kphrase *phrases, size_t n, double *df, int *exact,
		      struct kerr *err);
int ksqlite_phrase_rows(struct kstore *st, const struct kphrase *phrase, long most, long *n, struct kerr *err);
char *ksqlite_query_text(const struct kstore_query *q);
/*
 * store_sqlite_parts.c: where a case's parts begin in the index's lessons
 * and body columns (case_parts, migration 19).  put_text() lays the two
 * columns out with ksqlite_parts_layout(), wraps the tap with
 * ksqlite_parts_tap() around the statement that indexes them (inside the
 * vocabulary's: after ksqlite_vocab_tap(), ksqlite_parts_untap() before
 * ksqlite_vocab_untap()) and stores what was counted with
 * ksqlite_parts_write() (nothing, and none kept, if the index's pass was
 * not the one laid out).  ksqlite_parts_rebuild() counts them for every
 * stored case (the migration).  ksqlite_parts_layout() with st NULL lays
 * out the text only, touching no connection (kstore_prep_make()).
 */
struct kcase;
int ksqlite_parts_layout(struct kstore_sqlite *st, const struct kcase *c, struct kbuf *lessons,
			 struct kbuf *body);
void ksqlite_parts_tap(struct kstore_sqlite *st);
void ksqlite_parts_untap(struct kstore_sqlite *st);
int ksqlite_parts_write(struct kstore_sqlite *st, long long rid, struct kerr *err);
int ksqlite_parts_rebuild(struct kstore_sqlite *st, struct kerr *err);
/* kyokun check: *bad, the cases whose stored parts differ from a recount of their text. */
int ksqlite_parts_check(struct kstore_sqlite *st, long *bad, struct kerr *err);
void ksqlite_parts_free(struct kstore_sqlite *st);
/* A stored value of case_parts read into v[0..*n) (allocated); 0, KE_NOMEM, or 1 when it is not one this kyokun reads. */
int ksqlite_parts_decode(const unsigned char *b, size_t len, struct kstore_part **v, size_t *n);

/*
 * store_sqlite_vocab.c: the vocabulary (case_vocab, migration 14).  The
 * writes of cases call ksqlite_vocab_case() with -1 before they change or
 * remove a case's text or level and +1 after; the commit and a savepoint's
 * start flush, a rollback forgets (see the file's comment).
 */
int ksqlite_vocab_case(struct kstore_sqlite *st, long long rid, int sign, struct kerr *err);
/*
 * ksqlite_vocab_case(+1) for a case as it is being indexed, from the
 * tokenizer's own pass: ksqlite_vocab_tap(st, level) before the one
 * statement that inserts the case's text into case_fts, and
 * ksqlite_vocab_untap(st, ok) after it (ok: the statement succeeded; if
 * not, the transaction is rolled back and the counts forgotten anyway).
 */
int ksqlite_vocab_tap(struct kstore_sqlite *st, int level, struct kerr *err);
int ksqlite_vocab_untap(struct kstore_sqlite *st, int ok, struct kerr *err);
int ksqlite_vocab_flush(struct kstore_sqlite *st, struct kerr *err);
void ksqlite_vocab_forget(struct kstore_sqlite *st);
void ksqlite_vocab_free(struct kstore_sqlite *st);
int ksqlite_vocab_rebuild(struct kstore_sqlite *st, struct kerr *err);
int ksqlite_vocab_check(struct kstore_sqlite *st, long *bad, long *bad_tokens, struct kerr *err);
/* A row of case_fts_docsize as a length in tokens; and it as the SQL function kyokun_docsize_sum(). */
int ksqlite_docsize_sum(const unsigned char *p, int n);
int ksqlite_vocab_register(sqlite3 *db, struct kerr *err);
/*
 * store_sqlite_counts.c: how many cases of each TLP level have each facet
 * value (case_counts, migration 17), kept as the vocabulary is: the writes
 * of cases call ksqlite_counts_case() with -1 before they change or remove
 * a case and +1 after (its tags written); the commit and a savepoint's
 * start flush, a rollback forgets.  ksqlite_counts_usable(): can r's counts
 * come from there (r sees whole TLP levels only; *levels: their bits)?
 */
int ksqlite_counts_case(struct kstore_sqlite *st, long long rid, int sign, struct kerr *err);
int ksqlite_counts_flush(struct kstore_sqlite *st, struct kerr *err);
void ksqlite_counts_forget(struct kstore_sqlite *st);
void ksqlite_counts_free(struct kstore_sqlite *st);
int ksqlite_counts_check(struct kstore_sqlite *st, long *bad, struct kerr *err);
extern const char ksqlite_counts_rebuild_sql[];
int ksqlite_counts_usable(const struct kreader *r, unsigned *levels);
int ksqlite_counts_facets(struct kstore_sqlite *st, unsigned levels, kstore_facet_cb cb, void *ctx, long *total,
			  struct kerr *err);
int ksqlite_counts_documents(struct kstore_sqlite *st, unsigned levels, kstore_doc_cb cb, void *ctx,
			     struct kerr *err);
int ksqlite_term_df(struct kstore *st, const struct kreader *r, const char *tok, int ntok, long *df,
		    struct kerr *err);
int ksqlite_term_docs(struct kstore *st, const struct kreader *r, long *n, double *avgdl, struct kerr *err);
int ksqlite_search_counted(struct kstore *st, const struct kstore_query *q, const struct kstore_query *any,
			   int flags, const struct kfilter *f, long limit, long offset, struct kstore_hit **hits,
			   size_t *n, long *total, long *total_any, struct kstore_rows *rows, struct kerr *err);
int ksqlite_similar_top(struct kstore *st, const struct kstore_query *q, const double *idf, double avgdl,
			const struct kfilter *f, long long exclude_rid, long limit, long offset,
			struct kstore_hit **hits, size_t *n, long *total, struct kerr *err);

/*
 * store_sqlite_account.c: append an audit row for a write of st, in its
 * open transaction, naming the actor set with kstore_set_actor(): object
 * is "KIND:NAME" (NULL kind: no object), detail may be NULL.  The writes of
 * cases call it (case.add, case.update, case.delete).
 */
struct ksqlite_acct;
int ksqlite_audit(struct kstore_sqlite *st, const char *action, const char *kind, const char *name,
		  const char *detail, struct kerr *err);
void ksqlite_acct_free(struct kstore_sqlite *st);
/* The actor's name set with kstore_set_actor() (a login, local:OSUSER), or NULL when none is set. */
const char *ksqlite_actor(struct kstore_sqlite *st);
/*
 * store_sqlite.c: a write of its own: a transaction (*own set), or a
 * savepoint inside the caller's; ksqlite_wend() commits it if rc is 0,
 * else undoes it, and returns rc (or the commit's failure).
 */
int ksqlite_wbegin(struct kstore_sqlite *st, int *own, struct kerr *err);
int ksqlite_wend(struct kstore_sqlite *st, int own, int rc, struct kerr *err);
/*
 * store_sqlite.c: store case c in the open transaction as kstore_put()
 * does (tables, tags, recipients, text and search index, audit), a new
 * case starting at revision (0: 1) and audited as action (NULL: case.add).
 * For kstore_publish() (store_sqlite_report.c).
 */
int ksqlite_put_case(struct kstore_sqlite *st, const struct kcase *c, int revision, const char *action,
		     int *outcome, struct kerr *err);
/* store_sqlite_report.c: incidents, drafts, settings (store_report.h). */
extern const struct kstore_be_report ksqlite_be_report;
extern const struct kstore_be_account ksqlite_be_account;

/* err from the connection's last error; a damaged file is said so, and ends the transaction. */
int ksqlite_db_err(struct kstore_sqlite *st, struct kerr *err, const char *what);
/* Is path's file or folder not writable (read-only media)?  Then readers open it immutable. */
int ksqlite_media_readonly(const char *path);
void ksqlite_bind_text(sqlite3_stmt *s, int i, const char *v);
int ksqlite_step_done(struct kstore_sqlite *st, sqlite3_stmt *s, struct kerr *err, const char *what);
int ksqlite_prepare(struct kstore_sqlite *st, const char *sql, sqlite3_stmt **s, struct kerr *err);
/* The ROW_COLS columns, starting at column 0, into r. */
void ksqlite_fill_row(sqlite3_stmt *s, struct kcase_row *r);
/*
 * Who may see what (store_sqlite.c has the one translation of the TLP
 * table into SQL).  The levels of reader r by how it sees them (bit i:
 * TLP rank i): on every case, or only on cases its organisation owns,
 * tagged with one of its sectors, or naming its login (a condition r
 * cannot meet, e.g. no organisation, is left out).
 */
struct ksqlite_vis {
	unsigned all, org, sectors, named;
};
void ksqlite_visible_masks(const struct kreader *r, struct ksqlite_vis *v);
/*
 * Append to sql lead and then r's conditions, with named parameters
 * (:vis_*) bound by ksqlite_bind_visible(), in one of three shapes (see
 * store_sqlite.c): KSQLITE_VIS_WHERE a condition on the rows of cases
 * aliased c (nothing when r sees every case), KSQLITE_VIS_ROW the same for
 * one row (index lookups of that row), KSQLITE_VIS_ROWIDS a statement
 * selecting the rowids r sees only under a condition (nothing when r sees
 * no level that way).  1 appended, 0 nothing to append, KE_NOMEM.
 */
enum { KSQLITE_VIS_WHERE, KSQLITE_VIS_ROW, KSQLITE_VIS_ROWIDS };
int ksqlite_visible_sql(const struct kreader *r, int shape, const char *lead, struct kbuf *sql);
void ksqlite_bind_visible(sqlite3_stmt *s, const struct kreader *r);
/* May r see the case rid, stored at level tlp?  1 or 0 (SQL only for a conditional level), or KE_*. */
int ksqlite_visible_rid(struct kstore_sqlite *st, const struct kreader *r, long long rid, const char *tlp,
			struct kerr *err);
/* " WHERE 1 AND ..." for f on table alias c (its reader's condition included), with named
 * parameters bound by ksqlite_bind_filter. */
int ksqlite_filter_sql(const struct kfilter *f, struct kbuf *sql);
void ksqlite_bind_filter(sqlite3_stmt *s, const struct kfilter *f);
int ksqlite_walk_rows(struct kstore_sqlite *st, sqlite3_stmt *s, kstore_row_cb cb, void *ctx, struct kerr *err);

/*
 * store_sqlite_facet.c: the rows of match (NULL: every case) that pass f
 * (exclude_rid, if not 0, left out) counted into *total and, unless cb is NULL, their facet values
 * given to cb, from columns kept in memory per connection.  1 (nothing
 * done) when they cannot be kept: the caller counts in SQL.
 */
struct kfacets;
#ifndef KSTORE_FACET_CB
#define KSTORE_FACET_CB
typedef int (*kstore_facet_cb)(void *ctx, int facet, const char *value, long count);
#endif
int ksqlite_facets_count(struct kstore_sqlite *st, const char *match, const struct kfilter *f,
			 long long exclude_rid, kstore_facet_cb cb, void *ctx, long *total,
			 struct kerr *err);
/* The rows of match passing f, in *rids (rowid order, malloc'ed) and *n; > 0 as above. */
int ksqlite_facets_rids(struct kstore_sqlite *st, const char *match, const struct kfilter *f, long long **rids,
			size_t *n, struct kerr *err);
/* The same for the cases rids[0..n) (no filter: the caller's list is what is counted); > 0 as above. */
int ksqlite_facets_count_rids(struct kstore_sqlite *st, const long long *rids, size_t n, kstore_facet_cb cb,
			      void *ctx, struct kerr *err);
void ksqlite_facets_free(struct kfacets *fc);
/*
 * st's columns, current (read again if the database changed); 1: cannot be
 * had.  While another connection of the process reads the same state, this
 * one waits for that copy rather than reading its own beside it.
 */
int ksqlite_facets_ready(struct kstore_sqlite *st, struct kfacets **fc, struct kerr *err);
/*
 * The same, but 1 (go without: one SQL lookup a row) at once where another
 * connection is reading them: for work that needs them for a few rows only
 * (a case page's similar cases) in the second after `serve` starts.
 */
int ksqlite_facets_try(struct kstore_sqlite *st, struct kfacets **fc, struct kerr *err);
/* A test's hook: fn(ctx) called when a connection starts reading the columns of a state (NULL: none). */
void ksqlite_facets__test_hook(void (*fn)(void *ctx), void *ctx);
/* How many times this process has read the columns (the connections at one state share one copy). */
unsigned long ksqlite_facets_reads(void);
/* How many times this process counted the cases with any of a query's words from the vocabulary
 * (count_any_vocab() in store_sqlite_search.c). */
unsigned long ksqlite_search_vocab_counts(void);
/* How many times it counted them for two words from the two words' own counts (split_plan()). */
unsigned long ksqlite_search_split_counts(void);
/* how many times a connection has read every case's length (for the tests) */
unsigned long ksqlite_search_length_reads(void);

/*
 * A filter as codes of those columns.  Visibility: the levels the reader
 * sees on every case, and (a reader who sees some levels only on some
 * cases) the set of those cases by rowid, read once per reader and
 * database change with ksqlite_visible_sql(KSQLITE_VIS_ROWIDS) and kept in
 * fc.  1 if some case can pass, 0 if none, KE_* on error.
 */
struct kwant {
	int32_t col[6];  /* code wanted, -1 any */
	int32_t tag[4];  /* by kind: threat, sector, event class, any */
	unsigned levels; /* TLP levels visible on every case (bit i: rank i) */
	int year_from, year_to; /* a range of years (0: open) */
	unsigned none;   /* struct kfilter.none */
	const struct krids *only; /* struct kfilter.only */
	const uint64_t *cond; /* bit r: case r visible under a condition (NULL: none) */
	sqlite3_int64 ncond;  /* rowids the set covers */
};
int ksqlite_want_init(struct kstore_sqlite *st, struct kfacets *fc, const struct kfilter *f, struct kwant *w,
		      struct kerr *err);
/* Does the case of rowid r pass w? */
int ksqlite_want_passes(const struct kfacets *fc, const struct kwant *w, long long r);

#define KSQLITE_ROW_COLS "c.rid, c.id, c.title, c.document, c.year, c.case_number, c.category, c.tlp," \
			" c.event_class, c.revision, c.created, c.updated, c.body"

#endif
