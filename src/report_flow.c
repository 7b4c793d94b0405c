/*
 * report_flow.c - the workflow of incidents (see report.h): who may do
 * what to an incident in which status.  One table, kinc_rules[]; nothing
 * else in kyokun decides it (pages, the API and the CLI ask
 * kincident_allowed()).
 *
 *   action     statuses it is allowed in              who (besides the local operator)
 *   view       all                                    whoever kreader_may_see_incident() lets see it
 *   followup   received checking responding closed*   the reporting org's reporter, analyst, publisher
 *   final      received checking responding **        the reporting org's reporter, analyst, publisher
 *   check      received                 -> checking   analyst, publisher
 *   respond    received checking        -> responding analyst, publisher
 *   close      received checking responding -> closed analyst, publisher
 *   reopen     closed                   -> responding analyst, publisher
 *   withdraw   received checking responding -> withdrawn  the reporting org's reporter, analyst, publisher
 *   candidate  all but withdrawn                      analyst, publisher
 *   draft      all but withdrawn ***                  analyst, publisher
 *
 *   *   a follow-up after closing is a correction; nothing is filed to a
 *       withdrawn incident.
 *   **  and only while no final report was given (inc->final_at NULL).
 *   *** and only while the incident has no case (inc->case_id NULL).
 *
 * A liaison may only view; an admin and an anonymous reader may not even
 * see an incident (KE_NOTFOUND, as for any incident one may not see).  The
 * local operator (the command line) may do whatever the status allows.
 *
 * The answers, in this order: KE_NOTFOUND when r may not see inc (say 404:
 * as if it did not exist); KE_DENIED when r's role may not do the action
 * ("a liaison may not change the status"); KE_INVALID when the incident's
 * status (or its final report, or its case) does not allow it ("the
 * incident is withdrawn").
 */
#include "report.h"
#include "kerr.h"

#include <string.h>

/* Who, as far as the workflow goes (bits of kinc_rule.who). */
enum {
	W_SEE = 1u << 0,      /* anyone who may see the incident (liaisons included) */
	W_OWN = 1u << 1,      /* a reporter (KCAP_REPORT_FILE) of the incident's organisation */
	W_CENTRE = 1u << 2,   /* an analyst or publisher (KCAP_CASE_EDIT) */
	W_LOCAL = 1u << 3,    /* the local operator */
};

#define S(x) (1u << (x))
#define ALL_STATUSES (S(KINC_RECEIVED) | S(KINC_CHECKING) | S(KINC_RESPONDING) | S(KINC_CLOSED) | S(KINC_WITHDRAWN))
#define OPEN (S(KINC_RECEIVED) | S(KINC_CHECKING) | S(KINC_RESPONDING))
#define NOT_WITHDRAWN (ALL_STATUSES & ~S(KINC_WITHDRAWN))

enum {
	F_NO_FINAL = 1,   /* refused once a final report was given */
	F_NO_CASE = 2,    /* refused once the incident has a case (draft) */
};

static const struct kinc_rule {
	const char *name;
	unsigned from;    /* statuses the action is allowed in (bits 1 << KINC_*) */
	unsigned who;     /* W_* */
	int target;       /* the status it leads to, or -1 */
	unsigned flags;   /* F_* */
	const char *what; /* "a liaison may not ..." */
	const char *verb; /* "cannot ...: the incident is ..." */
} kinc_rules[KACT__N] = {
	[KACT_VIEW] = { "view", ALL_STATUSES, W_SEE | W_OWN | W_CENTRE | W_LOCAL, -1, 0,
			"see the incident", "see the incident" },
	[KACT_FOLLOWUP] = { "followup", NOT_WITHDRAWN, W_OWN | W_CENTRE | W_LOCAL, -1, 0,
			    "file a follow-up report", "file a follow-up report" },
	[KACT_FINAL] = { "final", OPEN, W_OWN | W_CENTRE | W_LOCAL, -1, F_NO_FINAL,
			 "file the final report", "file the final report" },
	[KACT_CHECK] = { "check", S(KINC_RECEIVED), W_CENTRE | W_LOCAL, KINC_CHECKING, 0,
			 "change the status", "start checking" },
	[KACT_RESPOND] = { "respond", S(KINC_RECEIVED) | S(KINC_CHECKING), W_CENTRE | W_LOCAL, KINC_RESPONDING, 0,
			   "change the status", "start responding" },
	[KACT_CLOSE] = { "close", OPEN, W_CENTRE | W_LOCAL, KINC_CLOSED, 0,
			 "change the status", "close the incident" },
	[KACT_REOPEN] = { "reopen", S(KINC_CLOSED), W_CENTRE | W_LOCAL, KINC_RESPONDING, 0,
			  "change the status", "reopen the incident" },
	[KACT_WITHDRAW] = { "withdraw", OPEN, W_OWN | W_CENTRE | W_LOCAL, KINC_WITHDRAWN, 0,
			    "withdraw the incident", "withdraw the incident" },
	[KACT_CANDIDATE] = { "candidate", NOT_WITHDRAWN, W_CENTRE | W_LOCAL, -1, 0,
			     "mark case-study candidates", "mark it a candidate" },
	[KACT_DRAFT] = { "draft", NOT_WITHDRAWN, W_CENTRE | W_LOCAL, -1, F_NO_CASE,
			 "make a case draft", "make a case draft" },
};

