/*
 * test_theme.c - unit tests of the 総括 (theme.h): the fixture cases of
 * tests/fixtures/themes/cases.json (our own text, written so that lessons
 * about emergency contacts, offline backups, contractors, drills and logs
 * belong together, and two lessons belong nowhere) are grouped as written;
 * 共通 / 固有 by organisation; stable keys; edits (rename, merge, move,
 * a split into a new theme) reapplied after another case is added; stale
 * edits skipped; lessons split from bullets, numbers and paragraphs; bad
 * input.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "theme.h"

#define FIXTURE "tests/fixtures/themes/cases.json"

static struct kcase_list cases;

static int setup(void **state)
{
	struct kcase_reader *r = NULL;
	struct kerr err = KERR_INIT;
	int rc;

	(void)state;
	if (kcase_reader_open(&r, FIXTURE, &err) < 0)
		return -1;
	for (;;) {
		struct kcase *c = kcase_list_add(&cases);
		if (!c)
			return -1;
		rc = kcase_reader_next(r, c, &err);
		if (rc <= 0) {
			kcase_free(c);
			cases.n--;
			break;
		}
	}
	kcase_reader_close(r);
	return rc < 0 || cases.n != 8 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	kcase_list_free(&cases);
	return 0;
}

/* Where is the lesson whose text starts with prefix: its theme (index), and the lesson. */
static const struct ktheme *theme_of(const struct ktheme_list *tl, const char *prefix,
				     const struct ktheme_lesson **lesson)
{
	for (size_t i = 0; i < tl->n; i++)
		for (size_t j = 0; j < tl->v[i].n; j++)
			if (!strncmp(tl->v[i].lessons[j].text, prefix, strlen(prefix))) {
				if (lesson)
					*lesson = &tl->v[i].lessons[j];
				return &tl->v[i];
			}
	fail_msg("no lesson starts with %s", prefix);
	return NULL;
}

static const struct ktheme *by_key(const struct ktheme_list *tl, const char *key)
{
	for (size_t i = 0; i < tl->n; i++)
		if (!strcmp(tl->v[i].key, key))
			return &tl->v[i];
	return NULL;
}

/* The groups as we wrote them: the start of each lesson. */
static const char *const contact[] = { "緊急連絡先の一覧が古く", "休日に障害が起きた際", "夜間・休日でも連絡がつく",
				       "連絡先一覧の電話番号", "緊急連絡先の一覧を紙でも", NULL };
static const char *const backup[] = { "バックアップがネットワーク上", "オフラインで保管していた",
				      "バックアップからの復元手順", "バックアップデータを別の拠点",
				      "バックアップ媒体をネットワーク", NULL };
static const char *const contractor[] = { "保守委託先が使う", "委託先に対するセキュリティ要件", "再委託先で発生した",
					  "委託先の作業者アカウント", "委託先が管理するサーバ", NULL };
static const char *const drill[] = { "障害対応の訓練を年一回", "机上演習で", "実際の障害を想定した訓練",
				     "演習のシナリオに", NULL };
static const char *const logs[] = { "ログの保存期間が短く", "ファイアウォールのログ", "アクセスログを外部", NULL };
static const char *const *const groups[] = { contact, backup, contractor, drill, logs };

static void compute(const struct kcase *v, size_t n, const char *edits, struct ktheme_list *tl)
{
	struct kerr err = KERR_INIT;
	int rc = ktheme_compute(v, n, edits, tl, &err);
	if (rc)
		fail_msg("ktheme_compute: %d %s", rc, err.msg);
}

static void test_groups_as_written(void **state)
{
	struct ktheme_list tl;
	const struct ktheme *seen[5];

	(void)state;
	compute(cases.v, cases.n, NULL, &tl);
	size_t total = 0;
	for (size_t i = 0; i < tl.n; i++)
		total += tl.v[i].n;
	assert_int_equal(total, 24); /* th-gas's key lesson repeats a bullet: not counted twice */
	for (size_t g = 0; g < 5; g++) {
		const struct ktheme *t = theme_of(&tl, groups[g][0], NULL);
		size_t k = 0;
		assert_false(t->other);
		for (; groups[g][k]; k++)
			if (theme_of(&tl, groups[g][k], NULL) != t)
				fail_msg("%s is not with %s (in %s, not %s)", groups[g][k], groups[g][0],
					 theme_of(&tl, groups[g][k], NULL)->name, t->name);
		assert_int_equal(t->n, k); /* nothing else in it */
		for (size_t h = 0; h < g; h++)
			assert_ptr_not_equal(seen[h], t);
		seen[g] = t;
	}
	/* the two lessons like no other, under その他, last */
	const struct ktheme *o = theme_of(&tl, "報道発表の時期", NULL);
	assert_true(o->other);
	assert_ptr_equal(theme_of(&tl, "サーバ室の入退室", NULL), o);
	assert_ptr_equal(o, &tl.v[tl.n - 1]);
	assert_string_equal(o->key, KTHEME_OTHER_KEY);
	/* largest first */
	for (size_t i = 1; i + 1 < tl.n; i++)
		assert_true(tl.v[i - 1].n >= tl.v[i].n);
	/* named from the vocabulary when the words are there */
	assert_string_equal(theme_of(&tl, backup[0], NULL)->key, "backup");
	assert_string_equal(theme_of(&tl, contact[0], NULL)->name, "緊急連絡体制");
	assert_non_null(theme_of(&tl, contact[0], NULL)->name_en);
	ktheme_list_free(&tl);
}

