/*
 * web_select.c - the selection page (web_select.h): the candidates of a
 * survey period, their scores, the proposed shortlist with every reason,
 * and the forms to score, override and keep.  The rule is select.h's; the
 * data store_select.h's.
 */
#include "web_select.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "select.h"
#include "store.h"
#include "store_select.h"
#include "web_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The page's parameters: period, size, cap (from the query or a form). */
struct selparams {
	struct kselect_period period;
	struct kselect_params params;
	char size[16], cap[16];
};

/* The current 年度 (JST) as text. */
static void current_year(char out[16])
{
	time_t t = kreport_now() + 9 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 16, "%d", tm.tm_year + 1900 - (tm.tm_mon < 3));
}

static int parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return 1;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The parameters of req, checked: 0, or KE_USAGE with the message in the page's language. */
static int get_params(struct khttp_req *req, struct selparams *sp, struct kerr *err)
{
	const char *period = khttp_param(req, "period"), *size, *cap;
	char year[16];
	struct kerr e2 = KERR_INIT;
	long v;
	int rc;

	memset(sp, 0, sizeof(*sp));
	sp->params.size = KSELECT_DEFAULT_SIZE;
	sp->params.cap = KSELECT_DEFAULT_CAP;
	if (!period || !*period) {
		current_year(year);
		period = year;
	}
	if (kselect_period_parse(period, &sp->period, &e2) < 0)
		return kerr_set(err, KE_USAGE, "%s: %s", T(req, T_SEL_ERR_PERIOD), e2.msg);
	size = khttp_param(req, "size");
	cap = khttp_param(req, "cap");
	if ((rc = parse_number(size, 1, KSELECT_MAX_SIZE, &v)) < 0)
		return kerr_set(err, KE_USAGE, "size: %s", T(req, T_SEL_ERR_SIZE));
	if (!rc)
		sp->params.size = (int)v;
	if ((rc = parse_number(cap, 1, KSELECT_MAX_SIZE, &v)) < 0)
		return kerr_set(err, KE_USAGE, "cap: %s", T(req, T_SEL_ERR_CAP));
	if (!rc)
		sp->params.cap = (int)v;
	snprintf(sp->size, sizeof(sp->size), "%d", sp->params.size);
	snprintf(sp->cap, sizeof(sp->cap), "%d", sp->params.cap);
	return 0;
}

/* The candidates of sp's period with the shortlist computed. */
static int load_shortlist(struct kstore *st, const struct selparams *sp, struct kselect_set *set,
			  struct kselect_result *res, struct kerr *err)
{
	struct kselect_cand *cs;
	int rc;

