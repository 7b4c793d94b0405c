/*
 * web_publish.c - published reports on the site (see web_publish.h).
 *
 * A publisher chooses the cases (a survey period's selection, an imported
 * document, or cases ticked one by one), a title, the TLP marking, the date
 * and a short name; the preview shows the report exactly as the site will
 * (pubreport.c prints it, escaped by construction) with a form that
 * carries the same choice to POST /publish, which assembles it again,
 * writes every file (pubreport.h kpubreport_render) and keeps them in the
 * database (store_publish.h), audited as the publisher's.  Readers see the
 * report from the JSON kept with it (report.json), so it stays as it was
 * published whatever happens to its cases later.
 */
#include "web.h"
#include "web_form.h"
#include "web_publish.h"
#include "kbuf.h"
#include "kerr.h"
#include "pubreport.h"
#include "reader.h"
#include "store.h"
#include "store_publish.h"

#include <stdlib.h>
#include <string.h>

#define MAX_IDS 1000

/* The one rule: a report is visible to whoever may see a case at its TLP level. */
static int report_visible(const struct khttp_req *req, const char *tlp)
{
	return kreader_may_see_level(req->reader, tlp && *tlp ? tlp : "amber");
}

static void report_css(struct html *w)
{
	html_printf(w, "<link rel=\"stylesheet\" href=\"%s\">\n", web_asset_url("report.css"));
}

/* ---- the choice, from a form ------------------------------------------------------------ */

struct choice {
	struct kpubreport_spec spec;
	struct kstrv ids;
	const char *source; /* "period", "document", "select" */
	int fell_back;
};

static const char *field(const struct khttp_req *req, const char *name)
{
	const char *v = web_form_trimmed(req, name);

	return v && *v ? v : NULL;
}

/* 0, or a message for the form (KE_USAGE). */
static int choice_read(struct khttp_req *req, struct choice *c, struct kerr *err)
{
	const char *ids[MAX_IDS];
	size_t n;

	memset(c, 0, sizeof(*c));
	c->source = field(req, "source");
	c->spec.title = field(req, "title");
	c->spec.tlp = field(req, "tlp");
	c->spec.date = field(req, "date");
	c->spec.name = field(req, "name");
	c->spec.reader = req->reader;
	c->spec.publisher = req->reader->org;
	c->spec.fell_back = &c->fell_back;
	c->spec.ids = &c->ids;
	if (c->source && !strcmp(c->source, "period")) {
		c->spec.source = KPUB_PERIOD;
		c->spec.period = field(req, "period");
	} else if (c->source && !strcmp(c->source, "document")) {
		c->spec.source = KPUB_DOCUMENT;
		c->spec.document = field(req, "document");
	} else if (c->source && !strcmp(c->source, "select")) {
		c->spec.source = KPUB_SELECT;
		n = web_form_values(req, "ids", ids, MAX_IDS);
		if (n > MAX_IDS)
			return kerr_set(err, KE_USAGE, "at most %d cases", MAX_IDS);
		for (size_t i = 0; i < n; i++) {
			if (!web_valid_id(ids[i]))
				return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_CASE_ID));
			if (kstrv_push(&c->ids, ids[i]))
				return kerr_set(err, KE_NOMEM, "out of memory");
		}
	} else {
		return kerr_set(err, KE_USAGE, "%s", T(req, T_PUB_BAD_SOURCE));
	}
	return 0;
}

static void choice_free(struct choice *c)
{
	kstrv_clear(&c->ids);
}

/* The choice again as hidden fields (the preview's form to publish). */
static void choice_hidden(struct html *w, const struct khttp_req *req)
{
	static const char *const names[] = { "source", "period", "document", "title", "tlp", "date", "name" };
	const char *ids[MAX_IDS];
	size_t n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = field(req, names[i]);

		if (v)
			html_printf(w, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", names[i], v);
	}
	n = web_form_values(req, "ids", ids, MAX_IDS);
	for (size_t i = 0; i < n && i < MAX_IDS; i++)
		html_printf(w, "<input type=\"hidden\" name=\"ids\" value=\"%s\">\n", ids[i]);
}

