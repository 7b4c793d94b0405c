/*
 * api_report.c - the JSON API of incident reports (情報連絡): file a first
 * report, list the incidents the caller may see, one incident with its
 * reports and status history, follow-ups and the final report, status
 * changes, the case-study candidate mark, and a case draft made from an
 * incident.  The contract of the reports is ../shared/spec/report-json.md;
 * assets/openapi.json describes every route.
 *
 *   POST /api/reports                   a first report: 201, the incident, Location
 *   GET  /api/reports                   the incidents the caller may see (filters)
 *   GET  /api/reports/ID                {incident, reports, history}
 *   POST /api/reports/ID/updates        a follow-up or the final report: 201, its seq
 *   POST /api/reports/ID/status         {"status": ..., "note": ...}: 200, the incident
 *   POST /api/reports/ID/candidate      {"candidate": true|false}: 200, the incident
 *   POST /api/reports/ID/draft          a case draft from the incident: 201, its id
 *
 * Who may do what is the model's one workflow table (kincident_allowed):
 * an incident the caller may not see is 404 whether it exists or not (a
 * reporter of another organisation learns nothing), a role that may not is
 * 403, a status that does not allow it is 409.  The clock is kreport_now()
 * (KYOKUN_NOW in the environment: deadlines are testable).
 *
 * Errors of these routes are {"error": "message", "field": "name" or null,
 * "status": N}: a bad report names its first bad field by its JSON path
 * (the model's messages are "FIELD: what is wrong").  route.c gives the
 * transport's own refusals on these paths (401, 413, 415, ...) the same
 * shape (api_report_error).
 *
 * Writes use this worker's read-write connection (khttp_writer: the store's
 * actor is the caller), and each request's reads and writes run in one
 * transaction (BEGIN IMMEDIATE): the incident is read, its workflow checked
 * and the change written with no other writer in between, and a request
 * that fails half-way is rolled back: nothing of it is left.
 */
#include "web.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "route.h"
#include "store.h"
#include "store_report.h"
#include "utf8.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORTS_LIMIT_DEFAULT 20
#define REPORTS_LIMIT_MAX 1000
#define REPORTS_OFFSET_MAX 1000000
#define NOTE_MAX 2000 /* characters of a status note */
#define ID_MAX 64     /* bytes of an incident id ("IR-2026-0001") */

static int dump_cb(const char *buf, size_t size, void *data)
{
	return kbuf_add(data, buf, size) < 0 ? -1 : 0;
}

/* Put j (stolen) as the response body with status. */
static int reply(struct khttp_resp *resp, int status, json_t *j, struct kerr *err)
{
	int rc = 0;

	if (!j)
		return kerr_set(err, KE_NOMEM, "out of memory");
	kbuf_reset(&resp->body);
	if (json_dump_callback(j, dump_cb, &resp->body, JSON_COMPACT) < 0 || kbuf_addch(&resp->body, '\n') < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	json_decref(j);
	resp->status = status;
	resp->kind = KRESP_JSON;
	resp->content_type = "application/json; charset=utf-8";
	return rc;
}

int api_report_path(const char *path)
{
	static const char p[] = "/api/reports";
	size_t n = sizeof(p) - 1;

	return path && !strncmp(path, p, n) && (path[n] == '/' || path[n] == '?' || !path[n]);
}

void api_report_error(struct khttp_resp *resp, int status, const char *msg, const char *field)
{
	json_t *j = json_pack("{s:s, s:s?, s:i}", "error", msg && *msg ? msg : khttp_reason(status), "field", field,
			      "status", status);
	struct kerr err = KERR_INIT;

	if (j && !field)
		json_object_set_new(j, "field", json_null());
	if (reply(resp, status, j, &err) < 0) {
		kbuf_reset(&resp->body);
		resp->status = status;
	}
}

/*
 * The field a message "FIELD: what is wrong" names (a JSON path such as
 * "contact.email" or "event_types[2]") into buf, or NULL if it names none.
 */
static const char *field_of(const char *msg, char *buf, size_t n)
{
	const char *colon = strstr(msg, ": ");
	size_t len = colon ? (size_t)(colon - msg) : 0;

	if (!len || len >= n)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = msg[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '[' || c == ']' || c == '-' || c == '+'))
			return NULL;
	}
	memcpy(buf, msg, len);
	buf[len] = '\0';
	return buf;
}

