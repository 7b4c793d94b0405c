/*
 * pubreport_build.c - assembling a published report from the store (see
 * pubreport.h kpubreport_assemble): which cases (a period's kept
 * selection, a document, or ids), only those the acting reader may see,
 * never a draft; their order (category, case number, id); the report's TLP
 * (given and checked against every case, or the most restrictive case's);
 * the introduction; the 総括 (theme.h).
 */
#include "pubreport.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "report.h"
#include "select.h"
#include "store.h"
#include "store_report.h"
#include "store_select.h"
#include "store_theme.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int kpubreport_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 100 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '~' || c == '-'))
			return 0;
	}
	return 1;
}

static int date_valid(const char *s)
{
	int y, m, d;
	char tail;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

char *kpubreport_intro(const struct kpubreport *r)
{
	struct kbuf b = KBUF_INIT;
	int rc = 0;

	if (r->period)
		rc |= kbuf_addf(&b, "本報告書は、%s の調査期間に寄せられたインシデントの事例から、", r->period);
	else
		rc |= kbuf_adds(&b, "本報告書は、寄せられたインシデントの事例から、");
	rc |= kbuf_adds(&b, "他の組織が自らの対策に活かせる気付き・教訓を共有するために取りまとめたものです。"
			"(This report shares, with other organisations, the lessons of incidents reported "
			"to the centre, so that they can apply them to their own defences.)\n\n");
	rc |= kbuf_adds(&b, "事例は、報告元の組織からの第一報・続報・最終報と公開資料をもとに分析担当が整理し、"
			"組織が特定されないよう匿名化したうえで、報告元の組織の確認を経て掲載しています。"
			"(Analysts wrote each case from the organisation's first, follow-up and final reports and "
			"public sources, anonymised it, and the reporting organisation approved it.)\n\n");
	rc |= kbuf_adds(&b, "事例の選定にあたっては、次の観点から評価しました。"
			"(The cases were chosen by these criteria.)\n");
	for (int i = 0; i < KSELECT_NCRITERIA; i++)
		rc |= kbuf_addf(&b, "・%s (%s)\n", kselect_criteria[i].ja, kselect_criteria[i].en);
	rc |= kbuf_addf(&b, "・%s (%s)\n\n", kselect_balance.ja, kselect_balance.en);
	rc |= kbuf_addf(&b, "本報告書には %zu 件の事例を、分類ごとに掲載しています。"
			"各事例は、概要、主な気付き・教訓、背景から教訓までの経緯の順に記載し、"
			"最後に事例をまたぐ教訓を総括としてまとめました。"
			"(%zu case(s), by category: each with its overview, main lessons and account; the cross-case "
			"lessons close the report.)\n",
			r->cases.n, r->cases.n);
	if (rc) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* ---- collecting the cases ---------------------------------------------------------------- */

struct collect {
	struct kstrv *ids;
	int rc;
};

static int collect_row(void *vctx, const struct kcase_row *row)
{
	struct collect *ctx = vctx;

	if (kstrv_push(ctx->ids, row->id))
		return ctx->rc = KE_NOMEM;
	return 0;
}

static int list_ids(struct kstore *st, const struct kfilter *f, struct kstrv *ids, struct kerr *err)
{
	struct collect ctx = { .ids = ids };
	int rc = kstore_list(st, f, collect_row, &ctx, NULL, err);

	if (rc == KE_NOMEM || ctx.rc == KE_NOMEM)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return rc;
}

static int cmp_case(const void *a, const void *b)
{
	const struct kcase *x = a, *y = b;
	const char *cx = x->category && *x->category ? x->category : NULL;
	const char *cy = y->category && *y->category ? y->category : NULL;
	int k;

	if (cx != cy) {
		if (!cx)
			return 1; /* no category: last */
		if (!cy)
			return -1;
		if ((k = strcmp(cx, cy)))
			return k;
	}
	if (x->source.has_case_number != y->source.has_case_number)
		return x->source.has_case_number ? -1 : 1;
	if (x->source.has_case_number && x->source.case_number != y->source.case_number)
		return x->source.case_number < y->source.case_number ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* Load case id into a new entry of r->cases, refusing drafts and what the reader may not see. */
static int load_case(struct kstore *st, const struct kpubreport_spec *spec, const char *id, struct kpubreport *r,
		     struct kerr *err)
{
	struct kcase *c;
	struct kcase d;
	int rc;

	for (size_t i = 0; i < r->cases.n; i++)
		if (!strcmp(r->cases.v[i].id, id))
			return 0; /* named twice: once in the report */
	if (!(c = kcase_list_add(&r->cases)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	rc = kstore_get(st, id, c, err);
	if (rc == KE_NOTFOUND) {
		kcase_free(c);
		r->cases.n--;
		kcase_init(&d);
		kerr_clear(err);
		if (kreader_may_see_drafts(spec->reader) && kstore_draft_get(st, id, &d, err) == 0) {
			kcase_free(&d);
			return kerr_set(err, KE_INVALID,
					"%.*s is a case draft: publish the draft first ('kyokun draft publish %.*s')",
					kutf8_cut(id, 100), id, kutf8_cut(id, 100), id);
		}
		kcase_free(&d);
		return kerr_set(err, KE_NOTFOUND, "no case with id \"%.*s\"", kutf8_cut(id, 100), id);
	}
	if (rc < 0) {
		kcase_free(c);
		r->cases.n--;
		return rc;
	}
	if (!kreader_may_see_case(spec->reader ? spec->reader : &kreader_anonymous, c)) {
		kcase_free(c);
		r->cases.n--;
		return kerr_set(err, KE_NOTFOUND, "no case with id \"%.*s\"", kutf8_cut(id, 100), id);
	}
	return 0;
}

static char *today(void)
{
	time_t t = kreport_now();
	struct tm tm;
	char buf[16];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	return strdup(buf);
}

/* A report name made from s: its URL-safe characters, others as '-'; NULL if nothing is left. */
static char *name_from(const char *s)
{
	struct kbuf b = KBUF_INIT;

	for (; s && *s && b.len < 60; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '.' || c == '~')
			kbuf_addch(&b, c);
		else if (b.len && b.buf[b.len - 1] != '-')
			kbuf_addch(&b, '-');
	}
	while (b.len && (b.buf[b.len - 1] == '-' || b.buf[b.len - 1] == '.'))
		b.len--, b.buf[b.len] = 0;
	if (b.len < 2 || !kpubreport_name_valid(kbuf_str(&b))) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

static int tlp_check(const struct kpubreport_spec *spec, struct kpubreport *r, struct kerr *err)
{
	int max = 0, want;
	struct kbuf bad = KBUF_INIT;
	size_t nbad = 0;
	int rc = 0;

	for (size_t i = 0; i < r->cases.n; i++) {
		int k = ktlp_rank(r->cases.v[i].tlp ? r->cases.v[i].tlp : "amber");

		if (k > max)
			max = k;
	}
	if (!spec->tlp) {
		static const char *const names[] = { "clear", "green", "amber", "amber+strict", "red" };

		if (kstr_set(&r->tlp, names[max]))
			return kerr_set(err, KE_NOMEM, "out of memory");
		return 0;
	}
	want = ktlp_rank(spec->tlp);
	for (size_t i = 0; i < r->cases.n; i++) {
		const char *t = r->cases.v[i].tlp ? r->cases.v[i].tlp : "amber";

		if (ktlp_rank(t) <= want)
			continue;
		if (nbad++ < 5)
			kbuf_addf(&bad, "%s%s (TLP:%s)", nbad > 1 ? ", " : "", r->cases.v[i].id, t);
	}
	if (nbad) {
		if (nbad > 5)
			kbuf_addf(&bad, " and %zu more", nbad - 5);
		rc = kerr_set(err, KE_INVALID,
			      "--tlp %s: %s %s %s more restrictive than the report's TLP:%s: leave %s out, or mark the "
			      "report with a stricter --tlp",
			      spec->tlp, nbad == 1 ? "case" : "cases", kbuf_str(&bad), nbad == 1 ? "is" : "are",
			      spec->tlp, nbad == 1 ? "it" : "them");
		rc = KE_INVALID;
	} else if (kstr_set(&r->tlp, spec->tlp)) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	}
	kbuf_release(&bad);
	return rc;
}

int kpubreport_assemble(struct kstore *st, const struct kpubreport_spec *spec, struct kpubreport *r,
			struct kerr *err)
{
	struct kstrv ids = { 0 };
	struct kfilter f = KFILTER_INIT;
	char *edits = NULL;
	int rc = 0;

	if (spec->fell_back)
		*spec->fell_back = 0;
	f.reader = spec->reader ? spec->reader : &kreader_anonymous;
	if (spec->tlp && !ktlp_valid(spec->tlp)) {
		rc = kerr_set(err, KE_USAGE, "--tlp: \"%.*s\" is not a TLP level (clear, green, amber, amber+strict, red)",
			      kutf8_cut(spec->tlp, 40), spec->tlp);
		goto out;
	}
	if (spec->date && !date_valid(spec->date)) {
		rc = kerr_set(err, KE_USAGE, "--date: \"%.*s\" is not a date (YYYY-MM-DD)", kutf8_cut(spec->date, 40),
			      spec->date);
		goto out;
	}
	if (spec->name && !kpubreport_name_valid(spec->name)) {
		rc = kerr_set(err, KE_USAGE, "--name: \"%.*s\" is not a report name (letters, digits, . _ ~ -, up to 100)",
			      kutf8_cut(spec->name, 100), spec->name);
		goto out;
	}
	if (spec->title && (!*spec->title || !kutf8_valid(spec->title, strlen(spec->title)) || strlen(spec->title) > 1000)) {
		rc = kerr_set(err, KE_USAGE, "--title: a title of 1 to 1,000 bytes of UTF-8 is needed");
		goto out;
	}
	switch (spec->source) {
	case KPUB_PERIOD:
		if (!spec->period || !*spec->period) {
			rc = kerr_set(err, KE_USAGE, "--period: a survey period is needed");
			goto out;
		}
		if ((rc = kstore_selection_cases(st, spec->period, &ids, err)))
			goto out;
		if (!ids.n) {
			char *end;
			long y = strtol(spec->period, &end, 10);

			if (*end || y < 1900 || y > 9999) {
				rc = kerr_set(err, KE_NOTFOUND, "period %.*s: no selection was kept for it (kyokun select)",
					      kutf8_cut(spec->period, 40), spec->period);
				goto out;
			}
			if (spec->fell_back)
				*spec->fell_back = 1;
			f.year = (int)y;
			if ((rc = list_ids(st, &f, &ids, err)))
				goto out;
			if (!ids.n) {
				rc = kerr_set(err, KE_NOTFOUND,
					      "period %s: no candidates: no selection was kept for it and there are no "
					      "cases of year %ld",
					      spec->period, y);
				goto out;
			}
		}
		break;
	case KPUB_DOCUMENT:
		if (!spec->document || !*spec->document) {
			rc = kerr_set(err, KE_USAGE, "--document: a document name is needed");
			goto out;
		}
		f.document = spec->document;
		if ((rc = list_ids(st, &f, &ids, err)))
			goto out;
		if (!ids.n) {
			rc = kerr_set(err, KE_NOTFOUND, "document \"%.*s\": no cases (see 'kyokun list --document')",
				      kutf8_cut(spec->document, 200), spec->document);
			goto out;
		}
		break;
	case KPUB_SELECT:
		for (size_t i = 0; spec->ids && i < spec->ids->n; i++)
			if (kstrv_push(&ids, spec->ids->v[i])) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
		if (!ids.n) {
			rc = kerr_set(err, KE_USAGE, "--select: no case ids given");
			goto out;
		}
		break;
	default:
		rc = kerr_set(err, KE_USAGE, "say which cases: --period, --document or --select");
		goto out;
	}
	for (size_t i = 0; i < ids.n; i++)
		if ((rc = load_case(st, spec, ids.v[i], r, err)))
			goto out;
	if (!r->cases.n) {
		rc = kerr_set(err, KE_NOTFOUND, "the report has no cases");
		goto out;
	}
	qsort(r->cases.v, r->cases.n, sizeof(r->cases.v[0]), cmp_case);
	if ((rc = tlp_check(spec, r, err)))
		goto out;
	/* the front matter */
	if (kstr_set(&r->period, spec->source == KPUB_PERIOD ? spec->period : NULL) ||
	    kstr_set(&r->publisher, spec->publisher) ||
	    (spec->date ? kstr_set(&r->date, spec->date) : !(r->date = today()))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (spec->title)
		rc = kstr_set(&r->title, spec->title);
	else if (spec->source == KPUB_PERIOD) {
		struct kbuf t = KBUF_INIT;

		rc = kbuf_addf(&t, "インシデント事例集 %s (Incident case studies %s)", spec->period, spec->period);
		r->title = kbuf_detach(&t, NULL);
	} else if (spec->source == KPUB_DOCUMENT)
		rc = kstr_set(&r->title, spec->document);
	else
		rc = kstr_set(&r->title, "インシデント事例集 (Incident case studies)");
	if (rc || !r->title) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (spec->name)
		rc = kstr_set(&r->name, spec->name);
	else if (spec->source == KPUB_PERIOD && kpubreport_name_valid(spec->period))
		rc = kstr_set(&r->name, spec->period);
	else if (spec->source == KPUB_DOCUMENT && (r->name = name_from(spec->document)))
		rc = 0;
	else {
		struct kbuf t = KBUF_INIT;

		rc = kbuf_addf(&t, "report-%s", r->date);
		r->name = kbuf_detach(&t, NULL);
	}
	if (rc || !r->name) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (spec->intro)
		rc = kstr_set(&r->intro, spec->intro);
	else
		rc = (r->intro = kpubreport_intro(r)) ? 0 : KE_NOMEM;
	if (rc) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	/* the 総括, with the analysts' edits kept for the period (or the report's name) */
	if ((rc = kstore_theme_edits_get(st, r->period ? r->period : r->name, &edits, err)))
		goto out;
	rc = ktheme_compute(r->cases.v, r->cases.n, edits, &r->themes, err);
out:
	free(edits);
	kstrv_clear(&ids);
	return rc;
}