#undef S

const char *kinc_action_name(int a)
{
	return a >= 0 && a < KACT__N ? kinc_rules[a].name : NULL;
}

int kinc_action_parse(const char *s)
{
	for (int a = 0; s && a < KACT__N; a++)
		if (!strcmp(s, kinc_rules[a].name))
			return a;
	return -1;
}

int kinc_action_target(int a)
{
	return a >= 0 && a < KACT__N ? kinc_rules[a].target : -1;
}

/* Is r a member of the incident's organisation (by id when both have one, else by name)? */
static int own_org(const struct kreader *r, const struct kincident *inc)
{
	if (r->org_id > 0 && inc->org_id > 0)
		return r->org_id == inc->org_id;
	return r->org && *r->org && inc->org && !strcmp(r->org, inc->org);
}

/* The W_* bits r has on inc (r may see it). */
static unsigned who(const struct kreader *r, const struct kincident *inc)
{
	unsigned w = W_SEE;

	if (r->kind == KREADER_LOCAL)
		return w | W_LOCAL;
	if (r->kind != KREADER_USER)
		return w;
	if (r->caps & KCAP_CASE_EDIT)
		w |= W_CENTRE;
	if ((r->caps & KCAP_REPORT_FILE) && own_org(r, inc))
		w |= W_OWN;
	return w;
}

static const char *role_phrase(const struct kreader *r)
{
	switch (r->kind == KREADER_USER ? r->role : KROLE_NONE) {
	case KROLE_REPORTER: return "a reporter";
	case KROLE_LIAISON: return "a liaison";
	case KROLE_ANALYST: return "an analyst";
	case KROLE_PUBLISHER: return "a publisher";
	case KROLE_ADMIN: return "an admin";
	default: return r->kind == KREADER_USER ? "a user without a role" : "an anonymous reader";
	}
}

int kincident_allowed(const struct kreader *r, const struct kincident *inc, int a, struct kerr *err)
{
	const struct kinc_rule *rule;
	unsigned w;

	if (!r)
		r = &kreader_anonymous;
	if (!inc)
		return kerr_set(err, KE_NOTFOUND, "no such incident");
	if (a < 0 || a >= KACT__N)
		return kerr_set(err, KE_INVALID, "action: unknown action %d", a);
	rule = &kinc_rules[a];
	if (!kreader_may_see_incident(r, inc->org, inc->sector, inc->tlp))
		return kerr_set(err, KE_NOTFOUND, "no such incident%s%s", inc->id ? " " : "",
				inc->id ? inc->id : "");
	w = who(r, inc);
	if (!(w & rule->who)) {
		if (r->kind == KREADER_USER && r->role == KROLE_REPORTER && (rule->who & W_OWN))
			return kerr_set(err, KE_DENIED, "a reporter may only %s for their own organisation",
					rule->what);
		return kerr_set(err, KE_DENIED, "%s may not %s", role_phrase(r), rule->what);
	}
	if (inc->status < 0 || inc->status >= KINC__N)
		return kerr_set(err, KE_INVALID, "the incident's status is unknown (%d)", inc->status);
	if (!(rule->from & (1u << inc->status))) {
		if (inc->status == KINC_WITHDRAWN)
			return kerr_set(err, KE_INVALID, "cannot %s: the incident is withdrawn (取下げ)", rule->verb);
		if (inc->status == KINC_CLOSED)
			return kerr_set(err, KE_INVALID, "cannot %s: the incident is closed (完了)", rule->verb);
		return kerr_set(err, KE_INVALID, "cannot %s: the incident's status is %s (%s)", rule->verb,
				kincident_status_name(inc->status), kincident_status_label_ja(inc->status));
	}
	if ((rule->flags & F_NO_FINAL) && inc->final_at)
		return kerr_set(err, KE_INVALID, "cannot %s: a final report was already given (%s); "
				"file a follow-up to correct it", rule->verb, inc->final_at);
	if ((rule->flags & F_NO_CASE) && inc->case_id)
		return kerr_set(err, KE_INVALID, "cannot %s: the incident already has a case (%s)", rule->verb,
				inc->case_id);
	return 0;
}