static void test_shared_or_specific(void **state)
{
	struct ktheme_list tl;
	const struct ktheme_lesson *l;

	(void)state;
	compute(cases.v, cases.n, NULL, &tl);
	for (size_t g = 0; g < 4; g++)
		for (size_t k = 0; groups[g][k]; k++) {
			theme_of(&tl, groups[g][k], &l);
			if (!l->shared)
				fail_msg("%s: expected 共通", groups[g][k]);
		}
	/* the log lessons come from two cases of one organisation (架空電力): 固有 */
	for (size_t k = 0; logs[k]; k++) {
		theme_of(&tl, logs[k], &l);
		assert_false(l->shared);
	}
	theme_of(&tl, "報道発表の時期", &l);
	assert_false(l->shared);
	/* references: th-rail's third lesson */
	assert_string_equal(cases.v[l->case_index].id, "th-rail");
	assert_int_equal(l->item, 3);
	ktheme_list_free(&tl);
}

static void test_stable_keys(void **state)
{
	struct ktheme_list a, b, c;
	struct kcase rev[8];

	(void)state;
	compute(cases.v, cases.n, NULL, &a);
	compute(cases.v, cases.n, NULL, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i].key, b.v[i].key);
		assert_string_equal(a.v[i].name, b.v[i].name);
	}
	/* the same cases in another order: the same themes under the same keys */
	for (size_t i = 0; i < 8; i++)
		rev[i] = cases.v[7 - i];
	compute(rev, 8, NULL, &c);
	for (size_t g = 0; g < 5; g++)
		assert_string_equal(theme_of(&a, groups[g][0], NULL)->key, theme_of(&c, groups[g][0], NULL)->key);
	ktheme_list_free(&a);
	ktheme_list_free(&b);
	ktheme_list_free(&c);
}

static void test_edits_reapplied(void **state)
{
	struct ktheme_list tl;
	struct kbuf edits = KBUF_INIT;
	struct kcase_list more = { 0 };
	char kc[64], kd[64];

	(void)state;
	compute(cases.v, cases.n, NULL, &tl);
	snprintf(kc, sizeof(kc), "%s", theme_of(&tl, contact[0], NULL)->key);
	snprintf(kd, sizeof(kd), "%s", theme_of(&tl, drill[0], NULL)->key);
	assert_int_equal(kbuf_addf(&edits,
				   "{\"edits\":["
				   "{\"op\":\"rename\",\"theme\":\"%s\",\"name\":\"夜間・休日の連絡体制\",\"by\":\"ana\"},"
				   "{\"op\":\"move\",\"lesson\":\"th-gas#1\",\"to\":\"%s\"},"
				   "{\"op\":\"merge\",\"theme\":\"backup\",\"with\":\"%s\"},"
				   "{\"op\":\"move\",\"lesson\":\"th-rail#3\",\"to\":\"u-1\",\"name\":\"広報\"},"
				   "{\"op\":\"move\",\"lesson\":\"th-hospital#3\",\"to\":\"u-1\"}"
				   "]}",
				   kc, kd, kd), 0);
	ktheme_list_free(&tl);

	/* the fixture and one case more: a new year's lesson about backups */
	for (size_t i = 0; i < cases.n; i++) {
		struct kcase *c = kcase_list_add(&more);
		assert_non_null(c);
		*c = cases.v[i]; /* borrowed: not freed below */
	}
	struct kcase *x = kcase_list_add(&more);
	assert_non_null(x);
	assert_int_equal(kstr_set(&x->id, "th-zz-extra"), 0);
	assert_int_equal(kstr_set(&x->title, "追加の事例"), 0);
	assert_int_equal(kstr_set(&x->sections[KSEC_LESSONS],
				  "・バックアップをオフラインで保管し、復元の手順を年に一度試す。"), 0);

	for (int round = 0; round < 2; round++) {
		size_t n = round ? more.n : cases.n;
		compute(more.v, n, kbuf_str(&edits), &tl);
		const struct ktheme *t = by_key(&tl, kc);
		assert_non_null(t);
		assert_string_equal(t->name, "夜間・休日の連絡体制");
		assert_true(t->edited);
		assert_null(t->name_en);
		/* th-gas#1 (a contact lesson) moved into the drills, which merged into backups */
		assert_null(by_key(&tl, kd));
		const struct ktheme *b = by_key(&tl, "backup");
		assert_non_null(b);
		assert_ptr_equal(theme_of(&tl, contact[0], NULL), b);
		for (size_t k = 0; drill[k]; k++)
			assert_ptr_equal(theme_of(&tl, drill[k], NULL), b);
		for (size_t k = 0; backup[k]; k++)
			assert_ptr_equal(theme_of(&tl, backup[k], NULL), b);
		if (round)
			assert_ptr_equal(theme_of(&tl, "バックアップをオフラインで保管し", NULL), b);
		/* the split: a new theme of the two lessons that were under その他 */
		const struct ktheme *u = by_key(&tl, "u-1");
		assert_non_null(u);
		assert_string_equal(u->name, "広報");
		assert_int_equal(u->n, 2);
		assert_null(by_key(&tl, KTHEME_OTHER_KEY));
		for (size_t q = 0; q < tl.notes.n; q++)
			print_message("note: %s\n", tl.notes.v[q]);
		assert_int_equal(tl.notes.n, 0);
		ktheme_list_free(&tl);
	}
	free(more.v[more.n - 1].id);
	free(more.v[more.n - 1].title);
	free(more.v[more.n - 1].sections[KSEC_LESSONS]);
	free(more.v);
	kbuf_release(&edits);
}

