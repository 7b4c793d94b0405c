/*
 * pubreport.c - writing a published report (報告書): the HTML pages
 * (index.html with the introduction, the case list by category as a
 * table, every case and the 総括; one page per case), the stylesheet, and
 * the folder they are written to, atomically (see pubreport.h).  The
 * Markdown is pubreport_md.c's, the PDF pdfdoc.c's, the assembling from
 * the store pubreport_build.c's.
 *
 * Every byte of a case goes through html_printf (escaped by construction);
 * the pages need no script; Japanese with the English headings beside.
 */

#include "pubreport.h"
#include "embedded.h"
#include "html.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdfdoc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kpubreport_free(struct kpubreport *r)
{
	free(r->name);
	free(r->title);
	free(r->period);
	free(r->publisher);
	free(r->date);
	free(r->tlp);
	free(r->intro);
	kcase_list_free(&r->cases);
	ktheme_list_free(&r->themes);
	memset(r, 0, sizeof(*r));
}

const char *kpubreport_css(size_t *len)
{
	if (len)
		*len = KEMBED_LEN(kembed_report_css);
	return (const char *)kembed_report_css;
}

/* ---- pieces shared by the pages -------------------------------------------------------- */

/* How links are written: files in a folder, or the site's pages under /reports/NAME. */
enum mode { M_FILES, M_WEB };

struct page {
	struct html *w;
	const struct kpubreport *r;
	enum mode mode;
	int on_case_page; /* a page of its own for one case (links go up a folder) */
	int has_pdf;      /* report.pdf was made: link it */
};

static const char *tlp_of(const char *tlp)
{
	return tlp && *tlp ? tlp : "amber";
}

static const char *tlp_class(const char *tlp)
{
	static const char *const cls[] = { "tlp-clear", "tlp-green", "tlp-amber", "tlp-amber-strict", "tlp-red" };
	int k = ktlp_rank(tlp_of(tlp));

	return cls[k < 0 ? 2 : k];
}

/* "TLP:AMBER+STRICT" into buf. */
static const char *tlp_label(const char *tlp, char *buf, size_t n)
{
	size_t i = 0;

	i = (size_t)snprintf(buf, n, "TLP:");
	for (const char *p = tlp_of(tlp); *p && i + 1 < n; p++)
		buf[i++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
	buf[i] = 0;
	return buf;
}

/* The TLP label at the top (and foot) of every page when the report is not TLP:CLEAR. */
static void tlp_banner(struct page *p, const char *where)
{
	char lbl[32];

	if (ktlp_rank(tlp_of(p->r->tlp)) == 0)
		return;
	html_printf(p->w, "<p class=\"pr-tlp-banner %R %R\" role=\"note\"><strong>%s</strong> "
		    "<span class=\"pr-tlp-note\">%s <span lang=\"en\">%s</span></span></p>\n",
		    tlp_class(p->r->tlp), where, tlp_label(p->r->tlp, lbl, sizeof(lbl)),
		    "この報告書は TLP に従って取り扱ってください。", "Handle this report as its TLP label says.");
}

static void heading(struct page *p, int level, const char *id, const char *ja, const char *en)
{
	if (id)
		html_printf(p->w, "<h%d id=\"%s\">%s <span class=\"en\" lang=\"en\">%s</span></h%d>\n", level, id, ja,
			    en, level);
	else
		html_printf(p->w, "<h%d>%s <span class=\"en\" lang=\"en\">%s</span></h%d>\n", level, ja, en, level);
}

/* The link to case c's own page. */
static void case_href(struct page *p, const struct kcase *c)
{
	if (p->mode == M_WEB)
		html_printf(p->w, "/reports/%U/cases/%U", p->r->name, c->id);
	else if (p->on_case_page)
		html_printf(p->w, "%U.html", c->id);
	else
		html_printf(p->w, "cases/%U.html", c->id);
}

static void index_href(struct page *p)
{
	if (p->mode == M_WEB)
		html_printf(p->w, "/reports/%U", p->r->name);
	else
		html_printf(p->w, "%R", p->on_case_page ? "../index.html" : "index.html");
}

static const char *category_of(const struct kcase *c)
{
	return c->category && *c->category ? c->category : NULL;
}

static int same_category(const struct kcase *a, const struct kcase *b)
{
	const char *x = category_of(a), *y = category_of(b);

	return x == y || (x && y && !strcmp(x, y));
}

static void list_items(struct page *p, const struct kstrv *v)
{
	html_printf(p->w, "<ul>");
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] && *v->v[i])
			html_printf(p->w, "<li>%s</li>", v->v[i]);
	html_printf(p->w, "</ul>");
}

