/*
 * test_store_report.c - unit tests of the store's incidents, reports,
 * status history, case drafts and settings (store_report.h, the SQLite
 * backend store_sqlite_report.c): ids (the year of filing, across a year
 * boundary, two connections adding in turn), the first report as stored,
 * follow-ups and the one final report, status and candidate history,
 * every filter of the list with its total and the counts, who sees which
 * incident (the same answer as kreader_may_see_incident for every role),
 * overdue in SQL as kincident_overdue says, writes that fail half-way
 * leaving nothing, drafts (the id space shared with cases, revisions,
 * publishing into the searchable cases), revision authors, audit rows.
 */
#include "testutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "store.h"
#include "store_account.h"
#include "store_query.h"
#include "store_report.h"
#include "store_search.h"

static char tmpdir[256];
static int dbseq;
static char dbpath[512];

static int setup_tmp(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-test-store-report.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A new database (its path in dbpath), the actor set to actor. */
static struct kstore *open_new(const char *actor)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;

	snprintf(dbpath, sizeof(dbpath), "%s/r%d.db", tmpdir, ++dbseq);
	if (kstore_open(&st, dbpath, 0, &err) < 0)
		fail_msg("kstore_open: %s", err.msg);
	if (actor)
		assert_int_equal(kstore_set_actor(st, 0, actor, "test"), 0);
	return st;
}

static void db_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static long db_count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

#define assert_msg_has(err, want) do { \
	if (!strstr((err).msg, (want))) \
		fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (want)); \
} while (0)

static time_t at(const char *s)
{
	time_t t;

	if (kreport_time_parse(s, &t, NULL))
		fail_msg("bad time %s", s);
	return t;
}

/* An incident as kreport_first_check would leave it. */
static void mkinc(struct kincident *inc, const char *title, const char *org, const char *sector, const char *tlp,
		  const char *detected, unsigned evt, const char *description)
{
	time_t t = at(detected);
	char utc[KTIME_LEN + 1];

	memset(inc, 0, sizeof(*inc));
	ktime_iso(t, utc);
	inc->title = strdup(title);
	inc->org = strdup(org);
	inc->sector = strdup(sector);
	inc->tlp = strdup(tlp);
	inc->detected_at = strdup(detected);
	inc->detected_utc = strdup(utc);
	inc->event_types = evt;
	inc->cause_types = KCAUSE_UNKNOWN;
	inc->service_affected = KTRI_UNKNOWN;
	inc->status = KINC_RECEIVED;
	inc->first = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", title, "organization", org, "sector",
			       ksector_label_ja(sector) ? ksector_label_ja(sector) : sector, "description",
			       description ? description : "説明", "tlp", tlp);
	assert_non_null(inc->first);
}

/* Add an incident filed at now; its id into id (may be NULL). */
static void add(struct kstore *st, const char *title, const char *org, const char *sector, const char *tlp,
		const char *detected, unsigned evt, const char *description, time_t now, char *id)
{
	struct kincident inc;
	struct kerr err = KERR_INIT;

	mkinc(&inc, title, org, sector, tlp, detected, evt, description);
	if (kstore_incident_add(st, &inc, now, &err) < 0)
		fail_msg("kstore_incident_add %s: %s", title, err.msg);
	if (id)
		snprintf(id, 32, "%s", inc.id);
	kincident_free(&inc);
}

static void get(struct kstore *st, const char *id, struct kincident *inc)
{
	struct kerr err = KERR_INIT;

	memset(inc, 0, sizeof(*inc));
	if (kstore_incident_get(st, id, inc, &err) < 0)
		fail_msg("kstore_incident_get %s: %s", id, err.msg);
}

/* ---- collectors ---- */

struct ids {
	char v[64][32];
	int n;
	int with_first;
};

static int collect_id(void *ctx, const struct kincident *inc)
{
	struct ids *ids = ctx;

	if (ids->n < 64)
		snprintf(ids->v[ids->n++], 32, "%s", inc->id);
	if (inc->first)
		ids->with_first++;
	return 0;
}

static int has_id(const struct ids *ids, const char *id)
{
	for (int i = 0; i < ids->n; i++)
		if (!strcmp(ids->v[i], id))
			return 1;
	return 0;
}

/* The incidents q lists (ids into *out) and the total. */
static long list(struct kstore *st, const struct kincident_query *q, struct ids *out)
{
	struct kerr err = KERR_INIT;
	struct ids tmp;
	long total = -1;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	if (kstore_incident_list(st, q, collect_id, out, &total, &err) < 0)
		fail_msg("kstore_incident_list: %s", err.msg);
	if (q->limit <= 0 && q->offset <= 0)
		assert_int_equal(total, out->n);
	return total;
}

struct audits {
	char action[64][32];
	char object[64][48];
	char detail[64][64];
	char actor[64][32];
	int n;
};

static int collect_audit(void *ctx, const struct kaudit *a)
{
	struct audits *au = ctx;

	if (au->n < 64) {
		snprintf(au->action[au->n], 32, "%s", a->action);
		snprintf(au->object[au->n], 48, "%s", a->object);
		snprintf(au->detail[au->n], 64, "%s", a->detail);
		snprintf(au->actor[au->n], 32, "%s", a->actor);
		au->n++;
	}
	return 0;
}

static void audits(struct kstore *st, struct audits *au)
{
	struct kerr err = KERR_INIT;

	memset(au, 0, sizeof(*au));
	assert_int_equal(kstore_audit_list(st, NULL, collect_audit, au, &err), 0);
}

/* The index of the last audit row of action (and object, if not NULL), or -1. */
static int audit_find(const struct audits *au, const char *action, const char *object)
{
	for (int i = au->n - 1; i >= 0; i--)
		if (!strcmp(au->action[i], action) && (!object || !strcmp(au->object[i], object)))
			return i;
	return -1;
}

/* ---- readers ---- */

static struct kreader user(enum krole role, const char *login, const char *org, const char *sector)
{
	struct kreader r = { .kind = KREADER_USER, .user_id = 7, .login = login, .org = org, .role = role };

	r.caps = krole_caps(role);
	r.org_id = org ? 1 : 0;
	if (sector) {
		r.sectors[0] = sector;
		r.nsectors = 1;
	}
	return r;
}

/* ---- settings ---- */

