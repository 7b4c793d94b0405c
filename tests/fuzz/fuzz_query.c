/*
 * fuzz_query.c - the search box: kquery_compile() (search.h) on any text,
 * with any of the KQ_* flags, with and without synonyms; and every query
 * that compiles runs as a search on a small library (the cases of
 * tests/fixtures/search/cases.json, or $KYOKUN_FUZZ_CASES), where SQLite
 * must accept the FTS5 expression: user text never becomes FTS5 syntax, so a
 * database error there is a bug.
 *
 * The first byte of the input chooses the flags (bits 0-2) and whether
 * synonyms are used (bit 3); the rest is the query.
 */
#include "fuzz.h"
#include "query.h"
#include "search.h"
#include "synonym.h"
#include "store.h"

#include <string.h>
#include <unistd.h>

static const struct ksyn *syn;
static struct kstore *st;
static char dir[] = "/tmp/kyokun-fuzz-query.XXXXXX";
static char db[sizeof(dir) + 16];

static void cleanup(void)
{
	char p[sizeof(db) + 8];

	kstore_close(st);
	st = NULL;
	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
	rmdir(dir);
}

/* The library the queries run on. */
static void load_cases(void)
{
	const char *src = getenv("KYOKUN_FUZZ_CASES");
	struct kcase_reader *r;
	struct kerr err = KERR_INIT;
	int rc;

	if (!src)
		src = "tests/fixtures/search/cases.json";
	if (!mkdtemp(dir))
		return;
	snprintf(db, sizeof(db), "%s/q.db", dir);
	atexit(cleanup);
	if (kstore_open(&st, db, 0, &err) < 0 || kcase_reader_open(&r, src, &err) < 0) {
		fprintf(stderr, "fuzz_query: %s: %s (queries are only compiled)\n", src, err.msg);
		kstore_close(st);
		st = NULL;
		return;
	}
	for (;;) {
		struct kcase c;

		kcase_init(&c);
		rc = kcase_reader_next(r, &c, &err);
		if (rc == 1)
			kstore_put(st, &c, NULL, &err);
		kcase_free(&c);
		if (rc == 0 || (rc < 0 && rc != KE_INVALID))
			break;
	}
	kcase_reader_close(r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kerr err = KERR_INIT;

	if (ksyn_default(&syn, &err) < 0) {
		fprintf(stderr, "fuzz_query: synonyms: %s\n", err.msg);
		abort();
	}
	load_cases();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kquery q;
	struct kerr err = KERR_INIT;
	int flags, rc;
	char *text;

	if (size < 1)
		return 0;
	flags = data[0] & 7;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	rc = kquery_compile(&q, text, data[0] & 8 ? NULL : syn, flags, &err);
	FUZZ_CHECK(rc <= 0, "kquery_compile returned %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(rc == KE_USAGE || rc == KE_TOOBIG || rc == KE_NOMEM, "error %d: %s", rc, err.msg);
		FUZZ_CHECK(err.msg[0], "error %d without a message", rc);
	} else {
		FUZZ_CHECK(q.match && q.match[0] && q.head_match, "compiled without a match expression");
		FUZZ_CHECK(q.nphrases <= KSEARCH_MAX_PHRASES, "%zu phrases", q.nphrases);
	}
	kquery_free(&q);
	if (rc == 0 && st) {
		struct ksearch_opts o = KSEARCH_OPTS_INIT;
		struct ksearch_result res;

		o.query = text;
		o.flags = flags;
		o.syn = syn;
		o.filter.limit = 5;
		rc = ksearch(st, &o, &res, &err);
		FUZZ_CHECK(rc != KE_DB, "the database refused the search: %s", err.msg);
		ksearch_result_free(&res);
	}
	free(text);
	return 0;
}
