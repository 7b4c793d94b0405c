/*
 * store_sqlite_report.c - the SQLite backend of store_report.h: incidents,
 * their reports and status history, case drafts and the store's settings,
 * in the tables of migration 8 (store_sqlite.c).  Bound parameters only;
 * SQL a PostgreSQL backend could follow (ON CONFLICT, "1 = 1", no
 * INSERT OR IGNORE, bit tests written "(x & :bits) <> 0").
 *
 * Every write is ksqlite_wbegin()/ksqlite_wend(): a transaction of its own,
 * or a savepoint inside the caller's, and its audit row is written in it;
 * a write that fails leaves nothing behind.  The incident number is
 * computed inside that transaction (a write transaction is BEGIN
 * IMMEDIATE: one writer at a time, so two connections never take the same
 * number; the id is UNIQUE besides).
 *
 * Who may see which incident is one function, incident_visible_sql(),
 * the translation of reader.c's kreader_incident_rule() into SQL, as
 * ksqlite_visible_sql() is for cases.  Overdue in SQL is OVERDUE_SQL, the
 * same test as report.c's kincident_overdue().
 */
#include "store_report.h"
#include "store_sqlite.h"
#include "account.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "utf8.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int nomem(struct kerr *err)
{
	return kerr_set(err, KE_NOMEM, "out of memory");
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A copy of column i, NULL for NULL; *bad set when out of memory. */
static char *dup_col(sqlite3_stmt *s, int i, int *bad)
{
	const char *t = col(s, i);
	char *d;

	if (!t)
		return NULL;
	if (!(d = strdup(t)))
		*bad = 1;
	return d;
}

static void bind_name_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0 && v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_name_int(sqlite3_stmt *s, const char *name, long long v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_int64(s, i, v);
}

/* The actor's name for columns that must name someone ("unknown" as the audit log says). */
static const char *actor_or_unknown(struct kstore_sqlite *st)
{
	const char *a = ksqlite_actor(st);

	return a && *a ? a : "unknown";
}

/* The compact JSON text of j (UTF-8 as it is, not \u escapes), or NULL. */
static char *dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* ---- settings ------------------------------------------------------------------ */

#define KEY_FOLLOWUP "deadline.followup_hours"
#define KEY_FINAL "deadline.final_hours"
#define DEADLINE_MAX_HOURS 87600L /* ten years */

static int ksqlite_deadlines_get(struct kstore *kst, struct kdeadlines *d, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	const struct kdeadlines def = KDEADLINES_DEFAULT;
	sqlite3_stmt *s = NULL;
	int rc, step;

	*d = def;
	if ((rc = ksqlite_prepare(st, "SELECT key, value FROM settings WHERE key IN ('" KEY_FOLLOWUP "', '"
				  KEY_FINAL "')", &s, err)))
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = col(s, 0), *v = col(s, 1);
		char *end;
		long h = v ? strtol(v, &end, 10) : 0;

		if (!v || end == v || *end || h < 1 || h > DEADLINE_MAX_HOURS) {
			rc = kerr_set(err, KE_DB, "the stored setting %s is not a number of hours (%.20s): set the "
				      "deadlines again", k, v ? v : "");
			goto out;
		}
		if (!strcmp(k, KEY_FOLLOWUP))
			d->followup_hours = h;
		else
			d->final_hours = h;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the deadlines");
out:
	sqlite3_finalize(s);
	return rc;
}

static int put_setting(struct kstore_sqlite *st, const char *key, long v, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	char buf[32];
	int rc;

	snprintf(buf, sizeof(buf), "%ld", v);
	if ((rc = ksqlite_prepare(st, "INSERT INTO settings(key, value) VALUES(?1, ?2)"
				  " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, buf, -1, SQLITE_STATIC);
	rc = ksqlite_step_done(st, s, err, "storing the deadlines");
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_deadlines_set(struct kstore *kst, const struct kdeadlines *d, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char detail[96];
	int rc, own;

	if (d->followup_hours < 1 || d->followup_hours > DEADLINE_MAX_HOURS)
		return kerr_set(err, KE_INVALID, "followup_hours: must be a number of hours from 1 to %ld",
				DEADLINE_MAX_HOURS);
	if (d->final_hours < 1 || d->final_hours > DEADLINE_MAX_HOURS)
		return kerr_set(err, KE_INVALID, "final_hours: must be a number of hours from 1 to %ld",
				DEADLINE_MAX_HOURS);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	snprintf(detail, sizeof(detail), "followup %ld h, final %ld h", d->followup_hours, d->final_hours);
	if (!(rc = put_setting(st, KEY_FOLLOWUP, d->followup_hours, err)) &&
	    !(rc = put_setting(st, KEY_FINAL, d->final_hours, err)))
		rc = ksqlite_audit(st, "settings.deadlines", "settings", "deadlines", detail, err);
	return ksqlite_wend(st, own, rc, err);
}

/* ---- who may see which incident ------------------------------------------------- */

/* "COL IN ('clear','green')" for the TLP levels of mask m (not 0). */
static int tlp_in(struct kbuf *b, const char *column, unsigned m)
{
	static const char *const names[] = { "'clear'", "'green'", "'amber'", "'amber+strict'", "'red'" };
	int rc = kbuf_addf(b, "%s IN (", column);

	for (int i = 0, n = 0; i < 5; i++)
		if (m >> i & 1)
			rc |= kbuf_addf(b, "%s%s", n++ ? "," : "", names[i]);
	return rc | kbuf_addch(b, ')');
}

/*
 * The one translation of kreader_incident_rule() (reader.c) into SQL: for
 * each TLP level the rule is all, never, or a condition on the incident
 * (its organisation is the reader's, by name as kreader_may_see_incident()
 * compares; its sector is one of the reader's).  A condition the reader
 * cannot meet (no organisation, no sectors) is left out.  Appends lead and
 * "(...)" on incidents aliased i, with :ivis_org and :ivis_sN bound by
 * bind_incident_visible(); nothing when r sees every incident.  0 or
 * KE_NOMEM.
 */
static int incident_visible_sql(const struct kreader *r, const char *lead, struct kbuf *sql)
{
	unsigned all = 0, org = 0, sec = 0;
	int rc = 0, n = 0, have_sector = 0;

	for (size_t k = 0; r && k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
		if (r->sectors[k] && *r->sectors[k])
			have_sector = 1;
	for (int i = 0; i < 5; i++) {
		unsigned rule = kreader_incident_rule(r, i);

		if (rule & KRULE_ALL) {
			all |= 1u << i;
			continue;
		}
		if ((rule & KRULE_OWN_ORG) && r && r->org && *r->org)
			org |= 1u << i;
		if ((rule & KRULE_SECTORS) && have_sector)
			sec |= 1u << i;
	}
	if (all == 0x1f)
		return 0;
	rc |= kbuf_adds(sql, lead);
	rc |= kbuf_addch(sql, '(');
	if (all) {
		rc |= tlp_in(sql, "i.tlp", all);
		n++;
	}
	if (org) {
		rc |= kbuf_adds(sql, n++ ? " OR (" : "(");
		rc |= tlp_in(sql, "i.tlp", org);
		rc |= kbuf_adds(sql, " AND i.org = :ivis_org)");
	}
	if (sec) {
		rc |= kbuf_adds(sql, n++ ? " OR (" : "(");
		rc |= tlp_in(sql, "i.tlp", sec);
		rc |= kbuf_adds(sql, " AND i.sector IN (");
		for (size_t k = 0, m = 0; k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
			if (r->sectors[k] && *r->sectors[k])
				rc |= kbuf_addf(sql, "%s:ivis_s%zu", m++ ? ", " : "", k);
		rc |= kbuf_adds(sql, "))");
	}
	if (!n)
		rc |= kbuf_adds(sql, "1 = 0"); /* nothing at all */
	rc |= kbuf_addch(sql, ')');
	return rc ? KE_NOMEM : 0;
}

static void bind_incident_visible(sqlite3_stmt *s, const struct kreader *r)
{
	char name[16];

	if (!r || r->kind != KREADER_USER)
		return;
	bind_name_text(s, ":ivis_org", r->org);
	for (size_t k = 0; k < r->nsectors && k < KREADER_MAX_SECTORS; k++) {
		snprintf(name, sizeof(name), ":ivis_s%zu", k);
		bind_name_text(s, name, r->sectors[k]);
	}
}

/* ---- the query -------------------------------------------------------------------- */

/*
 * Overdue at :now, as kincident_overdue() (report.c) says: not closed or
 * withdrawn, and a follow-up due (no report after the first) or the final
 * report due (none yet).  Times are UTC ISO text: they compare as text.
 */
#define OVERDUE_SQL "(i.status NOT IN ('closed', 'withdrawn') AND i.final_at IS NULL AND" \
		    " ((i.nreports <= 1 AND i.due_followup < :now) OR i.due_final < :now))"

/* The filters of a query, to leave one out when counting it. */
enum { F_STATUS = 1, F_SECTOR = 2, F_EVENT = 4, F_OVERDUE = 8, F_CANDIDATE = 16 };

#define MAX_WORDS 8

/* A query's words as LIKE patterns ("%word%", with % _ \ escaped by \). */
struct words {
	char *pat[MAX_WORDS];
	int n;
};

static void words_free(struct words *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->pat[i]);
	w->n = 0;
}

/* Split text at spaces (ASCII and the ideographic space U+3000). */
static int words_parse(const char *text, struct words *w)
{
	const char *p = text;

	w->n = 0;
	while (p && *p && w->n < MAX_WORDS) {
		struct kbuf b = KBUF_INIT;
		size_t len;
		int rc;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || !strncmp(p, "\xe3\x80\x80", 3))
			p += *p == '\xe3' ? 3 : 1;
		for (len = 0; p[len] && p[len] != ' ' && p[len] != '\t' && p[len] != '\n' && p[len] != '\r' &&
			      strncmp(p + len, "\xe3\x80\x80", 3); len++)
			;
		if (!len)
			break;
		rc = kbuf_addch(&b, '%');
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
				rc |= kbuf_addch(&b, '\\');
			rc |= kbuf_addch(&b, p[i]);
		}
		rc |= kbuf_addch(&b, '%');
		if (rc) {
			kbuf_release(&b);
			words_free(w);
			return KE_NOMEM;
		}
		w->pat[w->n++] = kbuf_detach(&b, NULL);
		p += len;
	}
	return 0;
}

/* " WHERE 1 = 1 AND ..." for q on incidents i, leaving out the filters in skip. */
static int where_sql(const struct kincident_query *q, const struct words *w, unsigned skip, struct kbuf *sql)
{
	int rc = kbuf_adds(sql, " WHERE 1 = 1");

	if (q->statuses && !(skip & F_STATUS)) {
		int n = 0;

		rc |= kbuf_adds(sql, " AND i.status IN (");
		for (int i = 0; i < KINC__N; i++)
			if (q->statuses >> i & 1)
				rc |= kbuf_addf(sql, "%s'%s'", n++ ? ", " : "", kincident_status_name(i));
		rc |= kbuf_adds(sql, n ? ")" : "NULL)");
	}
	if (q->sector && !(skip & F_SECTOR))
		rc |= kbuf_adds(sql, " AND i.sector = :sector");
	if (q->event_types && !(skip & F_EVENT))
		rc |= kbuf_adds(sql, " AND (i.event_types & :evt) <> 0");
	if (q->org)
		rc |= kbuf_adds(sql, " AND i.org = :org");
	if (q->since)
		rc |= kbuf_adds(sql, " AND i.detected_utc >= :since");
	if (q->until)
		rc |= kbuf_adds(sql, " AND i.detected_utc < :until");
	if (q->candidate && !(skip & F_CANDIDATE))
		rc |= kbuf_adds(sql, " AND i.candidate = 1");
	if (q->overdue && !(skip & F_OVERDUE))
		rc |= kbuf_adds(sql, " AND " OVERDUE_SQL);
	for (int k = 0; k < w->n; k++)
		rc |= kbuf_addf(sql, " AND (i.title LIKE :w%d ESCAPE '\\' OR EXISTS (SELECT 1 FROM incident_reports wr"
				" WHERE wr.incident = i.rid AND wr.body LIKE :w%d ESCAPE '\\'))", k, k);
	if (rc)
		return KE_NOMEM;
	return incident_visible_sql(q->reader, " AND ", sql);
}

static void bind_query(sqlite3_stmt *s, const struct kincident_query *q, const struct words *w)
{
	char now[KTIME_LEN + 1], name[16];
	const char *sector = q->sector ? ksector_parse(q->sector) : NULL;

	ktime_iso(q->now ? q->now : kreport_now(), now);
	bind_name_text(s, ":now", now);
	bind_name_text(s, ":sector", sector ? sector : q->sector);
	bind_name_int(s, ":evt", q->event_types);
	bind_name_text(s, ":org", q->org);
	bind_name_text(s, ":since", q->since);
	bind_name_text(s, ":until", q->until);
	for (int k = 0; k < w->n; k++) {
		snprintf(name, sizeof(name), ":w%d", k);
		bind_name_text(s, name, w->pat[k]);
	}
	bind_incident_visible(s, q->reader);
	bind_name_int(s, ":limit", q->limit > 0 ? q->limit : -1);
	bind_name_int(s, ":offset", q->offset > 0 ? q->offset : 0);
}

/* ---- reading incidents ------------------------------------------------------------ */

#define INC_COLS "i.id, i.title, i.org_id, i.org, i.sector, i.tlp, i.status, i.candidate, i.event_types," \
		 " i.cause_types, i.service_affected, i.occurred_at, i.detected_at, i.detected_utc, i.filed_by," \
		 " i.created, i.updated, i.due_followup, i.due_final, i.nreports, i.final_at, i.case_id"
#define INC_NCOLS 22

/* inc (kincident_free()d first) from a row of INC_COLS and, at INC_NCOLS, the first report's JSON or NULL. */
static int fill_incident(sqlite3_stmt *s, struct kincident *inc, struct kerr *err)
{
	int bad = 0, st;

	kincident_free(inc);
	inc->id = dup_col(s, 0, &bad);
	inc->title = dup_col(s, 1, &bad);
	inc->org_id = sqlite3_column_int64(s, 2);
	inc->org = dup_col(s, 3, &bad);
	inc->sector = dup_col(s, 4, &bad);
	inc->tlp = dup_col(s, 5, &bad);
	st = kincident_status_parse(col(s, 6));
	inc->status = st < 0 ? KINC_RECEIVED : st;
	inc->candidate = sqlite3_column_int(s, 7);
	inc->event_types = (unsigned)sqlite3_column_int64(s, 8);
	inc->cause_types = (unsigned)sqlite3_column_int64(s, 9);
	inc->service_affected = ktri_parse(col(s, 10));
	inc->occurred_at = dup_col(s, 11, &bad);
	inc->detected_at = dup_col(s, 12, &bad);
	inc->detected_utc = dup_col(s, 13, &bad);
	inc->filed_by = dup_col(s, 14, &bad);
	inc->created = dup_col(s, 15, &bad);
	inc->updated = dup_col(s, 16, &bad);
	inc->due_followup = dup_col(s, 17, &bad);
	inc->due_final = dup_col(s, 18, &bad);
	inc->nreports = sqlite3_column_int(s, 19);
	inc->final_at = dup_col(s, 20, &bad);
	inc->case_id = dup_col(s, 21, &bad);
	if (!bad && sqlite3_column_count(s) > INC_NCOLS && col(s, INC_NCOLS)) {
		json_error_t je;

		if (!(inc->first = json_loads(col(s, INC_NCOLS), 0, &je))) {
			kincident_free(inc);
			return kerr_set(err, KE_DB, "incident %s: the stored first report is damaged: %s",
					col(s, 0), je.text);
		}
	}
	if (bad) {
		kincident_free(inc);
		return nomem(err);
	}
	return 0;
}

static int ksqlite_incident_get(struct kstore *kst, const char *id, struct kincident *inc, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	kincident_free(inc);
	if ((rc = ksqlite_prepare(st, "SELECT " INC_COLS ", f.body FROM incidents i LEFT JOIN incident_reports f"
				  " ON f.incident = i.rid AND f.seq = 1 WHERE i.id = ?1", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = fill_incident(s, inc, err);
	else if (step == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no incident %.*s", kutf8_cut(id, 40), id);
	else
		rc = ksqlite_db_err(st, err, "reading the incident");
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_incident_list(struct kstore *kst, const struct kincident_query *q, kstore_incident_cb cb,
				 void *ctx, long *total, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf where = KBUF_INIT, sql = KBUF_INIT;
	struct kincident inc = { 0 };
	struct words w = { .n = 0 };
	sqlite3_stmt *s = NULL;
	const char *dir = q->oldest_first ? "ASC" : "DESC";
	int rc, step;

	if (total)
		*total = 0;
	if ((rc = words_parse(q->text, &w)) || (rc = where_sql(q, &w, 0, &where))) {
		rc = nomem(err);
		goto out;
	}
	if (total) {
		if (kbuf_addf(&sql, "SELECT count(*) FROM incidents i%s", kbuf_str(&where)) < 0) {
			rc = nomem(err);
			goto out;
		}
		if ((rc = ksqlite_prepare(st, kbuf_str(&sql), &s, err)))
			goto out;
		bind_query(s, q, &w);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = ksqlite_db_err(st, err, "counting incidents");
			goto out;
		}
		*total = (long)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		s = NULL;
		kbuf_reset(&sql);
	}
	if (kbuf_addf(&sql, "SELECT " INC_COLS "%s FROM incidents i%s%s ORDER BY i.created %s, i.rid %s%s",
		      q->with_first ? ", f.body" : "",
		      q->with_first ? " LEFT JOIN incident_reports f ON f.incident = i.rid AND f.seq = 1" : "",
		      kbuf_str(&where), dir, dir,
		      q->limit > 0 || q->offset > 0 ? " LIMIT :limit OFFSET :offset" : "") < 0) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = ksqlite_prepare(st, kbuf_str(&sql), &s, err)))
		goto out;
	bind_query(s, q, &w);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = fill_incident(s, &inc, err)) || (rc = cb(ctx, &inc)))
			goto out;
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "listing incidents");
out:
	kincident_free(&inc);
	sqlite3_finalize(s);
	words_free(&w);
	kbuf_release(&where);
	kbuf_release(&sql);
	return rc;
}

/* One count statement: SELECT head FROM incidents i WHERE (q but skip) [AND extra] [tail]. */
static int count_stmt(struct kstore_sqlite *st, const struct kincident_query *q, const struct words *w,
		      unsigned skip, const char *head, const char *extra, const char *tail, sqlite3_stmt **s,
		      struct kerr *err)
{
	struct kbuf sql = KBUF_INIT;
	int rc;

	*s = NULL;
	if (kbuf_addf(&sql, "SELECT %s FROM incidents i", head) < 0 || where_sql(q, w, skip, &sql) < 0 ||
	    (extra && kbuf_addf(&sql, " AND %s", extra) < 0) || (tail && kbuf_adds(&sql, tail) < 0)) {
		kbuf_release(&sql);
		return nomem(err);
	}
	if (!(rc = ksqlite_prepare(st, kbuf_str(&sql), s, err)))
		bind_query(*s, q, w);
	kbuf_release(&sql);
	return rc;
}

static int ksqlite_incident_counts(struct kstore *kst, const struct kincident_query *q, kstore_count_cb cb,
				   void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct words w = { .n = 0 };
	sqlite3_stmt *s = NULL;
	long n[KINC__N] = { 0 };
	struct kbuf head = KBUF_INIT;
	int rc, step;

	if ((rc = words_parse(q->text, &w))) {
		rc = nomem(err);
		goto out;
	}
	/* status: every one, 0 included */
	if ((rc = count_stmt(st, q, &w, F_STATUS, "i.status, count(*)", NULL, " GROUP BY i.status", &s, err)))
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int i = kincident_status_parse(col(s, 0));

		if (i >= 0)
			n[i] = (long)sqlite3_column_int64(s, 1);
	}
	if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "counting incidents");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	for (int i = 0; i < KINC__N; i++)
		if ((rc = cb(ctx, "status", kincident_status_name(i), n[i])))
			goto out;
	/* sectors: those that have incidents */
	if ((rc = count_stmt(st, q, &w, F_SECTOR, "i.sector, count(*)", NULL, " GROUP BY i.sector ORDER BY i.sector",
			     &s, err)))
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb(ctx, "sector", col(s, 0), (long)sqlite3_column_int64(s, 1))))
			goto out;
	if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "counting incidents");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* event types: every one, 0 included */
	for (int i = 0; i < KEVT_N; i++)
		if (kbuf_addf(&head, "%ssum(CASE WHEN (i.event_types & %u) <> 0 THEN 1 ELSE 0 END)", i ? ", " : "",
			      1u << i) < 0) {
			rc = nomem(err);
			goto out;
		}
	if ((rc = count_stmt(st, q, &w, F_EVENT, kbuf_str(&head), NULL, NULL, &s, err)))
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = ksqlite_db_err(st, err, "counting incidents");
		goto out;
	}
	for (int i = 0; i < KEVT_N; i++)
		if ((rc = cb(ctx, "event_type", kevent_type_code(i), (long)sqlite3_column_int64(s, i))))
			goto out;
	sqlite3_finalize(s);
	s = NULL;
	/* overdue and candidates: always given */
	for (int k = 0; k < 2; k++) {
		if ((rc = count_stmt(st, q, &w, k ? F_CANDIDATE : F_OVERDUE, "count(*)",
				     k ? "i.candidate = 1" : OVERDUE_SQL, NULL, &s, err)))
			goto out;
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = ksqlite_db_err(st, err, "counting incidents");
			goto out;
		}
		if ((rc = cb(ctx, k ? "candidate" : "overdue", "yes", (long)sqlite3_column_int64(s, 0))))
			goto out;
		sqlite3_finalize(s);
		s = NULL;
	}
