/*
 * test_report.c - unit tests of the model of incident reports (report.h):
 * the workflow as a table (status x action x reader, one cmocka test per
 * cell), deadlines with the injectable clock, the checks of first reports
 * and follow-ups (a test per kind of bad field), times, the case draft and
 * the incident as JSON.
 *
 * The tests are built at run time into one group, so that every cell of
 * the workflow table counts as a test of its own.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "case.h"
#include "case_json.h"
#include "kerr.h"
#include "report.h"

#define assert_msg_has(err, want) do { \
	if (!strstr((err).msg, (want))) \
		fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (want)); \
} while (0)

/* ---- readers ---------------------------------------------------------------- */

enum {
	RD_ANON, RD_REP_OWN, RD_REP_OTHER, RD_LIA_SECTOR, RD_LIA_OTHER, RD_ANALYST, RD_PUBLISHER, RD_ADMIN,
	RD_LOCAL, RD__N
};

static const char *const reader_names[RD__N] = {
	"anonymous", "reporter of the org", "reporter of another org", "liaison of the sector",
	"liaison of another sector", "analyst", "publisher", "admin", "local operator",
};

#define OWN_ORG "東日本電力"
#define OWN_ORG_ID 10

static struct kreader user(enum krole role, long long id, long long org_id, const char *org, const char *sector)
{
	struct kreader r = { .kind = KREADER_USER, .user_id = id, .login = "u", .org_id = org_id, .org = org,
			     .role = role, .caps = krole_caps(role) };

	if (sector) {
		r.sectors[0] = sector;
		r.nsectors = 1;
	}
	return r;
}

static struct kreader reader_of(int which)
{
	switch (which) {
	case RD_REP_OWN: return user(KROLE_REPORTER, 1, OWN_ORG_ID, OWN_ORG, "electricity");
	case RD_REP_OTHER: return user(KROLE_REPORTER, 2, 11, "西日本ガス", "gas");
	case RD_LIA_SECTOR: return user(KROLE_LIAISON, 3, 20, "経済産業省", "electricity");
	case RD_LIA_OTHER: return user(KROLE_LIAISON, 4, 21, "国土交通省", "railway");
	case RD_ANALYST: return user(KROLE_ANALYST, 5, 1, "センター", NULL);
	case RD_PUBLISHER: return user(KROLE_PUBLISHER, 6, 1, "センター", NULL);
	case RD_ADMIN: return user(KROLE_ADMIN, 7, 1, "センター", NULL);
	case RD_LOCAL: return (struct kreader)KREADER_LOCAL_INIT;
	default: return (struct kreader)KREADER_ANONYMOUS_INIT;
	}
}

/* An incident of OWN_ORG in electricity at tlp, in status st (nothing allocated: do not free). */
static struct kincident incident_at(int st, const char *tlp)
{
	struct kincident inc = { 0 };

	inc.id = (char *)"IR-2026-0001";
	inc.title = (char *)"制御系ネットワークの異常通信";
	inc.org_id = OWN_ORG_ID;
	inc.org = (char *)OWN_ORG;
	inc.sector = (char *)"electricity";
	inc.tlp = (char *)tlp;
	inc.status = st;
	return inc;
}

/* ---- the workflow as a table ------------------------------------------------------ */

/*
 * Expected answers: for each action and reader, one letter per status
 * (received, checking, responding, closed, withdrawn): y allowed,
 * n KE_NOTFOUND, d KE_DENIED, i KE_INVALID.  The incident is TLP:AMBER,
 * has no final report and no case.
 */
static const struct {
	int action, reader;
	const char *want;
} workflow[] = {
	/* view */
	{ KACT_VIEW, RD_ANON, "nnnnn" },          { KACT_VIEW, RD_REP_OWN, "yyyyy" },
	{ KACT_VIEW, RD_REP_OTHER, "nnnnn" },     { KACT_VIEW, RD_LIA_SECTOR, "yyyyy" },
	{ KACT_VIEW, RD_LIA_OTHER, "nnnnn" },     { KACT_VIEW, RD_ANALYST, "yyyyy" },
	{ KACT_VIEW, RD_PUBLISHER, "yyyyy" },     { KACT_VIEW, RD_ADMIN, "nnnnn" },
	{ KACT_VIEW, RD_LOCAL, "yyyyy" },
	/* follow-up: a correction after closing, nothing once withdrawn */
	{ KACT_FOLLOWUP, RD_ANON, "nnnnn" },      { KACT_FOLLOWUP, RD_REP_OWN, "yyyyi" },
	{ KACT_FOLLOWUP, RD_REP_OTHER, "nnnnn" }, { KACT_FOLLOWUP, RD_LIA_SECTOR, "ddddd" },
	{ KACT_FOLLOWUP, RD_LIA_OTHER, "nnnnn" }, { KACT_FOLLOWUP, RD_ANALYST, "yyyyi" },
	{ KACT_FOLLOWUP, RD_PUBLISHER, "yyyyi" }, { KACT_FOLLOWUP, RD_ADMIN, "nnnnn" },
	{ KACT_FOLLOWUP, RD_LOCAL, "yyyyi" },
	/* final */
	{ KACT_FINAL, RD_ANON, "nnnnn" },         { KACT_FINAL, RD_REP_OWN, "yyyii" },
	{ KACT_FINAL, RD_REP_OTHER, "nnnnn" },    { KACT_FINAL, RD_LIA_SECTOR, "ddddd" },
	{ KACT_FINAL, RD_LIA_OTHER, "nnnnn" },    { KACT_FINAL, RD_ANALYST, "yyyii" },
	{ KACT_FINAL, RD_PUBLISHER, "yyyii" },    { KACT_FINAL, RD_ADMIN, "nnnnn" },
	{ KACT_FINAL, RD_LOCAL, "yyyii" },
	/* check: received -> checking */
	{ KACT_CHECK, RD_ANON, "nnnnn" },         { KACT_CHECK, RD_REP_OWN, "ddddd" },
	{ KACT_CHECK, RD_REP_OTHER, "nnnnn" },    { KACT_CHECK, RD_LIA_SECTOR, "ddddd" },
	{ KACT_CHECK, RD_LIA_OTHER, "nnnnn" },    { KACT_CHECK, RD_ANALYST, "yiiii" },
	{ KACT_CHECK, RD_PUBLISHER, "yiiii" },    { KACT_CHECK, RD_ADMIN, "nnnnn" },
	{ KACT_CHECK, RD_LOCAL, "yiiii" },
	/* respond: received, checking -> responding */
	{ KACT_RESPOND, RD_ANON, "nnnnn" },       { KACT_RESPOND, RD_REP_OWN, "ddddd" },
	{ KACT_RESPOND, RD_REP_OTHER, "nnnnn" },  { KACT_RESPOND, RD_LIA_SECTOR, "ddddd" },
	{ KACT_RESPOND, RD_LIA_OTHER, "nnnnn" },  { KACT_RESPOND, RD_ANALYST, "yyiii" },
	{ KACT_RESPOND, RD_PUBLISHER, "yyiii" },  { KACT_RESPOND, RD_ADMIN, "nnnnn" },
	{ KACT_RESPOND, RD_LOCAL, "yyiii" },
	/* close: received, checking, responding -> closed */
	{ KACT_CLOSE, RD_ANON, "nnnnn" },         { KACT_CLOSE, RD_REP_OWN, "ddddd" },
	{ KACT_CLOSE, RD_REP_OTHER, "nnnnn" },    { KACT_CLOSE, RD_LIA_SECTOR, "ddddd" },
	{ KACT_CLOSE, RD_LIA_OTHER, "nnnnn" },    { KACT_CLOSE, RD_ANALYST, "yyyii" },
	{ KACT_CLOSE, RD_PUBLISHER, "yyyii" },    { KACT_CLOSE, RD_ADMIN, "nnnnn" },
	{ KACT_CLOSE, RD_LOCAL, "yyyii" },
	/* reopen: closed -> responding */
	{ KACT_REOPEN, RD_ANON, "nnnnn" },        { KACT_REOPEN, RD_REP_OWN, "ddddd" },
	{ KACT_REOPEN, RD_REP_OTHER, "nnnnn" },   { KACT_REOPEN, RD_LIA_SECTOR, "ddddd" },
	{ KACT_REOPEN, RD_LIA_OTHER, "nnnnn" },   { KACT_REOPEN, RD_ANALYST, "iiiyi" },
	{ KACT_REOPEN, RD_PUBLISHER, "iiiyi" },   { KACT_REOPEN, RD_ADMIN, "nnnnn" },
	{ KACT_REOPEN, RD_LOCAL, "iiiyi" },
	/* withdraw: the reporting org too */
	{ KACT_WITHDRAW, RD_ANON, "nnnnn" },      { KACT_WITHDRAW, RD_REP_OWN, "yyyii" },
	{ KACT_WITHDRAW, RD_REP_OTHER, "nnnnn" }, { KACT_WITHDRAW, RD_LIA_SECTOR, "ddddd" },
	{ KACT_WITHDRAW, RD_LIA_OTHER, "nnnnn" }, { KACT_WITHDRAW, RD_ANALYST, "yyyii" },
	{ KACT_WITHDRAW, RD_PUBLISHER, "yyyii" }, { KACT_WITHDRAW, RD_ADMIN, "nnnnn" },
	{ KACT_WITHDRAW, RD_LOCAL, "yyyii" },
	/* candidate */
	{ KACT_CANDIDATE, RD_ANON, "nnnnn" },     { KACT_CANDIDATE, RD_REP_OWN, "ddddd" },
	{ KACT_CANDIDATE, RD_REP_OTHER, "nnnnn" }, { KACT_CANDIDATE, RD_LIA_SECTOR, "ddddd" },
	{ KACT_CANDIDATE, RD_LIA_OTHER, "nnnnn" }, { KACT_CANDIDATE, RD_ANALYST, "yyyyi" },
	{ KACT_CANDIDATE, RD_PUBLISHER, "yyyyi" }, { KACT_CANDIDATE, RD_ADMIN, "nnnnn" },
	{ KACT_CANDIDATE, RD_LOCAL, "yyyyi" },
	/* draft */
	{ KACT_DRAFT, RD_ANON, "nnnnn" },         { KACT_DRAFT, RD_REP_OWN, "ddddd" },
	{ KACT_DRAFT, RD_REP_OTHER, "nnnnn" },    { KACT_DRAFT, RD_LIA_SECTOR, "ddddd" },
	{ KACT_DRAFT, RD_LIA_OTHER, "nnnnn" },    { KACT_DRAFT, RD_ANALYST, "yyyyi" },
	{ KACT_DRAFT, RD_PUBLISHER, "yyyyi" },    { KACT_DRAFT, RD_ADMIN, "nnnnn" },
	{ KACT_DRAFT, RD_LOCAL, "yyyyi" },
};
#define NWORKFLOW (sizeof(workflow) / sizeof(workflow[0]))

