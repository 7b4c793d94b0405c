/*
 * test_tokenizer.c - unit tests of the "kyokun" FTS5 tokenizer: token
 * lists, normalisation, offsets into the original text, hostile input, and
 * end to end through an in-memory FTS5 table.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kbuf.h"
#include "kerr.h"
#include "tokenizer.h"

#include <sqlite3.h>

/* ---- helpers ---- */

struct collect {
	struct kbuf b;
	int n;
	int offsets;	/* also write "@start-end" */
};

static int collect_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct collect *c = ctx;

	if (c->n++)
		kbuf_addch(&c->b, ' ');
	kbuf_add(&c->b, tok, (size_t)ntok);
	if (c->offsets)
		kbuf_addf(&c->b, "@%d-%d", start, end);
	return 0;
}

/* Tokens of s[0..len) as one space-separated string (caller frees). */
static char *toks_n(const char *s, int len, int query, int offsets)
{
	struct collect c = { KBUF_INIT, 0, offsets };
	char *r;

	assert_int_equal(ktok_tokenize(s, len, query, collect_cb, &c), 0);
	r = kbuf_detach(&c.b, NULL);
	assert_non_null(r);
	return r;
}

static char *toks(const char *s, int query)
{
	return toks_n(s, -1, query, 0);
}

#define assert_toks(s, query, want) do { \
	char *got_ = toks((s), (query)); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

#define assert_offs(s, want) do { \
	char *got_ = toks_n((s), -1, 0, 1); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

static char *norm(const char *s)
{
	struct kbuf b = KBUF_INIT;

	assert_int_equal(ktok_normalize(s, strlen(s), &b), 0);
	return kbuf_detach(&b, NULL);
}

/* ---- token lists ---- */

static void test_japanese(void **state)
{
	(void)state;
	assert_toks("不正アクセス", 0, "不正 正ア アク クセ セス ス");
	assert_toks("不正アクセス", 1, "不正 正ア アク クセ セス");
	assert_toks("訓練", 0, "訓練 練");
	assert_toks("訓練", 1, "訓練");
	assert_toks("鍵", 0, "鍵");
	assert_toks("鍵", 1, "鍵");
	/* kanji and kana do not split runs; punctuation does */
	assert_toks("待機系への切替。手順書", 0,
		    "待機 機系 系へ への の切 切替 替 手順 順書 書");
	/* 々 belongs to the run */
	assert_toks("様々な", 0, "様々 々な な");
	/* a query's earlier runs keep their final character, the last not */
	assert_toks("待機系 切替", 1, "待機 機系 系 切替");
	assert_toks("接続 rdp", 1, "接続 続 rdp");
	assert_toks("rdp 接続", 1, "rdp 接続");
}

static void test_latin(void **state)
{
	(void)state;
	assert_toks("Hello, World!  Windows Server 2019", 0,
		    "hello world windows server 2019");
	assert_toks("CVE-2021-44228 log4j_2.14.1 192.168.0.1", 0,
		    "cve 2021 44228 log4j 2 14 1 192 168 0 1");
	assert_toks("Straße ÉCOLE naïve", 0, "strass école naïve"); /* strasse: a-z, stemmed (final e) */
	assert_toks("don't", 1, "don t");
}

/* English words: plural, -ing, -ed and a final e meet; short and odd words stay. */
static void test_stem(void **state)
{
	(void)state;
	assert_toks("backups backup Backup", 0, "backup backup backup");
	assert_toks("ransomware ransomwares", 0, "ransomwar ransomwar");
	assert_toks("phishing phish phished", 0, "phish phish phish");
	assert_toks("patches patch patched patching", 0, "patch patch patch patch");
	assert_toks("update updates updated updating", 0, "updat updat updat updat");
	assert_toks("policies policy vulnerabilities", 0, "policy policy vulnerability");
	assert_toks("logging logged log logs", 0, "log log log log");
	assert_toks("installed access process processes", 0, "install access process process");
	/* left alone: short words, exceptions, words ending in us/is/ss, digits, non-ASCII */
	assert_toks("dos ddos windows virus analysis news sms log4j naïves", 0,
		    "dos ddos windows virus analysis news sms log4j naïves");
	assert_toks("string thing being", 0, "string thing being");
	/* queries are stemmed the same way */
	assert_toks("Ransomwares backups", 1, "ransomwar backup");
}

