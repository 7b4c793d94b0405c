/*
 * http.h - kyokun's HTTP transport on libmicrohttpd: connections, the
 * compute pool, limits and the response cache; what a handler sees of a
 * request and how it fills in a response.  Which handler runs, what it
 * requires and how errors look is the route module's (route.h).
 *
 * Handlers run in a pool of compute threads (one per core by default), each
 * with its own read-only database connection and prepared statements, opened
 * at start and kept until the server stops; libmicrohttpd's own threads only
 * move bytes and answer from the response cache (see http.c).  Readers never
 * wait for a writer (WAL), and a commit empties the cache at once.
 *
 * Every request goes through one path (http.c): size limits (414, 431, and
 * 413 from Content-Length before any of the body is read, or as a chunked
 * body passes the limit), method (one some route answers, else 405), strict
 * decoding of the path, the query and a POST's form body (400; a body of
 * another type than application/x-www-form-urlencoded is 415, except an
 * application/json body to a route under /api/: valid UTF-8 without NUL,
 * else 400, at most KHTTP_MAX_JSON_BODY bytes, kept raw for the handler
 * in req->body), who is asking
 * (the session cookie or a bearer token: web_session.h), the route (route.h:
 * 404, 405, and its requirements: 401, 403),
 * the handler, then the security headers on whatever comes back.  A handler
 * returns 0 with resp filled in, or a KE_* code with a message in err:
 * KE_NOTFOUND becomes 404, KE_USAGE / KE_INVALID / KE_PARSE 400, KE_TOOBIG
 * 413, KE_AUTH 401, KE_DENIED 403; anything else is a 500 whose message is
 * logged and never shown.  Errors are JSON under /api/ and an HTML page
 * elsewhere.
 */
#ifndef KYOKUN_HTTP_H
#define KYOKUN_HTTP_H

#include "i18n.h"
#include "kbuf.h"

#include <stddef.h>

struct kerr;
struct kstore;
struct kreader;
struct khttp_config;
struct kmetrics;

/* Limits on what a client may send. */
#define KHTTP_MAX_URI 8192          /* request target, bytes: else 414 */
#define KHTTP_MAX_HEADERS 16384     /* all header names and values: else 431 */
#define KHTTP_MAX_HEADER_COUNT 100  /* else 431 */
#define KHTTP_MAX_BODY 65536        /* request body (a form): else 413, before it is read */
#define KHTTP_MAX_JSON_BODY (256 * 1024) /* an application/json body (API routes): else 413 */
/* A body over its limit but at most this many times it is read and dropped before the 413 (http.c). */
#define KHTTP_DRAIN_FACTOR 2
#define KHTTP_MAX_PARAMS 64         /* query and form parameters together: else 400 */
/* The same for a route with a large form (an editor: route.h kroute_large_form()). */
#define KHTTP_MAX_FORM_BODY (1024 * 1024)
#define KHTTP_MAX_FORM_PARAMS 1024
#define KHTTP_MAX_ARGS 4            /* :captures in a route pattern */
/* Limits on what clients may hold. */
#define KHTTP_MAX_CONNECTIONS 4096  /* open connections in all */
#define KHTTP_MAX_PER_IP 64         /* open connections from one address (default) */
#define KHTTP_REQUEST_TIMEOUT 10    /* seconds for a request to come in, head and body,
				     * from the moment its connection is ready for it */


struct kparam {
	char *name, *value; /* percent-decoded, valid UTF-8, no NUL */
};

/* How the reader of a request was recognised. */
enum khttp_auth {
	KHTTP_AUTH_NONE = 0,  /* anonymous */
	KHTTP_AUTH_SESSION,   /* the session cookie */
	KHTTP_AUTH_TOKEN,     /* Authorization: Bearer (no ambient credential: no CSRF token needed) */
};

