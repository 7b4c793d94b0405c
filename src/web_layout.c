/*
 * web_layout.c - the frame every page shares (head, site header with the
 * search box and the language switch, footer), error pages, and small
 * helpers of the page handlers.
 */
#include "web.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"

#include <stdarg.h>
#include <string.h>

int web_url_param(struct kbuf *b, int *first, const char *name, const char *value)
{
	int rc = kbuf_addch(b, *first ? '?' : '&');

	*first = 0;
	if (!rc)
		rc = url_encode(b, name, strlen(name));
	if (!rc)
		rc = kbuf_addch(b, '=');
	if (!rc)
		rc = url_encode(b, value, strlen(value));
	return rc;
}

int web_url_build(const struct khttp_req *req, struct kbuf *b, const char *path, va_list ap)
{
	const char *p, *name, *value;
	int rc = 0, first = 1;

	for (p = path; *p && !rc; p++) {
		if (p[0] == '%' && p[1] == 'U') {
			const char *seg = va_arg(ap, const char *);

			rc = url_encode(b, seg ? seg : "", seg ? strlen(seg) : 0);
			p++;
		} else {
			first &= *p != '?';
			rc = kbuf_addch(b, *p);
		}
	}
	while (!rc && (name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (value && *value)
			rc = web_url_param(b, &first, name, value);
	}
	if (!rc)
		rc = web_url_lang(req, b, &first);
	return rc;
}

int web_url_lang(const struct khttp_req *req, struct kbuf *b, int *first)
{
	if (!req || !req->lang_explicit)
		return 0;
	return web_url_param(b, first, "lang", req->lang == KLANG_EN ? "en" : "ja");
}

const char *web_url(const struct khttp_req *req, const char *path, ...)
{
	struct kbuf b = KBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, path);
	rc = web_url_build(req, &b, path, ap);
	va_end(ap);
	if (rc < 0) {
		kbuf_release(&b);
		return NULL;
	}
	return khttp_keep(req, kbuf_detach(&b, NULL));
}

int web_page_param(const struct khttp_req *req, long max, long *page)
{
	const char *s = khttp_param(req, "page");
	long v = 0;

	*page = 1;
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > max)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > max)
		return -1;
	*page = v;
	return 0;
}

int web_valid_id(const char *id)
{
	size_t n = 0;

	for (const char *p = id; *p; p++, n++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_' || c == '~'))
			return 0;
	}
	return n >= 1 && n <= 200;
}

const char *web_case_number(const struct khttp_req *req, int has_number, int number, char *buf,
			    size_t n)
{
	if (has_number)
		snprintf(buf, n, T(req, T_CASE_NUMBER_N), number);
	else
		snprintf(buf, n, "%s", T(req, T_REFERENCE_CASE));
	return buf;
}

void web_tlp_badge(struct html *w, const struct khttp_req *req, const char *tlp)
{
	static const struct {
		const char *level, *cls;
	} levels[] = {
		{ "clear", "tlp-clear" }, { "green", "tlp-green" }, { "amber", "tlp-amber" },
		{ "amber+strict", "tlp-amber-strict" }, { "red", "tlp-red" },
	};
	const char *cls = "tlp-amber";

	if (!tlp)
		tlp = "amber";
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(levels[i].level, tlp))
			cls = levels[i].cls;
	html_printf(w, "<span class=\"tlp %R\">%s</span>", cls, i18n_tag(req->lang, tlp));
}

int web_load_case(struct khttp_req *req, const char *id, struct kcase *c, struct kerr *err)
{
	int rc;

	if (!web_valid_id(id))
		return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_CASE_ID));
	rc = kstore_get(req->st, id, c, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_CASE));
	if (rc < 0)
		return rc;
	if (!kreader_may_see_case(req->reader, c)) {
		/* hidden from this reader: exactly as if it did not exist */
		kcase_free(c);
		kcase_init(c);
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_CASE));
	}
	return 0;
}

/*
 * The current page's URL in the other language: same path, same query, lang
 * flipped.  The query's parameters only: a POST's form fields (a password, a
 * CSRF token) never go into a link.
 */
