/*
 * web_search.c - /search: results with highlighted snippets, facet counts
 * whose links narrow the query, paging; and browsing by facet without
 * words (the same page with only filters: ksearch_browse()).
 */
#include "web.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 20
#define MAX_PAGE 500
#define FACET_SHOWN 8

/* The filters a search page takes, in the order they are shown. */
static const int facet_order[] = {
	KFACET_CATEGORY, KFACET_EVENT_CLASS, KFACET_THREAT, KFACET_SECTOR, KFACET_DOCUMENT,
	KFACET_YEAR, KFACET_READER_LEVEL, KFACET_TLP,
};
#define NFACETS ((int)(sizeof(facet_order) / sizeof(facet_order[0])))

/* ---- the search state and its URLs ------------------------------------------------ */

struct sstate {
	const char *q;
	const char *filter[KFACET__N]; /* the values of the facet filters given */
	const char *tag;
	const char *section; /* only matches in this part of a case (section=, search.h) */
	int sort;                      /* KSORT_* */
	long page;
};

/*
 * The URL of the search page for st, with facet `set` changed to `value`
 * (NULL removes it; set < 0 changes nothing) and the given page (1 = none).
 */
static void search_url(const struct khttp_req *req, const struct sstate *st, int set,
		       const char *value, long page, struct kbuf *b)
{
	char num[24];
	int first = 1;

	kbuf_reset(b);
	kbuf_adds(b, "/search");
	if (st->q && *st->q)
		web_url_param(b, &first, "q", st->q);
	for (int i = 0; i < NFACETS; i++) {
		int k = facet_order[i];
		const char *v = k == set ? value : st->filter[k];

		if (v)
			web_url_param(b, &first, kfacet_name(k), v);
	}
	if (st->tag && set != -2)
		web_url_param(b, &first, "tag", st->tag);
	if (st->section && set != -3)
		web_url_param(b, &first, "section", st->section);
	if (st->sort == KSORT_YEAR)
		web_url_param(b, &first, "sort", "year");
	if (page > 1) {
		snprintf(num, sizeof(num), "%ld", page);
		web_url_param(b, &first, "page", num);
	}
	web_url_lang(req, b, &first);
}

/* A facet value for people. */
static const char *facet_label(const struct khttp_req *req, int facet, const char *value, char *buf,
			       size_t n)
{
	const char *dots;

	if (!strcmp(value, "none") && (facet == KFACET_YEAR || facet == KFACET_EVENT_CLASS ||
				       facet == KFACET_THREAT || facet == KFACET_SECTOR))
		return T(req, T_UNCLASSIFIED);
	switch (facet) {
	case KFACET_YEAR:
		if ((dots = strstr(value, ".."))) {
			/* a range: 2020..2023, 2020.. or ..2023 */
			snprintf(buf, n, "%.*s–%s", (int)(dots - value), value, dots + 2);
			return buf;
		}
		snprintf(buf, n, T(req, T_YEAR_N), atoi(value));
		return buf;
	case KFACET_EVENT_CLASS:
	case KFACET_THREAT:
	case KFACET_SECTOR:
	case KFACET_READER_LEVEL:
	case KFACET_TLP:
		return i18n_tag(req->lang, value);
	default:
		return value;
	}
}

/* ---- rendering ---------------------------------------------------------------------- */

static const char *field_label(const struct khttp_req *req, const char *field)
{
	static const struct {
		const char *name;
		enum kmsg m;
	} f[] = {
		{ "title", T_FIELD_TITLE }, { "summary", T_FIELD_SUMMARY }, { "lessons", T_FIELD_LESSONS },
		{ "body", T_FIELD_BODY }, { "timeline", T_FIELD_TIMELINE }, { "meta", T_FIELD_META },
	};

	for (size_t i = 0; field && i < sizeof(f) / sizeof(f[0]); i++)
		if (!strcmp(field, f[i].name))
			return T(req, f[i].m);
	return NULL;
}

