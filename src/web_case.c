/*
 * web_case.c - /cases/ID, one case as the reports present it (title,
 * category, source, overview, key lessons, the sections in the report's
 * order, the timeline by day and role, tags) with the most similar cases
 * beside it; and /cases/ID/history (and /drafts/ID/history), its
 * revisions: who saved each and when, in the reader's time zone, with a
 * form to compare two (the diff and old versions are web_edit.c's).
 */
#include "web.h"
#include "web_form.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "search.h"
#include "similar.h"
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SIMILAR_N 6
#define SAME_DOC_N 12
#define MAX_ACTOR_COLUMNS 5

/* ---- the timeline ---------------------------------------------------------- */

static void day_label(const struct khttp_req *req, const struct kevent *e, char *buf, size_t n)
{
	if (e->day > 0)
		snprintf(buf, n, T(req, T_TL_DAY_N), e->day);
	else if (e->day < 0)
		snprintf(buf, n, T(req, T_TL_BEFORE_N), -e->day);
	else
		snprintf(buf, n, "%s", T(req, T_TL_DAY0));
}

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* The column of an event's actor in the matrix (0-based among actors), or nactors for "other". */
static size_t actor_col(const struct kevent *e, char **actors, size_t nactors)
{
	for (size_t i = 0; i < nactors; i++)
		if (e->actor && !strcmp(e->actor, actors[i]))
			return i;
	return nactors;
}

/* Where the matrix row that starts at event i ends (exclusive). */
static size_t matrix_row_end(const struct kcase *c, size_t i, char **actors, size_t nactors)
{
	const struct kevent *e = &c->timeline[i];
	int used[MAX_ACTOR_COLUMNS + 1] = { 0 };
	size_t j;

	for (j = i; j < c->ntimeline; j++) {
		const struct kevent *f = &c->timeline[j];
		size_t col = actor_col(f, actors, nactors);

		if (j > i && (f->has_day != e->has_day || f->day != e->day || !str_eq(f->when, e->when) ||
			      used[col]))
			break;
		used[col] = 1;
	}
	return j;
}

static size_t matrix_rows(const struct kcase *c, char **actors, size_t nactors)
{
	size_t rows = 0;

	for (size_t i = 0; i < c->ntimeline; rows++)
		i = matrix_row_end(c, i, actors, nactors);
	return rows;
}

/*
 * The timeline as a table.  With two to six roles it is a matrix, as the
 * reports print it: a row per point in time, a column per role; otherwise a
 * row per event with the role in its own column.  Days head groups of rows.
 * The table scrolls sideways in its own box (a shadow at the edge says there
 * is more); on a phone each row reflows into a block, each matrix cell under
 * its role's name (data-role), so that nothing is out of sight (kyokun.css).
 */
