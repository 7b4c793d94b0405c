/*
 * cmd_publish.c - `kyokun publish`.  STUB from the issue-13 seam: h-publish replaces it.
 */
#include "cli.h"

int cmd_publish(struct kcli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	kcli_error("publish: not built yet");
	return 1;
}