static void test_mixed(void **state)
{
	(void)state;
	assert_offs("RDP接続", "rdp@0-3 接続@3-9 続@6-9");
	assert_toks("RDP接続", 1, "rdp 接続");
	assert_toks("Windows環境でVPN装置を更新", 0,
		    "windows 環境 境で で vpn 装置 置を を更 更新 新");
	assert_toks("第3四半期", 0, "第 3 四半 半期 期");
}

static void test_fullwidth(void **state)
{
	(void)state;
	assert_offs("ＲＤＰ接続", "rdp@0-9 接続@9-15 続@12-15");
	/* (an English word is stemmed: the final e goes, see test_stem) */
	assert_toks("ＷｉｎｄｏｗｓＵｐｄａｔｅ　１０月", 0, "windowsupdat 10 月");
	/* ideographic space separates */
	assert_toks("情報　漏洩", 0, "情報 報 漏洩 洩");
}

static void test_halfwidth_kana(void **state)
{
	char *a, *b;

	(void)state;
	/* ｻｰﾊﾞｰ: ﾊ+ﾞ is one character バ; the removed ー counts with サ/バ */
	assert_offs("ｻｰﾊﾞｰ", "サバ@0-15 バ@6-15");
	assert_offs("サーバー", "サバ@0-12 バ@6-12");
	assert_offs("ｶﾞｲﾄﾞﾗｲﾝ",
		    "ガイ@0-9 イド@6-15 ドラ@9-18 ライ@15-21 イン@18-24 ン@21-24");
	a = toks("ｾｷｭﾘﾃｨﾎﾟﾘｼｰ", 0);
	b = toks("セキュリティポリシー", 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_variant_pairs(void **state)
{
	static const char *const pairs[][2] = {
		{ "サーバー", "サーバ" },
		{ "サーバー", "ｻｰﾊﾞ" },
		{ "コンピューター", "コンピュータ" },
		{ "ウイルス", "ウィルス" },
		{ "ランサムウエア", "ランサムウェア" },
		{ "ファイル", "フアイル" },
		{ "ふぁいる", "ふあいる" },
		{ "サーヴァー", "サーバー" },
		{ "ヴァイオリン", "バイオリン" },
		{ "ヴィールス", "ビールス" },
		{ "ヴェンダー", "ベンダー" },
		{ "ヴォイス", "ボイス" },
		{ "インタヴュー", "インタビュー" },
		{ "セキュリティ・ポリシー", "セキュリティポリシー" },
		{ "３ヶ月", "3ケ月" },
		{ "３ヵ月", "3カ月" },
		{ "ＲＤＰ", "rdp" },
		{ "ＡＢＣ－１２３", "abc-123" },
		{ "㍻", "平成" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *a = toks(pairs[i][0], 0), *b = toks(pairs[i][1], 0);
		char *na = norm(pairs[i][0]), *nb = norm(pairs[i][1]);

		print_message("%s = %s: %s | %s\n", pairs[i][0], pairs[i][1],
			      a, b);
		assert_string_equal(a, b);
		assert_string_equal(na, nb);
		free(a);
		free(b);
		free(na);
		free(nb);
	}
	/* what is NOT unified */
	{
		char *a = toks("ういるす", 0), *b = toks("ウイルス", 0);

		assert_string_not_equal(a, b);
		free(a);
		free(b);
	}
	/* ー after a kanji or alone is a separator */
	assert_toks("東京ー大阪", 0, "東京 京 大阪 阪");
	assert_toks("ー", 0, "");
	/* ・ between kanji separates */
	assert_toks("訓練・演習", 0, "訓練 練 演習 習");
}

static void test_offsets_nfkc(void **state)
{
	(void)state;
	/* ㈱ (3 bytes) becomes "(株)": 株 covers ㈱ */
	assert_offs("㈱日立", "株@0-3 日立@3-9 立@6-9");
	/* e + combining acute composes; é is 2 bytes */
	assert_offs("e\xcc\x81t\xc3\xa9", "été@0-6");
	/* ﬁ ligature, ① */
	assert_offs("ﬁle ①", "fil@0-5 1@6-9");  /* file, stemmed */
	/* ㌔ is two katakana, both covering the one original character */
	assert_offs("１㌔", "1@0-3 キロ@3-6 ロ@3-6");
	/* a zero-width space inside a run is ignored (it joins the
	 * character before it), not a separator */
	assert_offs("不正\xe2\x80\x8b" "アク", "不正@0-9 正ア@3-12 アク@9-15 ク@12-15");
	/* ヴァ is one character バ covering both */
	assert_offs("ヴァ", "バ@0-6");
}

/*
 * For every token of a varied text, normalising the original bytes it
 * points at gives back the token: the offsets are right.
 */
static int roundtrip_cb(void *ctx, const char *tok, int ntok, int start,
			int end)
{
	const char *s = ctx;
	struct kbuf b = KBUF_INIT;

	assert_true(start >= 0 && start < end);
	assert_int_equal(ktok_normalize(s + start, (size_t)(end - start), &b), 0);
	if (b.len != (size_t)ntok || memcmp(b.buf, tok, (size_t)ntok) != 0)
		fail_msg("token '%.*s' at %d-%d: original normalises to '%s'",
			 ntok, tok, start, end, kbuf_str(&b));
	kbuf_release(&b);
	return 0;
}

static void test_offsets_roundtrip(void **state)
{
	static const char *const texts[] = {
		"ＶＰＮ装置のファームウェアが古く、ｻｰﾊﾞｰへの不正ログインを許した。",
		"ウィルス対策ソフト（ｳｲﾙｽﾊﾞｽﾀｰ）のパターンファイルが更新されず",
		"セキュリティ・インシデント発生時はCSIRTへ連絡、Ｅメールで報告する",
		"サーヴァーのログをＳｙｓｌｏｇで転送、e\xcc\x81te\xcc\x81 naïve",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(ktok_tokenize(texts[i], -1, 0, roundtrip_cb,
					       (void *)texts[i]), 0);
	}
}

/* ---- hostile input ---- */

/* A heap copy of exactly n bytes, so ASan catches any read past len. */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static void test_invalid_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "ab\xff接続\xe6\x8e", 12, "ab@0-2 接続@3-9 続@6-9" },
		{ "接\x80続", 7, "接@0-3 続@4-7" },
		{ "\xc0\xaf" "x", 3, "x@2-3" },			/* overlong / */
		{ "\xed\xa0\x80" "y", 4, "y@3-4" },		/* surrogate */
		{ "\xf4\x90\x80\x80" "z", 5, "z@4-5" },	/* > U+10FFFF */
		{ "漢\xe5\xad", 5, "漢@0-3" },		/* truncated at end */
		{ "\xe5", 1, "" },
		{ "\xcc\x81\xcc\x81", 4, "" },			/* marks on nothing */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *in = exact(cases[i].in, cases[i].len);
		char *got = toks_n(in, (int)cases[i].len, 0, 1);
		struct kbuf b = KBUF_INIT;

		assert_string_equal(got, cases[i].want);
		assert_int_equal(ktok_normalize(in, cases[i].len, &b), 0);
		kbuf_release(&b);
		free(got);
		free(in);
	}
}

