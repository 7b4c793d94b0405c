/*
 * route.c - the route table, the one requirements check, error responses
 * (see route.h).
 */
#include "route.h"
#include "i18n.h"
#include "kerr.h"
#include "reader.h"
#include "web.h"
#include "web_approve.h"
#include "web_incident.h"
#include "web_select.h"
#include "web_pdf.h"
#include "web_publish.h"
#include "web_themes.h"

#include <string.h>
#include <strings.h>

/*
 * The routes: method, pattern, handler, how errors look there, what the
 * route requires, whether it changes state (CSRF), and its line in the API
 * index.  A pattern is literal segments and :captures (a capture is one
 * non-empty path segment, percent-decoded).  GET routes answer HEAD too.
 */
const struct kroute kroutes[] = {
	{ "GET", "/", web_home, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/search", web_search, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* issue 16, h-browse: cases side by side; Atom feeds (each case subject to the reader's visibility) */
	{ "GET", "/compare", web_compare, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/feed.atom", web_feed, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/search.atom", web_search_feed, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* issue 16, h-paste: paste an incident; the POST only reads (no CSRF), its form may be large */
	{ "GET", "/similar", web_similar, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "POST", "/similar", web_similar, KRESP_HTML, KROUTE_PUBLIC, KROUTE_CSRF_READS, NULL },
	{ "GET", "/cases/:id", web_case, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/cases/:id/history", web_case_history, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/*
	 * editing cases and drafts (web_edit.c) and their history (web_case.c):
	 * drafts are 404 to whoever may not see drafts (the handler asks
	 * kreader_may_see_drafts()); the editors' forms may be large
	 * (kroute_large_form() below)
	 */
	{ "GET", "/cases/:id/edit", web_case_edit_form, KRESP_HTML, KCAP_CASE_EDIT, 0, NULL },
	{ "POST", "/cases/:id/edit", web_case_edit, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/cases/:id/diff", web_case_diff, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/cases/:id/revisions/:n", web_case_revision, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* issue 13, h-pdf: a case as PDF (web_pdf.c), for whoever may see the case (404 otherwise) */
	{ "GET", "/cases/:id/pdf", web_case_pdf, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/drafts", web_drafts, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/drafts/:id", web_draft, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/drafts/:id/edit", web_draft_edit_form, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "POST", "/drafts/:id/edit", web_draft_edit, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/drafts/:id/publish", web_draft_publish, KRESP_HTML, KCAP_CASE_PUBLISH, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/drafts/:id/history", web_case_history, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/drafts/:id/diff", web_case_diff, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/drafts/:id/revisions/:n", web_case_revision, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* issue 13, h-approve: the organisation's approval, redaction findings (web_approve.c: who sees the
	 * page is reader.c's kreader_may_see_approval, asked by the handler; 404 to everyone else) */
	{ "GET", "/drafts/:id/approval", web_approval, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "POST", "/drafts/:id/approval", web_approval_post, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/drafts/:id/approval/request", web_approval_request, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN,
	  NULL },
	{ "GET", "/documents", web_documents, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/documents/:name", web_document, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* the import review (web_review.c): analysts only */
	{ "GET", "/documents/:name/review", web_review, KRESP_HTML, KCAP_CASE_EDIT, 0, NULL },
	{ "POST", "/documents/:name/review", web_review_move, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	/* issue 13, h-publish: 報告書 (published reports), choose -> preview -> publish (web_publish.c); a report
	 * the reader's TLP does not allow is 404 (the handlers ask kreader_may_see_level on its TLP) */
	{ "GET", "/reports", web_reports, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/reports/:name", web_report, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/reports/:name/cases/:id", web_report_case, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/reports/:name/report.pdf", web_report_pdf, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/reports/:name/report.md", web_report_md, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/publish", web_publish_form, KRESP_HTML, KCAP_CASE_PUBLISH, 0, NULL },
	{ "POST", "/publish/preview", web_publish_preview, KRESP_HTML, KCAP_CASE_PUBLISH, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/publish", web_publish_post, KRESP_HTML, KCAP_CASE_PUBLISH, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/signin", web_signin_form, KRESP_HTML, KROUTE_PUBLIC, 0, NULL },
	/* no session yet, so no session token: the form's Origin is checked instead */
	{ "POST", "/signin", web_signin, KRESP_HTML, KROUTE_PUBLIC, KROUTE_CSRF_ORIGIN, NULL },
	{ "POST", "/signout", web_signout, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/signout-all", web_signout_all_form, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "POST", "/signout-all", web_signout_all, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	/* accounts: one's own (web_tokens.c), the admin pages (web_admin.c, web_audit.c) */
	{ "GET", "/account", web_account_page, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "POST", "/account/tokens", web_account_token_create, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/account/tokens/:id/revoke", web_account_token_revoke, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/admin", web_admin, KRESP_HTML, KCAP_ADMIN, 0, NULL },
	{ "GET", "/admin/orgs", web_admin_orgs, KRESP_HTML, KCAP_ADMIN, 0, NULL },
	{ "POST", "/admin/orgs", web_admin_org_add, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/admin/users", web_admin_users, KRESP_HTML, KCAP_ADMIN, 0, NULL },
	{ "POST", "/admin/users", web_admin_user_add, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/admin/users/:login", web_admin_user, KRESP_HTML, KCAP_ADMIN, 0, NULL },
	{ "POST", "/admin/users/:login/role", web_admin_user_role, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/admin/users/:login/status", web_admin_user_status, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/admin/users/:login/password", web_admin_user_password, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/admin/users/:login/signout", web_admin_user_signout, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/admin/users/:login/tokens/:id/revoke", web_admin_token_revoke, KRESP_HTML, KCAP_ADMIN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/admin/audit", web_admin_audit, KRESP_HTML, KCAP_ADMIN, 0, NULL },
	{ "GET", "/api/audit", api_audit, KRESP_JSON, KCAP_ADMIN, 0, "the audit log, newest first (admins)" },
	/* incidents (web_desk.c, web_incident.c): the analysts' desk and the operator's view; who sees and
	 * may do what is the model's kincident_allowed(), asked by each handler (404 for an incident one
	 * may not see); /incidents/new before /incidents/:id */
	{ "GET", "/incidents", web_incidents, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "GET", "/incidents.csv", web_incidents_csv, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "GET", "/incidents/new", web_incident_new, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "POST", "/incidents", web_incident_file, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/incidents/:id", web_incident, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL },
	{ "POST", "/incidents/:id/updates", web_incident_update, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/incidents/:id/status", web_incident_status, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/incidents/:id/candidate", web_incident_candidate, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/incidents/:id/draft", web_incident_draft, KRESP_HTML, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL },
	/* issue 13, h-select: the selection page */
	{ "GET", "/select", web_select, KRESP_HTML, KCAP_CASE_EDIT, 0, NULL },
	{ "POST", "/select/score", web_select_score, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/select/decide", web_select_decide, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/select/keep", web_select_keep, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	/* operations: load balancers ask /healthz; /metrics is for Prometheus on this machine, or admins */
	{ "GET", "/healthz", web_healthz, KRESP_JSON, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/metrics", web_metrics, KRESP_HTML, KROUTE_LOOPBACK_OR_ADMIN, 0, NULL },
	/* issue 13, h-themes: the 総括 editor */
	{ "GET", "/themes", web_themes, KRESP_HTML, KCAP_CASE_EDIT, 0, NULL },
	{ "POST", "/themes/edits", web_themes_edit, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "POST", "/themes/undo", web_themes_undo, KRESP_HTML, KCAP_CASE_EDIT, KROUTE_CSRF_TOKEN, NULL },
	{ "GET", "/static/:file", web_static, KRESP_STATIC, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/api", api_index, KRESP_JSON, KROUTE_PUBLIC, 0, NULL },
	{ "GET", "/api/cases", api_cases, KRESP_JSON, KROUTE_PUBLIC, 0, "the cases, filtered, a page at a time" },
	{ "GET", "/api/cases/:id", api_case, KRESP_JSON, KROUTE_PUBLIC, 0, "one case in the interchange format" },
	{ "GET", "/api/cases/:id/similar", api_case_similar, KRESP_JSON, KROUTE_PUBLIC, 0,
	  "the cases most like this one" },
	{ "GET", "/api/cases/:id/history", api_case_history, KRESP_JSON, KROUTE_PUBLIC, 0,
	  "the revisions of a case" },
	/* issue 16, h-paste: reads only, so no CSRF (a token, a session or no one: what they may see) */
	{ "POST", "/api/similar", api_similar_text, KRESP_JSON, KROUTE_PUBLIC, KROUTE_CSRF_READS,
	  "the cases most like a pasted text, with the terms they share and where" },
	{ "GET", "/api/search", api_search, KRESP_JSON, KROUTE_PUBLIC, 0, "ranked search with facets" },
	{ "GET", "/api/documents", api_documents, KRESP_JSON, KROUTE_PUBLIC, 0,
	  "the published reports and their case counts" },
	/* incident reports (api_report.c): who may do what is the model's workflow table, in the handlers */
	{ "POST", "/api/reports", api_report_add, KRESP_JSON, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN,
	  "file a first report (第一報): 201 with the incident and a Location" },
	{ "GET", "/api/reports", api_reports_list, KRESP_JSON, KROUTE_SIGNED_IN, 0,
	  "the incidents the caller may see, filtered, a page at a time" },
	{ "GET", "/api/reports/:id", api_report_get, KRESP_JSON, KROUTE_SIGNED_IN, 0,
	  "one incident with its reports in order and its status history" },
	{ "POST", "/api/reports/:id/updates", api_report_update, KRESP_JSON, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN,
	  "file a follow-up (続報) or the final report (最終報)" },
	{ "POST", "/api/reports/:id/status", api_report_status, KRESP_JSON, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN,
	  "change an incident's status (analysts)" },
	{ "POST", "/api/reports/:id/candidate", api_report_candidate, KRESP_JSON, KROUTE_SIGNED_IN,
	  KROUTE_CSRF_TOKEN, "mark or unmark an incident as a case-study candidate (事例候補)" },
	{ "POST", "/api/reports/:id/draft", api_report_draft, KRESP_JSON, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN,
	  "make a case draft from an incident (analysts)" },
	{ "GET", "/api/openapi.json", api_openapi, KRESP_JSON, KROUTE_PUBLIC, 0, "this API's OpenAPI document" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL },
};

/*
 * The routes whose form may be large (KHTTP_MAX_FORM_BODY, KHTTP_MAX_FORM_PARAMS):
 * the case editor, and the report forms (Japanese text is about 9 bytes a
 * character once form-encoded: 64 KiB would hold some 7,000 characters).
 */
static const char *const large_forms[] = {
	"/cases/:id/edit", "/drafts/:id/edit", "/incidents", "/incidents/:id/updates",
	"/publish", "/publish/preview", /* issue 13, h-publish: a report's cases ticked one by one */
	"/similar", /* issue 16, h-paste: a pasted incident report */
};

int kroute_large_form(const char *method, const char *uri)
{
	if (!method || strcmp(method, "POST") || !uri || uri[0] != '/')
		return 0;
	for (size_t i = 0; i < sizeof(large_forms) / sizeof(large_forms[0]); i++) {
		const char *p = large_forms[i] + 1, *u = uri + 1;

		/* segment by segment on the raw target: the literal ones are plain ASCII */
		for (;;) {
			size_t pn = strcspn(p, "/"), un = strcspn(u, "/?");

			if (*p == ':' ? un == 0 : (pn != un || memcmp(p, u, pn)))
				break;
			p += pn;
			u += un;
			if (!*p) {
				if (!*u || *u == '?')
					return 1;
				break;
			}
			if (*u != '/')
				break;
			p++;
			u++;
		}
	}
	return 0;
}

enum kresp_kind kroute_kind_of_path(const char *p)
{
	return !strncmp(p, "/api", 4) && (p[4] == '/' || p[4] == '?' || !p[4]) ? KRESP_JSON : KRESP_HTML;
}

/* Match the decoded segments against a pattern; fill req->args. */
static int match_pattern(const char *pattern, char **seg, int nseg, struct khttp_req *req)
{
	const char *p = pattern + 1;
	int i = 0;

	req->nargs = 0;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (i >= nseg)
			return 0;
		if (*p == ':') {
			if (!*seg[i] || req->nargs >= KHTTP_MAX_ARGS)
				return 0;
			req->args[req->nargs++] = seg[i];
		} else if (strlen(seg[i]) != n || memcmp(seg[i], p, n)) {
			return 0;
		}
		i++;
		p += n + (end ? 1 : 0);
	}
	return i == nseg;
}

/* Does a route of method m answer the request's method? (GET answers HEAD) */
static int method_matches(const char *m, const char *method)
{
	return !strcmp(m, method) || (!strcmp(m, "GET") && !strcmp(method, "HEAD"));
}

int kroute_method_known(const char *method)
{
	for (const struct kroute *r = kroutes; r->pattern; r++)
		if (method_matches(r->method, method))
			return 1;
	return 0;
}

const struct kroute *kroute_find(const char *method, char **seg, int nseg, struct khttp_req *req,
				 int *status)
{
	int other = 0;

	for (const struct kroute *r = kroutes; r->pattern; r++) {
		if (!match_pattern(r->pattern, seg, nseg, req))
			continue;
		if (method_matches(r->method, method)) {
			*status = 200;
			return r;
		}
		other = 1;
	}
	req->nargs = 0;
	*status = other ? 405 : 404;
	return NULL;
}

const char *kroute_allow(char **seg, int nseg)
{
	struct khttp_req scratch;
	int get = 0, post = 0;

	memset(&scratch, 0, sizeof(scratch));
	for (const struct kroute *r = kroutes; r->pattern; r++) {
		if (!match_pattern(r->pattern, seg, nseg, &scratch))
			continue;
		get |= !strcmp(r->method, "GET");
		post |= !strcmp(r->method, "POST");
	}
	return get && post ? "GET, HEAD, POST" : post ? "POST" : "GET, HEAD";
}

const char *kroute_allow_uri(const char *uri)
{
	char buf[512], *seg[16], *p;
	int nseg = 0;

	if (!uri || uri[0] != '/')
		return "GET, HEAD";
	snprintf(buf, sizeof(buf), "%s", uri + 1);
	if ((p = strchr(buf, '?')))
		*p = '\0';
	for (p = buf; nseg < 16;) {
		char *sl = strchr(p, '/');

		seg[nseg++] = p;
		if (!sl)
			break;
		*sl = '\0';
		p = sl + 1;
	}
	if (nseg == 1 && !*seg[0])
		nseg = 0;
	return kroute_allow(seg, nseg);
}

/* Compare two secrets in time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = na != nb;

	for (size_t i = 0; i < na && i < nb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/*
 * Does the request come from a page of this site?  Its Origin, else its
 * Referer, must name the host it was sent to (req->host: the Host header,
 * or a trusted proxy's X-Forwarded-Host); the scheme is left aside (behind
 * a proxy it is the proxy's to say).  Every current browser sends Origin
 * with a POST, and our pages send Referer to this site (Referrer-Policy:
 * same-origin); a request with neither, or "Origin: null", is refused.
 * This needs no state and no cookie before sign-in (a pre-session token
 * would need both, and the sign-in page could no longer be cached).
 */
static int same_origin(const struct khttp_req *req)
{
	const char *o = khttp_header(req, "Origin"), *host = req->host;
	size_t n;

	if (!o || !*o)
		o = khttp_header(req, "Referer");
	if (!o || !host || !*host)
		return 0;
	if (!strncasecmp(o, "https://", 8))
		o += 8;
	else if (!strncasecmp(o, "http://", 7))
		o += 7;
	else
		return 0;
	n = strcspn(o, "/?#");
	return n == strlen(host) && !strncasecmp(o, host, n);
}

int kroute_allowed(const struct kroute *r, const struct khttp_req *req, struct kerr *err)
{
	const struct kreader *who = req->reader ? req->reader : &kreader_anonymous;
	unsigned caps = r->need & ~(KROUTE_SIGNED_IN | KROUTE_LOOPBACK_OR_ADMIN);
	int html = r->kind == KRESP_HTML; /* the message in the page's language (the API's: English) */

	/*
	 * The operator's own routes: from this machine, or for an admin; to
	 * anyone else they do not exist (a 404 like any unknown address, so a
	 * scan learns nothing of them).
	 */
	if (r->need & KROUTE_LOOPBACK_OR_ADMIN) {
		if (req->loopback || (who->kind == KREADER_USER && kreader_can(who, KCAP_ADMIN)))
			return 0;
		return kerr_set(err, KE_NOTFOUND, "%s", ""); /* no detail: the page of any unknown path */
	}
	if (r->need != KROUTE_PUBLIC && who->kind != KREADER_USER)
		return kerr_set(err, KE_AUTH, "%s", html ? T(req, T_NEED_SIGNIN) : "sign in to use this");
	if (caps && !kreader_can(who, caps))
		return kerr_set(err, KE_DENIED, "%s", html ? T(req, T_NEED_ROLE) : "your role does not allow this");
	/*
	 * A request that changes state and carries a session cookie (valid or
	 * not) must carry the session's token too: a page of another site can
	 * make a browser send the cookie, never the token.  A request with a
	 * bearer token and no cookie needs none: nothing sends that token
	 * without its holder.
	 */
	if (r->csrf == KROUTE_CSRF_ORIGIN && !same_origin(req))
		return kerr_set(err, KE_DENIED, "%s", html ? T(req, T_SIGNIN_BAD_ORIGIN) :
				"the request's Origin (or Referer) is not this site");
	if (r->csrf == KROUTE_CSRF_TOKEN && (req->auth != KHTTP_AUTH_TOKEN || req->has_cookie)) {
		const char *sent = khttp_form(req, "csrf");

		if (!sent)
			sent = khttp_header(req, "X-CSRF-Token");
		if (!req->csrf || !sent || !same_secret(req->csrf, sent))
			return kerr_set(err, KE_DENIED, "%s", html ? T(req, T_CSRF_FAILED) :
					"the request lacks the session's CSRF token (X-CSRF-Token), or it is wrong");
	}
	return 0;
}

int kroute_run(const struct kroute *r, struct khttp_req *req, struct khttp_resp *resp,
	       struct kerr *err)
{
	int rc = kroute_allowed(r, req, err);

	return rc < 0 ? rc : r->fn(req, resp, err);
}

void kroute_error(const struct khttp_req *req, struct khttp_resp *resp, enum kresp_kind kind,
		  int status, const char *msg, int detail)
{
	resp->status = status;
	resp->kind = kind == KRESP_JSON ? KRESP_JSON : KRESP_HTML;
	if (resp->kind == KRESP_JSON && api_report_path(req->path))
		api_report_error(resp, status, msg, NULL); /* the shape of report-json.md */
	else if (resp->kind == KRESP_JSON)
		api_error(resp, status, msg);
	else
		web_error_page(req, resp, status, detail ? msg : NULL);
	if (!resp->body.len)
		kbuf_addf(&resp->body, "%d %s\n", status, khttp_reason(status));
	resp->status = status;
}

int kroute_status_of(int code)
{
	switch (code) {
	case KE_NOTFOUND: return 404;
	case KE_USAGE:
	case KE_INVALID:
	case KE_PARSE: return 400;
	case KE_TOOBIG: return 413;
	case KE_AUTH: return 401;
	case KE_DENIED: return 403;
	case KE_UNSUPPORTED: return 501;
	default: return 500;
	}
}
