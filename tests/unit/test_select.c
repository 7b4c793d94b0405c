/*
 * test_select.c - unit tests of selection (select.h, store_select.h): the
 * period (年度 and a range of days, bad ones refused), the criteria, the
 * shortlist with exact expected lists (ranking, ties, the cap per sector,
 * categories spread over near ties, overrides in and out, unscored,
 * partly scored, a list full of overrides, no candidates), every kind of
 * reason as text, bad sizes and caps; then the store: the candidates of a
 * period (candidate incidents, drafts by their incident's detection, an
 * incident with a draft shown once), scores with note, scorer and time,
 * refusals that store nothing (not a candidate, bad UTF-8 note, missing
 * reason), scores given to an incident kept by its draft, the kept
 * shortlist and kstore_selection_cases() with later overrides, the reasons
 * of a case, audit rows.
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
#include "select.h"
#include "store.h"
#include "store_account.h"
#include "store_report.h"
#include "store_select.h"

#define assert_msg_has(err, want) do { \
	if (!strstr((err).msg, (want))) \
		fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (want)); \
} while (0)

/* ---- the model -------------------------------------------------------------- */

/* A candidate with total t spread over the criteria (3 each from the first), lessons score l (-1: as spread). */
static void mk(struct kselect_cand *c, const char *id, const char *sector, const char *cat, int t)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->title = id;
	c->kind = KSELECT_INCIDENT;
	if (sector) {
		c->sectors[0] = sector;
		c->nsectors = 1;
	}
	c->category = cat;
	c->when = "2025-05-01T00:00:00Z";
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		if (t < 0) {
			c->score[k] = -1;
			continue;
		}
		c->score[k] = t > 3 ? 3 : t;
		t -= c->score[k];
	}
}

static const struct kselect_cand *by_id(const struct kselect_cand *c, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].id, id))
			return &c[i];
	fail_msg("no candidate %s", id);
	return NULL;
}

/* The shortlist as "A,B,C" in position order. */
static const char *listed(const struct kselect_cand *c, size_t n)
{
	static char out[256];

	out[0] = 0;
	for (int p = 1; p <= (int)n; p++)
		for (size_t i = 0; i < n; i++)
			if (c[i].in && c[i].position == p)
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? "," : "", c[i].id);
	return out;
}

static void expect_reason(const struct kselect_cand *c, size_t n, const struct kselect_result *res, const char *id,
			  const char *want)
{
	struct kbuf b = KBUF_INIT;

	assert_int_equal(kselect_reason(by_id(c, n, id), res, &b), 0);
	if (strcmp(kbuf_str(&b), want))
		fail_msg("%s: reason \"%s\", want \"%s\"", id, kbuf_str(&b), want);
	kbuf_release(&b);
}

static void run(struct kselect_cand *c, size_t n, int size, int cap, struct kselect_result *res)
{
	struct kselect_params p = { size, cap };
	struct kerr err = KERR_INIT;

	if (kselect_shortlist(c, n, &p, res, &err))
		fail_msg("kselect_shortlist: %s", err.msg);
}

static void test_period(void **state)
{
	struct kselect_period p;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(kselect_period_parse("2025", &p, &err), 0);
	assert_string_equal(p.key, "2025");
	assert_string_equal(p.since, "2025-03-31T15:00:00Z");
	assert_string_equal(p.until, "2026-03-31T15:00:00Z");
	assert_non_null(strstr(p.label, "年度 2025"));
	assert_int_equal(kselect_period_parse("2025-01-01..2025-12-31", &p, &err), 0);
	assert_string_equal(p.key, "2025-01-01..2025-12-31");
	assert_string_equal(p.since, "2024-12-31T15:00:00Z");
	assert_string_equal(p.until, "2025-12-31T15:00:00Z");
	assert_int_equal(kselect_period_parse("2024-02-29..2024-02-29", &p, &err), 0);
	assert_string_equal(p.until, "2024-02-29T15:00:00Z");
	static const char *const bad[] = { "", "25", "abcd", "1989", "2025-13-01..2025-12-31", "2025-02-29..2025-03-01",
					   "2025-03-01..2025-02-01", "2025-01-01-2025-12-31", "2025-01-01..2025-12-3x",
					   "２０２５" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = (struct kerr)KERR_INIT;
		if (kselect_period_parse(bad[i], &p, &err) != KE_INVALID)
			fail_msg("period \"%s\" accepted", bad[i]);
		assert_msg_has(err, "period:");
	}
	assert_int_equal(kselect_period_parse(NULL, &p, &err), KE_INVALID);
}

