/*
 * http.c - the HTTP transport: libmicrohttpd for the connections, a pool of
 * compute threads for the pages, the one path every request takes (limits,
 * decoding, handing it to the route module, security headers), and the
 * response cache.  It knows no page or API: route.h says which handler
 * runs, what it requires and how errors look.
 *
 * Threads.  libmicrohttpd's I/O threads (one per core) parse requests and
 * send responses; they answer cache hits, static files and errors
 * themselves.  Everything else is handed to the compute pool (one thread
 * per core, each with its own read-only SQLite connection and prepared
 * statements, opened at start, and a read-write one opened on first use for
 * the few writes a request makes: sign-in, sign-out, a session's last use,
 * the audit log; khttp_writer): the connection is suspended, a compute
 * thread finds who is asking (web_session.c), runs the handler and resumes
 * the connection, and the I/O thread sends what was built.  So a slow page never holds up the connections that happen to share
 * its I/O thread, and work spreads over all cores however libmicrohttpd
 * spread the connections.
 *
 * Bodies.  A POST's application/x-www-form-urlencoded body is read (at
 * most KHTTP_MAX_BODY bytes, or KHTTP_MAX_FORM_BODY for the few routes
 * with a large form, route.h kroute_large_form(): the case editor; a larger
 * body, up to KHTTP_DRAIN_FACTOR times the limit, is read, dropped and
 * answered 413 once it is in, so that a client already sending it reads
 * the answer rather than a reset; a larger Content-Length is answered 413
 * before any of it is read, and a chunked body that grows past that is cut
 * off: libmicrohttpd 0.9.75 cannot answer in the middle of a body, so the
 * connection is closed) and parsed into the same parameters as the query.
 * A POST's application/json body to a route under /api/ is read the same
 * way (at most KHTTP_MAX_JSON_BODY bytes), checked to be UTF-8 without NUL
 * (else 400) and handed to the handler as it came (req->body); the handler
 * parses it.  A body of another type is 415.  Other methods' bodies are
 * dropped.
 *
 * Connections.  At most KHTTP_MAX_CONNECTIONS, KHTTP_MAX_PER_IP from one
 * client address (serve --max-per-ip), and each request must be in within
 * KHTTP_REQUEST_TIMEOUT seconds however slowly it trickles (sweep_main).
 * What kyokun keeps per request lives in a per-connection block that goes
 * when libmicrohttpd closes the connection (struct kconn), so no request
 * libmicrohttpd drops can leak it.
 */
#include "http.h"
#include "html.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "route.h"
#include "store.h"
#include "store_account.h"
#include "store_search.h"
#include "utf8.h"
#include "web_metrics.h"
#include "web_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGMENTS 16

