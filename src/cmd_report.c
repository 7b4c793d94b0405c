/*
 * cmd_report.c - `kyokun report add|list|show|update|status|candidate|draft|
 * deadlines`: incident reports (情報連絡) at the command line, JSON in
 * (../shared/spec/report-json.md) and out.  The model checks the reports
 * and says who may do what (report.h: kreport_first_check,
 * kreport_update_check, kincident_allowed); the store keeps them
 * (store_report.h).
 *
 * The actor is the operator at the command line (kreader_local: like an
 * analyst, files for the organisation named), or with the global --as LOGIN
 * that user, with their role's rights; writes are audited as theirs.
 * An incident the actor may not see is "not found", whether it exists or not.
 */
#include "cli.h"
#include "account.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "report.h"
#include "store.h"
#include "store_report.h"
#include "utf8.h"

#include <getopt.h>
#include <stdint.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A report file larger than this is refused before it is parsed (the model allows 256 KB of JSON). */
#define REPORT_INPUT_MAX (1024 * 1024)
/* --note: characters. */
#define NOTE_MAX 2000

enum fmt { F_TABLE, F_TSV, F_JSON, F_CSV, F_TEXT, F_ID };

enum sub { S_ADD, S_LIST, S_SHOW, S_UPDATE, S_STATUS, S_CANDIDATE, S_DRAFT, S_DEADLINES };

struct repctx {
	enum sub sub;
	const char *id;
	const char *file;
	int fmt;
	time_t now;
	/* list */
	struct kincident_query q;
	json_t *list;
	long n;
	/* status, candidate */
	int status;
	const char *note;
	int on;
	/* deadlines */
	long followup, final;
	int set_followup, set_final;
	/* show */
	json_t *reports;
	json_t *history;
};

/* ---- shared --------------------------------------------------------------- */

static const char *input_name(const char *path)
{
	return strcmp(path, "-") ? path : "(stdin)";
}

