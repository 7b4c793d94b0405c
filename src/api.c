/*
 * api.c - the JSON API under /api/: cases (list and one), search (the shape
 * of `kyokun search --format json`), similar cases, revisions, documents,
 * and the OpenAPI 3.0 description of it all.  Errors are
 * {"error": {"status": N, "message": "..."}} with that HTTP status.
 * Messages here are English: the API is read by programs.
 */
#include "web.h"
#include "case.h"
#include "case_json.h"
#include "embedded.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "route.h"
#include "search.h"
#include "similar.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define API_LIMIT_DEFAULT 20
#define API_LIMIT_MAX 100
#define API_OFFSET_MAX 100000

#ifndef KYOKUN_VERSION
#define KYOKUN_VERSION "0.0.0"
#endif

static int dump_cb(const char *buf, size_t size, void *data)
{
	return kbuf_add(data, buf, size) < 0 ? -1 : 0;
}

/* Put j (stolen) as the response body. */
static int send_json(struct khttp_resp *resp, json_t *j, struct kerr *err)
{
	int rc = 0;

	if (!j)
		return kerr_set(err, KE_NOMEM, "out of memory");
	kbuf_reset(&resp->body);
	if (json_dump_callback(j, dump_cb, &resp->body, JSON_COMPACT | JSON_REAL_PRECISION(6)) < 0 ||
	    kbuf_addch(&resp->body, '\n') < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	json_decref(j);
	resp->kind = KRESP_JSON;
	resp->content_type = "application/json; charset=utf-8";
	return rc;
}

void api_error(struct khttp_resp *resp, int status, const char *msg)
{
	json_t *j = json_pack("{s:{s:i, s:s}}", "error", "status", status, "message",
			      msg && *msg ? msg : khttp_reason(status));
	struct kerr err = KERR_INIT;

	resp->status = status;
	if (send_json(resp, j, &err) < 0)
		kbuf_reset(&resp->body);
}

/* An integer parameter in [lo, hi], def if absent; KE_USAGE naming it otherwise. */
static int int_param(const struct khttp_req *req, const char *name, long lo, long hi, long def,
		     long *out, struct kerr *err)
{
	const char *s = khttp_param(req, name);
	char *end;
	long v;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return kerr_set(err, KE_USAGE, "%s: expected an integer from %ld to %ld", name, lo, hi);
	*out = v;
	return 0;
}

/* Load a case for the API: the same 404 whether absent or not visible. */
static int api_load_case(struct khttp_req *req, struct kcase *c, struct kerr *err)
{
	int rc = web_load_case(req, req->args[0], c, err);

	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "no such case");
	if (rc == KE_USAGE)
		return kerr_set(err, KE_USAGE, "invalid case id (expected [A-Za-z0-9._~-], 1 to 200 bytes)");
	return rc;
}

static json_t *source_json(const char *document, int has_year, int year, int has_number, int number)
{
	return json_pack("{s:s?, s:o, s:o}", "document", document,
			 "year", has_year ? json_integer(year) : json_null(),
			 "case_number", has_number ? json_integer(number) : json_null());
}

/* ---- /api ---------------------------------------------------------------------- */

/* "/api/cases/:id" as OpenAPI writes it: "/api/cases/{id}". */
static int api_path(const char *pattern, struct kbuf *b)
{
	int rc = 0;

	for (const char *p = pattern; *p && !rc;) {
		if (*p == ':') {
			size_t n = strcspn(p + 1, "/");

			rc = kbuf_addf(b, "{%.*s}", (int)n, p + 1);
			p += n + 1;
		} else {
			rc = kbuf_addch(b, *p++);
		}
	}
	return rc;
}

/* What a route requires, as the index says it: "public", "signed-in", or its capabilities. */
static json_t *requires_json(const struct kroute *r)
{
	json_t *a;

	if (r->need == KROUTE_PUBLIC)
		return json_string("public");
	if (r->need == KROUTE_SIGNED_IN)
		return json_string("signed-in");
	if (r->need & KROUTE_LOOPBACK_OR_ADMIN)
		return json_string("loopback-or-admin");
	a = json_array();
	for (unsigned bit = 1; a && bit && bit != KROUTE_SIGNED_IN; bit <<= 1)
		if ((r->need & bit) && kcap_name(bit))
			json_array_append_new(a, json_string(kcap_name(bit)));
	return a;
}

