/*
 * web_audit.c - the audit log for admins (KCAP_ADMIN): the page
 * /admin/audit and the JSON API's GET /api/audit, newest first, filtered by
 * since (a time or an age, as `kyokun audit --since` reads it) and user
 * (the actor's login), a page at a time.
 *
 * The store gives entries newest first up to a limit; a page further on
 * reads the ones before it and skips them (the offset is capped, as the
 * other API routes cap theirs).
 */
#include "web_form.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AUDIT_PAGE 50         /* entries on a page */
#define AUDIT_PAGES_MAX 2000  /* pages (100,000 entries back) */
#define AUDIT_API_LIMIT 100   /* the API's default limit */
#define AUDIT_API_LIMIT_MAX 1000
#define AUDIT_API_OFFSET_MAX 100000
#define AUDIT_USER_MAX 200    /* bytes of the user filter: longer matches no actor */

/* ---- reading a page of entries ------------------------------------------------------- */

struct auditctx {
	long skip, take, seen;
	int more;
	int (*row)(void *ctx, const struct kaudit *a);
	void *ctx;
};

static int audit_page_cb(void *vctx, const struct kaudit *a)
{
	struct auditctx *x = vctx;

	if (x->seen++ < x->skip)
		return 0;
	if (x->seen > x->skip + x->take) {
		x->more = 1;
		return 0;
	}
	return x->row(x->ctx, a);
}

/* Entries offset .. offset + q->limit of q (newest first) to row(); *more if there are others after. */
static int audit_page(struct khttp_req *req, const struct kaudit_query *q, long offset,
		      int (*row)(void *, const struct kaudit *), void *ctx, int *more, struct kerr *err)
{
	struct kaudit_query qq = *q;
	struct auditctx x = { .skip = offset, .take = q->limit, .row = row, .ctx = ctx };
	int rc;

	qq.newest_first = 1;
	qq.limit = offset + q->limit + 1;
	rc = kstore_audit_list(req->st, &qq, audit_page_cb, &x, err);
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	*more = x.more;
	return rc;
}

/* ---- the table --------------------------------------------------------------------------- */

struct rowctx {
	struct html *w;
	struct khttp_req *req;
	long n;
};

static int audit_row(void *vctx, const struct kaudit *a)
{
	struct rowctx *x = vctx;
	struct khttp_req *req = x->req;

	if (!x->n++)
		html_printf(x->w, "<div class=\"table-scroll\"><table class=\"data audit\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
			    "<tbody>\n", T(req, T_AUDIT_AT), T(req, T_AUDIT_ACTOR), T(req, T_AUDIT_ADDRESS),
			    T(req, T_AUDIT_ACTION), T(req, T_AUDIT_OBJECT), T(req, T_AUDIT_DETAIL));
	html_printf(x->w, "<tr%R><td class=\"when\">%s</td><td><a href=\"%s\">%s</a></td><td>%s</td>"
		    "<td><code>%s</code></td><td dir=\"auto\">%s</td><td dir=\"auto\">%s</td></tr>\n",
		    a->action && strstr(a->action, "failure") ? " class=\"failure\"" : "", a->at ? a->at : "",
		    web_url(req, "/admin/audit", "user", a->actor, NULL), a->actor ? a->actor : "",
		    a->address ? a->address : "", a->action ? a->action : "", a->object ? a->object : "",
		    a->detail ? a->detail : "");
	return 0;
}

int web_audit_table(struct html *w, struct khttp_req *req, const struct kaudit_query *q, long offset,
		    int *more, struct kerr *err)
{
	struct rowctx x = { w, req, 0 };
	int rc;

	if ((rc = audit_page(req, q, offset, audit_row, &x, more, err)) < 0)
		return rc;
	if (x.n)
		html_printf(w, "</tbody></table></div>\n");
	else
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_AUDIT));
	return 0;
}

/* ---- the filters ------------------------------------------------------------------------- */

/* since as typed into an ISO time (out); 0, or -1 if it is not a time or an age. */
static int parse_since(const char *s, char out[KTIME_LEN + 1])
{
	time_t t;

	out[0] = '\0';
	if (!s || !*s)
		return 0;
	if (ktime_since(s, time(NULL), &t, NULL) < 0)
		return -1;
	ktime_iso(t, out);
	return 0;
}

/* ---- /admin/audit ------------------------------------------------------------------------ */

