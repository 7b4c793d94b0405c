/*
 * store.h - where cases live: the neutral store API.  Each call goes to
 * the storage backend the store was opened with (store.c picks it; the
 * backends' table is store_be.h).  Today the one backend is SQLite
 * (store_sqlite*.c), which holds all of kyokun's SQL; what follows
 * describes it.
 *
 * One struct kstore is one connection; it is not shared between threads
 * (the web server opens one per worker).  The database is in WAL mode with
 * foreign keys on, so many readers can work while one writer writes (but
 * see kstore_begin_bulk()).  The schema is versioned (PRAGMA user_version)
 * and migrated when a read-write connection opens it; a read-only one never
 * migrates nor writes.
 *
 * Every write runs in a transaction.  kstore_put() and kstore_delete() open
 * their own unless the caller has one open with kstore_begin() (an import of
 * a file is one transaction: all its cases or none).
 *
 * Row data given to callbacks is valid only during the callback.
 */
#ifndef KYOKUN_STORE_H
#define KYOKUN_STORE_H

#include <stddef.h>

#include "reader.h"

struct kcase;
struct kerr;
struct kbuf;
struct kstore;
struct kreader;

enum {
	KSTORE_READONLY = 1, /* open for reading only (the file must exist) */
};

/*
 * Open (read-write: create if absent, and migrate an older schema) or, with
 * KSTORE_READONLY, open for reading: nothing is written, nothing migrated
 * (a database at an older schema is refused with a message saying to run
 * `kyokun init`), and the writer's lock is never waited for (WAL readers
 * need none), except during a bulk load without WAL (kstore_begin_bulk):
 * then the reader waits two seconds at most and fails with a message saying
 * a bulk load is in progress.  A database on read-only media (its -shm file
 * cannot be made) is opened immutable: see kstore_note().  A schema newer
 * than this build's is refused either way.
 */
int kstore_open(struct kstore **st, const char *path, int flags, struct kerr *err);
void kstore_close(struct kstore *st);
/* The schema version the database is at, and the one this build writes. */
int kstore_schema_version(struct kstore *st);
int kstore_schema_latest(void);
const char *kstore_path(const struct kstore *st);
/* The name of st's storage backend: "sqlite". */
const char *kstore_backend(const struct kstore *st);

/*
 * Process-wide settings of the storage engine, made once before its first
 * use (the first call decides; thread-safe).  server != 0, for `kyokun
 * serve` (a connection per worker thread): no global memory statistics
 * (their mutex is taken on every allocation), the database memory-mapped.
 * Without a call, the defaults.  KE_DB if the engine was already in use
 * and the settings could not be applied.
 */
int kstore_global_init(int server);

/*
 * A note for the user about how the database was opened, or NULL: e.g. a
 * database on read-only media opened immutable.  The store prints nothing.
 */
const char *kstore_note(const struct kstore *st);

/*
 * A counter that changes whenever anything was committed to the database
 * since the previous call on st (by st or by any other connection or
 * process), or st rolled a transaction back.  It never goes back, so a
 * cache keeps the value it was built at and is current while the value is
 * the same.  A few microseconds (see kstore_changes in store_sqlite.c).
 */
int kstore_changes(struct kstore *st, unsigned long long *counter, struct kerr *err);

/*
 * The same for the cases alone: a counter that changes whenever a case was
 * added, changed or deleted since the previous call on st (by st, also in
 * its open transaction, or by any other connection or process), or st
 * rolled back a write of a case; other writes (a sign-in, the audit log,
 * accounts) leave it.  For what is read from the cases only (the search's
 * and the facets' caches).  As cheap as kstore_changes() while nothing is
 * committed, one more row read after a commit.
 */
int kstore_case_changes(struct kstore *st, unsigned long long *counter, struct kerr *err);

/*
 * Check the database: the file's structure (every page, index and
 * constraint; with KSTORE_CHECK_QUICK the pages only, much faster) and the
 * full-text index against the searchable text, and the vocabulary against a
 * recount of the index's tokens (not with KSTORE_CHECK_NO_VOCAB: backup and
 * restore, which check the file, leave it to `kyokun check`: at 100,000
 * cases it takes about a minute).  Each problem is given to cb
 * (where: "database" or "full-text index"); where NULL is a note (a part
 * that could not be checked), not a problem.  Returns the number of
 * problems (0: the database is sound), or a negative KE_* code when the
 * check could not run.  A non-zero return from cb stops the check and is
 * returned.
 */
enum { KSTORE_CHECK_QUICK = 1, KSTORE_CHECK_NO_VOCAB = 2 };
typedef int (*kstore_check_cb)(void *ctx, const char *where, const char *problem);
int kstore_check(struct kstore *st, int flags, kstore_check_cb cb, void *ctx, struct kerr *err);

