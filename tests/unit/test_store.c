/*
 * test_store.c - unit tests of the SQLite store (store.c): opening and
 * migrating, put/get, revisions and history, transactions (duplicate ids,
 * rollback), delete, list filters, documents, counts, reopening and
 * read-only connections.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"

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
		"\"threats\":[\"ransomware\"],\"sectors\":[\"電力\",\"水道\"],\"x\":4},\"tlp\":\"red\",\"x_top\":[5]}";
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrate),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_update_history),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_list_rows),
		cmocka_unit_test(test_documents_count),
		cmocka_unit_test(test_reopen_readonly),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
