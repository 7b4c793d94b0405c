/*
 * web_account.c - signing in and out (issue 11): the sign-in page and its
 * form, throttling of failed sign-ins, sign-out, and "sign out everywhere".
 *
 * Sign-in.  The login and password of the form are checked with argon2id
 * (kpassword_verify); when there is no such user, against a dummy hash
 * (kpassword_dummy), so the answer takes as long.  Unknown login, wrong
 * password, disabled account, throttled: one message, T_SIGNIN_FAILED.  A
 * success makes a new session (a new id whatever cookie came with the
 * form: no session fixation; the session that cookie named, if any, is
 * ended) and answers 303 to ?next= (a local path) or the home page.
 *
 * Sign-in CSRF.  There is no session, so no session token to check: a page
 * of another site could post the form to sign a victim in to the
 * attacker's account.  The route is KROUTE_CSRF_ORIGIN: kroute_allowed()
 * accepts the form only if its Origin (or Referer) names this host.
 *
 * Throttling.  Failures are counted per login as typed ("user:LOGIN",
 * whether or not the account exists, so throttling says nothing about
 * that) and per client address ("addr:ADDRESS").  From THROTTLE_USER
 * failures of a login, or THROTTLE_ADDR from an address (offices share
 * addresses), each further attempt must wait THROTTLE_FIRST seconds after
 * the latest failure, twice as long for each failure more, THROTTLE_MAX at
 * most; meanwhile the form is refused, unchecked, with the same message, a
 * 429 and Retry-After.  Nobody sleeps: the worker answers at once.  A
 * success clears the login's count (not the address's: one account of
 * one's own must not reset a password-spraying run); counts older than
 * THROTTLE_FORGET seconds start again from zero.
 *
 * Every sign-in, failed sign-in (with the reason, for the admins), sign-out
 * and sign-out everywhere is in the audit log.
 */
#include "web.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_account.h"
#include "web_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define THROTTLE_USER 5      /* failures of one login before the delays start */
#define THROTTLE_ADDR 20     /* failures from one address before the delays start */
#define THROTTLE_FIRST 2     /* seconds: the first delay (whole seconds are stored, so at least 1 s) */
#define THROTTLE_MAX 900     /* seconds: the longest delay (15 minutes) */
#define THROTTLE_FORGET 3600 /* seconds after the latest failure when a count is forgotten */

/* What the sign-in form shows again. */
struct signin_form {
	const char *login;        /* as typed */
	const char *next;         /* where to go after */
	enum kmsg login_error;    /* 0 or the message next to the field */
	enum kmsg password_error;
	int failed;               /* show T_SIGNIN_FAILED */
};

/* ---- small helpers ---------------------------------------------------------- */

/* Is s a local path to send a browser to after sign-in ("/..." but not "//host")? */
static int local_path(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\' || strlen(s) > 400)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
			return 0; /* our links are percent-encoded ASCII: anything else is not ours */
	return 1;
}

static const char *next_of(const struct khttp_req *req)
{
	const char *n = khttp_param(req, "next");

	return local_path(n) ? n : NULL;
}

/* Send the browser to location with 303 See Other. */
static int redirect(struct khttp_resp *resp, const char *location)
{
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "%s", location);
	resp->kind = KRESP_HTML;
	resp->no_store = 1;
	resp->cache_control = "no-store";
	return 0;
}

/* The home page in the reader's language. */
static const char *home(struct khttp_req *req)
{
	const char *u = web_url(req, "/", NULL);

	return u ? u : "/";
}

