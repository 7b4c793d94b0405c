/*
 * test_redact.c - unit tests of the anonymisation checks (redact.h): one
 * fixture per kind with exact code-point offsets (our own texts), the
 * variants of an organisation's name, what must not be found (version
 * numbers, 氏名, 仕様 ...), labels consistent across the case, apply
 * (valid UTF-8, nothing labelled left), names that are regular-expression
 * metacharacters, a 100 KB section in linear time, and, when the shared
 * corpus is there, the findings in published anonymised cases.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "kerr.h"
#include "redact.h"
#include "store.h"
#include "store_account.h"
#include "store_redact.h"
#include <unistd.h>

static void mkcase(struct kcase *c, const char *owner, const char *text)
{
	kcase_init(c);
	assert_int_equal(kstr_set(&c->id, "t-1"), 0);
	assert_int_equal(kstr_set(&c->title, "テスト事例"), 0);
	assert_int_equal(kstr_set(&c->tlp, "amber"), 0);
	if (owner)
		assert_int_equal(kstr_set(&c->owner, owner), 0);
	if (text)
		assert_int_equal(kstr_set(&c->sections[KSEC_BACKGROUND], text), 0);
	assert_int_equal(kstrv_push(&c->tags.sectors, "finance"), 0);
}

static const struct kfinding *find(const struct kfinding_list *fl, int kind, const char *field, size_t start)
{
	for (size_t i = 0; i < fl->n; i++)
		if (fl->v[i].kind == kind && !strcmp(fl->v[i].field, field) && fl->v[i].start == start)
			return &fl->v[i];
	return NULL;
}

static size_t count_kind(const struct kfinding_list *fl, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->n; i++)
		n += fl->v[i].kind == kind;
	return n;
}

static void dump(const struct kfinding_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		fprintf(stderr, "  %s %s %zu-%zu [%s] %s\n", kfinding_kind_key(fl->v[i].kind), fl->v[i].field,
			fl->v[i].start, fl->v[i].end, fl->v[i].text, fl->v[i].label ? fl->v[i].label : "-");
}

/* ---- one fixture per kind --------------------------------------------------------------- */

