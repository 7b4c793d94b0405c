/*
 * web_incident.c - one incident and the first report form (issue 12; see
 * web_incident.h): GET /incidents/new and POST /incidents (a first report),
 * GET /incidents/:id (the facts, due times and overdue marks, the reports
 * in order, the status history, the forms the reader may use; for the
 * centre, the possible duplicates among open incidents and published
 * cases), and the POSTs of its forms: /updates (a follow-up or the final
 * report), /status, /candidate, /draft (a case draft made from the
 * incident, then on to its editor at /drafts/ID/edit).
 *
 * A form is read into the JSON of ../shared/spec/report-json.md and
 * checked by the model (kreport_first_check, kreport_update_check); what
 * the form itself can see (a field left empty, a time that is not one) is
 * said in the page's language next to the field first, then the model's
 * "FIELD: what" next to the field it names.  A form that fails is shown
 * again (400) with what was typed.  Every POST runs in one transaction on
 * the request's writer: the incident is read, kincident_allowed() asked,
 * the write made and committed, or nothing is.
 */
#include "web_approve.h"
#include "web_incident.h"
#include "web_incident_form.h"
#include "account.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "search.h"
#include "similar.h"
#include "store.h"
#include "store_account.h"
#include "store_report.h"
#include "tokenizer.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX 200
#define NAME_MAX_ 100
#define NOTE_MAX 1000
#define DUPES_N 5           /* possible duplicates shown */
#define DUPES_SCAN 5000     /* open incidents compared at most */
#define DUPES_MIN 0.2       /* the least Dice overlap of words worth showing */
#define SIMILAR_N 5

/* ---- shared (web_incident.h) ----------------------------------------------------------- */

enum web_inc_view web_inc_view_of(const struct kreader *r)
{
	if (!r || r->kind != KREADER_USER)
		return WEB_INC_NONE;
	if (kreader_can(r, KCAP_CASE_EDIT))
		return WEB_INC_DESK;
	if (kreader_can(r, KCAP_REPORT_REVIEW))
		return WEB_INC_LIAISON;
	if (kreader_can(r, KCAP_REPORT_FILE))
		return WEB_INC_REPORTER;
	return WEB_INC_NONE;
}

int web_inc_may_file(const struct kreader *r)
{
	return r && r->kind == KREADER_USER && (kreader_can(r, KCAP_REPORT_FILE) || kreader_can(r, KCAP_CASE_EDIT));
}

/* A time as UTC seconds: ktime_parse()'s UTC text or RFC 3339 with an offset.  0 or -1. */
static int time_of(const char *t, time_t *out)
{
	if (!t || !*t)
		return -1;
	if (kreport_time_parse(t, out, NULL) == 0)
		return 0;
	return ktime_parse(t, out) == 0 ? 0 : -1;
}

const char *web_inc_time(const struct khttp_req *req, const char *t)
{
	char iso[32], out[48];
	time_t u;

	if (!t)
		return "";
	if (time_of(t, &u) < 0)
		return t;
	kreport_time_format(u, WEB_INC_TZ_MIN, iso); /* 2026-11-20T09:00:00+09:00 */
	snprintf(out, sizeof(out), "%.10s %.5s %s", iso, iso + 11, iso + 19);
	return khttp_keep(req, strdup(out));
}

void web_inc_time_html(struct html *w, const struct khttp_req *req, const char *t)
{
	char iso[32];
	time_t u;

	if (!t || !*t) {
		html_printf(w, "—");
		return;
	}
	if (time_of(t, &u) < 0) {
		html_printf(w, "%s", t);
		return;
	}
	kreport_time_format(u, 0, iso);
	t = web_inc_time(req, t); /* "2026-11-20 09:00 +09:00": the date, then the time and its zone */
	html_printf(w, "<time datetime=\"%s\"><span class=\"d\">%.*s</span> <span class=\"t\">%s</span></time>", iso,
		    strlen(t) < 10 ? (int)strlen(t) : 10, t, strlen(t) > 11 ? t + 11 : "");
}

/* The model's English labels are lower case ("received"): a label stands alone here ("Received"). */
static const char *en_label(const struct khttp_req *req, const char *l)
{
	char *c;

	if (!l || !*l)
		return "";
	if (!(c = strdup(l)))
		return l;
	if (*c >= 'a' && *c <= 'z')
		*c = (char)(*c - 'a' + 'A');
	return khttp_keep(req, c) ? c : l;
}

const char *web_inc_status_label(const struct khttp_req *req, int s)
{
	const char *l = req->lang == KLANG_EN ? en_label(req, kincident_status_label_en(s)) :
		kincident_status_label_ja(s);

	return l ? l : "";
}

const char *web_inc_event_label(const struct khttp_req *req, int i)
{
	const char *l = req->lang == KLANG_EN ? en_label(req, kevent_type_label_en(i)) : kevent_type_label_ja(i);

	return l ? l : "";
}

const char *web_inc_cause_label(const struct khttp_req *req, int i)
{
	const char *l = req->lang == KLANG_EN ? en_label(req, kcause_type_label_en(i)) : kcause_type_label_ja(i);

	return l ? l : "";
}

const char *web_inc_kind_label(const struct khttp_req *req, int kind)
{
	switch (kind) {
	case KREPORT_FIRST: return T(req, T_INC_KIND_FIRST);
	case KREPORT_FOLLOWUP: return T(req, T_INC_KIND_FOLLOWUP);
	case KREPORT_FINAL: return T(req, T_INC_KIND_FINAL);
	default: return "";
	}
}

const char *web_inc_tri_label(const struct khttp_req *req, int tri)
{
	switch (tri) {
	case KTRI_YES: return T(req, T_INC_TRI_YES);
	case KTRI_NO: return T(req, T_INC_TRI_NO);
	case KTRI_UNKNOWN: return T(req, T_INC_TRI_UNKNOWN);
	default: return "";
	}
}

const char *web_inc_sector(const struct khttp_req *req, const char *tag)
{
	return tag ? i18n_tag(req->lang, tag) : "";
}

void web_inc_status_badge(struct html *w, const struct khttp_req *req, int s)
{
	const char *name = kincident_status_name(s);

	html_printf(w, "<span class=\"inc-status st-%s\">%s</span>", name ? name : "unknown",
		    web_inc_status_label(req, s));
}

void web_inc_marks(struct html *w, const struct khttp_req *req, const struct kincident *inc, time_t now)
{
	unsigned od = kincident_overdue(inc, now);

	if (od & KDUE_FOLLOWUP)
		html_printf(w, "<span class=\"mark overdue\"><span aria-hidden=\"true\">⚠ </span>%s</span> ",
			    T(req, T_INC_OVERDUE_FOLLOWUP));
	if (od & KDUE_FINAL)
		html_printf(w, "<span class=\"mark overdue\"><span aria-hidden=\"true\">⚠ </span>%s</span> ",
			    T(req, T_INC_OVERDUE_FINAL));
	if (web_inc_view_of(req->reader) != WEB_INC_DESK)
		return;
	if (inc->candidate)
		html_printf(w, "<span class=\"mark candidate\"><span aria-hidden=\"true\">★ </span>%s</span> ",
			    T(req, T_INC_CANDIDATE));
	if (inc->case_id)
		html_printf(w, "<span class=\"mark has-case\">%s</span> ", T(req, T_INC_HAS_CASE));
}

static const struct {
	const char *key;
	enum kmsg msg;
} notices[] = {
	{ "filed", T_INC_DONE_FILED },
	{ "report", T_INC_DONE_REPORT },
	{ "status", T_INC_DONE_STATUS },
	{ "candidate-on", T_INC_DONE_CANDIDATE_ON },
	{ "candidate-off", T_INC_DONE_CANDIDATE_OFF },
};

