/*
 * web_session.c - who is asking: the session cookie and bearer tokens (see
 * web_session.h).
 */
#include "web_session.h"
#include "account.h"
#include "http.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* How long a credential that names no one stays known as such: until the
 * database changes (a new session is a write), or this long. */
#define NOBODY_FOR 3600

long web_session_idle(const struct khttp_req *req)
{
	return req->cfg && req->cfg->session_idle > 0 ? req->cfg->session_idle : KHTTP_SESSION_IDLE;
}

long web_session_max(const struct khttp_req *req)
{
	return req->cfg && req->cfg->session_max > 0 ? req->cfg->session_max : KHTTP_SESSION_MAX;
}

/* How often seen is written: once a minute, or a quarter of a shorter idle limit. */
static long touch_every(long idle)
{
	long t = idle / 4;

	return t < 1 ? 1 : t < WEB_SESSION_TOUCH ? t : WEB_SESSION_TOUCH;
}

/* The token of an Authorization: Bearer header, or NULL if there is none. */
static const char *bearer_of(const struct khttp_req *req)
{
	const char *h = khttp_header(req, "Authorization");

	if (!h || strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\t'))
		return NULL;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	return h;
}

enum web_cred_kind web_session_credential(const struct khttp_req *req, char hash[KHASH_LEN + 1])
{
	const char *v = bearer_of(req);

	hash[0] = '\0';
	if (v) {
		if (ksecret_hash(v, hash) < 0)
			hash[0] = '\0';
		return WEB_CRED_BEARER;
	}
	v = khttp_cookie(req, WEB_SESSION_COOKIE);
	if (!v || !*v)
		return WEB_CRED_NONE;
	if (ksecret_hash(v, hash) < 0)
		hash[0] = '\0';
	return WEB_CRED_COOKIE;
}

void web_session_release(struct khttp_req *req)
{
	struct kreader_hold *h = req->hold;

	if (h) {
		kreader_hold_free(h);
		free(h);
		req->hold = NULL;
	}
}

/* The user of id, as a reader held for req: 0, or KE_NOTFOUND / KE_DENIED (disabled). */
static int hold_user(struct khttp_req *req, long long id, struct kerr *err)
{
	struct kuser u = { 0 };
	struct kreader_hold *h = NULL;
	int rc;

	if ((rc = kstore_user_get_id(req->st, id, &u, err)) < 0)
		goto out;
	if (u.disabled) {
		rc = kerr_set(err, KE_DENIED, "the account is disabled");
		goto out;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = kstore_reader_of_user(req->st, &u, h, err)) < 0) {
		kreader_hold_free(h);
		free(h);
		goto out;
	}
	req->hold = h;
	req->reader = &h->r;
	req->user_name = khttp_keep(req, strdup(u.display_name && *u.display_name ? u.display_name :
						u.login));
	if (!req->user_name)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	kuser_free(&u);
	return rc;
}

static time_t parse_time(const char *s, time_t otherwise)
{
	time_t t;

	return s && *s && ktime_parse(s, &t) == 0 ? t : otherwise;
}

/* A bookkeeping write that failed is logged; the request goes on. */
static void note_failed_write(const char *what, struct kerr *e)
{
	fprintf(stderr, "kyokun: serve: %s: %s\n", what, e->msg[0] ? e->msg : kerr_name(e->code));
}