static const struct {
	int kind;
	const char *text, *found;
	size_t start, end;
	const char *label;
} fixtures[] = {
	{ KFIND_EMAIL, "連絡は security@example.co.jp まで", "security@example.co.jp", 4, 26, "[メールアドレス]" },
	{ KFIND_IPV4, "攻撃元は192.0.2.44であった", "192.0.2.44", 4, 14, "[IPアドレス]" },
	{ KFIND_IPV4, "範囲 198.51.100.0/24 を遮断", "198.51.100.0/24", 3, 18, "[IPアドレス]" },
	{ KFIND_IPV6, "送信元 2001:db8::1 から", "2001:db8::1", 4, 15, "[IPアドレス]" },
	{ KFIND_IPV6, "アドレス fe80::1ff:fe23:4567:890a を確認", "fe80::1ff:fe23:4567:890a", 5, 29, "[IPアドレス]" },
	{ KFIND_IPV6, "完全形2001:0db8:0000:0000:0000:ff00:0042:8329も", "2001:0db8:0000:0000:0000:ff00:0042:8329", 3,
	  42, "[IPアドレス]" },
	{ KFIND_DOMAIN, "ドメイン evil-site.example.com に通信", "evil-site.example.com", 5, 26, "[ドメイン名]" },
	{ KFIND_URL, "詳細は https://www.example.jp/path?q=1 を参照。", "https://www.example.jp/path?q=1", 4, 35, "[URL]" },
	{ KFIND_URL, "偽サイト hxxp://bad.example.net/login)", "hxxp://bad.example.net/login", 5, 33, "[URL]" },
	{ KFIND_PHONE, "電話 03-1234-5678 へ", "03-1234-5678", 3, 15, "[電話番号]" },
	{ KFIND_PHONE, "窓口0120-123-456まで", "0120-123-456", 2, 14, "[電話番号]" },
	{ KFIND_PHONE, "携帯 ０９０－１２３４－５６７８ に", "０９０－１２３４－５６７８", 3, 16, "[電話番号]" },
	{ KFIND_PHONE, "海外から +81 3-1234-5678 へ", "+81 3-1234-5678", 5, 20, "[電話番号]" },
	{ KFIND_ADDRESS, "本社は〒123-4567 大阪府大阪市北区梅田1-2-3にある", "〒123-4567 大阪府大阪市北区梅田1-2-3", 3, 28,
	  "[住所]" },
	{ KFIND_ADDRESS, "所在地は神奈川県横浜市中区で", "神奈川県横浜市中区", 4, 13, "[住所]" },
	{ KFIND_PERSON, "当社の山田部長が確認", "山田部長", 3, 7, "部長" },
	{ KFIND_PERSON, "佐藤氏によれば", "佐藤氏", 0, 3, "担当者" },
	{ KFIND_PERSON, "情報システム部の田中さんが", "田中さん", 8, 12, "担当者" },
	{ KFIND_PERSON, "鈴木が対応した", "鈴木", 0, 2, "職員" },
	{ KFIND_PERSON, "スミス氏が来訪", "スミス氏", 0, 4, "担当者" },
	{ KFIND_PERSON, "連絡者 山田 太郎 (内線)", "山田 太郎", 4, 9, "職員" },
	{ KFIND_PERSON, "窓口は高橋 一郎氏です", "高橋 一郎氏", 3, 9, "担当者" },
	{ KFIND_REID, "2025年4月12日に横浜市で発生", "2025年4月12日", 0, 10, NULL },
	{ KFIND_REID, "同年4月12日、福岡県の本社で", "4月12日", 2, 7, NULL },
	{ KFIND_REID, "利用者12,345人に影響", "12,345人", 3, 10, NULL },
	{ KFIND_REID, "サービスが3時間27分停止した", "3時間27分", 5, 11, NULL },
	{ KFIND_REID, "FooGate 9.2.1 の脆弱性", "FooGate 9.2.1", 0, 13, NULL },
	{ KFIND_REID, "管理ツールBarSuite Ver.3を使用", "BarSuite Ver.3", 5, 19, NULL },
};

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		struct kcase c;
		struct kfinding_list fl = { 0 };
		struct kerr err = KERR_INIT;
		const struct kfinding *f;

		mkcase(&c, NULL, fixtures[i].text);
		assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
		f = find(&fl, fixtures[i].kind, "background", fixtures[i].start);
		if (!f) {
			dump(&fl);
			fail_msg("fixture %zu (%s): no %s at %zu", i, fixtures[i].text, kfinding_kind_key(fixtures[i].kind),
				 fixtures[i].start);
		}
		assert_int_equal(f->end, fixtures[i].end);
		assert_string_equal(f->text, fixtures[i].found);
		if (fixtures[i].label)
			assert_string_equal(f->label, fixtures[i].label);
		else
			assert_null(f->label), assert_non_null(f->suggestion);
		/* nothing else labelled in the fixture */
		for (size_t j = 0; j < fl.n; j++)
			if (&fl.v[j] != f && fl.v[j].label) {
				dump(&fl);
				fail_msg("fixture %zu (%s): an extra finding", i, fixtures[i].text);
			}
		kfinding_list_free(&fl);
		kcase_free(&c);
	}
}

/* Texts with nothing that identifies (anything labelled is a false positive). */
static const char *const clean[] = {
	"バージョン1.2.3に更新した",          /* a version is not an IPv4 address */
	"Ver.10.2.3.4 を適用",               /* nor four numbers after Ver. */
	"設定ファイル index.html と app.py", /* file names are not domains */
	"ASP.NET で構築",                     /* a product, not a domain */
	"12:30:45 に再起動",                  /* a time is not an IPv6 address */
	"00:11:22:33:44:55 の機器",           /* nor a MAC address */
	"2025-04-12 に発生",                  /* a date is not a telephone number */
	"氏名と連絡先を確認した",            /* 氏名 */
	"同氏の説明によると",                /* 同氏 */
	"皆さんに周知した",                  /* 皆さん */
	"委託先さんとベンダーさんに依頼",    /* companies */
	"仕様の変更と同様の対応",            /* 様 in words */
	"営業部長と総務課長が出席",          /* titles without a name */
	"東京オリンピックの時期に",          /* not an address */
	"原因は設定の不備",                  /* 原 in a word */
	"約1万人に影響",                      /* already rounded */
	"A社の担当者がB社に連絡",            /* labels already */
};

