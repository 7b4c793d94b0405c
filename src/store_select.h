/*
 * store_select.h - the selection of a survey period: scores, overrides and
 * the shortlist kept with its reasons (the neutral store API; SQL in
 * store_sqlite_select.c).  Issue 13: h-select owns it and adds the rest.
 */
#ifndef KYOKUN_STORE_SELECT_H
#define KYOKUN_STORE_SELECT_H

#include "case.h"
#include "store.h"

struct kstore;
struct kerr;

/*
 * The ids of the cases chosen for period (the kept shortlist with the
 * analysts' overrides applied), in the shortlist's order, appended to ids:
 * a chosen incident gives the case (or draft) made from it, a chosen draft
 * its own id.  None chosen (or no selection for period): ids unchanged, 0.
 */
int kstore_selection_cases(struct kstore *st, const char *period, struct kstrv *ids, struct kerr *err);

#endif
