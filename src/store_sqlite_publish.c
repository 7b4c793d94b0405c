/*
 * store_sqlite_publish.c - the SQLite backend of store_publish.h: published
 * reports, their case ids and their generated files (tables pub_reports,
 * pub_report_cases, pub_report_files of migration 12).
 */
#include "store_publish.h"
#include "store_sqlite.h"
#include "kbuf.h"
#include "kerr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- files (no SQL) ---------------------------------------------------------------- */

int kpubfiles_add(struct kpubfiles *f, const char *path, const char *type, char *data, size_t len)
{
	struct kpubfile *e;

	if (f->n == f->alloc) {
		size_t na = f->alloc ? f->alloc * 2 : 16;
		struct kpubfile *v = realloc(f->v, na * sizeof(*v));

		if (!v) {
			free(data);
			return KE_NOMEM;
		}
		f->v = v;
		f->alloc = na;
	}
	e = &f->v[f->n];
	e->path = strdup(path);
	e->type = strdup(type);
	if (!e->path || !e->type) {
		free(e->path);
		free(e->type);
		free(data);
		return KE_NOMEM;
	}
	e->data = data;
	e->len = len;
	f->n++;
	return 0;
}

const struct kpubfile *kpubfiles_find(const struct kpubfiles *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].path, path))
			return &f->v[i];
	return NULL;
}