static void render_timeline(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	char *actors[MAX_ACTOR_COLUMNS + 1];
	size_t nactors = 0, ncols, i = 0;
	int matrix = 1, other = 0, have_day = 0, cur_day = 0;
	char lbl[64];

	for (size_t k = 0; k < c->ntimeline && matrix; k++) {
		const struct kevent *e = &c->timeline[k];

		if (!e->actor || !*e->actor) {
			other = 1;
			continue;
		}
		if (actor_col(e, actors, nactors) < nactors)
			continue;
		if (nactors == MAX_ACTOR_COLUMNS)
			matrix = 0;
		else
			actors[nactors++] = e->actor;
	}
	if (nactors < 2)
		matrix = 0;
	/* a matrix only pays when roles act at the same time: else one row per event reads better */
	if (matrix && matrix_rows(c, actors, nactors) == c->ntimeline)
		matrix = 0;
	ncols = matrix ? 1 + nactors + (size_t)other : 3;

	html_printf(w, "<section id=\"timeline\" class=\"case-section\">\n<h2>%s</h2>\n"
		    "<div class=\"table-scroll tl-scroll\"><table class=\"timeline%R\">\n<thead><tr><th scope=\"col\">%s</th>",
		    T(req, T_TIMELINE), matrix ? " matrix" : "", T(req, T_TL_WHEN));
	if (matrix) {
		for (size_t k = 0; k < nactors; k++)
			html_printf(w, "<th scope=\"col\" lang=\"ja\">%s</th>", actors[k]);
		if (other)
			html_printf(w, "<th scope=\"col\">%s</th>", T(req, T_TL_OTHER_ACTOR));
	} else {
		html_printf(w, "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>", T(req, T_TL_ACTOR),
			    T(req, T_TL_TEXT));
	}
	html_printf(w, "</tr></thead>\n<tbody lang=\"ja\">\n");

	while (i < c->ntimeline) {
		const struct kevent *e = &c->timeline[i];
		size_t j;

		if (e->has_day && (have_day != 1 || e->day != cur_day)) {
			day_label(req, e, lbl, sizeof(lbl));
			html_printf(w, "<tr class=\"day\"><th colspan=\"%zu\" scope=\"rowgroup\">%s</th></tr>\n",
				    ncols, lbl);
			have_day = 1;
			cur_day = e->day;
		} else if (!e->has_day && have_day == 1) {
			/* "2週目" after dated days: its own group, headed by its label */
			html_printf(w, "<tr class=\"day\"><th colspan=\"%zu\" scope=\"rowgroup\" lang=\"ja\">%s</th></tr>\n",
				    ncols, e->when && *e->when ? e->when : T(req, T_TL_UNDATED));
			have_day = 2;
		}
		html_printf(w, "<tr><td class=\"when\">%s</td>", e->when);
		if (!matrix) {
			html_printf(w, "<td class=\"actor\">%s</td><td class=\"text\">%s</td></tr>\n", e->actor, e->text);
			i++;
			continue;
		}
		/* one row: consecutive events at the same time in different columns */
		{
			const struct kevent *cell[MAX_ACTOR_COLUMNS + 1] = { NULL };

			j = matrix_row_end(c, i, actors, nactors);
			for (size_t k = i; k < j; k++)
				cell[actor_col(&c->timeline[k], actors, nactors)] = &c->timeline[k];
			for (size_t k = 0; k < nactors + (size_t)other; k++) {
				/* the role's name, for the phone's layout (a cell under its name) */
				const char *role = k < nactors ? actors[k] : T(req, T_TL_OTHER_ACTOR);

				if (cell[k])
					html_printf(w, "<td data-role=\"%s\">%s</td>", role, cell[k]->text);
				else
					html_printf(w, "<td></td>");
			}
			html_printf(w, "</tr>\n");
			i = j;
		}
	}
	html_printf(w, "</tbody></table></div>\n</section>\n");
}

/* ---- the sidebar ---------------------------------------------------------------- */

/*
 * The cases of a similar-cases result as a list: each linked, with its
 * document and year, and up to five of the terms it shares (the case
 * page's sidebar, an incident's possible duplicates).
 */
void web_similar_list(struct html *w, const struct khttp_req *req, const struct ksearch_result *res)
{
	web_similar_list_compare(w, req, res, NULL);
}

void web_similar_list_compare(struct html *w, const struct khttp_req *req, const struct ksearch_result *res,
			      const char *compare_with)
{
	char num[48];

	html_printf(w, "<ol class=\"similar\" lang=\"ja\">\n");
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];

		html_printf(w, "<li><a href=\"%s\" dir=\"auto\">%s</a><div class=\"meta\"><span>%s</span>",
			    web_url(req, "/cases/%U", h->id, NULL), h->title, h->document);
		if (h->has_year) {
			snprintf(num, sizeof(num), T(req, T_YEAR_N), h->year);
			html_printf(w, "<span>%s</span>", num);
		}
		html_printf(w, "</div>");
		if (h->nshared) {
			html_printf(w, "<div class=\"shared\">%s: ", T(req, T_SHARED_TERMS));
			for (size_t k = 0; k < h->nshared && k < 5; k++)
				html_printf(w, "%R%s", k ? "、" : "", h->shared[k]);
			html_printf(w, "</div>");
		}
		if (compare_with) /* h-browse: the two side by side (web_compare.c) */
			html_printf(w, "<a class=\"compare-link\" href=\"%s\">%s</a>",
				    web_url(req, "/compare", "ids", compare_with, "ids", h->id, NULL),
				    T(req, T_COMPARE_WITH));
		html_printf(w, "</li>\n");
	}
	html_printf(w, "</ol>\n");
}

