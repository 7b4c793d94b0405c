/*
 * store_sqlite_cover.c - long phrases matched on a cover of their bigrams
 * (see store_sqlite_cover.h).
 */
#include "store_sqlite_cover.h"
#include "store.h"
#include "store_query.h"
#include "store_sqlite.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "tokenizer.h"
#include "utf8.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A phrase is covered only when its cover reads at most this share of its lists (by the vocabulary's counts) ... */
#define COVER_SHARE 0.8
/* ... and at least this many rows fewer (a rare phrase costs little either way, and a covered one
 * has each row of the run checked) */
#define COVER_MIN_SAVE 2000.0
/* Each list read costs this much beyond its rows (its lookup). */
#define COVER_LIST_COST 16.0
/* The most places of single characters read for one search (8 bytes each): past it, no cover. */
#define COVER_MAX_UPOS (1u << 20)
/* The most single characters a run checks. */
#define COVER_MAX_UNI 32
/* A list read costs its rows up to this many times the rows of the rarest list of its phrase. */
#define COVER_SKIP 16.0
/* A single character's place read costs this many of a list's rows (each row of its list is
 * handed to kyokun_upos(), each place kept). */
#define COVER_UNI 4.0

static atomic_ulong covered;   /* kcover_runs() */
static atomic_int test_always; /* kcover__test_always() */

/*
 * pnext() gives what xPhraseNext() gives (checked on the first phrases
 * with more than one instance this process sees): 1 yes, -1 no (FTS5's
 * calls from then on), 0 not yet known.
 */
static _Atomic int pnext_ok;
static _Atomic int pnext_checks;

unsigned long kcover_runs(void)
{
	return atomic_load(&covered);
}

void kcover__test_always(int on)
{
	atomic_store(&test_always, on);
}

int kcover__pnext_state(void)
{
	return pnext_ok;
}

/* A phrase's query tokens, when every one is a bigram of CJK characters. */
struct toks {
	int n, bad;
	char t[KCOVER_MAX_TOK + 1][8];
	unsigned char len[KCOVER_MAX_TOK + 1];
	unsigned char alen[KCOVER_MAX_TOK + 1]; /* the bytes of its first character */
	uint32_t a[KCOVER_MAX_TOK + 1], b[KCOVER_MAX_TOK + 1];
};

static int toks_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct toks *t = ctx;
	uint32_t a, b;
	int la, lb;

	(void)start;
	(void)end;
	if (t->bad)
		return 0;
	if (t->n > KCOVER_MAX_TOK || ntok < 2 || ntok > 8 || (la = kutf8_decode(tok, (size_t)ntok, &a)) < 0 ||
	    la >= ntok || (lb = kutf8_decode(tok + la, (size_t)(ntok - la), &b)) < 0 || la + lb != ntok ||
	    !ktok_is_cjk((int)a) || !ktok_is_cjk((int)b)) {
		t->bad = 1;
		return 0;
	}
	memcpy(t->t[t->n], tok, (size_t)ntok);
	t->len[t->n] = (unsigned char)ntok;
	t->alen[t->n] = (unsigned char)la;
	t->a[t->n] = a;
	t->b[t->n] = b;
	t->n++;
	return 0;
}

struct ctx {
	struct kstore_sqlite *st;
	struct kcover *cv;
	struct kbuf text;
	char uni[COVER_MAX_UNI][4];
	unsigned char ulen[COVER_MAX_UNI];
	struct kerr *err;
};

static int df_of(struct ctx *c, const char *tok, int len, double *df)
{
	long n = 0;
	int rc = ksqlite_term_df(&c->st->base, &kreader_local, tok, len, &n, c->err);

	*df = (double)n;
	return rc;
}

/* The single character u (len bytes) numbered among the run's: its number, -1 too many. */
static int uni_of(struct ctx *c, const char *u, int len)
{
	for (int i = 0; i < c->cv->nuni; i++)
		if (c->ulen[i] == len && !memcmp(c->uni[i], u, (size_t)len))
			return i;
	if (c->cv->nuni >= COVER_MAX_UNI)
		return -1;
	memcpy(c->uni[c->cv->nuni], u, (size_t)len);
	c->ulen[c->cv->nuni] = (unsigned char)len;
	return c->cv->nuni++;
}

