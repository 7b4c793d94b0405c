/*
 * cmd_redact.c - `kyokun redact`.  STUB from the issue-13 seam: h-redact replaces it.
 */
#include "cli.h"

int cmd_redact(struct kcli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	kcli_error("redact: not built yet");
	return 1;
}
