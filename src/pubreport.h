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

#endif