struct cell {
	int action, reader, status;
	char want;
	char name[160];
};

static struct cell cells[NWORKFLOW * KINC__N];

static int code_of(char want)
{
	switch (want) {
	case 'y': return 0;
	case 'n': return KE_NOTFOUND;
	case 'd': return KE_DENIED;
	default: return KE_INVALID;
	}
}

static void test_workflow_cell(void **state)
{
	const struct cell *c = *state;
	struct kreader r = reader_of(c->reader);
	struct kincident inc = incident_at(c->status, "amber");
	struct kerr err = KERR_INIT;
	int rc = kincident_allowed(&r, &inc, c->action, &err);

	if (rc != code_of(c->want))
		fail_msg("%s: got %d (%s), want %d", c->name, rc, err.msg, code_of(c->want));
	if (rc)
		assert_true(err.msg[0] != 0);
	/* the same answer with no error struct */
	assert_int_equal(kincident_allowed(&r, &inc, c->action, NULL), rc);
}

/* Every reader and action appears once in the table. */
static void test_workflow_table_complete(void **state)
{
	int seen[KACT__N][RD__N] = { { 0 } };

	(void)state;
	for (size_t i = 0; i < NWORKFLOW; i++) {
		assert_int_equal(strlen(workflow[i].want), KINC__N);
		seen[workflow[i].action][workflow[i].reader]++;
	}
	for (int a = 0; a < KACT__N; a++)
		for (int r = 0; r < RD__N; r++)
			if (seen[a][r] != 1)
				fail_msg("%s by %s: %d rows", kinc_action_name(a), reader_names[r], seen[a][r]);
}

static void test_workflow_messages(void **state)
{
	struct kreader lia = reader_of(RD_LIA_SECTOR), rep = reader_of(RD_REP_OWN), an = reader_of(RD_ANALYST);
	struct kincident inc = incident_at(KINC_WITHDRAWN, "amber");
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(kincident_allowed(&lia, &inc, KACT_CLOSE, &err), KE_DENIED);
	assert_msg_has(err, "a liaison may not change the status");
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_CANDIDATE, &err), KE_DENIED);
	assert_msg_has(err, "reporter");
	assert_int_equal(kincident_allowed(&an, &inc, KACT_FOLLOWUP, &err), KE_INVALID);
	assert_msg_has(err, "the incident is withdrawn");
	inc.status = KINC_CLOSED;
	assert_int_equal(kincident_allowed(&an, &inc, KACT_CLOSE, &err), KE_INVALID);
	assert_msg_has(err, "closed");
	inc.status = KINC_RECEIVED;
	assert_int_equal(kincident_allowed(&an, &inc, KACT_REOPEN, &err), KE_INVALID);
	assert_msg_has(err, "received");
	/* not found says nothing about the incident */
	{
		struct kreader other = reader_of(RD_REP_OTHER);

		assert_int_equal(kincident_allowed(&other, &inc, KACT_VIEW, &err), KE_NOTFOUND);
		assert_null(strstr(err.msg, OWN_ORG));
	}
	assert_int_equal(kincident_allowed(&an, &inc, -1, &err), KE_INVALID);
	assert_int_equal(kincident_allowed(&an, &inc, KACT__N, &err), KE_INVALID);
	assert_int_equal(kincident_allowed(NULL, &inc, KACT_VIEW, &err), KE_NOTFOUND);
}

/* What the table does not show: a final report given, a case made, other TLP levels. */
static void test_workflow_conditions(void **state)
{
	struct kreader an = reader_of(RD_ANALYST), rep = reader_of(RD_REP_OWN), lia = reader_of(RD_LIA_SECTOR);
	struct kreader lim = reader_of(RD_LOCAL);
	struct kincident inc = incident_at(KINC_RESPONDING, "amber");
	struct kerr err = KERR_INIT;

	(void)state;
	inc.final_at = (char *)"2026-11-30T00:00:00Z";
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_FINAL, &err), KE_INVALID);
	assert_msg_has(err, "final report");
	assert_int_equal(kincident_allowed(&an, &inc, KACT_FINAL, &err), KE_INVALID);
	/* a correction after the final report is a follow-up */
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_FOLLOWUP, &err), 0);
	inc.final_at = NULL;
	inc.case_id = (char *)"draft-ir-2026-0001";
	assert_int_equal(kincident_allowed(&an, &inc, KACT_DRAFT, &err), KE_INVALID);
	assert_msg_has(err, "draft-ir-2026-0001");
	assert_int_equal(kincident_allowed(&an, &inc, KACT_CANDIDATE, &err), 0);
	inc.case_id = NULL;
	/* a liaison sees its sector's incidents up to amber, its own org's at any level */
	inc.tlp = (char *)"amber+strict";
	assert_int_equal(kincident_allowed(&lia, &inc, KACT_VIEW, &err), KE_NOTFOUND);
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_VIEW, &err), 0);
	inc.tlp = (char *)"red";
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_WITHDRAW, &err), 0);
	assert_int_equal(kincident_allowed(&an, &inc, KACT_CHECK, &err), KE_INVALID);
	inc.tlp = (char *)"clear";
	assert_int_equal(kincident_allowed(&kreader_anonymous, &inc, KACT_VIEW, &err), KE_NOTFOUND);
	/* a local operator limited by --max-tlp */
	lim.limited = 1;
	lim.limit = 1;
	inc.tlp = (char *)"amber";
	assert_int_equal(kincident_allowed(&lim, &inc, KACT_VIEW, &err), KE_NOTFOUND);
	/* a reporter matched by name when the incident has no org id (an analyst filed it) */
	inc.org_id = 0;
	assert_int_equal(kincident_allowed(&rep, &inc, KACT_FOLLOWUP, &err), 0);
}

static void test_actions(void **state)
{
	static const char *const names[KACT__N] = {
		"view", "followup", "final", "check", "respond", "close", "reopen", "withdraw", "candidate", "draft",
	};

	(void)state;
	for (int a = 0; a < KACT__N; a++) {
		assert_string_equal(kinc_action_name(a), names[a]);
		assert_int_equal(kinc_action_parse(names[a]), a);
	}
	assert_null(kinc_action_name(-1));
	assert_null(kinc_action_name(KACT__N));
	assert_int_equal(kinc_action_parse("nope"), -1);
	assert_int_equal(kinc_action_parse(NULL), -1);
	assert_int_equal(kinc_action_target(KACT_CHECK), KINC_CHECKING);
	assert_int_equal(kinc_action_target(KACT_RESPOND), KINC_RESPONDING);
	assert_int_equal(kinc_action_target(KACT_CLOSE), KINC_CLOSED);
	assert_int_equal(kinc_action_target(KACT_REOPEN), KINC_RESPONDING);
	assert_int_equal(kinc_action_target(KACT_WITHDRAW), KINC_WITHDRAWN);
	assert_int_equal(kinc_action_target(KACT_VIEW), -1);
	assert_int_equal(kinc_action_target(KACT_DRAFT), -1);
	assert_int_equal(kinc_action_target(99), -1);
}