static int resolve_token(struct khttp_req *req, const char *hash, struct web_cred *c, struct kerr *err)
{
	struct ktoken t = { 0 };
	struct kerr e2 = KERR_INIT;
	const char *sent = bearer_of(req);
	time_t now = time(NULL), used, expires;
	char iso[KTIME_LEN + 1];
	struct kstore *rw;
	int rc;

	req->auth = KHTTP_AUTH_NONE;
	if (!sent || !ktoken_wellformed(sent) || !hash[0]) {
		rc = kerr_set(err, KE_AUTH, "the bearer token is not a kyokun API token");
		goto out;
	}
	rc = kstore_token_find(req->st, hash, &t, err);
	if (rc == KE_NOTFOUND) {
		rc = kerr_set(err, KE_AUTH, "the bearer token is unknown, revoked or expired");
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = hold_user(req, t.user_id, err);
	if (rc == KE_NOTFOUND || rc == KE_DENIED) {
		rc = kerr_set(err, KE_AUTH, "the bearer token is unknown, revoked or expired");
		goto out;
	}
	if (rc < 0)
		goto out;
	used = parse_time(t.used, 0);
	if (now - used >= WEB_SESSION_TOUCH || now < used) {
		ktime_iso(now, iso);
		rw = khttp_writer(req, &e2);
		if (!rw || kstore_token_used(rw, t.id, iso, &e2) < 0)
			note_failed_write("recording a token's use", &e2);
		used = now;
	}
	expires = parse_time(t.expires, 0);
	c->auth = KHTTP_AUTH_TOKEN;
	snprintf(c->ckey, sizeof(c->ckey), "t%lld", t.id);
	c->until = used + WEB_SESSION_TOUCH;
	if (expires && expires < c->until)
		c->until = expires;
	req->auth = KHTTP_AUTH_TOKEN;
out:
	ktoken_free(&t);
	if (rc == KE_AUTH)
		req->token_refused = 1;
	return rc;
}

static int resolve_cookie(struct khttp_req *req, const char *hash, struct web_cred *c, struct kerr *err)
{
	struct ksession s;
	struct kerr e2 = KERR_INIT;
	time_t now = time(NULL), created, seen, expires;
	long idle = web_session_idle(req), max = web_session_max(req), every = touch_every(idle);
	char iso[KTIME_LEN + 1];
	struct kstore *rw;
	int rc;

	if (!hash[0])
		return 0;
	req->session_hash = khttp_keep(req, strdup(hash));
	memset(&s, 0, sizeof(s));
	rc = kstore_session_get(req->st, hash, &s, err);
	if (rc == KE_NOTFOUND) {
		kerr_clear(err);
		return 0; /* no such session (or ended, or its user disabled): anonymous */
	}
	if (rc < 0)
		return rc;
	created = parse_time(s.created, 0);
	seen = parse_time(s.seen, 0);
	expires = parse_time(s.expires, 0);
	if (now >= expires || now >= created + max || now >= seen + idle) {
		/* over: forget it now rather than at the next purge */
		rw = khttp_writer(req, &e2);
		if (!rw || kstore_session_delete(rw, hash, &e2) < 0)
			note_failed_write("ending an expired session", &e2);
		return 0;
	}
	rc = hold_user(req, s.user_id, err);
	if (rc == KE_NOTFOUND || rc == KE_DENIED) {
		kerr_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (now - seen >= every || now < seen) {
		ktime_iso(now, iso);
		rw = khttp_writer(req, &e2);
		if (!rw || kstore_session_touch(rw, hash, iso, &e2) < 0)
			note_failed_write("recording a session's use", &e2);
		seen = now;
	}
	req->csrf = khttp_keep(req, strdup(s.csrf));
	if (!req->csrf)
		return kerr_set(err, KE_NOMEM, "out of memory");
	req->auth = KHTTP_AUTH_SESSION;
	c->auth = KHTTP_AUTH_SESSION;
	/* a page carries the session's CSRF token: its cache entry is the session's own */
	snprintf(c->ckey, sizeof(c->ckey), "s%.32s", hash);
	c->until = seen + every;
	if (expires < c->until)
		c->until = expires;
	if (created + max < c->until)
		c->until = created + max;
	if (seen + idle < c->until)
		c->until = seen + idle;
	return 0;
}

int web_session_resolve(struct khttp_req *req, struct web_cred *c, struct kerr *err)
{
	char hash[KHASH_LEN + 1];
	enum web_cred_kind kind = web_session_credential(req, hash);

	memset(c, 0, sizeof(*c));
	snprintf(c->ckey, sizeof(c->ckey), "anon");
	c->until = time(NULL) + NOBODY_FOR;
	req->reader = &kreader_anonymous;
	req->auth = KHTTP_AUTH_NONE;
	{
		const char *cookie = khttp_cookie(req, WEB_SESSION_COOKIE);

		req->has_cookie = cookie && *cookie;
	}
	if (kind == WEB_CRED_BEARER)
		return resolve_token(req, hash, c, err);
	if (kind == WEB_CRED_COOKIE)
		return resolve_cookie(req, hash, c, err);
	return 0;
}

void web_session_cookie(const struct khttp_req *req, struct khttp_resp *resp, const char *value)
{
	snprintf(resp->set_cookie, sizeof(resp->set_cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
		 WEB_SESSION_COOKIE, value ? value : "", value ? "" : "; Max-Age=0",
		 req->secure ? "; Secure" : "");
}
