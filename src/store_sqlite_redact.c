/*
 * store_sqlite_redact.c - the SQLite backend of store_redact.h.  STUB from
 * the issue-13 seam: h-redact replaces it (tables in migration 10).
 */
#include "store_redact.h"
#include "store_sqlite.h"
#include "kerr.h"

int kstore_redact_unresolved(struct kstore *st, const struct kcase *c, struct kfinding_list *out,
			     struct kerr *err)
{
	(void)st;
	return kredact_check(c, NULL, out, err);
}