/*
 * A refusal the client is to see: 400 (naming the field), 403, 404, 409,
 * 413.  Anything else (out of memory, the database) is returned for the
 * transport's 500.  Returns 0 when the response is filled in.
 */
static int refuse(struct khttp_resp *resp, int rc, int status, const struct kerr *err)
{
	char f[128];

	if (status == 500)
		return rc;
	api_report_error(resp, status, err->msg,
			 status == 400 ? field_of(err->msg, f, sizeof(f)) : NULL);
	return 0;
}

/* The status for a model or store refusal: KE_INVALID is 409 where the workflow says no (conflict). */
static int status_of(int rc, int invalid)
{
	switch (rc) {
	case KE_PARSE:
	case KE_USAGE: return 400;
	case KE_INVALID: return invalid;
	case KE_NOTFOUND: return 404;
	case KE_DENIED:
	case KE_AUTH: return 403;
	case KE_TOOBIG: return 413;
	default: return 500;
	}
}

/*
 * The request's JSON body as an object into *out: 0, or 0 with resp filled
 * in (415 for a body of another type, 400 for one that is not a JSON
 * object) and *out NULL.  optional: no body at all is an empty object.
 */
static int body_object(const struct khttp_req *req, struct khttp_resp *resp, int optional, json_t **out)
{
	json_error_t je;
	json_t *j;

	*out = NULL;
	if (!req->body) {
		const char *ct = khttp_header(req, "Content-Type");

		if (optional && !(ct && *ct)) {
			*out = json_object();
			return *out ? 0 : KE_NOMEM;
		}
		if (ct && *ct) {
			api_report_error(resp, 415, "the body must be JSON (Content-Type: application/json)", NULL);
			return 0;
		}
		api_report_error(resp, 400, "body: a JSON object is needed (Content-Type: application/json)", "body");
		return 0;
	}
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		struct kbuf m = KBUF_INIT;

		kbuf_addf(&m, "body: not valid JSON (line %d, column %d): %s", je.line, je.column, je.text);
		api_report_error(resp, 400, m.buf ? m.buf : "body: not valid JSON", "body");
		kbuf_release(&m);
		return 0;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_report_error(resp, 400, "body: expected a JSON object", "body");
		return 0;
	}
	*out = j;
	return 0;
}

/* Is id the shape of an incident id (no more is known of it before the store is asked)? */
static int incident_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int not_found(struct khttp_resp *resp)
{
	api_report_error(resp, 404, "no such incident", NULL);
	return 0;
}

/* The API's URL of an incident into b. */
static int incident_url(struct kbuf *b, const char *id)
{
	kbuf_reset(b);
	return kbuf_adds(b, "/api/reports/") < 0 || url_encode(b, id, strlen(id)) < 0 ? KE_NOMEM : 0;
}

/* The incident as JSON with its URL. */
static json_t *incident_json(const struct kincident *inc, time_t now)
{
	json_t *j = kincident_to_json(inc, now);
	struct kbuf url = KBUF_INIT;

	if (j && (incident_url(&url, inc->id ? inc->id : "") < 0 ||
		  json_object_set_new(j, "url", json_string(kbuf_str(&url))) < 0)) {
		json_decref(j);
		j = NULL;
	}
	kbuf_release(&url);
	return j;
}

/*
 * Load incident id from st for req's reader, who must be able to see it
 * (kincident_allowed(KACT_VIEW)): 1 if loaded; 0 if the response is filled
 * in (404); else a KE_* code.
 */
static int load_visible(struct khttp_req *req, struct khttp_resp *resp, struct kstore *st, const char *id,
			struct kincident *inc, struct kerr *err)
{
	int rc;

	if (!incident_id_ok(id))
		return not_found(resp);
	rc = kstore_incident_get(st, id, inc, err);
	if (rc == KE_NOTFOUND)
		return not_found(resp);
	if (rc < 0)
		return rc;
	if (kincident_allowed(req->reader, inc, KACT_VIEW, err) < 0)
		return not_found(resp); /* hidden: the same answer as absent */
	return 1;
}

/* ---- POST /api/reports ------------------------------------------------------------ */

