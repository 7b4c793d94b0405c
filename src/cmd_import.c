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
#include <string.h>
#include <strings.h>

struct opts {
	int dry_run;
	int explain;
	json_t *dry;    /* --dry-run: the cases of all files */
	char **files;
	int nfiles;
};

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
static int read_report(const char *path, struct kbuf *text, int *npages, struct kerr *err)
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

	if ((rc = read_report(path, &text, &npages, &err)) < 0) {
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
	if (o->dry_run) {
		for (size_t i = 0; i < res.cases.n; i++) {
			json_t *j = kcase_to_json(&res.cases.v[i]);

			if (!j || json_array_append_new(o->dry, j) < 0) {
				kcli_error("%s: out of memory", path);
				goto out;
			}
		}
	} else {
		if ((rc = kstore_begin(st, &err)) < 0) {
			kcli_error("%s: %s", path, err.msg);
			goto out;
		}
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
