/*
 * cmd_import.c - `kyokun import FILE...`: published reports (extracted text
 * or PDF) into structured cases.
 *
 * Each file is read whole (kimport_read_file(): a regular file, or - for
 * standard input), its text extracted with
 * poppler when it is a PDF, split into cases by import.c, classified by
 * classify.c (tags the case does not have yet), and stored in one
 * transaction: all of a file's cases or none.
 */
#include "case.h"
#include "case_json.h"
#include "classify.h"
#include "cli.h"
#include "import.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdf.h"
#include "store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct opts {
	int dry_run;
	int explain;
	json_t *dry;    /* --dry-run: the cases of all files */
	char **files;
	int nfiles;
	/* --title, --url, --published, --publisher: what the document is cited by */
	const char *title, *url, *published, *publisher;
};

/*
 * The document's citation: what is given on the command line, else what is
 * stored from an earlier import, else (the title) the PDF's metadata, else
 * what its first page says; copied into
 * every case's source and stored for the document (st NULL: a dry run).
 */
/* Is a PDF's metadata title a title, not a file name or a tool's placeholder? */
static int good_pdf_title(const char *t)
{
	static const char *const junk[] = { "Microsoft Word", "Microsoft PowerPoint", "untitled", "Untitled",
		".doc", ".ppt", ".xls", ".pdf", NULL };

	if (!t || strlen(t) < 4 || strlen(t) > 300)
		return 0;
	for (const char *const *j = junk; *j; j++)
		if (strstr(t, *j))
			return 0;
	return 1;
}

static int cite(struct kstore *st, const char *name, const char *text, size_t len, const char *pdf_title,
		struct kimport_result *res, const struct opts *o, struct kerr *err)
{
	struct kdocmeta m = { 0 };
	struct kimport_cite g = { 0 };
	const char *title, *url, *published, *publisher;
	int rc = 0;