out:
	sqlite3_finalize(s);
	kbuf_release(&head);
	words_free(&w);
	return rc;
}

/* ---- writing incidents ------------------------------------------------------------- */

/* The rid of incident id into *rid (and its status, final_at column into the optional outs).  KE_NOTFOUND. */
static int find_incident(struct kstore_sqlite *st, const char *id, long long *rid, int *status, int *has_final,
			 int *candidate, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT rid, status, final_at IS NOT NULL, candidate FROM incidents"
				  " WHERE id = ?1", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*rid = sqlite3_column_int64(s, 0);
		if (status)
			*status = kincident_status_parse(col(s, 1));
		if (has_final)
			*has_final = sqlite3_column_int(s, 2);
		if (candidate)
			*candidate = sqlite3_column_int(s, 3);
	} else if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no incident %.*s", kutf8_cut(id, 40), id);
	} else {
		rc = ksqlite_db_err(st, err, "reading the incident");
	}
	sqlite3_finalize(s);
	return rc;
}

/* A row in the incident's status history (from/to -1: NULL). */
static int status_row(struct kstore_sqlite *st, long long rid, const char *at, int from, int to, const char *note,
		      struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = ksqlite_prepare(st, "INSERT INTO incident_status(incident, at, actor, old, new, note)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
	ksqlite_bind_text(s, 4, kincident_status_name(from));
	ksqlite_bind_text(s, 5, kincident_status_name(to));
	sqlite3_bind_text(s, 6, note ? note : "", -1, SQLITE_STATIC);
	rc = ksqlite_step_done(st, s, err, "recording the status");
	sqlite3_finalize(s);
	return rc;
}

/* A stored report: a copy of rep with seq, kind, submitted and author; its text into *text. */
static int stored_report(const json_t *rep, int seq, enum kreport_kind kind, const char *submitted,
			 const char *author, json_t **out, char **text, struct kerr *err)
{
	json_t *j = json_copy((json_t *)rep);

	*out = NULL;
	*text = NULL;
	if (!j || json_object_set_new(j, "seq", json_integer(seq)) ||
	    json_object_set_new(j, "kind", json_string(kreport_kind_name(kind))) ||
	    json_object_set_new(j, "submitted", json_string(submitted)) ||
	    json_object_set_new(j, "author", json_string(author)) || !(*text = dump(j))) {
		json_decref(j);
		return nomem(err);
	}
	*out = j;
	return 0;
}

static int insert_report(struct kstore_sqlite *st, long long rid, int seq, enum kreport_kind kind,
			 const char *submitted, const char *text, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = ksqlite_prepare(st, "INSERT INTO incident_reports(incident, seq, kind, submitted, author, body)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int(s, 2, seq);
	sqlite3_bind_text(s, 3, kreport_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, submitted, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, text, -1, SQLITE_STATIC);
	rc = ksqlite_step_done(st, s, err, "storing the report");
	sqlite3_finalize(s);
	return rc;
}

/* The next number in year's ids ("IR-YYYY-" prefix). */
static int next_number(struct kstore_sqlite *st, const char *prefix, long *n, struct kerr *err)
{
	char hi[16];
	sqlite3_stmt *s = NULL;
	int rc;

	/* the ids of the year sort between "IR-YYYY-" and "IR-YYYY." ('.' follows '-') */
	snprintf(hi, sizeof(hi), "%.*s.", (int)strlen(prefix) - 1, prefix);
	if ((rc = ksqlite_prepare(st, "SELECT max(CAST(substr(id, 9) AS INTEGER)) FROM incidents"
				  " WHERE id >= ?1 AND id < ?2", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(s, 0) + 1;
	else
		rc = ksqlite_db_err(st, err, "numbering the incident");
	sqlite3_finalize(s);
	return rc;
}

/* Is s a required text member that is there? */
static int need(const char *s, const char *field, struct kerr *err)
{
	if (!s || !*s)
		return kerr_set(err, KE_INVALID, "%s: is required", field);
	return 0;
}


/* The organisation named name, if the database has it: its id into *id (left alone if not). */
static int org_by_name(struct kstore_sqlite *st, const char *name, long long *id, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT id FROM orgs WHERE name = ?1", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the organisation");
	sqlite3_finalize(s);
	return rc;
}

/* Replace *dst with src (taken). */
static void take(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

static int ksqlite_incident_add(struct kstore *kst, struct kincident *inc, time_t now, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char created[KTIME_LEN + 1], utc[KTIME_LEN + 1], prefix[16], id[32];
	struct kincident due = { .created = created };
	struct kbuf detail = KBUF_INIT;
	struct kdeadlines d;
	sqlite3_stmt *s = NULL;
	json_t *first = NULL;
	char *text = NULL, *nid = NULL, *ncreated = NULL, *nupdated = NULL, *nfiled = NULL, *nutc = NULL;
	const char *sector;
	long long rid, org_id = inc->org_id;
	struct tm tm;
	long number = 0;
	int rc, own, year;

	if ((rc = need(inc->title, "title", err)) || (rc = need(inc->org, "organization", err)) ||
	    (rc = need(inc->sector, "sector", err)) || (rc = need(inc->tlp, "tlp", err)) ||
	    (rc = need(inc->detected_at, "detected_at", err)))
		return rc;
	if (ktlp_rank(inc->tlp) < 0)
		return kerr_set(err, KE_INVALID, "tlp: \"%.*s\" is not a TLP level", kutf8_cut(inc->tlp, 20),
				inc->tlp);
	if (!(sector = ksector_parse(inc->sector)))
		return kerr_set(err, KE_INVALID, "sector: \"%.*s\" is not one of the 15 sectors",
				kutf8_cut(inc->sector, 40), inc->sector);
	if (!json_is_object(inc->first))
		return kerr_set(err, KE_INVALID, "the first report is missing");
	if (!inc->detected_utc) {
		time_t t;

		if ((rc = kreport_time_parse(inc->detected_at, &t, err))) {
			kerr_prefix(err, "detected_at");
			return rc;
		}
		ktime_iso(t, utc);
	}
	if (!gmtime_r(&now, &tm) || (year = tm.tm_year + 1900) < 1970 || year > 9999)
		return kerr_set(err, KE_INVALID, "the clock is not a time from 1970 to 9999");
	ktime_iso(now, created);
	snprintf(prefix, sizeof(prefix), "IR-%04d-", year);

	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	/* the deadlines and the number as this transaction sees them */
	if ((rc = ksqlite_deadlines_get(kst, &d, err)))
		goto out;
	if ((rc = kincident_set_due(&due, &d))) {
		rc = rc == KE_NOMEM ? nomem(err) : kerr_set(err, rc, "cannot compute the due times");
		goto out;
	}
	if (!org_id && (rc = org_by_name(st, inc->org, &org_id, err)))
		goto out;
	if ((rc = next_number(st, prefix, &number, err)))
		goto out;
	snprintf(id, sizeof(id), "%s%04ld", prefix, number);
	if ((rc = ksqlite_prepare(st, "INSERT INTO incidents(id, title, org_id, org, sector, tlp, status, candidate,"
				  " event_types, cause_types, service_affected, occurred_at, detected_at, detected_utc,"
				  " filed_by, created, updated, due_followup, due_final, nreports)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'received', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
				  " ?15, ?15, ?16, ?17, 1)", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, inc->title, -1, SQLITE_STATIC);
	if (org_id)
		sqlite3_bind_int64(s, 3, org_id);
	sqlite3_bind_text(s, 4, inc->org, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sector, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, inc->tlp, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, !!inc->candidate);
	sqlite3_bind_int64(s, 8, inc->event_types);
	sqlite3_bind_int64(s, 9, inc->cause_types);
	ksqlite_bind_text(s, 10, ktri_name(inc->service_affected));
	ksqlite_bind_text(s, 11, inc->occurred_at);
	sqlite3_bind_text(s, 12, inc->detected_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, inc->detected_utc ? inc->detected_utc : utc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 15, created, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, due.due_followup, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 17, due.due_final, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "storing the incident")))
		goto out;
	rid = sqlite3_last_insert_rowid(st->db);
	if ((rc = stored_report(inc->first, 1, KREPORT_FIRST, created, actor_or_unknown(st), &first, &text, err)) ||
	    (rc = insert_report(st, rid, 1, KREPORT_FIRST, created, text, err)) ||
	    (rc = status_row(st, rid, created, -1, KINC_RECEIVED, "", err)))
		goto out;
	if (kbuf_addf(&detail, "org %s; sector %s; tlp %s", inc->org, sector, inc->tlp) < 0) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = ksqlite_audit(st, "incident.add", "incident", id, kbuf_str(&detail), err)))
		goto out;
	/* what inc gets, made before the commit (nothing can fail after it) */
	if (!(nid = strdup(id)) || !(ncreated = strdup(created)) || !(nupdated = strdup(created)) ||
	    !(nfiled = strdup(actor_or_unknown(st))) || (!inc->detected_utc && !(nutc = strdup(utc))))
		rc = nomem(err);
out:
	sqlite3_finalize(s);
	rc = ksqlite_wend(st, own, rc, err);
	if (!rc) {
		take(&inc->id, &nid);
		take(&inc->created, &ncreated);
		take(&inc->updated, &nupdated);
		take(&inc->filed_by, &nfiled);
		take(&inc->due_followup, &due.due_followup);
		take(&inc->due_final, &due.due_final);
		if (nutc)
			take(&inc->detected_utc, &nutc);
		if (strcmp(inc->sector, sector)) {
			char *t = strdup(sector);

			if (t)
				take(&inc->sector, &t);
		}
		free(inc->final_at);
		inc->final_at = NULL;
		inc->org_id = org_id;
		inc->status = KINC_RECEIVED;
		inc->nreports = 1;
		json_decref(inc->first);
		inc->first = first;
		first = NULL;
	}
	json_decref(first);
	free(text);
	free(nid);
	free(ncreated);
	free(nupdated);
	free(nfiled);
	free(nutc);
	free(due.due_followup);
	free(due.due_final);
	kbuf_release(&detail);
	return rc;
}

static int ksqlite_incident_report(struct kstore *kst, struct kincident *inc, json_t *rep, time_t now, int *seq,
				   struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char at[KTIME_LEN + 1], detail[64];
	sqlite3_stmt *s = NULL;
	json_t *stored = NULL;
	char *text = NULL, *nupdated = NULL, *nfinal = NULL;
	long long rid = 0;
	int rc, own, kind, has_final = 0, n = 0;

	if (!inc || !inc->id)
		return kerr_set(err, KE_NOTFOUND, "no incident given");
	if (!json_is_object(rep))
		return kerr_set(err, KE_INVALID, "a report is a JSON object");
	kind = kreport_kind_parse(json_string_value(json_object_get(rep, "kind")));
	if (kind != KREPORT_FOLLOWUP && kind != KREPORT_FINAL)
		return kerr_set(err, KE_INVALID, "kind: must be \"followup\" or \"final\"");
	ktime_iso(now, at);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = find_incident(st, inc->id, &rid, NULL, &has_final, NULL, err)))
		goto out;
	if (kind == KREPORT_FINAL && has_final) {
		rc = kerr_set(err, KE_INVALID, "incident %s has its final report already: a correction is a follow-up",
			      inc->id);
		goto out;
	}
	if ((rc = ksqlite_prepare(st, "SELECT coalesce(max(seq), 0) + 1 FROM incident_reports WHERE incident = ?1",
				  &s, err)))
		goto out;
	sqlite3_bind_int64(s, 1, rid);
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = ksqlite_db_err(st, err, "numbering the report");
		goto out;
	}
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if ((rc = stored_report(rep, n, (enum kreport_kind)kind, at, actor_or_unknown(st), &stored, &text, err)) ||
	    (rc = insert_report(st, rid, n, (enum kreport_kind)kind, at, text, err)))
		goto out;
	if ((rc = ksqlite_prepare(st, "UPDATE incidents SET event_types = ?2, cause_types = ?3,"
				  " service_affected = coalesce(?4, service_affected), nreports = ?5, updated = ?6,"
				  " final_at = CASE WHEN ?7 = 1 THEN ?6 ELSE final_at END WHERE rid = ?1", &s, err)))
		goto out;
	sqlite3_bind_int64(s, 1, rid);
	sqlite3_bind_int64(s, 2, inc->event_types);
	sqlite3_bind_int64(s, 3, inc->cause_types);
	ksqlite_bind_text(s, 4, ktri_name(inc->service_affected));
	sqlite3_bind_int(s, 5, n);
	sqlite3_bind_text(s, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, kind == KREPORT_FINAL);
	if ((rc = ksqlite_step_done(st, s, err, "updating the incident")))
		goto out;
	snprintf(detail, sizeof(detail), "%s %d", kreport_kind_name((enum kreport_kind)kind), n);
	if ((rc = ksqlite_audit(st, "incident.report", "incident", inc->id, detail, err)))
		goto out;
	if (!(nupdated = strdup(at)) || (kind == KREPORT_FINAL && !(nfinal = strdup(at))))
		rc = nomem(err);
out:
	sqlite3_finalize(s);
	rc = ksqlite_wend(st, own, rc, err);
	if (!rc) {
		take(&inc->updated, &nupdated);
		if (nfinal)
			take(&inc->final_at, &nfinal);
		inc->nreports = n;
		if (seq)
			*seq = n;
	}
	json_decref(stored);
	free(text);
	free(nupdated);
	free(nfinal);
	return rc;
}