static int has_text(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
			return 1;
	return 0;
}

static int strv_has_text(const struct kstrv *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (has_text(v->v[i]))
			return 1;
	return 0;
}

/* The source line of a case: its number in the report, id, document and year, category, sectors, TLP. */
static void case_meta(struct page *p, const struct kcase *c, size_t no)
{
	char lbl[32];

	html_printf(p->w, "<p class=\"pr-case-meta\"><span class=\"pr-case-no\">事例 %zu</span> · <code>%s</code>", no,
		    c->id);
	if (c->source.document)
		html_printf(p->w, " · %s", c->source.document);
	if (c->source.has_year)
		html_printf(p->w, " (%d年度)", c->source.year);
	if (c->source.has_case_number)
		html_printf(p->w, " 事例%d", c->source.case_number);
	if (category_of(c))
		html_printf(p->w, " · %s", c->category);
	for (size_t i = 0; i < c->tags.sectors.n; i++)
		html_printf(p->w, " · <span class=\"pr-sector\">%s</span>", c->tags.sectors.v[i]);
	html_printf(p->w, " · <span class=\"tlp %R\">%s</span></p>\n", tlp_class(c->tlp),
		    tlp_label(c->tlp, lbl, sizeof(lbl)));
}

/* One case in full: level is its title's heading level (sections one below). */
static void case_body(struct page *p, const struct kcase *c, size_t no, int level)
{
	int sub = level + 1;

	case_meta(p, c, no);
	if (strv_has_text(&c->summary)) {
		heading(p, sub, NULL, "事例の概要", "Overview");
		list_items(p, &c->summary);
	}
	if (strv_has_text(&c->key_lessons)) {
		html_printf(p->w, "<div class=\"pr-lessons-box\">");
		heading(p, sub, NULL, "主な気付き・教訓", "Main lessons");
		list_items(p, &c->key_lessons);
		html_printf(p->w, "</div>\n");
	}
	if (has_text(c->attributes.organization) || has_text(c->attributes.factors)) {
		html_printf(p->w, "<dl class=\"pr-attrs\">");
		if (has_text(c->attributes.organization))
			html_printf(p->w, "<dt>組織属性 <span lang=\"en\">Organisation</span></dt><dd>%s</dd>",
				    c->attributes.organization);
		if (has_text(c->attributes.factors))
			html_printf(p->w, "<dt>要因 <span lang=\"en\">Factors</span></dt><dd>%s</dd>",
				    c->attributes.factors);
		html_printf(p->w, "</dl>\n");
	}
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];

		if (!has_text(c->sections[sec]))
			continue; /* an empty section is left out */
		html_printf(p->w, "<section class=\"pr-case-section\">");
		heading(p, sub, NULL, ksection_label_ja(sec), ksection_label_en(sec));
		html_lines(p->w, c->sections[sec]);
		html_printf(p->w, "</section>\n");
	}
	if (c->ntimeline) {
		html_printf(p->w, "<section class=\"pr-case-section\">");
		heading(p, sub, NULL, "時系列", "Timeline");
		html_printf(p->w, "<table class=\"pr-timeline\"><thead><tr><th>日 Day</th><th>日時 When</th>"
			    "<th>主体 Who</th><th>出来事 What</th></tr></thead><tbody>\n");
		for (size_t k = 0; k < c->ntimeline; k++) {
			const struct kevent *e = &c->timeline[k];

			if (e->has_day)
				html_printf(p->w, "<tr><td>%d</td>", e->day);
			else
				html_printf(p->w, "<tr><td></td>");
			html_printf(p->w, "<td>%s</td><td>%s</td><td>%s</td></tr>\n", e->when, e->actor, e->text);
		}
		html_printf(p->w, "</tbody></table></section>\n");
	}
}

static const char *const list_marks[] = { "・", "•", "●", "○", "■", "□", "◆", "◇", "- ", NULL };

