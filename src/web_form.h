/*
 * web_form.h - what the pages with forms share (the admin pages, the
 * account page): a form's fields printed with their labels, the values
 * typed and the message next to each field that is wrong; the session's
 * CSRF token in every form; the answer to a POST that worked (303 to a
 * page that shows a notice); a form's repeated fields.
 *
 * A form that fails is shown again with status 400, the values entered
 * (never a password) and, next to each wrong field, why, in the page's
 * language.  A form that works writes, then sends the browser on with 303
 * See Other to a page whose ?done=KEY names the notice it shows
 * (web_form_notice; the keys are a table in web_form.c, so a link can only
 * ever show one of our messages).
 */
#ifndef KYOKUN_WEB_FORM_H
#define KYOKUN_WEB_FORM_H

#include "web.h"

#define WEB_FORM_MAX_ERRORS 16

/* The messages of a form's wrong fields; a zeroed struct has none. */
struct web_form {
	struct {
		const char *field;
		enum kmsg msg;
	} err[WEB_FORM_MAX_ERRORS];
	int nerr;
};

/* Note that field is wrong (the first message for a field is kept). */
void web_form_error(struct web_form *f, const char *field, enum kmsg msg);
/* The message for field, or 0 (T_LANG_CODE is never one) when it is right. */
enum kmsg web_form_error_of(const struct web_form *f, const char *field);

/* One input field (text, email, password, number). */
struct web_field {
	const char *name;         /* the form field's name; its id is "f-" name */
	enum kmsg label;
	const char *type;         /* "text", "email", "password", "number" */
	const char *value;        /* shown again; ignored for passwords */
	int maxlength;            /* 0: none */
	const char *autocomplete; /* NULL: none */
	int required;
	enum kmsg hint;           /* 0: none */
};

/*
 * <form method="post" action="ACTION" class="CLS"> and the session's CSRF
 * token; action is a URL from web_url().  The form is closed with
 * html_printf(w, "</form>").
 */
void web_form_begin(struct html *w, const struct khttp_req *req, const char *action, const char *cls);
/* The summary line above a form with wrong fields (nothing if none). */
void web_form_summary(struct html *w, const struct khttp_req *req, const struct web_form *f);
/* A labelled input with its hint and message. */
void web_form_input(struct html *w, const struct khttp_req *req, const struct web_form *f,
		    const struct web_field *fd);

/* One option of a select: value sent, label shown (already in the page's language). */
struct web_option {
	const char *value, *label;
};
/* A labelled select of n options, selected the one whose value is selected (may be NULL). */
void web_form_select(struct html *w, const struct khttp_req *req, const struct web_form *f,
		     const char *name, enum kmsg label, const struct web_option *opt, size_t n,
		     const char *selected);

/* The values of every field called name of a POST's body, in order: up to max into v; the count. */
size_t web_form_values(const struct khttp_req *req, const char *name, const char **v, size_t max);

/*
 * The answer to a POST that worked: 303 See Other to location, a URL from
 * web_url() with its "done" parameter (NULL: out of memory).  Never cached.
 *
 *     return web_form_redirect(resp, web_url(req, "/admin/users", "done", "user-added", NULL), err);
 */
/* A form field as typed without the blanks around it (a copy kept with the request), or NULL if not sent. */
const char *web_form_trimmed(const struct khttp_req *req, const char *name);
int web_form_redirect(struct khttp_resp *resp, const char *location, struct kerr *err);
/* The notice of the request's ?done=KEY, if KEY is one of ours. */
void web_form_notice(struct html *w, const struct khttp_req *req);

/* A number of characters (code points) of valid UTF-8 s. */
size_t web_form_chars(const char *s);

/* ---- shared by the account and admin pages ---- */

struct kaudit_query;

/*
 * The API tokens of user user_id as a table, each usable one with a revoke
 * button: posting to /admin/users/LOGIN/tokens/ID/revoke when login is
 * given (an admin's page), else /account/tokens/ID/revoke (web_tokens.c).
 */
int web_tokens_table(struct html *w, struct khttp_req *req, long long user_id, const char *login,
		     struct kerr *err);

/*
 * The audit entries q selects, newest first, skipping the first offset:
 * as a table, or a line saying there are none.  *more is set if there are
 * entries after these (web_audit.c).
 */
int web_audit_table(struct html *w, struct khttp_req *req, const struct kaudit_query *q, long offset,
		    int *more, struct kerr *err);

/* A token id from a URL segment (1 ..), or 0 if it is not one (web_tokens.c). */
long long web_token_id(const char *s);

/* The admin pages' own navigation, here the path of the current one (web_admin.c). */
void web_admin_nav(struct html *w, const struct khttp_req *req, const char *here);

/* An organisation kind for people, in the page's language (web_admin.c). */
const char *web_org_kind_label(const struct khttp_req *req, int kind);
/* A sector tag for people: its Japanese name, or on English pages the tag. */
const char *web_sector_label(const struct khttp_req *req, const char *tag);

#endif