/*
 * Backups and restores (kyokun backup, kyokun restore).
 *
 * kstore_backup() copies the database st has open, as it is at one moment,
 * into a new file dest (which must not exist, or be empty), while other connections
 * and processes go on reading and writing: the copy reads one snapshot
 * (writers are never blocked by it), a few hundred pages at a time.  The
 * copy is a single self-contained file (no write-ahead log beside it),
 * written to disk before the call returns.  cb (may be NULL) is told the
 * pages done and the total after each step; a non-zero return stops the
 * copy (KE_IO).  On failure dest is removed.
 */
typedef int (*kstore_progress_cb)(void *ctx, long long done, long long total);
int kstore_backup(struct kstore *st, const char *dest, kstore_progress_cb cb, void *ctx, struct kerr *err);

/*
 * The schema version of the database file at path, read without opening
 * it as a store (nothing is created, written or migrated): KE_NOTFOUND if
 * there is no file, KE_INVALID if it is not a kyokun database (not a
 * database, damaged or truncated, or without kyokun's schema).  A version
 * newer than kstore_schema_latest() is returned as it is.
 */
int kstore_file_version(const char *path, int *version, struct kerr *err);

/*
 * Before the file at path is replaced (restore): make sure no other
 * connection has it open (KE_EXISTS, "in use", if one has: a running
 * server, another command), merge its write-ahead log into it, and keep
 * everyone else out until kstore_file_unlock().  *lk is NULL (and 0 is
 * returned) when there is no database at path, or when it is too damaged
 * to be opened (nothing can use it either).
 */
struct kstore_lock;
int kstore_file_lock(const char *path, struct kstore_lock **lk, struct kerr *err);
void kstore_file_unlock(struct kstore_lock *lk);

int kstore_begin(struct kstore *st, struct kerr *err);
/*
 * A transaction for a bulk load (kyokun add of a big file): when this is the
 * database's only connection it runs with a rollback journal instead of the
 * WAL (much faster for hundreds of MB in one transaction; still all or
 * nothing), and WAL mode is restored when it ends.  While it runs, another
 * process cannot read the database: a reader waits two seconds at most and
 * fails with a message saying a bulk load is writing.  With other
 * connections open (kyokun serve) it is a plain kstore_begin().
 */
int kstore_begin_bulk(struct kstore *st, struct kerr *err);
int kstore_commit(struct kstore *st, struct kerr *err);
void kstore_rollback(struct kstore *st);

/*
 * One snapshot for several reads (a search: its ranking, its hits, their
 * snippets), so that a case another connection deletes or changes
 * meanwhile is seen as it was, not half.  Returns 1 when it began one, 0
 * inside a transaction already (that one is the snapshot), or a negative
 * error.  kstore_read_end(st, began) ends it where began is 1; no write in
 * between.
 */
int kstore_read_begin(struct kstore *st, struct kerr *err);
void kstore_read_end(struct kstore *st, int began);

enum {
	KSTORE_CREATED = 1,
	KSTORE_UPDATED = 2,
	KSTORE_UNCHANGED = 3, /* identical to the stored version: no new revision */
};

/*
 * Insert c, or replace the case with the same id (the previous version is
 * kept as a revision).  *outcome (may be NULL) is KSTORE_CREATED or
 * KSTORE_UPDATED.  A second put of the same id within one transaction fails
 * with KE_EXISTS ("duplicate id"): inside one file ids must be unique.
 * A case without tlp is stored as amber.
 */
int kstore_put(struct kstore *st, const struct kcase *c, int *outcome, struct kerr *err);

/*
 * The same, with the case's stored JSON already made by kcase_dump(c)
 * (so that another thread can make it): json[0..len) must be exactly that.
 */
int kstore_put_json(struct kstore *st, const struct kcase *c, const char *json, size_t len,
		    int *outcome, struct kerr *err);

/*
 * The work on a case that needs no connection, made ahead on any thread
 * (kyokun add's reading thread, while this one stores the cases before):
 * the full-text index's tokens of the case's text.  kstore_prep_make()
 * touches nothing of st but its backend's table; *out is NULL when the
 * backend makes nothing ahead.  kstore_put_prep() is kstore_put_json()
 * given p (NULL: none), which must be of the same c; the case stored is
 * the same either way.  kstore_prep_free(NULL) does nothing.
 */
struct kstore_prep;
int kstore_prep_make(struct kstore *st, const struct kcase *c, struct kstore_prep **out, struct kerr *err);
void kstore_prep_free(struct kstore *st, struct kstore_prep *p);
int kstore_put_prep(struct kstore *st, const struct kcase *c, const char *json, size_t len,
		    struct kstore_prep *p, int *outcome, struct kerr *err);

/* Load a case (KE_NOTFOUND if absent). c must be kcase_init()ed. */
int kstore_get(struct kstore *st, const char *id, struct kcase *c, struct kerr *err);

/* Delete a case and its revisions (KE_NOTFOUND if absent). */
int kstore_delete(struct kstore *st, const char *id, struct kerr *err);

/* A set of cases by rowid, sorted ascending, no repeats. */
struct krids {
	const long long *v;
	size_t n;
};

/* Is rid in s? */
int krids_has(const struct krids *s, long long rid);
/* Where rid is in s: its index, -1 not there. */
long krids_find(const struct krids *s, long long rid);

