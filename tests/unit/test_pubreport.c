/*
 * test_pubreport.c - unit tests of the published report (pubreport.h,
 * store_publish.h): the pages, the Markdown and the JSON of a report made
 * in memory (every title, the case list, the 総括's marks, HTML and
 * Markdown metacharacters escaped, empty sections left out, the TLP label
 * on every page but TLP:CLEAR's); the folder written atomically (a
 * non-empty one refused, --force replacing it, nothing left behind on a
 * failure); assembling from a store (order by category, then number, then
 * id; the TLP refused by name; drafts and unknown ids refused; what the
 * reader may not see is not found); the store's reports (put, list, get,
 * files, the same name refused unless replaced, delete).
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "pubreport.h"
#include "store.h"
#include "store_account.h"
#include "store_publish.h"
#include "store_report.h"

static char tmp[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/test_pubreport.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmp) ? 0 : -1;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char sub[1024];
			struct stat sb;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (!lstat(sub, &sb) && S_ISDIR(sb.st_mode))
				rm_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int teardown(void **state)
{
	(void)state;
	rm_tree(tmp);
	return 0;
}

static void add_case(struct kcase_list *l, const char *id, const char *title, const char *category, int number,
		     const char *tlp)
{
	struct kcase *c = kcase_list_add(l);

	assert_non_null(c);
	assert_int_equal(kstr_set(&c->id, id), 0);
	assert_int_equal(kstr_set(&c->title, title), 0);
	assert_int_equal(kstr_set(&c->category, category), 0);
	assert_int_equal(kstr_set(&c->tlp, tlp), 0);
	if (number) {
		c->source.has_case_number = 1;
		c->source.case_number = number;
	}
	assert_int_equal(kstrv_push(&c->summary, "概要の一行目。"), 0);
	assert_int_equal(kstrv_push(&c->key_lessons, "教訓の一行目。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_BACKGROUND], "・背景の本文。\n1. 番号で始まる段落\n- 横線で始まる段落"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CAUSE], "   \n"), 0); /* empty: left out */
}

/* A report of three cases with one theme, in memory. */
static void make_report(struct kpubreport *r, const char *tlp)
{
	struct ktheme *t;

	memset(r, 0, sizeof(*r));
	assert_int_equal(kstr_set(&r->name, "unit"), 0);
	assert_int_equal(kstr_set(&r->title, "単体試験の報告書 <em>&</em>"), 0);
	assert_int_equal(kstr_set(&r->date, "2026-12-01"), 0);
	assert_int_equal(kstr_set(&r->tlp, tlp), 0);
	assert_int_equal(kstr_set(&r->intro, "はじめの段落。\n\n・箇条の一\n・箇条の二"), 0);
	add_case(&r->cases, "u-1", "一つ目の事例", "分類甲", 1, "clear");
	add_case(&r->cases, "u-2", "二つ目 <script>x</script> | [link](http://x)", "分類甲", 2, "green");
	add_case(&r->cases, "u-3", "三つ目の事例", NULL, 0, "clear");
	r->themes.v = calloc(1, sizeof(*r->themes.v));
	assert_non_null(r->themes.v);
	r->themes.n = r->themes.alloc = 1;
	t = &r->themes.v[0];
	t->key = strdup("backup");
	t->name = strdup("バックアップ");
	t->name_en = strdup("Backups");
	t->lessons = calloc(2, sizeof(*t->lessons));
	assert_non_null(t->lessons);
	t->n = t->alloc = 2;
	t->lessons[0] = (struct ktheme_lesson){ .case_index = 0, .text = strdup("オフラインの複製を持つ。"), .shared = 1, .item = 1 };
	t->lessons[1] = (struct ktheme_lesson){ .case_index = 2, .text = strdup("復元を訓練する。"), .shared = 0, .item = 1 };
}

static const struct kpubfile *must(const struct kpubfiles *f, const char *path)
{
	const struct kpubfile *x = kpubfiles_find(f, path);

	if (!x)
		fail_msg("no %s", path);
	return x;
}

static int has(const struct kpubfile *f, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= f->len; i++)
		if (!memcmp(f->data + i, s, n))
			return 1;
	return 0;
}

