/*
 * web_review.c - the import review of a document (/documents/NAME/review,
 * analysts only): each of its imported cases with the blocks the importer
 * was unsure of highlighted, and a one-click move of a block to another
 * section, saved as a new revision of the case.
 *
 * What it reads is the case JSON's import object, as the importer writes it:
 *   "import": {"confidence": "high"|"medium"|"low",
 *              "blocks": [{"section": KEY, "how": "heading"|"order"|"cue"|"reviewed",
 *                          "text": FULL_BLOCK_TEXT}]}
 * A case without one says "no import details".  A block the reviewer moved,
 * or confirmed where it is, becomes "reviewed" and the case's confidence is
 * recomputed from its blocks (kimport_confidence: a reviewed block counts as
 * one under its heading), so that a case whose doubtful blocks were all
 * looked at is no longer flagged.
 */
#include "web.h"
#include "case.h"
#include "case_json.h"
#include "import.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "web_form.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *import_obj(json_t *extra)
{
	json_t *o = extra ? json_object_get(extra, "import") : NULL;

	return json_is_object(o) ? o : NULL;
}

int web_import_low(const struct kcase *c)
{
	json_t *o = import_obj(c->extra);
	const char *conf = o ? json_string_value(json_object_get(o, "confidence")) : NULL;

	return conf && !strcmp(conf, "low");
}

struct review {
	struct html *w;
	struct khttp_req *req;
	const char *name;
	int n;
};

static void section_select(struct html *w, const struct khttp_req *req, int current)
{
	html_printf(w, "<select name=\"to\" aria-label=\"%s\">", T(req, T_REVIEW_MOVE));
	for (int k = 0; k < KSEC__N; k++) {
		int sec = ksection_display_order[k];

		if (sec == current)
			continue;
		html_printf(w, "<option value=\"%s\">%s</option>", ksection_key(sec), i18n_section(req->lang, sec));
	}
	html_printf(w, "</select>");
}

static const char *how_label(const struct khttp_req *req, const char *how)
{
	static const struct {
		const char *key;
		enum kmsg msg;
	} hows[] = {
		{ "heading", T_REVIEW_HOW_HEADING },
		{ "order", T_REVIEW_HOW_ORDER },
		{ "cue", T_REVIEW_HOW_CUE },
		{ "reviewed", T_REVIEW_HOW_REVIEWED },
	};

	for (size_t i = 0; how && i < sizeof(hows) / sizeof(hows[0]); i++)
		if (!strcmp(how, hows[i].key))
			return T(req, hows[i].msg);
	return how ? how : "?";
}

/* A case's import confidence, named in the reader's language. */
static const char *conf_label(const struct khttp_req *req, const char *conf)
{
	if (!strcmp(conf, "high"))
		return T(req, T_REVIEW_CONF_HIGH);
	if (!strcmp(conf, "medium"))
		return T(req, T_REVIEW_CONF_MEDIUM);
	if (!strcmp(conf, "low"))
		return T(req, T_REVIEW_CONF_LOW);
	return conf;
}

static int review_row(void *vctx, const struct kcase_row *r)
{
	struct review *x = vctx;
	struct html *w = x->w;
	json_t *j = json_loads(r->json ? r->json : "{}", 0, NULL), *imp, *blocks;
	const char *conf;
	size_t i;

	if (!j)
		return 0;
	x->n++;
	imp = json_object_get(j, "import");
	conf = json_is_object(imp) ? json_string_value(json_object_get(imp, "confidence")) : NULL;
	html_printf(w, "<section class=\"review-case%s\" id=\"c-%s\">\n<h2><a href=\"%s\" lang=\"ja\">%s</a>",
		    conf && !strcmp(conf, "low") ? " review-low" : "", r->id,
		    web_url(x->req, "/cases/%U", r->id, NULL), r->title ? r->title : r->id);
	if (conf)
		html_printf(w, " <span class=\"confidence confidence-%s\">%s: %s</span>", conf,
			    T(x->req, T_REVIEW_CONFIDENCE), conf_label(x->req, conf));
	html_printf(w, "</h2>\n");
	blocks = json_is_object(imp) ? json_object_get(imp, "blocks") : NULL;
	if (!json_is_array(blocks)) {
		html_printf(w, "<p class=\"muted\">%s</p>\n</section>\n", T(x->req, T_REVIEW_NONE));
		json_decref(j);
		return 0;
	}
	html_printf(w, "<ol class=\"review-blocks\">\n");
	for (i = 0; i < json_array_size(blocks); i++) {
		json_t *b = json_array_get(blocks, i);
		const char *key = json_string_value(json_object_get(b, "section"));
		const char *how = json_string_value(json_object_get(b, "how"));
		const char *text = json_string_value(json_object_get(b, "text"));
		int sec = key ? ksection_from_key(key) : -1;
		int doubt = how && (!strcmp(how, "order") || !strcmp(how, "cue"));
		char idx[24];

		if (!text)
			continue;
		snprintf(idx, sizeof(idx), "%zu", i);
		html_printf(w, "<li class=\"review-block%s\"><p class=\"block-where\"><strong>%s</strong> · %s</p>\n"
			    "<blockquote lang=\"ja\">%s</blockquote>\n",
			    doubt ? " doubtful" : "", sec >= 0 ? i18n_section(x->req->lang, sec) : (key ? key : "?"),
			    how_label(x->req, how), text);
		web_form_begin(w, x->req, web_url(x->req, "/documents/%U/review", x->name, NULL), "review-move");
		html_printf(w, "<input type=\"hidden\" name=\"case\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"block\" value=\"%s\">", r->id, idx);
		section_select(w, x->req, sec);
		html_printf(w, " <button type=\"submit\">%s</button></form>\n", T(x->req, T_REVIEW_MOVE));
		if (doubt && sec >= 0) {
			/* placed right after all: the block is confirmed where it is */
			web_form_begin(w, x->req, web_url(x->req, "/documents/%U/review", x->name, NULL), "review-confirm");
			html_printf(w, "<input type=\"hidden\" name=\"case\" value=\"%s\">"
				    "<input type=\"hidden\" name=\"block\" value=\"%s\">"
				    "<input type=\"hidden\" name=\"to\" value=\"%s\">"
				    "<button type=\"submit\">%s</button></form>\n",
				    r->id, idx, ksection_key(sec), T(x->req, T_REVIEW_CONFIRM));
		}
		html_printf(w, "</li>\n");
	}
	html_printf(w, "</ol>\n</section>\n");
	json_decref(j);
	return 0;
}

