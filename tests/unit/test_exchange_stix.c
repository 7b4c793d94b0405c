/*
 * test_exchange_stix.c - unit tests of the STIX 2.1 exchange
 * (exchange_stix.c): deterministic bytes and ids, TLP 2.0 markings per
 * level (each marking-definition once), the round trip with x_kyokun_case
 * (the whole case) and without it (title, summary, sections, key lessons,
 * TLP, source publisher/document/year/case number, the kyokun id, threats
 * the crosswalk maps one to one), and bad input refused naming the object
 * and the field, with nothing left in the list.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_json.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"

static void make_case(struct kcase *c, const char *id, const char *tlp)
{
	kcase_init(c);
	assert_int_equal(kstr_set(&c->id, id), 0);
	assert_int_equal(kstr_set(&c->title, "ＶＰＮ機器からの侵入"), 0);
	assert_int_equal(kstr_set(&c->source.document, "examples-2024.txt"), 0);
	assert_int_equal(kstr_set(&c->source.publisher, "編集チーム"), 0);
	c->source.has_year = 1;
	c->source.year = 2024;
	c->source.has_case_number = 1;
	c->source.case_number = 3;
	assert_int_equal(kstrv_push(&c->summary, "脆弱性が残っていた。"), 0);
	assert_int_equal(kstrv_push(&c->summary, "ファイルが暗号化された。"), 0);
	assert_int_equal(kstrv_push(&c->key_lessons, "台帳に載せる。"), 0);
	assert_int_equal(kstrv_push(&c->key_lessons, "バックアップはオフラインに。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_BACKGROUND], "・一行目\n・二行目"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CAUSE], "・パッチ未適用"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_LESSONS], "・教訓その一\n・教訓その二"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CHALLENGES], "・課題"), 0);
	assert_int_equal(kstr_set(&c->attributes.organization, "電力事業者"), 0);
	assert_int_equal(kstr_set(&c->tags.event_class, "cyber_attack"), 0);
	assert_int_equal(kstrv_push(&c->tags.threats, "ransomware"), 0);
	assert_int_equal(kstrv_push(&c->tags.sectors, "electricity"), 0);
	assert_int_equal(kcase_add_event(c, 1, 1, "1日目", "CSIRT", "遮断"), 0);
	assert_int_equal(kstr_set(&c->tlp, tlp), 0);
}

static int export(struct kcase *cs, size_t n, struct kbuf *out)
{
	const struct kexchange_format *f = kexchange_find("stix");
	struct kexchange_opts o = { "kyokun-test", "https://kyokun.example" };
	struct kerr err = { 0 };
	void *st = NULL;
	int rc;

	assert_non_null(f);
	rc = f->export_begin(&o, &st, out, &err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = f->export_case(st, &cs[i], out, &err);
	if (f->export_end(st, out, &err) < 0 && rc == 0)
		rc = -1;
	return rc;
}

static json_t *objects(const char *s)
{
	json_error_t je;
	json_t *d = json_loads(s, 0, &je);

	if (!d)
		fail_msg("not JSON: %s: %s", je.text, s);
	return d;
}

static size_t count_type(json_t *doc, const char *type)
{
	size_t i, n = 0;
	json_t *o;

	json_array_foreach(json_object_get(doc, "objects"), i, o)
		n += !strcmp(json_string_value(json_object_get(o, "type")), type);
	return n;
}

static void test_deterministic(void **state)
{
	struct kcase c[2];
	struct kbuf a = KBUF_INIT, b = KBUF_INIT, d = KBUF_INIT;
	json_t *doc;

	(void)state;
	make_case(&c[0], "case-1", "clear");
	make_case(&c[1], "case-2", "clear");
	assert_int_equal(export(c, 2, &a), 0);
	assert_int_equal(export(c, 2, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* ids depend on the case id, not on the order or the run */
	assert_int_equal(export(c + 1, 1, &d), 0);
	{
		char id[37];

		assert_int_equal(kexchange_uuid5("6f1c3c52-4c7e-5b0e-9a51-6b796f6b756e", "incident:case-2", id), 0);
		assert_non_null(strstr(kbuf_str(&a), id));
		assert_non_null(strstr(kbuf_str(&d), id));
	}
	doc = objects(kbuf_str(&a));
	assert_string_equal(json_string_value(json_object_get(doc, "type")), "bundle");
	assert_int_equal(strncmp(json_string_value(json_object_get(doc, "id")), "bundle--", 8), 0);
	assert_int_equal(count_type(doc, "incident"), 2);
	assert_int_equal(count_type(doc, "report"), 2);
	assert_int_equal(count_type(doc, "note"), 6);
	assert_int_equal(count_type(doc, "identity"), 3); /* the publisher once, a victim per case */
	assert_int_equal(count_type(doc, "marking-definition"), 1);
	/* the incident: types from the crosswalk, the kyokun id as an external reference */
	{
		size_t i;
		json_t *o;

		json_array_foreach(json_object_get(doc, "objects"), i, o) {
			const char *t = json_string_value(json_object_get(o, "type"));

			if (strcmp(t, "marking-definition"))
				assert_non_null(json_object_get(o, "created_by_ref"));
			if (!strcmp(t, "incident")) {
				assert_string_equal(json_string_value(json_object_get(o, "created")), "2024-01-01T00:00:00.000Z");
				assert_string_equal(json_string_value(json_array_get(json_object_get(o, "incident_types"), 0)),
						    "ransomware");
				assert_string_equal(json_string_value(json_object_get(
							    json_array_get(json_object_get(o, "external_references"), 0), "url")),
						    "https://kyokun.example/cases/case-1");
				break;
			}
		}
	}
	/* the bundle id changes with the cases */
	{
		json_t *other = objects(kbuf_str(&d));

		assert_string_not_equal(json_string_value(json_object_get(doc, "id")),
					json_string_value(json_object_get(other, "id")));
		json_decref(other);
	}
	json_decref(doc);
	kcase_free(&c[0]);
	kcase_free(&c[1]);
	kbuf_release(&a);
	kbuf_release(&b);
	kbuf_release(&d);
}

