/*
 * cmd_select.c - `kyokun select`.  STUB from the issue-13 seam: h-select replaces it.
 */
#include "cli.h"

int cmd_select(struct kcli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	kcli_error("select: not built yet");
	return 1;
}
