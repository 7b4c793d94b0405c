/*
 * web_approve.c - the reporting organisation's approval in the browser,
 * and the draft page's approval and publish boxes (see web_approve.h).
 */
#include "web_approve.h"
#include "web_form.h"
#include "approval.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "redact.h"
#include "store.h"
#include "store_approval.h"
#include "store_report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the pages need of one draft, loaded for this reader. */
struct appr {
	const char *id;
	struct kapproval_target t;
	struct kapproval_list l;
	int requested;           /* approval was requested (any revision) */
};

static void appr_free(struct appr *a)
{
	kapproval_target_free(&a->t);
	kapproval_list_free(&a->l);
}

/* Load draft id's approval state; 404 (the ordinary page) unless the reader may see its approval page. */
static int appr_load(const struct khttp_req *req, struct kstore *st, const char *id, struct appr *a, struct kerr *err)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->id = id;
	if (!web_valid_id(id))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	rc = kstore_approval_target(st, id, &a->t, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	if (rc < 0 || (rc = kstore_approval_list(st, id, &a->l, err)) < 0)
		return rc;
	a->requested = kapproval_requested_revision(&a->l) > 0;
	if (!kreader_may_see_approval(req->reader, a->t.org, a->requested))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	return 0;
}

static enum kmsg kind_msg(int kind)
{
	return kind == KAPPR_REQUEST ? T_AP_KIND_REQUEST : kind == KAPPR_APPROVE ? T_AP_KIND_APPROVE : T_AP_KIND_COMMENT;
}

/* Every reason of g as list items. */
static void gate_reasons(struct html *w, const struct khttp_req *req, const struct kgate *g)
{
	char buf[400];

	if (g->reasons & KGATE_FINDINGS) {
		snprintf(buf, sizeof(buf), T(req, T_AP_R_FINDINGS_FMT), (int)g->nfindings);
		html_printf(w, "<li class=\"gate-findings\">%s</li>\n", buf);
	}
	if (g->reasons & KGATE_NOT_REQUESTED)
		html_printf(w, "<li class=\"gate-not-requested\">%s</li>\n", T(req, T_AP_R_NOT_REQUESTED));
	if (g->reasons & KGATE_NOT_APPROVED) {
		snprintf(buf, sizeof(buf), T(req, T_AP_R_NOT_APPROVED_FMT), g->requested_revision);
		html_printf(w, "<li class=\"gate-not-approved\">%s</li>\n", buf);
	}
	if (g->reasons & KGATE_STALE) {
		snprintf(buf, sizeof(buf), T(req, T_AP_R_STALE_FMT), g->approved_revision, g->revision);
		html_printf(w, "<li class=\"gate-stale\">%s</li>\n", buf);
	}
}

/* The status in one sentence, with a chip. */
static void state_line(struct html *w, const struct khttp_req *req, const struct appr *a)
{
	int approved = kapproval_approved_revision(&a->l);
	char buf[300];

	if (!a->t.org) {
		html_printf(w, "<span>%s</span>", T(req, T_AP_NO_ORG));
	} else if (approved == a->t.revision) {
		html_printf(w, "<span class=\"chip approval-ok\">%s</span>", T(req, T_AP_APPROVED_CURRENT));
	} else if (approved) {
		snprintf(buf, sizeof(buf), T(req, T_AP_APPROVED_OLD_FMT), approved);
		html_printf(w, "<span class=\"chip approval-waiting\">%s</span> %s", T(req, T_AP_WAITING), buf);
	} else if (a->requested) {
		html_printf(w, "<span class=\"chip approval-waiting\">%s</span>", T(req, T_AP_WAITING));
	} else {
		html_printf(w, "<span>%s</span>", T(req, T_AP_NOT_REQUESTED));
	}
}