static void render_similar(struct html *w, struct khttp_req *req, const struct kcase *c)
{
	struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
	struct ksearch_result res;
	struct kerr err = KERR_INIT;
	int rc;

	memset(&res, 0, sizeof(res));
	o.id = c->id;
	o.filter.reader = req->reader;
	o.filter.limit = SIMILAR_N;
	o.no_total = 1; /* (not shown: at a million cases, before the facet columns are read, a count) */
	rc = ksimilar(req->st, &o, &res, &err);
	html_printf(w, "<section class=\"side-box\" aria-labelledby=\"similar-h\">\n"
		    "<h2 id=\"similar-h\">%s</h2>\n", T(req, T_SIMILAR_CASES));
	if (rc < 0 || !res.nhits) {
		if (rc < 0 && rc != KE_NOTFOUND)
			fprintf(stderr, "kyokun: serve: similar %s: %s\n", c->id, err.msg);
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_SIMILAR));
	} else {
		web_similar_list_compare(w, req, &res, c->id);
	}
	html_printf(w, "</section>\n");
	ksearch_result_free(&res);
}

struct samedoc {
	struct html *w;
	const struct khttp_req *req;
	const char *self;
	int n;
};

static int samedoc_row(void *vctx, const struct kcase_row *r)
{
	struct samedoc *sd = vctx;
	char num[48];

	if (!strcmp(r->id, sd->self)) {
		html_printf(sd->w, "<li aria-current=\"page\"><strong>%s</strong> %s</li>\n",
			    web_case_number(sd->req, r->has_case_number, r->case_number, num, sizeof(num)),
			    r->title);
	} else {
		html_printf(sd->w, "<li><a href=\"%s\" dir=\"auto\">%s %s</a></li>\n",
			    web_url(sd->req, "/cases/%U", r->id, NULL),
			    web_case_number(sd->req, r->has_case_number, r->case_number, num, sizeof(num)),
			    r->title);
	}
	sd->n++;
	return 0;
}

static int render_same_document(struct html *w, struct khttp_req *req, const struct kcase *c,
				struct kerr *err)
{
	struct kfilter f = KFILTER_INIT;
	struct samedoc sd = { w, req, c->id, 0 };
	struct kbuf body = KBUF_INIT;
	struct html inner;
	int rc;

	if (!c->source.document)
		return 0;
	f.document = c->source.document;
	f.reader = req->reader;
	f.limit = SAME_DOC_N + 1;
	html_init(&inner, &body);
	sd.w = &inner;
	rc = kstore_list(req->st, &f, samedoc_row, &sd, NULL, err);
	if (rc < 0)
		goto out;
	if (sd.n > 1) {
		html_printf(w, "<nav class=\"side-box\" aria-labelledby=\"samedoc-h\">\n<h2 id=\"samedoc-h\">%s</h2>\n"
			    "<ol class=\"same-doc\" lang=\"ja\">\n", T(req, T_SAME_DOCUMENT));
		if (!inner.err && kbuf_add(w->out, body.buf, body.len) < 0)
			w->err = KE_NOMEM;
		html_printf(w, "</ol>\n<p><a href=\"%s\">%s</a></p>\n</nav>\n",
			    web_url(req, "/documents/%U", c->source.document, NULL), c->source.document);
	}
	if (inner.err)
		w->err = inner.err;
out:
	kbuf_release(&body);
	return rc;
}

/* ---- the page ------------------------------------------------------------------ */