void web_inc_notice(struct html *w, const struct khttp_req *req)
{
	const char *done = khttp_param(req, "done");

	for (size_t i = 0; done && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (!strcmp(done, notices[i].key)) {
			html_printf(w, "<p class=\"notice-done\" role=\"status\">%s</p>\n", T(req, notices[i].msg));
			return;
		}
}

/* ---- the first report form ------------------------------------------------------------------ */

struct first_form {
	const char *title, *org, *sector, *contact_name, *contact_phone, *contact_email;
	struct wif_time occurred, detected;
	unsigned events, causes;
	const char *service, *description, *actions, *announcement, *tlp, *spread;
	const char *spread_sectors[KSECTOR_N];
	size_t nspread;
	struct wif_impact impact;
	struct wif_errs f;
};

/* The organisations, for the analyst's datalist. */
struct orgnames {
	struct html *w;
};

static int org_option(void *vctx, const struct korg *o)
{
	struct orgnames *x = vctx;

	html_printf(x->w, "<option value=\"%s\">\n", o->name);
	return 0;
}

static int render_first_form(struct khttp_req *req, struct khttp_resp *resp, const struct first_form *ff,
			     struct kerr *err)
{
	const struct kreader *r = req->reader;
	const struct wif_errs *f = &ff->f;
	struct web_option sectors[KSECTOR_N + 1], spread[4], ann[3];
	struct orgnames on;
	struct html w;
	const char *sector = ff->sector;
	size_t nsec;
	int rc = 0;

	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_INC_NEW_TITLE), "", "page-incident-new");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"%s\"><ol><li><a href=\"%s\">%s</a></li><li>%s</li></ol></nav>\n",
		    T(req, T_INC_CRUMBS), web_url(req, "/incidents", NULL),
		    T(req, web_inc_view_of(r) == WEB_INC_DESK ? T_INC_DESK_TITLE : T_INC_REPORTER_TITLE),
		    T(req, T_INC_NEW_TITLE));
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_INC_NEW_TITLE), T(req, T_INC_NEW_LEAD));
	wif_ferr_summary(&w, req, f);
	web_form_begin(&w, req, web_url(req, "/incidents", NULL), "form incident-form");

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_INC_SEC_WHO));
	wif_f_input(&w, req, f, "title", T_INC_TITLE, "text", ff->title, TITLE_MAX, 1, T_INC_TITLE_HINT, "off");
	if (kreader_can(r, KCAP_CASE_EDIT)) {
		/* the centre files on an operator's behalf: the organisation is named (a list to pick from) */
		wif_f_open(&w, req, f, "org", T_INC_ORG, 1);
		html_printf(&w, "<input id=\"f-org\" name=\"org\" type=\"text\" value=\"%s\" maxlength=\"%d\" "
			    "list=\"org-names\" autocomplete=\"off\" required", ff->org ? ff->org : "", NAME_MAX_ * 4);
		wif_ferr_aria(&w, f, "org", 1);
		html_printf(&w, ">\n<datalist id=\"org-names\">\n");
		on.w = &w;
		if ((rc = kstore_org_list(req->st, org_option, &on, err)) < 0)
			goto out;
		html_printf(&w, "</datalist>\n");
		wif_f_close(&w, req, f, "org", T_INC_ORG_HINT);
	} else {
		html_printf(&w, "<div class=\"field\"><span class=\"label\">%s</span><p class=\"static\" dir=\"auto\">%s</p></div>\n",
			    T(req, T_INC_ORG), r->org ? r->org : "");
		if (!sector && r->nsectors)
			sector = r->sectors[0];
	}
	/* a reporter files in their organisation's sectors (all of them if it names none) */
	nsec = 0;
	sectors[nsec++] = (struct web_option){ "", T(req, T_INC_CHOOSE) };
	for (int i = 0; i < KSECTOR_N; i++) {
		int mine = kreader_can(r, KCAP_CASE_EDIT) || !r->nsectors;

		for (size_t k = 0; !mine && k < r->nsectors && k < KREADER_MAX_SECTORS; k++)
			mine = r->sectors[k] && !strcmp(r->sectors[k], ksector_tags[i]);
		if (mine)
			sectors[nsec++] = (struct web_option){ ksector_tags[i], web_inc_sector(req, ksector_tags[i]) };
	}
	wif_f_select(&w, req, f, "sector", T_FACET_SECTOR, sectors, nsec, sector, 1);
	html_printf(&w, "<h3>%s</h3>\n<div class=\"field-row\">\n", T(req, T_INC_CONTACT));
	wif_f_input(&w, req, f, "contact_name", T_INC_CONTACT_NAME, "text", ff->contact_name, NAME_MAX_ * 4, 1, 0, "name");
	wif_f_input(&w, req, f, "contact_phone", T_INC_CONTACT_PHONE, "tel", ff->contact_phone, 40, 0, 0, "tel");
	wif_f_input(&w, req, f, "contact_email", T_EMAIL, "email", ff->contact_email, 254, 0, 0, "email");
	html_printf(&w, "</div>\n<p class=\"field-hint\">%s</p>\n", T(req, T_INC_CONTACT_HINT));
	html_printf(&w, "</section>\n");

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_INC_SEC_WHAT));
	wif_f_time(&w, req, f, "detected", T_INC_DETECTED, &ff->detected, 1, T_INC_DETECTED_HINT);
	wif_f_time(&w, req, f, "occurred", T_INC_OCCURRED, &ff->occurred, 0, T_INC_OCCURRED_HINT);
	wif_f_vocab(&w, req, f, "event_types", T_INC_EVENT_TYPES, ff->events, 1, 1, T_INC_EVENT_TYPES_HINT);
	wif_f_vocab(&w, req, f, "cause_types", T_INC_CAUSE_TYPES, ff->causes, 0, 0, T_INC_CAUSE_TYPES_HINT);
	wif_f_textarea(&w, req, f, "description", T_INC_DESCRIPTION, ff->description, 8, 1, T_INC_DESCRIPTION_HINT);
	wif_f_textarea(&w, req, f, "actions", T_INC_ACTIONS, ff->actions, 4, 0, 0);
	html_printf(&w, "</section>\n");

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_INC_SEC_IMPACT));
	wif_f_tri(&w, req, f, "service_affected", T_INC_SERVICE, ff->service, 1, T_INC_SERVICE_HINT);
	wif_f_textarea(&w, req, f, "impact_scope", T_INC_IMPACT_SCOPE, ff->impact.scope, 3, 0, 0);
	html_printf(&w, "<div class=\"field-row\">\n");
	wif_f_input(&w, req, f, "impact_users", T_INC_IMPACT_USERS, "number", ff->impact.users, 0, 0, 0, "off");
	wif_f_input(&w, req, f, "impact_duration", T_INC_IMPACT_DURATION, "number", ff->impact.duration, 0, 0, 0, "off");
	html_printf(&w, "</div>\n");
	spread[0] = (struct web_option){ "", T(req, T_INC_NOT_SAID) };
	spread[1] = (struct web_option){ "yes", T(req, T_INC_TRI_YES) };
	spread[2] = (struct web_option){ "no", T(req, T_INC_TRI_NO) };
	spread[3] = (struct web_option){ "unknown", T(req, T_INC_TRI_UNKNOWN) };
	wif_f_select(&w, req, f, "spread", T_INC_SPREAD, spread, 4, ff->spread, 0);
	wif_f_sectors(&w, req, f, "spread_sectors", T_INC_SPREAD_SECTORS, ff->spread_sectors, ff->nspread);
	ann[0] = (struct web_option){ "", T(req, T_INC_NOT_SAID) };
	ann[1] = (struct web_option){ "yes", T(req, T_INC_ANN_YES) };
	ann[2] = (struct web_option){ "no", T(req, T_INC_ANN_NO) };
	wif_f_select(&w, req, f, "announcement", T_INC_ANNOUNCEMENT, ann, 3, ff->announcement, 0);
	wif_f_tlp(&w, req, f, ff->tlp);
	html_printf(&w, "</section>\n");

	html_printf(&w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button> "
		    "<a href=\"%s\">%s</a></div>\n</form>\n<p class=\"muted\">%s</p>\n",
		    T(req, T_INC_SUBMIT_FIRST), web_url(req, "/incidents", NULL), T(req, T_INC_CANCEL),
		    T(req, T_INC_NEVER_EDITED));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	resp->no_store = 1;
out:
	return rc;
}

int web_incident_new(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct first_form ff;

	if (!web_inc_may_file(req->reader))
		return kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
	memset(&ff, 0, sizeof(ff));
	ff.detected.tz = ff.occurred.tz = "+09:00";
	return render_first_form(req, resp, &ff, err);
}