/* ---- first reports ------------------------------------------------------------------ */

/* 2026-11-21T00:00:00Z: the clock of the checks */
#define NOW ((time_t)1795219200)

static const char *const good_first =
	"{\"title\": \"  制御系ネットワークの異常通信  \","
	" \"sector\": \"電力\","
	" \"contact\": {\"name\": \"山田 太郎\", \"phone\": \"03-1234-5678\", \"email\": \"yamada@example.jp\"},"
	" \"occurred_at\": \"2026-11-20T08:30:00+09:00\","
	" \"detected_at\": \"2026-11-20T09:00:00+09:00\","
	" \"event_types\": [\"intrusion\", \"malware\"],"
	" \"cause_types\": [\"意図的\"],"
	" \"service_affected\": \"no\","
	" \"impact\": {\"scope\": \"監視端末 3 台\", \"users_affected\": 0, \"duration_minutes\": null},"
	" \"spread\": {\"status\": \"unknown\", \"sectors\": [\"gas\"]},"
	" \"description\": \"監視端末から外部への不審な通信を検知。\\r\\n調査中。\","
	" \"actions\": \"端末をネットワークから切り離した。\","
	" \"announcement_planned\": false,"
	" \"tlp\": \"TLP:AMBER\"}";

static json_t *load(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);

	if (!j)
		fail_msg("fixture: %s at %d", je.text, je.position);
	return j;
}

static void test_first_good(void **state)
{
	struct kreader rep = reader_of(RD_REP_OWN);
	struct kincident inc = { 0 };
	struct kerr err = KERR_INIT;
	json_t *in = load(good_first);
	char *dump;

	(void)state;
	if (kreport_first_check(in, &rep, NOW, &inc, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(inc.title, "制御系ネットワークの異常通信");
	assert_string_equal(inc.org, OWN_ORG);
	assert_int_equal(inc.org_id, OWN_ORG_ID);
	assert_string_equal(inc.sector, "electricity");
	assert_string_equal(inc.tlp, "amber");
	assert_int_equal(inc.status, KINC_RECEIVED);
	assert_int_equal(inc.event_types, KEVT_INTRUSION | KEVT_MALWARE);
	assert_int_equal(inc.cause_types, KCAUSE_INTENTIONAL);
	assert_int_equal(inc.service_affected, KTRI_NO);
	assert_string_equal(inc.occurred_at, "2026-11-20T08:30:00+09:00");
	assert_string_equal(inc.detected_at, "2026-11-20T09:00:00+09:00");
	assert_string_equal(inc.detected_utc, "2026-11-20T00:00:00Z");
	assert_non_null(inc.first);
	dump = json_dumps(inc.first, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(dump,
		"{\"title\":\"制御系ネットワークの異常通信\",\"organization\":\"東日本電力\",\"sector\":\"電力\","
		"\"contact\":{\"name\":\"山田 太郎\",\"phone\":\"03-1234-5678\",\"email\":\"yamada@example.jp\"},"
		"\"occurred_at\":\"2026-11-20T08:30:00+09:00\",\"detected_at\":\"2026-11-20T09:00:00+09:00\","
		"\"event_types\":[\"malware\",\"intrusion\"],\"cause_types\":[\"intentional\"],"
		"\"service_affected\":\"no\",\"impact\":{\"scope\":\"監視端末 3 台\",\"users_affected\":0},"
		"\"spread\":{\"status\":\"unknown\",\"sectors\":[\"ガス\"]},"
		"\"description\":\"監視端末から外部への不審な通信を検知。\\n調査中。\","
		"\"actions\":\"端末をネットワークから切り離した。\",\"announcement_planned\":false,\"tlp\":\"amber\"}");
	free(dump);
	json_decref(in);
	kincident_free(&inc);
	assert_null(inc.title);
}

/* A first report with one member replaced (value NULL: removed), checked by r. */
static int check_with(const struct kreader *r, const char *key, json_t *value, struct kerr *err)
{
	struct kincident inc = { 0 };
	json_t *in = load(good_first);
	int rc;

	if (key) {
		char *dot = strchr(key, '.');

		if (dot) {
			char top[64];
			json_t *sub;

			snprintf(top, sizeof(top), "%.*s", (int)(dot - key), key);
			sub = json_object_get(in, top);
			assert_non_null(sub);
			if (value)
				json_object_set_new(sub, dot + 1, value);
			else
				json_object_del(sub, dot + 1);
		} else if (value) {
			json_object_set_new(in, key, value);
		} else {
			json_object_del(in, key);
		}
	}
	rc = kreport_first_check(in, r, NOW, &inc, err);
	if (rc) {
		assert_null(inc.title);
		assert_null(inc.first);
	}
	kincident_free(&inc);
	json_decref(in);
	return rc;
}

/* Expect the report with key set to value (NULL: removed) to be refused with code and a message starting prefix. */
#define BAD(key, value, code, prefix) do { \
	struct kerr e_ = KERR_INIT; \
	int rc_ = check_with(&rep, key, value, &e_); \
	if (rc_ != (code) || strncmp(e_.msg, prefix, strlen(prefix))) \
		fail_msg("%s: got %d \"%s\", want %d \"%s...\"", key, rc_, e_.msg, code, prefix); \
} while (0)

static struct kreader rep_reader(void)
{
	return reader_of(RD_REP_OWN);
}

static void test_first_missing(void **state)
{
	struct kreader rep = rep_reader();
	static const char *const required[] = {
		"title", "sector", "contact", "detected_at", "event_types", "service_affected", "description", "tlp",
		"contact.name",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s: required", required[i]);
		BAD(required[i], NULL, KE_INVALID, want);
	}
	/* empty or only spaces is missing */
	BAD("title", json_string(" \xe3\x80\x80 "), KE_INVALID, "title: required");
	BAD("description", json_string("\n\n  "), KE_INVALID, "description: required");
	/* optional ones may go */
	assert_int_equal(check_with(&rep, "occurred_at", NULL, NULL), 0);
	assert_int_equal(check_with(&rep, "occurred_at", json_null(), NULL), 0);
	assert_int_equal(check_with(&rep, "cause_types", NULL, NULL), 0);
	assert_int_equal(check_with(&rep, "impact", NULL, NULL), 0);
	assert_int_equal(check_with(&rep, "actions", json_string(""), NULL), 0);
	assert_int_equal(check_with(&rep, "contact.phone", NULL, NULL), 0);
	/* but not both ways to reach the contact */
	{
		struct kincident inc = { 0 };
		struct kerr err = KERR_INIT;
		json_t *in = load(good_first);

		json_object_del(json_object_get(in, "contact"), "phone");
		json_object_del(json_object_get(in, "contact"), "email");
		assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), KE_INVALID);
		assert_msg_has(err, "contact.phone: a phone number or an e-mail address");
		json_decref(in);
	}
}

static void test_first_wrong_type(void **state)
{
	struct kreader rep = rep_reader();
	struct kincident inc = { 0 };
	struct kerr err = KERR_INIT;

	(void)state;
	BAD("title", json_integer(3), KE_INVALID, "title: expected a string");
	BAD("contact", json_string("x"), KE_INVALID, "contact: expected an object");
	BAD("contact.email", json_true(), KE_INVALID, "contact.email: expected a string");
	BAD("event_types", json_string("malware"), KE_INVALID, "event_types: expected an array");
	BAD("event_types", json_pack("[s,i]", "malware", 2), KE_INVALID, "event_types[1]: expected a string");
	BAD("impact", json_integer(1), KE_INVALID, "impact: expected an object");
	BAD("impact.users_affected", json_string("12"), KE_INVALID, "impact.users_affected: expected a whole number");
	BAD("impact.users_affected", json_real(1.5), KE_INVALID, "impact.users_affected: expected a whole number");
	BAD("impact.duration_minutes", json_integer(-1), KE_INVALID, "impact.duration_minutes: must not be negative");
	BAD("impact.duration_minutes", json_integer(100000000), KE_INVALID, "impact.duration_minutes: too large");
	BAD("impact.users_affected", json_integer(100000000000LL), KE_INVALID, "impact.users_affected: too large");
	BAD("announcement_planned", json_string("yes"), KE_INVALID, "announcement_planned: expected true or false");
	BAD("service_affected", json_string("maybe"), KE_INVALID, "service_affected: expected \"yes\"");
	BAD("detected_at", json_integer(1795219200), KE_INVALID, "detected_at: expected a time");
	BAD("spread", json_array(), KE_INVALID, "spread: expected an object");
	BAD("spread.sectors", json_pack("[i]", 1), KE_INVALID, "spread.sectors[0]: expected a string");
	BAD("tlp", json_integer(1), KE_INVALID, "tlp: expected a string");
	/* not an object at all */
	{
		json_t *a = json_array();

		assert_int_equal(kreport_first_check(a, &rep, NOW, &inc, &err), KE_PARSE);
		json_decref(a);
	}
	assert_int_equal(kreport_first_check(NULL, &rep, NOW, &inc, &err), KE_PARSE);
}

