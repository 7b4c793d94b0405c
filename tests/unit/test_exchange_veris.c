/*
 * test_exchange_veris.c - VERIS out and in (exchange_veris.c): deterministic
 * bytes, the fields the schema requires, kyokun -> VERIS -> kyokun exactly,
 * VERIS 1.2.1 and 1.4 records written here, bad input of each kind, and
 * (when $SHARED has it) the 1,753 incidents of the 2013 VCDB.
 */
#include "testutil.h"
#include "case.h"
#include "case_json.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *case_text =
	"{\"id\":\"veris-test-1\",\"title\":\"VPN機器からの侵入によるランサムウェア感染\","
	"\"source\":{\"document\":\"examples.txt\",\"publisher\":\"kyokun\",\"year\":2024,\"case_number\":3},"
	"\"summary\":[\"VPN機器の脆弱性から侵入された。\",\"ファイルサーバが暗号化された。\"],"
	"\"key_lessons\":[\"公開機器の脆弱性を毎日確認する。\",\"オフラインのバックアップを持つ。\"],"
	"\"sections\":{\"background\":\"背景の文。\",\"cause\":\"原因の文。\"},"
	"\"tags\":{\"event_class\":\"cyber_attack\",\"threats\":[\"ransomware\",\"vulnerability\",\"phishing_mail\"],"
	"\"sectors\":[\"medical\"]},\"tlp\":\"green\",\"owner\":\"病院A\"}";

static void load_case(struct kcase *c, const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	struct kerr err = { 0 };

	assert_non_null(j);
	kcase_init(c);
	assert_int_equal(kcase_from_json(c, j, &err), 0);
	json_decref(j);
}

static void export_one(const struct kcase *c, struct kbuf *out)
{
	const struct kexchange_format *f = kexchange_find("veris");
	struct kerr err = { 0 };
	void *st = NULL;

	assert_non_null(f);
	assert_int_equal(f->export_begin(NULL, &st, out, &err), 0);
	assert_int_equal(f->export_case(st, c, out, &err), 0);
	assert_int_equal(f->export_end(st, out, &err), 0);
}

static void test_export_deterministic_and_complete(void **state)
{
	struct kcase c;
	struct kbuf a, b;
	json_t *doc, *inc;
	json_error_t je;

	(void)state;
	load_case(&c, case_text);
	kbuf_init(&a, 0);
	kbuf_init(&b, 0);
	export_one(&c, &a);
	export_one(&c, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(kbuf_str(&a), kbuf_str(&b), a.len);
	doc = json_loadb(kbuf_str(&a), a.len, 0, &je);
	assert_non_null(doc);
	assert_true(json_is_array(doc));
	assert_int_equal(json_array_size(doc), 1);
	inc = json_array_get(doc, 0);
	/* required by the 1.4.1 schema, and what the case supports */
	assert_string_equal(json_string_value(json_object_get(inc, "schema_version")), "1.4.1");
	assert_string_equal(json_string_value(json_object_get(inc, "security_incident")), "Confirmed");
	assert_true(json_is_true(json_object_get(json_object_get(inc, "discovery_method"), "unknown")));
	assert_int_equal(strlen(json_string_value(json_object_get(inc, "incident_id"))), 36);
	assert_null(strpbrk(json_string_value(json_object_get(inc, "incident_id")), "abcdef"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(inc, "timeline"), "incident"), "year")), 2024);
	assert_non_null(strstr(json_string_value(json_object_get(inc, "summary")), "暗号化"));
	assert_non_null(strstr(json_string_value(json_object_get(inc, "corrective_action")), "バックアップ"));
	assert_string_equal(json_string_value(json_object_get(inc, "reference")), "examples.txt");
	assert_non_null(json_object_get(json_object_get(inc, "action"), "malware"));
	assert_non_null(json_object_get(json_object_get(json_object_get(inc, "action"), "malware"), "vector"));
	assert_non_null(json_object_get(json_object_get(json_object_get(inc, "action"), "social"), "target"));
	assert_non_null(json_object_get(json_object_get(inc, "actor"), "unknown"));
	assert_non_null(json_object_get(json_object_get(inc, "asset"), "assets"));
	assert_non_null(json_object_get(json_object_get(inc, "asset"), "cloud"));
	assert_true(json_object_size(json_object_get(inc, "attribute")) > 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(inc, "victim"), "country"), 0)), "JP");
	assert_int_equal(strncmp(json_string_value(json_object_get(json_object_get(inc, "victim"), "industry")), "62", 2), 0);
	assert_true(json_is_object(json_object_get(json_object_get(inc, "plus"), "kyokun")));
	json_decref(doc);
	kbuf_release(&a);
	kbuf_release(&b);
	kcase_free(&c);
}

