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
#include <stdio.h>
#include <stdlib.h>


#include "reader.h"

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
