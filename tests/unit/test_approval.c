/*
 * test_approval.c - unit tests of the reporting organisation's approval
 * and the publish gate: the gate's whole decision table (findings none /
 * some x approval none / requested only / an older revision / the current
 * one x override none / blank / a reason x needs approval or not), the
 * texts of its reasons and its audit detail, comment and override texts,
 * reader.c's approval rules for every role, and the store (migration 11,
 * store_sqlite_approval.c): a draft's organisation from its incident, the
 * history per revision with who, a stale approval, publishing refused
 * with nothing written, an override audited next to case.publish, a draft
 * with no organisation needing none.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "approval.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "redact.h"
#include "report.h"
#include "store.h"
#include "store_account.h"
#include "store_approval.h"
#include "store_report.h"

#include <jansson.h>

/* ---- the model --------------------------------------------------------------------- */

static void add_event(struct kapproval_list *l, int kind, int rev)
{
	struct kapproval a = { .kind = kind, .revision = rev, .who = "rep", .org = "北海電力",
			       .at = "2026-11-20T00:00:00Z" };

	assert_int_equal(kapproval_list_add(l, &a), 0);
}

/* The approval histories of the table. */
enum { AP_NONE, AP_REQUESTED, AP_OLD, AP_CURRENT, AP__N };

static void history_of(struct kapproval_list *l, int which, int current)
{
	memset(l, 0, sizeof(*l));
	if (which >= AP_REQUESTED)
		add_event(l, KAPPR_REQUEST, current - 1);
	if (which == AP_OLD)
		add_event(l, KAPPR_APPROVE, current - 1);
	if (which == AP_CURRENT) {
		add_event(l, KAPPR_APPROVE, current - 1);
		add_event(l, KAPPR_REQUEST, current);
		add_event(l, KAPPR_APPROVE, current);
	}
	if (which >= AP_REQUESTED)
		add_event(l, KAPPR_COMMENT, current); /* comments change nothing */
}

static void test_gate_table(void **state)
{
	static const char *const overrides[] = { NULL, " \t\n", "電話で合意済み" };
	struct kfinding f = { .kind = KFIND_EMAIL, .field = "summary[0]", .start = 1, .end = 5, .text = "a@b.c" };
	struct kfinding f2 = { .kind = KFIND_NAME, .field = "title", .start = 0, .end = 2, .text = "北海" };
	struct kfinding two[2];
	int rows = 0;

	(void)state;
	two[0] = f;
	two[1] = f2;
	for (int nf = 0; nf <= 1; nf++)
		for (int ap = 0; ap < AP__N; ap++)
			for (int ov = 0; ov < 3; ov++)
				for (int need = 0; need <= 1; need++) {
					struct kfinding_list fl = { nf ? two : NULL, nf ? 2 : 0, 0 };
					struct kapproval_list l;
					struct kgate_in in;
					struct kgate g;
					unsigned want = 0;

					history_of(&l, ap, 4);
					in = (struct kgate_in){ .revision = 4, .needs_approval = need, .findings = &fl,
								.approvals = &l, .override = overrides[ov] };
					kgate_decide(&in, &g);
					if (nf)
						want |= KGATE_FINDINGS;
					if (need)
						want |= ap == AP_NONE ? KGATE_NOT_REQUESTED : ap == AP_REQUESTED ? KGATE_NOT_APPROVED
							: ap == AP_OLD ? KGATE_STALE : 0;
					if (g.reasons != want)
						fail_msg("findings %d approval %d override %d needs %d: reasons %#x, want %#x", nf, ap,
							 ov, need, g.reasons, want);
					/* allowed: nothing in the way, or a real reason to override it */
					assert_int_equal(g.allowed, !want || ov == 2);
					assert_int_equal(g.overridden, want && ov == 2);
					assert_int_equal(g.nfindings, nf ? 2u : 0u);
					assert_int_equal(g.revision, 4);
					assert_int_equal(g.approved_revision, ap == AP_OLD ? 3 : ap == AP_CURRENT ? 4 : 0);
					if (nf) {
						assert_int_equal(g.nkind[KFIND_EMAIL], 1);
						assert_int_equal(g.nkind[KFIND_NAME], 1);
					}
					kapproval_list_free(&l);
					rows++;
				}
	assert_int_equal(rows, 2 * AP__N * 3 * 2);
}

