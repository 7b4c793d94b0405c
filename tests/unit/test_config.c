/*
 * test_config.c - serve's configuration file (config.h): good files, and
 * every kind of bad input named by file and line.
 */
#include "testutil.h"
#include "config.h"
#include "kerr.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void parse(struct kconfig *cf, const char *text)
{
	struct kerr err = KERR_INIT;

	*cf = (struct kconfig)KCONFIG_INIT;
	assert_int_equal(kconfig_parse(cf, "t.conf", text, strlen(text), &err), 0);
}

/* The file has exactly one problem, and it contains want. */
static void one_problem(const char *text, const char *want)
{
	struct kconfig cf;

	parse(&cf, text);
	if (cf.nproblems != 1 || !strstr(cf.problems[0], want)) {
		for (size_t i = 0; i < cf.nproblems; i++)
			print_error("problem: %s\n", cf.problems[i]);
		print_error("wanted one problem with: %s\n", want);
		fail();
	}
	kconfig_free(&cf);
}

static void test_good_file(void **state)
{
	struct kconfig cf;

	(void)state;
	parse(&cf, "\xef\xbb\xbf# kyokun\n"
		   "\n"
		   "   # indented comment\n"
		   "listen = 127.0.0.1:8081\r\n"
		   "db=/var/lib/kyokun/kyokun.db\n"
		   "\tthreads\t=\t4  \n"
		   "max-per-ip = 10\n"
		   "behind-proxy = yes\n"
		   "access-log = /var/log/kyokun/access.log\n"
		   "no-cache = 1\n"
		   "session-idle = 30\n"
		   "session-max = 90m\n"
		   "tls-cert = /etc/kyokun/cert#1.pem\n"
		   "tls-key = /etc/kyokun/key.pem"); /* no newline at the end */
	assert_int_equal(cf.nproblems, 0);
	assert_string_equal(cf.set[KCONF_LISTEN].value, "127.0.0.1:8081");
	assert_int_equal(cf.set[KCONF_LISTEN].line, 4);
	assert_string_equal(cf.set[KCONF_DB].value, "/var/lib/kyokun/kyokun.db");
	assert_string_equal(cf.set[KCONF_THREADS].value, "4");
	assert_int_equal(cf.set[KCONF_THREADS].num, 4);
	assert_int_equal(cf.set[KCONF_MAX_PER_IP].num, 10);
	assert_int_equal(cf.set[KCONF_BEHIND_PROXY].num, 1);
	assert_int_equal(cf.set[KCONF_ACCESS_LOG].num, 0);
	assert_int_equal(cf.set[KCONF_NO_CACHE].num, 1);
	assert_int_equal(cf.set[KCONF_SESSION_IDLE].num, 30 * 60);
	assert_int_equal(cf.set[KCONF_SESSION_MAX].num, 90 * 60);
	assert_string_equal(cf.set[KCONF_TLS_CERT].value, "/etc/kyokun/cert#1.pem");
	assert_int_equal(cf.set[KCONF_TLS_KEY].line, 14);
	kconfig_free(&cf);

	parse(&cf, "");
	assert_int_equal(cf.nproblems, 0);
	for (int k = 0; k < KCONF_NKEYS; k++)
		assert_null(cf.set[k].value);
	kconfig_free(&cf);
}

static void test_bad_lines(void **state)
{
	(void)state;
	one_problem("listen = 8080\nfoo = bar\n", "t.conf:2: unknown key \"foo\"");
	one_problem("tls_key = y\n", "t.conf:1: unknown key \"tls_key\"");
	one_problem("# x\nlisten\n", "t.conf:2: expected \"key = value\"");
	one_problem("= 3\n", "t.conf:1: expected \"key = value\": no key");
	one_problem("threads =\n", "t.conf:1: threads: no value");
	one_problem("threads = 2\n\nthreads = 2\n", "t.conf:3: threads is set twice (first on line 1)");
	/* a key is set twice even when its first value was refused */
	{
		struct kconfig cf;

		parse(&cf, "threads = 0\nthreads = 3\n");
		assert_int_equal(cf.nproblems, 2);
		assert_non_null(strstr(cf.problems[0], "t.conf:1: threads: expected a number from 1 to 256"));
		assert_non_null(strstr(cf.problems[1], "t.conf:2: threads is set twice"));
		kconfig_free(&cf);
	}
	one_problem("listen = 127.0.0.1:99999\n", "t.conf:1: listen:");
	one_problem("listen = nowhere.example:80\n", "t.conf:1: listen:");
	one_problem("threads = 257\n", "t.conf:1: threads: expected a number from 1 to 256, not \"257\"");
	one_problem("threads = -1\n", "t.conf:1: threads");
	one_problem("threads = 2x\n", "t.conf:1: threads");
	one_problem("threads = 99999999999999999999999\n", "t.conf:1: threads");
	one_problem("max-per-ip = 0\n", "t.conf:1: max-per-ip");
	one_problem("behind-proxy = maybe\n", "t.conf:1: behind-proxy: expected yes or no");
	one_problem("session-idle = 0\n", "t.conf:1: session-idle: expected a number of minutes");
	one_problem("session-idle = 10d\n", "t.conf:1: session-idle");
	one_problem("session-max = 9000\n", "t.conf:1: session-max: expected a number of hours");
	one_problem("session-max = 12 # half a day\n", "t.conf:1: session-max: a comment must be on a line of its own");
	one_problem("tls-cert = a.pem\n", "t.conf:1: tls-cert without tls-key");
	one_problem("\n\ntls-key = k.pem\n", "t.conf:3: tls-key without tls-cert");
	one_problem("db = a\x01" "b\n", "t.conf:1: a control character (byte 0x01)");
	one_problem("db = a\x7f\n", "t.conf:1: a control character");
	one_problem("db = \xff\xfe\n", "t.conf:1: not valid UTF-8");
	one_problem("listen = 8080\n\xc3\n", "t.conf:2: not valid UTF-8");
}

