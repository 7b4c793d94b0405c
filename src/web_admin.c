/*
 * web_admin.c - the admin pages (KCAP_ADMIN, issue 11): an overview
 * (/admin), the organisations (/admin/orgs: list, add), the users
 * (/admin/users: list, add) and one user (/admin/users/LOGIN: role and
 * organisation, disable or enable, a new password, sign out everywhere,
 * their API tokens).
 *
 * Every form is checked field by field before anything is written; a wrong
 * field is said next to it, in the page's language, and the form is shown
 * again (400) with what was typed (never a password).  A form that passes
 * makes one write through the request's read-write connection
 * (khttp_writer: the store's actor is the signed-in admin and their
 * address, so the store writes the audit rows), then answers 303 to the
 * page with a notice.  A write the store refuses writes nothing.
 */
#include "web_form.h"
#include "account.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERVIEW_AUDIT_N 10

const char *web_org_kind_label(const struct khttp_req *req, int kind)
{
	switch (kind) {
	case KORG_OPERATOR: return T(req, T_ORG_KIND_OPERATOR);
	case KORG_MINISTRY: return T(req, T_ORG_KIND_MINISTRY);
	case KORG_CENTRE: return T(req, T_ORG_KIND_CENTRE);
	case KORG_OTHER: return T(req, T_ORG_KIND_OTHER);
	default: return "";
	}
}

const char *web_sector_label(const struct khttp_req *req, const char *tag)
{
	const char *ja = ksector_label_ja(tag);

	return req->lang == KLANG_EN || !ja ? tag : ja;
}

/* ---- the organisations, in memory ------------------------------------------------- */

struct orgs {
	struct korg *v;
	size_t n, alloc;
	long *users; /* users per organisation (filled by count_users) */
};

static void orgs_free(struct orgs *o)
{
	for (size_t i = 0; i < o->n; i++)
		korg_free(&o->v[i]);
	free(o->v);
	free(o->users);
	memset(o, 0, sizeof(*o));
}

static int org_copy(void *vctx, const struct korg *src)
{
	struct orgs *o = vctx;
	struct korg *d;

	if (KGROW(o->v, o->alloc, o->n + 1) < 0)
		return KE_NOMEM;
	d = &o->v[o->n];
	memset(d, 0, sizeof(*d));
	d->id = src->id;
	d->kind = src->kind;
	d->name = strdup(src->name ? src->name : "");
	d->created = src->created ? strdup(src->created) : NULL;
	o->n++;
	if (!d->name || (src->created && !d->created))
		return KE_NOMEM;
	for (size_t i = 0; i < src->nsectors; i++)
		if (korg_add_sector(d, src->sectors[i], NULL) == KE_NOMEM)
			return KE_NOMEM;
	return 0;
}

static int load_orgs(struct khttp_req *req, struct orgs *o, struct kerr *err)
{
	int rc = kstore_org_list(req->st, org_copy, o, err);

	if (rc == KE_NOMEM)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return rc;
}

static const struct korg *org_named(const struct orgs *o, const char *name)
{
	for (size_t i = 0; name && i < o->n; i++)
		if (!strcmp(o->v[i].name, name))
			return &o->v[i];
	return NULL;
}

/* The organisation select: none, then every organisation by name. */
static void org_select(struct html *w, const struct khttp_req *req, const struct web_form *f,
		       const struct orgs *o, const char *selected)
{
	struct web_option *v = calloc(o->n + 1, sizeof(*v));
	size_t n = 0;

	if (!v) {
		w->err = KE_NOMEM;
		return;
	}
	v[n++] = (struct web_option){ "", T(req, T_NO_ORG) };
	for (size_t i = 0; i < o->n; i++)
		v[n++] = (struct web_option){ o->v[i].name, o->v[i].name };
	web_form_select(w, req, f, "org", T_USER_ORG, v, n, selected ? selected : "");
	free(v);
}

static void role_select(struct html *w, const struct khttp_req *req, const struct web_form *f,
			const char *selected)
{
	struct web_option opt[KROLE__N];
	size_t n = 0;

	for (int r = KROLE_NONE + 1; r < KROLE__N; r++)
		opt[n++] = (struct web_option){ krole_name((enum krole)r), web_role_label(req, (enum krole)r) };
	web_form_select(w, req, f, "role", T_ROLE, opt, n, selected);
}

/* ---- small things ------------------------------------------------------------------ */

