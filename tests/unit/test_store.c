/*
 * test_store.c - unit tests of the store (store.c, the SQLite backend
 * store_sqlite.c): the backend a path picks; opening and migrating,
 * put/get, revisions and history, transactions (duplicate ids, rollback),
 * delete, list filters, documents, counts, reopening and
 * read-only connections; read-only opens never migrate and never wait for a
 * writer (also during a bulk load in another process); the change counter;
 * the check of a damaged file; backups, the schema version of a file, the
 * lock a restore takes.
 */
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"
#include "store_search.h"
#include "store_sqlite.h"
#include "account.h"
#include "store_account.h"

static char tmpdir[256];
static int dbseq;

static int setup_tmp(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-test-store.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh database file name (static buffer). */
static const char *new_db_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/t%d.db", tmpdir, ++dbseq);
	return path;
}

static struct kstore *open_new(void)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;

	if (kstore_open(&st, new_db_path(), 0, &err) < 0)
		fail_msg("kstore_open: %s", err.msg);
	return st;
}

#define assert_msg_has(err, want) do { \
	if (!strstr((err).msg, (want))) \
		fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (want)); \
} while (0)

/* A case with the fields the filters look at. */
static void mkcase(struct kcase *c, const char *id, const char *title, const char *doc, int year,
		   int number, const char *category, const char *event_class, const char *threat,
		   const char *sector, const char *tlp)
{
	kcase_init(c);
	assert_int_equal(kstr_set(&c->id, id), 0);
	assert_int_equal(kstr_set(&c->title, title), 0);
	assert_int_equal(kstr_set(&c->source.document, doc), 0);
	c->source.has_year = year != 0;
	c->source.year = year;
	c->source.has_case_number = number != 0;
	c->source.case_number = number;
	assert_int_equal(kstr_set(&c->category, category), 0);
	assert_int_equal(kstr_set(&c->tags.event_class, event_class), 0);
	if (threat)
		assert_int_equal(kstrv_push(&c->tags.threats, threat), 0);
	if (sector)
		assert_int_equal(kstrv_push(&c->tags.sectors, sector), 0);
	assert_int_equal(kstr_set(&c->tlp, tlp), 0);
	assert_int_equal(kstrv_push(&c->summary, "概要"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CAUSE], "原因の文"), 0);
	assert_int_equal(kcase_add_event(c, 1, 1, "1日目", "CSIRT", "遮断"), 0);
}

static void put(struct kstore *st, const struct kcase *c, int want_outcome)
{
	struct kerr err = KERR_INIT;
	int outcome = 0;

	if (kstore_put(st, c, &outcome, &err) < 0)
		fail_msg("kstore_put %s: %s", c->id, err.msg);
	assert_int_equal(outcome, want_outcome);
}

static void put_simple(struct kstore *st, const char *id, const char *title)
{
	struct kcase c;

	mkcase(&c, id, title, "d.txt", 2024, 1, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
}

/* The title of a stored case, or NULL if it is not there (static buffer). */
static const char *stored_title(struct kstore *st, const char *id)
{
	static char title[256];
	struct kerr err = KERR_INIT;
	struct kcase c;
	int rc;

	kcase_init(&c);
	rc = kstore_get(st, id, &c, &err);
	if (rc == KE_NOTFOUND) {
		kcase_free(&c);
		return NULL;
	}
	if (rc < 0)
		fail_msg("kstore_get %s: %s", id, err.msg);
	snprintf(title, sizeof(title), "%s", c.title);
	kcase_free(&c);
	return title;
}

/* ---- list / history collectors ---- */

struct ids {
	char s[1024];
	int n;
};

static int ids_cb(void *ctx, const struct kcase_row *r)
{
	struct ids *ids = ctx;
	size_t len = strlen(ids->s);

	snprintf(ids->s + len, sizeof(ids->s) - len, "%s%s", ids->n ? " " : "", r->id);
	ids->n++;
	return 0;
}

/* The ids kstore_list gives for f, space-separated (static buffer); *total if asked. */
static const char *list_ids(struct kstore *st, const struct kfilter *f, long *total)
{
	static struct ids ids;
	struct kerr err = KERR_INIT;

	memset(&ids, 0, sizeof(ids));
	if (kstore_list(st, f, ids_cb, &ids, total, &err) < 0)
		fail_msg("kstore_list: %s", err.msg);
	return ids.s;
}

struct revs {
	int rev[16];
	int current[16];
	char title[16][64];
	int n;
};

static int revs_cb(void *ctx, const struct krevision *r)
{
	struct revs *rv = ctx;
	json_t *j = json_loads(r->json, 0, NULL);

	assert_non_null(j);
	assert_true(rv->n < 16);
	assert_non_null(r->saved);
	rv->rev[rv->n] = r->revision;
	rv->current[rv->n] = r->current;
	snprintf(rv->title[rv->n], sizeof(rv->title[0]), "%s", json_string_value(json_object_get(j, "title")));
	rv->n++;
	json_decref(j);
	return 0;
}

/* ---- tests ---- */

static void test_open_migrate(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	const char *path = new_db_path();
	sqlite3 *db;
	long n = -1;

	(void)state;
	assert_true(kstore_schema_latest() >= 2);
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_non_null(st);
	assert_int_equal(kstore_schema_version(st), kstore_schema_latest());
	assert_string_equal(kstore_path(st), path);
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 0);
	kstore_close(st);
	/* opening again does not migrate twice */
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_schema_version(st), kstore_schema_latest());
	kstore_close(st);
	kstore_close(NULL);

	/* an empty existing file is a new database */
	path = new_db_path();
	fclose(fopen(path, "w"));
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_schema_version(st), kstore_schema_latest());
	kstore_close(st);

	/* a database from a newer kyokun is refused, and left alone */
	path = new_db_path();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = NULL;
	assert_int_equal(kstore_open(&st, path, 0, &err), KE_DB);
	assert_null(st);
	assert_msg_has(err, "schema version 99");
	assert_int_equal(kstore_open(&st, path, 0, &err), KE_DB);

	/* a file that is not a database */
	path = new_db_path();
	{
		FILE *fp = fopen(path, "w");

		fputs("this is not an SQLite database, just some text that is long enough...\n", fp);
		for (int i = 0; i < 100; i++)
			fputs("0123456789012345678901234567890123456789\n", fp);
		fclose(fp);
	}
	assert_true(kstore_open(&st, path, 0, &err) < 0);
	assert_null(st);
	assert_true(strlen(err.msg) > 0);

	/* a directory that does not exist */
	assert_true(kstore_open(&st, "/nonexistent-dir/x/k.db", 0, &err) < 0);
	assert_null(st);
	assert_msg_has(err, "/nonexistent-dir/x/k.db");
}

/* The backend is picked by the path: a file is SQLite; PostgreSQL is not built in. */
static void test_backend(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;

	(void)state;
	st = open_new();
	assert_string_equal(kstore_backend(st), "sqlite");
	kstore_close(st);

	st = (struct kstore *)1;
	assert_int_equal(kstore_open(&st, "postgresql://x", 0, &err), KE_USAGE);
	assert_null(st);
	assert_msg_has(err, "this kyokun was built without PostgreSQL support");
	kerr_clear(&err);
	assert_int_equal(kstore_open(&st, "postgresql://x", KSTORE_READONLY, &err), KE_USAGE);
	assert_null(st);
	assert_msg_has(err, "without PostgreSQL support");
}

