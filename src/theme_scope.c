/*
 * theme_scope.c - the cases of a 総括's scope (a survey period, a
 * published report, or cases chosen by id), as the reader may see them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_report.h"
#include "store_select.h"
#include "theme.h"

struct rowctx {
	struct kcase_list *cases;
	struct kerr *err;
};

static int row_cb(void *vctx, const struct kcase_row *row)
{
	struct rowctx *ctx = vctx;
	json_error_t je;
	json_t *j = json_loads(row->json, 0, &je);
	struct kcase *c;
	int rc;

	if (!j)
		return kerr_set(ctx->err, KE_PARSE, "case %s: stored JSON unreadable", row->id);
	if (!(c = kcase_list_add(ctx->cases))) {
		json_decref(j);
		return kerr_set(ctx->err, KE_NOMEM, "out of memory");
	}
	rc = kcase_from_json(c, j, ctx->err);
	json_decref(j);
	return rc;
}

/* Case or draft id, if reader may see it. */
static int one(struct kstore *st, const struct kreader *reader, const char *id, struct kcase_list *cases,
	       struct kerr *err)
{
	struct kcase c;
	int rc;

	kcase_init(&c);
	rc = kstore_get(st, id, &c, err);
	if (rc == KE_NOTFOUND && kreader_may_see_drafts(reader)) {
		kcase_free(&c);
		kcase_init(&c);
		rc = kstore_draft_get(st, id, &c, err);
	}
	if (rc >= 0 && !kreader_may_see_case(reader, &c))
		rc = KE_NOTFOUND;
	if (rc == KE_NOTFOUND)
		rc = kerr_set(err, KE_NOTFOUND, "no case %s", id);
	if (rc >= 0) {
		struct kcase *d = kcase_list_add(cases);
		if (!d)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		else
			*d = c; /* moved */
	}
	if (rc < 0)
		kcase_free(&c);
	return rc;
}

int ktheme_scope_cases(struct kstore *st, const struct kreader *reader, const struct ktheme_scope *s,
		       struct kcase_list *cases, char **scope, struct kstrv *notes, struct kerr *err)
{
	struct kstrv ids = { 0 };
	struct kbuf b = KBUF_INIT;
	int rc = 0;

	*scope = NULL;
	if (!!s->period + !!s->document + !!s->ids != 1)
		return kerr_set(err, KE_USAGE, "give one of a period, a document or case ids");
	if (s->ids) {
		const char *p = s->ids;
		while (*p && rc >= 0) {
			size_t l = strcspn(p, ", ");
			if (l) {
				char *id = strndup(p, l);
				if (!id)
					rc = kerr_set(err, KE_NOMEM, "out of memory");
				else if (!kstrv_contains(&ids, id))
					rc = kstrv_push_owned(&ids, id);
				else
					free(id);
			}
			p += l;
			while (*p == ',' || *p == ' ')
				p++;
		}
		if (rc >= 0 && !ids.n)
			rc = kerr_set(err, KE_USAGE, "select: no case ids");
		if (rc >= 0 && ids.n > 5000)
			rc = kerr_set(err, KE_TOOBIG, "select: more than 5000 cases");
		for (size_t i = 0; rc >= 0 && i < ids.n; i++)
			rc = one(st, reader, ids.v[i], cases, err);
		if (rc >= 0)
			rc = kbuf_addf(&b, "select:%s", s->ids);
	} else if (s->period) {
		char *end;
		long y = strtol(s->period, &end, 10);
		if (*end || y < 1900 || y > 9999)
			return kerr_set(err, KE_USAGE, "period: expected a year such as 2025");
		rc = kstore_selection_cases(st, s->period, &ids, err);
		for (size_t i = 0; rc >= 0 && i < ids.n; i++)
			rc = one(st, reader, ids.v[i], cases, err);
		if (rc >= 0 && !ids.n) {
			struct kfilter f = KFILTER_INIT;
			struct rowctx ctx = { cases, err };
			f.year = (int)y;
			f.reader = reader;
			rc = kstore_list(st, &f, row_cb, &ctx, NULL, err);
			if (rc >= 0 && notes)
				rc = kstrv_push(notes, "この年度の選定結果がないため、その年の事例を使いました / no selection kept for this period: the cases of that year");
		}
		if (rc >= 0)
			rc = kbuf_adds(&b, s->period);
	} else {
		struct kfilter f = KFILTER_INIT;
		struct rowctx ctx = { cases, err };
		f.document = s->document;
		f.reader = reader;
		rc = kstore_list(st, &f, row_cb, &ctx, NULL, err);
		if (rc >= 0)
			rc = kbuf_adds(&b, s->document);
	}
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	if (rc >= 0 && !(*scope = kbuf_detach(&b, NULL)))
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	kbuf_release(&b);
	kstrv_clear(&ids);
	return rc < 0 ? rc : 0;
}