static void test_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		struct kcase c;
		struct kfinding_list fl = { 0 };
		struct kerr err = KERR_INIT;

		mkcase(&c, NULL, clean[i]);
		assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
		if (fl.n) {
			dump(&fl);
			fail_msg("\"%s\": %zu findings, none expected", clean[i], fl.n);
		}
		kfinding_list_free(&fl);
		kcase_free(&c);
	}
}

/* ---- names and their variants ------------------------------------------------------------ */

static const struct {
	const char *owner, *text, *found;
	size_t start, end;
} variants[] = {
	{ "株式会社サンプル", "サンプル社が発表", "サンプル社", 0, 5 },
	{ "株式会社サンプル", "(株)サンプルは", "(株)サンプル", 0, 7 },
	{ "株式会社サンプル", "取引先（株）サンプルの", "（株）サンプル", 3, 10 },
	{ "株式会社サンプル", "㈱サンプルと", "㈱サンプル", 0, 5 },
	{ "株式会社サンプル", "ｻﾝﾌﾟﾙの件", "ｻﾝﾌﾟﾙ", 0, 5 },
	{ "株式会社サンプル", "当初 株式会社 サンプル から", "株式会社 サンプル", 3, 12 },
	{ "株式会社サンプル", "サンプル 株式会社の", "サンプル 株式会社", 0, 9 },
	{ "株式会社サンプル", "サンプル社員が", "サンプル", 0, 4 },
	{ "株式会社サンプル", "いいえ サ ン プ ル", "サ ン プ ル", 4, 11 },
	{ "サンプル(株)", "株式会社サンプルの", "株式会社サンプル", 0, 8 },
	{ "Example Corp", "EXAMPLE Corp. の", "EXAMPLE Corp.", 0, 13 },
	{ "Example Corp", "全角ＥＸＡＭＰＬＥも", "ＥＸＡＭＰＬＥ", 2, 9 },
};

static void test_name_variants(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct kcase c;
		struct kfinding_list fl = { 0 };
		struct kerr err = KERR_INIT;
		const struct kfinding *f;

		mkcase(&c, variants[i].owner, variants[i].text);
		assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
		f = find(&fl, KFIND_NAME, "background", variants[i].start);
		if (!f || f->end != variants[i].end) {
			dump(&fl);
			fail_msg("variant %zu (%s in %s): not found at %zu-%zu", i, variants[i].owner, variants[i].text,
				 variants[i].start, variants[i].end);
		}
		assert_string_equal(f->text, variants[i].found);
		assert_string_equal(f->label, "A社");
		kfinding_list_free(&fl);
		kcase_free(&c);
	}
}

static void test_name_word(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;

	(void)state;
	/* an ASCII name is a word: Examples and counterexample are not Example */
	mkcase(&c, "Example Corp", "Examples of counterexample");
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	assert_int_equal(count_kind(&fl, KFIND_NAME), 0);
	kfinding_list_free(&fl);
	kcase_free(&c);
}

/* ---- metacharacters ---------------------------------------------------------------------- */

static void test_metacharacters(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;
	struct kstrv names = { 0 };
	size_t n = 0;

	(void)state;
	mkcase(&c, NULL, "aab と a+b と .* と x.y と [abc] の件");
	assert_int_equal(kstrv_push(&names, ".*"), 0);
	assert_int_equal(kstrv_push(&names, "a+b"), 0);
	assert_int_equal(kstrv_push(&names, "[abc]"), 0);
	assert_int_equal(kstrv_push(&names, "(株)"), 0);
	assert_int_equal(kstrv_push(&names, "\\d+"), 0);
	assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
	/* a+b at 6, .* at 12, [abc] at 24: literally, and nothing else */
	assert_non_null(find(&fl, KFIND_NAME, "background", 6));
	assert_non_null(find(&fl, KFIND_NAME, "background", 12));
	assert_non_null(find(&fl, KFIND_NAME, "background", 23));
	assert_string_equal(find(&fl, KFIND_NAME, "background", 6)->text, "a+b");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 12)->text, ".*");
	assert_int_equal(count_kind(&fl, KFIND_NAME), 3);
	/* labels by order of appearance: a+b A社, .* B社, [abc] C社 */
	assert_string_equal(find(&fl, KFIND_NAME, "background", 6)->label, "A社");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 12)->label, "B社");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 23)->label, "C社");
	assert_int_equal(kredact_apply(&c, &names, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c.sections[KSEC_BACKGROUND], "aab と A社 と B社 と x.y と C社 の件");
	kstrv_clear(&names);
	kfinding_list_free(&fl);
	kcase_free(&c);
}