static void history(struct html *w, const struct khttp_req *req, const struct appr *a)
{
	char lbl[64];

	html_printf(w, "<section class=\"side-box approval-history\"><h2>%s</h2>\n", T(req, T_AP_HISTORY));
	if (!a->l.n)
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_AP_NO_HISTORY));
	else
		html_printf(w, "<ol class=\"approval-events\">\n");
	for (size_t i = a->l.n; i-- > 0;) {
		const struct kapproval *x = &a->l.v[i];

		snprintf(lbl, sizeof(lbl), T(req, T_ED_REVISION_N), x->revision);
		html_printf(w, "<li class=\"approval-%s\"><strong>%s</strong> · %s<div class=\"meta\">%s%s%s%s · %s</div>",
			    kapproval_kind_key(x->kind), T(req, kind_msg(x->kind)), lbl, x->who ? x->who : "-",
			    x->org ? " (" : "", x->org ? x->org : "", x->org ? ")" : "", web_time(req, x->at));
		if (x->text)
			html_printf(w, "<p class=\"approval-text\" lang=\"ja\" dir=\"auto\">%s</p>", x->text);
		html_printf(w, "</li>\n");
	}
	if (a->l.n)
		html_printf(w, "</ol>\n");
	html_printf(w, "</section>\n");
}

static void findings_table(struct html *w, const struct khttp_req *req, const struct kfinding_list *f)
{
	html_printf(w, "<section class=\"approval-findings\"><h2>%s</h2>\n", T(req, T_AP_FINDINGS));
	if (!f->n) {
		html_printf(w, "<p class=\"muted\">%s</p>\n</section>\n", T(req, T_AP_NO_FINDINGS));
		return;
	}
	html_printf(w, "<p>%s</p>\n<div class=\"table-scroll\"><table class=\"data findings\">\n<thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "</tr></thead>\n<tbody>\n", T(req, T_AP_FINDINGS_LEAD), T(req, T_AP_KIND), T(req, T_AP_FIELD),
		    T(req, T_AP_FOUND), T(req, T_AP_SUGGESTION));
	for (size_t i = 0; i < f->n; i++) {
		const struct kfinding *x = &f->v[i];
		const char *kind = kfinding_kind_label_ja(x->kind);

		html_printf(w, "<tr><td>%s</td><td><code>%s</code> %zu–%zu</td><td lang=\"ja\"><mark>%s</mark></td>"
			    "<td lang=\"ja\">%s</td></tr>\n", kind ? kind : "?", x->field ? x->field : "-", x->start,
			    x->end, x->text ? x->text : "", x->suggestion ? x->suggestion : x->label ? x->label : "");
	}
	html_printf(w, "</tbody></table></div>\n</section>\n");
}

/* The first revision's version of the draft (the one the organisation reported from). */
struct first_rev {
	int revision;
	struct kcase *c;
	int found, rc;
	struct kerr *err;
};

static int first_cb(void *vctx, const struct krevision *r)
{
	struct first_rev *fr = vctx;
	json_t *j;

	if (r->revision != fr->revision || fr->found)
		return 0;
	if (!(j = json_loads(r->json ? r->json : "", 0, NULL)))
		return 0;
	fr->rc = kcase_from_json(fr->c, j, fr->err);
	json_decref(j);
	fr->found = fr->rc == 0;
	return 0;
}

static void notice(struct html *w, const struct khttp_req *req)
{
	const char *done = khttp_param(req, "done");
	enum kmsg m;

	if (!done)
		return;
	if (!strcmp(done, "approved"))
		m = T_AP_DONE_APPROVED;
	else if (!strcmp(done, "commented"))
		m = T_AP_DONE_COMMENTED;
	else if (!strcmp(done, "requested"))
		m = T_AP_DONE_REQUESTED;
	else if (!strcmp(done, "stale")) {
		html_printf(w, "<p class=\"form-error\" role=\"alert\">%s</p>\n", T(req, T_AP_STALE_FORM));
		return;
	} else
		return;
	html_printf(w, "<p class=\"notice-done\" role=\"status\">%s</p>\n", T(req, m));
}

