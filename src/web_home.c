/*
 * web_home.c - the home page (search box, facet overview, recently added
 * cases, the reports in the library), the list of reports (/documents) and
 * one report (/documents/NAME: its cases in order, grouped by category,
 * with their key lessons, 100 at a time).
 */
#include "web.h"
#include "reader.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "store.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define RECENT_N 8
#define HOME_DOCS_N 12

struct listctx {
	struct html *w;
	const struct khttp_req *req;
	long n;
	long limit;
};

static void year_text(const struct khttp_req *req, int has_year, int year, char *buf, size_t n)
{
	if (has_year)
		snprintf(buf, n, T(req, T_YEAR_N), year);
	else
		buf[0] = '\0';
}

static int recent_row(void *vctx, const struct kcase_row *r)
{
	struct listctx *x = vctx;
	json_t *j = json_loads(r->json ? r->json : "{}", 0, NULL);
	json_t *s = json_array_get(json_object_get(j, "summary"), 0);
	char num[48], year[32];

	html_printf(x->w, "<li><a class=\"title\" href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a>\n<div class=\"meta\">",
		    web_url(x->req, "/cases/%U", r->id, NULL), r->title);
	if (r->document)
		html_printf(x->w, "<span>%s %s</span>", r->document,
			    web_case_number(x->req, r->has_case_number, r->case_number, num, sizeof(num)));
	year_text(x->req, r->has_year, r->year, year, sizeof(year));
	if (*year)
		html_printf(x->w, "<span>%s</span>", year);
	if (r->category)
		html_printf(x->w, "<span lang=\"ja\">%s</span>", r->category);
	html_printf(x->w, "</div>\n");
	if (json_is_string(s))
		html_printf(x->w, "<p class=\"snippet\" lang=\"ja\">%s</p>\n", json_string_value(s));
	html_printf(x->w, "</li>\n");
	json_decref(j);
	x->n++;
	return 0;
}

static int doc_item(void *vctx, const struct kdocument *d)
{
	struct listctx *x = vctx;
	char count[48], year[32];

	x->n++;
	if (x->limit && x->n > x->limit)
		return 0;
	snprintf(count, sizeof(count), T(x->req, T_DOCUMENT_CASES_N), d->ncases);
	year_text(x->req, d->has_year, d->year, year, sizeof(year));
	html_printf(x->w, "<li><a href=\"%s\">%s</a><span class=\"count\">%s%R%s</span></li>\n",
		    web_url(x->req, "/documents/%U", d->name, NULL),
		    d->name, year, *year ? " · " : "", count);
	return 0;
}

