/*
 * reader.h - who is reading: one struct kreader for every surface (CLI,
 * pages, the JSON API, exports), and the one function that says whether
 * that reader may see a case under the Traffic Light Protocol (FIRST TLP
 * 2.0).  Nothing else in kyokun decides visibility: the store builds its
 * filters from kreader_level_rule(), pages and the API ask kreader_may_see().
 *
 * The rules, one table in reader.c (kreader_rules[]):
 *
 *   level          anonymous  reporter / liaison          analyst / publisher   admin   local
 *   clear          yes        yes                         yes                   yes     yes
 *   green          -          yes                         yes                   yes     yes
 *   amber          -          own org / liaison: sectors  yes                   -       yes
 *   amber+strict   -          own org                     own org, or named     -       yes
 *   red            -          named                       named                 named   yes
 *
 * "own org": the reader's organisation owns the case; "sectors": the case
 * is tagged with one of the liaison's sectors; "named": the reader's login
 * is among the case's recipients.  "local" is the operator at the command
 * line, who holds the database file and so everything in it.  (An admin
 * runs the accounts, not the cases: admin is not a reading role.)
 *
 * Capabilities (what a reader may do, as Fossil's login.c has them) come
 * with the role; routes state the one they need (route.h).
 */
#ifndef KYOKUN_READER_H
#define KYOKUN_READER_H

#include <stddef.h>

enum kreader_kind {
	KREADER_ANONYMOUS = 0, /* nobody signed in: TLP:CLEAR only */
	KREADER_USER,          /* a signed-in user */
	KREADER_LOCAL,         /* the command line: sees everything */
};

enum krole {
	KROLE_NONE = 0,
	KROLE_REPORTER,
	KROLE_LIAISON,
	KROLE_ANALYST,
	KROLE_PUBLISHER,
	KROLE_ADMIN,
	KROLE__N
};

/* Capabilities: bits of kreader.caps. */
enum {
	KCAP_READ = 1u << 0,          /* read what TLP allows (everyone) */
	KCAP_REPORT_FILE = 1u << 1,   /* file and follow up incident reports */
	KCAP_REPORT_REVIEW = 1u << 2, /* see and comment on reports of one's sectors */
	KCAP_CASE_EDIT = 1u << 3,     /* write and edit cases */
	KCAP_CASE_PUBLISH = 1u << 4,  /* select, anonymise and publish */
	KCAP_ADMIN = 1u << 5,         /* accounts, organisations, the audit log */
};

/* "reporter", ... ; NULL for KROLE_NONE or out of range. */
const char *krole_name(enum krole role);
/* The role named s, or KROLE_NONE. */
enum krole krole_parse(const char *s);
/* The capabilities a role grants (KCAP_READ for KROLE_NONE). */
unsigned krole_caps(enum krole role);
/* "read", "report.file", "report.review", "case.edit", "case.publish", "admin". */
const char *kcap_name(unsigned cap);

#define KREADER_MAX_SECTORS 15

struct kreader {
	enum kreader_kind kind;
	long long user_id;           /* 0 unless KREADER_USER */
	const char *login;           /* NULL unless KREADER_USER */
	long long org_id;            /* 0: no organisation */
	const char *org;             /* the organisation's name, or NULL */
	enum krole role;
	unsigned caps;               /* KCAP_* */
	const char *sectors[KREADER_MAX_SECTORS]; /* a liaison's sectors (or an org's) */
	size_t nsectors;
	int limited, limit;          /* limited: no level above rank limit (--max-tlp) */
};

#define KREADER_ANONYMOUS_INIT { .kind = KREADER_ANONYMOUS, .caps = KCAP_READ }
#define KREADER_LOCAL_INIT { .kind = KREADER_LOCAL, .caps = ~0u }

/* Shared readers for the two kinds without a person behind them. */
extern const struct kreader kreader_anonymous;
extern const struct kreader kreader_local;

/* Does the reader hold every capability in caps? */
int kreader_can(const struct kreader *r, unsigned caps);

