/*
 * cmd_history.c - `kyokun history ID`: the stored versions of a case.
 */
#include "cli.h"
#include "case.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>

struct histctx {
	int json;
	json_t *arr;
	int want;   /* --show N, or 0 */
	int found;
	int n;
	const struct kreader *reader;
};

static int rev_cb(void *vctx, const struct krevision *rev)
{
	struct histctx *ctx = vctx;
	json_t *body;
	const char *title = "";

	body = json_loads(rev->json, 0, NULL);
	if (!body || !kreader_may_see_json(ctx->reader, body)) {
		/* a revision at a level this reader may not see is not listed */
		json_decref(body);
		return 0;
	}
	if (ctx->want) {
		if (rev->revision == ctx->want) {
			printf("%s\n", rev->json);
			ctx->found = 1;
		}
		json_decref(body);
		return 0;
	}
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

struct histargs {
	const char *id;
	struct histctx ctx;
	char **ids; /* the cases given, each in turn */
	int nids;
};

static int history_one(struct kcli *cli, struct kstore *st, struct histargs *a)
{
	struct histctx *ctx = &a->ctx;
	struct kerr err = KERR_INIT;
	struct kcase c;
	int rc;

	/* the case must be one cli->reader may see now, and each revision one they may see */
	kcase_init(&c);
	rc = kstore_get(st, a->id, &c, &err);
	if (!rc && !kreader_may_see_case(cli->reader, &c))
		rc = kerr_set(&err, KE_NOTFOUND, "%s", kcli_no_case(a->id));
	kcase_free(&c);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	ctx->reader = cli->reader;
	ctx->arr = json_array();
	if (!ctx->arr)
		return 1;
	rc = kstore_history(st, a->id, rev_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, rc, "out of memory");
	if (rc < 0) {
		kcli_error("%s", err.msg);
		json_decref(ctx->arr);
		return 1;
	}
	if (ctx->json && !ctx->want) {
		json_t *o = json_pack("{s:s, s:O}", "id", a->id, "revisions", ctx->arr);

		if (o)
			json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	}
	json_decref(ctx->arr);
	if (ctx->want && !ctx->found) {
		kcli_error("case \"%s\" has no revision %d", a->id, ctx->want);
		return 1;
	}
	return 0;
}

/* Each case given in turn: in text, under a line "== ID" when there are
 * several; in JSON, one object each (they carry their id).  A case that
 * cannot be listed is said and the others still listed; the exit status is
 * then 1. */
static int history_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct histargs *a = arg;
	int status = 0;

	for (int i = 0; i < a->nids; i++) {
		a->id = a->ids[i];
		a->ctx.n = 0;
		a->ctx.found = 0;
		if (a->nids > 1 && !a->ctx.json) {
			if (i > 0)
				putchar('\n');
			printf("== %s\n", a->id);
		}
		if (history_one(cli, st, a))
			status = 1;
	}
	return status;
}

int cmd_history(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "show", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", NULL };
	struct histargs a = { 0 };
	char *end;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &a.ctx.json)))
				return rc;
			break;
		case 's':
			a.ctx.want = (int)strtol(optarg, &end, 10);
			if (*end || a.ctx.want <= 0)
				return kcli_usage_error("history", "--show: expected a revision number");
			break;
		default:
			return kcli_bad_option("history", argv);
		}
	}
	if (optind >= argc)
		return kcli_usage_error("history", "no case id given");
	a.ids = argv + optind;
	a.nids = argc - optind;
	if (a.ctx.want && a.nids > 1)
		return kcli_usage_error("history", "--show: give one case id");
	return kcli_run(cli, history_run, &a);
}
