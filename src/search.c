/*
 * search.c - search above the SQL: ranked hits in two tiers, totals,
 * facets and snippets.  The query language is query.c, the SQL
 * store_sqlite_search.c; the rules are documented in search.h.
 */
#include "search.h"
#include "account.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "search_int.h"
#include "store_search.h"
#include "synonym.h"
#include "utf8.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- filters and facets -------------------------------------------------------------------- */

static const char *const facet_names[KFACET__N] = {
	"category", "document", "year", "event_class", "threat", "sector", "reader_level", "tlp",
};

const char *kfacet_name(int facet)
{
	return facet >= 0 && facet < KFACET__N ? facet_names[facet] : NULL;
}

int ksearch_filter_set(struct kfilter *f, const char *key, const char *value, struct kerr *err)
{
	if (!value || !*value)
		return kerr_set(err, KE_USAGE, "filter %s: empty value", key);
	if (!strcmp(key, "category")) {
		f->category = value;
	} else if (!strcmp(key, "document")) {
		f->document = value;
	} else if (!strcmp(key, "year")) {
		char *end;
		long y;

		errno = 0;
		y = strtol(value, &end, 10);
		if (errno || *end || y <= 0 || y > 9999)
			return kerr_set(err, KE_USAGE, "filter year: expected a year such as 2020, not \"%s\"",
					value);
		f->year = (int)y;
	} else if (!strcmp(key, "event_class")) {
		if (strcmp(value, "cyber_attack") && strcmp(value, "system_failure") && strcmp(value, "other"))
			return kerr_set(err, KE_USAGE, "filter event_class: expected cyber_attack, "
					"system_failure or other");
		f->event_class = value;
	} else if (!strcmp(key, "threat")) {
		f->threat = value;
	} else if (!strcmp(key, "sector")) {
		/* a sector's Japanese name finds its tag, as cases keep it (case_json.c) */
		f->sector = ksector_parse(value) ? ksector_parse(value) : value;
	} else if (!strcmp(key, "reader_level")) {
		if (strcmp(value, "basic") && strcmp(value, "advanced"))
			return kerr_set(err, KE_USAGE, "filter reader_level: expected basic or advanced");
		f->reader_level = value;
	} else if (!strcmp(key, "tlp")) {
		if (!ktlp_valid(value))
			return kerr_set(err, KE_USAGE, "filter tlp: expected clear, green, amber, "
					"amber+strict or red");
		f->tlp = value;
	} else {
		return kerr_set(err, KE_USAGE, "unknown filter \"%s\" (known: category, document, year, "
				"event_class, threat, sector, reader_level, tlp)", key);
	}
	return 0;
}

static int facet_cb(void *ctx, int facet, const char *value, long count)
{
	struct ksearch_result *res = ctx;
	struct kfacet *f;

	if (facet < 0 || facet >= KFACET__N || !value)
		return 0;
	f = &res->facets[facet];
	if (KGROW(f->v, f->alloc, f->n + 1) < 0)
		return KE_NOMEM;
	if (!(f->v[f->n].value = strdup(value)))
		return KE_NOMEM;
	f->v[f->n].count = count;
	f->n++;
	return 0;
}

