/*
 * theme.h - the 総括 (cross-case lessons): the lessons of a set of cases
 * grouped into themes computed from their text (緊急連絡体制, バックアップ,
 * 資産管理, 委託先管理, 訓練・演習 ...), each theme with the cases it comes
 * from, each lesson marked 共通 (shared by several organisations) or 固有
 * (specific to one).  Analysts rename, merge and split themes; their edits
 * are a JSON text (stored by the store, opaque to callers) reapplied on
 * every computation.  Output layer (may use the tokenizer and segmenter).
 */
#ifndef KYOKUN_THEME_H
#define KYOKUN_THEME_H

#include <stddef.h>

#include "case.h"

struct kerr;

struct ktheme_lesson {
	size_t case_index; /* into the cases given to ktheme_compute() */
	char *text;        /* the lesson as written in the case */
	int shared;        /* 1: 共通 (several organisations), 0: 固有 */
	size_t item;       /* its number (1..) among the lessons of its case: the
			    * lesson's reference is "CASEID#item" (edits name it so) */
};

struct ktheme {
	char *key;  /* stable across computations of the same cases (edits refer to it) */
	char *name; /* shown: 緊急連絡体制 ... (an analyst's rename wins) */
	char *name_en; /* English, or NULL */
	struct ktheme_lesson *lessons;
	size_t n, alloc;
	int other;     /* the その他 theme (key "other"): lessons like no other, each 固有 */
	int edited;    /* an analyst's edit changed its name or its lessons */
};

struct ktheme_list {
	struct ktheme *v;
	size_t n, alloc;
	struct kstrv notes; /* what a reader of the 総括 should know: no lessons, an
			     * edit skipped (its theme or lesson is gone), lessons cut */
};

#define KTHEME_OTHER_KEY "other"
/* Lessons grouped at most; the rest go to その他 with a note. */
#define KTHEME_MAX_LESSONS 4000

/*
 * The lessons of case c as ktheme_compute() sees them, appended to out
 * (copies): the bullets (or paragraphs) of its 得られた気付き・教訓
 * section, each with the lines that explain it, then each key lesson not
 * already among them.  Returns their number, or KE_NOMEM.
 */
int ktheme_lessons(const struct kcase *c, struct kstrv *out);

void ktheme_list_free(struct ktheme_list *l);

/*
 * The themes of the lessons of cases[0..n) (each case's 得られた気付き・教訓
 * section and key lessons), largest first, with edits (JSON text from the
 * store, or NULL) applied.  An edit that no longer applies (its theme is
 * gone) is skipped, never an error.  KE_NOMEM; KE_PARSE for edits that are
 * not the JSON ktheme_compute writes.
 *
 * How: each lesson is a vector of its content words (runs of kanji, of
 * katakana, Latin words; kanji bigrams and katakana trigrams for partial
 * matches; generic words such as 重要 or 必要 left out), weighted by how
 * rare they are among the lessons (idf); lessons are grouped by average-
 * linkage clustering of their cosine similarity, cut at KTHEME_THRESHOLD.
 * A theme is named from a small vocabulary of practice (緊急連絡体制,
 * バックアップ, ...) when half of its lessons use its words, else by its
 * two weightiest words.  Lessons alike to no other are the その他 theme,
 * last.  Keys: the vocabulary's key for a named theme ("backup"), else
 * "t-" and a hash of its first lesson's reference; "other"; an analyst's
 * new theme "u-N".  Same cases, same keys.
 *
 * Edits: {"edits": [EDIT, ...]} (or the bare array), each EDIT one of
 *   {"op":"rename", "theme":KEY, "name":TEXT}
 *   {"op":"merge",  "theme":KEY, "with":KEY2}        KEY2's lessons join KEY
 *   {"op":"move",   "lesson":"CASEID#N", "to":KEY [, "name":TEXT]}
 *                   (KEY "u-N" is created when absent: a split)
 * in the order given; other members ("by", "at") are ignored.
 */
#define KTHEME_THRESHOLD 0.10
int ktheme_compute(const struct kcase *cases, size_t n, const char *edits, struct ktheme_list *out,
		   struct kerr *err);

/*
 * An analyst's edit of the themes tl (computed from cases[0..n) with the
 * kept edits `kept`, or NULL), checked against them, as the JSON object
 * kstore_theme_edit_add() keeps (*json malloc'ed): op "rename" (a: KEY,
 * b: NAME), "merge" (a: KEY1 takes the lessons of b: KEY2), "move" (a:
 * CASEID#N, b: KEY, or "new" for a new theme u-N, named name if given).
 * KE_NOTFOUND naming the theme or lesson that is not there; KE_INVALID for
 * a wrong name or op; KE_NOMEM.
 */
int ktheme_edit_make(const struct kcase *cases, size_t n, const struct ktheme_list *tl, const char *kept,
		     const char *op, const char *a, const char *b, const char *name, char **json, struct kerr *err);

/*
 * The cases of a 総括's scope, for the command and the page (theme_scope.c):
 * exactly one of period (the cases chosen for that survey period, or when
 * none is kept, the cases of that year, with a note), document (the cases
 * of a published report) or ids (cases or drafts).  Only what reader may
 * see.  scope gets the scope the edits are kept under: the period, the
 * document, or "select:" and the ids as given (malloc'ed).
 */
struct kstore;
struct kreader;
struct ktheme_scope {
	const char *period;
	const char *document;
	const char *ids; /* "ID,ID,..." */
};
int ktheme_scope_cases(struct kstore *st, const struct kreader *reader, const struct ktheme_scope *s,
		       struct kcase_list *cases, char **scope, struct kstrv *notes, struct kerr *err);

#endif
