/*
 * test_exchange_misp.c - unit tests of the MISP exchange format
 * (exchange_misp.c): deterministic export, distribution and tags per TLP,
 * Markdown escaping in the timeline table, kyokun -> MISP -> kyokun round
 * trip, a foreign event's fields, sniffing, and bad input of each kind
 * (all or nothing, messages naming the event and field).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_json.h"
#include "crosswalk.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"

static void fill(struct kcase *c, const char *id, const char *tlp)
{
	kcase_init(c);
	kstr_set(&c->id, id);
	kstr_set(&c->title, "VPN 機器からの侵入\n(二行目)");
	kstr_set(&c->source.publisher, "架空の出版者");
	c->source.has_year = 1;
	c->source.year = 2024;
	kstrv_push(&c->summary, "要約その一");
	kstrv_push(&c->summary, "要約その二");
	kstrv_push(&c->key_lessons, "教訓その一");
	kstr_set(&c->sections[KSEC_BACKGROUND], "・背景の一行目\n# 見出しではない行");
	kstr_set(&c->sections[KSEC_CAUSE], "・原因 | 縦棒つき");
	kcase_add_event(c, 1, -2, "二日前", NULL, "不正ログイン | 判明\n後日");
	kcase_add_event(c, 0, 0, "2週目", "CSIRT", "復旧");
	kstr_set(&c->tags.event_class, "cyber_attack");
	kstrv_push(&c->tags.threats, "ransomware");
	kstrv_push(&c->tags.sectors, "electricity");
	kstr_set(&c->tlp, tlp);
}

static char *export(struct kcase *cs, size_t n, const char *publisher)
{
	const struct kexchange_format *f = kexchange_find("misp");
	struct kexchange_opts o = { publisher, NULL };
	struct kerr err = KERR_INIT;
	struct kbuf out = KBUF_INIT;
	void *st = NULL;

	assert_non_null(f);
	assert_int_equal(f->export_begin(&o, &st, &out, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(f->export_case(st, &cs[i], &out, &err), 0);
	assert_int_equal(f->export_end(st, &out, &err), 0);
	kbuf_addch(&out, 0);
	return out.buf;
}

static void test_deterministic(void **state)
{
	struct kcase cs[2];
	char *a, *b;
	json_t *j;

	(void)state;
	fill(&cs[0], "case-1", "clear");
	fill(&cs[1], "case-2", "green");
	a = export(cs, 2, NULL);
	b = export(cs, 2, NULL);
	assert_string_equal(a, b);
	j = json_loads(a, 0, NULL);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 2);
	{
		json_t *ev = json_object_get(json_array_get(j, 0), "Event");
		char u[37];

		kexchange_uuid5("8de321d5-b80e-4a3a-b9b7-67e93f9864ef", "case-1", u);
		assert_string_equal(json_string_value(json_object_get(ev, "uuid")), u);
		assert_string_equal(json_string_value(json_object_get(ev, "info")), "VPN 機器からの侵入 (二行目)");
		assert_string_equal(json_string_value(json_object_get(ev, "date")), "2024-01-01");
		assert_string_equal(json_string_value(json_object_get(ev, "threat_level_id")), "1");
		assert_string_equal(json_string_value(json_object_get(ev, "analysis")), "2");
		assert_true(json_is_true(json_object_get(ev, "published")));
		assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "Orgc"), "name")),
				    "架空の出版者");
		/* the crosswalk's misp tags after the TLP, each once */
		if (kxwalk_find("threat", "ransomware")) {
			json_t *tags = json_object_get(ev, "Tag"), *t;
			size_t i;
			int seen = 0, root = 0;

			json_array_foreach(tags, i, t) {
				const char *nm = json_string_value(json_object_get(t, "name"));

				seen += !strcmp(nm, "ecsirt:malicious-code=\"ransomware\"");
				root += !strcmp(nm, "nis2:nature-root-cause=\"malicious-actions\"");
			}
			assert_int_equal(seen, 1);
			assert_int_equal(root, 1);
		}
	}
	json_decref(j);
	free(a);
	free(b);
	/* no cases: an empty array */
	a = export(cs, 0, NULL);
	assert_string_equal(a, "[]\n");
	j = json_loads(a, 0, NULL);
	assert_true(json_is_array(j) && json_array_size(j) == 0);
	json_decref(j);
	free(a);
	kcase_free(&cs[0]);
	kcase_free(&cs[1]);
}

