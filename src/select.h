/*
 * select.h - choosing the cases of a survey period by the published
 * criteria (model layer; no I/O).
 *
 * For a period, the candidates are the incidents marked 事例候補 and the
 * case drafts.  An analyst scores each against the seven criteria, 0-3
 * with a note each, plus 事案の対応の優劣 as an eighth score; 分野のバランス
 * is what the shortlist keeps (a cap per sector, categories spread).
 * kselect_shortlist() proposes N and says for every candidate why it is
 * in or out; an analyst's override wins and its reason is kept.
 */
#ifndef KYOKUN_SELECT_H
#define KYOKUN_SELECT_H

#include <stddef.h>

struct kerr;

#define KSELECT_NCRITERIA 8 /* the seven criteria, then 事案の対応の優劣 */

struct kselect_criterion {
	const char *key;   /* "damage", "severity", ... (JSON, CLI) */
	const char *ja;    /* as the survey publishes it */
	const char *en;
};

/* The criteria in the survey's order; kselect_criteria[7] is 事案の対応の優劣. */
extern const struct kselect_criterion kselect_criteria[KSELECT_NCRITERIA];

/* The consideration on top of the scores, kept by the shortlist: 分野のバランス. */
extern const struct kselect_criterion kselect_balance;

#endif
