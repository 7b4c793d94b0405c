/*
 * cmd_export.c - `kyokun export`: stored cases as interchange JSON on stdout,
 * or in an exchange format (STIX, MISP, VERIS: exchange.h), streamed one
 * case at a time, only the cases the reader (--as) may see.
 */
#include "case_json.h"
#include "cli.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"
#include "utf8.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct exportctx {
	struct kfilter filter;
	int format;  /* index in formats[]: 0 json, 1 jsonl, then the exchange formats */
	int lines;   /* --format jsonl */
	const struct kexchange_format *xf; /* an exchange format, or NULL */
	void *xstate;
	struct kbuf xout;
	struct kerr xerr;
	long n;
	const char *publisher; /* --publisher: the STIX identity / MISP Orgc of the export */
};

/* Write what the exchange format made so far and empty it. */
static int flush_out(struct exportctx *ctx)
{
	if (ctx->xout.len && fwrite(ctx->xout.buf, 1, ctx->xout.len, stdout) != ctx->xout.len)
		return KE_IO;
	kbuf_reset(&ctx->xout);
	return ferror(stdout) ? KE_IO : 0;
}

static int xrow_cb(void *vctx, const struct kcase_row *r)
{
	struct exportctx *ctx = vctx;
	int rc = kexchange_export_json(ctx->xf, ctx->xstate, r->json, &ctx->xout, &ctx->xerr);

	if (rc < 0) {
		kerr_prefix(&ctx->xerr, "%s", r->id);
		return rc == KE_IO ? KE_INVALID : rc;
	}
	ctx->n++;
	return flush_out(ctx);
}

static int export_exchange(struct kcli *cli, struct kstore *st, struct exportctx *ctx)
{
	struct kexchange_opts o = { ctx->publisher, NULL };
	struct kerr err = KERR_INIT;
	int rc, rc2;

	kbuf_init(&ctx->xout, 0);
	kerr_clear(&ctx->xerr);
	rc = ctx->xf->export_begin(&o, &ctx->xstate, &ctx->xout, &ctx->xerr);
	if (rc == 0)
		rc = flush_out(ctx);
	if (rc == 0)
		rc = kstore_list(st, &ctx->filter, xrow_cb, ctx, NULL, &err);
	rc2 = ctx->xf->export_end(ctx->xstate, &ctx->xout, rc < 0 ? &err : &ctx->xerr);
	if (rc == 0 && rc2 < 0)
		rc = rc2;
	if (rc == 0)
		rc = flush_out(ctx);
	kbuf_release(&ctx->xout);
	if (rc < 0) {
		kcli_error("%s", rc == KE_IO ? "write error on standard output" : ctx->xerr.msg[0] ? ctx->xerr.msg
											       : err.msg);
		return 1;
	}
	return 0;
}

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
	if (ctx->xf)
		return export_exchange(cli, st, ctx);
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
		{ "publisher", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "json", "jsonl", "stix", "misp", "veris", NULL };
	struct exportctx ctx = { .filter = KFILTER_LOCAL_INIT };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.format)))
				return rc;
			ctx.lines = ctx.format == 1;
			ctx.xf = ctx.format >= 2 ? kexchange_find(formats[ctx.format]) : NULL;
			break;
		case 'd':
			ctx.filter.document = optarg;
			break;
		case 'p': {
			size_t n = strlen(optarg);
			int bad = n == 0 || n > 200 || !kutf8_valid(optarg, n);

			for (size_t i = 0; i < n && !bad; i++)
				bad = (unsigned char)optarg[i] < 0x20 || optarg[i] == 0x7f;
			if (bad)
				return kcli_usage_error("export", "--publisher: expected a name of 1 to 200 bytes of "
								  "UTF-8 text without control characters");
			ctx.publisher = optarg;
			break;
		}
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
