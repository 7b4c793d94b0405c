/*
 * web_themes.c - the 総括 editor (web_themes.h): the themes of a scope's
 * cases computed as `kyokun themes` computes them (theme.h), with the
 * analysts' edits (store_theme.h) applied, and the forms that keep more.
 */
#include "web_themes.h"
#include "web_form.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "store_theme.h"
#include "theme.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scope of a request: its parameters (query or form). */
struct tscope {
	struct ktheme_scope s;
	const char *scope; /* scope= as given, or NULL */
};

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int scope_of(struct khttp_req *req, struct tscope *t, struct kerr *err)
{
	memset(t, 0, sizeof(*t));
	t->s.period = nonempty(khttp_param(req, "period"));
	t->s.ids = nonempty(khttp_param(req, "select"));
	t->s.document = nonempty(khttp_param(req, "document"));
	t->scope = nonempty(khttp_param(req, "scope"));
	if (!!t->s.period + !!t->s.ids + !!t->s.document != 1)
		return kerr_set(err, KE_INVALID, "%s", T(req, T_TH_ERR_SCOPE));
	if (t->scope && strlen(t->scope) > KTHEME_SCOPE_MAX)
		return kerr_set(err, KE_INVALID, "%s", T(req, T_TH_ERR_SCOPE));
	return 0;
}

/* The page's address for this scope (and a notice). */
static const char *page_url(const struct khttp_req *req, const struct tscope *t, const char *done)
{
	return web_url(req, "/themes", "period", t->s.period, "select", t->s.ids, "document", t->s.document, "scope",
		       t->scope, "done", done, NULL);
}

/* The themes of the scope: cases, scope name, kept edits, themes, notes. */
struct tstate {
	struct kcase_list cases;
	char *scope, *edits;
	struct kstrv notes;
	struct ktheme_list tl;
};

static void tstate_free(struct tstate *s)
{
	kcase_list_free(&s->cases);
	free(s->scope);
	free(s->edits);
	kstrv_clear(&s->notes);
	ktheme_list_free(&s->tl);
}

static int load(struct khttp_req *req, struct kstore *st, const struct tscope *t, struct tstate *s,
		struct kerr *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = ktheme_scope_cases(st, req->reader, &t->s, &s->cases, &s->scope, &s->notes, err);
	if (rc == KE_USAGE || rc == KE_TOOBIG)
		rc = kerr_set(err, KE_INVALID, "%s", err->msg);
	if (rc >= 0 && t->scope) {
		free(s->scope);
		if (!(s->scope = strdup(t->scope)))
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	}
	if (rc >= 0)
		rc = kstore_theme_edits_get(st, s->scope, &s->edits, err);
	if (rc >= 0)
		rc = ktheme_compute(s->cases.v, s->cases.n, s->edits, &s->tl, err);
	return rc;
}

/* The scope's parameters as hidden fields of a form. */
static void hidden_scope(struct html *w, const struct tscope *t)
{
	if (t->s.period)
		html_printf(w, "<input type=\"hidden\" name=\"period\" value=\"%s\">\n", t->s.period);
	if (t->s.ids)
		html_printf(w, "<input type=\"hidden\" name=\"select\" value=\"%s\">\n", t->s.ids);
	if (t->s.document)
		html_printf(w, "<input type=\"hidden\" name=\"document\" value=\"%s\">\n", t->s.document);
	if (t->scope)
		html_printf(w, "<input type=\"hidden\" name=\"scope\" value=\"%s\">\n", t->scope);
}

static const char *case_id(const struct tstate *s, const struct ktheme_lesson *l)
{
	return s->cases.v[l->case_index].id ? s->cases.v[l->case_index].id : "";
}

static void render_choose(struct html *w, const struct khttp_req *req, const struct tscope *t)
{
	html_printf(w, "<form class=\"card themes-choose\" method=\"get\" action=\"%s\">\n<h2>%s</h2>\n<div class=\"themes-choose-row\">\n",
		    web_url(req, "/themes", NULL), T(req, T_TH_CHOOSE));
	html_printf(w, "<label>%s <input type=\"text\" name=\"period\" inputmode=\"numeric\" size=\"6\" maxlength=\"4\" value=\"%s\"></label>\n",
		    T(req, T_TH_PERIOD), t ? t->s.period : NULL);
	html_printf(w, "<label>%s <input type=\"text\" name=\"select\" size=\"30\" value=\"%s\"></label>\n",
		    T(req, T_TH_SELECT), t ? t->s.ids : NULL);
	html_printf(w, "<label>%s <input type=\"text\" name=\"document\" size=\"24\" value=\"%s\"></label>\n",
		    T(req, T_TH_DOCUMENT), t ? t->s.document : NULL);
	if (req->lang_explicit)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", T(req, T_LANG_CODE));
	html_printf(w, "<button class=\"button secondary\" type=\"submit\">%s</button>\n</div>\n</form>\n",
		    T(req, T_TH_SHOW));
}