static int fv_cmp(const void *a, const void *b)
{
	const struct kfacet_value *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* ---- hits -------------------------------------------------------------------------------- */

/* The short citation of a hit (source.title, published, page) from the case's JSON. */
static int hit_cite(struct ksearch_hit *h, const char *body)
{
	json_t *j, *src;
	const char *t, *p;
	int rc = 0;

	/* most cases say none of it: no parse for them */
	if (!body || (!strstr(body, "\"page\"") && !strstr(body, "\"published\"") && !strstr(body, "\"url\"")))
		return 0;
	if (!(j = json_loads(body, 0, NULL)))
		return 0;
	src = json_object_get(j, "source");
	t = json_string_value(json_object_get(src, "title"));
	p = json_string_value(json_object_get(src, "published"));
	if ((t && !(h->doc_title = strdup(t))) || (p && !(h->published = strdup(p))))
		rc = KE_NOMEM;
	if (json_is_integer(json_object_get(src, "page")))
		h->page = (int)json_integer_value(json_object_get(src, "page"));
	json_decref(j);
	return rc;
}

static int row_cb(void *ctx, const struct kcase_row *r)
{
	struct ksearch_hit *h = ctx;

	h->rid = r->rid;
	if (!(h->id = strdup(r->id)) || !(h->title = strdup(r->title ? r->title : "")) ||
	    (r->document && !(h->document = strdup(r->document))) ||
	    (r->category && !(h->category = strdup(r->category))) ||
	    (r->tlp && !(h->tlp = strdup(r->tlp))))
		return KE_NOMEM;
	h->has_year = r->has_year;
	h->year = r->year;
	h->has_case_number = r->has_case_number;
	h->case_number = r->case_number;
	return hit_cite(h, r->json);
}

static void hit_free(struct ksearch_hit *h)
{
	free(h->id);
	free(h->title);
	free(h->document);
	free(h->doc_title);
	free(h->published);
	free(h->category);
	free(h->tlp);
	free(h->snippet);
	free(h->spans);
	for (size_t i = 0; i < h->nshared; i++)
		free(h->shared[i]);
	free(h->shared);
}

void ksearch_result_free(struct ksearch_result *res)
{
	if (!res)
		return;
	free(res->query);
	free(res->match);
	for (size_t i = 0; i < res->nhits; i++)
		hit_free(&res->hits[i]);
	free(res->hits);
	for (int f = 0; f < KFACET__N; f++) {
		for (size_t i = 0; i < res->facets[f].n; i++)
			free(res->facets[f].v[i].value);
		free(res->facets[f].v);
	}
	for (size_t i = 0; i < res->nterms; i++)
		free(res->terms[i]);
	free(res->terms);
	memset(res, 0, sizeof(*res));
}

/* ---- snippets ------------------------------------------------------------------------------ */

#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"

/* Marks in a highlighted column: [start, end) in bytes of the unmarked text. */
struct marks {
	struct kspan *v;
	size_t n, alloc;
	char *plain;
	size_t len;
};

static int unmark(const char *hl, struct marks *m)
{
	size_t n = strlen(hl), o = 0;
	int open = -1;

	m->plain = malloc(n + 1);
	m->v = NULL;
	m->n = m->alloc = 0;
	if (!m->plain)
		return KE_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (hl[i] == HL_OPEN[0]) {
			open = (int)o;
		} else if (hl[i] == HL_CLOSE[0]) {
			if (open >= 0 && (int)o > open) {
				if (KGROW(m->v, m->alloc, m->n + 1) < 0)
					return KE_NOMEM;
				m->v[m->n].start = open;
				m->v[m->n].end = (int)o;
				m->n++;
			}
			open = -1;
		} else {
			m->plain[o++] = hl[i];
		}
	}
	m->plain[o] = 0;
	m->len = o;
	return 0;
}

/* Byte offset of the start of the character k characters before/after pos. */
static size_t char_back(const char *s, size_t pos, int k)
{
	while (pos > 0 && k > 0) {
		pos--;
		while (pos > 0 && kutf8_is_cont((unsigned char)s[pos]))
			pos--;
		k--;
	}
	return pos;
}

static size_t char_fwd(const char *s, size_t len, size_t pos, int k)
{
	while (pos < len && k > 0) {
		pos++;
		while (pos < len && kutf8_is_cont((unsigned char)s[pos]))
			pos++;
		k--;
	}
	return pos;
}
/* Distinct marked strings (normalised) in m: how many different words matched. */
static int distinct_marks(const struct marks *m)
{
	int d = 0;

	for (size_t i = 0; i < m->n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = m->v[j].end - m->v[j].start == m->v[i].end - m->v[i].start &&
			       !memcmp(m->plain + m->v[j].start, m->plain + m->v[i].start,
				       (size_t)(m->v[i].end - m->v[i].start));
		d += !seen;
	}
	return d;
}

/*
 * A one-character query ("系" *) matches the bigrams that start with it, and
 * the highlighter marks the whole bigram (系と); cut such a mark back to the
 * character, unless a whole phrase of the query is in it.
 */
