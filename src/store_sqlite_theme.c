/*
 * store_sqlite_theme.c - the SQLite backend of store_theme.h.  STUB from
 * the issue-13 seam: h-themes replaces it (tables in migration 13).
 */
#include "store_theme.h"
#include "store_sqlite.h"
#include "kerr.h"

int kstore_theme_edits_get(struct kstore *st, const char *scope, char **json, struct kerr *err)
{
	(void)st;
	(void)scope;
	(void)err;
	*json = NULL;
	return 0;
}
