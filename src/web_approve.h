/*
 * web_approve.h - the reporting organisation's approval in the browser
 * (issue 13, h-approve):
 *
 *   GET  /drafts/ID/approval          the approval page: the draft's status,
 *                                     the anonymised draft as it would be
 *                                     published, the findings still open, what
 *                                     changed since the version the
 *                                     organisation reported (first revision ->
 *                                     current), the approve and comment forms,
 *                                     and the history.  Signed in; seen by the
 *                                     organisation's reporters once approval is
 *                                     requested, and by analysts and publishers
 *                                     (reader.c kreader_may_see_approval); 404
 *                                     to everyone else.
 *   POST /drafts/ID/approval          action=approve|comment, revision=N (the
 *                                     revision the page showed), text (a
 *                                     comment's); CSRF
 *   POST /drafts/ID/approval/request  an analyst asks the organisation; CSRF
 *
 * and the pieces of the draft page (web_edit.c): the approval box and the
 * publish box with the gate's reasons and, for publishers, the explicit
 * override (a checkbox and a reason); publishing itself
 * (web_approve_publish) goes through kstore_publish_gated().
 */
#ifndef KYOKUN_WEB_APPROVE_H
#define KYOKUN_WEB_APPROVE_H

#include "web.h"

struct kcase;

int web_approval(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);          /* GET */
int web_approval_post(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);     /* POST */
int web_approval_request(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);  /* POST .../request */

/* The draft page's approval box and (for publishers) publish box, for draft c. */
void web_approve_draft_boxes(struct html *w, struct khttp_req *req, const struct kcase *c);

/*
 * POST /drafts/ID/publish after the draft was found visible: the gate,
 * with the form's override (override=1 and override_reason); refused:
 * 409 with every reason; published: 303 to the case.
 */
int web_approve_publish(struct khttp_req *req, struct khttp_resp *resp, const char *id, struct kerr *err);

/* For the incident page: is draft id waiting for its organisation's approval?  1 or 0 (errors: 0). */
int web_approve_waiting(const struct khttp_req *req, const char *id);

#endif
