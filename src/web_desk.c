/*
 * web_desk.c - the list of incidents (issue 12): GET /incidents, the
 * analysts' desk for the centre (分析デスク), a reporter's view of their
 * organisation's incidents and a liaison's of their sectors' (the store
 * applies the reader's rule), with filters as GET parameters (status,
 * sector, event type, detected from/to, overdue, candidate, text), the
 * counts beside each filter, pages of PAGE_SIZE; and GET /incidents.csv,
 * the same list as CSV for a spreadsheet.
 *
 * Parameters: status (a status name, or "open" for the three open ones),
 * sector (a sector tag), type (an event type code), from and to (dates,
 * YYYY-MM-DD, in JST: detected on or after from, on or before to),
 * overdue=1, candidate=1, q (words in the title or any report), sort
 * (oldest: the oldest first; else the newest first), page.
 * A wrong parameter is said next to its field (400) and left out.
 */
#include "web_incident.h"
#include "web_form.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "store_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 50
#define MAX_PAGE 10000
#define TEXT_MAX 200       /* characters of the q filter */
#define CSV_MAX 100000     /* rows of one CSV export */

/* The filters, as given (for links) and as the store takes them. */
enum { P_STATUS, P_SECTOR, P_TYPE, P_FROM, P_TO, P_OVERDUE, P_CANDIDATE, P_Q, P_SORT, P__N };
static const char *const pnames[P__N] = { "status", "sector", "type", "from", "to", "overdue", "candidate", "q",
					  "sort" };

struct desk {
	const char *p[P__N];        /* the parameters kept (valid ones only) */
	enum kmsg bad[P__N];        /* a message for each wrong one */
	int nbad;
	long page;
	char since[KTIME_LEN + 1], until[KTIME_LEN + 1];
	struct kincident_query q;
	enum web_inc_view view;
	time_t now;
};

/* ---- the parameters -------------------------------------------------------------- */

/* A YYYY-MM-DD date (JST) as the UTC ISO time of its midnight, plus days; 0 or -1. */
static int jst_day(const char *s, int days, char out[KTIME_LEN + 1])
{
	char buf[40];
	time_t t;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	snprintf(buf, sizeof(buf), "%.10sT00:00:00+09:00", s);
	if (kreport_time_parse(buf, &t, NULL) < 0)
		return -1;
	ktime_iso(t + (time_t)days * 86400, out);
	return 0;
}

static void bad(struct desk *d, int k, enum kmsg m)
{
	d->bad[k] = m;
	d->p[k] = NULL;
	d->nbad++;
}