static void test_criteria(void **state)
{
	(void)state;
	assert_int_equal(kselect_criterion_parse("damage"), 0);
	assert_int_equal(kselect_criterion_parse("response"), 7);
	assert_int_equal(kselect_criterion_parse("7"), 6);
	assert_int_equal(kselect_criterion_parse("世の中のトレンド"), 4);
	assert_int_equal(kselect_criterion_parse("9"), -1);
	assert_int_equal(kselect_criterion_parse("0"), -1);
	assert_int_equal(kselect_criterion_parse("Damage"), -1);
	assert_int_equal(kselect_criterion_parse(""), -1);
	assert_int_equal(kselect_criterion_parse(NULL), -1);
	assert_string_equal(kselect_criteria[6].key, "lessons");
	assert_string_equal(kselect_balance.ja, "分野のバランス");
}

static void test_rank_and_cut(void **state)
{
	struct kselect_cand c[5];
	struct kselect_result res;

	(void)state;
	mk(&c[0], "A", "electricity", "マルウェア", 10);
	mk(&c[1], "B", "gas", "侵入", 20);
	mk(&c[2], "C", "water", "可用性", 15);
	mk(&c[3], "D", "finance", "漏えい", 17);
	mk(&c[4], "E", "railway", "その他", 9);
	run(c, 5, 3, 2, &res);
	assert_string_equal(listed(c, 5), "B,D,C");
	assert_int_equal(res.nin, 3);
	assert_int_equal(res.cut, 15);
	expect_reason(c, 5, &res, "B", "in: 1st by score 20/24");
	expect_reason(c, 5, &res, "D", "in: 2nd by score 17/24");
	expect_reason(c, 5, &res, "C", "in: 3rd by score 15/24");
	expect_reason(c, 5, &res, "A", "out: below the cut (score 10, the cut is 15)");
	expect_reason(c, 5, &res, "E", "out: below the cut (score 9, the cut is 15)");
	assert_string_equal(kselect_why_name(by_id(c, 5, "A")->why), "cut");
	/* a list larger than the candidates: every one in */
	run(c, 5, 10, 2, &res);
	assert_string_equal(listed(c, 5), "B,D,C,A,E");
	expect_reason(c, 5, &res, "E", "in: 5th by score 9/24");
}

static void test_cap(void **state)
{
	struct kselect_cand c[5];
	struct kselect_result res;

	(void)state;
	mk(&c[0], "E1", "electricity", "マルウェア", 20);
	mk(&c[1], "E2", "electricity", "侵入", 19);
	mk(&c[2], "E3", "electricity", "可用性", 18);
	mk(&c[3], "G1", "gas", "マルウェア", 10);
	mk(&c[4], "W1", "water", "マルウェア", 8);
	run(c, 5, 3, 2, &res);
	assert_string_equal(listed(c, 5), "E1,E2,G1");
	expect_reason(c, 5, &res, "E3", "out: 電力 already has 2 (cap 2; score 18)");
	assert_string_equal(by_id(c, 5, "E3")->why_sector, "electricity");
	expect_reason(c, 5, &res, "W1", "out: below the cut (score 8, the cut is 10)");
	/* cap 1 and room to spare: the capped one is out for the cap, the list not full */
	run(c, 5, 5, 1, &res);
	assert_string_equal(listed(c, 5), "E1,G1,W1");
	expect_reason(c, 5, &res, "E2", "out: 電力 already has 1 (cap 1; score 19)");
	/* a case of two sectors counts for both */
	c[3].sectors[1] = "electricity";
	c[3].nsectors = 2;
	c[3].score[0] = 3;
	c[3].score[1] = 3;
	c[3].score[2] = 3;
	c[3].score[3] = 3;
	c[3].score[4] = 3;
	c[3].score[5] = 3;
	c[3].score[6] = 3; /* 21 */
	run(c, 5, 3, 2, &res);
	/* G1 (21), then E2 (19, 侵入) over E1 (20, マルウェア like G1): a near tie spread; then 電力 is full */
	assert_string_equal(listed(c, 5), "G1,E2,W1");
	expect_reason(c, 5, &res, "E2", "in: 3rd by score 19/24; taken over a near tie to spread categories (侵入 had 0)");
	expect_reason(c, 5, &res, "E1", "out: 電力 already has 2 (cap 2; score 20)");
}