	if ((rc = kstore_selection_load(st, &sp->period, set, err)) < 0)
		return rc;
	if (!(cs = calloc(set->n + 1, sizeof(*cs))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	for (size_t i = 0; i < set->n; i++)
		cs[i] = set->v[i].c;
	rc = kselect_shortlist(cs, set->n, &sp->params, res, err);
	for (size_t i = 0; !rc && i < set->n; i++)
		set->v[i].c = cs[i];
	free(cs);
	return rc;
}

static int show_cmp(const void *a, const void *b)
{
	const struct kselect_entry *x = *(const struct kselect_entry *const *)a;
	const struct kselect_entry *y = *(const struct kselect_entry *const *)b;

	return kselect_cand_cmp_shown(&x->c, &y->c);
}

static void reason_html(struct html *w, const struct khttp_req *req, const struct kselect_cand *c,
			const struct kselect_result *res)
{
	struct kbuf b = KBUF_INIT;

	if ((req->lang == KLANG_EN ? kselect_reason(c, res, &b) : kselect_reason_ja(c, res, &b)) < 0)
		w->err = KE_NOMEM;
	html_printf(w, "%s", kbuf_str(&b));
	kbuf_release(&b);
}

static const char *cand_url(const struct khttp_req *req, const struct kselect_cand *c)
{
	return c->kind == KSELECT_DRAFT ? web_url(req, "/drafts/%U", c->id, NULL)
					: web_url(req, "/incidents/%U", c->id, NULL);
}

static void hidden_params(struct html *w, const struct selparams *sp)
{
	html_printf(w, "<input type=\"hidden\" name=\"period\" value=\"%s\">"
		       "<input type=\"hidden\" name=\"size\" value=\"%s\">"
		       "<input type=\"hidden\" name=\"cap\" value=\"%s\">\n",
		    sp->period.key, sp->size, sp->cap);
}

static void sectors_html(struct html *w, const struct khttp_req *req, const struct kselect_cand *c)
{
	for (size_t i = 0; i < c->nsectors; i++)
		html_printf(w, "%s%s", i ? "・" : "", web_sector_label(req, c->sectors[i]));
}

static void criteria_box(struct html *w, const struct khttp_req *req)
{
	html_printf(w, "<details class=\"select-criteria\"><summary>%s</summary>\n<ol>", T(req, T_SEL_CRITERIA));
	for (int k = 0; k < KSELECT_NCRITERIA; k++)
		html_printf(w, "<li><span lang=\"ja\">%s</span> <span class=\"muted\" lang=\"en\">(%s; <code>%s</code>)</span></li>",
			    kselect_criteria[k].ja, kselect_criteria[k].en, kselect_criteria[k].key);
	html_printf(w, "</ol>\n<p><strong lang=\"ja\">%s</strong> <span class=\"muted\" lang=\"en\">(%s)</span>: %s</p>\n"
		       "</details>\n",
		    kselect_balance.ja, kselect_balance.en, T(req, T_SEL_RULE));
}

static void cand_forms(struct html *w, const struct khttp_req *req, const struct selparams *sp,
		       const struct kselect_entry *e)
{
	const struct kselect_cand *c = &e->c;

	html_printf(w, "<details class=\"select-edit\" id=\"c-%s\"><summary><code>%s</code> %s",
		    c->id, c->id, c->title);
	if (c->nscored)
		html_printf(w, " <span class=\"muted\">(%d/%d)</span>", c->total, KSELECT_NCRITERIA * KSELECT_MAX_SCORE);
	html_printf(w, "</summary>\n");
	web_form_begin(w, req, web_url(req, "/select/score", NULL), "form select-score");
	hidden_params(w, sp);
	html_printf(w, "<input type=\"hidden\" name=\"id\" value=\"%s\">\n"
		       "<table class=\"data select-scores\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">0-3</th>"
		       "<th scope=\"col\">%s</th></tr></thead><tbody>\n",
		    c->id, T(req, T_SEL_CRITERIA), T(req, T_SEL_NOTE));
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		html_printf(w, "<tr><td><label for=\"s-%s-%d\">%d. <span lang=\"ja\">%s</span>"
			       "<span class=\"muted crit-en\" lang=\"en\">%s</span></label>",
			    c->id, k, k + 1, kselect_criteria[k].ja, kselect_criteria[k].en);
		if (e->scorer[k])
			html_printf(w, "<span class=\"muted scored-by\">%s %s, %s</span>", T(req, T_SEL_SCORED_BY),
				    e->scorer[k], web_time(req, e->scored_at[k]));
		html_printf(w, "</td><td><select id=\"s-%s-%d\" name=\"s%d\">", c->id, k, k);
		if (c->score[k] < 0)
			html_printf(w, "<option value=\"\" selected>%s</option>", T(req, T_SEL_NOT_SCORED));
		for (int v = 0; v <= KSELECT_MAX_SCORE; v++) {
			if (v == c->score[k])
				html_printf(w, "<option value=\"%d\" selected>%d</option>", v, v);
			else
				html_printf(w, "<option value=\"%d\">%d</option>", v, v);
		}
		html_printf(w, "</select></td><td><input type=\"text\" name=\"n%d\" value=\"%s\" maxlength=\"600\""
			       " aria-label=\"%s %d\"></td></tr>\n",
			    k, e->note[k] ? e->note[k] : "", T(req, T_SEL_NOTE), k + 1);
	}
	html_printf(w, "</tbody></table>\n<p><button class=\"button\" type=\"submit\">%s</button></p>\n</form>\n",
		    T(req, T_SEL_SAVE_SCORES));
	web_form_begin(w, req, web_url(req, "/select/decide", NULL), "form select-decide");
	hidden_params(w, sp);
	html_printf(w, "<input type=\"hidden\" name=\"id\" value=\"%s\">\n<fieldset><legend>%s</legend>", c->id,
		    T(req, T_SEL_OVERRIDE));
	html_printf(w, "<label class=\"radio\"><input type=\"radio\" name=\"decision\" value=\"clear\"%R> %s</label> "
		       "<label class=\"radio\"><input type=\"radio\" name=\"decision\" value=\"in\"%R> %s</label> "
		       "<label class=\"radio\"><input type=\"radio\" name=\"decision\" value=\"out\"%R> %s</label>",
		    c->decision == 0 ? " checked" : "", T(req, T_SEL_OV_NONE), c->decision > 0 ? " checked" : "",
		    T(req, T_SEL_OV_IN), c->decision < 0 ? " checked" : "", T(req, T_SEL_OV_OUT));
	html_printf(w, "<div class=\"field\"><label for=\"r-%s\">%s</label>"
		       "<textarea id=\"r-%s\" name=\"reason\" rows=\"2\" maxlength=\"600\">%s</textarea></div>",
		    c->id, T(req, T_SEL_REASON), c->id, c->decision_reason ? c->decision_reason : "");
	html_printf(w, "</fieldset>\n<p><button class=\"button\" type=\"submit\">%s</button></p>\n</form>\n</details>\n",
		    T(req, T_SEL_SAVE_OVERRIDE));
}

static void notice(struct html *w, const struct khttp_req *req)
{
	const char *done = khttp_param(req, "done");
	enum kmsg m = 0;

	if (!done)
		return;
	if (!strcmp(done, "scored"))
		m = T_SEL_DONE_SCORED;
	else if (!strcmp(done, "decided"))
		m = T_SEL_DONE_DECIDED;
	else if (!strcmp(done, "kept"))
		m = T_SEL_DONE_KEPT;
	if (m)
		html_printf(w, "<p class=\"notice-done\" role=\"status\">%s</p>\n", T(req, m));
}

int web_select(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct selparams sp;
	struct kselect_set set = { 0 };
	struct kselect_result res;
	struct kselect_entry **order = NULL;
	struct html w;
	size_t nscored = 0;
	int rc;

	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	if ((rc = get_params(req, &sp, err)) < 0)
		return rc;
	if ((rc = load_shortlist(req->st, &sp, &set, &res, err)) < 0)
		goto out;
	if (!(order = calloc(set.n + 1, sizeof(*order)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < set.n; i++) {
		order[i] = &set.v[i];
		nscored += set.v[i].c.nscored > 0;
	}
	qsort(order, set.n, sizeof(*order), show_cmp);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_SEL_TITLE), "", "page-select");
	html_printf(&w, "<h1>%s <span class=\"muted\" lang=\"en\">%R</span></h1>\n<p class=\"lead\">%s</p>\n",
		    T(req, T_SEL_TITLE), req->lang == KLANG_EN ? "" : "Selection of cases", T(req, T_SEL_INTRO));
	notice(&w, req);
	html_printf(&w, "<form class=\"form form-inline select-params\" method=\"get\" action=\"%s\">"
		       "<div class=\"field\"><label for=\"f-period\">%s</label>"
		       "<input id=\"f-period\" name=\"period\" type=\"text\" value=\"%s\" maxlength=\"22\" required></div>"
		       "<div class=\"field\"><label for=\"f-size\">%s</label>"
		       "<input id=\"f-size\" name=\"size\" type=\"number\" min=\"1\" max=\"1000\" value=\"%s\"></div>"
		       "<div class=\"field\"><label for=\"f-cap\">%s</label>"
		       "<input id=\"f-cap\" name=\"cap\" type=\"number\" min=\"1\" max=\"1000\" value=\"%s\"></div>",
		    web_url(req, "/select", NULL), T(req, T_SEL_PERIOD), sp.period.key, T(req, T_SEL_SIZE), sp.size,
		    T(req, T_SEL_CAP), sp.cap);
	if (req->lang == KLANG_EN)
		html_printf(&w, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	html_printf(&w, "<div class=\"actions\"><button class=\"button\" type=\"submit\">%s</button></div></form>\n"
		       "<p class=\"field-hint\">%s</p>\n",
		    T(req, T_SEL_SHOW), T(req, T_SEL_PERIOD_HINT));
	criteria_box(&w, req);
	html_printf(&w, "<p class=\"select-summary\"><strong>%s</strong> · %s %zu · %s %zu · %s %d / %d",
		    sp.period.label, T(req, T_SEL_CANDIDATES), set.n, T(req, T_SEL_SCORED), nscored,
		    T(req, T_SEL_ON_LIST), res.nin, res.size);
	if (res.cut >= 0)
		html_printf(&w, " · %s %d/%d", T(req, T_SEL_CUT), res.cut, KSELECT_NCRITERIA * KSELECT_MAX_SCORE);
	html_printf(&w, " · %s %d</p>\n", T(req, T_SEL_CAP), res.cap);
	if (set.kept_at)
		html_printf(&w, "<p class=\"muted\">%s: %s (%s)</p>\n", T(req, T_SEL_KEPT), web_time(req, set.kept_at),
			    set.kept_by ? set.kept_by : "");
	if (!set.n) {
		html_printf(&w, "<p class=\"notice\">%s</p>\n", T(req, T_SEL_NONE));
	} else {
		html_printf(&w, "<div class=\"table-scroll\"><table class=\"data select\">\n<thead><tr>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">ID</th><th scope=\"col\">%s</th>"
			       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
			    T(req, T_SEL_COL_POS), T(req, T_SEL_COL_KIND), T(req, T_SEL_COL_TITLE),
			    T(req, T_SEL_COL_SECTORS), T(req, T_SEL_COL_CATEGORY));
		for (int k = 0; k < KSELECT_NCRITERIA; k++)
			html_printf(&w, "<th scope=\"col\" class=\"num\"><abbr title=\"%s\">%d</abbr></th>",
				    req->lang == KLANG_EN ? kselect_criteria[k].en : kselect_criteria[k].ja, k + 1);
		html_printf(&w, "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_SEL_COL_TOTAL), T(req, T_SEL_COL_REASON));
		for (size_t i = 0; i < set.n; i++) {
			const struct kselect_entry *e = order[i];
			const struct kselect_cand *c = &e->c;

			html_printf(&w, "<tr class=\"%R\"><td>", c->in ? "sel-in" : "sel-out");
			if (c->in)
				html_printf(&w, "<span class=\"sel-badge sel-badge-in\">%s %d</span>", T(req, T_SEL_IN),
					    c->position);
			else
				html_printf(&w, "<span class=\"sel-badge sel-badge-out\">%s</span>", T(req, T_SEL_OUT));
			html_printf(&w, "</td><td class=\"id\"><a href=\"%s\">%s</a></td><td class=\"kind\">%s</td>"
				       "<td class=\"title\"><a href=\"#c-%s\">%s</a></td><td class=\"sectors\">",
				    cand_url(req, c), c->id,
				    T(req, c->kind == KSELECT_DRAFT ? T_SEL_KIND_DRAFT : T_SEL_KIND_INCIDENT), c->id,
				    c->title);
			sectors_html(&w, req, c);
			html_printf(&w, "</td><td class=\"category\">%s</td>", c->category ? c->category : "");
			for (int k = 0; k < KSELECT_NCRITERIA; k++) {
				if (c->score[k] < 0)
					html_printf(&w, "<td class=\"num muted\">-</td>");
				else if (e->note[k] && *e->note[k])
					html_printf(&w, "<td class=\"num\"><abbr title=\"%s\">%d</abbr></td>", e->note[k],
						    c->score[k]);
				else
					html_printf(&w, "<td class=\"num\">%d</td>", c->score[k]);
			}
			if (c->nscored)
				html_printf(&w, "<td class=\"num total\">%d</td><td class=\"reason\">", c->total);
			else
				html_printf(&w, "<td class=\"num muted\">-</td><td class=\"reason\">");
			reason_html(&w, req, c, &res);
			html_printf(&w, "</td></tr>\n");
		}
		html_printf(&w, "</tbody></table></div>\n");
		web_form_begin(&w, req, web_url(req, "/select/keep", NULL), "form select-keep");
		hidden_params(&w, &sp);
		html_printf(&w, "<p><button class=\"button\" type=\"submit\">%s</button> <span class=\"field-hint\">%s</span></p></form>\n",
			    T(req, T_SEL_KEEP), T(req, T_SEL_KEEP_HINT));
		html_printf(&w, "<h2>%s</h2>\n", T(req, T_SEL_EDIT));
		for (size_t i = 0; i < set.n; i++)
			cand_forms(&w, req, &sp, order[i]);
	}
	web_end(&w, req);
	resp->no_store = 1;
	rc = web_finish(&w, resp, err);
out:
	free(order);
	kselect_set_free(&set);
	return rc;
}

/* ---- the forms --------------------------------------------------------------- */

/* The store's refusal as the handler's error: a candidate not found is 404, a bad field 400. */
static int refused(struct khttp_req *req, int rc, const struct kerr *e2, struct kerr *err)
{
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s: %s", T(req, T_SEL_ERR_NOT_CANDIDATE), e2->msg);
	if (rc == KE_INVALID)
		return kerr_set(err, KE_USAGE, "%s", e2->msg);
	return kerr_set(err, rc, "%s", e2->msg);
}

static int back(struct khttp_req *req, struct khttp_resp *resp, const struct selparams *sp, const char *done,
		struct kerr *err)
{
	return web_form_redirect(resp, web_url(req, "/select", "period", sp->period.key, "size", sp->size, "cap",
					       sp->cap, "done", done, NULL), err);
}

static const char *form_id(struct khttp_req *req, struct kerr *err)
{
	const char *id = web_form_trimmed(req, "id");

	if (!id || !web_valid_id(id)) {
		kerr_set(err, KE_USAGE, "id: %s", T(req, T_SEL_ERR_NOT_CANDIDATE));
		return NULL;
	}
	return id;
}

int web_select_score(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct selparams sp;
	struct kselect_set set = { 0 };
	struct kerr e2 = KERR_INIT;
	struct kstore *rw = NULL;
	const char *id;
	int rc, score[KSELECT_NCRITERIA];
	const char *note[KSELECT_NCRITERIA];
	time_t now = kreport_now();

	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	if ((rc = get_params(req, &sp, err)) < 0)
		return rc;
	if (!(id = form_id(req, err)))
		return err->code;
	/* every field checked before anything is written */
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		char name[16];
		const char *v;

		snprintf(name, sizeof(name), "s%d", k);
		v = khttp_form(req, name);
		score[k] = -1;
		if (v && *v) {
			if (v[1] || v[0] < '0' || v[0] > '0' + KSELECT_MAX_SCORE)
				return kerr_set(err, KE_USAGE, "%s (%s): %s", name, kselect_criteria[k].key,
						T(req, T_SEL_ERR_SCORE));
			score[k] = v[0] - '0';
		}
		snprintf(name, sizeof(name), "n%d", k);
		note[k] = web_form_trimmed(req, name);
	}
	if (!(rw = khttp_writer_begin(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = kstore_selection_load(rw, &sp.period, &set, &e2)) < 0)
		goto fail;
	{
		const struct kselect_entry *e = NULL;

		for (size_t i = 0; i < set.n && !e; i++)
			if (!strcmp(set.v[i].c.id, id) || (set.v[i].incident && !strcmp(set.v[i].incident, id)))
				e = &set.v[i];
		for (int k = 0; k < KSELECT_NCRITERIA; k++) {
			/* unchanged scores and notes are not written again */
			if (score[k] < 0 || (e && e->c.score[k] == score[k] &&
					     !strcmp(e->note[k] ? e->note[k] : "", note[k] ? note[k] : "")))
				continue;
			if ((rc = kstore_selection_score(rw, &sp.period, id, k, score[k], note[k], now, &e2)) < 0)
				goto fail;
		}
		if (!e) {
			rc = kerr_set(&e2, KE_NOTFOUND, "id: \"%.100s\" (%s)", id, sp.period.label);
			goto fail;
		}
	}
	if ((rc = kstore_commit(rw, &e2)) < 0)
		goto fail;
	kselect_set_free(&set);
	return back(req, resp, &sp, "scored", err);
fail:
	kstore_rollback(rw);
	kselect_set_free(&set);
	return refused(req, rc, &e2, err);
}

int web_select_decide(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct selparams sp;
	struct kerr e2 = KERR_INIT;
	struct kstore *rw;
	const char *id, *d, *reason;
	int rc, decision;

	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	if ((rc = get_params(req, &sp, err)) < 0)
		return rc;
	if (!(id = form_id(req, err)))
		return err->code;
	d = khttp_form(req, "decision");
	if (!d || (strcmp(d, "in") && strcmp(d, "out") && strcmp(d, "clear")))
		return kerr_set(err, KE_USAGE, "decision: %s", T(req, T_SEL_ERR_DECISION));
	decision = !strcmp(d, "in") ? 1 : !strcmp(d, "out") ? -1 : 0;
	reason = web_form_trimmed(req, "reason");
	if (decision && (!reason || !*reason))
		return kerr_set(err, KE_USAGE, "reason: %s", T(req, T_SEL_ERR_REASON));
	if (!(rw = khttp_writer_begin(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = kstore_selection_decide(rw, &sp.period, id, decision, reason, kreport_now(), &e2)) < 0 ||
	    (rc = kstore_commit(rw, &e2)) < 0) {
		kstore_rollback(rw);
		return refused(req, rc, &e2, err);
	}
	return back(req, resp, &sp, "decided", err);
}

int web_select_keep(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct selparams sp;
	struct kselect_set set = { 0 };
	struct kselect_result res;
	struct kerr e2 = KERR_INIT;
	struct kstore *rw;
	int rc;

	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	if ((rc = get_params(req, &sp, err)) < 0)
		return rc;
	if (!(rw = khttp_writer_begin(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = load_shortlist(rw, &sp, &set, &res, &e2)) < 0 ||
	    (rc = kstore_selection_keep(rw, &sp.period, &set, &res, kreport_now(), &e2)) < 0 ||
	    (rc = kstore_commit(rw, &e2)) < 0) {
		kstore_rollback(rw);
		kselect_set_free(&set);
		return refused(req, rc, &e2, err);
	}
	kselect_set_free(&set);
	return back(req, resp, &sp, "kept", err);
}

/* ---- 選定理由 on a case's or draft's page ---------------------------------------- */

struct box {
	struct html *w;
	struct khttp_req *req;
	int n;
};

static int box_row(void *ctx, const struct kselect_kept_row *r)
{
	struct box *b = ctx;

	if (!b->n++)
		html_printf(b->w, "<section class=\"side-box select-reasons\"><h2>%s</h2><ul>", T(b->req, T_SEL_REASONS));
	html_printf(b->w, "<li><a href=\"%s\">%s</a>: %s <span class=\"muted\">(%s, %s)</span></li>",
		    web_url(b->req, "/select", "period", r->period, NULL), r->period, r->reason,
		    r->kept_by ? r->kept_by : "", web_time(b->req, r->kept_at));
	return 0;
}

int web_select_reasons_box(struct html *w, struct khttp_req *req, struct kstore *st, const char *id,
			   struct kerr *err)
{
	struct box b = { w, req, 0 };
	int rc;

	if (!kreader_may_see_drafts(req->reader))
		return 0;
	rc = kstore_selection_reasons(st, id, box_row, &b, err);
	if (b.n)
		html_printf(w, "</ul></section>\n");
	return rc;
}