static void desk_parse(const struct khttp_req *req, struct desk *d)
{
	const char *v;

	memset(d, 0, sizeof(*d));
	d->view = web_inc_view_of(req->reader);
	d->now = kreport_now();
	for (int k = 0; k < P__N; k++) {
		v = khttp_param(req, pnames[k]);
		d->p[k] = v && *v ? v : NULL;
	}
	d->q.reader = req->reader;
	d->q.now = d->now;
	if ((v = d->p[P_STATUS])) {
		int s = kincident_status_parse(v);

		if (!strcmp(v, "open"))
			d->q.statuses = 1u << KINC_RECEIVED | 1u << KINC_CHECKING | 1u << KINC_RESPONDING;
		else if (s >= 0 && kincident_status_name(s) && !strcmp(v, kincident_status_name(s)))
			d->q.statuses = 1u << s;
		else
			bad(d, P_STATUS, T_INC_ERR_STATUS);
	}
	if ((v = d->p[P_SECTOR])) {
		const char *tag = ksector_parse(v);

		if (tag && !strcmp(tag, v))
			d->q.sector = tag;
		else
			bad(d, P_SECTOR, T_INC_ERR_SECTOR);
	}
	if ((v = d->p[P_TYPE])) {
		unsigned bit = kevent_type_parse(v);
		int ok = 0;

		for (int i = 0; i < KEVT_N; i++)
			ok |= bit == 1u << i && !strcmp(v, kevent_type_code(i));
		if (ok)
			d->q.event_types = bit;
		else
			bad(d, P_TYPE, T_INC_ERR_EVENT_TYPE);
	}
	if ((v = d->p[P_FROM])) {
		if (jst_day(v, 0, d->since) == 0)
			d->q.since = d->since;
		else
			bad(d, P_FROM, T_INC_ERR_DATE);
	}
	if ((v = d->p[P_TO])) {
		if (jst_day(v, 1, d->until) == 0)
			d->q.until = d->until;
		else
			bad(d, P_TO, T_INC_ERR_DATE);
	}
	if ((v = d->p[P_OVERDUE])) {
		if (!strcmp(v, "1"))
			d->q.overdue = 1;
		else
			bad(d, P_OVERDUE, T_INC_ERR_FILTER);
	}
	if ((v = d->p[P_CANDIDATE])) {
		if (!strcmp(v, "1") && d->view == WEB_INC_DESK)
			d->q.candidate = 1;
		else
			bad(d, P_CANDIDATE, T_INC_ERR_FILTER);
	}
	if ((v = d->p[P_Q])) {
		if (web_form_chars(v) <= TEXT_MAX)
			d->q.text = v;
		else
			bad(d, P_Q, T_INC_ERR_TEXT);
	}
	if ((v = d->p[P_SORT])) {
		if (!strcmp(v, "oldest"))
			d->q.oldest_first = 1;
		else if (!strcmp(v, "newest"))
			d->p[P_SORT] = NULL; /* the default */
		else
			bad(d, P_SORT, T_INC_ERR_FILTER);
	}
	if (web_page_param(req, MAX_PAGE, &d->page) < 0)
		d->nbad++; /* said nowhere: the first page */
}

/*
 * The list's URL with parameter k set to value (k < 0 or value NULL:
 * unchanged or removed), page (> 1 only) into b: path "/incidents" or
 * "/incidents.csv".
 */
static const char *desk_url(const struct khttp_req *req, const struct desk *d, const char *path, int k,
			    const char *value, long page, struct kbuf *b)
{
	int first = 1, rc;
	char pn[24];

	kbuf_reset(b);
	rc = kbuf_adds(b, path);
	for (int i = 0; i < P__N && !rc; i++) {
		const char *v = i == k ? value : d->p[i];

		if (v && *v)
			rc = web_url_param(b, &first, pnames[i], v);
	}
	if (!rc && page > 1) {
		snprintf(pn, sizeof(pn), "%ld", page);
		rc = web_url_param(b, &first, "page", pn);
	}
	if (!rc)
		rc = web_url_lang(req, b, &first);
	return rc ? NULL : khttp_keep(req, strdup(kbuf_str(b)));
}

/* ---- counts ------------------------------------------------------------------------ */

struct counts {
	long status[KINC__N];
	long sector[KSECTOR_N];
	long event[KEVT_N];
	long overdue, candidate;
};

static int count_cb(void *vctx, const char *kind, const char *value, long n)
{
	struct counts *c = vctx;

	if (!kind || !value)
		return 0;
	if (!strcmp(kind, "status")) {
		int s = kincident_status_parse(value);

		if (s >= 0 && s < KINC__N)
			c->status[s] = n;
	} else if (!strcmp(kind, "sector")) {
		for (int i = 0; i < KSECTOR_N; i++)
			if (!strcmp(value, ksector_tags[i]))
				c->sector[i] = n;
	} else if (!strcmp(kind, "event_type")) {
		for (int i = 0; i < KEVT_N; i++)
			if (!strcmp(value, kevent_type_code(i)))
				c->event[i] = n;
	} else if (!strcmp(kind, "overdue")) {
		c->overdue = n;
	} else if (!strcmp(kind, "candidate")) {
		c->candidate = n;
	}
	return 0;
}

/* One filter value in the sidebar: a link that sets it (or, when it is on, removes it). */
static void facet_item(struct html *w, const struct khttp_req *req, const struct desk *d, int k, const char *value,
		       const char *label, long n, struct kbuf *b)
{
	int on = d->p[k] && !strcmp(d->p[k], value);

	html_printf(w, "<li><a href=\"%s\"%R><span>%s</span><span class=\"n\">%ld</span></a></li>\n",
		    desk_url(req, d, "/incidents", k, on ? NULL : value, 1, b),
		    on ? " class=\"on\" aria-current=\"true\"" : "", label, n);
}

