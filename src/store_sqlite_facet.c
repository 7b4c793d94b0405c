/*
 * store_sqlite_facet.c - the SQLite backend's facet counts and filters of a
 * search from memory.
 *
 * Counting facets in SQL joins every row of the match with its case (seven
 * groupings, each a lookup per row): at a million cases a common word took
 * over a minute.  Here the few short columns facets and filters use (TLP,
 * category, document, year, event class, reader level) and the threat and
 * sector tags are read into arrays by rowid, each value a small code (its
 * index in a list of the column's values), from the narrow index
 * cases_facets and the table case_tags.  A search then walks the rowids of
 * its match (FTS5 alone, no join) and counts.
 *
 * The arrays are valid while the cases are unchanged (ksqlite_case_changes())
 * and are read again on the next search after a change.  The connections of
 * one process at the same state of the same file share one copy (struct
 * fdata, the registry); each keeps its own counters and statements.
 *
 * Who may see a row: the TLP levels the reader sees on every case are a
 * bit mask tested against the row's level; the cases it sees only under a
 * condition (its organisation's, its sectors', naming it) are a bitmap of
 * rowids, selected with ksqlite_visible_sql(KSQLITE_VIS_ROWIDS) (covering
 * indexes only) when a search's reader has such conditions, and kept until
 * another reader's conditions or a change.  Anonymous readers and the
 * local operator have none: no SQL.
 */
#include "store_sqlite.h"
#include "account.h"
#include "store_search.h"
#include "kbuf.h"
#include "grow.h"
#include "kerr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* the columns kept, in the order the loading statement reads them */
enum { FC_TLP, FC_CATEGORY, FC_DOCUMENT, FC_YEAR, FC_EVENT_CLASS, FC_READER_LEVEL, FC__N };

/* tag kinds kept (others are kept as FK_OTHER: the tag filter matches any kind) */
enum { FK_THREAT, FK_SECTOR, FK_EVENT_CLASS, FK_OTHER };

_Static_assert(FC__N == sizeof(((struct kwant *)0)->col) / sizeof(int32_t), "struct kwant");

#define FC_MAX_ROWID (1 << 26) /* beyond: not worth an array (the SQL path runs) */

/* A list of distinct strings, each with its code (its index), found by hash. */
struct dict {
	char **v;
	size_t n, cap;
	int32_t *slot; /* open addressing: code + 1, 0 empty */
	size_t nslot;
};

/*
 * The columns of one state of one database: read once, then never written,
 * so that every connection of the process at that state reads the same
 * copy (the registry below) and a server's memory does not grow with its
 * threads (at a million cases the arrays are 35-40 MB).
 */
struct fdata {
	sqlite3_int64 n;           /* rowids [0, n) */
	int32_t *col[FC__N];       /* per rowid: code in dict[c], -1 NULL; col[FC_TLP] -1: no case */
	struct dict dict[FC__N];
	int tlp_level[8];          /* by TLP code (codes past 7: red) */
	uint32_t *toff;            /* tags of rowid r: tag[toff[r] .. toff[r + 1]) */
	uint32_t *tag;             /* kind << 28 | value code in tags */
	size_t ntag, tagcap;
	struct dict tags;
	int *yearv;                /* by code of dict[FC_YEAR]: the year as a number */
	size_t ncnt;               /* counters a count needs: one per code of every column and of tags */
	/* in the registry (shared): the file, the meta row 'cases' it was read at, its users */
	int shared;
	dev_t dev;
	ino_t ino;
	sqlite3_int64 version;
	long refs;
	struct fdata *next;
};