static void test_stale_edits_skipped(void **state)
{
	struct ktheme_list tl;
	const char *edits = "[{\"op\":\"rename\",\"theme\":\"t-deadbeef\",\"name\":\"x\"},"
			    "{\"op\":\"merge\",\"theme\":\"backup\",\"with\":\"t-gone\"},"
			    "{\"op\":\"move\",\"lesson\":\"th-nosuch#1\",\"to\":\"backup\"},"
			    "{\"op\":\"move\",\"lesson\":\"th-rail#1\",\"to\":\"t-gone\"},"
			    "{\"op\":\"merge\",\"theme\":\"backup\",\"with\":\"exercise\"},"
			    "{\"op\":\"move\",\"lesson\":\"th-rail#1\",\"to\":\"exercise\"},"
			    "{\"op\":\"rename\",\"theme\":\"exercise\",\"name\":\"x\"},"
			    "{\"op\":\"rename\",\"theme\":\"backup\",\"name\":\"オフラインバックアップ\"}]";

	(void)state;
	compute(cases.v, cases.n, edits, &tl);
	assert_int_equal(tl.notes.n, 6);
	assert_non_null(strstr(tl.notes.v[0], "t-deadbeef"));
	assert_non_null(strstr(tl.notes.v[0], "skipped"));
	assert_string_equal(by_key(&tl, "backup")->name, "オフラインバックアップ");
	ktheme_list_free(&tl);
}

static void test_malformed_edits(void **state)
{
	static const char *const bad[] = {
		"{", "42", "{\"edits\": 3}", "[1]", "[{\"op\":\"paint\"}]", "[{\"op\":\"rename\",\"theme\":\"x\"}]",
		"[{\"op\":\"merge\",\"theme\":\"x\"}]", "[{\"op\":\"move\",\"lesson\":\"nohash\",\"to\":\"x\"}]", NULL,
	};
	struct ktheme_list tl;
	struct kerr err = KERR_INIT;

	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		kerr_clear(&err);
		assert_int_equal(ktheme_compute(cases.v, cases.n, bad[i], &tl, &err), KE_PARSE);
		assert_non_null(strstr(err.msg, "edits"));
		assert_int_equal(tl.n, 0);
	}
}

static void test_no_lessons(void **state)
{
	struct ktheme_list tl;
	struct kcase c;

	(void)state;
	kcase_init(&c);
	assert_int_equal(kstr_set(&c.id, "x"), 0);
	assert_int_equal(kstr_set(&c.sections[KSEC_LESSONS], "  \n\n"), 0);
	compute(&c, 1, NULL, &tl);
	assert_int_equal(tl.n, 0);
	assert_int_equal(tl.notes.n, 1);
	assert_non_null(strstr(tl.notes.v[0], "no lessons"));
	ktheme_list_free(&tl);
	compute(NULL, 0, "[]", &tl);
	assert_int_equal(tl.n, 0);
	assert_int_equal(tl.notes.n, 1);
	ktheme_list_free(&tl);
	kcase_free(&c);
}

