/*
 * store_sqlite_redact.c - the SQLite backend of store_redact.h: the names
 * to look for in a case and the findings analysts dismissed (tables
 * redact_names and redact_dismissed, migration 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "kerr.h"
#include "store_redact.h"
#include "store_sqlite.h"
#include "utf8.h"

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A text value: required, at most max bytes, UTF-8 without control characters (newlines in reasons). */
static int text_ok(const char *s, size_t max, int lines, const char *field, struct kerr *err)
{
	size_t len = s ? strlen(s) : 0;

	if (!len)
		return kerr_set(err, KE_INVALID, "%s: is required", field);
	if (len > max)
		return kerr_set(err, KE_INVALID, "%s: longer than %zu bytes", field, max);
	if (!kutf8_valid(s, len))
		return kerr_set(err, KE_INVALID, "%s: not UTF-8", field);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\t'))) || *p == 0x7F)
			return kerr_set(err, KE_INVALID, "%s: contains a control character", field);
	return 0;
}

int kstore_redact_name_add(struct kstore *kst, const char *id, const char *name, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	char now[KTIME_LEN + 1];
	int rc, own;

	if ((rc = text_ok(id, 200, 0, "id", err)) || (rc = text_ok(name, KREDACT_NAME_MAX, 0, "name", err)))
		return rc;
	if (name[0] == ' ' || name[strlen(name) - 1] == ' ')
		return kerr_set(err, KE_INVALID, "name: white space at either end");
	ktime_now(now);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = ksqlite_prepare(st, "INSERT INTO redact_names(case_id, name, added, actor) VALUES(?1, ?2, ?3, ?4)"
				  " ON CONFLICT(case_id, name) DO NOTHING", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	ksqlite_bind_text(s, 4, ksqlite_actor(st));
	if ((rc = ksqlite_step_done(st, s, err, "storing the name")))
		goto out;
	if (sqlite3_changes(st->db) == 0) {
		rc = kerr_set(err, KE_EXISTS, "name: \"%.*s\" is already stored for %.*s", kutf8_cut(name, 100), name,
			      kutf8_cut(id, 100), id);
		goto out;
	}
	rc = ksqlite_audit(st, "redact.name", "case", id, name, err);
out:
	sqlite3_finalize(s);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_redact_names(struct kstore *kst, const char *id, struct kstrv *out, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT name FROM redact_names WHERE case_id = ?1 ORDER BY added, name", &s,
				  err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (col(s, 0) && kstrv_push(out, col(s, 0)) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the names");
out:
	sqlite3_finalize(s);
	return rc;
}

int kstore_redact_dismiss(struct kstore *kst, const char *id, const char *kind, const char *text,
			  const char *reason, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	char now[KTIME_LEN + 1], *detail = NULL;
	int rc, own;

	if ((rc = text_ok(id, 200, 0, "id", err)))
		return rc;
	if (kfinding_kind_from_key(kind) < 0)
		return kerr_set(err, KE_INVALID, "kind: expected name, person, email, ipv4, ipv6, domain, url, phone, "
				"address or reid");
	if ((rc = text_ok(text, 1000, 1, "text", err)) || (rc = text_ok(reason, KREDACT_REASON_MAX, 1, "reason", err)))
		return rc;
	ktime_now(now);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = ksqlite_prepare(st, "INSERT INTO redact_dismissed(case_id, kind, text, reason, actor, at)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(case_id, kind, text) DO NOTHING", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	ksqlite_bind_text(s, 5, ksqlite_actor(st));
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "storing the dismissal")))
		goto out;
	if (sqlite3_changes(st->db) == 0) {
		rc = kerr_set(err, KE_EXISTS, "%s \"%.*s\" is already dismissed for %.*s", kind, kutf8_cut(text, 100),
			      text, kutf8_cut(id, 100), id);
		goto out;
	}
	{
		size_t n = strlen(kind) + strlen(text) + strlen(reason) + 8;

		if (!(detail = malloc(n))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		snprintf(detail, n, "%s %s: %s", kind, text, reason);
	}
	rc = ksqlite_audit(st, "redact.dismiss", "case", id, detail, err);
out:
	free(detail);
	sqlite3_finalize(s);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_redact_dismissals(struct kstore *kst, const char *id, kstore_dismissal_cb cb, void *ctx,
			     struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT kind, text, reason, actor, at FROM redact_dismissed WHERE case_id = ?1"
				  " ORDER BY at, kind, text", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kredact_dismissal d = { col(s, 0), col(s, 1), col(s, 2), col(s, 3), col(s, 4) };

		if ((rc = cb(ctx, &d)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the dismissed findings");
out:
	sqlite3_finalize(s);
	return rc;
}

struct dis_list {
	char **kind, **text;
	size_t n;
	int nomem;
};

static int dis_cb(void *vctx, const struct kredact_dismissal *d)
{
	struct dis_list *l = vctx;
	char **nk = realloc(l->kind, (l->n + 1) * sizeof(*nk)), **nt;

	if (!nk)
		return KE_NOMEM;
	l->kind = nk;
	if (!(nt = realloc(l->text, (l->n + 1) * sizeof(*nt))))
		return KE_NOMEM;
	l->text = nt;
	nk[l->n] = strdup(d->kind ? d->kind : "");
	nt[l->n] = strdup(d->text ? d->text : "");
	l->n++;
	return nk[l->n - 1] && nt[l->n - 1] ? 0 : KE_NOMEM;
}

int kstore_redact_filter(struct kstore *st, const char *id, struct kfinding_list *fl, size_t *dropped,
			 struct kerr *err)
{
	struct dis_list l = { 0 };
	size_t k = 0, drop = 0;
	int rc = kstore_redact_dismissals(st, id, dis_cb, &l, err);

	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	if (rc)
		goto out;
	for (size_t i = 0; i < fl->n; i++) {
		struct kfinding *f = &fl->v[i];
		const char *key = kfinding_kind_key(f->kind);
		int gone = 0;

		for (size_t j = 0; j < l.n && !gone; j++)
			gone = key && !strcmp(l.kind[j], key) && f->text && !strcmp(l.text[j], f->text);
		if (gone) {
			free(f->field);
			free(f->text);
			free(f->suggestion);
			free(f->label);
			drop++;
			continue;
		}
		fl->v[k++] = *f;
	}
	fl->n = k;
out:
	for (size_t j = 0; j < l.n; j++) {
		free(l.kind[j]);
		free(l.text[j]);
	}
	free(l.kind);
	free(l.text);
	if (dropped)
		*dropped = drop;
	return rc;
}

int kstore_redact_applied(struct kstore *kst, const char *id, size_t replaced, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char detail[48];
	int rc, own;

	snprintf(detail, sizeof(detail), "%zu replacement%s", replaced, replaced == 1 ? "" : "s");
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	rc = ksqlite_audit(st, "redact.apply", "case", id, detail, err);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_redact_unresolved(struct kstore *st, const struct kcase *c, struct kfinding_list *out,
			     struct kerr *err)
{
	struct kstrv names = { 0 };
	struct kfinding_list fl = { 0 };
	int rc;

	if (!c->id)
		return kredact_check(c, NULL, out, err);
	if ((rc = kstore_redact_names(st, c->id, &names, err)) || (rc = kredact_check(c, &names, &fl, err)) ||
	    (rc = kstore_redact_filter(st, c->id, &fl, NULL, err)))
		goto out;
	/* append to out */
	for (size_t i = 0; i < fl.n; i++) {
		if (out->n == out->alloc) {
			size_t na = out->alloc ? 2 * out->alloc : 16;
			struct kfinding *nv = realloc(out->v, na * sizeof(*nv));

			if (!nv) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			out->v = nv;
			out->alloc = na;
		}
		out->v[out->n++] = fl.v[i];
		memset(&fl.v[i], 0, sizeof(fl.v[i]));
	}
out:
	kfinding_list_free(&fl);
	kstrv_clear(&names);
	return rc;
}
