/*
 * store_sqlite_account.c - the SQLite backend's accounts (store_account.h):
 * organisations, users, sessions, API tokens, failed sign-ins and the
 * audit log, in the tables of migration 6 (store_sqlite.c).  Bound
 * parameters only; SQL a PostgreSQL backend could follow (ON CONFLICT,
 * no INSERT OR IGNORE).
 *
 * Every write is a transaction: its own, or, inside the caller's
 * (kstore_begin), a savepoint, so that a write that fails leaves nothing
 * behind either way.  The audit row of a write is written in it.
 */
#include "store_account.h"
#include "store_sqlite.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements prepared on first use and kept. */
enum {
	A_AUDIT,
	A_ORG_ADD,
	A_ORG_SECTOR,
	A_ORG_NAME,
	A_ORG_ID,
	A_ORG_SECTORS,
	A_ORG_LIST,
	A_USER_ADD,
	A_USER_LOGIN,
	A_USER_ID,
	A_USER_LIST,
	A_USER_UPDATE,
	A_SES_ADD,
	A_SES_GET,
	A_SES_TOUCH,
	A_SES_DEL,
	A_SES_DEL_USER,
	A_SES_PURGE,
	A_TOK_ADD,
	A_TOK_FIND,
	A_TOK_LIST,
	A_TOK_GET,
	A_TOK_REVOKE,
	A_TOK_USED,
	A_FAIL_GET,
	A_FAIL_ADD,
	A_FAIL_CLEAR,
	A__N
};

#define USER_COLS "u.id, u.login, u.display_name, u.email, u.org_id, o.name, u.role, u.disabled, u.password," \
		  " u.created, u.updated"
#define USER_FROM " FROM users u LEFT JOIN orgs o ON o.id = u.org_id"
#define TOKEN_COLS "t.id, t.user_id, u.login, t.name, t.prefix, t.created, t.expires, t.used, t.revoked"
#define SES_COLS "s.hash, s.user_id, s.csrf, s.created, s.seen, s.expires, s.address"

static const char *const asql[A__N] = {
	[A_AUDIT] = "INSERT INTO audit(at, user_id, actor, address, action, object, detail)"
		    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[A_ORG_ADD] = "INSERT INTO orgs(name, kind, created) VALUES(?1, ?2, ?3)",
	[A_ORG_SECTOR] = "INSERT INTO org_sectors(org_id, sector) VALUES(?1, ?2)",
	[A_ORG_NAME] = "SELECT id, name, kind, created FROM orgs WHERE name = ?1",
	[A_ORG_ID] = "SELECT id, name, kind, created FROM orgs WHERE id = ?1",
	[A_ORG_SECTORS] = "SELECT sector FROM org_sectors WHERE org_id = ?1",
	[A_ORG_LIST] = "SELECT id, name, kind, created FROM orgs ORDER BY name",
	[A_USER_ADD] = "INSERT INTO users(login, display_name, email, org_id, role, password, disabled,"
		       " created, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
	[A_USER_LOGIN] = "SELECT " USER_COLS USER_FROM " WHERE u.login = ?1",
	[A_USER_ID] = "SELECT " USER_COLS USER_FROM " WHERE u.id = ?1",
	[A_USER_LIST] = "SELECT " USER_COLS USER_FROM " ORDER BY u.login",
	[A_USER_UPDATE] = "UPDATE users SET display_name = ?2, email = ?3, org_id = ?4, role = ?5,"
			  " password = ?6, disabled = ?7, updated = ?8 WHERE id = ?1",
	[A_SES_ADD] = "INSERT INTO sessions(hash, user_id, csrf, created, seen, expires, address)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[A_SES_GET] = "SELECT " SES_COLS " FROM sessions s JOIN users u ON u.id = s.user_id"
		      " WHERE s.hash = ?1 AND s.expires > ?2 AND u.disabled = 0",
	[A_SES_TOUCH] = "UPDATE sessions SET seen = ?2 WHERE hash = ?1",
	[A_SES_DEL] = "DELETE FROM sessions WHERE hash = ?1",
	[A_SES_DEL_USER] = "DELETE FROM sessions WHERE user_id = ?1",
	[A_SES_PURGE] = "DELETE FROM sessions WHERE expires <= ?1 OR seen < ?2",
	[A_TOK_ADD] = "INSERT INTO tokens(user_id, name, hash, prefix, created, expires)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[A_TOK_FIND] = "SELECT " TOKEN_COLS " FROM tokens t JOIN users u ON u.id = t.user_id"
		       " WHERE t.hash = ?1 AND t.revoked IS NULL AND (t.expires IS NULL OR t.expires > ?2)"
		       " AND u.disabled = 0",
	[A_TOK_LIST] = "SELECT " TOKEN_COLS " FROM tokens t JOIN users u ON u.id = t.user_id"
		       " WHERE ?1 = 0 OR t.user_id = ?1 ORDER BY t.id",
	[A_TOK_GET] = "SELECT " TOKEN_COLS " FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1",
	[A_TOK_REVOKE] = "UPDATE tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
	[A_TOK_USED] = "UPDATE tokens SET used = ?2 WHERE id = ?1",
	[A_FAIL_GET] = "SELECT failures, last FROM signin_failures WHERE key = ?1",
	[A_FAIL_ADD] = "INSERT INTO signin_failures(key, failures, last) VALUES(?1, 1, ?2)"
		       " ON CONFLICT(key) DO UPDATE SET failures = signin_failures.failures + 1,"
		       " last = excluded.last",
	[A_FAIL_CLEAR] = "DELETE FROM signin_failures WHERE key = ?1",
};