int web_approval(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *id = req->args[0];
	struct kfinding_list f = { 0 };
	struct kcase c, first;
	struct appr a;
	struct kgate g;
	struct html w;
	char buf[300], lbl[64];
	int rc, approved, may_approve;

	kcase_init(&c);
	kcase_init(&first);
	rc = appr_load(req, req->st, id, &a, err);
	if (rc < 0)
		goto out;
	if ((rc = kstore_draft_get(req->st, id, &c, err)) < 0 ||
	    (rc = kstore_approval_gate(req->st, id, NULL, &g, &f, err)) < 0)
		goto out;
	{
		struct first_rev fr = { a.t.first, &first, 0, 0, err };

		if ((rc = kstore_history(req->st, id, first_cb, &fr, err)) < 0)
			goto out;
		if (fr.rc < 0) {
			rc = fr.rc;
			goto out;
		}
	}
	approved = kapproval_approved_revision(&a.l);
	may_approve = kreader_may_approve(req->reader, a.t.org, a.requested);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_AP_TITLE), "", "page-approval");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>",
		    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	if (kreader_may_see_drafts(req->reader))
		html_printf(&w, "<li><a href=\"%s\">%s</a></li><li><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a></li>",
			    web_url(req, "/drafts", NULL), T(req, T_ED_DRAFTS), web_url(req, "/drafts/%U", id, NULL), c.title);
	html_printf(&w, "<li aria-current=\"page\">%s</li></ol></nav>\n", T(req, T_AP_TITLE));
	html_printf(&w, "<h1>%s <span class=\"muted\" lang=\"ja\" dir=\"auto\">– %s</span></h1>\n<p class=\"lead\">%s</p>\n",
		    T(req, T_AP_TITLE), c.title, T(req, T_AP_LEAD));
	notice(&w, req);
	snprintf(lbl, sizeof(lbl), T(req, T_ED_REVISION_N), a.t.revision);
	html_printf(&w, "<section class=\"panel approval-status\"><dl class=\"facts\"><dt>%s</dt><dd lang=\"ja\">%s</dd>"
		    "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>", T(req, T_AP_ORG), a.t.org ? a.t.org : "-",
		    T(req, T_AP_REVISION), lbl, T(req, T_AP_STATE));
	state_line(&w, req, &a);
	html_printf(&w, "</dd><dt>%s</dt><dd>", T(req, T_AP_GATE));
	if (g.allowed) {
		html_printf(&w, "%s", T(req, T_AP_GATE_OK));
	} else {
		html_printf(&w, "<ul class=\"gate-reasons\">\n");
		gate_reasons(&w, req, &g);
		html_printf(&w, "</ul>");
	}
	html_printf(&w, "</dd></dl>\n<p class=\"approval-note\"><strong>%s</strong></p></section>\n",
		    T(req, T_AP_PER_REVISION));

	html_printf(&w, "<div class=\"case-layout\">\n<div class=\"approval-main\">\n");
	findings_table(&w, req, &f);
	html_printf(&w, "<section class=\"approval-changes\"><h2>%s</h2>\n", T(req, T_AP_CHANGES));
	snprintf(buf, sizeof(buf), T(req, T_AP_CHANGES_LEAD_FMT), a.t.first, a.t.revision);
	html_printf(&w, "<p class=\"muted\">%s</p>\n<p class=\"diff-legend\"><span class=\"diff-del-key\">− %s</span> · "
		    "<span class=\"diff-add-key\">+ %s</span></p>\n", buf, T(req, T_ED_DELETED), T(req, T_ED_ADDED));
	if (first.title && a.t.first != a.t.revision) {
		if (!web_case_diff_fields(&w, req, &first, &c, 3))
			html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_AP_NO_CHANGES));
	} else {
		html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_AP_NO_CHANGES));
	}
	html_printf(&w, "</section>\n<section class=\"approval-preview\"><h2>%s</h2>\n<article class=\"case\">\n",
		    T(req, T_AP_PREVIEW));
	web_case_render(&w, req, &c);
	html_printf(&w, "</article>\n</section>\n</div>\n<aside class=\"case-side\">\n");

	if (may_approve && approved != a.t.revision) {
		snprintf(buf, sizeof(buf), T(req, T_AP_APPROVE_LEAD_FMT), a.t.revision);
		html_printf(&w, "<section class=\"side-box approve-box\"><h2>%s</h2><p>%s</p><p class=\"muted\">%s</p>\n",
			    T(req, T_AP_APPROVE), buf, T(req, T_AP_PER_REVISION));
		web_form_begin(&w, req, web_url(req, "/drafts/%U/approval", id, NULL), "form approve-form");
		html_printf(&w, "<input type=\"hidden\" name=\"action\" value=\"approve\">"
			    "<input type=\"hidden\" name=\"revision\" value=\"%d\">"
			    "<button class=\"button\" type=\"submit\">%s</button></form>\n</section>\n",
			    a.t.revision, T(req, T_AP_APPROVE));
	}
	if (a.t.org && (a.requested || kreader_may_see_drafts(req->reader))) {
		html_printf(&w, "<section class=\"side-box comment-box\"><h2>%s</h2>\n", T(req, T_AP_COMMENT));
		web_form_begin(&w, req, web_url(req, "/drafts/%U/approval", id, NULL), "form comment-form");
		html_printf(&w, "<input type=\"hidden\" name=\"action\" value=\"comment\">"
			    "<input type=\"hidden\" name=\"revision\" value=\"%d\">"
			    "<label class=\"visually-hidden\" for=\"comment-text\">%s</label>"
			    "<textarea id=\"comment-text\" name=\"text\" rows=\"5\" required maxlength=\"%d\" lang=\"ja\"></textarea>"
			    "<button class=\"button secondary\" type=\"submit\">%s</button></form>\n</section>\n",
			    a.t.revision, T(req, T_AP_COMMENT), KAPPROVAL_MAX_TEXT, T(req, T_AP_COMMENT_SEND));
	}
	if (a.t.org && kreader_may_see_drafts(req->reader) && kreader_can(req->reader, KCAP_CASE_EDIT) &&
	    a.t.revision != kapproval_requested_revision(&a.l) && approved != a.t.revision) {
		html_printf(&w, "<section class=\"side-box request-box\"><h2>%s</h2><p>%s</p>\n", T(req, T_AP_REQUEST),
			    T(req, T_AP_REQUEST_LEAD));
		web_form_begin(&w, req, web_url(req, "/drafts/%U/approval/request", id, NULL), "form request-form");
		html_printf(&w, "<input type=\"hidden\" name=\"revision\" value=\"%d\">"
			    "<button class=\"button\" type=\"submit\">%s</button></form>\n</section>\n",
			    a.t.revision, T(req, a.requested ? T_AP_REQUEST_AGAIN : T_AP_REQUEST));
	}
	history(&w, req, &a);
	html_printf(&w, "</aside>\n</div>\n");
	web_end(&w, req);
	resp->no_store = 1;
	rc = web_finish(&w, resp, err);
