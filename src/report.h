/*
 * report.h - incident reports (情報連絡) and the incidents that hold them
 * (model layer): the JSON contract of ../shared/spec/report-json.md checked
 * and normalised, the workflow (who may do what in which status: one
 * table), deadlines, and the case draft an analyst starts from an incident.
 * Storing them is store_report.h.
 *
 * An incident holds its reports in order: the first report (第一報, seq 1),
 * any number of follow-ups (続報) and at most one final report (最終報);
 * a follow-up after the final one is a correction.  A stored report is
 * never edited.  Each report is kept as the normalised JSON it was
 * submitted as, with "seq", "kind", "submitted" (UTC) and "author" (login)
 * added by the store; the incident row keeps what lists and filters need.
 *
 * Lifetime: a zeroed struct is empty; *_free() frees what it owns and
 * zeroes it again.  Strings are UTF-8, NULL when absent.
 *
 * Times: reports give RFC 3339 with an offset ("2026-11-20T09:00:00+09:00");
 * the incident keeps them as given and their UTC form (account.h's
 * ktime_iso text, "2026-11-20T00:00:00Z") for sorting and deadlines.
 */
#ifndef KYOKUN_REPORT_H
#define KYOKUN_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "account.h"
#include "reader.h"

struct kerr;
struct kcase;

/* ---- vocabularies -------------------------------------------------------- */

/* 事象の類型: bits of kincident.event_types. */
enum {
	KEVT_PRECURSOR = 1u << 0,       /* "precursor"        予兆・ヒヤリハット */
	KEVT_CONFIDENTIALITY = 1u << 1, /* "confidentiality"  機密性（情報の漏えい） */
	KEVT_INTEGRITY = 1u << 2,       /* "integrity"        完全性（情報の破壊・改ざん） */
	KEVT_AVAILABILITY = 1u << 3,    /* "availability"     可用性（システム等の利用困難） */
	KEVT_MALWARE = 1u << 4,         /* "malware"          マルウェア等の感染 */
	KEVT_MALICIOUS_CODE = 1u << 5,  /* "malicious_code"   不正コード等の実行 */
	KEVT_INTRUSION = 1u << 6,       /* "intrusion"        システム等への侵入 */
	KEVT_OTHER = 1u << 7,           /* "other"            その他 */
};
#define KEVT_N 8

/* 原因の類型: bits of kincident.cause_types. */
enum {
	KCAUSE_INTENTIONAL = 1u << 0,   /* "intentional"   意図的 */
	KCAUSE_ACCIDENTAL = 1u << 1,    /* "accidental"    偶発的 */
	KCAUSE_ENVIRONMENTAL = 1u << 2, /* "environmental" 環境的 */
	KCAUSE_SPILLOVER = 1u << 3,     /* "spillover"     他分野からの波及 */
	KCAUSE_UNKNOWN = 1u << 4,       /* "unknown"       不明 */
};
#define KCAUSE_N 5

/* The i-th code (0 <= i < KEVT_N / KCAUSE_N) and its Japanese and English labels; NULL out of range. */
const char *kevent_type_code(int i);
const char *kevent_type_label_ja(int i);
const char *kevent_type_label_en(int i);
const char *kcause_type_code(int i);
const char *kcause_type_label_ja(int i);
const char *kcause_type_label_en(int i);
/* The bit of a code, given as the code or its Japanese label; 0 if unknown. */
unsigned kevent_type_parse(const char *s);
unsigned kcause_type_parse(const char *s);

/* 有 / 無 / 不明 */
enum ktri { KTRI_UNSET = 0, KTRI_YES, KTRI_NO, KTRI_UNKNOWN };
/* "yes", "no", "unknown" (NULL for KTRI_UNSET); the parse gives KTRI_UNSET for anything else. */
const char *ktri_name(enum ktri t);
const char *ktri_label_ja(enum ktri t); /* 有, 無, 不明 */
enum ktri ktri_parse(const char *s);

enum kreport_kind { KREPORT_FIRST = 0, KREPORT_FOLLOWUP, KREPORT_FINAL, KREPORT__N };
/* "first", "followup", "final"; 第一報, 続報, 最終報 */
const char *kreport_kind_name(enum kreport_kind k);
const char *kreport_kind_label_ja(enum kreport_kind k);
int kreport_kind_parse(const char *s); /* -1 if unknown */

