/*
 * store_account.h - accounts in the store (the neutral API; the SQLite
 * backend's SQL is store_sqlite_account.c): organisations, users, sign-in
 * sessions, API tokens, failed sign-ins for throttling, and the audit log.
 * The values are those of account.h.
 *
 * Writes: each runs in a transaction (its own, or the caller's from
 * kstore_begin(): then it is part of that, all or nothing).  A write that
 * fails writes nothing.  Values are checked here too (korg_check,
 * kuser_check ...): KE_INVALID with the field named.
 *
 * The audit log: every write the store makes to cases (kstore_put,
 * kstore_delete), organisations, users and tokens appends an audit row
 * (account.h lists the actions) in the same transaction, naming the actor
 * set with kstore_set_actor().  Sessions, failed sign-ins and the time a
 * token was last used are bookkeeping, not audited by the store: the web
 * records sign-in, its failure and sign-out itself with kstore_audit_add().
 * The audit table refuses UPDATE and DELETE (triggers).
 *
 * Times given and returned are UTC ISO 8601 text (ktime_iso()); "now"
 * parameters may be NULL for the current time.
 */
#ifndef KYOKUN_STORE_ACCOUNT_H
#define KYOKUN_STORE_ACCOUNT_H

#include <stddef.h>

#include "account.h"

struct kstore;
struct kerr;

/*
 * Who is writing, for the audit rows of every later write on st: the
 * actor's user id (0: not a user), its name (a login, or "local:OSUSER" at
 * the command line) and address (the client's, or "cli").  The store keeps
 * copies.  Until set, or after kstore_set_actor(st, 0, NULL, NULL), the
 * actor is "unknown" with address "".  A web worker sets it for each
 * request (and resets it after).  0 or KE_NOMEM.
 */
int kstore_set_actor(struct kstore *st, long long user_id, const char *actor, const char *address);

/* ---- organisations ------------------------------------------------------ */

/*
 * Store o (korg_check()ed) with its sectors; o->id and o->created are set.
 * KE_EXISTS if an organisation of that name exists.  Audited: org.add.
 */
int kstore_org_add(struct kstore *st, struct korg *o, struct kerr *err);
/* The organisation named name (exactly), or of id id, into o (korg_free()d first).  KE_NOTFOUND. */
int kstore_org_get(struct kstore *st, const char *name, struct korg *o, struct kerr *err);
int kstore_org_get_id(struct kstore *st, long long id, struct korg *o, struct kerr *err);

typedef int (*kstore_org_cb)(void *ctx, const struct korg *o);
/* Every organisation, by name.  A non-zero return from cb stops and is returned. */
int kstore_org_list(struct kstore *st, kstore_org_cb cb, void *ctx, struct kerr *err);

/* ---- users -------------------------------------------------------------- */

/*
 * Store u: login, display_name, email, org_id (0: none; u->org is
 * ignored), role, disabled, password (an encoded hash from kpassword_hash,
 * or NULL).  Checked with kuser_check() against the organisation (which
 * must exist: KE_NOTFOUND).  u->id, created and updated are set.
 * KE_EXISTS if the login is taken.  Audited: user.add.
 */
int kstore_user_add(struct kstore *st, struct kuser *u, struct kerr *err);

/* The user of that login, or of that id, into u (kuser_free()d first), org filled.  KE_NOTFOUND. */
int kstore_user_get(struct kstore *st, const char *login, struct kuser *u, struct kerr *err);
int kstore_user_get_id(struct kstore *st, long long id, struct kuser *u, struct kerr *err);

typedef int (*kstore_user_cb)(void *ctx, const struct kuser *u);
/* Every user, by login (password left NULL).  A non-zero return from cb stops and is returned. */
int kstore_user_list(struct kstore *st, kstore_user_cb cb, void *ctx, struct kerr *err);

/* The fields kstore_user_update() writes. */
enum {
	KUSER_PASSWORD = 1 << 0,     /* password (an encoded hash, or NULL) */
	KUSER_ROLE = 1 << 1,
	KUSER_DISABLED = 1 << 2,
	KUSER_DISPLAY_NAME = 1 << 3,
	KUSER_EMAIL = 1 << 4,
	KUSER_ORG = 1 << 5,          /* org_id */
};

/*
 * Write the fields of u named in fields to the user of id u->id (the
 * others are left as stored; the result is checked with kuser_check()),
 * and set its updated time.  KE_NOTFOUND if no such user.  Audited, one
 * row per field that changed: user.password, user.role ("OLD -> NEW"),
 * user.disable / user.enable, user.update (display name, email,
 * organisation).  Disabling a user also deletes its sessions.  A field
 * written with the value it has is no change (and no audit row).
 */
int kstore_user_update(struct kstore *st, const struct kuser *u, unsigned fields, struct kerr *err);

/*
 * The reader u is (kuser_reader()), with its organisation read from the
 * store.  KE_DENIED if u is disabled.
 */
int kstore_reader_of_user(struct kstore *st, const struct kuser *u, struct kreader_hold *h, struct kerr *err);