/* The JSON object in path ("-": standard input) into *out; 0, or 1 after a message naming the file. */
static int read_json(const char *path, json_t **out)
{
	struct kbuf b = KBUF_INIT;
	struct kerr err = KERR_INIT;
	json_error_t je;
	const char *name = input_name(path);
	int rc = 1;

	*out = NULL;
	kbuf_setcap(&b, REPORT_INPUT_MAX);
	if (strcmp(path, "-") ? kbuf_read_file(&b, path, &err) < 0 : kbuf_read_fp(&b, stdin, &err) < 0) {
		if (!strcmp(path, "-"))
			kcli_error("%s: %s", name, err.msg);
		else
			kcli_error("%s", err.msg);
		goto out;
	}
	*out = json_loadb(kbuf_str(&b), b.len, JSON_REJECT_DUPLICATES, &je);
	if (!*out) {
		kcli_error("%s: not valid JSON: line %d, column %d: %s", name, je.line, je.column, je.text);
		goto out;
	}
	if (!json_is_object(*out)) {
		kcli_error("%s: expected a JSON object ({...}), not %s", name,
			   json_is_array(*out) ? "an array" : "a single value");
		json_decref(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	kbuf_release(&b);
	return rc;
}

/* Print j indented, with a newline; 0 or 1 after a message. */
static int print_json(json_t *j)
{
	if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
		kcli_error("out of memory");
		return 1;
	}
	putchar('\n');
	return 0;
}

/*
 * The incident id into inc when the actor may see it; 0, or 1 after a
 * message: "no incident" whether it does not exist or may not be seen.
 */
static int find_incident(const struct kcli *cli, struct kstore *st, const char *id, struct kincident *inc)
{
	struct kerr err = KERR_INIT;
	int rc = kstore_incident_get(st, id, inc, &err);

	if (rc == 0)
		rc = kincident_allowed(cli->reader, inc, KACT_VIEW, &err);
	if (rc == KE_NOTFOUND) {
		kcli_error("no incident with id \"%.100s\"", id);
		return 1;
	}
	if (rc < 0) {
		kcli_error("%.100s: %s", id, err.msg);
		return 1;
	}
	return 0;
}

/* May the actor do a to inc?  0, or 1 after the workflow's message. */
static int allowed(const struct kcli *cli, const struct kincident *inc, int a)
{
	struct kerr err = KERR_INIT;

	if (kincident_allowed(cli->reader, inc, a, &err) < 0) {
		kcli_error("%s: %s", inc->id, err.msg[0] ? err.msg : "not allowed");
		return 1;
	}
	return 0;
}

/* The deadline the incident is waiting for (UTC), or NULL. */
static const char *next_due(const struct kincident *inc)
{
	if (inc->status == KINC_CLOSED || inc->status == KINC_WITHDRAWN || inc->final_at)
		return NULL;
	return inc->nreports <= 1 ? inc->due_followup : inc->due_final;
}

/* The overdue marks: "followup", "final", "followup,final", or "". */
static const char *overdue_marks(unsigned due)
{
	switch (due & (KDUE_FOLLOWUP | KDUE_FINAL)) {
	case KDUE_FOLLOWUP: return "followup";
	case KDUE_FINAL: return "final";
	case KDUE_FOLLOWUP | KDUE_FINAL: return "followup,final";
	default: return "";
	}
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* ---- add, update ------------------------------------------------------------ */

/* Print the incident id (now stored) as asked: its id, or its JSON. */
static int print_incident(struct kstore *st, const struct repctx *ctx, const char *id)
{
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	json_t *j;
	int rc;

	if (ctx->fmt != F_JSON) {
		printf("%s\n", id);
		return 0;
	}
	if (kstore_incident_get(st, id, &inc, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	j = kincident_to_json(&inc, ctx->now);
	rc = print_json(j);
	json_decref(j);
	kincident_free(&inc);
	return rc;
}

static int add_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	const char *name = input_name(ctx->file);
	json_t *in = NULL;
	int rc = 1;

	if (read_json(ctx->file, &in))
		goto out;
	if (kreport_first_check(in, cli->reader, ctx->now, &inc, &err) < 0) {
		kcli_error("%s: %s", name, err.msg);
		goto out;
	}
	if (kstore_incident_add(st, &inc, ctx->now, &err) < 0) {
		kcli_error("%s: %s", name, err.msg);
		goto out;
	}
	fprintf(stderr, "filed the first report (第一報) of %s for %s: a follow-up is due by %s, the final "
		"report by %s (UTC)\n", inc.id, str_or(inc.org, "-"), str_or(inc.due_followup, "-"),
		str_or(inc.due_final, "-"));
	fflush(stderr);
	rc = print_incident(st, ctx, inc.id);
out:
	json_decref(in);
	kincident_free(&inc);
	return rc;
}

static int update_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	const char *name = input_name(ctx->file), *kind;
	json_t *in = NULL, *rep = NULL;
	int rc = 1, seq = 0, final;

	if (find_incident(cli, st, ctx->id, &inc) || read_json(ctx->file, &in))
		goto out;
	kind = json_string_value(json_object_get(in, "kind"));
	final = kind && kreport_kind_parse(kind) == KREPORT_FINAL;
	if (allowed(cli, &inc, final ? KACT_FINAL : KACT_FOLLOWUP))
		goto out;
	if (kreport_update_check(in, &inc, ctx->now, &rep, &err) < 0) {
		kcli_error("%s: %s", name, err.msg);
		goto out;
	}
	if (kstore_incident_report(st, &inc, rep, ctx->now, &seq, &err) < 0) {
		kcli_error("%s: %s", name, err.msg);
		goto out;
	}
	fprintf(stderr, "filed report %d (%s) of %s\n", seq, final ? "最終報, final" : "続報, follow-up", inc.id);
	fflush(stderr);
	if (ctx->fmt == F_JSON)
		rc = print_incident(st, ctx, inc.id);
	else {
		printf("%d\n", seq);
		rc = 0;
	}
out:
	json_decref(in);
	json_decref(rep);
	kincident_free(&inc);
	return rc;
}

/* ---- list ---------------------------------------------------------------------- */

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void csv_field(const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static int incident_cb(void *vctx, const struct kincident *inc)
{
	struct repctx *ctx = vctx;
	const char *marks = overdue_marks(kincident_overdue(inc, ctx->now));
	const char *cols[8] = {
		inc->id, kincident_status_name(inc->status), marks, inc->sector, inc->org, inc->title,
		inc->detected_at, next_due(inc),
	};

	ctx->n++;
	switch (ctx->fmt) {
	case F_JSON: {
		json_t *j = kincident_to_json(inc, ctx->now);

		if (!j || json_array_append_new(ctx->list, j))
			return KE_NOMEM;
		break;
	}
	case F_TSV:
	case F_CSV:
		for (int i = 0; i < 8; i++) {
			if (i)
				putchar(ctx->fmt == F_TSV ? '\t' : ',');
			if (ctx->fmt == F_TSV)
				tsv_field(str_or(cols[i], "-"));
			else
				csv_field(cols[i]);
		}
		putchar('\n');
		break;
	default:
		kcli_print_cell(stdout, inc->id, 13);
		putchar(' ');
		kcli_print_cell(stdout, str_or(kincident_status_label_ja(inc->status), "?"), 6);
		putchar(' ');
		kcli_print_cell(stdout, str_or(marks, "-"), 14);
		putchar(' ');
		kcli_print_cell(stdout, str_or(ksector_label_ja(inc->sector), str_or(inc->sector, "-")), 10);
		putchar(' ');
		kcli_print_cell(stdout, str_or(inc->org, "-"), 16);
		putchar(' ');
		kcli_print_cell(stdout, str_or(inc->detected_at, "-"), 25);
		putchar(' ');
		kcli_print_cell(stdout, str_or(next_due(inc), "-"), 20);
		printf(" %s%s\n", inc->candidate ? "[事例候補] " : "", str_or(inc->title, ""));
		break;
	}
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	long total = 0;
	int rc;

	ctx->q.reader = cli->reader;
	ctx->q.now = ctx->now;
	if (ctx->fmt == F_TABLE) {
		static const struct { const char *h; int w; } head[] = {
			{ "ID", 13 }, { "STATUS", 6 }, { "OVERDUE", 14 }, { "SECTOR", 10 }, { "ORGANISATION", 16 },
			{ "DETECTED", 25 }, { "DUE (UTC)", 20 },
		};

		for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
			kcli_print_cell(stdout, head[i].h, head[i].w);
			putchar(' ');
		}
		puts("TITLE");
	} else if (ctx->fmt == F_CSV) {
		puts("id,status,overdue,sector,organization,title,detected_at,due");
	}
	if (ctx->fmt == F_JSON && !(ctx->list = json_array())) {
		kcli_error("out of memory");
		return 1;
	}
	rc = kstore_incident_list(st, &ctx->q, incident_cb, ctx, &total, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (!rc && ctx->fmt == F_JSON) {
		json_t *o = json_pack("{s:I, s:O}", "total", (json_int_t)total, "incidents", ctx->list);

		rc = print_json(o) ? KE_NOMEM : 0;
		json_decref(o);
		if (rc)
			err.msg[0] = 0;
	}
	json_decref(ctx->list);
	ctx->list = NULL;
	if (rc < 0) {
		if (err.msg[0])
			kcli_error("%s", err.msg);
		return 1;
	}
	if (ctx->fmt == F_TABLE) {
		if (total > ctx->n)
			printf("(%ld of %ld incidents)\n", ctx->n, total);
		else
			printf("(%ld incident%s)\n", ctx->n, ctx->n == 1 ? "" : "s");
	}
	return 0;
}

/* ---- show ------------------------------------------------------------------------ */

static int report_cb(void *vctx, const struct kreport_row *r)
{
	struct repctx *ctx = vctx;
	json_t *j = json_loads(r->json, 0, NULL);

	if (!j)
		j = json_pack("{s:i, s:s, s:s, s:s}", "seq", r->seq, "kind", kreport_kind_name(r->kind), "submitted",
			      r->submitted, "author", r->author);
	if (!j || json_array_append_new(ctx->reports, j))
		return KE_NOMEM;
	return 0;
}

static int history_cb(void *vctx, const struct kstatus_row *r)
{
	struct repctx *ctx = vctx;
	json_t *j = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "at", r->at, "actor", r->actor, "from",
			      r->from >= 0 ? kincident_status_name(r->from) : NULL, "to",
			      r->to >= 0 ? kincident_status_name(r->to) : NULL, "note", r->note ? r->note : "");

	if (!j || json_array_append_new(ctx->history, j))
		return KE_NOMEM;
	return 0;
}

/* text, each line after the first indented by ind spaces */
static void print_indented(const char *text, int ind)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			printf("%*s", ind, "");
	}
	putchar('\n');
}