int web_home(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	struct kbuf docs = KBUF_INIT;
	struct html w, dw;
	struct listctx x;
	long ncases = 0;
	char buf[64];
	int rc;

	memset(&res, 0, sizeof(res));
	o.filter.reader = req->reader;
	o.filter.limit = 1;
	o.no_hits = 1; /* the count and the facets; sorting every case for a page of none took seconds at 1M */
	if ((rc = ksearch_browse(req->st, &o, &res, err)) < 0)
		goto out;
	ncases = res.total;

	/* the reports first, into their own buffer, to count them for the hero */
	html_init(&dw, &docs);
	x = (struct listctx){ &dw, req, 0, HOME_DOCS_N };
	if ((rc = kstore_documents(req->st, req->reader, doc_item, &x, err)) < 0)
		goto out;

	html_init(&w, &resp->body);
	web_begin(&w, req, NULL, NULL, "home");
	html_printf(&w, "<section class=\"hero\">\n<h1>%s</h1>\n<p>%s</p>\n"
		    "<form class=\"hero-search\" action=\"/search\" method=\"get\" role=\"search\">"
		    "<label class=\"visually-hidden\" for=\"q\">%s</label>"
		    "<input id=\"q\" type=\"search\" name=\"q\" placeholder=\"%s\" autocomplete=\"off\" maxlength=\"1000\">",
		    T(req, T_HOME_TITLE), T(req, T_HOME_LEAD), T(req, T_SEARCH_LABEL),
		    T(req, T_SEARCH_PLACEHOLDER));
	if (req->lang_explicit)
		html_printf(&w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", T(req, T_LANG_CODE));
	html_printf(&w, "<button type=\"submit\">%s</button></form>\n<p class=\"help\">%s</p>\n<div class=\"stats\">",
		    T(req, T_SEARCH), T(req, T_SEARCH_HELP));
	snprintf(buf, sizeof(buf), T(req, T_HOME_STATS_N), ncases);
	html_printf(&w, "<a href=\"%s\" class=\"stat\">%s</a>", web_url(req, "/search", NULL), buf);
	snprintf(buf, sizeof(buf), T(req, T_HOME_DOCS_N), x.n);
	html_printf(&w, "<a href=\"%s\" class=\"stat\">%s</a></div>\n</section>\n",
		    web_url(req, "/documents", NULL), buf);
	web_similar_box(&w, req, &res, 0); /* issue 16, h-paste: paste an incident */

	if (ncases) {
		html_printf(&w, "<section class=\"facet-overview\">\n<h2>%s</h2>\n<div class=\"facet-cols\">\n",
			    T(req, T_BROWSE));
		web_render_facet_overview(&w, req, &res);
		html_printf(&w, "</div>\n</section>\n");
	}

	html_printf(&w, "<div class=\"home-grid\">\n<section>\n<h2>%s</h2>\n", T(req, T_RECENT_CASES));
	{
		struct listctx rx = { &w, req, 0, 0 };

		html_printf(&w, "<ol class=\"case-list\">\n");
		if ((rc = kstore_recent(req->st, req->reader, RECENT_N, recent_row, &rx, err)) < 0)
			goto out;
		html_printf(&w, "</ol>\n");
		if (!rx.n)
			html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_CASES));
	}
	html_printf(&w, "</section>\n<section>\n<h2>%s</h2>\n<ul class=\"doc-list\">\n", T(req, T_DOCUMENTS));
	if (dw.err)
		w.err = dw.err;
	else if (kbuf_add(&resp->body, docs.buf, docs.len) < 0)
		w.err = KE_NOMEM;
	html_printf(&w, "</ul>\n<p><a href=\"%s\">%s</a></p>\n</section>\n</div>\n",
		    web_url(req, "/documents", NULL),
		    T(req, T_ALL_DOCUMENTS));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	kbuf_release(&docs);
	ksearch_result_free(&res);
	return rc;
}

/* ---- /documents ---------------------------------------------------------------- */

void web_cite(struct html *w, const struct khttp_req *req, const char *title, const char *publisher,
	      int has_year, int year, const char *published, int page, const char *url, int brief)
{
	const char *sep = "";

	if (!title && !publisher && !published && !url)
		return;
	html_printf(w, "<span class=\"cite\" lang=\"ja\">");
	if (title) {
		html_printf(w, "「%s」", title);
		sep = " ";
	}
	if (publisher && !brief) {
		html_printf(w, "%s%s", sep, publisher);
		sep = ", ";
	}
	if (published) {
		html_printf(w, "%s%s", sep, published);
		sep = ", ";
	} else if (has_year) {
		html_printf(w, "%s%d", sep, year);
		sep = ", ";
	}
	if (page > 0) {
		char p[32];

		snprintf(p, sizeof(p), T(req, T_CITE_PAGE), page);
		html_printf(w, "%s%s", sep, p);
	}
	if (url && !brief)
		html_printf(w, " <a href=\"%s\" rel=\"noopener\">%s</a>", url, url);
	html_printf(w, "</span>");
}

