/*
 * similar.c - cases like a case or a text, by their distinctive terms (see
 * similar.h).
 */
#include "similar.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "search_int.h"
#include "store_search.h"
#include "utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cand {
	char *norm;      /* normalised word: the key */
	char *word;      /* as first written */
	double tf;       /* weighted count */
	double df;       /* cases holding it (the reader's statistics) */
	double score;
	int verify;      /* too rare for the sample: check it is in another case */
};

struct cands {
	struct cand *v;
	size_t n, alloc;
	size_t *slot;    /* a hash of v by norm: index + 1, 0 = empty (a pasted text has thousands) */
	size_t nslot;    /* a power of two, at least twice n */
};

static size_t norm_hash(const char *s)
{
	size_t h = 1469598103934665603ULL & (size_t)-1;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* Where norm is in cs->slot, or the empty slot where it would go. */
static size_t cand_slot(const struct cands *cs, const char *norm)
{
	size_t i = norm_hash(norm) & (cs->nslot - 1);

	while (cs->slot[i] && strcmp(cs->v[cs->slot[i] - 1].norm, norm))
		i = (i + 1) & (cs->nslot - 1);
	return i;
}

/* Room in the hash for one more. */
static int cand_rehash(struct cands *cs)
{
	size_t n = cs->nslot ? cs->nslot : 64, *old = cs->slot, oldn = cs->nslot;

	if (cs->nslot && (cs->n + 1) * 2 <= cs->nslot)
		return 0;
	while ((cs->n + 1) * 2 > n)
		n *= 2;
	if (!(cs->slot = calloc(n, sizeof(*cs->slot)))) {
		cs->slot = old;
		return KE_NOMEM;
	}
	cs->nslot = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			cs->slot[cand_slot(cs, cs->v[old[i] - 1].norm)] = old[i];
	free(old);
	return 0;
}

/* Does r see some cases of a level only by a condition (their organisation, sector, name)? */
static int sees_some_conditionally(const struct kreader *r)
{
	for (int i = 0; i < 5; i++) {
		unsigned rule = kreader_level_rule(r, i);

		if (rule && !(rule & KRULE_ALL))
			return 1;
	}
	return 0;
}

/* The cases other than self holding the normalised word w that filter f (its reader) lets through. */
static int visible_rows(struct kstore *st, const char *w, const struct kfilter *f, long long self, long *n,
			struct kerr *err)
{
	struct kstore_qnode leaf = { .op = KSQ_PHRASE, .phrase = { .text = (char *)w, .term = 0 } };
	struct kstore_query q = { .root = &leaf };
	struct kfilter g = *f;

	g.limit = g.offset = 0;
	return kstore_search_count(st, &q, &g, self, n, err);
}

static int cand_add(struct cands *cs, const char *w, size_t n, double weight)
{
	char *norm = norm_dup(w, n);

	size_t at;

	if (!norm)
		return KE_NOMEM;
	if (cand_rehash(cs) < 0) {
		free(norm);
		return KE_NOMEM;
	}
	at = cand_slot(cs, norm);
	if (cs->slot[at]) {
		cs->v[cs->slot[at] - 1].tf += weight;
		free(norm);
		return 0;
	}
	if (KGROW(cs->v, cs->alloc, cs->n + 1) < 0) {
		free(norm);
		return KE_NOMEM;
	}
	cs->v[cs->n].norm = norm;
	cs->v[cs->n].word = strndup(w, n);
	cs->v[cs->n].tf = weight;
	cs->v[cs->n].score = 0;
	cs->v[cs->n].verify = 0;
	if (!cs->v[cs->n].word) {
		free(norm);
		return KE_NOMEM;
	}
	cs->slot[at] = ++cs->n;
	return 0;
}

static void cands_free(struct cands *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].norm);
		free(cs->v[i].word);
	}
	free(cs->v);
	free(cs->slot);
}

/*
 * Content words of text: runs of kanji (2+), katakana (2+), Latin letters
 * (2+, not only digits).  A kanji run right after a digit is a counter or a
 * unit (1日目, 2週目, 24時間, 2年度), not content, and is left out.
 */