/* ---- the form ------------------------------------------------------------------------- */

struct form_ctx {
	struct html *w;
	const struct khttp_req *req;
	const char *selected;   /* the document chosen */
	const char **ticked;    /* the ids ticked */
	size_t nticked;
	long n;
};

static int doc_option(void *vctx, const struct kdocument *d)
{
	struct form_ctx *x = vctx;

	html_printf(x->w, "<option value=\"%s\"%R>%s (%ld)</option>", d->name,
		    x->selected && !strcmp(x->selected, d->name) ? " selected" : "", d->name, d->ncases);
	return 0;
}

static int case_row(void *vctx, const struct kcase_row *row)
{
	struct form_ctx *x = vctx;
	int on = 0;

	for (size_t i = 0; i < x->nticked && !on; i++)
		on = !strcmp(x->ticked[i], row->id);
	x->n++;
	html_printf(x->w, "<tr><td><input type=\"checkbox\" name=\"ids\" value=\"%s\" id=\"c-%s\"%R></td>"
		    "<td><label for=\"c-%s\">%s</label></td><td><code>%s</code></td><td>%s</td><td>",
		    row->id, row->id, on ? " checked" : "", row->id, row->title, row->id, row->category);
	web_tlp_badge(x->w, x->req, row->tlp);
	html_printf(x->w, "</td></tr>\n");
	return 0;
}

static const char *tlp_opts[] = { "clear", "green", "amber", "amber+strict", "red" };

