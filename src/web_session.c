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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* How long what a credential was found to be is remembered at most (any
 * write to the database forgets it sooner: a new session, a revoked token). */
#define NOBODY_FOR 3600

long web_session_idle(const struct khttp_req *req)
{
	return req->cfg && req->cfg->session_idle > 0 ? req->cfg->session_idle : KHTTP_SESSION_IDLE;
}

long web_session_max(const struct khttp_req *req)
{
	return req->cfg && req->cfg->session_max > 0 ? req->cfg->session_max : KHTTP_SESSION_MAX;
}

/* ---- uses: when each credential was last used (see web_session.h) ---- */

#define USE_WAYS 8

struct use {
	char hash[KHASH_LEN + 1];   /* "" when free */
	enum web_cred_kind kind;
	long long token_id;
	time_t last;                /* the last use */
	int dirty;                  /* not written yet */
};

static struct {
	pthread_mutex_t lock;
	struct use u[WEB_SESSION_USES / USE_WAYS][USE_WAYS];
	time_t written;             /* when the uses were last written (0: not yet: start counting) */
	int writing;                /* a worker is writing them */
} uses = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct use *use_set(const char *hash)
{
	unsigned v = 0;

	for (int i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (unsigned)(hash[i] >= 'a' ? hash[i] - 'a' + 10 : hash[i] - '0');
	return uses.u[v % (WEB_SESSION_USES / USE_WAYS)];
}

/* The entry of hash (locked), or NULL; with make, a new one in place of the least recent. */
static struct use *use_find(const char *hash, int make)
{
	struct use *set = use_set(hash), *victim = NULL;

	for (int k = 0; k < USE_WAYS; k++) {
		if (set[k].hash[0] && !strcmp(set[k].hash, hash))
			return &set[k];
		if (!victim || !set[k].hash[0] || (victim->hash[0] && set[k].last < victim->last))
			victim = &set[k];
	}
	if (!make)
		return NULL;
	/* an unwritten use forgotten here: the store's time, older, counts for that credential */
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->hash, sizeof(victim->hash), "%s", hash);
	return victim;
}

/* Note a use at now (locked). */
static void use_note(struct use *u, enum web_cred_kind kind, long long token_id, time_t now)
{
	u->kind = kind;
	u->token_id = token_id;
	if (now > u->last)
		u->last = now;
	u->dirty = 1;
}

int web_session_use(const char *hash, enum web_cred_kind kind, long long token_id, long idle, time_t now)
{
	struct use *u;
	int rc = 0;

	pthread_mutex_lock(&uses.lock);
	u = use_find(hash, idle <= 0);
	if (idle > 0 && (!u || now - u->last >= idle))
		rc = -1; /* not known here, or idle too long: resolve it */
	else
		use_note(u, kind, token_id, now);
	pthread_mutex_unlock(&uses.lock);
	return rc;
}

/* The last use of hash known here (0: none), and note one at now. */
static time_t use_swap(const char *hash, enum web_cred_kind kind, long long token_id, time_t now)
{
	struct use *u;
	time_t last;

	pthread_mutex_lock(&uses.lock);
	u = use_find(hash, 1);
	last = u->last;
	use_note(u, kind, token_id, now);
	pthread_mutex_unlock(&uses.lock);
	return last;
}

/* The last use of hash known here, 0 if none. */
static time_t use_last(const char *hash)
{
	struct use *u;
	time_t last;

	pthread_mutex_lock(&uses.lock);
	u = use_find(hash, 0);
	last = u ? u->last : 0;
	pthread_mutex_unlock(&uses.lock);
	return last;
}

int web_session_write_uses(struct kstore *st, struct kerr *err)
{
	struct use *todo = NULL;
	size_t n = 0;
	char iso[KTIME_LEN + 1];
	int rc = 0;

	pthread_mutex_lock(&uses.lock);
	for (size_t i = 0; i < WEB_SESSION_USES / USE_WAYS; i++)
		for (int k = 0; k < USE_WAYS; k++)
			n += uses.u[i][k].hash[0] && uses.u[i][k].dirty;
	if (n && (todo = malloc(n * sizeof(*todo)))) {
		n = 0;
		for (size_t i = 0; i < WEB_SESSION_USES / USE_WAYS; i++) {
			for (int k = 0; k < USE_WAYS; k++) {
				struct use *u = &uses.u[i][k];

				if (u->hash[0] && u->dirty) {
					todo[n++] = *u;
					u->dirty = 0;
				}
			}
		}
	}
	pthread_mutex_unlock(&uses.lock);
	if (!todo)
		return n ? kerr_set(err, KE_NOMEM, "out of memory") : 0;
	if ((rc = kstore_begin(st, err)) < 0)
		goto out;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		ktime_iso(todo[i].last, iso);
		if (todo[i].kind == WEB_CRED_BEARER)
			rc = kstore_token_used(st, todo[i].token_id, iso, err);
		else
			rc = kstore_session_touch(st, todo[i].hash, iso, err);
		if (rc == KE_NOTFOUND) { /* ended or revoked since */
			kerr_clear(err);
			rc = 0;
		}
	}
	if (rc < 0)
		kstore_rollback(st);
	else
		rc = kstore_commit(st, err);