static int ksqlite_incident_reports(struct kstore *kst, const char *id, kstore_report_cb cb, void *ctx,
				    struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	long long rid = 0;
	int rc, step;

	if ((rc = find_incident(st, id, &rid, NULL, NULL, NULL, err)))
		return rc;
	if ((rc = ksqlite_prepare(st, "SELECT seq, kind, submitted, author, body FROM incident_reports"
				  " WHERE incident = ?1 ORDER BY seq", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int kind = kreport_kind_parse(col(s, 1));
		struct kreport_row r = {
			.seq = sqlite3_column_int(s, 0),
			.kind = kind < 0 ? KREPORT_FOLLOWUP : (enum kreport_kind)kind,
			.submitted = col(s, 2),
			.author = col(s, 3),
			.json = col(s, 4),
		};

		if ((rc = cb(ctx, &r)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the reports");
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * One change of an incident, in one transaction: sql sets a column of it
 * (?1 its rid, ?2 the value: sval as text, or ival when sval is NULL, ?3
 * the time), then its row in the status history (the status it had ->
 * status; status -1 for a change that is not one: the note says what) and
 * its audit row (action; detail, or "OLD -> NEW" of the status when NULL).
 */
static int incident_change(struct kstore_sqlite *st, const char *id, const char *sql, const char *sval, int ival,
			   int status, const char *note, const char *action, const char *detail, time_t now,
			   struct kerr *err)
{
	char at[KTIME_LEN + 1];
	struct kbuf buf = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	long long rid = 0;
	int rc, own, old = -1;

	ktime_iso(now, at);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = find_incident(st, id, &rid, &old, NULL, NULL, err)))
		goto out;
	if ((rc = ksqlite_prepare(st, sql, &s, err)))
		goto out;
	sqlite3_bind_int64(s, 1, rid);
	if (sval)
		sqlite3_bind_text(s, 2, sval, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(s, 2, ival);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "updating the incident")) ||
	    (rc = status_row(st, rid, at, status < 0 ? -1 : old, status, note, err)))
		goto out;
	if (!detail && kbuf_addf(&buf, "%s -> %s", old >= 0 ? kincident_status_name(old) : "?",
				 kincident_status_name(status)) < 0) {
		rc = nomem(err);
		goto out;
	}
	rc = ksqlite_audit(st, action, "incident", id, detail ? detail : kbuf_str(&buf), err);
out:
	sqlite3_finalize(s);
	kbuf_release(&buf);
	return ksqlite_wend(st, own, rc, err);
}

static int ksqlite_incident_status(struct kstore *kst, const char *id, int status, const char *note, time_t now,
				   struct kerr *err)
{
	if (!kincident_status_name(status))
		return kerr_set(err, KE_INVALID, "status: %d is not a status", status);
	if (note && !kutf8_valid(note, strlen(note)))
		return kerr_set(err, KE_INVALID, "note: not valid UTF-8");
	if (note && strlen(note) > 20000)
		return kerr_set(err, KE_INVALID, "note: longer than 20,000 bytes");
	return incident_change(ksqlite(kst), id, "UPDATE incidents SET status = ?2, updated = ?3 WHERE rid = ?1",
			       kincident_status_name(status), 0, status, note, "incident.status", NULL, now, err);
}

static int ksqlite_incident_candidate(struct kstore *kst, const char *id, int on, time_t now, struct kerr *err)
{
	on = !!on;
	return incident_change(ksqlite(kst), id, "UPDATE incidents SET candidate = ?2, updated = ?3 WHERE rid = ?1",
			       NULL, on, -1, on ? "candidate on" : "candidate off", "incident.candidate",
			       on ? "on" : "off", now, err);
}

static int ksqlite_incident_history(struct kstore *kst, const char *id, kstore_status_cb cb, void *ctx,
				    struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	long long rid = 0;
	int rc, step;

	if ((rc = find_incident(st, id, &rid, NULL, NULL, NULL, err)))
		return rc;
	if ((rc = ksqlite_prepare(st, "SELECT at, actor, old, new, note FROM incident_status WHERE incident = ?1"
				  " ORDER BY id", &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, rid);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kstatus_row r = {
			.at = col(s, 0),
			.actor = col(s, 1),
			.from = col(s, 2) ? kincident_status_parse(col(s, 2)) : -1,
			.to = col(s, 3) ? kincident_status_parse(col(s, 3)) : -1,
			.note = col(s, 4) ? col(s, 4) : "",
		};

		if ((rc = cb(ctx, &r)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the status history");
out:
	sqlite3_finalize(s);
	return rc;
}

/* ---- case drafts ----------------------------------------------------------------- */

/* Is id a published case?  1, 0 or KE_DB. */
static int case_exists(struct kstore_sqlite *st, const char *id, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT 1 FROM cases WHERE id = ?1", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "looking up the case");
	sqlite3_finalize(s);
	return rc;
}

/* Keep a draft's version as a revision (draft 1): revision, body, saved and author of the row s at column i. */
static int save_draft_revision(struct kstore_sqlite *st, const char *id, sqlite3_stmt *row, int i,
			       struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = ksqlite_prepare(st, "INSERT INTO revisions(id, revision, body, saved, author, draft)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, 1) ON CONFLICT(id, revision) DO UPDATE SET"
				  " body = excluded.body, saved = excluded.saved, author = excluded.author, draft = 1",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, sqlite3_column_int(row, i));
	sqlite3_bind_text(s, 3, col(row, i + 1), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, col(row, i + 2), -1, SQLITE_TRANSIENT);
	ksqlite_bind_text(s, 5, col(row, i + 3));
	rc = ksqlite_step_done(st, s, err, "saving the previous revision");
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_draft_put(struct kstore *kst, const struct kcase *c, const char *incident, int *outcome,
			     struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kbuf json = KBUF_INIT;
	sqlite3_stmt *s = NULL, *u = NULL;
	char now[KTIME_LEN + 1], detail[32];
	long long rid = 0;
	int rc, own, step, exists = 0, rev = 1;

	if ((rc = need(c->id, "id", err)) || (rc = need(c->title, "title", err)))
		return rc;
	if (kcase_dump(c, &json) < 0)
		return nomem(err);
	ktime_now(now);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		goto done;
	if ((rc = case_exists(st, c->id, err)) != 0) {
		if (rc > 0)
			rc = kerr_set(err, KE_EXISTS, "id \"%.*s\" is a published case: a draft needs another id",
				      kutf8_cut(c->id, 100), c->id);
		goto out;
	}
	if ((rc = ksqlite_prepare(st, "SELECT rid, revision, body, updated, author FROM case_drafts WHERE id = ?1",
				  &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, c->id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		exists = 1;
		rid = sqlite3_column_int64(s, 0);
		rev = sqlite3_column_int(s, 1) + 1;
		if ((size_t)sqlite3_column_bytes(s, 2) == json.len && !memcmp(col(s, 2), json.buf, json.len)) {
			if (outcome)
				*outcome = KSTORE_UNCHANGED;
			goto out;
		}
		if ((rc = save_draft_revision(st, c->id, s, 1, err)))
			goto out;
	} else if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "looking up the draft");
		goto out;
	}
	if ((rc = ksqlite_prepare(st, exists ? "UPDATE case_drafts SET title = ?2, body = ?3, revision = ?4,"
				  " updated = ?5, author = ?6, incident = coalesce(?7, incident) WHERE rid = ?1"
				  : "INSERT INTO case_drafts(id, title, body, revision, created, updated, author, incident)"
				  " VALUES(?8, ?2, ?3, ?4, ?5, ?5, ?6, ?7)", &u, err)))
		goto out;
	sqlite3_bind_int64(u, 1, rid);
	sqlite3_bind_text(u, 2, c->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(u, 3, json.buf, (int)json.len, SQLITE_STATIC);
	sqlite3_bind_int(u, 4, rev);
	sqlite3_bind_text(u, 5, now, -1, SQLITE_STATIC);
	ksqlite_bind_text(u, 6, ksqlite_actor(st));
	ksqlite_bind_text(u, 7, incident);
	if (!exists)
		sqlite3_bind_text(u, 8, c->id, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, u, err, "storing the draft")))
		goto out;
	snprintf(detail, sizeof(detail), "revision %d", rev);
	if ((rc = ksqlite_audit(st, exists ? "draft.update" : "draft.add", "case", c->id, detail, err)))
		goto out;
	if (!exists && incident) {
		sqlite3_finalize(u);
		if ((rc = ksqlite_prepare(st, "UPDATE incidents SET case_id = ?2 WHERE id = ?1", &u, err)))
			goto out;
		sqlite3_bind_text(u, 1, incident, -1, SQLITE_STATIC);
		sqlite3_bind_text(u, 2, c->id, -1, SQLITE_STATIC);
		if ((rc = ksqlite_step_done(st, u, err, "linking the incident")))
			goto out;
		if (sqlite3_changes(st->db) == 0) {
			rc = kerr_set(err, KE_NOTFOUND, "incident: no incident %.*s", kutf8_cut(incident, 40), incident);
			goto out;
		}
		if ((rc = ksqlite_audit(st, "incident.case", "incident", incident, c->id, err)))
			goto out;
	}
	if (outcome)
		*outcome = exists ? KSTORE_UPDATED : KSTORE_CREATED;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	rc = ksqlite_wend(st, own, rc, err);
done:
	kbuf_release(&json);
	return rc;
}

static int case_from_text(struct kcase *c, const char *text, const char *id, struct kerr *err)
{
	json_error_t je;
	json_t *j = json_loads(text ? text : "", 0, &je);
	int rc;

	if (!j)
		return kerr_set(err, KE_DB, "%s: stored JSON is damaged: %s", id, je.text);
	rc = kcase_from_json(c, j, err);
	json_decref(j);
	return rc;
}

static int ksqlite_draft_get(struct kstore *kst, const char *id, struct kcase *c, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT body FROM case_drafts WHERE id = ?1", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		rc = case_from_text(c, col(s, 0), id, err);
	else if (step == SQLITE_DONE)
		rc = kerr_set(err, KE_NOTFOUND, "no draft with id \"%.*s\"", kutf8_cut(id, 100), id);
	else
		rc = ksqlite_db_err(st, err, "reading the draft");
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_draft_list(struct kstore *kst, kstore_draft_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT id, title, incident, author, updated, body, revision FROM case_drafts"
				  " ORDER BY updated DESC, rid DESC", &s, err)))
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kdraft_row d = {
			.id = col(s, 0),
			.title = col(s, 1),
			.incident = col(s, 2),
			.author = col(s, 3),
			.updated = col(s, 4),
			.json = col(s, 5),
			.revision = sqlite3_column_int(s, 6),
		};

		if ((rc = cb(ctx, &d)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "listing drafts");
out:
	sqlite3_finalize(s);
	return rc;
}

static int ksqlite_publish(struct kstore *kst, const char *id, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL, *d = NULL;
	struct kcase c;
	int rc, own, step, rev = 0;

	kcase_init(&c);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		goto done;
	if ((rc = ksqlite_prepare(st, "SELECT rid, revision, body, updated, author FROM case_drafts WHERE id = ?1",
				  &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		rc = kerr_set(err, KE_NOTFOUND, "no draft with id \"%.*s\"", kutf8_cut(id, 100), id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		rc = ksqlite_db_err(st, err, "reading the draft");
		goto out;
	}
	rev = sqlite3_column_int(s, 1);
	/* the draft's current version stays in the history; the case continues from it */
	if ((rc = case_from_text(&c, col(s, 2), id, err)) || (rc = save_draft_revision(st, id, s, 1, err)))
		goto out;
	if ((rc = ksqlite_prepare(st, "DELETE FROM case_drafts WHERE rid = ?1", &d, err)))
		goto out;
	sqlite3_bind_int64(d, 1, sqlite3_column_int64(s, 0));
	if ((rc = ksqlite_step_done(st, d, err, "removing the draft")))
		goto out;
	rc = ksqlite_put_case(st, &c, rev + 1, "case.publish", NULL, err);
out:
	sqlite3_finalize(s);
	sqlite3_finalize(d);
	rc = ksqlite_wend(st, own, rc, err);
done:
	kcase_free(&c);
	return rc;
}

const struct kstore_be_report ksqlite_be_report = {
	.deadlines_get = ksqlite_deadlines_get,
	.deadlines_set = ksqlite_deadlines_set,
	.incident_add = ksqlite_incident_add,
	.incident_get = ksqlite_incident_get,
	.incident_list = ksqlite_incident_list,
	.incident_counts = ksqlite_incident_counts,
	.incident_report = ksqlite_incident_report,
	.incident_reports = ksqlite_incident_reports,
	.incident_status = ksqlite_incident_status,
	.incident_candidate = ksqlite_incident_candidate,
	.incident_history = ksqlite_incident_history,
	.draft_put = ksqlite_draft_put,
	.draft_get = ksqlite_draft_get,
	.draft_list = ksqlite_draft_list,
	.publish = ksqlite_publish,
};