/* Read the first report form into ff, check what the form can see, build the JSON. */
static int first_read(struct khttp_req *req, struct first_form *ff, json_t **out)
{
	struct wif_errs *f = &ff->f;
	const struct kreader *r = req->reader;
	char occurred[48], detected[48];
	enum kmsg m;
	json_t *o = NULL, *c = NULL;
	const char *sector_ja = NULL;
	size_t n;
	int rc = 0;

	*out = NULL;
	ff->title = wif_line_of(req, "title");
	ff->org = wif_line_of(req, "org");
	ff->sector = wif_line_of(req, "sector");
	ff->contact_name = wif_line_of(req, "contact_name");
	ff->contact_phone = wif_line_of(req, "contact_phone");
	ff->contact_email = wif_line_of(req, "contact_email");
	wif_tfield_read(req, "occurred", &ff->occurred);
	wif_tfield_read(req, "detected", &ff->detected);
	ff->service = wif_line_of(req, "service_affected");
	ff->description = wif_text_of(req, "description");
	ff->actions = wif_text_of(req, "actions");
	ff->announcement = wif_line_of(req, "announcement");
	ff->tlp = wif_line_of(req, "tlp");
	ff->spread = wif_line_of(req, "spread");
	n = web_form_values(req, "spread_sectors", ff->spread_sectors, KSECTOR_N);
	ff->nspread = n < KSECTOR_N ? n : KSECTOR_N;
	wif_impact_read(req, &ff->impact);

	if (!ff->title)
		wif_ferr(f, "title", T_INC_ERR_REQUIRED, NULL);
	if (kreader_can(r, KCAP_CASE_EDIT) && !ff->org)
		wif_ferr(f, "org", T_INC_ERR_REQUIRED, NULL);
	if (!ff->sector)
		wif_ferr(f, "sector", T_INC_ERR_CHOOSE, NULL);
	else if (!(sector_ja = ksector_label_ja(ff->sector)))
		wif_ferr(f, "sector", T_INC_ERR_SECTOR, NULL);
	if (!ff->contact_name)
		wif_ferr(f, "contact_name", T_INC_ERR_REQUIRED, NULL);
	if (!ff->contact_phone && !ff->contact_email)
		wif_ferr(f, "contact_phone", T_INC_ERR_PHONE_OR_EMAIL, NULL);
	if ((m = wif_tfield_rfc3339(&ff->detected, detected)))
		wif_ferr(f, "detected", m, NULL);
	else if (!detected[0])
		wif_ferr(f, "detected", T_INC_ERR_REQUIRED, NULL);
	if ((m = wif_tfield_rfc3339(&ff->occurred, occurred)))
		wif_ferr(f, "occurred", m, NULL);
	if (wif_checked_bits(req, "event_types", kevent_type_code, KEVT_N, &ff->events) < 0)
		wif_ferr(f, "event_types", T_INC_ERR_CHOICE, NULL);
	else if (!ff->events)
		wif_ferr(f, "event_types", T_INC_ERR_CHOOSE_ONE, NULL);
	if (wif_checked_bits(req, "cause_types", kcause_type_code, KCAUSE_N, &ff->causes) < 0)
		wif_ferr(f, "cause_types", T_INC_ERR_CHOICE, NULL);
	if (!ff->service)
		wif_ferr(f, "service_affected", T_INC_ERR_CHOOSE, NULL);
	else if (ktri_parse(ff->service) == KTRI_UNSET)
		wif_ferr(f, "service_affected", T_INC_ERR_CHOICE, NULL);
	if (!ff->description)
		wif_ferr(f, "description", T_INC_ERR_REQUIRED, NULL);
	if (ff->spread && ktri_parse(ff->spread) == KTRI_UNSET)
		wif_ferr(f, "spread", T_INC_ERR_CHOICE, NULL);
	if (n > KSECTOR_N)
		wif_ferr(f, "spread_sectors", T_INC_ERR_CHOICE, NULL);
	for (size_t i = 0; i < ff->nspread; i++)
		if (!ksector_label_ja(ff->spread_sectors[i]))
			wif_ferr(f, "spread_sectors", T_INC_ERR_SECTOR, NULL);
	if (ff->nspread && (!ff->spread || strcmp(ff->spread, "yes")))
		wif_ferr(f, "spread", T_INC_ERR_SPREAD_YES, NULL);
	if (ff->announcement && strcmp(ff->announcement, "yes") && strcmp(ff->announcement, "no"))
		wif_ferr(f, "announcement", T_INC_ERR_CHOICE, NULL);
	if (!ff->tlp)
		wif_ferr(f, "tlp", T_INC_ERR_CHOOSE, NULL);

	if (!(o = json_object()) || !(c = json_object()))
		goto nomem;
	rc = wif_jstr(o, "title", ff->title);
	if (!rc && kreader_can(r, KCAP_CASE_EDIT))
		rc = wif_jstr(o, "organization", ff->org);
	if (!rc)
		rc = wif_jstr(o, "sector", sector_ja ? sector_ja : ff->sector);
	if (!rc)
		rc = wif_jstr(c, "name", ff->contact_name);
	if (!rc)
		rc = wif_jstr(c, "phone", ff->contact_phone);
	if (!rc)
		rc = wif_jstr(c, "email", ff->contact_email);
	if (!rc) {
		rc = wif_jset(o, "contact", c);
		c = NULL;
	}
	if (!rc && occurred[0])
		rc = wif_jstr(o, "occurred_at", occurred);
	if (!rc && detected[0])
		rc = wif_jstr(o, "detected_at", detected);
	if (!rc)
		rc = wif_jcodes(o, "event_types", ff->events, kevent_type_code, KEVT_N);
	if (!rc && ff->causes)
		rc = wif_jcodes(o, "cause_types", ff->causes, kcause_type_code, KCAUSE_N);
	if (!rc)
		rc = wif_jstr(o, "service_affected", ff->service);
	if (!rc)
		rc = wif_impact_json(&ff->impact, o, f);
	if (!rc && ff->spread) {
		json_t *s = json_object(), *a = json_array();

		rc = s && a ? wif_jstr(s, "status", ff->spread) : KE_NOMEM;
		for (size_t i = 0; !rc && i < ff->nspread; i++) {
			const char *ja = ksector_label_ja(ff->spread_sectors[i]);

			if (ja && json_array_append_new(a, json_string(ja)) < 0)
				rc = KE_NOMEM;
		}
		if (!rc) {
			rc = wif_jset(s, "sectors", a);
			a = NULL;
		}
		if (!rc) {
			rc = wif_jset(o, "spread", s);
			s = NULL;
		}
		json_decref(a);
		json_decref(s);
	}
	if (!rc)
		rc = wif_jstr(o, "description", ff->description);
	if (!rc)
		rc = wif_jstr(o, "actions", ff->actions);
	if (!rc && ff->announcement)
		rc = wif_jset(o, "announcement_planned", json_boolean(!strcmp(ff->announcement, "yes")));
	if (!rc)
		rc = wif_jstr(o, "tlp", ff->tlp);
	if (rc)
		goto nomem;
	*out = o;
	return 0;
nomem:
	json_decref(o);
	json_decref(c);
	return KE_NOMEM;
}

int web_incident_file(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct first_form ff;
	struct kincident inc = { 0 };
	struct kerr e2 = KERR_INIT;
	struct kstore *rw = NULL;
	json_t *in = NULL;
	time_t now = kreport_now();
	int rc;

	if (!web_inc_may_file(req->reader))
		return kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
	memset(&ff, 0, sizeof(ff));
	if ((rc = first_read(req, &ff, &in)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!ff.f.n) {
		rc = kreport_first_check(in, req->reader, now, &inc, &e2);
		if (rc == KE_DENIED) {
			rc = kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
			goto out;
		}
		if (rc == KE_NOMEM) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (rc < 0)
			wif_model_error(req, &ff.f, e2.msg);
	}
	if (!ff.f.n && !ff.f.general) {
		if (!(rw = khttp_writer_begin(req, err))) {
			rc = err->code ? err->code : KE_DB;
			goto out;
		}
		kerr_clear(&e2);
		rc = kstore_incident_add(rw, &inc, now, &e2);
		if (rc == 0)
			rc = kstore_commit(rw, &e2);
		if (rc < 0) {
			kstore_rollback(rw);
			if (rc == KE_INVALID || rc == KE_NOTFOUND) {
				wif_model_error(req, &ff.f, e2.msg); /* an organisation the store does not know, ... */
			} else {
				kerr_set(err, rc, "%s", e2.msg);
				goto out;
			}
		}
	}
	if (ff.f.n || ff.f.general) {
		resp->status = 400;
		rc = render_first_form(req, resp, &ff, err);
		goto out;
	}
	rc = web_form_redirect(resp, web_url(req, "/incidents/%U", inc.id, "done", "filed", NULL), err);
out:
	json_decref(in);
	kincident_free(&inc);
	return rc;
}

/* ---- one incident: loading --------------------------------------------------------------- */

struct rep {
	int seq, kind;
	char *submitted, *author;
	json_t *j;
};

struct hist {
	char *at, *actor, *note;
	int from, to;
};

struct incpage {
	struct kincident inc;
	struct rep *reps;
	size_t nreps, areps;
	struct hist *hist;
	size_t nhist, ahist;
};

static void incpage_free(struct incpage *p)
{
	for (size_t i = 0; i < p->nreps; i++) {
		free(p->reps[i].submitted);
		free(p->reps[i].author);
		json_decref(p->reps[i].j);
	}
	for (size_t i = 0; i < p->nhist; i++) {
		free(p->hist[i].at);
		free(p->hist[i].actor);
		free(p->hist[i].note);
	}
	free(p->reps);
	free(p->hist);
	kincident_free(&p->inc);
	memset(p, 0, sizeof(*p));
}

/* a and b in a new string, or NULL. */
static char *kstrcat2(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);

	if (s) {
		memcpy(s, a, na);
		memcpy(s + na, b, nb + 1);
	}
	return s;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static int rep_copy(void *vctx, const struct kreport_row *r)
{
	struct incpage *p = vctx;
	struct rep *d;

	if (KGROW(p->reps, p->areps, p->nreps + 1) < 0)
		return KE_NOMEM;
	d = &p->reps[p->nreps++];
	memset(d, 0, sizeof(*d));
	d->seq = r->seq;
	d->kind = (int)r->kind;
	d->submitted = dup0(r->submitted);
	d->author = dup0(r->author);
	d->j = json_loads(r->json ? r->json : "{}", 0, NULL);
	if (!d->j)
		d->j = json_object();
	return d->submitted && d->author && d->j ? 0 : KE_NOMEM;
}

static int hist_copy(void *vctx, const struct kstatus_row *r)
{
	struct incpage *p = vctx;
	struct hist *d;

	if (KGROW(p->hist, p->ahist, p->nhist + 1) < 0)
		return KE_NOMEM;
	d = &p->hist[p->nhist++];
	d->at = dup0(r->at);
	d->actor = dup0(r->actor);
	d->note = dup0(r->note);
	d->from = r->from;
	d->to = r->to;
	return d->at && d->actor && d->note ? 0 : KE_NOMEM;
}

/*
 * The incident id as r may see it (KE_NOTFOUND, with the page's words, if
 * it is not there or r may not see it), from st.  full: its reports and
 * history too.
 */
static int incident_load(struct khttp_req *req, struct kstore *st, const char *id, int full, struct incpage *p,
			 struct kerr *err)
{
	struct kerr e2 = KERR_INIT;
	int rc;

	if (!id || !web_valid_id(id))
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND));
	rc = kstore_incident_get(st, id, &p->inc, &e2);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND));
	if (rc < 0)
		return kerr_set(err, rc, "%s", e2.msg);
	/* one the reader may not see does not exist for them */
	if (kincident_allowed(req->reader, &p->inc, KACT_VIEW, NULL) < 0)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND));
	if (!full)
		return 0;
	if ((rc = kstore_incident_reports(st, id, rep_copy, p, &e2)) < 0 ||
	    (rc = kstore_incident_history(st, id, hist_copy, p, &e2)) < 0)
		return rc == KE_NOMEM ? kerr_set(err, KE_NOMEM, "out of memory") : kerr_set(err, rc, "%s", e2.msg);
	return 0;
}

