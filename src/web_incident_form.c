/*
 * web_incident_form.c - the pieces of the incident forms (see
 * web_incident_form.h): messages next to fields, reading fields, the
 * controls.
 */
#include "web_incident_form.h"
#include "web_incident.h"
#include "account.h"
#include "kerr.h"
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- form errors: a message for a field, and the model's words when it said them ---------- */

void wif_ferr(struct wif_errs *f, const char *field, enum kmsg msg, const char *detail)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->e[i].field, field))
			return;
	if (f->n >= WIF_ERR_MAX)
		return;
	f->e[f->n].field = field;
	f->e[f->n].msg = msg;
	f->e[f->n].detail = detail;
	f->n++;
}

int wif_ferr_of(const struct wif_errs *f, const char *field)
{
	for (int i = 0; f && i < f->n; i++)
		if (!strcmp(f->e[i].field, field))
			return i;
	return -1;
}

/* The message next to a field (nothing when it is right). */
void wif_ferr_print(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *field)
{
	int i = wif_ferr_of(f, field);

	if (i < 0)
		return;
	if (f->e[i].detail)
		html_printf(w, "<p class=\"field-error\" id=\"f-%s-error\">%s %s</p>\n", field, T(req, f->e[i].msg),
			    f->e[i].detail);
	else
		html_printf(w, "<p class=\"field-error\" id=\"f-%s-error\">%s</p>\n", field, T(req, f->e[i].msg));
}

void wif_ferr_summary(struct html *w, const struct khttp_req *req, const struct wif_errs *f)
{
	if (!f || (!f->n && !f->general))
		return;
	html_printf(w, "<p class=\"form-error\" role=\"alert\">%s", T(req, T_FORM_HAS_ERRORS));
	if (f->general)
		html_printf(w, " %s", f->general);
	html_printf(w, "</p>\n");
}

/* aria attributes of a control whose field may be wrong. */
void wif_ferr_aria(struct html *w, const struct wif_errs *f, const char *field, int hint)
{
	int e = wif_ferr_of(f, field) >= 0;

	if (e)
		html_printf(w, " aria-invalid=\"true\"");
	if (e && hint)
		html_printf(w, " aria-describedby=\"f-%s-error f-%s-hint\"", field, field);
	else if (e || hint)
		html_printf(w, " aria-describedby=\"f-%s-%R\"", field, e ? "error" : "hint");
}

/*
 * The field of the form a model message "PATH: what" names: its JSON path
 * (contact.email, event_types[2], impact.users_affected) mapped to the
 * form's field names; NULL if none.  *what gets the text after "PATH: ".
 */
static const char *field_of_path(const char *msg, const char **what)
{
	static const struct {
		const char *path, *field;
	} map[] = {
		{ "title", "title" }, { "organization", "org" }, { "sector", "sector" },
		{ "contact.name", "contact_name" }, { "contact.phone", "contact_phone" },
		{ "contact.email", "contact_email" }, { "contact", "contact_name" },
		{ "occurred_at", "occurred" }, { "detected_at", "detected" }, { "at", "at" },
		{ "event_types", "event_types" }, { "cause_types", "cause_types" },
		{ "service_affected", "service_affected" }, { "impact.scope", "impact_scope" },
		{ "impact.users_affected", "impact_users" }, { "impact.duration_minutes", "impact_duration" },
		{ "impact", "impact_scope" }, { "spread.sectors", "spread_sectors" }, { "spread.status", "spread" },
		{ "spread", "spread" }, { "description", "description" }, { "actions", "actions" },
		{ "announcement_planned", "announcement" }, { "tlp", "tlp" }, { "kind", "kind" }, { "text", "text" },
		{ "cause", "cause" }, { "response", "response" }, { "countermeasures", "countermeasures" },
	};
	const char *colon = msg ? strstr(msg, ": ") : NULL;
	size_t n;

	*what = msg;
	if (!colon)
		return NULL;
	n = (size_t)(colon - msg);
	/* event_types[2] is event_types; spread.sectors[0] is spread.sectors */
	for (size_t k = 0; k < n; k++)
		if (msg[k] == '[') {
			n = k;
			break;
		}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].path) == n && !strncmp(msg, map[i].path, n)) {
			*what = colon + 2;
			return map[i].field;
		}
	/* a deeper path than the table knows: its head (impact.x is impact) */
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t l = strlen(map[i].path);

		if (l < n && !strncmp(msg, map[i].path, l) && msg[l] == '.') {
			*what = colon + 2;
			return map[i].field;
		}
	}
	return NULL;
}