static void test_spread(void **state)
{
	struct kselect_cand c[4];
	struct kselect_result res;

	(void)state;
	/* B (19, X) and C (18, Y) are within a point: Y has none yet, so C */
	mk(&c[0], "A", "electricity", "X", 20);
	mk(&c[1], "B", "gas", "X", 19);
	mk(&c[2], "C", "water", "Y", 18);
	mk(&c[3], "D", "finance", "Z", 17);
	run(c, 4, 2, 3, &res);
	assert_string_equal(listed(c, 4), "A,C");
	assert_int_equal(res.cut, 18);
	expect_reason(c, 4, &res, "A", "in: 1st by score 20/24");
	expect_reason(c, 4, &res, "C",
		      "in: 3rd by score 18/24; taken over a near tie to spread categories (Y had 0)");
	expect_reason(c, 4, &res, "B", "out: category X already has 1; spread to others within 1 point (score 19)");
	expect_reason(c, 4, &res, "D", "out: below the cut (score 17, the cut is 18)");
	/* two points apart is no near tie: the score wins */
	c[2].score[5] = 0; /* C: 17 */
	c[2].score[6] = 0;
	c[2].score[5] = 2;
	assert_int_equal(c[2].score[0] + c[2].score[1] + c[2].score[2] + c[2].score[3] + c[2].score[4] + c[2].score[5], 17);
	run(c, 4, 2, 3, &res);
	assert_string_equal(listed(c, 4), "A,B");
	/* an exact tie in the same category: the lessons score, then the earlier, then the id */
	mk(&c[0], "P", "electricity", "X", 12);
	mk(&c[1], "Q", "gas", "X", 12);
	mk(&c[2], "R", "water", "X", 12);
	mk(&c[3], "S", "finance", "X", 12);
	c[3].score[3] = 2;
	c[3].score[6] = 1; /* S: 12 with lessons 1 */
	c[2].when = "2025-04-02T00:00:00Z";
	run(c, 4, 3, 3, &res);
	assert_string_equal(listed(c, 4), "S,R,P");
	expect_reason(c, 4, &res, "Q", "out: tied at the cut (score 12) and lost the tie-break (category X had 3;"
		      " then the lessons score, the earlier detection, the id)");
	assert_string_equal(kselect_why_name(by_id(c, 4, "Q")->why), "tie");
	/* with categories: spread first over the tie */
	c[0].category = "Y";
	run(c, 4, 2, 3, &res);
	assert_string_equal(listed(c, 4), "S,P");
	expect_reason(c, 4, &res, "P", "in: 1st by score 12/24; taken over a near tie to spread categories (Y had 0)");
}