out:
	kfinding_list_free(&f);
	kcase_free(&first);
	kcase_free(&c);
	appr_free(&a);
	return rc;
}

/* The revision a form was made for (1 ..), or 0. */
static int form_revision(const struct khttp_req *req)
{
	const char *s = khttp_form(req, "revision");
	char *end;
	long n;

	if (!s || !*s)
		return 0;
	n = strtol(s, &end, 10);
	return *end || n < 1 || n > 1000000 ? 0 : (int)n;
}

/* Record an event; a revision other than the current: back to the page with "stale". */
static int record(struct khttp_req *req, struct khttp_resp *resp, const struct appr *a, int kind, const char *text,
		  const char *done, struct kerr *err)
{
	struct kstore *rw;
	int rc, rev = form_revision(req);

	if (rev != a->t.revision)
		return web_form_redirect(resp, web_url(req, "/drafts/%U/approval", a->id, "done", "stale", NULL), err);
	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	rc = kstore_approval_add(rw, a->id, kind, rev, req->reader->org, text, err);
	if (rc == KE_INVALID && strstr(err->msg, "revision:"))
		return web_form_redirect(resp, web_url(req, "/drafts/%U/approval", a->id, "done", "stale", NULL), err);
	if (rc < 0)
		return rc;
	return web_form_redirect(resp, web_url(req, "/drafts/%U/approval", a->id, "done", done, NULL), err);
}