static int doc_row(void *vctx, const struct kdocument *d)
{
	struct listctx *x = vctx;
	char year[32];

	year_text(x->req, d->has_year, d->year, year, sizeof(year));
	html_printf(x->w, "<tr><td><a href=\"%s\">%s</a></td><td>",
		    web_url(x->req, "/documents/%U", d->name, NULL), d->name);
	web_cite(x->w, x->req, d->title, d->publisher, 0, 0, d->published, 0, d->url, 0);
	if (kreader_can(x->req->reader, KCAP_CASE_EDIT))
		html_printf(x->w, " <a class=\"review-link\" href=\"%s\">%s</a>",
			    web_url(x->req, "/documents/%U/review", d->name, NULL), T(x->req, T_REVIEW_LINK));
	html_printf(x->w, "</td><td>%s</td><td class=\"num\">%ld</td></tr>\n", year, d->ncases);
	x->n++;
	return 0;
}

int web_documents_table(struct html *w, struct khttp_req *req, struct kerr *err)
{
	struct listctx x;
	int rc;

	html_printf(w, "<div class=\"table-scroll\"><table class=\"data\">\n<thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th>"
		    "</tr></thead>\n<tbody>\n", T(req, T_DOCUMENT), T(req, T_CITE), T(req, T_FACET_YEAR), T(req, T_CASE));
	x = (struct listctx){ w, req, 0, 0 };
	if ((rc = kstore_documents(req->st, req->reader, doc_row, &x, err)) < 0)
		return rc;
	html_printf(w, "</tbody></table></div>\n");
	if (!x.n)
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_CASES));
	return 0;
}

int web_documents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct html w;
	int rc;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_DOCUMENTS_TITLE), "", "page-documents");
	html_printf(&w, "<h1>%s</h1>\n", T(req, T_DOCUMENTS_TITLE));
	if ((rc = web_documents_table(&w, req, err)) < 0)
		return rc;
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

/* ---- /documents/NAME ---------------------------------------------------------------- */

struct doccase {
	char *id, *title, *category;
	int has_number, number;
	json_t *json;
};

struct doccases {
	struct doccase *v;
	size_t n, alloc;
	int has_year, year;
};

static int collect_row(void *vctx, const struct kcase_row *r)
{
	struct doccases *dc = vctx;
	struct doccase *d;

	if (KGROW(dc->v, dc->alloc, dc->n + 1) < 0)
		return KE_NOMEM;
	d = &dc->v[dc->n];
	memset(d, 0, sizeof(*d));
	d->id = strdup(r->id);
	d->title = strdup(r->title ? r->title : "");
	d->category = r->category ? strdup(r->category) : NULL;
	d->has_number = r->has_case_number;
	d->number = r->case_number;
	d->json = json_loads(r->json ? r->json : "{}", 0, NULL);
	dc->n++;
	if (r->has_year && (!dc->has_year || r->year > dc->year)) {
		dc->has_year = 1;
		dc->year = r->year;
	}
	if (!d->id || !d->title || (r->category && !d->category))
		return KE_NOMEM;
	return 0;
}

static int same_category(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The report's first case in order into dc->v[dc->n]. */
static int doc_first(struct khttp_req *req, const char *name, struct doccases *dc, struct kerr *err)
{
	struct kfilter f = KFILTER_INIT;
	int rc;

	f.document = name;
	f.reader = req->reader;
	f.limit = 1;
	rc = kstore_list(req->st, &f, collect_row, dc, NULL, err);
	return rc == KE_NOMEM ? kerr_set(err, KE_NOMEM, "out of memory") : rc;
}

/*
 * How many of the report's cases the reader sees and their newest year, as
 * the search counts a filter (from the columns kept in memory: a report of
 * 100,000 cases in a library of 1,000,000 sorted by year took 0.1 s).
 */
static int doc_counts(struct khttp_req *req, const char *name, long *total, int *has_year, int *year,
		      struct kerr *err)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	struct kfacet *y;
	int rc;

	o.filter.document = name;
	o.filter.reader = req->reader;
	o.no_hits = 1;
	*has_year = 0;
	if ((rc = ksearch_browse(req->st, &o, &res, err)) >= 0) {
		*total = res.total;
		y = &res.facets[KFACET_YEAR];
		for (size_t i = 0; i < y->n; i++) {
			char *end;
			long v = strtol(y->v[i].value, &end, 10);

			/* the largest year, whatever it is, as the list of reports shows it */
			if (!*end && end != y->v[i].value && y->v[i].count > 0 && v >= INT_MIN && v <= INT_MAX &&
			    (!*has_year || v > *year)) {
				*has_year = 1;
				*year = (int)v;
			}
		}
	}
	ksearch_result_free(&res);
	return rc;
}

