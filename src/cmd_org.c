/*
 * cmd_org.c - `kyokun org add|list`: organisations (store_account.h).
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

enum fmt { F_TABLE, F_TSV, F_JSON };

struct orgctx {
	struct korg org;  /* org add */
	int fmt;          /* org list */
	json_t *list;
	long n;
};

static int add_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct orgctx *ctx = arg;
	struct kerr err = KERR_INIT;

	if (kstore_org_add(st, &ctx->org, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	fprintf(stderr, "added organisation %s (%s)\n", ctx->org.name, korg_kind_name(ctx->org.kind));
	return 0;
}

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int org_cb(void *vctx, const struct korg *o)
{
	struct orgctx *ctx = vctx;
	char sectors[KREADER_MAX_SECTORS * 16] = "";
	size_t n = 0;

	for (size_t i = 0; i < o->nsectors && n < sizeof(sectors); i++)
		n += (size_t)snprintf(sectors + n, sizeof(sectors) - n, "%s%s", i ? "," : "", o->sectors[i]);
	if (ctx->fmt == F_JSON) {
		json_t *s = json_array(), *j;

		for (size_t i = 0; s && i < o->nsectors; i++)
			json_array_append_new(s, json_string(o->sectors[i]));
		j = json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)o->id, "name", o->name, "kind",
			      korg_kind_name(o->kind), "sectors", s, "created", o->created);
		if (!j || json_array_append_new(ctx->list, j))
			return KE_NOMEM;
	} else if (ctx->fmt == F_TSV) {
		tsv_field(o->name);
		printf("\t%s\t%s\t%s\n", korg_kind_name(o->kind), sectors, o->created);
	} else {
		kcli_print_cell(stdout, o->name, 32);
		putchar(' ');
		kcli_print_cell(stdout, korg_kind_name(o->kind), 8);
		putchar(' ');
		kcli_print_cell(stdout, sectors, 40);
		printf(" %s\n", o->created);
	}
	ctx->n++;
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct orgctx *ctx = arg;
	struct kerr err = KERR_INIT;
	int rc;

	if (ctx->fmt == F_TABLE) {
		kcli_print_cell(stdout, "NAME", 32);
		putchar(' ');
		kcli_print_cell(stdout, "KIND", 8);
		putchar(' ');
		kcli_print_cell(stdout, "SECTORS", 40);
		puts(" CREATED");
	}
	if (ctx->fmt == F_JSON && !(ctx->list = json_array())) {
		kcli_error("out of memory");
		return 1;
	}
	rc = kstore_org_list(st, org_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (!rc && ctx->fmt == F_JSON)
		rc = kcli_print_list("organisations", ctx->list, &err);
	json_decref(ctx->list);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (ctx->fmt == F_TABLE)
		printf("(%ld organisation%s)\n", ctx->n, ctx->n == 1 ? "" : "s");
	return 0;
}

static int org_add(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "sector", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const kinds[] = { "operator", "ministry", "centre", "other", NULL };
	struct orgctx ctx = { .org = { .kind = KORG_OPERATOR } };
	struct kerr err = KERR_INIT;
	int c, rc = 2, kind;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((rc = kcli_opt_choice(cli, "--kind", optarg, kinds, &kind)))
				goto out;
			ctx.org.kind = (enum korg_kind)kind;
			break;
		case 's':
			if (korg_add_sector(&ctx.org, optarg, &err) < 0) {
				rc = kcli_usage_error("org", "--sector: %s", err.msg);
				goto out;
			}
			break;
		default:
			rc = kcli_bad_option("org", argv);
			goto out;
		}
	}
	if (optind >= argc) {
		rc = kcli_usage_error("org", "org add: no organisation name given");
		goto out;
	}
	if (optind + 1 < argc) {
		rc = kcli_usage_error("org", "org add: one name only (quote a name with spaces)");
		goto out;
	}
	if (korg_name_check(argv[optind], &err) < 0) {
		rc = kcli_usage_error("org", "%s", err.msg);
		goto out;
	}
	if (ctx.org.kind == KORG_MINISTRY && !ctx.org.nsectors)
		fprintf(stderr, "kyokun: note: a ministry without --sector cannot have liaisons\n");
	if (!(ctx.org.name = strdup(argv[optind]))) {
		kcli_error("out of memory");
		rc = 1;
		goto out;
	}
	rc = kcli_run_store(cli, KCLI_WRITE, add_run, &ctx);
out:
	korg_free(&ctx.org);
	return rc;
}

static int org_list(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TABLE] = "table", [F_TSV] = "tsv", [F_JSON] = "json", NULL };
	struct orgctx ctx = { .fmt = cli->out_tty ? F_TABLE : F_TSV };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'f')
			return kcli_bad_option("org", argv);
		if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.fmt)))
			return rc;
	}
	if (optind < argc)
		return kcli_usage_error("org", "org list: unexpected argument '%s'", argv[optind]);
	return kcli_run_store(cli, KCLI_READ, list_run, &ctx);
}

int cmd_org(struct kcli *cli, int argc, char **argv)
{
	if (argc < 2)
		return kcli_usage_error("org", "org: say add or list");
	if (!strcmp(argv[1], "add"))
		return org_add(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return org_list(cli, argc - 1, argv + 1);
	return kcli_usage_error("org", "org: unknown subcommand '%s' (add or list)", argv[1]);
}
