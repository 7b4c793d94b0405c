/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz/ share: a loud stop
 * when an invariant does not hold (libFuzzer then saves the input), and the
 * checks on what the importer hands on.
 */
#ifndef KYOKUN_FUZZ_H
#define KYOKUN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "case.h"
#include "case_json.h"
#include "classify.h"
#include "kbuf.h"
#include "kerr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * What `kyokun import` does with each case the importer found (tlp, tags,
 * validation), and the case written as JSON: an imported case must be a
 * valid one, or the whole file is refused.
 */
static inline void fuzz_check_imported(struct kcase *c)
{
	struct kerr err = KERR_INIT;
	struct kbuf out = KBUF_INIT;
	int rc;

	if (!c->tlp && kstr_set(&c->tlp, "clear") < 0)
		return;
	rc = kclassify_case(c, &err);
	FUZZ_CHECK(rc == 0 || rc == KE_NOMEM, "classify: %s", err.msg);
	rc = kcase_validate(c, &err);
	FUZZ_CHECK(rc == 0, "imported case %s is not valid: %s", c->id ? c->id : "?", err.msg);
	rc = kcase_dump(c, &out);
	FUZZ_CHECK(rc == 0 || rc == KE_NOMEM, "kcase_dump: %d", rc);
	kbuf_release(&out);
}

#endif