static int add_quoted(struct kbuf *b, const char *s, size_t n)
{
	int rc = kbuf_addch(b, '"');

	for (size_t i = 0; i < n; i++)
		rc |= s[i] == '"' ? kbuf_adds(b, "\"\"") : kbuf_addch(b, s[i]);
	return rc | kbuf_addch(b, '"');
}

/*
 * Phrase i (p) planned: ph->m 1 (whole) or its cover, chosen by the cheapest
 * lists (dp over the places: each bigram taken, the next one or two places
 * on, the character between counted where two apart).  0, or an error.
 */
static int plan(struct ctx *c, const struct kphrase *p, struct kcover_ph *ph, struct toks *t)
{
	double dfb[KCOVER_MAX_TOK], dfu[KCOVER_MAX_TOK], cost[KCOVER_MAX_TOK], dp[KCOVER_MAX_TOK], full = 0;
	signed char from[KCOVER_MAX_TOK], at[KCOVER_MAX_TOK];
	int rc, n, m = 0, rare = 0, always = atomic_load(&test_always);

	ph->m = 1;
	t->n = t->bad = 0;
	if (p->prefix || !p->text || ktok_tokenize(p->text, -1, 1, toks_cb, t) || t->bad || t->n < 3 ||
	    t->n > KCOVER_MAX_TOK)
		return 0;
	n = t->n;
	for (int k = 0; k + 1 < n; k++)
		if (t->b[k] != t->a[k + 1])
			return 0; /* not one stretch of bigrams */
	for (int k = 0; k < n; k++) {
		if ((rc = df_of(c, t->t[k], t->len[k], &dfb[k])) < 0)
			return rc;
		if (k == 0 || dfb[k] < dfb[rare])
			rare = k;
		/* a rare list bounds them all (below): nothing much to save, no more to look up */
		if (!always && n * (COVER_LIST_COST + COVER_SKIP * dfb[rare]) < COVER_MIN_SAVE)
			return 0;
	}
	for (int k = 1; k < n; k++)
		if ((rc = df_of(c, t->t[k], t->alen[k], &dfu[k])) < 0)
			return rc;
	/* FTS5 walks a phrase's (an AND's) rarest list and skips through the others: a list
	 * costs its rows up to COVER_SKIP times the rarest one's, and the rarest stays in the cover */
	for (int k = 0; k < n; k++) {
		cost[k] = COVER_LIST_COST + (dfb[k] < COVER_SKIP * dfb[rare] ? dfb[k] : COVER_SKIP * dfb[rare]);
		if (always)
			cost[k] = 1, dfu[k] = 0; /* the fewest tokens, whatever they cost */
		full += cost[k];
	}
	dp[0] = cost[0];
	from[0] = -1;
	for (int k = 1; k < n; k++) {
		double one = dp[k - 1],
		       two = k >= 2 && (k - 1 != rare || always) ? dp[k - 2] + COVER_UNI * dfu[k - 1] : -1;

		from[k] = (signed char)(two >= 0 && two < one ? k - 2 : k - 1);
		dp[k] = cost[k] + (two >= 0 && two < one ? two : one);
	}
	if (always ? dp[n - 1] >= full : dp[n - 1] > COVER_SHARE * full || full - dp[n - 1] < COVER_MIN_SAVE)
		return 0;
	for (int k = n - 1; k >= 0; k = from[k])
		at[m++] = (signed char)k;
	ph->m = m;
	for (int j = 0; j < m; j++) {
		int k = at[m - 1 - j];

		ph->off[j] = (signed char)k;
		ph->uni[j] = -1;
		if (j > 0 && k == ph->off[j - 1] + 2) {
			int u = uni_of(c, t->t[k - 1], t->alen[k - 1]);

			if (u < 0) {
				ph->m = 1; /* too many characters to check: whole */
				return 0;
			}
			ph->uni[j] = (signed char)u;
		}
	}
	return 0;
}