static void render_tags(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	if (!c->tags.event_class && !c->tags.threats.n && !c->tags.sectors.n)
		return;
	html_printf(w, "<section id=\"tags\" class=\"case-section\">\n<h2>%s</h2>\n", T(req, T_TAGS));
	if (c->tags.event_class)
		html_printf(w, "<div class=\"tag-group\"><h3>%s</h3><div class=\"tags\">"
			    "<a class=\"chip\" href=\"%s\">%s</a></div></div>\n",
			    T(req, T_FACET_EVENT_CLASS), web_url(req, "/search", "event_class", c->tags.event_class, NULL),
			    i18n_tag(req->lang, c->tags.event_class));
	if (c->tags.threats.n) {
		html_printf(w, "<div class=\"tag-group\"><h3>%s</h3><div class=\"tags\">", T(req, T_FACET_THREAT));
		for (size_t i = 0; i < c->tags.threats.n; i++)
			html_printf(w, "<a class=\"chip\" href=\"%s\">%s</a>",
				    web_url(req, "/search", "threat", c->tags.threats.v[i], NULL),
				    i18n_tag(req->lang, c->tags.threats.v[i]));
		html_printf(w, "</div></div>\n");
	}
	if (c->tags.sectors.n) {
		html_printf(w, "<div class=\"tag-group\"><h3>%s</h3><div class=\"tags\">", T(req, T_FACET_SECTOR));
		for (size_t i = 0; i < c->tags.sectors.n; i++)
			html_printf(w, "<a class=\"chip\" href=\"%s\">%s</a>",
				    web_url(req, "/search", "sector", c->tags.sectors.v[i], NULL),
				    i18n_tag(req->lang, c->tags.sectors.v[i]));
		html_printf(w, "</div></div>\n");
	}
	html_printf(w, "</section>\n");
}