/* Content-Security-Policy: no inline script or style anywhere. */
static const char csp_page[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
	"form-action 'self'; frame-ancestors 'none'";
static const char csp_none[] = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/*
 * The response cache, shared by the I/O threads.  It keeps the 200
 * responses to GET and HEAD built (libmicrohttpd responses, headers and
 * all, queued again on a hit), keyed by what decides their content: who is
 * asking, the language, and the request target.  Who is asking is
 * "anon" for a request without credentials (or whose credential is no
 * one's), and the credential itself for the others: "s" and the session's
 * hash (a page carries the session's CSRF token and its user's name, so
 * one session never gets another's page), "t" and a bearer token's id.
 * What the credential of a request was found to be (web_session.h: who, or
 * no one, and until when) is kept beside the pages, in the memo, under the
 * same rules, so a signed-in page can come from the cache without a
 * database read; a credential the memo does not know, or no longer, goes
 * to a worker, which resolves it and builds the page.  Any
 * commit to the database empties both before the next request is answered:
 * every request first asks the store's change counter (kstore_changes(), on
 * a read-only connection of the cache's own, under the cache's lock), and a
 * page is kept only if the counter has not moved since its request came in
 * (so a page built across a commit is never kept).  Entries also expire
 * after CACHE_TTL seconds.  Bounded in entries (CACHE_SETS * CACHE_WAYS, each
 * at most CACHE_MAX_ENTRY bytes) and bytes (serve --cache-size, default
 * KHTTP_CACHE_MB MiB: a response that would pass it is not kept).
 */
#define CACHE_SETS 512
#define CACHE_WAYS 4
#define CACHE_MAX_ENTRY (256u << 10)
#define CACHE_TTL 60
#define MEMO_SETS 256
#define MEMO_WAYS 4

/* A credential resolved: its hash and what it was found to be (web_session.h). */
struct mentry {
	char hash[KHASH_LEN + 1]; /* "" when free */
	struct web_cred c;
	unsigned long long used;
};

struct centry {
	uint64_t hash;
	char *key;
	struct MHD_Response *r;
	size_t size;
	char etag[48];
	enum kresp_kind kind;
	const char *cache_control;
	enum klang lang;
	unsigned long long used;
	time_t born;
};

struct rcache {
	pthread_mutex_t lock;
	struct centry e[CACHE_SETS][CACHE_WAYS];
	size_t bytes;
	unsigned long long tick;
	size_t max_bytes;         /* serve --cache-size */
	struct kmetrics *metrics; /* where the bytes held are shown */
	unsigned long long stamp; /* the store's change counter the entries belong to */
	int stamped;
	struct kstore *watch;     /* the cache's connection for kstore_changes() (under lock) */
	struct mentry memo[MEMO_SETS][MEMO_WAYS]; /* credentials resolved */
};

/* A page to build: the request, parsed, waiting for (or back from) the pool. */
struct job {
	struct job *next;
	struct MHD_Connection *conn;
	const struct kroute *route;
	struct khttp_req req;
	struct khttp_resp resp;
	struct kerr err;
	int rc;
	int done;
	uint64_t hash;     /* cache key (key == NULL: not cached) */
	char *key;
	unsigned long long stamp; /* the store's change counter when the request came in */
	int stamped;       /* stamp was read: the page may be kept if it has not moved */
	char *arena;       /* the decoded path segments and parameters */
	char *body;        /* a JSON body (req.body) */
	char addr[INET6_ADDRSTRLEN]; /* the client's address */
	int cacheable;     /* a GET or HEAD with the cache on */
	enum web_cred_kind cred_kind; /* the credential sent, by its hash: */
	char cred[KHASH_LEN + 1];
	struct web_cred found; /* what the worker found it to be ... */
	int resolved;          /* ... when it did */
	struct kkeep keep; /* what the page keeps until it is sent (khttp_keep) */
};

struct khttp_server;

struct cthread {
	struct khttp_server *srv;
	struct kstore *st;  /* read-only, opened at start */
	struct kstore *rw;  /* read-write, opened on first use (khttp_writer) */
	pthread_t tid;
	int started;
	int reading;        /* st holds the request's read transaction (reading_begin()) */
};

struct khttp_server {
	struct MHD_Daemon *d;
	struct khttp_config cfg; /* as given (its strings are the caller's) */
	char *db_path;
	char url[96];
	int access_log;
	/* the access log: stderr, or a file reopened on request (khttp_reopen_log) */
	pthread_mutex_t log_lock;
	FILE *log;         /* NULL: stderr */
	int log_lock_made;
	struct kmetrics metrics; /* what /metrics shows (web_metrics.h) */
	int cache_on;
	struct rcache cache;
	/* the compute pool */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct job *qhead, *qtail;
	int stopping;
	struct cthread *threads;
	unsigned nthreads;
	unsigned warm_next; /* the compute thread to warm its connection next (compute_main) */
	/* the open connections and the request deadline */
	pthread_mutex_t conns_lock;
	pthread_cond_t sweep_cond;
	struct kconn *conns;
	pthread_t sweeper;
	int sweeping;      /* the sweeper runs (conns_lock: 0 tells it to stop) */
};

/*
 * The request being received or answered on a connection.  It lives in the
 * connection's struct kconn (below), not in a block of its own per request:
 * libmicrohttpd does not call NOTIFY_COMPLETED for every request whose URI
 * callback it called (0.9.75 drops some it could not parse without a word,
 * e.g. when its memory pool runs out), so what the URI callback allocates
 * must be reachable from something whose end libmicrohttpd always reports.
 * Reset by the next request's URI callback, by NOTIFY_COMPLETED and when the
 * connection closes.
 */
struct reqstate {
	char *uri;        /* the request target as received (copy) */
	size_t urilen;    /* its full length (the copy may be cut at KHTTP_MAX_URI) */
	size_t body;      /* body bytes seen */
	struct kbuf form; /* a POST's form body (application/x-www-form-urlencoded), or its JSON body */
	int body_type;    /* BODY_NONE, BODY_FORM, BODY_JSON or BODY_OTHER (refused: 415) */
	const char *method;
	const struct kroute *route; /* once found (for the log and the counters) */
	const char *query; /* the query, once serve() cut it off uri */
	int started;
	struct timespec t0;
	struct job *job;  /* set while the page is built in the pool */
	int refused;      /* answered with an error before the body was in */
	int draining;     /* a body over max_body but at most KHTTP_DRAIN_FACTOR times it: read and
			   * dropped, then answered 413 (a client already sending it reads the answer
			   * instead of a reset) */
	unsigned long long clen; /* the Content-Length given, or 0 */
	int deferred;     /* job built, for the pool on the next call (enqueue) */
	size_t max_body;  /* the most body bytes taken: KHTTP_MAX_BODY, KHTTP_MAX_JSON_BODY for JSON,
			   * KHTTP_MAX_FORM_BODY for a large form (the case editor) */
};

/*
 * Per connection (MHD_OPTION_NOTIFY_CONNECTION): allocated when
 * libmicrohttpd has accepted it, freed when libmicrohttpd closes it, which it
 * reports for every connection whatever became of its requests.  So memory
 * per client is bounded by the connection limits, never by the number of
 * requests.  The connections are on a list for the request deadline (see
 * sweep_main).
 */
struct kconn {
	struct kconn *prev, *next;  /* srv->conns (srv->conns_lock) */
	int fd;                     /* the socket: valid while on the list */
	int cut;                    /* the deadline shut it down (conns_lock) */
	atomic_int receiving;       /* a request is (or may be) coming in */
	atomic_llong since;         /* since when (ms, CLOCK_MONOTONIC) */
	struct reqstate rs;
};

enum { BODY_NONE, BODY_FORM, BODY_JSON, BODY_OTHER };

/* The most body bytes a request of this body type may send. */
static size_t body_cap(int type, const char *method, const char *uri)
{
	if (type == BODY_JSON)
		return KHTTP_MAX_JSON_BODY;
	return kroute_large_form(method, uri) ? KHTTP_MAX_FORM_BODY : KHTTP_MAX_BODY;
}

/* ---- small helpers ------------------------------------------------------ */

const char *khttp_param(const struct khttp_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

const char *khttp_form(const struct khttp_req *req, const char *name)
{
	for (int i = req->nquery; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

const char *khttp_cookie(const struct khttp_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *khttp_header(const struct khttp_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Memory that lives as long as its request (khttp_keep). */
struct kkept {
	struct kkept *next;
	char *s;
};

const char *khttp_keep(const struct khttp_req *req, char *s)
{
	struct kkept *k;

	if (!s)
		return NULL;
	k = req->keep ? malloc(sizeof(*k)) : NULL;
	if (!k) {
		free(s);
		return NULL;
	}
	k->s = s;
	k->next = req->keep->head;
	req->keep->head = k;
	return s;
}

static void keep_release(struct kkeep *keep)
{
	while (keep->head) {
		struct kkept *k = keep->head;

		keep->head = k->next;
		free(k->s);
		free(k);
	}
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
	return kutf8_valid(out, j) ? 0 : -1; /* NUL was refused above */
}

const char *khttp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
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
		/* "q=" within this element only (a long header must stay linear) */
		for (p = semi; p && p + 2 < h + n; p++) {
			if (p[0] == 'q' && p[1] == '=') {
				q = strtod(p + 2, NULL);
				break;
			}
		}
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

/* A libmicrohttpd response with every header; takes body (malloc'ed). NULL if out of memory. */
static struct MHD_Response *make_response(const struct khttp_resp *resp, enum klang lang, int status,
					  char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	const char *type = resp->content_type;

	if (!r) {
		free(body);
		return NULL;
	}
	if (!type)
		type = resp->kind == KRESP_JSON ? "application/json; charset=utf-8" : "text/html; charset=utf-8";
	if (status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
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
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_LANGUAGE, lang == KLANG_EN ? "en" : "ja");
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Language");
	}
	if (resp->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow ? resp->allow : "GET, HEAD");
	if (resp->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
	if (resp->www_authenticate)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
	if (resp->set_cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
	if (resp->content_disposition)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->content_disposition);
	if (resp->retry_after) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%u", resp->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	return r;
}

/* ---- the response cache ------------------------------------------------------ */

/* Called with the cache locked. */
static void cache_drop(struct rcache *c, struct centry *e)
{
	if (!e->r)
		return;
	MHD_destroy_response(e->r); /* libmicrohttpd frees it once no connection sends it */
	free(e->key);
	c->bytes -= e->size;
	if (c->metrics)
		atomic_store_explicit(&c->metrics->cache_bytes, (long long)c->bytes, memory_order_relaxed);
	memset(e, 0, sizeof(*e));
}

static void cache_flush(struct rcache *c)
{
	for (int i = 0; i < CACHE_SETS; i++)
		for (int k = 0; k < CACHE_WAYS; k++)
			cache_drop(c, &c->e[i][k]);
	memset(c->memo, 0, sizeof(c->memo));
}

static unsigned memo_set(const char *hash)
{
	unsigned v = 0;

	for (int i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (unsigned)(hexval((unsigned char)hash[i]) & 15);
	return v % MEMO_SETS;
}

/* What the credential of hash was found to be, if known and still good (locked), or NULL. */
static const struct web_cred *memo_find(struct rcache *c, const char *hash)
{
	struct mentry *set = c->memo[memo_set(hash)];
	time_t now = time(NULL);

	for (int k = 0; k < MEMO_WAYS; k++) {
		if (set[k].hash[0] && !strcmp(set[k].hash, hash)) {
			if (now >= set[k].c.until) {
				set[k].hash[0] = '\0';
				return NULL;
			}
			set[k].used = ++c->tick;
			return &set[k].c;
		}
	}
	return NULL;
}

/* Remember what the credential of hash is (locked). */
static void memo_put(struct rcache *c, const char *hash, const struct web_cred *w)
{
	struct mentry *set = c->memo[memo_set(hash)], *victim = &set[0];

	for (int k = 0; k < MEMO_WAYS; k++) {
		if (!set[k].hash[0] || !strcmp(set[k].hash, hash)) {
			victim = &set[k];
			break;
		}
		if (set[k].used < victim->used)
			victim = &set[k];
	}
	snprintf(victim->hash, sizeof(victim->hash), "%s", hash);
	victim->c = *w;
	victim->used = ++c->tick;
}

/*
 * The cache key of job, everything its page depends on: who is asking
 * (ckey), the language, the request target.  job->key and job->hash; 0 or -1.
 */
static int job_key(struct job *job, const char *ckey)
{
	struct kbuf key = KBUF_INIT;

	free(job->key);
	job->key = NULL;
	if (kbuf_addf(&key, "%s|%d|%s?%s", ckey, (int)job->req.lang, job->req.path, job->req.query) < 0) {
		kbuf_release(&key);
		return -1;
	}
	job->hash = fnv1a(key.buf, key.len);
	job->key = kbuf_detach(&key, NULL);
	return job->key ? 0 : -1;
}

/*
 * Bring the cache up to the database (locked): empty it if anything was
 * committed since.  0 with *now the counter if the cache may be used for
 * this request; -1 if the database cannot say (emptied, nothing kept).
 */
static int cache_sync(struct rcache *c, unsigned long long *now)
{
	if (!c->watch || kstore_changes(c->watch, now, NULL) < 0) {
		cache_flush(c);
		c->stamped = 0;
		return -1;
	}
	if (!c->stamped || *now != c->stamp) {
		cache_flush(c);
		c->stamp = *now;
		c->stamped = 1;
	}
	return 0;
}

/* The live entry for key (locked), or NULL. */
static struct centry *cache_find(struct rcache *c, uint64_t hash, const char *key)
{
	struct centry *set = c->e[hash % CACHE_SETS];
	time_t now = time(NULL);

	for (int k = 0; k < CACHE_WAYS; k++) {
		struct centry *e = &set[k];

		if (e->r && e->hash == hash && !strcmp(e->key, key)) {
			if (now - e->born > CACHE_TTL || now < e->born) {
				cache_drop(c, e);
				return NULL;
			}
			e->used = ++c->tick;
			return e;
		}
	}
	return NULL;
}

/* Keep r (locked): 1 if the cache took the caller's reference to it, 0 if not. */
static int cache_put(struct rcache *c, uint64_t hash, const char *key, struct MHD_Response *r,
		     size_t size, const struct khttp_resp *resp, enum klang lang)
{
	struct centry *set = c->e[hash % CACHE_SETS], *victim = &set[0];
	char *kcopy;

	if (size > CACHE_MAX_ENTRY)
		return 0;
	for (int k = 0; k < CACHE_WAYS; k++) {
		if (!set[k].r || (set[k].hash == hash && !strcmp(set[k].key, key))) {
			victim = &set[k];
			break;
		}
		if (set[k].used < victim->used)
			victim = &set[k];
	}
	cache_drop(c, victim);
	if (c->bytes + size > c->max_bytes)
		return 0;
	kcopy = strdup(key);
	if (!kcopy)
		return 0;
	victim->hash = hash;
	victim->key = kcopy;
	victim->r = r; /* the entry owns the creator's reference to r from here on */
	victim->size = size;
	snprintf(victim->etag, sizeof(victim->etag), "%s", resp->etag);
	victim->kind = resp->kind;
	victim->cache_control = resp->cache_control;
	victim->lang = lang;
	victim->used = ++c->tick;
	victim->born = time(NULL);
	c->bytes += size;
	if (c->metrics)
		atomic_store_explicit(&c->metrics->cache_bytes, (long long)c->bytes, memory_order_relaxed);
	return 1;
}

#define LOG_TEXT_MAX 2048 /* bytes of a path or query shown in the access log */

/*
 * Up to max bytes of s as a JSON string (with its quotes) into b: quote,
 * backslash, the control characters, DEL, the C1 controls and U+2028/9 as
 * \uXXXX, a byte that is not valid UTF-8 as U+FFFD; so every line is one
 * valid JSON object and nothing a client sends can write escape sequences
 * into a terminal.  A longer s is cut (at a character) and ends with "...".
 */
static void log_json_str(struct kbuf *b, const char *s, size_t max)
{
	size_t i = 0, n = s ? strlen(s) : 0;

	kbuf_addch(b, '"');
	while (i < n && i < max) {
		unsigned c = (unsigned char)s[i];
		uint32_t cp = c;
		int len = 1;

		if (c >= 0x80 && (len = kutf8_decode(s + i, n - i, &cp)) <= 0) {
			kbuf_adds(b, "\\ufffd");
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			kbuf_addch(b, '\\');
			kbuf_addch(b, (int)c);
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
			kbuf_addf(b, "\\u%04x", (unsigned)cp);
		} else {
			kbuf_add(b, s + i, (size_t)len);
		}
		i += (size_t)len;
	}
	if (i < n)
		kbuf_adds(b, "...");
	kbuf_addch(b, '"');
}

/* The peer's address (for a request refused before it was parsed). */
static const char *peer_address(struct MHD_Connection *conn, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci = conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa && sa->sa_family == AF_INET && inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)n))
		return buf;
	if (sa && sa->sa_family == AF_INET6 && inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)n))
		return buf;
	return "-";
}

/*
 * A request answered: count it (web_metrics.h) and, with --access-log, log
 * it as one JSON object on a line: time (UTC, ISO 8601), client, method,
 * route pattern, path, query, status, bytes, ms, user (signed in), cached.
 */
static void request_done(struct khttp_server *srv, struct MHD_Connection *conn, struct reqstate *rs,
			 int status, size_t len, int hit, const char *user)
{
	struct timespec t1, wall;
	struct tm tm;
	struct kbuf b = KBUF_INIT;
	char when[32], addr[INET6_ADDRSTRLEN];
	const char *q;
	long long us;

	if (!rs)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - rs->t0.tv_sec) * 1000000 + (t1.tv_nsec - rs->t0.tv_nsec) / 1000;
	kmetrics_request(&srv->metrics, rs->route, status, us);
	if (!srv->access_log)
		return;
	clock_gettime(CLOCK_REALTIME, &wall);
	gmtime_r(&wall.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	q = rs->query ? rs->query : rs->uri ? strchr(rs->uri, '?') : NULL;
	if (q && *q == '?')
		q++;
	kbuf_addf(&b, "{\"time\":\"%s.%03ldZ\",\"client\":", when, wall.tv_nsec / 1000000);
	log_json_str(&b, rs->job ? rs->job->addr : peer_address(conn, addr, sizeof(addr)), 64);
	kbuf_adds(&b, ",\"method\":");
	log_json_str(&b, rs->method ? rs->method : "-", 32);
	kbuf_adds(&b, ",\"route\":");
	if (rs->route)
		log_json_str(&b, rs->route->pattern, LOG_TEXT_MAX);
	else
		kbuf_adds(&b, "null");
	kbuf_adds(&b, ",\"path\":");
	if (rs->uri) {
		size_t n = strcspn(rs->uri, "?");
		char *path = strndup(rs->uri, n);

		log_json_str(&b, path ? path : "", LOG_TEXT_MAX);
		free(path);
	} else {
		kbuf_adds(&b, "null");
	}
	if (q && *q) {
		kbuf_adds(&b, ",\"query\":");
		log_json_str(&b, q, LOG_TEXT_MAX);
	}
	kbuf_addf(&b, ",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f", status, len, (double)us / 1000);
	if (user) {
		kbuf_adds(&b, ",\"user\":");
		log_json_str(&b, user, 128);
	}
	if (hit)
		kbuf_adds(&b, ",\"cached\":true");
	if (kbuf_adds(&b, "}\n") == 0) {
		/* one write per line; the lock keeps a reopen from closing the file under it */
		pthread_mutex_lock(&srv->log_lock);
		fwrite(b.buf, 1, b.len, srv->log ? srv->log : stderr);
		fflush(srv->log ? srv->log : stderr);
		pthread_mutex_unlock(&srv->log_lock);
	}
	kbuf_release(&b);
}

/* Who is signed in for req (their login), or NULL. */
static const char *req_user(const struct khttp_req *req)
{
	return req && req->reader && req->reader->kind == KREADER_USER ? req->reader->login : NULL;
}

/* A 304 for a response with these headers. */
static enum MHD_Result send_304(struct MHD_Connection *conn, const struct khttp_resp *like, enum klang lang)
{
	struct khttp_resp h;
	struct MHD_Response *r;
	enum MHD_Result ret;

	memset(&h, 0, sizeof(h));
	h.kind = like->kind;
	h.cache_control = like->cache_control;
	snprintf(h.etag, sizeof(h.etag), "%s", like->etag);
	r = make_response(&h, lang, 304, calloc(1, 1), 0);
	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(conn, 304, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Send resp (whose body is taken).  A 200 gets an entity tag (and is a 304
 * if the client has it); with a key, a 200 is also kept in the cache.
 */
static enum MHD_Result send_resp(struct khttp_server *srv, struct MHD_Connection *conn,
				 const struct khttp_req *req, struct khttp_resp *resp,
				 struct reqstate *rs, uint64_t hash, const char *key,
				 const unsigned long long *stamp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	enum klang lang = req ? req->lang : KLANG_JA;
	size_t len = 0;
	char *body;
	int status = resp->status ? resp->status : 200, kept = 0;

	if (status == 200 && !resp->etag[0] && resp->body.len) {
		snprintf(resp->etag, sizeof(resp->etag), "\"%016llx\"",
			 (unsigned long long)fnv1a(resp->body.buf, resp->body.len));
	}
	body = kbuf_detach(&resp->body, &len);
	if (!body)
		return MHD_NO;
	r = make_response(resp, lang, status, body, len);
	if (!r)
		return MHD_NO;
	if (status == 200 && etag_matches(conn, resp->etag)) {
		ret = send_304(conn, resp, lang);
		request_done(srv, conn, rs, 304, 0, 0, req_user(req));
	} else {
		ret = MHD_queue_response(conn, (unsigned)status, r);
		request_done(srv, conn, rs, status, len, 0, req_user(req));
	}
	if (status == 200 && key && stamp && srv->cache_on && !resp->set_cookie[0] && !resp->no_store) {
		pthread_mutex_lock(&srv->cache.lock);
		/* not if anything was committed since the request came in: the page may be older */
		if (srv->cache.stamped && srv->cache.stamp == *stamp)
			kept = cache_put(&srv->cache, hash, key, r, len, resp, lang);
		pthread_mutex_unlock(&srv->cache.lock);
	}
	if (!kept)
		MHD_destroy_response(r);
	return ret;
}

/*
 * Answer from the cache if it has the page: 1 (and *ret) if it did.  Else
 * job->stamp is the change counter the page to be built (and what its
 * credential is found to be) may be kept under, and job->key is set if who
 * is asking is known already.
 */
static int send_cached(struct khttp_server *srv, struct MHD_Connection *conn, struct job *job,
		       struct reqstate *rs, enum MHD_Result *ret)
{
	struct rcache *c = &srv->cache;
	struct khttp_resp like;
	const struct web_cred *w;
	struct centry *e;
	const char *ckey = "anon";
	char user[KLOGIN_MAX + 1] = "";
	enum klang lang;
	size_t size;

	pthread_mutex_lock(&c->lock);
	job->stamped = cache_sync(c, &job->stamp) == 0;
	if (!job->stamped || !job->cacheable) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	if (job->cred_kind != WEB_CRED_NONE) {
		/* a bearer token the memo does not know is refused or resolved by a worker */
		if (!(w = memo_find(c, job->cred)) ||
		    (w->auth != KHTTP_AUTH_NONE &&
		     web_session_use(job->cred, job->cred_kind, w->token_id, w->idle, time(NULL)) < 0)) {
			/* not known, or a session idle too long: a worker sees to it */
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		ckey = w->ckey;
		if (srv->access_log)
			snprintf(user, sizeof(user), "%s", w->login);
	}
	if (job_key(job, ckey) < 0 || !(e = cache_find(c, job->hash, job->key))) {
		pthread_mutex_unlock(&c->lock);
		kmetrics_cache(&srv->metrics, 0);
		return 0;
	}
	kmetrics_cache(&srv->metrics, 1);
	if (etag_matches(conn, e->etag)) {
		memset(&like, 0, sizeof(like));
		like.kind = e->kind;
		like.cache_control = e->cache_control;
		snprintf(like.etag, sizeof(like.etag), "%s", e->etag);
		lang = e->lang;
		pthread_mutex_unlock(&c->lock);
		*ret = send_304(conn, &like, lang);
		request_done(srv, conn, rs, 304, 0, 1, user[0] ? user : NULL);
		return 1;
	}
	/* queued while locked: the entry cannot be dropped before the connection holds it */
	*ret = MHD_queue_response(conn, 200, e->r);
	size = e->size;
	pthread_mutex_unlock(&c->lock);
	request_done(srv, conn, rs, 200, size, 1, user[0] ? user : NULL);
	return 1;
}

/*
 * An error response in the route's kind (JSON under /api/, HTML elsewhere).
 * msg is English for the API; an HTML page shows it only when it came from
 * a handler (which writes it in the reader's language): detail != 0.
 */
static enum MHD_Result send_error_allow(struct khttp_server *srv, struct MHD_Connection *conn,
				       struct khttp_req *req, enum kresp_kind kind, int status,
				       const char *msg, int detail, struct reqstate *rs,
				       const char *allow)
{
	struct khttp_resp resp;
	struct kkeep keep = { NULL };
	enum MHD_Result ret;

	memset(&resp, 0, sizeof(resp));
	resp.allow = allow;
	if (status == 401 && kind == KRESP_JSON)
		resp.www_authenticate = req->token_refused ? "Bearer realm=\"kyokun\", error=\"invalid_token\"" :
			"Bearer realm=\"kyokun\"";
	if (!req->keep)
		req->keep = &keep; /* a request refused before it was parsed */
	kroute_error(req, &resp, kind, status, msg, detail);
	ret = send_resp(srv, conn, req, &resp, rs, 0, NULL, NULL);
	kbuf_release(&resp.body);
	if (req->keep == &keep) {
		keep_release(&keep);
		req->keep = NULL;
	}
	return ret;
}

static enum MHD_Result send_error_(struct khttp_server *srv, struct MHD_Connection *conn,
				   struct khttp_req *req, enum kresp_kind kind, int status,
				   const char *msg, int detail, struct reqstate *rs)
{
	return send_error_allow(srv, conn, req, kind, status, msg, detail, rs, NULL);
}

static enum MHD_Result send_error(struct khttp_server *srv, struct MHD_Connection *conn,
				  struct khttp_req *req, enum kresp_kind kind, int status,
				  const char *msg, struct reqstate *rs)
{
	return send_error_(srv, conn, req, kind, status, msg, 0, rs);
}

/* Send what a handler made of job (on the I/O thread). */
static enum MHD_Result send_job(struct khttp_server *srv, struct MHD_Connection *conn,
				struct reqstate *rs, struct job *job)
{
	int status;

	if (job->resolved && job->cred_kind != WEB_CRED_NONE && job->cred[0] && job->stamped) {
		/* what the credential is, for the next requests (not if anything was committed since) */
		pthread_mutex_lock(&srv->cache.lock);
		if (srv->cache.stamped && srv->cache.stamp == job->stamp)
			memo_put(&srv->cache, job->cred, &job->found);
		pthread_mutex_unlock(&srv->cache.lock);
	}
	if (job->rc >= 0)
		return send_resp(srv, conn, &job->req, &job->resp, rs, job->hash, job->key,
				 job->stamped ? &job->stamp : NULL);
	status = kroute_status_of(job->rc);
	if (status == 500)
		fprintf(stderr, "kyokun: serve: %s: %s\n", rs->uri,
			job->err.msg[0] ? job->err.msg : kerr_name(job->rc));
	kbuf_release(&job->resp.body);
	return send_error_(srv, conn, &job->req, job->route->kind, status,
			   status == 500 ? "internal error" : job->err.msg, status != 500, rs);
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	web_session_release(&job->req);
	kbuf_release(&job->resp.body);
	keep_release(&job->keep);
	free(job->key);
	free(job->arena);
	free(job->body);
	free(job);
}

/* ---- the compute pool ------------------------------------------------------------ */

/*
 * One snapshot for a GET's (HEAD's) reads: its credential's check (the
 * memo's staleness, web_session.c) and its route's statements read in one
 * read transaction of the thread's connection, instead of each statement
 * taking the database's read lock and letting go of it again.  A write
 * ends it first (khttp_writer()), so that what a request writes it then
 * reads; reading_end() ends it after the route.  Not begun for other
 * methods, which write.
 */
static void reading_begin(struct cthread *t, const char *method)
{
	struct kerr err = KERR_INIT;

	t->reading = 0;
	if (method && (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
		t->reading = kstore_read_begin(t->st, &err) > 0; /* else: each statement reads on its own */
}

static void reading_end(struct cthread *t)
{
	if (t->reading)
		kstore_read_end(t->st, 1);
	t->reading = 0;
}

static void *compute_main(void *arg)
{
	struct cthread *t = arg;
	struct khttp_server *srv = t->srv;
	unsigned me = (unsigned)(t - srv->threads);
	struct job *job;

	for (;;) {
		pthread_mutex_lock(&srv->qlock);
		while (!srv->qhead && !srv->stopping && srv->warm_next != me)
			pthread_cond_wait(&srv->qcond, &srv->qlock);
		if (!srv->qhead && !srv->stopping) {
			/*
			 * Idle, and this thread's turn: what its connection's first search or case page
			 * would read on first use (in a library of a million cases, about a second), read
			 * now.  One thread at a time, so that the others serve meanwhile; with one thread,
			 * none (its first request would wait).  Failing, the first use reads as before.
			 */
			struct kerr werr = KERR_INIT;

			pthread_mutex_unlock(&srv->qlock);
			(void)kstore_search_warm(t->st, &werr);
			pthread_mutex_lock(&srv->qlock);
			srv->warm_next = me + 1 < srv->nthreads ? me + 1 : UINT_MAX;
			pthread_cond_broadcast(&srv->qcond);
			pthread_mutex_unlock(&srv->qlock);
			continue;
		}
		job = srv->qhead;
		if (job) {
			srv->qhead = job->next;
			if (!srv->qhead)
				srv->qtail = NULL;
		}
		pthread_mutex_unlock(&srv->qlock);
		if (!job) {
			web_session_thread_end();
			break; /* stopping, and nothing left to do */
		}
		job->req.st = t->st;
		job->req.worker = t;
		reading_begin(t, job->req.method);
		job->rc = web_session_resolve(&job->req, &job->found, &job->err);
		if (job->rc == 0) {
			job->resolved = 1;
			/* kept under who it was found to be (which may differ from what the memo said) */
			if (job->cacheable && job->stamped)
				job_key(job, job->found.ckey);
			job->rc = kroute_run(job->route, &job->req, &job->resp, &job->err);
			/* a page for someone: no shared cache keeps it */
			if (job->req.auth != KHTTP_AUTH_NONE && !job->resp.cache_control)
				job->resp.cache_control = "private, no-cache";
		}
		reading_end(t);
		if (t->rw)
			kstore_set_actor(t->rw, 0, NULL, NULL);
		job->done = 1;
		MHD_resume_connection(job->conn); /* the I/O thread calls on_request again */
	}
	return NULL;
}

struct kstore *khttp_writer(struct khttp_req *req, struct kerr *err)
{
	struct cthread *t = req->worker;
	const struct kreader *who = req->reader;

	if (!t) {
		kerr_set(err, KE_INVALID, "no database connection for writing here");
		return NULL;
	}
	reading_end(t); /* what it writes, the request's later reads see */
	if (!t->rw && kstore_open(&t->rw, t->srv->db_path, 0, err) < 0) {
		t->rw = NULL;
		return NULL;
	}
	/* every write is audited as the request's: who, from where */
	if (kstore_set_actor(t->rw, who && who->kind == KREADER_USER ? who->user_id : 0,
			     who && who->kind == KREADER_USER && who->login ? who->login : "anonymous",
			     req->address ? req->address : "") < 0) {
		kerr_set(err, KE_NOMEM, "out of memory");
		return NULL;
	}
	return t->rw;
}

struct kstore *khttp_writer_begin(struct khttp_req *req, struct kerr *err)
{
	struct kstore *rw = khttp_writer(req, err);

	return rw && kstore_begin(rw, err) >= 0 ? rw : NULL;
}

/* Suspend the connection and queue job for the pool: 0, or -1 if the server is stopping. */
static int submit(struct khttp_server *srv, struct job *job)
{
	pthread_mutex_lock(&srv->qlock);
	if (srv->stopping) {
		pthread_mutex_unlock(&srv->qlock);
		return -1;
	}
	MHD_suspend_connection(job->conn); /* before a compute thread can resume it */
	job->next = NULL;
	if (srv->qtail)
		srv->qtail->next = job;
	else
		srv->qhead = job;
	srv->qtail = job;
	pthread_cond_signal(&srv->qcond);
	pthread_mutex_unlock(&srv->qlock);
	return 0;
}

/* ---- one request ------------------------------------------------------------ */

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

/*
 * Is the Content-Type ct the media type mt, with no parameter or only
 * charset=utf-8 (quoted or not)?
 */
static int media_type_is(const char *ct, const char *mt)
{
	size_t n = strlen(mt);

	if (strncasecmp(ct, mt, n))
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (!*ct)
		return 1;
	if (*ct++ != ';')
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	/* the one parameter we understand: charset=utf-8 (quoted or not) */
	return !strcasecmp(ct, "charset=utf-8") || !strcasecmp(ct, "charset=\"utf-8\"");
}

/*
 * What a POST's body is, from its headers and the request target:
 * BODY_FORM for application/x-www-form-urlencoded (with no charset, or
 * UTF-8), BODY_JSON for application/json (likewise) to a path under /api/,
 * BODY_NONE when there is no body and no type, else BODY_OTHER (refused
 * with 415 once the route is known).  Bodies of other methods are read and
 * dropped.
 */
static int body_type(struct MHD_Connection *conn, const char *method, const char *uri)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return BODY_NONE;
	if (!ct || !*ct)
		return (!cl || !strcmp(cl, "0")) && !te ? BODY_NONE : BODY_OTHER;
	if (media_type_is(ct, "application/x-www-form-urlencoded"))
		return BODY_FORM;
	if (media_type_is(ct, "application/json") && kroute_kind_of_path(uri) == KRESP_JSON)
		return BODY_JSON;
	return BODY_OTHER;
}

/* Limits that are known once the headers are in: 0, or the status to refuse with. */
static int check_limits(struct MHD_Connection *conn, struct reqstate *rs, const char *method)
{
	struct hdrsize h = { 0, 0 };
	const char *cl;

	if (rs->urilen > KHTTP_MAX_URI)
		return 414;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &h);
	if (h.bytes > KHTTP_MAX_HEADERS || h.n > KHTTP_MAX_HEADER_COUNT)
		return 431;
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);

		if (*end || end == cl)
			return 400;
		rs->clen = n;
		if (n > rs->max_body)
			return 413;
	}
	if (!kroute_method_known(method))
		return 405;
	return 0;
}

/*
 * Parse the query string into req->params, decoding into arena: 0, -1 if
 * malformed, -2 if the parameters would then be more than max in all.
 */
static int parse_query(struct khttp_req *req, const char *q, char **arena, int max)
{
	while (*q) {
		const char *amp = strchr(q, '&'), *eq;
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		struct kparam *pm;

		if (n) {
			if (req->nparams >= max)
				return -2;
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

/* The last element of a comma-separated header, trimmed, into out; 0 if it fits. */
static int last_element(const char *h, char *out, size_t n)
{
	const char *p = strrchr(h, ','), *end;

	p = p ? p + 1 : h;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t)(end - p) >= n)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

/*
 * Where the request comes from: the peer's address, whether it came over
 * TLS, and the host it asked for.  Behind a proxy (serve --behind-proxy),
 * and only for a peer on loopback (the proxy on this machine), the proxy's
 * X-Forwarded-For (its last element: the address the proxy saw),
 * X-Forwarded-Proto and X-Forwarded-Host are believed; from anyone else
 * they are ignored.
 */
static void request_origin(struct khttp_server *srv, struct MHD_Connection *conn, struct job *job)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct khttp_req *req = &job->req;
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	int loopback = 0;
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *h;

	strcpy(job->addr, "-");
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a->sin_addr, job->addr, sizeof(job->addr));
		loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, job->addr, sizeof(job->addr));
		loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
			(IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
	}
	req->address = job->addr;
	req->loopback = loopback;
	req->secure = srv->cfg.tls_cert != NULL;
	req->host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	req->cfg = &srv->cfg;
	if (!srv->cfg.behind_proxy || !loopback)
		return;
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
	if (h && last_element(h, buf, sizeof(buf)) == 0)
		req->secure = !strcasecmp(buf, "https");
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
	if (h && last_element(h, buf, sizeof(buf)) == 0) {
		/* the client the proxy saw: on this machine only if that is loopback too */
		if (inet_pton(AF_INET, buf, bin) == 1) {
			memcpy(job->addr, buf, sizeof(buf));
			req->loopback = bin[0] == 127;
		} else if (inet_pton(AF_INET6, buf, bin) == 1) {
			struct in6_addr a6;

			memcpy(job->addr, buf, sizeof(buf));
			memcpy(&a6, bin, sizeof(a6));
			req->loopback = IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && bin[12] == 127);
		}
	}
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Host");
	if (h && *h)
		req->host = h;
}

/*
 * A request that is in: parse it into a job, then answer from the cache,
 * run a static route here, or hand the job to the compute pool.
 */
static enum MHD_Result serve(struct khttp_server *srv, struct MHD_Connection *conn,
			     struct reqstate *rs, const char *method)
{
	struct job *job;
	struct khttp_req *req;
	char *seg[MAX_SEGMENTS], *ap, *qmark;
	const char *lang;
	enum kresp_kind kind = kroute_kind_of_path(rs->uri);
	enum MHD_Result ret;
	int nseg = 0, status;

	job = calloc(1, sizeof(*job));
	if (!job)
		return MHD_NO;
	rs->job = job;
	job->conn = conn;
	req = &job->req;
	req->conn = conn;
	req->keep = &job->keep;
	req->head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	req->method = method;
	request_origin(srv, conn, job);
	req->path = "/";
	req->query = "";
	req->lang = accept_language(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	req->reader = &kreader_anonymous; /* until the worker finds who is asking */
	job->cacheable = srv->cache_on && strcmp(method, MHD_HTTP_METHOD_POST) != 0;

	/* path and query, decoded segment by segment (so %2F stays inside one) */
	if (rs->uri[0] != '/')
		return send_error(srv, conn, req, kind, 400, "the request target must be a path", rs);
	job->arena = malloc(2 * rs->urilen + (rs->body_type == BODY_FORM ? rs->form.len : 0) + 16);
	if (!job->arena)
		return MHD_NO;
	ap = job->arena;
	qmark = strchr(rs->uri, '?');
	if (qmark) {
		*qmark = '\0';
		req->query = qmark + 1;
	}
	rs->query = req->query;
	if (kind == KRESP_JSON)
		req->path = rs->uri; /* for the shape of an error before the route is known (route.c) */
	for (const char *p = rs->uri + 1;;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);

		if (nseg >= MAX_SEGMENTS)
			return send_error(srv, conn, req, kind, 404, NULL, rs);
		if (decode(p, n, 0, ap) < 0)
			return send_error(srv, conn, req, kind, 400, "malformed path", rs);
		seg[nseg++] = ap;
		ap += strlen(ap) + 1;
		if (!sl)
			break;
		p = sl + 1;
	}
	switch (parse_query(req, req->query, &ap, KHTTP_MAX_PARAMS)) {
	case 0:
		break;
	case -2:
		return send_error(srv, conn, req, kind, 400, "too many query parameters", rs);
	default:
		return send_error(srv, conn, req, kind, 400, "malformed query string", rs);
	}
	req->nquery = req->nparams;
	if (rs->body_type == BODY_FORM && rs->form.len) {
		/* the same syntax as a query; a NUL byte would end it early */
		if (memchr(rs->form.buf, '\0', rs->form.len))
			return send_error(srv, conn, req, kind, 400, "malformed form data", rs);
		switch (parse_query(req, rs->form.buf, &ap,
				    rs->max_body > KHTTP_MAX_BODY ? KHTTP_MAX_FORM_PARAMS : KHTTP_MAX_PARAMS)) {
		case 0:
			break;
		case -2:
			return send_error(srv, conn, req, kind, 400, "too many form fields", rs);
		default:
			return send_error(srv, conn, req, kind, 400,
					  "malformed form data (not percent-encoded UTF-8)", rs);
		}
	}
	lang = khttp_param(req, "lang");
	if (lang && (!strcmp(lang, "en") || !strcmp(lang, "ja"))) {
		req->lang = !strcmp(lang, "en") ? KLANG_EN : KLANG_JA;
		req->lang_explicit = 1;
	}
	if (nseg == 1 && !*seg[0])
		nseg = 0; /* "/" */
	job->route = kroute_find(method, seg, nseg, req, &status);
	if (!job->route) {
		return send_error_allow(srv, conn, req, kind, status,
					status == 405 ? "this method is not supported here" :
					kind == KRESP_JSON ? "no such API endpoint" : NULL, 0, rs,
					kroute_allow(seg, nseg));
	}
	if (rs->body_type == BODY_OTHER)
		return send_error(srv, conn, req, kind, 415,
				  kind == KRESP_JSON ? "the body must be application/json (UTF-8)" :
				  "a form body must be application/x-www-form-urlencoded (UTF-8)", rs);
	if (rs->body_type == BODY_JSON) {
		/* kept as it came, for the handler to parse; text only */
		if (rs->form.len && !kutf8_valid(rs->form.buf, rs->form.len))
			return send_error(srv, conn, req, kind, 400,
					  "the body is not valid UTF-8 (or holds a NUL byte)", rs);
		job->body = rs->form.len ? kbuf_detach(&rs->form, &req->body_len) : strdup("");
		if (!job->body)
			return MHD_NO;
		req->body = job->body;
	}
	req->path = rs->uri;
	rs->route = job->route;
	job->resp.kind = job->route->kind;

	/* the credential (none for a static file: the same for everyone) */
	if (job->route->kind != KRESP_STATIC)
		job->cred_kind = web_session_credential(req, job->cred);
	if (srv->cache_on && send_cached(srv, conn, job, rs, &ret))
		return ret;
	if (job->route->kind == KRESP_STATIC) {
		/* compiled in: no database, no reason to wait for the pool */
		job->rc = kroute_run(job->route, req, &job->resp, &job->err);
		job->done = 1;
		return send_job(srv, conn, rs, job);
	}
	/*
	 * For the pool, on the next call (see on_request): returning now with no
	 * response, the connection waits for nothing (libmicrohttpd calls again
	 * at once) instead of for input.
	 */
	rs->deferred = 1;
	return MHD_YES;
}

/*
 * Suspend the connection and queue rs->job for the pool.  Only on the call
 * after the one that built the job: libmicrohttpd 0.9.75 reads a resumed
 * connection first if it was waiting for input when it was suspended, and
 * closes it at a read EOF without sending what was built, so a client that
 * shut down its sending side after its request (a half-close, not a
 * disconnect) got no answer.  After a call that left the request complete
 * and answered nothing, the connection waits for nothing: it is not read on
 * resume, the answer is sent, and only then is the EOF seen and the
 * connection closed.
 */
static enum MHD_Result enqueue(struct khttp_server *srv, struct MHD_Connection *conn,
			       struct reqstate *rs)
{
	struct job *job = rs->job;

	rs->deferred = 0;
	if (submit(srv, job) < 0)
		return send_error(srv, conn, &job->req, job->route->kind, 503, "the server is stopping", rs);
	return MHD_YES; /* suspended: on_request is called again when the page is built */
}

/* The request is in: its deadline no longer applies. */
static void request_in(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct kconn *kc = ci ? ci->socket_context : NULL;

	if (kc)
		atomic_store(&kc->receiving, 0);
}

/* Answer 413 to the request of rs (its body too large). */
static enum MHD_Result refuse_413(struct khttp_server *srv, struct MHD_Connection *conn, struct reqstate *rs)
{
	struct khttp_req req;

	request_in(conn);
	memset(&req, 0, sizeof(req));
	req.conn = conn;
	req.path = kroute_kind_of_path(rs->uri) == KRESP_JSON ? rs->uri : "/";
	req.query = "";
	return send_error(srv, conn, &req, kroute_kind_of_path(rs->uri), 413, "the request body is too large", rs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct khttp_server *srv = cls;
	struct reqstate *rs = *req_cls;
	struct khttp_req req;
	int status;

	if (!rs || !rs->uri)
		return MHD_NO;
	if (rs->job) {
		if (rs->job->done)
			return send_job(srv, conn, rs, rs->job); /* back from the compute pool */
		if (rs->deferred)
			return enqueue(srv, conn, rs);
		return MHD_YES; /* still being built (not expected: suspended connections are not called) */
	}
	if (!rs->started) {
		rs->started = 1;
		rs->method = method;
		rs->body_type = body_type(conn, method, rs->uri);
		rs->max_body = body_cap(rs->body_type, method, rs->uri);
		kbuf_setcap(&rs->form, rs->max_body);
		status = check_limits(conn, rs, method);
		if (status == 413 && rs->clen <= KHTTP_DRAIN_FACTOR * (unsigned long long)rs->max_body) {
			/* not far over: read it and drop it, then answer (below, once it is in) */
			rs->refused = rs->draining = 1;
			return MHD_YES;
		}
		if (status) {
			rs->refused = 1;
			request_in(conn);
			memset(&req, 0, sizeof(req));
			req.conn = conn;
			req.path = kroute_kind_of_path(rs->uri) == KRESP_JSON ? rs->uri : "/";
			req.query = "";
			req.lang = accept_language(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
									       MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
			return send_error_allow(srv, conn, &req, kroute_kind_of_path(rs->uri), status,
						status == 405 ? "this method is not supported" :
						status == 414 ? "the URL is too long" :
						status == 431 ? "the request headers are too large" :
						status == 413 ? "the request body is too large" : "bad request",
						0, rs, kroute_allow_uri(rs->uri));
		}
		/*
		 * Answer on the next call, once the request (and any body, read
		 * and dropped below) is in: libmicrohttpd closes the connection
		 * after a response queued on this first call, which would cost
		 * keep-alive on every request.
		 */
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (rs->refused && !rs->draining)
			return MHD_YES; /* answered already: what still comes is dropped */
		rs->body += n;
		/* over the limit but not far: drop it all and answer at its end (a chunked body that keeps
		 * growing past KHTTP_DRAIN_FACTOR times the limit is answered at once) */
		if (rs->body > rs->max_body && rs->body <= KHTTP_DRAIN_FACTOR * rs->max_body) {
			rs->refused = rs->draining = 1;
			return MHD_YES;
		}
		if (rs->body > rs->max_body) {
			/*
			 * The body has passed the limit by far (chunked, without a
			 * Content-Length): answer 413 now, without reading the rest
			 * (or, if libmicrohttpd cannot answer in the middle of a
			 * body, close).
			 */
			rs->refused = 1;
			rs->draining = 0;
			return refuse_413(srv, conn, rs);
		}
		if ((rs->body_type == BODY_FORM || rs->body_type == BODY_JSON) &&
		    kbuf_add(&rs->form, upload_data, n) < 0)
			return MHD_NO;
		return MHD_YES;
	}
	if (rs->draining) { /* the body over the limit is in and dropped: now its answer */
		rs->draining = 0;
		return refuse_413(srv, conn, rs);
	}
	if (rs->refused)
		return MHD_YES; /* its answer is queued */
	request_in(conn);
	return serve(srv, conn, rs, method);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Forget the request (its job is not in the pool). */
static void req_reset(struct reqstate *rs)
{
	job_free(rs->job);
	free(rs->uri);
	kbuf_release(&rs->form);
	memset(rs, 0, sizeof(*rs));
}

/*
 * A request line is in.  Keep a copy of the target, and cut the query off
 * in libmicrohttpd's buffer, so that libmicrohttpd makes no record of its
 * own for each query parameter: kyokun parses the query itself from the
 * copy (serve) and never asks libmicrohttpd for one.  In 0.9.75 those
 * records came out of the connection's memory pool, 48 bytes for as little
 * as 2 bytes of query ("a&"), and a query with some 500 parameters ran the
 * pool out: libmicrohttpd then neither answered nor called on_request, and
 * held the connection until its timeout (its 431 queued, but the state
 * overwritten in parse_initial_message_line).  Cut, every target within
 * the pool reaches check_limits and serve, which answer 414, or 400 for
 * more than KHTTP_MAX_PARAMS parameters, with kyokun's headers.
 * (libmicrohttpd passes the target NUL-terminated, in its own writable read
 * buffer, and looks for the '?' before this callback and parses the rest
 * after it.)
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct kconn *kc = ci ? ci->socket_context : NULL;
	struct reqstate *rs;
	char *q;
	size_t n;

	(void)cls;
	if (!kc)
		return NULL; /* on_request closes the connection */
	if (!uri)
		uri = "";
	rs = &kc->rs;
	req_reset(rs); /* in case libmicrohttpd dropped the last request unannounced */
	clock_gettime(CLOCK_MONOTONIC, &rs->t0);
	n = strlen(uri);
	rs->urilen = n;
	rs->uri = strndup(uri, n > KHTTP_MAX_URI ? KHTTP_MAX_URI : n);
	q = strchr(uri, '?');
	if (q && q[1])
		q[1] = '\0';
	return rs;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct reqstate *rs = *req_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct kconn *kc = ci ? ci->socket_context : NULL;

	(void)cls;
	(void)toe;
	if (rs)
		req_reset(rs);
	*req_cls = NULL;
	if (kc) {
		/* the next request's time starts now */
		atomic_store(&kc->since, now_ms());
		atomic_store(&kc->receiving, 1);
	}
}

/* A connection opens or closes. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct khttp_server *srv = cls;
	struct kconn *kc = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		kc = calloc(1, sizeof(*kc));
		if (!kc || !ci) {
			free(kc);
			*socket_context = NULL; /* its requests are refused (on_uri) */
			return;
		}
		kc->fd = ci->connect_fd;
		atomic_init(&kc->since, now_ms());
		atomic_init(&kc->receiving, 1);
		pthread_mutex_lock(&srv->conns_lock);
		kc->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = kc;
		srv->conns = kc;
		pthread_mutex_unlock(&srv->conns_lock);
		*socket_context = kc;
		atomic_fetch_add_explicit(&srv->metrics.connections, 1, memory_order_relaxed);
		return;
	}
	if (!kc)
		return;
	/* closed: libmicrohttpd closes the socket after this returns */
	pthread_mutex_lock(&srv->conns_lock);
	if (kc->prev)
		kc->prev->next = kc->next;
	else
		srv->conns = kc->next;
	if (kc->next)
		kc->next->prev = kc->prev;
	pthread_mutex_unlock(&srv->conns_lock);
	req_reset(&kc->rs);
	free(kc);
	*socket_context = NULL;
	atomic_fetch_sub_explicit(&srv->metrics.connections, 1, memory_order_relaxed);
}

