/*
 * test_import.c - unit tests of the importer (import.c): our own small
 * reports in tests/fixtures/import/ imitating each layout of the published
 * ones, each with its exact expected cases (NAME.expected.jsonl, one case
 * per line); bad input; ids, years, timeline days, line joining; and
 * hostile input (random bytes, truncated and shuffled reports).
 *
 * Run from the top of the tree.  KYOKUN_UPDATE_FIXTURES=1 rewrites the
 * expected files from what the importer gives now (read the diff!).
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_json.h"
#include "import.h"
#include "kbuf.h"
#include "kerr.h"

#define FIXDIR "tests/fixtures/import/"

static const char *const fixtures[] = {
	"toc_bracket",       /* case list with groups, 【１ 背景】, sections out of order,
				a case whose first page lacks its header */
	"table_list",        /* case list table with 主な気付き・教訓, headingless overview,
				headings in a bunch, a (参考) case, markdown bullets */
	"numbered",          /* １. 背景 headings, a heading after its body, no headings */
	"heading_after",     /* a heading printed after its body at the end of a page */
	"collection",        /* 事例集: labels after bodies, header facts, timeline, まとめ */
	"collection_before", /* 事例集 with headings first, inline facts, tab timeline */
	"marked_list",       /* case list with ■ groups ending in prose, 事例 N alone with
				the title below, ①背景 and "１ 背景】" headings, "【1 背景"
				without its bracket, running headers, "- 3 -" page numbers */
	"column_list",       /* case list printed column by column, "No.1 title 1-2" and
				"p.7" markers, overview in plain sentences before diagram labels */
	"collection_wrap",   /* 事例集 without blank lines: title and facts wrapped into each
				other, factors on two lines, a timeline without bullets */
	"twocol_list",       /* case list as a two-column table: 事例の概要 主な気づき・教訓 on
				one line, group rows, numbers alone (full-width too), overview
				and lesson bullets with nothing between, a wrapped bullet */
	"twocol_plain",      /* the same table with a tab in its header, "1." numbers, titles
				under the numbers, ・ then ✓ bullets, rows without bullets */
	"interleaved",       /* two columns interleaved: １. 背景 ２. 検知 ３. 対処 in a bunch,
				a heading after its body, the bodies of 背景 and 原因 last */
	"own_text",          /* figure labels (（対処１）, 稼働系, →) beside the overview and
				after a section's bullet, a lesson heading above its body, a
				wrapped bullet, the next case's overview before its header */
};

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
	struct kbuf b = KBUF_INIT;
	struct kerr err = KERR_INIT;

	if (kbuf_read_file(&b, path, &err) < 0) {
		print_error("%s\n", err.msg);
		return NULL;
	}
	return kbuf_detach(&b, len);
}

static int import(const char *text, size_t len, const char *doc, struct kimport_result *res,
		  struct kerr *err)
{
	return kimport_text(text, len, doc, res, err);
}

/* Every case of a successful import passes the model's own validation. */
static void assert_valid(const struct kimport_result *res)
{
	for (size_t i = 0; i < res->cases.n; i++) {
		struct kerr err = KERR_INIT;

		if (kcase_validate(&res->cases.v[i], &err) < 0) {
			print_error("case %zu: %s\n", i, err.msg);
			fail();
		}
	}
}

static const struct kcase *find_case(const struct kimport_result *res, const char *id)
{
	for (size_t i = 0; i < res->cases.n; i++)
		if (!strcmp(res->cases.v[i].id, id))
			return &res->cases.v[i];
	print_error("no case %s\n", id);
	fail();
	return NULL;
}

/* ---- the fixtures ---- */