/* The form, with what was entered and, after a failed preview or publish, why (status 400). */
static int form_page(struct khttp_req *req, struct khttp_resp *resp, const char *problem, struct kerr *err)
{
	struct form_ctx x = { .req = req };
	struct kfilter f = KFILTER_INIT;
	const char *src = field(req, "source"), *tlp = field(req, "tlp");
	const char *ticked[MAX_IDS];
	struct html w;
	int rc;

	if (!src)
		src = "select";
	x.w = &w;
	x.selected = field(req, "document");
	x.nticked = web_form_values(req, "ids", ticked, MAX_IDS);
	if (x.nticked > MAX_IDS)
		x.nticked = MAX_IDS;
	x.ticked = ticked;
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_PUB_MAKE), "", "page-publish");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_PUB_MAKE), T(req, T_PUB_MAKE_INTRO));
	if (problem) {
		resp->status = 400;
		html_printf(&w, "<div class=\"form-error\" role=\"alert\"><p><strong>%s</strong></p><p>%s</p></div>\n",
			    T(req, T_PUB_ERR), problem);
	}
	web_form_begin(&w, req, web_url(req, "/publish/preview", NULL), "form publish-form");
	html_printf(&w, "<fieldset><legend>%s</legend>\n", T(req, T_PUB_SRC));
	html_printf(&w, "<p><label><input type=\"radio\" name=\"source\" value=\"period\"%R> %s</label> "
		    "<label for=\"f-period\" class=\"visually-hidden\">%s</label>"
		    "<input id=\"f-period\" name=\"period\" type=\"text\" size=\"10\" maxlength=\"40\" value=\"%s\" "
		    "placeholder=\"2025\"> <span class=\"hint\">%s</span></p>\n",
		    !strcmp(src, "period") ? " checked" : "", T(req, T_PUB_SRC_PERIOD), T(req, T_PUB_PERIOD),
		    field(req, "period"), T(req, T_PUB_SRC_PERIOD_HINT));
	html_printf(&w, "<p><label><input type=\"radio\" name=\"source\" value=\"document\"%R> %s</label> "
		    "<label for=\"f-document\" class=\"visually-hidden\">%s</label><select id=\"f-document\" "
		    "name=\"document\"><option value=\"\">—</option>",
		    !strcmp(src, "document") ? " checked" : "", T(req, T_PUB_SRC_DOCUMENT), T(req, T_PUB_DOCUMENT));
	if ((rc = kstore_documents(req->st, req->reader, doc_option, &x, err)) < 0)
		return rc;
	html_printf(&w, "</select></p>\n<p><label><input type=\"radio\" name=\"source\" value=\"select\"%R> %s</label></p>\n",
		    !strcmp(src, "select") ? " checked" : "", T(req, T_PUB_SRC_SELECT));
	html_printf(&w, "<div class=\"table-scroll pub-cases\"><table class=\"data\"><thead><tr><th></th><th>%s</th>"
		    "<th>ID</th><th>%s</th><th>TLP</th></tr></thead><tbody>\n",
		    T(req, T_PUB_COL_TITLE), i18n_facet(req->lang, KFACET_CATEGORY));
	f.reader = req->reader;
	f.limit = 2000;
	if ((rc = kstore_list(req->st, &f, case_row, &x, NULL, err)) < 0)
		return rc;
	if (!x.n)
		html_printf(&w, "<tr><td colspan=\"5\">%s</td></tr>\n", T(req, T_PUB_NO_CASES_VISIBLE));
	html_printf(&w, "</tbody></table></div>\n</fieldset>\n");
	html_printf(&w, "<p><label for=\"f-title\">%s</label><br><input id=\"f-title\" name=\"title\" type=\"text\" "
		    "size=\"60\" maxlength=\"300\" value=\"%s\"></p>\n",
		    T(req, T_PUB_COL_TITLE), field(req, "title"));
	html_printf(&w, "<p><label for=\"f-tlp\">%s</label><br><select id=\"f-tlp\" name=\"tlp\">"
		    "<option value=\"\">%s</option>",
		    T(req, T_PUB_TLP), T(req, T_PUB_TLP_AUTO));
	for (size_t i = 0; i < sizeof(tlp_opts) / sizeof(tlp_opts[0]); i++)
		html_printf(&w, "<option value=\"%s\"%R>TLP:%s</option>", tlp_opts[i],
			    tlp && !strcmp(tlp, tlp_opts[i]) ? " selected" : "", tlp_opts[i]);
	html_printf(&w, "</select> <span class=\"hint\">%s</span></p>\n", T(req, T_PUB_TLP_HINT));
	html_printf(&w, "<p><label for=\"f-date\">%s</label><br><input id=\"f-date\" name=\"date\" type=\"date\" "
		    "value=\"%s\"></p>\n",
		    T(req, T_PUB_COL_DATE), field(req, "date"));
	html_printf(&w, "<p><label for=\"f-name\">%s</label><br><input id=\"f-name\" name=\"name\" type=\"text\" "
		    "size=\"30\" maxlength=\"100\" pattern=\"[A-Za-z0-9._~-]+\" value=\"%s\"> "
		    "<span class=\"hint\">%s</span></p>\n",
		    T(req, T_PUB_NAME), field(req, "name"), T(req, T_PUB_NAME_HINT));
	html_printf(&w, "<p><button type=\"submit\">%s</button></p>\n</form>\n", T(req, T_PUB_PREVIEW));
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

int web_publish_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return form_page(req, resp, NULL, err);
}

/* Assemble the report the form describes; 1 (and the form shown again, 400) if it cannot be. */
static int assemble(struct khttp_req *req, struct khttp_resp *resp, struct choice *c, struct kpubreport *r,
		    struct kerr *err)
{
	struct kerr why = KERR_INIT;
	int rc = choice_read(req, c, &why);

	if (!rc)
		rc = kpubreport_assemble(req->st, &c->spec, r, &why);
	if (rc == KE_USAGE || rc == KE_INVALID || rc == KE_NOTFOUND) {
		kbuf_reset(&resp->body);
		rc = form_page(req, resp, why.msg, err);
		return rc < 0 ? rc : 1;
	}
	if (rc < 0)
		return kerr_set(err, rc, "%s", why.msg);
	return 0;
}

