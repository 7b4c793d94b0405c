/*
 * cmd_show.c - `kyokun show ID`: one case, laid out as the reports lay it out.
 */
#include "case.h"
#include "case_json.h"
#include "cli.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdfdoc.h"
#include "reader.h"
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum fmt { F_TEXT, F_MD, F_JSON, F_PDF };

static void heading(enum fmt fmt, const char *label)
{
	if (fmt == F_MD)
		printf("\n## %s\n\n", label);
	else
		printf("\n■ %s\n", label);
}

static void bullets(enum fmt fmt, const struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		printf(fmt == F_MD ? "- %s\n" : "・%s\n", sv->v[i]);
}

/* Section text: one line per bullet; in Markdown keep lines as list items or paragraphs. */
static void body(enum fmt fmt, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		if (n > 0) {
			if (fmt == F_MD)
				printf("%.*s\n\n", n, p);
			else
				printf("%.*s\n", n, p);
		}
		p += n + (nl ? 1 : 0);
	}
}

/* A Markdown table cell: '|' escaped, line breaks as <br>. */
static void md_cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			fputs("<br>", stdout);
		else if (*s != '\r')
			putchar(*s);
	}
}

static void show(const struct kcase *c, enum fmt fmt)
{
	printf(fmt == F_MD ? "# %s\n\n" : "%s\n", c->title);
	if (fmt == F_TEXT) {
		int w = kcli_width(c->title);

		for (int i = 0; i < w; i++)
			putchar('=');
		putchar('\n');
	}
	printf("%sID: %s\n", fmt == F_MD ? "- " : "", c->id);
	if (c->source.document) {
		printf("%s出典: %s", fmt == F_MD ? "- " : "", c->source.document);
		if (c->source.has_case_number)
			printf(" 事例%d", c->source.case_number);
		if (c->source.has_year)
			printf(" (%d年度)", c->source.year);
		putchar('\n');
	}
	if (c->category)
		printf("%s分類: %s\n", fmt == F_MD ? "- " : "", c->category);
	if (c->attributes.organization)
		printf("%s組織属性: %s\n", fmt == F_MD ? "- " : "", c->attributes.organization);
	if (c->attributes.factors)
		printf("%s要因: %s\n", fmt == F_MD ? "- " : "", c->attributes.factors);
	printf("%sTLP: %s\n", fmt == F_MD ? "- " : "", c->tlp ? c->tlp : "amber");

	if (c->summary.n) {
		heading(fmt, "事例の概要");
		bullets(fmt, &c->summary);
	}
	if (c->key_lessons.n) {
		heading(fmt, "主な気付き・教訓");
		bullets(fmt, &c->key_lessons);
	}
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];

		if (!c->sections[sec] || !*c->sections[sec])
			continue;
		heading(fmt, ksection_label_ja(sec));
		body(fmt, c->sections[sec]);
	}
	if (c->ntimeline) {
		heading(fmt, "時系列");
		if (fmt == F_MD)
			printf("| 日時 | 担当 | 内容 |\n| --- | --- | --- |\n");
		for (size_t i = 0; i < c->ntimeline; i++) {
			const struct kevent *e = &c->timeline[i];

			if (fmt == F_MD) {
				fputs("| ", stdout);
				md_cell(e->when);
				fputs(" | ", stdout);
				md_cell(e->actor);
				fputs(" | ", stdout);
				md_cell(e->text);
				fputs(" |\n", stdout);
			} else
				printf("%s%s%s%s  %s\n", e->when ? e->when : "", e->actor ? " [" : "",
				       e->actor ? e->actor : "", e->actor ? "]" : "", e->text ? e->text : "");
		}
	}
	if (c->tags.event_class || c->tags.threats.n || c->tags.sectors.n) {
		const char *li = fmt == F_MD ? "- " : ""; /* one list item each in Markdown */

		heading(fmt, "タグ");
		if (c->tags.event_class)
			printf("%sevent_class: %s\n", li, c->tags.event_class);
		for (size_t i = 0; i < c->tags.threats.n; i++)
			printf("%sthreat: %s\n", li, c->tags.threats.v[i]);
		for (size_t i = 0; i < c->tags.sectors.n; i++)
			printf("%ssector: %s\n", li, c->tags.sectors.v[i]);
	}
}

struct showargs {
	const char *id;
	int fmt;   /* enum fmt */
	char **ids; /* several: each in turn (not with pdf) */
	int nids;
};

static int show_one(struct kcli *cli, struct kstore *st, const struct showargs *a)
{
	struct kerr err = KERR_INIT;
	struct kcase c;

	kcase_init(&c);
	if (kstore_get(st, a->id, &c, &err) < 0 || !kreader_may_see_case(cli->reader, &c)) {
		kcli_error("%s", err.code ? err.msg : kcli_no_case(a->id));
		kcase_free(&c);
		return 1;
	}
	if (a->fmt == F_PDF) {
		struct kbuf pdf = KBUF_INIT;
		struct kpdfdoc_meta m = { NULL, NULL };
		char date[16] = "";
		time_t now = time(NULL);
		struct tm tm;
		int rc;

		if (gmtime_r(&now, &tm))
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		m.generated = date;
		rc = kpdfdoc_case(&c, &m, &pdf, &err);
		if (rc == 0 && (fwrite(pdf.buf, 1, pdf.len, stdout) != pdf.len || fflush(stdout)))
			rc = kerr_set(&err, KE_IO, "standard output: cannot write the PDF");
		kbuf_release(&pdf);
		kcase_free(&c);
		if (rc < 0) {
			kcli_error("%s", err.msg);
			return 1;
		}
		return 0;
	}
	if (a->fmt == F_JSON) {
		json_t *j = kcase_to_json(&c);

		if (j)
			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	} else {
		show(&c, a->fmt);
	}
	kcase_free(&c);
	return 0;
}

/* Each case given in turn; text and Markdown separated by a blank line (JSON
 * is a stream of objects).  A case that cannot be shown is said and the
 * others still shown; the exit status is then 1. */
static int show_run(struct kcli *cli, struct kstore *st, void *arg)
{
	const struct showargs *a = arg;
	struct showargs one = *a;
	int status = 0;

	for (int i = 0; i < a->nids; i++) {
		one.id = a->ids[i];
		if (i > 0 && a->fmt != F_JSON)
			putchar('\n');
		if (show_one(cli, st, &one))
			status = 1;
	}
	return status;
}

int cmd_show(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TEXT] = "text", [F_MD] = "md", [F_JSON] = "json", [F_PDF] = "pdf", NULL };
	struct showargs a = { .fmt = F_TEXT };
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'f')
			return kcli_bad_option("show", argv);
		if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &a.fmt)))
			return rc;
	}
	if (optind >= argc)
		return kcli_usage_error("show", "no case id given");
	a.ids = argv + optind;
	a.nids = argc - optind;
	if (a.fmt == F_PDF && a.nids > 1)
		return kcli_usage_error("show", "--format pdf writes one case: give one case id");
	if (a.fmt == F_PDF && isatty(STDOUT_FILENO))
		return kcli_usage_error("show", "--format pdf writes a PDF: redirect it to a file (> case.pdf)");
	return kcli_run(cli, show_run, &a);
}
