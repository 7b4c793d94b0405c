/*
 * test_pdf.c - kpdf_extract() on PDFs generated here from our own text
 * (tests/tools/mkpdf.c, with cairo): the sample report with a two-column
 * page and a table, a long report, a page without text, encrypted files,
 * and broken ones (truncated, spliced, not a PDF, empty).  Where pdftotext
 * is installed, the text must be byte for byte what it prints.
 */
#define MKPDF_NO_MAIN
#include "../tools/mkpdf.c"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "kbuf.h"
#include "kerr.h"
#include "pdf.h"

static char tmpdir[256];

/*
 * cairo 1.16 leaks a little while it writes the subset of the CJK font in
 * cairo_surface_finish(); that is the generator, not what we test.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcairo.so\nleak:libfontconfig.so\n";
}

static const char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void write_file(const char *name, const void *data, size_t len)
{
	FILE *fp = fopen(path(name), "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static char *read_all(const char *file, size_t *len)
{
	struct kbuf b = KBUF_INIT;

	assert_int_equal(kbuf_read_file(&b, file, NULL), 0);
	return kbuf_detach(&b, len);
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");
	char *data;
	size_t len;

	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-pdf-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	if (mkpdf_report(path("report.pdf")) < 0 || mkpdf_bench(path("long.pdf"), 12) < 0 ||
	    mkpdf_blank(path("blank.pdf")) < 0 ||
	    mkpdf_encrypted(path("locked.pdf"), "kyokun") < 0 ||
	    mkpdf_encrypted(path("restricted.pdf"), "") < 0 ||
	    mkpdf_survey(path("survey.pdf"), path("survey.txt")) < 0 ||
	    mkpdf_list2(path("list2.pdf")) < 0 || mkpdf_spread(path("spread.pdf")) < 0 ||
	    mkpdf_scanned(path("scanned.pdf")) < 0)
		return -1;
	data = read_all(path("report.pdf"), &len);
	/* the first half, as an interrupted download leaves it */
	write_file("truncated.pdf", data, len / 2);
	/* the start and the end without the middle: objects are missing */
	{
		struct kbuf b = KBUF_INIT;

		kbuf_add(&b, data, 4000);
		kbuf_add(&b, data + len - 3000, 3000);
		write_file("spliced.pdf", b.buf, b.len);
		kbuf_release(&b);
	}
	free(data);
	write_file("notes.pdf", "事例１ これはPDFではない\n", strlen("事例１ これはPDFではない\n"));
	write_file("page.pdf", "<!DOCTYPE html>\n<html>404</html>\n", strlen("<!DOCTYPE html>\n<html>404</html>\n"));
	write_file("empty.pdf", "", 0);
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlink(path(e->d_name));
		closedir(d);
	}
	rmdir(tmpdir);
	cairo_debug_reset_static_data();	/* the generator's font caches (LSan) */
	return 0;
}

/* Is line (without its newline) a whole line of text at or after *from? */
static int find_line(const char *text, const char *line, const char **from)
{
	size_t n = strlen(line);

	for (const char *p = *from; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n' || p[-1] == '\f') && p[n] == '\n') {
			*from = p + n;
			return 1;
		}
	}
	return 0;
}

static void extract_ok(const char *file, struct kbuf *out, int *npages)
{
	struct kerr err = KERR_INIT;
	int rc = kpdf_extract(file, out, npages, &err);

	if (rc < 0)
		print_error("kpdf_extract: %s\n", err.msg);
	assert_int_equal(rc, 0);
}