int web_admin_audit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kaudit_query q = { .limit = AUDIT_PAGE, .newest_first = 1 };
	struct web_form f = { 0 };
	const char *since = khttp_param(req, "since"), *user = khttp_param(req, "user");
	char iso[KTIME_LEN + 1], buf[96];
	struct html w;
	long page = 1;
	int rc = 0, more = 0;

	if (web_page_param(req, AUDIT_PAGES_MAX, &page) < 0)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_PAGE));
	if (parse_since(since, iso) < 0)
		web_form_error(&f, "since", T_ERR_SINCE);
	if (user && !*user)
		user = NULL;
	if (user && strlen(user) > AUDIT_USER_MAX)
		user = NULL; /* no actor has such a name: nothing would match */
	q.since = iso[0] ? iso : NULL;
	q.actor = user;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ADMIN_AUDIT), "", "page-admin");
	web_admin_nav(&w, req, "/admin/audit");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_ADMIN_AUDIT), T(req, T_AUDIT_LEAD));
	web_form_summary(&w, req, &f);
	html_printf(&w, "<form class=\"form form-inline filters-form\" method=\"get\" action=\"/admin/audit\">\n");
	if (req->lang_explicit)
		html_printf(&w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", T(req, T_LANG_CODE));
	web_form_input(&w, req, &f, &(struct web_field){ .name = "since", .label = T_AUDIT_SINCE, .value = since,
			.maxlength = 40, .autocomplete = "off", .hint = T_AUDIT_SINCE_HINT });
	web_form_input(&w, req, &f, &(struct web_field){ .name = "user", .label = T_AUDIT_USER,
			.value = khttp_param(req, "user"), .maxlength = AUDIT_USER_MAX, .autocomplete = "off" });
	html_printf(&w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n</form>\n",
		    T(req, T_FILTER));
	/* "since 1h" moves with the clock: never kept in the response cache */
	resp->no_store = 1;
	if (f.nerr) {
		resp->status = 400;
	} else {
		if ((rc = web_audit_table(&w, req, &q, (page - 1) * AUDIT_PAGE, &more, err)) < 0)
			return rc;
		if (page > 1 || more) {
			char prev[24], next[24];

			snprintf(prev, sizeof(prev), "%ld", page - 1);
			snprintf(next, sizeof(next), "%ld", page + 1);
			html_printf(&w, "<nav class=\"pager\" aria-label=\"%s\">", T(req, T_PAGINATION));
			if (page > 1)
				html_printf(&w, "<a rel=\"prev\" href=\"%s\">%s</a>",
					    web_url(req, "/admin/audit", "since", since, "user", user, "page",
						    page > 2 ? prev : NULL, NULL), T(req, T_PAGE_PREV));
			else
				html_printf(&w, "<span class=\"disabled\"></span>");
			snprintf(buf, sizeof(buf), "%ld", page);
			html_printf(&w, "<span>%s</span>", buf);
			if (more && page < AUDIT_PAGES_MAX)
				html_printf(&w, "<a rel=\"next\" href=\"%s\">%s</a>",
					    web_url(req, "/admin/audit", "since", since, "user", user, "page", next, NULL),
					    T(req, T_PAGE_NEXT));
			else
				html_printf(&w, "<span class=\"disabled\"></span>");
			html_printf(&w, "</nav>\n");
		}
	}
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

/* ---- GET /api/audit ------------------------------------------------------------------------ */

static int audit_json(void *ctx, const struct kaudit *a)
{
	json_t *o = json_pack("{s:I, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:s?}", "id", (json_int_t)a->id, "at", a->at,
			      "actor", a->actor, "user_id", a->user_id ? json_integer(a->user_id) : json_null(),
			      "address", a->address, "action", a->action, "object", a->object, "detail", a->detail);

	return !o || json_array_append_new(ctx, o) < 0 ? KE_NOMEM : 0;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	return kbuf_add(data, buf, size) < 0 ? -1 : 0;
}

/* An integer parameter in [lo, hi], def if absent; KE_USAGE naming it otherwise. */
static int long_param(const struct khttp_req *req, const char *name, long lo, long hi, long def, long *out,
		      struct kerr *err)
{
	const char *s = khttp_param(req, name);
	char *end;
	long v;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return kerr_set(err, KE_USAGE, "%s: expected an integer from %ld to %ld", name, lo, hi);
	*out = v;
	return 0;
}

int api_audit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kaudit_query q = { .newest_first = 1 };
	const char *since = khttp_param(req, "since"), *user = khttp_param(req, "user");
	char iso[KTIME_LEN + 1];
	json_t *arr = NULL, *j = NULL;
	long limit, offset;
	int rc, more = 0;

	if ((rc = long_param(req, "limit", 1, AUDIT_API_LIMIT_MAX, AUDIT_API_LIMIT, &limit, err)) < 0 ||
	    (rc = long_param(req, "offset", 0, AUDIT_API_OFFSET_MAX, 0, &offset, err)) < 0)
		return rc;
	if (parse_since(since, iso) < 0)
		return kerr_set(err, KE_USAGE, "since: expected a time (2026-01-31, 2026-01-31T09:00:00Z) or an "
				"age (30m, 24h, 7d, 2w)");
	q.since = iso[0] ? iso : NULL;
	q.actor = user && *user ? user : NULL;
	q.limit = limit;
	if (!(arr = json_array()))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = audit_page(req, &q, offset, audit_json, arr, &more, err)) < 0) {
		json_decref(arr);
		return rc;
	}
	j = json_pack("{s:s?, s:s?, s:I, s:I, s:b, s:o}", "since", q.since, "user", q.actor, "limit",
		      (json_int_t)limit, "offset", (json_int_t)offset, "more", more, "entries", arr);
	if (!j)
		return kerr_set(err, KE_NOMEM, "out of memory");
	kbuf_reset(&resp->body);
	rc = json_dump_callback(j, dump_cb, &resp->body, JSON_COMPACT) < 0 || kbuf_addch(&resp->body, '\n') < 0 ?
		kerr_set(err, KE_NOMEM, "out of memory") : 0;
	json_decref(j);
	resp->kind = KRESP_JSON;
	resp->content_type = "application/json; charset=utf-8";
	resp->no_store = 1; /* as the page: a relative since moves with the clock */
	return rc;
}