void web_admin_nav(struct html *w, const struct khttp_req *req, const char *here)
{
	static const struct {
		const char *path;
		enum kmsg label;
	} items[] = {
		{ "/admin", T_ADMIN_TITLE }, { "/admin/orgs", T_ADMIN_ORGS },
		{ "/admin/users", T_ADMIN_USERS }, { "/admin/audit", T_ADMIN_AUDIT },
	};

	html_printf(w, "<nav class=\"admin-nav\" aria-label=\"%s\"><ul>", T(req, T_ADMIN_TITLE));
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		html_printf(w, "<li><a href=\"%s\"%R>%s</a></li>", web_url(req, items[i].path, NULL),
			    !strcmp(here, items[i].path) ? " aria-current=\"page\"" : "", T(req, items[i].label));
	html_printf(w, "</ul></nav>\n");
}

/* A login as typed, ASCII letters lower-cased (the store's logins are), kept with the request. */
static const char *login_of(const struct khttp_req *req, const char *typed)
{
	char *s;

	if (!typed)
		return NULL;
	s = strdup(typed);
	for (char *p = s; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return khttp_keep(req, s);
}

/* The password policy, said next to the field; 0 if pw passes. */
static enum kmsg password_problem(const char *pw, const char *login)
{
	if (!pw || !*pw)
		return T_ENTER_PASSWORD;
	if (strlen(pw) > KPASSWORD_MAX)
		return T_PASSWORD_TOO_LONG;
	if (web_form_chars(pw) < KPASSWORD_MIN)
		return T_ERR_PASSWORD_SHORT;
	if (kpassword_check(pw, login, NULL) < 0)
		return T_ERR_PASSWORD_WEAK;
	return 0;
}

/* The two password fields: the policy on the first, equality on the second. */
static void check_passwords(struct web_form *f, const char *pw, const char *pw2, const char *login)
{
	enum kmsg m = password_problem(pw, login);

	if (m)
		web_form_error(f, "password", m);
	else if (!pw2 || strcmp(pw, pw2))
		web_form_error(f, "password2", T_ERR_PASSWORD_MISMATCH);
}

static void password_fields(struct html *w, const struct khttp_req *req, const struct web_form *f)
{
	web_form_input(w, req, f, &(struct web_field){ .name = "password", .label = T_NEW_PASSWORD,
			.type = "password", .maxlength = KPASSWORD_MAX, .autocomplete = "new-password",
			.required = 1, .hint = T_PASSWORD_HINT });
	web_form_input(w, req, f, &(struct web_field){ .name = "password2", .label = T_PASSWORD_AGAIN,
			.type = "password", .maxlength = KPASSWORD_MAX, .autocomplete = "new-password",
			.required = 1 });
}

/* A failed form's page is the request's own: not for the response cache. */
static int form_page_done(struct html *w, struct khttp_resp *resp, const struct web_form *f, struct kerr *err)
{
	int rc = web_finish(w, resp, err);

	if (f->nerr)
		resp->no_store = 1;
	return rc;
}

/* ---- /admin -------------------------------------------------------------------------- */

static int count_user(void *vctx, const struct kuser *u)
{
	struct orgs *o = vctx;

	o->users[o->n]++; /* the last slot: everyone */
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].id == u->org_id)
			o->users[i]++;
	return 0;
}

/* o->users[i]: the users of organisation i; o->users[o->n]: all users. */
static int count_users(struct khttp_req *req, struct orgs *o, struct kerr *err)
{
	o->users = calloc(o->n + 1, sizeof(long));
	if (!o->users)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return kstore_user_list(req->st, count_user, o, err);
}

