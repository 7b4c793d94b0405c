/*
 * route.h - the web application's routes: what the HTTP transport (http.c)
 * hands a parsed request to.  This module owns the route table (method,
 * pattern, handler, how errors look, and what each route requires), the one
 * check of those requirements made before any handler runs, and the error
 * responses (JSON under /api/, an HTML page elsewhere).  http.c knows
 * nothing of pages or the API; it only calls the functions below.
 *
 * Requirements, per route:
 *   need  KROUTE_PUBLIC      anyone, signed in or not
 *         KROUTE_SIGNED_IN   a signed-in user (else 401)
 *         KCAP_* bits        a signed-in user holding every one of them (else 403)
 *         KROUTE_LOOPBACK_OR_ADMIN  a client on this machine (the address the
 *                            request came from, after a trusted proxy's
 *                            X-Forwarded-For: req->loopback), or a signed-in
 *                            admin (KCAP_ADMIN); anyone else gets 404, as if
 *                            the route did not exist (operations: /metrics)
 *   csrf  KROUTE_CSRF_TOKEN if the route changes state: a request that
 *         carries a session cookie (or no bearer token) must carry the
 *         session's CSRF token (the form field csrf of a POST body, or an
 *         X-CSRF-Token header), else 403; KROUTE_CSRF_ORIGIN for the one
 *         route that changes state before there is a session (sign-in):
 *         its Origin (or Referer) must name this host, else 403;
 *         KROUTE_CSRF_READS for a POST that changes nothing (its input is
 *         too big for a URL: a pasted incident): no check, as for a GET
 */
#ifndef KYOKUN_ROUTE_H
#define KYOKUN_ROUTE_H

#include "http.h"

struct kerr;

#define KROUTE_PUBLIC 0u
#define KROUTE_SIGNED_IN (1u << 31) /* beyond every KCAP_* bit */
#define KROUTE_LOOPBACK_OR_ADMIN (1u << 30) /* loopback client, or a KCAP_ADMIN user */

/* How a route that changes state is protected from cross-site requests (kroute.csrf). */
enum {
	KROUTE_CSRF_NONE = 0,   /* changes nothing (GET) */
	KROUTE_CSRF_TOKEN = 1,  /* the session's CSRF token (a cookie's request must carry it) */
	KROUTE_CSRF_ORIGIN = 2, /* no session to have a token yet (sign-in): the request's Origin,
				 * or its Referer, must be this site */
	KROUTE_CSRF_READS = 3,  /* a POST that changes nothing (a pasted text too big for a URL): none */
};

struct kroute {
	const char *method;   /* "GET" (which answers HEAD too) or "POST" */
	const char *pattern;  /* "/cases/:id/history": literal segments and :captures */
	khttp_handler fn;
	enum kresp_kind kind; /* how errors on this route are shown */
	unsigned need;        /* KROUTE_PUBLIC, KROUTE_SIGNED_IN or KCAP_* bits */
	int csrf;             /* KROUTE_CSRF_*: how a state change is protected */
	const char *summary;  /* one line for the API index (API routes) */
};

/* The table, ending with a NULL pattern. */
extern const struct kroute kroutes[];

/* How errors look at a path before any route is found: JSON under /api. */
enum kresp_kind kroute_kind_of_path(const char *path);

/*
 * The route for method and the decoded path segments (seg[0..nseg), none
 * for "/"), with req->args filled from its :captures.  NULL if none:
 * *status is then 404, or 405 when the path exists for another method.
 */
const struct kroute *kroute_find(const char *method, char **seg, int nseg, struct khttp_req *req,
				 int *status);

/*
 * The Allow header for a path: "GET, HEAD", "POST" or "GET, HEAD, POST",
 * from its decoded segments, or from a raw request target (not decoded: for
 * the early 405 of a method no route answers).
 */
const char *kroute_allow(char **seg, int nseg);
const char *kroute_allow_uri(const char *uri);

/*
 * Is method and the raw request target (still percent-encoded, with its
 * query) one of the few routes whose form may be large: up to
 * KHTTP_MAX_FORM_BODY bytes and KHTTP_MAX_FORM_PARAMS fields (the case
 * editor: a case's sections and timeline rows)?  Every other request keeps
 * KHTTP_MAX_BODY and KHTTP_MAX_PARAMS.  1 or 0.
 */
int kroute_large_form(const char *method, const char *uri);

/* Does any route answer this method?  (Others are refused with 405 early.) */
int kroute_method_known(const char *method);

/*
 * The one place a route's requirements are checked: 0 if req may use r,
 * else KE_AUTH (not signed in: 401), KE_DENIED (403) or KE_NOTFOUND (404,
 * for a KROUTE_LOOPBACK_OR_ADMIN route) with a message.
 */
int kroute_allowed(const struct kroute *r, const struct khttp_req *req, struct kerr *err);

/* Check, then run the handler.  What the transport calls for every request. */
int kroute_run(const struct kroute *r, struct khttp_req *req, struct khttp_resp *resp,
	       struct kerr *err);

/*
 * Fill resp with an error in the given kind (400, 404, ...).  msg is shown:
 * in JSON always; on an HTML page only when detail is set (a handler's
 * message, written in the reader's language), and never for a 5xx.
 */
void kroute_error(const struct khttp_req *req, struct khttp_resp *resp, enum kresp_kind kind,
		  int status, const char *msg, int detail);

/* The HTTP status for a handler's KE_* code (KE_NOTFOUND 404, KE_USAGE 400, ...). */
int kroute_status_of(int code);

#endif