static void free_doccases(struct doccases *dc)
{
	for (size_t i = 0; i < dc->n; i++) {
		free(dc->v[i].id);
		free(dc->v[i].title);
		free(dc->v[i].category);
		json_decref(dc->v[i].json);
	}
	free(dc->v);
	memset(dc, 0, sizeof(*dc));
}

/*
 * A report's cases a page at a time (DOC_PAGE_SIZE, ?page=N): a report of
 * 100,000 cases took 10 s to render whole.  The head is the report's as a
 * whole (for this reader): its case count, its newest year, the source of
 * its first case; a category continued from the page before is named again.
 */
#define DOC_PAGE_SIZE 100

static void doc_pager(struct html *w, const struct khttp_req *req, const char *name, long page, long pages)
{
	char prev[24], next[24], buf[64];

	if (pages <= 1)
		return;
	snprintf(prev, sizeof(prev), "%ld", page - 1);
	snprintf(next, sizeof(next), "%ld", page + 1);
	html_printf(w, "<nav class=\"pager\" aria-label=\"%s\">", T(req, T_PAGINATION));
	if (page > 1)
		html_printf(w, "<a class=\"button secondary\" rel=\"prev\" href=\"%s\">← %s</a>",
			    web_url(req, "/documents/%U", name, "page", page > 2 ? prev : NULL, NULL),
			    T(req, T_PAGE_PREV));
	else
		html_printf(w, "<span class=\"disabled\"></span>");
	snprintf(buf, sizeof(buf), T(req, T_PAGE_OF_N), page, pages);
	html_printf(w, "<span>%s</span>", buf);
	if (page < pages)
		html_printf(w, "<a class=\"button secondary\" rel=\"next\" href=\"%s\">%s →</a>",
			    web_url(req, "/documents/%U", name, "page", next, NULL), T(req, T_PAGE_NEXT));
	else
		html_printf(w, "<span class=\"disabled\"></span>");
	html_printf(w, "</nav>\n");
}