struct khttp_req {
	const char *method;        /* "GET", "HEAD", "POST" */
	const char *path;          /* as received (still percent-encoded), without the query */
	const char *query;         /* as received after '?', or "" */
	struct kparam params[KHTTP_MAX_FORM_PARAMS]; /* the query's, then a POST form's */
	int nparams;
	int nquery;                /* params[0..nquery) came from the query, the rest from the body */
	/*
	 * A POST's application/json body (routes under /api/ only): its bytes
	 * as received, valid UTF-8 without NUL, NUL-terminated (body_len
	 * excludes it), at most KHTTP_MAX_JSON_BODY; NULL when the body was
	 * not JSON (a form's fields are in params; no body at all).  The
	 * handler parses it.
	 */
	const char *body;
	size_t body_len;
	const char *args[KHTTP_MAX_ARGS]; /* the route's :captures, decoded */
	int nargs;
	int head;                  /* HEAD: the body is not sent */
	enum klang lang;           /* from ?lang=, else Accept-Language, else Japanese */
	int lang_explicit;         /* ?lang= was given: links carry it on */
	/*
	 * Who is asking (reader.h): anonymous, or the user of the session
	 * cookie or of the bearer token (web_session.c sets these before the
	 * route's requirements are checked).  Every lookup a handler makes
	 * passes it.
	 */
	const struct kreader *reader;
	enum khttp_auth auth;
	const char *csrf;          /* the session's CSRF token, or NULL (no session) */
	const char *user_name;     /* the signed-in user's display name (or login), or NULL */
	int has_cookie;            /* a session cookie was sent (valid or not) */
	int token_refused;         /* a bearer token was sent and is not usable (401) */
	const char *session_hash;  /* the sent session cookie's hash (hex), or NULL */
	int secure;                /* came over TLS (ours, or a trusted proxy's) */
	const char *address;       /* the client's address ("127.0.0.1", "::1") */
	int loopback;              /* that address is on this machine (127.0.0.0/8, ::1) */
	const char *host;          /* the Host the client asked for (a trusted proxy's X-Forwarded-Host) */
	struct kkeep *keep;        /* strings freed with the request (khttp_keep) */
	struct kstore *st;         /* this worker thread's database connection (read-only) */
	void *conn;                /* the MHD connection (http.c only) */
	void *worker;              /* the worker thread (http.c only) */
	void *hold;                /* what keeps *reader alive (web_session.c) */
	const struct khttp_config *cfg;
};