/* The first n lines of s that are not blank, each without its own bullet, appended to out. */
static int first_lines(const char *s, int n, struct kstrv *out)
{
	while (s && *s && n > 0) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		const char *t = s;
		size_t k = len;

		s += len + (nl ? 1 : 0);
		while (k && (*t == ' ' || *t == '\t' || *t == '\r'))
			t++, k--;
		while (k && (t[k - 1] == ' ' || t[k - 1] == '\t' || t[k - 1] == '\r'))
			k--;
		for (const char *const *m = list_marks; *m; m++) /* the line's own bullet: ours replaces it */
			if (k >= strlen(*m) && !memcmp(t, *m, strlen(*m))) {
				t += strlen(*m), k -= strlen(*m);
				while (k && *t == ' ')
					t++, k--;
				break;
			}
		if (!k)
			continue;
		if (kstrv_pushn(out, t, k) < 0)
			return KE_NOMEM;
		n--;
	}
	return 0;
}

int kpubreport_list_cell(const struct kcase *c, int lessons, struct kstrv *out)
{
	const struct kstrv *v = lessons ? &c->key_lessons : &c->summary;
	int rc = 0;

	for (size_t i = 0; i < v->n && !rc; i++)
		if (has_text(v->v[i]))
			rc = kstrv_push(out, v->v[i]) < 0 ? KE_NOMEM : 0;
	if (!rc && !out->n)
		rc = lessons ? first_lines(c->sections[KSEC_LESSONS], 3, out)
			     : first_lines(c->sections[KSEC_BACKGROUND], 2, out);
	return rc;
}

/* ---- the index ------------------------------------------------------------------------- */

static void case_list(struct page *p)
{
	const struct kcase_list *l = &p->r->cases;
	int any_cat = 0;

	for (size_t i = 0; i < l->n && !any_cat; i++)
		any_cat = category_of(&l->v[i]) != NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct kcase *c = &l->v[i];

		if (!i || (any_cat && !same_category(c, &l->v[i - 1]))) {
			if (i)
				html_printf(p->w, "</tbody></table>\n");
			if (category_of(c))
				html_printf(p->w, "<h3 class=\"pr-category\">%s</h3>\n", c->category);
			else if (any_cat) /* no categories at all: one table, no heading */
				heading(p, 3, NULL, "その他", "Other");
			html_printf(p->w, "<table class=\"pr-case-table\"><thead><tr><th class=\"pr-no\">No.</th>"
				    "<th class=\"pr-title\">事例 <span lang=\"en\">Case</span></th>"
				    "<th>事例の概要 <span lang=\"en\">Overview</span></th>"
				    "<th>主な気付き・教訓 <span lang=\"en\">Main lessons</span></th></tr></thead><tbody>\n");
		}
		html_printf(p->w, "<tr><td class=\"pr-no\">%zu</td><td class=\"pr-title\"><a href=\"", i + 1);
		case_href(p, c);
		html_printf(p->w, "\">%s</a></td>", c->title);
		for (int k = 0; k < 2; k++) {
			struct kstrv cell = { 0 };

			if (kpubreport_list_cell(c, k, &cell) < 0)
				p->w->err = KE_NOMEM;
			html_printf(p->w, "<td>");
			if (cell.n)
				list_items(p, &cell);
			html_printf(p->w, "</td>");
			kstrv_clear(&cell);
		}
		html_printf(p->w, "</tr>\n");
	}
	if (l->n)
		html_printf(p->w, "</tbody></table>\n");
}