static void test_overrides_and_unscored(void **state)
{
	struct kselect_cand c[6];
	struct kselect_result res;

	(void)state;
	mk(&c[0], "A", "electricity", "X", 20);
	mk(&c[1], "B", "gas", "Y", 18);
	mk(&c[2], "C", "water", "Z", 5);
	mk(&c[3], "D", "finance", "X", 16);
	mk(&c[4], "U", "railway", "X", -1);
	mk(&c[5], "P", "railway", "W", 0);
	c[5].score[0] = 2; /* only one criterion: 2 */
	for (int k = 1; k < KSELECT_NCRITERIA; k++)
		c[5].score[k] = -1;
	c[0].decision = -1;
	c[0].decision_reason = "同一組織の事例が既にある";
	c[0].decided_by = "ana";
	c[2].decision = 1;
	c[2].decision_reason = "地域の事例として必要";
	c[2].decided_by = "ana";
	run(c, 6, 3, 3, &res);
	assert_string_equal(listed(c, 6), "C,B,D");
	assert_int_equal(res.noverride_in, 1);
	assert_int_equal(res.nunscored, 1);
	assert_int_equal(res.cut, 16);
	expect_reason(c, 6, &res, "C", "in: chosen by ana: 地域の事例として必要");
	expect_reason(c, 6, &res, "A", "out: left out by ana: 同一組織の事例が既にある");
	expect_reason(c, 6, &res, "B", "in: 2nd by score 18/24");
	expect_reason(c, 6, &res, "U", "out: not scored");
	expect_reason(c, 6, &res, "P", "out: below the cut (score 2, the cut is 16, 1 of 8 criteria scored)");
	assert_int_equal(by_id(c, 6, "U")->rank, 0);
	assert_int_equal(by_id(c, 6, "A")->rank, 1);
	/* an override in beyond the cap and the size */
	c[1].decision = 1;
	c[1].decision_reason = "理由";
	c[1].decided_by = "pub";
	run(c, 6, 1, 1, &res);
	assert_string_equal(listed(c, 6), "B,C");
	expect_reason(c, 6, &res, "D", "out: the list is full with the analysts' choices (score 16)");
	assert_int_equal(res.cut, -1);
	/* an unscored candidate put in by an analyst is in */
	c[4].decision = 1;
	c[4].decision_reason = "未採点でも入れる";
	c[4].decided_by = "ana";
	run(c, 6, 5, 3, &res);
	assert_true(by_id(c, 6, "U")->in);
	expect_reason(c, 6, &res, "U", "in: chosen by ana: 未採点でも入れる");
}

static void test_bad_params_and_empty(void **state)
{
	struct kselect_cand c[1];
	struct kselect_result res;
	struct kselect_params p = { 0, 2 };
	struct kerr err = KERR_INIT;

	(void)state;
	mk(&c[0], "A", "gas", "X", 3);
	assert_int_equal(kselect_shortlist(c, 1, &p, &res, &err), KE_INVALID);
	assert_msg_has(err, "size:");
	p.size = -3;
	assert_int_equal(kselect_shortlist(c, 1, &p, &res, &err), KE_INVALID);
	p.size = KSELECT_MAX_SIZE + 1;
	assert_int_equal(kselect_shortlist(c, 1, &p, &res, &err), KE_INVALID);
	p.size = 3;
	p.cap = 0;
	assert_int_equal(kselect_shortlist(c, 1, &p, &res, &err), KE_INVALID);
	assert_msg_has(err, "cap-per-sector:");
	p.cap = 1;
	assert_int_equal(kselect_shortlist(NULL, 0, &p, &res, &err), 0);
	assert_int_equal(res.nin, 0);
	assert_int_equal(res.cut, -1);
	/* no sector and no category: never capped, one group */
	mk(&c[0], "N", NULL, NULL, 4);
	assert_int_equal(kselect_shortlist(c, 1, &p, &res, &err), 0);
	assert_true(c[0].in);
}

/* ---- the store ---------------------------------------------------------------- */

static const char *dbpath; /* the database open_new() made last */

static struct kstore *open_new(const char *actor)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;

	dbpath = testutil_db_path();
	if (kstore_open(&st, dbpath, 0, &err) < 0)
		fail_msg("kstore_open: %s", err.msg);
	if (actor)
		assert_int_equal(kstore_set_actor(st, 0, actor, "test"), 0);
	return st;
}

static long db_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static time_t at(const char *s)
{
	time_t t;

	if (kreport_time_parse(s, &t, NULL))
		fail_msg("bad time %s", s);
	return t;
}

