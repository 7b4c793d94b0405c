/*
 * cmd_delete.c - `kyokun delete ID...`.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <string.h>

int cmd_delete(struct kcli *cli, int argc, char **argv)
{
	struct kstore *st;
	int rc = 0, first = 1;

	/* ids may begin with '-' (it is URL-safe): "--" ends the options */
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (argc <= first)
		return kcli_usage_error("delete", "no case id given");
	for (int i = first; first == 1 && i < argc; i++)
		if (argv[i][0] == '-' && strcmp(argv[i], "-"))
			return kcli_usage_error("delete", "unknown option '%s'", argv[i]);
	st = kcli_store(cli, 0);
	if (!st)
		return 1;
	for (int i = first; i < argc; i++) {
		struct kerr err = KERR_INIT;

		if (kstore_delete(st, argv[i], &err) < 0) {
			kcli_error("%s", err.msg);
			rc = 1;
		} else {
			fprintf(stderr, "deleted %s\n", argv[i]);
		}
	}
	return rc;
}