static void lang_switch_url(const struct khttp_req *req, struct kbuf *b)
{
	int first = 1;

	kbuf_adds(b, req->path && req->path[0] == '/' && req->path[1] != '/' ? req->path : "/");
	for (int i = 0; i < req->nquery && i < req->nparams; i++)
		if (strcmp(req->params[i].name, "lang"))
			web_url_param(b, &first, req->params[i].name, req->params[i].value);
	web_url_param(b, &first, "lang", req->lang == KLANG_EN ? "ja" : "en");
}

void web_begin(struct html *w, const struct khttp_req *req, const char *title, const char *q,
	       const char *body_class)
{
	web_begin_feed(w, req, title, q, body_class, NULL, NULL);
}

void web_begin_feed(struct html *w, const struct khttp_req *req, const char *title, const char *q,
		    const char *body_class, const char *feed, const char *feed_title)
{
	struct kbuf sw = KBUF_INIT;

	lang_switch_url(req, &sw);
	html_printf(w, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>%s%R%s</title>\n", T(req, T_LANG_CODE), title ? title : "",
		    title ? " – " : "", T(req, T_SITE_NAME));
	html_printf(w, "<link rel=\"stylesheet\" href=\"%s\">\n"
		    "<link rel=\"stylesheet\" href=\"%s\" media=\"print\">\n"
		    "<link rel=\"icon\" href=\"%s\" type=\"image/svg+xml\">\n"
		    "<script src=\"%s\" defer></script>\n"
		    "<link rel=\"alternate\" hreflang=\"%s\" href=\"%s\">\n",
		    web_asset_url("kyokun.css"), web_asset_url("print.css"), web_asset_url("icon.svg"),
		    web_asset_url("kyokun.js"), T(req, T_OTHER_LANG_CODE), kbuf_str(&sw));
	if (feed)
		html_printf(w, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"%s\" title=\"%s\">\n",
			    feed, feed_title ? feed_title : "");
	html_printf(w, "</head>\n<body class=\"%s\">\n", body_class ? body_class : "");
	html_printf(w, "<a class=\"skip\" href=\"#main\">%s</a>\n"
		    "<header class=\"site-header\">\n<div class=\"bar\">\n"
		    "<a class=\"brand\" href=\"%s\"><span class=\"brand-mark\" lang=\"ja\">教訓</span>"
		    "<span class=\"brand-name\">kyokun</span></a>\n"
		    "<span class=\"tagline\">%s</span>\n",
		    T(req, T_SKIP_TO_MAIN), web_url(req, "/", NULL), T(req, T_SITE_TAGLINE));
	if (q) {
		html_printf(w, "<form class=\"search-bar\" action=\"/search\" method=\"get\" role=\"search\">"
			    "<label class=\"visually-hidden\" for=\"hq\">%s</label>"
			    "<input id=\"hq\" type=\"search\" name=\"q\" value=\"%s\" placeholder=\"%s\" "
			    "autocomplete=\"off\" maxlength=\"1000\">",
			    T(req, T_SEARCH_LABEL), q, T(req, T_SEARCH_PLACEHOLDER));
		if (req->lang_explicit)
			html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", T(req, T_LANG_CODE));
		html_printf(w, "<button type=\"submit\">%s</button></form>\n", T(req, T_SEARCH));
	}
	/* 報告書: the reports published here, then the imported ones (/reports; /documents is the latter alone) */
	html_printf(w, "<nav class=\"site-nav\" aria-label=\"%s\">"
		    "<a href=\"%s\">%s</a>"
		    "<a href=\"/api/openapi.json\">%s</a>"
		    "<a class=\"lang-switch\" href=\"%s\" hreflang=\"%s\" lang=\"%s\">%s</a>"
		    "</nav>\n",
		    T(req, T_SITE_NAME), web_url(req, "/reports", NULL), T(req, T_NAV_DOCUMENTS), T(req, T_NAV_API),
		    kbuf_str(&sw), T(req, T_OTHER_LANG_CODE), T(req, T_OTHER_LANG_CODE),
		    T(req, T_OTHER_LANG_NAME));
	web_account_bar(w, req);
	html_printf(w, "</div>\n</header>\n<main id=\"main\">\n");
	if (!sw.buf && !w->err)
		w->err = KE_NOMEM;
	kbuf_release(&sw);
}