static void test_first_unknown_member(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("severity", json_string("high"), KE_INVALID, "severity: unknown member");
	BAD("contact.fax", json_string("03-1234-5679"), KE_INVALID, "contact.fax: unknown member");
	BAD("impact.cost", json_integer(5), KE_INVALID, "impact.cost: unknown member");
	BAD("spread.when", json_string("now"), KE_INVALID, "spread.when: unknown member");
	BAD("kind", json_string("followup"), KE_INVALID, "kind:");
	/* every unknown member is named */
	{
		struct kincident inc = { 0 };
		struct kerr err = KERR_INIT;
		json_t *in = load(good_first);

		json_object_set_new(in, "severity", json_integer(1));
		json_object_set_new(in, "color", json_string("red"));
		json_object_set_new(in, "x\ty", json_string("red"));
		assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), KE_INVALID);
		assert_msg_has(err, "severity: unknown member (also color, ?)");
		assert_msg_has(err, "the known ones: title, organization, sector");
		json_decref(in);
	}
	assert_int_equal(check_with(&rep, "kind", json_string("first"), NULL), 0);
	{
		struct kerr err = KERR_INIT;

		assert_int_equal(check_with(&rep, "bad\nname", json_string("x"), &err), KE_INVALID);
		assert_msg_has(err, "unprintable");
		assert_null(strchr(err.msg, '\n'));
	}
}

static void test_first_utf8(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("title", json_stringn_nocheck("ab\xff", 3), KE_PARSE, "title: not valid UTF-8");
	BAD("description", json_stringn_nocheck("a\xe3\x81", 3), KE_PARSE, "description: not valid UTF-8");
	BAD("contact.name", json_stringn_nocheck("a\0b", 3), KE_PARSE, "contact.name: not valid UTF-8");
	BAD("event_types", json_pack("[o]", json_stringn_nocheck("\xc0\xaf", 2)), KE_PARSE, "event_types[0]: not valid");
	/* control characters */
	BAD("title", json_string("a\x01z"), KE_INVALID, "title: a control character (U+0001)");
	BAD("description", json_string("a\x1b[31m"), KE_INVALID, "description: a control character (U+001B)");
	BAD("description", json_string("a\xc2\x85z"), KE_INVALID, "description: a control character (U+0085)");
	BAD("title", json_string("one\ntwo"), KE_INVALID, "title: must be one line");
	BAD("contact.name", json_string("a\tb"), KE_INVALID, "contact.name: a tab");
	/* line breaks and tabs in long text are fine */
	assert_int_equal(check_with(&rep, "actions", json_string("1.\t切断\n2.\t調査"), NULL), 0);
}

static void test_first_too_long(void **state)
{
	struct kreader rep = rep_reader();
	char big[20002 * 3 + 1];
	size_t i;

	(void)state;
	for (i = 0; i < 201; i++)
		memcpy(big + 3 * i, "事", 3);
	big[3 * 201] = 0;
	BAD("title", json_string(big), KE_INVALID, "title: too long (201 characters; at most 200)");
	big[3 * 200] = 0;
	assert_int_equal(check_with(&rep, "title", json_string(big), NULL), 0);
	for (i = 0; i < 101; i++)
		memcpy(big + 3 * i, "名", 3);
	big[3 * 101] = 0;
	BAD("contact.name", json_string(big), KE_INVALID, "contact.name: too long");
	memset(big, 'a', 20001);
	big[20001] = 0;
	BAD("description", json_string(big), KE_INVALID, "description: too long");
	for (i = 0; i < 20001; i++)
		memcpy(big + 3 * i, "長", 3);
	big[3 * 20001] = 0;
	BAD("actions", json_string(big), KE_INVALID, "actions: too long");
	big[3 * 20000] = 0;
	assert_int_equal(check_with(&rep, "actions", json_string(big), NULL), 0);
	/* the whole report */
	{
		json_t *in = load(good_first);
		struct kincident inc = { 0 };
		struct kerr err = KERR_INIT;

		for (i = 0; i < 6; i++) {
			char k[16];

			snprintf(k, sizeof(k), "x%zu", i);
			json_object_set_new(in, k, json_string(big));
		}
		assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), KE_INVALID);
		assert_msg_has(err, "too large");
		json_decref(in);
	}
}

static void test_first_future(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	/* an hour of slack after now */
	assert_int_equal(check_with(&rep, "detected_at", json_string("2026-11-21T00:59:00Z"), NULL), 0);
	BAD("detected_at", json_string("2026-11-21T01:00:01Z"), KE_INVALID, "detected_at: in the future");
	BAD("detected_at", json_string("2027-11-20T09:00:00+09:00"), KE_INVALID, "detected_at: in the future");
	BAD("occurred_at", json_string("2030-01-01T00:00:00Z"), KE_INVALID, "occurred_at: in the future");
	/* nor too far in the past */
	BAD("detected_at", json_string("1989-12-31T23:59:59Z"), KE_INVALID, "detected_at: before 1990");
	BAD("occurred_at", json_string("1970-01-01T00:00:00Z"), KE_INVALID, "occurred_at: before 1990");
}

static void test_first_detection_before_occurrence(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("occurred_at", json_string("2026-11-20T09:30:00+09:00"), KE_INVALID, "detected_at: before occurred_at");
	BAD("occurred_at", json_string("2026-11-20T00:00:01Z"), KE_INVALID, "detected_at: before occurred_at");
	/* the same instant in another zone is fine */
	assert_int_equal(check_with(&rep, "occurred_at", json_string("2026-11-20T00:00:00Z"), NULL), 0);
}

static void test_first_bad_time(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("detected_at", json_string("2026-11-20T09:00:00"), KE_INVALID, "detected_at: a time zone offset is needed");
	BAD("detected_at", json_string("2026-02-30T09:00:00Z"), KE_INVALID, "detected_at: ");
	BAD("detected_at", json_string("yesterday"), KE_INVALID, "detected_at: expected an RFC 3339 time");
	BAD("detected_at", json_string(""), KE_INVALID, "detected_at: required");
	BAD("occurred_at", json_string("2026-11-20"), KE_INVALID, "occurred_at: expected an RFC 3339 time");
}

static void test_first_unknown_sector(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("sector", json_string("宇宙"), KE_INVALID, "sector: unknown sector \"宇宙\"");
	BAD("sector", json_string("Electricity"), KE_INVALID, "sector: unknown sector");
	BAD("sector", json_integer(5), KE_INVALID, "sector: expected a string");
	/* a reporter's organisation has its sectors */
	BAD("sector", json_string("gas"), KE_INVALID, "sector: ガス is not a sector of");
	BAD("spread.sectors", json_pack("[s]", "宇宙"), KE_INVALID, "spread.sectors[0]: unknown sector");
	BAD("spread.sectors", json_pack("[s,s]", "gas", "ガス"), KE_INVALID, "spread.sectors[1]: ");
}

static void test_first_unknown_event_type(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("event_types", json_pack("[s,s,s]", "malware", "availability", "ufo"), KE_INVALID,
	    "event_types[2]: unknown event type \"ufo\"");
	BAD("event_types", json_array(), KE_INVALID, "event_types: at least one");
	BAD("event_types", json_pack("[s,s]", "malware", "マルウェア等の感染"), KE_INVALID, "event_types[1]: ");
}

static void test_first_unknown_cause_type(void **state)
{
	struct kreader rep = rep_reader();

	(void)state;
	BAD("cause_types", json_pack("[s]", "alien"), KE_INVALID, "cause_types[0]: unknown cause type \"alien\"");
	BAD("cause_types", json_pack("[s,s]", "accidental", "accidentally"), KE_INVALID, "cause_types[1]: unknown");
	BAD("cause_types", json_string("accidental"), KE_INVALID, "cause_types: expected an array");
}