static void test_render(void **state)
{
	struct kpubreport r;
	struct kpubfiles files = { 0 };
	struct kerr err = KERR_INIT;
	const struct kpubfile *ix, *md, *c2, *c3;
	const char *note = NULL;

	(void)state;
	make_report(&r, "green");
	assert_int_equal(kpubreport_render(&r, KPUB_PDF, &files, &note, &err), 0);
	ix = must(&files, "index.html");
	md = must(&files, "report.md");
	c2 = must(&files, "cases/u-2.html");
	c3 = must(&files, "cases/u-3.html");
	must(&files, "report.css");
	must(&files, "report.json");
	if (!kpubfiles_find(&files, "report.pdf"))
		assert_non_null(note); /* no PDF output in this build: said why */
	assert_true(has(ix, "一つ目の事例") && has(ix, "三つ目の事例"));
	assert_true(has(ix, "二つ目 &lt;script&gt;x&lt;/script&gt; | [link](http://x)"));
	assert_false(has(ix, "<script>"));
	assert_true(has(ix, "<title>単体試験の報告書 &lt;em&gt;&amp;&lt;/em&gt;</title>"));
	assert_true(has(ix, "<h3 class=\"pr-category\">分類甲</h3>"));
	assert_true(has(ix, "その他 <span class=\"en\" lang=\"en\">Other</span>"));
	assert_true(has(ix, "href=\"cases/u-3.html\""));
	assert_true(has(ix, "<li>箇条の二</li>"));
	assert_true(has(ix, "バックアップ <span class=\"en\" lang=\"en\">Backups</span>"));
	assert_true(has(ix, "pr-shared\">共通</span> オフラインの複製を持つ。"));
	assert_true(has(ix, "pr-specific\">固有</span> 復元を訓練する。"));
	assert_true(has(ix, "<strong>TLP:GREEN</strong>"));
	assert_true(has(c3, "<strong>TLP:GREEN</strong>"));
	assert_true(has(c3, "href=\"../index.html\""));
	assert_true(has(c2, "背景"));
	assert_false(has(c2, "原因")); /* the empty section */
	assert_true(has(md, "**TLP:GREEN**"));
	assert_true(has(md, "# 単体試験の報告書 \\<em\\>\\&\\</em\\>"));
	assert_true(has(md, "| 2 | 二つ目 \\<script\\>x\\</script\\> \\| \\[link\\](http://x) |"));
	assert_true(has(md, "- 【共通】オフラインの複製を持つ。（事例 1）"));
	assert_true(has(md, "### その他 Other"));
	assert_true(has(md, "\n1\\. 番号で始まる段落\n")); /* a paragraph, not a list */
	assert_true(has(md, "\n\\- 横線で始まる段落\n"));
	kpubfiles_free(&files);
	kpubreport_free(&r);

	/* TLP:CLEAR: no banner */
	make_report(&r, "clear");
	assert_int_equal(kpubreport_render(&r, 0, &files, NULL, &err), 0);
	assert_false(has(must(&files, "index.html"), "pr-tlp-banner"));
	assert_false(has(must(&files, "report.md"), "**TLP:"));
	assert_null(kpubfiles_find(&files, "report.pdf"));
	kpubfiles_free(&files);
	kpubreport_free(&r);
}

static void test_json(void **state)
{
	struct kpubreport r, back = { 0 };
	struct kbuf b = KBUF_INIT;
	struct kerr err = KERR_INIT;

	(void)state;
	make_report(&r, "amber");
	assert_int_equal(kpubreport_to_json(&r, &b), 0);
	assert_int_equal(kpubreport_from_json(&back, b.buf, b.len, &err), 0);
	assert_string_equal(back.title, r.title);
	assert_string_equal(back.tlp, "amber");
	assert_int_equal(back.cases.n, 3);
	assert_string_equal(back.cases.v[1].title, r.cases.v[1].title);
	assert_int_equal(back.themes.n, 1);
	assert_int_equal(back.themes.v[0].n, 2);
	assert_int_equal(back.themes.v[0].lessons[1].case_index, 2);
	assert_int_equal(back.themes.v[0].lessons[0].shared, 1);
	kpubreport_free(&back);
	assert_int_equal(kpubreport_from_json(&back, "{\"format\":\"other\"}", 18, &err), KE_PARSE);
	assert_int_equal(kpubreport_from_json(&back, "not json", 8, &err), KE_PARSE);
	kbuf_release(&b);
	kpubreport_free(&r);
}

static int leftovers(const char *dir)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	const char *base = strrchr(dir, '/') + 1;
	size_t n = strlen(base);
	int k = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, base, n) && (!strncmp(e->d_name + n, ".tmp-", 5) || !strncmp(e->d_name + n, ".old-", 5)))
			k++;
	closedir(d);
	return k;
}