static void test_gate_edges(void **state)
{
	struct kapproval_list l = { 0 };
	struct kgate_in in = { .revision = 2, .needs_approval = 1 };
	struct kgate g;

	(void)state;
	/* no findings list, no history */
	kgate_decide(&in, &g);
	assert_int_equal(g.reasons, KGATE_NOT_REQUESTED);
	assert_false(g.allowed);
	/* an approval of a LATER revision than the current (cannot happen, but is not the current one) */
	add_event(&l, KAPPR_REQUEST, 3);
	add_event(&l, KAPPR_APPROVE, 3);
	in.approvals = &l;
	kgate_decide(&in, &g);
	assert_int_equal(g.reasons, KGATE_STALE);
	/* approved once, edited, approved again: the current one counts */
	kapproval_list_free(&l);
	add_event(&l, KAPPR_REQUEST, 1);
	add_event(&l, KAPPR_APPROVE, 1);
	add_event(&l, KAPPR_REQUEST, 2);
	assert_int_equal(kapproval_waiting(&l, 2), 1);
	kgate_decide(&in, &g);
	assert_int_equal(g.reasons, KGATE_STALE);
	add_event(&l, KAPPR_APPROVE, 2);
	assert_int_equal(kapproval_waiting(&l, 2), 0);
	kgate_decide(&in, &g);
	assert_int_equal(g.reasons, 0);
	assert_true(g.allowed);
	assert_false(g.overridden);
	/* an override with nothing to override is no override */
	in.override = "念のため";
	kgate_decide(&in, &g);
	assert_true(g.allowed);
	assert_false(g.overridden);
	kapproval_list_free(&l);
	assert_int_equal(kapproval_waiting(&l, 2), 0);
}

static void test_texts(void **state)
{
	struct kerr err = KERR_INIT;
	struct kgate g = { .reasons = KGATE__ALL, .nfindings = 3, .revision = 4, .approved_revision = 2,
			   .requested_revision = 3 };
	struct kbuf b = KBUF_INIT;
	char buf[400], big[5000 * 3 + 1];

	(void)state;
	kgate_reason_text(&g, KGATE_FINDINGS, buf, sizeof(buf));
	assert_non_null(strstr(buf, "3 redaction findings are unresolved"));
	kgate_reason_text(&g, KGATE_STALE, buf, sizeof(buf));
	assert_non_null(strstr(buf, "approved revision 2, but the draft is at revision 4"));
	kgate_reason_text(&g, KGATE_NOT_APPROVED, buf, sizeof(buf));
	assert_non_null(strstr(buf, "asked for revision 3"));
	assert_string_equal(kgate_reason_key(KGATE_NOT_REQUESTED), "not_requested");
	assert_null(kgate_reason_key(KGATE_FINDINGS | KGATE_STALE));
	g.nkind[KFIND_NAME] = 1;
	g.nkind[KFIND_PHONE] = 2;
	assert_int_equal(kgate_detail(&g, "合意済み", &b), 0);
	assert_non_null(strstr(kbuf_str(&b), "overrode: findings=3 (name 1, phone 2)"));
	assert_non_null(strstr(kbuf_str(&b), "stale (approved revision 2, current 4)"));
	assert_non_null(strstr(kbuf_str(&b), "reason: 合意済み"));
	kbuf_release(&b);
	/* the audit detail keeps at most 1,000 bytes of the reason, whole characters */
	for (int i = 0; i < 5000; i++)
		memcpy(big + 3 * i, "理", 3);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(kgate_detail(&g, big, &b), 0);
	assert_true(b.len < 1400);
	assert_true(kutf8_valid(b.buf, b.len));
	kbuf_release(&b);
	/* comment and override texts */
	assert_int_equal(kapproval_text_check("comment", NULL, &err), KE_INVALID);
	assert_int_equal(kapproval_text_check("comment", " \n\t", &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "comment:"));
	assert_int_equal(kapproval_text_check("comment", "\xff\xfe", &err), KE_INVALID);
	assert_int_equal(kapproval_text_check("comment", big, &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "at most 4000"));
	assert_int_equal(kapproval_text_check("comment", "地名を伏せてください", &err), 0);
	assert_string_equal(kapproval_kind_key(KAPPR_COMMENT), "comment");
	assert_int_equal(kapproval_kind_from_key("approve"), KAPPR_APPROVE);
	assert_int_equal(kapproval_kind_from_key("approved"), -1);
	assert_null(kapproval_kind_key(KAPPR__N));
}