const char *web_role_label(const struct khttp_req *req, enum krole role)
{
	switch (role) {
	case KROLE_REPORTER: return T(req, T_ROLE_REPORTER);
	case KROLE_LIAISON: return T(req, T_ROLE_LIAISON);
	case KROLE_ANALYST: return T(req, T_ROLE_ANALYST);
	case KROLE_PUBLISHER: return T(req, T_ROLE_PUBLISHER);
	case KROLE_ADMIN: return T(req, T_ROLE_ADMIN);
	default: return "";
	}
}

/*
 * The page this one is, as a local path for ?next= ("/search?q=..."), or
 * NULL when there is no point coming back to it (the sign-in pages).
 */
static const char *here(const struct khttp_req *req)
{
	const char *p = req->path && req->path[0] == '/' && req->path[1] != '/' ? req->path : "/";

	if (!strcmp(p, "/signin") || !strcmp(p, "/signout-all") || !strcmp(p, "/signout"))
		return NULL;
	if (!req->query || !*req->query)
		return p;
	{
		struct kbuf b = KBUF_INIT;

		if (kbuf_addf(&b, "%s?%s", p, req->query) < 0) {
			kbuf_release(&b);
			return p;
		}
		return khttp_keep(req, kbuf_detach(&b, NULL));
	}
}

/*
 * Who is signed in, in the site header: their name and role, a sign-out
 * button (a form: signing out changes state, so it is a POST with the
 * session's CSRF token) and a link to sign out everywhere; or a sign-in
 * link, back to this page afterwards.  A reader known by a bearer token
 * has no session to end: the name alone.
 */
void web_account_bar(struct html *w, const struct khttp_req *req)
{
	const struct kreader *r = req->reader;

	if (!r || r->kind != KREADER_USER) {
		html_printf(w, "<div class=\"account\"><a class=\"signin-link\" href=\"%s\">%s</a></div>\n",
			    web_url(req, "/signin", "next", here(req), NULL), T(req, T_SIGNIN));
		return;
	}
	html_printf(w, "<div class=\"account\" aria-label=\"%s\">"
		    "<a class=\"who\" href=\"%s\"><span class=\"visually-hidden\">%s </span>"
		    "<span class=\"who-name\">%s</span> <span class=\"who-role\">%s</span></a>",
		    T(req, T_ACCOUNT_MENU), web_url(req, "/account", NULL), T(req, T_SIGNED_IN_AS),
		    req->user_name ? req->user_name : r->login ? r->login : "", web_role_label(req, r->role));
	/* incidents: the desk for the centre, the incidents of one's organisation or sectors for the others */
	if (kreader_can(r, KCAP_CASE_EDIT) || kreader_can(r, KCAP_REPORT_REVIEW) || kreader_can(r, KCAP_REPORT_FILE))
		html_printf(w, "<a class=\"desk-link\" href=\"%s\">%s</a>", web_url(req, "/incidents", NULL),
			    T(req, kreader_can(r, KCAP_CASE_EDIT) ? T_INC_NAV_DESK : T_INC_NAV_INCIDENTS));
	if (kreader_may_see_drafts(r))
		html_printf(w, "<a class=\"desk-link\" href=\"%s\">%s</a>", web_url(req, "/drafts", NULL),
			    T(req, T_ED_DRAFTS));
	if (kreader_may_see_drafts(r)) /* issue 13, h-select: the selection of a survey period */
		html_printf(w, "<a class=\"desk-link\" href=\"%s\">%s</a>", web_url(req, "/select", NULL),
			    T(req, T_SEL_NAV));
	if (kreader_can(r, KCAP_CASE_EDIT)) /* the 総括 of a period, a report or chosen cases */
		html_printf(w, "<a class=\"desk-link\" href=\"%s\">%s</a>", web_url(req, "/themes", NULL),
			    T(req, T_TH_NAV));
	if (kreader_can(r, KCAP_ADMIN))
		html_printf(w, "<a class=\"admin-link\" href=\"%s\">%s</a>", web_url(req, "/admin", NULL),
			    T(req, T_NAV_ADMIN));
	if (req->csrf) {
		html_printf(w, "<form class=\"signout\" method=\"post\" action=\"%s\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<button type=\"submit\">%s</button></form>"
			    "<a class=\"signout-all\" href=\"%s\">%s</a>",
			    web_url(req, "/signout", NULL), req->csrf, T(req, T_SIGNOUT),
			    web_url(req, "/signout-all", NULL), T(req, T_SIGNOUT_ALL));
	}
	html_printf(w, "</div>\n");
}

