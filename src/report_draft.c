/*
 * report_draft.c - from incident to case (see report.h): the case draft an
 * analyst starts from an incident and its reports, and the incident as
 * JSON for the API and the command line.
 *
 * The draft (case-json.md fields):
 *   id          "draft-" and the incident's id lowercased ("draft-ir-2026-0001")
 *   title       the incident's title; owner its organisation; tlp its level
 *   attributes  organization: the sector's Japanese name (not the operator:
 *               a published case does not name it)
 *   tags        sectors [the incident's sector]; event_class from the
 *               event and cause types (below); no threats (the analyst's call)
 *   sections    背景        the first report's description, then every
 *                           report's impact, the service affected, the
 *                           spread and the event types
 *               検知        when it was detected (and when it began)
 *               対処        the first report's actions and every later
 *                           report's response, each under its report
 *               原因        the cause types, then every report's cause
 *               再発防止策  every report's countermeasures
 *               得られた気付き・教訓  left absent: the analyst writes it (a
 *                           placeholder could end up published; the edit
 *                           page shows the empty section to fill in)
 *   timeline    発生 (occurred_at), 検知 (detected_at), 第一報 (when it was
 *               submitted), 続報 and 最終報 (its "at", with the first line of
 *               its text or else its response); in time order; "when" the local date and time as
 *               the report gave it ("2026-11-20 09:00 (+09:00)"), reports
 *               stored in UTC shown in the offset of detected_at; "day"
 *               counted from the day of detection (1日目 = 1, the day
 *               before = -1); actor 事業者 (the reporting side).  A report
 *               without a time (not stored yet) follows the event before
 *               it, "when" 日時不明 and no day.
 *
 * event_class:
 *   cyber_attack    malware, malicious_code or intrusion; or
 *                   confidentiality, integrity or availability with an
 *                   intentional cause
 *   system_failure  availability with an accidental or environmental cause
 *   other           anything else
 */
#include "report.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTOR "事業者"

/* ---- times as labels ----------------------------------------------------------- */

/* The offset in minutes of an RFC 3339 time ("...+09:00" 540, "Z" 0); 0 if none. */
static int offset_of(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= 6 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':') {
		int h = (s[n - 5] - '0') * 10 + (s[n - 4] - '0'), m = (s[n - 2] - '0') * 10 + (s[n - 1] - '0');

		return (s[n - 6] == '-' ? -1 : 1) * (h * 60 + m);
	}
	return 0;
}

/* "2026-11-20T09:00:00+09:00" as "2026-11-20 09:00 (+09:00)"; "...Z" as "... (UTC)". */
static void when_label(const char *s, char *out, size_t n)
{
	size_t len = strlen(s);
	const char *zone = "UTC";

	if (len >= 6 && (s[len - 6] == '+' || s[len - 6] == '-'))
		zone = s + len - 6;
	snprintf(out, n, "%.10s %.5s (%s)", s, len > 11 ? s + 11 : "", zone);
}

/* ---- reading the stored reports ------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static int kind_of(json_t *rep, size_t i)
{
	int k = kreport_kind_parse(str(rep, "kind"));

	return k >= 0 ? k : i == 0 ? KREPORT_FIRST : KREPORT_FOLLOWUP;
}

/* The report's time as UTC seconds and the label of it: "at", else "submitted"; 0 if neither. */
static int report_time(json_t *rep, int det_off, time_t *t, char *label, size_t n)
{
	const char *at = str(rep, "at"), *sub = str(rep, "submitted");

	if (at && kreport_time_parse(at, t, NULL) == 0) {
		when_label(at, label, n);
		return 1;
	}
	if (sub && (ktime_parse(sub, t) == 0 || kreport_time_parse(sub, t, NULL) == 0)) {
		char local[32];

		kreport_time_format(*t, det_off, local);
		when_label(local, label, n);
		return 1;
	}
	*label = 0;
	return 0;
}

/* "第一報", "続報 (2026-11-20 15:00 (+09:00))" */
static void report_heading(int kind, const char *label, char *out, size_t n)
{
	snprintf(out, n, "【%s%s%s】", kreport_kind_label_ja((enum kreport_kind)kind), *label ? " " : "", label);
}

/* The first line of s, at most max characters (an ellipsis when cut). */
static int add_first_line(struct kbuf *b, const char *s, size_t max)
{
	size_t i = 0, chars = 0, len = strcspn(s, "\n");

	while (i < len && chars < max) {
		uint32_t cp;
		int l = kutf8_decode(s + i, len - i, &cp);

		if (l < 0)
			break;
		i += (size_t)l;
		chars++;
	}
	if (kbuf_add(b, s, i) < 0)
		return KE_NOMEM;
	return i < strlen(s) ? kbuf_adds(b, "…") : 0;
}