static void test_empty(void **state)
{
	struct kbuf b = KBUF_INIT;
	char *got;

	(void)state;
	assert_toks("", 0, "");
	assert_toks("", 1, "");
	assert_toks("、。！？「」 \t\n", 0, "");
	got = toks_n(NULL, 0, 0, 0);
	assert_string_equal(got, "");
	free(got);
	assert_int_equal(ktok_normalize("", 0, &b), 0);
	assert_int_equal(b.len, 0);
	kbuf_release(&b);
}

static void test_nul(void **state)
{
	char *got;

	(void)state;
	got = toks_n("ab\0cd", 5, 0, 1);
	assert_string_equal(got, "ab@0-2 cd@3-5");
	free(got);
	got = toks_n("接\0続", 7, 0, 0);
	assert_string_equal(got, "接 続");
	free(got);
}

static int len_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	int *out = ctx;

	out[0] = ntok;
	out[1] = start;
	out[2] = end;
	out[3]++;
	return 0;
}

static void test_long_word(void **state)
{
	char s[400];
	int r[4] = { 0, 0, 0, 0 };
	int i;

	(void)state;
	memset(s, 'A', 300);
	assert_int_equal(ktok_tokenize(s, 300, 0, len_cb, r), 0);
	assert_int_equal(r[0], KTOK_MAX_WORD);
	assert_int_equal(r[1], 0);
	assert_int_equal(r[2], 300);
	assert_int_equal(r[3], 1);

	/* never cut inside a character: 'a' + 100 x é (2 bytes each) */
	s[0] = 'a';
	for (i = 0; i < 100; i++) {
		s[1 + 2 * i] = (char)0xc3;
		s[2 + 2 * i] = (char)0xa9;
	}
	memset(r, 0, sizeof(r));
	assert_int_equal(ktok_tokenize(s, 201, 0, len_cb, r), 0);
	assert_int_equal(r[0], KTOK_MAX_WORD - 1);
	assert_int_equal(r[2], 201);
}