int web_document(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kfilter f = KFILTER_INIT;
	struct doccases dc, head;
	struct html w;
	const char *name = req->args[0], *publisher;
	json_t *first;
	char buf[64], num[48];
	long page = 1, pages, total = 0;
	int rc, has_year, year = 0;

	memset(&dc, 0, sizeof(dc));
	memset(&head, 0, sizeof(head));
	if (web_page_param(req, 1000000000L / DOC_PAGE_SIZE, &page) < 0)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_PAGE));
	if ((rc = doc_counts(req, name, &total, &has_year, &year, err)) < 0)
		goto out;
	f.document = name;
	f.reader = req->reader;
	f.limit = DOC_PAGE_SIZE;
	f.offset = (page - 1) * DOC_PAGE_SIZE;
	if (total > 0 && (rc = kstore_list(req->st, &f, collect_row, &dc, NULL, err)) < 0) {
		if (rc == KE_NOMEM)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!dc.n) { /* no such report, none of its cases is visible to this reader, or no such page */
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_DOCUMENT));
		goto out;
	}
	if (total < f.offset + (long)dc.n) /* a case added in between */
		total = f.offset + (long)dc.n;
	pages = (total + DOC_PAGE_SIZE - 1) / DOC_PAGE_SIZE;
	dc.has_year = has_year;
	dc.year = year;
	/* the report's first case, for its source */
	first = dc.v[0].json;
	if (page > 1) {
		if ((rc = doc_first(req, name, &head, err)) < 0)
			goto out;
		if (head.n == 0) { /* deleted in between */
			rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_DOCUMENT));
			goto out;
		}
		first = head.v[0].json;
	}
	publisher = json_string_value(json_object_get(json_object_get(first, "source"), "publisher"));

	html_init(&w, &resp->body);
	web_begin(&w, req, name, "", "page-document");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>"
		    "<li><a href=\"%s\">%s</a></li><li aria-current=\"page\">%s</li></ol></nav>\n"
		    "<header class=\"doc-head\">\n<h1>%s</h1>\n<p class=\"meta\">",
			    web_url(req, "/", NULL),
			    T(req, T_NAV_HOME), web_url(req, "/documents", NULL), T(req, T_DOCUMENTS_TITLE), name, name);
	if (dc.has_year) {
		snprintf(buf, sizeof(buf), T(req, T_YEAR_N), dc.year);
		html_printf(&w, "<span>%s</span>", buf);
	}
	if (publisher)
		html_printf(&w, "<span lang=\"ja\">%s</span>", publisher);
	snprintf(buf, sizeof(buf), T(req, T_DOCUMENT_CASES_N), total);
	html_printf(&w, "<span>%s</span></p>\n", buf);
	{
		json_t *src = json_object_get(first, "source");
		const char *dt = json_string_value(json_object_get(src, "title"));
		const char *du = json_string_value(json_object_get(src, "url"));
		const char *dp = json_string_value(json_object_get(src, "published"));

		if (dt || du || dp) {
			html_printf(&w, "<p class=\"citation\">%s: ", T(req, T_CITE));
			web_cite(&w, req, dt ? dt : name, publisher, dc.has_year, dc.year, dp, 0, du, 0);
			html_printf(&w, "</p>\n");
		}
	}
	if (kreader_can(req->reader, KCAP_CASE_EDIT))
		html_printf(&w, "<p><a class=\"review-link\" href=\"%s\">%s</a></p>\n",
			    web_url(req, "/documents/%U/review", name, NULL), T(req, T_REVIEW_LINK));
	html_printf(&w, "</header>\n");

	for (size_t i = 0; i < dc.n;) {
		size_t j;

		html_printf(&w, "<section class=\"category-group\">\n<h2 lang=\"ja\">%s</h2>\n",
			    dc.v[i].category ? dc.v[i].category : T(req, T_UNCATEGORISED));
		for (j = i; j < dc.n && same_category(dc.v[j].category, dc.v[i].category); j++) {
			struct doccase *d = &dc.v[j];
			json_t *lessons = json_object_get(d->json, "key_lessons"), *v;
			size_t k;

			html_printf(&w, "<article class=\"doc-case\"><div class=\"num\">%s</div><div>"
				    "<h3><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a></h3>",
				    web_case_number(req, d->has_number, d->number, num, sizeof(num)), web_url(req, "/cases/%U", d->id, NULL), d->title);
			if (kreader_can(req->reader, KCAP_CASE_EDIT)) {
				const char *conf = json_string_value(json_object_get(json_object_get(d->json, "import"),
										 "confidence"));

				if (conf && !strcmp(conf, "low"))
					html_printf(&w, "<p><a class=\"flag-low\" href=\"%s#c-%s\">%s</a></p>",
						    web_url(req, "/documents/%U/review", name, NULL), d->id,
						    T(req, T_REVIEW_LOW));
			}
			if (json_array_size(lessons)) {
				html_printf(&w, "<ul class=\"lessons\" lang=\"ja\" aria-label=\"%s\">",
					    T(req, T_KEY_LESSONS));
				json_array_foreach(lessons, k, v)
					if (json_is_string(v))
						html_printf(&w, "<li>%s</li>", json_string_value(v));
				html_printf(&w, "</ul>");
			}
			html_printf(&w, "</div></article>\n");
		}
		html_printf(&w, "</section>\n");
		i = j;
	}
	doc_pager(&w, req, name, page, pages);
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	free_doccases(&dc);
	free_doccases(&head);
	return rc;
}