/* Longest text the audit log takes in one field (bytes); longer is cut at a character. */
#define AUDIT_FIELD_MAX 4096

struct ksqlite_acct {
	long long actor_id;
	char *actor, *address;
	sqlite3_stmt *stmt[A__N];
};

void ksqlite_acct_free(struct kstore_sqlite *st)
{
	struct ksqlite_acct *a = st->acct;

	if (!a)
		return;
	for (int i = 0; i < A__N; i++)
		sqlite3_finalize(a->stmt[i]);
	free(a->actor);
	free(a->address);
	free(a);
	st->acct = NULL;
}

static struct ksqlite_acct *acct(struct kstore_sqlite *st)
{
	if (!st->acct)
		st->acct = calloc(1, sizeof(*st->acct));
	return st->acct;
}

/* The kept statement i (reset, bindings cleared), or NULL with err set. */
static sqlite3_stmt *stmt(struct kstore_sqlite *st, int i, struct kerr *err)
{
	struct ksqlite_acct *a = acct(st);

	if (!a) {
		kerr_set(err, KE_NOMEM, "out of memory");
		return NULL;
	}
	if (!a->stmt[i] && sqlite3_prepare_v3(st->db, asql[i], -1, SQLITE_PREPARE_PERSISTENT, &a->stmt[i],
					      NULL) != SQLITE_OK) {
		ksqlite_db_err(st, err, "accounts");
		return NULL;
	}
	sqlite3_reset(a->stmt[i]);
	sqlite3_clear_bindings(a->stmt[i]);
	return a->stmt[i];
}

/* Start a write: a transaction of its own, or a savepoint in the caller's (store_sqlite.c). */
static int wbegin(struct kstore_sqlite *st, int *own, struct kerr *err)
{
	return ksqlite_wbegin(st, own, err);
}

/* End it: committed if rc is 0, else undone.  Returns rc (or the commit's failure). */
static int wend(struct kstore_sqlite *st, int own, int rc, struct kerr *err)
{
	return ksqlite_wend(st, own, rc, err);
}

/* Step a write statement to its end; its failure as KE_DB naming what. */
static int done(struct kstore_sqlite *st, sqlite3_stmt *s, struct kerr *err, const char *what)
{
	return ksqlite_step_done(st, s, err, what);
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* Copy column i into a fixed buffer of n bytes (cut if longer). */
static void copy_col(sqlite3_stmt *s, int i, char *buf, size_t n)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	snprintf(buf, n, "%s", t ? t : "");
}

static void bind_or_null(sqlite3_stmt *s, int i, const char *v)
{
	ksqlite_bind_text(s, i, v);
}

static void bind_or_empty(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static int nomem(struct kerr *err)
{
	return kerr_set(err, KE_NOMEM, "out of memory");
}

/* ---- the actor and the audit log --------------------------------------- */

static int ksqlite_set_actor(struct kstore *kst, long long user_id, const char *actor, const char *address)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct ksqlite_acct *a = acct(st);
	char *na = NULL, *nd = NULL;

	if (!a)
		return KE_NOMEM;
	if ((actor && !(na = strdup(actor))) || (address && !(nd = strdup(address)))) {
		free(na);
		return KE_NOMEM;
	}
	free(a->actor);
	free(a->address);
	a->actor = na;
	a->address = nd;
	a->actor_id = actor ? user_id : 0;
	return 0;
}

const char *ksqlite_actor(struct kstore_sqlite *st)
{
	return st->acct ? st->acct->actor : NULL;
}

/* Bind text v at i, cut to AUDIT_FIELD_MAX bytes at a character boundary. */
static void bind_capped(sqlite3_stmt *s, int i, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n > AUDIT_FIELD_MAX)
		n = (size_t)kutf8_cut(v, AUDIT_FIELD_MAX);
	sqlite3_bind_text(s, i, v ? v : "", (int)n, SQLITE_TRANSIENT);
}

static int audit_row(struct kstore_sqlite *st, const char *at, long long user_id, const char *actor,
		     const char *address, const char *action, const char *object, const char *detail,
		     struct kerr *err)
{
	sqlite3_stmt *s = stmt(st, A_AUDIT, err);
	char now[KTIME_LEN + 1];

	if (!s)
		return KE_DB;
	if (!at) {
		ktime_now(now);
		at = now;
	}
	sqlite3_bind_text(s, 1, at, -1, SQLITE_TRANSIENT);
	if (user_id)
		sqlite3_bind_int64(s, 2, user_id);
	else
		sqlite3_bind_null(s, 2);
	bind_capped(s, 3, actor);
	bind_capped(s, 4, address);
	bind_capped(s, 5, action);
	bind_capped(s, 6, object);
	bind_capped(s, 7, detail);
	return done(st, s, err, "writing the audit log");
}