/* The snippet, escaped, with its highlighted spans in <mark>. */
static void render_snippet(struct html *w, const struct ksearch_hit *h)
{
	const char *s = h->snippet;
	int len = (int)strlen(s), pos = 0;

	for (size_t i = 0; i < h->nspans; i++) {
		int a = h->spans[i].start, e = h->spans[i].end;

		if (a < pos || e > len || a >= e)
			continue; /* overlapping or out of range: leave unmarked */
		html_printf(w, "%.*s<mark>%.*s</mark>", a - pos, s + pos, e - a, s + a);
		pos = e;
	}
	html_printf(w, "%.*s", len - pos, s + pos);
}

/* A part of a case as a badge: its Japanese name with the English one. */
static void render_where(struct html *w, int f)
{
	html_printf(w, "<span class=\"field\"><span lang=\"ja\">%s</span> / <span lang=\"en\">%s</span></span>",
		    ksearch_field_ja(f), ksearch_field_en(f));
}

/*
 * The facts of hit h in its result's meta line (report and case number,
 * citation, year, category, a TLP badge above CLEAR): the search's and the
 * pasted text's results (web_similar.c) show the same.
 */
void web_hit_meta(struct html *w, const struct khttp_req *req, const struct ksearch_hit *h)
{
	char num[48], year[32];

	if (h->document)
		html_printf(w, "<span>%s %s</span>", h->document,
			    web_case_number(req, h->has_case_number, h->case_number, num, sizeof(num)));
	if (h->doc_title || h->page) {
		html_printf(w, "<span>");
		web_cite(w, req, h->doc_title, NULL, 0, 0, h->published, h->page, NULL, 1);
		html_printf(w, "</span>");
	}
	if (h->has_year) {
		snprintf(year, sizeof(year), T(req, T_YEAR_N), h->year);
		html_printf(w, "<span>%s</span>", year);
	}
	if (h->category)
		html_printf(w, "<span lang=\"ja\">%s</span>", h->category);
	if (h->tlp && strcmp(h->tlp, "clear"))
		web_tlp_badge(w, req, h->tlp);
}

void web_render_hits(struct html *w, const struct khttp_req *req, const struct ksearch_result *res)
{
	const char *q = res->query && *res->query ? res->query : NULL;

	html_printf(w, "<ol class=\"case-list results\">\n");
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];
		const char *fl = field_label(req, h->snippet_field);

		html_printf(w, "<li><input class=\"pick\" type=\"checkbox\" name=\"ids\" value=\"%s\" form=\"compare\" "
			    "aria-label=\"%s\">", h->id, T(req, T_COMPARE_ADD)); /* the compare form */
		/* from a search: the case with the words highlighted, scrolled to the first */
		if (q)
			html_printf(w, "<a class=\"title\" href=\"%s#match-1\" lang=\"ja\" dir=\"auto\">%s</a>\n"
				    "<div class=\"meta\">",
				    web_url(req, "/cases/%U", h->id, "q", q, "section",
					    res->restricted ? ksearch_field_key(res->section) : NULL, NULL), h->title);
		else
			html_printf(w, "<a class=\"title\" href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a>\n"
				    "<div class=\"meta\">",
				    web_url(req, "/cases/%U", h->id, NULL), h->title);
		web_hit_meta(w, req, h);
		if (h->partial)
			html_printf(w, "<span class=\"partial\">%s</span>", T(req, T_PARTIAL_MATCH));
		html_printf(w, "</div>\n");
		if (h->where) {
			/* every part the words are in, the snippet's first */
			html_printf(w, "<p class=\"where\"><span class=\"where-label\">%s:</span> ", T(req, T_MATCHED_IN));
			if (h->snippet_where >= 0 && (h->where & 1u << h->snippet_where))
				render_where(w, h->snippet_where);
			for (int f = 0; f < KSF__N; f++)
				if ((h->where & 1u << f) && f != h->snippet_where)
					render_where(w, f);
			html_printf(w, "</p>\n");
		}
		if (h->snippet && *h->snippet) {
			html_printf(w, "<p class=\"snippet\" lang=\"ja\">");
			if (h->snippet_where >= 0 && h->snippet_where != KSF_SUMMARY)
				render_where(w, h->snippet_where);
			else if (h->snippet_where < 0 && fl && strcmp(h->snippet_field, "summary"))
				html_printf(w, "<span class=\"field\">%s</span>", fl);
			if (h->cut_before)
				html_printf(w, "…");
			render_snippet(w, h);
			if (h->cut_after)
				html_printf(w, "…");
			html_printf(w, "</p>\n");
		}
		html_printf(w, "</li>\n");
	}
	html_printf(w, "</ol>\n");
}

