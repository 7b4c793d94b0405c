/*
 * test_utf8.c - the UTF-8 module: decoding, encoding, validation, cutting.
 */
#include "testutil.h"
#include "utf8.h"

#include <string.h>

static int is_scalar(uint32_t cp)
{
	return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* Every scalar value encodes and decodes back, in the shortest form. */
static void test_round_trip(void **state)
{
	(void)state;
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		char d[KUTF8_MAX];
		uint32_t back = 0xFFFFFFFF;
		int n, m;

		if (!is_scalar(cp))
			continue;
		n = kutf8_encode(cp, d);
		if (n != (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4))
			fail_msg("U+%04X encodes in %d bytes", cp, n);
		m = kutf8_decode(d, (size_t)n, &back);
		if (m != n || back != cp)
			fail_msg("U+%04X decodes as %d bytes, U+%04X", cp, m, back);
		/* one byte short is never a character */
		if (n > 1 && kutf8_decode(d, (size_t)n - 1, &back) != -1)
			fail_msg("U+%04X cut short still decodes", cp);
	}
}

/* Of all sequences of up to three bytes, exactly the encodings of scalar values decode. */
static void test_every_short_sequence(void **state)
{
	(void)state;
	for (uint32_t v = 0; v < (1u << 24); v++) {
		char s[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
		char d[KUTF8_MAX];
		uint32_t cp;
		int n = kutf8_decode(s, 3, &cp);

		/* kutf8_valid_prefix() (its fast paths) agrees with decoding one by one */
		{
			size_t want = 0;
			uint32_t c2;
			int k;

			while (want < 3 && (k = kutf8_decode(s + want, 3 - want, &c2)) > 0 && c2 != 0)
				want += (size_t)k;
			if (kutf8_valid_prefix(s, 3) != want)
				fail_msg("%02X %02X %02X: valid prefix %zu, decoding %zu", (unsigned char)s[0],
					 (unsigned char)s[1], (unsigned char)s[2], kutf8_valid_prefix(s, 3), want);
		}
		if (n < 0)
			continue;
		if (!is_scalar(cp) || kutf8_encode(cp, d) != n || memcmp(d, s, (size_t)n))
			fail_msg("%02X %02X %02X decodes as %d bytes, U+%04X", (unsigned char)s[0],
				 (unsigned char)s[1], (unsigned char)s[2], n, cp);
	}
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"\x80",             /* a continuation byte */
		"\xC0\x80",         /* overlong NUL */
		"\xC1\xBF",         /* overlong */
		"\xE0\x80\xAF",     /* overlong '/' */
		"\xE0\x9F\xBF",     /* overlong U+07FF */
		"\xED\xA0\x80",     /* U+D800, a surrogate */
		"\xED\xBF\xBF",     /* U+DFFF */
		"\xF0\x8F\xBF\xBF", /* overlong U+FFFF */
		"\xF4\x90\x80\x80", /* U+110000 */
		"\xF5\x80\x80\x80",
		"\xF8\x88\x80\x80\x80",
		"\xFF",
		"\xE8\xA8",         /* cut short */
		"\xE8\x41\x42",     /* not a continuation */
	};
	uint32_t cp = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (kutf8_decode(bad[i], strlen(bad[i]), &cp) != -1)
			fail_msg("bad[%zu] decodes", i);
		assert_int_equal(cp, 7);
		assert_int_equal(kutf8_valid_prefix(bad[i], strlen(bad[i])), 0);
		assert_false(kutf8_valid(bad[i], strlen(bad[i])));
	}
}

static void test_valid_prefix(void **state)
{
	(void)state;
	assert_int_equal(kutf8_valid_prefix("", 0), 0);
	assert_int_equal(kutf8_valid_prefix("abc", 3), 3);
	assert_int_equal(kutf8_valid_prefix("訓練\xFF訓", 10), 6);
	assert_int_equal(kutf8_valid_prefix("訓練", 5), 3); /* the second character cut */
	/* the fast paths (eight ASCII bytes at a time, three-byte sequences in place) stop where
	 * the byte-by-byte reading does */
	assert_int_equal(kutf8_valid_prefix("abcdefghijklmnopq\x80rs", 20), 17);
	assert_int_equal(kutf8_valid_prefix("abcdefghij\0klmnopqrst", 21), 10);
	assert_int_equal(kutf8_valid_prefix("abcdefgh\xE3\x81\x82ijklmnop", 19), 19);
	assert_int_equal(kutf8_valid_prefix("ab\xE0\x9F\xBF", 5), 2);   /* overlong */
	assert_int_equal(kutf8_valid_prefix("ab\xE0\xA0\x80", 5), 5);
	assert_int_equal(kutf8_valid_prefix("ab\xED\xA0\x80", 5), 2);   /* a surrogate */
	assert_int_equal(kutf8_valid_prefix("ab\xED\x9F\xBF", 5), 5);
	assert_int_equal(kutf8_valid_prefix("ab\xE3\x81", 4), 2);        /* cut at the end */
	assert_int_equal(kutf8_valid_prefix("ab\xE3\x81" "a", 5), 2);
	assert_int_equal(kutf8_valid_prefix("\xE3\x81\x82\xE3\xC1\x82", 6), 3);
	assert_int_equal(kutf8_valid_prefix("ab\0cd", 5), 2); /* NUL is refused */
	assert_true(kutf8_valid("\xF4\x8F\xBF\xBF", 4));
	assert_true(kutf8_valid("\xEF\xBF\xBF", 3)); /* U+FFFF is a scalar value */
}

static void test_cut(void **state)
{
	(void)state;
	assert_int_equal(kutf8_cut("abc", 5), 3);
	assert_int_equal(kutf8_cut("abcdef", 4), 4);
	assert_int_equal(kutf8_cut("訓練", 6), 6);
	assert_int_equal(kutf8_cut("訓練", 5), 3);
	assert_int_equal(kutf8_cut("訓練", 4), 3);
	assert_int_equal(kutf8_cut("訓練", 3), 3);
	assert_int_equal(kutf8_cut("訓練", 2), 0);
	assert_int_equal(kutf8_cut("訓練", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_short_sequence),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_valid_prefix),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