static void test_report_lines(void **state)
{
	struct kbuf out = KBUF_INIT;
	const char *from;
	int npages = -1, ff = 0;

	extract_ok(path("report.pdf"), &out, &npages);
	assert_int_equal(npages, 3);
	for (size_t i = 0; i < out.len; i++)
		ff += out.buf[i] == '\f';
	assert_int_equal(ff, 3);
	assert_int_equal(out.buf[out.len - 1], '\f');
	assert_int_equal(strlen(out.buf), out.len);

	/* every line of the sample, in order (table rows: see below) */
	from = out.buf;
	for (size_t i = 0; mkpdf_report_text[i] || mkpdf_report_text[i + 1]; i++) {
		const char *l = mkpdf_report_text[i];

		if (!l || strchr(l, '\t') || l[strlen(l) - 1] == '-')
			continue;
		if (!strncmp(l + 1, "way ", 4))
			continue;
		if (!find_line(out.buf, l + 1, &from))
			fail_msg("line %zu \"%s\" missing or out of order", i, l + 1);
	}
	/* two columns: the left one, an empty line, then the right one */
	assert_non_null(strstr(out.buf, "・利用者への周知が遅れた。\n\n【３ 原因】\n"
				"・ファイルの版が古く、値が違った。\n"));
	/* the table: its first column, then its second */
	assert_non_null(strstr(out.buf, "【２ 経過】\n06:10\n06:25\n06:40\n09:20\n\n"
				"運行管理サーバが応答しなくなった。\n"));
	/* a word hyphenated at the end of a line is joined again */
	assert_non_null(strstr(out.buf, "\nNote: the remote maintenance gateway had been left "
				"enabled after the upgrade.\n"));
	/* page numbers (lone numbers at the foot of the page) are left out */
	assert_null(strstr(out.buf, "\n-1-\n"));
	assert_null(strstr(out.buf, "\n-3-\n"));
	assert_non_null(strstr(out.buf, "\n\n\f事例２ 変電所の保護リレー整定値の誤入力\n"));
	kbuf_release(&out);
}

/* pdftotext FILE - (no -layout), or NULL if it is not installed. */
static char *pdftotext(const char *file, size_t *len)
{
	struct kbuf b = KBUF_INIT;
	char cmd[1024];
	FILE *fp;

	if (system("command -v pdftotext >/dev/null 2>&1") != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "pdftotext '%s' - 2>/dev/null", file);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_int_equal(kbuf_read_fp(&b, fp, NULL), 0);
	assert_int_equal(pclose(fp), 0);
	return kbuf_detach(&b, len);
}

/*
 * pdftotext's text without the page numbers ("- 12 -" or "-12-" lines and
 * the empty line after them), which kpdf_extract() leaves out.
 */
static void drop_page_numbers(char *ref, size_t *len)
{
	size_t r = 0, w = 0;

	while (r < *len) {
		size_t e = r, k;

		while (e < *len && ref[e] != '\n')
			e++;
		for (k = r; k < e && (ref[k] == '-' || ref[k] == ' ' || (ref[k] >= '0' && ref[k] <= '9')); k++)
			;
		if (k == e && e > r && ref[r] == '-' && e + 1 < *len && ref[e + 1] == '\n') {
			r = e + 2;
			continue;
		}
		memmove(ref + w, ref + r, (e < *len ? e + 1 : e) - r);
		w += (e < *len ? e + 1 : e) - r;
		r = e + 1;
	}
	*len = w;
}

static void same_as_pdftotext(const char *file)
{
	struct kbuf out = KBUF_INIT;
	size_t len;
	char *ref = pdftotext(file, &len);

	if (!ref)
		skip();
	drop_page_numbers(ref, &len);
	extract_ok(file, &out, NULL);
	if (out.len != len || memcmp(out.buf, ref, len)) {
		size_t i = 0;

		while (i < len && i < out.len && out.buf[i] == ref[i])
			i++;
		fail_msg("%s differs from pdftotext at byte %zu:\nours: \"%.60s\"\n"
			 "pdftotext: \"%.60s\"", file, i, out.buf + i, ref + i);
	}
	free(ref);
	kbuf_release(&out);
}

static void test_report_as_pdftotext(void **state)
{
	same_as_pdftotext(path("report.pdf"));
}