/*
 * Only matches in one part of a case (section=): a small form that keeps
 * the words and filters, a choice of the parts (Japanese with English),
 * cur (KSF_*, the one searched, from section= or the query) chosen.
 * (A tab after "<select": pages are checked for no "select " of SQL.)
 */
static void render_section_form(struct html *w, const struct khttp_req *req, const struct sstate *st, int cur)
{
	html_printf(w, "<form class=\"section-filter\" action=\"/search\" method=\"get\">"
		    "<input type=\"hidden\" name=\"q\" value=\"%s\">", st->q);
	for (int i = 0; i < NFACETS; i++)
		if (st->filter[facet_order[i]])
			html_printf(w, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", kfacet_name(facet_order[i]),
				    st->filter[facet_order[i]]);
	if (st->tag)
		html_printf(w, "<input type=\"hidden\" name=\"tag\" value=\"%s\">", st->tag);
	if (req->lang == KLANG_EN)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	html_printf(w, "<label for=\"section\">%s</label> <select\tid=\"section\" name=\"section\">"
		    "<option value=\"\">%s</option>", T(req, T_SECTION_FILTER), T(req, T_ALL_SECTIONS));
	for (int f = 0; f < KSF__N; f++)
		html_printf(w, "<option value=\"%s\"%R>%s / %s</option>", ksearch_field_key(f),
			    f == cur ? " selected" : "", ksearch_field_ja(f), ksearch_field_en(f));
	html_printf(w, "</select> <button type=\"submit\" class=\"button secondary\">%s</button></form>\n",
		    T(req, T_FILTER));
}

/* Years newest first (the other facets come by count). */
static int year_desc(const void *a, const void *b)
{
	const struct kfacet_value *x = a, *y = b;

	return atoi(y->value) - atoi(x->value);
}

