/*
 * pubreport_md.c - a published report as Markdown (pandoc's dialect: pipe
 * tables, ATX headings): the same parts as index.html, in the same order.
 * Text from cases is escaped so that it is read as text, never as
 * Markdown or HTML.
 */
#include "pubreport.h"
#include "kbuf.h"
#include "kerr.h"

#include <string.h>

/* Text with Markdown's and HTML's special characters escaped; newlines as spaces when inline. */
static int md_text(struct kbuf *b, const char *s, int inl)
{
	int rc = 0;

	for (; s && *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r')
			continue;
		if (c == '\n') {
			rc = kbuf_addch(b, inl ? ' ' : '\n');
			continue;
		}
		if (c < 0x20 && c != '\t')
			continue;
		if (strchr("\\`*_{}[]<>#|!~$^&", c))
			rc = kbuf_addch(b, '\\');
		if (!rc)
			rc = kbuf_addch(b, c);
	}
	return rc;
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

static const char *tlp_upper(const char *tlp, char *buf, size_t n)
{
	size_t i = 0;

	for (const char *p = tlp && *tlp ? tlp : "amber"; *p && i + 1 < n; p++)
		buf[i++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
	buf[i] = 0;
	return buf;
}

/* Lines of s: bullets ("・", "-", ...) as list items, others as paragraphs. */
static int md_lines(struct kbuf *b, const char *s)
{
	int rc = 0, in_list = 0;

	while (s && *s && !rc) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		struct kbuf one = KBUF_INIT;
		const char *t = s;

		s += n + (nl ? 1 : 0);
		while (n && (*t == ' ' || *t == '\t' || *t == '\r'))
			t++, n--;
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		if (kbuf_add(&one, t, n) < 0)
			return KE_NOMEM;
		if (n > 3 && (!memcmp(t, "・", 3) || !memcmp(t, "●", 3) || !memcmp(t, "○", 3) || !memcmp(t, "■", 3))) {
			rc |= kbuf_adds(b, "- ");
			rc |= md_text(b, one.buf + 3, 1);
			rc |= kbuf_addch(b, '\n');
			in_list = 1;
		} else {
			size_t d = 0;

			if (in_list)
				rc |= kbuf_addch(b, '\n');
			in_list = 0;
			/* a paragraph that would read as a list item ("- x", "+ x", "1. x"): its marker escaped */
			while (d < one.len && one.buf[d] >= '0' && one.buf[d] <= '9')
				d++;
			if (one.buf[0] == '-' || one.buf[0] == '+')
				rc |= kbuf_addch(b, '\\');
			else if (d && d < one.len && (one.buf[d] == '.' || one.buf[d] == ')')) {
				rc |= kbuf_add(b, one.buf, d);
				rc |= kbuf_addch(b, '\\');
				memmove(one.buf, one.buf + d, one.len - d + 1);
				one.len -= d;
			}
			rc |= md_text(b, one.buf, 1);
			rc |= kbuf_adds(b, "\n\n");
		}
		kbuf_release(&one);
	}
	if (in_list)
		rc |= kbuf_addch(b, '\n');
	return rc;
}

static int md_list(struct kbuf *b, const struct kstrv *v)
{
	int rc = 0;

	for (size_t i = 0; i < v->n; i++) {
		if (!has_text(v->v[i]))
			continue;
		rc |= kbuf_adds(b, "- ");
		rc |= md_text(b, v->v[i], 1);
		rc |= kbuf_addch(b, '\n');
	}
	return rc | kbuf_addch(b, '\n');
}

/* A cell of the case list: its items joined with " ・" (pipe tables hold one line). */
static int md_cell(struct kbuf *b, const struct kcase *c, int lessons)
{
	struct kstrv v = { 0 };
	int rc = kpubreport_list_cell(c, lessons, &v);

	for (size_t i = 0; i < v.n && !rc; i++) {
		rc |= kbuf_adds(b, i ? " ・" : "・");
		rc |= md_text(b, v.v[i], 1);
	}
	kstrv_clear(&v);
	return rc;
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

int kpubreport_markdown(const struct kpubreport *r, struct kbuf *b)
{
	char tlp[32];
	int rc = 0, any_cat = 0;
	int clear = ktlp_rank(r->tlp && *r->tlp ? r->tlp : "amber") == 0;

	tlp_upper(r->tlp, tlp, sizeof(tlp));
	if (!clear)
		rc |= kbuf_addf(b, "**TLP:%s**\n\n", tlp);
	rc |= kbuf_adds(b, "# ");
	rc |= md_text(b, r->title, 1);
	rc |= kbuf_adds(b, "\n\n");
	if (r->period) {
		rc |= kbuf_adds(b, "- 対象期間 Period: ");
		rc |= md_text(b, r->period, 1);
		rc |= kbuf_addch(b, '\n');
	}
	if (r->publisher) {
		rc |= kbuf_adds(b, "- 発行 Published by: ");
		rc |= md_text(b, r->publisher, 1);
		rc |= kbuf_addch(b, '\n');
	}
	rc |= kbuf_addf(b, "- 発行日 Date: %s\n- 事例数 Cases: %zu\n- TLP: TLP:%s\n\n", r->date ? r->date : "",
			r->cases.n, tlp);
	rc |= kbuf_adds(b, "## はじめに Introduction\n\n");
	rc |= md_lines(b, r->intro);
	rc |= kbuf_adds(b, "## 事例一覧 Case list\n\n");
	for (size_t i = 0; i < r->cases.n && !any_cat; i++)
		any_cat = category_of(&r->cases.v[i]) != NULL;
	for (size_t i = 0; i < r->cases.n && !rc; i++) {
		const struct kcase *c = &r->cases.v[i];

		if (!i || (any_cat && !same_category(c, &r->cases.v[i - 1]))) {
			if (i)
				rc |= kbuf_addch(b, '\n');
			if (any_cat) { /* no categories at all: one table, no heading */
				rc |= kbuf_adds(b, "### ");
				rc |= category_of(c) ? md_text(b, c->category, 1) : kbuf_adds(b, "その他 Other");
				rc |= kbuf_adds(b, "\n\n");
			}
			rc |= kbuf_adds(b, "| No. | 事例 Case | 事例の概要 Overview | 主な気付き・教訓 Main lessons |\n"
					"|---:|---|---|---|\n");
		}
		rc |= kbuf_addf(b, "| %zu | ", i + 1);
		rc |= md_text(b, c->title, 1);
		rc |= kbuf_adds(b, " | ");
		rc |= md_cell(b, c, 0);
		rc |= kbuf_adds(b, " | ");
		rc |= md_cell(b, c, 1);
		rc |= kbuf_adds(b, " |\n");
	}
	rc |= kbuf_adds(b, "\n## 事例 Cases\n\n");
	for (size_t i = 0; i < r->cases.n && !rc; i++) {
		const struct kcase *c = &r->cases.v[i];

		rc |= kbuf_addf(b, "### 事例 %zu: ", i + 1);
		rc |= md_text(b, c->title, 1);
		rc |= kbuf_adds(b, "\n\n");
		rc |= kbuf_adds(b, "ID: ");
		rc |= md_text(b, c->id, 1);
		if (c->source.document) {
			rc |= kbuf_adds(b, " · ");
			rc |= md_text(b, c->source.document, 1);
		}
		if (category_of(c)) {
			rc |= kbuf_adds(b, " · ");
			rc |= md_text(b, c->category, 1);
		}
		rc |= kbuf_addf(b, " · TLP:%s\n\n", tlp_upper(c->tlp, tlp, sizeof(tlp)));
		if (strv_has_text(&c->summary)) {
			rc |= kbuf_adds(b, "#### 事例の概要 Overview\n\n");
			rc |= md_list(b, &c->summary);
		}
		if (strv_has_text(&c->key_lessons)) {
			rc |= kbuf_adds(b, "#### 主な気付き・教訓 Main lessons\n\n");
			rc |= md_list(b, &c->key_lessons);
		}
		for (int k = 0; k < KSEC__N; k++) {
			int sec = ksection_display_order[k];

			if (!has_text(c->sections[sec]))
				continue;
			rc |= kbuf_addf(b, "#### %s %s\n\n", ksection_label_ja(sec), ksection_label_en(sec));
			rc |= md_lines(b, c->sections[sec]);
		}
		if (c->ntimeline) {
			rc |= kbuf_adds(b, "#### 時系列 Timeline\n\n| 日 Day | 日時 When | 主体 Who | 出来事 What |\n"
					"|---:|---|---|---|\n");
			for (size_t e = 0; e < c->ntimeline; e++) {
				const struct kevent *ev = &c->timeline[e];

				if (ev->has_day)
					rc |= kbuf_addf(b, "| %d | ", ev->day);
				else
					rc |= kbuf_adds(b, "|  | ");
				rc |= md_text(b, ev->when, 1);
				rc |= kbuf_adds(b, " | ");
				rc |= md_text(b, ev->actor, 1);
				rc |= kbuf_adds(b, " | ");
				rc |= md_text(b, ev->text, 1);
				rc |= kbuf_adds(b, " |\n");
			}
			rc |= kbuf_addch(b, '\n');
		}
	}
	rc |= kbuf_adds(b, "## 総括 Cross-case lessons\n\n");
	if (!r->themes.n)
		rc |= kbuf_adds(b, "これらの事例からは、事例をまたぐ教訓のテーマは算出されませんでした。"
				" No cross-case themes were computed for these cases.\n\n");
	for (size_t i = 0; i < r->themes.n && !rc; i++) {
		const struct ktheme *t = &r->themes.v[i];

		rc |= kbuf_adds(b, "### ");
		rc |= md_text(b, t->name, 1);
		if (t->name_en && *t->name_en) {
			rc |= kbuf_addch(b, ' ');
			rc |= md_text(b, t->name_en, 1);
		}
		rc |= kbuf_adds(b, "\n\n");
		for (size_t j = 0; j < t->n; j++) {
			rc |= kbuf_adds(b, t->lessons[j].shared ? "- 【共通】" : "- 【固有】");
			rc |= md_text(b, t->lessons[j].text, 1);
			if (t->lessons[j].case_index < r->cases.n)
				rc |= kbuf_addf(b, "（事例 %zu）", t->lessons[j].case_index + 1);
			rc |= kbuf_addch(b, '\n');
		}
		rc |= kbuf_addch(b, '\n');
	}
	if (!clear)
		rc |= kbuf_addf(b, "**TLP:%s**\n", tlp_upper(r->tlp, tlp, sizeof(tlp)));
	return rc ? KE_NOMEM : 0;
}