/* The model's message next to the field it names, or above the form. */
void wif_model_error(const struct khttp_req *req, struct wif_errs *f, const char *msg)
{
	const char *what, *field = field_of_path(msg, &what);
	const char *kept = khttp_keep(req, strdup(what ? what : ""));

	if (field)
		wif_ferr(f, field, T_INC_ERR_CHECK, kept);
	else
		f->general = kept;
}

/* ---- reading a form ------------------------------------------------------------------------ */

/* A one-line field as typed, without the spaces around it (kept with the request); NULL if empty. */
const char *wif_line_of(const struct khttp_req *req, const char *name)
{
	const char *s = web_form_trimmed(req, name);

	return s && *s ? s : NULL;
}

/* A text area as typed, CRLF made LF, trailing blank lines dropped; NULL if only space. */
const char *wif_text_of(const struct khttp_req *req, const char *name)
{
	const char *s = khttp_form(req, name);
	char *d, *o;
	int any = 0;

	if (!s)
		return NULL;
	if (!(d = malloc(strlen(s) + 1)))
		return NULL;
	o = d;
	for (const char *p = s; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		*o++ = *p == '\r' ? '\n' : *p;
		any |= !isspace((unsigned char)*p);
	}
	while (o > d && (o[-1] == '\n' || o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	if (!any) {
		free(d);
		return NULL;
	}
	return khttp_keep(req, d);
}

/* The time zones of the time fields: JST first. */
static const struct web_option zones[] = {
	{ "+09:00", "UTC+09:00 (JST)" }, { "+00:00", "UTC" }, { "+08:00", "UTC+08:00" },
	{ "+07:00", "UTC+07:00" }, { "+05:30", "UTC+05:30" }, { "+03:00", "UTC+03:00" },
	{ "+02:00", "UTC+02:00" }, { "+01:00", "UTC+01:00" }, { "+10:00", "UTC+10:00" },
	{ "+12:00", "UTC+12:00" }, { "-03:00", "UTC-03:00" }, { "-04:00", "UTC-04:00" },
	{ "-05:00", "UTC-05:00" }, { "-07:00", "UTC-07:00" }, { "-08:00", "UTC-08:00" },
	{ "-10:00", "UTC-10:00" },
};
#define NZONES (sizeof(zones) / sizeof(zones[0]))

void wif_tfield_read(const struct khttp_req *req, const char *name, struct wif_time *t)
{
	char n[40];

	snprintf(n, sizeof(n), "%s_date", name);
	t->date = wif_line_of(req, n);
	snprintf(n, sizeof(n), "%s_time", name);
	t->time = wif_line_of(req, n);
	snprintf(n, sizeof(n), "%s_tz", name);
	t->tz = wif_line_of(req, n);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * The group as RFC 3339 into out: 0 (out "" when both date and time are
 * empty), or the message for the field.
 */
enum kmsg wif_tfield_rfc3339(const struct wif_time *t, char out[48])
{
	const char *tz = t->tz ? t->tz : "+09:00";
	int zone_ok = 0;
	time_t u;

	out[0] = '\0';
	if (!t->date && !t->time)
		return 0;
	if (!t->date || !t->time)
		return T_INC_ERR_TIME_BOTH;
	for (size_t i = 0; i < NZONES; i++)
		zone_ok |= !strcmp(tz, zones[i].value);
	if (!zone_ok)
		return T_INC_ERR_ZONE;
	if (strlen(t->date) != 10 || !all_digits(t->date, 4) || t->date[4] != '-' || !all_digits(t->date + 5, 2) ||
	    t->date[7] != '-' || !all_digits(t->date + 8, 2))
		return T_INC_ERR_TIME;
	if (strlen(t->time) == 5 && all_digits(t->time, 2) && t->time[2] == ':' && all_digits(t->time + 3, 2))
		snprintf(out, 48, "%sT%s:00%s", t->date, t->time, tz);
	else if (strlen(t->time) == 8 && all_digits(t->time, 2) && t->time[2] == ':' && all_digits(t->time + 3, 2) &&
		 t->time[5] == ':' && all_digits(t->time + 6, 2))
		snprintf(out, 48, "%sT%s%s", t->date, t->time, tz);
	else
		return T_INC_ERR_TIME;
	if (kreport_time_parse(out, &u, NULL) < 0) {
		out[0] = '\0';
		return T_INC_ERR_TIME;
	}
	return 0;
}

/* A count typed in a field: 0 with *v, 1 if empty, -1 if it is not a whole number >= 0. */
static int count_of(const char *s, long long *v)
{
	char *end;

	if (!s)
		return 1;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* The checked values of a checkbox group: bits of codes known to code(i) (i < n); -1 if one is unknown. */
int wif_checked_bits(const struct khttp_req *req, const char *name, const char *(*code)(int), int n,
		     unsigned *bits)
{
	const char *v[32];
	size_t k = web_form_values(req, name, v, 32);
	int bad = k > 32;

	*bits = 0;
	for (size_t j = 0; j < k && j < 32; j++) {
		int found = 0;

		for (int i = 0; i < n; i++)
			if (!strcmp(v[j], code(i))) {
				*bits |= 1u << i;
				found = 1;
			}
		bad |= !found;
	}
	return bad ? -1 : 0;
}

/* json helpers: set a string member (when s is set); a member set to a new value. 0 or KE_NOMEM. */
int wif_jset(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : KE_NOMEM;
}

int wif_jstr(json_t *o, const char *k, const char *s)
{
	return s ? wif_jset(o, k, json_string(s)) : 0;
}

int wif_jcodes(json_t *o, const char *k, unsigned bits, const char *(*code)(int), int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		if (bits & 1u << i && json_array_append_new(a, json_string(code(i))) < 0) {
			json_decref(a);
			return KE_NOMEM;
		}
	return wif_jset(o, k, a);
}

/* ---- the impact fields (both forms) ------------------------------------------------------- */

void wif_impact_read(const struct khttp_req *req, struct wif_impact *im)
{
	im->scope = wif_text_of(req, "impact_scope");
	im->users = wif_line_of(req, "impact_users");
	im->duration = wif_line_of(req, "impact_duration");
}

/* Check the counts and add "impact" to o when any of it was given.  0 or KE_NOMEM. */
int wif_impact_json(const struct wif_impact *im, json_t *o, struct wif_errs *f)
{
	long long u = 0, d = 0;
	int hu = count_of(im->users, &u), hd = count_of(im->duration, &d);
	json_t *j;
	int rc = 0;

	if (hu < 0)
		wif_ferr(f, "impact_users", T_INC_ERR_COUNT, NULL);
	if (hd < 0)
		wif_ferr(f, "impact_duration", T_INC_ERR_COUNT, NULL);
	if (!im->scope && hu && hd)
		return 0;
	if (!(j = json_object()))
		return KE_NOMEM;
	rc = wif_jstr(j, "scope", im->scope);
	if (!rc)
		rc = wif_jset(j, "users_affected", hu == 0 ? json_integer(u) : json_null());
	if (!rc)
		rc = wif_jset(j, "duration_minutes", hd == 0 ? json_integer(d) : json_null());
	if (rc) {
		json_decref(j);
		return rc;
	}
	return wif_jset(o, "impact", j);
}

/* ---- field renderers (the markup of web_form.c, with the model's words) ------------------ */

void wif_f_open(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		enum kmsg label, int required)
{
	html_printf(w, "<div class=\"field%R\">\n<label for=\"f-%s\">%s%R</label>\n",
		    wif_ferr_of(f, name) >= 0 ? " has-error" : "", name, T(req, label),
		    required ? " <span class=\"req\" aria-hidden=\"true\">*</span>" : "");
}

void wif_f_close(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg hint)
{
	if (hint)
		html_printf(w, "<p class=\"field-hint\" id=\"f-%s-hint\">%s</p>\n", name, T(req, hint));
	wif_ferr_print(w, req, f, name);
	html_printf(w, "</div>\n");
}

void wif_f_input(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg label, const char *type, const char *value, int maxlength, int required, enum kmsg hint,
		 const char *autocomplete)
{
	wif_f_open(w, req, f, name, label, required);
	html_printf(w, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" value=\"%s\"", name, name, type, value ? value : "");
	if (maxlength)
		html_printf(w, " maxlength=\"%d\"", maxlength);
	if (!strcmp(type, "number"))
		html_printf(w, " min=\"0\" inputmode=\"numeric\"");
	if (autocomplete)
		html_printf(w, " autocomplete=\"%s\"", autocomplete);
	if (required)
		html_printf(w, " required");
	wif_ferr_aria(w, f, name, hint != 0);
	html_printf(w, ">\n");
	wif_f_close(w, req, f, name, hint);
}

void wif_f_textarea(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		    enum kmsg label, const char *value, int rows, int required, enum kmsg hint)
{
	wif_f_open(w, req, f, name, label, required);
	html_printf(w, "<textarea id=\"f-%s\" name=\"%s\" rows=\"%d\" maxlength=\"%d\"%R", name, name, rows, WIF_TEXT_MAX,
		    required ? " required" : "");
	wif_ferr_aria(w, f, name, hint != 0);
	/* a newline after the tag: the parser drops one, so text that begins with one keeps it */
	html_printf(w, ">\n%s</textarea>\n", value ? value : "");
	wif_f_close(w, req, f, name, hint);
}

void wif_f_select(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		  enum kmsg label, const struct web_option *opt, size_t n, const char *selected, int required)
{
	wif_f_open(w, req, f, name, label, required);
	html_printf(w, "<select id=\"f-%s\" name=\"%s\"%R", name, name, required ? " required" : "");
	wif_ferr_aria(w, f, name, 0);
	html_printf(w, ">\n");
	for (size_t i = 0; i < n; i++)
		html_printf(w, "<option value=\"%s\"%R>%s</option>\n", opt[i].value,
			    selected && !strcmp(selected, opt[i].value) ? " selected" : "", opt[i].label);
	html_printf(w, "</select>\n");
	wif_f_close(w, req, f, name, 0);
}

/* A fieldset of a group of controls: its legend, and its message at the end (fs_close). */
void wif_fs_open(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 const char *cls, enum kmsg legend, int required)
{
	int e = wif_ferr_of(f, name) >= 0;

	html_printf(w, "<fieldset class=\"field %s%R\" id=\"f-%s\">\n<legend>%s%R</legend>\n", cls,
		    e ? " has-error" : "", name, T(req, legend),
		    required ? " <span class=\"req\" aria-hidden=\"true\">*</span>" : "");
	if (e)
		html_printf(w, "<p class=\"visually-hidden\">%s</p>\n", T(req, T_INC_SEE_BELOW));
}

void wif_fs_close(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		  enum kmsg hint)
{
	if (hint)
		html_printf(w, "<p class=\"field-hint\">%s</p>\n", T(req, hint));
	wif_ferr_print(w, req, f, name);
	html_printf(w, "</fieldset>\n");
}

/* Checkboxes of a vocabulary, labelled in the page's language with the other one beside. */
void wif_f_vocab(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg legend, unsigned bits, int events, int required, enum kmsg hint)
{
	int n = events ? KEVT_N : KCAUSE_N;

	wif_fs_open(w, req, f, name, "checkboxes vocab", legend, required);
	html_printf(w, "<div class=\"boxes\">\n");
	for (int i = 0; i < n; i++) {
		const char *code = events ? kevent_type_code(i) : kcause_type_code(i);
		const char *ja = events ? kevent_type_label_ja(i) : kcause_type_label_ja(i);
		const char *en = events ? kevent_type_label_en(i) : kcause_type_label_en(i);

		html_printf(w, "<label><input type=\"checkbox\" name=\"%s\" value=\"%s\"%R> <span lang=\"ja\">%s</span> "
			    "<span class=\"en\" lang=\"en\">%s</span></label>\n",
			    name, code, bits & 1u << i ? " checked" : "", ja, en);
	}
	html_printf(w, "</div>\n");
	wif_fs_close(w, req, f, name, hint);
}

/* Checkboxes of the 15 sectors. */
void wif_f_sectors(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		   enum kmsg legend, const char *const *checked, size_t nchecked)
{
	wif_fs_open(w, req, f, name, "checkboxes", legend, 0);
	html_printf(w, "<div class=\"boxes\">\n");
	for (int i = 0; i < KSECTOR_N; i++) {
		int on = 0;

		for (size_t k = 0; k < nchecked; k++)
			on |= checked[k] && !strcmp(checked[k], ksector_tags[i]);
		html_printf(w, "<label><input type=\"checkbox\" name=\"%s\" value=\"%s\"%R> %s</label>\n", name,
			    ksector_tags[i], on ? " checked" : "", web_inc_sector(req, ksector_tags[i]));
	}
	html_printf(w, "</div>\n");
	wif_fs_close(w, req, f, name, 0);
}

/* Radios 有 / 無 / 不明. */
void wif_f_tri(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
	       enum kmsg legend, const char *value, int required, enum kmsg hint)
{
	static const enum ktri v[] = { KTRI_YES, KTRI_NO, KTRI_UNKNOWN };

	wif_fs_open(w, req, f, name, "radios", legend, required);
	html_printf(w, "<div class=\"boxes\">\n");
	for (size_t i = 0; i < 3; i++)
		html_printf(w, "<label><input type=\"radio\" name=\"%s\" value=\"%s\"%R> %s</label>\n", name,
			    ktri_name(v[i]), value && !strcmp(value, ktri_name(v[i])) ? " checked" : "",
			    web_inc_tri_label(req, v[i]));
	html_printf(w, "</div>\n");
	wif_fs_close(w, req, f, name, hint);
}

/* A date, a time and a time zone (JST unless chosen). */
void wif_f_time(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		enum kmsg legend, const struct wif_time *t, int required, enum kmsg hint)
{
	const char *tz = t->tz ? t->tz : "+09:00";

	wif_fs_open(w, req, f, name, "when", legend, required);
	html_printf(w, "<div class=\"when-row\">\n"
		    "<label><span class=\"visually-hidden\">%s</span><input id=\"f-%s_date\" name=\"%s_date\" type=\"date\" value=\"%s\"%R",
		    T(req, T_INC_DATE), name, name, t->date ? t->date : "", required ? " required" : "");
	wif_ferr_aria(w, f, name, 0);
	html_printf(w, "></label>\n<label><span class=\"visually-hidden\">%s</span><input id=\"f-%s_time\" name=\"%s_time\" "
		    "type=\"time\" value=\"%s\"%R", T(req, T_INC_TIME), name, name, t->time ? t->time : "",
		    required ? " required" : "");
	wif_ferr_aria(w, f, name, 0);
	html_printf(w, "></label>\n<label><span class=\"visually-hidden\">%s</span><select id=\"f-%s_tz\" name=\"%s_tz\">\n",
		    T(req, T_INC_ZONE), name, name);
	for (size_t i = 0; i < NZONES; i++)
		html_printf(w, "<option value=\"%s\"%R>%s</option>\n", zones[i].value,
			    !strcmp(tz, zones[i].value) ? " selected" : "", zones[i].label);
	html_printf(w, "</select></label>\n</div>\n");
	wif_fs_close(w, req, f, name, hint);
}

/* The TLP select (its labels are the levels' own names). */
void wif_f_tlp(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *value)
{
	static const char *const levels[] = { "clear", "green", "amber", "amber+strict", "red" };
	struct web_option opt[5];

	for (size_t i = 0; i < 5; i++)
		opt[i] = (struct web_option){ levels[i], i18n_tag(req->lang, levels[i]) };
	wif_f_open(w, req, f, "tlp", T_FACET_TLP, 1);
	html_printf(w, "<select id=\"f-tlp\" name=\"tlp\" required");
	wif_ferr_aria(w, f, "tlp", 1);
	html_printf(w, ">\n");
	for (size_t i = 0; i < 5; i++)
		html_printf(w, "<option value=\"%s\"%R>%s</option>\n", opt[i].value,
			    !strcmp(value ? value : "amber", opt[i].value) ? " selected" : "", opt[i].label);
	html_printf(w, "</select>\n");
	wif_f_close(w, req, f, "tlp", T_INC_TLP_HINT);
}
