/*
 * cmd_audit.c - `kyokun audit`: the audit log (store_account.h), as
 * tab-separated text or JSON.
 */
#include "cli.h"
#include "account.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum fmt { F_TEXT, F_JSON };

struct auditctx {
	struct kaudit_query q;
	char since[KTIME_LEN + 1];
	int fmt;
	long n;
};

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int entry_cb(void *vctx, const struct kaudit *a)
{
	struct auditctx *ctx = vctx;

	if (ctx->fmt == F_JSON) {
		json_t *j = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "at", a->at,
				      "user_id", a->user_id ? json_integer(a->user_id) : json_null(), "actor",
				      a->actor, "address", a->address, "action", a->action, "object", a->object,
				      "detail", a->detail);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

		json_decref(j);
		if (!s)
			return KE_NOMEM;
		printf("%s\n    %s", ctx->n ? "," : "", s);
		free(s);
	} else {
		const char *f[6] = { a->at, a->actor, a->address, a->action, a->object, a->detail };

		for (int i = 0; i < 6; i++) {
			if (i)
				putchar('\t');
			tsv_field(f[i]);
		}
		putchar('\n');
	}
	ctx->n++;
	return 0;
}

static int audit_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct auditctx *ctx = arg;
	struct kerr err = KERR_INIT;
	int rc;

	if (ctx->fmt == F_JSON)
		fputs("{\"entries\": [", stdout);
	rc = kstore_audit_list(st, &ctx->q, entry_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (ctx->fmt == F_JSON)
		printf("%s], \"count\": %ld}\n", ctx->n ? "\n" : "", ctx->n);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

int cmd_audit(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TEXT] = "text", [F_JSON] = "json", NULL };
	struct auditctx ctx = { .fmt = F_TEXT };
	struct kerr err = KERR_INIT;
	time_t t;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (ktime_since(optarg, time(NULL), &t, &err) < 0)
				return kcli_usage_error("audit", "--since: %s", err.msg);
			ktime_iso(t, ctx.since);
			ctx.q.since = ctx.since;
			break;
		case 'u':
			ctx.q.actor = optarg;
			break;
		case 'l':
			if ((rc = kcli_opt_number(cli, "--limit", optarg, 1, 100000000, &ctx.q.limit)))
				return rc;
			ctx.q.newest_first = 1;
			break;
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.fmt)))
				return rc;
			break;
		default:
			return kcli_bad_option("audit", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
	return kcli_run(cli, audit_run, &ctx);
}