out:
	free(todo);
	return rc;
}

/* Write the uses if it is time (a worker, for any request): every WEB_SESSION_WRITE_EVERY seconds. */
static void write_uses_now_and_then(struct khttp_req *req, time_t now)
{
	struct kerr err = KERR_INIT;
	struct kstore *rw;
	int go = 0;

	pthread_mutex_lock(&uses.lock);
	if (!uses.written)
		uses.written = now;
	else if (!uses.writing && now - uses.written >= WEB_SESSION_WRITE_EVERY)
		go = uses.writing = 1;
	pthread_mutex_unlock(&uses.lock);
	if (!go)
		return;
	if (!(rw = khttp_writer(req, &err)) || web_session_write_uses(rw, &err) < 0)
		fprintf(stderr, "kyokun: serve: writing when sessions and tokens were last used: %s\n",
			err.msg[0] ? err.msg : kerr_name(err.code));
	pthread_mutex_lock(&uses.lock);
	uses.written = now;
	uses.writing = 0;
	pthread_mutex_unlock(&uses.lock);
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

/* The later of a stored time and the last use known here. */
static time_t later(time_t stored, time_t here)
{
	return here > stored ? here : stored;
}

static int resolve_token(struct khttp_req *req, const char *hash, struct web_cred *c, struct kerr *err)
{
	struct ktoken t = { 0 };
	const char *sent = bearer_of(req);
	time_t now = time(NULL), expires;
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
	use_swap(hash, WEB_CRED_BEARER, t.id, now);
	expires = parse_time(t.expires, 0);
	c->auth = KHTTP_AUTH_TOKEN;
	c->token_id = t.id;
	snprintf(c->ckey, sizeof(c->ckey), "t%lld", t.id);
	if (expires && expires < c->until)
		c->until = expires;
	req->auth = KHTTP_AUTH_TOKEN;
out:
	ktoken_free(&t);
	if (rc == KE_AUTH)
		req->token_refused = 1;
	return rc;
}

static int resolve_cookie(struct khttp_req *req, const char *hash, struct web_cred *c, time_t *stored_seen,
			  struct kerr *err)
{
	struct ksession s;
	struct kerr e2 = KERR_INIT;
	time_t now = time(NULL), created, seen, expires;
	long idle = web_session_idle(req), max = web_session_max(req);
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
	*stored_seen = parse_time(s.seen, 0);
	seen = later(*stored_seen, use_last(hash));
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
	use_swap(hash, WEB_CRED_COOKIE, 0, now);
	req->csrf = khttp_keep(req, strdup(s.csrf));
	if (!req->csrf)
		return kerr_set(err, KE_NOMEM, "out of memory");
	req->auth = KHTTP_AUTH_SESSION;
	c->auth = KHTTP_AUTH_SESSION;
	/* a page carries the session's CSRF token: its cache entry is the session's own */
	snprintf(c->ckey, sizeof(c->ckey), "s%.32s", hash);
	c->until = expires < created + max ? expires : created + max;
	c->idle = idle;
	return 0;
}

/*
 * What this worker thread found its credentials to be, while its database
 * connection has seen no commit since (kstore_changes): so a page the
 * response cache does not have costs no database read to find who is
 * asking.  Each request gets copies (the I/O thread may still use them
 * after the worker went on to another request).
 */
#define KNOWN_N 64

struct known {
	char hash[KHASH_LEN + 1];  /* "" when free */
	struct web_cred c;
	struct kreader_hold hold;  /* when c.auth is not KHTTP_AUTH_NONE */
	char *user_name;
	char csrf[KSECRET_LEN + 1];
	time_t seen;               /* a session's seen as stored */
	unsigned long long used;
};

static _Thread_local struct {
	const struct kstore *st;   /* the connection stamp is of */
	unsigned long long stamp, tick;
	int stamped;
	struct known k[KNOWN_N];
} known;

static void known_drop(struct known *k)
{
	kreader_hold_free(&k->hold);
	free(k->user_name);
	memset(k, 0, sizeof(*k));
}

void web_session_thread_end(void)
{
	for (int i = 0; i < KNOWN_N; i++)
		known_drop(&known.k[i]);
	known.stamped = 0;
}

/* A copy of h into d (zeroed): 0, or -1 out of memory (d then empty). */
static int hold_copy(struct kreader_hold *d, const struct kreader_hold *h)
{
	memset(d, 0, sizeof(*d));
	d->r = h->r;
	d->r.login = d->login = h->r.login ? strdup(h->r.login) : NULL;
	d->r.org = d->org = h->r.org ? strdup(h->r.org) : NULL;
	if ((h->r.login && !d->login) || (h->r.org && !d->org))
		goto nomem;
	for (size_t i = 0; i < h->r.nsectors && i < KREADER_MAX_SECTORS; i++)
		if (!(d->r.sectors[i] = d->sectors[i] = strdup(h->r.sectors[i])))
			goto nomem;
	return 0;
nomem:
	kreader_hold_free(d);
	return -1;
}

/* Is what this thread knows current?  Brings it up to st's changes. */
static int known_current(const struct kstore *st)
{
	unsigned long long n;

	if (kstore_changes((struct kstore *)st, &n, NULL) < 0) {
		web_session_thread_end();
		return 0;
	}
	if (!known.stamped || known.st != st || known.stamp != n) {
		web_session_thread_end();
		known.st = st;
		known.stamp = n;
		known.stamped = 1;
	}
	return 1;
}

/* Apply what is known of hash to req: 1 if it was, 0 if it must be looked up. */
static int known_apply(struct khttp_req *req, const char *hash, enum web_cred_kind kind, struct web_cred *c)
{
	struct known *k = NULL;
	struct kreader_hold *h;
	time_t now = time(NULL);

	if (!hash[0] || !known_current(req->st))
		return 0;
	for (int i = 0; i < KNOWN_N && !k; i++)
		if (known.k[i].hash[0] && !strcmp(known.k[i].hash, hash))
			k = &known.k[i];
	if (!k || now >= k->c.until ||
	    (k->c.auth == KHTTP_AUTH_SESSION && now - later(k->seen, use_last(hash)) >= k->c.idle))
		return 0; /* unknown, expired or idle too long: the store says (and ends it) */
	if (kind == WEB_CRED_COOKIE && !(req->session_hash = khttp_keep(req, strdup(hash))))
		return 0;
	k->used = ++known.tick;
	*c = k->c;
	if (k->c.auth == KHTTP_AUTH_NONE)
		return 1; /* a cookie that names no one */
	if (!(h = malloc(sizeof(*h))))
		return 0;
	if (hold_copy(h, &k->hold) < 0) {
		free(h);
		return 0;
	}
	req->hold = h;
	req->reader = &h->r;
	req->user_name = khttp_keep(req, strdup(k->user_name));
	if (k->c.auth == KHTTP_AUTH_SESSION)
		req->csrf = khttp_keep(req, strdup(k->csrf));
	if (!req->user_name || (k->c.auth == KHTTP_AUTH_SESSION && !req->csrf)) {
		web_session_release(req);
		req->reader = &kreader_anonymous;
		req->csrf = NULL;
		return 0;
	}
	req->auth = k->c.auth;
	use_swap(hash, kind, k->c.token_id, now);
	return 1;
}

/* Remember what req's credential of hash was found to be (after a lookup). */
static void known_put(const struct khttp_req *req, const char *hash, const struct web_cred *c, time_t seen)
{
	struct known *k = &known.k[0];

	if (!hash[0] || !known.stamped || known.st != req->st)
		return;
	for (int i = 0; i < KNOWN_N; i++) {
		if (!known.k[i].hash[0] || !strcmp(known.k[i].hash, hash)) {
			k = &known.k[i];
			break;
		}
		if (known.k[i].used < k->used)
			k = &known.k[i];
	}
	known_drop(k);
	if (c->auth != KHTTP_AUTH_NONE) {
		const struct kreader_hold *h = req->hold;

		if (!h || hold_copy(&k->hold, h) < 0 || !(k->user_name = strdup(req->user_name ? req->user_name : ""))) {
			known_drop(k);
			return;
		}
		if (req->csrf)
			snprintf(k->csrf, sizeof(k->csrf), "%s", req->csrf);
	}
	snprintf(k->hash, sizeof(k->hash), "%s", hash);
	k->c = *c;
	k->seen = seen;
	k->used = ++known.tick;
}

int web_session_resolve(struct khttp_req *req, struct web_cred *c, struct kerr *err)
{
	char hash[KHASH_LEN + 1];
	enum web_cred_kind kind = web_session_credential(req, hash);
	time_t seen = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->ckey, sizeof(c->ckey), "anon");
	c->until = time(NULL) + NOBODY_FOR;
	write_uses_now_and_then(req, time(NULL));
	req->reader = &kreader_anonymous;
	req->auth = KHTTP_AUTH_NONE;
	{
		const char *cookie = khttp_cookie(req, WEB_SESSION_COOKIE);

		req->has_cookie = cookie && *cookie;
	}
	if (kind == WEB_CRED_NONE)
		return 0;
	if (known_apply(req, hash, kind, c))
		return 0;
	rc = kind == WEB_CRED_BEARER ? resolve_token(req, hash, c, err) : resolve_cookie(req, hash, c, &seen, err);
	if (rc == 0 && req->reader && req->reader->kind == KREADER_USER && req->reader->login)
		snprintf(c->login, sizeof(c->login), "%s", req->reader->login);
	if (rc == 0)
		known_put(req, hash, c, seen);
	return rc;
}

void web_session_cookie(const struct khttp_req *req, struct khttp_resp *resp, const char *value)
{
	snprintf(resp->set_cookie, sizeof(resp->set_cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
		 WEB_SESSION_COOKIE, value ? value : "", value ? "" : "; Max-Age=0",
		 req->secure ? "; Secure" : "");
}
