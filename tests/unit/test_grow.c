/*
 * test_grow.c - kgrow(): room in a dynamic array.
 */
#include "testutil.h"
#include "grow.h"
#include "kerr.h"

#include <string.h>

struct pair {
	long a, b;
};

static void test_grows_and_keeps(void **state)
{
	struct pair *v = NULL;
	size_t n = 0, alloc = 0;

	(void)state;
	for (long i = 0; i < 1000; i++) {
		assert_int_equal(KGROW(v, alloc, n + 1), 0);
		assert_true(alloc >= n + 1);
		v[n].a = i;
		v[n++].b = -i;
	}
	for (size_t i = 0; i < n; i++)
		assert_true(v[i].a == (long)i && v[i].b == -(long)i);
	/* enough room: nothing changes */
	{
		struct pair *before = v;
		size_t cap = alloc;

		assert_int_equal(KGROW(v, alloc, n), 0);
		assert_ptr_equal(v, before);
		assert_int_equal(alloc, cap);
	}
	free(v);
}

static void test_first_allocation(void **state)
{
	char *s = NULL;
	struct pair *v = NULL;
	size_t sa = 0, va = 0;

	(void)state;
	assert_int_equal(KGROW(s, sa, 1), 0);
	assert_int_equal(sa, 64);
	assert_int_equal(KGROW(v, va, 1), 0);
	assert_int_equal(va, 4);
	assert_int_equal(KGROW(v, va, 9), 0);
	assert_int_equal(va, 16);
	free(s);
	free(v);
}

static void test_overflow(void **state)
{
	struct pair *v = NULL;
	size_t alloc = 0;

	(void)state;
	assert_int_equal(KGROW(v, alloc, 4), 0);
	v[3].a = 42;
	assert_int_equal(KGROW(v, alloc, SIZE_MAX / sizeof(*v) + 1), KE_NOMEM);
	assert_int_equal(KGROW(v, alloc, SIZE_MAX), KE_NOMEM);
	/* unchanged after a failure */
	assert_int_equal(alloc, 4);
	assert_int_equal(v[3].a, 42);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_keeps),
		cmocka_unit_test(test_first_allocation),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