	if (st && (rc = kstore_doc_get(st, name, &m, err)) < 0)
		return rc;
	kimport_cite_guess(text, len, &g);
	title = o->title ? o->title : m.title ? m.title : good_pdf_title(pdf_title) ? pdf_title : g.title;
	url = o->url ? o->url : m.url;
	published = o->published ? o->published : m.published ? m.published : g.published[0] ? g.published : NULL;
	publisher = o->publisher ? o->publisher : m.publisher ? m.publisher : g.publisher;
	kimport_pages(text, len, res);
	for (size_t i = 0; i < res->cases.n && !rc; i++) {
		struct kcase *c = &res->cases.v[i];

		if ((title && kstr_set(&c->source.doc_title, title) < 0) ||
		    (url && kstr_set(&c->source.url, url) < 0) ||
		    (published && kstr_set(&c->source.published, published) < 0) ||
		    (publisher && (o->publisher || !c->source.publisher) && kstr_set(&c->source.publisher, publisher) < 0))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	}
	if (!rc && st) {
		struct kdocmeta put = { 0 };

		put.title = (char *)title;
		put.url = (char *)url;
		put.published = (char *)published;
		put.publisher = (char *)(publisher ? publisher : res->cases.n ? res->cases.v[0].source.publisher : NULL);
		put.has_year = res->year != 0;
		put.year = res->year;
		rc = kstore_doc_put(st, name, &put, err);
	}
	kdocmeta_free(&m);
	kimport_cite_free(&g);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The text of the report: PDFs through poppler, anything else as it is. */
static int read_report(const char *path, struct kbuf *text, int *npages, char **pdf_title, struct kerr *err)
{
	struct kbuf raw = KBUF_INIT;
	int rc;

	*npages = 0;
	if ((rc = kimport_read_file(path, &raw, err)) < 0)
		goto out;
	if (kpdf_sniff(raw.buf, raw.len) || ends_with(path, ".pdf")) {
		kbuf_setcap(text, KIMPORT_MAX_TEXT);
		rc = kpdf_extract_mem(raw.buf, raw.len, text, npages, err);
		if (rc < 0)
			kerr_prefix(err, "%s", path);
		else
			*pdf_title = kpdf_title_mem(raw.buf, raw.len);
		goto out;
	}
	if (raw.len == 0) {
		rc = kerr_set(err, KE_INVALID, "%s: empty file, no case found", path);
		goto out;
	}
	*text = raw;
	kbuf_init(&raw, 0);
out:
	kbuf_release(&raw);
	return rc;
}

/* Import one file into st (NULL for --dry-run); 0 or 1, the file refused. */
static int import_file(struct kstore *st, const char *path, struct opts *o)
{
	const char *name = strcmp(path, "-") ? base_name(path) : "stdin";
	struct kimport_result res = { 0 };
	struct kbuf text = KBUF_INIT;
	struct kerr err = KERR_INIT;
	long created = 0, updated = 0, unchanged = 0, events = 0;
	int rc, npages = 0, status = 1;
	char *pdf_title = NULL;

	if ((rc = read_report(path, &text, &npages, &pdf_title, &err)) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	if ((rc = kimport_text(text.buf, text.len, name, &res, &err)) < 0) {
		kcli_error("%s: %s", path, err.msg);
		goto out;
	}
	for (size_t i = 0; i < res.cases.n; i++) {
		struct kcase *c = &res.cases.v[i];

		if (!c->tlp && kstr_set(&c->tlp, "clear") < 0) {
			kcli_error("%s: out of memory", path);
			goto out;
		}
		if ((rc = kclassify_case(c, &err)) < 0 || (rc = kcase_validate(c, &err)) < 0) {
			kcli_error("%s: case %s: %s", path, c->id ? c->id : "?", err.msg);
			goto out;
		}
		events += (long)c->ntimeline;
	}
	if (!o->dry_run && (rc = kstore_begin(st, &err)) < 0) {
		kcli_error("%s: %s", path, err.msg);
		goto out;
	}
	if ((rc = cite(o->dry_run ? NULL : st, name, text.buf, text.len, pdf_title, &res, o, &err)) < 0) {
		if (!o->dry_run)
			kstore_rollback(st);
		kcli_error("%s: %s", path, err.msg);
		goto out;
	}
	for (size_t i = 0; i < res.cases.n; i++) {
		if ((rc = kcase_validate(&res.cases.v[i], &err)) < 0) {
			if (!o->dry_run)
				kstore_rollback(st);
			kcli_error("%s: case %s: %s", path, res.cases.v[i].id, err.msg);
			goto out;
		}
	}
	if (o->dry_run) {
		for (size_t i = 0; i < res.cases.n; i++) {
			json_t *j = kcase_to_json(&res.cases.v[i]);

			if (!j || json_array_append_new(o->dry, j) < 0) {
				kcli_error("%s: out of memory", path);
				goto out;
			}
		}
	} else {
		for (size_t i = 0; i < res.cases.n; i++) {
			int outcome;

			if ((rc = kstore_put(st, &res.cases.v[i], &outcome, &err)) < 0) {
				kstore_rollback(st);
				kcli_error("%s: %s; nothing from this file was stored", path, err.msg);
				goto out;
			}
			if (outcome == KSTORE_CREATED)
				created++;
			else if (outcome == KSTORE_UNCHANGED)
				unchanged++;
			else
				updated++;
		}
		if ((rc = kstore_commit(st, &err)) < 0) {
			kcli_error("%s: %s; nothing from this file was stored", path, err.msg);
			goto out;
		}
	}

	/* What was found: cases, sections per case, timeline events. */
	fprintf(stderr, "%s: %zu case%s", name, res.cases.n, res.cases.n == 1 ? "" : "s");
	if (npages)
		fprintf(stderr, " from %d PDF pages", npages);
	if (res.year)
		fprintf(stderr, ", survey year %d", res.year);
	fprintf(stderr, ", %ld timeline event%s", events, events == 1 ? "" : "s");
	if (!o->dry_run)
		fprintf(stderr, " (%ld new, %ld updated, %ld unchanged)", created, updated, unchanged);
	else
		fputs(" (dry run: nothing stored)", stderr);
	fputc('\n', stderr);
	if (res.unknown_layout)
		fprintf(stderr, "%s: unknown layout (no case header or section heading): imported best effort "
			"as one case, every block placed by cue words only (confidence low; see --explain)\n",
			name);
	for (size_t i = 0; i < res.cases.n; i++) {
		const struct kcase *c = &res.cases.v[i];
		int nsec = 0;

		for (int k = 0; k < KSEC__N; k++)
			nsec += c->sections[k] != NULL;
		fprintf(stderr, "  %-28s %2d sections, %2zu events  %s\n", c->id, nsec, c->ntimeline, c->title);
	}
	if (o->explain) {
		/* how each block was placed: under its heading, by the template's order, by cue words */
		for (size_t i = 0; i < res.cases.n; i++) {
			const struct kcase *c = &res.cases.v[i];
			json_t *imp = c->extra ? json_object_get(c->extra, "import") : NULL, *b;
			size_t k;

			if (!imp)
				continue;
			fprintf(stderr, "%s: %s: confidence %s\n", name, c->id,
				json_string_value(json_object_get(imp, "confidence")));
			json_array_foreach(json_object_get(imp, "blocks"), k, b) {
				const char *t = json_string_value(json_object_get(b, "text"));
				int cut = 0, n = 0;

				while (t && t[cut] && n < 40) {
					if (t[cut] == '\n')
						break;
					cut++;
					while (((unsigned char)t[cut] & 0xC0) == 0x80)
						cut++;
					n++;
				}
				fprintf(stderr, "%s:   %-15s %-7s %.*s%s\n", name,
					json_string_value(json_object_get(b, "section")),
					json_string_value(json_object_get(b, "how")), cut, t ? t : "",
					t && t[cut] ? "…" : "");
			}
		}
		if (!res.unplaced.n)
			fprintf(stderr, "%s: every line was placed\n", name);
		for (size_t i = 0; i < res.unplaced.n; i++)
			fprintf(stderr, "%s: unplaced: %s\n", name, res.unplaced.v[i]);
	}
	status = 0;
out:
	kimport_result_free(&res);
	kbuf_release(&text);
	free(pdf_title);
	return status;
}

static int import_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct opts *o = arg;
	struct kprogress prog;
	int rc = 0;

	kcli_progress_init(&prog, cli);
	prog.unit = "files";
	for (int i = 0; i < o->nfiles; i++) {
		kcli_progress_done(&prog); /* the file's messages start on a clean line */
		if (import_file(st, o->files[i], o))
			rc = 1;
		if (o->nfiles > 1)
			kcli_progress(&prog, "import", i + 1, i + 1, o->nfiles);
	}
	kcli_progress_done(&prog);
	return rc;
}

int cmd_import(struct kcli *cli, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "title", required_argument, NULL, 't' },
		{ "url", required_argument, NULL, 'u' },
		{ "published", required_argument, NULL, 'p' },
		{ "publisher", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	json_t *coll;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.dry_run = 1;
			break;
		case 'e':
			o.explain = 1;
			break;
		case 'q':
			cli->quiet = 1;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'u':
			if (!kcase_url_valid(optarg))
				return kcli_usage_error("import", "--url: not an http:// or https:// address");
			o.url = optarg;
			break;
		case 'p':
			if (!kcase_date_valid(optarg))
				return kcli_usage_error("import", "--published: not a date (YYYY-MM-DD, YYYY-MM or YYYY)");
			o.published = optarg;
			break;
		case 'P':
			o.publisher = optarg;
			break;
		default:
			return kcli_usage_error("import", "bad option");
		}
	}
	if (optind >= argc)
		return kcli_usage_error("import", "no file given");
	o.files = argv + optind;
	o.nfiles = argc - optind;
	if (!o.dry_run)
		return kcli_run(cli, import_run, &o);
	/* a dry run stores nothing: no store */
	if (!(o.dry = json_array()))
		return 1;
	rc = import_run(cli, NULL, &o);
	coll = json_pack("{s:s, s:O}", "format", KCASE_FORMAT, "cases", o.dry);
	if (coll)
		json_dumpf(coll, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(coll);
	json_decref(o.dry);
	return rc;
}