int api_report_add(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kincident inc = { 0 };
	struct kstore *w = NULL;
	json_t *in = NULL;
	time_t now = kreport_now();
	int rc, intx = 0;

	/* the role first: whoever may not file learns nothing from the body's checks */
	if (!kreader_can(req->reader, KCAP_REPORT_FILE) && !kreader_can(req->reader, KCAP_CASE_EDIT)) {
		api_report_error(resp, 403, "your role may not file incident reports", NULL);
		return 0;
	}
	if ((rc = body_object(req, resp, 0, &in)) < 0 || !in)
		goto out;
	if ((rc = kreport_first_check(in, req->reader, now, &inc, err)) < 0) {
		rc = refuse(resp, rc, status_of(rc, 400), err);
		goto out;
	}
	if (!(w = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	if ((rc = kstore_begin(w, err)) < 0)
		goto out;
	intx = 1;
	if ((rc = kstore_incident_add(w, &inc, now, err)) < 0) {
		rc = refuse(resp, rc, status_of(rc, 400), err);
		goto out;
	}
	if ((rc = kstore_commit(w, err)) < 0)
		goto out;
	intx = 0;
	{
		struct kbuf url = KBUF_INIT;

		if (incident_url(&url, inc.id) < 0 || url.len >= sizeof(resp->location)) {
			kbuf_release(&url);
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		memcpy(resp->location, url.buf, url.len + 1);
		kbuf_release(&url);
	}
	rc = reply(resp, 201, incident_json(&inc, now), err);
out:
	if (intx)
		kstore_rollback(w);
	json_decref(in);
	kincident_free(&inc);
	return rc;
}

/* ---- GET /api/reports ---------------------------------------------------------------- */

/* An integer parameter in [lo, hi], def if absent; 400 naming it otherwise (0 with resp filled in, *ok 0). */
static long int_param(const struct khttp_req *req, struct khttp_resp *resp, const char *name, long lo, long hi,
		      long def, int *ok)
{
	const char *s = khttp_param(req, name);
	char *end, msg[160];
	long v;

	if (!s || !*ok)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi) {
		snprintf(msg, sizeof(msg), "%s: expected an integer from %ld to %ld", name, lo, hi);
		api_report_error(resp, 400, msg, name);
		*ok = 0;
		return def;
	}
	return v;
}

/* A yes/no parameter: 1, 0 (absent: 0); -1 with resp filled in. */
static int bool_param(const struct khttp_req *req, struct khttp_resp *resp, const char *name)
{
	const char *s = khttp_param(req, name);
	char msg[160];

	if (!s || !strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no"))
		return 0;
	if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes"))
		return 1;
	snprintf(msg, sizeof(msg), "%s: expected 1 or 0 (true or false)", name);
	api_report_error(resp, 400, msg, name);
	return -1;
}

/*
 * A list parameter of names (comma-separated, or the parameter repeated)
 * into bits with parse (the bit of one name, or 0 / a negative number if
 * unknown): 0, or -1 with resp filled in (400 naming the value).
 */
static int bits_param(const struct khttp_req *req, struct khttp_resp *resp, const char *name,
		      long (*parse)(const char *), const char *expected, unsigned *bits)
{
	*bits = 0;
	for (int i = 0; i < req->nquery; i++) {
		const char *v = req->params[i].value;

		if (strcmp(req->params[i].name, name))
			continue;
		while (*v) {
			size_t n = strcspn(v, ",");
			char one[64];
			long b;

			if (n && n < sizeof(one)) {
				memcpy(one, v, n);
				one[n] = '\0';
				b = parse(one);
			} else {
				b = 0;
				one[0] = '\0';
			}
			if (b <= 0) {
				struct kbuf m = KBUF_INIT;

				kbuf_addf(&m, "%s: unknown value '%.*s' (%s)", name, (int)(n > 60 ? 60 : n), v, expected);
				api_report_error(resp, 400, m.buf ? m.buf : name, name);
				kbuf_release(&m);
				return -1;
			}
			*bits |= (unsigned)b;
			v += n + (v[n] == ',');
		}
	}
	return 0;
}

static long status_bit(const char *s)
{
	int i = kincident_status_parse(s);

	return i < 0 ? 0 : 1L << i;
}

static long event_bit(const char *s)
{
	return (long)kevent_type_parse(s);
}

/* A time parameter (RFC 3339, a date taken as UTC midnight, or an age such as 7d) as UTC ISO text. */
static int when_param(const struct khttp_req *req, struct khttp_resp *resp, const char *name, time_t now,
		      char out[KTIME_LEN + 1], const char **set)
{
	const char *s = khttp_param(req, name);
	char msg[200];
	time_t t;

	*set = NULL;
	if (!s)
		return 0;
	if (kreport_time_parse(s, &t, NULL) < 0 && ktime_since(s, now, &t, NULL) < 0) {
		snprintf(msg, sizeof(msg), "%s: expected a time (2026-11-20T09:00:00+09:00), a date (2026-11-20, UTC) "
			 "or an age (7d, 24h)", name);
		api_report_error(resp, 400, msg, name);
		return -1;
	}
	ktime_iso(t, out);
	*set = out;
	return 0;
}

struct listctx {
	json_t *arr;
	time_t now;
};

static int list_cb(void *vctx, const struct kincident *inc)
{
	struct listctx *ctx = vctx;
	json_t *j = incident_json(inc, ctx->now);

	if (!j || json_array_append_new(ctx->arr, j) < 0)
		return KE_NOMEM;
	return 0;
}

int api_reports_list(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kincident_query q = { 0 };
	struct listctx ctx = { json_array(), kreport_now() };
	char since[KTIME_LEN + 1], until[KTIME_LEN + 1];
	const char *v;
	long total = 0, limit, offset;
	int rc = 0, ok = 1;

	resp->no_store = 1; /* "overdue" moves with the clock */
	if (!ctx.arr)
		return kerr_set(err, KE_NOMEM, "out of memory");
	limit = int_param(req, resp, "limit", 1, REPORTS_LIMIT_MAX, REPORTS_LIMIT_DEFAULT, &ok);
	offset = int_param(req, resp, "offset", 0, REPORTS_OFFSET_MAX, 0, &ok);
	if (!ok)
		goto out;
	if (bits_param(req, resp, "status", status_bit,
		       "received, checking, responding, closed or withdrawn", &q.statuses) < 0 ||
	    bits_param(req, resp, "event_type", event_bit,
		       "precursor, confidentiality, integrity, availability, malware, malicious_code, intrusion or "
		       "other", &q.event_types) < 0)
		goto out;
	if ((v = khttp_param(req, "sector")) && !(q.sector = ksector_parse(v))) {
		api_report_error(resp, 400, "sector: unknown sector (a tag such as electricity, or its Japanese name "
				 "such as 電力)", "sector");
		goto out;
	}
	if ((v = khttp_param(req, "org"))) {
		if (!*v || strlen(v) > 400) {
			api_report_error(resp, 400, "org: expected an organisation's name", "org");
			goto out;
		}
		q.org = v;
	}
	if ((v = khttp_param(req, "q"))) {
		if (!*v || strlen(v) > 200) {
			api_report_error(resp, 400, "q: expected 1 to 200 bytes of words", "q");
			goto out;
		}
		q.text = v;
	}
	if (when_param(req, resp, "since", ctx.now, since, &q.since) < 0 ||
	    when_param(req, resp, "until", ctx.now, until, &q.until) < 0)
		goto out;
	if ((q.candidate = bool_param(req, resp, "candidate")) < 0 ||
	    (q.overdue = bool_param(req, resp, "overdue")) < 0)
		goto out;
	q.reader = req->reader;
	q.now = ctx.now;
	q.limit = limit;
	q.offset = offset;
	rc = kstore_incident_list(req->st, &q, list_cb, &ctx, &total, err);
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0)
		goto out;
	rc = reply(resp, 200, json_pack("{s:I, s:I, s:I, s:O}", "total", (json_int_t)total, "limit",
					(json_int_t)limit, "offset", (json_int_t)offset, "incidents", ctx.arr), err);
out:
	json_decref(ctx.arr);
	return rc;
}

/* ---- GET /api/reports/ID ------------------------------------------------------------------ */

static int report_cb(void *ctx, const struct kreport_row *r)
{
	json_t *j = json_loads(r->json ? r->json : "", 0, NULL);

	if (!j)
		j = json_pack("{s:i, s:s, s:s?, s:s?}", "seq", r->seq, "kind", kreport_kind_name(r->kind),
			      "submitted", r->submitted, "author", r->author);
	if (!j || json_array_append_new(ctx, j) < 0)
		return KE_NOMEM;
	return 0;
}

static int history_cb(void *ctx, const struct kstatus_row *r)
{
	json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s}", "at", r->at, "actor", r->actor, "from",
			      r->from >= 0 ? kincident_status_name(r->from) : NULL, "to",
			      r->to >= 0 ? kincident_status_name(r->to) : NULL, "note", r->note ? r->note : "");

	if (!j || json_array_append_new(ctx, j) < 0)
		return KE_NOMEM;
	return 0;
}