static void test_tlp(void **state)
{
	static const char *tlps[] = { "clear", "green", "amber", "amber+strict", "red" };
	static const char *dist[] = { "3", "1", "0", "0", "0" };

	(void)state;
	for (int k = 0; k < 5; k++) {
		struct kcase c;
		char *a, tag[32];
		json_t *j, *ev;

		fill(&c, "case-t", tlps[k]);
		if (k >= 3)
			kstrv_push(&c.recipients, "alice");
		a = export(&c, 1, NULL);
		j = json_loads(a, 0, NULL);
		ev = json_object_get(json_array_get(j, 0), "Event");
		assert_string_equal(json_string_value(json_object_get(ev, "distribution")), dist[k]);
		snprintf(tag, sizeof(tag), "tlp:%s", tlps[k]);
		assert_string_equal(
			json_string_value(json_object_get(json_array_get(json_object_get(ev, "Tag"), 0), "name")), tag);
		json_decref(j);
		free(a);
		kcase_free(&c);
	}
}

static const char *md_of(json_t *j, size_t i)
{
	json_t *attrs = json_object_get(json_object_get(json_array_get(j, i), "Event"), "Attribute"), *a;
	size_t k;

	json_array_foreach(attrs, k, a)
		if (!strcmp(json_string_value(json_object_get(a, "comment")), "kyokun-report/markdown"))
			return json_string_value(json_object_get(a, "value"));
	return NULL;
}

static void test_markdown(void **state)
{
	struct kcase c;
	char *a;
	json_t *j;
	const char *md;

	(void)state;
	fill(&c, "case-m", "clear");
	a = export(&c, 1, NULL);
	j = json_loads(a, 0, NULL);
	md = md_of(j, 0);
	assert_non_null(md);
	assert_non_null(strstr(md, "# VPN 機器からの侵入<br>(二行目)\n"));
	assert_non_null(strstr(md, "## 背景 ("));
	assert_non_null(strstr(md, "\n\\# 見出しではない行"));
	assert_non_null(strstr(md, "| -2 | 二日前 |  | 不正ログイン \\| 判明<br>後日 |\n"));
	assert_non_null(strstr(md, "|  | 2週目 | CSIRT | 復旧 |\n"));
	assert_non_null(strstr(md, "- 教訓その一\n"));
	json_decref(j);
	free(a);
	kcase_free(&c);
}

static void test_round_trip(void **state)
{
	struct kcase cs[2];
	struct kcase_list l = { 0 };
	struct kerr err = KERR_INIT;
	struct kbuf x = KBUF_INIT, y = KBUF_INIT;
	char *a;

	(void)state;
	fill(&cs[0], "case-r1", "clear");
	fill(&cs[1], "case-r2", "amber+strict");
	kstrv_push(&cs[1].recipients, "alice");
	a = export(cs, 2, "kyokun 編集");
	assert_int_equal(kexchange_find("misp")->import(a, strlen(a), &l, &err), 0);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < 2; i++) {
		kbuf_reset(&x);
		kbuf_reset(&y);
		kcase_dump(&cs[i], &x);
		kcase_dump(&l.v[i], &y);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.buf, y.buf, x.len);
	}
	kbuf_release(&x);
	kbuf_release(&y);
	kcase_list_free(&l);
	free(a);
	kcase_free(&cs[0]);
	kcase_free(&cs[1]);
}

