/*
 * web_feed.c - Atom feeds (RFC 4287) of cases: /feed.atom, the cases last
 * saved first; /search.atom, any search with the parameters of /search
 * (q, the facet filters, tag, sort), or without q every case that passes
 * the filters, last saved first.
 *
 * Only what the reader may see: the search and the listing take
 * req->reader (anonymous: what is public; a session or a bearer token:
 * theirs too).  An entry's id is tag:kyokun,2025:case/ID (stable across
 * hosts), updated the case's last revision time, its link the case page,
 * its summary the overview's first paragraph (or the search's snippet).
 * A search with no results is a valid feed without entries.
 */
#include "web.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "store.h"

#include <string.h>
#include <time.h>

#define FEED_ENTRIES 50
#define TAG_PREFIX "tag:kyokun,2025:"

/* The site's absolute base ("https://host"), "" if the request named no host. */
static const char *base_url(const struct khttp_req *req, char *buf, size_t n)
{
	if (!req->host || !*req->host || strpbrk(req->host, "/\\ \"<>"))
		return "";
	snprintf(buf, n, "%s://%s", req->secure ? "https" : "http", req->host);
	return buf;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Text for an Atom element: the snippet without its control characters (XML 1.0 has none). */
static void xml_text(struct html *w, const char *s)
{
	const char *p = s;

	while (*p) {
		size_t len = 0;

		while (p[len] && ((unsigned char)p[len] >= 0x20 || p[len] == '\n' || p[len] == '\t'))
			len++;
		html_printf(w, "%.*s", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

static int render_feed(struct khttp_req *req, struct khttp_resp *resp, const struct ksearch_result *res,
		       const char *title, const char *self, const char *alt, struct kerr *err)
{
	char base[300], now[32];
	const char *updated = NULL;
	struct html w;

	base_url(req, base, sizeof(base));
	now_iso(now, sizeof(now));
	for (size_t i = 0; i < res->nhits; i++)
		if (res->hits[i].updated && (!updated || strcmp(res->hits[i].updated, updated) > 0))
			updated = res->hits[i].updated;
	html_init(&w, &resp->body);
	html_printf(&w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n"
		    "<title>%s – %s</title>\n<id>" TAG_PREFIX "%s</id>\n<updated>%s</updated>\n"
		    "<link rel=\"self\" type=\"application/atom+xml\" href=\"%s%s\"/>\n"
		    "<link rel=\"alternate\" type=\"text/html\" href=\"%s%s\"/>\n"
		    "<author><name>%s</name></author>\n<generator>kyokun</generator>\n",
		    T(req, T_LANG_CODE), title, T(req, T_SITE_NAME), self, updated ? updated : now, base, self,
		    base, alt, T(req, T_SITE_NAME));
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];

		html_printf(&w, "<entry>\n<id>" TAG_PREFIX "case/%U</id>\n<title type=\"text\">", h->id);
		xml_text(&w, h->title ? h->title : h->id);
		html_printf(&w, "</title>\n<updated>%s</updated>\n"
			    "<link rel=\"alternate\" type=\"text/html\" href=\"%s/cases/%U\"/>\n",
			    h->updated ? h->updated : now, base, h->id);
		if (h->snippet && *h->snippet) {
			html_printf(&w, "<summary type=\"text\">");
			xml_text(&w, h->snippet);
			html_printf(&w, "</summary>\n");
		}
		html_printf(&w, "</entry>\n");
	}
	html_printf(&w, "</feed>\n");
	if (w.err)
		return kerr_set(err, KE_NOMEM, "out of memory rendering the feed");
	resp->kind = KRESP_HTML;
	resp->content_type = "application/atom+xml; charset=utf-8";
	return 0;
}

/* The request's query string after its path ("?..." or ""), for self and alternate links. */
static void query_of(const struct khttp_req *req, const char *path, struct kbuf *b)
{
	int first = 1;

	kbuf_reset(b);
	kbuf_adds(b, path);
	for (int i = 0; i < req->nquery && i < req->nparams; i++)
		web_url_param(b, &first, req->params[i].name, req->params[i].value);
}

int web_feed(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	struct kerr serr = KERR_INIT;
	int rc;

	memset(&res, 0, sizeof(res));
	o.facets = 0;
	o.filter.reader = req->reader;
	o.filter.limit = FEED_ENTRIES;
	o.filter.sort = KSORT_UPDATED;
	if ((rc = ksearch_browse(req->st, &o, &res, &serr)) < 0)
		rc = kerr_set(err, rc, "%s", serr.msg);
	else
		rc = render_feed(req, resp, &res, T(req, T_FEED_ALL), "/feed.atom", "/search", err);
	ksearch_result_free(&res);
	return rc;
}

int web_search_feed(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	struct kerr serr = KERR_INIT;
	struct kbuf self = KBUF_INIT, alt = KBUF_INIT, title = KBUF_INIT;
	const char *q = khttp_param(req, "q"), *v;
	int rc;

	memset(&res, 0, sizeof(res));
	for (int k = 0; k < KFACET__N; k++) {
		if (!(v = khttp_param(req, kfacet_name(k))) || !*v)
			continue;
		if (ksearch_filter_set(&o.filter, kfacet_name(k), v, &serr) < 0) {
			rc = kerr_set(err, KE_USAGE, "%s", serr.msg);
			goto out;
		}
	}
	if ((v = khttp_param(req, "tag")) && *v)
		o.filter.tag = v;
	if ((v = khttp_param(req, "sort")) && *v && ksearch_sort_parse(v, &o.filter.sort, &serr) < 0) {
		rc = kerr_set(err, KE_USAGE, "%s", serr.msg);
		goto out;
	}
	while (q && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
		q++;
	o.facets = 0;
	o.exact_total = 0;
	o.filter.reader = req->reader;
	o.filter.limit = FEED_ENTRIES;
	if (q && *q) {
		o.query = q;
		if ((rc = ksearch(req->st, &o, &res, &serr)) < 0) {
			rc = kerr_set(err, rc == KE_TOOBIG ? KE_USAGE : rc, "%s", serr.msg);
			goto out;
		}
	} else {
		if (!khttp_param(req, "sort"))
			o.filter.sort = KSORT_UPDATED; /* a feed of a listing: the last saved first */
		if ((rc = ksearch_browse(req->st, &o, &res, &serr)) < 0) {
			rc = kerr_set(err, rc, "%s", serr.msg);
			goto out;
		}
	}
	query_of(req, "/search.atom", &self);
	query_of(req, "/search", &alt);
	if (q && *q)
		kbuf_addf(&title, "%s: %s", T(req, T_RESULTS_FOR), q);
	else
		kbuf_adds(&title, T(req, T_SEARCH_ALL_CASES));
	if (!self.buf || !alt.buf || !title.buf) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	rc = render_feed(req, resp, &res, kbuf_str(&title), kbuf_str(&self), kbuf_str(&alt), err);
out:
	ksearch_result_free(&res);
	kbuf_release(&self);
	kbuf_release(&alt);
	kbuf_release(&title);
	return rc;
}
