/*
 * import.h - split the text of a published incident-case report into cases.
 *
 * The input is the text of one report (UTF-8, as pdftotext or a similar
 * converter prints it): a NISC supplementary survey (補完調査) with numbered
 * case pages (`事例１ タイトル １／３`, `【１ 背景】` ...), or a case
 * collection (事例集) with header facts, `１．概要`, `３．時系列` and
 * `４．まとめ`.  The importer recognises the case list at the start (titles,
 * categories, overviews, 主な気付き・教訓), the case pages, the headings of
 * the body sections in their several spellings (wherever they are printed:
 * before their body, after it, or all in a bunch), the header facts and the
 * timeline, and drops what is not text of the case (page numbers and
 * markers, running headers, figure labels).  Where the layout does not say
 * which section a paragraph belongs to, a small lexicon of cue words decides.
 *
 * Every case gets: id (derived from `document` and the case number, stable
 * across imports of the same document, URL-safe), title, source (document,
 * publisher, year, case_number, page_marker), category, summary,
 * key_lessons, attributes, sections, timeline, and tlp "clear".  Tags are
 * left empty.  Beside the spec's fields: title_derived where the report
 * prints no title, and in extra an "import" member: {"confidence":
 * "high"|"medium"|"low", "blocks": [{"section", "how", "text"}]}, every
 * placed block in order with the section key (or "summary", "key_lessons")
 * and how it was placed ("heading", "order" of the template, "cue" words).
 *
 *     struct kimport_result res;
 *     struct kerr err = KERR_INIT;
 *     if (kimport_text(text, len, "report.txt", &res, &err) < 0)
 *             fprintf(stderr, "kyokun: report.txt: %s\n", err.msg);
 *     ...
 *     kimport_result_free(&res);
 */
#ifndef KYOKUN_IMPORT_H
#define KYOKUN_IMPORT_H

#include <stddef.h>

#include "case.h"

struct kbuf;
struct kerr;

/*
 * Larger texts are refused with KE_TOOBIG (a report is well under 1 MiB and
 * a few thousand lines), and so are texts of more lines: the importer keeps
 * some 100 bytes for each line, so a text of short or blank lines would
 * otherwise take far more memory than its size.
 */
#define KIMPORT_MAX_TEXT (64u << 20)
#define KIMPORT_MAX_LINES 100000
/* A report in PDF may be larger (kimport_read_file). */
#define KIMPORT_MAX_PDF (256u << 20)
/* --explain: at most this many unplaced lines, then a line that counts the rest. */
#define KIMPORT_MAX_UNPLACED 10000

struct kimport_result {
	struct kcase_list cases; /* owned, in the order of the report */
	struct kstrv unplaced;   /* "line N: <text> — why", for --explain */
	int year;                /* survey year found, or 0 */
	int unknown_layout;      /* no case header or heading was recognised: the text was
				    taken as one case, every block placed by cue words only */
};

/*
 * Split text[0..len) into cases.  document is source.document (the file's
 * base name); ids derive from it.  res is initialised here (any previous
 * content is not freed) and must be kimport_result_free()d, also on error.
 *
 * Text of a layout the importer does not know (no case header, no heading)
 * but with sentences is imported best effort as one case whose blocks are
 * all placed by cue words (confidence "low"; res->unknown_layout set).
 *
 * Errors: KE_PARSE for invalid UTF-8 or binary data (NUL or control bytes),
 * KE_TOOBIG past KIMPORT_MAX_TEXT or KIMPORT_MAX_LINES, KE_INVALID "no case
 * found in this text" when the text holds no sentence to place (an empty
 * result is an error), KE_NOMEM.
 */
int kimport_text(const char *text, size_t len, const char *document,
		 struct kimport_result *res, struct kerr *err);

void kimport_result_free(struct kimport_result *res);

struct json_t;

/*
 * How sure an import is of a case, from its import blocks ([{"section",
 * "how", "text"}]): "high" when every block sat under its heading or was
 * looked at by a reviewer ("reviewed"), "low" when a quarter or more were
 * placed by cue words only (or there is no block), else "medium" (some by
 * the template's order, or a few by cue words).
 */
const char *kimport_confidence(const struct json_t *blocks);

/* What a report's first page says it is (import_cite.c); NULL / "" if not found. */
struct kimport_cite {
	char *title;          /* a line naming a report (報告書, 調査, について …) */
	char *publisher;      /* a line naming an office or body (内閣, 省, 庁, 機構 …) */
	char published[16];   /* the first date printed (2021年5月31日 -> 2021-05-31) */
};
int kimport_cite_guess(const char *text, size_t len, struct kimport_cite *out);
void kimport_cite_free(struct kimport_cite *c);
/* source.page of each case: the page its body starts on, when text has form feeds. */
void kimport_pages(const char *text, size_t len, struct kimport_result *res);

/*
 * Read the file of a report (text or PDF, for kimport_text() or
 * kpdf_extract_mem()) at path, or standard input for "-", into out (empty,
 * and without a cap of its own).  Only a regular file is read: a FIFO, a
 * device or a socket could block or never end, and is refused (KE_INVALID
 * "not a regular file") before one byte is read.  A PDF (by its first bytes
 * or a .pdf name) may have up to KIMPORT_MAX_PDF bytes; anything else is
 * text, of up to KIMPORT_MAX_TEXT bytes, and reading stops at its first NUL
 * byte (KE_PARSE "binary data").  Also KE_NOTFOUND, KE_IO (a directory
 * too), KE_TOOBIG, KE_NOMEM; messages start with the path.  out is
 * released on error.
 */
int kimport_read_file(const char *path, struct kbuf *out, struct kerr *err);

#endif