static void test_big_lessons(void **state)
{
	struct ktheme_list tl;
	struct kcase c[2];
	struct kbuf b = KBUF_INIT;

	(void)state;
	/* 100 KB in one lesson, and 100 KB of short bullets */
	kcase_init(&c[0]);
	kcase_init(&c[1]);
	while (b.len < 100 * 1024)
		assert_int_equal(kbuf_adds(&b, "バックアップを保管する。"), 0);
	assert_int_equal(kstr_set(&c[0].id, "big1"), 0);
	assert_int_equal(kstr_set(&c[0].sections[KSEC_LESSONS], kbuf_str(&b)), 0);
	kbuf_reset(&b);
	for (int i = 0; b.len < 100 * 1024; i++)
		assert_int_equal(kbuf_addf(&b, "- 教訓%d 第%d系統のバックアップ手順を見直す\n", i, i % 37), 0);
	assert_int_equal(kstr_set(&c[1].id, "big2"), 0);
	assert_int_equal(kstr_set(&c[1].sections[KSEC_LESSONS], kbuf_str(&b)), 0);
	compute(c, 2, NULL, &tl);
	size_t total = 0;
	for (size_t i = 0; i < tl.n; i++)
		total += tl.v[i].n;
	assert_true(total > 1000);
	ktheme_list_free(&tl);
	kbuf_release(&b);
	kcase_free(&c[0]);
	kcase_free(&c[1]);
}

static void test_lessons_split(void **state)
{
	struct kcase c;
	struct kstrv v = { 0 };

	(void)state;
	kcase_init(&c);
	assert_int_equal(kstr_set(&c.sections[KSEC_LESSONS],
				  "次の教訓が得られた：\n"
				  "1. 一つ目の見出し\n説明の行\n"
				  "(2) 二つ目\n"
				  "① 三つ目\n"
				  "• 四つ目\n"
				  "　・五つ目\n"),
			 0);
	assert_int_equal(kstrv_push(&c.key_lessons, "一つ目の見出し"), 0); /* already there */
	assert_int_equal(kstrv_push(&c.key_lessons, "六つ目"), 0);
	assert_int_equal(ktheme_lessons(&c, &v), 6);
	assert_string_equal(v.v[0], "一つ目の見出し\n説明の行");
	assert_string_equal(v.v[1], "二つ目");
	assert_string_equal(v.v[2], "三つ目");
	assert_string_equal(v.v[3], "四つ目");
	assert_string_equal(v.v[4], "五つ目");
	assert_string_equal(v.v[5], "六つ目");
	kstrv_clear(&v);
	/* no bullets: paragraphs */
	kcase_free(&c);
	kcase_init(&c);
	assert_int_equal(kstr_set(&c.sections[KSEC_LESSONS], "段落一の一行目\n段落一の二行目\n\n段落二\n"), 0);
	assert_int_equal(ktheme_lessons(&c, &v), 2);
	assert_string_equal(v.v[0], "段落一の一行目\n段落一の二行目");
	kstrv_clear(&v);
	kcase_free(&c);
}

/* A theme no vocabulary word names: named by its words as the lessons write them. */
static void test_names_as_written(void **state)
{
	struct ktheme_list tl;
	struct kcase c[2];

	(void)state;
	kcase_init(&c[0]);
	kcase_init(&c[1]);
	assert_int_equal(kstr_set(&c[0].id, "n1"), 0);
	assert_int_equal(kstr_set(&c[1].id, "n2"), 0);
	assert_int_equal(kstr_set(&c[0].sections[KSEC_LESSONS], "- 公開サーバーの不要なポートを閉じる\n- 鍵の貸出記録を残す"), 0);
	assert_int_equal(kstr_set(&c[1].sections[KSEC_LESSONS], "- 公開サーバーのポートを定期的に点検する"), 0);
	compute(c, 2, NULL, &tl);
	assert_int_equal(tl.n, 2);
	assert_false(tl.v[0].other);
	assert_int_equal(strncmp(tl.v[0].key, "t-", 2), 0);
	assert_null(tl.v[0].name_en);
	assert_null(strstr(tl.v[0].name, "サバ")); /* the normal form of サーバー is not a name */
	assert_true(strstr(tl.v[0].name, "サーバー") || strstr(tl.v[0].name, "ポート") || strstr(tl.v[0].name, "公開"));
	assert_true(tl.v[0].lessons[0].shared);
	assert_true(tl.v[1].other);
	ktheme_list_free(&tl);
	kcase_free(&c[0]);
	kcase_free(&c[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_as_written),
		cmocka_unit_test(test_shared_or_specific),
		cmocka_unit_test(test_stable_keys),
		cmocka_unit_test(test_edits_reapplied),
		cmocka_unit_test(test_stale_edits_skipped),
		cmocka_unit_test(test_malformed_edits),
		cmocka_unit_test(test_no_lessons),
		cmocka_unit_test(test_big_lessons),
		cmocka_unit_test(test_lessons_split),
		cmocka_unit_test(test_names_as_written),
	};
	return cmocka_run_group_tests_name("theme", tests, setup, teardown);
}