static void test_first_other_fields(void **state)
{
	struct kreader rep = rep_reader();
	struct kerr err = KERR_INIT;

	(void)state;
	BAD("spread.status", json_string("no"), KE_INVALID, "spread.sectors: given while spread.status is \"no\"");
	BAD("spread.status", NULL, KE_INVALID, "spread.status: required");
	BAD("tlp", json_string("white"), KE_INVALID, "tlp: TLP 2.0 calls white");
	BAD("tlp", json_string("purple"), KE_INVALID, "tlp: expected clear");
	BAD("contact.email", json_string("yamada@"), KE_INVALID, "contact.email: ");
	BAD("contact.email", json_string("a b@example.jp"), KE_INVALID, "contact.email: ");
	BAD("contact.phone", json_string("03-1234-567a"), KE_INVALID, "contact.phone: only digits");
	BAD("contact.phone", json_string("12345"), KE_INVALID, "contact.phone: 5 digits");
	BAD("contact.phone", json_string("1234567890123456789012"), KE_INVALID, "contact.phone: 22 digits");
	BAD("contact.phone", json_string("03+1234-5678"), KE_INVALID, "contact.phone: \"+\" only at the start");
	assert_int_equal(check_with(&rep, "contact.phone", json_string("+81 (3) 1234-5678"), NULL), 0);
	/* labels and tags are accepted and written back as codes and names */
	{
		struct kincident inc = { 0 };
		json_t *in = load(good_first);

		json_object_set_new(in, "sector", json_string("electricity"));
		json_object_set_new(in, "event_types", json_pack("[s,s]", "可用性", "予兆・ヒヤリハット"));
		json_object_set_new(in, "service_affected", json_string("有"));
		json_object_set_new(in, "tlp", json_string("amber+strict"));
		assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), 0);
		assert_int_equal(inc.event_types, KEVT_AVAILABILITY | KEVT_PRECURSOR);
		assert_int_equal(inc.service_affected, KTRI_YES);
		assert_string_equal(json_string_value(json_object_get(inc.first, "sector")), "電力");
		assert_string_equal(json_string_value(json_array_get(json_object_get(inc.first, "event_types"), 0)),
				    "precursor");
		assert_string_equal(json_string_value(json_object_get(inc.first, "service_affected")), "yes");
		assert_string_equal(inc.tlp, "amber+strict");
		kincident_free(&inc);
		json_decref(in);
	}
}

/* Who files for which organisation. */
static void test_first_roles(void **state)
{
	struct kreader rep = rep_reader(), an = reader_of(RD_ANALYST), lia = reader_of(RD_LIA_SECTOR);
	struct kreader adm = reader_of(RD_ADMIN), local = reader_of(RD_LOCAL);
	struct kincident inc = { 0 };
	struct kerr err = KERR_INIT;
	json_t *in = load(good_first);

	(void)state;
	assert_int_equal(kreport_first_check(in, &lia, NOW, &inc, &err), KE_DENIED);
	assert_msg_has(err, "liaison");
	assert_int_equal(kreport_first_check(in, &adm, NOW, &inc, &err), KE_DENIED);
	assert_int_equal(kreport_first_check(in, &kreader_anonymous, NOW, &inc, &err), KE_DENIED);
	assert_int_equal(kreport_first_check(in, NULL, NOW, &inc, &err), KE_DENIED);
	/* an analyst must name the organisation */
	assert_int_equal(kreport_first_check(in, &an, NOW, &inc, &err), KE_INVALID);
	assert_msg_has(err, "organization: required");
	assert_int_equal(kreport_first_check(in, &local, NOW, &inc, &err), KE_INVALID);
	assert_msg_has(err, "organization: required");
	json_object_set_new(in, "organization", json_string("北海道ガス"));
	assert_int_equal(kreport_first_check(in, &an, NOW, &inc, &err), 0);
	assert_string_equal(inc.org, "北海道ガス");
	assert_int_equal(inc.org_id, 0);
	assert_int_equal(kreport_first_check(in, &local, NOW, &inc, &err), 0);
	assert_string_equal(inc.org, "北海道ガス");
	/* a reporter files for their own only */
	assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), KE_INVALID);
	assert_msg_has(err, "organization: a reporter files for their own organisation");
	assert_null(inc.title);
	json_object_set_new(in, "organization", json_string(OWN_ORG));
	assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), 0);
	assert_int_equal(inc.org_id, OWN_ORG_ID);
	/* a reporter without an organisation */
	rep.org = NULL;
	assert_int_equal(kreport_first_check(in, &rep, NOW, &inc, &err), KE_DENIED);
	kincident_free(&inc);
	json_decref(in);
}

/* ---- follow-ups and final reports ------------------------------------------------------ */

static int update_with(struct kincident *inc, const char *json, json_t **out, struct kerr *err)
{
	json_t *in = load(json);
	int rc = kreport_update_check(in, inc, NOW, out, err);

	json_decref(in);
	return rc;
}

static void first_incident(struct kincident *inc)
{
	struct kreader rep = rep_reader();
	struct kerr err = KERR_INIT;
	json_t *in = load(good_first);

	if (kreport_first_check(in, &rep, NOW, inc, &err))
		fail_msg("%s", err.msg);
	json_decref(in);
}

static void test_update(void **state)
{
	struct kincident inc = { 0 };
	struct kerr err = KERR_INIT;
	json_t *out = NULL;
	char *dump;

	(void)state;
	first_incident(&inc);
	assert_int_equal(update_with(&inc,
		"{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\", \"text\": \"続報です。\","
		" \"event_types\": [\"availability\"], \"cause_types\": [\"unknown\"], \"service_affected\": \"yes\","
		" \"impact\": {\"users_affected\": 1200}}", &out, &err), 0);
	dump = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(dump, "{\"kind\":\"followup\",\"at\":\"2026-11-20T15:00:00+09:00\",\"text\":\"続報です。\","
			    "\"impact\":{\"users_affected\":1200},\"event_types\":[\"availability\"],"
			    "\"cause_types\":[\"unknown\"],\"service_affected\":\"yes\"}");
	free(dump);
	json_decref(out);
	/* merged: event types added, unknown dropped beside a known cause, service replaced */
	assert_int_equal(inc.event_types, KEVT_INTRUSION | KEVT_MALWARE | KEVT_AVAILABILITY);
	assert_int_equal(inc.cause_types, KCAUSE_INTENTIONAL);
	assert_int_equal(inc.service_affected, KTRI_YES);
	/* the final report */
	assert_int_equal(update_with(&inc, "{\"kind\": \"最終報\", \"at\": \"2026-11-20T23:00:00Z\","
				     " \"cause\": \"VPN 機器の脆弱性\", \"countermeasures\": \"更新と監視強化\"}",
				     &out, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "kind")), "final");
	json_decref(out);
	kincident_free(&inc);
}

#define BADU(json, code, prefix) do { \
	struct kerr e_ = KERR_INIT; \
	json_t *o_ = (json_t *)1; \
	unsigned ev_ = inc.event_types; \
	int rc_ = update_with(&inc, json, &o_, &e_); \
	if (rc_ != (code) || strncmp(e_.msg, prefix, strlen(prefix))) \
		fail_msg("%s: got %d \"%s\", want %d \"%s...\"", json, rc_, e_.msg, code, prefix); \
	assert_null(o_); \
	assert_int_equal(inc.event_types, ev_); \
} while (0)

static void test_update_bad(void **state)
{
	struct kincident inc = { 0 };

	(void)state;
	first_incident(&inc);
	BADU("[]", KE_PARSE, "report: expected a JSON object");
	BADU("{\"at\": \"2026-11-20T15:00:00+09:00\", \"text\": \"x\"}", KE_INVALID, "kind: required");
	BADU("{\"kind\": \"first\", \"at\": \"2026-11-20T15:00:00+09:00\", \"text\": \"x\"}", KE_INVALID, "kind: ");
	BADU("{\"kind\": \"followup\", \"text\": \"x\"}", KE_INVALID, "at: required");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T08:59:59+09:00\", \"text\": \"x\"}", KE_INVALID,
	     "at: before the incident was detected");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-22T00:00:00Z\", \"text\": \"x\"}", KE_INVALID,
	     "at: in the future");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\"}", KE_INVALID, "text: required");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\", \"text\": \"x\", \"note\": 1}",
	     KE_INVALID, "note: unknown member");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\", \"event_types\": [\"malware\", \"x\"]}",
	     KE_INVALID, "event_types[1]: unknown event type");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\", \"impact\": {\"users_affected\": -3}}",
	     KE_INVALID, "impact.users_affected: must not be negative");
	BADU("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\", \"response\": 5}", KE_INVALID,
	     "response: expected a string");
	kincident_free(&inc);
}