static int stop_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	int *calls = ctx;

	(void)tok;
	(void)ntok;
	(void)start;
	(void)end;
	return ++*calls == 2 ? 7 : 0;
}

static void test_callback_stops(void **state)
{
	int calls = 0;

	(void)state;
	assert_int_equal(ktok_tokenize("一二三四五", -1, 0, stop_cb, &calls), 7);
	assert_int_equal(calls, 2);
}

/* Invariants on random, mostly-broken input. */
struct inv {
	int n, len, last_start;
	struct kbuf b;
};

static int inv_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct inv *v = ctx;
	int i = 0;

	assert_true(ntok > 0 && ntok <= KTOK_MAX_WORD);
	assert_true(start >= 0 && start < end && end <= v->len);
	assert_true(start >= v->last_start);
	v->last_start = start;
	while (i < ntok) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)tok + i,
						      ntok - i, &cp);

		assert_true(k > 0);
		i += (int)k;
	}
	if (v->n++)
		kbuf_addch(&v->b, ' ');
	kbuf_add(&v->b, tok, (size_t)ntok);
	return 0;
}

static void test_random_input(void **state)
{
	static const char *const pieces[] = {
		"ア", "ー", "ァ", "ヴ", "・", "ｶ", "ﾞ", "ｰ", "漢", "字", "々",
		"あ", "ぁ", "\xcc\x81", "\xe3\x82\x99", "e", "Z", "9", " ", "、",
		"\xff", "\xe3", "\xe3\x82", "\xf0\x9f\x98\x80", "\0", "㈱", "ﬁ",
		"\xe2\x80\x8b", "한", "\xe1\x85\xa1", "-", "Ａ",
	};
	unsigned long seed = 12345;
	int iter;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		char buf[600];
		size_t len = 0;
		int parts, q;
		char *in, *doc = NULL;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		parts = (int)((seed >> 33) % 80);
		while (parts-- > 0) {
			const char *p;
			size_t n;

			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			p = pieces[(seed >> 33) % (sizeof(pieces) / sizeof(pieces[0]))];
			n = *p ? strlen(p) : 1;
			memcpy(buf + len, p, n);
			len += n;
		}
		in = exact(buf, len);
		for (q = 0; q < 2; q++) {
			struct inv v = { 0, (int)len, 0, KBUF_INIT };

			assert_int_equal(ktok_tokenize(in, (int)len, q, inv_cb, &v), 0);
			if (!q) {
				doc = kbuf_detach(&v.b, NULL);
			} else {
				/* query tokens = document tokens, less at most
				 * the final unigram */
				const char *qs = kbuf_str(&v.b);
				size_t ql = strlen(qs);

				assert_memory_equal(doc, qs, ql);
				assert_true(doc[ql] == '\0' || doc[ql] == ' ' ||
					    ql == 0);
				kbuf_release(&v.b);
			}
		}
		{
			struct kbuf b = KBUF_INIT;

			assert_int_equal(ktok_normalize(in, len, &b), 0);
			kbuf_release(&b);
		}
		free(doc);
		free(in);
	}
}

/* ---- normalisation ---- */

static void test_normalize(void **state)
{
	/* no kana-variant triggers here: must equal utf8proc's NFKC_Casefold */
	static const char *const same[] = {
		"Ｈｅｌｌｏ　Ｗｏｒｌｄ ㈱ ㍻ ﬁ Straße ΣΊΣΥΦΟΣ",
		"e\xcc\x81 a\xcc\x81\xcc\xa3 \xe1\x84\x80\xe1\x85\xa1 한국어 ①② ｶﾞｷﾞ ＡＢＣ",
		"Ⅻ ½ ℡ ㌔ ｱｲｳ",
		"\xef\xbc\xa1\xe2\x80\x8b\xef\xbc\xa2",
	};
	size_t i;
	struct kbuf b = KBUF_INIT;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		utf8proc_uint8_t *want = utf8proc_NFKC_Casefold(
			(const utf8proc_uint8_t *)same[i]);
		char *got = norm(same[i]);

		assert_non_null(want);
		assert_string_equal(got, (const char *)want);
		free(want);
		free(got);
	}
	assert_int_equal(ktok_normalize("ＲＤＰ　サーバー・ウィルス", strlen("ＲＤＰ　サーバー・ウィルス"), &b), 0);
	assert_string_equal(kbuf_str(&b), "rdp サバウイルス");
	/* appends */
	assert_int_equal(ktok_normalize("Ａ", 3, &b), 0);
	assert_string_equal(kbuf_str(&b), "rdp サバウイルスa");
	kbuf_release(&b);

	/* a cap that is too small leaves the buffer as it was */
	kbuf_setcap(&b, 4);
	kbuf_adds(&b, "x");
	assert_int_equal(ktok_normalize("abcdef", 6, &b), KE_TOOBIG);
	assert_string_equal(kbuf_str(&b), "x");
	kbuf_release(&b);
}