int ksqlite_audit(struct kstore_sqlite *st, const char *action, const char *kind, const char *name,
		  const char *detail, struct kerr *err)
{
	struct ksqlite_acct *a = acct(st);
	struct kbuf obj = KBUF_INIT;
	int rc;

	if (!a)
		return nomem(err);
	if (kind && kbuf_addf(&obj, "%s:%s", kind, name ? name : "") < 0)
		return nomem(err);
	rc = audit_row(st, NULL, a->actor_id, a->actor ? a->actor : "unknown", a->address ? a->address : "",
		       action, kind ? kbuf_str(&obj) : "", detail, err);
	kbuf_release(&obj);
	return rc;
}

/* Is s (may be NULL) text the audit log can hold? */
static int audit_text(const char *s, const char *what, struct kerr *err)
{
	if (s && !kutf8_valid(s, strlen(s)))
		return kerr_set(err, KE_INVALID, "audit %s is not valid UTF-8", what);
	return 0;
}

static int ksqlite_audit_add(struct kstore *kst, const struct kaudit *in, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct ksqlite_acct *a = acct(st);
	time_t t;
	int rc, own;

	if (!a)
		return nomem(err);
	if (!in->action || !*in->action)
		return kerr_set(err, KE_INVALID, "an audit entry needs an action");
	if (in->at && ktime_parse(in->at, &t))
		return kerr_set(err, KE_INVALID, "audit time \"%.*s\" is not an ISO 8601 UTC time",
				kutf8_cut(in->at, 40), in->at);
	if ((rc = audit_text(in->actor, "actor", err)) || (rc = audit_text(in->address, "address", err)) ||
	    (rc = audit_text(in->action, "action", err)) || (rc = audit_text(in->object, "object", err)) ||
	    (rc = audit_text(in->detail, "detail", err)))
		return rc;
	if ((rc = wbegin(st, &own, err)))
		return rc;
	if (in->actor)
		rc = audit_row(st, in->at, in->user_id, in->actor, in->address, in->action, in->object,
			       in->detail, err);
	else
		rc = audit_row(st, in->at, a->actor_id, a->actor ? a->actor : "unknown",
			       a->address ? a->address : "", in->action, in->object, in->detail, err);
	return wend(st, own, rc, err);
}