static void test_final_without_cause(void **state)
{
	struct kincident inc = { 0 };

	(void)state;
	first_incident(&inc);
	BADU("{\"kind\": \"final\", \"at\": \"2026-11-20T15:00:00+09:00\", \"text\": \"終わり\","
	     " \"countermeasures\": \"x\", \"event_types\": [\"availability\"]}", KE_INVALID,
	     "cause: a final report must give the cause");
	BADU("{\"kind\": \"final\", \"at\": \"2026-11-20T15:00:00+09:00\", \"cause\": \"x\"}", KE_INVALID,
	     "countermeasures: a final report must give");
	BADU("{\"kind\": \"final\", \"at\": \"2026-11-20T15:00:00+09:00\", \"cause\": \" \", \"countermeasures\": \"y\"}",
	     KE_INVALID, "cause: a final report must give the cause");
	BADU("{\"kind\": \"final\", \"at\": \"2026-11-20T15:00:00+09:00\", \"cause\": null, \"countermeasures\": \"y\"}",
	     KE_INVALID, "cause: a final report must give the cause");
	/* a follow-up need not */
	{
		json_t *o = NULL;

		assert_int_equal(update_with(&inc, "{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\","
					     " \"countermeasures\": \"y\"}", &o, NULL), 0);
		json_decref(o);
	}
	kincident_free(&inc);
}

/* ---- times ----------------------------------------------------------------------------- */

static void test_time_parse(void **state)
{
	static const struct {
		const char *s;
		long long utc; /* -1: refused */
	} cases[] = {
		{ "2026-11-20T09:00:00+09:00", 1795132800 },
		{ "2026-11-20T00:00:00Z", 1795132800 },
		{ "2026-11-20t00:00:00z", 1795132800 },
		{ "2026-11-20 00:00:00Z", 1795132800 },
		{ "2026-11-20T00:00:00.123456Z", 1795132800 },
		{ "2026-11-19T19:30:00-04:30", 1795132800 },
		{ "2026-11-20T00:00:00+00:00", 1795132800 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "2026-12-31T23:59:60Z", 1798761599 }, /* a leap second as :59 */
		{ "2026-11-20T00:00:00", -1 },          /* no offset */
		{ "2026-11-20", -1 },
		{ "2026-11-20T00:00Z", -1 },
		{ "2025-02-29T00:00:00Z", -1 },
		{ "1900-02-29T00:00:00Z", -1 },
		{ "2026-13-01T00:00:00Z", -1 },
		{ "2026-04-31T00:00:00Z", -1 },
		{ "2026-11-20T24:00:00Z", -1 },
		{ "2026-11-20T00:60:00Z", -1 },
		{ "2026-11-20T00:00:00.Z", -1 },
		{ "2026-11-20T00:00:00+9:00", -1 },
		{ "2026-11-20T00:00:00+0900", -1 },
		{ "2026-11-20T00:00:00+24:00", -1 },
		{ "2026-11-20T00:00:00Z ", -1 },
		{ "2026-11-20T00:00:00ZZ", -1 },
		{ "２０２６-11-20T00:00:00Z", -1 },
		{ "", -1 },
	};
	struct kerr err = KERR_INIT;
	char out[32];
	time_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = kreport_time_parse(cases[i].s, &t, &err);

		if (cases[i].utc < 0 ? rc != KE_INVALID : rc != 0 || (long long)t != cases[i].utc)
			fail_msg("\"%s\": rc %d t %lld (%s)", cases[i].s, rc, rc ? 0LL : (long long)t, err.msg);
	}
	assert_int_equal(kreport_time_parse(NULL, &t, NULL), KE_INVALID);
	assert_int_equal(kreport_time_parse("2026-11-20T00:00:00", &t, &err), KE_INVALID);
	assert_msg_has(err, "a time zone offset is needed");
	kreport_time_format(1795132800, 540, out);
	assert_string_equal(out, "2026-11-20T09:00:00+09:00");
	kreport_time_format(1795132800, 0, out);
	assert_string_equal(out, "2026-11-20T00:00:00Z");
	kreport_time_format(1795132800, -270, out);
	assert_string_equal(out, "2026-11-19T19:30:00-04:30");
	assert_int_equal(kreport_time_parse(out, &t, NULL), 0);
	assert_int_equal((long long)t, 1795132800);
}

/* ---- deadlines --------------------------------------------------------------------------- */

static time_t at(const char *s)
{
	time_t t;

	if (kreport_time_parse(s, &t, NULL))
		fail_msg("bad time %s", s);
	return t;
}

static void test_deadlines(void **state)
{
	struct kincident inc = { 0 };
	struct kdeadlines d = KDEADLINES_DEFAULT, shortd = { 1, 2 };

	(void)state;
	assert_int_equal(kincident_set_due(&inc, &d), KE_INVALID);
	inc.created = strdup("2026-11-20T00:00:00Z");
	inc.nreports = 1;
	inc.status = KINC_RECEIVED;
	assert_int_equal(kincident_set_due(&inc, &d), 0);
	assert_string_equal(inc.due_followup, "2026-11-23T00:00:00Z");
	assert_string_equal(inc.due_final, "2026-12-20T00:00:00Z");
	assert_int_equal(kincident_overdue(&inc, at("2026-11-22T23:59:59Z")), 0);
	assert_int_equal(kincident_overdue(&inc, at("2026-11-23T00:00:00Z")), 0);
	assert_int_equal(kincident_overdue(&inc, at("2026-11-23T00:00:01Z")), KDUE_FOLLOWUP);
	assert_int_equal(kincident_overdue(&inc, at("2026-12-20T09:00:01+09:00")), KDUE_FOLLOWUP | KDUE_FINAL);
	/* a follow-up came: only the final one is due */
	inc.nreports = 2;
	assert_int_equal(kincident_overdue(&inc, at("2026-11-25T00:00:00Z")), 0);
	assert_int_equal(kincident_overdue(&inc, at("2026-12-21T00:00:00Z")), KDUE_FINAL);
	/* the final report came */
	inc.final_at = strdup("2026-12-01T00:00:00Z");
	assert_int_equal(kincident_overdue(&inc, at("2027-01-01T00:00:00Z")), 0);
	free(inc.final_at);
	inc.final_at = NULL;
	/* closed and withdrawn incidents owe nothing */
	inc.status = KINC_CLOSED;
	assert_int_equal(kincident_overdue(&inc, at("2027-01-01T00:00:00Z")), 0);
	inc.status = KINC_WITHDRAWN;
	assert_int_equal(kincident_overdue(&inc, at("2027-01-01T00:00:00Z")), 0);
	inc.status = KINC_RESPONDING;
	assert_int_equal(kincident_overdue(&inc, at("2027-01-01T00:00:00Z")), KDUE_FINAL);
	/* configured hours */
	inc.nreports = 1;
	assert_int_equal(kincident_set_due(&inc, &shortd), 0);
	assert_string_equal(inc.due_followup, "2026-11-20T01:00:00Z");
	assert_int_equal(kincident_overdue(&inc, at("2026-11-20T10:30:00+09:00")), KDUE_FOLLOWUP);
	assert_int_equal(kincident_overdue(&inc, at("2026-11-20T11:30:00+09:00")), KDUE_FOLLOWUP | KDUE_FINAL);
	kincident_free(&inc);
}

static void test_clock(void **state)
{
	time_t t0;

	(void)state;
	setenv("KYOKUN_NOW", "2026-11-20T09:00:00+09:00", 1);
	assert_int_equal((long long)kreport_now(), 1795132800);
	setenv("KYOKUN_NOW", "2026-11-23T00:00:01Z", 1);
	assert_int_equal((long long)kreport_now(), 1795132800 + 72 * 3600 + 1);
	setenv("KYOKUN_NOW", "2026-11-20 00:00", 1);
	assert_int_equal((long long)kreport_now(), 1795132800);
	/* the injected clock drives the deadlines */
	{
		struct kincident inc = { .status = KINC_RECEIVED, .nreports = 1 };
		struct kdeadlines d = KDEADLINES_DEFAULT;

		inc.created = strdup("2026-11-20T00:00:00Z");
		assert_int_equal(kincident_set_due(&inc, &d), 0);
		setenv("KYOKUN_NOW", "2026-11-23T00:00:01Z", 1);
		assert_int_equal(kincident_overdue(&inc, kreport_now()), KDUE_FOLLOWUP);
		setenv("KYOKUN_NOW", "2026-11-22T09:00:00+09:00", 1);
		assert_int_equal(kincident_overdue(&inc, kreport_now()), 0);
		kincident_free(&inc);
	}
	/* garbage or nothing: the real clock */
	setenv("KYOKUN_NOW", "soon", 1);
	t0 = time(NULL);
	assert_true(kreport_now() >= t0 && kreport_now() <= t0 + 5);
	unsetenv("KYOKUN_NOW");
	assert_true(kreport_now() >= t0 && kreport_now() <= time(NULL));
}