/* The first value of parameter name (the query's first, then a form's), or NULL. */
const char *khttp_param(const struct khttp_req *req, const char *name);
/* The first value of a field of a POST's form body (never the query's), or NULL. */
const char *khttp_form(const struct khttp_req *req, const char *name);
/* A cookie sent with the request, or NULL. */
const char *khttp_cookie(const struct khttp_req *req, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *khttp_header(const struct khttp_req *req, const char *name);

enum kresp_kind {
	KRESP_HTML,   /* a page: the page CSP, Vary: Accept-Language */
	KRESP_JSON,   /* the API */
	KRESP_STATIC, /* an embedded asset: cached for a year */
};

struct khttp_resp {
	int status;                /* default 200 */
	const char *content_type;  /* default by kind */
	enum kresp_kind kind;
	struct kbuf body;
	const char *cache_control; /* default "no-cache" for pages and the API */
	char etag[48];             /* "" or a quoted entity tag: If-None-Match answers 304 */
	char location[512];        /* for redirects */
	const char *allow;         /* the Allow header of a 405 (default "GET, HEAD") */
	char set_cookie[256];      /* "" or a Set-Cookie header (never kept in the cache) */
	unsigned retry_after;      /* seconds, for a Retry-After header; 0: none */
	int no_store;              /* never keep in the response cache */
	const char *www_authenticate; /* a WWW-Authenticate header (a 401 of the API) */
	const char *content_disposition; /* a Content-Disposition header (a download), or NULL */
	char disposition[160];     /* room for a content_disposition that names a file (web_pdf.c) */
};

typedef int (*khttp_handler)(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);

/* What the server needs to start. */
struct khttp_config {
	const char *db_path;
	const char *listen;    /* "ADDR:PORT", "[V6ADDR]:PORT" or "PORT"; port 0 picks a free one */
	unsigned threads;      /* worker threads; 0 = one per core */
	int access_log;        /* log one line per request (a JSON object) ... */
	const char *access_log_path; /* ... to this file (appended; reopened by khttp_reopen_log),
				      * or to stderr when NULL or "-" */
	int no_cache;          /* build every response anew (no response cache) */
	unsigned cache_mb;     /* the response cache's bytes at most, MiB; 0 = KHTTP_CACHE_MB */
	unsigned max_per_ip;   /* open connections from one address; 0 = KHTTP_MAX_PER_IP */
	/* TLS (serve --tls-cert / --tls-key): PEM text of both, or NULL for plain HTTP */
	const char *tls_cert, *tls_key;
	const char *tls_cert_file, *tls_key_file; /* their names, for messages */
	/* behind a TLS proxy on this machine: X-Forwarded-Proto, -For, -Host are
	 * believed from loopback peers only */
	int behind_proxy;
	/* sessions: idle and absolute lifetimes in seconds (0: the defaults) */
	long session_idle, session_max;
};

#define KHTTP_CACHE_MB 64               /* default bound of the response cache (serve --cache-size) */
#define KHTTP_CACHE_MB_MAX 65536
#define KHTTP_SESSION_IDLE (2 * 3600)   /* default idle expiry of a session, seconds */
#define KHTTP_SESSION_MAX (12 * 3600)   /* default absolute expiry */

struct khttp_server;

/* Parse "127.0.0.1:8080", "[::1]:8080", "localhost:8080" or "8080". */
int khttp_parse_listen(const char *s, void *sockaddr_storage, unsigned *len, struct kerr *err);

int khttp_start(struct khttp_server **srv, const struct khttp_config *cfg, struct kerr *err);
/* "http://127.0.0.1:8080/": the address actually listened on. */
const char *khttp_url(const struct khttp_server *srv);
/* Stop accepting, finish the requests in flight, join the workers, close their connections. */
void khttp_stop(struct khttp_server *srv);
/*
 * Open the access log file anew (after logrotate moved it: SIGHUP).  Call
 * from an ordinary thread, never a signal handler.  0, or an error (the old
 * file is kept then).  Nothing to do when logging to stderr.
 */
int khttp_reopen_log(struct khttp_server *srv, struct kerr *err);

/* The server's counters (web_metrics.h), for GET /metrics; NULL outside a worker. */
struct kmetrics *khttp_metrics(const struct khttp_req *req);
/* Count a sign-in through the form: ok or failed (for /metrics). */
void khttp_note_signin(const struct khttp_req *req, int ok);

/*
 * Keep s (malloc'ed) until the request is done, then free it: for strings a
 * page makes as it goes (its links).  Returns s; NULL if s is NULL or memory
 * ran out (s is freed then).
 */
struct kkeep {
	struct kkept *head;
};
const char *khttp_keep(const struct khttp_req *req, char *s);

/*
 * This worker thread's read-write database connection, opened on first use
 * and kept until the server stops, with the store's actor set to the
 * request's reader and client address (every write it makes is audited as
 * theirs).  For the few writes a request makes (sign-in, sign-out,
 * throttling, the audit log); NULL with err set if it cannot be opened.
 */
struct kstore *khttp_writer(struct khttp_req *req, struct kerr *err);
/* khttp_writer() with a transaction begun on it (the caller commits or rolls back); NULL with err set. */
struct kstore *khttp_writer_begin(struct khttp_req *req, struct kerr *err);

/* The statuses handlers set and their reason phrases. */
const char *khttp_reason(int status);

#endif