/* Which cases a listing or search may show. */
struct kfilter {
	const char *document;
	int year;             /* 0 = any */
	const char *category;
	const char *tag;      /* any tag value: a threat, sector or event class */
	const char *event_class;
	const char *threat;
	const char *sector;
	const char *reader_level;
	const char *tlp;      /* exactly this level */
	int year_from, year_to; /* a range of years, each end 0 = open (a case without a year is out) */
	unsigned none;        /* bit 1 << KFACET_*: only cases with no value for that facet
			       * (year, event class, threat, sector: "未分類") */
	int sort;             /* KSORT_*: the order of hits and of a listing's page */
	const struct kreader *reader; /* who is looking (reader.h); NULL = anonymous */
	const struct krids *only; /* only these cases (a search: those a section holds the words in); NULL: any */
	long limit;           /* 0 = no limit */
	long offset;
};

/* The order of a search's hits (kstore_search_top) and of a listing (kstore_list). */
enum {
	KSORT_RELEVANCE, /* best first; a listing: document, case number, id */
	KSORT_YEAR,      /* newest year first (no year last), then by relevance or listing order */
	KSORT_UPDATED,   /* a listing only: the last saved first (feeds) */
};

#define KFILTER_INIT { .reader = NULL }
/* Everything, for the operator at the command line. */
#define KFILTER_LOCAL_INIT { .reader = &kreader_local }

/* The facets a search counts (store_search.h) and filters by; search.h names them. */
enum {
	KFACET_CATEGORY,
	KFACET_DOCUMENT,
	KFACET_YEAR,
	KFACET_EVENT_CLASS,
	KFACET_THREAT,
	KFACET_SECTOR,
	KFACET_READER_LEVEL,
	KFACET_TLP,
	KFACET__N
};

/* One stored case as listings see it. */
struct kcase_row {
	long long rid;
	const char *id;
	const char *title;
	const char *document;
	int has_year, year;
	int has_case_number, case_number;
	const char *category;
	const char *tlp;
	const char *event_class;
	int revision;
	const char *created;
	const char *updated;
	const char *json;     /* the whole case, interchange JSON */
};

typedef int (*kstore_row_cb)(void *ctx, const struct kcase_row *row);

/*
 * Call cb for each case matching f, in document / case number / id order.
 * A non-zero return from cb stops the walk and is returned.
 * *total (may be NULL) gets the number of matching cases ignoring limit/offset.
 */
int kstore_list(struct kstore *st, const struct kfilter *f, kstore_row_cb cb, void *ctx,
		long *total, struct kerr *err);

/* Cases added most recently first. */
int kstore_recent(struct kstore *st, const struct kreader *r, int n, kstore_row_cb cb, void *ctx,
		  struct kerr *err);

/* One revision of a case: revision number, when it was saved, its JSON. */
struct krevision {
	int revision;
	const char *saved;
	const char *json;
	int current;
	const char *author;   /* who saved it (a login, local:OSUSER), or NULL (saved before schema 8) */
	int draft;            /* saved while the case was a draft */
};

typedef int (*kstore_rev_cb)(void *ctx, const struct krevision *rev);

/*
 * Newest first, the current version included. KE_NOTFOUND if no such case.
 * For the id of a case draft (store_report.h): its revisions, the draft's
 * current one marked current (the caller checks kreader_may_see_drafts).
 */
int kstore_history(struct kstore *st, const char *id, kstore_rev_cb cb, void *ctx,
		   struct kerr *err);

/* Documents in the library with their case count and year. */
struct kdocument {
	const char *name;
	int has_year, year;
	long ncases;
	/* what a reader cites it by (kstore_doc_put), each NULL if not known */
	const char *title, *publisher, *published, *url;
};

/* A document's citation, as stored (strings owned; kdocmeta_free). */
struct kdocmeta {
	char *title, *publisher, *published, *url;
	int has_year, year;
};

void kdocmeta_free(struct kdocmeta *m);

/*
 * Store what a document is cited by under its name (the cases'
 * source.document); a NULL member keeps what is stored.  A write of its own
 * (or part of the caller's transaction).
 */
int kstore_doc_put(struct kstore *st, const char *name, const struct kdocmeta *m, struct kerr *err);
/* What is stored for name: 0 (m filled, all NULL when nothing is), or a KE_*. */
int kstore_doc_get(struct kstore *st, const char *name, struct kdocmeta *m, struct kerr *err);
/* The same for n distinct names in one read (a page of search hits): m[i] for names[i]; kdocmeta_free each. */
int kstore_doc_get_many(struct kstore *st, const char *const *names, size_t n, struct kdocmeta *m,
			struct kerr *err);

typedef int (*kstore_doc_cb)(void *ctx, const struct kdocument *doc);

int kstore_documents(struct kstore *st, const struct kreader *r, kstore_doc_cb cb, void *ctx,
		     struct kerr *err);

/* Number of cases visible to r. */
int kstore_count(struct kstore *st, const struct kreader *r, long *n, struct kerr *err);

#endif
