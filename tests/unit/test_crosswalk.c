/*
 * test_crosswalk.c - unit tests of the crosswalk (crosswalk.c): the
 * built-in data/crosswalk.tsv covers every code of kyokun's vocabularies
 * (event classes, threats, 事象の類型, 原因の類型, sectors), lookups both
 * ways, a file loaded instead, and bad files refused with FILE:LINE.  With
 * the shared schemas present ($SHARED, default ../shared): every veris
 * value exists in the VERIS enumerations (victim.industry matches its NAICS
 * pattern) and every nis2 machine tag exists in MISP's nis2 taxonomy;
 * without them those tests say so and pass.
 */
#include "testutil.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "crosswalk.h"
#include "kerr.h"
#include "report.h"

static const char *const threats[] = {
	"ddos", "ransomware", "brute_force", "phishing_mail", "support_scam", "unauthorized_access",
	"vulnerability", "misconfiguration", "hardware_failure", "software_failure", "third_party",
	"malware", "phishing_site", "tampering", "data_leak", "insider", NULL,
};

static void test_covers_vocabularies(void **state)
{
	const char *classes[] = { "cyber_attack", "system_failure", "other", NULL };

	for (int i = 0; classes[i]; i++)
		assert_non_null(kxwalk_find("event_class", classes[i]));
	for (int i = 0; threats[i]; i++) {
		if (!kxwalk_find("threat", threats[i]))
			fail_msg("threat %s is not in the crosswalk", threats[i]);
	}
	for (int i = 0; i < KEVT_N; i++) {
		const struct kxwalk_entry *e = kxwalk_find("event_type", kevent_type_code(i));
		assert_non_null(e);
		assert_string_equal(e->ja, kevent_type_label_ja(i));
	}
	for (int i = 0; i < KCAUSE_N; i++) {
		const struct kxwalk_entry *e = kxwalk_find("cause_type", kcause_type_code(i));
		assert_non_null(e);
		assert_string_equal(e->ja, kcause_type_label_ja(i));
	}
	for (int i = 0; i < KSECTOR_N; i++) {
		const struct kxwalk_entry *e = kxwalk_find("sector", ksector_tags[i]);
		if (!e)
			fail_msg("sector %s is not in the crosswalk", ksector_tags[i]);
		assert_string_equal(e->ja, ksector_label_ja(ksector_tags[i]));
		assert_true(e->nveris >= 1 && e->nstix >= 1 && e->nmisp >= 1);
	}
	assert_null(kxwalk_find("threat", "no_such"));
	assert_null(kxwalk_find("nothing", "ddos"));
}

static void test_find_values(void **state)
{
	const struct kxwalk_entry *e = kxwalk_find("threat", "ransomware");
	size_t n;

	assert_non_null(e);
	assert_int_equal(e->nveris, 1);
	assert_string_equal(e->veris[0], "action.malware.variety=Ransomware");
	assert_string_equal(e->stix[0], "ransomware");
	e = kxwalk_find("sector", "electricity");
	assert_string_equal(e->veris[0], "victim.industry=2211");
	assert_string_equal(e->stix[0], "energy");
	e = kxwalk_find("event_class", "other");
	assert_int_equal(e->nveris + e->nstix + e->nmisp, 0); /* "-" is none */
	assert_non_null(kxwalk_all(&n));
	assert_true(n >= 3 + 16 + KEVT_N + KCAUSE_N + KSECTOR_N);
}

static void count_cb(void *ctx, const struct kxwalk_entry *e)
{
	(*(int *)ctx)++;
	assert_non_null(e->code);
}

static void test_reverse(void **state)
{
	int seen = 0;

	assert_int_equal(kxwalk_reverse("veris", "action.malware.variety=Ransomware", count_cb, &seen), 1);
	assert_int_equal(seen, 1);
	seen = 0;
	/* several sectors are transportation in STIX */
	assert_true(kxwalk_reverse("stix", "transportation", count_cb, &seen) >= 4);
	assert_int_equal(kxwalk_reverse("misp", "nis2:impact-sectors-impacted=\"health\"", NULL, NULL), 1);
	assert_int_equal(kxwalk_reverse("veris", "no=such", NULL, NULL), 0);
	assert_int_equal(kxwalk_reverse("other", "energy", NULL, NULL), 0);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/kyokun-xwalk-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void expect_refused(const char *text, const char *want)
{
	struct kerr err = KERR_INIT;
	char *path = write_tmp(text);

	assert_int_equal(kxwalk_load(path, &err), KE_PARSE);
	if (!strstr(err.msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
	unlink(path);
	/* the table in use is unchanged */
	assert_non_null(kxwalk_find("threat", "ddos"));
}

static void test_bad_files(void **state)
{
	struct kerr err = KERR_INIT;

	expect_refused("# nothing\n", "no header");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\n", "no column \"misp\"");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\tx\tエックス\tx\t-\t-\n", ":2: 6 columns");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\n# c\nthing\tx\tエックス\tx\t-\t-\t-\n",
		       ":3: vocabulary");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\tx\tエ\tx\tnoequals\t-\t-\n",
		       "veris: \"noequals\" is not PATH=VALUE");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\tx\tエ\tx\t-\t-\t-\n"
		       "threat\tx\tエ\tx\t-\t-\t-\n", ":3: code: threat \"x\" is already there");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\tx\tエ\tx\t-\ta |  | b\t-\n",
		       "stix: an empty value");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\t\tエ\tx\t-\t-\t-\n", "code: required");
	expect_refused("vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nthreat\tx\t\xff\tx\t-\t-\t-\n", "not UTF-8");
	assert_int_equal(kxwalk_load("/nonexistent/crosswalk.tsv", &err), KE_IO);
}

