/*
 * web_form.c - fields, messages next to them, CSRF tokens in forms, and
 * the redirect after a POST that worked (see web_form.h).
 */
#include "web_form.h"
#include "kerr.h"

#include <stdio.h>
#include <string.h>

void web_form_error(struct web_form *f, const char *field, enum kmsg msg)
{
	if (web_form_error_of(f, field) || f->nerr >= WEB_FORM_MAX_ERRORS)
		return;
	f->err[f->nerr].field = field;
	f->err[f->nerr].msg = msg;
	f->nerr++;
}

enum kmsg web_form_error_of(const struct web_form *f, const char *field)
{
	for (int i = 0; f && i < f->nerr; i++)
		if (!strcmp(f->err[i].field, field))
			return f->err[i].msg;
	return 0;
}

void web_form_begin(struct html *w, const struct khttp_req *req, const char *action, const char *cls)
{
	html_printf(w, "<form class=\"%s\" method=\"post\" action=\"%s\">\n", cls ? cls : "form", action);
	/* a reader known by a bearer token has no session, and needs no token */
	if (req->csrf)
		html_printf(w, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", req->csrf);
}

void web_form_summary(struct html *w, const struct khttp_req *req, const struct web_form *f)
{
	if (f && f->nerr)
		html_printf(w, "<p class=\"form-error\" role=\"alert\">%s</p>\n", T(req, T_FORM_HAS_ERRORS));
}

/* The opening of a field: its div and label. */
static void field_open(struct html *w, const struct khttp_req *req, const char *name, enum kmsg label,
		       enum kmsg e)
{
	html_printf(w, "<div class=\"field%R\">\n<label for=\"f-%s\">%s</label>\n", e ? " has-error" : "", name,
		    T(req, label));
}

/* aria attributes of a field's control, and its hint and message after it. */
static void field_close(struct html *w, const struct khttp_req *req, const char *name, enum kmsg hint,
			enum kmsg e)
{
	if (hint)
		html_printf(w, "<p class=\"field-hint\" id=\"f-%s-hint\">%s</p>\n", name, T(req, hint));
	if (e)
		html_printf(w, "<p class=\"field-error\" id=\"f-%s-error\">%s</p>\n", name, T(req, e));
	html_printf(w, "</div>\n");
}

static void described_by(struct html *w, const char *name, enum kmsg hint, enum kmsg e)
{
	if (e)
		html_printf(w, " aria-invalid=\"true\"");
	if (hint && e)
		html_printf(w, " aria-describedby=\"f-%s-error f-%s-hint\"", name, name);
	else if (hint || e)
		html_printf(w, " aria-describedby=\"f-%s-%R\"", name, e ? "error" : "hint");
}

void web_form_input(struct html *w, const struct khttp_req *req, const struct web_form *f,
		    const struct web_field *fd)
{
	enum kmsg e = web_form_error_of(f, fd->name);
	int password = fd->type && !strcmp(fd->type, "password");

	field_open(w, req, fd->name, fd->label, e);
	html_printf(w, "<input id=\"f-%s\" name=\"%s\" type=\"%s\"", fd->name, fd->name,
		    fd->type ? fd->type : "text");
	if (!password && fd->value)
		html_printf(w, " value=\"%s\"", fd->value);
	if (fd->maxlength > 0 && strcmp(fd->type ? fd->type : "", "number"))
		html_printf(w, " maxlength=\"%d\"", fd->maxlength);
	if (fd->autocomplete)
		html_printf(w, " autocomplete=\"%s\"", fd->autocomplete);
	if (fd->type && !strcmp(fd->type, "number"))
		html_printf(w, " inputmode=\"numeric\"");
	if (fd->required)
		html_printf(w, " required");
	described_by(w, fd->name, fd->hint, e);
	html_printf(w, ">\n");
	field_close(w, req, fd->name, fd->hint, e);
}

void web_form_select(struct html *w, const struct khttp_req *req, const struct web_form *f,
		     const char *name, enum kmsg label, const struct web_option *opt, size_t n,
		     const char *selected)
{
	enum kmsg e = web_form_error_of(f, name);

	field_open(w, req, name, label, e);
	html_printf(w, "<select id=\"f-%s\" name=\"%s\"", name, name);
	described_by(w, name, 0, e);
	html_printf(w, ">\n");
	for (size_t i = 0; i < n; i++)
		html_printf(w, "<option value=\"%s\"%R>%s</option>\n", opt[i].value,
			    selected && !strcmp(selected, opt[i].value) ? " selected" : "", opt[i].label);
	html_printf(w, "</select>\n");
	field_close(w, req, name, 0, e);
}

size_t web_form_values(const struct khttp_req *req, const char *name, const char **v, size_t max)
{
	size_t n = 0;

	for (int i = req->nquery; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name)) {
			if (n < max)
				v[n] = req->params[i].value;
			n++;
		}
	return n;
}

int web_form_redirect(struct khttp_resp *resp, const char *location, struct kerr *err)
{
	if (!location)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (strlen(location) >= sizeof(resp->location))
		return kerr_set(err, KE_INVALID, "redirect target too long");
	kbuf_reset(&resp->body);
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "%s", location);
	resp->kind = KRESP_HTML;
	resp->no_store = 1;
	resp->cache_control = "no-store";
	return 0;
}

/* The notices a ?done= can name. */
static const struct {
	const char *key;
	enum kmsg msg;
} notices[] = {
	{ "org-added", T_DONE_ORG_ADDED },
	{ "user-added", T_DONE_USER_ADDED },
	{ "role", T_DONE_ROLE },
	{ "disabled", T_DONE_DISABLED },
	{ "enabled", T_DONE_ENABLED },
	{ "password", T_DONE_PASSWORD },
	{ "signout", T_DONE_SIGNOUT },
	{ "revoked", T_DONE_REVOKED },
	{ "nochange", T_DONE_NOCHANGE },
	/* editing cases (web_edit.c) */
	{ "saved", T_ED_DONE_SAVED },
	{ "moved", T_REVIEW_MOVED },
	{ "confirmed", T_REVIEW_CONFIRMED },
	{ "unchanged", T_ED_DONE_UNCHANGED },
	{ "published", T_ED_DONE_PUBLISHED },
	{ "draft", T_ED_DONE_DRAFT },
};

void web_form_notice(struct html *w, const struct khttp_req *req)
{
	const char *done = khttp_param(req, "done");

	for (size_t i = 0; done && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (!strcmp(done, notices[i].key)) {
			html_printf(w, "<p class=\"notice-done\" role=\"status\">%s</p>\n", T(req, notices[i].msg));
			return;
		}
}

size_t web_form_chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

const char *web_form_trimmed(const struct khttp_req *req, const char *name)
{
	const char *s = khttp_form(req, name), *e;

	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return khttp_keep(req, strndup(s, (size_t)(e - s)));
}