/* A connection's view: its state's columns, and its own counting space and statements. */
struct kfacets {
	int valid;
	unsigned long long changes; /* ksqlite_case_changes() when read */
	struct fdata *d;
	long *cnt;                 /* d->ncnt counters */
	sqlite3_stmt *rows, *tagrows, *match, *version;
	/* the cases the last reader with conditions sees under them (struct kwant.cond) */
	uint64_t *cond;
	sqlite3_int64 ncond;
	char *cond_key;            /* that reader (cond_key()); NULL: none read */
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void dict_free(struct dict *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

/* The code of s, -1 if absent. */
static int32_t dict_find(const struct dict *d, const char *s)
{
	if (!d->nslot)
		return -1;
	for (size_t i = hash(s) & (d->nslot - 1);; i = (i + 1) & (d->nslot - 1)) {
		if (!d->slot[i])
			return -1;
		if (!strcmp(d->v[d->slot[i] - 1], s))
			return d->slot[i] - 1;
	}
}

/* The code of s, added if absent; -1 out of memory. */
static int32_t dict_add(struct dict *d, const char *s)
{
	int32_t c = dict_find(d, s);
	size_t i;

	if (c >= 0)
		return c;
	if (d->n >= INT32_MAX - 1)
		return -1;
	if ((d->n + 1) * 2 > d->nslot) {
		size_t ns = d->nslot ? d->nslot * 2 : 64;
		int32_t *sl = calloc(ns, sizeof(*sl));

		if (!sl)
			return -1;
		for (size_t k = 0; k < d->n; k++) {
			for (i = hash(d->v[k]) & (ns - 1); sl[i]; i = (i + 1) & (ns - 1))
				;
			sl[i] = (int32_t)k + 1;
		}
		free(d->slot);
		d->slot = sl;
		d->nslot = ns;
	}
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		char **nv = realloc(d->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		d->v = nv;
		d->cap = nc;
	}
	if (!(d->v[d->n] = strdup(s)))
		return -1;
	for (i = hash(s) & (d->nslot - 1); d->slot[i]; i = (i + 1) & (d->nslot - 1))
		;
	d->slot[i] = (int32_t)d->n + 1;
	return (int32_t)d->n++;
}

static void fdata_free(struct fdata *d)
{
	if (!d)
		return;
	for (int c = 0; c < FC__N; c++) {
		free(d->col[c]);
		dict_free(&d->dict[c]);
	}
	dict_free(&d->tags);
	free(d->yearv);
	free(d->toff);
	free(d->tag);
	free(d);
}

/*
 * The registry: the columns read by the process's connections, by file and
 * by the number its meta row 'cases' held (a new random number at every
 * commit that writes a case, see ksqlite_case_changes()), while some
 * connection uses them.
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fdata *reg;
/*
 * The states some connection is reading now: another connection at the
 * same state waits for that copy (reg_cond) instead of reading its own
 * beside it, or, not waiting (ksqlite_facets_try()), goes without.
 */
struct reading {
	dev_t dev;
	ino_t ino;
	sqlite3_int64 version;
	struct reading *next;
};
static struct reading *reading;
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;
static void (*test_hook)(void *ctx);
static void *test_ctx;

void ksqlite_facets__test_hook(void (*fn)(void *ctx), void *ctx)
{
	test_hook = fn;
	test_ctx = ctx;
}
static atomic_ulong reads; /* ksqlite_facets_reads() */

unsigned long ksqlite_facets_reads(void)
{
	return atomic_load(&reads);
}

/*
 * The shared copy of the state me names (a reference taken), else NULL with
 * me listed as reading it; when another connection is reading it, wait for
 * that one (wait set) or return NULL with *busy set.
 */
static struct fdata *reg_get(struct reading *me, int wait, int *busy)
{
	struct fdata *d;
	struct reading *r;

	*busy = 0;
	pthread_mutex_lock(&reg_lock);
	for (;;) {
		for (d = reg; d; d = d->next)
			if (d->dev == me->dev && d->ino == me->ino && d->version == me->version) {
				d->refs++;
				goto out;
			}
		for (r = reading; r; r = r->next)
			if (r->dev == me->dev && r->ino == me->ino && r->version == me->version)
				break;
		if (!r) {
			me->next = reading;
			reading = me;
			goto out;
		}
		if (!wait) {
			*busy = 1;
			goto out;
		}
		pthread_cond_wait(&reg_cond, &reg_lock);
	}
out:
	pthread_mutex_unlock(&reg_lock);
	return d;
}

/*
 * me read: off the list, and d (just read, not shared yet; NULL: it could
 * not be read) shared, or the copy another connection put there first.
 */
static struct fdata *reg_put(struct reading *me, struct fdata *d)
{
	struct fdata *o = NULL;
	struct reading **p;

	pthread_mutex_lock(&reg_lock);
	for (p = &reading; *p && *p != me; p = &(*p)->next)
		;
	if (*p)
		*p = me->next;
	if (d) {
		for (o = reg; o; o = o->next)
			if (o->dev == d->dev && o->ino == d->ino && o->version == d->version)
				break;
		if (o) {
			o->refs++;
		} else {
			d->shared = 1;
			d->refs = 1;
			d->next = reg;
			reg = d;
		}
	}
	pthread_cond_broadcast(&reg_cond);
	pthread_mutex_unlock(&reg_lock);
	if (o)
		fdata_free(d);
	return o ? o : d;
}

static void fdata_release(struct fdata *d)
{
	struct fdata **p;
	int last = 0;

	if (!d)
		return;
	if (!d->shared) {
		fdata_free(d);
		return;
	}
	pthread_mutex_lock(&reg_lock);
	if (--d->refs == 0) {
		for (p = &reg; *p && *p != d; p = &(*p)->next)
			;
		if (*p)
			*p = d->next;
		last = 1;
	}
	pthread_mutex_unlock(&reg_lock);
	if (last)
		fdata_free(d);
}

/* Drop what the connection holds (not the statements). */
static void clear(struct kfacets *fc)
{
	fdata_release(fc->d);
	fc->d = NULL;
	free(fc->cnt);
	free(fc->cond);
	free(fc->cond_key);
	fc->cnt = NULL;
	fc->cond = NULL;
	fc->cond_key = NULL;
	fc->ncond = 0;
	fc->valid = 0;
}

void ksqlite_facets_free(struct kfacets *fc)
{
	if (!fc)
		return;
	clear(fc);
	sqlite3_finalize(fc->rows);
	sqlite3_finalize(fc->tagrows);
	sqlite3_finalize(fc->match);
	sqlite3_finalize(fc->version);
	free(fc);
}

static int tlp_level(const char *t)
{
	static const char *const lv[] = { "clear", "green", "amber", "amber+strict", "red" };

	for (int i = 0; i < 5; i++)
		if (!strcmp(t, lv[i]))
			return i;
	return 4;
}

/* Grow the per-rowid arrays to hold rowid r. */
static int grow(struct fdata *d, sqlite3_int64 r)
{
	sqlite3_int64 nn = d->n ? d->n : 4096;

	if (r < d->n)
		return 0;
	while (nn <= r)
		nn *= 2;
	for (int c = 0; c < FC__N; c++) {
		int32_t *a = realloc(d->col[c], (size_t)nn * sizeof(*a));

		if (!a)
			return -1;
		for (sqlite3_int64 i = d->n; i < nn; i++)
			a[i] = -1;
		d->col[c] = a;
	}
	d->n = nn;
	return 0;
}

/* Read the columns into d (zeroed) with fc's statements. */
static int load(struct kstore_sqlite *st, struct kfacets *fc, struct fdata *d, struct kerr *err)
{
	sqlite3_int64 last = -1;
	int r;

	if (!fc->rows && (r = ksqlite_prepare(st, "SELECT rid, tlp, category, document, CAST(year AS TEXT),"
					     " event_class, reader_level FROM cases INDEXED BY cases_facets",
					     &fc->rows, err)))
		return r;
	if (!fc->tagrows && (r = ksqlite_prepare(st, "SELECT rid, kind, value FROM case_tags ORDER BY rid",
						 &fc->tagrows, err)))
		return r;
	while ((r = sqlite3_step(fc->rows)) == SQLITE_ROW) {
		sqlite3_int64 rid = sqlite3_column_int64(fc->rows, 0);

		if (rid < 0 || rid >= FC_MAX_ROWID) {
			sqlite3_reset(fc->rows);
			return 1;
		}
		if (grow(d, rid))
			goto nomem;
		for (int c = 0; c < FC__N; c++) {
			const char *v = (const char *)sqlite3_column_text(fc->rows, c + 1);
			int32_t code = -1;

			if (v && (code = dict_add(&d->dict[c], v)) < 0)
				goto nomem;
			d->col[c][rid] = code;
		}
	}
	sqlite3_reset(fc->rows);
	if (r != SQLITE_DONE)
		return ksqlite_db_err(st, err, "search facets");
	for (size_t i = 0; i < d->dict[FC_TLP].n && i < 8; i++)
		d->tlp_level[i] = tlp_level(d->dict[FC_TLP].v[i]);
	if (!(d->yearv = calloc(d->dict[FC_YEAR].n + 1, sizeof(*d->yearv))))
		goto nomem;
	for (size_t i = 0; i < d->dict[FC_YEAR].n; i++)
		d->yearv[i] = atoi(d->dict[FC_YEAR].v[i]);
	if (!(d->toff = calloc((size_t)d->n + 1, sizeof(*d->toff))))
		goto nomem;
	while ((r = sqlite3_step(fc->tagrows)) == SQLITE_ROW) {
		sqlite3_int64 rid = sqlite3_column_int64(fc->tagrows, 0);
		const char *kind = (const char *)sqlite3_column_text(fc->tagrows, 1);
		const char *value = (const char *)sqlite3_column_text(fc->tagrows, 2);
		uint32_t k = !kind ? FK_OTHER : !strcmp(kind, "threat") ? FK_THREAT
			     : !strcmp(kind, "sector") ? FK_SECTOR
			     : !strcmp(kind, "event_class") ? FK_EVENT_CLASS : FK_OTHER;
		int32_t code;

		if (rid < 0 || rid >= d->n || rid < last || !value)
			continue; /* no such case (cannot be) */
		if ((code = dict_add(&d->tags, value)) < 0 || code >= (1 << 28))
			goto nomem;
		if (d->ntag == d->tagcap) {
			size_t nc = d->tagcap ? d->tagcap * 2 : 4096;
			uint32_t *nt = realloc(d->tag, nc * sizeof(*nt));

			if (!nt)
				goto nomem;
			d->tag = nt;
			d->tagcap = nc;
		}
		/* toff[rid + 1] counts rid's tags for now */
		d->tag[d->ntag++] = k << 28 | (uint32_t)code;
		d->toff[rid + 1]++;
		last = rid;
	}
	sqlite3_reset(fc->tagrows);
	if (r != SQLITE_DONE)
		return ksqlite_db_err(st, err, "search facets");
	if (d->ntag >= UINT32_MAX)
		goto nomem;
	for (sqlite3_int64 i = 0; i < d->n; i++)
		d->toff[i + 1] += d->toff[i];
	d->ncnt = d->tags.n * 4;
	for (int c = 0; c < FC__N; c++)
		d->ncnt += d->dict[c].n;
	return 0;
nomem:
	sqlite3_reset(fc->rows);
	sqlite3_reset(fc->tagrows);
	return kerr_set(err, KE_NOMEM, "out of memory");
}

/*
 * The number the meta row 'cases' holds in this read transaction (*ok 0:
 * none, or a case written in st's own open transaction: not the
 * committed state another connection could share).
 */
static int read_version(struct kstore_sqlite *st, struct kfacets *fc, sqlite3_int64 *v, int *ok,
			struct kerr *err)
{
	int r;

	*ok = 0;
	if (st->in_txn && st->case_dirty)
		return 0;
	if (!fc->version && (r = ksqlite_prepare(st, "SELECT value FROM meta WHERE key = 'cases'", &fc->version, err)))
		return r;
	if ((r = sqlite3_step(fc->version)) == SQLITE_ROW && sqlite3_column_type(fc->version, 0) == SQLITE_INTEGER) {
		*v = sqlite3_column_int64(fc->version, 0);
		*ok = 1;
	}
	sqlite3_reset(fc->version);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return ksqlite_db_err(st, err, "search facets");
	return 0;
}

/*
 * fc->d: the columns of the database's current state, shared with the
 * process's other connections at that state when the file and the row
 * 'cases' say which state it is; read (in one read transaction with that
 * row) when no connection has them.
 */
static int get_data(struct kstore_sqlite *st, struct kfacets *fc, int wait, struct kerr *err)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	struct fdata *d = NULL;
	struct reading me = { 0 };
	struct stat sb;
	int txn = 0, ok = 0, listed = 0, busy, rc;

	if (sqlite3_get_autocommit(st->db)) {
		if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return ksqlite_db_err(st, err, "search facets");
		txn = 1; /* the row and the columns of one snapshot */
	}
	if ((rc = read_version(st, fc, &me.version, &ok, err)))
		goto out;
	if (ok && path && *path && !stat(path, &sb)) {
		me.dev = sb.st_dev;
		me.ino = sb.st_ino;
		if ((fc->d = reg_get(&me, wait, &busy)))
			goto out;
		if (busy) {
			rc = 1; /* another connection is reading them */
			goto out;
		}
		listed = 1;
		if (test_hook)
			test_hook(test_ctx);
	}
	if (!(d = calloc(1, sizeof(*d)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = load(st, fc, d, err)))
		goto out;
	atomic_fetch_add(&reads, 1);
	if (listed) {
		d->dev = me.dev;
		d->ino = me.ino;
		d->version = me.version;
		d = reg_put(&me, d);
		listed = 0;
	}
	fc->d = d;
	d = NULL;
out:
	if (listed)
		reg_put(&me, NULL); /* (read in vain: those waiting read for themselves) */
	if (txn)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	fdata_free(d);
	return rc;
}

static int facets_get(struct kstore_sqlite *st, struct kfacets **out, int wait, struct kerr *err);

int ksqlite_facets_ready(struct kstore_sqlite *st, struct kfacets **out, struct kerr *err)
{
	return facets_get(st, out, 1, err);
}

int ksqlite_facets_try(struct kstore_sqlite *st, struct kfacets **out, struct kerr *err)
{
	return facets_get(st, out, 0, err);
}

static int facets_get(struct kstore_sqlite *st, struct kfacets **out, int wait, struct kerr *err)
{
	struct kfacets *fc = st->facets;
	unsigned long long ch;
	int rc;

	*out = NULL;
	if (!fc) {
		if (!(fc = calloc(1, sizeof(*fc))))
			return kerr_set(err, KE_NOMEM, "out of memory");
		st->facets = fc;
	}
	if ((rc = ksqlite_case_changes(&st->base, &ch, err)))
		return rc;
	if (!fc->valid || fc->changes != ch) {
		clear(fc);
		if ((rc = get_data(st, fc, wait, err)) != 0) {
			clear(fc);
			return rc;
		}
		if (!(fc->cnt = calloc(fc->d->ncnt + 1, sizeof(*fc->cnt)))) {
			clear(fc);
			return kerr_set(err, KE_NOMEM, "out of memory");
		}
		fc->valid = 1;
		fc->changes = ch;
	}
	*out = fc;
	return 0;
}

/*
 * What the conditional part of r's visibility depends on, as a string
 * (NULL out of memory): the levels of each condition and the reader's
 * organisation, login and sectors.
 */
static char *cond_key(const struct kreader *r, const struct ksqlite_vis *v)
{
	struct kbuf b = KBUF_INIT;
	int rc = kbuf_addf(&b, "%x %x %x\x1f%s\x1f%s", v->org, v->sectors, v->named,
			   v->org && r->org ? r->org : "", v->named && r->login ? r->login : "");

	for (size_t k = 0; v->sectors && k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
		rc |= kbuf_addf(&b, "\x1f%zu=%s", k, r->sectors[k] ? r->sectors[k] : "");
	if (rc) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* fc->cond: the cases r sees under a condition (r has some). */
static int read_cond(struct kstore_sqlite *st, struct kfacets *fc, const struct kreader *r,
		     const struct ksqlite_vis *v, struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	char *key = cond_key(r, v);
	int rc;

	if (!key)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (fc->cond_key && !strcmp(fc->cond_key, key)) {
		free(key);
		return 0; /* the same reader as last time, the same database */
	}
	free(fc->cond);
	free(fc->cond_key);
	fc->cond = NULL;
	fc->cond_key = NULL;
	fc->ncond = fc->d->n;
	if (!(fc->cond = calloc((size_t)(fc->d->n + 63) / 64 + 1, sizeof(*fc->cond)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (ksqlite_visible_sql(r, KSQLITE_VIS_ROWIDS, "", &sql) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, sql.buf, &s, err)))
		goto out;
	ksqlite_bind_visible(s, r);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 rid = sqlite3_column_int64(s, 0);

		if (rid >= 0 && rid < fc->ncond)
			fc->cond[rid >> 6] |= 1ULL << (rid & 63);
	}
	if (rc != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "search facets");
		goto out;
	}
	rc = 0;
	fc->cond_key = key;
	key = NULL;
out:
	if (rc) {
		free(fc->cond);
		fc->cond = NULL;
		fc->ncond = 0;
	}
	free(key);
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

int ksqlite_want_init(struct kstore_sqlite *st, struct kfacets *fc, const struct kfilter *f, struct kwant *w,
		      struct kerr *err)
{
	char year[24];
	const char *v[FC__N] = { f->tlp, f->category, f->document, NULL, NULL, f->reader_level };
	/* a sector by its Japanese name is its tag (case_json.c keeps cases so) */
	const char *t[4] = { f->threat, ksector_parse(f->sector) ? ksector_parse(f->sector) : f->sector,
			     f->event_class, ksector_parse(f->tag) ? ksector_parse(f->tag) : f->tag };
	struct ksqlite_vis vis;
	int rc;

	ksqlite_visible_masks(f->reader, &vis);
	w->levels = vis.all;
	w->year_from = f->year_from;
	w->year_to = f->year_to;
	w->none = f->none;
	w->only = f->only;
	w->cond = NULL;
	w->ncond = 0;
	if (f->year) {
		snprintf(year, sizeof(year), "%d", f->year);
		v[FC_YEAR] = year;
	}
	for (int c = 0; c < FC__N; c++) {
		w->col[c] = -1;
		if (v[c] && (w->col[c] = dict_find(&fc->d->dict[c], v[c])) < 0)
			return 0; /* no case has it */
	}
	for (int k = 0; k < 4; k++) {
		w->tag[k] = -1;
		if (t[k] && (w->tag[k] = dict_find(&fc->d->tags, t[k])) < 0)
			return 0;
	}
	if (vis.org | vis.sectors | vis.named) {
		if ((rc = read_cond(st, fc, f->reader, &vis, err)) < 0)
			return rc;
		w->cond = fc->cond;
		w->ncond = fc->ncond;
	}
	return 1;
}

static int has_tag(const struct kfacets *fc, sqlite3_int64 r, int kind, int32_t code)
{
	for (uint32_t i = fc->d->toff[r]; i < fc->d->toff[r + 1]; i++)
		if ((int32_t)(fc->d->tag[i] & ((1u << 28) - 1)) == code &&
		    (kind == FK_OTHER || (int)(fc->d->tag[i] >> 28) == kind))
			return 1;
	return 0;
}

/* Has rowid r a tag of this kind? */
static int has_kind(const struct kfacets *fc, sqlite3_int64 r, uint32_t kind)
{
	for (uint32_t i = fc->d->toff[r]; i < fc->d->toff[r + 1]; i++)
		if (fc->d->tag[i] >> 28 == kind)
			return 1;
	return 0;
}

int ksqlite_want_passes(const struct kfacets *fc, const struct kwant *w, long long r)
{
	int32_t tlp, y;

	if (r < 0 || r >= (long long)fc->d->n || (tlp = fc->d->col[FC_TLP][r]) < 0)
		return 0;
	for (int c = 0; c < FC__N; c++)
		if (w->col[c] >= 0 && fc->d->col[c][r] != w->col[c])
			return 0;
	if (w->year_from || w->year_to) {
		if ((y = fc->d->col[FC_YEAR][r]) < 0 || (w->year_from && fc->d->yearv[y] < w->year_from) ||
		    (w->year_to && fc->d->yearv[y] > w->year_to))
			return 0;
	}
	if (w->none && (((w->none >> KFACET_YEAR & 1) && fc->d->col[FC_YEAR][r] >= 0) ||
			((w->none >> KFACET_EVENT_CLASS & 1) && fc->d->col[FC_EVENT_CLASS][r] >= 0) ||
			((w->none >> KFACET_THREAT & 1) && has_kind(fc, r, FK_THREAT)) ||
			((w->none >> KFACET_SECTOR & 1) && has_kind(fc, r, FK_SECTOR))))
		return 0;
	if (!(w->levels >> (tlp >= 8 ? 4 : fc->d->tlp_level[tlp]) & 1) &&
	    !(w->cond && r < w->ncond && (w->cond[r >> 6] >> (r & 63) & 1)))
		return 0;
	for (int k = 0; k < 4; k++)
		if (w->tag[k] >= 0 && !has_tag(fc, r, k, w->tag[k]))
			return 0;
	return !w->only || krids_has(w->only, r);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A count of facets: each column's counters and the cases without a value. */
struct fcount {
	struct kfacets *fc;
	long *base[FC__N], *tbase[2];
	long none[4]; /* no year, no event class, no threat, no sector */
	long n;
};

static void fcount_init(struct fcount *k, struct kfacets *fc)
{
	size_t off = 0;

	memset(k, 0, sizeof(*k));
	k->fc = fc;
	for (int c = 0; c < FC__N; c++) {
		k->base[c] = fc->cnt + off;
		off += fc->d->dict[c].n;
	}
	k->tbase[0] = fc->cnt + off;
	k->tbase[1] = fc->cnt + off + fc->d->tags.n;
	memset(fc->cnt, 0, fc->d->ncnt * sizeof(*fc->cnt));
}

static void fcount_row(struct fcount *k, sqlite3_int64 rid)
{
	const struct fdata *d = k->fc->d;
	int kinds = 0;

	k->n++;
	for (int c = 0; c < FC__N; c++)
		if (d->col[c][rid] >= 0)
			k->base[c][d->col[c][rid]]++;
	for (uint32_t i = d->toff[rid]; i < d->toff[rid + 1]; i++) {
		uint32_t kind = d->tag[i] >> 28;

		if (kind == FK_THREAT || kind == FK_SECTOR) {
			k->tbase[kind][d->tag[i] & ((1u << 28) - 1)]++;
			kinds |= 1 << kind;
		}
	}
	k->none[0] += d->col[FC_YEAR][rid] < 0;
	k->none[1] += d->col[FC_EVENT_CLASS][rid] < 0;
	k->none[2] += !(kinds >> FK_THREAT & 1);
	k->none[3] += !(kinds >> FK_SECTOR & 1);
}

/* The counts to cb: each facet's values in the order of their text, then 未分類. */
static int fcount_emit(struct fcount *k, kstore_facet_cb cb, void *ctx, struct kerr *err)
{
	static const int facet_of[FC__N] = { KFACET_TLP, KFACET_CATEGORY, KFACET_DOCUMENT, KFACET_YEAR,
					     KFACET_EVENT_CLASS, KFACET_READER_LEVEL };
	struct kfacets *fc = k->fc;
	int rc = 0;

	for (int c = 0; c < FC__N + 2; c++) {
		const struct dict *d = c < FC__N ? &fc->d->dict[c] : &fc->d->tags;
		long *cnt = c < FC__N ? k->base[c] : k->tbase[c - FC__N];
		int facet = c < FC__N ? facet_of[c] : c == FC__N ? KFACET_THREAT : KFACET_SECTOR;
		char **v;
		size_t m = 0;

		for (size_t i = 0; i < d->n; i++)
			m += cnt[i] > 0;
		if (!m)
			continue;
		if (!(v = malloc(m * sizeof(*v))))
			return kerr_set(err, KE_NOMEM, "out of memory");
		m = 0;
		for (size_t i = 0; i < d->n; i++)
			if (cnt[i] > 0)
				v[m++] = d->v[i];
		qsort(v, m, sizeof(*v), str_cmp);
		for (size_t i = 0; i < m && !rc; i++)
			rc = cb(ctx, facet, v[i], cnt[dict_find(d, v[i])]);
		free(v);
		if (rc)
			return rc;
	}
	/* 未分類: the cases without a value */
	for (int i = 0; i < 4 && !rc; i++) {
		static const int facet[4] = { KFACET_YEAR, KFACET_EVENT_CLASS, KFACET_THREAT, KFACET_SECTOR };

		if (k->none[i])
			rc = cb(ctx, facet[i], "none", k->none[i]);
	}
	return rc;
}

/* ksqlite_facets_count(), each row passing also appended to *rids (rids NULL: not kept). */
static int facets_walk(struct kstore_sqlite *st, const char *match, const struct kfilter *f,
		       long long exclude_rid, kstore_facet_cb cb, void *ctx, long *total, long long **rids,
		       size_t *nrids, struct kerr *err)
{
	struct kfacets *fc;
	struct kwant w;
	struct fcount k;
	unsigned levels;
	size_t cap = 0;
	int rc, r = SQLITE_DONE, some;

	*total = 0;
	/* every case a reader who sees whole TLP levels sees: the kept counts (store_sqlite_counts.c) */
	if (!match && !exclude_rid && !f->document && !f->year && !f->category && !f->tag && !f->event_class &&
	    !f->threat && !f->sector && !f->reader_level && !f->tlp && !f->year_from && !f->year_to && !f->none &&
	    !f->only && !rids && ksqlite_counts_usable(f->reader, &levels))
		return ksqlite_counts_facets(st, levels, cb, ctx, total, err);
	if ((rc = ksqlite_facets_ready(st, &fc, err)) != 0)
		return rc;
	fcount_init(&k, fc);
	if ((some = ksqlite_want_init(st, fc, f, &w, err)) < 0)
		return some;
	if (match && !fc->match &&
	    (rc = ksqlite_prepare(st, "SELECT rowid FROM case_fts WHERE case_fts MATCH ?1", &fc->match, err)))
		return rc;
	if (match)
		sqlite3_bind_text(fc->match, 1, match, -1, SQLITE_STATIC);
	for (sqlite3_int64 next = 0; some;) {
		sqlite3_int64 rid;

		/* the rows of the match, or every case */
		if (match) {
			if ((r = sqlite3_step(fc->match)) != SQLITE_ROW)
				break;
			rid = sqlite3_column_int64(fc->match, 0);
		} else {
			if (next >= fc->d->n) {
				r = SQLITE_DONE;
				break;
			}
			rid = next++;
		}
		if ((exclude_rid && rid == exclude_rid) || !ksqlite_want_passes(fc, &w, rid))
			continue;
		if (rids) {
			if (KGROW(*rids, cap, *nrids + 1) < 0) {
				r = SQLITE_NOMEM;
				break;
			}
			(*rids)[(*nrids)++] = rid;
		}
		if (cb)
			fcount_row(&k, rid);
		else
			k.n++;
	}
	if (match) {
		sqlite3_reset(fc->match);
		sqlite3_clear_bindings(fc->match);
	}
	if (r == SQLITE_NOMEM)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (some && r != SQLITE_DONE)
		return ksqlite_db_err(st, err, "search facets");
	*total = k.n;
	if (!cb || !k.n)
		return 0;
	return fcount_emit(&k, cb, ctx, err);
}

int ksqlite_facets_count(struct kstore_sqlite *st, const char *match, const struct kfilter *f,
			 long long exclude_rid, kstore_facet_cb cb, void *ctx, long *total,
			 struct kerr *err)
{
	return facets_walk(st, match, f, exclude_rid, cb, ctx, total, NULL, NULL, err);
}

int ksqlite_facets_rids(struct kstore_sqlite *st, const char *match, const struct kfilter *f, long long **rids,
			size_t *n, struct kerr *err)
{
	long total;
	int rc;

	*rids = NULL;
	*n = 0;
	if ((rc = facets_walk(st, match, f, 0, NULL, NULL, &total, rids, n, err)) != 0) {
		free(*rids);
		*rids = NULL;
		*n = 0;
	}
	return rc;
}

int ksqlite_facets_count_rids(struct kstore_sqlite *st, const long long *rids, size_t n, kstore_facet_cb cb,
			      void *ctx, struct kerr *err)
{
	struct kfacets *fc;
	struct fcount k;
	int rc;

	if ((rc = ksqlite_facets_ready(st, &fc, err)) != 0)
		return rc;
	fcount_init(&k, fc);
	for (size_t i = 0; i < n; i++)
		/* (a row without a case, as the SQL's join leaves it out) */
		if (rids[i] >= 0 && rids[i] < fc->d->n && fc->d->col[FC_TLP][rids[i]] >= 0)
			fcount_row(&k, rids[i]);
	if (!k.n)
		return 0;
	return fcount_emit(&k, cb, ctx, err);
}
