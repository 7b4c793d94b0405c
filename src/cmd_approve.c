/*
 * cmd_approve.c - `kyokun approve`.  STUB from the issue-13 seam: h-approve replaces it.
 */
#include "cli.h"

int cmd_approve(struct kcli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	kcli_error("approve: not built yet");
	return 1;
}