int web_admin(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct orgs o = { 0 };
	struct kaudit_query q = { .newest_first = 1, .limit = OVERVIEW_AUDIT_N };
	struct html w;
	char norgs[64], nusers[64];
	int rc, more = 0;

	if ((rc = load_orgs(req, &o, err)) < 0 || (rc = count_users(req, &o, err)) < 0)
		goto out;
	snprintf(norgs, sizeof(norgs), T(req, T_ADMIN_ORGS_N), (long)o.n);
	snprintf(nusers, sizeof(nusers), T(req, T_ADMIN_USERS_N), o.users[o.n]);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ADMIN_TITLE), "", "page-admin");
	web_admin_nav(&w, req, "/admin");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<div class=\"admin-cards\">\n"
		    "<a class=\"card\" href=\"%s\"><strong>%s</strong><span>%s</span></a>\n"
		    "<a class=\"card\" href=\"%s\"><strong>%s</strong><span>%s</span></a>\n"
		    "<a class=\"card\" href=\"%s\"><strong>%s</strong><span>%s</span></a>\n</div>\n",
		    T(req, T_ADMIN_TITLE), T(req, T_ADMIN_LEAD),
		    web_url(req, "/admin/orgs", NULL), T(req, T_ADMIN_ORGS), norgs,
		    web_url(req, "/admin/users", NULL), T(req, T_ADMIN_USERS), nusers,
		    web_url(req, "/admin/audit", NULL), T(req, T_ADMIN_AUDIT), T(req, T_AUDIT_NEWEST));
	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_ADMIN_RECENT_AUDIT));
	if ((rc = web_audit_table(&w, req, &q, 0, &more, err)) < 0)
		goto out;
	html_printf(&w, "<p><a href=\"%s\">%s</a></p>\n</section>\n", web_url(req, "/admin/audit", NULL),
		    T(req, T_ALL_ENTRIES));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	orgs_free(&o);
	return rc;
}

/* ---- /admin/orgs ---------------------------------------------------------------------- */

struct org_form {
	const char *name, *kind;
	const char *sectors[KSECTOR_N];
	size_t nsectors;
	struct web_form f;
};

static int sector_checked(const struct org_form *of, const char *tag)
{
	for (size_t i = 0; i < of->nsectors; i++)
		if (of->sectors[i] && !strcmp(of->sectors[i], tag))
			return 1;
	return 0;
}

static int render_orgs(struct khttp_req *req, struct khttp_resp *resp, const struct org_form *of,
		       struct kerr *err)
{
	struct orgs o = { 0 };
	struct web_option kinds[KORG__N];
	enum kmsg se;
	struct html w;
	int rc;

	if ((rc = load_orgs(req, &o, err)) < 0 || (rc = count_users(req, &o, err)) < 0)
		goto out;
	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ADMIN_ORGS), "", "page-admin");
	web_admin_nav(&w, req, "/admin/orgs");
	html_printf(&w, "<h1>%s</h1>\n", T(req, T_ADMIN_ORGS));
	web_form_notice(&w, req);
	if (!o.n) {
		html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_ORGS));
	} else {
		html_printf(&w, "<div class=\"table-scroll\"><table class=\"data orgs\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_ORG_NAME), T(req, T_ORG_KIND), T(req, T_ORG_SECTORS), T(req, T_ORG_MEMBERS),
			    T(req, T_CREATED));
		for (size_t i = 0; i < o.n; i++) {
			html_printf(&w, "<tr><td dir=\"auto\">%s</td><td>%s</td><td>", o.v[i].name,
				    web_org_kind_label(req, o.v[i].kind));
			for (size_t j = 0; j < o.v[i].nsectors; j++)
				html_printf(&w, "<span class=\"chip\">%s</span> ", web_sector_label(req, o.v[i].sectors[j]));
			html_printf(&w, "</td><td class=\"num\">%ld</td><td>%s</td></tr>\n", o.users[i],
				    o.v[i].created ? o.v[i].created : "");
		}
		html_printf(&w, "</tbody></table></div>\n");
	}

	html_printf(&w, "<section class=\"panel\" id=\"add\">\n<h2>%s</h2>\n", T(req, T_ORG_ADD));
	web_form_summary(&w, req, &of->f);
	web_form_begin(&w, req, web_url(req, "/admin/orgs", NULL), "form");
	web_form_input(&w, req, &of->f, &(struct web_field){ .name = "name", .label = T_ORG_NAME,
			.value = of->name, .maxlength = KORG_NAME_MAX * 4, .autocomplete = "off", .required = 1 });
	for (int k = 0; k < KORG__N; k++)
		kinds[k] = (struct web_option){ korg_kind_name((enum korg_kind)k), web_org_kind_label(req, k) };
	web_form_select(&w, req, &of->f, "kind", T_ORG_KIND, kinds, KORG__N, of->kind ? of->kind : "operator");
	se = web_form_error_of(&of->f, "sector");
	html_printf(&w, "<fieldset class=\"field checkboxes%R\" id=\"f-sector\"%R>\n<legend>%s</legend>\n<div class=\"boxes\">\n",
		    se ? " has-error" : "", se ? " aria-describedby=\"f-sector-error\"" : "", T(req, T_ORG_SECTORS));
	for (int i = 0; i < KSECTOR_N; i++)
		html_printf(&w, "<label><input type=\"checkbox\" name=\"sector\" value=\"%s\"%R> %s</label>\n",
			    ksector_tags[i], sector_checked(of, ksector_tags[i]) ? " checked" : "",
			    web_sector_label(req, ksector_tags[i]));
	html_printf(&w, "</div>\n");
	if (se)
		html_printf(&w, "<p class=\"field-error\" id=\"f-sector-error\">%s</p>\n", T(req, se));
	html_printf(&w, "</fieldset>\n<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n"
		    "</form>\n</section>\n", T(req, T_ORG_ADD));
	web_end(&w, req);
	rc = form_page_done(&w, resp, &of->f, err);
