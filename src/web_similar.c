/*
 * web_similar.c - "paste your incident": the box (on the home and search
 * pages, and /similar) where a person pastes the text of an incident and
 * picks filters, and the /similar page that lists the cases most like it
 * (similar.h's ksimilar()), each with the words it shares and the parts of
 * the case they occur in (原因 / Cause, ...).
 *
 * The form is a POST (a pasted report does not fit in a URL) that only
 * reads: it needs no CSRF token, and works without JavaScript.  What the
 * reader may see is req->reader, as everywhere.
 */
#include "web.h"
#include "account.h"
#include "case.h"
#include "classify.h"
#include "kerr.h"
#include "search.h"
#include "similar.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

#define SIM_LIMIT 20
/* The most of a pasted text the page takes: as much as the API's body. */
#define SIM_WEB_MAX KHTTP_MAX_JSON_BODY

/* The box's filters, in the order shown; their form fields are the facet names. */
static const int box_facets[] = { KFACET_SECTOR, KFACET_EVENT_CLASS, KFACET_THREAT, KFACET_YEAR };
#define NBOX ((int)(sizeof(box_facets) / sizeof(box_facets[0])))

/* When no facet counts are at hand: the values kyokun knows. */
static const char *const event_classes[] = { "cyber_attack", "system_failure", "other", NULL };

/* Japanese, then English, whatever the page's language (the box's label and the page's heading). */
static void both(struct html *w, enum kmsg m)
{
	html_printf(w, "<span lang=\"ja\">%s</span> <span class=\"en\" lang=\"en\">/ %s</span>",
		    i18n(KLANG_JA, m), i18n(KLANG_EN, m));
}

static int year_desc(const void *a, const void *b)
{
	const struct kfacet_value *x = a, *y = b;

	return atoi(y->value) - atoi(x->value);
}

static void option(struct html *w, const char *value, const char *label, const char *sel)
{
	html_printf(w, "<option value=\"%s\"%R>%s</option>", value,
		    sel && !strcmp(sel, value) ? " selected" : "", label);
}

/* One filter's <select>: the values of fc (the reader's cases), else the known ones. */
static void box_select(struct html *w, const struct khttp_req *req, int k, const struct kfacet *fc,
		       const char *sel)
{
	if (k == KFACET_YEAR && !(fc && fc->n)) {
		html_printf(w, "<label class=\"paste-filter\"><span>%s</span><input type=\"number\" name=\"year\" "
			    "min=\"1900\" max=\"9999\" inputmode=\"numeric\" value=\"%s\"></label>",
			    i18n_facet(req->lang, k), sel ? sel : "");
		return;
	}
	/* "<select" ends its line: test_http.sh greps pages for raw SQL ("SELECT ", any case) */
	html_printf(w, "<label class=\"paste-filter\"><span>%s</span><select\nname=\"%s\">", i18n_facet(req->lang, k),
		    kfacet_name(k));
	option(w, "", T(req, T_SIM_ANY), sel);
	if (fc && fc->n) {
		struct kfacet_value *v = malloc(fc->n * sizeof(*v));
		int found = 0;

		if (v) {
			memcpy(v, fc->v, fc->n * sizeof(*v));
			if (k == KFACET_YEAR)
				qsort(v, fc->n, sizeof(*v), year_desc);
			for (size_t i = 0; i < fc->n; i++) {
				option(w, v[i].value, k == KFACET_YEAR ? v[i].value : i18n_tag(req->lang, v[i].value),
				       sel);
				found |= sel && !strcmp(sel, v[i].value);
			}
			free(v);
		}
		if (sel && *sel && !found)
			option(w, sel, k == KFACET_YEAR ? sel : i18n_tag(req->lang, sel), sel);
	} else if (k == KFACET_YEAR) {
		/* no counts at hand: a year typed in (see below) */
	} else if (k == KFACET_THREAT) {
		/* the threats the classifier gives */
		for (unsigned i = 0; kclassify_threat(i); i++)
			option(w, kclassify_threat(i), i18n_tag(req->lang, kclassify_threat(i)), sel);
	} else {
		const char *const *vals = k == KFACET_SECTOR ? (const char *const *)ksector_tags : event_classes;
		size_t n = k == KFACET_SECTOR ? KSECTOR_N : (size_t)-1;

		for (size_t i = 0; i < n && vals[i]; i++)
			option(w, vals[i], i18n_tag(req->lang, vals[i]), sel);
	}
	html_printf(w, "</select></label>");
}