/* ---- possible duplicates ------------------------------------------------------------------- */

/* The distinct words of a text (tokenizer tokens of two characters or more), sorted. */
struct words {
	char **v;
	size_t n, alloc;
	int err;
};

static int word_cb(void *vctx, const char *tok, int ntok, int start, int end)
{
	struct words *ws = vctx;
	int chars = 0;

	(void)start;
	(void)end;
	for (int i = 0; i < ntok; i++)
		chars += ((unsigned char)tok[i] & 0xc0) != 0x80;
	if (chars < 2)
		return 0;
	if (KGROW(ws->v, ws->alloc, ws->n + 1) < 0 || !(ws->v[ws->n] = strndup(tok, (size_t)ntok))) {
		ws->err = KE_NOMEM;
		return 1;
	}
	ws->n++;
	return 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void words_free(struct words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->v[i]);
	free(ws->v);
	memset(ws, 0, sizeof(*ws));
}

static int words_of(const char *title, const char *desc, struct words *ws)
{
	size_t k = 0;

	memset(ws, 0, sizeof(*ws));
	if (title)
		ktok_tokenize(title, -1, 0, word_cb, ws);
	if (desc && !ws->err)
		ktok_tokenize(desc, -1, 0, word_cb, ws);
	if (ws->err)
		return ws->err;
	if (ws->n)
		qsort(ws->v, ws->n, sizeof(char *), strp_cmp);
	for (size_t i = 0; i < ws->n; i++) {
		if (k && !strcmp(ws->v[k - 1], ws->v[i])) {
			free(ws->v[i]);
			continue;
		}
		ws->v[k++] = ws->v[i];
	}
	ws->n = k;
	return 0;
}

/* Dice's coefficient of two sorted word sets. */
static double words_overlap(const struct words *a, const struct words *b)
{
	size_t i = 0, j = 0, common = 0;

	if (!a->n || !b->n)
		return 0;
	while (i < a->n && j < b->n) {
		int c = strcmp(a->v[i], b->v[j]);

		if (!c) {
			common++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	return 2.0 * (double)common / (double)(a->n + b->n);
}

struct dupe {
	double score;
	char *id, *title, *org;
	int status;
};

struct dupectx {
	const struct words *me;
	const char *self;
	struct dupe top[DUPES_N];
	int n;
};

static const char *first_text(const json_t *first, const char *k)
{
	return json_string_value(json_object_get(first, k));
}

static int dupe_cb(void *vctx, const struct kincident *inc)
{
	struct dupectx *x = vctx;
	struct words ws;
	double s;
	int at;

	if (!strcmp(inc->id, x->self))
		return 0;
	if (words_of(inc->title, first_text(inc->first, "description"), &ws) < 0) {
		words_free(&ws);
		return KE_NOMEM;
	}
	s = words_overlap(x->me, &ws);
	words_free(&ws);
	if (s < DUPES_MIN)
		return 0;
	/* keep the best DUPES_N, best first */
	for (at = x->n; at > 0 && x->top[at - 1].score < s; at--)
		;
	if (at >= DUPES_N)
		return 0;
	if (x->n == DUPES_N) {
		free(x->top[DUPES_N - 1].id);
		free(x->top[DUPES_N - 1].title);
		free(x->top[DUPES_N - 1].org);
		x->n--;
	}
	memmove(&x->top[at + 1], &x->top[at], (size_t)(x->n - at) * sizeof(x->top[0]));
	x->top[at] = (struct dupe){ s, dup0(inc->id), dup0(inc->title), dup0(inc->org), inc->status };
	x->n++;
	return x->top[at].id && x->top[at].title && x->top[at].org ? 0 : KE_NOMEM;
}

static void render_dupes(struct html *w, struct khttp_req *req, const struct incpage *p)
{
	struct kincident_query q = { 0 };
	struct dupectx x;
	struct words me;
	struct kerr e2 = KERR_INIT;
	const char *desc = first_text(p->inc.first, "description");
	struct ksimilar_opts so = KSIMILAR_OPTS_INIT;
	struct ksearch_result res;
	struct kbuf text = KBUF_INIT;
	int rc;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	html_printf(w, "<section class=\"side-box dupes\" aria-labelledby=\"dupes-h\">\n<h2 id=\"dupes-h\">%s</h2>\n"
		    "<h3>%s</h3>\n", T(req, T_INC_DUPES), T(req, T_INC_DUPES_OPEN));
	rc = words_of(p->inc.title, desc, &me);
	if (rc == 0) {
		q.reader = req->reader;
		q.statuses = 1u << KINC_RECEIVED | 1u << KINC_CHECKING | 1u << KINC_RESPONDING;
		q.with_first = 1;
		q.limit = DUPES_SCAN;
		x.me = &me;
		x.self = p->inc.id;
		rc = kstore_incident_list(req->st, &q, dupe_cb, &x, NULL, &e2);
	}
	if (rc < 0)
		fprintf(stderr, "kyokun: serve: duplicates of %s: %s\n", p->inc.id, e2.msg);
	if (!x.n) {
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_INC_NO_DUPES));
	} else {
		html_printf(w, "<ol class=\"similar\">\n");
		for (int i = 0; i < x.n; i++) {
			html_printf(w, "<li><a href=\"%s\" dir=\"auto\">%s</a><div class=\"meta\"><span>%s</span>"
				    "<span dir=\"auto\">%s</span><span>%s</span><span>%d%%</span></div></li>\n",
				    web_url(req, "/incidents/%U", x.top[i].id, NULL), x.top[i].title, x.top[i].id,
				    x.top[i].org, web_inc_status_label(req, x.top[i].status), (int)(x.top[i].score * 100 + 0.5));
		}
		html_printf(w, "</ol>\n");
	}
	for (int i = 0; i < x.n; i++) {
		free(x.top[i].id);
		free(x.top[i].title);
		free(x.top[i].org);
	}
	words_free(&me);

	/* the published cases most like the first report */
	html_printf(w, "<h3>%s</h3>\n", T(req, T_INC_DUPES_CASES));
	kbuf_addf(&text, "%s\n%s", p->inc.title ? p->inc.title : "", desc ? desc : "");
	so.text = kbuf_str(&text);
	so.filter.reader = req->reader;
	so.filter.limit = SIMILAR_N;
	kerr_clear(&e2);
	rc = text.buf ? ksimilar(req->st, &so, &res, &e2) : KE_NOMEM;
	if (rc < 0 && rc != KE_NOTFOUND)
		fprintf(stderr, "kyokun: serve: similar cases of %s: %s\n", p->inc.id, e2.msg);
	if (rc < 0 || !res.nhits) {
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_SIMILAR));
	} else {
		web_similar_list(w, req, &res);
	}
	html_printf(w, "</section>\n");
	ksearch_result_free(&res);
	kbuf_release(&text);
}

/* ---- one incident: the page ------------------------------------------------------------------- */

/* The follow-up form as typed (when it failed). */
struct upd_form {
	const char *kind, *text, *cause, *response, *countermeasures, *service;
	struct wif_time at;
	unsigned events, causes;
	struct wif_impact impact;
	struct wif_errs f;
};

