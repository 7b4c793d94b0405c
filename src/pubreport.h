/*
 * pubreport.h - a published report (報告書): its front matter, its cases in
 * order and its 総括, as the HTML, Markdown and PDF writers see it (output
 * layer).  Assembled by the caller (cmd_publish.c, web) from the store;
 * written by kpubreport_write_dir() (HTML + Markdown + PDF into a folder,
 * atomically) and by pdfdoc.h's kpdfdoc_report().
 */
#ifndef KYOKUN_PUBREPORT_H
#define KYOKUN_PUBREPORT_H

#include <stddef.h>

#include "case.h"
#include "theme.h"

struct kerr;
struct kbuf;

struct kpubreport {
	char *name;      /* short name: the folder and URL name ("2025", "fy2025-survey") */
	char *title;     /* the report's title */
	char *period;    /* the survey period ("2025"), or NULL */
	char *publisher; /* who publishes it, or NULL */
	char *date;      /* publication date YYYY-MM-DD */
	char *tlp;       /* the report's TLP: given, or the most restrictive of its cases' */
	char *intro;     /* はじめに: purpose, how the survey ran, the selection criteria;
			  * paragraphs separated by blank lines, lines starting "・" are bullets */
	struct kcase_list cases;   /* owned, in the report's order (grouped by category) */
	struct ktheme_list themes; /* the 総括 */
};

void kpubreport_free(struct kpubreport *r);

/* ---- assembling a report from the store (pubreport_build.c) ---- */

struct kstore;
struct kreader;

enum kpub_source {
	KPUB_PERIOD = 1, /* the kept selection of a survey period (kstore_selection_cases) */
	KPUB_DOCUMENT,   /* the cases of an imported document */
	KPUB_SELECT,     /* these case ids */
};

struct kpubreport_spec {
	int source;               /* KPUB_* */
	const char *period;       /* KPUB_PERIOD: "2025" */
	const char *document;     /* KPUB_DOCUMENT */
	const struct kstrv *ids;  /* KPUB_SELECT */
	const char *name;         /* NULL: from the period, the document, or "report-DATE" */
	const char *title;        /* NULL: made from the period or document */
	const char *tlp;          /* the marking asked for, or NULL: the most restrictive case's */
	const char *date;         /* YYYY-MM-DD, or NULL: today */
	const char *publisher;    /* or NULL */
	const char *intro;        /* replaces the generated introduction, or NULL */
	const struct kreader *reader; /* who acts: only cases they may see */
	int *fell_back;           /* may be NULL: set to 1 when a period had no kept selection and the
				   * cases of year period were taken instead */
};

/*
 * Fill r (zeroed) from the store: the cases in the report's order
 * (category, then case number, then id), the TLP, the introduction and
 * the 総括 (ktheme_compute with the edits kept for the period or name).
 * KE_NOTFOUND: no candidates / no cases, or a case that does not exist
 * (or the reader may not see); KE_INVALID: a draft ("publish the draft
 * first"), a case more restrictive than the TLP asked for (named), a bad
 * name, date or TLP; messages say which.
 */
int kpubreport_assemble(struct kstore *st, const struct kpubreport_spec *spec, struct kpubreport *r,
			struct kerr *err);

/* The generated introduction (はじめに) for r's cases and period, malloc'ed, or NULL (no memory). */
char *kpubreport_intro(const struct kpubreport *r);

/*
 * What the case list shows of case c in its overview column (lessons 0) or
 * main lessons column (1), appended to out (copies): the summary or the key
 * lessons, or when it has none the first two lines of 背景 or three of
 * 得られた気付き・教訓, each without its own bullet.  The HTML, Markdown and
 * PDF lists all show this.  0 or KE_NOMEM.
 */
int kpubreport_list_cell(const struct kcase *c, int lessons, struct kstrv *out);

/* Is s a report name: [A-Za-z0-9._~-], 1..100 bytes, not starting with a dot? */
int kpubreport_name_valid(const char *s);

/* ---- writing (pubreport.c, pubreport_md.c) ---- */

#include "store_publish.h"

enum {
	KPUB_PDF = 1,        /* also report.pdf (kpdfdoc_report) */
};

/*
 * Every file of the report into files: index.html, cases/ID.html,
 * report.md, report.css, report.json (kpubreport_to_json: what the site
 * shows the report from), with KPUB_PDF report.pdf.  When the PDF cannot be
 * made on this machine (KE_UNSUPPORTED) the other files are made and
 * *pdf_note (may be NULL) says why there is no PDF (static storage); any
 * other failure fails the whole.
 */
int kpubreport_render(const struct kpubreport *r, int flags, struct kpubfiles *files, const char **pdf_note,
		      struct kerr *err);

/*
 * The site's pages of a report (/reports/NAME and /reports/NAME/cases/ID):
 * the body of index.html and of case i's page, printed with w (escaped by
 * construction), links under /reports/NAME; has_pdf: link report.pdf.
 */
struct html;
void kpubreport_html_index(struct html *w, const struct kpubreport *r, int has_pdf);
void kpubreport_html_case(struct html *w, const struct kpubreport *r, size_t i);

/*
 * The report as JSON (front matter, the cases in the interchange format,
 * the 総括), and back: what the database keeps so the site shows the
 * report as it was published.  from_json: r zeroed; KE_PARSE if s is not
 * what to_json writes.
 */
int kpubreport_to_json(const struct kpubreport *r, struct kbuf *out);
int kpubreport_from_json(struct kpubreport *r, const char *s, size_t len, struct kerr *err);

/* The report as Markdown (pandoc's dialect: pipe tables), appended to out. */
int kpubreport_markdown(const struct kpubreport *r, struct kbuf *out);

/*
 * Write files into folder dir atomically: into a new temporary folder
 * next to it (dir.tmp-XXXXXX), renamed to dir at the end.  An existing
 * non-empty dir is refused (KE_EXISTS) unless force, which replaces it
 * (the old one is renamed away and removed after the new one is in
 * place).  On any failure nothing is left behind.  KE_IO with the path.
 */
int kpubreport_write_dir(const struct kpubfiles *files, const char *dir, int force, struct kerr *err);

/* The report's stylesheet (assets/report.css, compiled in). */
const char *kpubreport_css(size_t *len);

#endif