static void test_long_report(void **state)
{
	struct kbuf out = KBUF_INIT;
	const char *from;
	int npages = 0;

	extract_ok(path("long.pdf"), &out, &npages);
	assert_int_equal(npages, 12);
	from = out.buf;
	assert_true(find_line(out.buf, "事例１ 変電所の保護リレー整定値の誤り", &from));
	assert_true(find_line(out.buf, "事例４ 病院の電子カルテ端末のマルウェア感染", &from));
	assert_true(find_line(out.buf, "【１ 背景】", &from));
	assert_true(find_line(out.buf, "【４ 対策】", &from));	/* right column */
	assert_true(find_line(out.buf, "事例１２ 病院の電子カルテ端末のマルウェア感染", &from));
	assert_null(strstr(out.buf, "\n- 12 -\n"));	/* a page number */
	kbuf_release(&out);
	same_as_pdftotext(path("long.pdf"));
}

/*
 * The survey: its tables come out as tab-separated rows (the timeline one
 * line per event, with its time and in its role's column), its running
 * header and page numbers are left out, its two columns one after the other.
 */
static void test_survey_layout(void **state)
{
	struct kbuf out = KBUF_INIT;
	const char *from;
	int npages = 0;

	extract_ok(path("survey.pdf"), &out, &npages);
	assert_int_equal(npages, 5);
	assert_null(strstr(out.buf, "重要インフラ事例の補完調査（サンプル）"));
	assert_null(strstr(out.buf, "\n- 3 -\n"));
	assert_null(strstr(out.buf, "本番系"));	/* the labels of a figure */
	assert_null(strstr(out.buf, "（対処1）"));
	assert_non_null(strstr(out.buf, "\nNo\t事例\t事例の概要\t主な気付き・教訓\n"));
	assert_non_null(strstr(out.buf, "\n1\t給水設備の遠隔監視の途絶\t"
				"・給水設備の制御盤で通信装置が停止し、遠隔監視が約二時間途絶えた。 "
				"・現地の巡回で運転状態を確かめ、給水は続けられた。\t"
				"・通信装置の予備機を現地に置く ・途絶時の巡回手順を定める\n"));
	assert_non_null(strstr(out.buf, "\n日時\t①経営・広報\t②情報システム部門\t③現場\n"
				"1日目 9:00\t\t・監視画面の更新が止まる\t\n"
				"1日目 9:30\t・関係者へ状況を連絡する\t\t\n"
				"1日目 9:30\t\t\t・現地で運転状態を確かめる\n"
				"2日目\t\t・予備機で通信を復旧する\t\n"
				"2日目\t\t・復旧を関係者へ知らせる\t\n"));
	from = out.buf;
	assert_true(find_line(out.buf, "【3 対処】", &from));
	assert_true(find_line(out.buf, "・予備機を運び、通信を復旧した。", &from));
	assert_true(find_line(out.buf, "【4 原因】", &from));	/* the right column after */
	kbuf_release(&out);
}

/*
 * A table of two columns whose cells start side by side is read row by
 * row (not as two columns of text): a case's overview, then its lessons,
 * then the next case.
 */
static void test_two_column_table(void **state)
{
	struct kbuf out = KBUF_INIT;

	extract_ok(path("list2.pdf"), &out, NULL);
	assert_non_null(strstr(out.buf, "\n1\n・給水設備の制御盤で通信装置が停止し、遠隔監視が約二\n"
				"時間途絶えた。\n・現地の巡回で運転状態を確かめ、給水は続けられた。\n\n"
				"・通信装置の予備機を現地に置く\n・途絶時の巡回手順を定める\n\n"
				"外部からの不正な通信\n\n2\n・委託先の"));
	kbuf_release(&out);
}