static void render_facets(struct html *w, const struct khttp_req *req, const struct desk *d, const struct counts *c)
{
	struct kbuf b = KBUF_INIT;
	long open = c->status[KINC_RECEIVED] + c->status[KINC_CHECKING] + c->status[KINC_RESPONDING];
	int any;

	html_printf(w, "<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n", T(req, T_INC_STATUS));
	facet_item(w, req, d, P_STATUS, "open", T(req, T_INC_OPEN), open, &b);
	for (int s = 0; s < KINC__N; s++)
		facet_item(w, req, d, P_STATUS, kincident_status_name(s), web_inc_status_label(req, s), c->status[s], &b);
	html_printf(w, "</ul>\n</section>\n<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n", T(req, T_INC_MARKS));
	facet_item(w, req, d, P_OVERDUE, "1", T(req, T_INC_OVERDUE_ONLY), c->overdue, &b);
	if (d->view == WEB_INC_DESK)
		facet_item(w, req, d, P_CANDIDATE, "1", T(req, T_INC_CANDIDATE_ONLY), c->candidate, &b);
	html_printf(w, "</ul>\n</section>\n");
	any = 0;
	for (int i = 0; i < KSECTOR_N; i++) {
		if (!c->sector[i] && !(d->p[P_SECTOR] && !strcmp(d->p[P_SECTOR], ksector_tags[i])))
			continue;
		if (!any++)
			html_printf(w, "<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n", T(req, T_FACET_SECTOR));
		facet_item(w, req, d, P_SECTOR, ksector_tags[i], web_inc_sector(req, ksector_tags[i]), c->sector[i], &b);
	}
	if (any)
		html_printf(w, "</ul>\n</section>\n");
	any = 0;
	for (int i = 0; i < KEVT_N; i++) {
		if (!c->event[i] && !(d->p[P_TYPE] && !strcmp(d->p[P_TYPE], kevent_type_code(i))))
			continue;
		if (!any++)
			html_printf(w, "<section class=\"facet\">\n<h3>%s</h3>\n<ul>\n", T(req, T_INC_EVENT_TYPES));
		facet_item(w, req, d, P_TYPE, kevent_type_code(i), web_inc_event_label(req, i), c->event[i], &b);
	}
	if (any)
		html_printf(w, "</ul>\n</section>\n");
	kbuf_release(&b);
}

/* ---- the table ------------------------------------------------------------------------ */

struct rowctx {
	struct html *w;
	const struct khttp_req *req;
	const struct desk *d;
	long n;
};

/* The next due time of inc (the follow-up's until one came, then the final report's), or NULL. */
static const char *next_due(const struct kincident *inc, enum kmsg *which)
{
	if (inc->final_at || inc->status == KINC_CLOSED || inc->status == KINC_WITHDRAWN)
		return NULL;
	if (inc->nreports <= 1 && inc->due_followup) {
		*which = T_INC_DUE_FOLLOWUP;
		return inc->due_followup;
	}
	*which = T_INC_DUE_FINAL;
	return inc->due_final;
}

