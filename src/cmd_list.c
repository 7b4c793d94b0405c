/*
 * cmd_list.c - `kyokun list`: the cases in the library, as a table, TSV or JSON.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum fmt { F_TABLE, F_TSV, F_JSON };

struct listctx {
	struct kfilter filter;
	int fmt;   /* enum fmt */
	long n;
	int title_width;
};

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int row_cb(void *vctx, const struct kcase_row *r)
{
	struct listctx *ctx = vctx;
	char num[16] = "", year[16] = "";

	if (r->has_case_number)
		snprintf(num, sizeof(num), "%d", r->case_number);
	if (r->has_year)
		snprintf(year, sizeof(year), "%d", r->year);
	if (ctx->fmt == F_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:{s:s?, s:o, s:o}, s:s?, s:s, s:i, s:s, s:s}",
				      "id", r->id, "title", r->title, "source", "document", r->document,
				      "year", r->has_year ? json_integer(r->year) : json_null(),
				      "case_number", r->has_case_number ? json_integer(r->case_number) : json_null(),
				      "category", r->category, "tlp", r->tlp, "revision", r->revision,
				      "created", r->created, "updated", r->updated);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (!s) {
			json_decref(o);
			return KE_NOMEM;
		}
		printf("%s\n    %s", ctx->n ? "," : "", s);
		free(s);
		json_decref(o);
	} else if (ctx->fmt == F_TSV) {
		tsv_field(r->id);
		putchar('\t');
		tsv_field(r->document);
		printf("\t%s\t%s\t%s\t", num, year, r->tlp);
		tsv_field(r->title);
		putchar('\n');
	} else {
		kcli_print_cell(stdout, r->id, 28);
		putchar(' ');
		kcli_print_cell(stdout, num, 3);
		putchar(' ');
		kcli_print_cell(stdout, year, 4);
		putchar(' ');
		kcli_print_cell(stdout, r->tlp, 6);
		putchar(' ');
		kcli_print_cell(stdout, r->title, ctx->title_width);
		putchar('\n');
	}
	ctx->n++;
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct listctx *ctx = arg;
	struct kerr err = KERR_INIT;
	long total = 0;
	int rc;

	if (ctx->fmt == F_TABLE) {
		struct winsize ws;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 60)
			ctx->title_width = ws.ws_col - 46;
		kcli_print_cell(stdout, "ID", 28);
		putchar(' ');
		kcli_print_cell(stdout, "NO", 3);
		putchar(' ');
		kcli_print_cell(stdout, "YEAR", 4);
		putchar(' ');
		kcli_print_cell(stdout, "TLP", 6);
		puts(" TITLE");
	} else if (ctx->fmt == F_JSON) {
		fputs("{\"cases\": [", stdout);
	}
	ctx->filter.reader = cli->reader;
	rc = kstore_list(st, &ctx->filter, row_cb, ctx, &total, &err);
	if (ctx->fmt == F_JSON)
		printf("%s], \"total\": %ld}\n", ctx->n ? "\n" : "", total);
	else if (ctx->fmt == F_TABLE)
		printf("(%ld case%s)\n", total, total == 1 ? "" : "s");
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

int cmd_list(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "document", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ "category", required_argument, NULL, 'c' },
		{ "tag", required_argument, NULL, 'g' },
		{ "tlp", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TABLE] = "table", [F_TSV] = "tsv", [F_JSON] = "json", NULL };
	struct listctx ctx = { KFILTER_LOCAL_INIT, cli->out_tty ? F_TABLE : F_TSV, 0, 40 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.fmt)))
				return rc;
			break;
		case 'd':
			ctx.filter.document = optarg;
			break;
		case 'y':
			if ((rc = kcli_opt_year(cli, "--year", optarg, &ctx.filter.year)))
				return rc;
			break;
		case 'c':
			ctx.filter.category = optarg;
			break;
		case 'g':
			ctx.filter.tag = optarg;
			break;
		case 't':
			if ((rc = kcli_opt_tlp(cli, "--tlp", optarg, NULL)))
				return rc;
			ctx.filter.tlp = optarg;
			break;
		default:
			return kcli_bad_option("list", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	return kcli_run(cli, list_run, &ctx);
}
