/*
 * approval.h - the reporting organisation's approval of a case draft, and
 * the publish gate (model layer; no I/O).
 *
 * A draft made from an incident belongs to the incident's reporting
 * organisation.  An analyst requests its approval; the organisation's
 * users then see the anonymised draft, what changed since the version they
 * reported, and the findings still open, and approve it or comment.  An
 * approval is of one revision: a later edit needs a new approval.
 *
 * kgate_decide() is the publish gate, a pure function: given the draft's
 * current revision, whether it needs approval (it has an organisation),
 * its unresolved redaction findings (store_redact.h), its approval history
 * and a publisher's override reason, it says whether publishing is allowed
 * and every reason it is not.  A publisher may publish anyway with a
 * reason (the override); the store writes that to the audit log
 * (case.publish.override, store_approval.h).  Cases imported from reports
 * already published are cases, not drafts: the gate never sees them.
 */
#ifndef KYOKUN_APPROVAL_H
#define KYOKUN_APPROVAL_H

#include <stddef.h>

#include "redact.h"

struct kbuf;
struct kerr;

enum kapproval_kind {
	KAPPR_REQUEST, /* an analyst asks the organisation to approve this revision */
	KAPPR_APPROVE, /* a user of the organisation approves this revision */
	KAPPR_COMMENT, /* a comment on this revision (text required) */
	KAPPR__N
};

/* "request", "approve", "comment"; NULL out of range. */
const char *kapproval_kind_key(int kind);
int kapproval_kind_from_key(const char *key); /* -1 if unknown */

/* One event of a draft's approval history. */
struct kapproval {
	int kind;      /* enum kapproval_kind */
	int revision;  /* the draft's revision it is about */
	char *who;     /* a login, or local:OSUSER */
	char *org;     /* who's organisation, or NULL */
	char *at;      /* UTC ISO 8601 */
	char *text;    /* the comment (or a request's note), or NULL */
};

struct kapproval_list {
	struct kapproval *v; /* oldest first */
	size_t n, alloc;
};

/* Append a copy of a.  KE_NOMEM. */
int kapproval_list_add(struct kapproval_list *l, const struct kapproval *a);
void kapproval_list_free(struct kapproval_list *l);

/* The latest revision approved (0: none), and the latest revision whose approval was requested (0: never). */
int kapproval_approved_revision(const struct kapproval_list *l);
int kapproval_requested_revision(const struct kapproval_list *l);

/* Waiting for the organisation: requested, and the current revision not approved.  1 or 0. */
int kapproval_waiting(const struct kapproval_list *l, int revision);

/*
 * A comment's text: 1 to 4,000 characters of UTF-8 once trimmed.  An
 * override reason: the same.  KE_INVALID naming field.
 */
#define KAPPROVAL_MAX_TEXT 4000
int kapproval_text_check(const char *field, const char *text, struct kerr *err);

/* What stands in the way of publishing (bits of kgate.reasons). */
enum {
	KGATE_FINDINGS = 1u << 0,      /* redaction findings are unresolved */
	KGATE_NOT_REQUESTED = 1u << 1, /* needs approval; nobody asked the organisation yet */
	KGATE_NOT_APPROVED = 1u << 2,  /* needs approval; requested, not approved */
	KGATE_STALE = 1u << 3,         /* approved, but an older revision: edited since */
	KGATE__ALL = 0xfu
};

/* "findings", "not_requested", "not_approved", "stale"; NULL unless one bit. */
const char *kgate_reason_key(unsigned reason);

struct kgate_in {
	int revision;                            /* the draft's current revision */
	int needs_approval;                      /* made from an incident: its organisation approves */
	const struct kfinding_list *findings;    /* unresolved (NULL: none) */
	const struct kapproval_list *approvals;  /* the approval history (NULL: none) */
	const char *override;                    /* a publisher's reason to publish anyway, or NULL / "" */
};

struct kgate {
	int allowed;            /* 1: publish */
	int overridden;         /* 1: allowed only by the override (reasons: what it overrode) */
	unsigned reasons;       /* KGATE_* bits: what stands (or stood) in the way; 0: nothing */
	size_t nfindings;
	size_t nkind[KFIND__N]; /* findings by kind */
	int revision;           /* the current revision */
	int approved_revision;  /* the latest approved (0: none) */
	int requested_revision; /* the latest requested (0: never) */
};

/*
 * The decision.  Allowed when nothing stands in the way, or when something
 * does and an override reason (not only white space) is given: then
 * overridden is set.  Reasons are always every reason, override or not.
 */
void kgate_decide(const struct kgate_in *in, struct kgate *out);

/* An English sentence for one reason bit of g ("3 redaction findings are unresolved ..."). */
void kgate_reason_text(const struct kgate *g, unsigned reason, char *buf, size_t n);

/*
 * The audit detail of an override: "overrode: findings=3 (name 1, email 2);
 * stale (approved revision 2, current 4); reason: TEXT" (the reason cut to
 * 1,000 bytes at a character boundary).  KE_NOMEM.
 */
int kgate_detail(const struct kgate *g, const char *override, struct kbuf *out);

#endif