/* What a case is, as far as visibility goes. */
struct kcase_access {
	const char *tlp;                 /* NULL is stored as amber */
	const char *owner;               /* owning organisation's name, or NULL */
	const char *const *recipients;   /* logins named on the case */
	size_t nrecipients;
	const char *const *sectors;      /* the case's sector tags */
	size_t nsectors;
};

/* May r see the case?  1 or 0. */
int kreader_may_see(const struct kreader *r, const struct kcase_access *c);

/*
 * The same for a case (its tlp, owner, recipients and tags.sectors), for a
 * case in the interchange JSON (a stored revision: the same members), or
 * for a case of which only the level is known (no owner, no recipients:
 * the levels r sees on every case).
 */
struct kcase;
struct json_t;
int kreader_may_see_case(const struct kreader *r, const struct kcase *c);
int kreader_may_see_json(const struct kreader *r, const struct json_t *obj);
int kreader_may_see_level(const struct kreader *r, const char *tlp);

/*
 * How a level is decided for a reader, for the store to turn into a filter:
 * bits of KRULE_*; 0 means never, KRULE_ALL always, the others on a
 * condition on the case.  level is a TLP rank (0 clear .. 4 red).
 */
enum {
	KRULE_ALL = 1,       /* every case at this level */
	KRULE_OWN_ORG = 2,   /* cases whose owner is the reader's organisation */
	KRULE_SECTORS = 4,   /* cases tagged with one of the reader's sectors */
	KRULE_NAMED = 8,     /* cases naming the reader among their recipients */
};
unsigned kreader_level_rule(const struct kreader *r, int level);

/*
 * The TLP levels visible on every case whatever its owner and recipients
 * (bit i: rank i), and the highest rank r may see on some case (-1: none).
 */
unsigned kreader_levels_always(const struct kreader *r);
int kreader_max_level(const struct kreader *r);

/*
 * Incidents (report.h): who may see an incident and its reports.  The
 * same kind of table (reader.c kreader_incident_rules[]), by the
 * incident's TLP level:
 *
 *   level          reporter   liaison                 analyst / publisher   admin, anonymous
 *   clear..amber   own org    own org, or its sector  yes                   -
 *   amber+strict   own org    own org                 yes                   -
 *   red            own org    own org                 yes                   -
 *
 * The centre receives every report: analysts and publishers see them all;
 * the local operator too.  kreader_incident_rule() gives the KRULE_*
 * bits (KRULE_ALL, KRULE_OWN_ORG, KRULE_SECTORS) for the store's filter.
 */
unsigned kreader_incident_rule(const struct kreader *r, int level);
/* May r see the incident of organisation org, in sector (a tag), at TLP level tlp?  1 or 0. */
int kreader_may_see_incident(const struct kreader *r, const char *org, const char *sector, const char *tlp);
/* May r see case drafts (KCAP_CASE_EDIT, or the local operator)?  1 or 0. */
int kreader_may_see_drafts(const struct kreader *r);

/*
 * A draft's approval by its reporting organisation (approval.h): who may
 * see the approval page of a draft of organisation org (the anonymised
 * draft, what changed, the findings, the comments) and comment, and who
 * may approve it.  One table in reader.c (kreader_approval_rules[]):
 *
 *   role                 see and comment                      approve
 *   reporter             own org, once approval is requested  the same
 *   liaison              -                                    -
 *   analyst / publisher  yes (they see drafts)                -
 *   admin, anonymous     -                                    -
 *   local                yes                                  - (say --as LOGIN)
 *
 * requested: an analyst has asked the organisation for its approval.
 * Before that the organisation's users see nothing of the draft.
 */
int kreader_may_see_approval(const struct kreader *r, const char *org, int requested);
int kreader_may_approve(const struct kreader *r, const char *org, int requested);

/*
 * A short stable key for what r may see (for caches keyed by reader):
 * "anon", "local", or "u<user_id>".  Two readers with the same key see
 * the same cases.
 */
void kreader_key(const struct kreader *r, char *buf, size_t n);

#endif