/* A report member's text, or NULL. */
static const char *jtext(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void dt_text(struct html *w, const struct khttp_req *req, enum kmsg label, const char *s, int lines)
{
	if (!s || !*s)
		return;
	html_printf(w, "<dt>%s</dt><dd dir=\"auto\">", T(req, label));
	if (lines)
		html_lines(w, s);
	else
		html_printf(w, "%s", s);
	html_printf(w, "</dd>\n");
}

static void dt_time(struct html *w, const struct khttp_req *req, enum kmsg label, const char *t)
{
	if (!t || !*t)
		return;
	html_printf(w, "<dt>%s</dt><dd>", T(req, label));
	web_inc_time_html(w, req, t);
	html_printf(w, "</dd>\n");
}

/* The codes of a vocabulary in a report (an array of codes), as labels. */
static void dt_codes(struct html *w, const struct khttp_req *req, enum kmsg label, const json_t *a, int events)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || !json_array_size(a))
		return;
	html_printf(w, "<dt>%s</dt><dd>", T(req, label));
	json_array_foreach(a, i, v) {
		const char *code = json_string_value(v);
		unsigned bit = events ? kevent_type_parse(code) : kcause_type_parse(code);
		int k = 0;

		if (!code)
			continue;
		while (bit > 1u) {
			bit >>= 1;
			k++;
		}
		html_printf(w, "<span class=\"chip\">%s</span>%R",
			    bit ? (events ? web_inc_event_label(req, k) : web_inc_cause_label(req, k)) : code, " ");
	}
	html_printf(w, "</dd>\n");
}

static void dt_tri(struct html *w, const struct khttp_req *req, enum kmsg label, const char *v)
{
	enum ktri t = ktri_parse(v);

	if (t == KTRI_UNSET)
		return;
	html_printf(w, "<dt>%s</dt><dd>%s</dd>\n", T(req, label), web_inc_tri_label(req, t));
}

static void dt_impact(struct html *w, const struct khttp_req *req, const json_t *im)
{
	const json_t *u, *d;

	if (!json_is_object(im))
		return;
	dt_text(w, req, T_INC_IMPACT_SCOPE, jtext(im, "scope"), 1);
	u = json_object_get(im, "users_affected");
	d = json_object_get(im, "duration_minutes");
	if (json_is_integer(u))
		html_printf(w, "<dt>%s</dt><dd>%lld</dd>\n", T(req, T_INC_IMPACT_USERS), (long long)json_integer_value(u));
	if (json_is_integer(d))
		html_printf(w, "<dt>%s</dt><dd>%lld</dd>\n", T(req, T_INC_IMPACT_DURATION),
			    (long long)json_integer_value(d));
}

static void render_report(struct html *w, const struct khttp_req *req, const struct rep *rp)
{
	const json_t *j = rp->j, *c, *sp, *ann;

	html_printf(w, "<li class=\"report kind-%s\" id=\"report-%d\">\n<article>\n<header class=\"report-head\">"
		    "<h3>%s <span class=\"seq\">#%d</span></h3><p class=\"meta\">",
		    kreport_kind_name((enum kreport_kind)rp->kind) ? kreport_kind_name((enum kreport_kind)rp->kind) : "",
		    rp->seq, web_inc_kind_label(req, rp->kind), rp->seq);
	html_printf(w, "<span>%s ", T(req, T_INC_SUBMITTED));
	web_inc_time_html(w, req, rp->submitted);
	html_printf(w, "</span><span>%s <strong>%s</strong></span></p></header>\n<dl class=\"facts report-fields\">\n",
		    T(req, T_INC_AUTHOR), rp->author);
	if (rp->kind == KREPORT_FIRST) {
		c = json_object_get(j, "contact");
		if (json_is_object(c)) {
			html_printf(w, "<dt>%s</dt><dd dir=\"auto\">%s", T(req, T_INC_CONTACT), jtext(c, "name"));
			if (jtext(c, "phone"))
				html_printf(w, " · %s", jtext(c, "phone"));
			if (jtext(c, "email"))
				html_printf(w, " · %s", jtext(c, "email"));
			html_printf(w, "</dd>\n");
		}
		dt_time(w, req, T_INC_OCCURRED, jtext(j, "occurred_at"));
		dt_time(w, req, T_INC_DETECTED, jtext(j, "detected_at"));
	} else {
		dt_time(w, req, T_INC_AT, jtext(j, "at"));
		dt_text(w, req, T_INC_TEXT, jtext(j, "text"), 1);
	}
	dt_codes(w, req, T_INC_EVENT_TYPES, json_object_get(j, "event_types"), 1);
	dt_codes(w, req, T_INC_CAUSE_TYPES, json_object_get(j, "cause_types"), 0);
	dt_tri(w, req, T_INC_SERVICE, jtext(j, "service_affected"));
	dt_impact(w, req, json_object_get(j, "impact"));
	sp = json_object_get(j, "spread");
	if (json_is_object(sp) && ktri_parse(jtext(sp, "status")) != KTRI_UNSET) {
		const json_t *a = json_object_get(sp, "sectors");
		size_t i;
		json_t *v;

		html_printf(w, "<dt>%s</dt><dd>%s", T(req, T_INC_SPREAD), web_inc_tri_label(req, ktri_parse(jtext(sp, "status"))));
		json_array_foreach(a, i, v) {
			const char *tag = ksector_parse(json_string_value(v));

			html_printf(w, " <span class=\"chip\">%s</span>", tag ? web_inc_sector(req, tag) : json_string_value(v));
		}
		html_printf(w, "</dd>\n");
	}
	dt_text(w, req, T_INC_DESCRIPTION, jtext(j, "description"), 1);
	dt_text(w, req, T_INC_ACTIONS, jtext(j, "actions"), 1);
	dt_text(w, req, T_INC_CAUSE, jtext(j, "cause"), 1);
	dt_text(w, req, T_INC_RESPONSE, jtext(j, "response"), 1);
	dt_text(w, req, T_INC_COUNTERMEASURES, jtext(j, "countermeasures"), 1);
	ann = json_object_get(j, "announcement_planned");
	if (json_is_boolean(ann))
		html_printf(w, "<dt>%s</dt><dd>%s</dd>\n", T(req, T_INC_ANNOUNCEMENT),
			    T(req, json_is_true(ann) ? T_INC_ANN_YES : T_INC_ANN_NO));
	html_printf(w, "</dl>\n</article>\n</li>\n");
}

/* The follow-up and final report form, for the kinds r may file now. */
static void render_update_form(struct html *w, const struct khttp_req *req, const struct incpage *p,
			       const struct upd_form *uf, int may_followup, int may_final)
{
	const struct wif_errs *f = uf ? &uf->f : NULL;
	struct upd_form blank;
	struct web_option svc[4];
	char iso[32], date[11], tm[6];
	const char *kind;

	if (!uf) {
		memset(&blank, 0, sizeof(blank));
		/* now, in JST, as the default "as of" */
		kreport_time_format(kreport_now(), WEB_INC_TZ_MIN, iso);
		snprintf(date, sizeof(date), "%.10s", iso);
		snprintf(tm, sizeof(tm), "%.5s", iso + 11);
		blank.at.date = date;
		blank.at.time = tm;
		blank.at.tz = "+09:00";
		uf = &blank;
	}
	kind = uf->kind ? uf->kind : may_followup ? "followup" : "final";
	html_printf(w, "<section class=\"panel\" id=\"update\">\n<h2>%s</h2>\n<p class=\"muted\">%s</p>\n",
		    T(req, T_INC_UPDATE_TITLE), T(req, T_INC_UPDATE_LEAD));
	wif_ferr_summary(w, req, f);
	web_form_begin(w, req, web_url(req, "/incidents/%U/updates", p->inc.id, NULL), "form update-form");
	wif_fs_open(w, req, f, "kind", "radios", T_INC_KIND, 1);
	html_printf(w, "<div class=\"boxes\">\n");
	if (may_followup)
		html_printf(w, "<label><input type=\"radio\" name=\"kind\" value=\"followup\"%R> %s</label>\n",
			    !strcmp(kind, "followup") ? " checked" : "", T(req, T_INC_KIND_FOLLOWUP));
	if (may_final)
		html_printf(w, "<label><input type=\"radio\" name=\"kind\" value=\"final\"%R> %s</label>\n",
			    !strcmp(kind, "final") ? " checked" : "", T(req, T_INC_KIND_FINAL));
	html_printf(w, "</div>\n");
	wif_fs_close(w, req, f, "kind", may_final ? T_INC_FINAL_HINT : 0);
	wif_f_time(w, req, f, "at", T_INC_AT, &uf->at, 1, T_INC_AT_HINT);
	wif_f_textarea(w, req, f, "text", T_INC_TEXT, uf->text, 5, 1, 0);
	wif_f_textarea(w, req, f, "cause", T_INC_CAUSE, uf->cause, 3, 0, 0);
	wif_f_textarea(w, req, f, "response", T_INC_RESPONSE, uf->response, 3, 0, 0);
	wif_f_textarea(w, req, f, "countermeasures", T_INC_COUNTERMEASURES, uf->countermeasures, 3, 0, 0);
	html_printf(w, "<details class=\"more-fields\"%R><summary>%s</summary>\n",
		    uf->events || uf->causes || uf->service || uf->impact.scope || uf->impact.users ||
		    uf->impact.duration || (f && (wif_ferr_of(f, "event_types") >= 0 || wif_ferr_of(f, "cause_types") >= 0 ||
		    wif_ferr_of(f, "service_affected") >= 0 || wif_ferr_of(f, "impact_users") >= 0 ||
		    wif_ferr_of(f, "impact_duration") >= 0 || wif_ferr_of(f, "impact_scope") >= 0)) ? " open" : "",
		    T(req, T_INC_MORE_FIELDS));
	svc[0] = (struct web_option){ "", T(req, T_INC_NOT_SAID) };
	svc[1] = (struct web_option){ "yes", T(req, T_INC_TRI_YES) };
	svc[2] = (struct web_option){ "no", T(req, T_INC_TRI_NO) };
	svc[3] = (struct web_option){ "unknown", T(req, T_INC_TRI_UNKNOWN) };
	wif_f_select(w, req, f, "service_affected", T_INC_SERVICE, svc, 4, uf->service, 0);
	wif_f_textarea(w, req, f, "impact_scope", T_INC_IMPACT_SCOPE, uf->impact.scope, 2, 0, 0);
	html_printf(w, "<div class=\"field-row\">\n");
	wif_f_input(w, req, f, "impact_users", T_INC_IMPACT_USERS, "number", uf->impact.users, 0, 0, 0, "off");
	wif_f_input(w, req, f, "impact_duration", T_INC_IMPACT_DURATION, "number", uf->impact.duration, 0, 0, 0, "off");
	html_printf(w, "</div>\n");
	wif_f_vocab(w, req, f, "event_types", T_INC_EVENT_TYPES, uf->events, 1, 0, T_INC_ADD_TYPES_HINT);
	wif_f_vocab(w, req, f, "cause_types", T_INC_CAUSE_TYPES, uf->causes, 0, 0, 0);
	html_printf(w, "</details>\n<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n"
		    "</form>\n</section>\n", T(req, T_INC_SUBMIT_UPDATE));
}