static void test_round_trip(void **state)
{
	const struct kexchange_format *f = kexchange_find("veris");
	struct kcase c;
	struct kcase_list l = { 0 };
	struct kbuf a, b, out;
	struct kerr err = { 0 };

	(void)state;
	load_case(&c, case_text);
	kbuf_init(&out, 0);
	kbuf_init(&a, 0);
	kbuf_init(&b, 0);
	export_one(&c, &out);
	assert_true(f->sniff(kbuf_str(&out), out.len));
	assert_int_equal(f->import(kbuf_str(&out), out.len, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(kcase_dump(&c, &a), 0);
	assert_int_equal(kcase_dump(&l.v[0], &b), 0);
	assert_string_equal(kbuf_str(&a), kbuf_str(&b));
	kcase_list_free(&l);
	kbuf_release(&a);
	kbuf_release(&b);
	kbuf_release(&out);
	kcase_free(&c);
}

/* A 1.2.1 record as the 2013 VCDB writes them (written for this test) and a 1.4 one, as JSON Lines. */
static const char *foreign =
	"{\"schema_version\":\"1.2.1\",\"incident_id\":\"0A1B2C3D-0000-4000-8000-00000000AAAA\",\"source_id\":\"vcdb\","
	"\"security_incident\":\"Confirmed\",\"discovery_method\":\"Ext - customer\","
	"\"summary\":\"A clinic's file server was encrypted by ransomware. Patients were told later.\","
	"\"action\":{\"malware\":{\"variety\":[\"Ransomware\"],\"vector\":[\"Email attachment\"]}},"
	"\"actor\":{\"external\":{\"variety\":[\"Organized crime\"],\"motive\":[\"Financial\"]}},"
	"\"asset\":{\"assets\":[{\"variety\":\"S - File\"}]},"
	"\"attribute\":{\"availability\":{\"variety\":[\"Obscuration\"]}},"
	"\"timeline\":{\"incident\":{\"year\":2012},\"containment\":{\"unit\":\"Days\",\"value\":3}},"
	"\"victim\":{\"industry\":\"621111\",\"country\":\"US\",\"employee_count\":\"11 to 100\"}}\n"
	"{\"schema_version\":\"1.4.0\",\"incident_id\":\"b7e3c1aa-1111-4222-8333-444455556666\",\"source_id\":\"vcdb\","
	"\"security_incident\":\"Confirmed\",\"discovery_method\":{\"internal\":{\"variety\":[\"Log review\"]}},"
	"\"action\":{\"error\":{\"variety\":[\"Misconfiguration\"],\"vector\":[\"Carelessness\"]}},"
	"\"actor\":{\"internal\":{\"variety\":[\"System admin\"],\"motive\":[\"NA\"]}},"
	"\"asset\":{\"assets\":[{\"variety\":\"S - Database\"}],\"cloud\":[\"Unknown\"]},"
	"\"attribute\":{\"confidentiality\":{\"data_disclosure\":\"Yes\"}},"
	"\"timeline\":{\"incident\":{\"year\":2021}},"
	"\"victim\":{\"industry\":\"2211\",\"country\":[\"JP\"],\"employee_count\":\"Large\",\"government\":[\"NA\"]}}\n";

static void test_import_121_and_14(void **state)
{
	const struct kexchange_format *f = kexchange_find("veris");
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };
	struct kcase *a, *b;

	(void)state;
	assert_true(f->sniff(foreign, strlen(foreign)));
	assert_int_equal(f->import(foreign, strlen(foreign), &l, &err), 0);
	assert_int_equal(l.n, 2);
	a = &l.v[0];
	b = &l.v[1];
	assert_string_equal(a->id, "veris-0a1b2c3d-0000-4000-8000-00000000aaaa");
	assert_string_equal(a->title, "A clinic's file server was encrypted by ransomware.");
	assert_string_equal(a->tags.event_class, "cyber_attack");
	assert_true(kstrv_contains(&a->tags.threats, "ransomware"));
	assert_true(kstrv_contains(&a->tags.threats, "malware"));
	assert_true(kstrv_contains(&a->tags.sectors, "medical"));
	assert_int_equal(a->source.year, 2012);
	assert_string_equal(a->source.document, "VCDB");
	assert_string_equal(a->tlp, "clear");
	assert_non_null(strstr(a->sections[KSEC_DETECTION], "Ext - customer"));
	assert_non_null(strstr(a->sections[KSEC_RESPONSE], "containment"));
	assert_non_null(strstr(a->sections[KSEC_CAUSE], "Ransomware"));
	assert_non_null(strstr(a->attributes.organization, "11 to 100"));
	assert_non_null(json_object_get(a->extra, "veris"));
	assert_string_equal(b->title, "VERIS incident b7e3c1aa-1111-4222-8333-444455556666");
	assert_string_equal(b->tags.event_class, "system_failure");
	assert_true(kstrv_contains(&b->tags.threats, "misconfiguration"));
	assert_true(kstrv_contains(&b->tags.threats, "data_leak"));
	assert_true(kstrv_contains(&b->tags.sectors, "electricity"));
	assert_non_null(strstr(b->sections[KSEC_DETECTION], "Log review"));
	assert_non_null(strstr(b->attributes.organization, "JP"));
	kcase_list_free(&l);
}

static void expect_bad(const char *in, int code, const char *part)
{
	const struct kexchange_format *f = kexchange_find("veris");
	struct kcase_list l = { 0 };
	struct kerr err = { 0 };
	int rc = f->import(in, strlen(in), &l, &err);

	if (rc != code || !strstr(err.msg, part))
		fail_msg("input %.60s: got %d \"%s\", expected %d with \"%s\"", in, rc, err.msg, code, part);
	assert_int_equal(l.n, 0);
	kcase_list_free(&l);
}

static void test_bad_input(void **state)
{
	char *big;

	(void)state;
	expect_bad("{\"schema_version\":\"1.4.1\",\"incident_id\":", KE_PARSE, "line 1");
	expect_bad("{\"schema_version\":\"1.2.1\",\"incident_id\":\"A\"}\n{oops}\n", KE_PARSE, "line 2");
	expect_bad("[{\"schema_version\":\"1.4.1\",\"incident_id\":\"A\"},{\"schema_version\":\"1.4.1\"}]", KE_INVALID,
		   "[1]: incident_id: required");
	expect_bad("{\"schema_version\":\"1.4.1\",\"incident_id\":7}", KE_INVALID, "incident_id: expected");
	expect_bad("{\"incident_id\":\"X1\",\"timeline\":{\"incident\":{\"year\":\"2012\"}}}", KE_INVALID,
		   "(incident X1): timeline.incident.year: expected an integer");
	expect_bad("{\"incident_id\":\"X2\",\"summary\":[1]}", KE_INVALID, "summary: expected a string");
	expect_bad("{\"incident_id\":\"X3\",\"action\":\"hacking\"}", KE_INVALID, "action: expected an object");
	expect_bad("{\"incident_id\":\"X4\",\"victim\":{\"industry\":52}}", KE_INVALID, "victim.industry");
	expect_bad("{\"incident_id\":\"bad id\"}", KE_INVALID, "id");
	expect_bad("{\"incident_id\":\"X5\",\"plus\":{\"kyokun\":{\"id\":\"x\"}}}", KE_INVALID, "plus.kyokun");
	expect_bad("[1]", KE_INVALID, "[0]: expected a VERIS incident");
	expect_bad("[]", KE_INVALID, "no incidents");
	expect_bad("\"\xff\"", KE_PARSE, "UTF-8");
	/* a big document: the good records before the bad last one are not kept */
	big = malloc(200000 * 64);
	assert_non_null(big);
	{
		size_t n = 0;

		for (int i = 0; i < 200000; i++)
			n += (size_t)sprintf(big + n, "{\"schema_version\":\"1.2.1\",\"incident_id\":\"I%d\"}\n", i);
		sprintf(big + n, "{\"schema_version\":\"1.2.1\"}\n");
	}
	expect_bad(big, KE_INVALID, "line 200001: incident_id: required");
	free(big);
	/* sniffing */
	assert_false(kexchange_find("veris")->sniff("{\"format\":\"kyokun-case/1\",\"cases\":[]}", 36));
	assert_true(kexchange_find("veris")->sniff("[{\"action\":{},\"schema_version\":\"1.2.1\"}]", 41));
	/* a kyokun case that keeps an imported incident is kyokun's, not VERIS */
	{
		const char *k = "{\"id\":\"veris-a\",\"title\":\"t \\\" x\",\"veris\":{\"schema_version\":\"1.2.1\","
				"\"incident_id\":\"A\"}}\n";

		assert_false(kexchange_find("veris")->sniff(k, strlen(k)));
		k = "{\"summary\":\"a \\\"quoted\\\" {x}\",\"schema_version\":\"1.2.1\",\"incident_id\":\"A\"}";
		assert_true(kexchange_find("veris")->sniff(k, strlen(k)));
	}
}

/* The 2013 VCDB, decompressed, when $SHARED has it. */
static void test_vcdb(void **state)
{
	const char *shared = getenv("SHARED");
	char cmd[1024];
	FILE *p;
	struct kbuf in;
	struct kerr err = { 0 };
	struct kcase_list l = { 0 };
	size_t ransom = 0;

	(void)state;
	snprintf(cmd, sizeof cmd, "gzip -dc '%s/data/vcdb/vcdb-2013.jsonl.gz' 2>/dev/null",
		 shared ? shared : "/work/shared");
	kbuf_init(&in, 0);
	p = popen(cmd, "r");
	if (!p || kbuf_read_fp(&in, p, &err) < 0 || pclose(p) != 0 || !in.len) {
		kbuf_release(&in);
		skip();
	}
	assert_true(kexchange_find("veris")->sniff(kbuf_str(&in), in.len));
	if (kexchange_find("veris")->import(kbuf_str(&in), in.len, &l, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 1753);
	for (size_t i = 0; i < l.n; i++)
		ransom += kstrv_contains(&l.v[i].tags.threats, "unauthorized_access");
	assert_true(ransom > 100);
	kcase_list_free(&l);
	kbuf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_deterministic_and_complete),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_import_121_and_14),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_vcdb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
