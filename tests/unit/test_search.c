/*
 * test_search.c - unit tests of search (search.c, store_sqlite_search.c) and
 * classification (classify.c): query parsing and the FTS5 expression,
 * hostile input, Japanese segmentation, synonyms, snippets with offsets
 * into the original (full-width) text, facets, TLP visibility, similar
 * cases, and the tags found in a case's text.
 *
 * The store tests load tests/fixtures/search/cases.json (run from the top
 * of the tree, as tests/run.sh does).
 */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "case_json.h"
#include "classify.h"
#include "i18n.h"
#include "kbuf.h"
#include "kerr.h"
#include "query.h"
#include "search.h"
#include "search_int.h"
#include "similar.h"
#include "store.h"
#include "store_search.h"
#include "store_sqlite.h"
#include "store_sqlite_cover.h"
#include "synonym.h"
#include "tokenizer.h"

#define FIXTURE "tests/fixtures/search/cases.json"

static char tmpdir[256];
static struct kstore *st;
static struct ksyn *syn;

/* ---- helpers ---- */

/* The query's match, or with relaxed 1 its relaxed tier's, 2 that tier's ranking's ("-" for none). */
static char *compile_tier(const char *query, int flags, int relaxed)
{
	struct kquery q;
	struct kerr err = KERR_INIT;
	char *m;

	if (kquery_compile(&q, query, syn, flags, &err) < 0)
		fail_msg("kquery_compile(%s): %s", query, err.msg);
	if (relaxed == 2)
		m = q.relaxed_parts.root ? kstore_query_text(&q.relaxed_parts) : strdup("-");
	else
		m = strdup(!relaxed ? q.match : q.relaxed_match ? q.relaxed_match : "-");
	kquery_free(&q);
	return m;
}

static char *compile_ok(const char *query, int flags)
{
	return compile_tier(query, flags, 0);
}

#define assert_match(query, flags, want) do { \
	char *m_ = compile_ok((query), (flags)); \
	assert_string_equal(m_, (want)); \
	free(m_); \
} while (0)

#define assert_relaxed(query, flags, want) do { \
	char *m_ = compile_tier((query), (flags), 1); \
	assert_string_equal(m_, (want)); \
	free(m_); \
} while (0)

static int compile_err(const char *query, struct kerr *err)
{
	struct kquery q;
	int rc = kquery_compile(&q, query, syn, 0, err);

	if (rc == 0)
		kquery_free(&q);
	return rc;
}

static char *segments(const char *w)
{
	struct kstrv sv = { 0 };
	struct kbuf b = KBUF_INIT;

	assert_true(kquery_segment(w, &sv) >= 0);
	for (size_t i = 0; i < sv.n; i++) {
		if (i)
			kbuf_addch(&b, '|');
		kbuf_adds(&b, sv.v[i]);
	}
	kstrv_clear(&sv);
	return kbuf_detach(&b, NULL);
}

#define assert_segments(w, want) do { \
	char *s_ = segments(w); \
	assert_string_equal(s_, (want)); \
	free(s_); \
} while (0)

static int search(const char *query, int max_tlp, struct ksearch_result *res)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	o.filter.reader = &kreader_local;
	struct kerr err = KERR_INIT;
	int rc;

	o.query = query;
	o.filter.reader = tlp_reader(max_tlp);
	o.syn = syn;
	o.filter.limit = 20;
	rc = ksearch(st, &o, res, &err);
	if (rc < 0 && rc != KE_USAGE && rc != KE_TOOBIG)
		fail_msg("ksearch(%s): %s", query, err.msg);
	return rc;
}

static int has_hit(const struct ksearch_result *r, const char *id)
{
	for (size_t i = 0; i < r->nhits; i++)
		if (!strcmp(r->hits[i].id, id))
			return (int)i + 1;
	return 0;
}

/* Is id among r's full matches (not a case with some of the words)? */
static int full_hit(const struct ksearch_result *r, const char *id)
{
	int k = has_hit(r, id);

	return k && !r->hits[k - 1].partial;
}

static long facet_count(const struct ksearch_result *r, int facet, const char *value)
{
	for (size_t i = 0; i < r->facets[facet].n; i++)
		if (!strcmp(r->facets[facet].v[i].value, value))
			return r->facets[facet].v[i].count;
	return 0;
}

/* ---- setup ---- */

static int setup(void **state)
{
	struct kerr err = KERR_INIT;
	struct kcase_reader *rd = NULL;
	struct kcase c;
	char path[512];
	const char *t = getenv("TMPDIR");
	int rc;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-test-search.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	if (kstore_open(&st, path, 0, &err) < 0) {
		fprintf(stderr, "open: %s\n", err.msg);
		return -1;
	}
	if (ksyn_load(&syn, "data/synonyms.txt", &err) < 0) {
		fprintf(stderr, "synonyms: %s\n", err.msg);
		return -1;
	}
	if (kcase_reader_open(&rd, FIXTURE, &err) < 0) {
		fprintf(stderr, "%s: %s\n", FIXTURE, err.msg);
		return -1;
	}
	for (;;) {
		kcase_init(&c);
		rc = kcase_reader_next(rd, &c, &err);
		if (rc == 1 && (kclassify_case(&c, &err) < 0 || kstore_put(st, &c, NULL, &err) < 0))
			rc = -1;
		kcase_free(&c);
		if (rc <= 0)
			break;
	}
	kcase_reader_close(rd);
	if (rc < 0) {
		fprintf(stderr, "loading: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	kstore_close(st);
	ksyn_free(syn);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- query language ---- */

static void test_compile_basic(void **state)
{
	(void)state;
	assert_match("WordPress", 0, "\"WordPress\"");
	assert_match("rdp vpn", 0, "(\"rdp\" AND \"vpn\")");
	assert_match("\"不正 アクセス\"", 0, "\"不正 アクセス\"");
	assert_match("rdp -vpn", 0, "(\"rdp\" NOT \"vpn\")");
	assert_match("rdp -vpn -ssh", 0, "(\"rdp\" NOT (\"vpn\" OR \"ssh\"))");
	assert_match("rdp OR vpn", 0, "(\"rdp\" OR \"vpn\")");
	assert_match("rdp | vpn", 0, "(\"rdp\" OR \"vpn\")");
	assert_match("a b OR c", 0, "(\"a\" AND (\"b\" OR \"c\"))");
	assert_match("(a b) OR c", 0, "((\"a\" AND \"b\") OR \"c\")");
	assert_match("a AND b", 0, "(\"a\" AND \"b\")");
	/* full-width spaces, quotes, minus and letters */
	assert_match("ｒｄｐ　－ｖｐｎ", 0, "(\"rdp\" NOT \"vpn\")");
	assert_match("“不正 アクセス”", 0, "\"不正 アクセス\"");
	assert_match("「不正 アクセス」", 0, "\"不正 アクセス\"");
	/* a hyphen inside a word is not NOT */
	assert_match("CVE-2021-44228", 0, "\"CVE-2021-44228\"");
	/* lower-case or is a word */
	assert_match("a or b", 0, "(\"a\" AND \"or\" AND \"b\")");
}

static void test_compile_cjk(void **state)
{
	(void)state;
	/* two-character words are plain phrases (bigrams) */
	assert_match("訓練", KQ_NO_SYNONYMS, "\"訓練\"");
	assert_match("遮断", KQ_NO_SYNONYMS, "\"遮断\"");
	/* one character: a prefix query over the bigrams it starts */
	assert_match("系", 0, "\"系\" *");
	assert_match("PC版", KQ_NO_SYNONYMS | KQ_NO_SEGMENT, "\"PC版\" *");
	assert_match("PC版", KQ_NO_SYNONYMS, "(\"PC版\" * OR (\"PC\" AND \"版\" *))");
	assert_match("\"系\"", 0, "\"系\" *");
	/* segmentation: the exact string OR all its segments */
	assert_match("待機系への切替", KQ_NO_SYNONYMS, "(\"待機系への切替\" OR (\"待機系\" AND \"切替\"))");
	assert_match("パッチ未適用", KQ_NO_SYNONYMS, "(\"パッチ未適用\" OR (\"パッチ\" AND \"適用\"))");
	assert_match("待機系への切替", KQ_NO_SYNONYMS | KQ_NO_SEGMENT, "\"待機系への切替\"");
	/* a quoted phrase is never segmented nor expanded */
	assert_match("\"待機系への切替\"", 0, "\"待機系への切替\"");
	/*
	 * the relaxed tier: some of the words, each whole (a word or all of its parts);
	 * where that is the query itself, some of the words' parts
	 */
	assert_relaxed("待機系への切替 遮断", KQ_NO_SYNONYMS,
		       "(((\"待機系への切替\" OR (\"待機系\" AND \"切替\")) OR \"遮断\")) NOT "
		       "(((\"待機系への切替\" OR (\"待機系\" AND \"切替\")) AND \"遮断\"))");
	assert_relaxed("待機系への切替", KQ_NO_SYNONYMS,
		       "((\"待機系への切替\" OR (\"待機系\" OR \"切替\"))) NOT "
		       "((\"待機系への切替\" OR (\"待機系\" AND \"切替\")))");
	assert_relaxed("待機系への切替 OR 遮断", KQ_NO_SYNONYMS,
		       "(((\"待機系への切替\" OR (\"待機系\" OR \"切替\")) OR \"遮断\")) NOT "
		       "(((\"待機系への切替\" OR (\"待機系\" AND \"切替\")) OR \"遮断\"))");
	assert_relaxed("遮断 訓練", KQ_NO_SYNONYMS, "((\"遮断\" OR \"訓練\")) NOT ((\"遮断\" AND \"訓練\"))");
	assert_relaxed("遮断", KQ_NO_SYNONYMS, "-");
	/* its cases ranked with the parts scoring wherever they are: every phrase ORed */
	{
		char *m = compile_tier("待機系への切替 遮断", KQ_NO_SYNONYMS, 2);

		assert_string_equal(m, "(((\"待機系への切替\" OR (\"待機系\" OR \"切替\")) OR \"遮断\")) NOT "
				       "(((\"待機系への切替\" OR (\"待機系\" AND \"切替\")) AND \"遮断\"))");
		free(m);
		m = compile_tier("遮断 訓練", KQ_NO_SYNONYMS, 2);
		assert_string_equal(m, "-");
		free(m);
		m = compile_tier("待機系への切替", KQ_NO_SYNONYMS, 2);
		assert_string_equal(m, "-");
		free(m);
	}
	/* synonyms on the word and on each segment */
	assert_match("待機系", 0, "(\"待機系\" OR \"予備系\" OR \"バックアップ系\" OR \"副系\" OR \"スタンバイ系\")");
	{
		char *m = compile_ok("待機系への切替", 0);

		assert_non_null(strstr(m, "\"予備系\""));
		assert_non_null(strstr(m, "\"切り替え\""));
		assert_non_null(strstr(m, "\"待機系への切替\""));
		free(m);
	}
}

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"", "   ", "　", "!!!", "。、・", "-rdp", "-rdp -vpn", "\"unclosed", "(rdp", "rdp)",
		"()", "OR", "rdp OR", "OR rdp", "a OR OR b", "- -", "--", "\"\"", "「」", "-(a b)",
	};
	static const char *const odd[] = {
		"NEAR(a b)", "title:rdp", "rdp*", "^rdp", "{title}: rdp", "a\"\"b\"", "\"a\"\"b\"",
		"rdp:", "*", "a AND", "NOT a b", "'; DROP TABLE cases; --", "\\\"", "a - b",
		"\xe3\x81", "x\x01y", "\"a\" \"b\" c", "ｒｄｐ＊", "a)OR(b", "(((a)))",
	};
	struct kerr err = KERR_INIT;
	struct ksearch_result res;
	struct kbuf big = KBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kerr_clear(&err);
		if (compile_err(bad[i], &err) != KE_USAGE)
			fail_msg("query [%s]: want KE_USAGE, got %d (%s)", bad[i], err.code, err.msg);
		assert_true(strlen(err.msg) > 5);
		assert_null(strstr(err.msg, "fts5"));
		assert_null(strstr(err.msg, "SQL"));
	}
	/* whatever these give, the database never sees a syntax error */
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		int rc = search(odd[i], -1, &res);

		if (rc < 0 && rc != KE_USAGE)
			fail_msg("query [%s]: %d", odd[i], rc);
		ksearch_result_free(&res);
	}
	/* every term is quoted: the expression has no bare user word */
	{
		char *m = compile_ok("NEAR(a b) title:rdp rdp*", KQ_NO_SYNONYMS);

		assert_string_equal(m, "(\"NEAR\" AND (\"a\" AND \"b\") AND \"title:rdp\" AND \"rdp*\")");
		free(m);
		m = compile_ok("a\"\"b", 0);
		assert_string_equal(m, "(\"a\" AND \"b\")");
		free(m);
		m = compile_ok("x\"\"\"y\"", KQ_NO_SYNONYMS);
		free(m);
	}
	/* size caps */
	for (int i = 0; i < 100 * 1024 / 8; i++)
		kbuf_adds(&big, "あいうえ ");
	kerr_clear(&err);
	assert_int_equal(compile_err(big.buf, &err), KE_TOOBIG);
	assert_int_equal(search(big.buf, -1, &res), KE_TOOBIG);
	ksearch_result_free(&res);
	kbuf_reset(&big);
	for (int i = 0; i < KSEARCH_MAX_TERMS + 1; i++)
		kbuf_addf(&big, "w%d ", i);
	assert_int_equal(compile_err(big.buf, &err), KE_TOOBIG);
	kbuf_reset(&big);
	for (int i = 0; i < 100; i++)
		kbuf_adds(&big, "(");
	assert_true(compile_err(big.buf, &err) < 0);
	kbuf_release(&big);
}