/* ---- sessions ----------------------------------------------------------- */

/* A signed-in browser.  The session id itself is never stored: hash is ksecret_hash(id). */
struct ksession {
	char hash[KHASH_LEN + 1];
	long long user_id;
	char csrf[KSECRET_LEN + 1];  /* the session's CSRF token */
	char created[KTIME_LEN + 1];
	char seen[KTIME_LEN + 1];    /* last request (kstore_session_touch) */
	char expires[KTIME_LEN + 1]; /* absolute expiry */
	char address[64];            /* the client's address at sign-in */
};

/* Store s (KE_EXISTS if its hash is there already).  Not audited (the web writes "signin"). */
int kstore_session_add(struct kstore *st, const struct ksession *s, struct kerr *err);
/*
 * The session of that hash into s.  KE_NOTFOUND when absent, past its
 * expires, or its user is disabled.  Idle expiry (seen too long ago) is the
 * caller's to check: it knows its idle limit.
 */
int kstore_session_get(struct kstore *st, const char *hash, struct ksession *s, struct kerr *err);
/*
 * Set its seen time (a write: call it when seen is older than a minute or
 * so, not on every request).  KE_NOTFOUND if absent.
 */
int kstore_session_touch(struct kstore *st, const char *hash, const char *seen, struct kerr *err);
/* Delete one session (sign-out; absent is not an error), or every session of a user. */
int kstore_session_delete(struct kstore *st, const char *hash, struct kerr *err);
int kstore_session_delete_user(struct kstore *st, long long user_id, struct kerr *err);
/*
 * Delete the sessions past their expires at now, and, if idle_before is
 * not NULL, those last seen before it.  *n (may be NULL) gets how many.
 */
int kstore_session_purge(struct kstore *st, const char *now, const char *idle_before, long *n,
			 struct kerr *err);

/* ---- API tokens --------------------------------------------------------- */

/*
 * Store a token of user t->user_id: hash is ksecret_hash() of the token,
 * t->name (NULL: ""), t->prefix, t->expires (NULL: never) are written;
 * t->id and t->created are set.  The user must exist (KE_NOTFOUND).
 * Audited: token.create.
 */
int kstore_token_add(struct kstore *st, struct ktoken *t, const char *hash, struct kerr *err);
/*
 * The usable token of that hash into t (ktoken_free()d first): KE_NOTFOUND
 * if there is none, or it is revoked, or expired (expires <= now), or its
 * user is disabled.  The caller then reads the user (kstore_user_get_id).
 */
int kstore_token_find(struct kstore *st, const char *hash, struct ktoken *t, struct kerr *err);

typedef int (*kstore_token_cb)(void *ctx, const struct ktoken *t);
/* The tokens of a user (user_id 0: everyone's), revoked and expired ones too, oldest first. */
int kstore_token_list(struct kstore *st, long long user_id, kstore_token_cb cb, void *ctx, struct kerr *err);
/*
 * Revoke token id (if user_id is not 0, only if it is that user's).
 * KE_NOTFOUND if there is no such token (of that user) or it is revoked
 * already.  Audited: token.revoke.
 */
int kstore_token_revoke(struct kstore *st, long long id, long long user_id, struct kerr *err);
/* Record a use (a write: as for kstore_session_touch, not on every request).  Not audited. */
int kstore_token_used(struct kstore *st, long long id, const char *when, struct kerr *err);

/* ---- failed sign-ins ---------------------------------------------------- */

/*
 * Throttling keys are "user:LOGIN" and "addr:ADDRESS" (whether or not the
 * login exists).  *n gets the failures counted for key and last the time
 * of the latest (0 and "" when none).
 */
int kstore_signin_failures(struct kstore *st, const char *key, int *n, char last[KTIME_LEN + 1],
			   struct kerr *err);
/* Count one more failure for key at now. */
int kstore_signin_failed(struct kstore *st, const char *key, const char *now, struct kerr *err);
/* Forget key's failures (after a successful sign-in). */
int kstore_signin_clear(struct kstore *st, const char *key, struct kerr *err);

/* ---- the audit log ------------------------------------------------------ */

/*
 * Append a (e.g. a sign-in): a->at NULL for now, a->actor NULL for the
 * actor set with kstore_set_actor() (then its user id and address too);
 * a->action is required.  a->id is not read.
 */
int kstore_audit_add(struct kstore *st, const struct kaudit *a, struct kerr *err);

/* Which entries kstore_audit_list() gives. */
struct kaudit_query {
	const char *since;    /* at >= since, or NULL */
	const char *until;    /* at < until, or NULL */
	const char *actor;    /* exactly this actor, or NULL */
	long limit;           /* 0: no limit */
	int newest_first;     /* order: oldest first unless set */
};

typedef int (*kstore_audit_cb)(void *ctx, const struct kaudit *a);
/* The entries q selects.  A non-zero return from cb stops and is returned. */
int kstore_audit_list(struct kstore *st, const struct kaudit_query *q, kstore_audit_cb cb, void *ctx,
		      struct kerr *err);

#endif