int api_report_get(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kincident inc = { 0 };
	json_t *reports = json_array(), *history = json_array();
	time_t now = kreport_now();
	int rc;

	resp->no_store = 1;
	if (!reports || !history) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = load_visible(req, resp, req->st, req->args[0], &inc, err)) <= 0)
		goto out;
	if ((rc = kstore_incident_reports(req->st, inc.id, report_cb, reports, err)) < 0 ||
	    (rc = kstore_incident_history(req->st, inc.id, history_cb, history, err)) < 0) {
		if (rc == KE_NOMEM)
			kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	rc = reply(resp, 200, json_pack("{s:o, s:O, s:O}", "incident", incident_json(&inc, now), "reports", reports,
					"history", history), err);
out:
	json_decref(reports);
	json_decref(history);
	kincident_free(&inc);
	return rc;
}

/* ---- the writes on one incident ------------------------------------------------------------ */

/*
 * What a write on incident req->args[0] shares: the writer, its
 * transaction, the incident read in it (and seen by the caller), the body.
 */
struct write {
	struct kstore *w;
	int intx;
	struct kincident inc;
	json_t *in;
	time_t now;
};

/*
 * Open the transaction and load the incident: 1 if ready; 0 if resp is
 * filled in (404, or 400/415 for the body); else a KE_* code.  body: 0 no
 * body wanted, 1 a JSON object required, 2 optional.
 */