/* ---- sections ------------------------------------------------------------------ */

static int para(struct kbuf *b)
{
	return b->len ? kbuf_adds(b, "\n\n") : 0;
}

static int add_labels(struct kbuf *b, unsigned bits, int n, const char *(*label)(int))
{
	int first = 1;

	for (int i = 0; i < n; i++)
		if (bits & (1u << i)) {
			if ((!first && kbuf_adds(b, "、") < 0) || kbuf_adds(b, label(i)) < 0)
				return KE_NOMEM;
			first = 0;
		}
	return 0;
}

static int add_impact(struct kbuf *b, json_t *im, const char *heading)
{
	json_t *u = json_object_get(im, "users_affected"), *d = json_object_get(im, "duration_minutes");
	const char *scope = str(im, "scope");

	if (!scope && !json_is_integer(u) && !json_is_integer(d))
		return 0;
	if (para(b) || kbuf_addf(b, "影響%s:", heading) < 0 ||
	    (scope && kbuf_addf(b, "\n範囲: %s", scope) < 0) ||
	    (json_is_integer(u) && kbuf_addf(b, "\n影響を受けた利用者数: %lld", (long long)json_integer_value(u)) < 0) ||
	    (json_is_integer(d) && kbuf_addf(b, "\n継続時間: %lld 分", (long long)json_integer_value(d)) < 0))
		return KE_NOMEM;
	return 0;
}

static int set_section(struct kcase *c, int sec, struct kbuf *b)
{
	int rc = 0;

	if (b->len)
		rc = kstr_set(&c->sections[sec], kbuf_str(b));
	kbuf_reset(b);
	return rc;
}

/* ---- the timeline --------------------------------------------------------------- */

