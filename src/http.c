/*
 * http.c - the HTTP server: libmicrohttpd in a thread pool, the route
 * table, the one path every request takes (limits, decoding, routing,
 * security headers), and one database connection per worker thread.
 */
#include "http.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"
#include "web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * The routes: method, pattern, handler, and how errors look there.  A
 * pattern is literal segments and :captures (a capture is one non-empty
 * path segment, percent-decoded).  GET routes answer HEAD too.
 */
const struct kroute kroutes[] = {
	{ "GET", "/", web_home, KRESP_HTML },
	{ "GET", "/search", web_search, KRESP_HTML },
	{ "GET", "/cases/:id", web_case, KRESP_HTML },
	{ "GET", "/cases/:id/history", web_case_history, KRESP_HTML },
	{ "GET", "/documents", web_documents, KRESP_HTML },
	{ "GET", "/documents/:name", web_document, KRESP_HTML },
	{ "GET", "/static/:file", web_static, KRESP_STATIC },
	{ "GET", "/api", api_index, KRESP_JSON },
	{ "GET", "/api/cases", api_cases, KRESP_JSON },
	{ "GET", "/api/cases/:id", api_case, KRESP_JSON },
	{ "GET", "/api/cases/:id/similar", api_case_similar, KRESP_JSON },
	{ "GET", "/api/cases/:id/history", api_case_history, KRESP_JSON },
	{ "GET", "/api/search", api_search, KRESP_JSON },
	{ "GET", "/api/documents", api_documents, KRESP_JSON },
	{ "GET", "/api/openapi.json", api_openapi, KRESP_JSON },
	{ NULL, NULL, NULL, 0 },
};

#define MAX_SEGMENTS 16