static int write_begin(struct khttp_req *req, struct khttp_resp *resp, struct write *x, int body,
		       struct kerr *err)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->now = kreport_now();
	if (!incident_id_ok(req->args[0]))
		return not_found(resp);
	if (!(x->w = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	if ((rc = kstore_begin(x->w, err)) < 0)
		return rc;
	x->intx = 1;
	if ((rc = load_visible(req, resp, x->w, req->args[0], &x->inc, err)) <= 0)
		return rc;
	if (body && ((rc = body_object(req, resp, body == 2, &x->in)) < 0 || !x->in))
		return rc;
	return 1;
}

static int write_commit(struct write *x, struct kerr *err)
{
	int rc = kstore_commit(x->w, err);

	if (!rc)
		x->intx = 0;
	return rc;
}

static void write_end(struct write *x)
{
	if (x->intx)
		kstore_rollback(x->w);
	json_decref(x->in);
	kincident_free(&x->inc);
}

/* May the caller do a to the incident?  1 if so; 0 with resp filled in (403, 409; 404 if hidden). */
static int may(struct khttp_req *req, struct khttp_resp *resp, struct write *x, int a, struct kerr *err)
{
	int rc = kincident_allowed(req->reader, &x->inc, a, err);

	if (rc == 0)
		return 1;
	if (rc == KE_NOTFOUND)
		return not_found(resp);
	return refuse(resp, rc, rc == KE_DENIED ? 403 : rc == KE_INVALID ? 409 : 500, err);
}

/* A member of the body that must be one of names (others refused: 400 naming it); 0 or -1 (resp filled in). */
static int only_members(struct khttp_resp *resp, json_t *in, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		size_t i;

		for (i = 0; names[i] && strcmp(names[i], key); i++)
			;
		if (!names[i]) {
			struct kbuf m = KBUF_INIT;
			char f[128];

			kbuf_adds(&m, key);
			kbuf_adds(&m, ": unknown member");
			api_report_error(resp, 400, m.buf ? m.buf : "unknown member",
					 m.buf ? field_of(m.buf, f, sizeof(f)) : NULL);
			kbuf_release(&m);
			return -1;
		}
	}
	return 0;
}

/* ---- POST /api/reports/ID/updates ------------------------------------------------------------ */