/* Four columns of text on one sheet (a spread): one column after the other. */
static void test_spread(void **state)
{
	struct kbuf out = KBUF_INIT;
	const char *from;
	char want[32];

	extract_ok(path("spread.pdf"), &out, NULL);
	from = out.buf;
	for (int c = 1; c <= 4; c++) {
		for (int i = 1; i <= 12; i++) {
			snprintf(want, sizeof(want), "列%d-%02d ", c, i);
			from = strstr(from, want);
			if (!from)
				fail_msg("%s missing or out of order", want);
		}
	}
	kbuf_release(&out);
}

static void test_memory(void **state)
{
	struct kbuf a = KBUF_INIT, b = KBUF_INIT;
	struct kerr err = KERR_INIT;
	size_t len;
	char *data = read_all(path("report.pdf"), &len);
	int npages = 0;

	extract_ok(path("report.pdf"), &a, NULL);
	assert_int_equal(kpdf_extract_mem(data, len, &b, &npages, &err), 0);
	assert_int_equal(npages, 3);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);

	/* errors from memory carry no file name */
	assert_int_equal(kpdf_extract_mem(data, len / 2, &b, NULL, &err), KE_PARSE);
	assert_string_equal(err.msg, "truncated PDF: no %%EOF at the end (an incomplete download?)");
	assert_int_equal(kpdf_extract_mem("hello", 5, &b, NULL, &err), KE_PARSE);
	assert_string_equal(err.msg, "not a PDF file (it does not start with %PDF-)");
	assert_int_equal(kpdf_extract_mem(NULL, 0, &b, NULL, &err), KE_PARSE);
	assert_int_equal(b.len, a.len);
	free(data);
	kbuf_release(&a);
	kbuf_release(&b);
}

static void test_appends_and_cap(void **state)
{
	struct kbuf out = KBUF_INIT;
	struct kerr err = KERR_INIT;
	int npages = 77;

	kbuf_adds(&out, "before\n");
	extract_ok(path("report.pdf"), &out, NULL);
	assert_true(!strncmp(out.buf, "before\n事例１ ", strlen("before\n事例１ ")));
	kbuf_release(&out);

	/* too much text for the cap: KE_TOOBIG, and out is as it was */
	kbuf_setcap(&out, 600);
	kbuf_adds(&out, "keep");
	assert_int_equal(kpdf_extract(path("report.pdf"), &out, &npages, &err), KE_TOOBIG);
	assert_non_null(strstr(err.msg, "larger than the limit of 600 bytes"));
	assert_string_equal(kbuf_str(&out), "keep");
	assert_int_equal(npages, 77);
	kbuf_release(&out);
}

static void expect_error(const char *name, int code, const char *msg)
{
	struct kbuf out = KBUF_INIT;
	struct kerr err = KERR_INIT;
	char want[600];
	int npages = -5;

	kbuf_adds(&out, "x");
	assert_int_equal(kpdf_extract(path(name), &out, &npages, &err), code);
	assert_int_equal(err.code, code);
	snprintf(want, sizeof(want), "%s: %s", path(name), msg);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("%s: got \"%s\", want \"%s...\"", name, err.msg, want);
	assert_string_equal(kbuf_str(&out), "x");
	assert_int_equal(npages, -5);
	kbuf_release(&out);
}

static void test_bad_files(void **state)
{
	expect_error("notes.pdf", KE_PARSE, "not a PDF file");
	expect_error("page.pdf", KE_PARSE, "not a PDF file (it looks like HTML or XML)");
	expect_error("empty.pdf", KE_PARSE, "not a PDF file (the file is empty)");
	expect_error("truncated.pdf", KE_PARSE, "truncated PDF");
	expect_error("spliced.pdf", KE_PARSE, "damaged PDF: ");
	expect_error("locked.pdf", KE_PARSE, "encrypted PDF: ");
	expect_error("blank.pdf", KE_INVALID, "no text in this PDF (scanned images?): no text layer; run OCR first");
	/* a scan whose only text is a printed running header and page numbers */
	expect_error("scanned.pdf", KE_INVALID, "no text in this PDF (scanned images?): no text layer; run OCR first");
	expect_error("missing.pdf", KE_NOTFOUND, "No such file");
	expect_error("", KE_IO, "is a directory");	/* tmpdir itself */
}

