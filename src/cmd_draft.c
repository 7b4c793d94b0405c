/*
 * cmd_draft.c - `kyokun draft list|show|publish`: case drafts
 * (store_report.h), the cases analysts make from incidents (`kyokun report
 * draft ID`) and edit until a publisher publishes them.  Drafts are seen
 * by analysts, publishers and the operator at the command line only
 * (kreader_may_see_drafts); publishing is a publisher's (KCAP_CASE_PUBLISH)
 * or the operator's.  With the global --as LOGIN the command acts as that
 * user.
 */
#include "cli.h"
#include "account.h"
#include "approval.h"
#include "case.h"
#include "case_json.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_approval.h"
#include "store_report.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_TABLE, F_TSV, F_JSON, F_TEXT };

enum sub { S_LIST, S_SHOW, S_PUBLISH };

struct draftctx {
	enum sub sub;
	const char *id;
	const char *override; /* publish --override REASON */
	int fmt;
	json_t *list;
	long n;
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* May the actor see drafts?  0, or 1 after a message. */
static int may_see(const struct kcli *cli)
{
	if (kreader_may_see_drafts(cli->reader))
		return 0;
	kcli_error("case drafts are for the centre's analysts and publishers (%s is %s)",
		   str_or(cli->reader->login, "this user"), str_or(krole_name(cli->reader->role), "no role"));
	return 1;
}

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int draft_cb(void *vctx, const struct kdraft_row *d)
{
	struct draftctx *ctx = vctx;

	ctx->n++;
	if (ctx->fmt == F_JSON) {
		json_t *j = json_pack("{s:s, s:s?, s:i, s:s?, s:s?, s:s?}", "id", d->id, "title", d->title, "revision",
				      d->revision, "incident", d->incident, "author", d->author, "updated", d->updated);

		if (!j || json_array_append_new(ctx->list, j))
			return KE_NOMEM;
	} else if (ctx->fmt == F_TSV) {
		printf("%s\t%d\t%s\t", d->id, d->revision, str_or(d->incident, "-"));
		tsv_field(str_or(d->author, "-"));
		printf("\t%s\t", str_or(d->updated, "-"));
		tsv_field(d->title);
		putchar('\n');
	} else {
		kcli_print_cell(stdout, d->id, 22);
		printf(" %3d ", d->revision);
		kcli_print_cell(stdout, str_or(d->incident, "-"), 13);
		putchar(' ');
		kcli_print_cell(stdout, str_or(d->author, "-"), 16);
		putchar(' ');
		kcli_print_cell(stdout, str_or(d->updated, "-"), 20);
		printf(" %s\n", str_or(d->title, ""));
	}
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct draftctx *ctx = arg;
	struct kerr err = KERR_INIT;
	int rc;

	if (may_see(cli))
		return 1;
	if (ctx->fmt == F_TABLE) {
		kcli_print_cell(stdout, "ID", 22);
		fputs(" REV ", stdout);
		kcli_print_cell(stdout, "INCIDENT", 13);
		putchar(' ');
		kcli_print_cell(stdout, "AUTHOR", 16);
		putchar(' ');
		kcli_print_cell(stdout, "UPDATED", 20);
		puts(" TITLE");
	}
	if (ctx->fmt == F_JSON && !(ctx->list = json_array())) {
		kcli_error("out of memory");
		return 1;
	}
	rc = kstore_draft_list(st, draft_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (!rc && ctx->fmt == F_JSON)
		rc = kcli_print_list("drafts", ctx->list, &err);
	json_decref(ctx->list);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (ctx->fmt == F_TABLE)
		printf("(%ld draft%s)\n", ctx->n, ctx->n == 1 ? "" : "s");
	return 0;
}

static void show_text(const struct kcase *c)
{
	int w = kcli_width(str_or(c->title, ""));

	printf("%s\n", str_or(c->title, ""));
	for (int i = 0; i < w; i++)
		putchar('=');
	printf("\nID: %s (下書き draft)\n", c->id);
	if (c->owner)
		printf("組織 owner: %s\n", c->owner);
	printf("TLP: %s\n", str_or(c->tlp, "amber"));
	for (size_t i = 0; i < c->summary.n; i++)
		printf("%s・%s\n", i ? "" : "\n■ 事例の概要\n", c->summary.v[i]);
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];

		if (!c->sections[sec] || !*c->sections[sec])
			continue;
		printf("\n■ %s\n%s\n", ksection_label_ja(sec), c->sections[sec]);
	}
	if (c->ntimeline)
		puts("\n■ 時系列");
	for (size_t i = 0; i < c->ntimeline; i++)
		printf("%s\t%s\t%s\n", str_or(c->timeline[i].when, "-"), str_or(c->timeline[i].actor, "-"),
		       str_or(c->timeline[i].text, ""));
}