struct ev {
	time_t t;
	int known;        /* t is set (for sorting) */
	int dated;        /* t is the event's own time */
	size_t order;
	char when[48];
	char *text;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->known && y->known && x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int day_of(time_t t, time_t det, int off)
{
	long long a = ((long long)t + off * 60LL), z = ((long long)det + off * 60LL);
	long long da = (a >= 0 ? a : a - 86399) / 86400, dz = (z >= 0 ? z : z - 86399) / 86400;
	long long diff = da - dz;

	return (int)(diff >= 0 ? diff + 1 : diff);
}

static const char *event_class(unsigned ev, unsigned cause)
{
	if ((ev & (KEVT_MALWARE | KEVT_MALICIOUS_CODE | KEVT_INTRUSION)) ||
	    ((cause & KCAUSE_INTENTIONAL) && (ev & (KEVT_CONFIDENTIALITY | KEVT_INTEGRITY | KEVT_AVAILABILITY))))
		return "cyber_attack";
	if ((cause & (KCAUSE_ACCIDENTAL | KCAUSE_ENVIRONMENTAL)) && (ev & KEVT_AVAILABILITY))
		return "system_failure";
	return "other";
}

int kincident_case_draft(const struct kincident *inc, json_t *const *reports, size_t n, struct kcase *c,
			 struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	struct ev *evs = NULL;
	size_t nev = 0;
	json_t *first = n ? reports[0] : inc->first;
	const char *sector_ja = ksector_label_ja(inc->sector);
	int det_off = offset_of(inc->detected_at), rc = KE_NOMEM;
	time_t det = 0, t;
	char label[48], heading[96];

	if (!inc->detected_at || kreport_time_parse(inc->detected_at, &det, NULL) < 0)
		if (!inc->detected_utc || ktime_parse(inc->detected_utc, &det) < 0)
			det = 0;

	/* the head */
	snprintf(heading, sizeof(heading), "draft-%s", inc->id ? inc->id : "incident");
	for (char *p = heading; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (kstr_set(&c->id, heading) || kstr_set(&c->title, inc->title) || kstr_set(&c->owner, inc->org) ||
	    kstr_set(&c->tlp, inc->tlp) ||
	    kstr_set(&c->tags.event_class, event_class(inc->event_types, inc->cause_types)) ||
	    (sector_ja && kstr_set(&c->attributes.organization, sector_ja)) ||
	    (inc->sector && !kstrv_contains(&c->tags.sectors, inc->sector) && kstrv_push(&c->tags.sectors, inc->sector)))
		goto out;

	/* 背景 */
	if (first && str(first, "description") && kbuf_adds(&b, str(first, "description")) < 0)
		goto out;
	for (size_t i = 0; i < n || (i == 0 && !n && first); i++) {
		json_t *rep = n ? reports[i] : first;
		int k = kind_of(rep, i);

		report_time(rep, det_off, &t, label, sizeof(label));
		snprintf(heading, sizeof(heading), "（%s%s%s）", kreport_kind_label_ja((enum kreport_kind)k),
			 *label ? " " : "", label);
		if (add_impact(&b, json_object_get(rep, "impact"), heading))
			goto out;
	}
	if (inc->service_affected != KTRI_UNSET &&
	    (para(&b) || kbuf_addf(&b, "重要インフラサービスへの影響: %s", ktri_label_ja(inc->service_affected)) < 0))
		goto out;
	if (first && json_is_object(json_object_get(first, "spread"))) {
		json_t *sp = json_object_get(first, "spread"), *secs = json_object_get(sp, "sectors"), *s;
		size_t i;

		if (kbuf_addf(&b, "\n他分野への波及: %s", ktri_label_ja(ktri_parse(str(sp, "status"))) ?
			      ktri_label_ja(ktri_parse(str(sp, "status"))) : "不明") < 0)
			goto out;
		json_array_foreach(secs, i, s)
			if (json_is_string(s) && kbuf_addf(&b, "%s%s", i ? "、" : "（", json_string_value(s)) < 0)
				goto out;
		if (json_array_size(secs) && kbuf_adds(&b, "）") < 0)
			goto out;
	}
	if (inc->event_types &&
	    (para(&b) || kbuf_adds(&b, "事象の類型: ") < 0 ||
	     add_labels(&b, inc->event_types, KEVT_N, kevent_type_label_ja)))
		goto out;
	if (set_section(c, KSEC_BACKGROUND, &b))
		goto out;

	/* 検知 */
	if (inc->detected_at) {
		when_label(inc->detected_at, label, sizeof(label));
		if (kbuf_addf(&b, "%s に検知。", label) < 0)
			goto out;
		if (inc->occurred_at) {
			when_label(inc->occurred_at, label, sizeof(label));
			if (kbuf_addf(&b, "発生は %s。", label) < 0)
				goto out;
		}
	}
	if (set_section(c, KSEC_DETECTION, &b))
		goto out;

	/* 対処, 原因, 再発防止策: each report's text under its heading */
	{
		static const struct {
			int sec;
			const char *first_key, *key;
		} per[] = {
			{ KSEC_RESPONSE, "actions", "response" },
			{ KSEC_CAUSE, NULL, "cause" },
			{ KSEC_COUNTERMEASURES, NULL, "countermeasures" },
		};

		for (size_t p = 0; p < sizeof(per) / sizeof(per[0]); p++) {
			if (per[p].sec == KSEC_CAUSE && inc->cause_types &&
			    (kbuf_adds(&b, "原因の類型: ") < 0 ||
			     add_labels(&b, inc->cause_types, KCAUSE_N, kcause_type_label_ja)))
				goto out;
			for (size_t i = 0; i < n || (i == 0 && !n && first); i++) {
				json_t *rep = n ? reports[i] : first;
				int k = kind_of(rep, i);
				const char *text = str(rep, k == KREPORT_FIRST && per[p].first_key ? per[p].first_key
							    : per[p].key);

				if (!text)
					continue;
				report_time(rep, det_off, &t, label, sizeof(label));
				report_heading(k, k == KREPORT_FIRST ? "" : label, heading, sizeof(heading));
				if (para(&b) || kbuf_addf(&b, "%s\n%s", heading, text) < 0)
					goto out;
			}
			if (set_section(c, per[p].sec, &b))
				goto out;
		}
	}

	/* the timeline */
	evs = calloc(n + 3, sizeof(*evs));
	if (!evs)
		goto out;
	if (inc->occurred_at && kreport_time_parse(inc->occurred_at, &t, NULL) == 0) {
		evs[nev] = (struct ev){ .t = t, .known = 1, .dated = 1, .order = nev };
		when_label(inc->occurred_at, evs[nev].when, sizeof(evs[nev].when));
		if (!(evs[nev++].text = strdup("発生")))
			goto out;
	}
	if (inc->detected_at && det) {
		evs[nev] = (struct ev){ .t = det, .known = 1, .dated = 1, .order = nev };
		when_label(inc->detected_at, evs[nev].when, sizeof(evs[nev].when));
		if (kbuf_adds(&b, "検知") < 0 ||
		    (first && str(first, "description") &&
		     (kbuf_adds(&b, ": ") < 0 || add_first_line(&b, str(first, "description"), 80))))
			goto out;
		if (!(evs[nev++].text = kbuf_detach(&b, NULL)))
			goto out;
	}
	for (size_t i = 0; i < n || (i == 0 && !n && first); i++) {
		json_t *rep = n ? reports[i] : first;
		int k = kind_of(rep, i);
		const char *text = str(rep, "text") ? str(rep, "text") : str(rep, "response");

		evs[nev] = (struct ev){ .order = nev };
		evs[nev].known = evs[nev].dated =
			report_time(rep, det_off, &evs[nev].t, evs[nev].when, sizeof(evs[nev].when));
		if (!evs[nev].known) /* a report without a time (not stored yet) */
			snprintf(evs[nev].when, sizeof(evs[nev].when), "日時不明");
		if (kbuf_adds(&b, kreport_kind_label_ja((enum kreport_kind)k)) < 0 ||
		    (k != KREPORT_FIRST && text && (kbuf_adds(&b, ": ") < 0 || add_first_line(&b, text, 80))))
			goto out;
		if (!(evs[nev++].text = kbuf_detach(&b, NULL)))
			goto out;
	}
	/* reports without a time: as late as the one before them */
	for (size_t i = 1; i < nev; i++)
		if (!evs[i].known && evs[i - 1].known) {
			evs[i].t = evs[i - 1].t;
			evs[i].known = 1;
		}
	qsort(evs, nev, sizeof(*evs), ev_cmp);
	for (size_t i = 0; i < nev; i++)
		if (kcase_add_event(c, evs[i].dated && det, evs[i].dated && det ? day_of(evs[i].t, det, det_off) : 0,
				    evs[i].when, ACTOR, evs[i].text))
			goto out;
	rc = 0;
out:
	for (size_t i = 0; evs && i < nev; i++)
		free(evs[i].text);
	free(evs);
	kbuf_release(&b);
	return rc ? kerr_set(err, rc, "out of memory making the case draft") : 0;
}

/* ---- the incident as JSON ---------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *codes(unsigned bits, int n, const char *(*code)(int))
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		if ((bits & (1u << i)) && json_array_append_new(a, json_string(code(i))) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *kincident_to_json(const struct kincident *inc, time_t now)
{
	unsigned due = kincident_overdue(inc, now);
	const char *sector = ksector_label_ja(inc->sector);
	json_t *o = json_object(), *overdue = json_array();

	if (!o || !overdue)
		goto fail;
	if ((due & KDUE_FOLLOWUP) && json_array_append_new(overdue, json_string("followup")) < 0)
		goto fail;
	if ((due & KDUE_FINAL) && json_array_append_new(overdue, json_string("final")) < 0)
		goto fail;
	if (json_object_set_new(o, "id", str_or_null(inc->id)) ||
	    json_object_set_new(o, "title", str_or_null(inc->title)) ||
	    json_object_set_new(o, "organization", str_or_null(inc->org)) ||
	    json_object_set_new(o, "sector", str_or_null(sector ? sector : inc->sector)) ||
	    json_object_set_new(o, "tlp", str_or_null(inc->tlp)) ||
	    json_object_set_new(o, "status", str_or_null(kincident_status_name(inc->status))) ||
	    json_object_set_new(o, "candidate", json_boolean(inc->candidate)) ||
	    json_object_set_new(o, "event_types", codes(inc->event_types, KEVT_N, kevent_type_code)) ||
	    json_object_set_new(o, "cause_types", codes(inc->cause_types, KCAUSE_N, kcause_type_code)) ||
	    json_object_set_new(o, "service_affected", str_or_null(ktri_name(inc->service_affected))) ||
	    json_object_set_new(o, "occurred_at", str_or_null(inc->occurred_at)) ||
	    json_object_set_new(o, "detected_at", str_or_null(inc->detected_at)) ||
	    json_object_set_new(o, "filed_by", str_or_null(inc->filed_by)) ||
	    json_object_set_new(o, "created", str_or_null(inc->created)) ||
	    json_object_set_new(o, "updated", str_or_null(inc->updated)) ||
	    json_object_set_new(o, "due", json_pack("{s:o,s:o}", "followup", str_or_null(inc->due_followup), "final",
						    str_or_null(inc->due_final))) ||
	    json_object_set(o, "overdue", overdue))
		goto fail;
	json_decref(overdue);
	overdue = NULL;
	if (json_object_set_new(o, "reports", json_integer(inc->nreports)) ||
	    json_object_set_new(o, "final_at", str_or_null(inc->final_at)) ||
	    json_object_set_new(o, "case_id", str_or_null(inc->case_id)))
		goto fail;
	return o;
fail:
	json_decref(overdue);
	json_decref(o);
	return NULL;
}