static int ksqlite_audit_list(struct kstore *kst, const struct kaudit_query *q,
			      int (*cb)(void *ctx, const struct kaudit *a), void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf sql = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, step, n = 0;

	rc |= kbuf_adds(&sql, "SELECT id, at, user_id, actor, address, action, object, detail FROM audit"
			" WHERE 1 = 1");
	if (q && q->since)
		rc |= kbuf_adds(&sql, " AND at >= ?1");
	if (q && q->until)
		rc |= kbuf_adds(&sql, " AND at < ?2");
	if (q && q->actor)
		rc |= kbuf_adds(&sql, " AND actor = ?3");
	rc |= kbuf_adds(&sql, q && q->newest_first ? " ORDER BY id DESC" : " ORDER BY id");
	if (q && q->limit > 0)
		rc |= kbuf_adds(&sql, " LIMIT ?4");
	if (rc) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = ksqlite_prepare(st, kbuf_str(&sql), &s, err)))
		goto out;
	if (q && q->since)
		sqlite3_bind_text(s, 1, q->since, -1, SQLITE_STATIC);
	if (q && q->until)
		sqlite3_bind_text(s, 2, q->until, -1, SQLITE_STATIC);
	if (q && q->actor)
		sqlite3_bind_text(s, 3, q->actor, -1, SQLITE_STATIC);
	if (q && q->limit > 0)
		sqlite3_bind_int64(s, 4, q->limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kaudit a = {
			.id = sqlite3_column_int64(s, 0),
			.at = (char *)sqlite3_column_text(s, 1),
			.user_id = sqlite3_column_int64(s, 2),
			.actor = (char *)sqlite3_column_text(s, 3),
			.address = (char *)sqlite3_column_text(s, 4),
			.action = (char *)sqlite3_column_text(s, 5),
			.object = (char *)sqlite3_column_text(s, 6),
			.detail = (char *)sqlite3_column_text(s, 7),
		};

		n++;
		if ((rc = cb(ctx, &a)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the audit log");
out:
	(void)n;
	sqlite3_finalize(s);
	kbuf_release(&sql);
	return rc;
}

/* ---- organisations ----------------------------------------------------- */

static int sector_rank(const char *tag)
{
	for (int i = 0; i < KSECTOR_N; i++)
		if (!strcmp(tag, ksector_tags[i]))
			return i;
	return KSECTOR_N;
}

/* Fill o from a row of id, name, kind, created, and its sectors (in the order of ksector_tags). */
static int org_fill(struct kstore_sqlite *st, sqlite3_stmt *row, struct korg *o, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc = 0, step;
	const char *kind = (const char *)sqlite3_column_text(row, 2);

	korg_free(o);
	o->id = sqlite3_column_int64(row, 0);
	o->kind = korg_kind_parse(kind) < 0 ? KORG_OTHER : (enum korg_kind)korg_kind_parse(kind);
	if (!(o->name = dup_col(row, 1)) || !(o->created = dup_col(row, 3)))
		return nomem(err);
	if (!(s = stmt(st, A_ORG_SECTORS, err)))
		return KE_DB;
	sqlite3_bind_int64(s, 1, o->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW && o->nsectors < KREADER_MAX_SECTORS) {
		if (!(o->sectors[o->nsectors] = dup_col(s, 0))) {
			rc = nomem(err);
			break;
		}
		o->nsectors++;
	}
	if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading an organisation");
	sqlite3_reset(s);
	/* a few at most: insertion sort */
	for (size_t i = 1; i < o->nsectors; i++)
		for (size_t j = i; j > 0 && sector_rank(o->sectors[j]) < sector_rank(o->sectors[j - 1]); j--) {
			char *t = o->sectors[j];

			o->sectors[j] = o->sectors[j - 1];
			o->sectors[j - 1] = t;
		}
	return rc;
}

static int org_get(struct kstore_sqlite *st, const char *name, long long id, struct korg *o,
		   struct kerr *err)
{
	sqlite3_stmt *s = stmt(st, name ? A_ORG_NAME : A_ORG_ID, err);
	int rc, step;

	korg_free(o);
	if (!s)
		return KE_DB;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = org_fill(st, s, o, err);
	else if (step == SQLITE_DONE)
		rc = name ? kerr_set(err, KE_NOTFOUND, "no organisation named \"%.*s\"", kutf8_cut(name, 200),
				     name)
			  : kerr_set(err, KE_NOTFOUND, "no organisation of id %lld", id);
	else
		rc = ksqlite_db_err(st, err, "reading an organisation");
	sqlite3_reset(s);
	return rc;
}

static int ksqlite_org_get(struct kstore *kst, const char *name, long long id, struct korg *o, struct kerr *err)
{
	return org_get(ksqlite(kst), name, id, o, err);
}

static int ksqlite_org_add(struct kstore *kst, struct korg *o, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char now[KTIME_LEN + 1];
	struct korg old = { 0 };
	sqlite3_stmt *s;
	long long id = 0;
	int rc, own;

	if ((rc = korg_check(o, err)))
		return rc;
	if ((rc = wbegin(st, &own, err)))
		return rc;
	ktime_now(now);
	rc = org_get(st, o->name, 0, &old, NULL);
	korg_free(&old);
	if (rc != KE_NOTFOUND) {
		if (!rc)
			rc = kerr_set(err, KE_EXISTS, "an organisation named \"%.*s\" exists already",
				      kutf8_cut(o->name, 200), o->name);
		else
			rc = ksqlite_db_err(st, err, "looking up the organisation");
		goto out;
	}
	rc = 0;
	if (!(s = stmt(st, A_ORG_ADD, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, korg_kind_name(o->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, "storing the organisation")))
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < o->nsectors; i++) {
		if (!(s = stmt(st, A_ORG_SECTOR, err))) {
			rc = KE_DB;
			goto out;
		}
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, o->sectors[i], -1, SQLITE_STATIC);
		if ((rc = done(st, s, err, "storing the organisation's sectors")))
			goto out;
	}
	{
		struct kbuf d = KBUF_INIT;

		rc = kbuf_addf(&d, "kind %s", korg_kind_name(o->kind));
		for (size_t i = 0; !rc && i < o->nsectors; i++)
			rc = kbuf_addf(&d, "%s%s", i ? ", " : "; sectors ", o->sectors[i]);
		rc = rc ? nomem(err) : ksqlite_audit(st, "org.add", "org", o->name, kbuf_str(&d), err);
		kbuf_release(&d);
	}
out:
	rc = wend(st, own, rc, err);
	if (!rc) {
		o->id = id;
		free(o->created);
		if (!(o->created = strdup(now)))
			rc = nomem(err);
	}
	return rc;
}

static int ksqlite_org_list(struct kstore *kst, int (*cb)(void *ctx, const struct korg *o), void *ctx,
			    struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	struct korg o = { 0 };
	int rc = 0, step;

	/* its own statement: org_fill() uses a kept one for the sectors */
	if ((rc = ksqlite_prepare(st, asql[A_ORG_LIST], &s, err)))
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = org_fill(st, s, &o, err)) || (rc = cb(ctx, &o)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "listing organisations");
out:
	korg_free(&o);
	sqlite3_finalize(s);
	return rc;
}

/* ---- users -------------------------------------------------------------- */

static int user_fill(sqlite3_stmt *s, struct kuser *u, int with_password, struct kerr *err)
{
	kuser_free(u);
	u->id = sqlite3_column_int64(s, 0);
	u->org_id = sqlite3_column_int64(s, 4);
	u->role = krole_parse((const char *)sqlite3_column_text(s, 6));
	u->disabled = sqlite3_column_int(s, 7) != 0;
	if (!(u->login = dup_col(s, 1)) || !(u->display_name = dup_col(s, 2)) || !(u->email = dup_col(s, 3)) ||
	    (sqlite3_column_type(s, 5) != SQLITE_NULL && !(u->org = dup_col(s, 5))) ||
	    (with_password && sqlite3_column_type(s, 8) != SQLITE_NULL && !(u->password = dup_col(s, 8))) ||
	    !(u->created = dup_col(s, 9)) || !(u->updated = dup_col(s, 10))) {
		kuser_free(u);
		return nomem(err);
	}
	return 0;
}

static int user_get(struct kstore_sqlite *st, const char *login, long long id, struct kuser *u,
		    struct kerr *err)
{
	sqlite3_stmt *s = stmt(st, login ? A_USER_LOGIN : A_USER_ID, err);
	int rc, step;