/*
 * The request deadline.  libmicrohttpd's CONNECTION_TIMEOUT counts from the
 * last byte received, so a client trickling a header line every few seconds
 * holds a connection for ever, and a few thousand of them held every
 * connection the server has (slowloris).  Here a request must be in, head
 * and any body, within KHTTP_REQUEST_TIMEOUT seconds of the moment the
 * connection was ready for it (accepted, or done with the previous
 * response): once a second this thread shuts down the socket of every
 * connection past that, and libmicrohttpd, seeing the socket end, closes the
 * connection.  (It cannot be closed from here otherwise: 0.9.75 has no call
 * for that.)  A keep-alive connection left idle is closed after as long.  The
 * fd is used only while the connection is on the list, that is before
 * libmicrohttpd reports it closed and closes the socket, so it is never
 * another connection's.
 */
static void *sweep_main(void *arg)
{
	struct khttp_server *srv = arg;
	struct timespec until;

	pthread_mutex_lock(&srv->conns_lock);
	while (srv->sweeping) {
		long long limit = now_ms() - KHTTP_REQUEST_TIMEOUT * 1000LL;
		unsigned cut = 0;

		for (struct kconn *kc = srv->conns; kc; kc = kc->next) {
			if (kc->cut || !atomic_load(&kc->receiving) || atomic_load(&kc->since) > limit)
				continue;
			kc->cut = 1;
			shutdown(kc->fd, SHUT_RDWR);
			cut++;
		}
		if (cut && srv->access_log)
			fprintf(stderr, "kyokun: http: %u connection%s closed: no request in %d s\n", cut,
				cut == 1 ? "" : "s", KHTTP_REQUEST_TIMEOUT);
		clock_gettime(CLOCK_MONOTONIC, &until); /* the clock of sweep_cond */
		until.tv_sec += 1;
		pthread_cond_timedwait(&srv->sweep_cond, &srv->conns_lock, &until);
	}
	pthread_mutex_unlock(&srv->conns_lock);
	return NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct khttp_server *srv = cls;

	if (!srv->access_log)
		return; /* libmicrohttpd's own messages are about clients misbehaving */
	fputs("kyokun: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- the access log file, the counters ---------------------------------------------- */

/* Does the configuration name a file for the access log (not stderr)? */
static int log_to_file(const struct khttp_config *cfg)
{
	return cfg->access_log_path && *cfg->access_log_path && strcmp(cfg->access_log_path, "-") != 0;
}

/* Open the access log file (appending, created 0640): the new FILE, or NULL with err set. */
static FILE *log_fopen(const char *path, struct kerr *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	FILE *f;

	if (fd < 0) {
		kerr_set(err, KE_IO, "--access-log %s: %s", path, strerror(errno));
		return NULL;
	}
	if (!(f = fdopen(fd, "a"))) {
		close(fd);
		kerr_set(err, KE_IO, "--access-log %s: %s", path, strerror(errno));
		return NULL;
	}
	return f;
}

static int log_open(struct khttp_server *srv, struct kerr *err)
{
	if (!log_to_file(&srv->cfg))
		return 0;
	srv->log = log_fopen(srv->cfg.access_log_path, err);
	return srv->log ? 0 : err->code;
}

int khttp_reopen_log(struct khttp_server *srv, struct kerr *err)
{
	FILE *f, *old;

	if (!srv || !srv->access_log || !log_to_file(&srv->cfg))
		return 0;
	/* opened before the lock is taken: requests wait only for the swap */
	if (!(f = log_fopen(srv->cfg.access_log_path, err)))
		return err->code;
	pthread_mutex_lock(&srv->log_lock);
	old = srv->log;
	srv->log = f;
	pthread_mutex_unlock(&srv->log_lock);
	if (old)
		fclose(old);
	return 0;
}

struct kmetrics *khttp_metrics(const struct khttp_req *req)
{
	const struct cthread *t = req ? req->worker : NULL;

	return t ? &t->srv->metrics : NULL;
}

void khttp_note_signin(const struct khttp_req *req, int ok)
{
	struct kmetrics *m = khttp_metrics(req);

	if (m)
		atomic_fetch_add_explicit(ok ? &m->signin_ok : &m->signin_failed, 1, memory_order_relaxed);
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

/* Stop the compute threads once the queue is empty (every suspended connection resumed). */
static void pool_stop(struct khttp_server *srv)
{
	pthread_mutex_lock(&srv->qlock);
	srv->stopping = 1;
	pthread_cond_broadcast(&srv->qcond);
	pthread_mutex_unlock(&srv->qlock);
	for (unsigned i = 0; i < srv->nthreads; i++)
		if (srv->threads[i].started)
			pthread_join(srv->threads[i].tid, NULL);
}

/*
 * Check the certificate and key given for TLS before libmicrohttpd sees
 * them (it says only that it could not start): each is PEM of its kind,
 * and they belong together.
 */
static int tls_check(const struct khttp_config *cfg, struct kerr *err)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_datum_t dc, dk;
	const char *cn = cfg->tls_cert_file ? cfg->tls_cert_file : "the certificate";
	const char *kn = cfg->tls_key_file ? cfg->tls_key_file : "the key";
	int g, rc = 0;

	if (!cfg->tls_key)
		return kerr_set(err, KE_USAGE, "--tls-cert needs --tls-key (and the other way round)");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return kerr_set(err, KE_INVALID, "this libmicrohttpd was built without TLS: serve without "
				"--tls-cert, behind a TLS proxy (--behind-proxy)");
	dc.data = (unsigned char *)cfg->tls_cert;
	dc.size = (unsigned)strlen(cfg->tls_cert);
	dk.data = (unsigned char *)cfg->tls_key;
	dk.size = (unsigned)strlen(cfg->tls_key);
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_certificate_allocate_credentials(&cred) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((g = gnutls_x509_crt_import(crt, &dc, GNUTLS_X509_FMT_PEM)) < 0) {
		rc = kerr_set(err, KE_INVALID, "--tls-cert %s: not a PEM certificate (%s)", cn,
			      gnutls_strerror(g));
		goto out;
	}
	if ((g = gnutls_x509_privkey_import2(key, &dk, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN)) < 0) {
		rc = kerr_set(err, KE_INVALID, "--tls-key %s: not an unencrypted PEM private key (%s)", kn,
			      gnutls_strerror(g));
		goto out;
	}
	if ((g = gnutls_certificate_set_x509_key_mem(cred, &dc, &dk, GNUTLS_X509_FMT_PEM)) < 0) {
		rc = kerr_set(err, KE_INVALID, "--tls-cert %s and --tls-key %s do not go together (%s)", cn, kn,
			      gnutls_strerror(g));
		goto out;
	}
out:
	if (cred)
		gnutls_certificate_free_credentials(cred);
	if (key)
		gnutls_x509_privkey_deinit(key);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

int khttp_start(struct khttp_server **out, const struct khttp_config *cfg, struct kerr *err)
{
	struct khttp_server *srv;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned sslen = 0, threads = cfg->threads, flags;
	char host[INET6_ADDRSTRLEN];
	struct MHD_OptionItem tls_opts[3] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL },
	};
	int rc = 0, v6;

	*out = NULL;
	if ((rc = khttp_parse_listen(cfg->listen, &ss, &sslen, err)))
		return rc;
	if ((cfg->tls_cert || cfg->tls_key) && (rc = tls_check(cfg, err)) < 0)
		return rc;
	v6 = ss.ss_family == AF_INET6;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return kerr_set(err, KE_NOMEM, "out of memory");
	pthread_mutex_init(&srv->qlock, NULL);
	pthread_cond_init(&srv->qcond, NULL);
	pthread_mutex_init(&srv->cache.lock, NULL);
	pthread_mutex_init(&srv->conns_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&srv->sweep_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	srv->cfg = *cfg;
	kmetrics_init(&srv->metrics);
	pthread_mutex_init(&srv->log_lock, NULL);
	srv->log_lock_made = 1;
	srv->access_log = cfg->access_log;
	if (srv->access_log && (rc = log_open(srv, err)) < 0)
		goto fail;
	srv->cache_on = !cfg->no_cache;
	srv->cache.max_bytes = (size_t)(cfg->cache_mb ? cfg->cache_mb : KHTTP_CACHE_MB) << 20;
	srv->cache.metrics = &srv->metrics;
	atomic_store_explicit(&srv->metrics.cache_limit, srv->cache_on ? (long long)srv->cache.max_bytes : 0,
			      memory_order_relaxed);
	srv->db_path = strdup(cfg->db_path);
	if (!srv->db_path) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto fail;
	}
	/* the cache's own connection: it asks whether anything was committed */
	if (srv->cache_on && (rc = kstore_open(&srv->cache.watch, srv->db_path, KSTORE_READONLY, err)) < 0)
		goto fail;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 && n < 256 ? (unsigned)n : 2;
	}

	/* the compute pool: one thread and one read-only connection per core */
	srv->threads = calloc(threads, sizeof(*srv->threads));
	if (!srv->threads) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto fail;
	}
	srv->nthreads = threads;
	srv->warm_next = threads > 1 ? 0 : UINT_MAX;
	for (unsigned i = 0; i < threads; i++) {
		struct cthread *t = &srv->threads[i];

		t->srv = srv;
		if ((rc = kstore_open(&t->st, srv->db_path, KSTORE_READONLY, err)) < 0)
			goto fail;
		if (pthread_create(&t->tid, NULL, compute_main, t) != 0) {
			rc = kerr_set(err, KE_NOMEM, "cannot start a worker thread");
			goto fail;
		}
		t->started = 1;
	}

	if (cfg->tls_cert) {
		tls_opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert };
		tls_opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key };
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0) | (cfg->tls_cert ? MHD_USE_TLS : 0);
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				  MHD_OPTION_ARRAY, tls_opts,
				  MHD_OPTION_EXTERNAL_LOGGER, on_log, srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, threads,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)KHTTP_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned)(cfg->max_per_ip ? cfg->max_per_ip : KHTTP_MAX_PER_IP),
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				  /*
				   * Each connection's memory pool, where libmicrohttpd keeps the
				   * request as read, a record per header and per cookie, and the
				   * response headers.  32 KiB is the most 0.9.75 takes from
				   * malloc; above, it maps the pool for each connection and
				   * unmaps it at the close (memorypool.c), and one connection per
				   * request fell from about 7,000 to 1,000 a second with 64 KiB
				   * (keep-alive unchanged: both sizes are zeroed in full between
				   * requests).  With the query kept out of it (on_uri), 32 KiB
				   * holds a request at kyokun's limits (an 8 KiB target and 16
				   * KiB of headers), and a target alone up to about 31 KiB or
				   * up to 450 short header lines, so check_limits answers those
				   * with kyokun's headers.  What cannot fit gets libmicrohttpd's
				   * own 414 or 431 (no kyokun headers; a fixed page that shows
				   * nothing of the request) and the connection is closed at
				   * once.  A
				   * Cookie header takes about twice its size plus 48 bytes a
				   * cookie (a record for as little as "a;"), parsed before
				   * kyokun sees the request and with no way to refuse it
				   * earlier; one that does not fit (some 400 short cookies, or
				   * 180 of 60 bytes) gets no answer: 0.9.75 resets the pool to
				   * make room for its 431, loses the Host header with it, and
				   * closes the connection for lacking one.  At once, in every
				   * case: none holds a connection or leaks (struct kconn).
				   */
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
				  MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
				  MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
				  MHD_OPTION_END);
	if (!srv->d) {
		rc = kerr_set(err, KE_IO, "cannot listen on %s: the address is in use or not available",
			      cfg->listen);
		goto fail;
	}
	srv->sweeping = 1;
	if (pthread_create(&srv->sweeper, NULL, sweep_main, srv) != 0) {
		srv->sweeping = 0;
		rc = kerr_set(err, KE_NOMEM, "cannot start a thread");
		goto fail;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
		  (void *)&((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	snprintf(srv->url, sizeof(srv->url), v6 ? "%s://[%s]:%u/" : "%s://%s:%u/",
		 cfg->tls_cert ? "https" : "http", host, info ? (unsigned)info->port : 0);
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
	/* first the pool: it builds what is queued and resumes those connections
	 * (libmicrohttpd must not be stopped with a connection suspended) */
	if (srv->threads)
		pool_stop(srv);
	pthread_mutex_lock(&srv->conns_lock);
	if (srv->sweeping) {
		srv->sweeping = 0;
		pthread_cond_signal(&srv->sweep_cond);
		pthread_mutex_unlock(&srv->conns_lock);
		pthread_join(srv->sweeper, NULL);
	} else {
		pthread_mutex_unlock(&srv->conns_lock);
	}
	if (srv->d)
		MHD_stop_daemon(srv->d); /* closes the connections: their struct kconn go */
	if (srv->d && srv->nthreads) {
		/* when sessions and tokens were last used, not written yet */
		struct kerr err = KERR_INIT;
		struct kstore *rw = srv->threads[0].rw;

		if (!rw && kstore_open(&srv->threads[0].rw, srv->db_path, 0, &err) == 0)
			rw = srv->threads[0].rw;
		if (!rw || web_session_write_uses(rw, &err) < 0)
			fprintf(stderr, "kyokun: serve: writing when sessions and tokens were last used: %s\n",
				err.msg[0] ? err.msg : kerr_name(err.code));
	}
	for (unsigned i = 0; i < srv->nthreads; i++) {
		kstore_close(srv->threads[i].st);
		kstore_close(srv->threads[i].rw);
	}
	free(srv->threads);
	pthread_mutex_lock(&srv->cache.lock);
	cache_flush(&srv->cache);
	pthread_mutex_unlock(&srv->cache.lock);
	kstore_close(srv->cache.watch);
	pthread_mutex_destroy(&srv->cache.lock);
	pthread_mutex_destroy(&srv->qlock);
	pthread_cond_destroy(&srv->qcond);
	pthread_mutex_destroy(&srv->conns_lock);
	pthread_cond_destroy(&srv->sweep_cond);
	if (srv->log)
		fclose(srv->log);
	if (srv->log_lock_made)
		pthread_mutex_destroy(&srv->log_lock);
	free(srv->db_path);
	free(srv);
}
