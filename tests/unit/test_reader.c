/*
 * test_reader.c - who may see what: every role (and anonymous, and the
 * local operator) against every TLP 2.0 level and every relation a reader
 * can have to a case (none, own organisation, a sector of theirs, named as
 * a recipient).  The expectations are written here from the rules as the
 * accounts issue states them, independently of the table in reader.c.
 */
#include "testutil.h"

#include "case.h"
#include "reader.h"

#include <jansson.h>
#include <string.h>

enum { REL_NONE, REL_ORG, REL_SECTOR, REL_NAMED, REL__N };
static const char *const levels[] = { "clear", "green", "amber", "amber+strict", "red" };

/* The rules: may a reader of this role with this relation see this level? */
static int expected(int kind, enum krole role, int level, int rel)
{
	int centre = role == KROLE_ANALYST || role == KROLE_PUBLISHER;

	if (kind == KREADER_LOCAL)
		return 1;
	if (kind == KREADER_ANONYMOUS)
		return level == 0;
	switch (level) {
	case 0: /* clear: everyone */
	case 1: /* green: any signed-in user */
		return 1;
	case 2: /* amber: own org, liaisons of its sectors, analysts and publishers */
		return (rel == REL_ORG && role != KROLE_ADMIN) || (rel == REL_SECTOR && role == KROLE_LIAISON) ||
		       centre;
	case 3: /* amber+strict: own org, analysts and publishers named on it */
		return (rel == REL_ORG && role != KROLE_ADMIN) || (rel == REL_NAMED && centre);
	case 4: /* red: the users named on it */
		return rel == REL_NAMED;
	}
	return 0;
}

static void test_matrix(void **state)
{
	const char *recipients[] = { "alice" };
	const char *sectors[] = { "電力" };
	int cells = 0;

	(void)state;
	for (int kind = KREADER_ANONYMOUS; kind <= KREADER_LOCAL; kind++) {
		for (int role = KROLE_NONE; role < KROLE__N; role++) {
			if (kind != KREADER_USER && role != KROLE_NONE)
				continue;
			if (kind == KREADER_USER && role == KROLE_NONE)
				continue;
			for (int level = 0; level < 5; level++) {
				for (int rel = REL_NONE; rel < REL__N; rel++) {
					struct kreader r = { .kind = kind, .role = role, .caps = krole_caps(role) };
					struct kcase_access c = { .tlp = levels[level], .owner = "他社" };

					if (kind == KREADER_USER) {
						r.user_id = 7;
						r.login = rel == REL_NAMED ? "alice" : "bob";
						r.org = rel == REL_ORG ? "他社" : "自社";
						r.sectors[0] = rel == REL_SECTOR ? "電力" : "ガス";
						r.nsectors = 1;
					}
					c.recipients = recipients;
					c.nrecipients = 1;
					c.sectors = sectors;
					c.nsectors = 1;
					if (kreader_may_see(&r, &c) != expected(kind, role, level, rel))
						fail_msg("kind %d role %s level %s relation %d: got %d", kind,
							 krole_name(role) ? krole_name(role) : "-", levels[level], rel,
							 kreader_may_see(&r, &c));
					cells++;
				}
			}
		}
	}
	assert_int_equal(cells, (1 + 5 + 1) * 5 * REL__N);
}

static void test_defaults_fail_closed(void **state)
{
	struct kcase_access c = { .tlp = NULL }; /* stored as amber */

	(void)state;
	assert_false(kreader_may_see(NULL, &c));
	c.tlp = "clear";
	assert_true(kreader_may_see(NULL, &c));
	c.tlp = "purple";
	assert_false(kreader_may_see(&kreader_anonymous, &c));
	assert_int_equal(kreader_levels_always(NULL), 1u);
	assert_int_equal(kreader_levels_always(&kreader_local), 0x1fu);
	assert_int_equal(kreader_max_level(&kreader_anonymous), 0);
}

static void test_limit(void **state)
{
	struct kreader r = KREADER_LOCAL_INIT;

	(void)state;
	r.limited = 1;
	r.limit = 1;
	assert_true(kreader_may_see_level(&r, "green"));
	assert_false(kreader_may_see_level(&r, "amber"));
	assert_int_equal(kreader_levels_always(&r), 3u);
}