static void test_reader_rules(void **state)
{
	struct kreader r = { .kind = KREADER_USER, .user_id = 7, .login = "u", .org = "北海電力" };

	(void)state;
	for (int role = KROLE_NONE; role < KROLE__N; role++) {
		r.role = role;
		r.caps = krole_caps(role);
		for (int req = 0; req <= 1; req++) {
			int see = kreader_may_see_approval(&r, "北海電力", req);
			int other = kreader_may_see_approval(&r, "南海ガス", req);
			int appr = kreader_may_approve(&r, "北海電力", req);
			int want_see = role == KROLE_ANALYST || role == KROLE_PUBLISHER || (role == KROLE_REPORTER && req);

			if (see != want_see)
				fail_msg("role %d requested %d: see %d", role, req, see);
			assert_int_equal(other, role == KROLE_ANALYST || role == KROLE_PUBLISHER);
			assert_int_equal(appr, role == KROLE_REPORTER && req);
			assert_false(kreader_may_approve(&r, "南海ガス", req));
			assert_false(kreader_may_approve(&r, NULL, req));
		}
	}
	/* a reporter without an organisation sees no organisation's draft */
	r.role = KROLE_REPORTER;
	r.org = NULL;
	assert_false(kreader_may_see_approval(&r, "北海電力", 1));
	assert_false(kreader_may_see_approval(&kreader_anonymous, "北海電力", 1));
	assert_true(kreader_may_see_approval(&kreader_local, "北海電力", 0));
	assert_false(kreader_may_approve(&kreader_local, "北海電力", 1));
	assert_false(kreader_may_see_approval(NULL, "北海電力", 1));
}

/* ---- the store ---------------------------------------------------------------------- */

static struct kstore *open_new(const char *actor)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	if (kstore_open(&st, testutil_db_path(), 0, &err) < 0)
		fail_msg("kstore_open: %s", err.msg);
	assert_int_equal(kstore_set_actor(st, 0, actor, "test"), 0);
	return st;
}

static void add_incident(struct kstore *st, char *id)
{
	struct kincident inc;
	struct kerr err = KERR_INIT;
	time_t t = 1795000000;
	char utc[KTIME_LEN + 1];

	memset(&inc, 0, sizeof(inc));
	ktime_iso(t, utc);
	inc.title = strdup("制御サーバの停止");
	inc.org = strdup("北海電力");
	inc.sector = strdup("electricity");
	inc.tlp = strdup("clear");
	inc.detected_at = strdup("2026-11-20T08:30:00+09:00");
	inc.detected_utc = strdup(utc);
	inc.event_types = KEVT_AVAILABILITY;
	inc.cause_types = KCAUSE_UNKNOWN;
	inc.service_affected = KTRI_UNKNOWN;
	inc.status = KINC_RECEIVED;
	inc.first = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", inc.title, "organization", inc.org, "sector", "電力",
			      "description", "説明", "tlp", "clear");
	if (kstore_incident_add(st, &inc, t, &err) < 0)
		fail_msg("kstore_incident_add: %s", err.msg);
	snprintf(id, 32, "%s", inc.id);
	kincident_free(&inc);
}

static void put_draft(struct kstore *st, const char *id, const char *incident, const char *lesson)
{
	struct kerr err = KERR_INIT;
	struct kcase c;

	kcase_init(&c);
	assert_int_equal(kstr_set(&c.id, id), 0);
	assert_int_equal(kstr_set(&c.title, "制御サーバの停止事例"), 0);
	assert_int_equal(kstr_set(&c.tlp, "clear"), 0);
	assert_int_equal(kstrv_push(&c.summary, "概要"), 0);
	assert_int_equal(kstrv_push(&c.key_lessons, lesson), 0);
	if (kstore_draft_put(st, &c, incident, NULL, &err) < 0)
		fail_msg("kstore_draft_put: %s", err.msg);
	kcase_free(&c);
}

struct audits {
	int override, publish, approve;
	char detail[2000];
};

static int audit_cb(void *ctx, const struct kaudit *a)
{
	struct audits *au = ctx;

	if (!strcmp(a->action, "case.publish.override")) {
		au->override++;
		snprintf(au->detail, sizeof(au->detail), "%s", a->detail ? a->detail : "");
	}
	au->publish += !strcmp(a->action, "case.publish");
	au->approve += !strcmp(a->action, "approval.approve");
	return 0;
}