out:
	orgs_free(&o);
	return rc;
}

int web_admin_orgs(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct org_form of = { 0 };

	return render_orgs(req, resp, &of, err);
}

int web_admin_org_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct org_form of = { 0 };
	struct korg o = { 0 };
	struct kstore *rw;
	int kind, rc;
	size_t n;

	of.name = web_form_trimmed(req, "name");
	of.kind = khttp_form(req, "kind");
	n = web_form_values(req, "sector", of.sectors, KSECTOR_N);
	of.nsectors = n < KSECTOR_N ? n : KSECTOR_N;
	if (!of.name || korg_name_check(of.name, NULL) < 0)
		web_form_error(&of.f, "name", T_ERR_ORG_NAME);
	if ((kind = korg_kind_parse(of.kind ? of.kind : "")) < 0)
		web_form_error(&of.f, "kind", T_ERR_ORG_KIND);
	if (n > KSECTOR_N)
		web_form_error(&of.f, "sector", T_ERR_SECTOR);
	o.kind = kind < 0 ? KORG_OTHER : (enum korg_kind)kind;
	for (size_t i = 0; i < of.nsectors; i++) {
		rc = korg_add_sector(&o, of.sectors[i], NULL);
		if (rc == KE_NOMEM) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (rc < 0) /* unknown, or twice */
			web_form_error(&of.f, "sector", T_ERR_SECTOR);
	}
	if (!of.f.nerr) {
		if (!(o.name = strdup(of.name))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (!(rw = khttp_writer(req, err))) {
			rc = err->code ? err->code : KE_DB;
			goto out;
		}
		rc = kstore_org_add(rw, &o, err);
		if (rc == KE_EXISTS)
			web_form_error(&of.f, "name", T_ERR_ORG_EXISTS);
		else if (rc == KE_INVALID)
			web_form_error(&of.f, "name", T_ERR_ORG_NAME);
		else if (rc < 0)
			goto out;
		kerr_clear(err);
	}
	if (of.f.nerr) {
		resp->status = 400;
		rc = render_orgs(req, resp, &of, err);
		goto out;
	}
	rc = web_form_redirect(resp, web_url(req, "/admin/orgs", "done", "org-added", NULL), err);
out:
	korg_free(&o);
	return rc;
}

/* ---- /admin/users ---------------------------------------------------------------------- */

struct user_form {
	const char *login, *display_name, *email, *org, *role; /* as typed */
	struct web_form f;
};

struct userctx {
	struct html *w;
	struct khttp_req *req;
	long n;
};

static int user_row(void *vctx, const struct kuser *u)
{
	struct userctx *x = vctx;
	struct khttp_req *req = x->req;

	if (!x->n++)
		html_printf(x->w, "<div class=\"table-scroll\"><table class=\"data users\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_LOGIN), T(req, T_DISPLAY_NAME), T(req, T_USER_ORG), T(req, T_ROLE), T(req, T_STATUS),
			    T(req, T_CREATED));
	html_printf(x->w, "<tr%R><td><a href=\"%s\"><code>%s</code></a></td><td dir=\"auto\">%s</td>"
		    "<td dir=\"auto\">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
		    u->disabled ? " class=\"inactive\"" : "", web_url(req, "/admin/users/%U", u->login, NULL), u->login,
		    u->display_name ? u->display_name : "", u->org ? u->org : "", web_role_label(req, u->role),
		    T(req, u->disabled ? T_DISABLED : T_ACTIVE), u->created ? u->created : "");
	return 0;
}

static int render_users(struct khttp_req *req, struct khttp_resp *resp, const struct user_form *uf,
			struct kerr *err)
{
	struct orgs o = { 0 };
	struct userctx x = { 0 };
	struct html w;
	int rc;

