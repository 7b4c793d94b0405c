/*
 * fuzz_add_json.c - `kyokun add FILE`: the case reader of case_json.c on any
 * bytes (a collection, an array, one case or JSON Lines), through the file
 * path it reads in the command (an in-memory file), case by case as the
 * command does.  Every case read must validate, and must come back the same
 * through its JSON: written, read again, written again, the two are equal.
 */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_CASES 2000 /* per input: enough to reach every reader path */

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fd = memfd_create("kyokun-fuzz-add", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

/* The case as JSON, read again, is the same case. */
static void check_round_trip(const struct kcase *c)
{
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	struct kerr err = KERR_INIT;
	struct kcase again;
	json_error_t je;
	json_t *j;
	int rc;

	if (kcase_dump(c, &a) < 0)
		goto out;
	j = json_loadb(a.buf, a.len, JSON_REJECT_DUPLICATES, &je);
	FUZZ_CHECK(j, "the dump of %s is no JSON: %s: %s", c->id, je.text, a.buf);
	kcase_init(&again);
	rc = kcase_from_json(&again, j, &err);
	json_decref(j);
	FUZZ_CHECK(rc == 0 || rc == KE_NOMEM, "the dump of %s does not read back: %s", c->id, err.msg);
	if (rc == 0) {
		rc = kcase_validate(&again, &err);
		FUZZ_CHECK(rc == 0, "the dump of %s is not valid: %s", c->id, err.msg);
		if (kcase_dump(&again, &b) == 0)
			FUZZ_CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len),
				   "%s changes when read back:\n%s\n%s", c->id, a.buf, b.buf);
	}
	kcase_free(&again);
out:
	kbuf_release(&a);
	kbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kcase_reader *r = NULL;
	struct kerr err = KERR_INIT;
	int rc;

	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	rc = kcase_reader_open(&r, path, &err);
	if (rc < 0) {
		FUZZ_CHECK(err.msg[0], "open: error %d without a message", rc);
		FUZZ_CHECK(!r, "open failed but returned a reader");
		return 0;
	}
	for (int n = 0; n < MAX_CASES; n++) {
		struct kcase c;
		char where[64];

		kcase_init(&c);
		kerr_clear(&err);
		rc = kcase_reader_next(r, &c, &err);
		kcase_reader_where(r, where, sizeof(where));
		if (rc == 1) {
			FUZZ_CHECK(kcase_validate(&c, &err) == 0, "a case read is not valid: %s", err.msg);
			check_round_trip(&c);
		} else if (rc < 0) {
			FUZZ_CHECK(err.msg[0], "next: error %d without a message", rc);
		}
		kcase_free(&c);
		if (rc == 0 || (rc < 0 && rc != KE_INVALID))
			break;
	}
	kcase_reader_close(r);
	return 0;
}