static void check_fixture(const char *name)
{
	char path[256], *text, *want, *line, *save = NULL;
	size_t len, n = 0;
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	int update = getenv("KYOKUN_UPDATE_FIXTURES") != NULL;

	snprintf(path, sizeof(path), FIXDIR "%s.txt", name);
	text = slurp(path, &len);
	assert_non_null(text);
	snprintf(path, sizeof(path), "%s.txt", name);
	if (import(text, len, path, &res, &err) < 0) {
		print_error("%s: %s\n", name, err.msg);
		fail();
	}
	assert_valid(&res);
	snprintf(path, sizeof(path), FIXDIR "%s.expected.jsonl", name);
	if (update) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		for (size_t i = 0; i < res.cases.n; i++) {
			struct kbuf o = KBUF_INIT;

			assert_int_equal(kcase_dump(&res.cases.v[i], &o), 0);
			fprintf(f, "%s\n", kbuf_str(&o));
			kbuf_release(&o);
		}
		fclose(f);
	}
	want = slurp(path, &len);
	assert_non_null(want);
	for (line = strtok_r(want, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_error_t jerr;
		json_t *exp = json_loads(line, 0, &jerr), *got;

		assert_non_null(exp);
		if (n >= res.cases.n) {
			print_error("%s: case %zu missing (want %s)\n", name, n,
				    json_string_value(json_object_get(exp, "id")));
			fail();
		}
		got = kcase_to_json(&res.cases.v[n]);
		assert_non_null(got);
		if (!json_equal(exp, got)) {
			char *g = json_dumps(got, JSON_COMPACT);

			print_error("%s: case %zu differs\n want %s\n got  %s\n", name, n, line, g);
			free(g);
			fail();
		}
		json_decref(exp);
		json_decref(got);
	}
	if (n != res.cases.n) {
		print_error("%s: %zu cases, want %zu\n", name, res.cases.n, n);
		fail();
	}
	kimport_result_free(&res);
	free(want);
	free(text);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		check_fixture(fixtures[i]);
}

/* A case the report prints no title for gets one from its overview, marked derived. */
static void test_derived_title(void **state)
{
	static const char text[] =
		"事例1 1/2\n"
		"【事例の概要】\n"
		"• 本事例のA社は、地方の小売企業である。\n"
		"• 従業員の端末が不審なメールの添付ファイルからマルウェアに感染し、顧客の情報が外部に送られた。\n"
		"\n"
		"事例1 2/2\n"
		"【1 背景】\n"
		"• 端末の更新プログラムは各自に任せていた。\n"
		"【4 原因】\n"
		"• 添付ファイルを開いたため。\n";
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	struct kcase back;
	json_t *j, *blocks;

	(void)state;
	assert_int_equal(import(text, sizeof(text) - 1, "untitled.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	assert_string_equal(res.cases.v[0].title, "従業員の端末が不審なメールの添付ファイルからマルウェアに感染");
	assert_true(res.cases.v[0].title_derived);
	/* the interchange format keeps it, and the import's blocks */
	j = kcase_to_json(&res.cases.v[0]);
	assert_true(json_is_true(json_object_get(j, "title_derived")));
	blocks = json_object_get(json_object_get(j, "import"), "blocks");
	assert_true(json_array_size(blocks) >= 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 0), "section")), "summary");
	assert_string_equal(json_string_value(json_object_get(json_array_get(blocks, 0), "how")), "heading");
	kcase_init(&back);
	assert_int_equal(kcase_from_json(&back, j, &err), 0);
	assert_true(back.title_derived);
	kcase_free(&back);
	json_decref(j);
	kimport_result_free(&res);
}