	if ((rc = load_orgs(req, &o, err)) < 0)
		goto out;
	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ADMIN_USERS), "", "page-admin");
	web_admin_nav(&w, req, "/admin/users");
	html_printf(&w, "<h1>%s</h1>\n", T(req, T_ADMIN_USERS));
	web_form_notice(&w, req);
	x = (struct userctx){ &w, req, 0 };
	if ((rc = kstore_user_list(req->st, user_row, &x, err)) < 0)
		goto out;
	if (x.n)
		html_printf(&w, "</tbody></table></div>\n");
	else
		html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_USERS));

	html_printf(&w, "<section class=\"panel\" id=\"add\">\n<h2>%s</h2>\n", T(req, T_USER_ADD));
	web_form_summary(&w, req, &uf->f);
	web_form_begin(&w, req, web_url(req, "/admin/users", NULL), "form");
	web_form_input(&w, req, &uf->f, &(struct web_field){ .name = "login", .label = T_LOGIN, .value = uf->login,
			.maxlength = KLOGIN_MAX, .autocomplete = "off", .required = 1 });
	web_form_input(&w, req, &uf->f, &(struct web_field){ .name = "display_name", .label = T_DISPLAY_NAME,
			.value = uf->display_name, .maxlength = KDISPLAY_NAME_MAX * 4, .autocomplete = "off" });
	web_form_input(&w, req, &uf->f, &(struct web_field){ .name = "email", .label = T_EMAIL, .type = "email",
			.value = uf->email, .maxlength = KEMAIL_MAX, .autocomplete = "off" });
	org_select(&w, req, &uf->f, &o, uf->org);
	role_select(&w, req, &uf->f, uf->role ? uf->role : "reporter");
	password_fields(&w, req, &uf->f);
	html_printf(&w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n</form>\n"
		    "</section>\n", T(req, T_USER_ADD));
	web_end(&w, req);
	rc = form_page_done(&w, resp, &uf->f, err);
out:
	orgs_free(&o);
	return rc;
}

int web_admin_users(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct user_form uf = { 0 };

	return render_users(req, resp, &uf, err);
}

/* The organisation field: "" is none (*org NULL), else it must exist (or an error is noted for it). */
static void check_org(struct web_form *f, const struct orgs *o, const char *name, const struct korg **org)
{
	*org = NULL;
	if (!name || !*name)
		return;
	if (!(*org = org_named(o, name)))
		web_form_error(f, "org", T_ERR_ORG_UNKNOWN);
}

int web_admin_user_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct user_form uf = { 0 };
	struct orgs o = { 0 };
	struct kuser u = { 0 }, existing = { 0 };
	const struct korg *org = NULL;
	const char *pw = khttp_form(req, "password"), *pw2 = khttp_form(req, "password2");
	struct kstore *rw;
	enum krole role;
	const char *login;
	int rc;

	uf.login = web_form_trimmed(req, "login");
	login = login_of(req, uf.login);
	uf.display_name = web_form_trimmed(req, "display_name");
	uf.email = web_form_trimmed(req, "email");
	uf.org = khttp_form(req, "org");
	uf.role = khttp_form(req, "role");
	if ((rc = load_orgs(req, &o, err)) < 0)
		goto out;
	if (!login || !*login || klogin_check(login, NULL) < 0)
		web_form_error(&uf.f, "login", T_ERR_LOGIN);
	else if ((rc = kstore_user_get(req->st, login, &existing, err)) == 0)
		web_form_error(&uf.f, "login", T_ERR_LOGIN_EXISTS);
	else if (rc != KE_NOTFOUND)
		goto out;
	kerr_clear(err);
	if (uf.display_name && kdisplay_name_check(uf.display_name, NULL) < 0)
		web_form_error(&uf.f, "display_name", T_ERR_DISPLAY_NAME);
	if (uf.email && kemail_check(uf.email, NULL) < 0)
		web_form_error(&uf.f, "email", T_ERR_EMAIL);
	check_org(&uf.f, &o, uf.org, &org);
	if ((role = krole_parse(uf.role)) == KROLE_NONE)
		web_form_error(&uf.f, "role", T_ERR_ROLE);
	check_passwords(&uf.f, pw, pw2, web_form_error_of(&uf.f, "login") ? NULL : login);
	u.role = role;
	u.org_id = org ? org->id : 0;
	if (!uf.f.nerr) {
		u.login = (char *)login;
		u.display_name = (char *)uf.display_name;
		u.email = (char *)uf.email;
		/* the role with this organisation (the other fields passed already) */
		if (kuser_check(&u, org, NULL) < 0)
			web_form_error(&uf.f, "role", T_ERR_ROLE_ORG);
		u.login = u.display_name = u.email = NULL;
	}
	if (!uf.f.nerr) {
		if ((rc = kpassword_hash(pw, &u.password, err)) < 0)
			goto out;
		if (!(u.login = strdup(login)) || !(u.display_name = strdup(uf.display_name ? uf.display_name : "")) ||
		    !(u.email = strdup(uf.email ? uf.email : ""))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (!(rw = khttp_writer(req, err))) {
			rc = err->code ? err->code : KE_DB;
			goto out;
		}
		rc = kstore_user_add(rw, &u, err);
		if (rc == KE_EXISTS)
			web_form_error(&uf.f, "login", T_ERR_LOGIN_EXISTS);
		else if (rc == KE_NOTFOUND)
			web_form_error(&uf.f, "org", T_ERR_ORG_UNKNOWN);
		else if (rc == KE_INVALID)
			web_form_error(&uf.f, "role", T_ERR_ROLE_ORG);
		else if (rc < 0)
			goto out;
		kerr_clear(err);
	}
	if (uf.f.nerr) {
		resp->status = 400;
		rc = render_users(req, resp, &uf, err);
		goto out;
	}
	rc = web_form_redirect(resp, web_url(req, "/admin/users", "done", "user-added", NULL), err);
out:
	orgs_free(&o);
	kuser_free(&existing);
	kuser_free(&u);
	return rc;
}

