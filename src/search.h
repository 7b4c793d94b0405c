/*
 * search.h - full-text search: the library call behind `kyokun search` and
 * the web application's search pages.  This module owns running a query
 * (query.h) against the store: ranked hits in two tiers (all the words,
 * then some of them), totals, facet counts, snippets with highlights, the
 * filters a person gives, and a result's output as JSON or text
 * (search_output.c).  Similar cases are similar.h.
 *
 * Ranking is bm25 with column weights (title, summary and lessons above
 * body and timeline); see store_search.h for the two-phase evaluation.
 *
 * Visibility: filter.reader (reader.h; NULL = anonymous) hides every case
 * that reader may not see from hits, totals and facet counts.
 */
#ifndef KYOKUN_SEARCH_H
#define KYOKUN_SEARCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "query.h"
#include "store.h"

struct kerr;
struct kbuf;
struct ksyn;

/* ---- where a match is ------------------------------------------------------ */

/*
 * The parts of a case a match can be in, in the order a case page shows
 * them: the case JSON's keys (ksearch_field_key): title, summary,
 * key_lessons, the sections (background, impact, detection, response,
 * cause, mitigation, countermeasures, lessons, challenges: KSF_SECTION + i
 * is ksection_display_order[i]), timeline, attributes (category,
 * organisation, factors).
 */
enum {
	KSF_TITLE,
	KSF_SUMMARY,
	KSF_KEY_LESSONS,
	KSF_SECTION,                  /* the first of the nine sections */
	KSF_TIMELINE = KSF_SECTION + 9,
	KSF_ATTRIBUTES,
	KSF__N
};

const char *ksearch_field_key(int f);  /* "cause", ...; NULL out of range */
const char *ksearch_field_ja(int f);   /* "原因", ... */
const char *ksearch_field_en(int f);   /* "Cause", ... */

/*
 * The part a person names: its key (cause), its Japanese name (原因) or
 * its English one (Cause), case and surrounding spaces ignored.  -1 if
 * none; then ksearch_field_error() sets KE_USAGE with a message listing
 * the valid names.
 */
int ksearch_field_parse(const char *name);
int ksearch_field_error(const char *name, struct kerr *err);

/* ---- search ------------------------------------------------------------- */

/* A highlighted stretch of a snippet: [start, end) in bytes of snippet. */
struct kspan {
	int start, end;
};

struct ksearch_hit {
	long long rid;
	char *id;
	char *title;
	char *document;
	int has_year, year;
	int has_case_number, case_number;
	char *category;
	char *tlp;
	char *updated;            /* when the case was last saved (ISO 8601 UTC), or NULL */
	double score;             /* higher is better */
	int partial;              /* matches only some of the words (the relaxed tier) */
	char *snippet;            /* an excerpt of the original text, or NULL */
	const char *snippet_field; /* "title", "summary", "lessons", "body", "timeline", "meta" */
	int snippet_offset;       /* where snippet starts in that field's text, in bytes */
	int snippet_more;         /* the field's text goes on after snippet */
	int snippet_where;        /* KSF_* the snippet is from (-1: not known) */
	int cut_before, cut_after; /* the snippet starts / ends inside that part's text (show an ellipsis) */
	unsigned where;           /* the parts the query matched in: bits 1u << KSF_* */
	struct kspan *spans;      /* highlights within snippet */
	size_t nspans;
	char **shared;            /* similar: the terms this case shares */
	size_t nshared;
	char *doc_title;          /* source.title: the report's own title, or NULL */
	char *published;          /* source.published, or NULL */
	int page;                 /* source.page, 0 if not known */
	char *publisher;          /* source.publisher, or NULL */
	char *url;                /* source.url, or NULL */
	/* title, publisher, published and url: the case's own, else its document's (kstore_doc_get) */
};

/* The name of a facet (KFACET_* of store.h): "category", "document", ... (also the --filter keys). */
const char *kfacet_name(int facet);

struct kfacet_value {
	char *value;
	long count;
};

struct kfacet {
	struct kfacet_value *v;   /* by count, descending, then value */
	size_t n, alloc;
};

struct ksearch_opts {
	const char *query;
	struct kfilter filter;    /* filters, reader, limit (default 10, max 1000), offset */
	int facets;               /* compute facet counts */
	int snippets;             /* make snippets */
	int snippet_chars;        /* length of a snippet in characters (default 120) */
	int flags;                /* KQ_* */
	const struct ksyn *syn;   /* NULL: the default list */
	int exact_total;          /* count the hits (total); else total is -1 */
	int exact_rank;           /* bm25 over every hit, not the two-phase ranking */
	const char *section;      /* only matches in this part (ksearch_field_parse()); NULL all.
				   * The query's own section:NAME does the same; this wins. */
	int no_hits;              /* ksearch_browse(): the facets and total only, no page of cases
				   * (the home page; with facets set) */
};

