/*
 * test_pdfdoc.c - the report and case PDFs (pdfdoc.c) from our own fixture
 * cases, read back with poppler-utils: pdftotext finds every case title (in
 * the table of contents, the case list and the case pages), pdffonts shows
 * the Japanese font embedded, pdfinfo says A4, and every page of an amber
 * document carries TLP:AMBER while a clear one carries no TLP label.  Bad
 * input: no cases, invalid UTF-8, control characters, emoji, 100 KB
 * sections, a table row taller than a page.
 *
 * KYOKUN_PDFDOC_KEEP=DIR keeps the PDFs in DIR to look at them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdfdoc.h"
#include "pubreport.h"

/* cairo and fontconfig keep caches for the process; not ours */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcairo.so\nleak:libfontconfig.so\nleak:libpango\nleak:libharfbuzz\nleak:libglib\n";
}

static char tmpdir[256];
static int have_poppler;

static const char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void save(const char *name, const struct kbuf *b)
{
	const char *keep = getenv("KYOKUN_PDFDOC_KEEP");
	FILE *fp = fopen(path(name), "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b->buf, 1, b->len, fp), b->len);
	assert_int_equal(fclose(fp), 0);
	if (keep && *keep) {
		char p[600];

		snprintf(p, sizeof(p), "%s/%s", keep, name);
		fp = fopen(p, "wb");
		if (fp) {
			fwrite(b->buf, 1, b->len, fp);
			fclose(fp);
		}
	}
}

/* The output of a command (sh -c), whitespace removed when squeeze (2: but
 * not the form feeds that end pdftotext's pages). */
static char *run(const char *cmd, int squeeze)
{
	FILE *p = popen(cmd, "r");
	struct kbuf b = KBUF_INIT;
	int ch;

	assert_non_null(p);
	while ((ch = fgetc(p)) != EOF)
		if (!squeeze || (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r' && (squeeze == 2 || ch != '\f')))
			assert_int_equal(kbuf_addch(&b, ch), 0);
	pclose(p);
	{
		char *s = kbuf_detach(&b, NULL);

		return s ? s : strdup("");
	}
}

static char *text_of(const char *file, int page)
{
	char cmd[1024];

	if (page)
		snprintf(cmd, sizeof(cmd), "pdftotext -f %d -l %d '%s' - 2>/dev/null", page, page, path(file));
	else
		snprintf(cmd, sizeof(cmd), "pdftotext '%s' - 2>/dev/null", path(file));
	return run(cmd, 1);
}

static int pages_of(const char *file)
{
	char cmd[1024], *out, *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "pdfinfo '%s' 2>/dev/null", path(file));
	out = run(cmd, 0);
	p = strstr(out, "Pages:");
	if (p)
		n = atoi(p + 6);
	assert_non_null(strstr(out, "595.276 x 841.89 pts (A4)"));
	free(out);
	return n;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* needle with its white space removed is in hay (squeezed) */
static int has(const char *hay, const char *needle)
{
	char buf[4096];
	size_t k = 0;

	for (const char *s = needle; *s && k + 1 < sizeof(buf); s++)
		if (*s != ' ' && *s != '\n')
			buf[k++] = *s;
	buf[k] = 0;
	return strstr(hay, buf) != NULL;
}

/* ---- fixtures: our own text ----------------------------------------------------------------- */

static const char *const cats[] = { "ランサムウェア", "標的型攻撃", "システム障害" };
static const char *const titles[] = {
	"倉庫管理サーバの暗号化と出荷停止",
	"委託先経由のVPN侵入",
	"バックアップまで暗号化された病院",
	"取引先を装うメールでの情報窃取",
	"設定変更ミスによる決済の停止",
	"停電後に監視システムが起動せず",
	"古いルータの脆弱性を突いた侵入",
	"業務端末の画面に脅迫文",
};

static void fixture_case(struct kcase *c, size_t i, const char *tlp)
{
	char id[64], buf[512];

	kcase_init(c);
	snprintf(id, sizeof(id), "fx-%03zu", i + 1);
	assert_int_equal(kstr_set(&c->id, id), 0);
	snprintf(buf, sizeof(buf), "%s%s", titles[i % 8], i >= 8 ? "（続）" : "");
	if (i >= 8)
		snprintf(buf, sizeof(buf), "第%zu例 %s", i + 1, titles[i % 8]);
	assert_int_equal(kstr_set(&c->title, buf), 0);
	assert_int_equal(kstr_set(&c->category, cats[(i % 8) * 3 / 8]), 0);
	assert_int_equal(kstr_set(&c->tlp, tlp), 0);
	assert_int_equal(kstrv_push(&c->tags.sectors, i % 2 ? "医療" : "物流"), 0);
	assert_int_equal(kstr_set(&c->source.document, "試験用の事例集"), 0);
	assert_int_equal(kstr_set(&c->source.publisher, "試験センター"), 0);
	c->source.has_year = 1;
	c->source.year = 2025;
	assert_int_equal(kstrv_push(&c->summary, "夜間に複数のサーバが停止し、翌朝まで業務ができなかった。"), 0);
	assert_int_equal(kstrv_push(&c->summary, "原因は外部から持ち込まれた不正なプログラムだった。"), 0);
	assert_int_equal(kstrv_push(&c->key_lessons, "連絡先の一覧を紙でも持っておく。"), 0);
	assert_int_equal(kstrv_push(&c->key_lessons, "バックアップを別のネットワークに置く。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_BACKGROUND],
				  "対象の組織は地方で倉庫を運営しており、受注から出荷までを一つのシステムで管理していた。\n"
				  "・保守は外部の事業者に委託していた。\n・リモート保守用の接続口があった。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_DETECTION], "朝に出勤した担当者が画面の異常に気付いた。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_RESPONSE], "ネットワークを切り離し、委託先と共に調査した。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CAUSE], "保守用の接続口の認証が弱かった。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_COUNTERMEASURES], "多要素認証を導入した。"), 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_LESSONS], "・委託先との連絡体制を平時に確かめておく。"), 0);
	/* an empty section: omitted, never an empty heading */
	assert_int_equal(kstr_set(&c->sections[KSEC_IMPACT], "  \n"), 0);
	assert_int_equal(kcase_add_event(c, 1, 1, "02:10", "攻撃者", "保守用の接続口から侵入した。"), 0);
	assert_int_equal(kcase_add_event(c, 1, 1, "08:30", "担当者", "画面の異常に気付き、上司に報告した。"), 0);
	assert_int_equal(kcase_add_event(c, 1, 2, NULL, "委託先", "調査を始めた。"), 0);
}