/* Phrase p's text in the run as planned (ph; its tokens t): its cover's tokens ANDed, or whole.  Nonzero: no memory. */
static int put_phrase(struct ctx *c, const struct kphrase *p, const struct kcover_ph *ph, const struct toks *t)
{
	int rc;

	if (ph->m == 1)
		return add_quoted(&c->text, p->text, strlen(p->text)) | (p->prefix ? kbuf_adds(&c->text, " *") : 0);
	rc = kbuf_addch(&c->text, '(');
	for (int j = 0; j < ph->m; j++)
		rc |= (j ? kbuf_adds(&c->text, " AND ") : 0) | add_quoted(&c->text, t->t[ph->off[j]], t->len[ph->off[j]]);
	return rc | kbuf_addch(&c->text, ')');
}

/* Phrase p written as the run has it (its cover, or whole). */
static int write_phrase(struct ctx *c, const struct kphrase *p)
{
	struct kcover *cv = c->cv;
	struct kcover_ph *ph;
	struct toks t;
	int i = cv->np, rc = 0;

	if (i >= KCOVER_MAX_PHRASES)
		return 1;
	ph = &cv->ph[i];
	if ((rc = plan(c, p, ph, &t)) < 0)
		return rc;
	ph->base = cv->nfts;
	for (int j = 0; j < ph->m; j++)
		ph->fts[j] = (short)(ph->base + j);
	rc = put_phrase(c, p, ph, &t);
	if (ph->m > 1)
		cv->mask |= 1ULL << i;
	cv->nfts += ph->m;
	cv->np++;
	return rc ? KE_NOMEM : 0;
}

/* A run's phrases in order (flat_collect()), each planned, with its tokens. */
struct flat {
	const struct kphrase *p[KCOVER_MAX_PHRASES];
	struct toks t[KCOVER_MAX_PHRASES];
	int n;
};

/* n's phrases in order into f (any tree but NOT).  1: not such a run. */
static int flat_collect(struct flat *f, const struct kstore_qnode *n)
{
	int rc;

	if (!n || n->op < KSQ_PHRASE || n->op > KSQ_NOT || n->op == KSQ_NOT)
		return 1;
	if (n->op == KSQ_PHRASE) {
		if (!n->phrase.text || f->n >= KCOVER_MAX_PHRASES)
			return 1;
		f->p[f->n++] = &n->phrase;
		return 0;
	}
	if (!n->kid || !n->nkid)
		return 1;
	for (size_t i = 0; i < n->nkid; i++)
		if ((rc = flat_collect(f, n->kid[i])))
			return rc;
	return 0;
}

/* The phrase of f that is bigram tok alone, whole (-1: none). */
static int flat_alone(const struct flat *f, const struct kcover *cv, const char *tok, int len)
{
	for (int i = 0; i < f->n; i++)
		if (cv->ph[i].m == 1 && !f->p[i]->prefix && !f->t[i].bad && f->t[i].n == 1 && f->t[i].len[0] == len &&
		    !memcmp(f->t[i].t[0], tok, (size_t)len))
			return i;
	return -1;
}

/*
 * The run of every phrase of root ORed: each phrase planned (its cover, or
 * whole), then written in order; a covered phrase whose every token is
 * another phrase of the run alone (a word's parts beside it: 遠隔操作's
 * 遠隔 操作) is not written again: its tokens are read from those phrases,
 * which FTS5 reports wherever they are (an OR's), and every row holding it
 * holds them, so the run's rows are the same.  1: not such a run.
 */
static int write_flat(struct ctx *c, const struct kstore_qnode *root)
{
	struct kcover *cv = c->cv;
	struct flat *f = calloc(1, sizeof(*f));
	unsigned long long shared = 0;
	int rc = 0, written = 0;

	if (!f)
		return KE_NOMEM;
	if ((rc = flat_collect(f, root)))
		goto out;
	for (int i = 0; i < f->n; i++)
		if ((rc = plan(c, f->p[i], &cv->ph[i], &f->t[i])) < 0)
			goto out;
	/* FTS5's numbers: each phrase written in order, a shared one not at all */
	for (int i = 0; i < f->n; i++) {
		struct kcover_ph *ph = &cv->ph[i];
		int all = ph->m > 1;

		for (int j = 0; j < ph->m && all; j++)
			all = flat_alone(f, cv, f->t[i].t[ph->off[j]], f->t[i].len[ph->off[j]]) >= 0;
		ph->base = cv->nfts;
		if (all) {
			shared |= 1ULL << i;
			continue;
		}
		for (int j = 0; j < ph->m; j++)
			ph->fts[j] = (short)(ph->base + j);
		cv->nfts += ph->m;
	}
	for (int i = 0; i < f->n; i++) {
		struct kcover_ph *ph = &cv->ph[i];
		const struct toks *t = &f->t[i];

		if (ph->m > 1)
			cv->mask |= 1ULL << i;
		if (shared >> i & 1) {
			for (int j = 0; j < ph->m; j++)
				ph->fts[j] = (short)cv->ph[flat_alone(f, cv, t->t[ph->off[j]], t->len[ph->off[j]])].base;
			ph->base = ph->fts[0];
			continue;
		}
		if ((written++ && kbuf_adds(&c->text, " OR ") < 0) || put_phrase(c, f->p[i], ph, t)) {
			rc = KE_NOMEM;
			goto out;
		}
	}
	cv->np = f->n;
out:
	free(f);
	return rc;
}