static void test_markings(void **state)
{
	static const char *const lv[] = { "clear", "green", "amber", "amber+strict", "red" };
	static const char *const ids[] = {
		"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
		"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
		"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
	};
	struct kcase c[6];
	struct kbuf a = KBUF_INIT;
	json_t *doc, *o;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof id, "case-%zu", i);
		make_case(&c[i], id, lv[i]);
	}
	make_case(&c[5], "case-5", "amber");
	assert_int_equal(export(c, 6, &a), 0);
	doc = objects(kbuf_str(&a));
	assert_int_equal(count_type(doc, "marking-definition"), 5);
	json_array_foreach(json_object_get(doc, "objects"), i, o) {
		const char *t = json_string_value(json_object_get(o, "type"));

		if (!strcmp(t, "marking-definition")) {
			json_t *ext = json_object_get(json_object_get(o, "extensions"),
						      "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
			const char *l = json_string_value(json_object_get(ext, "tlp_2_0"));
			int k;

			for (k = 0; k < 5 && strcmp(lv[k], l); k++)
				;
			assert_true(k < 5);
			assert_string_equal(json_string_value(json_object_get(o, "id")), ids[k]);
		} else if (!strcmp(t, "report")) {
			json_t *x = json_object_get(o, "x_kyokun_case");
			const char *l = json_string_value(json_object_get(x, "tlp"));
			int k;

			for (k = 0; k < 5 && strcmp(lv[k], l); k++)
				;
			assert_string_equal(json_string_value(json_array_get(json_object_get(o, "object_marking_refs"), 0)),
					    ids[k]);
		}
	}
	json_decref(doc);
	for (i = 0; i < 6; i++)
		kcase_free(&c[i]);
	kbuf_release(&a);
}

static void dump_eq(const struct kcase *a, const struct kcase *b)
{
	struct kbuf x = KBUF_INIT, y = KBUF_INIT;

	assert_int_equal(kcase_dump(a, &x), 0);
	assert_int_equal(kcase_dump(b, &y), 0);
	assert_string_equal(kbuf_str(&x), kbuf_str(&y));
	kbuf_release(&x);
	kbuf_release(&y);
}

static void test_round_trip_lossless(void **state)
{
	struct kcase c[2];
	struct kbuf a = KBUF_INIT;
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };

	(void)state;
	make_case(&c[0], "case-1", "amber");
	make_case(&c[1], "case-2", "clear");
	assert_int_equal(export(c, 2, &a), 0);
	assert_true(kexchange_stix_sniff(a.buf, a.len));
	assert_ptr_equal(kexchange_sniff(a.buf, a.len), kexchange_find("stix"));
	if (kexchange_stix_import(a.buf, a.len, &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 2);
	dump_eq(&c[0], &l.v[0]);
	dump_eq(&c[1], &l.v[1]);
	kcase_list_free(&l);
	kcase_free(&c[0]);
	kcase_free(&c[1]);
	kbuf_release(&a);
}