static void test_foreign(void **state)
{
	static const char doc[] =
		"{\"response\":[{\"Event\":{\"uuid\":\"5E0F6A4B-0000-4000-8000-000000000001\",\"info\":\"Foreign event\","
		"\"date\":\"2021-06-30\",\"distribution\":\"1\",\"Orgc\":{\"uuid\":\"x\",\"name\":\"Some CERT\"},"
		"\"Tag\":[{\"name\":\"tlp:white\"},{\"name\":\"unknown:tag\"},"
		"{\"name\":\"ecsirt:malicious-code=\\\"ransomware\\\"\"},"
		"{\"name\":\"nis2:nature-root-cause=\\\"malicious-actions\\\"\"}],"
		"\"EventReport\":[{\"name\":\"r\",\"content\":\"intro text\\n\\n## 概要 (Overview)\\n\\n- one\\n- two\\n\\n"
		"## 原因\\n\\ncause line\\n\\\\# not a heading\\n\\n## Lessons learned\\n\\nlearned\\n\"}]}},"
		"{\"Event\":{\"uuid\":\"5e0f6a4b-0000-4000-8000-000000000002\",\"info\":\"Second\",\"distribution\":\"0\"}}]}";
	struct kcase_list l = { 0 };
	struct kerr err = KERR_INIT;
	struct kcase *c;

	(void)state;
	assert_int_equal(kexchange_find("misp")->import(doc, sizeof(doc) - 1, &l, &err), 0);
	assert_int_equal(l.n, 2);
	c = &l.v[0];
	assert_string_equal(c->id, "misp-5e0f6a4b-0000-4000-8000-000000000001");
	assert_string_equal(c->title, "Foreign event");
	assert_string_equal(c->tlp, "clear");
	assert_string_equal(c->source.publisher, "Some CERT");
	assert_int_equal(c->source.year, 2021);
	assert_int_equal(c->summary.n, 2);
	assert_string_equal(c->summary.v[1], "two");
	assert_string_equal(c->sections[KSEC_BACKGROUND], "intro text");
	assert_string_equal(c->sections[KSEC_CAUSE], "cause line\n# not a heading");
	assert_string_equal(c->sections[KSEC_LESSONS], "learned");
	assert_string_equal(l.v[1].tlp, "amber");
	if (kxwalk_find("threat", "ransomware")) {
		/* one threat; the root cause names many threats, so only the event class */
		assert_int_equal(c->tags.threats.n, 1);
		assert_string_equal(c->tags.threats.v[0], "ransomware");
		assert_string_equal(c->tags.event_class, "cyber_attack");
	}
	kcase_list_free(&l);
}

static void expect_bad(const char *doc, size_t len, int code, const char *msg)
{
	struct kcase_list l = { 0 };
	struct kerr err = KERR_INIT;
	struct kcase *keep;

	keep = kcase_list_add(&l);
	kstr_set(&keep->id, "kept");
	assert_int_equal(kexchange_find("misp")->import(doc, len, &l, &err), code);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
	assert_int_equal(l.n, 1); /* nothing added */
	kcase_list_free(&l);
}

#define BAD(doc, code, msg) expect_bad(doc, sizeof(doc) - 1, code, msg)

static void test_bad(void **state)
{
	(void)state;
	BAD("[{\"Event\":", KE_PARSE, "misp: line 1");
	BAD("{\"format\":\"kyokun-case/1\",\"cases\":[]}", KE_INVALID, "expected an event");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":\"ok\"}},{\"Event\":{\"info\":\"x\"}}]", KE_INVALID,
	    "events[1]: uuid: required");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":3}}]", KE_INVALID, "events[0] (a-1): info: expected a string");
	BAD("[{\"Event\":{\"uuid\":\"a-1\"}}]", KE_INVALID, "events[0] (a-1): info: required");
	BAD("[{\"Event\":{\"uuid\":\"a/1\",\"info\":\"x\"}}]", KE_INVALID, "events[0]: uuid: expected a UUID");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":\"x\",\"Tag\":[{\"name\":1}]}}]", KE_INVALID,
	    "events[0] (a-1): Tag[0].name: expected a string");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":\"x\",\"EventReport\":{}}}]", KE_INVALID,
	    "EventReport: expected an array");
	BAD("[{\"Object\":{}}]", KE_INVALID, "events[0]: Event: required");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":\"x\",\"Attribute\":[{\"comment\":\"kyokun-case/1\","
	    "\"value\":\"{\\\"id\\\":\\\"c\\\"}\"}]}}]",
	    KE_INVALID, "events[0] (a-1): ");
	BAD("[{\"Event\":{\"uuid\":\"a-1\",\"info\":\"x\",\"Attribute\":[{\"comment\":\"kyokun-case/1\","
	    "\"value\":\"not json\"}]}}]",
	    KE_PARSE, "Attribute[0].value: not a kyokun case");
	expect_bad("[]", KEXCHANGE_MISP_MAX_BYTES + 1, KE_TOOBIG, "more than");
}

static void test_sniff(void **state)
{
	const struct kexchange_format *f = kexchange_find("misp");

	(void)state;
	assert_true(f->sniff("  [ {\"Event\": {}}]", 18));
	assert_true(f->sniff("{\"Event\":{}}", 12));
	assert_true(f->sniff("{\"response\":[]}", 15));
	assert_true(f->sniff("{\"x\":1,\"Event\":{}}", 18));
	assert_false(f->sniff("{\"format\":\"kyokun-case/1\",\"cases\":[]}", 37));
	assert_false(f->sniff("[{\"id\":\"c\"}]", 12));
	assert_false(f->sniff("{\"type\":\"bundle\",\"objects\":[]}", 30));
	assert_false(f->sniff("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic), cmocka_unit_test(test_tlp),    cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_foreign), cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