/* n written: ORs of phrases (an AND of one kid as the kid).  1: not such a run. */
static int write_node(struct ctx *c, const struct kstore_qnode *n)
{
	int rc;

	if (!n || n->op < KSQ_PHRASE || n->op > KSQ_NOT || n->op == KSQ_NOT)
		return 1;
	if (n->op == KSQ_PHRASE)
		return n->phrase.text ? write_phrase(c, &n->phrase) : 1;
	if (!n->kid || !n->nkid || (n->op == KSQ_AND && n->nkid > 1))
		return 1;
	if (n->nkid > 1 && kbuf_addch(&c->text, '(') < 0)
		return KE_NOMEM;
	for (size_t i = 0; i < n->nkid; i++) {
		if (i && kbuf_adds(&c->text, " OR ") < 0)
			return KE_NOMEM;
		if ((rc = write_node(c, n->kid[i])))
			return rc;
	}
	return n->nkid > 1 && kbuf_addch(&c->text, ')') < 0 ? KE_NOMEM : 0;
}

/* kyokun_upos(case_fts, cv) */
void kcover_upos_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sctx, int argc,
		    sqlite3_value **argv)
{
	struct kcover *cv = argc > 0 ? sqlite3_value_pointer(argv[0], "kyokun_cover") : NULL;

	sqlite3_result_null(sctx);
	if (!cv || api->xPhraseCount(fts) != cv->nuni)
		return;
	if (KGROW(cv->urid, cv->crid, cv->nurow + 1) < 0 || KGROW(cv->ufirst, cv->cfirst, cv->nurow + 2) < 0) {
		sqlite3_result_error_nomem(sctx);
		return;
	}
	cv->urid[cv->nurow] = api->xRowid(fts);
	cv->ufirst[cv->nurow] = cv->nupos;
	for (int u = 0; u < cv->nuni; u++) {
		Fts5PhraseIter it;
		int col = -1, off = -1;

		if (api->xPhraseFirst(fts, u, &it, &col, &off) != SQLITE_OK)
			continue;
		for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off)) {
			if (cv->nupos >= COVER_MAX_UPOS || KGROW(cv->upos, cv->cupos, cv->nupos + 1) < 0) {
				sqlite3_result_error_code(sctx, cv->nupos >= COVER_MAX_UPOS ? SQLITE_FULL : SQLITE_NOMEM);
				return;
			}
			cv->upos[cv->nupos++] = (struct kcover_upos){ (unsigned char)u, (unsigned char)col, off };
		}
	}
	cv->nurow++;
	cv->ufirst[cv->nurow] = cv->nupos;
}