void web_end(struct html *w, const struct khttp_req *req)
{
	html_printf(w, "</main>\n<footer class=\"site-footer\">\n<p>%s</p>\n<p>%s · "
		    "<a href=\"/api/openapi.json\">%s</a></p>\n</footer>\n</body>\n</html>\n",
		    T(req, T_FOOTER_VISIBILITY), T(req, T_FOOTER_SOURCE), T(req, T_OPENAPI));
}

int web_finish(struct html *w, struct khttp_resp *resp, struct kerr *err)
{
	if (w->err == KE_NOMEM || w->err == KE_TOOBIG)
		return kerr_set(err, KE_NOMEM, "out of memory rendering the page");
	if (w->err)
		return kerr_set(err, KE_IO, "page template error (%s)", kerr_name(w->err));
	resp->content_type = "text/html; charset=utf-8";
	resp->kind = KRESP_HTML;
	return 0;
}

void web_error_page(const struct khttp_req *req, struct khttp_resp *resp, int status,
		    const char *detail)
{
	struct html w;
	enum kmsg title, hint;

	switch (status) {
	case 400: title = T_ERR_400; hint = T_ERR_400_HINT; break;
	case 404: title = T_ERR_404; hint = T_ERR_404_HINT; break;
	case 401: title = T_ERR_401; hint = T_ERR_400_HINT; break;
	case 403: title = T_ERR_403; hint = T_ERR_400_HINT; break;
	case 405: title = T_ERR_405; hint = T_ERR_400_HINT; break;
	case 413: title = T_ERR_413; hint = T_ERR_400_HINT; break;
	case 415: title = T_ERR_415; hint = T_ERR_400_HINT; break;
	case 429: title = T_ERR_429; hint = T_ERR_400_HINT; break;
	case 414: title = T_ERR_414; hint = T_ERR_400_HINT; break;
	case 431: title = T_ERR_431; hint = T_ERR_400_HINT; break;
	default: title = T_ERR_500; hint = T_ERR_500_HINT; break;
	}
	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, title), "", "page-error");
	html_printf(&w, "<section class=\"error-page\">\n<p class=\"error-code\">%d</p>\n<h1>%s</h1>\n",
		    status, T(req, title));
	/* details are shown for client errors only: a 500's cause stays in the log */
	if (detail && *detail && status >= 400 && status < 500)
		html_printf(&w, "<p class=\"error-detail\">%s</p>\n", detail);
	if (status == 401)
		html_printf(&w, "<p><a class=\"button\" href=\"%s\">%s</a> <a href=\"%s\">%s</a></p>\n</section>\n",
			    web_url(req, "/signin", "next", here(req), NULL), T(req, T_SIGNIN),
			    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	else
		html_printf(&w, "<p>%s</p>\n<p><a class=\"button\" href=\"%s\">%s</a></p>\n</section>\n",
			    T(req, hint), web_url(req, "/", NULL), T(req, T_NAV_HOME));
	web_end(&w, req);
	resp->kind = KRESP_HTML;
	resp->content_type = "text/html; charset=utf-8";
	resp->status = status;
	if (w.err)
		kbuf_reset(&resp->body);
}