/* One facet's list of values, each a link that narrows (or, if on, widens) the search. */
static void render_facet(struct html *w, const struct khttp_req *req, const struct sstate *st,
			 const struct kfacet *fc0, int k, struct kbuf *url)
{
	struct kfacet sorted, *fc = (struct kfacet *)fc0;
	char lbl[64];
	size_t shown = 0;

	if (!fc->n)
		return;
	if (k == KFACET_YEAR && fc->n > 1) {
		sorted.n = fc->n;
		sorted.v = malloc(fc->n * sizeof(*sorted.v));
		if (sorted.v) {
			memcpy(sorted.v, fc->v, fc->n * sizeof(*sorted.v));
			qsort(sorted.v, sorted.n, sizeof(*sorted.v), year_desc);
			render_facet(w, req, st, &sorted, -1 - k, url);
			free(sorted.v);
			return;
		}
	}
	if (k >= 0 && fc->n > 1) {
		/* 未分類 (none) after the values */
		for (size_t i = 0; i + 1 < fc->n; i++) {
			if (strcmp(fc->v[i].value, "none"))
				continue;
			sorted.n = fc->n;
			sorted.v = malloc(fc->n * sizeof(*sorted.v));
			if (!sorted.v)
				break;
			memcpy(sorted.v, fc->v, i * sizeof(*sorted.v));
			memcpy(sorted.v + i, fc->v + i + 1, (fc->n - i - 1) * sizeof(*sorted.v));
			sorted.v[fc->n - 1] = fc->v[i];
			render_facet(w, req, st, &sorted, -1 - k, url);
			free(sorted.v);
			return;
		}
	}
	if (k < 0)
		k = -1 - k; /* already sorted */
	/* a facet with one value that is not a chosen filter narrows nothing */
	if (fc->n == 1 && !st->filter[k] && k == KFACET_TLP)
		return;
	html_printf(w, "<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n", i18n_facet(req->lang, k));
	for (size_t i = 0; i < fc->n; i++) {
		const struct kfacet_value *v = &fc->v[i];
		int on = st->filter[k] && !strcmp(st->filter[k], v->value);

		if (shown == FACET_SHOWN)
			html_printf(w, "</ul>\n<details><summary>%s (%zu)</summary>\n<ul>\n", T(req, T_MORE),
				    fc->n - FACET_SHOWN);
		search_url(req, st, k, on ? NULL : v->value, 1, url);
		html_printf(w, "<li><a href=\"%s\"%R%R><span>%s</span><span class=\"n\">%ld</span></a></li>\n",
			    kbuf_str(url), on ? " class=\"on\"" : !strcmp(v->value, "none") ? " class=\"none\"" : "",
			    on ? " aria-current=\"true\"" : "",
			    facet_label(req, k, v->value, lbl, sizeof(lbl)), v->count);
		shown++;
	}
	html_printf(w, "</ul>\n%R</section>\n", shown > FACET_SHOWN ? "</details>\n" : "");
}

/* The facets as the search page's sidebar (cards = 0) or the home page's overview. */
static void render_facets(struct html *w, const struct khttp_req *req, const struct ksearch_result *res,
			  const struct sstate *st, int cards)
{
	struct kbuf url = KBUF_INIT;

	for (int i = 0; i < NFACETS; i++) {
		int k = facet_order[i];

		if (cards && (k == KFACET_TLP || k == KFACET_DOCUMENT || !res->facets[k].n))
			continue;
		if (cards)
			html_printf(w, "<div class=\"card\">");
		render_facet(w, req, st, &res->facets[k], k, &url);
		if (cards)
			html_printf(w, "</div>\n");
	}
	kbuf_release(&url);
}

void web_render_facet_overview(struct html *w, const struct khttp_req *req,
			       const struct ksearch_result *res)
{
	struct sstate st;

	memset(&st, 0, sizeof(st));
	render_facets(w, req, res, &st, 1);
}

/*
 * The order and the range of years: a GET form that keeps the query and
 * the other filters (year=FROM..TO, search.h).
 */
static void render_order_form(struct html *w, const struct khttp_req *req, const struct sstate *st)
{
	const char *y = st->filter[KFACET_YEAR];

	html_printf(w, "<form class=\"order-form\" action=\"/search\" method=\"get\">");
	if (st->q)
		html_printf(w, "<input type=\"hidden\" name=\"q\" value=\"%s\">", st->q);
	for (int i = 0; i < NFACETS; i++) {
		int k = facet_order[i];

		if (k != KFACET_YEAR && st->filter[k])
			html_printf(w, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", kfacet_name(k),
				    st->filter[k]);
	}
	if (st->tag)
		html_printf(w, "<input type=\"hidden\" name=\"tag\" value=\"%s\">", st->tag);
	if (req->lang_explicit)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", T(req, T_LANG_CODE));
	html_printf(w, "<fieldset class=\"sort\"><legend>%s</legend>"
		    "<label><input type=\"radio\" name=\"sort\" value=\"relevance\"%R> %s</label> "
		    "<label><input type=\"radio\" name=\"sort\" value=\"year\"%R> %s</label></fieldset> ",
		    T(req, T_SORT), st->sort == KSORT_YEAR ? "" : " checked",
		    st->q ? T(req, T_SORT_RELEVANCE) : T(req, T_SORT_LIST),
		    st->sort == KSORT_YEAR ? " checked" : "", T(req, T_SORT_YEAR));
	html_printf(w, "<label>%s <input type=\"text\" name=\"year\" value=\"%s\" size=\"11\" maxlength=\"11\" "
		    "placeholder=\"2020..2023\" inputmode=\"numeric\" pattern=\"[0-9]{0,4}(\\.\\.[0-9]{0,4})?|none\" "
		    "title=\"%s\"></label> <button type=\"submit\" class=\"button secondary\">%s</button></form>\n",
		    T(req, T_YEAR_RANGE), y ? y : "", T(req, T_YEAR_RANGE_HELP), T(req, T_APPLY));
}