/* The login as the store has it: ASCII letters lower-cased; NULL if it cannot be a login. */
static char *normal_login(const char *typed)
{
	struct kerr err = KERR_INIT;
	char *s;

	if (!typed || strlen(typed) > KLOGIN_MAX)
		return NULL;
	s = strdup(typed);
	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (klogin_check(s, &err) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- the page ------------------------------------------------------------------- */

static int render_signin(struct khttp_req *req, struct khttp_resp *resp, const struct signin_form *f,
			 struct kerr *err)
{
	struct html w;
	const struct kreader *r = req->reader;

	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_SIGNIN), NULL, "page-signin");
	html_printf(&w, "<section class=\"signin\">\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n",
		    T(req, T_SIGNIN), T(req, T_SIGNIN_LEAD));
	if (r && r->kind == KREADER_USER)
		html_printf(&w, "<p class=\"note\">%s: <strong>%s</strong></p>\n", T(req, T_SIGNED_IN_AS),
			    req->user_name ? req->user_name : r->login ? r->login : "");
	if (f->failed)
		html_printf(&w, "<p class=\"form-error\" role=\"alert\">%s</p>\n", T(req, T_SIGNIN_FAILED));
	html_printf(&w, "<form class=\"signin-form\" method=\"post\" action=\"%s\">\n",
		    web_url(req, "/signin", NULL));
	if (f->next)
		html_printf(&w, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", f->next);
	html_printf(&w, "<div class=\"field%R\">\n<label for=\"login\">%s</label>\n"
		    "<input id=\"login\" name=\"login\" value=\"%s\" autocomplete=\"username\" "
		    "autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"%d\" required%R>\n",
		    f->login_error ? " has-error" : "", T(req, T_LOGIN), f->login ? f->login : "",
		    KLOGIN_MAX, f->login_error ? " aria-invalid=\"true\" aria-describedby=\"login-error\"" :
		    (f->login ? "" : " autofocus"));
	if (f->login_error)
		html_printf(&w, "<p class=\"field-error\" id=\"login-error\">%s</p>\n", T(req, f->login_error));
	html_printf(&w, "</div>\n<div class=\"field%R\">\n<label for=\"password\">%s</label>\n"
		    "<input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"current-password\" "
		    "maxlength=\"%d\" required%R>\n",
		    f->password_error ? " has-error" : "", T(req, T_PASSWORD), KPASSWORD_MAX,
		    f->password_error ? " aria-invalid=\"true\" aria-describedby=\"password-error\"" :
		    (f->login && !f->login_error ? " autofocus" : ""));
	if (f->password_error)
		html_printf(&w, "<p class=\"field-error\" id=\"password-error\">%s</p>\n",
			    T(req, f->password_error));
	html_printf(&w, "</div>\n<button type=\"submit\">%s</button>\n</form>\n</section>\n",
		    T(req, T_SIGNIN));
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

int web_signin_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct signin_form f = { .next = next_of(req) };

	return render_signin(req, resp, &f, err);
}

/* ---- throttling ------------------------------------------------------------------ */

/* Seconds to wait before key may try again (0: now); *n its failures, *stale if forgotten. */
static int throttle_wait(struct kstore *st, const char *key, int limit, time_t now, long *wait, int *stale,
			 struct kerr *err)
{
	char last[KTIME_LEN + 1];
	time_t t = 0;
	long delay;
	int n = 0, rc;

	*wait = 0;
	*stale = 0;
	if ((rc = kstore_signin_failures(st, key, &n, last, err)) < 0)
		return rc;
	if (n <= 0 || !last[0] || ktime_parse(last, &t) < 0)
		return 0;
	if (now - t >= THROTTLE_FORGET) {
		*stale = 1;
		return 0;
	}
	if (n < limit)
		return 0;
	delay = n - limit >= 10 ? THROTTLE_MAX : (long)THROTTLE_FIRST << (n - limit);
	if (delay > THROTTLE_MAX)
		delay = THROTTLE_MAX;
	if (t + delay > now)
		*wait = (long)(t + delay - now);
	return 0;
}

/* Audit a sign-in event; a failure to is logged (the answer is the same). */
static void audit(struct kstore *rw, const char *action, const char *login, const char *detail)
{
	struct kaudit a = { 0 };
	struct kerr e = KERR_INIT;
	char object[KLOGIN_MAX + 8];

	snprintf(object, sizeof(object), "user:%s", login ? login : "?");
	a.action = (char *)action;
	a.object = object;
	a.detail = (char *)(detail ? detail : "");
	if (kstore_audit_add(rw, &a, &e) < 0)
		fprintf(stderr, "kyokun: serve: audit %s: %s\n", action, e.msg);
}

/* Count a failed sign-in for both keys and audit it, in one transaction. */
static int record_failure(struct kstore *rw, const char *ukey, int ustale, const char *akey, int astale,
			  const char *login, const char *why, struct kerr *err)
{
	char now[KTIME_LEN + 1];
	int rc;

	ktime_now(now);
	if ((rc = kstore_begin(rw, err)) < 0)
		return rc;
	if ((ustale && (rc = kstore_signin_clear(rw, ukey, err)) < 0) ||
	    (astale && (rc = kstore_signin_clear(rw, akey, err)) < 0) ||
	    (rc = kstore_signin_failed(rw, ukey, now, err)) < 0 ||
	    (rc = kstore_signin_failed(rw, akey, now, err)) < 0) {
		kstore_rollback(rw);
		return rc;
	}
	audit(rw, "signin.failure", login, why);
	return kstore_commit(rw, err);
}

/* ---- sign-in ---------------------------------------------------------------------- */

/* The new session for u: its cookie value into id; the old one (hash, may be NULL) ended. */
static int start_session(struct khttp_req *req, struct kstore *rw, const struct kuser *u, const char *ukey,
			 char id[KSECRET_LEN + 1], struct kerr *err)
{
	struct ksession s;
	time_t now = time(NULL);
	char purge_idle[KTIME_LEN + 1];
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = ksecret_new(id, err)) < 0 || (rc = ksecret_new(s.csrf, err)) < 0)
		return rc;
	if (ksecret_hash(id, s.hash) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	s.user_id = u->id;
	ktime_iso(now, s.created);
	ktime_iso(now, s.seen);
	ktime_iso(now + web_session_max(req), s.expires);
	snprintf(s.address, sizeof(s.address), "%s", req->address ? req->address : "");
	ktime_iso(now - web_session_idle(req), purge_idle);
	if ((rc = kstore_set_actor(rw, u->id, u->login, req->address ? req->address : "")) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = kstore_begin(rw, err)) < 0)
		return rc;
	/* the session the browser had (anyone's) ends: a new id at every sign-in */
	if ((req->session_hash && (rc = kstore_session_delete(rw, req->session_hash, err)) < 0) ||
	    (rc = kstore_session_add(rw, &s, err)) < 0 ||
	    (rc = kstore_signin_clear(rw, ukey, err)) < 0 ||
	    (rc = kstore_session_purge(rw, s.created, purge_idle, NULL, err)) < 0) {
		kstore_rollback(rw);
		return rc;
	}
	audit(rw, "signin", u->login, "");
	return kstore_commit(rw, err);
}