int web_publish_preview(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct choice c;
	struct kpubreport r = { 0 };
	struct html w;
	int rc = assemble(req, resp, &c, &r, err);

	if (rc)
		goto out;
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_PUB_PREVIEW), "", "page-publish page-report");
	report_css(&w);
	html_printf(&w, "<div class=\"preview-bar\" role=\"note\"><p><strong>%s</strong> %s</p>\n",
		    T(req, T_PUB_PREVIEW), T(req, T_PUB_PREVIEW_NOTE));
	if (c.fell_back)
		html_printf(&w, "<p>%s</p>\n", T(req, T_PUB_FELL_BACK));
	web_form_begin(&w, req, web_url(req, "/publish", NULL), "form publish-confirm");
	choice_hidden(&w, req);
	html_printf(&w, "<button type=\"submit\">%s</button> <a href=\"%s\">%s</a></form></div>\n",
		    T(req, T_PUB_PUBLISH), web_url(req, "/publish", NULL), T(req, T_PUB_BACK));
	html_printf(&w, "<div class=\"report-body\">\n");
	kpubreport_html_index(&w, &r, 0);
	html_printf(&w, "</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	kpubreport_free(&r);
	choice_free(&c);
	return rc < 0 ? rc : 0;
}

int web_publish_post(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct choice c;
	struct kpubreport r = { 0 };
	struct kpubfiles files = { 0 };
	struct kstrv ids = { 0 };
	struct kerr why = KERR_INIT;
	struct kstore *rw;
	int rc = assemble(req, resp, &c, &r, err);

	if (rc)
		goto out;
	if ((rc = kpubreport_render(&r, KPUB_PDF, &files, NULL, err)) < 0)
		goto out;
	for (size_t i = 0; i < r.cases.n; i++)
		if (kstrv_push(&ids, r.cases.v[i].id)) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	{
		struct kpubreport_meta m = { .name = r.name, .title = r.title, .period = r.period, .tlp = r.tlp,
					     .date = r.date, .ids = &ids };

		rc = kstore_pubreport_put(rw, &m, &files, 0, &why);
	}
	if (rc == KE_EXISTS) {
		kbuf_reset(&resp->body);
		rc = form_page(req, resp, T(req, T_PUB_EXISTS), err);
		goto out;
	}
	if (rc < 0) {
		rc = kerr_set(err, rc, "%s", why.msg);
		goto out;
	}
	rc = web_form_redirect(resp, web_url(req, "/reports/%U", r.name, NULL), err);
out:
	kstrv_clear(&ids);
	kpubfiles_free(&files);
	kpubreport_free(&r);
	choice_free(&c);
	return rc < 0 ? rc : 0;
}

/* ---- reading ---------------------------------------------------------------------------- */

struct list_ctx {
	struct html *w;
	const struct khttp_req *req;
	long n;
};

static int list_row(void *vctx, const struct kpubreport_row *row)
{
	struct list_ctx *x = vctx;

	if (!report_visible(x->req, row->tlp))
		return 0;
	if (!x->n++)
		html_printf(x->w, "<div class=\"table-scroll\"><table class=\"data reports\"><thead><tr><th>%s</th>"
			    "<th>%s</th><th>%s</th><th>%s</th><th>TLP</th></tr></thead><tbody>\n",
			    T(x->req, T_PUB_COL_TITLE), T(x->req, T_PUB_COL_PERIOD), T(x->req, T_PUB_COL_DATE),
			    T(x->req, T_PUB_COL_CASES));
	html_printf(x->w, "<tr><td><a href=\"%s\">%s</a></td><td>%s</td><td>%s</td><td>%ld</td><td>",
		    web_url(x->req, "/reports/%U", row->name, NULL), row->title, row->period ? row->period : "—",
		    row->date, row->ncases);
	web_tlp_badge(x->w, x->req, row->tlp);
	html_printf(x->w, "</td></tr>\n");
	return 0;
}

int web_reports(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct html w;
	struct list_ctx x = { .w = &w, .req = req };
	int rc;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_PUB_REPORTS_TITLE), "", "page-reports");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_PUB_REPORTS_TITLE),
		    T(req, T_PUB_REPORTS_INTRO));
	if (kreader_can(req->reader, KCAP_CASE_PUBLISH))
		html_printf(&w, "<p><a class=\"button\" href=\"%s\">%s</a></p>\n", web_url(req, "/publish", NULL),
			    T(req, T_PUB_MAKE));
	if ((rc = kstore_pubreport_list(req->st, list_row, &x, err)) < 0)
		return rc;
	if (x.n)
		html_printf(&w, "</tbody></table></div>\n");
	else
		html_printf(&w, "<p class=\"empty\">%s</p>\n", T(req, T_PUB_NONE));
	/* one place for a reader's 報告書: the reports published here, then those imported */
	html_printf(&w, "<h2 id=\"imported\">%s</h2>\n<p class=\"lead\">%s</p>\n", T(req, T_PUB_IMPORTED),
		    T(req, T_PUB_IMPORTED_LEAD));
	if ((rc = web_documents_table(&w, req, err)) < 0)
		return rc;
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