static int has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_string_value(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* The index of the API, from the route table (a path once in "endpoints", each method in "operations"). */
int api_index(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "name", "kyokun", "version", KYOKUN_VERSION,
			      "openapi", "/api/openapi.json", "endpoints", "operations");
	json_t *endpoints = json_object_get(j, "endpoints"), *ops = json_object_get(j, "operations");
	struct kbuf path = KBUF_INIT;

	for (const struct kroute *r = kroutes; j && r->pattern; r++) {
		json_t *op;

		if (strncmp(r->pattern, "/api/", 5))
			continue;
		kbuf_reset(&path);
		if (api_path(r->pattern, &path) < 0) {
			json_decref(j);
			j = NULL;
			break;
		}
		op = json_pack("{s:s, s:s, s:s?, s:o, s:b}", "method", r->method, "path", kbuf_str(&path),
			       "summary", r->summary, "requires", requires_json(r), "csrf",
			       r->csrf == KROUTE_CSRF_TOKEN || r->csrf == KROUTE_CSRF_ORIGIN);
		if (!op || json_array_append_new(ops, op) < 0 ||
		    (!has_string(endpoints, kbuf_str(&path)) &&
		     json_array_append_new(endpoints, json_string(kbuf_str(&path))) < 0)) {
			json_decref(j);
			j = NULL;
		}
	}
	kbuf_release(&path);
	return send_json(resp, j, err);
}

/* ---- /api/cases -------------------------------------------------------------------- */

static int case_row_json(void *ctx, const struct kcase_row *r)
{
	json_t *arr = ctx, *o;
	struct kbuf url = KBUF_INIT;

	if (kbuf_adds(&url, "/api/cases/") < 0 || url_encode(&url, r->id, strlen(r->id)) < 0) {
		kbuf_release(&url);
		return KE_NOMEM;
	}
	o = json_pack("{s:s, s:s, s:o, s:s?, s:s, s:i, s:s, s:s, s:s}", "id", r->id, "title",
		      r->title ? r->title : "",
		      "source", source_json(r->document, r->has_year, r->year, r->has_case_number, r->case_number),
		      "category", r->category, "tlp", r->tlp, "revision", r->revision, "created", r->created,
		      "updated", r->updated, "url", kbuf_str(&url));
	kbuf_release(&url);
	if (!o || json_array_append_new(arr, o) < 0)
		return KE_NOMEM;
	return 0;
}

/*
 * ?format=: absent or "json" (kyokun's own), else an exchange format
 * (*xf); KE_USAGE naming the parameter otherwise.
 */
static int format_param(const struct khttp_req *req, const struct kexchange_format **xf, struct kerr *err)
{
	const char *v = khttp_param(req, "format");

	*xf = NULL;
	if (!v || !strcmp(v, "json"))
		return 0;
	if (!(*xf = kexchange_find(v)))
		return kerr_set(err, KE_USAGE, "format: expected json, stix, misp or veris");
	return 0;
}

struct xctx {
	const struct kexchange_format *xf;
	void *state;
	struct kbuf *out;
	struct kerr *err;
};

static int xrow_cb(void *vctx, const struct kcase_row *r)
{
	struct xctx *x = vctx;
	int rc = kexchange_export_json(x->xf, x->state, r->json, x->out, x->err);

	if (rc < 0)
		kerr_prefix(x->err, "%s", r->id);
	return rc;
}

/* The cases of f (already limited to the reader) in the exchange format xf as the response. */
static int send_exchange(struct khttp_req *req, struct khttp_resp *resp, const struct kexchange_format *xf,
			 struct kfilter *f, const struct kcase *one, struct kerr *err)
{
	struct kexchange_opts o = { NULL, NULL };
	struct xctx x = { xf, NULL, &resp->body, err };
	struct kerr end_err = KERR_INIT;
	int rc, rc2;

	kbuf_reset(&resp->body);
	rc = xf->export_begin(&o, &x.state, &resp->body, err);
	if (rc == 0 && one)
		rc = xf->export_case(x.state, one, &resp->body, err);
	else if (rc == 0)
		rc = kstore_list(req->st, f, xrow_cb, &x, NULL, err);
	rc2 = xf->export_end(x.state, &resp->body, rc < 0 ? &end_err : err);
	if (rc == 0)
		rc = rc2;
	if (rc < 0) {
		kbuf_reset(&resp->body);
		return rc;
	}
	resp->kind = KRESP_JSON;
	resp->content_type = xf->media_type;
	return 0;
}