static void render_theme(struct html *w, const struct khttp_req *req, const struct tscope *t,
			 const struct tstate *s, size_t i)
{
	const struct ktheme *th = &s->tl.v[i];
	const char *action = web_url(req, "/themes/edits", NULL);
	struct kstrv ids = { 0 };
	size_t shared = 0;
	char buf[160];

	for (size_t j = 0; j < th->n; j++) {
		if (!kstrv_contains(&ids, case_id(s, &th->lessons[j])))
			(void)kstrv_push(&ids, case_id(s, &th->lessons[j]));
		shared += th->lessons[j].shared;
	}
	html_printf(w, "<section class=\"card theme\" id=\"theme-%s\">\n<header class=\"theme-head\">\n<h2>%zu. %s",
		    th->key, i + 1, th->name);
	if (th->name_en && req->lang == KLANG_EN)
		html_printf(w, " <span class=\"muted\">/ %s</span>", th->name_en);
	html_printf(w, "</h2>\n<p class=\"theme-meta\"><code>%s</code> ", th->key);
	snprintf(buf, sizeof(buf), T(req, T_TH_THEME_COUNT), th->n, ids.n);
	html_printf(w, "%s ", buf);
	html_printf(w, "<span class=\"chip %s\">%s</span>", shared ? "theme-shared" : "theme-specific",
		    T(req, shared ? T_TH_SHARED : T_TH_SPECIFIC));
	if (th->edited)
		html_printf(w, " <span class=\"chip\">%s</span>", T(req, T_TH_EDITED));
	html_printf(w, "</p>\n<p class=\"theme-cases\">");
	for (size_t k = 0; k < ids.n; k++)
		html_printf(w, "%s<a href=\"%s\">%s</a>", k ? ", " : "", web_url(req, "/cases/%U", ids.v[k], NULL),
			    ids.v[k]);
	html_printf(w, "</p>\n</header>\n<ol class=\"theme-lessons\">\n");
	kstrv_clear(&ids);

	for (size_t j = 0; j < th->n; j++) {
		const struct ktheme_lesson *l = &th->lessons[j];
		size_t nl = strcspn(l->text, "\n");
		char ref[400];
		snprintf(ref, sizeof(ref), "%s#%zu", case_id(s, l), l->item);
		html_printf(w, "<li class=\"theme-lesson\">\n<p><span class=\"chip %s\">%s</span> "
			       "<a class=\"lesson-ref\" href=\"%s\">%s</a></p>\n<p class=\"lesson-text\"><strong>%.*s</strong>",
			    l->shared ? "theme-shared" : "theme-specific", T(req, l->shared ? T_TH_SHARED : T_TH_SPECIFIC),
			    web_url(req, "/cases/%U", case_id(s, l), NULL), ref, (int)nl, l->text);
		if (l->text[nl])
			html_printf(w, "<br><span class=\"muted\">%s</span>", l->text + nl + 1);
		html_printf(w, "</p>\n");
		web_form_begin(w, req, action, "theme-move");
		hidden_scope(w, t);
		html_printf(w, "<input type=\"hidden\" name=\"op\" value=\"move\">\n"
			       "<input type=\"hidden\" name=\"lesson\" value=\"%s\">\n"
			       "<label>%s <select name=\"to\">\n", ref, T(req, T_TH_MOVE_TO));
		for (size_t k = 0; k < s->tl.n; k++)
			if (k != i)
				html_printf(w, "<option value=\"%s\">%s</option>\n", s->tl.v[k].key, s->tl.v[k].name);
		html_printf(w, "<option value=\"new\">%s</option>\n</select></label>\n"
			       "<input type=\"text\" name=\"name\" maxlength=\"200\" size=\"18\" placeholder=\"%s\" aria-label=\"%s\">\n"
			       "<button class=\"button small secondary\" type=\"submit\">%s</button>\n</form>\n</li>\n",
			    T(req, T_TH_NEW_THEME), T(req, T_TH_NEW_THEME_NAME), T(req, T_TH_NEW_THEME_NAME),
			    T(req, T_TH_MOVE));
	}
	html_printf(w, "</ol>\n<div class=\"theme-forms\">\n");
	web_form_begin(w, req, action, "theme-rename");
	hidden_scope(w, t);
	html_printf(w, "<input type=\"hidden\" name=\"op\" value=\"rename\">\n<input type=\"hidden\" name=\"theme\" value=\"%s\">\n"
		       "<label>%s <input type=\"text\" name=\"name\" required maxlength=\"200\" size=\"22\" value=\"%s\"></label>\n"
		       "<button class=\"button small secondary\" type=\"submit\">%s</button>\n</form>\n",
		    th->key, T(req, T_TH_NEW_NAME), th->name, T(req, T_TH_RENAME));
	if (s->tl.n > 1) {
		web_form_begin(w, req, action, "theme-merge");
		hidden_scope(w, t);
		html_printf(w, "<input type=\"hidden\" name=\"op\" value=\"merge\">\n<input type=\"hidden\" name=\"theme\" value=\"%s\">\n"
			       "<label>%s <select name=\"with\">\n",
			    th->key, T(req, T_TH_MERGE));
		for (size_t k = 0; k < s->tl.n; k++)
			if (k != i)
				html_printf(w, "<option value=\"%s\">%s</option>\n", s->tl.v[k].key, s->tl.v[k].name);
		html_printf(w, "</select></label>\n<button class=\"button small secondary\" type=\"submit\">%s</button>\n</form>\n",
			    T(req, T_TH_MERGE));
	}
	html_printf(w, "</div>\n</section>\n");
}

