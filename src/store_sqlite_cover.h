/*
 * store_sqlite_cover.h - a search's long phrases matched on fewer of their
 * tokens (store_sqlite_cover.c), for the ranked and counted run of
 * store_sqlite_search.c.  Internal to the SQLite backend.
 *
 * A phrase of CJK text is a run of overlapping bigrams at consecutive
 * places (予備系への切り替え: 予備 備系 系へ への の切 切り り替 替え).  Every
 * character of it is in some bigram of a cover taken every other place (予備
 * 系へ の切 り替 替え), so FTS5 need only AND those and the run checks their
 * places in each row it reports (struct kcover_ph): FTS5 reads five of the
 * eight lists, the dearest part of a phrase.  One more check keeps it
 * exact: where two bigrams of the cover are two places apart, the place
 * between must not hold the character between alone (the last character
 * of a stretch of CJK text, the tokenizer's token after the stretch's last
 * bigram: 予備、系へ is 予備 備 系へ, not 予備 備系 系へ).  Those characters'
 * places are read first, in one run over their own (short) lists.  Which
 * bigrams make the cover is chosen by the vocabulary's counts (the cheapest
 * lists, the rarest kept), and a phrase is covered only where that reads
 * clearly less.
 */
#ifndef KYOKUN_STORE_SQLITE_COVER_H
#define KYOKUN_STORE_SQLITE_COVER_H

#include <sqlite3.h>
#include <stddef.h>

struct kstore_sqlite;
struct kstore_qnode;
struct kerr;

/* The longest phrase covered, in bigrams, and the most phrases in a run. */
#define KCOVER_MAX_TOK 48
#define KCOVER_MAX_PHRASES 64

/*
 * Phrase i of the run: FTS5's phrases base .. base + m - 1 (m 1: whole);
 * covered, its token j FTS5's phrase fts[j] (base + j, or, in a run of
 * phrases all ORed, another phrase of the run that is that token alone:
 * 遠隔操作's cover 遠隔 操作 beside its parts 遠隔 and 操作, each list read once).
 */
struct kcover_ph {
	int base, m;
	short fts[KCOVER_MAX_TOK];
	signed char off[KCOVER_MAX_TOK]; /* each one's place in the phrase (off[0] 0) */
	signed char uni[KCOVER_MAX_TOK]; /* j >= 1, off[j] == off[j - 1] + 2: the single character
					  * that must not be at off[j - 1] + 1 (its number); else -1 */
};

/* A single character's place in a row. */
struct kcover_upos {
	unsigned char uni, col;
	int off;
};

struct kcover {
	char *text;                        /* the run, covered (an FTS5 expression) */
	int np, nfts, nuni;                /* phrases, FTS5's phrases, single characters */
	unsigned long long mask;           /* the phrases covered (bit i: phrase i) */
	struct kcover_ph ph[KCOVER_MAX_PHRASES];
	/* the rows holding one of the single characters, ascending, and their places:
	 * row k's at upos[ufirst[k]] to upos[ufirst[k + 1]] */
	long long *urid;
	size_t *ufirst;
	size_t nurow, crid, cfirst;
	struct kcover_upos *upos;
	size_t nupos, cupos;
};

/*
 * The run of root (its phrases ORed: a phrase, or ORs of phrases; with
 * flat, any tree, its phrases ORed in order as the counted run of words in
 * parts has them), its phrases covered where it pays, the single characters' places
 * read.  0 with *out NULL: nothing covered (not such a run, nothing worth
 * it, or the characters too common); else *out for kcover_free().
 */
int kcover_make(struct kstore_sqlite *st, const struct kstore_qnode *root, int flat, struct kcover **out,
		struct kerr *err);
void kcover_free(struct kcover *cv);

/*
 * The row a run is at, for kcover_held(): its rowid, and where it is among
 * the rows holding a single character of the cover (urow: -2 not yet
 * looked for, -1 none).  One to a run (a connection's): the run's rows come
 * in ascending order, so each look starts where the last ended (hint).
 */
struct kcover_at {
	sqlite3_int64 rid;
	long urow;
	size_t hint;
};

/* The run is at row rid (its urow not yet looked for). */
static inline void kcover_at_row(struct kcover_at *at, sqlite3_int64 rid)
{
	at->rid = rid;
	at->urow = -2;
}

/*
 * Phrase i (covered) in the row FTS5's cursor is at (at->rid): 1 if it
 * holds, with *f its instances weighted by column (w[col], 1 past nw).
 */
int kcover_held(const struct kcover *cv, const Fts5ExtensionApi *api, Fts5Context *fts, struct kcover_at *at, int i,
		const double *w, int nw, double *f);

/* Runs that had a phrase on its cover, since the process began (for the tests). */
unsigned long kcover_runs(void);

/* For the tests: cover every phrase that has a cover of fewer tokens, whatever its lists cost. */
void kcover__test_always(int on);
/* ... and whether the fast reading of position lists agreed with FTS5's (1), did not (-1), or is not
 * known yet (0) */
int kcover__pnext_state(void);

/* kyokun_upos(case_fts, cv): the aux function that reads the single characters' places. */
void kcover_upos_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx, int argc,
		    sqlite3_value **argv);

#endif
