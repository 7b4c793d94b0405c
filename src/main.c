/*
 * main.c - the kyokun command: global options, then one subcommand from the
 * table in cli.c.  The only place that exits.
 */
#include "account.h"
#include "cli.h"
#include "crosswalk.h"
#include "kerr.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KYOKUN_VERSION
#define KYOKUN_VERSION "0.0.0"
#endif

int main(int argc, char **argv)
{
	struct kcli cli = { 0 };
	struct kerr err = KERR_INIT;
	int i, rc;

	cli.db_path = getenv("KYOKUN_DB");
	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "kyokun.db";
	else
		cli.db_from = "$KYOKUN_DB";
	cli.out_tty = isatty(STDOUT_FILENO);
	cli.err_tty = isatty(STDERR_FILENO);

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("kyokun %s (schema %d)\n", KYOKUN_VERSION, kstore_schema_latest());
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			kcli_help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				kcli_error("--db needs a path");
				return 2;
			}
			cli.db_path = argv[++i];
			cli.db_from = "--db";
		} else if (!strncmp(argv[i], "--db=", 5) && argv[i][5]) {
			cli.db_path = argv[i] + 5;
			cli.db_from = "--db";
		} else if (!strcmp(argv[i], "--as") || (!strncmp(argv[i], "--as=", 5) && argv[i][5])) {
			if (argv[i][4] == '=') {
				cli.as = argv[i] + 5;
			} else if (i + 1 >= argc || !*argv[i + 1]) {
				kcli_error("--as needs a login");
				return 2;
			} else {
				cli.as = argv[++i];
			}
			if (klogin_check(cli.as, &err) < 0) {
				kcli_error("--as: %s", err.msg);
				return 2;
			}
		} else {
			kcli_error("unknown option '%s' (see 'kyokun help')", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		kcli_help(stderr);
		return 2;
	}
	if (getenv("KYOKUN_CROSSWALK") && *getenv("KYOKUN_CROSSWALK") &&
	    kxwalk_load(getenv("KYOKUN_CROSSWALK"), &err) < 0) {
		kcli_error("$KYOKUN_CROSSWALK: %s", err.msg);
		return 1;
	}
	rc = kcli_dispatch(&cli, argc - i, argv + i);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		kcli_error("write error on standard output");
		if (!rc)
			rc = 1;
	}
	return rc;
}