static void test_put_get(void **state)
{
	static const char full[] =
		"{\"id\":\"full\",\"title\":\"ＶＰＮ機器\",\"source\":{\"document\":\"d.txt\",\"publisher\":\"p\","
		"\"year\":2024,\"case_number\":1,\"page_marker\":\"１／３\",\"x\":1},\"category\":\"c\","
		"\"summary\":[\"s1\",\"s2\"],\"key_lessons\":[\"k\"],\"attributes\":{\"organization\":\"o\","
		"\"factors\":\"f\",\"reader_level\":\"advanced\",\"x\":2},\"sections\":{\"background\":\"b\","
		"\"cause\":\"c\\nc2\",\"challenges\":\"ch\",\"x_sec\":\"?\"},\"timeline\":[{\"day\":-11,"
		"\"when\":\"検知の11日前\",\"actor\":null,\"text\":\"t\"},{\"day\":null,\"when\":\"2週目\","
		"\"actor\":\"経営層\",\"text\":\"t2\",\"x\":3}],\"tags\":{\"event_class\":\"cyber_attack\","
		"\"threats\":[\"ransomware\"],\"sectors\":[\"electricity\",\"water\"],\"x\":4},\"tlp\":\"red\",\"x_top\":[5]}";
	struct kerr err = KERR_INIT;
	struct kstore *st = open_new();
	struct kcase c, back;
	json_t *in = json_loads(full, 0, NULL), *out;

	(void)state;
	kcase_init(&c);
	assert_int_equal(kcase_from_json(&c, in, &err), 0);
	assert_int_equal(kcase_validate(&c, &err), 0);
	put(st, &c, KSTORE_CREATED);
	kcase_init(&back);
	assert_int_equal(kstore_get(st, "full", &back, &err), 0);
	out = kcase_to_json(&back);
	assert_true(json_equal(in, out));
	json_decref(out);
	kcase_free(&back);

	/* not found */
	kcase_init(&back);
	assert_int_equal(kstore_get(st, "nope", &back, &err), KE_NOTFOUND);
	assert_string_equal(err.msg, "no case with id \"nope\"");
	kcase_free(&back);

	/* a case without tlp is stored as amber */
	kcase_free(&c);
	mkcase(&c, "notlp", "t", NULL, 0, 0, NULL, NULL, NULL, NULL, NULL);
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	kcase_init(&back);
	assert_int_equal(kstore_get(st, "notlp", &back, &err), 0);
	kcase_free(&back);
	{
		struct kfilter f = KFILTER_LOCAL_INIT;

		f.tlp = "amber";
		assert_string_equal(list_ids(st, &f, NULL), "notlp");
	}
	json_decref(in);
	kstore_close(st);
}

static void test_update_history(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = open_new();
	struct revs rv;
	struct kcase c;

	(void)state;
	put_simple(st, "h", "first");
	mkcase(&c, "h", "second", "d.txt", 2024, 1, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &c, KSTORE_UPDATED);
	assert_int_equal(kstr_set(&c.title, "third"), 0);
	put(st, &c, KSTORE_UPDATED);
	kcase_free(&c);
	assert_string_equal(stored_title(st, "h"), "third");

	memset(&rv, 0, sizeof(rv));
	assert_int_equal(kstore_history(st, "h", revs_cb, &rv, &err), 0);
	assert_int_equal(rv.n, 3);
	assert_int_equal(rv.rev[0], 3); /* newest first, the current one included */
	assert_int_equal(rv.current[0], 1);
	assert_string_equal(rv.title[0], "third");
	assert_int_equal(rv.rev[1], 2);
	assert_int_equal(rv.current[1], 0);
	assert_string_equal(rv.title[1], "second");
	assert_int_equal(rv.rev[2], 1);
	assert_string_equal(rv.title[2], "first");

	/* the listing shows the current revision */
	{
		struct kfilter f = KFILTER_LOCAL_INIT;
		long total = 0;

		assert_string_equal(list_ids(st, &f, &total), "h");
		assert_int_equal(total, 1);
	}
	memset(&rv, 0, sizeof(rv));
	assert_int_equal(kstore_history(st, "nope", revs_cb, &rv, &err), KE_NOTFOUND);
	assert_int_equal(rv.n, 0);
	kstore_close(st);
}

static void test_transactions(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = open_new();
	struct revs rv;
	struct kcase c;
	long n;
	int outcome;

	(void)state;
	put_simple(st, "p", "before");

	/* a duplicate id within one transaction is refused; rollback undoes the whole file */
	assert_int_equal(kstore_begin(st, &err), 0);
	assert_int_equal(kstore_begin(st, &err), KE_DB); /* not nested */
	put_simple(st, "q", "new");
	mkcase(&c, "p", "changed", "d.txt", 2024, 1, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &c, KSTORE_UPDATED);
	kcase_free(&c);
	mkcase(&c, "q", "again", "d.txt", 2024, 2, "cat", "cyber_attack", NULL, NULL, "clear");
	assert_int_equal(kstore_put(st, &c, &outcome, &err), KE_EXISTS);
	assert_msg_has(err, "duplicate id");
	assert_msg_has(err, "\"q\"");
	kcase_free(&c);
	kstore_rollback(st);
	kstore_rollback(st); /* a second rollback does nothing */

	assert_string_equal(stored_title(st, "p"), "before");
	assert_null(stored_title(st, "q"));
	memset(&rv, 0, sizeof(rv));
	assert_int_equal(kstore_history(st, "p", revs_cb, &rv, &err), 0);
	assert_int_equal(rv.n, 1);
	assert_int_equal(rv.rev[0], 1);
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 1);

	/* a committed transaction keeps everything; the same ids may come again in the next one */
	assert_int_equal(kstore_begin(st, &err), 0);
	put_simple(st, "q", "new");
	put_simple(st, "r", "new");
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_int_equal(kstore_commit(st, &err), KE_DB); /* nothing open */
	assert_int_equal(kstore_begin(st, &err), 0);
	mkcase(&c, "q", "newer", "d.txt", 2024, 2, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &c, KSTORE_UPDATED);
	kcase_free(&c);
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_string_equal(stored_title(st, "q"), "newer");
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 3);

	/* a put outside a transaction is its own; after a failed one the store still works */
	mkcase(&c, "q", "outside", "d.txt", 2024, 2, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &c, KSTORE_UPDATED);
	put(st, &c, KSTORE_UNCHANGED); /* the same case again makes no new revision */
	kcase_free(&c);
	assert_string_equal(stored_title(st, "q"), "outside");
	kstore_close(st);
}

static void test_delete(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = open_new();
	struct revs rv;
	struct kcase c;
	long n;

	(void)state;
	put_simple(st, "d1", "one");
	put_simple(st, "d2", "two");
	mkcase(&c, "d1", "one again", "d.txt", 2024, 1, "cat", "cyber_attack", "ddos", NULL, "clear");
	put(st, &c, KSTORE_UPDATED);
	kcase_free(&c);

	assert_int_equal(kstore_delete(st, "d1", &err), 0);
	assert_null(stored_title(st, "d1"));
	assert_string_equal(stored_title(st, "d2"), "two");
	assert_int_equal(kstore_delete(st, "d1", &err), KE_NOTFOUND);
	assert_string_equal(err.msg, "no case with id \"d1\"");
	memset(&rv, 0, sizeof(rv));
	assert_int_equal(kstore_history(st, "d1", revs_cb, &rv, &err), KE_NOTFOUND);
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 1);
	{
		struct kfilter f = KFILTER_LOCAL_INIT;

		f.tag = "ddos"; /* its tags went with it */
		assert_string_equal(list_ids(st, &f, NULL), "");
	}

	/* added again, it starts a new history */
	put_simple(st, "d1", "reborn");
	memset(&rv, 0, sizeof(rv));
	assert_int_equal(kstore_history(st, "d1", revs_cb, &rv, &err), 0);
	assert_int_equal(rv.n, 1);
	assert_int_equal(rv.rev[0], 1);
	assert_string_equal(rv.title[0], "reborn");

	/* a delete inside a transaction is rolled back with it */
	assert_int_equal(kstore_begin(st, &err), 0);
	assert_int_equal(kstore_delete(st, "d2", &err), 0);
	kstore_rollback(st);
	assert_string_equal(stored_title(st, "d2"), "two");
	kstore_close(st);
}

