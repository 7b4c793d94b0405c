/*
 * cmd_init.c - `kyokun init`: create or migrate the database (opening it
 * read-write does both).
 */
#include "cli.h"
#include "store.h"

static int init_run(struct kcli *cli, struct kstore *st, void *arg)
{
	printf("%s: schema version %d\n", cli->db_path, kstore_schema_version(st));
	return 0;
}

int cmd_init(struct kcli *cli, int argc, char **argv)
{
	if (argc > 1)
		return kcli_usage_error("init", "unexpected argument '%s'", argv[1]);
	return kcli_run(cli, init_run, NULL);
}