static void render_head(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	char num[48];

	html_printf(w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>",
		    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	if (c->source.document)
		html_printf(w, "<li><a href=\"%s\">%s</a></li>",
			    web_url(req, "/documents/%U", c->source.document, NULL), c->source.document);
	html_printf(w, "<li aria-current=\"page\">%s</li></ol></nav>\n",
		    web_case_number(req, c->source.has_case_number, c->source.case_number, num, sizeof(num)));

	html_printf(w, "<header class=\"case-head\">\n");
	if (c->category)
		html_printf(w, "<a class=\"kicker\" href=\"%s\" lang=\"ja\">%s</a>\n",
			    web_url(req, "/search", "category", c->category, NULL), c->category);
	html_printf(w, "<h1 lang=\"ja\" dir=\"auto\">%s</h1>\n<dl class=\"case-meta\">\n", c->title);
	if (c->source.document || c->source.has_year || c->source.has_case_number) {
		html_printf(w, "<dt>%s</dt><dd>", T(req, T_SOURCE));
		if (c->source.document)
			html_printf(w, "<a href=\"%s\">%s</a> ",
				    web_url(req, "/documents/%U", c->source.document, NULL),
				    c->source.document);
		html_printf(w, "%s", web_case_number(req, c->source.has_case_number, c->source.case_number,
						     num, sizeof(num)));
		if (c->source.has_year) {
			char y[32];

			snprintf(y, sizeof(y), T(req, T_YEAR_N), c->source.year);
			html_printf(w, " · %s", y);
		}
		if (c->source.publisher)
			html_printf(w, " · <span lang=\"ja\">%s</span>", c->source.publisher);
		html_printf(w, "</dd>\n");
	}
	if (c->source.doc_title || c->source.url || c->source.published || c->source.has_page) {
		html_printf(w, "<dt>%s</dt><dd class=\"citation\">", T(req, T_CITE));
		web_cite(w, req, c->source.doc_title ? c->source.doc_title : c->source.document, c->source.publisher,
			 c->source.has_year, c->source.year, c->source.published,
			 c->source.has_page ? c->source.page : 0, c->source.url, 0);
		html_printf(w, "</dd>\n");
	}
	if (web_import_low(c) && kreader_can(req->reader, KCAP_CASE_EDIT) && c->source.document)
		html_printf(w, "<dt>%s</dt><dd><strong class=\"flag-low\">%s</strong> <a href=\"%s\">%s</a></dd>\n",
			    T(req, T_REVIEW_CONFIDENCE), T(req, T_REVIEW_LOW),
			    web_url(req, "/documents/%U/review", c->source.document, NULL), T(req, T_REVIEW_LINK));
	if (c->attributes.organization)
		html_printf(w, "<dt>%s</dt><dd lang=\"ja\">%s</dd>\n", T(req, T_ORGANIZATION), c->attributes.organization);
	if (c->attributes.factors)
		html_printf(w, "<dt>%s</dt><dd lang=\"ja\">%s</dd>\n", T(req, T_FACTORS), c->attributes.factors);
	if (c->attributes.reader_level)
		html_printf(w, "<dt>%s</dt><dd>%s</dd>\n", T(req, T_READER_LEVEL),
			    i18n_tag(req->lang, c->attributes.reader_level));
	html_printf(w, "<dt>%s</dt><dd>", T(req, T_SHARING));
	web_tlp_badge(w, req, c->tlp);
	html_printf(w, "</dd>\n");
	/* who the case belongs to and who it names: what its TLP level is decided by */
	if (c->owner)
		html_printf(w, "<dt>%s</dt><dd dir=\"auto\">%s</dd>\n", T(req, T_CASE_OWNER), c->owner);
	if (c->recipients.n) {
		html_printf(w, "<dt>%s</dt><dd>", T(req, T_CASE_RECIPIENTS));
		for (size_t i = 0; i < c->recipients.n; i++)
			html_printf(w, "%s<code>%s</code>", i ? ", " : "", c->recipients.v[i]);
		html_printf(w, "</dd>\n");
	}
	html_printf(w, "</dl>\n</header>\n");
}

static void render_body(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	if (c->summary.n) {
		html_printf(w, "<section id=\"overview\" class=\"overview\">\n<h2>%s</h2>\n<ul lang=\"ja\">\n",
			    T(req, T_OVERVIEW));
		for (size_t i = 0; i < c->summary.n; i++)
			html_printf(w, "<li>%s</li>\n", c->summary.v[i]);
		html_printf(w, "</ul>\n</section>\n");
	}
	if (c->key_lessons.n) {
		html_printf(w, "<section id=\"key-lessons\" class=\"lessons-box\">\n<h2>%s</h2>\n<ul lang=\"ja\">\n",
			    T(req, T_KEY_LESSONS));
		for (size_t i = 0; i < c->key_lessons.n; i++)
			html_printf(w, "<li>%s</li>\n", c->key_lessons.v[i]);
		html_printf(w, "</ul>\n</section>\n");
	}
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];

		if (!c->sections[sec] || !*c->sections[sec])
			continue;
		html_printf(w, "<section id=\"sec-%R\" class=\"case-section\">\n<h2>%s</h2>\n<div lang=\"ja\">",
			    ksection_key(sec), i18n_section(req->lang, sec));
		html_lines(w, c->sections[sec]);
		html_printf(w, "</div>\n</section>\n");
	}
	if (c->ntimeline)
		render_timeline(w, req, c);
	render_tags(w, req, c);
}

void web_case_render(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	render_head(w, req, c);
	render_body(w, req, c);
}

static void render_toc_items(struct html *w, const struct khttp_req *req, const struct kcase *c);

static void render_toc(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	html_printf(w, "<nav class=\"side-box toc\" aria-labelledby=\"toc-h\">\n<h2 id=\"toc-h\">%s</h2>\n<ol>\n",
		    T(req, T_CONTENTS));
	render_toc_items(w, req, c);
	html_printf(w, "</ol>\n</nav>\n");
}

/*
 * h-browse: the contents again at the top of the article, for narrow
 * screens where the sidebar comes after it (the stylesheet shows it only
 * there); a <details>, so it opens without JavaScript.
 */
static void render_toc_top(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	html_printf(w, "<details class=\"toc-top\"><summary>%s</summary>\n<nav class=\"toc\" aria-label=\"%s\"><ol>\n",
		    T(req, T_CONTENTS), T(req, T_CONTENTS));
	render_toc_items(w, req, c);
	html_printf(w, "</ol></nav>\n</details>\n");
}