static int extract_words(const char *text, double weight, struct cands *cs)
{
	size_t len = strlen(text), pos = 0, rs = 0;
	int cls = CL_OTHER, nch = 0, alpha = 0, rc, after_digit = 0;
	int32_t prev = 0, run_prev = 0;

	while (pos <= len) {
		int32_t cp = 0;
		int l = 1, c = CL_OTHER;

		if (pos < len) {
			l = u8_next(text + pos, len - pos, &cp);
			c = char_class(cp);
			if (cp == 0x30FC && cls == CL_KATA)
				c = CL_KATA;
			if (c == CL_LATIN && cls == CL_LATIN && (cp == '.' || cp == '-'))
				c = CL_LATIN;
		}
		if (c != cls || pos == len) {
			after_digit = (run_prev >= '0' && run_prev <= '9') || (run_prev >= 0xFF10 && run_prev <= 0xFF19);
			if ((cls == CL_KANJI || cls == CL_KATA) && nch >= 2 && nch <= 16 &&
			    !(cls == CL_KANJI && after_digit)) {
				if ((rc = cand_add(cs, text + rs, pos - rs, weight)) < 0)
					return rc;
			} else if (cls == CL_LATIN && nch >= 2 && nch <= 40 && alpha) {
				if ((rc = cand_add(cs, text + rs, pos - rs, weight)) < 0)
					return rc;
			}
			cls = c;
			rs = pos;
			nch = 0;
			alpha = 0;
			run_prev = prev;
		}
		nch++;
		if (cp > '9' || cp < '0')
			alpha = 1;
		prev = cp;
		pos += (size_t)l;
		if (pos > len)
			break;
	}
	return 0;
}

/*
 * Term statistics: a word's document frequency is that of its least
 * frequent index token, from the vocabulary (kstore_term_df: exact, one
 * lookup a token), counting only the cases the reader sees in full.
 */
struct mindf {
	struct kstore *st;
	const struct kreader *reader;
	long df;
	int rc;
	struct kerr *err;
};

/*
 * In a library of SIMILAR_COMMON_FROM cases or more, a word in more than
 * this share of them is not a distinctive term: the cases sharing it are
 * most of the library (the match, and its time, grow with them) and its idf
 * is a small part of any score.
 */
#ifndef SIMILAR_COMMON /* bench/similar_cut.sh builds it with other values to weigh the cut */
#define SIMILAR_COMMON 0.05
#endif
#ifndef SIMILAR_COMMON_FROM
#define SIMILAR_COMMON_FROM 1000
#endif

static int df_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct mindf *m = ctx;
	long df;

	(void)start;
	(void)end;
	if ((m->rc = kstore_term_df(m->st, m->reader, tok, ntok, &df, m->err)) < 0)
		return 1;
	if (m->df < 0 || df < m->df)
		m->df = df;
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->norm, y->norm);
}

static int tf_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	double sx = x->tf * (double)strlen(x->norm), sy = y->tf * (double)strlen(y->norm);

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(x->norm, y->norm);
}

/* Weights of the columns for a case's distinctive terms. */
static const double sim_weight[KCOL__N] = { 3.0, 2.0, 2.0, 1.0, 1.0, 0.5 };

int ksimilar(struct kstore *st, const struct ksimilar_opts *o, struct ksearch_result *res,
	     struct kerr *err)
{
	struct cands cs = { 0 };
	struct kstore_qnode any = { .op = KSQ_OR }, *leaf = NULL;
	struct kstore_query match = { 0 };
	struct kstore_hit *sh = NULL;
	struct kfilter f = o->filter;
	char *cols[KCOL__N] = { 0 };
	long long self = 0;
	long ndocs = 0;
	double avgdl = 1, idf[64];
	size_t nsh = 0, nuse = 0;
	long limit = o->filter.limit > 0 ? o->filter.limit : 10;
	int rc, nterms = o->nterms > 0 ? o->nterms : 24, exact = 1;
	struct kphrase *phr = NULL;
	char *verify = NULL;
	double *df = NULL;