int api_cases(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const struct kexchange_format *xf;
	struct kfilter f = KFILTER_INIT;
	json_t *arr = json_array();
	long total = 0, limit, offset;
	const char *v;
	int rc;

	if (!arr)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = format_param(req, &xf, err)) < 0)
		goto fail;
	if ((rc = int_param(req, "limit", 1, API_LIMIT_MAX, API_LIMIT_DEFAULT, &limit, err)) < 0 ||
	    (rc = int_param(req, "offset", 0, API_OFFSET_MAX, 0, &offset, err)) < 0)
		goto fail;
	static const char *const keys[] = { "document", "year", "category", "event_class", "threat",
					    "sector", "reader_level" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!(v = khttp_param(req, keys[i])))
			continue;
		if ((rc = ksearch_filter_set(&f, keys[i], v, err)) < 0)
			goto fail;
	}
	if ((v = khttp_param(req, "tag"))) {
		if (!*v) {
			rc = kerr_set(err, KE_USAGE, "tag: empty value");
			goto fail;
		}
		f.tag = v;
	}
	if ((rc = ksearch_sort_parse(khttp_param(req, "sort"), &f.sort, err)) < 0)
		goto fail;
	f.reader = req->reader;
	f.limit = limit;
	f.offset = offset;
	if (xf) {
		json_decref(arr);
		return send_exchange(req, resp, xf, &f, NULL, err);
	}
	rc = kstore_list(req->st, &f, case_row_json, arr, &total, err);
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0)
		goto fail;
	return send_json(resp, json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "limit",
					 (json_int_t)limit, "offset", (json_int_t)offset, "cases", arr), err);
fail:
	json_decref(arr);
	return rc;
}

int api_case(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const struct kexchange_format *xf;
	struct kcase c;
	int rc;

	if ((rc = format_param(req, &xf, err)) < 0)
		return rc;
	kcase_init(&c);
	rc = api_load_case(req, &c, err);
	if (!rc && xf)
		rc = send_exchange(req, resp, xf, NULL, &c, err);
	else if (!rc)
		rc = send_json(resp, kcase_to_json(&c), err);
	kcase_free(&c);
	return rc;
}

int api_case_similar(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
	struct ksearch_result res;
	struct kcase c;
	json_t *j;
	long limit;
	int rc;

	memset(&res, 0, sizeof(res));
	kcase_init(&c);
	if ((rc = int_param(req, "limit", 1, API_LIMIT_MAX, 10, &limit, err)) < 0)
		goto out;
	if ((rc = api_load_case(req, &c, err)) < 0)
		goto out;
	o.id = c.id;
	o.filter.reader = req->reader;
	o.filter.limit = limit;
	rc = ksimilar(req->st, &o, &res, err);
	if (rc == KE_NOTFOUND)
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	if (rc < 0)
		goto out;
	j = ksearch_result_json(&res);
	if (j && json_object_set_new(j, "id", json_string(c.id)) < 0) {
		json_decref(j);
		j = NULL;
	}
	rc = send_json(resp, j, err);
out:
	ksearch_result_free(&res);
	kcase_free(&c);
	return rc;
}

/* ---- POST /api/similar: cases like a pasted text ------------------------------------------ */

/*
 * One filter of the body's "filters" into f: a string, a year as a number,
 * or an array of one of them (the filters /api/search takes, one value
 * each).  num keeps a year's digits for ksearch_filter_set().
 */
static int similar_filter(struct kfilter *f, const char *key, json_t *v, char *num, size_t nnum,
			  struct kerr *err)
{
	struct kerr ferr = KERR_INIT;
	const char *s;

	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return 0;
		if (json_array_size(v) > 1)
			return kerr_set(err, KE_USAGE, "filters.%s: one value only (as /api/search takes)", key);
		v = json_array_get(v, 0);
	}
	if (json_is_null(v))
		return 0;
	if (json_is_integer(v) && !strcmp(key, "year")) {
		snprintf(num, nnum, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = num;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return kerr_set(err, KE_USAGE, "filters.%s: expected a string%s", key,
				strcmp(key, "year") ? "" : " or a number");
	}
	if (!*s)
		return 0;
	if (!strcmp(key, "tag")) {
		f->tag = s;
		return 0;
	}
	if (ksearch_filter_set(f, key, s, &ferr) < 0)
		return kerr_set(err, KE_USAGE, "filters.%s: %s", key, ferr.msg);
	return 0;
}