static void fixture_report(struct kpubreport *r, size_t n, const char *tlp)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(kstr_set(&r->title, "試験用 事例調査報告書 2025"), 0);
	assert_int_equal(kstr_set(&r->publisher, "試験センター"), 0);
	assert_int_equal(kstr_set(&r->date, "2026-03-31"), 0);
	assert_int_equal(kstr_set(&r->period, "2025"), 0);
	assert_int_equal(kstr_set(&r->tlp, tlp), 0);
	assert_int_equal(kstr_set(&r->intro, "本書は試験のために作った事例集である。\n\n"
				  "選定の基準は次のとおり。\n・実害の有無\n・教訓の有用性"), 0);
	for (size_t i = 0; i < n; i++) {
		struct kcase *c = kcase_list_add(&r->cases);

		assert_non_null(c);
		fixture_case(c, i, i % 3 ? "green" : "clear");
		kcase_free(c);
		fixture_case(c, i, i % 3 ? "green" : "clear");
	}
	/* the 総括: two themes by hand (theme.c computes them; here we test the printing) */
	if (n) {
		r->themes.v = calloc(2, sizeof(*r->themes.v));
		assert_non_null(r->themes.v);
		r->themes.n = r->themes.alloc = 2;
		assert_int_equal(kstr_set(&r->themes.v[0].key, "contact"), 0);
		assert_int_equal(kstr_set(&r->themes.v[0].name, "緊急連絡体制"), 0);
		assert_int_equal(kstr_set(&r->themes.v[1].key, "backup"), 0);
		assert_int_equal(kstr_set(&r->themes.v[1].name, "バックアップ"), 0);
		for (int t = 0; t < 2; t++) {
			r->themes.v[t].lessons = calloc(n, sizeof(struct ktheme_lesson));
			assert_non_null(r->themes.v[t].lessons);
			for (size_t i = 0; i < n; i++) {
				r->themes.v[t].lessons[i].case_index = i;
				r->themes.v[t].lessons[i].shared = i < n / 2;
				assert_int_equal(kstr_set(&r->themes.v[t].lessons[i].text,
							  t ? "バックアップを別のネットワークに置く。"
							    : "連絡先の一覧を紙でも持っておく。"), 0);
			}
			r->themes.v[t].n = r->themes.v[t].alloc = n;
		}
	}
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-pdfdoc-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	have_poppler = system("pdftotext -v >/dev/null 2>&1 && pdffonts -v >/dev/null 2>&1") == 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the tests ---------------------------------------------------------------------------- */

/* Each of the n pages of file has needle (want 1) or not (0): pdftotext once
 * for the whole file (one process, not one a page), its pages split at the
 * form feed it ends each page with. */