static void test_roles_and_caps(void **state)
{
	char key[32];

	(void)state;
	for (int i = KROLE_NONE + 1; i < KROLE__N; i++)
		assert_int_equal(krole_parse(krole_name(i)), i);
	assert_int_equal(krole_parse("root"), KROLE_NONE);
	assert_true(krole_caps(KROLE_REPORTER) & KCAP_REPORT_FILE);
	assert_false(krole_caps(KROLE_REPORTER) & KCAP_CASE_EDIT);
	assert_true(krole_caps(KROLE_PUBLISHER) & KCAP_CASE_PUBLISH);
	assert_true(krole_caps(KROLE_ADMIN) & KCAP_ADMIN);
	assert_false(krole_caps(KROLE_ANALYST) & KCAP_ADMIN);
	assert_true(kreader_can(&kreader_anonymous, KCAP_READ));
	assert_false(kreader_can(&kreader_anonymous, KCAP_CASE_EDIT));
	assert_string_equal(kcap_name(KCAP_CASE_PUBLISH), "case.publish");
	kreader_key(&kreader_anonymous, key, sizeof(key));
	assert_string_equal(key, "anon");
}

/* A stored case and a stored revision decide with their owner, recipients and sectors. */
static void test_case_and_json(void **state)
{
	struct kreader rep = { .kind = KREADER_USER, .user_id = 1, .login = "rep", .org = "事業者A",
			       .role = KROLE_REPORTER, .caps = KCAP_READ };
	struct kreader liaison = { .kind = KREADER_USER, .user_id = 2, .login = "li", .org = "省",
				   .role = KROLE_LIAISON, .caps = KCAP_READ, .sectors = { "電力" }, .nsectors = 1 };
	struct kreader analyst = { .kind = KREADER_USER, .user_id = 3, .login = "an", .org = "センター",
				   .role = KROLE_ANALYST, .caps = KCAP_READ };
	struct kcase c;
	json_t *j;

	(void)state;
	kcase_init(&c);
	assert_int_equal(kstr_set(&c.tlp, "amber"), 0);
	assert_false(kreader_may_see_case(&rep, &c));
	assert_false(kreader_may_see_case(&liaison, &c));
	assert_int_equal(kstr_set(&c.owner, "事業者A"), 0);
	assert_true(kreader_may_see_case(&rep, &c));
	assert_int_equal(kstrv_push(&c.tags.sectors, "電力"), 0);
	assert_true(kreader_may_see_case(&liaison, &c));
	assert_int_equal(kstr_set(&c.tlp, "red"), 0);
	assert_false(kreader_may_see_case(&rep, &c));
	assert_false(kreader_may_see_case(&analyst, &c));
	assert_int_equal(kstrv_push(&c.recipients, "an"), 0);
	assert_true(kreader_may_see_case(&analyst, &c));
	assert_true(kreader_may_see_case(&kreader_local, &c));
	assert_false(kreader_may_see_case(&kreader_anonymous, &c));
	kcase_free(&c);

	j = json_loads("{\"id\":\"x\",\"tlp\":\"amber\",\"owner\":\"事業者A\",\"tags\":{\"sectors\":[\"電力\"]}}", 0, NULL);
	assert_non_null(j);
	assert_true(kreader_may_see_json(&rep, j));
	assert_true(kreader_may_see_json(&liaison, j));
	assert_true(kreader_may_see_json(&analyst, j));
	assert_false(kreader_may_see_json(&kreader_anonymous, j));
	json_object_set_new(j, "tlp", json_string("red"));
	assert_false(kreader_may_see_json(&rep, j));
	json_object_set_new(j, "recipients", json_pack("[s, i, s]", "x", 5, "rep")); /* a non-string is no one */
	assert_true(kreader_may_see_json(&rep, j));
	assert_false(kreader_may_see_json(&analyst, j));
	json_object_del(j, "tlp"); /* stored as amber */
	assert_true(kreader_may_see_json(&rep, j));
	json_object_set_new(j, "tlp", json_integer(1)); /* not a level: nobody but the operator */
	assert_false(kreader_may_see_json(&rep, j));
	assert_true(kreader_may_see_json(&kreader_local, j));
	json_decref(j);
	j = json_string("not a case");
	assert_false(kreader_may_see_json(&kreader_local, j));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_defaults_fail_closed),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_roles_and_caps),
		cmocka_unit_test(test_case_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