static void test_deadlines(void **state)
{
	struct kstore *st = open_new("admin1");
	struct kerr err = KERR_INIT;
	struct kdeadlines d = { 0, 0 }, bad = { 0, 10 }, set = { 24, 240 };
	struct kincident inc;
	struct audits au;
	char id[32];

	(void)state;
	assert_int_equal(kstore_deadlines_get(st, &d, &err), 0);
	assert_int_equal(d.followup_hours, 72);
	assert_int_equal(d.final_hours, 720);
	assert_int_equal(kstore_deadlines_set(st, &bad, &err), KE_INVALID);
	assert_msg_has(err, "followup_hours");
	bad.followup_hours = 5;
	bad.final_hours = 1000000;
	assert_int_equal(kstore_deadlines_set(st, &bad, &err), KE_INVALID);
	assert_msg_has(err, "final_hours");
	assert_int_equal(kstore_deadlines_set(st, &set, &err), 0);
	assert_int_equal(kstore_deadlines_get(st, &d, &err), 0);
	assert_int_equal(d.followup_hours, 24);
	assert_int_equal(d.final_hours, 240);
	audits(st, &au);
	assert_int_equal(au.n, 1);
	assert_string_equal(au.action[0], "settings.deadlines");
	assert_string_equal(au.detail[0], "followup 24 h, final 240 h");
	assert_string_equal(au.actor[0], "admin1");
	/* new incidents get them */
	add(st, "停電", "A電力", "electricity", "amber", "2026-11-20T09:00:00+09:00", KEVT_AVAILABILITY, NULL,
	    at("2026-11-20T01:00:00Z"), id);
	get(st, id, &inc);
	assert_string_equal(inc.due_followup, "2026-11-21T01:00:00Z");
	assert_string_equal(inc.due_final, "2026-11-30T01:00:00Z");
	kincident_free(&inc);
	/* a damaged setting is said so */
	kstore_close(st);
	db_exec(dbpath, "UPDATE settings SET value = 'x' WHERE key = 'deadline.final_hours'");
	assert_int_equal(kstore_open(&st, dbpath, 0, &err), 0);
	assert_int_equal(kstore_deadlines_get(st, &d, &err), KE_DB);
	assert_msg_has(err, "deadline.final_hours");
	kstore_close(st);
}

/* ---- incidents ---- */

static int collect_report(void *ctx, const struct kreport_row *r)
{
	struct kbuf *b = ctx;

	return kbuf_addf(b, "%d %s %s %s|%s\n", r->seq, kreport_kind_name(r->kind), r->submitted, r->author, r->json);
}

static int collect_status(void *ctx, const struct kstatus_row *r)
{
	struct kbuf *b = ctx;

	return kbuf_addf(b, "%s %s %d>%d %s\n", r->at, r->actor, r->from, r->to, r->note);
}

static void test_add_get(void **state)
{
	struct kstore *st = open_new("rep-a");
	struct kerr err = KERR_INIT;
	struct korg org = { .name = "東都電力", .kind = KORG_OPERATOR };
	struct kincident inc, got;
	struct kbuf b = KBUF_INIT;
	struct audits au;
	json_t *first;

	(void)state;
	org.sectors[0] = "electricity";
	org.nsectors = 1;
	assert_int_equal(kstore_org_add(st, &org, &err), 0);
	free(org.created);
	mkinc(&inc, "変電所の制御端末でマルウェア検知", "東都電力", "電力", "amber", "2026-11-20T09:00:00+09:00",
	      KEVT_MALWARE | KEVT_AVAILABILITY, "制御端末でマルウェアを検知した");
	inc.occurred_at = strdup("2026-11-20T08:30:00+09:00");
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-20T01:00:00Z"), &err), 0);
	assert_string_equal(inc.id, "IR-2026-0001");
	assert_string_equal(inc.created, "2026-11-20T01:00:00Z");
	assert_string_equal(inc.updated, "2026-11-20T01:00:00Z");
	assert_string_equal(inc.due_followup, "2026-11-23T01:00:00Z");
	assert_string_equal(inc.due_final, "2026-12-20T01:00:00Z");
	assert_string_equal(inc.filed_by, "rep-a");
	assert_string_equal(inc.sector, "electricity"); /* the Japanese name as its tag */
	assert_int_equal(inc.org_id, org.id);            /* looked up by name */
	assert_int_equal(inc.nreports, 1);
	assert_int_equal(json_integer_value(json_object_get(inc.first, "seq")), 1);

	get(st, "IR-2026-0001", &got);
	assert_string_equal(got.title, "変電所の制御端末でマルウェア検知");
	assert_string_equal(got.org, "東都電力");
	assert_int_equal(got.org_id, org.id);
	assert_string_equal(got.sector, "electricity");
	assert_string_equal(got.tlp, "amber");
	assert_int_equal(got.status, KINC_RECEIVED);
	assert_int_equal(got.candidate, 0);
	assert_int_equal(got.event_types, KEVT_MALWARE | KEVT_AVAILABILITY);
	assert_int_equal(got.cause_types, KCAUSE_UNKNOWN);
	assert_int_equal(got.service_affected, KTRI_UNKNOWN);
	assert_string_equal(got.occurred_at, "2026-11-20T08:30:00+09:00");
	assert_string_equal(got.detected_at, "2026-11-20T09:00:00+09:00");
	assert_string_equal(got.detected_utc, "2026-11-20T00:00:00Z");
	assert_string_equal(got.filed_by, "rep-a");
	assert_string_equal(got.due_followup, "2026-11-23T01:00:00Z");
	assert_int_equal(got.nreports, 1);
	assert_null(got.final_at);
	assert_null(got.case_id);
	first = got.first;
	assert_non_null(first);
	assert_int_equal(json_integer_value(json_object_get(first, "seq")), 1);
	assert_string_equal(json_string_value(json_object_get(first, "kind")), "first");
	assert_string_equal(json_string_value(json_object_get(first, "submitted")), "2026-11-20T01:00:00Z");
	assert_string_equal(json_string_value(json_object_get(first, "author")), "rep-a");
	assert_string_equal(json_string_value(json_object_get(first, "description")), "制御端末でマルウェアを検知した");
	kincident_free(&got);

	/* its reports and history */
	assert_int_equal(kstore_incident_reports(st, "IR-2026-0001", collect_report, &b, &err), 0);
	assert_non_null(strstr(kbuf_str(&b), "1 first 2026-11-20T01:00:00Z rep-a|{"));
	assert_non_null(strstr(kbuf_str(&b), "制御端末でマルウェアを検知した")); /* UTF-8 as it is */
	kbuf_reset(&b);
	assert_int_equal(kstore_incident_history(st, "IR-2026-0001", collect_status, &b, &err), 0);
	assert_string_equal(kbuf_str(&b), "2026-11-20T01:00:00Z rep-a -1>0 \n");
	kbuf_release(&b);

	/* the next number; an organisation not in the database keeps org_id 0 */
	kincident_free(&inc);
	mkinc(&inc, "不審メール", "どこかの会社", "finance", "green", "2026-11-21T09:00:00+09:00", KEVT_PRECURSOR, NULL);
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-21T01:00:00Z"), &err), 0);
	assert_string_equal(inc.id, "IR-2026-0002");
	assert_int_equal(inc.org_id, 0);
	kincident_free(&inc);

	/* bad input: refused, nothing stored */
	mkinc(&inc, "x", "o", "nosuchsector", "amber", "2026-11-21T09:00:00+09:00", 0, NULL);
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-21T01:00:00Z"), &err), KE_INVALID);
	assert_msg_has(err, "sector");
	kincident_free(&inc);
	mkinc(&inc, "x", "o", "finance", "purple", "2026-11-21T09:00:00+09:00", 0, NULL);
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-21T01:00:00Z"), &err), KE_INVALID);
	assert_msg_has(err, "tlp");
	free(inc.title);
	inc.title = NULL;
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-21T01:00:00Z"), &err), KE_INVALID);
	assert_msg_has(err, "title");
	kincident_free(&inc);

	assert_int_equal(kstore_incident_get(st, "IR-2026-0003", &got, &err), KE_NOTFOUND);
	assert_int_equal(kstore_incident_reports(st, "IR-2026-0003", collect_report, &b, &err), KE_NOTFOUND);
	assert_int_equal(kstore_incident_history(st, "IR-2026-0003", collect_status, &b, &err), KE_NOTFOUND);

	audits(st, &au);
	assert_int_equal(au.n, 3); /* org.add, two incident.add */
	assert_int_equal(audit_find(&au, "incident.add", "incident:IR-2026-0001"), 1);
	assert_string_equal(au.detail[1], "org 東都電力; sector electricity; tlp amber");
	assert_string_equal(au.actor[1], "rep-a");
	kstore_close(st);
}

