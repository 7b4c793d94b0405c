/*
 * main.c - the kyokun command: global options, then one subcommand from the
 * table in cli.c.  The only place that exits.
 */
#include "cli.h"
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KYOKUN_VERSION
#define KYOKUN_VERSION "0.0.0"
#endif

static void usage(FILE *fp)
{
	fputs("usage: kyokun [--db PATH] COMMAND [ARGS...]\n"
	      "       kyokun --version | help [COMMAND]\n"
	      "\n"
	      "kyokun (教訓) keeps a library of incident case studies in critical\n"
	      "infrastructure: import published reports, search them, serve them.\n"
	      "\n"
	      "Global options:\n"
	      "  --db PATH   the database (default $KYOKUN_DB, or ./kyokun.db)\n"
	      "  --version   print the version\n"
	      "\n"
	      "Commands:\n", fp);
	for (const struct kcommand *c = kcommands; c->name; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->summary);
	fputs("\nRun 'kyokun help COMMAND' or 'kyokun COMMAND --help' for a command's options.\n", fp);
}

int cmd_help(struct kcli *cli, int argc, char **argv)
{
	const struct kcommand *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = kcommand_find(argv[1]);
	if (!c) {
		kcli_error("no command '%s' (see 'kyokun help')", argv[1]);
		return 2;
	}
	kcli_usage(c, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct kcli cli = { 0 };
	const struct kcommand *cmd;
	int i, rc;

	cli.prog = "kyokun";
	opterr = 0; /* commands report bad options themselves (kcli_bad_option) */
	cli.db_path = getenv("KYOKUN_DB");
	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "kyokun.db";
	cli.out_tty = isatty(STDOUT_FILENO);
	cli.err_tty = isatty(STDERR_FILENO);

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("kyokun %s (schema %d)\n", KYOKUN_VERSION, kstore_schema_latest());
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				kcli_error("--db needs a path");
				return 2;
			}
			cli.db_path = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5) && argv[i][5]) {
			cli.db_path = argv[i] + 5;
		} else {
			kcli_error("unknown option '%s' (see 'kyokun help')", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = kcommand_find(argv[i]);
	if (!cmd) {
		kcli_error("no command '%s' (see 'kyokun help')", argv[i]);
		return 2;
	}
	if (cmd->fn != cmd_help && kcli_wants_help(argc - i, argv + i)) {
		kcli_usage(cmd, stdout);
		return 0;
	}
	rc = cmd->fn(&cli, argc - i, argv + i);
	kstore_close(cli.st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		kcli_error("write error on standard output");
		if (!rc)
			rc = 1;
	}
	return rc;
}