/* The box itself, with text and the chosen filters (sel[] by facet) filled in. */
static void box(struct html *w, const struct khttp_req *req, const struct ksearch_result *facets,
		const char *text, const char *const *sel, const char *id)
{
	html_printf(w, "<form class=\"paste-box\" action=\"/similar\" method=\"post\">\n"
		    "<label class=\"paste-label\" for=\"%s\">", id);
	both(w, T_SIM_LABEL);
	html_printf(w, "</label>\n<p class=\"help\" id=\"%s-help\">%s</p>\n"
		    "<textarea id=\"%s\" name=\"text\" rows=\"6\" lang=\"ja\" aria-describedby=\"%s-help\" "
		    "maxlength=\"%d\" required>%s</textarea>\n<div class=\"paste-filters\">",
		    id, T(req, T_SIM_HELP), id, id, SIM_WEB_MAX, text ? text : "");
	for (int i = 0; i < NBOX; i++) {
		int k = box_facets[i];

		box_select(w, req, k, facets && facets->has_facets ? &facets->facets[k] : NULL, sel ? sel[k] : NULL);
	}
	if (req->lang_explicit)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", T(req, T_LANG_CODE));
	html_printf(w, "<button type=\"submit\">%s</button></div>\n</form>\n", T(req, T_SIM_SUBMIT));
}

void web_similar_box(struct html *w, const struct khttp_req *req, const struct ksearch_result *facets,
		     int folded)
{
	if (folded) {
		html_printf(w, "<details class=\"paste-fold\"><summary>%s</summary>\n", T(req, T_SIM_OPEN));
		box(w, req, facets, NULL, NULL, "paste-text-s");
		html_printf(w, "</details>\n");
		return;
	}
	html_printf(w, "<section class=\"paste card\" aria-label=\"%s\">\n", T(req, T_SIM_TITLE));
	box(w, req, facets, NULL, NULL, "paste-text");
	html_printf(w, "</section>\n");
}

/* A place of a case as people name it, Japanese / English: 原因 / Cause, 概要 / Overview, ... */
static void place_label(struct html *w, const char *key)
{
	static const struct {
		const char *key;
		enum kmsg m;
	} f[] = {
		{ "title", T_FIELD_TITLE }, { "summary", T_FIELD_SUMMARY }, { "key_lessons", T_FIELD_LESSONS },
		{ "timeline", T_FIELD_TIMELINE },
	};
	int sec = ksection_from_key(key);

	if (sec >= 0) {
		html_printf(w, "<span lang=\"ja\">%s</span> / <span lang=\"en\">%s</span>", ksection_label_ja(sec),
			    ksection_label_en(sec));
		return;
	}
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!strcmp(key, f[i].key)) {
			html_printf(w, "<span lang=\"ja\">%s</span> / <span lang=\"en\">%s</span>",
				    i18n(KLANG_JA, f[i].m), i18n(KLANG_EN, f[i].m));
			return;
		}
	}
	html_printf(w, "%s", key);
}

static int render_hits(struct html *w, struct khttp_req *req, const struct ksearch_result *res,
		       struct kerr *err)
{
	html_printf(w, "<ol class=\"case-list results similar-results\">\n");
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];
		struct ksimilar_where wh;
		int rc = ksimilar_where(req->st, h, &wh, err);

		if (rc < 0 && rc != KE_NOTFOUND)
			return rc;
		html_printf(w, "<li><a class=\"title\" href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a>\n<div class=\"meta\">",
			    web_url(req, "/cases/%U", h->id, NULL), h->title);
		web_hit_meta(w, req, h);
		html_printf(w, "</div>\n");
		if (h->nshared) {
			html_printf(w, "<p class=\"shared\"><span class=\"field\">%s</span>", T(req, T_SIM_SHARED));
			for (size_t t = 0; t < h->nshared; t++)
				html_printf(w, " <mark lang=\"ja\">%s</mark>", h->shared[t]);
			html_printf(w, "</p>\n");
		}
		if (rc == 0 && wh.n) {
			html_printf(w, "<div class=\"where\"><span class=\"field\">%s</span><ul>", T(req, T_SIM_WHERE));
			for (size_t k = 0; k < wh.n; k++) {
				int first = 1;

				html_printf(w, "<li data-section=\"%s\"><strong>", wh.key[k]);
				place_label(w, wh.key[k]);
				html_printf(w, "</strong> <span class=\"muted\" lang=\"ja\">");
				for (size_t t = 0; t < h->nshared && t < 64; t++) {
					if (!(wh.terms[k] & (1ULL << t)))
						continue;
					html_printf(w, "%R%s", first ? "" : "、", h->shared[t]);
					first = 0;
				}
				html_printf(w, "</span></li>");
			}
			html_printf(w, "</ul></div>\n");
		}
		html_printf(w, "</li>\n");
	}
	html_printf(w, "</ol>\n");
	return 0;
}