static void themes(struct page *p)
{
	const struct ktheme_list *t = &p->r->themes;

	if (!t->n) {
		html_printf(p->w, "<p class=\"pr-empty\">%s <span lang=\"en\">%s</span></p>\n",
			    "これらの事例からは、事例をまたぐ教訓のテーマは算出されませんでした。",
			    "No cross-case themes were computed for these cases.");
		return;
	}
	html_printf(p->w, "<p>%s <span lang=\"en\">%s</span></p>\n",
		    "各事例の気付き・教訓を、事例をまたぐテーマにまとめました。「共通」は複数の組織に見られた教訓、「固有」は一つの事例に固有の教訓です。",
		    "The lessons of the cases grouped into themes; 共通 marks a lesson shared by several "
		    "organisations, 固有 one specific to one case.");
	for (size_t i = 0; i < t->n; i++) {
		const struct ktheme *th = &t->v[i];
		size_t last = (size_t)-1;

		html_printf(p->w, "<section class=\"pr-theme\"><h3>%s", th->name);
		if (th->name_en && *th->name_en)
			html_printf(p->w, " <span class=\"en\" lang=\"en\">%s</span>", th->name_en);
		html_printf(p->w, "</h3>\n<p class=\"pr-theme-cases\">事例 <span lang=\"en\">Cases</span>:");
		/* the cases it comes from, once each, in the report's order */
		for (size_t k = 0; k < p->r->cases.n; k++) {
			int in = 0;

			for (size_t j = 0; j < th->n && !in; j++)
				in = th->lessons[j].case_index == k;
			if (!in)
				continue;
			html_printf(p->w, " <a href=\"");
			case_href(p, &p->r->cases.v[k]);
			html_printf(p->w, "\">%zu</a>", k + 1);
		}
		html_printf(p->w, "</p>\n<ul class=\"pr-theme-lessons\">\n");
		for (size_t j = 0; j < th->n; j++) {
			const struct ktheme_lesson *ls = &th->lessons[j];

			html_printf(p->w, "<li><span class=\"pr-mark %R\">%s</span> %s", ls->shared ? "pr-shared" : "pr-specific",
				    ls->shared ? "共通" : "固有", ls->text);
			if (ls->case_index < p->r->cases.n && ls->case_index != last) {
				html_printf(p->w, " <a class=\"pr-from\" href=\"");
				case_href(p, &p->r->cases.v[ls->case_index]);
				html_printf(p->w, "\">(事例 %zu)</a>", ls->case_index + 1);
			}
			html_printf(p->w, "</li>\n");
		}
		html_printf(p->w, "</ul></section>\n");
	}
}

/* The intro text: paragraphs separated by blank lines, lines starting with a bullet are list items. */
static void intro(struct page *p)
{
	const char *s = p->r->intro;

	if (!has_text(s))
		return;
	html_lines(p->w, s);
}

static void doc_head(struct page *p, const char *title, const char *css)
{
	html_printf(p->w, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"generator\" content=\"kyokun\">\n<title>%s</title>\n"
		    "<link rel=\"stylesheet\" href=\"%R\">\n</head>\n<body class=\"pubreport\">\n",
		    title, css);
}

static void report_meta(struct page *p)
{
	const struct kpubreport *r = p->r;
	char lbl[32];

	html_printf(p->w, "<dl class=\"pr-report-meta\">");
	if (r->period)
		html_printf(p->w, "<div><dt>対象期間 <span lang=\"en\">Period</span></dt><dd>%s</dd></div>", r->period);
	if (r->publisher)
		html_printf(p->w, "<div><dt>発行 <span lang=\"en\">Published by</span></dt><dd>%s</dd></div>",
			    r->publisher);
	html_printf(p->w, "<div><dt>発行日 <span lang=\"en\">Date</span></dt><dd>%s</dd></div>"
		    "<div><dt>事例数 <span lang=\"en\">Cases</span></dt><dd>%zu</dd></div>"
		    "<div><dt>TLP</dt><dd><span class=\"tlp %R\">%s</span></dd></div></dl>\n",
		    r->date, r->cases.n, tlp_class(r->tlp), tlp_label(r->tlp, lbl, sizeof(lbl)));
}