/* Content-Security-Policy: no inline script or style anywhere. */
static const char csp_page[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
	"form-action 'self'; frame-ancestors 'none'";
static const char csp_none[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

struct khttp_server {
	struct MHD_Daemon *d;
	char *db_path;
	char url[96];
	int access_log;
	pthread_mutex_t lock;
	struct kstore **stores; /* every worker's connection, closed at stop */
	size_t nstores, astores;
};

/* Per request: allocated by the URI callback, freed when the request completes. */
struct reqstate {
	char *uri;        /* the request target as received (copy) */
	size_t urilen;    /* its full length (the copy may be cut at KHTTP_MAX_URI) */
	size_t body;      /* body bytes seen */
	const char *method;
	int started;
	struct timespec t0;
};

/* This thread's connection, and the server it belongs to. */
static _Thread_local struct kstore *tl_store;
static _Thread_local const struct khttp_server *tl_server;

/* ---- small helpers ------------------------------------------------------ */

int khttp_reader_max_tlp(const struct khttp_req *req)
{
	(void)req;
	return 0; /* anonymous: TLP:CLEAR only (accounts come later) */
}

const char *khttp_param(const struct khttp_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

const char *khttp_header(const struct khttp_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int khttp_url_build(const struct khttp_req *req, struct kbuf *b, const char *path, ...)
{
	const char *name, *value;
	int rc = kbuf_adds(b, path), first = !strchr(path, '?');
	va_list ap;

	va_start(ap, path);
	while (!rc && (name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (!value || !*value)
			continue;
		rc = kbuf_addch(b, first ? '?' : '&');
		first = 0;
		if (!rc)
			rc = kbuf_adds(b, name);
		if (!rc)
			rc = kbuf_addch(b, '=');
		if (!rc)
			rc = url_encode(b, value, strlen(value));
	}
	va_end(ap);
	if (!rc && req && req->lang_explicit)
		rc = kbuf_addf(b, "%clang=%s", first ? '?' : '&', req->lang == KLANG_EN ? "en" : "ja");
	return rc;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict UTF-8 check (no overlongs, no surrogates). */
static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/*
 * Percent-decode s[0..n) into out (NUL-terminated; at most n + 1 bytes).
 * plus: '+' means space (query strings).  Refuses malformed escapes, NUL,
 * other control characters except tab / newline / CR, and invalid UTF-8.
 */
static int decode(const char *s, size_t n, int plus, char *out)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return -1;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return -1;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return utf8_ok((const unsigned char *)out, j) ? 0 : -1;
}

const char *khttp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	default: return "Error";
	}
}

/* ---- the database connection of this worker ---------------------------- */

static struct kstore *worker_store(struct khttp_server *srv, struct kerr *err)
{
	struct kstore *st = NULL;
	int rc;

	if (tl_store && tl_server == srv)
		return tl_store;
	if (kstore_open(&st, srv->db_path, KSTORE_READONLY, err) < 0)
		return NULL;
	pthread_mutex_lock(&srv->lock);
	rc = 0;
	if (srv->nstores == srv->astores) {
		size_t n = srv->astores ? srv->astores * 2 : 8;
		struct kstore **v = realloc(srv->stores, n * sizeof(*v));

		if (v) {
			srv->stores = v;
			srv->astores = n;
		} else {
			rc = KE_NOMEM;
		}
	}
	if (!rc)
		srv->stores[srv->nstores++] = st;
	pthread_mutex_unlock(&srv->lock);
	if (rc) {
		kstore_close(st);
		kerr_set(err, KE_NOMEM, "out of memory");
		return NULL;
	}
	tl_store = st;
	tl_server = srv;
	return st;
}

/* ---- language ------------------------------------------------------------ */

/* The language from Accept-Language: the higher q of ja* and en*, Japanese on a tie. */
static enum klang accept_language(const char *h)
{
	double qja = -1, qen = -1;

	while (h && *h) {
		const char *end = strchr(h, ','), *semi, *p;
		size_t n = end ? (size_t)(end - h) : strlen(h);
		double q = 1.0;

		while (n && (*h == ' ' || *h == '\t'))
			h++, n--;
		semi = memchr(h, ';', n);
		p = semi;
		if (p && (p = strstr(p, "q=")) && p < h + n)
			q = strtod(p + 2, NULL);
		if (q < 0 || q > 1)
			q = 0;
		if (n >= 2 && !strncasecmp(h, "ja", 2) && (n == 2 || h[2] == '-' || h[2] == ';')) {
			if (q > qja)
				qja = q;
		} else if (n >= 2 && !strncasecmp(h, "en", 2) && (n == 2 || h[2] == '-' || h[2] == ';')) {
			if (q > qen)
				qen = q;
		}
		h = end ? end + 1 : NULL;
	}
	return qen > 0 && qen > qja ? KLANG_EN : KLANG_JA;
}

/* ---- responses ------------------------------------------------------------ */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Does the If-None-Match header name etag? */
static int etag_matches(struct MHD_Connection *conn, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	size_t n = strlen(etag);

	if (!inm || !n)
		return 0;
	return strstr(inm, etag) != NULL || !strcmp(inm, "*");
}

static enum MHD_Result send_resp(struct khttp_server *srv, struct MHD_Connection *conn,
				 const struct khttp_req *req, struct khttp_resp *resp,
				 struct reqstate *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = 0;
	char *body;
	int status = resp->status ? resp->status : 200;

	if (status == 200 && !resp->etag[0] && resp->body.len) {
		snprintf(resp->etag, sizeof(resp->etag), "\"%016llx\"",
			 (unsigned long long)fnv1a(resp->body.buf, resp->body.len));
	}
	if (status == 200 && etag_matches(conn, resp->etag)) {
		status = 304;
		kbuf_reset(&resp->body);
	}
	body = kbuf_detach(&resp->body, &len);
	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (!resp->content_type)
		resp->content_type = resp->kind == KRESP_JSON ? "application/json; charset=utf-8" :
				     "text/html; charset=utf-8";
	if (status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, "Content-Security-Policy",
				resp->kind == KRESP_HTML ? csp_page : csp_none);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
	if (resp->kind == KRESP_STATIC && status / 100 != 4 && status / 100 != 5)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					resp->cache_control ? resp->cache_control :
					"public, max-age=31536000, immutable");
	else
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					resp->cache_control ? resp->cache_control : "no-cache");
	if (resp->kind == KRESP_HTML) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_LANGUAGE,
					req && req->lang == KLANG_EN ? "en" : "ja");
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Language");
	}
	if (resp->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (resp->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
	ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	if (srv->access_log && rs) {
		struct timespec t1;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "kyokun: %s %.200s %d %zu %.1fms\n", rs->method ? rs->method : "-",
			rs->uri ? rs->uri : "-", status, len,
			(double)(t1.tv_sec - rs->t0.tv_sec) * 1e3 + (t1.tv_nsec - rs->t0.tv_nsec) / 1e6);
	}
	return ret;
}