static enum kmsg action_label(int a)
{
	switch (a) {
	case KACT_CHECK: return T_INC_ACT_CHECK;
	case KACT_RESPOND: return T_INC_ACT_RESPOND;
	case KACT_CLOSE: return T_INC_ACT_CLOSE;
	case KACT_REOPEN: return T_INC_ACT_REOPEN;
	case KACT_WITHDRAW: return T_INC_ACT_WITHDRAW;
	default: return T_INC_STATUS;
	}
}

/* Where the case made from an incident is: the published case, or the draft's editor. */
static const char *case_url(struct khttp_req *req, const char *id, int *published)
{
	struct kcase c;
	struct kerr e2 = KERR_INIT;

	kcase_init(&c);
	*published = kstore_get(req->st, id, &c, &e2) == 0;
	kcase_free(&c);
	return *published ? web_url(req, "/cases/%U", id, NULL) : web_url(req, "/drafts/%U/edit", id, NULL);
}

/* The side: what r may do (status, candidate, case draft), then the status history. */
static void render_actions(struct html *w, struct khttp_req *req, const struct incpage *p)
{
	const struct kreader *r = req->reader;
	const struct kincident *inc = &p->inc;
	int any = 0;

	for (int a = KACT_CHECK; a <= KACT_WITHDRAW; a++) {
		if (kincident_allowed(r, inc, a, NULL) != 0)
			continue;
		if (!any++) {
			html_printf(w, "<section class=\"side-box\" aria-labelledby=\"status-h\">\n<h2 id=\"status-h\">%s</h2>\n",
				    T(req, T_INC_CHANGE_STATUS));
			web_form_begin(w, req, web_url(req, "/incidents/%U/status", inc->id, NULL), "form status-form");
			html_printf(w, "<div class=\"field\"><label for=\"f-note\">%s</label>"
				    "<input id=\"f-note\" name=\"note\" type=\"text\" maxlength=\"%d\" autocomplete=\"off\"></div>\n"
				    "<div class=\"status-buttons\">\n", T(req, T_INC_NOTE), NOTE_MAX);
		}
		html_printf(w, "<button type=\"submit\" name=\"action\" value=\"%s\" class=\"button%R\">%s</button>\n",
			    kinc_action_name(a), a == KACT_WITHDRAW ? " secondary" : "", T(req, action_label(a)));
	}
	if (any)
		html_printf(w, "</div>\n</form>\n</section>\n");
	if (kincident_allowed(r, inc, KACT_CANDIDATE, NULL) == 0) {
		html_printf(w, "<section class=\"side-box\" aria-labelledby=\"cand-h\">\n<h2 id=\"cand-h\">%s</h2>\n<p>%s</p>\n",
			    T(req, T_INC_CANDIDATE), T(req, inc->candidate ? T_INC_IS_CANDIDATE : T_INC_NOT_CANDIDATE));
		web_form_begin(w, req, web_url(req, "/incidents/%U/candidate", inc->id, NULL), "form inline");
		html_printf(w, "<input type=\"hidden\" name=\"on\" value=\"%R\">"
			    "<button type=\"submit\" class=\"button%R\">%s</button>\n</form>\n</section>\n",
			    inc->candidate ? "0" : "1", inc->candidate ? " secondary" : "",
			    T(req, inc->candidate ? T_INC_UNMARK_CANDIDATE : T_INC_MARK_CANDIDATE));
	}
	if (kincident_allowed(r, inc, KACT_DRAFT, NULL) == 0 || (inc->case_id && kreader_may_see_drafts(r))) {
		html_printf(w, "<section class=\"side-box\" aria-labelledby=\"case-h\">\n<h2 id=\"case-h\">%s</h2>\n",
			    T(req, T_INC_CASE));
		if (inc->case_id) {
			int published;
			const char *url = case_url(req, inc->case_id, &published);

			html_printf(w, "<p>%s <a href=\"%s\"><code>%s</code></a></p>\n",
				    T(req, published ? T_INC_CASE_PUBLISHED : T_INC_CASE_DRAFT), url, inc->case_id);
			if (!published && web_approve_waiting(req, inc->case_id)) /* issue 13, h-approve */
				html_printf(w, "<p><a class=\"chip approval-waiting\" href=\"%s\">%s</a></p>\n",
					    web_url(req, "/drafts/%U/approval", inc->case_id, NULL), T(req, T_AP_PENDING_CHIP));
		} else {
			html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_INC_DRAFT_LEAD));
			web_form_begin(w, req, web_url(req, "/incidents/%U/draft", inc->id, NULL), "form inline");
			html_printf(w, "<button type=\"submit\" class=\"button\">%s</button>\n</form>\n", T(req, T_INC_MAKE_DRAFT));
		}
		html_printf(w, "</section>\n");
	} else if (inc->case_id && web_approve_waiting(req, inc->case_id)) {
		/* issue 13, h-approve: the reporting organisation's users, once their approval is asked for */
		html_printf(w, "<section class=\"side-box approval-box\">\n<h2>%s</h2>\n<p><span class=\"chip approval-waiting\">%s</span></p>"
			    "<p>%s</p>\n<p><a class=\"button\" href=\"%s\">%s</a></p>\n</section>\n", T(req, T_AP_TITLE),
			    T(req, T_AP_PENDING_CHIP), T(req, T_AP_YOUR_DRAFT),
			    web_url(req, "/drafts/%U/approval", inc->case_id, NULL), T(req, T_AP_OPEN_PAGE));
	}
}

static void render_history(struct html *w, const struct khttp_req *req, const struct incpage *p)
{
	html_printf(w, "<section class=\"side-box\" aria-labelledby=\"hist-h\">\n<h2 id=\"hist-h\">%s</h2>\n"
		    "<ol class=\"status-history\">\n", T(req, T_INC_HISTORY));
	for (size_t i = 0; i < p->nhist; i++) {
		const struct hist *h = &p->hist[i];

		if (h->to < 0 && web_inc_view_of(req->reader) != WEB_INC_DESK)
			continue; /* the candidate mark is the centre's own */
		html_printf(w, "<li>");
		web_inc_time_html(w, req, h->at);
		html_printf(w, " <span class=\"who\">%s</span><br>", h->actor);
		if (h->to < 0) {
			int on = strstr(h->note, "on") && !strstr(h->note, "off");

			html_printf(w, "%s", T(req, on ? T_INC_HIST_CANDIDATE_ON : T_INC_HIST_CANDIDATE_OFF));
		} else {
			if (h->from >= 0)
				html_printf(w, "%s → ", web_inc_status_label(req, h->from));
			html_printf(w, "<strong>%s</strong>", web_inc_status_label(req, h->to));
			if (*h->note)
				html_printf(w, "<br><span class=\"note\" dir=\"auto\">%s</span>", h->note);
		}
		html_printf(w, "</li>\n");
	}
	html_printf(w, "</ol>\n</section>\n");
}