/* A library of six cases over three documents. */
static struct kstore *library(void)
{
	struct kstore *st = open_new();
	struct kcase c;

	mkcase(&c, "b-2", "B2", "b.txt", 2023, 2, "障害", "system_failure", "hardware_failure", "鉄道", "clear");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	mkcase(&c, "a-1", "A1", "a.txt", 2024, 1, "攻撃", "cyber_attack", "ransomware", "電力", "clear");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	mkcase(&c, "a-ref", "A参考", "a.txt", 2024, 0, "参考", "other", NULL, "医療", "green");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	mkcase(&c, "a-2", "A2", "a.txt", 2024, 2, "攻撃", "cyber_attack", "ddos", "金融", "amber");
	assert_int_equal(kstrv_push(&c.tags.threats, "ransomware"), 0);
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	mkcase(&c, "b-1", "B1", "b.txt", 2023, 1, "攻撃", "cyber_attack", "phishing_mail", "医療", "red");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	mkcase(&c, "z-nodoc", "Z", NULL, 0, 0, NULL, NULL, NULL, NULL, "clear");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	return st;
}

static void test_list_filters(void **state)
{
	struct kstore *st = library();
	struct kfilter f = KFILTER_LOCAL_INIT;
	long total = -1;

	(void)state;
	/* document, then case number (unnumbered last), then id; cases without document last */
	assert_string_equal(list_ids(st, &f, &total), "a-1 a-2 a-ref b-1 b-2 z-nodoc");
	assert_int_equal(total, 6);

	f.document = "a.txt";
	assert_string_equal(list_ids(st, &f, &total), "a-1 a-2 a-ref");
	assert_int_equal(total, 3);
	f.document = "nope.txt";
	assert_string_equal(list_ids(st, &f, &total), "");
	assert_int_equal(total, 0);

	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.year = 2023;
	assert_string_equal(list_ids(st, &f, NULL), "b-1 b-2");
	f.year = 2024;
	f.category = "攻撃";
	assert_string_equal(list_ids(st, &f, NULL), "a-1 a-2");

	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.category = "障害";
	assert_string_equal(list_ids(st, &f, NULL), "b-2");

	/* a tag is any tag value: threat, sector or event class */
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.tag = "ransomware";
	assert_string_equal(list_ids(st, &f, NULL), "a-1 a-2");
	f.tag = "医療";
	assert_string_equal(list_ids(st, &f, NULL), "a-ref b-1");
	f.tag = "system_failure";
	assert_string_equal(list_ids(st, &f, NULL), "b-2");
	f.tag = "unknown";
	assert_string_equal(list_ids(st, &f, NULL), "");
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.threat = "ddos";
	assert_string_equal(list_ids(st, &f, NULL), "a-2");
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.sector = "医療";
	f.event_class = "cyber_attack";
	assert_string_equal(list_ids(st, &f, NULL), "b-1");
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.threat = "医療"; /* a sector is not a threat */
	assert_string_equal(list_ids(st, &f, NULL), "");

	/* tlp: exactly one level, or up to a level */
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.tlp = "clear";
	assert_string_equal(list_ids(st, &f, NULL), "a-1 b-2 z-nodoc");
	f.tlp = "red";
	assert_string_equal(list_ids(st, &f, NULL), "b-1");
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.reader = tlp_reader(0);
	assert_string_equal(list_ids(st, &f, &total), "a-1 b-2 z-nodoc");
	assert_int_equal(total, 3);
	f.reader = tlp_reader(1);
	assert_string_equal(list_ids(st, &f, NULL), "a-1 a-ref b-2 z-nodoc");
	f.reader = tlp_reader(2);
	assert_string_equal(list_ids(st, &f, NULL), "a-1 a-2 a-ref b-2 z-nodoc");
	f.reader = tlp_reader(4);
	assert_string_equal(list_ids(st, &f, NULL), "a-1 a-2 a-ref b-1 b-2 z-nodoc");
	f.reader = tlp_reader(0); /* combined with another filter */
	f.document = "a.txt";
	assert_string_equal(list_ids(st, &f, NULL), "a-1");

	/* limit and offset; total ignores them */
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.limit = 2;
	assert_string_equal(list_ids(st, &f, &total), "a-1 a-2");
	assert_int_equal(total, 6);
	f.offset = 4;
	assert_string_equal(list_ids(st, &f, &total), "b-2 z-nodoc");
	f.limit = 0;
	f.offset = 5;
	assert_string_equal(list_ids(st, &f, NULL), "z-nodoc");
	kstore_close(st);
}

struct rowcheck {
	int seen;
};

static int row_fields_cb(void *ctx, const struct kcase_row *r)
{
	struct rowcheck *rc = ctx;
	json_t *j;

	if (strcmp(r->id, "a-2"))
		return 0;
	rc->seen = 1;
	assert_string_equal(r->title, "A2");
	assert_string_equal(r->document, "a.txt");
	assert_true(r->has_year);
	assert_int_equal(r->year, 2024);
	assert_true(r->has_case_number);
	assert_int_equal(r->case_number, 2);
	assert_string_equal(r->category, "攻撃");
	assert_string_equal(r->tlp, "amber");
	assert_string_equal(r->event_class, "cyber_attack");
	assert_int_equal(r->revision, 1);
	assert_non_null(r->created);
	assert_non_null(r->updated);
	j = json_loads(r->json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "a-2");
	json_decref(j);
	return 0;
}