/*
 * An error response in the route's kind (JSON under /api/, HTML elsewhere).
 * msg is English for the API; an HTML page shows it only when it came from
 * a handler (which writes it in the reader's language): detail != 0.
 */
static enum MHD_Result send_error_(struct khttp_server *srv, struct MHD_Connection *conn,
				   struct khttp_req *req, enum kresp_kind kind, int status,
				   const char *msg, int detail, struct reqstate *rs)
{
	struct khttp_resp resp;
	enum MHD_Result ret;

	memset(&resp, 0, sizeof(resp));
	resp.status = status;
	resp.kind = kind == KRESP_JSON ? KRESP_JSON : KRESP_HTML;
	if (resp.kind == KRESP_JSON)
		api_error(&resp, status, msg);
	else
		web_error_page(req, &resp, status, detail ? msg : NULL);
	if (!resp.body.len)
		kbuf_addf(&resp.body, "%d %s\n", status, khttp_reason(status));
	resp.status = status;
	ret = send_resp(srv, conn, req, &resp, rs);
	kbuf_release(&resp.body);
	return ret;
}

static enum MHD_Result send_error(struct khttp_server *srv, struct MHD_Connection *conn,
				  struct khttp_req *req, enum kresp_kind kind, int status,
				  const char *msg, struct reqstate *rs)
{
	return send_error_(srv, conn, req, kind, status, msg, 0, rs);
}

static int status_of(int code)
{
	switch (code) {
	case KE_NOTFOUND: return 404;
	case KE_USAGE:
	case KE_INVALID:
	case KE_PARSE: return 400;
	case KE_TOOBIG: return 413;
	default: return 500;
	}
}

/* ---- one request ------------------------------------------------------------ */

/* A path is JSON-land if it is /api or under /api/. */
static enum kresp_kind kind_of_path(const char *p)
{
	return !strncmp(p, "/api", 4) && (p[4] == '/' || p[4] == '?' || !p[4]) ? KRESP_JSON : KRESP_HTML;
}

/* Match the decoded segments against a pattern; fill req->args. */
static int match_route(const char *pattern, char **seg, int nseg, struct khttp_req *req)
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

/* Count the header fields and their bytes. */
struct hdrsize {
	size_t bytes;
	unsigned n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct hdrsize *h = cls;

	h->n++;
	h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* Limits that are known once the headers are in: 0, or the status to refuse with. */
static int check_limits(struct MHD_Connection *conn, struct reqstate *rs, const char *method,
			int *has_body)
{
	struct hdrsize h = { 0, 0 };
	const char *cl, *te;

	*has_body = 0;
	if (rs->urilen > KHTTP_MAX_URI)
		return 414;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &h);
	if (h.bytes > KHTTP_MAX_HEADERS || h.n > KHTTP_MAX_HEADER_COUNT)
		return 431;
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);

		if (*end || end == cl)
			return 400;
		if (n > KHTTP_MAX_BODY)
			return 413;
		*has_body = n > 0;
	}
	if (te)
		*has_body = 1;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return 405;
	return 0;
}

/* Parse the query string into req->params, decoding into arena. */
static int parse_query(struct khttp_req *req, const char *q, char **arena)
{
	while (*q) {
		const char *amp = strchr(q, '&'), *eq;
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		struct kparam *pm;

		if (n) {
			if (req->nparams >= KHTTP_MAX_PARAMS)
				return -1;
			pm = &req->params[req->nparams];
			eq = memchr(q, '=', n);
			pm->name = *arena;
			if (decode(q, eq ? (size_t)(eq - q) : n, 1, pm->name) < 0)
				return -1;
			*arena += strlen(pm->name) + 1;
			pm->value = *arena;
			if (decode(eq ? eq + 1 : q + n, eq ? n - (size_t)(eq - q) - 1 : 0, 1, pm->value) < 0)
				return -1;
			*arena += strlen(pm->value) + 1;
			if (*pm->name)
				req->nparams++;
		}
		q += n + (amp ? 1 : 0);
	}
	return 0;
}