/* ---- /admin/users/LOGIN ---------------------------------------------------------------- */

struct one_form {
	const char *org, *role; /* the role form as typed, or NULL: the user's */
	struct web_form f;
};

/* The user of the URL into u; KE_NOTFOUND in the page's words. */
static int target_user(struct khttp_req *req, struct kuser *u, struct kerr *err)
{
	const char *login = req->args[0];
	int rc;

	if (!login || klogin_check(login, NULL) < 0)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_USER));
	rc = kstore_user_get(req->st, login, u, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_USER));
	return rc;
}

static int render_user(struct khttp_req *req, struct khttp_resp *resp, const struct kuser *u,
		       const struct one_form *of, struct kerr *err)
{
	struct orgs o = { 0 };
	struct html w;
	int rc;

	if ((rc = load_orgs(req, &o, err)) < 0)
		goto out;
	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, u->login, "", "page-admin");
	web_admin_nav(&w, req, "/admin/users");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"%s\"><ol><li><a href=\"%s\">%s</a></li><li>%s</li></ol></nav>\n"
		    "<h1><code>%s</code>%R", T(req, T_ADMIN_TITLE), web_url(req, "/admin/users", NULL), T(req, T_ADMIN_USERS),
		    u->login, u->login, u->disabled ? " " : "");
	if (u->disabled)
		html_printf(&w, "<span class=\"badge-disabled\">%s</span>", T(req, T_DISABLED));
	html_printf(&w, "</h1>\n");
	web_form_notice(&w, req);
	web_form_summary(&w, req, &of->f);
	html_printf(&w, "<section class=\"panel\">\n<dl class=\"facts\">\n"
		    "<dt>%s</dt><dd dir=\"auto\">%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd dir=\"auto\">%s</dd>\n"
		    "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n"
		    "<p><a href=\"%s\">%s</a></p>\n</section>\n",
		    T(req, T_DISPLAY_NAME), u->display_name ? u->display_name : "", T(req, T_EMAIL), u->email ? u->email : "",
		    T(req, T_USER_ORG), u->org ? u->org : T(req, T_NO_ORG), T(req, T_ROLE), web_role_label(req, u->role),
		    T(req, T_STATUS), T(req, u->disabled ? T_DISABLED : T_ACTIVE), T(req, T_CREATED),
		    u->created ? u->created : "", web_url(req, "/admin/audit", "user", u->login, NULL), T(req, T_ADMIN_AUDIT));

	html_printf(&w, "<div class=\"admin-forms\">\n<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_ROLE_AND_ORG));
	web_form_begin(&w, req, web_url(req, "/admin/users/%U/role", u->login, NULL), "form");
	role_select(&w, req, &of->f, of->role ? of->role : krole_name(u->role));
	org_select(&w, req, &of->f, &o, of->org ? of->org : u->org);
	html_printf(&w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n</form>\n"
		    "</section>\n", T(req, T_SAVE));

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_SET_PASSWORD));
	web_form_begin(&w, req, web_url(req, "/admin/users/%U/password", u->login, NULL), "form");
	password_fields(&w, req, &of->f);
	html_printf(&w, "<p class=\"field-hint\">%s</p>\n<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button>"
		    "</div>\n</form>\n</section>\n", T(req, T_SET_PASSWORD_LEAD), T(req, T_SET_PASSWORD));

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n<p>%s</p>\n", T(req, T_STATUS), T(req, T_DISABLE_LEAD));
	web_form_begin(&w, req, web_url(req, "/admin/users/%U/status", u->login, NULL), "inline");
	html_printf(&w, "<input type=\"hidden\" name=\"status\" value=\"%R\">"
		    "<button type=\"submit\" class=\"button%R\">%s</button></form>\n",
		    u->disabled ? "active" : "disabled", u->disabled ? "" : " danger",
		    T(req, u->disabled ? T_ENABLE_USER : T_DISABLE_USER));
	if (web_form_error_of(&of->f, "status"))
		html_printf(&w, "<p class=\"field-error\">%s</p>\n", T(req, web_form_error_of(&of->f, "status")));
	html_printf(&w, "</section>\n<section class=\"panel\">\n<h2>%s</h2>\n<p>%s</p>\n", T(req, T_SIGNOUT_ALL),
		    T(req, T_SIGNOUT_USER_LEAD));
	web_form_begin(&w, req, web_url(req, "/admin/users/%U/signout", u->login, NULL), "inline");
	html_printf(&w, "<button type=\"submit\" class=\"button secondary\">%s</button></form>\n</section>\n</div>\n",
		    T(req, T_SIGNOUT_ALL));

	html_printf(&w, "<section class=\"panel\" id=\"tokens\">\n<h2>%s</h2>\n", T(req, T_TOKENS));
	if ((rc = web_tokens_table(&w, req, u->id, u->login, err)) < 0)
		goto out;
	html_printf(&w, "</section>\n");
	web_end(&w, req);
	rc = form_page_done(&w, resp, &of->f, err);