int web_search(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	struct kerr serr = KERR_INIT;
	struct kbuf url = KBUF_INIT, feed = KBUF_INIT;
	struct sstate st;
	struct html w;
	long pages;
	int rc, nfilters = 0, bad_query = 0;
	char buf[96];

	memset(&res, 0, sizeof(res));
	memset(&st, 0, sizeof(st));
	st.q = khttp_param(req, "q");
	if (st.q) {
		while (*st.q == ' ' || *st.q == '\t' || *st.q == '\n' || *st.q == '\r')
			st.q++;
	}
	if (web_page_param(req, MAX_PAGE, &st.page) < 0)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_PAGE));
	for (int i = 0; i < NFACETS; i++) {
		int k = facet_order[i];
		const char *v = khttp_param(req, kfacet_name(k));

		if (!v || !*v)
			continue;
		if (ksearch_filter_set(&o.filter, kfacet_name(k), v, &serr) < 0)
			return kerr_set(err, KE_USAGE, "%s (%s)", T(req, T_BAD_PARAMETER), kfacet_name(k));
		st.filter[k] = v;
		nfilters++;
	}
	if (ksearch_sort_parse(khttp_param(req, "sort"), &st.sort, &serr) < 0)
		return kerr_set(err, KE_USAGE, "%s (sort)", T(req, T_BAD_PARAMETER));
	o.filter.sort = st.sort;
	st.tag = khttp_param(req, "tag");
	if (st.tag && *st.tag) {
		o.filter.tag = st.tag;
		nfilters++;
	} else {
		st.tag = NULL;
	}
	st.section = khttp_param(req, "section");
	if (st.section && *st.section) {
		o.section = st.section;
		nfilters++;
	} else {
		st.section = NULL;
	}
	o.filter.reader = req->reader;
	o.filter.limit = PAGE_SIZE;
	o.filter.offset = (st.page - 1) * PAGE_SIZE;
	o.facets = 1;
	o.snippets = 1;
	if (st.q && *st.q) {
		o.query = st.q;
		rc = ksearch(req->st, &o, &res, &serr);
		if (rc == KE_USAGE || rc == KE_TOOBIG) {
			bad_query = 1; /* the person's query: say what is wrong on the page */
			ksearch_result_free(&res);
			memset(&res, 0, sizeof(res));
			rc = 0;
		}
	} else {
		st.q = NULL;
		rc = ksearch_browse(req->st, &o, &res, &serr);
	}
	if (rc < 0) {
		kerr_set(err, rc, "%s", serr.msg);
		goto out;
	}

	html_init(&w, &resp->body);
	/* the same search as an Atom feed (web_feed.c) */
	search_url(req, &st, -1, NULL, 1, &url);
	kbuf_reset(&feed);
	kbuf_adds(&feed, "/search.atom");
	kbuf_adds(&feed, kbuf_str(&url) + strlen("/search"));
	/* (no feed of a query that cannot run: it would be a 400) */
	web_begin_feed(&w, req, st.q ? st.q : T(req, T_SEARCH_ALL_CASES), st.q ? st.q : "", "page-search",
		       bad_query ? NULL : kbuf_str(&feed), bad_query ? NULL : T(req, T_FEED_SEARCH));
	html_printf(&w, "<div class=\"search-layout\">\n<aside class=\"facets\" id=\"filters\" aria-label=\"%s\">\n"
		    "<a class=\"to-results\" href=\"#results\">↑ %s</a>\n",
		    T(req, T_REFINE), T(req, T_BACK_TO_RESULTS));
	if (res.has_facets)
		render_facets(&w, req, &res, &st, 0);
	html_printf(&w, "</aside>\n<div class=\"results-col\" id=\"results\">\n"
		    "<a class=\"filters-jump button secondary\" href=\"#filters\">%s</a>\n"
		    "<div class=\"search-head\"><h1>%s</h1>",
		    T(req, T_FILTERS_JUMP), st.q ? T(req, T_RESULTS_FOR) : T(req, T_SEARCH_ALL_CASES));
	if (!bad_query) {
		snprintf(buf, sizeof(buf), T(req, res.total == 1 ? T_RESULTS_ONE : T_RESULTS_N),
			 res.total > 0 ? res.total : 0L);
		html_printf(&w, "<span class=\"count\" data-total=\"%ld\">%s</span>", res.total, buf);
		if (res.total_partial > 0) {
			snprintf(buf, sizeof(buf), T(req, T_RESULTS_PARTIAL_N), res.total_partial);
			html_printf(&w, "<span class=\"count\">%s</span>", buf);
		}
	}
	html_printf(&w, "</div>\n");
	render_order_form(&w, req, &st);
	if (nfilters) {
		html_printf(&w, "<ul class=\"filters\" aria-label=\"%s\">", T(req, T_ACTIVE_FILTERS));
		for (int i = 0; i < NFACETS; i++) {
			int k = facet_order[i];

			if (!st.filter[k])
				continue;
			search_url(req, &st, k, NULL, 1, &url);
			html_printf(&w, "<li><a class=\"chip\" href=\"%s\" title=\"%s\">%s: %s <span class=\"x\" "
				    "aria-hidden=\"true\">×</span></a></li>", kbuf_str(&url), T(req, T_REMOVE_FILTER),
				    i18n_facet(req->lang, k), facet_label(req, k, st.filter[k], buf, sizeof(buf)));
		}
		if (st.tag) {
			search_url(req, &st, -2, NULL, 1, &url);
			html_printf(&w, "<li><a class=\"chip\" href=\"%s\" title=\"%s\">%s: %s <span class=\"x\" "
				    "aria-hidden=\"true\">×</span></a></li>", kbuf_str(&url), T(req, T_REMOVE_FILTER),
				    T(req, T_FACET_TAG), i18n_tag(req->lang, st.tag));
		}
		if (st.section) {
			int f = ksearch_field_parse(st.section);

			search_url(req, &st, -3, NULL, 1, &url);
			/* the section by both its names, as its badges and the section menu give it */
			if (f >= 0)
				html_printf(&w, "<li><a class=\"chip\" href=\"%s\" title=\"%s\">%s: <span lang=\"ja\">%s</span> / "
					    "<span lang=\"en\">%s</span> <span class=\"x\" aria-hidden=\"true\">×</span></a></li>",
					    kbuf_str(&url), T(req, T_REMOVE_FILTER), T(req, T_SECTION_FILTER), ksearch_field_ja(f),
					    ksearch_field_en(f));
			else
				html_printf(&w, "<li><a class=\"chip\" href=\"%s\" title=\"%s\">%s: %s <span class=\"x\" "
					    "aria-hidden=\"true\">×</span></a></li>", kbuf_str(&url), T(req, T_REMOVE_FILTER),
					    T(req, T_SECTION_FILTER), st.section);
		}
		if (st.q)
			html_printf(&w, "<li><a class=\"chip\" href=\"%s\">%s</a></li>",
				    web_url(req, "/search", "q", st.q, NULL), T(req, T_CLEAR_ALL));
		else
			html_printf(&w, "<li><a class=\"chip\" href=\"%s\">%s</a></li>",
				    web_url(req, "/search", NULL),
				    T(req, T_CLEAR_ALL));
		html_printf(&w, "</ul>\n");
	}
	if (st.q && (!bad_query || st.section))
		/* (a refused query has no result to say so: the form keeps the section asked for) */
		render_section_form(&w, req, &st, bad_query ? ksearch_field_parse(st.section)
					       : res.restricted ? res.section : -1);
	if (bad_query) {
		char why[2048];

		/* in the page's language: the search layer says why (kerr's why) besides its English message */
		html_printf(&w, "<div class=\"notice\" role=\"alert\"><p>%s</p><p class=\"muted\">%s</p></div>\n",
			    i18n_query_error(req->lang, &serr, why, sizeof(why)), T(req, T_SEARCH_HELP));
	} else if (!res.nhits) {
		html_printf(&w, "<div class=\"notice\"><p>%s</p><p class=\"muted\">%s</p></div>\n",
			    T(req, T_NO_RESULTS), T(req, T_NO_RESULTS_HINT));
	} else {
		/* the results' checkboxes belong to this form (form="compare"): a GET without JavaScript */
		html_printf(&w, "<form id=\"compare\" class=\"compare-pick\" action=\"/compare\" method=\"get\">"
			    "<button type=\"submit\" class=\"button secondary\">%s</button> "
			    "<span class=\"muted\">%s</span>", T(req, T_COMPARE), T(req, T_COMPARE_PICK));
		if (req->lang_explicit)
			html_printf(&w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", T(req, T_LANG_CODE));
		html_printf(&w, "</form>\n");
		web_render_hits(&w, req, &res);
	}
	pages = res.total > 0 ? res.total : 0;
	if (res.total_partial > 0)
		pages += res.total_partial; /* the hits that match some of the words come after */
	pages = pages > 0 ? (pages + PAGE_SIZE - 1) / PAGE_SIZE : 1;
	if (pages > MAX_PAGE)
		pages = MAX_PAGE;
	if (!bad_query && pages > 1) {
		html_printf(&w, "<nav class=\"pager\" aria-label=\"%s\">", T(req, T_PAGINATION));
		search_url(req, &st, -1, NULL, st.page - 1, &url);
		if (st.page > 1)
			html_printf(&w, "<a class=\"button secondary\" rel=\"prev\" href=\"%s\">← %s</a>",
				    kbuf_str(&url), T(req, T_PAGE_PREV));
		else
			html_printf(&w, "<span class=\"disabled\"></span>");
		snprintf(buf, sizeof(buf), T(req, T_PAGE_OF_N), st.page, pages);
		html_printf(&w, "<span>%s</span>", buf);
		search_url(req, &st, -1, NULL, st.page + 1, &url);
		if (st.page < pages)
			html_printf(&w, "<a class=\"button secondary\" rel=\"next\" href=\"%s\">%s →</a>",
				    kbuf_str(&url), T(req, T_PAGE_NEXT));
		else
			html_printf(&w, "<span class=\"disabled\"></span>");
		html_printf(&w, "</nav>\n");
	}
	if (!bad_query)
		html_printf(&w, "<p class=\"feed-link\"><a href=\"%s\" type=\"application/atom+xml\">%s</a></p>\n",
			    kbuf_str(&feed), T(req, T_FEED_SEARCH));
	web_similar_box(&w, req, NULL, 1); /* issue 16, h-paste: paste an incident */
	/* (a refused query has the help in its notice already) */
	if (!bad_query)
		html_printf(&w, "<p class=\"muted help\">%s</p>\n", T(req, T_SEARCH_HELP));
	html_printf(&w, "</div>\n</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	kbuf_release(&url);
	kbuf_release(&feed);
	ksearch_result_free(&res);
	return rc;
}
