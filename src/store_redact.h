/*
 * store_redact.h - anonymisation in the store: the names to look for in a
 * case besides its owner's, and the findings an analyst dismissed (the
 * neutral store API; SQL in store_sqlite_redact.c).  Issue 13: h-redact
 * owns it and adds the rest.
 */
#ifndef KYOKUN_STORE_REDACT_H
#define KYOKUN_STORE_REDACT_H

#include "case.h"
#include "redact.h"
#include "store.h"

struct kstore;
struct kerr;

/*
 * What still stands in the way of publishing c: kredact_check(c, names)
 * with the names stored for c's id (and its owner's), less the findings
 * an analyst dismissed.  Appended to out.  KE_NOMEM, KE_DB.
 */
int kstore_redact_unresolved(struct kstore *st, const struct kcase *c, struct kfinding_list *out,
			     struct kerr *err);

#endif