static int row_cb(void *vctx, const struct kincident *inc)
{
	struct rowctx *x = vctx;
	struct html *w = x->w;
	const struct khttp_req *req = x->req;
	unsigned od = kincident_overdue(inc, x->d->now);
	enum kmsg which = 0;
	const char *due = next_due(inc, &which);

	if (!x->n++)
		html_printf(w, "<div class=\"table-scroll\"><table class=\"data incidents\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_INC_ID), T(req, T_INC_TITLE), T(req, T_INC_ORG), T(req, T_FACET_SECTOR),
			    T(req, T_INC_STATUS), T(req, T_INC_DETECTED), T(req, T_INC_DUE), T(req, T_INC_MARKS));
	html_printf(w, "<tr%R><td class=\"id\"><a href=\"%s\">%s</a></td><td class=\"title\" dir=\"auto\"><a href=\"%s\">%s</a></td>"
		    "<td class=\"org\" dir=\"auto\">%s</td><td class=\"sector\">%s</td><td>",
		    od ? " class=\"overdue\"" : "", web_url(req, "/incidents/%U", inc->id, NULL), inc->id,
		    web_url(req, "/incidents/%U", inc->id, NULL), inc->title, inc->org,
		    web_inc_sector(req, inc->sector));
	web_inc_status_badge(w, req, inc->status);
	html_printf(w, "</td><td class=\"when\">");
	web_inc_time_html(w, req, inc->detected_utc ? inc->detected_utc : inc->detected_at);
	html_printf(w, "</td><td class=\"when\">");
	if (due) {
		html_printf(w, "<span class=\"due-kind\">%s</span> ", T(req, which));
		web_inc_time_html(w, req, due);
	} else {
		html_printf(w, "—");
	}
	html_printf(w, "</td><td class=\"marks\">");
	web_inc_marks(w, req, inc, x->d->now);
	html_printf(w, "</td></tr>\n");
	return w->err ? w->err : 0;
}

/* ---- GET /incidents -------------------------------------------------------------------- */

static enum kmsg view_title(enum web_inc_view v)
{
	switch (v) {
	case WEB_INC_DESK: return T_INC_DESK_TITLE;
	case WEB_INC_LIAISON: return T_INC_LIAISON_TITLE;
	default: return T_INC_REPORTER_TITLE;
	}
}

static enum kmsg view_lead(enum web_inc_view v)
{
	switch (v) {
	case WEB_INC_DESK: return T_INC_DESK_LEAD;
	case WEB_INC_LIAISON: return T_INC_LIAISON_LEAD;
	default: return T_INC_REPORTER_LEAD;
	}
}

/* A labelled control of the filter form, with its message when the value given was wrong. */
static void filter_field(struct html *w, const struct khttp_req *req, const struct desk *d, int k, enum kmsg label,
			 const char *type, const char *value, int maxlength)
{
	enum kmsg e = d->bad[k];

	html_printf(w, "<div class=\"field%R\"><label for=\"f-%s\">%s</label>"
		    "<input id=\"f-%s\" name=\"%s\" type=\"%s\" value=\"%s\"",
		    e ? " has-error" : "", pnames[k], T(req, label), pnames[k], pnames[k], type, value ? value : "");
	if (maxlength)
		html_printf(w, " maxlength=\"%d\"", maxlength);
	if (e)
		html_printf(w, " aria-invalid=\"true\" aria-describedby=\"f-%s-error\">"
			    "<p class=\"field-error\" id=\"f-%s-error\">%s</p></div>\n", pnames[k], pnames[k], T(req, e));
	else
		html_printf(w, "></div>\n");
}

