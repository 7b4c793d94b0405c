/*
 * web.h - the web application: the page handlers (web_*.c), the JSON API
 * (api.c), the embedded static files (assets.c) and what they share: the
 * page frame, links that keep the reader's language, error pages.
 *
 * Every handler takes the reader from req->reader and passes it to every
 * lookup; a case the reader may not see does not exist for them (404,
 * absent from lists, counts and similar cases).
 */
#ifndef KYOKUN_WEB_H
#define KYOKUN_WEB_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "html.h"
#include "http.h"
#include "i18n.h"
#include "reader.h"

struct kcase;
struct kerr;

/* ---- the page frame (web_layout.c) ---- */

/*
 * Start a page: doctype, head (title, stylesheets, script), the site header
 * with the search box and the language switch, and <main>.  q is the text
 * for the header's search box (may be NULL).
 */
void web_begin(struct html *w, const struct khttp_req *req, const char *title, const char *q,
	       const char *body_class);
/* The same with an Atom feed named in the head (<link rel="alternate" type="application/atom+xml">). */
void web_begin_feed(struct html *w, const struct khttp_req *req, const char *title, const char *q,
		    const char *body_class, const char *feed, const char *feed_title);
/* Who is signed in (name, role, sign-out), or a sign-in link: part of the site header. */
void web_account_bar(struct html *w, const struct khttp_req *req);
/* A role for people, in the page's language ("分析担当" / "Analyst"). */
const char *web_role_label(const struct khttp_req *req, enum krole role);

/* Close <main>, the footer, the document. */
void web_end(struct html *w, const struct khttp_req *req);
/* Fill resp with the page in body (status stays); returns w->err as a KE_* code. */
int web_finish(struct html *w, struct khttp_resp *resp, struct kerr *err);

/* An HTML error page for status (400, 404, ...) with an optional detail line. */
void web_error_page(const struct khttp_req *req, struct khttp_resp *resp, int status,
		    const char *detail);

/*
 * The one URL builder for every link a page makes.  path is literal text in
 * which each %U takes the next argument as one percent-encoded path segment;
 * then name/value pairs ending with NULL (values percent-encoded; NULL or ""
 * values left out); lang= is carried on when the reader chose the language
 * in the URL.  The string lives as long as the request (khttp_keep); NULL
 * if memory ran out (html_printf prints nothing for it).  Print it with %s.
 *
 *     html_printf(w, "<a href=\"%s\">", web_url(req, "/cases/%U/history", id, NULL));
 */
const char *web_url(const struct khttp_req *req, const char *path, ...) __attribute__((sentinel));
/* The same into b. */
int web_url_build(const struct khttp_req *req, struct kbuf *b, const char *path, va_list ap);
/* For links built piece by piece: append "?name=value" or "&name=value" (*first says which; the
 * name and value percent-encoded), and the reader's explicit lang= last. */
int web_url_param(struct kbuf *b, int *first, const char *name, const char *value);
int web_url_lang(const struct khttp_req *req, struct kbuf *b, int *first);

/* Is id a well-formed case id ([A-Za-z0-9._~-], 1..200 bytes)? */
int web_valid_id(const char *id);
/*
 * The request's page=N: *page 1 when absent or empty; -1 unless N is
 * digits alone (no sign, no space) from 1 to max.
 */
int web_page_param(const struct khttp_req *req, long max, long *page);

/* "事例3 · 2023年度" style source line parts: the case number label into buf. */
const char *web_case_number(const struct khttp_req *req, int has_number, int number, char *buf,
			    size_t n);

/* Print a TLP badge. */
void web_tlp_badge(struct html *w, const struct khttp_req *req, const char *tlp);

/* ---- handlers ---- */

