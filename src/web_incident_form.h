/*
 * web_incident_form.h - what the incident forms share (web_incident_form.c):
 * the first report form and the follow-up form of web_incident.c read
 * into the JSON of ../shared/spec/report-json.md, the messages next to
 * their fields (the form's own in the page's language, then the model's
 * "FIELD: what" next to the field it names), and their controls, with
 * the markup of web_form.c (a label, the control, its hint, its message).
 * Only web_incident.c includes this.
 */
#ifndef KYOKUN_WEB_INCIDENT_FORM_H
#define KYOKUN_WEB_INCIDENT_FORM_H

#include <jansson.h>

#include "web_form.h"

#define WIF_TEXT_MAX 20000 /* characters of a long text (the model's limit) */

/* ---- the messages of a form's fields ---- */

/* The messages of a form's wrong fields; a zeroed struct has none. */
#define WIF_ERR_MAX 32

struct wif_errs {
	struct {
		const char *field;
		enum kmsg msg;
		const char *detail; /* the model's message (English), or NULL */
	} e[WIF_ERR_MAX];
	int n;
	const char *general;    /* a model message naming no field of the form */
};

/* A date+time+zone group as typed. */
struct wif_time {
	const char *date, *time, *tz;
};

/* The impact fields as typed. */
struct wif_impact {
	const char *scope, *users, *duration;
};

/* Note that field is wrong (its first message is kept); detail: the model's words, or NULL. */
void wif_ferr(struct wif_errs *f, const char *field, enum kmsg msg, const char *detail);
/* The index of field's message, or -1. */
int wif_ferr_of(const struct wif_errs *f, const char *field);
/* The message next to a field (nothing when it is right). */
void wif_ferr_print(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *field);
/* The line above a form with wrong fields. */
void wif_ferr_summary(struct html *w, const struct khttp_req *req, const struct wif_errs *f);
/* aria attributes of a control whose field may be wrong. */
void wif_ferr_aria(struct html *w, const struct wif_errs *f, const char *field, int hint);
/* The model's message next to the field it names, or above the form. */
void wif_model_error(const struct khttp_req *req, struct wif_errs *f, const char *msg);
/* A one-line field as typed, without the spaces around it (kept with the request); NULL if empty. */
const char *wif_line_of(const struct khttp_req *req, const char *name);
/* A text area as typed, CRLF made LF, trailing blank lines dropped; NULL if only space. */
const char *wif_text_of(const struct khttp_req *req, const char *name);
/* The group NAME_date, NAME_time, NAME_tz as typed. */
void wif_tfield_read(const struct khttp_req *req, const char *name, struct wif_time *t);
/*
 * The group as RFC 3339 into out: 0 (out "" when both date and time are
 * empty), or the message for the field.
 */
enum kmsg wif_tfield_rfc3339(const struct wif_time *t, char out[48]);
/* The checked values of a checkbox group: bits of codes known to code(i) (i < n); -1 if one is unknown. */
int wif_checked_bits(const struct khttp_req *req, const char *name, const char *(*code)(int), int n,
		     unsigned *bits);
/* json helpers: set a string member (when s is set); a member set to a new value. 0 or KE_NOMEM. */
int wif_jset(json_t *o, const char *k, json_t *v);
int wif_jstr(json_t *o, const char *k, const char *s);
int wif_jcodes(json_t *o, const char *k, unsigned bits, const char *(*code)(int), int n);
/* The impact fields (impact_scope, impact_users, impact_duration) as typed. */
void wif_impact_read(const struct khttp_req *req, struct wif_impact *im);
/* Check the counts and add "impact" to o when any of it was given.  0 or KE_NOMEM. */
int wif_impact_json(const struct wif_impact *im, json_t *o, struct wif_errs *f);
/* A field's div and label (f_close: its hint and message); a labelled input. */
void wif_f_open(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		enum kmsg label, int required);
void wif_f_close(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg hint);
void wif_f_input(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg label, const char *type, const char *value, int maxlength, int required, enum kmsg hint,
		 const char *autocomplete);
/* A labelled text area; a labelled select of n options. */
void wif_f_textarea(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		    enum kmsg label, const char *value, int rows, int required, enum kmsg hint);
void wif_f_select(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		  enum kmsg label, const struct web_option *opt, size_t n, const char *selected, int required);
/* A fieldset of a group of controls: its legend, and its message at the end (fs_close). */
void wif_fs_open(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 const char *cls, enum kmsg legend, int required);
void wif_fs_close(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		  enum kmsg hint);
/* Checkboxes of a vocabulary, labelled in the page's language with the other one beside. */
void wif_f_vocab(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		 enum kmsg legend, unsigned bits, int events, int required, enum kmsg hint);
/* Checkboxes of the 15 sectors. */
void wif_f_sectors(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		   enum kmsg legend, const char *const *checked, size_t nchecked);
/* Radios 有 / 無 / 不明. */
void wif_f_tri(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
	       enum kmsg legend, const char *value, int required, enum kmsg hint);
/* A date, a time and a time zone (JST unless chosen). */
void wif_f_time(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *name,
		enum kmsg legend, const struct wif_time *t, int required, enum kmsg hint);
/* The TLP select (its labels are the levels' own names). */
void wif_f_tlp(struct html *w, const struct khttp_req *req, const struct wif_errs *f, const char *value);

#endif
