/*
 * cmd_check.c - `kyokun check [--quick]`: is the database sound?  Prints
 * "ok", or each problem found (exit 1).
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>

static int problem_cb(void *ctx, const char *where, const char *problem)
{
	(void)ctx;
	if (where)
		printf("%s: %s\n", where, problem);
	else
		fprintf(stderr, "kyokun: note: %s\n", problem);
	return 0;
}

static int check_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct kerr err = KERR_INIT;
	int n = kstore_check(st, *(int *)arg, problem_cb, NULL, &err);

	if (n < 0) {
		kcli_error("check: %s", err.msg);
		return 1;
	}
	if (n == 0) {
		printf("ok\n");
		return 0;
	}
	fprintf(stderr, "kyokun: %s: %d problem%s found: restore the database from a backup\n",
		cli->db_path, n, n == 1 ? "" : "s");
	return 1;
}

int cmd_check(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int c, flags = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			flags |= KSTORE_CHECK_QUICK;
			break;
		default:
			return kcli_bad_option("check", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("check", "unexpected argument '%s'", argv[optind]);
	/* read-only (the command table): checking must not create nor change a database */
	return kcli_run(cli, check_run, &flags);
}