static void render_toc_items(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	if (c->summary.n)
		html_printf(w, "<li><a href=\"#overview\">%s</a></li>\n", T(req, T_OVERVIEW));
	if (c->key_lessons.n)
		html_printf(w, "<li><a href=\"#key-lessons\">%s</a></li>\n", T(req, T_KEY_LESSONS));
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];

		if (c->sections[sec] && *c->sections[sec])
			html_printf(w, "<li><a href=\"#sec-%R\">%s</a></li>\n", ksection_key(sec),
				    i18n_section(req->lang, sec));
	}
	if (c->ntimeline)
		html_printf(w, "<li><a href=\"#timeline\">%s</a></li>\n", T(req, T_TIMELINE));
	if (c->tags.event_class || c->tags.threats.n || c->tags.sectors.n)
		html_printf(w, "<li><a href=\"#tags\">%s</a></li>\n", T(req, T_TAGS));
}

/*
 * Opened from a search (?q=WORDS): the words marked in the case (search.h,
 * ksearch_mark_case) and, at the top, a note saying so with a link to the
 * case without them.  Turns the writer's highlighting on (render_body
 * then writes the marks; the first is #match-1, the results' links'
 * fragment).  The words are text: escaped like all text.
 */
#define HL_OPEN '\x01'
#define HL_CLOSE '\x02'
static int render_highlight_note(struct html *w, struct khttp_req *req, struct kcase *c, struct kerr *err)
{
	const char *q = khttp_param(req, "q"), *sec = khttp_param(req, "section");
	struct kbuf query = KBUF_INIT;
	char note[600];
	int n = 0, rc;

	if (!q || !*q || strlen(q) > KSEARCH_MAX_QUERY)
		return 0;
	/* section=KEY (a search restricted by the form): the words in that part only */
	if (sec && ksearch_field_parse(sec) >= 0)
		kbuf_addf(&query, "section:%s ", ksearch_field_key(ksearch_field_parse(sec)));
	if (kbuf_adds(&query, q) < 0) {
		kbuf_release(&query);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	rc = ksearch_mark_case(req->st, kbuf_str(&query), req->reader, c, HL_OPEN, HL_CLOSE, &n, err);
	kbuf_release(&query);
	if (rc < 0)
		return rc;
	if (n)
		snprintf(note, sizeof(note), T(req, T_HL_NOTE_N), q, n);
	else
		snprintf(note, sizeof(note), T(req, T_HL_NONE), q);
	html_printf(w, "<p class=\"hl-note\" role=\"note\">%s <a href=\"%s\">%s</a></p>\n", note,
		    web_url(req, "/cases/%U", c->id, NULL), T(req, T_HL_REMOVE));
	if (n)
		html_marks(w, HL_OPEN, HL_CLOSE);
	return 0;
}

int web_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kcase c;
	struct html w;
	int rc;

	kcase_init(&c);
	rc = web_load_case(req, req->args[0], &c, err);
	if (rc < 0)
		goto out;
	html_init(&w, &resp->body);
	web_begin(&w, req, c.title, "", "page-case");
	web_form_notice(&w, req); /* after an edit or publication (web_edit.c) */
	if ((rc = render_highlight_note(&w, req, &c, err)) < 0)
		goto out;
	html_printf(&w, "<div class=\"case-layout\">\n<article class=\"case\">\n");
	render_head(&w, req, &c);
	render_toc_top(&w, req, &c);
	render_body(&w, req, &c);
	html_marks(&w, 0, 0);
	html_printf(&w, "</article>\n<aside class=\"case-side\">\n"
		    "<section class=\"side-box\"><h2>%s</h2><ul class=\"tools\">"
		    "<li><a class=\"button secondary\" href=\"/api/cases/%U\" type=\"application/json\">%s</a></li>"
		    "<li><a class=\"button secondary\" href=\"/cases/%U/pdf\" type=\"application/pdf\">PDF</a></li>"
		    "<li><a class=\"button secondary\" href=\"%s\">%s</a></li>"
		    "<li><button class=\"button secondary\" type=\"button\" data-action=\"print\" hidden>%s</button></li>"
		    "</ul></section>\n",
		    T(req, T_CASE_TOOLS), c.id, T(req, T_JSON), c.id, web_url(req, "/cases/%U/history", c.id, NULL),
		    T(req, T_HISTORY), T(req, T_PRINT));
	if (kreader_can(req->reader, KCAP_CASE_EDIT))
		html_printf(&w, "<p><a class=\"button\" href=\"%s\">%s</a></p>\n",
			    web_url(req, "/cases/%U/edit", c.id, NULL), T(req, T_ED_EDIT));
	render_toc(&w, req, &c);
	render_similar(&w, req, &c);
	rc = render_same_document(&w, req, &c, err);
	if (rc < 0)
		goto out;
	html_printf(&w, "</aside>\n</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	kcase_free(&c);
	return rc;
}

/* ---- /cases/ID/history and /drafts/ID/history ------------------------------------------- */

static const struct {
	const char *key;
	enum kmsg label;
} fields[] = {
	{ "title", T_FIELD_TITLE }, { "source", T_FIELD_SOURCE }, { "category", T_CATEGORY },
	{ "summary", T_OVERVIEW }, { "key_lessons", T_KEY_LESSONS }, { "attributes", T_FIELD_ATTRIBUTES },
	{ "timeline", T_TIMELINE }, { "tags", T_TAGS }, { "tlp", T_FIELD_TLP },
};

/* The fields that differ between two revisions, as chips. */
static void render_changes(struct html *w, const struct khttp_req *req, json_t *a, json_t *b)
{
	json_t *sa = json_object_get(a, "sections"), *sb = json_object_get(b, "sections");
	const char *key;
	json_t *v;
	int any = 0, other = 0;

	html_printf(w, "<ul class=\"changes\">");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!json_equal(json_object_get(a, fields[i].key), json_object_get(b, fields[i].key)) &&
		    (json_object_get(a, fields[i].key) || json_object_get(b, fields[i].key))) {
			html_printf(w, "<li class=\"chip\">%s</li>", T(req, fields[i].label));
			any = 1;
		}
	}
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];
		const char *k = ksection_key(sec);

		if (!json_equal(json_object_get(sa, k), json_object_get(sb, k)) &&
		    (json_object_get(sa, k) || json_object_get(sb, k))) {
			html_printf(w, "<li class=\"chip\">%s</li>", i18n_section(req->lang, sec));
			any = 1;
		}
	}
	json_object_foreach(a, key, v) {
		int known = !strcmp(key, "id") || !strcmp(key, "sections");

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			known |= !strcmp(key, fields[i].key);
		if (!known && !json_equal(v, json_object_get(b, key)))
			other = 1;
	}
	if (other) {
		html_printf(w, "<li class=\"chip\">%s</li>", T(req, T_FIELD_OTHER));
		any = 1;
	}
	if (!any)
		html_printf(w, "<li class=\"muted\">—</li>");
	html_printf(w, "</ul>");
}