static int show_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct draftctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kcase c;
	int rc = 1;

	kcase_init(&c);
	if (may_see(cli))
		goto out;
	rc = kstore_draft_get(st, ctx->id, &c, &err);
	if (rc == KE_NOTFOUND) {
		kcli_error("no case draft with id \"%.100s\" (see 'kyokun draft list')", ctx->id);
		rc = 1;
		goto out;
	}
	if (rc < 0) {
		kcli_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if (ctx->fmt == F_JSON) {
		json_t *j = kcase_to_json(&c);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
			kcli_error("out of memory");
			json_decref(j);
			rc = 1;
			goto out;
		}
		putchar('\n');
		json_decref(j);
	} else {
		show_text(&c);
	}
	rc = 0;
out:
	kcase_free(&c);
	return rc;
}

static int publish_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct draftctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kgate gate;
	int rc;

	if (!kreader_can(cli->reader, KCAP_CASE_PUBLISH)) {
		kcli_error("publishing is a publisher's (%s is %s)", str_or(cli->reader->login, "this user"),
			   str_or(krole_name(cli->reader->role), "no role"));
		return 1;
	}
	rc = kstore_publish_gated(st, ctx->id, ctx->override, &gate, &err);
	if (rc == KE_NOTFOUND) {
		kcli_error("no case draft with id \"%.100s\" (see 'kyokun draft list')", ctx->id);
		return 1;
	}
	if (rc == KE_DENIED && !gate.allowed) {
		char buf[400];

		kcli_error("publishing %s refused:", ctx->id);
		for (unsigned r = 1; r <= KGATE__ALL; r <<= 1)
			if (gate.reasons & r) {
				kgate_reason_text(&gate, r, buf, sizeof(buf));
				fprintf(stderr, "  - %s\n", buf);
			}
		fprintf(stderr, "a publisher may publish anyway with --override REASON (written to the audit log)\n");
		return 1;
	}
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (gate.overridden) {
		char buf[400];

		fprintf(stderr, "override (written to the audit log as case.publish.override) of:\n");
		for (unsigned r = 1; r <= KGATE__ALL; r <<= 1)
			if (gate.reasons & r) {
				kgate_reason_text(&gate, r, buf, sizeof(buf));
				fprintf(stderr, "  - %s\n", buf);
			}
	}
	fprintf(stderr, "published %s: it is a case now, found by search as its TLP allows ('kyokun show %s')\n",
		ctx->id, ctx->id);
	return 0;
}

int cmd_draft(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "override", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const fmt_list[] = { "table", "tsv", "json", NULL };
	static const char *const fmt_show[] = { "text", "json", NULL };
	struct draftctx ctx = { 0 };
	const char *fmtarg = NULL;
	int c, rc, nargs, want;

	if (argc < 2)
		return kcli_usage_error("draft", "draft: say list, show or publish");
	if (!strcmp(argv[1], "list"))
		ctx.sub = S_LIST;
	else if (!strcmp(argv[1], "show"))
		ctx.sub = S_SHOW;
	else if (!strcmp(argv[1], "publish"))
		ctx.sub = S_PUBLISH;
	else
		return kcli_usage_error("draft", "draft: unknown subcommand '%s' (list, show or publish)", argv[1]);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return kcli_bad_option("draft", argv);
		if (c == 'f') {
			if (ctx.sub == S_PUBLISH)
				return kcli_usage_error("draft", "draft publish takes no --format");
			fmtarg = optarg;
		}
		if (c == 'o') {
			struct kerr err = KERR_INIT;

			if (ctx.sub != S_PUBLISH)
				return kcli_usage_error("draft", "--override goes with draft publish");
			if (kapproval_text_check("--override", optarg, &err) < 0)
				return kcli_usage_error("draft", "%s", err.msg);
			ctx.override = optarg;
		}
	}
	nargs = argc - optind;
	want = ctx.sub == S_LIST ? 0 : 1;
	if (nargs < want)
		return kcli_usage_error("draft", "draft %s: ID needed", argv[0]);
	if (nargs > want)
		return kcli_usage_error("draft", "draft %s: unexpected argument '%s'", argv[0], argv[optind + want]);
	if (want) {
		ctx.id = argv[optind];
		if (!*ctx.id || strlen(ctx.id) > 200 || strpbrk(ctx.id, " \t\r\n"))
			return kcli_usage_error("draft", "'%.80s' is not a draft id", ctx.id);
	}
	if (ctx.sub == S_LIST) {
		ctx.fmt = cli->out_tty ? F_TABLE : F_TSV;
		if (fmtarg && (rc = kcli_opt_choice(cli, "--format", fmtarg, fmt_list, &ctx.fmt)))
			return rc;
	} else if (ctx.sub == S_SHOW) {
		int i = 0;

		if (fmtarg && (rc = kcli_opt_choice(cli, "--format", fmtarg, fmt_show, &i)))
			return rc;
		ctx.fmt = i ? F_JSON : F_TEXT;
	}
	cli->as_acts = 1;
	return kcli_run_store(cli, ctx.sub == S_PUBLISH ? KCLI_WRITE : KCLI_READ,
			      ctx.sub == S_LIST ? list_run : ctx.sub == S_SHOW ? show_run : publish_run, &ctx);
}
