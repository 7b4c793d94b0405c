/*
 * cmd_config.c - `kyokun config check`: what serve would read from its
 * configuration file, where each setting comes from, and what is wrong.
 */
#include "cli.h"
#include "config.h"
#include "kerr.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What serve does when neither the command line nor the file says. */
static const char *const defaults[KCONF_NKEYS] = {
	[KCONF_LISTEN] = "127.0.0.1:8080",
	[KCONF_DB] = "kyokun.db",
	[KCONF_TLS_CERT] = "(none: plain HTTP)",
	[KCONF_TLS_KEY] = "(none)",
	[KCONF_THREADS] = "(one per CPU core)",
	[KCONF_MAX_PER_IP] = "64",
	[KCONF_BEHIND_PROXY] = "no",
	[KCONF_ACCESS_LOG] = "no",
	[KCONF_NO_CACHE] = "no",
	[KCONF_CACHE_SIZE] = "64 (MiB)",
	[KCONF_SESSION_IDLE] = "120 (minutes)",
	[KCONF_SESSION_MAX] = "12 (hours)",
};

/* A file the server must read (the TLS files): a problem of its line if it cannot. */
static int check_readable(const struct kconfig *cf, int k)
{
	const struct kconfig_setting *v = &cf->set[k];
	int fd;

	if (!v->value)
		return 0;
	if ((fd = open(v->value, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		kcli_error("%s:%d: %s: %s: %s (for the user running this check)", cf->path, v->line,
			   kconfig_key_name(k), v->value, strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static int config_check(struct kcli *cli, const char *path)
{
	struct kconfig cf = KCONFIG_INIT;
	struct kerr err = KERR_INIT;
	size_t problems;
	int rc = 1;

	if (kconfig_load_default(&cf, path, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	if (cf.path)
		printf("configuration file: %s\n", cf.path);
	else
		printf("configuration file: none (%s does not exist): the defaults\n", KCONFIG_DEFAULT);
	for (int k = 0; k < KCONF_NKEYS; k++) {
		const struct kconfig_setting *v = &cf.set[k];

		if (k == KCONF_DB && cli->db_from)
			printf("%-13s = %s\t(%s; the file's %s is not used)\n", "db", cli->db_path, cli->db_from,
			       v->value ? v->value : "none");
		else if (v->value)
			printf("%-13s = %s\t(%s:%d)\n", kconfig_key_name(k), v->value, cf.path, v->line);
		else
			printf("%-13s = %s\t(default)\n", kconfig_key_name(k), defaults[k]);
	}
	problems = cf.nproblems;
	for (size_t i = 0; i < cf.nproblems; i++)
		kcli_error("%s", cf.problems[i]);
	problems += (size_t)check_readable(&cf, KCONF_TLS_CERT) + (size_t)check_readable(&cf, KCONF_TLS_KEY);
	if (problems) {
		printf("%zu problem%s: serve would not start\n", problems, problems == 1 ? "" : "s");
		goto out;
	}
	printf("ok\n");
	rc = 0;
out:
	kconfig_free(&cf);
	return rc;
}

int cmd_config(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	int c;

	if (argc < 2)
		return kcli_usage_error("config", "which subcommand? (check)");
	if (strcmp(argv[1], "check"))
		return kcli_usage_error("config", "unknown subcommand '%s'", argv[1]);
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		default:
			return kcli_bad_option("config", argv + 1);
		}
	}
	if (optind < argc - 1)
		return kcli_usage_error("config", "unexpected argument '%s'", argv[1 + optind]);
	return config_check(cli, path);
}