static void test_write_dir(void **state)
{
	struct kpubreport r;
	struct kpubfiles files = { 0 }, two = { 0 };
	struct kerr err = KERR_INIT;
	char dir[512], path[600], bad[600];
	struct stat sb;

	(void)state;
	make_report(&r, "green");
	assert_int_equal(kpubreport_render(&r, 0, &files, NULL, &err), 0);
	snprintf(dir, sizeof(dir), "%s/out", tmp);
	assert_int_equal(kpubreport_write_dir(&files, dir, 0, &err), 0);
	snprintf(path, sizeof(path), "%s/cases/u-2.html", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(leftovers(dir), 0);
	/* not empty: refused, untouched */
	assert_int_equal(kpubreport_write_dir(&files, dir, 0, &err), KE_EXISTS);
	assert_non_null(strstr(err.msg, "--force"));
	/* --force: replaced by the new files alone */
	assert_int_equal(kpubfiles_add(&two, "index.html", "text/html", strdup("new"), 3), 0);
	assert_int_equal(kpubreport_write_dir(&two, dir, 1, &err), 0);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 3);
	assert_int_equal(leftovers(dir), 0);
	/* a file that cannot be written (a path with a folder where a file is): nothing left */
	assert_int_equal(kpubfiles_add(&two, "index.html/x", "text/html", strdup("x"), 1), 0);
	snprintf(path, sizeof(path), "%s/out2", tmp);
	assert_true(kpubreport_write_dir(&two, path, 0, &err) < 0);
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(leftovers(path), 0);
	/* a folder that cannot be made */
	snprintf(bad, sizeof(bad), "%s/no/such/parent", tmp);
	assert_int_equal(kpubreport_write_dir(&files, bad, 0, &err), KE_IO);
	assert_non_null(strstr(err.msg, "no/such/parent"));
	kpubfiles_free(&two);
	kpubfiles_free(&files);
	kpubreport_free(&r);
}

static struct kstore *open_store(const char *name)
{
	struct kstore *st = NULL;
	struct kerr err = KERR_INIT;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	assert_int_equal(kstore_open(&st, path, 0, &err), 0);
	assert_int_equal(kstore_set_actor(st, 0, "local:test", "unit"), 0);
	return st;
}

static void put(struct kstore *st, const char *id, const char *title, const char *category, int number,
		const char *tlp, int year)
{
	struct kcase c;
	struct kerr err = KERR_INIT;

	kcase_init(&c);
	kstr_set(&c.id, id);
	kstr_set(&c.title, title);
	kstr_set(&c.category, category);
	kstr_set(&c.tlp, tlp);
	kstr_set(&c.source.document, "unit-doc.txt");
	c.source.has_year = 1;
	c.source.year = year;
	if (number) {
		c.source.has_case_number = 1;
		c.source.case_number = number;
	}
	kstrv_push(&c.key_lessons, "教訓。");
	assert_int_equal(kstore_put(st, &c, NULL, &err), 0);
	kcase_free(&c);
}

static void test_assemble(void **state)
{
	struct kstore *st = open_store("a.db");
	struct kpubreport r = { 0 };
	struct kerr err = KERR_INIT;
	struct kstrv ids = { 0 };
	struct kpubreport_spec spec = { .source = KPUB_SELECT, .ids = &ids, .reader = &kreader_local,
					.date = "2026-12-01" };
	int fell_back = 0;

	(void)state;
	put(st, "a-3", "乙の三", "B分類", 3, "clear", 2025);
	put(st, "a-1", "甲の一", "A分類", 1, "green", 2025);
	put(st, "a-2", "甲の二", "A分類", 2, "amber", 2025);
	put(st, "a-9", "分類なし", NULL, 0, "clear", 2025);
	put(st, "b-1", "別の年", "甲", 1, "clear", 2024);
	kstrv_push(&ids, "a-9");
	kstrv_push(&ids, "a-3");
	kstrv_push(&ids, "a-2");
	kstrv_push(&ids, "a-1");
	kstrv_push(&ids, "a-1"); /* twice: once */
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), 0);
	assert_int_equal(r.cases.n, 4);
	assert_string_equal(r.cases.v[0].id, "a-1");
	assert_string_equal(r.cases.v[1].id, "a-2");
	assert_string_equal(r.cases.v[2].id, "a-3");
	assert_string_equal(r.cases.v[3].id, "a-9");
	assert_string_equal(r.tlp, "amber"); /* the most restrictive */
	assert_string_equal(r.name, "report-2026-12-01");
	assert_non_null(strstr(r.intro, "得られる気付き・教訓の有用性")); /* the criteria listed */
	kpubreport_free(&r);

	spec.tlp = "green";
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "a-2 (TLP:amber)"));
	kpubreport_free(&r);
	spec.tlp = NULL;

	/* the anonymous reader does not see a-1 (green): not found, as if absent */
	spec.reader = &kreader_anonymous;
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), KE_NOTFOUND);
	assert_non_null(strstr(err.msg, "no case with id"));
	kpubreport_free(&r);
	spec.reader = &kreader_local;

	kstrv_clear(&ids);
	kstrv_push(&ids, "nope");
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), KE_NOTFOUND);
	kpubreport_free(&r);

	/* a period without a kept selection: that year's cases, said so */
	spec = (struct kpubreport_spec){ .source = KPUB_PERIOD, .period = "2025", .reader = &kreader_local,
					 .fell_back = &fell_back, .name = "p2025" };
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), 0);
	assert_int_equal(fell_back, 1);
	assert_int_equal(r.cases.n, 4);
	assert_string_equal(r.period, "2025");
	kpubreport_free(&r);
	spec.period = "1999";
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), KE_NOTFOUND);
	assert_non_null(strstr(err.msg, "no candidates"));
	kpubreport_free(&r);
	spec = (struct kpubreport_spec){ .source = KPUB_DOCUMENT, .document = "unit-doc.txt", .reader = &kreader_local };
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), 0);
	assert_int_equal(r.cases.n, 5);
	assert_string_equal(r.name, "unit-doc.txt");
	kpubreport_free(&r);
	spec.name = "bad name";
	assert_int_equal(kpubreport_assemble(st, &spec, &r, &err), KE_USAGE);
	kpubreport_free(&r);
	kstrv_clear(&ids);
	kstore_close(st);
}

