/*
 * pdfdoc.h - PDF output: a published report and a single case, A4, typeset
 * with pango and cairo (Japanese fonts embedded), with a table of contents,
 * page numbers, the case list as a table and, when not TLP:CLEAR, the TLP
 * label in the header and footer of every page as TLP 2.0 asks (output
 * layer).
 *
 * pango and cairo are loaded with dlopen at the first PDF (as pdf.c does
 * with poppler), so other commands do not pay for loading them; a machine
 * without them gets KE_UNSUPPORTED with a message saying what to install.
 */
#ifndef KYOKUN_PDFDOC_H
#define KYOKUN_PDFDOC_H

#include "case.h"
#include "pubreport.h"

struct kerr;
struct kbuf;

/* The whole report r as a PDF appended to out. */
int kpdfdoc_report(const struct kpubreport *r, struct kbuf *out, struct kerr *err);

/* What a single case's PDF prints besides the case: its source and date. */
struct kpdfdoc_meta {
	const char *generated; /* the date printed (YYYY-MM-DD) */
	const char *url;       /* where the case is read online, or NULL */
};

/* One case as a PDF (its id, source, date and TLP on every page) appended to out. */
int kpdfdoc_case(const struct kcase *c, const struct kpdfdoc_meta *m, struct kbuf *out, struct kerr *err);

#endif