int web_home(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_search(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* /compare?ids=A,B,C: two or three cases side by side (web_compare.c) */
int web_compare(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* /feed.atom and /search.atom: Atom feeds of what the reader may see (web_feed.c) */
int web_feed(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_search_feed(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
struct ksearch_result;
/* The cases of a similar-cases result as a list (web_case.c). */
void web_similar_list(struct html *w, const struct khttp_req *req, const struct ksearch_result *res);
/* The same, each case with a link comparing it with compare_with (web_compare.c); NULL: none. */
void web_similar_list_compare(struct html *w, const struct khttp_req *req, const struct ksearch_result *res,
			      const char *compare_with);
int web_case_history(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_documents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* The imported documents the reader may see, as a table (/documents, and under 報告書 on /reports). */
int web_documents_table(struct html *w, struct khttp_req *req, struct kerr *err);
int web_document(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_static(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* sign-in and sign-out (web_account.c) */
int web_signin_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_signin(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_signout(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_signout_all_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_signout_all(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* accounts for admins and users (web_admin.c, web_audit.c, web_tokens.c; forms: web_form.h) */
int web_admin(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_orgs(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_org_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_users(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user_role(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user_password(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_user_signout(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_token_revoke(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_admin_audit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_account_page(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_account_token_create(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_account_token_revoke(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_audit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* operations (web_metrics.c): GET /healthz, GET /metrics */
int web_healthz(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_metrics(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

int api_index(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_cases(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_case_similar(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* POST /api/similar: the cases most like a pasted text, with where they share its terms */
int api_similar_text(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_case_history(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_search(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_documents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_openapi(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* A JSON error body {"error":{"status":N,"message":...}}. */
void api_error(struct khttp_resp *resp, int status, const char *msg);

/* incident reports (api_report.c; the workflow is report.h's kincident_allowed) */
int api_report_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_reports_list(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_report_get(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_report_update(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_report_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_report_candidate(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int api_report_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/*
 * The error body of the report routes, as ../shared/spec/report-json.md
 * has it: {"error": "message", "field": "name" or null, "status": N}.
 * api_report_path(): is path (a request target) one of theirs (/api/reports...)?
 */
void api_report_error(struct khttp_resp *resp, int status, const char *msg, const char *field);
int api_report_path(const char *path);

/*
 * Load a case visible to the reader: KE_NOTFOUND (with the same message)
 * whether it is absent or hidden from req->reader, KE_USAGE for a malformed id.
 */
int web_load_case(struct khttp_req *req, const char *id, struct kcase *c, struct kerr *err);

/* ---- editing, drafts, history (web_edit.c; the history page is web_case.c's) ---- */

int web_case_edit_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_case_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_case_diff(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_case_revision(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_drafts(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_draft_edit_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_draft_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_draft_publish(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* A case's head and body as its page shows them (web_case.c): for drafts and old revisions too. */
void web_case_render(struct html *w, const struct khttp_req *req, const struct kcase *c);

/* Is the request under /drafts/ (a draft's page) rather than /cases/? */
int web_path_is_draft(const struct khttp_req *req);
/*
 * Load a draft (draft != 0: KE_NOTFOUND unless kreader_may_see_drafts) or a
 * case visible to the reader (web_load_case) from st (req->st, or the
 * writer in a transaction).
 */
struct kstore;
int web_load_target(struct khttp_req *req, struct kstore *st, int draft, const char *id, struct kcase *c,
		    struct kerr *err);

/*
 * The reader's time zone: ?tz= one of JST (the default), UTC, KST, SGT,
 * IST; a UTC time ("2026-12-04T00:15:00Z") in it, "2026-12-04 09:15 JST"
 * (kept with the request); links to switch between JST and UTC on path
 * (with %U for id, or no %U and id NULL).
 */
const char *web_tz(const struct khttp_req *req);
const char *web_time(const struct khttp_req *req, const char *utc);
void web_tz_choice(struct html *w, const struct khttp_req *req, const char *path, const char *id);

/* A case's or draft's revisions this reader may see, newest first. */
struct web_rev {
	int revision, current, draft;
	char *saved, *author;
	json_t *json;
};
struct web_revs {
	struct web_rev *v;
	size_t n, alloc;
	int latest;                    /* the latest revision, seen or not */
	const struct kreader *reader;
	int draft;                     /* revisions of a draft: no TLP filter (drafts are for the centre) */
};
int web_revs_load(struct khttp_req *req, struct kstore *st, const char *id, int draft, struct web_revs *rs,
		  struct kerr *err);
void web_revs_free(struct web_revs *rs);
const struct web_rev *web_revs_find(const struct web_revs *rs, int revision);
/*
 * The line diff of a and b, a section per field that differs (headings of
 * level h2..h6 as level says), as the diff page shows it.  1 if any differs.
 */
int web_case_diff_fields(struct html *w, const struct khttp_req *req, const struct kcase *a, const struct kcase *b,
			 int level);
/* The form that picks two revisions to compare (GET .../diff?from=&to=). */
void web_diff_form(struct html *w, const struct khttp_req *req, int draft, const char *id,
		   const struct web_revs *rs, int from, int to);

/* ---- search results (web_search.c) ---- */

struct kfilter;
struct ksearch_hit;
struct ksearch_result;

/* The list of hits of a search or browse, with snippets. */
/* A search hit's facts in its meta line (web_search.c), for every list of hits. */
void web_hit_meta(struct html *w, const struct khttp_req *req, const struct ksearch_hit *h);
void web_render_hits(struct html *w, const struct khttp_req *req, const struct ksearch_result *res);
/* The facet counts as cards whose links start a search by that facet (home page). */
void web_render_facet_overview(struct html *w, const struct khttp_req *req,
			       const struct ksearch_result *res);

/* ---- paste an incident (web_similar.c) ---- */

/*
 * The "paste your incident" box: a form (POST /similar) with a textarea
 * and the sector, event class, threat and year filters, whose values come
 * from facets' counts (the reader's cases; NULL: the known values, and
 * the year typed in).  folded: inside a <details> (the search page, which
 * passes NULL: its counts are those of the query).
 */
void web_similar_box(struct html *w, const struct khttp_req *req, const struct ksearch_result *facets,
		     int folded);
/* GET /similar (the box) and POST /similar (the cases most like the pasted text) */
int web_similar(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* ---- embedded static files (assets.c) ---- */

/* The URL of an asset with its content hash in the name ("/static/kyokun-1a2b3c4d.css"). */
const char *web_asset_url(const char *name);

/*
 * A document's citation in one line (web_home.c): title, publisher, year or
 * date, page (0: none) and a link to url; brief (a search hit) leaves out
 * the publisher and the link.  Nothing when title, publisher, date and url
 * are all NULL.
 */
void web_cite(struct html *w, const struct khttp_req *req, const char *title, const char *publisher,
	      int has_year, int year, const char *published, int page, const char *url, int brief);

/* The import review of a document (web_review.c): analysts only. */
int web_review(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
int web_review_move(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);
/* Does the case JSON's import object say "low" (an analyst's flag)? */
int web_import_low(const struct kcase *c);

#endif