/* Without x_kyokun_case: what a foreign reader's bundle gives back. */
static void test_round_trip_foreign(void **state)
{
	struct kcase c;
	struct kbuf a = KBUF_INIT;
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };
	json_t *doc, *o;
	size_t i;
	char *s;

	(void)state;
	make_case(&c, "case-1", "amber+strict");
	assert_int_equal(export(&c, 1, &a), 0);
	doc = objects(kbuf_str(&a));
	json_array_foreach(json_object_get(doc, "objects"), i, o)
		json_object_del(o, "x_kyokun_case");
	s = json_dumps(doc, 0);
	if (kexchange_stix_import(s, strlen(s), &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 1);
	{
		struct kcase *r = &l.v[0];

		assert_string_equal(r->id, "case-1");
		assert_string_equal(r->title, c.title);
		assert_string_equal(r->tlp, "amber+strict");
		assert_int_equal(r->summary.n, 2);
		assert_string_equal(r->summary.v[1], c.summary.v[1]);
		assert_int_equal(r->key_lessons.n, 2);
		assert_string_equal(r->key_lessons.v[0], c.key_lessons.v[0]);
		for (int k = 0; k < KSEC__N; k++) {
			if (c.sections[k])
				assert_string_equal(r->sections[k], c.sections[k]);
			else
				assert_null(r->sections[k]);
		}
		assert_string_equal(r->source.publisher, c.source.publisher);
		assert_string_equal(r->source.document, c.source.document);
		assert_int_equal(r->source.year, 2024);
		assert_int_equal(r->source.case_number, 3);
		assert_string_equal(r->attributes.organization, c.attributes.organization);
		assert_true(kstrv_contains(&r->tags.threats, "ransomware"));
		assert_true(kstrv_contains(&r->tags.sectors, "electricity"));
	}
	free(s);
	json_decref(doc);
	kcase_list_free(&l);
	kcase_free(&c);
	kbuf_release(&a);
}

/* A bundle written by another tool: no kyokun ids, TLP 1.0 marking, an incident without a report. */
static void test_foreign_bundle(void **state)
{
	const char *b =
		"{\"type\":\"bundle\",\"id\":\"bundle--11111111-1111-4111-8111-111111111111\",\"objects\":["
		"{\"type\":\"indicator\",\"id\":\"indicator--22222222-2222-4222-8222-222222222222\"},"
		"{\"type\":\"x-acme-thing\",\"id\":\"x-acme-thing--33333333-3333-4333-8333-333333333333\"},"
		"{\"type\":\"incident\",\"spec_version\":\"2.1\",\"id\":\"incident--44444444-4444-4444-8444-444444444444\","
		"\"created\":\"2023-05-01T00:00:00Z\",\"modified\":\"2023-05-01T00:00:00Z\",\"name\":\"Outage\","
		"\"description\":\"line one\\nline two\",\"incident_types\":[\"denial-of-service\"],"
		"\"object_marking_refs\":[\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da\"]},"
		"{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"report--55555555-5555-4555-8555-555555555555\","
		"\"created\":\"2023-05-01T00:00:00Z\",\"modified\":\"2023-05-01T00:00:00Z\",\"name\":\"Loop\","
		"\"published\":\"2023-05-01T00:00:00Z\","
		"\"object_refs\":[\"report--55555555-5555-4555-8555-555555555555\",\"note--66666666-6666-4666-8666-666666666666\"]},"
		"{\"type\":\"note\",\"spec_version\":\"2.1\",\"id\":\"note--66666666-6666-4666-8666-666666666666\","
		"\"content\":\"a lesson\",\"object_refs\":[\"report--55555555-5555-4555-8555-555555555555\"]}"
		"]}";
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };

	(void)state;
	assert_true(kexchange_stix_sniff(b, strlen(b)));
	if (kexchange_stix_import(b, strlen(b), &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 2);
	/* the incident no report names (kept in bundle order), unmarked-by-report TLP from the incident */
	assert_string_equal(l.v[0].id, "stix-44444444-4444-4444-8444-444444444444");
	assert_string_equal(l.v[0].title, "Outage");
	assert_string_equal(l.v[0].tlp, "green");
	assert_int_equal(l.v[0].source.year, 2023);
	assert_int_equal(l.v[0].summary.n, 2);
	assert_true(kstrv_contains(&l.v[0].tags.threats, "ddos"));
	/* a report referring to itself: no loop; unmarked: amber */
	assert_string_equal(l.v[1].title, "Loop");
	assert_string_equal(l.v[1].tlp, "amber");
	assert_int_equal(l.v[1].key_lessons.n, 1);
	kcase_list_free(&l);
}