static void render_edits(struct html *w, const struct khttp_req *req, const struct tscope *t,
			 const struct tstate *s)
{
	json_t *root = s->edits ? json_loads(s->edits, 0, NULL) : NULL, *arr = json_object_get(root, "edits"), *e;
	size_t i;

	html_printf(w, "<section class=\"card theme-edits\">\n<h2>%s <span class=\"muted\">(%s)</span></h2>\n",
		    T(req, T_TH_EDITS), s->scope);
	if (!json_array_size(arr))
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_TH_NO_EDITS));
	else {
		html_printf(w, "<table class=\"table\">\n<thead><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_TH_WHEN), T(req, T_TH_WHO), T(req, T_TH_WHAT));
		json_array_foreach(arr, i, e) {
			const char *op = json_string_value(json_object_get(e, "op"));
			const char *th = json_string_value(json_object_get(e, "theme"));
			const char *nm = json_string_value(json_object_get(e, "name"));
			html_printf(w, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>",
				    (long long)json_integer_value(json_object_get(e, "n")),
				    json_string_value(json_object_get(e, "at")), json_string_value(json_object_get(e, "by")));
			if (op && !strcmp(op, "rename"))
				html_printf(w, "%s: <code>%s</code> → %s", T(req, T_TH_RENAME), th, nm);
			else if (op && !strcmp(op, "merge"))
				html_printf(w, "%s: <code>%s</code> → <code>%s</code>", T(req, T_TH_MERGED),
					    json_string_value(json_object_get(e, "with")), th);
			else if (op && !strcmp(op, "move")) {
				html_printf(w, "%s: %s → <code>%s</code>", T(req, T_TH_MOVE),
					    json_string_value(json_object_get(e, "lesson")),
					    json_string_value(json_object_get(e, "to")));
				if (nm)
					html_printf(w, " (%s)", nm);
			}
			html_printf(w, "</td></tr>\n");
		}
		html_printf(w, "</tbody>\n</table>\n");
		web_form_begin(w, req, web_url(req, "/themes/undo", NULL), "theme-undo");
		hidden_scope(w, t);
		html_printf(w, "<button class=\"button small danger\" type=\"submit\">%s</button>\n</form>\n",
			    T(req, T_TH_UNDO));
	}
	html_printf(w, "</section>\n");
	json_decref(root);
}