static void trim_prefix_marks(struct marks *m, const struct kquery *q)
{
	int any = 0;

	for (size_t i = 0; i < q->nphrases; i++)
		any |= q->phrases[i].prefix && q->phrases[i].term >= 0;
	if (!any)
		return;
	for (size_t k = 0; k < m->n; k++) {
		struct kspan *sp = &m->v[k];
		char *span = norm_dup(m->plain + sp->start, (size_t)(sp->end - sp->start));
		int whole = 0, pre = 0;

		if (!span)
			return;
		for (size_t i = 0; i < q->nphrases && !whole; i++) {
			char *pn = norm_dup(q->phrases[i].text, strlen(q->phrases[i].text));

			if (!pn)
				break;
			if (!q->phrases[i].prefix)
				whole = strstr(span, pn) != NULL;
			else if (!strncmp(span, pn, strlen(pn)) && strlen(pn) < strlen(span))
				pre = 1;
			free(pn);
		}
		free(span);
		if (!whole && pre) {
			int32_t cp;
			int e = sp->start + u8_next(m->plain + sp->start, (size_t)(sp->end - sp->start), &cp);

			/* keep combining and half-width voiced marks with it */
			while (e < sp->end) {
				int l = u8_next(m->plain + e, (size_t)(sp->end - e), &cp);

				if (!(cp == 0xFF9E || cp == 0xFF9F || cp == 0x3099 || cp == 0x309A ||
				      utf8proc_category(cp) == UTF8PROC_CATEGORY_MN))
					break;
				e += l;
			}
			sp->end = e;
		}
	}
}

static int make_snippet(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
			struct ksearch_hit *h, int chars, struct kerr *err)
{
	/* columns in the order they are preferred for a snippet (title is shown anyway) */
	static const int order[] = { KCOL_SUMMARY, KCOL_LESSONS, KCOL_BODY, KCOL_TIMELINE, KCOL_TITLE,
				     KCOL_META };
	char *cols[KCOL__N];
	struct marks m[KCOL__N];
	int rc, best = -1, bestscore = INT_MIN;
	size_t ws = 0, we = 0, nspan = 0;

	memset(m, 0, sizeof(m));
	if ((rc = kstore_search_highlight(st, match, h->rid, HL_OPEN, HL_CLOSE, cols, err)) < 0)
		return rc;
	for (int i = 0; i < KCOL__N; i++) {
		if ((rc = unmark(cols[i], &m[i])) < 0)
			goto nomem;
		trim_prefix_marks(&m[i], q);
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int c = order[k], score;

		if (!m[c].n)
			continue;
		score = distinct_marks(&m[c]) * 100 + (m[c].n > 50 ? 50 : (int)m[c].n) - (int)k;
		if (c == KCOL_TITLE || c == KCOL_META)
			score -= 1000;
		if (score > bestscore) {
			bestscore = score;
			best = c;
		}
	}
	if (best < 0) {
		/* nothing marked (cannot happen for a match): the summary, else the body */
		best = m[KCOL_SUMMARY].len ? KCOL_SUMMARY : KCOL_BODY;
	}
	{
		struct marks *b = &m[best];
		size_t bi = 0;
		int bestn = -1;

		/* the window of `chars` characters from a little before mark i with the most marks */
		for (size_t i = 0; i < b->n; i++) {
			size_t s = char_back(b->plain, (size_t)b->v[i].start, chars / 6);
			size_t e = char_fwd(b->plain, b->len, s, chars);
			int cnt = 0;

			for (size_t j = i; j < b->n && (size_t)b->v[j].end <= e; j++)
				cnt++;
			if (cnt > bestn) {
				bestn = cnt;
				bi = i;
			}
		}
		ws = 0;
		if (b->n) {
			size_t m0 = (size_t)b->v[bi].start;

			ws = char_back(b->plain, m0, chars / 6);
			/* start at a line or sentence that begins shortly before the match */
			for (size_t p = m0; p > ws; p--) {
				if (b->plain[p - 1] == '\n' ||
				    (p >= 3 && !memcmp(b->plain + p - 3, "\xe3\x80\x82", 3))) {
					ws = p;
					break;
				}
			}
		}
		we = char_fwd(b->plain, b->len, ws, chars);
		/* use the room left at the end for text before the window */
		if (nchars(b->plain, ws, we) < (size_t)chars)
			ws = char_back(b->plain, ws, chars - (int)nchars(b->plain, ws, we));
		h->snippet = strndup(b->plain + ws, we - ws);
		if (!h->snippet)
			goto nomem;
		h->snippet_field = kstore_col_name(best);
		h->snippet_offset = (int)ws;
		h->snippet_more = we < b->len;
		for (size_t i = 0; i < b->n; i++)
			if ((size_t)b->v[i].start >= ws && (size_t)b->v[i].start < we)
				nspan++;
		if (nspan) {
			h->spans = calloc(nspan, sizeof(*h->spans));
			if (!h->spans)
				goto nomem;
			for (size_t i = 0; i < b->n; i++) {
				size_t s = (size_t)b->v[i].start, e = (size_t)b->v[i].end;

				if (s < ws || s >= we)
					continue;
				if (e > we)
					e = we;
				h->spans[h->nspans].start = (int)(s - ws);
				h->spans[h->nspans].end = (int)(e - ws);
				h->nspans++;
			}
		}
	}
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	for (int i = 0; i < KCOL__N; i++) {
		free(cols[i]);
		free(m[i].plain);
		free(m[i].v);
	}
	return rc;
}

