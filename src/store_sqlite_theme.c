/*
 * store_sqlite_theme.c - the SQLite backend of store_theme.h: table
 * theme_edits (migration 13), one row per edit of a scope.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "kerr.h"
#include "store_sqlite.h"
#include "store_theme.h"

static int scope_ok(const char *scope, struct kerr *err)
{
	if (!scope || !*scope || strlen(scope) > KTHEME_SCOPE_MAX)
		return kerr_set(err, KE_INVALID, "scope: expected a period or a report's name of 1 to %d bytes",
				KTHEME_SCOPE_MAX);
	return 0;
}

int kstore_theme_edits_get(struct kstore *kst, const char *scope, char **json, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	json_t *arr = NULL, *root = NULL;
	int rc, step;

	*json = NULL;
	if ((rc = scope_ok(scope, err)) < 0)
		return rc;
	if ((rc = ksqlite_prepare(st, "SELECT id, edit, author, created FROM theme_edits WHERE scope = ?1 ORDER BY id",
				  &s, err)) < 0)
		return rc;
	ksqlite_bind_text(s, 1, scope);
	if (!(arr = json_array())) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *e = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
		const char *by = (const char *)sqlite3_column_text(s, 2);
		if (!json_is_object(e)) {
			json_decref(e);
			continue; /* not written by kstore_theme_edit_add: skipped */
		}
		if (json_object_set_new(e, "n", json_integer(sqlite3_column_int64(s, 0))) ||
		    (by && json_object_set_new(e, "by", json_string(by))) ||
		    json_object_set_new(e, "at", json_string((const char *)sqlite3_column_text(s, 3))) ||
		    json_array_append_new(arr, e)) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "theme edits");
		goto out;
	}
	if (json_array_size(arr)) {
		root = json_pack("{s:O}", "edits", arr);
		if (!root || !(*json = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII * 0)))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	}
out:
	json_decref(arr);
	json_decref(root);
	sqlite3_finalize(s);
	return rc < 0 ? rc : 0;
}

int kstore_theme_edit_add(struct kstore *kst, const char *scope, const char *edit, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	char now[KTIME_LEN + 1];
	json_t *e;
	int own, rc;

	if ((rc = scope_ok(scope, err)) < 0)
		return rc;
	if (!edit || strlen(edit) > KTHEME_EDIT_MAX)
		return kerr_set(err, KE_INVALID, "edit: expected at most %d bytes", KTHEME_EDIT_MAX);
	e = json_loads(edit, JSON_REJECT_DUPLICATES, NULL);
	rc = json_is_object(e) && json_is_string(json_object_get(e, "op"));
	json_decref(e);
	if (!rc)
		return kerr_set(err, KE_INVALID, "edit: expected a JSON object with an op");
	ktime_now(now);
	if ((rc = ksqlite_wbegin(st, &own, err)) < 0)
		return rc;
	if ((rc = ksqlite_prepare(st, "INSERT INTO theme_edits(scope, edit, author, created) VALUES(?1, ?2, ?3, ?4)",
				  &s, err)) < 0)
		goto out;
	ksqlite_bind_text(s, 1, scope);
	ksqlite_bind_text(s, 2, edit);
	ksqlite_bind_text(s, 3, ksqlite_actor(st));
	ksqlite_bind_text(s, 4, now);
	if ((rc = ksqlite_step_done(st, s, err, "theme edit")) < 0)
		goto out;
	rc = ksqlite_audit(st, "theme.edit", "themes", scope, edit, err);
out:
	sqlite3_finalize(s);
	return ksqlite_wend(st, own, rc < 0 ? rc : 0, err);
}

int kstore_theme_edit_undo(struct kstore *kst, const char *scope, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	char *edit = NULL;
	long long id = 0;
	int own, rc, step;

	if ((rc = scope_ok(scope, err)) < 0)
		return rc;
	if ((rc = ksqlite_wbegin(st, &own, err)) < 0)
		return rc;
	if ((rc = ksqlite_prepare(st, "SELECT id, edit FROM theme_edits WHERE scope = ?1 ORDER BY id DESC LIMIT 1",
				  &s, err)) < 0)
		goto out;
	ksqlite_bind_text(s, 1, scope);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (!(edit = strdup((const char *)sqlite3_column_text(s, 1)))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	} else if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no edits of the themes of %s", scope);
		goto out;
	} else {
		rc = ksqlite_db_err(st, err, "theme edits");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((rc = ksqlite_prepare(st, "DELETE FROM theme_edits WHERE id = ?1", &s, err)) < 0)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = ksqlite_step_done(st, s, err, "theme edit")) < 0)
		goto out;
	rc = ksqlite_audit(st, "theme.undo", "themes", scope, edit, err);
out:
	sqlite3_finalize(s);
	free(edit);
	return ksqlite_wend(st, own, rc < 0 ? rc : 0, err);
}