/* Status: 受付 → 確認中 → 対応中 → 完了, and 取下げ. */
enum kincident_status {
	KINC_RECEIVED = 0, /* "received"   受付 */
	KINC_CHECKING,     /* "checking"   確認中 */
	KINC_RESPONDING,   /* "responding" 対応中 */
	KINC_CLOSED,       /* "closed"     完了 */
	KINC_WITHDRAWN,    /* "withdrawn"  取下げ */
	KINC__N
};
const char *kincident_status_name(int s);
const char *kincident_status_label_ja(int s);
const char *kincident_status_label_en(int s);
int kincident_status_parse(const char *s); /* by name or Japanese label; -1 if unknown */

/* ---- times --------------------------------------------------------------- */

/*
 * An RFC 3339 time with an offset ("2026-11-20T09:00:00+09:00", "...Z",
 * fractions of a second allowed and dropped) into UTC seconds.  A time
 * without an offset is refused (KE_INVALID: "a time zone offset is
 * needed").  0 or KE_INVALID with a message (no field name: the caller
 * prefixes it).
 */
int kreport_time_parse(const char *s, time_t *utc, struct kerr *err);
/* UTC seconds as RFC 3339 in the offset given in minutes (540: JST, "+09:00"). */
void kreport_time_format(time_t t, int offset_min, char out[32]);

/* ---- the incident --------------------------------------------------------- */

struct kimpact {
	int present;
	char *scope;                /* may be NULL */
	int has_users;
	long long users_affected;
	int has_duration;
	long long duration_minutes;
};

struct kincident {
	char *id;                   /* "IR-2026-0001": set by the store (year of filing, sequence) */
	char *title;
	long long org_id;           /* 0: the organisation is not an account (analyst filing for it) */
	char *org;                  /* the reporting organisation's name */
	char *sector;               /* a sector tag (account.h ksector_tags) */
	char *tlp;                  /* clear | green | amber | amber+strict | red */
	int status;                 /* KINC_* */
	int candidate;              /* 事例候補 */
	unsigned event_types;       /* KEVT_* bits (all reports so far) */
	unsigned cause_types;       /* KCAUSE_* bits */
	enum ktri service_affected;
	char *occurred_at;          /* as given, or NULL */
	char *detected_at;          /* as given */
	char *detected_utc;         /* ktime_iso of detected_at */
	char *filed_by;             /* login of the first report's author (store) */
	char *created;              /* UTC: when the first report was stored (store) */
	char *updated;              /* UTC: the last report or change (store) */
	char *due_followup;         /* UTC: a follow-up or the final report is due (store) */
	char *due_final;            /* UTC: the final report is due (store) */
	int nreports;               /* reports so far, the first included (store) */
	char *final_at;             /* UTC: when the final report came, or NULL (store) */
	char *case_id;              /* the case draft or case made from it, or NULL */
	json_t *first;              /* the normalised first report (owned; a reference) */
};

void kincident_free(struct kincident *inc);

/*
 * Check a first report (report-json.md, "First report") for the user r
 * filing it and fill inc from it (kincident_free()d first): title, org,
 * sector, tlp, event and cause types, service_affected, times, first (the
 * normalised JSON: sector as its Japanese name, codes as codes, times as
 * given, unknown members refused).  status is KINC_RECEIVED.
 *
 * The organisation: a reporter files for their own (r->org; an
 * "organization" naming another is refused), an analyst or publisher for
 * the one named (required); inc->org_id is r->org_id for a reporter, else
 * 0 (the store looks the name up).  now (UTC seconds) is the check's
 * clock: detected_at later than now + 1 hour, or before 1990, is refused;
 * detected_at before occurred_at is refused.
 *
 * 0, or KE_INVALID / KE_PARSE with err "FIELD: what is wrong" naming the
 * first bad field by its JSON path ("contact.email", "impact.users_affected",
 * "event_types[2]"), KE_DENIED if r may not file (KCAP_REPORT_FILE or
 * KCAP_CASE_EDIT needed).  Strings are valid UTF-8 without control
 * characters (newlines allowed in description and actions), each at most
 * 20,000 characters (title 200, names 100); a first report at most 256 KB
 * as JSON.
 */
int kreport_first_check(json_t *in, const struct kreader *r, time_t now, struct kincident *inc,
			struct kerr *err);

