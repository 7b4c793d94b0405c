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

/* ---- filters and facets -------------------------------------------------------------------- */

static const char *const facet_names[KFACET__N] = {
	"category", "document", "year", "event_class", "threat", "sector", "reader_level", "tlp",
};

const char *kfacet_name(int facet)
{
	return facet >= 0 && facet < KFACET__N ? facet_names[facet] : NULL;
}

/* A year of 1 to 9999 from the n bytes at s (digits only); 0 or -1. */
static int parse_year(const char *s, size_t n, int *y)
{
	int v = 0;

	if (!n || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*y = v;
	return 0;
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
		const char *dots = strstr(value, "..");
		int from = 0, to = 0;

		if (!strcmp(value, "none")) {
			f->none |= 1u << KFACET_YEAR;
		} else if (!dots) {
			if (parse_year(value, strlen(value), &from))
				goto bad_year;
			f->year = from;
		} else {
			/* FROM..TO, FROM.. or ..TO */
			if ((dots > value && parse_year(value, (size_t)(dots - value), &from)) ||
			    (dots[2] && parse_year(dots + 2, strlen(dots + 2), &to)) || (!from && !to))
				goto bad_year;
			if (from && to && from > to)
				return kerr_set(err, KE_USAGE, "filter year: the range %d..%d ends before it begins",
						from, to);
			f->year_from = from;
			f->year_to = to;
		}
	} else if (!strcmp(value, "none") &&
		   (!strcmp(key, "event_class") || !strcmp(key, "threat") || !strcmp(key, "sector"))) {
		f->none |= 1u << (!strcmp(key, "event_class") ? KFACET_EVENT_CLASS
				  : !strcmp(key, "threat") ? KFACET_THREAT : KFACET_SECTOR);
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
bad_year:
	return kerr_set(err, KE_USAGE, "filter year: expected a year such as 2020, a range such as "
			"2020..2023 (or 2020.., ..2023) or none, not \"%s\"", value);
}

int ksearch_sort_parse(const char *value, int *sort, struct kerr *err)
{
	if (!value || !*value || !strcmp(value, "relevance"))
		*sort = KSORT_RELEVANCE;
	else if (!strcmp(value, "year"))
		*sort = KSORT_YEAR;
	else
		return kerr_set(err, KE_USAGE, "sort: expected relevance or year, not \"%.40s\"", value);
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

static void (*test_hook)(void *ctx, int stage);
static void *test_hook_ctx;

void ksearch__test_hook(void (*fn)(void *ctx, int stage), void *ctx)
{
	test_hook = fn;
	test_hook_ctx = ctx;
}

static void at_stage(int stage)
{
	if (test_hook)
		test_hook(test_hook_ctx, stage);
}

static int dup_opt(char **to, const char *s)
{
	return s && !*to && !(*to = strdup(s)) ? KE_NOMEM : 0;
}

/* The citation of a hit (source.title, publisher, published, url, page) from the case's JSON. */
static int hit_cite(struct ksearch_hit *h, const char *body)
{
	json_t *j, *src;
	int rc = 0;

	/* most cases say none of it: no parse for them */
	if (!body || (!strstr(body, "\"page\"") && !strstr(body, "\"published\"") && !strstr(body, "\"url\"") &&
		      !strstr(body, "\"publisher\"")))
		return 0;
	if (!(j = json_loads(body, 0, NULL)))
		return 0;
	src = json_object_get(j, "source");
	if (dup_opt(&h->doc_title, json_string_value(json_object_get(src, "title"))) < 0 ||
	    dup_opt(&h->publisher, json_string_value(json_object_get(src, "publisher"))) < 0 ||
	    dup_opt(&h->published, json_string_value(json_object_get(src, "published"))) < 0 ||
	    dup_opt(&h->url, json_string_value(json_object_get(src, "url"))) < 0)
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
	    (r->tlp && !(h->tlp = strdup(r->tlp))) || (r->updated && !(h->updated = strdup(r->updated))))
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
	free(h->publisher);
	free(h->url);
	free(h->category);
	free(h->tlp);
	free(h->updated);
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

/* ---- search ---------------------------------------------------------------------------------- */

/* Does the hit lack some of its document's citation? */
static int cite_gap(const struct ksearch_hit *h)
{
	return h->document && !(h->doc_title && h->publisher && h->published && h->url);
}

/*
 * What the case's JSON does not say of its document's citation, from the
 * documents table (what an import or another case of the document stored):
 * one read for the distinct documents of the page of hits.
 */
static int hits_doc_cite(struct kstore *st, struct ksearch_hit *hits, size_t n, struct kerr *err)
{
	const char **names = NULL;
	struct kdocmeta *m = NULL;
	size_t nn = 0;
	int rc = 0;

	if (!n)
		return 0;
	if (!(names = calloc(n, sizeof(*names))) || !(m = calloc(n, sizeof(*m)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (!cite_gap(&hits[i]))
			continue;
		while (k < nn && strcmp(names[k], hits[i].document))
			k++;
		if (k == nn)
			names[nn++] = hits[i].document;
	}
	if (!nn || (rc = kstore_doc_get_many(st, names, nn, m, err)) < 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct ksearch_hit *h = &hits[i];
		size_t k = 0;

		if (!cite_gap(h))
			continue;
		while (k < nn && strcmp(names[k], h->document))
			k++;
		if (k < nn && (dup_opt(&h->doc_title, m[k].title) < 0 || dup_opt(&h->publisher, m[k].publisher) < 0 ||
			       dup_opt(&h->published, m[k].published) < 0 || dup_opt(&h->url, m[k].url) < 0))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	}
out:
	for (size_t k = 0; m && k < nn; k++)
		kdocmeta_free(&m[k]);
	free(m);
	free(names);
	return rc;
}

int ksearch__add_hits(struct kstore *st, const struct kstore_hit *sh, size_t n, const struct kreader *reader,
		      int partial, struct ksearch_result *res, struct kerr *err)
{
	size_t first = res->nhits;
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
		h->snippet_where = -1;
	}
	if (res->nhits == first) /* none added (res->hits may be NULL) */
		return 0;
	return hits_doc_cite(st, res->hits + first, res->nhits - first, err);
}

int ksearch__rid_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * Restricted to a section inside the body column (section:NAME): every
 * case with the words in the body, kept if the section holds them (all the
 * words: the strict tier; some: the relaxed one, minus the strict), so
 * that the totals count what is kept.  The facets count the kept cases
 * with all the words (when there are none, those with some).
 *
 * The cases are decided first and only the page is ranked, among the kept
 * (struct kfilter's only): the order is the ranking of every case with the
 * words, filtered, as the scores do not depend on which cases are ranked.
 */
/* The facets of the cases rids[0..n) (ascending). */
static int section_facets(struct kstore *st, const long long *rids, size_t n, struct ksearch_result *res,
			  struct kerr *err)
{
	int rc = kstore_search_facets_rids(st, rids, n, facet_cb, res, err);

	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	return rc < 0 ? rc : 0;
}

/* Every case of q passing f, ascending (unranked when the store can, else from the ranking). */
static int section_candidates(struct kstore *st, const struct kstore_query *q, int rank, const struct kfilter *f,
			      long long **rids, size_t *n, struct kerr *err)
{
	struct kstore_hit *sh = NULL;
	size_t nsh = 0;
	int rc;

	if ((rc = kstore_search_rids(st, q, f, rids, n, err)) <= 0)
		return rc;
	if ((rc = kstore_search_top(st, q, rank, f, 0, 0, 0, &sh, &nsh, err)) < 0)
		return rc;
	if (nsh && !(*rids = malloc(nsh * sizeof(**rids)))) {
		free(sh);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < nsh; i++)
		(*rids)[i] = sh[i].rid;
	if (nsh)
		qsort(*rids, nsh, sizeof(**rids), ksearch__rid_cmp);
	*n = nsh;
	free(sh);
	return 0;
}

/*
 * Of the cases rids[0..n) (ascending; in the tier's decision, yes[i]), those
 * decided in: ranked by q among themselves, res's hits from offset, at most
 * limit of them.
 */
static int section_page(struct kstore *st, const struct kstore_query *q, int rank, const struct kfilter *f,
			const long long *rids, size_t n, long limit, long offset, int partial,
			struct ksearch_result *res, struct kerr *err)
{
	struct krids only = { rids, n };
	struct kfilter fo = *f;
	struct kstore_hit *h = NULL;
	size_t nh = 0;
	int rc;

	if (limit <= 0 || offset >= (long)n)
		return 0;
	fo.only = &only;
	if ((rc = kstore_search_top(st, q, rank, &fo, 0, limit, offset, &h, &nh, err)) >= 0 && nh)
		rc = ksearch__add_hits(st, h, nh, f->reader, partial, res, err);
	free(h);
	return rc < 0 ? rc : 0;
}

/*
 * A tier's cases: every case of match passing f, ascending, and whether
 * part field holds match's words (all of them, or some) in yes[i].  Listed
 * and decided in one run of the match where the store can, else listed
 * (by list, q's expression of the same cases) and then decided.
 */
static int section_tier(struct kstore *st, const struct kstore_query *list, const struct kstore_query *match,
			const struct kquery *qall, int rank, const struct kfilter *f, int field, int all,
			long long **rids, size_t *n, unsigned char **yes, struct kerr *err)
{
	int rc = ksearch__in_field_all(st, match, NULL, qall, f, field, all, rids, n, yes, NULL, err);

	if (rc <= 0)
		return rc;
	if ((rc = section_candidates(st, list, rank, f, rids, n, err)) < 0)
		return rc;
	if (!(*yes = malloc(*n ? *n : 1)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	return ksearch__in_field_many(st, match, qall, *rids, *n, f->reader, field, all, *yes, err);
}

/* Keep rids[i] where yes[i]: the new count. */
static size_t section_keep(long long *rids, size_t n, const unsigned char *yes)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (yes[i])
			rids[k++] = rids[i];
	return k;
}

/*
 * Both tiers from one run where the store can (the some-words match has
 * the all-words match's phrases): the all-words cases into strict, the
 * others with some of the words in the section into part.  1: not so.
 */
static int section_both(struct kstore *st, const struct kstore_query *anyall, struct kquery *qall, int field,
			const struct kfilter *f, long long **strict, size_t *nstrict, long long **part, size_t *npart,
			struct kerr *err)
{
	unsigned char *yes = NULL, *some = NULL;
	size_t n = 0, k = 0;
	int rc = ksearch__in_field_all(st, &qall->expr, anyall, qall, f, field, 1, strict, &n, &yes, &some, err);

	if (rc)
		return rc;
	if (!(*part = malloc(n ? n * sizeof(**part) : 1))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (some[i] && !yes[i])
			(*part)[k++] = (*strict)[i];
	*npart = k;
	*nstrict = section_keep(*strict, n, yes);
out:
	free(yes);
	free(some);
	return rc;
}

static int section_search(struct kstore *st, const struct ksearch_opts *o, struct kquery *q,
			  struct kquery *qall, int field, const struct kfilter *f, long limit, long offset,
			  struct ksearch_result *res, struct kerr *err)
{
	int rank = o->exact_rank ? KSTORE_RANK_EXACT : 0, rc, both = 0;
	unsigned char *yes = NULL;
	long long *strict = NULL, *part = NULL;
	size_t nstrict = 0, npart = 0;
	struct kstore_query any, anyall, anyrank;

	if (q->relaxed.root) {
		/* some of the words in the section: every case with some in the column, minus the kept */
		any = q->relaxed;
		any.except = NULL;
		anyall = qall->relaxed.root ? qall->relaxed : qall->expr;
		anyall.except = NULL;
		/* (ranked with the words' parts, wherever they are) */
		anyrank = q->relaxed_parts.root ? q->relaxed_parts : q->relaxed;
		anyrank.except = NULL;
		if ((rc = section_both(st, &anyall, qall, field, f, &strict, &nstrict, &part, &npart, err)) < 0)
			goto out;
		both = rc == 0;
	}
	/* all the words in the section */
	if (!both) {
		if ((rc = section_tier(st, &q->expr, &qall->expr, qall, rank, f, field, 1, &strict, &nstrict, &yes,
				       err)) < 0)
			goto out;
		nstrict = section_keep(strict, nstrict, yes);
	}
	res->total = (long)nstrict;
	res->total_partial = 0;
	if ((rc = section_page(st, &q->expr, rank, f, strict, nstrict, limit, offset, 0, res, err)) < 0)
		goto out;
	if (o->facets) {
		res->has_facets = 1;
		if ((rc = section_facets(st, strict, nstrict, res, err)) < 0)
			goto out;
	}
	if (!q->relaxed.root)
		goto done;
	if (!both) {
		free(yes);
		yes = NULL;
		if ((rc = section_tier(st, &any, &anyall, qall, rank, f, field, 0, &part, &npart, &yes, err)) < 0)
			goto out;
		for (size_t i = 0, j = 0; i < npart; i++) {
			while (j < nstrict && strict[j] < part[i])
				j++;
			if (j < nstrict && strict[j] == part[i])
				yes[i] = 0;
		}
		npart = section_keep(part, npart, yes);
	}
	res->total_partial = (long)npart;
	/* nothing has all the words: describe what is shown */
	if (o->facets && !nstrict && (rc = section_facets(st, part, npart, res, err)) < 0)
		goto out;
	if ((rc = section_page(st, &anyrank, rank, f, part, npart, limit - (long)res->nhits,
			       offset > (long)nstrict ? offset - (long)nstrict : 0, 1, res, err)) < 0)
		goto out;
done:
	for (int i = 0; i < KFACET__N; i++)
		if (res->facets[i].n > 1)
			qsort(res->facets[i].v, res->facets[i].n, sizeof(*res->facets[i].v), fv_cmp);
	rc = 0;
out:
	free(yes);
	free(strict);
	free(part);
	return rc;
}

/*
 * The page of the cases with some of the words (q->relaxed, each word
 * whole), ranked as q->relaxed_parts ranks them (a word's parts scoring
 * wherever they are): listed, then the page ranked among them as a
 * section's is (section_page()), into res.  *count: how many there are.
 */
static int partial_page(struct kstore *st, const struct kquery *q, int rank, const struct kfilter *f, long limit,
			long offset, struct ksearch_result *res, long *count, struct kerr *err)
{
	long long *rids = NULL;
	size_t nr = 0;
	int rc;

	if ((rc = section_candidates(st, &q->relaxed, rank, f, &rids, &nr, err)) < 0)
		return rc;
	*count = (long)nr;
	rc = section_page(st, &q->relaxed_parts, rank, f, rids, nr, limit, offset, 1, res, err);
	free(rids);
	return rc;
}

/* Has q a prefix among its phrases (a single character: "系" *)? */
static int has_prefix(const struct kquery *q)
{
	for (size_t i = 0; i < q->nphrases; i++)
		if (q->phrases[i].prefix)
			return 1;
	return 0;
}

/*
 * The hits' snippets for a query with a prefix: FTS5 gathers every word of
 * the prefix (every bigram starting with の) each time the match is run,
 * also to look up one row, so the hits are marked in one run each for the
 * full and the partial ones (at 100,000 cases, 'の' cost 0.25 s of CPU per
 * hit looked up).
 */
static int where_prefixed(struct kstore *st, const struct kquery *qall, const struct kstore_query *any,
			  const struct kreader *r, int field, struct ksearch_result *res, int chars, struct kerr *err)
{
	struct ksearch_hit **hs = malloc(res->nhits * sizeof(*hs));
	size_t n = 0;
	int rc = 0;

	if (!hs)
		return kerr_set(err, KE_NOMEM, "out of memory");
	for (int partial = 0; partial < 2 && rc >= 0; partial++) {
		n = 0;
		for (size_t i = 0; i < res->nhits; i++)
			if (!res->hits[i].partial == !partial)
				hs[n++] = &res->hits[i];
		rc = ksearch__where_many(st, partial ? any : &qall->expr, qall, r, field, hs, n, chars, err);
	}
	free(hs);
	return rc;
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
	long counted = -1, counted_any = -1, partial = -1;
	struct kstore_query any;
	struct kstore_rows rows = { NULL, 0 };
	char *text = NULL;
	int rc, field, began = 0;

	memset(res, 0, sizeof(*res));
	res->total = -1;
	res->section = -1;
	if (limit > 1000)
		limit = 1000;
	if (offset < 0 || offset > 100000)
		return kerr_set(err, KE_USAGE, "offset must be between 0 and 100000");
	if (!syn && !(o->flags & KQ_NO_SYNONYMS) && (rc = ksyn_default(&syn, err)) < 0)
		return rc;
	if (!(res->query = strdup(o->query ? o->query : "")))
		return kerr_set(err, KE_NOMEM, "out of memory");
	/* one snapshot: a case deleted or changed meanwhile is ranked, listed and cut as it was */
	if ((began = kstore_read_begin(st, err)) < 0)
		return began;
	/* section:NAME in the query, or the section filter */
	if ((rc = ksearch__take_section(o->query, &text, &field, err)) < 0)
		goto out;
	if (o->section && *o->section) {
		int f2 = ksearch_field_parse(o->section);

		if (f2 < 0) {
			rc = ksearch_field_error(o->section, err);
			goto out;
		}
		field = f2; /* the filter wins over the query's section:NAME */
	}
	res->section = field;
	res->restricted = field >= 0;
	if ((rc = kquery_compile_in(&q, text, syn, o->flags, st, err)) < 0)
		goto out;
	/* a section search decides every case with the words, the more words the more cases
	 * and marks (at 100,000 cases 'section:response' and 32 words ORed: 50 s of CPU) */
	if (field >= 0 && q.nterms > KSEARCH_MAX_SECTION_TERMS) {
		rc = kerr_why(kerr_set(err, KE_TOOBIG, "section: at most %d words in a section search (%zu "
				       "given)", KSEARCH_MAX_SECTION_TERMS, q.nterms),
			      err, KQERR_SECTION_WORDS, KSEARCH_MAX_SECTION_TERMS, (long)q.nterms, NULL);
		goto out;
	}
	if (field >= 0)
		q.expr.cols = q.relaxed.cols = q.relaxed_parts.cols = ksearch__field_cols(field);
	if (!(res->match = strdup(q.match))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	f.limit = f.offset = 0;
	if (field >= 0 && !ksearch__field_whole_col(field)) {
		/* every alternative, so that a longer word is marked whole */
		if ((rc = kquery_compile_in(&qall, text, syn, o->flags | KQ_ALL_PHRASES, st, err)) < 0)
			goto out;
		qall.expr.cols = qall.relaxed.cols = qall.relaxed_parts.cols = ksearch__field_cols(field);
		if ((rc = section_search(st, o, &q, &qall, field, &f, limit, offset, res, err)) < 0)
			goto out;
		goto snippets;
	}
	/*
	 * The full matches, counted on the way; when both totals are wanted, with the cases that
	 * have any of the words counted in the same run (partial = any - all: every case with all
	 * the words has some)
	 */
	any = q.relaxed;
	any.except = NULL;
	/* (with the facets wanted, the rows counted too: their facets then need no second run) */
	if ((rc = kstore_search_counted_rows(st, &q.expr, o->exact_total && q.relaxed.root ? &any : NULL,
					     o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, limit, offset, &sh, &nsh,
					     &counted, &counted_any, o->facets ? &rows : NULL, err)) < 0)
		goto out;
	at_stage(KSEARCH__RANKED);
	if ((rc = ksearch__add_hits(st, sh, nsh, f.reader, 0, res, err)) < 0)
		goto out;
	nstrict = res->nhits;
	if (o->facets) {
		if (rows.v) {
			/* the full matches' rows, from the ranking's own run */
			res->total = counted;
			rc = kstore_search_facets_rids(st, rows.v, rows.n, facet_cb, res, err);
		} else {
			rc = kstore_search_facets(st, &q.expr, &f, facet_cb, res, &res->total, err);
		}
		if (rc < 0) {
			if (rc == KE_NOMEM)
				kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		res->has_facets = 1;
	} else if (o->exact_total || ((long)nstrict < limit && q.relaxed.root)) {
		if (counted >= 0)
			res->total = counted;
		else if ((rc = kstore_search_count(st, &q.expr, &f, 0, &res->total, err)) < 0)
			goto out;
	}
	/* the page is not full: cases with some of the words, below those with all */
	if ((long)nstrict < limit && q.relaxed.root) {
		long roff = offset - res->total;

		free(sh);
		sh = NULL;
		/* its rows are the partial ones: counted on the way too */
		if (q.relaxed_parts.root)
			rc = partial_page(st, &q, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, limit - (long)nstrict,
					  roff > 0 ? roff : 0, res, &partial, err);
		else if ((rc = kstore_search_counted(st, &q.relaxed, NULL, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f,
						     limit - (long)nstrict, roff > 0 ? roff : 0, &sh, &nsh, &partial,
						     NULL, err)) >= 0)
			rc = ksearch__add_hits(st, sh, nsh, f.reader, 1, res, err);
		if (rc < 0)
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
	if (o->exact_total && q.relaxed.root) {
		if (counted >= 0 && counted_any >= 0)
			res->total_partial = counted_any - counted;
		else if (partial >= 0)
			res->total_partial = partial;
		else if ((rc = kstore_search_count(st, &q.relaxed, &f, 0, &res->total_partial, err)) < 0)
			goto out;
	}
	for (int i = 0; i < KFACET__N; i++)
		if (res->facets[i].n > 1)
			qsort(res->facets[i].v, res->facets[i].n, sizeof(*res->facets[i].v), fv_cmp);
	/* every alternative, so that a longer word is marked whole */
	if (o->snippets && res->nhits &&
	    (rc = kquery_compile_in(&qall, text, syn, o->flags | KQ_ALL_PHRASES, st, err)) < 0)
		goto out;
	if (field >= 0)
		qall.expr.cols = qall.relaxed.cols = qall.relaxed_parts.cols = ksearch__field_cols(field);
snippets:
	at_stage(KSEARCH__SNIPPETS);
	if (o->snippets && res->nhits) {
		int chars = o->snippet_chars > 0 ? o->snippet_chars : 120;
		struct kstore_query any = qall.relaxed.root ? qall.relaxed : qall.expr;

		if (chars > 2000)
			chars = 2000;
		any.except = NULL;
		if (res->nhits > 1 && has_prefix(&qall)) {
			rc = where_prefixed(st, &qall, &any, f.reader, field, res, chars, err);
			if (rc < 0)
				goto out;
		} else {
			for (size_t i = 0; i < res->nhits; i++)
				if ((rc = ksearch__where(st, res->hits[i].partial ? &any : &qall.expr, &qall, f.reader,
							 field, &res->hits[i], chars, err)) < 0)
					goto out;
		}
	}
	rc = 0;
out:
	kstore_read_end(st, began);
	free(rows.v);
	free(sh);
	free(text);
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
	h->snippet_where = -1;
	h->cut_after = json_array_size(json_object_get(j, "summary")) > 1;
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
	res->section = -1;
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
		if (o->no_hits)
			return 0;
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