/* A stored report's members as "  key: value" lines (objects as key.member). */
static void print_members(const json_t *obj, const char *prefix, int top)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char path[256];

		if (top && (!strcmp(key, "seq") || !strcmp(key, "kind") || !strcmp(key, "submitted") ||
			    !strcmp(key, "author")))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v)) {
			print_members(v, path, 0);
			continue;
		}
		if (json_is_null(v))
			continue;
		printf("  %s: ", path);
		if (json_is_string(v)) {
			print_indented(json_string_value(v), (int)strlen(path) + 4);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *e;

			json_array_foreach(v, i, e) {
				char *s = json_is_string(e) ? NULL : json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);

				printf("%s%s", i ? ", " : "", s ? s : json_string_value(e));
				free(s);
			}
			putchar('\n');
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY);

			printf("%s\n", s ? s : "");
			free(s);
		}
	}
}

static void print_types(unsigned bits, int n, const char *(*label)(int))
{
	int first = 1;

	for (int i = 0; i < n; i++)
		if (bits & (1u << i)) {
			printf("%s%s", first ? "" : ", ", label(i));
			first = 0;
		}
	puts(first ? "-" : "");
}

static void show_text(const struct repctx *ctx, const struct kincident *inc)
{
	unsigned due = kincident_overdue(inc, ctx->now);
	size_t i;
	json_t *r;

	printf("%s  %s\n", inc->id, str_or(inc->title, ""));
	for (int w = kcli_width(inc->id) + 2 + kcli_width(str_or(inc->title, "")); w > 0; w--)
		putchar('=');
	putchar('\n');
	printf("状態 status:          %s (%s)%s\n", str_or(kincident_status_label_ja(inc->status), "?"),
	       str_or(kincident_status_name(inc->status), "?"), inc->candidate ? "  事例候補 (case-study candidate)" : "");
	printf("組織 organization:    %s\n", str_or(inc->org, "-"));
	printf("分野 sector:          %s (%s)\n", str_or(ksector_label_ja(inc->sector), "-"), str_or(inc->sector, "-"));
	printf("TLP:                  %s\n", str_or(inc->tlp, "-"));
	printf("事象 event types:     ");
	print_types(inc->event_types, KEVT_N, kevent_type_label_ja);
	printf("原因 cause types:     ");
	print_types(inc->cause_types, KCAUSE_N, kcause_type_label_ja);
	printf("実害 service affected: %s\n", str_or(ktri_label_ja(inc->service_affected), "-"));
	printf("発生 occurred:        %s\n", str_or(inc->occurred_at, "-"));
	printf("検知 detected:        %s\n", str_or(inc->detected_at, "-"));
	printf("受付 filed:           %s by %s\n", str_or(inc->created, "-"), str_or(inc->filed_by, "-"));
	printf("期限 due (UTC):       続報 follow-up %s, 最終報 final %s\n", str_or(inc->due_followup, "-"),
	       str_or(inc->due_final, "-"));
	if (due)
		printf("期限超過 overdue:     %s%s%s\n", due & KDUE_FOLLOWUP ? "続報 follow-up" : "",
		       due == (KDUE_FOLLOWUP | KDUE_FINAL) ? ", " : "", due & KDUE_FINAL ? "最終報 final" : "");
	if (inc->final_at)
		printf("最終報 final report:  %s\n", inc->final_at);
	if (inc->case_id)
		printf("事例 case:            %s\n", inc->case_id);

	json_array_foreach(ctx->reports, i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));
		int k = kind ? kreport_kind_parse(kind) : -1;

		printf("\n■ %s (%s) #%lld  %s  %s\n", str_or(kreport_kind_label_ja(k), "?"), str_or(kind, "?"),
		       (long long)json_integer_value(json_object_get(r, "seq")),
		       str_or(json_string_value(json_object_get(r, "submitted")), "-"),
		       str_or(json_string_value(json_object_get(r, "author")), "-"));
		print_members(r, "", 1);
	}
	printf("\n■ 状態の履歴 (status history)\n");
	json_array_foreach(ctx->history, i, r) {
		const char *note = json_string_value(json_object_get(r, "note"));
		const char *from = json_string_value(json_object_get(r, "from"));
		const char *to = json_string_value(json_object_get(r, "to"));

		printf("  %s  %s  ", json_string_value(json_object_get(r, "at")),
		       json_string_value(json_object_get(r, "actor")));
		if (to)
			printf("%s -> %s (%s)", from ? kincident_status_label_ja(kincident_status_parse(from)) : "-",
			       kincident_status_label_ja(kincident_status_parse(to)), to);
		if (note && *note) {
			printf("%s", to ? "  " : "");
			print_indented(note, 4);
		} else {
			putchar('\n');
		}
	}
}