out:
	orgs_free(&o);
	return rc;
}

int web_admin_user(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	struct one_form of = { 0 };
	int rc;

	if ((rc = target_user(req, &u, err)) == 0)
		rc = render_user(req, resp, &u, &of, err);
	kuser_free(&u);
	return rc;
}

/* A form of the user page that failed: the page again, 400. */
static int user_form_failed(struct khttp_req *req, struct khttp_resp *resp, const struct kuser *u,
			    const struct one_form *of, struct kerr *err)
{
	resp->status = 400;
	kerr_clear(err);
	return render_user(req, resp, u, of, err);
}

static int is_self(const struct khttp_req *req, const struct kuser *u)
{
	return req->reader && req->reader->user_id == u->id;
}

static int back_to_user(struct khttp_req *req, struct khttp_resp *resp, const struct kuser *u, const char *done,
			struct kerr *err)
{
	return web_form_redirect(resp, web_url(req, "/admin/users/%U", u->login, "done", done, NULL), err);
}

int web_admin_user_role(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	struct one_form of = { 0 };
	struct orgs o = { 0 };
	const struct korg *org = NULL;
	struct kstore *rw;
	enum krole role;
	long long old_org;
	enum krole old_role;
	int rc;

	if ((rc = target_user(req, &u, err)) < 0 || (rc = load_orgs(req, &o, err)) < 0)
		goto out;
	of.role = khttp_form(req, "role");
	of.org = khttp_form(req, "org");
	if ((role = krole_parse(of.role)) == KROLE_NONE)
		web_form_error(&of.f, "role", T_ERR_ROLE);
	check_org(&of.f, &o, of.org, &org);
	if (!of.f.nerr && is_self(req, &u) && role != KROLE_ADMIN)
		web_form_error(&of.f, "role", T_ERR_SELF);
	old_org = u.org_id;
	old_role = u.role;
	u.role = role;
	u.org_id = org ? org->id : 0;
	if (!of.f.nerr && kuser_check(&u, org, NULL) < 0)
		web_form_error(&of.f, "role", T_ERR_ROLE_ORG);
	if (of.f.nerr) {
		u.role = old_role;
		u.org_id = old_org;
		rc = user_form_failed(req, resp, &u, &of, err);
		goto out;
	}
	if (u.role == old_role && u.org_id == old_org) {
		rc = back_to_user(req, resp, &u, "nochange", err);
		goto out;
	}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	rc = kstore_user_update(rw, &u, KUSER_ROLE | KUSER_ORG, err);
	if (rc == KE_INVALID || rc == KE_NOTFOUND) {
		web_form_error(&of.f, rc == KE_NOTFOUND ? "org" : "role", rc == KE_NOTFOUND ? T_ERR_ORG_UNKNOWN : T_ERR_ROLE_ORG);
		u.role = old_role;
		u.org_id = old_org;
		rc = user_form_failed(req, resp, &u, &of, err);
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = back_to_user(req, resp, &u, "role", err);
out:
	orgs_free(&o);
	kuser_free(&u);
	return rc;
}

int web_admin_user_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	struct one_form of = { 0 };
	const char *status = khttp_form(req, "status");
	struct kstore *rw;
	int disable, rc;

	if ((rc = target_user(req, &u, err)) < 0)
		goto out;
	if (!status || (strcmp(status, "disabled") && strcmp(status, "active"))) {
		rc = kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_PARAMETER));
		goto out;
	}
	disable = !strcmp(status, "disabled");
	if (disable && is_self(req, &u)) {
		web_form_error(&of.f, "status", T_ERR_SELF);
		rc = user_form_failed(req, resp, &u, &of, err);
		goto out;
	}
	if (disable == !!u.disabled) {
		rc = back_to_user(req, resp, &u, "nochange", err);
		goto out;
	}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	u.disabled = disable;
	if ((rc = kstore_user_update(rw, &u, KUSER_DISABLED, err)) < 0)
		goto out;
	rc = back_to_user(req, resp, &u, disable ? "disabled" : "enabled", err);