static void test_segment(void **state)
{
	(void)state;
	assert_segments("待機系への切替", "待機系|切替");
	assert_segments("パッチ未適用", "パッチ|適用");
	assert_segments("問い合わせフォーム", "問い合わせ|フォーム");
	assert_segments("切り替えの手順", "切り替え|手順");
	assert_segments("ネットワーク分離", "ネットワーク|分離");
	assert_segments("大量送信", "大量|送信");
	assert_segments("標的型攻撃", "標的型|攻撃");
	assert_segments("不正アクセスによる情報漏洩", "不正|アクセス|情報|漏洩");
	assert_segments("rdp接続", "rdp|接続");
	assert_segments("訓練", "訓練");
	assert_segments("ひらがなだけ", "ひらがなだけ");
	assert_segments("サーバー", "サーバー");
	assert_segments("系", "系");
}

static void test_synonyms(void **state)
{
	struct ksyn *s = NULL, *b = NULL;
	struct kerr err = KERR_INIT;
	const char *const *g;
	struct kbuf file = KBUF_INIT;

	(void)state;
	assert_int_equal(ksyn_parse(&s, "# comment\n予備系 待機系  # trailing\nサーバー/ホスト, 機器\n"
				    "ひとつ\n\n", strlen("# comment\n予備系 待機系  # trailing\nサーバー/ホスト, 機器\nひとつ\n\n"), "t", &err), 0);
	g = ksyn_lookup(s, "待機系");
	assert_non_null(g);
	assert_string_equal(g[0], "予備系");
	assert_string_equal(g[1], "待機系");
	assert_null(g[2]);
	/* compared normalised: サーバ = サーバー = ｻｰﾊﾞ */
	assert_non_null(ksyn_lookup(s, "サーバ"));
	assert_non_null(ksyn_lookup(s, "ｻｰﾊﾞ"));
	assert_non_null(ksyn_lookup(s, "機器"));
	assert_null(ksyn_lookup(s, "ひとつ"));
	assert_null(ksyn_lookup(s, "comment"));
	ksyn_free(s);
	/* the built-in list is data/synonyms.txt */
	setenv("KYOKUN_SYNONYMS", "/nonexistent/synonyms.txt", 1);
	assert_true(ksyn_load(&s, NULL, &err) < 0);
	unsetenv("KYOKUN_SYNONYMS");
	assert_int_equal(kbuf_read_file(&file, "data/synonyms.txt", &err), 0);
	assert_int_equal(ksyn_parse(&s, file.buf, file.len, "file", &err), 0);
	{
		/* load the compiled-in copy: no file reachable from a binary in /proc/self/exe's dir
		 * is not guaranteed, so compare group by group through lookups */
		static const char *const probe[] = { "予備系", "切替", "不正アクセス", "ddos", "問合せ",
						     "拒否リスト", "委託先", "漏えい", NULL };

		assert_int_equal(ksyn_parse(&b, file.buf, file.len, "again", &err), 0);
		for (int i = 0; probe[i]; i++) {
			const char *const *x = ksyn_lookup(s, probe[i]);

			assert_non_null(x);
		}
		ksyn_free(b);
	}
	ksyn_free(s);
	kbuf_release(&file);
}

/* The list compiled into kyokun has the same groups as data/synonyms.txt. */
static void test_synonyms_builtin(void **state)
{
	struct ksyn *f = NULL, *b = NULL;
	struct kerr err = KERR_INIT;
	struct kbuf file = KBUF_INIT;

	(void)state;
	assert_int_equal(kbuf_read_file(&file, "data/synonyms.txt", &err), 0);
	assert_int_equal(ksyn_parse(&f, file.buf, file.len, "file", &err), 0);
	/* from build/tests/ no data/synonyms.txt is reachable: the compiled-in copy loads */
	assert_int_equal(ksyn_load(&b, NULL, &err), 0);
	assert_string_equal(ksyn_source(b), "built-in");
	/* every word of the file is known to the default list and vice versa */
	for (const char *p = file.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p = nl ? nl + 1 : NULL;
		if (!line[0] || line[0] == '#')
			continue;
		{
			char *sp = strchr(line, ' ');

			if (sp)
				*sp = 0;
			if (!ksyn_lookup(b, line))
				fail_msg("default synonyms lack %s (source %s)", line, ksyn_source(b));
		}
	}
	ksyn_free(f);
	ksyn_free(b);
	kbuf_release(&file);
}

/* ---- search on the fixture ---- */

static void test_two_char_and_kanji(void **state)
{
	static const char *const words[] = { "訓練", "委託", "遮断", "漏洩", "系", "切", "ＲＤＰ", "rdp",
					     "Rdp", "ｒｄｐ", "DDoS", "ddos", NULL };
	struct ksearch_result r;

	(void)state;
	for (int i = 0; words[i]; i++) {
		assert_int_equal(search(words[i], -1, &r), 0);
		if (r.nhits == 0)
			fail_msg("%s: no hits", words[i]);
		ksearch_result_free(&r);
	}
	assert_int_equal(search("訓練", -1, &r), 0);
	assert_true(has_hit(&r, "fx-failover"));
	assert_true(has_hit(&r, "fx-secret"));
	ksearch_result_free(&r);
	/* 漏洩 finds 漏えい (synonym) */
	assert_int_equal(search("漏洩", -1, &r), 0);
	assert_true(has_hit(&r, "fx-leak"));
	ksearch_result_free(&r);
	/* exact word ranks first; a query without spaces finds the words apart */
	assert_int_equal(search("予備系への切り替え", -1, &r), 0);
	assert_int_equal(has_hit(&r, "fx-failover"), 1);
	ksearch_result_free(&r);
	assert_int_equal(search("待機系への切替", -1, &r), 0);
	assert_true(has_hit(&r, "fx-failover"));
	assert_true(has_hit(&r, "fx-secret"));
	ksearch_result_free(&r);
	/* NOT */
	assert_int_equal(search("予備系 -訓練", -1, &r), 0);
	assert_int_equal(r.total, 0);
	ksearch_result_free(&r);
	assert_int_equal(search("遮断 -ddos", -1, &r), 0);
	assert_false(has_hit(&r, "fx-ddos"));
	assert_true(has_hit(&r, "fx-mail"));
	ksearch_result_free(&r);
	/* nothing: zero hits is not an error */
	assert_int_equal(search("存在しない語句ですxyz", -1, &r), 0);
	assert_int_equal(r.total, 0);
	ksearch_result_free(&r);
}

static void put_json(const char *text);

static void test_ranking(void **state)
{
	struct ksearch_result r;

	(void)state;
	/* the case with the word in its title comes first */
	assert_int_equal(search("サポート詐欺", -1, &r), 0);
	assert_int_equal(has_hit(&r, "fx-scam"), 1);
	ksearch_result_free(&r);
	assert_int_equal(search("ランサムウェア", -1, &r), 0);
	assert_int_equal(has_hit(&r, "fx-ransom"), 1);
	ksearch_result_free(&r);
	/* relaxed tier: no case has both words; the one with either follows, marked partial */
	assert_int_equal(search("ランサムウェア 偽警告", -1, &r), 0);
	assert_int_equal(r.total, 0);
	assert_true(r.nhits >= 2);
	assert_true(r.hits[0].partial);
	ksearch_result_free(&r);
	/*
	 * the cases with some of the words hold a word whole (パッチ未適用: itself, or パッチ and
	 * 適用): rk-part holds only 適用 and is none of them; among them the parts score wherever
	 * they are: rk-both (ヌルボ and 適用) before rk-one (ヌルボ alone, and shorter)
	 */
	put_json("{\"id\":\"rk-both\",\"title\":\"ヌルボの事例\",\"source\":{\"document\":\"r.pdf\"},"
		 "\"summary\":[\"ヌルボの設定を変えて、その手順の適用を長い時間をかけて確かめた。\"],\"tlp\":\"clear\"}");
	put_json("{\"id\":\"rk-one\",\"title\":\"ヌルボの事例\",\"source\":{\"document\":\"r.pdf\"},"
		 "\"summary\":[\"ヌルボを見た。\"],\"tlp\":\"clear\"}");
	put_json("{\"id\":\"rk-part\",\"title\":\"規則の事例\",\"source\":{\"document\":\"r.pdf\"},"
		 "\"summary\":[\"規則の適用を確かめた。\"],\"tlp\":\"clear\"}");
	assert_int_equal(search("ヌルボ パッチ未適用", -1, &r), 0);
	assert_int_equal(r.total, 0);
	assert_true(has_hit(&r, "rk-both") && has_hit(&r, "rk-one"));
	assert_true(has_hit(&r, "rk-both") < has_hit(&r, "rk-one"));
	assert_int_equal(has_hit(&r, "rk-part"), 0);
	assert_int_equal(r.total_partial, (long)r.nhits);
	ksearch_result_free(&r);
	{
		struct kerr err = KERR_INIT;

		assert_int_equal(kstore_delete(st, "rk-both", &err), 0);
		assert_int_equal(kstore_delete(st, "rk-one", &err), 0);
		assert_int_equal(kstore_delete(st, "rk-part", &err), 0);
	}
}

/*
 * The default ranking (kstore_search_top's, FTS5's match scored in C) gives
 * the same hits, scores (to the bit), phrase masks and order as the pruned
 * SQL statement, and the same hits in the same order as every hit scored
 * (KSTORE_RANK_EXACT; FTS5's own bm25() without synonyms: test_rank_is_bm25),
 * for AND, OR, NOT, prefixes, the relaxed tier, filters, TLP limits, an
 * excluded case and offsets, with lengths read one by one or all at once,
 * on one connection or on two at once (each half of the rows).
 */
static void test_rank_paths(void **state)
{
	static const char *const queries[] = {
		"訓練", "攻撃", "系", "ランサムウェア バックアップ", "サポート詐欺 遠隔操作",
		"ＲＤＰ 総当たり", "訓練 -演習", "(訓練 OR 委託) 脆弱性", "待機系への切替",
		"\"予備系への切り替え\"", "ランサムウェア 偽警告", "a OR b OR rdp", "メール -\"標的型\"",
	};
	struct kfilter filters[4] = { KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT };

	(void)state;
	filters[1].reader = tlp_reader(0);
	filters[2].reader = tlp_reader(1);
	filters[3].year = 2023;
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		struct kquery q;
		struct kerr err = KERR_INIT;

		assert_int_equal(kquery_compile(&q, queries[qi], syn, 0, &err), 0);
		for (int m = 0; m < 2; m++) {
			const char *match = m ? q.relaxed_match : q.match;
			const struct kstore_query *mq = m ? &q.relaxed : &q.expr;

			if (!match)
				continue;
			for (int fi = 0; fi < 4; fi++)
				for (int v = 0; v < 6; v++) {
					long limit = v % 3 == 0 ? 20 : v % 3 == 1 ? 3 : 1, offset = v % 3 == 2 ? 2 : 0;
					long long excl = v >= 3 ? 3 : 0;
					struct kstore_hit *a = NULL, *b = NULL, *c = NULL;
					size_t na = 0, nb = 0, nc = 0;
					/* odd v: lengths read at once; v 1 and 2: in two halves at once */
					int fl = (v & 1 ? KSTORE_RANK_LOAD : 0) | (v == 1 || v == 2 ? KSTORE_RANK_SPLIT : 0);

					assert_int_equal(kstore_search_top(st, mq, fl, &filters[fi], excl, limit, offset,
									   &a, &na, &err), 0);
					assert_int_equal(kstore_search_top(st, mq, KSTORE_RANK_SQL, &filters[fi],
									   excl, limit, offset, &b, &nb, &err), 0);
					assert_int_equal(kstore_search_top(st, mq, KSTORE_RANK_EXACT, &filters[fi],
									   excl, limit, offset, &c, &nc, &err), 0);
					if (na != nb || na != nc)
						fail_msg("%s [%s] filter %d v %d: %zu / %zu / %zu hits", queries[qi],
							 match, fi, v, na, nb, nc);
					for (size_t i = 0; i < na; i++) {
						if (a[i].rid != b[i].rid || a[i].score != b[i].score ||
						    a[i].phrases != b[i].phrases || a[i].rid != c[i].rid)
							fail_msg("%s [%s] filter %d v %d hit %zu: %lld %.17g %llx /"
								 " %lld %.17g %llx / %lld", queries[qi], match, fi, v, i,
								 a[i].rid, a[i].score, a[i].phrases, b[i].rid, b[i].score,
								 b[i].phrases, c[i].rid);
					}
					free(a);
					free(b);
					free(c);
				}
		}
		kquery_free(&q);
	}
}

/*
 * Without synonyms (no word has alternatives to count as one term), the
 * ranking is FTS5's own bm25() with the column weights: the same hits in
 * the same order, read on a connection of its own.
 */