#define KSEARCH_OPTS_INIT { .filter = KFILTER_INIT, .facets = 1, .snippets = 1, .exact_total = 1 }

struct ksearch_result {
	char *query;
	char *match;              /* the FTS5 expression that ran */
	long total;               /* visible cases matching the query (-1 if not counted) */
	long total_partial;       /* and cases matching only some of its words */
	struct ksearch_hit *hits;
	size_t nhits, hits_alloc;
	int has_facets;
	struct kfacet facets[KFACET__N];
	char **terms;             /* similar: the terms the query used */
	size_t nterms, terms_alloc;
	int restricted;           /* the search was restricted to one part of a case: */
	int section;              /* this one, KSF_* (-1 when not restricted) */
};

/*
 * Run a search.  Zero hits is success.  Errors: KE_USAGE (the query; the
 * message is fit for the person who typed it), KE_TOOBIG, KE_DB, KE_NOMEM.
 * res must be freed with ksearch_result_free() whatever the return.
 */
int ksearch(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
	    struct kerr *err);
void ksearch_result_free(struct ksearch_result *res);

/*
 * Mark the query's words in case c for reading it (the case page opened
 * from a result): every text of c that can match (title, summary, key
 * lessons, sections, timeline texts, organisation, factors) is replaced
 * by a copy with each match between the bytes open and close, the index
 * marking them exactly as it
 * marked the snippet (c->id must be a case r may see; with a section:NAME
 * in the query, only in that part).  *n gets the number of matches.  A query that
 * does not compile marks nothing and is not an error (0, *n 0).  Errors:
 * KE_NOMEM, KE_DB.
 */
struct kcase;
struct kreader;
int ksearch_mark_case(struct kstore *st, const char *query, const struct kreader *r, struct kcase *c,
		      char open, char close, int *n, struct kerr *err);

/*
 * Browse: the visible cases that pass o->filter, without words (o->query
 * is not looked at): a page of them (filter.limit, default 10, at most
 * 1000, from filter.offset) in list order (document, case number, id),
 * each with the first paragraph of its summary as snippet; res->total
 * their number; with o->facets, their facet counts (an empty value left
 * out).  res must be freed with ksearch_result_free() whatever the return.
 */
int ksearch_browse(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
		   struct kerr *err);

/*
 * Set one filter from a KEY=VALUE given by a person (--filter, a query
 * string): keys are the facet names; values are checked (year a number,
 * tlp a level, event_class a known class).  The filter points into value,
 * which must outlive it.  KE_USAGE for an unknown key or a bad value.
 */
int ksearch_filter_set(struct kfilter *f, const char *key, const char *value, struct kerr *err);

/*
 * Filter values beyond a facet's own: year=2020..2023 (also 2020.. and
 * ..2023) is a range of years; none for year, event_class, threat or
 * sector keeps the cases with no value for it (未分類, counted in the
 * facets as the value "none").
 *
 * The order of hits from a person's word: "relevance" (or empty) or
 * "year" (KSORT_* of store.h; newest first).  KE_USAGE otherwise.
 */
int ksearch_sort_parse(const char *value, int *sort, struct kerr *err);

/*
 * The same from one "KEY=VALUE" argument (--filter).  seen[KFACET__N]
 * (zeroed by the caller) refuses a key given twice.  f points into arg.
 */
int ksearch_filter_arg(struct kfilter *f, const char *arg, int *seen, struct kerr *err);

/* ---- output ---------------------------------------------------------------- */

/*
 * The result as JSON: {"query", "total", "results":[{"id","title",
 * "source":{"document","year","case_number"},"category","tlp","score",
 * "snippet","highlights":[[start,end],...],"snippet_field","snippet_offset",
 * "snippet_section" (the KSF key the snippet is from), "snippet_cut":
 * [before, after] (true where the text goes on: show an ellipsis),
 * "sections" (the KSF keys matched)}...], "section" (the KSF key a search
 * was restricted to, if it was), "facets":
 * {"category":{"value":count,...},...}}; highlights are in Unicode
 * characters of snippet.  Similar results carry "shared_terms" and the
 * result "terms".  Returns a new reference or NULL (out of memory).
 */
json_t *ksearch_result_json(const struct ksearch_result *res);

/*
 * The result as text for a person: a numbered list with source, score and
 * snippet (matches in bold when color, else in 【】), then the facets (if
 * any).  similar prints its terms and each hit's shared terms.
 */
void ksearch_result_text(const struct ksearch_result *res, FILE *fp, int color, int similar);

/* Print res to fp as indented JSON (json != 0) or as text; 0 or KE_NOMEM. */
int ksearch_result_print(const struct ksearch_result *res, FILE *fp, int json, int color, int similar);

#endif