int web_approval_post(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *action = khttp_form(req, "action");
	struct appr a;
	int rc;

	rc = appr_load(req, req->st, req->args[0], &a, err);
	if (rc < 0)
		goto out;
	if (action && !strcmp(action, "approve")) {
		if (!kreader_may_approve(req->reader, a.t.org, a.requested)) {
			rc = kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
			goto out;
		}
		rc = record(req, resp, &a, KAPPR_APPROVE, NULL, "approved", err);
	} else if (action && !strcmp(action, "comment")) {
		const char *text = khttp_form(req, "text");
		struct kerr e2 = KERR_INIT;

		if (!a.t.org) {
			rc = kerr_set(err, KE_NOTFOUND, "%s", "");
			goto out;
		}
		if (kapproval_text_check("text", text, &e2) < 0) {
			rc = kerr_set(err, KE_INVALID, "%s", T(req, T_AP_COMMENT_REQUIRED));
			goto out;
		}
		rc = record(req, resp, &a, KAPPR_COMMENT, text, "commented", err);
	} else {
		rc = kerr_set(err, KE_INVALID, "action: approve or comment");
	}
out:
	appr_free(&a);
	return rc;
}

int web_approval_request(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct appr a;
	int rc;

	/* the route requires case.edit; drafts are theirs to see */
	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	rc = appr_load(req, req->st, req->args[0], &a, err);
	if (rc < 0)
		goto out;
	if (!a.t.org) {
		rc = kerr_set(err, KE_INVALID, "%s", T(req, T_AP_NO_ORG));
		goto out;
	}
	rc = record(req, resp, &a, KAPPR_REQUEST, NULL, "requested", err);
out:
	appr_free(&a);
	return rc;
}

void web_approve_draft_boxes(struct html *w, struct khttp_req *req, const struct kcase *c)
{
	struct kerr err = KERR_INIT;
	struct appr a;
	struct kgate g;

	if (appr_load(req, req->st, c->id, &a, &err) < 0 || kstore_approval_gate(req->st, c->id, NULL, &g, NULL, &err) < 0) {
		appr_free(&a);
		html_printf(w, "<p class=\"form-error\">%s</p>\n", err.msg);
		return;
	}
	html_printf(w, "<section class=\"side-box approval-box\"><h2>%s</h2><p>", T(req, T_AP_TITLE));
	if (a.t.org)
		html_printf(w, "%s: <span lang=\"ja\">%s</span><br>", T(req, T_AP_ORG), a.t.org);
	state_line(w, req, &a);
	html_printf(w, "</p>\n");
	if (a.t.org)
		html_printf(w, "<p><a class=\"button secondary\" href=\"%s\">%s</a></p>\n",
			    web_url(req, "/drafts/%U/approval", c->id, NULL), T(req, T_AP_OPEN_PAGE));
	if (a.t.org && kreader_can(req->reader, KCAP_CASE_EDIT) && a.t.revision != kapproval_requested_revision(&a.l) &&
	    kapproval_approved_revision(&a.l) != a.t.revision) {
		web_form_begin(w, req, web_url(req, "/drafts/%U/approval/request", c->id, NULL), "form request-form");
		html_printf(w, "<input type=\"hidden\" name=\"revision\" value=\"%d\">"
			    "<button class=\"button\" type=\"submit\">%s</button></form>\n",
			    a.t.revision, T(req, a.requested ? T_AP_REQUEST_AGAIN : T_AP_REQUEST));
	}
	html_printf(w, "</section>\n");
	if (kreader_can(req->reader, KCAP_CASE_PUBLISH)) {
		html_printf(w, "<section class=\"side-box publish-box\"><h2>%s</h2><p>%s</p>\n", T(req, T_ED_PUBLISH),
			    T(req, T_ED_PUBLISH_LEAD));
		if (g.allowed) {
			html_printf(w, "<p class=\"gate-ok\">%s</p>\n", T(req, T_AP_GATE_OK));
		} else {
			html_printf(w, "<p><strong>%s</strong></p><ul class=\"gate-reasons\">\n", T(req, T_AP_GATE));
			gate_reasons(w, req, &g);
			html_printf(w, "</ul>\n");
		}
		web_form_begin(w, req, web_url(req, "/drafts/%U/publish", c->id, NULL), "form publish-form");
		html_printf(w, "<p>");
		web_tlp_badge(w, req, c->tlp);
		html_printf(w, "</p>\n");
		if (!g.allowed)
			html_printf(w, "<p class=\"override\"><label><input type=\"checkbox\" name=\"override\" value=\"1\"> %s</label></p>"
				    "<p><label for=\"override-reason\">%s</label>"
				    "<textarea id=\"override-reason\" name=\"override_reason\" rows=\"3\" maxlength=\"%d\" lang=\"ja\"></textarea></p>\n",
				    T(req, T_AP_OVERRIDE), T(req, T_AP_OVERRIDE_REASON), KAPPROVAL_MAX_TEXT);
		html_printf(w, "<button class=\"button\" type=\"submit\">%s</button></form>\n</section>\n", T(req, T_ED_PUBLISH));
	}
	appr_free(&a);
}