static void test_rank_is_bm25(void **state)
{
	static const char *const queries[] = {
		"訓練", "攻撃", "系", "ランサムウェア バックアップ", "サポート詐欺 遠隔操作",
		"ＲＤＰ 総当たり", "訓練 -演習", "(訓練 OR 委託) 脆弱性", "待機系への切替",
		"\"予備系への切り替え\"", "a OR b OR rdp", "メール -\"標的型\"",
	};
	char path[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	struct kerr err = KERR_INIT;

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(ktok_register(db, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM case_fts WHERE case_fts MATCH ?1"
					    " ORDER BY bm25(case_fts, 8.0, 4.0, 3.0, 1.0, 1.0, 0.5), rowid LIMIT 20",
					    -1, &s, NULL), SQLITE_OK);
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		struct kquery q;
		struct kfilter none = KFILTER_LOCAL_INIT;
		struct kstore_hit *a = NULL;
		size_t na = 0, nb = 0;

		assert_int_equal(kquery_compile(&q, queries[qi], syn, KQ_NO_SYNONYMS, &err), 0);
		assert_int_equal(kstore_search_top(st, &q.expr, 0, &none, 0, 20, 0, &a, &na, &err), 0);
		sqlite3_bind_text(s, 1, q.match, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			if (nb >= na || a[nb].rid != sqlite3_column_int64(s, 0))
				fail_msg("%s [%s] hit %zu: %lld, FTS5's bm25() %lld", queries[qi], q.match, nb,
					 nb < na ? a[nb].rid : -1, (long long)sqlite3_column_int64(s, 0));
			nb++;
		}
		sqlite3_reset(s);
		if (na != nb)
			fail_msg("%s: %zu hits, FTS5's bm25() %zu", queries[qi], na, nb);
		free(a);
		kquery_free(&q);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/*
 * With idf estimated from samples of the rows (what a big library gets),
 * a query still finds exactly the cases it matches, each once, best first,
 * with the same phrase masks; only the scores move.
 */
static void test_rank_sampled(void **state)
{
	static const char *const queries[] = {
		"ランサムウェア バックアップ", "サポート詐欺 遠隔操作", "(訓練 OR 委託) 脆弱性", "訓練 -演習",
		"漏洩", "a OR b OR rdp",
	};

	(void)state;
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		struct kquery q;
		struct kerr err = KERR_INIT;
		struct kfilter none = KFILTER_LOCAL_INIT;
		struct kstore_hit *a = NULL, *c = NULL;
		size_t na = 0, nc = 0;

		assert_int_equal(kquery_compile(&q, queries[qi], syn, 0, &err), 0);
		for (int split = 0; split < 2; split++) {
			assert_int_equal(kstore_search_top(st, &q.expr, KSTORE_RANK_SAMPLE | (split ? KSTORE_RANK_SPLIT : 0),
							   &none, 0, 1000, 0, &a, &na, &err), 0);
			assert_int_equal(kstore_search_top(st, &q.expr, KSTORE_RANK_EXACT, &none, 0, 1000, 0, &c, &nc,
							   &err), 0);
			if (na != nc)
				fail_msg("%s: %zu sampled hits, %zu exact", queries[qi], na, nc);
			for (size_t i = 0; i < na; i++) {
				size_t j;

				if (i && a[i].score > a[i - 1].score)
					fail_msg("%s: hit %zu scores above the one before", queries[qi], i);
				if (!(a[i].score > 0) || !isfinite(a[i].score))
					fail_msg("%s: hit %zu scores %g", queries[qi], i, a[i].score);
				for (j = 0; j < nc && c[j].rid != a[i].rid; j++)
					;
				if (j == nc)
					fail_msg("%s: row %lld is no exact hit", queries[qi], a[i].rid);
				for (size_t k = 0; k < i; k++)
					if (a[k].rid == a[i].rid)
						fail_msg("%s: row %lld twice", queries[qi], a[i].rid);
			}
			free(a);
			free(c);
		}
		kquery_free(&q);
	}
}

/*
 * Of two alternatives where every row with one holds the other (ランサム is
 * in ランサムウェア), the match keeps the shorter: the longer adds no row.
 * The snippets still mark the longer word whole.  Latin words are whole
 * tokens: RDP is not in RDPGW.
 */
static void test_subsumed_alternatives(void **state)
{
	struct kquery q;
	struct kerr err = KERR_INIT;
	struct ksyn *s2 = NULL;
	struct ksearch_result r;
	static const char text[] = "ランサムウェア ランサム 身代金\nRDP RDPGW\n委託先 外部委託先 業務委託先\n";

	(void)state;
	assert_int_equal(ksyn_parse(&s2, text, sizeof(text) - 1, "test", &err), 0);
	assert_int_equal(kquery_compile(&q, "ランサムウェア", s2, 0, &err), 0);
	assert_string_equal(q.match, "(\"ランサム\" OR \"身代金\")");
	kquery_free(&q);
	assert_int_equal(kquery_compile(&q, "ランサムウェア", s2, KQ_ALL_PHRASES, &err), 0);
	assert_string_equal(q.match, "(\"ランサムウェア\" OR \"ランサム\" OR \"身代金\")");
	kquery_free(&q);
	assert_int_equal(kquery_compile(&q, "rdp", s2, 0, &err), 0);
	assert_string_equal(q.match, "(\"rdp\" OR \"RDPGW\")");
	kquery_free(&q);
	assert_int_equal(kquery_compile(&q, "外部委託先", s2, KQ_NO_SEGMENT, &err), 0);
	assert_string_equal(q.match, "\"委託先\"");
	kquery_free(&q);
	ksyn_free(s2);

	assert_int_equal(search("ランサムウェア", -1, &r), 0);
	assert_true(r.nhits >= 1);
	{
		int whole = 0;

		for (size_t i = 0; i < r.nhits; i++)
			for (size_t k = 0; k < r.hits[i].nspans; k++) {
				const struct ksearch_hit *h = &r.hits[i];

				if (h->spans[k].end - h->spans[k].start == 21 &&
				    !memcmp(h->snippet + h->spans[k].start, "ランサムウェア", 21))
					whole++;
			}
		assert_true(whole >= 1);
	}
	ksearch_result_free(&r);
}

/* A search with synonym list text (o's query, reader, limit), as search() does. */
static void search_with(const char *text, const char *query, struct ksearch_result *r)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct kerr err = KERR_INIT;
	struct ksyn *s = NULL;

	assert_int_equal(ksyn_parse(&s, text, strlen(text), "test", &err), 0);
	o.query = query;
	o.filter.reader = &kreader_local;
	o.syn = s;
	o.filter.limit = 50;
	if (ksearch(st, &o, r, &err) < 0)
		fail_msg("ksearch(%s): %s", query, err.msg);
	ksyn_free(s);
}

/*
 * A synonym that no case of the library holds (one of its tokens in no
 * case, by the vocabulary) is left out of what runs: it would match and
 * score nothing, and cost a walk of its tokens' rows.  The results are
 * those of the list without it; the word as typed always stays, and an
 * absent synonym subsumes nothing.
 */
static void test_absent_synonyms(void **state)
{
	static const char with[] = "訓練 バックアップ 鰻丼祭 xyzzyq\n遮断 停止 鰻重\n鰻丼 鰻丼祭り\n";
	static const char without[] = "訓練 バックアップ\n遮断 停止\n";
	static const char *const queries[] = { "訓練", "訓練 遮断", "遮断 OR 訓練", "訓練 -遮断", "訓練 攻撃" };
	struct kquery q;
	struct kerr err = KERR_INIT;
	struct ksyn *s = NULL;

	(void)state;
	assert_int_equal(ksyn_parse(&s, with, sizeof(with) - 1, "test", &err), 0);
	/* without a library every synonym stays; on this one only those some case holds */
	assert_int_equal(kquery_compile(&q, "訓練", s, 0, &err), 0);
	assert_string_equal(q.match, "(\"訓練\" OR \"バックアップ\" OR \"鰻丼祭\" OR \"xyzzyq\")");
	kquery_free(&q);
	assert_int_equal(kquery_compile_in(&q, "訓練", s, 0, st, &err), 0);
	assert_string_equal(q.match, "(\"訓練\" OR \"バックアップ\")");
	kquery_free(&q);
	assert_int_equal(kquery_compile_in(&q, "訓練", s, KQ_ALL_PHRASES, st, &err), 0);
	assert_string_equal(q.match, "(\"訓練\" OR \"バックアップ\")");
	kquery_free(&q);
	/* the word as typed stays though no case holds it; 鰻丼, in none, does not stand in for it */
	assert_int_equal(kquery_compile_in(&q, "鰻丼祭り", s, KQ_NO_SEGMENT, st, &err), 0);
	assert_string_equal(q.match, "\"鰻丼祭り\"");
	kquery_free(&q);
	assert_int_equal(kquery_compile_in(&q, "鰻丼", s, KQ_NO_SEGMENT, st, &err), 0);
	assert_string_equal(q.match, "\"鰻丼\"");
	kquery_free(&q);
	ksyn_free(s);
	/* the same hits, scores, order and totals as the list without them */
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
		struct ksearch_result a, b;

		search_with(with, queries[i], &a);
		search_with(without, queries[i], &b);
		assert_string_equal(a.match, b.match);
		assert_int_equal(a.total, b.total);
		assert_int_equal(a.total_partial, b.total_partial);
		assert_int_equal(a.nhits, b.nhits);
		assert_true(a.nhits > 0);
		for (size_t k = 0; k < a.nhits; k++) {
			assert_string_equal(a.hits[k].id, b.hits[k].id);
			assert_true(a.hits[k].score == b.hits[k].score);
			assert_int_equal(a.hits[k].partial, b.hits[k].partial);
			assert_int_equal(a.hits[k].where, b.hits[k].where);
		}
		ksearch_result_free(&a);
		ksearch_result_free(&b);
	}
}

/* Facets and filtered totals from the columns kept in memory = from SQL joins. */
struct fsnap {
	char line[200][160];
	int n;
};

static int fsnap_cb(void *ctx, int facet, const char *value, long count)
{
	struct fsnap *fs = ctx;

	if (fs->n < 200)
		snprintf(fs->line[fs->n++], sizeof(fs->line[0]), "%d %s %ld", facet, value, count);
	return 0;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_facets_memory(void **state)
{
	static const char *const queries[] = { "訓練", "攻撃", "ランサムウェア バックアップ", "訓練 -演習", "系" };
	struct kfilter filters[8] = { KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT,
				      KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT };

	(void)state;
	filters[1].reader = tlp_reader(0);
	filters[2].reader = tlp_reader(1);
	filters[2].year = 2023;
	filters[3].threat = "brute_force";
	filters[3].sector = "finance";
	filters[4].tag = "cyber_attack";
	filters[5].event_class = "cyber_attack";
	filters[5].tlp = "green";
	/* a range of years; the cases without a sector or a threat (未分類) */
	filters[6].year_from = 2022;
	filters[6].year_to = 2023;
	filters[7].none = 1u << KFACET_SECTOR | 1u << KFACET_THREAT;
	filters[7].reader = tlp_reader(1);
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		struct kquery q;
		struct kerr err = KERR_INIT;

		assert_int_equal(kquery_compile(&q, queries[qi], syn, 0, &err), 0);
		for (int fi = 0; fi < 8; fi++) {
			static struct fsnap a, b;
			long ta = -1, tb = -2, ca = -3, cb = -4;

			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			kstore_search_tune(st, 0, 0);
			assert_int_equal(kstore_search_facets(st, &q.expr, &filters[fi], fsnap_cb, &a, &ta, &err), 0);
			assert_int_equal(kstore_search_count(st, &q.expr, &filters[fi], 2, &ca, &err), 0);
			kstore_search_tune(st, 0, 1);
			assert_int_equal(kstore_search_facets(st, &q.expr, &filters[fi], fsnap_cb, &b, &tb, &err), 0);
			assert_int_equal(kstore_search_count(st, &q.expr, &filters[fi], 2, &cb, &err), 0);
			kstore_search_tune(st, 0, 0);
			if (ta != tb || ca != cb || a.n != b.n)
				fail_msg("%s filter %d: total %ld / %ld, count %ld / %ld, %d / %d values", queries[qi], fi,
					 ta, tb, ca, cb, a.n, b.n);
			qsort(a.line, (size_t)a.n, sizeof(a.line[0]), line_cmp);
			qsort(b.line, (size_t)b.n, sizeof(b.line[0]), line_cmp);
			for (int i = 0; i < a.n; i++)
				if (strcmp(a.line[i], b.line[i]))
					fail_msg("%s filter %d: %s / %s", queries[qi], fi, a.line[i], b.line[i]);
		}
		kquery_free(&q);
	}
	/* a list of cases (a section search's kept ones): the same from memory as in SQL, a row
	 * without a case and one past the last left out */
	{
		long long rids[40];
		size_t n = 0;
		struct kerr err = KERR_INIT;
		static struct fsnap a, b;

		for (long long r = 1; r <= 30; r += 2)
			rids[n++] = r;
		rids[n++] = 1000000;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		kstore_search_tune(st, 0, 0);
		assert_int_equal(kstore_search_facets_rids(st, rids, n, fsnap_cb, &a, &err), 0);
		kstore_search_tune(st, 0, 1);
		assert_int_equal(kstore_search_facets_rids(st, rids, n, fsnap_cb, &b, &err), 0);
		kstore_search_tune(st, 0, 0);
		assert_true(a.n > 3);
		assert_int_equal(a.n, b.n);
		qsort(a.line, (size_t)a.n, sizeof(a.line[0]), line_cmp);
		qsort(b.line, (size_t)b.n, sizeof(b.line[0]), line_cmp);
		for (int i = 0; i < a.n; i++)
			assert_string_equal(a.line[i], b.line[i]);
	}
}

static void test_snippet_offsets(void **state)
{
	struct ksearch_result r;
	struct ksearch_hit *h;

	(void)state;
	/* a half-width query marks the full-width text as written */
	assert_int_equal(search("rdp 接続", -1, &r), 0);
	assert_true(r.nhits >= 1);
	h = &r.hits[0];
	assert_string_equal(h->id, "fx-rdp");
	assert_non_null(h->snippet);
	assert_true(h->nspans >= 1);
	{
		int found = 0;

		for (size_t k = 0; k < h->nspans; k++) {
			int n = h->spans[k].end - h->spans[k].start;

			if (n == 9 && !memcmp(h->snippet + h->spans[k].start, "ＲＤＰ", 9))
				found = 1;
		}
		assert_true(found);
	}
	ksearch_result_free(&r);
	/* a one-kanji query marks the kanji, not the bigram it starts */
	assert_int_equal(search("系", -1, &r), 0);
	assert_true(r.nhits >= 1);
	h = &r.hits[0];
	for (size_t k = 0; k < h->nspans; k++) {
		assert_int_equal(h->spans[k].end - h->spans[k].start, 3);
		assert_memory_equal(h->snippet + h->spans[k].start, "系", 3);
	}
	ksearch_result_free(&r);
	/* the snippet is a piece of the field: its offset points at it */
	assert_int_equal(search("脅迫文", -1, &r), 0);
	assert_int_equal(r.nhits, 1);
	h = &r.hits[0];
	assert_string_equal(h->snippet_field, "body");
	assert_int_equal(h->nspans, 1);
	assert_memory_equal(h->snippet + h->spans[0].start, "脅迫文", 9);
	ksearch_result_free(&r);
	/* JSON highlights count characters */
	assert_int_equal(search("ＶＰＮ", -1, &r), 0);
	{
		json_t *j = ksearch_result_json(&r), *res0, *hl;
		const char *snip;
		json_int_t s, e;

		assert_non_null(j);
		res0 = json_array_get(json_object_get(j, "results"), 0);
		snip = json_string_value(json_object_get(res0, "snippet"));
		hl = json_array_get(json_object_get(res0, "highlights"), 0);
		assert_non_null(hl);
		s = json_integer_value(json_array_get(hl, 0));
		e = json_integer_value(json_array_get(hl, 1));
		assert_int_equal(e - s, 3);
		assert_non_null(snip);
		json_decref(j);
	}
	ksearch_result_free(&r);
}

