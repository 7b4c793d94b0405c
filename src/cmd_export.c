/*
 * cmd_export.c - `kyokun export`: stored cases as interchange JSON on stdout.
 */
#include "case_json.h"
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>

struct exportctx {
	struct kfilter filter;
	int lines;   /* --format jsonl */
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

static int export_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct exportctx *ctx = arg;
	struct kerr err = KERR_INIT;
	int rc;

	ctx->filter.reader = cli->reader;
	if (!ctx->lines)
		printf("{\"format\": \"%s\", \"cases\": [", KCASE_FORMAT);
	rc = kstore_list(st, &ctx->filter, row_cb, ctx, NULL, &err);
	if (!ctx->lines)
		printf("%s]}\n", ctx->n ? "\n" : "");
	if (rc < 0) {
		kcli_error("%s", rc == KE_IO ? "write error on standard output" : err.msg);
		return 1;
	}
	return 0;
}

int cmd_export(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "document", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "json", "jsonl", NULL };
	struct exportctx ctx = { KFILTER_LOCAL_INIT, 0, 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.lines)))
				return rc;
			break;
		case 'd':
			ctx.filter.document = optarg;
			break;
		case 'y':
			if ((rc = kcli_opt_year(cli, "--year", optarg, &ctx.filter.year)))
				return rc;
			break;
		default:
			return kcli_bad_option("export", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("export", "unexpected argument '%s'", argv[optind]);
	return kcli_run(cli, export_run, &ctx);
}