int api_report_update(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct write x;
	json_t *rep = NULL;
	const char *kind;
	int rc, seq = 0, a;

	if ((rc = write_begin(req, resp, &x, 1, err)) <= 0)
		goto out;
	kind = json_string_value(json_object_get(x.in, "kind"));
	a = kind && kreport_kind_parse(kind) == KREPORT_FINAL ? KACT_FINAL : KACT_FOLLOWUP;
	if ((rc = may(req, resp, &x, a, err)) <= 0)
		goto out;
	if ((rc = kreport_update_check(x.in, &x.inc, x.now, &rep, err)) < 0) {
		rc = refuse(resp, rc, status_of(rc, 400), err);
		goto out;
	}
	if ((rc = kstore_incident_report(x.w, &x.inc, rep, x.now, &seq, err)) < 0) {
		/* a second final report (the workflow said yes, the store no: a race is not possible here) */
		rc = refuse(resp, rc, status_of(rc, 409), err);
		goto out;
	}
	if ((rc = write_commit(&x, err)) < 0)
		goto out;
	/* the incident as it is now (its report count, updated, final_at) */
	kincident_free(&x.inc);
	if ((rc = kstore_incident_get(x.w, req->args[0], &x.inc, err)) < 0)
		goto out;
	{
		struct kbuf url = KBUF_INIT;

		if (incident_url(&url, x.inc.id) == 0 && url.len < sizeof(resp->location))
			memcpy(resp->location, url.buf, url.len + 1);
		kbuf_release(&url);
	}
	rc = reply(resp, 201, json_pack("{s:s, s:i, s:s, s:o}", "id", x.inc.id, "seq", seq, "kind",
					a == KACT_FINAL ? "final" : "followup", "incident",
					incident_json(&x.inc, x.now)), err);
out:
	json_decref(rep);
	write_end(&x);
	return rc;
}

/* ---- POST /api/reports/ID/status ------------------------------------------------------------ */

