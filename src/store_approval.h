/*
 * store_approval.h - the reporting organisation's approval in the store
 * (the neutral API; SQL in store_sqlite_approval.c, tables in migration
 * 11): approval requests, approvals and comments per draft id and
 * revision, with who and when; and publishing through the gate
 * (approval.h).
 *
 * Writes run in a transaction (their own, or the caller's from
 * kstore_begin()) and are audited in it with the actor of
 * kstore_set_actor(): approval.request, approval.approve,
 * approval.comment (detail "revision N"), case.publish.override (detail:
 * kgate_detail()).  Who may do what is the caller's (reader.h
 * kreader_may_see_approval / kreader_may_approve); the store records.
 */
#ifndef KYOKUN_STORE_APPROVAL_H
#define KYOKUN_STORE_APPROVAL_H

#include "approval.h"
#include "store.h"

struct kstore;
struct kerr;

/* A draft as far as approval goes. */
struct kapproval_target {
	int revision;     /* the draft's current revision */
	int first;        /* its first revision (the version the organisation reported from) */
	char *incident;   /* the incident it was made from, or NULL */
	char *org;        /* that incident's reporting organisation (who approves), or NULL: needs no approval */
};
void kapproval_target_free(struct kapproval_target *t);

/* The draft id's revision, incident and organisation.  KE_NOTFOUND if no such draft. */
int kstore_approval_target(struct kstore *st, const char *id, struct kapproval_target *t, struct kerr *err);

/* The approval history of id into out (appended, oldest first).  A draft without any: none. */
int kstore_approval_list(struct kstore *st, const char *id, struct kapproval_list *out, struct kerr *err);

/*
 * Record an event (KAPPR_*) of the actor about draft id at revision, the
 * actor's organisation org (may be NULL) and text (a comment's: required,
 * kapproval_text_check; a request's: optional).  revision must be the
 * draft's current one (else KE_INVALID "revision: the draft is at
 * revision N now": the organisation approves what it saw).  KE_NOTFOUND
 * if no such draft; KE_INVALID for a request on a draft with no
 * organisation, an approval not asked for, or an approval of a revision
 * already approved.
 */
int kstore_approval_add(struct kstore *st, const char *id, int kind, int revision, const char *org,
			const char *text, struct kerr *err);

/*
 * The gate of draft id now (kgate_decide with its revision, organisation,
 * kstore_redact_unresolved() findings, approvals and override).
 * findings (may be NULL) gets the findings.  KE_NOTFOUND.
 */
int kstore_approval_gate(struct kstore *st, const char *id, const char *override, struct kgate *g,
			 struct kfinding_list *findings, struct kerr *err);

/*
 * Publish draft id (kstore_publish) if the gate allows it, in one
 * transaction: g gets the decision.  Refused: KE_DENIED ("publishing
 * refused: ..."), nothing written.  Allowed by the override: the audit log
 * gets case.publish.override with kgate_detail() next to case.publish.
 */
int kstore_publish_gated(struct kstore *st, const char *id, const char *override, struct kgate *g,
			 struct kerr *err);

#endif