	kuser_free(u);
	if (!s)
		return KE_DB;
	if (login)
		sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = user_fill(s, u, 1, err);
	else if (step == SQLITE_DONE)
		rc = login ? kerr_set(err, KE_NOTFOUND, "no user with login \"%.*s\"", kutf8_cut(login, 64), login)
			   : kerr_set(err, KE_NOTFOUND, "no user of id %lld", id);
	else
		rc = ksqlite_db_err(st, err, "reading a user");
	sqlite3_reset(s);
	return rc;
}

static int ksqlite_user_get(struct kstore *kst, const char *login, long long id, struct kuser *u,
			    struct kerr *err)
{
	return user_get(ksqlite(kst), login, id, u, err);
}

static int ksqlite_user_list(struct kstore *kst, int (*cb)(void *ctx, const struct kuser *u), void *ctx,
			     struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = stmt(st, A_USER_LIST, err);
	struct kuser u = { 0 };
	int rc = 0, step;

	if (!s)
		return KE_DB;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = user_fill(s, &u, 0, err)) || (rc = cb(ctx, &u)))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "listing users");
	sqlite3_reset(s);
	kuser_free(&u);
	return rc;
}

/* A password as stored: NULL, or an argon2id encoded hash (never a password itself). */
static int password_stored_form(const char *pw, struct kerr *err)
{
	if (pw && strncmp(pw, "$argon2id$", 10))
		return kerr_set(err, KE_INVALID, "a user's password must be stored as an argon2id hash "
				"(kpassword_hash)");
	return 0;
}

/* The organisation of id org_id (0: none: *org NULL) for kuser_check(). */
static int user_org(struct kstore_sqlite *st, long long org_id, struct korg *buf, const struct korg **org,
		    struct kerr *err)
{
	int rc;

	*org = NULL;
	if (!org_id)
		return 0;
	if ((rc = org_get(st, NULL, org_id, buf, err)))
		return rc;
	*org = buf;
	return 0;
}

static int ksqlite_user_add(struct kstore *kst, struct kuser *u, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char now[KTIME_LEN + 1];
	struct korg obuf = { 0 };
	const struct korg *org;
	struct kuser old = { 0 };
	sqlite3_stmt *s;
	long long id = 0;
	int rc, own;

	if ((rc = password_stored_form(u->password, err)))
		return rc;
	if ((rc = wbegin(st, &own, err)))
		return rc;
	ktime_now(now);
	if ((rc = user_org(st, u->org_id, &obuf, &org, err)) || (rc = kuser_check(u, org, err)))
		goto out;
	rc = user_get(st, u->login, 0, &old, NULL);
	kuser_free(&old);
	if (rc != KE_NOTFOUND) {
		rc = !rc ? kerr_set(err, KE_EXISTS, "a user with login \"%s\" exists already", u->login)
			 : ksqlite_db_err(st, err, "looking up the login");
		goto out;
	}
	rc = 0;
	if (!(s = stmt(st, A_USER_ADD, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, u->login, -1, SQLITE_STATIC);
	bind_or_empty(s, 2, u->display_name);
	bind_or_empty(s, 3, u->email);
	if (u->org_id)
		sqlite3_bind_int64(s, 4, u->org_id);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_text(s, 5, krole_name(u->role), -1, SQLITE_STATIC);
	bind_or_null(s, 6, u->password);
	sqlite3_bind_int(s, 7, u->disabled != 0);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, "storing the user")))
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
	{
		struct kbuf d = KBUF_INIT;

		rc = kbuf_addf(&d, "role %s", krole_name(u->role));
		if (!rc && org)
			rc = kbuf_addf(&d, "; organisation %s", org->name);
		if (!rc && u->disabled)
			rc = kbuf_adds(&d, "; disabled");
		rc = rc ? nomem(err) : ksqlite_audit(st, "user.add", "user", u->login, kbuf_str(&d), err);
		kbuf_release(&d);
	}
out:
	korg_free(&obuf);
	rc = wend(st, own, rc, err);
	if (!rc) {
		u->id = id;
		free(u->created);
		free(u->updated);
		u->created = strdup(now);
		u->updated = strdup(now);
		free(u->org);
		u->org = NULL;
		if (!u->created || !u->updated)
			rc = nomem(err);
	}
	return rc;
}