/* The due times, each with its overdue mark in words. */
static void dt_due(struct html *w, const struct khttp_req *req, enum kmsg label, const char *due, int overdue,
		   int met)
{
	if (!due)
		return;
	html_printf(w, "<dt>%s</dt><dd%R>", T(req, label), overdue ? " class=\"overdue\"" : "");
	web_inc_time_html(w, req, due);
	if (overdue)
		html_printf(w, " <span class=\"mark overdue\"><span aria-hidden=\"true\">⚠ </span>%s</span>",
			    T(req, T_INC_OVERDUE));
	else if (met)
		html_printf(w, " <span class=\"mark met\">%s</span>", T(req, T_INC_DUE_MET));
	html_printf(w, "</dd>\n");
}

static int render_incident(struct khttp_req *req, struct khttp_resp *resp, const char *id, const struct upd_form *uf,
			   struct kerr *err)
{
	struct incpage p;
	const struct kincident *inc;
	time_t now = kreport_now();
	unsigned od;
	int may_followup, may_final, rc;
	struct html w;

	memset(&p, 0, sizeof(p));
	if ((rc = incident_load(req, req->st, id, 1, &p, err)) < 0)
		goto out;
	inc = &p.inc;
	od = kincident_overdue(inc, now);
	may_followup = kincident_allowed(req->reader, inc, KACT_FOLLOWUP, NULL) == 0;
	may_final = kincident_allowed(req->reader, inc, KACT_FINAL, NULL) == 0;

	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, inc->title, "", "page-incident");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"%s\"><ol><li><a href=\"%s\">%s</a></li><li>%s</li></ol></nav>\n",
		    T(req, T_INC_CRUMBS), web_url(req, "/incidents", NULL),
		    T(req, web_inc_view_of(req->reader) == WEB_INC_DESK ? T_INC_DESK_TITLE :
			   web_inc_view_of(req->reader) == WEB_INC_LIAISON ? T_INC_LIAISON_TITLE : T_INC_REPORTER_TITLE),
		    inc->id);
	web_inc_notice(&w, req);
	html_printf(&w, "<div class=\"case-layout incident-layout\">\n<article class=\"case incident\">\n"
		    "<header class=\"case-head\">\n<p class=\"kicker\"><span class=\"inc-id\">%s</span> ", inc->id);
	web_inc_status_badge(&w, req, inc->status);
	html_printf(&w, " ");
	web_tlp_badge(&w, req, inc->tlp);
	html_printf(&w, "</p>\n<h1 dir=\"auto\">%s</h1>\n<p class=\"marks\">", inc->title);
	web_inc_marks(&w, req, inc, now);
	html_printf(&w, "</p>\n<dl class=\"case-meta\">\n<dt>%s</dt><dd dir=\"auto\">%s</dd>\n<dt>%s</dt><dd>%s</dd>\n",
		    T(req, T_INC_ORG), inc->org, T(req, T_FACET_SECTOR), web_inc_sector(req, inc->sector));
	html_printf(&w, "<dt>%s</dt><dd>", T(req, T_INC_STATUS));
	web_inc_status_badge(&w, req, inc->status);
	html_printf(&w, "</dd>\n");
	dt_time(&w, req, T_INC_DETECTED, inc->detected_at);
	dt_time(&w, req, T_INC_OCCURRED, inc->occurred_at);
	dt_time(&w, req, T_INC_CREATED, inc->created);
	html_printf(&w, "<dt>%s</dt><dd>%s</dd>\n", T(req, T_INC_FILED_BY), inc->filed_by);
	dt_time(&w, req, T_INC_UPDATED, inc->updated);
	if (inc->status != KINC_WITHDRAWN) {
		dt_due(&w, req, T_INC_DUE_FOLLOWUP, inc->due_followup, !!(od & KDUE_FOLLOWUP), inc->nreports > 1 || inc->final_at);
		dt_due(&w, req, T_INC_DUE_FINAL, inc->due_final, !!(od & KDUE_FINAL), inc->final_at != NULL);
	}
	html_printf(&w, "<dt>%s</dt><dd>", T(req, T_INC_EVENT_TYPES));
	for (int i = 0; i < KEVT_N; i++)
		if (inc->event_types & 1u << i)
			html_printf(&w, "<span class=\"chip\">%s</span> ", web_inc_event_label(req, i));
	html_printf(&w, "</dd>\n");
	if (inc->cause_types) {
		html_printf(&w, "<dt>%s</dt><dd>", T(req, T_INC_CAUSE_TYPES));
		for (int i = 0; i < KCAUSE_N; i++)
			if (inc->cause_types & 1u << i)
				html_printf(&w, "<span class=\"chip\">%s</span> ", web_inc_cause_label(req, i));
		html_printf(&w, "</dd>\n");
	}
	dt_tri(&w, req, T_INC_SERVICE, ktri_name(inc->service_affected));
	html_printf(&w, "</dl>\n</header>\n");

	html_printf(&w, "<section class=\"reports\" aria-labelledby=\"reports-h\">\n<h2 id=\"reports-h\">%s</h2>\n"
		    "<ol class=\"report-list\">\n", T(req, T_INC_REPORTS));
	for (size_t i = 0; i < p.nreps; i++)
		render_report(&w, req, &p.reps[i]);
	html_printf(&w, "</ol>\n</section>\n");
	if (may_followup || may_final)
		render_update_form(&w, req, &p, uf, may_followup, may_final);
	html_printf(&w, "<p class=\"muted help\">%s %s</p>\n</article>\n<aside class=\"case-side\">\n",
		    T(req, T_INC_NEVER_EDITED), T(req, T_INC_TIMES_JST));
	render_actions(&w, req, &p);
	if (web_inc_view_of(req->reader) == WEB_INC_DESK)
		render_dupes(&w, req, &p);
	render_history(&w, req, &p);
	html_printf(&w, "</aside>\n</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	resp->no_store = 1; /* overdue marks follow the clock; a failed form is the request's own */
out:
	incpage_free(&p);
	return rc;
}

int web_incident(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	if (web_inc_view_of(req->reader) == WEB_INC_NONE)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND));
	return render_incident(req, resp, req->args[0], NULL, err);
}

/* ---- the POSTs ----------------------------------------------------------------------------------- */

/*
 * kincident_allowed()'s refusal as the request's error: 404 as if absent,
 * 403 naming the role, or 400 saying the status does not allow it.
 */
static int refused(struct khttp_req *req, int rc, const struct kerr *why, struct kerr *err)
{
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND));
	if (rc == KE_DENIED)
		return kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
	if (rc == KE_INVALID)
		return kerr_set(err, KE_INVALID, "%s (%s)", T(req, T_INC_ERR_WRONG_STATUS), why->msg);
	return kerr_set(err, rc, "%s", why->msg);
}

static int upd_read(struct khttp_req *req, struct upd_form *uf, json_t **out)
{
	struct wif_errs *f = &uf->f;
	char at[48];
	enum kmsg m;
	json_t *o;
	int rc;

	*out = NULL;
	uf->kind = wif_line_of(req, "kind");
	wif_tfield_read(req, "at", &uf->at);
	uf->text = wif_text_of(req, "text");
	uf->cause = wif_text_of(req, "cause");
	uf->response = wif_text_of(req, "response");
	uf->countermeasures = wif_text_of(req, "countermeasures");
	uf->service = wif_line_of(req, "service_affected");
	wif_impact_read(req, &uf->impact);
	if (!uf->kind || (strcmp(uf->kind, "followup") && strcmp(uf->kind, "final")))
		wif_ferr(f, "kind", T_INC_ERR_CHOOSE, NULL);
	if ((m = wif_tfield_rfc3339(&uf->at, at)))
		wif_ferr(f, "at", m, NULL);
	else if (!at[0])
		wif_ferr(f, "at", T_INC_ERR_REQUIRED, NULL);
	if (!uf->text)
		wif_ferr(f, "text", T_INC_ERR_REQUIRED, NULL);
	if (uf->kind && !strcmp(uf->kind, "final")) {
		if (!uf->cause)
			wif_ferr(f, "cause", T_INC_ERR_FINAL_NEEDS, NULL);
		if (!uf->countermeasures)
			wif_ferr(f, "countermeasures", T_INC_ERR_FINAL_NEEDS, NULL);
	}
	if (uf->service && ktri_parse(uf->service) == KTRI_UNSET)
		wif_ferr(f, "service_affected", T_INC_ERR_CHOICE, NULL);
	if (wif_checked_bits(req, "event_types", kevent_type_code, KEVT_N, &uf->events) < 0)
		wif_ferr(f, "event_types", T_INC_ERR_CHOICE, NULL);
	if (wif_checked_bits(req, "cause_types", kcause_type_code, KCAUSE_N, &uf->causes) < 0)
		wif_ferr(f, "cause_types", T_INC_ERR_CHOICE, NULL);
	if (!(o = json_object()))
		return KE_NOMEM;
	rc = wif_jstr(o, "kind", uf->kind ? uf->kind : "followup");
	if (!rc && at[0])
		rc = wif_jstr(o, "at", at);
	if (!rc)
		rc = wif_jstr(o, "text", uf->text);
	if (!rc)
		rc = wif_jstr(o, "cause", uf->cause);
	if (!rc)
		rc = wif_jstr(o, "response", uf->response);
	if (!rc)
		rc = wif_jstr(o, "countermeasures", uf->countermeasures);
	if (!rc)
		rc = wif_impact_json(&uf->impact, o, f);
	if (!rc && uf->events)
		rc = wif_jcodes(o, "event_types", uf->events, kevent_type_code, KEVT_N);
	if (!rc && uf->causes)
		rc = wif_jcodes(o, "cause_types", uf->causes, kcause_type_code, KCAUSE_N);
	if (!rc)
		rc = wif_jstr(o, "service_affected", uf->service);
	if (rc) {
		json_decref(o);
		return KE_NOMEM;
	}
	*out = o;
	return 0;
}