int web_review(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kfilter f = KFILTER_INIT;
	struct review x;
	struct html w;
	char title[256];
	int rc;

	html_init(&w, &resp->body);
	x = (struct review){ &w, req, req->args[0], 0 };
	snprintf(title, sizeof(title), "%s: %s", T(req, T_REVIEW_TITLE), x.name);
	web_begin(&w, req, title, "", "page-review");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>"
		    "<li><a href=\"%s\">%s</a></li><li aria-current=\"page\">%s</li></ol></nav>\n",
		    web_url(req, "/documents", NULL), T(req, T_DOCUMENTS_TITLE),
		    web_url(req, "/documents/%U", x.name, NULL), x.name, T(req, T_REVIEW_TITLE));
	html_printf(&w, "<h1>%s <span lang=\"ja\">%s</span></h1>\n", T(req, T_REVIEW_TITLE), x.name);
	web_form_notice(&w, req);
	f.document = x.name;
	f.reader = req->reader;
	if ((rc = kstore_list(req->st, &f, review_row, &x, NULL, err)) < 0) {
		if (rc == KE_NOMEM)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		return rc;
	}
	if (!x.n)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_DOCUMENT));
	web_end(&w, req);
	return web_finish(&w, resp, err);
}

/* Take the first occurrence of text out of *s (and the line break around it). */
static int cut_text(char **s, const char *text)
{
	char *p = *s ? strstr(*s, text) : NULL;
	size_t n = strlen(text), len;

	if (!p || !n)
		return 0;
	len = strlen(*s);
	if (p[n] == '\n')
		n++;
	else if (p > *s && p[-1] == '\n')
		p--, n++;
	memmove(p, p + n, len - (size_t)(p - *s) - n + 1);
	if (!**s) {
		free(*s);
		*s = NULL;
	}
	return 1;
}

int web_review_move(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *name = req->args[0], *id = khttp_form(req, "case"), *bs = khttp_form(req, "block"),
		   *to = khttp_form(req, "to"), *from, *text, *how;
	struct kstore *rw = NULL;
	struct kcase c;
	json_t *imp, *blocks, *b;
	char *end = NULL;
	long bi;
	int rc, tsec, fsec, outcome, change = 0;

	kcase_init(&c);
	if (!id || !bs || !to || (tsec = ksection_from_key(to)) < 0)
		return kerr_set(err, KE_INVALID, "case, block, to: a case id, a block number and a section key are required");
	bi = strtol(bs, &end, 10);
	if (!*bs || *end || bi < 0)
		return kerr_set(err, KE_INVALID, "block: not a block number");
	if (!(rw = khttp_writer_begin(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = kstore_get(rw, id, &c, err)) < 0)
		goto out;
	if (!kreader_may_see_case(req->reader, &c) || !c.source.document || strcmp(c.source.document, name)) {
		rc = kerr_set(err, KE_NOTFOUND, "no case with id \"%s\" in %s", id, name);
		goto out;
	}
	imp = import_obj(c.extra);
	blocks = imp ? json_object_get(imp, "blocks") : NULL;
	b = json_is_array(blocks) ? json_array_get(blocks, (size_t)bi) : NULL;
	from = b ? json_string_value(json_object_get(b, "section")) : NULL;
	text = b ? json_string_value(json_object_get(b, "text")) : NULL;
	if (!text) {
		rc = kerr_set(err, KE_INVALID, "block: case %s has no import block %ld", id, bi);
		goto out;
	}
	fsec = from ? ksection_from_key(from) : -1;
	how = json_string_value(json_object_get(b, "how"));
	if (fsec != tsec) {
		char *t = strdup(text);

		if (!t) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if (fsec >= 0 && !cut_text(&c.sections[fsec], t)) {
			free(t);
			rc = kerr_set(err, KE_INVALID, "block: its text is no longer in %s (edited since the import?); "
				      "edit the case instead", from);
			goto out;
		}
		rc = kcase_section_append(&c, tsec, t);
		free(t);
		if (rc < 0 || json_object_set_new(b, "section", json_string(to)) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		change = 1;
	}
	if (change || !how || strcmp(how, "reviewed")) {
		/* moved, or confirmed where it is: looked at by a reviewer, and the case as sure as its blocks */
		if (json_object_set_new(b, "how", json_string("reviewed")) < 0 ||
		    json_object_set_new(imp, "confidence", json_string(kimport_confidence(blocks))) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = kcase_validate(&c, err)) < 0 || (rc = kstore_put(rw, &c, &outcome, err)) < 0)
			goto out;
	}
	rc = kstore_commit(rw, err);
	rw = NULL;
	if (rc < 0)
		goto out;
	rc = web_form_redirect(resp, web_url(req, "/documents/%U/review", name, "done", fsec != tsec ? "moved" : "confirmed",
					     NULL), err);
out:
	if (rw)
		kstore_rollback(rw);
	kcase_free(&c);
	return rc;
}