/* Last: replaces the table in use for the rest of the process. */
static void test_load(void **state)
{
	struct kerr err = KERR_INIT;
	const struct kxwalk_entry *e;
	char *path = write_tmp("# mine\r\nvocabulary\tcode\tja\ten\tmisp\tveris\tstix\r\n"
			       "threat\tddos\tDDoS\tDDoS\tx:y=\"z\"\taction.hacking.variety=DoS | a=b\t-\r\n");
	size_t n;

	assert_int_equal(kxwalk_load(path, &err), 0);
	unlink(path);
	e = kxwalk_find("threat", "ddos");
	assert_non_null(e);
	assert_int_equal(e->nveris, 2);
	assert_string_equal(e->veris[1], "a=b");
	assert_int_equal(e->nmisp, 1);
	assert_string_equal(e->misp[0], "x:y=\"z\"");
	assert_int_equal(e->nstix, 0);
	assert_null(kxwalk_find("threat", "ransomware"));
	kxwalk_all(&n);
	assert_int_equal(n, 1);
}

/* ---- against the shared schemas -------------------------------------------------- */

static json_t *shared_json(const char *rel)
{
	const char *root = getenv("SHARED");
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root && *root ? root : "../shared", rel);
	return json_load_file(path, 0, NULL);
}

/* The schema node of a dotted path (properties, then items of arrays). */
static json_t *schema_at(json_t *s, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && s; k = strtok_r(NULL, ".", &save)) {
		s = json_object_get(json_object_get(s, "properties"), k);
		while (s && json_object_get(s, "items"))
			s = json_object_get(s, "items");
	}
	return s;
}

static void test_veris_values_exist(void **state)
{
	json_t *schema = shared_json("data/vcdb/verisc-merged.json");
	size_t n, checked = 0;
	const struct kxwalk_entry *all = kxwalk_all(&n);

	if (!schema) {
		printf("# skip: no verisc-merged.json under $SHARED (../shared)\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < all[i].nveris; j++) {
			char path[256];
			const char *v = all[i].veris[j], *eq = strchr(v, '=');
			json_t *node, *en, *x;
			size_t k;
			int found = 0;

			snprintf(path, sizeof(path), "%.*s", (int)(eq - v), v);
			node = schema_at(schema, path);
			if (!node)
				fail_msg("%s %s: veris path %s is not in the VERIS schema", all[i].vocab, all[i].code, path);
			en = json_object_get(node, "enum");
			if (en) {
				json_array_foreach(en, k, x)
					if (json_is_string(x) && !strcmp(json_string_value(x), eq + 1))
						found = 1;
			} else if (json_is_string(json_object_get(node, "pattern"))) {
				char re[512], *o = re;
				regex_t rx;

				*o++ = '^';
				for (const char *p = json_string_value(json_object_get(node, "pattern"));
				     *p && o < re + sizeof(re) - 8; p++)
					if (p[0] == '\\' && p[1] == 'd') {
						o += sprintf(o, "[0-9]");
						p++;
					} else {
						*o++ = *p;
					}
				*o++ = '$';
				*o = '\0';
				assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
				found = regexec(&rx, eq + 1, 0, NULL, 0) == 0 &&
					(json_int_t)strlen(eq + 1) <= json_integer_value(json_object_get(node, "maxLength"));
				regfree(&rx);
			}
			if (!found)
				fail_msg("%s %s: veris %s: \"%s\" is not a value of the VERIS schema", all[i].vocab,
					 all[i].code, path, eq + 1);
			checked++;
		}
	assert_true(checked > 40);
	json_decref(schema);
}

static void test_nis2_tags_exist(void **state)
{
	json_t *tax = shared_json("spec/exchange/misp/taxonomies/nis2/machinetag.json");
	size_t n, checked = 0;
	const struct kxwalk_entry *all = kxwalk_all(&n);

	if (!tax) {
		printf("# skip: no MISP nis2 taxonomy under $SHARED (../shared)\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < all[i].nmisp; j++) {
			const char *t = all[i].misp[j];
			char pred[128], val[128];
			json_t *v, *e;
			size_t a, b;
			int found = 0;

			if (strncmp(t, "nis2:", 5))
				continue;
			if (sscanf(t, "nis2:%127[^=]=\"%127[^\"]\"", pred, val) != 2)
				fail_msg("%s %s: \"%s\" is not nis2:PREDICATE=\"VALUE\"", all[i].vocab, all[i].code, t);
			json_array_foreach(json_object_get(tax, "values"), a, v)
				if (!strcmp(json_string_value(json_object_get(v, "predicate")), pred))
					json_array_foreach(json_object_get(v, "entry"), b, e)
						if (!strcmp(json_string_value(json_object_get(e, "value")), val))
							found = 1;
			if (!found)
				fail_msg("%s %s: %s is not in the nis2 taxonomy", all[i].vocab, all[i].code, t);
			checked++;
		}
	assert_true(checked > 20);
	json_decref(tax);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_covers_vocabularies),
		cmocka_unit_test(test_find_values),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_veris_values_exist),
		cmocka_unit_test(test_nis2_tags_exist),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