static char *bytes(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

struct seen {
	int n;
	char tlp[16];
};

static int seen_cb(void *ctx, const struct kpubreport_row *row)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->tlp, sizeof(s->tlp), "%s", row->tlp);
	return 0;
}

static void test_store(void **state)
{
	struct kstore *st = open_store("s.db");
	struct kpubfiles files = { 0 };
	struct kstrv ids = { 0 }, back = { 0 };
	struct kpubreport_meta m = { .name = "r1", .title = "報告書", .period = "2025", .tlp = "amber",
				     .date = "2026-12-01", .ids = &ids };
	struct kerr err = KERR_INIT;
	struct kbuf b = KBUF_INIT;
	struct seen s = { 0 };
	char *type = NULL;

	(void)state;
	kstrv_push(&ids, "x-1");
	kstrv_push(&ids, "x-2");
	assert_int_equal(kpubfiles_add(&files, "index.html", "text/html; charset=utf-8", bytes("<p>索引</p>", 13), 13), 0);
	assert_int_equal(kpubfiles_add(&files, "report.pdf", "application/pdf", bytes("%PDF\0x", 6), 6), 0);
	assert_int_equal(kstore_pubreport_put(st, &m, &files, 0, &err), 0);
	assert_int_equal(kstore_pubreport_put(st, &m, &files, 0, &err), KE_EXISTS);
	assert_int_equal(kstore_pubreport_list(st, seen_cb, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.tlp, "amber");
	assert_int_equal(kstore_pubreport_get(st, "none", seen_cb, &s, &err), KE_NOTFOUND);
	assert_int_equal(kstore_pubreport_cases(st, "r1", &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[1], "x-2");
	assert_int_equal(kstore_pubreport_file(st, "r1", "report.pdf", &b, &type, &err), 0);
	assert_int_equal(b.len, 6); /* bytes, NUL included */
	assert_string_equal(type, "application/pdf");
	assert_int_equal(kstore_pubreport_file(st, "r1", "report.pdf", NULL, NULL, &err), 0);
	assert_int_equal(kstore_pubreport_file(st, "r1", "nope", NULL, NULL, &err), KE_NOTFOUND);
	/* replaced: the new TLP, the old files gone */
	m.tlp = "clear";
	kpubfiles_free(&files);
	assert_int_equal(kpubfiles_add(&files, "index.html", "text/html", strdup("x"), 1), 0);
	assert_int_equal(kstore_pubreport_put(st, &m, &files, 1, &err), 0);
	assert_int_equal(kstore_pubreport_get(st, "r1", seen_cb, &s, &err), 0);
	assert_string_equal(s.tlp, "clear");
	assert_int_equal(kstore_pubreport_file(st, "r1", "report.pdf", NULL, NULL, &err), KE_NOTFOUND);
	assert_int_equal(kstore_pubreport_delete(st, "r1", &err), 0);
	assert_int_equal(kstore_pubreport_delete(st, "r1", &err), KE_NOTFOUND);
	m.title = NULL;
	assert_int_equal(kstore_pubreport_put(st, &m, &files, 0, &err), KE_INVALID);
	free(type);
	kbuf_release(&b);
	kstrv_clear(&ids);
	kstrv_clear(&back);
	kpubfiles_free(&files);
	kstore_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_write_dir),
		cmocka_unit_test(test_assemble),
		cmocka_unit_test(test_store),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