static void test_nul_and_long_lines(void **state)
{
	static const char nul[] = "threads = 2\ndb = a\0b\nlisten = 8080\n";
	struct kerr err = KERR_INIT;
	struct kconfig cf = KCONFIG_INIT;
	char *big;

	(void)state;
	assert_int_equal(kconfig_parse(&cf, "t.conf", nul, sizeof(nul) - 1, &err), 0);
	assert_int_equal(cf.nproblems, 1);
	assert_string_equal(cf.problems[0], "t.conf:2: a NUL byte");
	assert_string_equal(cf.set[KCONF_LISTEN].value, "8080"); /* the lines after it are read */
	kconfig_free(&cf);

	big = malloc(KCONFIG_MAX_LINE + 100);
	assert_non_null(big);
	memset(big, 'a', KCONFIG_MAX_LINE + 99);
	memcpy(big, "db = ", 5);
	big[KCONFIG_MAX_LINE + 99] = 0;
	one_problem(big, "t.conf:1: longer than 4096 bytes");
	free(big);
}

static void test_many_problems(void **state)
{
	struct kconfig cf;

	(void)state;
	/* every line is wrong: each is reported, none is kept */
	parse(&cf, "a\nb = 1\nthreads = x\nlisten = :\nno-cache = 2\n");
	assert_int_equal(cf.nproblems, 5);
	for (size_t i = 0; i < cf.nproblems; i++) {
		char want[32];

		snprintf(want, sizeof(want), "t.conf:%zu: ", i + 1);
		assert_true(!strncmp(cf.problems[i], want, strlen(want)));
	}
	for (int k = 0; k < KCONF_NKEYS; k++)
		assert_null(cf.set[k].value);
	kconfig_free(&cf);
}

static void test_values(void **state)
{
	long v;
	int b;

	(void)state;
	assert_int_equal(kconfig_duration("5", 60, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(kconfig_duration("30s", 3600, &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(kconfig_duration("2h", 60, &v), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(kconfig_duration("", 60, &v), -1);
	assert_int_equal(kconfig_duration("s", 60, &v), -1);
	assert_int_equal(kconfig_duration("-5", 60, &v), -1);
	assert_int_equal(kconfig_duration(" 5", 60, &v), -1);
	assert_int_equal(kconfig_duration("5x", 60, &v), -1);
	assert_int_equal(kconfig_duration("5ss", 60, &v), -1);
	assert_int_equal(kconfig_duration("9999", 3600, &v), -1);
	assert_int_equal(kconfig_bool("on", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(kconfig_bool("false", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(kconfig_bool("", &b), -1);
	assert_int_equal(kconfig_bool("y", &b), -1);
	assert_int_equal(kconfig_key_find("tls-key"), KCONF_TLS_KEY);
	assert_int_equal(kconfig_key_find("tls"), -1);
	assert_string_equal(kconfig_key_name(KCONF_SESSION_MAX), "session-max");
}

static void test_owner(void **state)
{
	struct kerr err = KERR_INIT;
	struct stat st;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_uid = 0;
	assert_int_equal(kconfig_check_owner("c", &st, 1000, &err), 0);
	st.st_mode = S_IFREG | 0664; /* group-writable: the group is the admins' */
	assert_int_equal(kconfig_check_owner("c", &st, 1000, &err), 0);
	st.st_uid = 1000;
	assert_int_equal(kconfig_check_owner("c", &st, 1000, &err), 0);
	st.st_mode = S_IFREG | 0646;
	assert_int_equal(kconfig_check_owner("c", &st, 1000, &err), KE_DENIED);
	assert_non_null(strstr(err.msg, "anyone may write to it (mode 0646)"));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 1001;
	assert_int_equal(kconfig_check_owner("c", &st, 1000, &err), KE_DENIED);
	assert_non_null(strstr(err.msg, "user id 1001"));
	assert_int_equal(kconfig_check_owner("c", &st, 1001, &err), 0);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/kyokun-config-XXXXXX", path[128];
	struct kerr err = KERR_INIT;
	struct kconfig cf = KCONFIG_INIT;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.conf", dir);
	assert_int_equal(kconfig_load(&cf, path, &err), KE_NOTFOUND);
	kconfig_free(&cf);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("listen = 8080\nthreads = many\n", fp);
	fclose(fp);
	chmod(path, 0644);
	assert_int_equal(kconfig_load(&cf, path, &err), 0);
	assert_string_equal(cf.path, path);
	assert_int_equal(cf.nproblems, 1);
	assert_non_null(strstr(cf.problems[0], ":2: threads"));
	assert_string_equal(cf.set[KCONF_LISTEN].value, "8080");
	kconfig_free(&cf);

	chmod(path, 0666);
	assert_int_equal(kconfig_load(&cf, path, &err), KE_DENIED);
	assert_non_null(strstr(err.msg, "anyone may write"));
	kconfig_free(&cf);
	chmod(path, 0644);

	/* too big */
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < KCONFIG_MAX_SIZE / 10 + 1; i++)
		fputs("# padding\n", fp);
	fclose(fp);
	assert_int_equal(kconfig_load(&cf, path, &err), KE_TOOBIG);
	kconfig_free(&cf);

	/* a directory is not a configuration file */
	assert_int_equal(kconfig_load(&cf, dir, &err), KE_INVALID);
	assert_non_null(strstr(err.msg, "not a regular file"));
	kconfig_free(&cf);

	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_nul_and_long_lines),
		cmocka_unit_test(test_many_problems),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
