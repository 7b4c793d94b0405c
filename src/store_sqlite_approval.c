/*
 * store_sqlite_approval.c - the SQLite backend of store_approval.h (tables
 * in migration 11: approvals).
 */
#include "store_approval.h"
#include "store_redact.h"
#include "store_report.h"
#include "store_sqlite.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int nomem(struct kerr *err)
{
	return kerr_set(err, KE_NOMEM, "out of memory");
}

void kapproval_target_free(struct kapproval_target *t)
{
	free(t->incident);
	free(t->org);
	memset(t, 0, sizeof(*t));
}

int kstore_approval_target(struct kstore *kst, const char *id, struct kapproval_target *t, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	memset(t, 0, sizeof(*t));
	if ((rc = ksqlite_prepare(st, "SELECT d.revision, d.incident, i.org,"
				  " (SELECT min(r.revision) FROM revisions r WHERE r.id = d.id)"
				  " FROM case_drafts d LEFT JOIN incidents i ON i.id = d.incident WHERE d.id = ?1",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		t->revision = sqlite3_column_int(s, 0);
		t->first = sqlite3_column_type(s, 3) == SQLITE_NULL ? t->revision : sqlite3_column_int(s, 3);
		if ((col(s, 1) && !(t->incident = strdup(col(s, 1)))) ||
		    (col(s, 2) && *col(s, 2) && !(t->org = strdup(col(s, 2)))))
			rc = nomem(err);
	} else if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no draft with id \"%.*s\"", kutf8_cut(id, 100), id);
	} else {
		rc = ksqlite_db_err(st, err, "reading the draft");
	}
	sqlite3_finalize(s);
	if (rc)
		kapproval_target_free(t);
	return rc;
}

int kstore_approval_list(struct kstore *kst, const char *id, struct kapproval_list *out, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT kind, revision, who, org, at, body FROM approvals"
				  " WHERE case_id = ?1 ORDER BY id", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kapproval a = {
			.kind = kapproval_kind_from_key(col(s, 0)),
			.revision = sqlite3_column_int(s, 1),
			.who = (char *)col(s, 2),
			.org = (char *)col(s, 3),
			.at = (char *)col(s, 4),
			.text = (char *)col(s, 5),
		};

		if (a.kind < 0)
			continue;
		if (kapproval_list_add(out, &a) < 0) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the approvals");
out:
	sqlite3_finalize(s);
	return rc;
}

int kstore_approval_add(struct kstore *kst, const char *id, int kind, int revision, const char *org,
			const char *text, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kapproval_target t = { 0 };
	struct kapproval_list l = { 0 };
	sqlite3_stmt *s = NULL;
	char now[KTIME_LEN + 1], action[32], detail[32];
	int rc, own;

	if (!kapproval_kind_key(kind))
		return kerr_set(err, KE_INVALID, "kind: not an approval event");
	if (kind == KAPPR_COMMENT && (rc = kapproval_text_check("comment", text, err)))
		return rc;
	if (kind != KAPPR_COMMENT && text && *text && (rc = kapproval_text_check("note", text, err)))
		return rc;
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = kstore_approval_target(kst, id, &t, err)) || (rc = kstore_approval_list(kst, id, &l, err)))
		goto out;
	if (revision != t.revision) {
		rc = kerr_set(err, KE_INVALID, "revision: the draft is at revision %d now, not %d: look at it again",
			      t.revision, revision);
		goto out;
	}
	if (kind == KAPPR_REQUEST && !t.org) {
		rc = kerr_set(err, KE_INVALID, "%.*s: not made from an incident, so no organisation approves it",
			      kutf8_cut(id, 100), id);
		goto out;
	}
	if (kind == KAPPR_APPROVE && !kapproval_requested_revision(&l)) {
		rc = kerr_set(err, KE_INVALID, "%.*s: nobody has asked for its approval yet", kutf8_cut(id, 100), id);
		goto out;
	}
	if (kind == KAPPR_APPROVE && kapproval_approved_revision(&l) == revision) {
		rc = kerr_set(err, KE_INVALID, "%.*s: revision %d is approved already", kutf8_cut(id, 100), id,
			      revision);
		goto out;
	}
	ktime_now(now);
	if ((rc = ksqlite_prepare(st, "INSERT INTO approvals(case_id, revision, kind, who, org, at, body)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, revision);
	sqlite3_bind_text(s, 3, kapproval_kind_key(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ksqlite_actor(st) ? ksqlite_actor(st) : "unknown", -1, SQLITE_TRANSIENT);
	ksqlite_bind_text(s, 5, org);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	ksqlite_bind_text(s, 7, text && *text ? text : NULL);
	if ((rc = ksqlite_step_done(st, s, err, "storing the approval")))
		goto out;
	snprintf(action, sizeof(action), "approval.%s", kapproval_kind_key(kind));
	snprintf(detail, sizeof(detail), "revision %d", revision);
	rc = ksqlite_audit(st, action, "case", id, detail, err);
out:
	sqlite3_finalize(s);
	kapproval_target_free(&t);
	kapproval_list_free(&l);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_approval_gate(struct kstore *st, const char *id, const char *override, struct kgate *g,
			 struct kfinding_list *findings, struct kerr *err)
{
	struct kapproval_target t = { 0 };
	struct kapproval_list l = { 0 };
	struct kfinding_list f = { 0 };
	struct kcase c;
	int rc;

	kcase_init(&c);
	memset(g, 0, sizeof(*g));
	if ((rc = kstore_approval_target(st, id, &t, err)) || (rc = kstore_draft_get(st, id, &c, err)) ||
	    (rc = kstore_approval_list(st, id, &l, err)) ||
	    (rc = kstore_redact_unresolved(st, &c, findings ? findings : &f, err)))
		goto out;
	{
		struct kgate_in in = {
			.revision = t.revision,
			.needs_approval = t.org != NULL,
			.findings = findings ? findings : &f,
			.approvals = &l,
			.override = override,
		};

		kgate_decide(&in, g);
	}
out:
	kfinding_list_free(&f);
	kapproval_list_free(&l);
	kapproval_target_free(&t);
	kcase_free(&c);
	return rc;
}

int kstore_publish_gated(struct kstore *kst, const char *id, const char *override, struct kgate *g,
			 struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf detail = KBUF_INIT;
	int rc, own;

	memset(g, 0, sizeof(*g));
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = kstore_approval_gate(kst, id, override, g, NULL, err)))
		goto out;
	if (!g->allowed) {
		char why[400];

		why[0] = '\0';
		for (unsigned r = 1; r <= KGATE__ALL; r <<= 1)
			if (g->reasons & r) {
				char one[300];

				kgate_reason_text(g, r, one, sizeof(one));
				snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s", why[0] ? "; " : "", one);
			}
		rc = kerr_set(err, KE_DENIED, "publishing %.*s refused: %s", kutf8_cut(id, 100), id, why);
		goto out;
	}
	if ((rc = kstore_publish(kst, id, err)))
		goto out;
	if (g->overridden) {
		if (kgate_detail(g, override, &detail) < 0) {
			rc = nomem(err);
			goto out;
		}
		rc = ksqlite_audit(st, "case.publish.override", "case", id, kbuf_str(&detail), err);
	}
out:
	kbuf_release(&detail);
	return ksqlite_wend(st, own, rc, err);
}