/* The parts of a case by name: key, Japanese, English; the snippet says which part it is from. */
static void test_where(void **state)
{
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	int cause = -1;

	(void)state;
	for (int f = 0; f < KSF__N; f++) {
		assert_int_equal(ksearch_field_parse(ksearch_field_key(f)), f);
		assert_int_equal(ksearch_field_parse(ksearch_field_ja(f)), f);
		assert_int_equal(ksearch_field_parse(ksearch_field_en(f)), f);
		if (!strcmp(ksearch_field_key(f), "cause"))
			cause = f;
	}
	assert_true(cause >= 0);
	assert_int_equal(ksearch_field_parse("原因"), cause);
	assert_int_equal(ksearch_field_parse(" CAUSE "), cause);
	assert_int_equal(ksearch_field_parse("body"), -1);
	assert_int_equal(ksearch_field_parse(""), -1);
	assert_int_equal(ksearch_field_parse(NULL), -1);
	assert_int_equal(ksearch_field_error("結論", &err), KE_USAGE);
	assert_non_null(strstr(err.msg, "cause (原因)"));
	/* a hit's parts include the one its snippet is from */
	assert_int_equal(search("脅迫文", -1, &r), 0);
	assert_int_equal(r.nhits, 1);
	assert_true(r.hits[0].snippet_where >= KSF_SECTION && r.hits[0].snippet_where < KSF_TIMELINE);
	assert_true(r.hits[0].where & 1u << r.hits[0].snippet_where);
	ksearch_result_free(&r);
}

static void test_facets_filters(void **state)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	o.filter.reader = &kreader_local;
	struct ksearch_result r;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(search("遮断", -1, &r), 0);
	assert_int_equal(r.total, 4);
	assert_true(r.has_facets);
	assert_int_equal(facet_count(&r, KFACET_CATEGORY, "外部からのサイバー攻撃"), 4);
	assert_int_equal(facet_count(&r, KFACET_YEAR, "2022"), 2);
	assert_int_equal(facet_count(&r, KFACET_YEAR, "2021"), 1);
	assert_int_equal(facet_count(&r, KFACET_DOCUMENT, "fixture-2022.pdf"), 2);
	assert_int_equal(facet_count(&r, KFACET_TLP, "clear"), 3);
	assert_int_equal(facet_count(&r, KFACET_TLP, "green"), 1);
	assert_int_equal(facet_count(&r, KFACET_EVENT_CLASS, "cyber_attack"), 4);
	assert_int_equal(facet_count(&r, KFACET_THREAT, "brute_force"), 1);
	assert_int_equal(facet_count(&r, KFACET_SECTOR, "finance"), 1);
	assert_int_equal(facet_count(&r, KFACET_READER_LEVEL, "basic"), 1);
	ksearch_result_free(&r);

	o.query = "遮断";
	o.syn = syn;
	assert_int_equal(ksearch_filter_set(&o.filter, "year", "2022", &err), 0);
	assert_int_equal(ksearch(st, &o, &r, &err), 0);
	assert_int_equal(r.total, 2);
	assert_int_equal(facet_count(&r, KFACET_YEAR, "2022"), 2);
	assert_int_equal(facet_count(&r, KFACET_YEAR, "2021"), 0);
	ksearch_result_free(&r);
	assert_int_equal(ksearch_filter_set(&o.filter, "threat", "brute_force", &err), 0);
	assert_int_equal(ksearch(st, &o, &r, &err), 0);
	assert_int_equal(r.total, 1);
	assert_string_equal(r.hits[0].id, "fx-rdp");
	ksearch_result_free(&r);

	assert_int_equal(ksearch_filter_set(&o.filter, "colour", "red", &err), KE_USAGE);
	assert_non_null(strstr(err.msg, "unknown filter"));
	assert_int_equal(ksearch_filter_set(&o.filter, "year", "twenty", &err), KE_USAGE);
	assert_int_equal(ksearch_filter_set(&o.filter, "tlp", "purple", &err), KE_USAGE);
	assert_int_equal(ksearch_filter_set(&o.filter, "event_class", "x", &err), KE_USAGE);
}

static void test_tlp_visibility(void **state)
{
	struct ksearch_result r;
	struct ksimilar_opts so = KSIMILAR_OPTS_INIT;
	so.filter.reader = &kreader_local;
	struct kerr err = KERR_INIT;

	(void)state;
	/* fx-secret (red) and fx-rdp (green) are hidden from anonymous users */
	assert_int_equal(search("訓練", 0, &r), 0);
	assert_false(has_hit(&r, "fx-secret"));
	assert_true(has_hit(&r, "fx-failover"));
	assert_int_equal(facet_count(&r, KFACET_TLP, "red"), 0);
	assert_int_equal(facet_count(&r, KFACET_DOCUMENT, "fixture-2023.pdf"), 0);
	ksearch_result_free(&r);
	assert_int_equal(search("rdp", 0, &r), 0);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.nhits, 0);
	assert_int_equal(r.facets[KFACET_THREAT].n, 0);
	ksearch_result_free(&r);
	assert_int_equal(search("rdp", 1, &r), 0);
	assert_int_equal(r.total, 1);
	ksearch_result_free(&r);
	/* relaxed tier too */
	assert_int_equal(search("ＲＤＰ 偽警告", 0, &r), 0);
	assert_false(has_hit(&r, "fx-rdp"));
	ksearch_result_free(&r);
	/* similar: a hidden case is not found, nor shown as similar */
	so.id = "fx-secret";
	so.filter.reader = tlp_reader(0);
	assert_int_equal(ksimilar(st, &so, &r, &err), KE_NOTFOUND);
	ksearch_result_free(&r);
	so.id = "fx-failover";
	assert_int_equal(ksimilar(st, &so, &r, &err), 0);
	assert_false(has_hit(&r, "fx-secret"));
	ksearch_result_free(&r);
	so.filter.reader = tlp_reader(4);
	assert_int_equal(ksimilar(st, &so, &r, &err), 0);
	assert_int_equal(has_hit(&r, "fx-secret"), 1);
	ksearch_result_free(&r);
}

static void test_similar(void **state)
{
	struct ksimilar_opts so = KSIMILAR_OPTS_INIT;
	so.filter.reader = &kreader_local;
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	int shares = 0;

	(void)state;
	so.id = "fx-failover";
	assert_int_equal(ksimilar(st, &so, &r, &err), 0);
	assert_true(r.nterms > 0);
	assert_false(has_hit(&r, "fx-failover"));
	assert_string_equal(r.hits[0].id, "fx-secret");
	for (size_t k = 0; k < r.hits[0].nshared; k++)
		shares |= !strcmp(r.hits[0].shared[k], "予備系");
	assert_true(shares);
	ksearch_result_free(&r);

	memset(&so, 0, sizeof(so));
	so.filter.reader = tlp_reader(-1);
	so.text = "ランサムウェアに感染し、ファイルが暗号化された。バックアップから復旧した。";
	assert_int_equal(ksimilar(st, &so, &r, &err), 0);
	assert_true(r.nhits >= 1);
	assert_string_equal(r.hits[0].id, "fx-ransom");
	assert_true(r.hits[0].nshared >= 2);
	ksearch_result_free(&r);

	so.id = "no-such-case";
	so.text = NULL;
	assert_int_equal(ksimilar(st, &so, &r, &err), KE_NOTFOUND);
	ksearch_result_free(&r);
	so.id = NULL;
	so.text = "";
	assert_int_equal(ksimilar(st, &so, &r, &err), KE_USAGE);
	ksearch_result_free(&r);
	/* a text with nothing in common: zero hits, no error */
	so.text = "!!! ??? 123";
	assert_int_equal(ksimilar(st, &so, &r, &err), 0);
	assert_int_equal(r.nhits, 0);
	ksearch_result_free(&r);
}

static void *warm_store(void *p)
{
	struct kerr e = KERR_INIT;

	(void)kstore_search_warm(p, &e);
	return NULL;
}

/* r and q list the same cases in the same order, with the same shared terms. */
static void same_hits(const struct ksearch_result *r, const struct ksearch_result *q, const char *what)
{
	if (r->nhits != q->nhits)
		fail_msg("%s: %zu hits, then %zu", what, r->nhits, q->nhits);
	for (size_t i = 0; i < r->nhits; i++) {
		if (strcmp(r->hits[i].id, q->hits[i].id) || r->hits[i].nshared != q->hits[i].nshared)
			fail_msg("%s: hit %zu %s (%zu terms), then %s (%zu)", what, i, r->hits[i].id,
				 r->hits[i].nshared, q->hits[i].id, q->hits[i].nshared);
		for (size_t k = 0; k < r->hits[i].nshared; k++)
			assert_string_equal(r->hits[i].shared[k], q->hits[i].shared[k]);
	}
}

/*
 * A case page's similar cases while another connection is reading the
 * facet columns (the first second of `serve` in a large library): found
 * without them (one SQL lookup a row) rather than waiting, and the same
 * as with them, for each reader.
 */