/* The single characters' places: one run over their lists.  1: too many (no cover). */
static int load_upos(struct ctx *c, struct kerr *err)
{
	struct kcover *cv = c->cv;
	struct kbuf m = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	for (int u = 0; u < cv->nuni && !rc; u++)
		rc = (u ? kbuf_adds(&m, " OR ") : 0) | add_quoted(&m, c->uni[u], c->ulen[u]);
	if (rc) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ksqlite_prepare(c->st, "SELECT kyokun_upos(case_fts, ?1) FROM case_fts WHERE case_fts MATCH ?2"
				  " ORDER BY rowid",
				  &s, err)))
		goto out;
	sqlite3_bind_pointer(s, 1, cv, "kyokun_cover", NULL);
	sqlite3_bind_text(s, 2, kbuf_str(&m), -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (r == SQLITE_FULL)
		rc = 1;
	else if (r == SQLITE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	else if (r != SQLITE_DONE)
		rc = ksqlite_db_err(c->st, err, "search: phrases");
out:
	sqlite3_finalize(s);
	kbuf_release(&m);
	return rc;
}

void kcover_free(struct kcover *cv)
{
	if (!cv)
		return;
	free(cv->text);
	free(cv->urid);
	free(cv->ufirst);
	free(cv->upos);
	free(cv);
}

int kcover_make(struct kstore_sqlite *st, const struct kstore_qnode *root, int flat, struct kcover **out,
		struct kerr *err)
{
	struct ctx c = { .st = st, .text = KBUF_INIT, .err = err };
	int rc;

	*out = NULL;
	if (!(c.cv = calloc(1, sizeof(*c.cv))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = flat ? write_flat(&c, root) : write_node(&c, root))) {
		if (rc == KE_NOMEM)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!c.cv->mask || !kbuf_str(&c.text)) {
		rc = !kbuf_str(&c.text) ? kerr_set(err, KE_NOMEM, "out of memory") : 1;
		goto out;
	}
	if (c.cv->nuni && (rc = load_upos(&c, err)))
		goto out;
	c.cv->text = kbuf_detach(&c.text, NULL);
	atomic_fetch_add(&covered, 1);
	*out = c.cv;
	c.cv = NULL;
out:
	kbuf_release(&c.text);
	kcover_free(c.cv);
	return rc < 0 ? rc : 0;
}

/*
 * The row at->rid among the rows holding a single character (cv->urid, ascending), -1 if not
 * one of them: from where the last look ended, in steps doubling, then halving (krids_find();
 * a run's rows come in ascending order: most looks take a step or two); from the start if the
 * run went back.
 */
static long urow_find(const struct kcover *cv, struct kcover_at *at)
{
	size_t lo = at->hint, hi, n = cv->nurow, step = 1;
	long k;

	if (lo > n || (lo > 0 && cv->urid[lo - 1] >= at->rid))
		lo = 0;
	hi = lo;
	while (hi < n && cv->urid[hi] < at->rid) {
		lo = hi + 1;
		hi += step;
		step *= 2;
	}
	if (hi >= n)
		hi = n - 1;
	/* every row before lo is before at->rid: the next look starts there */
	at->hint = lo;
	if (lo >= n)
		return -1;
	k = krids_find(&(struct krids){ cv->urid + lo, hi - lo + 1 }, at->rid);
	return k < 0 ? -1 : (long)lo + k;
}

/* Is single character u at (col, off) in row k of the places read? */
static int upos_at(const struct kcover *cv, long k, int u, int col, int off)
{
	for (size_t e = cv->ufirst[k]; e < cv->ufirst[k + 1]; e++)
		if (cv->upos[e].off == off && cv->upos[e].col == col && cv->upos[e].uni == u)
			return 1;
	return 0;
}


/* A varint of FTS5's lists (SQLite's: high bits first) at *pp, before e; -1 if it does not end there. */
static inline int getv(const unsigned char **pp, const unsigned char *e, unsigned *v)
{
	const unsigned char *p = *pp;
	unsigned x = 0, c;
	int n = 0;

	do {
		if (p >= e || ++n > 5)
			return -1;
		c = *p++;
		x = x << 7 | (c & 0x7f);
	} while (c & 0x80);
	*pp = p;
	*v = x;
	return 0;
}

/*
 * The next instance of a phrase iterator, as xPhraseNext() gives it (FTS5's
 * position list: a varint per instance, its offset's step + 2; where a
 * column begins, 1, its number and its first offset + 2), without a call
 * per instance (most of a covered phrase's check).  A list that ends inside
 * a varint ends there.
 */
static inline __attribute__((always_inline)) void pnext(Fts5PhraseIter *it, int *col, int *off)
{
	const unsigned char *p = it->a;
	unsigned v;

	if (!p || p >= it->b || getv(&p, it->b, &v))
		goto end;
	if (v == 1) {
		if (getv(&p, it->b, &v))
			goto end;
		*col = (int)v;
		*off = 0;
		if (getv(&p, it->b, &v))
			goto end;
	}
	*off += (int)v - 2;
	it->a = p;
	return;
end:
	it->a = it->b;
	*col = *off = -1;
}

/* The next instance of token j's iterator: pnext(), or FTS5's own call where pnext() was found wrong. */
static inline __attribute__((always_inline)) void step(const Fts5ExtensionApi *api, Fts5Context *fts, int ok,
							Fts5PhraseIter *it, int *col, int *off)
{
	if (ok > 0)
		pnext(it, col, off);
	else
		api->xPhraseNext(fts, it, col, off);
}

/* pnext() against xPhraseNext() on phrase i of the row (pnext_ok). */
static void pnext_check(const Fts5ExtensionApi *api, Fts5Context *fts, int i)
{
	Fts5PhraseIter a, b;
	int ca = -1, oa = -1, cb = -1, ob = -1, n = 0;

	if (api->xPhraseFirst(fts, i, &a, &ca, &oa) != SQLITE_OK || ca < 0)
		return;
	b = a;
	cb = ca;
	ob = oa;
	while (ca >= 0 && cb >= 0 && ca == cb && oa == ob) {
		api->xPhraseNext(fts, &a, &ca, &oa);
		pnext(&b, &cb, &ob);
		n++;
	}
	if (ca != cb || oa != ob)
		pnext_ok = -1;
	else if (n > 1 && ++pnext_checks >= 64 && pnext_ok == 0)
		pnext_ok = 1;
}

/*
 * kcover_held()'s walk over the cover's places, stepping with pnext() (fast
 * > 0) or FTS5's calls: inlined once for each, so that no step asks which.
 */
static inline __attribute__((always_inline)) int held_walk(const struct kcover *cv, const struct kcover_ph *ph,
							   const Fts5ExtensionApi *api, Fts5Context *fts,
							   struct kcover_at *at, const double *w, int nw, double *f,
							   const int fast)
{
	Fts5PhraseIter it[KCOVER_MAX_TOK];
	int col[KCOVER_MAX_TOK], off[KCOVER_MAX_TOK], gaps = 0, held = 0;
	double sum = 0;

	for (int j = 0; j < ph->m; j++) {
		col[j] = -1;
		if (api->xPhraseFirst(fts, ph->fts[j], &it[j], &col[j], &off[j]) != SQLITE_OK || col[j] < 0)
			return 0;
		gaps |= ph->uni[j] >= 0;
	}
	while (col[0] >= 0) {
		int c = col[0], p = off[0], hit = 1;

		for (int j = 1; j < ph->m && hit; j++) {
			int want = p + ph->off[j];

			while (col[j] >= 0 && (col[j] < c || (col[j] == c && off[j] < want)))
				step(api, fts, fast, &it[j], &col[j], &off[j]);
			if (col[j] < 0)
				goto done; /* no later start can hold */
			hit = col[j] == c && off[j] == want;
		}
		if (hit && gaps && cv->nurow) {
			/* no stretch of CJK text ends between two bigrams of the cover two places apart */
			if (at->urow == -2)
				at->urow = urow_find(cv, at);
			for (int j = 1; j < ph->m && hit && at->urow >= 0; j++)
				if (ph->uni[j] >= 0 && upos_at(cv, at->urow, ph->uni[j], c, p + ph->off[j - 1] + 1))
					hit = 0;
		}
		if (hit) {
			held = 1;
			sum += c < nw ? w[c] : 1.0;
		}
		step(api, fts, fast, &it[0], &col[0], &off[0]);
	}
done:
	*f = sum;
	return held;
}

int kcover_held(const struct kcover *cv, const Fts5ExtensionApi *api, Fts5Context *fts, struct kcover_at *at, int i,
		const double *w, int nw, double *f)
{
	const struct kcover_ph *ph = &cv->ph[i];
	int fast = pnext_ok;

	if (fast > 0)
		return held_walk(cv, ph, api, fts, at, w, nw, f, 1);
	if (fast == 0)
		pnext_check(api, fts, ph->fts[0]);
	return held_walk(cv, ph, api, fts, at, w, nw, f, -1); /* not yet known, or found wrong: FTS5's calls */
}