void kpubfiles_free(struct kpubfiles *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].type);
		free(f->v[i].data);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ---- SQL ---------------------------------------------------------------------------- */

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void now_utc(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The rid of report name: > 0, 0 if none, or KE_*. */
static long long report_rid(struct kstore_sqlite *st, const char *name, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	long long rid = 0;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT rid FROM pub_reports WHERE name = ?1", &s, err)))
		return rc;
	ksqlite_bind_text(s, 1, name);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rid = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		rid = ksqlite_db_err(st, err, "reading published reports");
	sqlite3_finalize(s);
	return rid;
}

static int delete_rid(struct kstore_sqlite *st, long long rid, struct kerr *err)
{
	static const char *const sql[] = {
		"DELETE FROM pub_report_files WHERE report = ?1",
		"DELETE FROM pub_report_cases WHERE report = ?1",
		"DELETE FROM pub_reports WHERE rid = ?1",
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++) {
		sqlite3_stmt *s = NULL;

		if ((rc = ksqlite_prepare(st, sql[i], &s, err)))
			break;
		sqlite3_bind_int64(s, 1, rid);
		rc = ksqlite_step_done(st, s, err, "deleting a published report");
		sqlite3_finalize(s);
	}
	return rc;
}

int kstore_pubreport_put(struct kstore *kst, const struct kpubreport_meta *m, const struct kpubfiles *files,
			 int replace, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	char now[32], detail[160];
	long long rid, old;
	int rc, own, replaced = 0;

	if (!m->name || !*m->name || !m->title || !*m->title || !m->tlp || !m->date)
		return kerr_set(err, KE_INVALID, "report: a name, a title, a TLP and a date are needed");
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((old = report_rid(st, m->name, err)) < 0) {
		rc = (int)old;
		goto out;
	}
	if (old > 0) {
		if (!replace) {
			rc = kerr_set(err, KE_EXISTS, "a report named \"%.*s\" is already published", kutf8_cut(m->name, 100),
				      m->name);
			goto out;
		}
		if ((rc = delete_rid(st, old, err)))
			goto out;
		replaced = 1;
	}
	now_utc(now, sizeof(now));
	if ((rc = ksqlite_prepare(st, "INSERT INTO pub_reports(name, title, period, tlp, date, who, created, ncases)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &s, err)))
		goto out;
	ksqlite_bind_text(s, 1, m->name);
	ksqlite_bind_text(s, 2, m->title);
	ksqlite_bind_text(s, 3, m->period);
	ksqlite_bind_text(s, 4, m->tlp);
	ksqlite_bind_text(s, 5, m->date);
	ksqlite_bind_text(s, 6, ksqlite_actor(st));
	ksqlite_bind_text(s, 7, now);
	sqlite3_bind_int64(s, 8, m->ids ? (long long)m->ids->n : 0);
	rc = ksqlite_step_done(st, s, err, "storing the report");
	sqlite3_finalize(s);
	s = NULL;
	if (rc)
		goto out;
	rid = sqlite3_last_insert_rowid(st->db);
	if ((rc = ksqlite_prepare(st, "INSERT INTO pub_report_cases(report, seq, case_id) VALUES (?1, ?2, ?3)", &s,
				  err)))
		goto out;
	for (size_t i = 0; m->ids && i < m->ids->n && !rc; i++) {
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_int64(s, 2, (long long)i + 1);
		ksqlite_bind_text(s, 3, m->ids->v[i]);
		rc = ksqlite_step_done(st, s, err, "storing the report's cases");
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc)
		goto out;
	if ((rc = ksqlite_prepare(st, "INSERT INTO pub_report_files(report, path, type, body) VALUES (?1, ?2, ?3, ?4)",
				  &s, err)))
		goto out;
	for (size_t i = 0; files && i < files->n && !rc; i++) {
		sqlite3_bind_int64(s, 1, rid);
		ksqlite_bind_text(s, 2, files->v[i].path);
		ksqlite_bind_text(s, 3, files->v[i].type);
		sqlite3_bind_blob64(s, 4, files->v[i].data ? files->v[i].data : "", files->v[i].len, SQLITE_STATIC);
		rc = ksqlite_step_done(st, s, err, "storing the report's files");
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc)
		goto out;
	snprintf(detail, sizeof(detail), "%zu cases, TLP:%s, %s", m->ids ? m->ids->n : (size_t)0, m->tlp, m->date);
	rc = ksqlite_audit(st, replaced ? "report.replace" : "report.publish", "report", m->name, detail, err);
out:
	return ksqlite_wend(st, own, rc, err);
}

#define ROW_COLS "name, title, period, tlp, date, who, created, ncases"

static int walk(struct kstore_sqlite *st, sqlite3_stmt *s, kstore_pubreport_cb cb, void *ctx, int *found,
		struct kerr *err)
{
	int rc = 0, step;

	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kpubreport_row r = {
			.name = col(s, 0),
			.title = col(s, 1),
			.period = col(s, 2),
			.tlp = col(s, 3),
			.date = col(s, 4),
			.who = col(s, 5),
			.created = col(s, 6),
			.ncases = (long)sqlite3_column_int64(s, 7),
		};

		if (found)
			(*found)++;
		if ((rc = cb(ctx, &r)))
			return rc;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading published reports");
	return rc;
}

int kstore_pubreport_list(struct kstore *kst, kstore_pubreport_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = ksqlite_prepare(st, "SELECT " ROW_COLS " FROM pub_reports ORDER BY date DESC, created DESC, name",
				  &s, err)))
		return rc;
	rc = walk(st, s, cb, ctx, NULL, err);
	sqlite3_finalize(s);
	return rc;
}

int kstore_pubreport_get(struct kstore *kst, const char *name, kstore_pubreport_cb cb, void *ctx,
			 struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, found = 0;

	if ((rc = ksqlite_prepare(st, "SELECT " ROW_COLS " FROM pub_reports WHERE name = ?1", &s, err)))
		return rc;
	ksqlite_bind_text(s, 1, name);
	rc = walk(st, s, cb, ctx, &found, err);
	sqlite3_finalize(s);
	if (!rc && !found)
		rc = kerr_set(err, KE_NOTFOUND, "no published report named \"%.*s\"", kutf8_cut(name, 100), name);
	return rc;
}

int kstore_pubreport_cases(struct kstore *kst, const char *name, struct kstrv *ids, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	long long rid = report_rid(st, name, err);
	int rc, step;

	if (rid < 0)
		return (int)rid;
	if (!rid)
		return kerr_set(err, KE_NOTFOUND, "no published report named \"%.*s\"", kutf8_cut(name, 100), name);
	if ((rc = ksqlite_prepare(st, "SELECT case_id FROM pub_report_cases WHERE report = ?1 ORDER BY seq", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (kstrv_push(ids, col(s, 0))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			break;
		}
	if (!rc && step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading a report's cases");
	sqlite3_finalize(s);
	return rc;
}

int kstore_pubreport_file(struct kstore *kst, const char *name, const char *path, struct kbuf *data, char **type,
			  struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if (type)
		*type = NULL;
	if ((rc = ksqlite_prepare(st, "SELECT f.body, f.type FROM pub_report_files f JOIN pub_reports r"
				  " ON r.rid = f.report WHERE r.name = ?1 AND f.path = ?2", &s, err)))
		return rc;
	ksqlite_bind_text(s, 1, name);
	ksqlite_bind_text(s, 2, path);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);

		if ((data && n && kbuf_add(data, b, n) < 0) || (type && !(*type = strdup(col(s, 1) ? col(s, 1) : ""))))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		else if (data && !n && kbuf_add(data, "", 0) < 0)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no file \"%.*s\" in report \"%.*s\"", kutf8_cut(path, 100), path,
			      kutf8_cut(name, 100), name);
	} else {
		rc = ksqlite_db_err(st, err, "reading a report's file");
	}
	sqlite3_finalize(s);
	return rc;
}

int kstore_pubreport_delete(struct kstore *kst, const char *name, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	long long rid;
	int rc, own;

	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	rid = report_rid(st, name, err);
	if (rid < 0)
		rc = (int)rid;
	else if (!rid)
		rc = kerr_set(err, KE_NOTFOUND, "no published report named \"%.*s\"", kutf8_cut(name, 100), name);
	else if (!(rc = delete_rid(st, rid, err)))
		rc = ksqlite_audit(st, "report.delete", "report", name, NULL, err);
	return ksqlite_wend(st, own, rc, err);
}