static enum MHD_Result serve(struct khttp_server *srv, struct MHD_Connection *conn,
			     struct reqstate *rs, const char *method)
{
	struct khttp_req req;
	struct khttp_resp resp;
	struct kerr err = KERR_INIT;
	char *seg[MAX_SEGMENTS], *arena = NULL, *ap, *qmark;
	const struct kroute *route = NULL;
	const char *lang;
	enum kresp_kind kind;
	enum MHD_Result ret;
	int nseg = 0, rc;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.conn = conn;
	req.head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	req.path = "/";
	req.query = "";
	req.lang = accept_language(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	req.max_tlp = khttp_reader_max_tlp(&req);
	kind = kind_of_path(rs->uri);

	/* path and query, decoded segment by segment (so %2F stays inside one) */
	if (rs->uri[0] != '/') {
		ret = send_error(srv, conn, &req, kind, 400, "the request target must be a path", rs);
		goto out;
	}
	arena = malloc(2 * rs->urilen + 16);
	if (!arena) {
		ret = MHD_NO;
		goto out;
	}
	ap = arena;
	qmark = strchr(rs->uri, '?');
	if (qmark) {
		*qmark = '\0';
		req.query = qmark + 1;
	}
	for (const char *p = rs->uri + 1;;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);

		if (nseg >= MAX_SEGMENTS) {
			ret = send_error(srv, conn, &req, kind, 404, NULL, rs);
			goto out;
		}
		if (decode(p, n, 0, ap) < 0) {
			ret = send_error(srv, conn, &req, kind, 400, "malformed path", rs);
			goto out;
		}
		seg[nseg++] = ap;
		ap += strlen(ap) + 1;
		if (!sl)
			break;
		p = sl + 1;
	}
	if (parse_query(&req, req.query, &ap) < 0) {
		ret = send_error(srv, conn, &req, kind, 400, "malformed query string", rs);
		goto out;
	}
	lang = khttp_param(&req, "lang");
	if (lang && (!strcmp(lang, "en") || !strcmp(lang, "ja"))) {
		req.lang = !strcmp(lang, "en") ? KLANG_EN : KLANG_JA;
		req.lang_explicit = 1;
	}
	if (nseg == 1 && !*seg[0])
		nseg = 0; /* "/" */
	for (const struct kroute *r = kroutes; r->pattern; r++) {
		if (match_route(r->pattern, seg, nseg, &req)) {
			route = r;
			break;
		}
	}
	if (!route) {
		ret = send_error(srv, conn, &req, kind, 404, kind == KRESP_JSON ? "no such API endpoint" : NULL, rs);
		goto out;
	}
	req.path = rs->uri;
	resp.kind = route->kind;
	if (route->kind != KRESP_STATIC) {
		req.st = worker_store(srv, &err);
		if (!req.st) {
			fprintf(stderr, "kyokun: serve: %s\n", err.msg);
			ret = send_error(srv, conn, &req, route->kind, 500, "internal error", rs);
			goto out;
		}
	}
	rc = route->fn(&req, &resp, &err);
	if (rc < 0) {
		int status = status_of(rc);

		if (status == 500)
			fprintf(stderr, "kyokun: serve: %s: %s\n", rs->uri, err.msg[0] ? err.msg : kerr_name(rc));
		kbuf_release(&resp.body);
		ret = send_error_(srv, conn, &req, route->kind, status,
				  status == 500 ? "internal error" : err.msg, status != 500, rs);
		goto out;
	}
	ret = send_resp(srv, conn, &req, &resp, rs);
out:
	kbuf_release(&resp.body);
	free(arena);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct khttp_server *srv = cls;
	struct reqstate *rs = *req_cls;
	struct khttp_req req;
	int status, has_body;