/* The body's "filters" object into f (its strings stay in the body, which outlives f). */
static int similar_filters(json_t *filters, struct kfilter *f, char *year, size_t nyear, struct kerr *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!filters || json_is_null(filters))
		return 0;
	if (!json_is_object(filters))
		return kerr_set(err, KE_USAGE, "filters: expected an object such as {\"sector\": \"finance\"}");
	json_object_foreach(filters, key, v) {
		int known = !strcmp(key, "tag");

		for (int k = 0; k < KFACET__N && !known; k++)
			known = !strcmp(key, kfacet_name(k));
		if (!known)
			return kerr_set(err, KE_USAGE, "filters.%s: unknown filter (known: sector, event_class, "
					"threat, year, category, document, reader_level, tlp, tag)", key);
		if ((rc = similar_filter(f, key, v, year, nyear, err)) < 0)
			return rc;
	}
	return 0;
}

/* Each hit of res (the JSON "results", in order) with "sections" and "section_terms". */
static int similar_where_json(struct kstore *st, const struct ksearch_result *res, json_t *results,
			      struct kerr *err)
{
	for (size_t i = 0; i < res->nhits && i < json_array_size(results); i++) {
		const struct ksearch_hit *h = &res->hits[i];
		json_t *r = json_array_get(results, i), *keys = json_array(), *terms = json_object();
		struct ksimilar_where wh;
		int rc = ksimilar_where(st, h, &wh, err), bad = !keys || !terms;

		if (rc < 0 && rc != KE_NOTFOUND) {
			json_decref(keys);
			json_decref(terms);
			return rc;
		}
		for (size_t k = 0; !bad && rc == 0 && k < wh.n; k++) {
			json_t *ta = json_array();

			bad |= !ta || json_array_append_new(keys, json_string(wh.key[k])) < 0;
			for (size_t t = 0; ta && t < h->nshared && t < 64; t++)
				if (wh.terms[k] & (1ULL << t))
					bad |= json_array_append_new(ta, json_string(h->shared[t])) < 0;
			bad |= ta ? json_object_set_new(terms, wh.key[k], ta) < 0 : 1;
		}
		bad |= keys ? json_object_set_new(r, "sections", keys) < 0 : 1;
		bad |= terms ? json_object_set_new(r, "section_terms", terms) < 0 : 1;
		if (bad)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

int api_similar_text(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
	struct ksearch_result res;
	json_error_t je;
	json_t *body = NULL, *v, *j = NULL;
	const char *key, *text;
	char year[32];
	long words;
	int rc;

	memset(&res, 0, sizeof(res));
	if (!req->body) {
		rc = kerr_set(err, KE_USAGE, "body: a JSON object is needed, such as {\"text\": \"...\"} "
			      "(Content-Type: application/json)");
		goto out;
	}
	if (!(body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je))) {
		rc = kerr_set(err, KE_USAGE, "body: not valid JSON (line %d, column %d): %s", je.line, je.column,
			      je.text);
		goto out;
	}
	if (!json_is_object(body)) {
		rc = kerr_set(err, KE_USAGE, "body: expected a JSON object such as {\"text\": \"...\"}");
		goto out;
	}
	json_object_foreach(body, key, v) {
		if (strcmp(key, "text") && strcmp(key, "filters") && strcmp(key, "limit")) {
			rc = kerr_set(err, KE_USAGE, "%s: unknown member (known: text, filters, limit)", key);
			goto out;
		}
	}
	v = json_object_get(body, "text");
	if (!v) {
		rc = kerr_set(err, KE_USAGE, "text: give the text of the incident to compare");
		goto out;
	}
	if (!json_is_string(v)) {
		rc = kerr_set(err, KE_USAGE, "text: expected a string");
		goto out;
	}
	text = json_string_value(v);
	if (json_string_length(v) != strlen(text)) {
		rc = kerr_set(err, KE_USAGE, "text: holds a NUL character");
		goto out;
	}
	if (strlen(text) > KSIMILAR_MAX_TEXT) {
		rc = kerr_set(err, KE_TOOBIG, "text: too long (at most %d bytes)", KSIMILAR_MAX_TEXT);
		goto out;
	}
	o.filter.limit = 10;
	if ((v = json_object_get(body, "limit")) && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > API_LIMIT_MAX) {
			rc = kerr_set(err, KE_USAGE, "limit: expected an integer from 1 to %d", API_LIMIT_MAX);
			goto out;
		}
		o.filter.limit = (long)json_integer_value(v);
	}
	if ((rc = similar_filters(json_object_get(body, "filters"), &o.filter, year, sizeof(year), err)) < 0)
		goto out;
	if ((words = ksimilar_text_words(text)) < 0) {
		rc = kerr_set(err, KE_USAGE, "text: not valid UTF-8");
		goto out;
	}
	if (words == 0) {
		rc = kerr_set(err, KE_USAGE, "text: no words to compare (only punctuation, digits, spaces or kana)");
		goto out;
	}
	o.text = text;
	o.filter.reader = req->reader;
	if ((rc = ksimilar(req->st, &o, &res, err)) < 0)
		goto out;
	j = ksearch_result_json(&res);
	if (!j) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	json_object_del(j, "query"); /* the text, sent back: the client has it */
	if (!json_object_get(j, "terms") && json_object_set_new(j, "terms", json_array()) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = similar_where_json(req->st, &res, json_object_get(j, "results"), err)) < 0)
		goto out;
	if (!res.nterms && json_object_set_new(j, "message", json_string(
		"none of the text's words occur in the cases you may see (kyokun compares Japanese and "
		"English words)")) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	rc = send_json(resp, j, err);
	j = NULL;
out:
	json_decref(j);
	json_decref(body);
	ksearch_result_free(&res);
	return rc;
}

