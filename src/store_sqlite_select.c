/*
 * store_sqlite_select.c - the SQLite backend of store_select.h.  STUB from
 * the issue-13 seam: h-select replaces it (tables in migration 9).
 */
#include "store_select.h"
#include "store_sqlite.h"
#include "kerr.h"

int kstore_selection_cases(struct kstore *st, const char *period, struct kstrv *ids, struct kerr *err)
{
	(void)st;
	(void)period;
	(void)ids;
	(void)err;
	return 0;
}
