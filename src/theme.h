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
};

struct ktheme {
	char *key;  /* stable across computations of the same cases (edits refer to it) */
	char *name; /* shown: 緊急連絡体制 ... (an analyst's rename wins) */
	char *name_en; /* English, or NULL */
	struct ktheme_lesson *lessons;
	size_t n, alloc;
};

struct ktheme_list {
	struct ktheme *v;
	size_t n, alloc;
};

void ktheme_list_free(struct ktheme_list *l);

/*
 * The themes of the lessons of cases[0..n) (each case's 得られた気付き・教訓
 * section and key lessons), largest first, with edits (JSON text from the
 * store, or NULL) applied.  An edit that no longer applies (its theme is
 * gone) is skipped, never an error.  KE_NOMEM; KE_PARSE for edits that are
 * not the JSON ktheme_compute writes.
 */
int ktheme_compute(const struct kcase *cases, size_t n, const char *edits, struct ktheme_list *out,
		   struct kerr *err);

#endif