/*
 * Every revision the reader may see: its number, when (in the reader's
 * time zone: web_time), who saved it, a mark on draft revisions, what
 * changed since the one before, links to see it and its diff; and a form
 * to compare any two (web_edit.c draws the diff).
 */
int web_case_history(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	int draft = web_path_is_draft(req);
	const char *self = draft ? "/drafts/%U" : "/cases/%U";
	const char *tz = khttp_param(req, "tz");
	struct web_revs rs;
	struct kcase c;
	struct html w;
	int rc;

	kcase_init(&c);
	memset(&rs, 0, sizeof(rs));
	/* the current version decides visibility (a draft: whoever may see drafts) */
	rc = web_load_target(req, req->st, draft, req->args[0], &c, err);
	if (rc < 0)
		goto out;
	rc = web_revs_load(req, req->st, c.id, draft, &rs, err);
	if (rc < 0)
		goto out;
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, draft ? T_ED_DRAFT_HISTORY : T_HISTORY_TITLE), "", "page-history");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>",
		    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	if (draft)
		html_printf(&w, "<li><a href=\"%s\">%s</a></li>", web_url(req, "/drafts", NULL), T(req, T_ED_DRAFTS));
	html_printf(&w, "<li><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a></li><li aria-current=\"page\">%s</li></ol></nav>\n"
		    "<h1><span lang=\"ja\">%s</span> <span class=\"muted\">– %s</span></h1>\n",
		    web_url(req, self, c.id, NULL), c.title, T(req, T_HISTORY), c.title,
		    T(req, draft ? T_ED_DRAFT_HISTORY : T_HISTORY_TITLE));
	if (draft)
		html_printf(&w, "<p class=\"draft-banner\" role=\"note\">%s</p>\n", T(req, T_ED_DRAFT_BANNER));
	web_tz_choice(&w, req, draft ? "/drafts/%U/history" : "/cases/%U/history", c.id);
	if (rs.n > 1)
		web_diff_form(&w, req, draft, c.id, &rs, rs.v[1].revision, rs.v[0].revision);
	html_printf(&w, "<div class=\"table-scroll\"><table class=\"data history\">\n<thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\"></th></tr></thead>\n<tbody>\n",
		    T(req, T_REVISION), T(req, T_SAVED), T(req, T_ED_AUTHOR), T(req, T_TITLE), T(req, T_CHANGES));
	for (size_t i = 0; i < rs.n; i++) {
		const struct web_rev *r = &rs.v[i];
		char n[16], p[16];

		snprintf(n, sizeof(n), "%d", r->revision);
		html_printf(&w, "<tr%R><td class=\"num\">%d%R</td><td class=\"when\">%s</td><td>%s</td>",
			    r->draft ? " class=\"draft-rev\"" : "", r->revision, r->current ? " ✓" : "",
			    web_time(req, r->saved), r->author ? r->author : T(req, T_ED_UNKNOWN_AUTHOR));
		html_printf(&w, "<td lang=\"ja\">%s", json_string_value(json_object_get(r->json, "title")));
		if (r->current)
			html_printf(&w, " <span class=\"chip\">%s</span>", T(req, T_CURRENT));
		if (r->draft)
			html_printf(&w, " <span class=\"chip draft-chip\">%s</span>", T(req, T_ED_DRAFT_MARK));
		html_printf(&w, "</td><td>");
		if (i + 1 < rs.n)
			render_changes(&w, req, r->json, rs.v[i + 1].json); /* since the one before it shown */
		else
			html_printf(&w, "<span class=\"muted\">%s</span>", T(req, T_FIRST_VERSION));
		html_printf(&w, "</td><td class=\"rev-links\"><a href=\"%s\">%s</a>",
			    web_url(req, draft ? "/drafts/%U/revisions/%U" : "/cases/%U/revisions/%U", c.id, n, "tz", tz, NULL),
			    T(req, T_ED_VIEW));
		if (i + 1 < rs.n) {
			snprintf(p, sizeof(p), "%d", rs.v[i + 1].revision);
			html_printf(&w, " · <a href=\"%s\">%s</a>",
				    web_url(req, draft ? "/drafts/%U/diff" : "/cases/%U/diff", c.id, "from", p, "to", n, "tz", tz,
					    NULL), T(req, T_ED_DIFF));
		}
		html_printf(&w, "</td></tr>\n");
	}
	html_printf(&w, "</tbody></table></div>\n<p><a href=\"%s\">%s</a>", web_url(req, self, c.id, NULL),
		    T(req, draft ? T_ED_BACK_TO_DRAFT : T_BACK_TO_CASE));
	if (!draft)
		html_printf(&w, " · <a href=\"/api/cases/%U/history\">%s</a>", c.id, T(req, T_JSON));
	html_printf(&w, "</p>\n");
	web_end(&w, req);
	if (draft)
		resp->no_store = 1;
	rc = web_finish(&w, resp, err);
out:
	web_revs_free(&rs);
	kcase_free(&c);
	return rc;
}
