/*
 * pdf.h - the text of a published report in PDF, for the importer.
 *
 * kyokun's importer was tuned on `pdftotext` (without -layout) output, so
 * the text comes out the same way: pages in order, each ended by a form
 * feed (\f); within a page the text in reading order (two columns read
 * column by column), one output line per text line, an empty line after
 * each run of text that pdftotext keeps together (a "flow": a column, a
 * page number, a table column), and a word broken by a hyphen at the end
 * of a line joined again.  The text is UTF-8 without NUL or other control
 * characters (except \n and \f as described, and \t).
 *
 *     struct kbuf text = KBUF_INIT;
 *     struct kerr err = KERR_INIT;
 *     int npages;
 *     kbuf_setcap(&text, 64 << 20);
 *     if (kpdf_extract("report.pdf", &text, &npages, &err) < 0)
 *             fprintf(stderr, "kyokun: %s\n", err.msg);
 *
 * Poppler's own diagnostics (syntax errors in damaged files, ...) never go
 * to stderr; the first one is used in the error message.  Set the
 * environment variable KYOKUN_PDF_DEBUG=1 to see them all on stderr.
 * Safe to call from several threads at once (each call has its own
 * document).
 */
#ifndef KYOKUN_PDF_H
#define KYOKUN_PDF_H

#include <stddef.h>

struct kbuf;
struct kerr;

/*
 * Extract the text of the PDF file at path and append it to out (which is
 * left unchanged on failure; out->cap is honoured: KE_TOOBIG).  *npages
 * (if npages is non-NULL) gets the number of pages.  Returns 0 or:
 *   KE_NOTFOUND / KE_IO  the file cannot be read
 *   KE_PARSE  "not a PDF file" (also for an empty file), truncated or
 *             damaged, or "encrypted PDF: ..." (a password is needed;
 *             PDFs that only restrict copying or printing are read)
 *   KE_INVALID "no text in this PDF (scanned images?): no text layer; run
 *             OCR first"
 *   KE_TOOBIG, KE_NOMEM
 * Messages start with the path.
 */
int kpdf_extract(const char *path, struct kbuf *out, int *npages, struct kerr *err);

/* The same for a PDF in memory (data is only read, and not kept). */
int kpdf_extract_mem(const void *data, size_t len, struct kbuf *out, int *npages,
		     struct kerr *err);

/* The title in a PDF's metadata (malloc'd), or NULL: none, not a PDF, no poppler. */
char *kpdf_title_mem(const void *data, size_t len);

/* 1 if data looks like a PDF (starts with "%PDF-"), else 0. */
int kpdf_sniff(const void *data, size_t len);

#endif
