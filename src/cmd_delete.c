/*
 * cmd_delete.c - `kyokun delete ID...`.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <string.h>

struct ids {
	char **v;
	int n;
};

static int delete_run(struct kcli *cli, struct kstore *st, void *arg)
{
	const struct ids *ids = arg;
	int rc = 0;

	for (int i = 0; i < ids->n; i++) {
		struct kerr err = KERR_INIT;

		if (kstore_delete(st, ids->v[i], &err) < 0) {
			kcli_error("%s", err.msg);
			rc = 1;
		} else {
			fprintf(stderr, "deleted %s\n", ids->v[i]);
		}
	}
	return rc;
}

int cmd_delete(struct kcli *cli, int argc, char **argv)
{
	struct ids ids;
	int first = 1;

	/* ids may begin with '-' (it is URL-safe): "--" ends the options */
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (argc <= first)
		return kcli_usage_error("delete", "no case id given");
	for (int i = first; first == 1 && i < argc; i++)
		if (argv[i][0] == '-' && strcmp(argv[i], "-"))
			return kcli_usage_error("delete", "unknown option '%s'", argv[i]);
	ids.v = argv + first;
	ids.n = argc - first;
	return kcli_run(cli, delete_run, &ids);
}