/* ---- labels across the case, and apply ------------------------------------------------------ */

static void test_labels_and_apply(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;
	struct kstrv names = { 0 };
	size_t n = 0;

	(void)state;
	mkcase(&c, "株式会社サンプル", "委託先の㈱テスト工業がサンプル社のサーバ 192.0.2.1 を保守。");
	assert_int_equal(kstr_set(&c.title, "テスト工業経由のサンプルへの侵入"), 0);
	assert_int_equal(kstrv_push(&c.summary, "サンプルの佐藤課長が 192.0.2.1 の通信を検知"), 0);
	assert_int_equal(kstr_set(&c.sections[KSEC_CAUSE], "テスト工業 のVPN"), 0);
	assert_int_equal(kcase_add_event(&c, 1, 1, "09:00", "田中さん", "サンプルに連絡 (security@sample.example.jp)"), 0);
	assert_int_equal(kstrv_push(&names, "テスト工業株式会社"), 0);
	assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
	/* テスト工業 appears first (title): A社 everywhere; サンプル (the owner) B社 everywhere */
	assert_string_equal(find(&fl, KFIND_NAME, "title", 0)->label, "A社");
	assert_string_equal(find(&fl, KFIND_NAME, "title", 8)->label, "B社");
	assert_string_equal(find(&fl, KFIND_NAME, "summary[0]", 0)->label, "B社");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 4)->label, "A社");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 4)->text, "㈱テスト工業");
	assert_string_equal(find(&fl, KFIND_NAME, "background", 11)->label, "B社");
	assert_string_equal(find(&fl, KFIND_NAME, "cause", 0)->label, "A社");
	assert_string_equal(find(&fl, KFIND_NAME, "timeline[0]", 0)->label, "B社");
	assert_string_equal(find(&fl, KFIND_PERSON, "timeline[0].actor", 0)->label, "担当者");
	kfinding_list_free(&fl);

	assert_int_equal(kredact_apply(&c, &names, &n, &err), 0);
	assert_true(n >= 10);
	assert_string_equal(c.title, "A社経由のB社への侵入");
	assert_string_equal(c.summary.v[0], "B社の課長が [IPアドレス] の通信を検知");
	assert_string_equal(c.sections[KSEC_BACKGROUND], "委託先のA社がB社のサーバ [IPアドレス] を保守。");
	assert_string_equal(c.sections[KSEC_CAUSE], "A社 のVPN");
	assert_string_equal(c.timeline[0].actor, "担当者");
	assert_string_equal(c.timeline[0].text, "B社に連絡 ([メールアドレス])");
	assert_int_equal(kcase_validate(&c, &err), 0);
	/* a second check finds nothing labelled */
	assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
	for (size_t i = 0; i < fl.n; i++)
		if (fl.v[i].label) {
			dump(&fl);
			fail_msg("a labelled finding after apply");
		}
	kfinding_list_free(&fl);
	kstrv_clear(&names);
	kcase_free(&c);
}

