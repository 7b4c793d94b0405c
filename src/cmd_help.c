/*
 * cmd_help.c - `kyokun help [COMMAND]`, and (hidden, for `make man`)
 * `kyokun help --man` and `kyokun help --completion bash|zsh` (cli_doc.h).
 */
#include "cli.h"
#include "cli_doc.h"

#include <string.h>

int cmd_help(struct kcli *cli, int argc, char **argv)
{
	const struct kcommand *c;

	if (argc < 2) {
		kcli_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--man") && argc == 2) {
		kcli_doc_man(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--completion")) {
		if (argc != 3 || kcli_doc_completion(stdout, argv[2]) < 0)
			return kcli_usage_error("help", "--completion: expected bash or zsh");
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