static void test_year_boundary(void **state)
{
	struct kstore *st = open_new("rep-a");
	char id[32];

	(void)state;
	add(st, "a", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2026-12-31T23:59:59Z"), id);
	assert_string_equal(id, "IR-2026-0001");
	add(st, "b", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2027-01-01T00:00:00Z"), id);
	assert_string_equal(id, "IR-2027-0001");
	/* the year is UTC's: 08:59 JST on 1 January is still the old year */
	add(st, "c", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2027-01-01T08:59:00+09:00"), id);
	assert_string_equal(id, "IR-2026-0002");
	add(st, "d", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2027-01-01T09:00:00+09:00"), id);
	assert_string_equal(id, "IR-2027-0002");
	/* numbers go on past 9999 */
	kstore_close(st);
	db_exec(dbpath, "UPDATE incidents SET id = 'IR-2027-9999' WHERE id = 'IR-2027-0002'");
	assert_int_equal(kstore_open(&st, dbpath, 0, NULL), 0);
	add(st, "e", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2027-03-01T00:00:00Z"), id);
	assert_string_equal(id, "IR-2027-10000");
	add(st, "f", "A社", "water", "green", "2026-12-31T23:00:00+09:00", KEVT_OTHER, NULL,
	    at("2027-03-01T00:00:00Z"), id);
	assert_string_equal(id, "IR-2027-10001");
	kstore_close(st);
}

static void test_two_connections(void **state)
{
	struct kstore *a = open_new("rep-a"), *b = NULL;
	struct kerr err = KERR_INIT;
	struct kincident_query q = { .reader = &kreader_local, .oldest_first = 1 };
	struct ids ids;
	char id[32];

	(void)state;
	assert_int_equal(kstore_open(&b, dbpath, 0, &err), 0);
	assert_int_equal(kstore_set_actor(b, 0, "rep-b", "test"), 0);
	for (int i = 0; i < 10; i++) {
		add(i % 3 == 2 ? b : a, "a", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL,
		    at("2026-11-20T01:00:00Z") + i, id);
		add(i % 3 == 2 ? a : b, "b", "B社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL,
		    at("2026-11-20T01:00:00Z") + i, id);
	}
	/* one connection inside a transaction of its own, the other after it */
	assert_int_equal(kstore_begin(a, &err), 0);
	add(a, "c", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL, at("2026-11-20T02:00:00Z"),
	    id);
	assert_string_equal(id, "IR-2026-0021");
	assert_int_equal(kstore_commit(a, &err), 0);
	add(b, "d", "B社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL, at("2026-11-20T02:00:00Z"),
	    id);
	assert_string_equal(id, "IR-2026-0022");
	assert_int_equal(list(a, &q, &ids), 22);
	for (int i = 0; i < 22; i++) {
		char want[32];

		snprintf(want, sizeof(want), "IR-2026-%04d", i + 1);
		assert_string_equal(ids.v[i], want);
	}
	assert_int_equal(db_count(dbpath, "SELECT count(DISTINCT id) FROM incidents"), 22);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM incident_reports"), 22);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM incidents WHERE filed_by = 'rep-b'"), 11);
	kstore_close(a);
	kstore_close(b);
}

static void test_reports(void **state)
{
	struct kstore *st = open_new("rep-a");
	struct kerr err = KERR_INIT;
	struct kincident inc;
	struct kbuf b = KBUF_INIT;
	struct audits au;
	json_t *rep;
	char id[32];
	int seq = 0;

	(void)state;
	add(st, "不正ログイン", "A銀行", "finance", "amber", "2026-11-20T09:00:00+09:00", KEVT_INTRUSION, NULL,
	    at("2026-11-20T01:00:00Z"), id);
	get(st, id, &inc);
	/* a follow-up that adds a cause type: the merged types are written */
	inc.cause_types |= KCAUSE_INTENTIONAL;
	inc.event_types |= KEVT_CONFIDENTIALITY;
	inc.service_affected = KTRI_YES;
	rep = json_pack("{s:s, s:s, s:s}", "kind", "followup", "at", "2026-11-21T09:00:00+09:00", "text", "続報です");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-21T00:00:00Z"), &seq, &err), 0);
	json_decref(rep);
	assert_int_equal(seq, 2);
	assert_int_equal(inc.nreports, 2);
	assert_string_equal(inc.updated, "2026-11-21T00:00:00Z");
	assert_null(inc.final_at);
	kincident_free(&inc);
	get(st, id, &inc);
	assert_int_equal(inc.nreports, 2);
	assert_int_equal(inc.cause_types, KCAUSE_UNKNOWN | KCAUSE_INTENTIONAL);
	assert_int_equal(inc.event_types, KEVT_INTRUSION | KEVT_CONFIDENTIALITY);
	assert_int_equal(inc.service_affected, KTRI_YES);
	assert_string_equal(inc.updated, "2026-11-21T00:00:00Z");

	/* the final report */
	assert_int_equal(kstore_set_actor(st, 0, "analyst1", "test"), 0);
	rep = json_pack("{s:s, s:s, s:s, s:s}", "kind", "final", "at", "2026-11-25T09:00:00+09:00", "cause", "原因",
			"countermeasures", "対策");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-25T00:00:00Z"), &seq, &err), 0);
	assert_int_equal(seq, 3);
	assert_string_equal(inc.final_at, "2026-11-25T00:00:00Z");
	/* a second final report is refused and stores nothing */
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-26T00:00:00Z"), &seq, &err), KE_INVALID);
	assert_msg_has(err, "final report already");
	json_decref(rep);
	assert_int_equal(seq, 3);
	/* a correction after the final one is a follow-up */
	rep = json_pack("{s:s, s:s, s:s}", "kind", "followup", "at", "2026-11-27T09:00:00+09:00", "text", "訂正");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-27T00:00:00Z"), NULL, &err), 0);
	/* a kind that is not a follow-up or final */
	json_object_set_new(rep, "kind", json_string("first"));
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-27T00:00:00Z"), NULL, &err), KE_INVALID);
	assert_msg_has(err, "kind");
	kincident_free(&inc);
	get(st, id, &inc);
	assert_int_equal(inc.nreports, 4);
	assert_string_equal(inc.final_at, "2026-11-25T00:00:00Z");
	assert_string_equal(inc.updated, "2026-11-27T00:00:00Z");
	/* no such incident */
	free(inc.id);
	inc.id = strdup("IR-2026-0099");
	json_object_set_new(rep, "kind", json_string("followup"));
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-27T00:00:00Z"), NULL, &err), KE_NOTFOUND);
	json_decref(rep);
	kincident_free(&inc);

	assert_int_equal(kstore_incident_reports(st, id, collect_report, &b, &err), 0);
	{
		const char *t = kbuf_str(&b);
		const char *r2 = strstr(t, "\n2 followup 2026-11-21T00:00:00Z rep-a|");
		const char *r3 = strstr(t, "\n3 final 2026-11-25T00:00:00Z analyst1|");
		const char *r4 = strstr(t, "\n4 followup 2026-11-27T00:00:00Z analyst1|");

		assert_true(!strncmp(t, "1 first ", 8));
		assert_non_null(r2);
		assert_non_null(r3);
		assert_non_null(r4);
		assert_true(r2 < r3 && r3 < r4);
		assert_non_null(strstr(r2, "\"seq\":2"));
		assert_non_null(strstr(r2, "\"text\":\"続報です\""));
		assert_non_null(strstr(r3, "\"countermeasures\":\"対策\""));
		assert_non_null(strstr(r3, "\"author\":\"analyst1\""));
	}
	kbuf_release(&b);
	audits(st, &au);
	assert_int_equal(audit_find(&au, "incident.report", NULL), au.n - 1);
	assert_string_equal(au.detail[au.n - 1], "followup 4");
	assert_string_equal(au.detail[au.n - 2], "final 3");
	assert_string_equal(au.detail[au.n - 3], "followup 2");
	assert_string_equal(au.object[au.n - 2], "incident:IR-2026-0001");
	kstore_close(st);
}

static void test_status_candidate(void **state)
{
	struct kstore *st = open_new("rep-a");
	struct kerr err = KERR_INIT;
	struct kincident inc;
	struct kbuf b = KBUF_INIT;
	struct audits au;
	char id[32];

	(void)state;
	add(st, "障害", "A社", "railway", "green", "2026-11-20T09:00:00+09:00", KEVT_AVAILABILITY, NULL,
	    at("2026-11-20T01:00:00Z"), id);
	assert_int_equal(kstore_set_actor(st, 0, "analyst1", "test"), 0);
	assert_int_equal(kstore_incident_status(st, id, KINC_CHECKING, "確認を始めた", at("2026-11-20T02:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_candidate(st, id, 1, at("2026-11-20T03:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_status(st, id, KINC_RESPONDING, NULL, at("2026-11-20T04:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_candidate(st, id, 0, at("2026-11-20T05:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_candidate(st, id, 1, at("2026-11-20T06:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_status(st, id, KINC__N, NULL, at("2026-11-20T07:00:00Z"), &err), KE_INVALID);
	assert_int_equal(kstore_incident_status(st, id, KINC_CLOSED, "\xff", at("2026-11-20T07:00:00Z"), &err), KE_INVALID);
	assert_int_equal(kstore_incident_status(st, "IR-2026-0404", KINC_CLOSED, NULL, at("2026-11-20T07:00:00Z"), &err),
			 KE_NOTFOUND);
	assert_int_equal(kstore_incident_candidate(st, "IR-2026-0404", 1, at("2026-11-20T07:00:00Z"), &err),
			 KE_NOTFOUND);
	get(st, id, &inc);
	assert_int_equal(inc.status, KINC_RESPONDING);
	assert_int_equal(inc.candidate, 1);
	assert_string_equal(inc.updated, "2026-11-20T06:00:00Z");
	kincident_free(&inc);
	assert_int_equal(kstore_incident_history(st, id, collect_status, &b, &err), 0);
	assert_string_equal(kbuf_str(&b),
			    "2026-11-20T01:00:00Z rep-a -1>0 \n"
			    "2026-11-20T02:00:00Z analyst1 0>1 確認を始めた\n"
			    "2026-11-20T03:00:00Z analyst1 -1>-1 candidate on\n"
			    "2026-11-20T04:00:00Z analyst1 1>2 \n"
			    "2026-11-20T05:00:00Z analyst1 -1>-1 candidate off\n"
			    "2026-11-20T06:00:00Z analyst1 -1>-1 candidate on\n");
	kbuf_release(&b);
	audits(st, &au);
	assert_int_equal(au.n, 6);
	assert_string_equal(au.action[1], "incident.status");
	assert_string_equal(au.detail[1], "received -> checking");
	assert_string_equal(au.action[2], "incident.candidate");
	assert_string_equal(au.detail[2], "on");
	assert_string_equal(au.detail[3], "checking -> responding");
	assert_string_equal(au.detail[4], "off");
	kstore_close(st);
}

/* ---- listing ---- */

/* A small desk: ids d[0..7]. */
static void desk(struct kstore *st, char d[8][32])
{
	struct kerr err = KERR_INIT;
	struct kincident inc;
	json_t *rep;

	add(st, "変電所で停電", "東都電力", "electricity", "amber", "2026-11-01T09:00:00+09:00", KEVT_AVAILABILITY,
	    "変電所の保護装置が誤作動", at("2026-11-01T01:00:00Z"), d[0]);
	add(st, "ランサムウェア感染", "東都電力", "electricity", "red", "2026-11-02T09:00:00+09:00",
	    KEVT_MALWARE | KEVT_AVAILABILITY, "暗号化された", at("2026-11-02T01:00:00Z"), d[1]);
	add(st, "不正送金の予兆", "A銀行", "finance", "green", "2026-11-03T09:00:00+09:00", KEVT_PRECURSOR,
	    "フィッシング 100%_off", at("2026-11-03T01:00:00Z"), d[2]);
	add(st, "情報漏えい", "A銀行", "finance", "amber+strict", "2026-11-04T09:00:00+09:00", KEVT_CONFIDENTIALITY,
	    "顧客情報", at("2026-11-04T01:00:00Z"), d[3]);
	add(st, "列車運行システム障害", "B鉄道", "railway", "clear", "2026-11-05T09:00:00+09:00", KEVT_AVAILABILITY,
	    "運行停止", at("2026-11-05T01:00:00Z"), d[4]);
	add(st, "水道の遠隔監視に侵入", "C水道", "water", "amber", "2026-11-06T09:00:00+09:00", KEVT_INTRUSION,
	    "遠隔監視", at("2026-11-06T01:00:00Z"), d[5]);
	add(st, "ガス漏れ検知の誤報", "Dガス", "gas", "green", "2026-11-07T09:00:00+09:00", KEVT_OTHER,
	    "誤報", at("2026-11-07T01:00:00Z"), d[6]);
	add(st, "電力会社への不審メール", "西電力", "electricity", "amber", "2026-11-08T09:00:00+09:00",
	    KEVT_PRECURSOR | KEVT_MALWARE, "添付ファイル", at("2026-11-08T01:00:00Z"), d[7]);
	/* d[1]: a follow-up; d[3]: a final report; d[4] closed; d[6] withdrawn; d[2], d[5] candidates */
	get(st, d[1], &inc);
	rep = json_pack("{s:s, s:s, s:s}", "kind", "followup", "at", "2026-11-03T09:00:00+09:00", "text",
			"復旧作業中 zephyrquartz");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-03T00:00:00Z"), NULL, &err), 0);
	json_decref(rep);
	kincident_free(&inc);
	get(st, d[3], &inc);
	rep = json_pack("{s:s, s:s, s:s, s:s}", "kind", "final", "at", "2026-11-10T09:00:00+09:00", "cause", "設定誤り",
			"countermeasures", "見直し");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-10T00:00:00Z"), NULL, &err), 0);
	json_decref(rep);
	kincident_free(&inc);
	assert_int_equal(kstore_incident_status(st, d[4], KINC_CLOSED, NULL, at("2026-11-06T00:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_status(st, d[6], KINC_WITHDRAWN, NULL, at("2026-11-08T00:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_status(st, d[5], KINC_CHECKING, NULL, at("2026-11-07T00:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_candidate(st, d[2], 1, at("2026-11-08T00:00:00Z"), &err), 0);
	assert_int_equal(kstore_incident_candidate(st, d[5], 1, at("2026-11-08T00:00:00Z"), &err), 0);
}

static void test_list_filters(void **state)
{
	struct kstore *st = open_new("analyst1");
	struct kincident_query q;
	struct ids ids;
	char d[8][32];

	(void)state;
	desk(st, d);
#define Q(...) (q = (struct kincident_query){ .reader = &kreader_local, __VA_ARGS__ })
	/* everything, newest first; oldest first */
	Q(.now = at("2026-11-09T00:00:00Z"));
	assert_int_equal(list(st, &q, &ids), 8);
	assert_string_equal(ids.v[0], d[7]);
	assert_string_equal(ids.v[7], d[0]);
	assert_int_equal(ids.with_first, 0);
	Q(.oldest_first = 1, .with_first = 1);
	assert_int_equal(list(st, &q, &ids), 8);
	assert_string_equal(ids.v[0], d[0]);
	assert_int_equal(ids.with_first, 8);
	/* a page, with the total of all */
	Q(.limit = 3, .offset = 2);
	assert_int_equal(list(st, &q, &ids), 8);
	assert_int_equal(ids.n, 3);
	assert_string_equal(ids.v[0], d[5]);
	assert_string_equal(ids.v[2], d[3]);
	Q(.offset = 6);
	assert_int_equal(list(st, &q, &ids), 8);
	assert_int_equal(ids.n, 2);
	/* statuses */
	Q(.statuses = 1u << KINC_CLOSED | 1u << KINC_WITHDRAWN);
	assert_int_equal(list(st, &q, &ids), 2);
	assert_true(has_id(&ids, d[4]) && has_id(&ids, d[6]));
	Q(.statuses = 1u << KINC_RECEIVED);
	assert_int_equal(list(st, &q, &ids), 5);
	/* sector, by tag or Japanese name */
	Q(.sector = "electricity");
	assert_int_equal(list(st, &q, &ids), 3);
	Q(.sector = "金融");
	assert_int_equal(list(st, &q, &ids), 2);
	/* event types: any of */
	Q(.event_types = KEVT_MALWARE);
	assert_int_equal(list(st, &q, &ids), 2);
	Q(.event_types = KEVT_PRECURSOR | KEVT_INTRUSION);
	assert_int_equal(list(st, &q, &ids), 3);
	/* organisation */
	Q(.org = "A銀行");
	assert_int_equal(list(st, &q, &ids), 2);
	Q(.org = "A銀");
	assert_int_equal(list(st, &q, &ids), 0);
	/* detected between */
	Q(.since = "2026-11-03T00:00:00Z", .until = "2026-11-06T00:00:00Z");
	assert_int_equal(list(st, &q, &ids), 3);
	assert_true(has_id(&ids, d[2]) && has_id(&ids, d[3]) && has_id(&ids, d[4]));
	/* candidates */
	Q(.candidate = 1);
	assert_int_equal(list(st, &q, &ids), 2);
	/* text: in the title, in any report, every word; LIKE's characters are literal */
	Q(.text = "停電");
	assert_int_equal(list(st, &q, &ids), 1);
	Q(.text = "zephyrquartz");
	assert_int_equal(list(st, &q, &ids), 1);
	assert_string_equal(ids.v[0], d[1]);
	Q(.text = "見直し");
	assert_int_equal(list(st, &q, &ids), 1);
	assert_string_equal(ids.v[0], d[3]);
	Q(.text = "電力　不審"); /* an ideographic space between words */
	assert_int_equal(list(st, &q, &ids), 1);
	assert_string_equal(ids.v[0], d[7]);
	Q(.text = "100%_off");
	assert_int_equal(list(st, &q, &ids), 1);
	Q(.text = "100_%off");
	assert_int_equal(list(st, &q, &ids), 0);
	Q(.text = "%");
	assert_int_equal(list(st, &q, &ids), 1);
	Q(.text = "   ");
	assert_int_equal(list(st, &q, &ids), 8);
	/* filters together */
	Q(.sector = "electricity", .event_types = KEVT_AVAILABILITY, .statuses = 1u << KINC_RECEIVED);
	assert_int_equal(list(st, &q, &ids), 2);
	/* overdue (72 h for a follow-up, 720 h for the final report) */
	Q(.overdue = 1, .now = at("2026-11-05T00:00:00Z"));
	assert_int_equal(list(st, &q, &ids), 1); /* d[0] only: d[1] has a follow-up, d[2] is not due yet */
	assert_string_equal(ids.v[0], d[0]);
	Q(.overdue = 1, .now = at("2026-11-12T00:00:00Z"));
	/* d[0], d[2], d[5], d[7]: no follow-up; not d[1] (follow-up), d[3] (final), d[4], d[6] (ended) */
	assert_int_equal(list(st, &q, &ids), 4);
	Q(.overdue = 1, .now = at("2026-12-03T00:00:00Z"));
	/* the final report due too: d[1] now */
	assert_int_equal(list(st, &q, &ids), 5);
	assert_true(has_id(&ids, d[1]));
#undef Q
	kstore_close(st);
}

struct counts {
	char line[64][64];
	int n;
};

static int collect_count(void *ctx, const char *kind, const char *value, long n)
{
	struct counts *c = ctx;

	if (c->n < 64)
		snprintf(c->line[c->n++], 64, "%s %s %ld", kind, value, n);
	return 0;
}

static int count_has(const struct counts *c, const char *line)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->line[i], line))
			return 1;
	fprintf(stderr, "no count \"%s\" among:\n", line);
	for (int i = 0; i < c->n; i++)
		fprintf(stderr, "  %s\n", c->line[i]);
	return 0;
}

static void test_counts(void **state)
{
	struct kstore *st = open_new("analyst1");
	struct kerr err = KERR_INIT;
	struct kincident_query q = { .reader = &kreader_local, .now = at("2026-11-12T00:00:00Z") };
	struct counts c;
	char d[8][32];

	(void)state;
	desk(st, d);
	memset(&c, 0, sizeof(c));
	assert_int_equal(kstore_incident_counts(st, &q, collect_count, &c, &err), 0);
	assert_int_equal(c.n, 5 + 5 + 8 + 2); /* statuses, the five sectors, event types, overdue, candidate */
	assert_true(count_has(&c, "status received 5"));
	assert_true(count_has(&c, "status checking 1"));
	assert_true(count_has(&c, "status responding 0"));
	assert_true(count_has(&c, "status closed 1"));
	assert_true(count_has(&c, "sector electricity 3"));
	assert_true(count_has(&c, "sector gas 1"));
	assert_true(count_has(&c, "event_type availability 3"));
	assert_true(count_has(&c, "event_type malware 2"));
	assert_true(count_has(&c, "event_type integrity 0"));
	assert_true(count_has(&c, "overdue yes 4"));
	assert_true(count_has(&c, "candidate yes 2"));

	/* each facet counted under the other filters, not its own */
	q.sector = "electricity";
	q.statuses = 1u << KINC_CLOSED;
	memset(&c, 0, sizeof(c));
	assert_int_equal(kstore_incident_counts(st, &q, collect_count, &c, &err), 0);
	assert_true(count_has(&c, "status received 3"));  /* electricity, any status */
	assert_true(count_has(&c, "status closed 0"));
	assert_true(count_has(&c, "sector railway 1"));   /* closed, any sector */
	assert_true(count_has(&c, "event_type availability 0")); /* closed and electricity: none */
	assert_true(count_has(&c, "overdue yes 0"));
	q.statuses = 0;
	q.overdue = 1;
	q.event_types = KEVT_MALWARE;
	memset(&c, 0, sizeof(c));
	assert_int_equal(kstore_incident_counts(st, &q, collect_count, &c, &err), 0);
	assert_true(count_has(&c, "event_type availability 1")); /* electricity, overdue: d[0]; d[7] has no availability */
	assert_true(count_has(&c, "event_type precursor 1"));
	assert_true(count_has(&c, "overdue yes 1"));      /* electricity, malware: d[7] (d[1] has a follow-up) */
	assert_true(count_has(&c, "sector electricity 1"));
	assert_true(count_has(&c, "candidate yes 0"));
	/* a liaison counts only what they see */
	{
		struct kreader li = user(KROLE_LIAISON, "li", "経産省", "finance");
		struct kincident_query lq = { .reader = &li, .now = at("2026-11-12T00:00:00Z") };

		memset(&c, 0, sizeof(c));
		assert_int_equal(kstore_incident_counts(st, &lq, collect_count, &c, &err), 0);
		assert_true(count_has(&c, "sector finance 1")); /* d[3] is amber+strict */
		assert_true(count_has(&c, "status received 1")); /* d[2] */
		assert_true(count_has(&c, "candidate yes 1"));
		assert_int_equal(c.n, 5 + 1 + 8 + 2);
	}
	kstore_close(st);
}

/* Who sees which incident: the list agrees with kreader_may_see_incident for every role. */
static void test_visibility(void **state)
{
	struct kstore *st = open_new("analyst1");
	char d[8][32];
	struct kreader readers[] = {
		user(KROLE_REPORTER, "rep", "東都電力", NULL),
		user(KROLE_REPORTER, "rep2", "A銀行", "finance"),
		user(KROLE_REPORTER, "nobody", NULL, NULL),
		user(KROLE_LIAISON, "li", "経産省", "electricity"),
		user(KROLE_LIAISON, "li2", "A銀行", "railway"),
		user(KROLE_ANALYST, "an", NULL, NULL),
		user(KROLE_PUBLISHER, "pub", "センター", NULL),
		user(KROLE_ADMIN, "adm", "東都電力", "electricity"),
		user(KROLE_NONE, "none", "東都電力", NULL),
		kreader_anonymous,
		kreader_local,
	};
	/* how many each sees (the desk's levels: d0 amber, d1 red, d2 green, d3 amber+strict, d4 clear, d5 amber, d6 green, d7 amber) */
	const int want[] = { 2, 2, 0, 2, 3, 8, 8, 0, 0, 0, 8 };
	struct kincident_query q;
	struct ids ids;
	struct kreader limited = kreader_local;

	(void)state;
	desk(st, d);
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		q = (struct kincident_query){ .reader = &readers[i] };
		if (list(st, &q, &ids) != want[i])
			fail_msg("reader %zu (%s) sees %d, not %d", i, readers[i].login ? readers[i].login : "-", ids.n,
				 want[i]);
		for (int k = 0; k < 8; k++) {
			struct kincident inc;

			get(st, d[k], &inc);
			if (kreader_may_see_incident(&readers[i], inc.org, inc.sector, inc.tlp) != has_id(&ids, d[k]))
				fail_msg("reader %zu and %s: the list and kreader_may_see_incident disagree", i, d[k]);
			kincident_free(&inc);
		}
	}
	/* the liaison of electricity: not the red one of another org, the amber ones of the sector */
	q = (struct kincident_query){ .reader = &readers[3] };
	list(st, &q, &ids);
	assert_true(has_id(&ids, d[0]) && has_id(&ids, d[7]) && !has_id(&ids, d[1]));
	/* NULL: nobody */
	q = (struct kincident_query){ .reader = NULL };
	assert_int_equal(list(st, &q, &ids), 0);
	/* the local operator limited to amber */
	limited.limited = 1;
	limited.limit = 2;
	q = (struct kincident_query){ .reader = &limited };
	assert_int_equal(list(st, &q, &ids), 6);
	kstore_close(st);
}

/* Overdue in SQL is kincident_overdue(), at many clocks. */
static void test_overdue_agrees(void **state)
{
	struct kstore *st = open_new("analyst1");
	char d[8][32];
	const char *clocks[] = {
		"2026-11-01T00:00:00Z", "2026-11-04T01:00:00Z", "2026-11-04T01:00:01Z", "2026-11-06T00:00:00Z",
		"2026-11-12T00:00:00Z", "2026-12-01T01:00:00Z", "2026-12-01T01:00:01Z", "2027-06-01T00:00:00Z",
	};

	(void)state;
	desk(st, d);
	for (size_t c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		struct kincident_query q = { .reader = &kreader_local, .overdue = 1, .now = at(clocks[c]) };
		struct ids ids;

		list(st, &q, &ids);
		for (int k = 0; k < 8; k++) {
			struct kincident inc;

			get(st, d[k], &inc);
			if ((kincident_overdue(&inc, at(clocks[c])) != 0) != has_id(&ids, d[k]))
				fail_msg("%s at %s: SQL and kincident_overdue disagree", d[k], clocks[c]);
			kincident_free(&inc);
		}
	}
	kstore_close(st);
}

/* ---- failures ---- */

static void test_failed_writes(void **state)
{
	struct kstore *st = open_new("rep-a");
	struct kerr err = KERR_INIT;
	struct kincident_query q = { .reader = &kreader_local };
	struct kincident inc;
	struct audits au;
	json_t *rep;
	char id[32];

	(void)state;
	add(st, "one", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL,
	    at("2026-11-20T01:00:00Z"), id);
	kstore_close(st);
	/* the first report's row fails after the incident's row was written */
	db_exec(dbpath, "CREATE TRIGGER inject BEFORE INSERT ON incident_reports"
			" BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
	assert_int_equal(kstore_open(&st, dbpath, 0, &err), 0);
	assert_int_equal(kstore_set_actor(st, 0, "rep-a", "test"), 0);
	mkinc(&inc, "two", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL);
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-20T02:00:00Z"), &err), KE_DB);
	assert_msg_has(err, "injected failure");
	assert_null(inc.id);
	assert_string_equal(inc.title, "two"); /* inc as it was */
	kincident_free(&inc);
	assert_int_equal(list(st, &q, NULL), 1);
	/* a follow-up fails the same way: nothing of it stays */
	get(st, id, &inc);
	rep = json_pack("{s:s, s:s, s:s}", "kind", "followup", "at", "2026-11-21T09:00:00+09:00", "text", "t");
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-21T00:00:00Z"), NULL, &err), KE_DB);
	kincident_free(&inc);
	get(st, id, &inc);
	assert_int_equal(inc.nreports, 1);
	assert_string_equal(inc.updated, "2026-11-20T01:00:00Z");
	kincident_free(&inc);
	/* inside the caller's transaction: the failed write is undone, the rest of the transaction goes on */
	assert_int_equal(kstore_begin(st, &err), 0);
	assert_int_equal(kstore_incident_status(st, id, KINC_CHECKING, NULL, at("2026-11-21T00:00:00Z"), &err), 0);
	mkinc(&inc, "three", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL);
	assert_int_equal(kstore_incident_add(st, &inc, at("2026-11-21T00:00:00Z"), &err), KE_DB);
	kincident_free(&inc);
	assert_int_equal(kstore_commit(st, &err), 0);
	kstore_close(st);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM incidents"), 1);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM incident_status"), 2);
	db_exec(dbpath, "DROP TRIGGER inject");
	/* the status change was kept; the incident row of the failed add was not, nor its number */
	db_exec(dbpath, "CREATE TRIGGER inject BEFORE UPDATE OF nreports ON incidents"
			" BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
	assert_int_equal(kstore_open(&st, dbpath, 0, &err), 0);
	get(st, id, &inc);
	assert_int_equal(inc.status, KINC_CHECKING);
	assert_int_equal(kstore_incident_report(st, &inc, rep, at("2026-11-21T00:00:00Z"), NULL, &err), KE_DB);
	kincident_free(&inc);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM incident_reports"), 1);
	add(st, "four", "A社", "water", "green", "2026-11-20T09:00:00+09:00", KEVT_OTHER, NULL,
	    at("2026-11-22T00:00:00Z"), id);
	assert_string_equal(id, "IR-2026-0002");
	json_decref(rep);
	audits(st, &au);
	/* incident.add x2, incident.status: none of the failed writes */
	assert_int_equal(au.n, 3);
	assert_string_equal(au.action[1], "incident.status");
	kstore_close(st);
}

/* ---- drafts, publishing, authors ---- */

static void mkdraft(struct kcase *c, const char *id, const char *title, const char *tlp, const char *lesson)
{
	kcase_init(c);
	assert_int_equal(kstr_set(&c->id, id), 0);
	assert_int_equal(kstr_set(&c->title, title), 0);
	assert_int_equal(kstr_set(&c->tlp, tlp), 0);
	assert_int_equal(kstr_set(&c->owner, "東都電力"), 0);
	assert_int_equal(kstrv_push(&c->tags.sectors, "electricity"), 0);
	assert_int_equal(kstrv_push(&c->summary, "概要"), 0);
	if (lesson)
		assert_int_equal(kstrv_push(&c->key_lessons, lesson), 0);
}

struct revs {
	int n;
	int revision[16], current[16], draft[16];
	char author[16][32];
};

static int collect_rev(void *ctx, const struct krevision *r)
{
	struct revs *v = ctx;

	if (v->n < 16) {
		v->revision[v->n] = r->revision;
		v->current[v->n] = r->current;
		v->draft[v->n] = r->draft;
		snprintf(v->author[v->n], 32, "%s", r->author ? r->author : "(null)");
		v->n++;
	}
	return 0;
}

static void history(struct kstore *st, const char *id, struct revs *v)
{
	struct kerr err = KERR_INIT;

	memset(v, 0, sizeof(*v));
	if (kstore_history(st, id, collect_rev, v, &err) < 0)
		fail_msg("kstore_history %s: %s", id, err.msg);
}

struct drafts {
	int n;
	char id[8][64], incident[8][32], author[8][32];
	int revision[8];
};

static int collect_draft(void *ctx, const struct kdraft_row *d)
{
	struct drafts *v = ctx;

	if (v->n < 8) {
		snprintf(v->id[v->n], 64, "%s", d->id);
		snprintf(v->incident[v->n], 32, "%s", d->incident ? d->incident : "-");
		snprintf(v->author[v->n], 32, "%s", d->author ? d->author : "-");
		v->revision[v->n] = d->revision;
		assert_non_null(strstr(d->json, d->title));
		v->n++;
	}
	return 0;
}

static int count_rows(void *ctx, const struct kcase_row *r)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static long search_word(struct kstore *st, const char *word, const struct kreader *r)
{
	struct kerr err = KERR_INIT;
	struct kstore_qnode n = { .op = KSQ_PHRASE, .phrase = { .text = (char *)word, .term = -1 } };
	struct kstore_query q = { .root = &n };
	struct kfilter f = { .reader = r };
	long total = -1;

	if (kstore_search_count(st, &q, &f, 0, &total, &err) < 0)
		fail_msg("kstore_search_count: %s", err.msg);
	return total;
}

static void test_drafts_publish(void **state)
{
	struct kstore *st = open_new("analyst1");
	struct kerr err = KERR_INIT;
	struct kcase c, got;
	struct kincident inc;
	struct drafts dl;
	struct revs v;
	struct audits au;
	char id[32];
	int outcome = 0, n = 0;
	long cnt = -1;
	struct kfilter all = KFILTER_LOCAL_INIT;

	(void)state;
	add(st, "変電所で停電", "東都電力", "electricity", "clear", "2026-11-01T09:00:00+09:00", KEVT_AVAILABILITY,
	    NULL, at("2026-11-01T01:00:00Z"), id);
	/* a new draft from the incident */
	mkdraft(&c, "draft-ir-2026-0001", "変電所の停電事例", "clear", NULL);
	assert_int_equal(kstore_draft_put(st, &c, id, &outcome, &err), 0);
	assert_int_equal(outcome, KSTORE_CREATED);
	get(st, id, &inc);
	assert_string_equal(inc.case_id, "draft-ir-2026-0001");
	kincident_free(&inc);
	/* the same again: unchanged */
	assert_int_equal(kstore_draft_put(st, &c, NULL, &outcome, &err), 0);
	assert_int_equal(outcome, KSTORE_UNCHANGED);
	/* edited by another analyst: revision 2 */
	assert_int_equal(kstore_set_actor(st, 0, "analyst2", "test"), 0);
	kcase_free(&c);
	mkdraft(&c, "draft-ir-2026-0001", "変電所の停電事例", "clear", "保護装置の設定を見直す zephyrquartz");
	assert_int_equal(kstore_draft_put(st, &c, NULL, &outcome, &err), 0);
	assert_int_equal(outcome, KSTORE_UPDATED);
	kcase_init(&got);
	assert_int_equal(kstore_draft_get(st, "draft-ir-2026-0001", &got, &err), 0);
	assert_string_equal(got.key_lessons.v[0], "保護装置の設定を見直す zephyrquartz");
	kcase_free(&got);
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(kstore_draft_list(st, collect_draft, &dl, &err), 0);
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.incident[0], id);
	assert_string_equal(dl.author[0], "analyst2");
	assert_int_equal(dl.revision[0], 2);
	/* the history of a draft: its current one marked, the authors, all drafts */
	history(st, "draft-ir-2026-0001", &v);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.revision[0], 2);
	assert_int_equal(v.current[0], 1);
	assert_int_equal(v.draft[0], 1);
	assert_string_equal(v.author[0], "analyst2");
	assert_int_equal(v.revision[1], 1);
	assert_int_equal(v.current[1], 0);
	assert_int_equal(v.draft[1], 1);
	assert_string_equal(v.author[1], "analyst1");
	/* drafts are not cases: not listed, counted, searched */
	assert_int_equal(kstore_list(st, &all, count_rows, &n, NULL, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(kstore_count(st, &kreader_local, &cnt, &err), 0);
	assert_int_equal(cnt, 0);
	assert_int_equal(search_word(st, "zephyrquartz", &kreader_local), 0);
	assert_int_equal(kstore_get(st, "draft-ir-2026-0001", &got, &err), KE_NOTFOUND);
	/* one id space: a case cannot take a draft's id, nor a draft a case's */
	assert_int_equal(kstore_put(st, &c, NULL, &err), KE_EXISTS);
	assert_msg_has(err, "draft");
	{
		struct kcase other;

		mkdraft(&other, "published-1", "公開済み", "clear", NULL);
		assert_int_equal(kstore_put(st, &other, NULL, &err), 0);
		assert_int_equal(kstore_draft_put(st, &other, NULL, NULL, &err), KE_EXISTS);
		assert_msg_has(err, "published case");
		kcase_free(&other);
	}
	/* a draft for an incident that is not there: nothing stored */
	{
		struct kcase other;

		mkdraft(&other, "draft-x", "x", "clear", NULL);
		assert_int_equal(kstore_draft_put(st, &other, "IR-2026-0404", NULL, &err), KE_NOTFOUND);
		assert_int_equal(kstore_draft_get(st, "draft-x", &other, &err), KE_NOTFOUND);
		kcase_free(&other);
	}

	/* publishing by a publisher */
	assert_int_equal(kstore_set_actor(st, 0, "pub1", "test"), 0);
	assert_int_equal(kstore_publish(st, "draft-ir-2026-0001", &err), 0);
	assert_int_equal(kstore_publish(st, "draft-ir-2026-0001", &err), KE_NOTFOUND);
	assert_int_equal(kstore_draft_get(st, "draft-ir-2026-0001", &got, &err), KE_NOTFOUND);
	kcase_init(&got);
	assert_int_equal(kstore_get(st, "draft-ir-2026-0001", &got, &err), 0);
	assert_string_equal(got.title, "変電所の停電事例");
	kcase_free(&got);
	/* searchable at once, by an anonymous reader too (TLP:CLEAR) */
	assert_int_equal(search_word(st, "zephyrquartz", &kreader_anonymous), 1);
	n = 0;
	assert_int_equal(kstore_list(st, &all, count_rows, &n, NULL, &err), 0);
	assert_int_equal(n, 2);
	/* the history goes on from the draft's */
	history(st, "draft-ir-2026-0001", &v);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.revision[0], 3);
	assert_int_equal(v.current[0], 1);
	assert_int_equal(v.draft[0], 0);
	assert_string_equal(v.author[0], "pub1");
	assert_int_equal(v.revision[1], 2);
	assert_int_equal(v.draft[1], 1);
	assert_string_equal(v.author[1], "analyst2");
	assert_int_equal(v.revision[2], 1);
	assert_int_equal(v.draft[2], 1);
	/* and a later edit of the case */
	assert_int_equal(kstore_set_actor(st, 0, "analyst1", "test"), 0);
	kcase_free(&c);
	mkdraft(&c, "draft-ir-2026-0001", "変電所の停電事例（改）", "clear", NULL);
	assert_int_equal(kstore_put(st, &c, &outcome, &err), 0);
	assert_int_equal(outcome, KSTORE_UPDATED);
	history(st, "draft-ir-2026-0001", &v);
	assert_int_equal(v.n, 4);
	assert_int_equal(v.revision[0], 4);
	assert_string_equal(v.author[0], "analyst1");
	assert_int_equal(v.revision[1], 3);
	assert_int_equal(v.draft[1], 0);
	assert_string_equal(v.author[1], "pub1");
	memset(&dl, 0, sizeof(dl));
	assert_int_equal(kstore_draft_list(st, collect_draft, &dl, &err), 0);
	assert_int_equal(dl.n, 0);
	kcase_free(&c);

	audits(st, &au);
	assert_true(audit_find(&au, "draft.add", "case:draft-ir-2026-0001") >= 0);
	assert_true(audit_find(&au, "draft.update", "case:draft-ir-2026-0001") >= 0);
	assert_true(audit_find(&au, "incident.case", NULL) >= 0);
	assert_true(audit_find(&au, "case.publish", "case:draft-ir-2026-0001") >= 0);
	assert_string_equal(au.actor[audit_find(&au, "case.publish", NULL)], "pub1");
	assert_int_equal(audit_find(&au, "draft.add", "case:draft-x"), -1);
	kstore_close(st);
	/* the database is sound afterwards */
	assert_int_equal(kstore_open(&st, dbpath, 0, &err), 0);
	assert_int_equal(kstore_check(st, 0, NULL, NULL, &err), 0);
	kstore_close(st);
}

static void test_publish_fails(void **state)
{
	struct kstore *st = open_new("analyst1");
	struct kerr err = KERR_INIT;
	struct kcase c;
	struct revs v;

	(void)state;
	mkdraft(&c, "draft-y", "失敗する公開", "clear", "zephyrquartz");
	assert_int_equal(kstore_draft_put(st, &c, NULL, NULL, &err), 0);
	kcase_free(&c);
	kstore_close(st);
	db_exec(dbpath, "CREATE TRIGGER inject BEFORE INSERT ON case_tags"
			" BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
	assert_int_equal(kstore_open(&st, dbpath, 0, &err), 0);
	assert_int_equal(kstore_publish(st, "draft-y", &err), KE_DB);
	/* still a draft, at revision 1, no case, nothing in the index */
	kcase_init(&c);
	assert_int_equal(kstore_draft_get(st, "draft-y", &c, &err), 0);
	kcase_free(&c);
	assert_int_equal(kstore_get(st, "draft-y", &c, &err), KE_NOTFOUND);
	history(st, "draft-y", &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.current[0], 1);
	assert_int_equal(v.draft[0], 1);
	assert_int_equal(search_word(st, "zephyrquartz", &kreader_local), 0);
	kstore_close(st);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM revisions"), 0);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.publish'"), 0);
}

static void test_case_authors(void **state)
{
	struct kstore *st = open_new(NULL);
	struct kerr err = KERR_INIT;
	struct kcase c;
	struct revs v;

	(void)state;
	/* no actor: no author */
	mkdraft(&c, "case-1", "一", "green", NULL);
	assert_int_equal(kstore_put(st, &c, NULL, &err), 0);
	kcase_free(&c);
	assert_int_equal(kstore_set_actor(st, 0, "local:ope", "cli"), 0);
	mkdraft(&c, "case-1", "二", "green", NULL);
	assert_int_equal(kstore_put(st, &c, NULL, &err), 0);
	kcase_free(&c);
	assert_int_equal(kstore_set_actor(st, 5, "carol", "127.0.0.1"), 0);
	mkdraft(&c, "case-1", "三", "green", NULL);
	assert_int_equal(kstore_put(st, &c, NULL, &err), 0);
	kcase_free(&c);
	history(st, "case-1", &v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.author[0], "carol");
	assert_int_equal(v.current[0], 1);
	assert_string_equal(v.author[1], "local:ope");
	assert_string_equal(v.author[2], "(null)");
	for (int i = 0; i < 3; i++)
		assert_int_equal(v.draft[i], 0);
	kstore_close(st);
	assert_int_equal(db_count(dbpath, "SELECT count(*) FROM cases WHERE author = 'carol'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_add_get),
		cmocka_unit_test(test_year_boundary),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_status_candidate),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_overdue_agrees),
		cmocka_unit_test(test_failed_writes),
		cmocka_unit_test(test_drafts_publish),
		cmocka_unit_test(test_publish_fails),
		cmocka_unit_test(test_case_authors),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