/* labels already in the text (A社 written by hand) are not given to another organisation */
static void test_labels_skip_used(void **state)
{
	struct kcase c;
	struct kerr err = KERR_INIT;
	size_t n = 0;

	(void)state;
	mkcase(&c, "株式会社サンプル", "A社とC社の委託先であるサンプル社");
	assert_int_equal(kredact_apply(&c, NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c.sections[KSEC_BACKGROUND], "A社とC社の委託先であるB社");
	kcase_free(&c);
}

/* apply keeps reid findings and the rest of the text byte for byte */
static void test_apply_keeps_reid(void **state)
{
	struct kcase c;
	struct kerr err = KERR_INIT;
	size_t n = 9;

	(void)state;
	mkcase(&c, NULL, "2025年4月12日に横浜市の窓口 03-1234-5678 で受付。利用者12,345人。");
	assert_int_equal(kredact_apply(&c, NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c.sections[KSEC_BACKGROUND], "2025年4月12日に横浜市の窓口 [電話番号] で受付。利用者12,345人。");
	kcase_free(&c);
}

/* reid needs the combination: a date without a place, a count without a sector */
static void test_reid_needs_both(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;

	(void)state;
	mkcase(&c, NULL, "2025年4月12日に発生。利用者12,345人。");
	kstrv_clear(&c.tags.sectors);
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	assert_int_equal(fl.n, 0);
	kfinding_list_free(&fl);
	/* the place in another field makes the date a risk, and the suggestion says day → month */
	assert_int_equal(kstrv_push(&c.summary, "福岡県の事業者"), 0);
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	assert_non_null(find(&fl, KFIND_REID, "background", 0));
	assert_non_null(strstr(find(&fl, KFIND_REID, "background", 0)->suggestion, "2025年4月"));
	assert_non_null(strstr(find(&fl, KFIND_REID, "summary[0]", 0)->suggestion, "九州地方"));
	kfinding_list_free(&fl);
	kcase_free(&c);
}

static void test_suggestions(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;

	(void)state;
	mkcase(&c, NULL, "12,345人と3,456件と3時間27分と5時間45分");
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	assert_non_null(strstr(find(&fl, KFIND_REID, "background", 0)->suggestion, "約1万人"));
	assert_non_null(strstr(find(&fl, KFIND_REID, "background", 8)->suggestion, "約3,000件"));
	assert_non_null(strstr(find(&fl, KFIND_REID, "background", 15)->suggestion, "約3時間"));
	assert_non_null(strstr(find(&fl, KFIND_REID, "background", 22)->suggestion, "約6時間"));
	kfinding_list_free(&fl);
	kcase_free(&c);
}

/* ---- bad input and size ------------------------------------------------------------------- */

static void test_empty_and_odd(void **state)
{
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;
	struct kstrv names = { 0 };

	(void)state;
	mkcase(&c, "", "");
	assert_int_equal(kstrv_push(&names, ""), 0);
	assert_int_equal(kstrv_push(&names, "株式会社"), 0);
	assert_int_equal(kstrv_push(&names, " "), 0);
	assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
	assert_int_equal(fl.n, 0);
	/* odd tails: an @ alone, a lone 〒, digits at the end */
	assert_int_equal(kstr_set(&c.sections[KSEC_BACKGROUND], "@ 〒 :: 0 +81 http:// 1.2.3.4."), 0);
	assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
	kfinding_list_free(&fl);
	kstrv_clear(&names);
	kcase_free(&c);
}

/* Random mixtures of the pieces scanners look for: never a crash, apply keeps the case valid. */
static void test_random(void **state)
{
	static const char *const pieces[] = {
		"株式会社", "サンプル", "ｻﾝﾌﾟﾙ", "(株)", "㈱", "社", "山田", "部長", "氏", "さん", " ", "　", "@", ".",
		"example", ".com", ".jp", "http://", "www.", "192", "0", "1", ":", "::", "-", "ー", "０", "+81", "〒",
		"東京都", "横浜市", "区", "1-2-3", "年", "月", "日", "時間", "分", "人", ",", "Ver", "v", "9.2.1", "ﾞ",
		"ﾟ", "\n", "a", "Z", "𠮷", "丁目", "番地", "%", "/", "[", "]", "A社",
	};
	struct kstrv names = { 0 };
	unsigned seed = 12345;
	char buf[4096];

	(void)state;
	assert_int_equal(kstrv_push(&names, "サンプル"), 0);
	assert_int_equal(kstrv_push(&names, "a.b"), 0);
	for (int it = 0; it < 3000; it++) {
		struct kcase c;
		struct kfinding_list fl = { 0 };
		struct kerr err = KERR_INIT;
		size_t len = 0, n = 0;
		int parts;

		seed = seed * 1103515245u + 12345u;
		parts = (int)(seed >> 16) % 40;
		buf[0] = 0;
		for (int k = 0; k < parts; k++) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			if (len + strlen(p) + 1 >= sizeof(buf))
				break;
			memcpy(buf + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		mkcase(&c, it % 2 ? "株式会社サンプル" : NULL, buf);
		assert_int_equal(kstrv_push(&c.summary, buf), 0);
		assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
		for (size_t i = 0; i < fl.n; i++)
			assert_true(fl.v[i].start < fl.v[i].end);
		kfinding_list_free(&fl);
		assert_int_equal(kredact_apply(&c, &names, &n, &err), 0);
		assert_int_equal(kcase_validate(&c, &err), 0);
		/* a second check runs on the result (REDACT_PROBE=1 lists what it would still label: only
		 * artificial joins such as "http://" + "A社" or "::" + "A社" in these mixtures) */
		assert_int_equal(kredact_check(&c, &names, &fl, &err), 0);
		for (size_t i = 0; i < fl.n; i++)
			if (fl.v[i].label && getenv("REDACT_PROBE"))
				fprintf(stderr, "# left: [%s] %s %s in %s\n", kfinding_kind_key(fl.v[i].kind), fl.v[i].text,
					fl.v[i].label, c.summary.v[0]);
		kfinding_list_free(&fl);
		kcase_free(&c);
	}
	kstrv_clear(&names);
}

/* The store: names stored per case, dismissals, and what stays unresolved (the approval's question). */
static void test_store_unresolved(void **state)
{
	char dir[] = "/tmp/kyokun-redact-XXXXXX", path[600];
	struct kstore *st = NULL;
	struct kerr err = KERR_INIT;
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kstrv names = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.db", dir);
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_set_actor(st, 0, "local:test", "cli"), 0);
	mkcase(&c, "株式会社サンプル", "サンプルとテスト工業の田中さんが 192.0.2.9 を調べた");
	assert_int_equal(kstore_put(st, &c, NULL, &err), 0);

	assert_int_equal(kstore_redact_unresolved(st, &c, &fl, &err), 0);
	assert_int_equal(fl.n, 3); /* サンプル, 田中さん, the address */
	kfinding_list_free(&fl);

	assert_int_equal(kstore_redact_name_add(st, "t-1", "テスト工業", &err), 0);
	assert_int_equal(kstore_redact_name_add(st, "t-1", "テスト工業", &err), KE_EXISTS);
	assert_int_equal(kstore_redact_name_add(st, "t-1", "", &err), KE_INVALID);
	assert_int_equal(kstore_redact_name_add(st, "t-1", "a\tb", &err), KE_INVALID);
	assert_int_equal(kstore_redact_names(st, "t-1", &names, &err), 0);
	assert_int_equal(names.n, 1);
	assert_string_equal(names.v[0], "テスト工業");
	assert_int_equal(kstore_redact_unresolved(st, &c, &fl, &err), 0);
	assert_int_equal(fl.n, 4);
	assert_string_equal(find(&fl, KFIND_NAME, "background", 5)->label, "B社");
	kfinding_list_free(&fl);

	assert_int_equal(kstore_redact_dismiss(st, "t-1", "person", "田中さん", "仮名", &err), 0);
	assert_int_equal(kstore_redact_dismiss(st, "t-1", "person", "田中さん", "again", &err), KE_EXISTS);
	assert_int_equal(kstore_redact_dismiss(st, "t-1", "nobody", "x", "y", &err), KE_INVALID);
	assert_int_equal(kstore_redact_dismiss(st, "t-1", "ipv4", "192.0.2.9", "", &err), KE_INVALID);
	assert_int_equal(kstore_redact_unresolved(st, &c, &fl, &err), 0);
	assert_int_equal(fl.n, 3);
	assert_null(find(&fl, KFIND_PERSON, "background", 11));
	kfinding_list_free(&fl);
	/* another case keeps its own names and dismissals */
	assert_int_equal(kstr_set(&c.id, "t-2"), 0);
	assert_int_equal(kstore_redact_unresolved(st, &c, &fl, &err), 0);
	assert_int_equal(fl.n, 3);
	kfinding_list_free(&fl);

	kstrv_clear(&names);
	kcase_free(&c);
	kstore_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void test_100kb(void **state)
{
	static const char unit[] = "2025年4月12日に株式会社サンプルの山田部長が 192.0.2.1 から "
				   "https://example.jp/ を確認し、03-1234-5678 に連絡した。";
	struct kcase c;
	struct kfinding_list fl = { 0 };
	struct kerr err = KERR_INIT;
	char *big = malloc(110 * 1024);
	size_t len = 0, reps = 0, n = 0;
	double t0, t1, t2;

	(void)state;
	assert_non_null(big);
	while (len + sizeof(unit) < 100 * 1024) {
		memcpy(big + len, unit, sizeof(unit) - 1);
		len += sizeof(unit) - 1;
		reps++;
	}
	big[len] = 0;
	mkcase(&c, "株式会社サンプル", big);
	t0 = now_ms();
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	t1 = now_ms();
	assert_int_equal(count_kind(&fl, KFIND_NAME), reps);
	assert_int_equal(count_kind(&fl, KFIND_PHONE), reps);
	kfinding_list_free(&fl);
	assert_int_equal(kredact_apply(&c, NULL, &n, &err), 0);
	t2 = now_ms();
	assert_int_equal(n, 5 * reps);
	assert_true(kutf8_valid(c.sections[KSEC_BACKGROUND], strlen(c.sections[KSEC_BACKGROUND])));
	fprintf(stderr, "# redact: a %zu-byte section (%zu repeats): check %.1f ms, check+apply %.1f ms\n", len, reps,
		t1 - t0, t2 - t1);
	assert_true(t1 - t0 < 3000);
	/* one 100 KB line of digits and dots: no scanner backtracks */
	memset(big, '1', 100 * 1024);
	for (size_t i = 3; i < 100 * 1024; i += 4)
		big[i] = i % 8 == 3 ? '.' : ':';
	big[100 * 1024] = 0;
	assert_int_equal(kstr_set(&c.sections[KSEC_BACKGROUND], big), 0);
	t0 = now_ms();
	assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
	t1 = now_ms();
	fprintf(stderr, "# redact: 100 KB of digits, dots and colons: %.1f ms\n", t1 - t0);
	assert_true(t1 - t0 < 3000);
	kfinding_list_free(&fl);
	kcase_free(&c);
	free(big);
}

/* ---- the shared corpus: published anonymised cases ------------------------------------------------ */

static void test_corpus(void **state)
{
	const char *shared = getenv("SHARED");
	char dir[512], path[1024];
	DIR *d;
	struct dirent *e;
	size_t total[KFIND__N] = { 0 }, files = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/corpus", shared && *shared ? shared : "/work/shared");
	if (!(d = opendir(dir))) {
		fprintf(stderr, "# redact: no corpus at %s: skipped\n", dir);
		return;
	}
	while ((e = readdir(d))) {
		struct kcase c;
		struct kfinding_list fl = { 0 };
		struct kerr err = KERR_INIT;
		FILE *fp;
		char *buf;
		long sz;

		if (!strstr(e->d_name, ".txt"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(fp = fopen(path, "rb")))
			continue;
		fseek(fp, 0, SEEK_END);
		sz = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		buf = malloc((size_t)sz + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
		buf[sz] = 0;
		fclose(fp);
		mkcase(&c, NULL, buf);
		assert_int_equal(kredact_check(&c, NULL, &fl, &err), 0);
		for (size_t i = 0; i < fl.n; i++) {
			total[fl.v[i].kind]++;
			if (getenv("REDACT_DUMP"))
				fprintf(stderr, "#   %s %s\n", kfinding_kind_key(fl.v[i].kind), fl.v[i].text);
		}
		files++;
		kfinding_list_free(&fl);
		kcase_free(&c);
		free(buf);
	}
	closedir(d);
	fprintf(stderr, "# redact: corpus (%zu published reports, whole text):", files);
	for (int k = 0; k < KFIND__N; k++)
		fprintf(stderr, " %s %zu", kfinding_kind_key(k), total[k]);
	fputc('\n', stderr);
	/* published anonymised reports name nobody */
	assert_true(total[KFIND_NAME] == 0);
	assert_true(total[KFIND_PERSON] <= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_name_variants),
		cmocka_unit_test(test_name_word),
		cmocka_unit_test(test_metacharacters),
		cmocka_unit_test(test_labels_and_apply),
		cmocka_unit_test(test_labels_skip_used),
		cmocka_unit_test(test_apply_keeps_reid),
		cmocka_unit_test(test_reid_needs_both),
		cmocka_unit_test(test_suggestions),
		cmocka_unit_test(test_empty_and_odd),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_store_unresolved),
		cmocka_unit_test(test_100kb),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
