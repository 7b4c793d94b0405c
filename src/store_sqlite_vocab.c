/*
 * store_sqlite_vocab.c - the vocabulary: in how many cases of each TLP level
 * every index token occurs (table case_vocab, migration 16), kept exact at
 * every commit, so that term statistics (similar cases' idf) cost one
 * index lookup per token and count only the levels a reader sees.
 *
 * A write of a case (put, delete) adds -1 for the tokens of the text it
 * replaces and +1 for those of the new text, once per case and token, into
 * a table in memory (st->vocab); the commit writes the sums (one upsert per
 * token and level touched, so a bulk load of many cases writes each token
 * once), a rollback forgets them.  A savepoint (ksqlite_wbegin) writes them
 * first, so that rolling back to it forgets only what came after.  The
 * term '' counts the cases of each level.
 *
 * The tokens are the index's own (ktok_tokenize, document mode, over the
 * six columns of case_text), so ksqlite_vocab_check() can recount them from
 * the full-text index itself (fts5vocab) and compare.  A case being written
 * is counted (+1) from the tokenizer's own pass as FTS5 indexes it
 * (ksqlite_vocab_tap(): a tap on the connection's tokenizer, tokenizer.h),
 * not by tokenising its text a second time: that was 14% of a bulk add's
 * time.  The text being replaced or deleted (-1) and migration 16's
 * rebuild are read back from case_text and tokenised here.
 */
#include "store_sqlite.h"
#include "case.h"
#include "grow.h"
#include "kerr.h"
#include "reader.h"
#include "tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * One (token, level) pending.  A bulk add looks an entry up for every token
 * of every case (33 million at 100,000 cases), so an entry is 32 bytes and
 * holds the token's first 8 bytes: most tokens (a bigram of kana or kanji
 * is 6 bytes) are compared without reading keys.
 */
struct vent {
	uint64_t head;  /* the token's first 8 bytes, zero-padded */
	uint32_t off;   /* the token in keys */
	uint16_t len;
	uint8_t level;
	uint8_t used;
	int32_t delta;
	uint32_t stamp; /* the last case that counted it */
	uint32_t hash;
	uint32_t pad;
};

_Static_assert(sizeof(struct vent) == 32, "struct vent: 32 bytes");

/*
 * A token of the case being counted, waiting for vocab_close(): the
 * table is several MB and nearly every lookup in it missed the
 * processor's caches, so the case's tokens are looked up together, each
 * one's slot fetched ahead of its turn (vocab_run()), instead of one by
 * one as the tokenizer gives them (the lookups were 11.6% of the samples
 * of a bulk add of 100,000 cases, two thirds of that on the load of the
 * slot).  The order of the lookups, and so the table, stay the same.
 */
struct vtok {
	uint64_t head;
	uint32_t hash;
	uint32_t off;   /* the token in ckeys */
	int len;
};

struct ksqlite_vocab {
	struct vent *v;     /* open addressing, a power of two */
	size_t cap, n;
	char *keys;
	size_t klen, kalloc;
	struct vtok *pend;  /* the case's tokens, in the tokenizer's order */
	size_t np, palloc;
	char *ckeys;        /* their bytes */
	size_t cklen, ckalloc;
	uint32_t stamp;     /* the case being counted */
	int level;
	int sign;
	int rc;
	int64_t ntok;       /* tokens of the case being counted */
	int64_t tokens[5];  /* term '' of each level: the cases' lengths in tokens */
};

/* Above this many tokens pending, write them out (a long bulk load). */
#define VOCAB_FLUSH_AT (1u << 21)

/*
 * The first 8 bytes of s[0..n), zero-padded, the first in the low byte
 * (only compared and hashed in memory), read in whole loads: a copy of
 * variable length into a word and its read back stalled on every token.
 */
static inline uint64_t head8(const char *s, int n)
{
	uint64_t h = 0;
	uint32_t a, b;

	if (n >= 8) {
		memcpy(&h, s, 8);
	} else if (n >= 4) {
		/* bytes 0..3 and n-4..n-1: where they overlap they are the same bytes */
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		h = (uint64_t)a | (uint64_t)b << ((n - 4) * 8);
	} else {
		for (int i = 0; i < n; i++)
			h |= (uint64_t)(unsigned char)s[i] << (i * 8);
	}
	return h;
}

