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

/*
 * The names stored for case (or draft) id: organisations to look for
 * besides its owner (a customer, a subsidiary, the product's maker ...).
 * kstore_redact_name_add(): name non-empty, at most KREDACT_NAME_MAX bytes,
 * UTF-8 without control characters (KE_INVALID); KE_EXISTS if already
 * stored; audited redact.name (object case:ID, detail the name).
 * kstore_redact_names(): appended to out in the order they were added.
 */
#define KREDACT_NAME_MAX 256
#define KREDACT_REASON_MAX 2000
int kstore_redact_name_add(struct kstore *st, const char *id, const char *name, struct kerr *err);
int kstore_redact_names(struct kstore *st, const char *id, struct kstrv *out, struct kerr *err);

/*
 * A finding an analyst judged not to identify anyone (kept as it is): every
 * finding of that kind with exactly that text in case id.  kind: a
 * kfinding_kind_key(); text as the finding has it (at most 1,000 bytes);
 * reason required (at most KREDACT_REASON_MAX bytes).  KE_INVALID,
 * KE_EXISTS if already dismissed.  Audited redact.dismiss with the actor
 * (object case:ID, detail "KIND TEXT: REASON"); who and when are kept.
 */
struct kredact_dismissal {
	const char *kind, *text, *reason, *actor, *at;
};
typedef int (*kstore_dismissal_cb)(void *ctx, const struct kredact_dismissal *d);
int kstore_redact_dismiss(struct kstore *st, const char *id, const char *kind, const char *text,
			  const char *reason, struct kerr *err);
/* Every dismissal of id, oldest first.  A non-zero return from cb stops and is returned. */
int kstore_redact_dismissals(struct kstore *st, const char *id, kstore_dismissal_cb cb, void *ctx,
			     struct kerr *err);
/*
 * Drop from fl (kredact_check()'s findings of case id) those dismissed;
 * *dropped (may be NULL) how many.  KE_DB.
 */
int kstore_redact_filter(struct kstore *st, const char *id, struct kfinding_list *fl, size_t *dropped,
			 struct kerr *err);
/* The audit row of an anonymisation applied to id (in the caller's transaction): redact.apply, detail
 * "N replacements". */
int kstore_redact_applied(struct kstore *st, const char *id, size_t replaced, struct kerr *err);

#endif