	memset(res, 0, sizeof(*res));
	res->total = -1;
	if (nterms > 60)
		nterms = 60;
	if (limit > 1000)
		limit = 1000;
	if (o->id) {
		if ((rc = kstore_case_text(st, o->id, o->filter.reader, &self, cols, err)) < 0)
			goto out;
		if (!(res->query = strdup(o->id)))
			goto nomem;
		for (int i = 0; i < KCOL__N; i++)
			if ((rc = extract_words(cols[i], sim_weight[i], &cs)) < 0)
				goto nomem;
	} else {
		if (!o->text || !*o->text) {
			rc = kerr_set(err, KE_USAGE, "similar: give a case id or a text");
			goto out;
		}
		if (strlen(o->text) > KSIMILAR_MAX_TEXT) {
			rc = kerr_set(err, KE_TOOBIG, "similar: the text is too long (at most %d bytes)",
				      KSIMILAR_MAX_TEXT);
			goto out;
		}
		if (!kutf8_valid(o->text, strlen(o->text))) {
			rc = kerr_set(err, KE_USAGE, "similar: the text is not valid UTF-8");
			goto out;
		}
		if (!(res->query = strdup(o->text)))
			goto nomem;
		{
			int bad;
			char *n = nfkc(o->text, &bad);

			if (!n)
				goto nomem;
			rc = extract_words(n, 1.0, &cs);
			free(n);
			if (rc < 0)
				goto nomem;
		}
	}
	if ((rc = kstore_term_docs(st, o->filter.reader, &ndocs, &avgdl, err)) < 0)
		goto out;
	if (cs.n == 0 || ndocs == 0) {
		res->total = 0;
		rc = 0;
		goto out;
	}
	/* document frequencies for the most frequent candidates only */
	qsort(cs.v, cs.n, sizeof(*cs.v), tf_cmp);
	nuse = cs.n < 300 ? cs.n : 300;
	if (!(phr = calloc(nuse, sizeof(*phr))) || !(df = calloc(nuse, sizeof(*df))) ||
	    !(verify = calloc(nuse, 1)) || !(leaf = calloc((size_t)nterms, sizeof(*leaf))) ||
	    !(any.kid = calloc((size_t)nterms, sizeof(*any.kid))))
		goto nomem;
	for (size_t i = 0; i < nuse; i++)
		phr[i] = (struct kphrase){ .text = cs.v[i].norm, .term = -1 };
	for (size_t i = 0; i < nuse; i++) {
		struct mindf m = { st, o->filter.reader, -1, 0, err };

		ktok_tokenize(cs.v[i].norm, -1, 1, df_tok, &m);
		if (m.rc < 0) {
			rc = m.rc;
			goto out;
		}
		df[i] = m.df < 0 ? 0 : (double)m.df;
	}
	for (size_t i = 0; i < nuse; i++) {
		double d = df[i];

		if (!exact && d < 2) {
			/* too rare for the sample: looked at if chosen */
			verify[i] = 1;
			d = 2;
		}
		int others = 0; /* d counts the cases other than the one asked about */

		if (d <= 0 && sees_some_conditionally(o->filter.reader)) {
			/* in no case of the levels this reader sees in full: perhaps in one
			 * they see by their organisation, sector or name (counted as they see) */
			long n = 0;

			if ((rc = visible_rows(st, cs.v[i].norm, &f, self, &n, err)) < 0)
				goto out;
			d = (double)n;
			others = 1;
		}
		if (d <= 0 || (o->id && d <= 1 && !others)) {
			cs.v[i].score = 0; /* only in this case: shares nothing */
			continue;
		}
		if (d > 0.5 * (double)ndocs && (ndocs > 20 || d >= (double)ndocs)) {
			cs.v[i].score = 0; /* everywhere (in a small library: in every case) */
			continue;
		}
		if (ndocs >= SIMILAR_COMMON_FROM && d > SIMILAR_COMMON * (double)ndocs) {
			cs.v[i].score = 0; /* common: says little, and would make the match most of the library */
			continue;
		}
		cs.v[i].score = (1.0 + log(cs.v[i].tf)) * log(1.0 + (double)ndocs / d);
		cs.v[i].verify = verify[i];
		cs.v[i].df = d;
	}
	qsort(cs.v, nuse, sizeof(*cs.v), cand_cmp);
	for (size_t i = 0; i < nuse && (int)res->nterms < nterms && cs.v[i].score > 0; i++) {
		if (cs.v[i].verify) {
			/* a rare one: is it in another case at all? */
			long n = 0;

			rc = kstore_phrase_rows(st, &(struct kphrase){ .text = cs.v[i].norm, .term = -1 },
						o->id ? 2 : 1, &n, err);
			if (rc < 0)
				goto out;
			if (n < (o->id ? 2 : 1))
				continue;
		}
		if (KGROW(res->terms, res->terms_alloc, res->nterms + 1) < 0)
			goto nomem;
		if (!(res->terms[res->nterms] = strdup(cs.v[i].word)))
			goto nomem;
		/* the match: any of the terms, phrase t for term t */
		leaf[res->nterms] = (struct kstore_qnode){ .op = KSQ_PHRASE,
							   .phrase = { .text = cs.v[i].norm, .term = (int)res->nterms } };
		any.kid[res->nterms] = &leaf[res->nterms];
		if (res->nterms < 64) {
			/* bm25's idf (as the store's ranking has it), from the reader's statistics */
			double x = log(((double)ndocs - cs.v[i].df + 0.5) / (cs.v[i].df + 0.5));

			idf[res->nterms] = x > 0 ? x : 1e-6;
		}
		res->nterms++;
	}
	if (!res->nterms) {
		res->total = 0;
		rc = 0;
		goto out;
	}
	any.nkid = res->nterms;
	match.root = res->nterms == 1 ? &leaf[0] : &any;
	if (!(res->match = kstore_query_text(&match)))
		goto nomem;
	f.limit = f.offset = 0;
	/* ranked with the reader's statistics, the total counted on the way */
	if ((rc = kstore_similar_top(st, &match, idf, avgdl, &f, self, limit, o->filter.offset, &sh, &nsh,
				     &res->total, err)) < 0)
		goto out;
	if ((rc = ksearch__add_hits(st, sh, nsh, f.reader, 0, res, err)) < 0)
		goto out;
	for (size_t i = 0, k = 0; i < nsh && k < res->nhits; i++) {
		struct ksearch_hit *h = &res->hits[k];

		if (h->rid != sh[i].rid)
			continue;
		k++;
		h->shared = calloc(res->nterms, sizeof(*h->shared));
		if (!h->shared)
			goto nomem;
		for (size_t t = 0; t < res->nterms && t < 64; t++)
			if (sh[i].phrases & (1ULL << t))
				if (!(h->shared[h->nshared++] = strdup(res->terms[t])))
					goto nomem;
	}
	if (res->total < 0 && !o->no_total && (rc = kstore_search_count(st, &match, &f, self, &res->total, err)) < 0)
		goto out;
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	for (int i = 0; i < KCOL__N; i++)
		free(cols[i]);
	free(phr);
	free(leaf);
	free(any.kid);
	free(df);
	free(verify);
	cands_free(&cs);
	free(sh);
	return rc;
}

