/*
 * cmd_history.c - `kyokun history ID`: the stored versions of a case.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct histctx {
	int json;
	json_t *arr;
	int want;   /* --show N, or 0 */
	int found;
	int n;
};

static int rev_cb(void *vctx, const struct krevision *rev)
{
	struct histctx *ctx = vctx;
	json_t *body;
	const char *title = "";

	if (ctx->want) {
		if (rev->revision == ctx->want) {
			printf("%s\n", rev->json);
			ctx->found = 1;
		}
		return 0;
	}
	body = json_loads(rev->json, 0, NULL);
	if (body && json_is_string(json_object_get(body, "title")))
		title = json_string_value(json_object_get(body, "title"));
	if (ctx->json) {
		json_t *o = json_pack("{s:i, s:s, s:b, s:s}", "revision", rev->revision, "saved", rev->saved,
				      "current", rev->current, "title", title);

		if (!o || json_array_append_new(ctx->arr, o) < 0) {
			json_decref(body);
			return KE_NOMEM;
		}
	} else {
		printf("r%-4d %s  %s%s\n", rev->revision, rev->saved, title, rev->current ? "  (current)" : "");
	}
	ctx->n++;
	json_decref(body);
	return 0;
}

int cmd_history(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "show", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct histctx ctx = { 0 };
	struct kerr err = KERR_INIT;
	struct kstore *st;
	char *end;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				ctx.json = 1;
			else if (strcmp(optarg, "text"))
				return kcli_usage_error("history", "--format: expected text or json");
			break;
		case 's':
			ctx.want = (int)strtol(optarg, &end, 10);
			if (*end || ctx.want <= 0)
				return kcli_usage_error("history", "--show: expected a revision number");
			break;
		default:
			return kcli_bad_option("history", argv);
		}
	}
	if (optind != argc - 1)
		return kcli_usage_error("history", optind >= argc ? "no case id given" : "give one case id");
	st = kcli_store(cli, 1); /* reading must not create a database */
	if (!st)
		return 1;
	ctx.arr = json_array();
	if (!ctx.arr)
		return 1;
	rc = kstore_history(st, argv[optind], rev_cb, &ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, rc, "out of memory");
	if (rc < 0) {
		kcli_error("%s", err.msg);
		json_decref(ctx.arr);
		return 1;
	}
	if (ctx.json && !ctx.want) {
		json_t *o = json_pack("{s:s, s:O}", "id", argv[optind], "revisions", ctx.arr);

		if (o)
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	}
	json_decref(ctx.arr);
	if (ctx.want && !ctx.found) {
		kcli_error("case \"%s\" has no revision %d", argv[optind], ctx.want);
		return 1;
	}
	return 0;
}
