/*
 * web_incident.h - the incident pages (issue 12): the analysts' desk and
 * the operator's view of incidents (web_desk.c: GET /incidents and
 * /incidents.csv), the first report form, one incident's page with its
 * reports, status history and the forms its reader may use, and the
 * actions those forms post (web_incident.c; the forms' pieces are
 * web_incident_form.c).
 *
 * Who sees what is the model's: the list asks the store with the reader
 * (kstore_incident_list applies reader.c's rule), one incident is shown
 * only if kincident_allowed(KACT_VIEW) says so (else the ordinary 404
 * page, whether it exists or not), and every form and every POST goes
 * through kincident_allowed() for its action.  Writes go through the
 * request's writer (khttp_writer: the actor is the signed-in user), one
 * transaction each, so a refused or failed request writes nothing.
 *
 * Times are shown in JST (+09:00) with the zone written.
 */
#ifndef KYOKUN_WEB_INCIDENT_H
#define KYOKUN_WEB_INCIDENT_H

#include <time.h>

#include "web.h"

struct kincident;

/* ---- handlers ---- */

int web_incidents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);      /* GET /incidents */
int web_incidents_csv(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);  /* GET /incidents.csv */
int web_incident_new(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);   /* GET /incidents/new */
int web_incident_file(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);  /* POST /incidents */
int web_incident(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);       /* GET /incidents/:id */
int web_incident_update(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err); /* POST .../updates */
int web_incident_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err); /* POST .../status */
int web_incident_candidate(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err); /* POST .../candidate */
int web_incident_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err);  /* POST .../draft */

/* ---- shared by web_desk.c and web_incident.c ---- */

/* How a reader meets incidents: the centre's desk, a liaison's sectors, a reporter's organisation. */
enum web_inc_view { WEB_INC_NONE = 0, WEB_INC_REPORTER, WEB_INC_LIAISON, WEB_INC_DESK };
enum web_inc_view web_inc_view_of(const struct kreader *r);
/* May r file a first report (a reporter for their organisation, an analyst for anyone)? */
int web_inc_may_file(const struct kreader *r);

/* The JST offset every time is shown in, in minutes. */
#define WEB_INC_TZ_MIN 540

/*
 * A time for people: a UTC ISO time or an RFC 3339 time with any offset
 * into "2026-11-20 09:00 +09:00" (JST); the text as given if it is neither;
 * "" for NULL.  Kept with the request.
 */
const char *web_inc_time(const struct khttp_req *req, const char *t);
/* The same as a <time datetime="..."> element. */
void web_inc_time_html(struct html *w, const struct khttp_req *req, const char *t);

/* Labels in the page's language. */
const char *web_inc_status_label(const struct khttp_req *req, int status);
const char *web_inc_event_label(const struct khttp_req *req, int i);
const char *web_inc_cause_label(const struct khttp_req *req, int i);
const char *web_inc_kind_label(const struct khttp_req *req, int kind);
const char *web_inc_tri_label(const struct khttp_req *req, int tri);
/* A sector tag for people: 電力, or Electricity on English pages. */
const char *web_inc_sector(const struct khttp_req *req, const char *tag);

/* A status badge (text and colour). */
void web_inc_status_badge(struct html *w, const struct khttp_req *req, int status);
/*
 * The marks of an incident at now: overdue (said in words, not colour
 * only); for the centre's desk also the candidate mark and a case made
 * (the centre's own judgement, not shown to operators and liaisons).
 */
void web_inc_marks(struct html *w, const struct khttp_req *req, const struct kincident *inc, time_t now);

/* The notice of ?done=KEY on the incident pages (keys of web_incident.c's table). */
void web_inc_notice(struct html *w, const struct khttp_req *req);

#endif
