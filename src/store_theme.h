/*
 * store_theme.h - the analysts' edits of the 総括's themes (rename, merge,
 * split), kept per scope and reapplied by ktheme_compute() (the neutral
 * store API; SQL in store_sqlite_theme.c).  Each edit is kept with who
 * made it and when; every change is audited (theme.edit, theme.undo).
 */
#ifndef KYOKUN_STORE_THEME_H
#define KYOKUN_STORE_THEME_H

#include "store.h"

struct kstore;
struct kerr;

/* Longest scope name, and longest edit (its JSON), in bytes. */
#define KTHEME_SCOPE_MAX 1000
#define KTHEME_EDIT_MAX 4000

/*
 * The edits of scope (a survey period "2025", or a published report's
 * name) as the JSON text ktheme_compute() takes; *json = NULL when there
 * are none, else malloc'ed (the caller frees it).  KE_NOMEM, KE_DB.
 * The text is {"edits": [EDIT, ...]} in the order they were made, each
 * EDIT as given to kstore_theme_edit_add() with "n" (its number), "by"
 * (who: a login, local:OSUSER) and "at" (when, UTC) added.
 */
int kstore_theme_edits_get(struct kstore *st, const char *scope, char **json, struct kerr *err);

/*
 * Keep one more edit of scope: edit is one JSON object of theme.h's edit
 * forms ({"op":"rename",...}); the actor set with kstore_set_actor() is its
 * author.  KE_INVALID (not one object, too long, scope empty or too long),
 * KE_DB.  Audited: theme.edit (object themes:SCOPE, detail the edit).
 */
int kstore_theme_edit_add(struct kstore *st, const char *scope, const char *edit, struct kerr *err);

/*
 * Forget the latest edit of scope (undo).  KE_NOTFOUND when scope has
 * none.  Audited: theme.undo (detail the edit forgotten).
 */
int kstore_theme_edit_undo(struct kstore *st, const char *scope, struct kerr *err);

#endif
