/*
 * report.c - incident reports and incidents (see report.h): vocabularies,
 * times and deadlines.  The checks of reports, the workflow table and the
 * case draft are in report_check.c, report_flow.c and report_draft.c.
 */
#include "report.h"
#include "kerr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- vocabularies -------------------------------------------------------- */

struct vocab {
	const char *code, *ja, *en;
};

static const struct vocab event_types[KEVT_N] = {
	{ "precursor", "予兆・ヒヤリハット", "precursor or near miss" },
	{ "confidentiality", "機密性（情報の漏えい）", "confidentiality (information leaked)" },
	{ "integrity", "完全性（情報の破壊・改ざん）", "integrity (information destroyed or altered)" },
	{ "availability", "可用性（システム等の利用困難）", "availability (systems unusable)" },
	{ "malware", "マルウェア等の感染", "malware infection" },
	{ "malicious_code", "不正コード等の実行", "malicious code executed" },
	{ "intrusion", "システム等への侵入", "intrusion into systems" },
	{ "other", "その他", "other" },
};

static const struct vocab cause_types[KCAUSE_N] = {
	{ "intentional", "意図的", "intentional" },
	{ "accidental", "偶発的", "accidental" },
	{ "environmental", "環境的", "environmental" },
	{ "spillover", "他分野からの波及", "spillover from another sector" },
	{ "unknown", "不明", "unknown" },
};

static const struct vocab statuses[KINC__N] = {
	{ "received", "受付", "received" },
	{ "checking", "確認中", "checking" },
	{ "responding", "対応中", "responding" },
	{ "closed", "完了", "closed" },
	{ "withdrawn", "取下げ", "withdrawn" },
};

static const struct vocab kinds[KREPORT__N] = {
	{ "first", "第一報", "first report" },
	{ "followup", "続報", "follow-up" },
	{ "final", "最終報", "final report" },
};

static const char *field(const struct vocab *v, int n, int i, int which)
{
	if (i < 0 || i >= n)
		return NULL;
	return which == 0 ? v[i].code : which == 1 ? v[i].ja : v[i].en;
}

/* The index of s among v's codes or Japanese labels (a label may be given without its parenthesis), or -1. */
static int find(const struct vocab *v, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++) {
		size_t l;
		const char *paren;

		if (!strcmp(s, v[i].code) || !strcmp(s, v[i].ja))
			return i;
		paren = strstr(v[i].ja, "（");
		l = paren ? (size_t)(paren - v[i].ja) : 0;
		if (l && strlen(s) == l && !strncmp(s, v[i].ja, l))
			return i;
	}
	return -1;
}

const char *kevent_type_code(int i) { return field(event_types, KEVT_N, i, 0); }
const char *kevent_type_label_ja(int i) { return field(event_types, KEVT_N, i, 1); }
const char *kevent_type_label_en(int i) { return field(event_types, KEVT_N, i, 2); }
const char *kcause_type_code(int i) { return field(cause_types, KCAUSE_N, i, 0); }
const char *kcause_type_label_ja(int i) { return field(cause_types, KCAUSE_N, i, 1); }
const char *kcause_type_label_en(int i) { return field(cause_types, KCAUSE_N, i, 2); }

unsigned kevent_type_parse(const char *s)
{
	int i = find(event_types, KEVT_N, s);

	return i < 0 ? 0 : 1u << i;
}

unsigned kcause_type_parse(const char *s)
{
	int i = find(cause_types, KCAUSE_N, s);

	return i < 0 ? 0 : 1u << i;
}

const char *ktri_name(enum ktri t)
{
	switch (t) {
	case KTRI_YES: return "yes";
	case KTRI_NO: return "no";
	case KTRI_UNKNOWN: return "unknown";
	default: return NULL;
	}
}

const char *ktri_label_ja(enum ktri t)
{
	switch (t) {
	case KTRI_YES: return "有";
	case KTRI_NO: return "無";
	case KTRI_UNKNOWN: return "不明";
	default: return NULL;
	}
}

enum ktri ktri_parse(const char *s)
{
	if (!s)
		return KTRI_UNSET;
	if (!strcmp(s, "yes") || !strcmp(s, "有"))
		return KTRI_YES;
	if (!strcmp(s, "no") || !strcmp(s, "無"))
		return KTRI_NO;
	if (!strcmp(s, "unknown") || !strcmp(s, "不明"))
		return KTRI_UNKNOWN;
	return KTRI_UNSET;
}