int web_signin(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct signin_form f = { 0 };
	struct kuser u = { 0 };
	struct kstore *rw;
	const char *password = khttp_form(req, "password");
	char *login = NULL, ukey[KLOGIN_MAX + 8], akey[80], id[KSECRET_LEN + 1];
	long uwait, await;
	int ustale, astale, found = 0, ok, rc;
	time_t now = time(NULL);
	const char *why;

	f.login = khttp_form(req, "login");
	f.next = khttp_form(req, "next");
	if (!local_path(f.next))
		f.next = NULL;
	/* the fields: said next to each */
	if (!f.login || !*f.login)
		f.login_error = T_ENTER_LOGIN;
	else if (strlen(f.login) > KLOGIN_MAX)
		f.login_error = T_LOGIN_TOO_LONG;
	if (!password || !*password)
		f.password_error = T_ENTER_PASSWORD;
	else if (strlen(password) > KPASSWORD_MAX)
		f.password_error = T_PASSWORD_TOO_LONG;
	if (f.login_error || f.password_error) {
		resp->status = 400;
		return render_signin(req, resp, &f, err);
	}

	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	login = normal_login(f.login); /* NULL: cannot be anyone's login */
	snprintf(ukey, sizeof(ukey), "user:%s", login ? login : "?");
	snprintf(akey, sizeof(akey), "addr:%s", req->address ? req->address : "-");
	if ((rc = throttle_wait(rw, ukey, THROTTLE_USER, now, &uwait, &ustale, err)) < 0 ||
	    (rc = throttle_wait(rw, akey, THROTTLE_ADDR, now, &await, &astale, err)) < 0)
		goto out;
	if (uwait || await) {
		/* refused unchecked, as for anyone: nothing here depends on the account */
		audit(rw, "signin.failure", login, "throttled");
		khttp_note_signin(req, 0);
		resp->retry_after = (unsigned)(uwait > await ? uwait : await);
		resp->status = 429;
		f.failed = 1;
		rc = render_signin(req, resp, &f, err);
		goto out;
	}
	if (login) {
		rc = kstore_user_get(req->st, login, &u, err);
		if (rc == 0)
			found = 1;
		else if (rc != KE_NOTFOUND)
			goto out;
		kerr_clear(err);
	}
	/* as long with no such user (or no password) as with one */
	ok = kpassword_verify(found && u.password ? u.password : kpassword_dummy(), password);
	why = !found ? "no such user" : !u.password ? "no password set" : !ok ? "wrong password" :
		u.disabled ? "account disabled" : NULL;
	if (why) {
		khttp_note_signin(req, 0);
		if ((rc = record_failure(rw, ukey, ustale, akey, astale, login, why, err)) < 0)
			goto out;
		resp->status = 401;
		f.failed = 1;
		rc = render_signin(req, resp, &f, err);
		goto out;
	}
	if ((rc = start_session(req, rw, &u, ukey, id, err)) < 0)
		goto out;
	web_session_cookie(req, resp, id);
	khttp_note_signin(req, 1);
	rc = redirect(resp, f.next ? f.next : home(req));
out:
	kuser_free(&u);
	free(login);
	memset(id, 0, sizeof(id));
	return rc;
}

