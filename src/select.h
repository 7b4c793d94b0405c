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
 *
 * The period (kselect_period_parse):
 *   "2025"                     年度 2025: 2025-04-01 00:00 to 2026-04-01 00:00 JST
 *   "2025-01-01..2025-12-31"   a calendar range, both days included, in JST
 * An incident belongs to the period of its detection time (detected_at);
 * a case draft to its incident's detection time, or, made without an
 * incident, to the time it was created.
 *
 * The shortlist (kselect_shortlist), exactly:
 *   1. A candidate with an analyst's override is in or out as decided
 *      (an "in" counts towards the size and the sector caps, even beyond
 *      them).  A candidate without any score is out ("not scored").
 *   2. The total is the sum of the scores given (0-3 each, 8 criteria,
 *      at most 24; a criterion not scored counts 0 and the reason says
 *      how many were scored).
 *   3. The free places (size minus the overrides in) are filled one at a
 *      time.  Eligible: scored, not decided, and none of its sectors has
 *      reached the cap yet.  Among the eligible whose total is within
 *      KSELECT_NEAR (1) point of the best eligible total, the one whose
 *      category has the fewest cases on the list so far is taken; then
 *      the higher total, then the higher 得られる気付き・教訓 score, then
 *      the earlier detection (period) time, then the id.
 *   1a. The overrides in are listed first, in the order of their scores.
 *   4. Every candidate left out gets the first reason that holds: its
 *      sector is full ("out: 電力 already has 2 (cap 2; score 18)"), it is
 *      below the cut (the lowest total the algorithm took: "out: below the
 *      cut (score 9, the cut is 12)"), it is tied at the cut and lost the
 *      tie-break ("out: tied at the cut (score 12) and lost the tie-break"),
 *      it scored above the cut and lost to the category spread ("out:
 *      category マルウェア already has 2; spread to others within 1 point"),
 *      or the list is full of overrides.
 */
#ifndef KYOKUN_SELECT_H
#define KYOKUN_SELECT_H

#include <stddef.h>
#include <time.h>

struct kerr;
struct kbuf;

#define KSELECT_NCRITERIA 8 /* the seven criteria, then 事案の対応の優劣 */
#define KSELECT_MAX_SCORE 3
#define KSELECT_NEAR 1            /* totals this close are a near tie: categories spread */
#define KSELECT_DEFAULT_SIZE 10
#define KSELECT_DEFAULT_CAP 3
#define KSELECT_MAX_SIZE 1000
#define KSELECT_NOTE_MAX 2000     /* bytes of a score's note */
#define KSELECT_REASON_MAX 2000   /* bytes of an override's reason */
#define KSELECT_MAX_SECTORS 16

struct kselect_criterion {
	const char *key;   /* "damage", "severity", ... (JSON, CLI) */
	const char *ja;    /* as the survey publishes it */
	const char *en;
};

/* The criteria in the survey's order; kselect_criteria[7] is 事案の対応の優劣. */
extern const struct kselect_criterion kselect_criteria[KSELECT_NCRITERIA];

/* The consideration on top of the scores, kept by the shortlist: 分野のバランス. */
extern const struct kselect_criterion kselect_balance;

/* The index of a criterion given by key, by its number 1-8, or by its Japanese text; -1 if none. */
int kselect_criterion_parse(const char *s);

/* ---- the period ------------------------------------------------------------ */

struct kselect_period {
	char key[32];      /* normalised: "2025" or "2025-01-01..2025-12-31" (what scores are kept under) */
	char since[24];    /* UTC ISO (ktime_iso), included */
	char until[24];    /* UTC ISO, excluded */
	char label[96];    /* "年度 2025 (2025-04-01 – 2026-03-31 JST)" */
};

/* Parse "YYYY" or "YYYY-MM-DD..YYYY-MM-DD" (1990-2999).  0 or KE_INVALID "period: ...". */
int kselect_period_parse(const char *s, struct kselect_period *p, struct kerr *err);

/* ---- candidates and the shortlist -------------------------------------------- */

enum kselect_kind { KSELECT_INCIDENT = 0, KSELECT_DRAFT };
const char *kselect_kind_name(int kind); /* "incident", "draft" */

/* Why a candidate is in or out. */
enum kselect_why {
	KSELECT_IN_RANK = 0,   /* in by score */
	KSELECT_IN_SPREAD,     /* in by score, taken over a near tie to spread categories */
	KSELECT_IN_OVERRIDE,   /* an analyst put it in */
	KSELECT_OUT_OVERRIDE,  /* an analyst left it out */
	KSELECT_OUT_UNSCORED,  /* no score yet */
	KSELECT_OUT_CAP,       /* its sector is full */
	KSELECT_OUT_CUT,       /* below the cut */
	KSELECT_OUT_SPREAD,    /* lost a near tie to the category spread */
	KSELECT_OUT_FULL,      /* the overrides filled the list */
	KSELECT_OUT_TIE,       /* tied at the cut and lost the tie-break */
};
const char *kselect_why_name(int why); /* "rank", "spread", "override", "override", "unscored", "cap", "cut", "spread", "full", "tie" */

/*
 * One candidate: what the caller fills (strings borrowed; sectors are tags,
 * category any label), and what kselect_shortlist() sets.
 */
struct kselect_cand {
	const char *id;
	int kind;                      /* KSELECT_* */
	const char *title;
	const char *sectors[KSELECT_MAX_SECTORS];
	size_t nsectors;
	const char *category;          /* NULL or "": no category (one group of its own) */
	const char *when;              /* the period time (UTC ISO) for the order of ties */
	int score[KSELECT_NCRITERIA];  /* 0-3, or -1 not scored */
	int decision;                  /* 0 none, 1 in, -1 out (an analyst's override) */
	const char *decision_reason;
	const char *decided_by;
	/* set by kselect_shortlist() */
	int total, nscored;
	int rank;                      /* 1 + the number of scored candidates with a higher total; 0 unscored */
	int in;                        /* on the shortlist */
	int position;                  /* 1.. on the shortlist, 0 out */
	int why;                       /* KSELECT_IN_* / KSELECT_OUT_* */
	const char *why_sector;        /* OUT_CAP: the full sector (tag) */
	int why_count;                 /* OUT_CAP: cases of that sector in; *_SPREAD: of the category */
};

struct kselect_params {
	int size;  /* 1..KSELECT_MAX_SIZE */
	int cap;   /* cases per sector, >= 1 */
};

struct kselect_result {
	int size, cap;
	int nin;          /* on the list */
	int cut;          /* the lowest total the algorithm took; -1 none */
	int noverride_in;
	int nunscored;
};

/* The order candidates are shown in (the command, the page): the shortlist by position, then the
 * others by total, the unscored last, then by id.  <0, 0, >0 as strcmp. */
int kselect_cand_cmp_shown(const struct kselect_cand *x, const struct kselect_cand *y);

/* The shortlist of the n candidates c.  0 or KE_INVALID ("size: ...", "cap-per-sector: ..."). */
int kselect_shortlist(struct kselect_cand *c, size_t n, const struct kselect_params *p, struct kselect_result *res,
		      struct kerr *err);

/*
 * Why c is in or out, one line appended to out ("in: 2nd by score 17/24",
 * "out: 電力 already has 2 (cap 2)", "out: below the cut (score 9, the cut
 * is 12)", "out: not scored", "in: chosen by LOGIN: REASON").  Sectors by
 * their Japanese names.  0 or KE_NOMEM.
 */
int kselect_reason(const struct kselect_cand *c, const struct kselect_result *res, struct kbuf *out);
/* The same in Japanese ("選定: 得点順 2位 (17/24)", "対象外: 電力 は既に 2 件 (上限 2)", ...), for pages. */
int kselect_reason_ja(const struct kselect_cand *c, const struct kselect_result *res, struct kbuf *out);

#endif
