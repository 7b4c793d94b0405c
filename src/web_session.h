/*
 * web_session.h - who is asking: the session cookie and bearer tokens of
 * the web application (issue 11).
 *
 * A browser signs in (web_account.c) and gets a cookie kyokun_session whose
 * value is a new random secret (ksecret_new(), 256 bits); the store keeps
 * only its hash (ksecret_hash) with the user, the session's CSRF token, and
 * its times.  A session ends at sign-out, when its user is disabled, after
 * session_idle seconds without a request, or session_max seconds after the
 * sign-in, whichever comes first (serve --session-idle, --session-max).
 *
 * A script sends "Authorization: Bearer kyk_..." instead (an API token made
 * with `kyokun token create`): looked up by its hash, refused (401) when
 * unknown, revoked, expired or its user disabled.  A bearer request is not
 * an ambient credential a third-party page could make a browser send, so it
 * needs no CSRF token.
 *
 * Uses.  When a session or a token was last used is noted in memory on
 * every request (web_session_use), cached or not, and that is what idle
 * expiry goes by.  The times are written to the store (a session's seen, a
 * token's used) all together in one transaction, at most every
 * WEB_SESSION_WRITE_EVERY seconds, by whichever worker resolves a
 * credential next, and when the server stops (web_session_write_uses).
 * Not per session: every commit empties the response cache, and one write
 * a minute for each active user would keep it empty on a busy server.  A
 * server that dies loses at most that much of the times (a session may then
 * end as idle that much early).
 *
 * The HTTP transport (http.c) keeps, per credential hash, what a resolution
 * found (struct web_cred) until the database changes or the time it is good
 * until, so a signed-in page can come from the response cache without a
 * database read; anything else is resolved in a worker thread by
 * web_session_resolve().
 */
#ifndef KYOKUN_WEB_SESSION_H
#define KYOKUN_WEB_SESSION_H

#include <time.h>

#include "account.h"
#include "http.h"

struct kerr;
struct khttp_resp;

#define WEB_SESSION_COOKIE "kyokun_session"
#define WEB_SESSION_WRITE_EVERY 300 /* seconds: the uses are written at most this often */
#define WEB_SESSION_USES 8192       /* credentials whose last use is kept in memory */

/* The credential a request carries, by its hash. */
enum web_cred_kind {
	WEB_CRED_NONE = 0,  /* none: anonymous */
	WEB_CRED_COOKIE,    /* a session cookie */
	WEB_CRED_BEARER,    /* Authorization: Bearer */
};

/* What a resolution found, for the transport to remember (see above). */
struct web_cred {
	enum khttp_auth auth;  /* KHTTP_AUTH_NONE: the credential is no one's (anonymous) */
	char ckey[40];         /* the reader's part of the response cache key */
	time_t until;          /* good until then (its absolute expiry) */
	long idle;             /* a session's idle limit (seconds; 0 for a token or no one) */
	long long token_id;    /* a token's id */
	char login[KLOGIN_MAX + 1]; /* the user's login ("" for no one), for the access log */
};

/*
 * A request with the credential of hash is being answered at now: note the
 * use.  For a session (idle > 0): 0 if it is still alive (its last use
 * was less than idle seconds ago, or is not known here), -1 if it has
 * been idle too long (then nothing is noted: the request must be resolved,
 * which ends the session).  Thread-safe, cheap (for the I/O threads).
 */
int web_session_use(const char *hash, enum web_cred_kind kind, long long token_id, long idle, time_t now);
/* Write the uses noted since the last write to st (one transaction).  0 or a KE_* code. */
int web_session_write_uses(struct kstore *st, struct kerr *err);

/*
 * The credential of req and its hash (hash[0] is '\0' for none): a bearer
 * token if there is an Authorization: Bearer header (whatever it holds),
 * else the session cookie.  Cheap (one SHA-256): called on the I/O thread.
 */
enum web_cred_kind web_session_credential(const struct khttp_req *req, char hash[KHASH_LEN + 1]);

/*
 * Find who req is from its credential (worker thread: reads the database,
 * and writes seen / used when due): sets req->reader, auth, csrf,
 * user_name, session_hash, hold, and *c.  A session cookie that names no
 * live session leaves req anonymous (0, c->auth KHTTP_AUTH_NONE); a bearer
 * token that is not usable is KE_AUTH.  Other errors: KE_DB, KE_NOMEM.
 */
int web_session_resolve(struct khttp_req *req, struct web_cred *c, struct kerr *err);
/* Free what web_session_resolve() kept for req (the reader). */
void web_session_release(struct khttp_req *req);
/* A worker thread ends: free what it remembered of credentials. */
void web_session_thread_end(void);

/*
 * Set resp's Set-Cookie: the session cookie with value (HttpOnly,
 * SameSite=Strict, Path=/, and Secure when req came over TLS), or with
 * value NULL, its removal.
 */
void web_session_cookie(const struct khttp_req *req, struct khttp_resp *resp, const char *value);

/* The lifetimes req's server gives sessions (seconds). */
long web_session_idle(const struct khttp_req *req);
long web_session_max(const struct khttp_req *req);

#endif
