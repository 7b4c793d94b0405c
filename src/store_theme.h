/*
 * store_theme.h - the analysts' edits of the 総括's themes (rename, merge,
 * split), kept per scope and reapplied by ktheme_compute() (the neutral
 * store API; SQL in store_sqlite_theme.c).  Issue 13: h-themes owns it and
 * adds the rest.
 */
#ifndef KYOKUN_STORE_THEME_H
#define KYOKUN_STORE_THEME_H

#include "store.h"

struct kstore;
struct kerr;

/*
 * The edits of scope (a survey period "2025", or a published report's
 * name) as the JSON text ktheme_compute() takes; *json = NULL when there
 * are none, else malloc'ed (the caller frees it).  KE_NOMEM, KE_DB.
 */
int kstore_theme_edits_get(struct kstore *st, const char *scope, char **json, struct kerr *err);

#endif
