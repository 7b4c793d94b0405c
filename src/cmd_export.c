/*
 * cmd_export.c - `kyokun export`: stored cases as interchange JSON on stdout.
 */
#include "case_json.h"
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct exportctx {
	int lines;
	long n;
};

static int row_cb(void *vctx, const struct kcase_row *r)
{
	struct exportctx *ctx = vctx;

	/* the stored body is already canonical compact JSON */
	if (ctx->lines)
		printf("%s\n", r->json);
	else
		printf("%s\n  %s", ctx->n ? "," : "", r->json);
	ctx->n++;
	return ferror(stdout) ? KE_IO : 0;
}

int cmd_export(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "document", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct kfilter f = KFILTER_LOCAL_INIT;
	struct exportctx ctx = { 0, 0 };
	struct kerr err = KERR_INIT;
	struct kstore *st;
	char *end;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "jsonl"))
				ctx.lines = 1;
			else if (strcmp(optarg, "json"))
				return kcli_usage_error("export", "--format: expected json or jsonl");
			break;
		case 'd':
			f.document = optarg;
			break;
		case 'y':
			f.year = (int)strtol(optarg, &end, 10);
			if (*end || f.year <= 0)
				return kcli_usage_error("export", "--year: expected a year such as 2020");
			break;
		default:
			return kcli_bad_option("export", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	st = kcli_store(cli, 1); /* reading must not create a database */
	if (!st)
		return 1;
	if (!ctx.lines)
		printf("{\"format\": \"%s\", \"cases\": [", KCASE_FORMAT);
	rc = kstore_list(st, &f, row_cb, &ctx, NULL, &err);
	if (!ctx.lines)
		printf("%s]}\n", ctx.n ? "\n" : "");
	if (rc < 0) {
		kcli_error("%s", rc == KE_IO ? "write error on standard output" : err.msg);
		return 1;
	}
	return 0;
}