struct histctx {
	json_t *arr;
	const struct kreader *reader;
};

static int history_rev(void *vctx, const struct krevision *r)
{
	struct histctx *h = vctx;
	json_t *body = json_loads(r->json ? r->json : "{}", 0, NULL), *o;
	int visible = kreader_may_see_json(h->reader, body); /* the revision's level, owner, recipients */

	if (!visible) { /* a revision above the reader's level is not there for them */
		json_decref(body);
		return 0;
	}
	o = json_pack("{s:i, s:s, s:b, s:O}", "revision", r->revision, "saved", r->saved ? r->saved : "",
		      "current", r->current, "title",
		      json_object_get(body, "title") ? json_object_get(body, "title") : json_null());
	json_decref(body);
	if (!o || json_array_append_new(h->arr, o) < 0)
		return KE_NOMEM;
	return 0;
}

int api_case_history(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct histctx h = { json_array(), req->reader };
	struct kcase c;
	int rc;

	kcase_init(&c);
	if (!h.arr) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = api_load_case(req, &c, err)) < 0)
		goto out;
	rc = kstore_history(req->st, c.id, history_rev, &h, err);
	if (rc == KE_NOTFOUND)
		rc = kerr_set(err, KE_NOTFOUND, "no such case");
	if (rc < 0)
		goto out;
	rc = send_json(resp, json_pack("{s:s, s:O}", "id", c.id, "revisions", h.arr), err);
out:
	json_decref(h.arr);
	kcase_free(&c);
	return rc;
}

/* ---- /api/search ------------------------------------------------------------------ */

/* The hits of a search (already limited to the reader), in their order, in the exchange format xf. */
static int send_exchange_hits(struct khttp_req *req, struct khttp_resp *resp, const struct kexchange_format *xf,
			      const struct ksearch_result *res, struct kerr *err)
{
	struct kexchange_opts o = { NULL, NULL };
	struct kerr end_err = KERR_INIT;
	void *state = NULL;
	int rc, rc2;

	kbuf_reset(&resp->body);
	rc = xf->export_begin(&o, &state, &resp->body, err);
	for (size_t i = 0; rc == 0 && i < res->nhits; i++) {
		struct kcase c;

		kcase_init(&c);
		rc = kstore_get(req->st, res->hits[i].id, &c, err);
		if (rc == 0)
			rc = xf->export_case(state, &c, &resp->body, err);
		if (rc < 0)
			kerr_prefix(err, "%s", res->hits[i].id);
		kcase_free(&c);
	}
	rc2 = xf->export_end(state, &resp->body, rc < 0 ? &end_err : err);
	if (rc == 0)
		rc = rc2;
	if (rc < 0) {
		kbuf_reset(&resp->body);
		return rc;
	}
	resp->kind = KRESP_JSON;
	resp->content_type = xf->media_type;
	return 0;
}