static void add(struct kstore *st, const char *title, const char *sector, const char *detected, unsigned evt,
		int candidate, char *id)
{
	struct kincident inc;
	struct kerr err = KERR_INIT;
	char utc[KTIME_LEN + 1];

	memset(&inc, 0, sizeof(inc));
	ktime_iso(at(detected), utc);
	inc.title = strdup(title);
	inc.org = strdup("試験組織");
	inc.sector = strdup(sector);
	inc.tlp = strdup("clear");
	inc.detected_at = strdup(detected);
	inc.detected_utc = strdup(utc);
	inc.event_types = evt;
	inc.cause_types = KCAUSE_UNKNOWN;
	inc.status = KINC_RECEIVED;
	inc.first = json_pack("{s:s, s:s, s:s, s:s}", "title", title, "organization", "試験組織", "sector",
			      ksector_label_ja(sector), "tlp", "clear");
	if (kstore_incident_add(st, &inc, at("2026-03-20T00:00:00Z"), &err) < 0)
		fail_msg("kstore_incident_add %s: %s", title, err.msg);
	snprintf(id, 32, "%s", inc.id);
	if (candidate)
		assert_int_equal(kstore_incident_candidate(st, id, 1, at("2026-03-20T00:00:00Z"), &err), 0);
	kincident_free(&inc);
}

static void draft(struct kstore *st, const char *id, const char *title, const char *incident, const char *sector,
		  const char *category)
{
	struct kcase c;
	struct kerr err = KERR_INIT;

	kcase_init(&c);
	assert_int_equal(kstr_set(&c.id, id), 0);
	assert_int_equal(kstr_set(&c.title, title), 0);
	assert_int_equal(kstr_set(&c.tlp, "clear"), 0);
	assert_int_equal(kstrv_push(&c.tags.sectors, sector), 0);
	if (category)
		assert_int_equal(kstr_set(&c.category, category), 0);
	if (kstore_draft_put(st, &c, incident, NULL, &err) < 0)
		fail_msg("kstore_draft_put %s: %s", id, err.msg);
	kcase_free(&c);
}

static struct kselect_entry *entry(struct kselect_set *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].c.id, id))
			return &s->v[i];
	fail_msg("no candidate %s", id);
	return NULL;
}

struct reasons {
	int n;
	char reason[8][200];
	int chosen[8];
};

static int collect_reason(void *ctx, const struct kselect_kept_row *r)
{
	struct reasons *rs = ctx;

	if (rs->n < 8) {
		snprintf(rs->reason[rs->n], 200, "%s", r->reason);
		rs->chosen[rs->n++] = r->chosen;
	}
	return 0;
}