/*
 * Check a follow-up or final report (report-json.md) against inc and
 * return the normalised JSON in *out (a new reference; "kind" kept, "at"
 * as given; unknown members refused).  A final report must give "cause"
 * and "countermeasures"; "at" must not be before inc's detection nor more
 * than an hour after now.  event_types, cause_types and service_affected,
 * when given, are merged into inc (so the incident row shows the latest
 * view).  0 or KE_INVALID/KE_PARSE with "FIELD: ...", as above.
 */
int kreport_update_check(json_t *in, struct kincident *inc, time_t now, json_t **out, struct kerr *err);

/* ---- deadlines ------------------------------------------------------------- */

struct kdeadlines {
	long followup_hours;        /* a follow-up (or the final report) after the first report: 72 */
	long final_hours;           /* the final report after the first report: 720 (30 days) */
};
#define KDEADLINES_DEFAULT { 72, 720 }

/* Set inc->due_followup and due_final from inc->created and d.  0 or KE_INVALID (no created). */
int kincident_set_due(struct kincident *inc, const struct kdeadlines *d);

/* Which deadlines inc has missed at now (UTC seconds): KDUE_* bits, 0 when none or closed/withdrawn. */
enum { KDUE_FOLLOWUP = 1, KDUE_FINAL = 2 };
unsigned kincident_overdue(const struct kincident *inc, time_t now);

/*
 * The clock: KYOKUN_NOW from the environment when set (a ktime_parse()
 * time or RFC 3339: tests and demonstrations), else time(NULL).
 */
time_t kreport_now(void);

/* ---- the workflow ------------------------------------------------------------ */

enum kinc_action {
	KACT_VIEW = 0,   /* see the incident and its reports */
	KACT_FOLLOWUP,   /* file a follow-up (続報) */
	KACT_FINAL,      /* file the final report (最終報) */
	KACT_CHECK,      /* → 確認中 */
	KACT_RESPOND,    /* → 対応中 */
	KACT_CLOSE,      /* → 完了 */
	KACT_REOPEN,     /* 完了 → 対応中 */
	KACT_WITHDRAW,   /* → 取下げ */
	KACT_CANDIDATE,  /* mark or unmark 事例候補 */
	KACT_DRAFT,      /* make a case draft from it */
	KACT__N
};
/* "view", "followup", "final", "check", "respond", "close", "reopen", "withdraw", "candidate", "draft" */
const char *kinc_action_name(int a);
int kinc_action_parse(const char *s); /* -1 if unknown */
/* The status a status action leads to (KACT_CHECK ... KACT_WITHDRAW), else -1. */
int kinc_action_target(int a);

/*
 * May r do a to inc?  The one table (report_flow.c kinc_rules[]): for each
 * action, the statuses it is allowed in and the roles that may do it.
 * 0 if allowed; KE_NOTFOUND if r may not see inc at all
 * (kreader_may_see_incident: say 404, as if it did not exist);
 * KE_DENIED if r's role may not (a message naming the role); KE_INVALID
 * if not in inc's status (a message naming the status), e.g. a final report
 * after one was given, or closing a withdrawn incident.
 */
int kincident_allowed(const struct kreader *r, const struct kincident *inc, int a, struct kerr *err);

/* ---- from incident to case ----------------------------------------------------- */

/*
 * A case draft from inc and its reports (reports[0..n): the stored JSON of
 * each, in order, first report included) into c (kcase_init()ed):
 * id "draft-" and inc->id lowercased, title, owner inc->org, tlp inc->tlp,
 * tags.sectors [inc->sector], tags.event_class from the event and cause
 * types, sections pre-filled (背景: the first report's description and
 * impact; 検知: detected_at and how; 対処: actions and every report's
 * response; 原因: causes; 再発防止策: countermeasures; 得られた気付き・教訓
 * left absent: the analyst writes it), and the timeline from every
 * report's dated entries (occurred, detected, each report) with the
 * reporting side (事業者) as the actor.  0 or KE_NOMEM.
 */
int kincident_case_draft(const struct kincident *inc, json_t *const *reports, size_t n, struct kcase *c,
			 struct kerr *err);

/*
 * The incident as JSON for the API and `kyokun report show`: id, title,
 * organization, sector (Japanese name), tlp, status, candidate,
 * event_types, cause_types, service_affected, occurred_at, detected_at,
 * filed_by, created, updated, due {followup, final}, overdue (array of
 * "followup"/"final" at now), reports (count), case_id.  A new reference.
 */
json_t *kincident_to_json(const struct kincident *inc, time_t now);

#endif