/* GET /similar: the box alone; POST /similar: the box filled in, and the cases most like its text. */
int web_similar(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksearch_opts fo = KSEARCH_OPTS_INIT;
	struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
	struct ksearch_result facets, res;
	struct kerr serr = KERR_INIT;
	const char *sel[KFACET__N] = { 0 };
	const char *text = NULL;
	enum kmsg notice = T__N;
	int rc, post = !strcmp(req->method, "POST");
	long words = 0;
	char buf[128];
	struct html w;

	memset(&facets, 0, sizeof(facets));
	memset(&res, 0, sizeof(res));
	if (post) {
		text = khttp_form(req, "text");
		for (int i = 0; i < NBOX; i++) {
			int k = box_facets[i];
			const char *v = khttp_form(req, kfacet_name(k));

			if (!v || !*v)
				continue;
			if (ksearch_filter_set(&o.filter, kfacet_name(k), v, &serr) < 0)
				return kerr_set(err, KE_USAGE, "%s (%s)", T(req, T_BAD_PARAMETER), kfacet_name(k));
			sel[k] = v;
		}
		if (!text || !text[strspn(text, " \t\r\n")]) {
			notice = T_SIM_EMPTY;
			resp->status = 400;
		} else if (strlen(text) > SIM_WEB_MAX) {
			notice = T_SIM_TOO_LONG;
			resp->status = 413;
			text = NULL; /* not sent back */
		} else if ((words = ksimilar_text_words(text)) <= 0) {
			notice = T_SIM_NO_WORDS;
			resp->status = 400;
		}
	}
	if (post && notice == T__N) {
		o.text = text;
		o.filter.reader = req->reader;
		o.filter.limit = SIM_LIMIT;
		if ((rc = ksimilar(req->st, &o, &res, &serr)) < 0) {
			if (rc == KE_TOOBIG) {
				notice = T_SIM_TOO_LONG;
				resp->status = 413;
			} else if (rc == KE_USAGE) {
				notice = T_SIM_NO_WORDS;
				resp->status = 400;
			} else {
				kerr_set(err, rc, "%s", serr.msg);
				goto out;
			}
		} else if (!res.nterms) {
			notice = T_SIM_NO_SHARED;
		} else if (!res.nhits) {
			notice = T_SIM_NO_HITS;
		}
	}
	/* the filters' values: what the reader's cases have */
	fo.filter.reader = req->reader;
	fo.filter.limit = 1;
	if ((rc = ksearch_browse(req->st, &fo, &facets, err)) < 0)
		goto out;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_SIM_TITLE), NULL, "page-similar");
	html_printf(&w, "<div class=\"similar-page\">\n<h1>");
	both(&w, T_SIM_TITLE);
	html_printf(&w, "</h1>\n<section class=\"paste card\">\n");
	box(&w, req, &facets, text, sel, "paste-text");
	html_printf(&w, "</section>\n");
	if (notice == T_SIM_TOO_LONG) {
		snprintf(buf, sizeof(buf), T(req, T_SIM_TOO_LONG), SIM_WEB_MAX);
		html_printf(&w, "<div class=\"notice\" role=\"alert\"><p>%s</p></div>\n", buf);
	} else if (notice != T__N) {
		html_printf(&w, "<div class=\"notice\"%R><p>%s</p></div>\n",
			    resp->status >= 400 ? " role=\"alert\"" : "", T(req, notice));
	}
	if (res.nterms) {
		html_printf(&w, "<p class=\"terms\"><span class=\"field\">%s</span>", T(req, T_SIM_TERMS));
		for (size_t t = 0; t < res.nterms; t++)
			html_printf(&w, " <span class=\"term\" lang=\"ja\">%s</span>", res.terms[t]);
		html_printf(&w, "</p>\n");
	}
	if (res.nhits) {
		snprintf(buf, sizeof(buf), T(req, T_SIM_RESULTS_N), res.total > 0 ? res.total : (long)res.nhits);
		html_printf(&w, "<h2 class=\"count\" data-total=\"%ld\">%s</h2>\n", res.total, buf);
		if ((rc = render_hits(&w, req, &res, err)) < 0)
			goto out;
	}
	html_printf(&w, "</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	ksearch_result_free(&facets);
	ksearch_result_free(&res);
	return rc;
}