/* ---- sign-out ---------------------------------------------------------------------- */

int web_signout(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kstore *rw;
	int rc;

	if (req->auth == KHTTP_AUTH_SESSION && req->session_hash) {
		if (!(rw = khttp_writer(req, err)))
			return err->code ? err->code : KE_DB;
		if ((rc = kstore_begin(rw, err)) < 0)
			return rc;
		if ((rc = kstore_session_delete(rw, req->session_hash, err)) < 0) {
			kstore_rollback(rw);
			return rc;
		}
		audit(rw, "signout", req->reader->login, "");
		if ((rc = kstore_commit(rw, err)) < 0)
			return rc;
	}
	if (req->has_cookie)
		web_session_cookie(req, resp, NULL);
	return redirect(resp, home(req));
}

int web_signout_all_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct html w;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_SIGNOUT_ALL), NULL, "page-signout-all");
	html_printf(&w, "<section class=\"signin\">\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n"
		    "<form method=\"post\" action=\"%s\">\n", T(req, T_SIGNOUT_ALL),
		    T(req, T_SIGNOUT_ALL_LEAD), web_url(req, "/signout-all", NULL));
	if (req->csrf)
		html_printf(&w, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", req->csrf);
	html_printf(&w, "<button type=\"submit\">%s</button>\n</form>\n</section>\n", T(req, T_SIGNOUT_ALL));
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

int web_signout_all(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kstore *rw;
	int rc;

	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = kstore_begin(rw, err)) < 0)
		return rc;
	if ((rc = kstore_session_delete_user(rw, req->reader->user_id, err)) < 0) {
		kstore_rollback(rw);
		return rc;
	}
	audit(rw, "signout.all", req->reader->login, "");
	if ((rc = kstore_commit(rw, err)) < 0)
		return rc;
	if (req->has_cookie)
		web_session_cookie(req, resp, NULL);
	return redirect(resp, home(req));
}