static int stop_cb(void *ctx, const struct kcase_row *r)
{
	(void)r;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_list_rows(void **state)
{
	struct kstore *st = library();
	struct kfilter f = KFILTER_LOCAL_INIT;
	struct kerr err = KERR_INIT;
	struct rowcheck rc = { 0 };
	int calls = 0;

	(void)state;
	assert_int_equal(kstore_list(st, &f, row_fields_cb, &rc, NULL, &err), 0);
	assert_true(rc.seen);
	/* a non-zero return stops the walk and is returned */
	assert_int_equal(kstore_list(st, &f, stop_cb, &calls, NULL, &err), 42);
	assert_int_equal(calls, 2);
	kstore_close(st);
}

struct docs {
	char s[512];
};

static int docs_cb(void *ctx, const struct kdocument *d)
{
	struct docs *ds = ctx;
	size_t len = strlen(ds->s);

	snprintf(ds->s + len, sizeof(ds->s) - len, "%s%s:%d:%ld", len ? " " : "", d->name,
		 d->has_year ? d->year : 0, d->ncases);
	return 0;
}

static void test_documents_count(void **state)
{
	struct kstore *st = library();
	struct kerr err = KERR_INIT;
	struct docs ds;
	long n;

	(void)state;
	/* newest year first; cases without a document are not a document */
	memset(&ds, 0, sizeof(ds));
	assert_int_equal(kstore_documents(st, tlp_reader(-1), docs_cb, &ds, &err), 0);
	assert_string_equal(ds.s, "a.txt:2024:3 b.txt:2023:2");
	memset(&ds, 0, sizeof(ds));
	assert_int_equal(kstore_documents(st, tlp_reader(0), docs_cb, &ds, &err), 0);
	assert_string_equal(ds.s, "a.txt:2024:1 b.txt:2023:1");
	memset(&ds, 0, sizeof(ds));
	assert_int_equal(kstore_documents(st, tlp_reader(3), docs_cb, &ds, &err), 0);
	assert_string_equal(ds.s, "a.txt:2024:3 b.txt:2023:1");

	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 6);
	assert_int_equal(kstore_count(st, tlp_reader(0), &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(kstore_count(st, tlp_reader(1), &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(kstore_count(st, tlp_reader(2), &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(kstore_count(st, tlp_reader(4), &n, &err), 0);
	assert_int_equal(n, 6);

	/* recent: the newest additions first, within the TLP limit */
	{
		struct ids ids;

		memset(&ids, 0, sizeof(ids));
		assert_int_equal(kstore_recent(st, tlp_reader(0), 2, ids_cb, &ids, &err), 0);
		assert_string_equal(ids.s, "z-nodoc a-1");
		memset(&ids, 0, sizeof(ids));
		assert_int_equal(kstore_recent(st, tlp_reader(-1), 10, ids_cb, &ids, &err), 0);
		assert_int_equal(ids.n, 6);
	}
	kstore_close(st);
}

static void test_reopen_readonly(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *ro = NULL, *ro2 = NULL;
	char path[512];
	struct kcase c;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "keep", "保存される");
	kstore_close(st);

	/* reopened, the case is there */
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_string_equal(stored_title(st, "keep"), "保存される");

	/* a read-only connection beside the writer reads, and refuses to write */
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_schema_version(ro), kstore_schema_latest());
	assert_string_equal(stored_title(ro, "keep"), "保存される");
	mkcase(&c, "new", "t", NULL, 0, 0, NULL, NULL, NULL, NULL, "clear");
	assert_true(kstore_put(ro, &c, NULL, &err) < 0);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(kstore_delete(ro, "keep", &err) < 0, 1);
	/* what the writer commits, the reader sees */
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	assert_string_equal(stored_title(ro, "new"), "t");
	assert_int_equal(kstore_count(ro, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 2);
	kstore_close(ro);
	kstore_close(st);

	/* read-only alone, after the writer is gone */
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	assert_string_equal(stored_title(ro, "keep"), "保存される");
	kstore_close(ro);

	/* read-only never creates a database */
	snprintf(path, sizeof(path), "%s/never-created.db", tmpdir);
	assert_true(kstore_open(&ro2, path, KSTORE_READONLY, &err) < 0);
	assert_null(ro2);
	assert_int_equal(access(path, F_OK), -1);
}

/* ---- read-only opens, the change counter, checks ---- */

static void db_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* The integer a statement (a PRAGMA) gives on the database at path, read-only. */
static int db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static int db_version(const char *path)
{
	return db_int(path, "PRAGMA user_version");
}

static void test_readonly_schema(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "old", "古い");
	kstore_close(st);

	/* schema 4: migrations 5 to 19 undone (update with a new migration; 18 changes data only) */
	assert_int_equal(kstore_schema_latest(), 19);
	db_exec(path,
		/* 19 */ "DROP TABLE case_parts;"
		/* 17 */ " DROP TABLE case_counts; DROP INDEX cases_doc_order; DROP INDEX cases_updated; CREATE INDEX cases_document ON cases(document, case_number);"
		/* 16 */ " DROP TABLE case_vocab; DROP INDEX cases_doc_year;"
		/* 15 (the index rebuilt: runs again over itself) */
		/* 14 */ " DROP TABLE IF EXISTS documents;"
		/* 13 */ " DROP TABLE theme_edits;"
		/* 12 */ " DROP TABLE pub_report_files; DROP TABLE pub_report_cases; DROP INDEX pub_reports_date; DROP TABLE pub_reports;"
		/* 11 */ " DROP INDEX approvals_case; DROP TABLE approvals;"
		/* 10 */ " DROP TABLE redact_names; DROP TABLE redact_dismissed;"
		/* 9 */ " DROP TABLE selection_kept; DROP TABLE selection_decisions; DROP TABLE selection_scores;"
		" DROP TABLE settings; DROP TABLE case_drafts; DROP TABLE incident_status; DROP TABLE incident_reports; DROP TABLE incidents; ALTER TABLE revisions DROP COLUMN draft; ALTER TABLE revisions DROP COLUMN author; ALTER TABLE cases DROP COLUMN author;"
		" DROP INDEX cases_facets;"
		" DROP TABLE audit; DROP TABLE signin_failures; DROP TABLE tokens; DROP TABLE sessions;"
		" DROP TABLE users; DROP TABLE org_sectors; DROP TABLE orgs;"
		" DROP TABLE case_recipients; DROP INDEX cases_owner; ALTER TABLE cases DROP COLUMN owner;"
		" PRAGMA user_version = 4");
	st = NULL;
	assert_int_equal(kstore_open(&st, path, KSTORE_READONLY, &err), KE_DB);
	assert_null(st);
	assert_msg_has(err, "schema version 4, older than this kyokun's 19");
	assert_msg_has(err, "run `kyokun init`");
	assert_int_equal(db_version(path), 4); /* a reader never migrates */
	/* a writer does */
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_schema_version(st), 19);
	assert_string_equal(stored_title(st, "old"), "古い");
	kstore_close(st);
	assert_int_equal(kstore_open(&st, path, KSTORE_READONLY, &err), 0);
	assert_string_equal(stored_title(st, "old"), "古い");
	kstore_close(st);

	/* newer than this build: refused by readers and writers, left alone */
	db_exec(path, "PRAGMA user_version = 99");
	st = NULL;
	assert_int_equal(kstore_open(&st, path, KSTORE_READONLY, &err), KE_DB);
	assert_msg_has(err, "schema version 99, newer than this kyokun's 19: upgrade kyokun");
	assert_int_equal(kstore_open(&st, path, 0, &err), KE_DB);
	assert_msg_has(err, "schema version 99, newer than this kyokun's 19: upgrade kyokun");
	assert_null(st);
	assert_int_equal(db_version(path), 99);
}

static unsigned long long changes(struct kstore *st)
{
	struct kerr err = KERR_INIT;
	unsigned long long n = 0;

	if (kstore_changes(st, &n, &err) < 0)
		fail_msg("kstore_changes: %s", err.msg);
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_changes(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *ro = NULL;
	unsigned long long a, b;
	struct kcase c;
	char path[512];
	double t;
	int n = 20000;

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	a = changes(st);
	assert_true(a != 0);
	assert_true(changes(st) == a); /* nothing happened */
	/* its own writes */
	put_simple(st, "one", "一");
	b = changes(st);
	assert_true(b != a);
	assert_true(changes(st) == b);
	/* another connection's commit */
	a = changes(ro);
	assert_true(changes(ro) == a);
	put_simple(st, "two", "二");
	b = changes(ro);
	assert_true(b != a);
	assert_true(changes(ro) == b);
	/* a rollback (what was read inside the transaction is gone) */
	a = changes(st);
	assert_int_equal(kstore_begin(st, &err), 0);
	mkcase(&c, "three", "三", NULL, 0, 0, NULL, NULL, NULL, NULL, "clear");
	put(st, &c, KSTORE_CREATED);
	kcase_free(&c);
	b = changes(st);
	assert_true(b != a);
	kstore_rollback(st);
	assert_true(changes(st) != b);
	assert_null(stored_title(st, "three"));
	assert_true(changes(ro) == changes(ro));

	/* what one call costs on a reader (the web server asks on every request) */
	t = now_s();
	for (int i = 0; i < n; i++)
		changes(ro);
	t = now_s() - t;
	print_message("kstore_changes: %.2f us a call\n", t / n * 1e6);
	kstore_close(ro);
	kstore_close(st);
}

static unsigned long long case_changes(struct kstore *st)
{
	struct kerr err = KERR_INIT;
	unsigned long long n = 0;

	if (kstore_case_changes(st, &n, &err) < 0)
		fail_msg("kstore_case_changes: %s", err.msg);
	return n;
}

/* A write that is not a case's: an organisation, a user and a signed-in session (what a sign-in writes). */
static void write_no_case(struct kstore *st, int i)
{
	struct kerr err = KERR_INIT;
	struct korg o = { 0 };
	struct kuser u = { .role = KROLE_ANALYST };
	struct ksession s = { .created = "2026-01-01T00:00:00Z", .expires = "2999-01-01T00:00:00Z",
			      .csrf = "c", .address = "192.0.2.9" };
	char name[32];

	snprintf(name, sizeof(name), "org-%d", i);
	o.name = strdup(name);
	o.kind = KORG_OPERATOR;
	if (kstore_org_add(st, &o, &err))
		fail_msg("org add: %s", err.msg);
	snprintf(name, sizeof(name), "user%d", i);
	u.login = strdup(name);
	u.org_id = o.id;
	if (kstore_user_add(st, &u, &err))
		fail_msg("user add: %s", err.msg);
	s.user_id = u.id;
	assert_int_equal(ksecret_hash(name, s.hash), 0);
	if (kstore_session_add(st, &s, &err))
		fail_msg("session add: %s", err.msg);
	korg_free(&o);
	kuser_free(&u);
}

/* In another process: 'c' stores a case ID, 'w' writes no case (write_no_case()). */
static void other_process(const char *path, char what, const char *id, int i)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (kstore_open(&st, path, 0, &err))
			_exit(1);
		if (what == 'c')
			put_simple(st, id, "別のプロセス");
		else
			write_no_case(st, i);
		kstore_close(st);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * kstore_case_changes(): writes that are not a case's (a sign-in) leave
 * it, in the writer, in another connection and from another process, while
 * kstore_changes() moves; a case written, deleted or rolled back moves it
 * everywhere.  A database without the row it reads (written by an older
 * kyokun) moves it on every commit.
 */
/* The cases of 2024 a connection counts from its facet columns. */
static long cases_2024(struct kstore *st)
{
	struct kfilter f = KFILTER_LOCAL_INIT;
	struct kerr err = KERR_INIT;
	long n = -1;

	f.year = 2024;
	if (kstore_search_facets(st, NULL, &f, NULL, NULL, &n, &err) < 0)
		fail_msg("kstore_search_facets: %s", err.msg);
	return n;
}

/*
 * The facet columns: the connections of a process at one state of a file
 * read them once and share them; a committed write of a case makes each read
 * the new state once; a case written in a connection's own open
 * transaction is counted there only.
 */
static void test_facets_shared(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *a = NULL, *b = NULL;
	unsigned long r0;
	struct kcase k;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "one", "一");
	put_simple(st, "two", "二");
	assert_int_equal(kstore_open(&a, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_open(&b, path, KSTORE_READONLY, &err), 0);
	r0 = ksqlite_facets_reads();
	assert_int_equal(cases_2024(a), 2);
	assert_int_equal(cases_2024(b), 2);
	assert_int_equal(cases_2024(st), 2);
	assert_int_equal(ksqlite_facets_reads() - r0, 1);

	/* a committed case: one read of the new state for all */
	put_simple(st, "three", "三");
	assert_int_equal(cases_2024(a), 3);
	assert_int_equal(cases_2024(b), 3);
	assert_int_equal(cases_2024(st), 3);
	assert_int_equal(ksqlite_facets_reads() - r0, 2);

	/* written in st's open transaction: st's own copy; the others keep the committed state */
	assert_int_equal(kstore_begin(st, &err), 0);
	mkcase(&k, "four", "四", "d.txt", 2024, 4, "cat", "cyber_attack", NULL, NULL, "clear");
	put(st, &k, KSTORE_CREATED);
	kcase_free(&k);
	assert_int_equal(cases_2024(st), 4);
	assert_int_equal(cases_2024(a), 3);
	assert_int_equal(ksqlite_facets_reads() - r0, 3);
	/* rolled back: st is at the shared state again, which a still holds */
	kstore_rollback(st);
	assert_int_equal(cases_2024(st), 3);
	assert_int_equal(cases_2024(b), 3);
	assert_int_equal(ksqlite_facets_reads() - r0, 3);

	/* another file at the same number of cases is not the same state */
	{
		struct kstore *o = NULL;
		char other[512];

		snprintf(other, sizeof(other), "%s", new_db_path());
		assert_int_equal(kstore_open(&o, other, 0, &err), 0);
		put_simple(o, "one", "一");
		assert_int_equal(cases_2024(o), 1);
		assert_int_equal(ksqlite_facets_reads() - r0, 4);
		kstore_close(o);
	}
	kstore_close(a);
	kstore_close(b);
	kstore_close(st);
}

struct counter {
	struct kstore *st;
	long n;
};

static void *count_2024(void *p)
{
	struct counter *c = p;

	c->n = cases_2024(c->st);
	return NULL;
}

/*
 * While one connection reads the columns of a state, another at that state
 * waits for that copy instead of reading its own beside it (one read in
 * all), and ksqlite_facets_try() goes without at once (1: the SQL path).
 */
static void test_facets_one_reader(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *a = NULL, *b = NULL, *c = NULL;
	struct hold h = HOLD_INIT;
	struct counter ca, cb;
	struct kfacets *fc = NULL;
	pthread_t ta, tb;
	unsigned long r0;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "one", "一");
	put_simple(st, "two", "二");
	assert_int_equal(kstore_open(&a, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_open(&b, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_open(&c, path, KSTORE_READONLY, &err), 0);
	r0 = ksqlite_facets_reads();
	ksqlite_facets__test_hook(hold_reader, &h);
	ca = (struct counter){ a, -1 };
	cb = (struct counter){ b, -1 };
	assert_int_equal(pthread_create(&ta, NULL, count_2024, &ca), 0);
	hold_wait(&h);
	/* a is reading them: c does not wait, b waits */
	assert_int_equal(ksqlite_facets_try(ksqlite(c), &fc, &err), 1);
	assert_null(fc);
	assert_int_equal(pthread_create(&tb, NULL, count_2024, &cb), 0);
	usleep(50000);
	assert_int_equal(cb.n, -1);
	hold_release(&h);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ksqlite_facets__test_hook(NULL, NULL);
	assert_int_equal(ca.n, 2);
	assert_int_equal(cb.n, 2);
	assert_int_equal(h.calls, 1);
	assert_int_equal(ksqlite_facets_reads() - r0, 1);
	/* read now: c has them at once, without reading */
	assert_int_equal(ksqlite_facets_try(ksqlite(c), &fc, &err), 0);
	assert_non_null(fc);
	assert_int_equal(cases_2024(c), 2);
	assert_int_equal(ksqlite_facets_reads() - r0, 1);
	kstore_close(a);
	kstore_close(b);
	kstore_close(c);
	kstore_close(st);
}

static void test_case_changes(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *ro = NULL;
	unsigned long long a, b, c, d;
	struct kcase k;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	put_simple(st, "one", "一");
	a = case_changes(st);
	b = case_changes(ro);
	c = changes(ro);
	assert_true(a != 0 && b != 0);
	assert_true(case_changes(st) == a && case_changes(ro) == b); /* nothing happened */

	/* not a case: in this connection, and in another process */
	write_no_case(st, 1);
	assert_true(changes(ro) != c);
	assert_true(case_changes(st) == a);
	assert_true(case_changes(ro) == b);
	c = changes(ro);
	other_process(path, 'w', NULL, 2);
	assert_true(changes(ro) != c);
	assert_true(case_changes(st) == a);
	assert_true(case_changes(ro) == b);

	/* a case: in this connection */
	put_simple(st, "two", "二");
	assert_true((c = case_changes(st)) != a);
	assert_true((d = case_changes(ro)) != b);
	assert_true(case_changes(st) == c && case_changes(ro) == d);
	/* the same case stored again, unchanged (only its batch is written): not a change */
	{
		struct kcase same;

		mkcase(&same, "two", "二", "d.txt", 2024, 1, "cat", "cyber_attack", NULL, NULL, "clear");
		put(st, &same, KSTORE_UNCHANGED);
		kcase_free(&same);
	}
	assert_true(case_changes(st) == c);
	assert_true(case_changes(ro) == d);
	/* in another process */
	other_process(path, 'c', "three", 0);
	assert_true((a = case_changes(st)) != c);
	assert_true((b = case_changes(ro)) != d);
	assert_string_equal(stored_title(ro, "three"), "別のプロセス");
	/* a delete */
	assert_int_equal(kstore_delete(st, "three", &err), 0);
	assert_true((c = case_changes(st)) != a);
	assert_true((d = case_changes(ro)) != b);
	/* written in the open transaction (what a read there finds), and rolled back */
	assert_int_equal(kstore_begin(st, &err), 0);
	write_no_case(st, 3);
	assert_true(case_changes(st) == c);
	mkcase(&k, "four", "四", NULL, 0, 0, NULL, NULL, NULL, NULL, "clear");
	put(st, &k, KSTORE_CREATED);
	kcase_free(&k);
	assert_true((a = case_changes(st)) != c);
	assert_true(case_changes(ro) == d); /* not committed */
	kstore_rollback(st);
	assert_true(case_changes(st) != a);
	assert_null(stored_title(st, "four"));
	assert_true(case_changes(ro) == d);
	/* a transaction that writes no case and commits */
	a = case_changes(st);
	assert_int_equal(kstore_begin(st, &err), 0);
	write_no_case(st, 4);
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_true(case_changes(st) == a && case_changes(ro) == d);
	kstore_close(ro);
	kstore_close(st);

	/* the row missing (an older kyokun wrote last): every commit moves it ... */
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	db_exec(path, "DELETE FROM meta WHERE key = 'cases'");
	b = case_changes(ro);
	assert_true(case_changes(ro) == b);
	write_no_case(st, 5);
	assert_true((d = case_changes(ro)) != b);
	put_simple(st, "five", "五"); /* and the row is back */
	assert_true((b = case_changes(ro)) != d);
	write_no_case(st, 6);
	assert_true(case_changes(ro) == b);
	kstore_close(ro);
	kstore_close(st);
	/* ... until a writer opens it: it adds the row */
	db_exec(path, "DELETE FROM meta WHERE key = 'cases'");
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	b = case_changes(ro);
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_true((d = case_changes(ro)) != b);
	write_no_case(st, 7);
	assert_true(case_changes(ro) == d);
	kstore_close(ro);
	kstore_close(st);
}

/*
 * A bulk load in another process while readers open and query the
 * database again and again (the finding: 2 of 200 searches failed with
 * "database is locked" during a bulk add while a server ran).  With another
 * connection open (the server: holder), the bulk load stays in WAL mode and
 * no reader may fail or wait, nor may a read-write open (no migration, no
 * lock at open).  Without one, the load runs with a rollback journal and
 * holds the file: a reader then waits two seconds at most and says so.
 */
static void bulk_child(const char *path, int ready_fd, int go_fd)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	struct kbuf text = KBUF_INIT;
	char id[32], b = 1;
	struct kcase c;

	alarm(60); /* never left waiting for a parent that failed */
	if (kstore_open(&st, path, 0, &err) < 0 || kstore_begin_bulk(st, &err) < 0)
		_exit(2);
	for (int i = 0; i < 200; i++)
		kbuf_addf(&text, "大量投入の本文 %d 停電と復旧の手順。", i);
	for (int i = 0; i < 3000; i++) {
		if (i == 2000 && (write(ready_fd, &b, 1) != 1 || read(go_fd, &b, 1) != 1))
			_exit(3);
		snprintf(id, sizeof(id), "bulk-%d", i);
		mkcase(&c, id, "一括", "bulk.txt", 2024, i + 1, "cat", NULL, NULL, NULL, "clear");
		if (kstr_set(&c.sections[KSEC_BACKGROUND], kbuf_str(&text)) < 0 ||
		    kstore_put(st, &c, NULL, &err) < 0)
			_exit(4);
		kcase_free(&c);
	}
	if (kstore_commit(st, &err) < 0)
		_exit(5);
	kstore_close(st);
	kbuf_release(&text);
	_exit(0);
}

/* One reader: open read-only, a query or two, close.  0 or the KE_* code, its message in err. */
static int read_once(const char *path, int flags, long *n, struct kerr *err)
{
	struct kfilter f = KFILTER_LOCAL_INIT;
	struct kstore *st = NULL;
	int rc;

	f.document = "d.txt";
	f.limit = 5;
	if ((rc = kstore_open(&st, path, flags, err)) < 0)
		return rc;
	if (!(rc = kstore_count(st, tlp_reader(-1), n, err)))
		rc = kstore_list(st, &f, ids_cb, &(struct ids){ 0 }, NULL, err);
	if (!rc && stored_title(st, "base") == NULL)
		rc = kerr_set(err, KE_NOTFOUND, "base is missing");
	kstore_close(st);
	return rc;
}

static void bulk_with_readers(int holder)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *hold = NULL;
	int ready[2], go[2], status;
	char path[512], b = 1;
	pid_t pid;
	long n;
	double t;

	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "base", "基本");
	kstore_close(st);
	if (holder)
		assert_int_equal(kstore_open(&hold, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		bulk_child(path, ready[1], go[0]);
	/* the load is under way: 2,000 cases written, not committed */
	if (read(ready[0], &b, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("the bulk load failed (exit %d)", WEXITSTATUS(status));
	}
	for (int i = 0; i < (holder ? 30 : 2); i++) {
		t = now_s();
		int rc = read_once(path, i % 3 == 2 && holder ? 0 : KSTORE_READONLY, &n, &err);

		t = now_s() - t;
		if (holder) {
			/* WAL: the state before the load, at once */
			if (rc < 0)
				fail_msg("reader %d failed during the bulk load: %s", i, err.msg);
			assert_int_equal(n, 1);
			assert_true(t < 1.5);
		} else if (rc < 0) {
			assert_msg_has(err, "a bulk load (`kyokun add` of a large file) is writing the database");
			assert_true(t < 4.0);
		} else {
			assert_int_equal(n, 1);
		}
	}
	assert_int_equal(write(go[1], &b, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* after it: everything, and the database back in WAL mode */
	assert_int_equal(read_once(path, KSTORE_READONLY, &n, &err), 0);
	assert_int_equal(n, 3001);
	kstore_close(hold);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	{
		sqlite3 *db;
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
}

/* The indexes of cases and audit as a connection of its own reads them, "name sql" a line, by name (static buffer). */
static const char *index_list(const char *path)
{
	static char out[8192];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	size_t len = 0;

	out[0] = 0;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'index'"
					    " AND tbl_name IN ('cases', 'audit') ORDER BY name", -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && len < sizeof(out))
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s %s\n", sqlite3_column_text(s, 0),
					sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

/*
 * A new library is made of 16 KiB pages (store_sqlite.c, new_page_size());
 * a file that has pages already keeps its size, through the migrations, a
 * bulk load and a check.
 */
static void test_page_size(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	char path[512];
	sqlite3 *db = NULL;
	long n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	put_simple(st, "page-1", "新しい書庫");
	kstore_close(st);
	assert_int_equal(db_int(path, "PRAGMA page_size"), 16384);

	/* a file with pages of 4 KiB already (made by an older kyokun, or by hand) */
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA page_size = 4096; CREATE TABLE t(x); DROP TABLE t;", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_begin_bulk(st, &err), 0);
	for (int i = 0; i < 30; i++) {
		char id[32];

		snprintf(id, sizeof(id), "old-page-%d", i);
		put_simple(st, id, "前からの書庫");
	}
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_int_equal(kstore_check(st, 0, NULL, NULL, &err), 0);
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 30);
	kstore_close(st);
	assert_int_equal(db_int(path, "PRAGMA page_size"), 4096);
}

/*
 * A bulk load into a library without cases makes most indexes of cases and
 * audit at its commit (bulk_indexes_drop() in store_sqlite.c): after it, and
 * after one rolled back, the schema has every index as before, and the
 * listings that read them (by document, year, category, owner) give what
 * they gave for the same cases stored one at a time.
 */
static void test_bulk_indexes(void **state)
{
	static const char *docs[] = { "a.txt", "b.txt", "c.txt" };
	static const char *cats[] = { "停電", "不正アクセス" };
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *one = NULL;
	char want[8192], path[512], path1[512];
	struct kfilter f = KFILTER_LOCAL_INIT;
	char got[4][1024], ref[4][1024];
	long n = 0;
	struct kcase c;

	(void)state;
	snprintf(path1, sizeof(path1), "%s", new_db_path());
	assert_int_equal(kstore_open(&one, path1, 0, &err), 0);
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	snprintf(want, sizeof(want), "%s", index_list(path));
	assert_non_null(strstr(want, "cases_doc_order CREATE INDEX"));
	assert_non_null(strstr(want, "audit_actor CREATE INDEX"));

	/* rolled back: nothing stored, the indexes as they were */
	assert_int_equal(kstore_begin_bulk(st, &err), 0);
	put_simple(st, "gone-1", "消える");
	kstore_rollback(st);
	assert_string_equal(index_list(path), want);
	assert_int_equal(kstore_count(st, tlp_reader(-1), &n, &err), 0);
	assert_int_equal(n, 0);

	/* committed: 60 cases in bulk, and the same one at a time in the other library */
	assert_int_equal(kstore_begin_bulk(st, &err), 0);
	for (int i = 0; i < 60; i++) {
		char id[32];

		snprintf(id, sizeof(id), "bulk-%02d", (i * 37) % 60);
		mkcase(&c, id, "一括", docs[i % 3], 2020 + i % 4, 60 - i, cats[i % 2], NULL, NULL, NULL,
		       i % 5 ? "clear" : "amber");
		put(st, &c, KSTORE_CREATED);
		put(one, &c, KSTORE_CREATED);
		kcase_free(&c);
	}
	if (kstore_commit(st, &err) < 0)
		fail_msg("kstore_commit: %s", err.msg);
	assert_string_equal(index_list(path), want);
	assert_string_equal(index_list(path1), want);
	for (int k = 0; k < 2; k++) {
		struct kstore *s = k ? one : st;
		char (*out)[1024] = k ? ref : got;

		f = (struct kfilter)KFILTER_LOCAL_INIT;
		f.document = "b.txt";
		snprintf(out[0], sizeof(out[0]), "%s", list_ids(s, &f, NULL));
		f = (struct kfilter)KFILTER_LOCAL_INIT;
		f.year = 2022;
		snprintf(out[1], sizeof(out[1]), "%s", list_ids(s, &f, NULL));
		f = (struct kfilter)KFILTER_LOCAL_INIT;
		f.category = "停電";
		f.year_from = 2021;
		snprintf(out[2], sizeof(out[2]), "%s", list_ids(s, &f, NULL));
		f = (struct kfilter)KFILTER_LOCAL_INIT;
		f.sort = KSORT_UPDATED;
		f.limit = 7;
		snprintf(out[3], sizeof(out[3]), "%s", list_ids(s, &f, NULL));
	}
	for (int i = 0; i < 3; i++)
		assert_string_equal(got[i], ref[i]);
	assert_int_equal((int)strlen(got[0]) > 0, 1);
	assert_int_equal((int)strlen(got[3]) > 0, 1);
	assert_int_equal(kstore_check(st, 0, NULL, NULL, &err), 0);

	/* a bulk load into a library with cases: the indexes are kept, and as they were */
	assert_int_equal(kstore_begin_bulk(st, &err), 0);
	put_simple(st, "later-1", "後から");
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_string_equal(index_list(path), want);
	f = (struct kfilter)KFILTER_LOCAL_INIT;
	f.document = "d.txt";
	assert_string_equal(list_ids(st, &f, NULL), "later-1");
	kstore_close(st);
	kstore_close(one);
}

static void test_bulk_readers_server(void **state)
{
	(void)state;
	bulk_with_readers(1);
}

static void test_bulk_readers_alone(void **state)
{
	(void)state;
	bulk_with_readers(0);
}

struct found {
	int problems, notes;
	char first[256];
};

static int check_cb(void *ctx, const char *where, const char *problem)
{
	struct found *f = ctx;

	if (!where) {
		f->notes++;
		return 0;
	}
	if (!f->problems++)
		snprintf(f->first, sizeof(f->first), "%s: %s", where, problem);
	return 0;
}

static void test_check_damaged(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *ro = NULL;
	struct found f = { 0 };
	char path[512], id[32];
	struct kcase c;
	FILE *fp;
	long size;

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_begin(st, &err), 0);
	for (int i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "c-%d", i);
		mkcase(&c, id, "点検の事例", "d.txt", 2024, i + 1, "cat", NULL, NULL, NULL, "clear");
		put(st, &c, KSTORE_CREATED);
		kcase_free(&c);
	}
	assert_int_equal(kstore_commit(st, &err), 0);

	/* sound: no problem, on a writer and on a reader (the index check on a connection of its own) */
	assert_int_equal(kstore_check(st, 0, check_cb, &f, &err), 0);
	assert_int_equal(kstore_check(st, KSTORE_CHECK_QUICK, check_cb, &f, &err), 0);
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_check(ro, 0, check_cb, &f, &err), 0);
	kstore_close(ro);
	assert_int_equal(f.problems + f.notes, 0);
	kstore_close(st);

	/* the searchable text changed behind the index's back */
	db_exec(path, "UPDATE case_text SET body = '別の文' WHERE rid = 7");
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_check(st, 0, check_cb, &f, &err), 1);
	if (!strstr(f.first, "full-text index: "))
		fail_msg("first problem: %s", f.first);
	kstore_close(st);

	/* the cases' own pages overwritten (the leaves of the table cases, as
	 * SQLite's dbstat lists them), so that the store still opens whatever
	 * the migrations left where: the damage is to the cases.  (A third of
	 * the file from its middle reached the schema's last page, or the
	 * index's first, as tables were added.) */
	db_exec(path, "VACUUM");
	{
		sqlite3 *db;
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = 'cases' AND pagetype = 'leaf'"
						    " ORDER BY pageno", -1, &s, NULL), SQLITE_OK);
		fp = fopen(path, "r+b");
		assert_non_null(fp);
		size = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			fseek(fp, (sqlite3_column_int64(s, 0) - 1) * 4096, SEEK_SET);
			for (long i = 0; i < 4096; i++)
				fputc((int)((size + i) * 7919 % 251), fp);
			size += 4096;
		}
		sqlite3_finalize(s);
		sqlite3_close(db);
		assert_true(size >= 4 * 4096); /* 600 cases: many pages */
	}
	fclose(fp);
	memset(&f, 0, sizeof(f));
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_true(kstore_check(st, KSTORE_CHECK_QUICK, check_cb, &f, &err) > 0);
	if (!strstr(f.first, "database: "))
		fail_msg("first problem: %s", f.first);
	/* a write stops with the message, its transaction rolled back, and no write after it */
	assert_int_equal(kstore_begin(st, &err), 0);
	for (int i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "c-%d", i);
		mkcase(&c, id, "改訂", "d.txt", 2024, i + 1, "cat", NULL, NULL, NULL, "clear");
		int rc = kstore_put(st, &c, NULL, &err);

		kcase_free(&c);
		if (rc < 0)
			break;
	}
	assert_msg_has(err, "the database file is damaged (SQLite: ");
	assert_msg_has(err, "run `kyokun check`; restore from a backup");
	assert_true(kstore_commit(st, &err) < 0); /* nothing to commit: rolled back */
	assert_true(kstore_begin(st, &err) < 0);
	assert_msg_has(err, "damaged");
	kstore_close(st);
}