out:
	kuser_free(&u);
	return rc;
}

int web_admin_user_password(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	struct one_form of = { 0 };
	const char *pw = khttp_form(req, "password"), *pw2 = khttp_form(req, "password2");
	char *hash = NULL;
	struct kstore *rw;
	int rc;

	if ((rc = target_user(req, &u, err)) < 0)
		goto out;
	check_passwords(&of.f, pw, pw2, u.login);
	if (of.f.nerr) {
		rc = user_form_failed(req, resp, &u, &of, err);
		goto out;
	}
	if ((rc = kpassword_hash(pw, &hash, err)) < 0)
		goto out;
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	free(u.password);
	u.password = hash;
	hash = NULL;
	/* the new password, and the sessions the old one opened end: all or nothing */
	if ((rc = kstore_begin(rw, err)) < 0)
		goto out;
	if ((rc = kstore_user_update(rw, &u, KUSER_PASSWORD, err)) < 0 ||
	    (rc = kstore_session_delete_user(rw, u.id, err)) < 0 || (rc = kstore_commit(rw, err)) < 0) {
		kstore_rollback(rw);
		goto out;
	}
	rc = back_to_user(req, resp, &u, "password", err);
out:
	free(hash);
	kuser_free(&u);
	return rc;
}

int web_admin_user_signout(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	struct kaudit a = { 0 };
	struct kstore *rw;
	char object[KLOGIN_MAX + 8];
	int rc;

	if ((rc = target_user(req, &u, err)) < 0)
		goto out;
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	snprintf(object, sizeof(object), "user:%s", u.login);
	a.action = "signout.all";
	a.object = object;
	a.detail = "by an admin";
	if ((rc = kstore_begin(rw, err)) < 0)
		goto out;
	if ((rc = kstore_session_delete_user(rw, u.id, err)) < 0 || (rc = kstore_audit_add(rw, &a, err)) < 0 ||
	    (rc = kstore_commit(rw, err)) < 0) {
		kstore_rollback(rw);
		goto out;
	}
	rc = back_to_user(req, resp, &u, "signout", err);
out:
	kuser_free(&u);
	return rc;
}

int web_admin_token_revoke(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kuser u = { 0 };
	long long id = web_token_id(req->args[1]);
	struct kstore *rw;
	int rc;

	if ((rc = target_user(req, &u, err)) < 0)
		goto out;
	if (!id) {
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_TOKEN));
		goto out;
	}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	/* that user's token only: another's id is "no such token" */
	rc = kstore_token_revoke(rw, id, u.id, err);
	if (rc == KE_NOTFOUND)
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_TOKEN));
	if (rc < 0)
		goto out;
	rc = back_to_user(req, resp, &u, "revoked", err);
out:
	kuser_free(&u);
	return rc;
}