static void test_restricted_is_read(void **state)
{
	struct kbuf out = KBUF_INIT;
	int npages = 0;

	/* encrypted, but with an empty user password: only copying is "forbidden" */
	extract_ok(path("restricted.pdf"), &out, &npages);
	assert_int_equal(npages, 1);
	assert_string_equal(out.buf, "Restricted maintenance log\n"
			    "Remote access was disabled after the incident.\n\n\f");
	kbuf_release(&out);
}

static void test_sniff(void **state)
{
	assert_true(kpdf_sniff("%PDF-1.7\n", 9));
	assert_true(kpdf_sniff("%PDF-", 5));
	assert_false(kpdf_sniff("%PDF", 4));
	assert_false(kpdf_sniff(" %PDF-1.4", 9));
	assert_false(kpdf_sniff("事例１", strlen("事例１")));
	assert_false(kpdf_sniff(NULL, 0));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Bad files say nothing on stderr, and no descriptor is left open. */
static void test_quiet_and_no_fd_leak(void **state)
{
	static const char *const names[] = {
		"report.pdf", "spliced.pdf", "truncated.pdf", "locked.pdf", "blank.pdf",
		"notes.pdf", "restricted.pdf",
	};
	struct kbuf out = KBUF_INIT;
	struct stat st;
	int saved, fd, before;

	before = count_fds();
	fflush(stderr);
	saved = dup(2);
	fd = open(path("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			kpdf_extract(path(names[i]), &out, NULL, NULL);
			kbuf_reset(&out);
		}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(stat(path("stderr.txt"), &st), 0);
	if (st.st_size) {
		size_t len;
		char *s = read_all(path("stderr.txt"), &len);

		fail_msg("stderr got %zu bytes: %.300s", len, s);
	}
	if (before >= 0)
		assert_int_equal(count_fds(), before);
	kbuf_release(&out);
}

/* Several threads at once, each its own documents (as the web server may). */
static struct kbuf thread_ref;

static void *thread_run(void *arg)
{
	char spliced[512], report[512]; /* path() is not for threads: its buffers are shared */
	long bad = 0;

	snprintf(spliced, sizeof(spliced), "%s/spliced.pdf", tmpdir);
	snprintf(report, sizeof(report), "%s/report.pdf", tmpdir);
	for (int i = 0; i < 10; i++) {
		struct kbuf out = KBUF_INIT;
		struct kerr err = KERR_INIT;
		int rc;

		if (i % 2) {
			rc = kpdf_extract(spliced, &out, NULL, &err);
			if (rc != KE_PARSE || !strstr(err.msg, "damaged PDF: ")) {
				fprintf(stderr, "spliced.pdf in a thread: rc %d: %s\n", rc, err.msg);
				bad++;
			}
		} else {
			rc = kpdf_extract(report, &out, NULL, &err);
			if (rc != 0 || out.len != thread_ref.len || memcmp(out.buf, thread_ref.buf, out.len)) {
				fprintf(stderr, "report.pdf in a thread: rc %d (%s), %zu bytes, want %zu\n", rc,
					err.msg, out.len, thread_ref.len);
				bad++;
			}
		}
		kbuf_release(&out);
	}
	return (void *)bad;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	long bad = 0;

	extract_ok(path("report.pdf"), &thread_ref, NULL);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_run, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		bad += (long)r;
	}
	assert_int_equal(bad, 0);
	kbuf_release(&thread_ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_lines),
		cmocka_unit_test(test_report_as_pdftotext),
		cmocka_unit_test(test_long_report),
		cmocka_unit_test(test_survey_layout),
		cmocka_unit_test(test_two_column_table),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_appends_and_cap),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_restricted_is_read),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_quiet_and_no_fd_leak),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