const char *kreport_kind_name(enum kreport_kind k) { return field(kinds, KREPORT__N, (int)k, 0); }
const char *kreport_kind_label_ja(enum kreport_kind k) { return field(kinds, KREPORT__N, (int)k, 1); }
int kreport_kind_parse(const char *s) { return find(kinds, KREPORT__N, s); }

const char *kincident_status_name(int s) { return field(statuses, KINC__N, s, 0); }
const char *kincident_status_label_ja(int s) { return field(statuses, KINC__N, s, 1); }
const char *kincident_status_label_en(int s) { return field(statuses, KINC__N, s, 2); }
int kincident_status_parse(const char *s) { return find(statuses, KINC__N, s); }

/* ---- the incident ---------------------------------------------------------- */

void kincident_free(struct kincident *inc)
{
	char **strs[] = {
		&inc->id, &inc->title, &inc->org, &inc->sector, &inc->tlp, &inc->occurred_at,
		&inc->detected_at, &inc->detected_utc, &inc->filed_by, &inc->created, &inc->updated,
		&inc->due_followup, &inc->due_final, &inc->final_at, &inc->case_id,
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	json_decref(inc->first);
	memset(inc, 0, sizeof(*inc));
}

/* ---- times ----------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int kreport_time_parse(const char *s, time_t *utc, struct kerr *err)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, oh, om, sign, off;
	const char *p;

	if (!s || strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return kerr_set(err, KE_INVALID, "expected an RFC 3339 time such as 2026-11-20T09:00:00+09:00");
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))) ||
	    h > 23 || mi > 59 || sec > 60 || y < 1900)
		return kerr_set(err, KE_INVALID, "%.40s is not a valid date and time", s);
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return kerr_set(err, KE_INVALID, "expected digits after the decimal point");
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return kerr_set(err, KE_INVALID, "the time zone offset must be +HH:MM, -HH:MM or Z");
		off = sign * (oh * 60 + om);
		p += 6;
	} else if (!*p) {
		return kerr_set(err, KE_INVALID, "a time zone offset is needed (e.g. +09:00 for JST, or Z for UTC)");
	} else {
		return kerr_set(err, KE_INVALID, "expected an RFC 3339 time such as 2026-11-20T09:00:00+09:00");
	}
	if (*p)
		return kerr_set(err, KE_INVALID, "unexpected text after the time");
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec;
	*utc = timegm(&tm) - (time_t)off * 60;
	return 0;
}

void kreport_time_format(time_t t, int offset_min, char out[32])
{
	struct tm tm;
	time_t local = t + (time_t)offset_min * 60;
	unsigned a = (unsigned)(offset_min < 0 ? -offset_min : offset_min) % (24 * 60);
	char zone[8] = "Z";

	gmtime_r(&local, &tm);
	if (offset_min)
		snprintf(zone, sizeof(zone), "%c%02u:%02u", offset_min < 0 ? '-' : '+', a / 60, a % 60);
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u%s", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, zone);
}

time_t kreport_now(void)
{
	const char *s = getenv("KYOKUN_NOW");
	time_t t;

	if (s && *s && (kreport_time_parse(s, &t, NULL) == 0 || ktime_parse(s, &t) == 0))
		return t;
	return time(NULL);
}

/* ---- deadlines ------------------------------------------------------------- */

int kincident_set_due(struct kincident *inc, const struct kdeadlines *d)
{
	char f[KTIME_LEN + 1], l[KTIME_LEN + 1];
	time_t c;
	char *a, *b;

	if (!inc->created || ktime_parse(inc->created, &c) < 0)
		return KE_INVALID;
	ktime_iso(c + (time_t)d->followup_hours * 3600, f);
	ktime_iso(c + (time_t)d->final_hours * 3600, l);
	a = strdup(f);
	b = strdup(l);
	if (!a || !b) {
		free(a);
		free(b);
		return KE_NOMEM;
	}
	free(inc->due_followup);
	free(inc->due_final);
	inc->due_followup = a;
	inc->due_final = b;
	return 0;
}

unsigned kincident_overdue(const struct kincident *inc, time_t now)
{
	char n[KTIME_LEN + 1];
	unsigned due = 0;

	if (inc->status == KINC_CLOSED || inc->status == KINC_WITHDRAWN)
		return 0;
	ktime_iso(now, n);
	/* a follow-up is due until any report after the first (a follow-up or the final one) */
	if (inc->nreports <= 1 && !inc->final_at && inc->due_followup && strcmp(n, inc->due_followup) > 0)
		due |= KDUE_FOLLOWUP;
	if (!inc->final_at && inc->due_final && strcmp(n, inc->due_final) > 0)
		due |= KDUE_FINAL;
	return due;
}
