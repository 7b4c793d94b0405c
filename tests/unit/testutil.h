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

#endif
