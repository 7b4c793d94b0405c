/*
 * cmd_init.c - `kyokun init`: create or migrate the database.
 */
#include "cli.h"
#include "store.h"

int cmd_init(struct kcli *cli, int argc, char **argv)
{
	struct kstore *st;

	if (argc > 1)
		return kcli_usage_error("init", "unexpected argument '%s'", argv[1]);
	st = kcli_store(cli, 0);
	if (!st)
		return 1;
	printf("%s: schema version %d\n", cli->db_path, kstore_schema_version(st));
	return 0;
}
