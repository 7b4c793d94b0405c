/*
 * cmd_help.c - `kyokun help [COMMAND]`.
 */
#include "cli.h"

int cmd_help(struct kcli *cli, int argc, char **argv)
{
	const struct kcommand *c;

	if (argc < 2) {
		kcli_help(stdout);
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
