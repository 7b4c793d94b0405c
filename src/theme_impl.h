/*
 * theme_impl.h - private to the theme module (theme.c, theme_edit.c).
 */
#ifndef KYOKUN_THEME_IMPL_H
#define KYOKUN_THEME_IMPL_H

#include <stdarg.h>

#include "theme.h"

void ktheme_free_one(struct ktheme *t);
/* Append a theme (copies key, name, name_en); *t points at it until the next append. */
int ktheme_add(struct ktheme_list *out, const char *key, const char *name, const char *name_en,
	       struct ktheme **t);
int ktheme_note(struct ktheme_list *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop emptied themes, mark 共通/固有, order themes and lessons. */
void ktheme_finish(const struct kcase *cases, struct ktheme_list *out);

/* theme_edit.c: parse edits (NULL or "": none) into *parsed; KE_PARSE naming the edit. */
int ktheme_edits_parse(const char *edits, void **parsed, struct kerr *err);
/* Apply them in order; one that no longer applies is a note. */
int ktheme_edits_apply(void *parsed, const struct kcase *cases, size_t n, struct ktheme_list *out);
void ktheme_edits_free(void *parsed);

#endif