/* The hash of a token (its head and length; the rest of a longer one) at a level. */
static inline uint32_t vhash(uint64_t head, const char *s, int n, int level)
{
	uint64_t h = (head ^ ((uint64_t)n << 56) ^ (uint64_t)level) * 0x9E3779B97F4A7C15ull;

	for (int i = 8; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001B3ull;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

static void vocab_reset(struct ksqlite_vocab *vc)
{
	if (vc->v)
		memset(vc->v, 0, vc->cap * sizeof(*vc->v));
	memset(vc->tokens, 0, sizeof(vc->tokens));
	vc->n = 0;
	vc->klen = 0;
}

void ksqlite_vocab_free(struct kstore_sqlite *st)
{
	if (!st->vocab)
		return;
	free(st->vocab->v);
	free(st->vocab->keys);
	free(st->vocab->pend);
	free(st->vocab->ckeys);
	free(st->vocab);
	st->vocab = NULL;
}

void ksqlite_vocab_forget(struct kstore_sqlite *st)
{
	if (st->vocab)
		vocab_reset(st->vocab);
}

static int vocab_grow(struct ksqlite_vocab *vc)
{
	size_t ncap = vc->cap ? vc->cap * 2 : 4096;
	struct vent *nv = calloc(ncap, sizeof(*nv));

	if (!nv)
		return KE_NOMEM;
	for (size_t i = 0; i < vc->cap; i++) {
		size_t j;

		if (!vc->v[i].used)
			continue;
		for (j = vc->v[i].hash & (ncap - 1); nv[j].used; j = (j + 1) & (ncap - 1))
			;
		nv[j] = vc->v[i];
	}
	free(vc->v);
	vc->v = nv;
	vc->cap = ncap;
	return 0;
}

/* One token of the case being counted (t, its bytes at tok): sign once per case, token and level. */
static int vocab_add(struct ksqlite_vocab *vc, const struct vtok *t, const char *tok)
{
	uint32_t h = t->hash;
	int ntok = t->len;
	size_t j;

	if ((vc->n + 1) * 4 > vc->cap * 3 && vocab_grow(vc))
		return KE_NOMEM;
	for (j = h & (vc->cap - 1); vc->v[j].used; j = (j + 1) & (vc->cap - 1)) {
		struct vent *e = &vc->v[j];

		if (e->hash == h && e->head == t->head && e->level == vc->level && e->len == ntok &&
		    (ntok <= 8 || !memcmp(vc->keys + e->off + 8, tok + 8, (size_t)ntok - 8))) {
			if (e->stamp != vc->stamp) {
				e->stamp = vc->stamp;
				e->delta += vc->sign;
			}
			return 0;
		}
	}
	if (KGROW(vc->keys, vc->kalloc, vc->klen + (size_t)ntok) < 0 || vc->klen + (size_t)ntok > UINT32_MAX)
		return KE_NOMEM;
	memcpy(vc->keys + vc->klen, tok, (size_t)ntok);
	vc->v[j] = (struct vent){ .head = t->head, .off = (uint32_t)vc->klen, .len = (uint16_t)ntok,
				  .level = (uint8_t)vc->level, .used = 1, .delta = vc->sign, .stamp = vc->stamp,
				  .hash = h };
	vc->klen += (size_t)ntok;
	vc->n++;
	return 0;
}

/* How many tokens ahead vocab_run() fetches a slot, and a longer token's key. */
#define VOCAB_AHEAD 16
#define VOCAB_AHEAD_KEY 8

/* Look the case's tokens up (vocab_add()), in their order, each one's memory fetched ahead. */
static int vocab_run(struct ksqlite_vocab *vc)
{
	size_t np = vc->np;
	int rc = 0;

	for (size_t i = 0; i < np && !rc; i++) {
		if (i + VOCAB_AHEAD < np && vc->cap)
			__builtin_prefetch(&vc->v[vc->pend[i + VOCAB_AHEAD].hash & (vc->cap - 1)], 1);
		if (i + VOCAB_AHEAD_KEY < np && vc->cap && vc->pend[i + VOCAB_AHEAD_KEY].len > 8) {
			const struct vent *e = &vc->v[vc->pend[i + VOCAB_AHEAD_KEY].hash & (vc->cap - 1)];

			if (e->used)
				__builtin_prefetch(vc->keys + e->off + 8);
		}
		rc = vocab_add(vc, &vc->pend[i], vc->ckeys + vc->pend[i].off);
	}
	vc->np = 0;
	vc->cklen = 0;
	return rc;
}

/* One token of the case being counted, from the tokenizer: kept for vocab_run(). */
static int vocab_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct ksqlite_vocab *vc = ctx;
	struct vtok *t;

	(void)start;
	(void)end;
	if (ntok <= 0 || ntok > 0xffff)
		return 0;
	vc->ntok++;
	if (KGROW(vc->pend, vc->palloc, vc->np + 1) < 0 ||
	    KGROW(vc->ckeys, vc->ckalloc, vc->cklen + (size_t)ntok) < 0 || vc->cklen + (size_t)ntok > UINT32_MAX) {
		vc->rc = KE_NOMEM;
		return 1;
	}
	t = &vc->pend[vc->np++];
	t->head = head8(tok, ntok);
	t->hash = vhash(t->head, tok, ntok, vc->level);
	t->off = (uint32_t)vc->cklen;
	t->len = ntok;
	memcpy(vc->ckeys + vc->cklen, tok, (size_t)ntok);
	vc->cklen += (size_t)ntok;
	return 0;
}

/* Start counting (sign +1) or uncounting (-1) one case at level. */
static int vocab_open(struct kstore_sqlite *st, int level, int sign, struct kerr *err)
{
	struct ksqlite_vocab *vc = st->vocab;

	if (!vc && !(vc = st->vocab = calloc(1, sizeof(*vc))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (level < 0 || level > 4)
		return kerr_set(err, KE_INVALID, "vocabulary: unknown TLP level");
	vc->stamp++;
	vc->level = level;
	vc->sign = sign;
	vc->rc = 0;
	vc->ntok = 0;
	vc->np = 0;
	vc->cklen = 0;
	return 0;
}

/* The case counted since vocab_open(), its tokens all given to vocab_tok(): the case itself. */
static int vocab_close(struct kstore_sqlite *st, struct kerr *err)
{
	struct ksqlite_vocab *vc = st->vocab;
	int level = vc->level, sign = vc->sign;

	if (vc->rc || (vc->rc = vocab_run(vc)))
		return kerr_set(err, vc->rc, "out of memory");
	/* the case itself: term '' (hashed apart: no token is empty) */
	{
		uint32_t h = vhash(0, "", 0, level);
		size_t j;

		if ((vc->n + 1) * 4 > vc->cap * 3 && vocab_grow(vc))
			return kerr_set(err, KE_NOMEM, "out of memory");
		for (j = h & (vc->cap - 1); vc->v[j].used; j = (j + 1) & (vc->cap - 1))
			if (vc->v[j].len == 0 && vc->v[j].level == level)
				break;
		if (!vc->v[j].used) {
			vc->v[j] = (struct vent){ .off = 0, .len = 0, .level = (uint8_t)level, .used = 1,
						  .hash = h };
			vc->n++;
		}
		vc->v[j].delta += sign;
		vc->tokens[level] += sign * vc->ntok;
	}
	if (vc->n >= VOCAB_FLUSH_AT)
		return ksqlite_vocab_flush(st, err);
	return 0;
}

/* Count (sign +1) or uncount (-1) one case's text cols[0..ncol) at level. */
static int vocab_count(struct kstore_sqlite *st, int level, int sign, const char *const *cols, const int *lens,
		       int ncol, struct kerr *err)
{
	int rc;

	if ((rc = vocab_open(st, level, sign, err)))
		return rc;
	for (int i = 0; i < ncol; i++)
		if (cols[i] && ktok_tokenize(cols[i], lens[i], 0, vocab_tok, st->vocab) && st->vocab->rc)
			break;
	return vocab_close(st, err);
}

int ksqlite_vocab_tap(struct kstore_sqlite *st, int level, struct kerr *err)
{
	int rc;

	if ((rc = vocab_open(st, level, +1, err)))
		return rc;
	st->tap.cb = vocab_tok;
	st->tap.ctx = st->vocab;
	return 0;
}

int ksqlite_vocab_untap(struct kstore_sqlite *st, int ok, struct kerr *err)
{
	st->tap.cb = NULL;
	st->tap.ctx = NULL;
	if (!st->vocab)
		return 0;
	if (st->vocab->rc)
		return kerr_set(err, st->vocab->rc, "out of memory");
	return ok ? vocab_close(st, err) : 0;
}

/*
 * Count (+1) or uncount (-1) the case rid as it is stored now (its text in
 * case_text, its level in cases), in the open transaction.  A case without
 * text (not stored) counts nothing.
 */
int ksqlite_vocab_case(struct kstore_sqlite *st, long long rid, int sign, struct kerr *err)
{
	sqlite3_stmt *s = st->vocab_get;
	const char *cols[KCOL__N];
	int lens[KCOL__N], rc;

	if (!s && (rc = ksqlite_prepare(st, "SELECT c.tlp, t.title, t.summary, t.lessons, t.body, t.timeline, t.meta"
					" FROM case_text t JOIN cases c ON c.rid = t.rid WHERE t.rid = ?1",
					&st->vocab_get, err)))
		return rc;
	s = st->vocab_get;
	sqlite3_bind_int64(s, 1, rid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < KCOL__N; i++) {
			cols[i] = (const char *)sqlite3_column_text(s, 1 + i);
			lens[i] = sqlite3_column_bytes(s, 1 + i);
		}
		rc = vocab_count(st, ktlp_rank((const char *)sqlite3_column_text(s, 0)), sign, cols, lens, KCOL__N,
				 err);
	} else {
		rc = rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "counting the vocabulary");
	}
	sqlite3_reset(s);
	return rc;
}

/* Write the pending counts into case_vocab (in the open transaction). */
int ksqlite_vocab_flush(struct kstore_sqlite *st, struct kerr *err)
{
	struct ksqlite_vocab *vc = st->vocab;
	sqlite3_stmt *up = NULL, *del = NULL;
	int rc = 0;

	if (!vc || !vc->n)
		return 0;
	if ((rc = ksqlite_prepare(st, "INSERT INTO case_vocab(term, level, df, tokens) VALUES(?1, ?2, ?3, ?4)"
				  " ON CONFLICT(term, level) DO UPDATE SET df = df + excluded.df,"
				  " tokens = tokens + excluded.tokens", &up, err)) ||
	    (rc = ksqlite_prepare(st, "DELETE FROM case_vocab WHERE term = ?1 AND level = ?2 AND df <= 0", &del,
				  err)))
		goto out;
	for (size_t i = 0; i < vc->cap; i++) {
		struct vent *e = &vc->v[i];

		/* a level's term '' is written when its total of tokens changed too
		 * (an update at the same level: one case less and one more) */
		if (!e->used || (!e->delta && (e->len || !vc->tokens[e->level])))
			continue;
		sqlite3_bind_text(up, 1, e->len ? vc->keys + e->off : "", e->len, SQLITE_STATIC);
		sqlite3_bind_int(up, 2, e->level);
		sqlite3_bind_int(up, 3, e->delta);
		sqlite3_bind_int64(up, 4, e->len ? 0 : vc->tokens[e->level]);
		if ((rc = ksqlite_step_done(st, up, err, "storing the vocabulary")))
			goto out;
		if (e->delta < 0) {
			sqlite3_bind_text(del, 1, e->len ? vc->keys + e->off : "", e->len, SQLITE_STATIC);
			sqlite3_bind_int(del, 2, e->level);
			if ((rc = ksqlite_step_done(st, del, err, "storing the vocabulary")))
				goto out;
		}
	}
	vocab_reset(vc);
out:
	sqlite3_finalize(up);
	sqlite3_finalize(del);
	return rc;
}

/* Count every stored case anew (migration 16; in the migration's transaction). */
int ksqlite_vocab_rebuild(struct kstore_sqlite *st, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	ksqlite_vocab_forget(st);
	if ((rc = ksqlite_prepare(st, "DELETE FROM case_vocab", &s, err)) ||
	    (rc = ksqlite_step_done(st, s, err, "counting the vocabulary")))
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if ((rc = ksqlite_prepare(st, "SELECT t.rid FROM case_text t JOIN cases c ON c.rid = t.rid", &s, err)))
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = ksqlite_vocab_case(st, sqlite3_column_int64(s, 0), +1, err)))
			goto out;
	if (rc != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "counting the vocabulary");
		goto out;
	}
	rc = ksqlite_vocab_flush(st, err);