static void bad(const char *doc, int code, const char *msg)
{
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };
	struct kcase *keep;
	int rc;

	keep = kcase_list_add(&l);
	kstr_set(&keep->id, "kept");
	rc = kexchange_stix_import(doc, strlen(doc), &l, &err);
	if (rc != code || !strstr(err.msg, msg))
		fail_msg("%s: got %d \"%s\", wanted %d \"%s\"", doc, rc, err.msg, code, msg);
	assert_int_equal(l.n, 1); /* nothing added, what was there kept */
	assert_string_equal(l.v[0].id, "kept");
	kcase_list_free(&l);
}

#define OBJ(x) "{\"type\":\"bundle\",\"id\":\"bundle--11111111-1111-4111-8111-111111111111\",\"objects\":[" x "]}"
#define INC "\"type\":\"incident\",\"id\":\"incident--44444444-4444-4444-8444-444444444444\""

static void test_bad_input(void **state)
{
	(void)state;
	bad("{\"type\":\"bundle\",", KE_PARSE, "stix: line 1");
	bad("[1,2]", KE_INVALID, "type: expected \"bundle\"");
	bad("{\"type\":\"report\"}", KE_INVALID, "type: expected \"bundle\"");
	bad("{\"type\":\"bundle\",\"objects\":{}}", KE_INVALID, "objects: expected an array");
	bad(OBJ("1"), KE_INVALID, "objects[0]: expected an object");
	bad(OBJ("{\"id\":\"x--1\"}"), KE_INVALID, "objects[0] (x--1): type: required");
	bad(OBJ("{\"type\":\"Not A Type\",\"id\":\"q\"}"), KE_INVALID, "objects[0] (q): type: \"Not A Type\" is not a STIX");
	bad(OBJ("{\"type\":\"incident\",\"id\":\"report--44444444-4444-4444-8444-444444444444\"}"), KE_INVALID,
	    "objects[0] (report--44444444-4444-4444-8444-444444444444): id: expected incident--UUID");
	bad(OBJ("{" INC "}"), KE_INVALID, "objects[0] (incident--44444444-4444-4444-8444-444444444444): name: required");
	bad(OBJ("{" INC ",\"name\":5}"), KE_INVALID, "(incident--44444444-4444-4444-8444-444444444444): name: expected a string");
	bad(OBJ("{" INC ",\"name\":\"n\",\"object_marking_refs\":[1]}"), KE_INVALID, "object_marking_refs[0]: expected a string");
	bad(OBJ("{\"type\":\"report\",\"id\":\"report--44444444-4444-4444-8444-444444444444\",\"name\":\"r\"}"), KE_INVALID,
	    "object_refs: required");
	bad(OBJ("{\"type\":\"note\",\"id\":\"note--44444444-4444-4444-8444-444444444444\"}"), KE_INVALID,
	    "objects[0] (note--44444444-4444-4444-8444-444444444444): content: required");
	bad(OBJ("{\"type\":\"report\",\"id\":\"report--44444444-4444-4444-8444-444444444444\",\"object_refs\":[],"
		"\"x_kyokun_case\":{\"id\":\"a b\",\"title\":\"t\"}}"),
	    KE_INVALID, "objects[0] (report--44444444-4444-4444-8444-444444444444): ");
	bad(OBJ("{" INC ",\"name\":\"ok\"},{\"type\":\"note\",\"id\":\"note--1\"}"), KE_INVALID, "objects[1] (note--1): id:");
	/* too big: refused before parsing */
	{
		struct kcase_list l = { 0 };
		struct kerr err = { 0 };

		assert_int_equal(kexchange_stix_import("{}", (size_t)200 << 20, &l, &err), KE_TOOBIG);
		assert_int_equal(l.n, 0);
	}
	assert_false(kexchange_stix_sniff("{\"format\":\"kyokun-case/1\",\"cases\":[{\"type\":\"bundle\"}]}", 52));
	assert_false(kexchange_stix_sniff("[{\"type\":\"bundle\"}]", 19));
	assert_true(kexchange_stix_sniff(" {\"id\":\"x\",\"objects\":[{\"type\":\"a\"}],\"type\" : \"bundle\"}", 54));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_markings),
		cmocka_unit_test(test_round_trip_lossless),
		cmocka_unit_test(test_round_trip_foreign),
		cmocka_unit_test(test_foreign_bundle),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