static void every_page(const char *file, int n, const char *needle, int want)
{
	char cmd[1024], *t, *pg;
	int p;

	snprintf(cmd, sizeof(cmd), "pdftotext '%s' - 2>/dev/null", path(file));
	pg = t = run(cmd, 2);
	for (p = 1; p <= n && pg && *pg; p++) {
		char *ff = strchr(pg, '\f');

		if (ff)
			*ff = '\0';
		if (want != (strstr(pg, needle) != NULL))
			fail_msg("page %d of %s: %s %s", p, file, needle, want ? "missing" : "present");
		pg = ff ? ff + 1 : NULL;
	}
	if (p != n + 1)
		fail_msg("%s: pdftotext gave %d pages, want %d", file, p - 1, n);
	free(t);
}

static void test_report_amber(void **state)
{
	struct kpubreport r;
	struct kbuf out = KBUF_INIT;
	struct kerr err = { 0 };
	char *t, *fonts;
	int n;

	(void)state;
	fixture_report(&r, 8, "amber");
	assert_int_equal(kpdfdoc_report(&r, &out, &err), 0);
	assert_true(out.len > 1000 && !memcmp(out.buf, "%PDF-", 5));
	save("amber.pdf", &out);
	if (!have_poppler)
		goto out;
	n = pages_of("amber.pdf");
	/* title, contents, intro + list, 8 cases, 総括 */
	assert_true(n >= 12);
	t = text_of("amber.pdf", 0);
	for (size_t i = 0; i < r.cases.n; i++) {
		/* the contents, the case list and the case's own page */
		if (count(t, r.cases.v[i].title) < 3)
			fail_msg("title %s read back %d times", r.cases.v[i].title, count(t, r.cases.v[i].title));
	}
	assert_true(has(t, "事例一覧"));
	assert_true(has(t, "事例の概要"));
	assert_true(has(t, "主な気付き・教訓"));
	assert_true(has(t, "はじめに"));
	assert_true(has(t, "総括"));
	assert_true(has(t, "緊急連絡体制"));
	assert_true(has(t, "共通"));
	assert_true(has(t, "固有"));
	assert_true(has(t, "ランサムウェア（3件）"));
	assert_true(has(t, "委託先との連絡体制を平時に確かめておく。"));
	assert_true(has(t, "保守用の接続口から侵入した。"));
	/* an empty section is left out, not printed as an empty heading */
	assert_false(has(t, "影響"));
	/* page numbers */
	assert_true(has(t, "1/"));
	free(t);
	every_page("amber.pdf", n, "TLP:AMBER", 1);
	/* header and footer: twice a page */
	t = text_of("amber.pdf", 5);
	assert_true(count(t, "TLP:AMBER") >= 2);
	free(t);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "pdffonts '%s' 2>/dev/null | grep -i 'NotoSansCJK' | grep -c ' yes '",
			 path("amber.pdf"));
		fonts = run(cmd, 1);
		assert_true(atoi(fonts) >= 1);
		free(fonts);
	}
out:
	kbuf_release(&out);
	kpubreport_free(&r);
}

static void test_report_clear(void **state)
{
	struct kpubreport r;
	struct kbuf out = KBUF_INIT;
	struct kerr err = { 0 };
	int n;

	(void)state;
	fixture_report(&r, 3, "clear");
	for (size_t i = 0; i < r.cases.n; i++)
		assert_int_equal(kstr_set(&r.cases.v[i].tlp, "clear"), 0);
	assert_int_equal(kpdfdoc_report(&r, &out, &err), 0);
	save("clear.pdf", &out);
	if (have_poppler) {
		n = pages_of("clear.pdf");
		assert_true(n >= 6);
		every_page("clear.pdf", n, "TLP:AMBER", 0);
		every_page("clear.pdf", n, "TLP:RED", 0);
		every_page("clear.pdf", n, "TLP:GREEN", 0);
		every_page("clear.pdf", n, "/", 1); /* "3 / 7" */
	}
	kbuf_release(&out);
	kpubreport_free(&r);
}

static void test_report_empty(void **state)
{
	struct kpubreport r;
	struct kbuf out = KBUF_INIT;
	struct kerr err = { 0 };

	(void)state;
	fixture_report(&r, 0, "clear");
	free(r.intro);
	r.intro = NULL;
	assert_int_equal(kpdfdoc_report(&r, &out, &err), 0);
	save("empty.pdf", &out);
	if (have_poppler) {
		char *t = text_of("empty.pdf", 0);

		assert_int_equal(pages_of("empty.pdf"), 3);
		assert_true(has(t, "この報告書に掲載する事例はありません。"));
		assert_false(has(t, "はじめに"));
		free(t);
	}
	kbuf_release(&out);
	kpubreport_free(&r);
}