static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int ksqlite_user_update(struct kstore *kst, const struct kuser *u, unsigned fields, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kuser cur = { 0 }, next;
	struct korg obuf = { 0 };
	const struct korg *org;
	char now[KTIME_LEN + 1];
	sqlite3_stmt *s;
	int rc, own;

	if ((fields & KUSER_PASSWORD) && (rc = password_stored_form(u->password, err)))
		return rc;
	if ((rc = wbegin(st, &own, err)))
		return rc;
	ktime_now(now);
	if ((rc = user_get(st, NULL, u->id, &cur, err)))
		goto out;
	next = cur;
	if (fields & KUSER_PASSWORD)
		next.password = u->password;
	if (fields & KUSER_ROLE)
		next.role = u->role;
	if (fields & KUSER_DISABLED)
		next.disabled = u->disabled != 0;
	if (fields & KUSER_DISPLAY_NAME)
		next.display_name = u->display_name;
	if (fields & KUSER_EMAIL)
		next.email = u->email;
	if (fields & KUSER_ORG)
		next.org_id = u->org_id;
	if ((rc = user_org(st, next.org_id, &obuf, &org, err)) || (rc = kuser_check(&next, org, err)))
		goto out;
	if (!(s = stmt(st, A_USER_UPDATE, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_int64(s, 1, cur.id);
	bind_or_empty(s, 2, next.display_name);
	bind_or_empty(s, 3, next.email);
	if (next.org_id)
		sqlite3_bind_int64(s, 4, next.org_id);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_text(s, 5, krole_name(next.role), -1, SQLITE_STATIC);
	bind_or_null(s, 6, next.password);
	sqlite3_bind_int(s, 7, next.disabled);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, "updating the user")))
		goto out;
	/* the audit rows, one per field changed */
	if ((fields & KUSER_PASSWORD) && !same(cur.password, next.password) &&
	    (rc = ksqlite_audit(st, "user.password", "user", cur.login, next.password ? NULL : "removed", err)))
		goto out;
	if (next.role != cur.role) {
		char d[64];

		snprintf(d, sizeof(d), "%s -> %s", krole_name(cur.role) ? krole_name(cur.role) : "?",
			 krole_name(next.role));
		if ((rc = ksqlite_audit(st, "user.role", "user", cur.login, d, err)))
			goto out;
	}
	if (next.disabled != cur.disabled) {
		if ((rc = ksqlite_audit(st, next.disabled ? "user.disable" : "user.enable", "user", cur.login, NULL,
					err)))
			goto out;
		if (next.disabled) {
			if (!(s = stmt(st, A_SES_DEL_USER, err))) {
				rc = KE_DB;
				goto out;
			}
			sqlite3_bind_int64(s, 1, cur.id);
			if ((rc = done(st, s, err, "ending the user's sessions")))
				goto out;
		}
	}
	if (!same(cur.display_name, next.display_name) &&
	    (rc = ksqlite_audit(st, "user.update", "user", cur.login, "display name", err)))
		goto out;
	if (!same(cur.email, next.email) && (rc = ksqlite_audit(st, "user.update", "user", cur.login, "email", err)))
		goto out;
	if (cur.org_id != next.org_id) {
		struct kbuf d = KBUF_INIT;

		rc = kbuf_addf(&d, "organisation: %s -> %s", cur.org ? cur.org : "(none)", org ? org->name : "(none)");
		rc = rc ? nomem(err) : ksqlite_audit(st, "user.update", "user", cur.login, kbuf_str(&d), err);
		kbuf_release(&d);
	}
out:
	korg_free(&obuf);
	kuser_free(&cur);
	return wend(st, own, rc, err);
}

/* ---- sessions ----------------------------------------------------------- */

static int ksqlite_session_add(struct kstore *kst, const struct ksession *ses, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s;
	int rc, own;

	if (strlen(ses->hash) != KHASH_LEN || !ses->user_id)
		return kerr_set(err, KE_INVALID, "a session needs a hash and a user");
	if ((rc = wbegin(st, &own, err)))
		return rc;
	if (!(s = stmt(st, A_SES_ADD, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, ses->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, ses->user_id);
	sqlite3_bind_text(s, 3, ses->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ses->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ses->seen[0] ? ses->seen : ses->created, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, ses->expires, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, ses->address, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(st->db);

		if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
			rc = kerr_set(err, KE_EXISTS, "a session with this id exists already");
		else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
			rc = kerr_set(err, KE_NOTFOUND, "no user of id %lld", ses->user_id);
		else
			rc = ksqlite_db_err(st, err, "storing the session");
	}
	sqlite3_reset(s);
out:
	return wend(st, own, rc, err);
}

static int ksqlite_session_get(struct kstore *kst, const char *hash, struct ksession *ses, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = stmt(st, A_SES_GET, err);
	char now[KTIME_LEN + 1];
	int rc = 0, step;

	if (!s)
		return KE_DB;
	ktime_now(now);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		memset(ses, 0, sizeof(*ses));
		copy_col(s, 0, ses->hash, sizeof(ses->hash));
		ses->user_id = sqlite3_column_int64(s, 1);
		copy_col(s, 2, ses->csrf, sizeof(ses->csrf));
		copy_col(s, 3, ses->created, sizeof(ses->created));
		copy_col(s, 4, ses->seen, sizeof(ses->seen));
		copy_col(s, 5, ses->expires, sizeof(ses->expires));
		copy_col(s, 6, ses->address, sizeof(ses->address));
	} else if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no such session");
	} else {
		rc = ksqlite_db_err(st, err, "reading the session");
	}
	sqlite3_reset(s);
	return rc;
}

/* One write statement i with text a at 1 (and b at 2 unless NULL) or an id; *changed rows. */
static int write1(struct kstore_sqlite *st, int i, const char *a, long long id, const char *b, int *changed,
		  const char *what, struct kerr *err)
{
	sqlite3_stmt *s;
	int rc, own;

	if ((rc = wbegin(st, &own, err)))
		return rc;
	if (!(s = stmt(st, i, err))) {
		rc = KE_DB;
		goto out;
	}
	if (a)
		sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, what)))
		goto out;
	if (changed)
		*changed = sqlite3_changes(st->db);
out:
	return wend(st, own, rc, err);
}

