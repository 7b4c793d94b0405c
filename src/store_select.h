/*
 * store_select.h - the selection of a survey period: scores, overrides and
 * the shortlist kept with its reasons (the neutral store API; SQL in
 * store_sqlite_select.c, tables of migration 9).  The model (criteria,
 * period, the shortlist rule) is select.h.
 *
 * Candidates of a period (kselect_period): every case draft whose period
 * time falls in it (its incident's detection time, else its creation), and
 * every incident marked 事例候補 detected in it that has no case draft (an
 * incident with a draft is shown once, as its draft).  Scores and
 * overrides are kept per period and candidate id; a draft made from an
 * incident after the incident was scored keeps those scores (the draft's
 * own win per criterion), and its incident id is accepted for it.
 *
 * Writes are one transaction each and audited: select.score (detail
 * "period=P criterion=K score=N"), select.decide ("period=P in|out|clear:
 * REASON"), select.keep ("period=P N in of M").  The caller checks who may
 * (kreader_may_see_drafts: analysts, publishers, the local operator).
 */
#ifndef KYOKUN_STORE_SELECT_H
#define KYOKUN_STORE_SELECT_H

#include <time.h>

#include "case.h"
#include "select.h"
#include "store.h"

struct kstore;
struct kerr;

/*
 * The ids of the cases chosen for period (the kept shortlist with the
 * analysts' overrides applied), in the shortlist's order, appended to ids:
 * a chosen incident gives the case (or draft) made from it, a chosen draft
 * its own id.  None chosen (or no selection for period): ids unchanged, 0.
 * period: a key as kselect_period_parse() gives it ("2025").  An incident
 * without a case or draft gives nothing.  Overrides made after the keep
 * apply too: an "out" removes, an "in" is added at the end.
 */
int kstore_selection_cases(struct kstore *st, const char *period, struct kstrv *ids, struct kerr *err);

/* One candidate as the store gives it: c for kselect_shortlist(), its strings owned by the entry. */
struct kselect_entry {
	struct kselect_cand c;
	char *incident;                  /* a draft's incident, or NULL */
	char *case_id;                   /* an incident's case (published), or NULL */
	char *sector_list;               /* the sectors' tags, comma-separated (owned; c.sectors point into it) */
	char *note[KSELECT_NCRITERIA];   /* per criterion: the note ("" none), who scored and when; NULL unscored */
	char *scorer[KSELECT_NCRITERIA];
	char *scored_at[KSELECT_NCRITERIA];
	char *decided_at;
	char *kept_reason;               /* the reason kept by the last keep, or NULL */
	struct kstrv own;                /* the other strings */
};

struct kselect_set {
	struct kselect_entry *v;
	size_t n;
	char *kept_at, *kept_by;         /* the last keep, or NULL */
};
void kselect_set_free(struct kselect_set *s);

/* The candidates of p, oldest first (then by id), with scores, notes and overrides, into set (freed first). */
int kstore_selection_load(struct kstore *st, const struct kselect_period *p, struct kselect_set *set,
			  struct kerr *err);

/*
 * Score candidate id (a candidate of p: KE_NOTFOUND "id: ... is not a
 * candidate of PERIOD" otherwise) on criterion (0..7) with score 0..3 and
 * note (NULL: none; UTF-8, at most KSELECT_NOTE_MAX bytes), replacing any
 * earlier score of that criterion; who and when are kept.  KE_INVALID
 * naming the field (criterion, score, note).
 */
int kstore_selection_score(struct kstore *st, const struct kselect_period *p, const char *id, int criterion,
			   int score, const char *note, time_t now, struct kerr *err);

/*
 * An analyst's override: decision 1 in, -1 out (reason required: UTF-8,
 * 1..KSELECT_REASON_MAX bytes), 0 clear the override (reason ignored).
 */
int kstore_selection_decide(struct kstore *st, const struct kselect_period *p, const char *id, int decision,
			    const char *reason, time_t now, struct kerr *err);

/*
 * Keep the shortlist: every candidate of set (after kselect_shortlist()
 * with res) with in/out, position and reason, replacing what was kept for
 * p before.
 */
int kstore_selection_keep(struct kstore *st, const struct kselect_period *p, const struct kselect_set *set,
			  const struct kselect_result *res, time_t now, struct kerr *err);

/* What a keep stored for a case, draft or incident (選定理由 on its page). */
struct kselect_kept_row {
	const char *period, *candidate, *kind, *reason, *kept_by, *kept_at;
	int chosen, position, total;
};
typedef int (*kstore_kept_cb)(void *ctx, const struct kselect_kept_row *r);
/*
 * The kept rows of id (a candidate id, or the case or draft made from a
 * kept incident), newest period first.
 */
int kstore_selection_reasons(struct kstore *st, const char *id, kstore_kept_cb cb, void *ctx, struct kerr *err);

#endif
