/*
 * store_report.h - incidents, their reports and status changes, case
 * drafts, and the store's settings (the neutral API; the SQLite backend's
 * SQL is store_sqlite_report.c).  Values are those of report.h.
 *
 * Writes run in a transaction (their own, or the caller's from
 * kstore_begin()) and are audited in it with the actor of
 * kstore_set_actor() (store_account.h): incident.add, incident.report
 * (detail: the kind and seq), incident.status ("OLD -> NEW"),
 * incident.candidate ("on"/"off"), incident.case, draft.add, draft.update,
 * case.publish.  A write that fails writes nothing.
 *
 * Who may see an incident is reader.c's kreader_may_see_incident(); the
 * list below applies the same rule in SQL (kreader_incident_rule()), so a
 * reporter lists their organisation's incidents, a liaison those of their
 * sectors, the centre every one.  kstore_incident_get() does not check:
 * the caller asks kincident_allowed(KACT_VIEW) and says 404.
 */
#ifndef KYOKUN_STORE_REPORT_H
#define KYOKUN_STORE_REPORT_H

#include <stddef.h>
#include <time.h>

#include "report.h"
#include "store.h"

struct kstore;
struct kerr;
struct kcase;

/* ---- settings ------------------------------------------------------------- */

/* The deadlines new incidents get (stored in the database; KDEADLINES_DEFAULT until set). */
int kstore_deadlines_get(struct kstore *st, struct kdeadlines *d, struct kerr *err);
int kstore_deadlines_set(struct kstore *st, const struct kdeadlines *d, struct kerr *err); /* audited: settings.deadlines */

/* ---- incidents -------------------------------------------------------------- */

/*
 * Store a new incident from its checked first report (kreport_first_check):
 * inc->id ("IR-YYYY-NNNN", the year of now and the next number in it),
 * created = updated = now, due times from the stored deadlines, filed_by
 * the actor's login, nreports 1, status received.  inc->org_id 0 with an
 * org naming an organisation in the database: its id is filled in.  The
 * first report is stored as report seq 1 (inc->first with seq, kind
 * "first", submitted, author added) and a status change "" -> received.
 * now: UTC seconds (kreport_now()).  The number is taken inside the write
 * transaction: two connections adding at once never share one.  KE_INVALID
 * ("FIELD: ...") when title, organization, sector, tlp or detected_at is
 * missing, the sector is not one of the 15 (a Japanese name is stored as
 * its tag) or tlp not a level, or there is no first report.  On failure
 * inc is as it was.
 */
int kstore_incident_add(struct kstore *st, struct kincident *inc, time_t now, struct kerr *err);

/* The incident id into inc (kincident_free()d first), first report included.  KE_NOTFOUND. */
int kstore_incident_get(struct kstore *st, const char *id, struct kincident *inc, struct kerr *err);

/* Which incidents kstore_incident_list() gives. */
struct kincident_query {
	const struct kreader *reader; /* who is looking (NULL: anonymous: nothing) */
	unsigned statuses;            /* bits 1 << KINC_*; 0: any */
	const char *sector;           /* a sector tag, or NULL */
	unsigned event_types;         /* incidents with any of these KEVT_* bits; 0: any */
	const char *org;              /* exactly this organisation, or NULL */
	const char *since, *until;    /* detected_utc >= since, < until (UTC ISO text), or NULL */
	int candidate;                /* 1: only candidates; 0: any */
	int overdue;                  /* 1: only incidents overdue at now */
	time_t now;                   /* the clock for overdue (0: kreport_now()) */
	const char *text;             /* words in the title or any report (LIKE, not FTS), or NULL:
				       * split at spaces (also U+3000), each must occur (at most 8);
				       * % _ \ are literal; a report is matched in its stored JSON */
	int oldest_first;             /* order by created; newest first unless set */
	int with_first;               /* fill each incident's first (the first report's JSON) */
	long limit, offset;           /* 0: no limit */
};

typedef int (*kstore_incident_cb)(void *ctx, const struct kincident *inc);
/* The incidents q selects (first left NULL unless q->with_first), and *total (may be NULL) ignoring limit/offset. */
int kstore_incident_list(struct kstore *st, const struct kincident_query *q, kstore_incident_cb cb, void *ctx,
			 long *total, struct kerr *err);

/*
 * Counts for the desk, under q's reader and filters except the one being
 * counted: kind "status" (value: the status name), "sector" (the tag),
 * "event_type" (the code), "overdue" ("yes"), "candidate" ("yes").
 * Every status and event type is given (0 included), in their order;
 * sectors only those with incidents, by tag; overdue and candidate always.
 */