long ksimilar_text_words(const char *text)
{
	struct cands cs = { 0 };
	char *n;
	long count;
	int bad;

	if (!text || !kutf8_valid(text, strlen(text)))
		return -1;
	if (!(n = nfkc(text, &bad)))
		return -1;
	count = extract_words(n, 1.0, &cs) < 0 ? -1 : (long)cs.n;
	free(n);
	cands_free(&cs);
	return count;
}

/* The shared terms (norm[0..nt), normalised) that occur in text: a bit each. */
static int where_terms(const char *text, size_t len, char **norm, size_t nt, unsigned long long *bits)
{
	char *t;

	*bits = 0;
	if (!text || !len)
		return 0;
	if (!(t = norm_dup(text, len)))
		return KE_NOMEM;
	for (size_t i = 0; i < nt && i < 64; i++)
		if (norm[i] && *norm[i] && strstr(t, norm[i]))
			*bits |= 1ULL << i;
	free(t);
	return 0;
}

static int where_add(struct ksimilar_where *w, const char *key, const char *text, size_t len, char **norm,
		     size_t nt)
{
	unsigned long long bits;
	int rc = where_terms(text, len, norm, nt, &bits);

	if (rc < 0)
		return rc;
	if (bits && w->n < KSIMILAR_WHERE_MAX) {
		w->key[w->n] = key;
		w->terms[w->n++] = bits;
	}
	return 0;
}

/* The strings of v joined by newlines into b (reset first). */
static int join_strv(struct kbuf *b, const struct kstrv *v)
{
	kbuf_reset(b);
	for (size_t i = 0; i < v->n; i++)
		if ((i && kbuf_addch(b, '\n') < 0) || kbuf_adds(b, v->v[i]) < 0)
			return KE_NOMEM;
	return 0;
}

int ksimilar_where(struct kstore *st, const struct ksearch_hit *h, struct ksimilar_where *w,
		   struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	struct kcase c;
	char **norm = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	kcase_init(&c);
	if (!h->nshared)
		return 0;
	if ((rc = kstore_get(st, h->id, &c, err)) < 0)
		goto out;
	if (!(norm = calloc(h->nshared, sizeof(*norm))))
		goto nomem;
	for (size_t i = 0; i < h->nshared; i++)
		if (!(norm[i] = norm_dup(h->shared[i], strlen(h->shared[i]))))
			goto nomem;
	if (c.title && (rc = where_add(w, "title", c.title, strlen(c.title), norm, h->nshared)) < 0)
		goto nomem;
	if (join_strv(&b, &c.summary) < 0 ||
	    where_add(w, "summary", kbuf_str(&b), b.len, norm, h->nshared) < 0)
		goto nomem;
	if (join_strv(&b, &c.key_lessons) < 0 ||
	    where_add(w, "key_lessons", kbuf_str(&b), b.len, norm, h->nshared) < 0)
		goto nomem;
	for (int i = 0; i < KSEC__N; i++) {
		int s = ksection_display_order[i];
		const char *t = c.sections[s];

		if (t && where_add(w, ksection_key(s), t, strlen(t), norm, h->nshared) < 0)
			goto nomem;
	}
	kbuf_reset(&b);
	for (size_t i = 0; i < c.ntimeline; i++)
		if (c.timeline[i].text && (kbuf_adds(&b, c.timeline[i].text) < 0 || kbuf_addch(&b, '\n') < 0))
			goto nomem;
	if (where_add(w, "timeline", kbuf_str(&b), b.len, norm, h->nshared) < 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	for (size_t i = 0; norm && i < h->nshared; i++)
		free(norm[i]);
	free(norm);
	kbuf_release(&b);
	kcase_free(&c);
	return rc;
}
