/*
 * web_select.h - the selection page for analysts (issue 13): GET /select
 * (?period=2025&size=&cap=) shows the candidates of a survey period with
 * their scores per criterion, the proposed shortlist and every candidate's
 * reason, and the forms that post to POST /select/score (a candidate's
 * scores and notes), /select/decide (an override with its reason) and
 * /select/keep (store the shortlist for publication).  The routes need
 * KCAP_CASE_EDIT (analysts and publishers) and the POSTs the session's
 * CSRF token (route.c); writes go through the request's writer in one
 * transaction each, so a refused form stores nothing.
 */
#ifndef KYOKUN_WEB_SELECT_H
#define KYOKUN_WEB_SELECT_H

#include "web.h"

int web_select(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);        /* GET /select */
int web_select_score(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);  /* POST /select/score */
int web_select_decide(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err); /* POST /select/decide */
int web_select_keep(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);   /* POST /select/keep */

/*
 * The kept selection reasons (選定理由) of case, draft or incident id as a
 * side box, nothing when there are none (for the case and draft pages).
 */
struct kstore;
int web_select_reasons_box(struct html *w, struct khttp_req *req, struct kstore *st, const char *id,
			   struct kerr *err);

#endif