out:
	sqlite3_finalize(s);
	if (rc)
		ksqlite_vocab_forget(st);
	return rc;
}

/*
 * The statistics for reader r: the cases of the levels r sees in full
 * (kreader_levels_always: TLP:CLEAR for anonymous readers, every level for
 * the local operator).  Cases r sees only as its organisation's, its
 * sectors' or as a named recipient are not counted: the statistics are
 * never made of cases r may not see.
 */
static int vocab_sum(struct kstore_sqlite *st, const struct kreader *r, const char *term, int n, long *df,
		     double *tokens, struct kerr *err)
{
	unsigned m = kreader_levels_always(r);
	sqlite3_stmt *s = st->vocab_df;
	int rc;

	*df = 0;
	if (tokens)
		*tokens = 0;
	if (!s && (rc = ksqlite_prepare(st, "SELECT level, df, tokens FROM case_vocab WHERE term = ?1", &st->vocab_df,
					err)))
		return rc;
	s = st->vocab_df;
	sqlite3_bind_text(s, 1, term, n, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int level = sqlite3_column_int(s, 0);

		if (level >= 0 && level < 5 && (m >> level & 1)) {
			*df += (long)sqlite3_column_int64(s, 1);
			if (tokens)
				*tokens += (double)sqlite3_column_int64(s, 2);
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "reading the vocabulary");
}

int ksqlite_term_df(struct kstore *kst, const struct kreader *r, const char *tok, int ntok, long *df,
		    struct kerr *err)
{
	if (ntok <= 0) {
		*df = 0;
		return 0;
	}
	return vocab_sum(ksqlite(kst), r, tok, ntok, df, NULL, err);
}

int ksqlite_term_docs(struct kstore *kst, const struct kreader *r, long *n, double *avgdl, struct kerr *err)
{
	double tokens = 0;
	int rc = vocab_sum(ksqlite(kst), r, "", 0, n, &tokens, err);

	if (avgdl)
		*avgdl = *n > 0 && tokens > 0 ? tokens / (double)*n : 1.0;
	return rc;
}

/* Runs one statement that gives one count; creates the fts5vocab table it reads first. */
/* The sum of a docsize record's column sizes (nCol SQLite varints): a case's length in tokens. */
int ksqlite_docsize_sum(const unsigned char *p, int n)
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

static void sql_docsize_sum(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int64(ctx, ksqlite_docsize_sum(sqlite3_value_blob(argv[0]), sqlite3_value_bytes(argv[0])));
}

/*
 * kyokun_docsize_sum(sz): a row of case_fts_docsize as its length in
 * tokens, for the check of the levels' totals of tokens and migration 18
 * (the index's own count of a case's tokens: every token the tokenizer
 * gives, none colocated, as the vocabulary counts them).
 */
int ksqlite_vocab_register(sqlite3 *db, struct kerr *err)
{
	if (sqlite3_create_function(db, "kyokun_docsize_sum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				    NULL, sql_docsize_sum, NULL, NULL) != SQLITE_OK)
		return kerr_set(err, KE_DB, "registering kyokun_docsize_sum: %s", sqlite3_errmsg(db));
	return 0;
}

static int check_count(struct kstore_sqlite *st, const char *vtab, const char *sql, long *n, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	char *msg = NULL;
	int rc;

	*n = 0;
	if (vtab && sqlite3_exec(st->db, vtab, NULL, NULL, &msg) != SQLITE_OK) {
		rc = kerr_set(err, KE_DB, "checking the vocabulary: %s", msg ? msg : "failed");
		sqlite3_free(msg);
		return rc;
	}
	if ((rc = ksqlite_prepare(st, sql, &s, err)))
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = ksqlite_db_err(st, err, "checking the vocabulary");
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * kyokun check: case_vocab against a recount from the full-text index.
 *
 * First the cheap comparison: each term's cases over all levels against
 * fts5vocab's row table (the index's own count of documents per term), each
 * level's case count (term '') against the cases, and no count of zero or
 * less.  Only when that finds a difference does the full recount run
 * (fts5vocab's instances joined to the cases' levels: every token of every
 * case), which says how many (term, level) pairs differ.  The one damage the
 * first pass cannot see, a term's cases moved between levels while every
 * total and every level's case count stays right, cannot come from a write
 * of kyokun's (a case's old text and level are uncounted and its new ones
 * counted in the same transaction).
 * *bad: the (term, level) pairs whose counts differ (or are missing on one side);
 * *bad_tokens: the levels whose total of tokens (term '') is not the sum of
 * their cases' lengths in the index (case_fts_docsize), compared every time.
 */
int ksqlite_vocab_check(struct kstore_sqlite *st, long *bad, long *bad_tokens, struct kerr *err)
{
	static const char quick[] =
		"WITH t(term, df) AS (SELECT term, sum(df) FROM case_vocab WHERE term <> '' GROUP BY term),"
		" lv(level, n) AS (SELECT CASE tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1"
		"   WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3 ELSE 4 END, count(*) FROM cases"
		"   WHERE rid IN (SELECT rid FROM case_text) GROUP BY 1)"
		" SELECT (SELECT count(*) FROM (SELECT term, doc FROM temp.kyokun_vocab_r EXCEPT SELECT term, df FROM t))"
		"  + (SELECT count(*) FROM (SELECT term, df FROM t EXCEPT SELECT term, doc FROM temp.kyokun_vocab_r))"
		"  + (SELECT count(*) FROM (SELECT '', level, n FROM lv EXCEPT"
		"      SELECT term, level, df FROM case_vocab WHERE term = ''))"
		"  + (SELECT count(*) FROM (SELECT term, level, df FROM case_vocab WHERE term = '' EXCEPT"
		"      SELECT '', level, n FROM lv))"
		"  + (SELECT count(*) FROM case_vocab WHERE df <= 0 OR level NOT BETWEEN 0 AND 4)";
	static const char recount[] =
		"WITH lv(rid, level) AS (SELECT rid, CASE tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1"
		"   WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3 ELSE 4 END FROM cases"
		"   WHERE rid IN (SELECT rid FROM case_text)),"
		" r(term, level, df) AS ("
		"   SELECT i.term, lv.level, count(DISTINCT i.doc) FROM temp.kyokun_vocab_i i"
		"   JOIN lv ON lv.rid = i.doc GROUP BY i.term, lv.level"
		"   UNION ALL SELECT '', level, count(*) FROM lv GROUP BY level)"
		" SELECT count(*) FROM (SELECT term, level FROM (SELECT term, level, df FROM r EXCEPT"
		"   SELECT term, level, df FROM case_vocab) UNION"
		" SELECT term, level FROM (SELECT term, level, df FROM case_vocab EXCEPT"
		"   SELECT term, level, df FROM r))";
	static const char tokens[] =
		"WITH t(level, n) AS (SELECT CASE c.tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1"
		"   WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3 ELSE 4 END, sum(kyokun_docsize_sum(d.sz))"
		"   FROM cases c JOIN case_fts_docsize d ON d.id = c.rid GROUP BY 1)"
		" SELECT count(*) FROM (SELECT level FROM (SELECT level, n FROM t EXCEPT"
		"   SELECT level, tokens FROM case_vocab WHERE term = '')"
		"  UNION SELECT level FROM (SELECT level, tokens FROM case_vocab WHERE term = '' EXCEPT"
		"   SELECT level, n FROM t)) AS d";
	long n = 0;
	int rc;

	*bad = 0;
	/* each level's total of tokens (the mean length of its cases) against the index's lengths */
	if ((rc = check_count(st, NULL, tokens, bad_tokens, err)))
		return rc;
	if ((rc = check_count(st, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kyokun_vocab_r"
			      " USING fts5vocab(main, case_fts, row)", quick, &n, err)) || n == 0)
		return rc;
	return check_count(st, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kyokun_vocab_i"
			   " USING fts5vocab(main, case_fts, instance)", recount, bad, err);
}