static void test_similar_cold(void **state)
{
	static const char *const ids[] = { "fx-failover", "fx-ransom", "fx-rdp", "fx-mail", "fx-leak" };
	struct hold h = HOLD_INIT;
	struct ksearch_result cold[5][3], warm;
	struct kerr err = KERR_INIT;
	struct kstore *a = NULL, *b = NULL;
	char path[600];
	pthread_t t;

	(void)state;
	/* a state no connection has read the columns of (st has, for the fixture's) */
	put_json("{\"id\":\"fx-cold\",\"title\":\"切替の事例\",\"source\":{\"document\":\"c.pdf\"},"
		 "\"summary\":[\"予備系への切替を確かめた。\"],\"tlp\":\"clear\"}");
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	assert_int_equal(kstore_open(&a, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_open(&b, path, KSTORE_READONLY, &err), 0);
	ksqlite_facets__test_hook(hold_reader, &h);
	assert_int_equal(pthread_create(&t, NULL, warm_store, a), 0);
	hold_wait(&h);
	ksqlite_facets__test_hook(NULL, NULL);
	alarm(60); /* (waiting for a, it would never end) */
	for (int i = 0; i < 5; i++)
		for (int v = 0; v < 3; v++) {
			struct ksimilar_opts so = KSIMILAR_OPTS_INIT;

			so.id = ids[i];
			so.filter.reader = tlp_reader(v == 2 ? 4 : v);
			so.no_total = 1;
			if (ksimilar(b, &so, &cold[i][v], &err) < 0 && err.code != KE_NOTFOUND)
				fail_msg("similar %s: %s", ids[i], err.msg);
		}
	alarm(0);
	hold_release(&h);
	pthread_join(t, NULL);
	for (int i = 0; i < 5; i++)
		for (int v = 0; v < 3; v++) {
			struct ksimilar_opts so = KSIMILAR_OPTS_INIT;
			char what[64];

			so.id = ids[i];
			so.filter.reader = tlp_reader(v == 2 ? 4 : v);
			so.no_total = 1;
			if (ksimilar(b, &so, &warm, &err) < 0 && err.code != KE_NOTFOUND)
				fail_msg("similar %s: %s", ids[i], err.msg);
			snprintf(what, sizeof(what), "%s, reader %d", ids[i], v);
			same_hits(&cold[i][v], &warm, what);
			ksearch_result_free(&cold[i][v]);
			ksearch_result_free(&warm);
		}
	kstore_close(a);
	kstore_close(b);
	assert_int_equal(kstore_delete(st, "fx-cold", &err), 0);
}

/* ---- classification ---- */

static void test_classify(void **state)
{
	struct kcase c;
	struct kerr err = KERR_INIT;

	(void)state;
	kcase_init(&c);
	kstr_set(&c.title, "ＤＤｏＳ攻撃によるサービス停止");
	kstrv_push(&c.summary, "病院の予約システムが停止した");
	kcase_section_append(&c, KSEC_LESSONS, "ランサムウェアへの備えも必要");
	assert_int_equal(kclassify_case(&c, &err), 0);
	assert_string_equal(c.tags.event_class, "cyber_attack");
	assert_true(kstrv_contains(&c.tags.threats, "ddos"));
	/* the lessons talk about what might happen: not a threat of this case */
	assert_false(kstrv_contains(&c.tags.threats, "ransomware"));
	assert_true(kstrv_contains(&c.tags.sectors, "medical"));
	kcase_free(&c);

	kcase_init(&c);
	kstr_set(&c.title, "ハードウェア故障に伴うサービスの停止");
	kstr_set(&c.category, "システム故障に起因した重要インフラサービス障害");
	kcase_section_append(&c, KSEC_CAUSE, "設定値の誤りにより予備系に切り替わらなかった");
	assert_int_equal(kclassify_case(&c, &err), 0);
	assert_string_equal(c.tags.event_class, "system_failure");
	assert_true(kstrv_contains(&c.tags.threats, "hardware_failure"));
	assert_true(kstrv_contains(&c.tags.threats, "misconfiguration"));
	kcase_free(&c);

	/* tags given in the case win */
	kcase_init(&c);
	kstr_set(&c.title, "サポート詐欺");
	kstr_set(&c.tags.event_class, "other");
	kstrv_push(&c.tags.threats, "phishing_mail");
	assert_int_equal(kclassify_case(&c, &err), 0);
	assert_string_equal(c.tags.event_class, "other");
	assert_int_equal(c.tags.threats.n, 1);
	assert_string_equal(c.tags.threats.v[0], "phishing_mail");
	kcase_free(&c);

	kcase_init(&c);
	kstr_set(&c.title, "総当たり攻撃による管理画面への不正ログイン");
	kstrv_push(&c.summary, "委託先が管理するサーバで発生した");
	assert_int_equal(kclassify_case(&c, &err), 0);
	assert_string_equal(c.tags.event_class, "cyber_attack");
	assert_true(kstrv_contains(&c.tags.threats, "brute_force"));
	assert_true(kstrv_contains(&c.tags.threats, "unauthorized_access"));
	assert_true(kstrv_contains(&c.tags.threats, "third_party"));
	kcase_free(&c);

	kcase_init(&c);
	kstr_set(&c.title, "会議の記録");
	assert_int_equal(kclassify_case(&c, &err), 0);
	assert_string_equal(c.tags.event_class, "other");
	assert_int_equal(c.tags.threats.n, 0);
	kcase_free(&c);
}

/* Store case i of a small set made here: clear fillers and hidden (amber, red) cases, interleaved. */
/* Store the case of JSON text. */
static void put_json(const char *text)
{
	json_error_t je;
	json_t *obj;
	struct kcase c;
	struct kerr err = KERR_INIT;

	assert_non_null(obj = json_loads(text, 0, &je));
	kcase_init(&c);
	if (kcase_from_json(&c, obj, &err) < 0 || kstore_put(st, &c, NULL, &err) < 0)
		fail_msg("%s: %s", text, err.msg);
	kcase_free(&c);
	json_decref(obj);
}

static void put_extra(int i, int hidden)
{
	static const char *const words[] = { "訓練", "バックアップ", "ランサムウェア", "予備系への切り替え", "委託", "脆弱性" };
	char text[1024];

	if (hidden)
		snprintf(text, sizeof(text),
			 "{\"id\":\"fx-hidden-%d\",\"title\":\"訓練 ランサムウェア\",\"source\":{\"document\":\"h.pdf\"},"
			 "\"summary\":[\"予備系への切り替え 訓練 委託 脆弱性 バックアップ 系 %s\"],\"tlp\":\"%s\"}",
			 i, words[i % 6], i % 2 ? "red" : "amber");
	else
		snprintf(text, sizeof(text),
			 "{\"id\":\"fx-extra-%d\",\"title\":\"%s\",\"source\":{\"document\":\"e.pdf\"},"
			 "\"summary\":[\"%s%sがあった。\"],\"tlp\":\"clear\"}",
			 i, words[i % 6], words[(i * 5 + 1) % 6], i % 3 ? "の点検" : "と停止");
	put_json(text);
}

/*
 * A reader who does not see every level is ranked with statistics of its
 * own (issue 16): cases hidden from it, full of the query's words and
 * amid its cases' rowids, change nothing of its hits, scores or order, on
 * every path of the ranking, with idf counted or sampled (tiny windows
 * placed among the rows it sees).
 */
static void test_rank_reader_stats(void **state)
{
	static const char *const queries[] = {
		"訓練", "系", "ランサムウェア バックアップ", "\"予備系への切り替え\"", "(訓練 OR 委託) 脆弱性", "訓練 -演習",
	};
	static const int flags[] = { 0, KSTORE_RANK_SQL, KSTORE_RANK_EXACT, KSTORE_RANK_SAMPLE,
				     KSTORE_RANK_SAMPLE | KSTORE_RANK_SPLIT | KSTORE_RANK_LOAD };
	enum { NQ = sizeof(queries) / sizeof(queries[0]), NF = sizeof(flags) / sizeof(flags[0]) };
	struct kstore_hit *hits[2][NQ][NF] = { 0 };
	size_t n[2][NQ][NF] = { 0 };
	struct kfilter f = KFILTER_INIT;
	struct kerr err = KERR_INIT;
	char id[32];
	int nh = 0, seen = 0;

	(void)state;
	f.reader = tlp_reader(0);
	/* more cases than the tiny windows hold; the hidden ones amid them */
	for (int i = 0; i < 24; i++)
		put_extra(i, i % 3 == 1);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t qi = 0; qi < NQ; qi++) {
			struct kquery q;

			assert_int_equal(kquery_compile(&q, queries[qi], syn, 0, &err), 0);
			for (size_t fi = 0; fi < NF; fi++)
				assert_int_equal(kstore_search_top(st, &q.expr, flags[fi], &f, 0, 20, 0, &hits[pass][qi][fi],
								   &n[pass][qi][fi], &err), 0);
			if (pass == 0) {
				/* the hidden cases match: a reader who sees them gets them */
				struct kfilter all = KFILTER_LOCAL_INIT;
				struct kstore_hit *h = NULL;
				size_t nall = 0;

				assert_int_equal(kstore_search_top(st, &q.expr, 0, &all, 0, 50, 0, &h, &nall, &err), 0);
				seen += nall > n[0][qi][0];
				free(h);
			}
			kquery_free(&q);
		}
		if (pass == 0) {
			/* the hidden cases go */
			for (int i = 1; i < 24; i += 3, nh++) {
				snprintf(id, sizeof(id), "fx-hidden-%d", i);
				assert_int_equal(kstore_delete(st, id, &err), 0);
			}
		}
	}
	assert_int_equal(nh, 8);
	assert_true(seen >= 4);
	for (size_t qi = 0; qi < NQ; qi++)
		for (size_t fi = 0; fi < NF; fi++) {
			if (n[0][qi][fi] != n[1][qi][fi])
				fail_msg("%s flags %d: %zu hits with the hidden cases, %zu without", queries[qi], flags[fi],
					 n[0][qi][fi], n[1][qi][fi]);
			for (size_t i = 0; i < n[0][qi][fi]; i++) {
				const struct kstore_hit *a = &hits[0][qi][fi][i], *b = &hits[1][qi][fi][i];

				if (a->rid != b->rid || a->score != b->score || a->phrases != b->phrases)
					fail_msg("%s flags %d hit %zu: %lld %.17g with the hidden cases, %lld %.17g without",
						 queries[qi], flags[fi], i, a->rid, a->score, b->rid, b->score);
			}
			free(hits[0][qi][fi]);
			free(hits[1][qi][fi]);
		}
	/* the fixture as it was */
	for (int i = 0; i < 24; i += 1) {
		if (i % 3 == 1)
			continue;
		snprintf(id, sizeof(id), "fx-extra-%d", i);
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
}

/* The rows of q for f, counted from the ranking of every row (FTS5's expression as written). */
static long rows_of(const struct kstore_query *q, const struct kfilter *f)
{
	struct kstore_hit *h = NULL;
	struct kerr err = KERR_INIT;
	size_t n = 0;

	assert_int_equal(kstore_search_top(st, q, KSTORE_RANK_SQL, f, 0, 10000, 0, &h, &n, &err), 0);
	free(h);
	return (long)n;
}

/* What test_counted_paths() checks of one query (below). */
struct counted_tally {
	int counted, counted_any, with_rows;
};

static const int counted_flags[] = { 0, KSTORE_RANK_SAMPLE, KSTORE_RANK_SAMPLE | KSTORE_RANK_SPLIT,
				     KSTORE_RANK_SPLIT | KSTORE_RANK_LOAD, KSTORE_RANK_SAMPLE | KSTORE_RANK_LOAD };

static void counted_same(const char *query, struct kfilter *filters, int nfilters, struct counted_tally *tl)
{
	const int *flags = counted_flags;
	struct kerr err = KERR_INIT;
	struct kquery q;
	struct kstore_query any;

	assert_int_equal(kquery_compile(&q, query, syn, 0, &err), 0);
	any = q.relaxed;
	any.except = NULL;
	for (int fi = 0; fi < nfilters; fi++) {
		long want = rows_of(&q.expr, &filters[fi]), want_any = q.relaxed.root ? rows_of(&any, &filters[fi]) : -1;
		long c = -1;

		/* the counts alone, their ORs pruned */
		assert_int_equal(kstore_search_count(st, &q.expr, &filters[fi], 0, &c, &err), 0);
		if (c != want)
			fail_msg("%s filter %d: kstore_search_count %ld, %ld rows", query, fi, c, want);
		if (q.relaxed.root) {
			assert_int_equal(kstore_search_count(st, &any, &filters[fi], 0, &c, &err), 0);
			if (c != want_any)
				fail_msg("%s filter %d: kstore_search_count of any %ld, %ld rows", query, fi, c,
					 want_any);
		}
		for (size_t fl = 0; fl < sizeof(counted_flags) / sizeof(counted_flags[0]); fl++) {
			/* the ranked list once; each window of it is what the counted search
			 * of that limit and offset gives */
			struct kstore_hit *ref = NULL;
			size_t nref = 0;

			assert_int_equal(kstore_search_top(st, &q.expr, flags[fl], &filters[fi], 0, 20, 0, &ref, &nref,
							   &err), 0);
			for (int v = 0; v < 3; v++) {
				long limit = v == 0 ? 20 : v == 1 ? 3 : 1, offset = v == 2 ? 2 : 0, total = -1, total_any = -1;
				struct kstore_hit *a = NULL, *b = nref > (size_t)offset ? ref + offset : NULL;
				size_t na = 0, nb = nref > (size_t)offset ? nref - (size_t)offset : 0;

				if (nb > (size_t)limit)
					nb = (size_t)limit;
				assert_int_equal(kstore_search_counted(st, &q.expr, q.relaxed.root ? &any : NULL, flags[fl],
								       &filters[fi], limit, offset, &a, &na, &total,
								       &total_any, &err), 0);
				if (na != nb)
					fail_msg("%s filter %d flags %d v %d: %zu hits counted, %zu ranked", query,
						 fi, flags[fl], v, na, nb);
				for (size_t i = 0; i < na; i++)
					if (a[i].rid != b[i].rid || a[i].score != b[i].score || a[i].phrases != b[i].phrases)
						fail_msg("%s filter %d flags %d v %d hit %zu: %lld %.17g %llx counted,"
							 " %lld %.17g %llx ranked", query, fi, flags[fl], v, i,
							 a[i].rid, a[i].score, a[i].phrases, b[i].rid, b[i].score,
							 b[i].phrases);
				if (total >= 0 && total != want)
					fail_msg("%s filter %d flags %d: total %ld, %ld rows", query, fi,
						 flags[fl], total, want);
				if (total_any >= 0 && total_any != want_any)
					fail_msg("%s filter %d flags %d: total_any %ld, %ld rows", query, fi,
						 flags[fl], total_any, want_any);
				tl->counted += total >= 0;
				tl->counted_any += total_any >= 0;
				free(a);
				if (v == 0) {
					/* the rows counted, where given: those the expression matches for
					 * the filter (the search page's facets are counted from them) */
					struct kstore_rows rows;
					long long *r = NULL;
					size_t nr = 0;

					assert_int_equal(kstore_search_counted_rows(st, &q.expr, q.relaxed.root ? &any : NULL,
										    flags[fl], &filters[fi], 20, 0,
										    &a, &na, &total, &total_any, &rows,
										    &err), 0);
					free(a);
					if (rows.v) {
						assert_int_equal(kstore_search_rids(st, &q.expr, &filters[fi], &r, &nr,
										    &err), 0);
						if (rows.n != nr || (nr && memcmp(rows.v, r, nr * sizeof(*r))))
							fail_msg("%s filter %d flags %d: %zu rows counted, %zu match",
								 query, fi, flags[fl], rows.n, nr);
						assert_int_equal((long)rows.n, total);
						tl->with_rows++;
					}
					free(rows.v);
					free(r);
				}
			}
			free(ref);
		}
	}
	kquery_free(&q);
}

/*
 * The counted search (kstore_search_counted: the full matches ranked, the
 * cases with all the words and with any counted in the same run, idf from
 * sample windows counted on the way and the rows scored after it) gives the
 * hits, scores (to the bit), phrase masks and order of kstore_search_top()
 * (each limit and offset the same window of one ranked list of 20, so the
 * windows agree with each other too), with idf counted or sampled (tiny windows), on one connection or two, for
 * every reader and filter; and its totals, like kstore_search_count()'s
 * (which leaves out an OR's phrase that another of its phrases implies:
 * サポート詐欺 beside サポート), are the rows the expressions match.
 */