static void index_body(struct page *p)
{
	const struct kpubreport *r = p->r;

	tlp_banner(p, "pr-top");
	html_printf(p->w, "<header class=\"pr-report-head\"><p class=\"pr-kicker\">報告書 <span lang=\"en\">Report</span></p>"
		    "<h1>%s</h1>\n", r->title);
	report_meta(p);
	html_printf(p->w, "<p class=\"pr-downloads\">");
	if (p->has_pdf && p->mode == M_WEB)
		html_printf(p->w, "<a href=\"/reports/%U/report.pdf\">PDF</a> · ", r->name);
	else if (p->has_pdf)
		html_printf(p->w, "<a href=\"report.pdf\">PDF</a> · ");
	if (p->mode == M_WEB)
		html_printf(p->w, "<a href=\"/reports/%U/report.md\">Markdown</a></p>\n", r->name);
	else
		html_printf(p->w, "<a href=\"report.md\">Markdown</a></p>\n");
	html_printf(p->w, "</header>\n<nav class=\"pr-toc\" aria-label=\"目次 Contents\">");
	heading(p, 2, NULL, "目次", "Contents");
	html_printf(p->w, "<ol><li><a href=\"#intro\">はじめに <span lang=\"en\">Introduction</span></a></li>"
		    "<li><a href=\"#case-list\">事例一覧 <span lang=\"en\">Case list</span></a></li>"
		    "<li><a href=\"#cases\">事例 <span lang=\"en\">Cases</span></a><ol>");
	for (size_t i = 0; i < r->cases.n; i++)
		html_printf(p->w, "<li><a href=\"#case-%s\">%s</a></li>", r->cases.v[i].id, r->cases.v[i].title);
	html_printf(p->w, "</ol></li><li><a href=\"#summary\">総括 <span lang=\"en\">Cross-case lessons</span></a></li>"
		    "</ol></nav>\n");
	html_printf(p->w, "<section class=\"pr-intro\">");
	heading(p, 2, "intro", "はじめに", "Introduction");
	intro(p);
	html_printf(p->w, "</section>\n<section class=\"pr-case-list\">");
	heading(p, 2, "case-list", "事例一覧", "Case list");
	case_list(p);
	html_printf(p->w, "</section>\n<section class=\"pr-cases\">");
	heading(p, 2, "cases", "事例", "Cases");
	for (size_t i = 0; i < r->cases.n; i++) {
		const struct kcase *c = &r->cases.v[i];

		html_printf(p->w, "<article class=\"pr-case\" id=\"case-%s\"><h3>%s</h3>\n", c->id, c->title);
		case_body(p, c, i + 1, 3);
		html_printf(p->w, "<p class=\"pr-case-link\"><a href=\"");
		case_href(p, c);
		html_printf(p->w, "\">この事例のページ <span lang=\"en\">This case's page</span></a></p></article>\n");
	}
	html_printf(p->w, "</section>\n<section class=\"pr-summary\">");
	heading(p, 2, "summary", "総括", "Cross-case lessons");
	themes(p);
	html_printf(p->w, "</section>\n");
	tlp_banner(p, "pr-bottom");
}

static void case_page_body(struct page *p, const struct kcase *c, size_t no)
{
	tlp_banner(p, "pr-top");
	html_printf(p->w, "<nav class=\"pr-crumb\"><a href=\"");
	index_href(p);
	html_printf(p->w, "\">%s</a> › 事例 %zu</nav>\n", p->r->title, no);
	html_printf(p->w, "<article class=\"pr-case\"><h1>%s</h1>\n", c->title);
	case_body(p, c, no, 1);
	html_printf(p->w, "</article>\n<nav class=\"pr-case-nav\">");
	if (no > 1) {
		html_printf(p->w, "<a rel=\"prev\" href=\"");
		case_href(p, &p->r->cases.v[no - 2]);
		html_printf(p->w, "\">← 事例 %zu</a> ", no - 1);
	}
	html_printf(p->w, "<a href=\"");
	index_href(p);
	html_printf(p->w, "\">目次 <span lang=\"en\">Contents</span></a>");
	if (no < p->r->cases.n) {
		html_printf(p->w, " <a rel=\"next\" href=\"");
		case_href(p, &p->r->cases.v[no]);
		html_printf(p->w, "\">事例 %zu →</a>", no + 1);
	}
	html_printf(p->w, "</nav>\n");
	tlp_banner(p, "pr-bottom");
}

static void doc_foot(struct page *p)
{
	html_printf(p->w, "<footer class=\"pr-report-foot\"><p>%s · %s</p></footer>\n</body>\n</html>\n", p->r->title,
		    p->r->date);
}

/* Take the page's buffer into files as path (html: the type). */
static int take(struct kpubfiles *files, const char *path, const char *type, struct kbuf *b, struct page *p,
		struct kerr *err)
{
	size_t len = 0;
	char *data;
	int rc;

	if (p && p->w->err) {
		kbuf_release(b);
		return kerr_set(err, p->w->err, "%s: could not be written (%s)", path, kerr_name(p->w->err));
	}
	if (!b->buf && kbuf_add(b, "", 0) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	data = kbuf_detach(b, &len);
	if ((rc = kpubfiles_add(files, path, type, data, len)))
		return kerr_set(err, rc, "out of memory");
	return 0;
}

static int render_index(const struct kpubreport *r, enum mode mode, int has_pdf, struct kpubfiles *files,
			struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	struct html hw;
	struct page p = { .w = &hw, .r = r, .mode = mode, .has_pdf = has_pdf };

	html_init(&hw, &b);
	if (mode == M_FILES)
		doc_head(&p, r->title, "report.css");
	index_body(&p);
	if (mode == M_FILES)
		doc_foot(&p);
	return take(files, mode == M_FILES ? "index.html" : "web/index.html", "text/html; charset=utf-8", &b, &p,
		    err);
}

static int render_case(const struct kpubreport *r, size_t i, enum mode mode, struct kpubfiles *files,
		       struct kerr *err)
{
	const struct kcase *c = &r->cases.v[i];
	struct kbuf b = KBUF_INIT, path = KBUF_INIT;
	struct html hw;
	struct page p = { .w = &hw, .r = r, .mode = mode, .on_case_page = 1 };
	char title[600];
	int rc;