int web_incident_update(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *id = req->args[0];
	struct upd_form uf;
	struct incpage p;
	struct kerr e2 = KERR_INIT;
	struct kstore *rw = NULL;
	json_t *in = NULL, *rep = NULL;
	time_t now = kreport_now();
	char anchor[32];
	int rc, seq = 0, open = 0;

	memset(&uf, 0, sizeof(uf));
	memset(&p, 0, sizeof(p));
	if ((rc = upd_read(req, &uf, &in)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!(rw = khttp_writer_begin(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	open = 1;
	if ((rc = incident_load(req, rw, id, 0, &p, err)) < 0)
		goto out;
	rc = kincident_allowed(req->reader, &p.inc, uf.kind && !strcmp(uf.kind, "final") ? KACT_FINAL : KACT_FOLLOWUP,
			       &e2);
	if (rc < 0) {
		rc = refused(req, rc, &e2, err);
		goto out;
	}
	if (!uf.f.n) {
		kerr_clear(&e2);
		rc = kreport_update_check(in, &p.inc, now, &rep, &e2);
		if (rc == KE_NOMEM) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (rc < 0)
			wif_model_error(req, &uf.f, e2.msg);
	}
	if (!uf.f.n && !uf.f.general) {
		kerr_clear(&e2);
		rc = kstore_incident_report(rw, &p.inc, rep, now, &seq, &e2);
		if (rc == 0)
			rc = kstore_commit(rw, &e2);
		open = 0;
		if (rc < 0) {
			kstore_rollback(rw);
			if (rc != KE_INVALID) {
				kerr_set(err, rc, "%s", e2.msg);
				goto out;
			}
			wif_model_error(req, &uf.f, e2.msg); /* a second final report, raced */
		}
	}
	if (open) {
		kstore_rollback(rw);
		open = 0;
	}
	if (uf.f.n || uf.f.general) {
		resp->status = 400;
		rc = render_incident(req, resp, id, &uf, err);
		if (rc == 0)
			resp->status = 400;
		goto out;
	}
	{
		/* to the report just filed */
		const char *to = web_url(req, "/incidents/%U", id, "done", "report", NULL);

		snprintf(anchor, sizeof(anchor), "#report-%d", seq);
		rc = web_form_redirect(resp, to ? khttp_keep(req, kstrcat2(to, anchor)) : NULL, err);
	}
out:
	if (open)
		kstore_rollback(rw);
	json_decref(in);
	json_decref(rep);
	incpage_free(&p);
	return rc;
}

/* One action on an incident in one transaction: load, ask, write (fn), commit. */
static int act(struct khttp_req *req, int action, int (*fn)(struct kstore *, const struct kincident *, void *, time_t,
							      struct kerr *),
	       void *arg, struct kerr *err)
{
	struct incpage p;
	struct kerr e2 = KERR_INIT;
	struct kstore *rw;
	time_t now = kreport_now();
	int rc;

	memset(&p, 0, sizeof(p));
	if (!(rw = khttp_writer_begin(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = incident_load(req, rw, req->args[0], 0, &p, err)) < 0)
		goto fail;
	if ((rc = kincident_allowed(req->reader, &p.inc, action, &e2)) < 0) {
		rc = refused(req, rc, &e2, err);
		goto fail;
	}
	kerr_clear(&e2);
	if ((rc = fn(rw, &p.inc, arg, now, &e2)) < 0 || (rc = kstore_commit(rw, &e2)) < 0) {
		rc = rc == KE_NOTFOUND ? kerr_set(err, KE_NOTFOUND, "%s", T(req, T_INC_NOT_FOUND)) :
				       kerr_set(err, rc, "%s", e2.msg);
		goto fail;
	}
	incpage_free(&p);
	return 0;
fail:
	kstore_rollback(rw);
	incpage_free(&p);
	return rc;
}

struct status_arg {
	int to;
	const char *note;
};

static int do_status(struct kstore *rw, const struct kincident *inc, void *varg, time_t now, struct kerr *err)
{
	const struct status_arg *a = varg;

	return kstore_incident_status(rw, inc->id, a->to, a->note ? a->note : "", now, err);
}

int web_incident_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *name = khttp_form(req, "action");
	int a = name ? kinc_action_parse(name) : -1;
	struct status_arg arg;
	int rc;

	if (a < 0 || kinc_action_target(a) < 0)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_INC_ERR_ACTION));
	arg.to = kinc_action_target(a);
	arg.note = wif_line_of(req, "note");
	if (arg.note && web_form_chars(arg.note) > NOTE_MAX)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_INC_ERR_NOTE));
	if ((rc = act(req, a, do_status, &arg, err)) < 0)
		return rc;
	return web_form_redirect(resp, web_url(req, "/incidents/%U", req->args[0], "done", "status", NULL), err);
}

static int do_candidate(struct kstore *rw, const struct kincident *inc, void *varg, time_t now, struct kerr *err)
{
	return kstore_incident_candidate(rw, inc->id, *(int *)varg, now, err);
}

int web_incident_candidate(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *v = khttp_form(req, "on");
	int on, rc;

	if (!v || (strcmp(v, "1") && strcmp(v, "0")))
		return kerr_set(err, KE_USAGE, "%s", T(req, T_INC_ERR_ACTION));
	on = *v == '1';
	if ((rc = act(req, KACT_CANDIDATE, do_candidate, &on, err)) < 0)
		return rc;
	return web_form_redirect(resp, web_url(req, "/incidents/%U", req->args[0], "done",
					       on ? "candidate-on" : "candidate-off", NULL), err);
}

struct draft_arg {
	char *id; /* the draft made (or the one already there) */
};

static int do_draft(struct kstore *rw, const struct kincident *inc, void *varg, time_t now, struct kerr *err)
{
	struct draft_arg *a = varg;
	struct incpage p;
	json_t **reps = NULL;
	struct kcase c;
	int rc, outcome = 0;

	(void)now;
	memset(&p, 0, sizeof(p));
	kcase_init(&c);
	if ((rc = kstore_incident_reports(rw, inc->id, rep_copy, &p, err)) < 0)
		goto out;
	if (p.nreps && !(reps = calloc(p.nreps, sizeof(*reps)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.nreps; i++)
		reps[i] = p.reps[i].j;
	if ((rc = kincident_case_draft(inc, reps, p.nreps, &c, err)) < 0)
		goto out;
	if ((rc = kstore_draft_put(rw, &c, inc->id, &outcome, err)) < 0)
		goto out;
	if (!(a->id = strdup(c.id ? c.id : "")))
		rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	free(reps);
	kcase_free(&c);
	incpage_free(&p);
	return rc;
}

int web_incident_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct draft_arg a = { 0 };
	struct incpage p;
	int rc, published;

	/* made already (a second click, another analyst): on to it, for those who may edit drafts */
	memset(&p, 0, sizeof(p));
	if ((rc = incident_load(req, req->st, req->args[0], 0, &p, err)) < 0) {
		incpage_free(&p);
		return rc;
	}
	if (p.inc.case_id && kreader_may_see_drafts(req->reader)) {
		rc = web_form_redirect(resp, case_url(req, p.inc.case_id, &published), err);
		incpage_free(&p);
		return rc;
	}
	incpage_free(&p);
	rc = act(req, KACT_DRAFT, do_draft, &a, err);
	if (rc == KE_EXISTS)
		rc = kerr_set(err, KE_INVALID, "%s", T(req, T_INC_ERR_DRAFT_EXISTS));
	if (rc == 0)
		rc = web_form_redirect(resp, web_url(req, "/drafts/%U/edit", a.id, NULL), err);
	free(a.id);
	return rc;
}