/* Progress of a backup: the calls, and stop after stop_at of them (0: never). */
struct bprog {
	int calls, stop_at;
	long long last_done, total;
};

static int bprog_cb(void *ctx, long long done, long long total)
{
	struct bprog *p = ctx;

	assert_true(done >= p->last_done && done <= total);
	p->last_done = done;
	p->total = total;
	return p->stop_at && ++p->calls >= p->stop_at;
}

static long count_cases(struct kstore *st)
{
	struct kerr err = KERR_INIT;
	long n = -1;

	if (kstore_count(st, &kreader_local, &n, &err) < 0)
		fail_msg("kstore_count: %s", err.msg);
	return n;
}

static void test_backup(void **state)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL, *ro = NULL, *copy = NULL;
	struct kstore_lock *lk = NULL;
	struct bprog p = { 0 };
	struct found f = { 0 };
	char path[512], dest[600], id[32];
	struct kcase c;
	int v;

	(void)state;
	snprintf(path, sizeof(path), "%s", new_db_path());
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_begin(st, &err), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "b-%d", i);
		mkcase(&c, id, "停電の事例", "d.txt", 2024, i + 1, "cat", NULL, NULL, NULL, "clear");
		put(st, &c, KSTORE_CREATED);
		kcase_free(&c);
	}
	assert_int_equal(kstore_commit(st, &err), 0);

	/* a reader backs up while the writer has a transaction open: the committed state only */
	assert_int_equal(kstore_begin(st, &err), 0);
	put_simple(st, "uncommitted", "まだ");
	assert_int_equal(kstore_open(&ro, path, KSTORE_READONLY, &err), 0);
	snprintf(dest, sizeof(dest), "%s.copy", path);
	if (kstore_backup(ro, dest, bprog_cb, &p, &err) < 0)
		fail_msg("kstore_backup: %s", err.msg);
	assert_true(p.total > 0);
	assert_int_equal(p.last_done, p.total);
	/* the writer could go on and commit meanwhile */
	assert_int_equal(kstore_commit(st, &err), 0);

	/* the copy: one file, a kyokun database at this version, sound, the 2000 committed cases */
	assert_int_equal(access(dest, F_OK), 0);
	{
		char side[700];

		snprintf(side, sizeof(side), "%s-wal", dest);
		assert_int_not_equal(access(side, F_OK), 0);
	}
	assert_int_equal(kstore_file_version(dest, &v, &err), 0);
	assert_int_equal(v, kstore_schema_latest());
	assert_int_equal(kstore_open(&copy, dest, KSTORE_READONLY, &err), 0);
	assert_int_equal(kstore_check(copy, 0, check_cb, &f, &err), 0);
	assert_int_equal(count_cases(copy), 2000);
	kstore_close(copy);

	/* an existing file is refused; a stopped backup leaves nothing */
	assert_int_equal(kstore_backup(ro, dest, NULL, NULL, &err), KE_EXISTS);
	snprintf(dest, sizeof(dest), "%s.stopped", path);
	p = (struct bprog){ .stop_at = 1 };
	assert_int_equal(kstore_backup(ro, dest, bprog_cb, &p, &err), KE_IO);
	assert_int_not_equal(access(dest, F_OK), 0);

	/* the lock for a restore: refused while other connections are open, granted when alone */
	assert_int_equal(kstore_file_lock(path, &lk, &err), KE_EXISTS);
	assert_null(lk);
	assert_msg_has(err, "in use");
	kstore_close(ro);
	kstore_close(st);
	assert_int_equal(kstore_file_lock(path, &lk, &err), 0);
	assert_non_null(lk);
	kstore_file_unlock(lk);
	lk = NULL;
	/* no database: nothing to lock */
	assert_int_equal(kstore_file_lock(dest, &lk, &err), 0);
	assert_null(lk);

	/* what is not a kyokun database */
	assert_int_equal(kstore_file_version(dest, &v, &err), KE_NOTFOUND);
	{
		FILE *fp = fopen(dest, "w");

		assert_non_null(fp);
		fputs("not a database\n", fp);
		fclose(fp);
	}
	assert_int_equal(kstore_file_version(dest, &v, &err), KE_INVALID);
	assert_msg_has(err, "not a kyokun database");
	unlink(dest);
	db_exec(dest, "CREATE TABLE t(a)");
	assert_int_equal(kstore_file_version(dest, &v, &err), KE_INVALID);
	assert_msg_has(err, "not kyokun's");
	/* a newer schema is told as it is (the caller decides) */
	db_exec(path, "PRAGMA user_version = 99");
	assert_int_equal(kstore_file_version(path, &v, &err), 0);
	assert_int_equal(v, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrate),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_update_history),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_list_rows),
		cmocka_unit_test(test_documents_count),
		cmocka_unit_test(test_reopen_readonly),
		cmocka_unit_test(test_readonly_schema),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_case_changes),
		cmocka_unit_test(test_facets_shared),
		cmocka_unit_test(test_facets_one_reader),
		cmocka_unit_test(test_bulk_readers_server),
		cmocka_unit_test(test_bulk_readers_alone),
		cmocka_unit_test(test_bulk_indexes),
		cmocka_unit_test(test_page_size),
		cmocka_unit_test(test_check_damaged),
		cmocka_unit_test(test_backup),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
