/*
 * cmd_publish.c - `kyokun publish`: write a published report (報告書) into
 * a folder - index.html (introduction, the case list by category, every
 * case, the 総括), cases/ID.html, report.md, report.pdf and its stylesheet
 * - atomically, and keep it in the database so the web lists it under
 * 報告書 (unless --no-store).  The cases: a survey period's kept selection
 * (--period), an imported document's (--document) or the ones named
 * (--select); only cases the acting reader (--as) may see; never a draft.
 * Publishing is a publisher's (KCAP_CASE_PUBLISH) or the operator's.
 */
#include "cli.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "pubreport.h"
#include "reader.h"
#include "store.h"
#include "store_publish.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTRO_MAX (1 << 20)

struct pubctx {
	struct kpubreport_spec spec;
	struct kstrv ids;
	const char *out, *intro_file;
	int force, no_store;
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static int id_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '~' || c == '-'))
			return 0;
	}
	return 1;
}

/* "A,B, C" into ids; 2 (usage) on a bad id. */
static int parse_ids(const char *arg, struct kstrv *ids)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		char *one;

		p += n + (p[n] == ',');
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		if (!(one = strndup(s, n)) || kstrv_push_owned(ids, one)) {
			kcli_error("out of memory");
			return 1;
		}
		if (!id_ok(one))
			return kcli_usage_error("publish", "--select: '%.80s' is not a case id", one);
	}
	if (!ids->n)
		return kcli_usage_error("publish", "--select: give case ids separated by commas");
	return 0;
}

static int run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct pubctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kpubreport r = { 0 };
	struct kpubfiles files = { 0 };
	struct kbuf intro = KBUF_INIT;
	const char *pdf_note = NULL;
	int rc = 1, fell_back = 0, txn = 0, npages = 0;

	if (!kreader_can(cli->reader, KCAP_CASE_PUBLISH)) {
		kcli_error("publishing a report is a publisher's (%s is %s)", str_or(cli->reader->login, "this user"),
			   str_or(krole_name(cli->reader->role), "no role"));
		return 1;
	}
	if (ctx->intro_file) {
		kbuf_setcap(&intro, INTRO_MAX);
		if (kbuf_read_file(&intro, ctx->intro_file, &err) < 0) {
			kcli_error("--intro: %s", err.msg);
			goto out;
		}
		if (!intro.len || !kutf8_valid(intro.buf, intro.len) || memchr(intro.buf, 0, intro.len)) {
			kcli_error("--intro: %s: the introduction must be UTF-8 text, not empty", ctx->intro_file);
			goto out;
		}
		ctx->spec.intro = intro.buf;
	}
	ctx->spec.reader = cli->reader;
	ctx->spec.fell_back = &fell_back;
	if (kpubreport_assemble(st, &ctx->spec, &r, &err) < 0) {
		kcli_error("%s", err.msg);
		rc = err.code == KE_USAGE ? 2 : 1;
		goto out;
	}
	if (fell_back)
		fprintf(stderr, "kyokun: note: period %s: no selection was kept for it ('kyokun select'): the report "
			"has the %zu cases of year %s\n", ctx->spec.period, r.cases.n, ctx->spec.period);
	if (kpubreport_render(&r, KPUB_PDF, &files, &pdf_note, &err) < 0) {
		kcli_error("%s (nothing was written)", err.msg);
		goto out;
	}
	/* the database and the folder together: the report is stored in a transaction committed only
	 * once the folder is in place */
	if (!ctx->no_store) {
		struct kpubreport_meta m = { .name = r.name, .title = r.title, .period = r.period, .tlp = r.tlp,
					     .date = r.date };
		struct kstrv ids = { 0 };

		for (size_t i = 0; i < r.cases.n; i++)
			if (kstrv_push(&ids, r.cases.v[i].id)) {
				kstrv_clear(&ids);
				kcli_error("out of memory");
				goto out;
			}
		m.ids = &ids;
		if (kstore_begin(st, &err) < 0) {
			kstrv_clear(&ids);
			kcli_error("%s", err.msg);
			goto out;
		}
		txn = 1;
		if (kstore_pubreport_put(st, &m, &files, ctx->force, &err) < 0) {
			kstrv_clear(&ids);
			if (err.code == KE_EXISTS)
				kcli_error("%s (--name another name, or --force to replace it; nothing was written)",
					   err.msg);
			else
				kcli_error("%s (nothing was written)", err.msg);
			goto out;
		}
		kstrv_clear(&ids);
	}
	if (kpubreport_write_dir(&files, ctx->out, ctx->force, &err) < 0) {
		kcli_error("%s (nothing was written)", err.msg);
		goto out;
	}
	if (txn) {
		txn = 0;
		if (kstore_commit(st, &err) < 0) {
			kcli_error("%s: the folder %s is written, but the report is not stored in the database", err.msg,
				   ctx->out);
			goto out;
		}
	}
	for (size_t i = 0; i < files.n; i++)
		npages += !strncmp(files.v[i].path, "cases/", 6);
	if (pdf_note)
		fprintf(stderr, "kyokun: note: %s\n", pdf_note);
	fprintf(stderr, "published \"%s\" (%s): %zu cases, TLP:%s, %s -> %s/index.html, %d case pages, report.md%s%s\n",
		r.title, r.name, r.cases.n, r.tlp, r.date, ctx->out, npages, pdf_note ? "" : ", report.pdf",
		ctx->no_store ? "" : "; listed at /reports");
	printf("%s\n", ctx->out);
	rc = 0;