static int show_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	int rc = 1;

	if (find_incident(cli, st, ctx->id, &inc))
		goto out;
	if (!(ctx->reports = json_array()) || !(ctx->history = json_array())) {
		kcli_error("out of memory");
		goto out;
	}
	if (kstore_incident_reports(st, inc.id, report_cb, ctx, &err) < 0 ||
	    kstore_incident_history(st, inc.id, history_cb, ctx, &err) < 0) {
		kcli_error("%s", err.msg[0] ? err.msg : "out of memory");
		goto out;
	}
	if (ctx->fmt == F_JSON) {
		json_t *o = json_pack("{s:o, s:O, s:O}", "incident", kincident_to_json(&inc, ctx->now), "reports",
				      ctx->reports, "history", ctx->history);

		rc = print_json(o);
		json_decref(o);
	} else {
		show_text(ctx, &inc);
		rc = 0;
	}
out:
	json_decref(ctx->reports);
	json_decref(ctx->history);
	kincident_free(&inc);
	return rc;
}

/* ---- status, candidate ------------------------------------------------------------ */

static int status_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	int rc = 1, a = -1, old;

	if (find_incident(cli, st, ctx->id, &inc))
		goto out;
	old = inc.status;
	switch (ctx->status) {
	case KINC_CHECKING: a = KACT_CHECK; break;
	case KINC_RESPONDING: a = old == KINC_CLOSED ? KACT_REOPEN : KACT_RESPOND; break;
	case KINC_CLOSED: a = KACT_CLOSE; break;
	case KINC_WITHDRAWN: a = KACT_WITHDRAW; break;
	default: break;
	}
	if (a < 0) {
		kcli_error("%s: an incident cannot be set back to %s (%s)", inc.id,
			   kincident_status_label_ja(ctx->status), kincident_status_name(ctx->status));
		goto out;
	}
	if (old == ctx->status) {
		/* the role may not change it at all: say so rather than "already" */
		if (kincident_allowed(cli->reader, &inc, a, &err) == KE_DENIED) {
			kcli_error("%s: %s", inc.id, err.msg);
			goto out;
		}
		fprintf(stderr, "%s is %s (%s) already: nothing changed\n", inc.id,
			kincident_status_label_ja(old), kincident_status_name(old));
		rc = 0;
		goto out;
	}
	if (allowed(cli, &inc, a))
		goto out;
	if (kstore_incident_status(st, inc.id, ctx->status, ctx->note ? ctx->note : "", ctx->now, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	fprintf(stderr, "%s: %s -> %s (%s -> %s)\n", inc.id, kincident_status_label_ja(old),
		kincident_status_label_ja(ctx->status), kincident_status_name(old),
		kincident_status_name(ctx->status));
	rc = 0;
out:
	kincident_free(&inc);
	return rc;
}

static int candidate_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	int rc = 1;

	if (find_incident(cli, st, ctx->id, &inc) || allowed(cli, &inc, KACT_CANDIDATE))
		goto out;
	if (!inc.candidate == !ctx->on) {
		fprintf(stderr, "%s is %sa case-study candidate already: nothing changed\n", inc.id,
			ctx->on ? "" : "not ");
		rc = 0;
		goto out;
	}
	if (kstore_incident_candidate(st, inc.id, ctx->on, ctx->now, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	fprintf(stderr, "%s is %s a case-study candidate (事例候補)\n", inc.id, ctx->on ? "now" : "no longer");
	rc = 0;
out:
	kincident_free(&inc);
	return rc;
}

/* ---- draft ---------------------------------------------------------------------------- */

struct reports {
	json_t **v;
	size_t n, alloc;
};

static int collect_cb(void *vctx, const struct kreport_row *r)
{
	struct reports *rs = vctx;
	json_t *j;

	if (rs->n == rs->alloc) {
		size_t na = rs->alloc ? rs->alloc * 2 : 8;
		json_t **nv = realloc(rs->v, na * sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		rs->v = nv;
		rs->alloc = na;
	}
	if (!(j = json_loads(r->json, 0, NULL)))
		return KE_NOMEM;
	rs->v[rs->n++] = j;
	return 0;
}

static int draft_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kincident inc = { 0 };
	struct reports rs = { 0 };
	struct kcase c;
	int rc = 1, outcome = 0;

	kcase_init(&c);
	/* the workflow refuses an incident that has a case (draft) already */
	if (find_incident(cli, st, ctx->id, &inc) || allowed(cli, &inc, KACT_DRAFT))
		goto out;
	if ((rc = kstore_incident_reports(st, inc.id, collect_cb, &rs, &err)) < 0 ||
	    (rc = kincident_case_draft(&inc, (json_t *const *)rs.v, rs.n, &c, &err)) < 0 ||
	    (rc = kstore_draft_put(st, &c, inc.id, &outcome, &err)) < 0) {
		kcli_error("%s: %s", inc.id, err.msg[0] ? err.msg : "out of memory");
		rc = 1;
		goto out;
	}
	fprintf(stderr, "case draft %s made from %s: edit it in the browser, then 'kyokun draft publish %s'\n",
		c.id, inc.id, c.id);
	fflush(stderr);
	printf("%s\n", c.id);
	rc = 0;
out:
	for (size_t i = 0; i < rs.n; i++)
		json_decref(rs.v[i]);
	free(rs.v);
	kcase_free(&c);
	kincident_free(&inc);
	return rc;
}

/* ---- deadlines ---------------------------------------------------------------------- */

static int deadlines_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct repctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kdeadlines d = KDEADLINES_DEFAULT;
	int set = ctx->set_followup || ctx->set_final;

	if (set && !kreader_can(cli->reader, KCAP_CASE_EDIT)) {
		kcli_error("the deadlines are set by the centre's analysts and publishers (%s is %s)",
			   str_or(cli->reader->login, "this user"), str_or(krole_name(cli->reader->role), "no role"));
		return 1;
	}
	if (kstore_deadlines_get(st, &d, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (set) {
		if (ctx->set_followup)
			d.followup_hours = ctx->followup;
		if (ctx->set_final)
			d.final_hours = ctx->final;
		if (d.followup_hours > d.final_hours) {
			kcli_error("a follow-up due after the final report (%ld > %ld hours): nothing changed",
				   d.followup_hours, d.final_hours);
			return 1;
		}
		if (kstore_deadlines_set(st, &d, &err) < 0) {
			kcli_error("%s", err.msg);
			return 1;
		}
		fprintf(stderr, "deadlines set; incidents filed from now on get them (filed ones keep theirs)\n");
	}
	if (ctx->fmt == F_JSON) {
		json_t *o = json_pack("{s:I, s:I}", "followup_hours", (json_int_t)d.followup_hours, "final_hours",
				      (json_int_t)d.final_hours);
		int rc = print_json(o);

		json_decref(o);
		return rc;
	}
	printf("followup\t%ld\nfinal\t%ld\n", d.followup_hours, d.final_hours);
	return 0;
}

/* ---- the command ------------------------------------------------------------------------ */

/* A time for --since/--until (RFC 3339, a UTC time or date, or an age) as UTC text; 0 or 2. */
static int parse_when(const struct repctx *ctx, const char *opt, const char *s, char out[KTIME_LEN + 1])
{
	struct kerr err = KERR_INIT;
	time_t t;

	if (kreport_time_parse(s, &t, NULL) < 0 && ktime_since(s, ctx->now, &t, &err) < 0)
		return kcli_usage_error("report", "%s: expected a time (2026-11-20T09:00:00+09:00, 2026-11-20 or "
					"an age such as 7d), not '%s'", opt, s);
	ktime_iso(t, out);
	return 0;
}

/* --note: UTF-8 text without control characters (newlines allowed), NOTE_MAX characters at most; 0 or 2. */
static int check_note(const char *s)
{
	size_t i = 0, len = strlen(s);
	long n = 0;
	uint32_t cp;

	while (i < len) {
		int k = kutf8_decode(s + i, len - i, &cp);

		if (k < 0)
			return kcli_usage_error("report", "--note: not valid UTF-8");
		if ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
			return kcli_usage_error("report", "--note: contains a control character (U+%04X)", (unsigned)cp);
		i += (size_t)k;
		n++;
	}
	if (n > NOTE_MAX)
		return kcli_usage_error("report", "--note: at most %d characters (%ld given)", NOTE_MAX, n);
	return 0;
}

/* A report id or draft id argument: some text, not too long. */
static int parse_id(const char *s)
{
	if (!*s || strlen(s) > 64 || strpbrk(s, " \t\r\n"))
		return kcli_usage_error("report", "'%.80s' is not an incident id (such as IR-2026-0001)", s);
	return 0;
}

int cmd_report(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "status", required_argument, NULL, 's' },
		{ "sector", required_argument, NULL, 'S' },
		{ "event-type", required_argument, NULL, 'e' },
		{ "org", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 'a' },
		{ "until", required_argument, NULL, 'b' },
		{ "candidate", no_argument, NULL, 'c' },
		{ "overdue", no_argument, NULL, 'O' },
		{ "text", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		{ "note", required_argument, NULL, 'n' },
		{ "followup", required_argument, NULL, 'F' },
		{ "final", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const fmt_id[] = { "id", "json", NULL };
	static const char *const fmt_list[] = { "table", "tsv", "json", "csv", NULL };
	static const char *const fmt_show[] = { "text", "json", NULL };
	static const char *const fmt_dl[] = { "tsv", "json", NULL };
	static const struct {
		const char *name;
		enum sub sub;
		const char *opts;
		int nargs;            /* positional arguments */
		enum kcli_store need;
		const char *args;     /* what they are, for messages */
	} subs[] = {
		{ "add", S_ADD, "f", 1, KCLI_WRITE, "FILE" },
		{ "list", S_LIST, "fsSeoabcOtl", 0, KCLI_READ, "" },
		{ "show", S_SHOW, "f", 1, KCLI_READ, "ID" },
		{ "update", S_UPDATE, "f", 2, KCLI_WRITE, "ID and FILE" },
		{ "status", S_STATUS, "n", 2, KCLI_WRITE, "ID and STATUS" },
		{ "candidate", S_CANDIDATE, "", 2, KCLI_WRITE, "ID and on or off" },
		{ "draft", S_DRAFT, "", 1, KCLI_WRITE, "ID" },
		{ "deadlines", S_DEADLINES, "fFL", 0, KCLI_READ, "" },
	};
	static int (*const runs[])(struct kcli *, struct kstore *, void *) = {
		[S_ADD] = add_run, [S_LIST] = list_run, [S_SHOW] = show_run, [S_UPDATE] = update_run,
		[S_STATUS] = status_run, [S_CANDIDATE] = candidate_run, [S_DRAFT] = draft_run,
		[S_DEADLINES] = deadlines_run,
	};
	struct repctx ctx = { .fmt = -1 };
	char since[KTIME_LEN + 1], until[KTIME_LEN + 1];
	const char *fmtarg = NULL;
	enum kcli_store need;
	int c, rc, which = -1, nargs;
	long v;

	if (argc < 2)
		return kcli_usage_error("report", "report: say add, list, show, update, status, candidate, draft or "
					"deadlines");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			which = (int)i;
	if (which < 0)
		return kcli_usage_error("report", "report: unknown subcommand '%s' (add, list, show, update, status, "
					"candidate, draft or deadlines)", argv[1]);
	ctx.sub = subs[which].sub;
	ctx.now = kreport_now();
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return kcli_bad_option("report", argv);
		if (!strchr(subs[which].opts, c)) {
			for (const struct option *o = opts; o->name; o++)
				if (o->val == c)
					return kcli_usage_error("report", "report %s takes no --%s", subs[which].name,
								o->name);
		}
		switch (c) {
		case 'f': fmtarg = optarg; break;
		case 's': {
			int s = kincident_status_parse(optarg);

			if (s < 0)
				return kcli_usage_error("report", "--status: expected received, checking, responding, "
							"closed or withdrawn (or 受付, 確認中, 対応中, 完了, 取下げ), not '%s'",
							optarg);
			ctx.q.statuses |= 1u << s;
			break;
		}
		case 'S':
			if (!(ctx.q.sector = ksector_parse(optarg)))
				return kcli_usage_error("report", "--sector: unknown sector '%s' (a tag such as electricity, "
							"or the Japanese name such as 電力)", optarg);
			break;
		case 'e': {
			unsigned b = kevent_type_parse(optarg);

			if (!b)
				return kcli_usage_error("report", "--event-type: unknown event type '%s' (precursor, "
							"confidentiality, integrity, availability, malware, "
							"malicious_code, intrusion or other)", optarg);
			ctx.q.event_types |= b;
			break;
		}
		case 'o': ctx.q.org = optarg; break;
		case 'a':
			if ((rc = parse_when(&ctx, "--since", optarg, since)))
				return rc;
			ctx.q.since = since;
			break;
		case 'b':
			if ((rc = parse_when(&ctx, "--until", optarg, until)))
				return rc;
			ctx.q.until = until;
			break;
		case 'c': ctx.q.candidate = 1; break;
		case 'O': ctx.q.overdue = 1; break;
		case 't':
			if (!*optarg || strlen(optarg) > 200)
				return kcli_usage_error("report", "--text: expected 1 to 200 bytes of words");
			ctx.q.text = optarg;
			break;
		case 'l':
			if ((rc = kcli_opt_number(cli, "--limit", optarg, 1, 100000, &v)))
				return rc;
			ctx.q.limit = v;
			break;
		case 'n':
			if ((rc = check_note(optarg)))
				return rc;
			ctx.note = optarg;
			break;
		case 'F':
			if ((rc = kcli_opt_number(cli, "--followup", optarg, 1, 8760, &ctx.followup)))
				return rc;
			ctx.set_followup = 1;
			break;
		case 'L':
			if ((rc = kcli_opt_number(cli, "--final", optarg, 1, 87600, &ctx.final)))
				return rc;
			ctx.set_final = 1;
			break;
		}
	}
	nargs = argc - optind;
	if (nargs < subs[which].nargs)
		return kcli_usage_error("report", "report %s: %s needed", subs[which].name, subs[which].args);
	if (nargs > subs[which].nargs)
		return kcli_usage_error("report", "report %s: unexpected argument '%s'", subs[which].name,
					argv[optind + subs[which].nargs]);
	if (fmtarg) {
		const char *const *choices = ctx.sub == S_LIST ? fmt_list : ctx.sub == S_SHOW ? fmt_show
					   : ctx.sub == S_DEADLINES ? fmt_dl : fmt_id;
		static const int map_id[] = { F_ID, F_JSON }, map_list[] = { F_TABLE, F_TSV, F_JSON, F_CSV },
				 map_show[] = { F_TEXT, F_JSON }, map_dl[] = { F_TSV, F_JSON };
		int i;

		if ((rc = kcli_opt_choice(cli, "--format", fmtarg, choices, &i)))
			return rc;
		ctx.fmt = ctx.sub == S_LIST ? map_list[i] : ctx.sub == S_SHOW ? map_show[i]
			: ctx.sub == S_DEADLINES ? map_dl[i] : map_id[i];
	} else {
		ctx.fmt = ctx.sub == S_LIST ? (cli->out_tty ? F_TABLE : F_TSV) : ctx.sub == S_SHOW ? F_TEXT
			: ctx.sub == S_DEADLINES ? F_TSV : F_ID;
	}
	switch (ctx.sub) {
	case S_ADD:
		ctx.file = argv[optind];
		break;
	case S_UPDATE:
		ctx.file = argv[optind + 1];
		/* fall through */
	case S_SHOW:
	case S_DRAFT:
		ctx.id = argv[optind];
		break;
	case S_STATUS:
		ctx.id = argv[optind];
		if ((ctx.status = kincident_status_parse(argv[optind + 1])) < 0)
			return kcli_usage_error("report", "report status: unknown status '%s' (received, checking, "
						"responding, closed, withdrawn, or 受付, 確認中, 対応中, 完了, 取下げ)",
						argv[optind + 1]);
		break;
	case S_CANDIDATE:
		ctx.id = argv[optind];
		if (!strcmp(argv[optind + 1], "on") || !strcmp(argv[optind + 1], "yes"))
			ctx.on = 1;
		else if (!strcmp(argv[optind + 1], "off") || !strcmp(argv[optind + 1], "no"))
			ctx.on = 0;
		else
			return kcli_usage_error("report", "report candidate: expected on or off, not '%s'",
						argv[optind + 1]);
		break;
	default:
		break;
	}
	if (ctx.id && (rc = parse_id(ctx.id)))
		return rc;
	need = subs[which].need;
	if (ctx.sub == S_DEADLINES && (ctx.set_followup || ctx.set_final))
		need = KCLI_WRITE;
	cli->as_acts = 1;
	return kcli_run_store(cli, need, runs[ctx.sub], &ctx);
}