static int ksqlite_session_touch(struct kstore *kst, const char *hash, const char *seen, struct kerr *err)
{
	char now[KTIME_LEN + 1];
	int n = 0, rc;

	if (!seen) {
		ktime_now(now);
		seen = now;
	}
	if ((rc = write1(ksqlite(kst), A_SES_TOUCH, hash, 0, seen, &n, "updating the session", err)))
		return rc;
	return n ? 0 : kerr_set(err, KE_NOTFOUND, "no such session");
}

static int ksqlite_session_delete(struct kstore *kst, const char *hash, struct kerr *err)
{
	return write1(ksqlite(kst), A_SES_DEL, hash, 0, NULL, NULL, "ending the session", err);
}

static int ksqlite_session_delete_user(struct kstore *kst, long long user_id, struct kerr *err)
{
	return write1(ksqlite(kst), A_SES_DEL_USER, NULL, user_id, NULL, NULL, "ending the user's sessions", err);
}

static int ksqlite_session_purge(struct kstore *kst, const char *now, const char *idle_before, long *n,
				 struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char nowbuf[KTIME_LEN + 1];
	sqlite3_stmt *s;
	int rc, own;

	if (!now) {
		ktime_now(nowbuf);
		now = nowbuf;
	}
	if ((rc = wbegin(st, &own, err)))
		return rc;
	if (!(s = stmt(st, A_SES_PURGE, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	/* no idle limit: "" is before every time */
	sqlite3_bind_text(s, 2, idle_before ? idle_before : "", -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, "removing old sessions")))
		goto out;
	if (n)
		*n = sqlite3_changes(st->db);
out:
	return wend(st, own, rc, err);
}

/* ---- API tokens --------------------------------------------------------- */

static int token_fill(sqlite3_stmt *s, struct ktoken *t, struct kerr *err)
{
	ktoken_free(t);
	t->id = sqlite3_column_int64(s, 0);
	t->user_id = sqlite3_column_int64(s, 1);
	if (!(t->login = dup_col(s, 2)) || !(t->name = dup_col(s, 3)) || !(t->prefix = dup_col(s, 4)) ||
	    !(t->created = dup_col(s, 5)) ||
	    (sqlite3_column_type(s, 6) != SQLITE_NULL && !(t->expires = dup_col(s, 6))) ||
	    (sqlite3_column_type(s, 7) != SQLITE_NULL && !(t->used = dup_col(s, 7))) ||
	    (sqlite3_column_type(s, 8) != SQLITE_NULL && !(t->revoked = dup_col(s, 8)))) {
		ktoken_free(t);
		return nomem(err);
	}
	return 0;
}

static int ksqlite_token_add(struct kstore *kst, struct ktoken *t, const char *hash, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char now[KTIME_LEN + 1], idbuf[32];
	struct kuser u = { 0 };
	sqlite3_stmt *s;
	long long id = 0;
	time_t when;
	int rc, own;

	if (!hash || strlen(hash) != KHASH_LEN)
		return kerr_set(err, KE_INVALID, "a token is stored by its SHA-256 hash");
	if (!t->prefix || !*t->prefix)
		return kerr_set(err, KE_INVALID, "a token needs its prefix");
	if ((rc = ktoken_name_check(t->name, err)))
		return rc;
	if (t->expires && ktime_parse(t->expires, &when))
		return kerr_set(err, KE_INVALID, "token expiry \"%.*s\" is not an ISO 8601 UTC time",
				kutf8_cut(t->expires, 40), t->expires);
	if ((rc = wbegin(st, &own, err)))
		return rc;
	ktime_now(now);
	if ((rc = user_get(st, NULL, t->user_id, &u, err)))
		goto out;
	if (!(s = stmt(st, A_TOK_ADD, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_int64(s, 1, t->user_id);
	bind_or_empty(s, 2, t->name);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, t->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	bind_or_null(s, 6, t->expires);
	if (sqlite3_step(s) != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(st->db);

		rc = ext == SQLITE_CONSTRAINT_UNIQUE ? kerr_set(err, KE_EXISTS, "this token is stored already")
						     : ksqlite_db_err(st, err, "storing the token");
		sqlite3_reset(s);
		goto out;
	}
	sqlite3_reset(s);
	id = sqlite3_last_insert_rowid(st->db);
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	{
		struct kbuf d = KBUF_INIT;

		rc = kbuf_addf(&d, "user %s; prefix %s; %s%s%s", u.login, t->prefix, t->expires ? "expires " : "",
			       t->expires ? t->expires : "no expiry", t->name && *t->name ? "; name " : "");
		if (!rc && t->name && *t->name)
			rc = kbuf_adds(&d, t->name);
		rc = rc ? nomem(err) : ksqlite_audit(st, "token.create", "token", idbuf, kbuf_str(&d), err);
		kbuf_release(&d);
	}
out:
	rc = wend(st, own, rc, err);
	if (!rc) {
		t->id = id;
		free(t->created);
		free(t->login);
		t->created = strdup(now);
		t->login = u.login;
		u.login = NULL;
		if (!t->created)
			rc = nomem(err);
	}
	kuser_free(&u);
	return rc;
}

static int ksqlite_token_find(struct kstore *kst, const char *hash, struct ktoken *t, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = stmt(st, A_TOK_FIND, err);
	char now[KTIME_LEN + 1];
	int rc, step;

	ktoken_free(t);
	if (!s)
		return KE_DB;
	ktime_now(now);
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = token_fill(s, t, err);
	else if (step == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no such token (or it is revoked or expired)");
	else
		rc = ksqlite_db_err(st, err, "reading the token");
	sqlite3_reset(s);
	return rc;
}

static int ksqlite_token_list(struct kstore *kst, long long user_id, int (*cb)(void *ctx, const struct ktoken *t),
			      void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = stmt(st, A_TOK_LIST, err);
	struct ktoken t = { 0 };
	int rc = 0, step;

	if (!s)
		return KE_DB;
	sqlite3_bind_int64(s, 1, user_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = token_fill(s, &t, err)) || (rc = cb(ctx, &t)))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "listing tokens");
	sqlite3_reset(s);
	ktoken_free(&t);
	return rc;
}

static int ksqlite_token_revoke(struct kstore *kst, long long id, long long user_id, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char now[KTIME_LEN + 1], idbuf[32];
	struct ktoken t = { 0 };
	sqlite3_stmt *s;
	int rc, own, step;

	if ((rc = wbegin(st, &own, err)))
		return rc;
	ktime_now(now);
	if (!(s = stmt(st, A_TOK_GET, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = token_fill(s, &t, err);
	else if (step == SQLITE_DONE)
		rc = KE_NOTFOUND;
	else
		rc = ksqlite_db_err(st, err, "reading the token");
	sqlite3_reset(s);
	if (rc == KE_NOTFOUND || (!rc && user_id && t.user_id != user_id)) {
		rc = kerr_set(err, KE_NOTFOUND, "no token %lld", id);
		goto out;
	}
	if (rc)
		goto out;
	if (t.revoked) {
		rc = kerr_set(err, KE_NOTFOUND, "token %lld is revoked already (%s)", id, t.revoked);
		goto out;
	}
	if (!(s = stmt(st, A_TOK_REVOKE, err))) {
		rc = KE_DB;
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	if ((rc = done(st, s, err, "revoking the token")))
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	{
		struct kbuf d = KBUF_INIT;

		rc = kbuf_addf(&d, "user %s; prefix %s", t.login, t.prefix);
		rc = rc ? nomem(err) : ksqlite_audit(st, "token.revoke", "token", idbuf, kbuf_str(&d), err);
		kbuf_release(&d);
	}
out:
	ktoken_free(&t);
	return wend(st, own, rc, err);
}

static int ksqlite_token_used(struct kstore *kst, long long id, const char *when, struct kerr *err)
{
	char now[KTIME_LEN + 1];
	int n = 0, rc;

	if (!when) {
		ktime_now(now);
		when = now;
	}
	if ((rc = write1(ksqlite(kst), A_TOK_USED, NULL, id, when, &n, "recording the token's use", err)))
		return rc;
	return n ? 0 : kerr_set(err, KE_NOTFOUND, "no token %lld", id);
}

/* ---- failed sign-ins ---------------------------------------------------- */

static int ksqlite_signin_failures(struct kstore *kst, const char *key, int *n, char *last, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = stmt(st, A_FAIL_GET, err);
	int rc = 0, step;

	*n = 0;
	last[0] = 0;
	if (!s)
		return KE_DB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*n = sqlite3_column_int(s, 0);
		copy_col(s, 1, last, KTIME_LEN + 1);
	} else if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "reading failed sign-ins");
	}
	sqlite3_reset(s);
	return rc;
}

static int ksqlite_signin_failed(struct kstore *kst, const char *key, const char *now, struct kerr *err)
{
	char nowbuf[KTIME_LEN + 1];

	if (!now) {
		ktime_now(nowbuf);
		now = nowbuf;
	}
	return write1(ksqlite(kst), A_FAIL_ADD, key, 0, now, NULL, "counting a failed sign-in", err);
}

static int ksqlite_signin_clear(struct kstore *kst, const char *key, struct kerr *err)
{
	return write1(ksqlite(kst), A_FAIL_CLEAR, key, 0, NULL, NULL, "clearing failed sign-ins", err);
}

const struct kstore_be_account ksqlite_be_account = {
	.set_actor = ksqlite_set_actor,
	.org_add = ksqlite_org_add,
	.org_get = ksqlite_org_get,
	.org_list = ksqlite_org_list,
	.user_add = ksqlite_user_add,
	.user_get = ksqlite_user_get,
	.user_list = ksqlite_user_list,
	.user_update = ksqlite_user_update,
	.session_add = ksqlite_session_add,
	.session_get = ksqlite_session_get,
	.session_touch = ksqlite_session_touch,
	.session_delete = ksqlite_session_delete,
	.session_delete_user = ksqlite_session_delete_user,
	.session_purge = ksqlite_session_purge,
	.token_add = ksqlite_token_add,
	.token_find = ksqlite_token_find,
	.token_list = ksqlite_token_list,
	.token_revoke = ksqlite_token_revoke,
	.token_used = ksqlite_token_used,
	.signin_failures = ksqlite_signin_failures,
	.signin_failed = ksqlite_signin_failed,
	.signin_clear = ksqlite_signin_clear,
	.audit_add = ksqlite_audit_add,
	.audit_list = ksqlite_audit_list,
};