/* Is s a note: at most NOTE_MAX characters, no control characters but newline and tab? */
static int note_ok(const char *s)
{
	size_t i = 0, n = strlen(s), chars = 0;

	while (i < n) {
		uint32_t cp;
		int k = kutf8_decode(s + i, n - i, &cp);

		if (k <= 0 || (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return 0;
		i += (size_t)k;
		chars++;
	}
	return chars <= NOTE_MAX;
}

/* The workflow action that takes an incident in status from to status to, or -1. */
static int status_action(int from, int to)
{
	switch (to) {
	case KINC_CHECKING: return KACT_CHECK;
	case KINC_RESPONDING: return from == KINC_CLOSED ? KACT_REOPEN : KACT_RESPOND;
	case KINC_CLOSED: return KACT_CLOSE;
	case KINC_WITHDRAWN: return KACT_WITHDRAW;
	default: return -1;
	}
}

int api_report_status(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	static const char *const members[] = { "status", "note", NULL };
	struct write x;
	json_t *s, *n;
	const char *note = "";
	int rc, to, a;

	if ((rc = write_begin(req, resp, &x, 1, err)) <= 0)
		goto out;
	if (only_members(resp, x.in, members) < 0) {
		rc = 0;
		goto out;
	}
	s = json_object_get(x.in, "status");
	n = json_object_get(x.in, "note");
	if (!json_is_string(s) || (to = kincident_status_parse(json_string_value(s))) < 0) {
		api_report_error(resp, 400, s ? "status: expected received, checking, responding, closed or withdrawn" :
				 "status: required", "status");
		rc = 0;
		goto out;
	}
	if (n && !json_is_null(n)) {
		if (!json_is_string(n) || !note_ok(json_string_value(n))) {
			api_report_error(resp, 400, "note: expected a string of at most 2000 characters without control "
					 "characters", "note");
			rc = 0;
			goto out;
		}
		note = json_string_value(n);
	}
	if ((a = status_action(x.inc.status, to)) < 0) {
		/* received is where an incident starts: nothing leads back (403 first if the role may change none) */
		rc = may(req, resp, &x, KACT_CHECK, err);
		if (rc < 0 || (rc == 0 && resp->status != 409))
			goto out;
		kerr_set(err, KE_INVALID, "status: an incident cannot be set back to %s", kincident_status_name(to));
		rc = refuse(resp, KE_INVALID, 409, err);
		goto out;
	}
	if ((rc = may(req, resp, &x, a, err)) <= 0) {
		/* asking for the status it has already: no change, not an error (if the role may change it) */
		if (x.inc.status == to && resp->status == 409) {
			kbuf_reset(&resp->body);
			resp->status = 0;
			rc = reply(resp, 200, incident_json(&x.inc, x.now), err);
		}
		goto out;
	}
	if (x.inc.status != to) {
		if ((rc = kstore_incident_status(x.w, x.inc.id, to, note, x.now, err)) < 0) {
			rc = refuse(resp, rc, status_of(rc, 409), err);
			goto out;
		}
		if ((rc = write_commit(&x, err)) < 0)
			goto out;
		x.inc.status = to;
	}
	/* the incident as it is now (updated moved) */
	kincident_free(&x.inc);
	if ((rc = kstore_incident_get(x.w, req->args[0], &x.inc, err)) < 0)
		goto out;
	rc = reply(resp, 200, incident_json(&x.inc, x.now), err);
out:
	write_end(&x);
	return rc;
}

/* ---- POST /api/reports/ID/candidate ------------------------------------------------------------ */

int api_report_candidate(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	static const char *const members[] = { "candidate", NULL };
	struct write x;
	json_t *c;
	int rc, on;

	if ((rc = write_begin(req, resp, &x, 1, err)) <= 0)
		goto out;
	if (only_members(resp, x.in, members) < 0) {
		rc = 0;
		goto out;
	}
	c = json_object_get(x.in, "candidate");
	if (!json_is_boolean(c)) {
		api_report_error(resp, 400, c ? "candidate: expected true or false" : "candidate: required",
				 "candidate");
		rc = 0;
		goto out;
	}
	on = json_is_true(c);
	if ((rc = may(req, resp, &x, KACT_CANDIDATE, err)) <= 0)
		goto out;
	if (!x.inc.candidate != !on) {
		if ((rc = kstore_incident_candidate(x.w, x.inc.id, on, x.now, err)) < 0) {
			rc = refuse(resp, rc, status_of(rc, 409), err);
			goto out;
		}
		if ((rc = write_commit(&x, err)) < 0)
			goto out;
	}
	kincident_free(&x.inc);
	if ((rc = kstore_incident_get(x.w, req->args[0], &x.inc, err)) < 0)
		goto out;
	rc = reply(resp, 200, incident_json(&x.inc, x.now), err);
out:
	write_end(&x);
	return rc;
}

/* ---- POST /api/reports/ID/draft ------------------------------------------------------------ */

struct reports {
	json_t **v;
	size_t n, alloc;
};

static int collect_cb(void *ctx, const struct kreport_row *r)
{
	struct reports *rs = ctx;
	json_t *j;

	if (rs->n == rs->alloc) {
		size_t a = rs->alloc ? rs->alloc * 2 : 8;
		json_t **v = realloc(rs->v, a * sizeof(*v));

		if (!v)
			return KE_NOMEM;
		rs->v = v;
		rs->alloc = a;
	}
	if (!(j = json_loads(r->json ? r->json : "", 0, NULL)))
		return KE_DB; /* the store keeps only JSON it wrote */
	rs->v[rs->n++] = j;
	return 0;
}

int api_report_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	static const char *const members[] = { NULL };
	struct write x;
	struct reports rs = { 0 };
	struct kcase c;
	int rc, outcome = 0;

	kcase_init(&c);
	if ((rc = write_begin(req, resp, &x, 2, err)) <= 0)
		goto out;
	if (only_members(resp, x.in, members) < 0) {
		rc = 0;
		goto out;
	}
	if ((rc = may(req, resp, &x, KACT_DRAFT, err)) <= 0)
		goto out;
	if (x.inc.case_id) {
		kerr_set(err, KE_INVALID, "%s has a case draft already: %s", x.inc.id, x.inc.case_id);
		rc = refuse(resp, KE_INVALID, 409, err);
		goto out;
	}
	if ((rc = kstore_incident_reports(x.w, x.inc.id, collect_cb, &rs, err)) < 0) {
		if (rc == KE_NOMEM || rc == KE_DB)
			kerr_set(err, rc, "%s", rc == KE_NOMEM ? "out of memory" : "a stored report is not JSON");
		goto out;
	}
	if ((rc = kincident_case_draft(&x.inc, (json_t *const *)rs.v, rs.n, &c, err)) < 0)
		goto out;
	if ((rc = kstore_draft_put(x.w, &c, x.inc.id, &outcome, err)) < 0) {
		rc = refuse(resp, rc, rc == KE_EXISTS ? 409 : status_of(rc, 409), err);
		goto out;
	}
	if ((rc = write_commit(&x, err)) < 0)
		goto out;
	rc = reply(resp, 201, json_pack("{s:s, s:s, s:i}", "id", c.id, "incident", x.inc.id, "revision", 1), err);
out:
	for (size_t i = 0; i < rs.n; i++)
		json_decref(rs.v[i]);
	free(rs.v);
	kcase_free(&c);
	write_end(&x);
	return rc;
}