static void test_store(void **state)
{
	struct kstore *st = open_new("ana");
	struct kapproval_target t;
	struct kapproval_list l = { 0 };
	struct kerr err = KERR_INIT;
	struct kaudit_query q = { 0 };
	struct audits au = { 0 };
	struct kgate g;
	struct kcase c;
	char inc[32];

	(void)state;
	add_incident(st, inc);
	put_draft(st, "draft-a", inc, "教訓その1");
	assert_int_equal(kstore_approval_target(st, "draft-a", &t, &err), 0);
	assert_int_equal(t.revision, 1);
	assert_int_equal(t.first, 1);
	assert_string_equal(t.org, "北海電力");
	assert_string_equal(t.incident, inc);
	kapproval_target_free(&t);
	assert_int_equal(kstore_approval_target(st, "nope", &t, &err), KE_NOTFOUND);

	/* refused: nothing written, the draft is still a draft */
	assert_int_equal(kstore_publish_gated(st, "draft-a", NULL, &g, &err), KE_DENIED);
	assert_int_equal(g.reasons, KGATE_NOT_REQUESTED);
	assert_non_null(strstr(err.msg, "has not been asked to approve"));
	kcase_init(&c);
	assert_int_equal(kstore_draft_get(st, "draft-a", &c, &err), 0);
	kcase_free(&c);

	/* an approval before a request, of another revision: refused */
	assert_int_equal(kstore_set_actor(st, 0, "rep", "test"), 0);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_APPROVE, 1, "北海電力", NULL, &err), KE_INVALID);
	assert_int_equal(kstore_set_actor(st, 0, "ana", "test"), 0);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_REQUEST, 2, NULL, NULL, &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "revision: the draft is at revision 1"));
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_REQUEST, 1, "センター", NULL, &err), 0);
	assert_int_equal(kstore_set_actor(st, 0, "rep", "test"), 0);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_COMMENT, 1, "北海電力", " ", &err), KE_INVALID);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_COMMENT, 1, "北海電力", "地名を伏せて", &err), 0);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_APPROVE, 1, "北海電力", NULL, &err), 0);
	assert_int_equal(kstore_approval_add(st, "draft-a", KAPPR_APPROVE, 1, "北海電力", NULL, &err), KE_INVALID);
	assert_int_equal(kstore_approval_list(st, "draft-a", &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].kind, KAPPR_REQUEST);
	assert_string_equal(l.v[0].who, "ana");
	assert_int_equal(l.v[1].kind, KAPPR_COMMENT);
	assert_string_equal(l.v[1].text, "地名を伏せて");
	assert_string_equal(l.v[2].who, "rep");
	assert_string_equal(l.v[2].org, "北海電力");
	assert_int_equal(l.v[2].revision, 1);
	assert_non_null(l.v[2].at);
	kapproval_list_free(&l);
	assert_int_equal(kstore_approval_gate(st, "draft-a", NULL, &g, NULL, &err), 0);
	assert_true(g.allowed);

	/* edited after the approval: stale; the first revision is still 1 */
	assert_int_equal(kstore_set_actor(st, 0, "ana", "test"), 0);
	put_draft(st, "draft-a", NULL, "教訓その1（改訂）");
	assert_int_equal(kstore_approval_target(st, "draft-a", &t, &err), 0);
	assert_int_equal(t.revision, 2);
	assert_int_equal(t.first, 1);
	kapproval_target_free(&t);
	assert_int_equal(kstore_approval_gate(st, "draft-a", NULL, &g, NULL, &err), 0);
	assert_false(g.allowed);
	assert_int_equal(g.reasons, KGATE_STALE);
	assert_int_equal(kstore_set_actor(st, 0, "pub", "test"), 0);
	assert_int_equal(kstore_publish_gated(st, "draft-a", "  ", &g, &err), KE_DENIED);

	/* the override: published, audited with what it overrode */
	assert_int_equal(kstore_publish_gated(st, "draft-a", "組織と電話で合意", &g, &err), 0);
	assert_true(g.overridden);
	assert_int_equal(kstore_draft_get(st, "draft-a", &c, &err), KE_NOTFOUND);
	kcase_free(&c);
	kcase_init(&c);
	assert_int_equal(kstore_get(st, "draft-a", &c, &err), 0);
	kcase_free(&c);
	assert_int_equal(kstore_audit_list(st, &q, audit_cb, &au, &err), 0);
	assert_int_equal(au.override, 1);
	assert_int_equal(au.publish, 1);
	assert_int_equal(au.approve, 1);
	assert_non_null(strstr(au.detail, "stale (approved revision 1, current 2)"));
	assert_non_null(strstr(au.detail, "reason: 組織と電話で合意"));

	/* a draft with no incident: no organisation, no approval needed, none can be asked */
	put_draft(st, "draft-b", NULL, "教訓");
	assert_int_equal(kstore_approval_target(st, "draft-b", &t, &err), 0);
	assert_null(t.org);
	kapproval_target_free(&t);
	assert_int_equal(kstore_approval_add(st, "draft-b", KAPPR_REQUEST, 1, NULL, NULL, &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "no organisation"));
	assert_int_equal(kstore_publish_gated(st, "draft-b", NULL, &g, &err), 0);
	assert_false(g.overridden);
	memset(&au, 0, sizeof(au));
	assert_int_equal(kstore_audit_list(st, &q, audit_cb, &au, &err), 0);
	assert_int_equal(au.override, 1);
	assert_int_equal(au.publish, 2);
	kstore_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_table),
		cmocka_unit_test(test_gate_edges),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_reader_rules),
		cmocka_unit_test(test_store),
	};

	return cmocka_run_group_tests(tests, testutil_tmp_setup, testutil_tmp_teardown);
}