/* ---- from incident to case -------------------------------------------------------------- */

/* The stored reports of the incident of good_first: first, a follow-up, the final one. */
static void stored_reports(const struct kincident *inc, json_t *reps[3])
{
	reps[0] = json_deep_copy(inc->first);
	json_object_set_new(reps[0], "seq", json_integer(1));
	json_object_set_new(reps[0], "kind", json_string("first"));
	json_object_set_new(reps[0], "submitted", json_string("2026-11-20T00:30:00Z"));
	json_object_set_new(reps[0], "author", json_string("yamada"));
	reps[1] = load("{\"kind\": \"followup\", \"at\": \"2026-11-20T15:00:00+09:00\","
		       " \"text\": \"外部の攻撃者による侵入と判明。\\n詳細は調査中。\","
		       " \"response\": \"全端末のパスワードを変更した。\","
		       " \"impact\": {\"users_affected\": 1200, \"duration_minutes\": 90},"
		       " \"seq\": 2, \"submitted\": \"2026-11-20T06:05:00Z\", \"author\": \"yamada\"}");
	reps[2] = load("{\"kind\": \"final\", \"at\": \"2026-11-22T10:00:00+09:00\","
		       " \"cause\": \"VPN 機器の既知の脆弱性が未修正だった。\","
		       " \"countermeasures\": \"機器を更新し、修正の適用を月次で確認する。\","
		       " \"seq\": 3, \"submitted\": \"2026-11-22T01:00:00Z\", \"author\": \"yamada\"}");
}

static void assert_has(const char *s, const char *want)
{
	if (!s || !strstr(s, want))
		fail_msg("\"%s\" lacks \"%s\"", s ? s : "(null)", want);
}

static void test_case_draft(void **state)
{
	struct kincident inc = { 0 };
	struct kcase c;
	struct kerr err = KERR_INIT;
	json_t *reps[3];
	static const struct {
		const char *when, *text;
		int day;
	} want[] = {
		{ "2026-11-20 08:30 (+09:00)", "発生", 1 },
		{ "2026-11-20 09:00 (+09:00)", "検知: 監視端末から外部への不審な通信を検知。…", 1 },
		{ "2026-11-20 09:30 (+09:00)", "第一報", 1 },
		{ "2026-11-20 15:00 (+09:00)", "続報: 外部の攻撃者による侵入と判明。…", 1 },
		{ "2026-11-22 10:00 (+09:00)", "最終報", 3 },
	};

	(void)state;
	first_incident(&inc);
	inc.id = strdup("IR-2026-0007");
	inc.event_types |= KEVT_AVAILABILITY;
	stored_reports(&inc, reps);
	kcase_init(&c);
	assert_int_equal(kincident_case_draft(&inc, reps, 3, &c, &err), 0);
	if (kcase_validate(&c, &err))
		fail_msg("the draft is not a valid case: %s", err.msg);
	assert_string_equal(c.id, "draft-ir-2026-0007");
	assert_string_equal(c.title, "制御系ネットワークの異常通信");
	assert_string_equal(c.owner, OWN_ORG);
	assert_string_equal(c.tlp, "amber");
	assert_int_equal(c.tags.sectors.n, 1);
	assert_string_equal(c.tags.sectors.v[0], "electricity");
	assert_string_equal(c.tags.event_class, "cyber_attack");
	assert_int_equal(c.tags.threats.n, 0);
	assert_string_equal(c.attributes.organization, "電力");
	/* sections */
	assert_has(c.sections[KSEC_BACKGROUND], "監視端末から外部への不審な通信を検知。\n調査中。");
	assert_has(c.sections[KSEC_BACKGROUND], "影響（第一報 2026-11-20 09:30 (+09:00)）:\n範囲: 監視端末 3 台\n影響を受けた利用者数: 0");
	assert_has(c.sections[KSEC_BACKGROUND], "影響（続報 2026-11-20 15:00 (+09:00)）:\n影響を受けた利用者数: 1200\n継続時間: 90 分");
	assert_has(c.sections[KSEC_BACKGROUND], "重要インフラサービスへの影響: 無");
	assert_has(c.sections[KSEC_BACKGROUND], "他分野への波及: 不明（ガス）");
	assert_has(c.sections[KSEC_BACKGROUND], "事象の類型: 可用性（システム等の利用困難）、マルウェア等の感染、システム等への侵入");
	assert_string_equal(c.sections[KSEC_DETECTION], "2026-11-20 09:00 (+09:00) に検知。発生は 2026-11-20 08:30 (+09:00)。");
	assert_string_equal(c.sections[KSEC_RESPONSE], "【第一報】\n端末をネットワークから切り離した。\n\n"
			    "【続報 2026-11-20 15:00 (+09:00)】\n全端末のパスワードを変更した。");
	assert_string_equal(c.sections[KSEC_CAUSE], "原因の類型: 意図的\n\n"
			    "【最終報 2026-11-22 10:00 (+09:00)】\nVPN 機器の既知の脆弱性が未修正だった。");
	assert_string_equal(c.sections[KSEC_COUNTERMEASURES],
			    "【最終報 2026-11-22 10:00 (+09:00)】\n機器を更新し、修正の適用を月次で確認する。");
	assert_null(c.sections[KSEC_LESSONS]);
	assert_null(c.sections[KSEC_IMPACT]);
	/* the timeline */
	assert_int_equal(c.ntimeline, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c.ntimeline; i++) {
		assert_string_equal(c.timeline[i].when, want[i].when);
		assert_string_equal(c.timeline[i].text, want[i].text);
		assert_string_equal(c.timeline[i].actor, "事業者");
		assert_true(c.timeline[i].has_day);
		assert_int_equal(c.timeline[i].day, want[i].day);
	}
	/* it round-trips as a case */
	{
		json_t *j = kcase_to_json(&c);
		struct kcase back;

		assert_non_null(j);
		kcase_init(&back);
		assert_int_equal(kcase_from_json(&back, j, &err), 0);
		assert_string_equal(back.sections[KSEC_CAUSE], c.sections[KSEC_CAUSE]);
		assert_int_equal(back.ntimeline, c.ntimeline);
		kcase_free(&back);
		json_decref(j);
	}
	kcase_free(&c);
	for (int i = 0; i < 3; i++)
		json_decref(reps[i]);
	kincident_free(&inc);
}

/* Only the first report (n 0: inc->first), with an occurrence the day before and UTC times. */
static void test_case_draft_first_only(void **state)
{
	struct kincident inc = { 0 };
	struct kcase c;
	struct kerr err = KERR_INIT;

	(void)state;
	first_incident(&inc);
	free(inc.occurred_at);
	inc.occurred_at = strdup("2026-11-19T23:00:00+09:00");
	free(inc.detected_at);
	inc.detected_at = strdup("2026-11-20T00:00:00Z");
	kcase_init(&c);
	assert_int_equal(kincident_case_draft(&inc, NULL, 0, &c, &err), 0);
	assert_string_equal(c.id, "draft-incident");
	assert_int_equal(c.ntimeline, 3);
	assert_string_equal(c.timeline[0].when, "2026-11-19 23:00 (+09:00)");
	assert_int_equal(c.timeline[0].day, -1); /* 14:00 UTC on the 19th: the day before detection's day in UTC */
	assert_string_equal(c.timeline[1].when, "2026-11-20 00:00 (UTC)");
	assert_int_equal(c.timeline[1].day, 1);
	assert_string_equal(c.timeline[2].text, "第一報");
	assert_string_equal(c.timeline[2].when, "日時不明");
	assert_false(c.timeline[2].has_day);
	assert_has(c.sections[KSEC_RESPONSE], "【第一報】\n端末を");
	assert_null(c.sections[KSEC_COUNTERMEASURES]);
	kcase_free(&c);
	/* occurred the day before detection, in the same zone */
	free(inc.detected_at);
	inc.detected_at = strdup("2026-11-20T09:00:00+09:00");
	free(inc.occurred_at);
	inc.occurred_at = strdup("2026-11-18T23:00:00+09:00");
	kcase_init(&c);
	assert_int_equal(kincident_case_draft(&inc, NULL, 0, &c, &err), 0);
	assert_int_equal(c.timeline[0].day, -2);
	assert_int_equal(c.timeline[1].day, 1);
	kcase_free(&c);
	kincident_free(&inc);
}