static void test_is_cjk(void **state)
{
	(void)state;
	assert_true(ktok_is_cjk(0x6F22));	/* 漢 */
	assert_true(ktok_is_cjk(0x3042));	/* あ */
	assert_true(ktok_is_cjk(0x30A2));	/* ア */
	assert_true(ktok_is_cjk(0x3005));	/* 々 */
	assert_true(ktok_is_cjk(0x20B9F));	/* 𠮟 */
	assert_false(ktok_is_cjk(0x30FC));	/* ー */
	assert_false(ktok_is_cjk(0x30FB));	/* ・ */
	assert_false(ktok_is_cjk(0x3001));	/* 、 */
	assert_false(ktok_is_cjk('A'));
	assert_false(ktok_is_cjk(0xD55C));	/* 한 */
	assert_false(ktok_is_cjk(-1));
}

/* ---- FTS5 end to end ---- */

static const char *const docs[] = {
	/* 1 */ "本日、防災訓練を実施した。待機系への切替手順を確認した。",
	/* 2 */ "外部からの不正アクセスにより、ファイルサーバーが停止した。",
	/* 3 */ "ＲＤＰ接続が開放されており、ランサムウエアに感染した。",
	/* 4 */ "保守委託先の担当者が鍵を紛失した。",
	/* 5 */ "個人情報の漏洩の疑いがあるため、通信を遮断した。",
	/* 6 */ "ｻｰﾊﾞｰ室の空調が故障した。",
	/* 7 */ "ウイルス対策ソフトの定義ファイルが更新されていなかった。",
	/* 8 */ "金庫の鍵。",
	/* 9 */ "二〇〇〇年問題の訓練",
};