/* invalid UTF-8, control characters, emoji, 100 KB sections, a row taller than a page */
static void test_bad_text(void **state)
{
	struct kpubreport r;
	struct kbuf out = KBUF_INIT, big = KBUF_INIT;
	struct kerr err = { 0 };
	struct kcase *c;

	(void)state;
	fixture_report(&r, 2, "red");
	c = &r.cases.v[0];
	free(c->title);
	c->title = strdup("壊れた\xff\xfe文字\x01と絵文字\xF0\x9F\x94\xA5\xF0\x9F\x98\x80の事例\xe3\x81");
	assert_non_null(c->title);
	for (int i = 0; big.len < 100 * 1024; i++)
		assert_true(kbuf_addf(&big, "%d行目：長い本文が続く。区切りのないURL https://example.org/%0200d\n", i, i) >= 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_RESPONSE], big.buf), 0);
	/* one paragraph of 100 KB without a line break */
	kbuf_reset(&big);
	while (big.len < 100 * 1024)
		assert_true(kbuf_adds(&big, "改行のない長い段落") >= 0);
	assert_int_equal(kstr_set(&c->sections[KSEC_CAUSE], big.buf), 0);
	/* a summary far taller than a page: its row in the case list is split, never lost */
	for (int i = 0; i < 150; i++) {
		char line[80];

		snprintf(line, sizeof(line), "概要の%d行目", i);
		assert_int_equal(kstrv_push(&r.cases.v[1].summary, line), 0);
	}
	for (int i = 0; i < 120; i++)
		assert_int_equal(kcase_add_event(&r.cases.v[1], 1, i, NULL, "担当者", "時系列の長い表"), 0);
	assert_int_equal(kpdfdoc_report(&r, &out, &err), 0);
	save("bad.pdf", &out);
	if (have_poppler) {
		int n = pages_of("bad.pdf");
		char *t = text_of("bad.pdf", 0);

		assert_true(n > 40);
		assert_true(has(t, "概要の149行目"));
		assert_true(has(t, "300行目："));
		assert_true(has(t, "の事例"));
		free(t);
		every_page("bad.pdf", n, "TLP:RED", 1);
	}
	kbuf_release(&big);
	kbuf_release(&out);
	kpubreport_free(&r);
}

static void test_case(void **state)
{
	struct kcase c;
	struct kbuf out = KBUF_INIT;
	struct kerr err = { 0 };
	struct kpdfdoc_meta m = { "2026-04-01", "https://kyokun.example/cases/fx-001" };

	(void)state;
	fixture_case(&c, 0, "amber+strict");
	for (int i = 0; i < 60; i++)
		assert_int_equal(kcase_add_event(&c, 1, 3 + i / 10, "10:00", "委託先", "ログを調べて報告した。"), 0);
	assert_int_equal(kpdfdoc_case(&c, &m, &out, &err), 0);
	save("case.pdf", &out);
	if (have_poppler) {
		int n = pages_of("case.pdf");
		char *t = text_of("case.pdf", 0);

		assert_true(n >= 2);
		assert_true(has(t, c.title));
		assert_true(has(t, "fx-001"));
		assert_true(has(t, "試験用の事例集"));
		assert_true(has(t, "2026-04-01"));
		assert_true(has(t, "背景"));
		free(t);
		every_page("case.pdf", n, "TLP:AMBER+STRICT", 1);
		every_page("case.pdf", n, "fx-001", 1);
		/* the timeline's header row is repeated on its last page */
		t = text_of("case.pdf", n);
		assert_true(has(t, "出来事"));
		free(t);
	}
	kbuf_release(&out);
	kcase_free(&c);
}

/*
 * KYOKUN_PDFDOC_BENCH=N: time a report of N fixture cases (written to
 * $KYOKUN_PDFDOC_KEEP/bench-N.pdf when set) and print the time and size.
 */
static int bench(int n)
{
	struct kpubreport r;
	struct kbuf out = KBUF_INIT;
	struct kerr err = { 0 };
	struct timespec a, b;
	char name[64];
	int rc;

	fixture_report(&r, (size_t)n, "amber");
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = kpdfdoc_report(&r, &out, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (rc < 0) {
		fprintf(stderr, "pdf: %s\n", err.msg);
		return 1;
	}
	printf("cases %d: %.2f s, %zu bytes\n", n, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
	       out.len);
	snprintf(name, sizeof(name), "bench-%d.pdf", n);
	if (getenv("KYOKUN_PDFDOC_KEEP"))
		save(name, &out);
	kbuf_release(&out);
	kpubreport_free(&r);
	return 0;
}

int main(void)
{
	const char *bn = getenv("KYOKUN_PDFDOC_BENCH");

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_amber), cmocka_unit_test(test_report_clear),
		cmocka_unit_test(test_report_empty), cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_case),
	};

	if (bn && atoi(bn) > 0) {
		int rc;

		if (setup(NULL) < 0)
			return 1;
		rc = bench(atoi(bn));
		teardown(NULL);
		return rc;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