static void test_case_draft_event_class(void **state)
{
	static const struct {
		unsigned ev, cause;
		const char *want;
	} cases[] = {
		{ KEVT_MALWARE, 0, "cyber_attack" },
		{ KEVT_MALICIOUS_CODE, KCAUSE_UNKNOWN, "cyber_attack" },
		{ KEVT_INTRUSION | KEVT_AVAILABILITY, KCAUSE_ACCIDENTAL, "cyber_attack" },
		{ KEVT_CONFIDENTIALITY, KCAUSE_INTENTIONAL, "cyber_attack" },
		{ KEVT_INTEGRITY, KCAUSE_INTENTIONAL | KCAUSE_UNKNOWN, "cyber_attack" },
		{ KEVT_AVAILABILITY, KCAUSE_INTENTIONAL, "cyber_attack" },
		{ KEVT_CONFIDENTIALITY, KCAUSE_ACCIDENTAL, "other" },
		{ KEVT_AVAILABILITY, KCAUSE_ACCIDENTAL, "system_failure" },
		{ KEVT_AVAILABILITY, KCAUSE_ENVIRONMENTAL, "system_failure" },
		{ KEVT_AVAILABILITY, KCAUSE_UNKNOWN, "other" },
		{ KEVT_AVAILABILITY, 0, "other" },
		{ KEVT_PRECURSOR, KCAUSE_INTENTIONAL, "other" },
		{ KEVT_OTHER, KCAUSE_SPILLOVER, "other" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kincident inc = incident_at(KINC_RECEIVED, "green");
		struct kcase c;

		inc.event_types = cases[i].ev;
		inc.cause_types = cases[i].cause;
		kcase_init(&c);
		assert_int_equal(kincident_case_draft(&inc, NULL, 0, &c, NULL), 0);
		if (strcmp(c.tags.event_class, cases[i].want))
			fail_msg("case %zu: %s, want %s", i, c.tags.event_class, cases[i].want);
		assert_int_equal(c.ntimeline, 0);
		kcase_free(&c);
	}
}

/* ---- the incident as JSON ------------------------------------------------------------------ */

static void test_to_json(void **state)
{
	struct kincident inc = { 0 }, back = { 0 };
	struct kdeadlines d = KDEADLINES_DEFAULT;
	json_t *j, *e;
	char *text;
	size_t i;

	(void)state;
	first_incident(&inc);
	inc.id = strdup("IR-2026-0001");
	inc.filed_by = strdup("yamada");
	inc.created = strdup("2026-11-20T00:30:00Z");
	inc.updated = strdup("2026-11-20T06:05:00Z");
	inc.nreports = 1;
	inc.candidate = 1;
	inc.status = KINC_CHECKING;
	assert_int_equal(kincident_set_due(&inc, &d), 0);
	j = kincident_to_json(&inc, at("2026-11-24T00:00:00Z"));
	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = load(text);
	free(text);
	/* back into an incident */
	back.id = strdup(json_string_value(json_object_get(j, "id")));
	back.title = strdup(json_string_value(json_object_get(j, "title")));
	back.org = strdup(json_string_value(json_object_get(j, "organization")));
	back.sector = strdup(ksector_parse(json_string_value(json_object_get(j, "sector"))));
	back.tlp = strdup(json_string_value(json_object_get(j, "tlp")));
	back.status = kincident_status_parse(json_string_value(json_object_get(j, "status")));
	back.candidate = json_is_true(json_object_get(j, "candidate"));
	json_array_foreach(json_object_get(j, "event_types"), i, e)
		back.event_types |= kevent_type_parse(json_string_value(e));
	json_array_foreach(json_object_get(j, "cause_types"), i, e)
		back.cause_types |= kcause_type_parse(json_string_value(e));
	back.service_affected = ktri_parse(json_string_value(json_object_get(j, "service_affected")));
	back.nreports = (int)json_integer_value(json_object_get(j, "reports"));
	assert_string_equal(back.id, inc.id);
	assert_string_equal(back.title, inc.title);
	assert_string_equal(back.org, inc.org);
	assert_string_equal(back.sector, inc.sector);
	assert_string_equal(json_string_value(json_object_get(j, "sector")), "電力");
	assert_string_equal(back.tlp, inc.tlp);
	assert_int_equal(back.status, KINC_CHECKING);
	assert_int_equal(back.candidate, 1);
	assert_int_equal(back.event_types, inc.event_types);
	assert_int_equal(back.cause_types, inc.cause_types);
	assert_int_equal(back.service_affected, inc.service_affected);
	assert_int_equal(back.nreports, 1);
	assert_string_equal(json_string_value(json_object_get(j, "occurred_at")), inc.occurred_at);
	assert_string_equal(json_string_value(json_object_get(j, "detected_at")), inc.detected_at);
	assert_string_equal(json_string_value(json_object_get(j, "filed_by")), "yamada");
	assert_string_equal(json_string_value(json_object_get(j, "created")), inc.created);
	assert_string_equal(json_string_value(json_object_get(j, "updated")), inc.updated);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "due"), "followup")),
			    "2026-11-23T00:30:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "due"), "final")),
			    "2026-12-20T00:30:00Z");
	assert_int_equal(json_array_size(json_object_get(j, "overdue")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "overdue"), 0)), "followup");
	assert_true(json_is_null(json_object_get(j, "case_id")));
	assert_true(json_is_null(json_object_get(j, "final_at")));
	json_decref(j);
	/* a case, nothing overdue, no occurrence */
	inc.case_id = strdup("draft-ir-2026-0001");
	free(inc.occurred_at);
	inc.occurred_at = NULL;
	inc.cause_types = 0;
	j = kincident_to_json(&inc, at("2026-11-21T00:00:00Z"));
	assert_string_equal(json_string_value(json_object_get(j, "case_id")), "draft-ir-2026-0001");
	assert_true(json_is_null(json_object_get(j, "occurred_at")));
	assert_int_equal(json_array_size(json_object_get(j, "overdue")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "cause_types")), 0);
	json_decref(j);
	/* an empty incident still gives every member */
	{
		struct kincident empty = { 0 };

		j = kincident_to_json(&empty, NOW);
		assert_non_null(j);
		assert_true(json_is_null(json_object_get(j, "id")));
		assert_string_equal(json_string_value(json_object_get(j, "status")), "received");
		assert_true(json_is_null(json_object_get(j, "service_affected")));
		json_decref(j);
	}
	kincident_free(&back);
	kincident_free(&inc);
}

/* ---- main --------------------------------------------------------------------------------- */

static const struct CMUnitTest fixed[] = {
	cmocka_unit_test(test_workflow_table_complete),
	cmocka_unit_test(test_workflow_messages),
	cmocka_unit_test(test_workflow_conditions),
	cmocka_unit_test(test_actions),
	cmocka_unit_test(test_first_good),
	cmocka_unit_test(test_first_missing),
	cmocka_unit_test(test_first_wrong_type),
	cmocka_unit_test(test_first_unknown_member),
	cmocka_unit_test(test_first_utf8),
	cmocka_unit_test(test_first_too_long),
	cmocka_unit_test(test_first_future),
	cmocka_unit_test(test_first_detection_before_occurrence),
	cmocka_unit_test(test_first_bad_time),
	cmocka_unit_test(test_first_unknown_sector),
	cmocka_unit_test(test_first_unknown_event_type),
	cmocka_unit_test(test_first_unknown_cause_type),
	cmocka_unit_test(test_first_other_fields),
	cmocka_unit_test(test_first_roles),
	cmocka_unit_test(test_update),
	cmocka_unit_test(test_update_bad),
	cmocka_unit_test(test_final_without_cause),
	cmocka_unit_test(test_time_parse),
	cmocka_unit_test(test_deadlines),
	cmocka_unit_test(test_clock),
	cmocka_unit_test(test_case_draft),
	cmocka_unit_test(test_case_draft_first_only),
	cmocka_unit_test(test_case_draft_event_class),
	cmocka_unit_test(test_to_json),
};

int main(void)
{
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n = 0;
	struct CMUnitTest *tests = calloc(nfixed + NWORKFLOW * KINC__N, sizeof(*tests));
	int rc;

	if (!tests)
		return 1;
	for (size_t i = 0; i < NWORKFLOW; i++)
		for (int st = 0; st < KINC__N; st++) {
			struct cell *c = &cells[n];

			c->action = workflow[i].action;
			c->reader = workflow[i].reader;
			c->status = st;
			c->want = workflow[i].want[st];
			snprintf(c->name, sizeof(c->name), "workflow: %s by %s when %s -> %s", kinc_action_name(c->action),
				 reader_names[c->reader], kincident_status_name(st),
				 c->want == 'y' ? "allowed" : c->want == 'n' ? "not found" : c->want == 'd' ? "denied"
				 : "invalid");
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_workflow_cell, c);
			tests[n].name = c->name;
			n++;
		}
	for (size_t i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	rc = _cmocka_run_group_tests("report", tests, n, NULL, NULL);
	free(tests);
	return rc;
}
