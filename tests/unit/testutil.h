/*
 * testutil.h - shared bits of the cmocka unit tests.
 */
#ifndef KYOKUN_TESTUTIL_H
#define KYOKUN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>


#include "reader.h"

/*
 * A hold on the first connection to read the facet columns of a state
 * (ksqlite_facets__test_hook(hold_reader, &h)): it sets reading and waits
 * until the test sets go; later readers pass.  calls counts them.
 */
struct hold {
	pthread_mutex_t m;
	pthread_cond_t c;
	int reading, go, calls;
};
#define HOLD_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 }

static inline void hold_reader(void *ctx)
{
	struct hold *h = ctx;

	pthread_mutex_lock(&h->m);
	if (h->calls++ == 0) {
		h->reading = 1;
		pthread_cond_broadcast(&h->c);
		while (!h->go)
			pthread_cond_wait(&h->c, &h->m);
	}
	pthread_mutex_unlock(&h->m);
}

/* Wait until the held reader is reading; let it go. */
static inline void hold_wait(struct hold *h)
{
	pthread_mutex_lock(&h->m);
	while (!h->reading)
		pthread_cond_wait(&h->c, &h->m);
	pthread_mutex_unlock(&h->m);
}

static inline void hold_release(struct hold *h)
{
	pthread_mutex_lock(&h->m);
	h->go = 1;
	pthread_cond_broadcast(&h->c);
	pthread_mutex_unlock(&h->m);
}

/* A local reader limited to TLP rank max (-1: not limited), as --max-tlp makes. */
static inline const struct kreader *tlp_reader(int max)
{
	static struct kreader r[5];

	if (max < 0 || max > 4)
		return &kreader_local;
	r[max] = (struct kreader)KREADER_LOCAL_INIT;
	r[max].limited = 1;
	r[max].limit = max;
	return &r[max];
}

/*
 * A temporary folder for the databases of one test program, made and removed
 * by testutil_tmp_setup / testutil_tmp_teardown (cmocka group fixtures), and
 * a fresh database path in it at each testutil_db_path() (static buffer).
 */
static inline char *testutil_tmpdir(void)
{
	static char dir[256];

	return dir;
}

static inline int testutil_tmp_setup(void **state)
{
	const char *t = getenv("TMPDIR");
	char *dir = testutil_tmpdir();

	(void)state;
	snprintf(dir, 256, "%s/kyokun-unit.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static inline int testutil_tmp_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testutil_tmpdir());
	return system(cmd) == 0 ? 0 : -1;
}

static inline const char *testutil_db_path(void)
{
	static char path[512];
	static int seq;

	snprintf(path, sizeof(path), "%s/t%d.db", testutil_tmpdir(), ++seq);
	return path;
}

#endif