/* The next case's overview repeated at the end of a case's last section goes. */
static void test_next_overview(void **state)
{
	static const char text[] =
		"事例1 倉庫の温度記録の欠落 1/2\n"
		"【事例の概要】\n"
		"• 倉庫の温度を記録する装置が止まり、半日分の記録が欠けた。\n"
		"\n"
		"事例1 倉庫の温度記録の欠落 2/2\n"
		"【4 原因】\n"
		"• 記録装置の電池が切れていたため。\n"
		"• 社内の掲示板が改ざんされ、見知らぬサイトへの案内が掲示された。\n"
		"\n"
		"事例2 掲示板の改ざん 1/2\n"
		"【事例の概要】\n"
		"• 社内の掲示板が改ざんされ、見知らぬサイトへの案内が掲示された。\n";
	struct kimport_result res;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(import(text, sizeof(text) - 1, "next.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 2);
	assert_string_equal(res.cases.v[0].sections[KSEC_CAUSE], "• 記録装置の電池が切れていたため。");
	assert_int_equal(res.cases.v[1].summary.n, 1);
	kimport_result_free(&res);
}

/* The same report imported twice gives the same cases. */
static void test_stable(void **state)
{
	struct kimport_result a, b;
	struct kerr err = KERR_INIT;
	size_t len;
	char *text = slurp(FIXDIR "collection.txt", &len);

	(void)state;
	assert_non_null(text);
	assert_int_equal(import(text, len, "collection.txt", &a, &err), 0);
	assert_int_equal(import(text, len, "collection.txt", &b, &err), 0);
	assert_int_equal(a.cases.n, b.cases.n);
	for (size_t i = 0; i < a.cases.n; i++) {
		json_t *x = kcase_to_json(&a.cases.v[i]), *y = kcase_to_json(&b.cases.v[i]);

		assert_true(json_equal(x, y));
		json_decref(x);
		json_decref(y);
	}
	kimport_result_free(&a);
	kimport_result_free(&b);
	free(text);
}

/* ---- bad input ---- */

static void expect_error(const char *text, size_t len, int code, const char *words)
{
	struct kimport_result res;
	struct kerr err = KERR_INIT;

	assert_int_equal(import(text, len, "bad.txt", &res, &err), code);
	assert_int_equal(res.cases.n, 0);
	if (!strstr(err.msg, words)) {
		print_error("message \"%s\" lacks \"%s\"\n", err.msg, words);
		fail();
	}
	kimport_result_free(&res);
}

static void test_bad_input(void **state)
{
	static const char invalid[] = "事例1 テスト 1/2\n【事例の概要】\n\xE3\x81\n• あ。\n";
	static const char nul[] = "事例1 テスト 1/2\n\0【事例の概要】\n";
	static const char overlong[] = "事例\xC0\xB1 テスト\n";
	char ctl[200];

	(void)state;
	expect_error(invalid, sizeof(invalid) - 1, KE_PARSE, "UTF-8");
	expect_error(overlong, sizeof(overlong) - 1, KE_PARSE, "UTF-8");
	expect_error(nul, sizeof(nul) - 1, KE_PARSE, "NUL");
	memset(ctl, 0x01, sizeof(ctl));
	expect_error(ctl, sizeof(ctl), KE_PARSE, "binary");
	expect_error("", 0, KE_INVALID, "no case found");
	expect_error("\n\n \n", 4, KE_INVALID, "no case found");
	expect_error("今日は晴れ。明日も晴れるでしょう。\n", strlen("今日は晴れ。明日も晴れるでしょう。\n"),
		     KE_INVALID, "no case found");
	/* the size is checked before a byte is read */
	expect_error("x", (size_t)KIMPORT_MAX_TEXT + 1, KE_TOOBIG, "limit");
}

/* ---- ids, years, numbers ---- */

static void test_ids(void **state)
{
	static const char text[] =
		"事例1 一つ目 1/1\n【事例の概要】\n• 一つ目の概要。\n【１ 背景】\n• 背景。\n"
		"事例2 二つ目 1/1\n【事例の概要】\n• 二つ目の概要。\n【１ 背景】\n• 背景。\n"
		"事例1 もう一つの一つ目 1/1\n【事例の概要】\n• 別の概要。\n【１ 背景】\n• 背景。\n"
		"（参考） 参考の事例\n【１ 背景】\n• 参考の背景。\n";
	struct kimport_result a, b;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(import(text, strlen(text), "dir/令和2年度 報告書.pdf", &a, &err), 0);
	assert_int_equal(import(text, strlen(text), "dir/令和2年度 報告書.pdf", &b, &err), 0);
	assert_int_equal(a.cases.n, 4);
	assert_valid(&a);
	for (size_t i = 0; i < a.cases.n; i++) {
		const char *id = a.cases.v[i].id;

		assert_string_equal(id, b.cases.v[i].id);
		assert_int_equal(strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789-._~"), strlen(id));
		assert_string_equal(a.cases.v[i].source.document, "dir/令和2年度 報告書.pdf");
	}
	/* numbered cases end in -N, a repeated number in -N-2, (参考) in -refK */
	assert_non_null(strstr(a.cases.v[0].id, "-1"));
	assert_string_equal(a.cases.v[2].id + strlen(a.cases.v[2].id) - 4, "-1-2");
	assert_string_equal(a.cases.v[3].id + strlen(a.cases.v[3].id) - 5, "-ref1");
	assert_false(a.cases.v[3].source.has_case_number);
	assert_string_equal(a.cases.v[3].title, "参考の事例");
	kimport_result_free(&b);
	/* another document name gives other ids */
	assert_int_equal(import(text, strlen(text), "令和2年度 報告書2.pdf", &b, &err), 0);
	assert_string_not_equal(a.cases.v[0].id, b.cases.v[0].id);
	kimport_result_free(&a);
	kimport_result_free(&b);
	/* a plain ASCII name is kept as it is, without its extension */
	assert_int_equal(import(text, strlen(text), "r2.txt", &a, &err), 0);
	assert_string_equal(a.cases.v[1].id, "r2-2");
	kimport_result_free(&a);
}

static int year_of(const char *preamble)
{
	struct kbuf b = KBUF_INIT;
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	int y;

	kbuf_adds(&b, preamble);
	kbuf_adds(&b, "\n事例1 テスト 1/1\n【事例の概要】\n• 概要。\n【１ 背景】\n• 背景。\n");
	assert_int_equal(import(b.buf, b.len, "y.txt", &res, &err), 0);
	y = res.year;
	assert_int_equal(res.cases.v[0].source.has_year, y > 0);
	if (y)
		assert_int_equal(res.cases.v[0].source.year, y);
	kimport_result_free(&res);
	kbuf_release(&b);
	return y;
}

static void test_year(void **state)
{
	(void)state;
	assert_int_equal(year_of("令和２年度 補完調査について"), 2020);
	assert_int_equal(year_of("令和元年度 重要インフラにおける補完調査"), 2019);
	assert_int_equal(year_of("平成30年度 補完調査報告書"), 2018);
	assert_int_equal(year_of("2021年度 重要インフラにおける補完調査について"), 2021);
	assert_int_equal(year_of("対象期間：2019年4月1日～2020年3月31日"), 2019);
	/* a date is no survey year */
	assert_int_equal(year_of("（平成27年５月25日 改訂）"), 0);
	assert_int_equal(year_of("補完調査"), 0);
}

/* ---- timeline ---- */

static void test_timeline(void **state)
{
	static const char text[] =
		"１．概要\n"
		"• 本事例のZ社で、不正な通信が見つかった。\n"
		"３．時系列（組織毎の検知・分析・対処）\n"
		"日時 ①経営層 ②CSIRT\n"
		"検知の11日前 • 攻撃者が初めて侵入する\n"
		"1日目 22:00 • 監視で異常を検知\n"
		"2日目（休）早朝\n"
		"• 端末を隔離 • 経営層へ報告\n"
		"7日目 未明 • 続報を公表する準備を開始し、関係\n"
		"者と調整\n"
		"2週目 • 再発防止策を決定\n"
		"1か月以上前 • 脆弱性が公表される\n";
	static const struct {
		int known, day;
		const char *when, *text;
	} want[] = {
		{ 1, -11, "検知の11日前", "攻撃者が初めて侵入する" },
		{ 1, 1, "1日目 22:00", "監視で異常を検知" },
		{ 1, 2, "2日目（休）早朝", "端末を隔離" },
		{ 1, 2, "2日目（休）早朝", "経営層へ報告" },
		{ 1, 7, "7日目 未明", "続報を公表する準備を開始し、関係者と調整" },
		{ 0, 0, "2週目", "再発防止策を決定" },
		{ 0, 0, "1か月以上前", "脆弱性が公表される" },
	};
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	const struct kcase *c;

	(void)state;
	assert_int_equal(import(text, strlen(text), "tl.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	c = &res.cases.v[0];
	assert_int_equal(c->ntimeline, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c->ntimeline; i++) {
		assert_int_equal(c->timeline[i].has_day, want[i].known);
		if (want[i].known)
			assert_int_equal(c->timeline[i].day, want[i].day);
		assert_string_equal(c->timeline[i].when, want[i].when);
		assert_string_equal(c->timeline[i].text, want[i].text);
		assert_null(c->timeline[i].actor);
	}
	kimport_result_free(&res);
}

/* ---- text: joining wrapped lines, bullets, noise ---- */

static void test_text(void **state)
{
	static const char text[] =
		"事例1 折り返しの確認 1／2\n"
		"【事例の概要】\n"
		"• 一行に収まらない長い文章は、途中で改行されて次の行に続くことがあるため、そのまま\n"
		"つなげる。\n"
		"• 二つ目の項目。\n"
		"\n"
		"攻撃者\n"
		"(1)侵入\n"
		"\n"
		"12\n"
		"事例1 折り返しの確認 2／2\n"
		"【１ 背景】 • 見出しと同じ行に本文がある。\n"
		"【４ 原因】\n"
		"• The Sliding Scale of\n"
		"Cybersecurity という考え方が浸透していなかった。\n"
		"• 一つ目の項目 • 同じ行の二つ目の項目\n";
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	const struct kcase *c;
	int figure = 0, pagenum = 0;

	(void)state;
	assert_int_equal(import(text, strlen(text), "text.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	c = find_case(&res, "text-1");
	assert_string_equal(c->title, "折り返しの確認");
	assert_string_equal(c->source.page_marker, "1／2");
	assert_int_equal(c->summary.n, 2);
	assert_string_equal(c->summary.v[0], "一行に収まらない長い文章は、途中で改行されて次の行に"
					     "続くことがあるため、そのままつなげる。");
	assert_string_equal(c->sections[KSEC_BACKGROUND], "• 見出しと同じ行に本文がある。");
	assert_string_equal(c->sections[KSEC_CAUSE],
			    "• The Sliding Scale of Cybersecurity という考え方が浸透していなかった。\n"
			    "• 一つ目の項目\n• 同じ行の二つ目の項目");
	assert_string_equal(c->tlp, "clear");
	assert_int_equal(c->tags.threats.n, 0);
	/* what is not text of the case is reported with its line and why */
	for (size_t i = 0; i < res.unplaced.n; i++) {
		if (!strncmp(res.unplaced.v[i], "line 7: 攻撃者 — ", strlen("line 7: 攻撃者 — ")))
			figure = 1;
		if (!strcmp(res.unplaced.v[i], "line 10: 12 — page number"))
			pagenum = 1;
	}
	assert_true(figure);
	assert_true(pagenum);
	kimport_result_free(&res);
}

/* Where nothing says which section a bullet is in, its wording does. */
static void test_cues(void **state)
{
	static const char text[] =
		"事例1 見出しのない事例 1/2\n"
		"• 概要の一文目。\n"
		"事例1 見出しのない事例 2/2\n"
		"• 委託先が保守する機器を、外部から接続できる状態で運用していた。\n"
		"• 監視装置のアラートにより、不審な通信に気付いた。\n"
		"• 該当機器をネットワークから切り離し、調査を依頼した。\n"
		"• 接続元の制限が設定されていなかったため。\n"
		"• 接続元を制限する設定を追加し、定期的に点検する予定。\n"
		"• 委託先の作業内容を把握しておくことが重要である。\n";
	static const int want[] = { KSEC_BACKGROUND, KSEC_DETECTION, KSEC_RESPONSE, KSEC_CAUSE,
				    KSEC_COUNTERMEASURES, KSEC_LESSONS };
	struct kimport_result res;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(import(text, strlen(text), "cues.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *s = res.cases.v[0].sections[want[i]];

		if (!s || strchr(s, '\n')) {
			print_error("section %s: %s\n", ksection_key(want[i]), s ? s : "(none)");
			fail();
		}
	}
	kimport_result_free(&res);
}

/* A converter's markdown: pipe tables, # headings, emphasis, - bullets. */
static void test_markdown(void **state)
{
	static const char text[] =
		"# 令和3年度 補完調査\n\n"
		"| No | 事例 | 事例の概要 | 主な気付き・教訓 |\n"
		"|---|---|---|---|\n"
		"| **外部からの攻撃** | | | |\n"
		"| 1 | 通販サイトの改ざん | 決済画面が改ざんされた。 | ・改ざん検知の導入<br>・委託先管理 |\n\n"
		"## 事例1 通販サイトの改ざん 1/2\n\n"
		"- 決済画面に不正なスクリプトが埋め込まれた。\n\n"
		"## 事例1 通販サイトの改ざん 2/2\n\n"
		"### **【1 背景】**\n\n"
		"- 決済画面の運用を委託していた。\n";
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	const struct kcase *c;

	(void)state;
	assert_int_equal(import(text, strlen(text), "md.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	assert_int_equal(res.year, 2021);
	c = find_case(&res, "md-1");
	assert_string_equal(c->category, "外部からの攻撃");
	assert_int_equal(c->key_lessons.n, 2);
	assert_string_equal(c->key_lessons.v[0], "改ざん検知の導入");
	assert_string_equal(c->key_lessons.v[1], "委託先管理");
	assert_int_equal(c->summary.n, 1);
	assert_string_equal(c->summary.v[0], "決済画面に不正なスクリプトが埋め込まれた。");
	assert_string_equal(c->sections[KSEC_BACKGROUND], "- 決済画面の運用を委託していた。");
	kimport_result_free(&res);
}

/* A long title wraps, and the page marker stands on the next line. */
static void test_wrapped_title(void **state)
{
	static const char text[] =
		"事例3 重要インフラ事業者における\n"
		"二度目の不正アクセス 1/2\n"
		"• 概要の文。\n"
		"事例3 重要インフラ事業者における\n"
		"二度目の不正アクセス 2/2\n"
		"【1 背景】\n"
		"• 背景の文。\n";
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	const struct kcase *c;

	(void)state;
	assert_int_equal(import(text, strlen(text), "wrap.txt", &res, &err), 0);
	assert_int_equal(res.cases.n, 1);
	c = find_case(&res, "wrap-3");
	assert_string_equal(c->title, "重要インフラ事業者における二度目の不正アクセス");
	assert_string_equal(c->source.page_marker, "1/2");
	assert_string_equal(c->summary.v[0], "概要の文。");
	assert_string_equal(c->sections[KSEC_BACKGROUND], "• 背景の文。");
	kimport_result_free(&res);
}

/* ---- hostile input ---- */

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void import_any(const char *text, size_t len)
{
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	int rc = import(text, len, "fuzz.txt", &res, &err);

	if (rc == 0) {
		assert_true(res.cases.n > 0);
		assert_valid(&res);
	} else {
		assert_true(rc == KE_PARSE || rc == KE_INVALID);
		assert_true(err.msg[0] != '\0');
	}
	kimport_result_free(&res);
}

static void test_hostile(void **state)
{
	static const char *const alphabet[] = {
		"\n", " ", "\t", "\f", "•", "【", "】", "１", "1", "/", "／", "事例", "背景", "検知",
		"日目", "（休）", "概要", "時系列", "まとめ", "属性", "要因ケース", "。", "、", "あ",
		"(", ")", "※", "①", "■", "：", "参考", "今後の課題",
	};
	char buf[4096];

	(void)state;
	/* random bytes, and random sequences of the words reports are made of */
	for (int it = 0; it < 300; it++) {
		size_t n = rnd() % sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)rnd();
		import_any(buf, n);
		n = 0;
		while (n + 16 < sizeof(buf) && rnd() % 400) {
			const char *w = alphabet[rnd() % (sizeof(alphabet) / sizeof(alphabet[0]))];

			memcpy(buf + n, w, strlen(w));
			n += strlen(w);
		}
		import_any(buf, n);
	}
	/* every fixture cut short anywhere, and with its lines shuffled */
	for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		char path[256], *text, *copy, **lines;
		size_t len, nl = 0, off = 0;

		snprintf(path, sizeof(path), FIXDIR "%s.txt", fixtures[f]);
		text = slurp(path, &len);
		assert_non_null(text);
		for (size_t cut = 0; cut < len; cut += 1 + rnd() % 61)
			import_any(text, cut);
		copy = malloc(len + 2);
		lines = malloc(sizeof(*lines) * (len + 1));
		assert_non_null(copy);
		assert_non_null(lines);
		memcpy(copy, text, len);
		copy[len] = '\0';
		for (char *p = strtok(copy, "\n"); p; p = strtok(NULL, "\n"))
			lines[nl++] = p;
		for (size_t i = nl; i > 1; i--) {
			size_t j = rnd() % i;
			char *t = lines[i - 1];

			lines[i - 1] = lines[j];
			lines[j] = t;
		}
		for (size_t i = 0; i < nl; i++) {
			size_t l = strlen(lines[i]);

			memmove(text + off, lines[i], l);
			off += l;
			text[off++] = '\n';
		}
		import_any(text, off);
		free(lines);
		free(copy);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_year),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_cues),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_wrapped_title),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_derived_title),
		cmocka_unit_test(test_next_overview),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