static void render_filter_form(struct html *w, const struct khttp_req *req, const struct desk *d)
{
	const char *given[P__N];

	for (int k = 0; k < P__N; k++)
		given[k] = khttp_param(req, pnames[k]);
	html_printf(w, "<form class=\"form desk-filter\" method=\"get\" action=\"/incidents\" role=\"search\">\n");
	filter_field(w, req, d, P_Q, T_INC_FILTER_TEXT, "search", given[P_Q], TEXT_MAX);
	filter_field(w, req, d, P_FROM, T_INC_FILTER_FROM, "date", given[P_FROM], 10);
	filter_field(w, req, d, P_TO, T_INC_FILTER_TO, "date", given[P_TO], 10);
	html_printf(w, "<div class=\"field%R\"><label for=\"f-sort\">%s</label><select id=\"f-sort\" name=\"sort\">"
		    "<option value=\"newest\"%R>%s</option><option value=\"oldest\"%R>%s</option></select>",
		    d->bad[P_SORT] ? " has-error" : "", T(req, T_INC_SORT), d->q.oldest_first ? "" : " selected",
		    T(req, T_INC_SORT_NEWEST), d->q.oldest_first ? " selected" : "", T(req, T_INC_SORT_OLDEST));
	if (d->bad[P_SORT])
		html_printf(w, "<p class=\"field-error\" id=\"f-sort-error\">%s</p>", T(req, d->bad[P_SORT]));
	html_printf(w, "</div>\n");
	/* the sidebar's choices ride along; wrong ones are said next to the sidebar's heading */
	for (int k = 0; k < P__N; k++)
		if (k != P_Q && k != P_FROM && k != P_TO && k != P_SORT && d->p[k])
			html_printf(w, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", pnames[k], d->p[k]);
	if (req->lang_explicit)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", T(req, T_LANG_CODE));
	html_printf(w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n</form>\n",
		    T(req, T_FILTER));
}

/* The filters in force, each a chip that removes it. */
static void render_chips(struct html *w, const struct khttp_req *req, const struct desk *d)
{
	struct kbuf b = KBUF_INIT;
	int n = 0;

	for (int k = 0; k < P__N; k++) {
		const char *v = d->p[k], *label = v;
		enum kmsg name = T_FILTER;

		if (!v)
			continue;
		switch (k) {
		case P_STATUS:
			name = T_INC_STATUS;
			label = !strcmp(v, "open") ? T(req, T_INC_OPEN) : web_inc_status_label(req, kincident_status_parse(v));
			break;
		case P_SECTOR: name = T_FACET_SECTOR; label = web_inc_sector(req, v); break;
		case P_TYPE:
			name = T_INC_EVENT_TYPES;
			for (int i = 0; i < KEVT_N; i++)
				if (!strcmp(v, kevent_type_code(i)))
					label = web_inc_event_label(req, i);
			break;
		case P_FROM: name = T_INC_FILTER_FROM; break;
		case P_TO: name = T_INC_FILTER_TO; break;
		case P_OVERDUE: name = T_INC_MARKS; label = T(req, T_INC_OVERDUE_ONLY); break;
		case P_CANDIDATE: name = T_INC_MARKS; label = T(req, T_INC_CANDIDATE_ONLY); break;
		case P_Q: name = T_INC_FILTER_TEXT; break;
		case P_SORT: continue; /* an order, not a filter */
		}
		if (!n++)
			html_printf(w, "<ul class=\"filters\" aria-label=\"%s\">", T(req, T_ACTIVE_FILTERS));
		html_printf(w, "<li><a class=\"chip\" href=\"%s\" title=\"%s\">%s: %s <span class=\"x\" aria-hidden=\"true\">×</span></a></li>",
			    desk_url(req, d, "/incidents", k, NULL, 1, &b), T(req, T_REMOVE_FILTER), T(req, name), label);
	}
	if (n)
		html_printf(w, "<li><a class=\"chip\" href=\"%s\">%s</a></li></ul>\n", web_url(req, "/incidents", NULL),
			    T(req, T_CLEAR_ALL));
	kbuf_release(&b);
}

int web_incidents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct desk d;
	struct counts c;
	struct rowctx x = { 0 };
	struct kbuf b = KBUF_INIT;
	struct html w;
	long total = 0, pages;
	char buf[96];
	int rc;

	desk_parse(req, &d);
	if (d.view == WEB_INC_NONE)
		return kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
	memset(&c, 0, sizeof(c));
	if ((rc = kstore_incident_counts(req->st, &d.q, count_cb, &c, err)) < 0)
		goto out;
	d.q.limit = PAGE_SIZE;
	d.q.offset = (d.page - 1) * PAGE_SIZE;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, view_title(d.view)), "", "page-desk");
	html_printf(&w, "<div class=\"search-layout desk\">\n<aside class=\"facets\" aria-label=\"%s\">\n", T(req, T_REFINE));
	if (d.bad[P_STATUS] || d.bad[P_SECTOR] || d.bad[P_TYPE] || d.bad[P_OVERDUE] || d.bad[P_CANDIDATE])
		html_printf(&w, "<p class=\"field-error\" id=\"f-filter-error\">%s</p>\n",
			    T(req, d.bad[P_STATUS] ? d.bad[P_STATUS] : d.bad[P_SECTOR] ? d.bad[P_SECTOR] :
				   d.bad[P_TYPE] ? d.bad[P_TYPE] : T_INC_ERR_FILTER));
	render_facets(&w, req, &d, &c);
	html_printf(&w, "</aside>\n<div class=\"results-col\">\n<div class=\"desk-head\">\n<h1>%s</h1>\n",
		    T(req, view_title(d.view)));
	if (web_inc_may_file(req->reader))
		html_printf(&w, "<a class=\"button\" href=\"%s\">%s</a>\n", web_url(req, "/incidents/new", NULL),
			    T(req, T_INC_NEW));
	html_printf(&w, "</div>\n<p class=\"lead\">%s</p>\n", T(req, view_lead(d.view)));
	web_inc_notice(&w, req);
	render_filter_form(&w, req, &d);
	render_chips(&w, req, &d);

	x = (struct rowctx){ NULL, req, &d, 0 };
	{
		struct kbuf rows = KBUF_INIT;
		struct html rw;

		/* the rows first (the count goes above them) */
		html_init(&rw, &rows);
		x.w = &rw;
		rc = kstore_incident_list(req->st, &d.q, row_cb, &x, &total, err);
		if (rc < 0) {
			kbuf_release(&rows);
			goto out;
		}
		snprintf(buf, sizeof(buf), T(req, T_INC_N), total);
		html_printf(&w, "<div class=\"search-head\"><span class=\"count\" data-total=\"%ld\">%s</span>"
			    "<a class=\"csv-link\" href=\"%s\" download>%s</a></div>\n", total, buf,
			    desk_url(req, &d, "/incidents.csv", -1, NULL, 0, &b), T(req, T_INC_CSV));
		if (x.n) {
			html_printf(&rw, "</tbody></table></div>\n");
			if (rw.err && !w.err)
				w.err = rw.err;
			if (!w.err && kbuf_add(w.out, rows.buf, rows.len) < 0)
				w.err = KE_NOMEM;
		} else {
			html_printf(&w, "<div class=\"notice\"><p>%s</p></div>\n",
				    T(req, total > 0 ? T_INC_PAGE_EMPTY : T_INC_NONE));
		}
		kbuf_release(&rows);
	}
	pages = total > 0 ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
	if (pages > 1) {
		html_printf(&w, "<nav class=\"pager\" aria-label=\"%s\">", T(req, T_PAGINATION));
		if (d.page > 1)
			html_printf(&w, "<a class=\"button secondary\" rel=\"prev\" href=\"%s\">← %s</a>",
				    desk_url(req, &d, "/incidents", -1, NULL, d.page - 1, &b), T(req, T_PAGE_PREV));
		else
			html_printf(&w, "<span class=\"disabled\"></span>");
		snprintf(buf, sizeof(buf), T(req, T_PAGE_OF_N), d.page, pages);
		html_printf(&w, "<span>%s</span>", buf);
		if (d.page < pages)
			html_printf(&w, "<a class=\"button secondary\" rel=\"next\" href=\"%s\">%s →</a>",
				    desk_url(req, &d, "/incidents", -1, NULL, d.page + 1, &b), T(req, T_PAGE_NEXT));
		else
			html_printf(&w, "<span class=\"disabled\"></span>");
		html_printf(&w, "</nav>\n");
	}
	html_printf(&w, "<p class=\"muted help\">%s</p>\n</div>\n</div>\n", T(req, T_INC_TIMES_JST));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	if (d.nbad)
		resp->status = 400;
	/* overdue marks follow the clock, not only the database */
	resp->no_store = 1;
