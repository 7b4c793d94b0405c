/*
 * web_compare.c - /compare?ids=A,B,C: two or three cases side by side, one
 * column per case and one row per part of the template (overview, key
 * lessons, 背景, 検知, 対処, 原因, 再発防止策, 得られた気付き・教訓 ...).
 *
 * The ids come as one comma-separated ids= or as repeated ids= (the
 * search page's checkboxes, a GET form).  Each case is loaded for the
 * reader (web_load_case): a case the reader may not see is reported as
 * not found, exactly like an absent one, and never shown.
 */
#include "web.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"

#include <stdlib.h>
#include <string.h>

#define COMPARE_MIN 2
#define COMPARE_MAX 3
#define IDS_MAX 16 /* ids looked at before saying there are too many */

/* Split the ids= parameters into ids[] (copies in *keep); the number of distinct ids, up to IDS_MAX + 1. */
static int collect_ids(const struct khttp_req *req, char *ids[IDS_MAX + 1], struct kbuf *keep)
{
	size_t off[IDS_MAX + 1];
	int n = 0;

	for (int i = 0; i < req->nquery && i < req->nparams && n <= IDS_MAX; i++) {
		const char *v = req->params[i].value, *p = v;

		if (strcmp(req->params[i].name, "ids"))
			continue;
		while (*p && n <= IDS_MAX) {
			size_t len = strcspn(p, ", ");

			if (len) {
				off[n++] = keep->len;
				if (kbuf_add(keep, p, len) < 0 || kbuf_addch(keep, '\0') < 0)
					return -1;
			}
			p += len;
			p += strspn(p, ", ");
		}
	}
	for (int i = 0; i < n; i++)
		ids[i] = keep->buf + off[i];
	/* the same case twice counts once */
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(ids[i], ids[k])) {
				memmove(&ids[i], &ids[i + 1], (size_t)(n - i - 1) * sizeof(ids[0]));
				n--;
				i--;
				break;
			}
	return n;
}

/* A row's heading in both languages. */
static void row_head(struct html *w, const char *ja, const char *en)
{
	html_printf(w, "<tr><th scope=\"row\"><span lang=\"ja\">%s</span><span class=\"en\" lang=\"en\">%s</span></th>",
		    ja, en);
}

static void empty_cell(struct html *w, const struct khttp_req *req)
{
	html_printf(w, "<td class=\"empty\">%s</td>", T(req, T_COMPARE_EMPTY));
}

static void list_row(struct html *w, const struct khttp_req *req, const char *ja, const char *en,
		     const struct kcase *c, int n, int lessons)
{
	row_head(w, ja, en);
	for (int i = 0; i < n; i++) {
		const struct kstrv *v = lessons ? &c[i].key_lessons : &c[i].summary;

		if (!v->n) {
			empty_cell(w, req);
			continue;
		}
		html_printf(w, "<td lang=\"ja\"><ul>");
		for (size_t k = 0; k < v->n; k++)
			html_printf(w, "<li>%s</li>", v->v[k]);
		html_printf(w, "</ul></td>");
	}
	html_printf(w, "</tr>\n");
}

static void tags_cell(struct html *w, const struct khttp_req *req, const struct kcase *c)
{
	int any = 0;

	html_printf(w, "<td><ul class=\"tags\">");
	if (c->tags.event_class) {
		html_printf(w, "<li>%s</li>", i18n_tag(req->lang, c->tags.event_class));
		any = 1;
	}
	for (size_t k = 0; k < c->tags.threats.n; k++, any = 1)
		html_printf(w, "<li>%s</li>", i18n_tag(req->lang, c->tags.threats.v[k]));
	for (size_t k = 0; k < c->tags.sectors.n; k++, any = 1)
		html_printf(w, "<li>%s</li>", i18n_tag(req->lang, c->tags.sectors.v[k]));
	if (!any)
		html_printf(w, "<li class=\"empty\">%s</li>", T(req, T_UNCLASSIFIED));
	html_printf(w, "</ul></td>");
}