typedef int (*kstore_count_cb)(void *ctx, const char *kind, const char *value, long n);
int kstore_incident_counts(struct kstore *st, const struct kincident_query *q, kstore_count_cb cb, void *ctx,
			   struct kerr *err);

/* One stored report. */
struct kreport_row {
	int seq;                    /* 1: the first report */
	enum kreport_kind kind;
	const char *submitted;      /* UTC */
	const char *author;         /* login */
	const char *json;           /* the stored report: the normalised JSON with seq, kind, submitted, author */
};
typedef int (*kstore_report_cb)(void *ctx, const struct kreport_row *r);

/*
 * Add a checked follow-up or final report (kreport_update_check: rep is
 * its normalised JSON; inc the incident as that check left it, so its
 * merged types are written too) as the next seq; updated = now; a final
 * report sets final_at.  Whether the workflow allows it is the caller's
 * (kincident_allowed) check; the store refuses a second final report
 * (KE_INVALID) and an incident that is not there (KE_NOTFOUND).
 * *seq (may be NULL) gets its number.
 */
int kstore_incident_report(struct kstore *st, struct kincident *inc, json_t *rep, time_t now, int *seq,
			   struct kerr *err);
/* The reports of incident id in order.  KE_NOTFOUND if no such incident. */
int kstore_incident_reports(struct kstore *st, const char *id, kstore_report_cb cb, void *ctx, struct kerr *err);

/* One status change (or candidate mark: to is -1, note "candidate on"/"candidate off"). */
struct kstatus_row {
	const char *at;             /* UTC */
	const char *actor;          /* login or local:OSUSER */
	int from, to;               /* KINC_*; from -1 for the first */
	const char *note;           /* may be "" */
};
typedef int (*kstore_status_cb)(void *ctx, const struct kstatus_row *r);

/*
 * Set the status (a row in the incident's status history, with note, which
 * may be NULL); updated = now.  KE_NOTFOUND; KE_INVALID for a status out of
 * range or a note that is not UTF-8 or longer than 20,000 bytes.
 */
int kstore_incident_status(struct kstore *st, const char *id, int status, const char *note, time_t now,
			   struct kerr *err);
/* Mark or unmark a case-study candidate (recorded in the status history: from and to -1); updated = now.  KE_NOTFOUND. */
int kstore_incident_candidate(struct kstore *st, const char *id, int on, time_t now, struct kerr *err);
/* The status history, oldest first.  KE_NOTFOUND. */
int kstore_incident_history(struct kstore *st, const char *id, kstore_status_cb cb, void *ctx, struct kerr *err);

/* ---- case drafts ------------------------------------------------------------- */

/*
 * A case draft is a case not yet published: visible to analysts and
 * publishers (KCAP_CASE_EDIT) and the local operator only, never listed,
 * searched or counted with the cases.  Drafts and cases share one id space
 * and one revision history (kstore_history() gives a draft's too).
 *
 * kstore_draft_put(): store c as a draft (new: revision 1; else the next
 * revision, the previous kept; unchanged: KSTORE_UNCHANGED), the actor as
 * the revision's author.  incident: the incident it was made from (NULL:
 * none; on a new draft it also sets that incident's case_id; KE_NOTFOUND,
 * and nothing stored, if there is no such incident).  KE_EXISTS if a
 * published case has c's id (and kstore_put() refuses a draft's id the
 * same way); KE_INVALID without an id or title.  Publishing: kstore_publish() moves draft id
 * into the cases (kstore_put's tables, search and facets) as the next
 * revision (a draft at revision 3 becomes a case at revision 4; its history
 * keeps the draft's revisions, draft set) and removes the draft, in one
 * transaction, audited case.publish; the publisher is the new revision's
 * author.  KE_NOTFOUND if no such draft.
 */
int kstore_draft_put(struct kstore *st, const struct kcase *c, const char *incident, int *outcome,
		     struct kerr *err);
int kstore_draft_get(struct kstore *st, const char *id, struct kcase *c, struct kerr *err);
int kstore_publish(struct kstore *st, const char *id, struct kerr *err);

/* A draft in a listing (json: the whole draft). */
struct kdraft_row {
	const char *id, *title, *incident, *author, *updated, *json;
	int revision;
};
typedef int (*kstore_draft_cb)(void *ctx, const struct kdraft_row *d);
/* Every draft, most recently updated first. */
int kstore_draft_list(struct kstore *st, kstore_draft_cb cb, void *ctx, struct kerr *err);

#endif