int web_themes(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct html w;
	struct tscope t;
	struct tstate s;
	const char *done = khttp_param(req, "done");
	int have = 0, rc = 0;
	char buf[200];

	memset(&s, 0, sizeof(s));
	/* no cases chosen yet: the form only */
	if (khttp_param(req, "period") || khttp_param(req, "select") || khttp_param(req, "document")) {
		if ((rc = scope_of(req, &t, err)) < 0 || (rc = load(req, req->st, &t, &s, err)) < 0)
			goto out;
		have = 1;
	}
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_TH_TITLE), "", "page-themes");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_TH_TITLE), T(req, T_TH_LEAD));
	if (done && (!strcmp(done, "edit") || !strcmp(done, "undo")))
		html_printf(&w, "<p class=\"notice-done\" role=\"status\">%s</p>\n",
			    T(req, !strcmp(done, "edit") ? T_TH_DONE : T_TH_UNDONE));
	render_choose(&w, req, have ? &t : NULL);
	if (have) {
		size_t nl = 0;
		for (size_t i = 0; i < s.tl.n; i++)
			nl += s.tl.v[i].n;
		snprintf(buf, sizeof(buf), T(req, T_TH_COUNTS), s.cases.n, nl, s.tl.n);
		html_printf(&w, "<p class=\"themes-counts\"><strong>%s</strong> · %s: <code>%s</code></p>\n", buf,
			    T(req, T_TH_SCOPE), s.scope);
		if (s.notes.n || s.tl.notes.n) {
			html_printf(&w, "<div class=\"notice\" role=\"note\"><strong>%s</strong>\n<ul>\n", T(req, T_TH_NOTES));
			for (size_t i = 0; i < s.notes.n; i++)
				html_printf(&w, "<li>%s</li>\n", s.notes.v[i]);
			for (size_t i = 0; i < s.tl.notes.n; i++)
				html_printf(&w, "<li>%s</li>\n", s.tl.notes.v[i]);
			html_printf(&w, "</ul>\n</div>\n");
		}
		if (!s.tl.n)
			html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_TH_NO_LESSONS));
		for (size_t i = 0; i < s.tl.n; i++)
			render_theme(&w, req, &t, &s, i);
		render_edits(&w, req, &t, &s);
	}
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	tstate_free(&s);
	return rc;
}

int web_themes_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *op = khttp_form(req, "op"), *a = NULL, *b = NULL, *name = NULL;
	struct kstore *rw;
	struct tscope t;
	struct tstate s;
	char *text = NULL;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = scope_of(req, &t, err)) < 0)
		return rc;
	if (!op || (strcmp(op, "rename") && strcmp(op, "merge") && strcmp(op, "move")))
		return kerr_set(err, KE_INVALID, "%s", T(req, T_TH_ERR_OP));
	if (!strcmp(op, "rename")) {
		a = khttp_form(req, "theme");
		b = khttp_form(req, "name");
		if (!b || !*b || strlen(b) > 200)
			return kerr_set(err, KE_INVALID, "%s", T(req, T_TH_ERR_NAME));
	} else if (!strcmp(op, "merge")) {
		a = khttp_form(req, "theme");
		b = khttp_form(req, "with");
	} else {
		a = khttp_form(req, "lesson");
		b = khttp_form(req, "to");
		name = nonempty(khttp_form(req, "name"));
		if (name && strlen(name) > 200)
			return kerr_set(err, KE_INVALID, "%s", T(req, T_TH_ERR_NAME));
	}
	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	/* the themes as the page showed them (computed from the writer's view) */
	if ((rc = load(req, rw, &t, &s, err)) < 0)
		goto out;
	rc = ktheme_edit_make(s.cases.v, s.cases.n, &s.tl, s.edits, op, a ? a : "", b ? b : "", name, &text, err);
	if (rc == KE_NOTFOUND) {
		char what[sizeof(err->msg)];
		snprintf(what, sizeof(what), "%s", err->msg);
		rc = kerr_set(err, KE_INVALID, "%s (%s)", T(req, strcmp(op, "move") ? T_TH_ERR_THEME : T_TH_ERR_LESSON),
			      what);
	}
	if (rc < 0)
		goto out;
	if ((rc = kstore_theme_edit_add(rw, s.scope, text, err)) < 0)
		goto out;
	rc = web_form_redirect(resp, page_url(req, &t, "edit"), err);
out:
	free(text);
	tstate_free(&s);
	return rc;
}

int web_themes_undo(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kstore *rw;
	struct tscope t;
	struct tstate s;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = scope_of(req, &t, err)) < 0)
		return rc;
	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = load(req, rw, &t, &s, err)) < 0)
		goto out;
	if ((rc = kstore_theme_edit_undo(rw, s.scope, err)) < 0)
		goto out;
	rc = web_form_redirect(resp, page_url(req, &t, "undo"), err);
out:
	tstate_free(&s);
	return rc;
}