/* 409: not published, with every reason and a way back. */
static int refused_page(struct khttp_req *req, struct khttp_resp *resp, const char *id, const struct kgate *g,
			int need_reason, struct kerr *err)
{
	struct html w;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_AP_REFUSED), "", "page-publish-refused");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_AP_REFUSED), T(req, T_AP_REFUSED_LEAD));
	if (need_reason)
		html_printf(&w, "<p class=\"form-error\" role=\"alert\">%s</p>\n", T(req, T_AP_OVERRIDE_NEEDS_REASON));
	html_printf(&w, "<ul class=\"gate-reasons\">\n");
	gate_reasons(&w, req, g);
	html_printf(&w, "</ul>\n<p><a class=\"button\" href=\"%s\">%s</a> <a class=\"button secondary\" href=\"%s\">%s</a></p>\n",
		    web_url(req, "/drafts/%U", id, NULL), T(req, T_AP_BACK), web_url(req, "/drafts/%U/approval", id, NULL),
		    T(req, T_AP_OPEN_PAGE));
	web_end(&w, req);
	resp->no_store = 1;
	resp->status = 409;
	return web_finish(&w, resp, err);
}

int web_approve_publish(struct khttp_req *req, struct khttp_resp *resp, const char *id, struct kerr *err)
{
	const char *ov = khttp_form(req, "override"), *reason = khttp_form(req, "override_reason");
	int want_override = ov && !strcmp(ov, "1");
	struct kerr e2 = KERR_INIT;
	struct kstore *rw;
	struct kgate g;
	int rc;

	if (want_override && kapproval_text_check("override_reason", reason, &e2) < 0) {
		if ((rc = kstore_approval_gate(req->st, id, NULL, &g, NULL, err)) < 0)
			return rc;
		if (!g.allowed)
			return refused_page(req, resp, id, &g, 1, err);
		want_override = 0;
	}
	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	rc = kstore_publish_gated(rw, id, want_override ? reason : NULL, &g, err);
	if (rc == KE_DENIED && !g.allowed)
		return refused_page(req, resp, id, &g, 0, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_NO_SUCH_DRAFT));
	if (rc == KE_EXISTS)
		return kerr_set(err, KE_INVALID, "%s", T(req, T_ED_EXISTS));
	if (rc < 0)
		return rc;
	return web_form_redirect(resp, web_url(req, "/cases/%U", id, "done", "published", NULL), err);
}

int web_approve_waiting(const struct khttp_req *req, const char *id)
{
	struct kerr err = KERR_INIT;
	struct appr a;
	int w = 0;

	if (appr_load(req, req->st, id, &a, &err) == 0)
		w = a.t.org && kapproval_waiting(&a.l, a.t.revision);
	appr_free(&a);
	return w;
}