/* ---- search ---------------------------------------------------------------------------------- */

int ksearch__add_hits(struct kstore *st, const struct kstore_hit *sh, size_t n, const struct kreader *reader,
		      int partial, struct ksearch_result *res, struct kerr *err)
{
	int rc;

	if (KGROW(res->hits, res->hits_alloc, res->nhits + n) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct ksearch_hit *h = &res->hits[res->nhits];

		memset(h, 0, sizeof(*h));
		rc = kstore_search_row(st, sh[i].rid, reader, row_cb, h, err);
		if (rc == KE_NOTFOUND) {
			hit_free(h);
			continue;
		}
		res->nhits++;
		if (rc == KE_NOMEM)
			return kerr_set(err, KE_NOMEM, "out of memory");
		if (rc < 0)
			return rc;
		h->score = sh[i].score;
		h->partial = partial;
	}
	return 0;
}

int ksearch(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
	    struct kerr *err)
{
	struct kquery q = { 0 }, qall = { 0 };
	struct kstore_hit *sh = NULL;
	struct kfilter f = o->filter;
	const struct ksyn *syn = o->syn;
	size_t nsh = 0, nstrict;
	long limit = o->filter.limit > 0 ? o->filter.limit : 10, offset = o->filter.offset;
	int rc;

	memset(res, 0, sizeof(*res));
	res->total = -1;
	if (limit > 1000)
		limit = 1000;
	if (offset < 0 || offset > 100000)
		return kerr_set(err, KE_USAGE, "offset must be between 0 and 100000");
	if (!syn && !(o->flags & KQ_NO_SYNONYMS) && (rc = ksyn_default(&syn, err)) < 0)
		return rc;
	if (!(res->query = strdup(o->query ? o->query : "")))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = kquery_compile(&q, o->query, syn, o->flags, err)) < 0)
		goto out;
	if (!(res->match = strdup(q.match))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	f.limit = f.offset = 0;
	if ((rc = kstore_search_top(st, &q.expr, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, 0, limit,
				    offset, &sh, &nsh, err)) < 0)
		goto out;
	if ((rc = ksearch__add_hits(st, sh, nsh, f.reader, 0, res, err)) < 0)
		goto out;
	nstrict = res->nhits;
	if (o->facets) {
		if ((rc = kstore_search_facets(st, &q.expr, &f, facet_cb, res, &res->total, err)) < 0) {
			if (rc == KE_NOMEM)
				kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		res->has_facets = 1;
	} else if (o->exact_total || ((long)nstrict < limit && q.relaxed.root)) {
		if ((rc = kstore_search_count(st, &q.expr, &f, 0, &res->total, err)) < 0)
			goto out;
	}
	/* the page is not full: cases with some of the words, below those with all */
	if ((long)nstrict < limit && q.relaxed.root) {
		long roff = offset - res->total;

		free(sh);
		sh = NULL;
		if ((rc = kstore_search_top(st, &q.relaxed, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, 0,
					    limit - (long)nstrict,
					    roff > 0 ? roff : 0, &sh, &nsh, err)) < 0)
			goto out;
		if ((rc = ksearch__add_hits(st, sh, nsh, f.reader, 1, res, err)) < 0)
			goto out;
		if (o->facets && res->total == 0 && res->nhits) {
			/* nothing has all the words: describe what is shown */
			long t;

			if ((rc = kstore_search_facets(st, &q.relaxed, &f, facet_cb, res, &t, err)) < 0)
				goto out;
		}
	}
	/* the cases with only some of the words, counted whichever page this is (a client paging
	 * through both tiers needs both totals from the first page on) */
	if (o->exact_total && q.relaxed.root &&
	    (rc = kstore_search_count(st, &q.relaxed, &f, 0, &res->total_partial, err)) < 0)
		goto out;
	for (int i = 0; i < KFACET__N; i++)
		if (res->facets[i].n > 1)
			qsort(res->facets[i].v, res->facets[i].n, sizeof(*res->facets[i].v), fv_cmp);
	if (o->snippets && res->nhits) {
		int chars = o->snippet_chars > 0 ? o->snippet_chars : 120;

		if (chars > 2000)
			chars = 2000;
		/* every alternative, so that a longer word is marked whole */
		if ((rc = kquery_compile(&qall, o->query, syn, o->flags | KQ_ALL_PHRASES, err)) < 0)
			goto out;
		for (size_t i = 0; i < res->nhits; i++)
			if ((rc = make_snippet(st, res->hits[i].partial ? &qall.relaxed : &qall.expr, &qall,
					       &res->hits[i], chars, err)) < 0)
				goto out;
	}
	rc = 0;
out:
	free(sh);
	kquery_free(&q);
	kquery_free(&qall);
	return rc;
}

/* ---- browsing ---------------------------------------------------------------------------------- */

/* Facet counts of browsing: an empty value is not one to choose. */
static int browse_facet_cb(void *ctx, int facet, const char *value, long count)
{
	return value && *value ? facet_cb(ctx, facet, value, count) : 0;
}

/* kstore_list()'s callback: a case of the page, its summary's first paragraph the snippet. */
static int browse_row(void *ctx, const struct kcase_row *r)
{
	struct ksearch_result *res = ctx;
	struct ksearch_hit *h;
	json_t *j, *v;
	int rc;

	if (KGROW(res->hits, res->hits_alloc, res->nhits + 1) < 0)
		return KE_NOMEM;
	h = &res->hits[res->nhits];
	memset(h, 0, sizeof(*h));
	res->nhits++;
	if ((rc = row_cb(h, r)) < 0)
		return rc;
	j = r->json ? json_loads(r->json, 0, NULL) : NULL;
	v = json_array_get(json_object_get(j, "summary"), 0);
	h->snippet = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
	h->snippet_field = "summary";
	json_decref(j);
	return 0;
}

int ksearch_browse(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
		   struct kerr *err)
{
	struct kfilter f = o->filter;
	long limit = o->filter.limit > 0 ? o->filter.limit : 10;
	int rc;

	memset(res, 0, sizeof(*res));
	if (limit > 1000)
		limit = 1000;
	if (KGROW(res->hits, res->hits_alloc, (size_t)limit) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	f.limit = limit;
	if (o->facets) {
		f.limit = f.offset = 0;
		if ((rc = kstore_search_facets(st, NULL, &f, browse_facet_cb, res, &res->total, err)) < 0) {
			if (rc == KE_NOMEM)
				kerr_set(err, KE_NOMEM, "out of memory");
			return rc;
		}
		res->has_facets = 1;
		for (int i = 0; i < KFACET__N; i++)
			if (res->facets[i].n > 1)
				qsort(res->facets[i].v, res->facets[i].n, sizeof(*res->facets[i].v), fv_cmp);
		f.limit = limit;
		f.offset = o->filter.offset;
	}
	rc = kstore_list(st, &f, browse_row, res, o->facets ? NULL : &res->total, err);
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	return rc;
}

int ksearch_filter_arg(struct kfilter *f, const char *arg, int *seen, struct kerr *err)
{
	const char *eq = strchr(arg, '=');
	char key[64];
	int k;

	if (!eq || eq == arg)
		return kerr_set(err, KE_USAGE, "expected KEY=VALUE, e.g. year=2020");
	if ((size_t)(eq - arg) >= sizeof(key))
		return kerr_set(err, KE_USAGE, "unknown filter key \"%.40s\"", arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	for (k = 0; k < KFACET__N && strcmp(kfacet_name(k), key); k++)
		;
	if (k < KFACET__N && seen[k]++)
		return kerr_set(err, KE_USAGE, "%s given twice", key);
	return ksearch_filter_set(f, key, eq + 1, err);
}