static int copy_tlp(void *vctx, const struct kpubreport_row *row)
{
	char **tlp = vctx;

	return kstr_set(tlp, row->tlp ? row->tlp : "amber");
}

/* The report :name if the reader may see it (else 404, whether absent or hidden). */
static int visible_name(struct khttp_req *req, struct kerr *err)
{
	const char *name = req->args[0];
	char *tlp = NULL;
	int rc;

	if (!kpubreport_name_valid(name))
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_PUB_NO_REPORT));
	rc = kstore_pubreport_get(req->st, name, copy_tlp, &tlp, err);
	if (rc == KE_NOTFOUND || (!rc && !report_visible(req, tlp)))
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_PUB_NO_REPORT));
	free(tlp);
	return rc;
}

static int load(struct khttp_req *req, struct kpubreport *r, int *has_pdf, struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	int rc = visible_name(req, err);

	if (rc < 0)
		return rc;
	if ((rc = kstore_pubreport_file(req->st, req->args[0], "report.json", &b, NULL, err)) == 0)
		rc = kpubreport_from_json(r, b.buf, b.len, err);
	kbuf_release(&b);
	if (rc < 0)
		return rc;
	*has_pdf = kstore_pubreport_file(req->st, req->args[0], "report.pdf", NULL, NULL, err) == 0;
	kerr_clear(err);
	return 0;
}

int web_report(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kpubreport r = { 0 };
	struct html w;
	int rc, has_pdf = 0;

	if ((rc = load(req, &r, &has_pdf, err)) < 0)
		return rc;
	html_init(&w, &resp->body);
	web_begin(&w, req, r.title, "", "page-report");
	report_css(&w);
	html_printf(&w, "<nav class=\"crumbs\"><a href=\"%s\">%s</a></nav>\n<div class=\"report-body\">\n",
		    web_url(req, "/reports", NULL), T(req, T_PUB_REPORTS_TITLE));
	kpubreport_html_index(&w, &r, has_pdf);
	html_printf(&w, "</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	kpubreport_free(&r);
	return rc;
}

int web_report_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kpubreport r = { 0 };
	struct html w;
	size_t i;
	int rc, has_pdf = 0;

	if ((rc = load(req, &r, &has_pdf, err)) < 0)
		return rc;
	for (i = 0; i < r.cases.n; i++)
		if (!strcmp(r.cases.v[i].id, req->args[1]))
			break;
	if (i == r.cases.n) {
		kpubreport_free(&r);
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_CASE));
	}
	html_init(&w, &resp->body);
	web_begin(&w, req, r.cases.v[i].title, "", "page-report");
	report_css(&w);
	html_printf(&w, "<div class=\"report-body\">\n");
	kpubreport_html_case(&w, &r, i);
	html_printf(&w, "</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	kpubreport_free(&r);
	return rc;
}

static int file(struct khttp_req *req, struct khttp_resp *resp, const char *path, const char *type,
		const char *disposition, struct kerr *err)
{
	int rc = visible_name(req, err);

	if (rc < 0)
		return rc;
	rc = kstore_pubreport_file(req->st, req->args[0], path, &resp->body, NULL, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", !strcmp(path, "report.pdf") ? T(req, T_PUB_NO_PDF)
										  : T(req, T_PUB_NO_REPORT));
	if (rc < 0)
		return rc;
	resp->content_type = type;
	resp->content_disposition = disposition;
	return 0;
}

int web_report_pdf(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return file(req, resp, "report.pdf", "application/pdf", "inline; filename=\"report.pdf\"", err);
}

int web_report_md(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return file(req, resp, "report.md", "text/markdown; charset=utf-8", "inline; filename=\"report.md\"", err);
}