int api_search(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const struct kexchange_format *xf;
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	const char *q = khttp_param(req, "q"), *v;
	long limit, offset;
	int rc;

	memset(&res, 0, sizeof(res));
	if ((rc = format_param(req, &xf, err)) < 0)
		return rc;
	if (!q || !*q)
		return kerr_set(err, KE_USAGE, "q: give words to search for (see /api/cases to list cases)");
	if ((rc = int_param(req, "limit", 1, API_LIMIT_MAX, 10, &limit, err)) < 0 ||
	    (rc = int_param(req, "offset", 0, API_OFFSET_MAX, 0, &offset, err)) < 0)
		return rc;
	for (int k = 0; k < KFACET__N; k++) {
		if (!(v = khttp_param(req, kfacet_name(k))))
			continue;
		if ((rc = ksearch_filter_set(&o.filter, kfacet_name(k), v, err)) < 0)
			return rc;
	}
	if ((v = khttp_param(req, "tag")) && *v)
		o.filter.tag = v;
	if ((v = khttp_param(req, "section")) && *v)
		o.section = v; /* only matches in this part of a case (an unknown one: 400) */
	if ((rc = ksearch_sort_parse(khttp_param(req, "sort"), &o.filter.sort, err)) < 0)
		return rc;
	if (((v = khttp_param(req, "facets")) && !strcmp(v, "0")) || xf)
		o.facets = 0;
	o.query = q;
	o.filter.reader = req->reader;
	o.filter.limit = limit;
	o.filter.offset = offset;
	rc = ksearch(req->st, &o, &res, err);
	if (rc == KE_TOOBIG)
		rc = KE_USAGE; /* a query past the caps is the client's to fix: 400 */
	if (!rc && xf)
		rc = send_exchange_hits(req, resp, xf, &res, err);
	else if (!rc)
		rc = send_json(resp, ksearch_result_json(&res), err);
	ksearch_result_free(&res);
	return rc;
}

/* ---- /api/documents ------------------------------------------------------------------ */

static int doc_json(void *ctx, const struct kdocument *d)
{
	json_t *arr = ctx, *o;
	struct kbuf url = KBUF_INIT;

	if (kbuf_adds(&url, "/api/cases?document=") < 0 || url_encode(&url, d->name, strlen(d->name)) < 0) {
		kbuf_release(&url);
		return KE_NOMEM;
	}
	o = json_pack("{s:s, s:o, s:I, s:s, s:o, s:o, s:o, s:o}", "name", d->name,
		      "year", d->has_year ? json_integer(d->year) : json_null(),
		      "cases", (json_int_t)d->ncases, "url", kbuf_str(&url),
		      "title", d->title ? json_string(d->title) : json_null(),
		      "publisher", d->publisher ? json_string(d->publisher) : json_null(),
		      "published", d->published ? json_string(d->published) : json_null(),
		      "source_url", d->url ? json_string(d->url) : json_null());
	kbuf_release(&url);
	if (!o || json_array_append_new(arr, o) < 0)
		return KE_NOMEM;
	return 0;
}

int api_documents(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	json_t *arr = json_array();
	int rc;

	if (!arr)
		return kerr_set(err, KE_NOMEM, "out of memory");
	rc = kstore_documents(req->st, req->reader, doc_json, arr, err);
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	return send_json(resp, json_pack("{s:o}", "documents", arr), err);
}

/* ---- /api/openapi.json ------------------------------------------------------------------ */

/* assets/openapi.json (embedded by tools/embed.c), with this version for "@VERSION@" */
int api_openapi(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	static const char mark[] = "@VERSION@";
	const char *doc = (const char *)kembed_openapi_json;
	size_t len = KEMBED_LEN(kembed_openapi_json);
	const char *at = strstr(doc, mark); /* the data ends with a NUL */
	size_t head = at ? (size_t)(at - doc) : len, tail = at ? head + sizeof(mark) - 1 : len;

	if (kbuf_add(&resp->body, doc, head) < 0 ||
	    (at && kbuf_adds(&resp->body, KYOKUN_VERSION) < 0) ||
	    kbuf_add(&resp->body, doc + tail, len - tail) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	resp->kind = KRESP_JSON;
	resp->content_type = "application/json; charset=utf-8";
	return 0;
}