static void test_counted_paths(void **state)
{
	static const char *const queries[] = {
		"ランサムウェア バックアップ", "委託先 脆弱性", "サポート詐欺 遠隔操作", "ＲＤＰ 総当たり",
		"ランサムウェア 偽警告", "訓練 委託 脆弱性", "サポート詐欺 サポート", "(訓練 OR 委託) 脆弱性",
		"予備系への切り替え 訓練", "バックアップ", "訓練", "漏洩", "(サーバ OR サーバー) 訓練", "\"サポート詐欺\" OR サポート",
		/* prefixes, NOT, alternatives the same or implying another, ORs inside AND */
		"系 訓練", "訓練 -委託", "訓練 OR 訓練", "委託 OR 委託先", "予備系 OR 予備系への切り替え", "系 OR 訓練",
		"\"訓練 委託\" OR 訓練", "訓練委託 OR 訓練", "(バックアップ OR ランサムウェア) -脆弱性",
		"ランサムウェア OR バックアップ OR 訓練 OR 予備系への切り替え", "点検 OR 停止", "の点検 OR 点検",
		"切り替え OR 切り替 OR 切", "訓練 (委託 OR 脆弱性 OR 系)",
		/* an OR run as a run per phrase (split_runs()), some without rows, one phrase in another */
		"訓練 OR zzqqxx", "zzqqxx OR 訓練 OR 委託 OR 系", "\"予備系への切り替え\" OR 予備系 OR 切り替え OR qqzz",
		/* words in parts (a phrase ORed at the top, its rows few): deferred, the parts' windows apart */
		"待機系への切替", "予備系への切替え", "訓練委託", "脆弱性委託", "待機系への切替 訓練",
		/* a word in parts beside another word (in parts, or of one index token): the parts' ANDs
		 * counted on the run of every phrase (counts_groups()), not from each word's own rows */
		"訓練委託 点検", "点検 訓練委託", "訓練委託 待機系への切替", "サポート詐欺 脆弱性委託 訓練",
		/* fx-conj-a holds 偽警告 and サポート but not 詐欺: サポート scores nowhere there, as in the
		 * query's own run; fx-conj-b holds 移行 alone, fx-conj-c 遠隔 alone: a part of a word is
		 * not the word, so neither is a case with some of the words (where no other word is);
		 * fx-conj-d holds 待機系 (a part, one of its synonyms) and 訓練 but no 切替 (nor any of
		 * its synonyms): the case has one word of 待機系への切替 訓練, not both */
		"サポート詐欺 遠隔操作", "遠隔操作 サポート詐欺", "点検 ゼロトラスト移行", "ゼロトラスト移行 点検",
		/* a compound word whose common part is one index token (委託): the cases with any of
		 * its words counted from the vocabulary (count_any_vocab()) */
		"委託管理", "訓練計画", "遠隔訓練", "委託管理 訓練計画",
		/* two words of two characters: the cases with either counted from each word's count
		 * (split_plan()), q ranked on its own rows */
		"訓練 委託", "委託 訓練", "点検 停止", "停止 訓練",
		/* and a word of two characters beside a rare one, counted on its own rows */
		"訓練 \"予備系への切り替え\"", "\"予備系への切り替え\" 委託", "委託 \"zzqq xxyy\"",
		/* a phrase beside an AND in an OR, left out of a count only where the AND holds in its
		 * every row (遠隔操作 beside 遠隔 AND 操作, not 遠隔 beside it: fx-conj-c) */
		"遠隔操作 OR (遠隔 操作)", "遠隔 OR (遠隔 操作)", "(遠隔 操作) OR 遠隔操作 OR 操作", "ゼロトラスト 遠隔操作",
	};
	struct kfilter filters[4] = { KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT };
	struct kerr err = KERR_INIT;
	struct counted_tally tl = { 0, 0, 0 };
	char id[32];
	unsigned long by_vocab = ksqlite_search_vocab_counts(), by_split = ksqlite_search_split_counts();

	(void)state;
	filters[1].reader = tlp_reader(0);
	filters[2].reader = tlp_reader(1);
	filters[3].year = 2023;
	/* more rows than the tiny windows hold, some hidden from a reader */
	for (int i = 0; i < 24; i++)
		put_extra(i, i % 3 == 1);
	put_json("{\"id\":\"fx-conj-a\",\"title\":\"偽警告とサポート窓口\",\"source\":{\"document\":\"e.pdf\"},"
		 "\"summary\":[\"遠隔操作の点検があった。\"],\"tlp\":\"clear\"}");
	put_json("{\"id\":\"fx-conj-b\",\"title\":\"基盤の移行\",\"source\":{\"document\":\"e.pdf\"},"
		 "\"summary\":[\"サポート詐欺について移行した。\"],\"tlp\":\"clear\"}");
	put_json("{\"id\":\"fx-conj-c\",\"title\":\"遠隔の拠点\",\"source\":{\"document\":\"e.pdf\"},"
		 "\"summary\":[\"拠点を点検した。\"],\"tlp\":\"clear\"}");
	put_json("{\"id\":\"fx-conj-d\",\"title\":\"待機系の訓練\",\"source\":{\"document\":\"e.pdf\"},"
		 "\"summary\":[\"夜間に訓練を行った。\"],\"tlp\":\"clear\"}");
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++)
		counted_same(queries[qi], filters, 4, &tl);
	/* the counts were taken on the way, not left to the caller; some from the vocabulary */
	assert_true(tl.counted > 0 && tl.counted_any > 0 && tl.with_rows > 0);
	assert_true(ksqlite_search_vocab_counts() > by_vocab);
	assert_true(ksqlite_search_split_counts() > by_split);
	{
		/* a group the vocabulary cannot count (no word of one index token), with few rows beside
		 * the other's: counted on its own rows, the other from the vocabulary (split_plan()) */
		struct kquery q;
		struct kstore_query any;
		struct kstore_hit *h = NULL;
		size_t nh = 0;
		long total = -1, total_any = -1;
		unsigned long s0;

		assert_int_equal(kquery_compile(&q, "委託 \"zzqq xxyy\"", syn, 0, &err), 0);
		any = q.relaxed;
		any.except = NULL;
		s0 = ksqlite_search_split_counts();
		assert_int_equal(kstore_search_counted(st, &q.expr, &any, 0, &filters[0], 20, 0, &h, &nh, &total,
						       &total_any, &err), 0);
		assert_int_equal(ksqlite_search_split_counts(), s0 + 1);
		assert_int_equal(total, 0);
		assert_int_equal(total_any, rows_of(&any, &filters[0]));
		assert_true(total_any > 0);
		free(h);
		kquery_free(&q);
	}
	for (int i = 0; i < 24; i++) {
		snprintf(id, sizeof(id), i % 3 == 1 ? "fx-hidden-%d" : "fx-extra-%d", i);
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
	assert_int_equal(kstore_delete(st, "fx-conj-a", &err), 0);
	assert_int_equal(kstore_delete(st, "fx-conj-b", &err), 0);
	assert_int_equal(kstore_delete(st, "fx-conj-c", &err), 0);
	assert_int_equal(kstore_delete(st, "fx-conj-d", &err), 0);
}

/*
 * Long phrases on a cover of their tokens (store_sqlite_cover.c), made to
 * happen here (kcover__test_always(): in a library this small it would not
 * pay): the counted run ranks, scores, counts and lists what the run of the
 * whole phrases does (counted_same()), and text whose stretch of CJK ends
 * between two bigrams of the cover (予備、系への切り替え: 予備 備 系へ ...) is
 * no instance of the phrase, wherever the break falls.
 */
static void test_cover_phrases(void **state)
{
	static const char *const queries[] = {
		"\"予備系への切り替え\"", "予備系への切り替え", "\"予備系への切り替え\" 訓練", "訓練 \"予備系への切り替え\"",
		"ランサムウェア バックアップ", "\"パッチが適用されていなかった\"", "\"設定値の誤り\" OR 訓練",
		"サポート詐欺 遠隔操作", "\"予備系への切り替え\" OR \"系への切り替え\"", "\"系への切り替え\" -訓練",
		/* a word whose cover is its parts (遠隔 操作), read from the parts' own lists */
		"遠隔操作 見直し", "点検 遠隔操作", "遠隔操作 OR 見直し",
	};
	static const char *const cases[] = {
		"{\"id\":\"fx-cover-a\",\"title\":\"予備系への切り替え訓練\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"予備系への切り替えを二度、予備系への切り替えを試した。設定値の誤りもあった。\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-b\",\"title\":\"見直し\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"予備、系への切り替えを見直した。\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-c\",\"title\":\"見直し\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"予備系へ、の切り替え。予備系へ\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-d\",\"title\":\"見直し\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"予備系への切 り替え\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-e\",\"title\":\"点検\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"夜間に予備系への切り替えを行った。パッチが適用されていなかった。\"],\"tlp\":\"green\"}",
		"{\"id\":\"fx-cover-f\",\"title\":\"点検\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"パッチが、適用されていなかった。設定値の・誤り。ランサムウェアのバックアップ\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-g\",\"title\":\"見直し\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"サポート詐欺で遠隔操作された。遠隔操作と遠隔、操作の切り分け\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-h\",\"title\":\"見直し\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"遠隔から操作した。サポート窓口を装う詐欺。遠隔、操作\"],\"tlp\":\"clear\"}",
		"{\"id\":\"fx-cover-i\",\"title\":\"点検\",\"source\":{\"document\":\"c.pdf\"},"
		"\"summary\":[\"遠隔操作の手順。操作遠隔\"],\"tlp\":\"green\"}",
	};
	struct kfilter filters[3] = { KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT, KFILTER_LOCAL_INIT };
	struct counted_tally tl = { 0, 0, 0 };
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	unsigned long runs;

	(void)state;
	filters[1].reader = tlp_reader(0);
	filters[2].reader = tlp_reader(1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		put_json(cases[i]);
	kcover__test_always(1);
	runs = kcover_runs();
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++)
		counted_same(queries[qi], filters, 3, &tl);
	assert_true(kcover_runs() > runs);
	assert_true(tl.counted > 0);
	assert_int_not_equal(kcover__pnext_state(), -1); /* (else FTS5's own calls were taken) */
	/* as a reader searches: the phrase's cases, none of those with a break inside it */
	assert_int_equal(search("\"予備系への切り替え\"", 4, &r), 0);
	assert_true(full_hit(&r, "fx-cover-a") && full_hit(&r, "fx-cover-e"));
	assert_false(full_hit(&r, "fx-cover-b") || full_hit(&r, "fx-cover-c") || full_hit(&r, "fx-cover-d"));
	ksearch_result_free(&r);
	assert_int_equal(search("\"パッチが適用されていなかった\"", 4, &r), 0);
	assert_true(full_hit(&r, "fx-cover-e"));
	assert_false(full_hit(&r, "fx-cover-f"));
	ksearch_result_free(&r);
	kcover__test_always(0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[32];

		snprintf(id, sizeof(id), "fx-cover-%c", (int)('a' + i));
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
}

/*
 * The same, on text made to trip a cover: a few characters only (so one
 * bigram stands at many places, phrases repeat inside themselves and
 * overlap: ああああ), broken by 、 and spaces at random, in two columns;
 * every phrase of four to eight of those characters, and pairs of them, is
 * ranked, scored and counted as the run of whole phrases does.
 */
static void test_cover_random(void **state)
{
	static const char *const ch[] = { "あ", "い", "系", "備", "あ", "い", "、", " " };
	struct kfilter filters[1] = { KFILTER_LOCAL_INIT };
	struct counted_tally tl = { 0, 0, 0 };
	struct kerr err = KERR_INIT;
	unsigned long long seed = 20261205;
	unsigned long runs;
	char text[1024], q[256], id[32];

	(void)state;
#define RND(n) ((int)((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % (n))
	for (int i = 0; i < 60; i++) {
		char a[256] = "", b[512] = "";

		for (int k = RND(12) + 4; k > 0; k--)
			strcat(a, ch[RND(6)]);
		for (int k = RND(60) + 10; k > 0; k--)
			strcat(b, ch[RND(8)]);
		snprintf(text, sizeof(text),
			 "{\"id\":\"fx-rnd-%d\",\"title\":\"%s\",\"source\":{\"document\":\"r.pdf\"},"
			 "\"summary\":[\"%s\"],\"tlp\":\"clear\"}", i, a, b);
		put_json(text);
	}
	kcover__test_always(1);
	runs = kcover_runs();
	for (int i = 0; i < 40; i++) {
		char p1[64] = "", p2[64] = "";

		for (int k = RND(5) + 4; k > 0; k--)
			strcat(p1, ch[RND(4)]);
		for (int k = RND(5) + 4; k > 0; k--)
			strcat(p2, ch[RND(4)]);
		snprintf(q, sizeof(q), i % 3 ? "\"%s\"" : "\"%s\" \"%s\"", p1, p2);
		counted_same(q, filters, 1, &tl);
	}
#undef RND
	kcover__test_always(0);
	assert_true(kcover_runs() > runs);
	assert_true(tl.counted > 0);
	for (int i = 0; i < 60; i++) {
		snprintf(id, sizeof(id), "fx-rnd-%d", i);
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
}

/*
 * A section search's page (limit, offset: o.filter's) as one string: its
 * totals, then each hit's id, score and tier; facets_sql 1 takes the
 * store's SQL paths (no unranked list of the cases: they are ranked, then
 * decided).
 */
static char *section_page_on(struct kstore *on, const char *query, long limit, long offset, int facets_sql)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	struct kbuf b = KBUF_INIT;

	o.query = query;
	o.filter.reader = &kreader_local;
	o.filter.limit = limit;
	o.filter.offset = offset;
	o.syn = syn;
	o.facets = 1;
	kstore_search_tune(on, 0, facets_sql);
	if (ksearch(on, &o, &r, &err) < 0)
		fail_msg("ksearch(%s): %s", query, err.msg);
	kstore_search_tune(on, 0, 0);
	kbuf_addf(&b, "%ld %ld:", r.total, r.total_partial);
	for (size_t i = 0; i < r.nhits; i++)
		kbuf_addf(&b, " %s/%.17g/%d", r.hits[i].id, r.hits[i].score, r.hits[i].partial);
	for (int f = 0; f < KFACET__N; f++)
		for (size_t i = 0; i < r.facets[f].n; i++)
			kbuf_addf(&b, " [%d %s %ld]", f, r.facets[f].v[i].value, r.facets[f].v[i].count);
	ksearch_result_free(&r);
	return kbuf_detach(&b, NULL);
}

static char *section_page_str(const char *query, long limit, long offset, int facets_sql)
{
	return section_page_on(st, query, limit, offset, facets_sql);
}

/*
 * A section search decides the cases first and ranks only its page among
 * those kept (struct kfilter's only): every page is the slice of the whole
 * list at its offset (across the two tiers), the totals and facets are the
 * same on every page, and all is as the SQL path gives it (every case ranked,
 * then decided).
 */
static void test_section_pages(void **state)
{
	static const char *const queries[] = {
		"section:cause 点検 停止", "section:cause 点検", "section:response 点検 停止", "section:cause 設定",
		"section:background 予備系 切り替え", "section:countermeasures 訓練 手順", "section:cause zzqq",
		/* the two tiers decided in one run: with a word left out, ORed, in parts, and three words */
		"section:response 点検 停止 -漏れ", "section:cause (点検 OR 判断) 停止", "section:cause 点検停止 判断",
		"section:response 点検 停止 点検点検",
	};
	static const long win[][2] = { { 1, 0 }, { 2, 1 }, { 3, 2 }, { 1, 5 }, { 4, 3 }, { 2, 7 }, { 3, 4 },
				       { 50, 0 }, { 5, 1000 } };
	struct kerr err = KERR_INIT;
	char text[512], id[32];

	(void)state;
	/* four cases with both words in the cause, five with one (and the other elsewhere) */
	for (int i = 0; i < 9; i++) {
		snprintf(text, sizeof(text),
			 "{\"id\":\"sp-page-%d\",\"title\":\"頁の事例%d\",\"source\":{\"document\":\"p.pdf\"},"
			 "\"sections\":{\"cause\":\"%s%s\",\"response\":\"点検し、停止した。%s\"},\"tlp\":\"clear\"}",
			 i, i, i < 4 ? "点検を停止した。" : i % 2 ? "点検の漏れ。" : "停止の判断。",
			 i % 3 ? "点検点検。" : "", i % 2 ? "停止" : "");
		put_json(text);
	}
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		char *all = section_page_str(queries[qi], 1000, 0, 0), *sql = section_page_str(queries[qi], 1000, 0, 1);
		char *head = strchr(all, ':'), *facets = strchr(all, '[');
		size_t nhead = (size_t)(head - all);

		assert_string_equal(all, sql);
		for (size_t w = 0; w < sizeof(win) / sizeof(win[0]); w++) {
			char *page = section_page_str(queries[qi], win[w][0], win[w][1], w % 2);
			const char *p = head + 1;
			struct kbuf want = KBUF_INIT;
			long k = 0;

			/* the whole list's hits from the window's offset, at most its limit of them */
			kbuf_add(&want, all, nhead + 1);
			for (; *p == ' ' && *(p + 1) != '['; k++) {
				const char *e = strchr(p + 1, ' ');
				size_t len = e ? (size_t)(e - p) : strlen(p);

				if (k >= win[w][1] && k < win[w][1] + win[w][0])
					kbuf_add(&want, p, len);
				p += len;
			}
			if (facets)
				kbuf_addf(&want, " %s", facets);
			if (strcmp(page, kbuf_str(&want)))
				fail_msg("%s limit %ld offset %ld:\n  page %s\n  want %s", queries[qi], win[w][0], win[w][1],
					 page, kbuf_str(&want));
			kbuf_release(&want);
			free(page);
		}
		free(all);
		free(sql);
	}
	for (int i = 0; i < 9; i++) {
		snprintf(id, sizeof(id), "sp-page-%d", i);
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
}

static int rid_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * kfilter's only: a ranking among some cases is the ranking of all,
 * filtered (the same scores and order), in the C path and the SQL path;
 * kstore_search_rids() lists a query's cases as the ranking finds them.
 */
/*
 * A section search's decision counts the cases holding each phrase in the
 * column on its way (struct dfmemo), and the page's ranking takes those
 * counts instead of counting again: every score is what a new connection,
 * counting them itself, gives; again after cases that change the counts
 * are added and deleted (the counts follow the cases, also for a ranking
 * that no decision precedes), and again when the search repeats.
 */
static void test_section_counts(void **state)
{
	static const char *const queries[] = {
		"section:cause 点検 停止", "section:response 点検 停止", "section:cause 点検", "section:cause 点検停止 判断",
	};
	struct kerr err = KERR_INIT;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	for (int round = 0; round < 4; round++) {
		struct kstore *fresh = NULL;

		/* rounds 1 and 2: a case with the words in the cause and the response, then another */
		if (round == 1 || round == 2) {
			char text[320];

			snprintf(text, sizeof(text),
				 "{\"id\":\"sc-count-%d\",\"title\":\"数の事例\",\"source\":{\"document\":\"c.pdf\"},"
				 "\"sections\":{\"cause\":\"点検を停止した。判断の誤り。\",\"response\":\"点検した。\"},"
				 "\"tlp\":\"clear\"}", round);
			put_json(text);
		}
		/* round 3: both deleted */
		if (round == 3) {
			assert_int_equal(kstore_delete(st, "sc-count-1", &err), 0);
			assert_int_equal(kstore_delete(st, "sc-count-2", &err), 0);
		}
		assert_int_equal(kstore_open(&fresh, path, KSTORE_READONLY, &err), 0);
		for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
			char *want = section_page_on(fresh, queries[qi], 1000, 0, 1);

			/* first on the SQL path (no decision run to count again): the last round's counts are stale */
			for (int k = 0; k < 3; k++) {
				char *got = section_page_str(queries[qi], 1000, 0, k == 0);

				if (strcmp(got, want))
					fail_msg("round %d %s (%d):\n  got  %s\n  want %s", round, queries[qi], k, got,
						 want);
				free(got);
			}
			free(want);
		}
		kstore_close(fresh);
	}
}

