/*
 * test_tokenizer_ref.c - the tokenizer's fast path (plain kanji, kana and
 * ASCII taken without the normalisation stages) gives the same tokens and
 * offsets as every code point through the stages (tokenizer_ref.h), in
 * document and query mode: on generated text that mixes the fast code
 * points with the ones that change or join them (small kana, ヴ, ー, ・,
 * combining and half-width marks, ignorables, invalid bytes), and on the
 * published reports in ../shared when they are there.
 */
#include "testutil.h"

#include <glob.h>
#include <string.h>

#include "kbuf.h"
#include "tokenizer_ref.h"

struct tokens {
	struct kbuf b;
};

static int add_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tokens *t = ctx;

	kbuf_add(&t->b, tok, (size_t)ntok);
	kbuf_addf(&t->b, "@%d-%d|", start, end);
	return 0;
}

/* ktok_tokenize and the reference agree on s[0..n) in both modes; 0 if they do. */
static int same(const char *s, int n)
{
	int bad = 0;

	for (int q = 0; q < 2 && !bad; q++) {
		struct tokens a = { KBUF_INIT }, b = { KBUF_INIT };

		assert_int_equal(ref_ktok_tokenize(s, n, q, add_tok, &a), 0);
		assert_int_equal(ktok_tokenize(s, n, q, add_tok, &b), 0);
		if (a.b.len != b.b.len || (a.b.len && memcmp(a.b.buf, b.b.buf, a.b.len))) {
			print_message("differ (query %d) on: %.*s\n  ref:  %.*s\n  fast: %.*s\n", q, n, s,
				      (int)a.b.len, a.b.buf ? a.b.buf : "", (int)b.b.len, b.b.buf ? b.b.buf : "");
			bad = 1;
		}
		kbuf_release(&a.b);
		kbuf_release(&b.b);
	}
	return bad;
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 11) % n;
}

/* Pieces that go fast, that are changed by a neighbour, or that change one. */
static const char *const pieces[] = {
	"障", "害", "系", "あ", "い", "ん", "カ", "キ", "ワ", "ン", "ヷ", "ヺ", "々", "〆", "〇",
	"ぁ", "っ", "ゃ", "ゎ", "ゕ", "ゖ", "ァ", "ッ", "ヵ", "ヶ", "ヴ", "ゔ", "ー", "・", "ヽ", "ゝ",
	"\xe3\x82\x99", "\xe3\x82\x9a",			/* combining (han)dakuten */
	"ｶ", "ﾞ", "ﾟ", "ｰ", "･", "Ａ", "ｚ", "１", "①", "㍿", "ﬁ", "Ⅻ", "丽", "豈", "𠀋",
	"a", "B", "z", "0", "9", " ", "-", ".", "\t", "s", "ing", "ed",
	"é", "e\xcc\x81", "\xcc\x81", "ß", "İ",
	"한", "\xe1\x84\x80", "\xe1\x85\xa1", "\xe1\x86\xa8",	/* Hangul jamo */
	"\xc2\xad", "\xe2\x80\x8b", "\xe2\x80\x8d", "\xef\xb8\x8f",	/* ignorables, VS16 */
	"「", "」", "『", "、", "。", "ㇰ", "〱",
	"\xff", "\xe3\x80", "\xc3", "\x80", "\xf0\x9f",		/* invalid and cut sequences */
};

static void test_generated(void **state)
{
	char s[512];
	int bad = 0;

	(void)state;
	for (int i = 0; i < 20000 && bad < 5; i++) {
		int n = 0, k = 1 + (int)rnd(30);

		for (int j = 0; j < k; j++) {
			const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(p);

			memcpy(s + n, p, l);
			n += (int)l;
		}
		bad += same(s, n);
		/* and cut anywhere, even inside a sequence */
		bad += same(s, (int)rnd((uint32_t)n + 1));
	}
	assert_int_equal(bad, 0);
}

static void test_reports(void **state)
{
	const char *dir = getenv("SHARED") ? getenv("SHARED") : "../shared";
	char pat[1024];
	glob_t g;
	int bad = 0;

	(void)state;
	snprintf(pat, sizeof(pat), "%s/corpus/*.txt", dir);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		print_message("skip: no published reports in %s/corpus (set SHARED)\n", dir);
		skip();
	}
	for (size_t i = 0; i < g.gl_pathc && bad < 5; i++) {
		FILE *f = fopen(g.gl_pathv[i], "rb");
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		assert_non_null(f);
		while ((n = getline(&line, &cap, f)) > 0 && bad < 5)
			bad += same(line, (int)n);
		free(line);
		fclose(f);
	}
	globfree(&g);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