	html_init(&hw, &b);
	if (mode == M_FILES) {
		snprintf(title, sizeof(title), "%.*s — %.*s", kutf8_cut(c->title, 280), c->title,
			 kutf8_cut(r->title, 280), r->title);
		doc_head(&p, title, "../report.css");
	}
	case_page_body(&p, c, i + 1);
	if (mode == M_FILES)
		doc_foot(&p);
	if (kbuf_addf(&path, "%scases/%s%s", mode == M_WEB ? "web/" : "", c->id, mode == M_FILES ? ".html" : "") <
	    0) {
		kbuf_release(&b);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	rc = take(files, kbuf_str(&path), "text/html; charset=utf-8", &b, &p, err);
	kbuf_release(&path);
	return rc;
}

/* A test hook: KYOKUN_TEST_PUBLISH_FAIL=pdf makes the PDF step fail (tests of "nothing left behind"). */
static int pdf_fails_for_test(void)
{
	const char *v = getenv("KYOKUN_TEST_PUBLISH_FAIL");

	return v && !strcmp(v, "pdf");
}

int kpubreport_render(const struct kpubreport *r, int flags, struct kpubfiles *files, const char **pdf_note,
		      struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	size_t csslen;
	const char *css = kpubreport_css(&csslen);
	char *cssdup;
	int rc, has_pdf = 0;

	if (pdf_note)
		*pdf_note = NULL;
	/* the PDF first: the pages link it only if it was made */
	if (flags & KPUB_PDF) {
		if (pdf_fails_for_test())
			rc = kerr_set(err, KE_IO, "the PDF could not be made (KYOKUN_TEST_PUBLISH_FAIL=pdf)");
		else
			rc = kpdfdoc_report(r, &b, err);
		if (rc == KE_UNSUPPORTED) {
			kbuf_release(&b);
			if (pdf_note)
				*pdf_note = "report.pdf is not written: PDF output is not available in this build";
			kerr_clear(err);
		} else if (rc < 0) {
			kbuf_release(&b);
			return kerr_prefix(err, "report.pdf: ");
		} else if ((rc = take(files, "report.pdf", "application/pdf", &b, NULL, err))) {
			return rc;
		} else {
			has_pdf = 1;
		}
	}
	if ((rc = render_index(r, M_FILES, has_pdf, files, err)))
		return rc;
	for (size_t i = 0; i < r->cases.n; i++)
		if ((rc = render_case(r, i, M_FILES, files, err)))
			return rc;
	if (!(cssdup = malloc(csslen + 1)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	memcpy(cssdup, css, csslen + 1);
	if ((rc = kpubfiles_add(files, "report.css", "text/css; charset=utf-8", cssdup, csslen)))
		return kerr_set(err, rc, "out of memory");
	if (kpubreport_markdown(r, &b) < 0) {
		kbuf_release(&b);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	if ((rc = take(files, "report.md", "text/markdown; charset=utf-8", &b, NULL, err)))
		return rc;
	if (kpubreport_to_json(r, &b) < 0) {
		kbuf_release(&b);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	if ((rc = take(files, "report.json", "application/json", &b, NULL, err)))
		return rc;
	return 0;
}

/* ---- the site's pages (web_publish.c) --------------------------------------------------- */

void kpubreport_html_index(struct html *w, const struct kpubreport *r, int has_pdf)
{
	struct page p = { .w = w, .r = r, .mode = M_WEB, .has_pdf = has_pdf };

	index_body(&p);
}

void kpubreport_html_case(struct html *w, const struct kpubreport *r, size_t i)
{
	struct page p = { .w = w, .r = r, .mode = M_WEB, .on_case_page = 1 };

	if (i < r->cases.n)
		case_page_body(&p, &r->cases.v[i], i + 1);
}

/* ---- the folder ------------------------------------------------------------------------ */

/* Remove the tree at path (files and folders we wrote); errors ignored. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char sub[4096];
			struct stat sb;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
				continue;
			if (!lstat(sub, &sb) && S_ISDIR(sb.st_mode))
				remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* 1 if dir exists and holds something, 0 if absent or empty, KE_IO if it is not a folder. */
static int dir_state(const char *dir, struct kerr *err)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int full = 0;

	if (stat(dir, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		return kerr_set(err, KE_IO, "%s: %s", dir, strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return kerr_set(err, KE_EXISTS, "%s: exists and is not a folder", dir);
	if (!(d = opendir(dir)))
		return kerr_set(err, KE_IO, "%s: %s", dir, strerror(errno));
	while (!full && (e = readdir(d)))
		full = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return full;
}

static int write_file(const char *path, const char *data, size_t len, struct kerr *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		return kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			return kerr_set(err, KE_IO, "%s: %s", path, strerror(e));
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		return kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
	return 0;
}

int kpubreport_write_dir(const struct kpubfiles *files, const char *dir, int force, struct kerr *err)
{
	struct kbuf tmp = KBUF_INIT, old = KBUF_INIT, path = KBUF_INIT;
	size_t dlen = strlen(dir);
	int rc, state, made = 0, moved = 0;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (!dlen)
		return kerr_set(err, KE_USAGE, "--out: a folder is needed");
	if ((state = dir_state(dir, err)) < 0)
		return state;
	if (state == 1 && !force)
		return kerr_set(err, KE_EXISTS, "%s: the folder exists and is not empty (--force replaces it)", dir);
	if (kbuf_addf(&tmp, "%.*s.tmp-XXXXXX", (int)dlen, dir) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!mkdtemp(tmp.buf)) {
		rc = kerr_set(err, KE_IO, "%.*s: cannot write a folder there: %s", (int)dlen, dir, strerror(errno));
		goto out;
	}
	made = 1;
	chmod(tmp.buf, 0755);
	for (size_t i = 0; i < files->n; i++) {
		const struct kpubfile *f = &files->v[i];
		const char *slash;

		if (!strncmp(f->path, "web/", 4))
			continue; /* the web's pages are the database's only */
		kbuf_reset(&path);
		if (kbuf_addf(&path, "%s/%s", tmp.buf, f->path) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		/* the one level of folders a report has (cases/) */
		if ((slash = strrchr(f->path, '/'))) {
			char sub[4096];

			snprintf(sub, sizeof(sub), "%s/%.*s", tmp.buf, (int)(slash - f->path), f->path);
			if (mkdir(sub, 0755) < 0 && errno != EEXIST) {
				rc = kerr_set(err, KE_IO, "%s: %s", sub, strerror(errno));
				goto out;
			}
		}
		if ((rc = write_file(path.buf, f->data, f->len, err)))
			goto out;
	}
	if (state == 1 || (state == 0 && force)) {
		struct stat sb;

		if (!stat(dir, &sb)) {
			/* replace atomically: the old folder out of the way, the new one in, the old one removed */
			if (kbuf_addf(&old, "%.*s.old-XXXXXX", (int)dlen, dir) < 0 || !mkdtemp(old.buf)) {
				rc = kerr_set(err, KE_IO, "%.*s: cannot write next to it: %s", (int)dlen, dir, strerror(errno));
				goto out;
			}
			if (rename(dir, old.buf) < 0) {
				rc = kerr_set(err, KE_IO, "%s: cannot replace it: %s", dir, strerror(errno));
				rmdir(old.buf);
				kbuf_release(&old);
				goto out;
			}
			moved = 1;
		}
	} else if (state == 0) {
		rmdir(dir); /* an empty folder given: ours takes its place */
	}
	if (rename(tmp.buf, dir) < 0) {
		rc = kerr_set(err, KE_IO, "%s: %s", dir, strerror(errno));
		if (moved)
			rename(old.buf, dir);
		moved = 0;
		goto out;
	}
	made = 0;
	rc = 0;
out:
	if (made)
		remove_tree(tmp.buf);
	if (moved && !rc)
		remove_tree(old.buf);
	kbuf_release(&tmp);
	kbuf_release(&old);
	kbuf_release(&path);
	return rc;
}