int web_compare(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kcase c[COMPARE_MAX];
	struct kbuf keep = KBUF_INIT, missing = KBUF_INIT;
	struct kerr lerr = KERR_INIT;
	char *ids[IDS_MAX + 1];
	char num[48];
	struct html w;
	int n, rc;

	for (int i = 0; i < COMPARE_MAX; i++)
		kcase_init(&c[i]);
	if ((n = collect_ids(req, ids, &keep)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (n < COMPARE_MIN || n > COMPARE_MAX) {
		rc = kerr_set(err, KE_USAGE, "%s", T(req, T_COMPARE_COUNT));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = web_load_case(req, ids[i], &c[i], &lerr)) == KE_NOTFOUND || rc == KE_USAGE) {
			/* absent, hidden from this reader or malformed: the same answer */
			if (kbuf_addf(&missing, "%s%.64s", missing.len ? ", " : "", ids[i]) < 0) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			continue;
		}
		if (rc < 0) {
			rc = kerr_set(err, rc, "%s", lerr.msg);
			goto out;
		}
	}
	if (missing.len) {
		rc = kerr_set(err, KE_NOTFOUND, "%s: %s", T(req, T_COMPARE_NOTFOUND), kbuf_str(&missing));
		goto out;
	}
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_COMPARE_TITLE), "", "page-compare");
	html_printf(&w, "<h1>%s</h1>\n<div class=\"compare-wrap\">\n<table class=\"compare cols-%d\">\n<thead><tr>"
		    "<th scope=\"col\">%s</th>", T(req, T_COMPARE_TITLE), n, T(req, T_COMPARE_SECTION));
	for (int i = 0; i < n; i++) {
		html_printf(&w, "<th scope=\"col\"><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a><div class=\"meta\">",
			    web_url(req, "/cases/%U", c[i].id, NULL), c[i].title);
		if (c[i].source.document)
			html_printf(&w, "<span>%s %s</span>", c[i].source.document,
				    web_case_number(req, c[i].source.has_case_number, c[i].source.case_number, num,
						    sizeof(num)));
		if (c[i].source.has_year) {
			snprintf(num, sizeof(num), T(req, T_YEAR_N), c[i].source.year);
			html_printf(&w, "<span>%s</span>", num);
		}
		if (c[i].tlp && strcmp(c[i].tlp, "clear"))
			web_tlp_badge(&w, req, c[i].tlp);
		html_printf(&w, "</div></th>");
	}
	html_printf(&w, "</tr></thead>\n<tbody>\n");
	row_head(&w, "分類", "Category");
	for (int i = 0; i < n; i++) {
		if (c[i].category)
			html_printf(&w, "<td lang=\"ja\">%s</td>", c[i].category);
		else
			empty_cell(&w, req);
	}
	html_printf(&w, "</tr>\n");
	row_head(&w, "タグ", "Tags");
	for (int i = 0; i < n; i++)
		tags_cell(&w, req, &c[i]);
	html_printf(&w, "</tr>\n");
	list_row(&w, req, "事例の概要", "Overview", c, n, 0);
	list_row(&w, req, "主な気付き・教訓", "Key lessons", c, n, 1);
	for (int s = 0; s < KSEC__N; s++) {
		int sec = ksection_display_order[s], any = 0;

		for (int i = 0; i < n; i++)
			any |= c[i].sections[sec] && *c[i].sections[sec];
		if (!any)
			continue; /* a section none of them has */
		row_head(&w, ksection_label_ja(sec), ksection_label_en(sec));
		for (int i = 0; i < n; i++) {
			if (!c[i].sections[sec] || !*c[i].sections[sec]) {
				empty_cell(&w, req);
				continue;
			}
			html_printf(&w, "<td lang=\"ja\">");
			html_lines(&w, c[i].sections[sec]);
			html_printf(&w, "</td>");
		}
		html_printf(&w, "</tr>\n");
	}
	html_printf(&w, "</tbody>\n</table>\n</div>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	for (int i = 0; i < COMPARE_MAX; i++)
		kcase_free(&c[i]);
	kbuf_release(&keep);
	kbuf_release(&missing);
	return rc;
}