static sqlite3 *open_db(void)
{
	struct kerr err = KERR_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	size_t i;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (ktok_register(db, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(body, tokenize='kyokun')",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO t(rowid, body) VALUES(?1, ?2)", -1, &st, NULL),
		SQLITE_OK);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		sqlite3_bind_text(st, 2, docs[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return db;
}

/* "1,5" - the rowids matching q, in order (caller frees). */
static char *match(sqlite3 *db, const char *q)
{
	struct kbuf b = KBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &st,
		NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kbuf_addf(&b, "%s%lld", b.len ? "," : "",
			  (long long)sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		fail_msg("MATCH %s: %s", q, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	kbuf_adds(&b, "");
	return kbuf_detach(&b, NULL);
}

#define assert_match(db, q, want) do { \
	char *got_ = match((db), (q)); \
	print_message("MATCH %s -> %s\n", (q), got_); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

static char *hl(sqlite3 *db, const char *fn, const char *q, int rowid)
{
	char sql[200];
	sqlite3_stmt *st;
	char *r = NULL;

	snprintf(sql, sizeof(sql),
		 "SELECT %s(t, 0, '[', ']') FROM t WHERE t MATCH ?1 AND rowid = ?2",
		 fn);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, rowid);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = strdup((const char *)sqlite3_column_text(st, 0));
	else
		fail_msg("%s: no row %d for %s (%s)", fn, rowid, q,
			 sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return r;
}

#define assert_hl(db, fn, q, rowid, want) do { \
	char *got_ = hl((db), (fn), (q), (rowid)); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

static void test_fts5_match(void **state)
{
	sqlite3 *db = open_db();

	(void)state;
	/* two-character words inside longer text */
	assert_match(db, "訓練", "1,9");
	assert_match(db, "委託", "4");
	assert_match(db, "遮断", "5");
	assert_match(db, "漏洩", "5");
	assert_match(db, "アクセス", "2");
	assert_match(db, "不正アクセス", "2");
	assert_match(db, "\"待機系への切替\"", "1");
	assert_match(db, "\"待機系 切替\"", "");
	assert_match(db, "待機系 切替", "1");
	/* variants */
	assert_match(db, "サーバ", "2,6");
	assert_match(db, "サーバー", "2,6");
	assert_match(db, "ｻｰﾊﾞ", "2,6");
	assert_match(db, "ＲＤＰ", "3");
	assert_match(db, "rdp", "3");
	assert_match(db, "RDP接続", "3");
	assert_match(db, "ランサムウェア", "3");
	assert_match(db, "ウィルス", "7");
	/* a single kanji: prefix query on bigrams + final unigram */
	assert_match(db, "\"鍵\" *", "4,8");
	assert_match(db, "鍵", "8");
	assert_match(db, "\"〇\" *", "9");
	/* prefix of a longer query */
	assert_match(db, "\"アクセ\" *", "2");
	assert_match(db, "訓練 NOT 防災", "9");
	assert_match(db, "存在しない語", "");
	sqlite3_close(db);
}

static void test_fts5_highlight(void **state)
{
	sqlite3 *db = open_db();
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		const char *fn = i ? "kyokun_highlight" : "highlight";

		assert_hl(db, fn, "ＲＤＰ", 3,
			  "[ＲＤＰ]接続が開放されており、ランサムウエアに感染した。");
		assert_hl(db, fn, "rdp", 3,
			  "[ＲＤＰ]接続が開放されており、ランサムウエアに感染した。");
		assert_hl(db, fn, "サーバ", 6, "[ｻｰﾊﾞｰ]室の空調が故障した。");
		assert_hl(db, fn, "サーバ", 2,
			  "外部からの不正アクセスにより、ファイル[サーバー]が停止した。");
		assert_hl(db, fn, "訓練", 1,
			  "本日、防災[訓練]を実施した。待機系への切替手順を確認した。");
		assert_hl(db, fn, "\"待機系への切替\"", 1,
			  "本日、防災訓練を実施した。[待機系への切替]手順を確認した。");
		assert_hl(db, fn, "ランサムウェア", 3,
			  "ＲＤＰ接続が開放されており、[ランサムウエア]に感染した。");
		assert_hl(db, fn, "鍵", 8, "金庫の[鍵]。");
	}
	/* adjacent overlapping bigram matches: SQLite 3.40's highlight()
	 * garbles these, kyokun_highlight() merges them */
	assert_hl(db, "kyokun_highlight", "\"〇\" *", 9, "二[〇〇〇年]問題の訓練");
	assert_hl(db, "kyokun_highlight", "訓練 OR 問題", 9, "二〇〇〇年[問題]の[訓練]");
	assert_hl(db, "kyokun_highlight", "\"鍵\" *", 4, "保守委託先の担当者が[鍵を]紛失した。");
	sqlite3_close(db);
}

/* A keep filter for kyokun_highlight(): mark the phrases in mask; a row without phrase 0 is none. */
static int keep_mask(void *ctx, const unsigned char *has, unsigned char *want, int np)
{
	unsigned mask = *(const unsigned *)ctx;

	for (int i = 0; i < np; i++)
		want[i] = (unsigned char)(has[i] && (mask >> i & 1));
	return np > 0 && !has[0];
}

/* The highlight of column col of each row matching m (with a keep filter of mask, or none), "rowid:text;..." */
static char *hl_rows(sqlite3 *db, const char *m, int col, const unsigned *mask)
{
	struct ktok_hl_keep keep = { keep_mask, (void *)mask };
	struct kbuf b = KBUF_INIT;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, mask ?
		"SELECT rowid, kyokun_highlight(u, ?2, '[', ']', ?3) FROM u WHERE u MATCH ?1" :
		"SELECT rowid, kyokun_highlight(u, ?2, '[', ']') FROM u WHERE u MATCH ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, col);
	if (mask)
		sqlite3_bind_pointer(st, 3, &keep, "kyokun_hl_keep", NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		kbuf_addf(&b, "%lld:%s;", sqlite3_column_int64(st, 0),
			  sqlite3_column_type(st, 1) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	kbuf_addch(&b, 0);
	return kbuf_detach(&b, NULL);
}

/*
 * kyokun_highlight(t, col, open, close, keep): only the phrases keep
 * wants, NULL for a row it refuses.  And why the store needs it: in a scan,
 * FTS5 reports no instance of y in row 2 for "zzz" OR (x AND (y OR "p q")),
 * because the AND stood on row 1 (x, p and q there, "p q" not) and cleared
 * the instances of every phrase below it, y's on row 2 too.
 */
static void test_fts5_highlight_keep(void **state)
{
	struct kerr err = KERR_INIT;
	sqlite3 *db = NULL;
	unsigned all = ~0u, first = 1u;
	char *got;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (ktok_register(db, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE u USING fts5(a, b, tokenize='kyokun');"
		"INSERT INTO u(rowid, a, b) VALUES (1, '', 'x q p'), (2, '', 'x y'), (3, 'x', 'y p q')",
		NULL, NULL, NULL), SQLITE_OK);
	/* FTS5's own behaviour (if a later SQLite reports y here, the store's detour is not needed) */
	got = hl_rows(db, "{b} : (\"zzz\" OR (x AND (y OR \"p q\")))", 1, NULL);
	assert_string_equal(got, "2:[x] y;");
	free(got);
	got = hl_rows(db, "{b} : (x AND (y OR \"p q\"))", 1, NULL);
	assert_string_equal(got, "2:[x] [y];");
	free(got);
	/* every phrase ORed: all the instances; the filter chooses */
	got = hl_rows(db, "{b} : (x OR y OR \"p q\")", 1, &all);
	assert_string_equal(got, "1:[x] q p;2:[x] [y];3:NULL;");
	free(got);
	got = hl_rows(db, "{b} : (x OR y OR \"p q\")", 1, &first);
	assert_string_equal(got, "1:[x] q p;2:[x] y;3:NULL;");
	free(got);
	/* phrases present in another column the expression allows count for has[] */
	got = hl_rows(db, "x OR y", 0, &all);
	assert_string_equal(got, "1:;2:;3:[x];");
	free(got);
	got = hl_rows(db, "y OR x", 0, &first);
	assert_string_equal(got, "1:NULL;2:;3:x;");
	free(got);
	/* a fourth argument that is not the filter */
	assert_int_not_equal(sqlite3_exec(db, "SELECT kyokun_highlight(u, 1, '[', ']', 5) FROM u WHERE u MATCH 'x'",
					  NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_fts5_errors(void **state)
{
	sqlite3 *db = NULL;
	struct kerr err = KERR_INIT;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(ktok_register(db, &err), 0);
	/* the tokenizer takes no arguments */
	assert_int_not_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE u USING fts5(body, tokenize='kyokun x')",
		NULL, NULL, NULL), SQLITE_OK);
	/* registering twice is fine */
	assert_int_equal(ktok_register(db, &err), 0);
	sqlite3_close(db);
}

/* The tokens a callback saw, "tok@start-end" joined by spaces. */
static int tap_collect(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct kbuf *b = ctx;

	if (b->len)
		kbuf_addch(b, ' ');
	kbuf_add(b, tok, (size_t)ntok);
	kbuf_addf(b, "@%d-%d", start, end);
	return 0;
}

static int tap_fail(void *ctx, const char *tok, int ntok, int start, int end)
{
	(void)ctx, (void)tok, (void)ntok, (void)start, (void)end;
	return 1;
}

/*
 * The tap: while set, it gets the tokens of the text FTS5 indexes (inserts
 * and deletes), exactly those ktok_tokenize() gives in document mode, and
 * nothing from queries or highlighting; its failure fails the statement.
 */
static void test_fts5_tap(void **state)
{
	static const char *const text[] = { "ＲＤＰ接続が開放されており、", "サーバーのbackups" };
	struct ktok_tap tap = { NULL, NULL, NULL, NULL };
	struct kbuf got = KBUF_INIT, want = KBUF_INIT;
	struct kerr err = KERR_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(ktok_register_tap(db, &tap, &err), 0);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='kyokun')", NULL, NULL,
				      NULL), SQLITE_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(ktok_tokenize(text[i], -1, 0, tap_collect, &want), 0);

	/* an insert: both columns, in order */
	tap.cb = tap_collect;
	tap.ctx = &got;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, a, b) VALUES(1, ?1, ?2)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, text[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text[1], -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_string_equal(kbuf_str(&got), kbuf_str(&want));

	/* a query and highlighting: nothing */
	kbuf_setlen(&got, 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT kyokun_highlight(t, 0, '[', ']') FROM t WHERE t MATCH '接続'",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	assert_int_equal((int)got.len, 0);

	/* no tap set: nothing, and the index is written all the same */
	tap.cb = NULL;
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t(rowid, a, b) VALUES(2, '訓練', '')", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal((int)got.len, 0);

	/* a tap that fails fails the insert */
	tap.cb = tap_fail;
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO t(rowid, a, b) VALUES(3, '訓練', '')", NULL, NULL, NULL),
			     SQLITE_OK);
	tap.cb = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(rowid) FROM t WHERE t MATCH '訓練'", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "2");
	sqlite3_finalize(st);

	kbuf_release(&got);
	kbuf_release(&want);
	sqlite3_close(db);
}

/* The index's pages of table t, in order, into b. */
static void fts_pages(sqlite3 *db, const char *t, struct kbuf *b)
{
	char sql[128];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT id, block FROM %s_data ORDER BY id", t);
	kbuf_setlen(b, 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		kbuf_addf(b, "%lld:", (long long)sqlite3_column_int64(st, 0));
		kbuf_add(b, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
	}
	sqlite3_finalize(st);
}

/*
 * Tokens made ahead (struct ktok_pre, on another thread in kyokun add): the
 * texts they were made of are given those tokens (the tap sees the same
 * tokens, the index is the same to the byte as tokenizing them then), an
 * empty column passed over; a text they were not made of is tokenized as
 * usual, so the index holds what the row says, never what was made ahead.
 */
static void test_fts5_pre(void **state)
{
	static const char *const text[] = { "ＲＤＰ接続が開放されており、サーバーのbackupsを確認した。",
					    "", "予備系への切り替えに失敗した。 CVE-2021-44228" };
	struct ktok_tap tap = { NULL, NULL, NULL, NULL };
	struct ktok_pre pre = { 0 }, other = { 0 };
	struct kbuf got = KBUF_INIT, want = KBUF_INIT, a = KBUF_INIT, b = KBUF_INIT;
	struct kerr err = KERR_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(ktok_register_tap(db, &tap, &err), 0);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t1 USING fts5(a, b, c, tokenize='kyokun');"
				      "CREATE VIRTUAL TABLE t2 USING fts5(a, b, c, tokenize='kyokun');", NULL, NULL, NULL),
			 SQLITE_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ktok_tokenize(text[i], -1, 0, tap_collect, &want), 0);
		assert_int_equal(ktok_pre_add(&pre, text[i], strlen(text[i])), 0);
	}
	assert_int_equal(ktok_pre_add(&other, "別の文章", strlen("別の文章")), 0);
	tap.cb = tap_collect;
	tap.ctx = &got;
	for (int t = 0; t < 2; t++) {
		/* t1 tokenized as usual, t2 given the tokens made ahead */
		assert_int_equal(sqlite3_prepare_v2(db, t ? "INSERT INTO t2(rowid, a, b, c) VALUES(1, ?1, ?2, ?3)"
							  : "INSERT INTO t1(rowid, a, b, c) VALUES(1, ?1, ?2, ?3)",
						    -1, &st, NULL), SQLITE_OK);
		for (int i = 0; i < 3; i++)
			sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
		tap.pre = t ? &pre : NULL;
		kbuf_setlen(&got, 0);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		tap.pre = NULL;
		assert_string_equal(kbuf_str(&got), kbuf_str(&want));
	}
	assert_int_equal(pre.next, 3);
	fts_pages(db, "t1", &a);
	fts_pages(db, "t2", &b);
	assert_int_equal((int)a.len, (int)b.len);
	assert_memory_equal(a.buf, b.buf, a.len);

	/* tokens made of other texts: not given */
	tap.pre = &other;
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t2(rowid, a, b, c) VALUES(2, '訓練', '', '')", NULL, NULL, NULL),
			 SQLITE_OK);
	tap.pre = NULL;
	assert_int_equal(other.next, 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(rowid) FROM t2 WHERE t2 MATCH '訓練 OR 別の文章'",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "2");
	sqlite3_finalize(st);

	ktok_pre_release(&pre);
	ktok_pre_release(&other);
	kbuf_release(&got);
	kbuf_release(&want);
	kbuf_release(&a);
	kbuf_release(&b);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_japanese),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_fullwidth),
		cmocka_unit_test(test_halfwidth_kana),
		cmocka_unit_test(test_variant_pairs),
		cmocka_unit_test(test_offsets_nfkc),
		cmocka_unit_test(test_offsets_roundtrip),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_random_input),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_is_cjk),
		cmocka_unit_test(test_fts5_match),
		cmocka_unit_test(test_fts5_highlight),
		cmocka_unit_test(test_fts5_highlight_keep),
		cmocka_unit_test(test_fts5_errors),
		cmocka_unit_test(test_fts5_tap),
		cmocka_unit_test(test_fts5_pre),
	};

	return cmocka_run_group_tests_name("tokenizer", tests, NULL, NULL);
}