static void test_store(void **state)
{
	struct kstore *st = open_new("ana");
	struct kerr err = KERR_INIT;
	struct kselect_period p, p24;
	struct kselect_set set = { 0 };
	struct kselect_result res;
	struct kselect_params params = { 2, 2 };
	struct kstrv ids = { 0 };
	struct reasons rs;
	char a[32], b[32], old[32], notc[32], x[32];
	time_t now = at("2026-03-21T00:00:00Z");

	(void)state;
	assert_int_equal(kselect_period_parse("2025", &p, &err), 0);
	assert_int_equal(kselect_period_parse("2024", &p24, &err), 0);
	add(st, "電力の感染", "electricity", "2025-05-01T09:00:00+09:00", KEVT_MALWARE, 1, a);
	add(st, "ガスの侵入", "gas", "2025-06-01T09:00:00+09:00", KEVT_INTRUSION | KEVT_MALWARE, 1, b);
	add(st, "年度前", "gas", "2025-03-31T23:59:00+09:00", KEVT_INTRUSION, 1, old);
	add(st, "候補でない", "water", "2025-07-01T09:00:00+09:00", KEVT_OTHER, 0, notc);
	add(st, "年度末", "water", "2026-03-31T23:59:00+09:00", KEVT_AVAILABILITY, 1, x);
	/* a draft from b, and a draft from the non-candidate (drafts are candidates) */
	draft(st, "draft-b", "ガスの侵入事例", b, "gas", NULL);
	draft(st, "draft-n", "水道の事例", notc, "water", "設定ミス");
	assert_int_equal(kstore_selection_load(st, &p, &set, &err), 0);
	assert_int_equal(set.n, 4);
	assert_string_equal(set.v[0].c.id, a);
	assert_string_equal(set.v[1].c.id, "draft-b");
	assert_string_equal(set.v[2].c.id, "draft-n");
	assert_string_equal(set.v[3].c.id, x);
	assert_int_equal(set.v[1].c.kind, KSELECT_DRAFT);
	assert_string_equal(set.v[1].incident, b);
	assert_string_equal(set.v[0].c.category, "マルウェア等の感染");
	assert_string_equal(set.v[1].c.category, "マルウェア等の感染"); /* the first event type of b */
	assert_string_equal(set.v[2].c.category, "設定ミス");
	assert_string_equal(set.v[3].c.sectors[0], "water");
	assert_int_equal(set.v[0].c.score[0], -1);
	kselect_set_free(&set);
	assert_int_equal(kstore_selection_load(st, &p24, &set, &err), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].c.id, old);
	kselect_set_free(&set);

	/* scores: b's go to its draft; refusals store nothing */
	assert_int_equal(kstore_selection_score(st, &p, a, 0, 3, "変電所の監視に実害", now, &err), 0);
	assert_int_equal(kstore_selection_score(st, &p, a, 6, 2, NULL, now, &err), 0);
	assert_int_equal(kstore_selection_score(st, &p, a, 0, 2, "見直し", now, &err), 0); /* replaced */
	assert_int_equal(kstore_selection_score(st, &p, b, 1, 3, "", now, &err), 0);
	assert_int_equal(kstore_selection_score(st, &p, x, 1, 1, "", now, &err), 0);
	err = (struct kerr)KERR_INIT;
	assert_int_equal(kstore_selection_score(st, &p, old, 0, 3, NULL, now, &err), KE_NOTFOUND);
	assert_msg_has(err, "is not a candidate of 年度 2025");
	assert_int_equal(kstore_selection_score(st, &p, "IR-2099-9999", 0, 3, NULL, now, &err), KE_NOTFOUND);
	assert_int_equal(kstore_selection_score(st, &p, a, 8, 3, NULL, now, &err), KE_INVALID);
	assert_msg_has(err, "criterion:");
	assert_int_equal(kstore_selection_score(st, &p, a, 1, 4, NULL, now, &err), KE_INVALID);
	assert_msg_has(err, "score:");
	assert_int_equal(kstore_selection_score(st, &p, a, 1, -1, NULL, now, &err), KE_INVALID);
	assert_int_equal(kstore_selection_score(st, &p, a, 1, 2, "bad \xff\xfe", now, &err), KE_INVALID);
	assert_msg_has(err, "note: not valid UTF-8");
	assert_int_equal(db_count("SELECT count(*) FROM selection_scores"), 4);
	assert_int_equal(db_count("SELECT count(*) FROM selection_scores WHERE candidate = 'draft-b'"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'select.score'"), 5);
	/* overrides: a reason is needed */
	assert_int_equal(kstore_selection_decide(st, &p, x, 1, "", now, &err), KE_INVALID);
	assert_msg_has(err, "reason: required");
	assert_int_equal(kstore_selection_decide(st, &p, x, -1, "\xc3", now, &err), KE_INVALID);
	assert_int_equal(kstore_selection_decide(st, &p, old, 1, "理由", now, &err), KE_NOTFOUND);
	assert_int_equal(db_count("SELECT count(*) FROM selection_decisions"), 0);
	assert_int_equal(kstore_selection_decide(st, &p, x, 1, "年度末の重要事例", now, &err), 0);
	assert_int_equal(kstore_set_actor(st, 0, "pub", "test"), 0);
	assert_int_equal(kstore_selection_decide(st, &p, "draft-n", -1, "重複", now, &err), 0);

	assert_int_equal(kstore_selection_load(st, &p, &set, &err), 0);
	assert_int_equal(entry(&set, a)->c.score[0], 2);
	assert_string_equal(entry(&set, a)->note[0], "見直し");
	assert_string_equal(entry(&set, a)->scorer[0], "ana");
	assert_string_equal(entry(&set, a)->scored_at[0], "2026-03-21T00:00:00Z");
	assert_int_equal(entry(&set, a)->c.score[6], 2);
	assert_int_equal(entry(&set, "draft-b")->c.score[1], 3);
	assert_int_equal(entry(&set, x)->c.decision, 1);
	assert_string_equal(entry(&set, x)->c.decision_reason, "年度末の重要事例");
	assert_string_equal(entry(&set, "draft-n")->c.decided_by, "pub");
	{
		struct kselect_cand cs[4];

		for (size_t i = 0; i < set.n; i++)
			cs[i] = set.v[i].c;
		assert_int_equal(kselect_shortlist(cs, set.n, &params, &res, &err), 0);
		for (size_t i = 0; i < set.n; i++)
			set.v[i].c = cs[i];
	}
	/* x (override in), then a (4) over draft-b (3): the list of 2 */
	assert_true(entry(&set, x)->c.in);
	assert_true(entry(&set, a)->c.in);
	assert_false(entry(&set, "draft-b")->c.in);
	assert_int_equal(kstore_selection_keep(st, &p, &set, &res, now, &err), 0);
	kselect_set_free(&set);
	assert_int_equal(db_count("SELECT count(*) FROM selection_kept WHERE period = '2025'"), 4);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'select.keep'"), 1);
	/* the kept cases: x and a have no case or draft yet, so nothing */
	assert_int_equal(kstore_selection_cases(st, "2025", &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	/* a draft for a: the kept incident gives it */
	draft(st, "draft-a", "電力の事例", a, "electricity", NULL);
	assert_int_equal(kstore_selection_cases(st, "2025", &ids, &err), 0);
	assert_int_equal(ids.n, 1);
	assert_string_equal(ids.v[0], "draft-a");
	kstrv_clear(&ids);
	/* an override after the keep: draft-b in (under its incident's id) */
	assert_int_equal(kstore_selection_decide(st, &p, b, 1, "追加", now, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM selection_decisions WHERE candidate = 'draft-b'"), 1);
	assert_int_equal(kstore_selection_cases(st, "2025", &ids, &err), 0);
	assert_int_equal(ids.n, 2);
	assert_string_equal(ids.v[0], "draft-a");
	assert_string_equal(ids.v[1], "draft-b");
	kstrv_clear(&ids);
	/* draft-a's reasons: kept for its incident a */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(kstore_selection_reasons(st, "draft-a", collect_reason, &rs, &err), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.chosen[0], 1);
	assert_string_equal(rs.reason[0], "in: 1st by score 4/24, 2 of 8 criteria scored");
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(kstore_selection_reasons(st, "draft-n", collect_reason, &rs, &err), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.reason[0], "out: left out by pub: 重複");
	/* clearing an override; out after the keep removes */
	assert_int_equal(kstore_selection_decide(st, &p, b, 0, NULL, now, &err), 0);
	/* a has a draft now: its id names the draft, and the override reaches the kept incident */
	assert_int_equal(kstore_selection_decide(st, &p, a, -1, "取り下げ", now, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM selection_decisions WHERE candidate = 'draft-a'"), 1);
	assert_int_equal(kstore_selection_cases(st, "2025", &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	/* no selection for a period: nothing */
	assert_int_equal(kstore_selection_cases(st, "2024", &ids, &err), 0);
	assert_int_equal(ids.n, 0);
	kstrv_clear(&ids);
	kstore_close(st);
}

int main(void)
{
	const struct CMUnitTest model[] = {
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_criteria),
		cmocka_unit_test(test_rank_and_cut),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_overrides_and_unscored),
		cmocka_unit_test(test_bad_params_and_empty),
	};
	const struct CMUnitTest store[] = {
		cmocka_unit_test(test_store),
	};
	int rc = cmocka_run_group_tests_name("select model", model, NULL, NULL);

	return rc + cmocka_run_group_tests_name("select store", store, testutil_tmp_setup, testutil_tmp_teardown);
}
