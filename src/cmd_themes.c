/*
 * cmd_themes.c - `kyokun themes`.  STUB from the issue-13 seam: h-themes replaces it.
 */
#include "cli.h"

int cmd_themes(struct kcli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	kcli_error("themes: not built yet");
	return 1;
}