/*
 * One snapshot for a search's reads (kstore_read_begin()): a case another
 * connection deletes meanwhile is still there for the reads that follow,
 * until kstore_read_end(); ksearch() takes one of its own and leaves the
 * connection out of any transaction, or inside the caller's.
 */
static void test_read_snapshot(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *other = NULL;
	struct ksearch_result r;
	char path[512];
	long n = -1;
	struct kquery q;
	struct kfilter f = KFILTER_LOCAL_INIT;

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	put_json("{\"id\":\"rs-gone\",\"title\":\"スナップショットの事例\",\"source\":{\"document\":\"s.pdf\"},"
		 "\"summary\":[\"スナップショットを確かめた。\"],\"tlp\":\"clear\"}");
	assert_int_equal(kquery_compile(&q, "スナップショット", syn, 0, &err), 0);
	assert_int_equal(kstore_open(&other, path, 0, &err), 0);
	assert_int_equal(kstore_read_begin(st, &err), 1);
	assert_int_equal(kstore_search_count(st, &q.expr, &f, 0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(kstore_delete(other, "rs-gone", &err), 0);
	/* the same snapshot: the case is still found, listed and cut */
	assert_int_equal(kstore_search_count(st, &q.expr, &f, 0, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(search("スナップショット", -1, &r), 0);
	assert_int_equal(has_hit(&r, "rs-gone"), 1);
	assert_non_null(r.hits[0].snippet);
	ksearch_result_free(&r);
	assert_int_equal(sqlite3_get_autocommit(ksqlite(st)->db), 0);
	kstore_read_end(st, 1);
	assert_int_equal(sqlite3_get_autocommit(ksqlite(st)->db), 1);
	/* after it, gone; and a search leaves no transaction open */
	assert_int_equal(kstore_search_count(st, &q.expr, &f, 0, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(search("スナップショット", -1, &r), 0);
	assert_int_equal(has_hit(&r, "rs-gone"), 0);
	ksearch_result_free(&r);
	assert_int_equal(sqlite3_get_autocommit(ksqlite(st)->db), 1);
	kstore_close(other);
	kquery_free(&q);
}

/* ksearch__test_hook(): delete a case through another connection at one stage of a search */
struct gone_at {
	struct kstore *other;
	const char *id;
	int stage, done;
};

static void delete_at(void *ctx, int stage)
{
	struct gone_at *g = ctx;
	struct kerr err = KERR_INIT;

	if (stage != g->stage || g->done)
		return;
	g->done = 1;
	if (kstore_delete(g->other, g->id, &err) < 0)
		fail_msg("deleting %s: %s", g->id, err.msg);
}

/*
 * A hit's case deleted by another connection after the ranking, or before
 * the snippets, is still listed with its snippet: the search reads one
 * snapshot (without it the hit went missing from the page its total counts,
 * or the snippet step failed the search with "no such case").  In the plain
 * search, a section search and the partial tier.
 */
static void test_deleted_mid_search(void **state)
{
	static const struct {
		const char *q;
		int partial, section;
	} qs[] = {
		{ "途中削除", 0, 0 },
		{ "section:background 途中削除", 0, 1 },
		{ "途中削除 zzqq", 1, 0 },
	};
	struct kerr err = KERR_INIT;
	struct kstore *other = NULL;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	assert_int_equal(kstore_open(&other, path, 0, &err), 0);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		for (int stage = KSEARCH__RANKED; stage <= KSEARCH__SNIPPETS; stage++) {
			struct gone_at g = { other, "rs-mid", stage, 0 };
			struct ksearch_result r;
			int at;

			if (qs[i].section && stage == KSEARCH__RANKED)
				continue; /* (a section search ranks and lists in one step) */
			put_json("{\"id\":\"rs-mid\",\"title\":\"途中削除の事例\",\"source\":{\"document\":\"s.pdf\"},"
				 "\"sections\":{\"background\":\"検索の途中削除を確かめた。\"},\"tlp\":\"clear\"}");
			ksearch__test_hook(delete_at, &g);
			assert_int_equal(search(qs[i].q, -1, &r), 0);
			ksearch__test_hook(NULL, NULL);
			if (!g.done)
				fail_msg("%s: stage %d never reached", qs[i].q, stage);
			if (!(at = has_hit(&r, "rs-mid")))
				fail_msg("%s, deleted at stage %d: not listed", qs[i].q, stage);
			assert_int_equal(r.hits[at - 1].partial, qs[i].partial);
			assert_non_null(r.hits[at - 1].snippet);
			assert_int_equal(qs[i].partial ? r.total_partial : r.total, 1);
			ksearch_result_free(&r);
			/* and gone from the next search */
			assert_int_equal(search(qs[i].q, -1, &r), 0);
			assert_int_equal(has_hit(&r, "rs-mid"), 0);
			ksearch_result_free(&r);
		}
	}
	kstore_close(other);
}

/*
 * kstore_search_warm() (a server's compute thread, as it starts): a new
 * connection reads the facet columns and every case's length then, not in
 * its first search; again only once the cases have changed.
 */
static void test_search_warm(void **state)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	struct kstore *c = NULL;
	unsigned long f0, l0;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	/* a state of the cases no connection has read yet */
	put_json("{\"id\":\"rs-warm\",\"title\":\"暖機の事例\",\"source\":{\"document\":\"s.pdf\"},\"tlp\":\"clear\"}");
	assert_int_equal(kstore_open(&c, path, KSTORE_READONLY, &err), 0);
	f0 = ksqlite_facets_reads();
	l0 = ksqlite_search_length_reads();
	assert_int_equal(kstore_search_warm(c, &err), 0);
	assert_int_equal(ksqlite_facets_reads(), f0 + 1);
	assert_int_equal(ksqlite_search_length_reads(), l0 + 1);
	/* its first search, and warming again, read neither */
	o.query = "暖機";
	o.syn = syn;
	o.filter.reader = tlp_reader(-1);
	assert_int_equal(ksearch(c, &o, &r, &err), 0);
	assert_int_equal(has_hit(&r, "rs-warm"), 1);
	ksearch_result_free(&r);
	assert_int_equal(kstore_search_warm(c, &err), 0);
	assert_int_equal(ksqlite_facets_reads(), f0 + 1);
	assert_int_equal(ksqlite_search_length_reads(), l0 + 1);
	/* the cases changed: read again */
	assert_int_equal(kstore_delete(st, "rs-warm", &err), 0);
	assert_int_equal(kstore_search_warm(c, &err), 0);
	assert_int_equal(ksqlite_facets_reads(), f0 + 2);
	assert_int_equal(ksqlite_search_length_reads(), l0 + 2);
	kstore_close(c);
}

/*
 * A connection that ranks many rows one query at a time reads every
 * case's length at once when the lengths it has read one by one, over all
 * its queries, pass what one query would read before doing so: not on its
 * first small search, once after enough of them, then not again.
 */
static void test_lengths_kept(void **state)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result r;
	struct kerr err = KERR_INIT;
	struct kstore *c = NULL;
	unsigned long l0;
	char path[512];
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/s.db", tmpdir);
	/* a state of the cases no connection has read yet */
	put_json("{\"id\":\"rs-kept\",\"title\":\"長さの事例\",\"source\":{\"document\":\"s.pdf\"},\"tlp\":\"clear\"}");
	assert_int_equal(kstore_open(&c, path, KSTORE_READONLY, &err), 0);
	o.query = "の";
	o.syn = syn;
	o.filter.reader = tlp_reader(-1);
	o.snippets = 0;
	o.facets = 0;
	l0 = ksqlite_search_length_reads();
	assert_int_equal(ksearch(c, &o, &r, &err), 0);
	assert_true(r.nhits > 0);
	ksearch_result_free(&r);
	assert_int_equal(ksqlite_search_length_reads(), l0);
	while (ksqlite_search_length_reads() == l0 && n < 5000) {
		assert_int_equal(ksearch(c, &o, &r, &err), 0);
		ksearch_result_free(&r);
		n++;
	}
	assert_int_equal(ksqlite_search_length_reads(), l0 + 1);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(ksearch(c, &o, &r, &err), 0);
		ksearch_result_free(&r);
	}
	assert_int_equal(ksqlite_search_length_reads(), l0 + 1);
	print_message("lengths read at once after %d more searches\n", n + 1);
	assert_int_equal(kstore_delete(st, "rs-kept", &err), 0);
	kstore_close(c);
}

static void test_filter_only(void **state)
{
	/* the last in the summary column only (as a section search's, which FTS5's SQL path ranks) */
	static const char *const queries[] = { "訓練", "訓練 委託", "予備系への切り替え", "訓練" };
	static const int flags[] = { 0, KSTORE_RANK_SQL };
	struct kerr err = KERR_INIT;
	char id[32];

	(void)state;
	for (int i = 0; i < 24; i++)
		put_extra(i, i % 3 == 1);
	for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		struct kquery q;

		assert_int_equal(kquery_compile(&q, queries[qi], syn, 0, &err), 0);
		if (qi == 3)
			q.expr.cols = 1u << KCOL_SUMMARY;
		for (size_t fl = 0; fl < sizeof(flags) / sizeof(flags[0]); fl++) {
			struct kfilter f = KFILTER_LOCAL_INIT, fo = KFILTER_LOCAL_INIT;
			struct kstore_hit *all = NULL, *some = NULL;
			size_t nall = 0, nsome = 0, nv = 0, nr = 0, k = 0;
			long long *v, *r = NULL;
			struct krids only;
			long count = -1;

			assert_int_equal(kstore_search_top(st, &q.expr, flags[fl], &f, 0, 0, 0, &all, &nall, &err), 0);
			if (nall <= 2)
				fail_msg("%s flags %d: %zu hits, too few to choose among", queries[qi], flags[fl], nall);
			/* every other case, by rowid */
			assert_non_null(v = malloc(nall * sizeof(*v)));
			for (size_t i = 0; i < nall; i++)
				v[i] = all[i].rid;
			qsort(v, nall, sizeof(*v), rid_cmp);
			assert_int_equal(kstore_search_rids(st, &q.expr, &f, &r, &nr, &err), 0);
			assert_int_equal(nr, nall);
			assert_memory_equal(r, v, nall * sizeof(*v));
			for (size_t i = 0; i < nall; i += 2)
				v[nv++] = v[i];
			only = (struct krids){ v, nv };
			fo.only = &only;
			assert_int_equal(kstore_search_top(st, &q.expr, flags[fl], &fo, 0, 0, 0, &some, &nsome, &err), 0);
			assert_int_equal(nsome, nv);
			for (size_t i = 0; i < nall; i++) {
				if (!bsearch(&all[i].rid, v, nv, sizeof(*v), rid_cmp))
					continue;
				if (some[k].rid != all[i].rid || some[k].score != all[i].score)
					fail_msg("%s flags %d: hit %zu is %lld %.17g among some, %lld %.17g among all",
						 queries[qi], flags[fl], k, some[k].rid, some[k].score, all[i].rid, all[i].score);
				k++;
			}
			assert_int_equal(kstore_search_count(st, &q.expr, &fo, 0, &count, &err), 0);
			assert_int_equal(count, (long)nv);
			free(all);
			free(some);
			free(v);
			free(r);
		}
		kquery_free(&q);
	}
	for (int i = 0; i < 24; i++) {
		snprintf(id, sizeof(id), i % 3 == 1 ? "fx-hidden-%d" : "fx-extra-%d", i);
		assert_int_equal(kstore_delete(st, id, &err), 0);
	}
}

/* Every refused query says why (kerr's why), so the web words it in the page's language. */
/* A section search's results as one string: totals, then each hit's id, partial flag and parts. */
static char *section_result(const char *query, int max_tlp)
{
	struct ksearch_result r;
	struct kbuf b = KBUF_INIT;
	int rc = search(query, max_tlp, &r);

	kbuf_addf(&b, "%d %ld %ld:", rc, rc < 0 ? 0 : r.total, rc < 0 ? 0 : r.total_partial);
	for (size_t i = 0; rc >= 0 && i < r.nhits; i++)
		kbuf_addf(&b, " %s/%d/%x", r.hits[i].id, r.hits[i].partial, r.hits[i].where);
	if (rc >= 0)
		ksearch_result_free(&r);
	return kbuf_detach(&b, NULL);
}

/* kyokun check's problems: only the parts' may be found here */
static int parts_check_cb(void *ctx, const char *where, const char *msg)
{
	(void)ctx;
	if (where && strcmp(where, "section parts"))
		fail_msg("check: %s: %s", where, msg);
	return 0;
}

static long count_rows(const char *sql)
{
	sqlite3_stmt *s;
	long n = -1;

	assert_int_equal(sqlite3_prepare_v2(ksqlite(st)->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * section:NAME decides a case from where its parts begin in the index
 * (case_parts, counted as the case was indexed): the same results as from
 * the case's text marked and read (the cases without parts), and the
 * parts counted again from the stored text (the migration's way) are the
 * ones the index's pass counted.
 */
static void test_section_parts(void **state)
{
	static const char *const queries[] = {
		"section:cause 設定", "section:原因 設定値の誤り", "section:background 予備系", "section:response 訓練",
		"section:cause 委託 設定", "section:lessons ランサムウェア", "section:key_lessons 訓練",
		"section:countermeasures 訓練 手順", "section:detection 監視", "section:cause 予備系 切り替",
		"section:response 系", "section:cause \"設定値の誤り\" OR 委託", "section:background 訓練 -委託",
		"section:lessons 備え バックアップ", "section:impact 停止", "section:cause zzqq",
		/* the edge case below: a section without a token, an empty key lesson, a word in two parts */
		"section:detection 監視", "section:background 監視", "section:key_lessons 監視", "section:lessons 監視",
		"section:countermeasures 監視 訓練", "section:response 監視",
	};
	enum { NQ = sizeof(queries) / sizeof(queries[0]) };
	char *want[NQ][2];
	struct kerr err = KERR_INIT;
	char *sql;

	(void)state;
	/* parts that begin at the same token: a section of punctuation only, an empty key lesson */
	{
		struct kcase c;

		kcase_init(&c);
		assert_int_equal(kstr_set(&c.id, "sp-edge"), 0);
		assert_int_equal(kstr_set(&c.title, "境目の事例"), 0);
		assert_int_equal(kstr_set(&c.tlp, "clear"), 0);
		assert_int_equal(kstrv_push(&c.key_lessons, ""), 0);
		assert_int_equal(kstrv_push(&c.key_lessons, "監視の教訓"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_BACKGROUND, "。。。「」"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_DETECTION, "監視で検知した"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_RESPONSE, "、"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_CAUSE, "監視 の 設定"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_LESSONS, "・・・"), 0);
		assert_int_equal(kcase_section_append(&c, KSEC_COUNTERMEASURES, "監視と訓練"), 0);
		assert_true(kstore_put(st, &c, NULL, &err) >= 0);
		kcase_free(&c);
	}
	assert_true(count_rows("SELECT count(*) FROM cases") > 0);
	assert_int_equal(count_rows("SELECT count(*) FROM case_parts"), count_rows("SELECT count(*) FROM cases"));
	for (int i = 0; i < NQ; i++)
		for (int k = 0; k < 2; k++)
			want[i][k] = section_result(queries[i], k ? 0 : -1);
	/* none kept: every case read */
	assert_int_equal(sqlite3_exec(ksqlite(st)->db, "CREATE TEMP TABLE kept AS SELECT * FROM case_parts;"
				      " DELETE FROM case_parts", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < NQ; i++)
		for (int k = 0; k < 2; k++) {
			char *got = section_result(queries[i], k ? 0 : -1);

			if (strcmp(got, want[i][k]))
				fail_msg("%s (reader %d): with parts %s, read %s", queries[i], k, want[i][k], got);
			free(got);
		}
	/* counted again from the stored text: the index's own positions */
	assert_int_equal(kstore_begin(st, &err), 0);
	assert_int_equal(ksqlite_parts_rebuild(ksqlite(st), &err), 0);
	assert_int_equal(kstore_commit(st, &err), 0);
	sql = "SELECT count(*) FROM case_parts p JOIN temp.kept k ON k.rid = p.rid AND k.parts = p.parts";
	assert_int_equal(count_rows(sql), count_rows("SELECT count(*) FROM cases"));
	assert_int_equal(sqlite3_exec(ksqlite(st)->db, "DROP TABLE temp.kept", NULL, NULL, NULL), SQLITE_OK);
	/* kyokun check recounts them: sound, then one row changed behind the store's back */
	assert_int_equal(kstore_check(st, 0, parts_check_cb, NULL, &err), 0);
	assert_int_equal(sqlite3_exec(ksqlite(st)->db, "CREATE TEMP TABLE kept AS SELECT * FROM case_parts;"
				      " UPDATE case_parts SET parts = x'01' WHERE rid = (SELECT min(rid) FROM case_parts)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(kstore_check(st, 0, parts_check_cb, NULL, &err), 1);
	assert_int_equal(sqlite3_exec(ksqlite(st)->db, "UPDATE case_parts SET parts = (SELECT k.parts FROM temp.kept k"
				      " WHERE k.rid = case_parts.rid); DROP TABLE temp.kept", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(kstore_check(st, 0, parts_check_cb, NULL, &err), 0);
	for (int i = 0; i < NQ; i++)
		for (int k = 0; k < 2; k++) {
			char *got = section_result(queries[i], k ? 0 : -1);

			assert_string_equal(got, want[i][k]);
			free(got);
			free(want[i][k]);
		}
}

static void test_query_errors_why(void **state)
{
	static const struct {
		const char *q;
		int why;
		const char *ja, *en;
	} v[] = {
		{ "\"open", KQERR_QUOTE, "閉じられていません", "not closed" },
		{ "(a", KQERR_PAREN_OPEN, "「(」が閉じられていません", "is not closed" },
		{ "()", KQERR_PAREN_EMPTY, "括弧の中に語がありません", "Empty parentheses" },
		{ "a)", KQERR_PAREN_CLOSE, "「)」があります", "has no" },
		{ "a OR", KQERR_OR_SIDES, "OR の両側", "OR needs" },
		{ "-a", KQERR_ONLY_NOT, "除外する語しかありません", "only excludes" },
		{ "-a OR b", KQERR_NOT_IN_OR, "OR の中では", "part of an OR" },
		{ "", KQERR_EMPTY, "検索する語を入力", "Give a word" },
		{ "、。！", KQERR_NO_WORD, "検索できる語がありません", "no word" },
		{ "\xff\xfe", KQERR_UTF8, "UTF-8", "UTF-8" },
		{ "あ い う え お か き く け", KQERR_PREFIXES, "最大 8 個", "more than 8" },
		{ "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg", KQERR_WORDS,
		  "最大 32 語", "at most 32" },
	};
	char buf[2048];

	(void)state;
	assert_int_equal(i18n_check(), -1);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct kquery q;
		struct kerr err = KERR_INIT;
		int rc = kquery_compile(&q, v[i].q, NULL, 0, &err);

		if (rc >= 0) {
			kquery_free(&q);
			fail_msg("query %s: compiled", v[i].q);
		}
		assert_true(rc == KE_USAGE || rc == KE_TOOBIG);
		if (err.why != v[i].why)
			fail_msg("query %s: why %d, not %d (%s)", v[i].q, err.why, v[i].why, err.msg);
		assert_non_null(strstr(i18n_query_error(KLANG_JA, &err, buf, sizeof(buf)), v[i].ja));
		assert_non_null(strstr(i18n_query_error(KLANG_EN, &err, buf, sizeof(buf)), v[i].en));
		assert_string_not_equal(i18n_query_error(KLANG_JA, &err, buf, sizeof(buf)), err.msg);
	}
	/* a message set without a reason is shown as it is; kerr_set forgets an earlier reason */
	{
		struct kerr err = KERR_INIT;

		kerr_why(kerr_set(&err, KE_USAGE, "x"), &err, KQERR_EMPTY, 0, 0, NULL);
		kerr_set(&err, KE_USAGE, "plain English");
		assert_int_equal(err.why, 0);
		assert_string_equal(i18n_query_error(KLANG_JA, &err, buf, sizeof(buf)), "plain English");
		/* a long word is cut at a character's boundary; a small buffer too */
		kerr_why(KE_USAGE, &err, KQERR_NOT_ALONE, 0, 0,
			 "ああああああああああああああああああああああああああああああ");
		assert_true(strlen(err.word) < sizeof(err.word) && strlen(err.word) % 3 == 0);
		i18n_query_error(KLANG_JA, &err, buf, 20);
		assert_true(strlen(buf) % 3 == 0 || (unsigned char)buf[strlen(buf) - 1] < 0x80);
		for (size_t k = 0; buf[k]; k++)
			if (((unsigned char)buf[k] & 0xC0) == 0xC0) {
				size_t need = ((unsigned char)buf[k] & 0xF0) == 0xE0 ? 3 : 2;

				assert_true(strlen(buf + k) >= need);
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_basic),
		cmocka_unit_test(test_compile_cjk),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_segment),
		cmocka_unit_test(test_synonyms),
		cmocka_unit_test(test_synonyms_builtin),
		cmocka_unit_test(test_two_char_and_kanji),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_rank_paths),
		cmocka_unit_test(test_rank_is_bm25),
		cmocka_unit_test(test_rank_sampled),
		cmocka_unit_test(test_subsumed_alternatives),
		cmocka_unit_test(test_absent_synonyms),
		cmocka_unit_test(test_facets_memory),
		cmocka_unit_test(test_snippet_offsets),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_facets_filters),
		cmocka_unit_test(test_tlp_visibility),
		cmocka_unit_test(test_similar),
		cmocka_unit_test(test_similar_cold),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_rank_reader_stats),
		cmocka_unit_test(test_counted_paths),
		cmocka_unit_test(test_cover_phrases),
		cmocka_unit_test(test_cover_random),
		cmocka_unit_test(test_query_errors_why),
		cmocka_unit_test(test_section_parts),
		cmocka_unit_test(test_section_pages),
		cmocka_unit_test(test_section_counts),
		cmocka_unit_test(test_read_snapshot),
		cmocka_unit_test(test_deleted_mid_search),
		cmocka_unit_test(test_search_warm),
		cmocka_unit_test(test_lengths_kept),
		cmocka_unit_test(test_filter_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