out:
	if (txn)
		kstore_rollback(st);
	kpubfiles_free(&files);
	kpubreport_free(&r);
	kbuf_release(&intro);
	return rc;
}

int cmd_publish(struct kcli *cli, int argc, char **argv)
{
	enum { O_OUT = 'o', O_PERIOD = 'p', O_DOC = 'd', O_SELECT = 's', O_TITLE = 't', O_TLP = 'T', O_DATE = 'D',
	       O_NAME = 'n', O_INTRO = 'i', O_FORCE = 'f', O_NOSTORE = 'N', O_PUBLISHER = 'P' };
	static const struct option opts[] = {
		{ "out", required_argument, NULL, O_OUT },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "document", required_argument, NULL, O_DOC },
		{ "select", required_argument, NULL, O_SELECT },
		{ "title", required_argument, NULL, O_TITLE },
		{ "tlp", required_argument, NULL, O_TLP },
		{ "date", required_argument, NULL, O_DATE },
		{ "name", required_argument, NULL, O_NAME },
		{ "intro", required_argument, NULL, O_INTRO },
		{ "publisher", required_argument, NULL, O_PUBLISHER },
		{ "force", no_argument, NULL, O_FORCE },
		{ "no-store", no_argument, NULL, O_NOSTORE },
		{ NULL, 0, NULL, 0 },
	};
	struct pubctx ctx = { 0 };
	int c, rc, nsrc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_OUT: ctx.out = optarg; break;
		case O_PERIOD: ctx.spec.source = KPUB_PERIOD, ctx.spec.period = optarg, nsrc++; break;
		case O_DOC: ctx.spec.source = KPUB_DOCUMENT, ctx.spec.document = optarg, nsrc++; break;
		case O_SELECT:
			ctx.spec.source = KPUB_SELECT;
			nsrc++;
			if ((rc = parse_ids(optarg, &ctx.ids)))
				goto out;
			break;
		case O_TITLE: ctx.spec.title = optarg; break;
		case O_TLP:
			if ((rc = kcli_opt_tlp(cli, "--tlp", optarg, NULL)))
				goto out;
			ctx.spec.tlp = optarg;
			break;
		case O_DATE: ctx.spec.date = optarg; break;
		case O_NAME: ctx.spec.name = optarg; break;
		case O_INTRO: ctx.intro_file = optarg; break;
		case O_PUBLISHER: ctx.spec.publisher = optarg; break;
		case O_FORCE: ctx.force = 1; break;
		case O_NOSTORE: ctx.no_store = 1; break;
		default:
			rc = kcli_bad_option("publish", argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = kcli_usage_error("publish", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!ctx.out || !*ctx.out) {
		rc = kcli_usage_error("publish", "--out DIR is needed: the folder to write the report into");
		goto out;
	}
	if (nsrc != 1) {
		rc = kcli_usage_error("publish", nsrc ? "say one of --period, --document and --select, once"
						      : "say which cases: --period Y, --document NAME or --select ID,...");
		goto out;
	}
	ctx.spec.ids = &ctx.ids;
	cli->as_acts = 1;
	rc = kcli_run_store(cli, KCLI_WRITE, run, &ctx);
out:
	kstrv_clear(&ctx.ids);
	return rc;
}