	if (!rs || !rs->uri)
		return MHD_NO;
	if (!rs->started) {
		rs->started = 1;
		rs->method = method;
		status = check_limits(conn, rs, method, &has_body);
		if (status) {
			memset(&req, 0, sizeof(req));
			req.conn = conn;
			req.path = "/";
			req.query = "";
			req.lang = accept_language(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
									       MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
			return send_error(srv, conn, &req, kind_of_path(rs->uri), status,
					  status == 405 ? "only GET and HEAD are supported" :
					  status == 414 ? "the URL is too long" :
					  status == 431 ? "the request headers are too large" :
					  status == 413 ? "the request body is too large" : "bad request", rs);
		}
		if (has_body)
			return MHD_YES; /* read (and drop) the body first */
	}
	if (*upload_data_size) {
		rs->body += *upload_data_size;
		*upload_data_size = 0;
		if (rs->body > 16 * (size_t)KHTTP_MAX_BODY)
			return MHD_NO; /* not worth reading on */
		return MHD_YES;
	}
	if (rs->body > KHTTP_MAX_BODY) {
		memset(&req, 0, sizeof(req));
		req.conn = conn;
		req.path = "/";
		req.query = "";
		return send_error(srv, conn, &req, kind_of_path(rs->uri), 413,
				  "the request body is too large", rs);
	}
	return serve(srv, conn, rs, method);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct reqstate *rs = calloc(1, sizeof(*rs));
	size_t n;

	if (!rs)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &rs->t0);
	n = strlen(uri);
	rs->urilen = n;
	rs->uri = strndup(uri, n > KHTTP_MAX_URI ? KHTTP_MAX_URI : n);
	return rs;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct reqstate *rs = *req_cls;

	if (rs) {
		free(rs->uri);
		free(rs);
	}
	*req_cls = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct khttp_server *srv = cls;

	if (!srv->access_log)
		return; /* libmicrohttpd's own messages are about clients misbehaving */
	fputs("kyokun: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ------------------------------------------------------------ */

int khttp_parse_listen(const char *s, void *ssp, unsigned *lenp, struct kerr *err)
{
	struct sockaddr_storage *ss = ssp;
	char host[256];
	const char *colon, *portstr;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (!s || !*s)
		return kerr_set(err, KE_USAGE, "--listen: expected ADDR:PORT");
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return kerr_set(err, KE_USAGE, "--listen %s: expected [IPV6]:PORT", s);
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		portstr = rb + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if ((size_t)(colon - s) >= sizeof(host))
			return kerr_set(err, KE_USAGE, "--listen %s: address too long", s);
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		portstr = colon + 1;
	} else {
		strcpy(host, "127.0.0.1");
		portstr = s;
	}
	port = strtol(portstr, &end, 10);
	if (!*portstr || *end || port < 0 || port > 65535)
		return kerr_set(err, KE_USAGE, "--listen %s: the port must be a number 0..65535", s);
	if (!*host || !strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return kerr_set(err, KE_USAGE, "--listen %s: not an IPv6 address", s);
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*lenp = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return kerr_set(err, KE_USAGE, "--listen %s: expected an IP address or localhost", s);
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*lenp = sizeof(*a4);
	}
	return 0;
}

int khttp_start(struct khttp_server **out, const struct khttp_config *cfg, struct kerr *err)
{
	struct khttp_server *srv;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned sslen = 0, threads = cfg->threads, flags;
	char host[INET6_ADDRSTRLEN];
	int rc, v6;

	*out = NULL;
	if ((rc = khttp_parse_listen(cfg->listen, &ss, &sslen, err)))
		return rc;
	v6 = ss.ss_family == AF_INET6;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return kerr_set(err, KE_NOMEM, "out of memory");
	srv->db_path = strdup(cfg->db_path);
	srv->access_log = cfg->access_log;
	pthread_mutex_init(&srv->lock, NULL);
	if (!srv->db_path) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto fail;
	}
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 && n < 256 ? (unsigned)n : 2;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
		(v6 ? MHD_USE_IPv6 : 0);
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				  MHD_OPTION_EXTERNAL_LOGGER, on_log, srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, threads,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				  MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
				  MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				  MHD_OPTION_END);
	if (!srv->d) {
		inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
			  (void *)&((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		rc = kerr_set(err, KE_IO, "cannot listen on %s: the address is in use or not available",
			      cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
		  (void *)&((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	snprintf(srv->url, sizeof(srv->url), v6 ? "http://[%s]:%u/" : "http://%s:%u/", host,
		 info ? (unsigned)info->port : 0);
	*out = srv;
	return 0;
fail:
	khttp_stop(srv);
	return rc;
}

const char *khttp_url(const struct khttp_server *srv)
{
	return srv->url;
}

void khttp_stop(struct khttp_server *srv)
{
	if (!srv)
		return;
	if (srv->d)
		MHD_stop_daemon(srv->d);
	for (size_t i = 0; i < srv->nstores; i++)
		kstore_close(srv->stores[i]);
	free(srv->stores);
	pthread_mutex_destroy(&srv->lock);
	free(srv->db_path);
	free(srv);
}