out:
	kbuf_release(&b);
	return rc;
}

/* ---- GET /incidents.csv -------------------------------------------------------------------- */

/*
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote, CR or
 * LF, quotes doubled; a cell a spreadsheet would take as a formula (it
 * starts with = + - @, a tab or CR) gets a ' in front.
 */
static int csv_cell(struct kbuf *b, const char *s, int last)
{
	int rc = 0, quote;

	if (!s)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		rc = kbuf_addch(b, '"');
	if (!rc && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
		rc = kbuf_addch(b, '\'');
	for (const char *p = s; *p && !rc; p++)
		rc = *p == '"' ? kbuf_adds(b, "\"\"") : kbuf_addch(b, *p);
	if (!rc && quote)
		rc = kbuf_addch(b, '"');
	if (!rc)
		rc = last ? kbuf_adds(b, "\r\n") : kbuf_addch(b, ',');
	return rc;
}

struct csvctx {
	struct kbuf *b;
	const struct khttp_req *req;
	time_t now;
	long n;
	int desk; /* the candidate and case columns are the centre's */
};

static int csv_row(void *vctx, const struct kincident *inc)
{
	struct csvctx *x = vctx;
	const struct khttp_req *req = x->req;
	struct kbuf types = KBUF_INIT, od = KBUF_INIT;
	unsigned due = kincident_overdue(inc, x->now);
	int rc = 0;

	if (x->n++ >= CSV_MAX)
		return 0;
	for (int i = 0; i < KEVT_N && !rc; i++)
		if (inc->event_types & 1u << i)
			rc = kbuf_addf(&types, "%s%s", types.len ? "; " : "", web_inc_event_label(req, i));
	if (!rc && (due & KDUE_FOLLOWUP))
		rc = kbuf_adds(&od, T(req, T_INC_DUE_FOLLOWUP));
	if (!rc && (due & KDUE_FINAL))
		rc = kbuf_addf(&od, "%s%s", od.len ? "; " : "", T(req, T_INC_DUE_FINAL));
	{
		const char *cells[] = {
			inc->id, inc->title, inc->org, web_inc_sector(req, inc->sector),
			web_inc_status_label(req, inc->status), kbuf_str(&types),
			web_inc_time(req, inc->occurred_at), web_inc_time(req, inc->detected_at),
			web_inc_time(req, inc->created), web_inc_time(req, inc->updated),
			web_inc_time(req, inc->due_followup), web_inc_time(req, inc->due_final),
			kbuf_str(&od), x->desk && inc->candidate ? T(req, T_INC_CANDIDATE) : "", x->desk ? inc->case_id : "",
			inc->tlp,
		};
		size_t n = sizeof(cells) / sizeof(cells[0]);

		for (size_t i = 0; i < n && !rc; i++)
			rc = csv_cell(x->b, cells[i], i + 1 == n);
	}
	kbuf_release(&types);
	kbuf_release(&od);
	return rc;
}

int web_incidents_csv(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	static const enum kmsg head[] = {
		T_INC_ID, T_INC_TITLE, T_INC_ORG, T_FACET_SECTOR, T_INC_STATUS, T_INC_EVENT_TYPES,
		T_INC_OCCURRED, T_INC_DETECTED, T_INC_CREATED, T_INC_UPDATED, T_INC_DUE_FOLLOWUP, T_INC_DUE_FINAL,
		T_INC_OVERDUE, T_INC_CANDIDATE, T_INC_CASE, T_FACET_TLP,
	};
	struct desk d;
	struct csvctx x;
	int rc = 0;

	desk_parse(req, &d);
	if (d.view == WEB_INC_NONE)
		return kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
	if (d.nbad)
		return kerr_set(err, KE_USAGE, "%s", T(req, T_INC_ERR_FILTER));
	kbuf_reset(&resp->body);
	/* a byte order mark, so that Excel reads UTF-8 */
	rc = kbuf_adds(&resp->body, "\xEF\xBB\xBF");
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]) && !rc; i++)
		rc = csv_cell(&resp->body, T(req, head[i]), i + 1 == sizeof(head) / sizeof(head[0]));
	if (rc < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	x = (struct csvctx){ &resp->body, req, d.now, 0, d.view == WEB_INC_DESK };
	d.q.limit = CSV_MAX;
	if ((rc = kstore_incident_list(req->st, &d.q, csv_row, &x, NULL, err)) < 0) {
		if (rc == KE_NOMEM || rc == KE_TOOBIG)
			kerr_set(err, KE_NOMEM, "out of memory");
		return rc;
	}
	resp->content_type = "text/csv; charset=utf-8";
	resp->content_disposition = "attachment; filename=\"incidents.csv\"";
	resp->kind = KRESP_HTML;
	resp->no_store = 1;
	resp->cache_control = "private, no-store";
	return 0;
}
