/*
 * fuzz_report.c - incident reports from outside (POST /api/reports and its
 * updates, `kyokun report add|update`): any bytes, as JSON, checked as a
 * first report by four readers and as a follow-up on what passed.  What a
 * check accepts must be accepted again unchanged (the normalised JSON is a
 * fixed point), make a case draft that validates, and give the incident as
 * JSON; nothing may crash, leak or break an error code's contract.
 */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#include "reader.h"
#include "report.h"

/* 2026-12-01T00:00:00Z: the checks' clock, so that what passes does not depend on the day */
#define NOW ((time_t)1796083200)

static const char *const sectors_a[] = { "electricity" };

static int expected_rc(int rc)
{
	return rc == 0 || rc == KE_INVALID || rc == KE_PARSE || rc == KE_DENIED || rc == KE_NOMEM;
}

/* The draft of inc with its reports (reports[0..n)) is a valid case. */
static void check_draft(const struct kincident *inc, json_t *const *reports, size_t n)
{
	struct kerr err = KERR_INIT;
	struct kcase c;
	int rc;

	kcase_init(&c);
	rc = kincident_case_draft(inc, reports, n, &c, &err);
	FUZZ_CHECK(rc == 0 || rc == KE_NOMEM, "case draft: %d %s", rc, err.msg);
	if (rc == 0) {
		rc = kcase_validate(&c, &err);
		FUZZ_CHECK(rc == 0, "the case draft is not a valid case: %s", err.msg);
	}
	kcase_free(&c);
}

static void one_reader(json_t *in, const struct kreader *r, int may_file)
{
	struct kincident inc = { 0 }, again = { 0 };
	struct kerr err = KERR_INIT;
	json_t *out = NULL, *j, *reports[2];
	int rc;

	rc = kreport_first_check(in, r, NOW, &inc, &err);
	FUZZ_CHECK(expected_rc(rc), "first report: unexpected code %d: %s", rc, err.msg);
	if (!may_file)
		FUZZ_CHECK(rc != 0, "a reader who may not file filed a report");
	if (rc != 0) {
		FUZZ_CHECK(err.msg[0], "refused without a message (code %d)", rc);
		goto out;
	}
	FUZZ_CHECK(inc.first && inc.title && inc.org && inc.sector && inc.tlp && inc.detected_utc,
		   "an accepted first report leaves the incident incomplete");
	FUZZ_CHECK(ktlp_valid(inc.tlp), "tlp %s", inc.tlp);
	/* the normalised report is accepted again, as it is */
	rc = kreport_first_check(inc.first, r, NOW, &again, &err);
	FUZZ_CHECK(rc == 0 || rc == KE_NOMEM, "the normalised first report is refused: %s", err.msg);
	if (rc == 0)
		FUZZ_CHECK(json_equal(inc.first, again.first), "normalising twice changes the report");
	/* as the store leaves it */
	inc.created = strdup("2026-12-01T00:00:00Z");
	inc.nreports = 1;
	if (!inc.created)
		goto out;
	{
		struct kdeadlines d = KDEADLINES_DEFAULT;

		FUZZ_CHECK(kincident_set_due(&inc, &d) == 0, "deadlines");
	}
	(void)kincident_overdue(&inc, NOW + 100 * 3600);
	j = kincident_to_json(&inc, NOW);
	json_decref(j);
	reports[0] = inc.first;
	check_draft(&inc, reports, 1);
	/* the same bytes as a follow-up or final report on it */
	rc = kreport_update_check(in, &inc, NOW, &out, &err);
	FUZZ_CHECK(expected_rc(rc), "follow-up: unexpected code %d: %s", rc, err.msg);
	if (rc == 0) {
		FUZZ_CHECK(out, "an accepted follow-up gives no JSON");
		reports[1] = out;
		check_draft(&inc, reports, 2);
	}
out:
	json_decref(out);
	kincident_free(&inc);
	kincident_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kreader reporter = {
		.kind = KREADER_USER, .user_id = 1, .login = "rep-a", .org_id = 1, .org = "A電力",
		.role = KROLE_REPORTER, .caps = krole_caps(KROLE_REPORTER),
		.sectors = { sectors_a[0] }, .nsectors = 1,
	};
	struct kreader analyst = {
		.kind = KREADER_USER, .user_id = 2, .login = "ana", .role = KROLE_ANALYST,
		.caps = krole_caps(KROLE_ANALYST),
	};
	struct kreader liaison = {
		.kind = KREADER_USER, .user_id = 3, .login = "lia", .org_id = 2, .org = "経済産業省",
		.role = KROLE_LIAISON, .caps = krole_caps(KROLE_LIAISON),
		.sectors = { sectors_a[0] }, .nsectors = 1,
	};
	json_error_t je;
	json_t *in;

	if (size > 300 * 1024)
		return 0;
	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!in)
		return 0;
	one_reader(in, &kreader_local, 1);
	one_reader(in, &reporter, 1);
	one_reader(in, &analyst, 1);
	one_reader(in, &liaison, 0);
	one_reader(in, &kreader_anonymous, 0);
	json_decref(in);
	return 0;
}
