/*
 * case.h - the incident case ("事例") of ../shared/spec/case-json.md.
 *
 * struct kcase holds every field of the interchange format.  All strings are
 * heap-allocated UTF-8 owned by the case; NULL means "absent" (written as null
 * or left out, see case_json.c).  Fields the spec does not (yet) name are kept
 * in the `extra` JSON objects and written back unchanged, so an older kyokun
 * does not drop what a newer one wrote.
 *
 * Lifetime: kcase_init() a zeroed case, fill it with the kcase_set_*() and
 * kstrv_push() helpers (they copy), and kcase_free() it.  A struct kcase_list
 * owns its cases.
 */
#ifndef KYOKUN_CASE_H
#define KYOKUN_CASE_H

#include "utf8.h" /* kutf8_valid() and kutf8_cut(), which most users of cases need */

#include <jansson.h>
#include <stddef.h>

struct kerr;

/* A vector of owned strings. */
struct kstrv {
	char **v;
	size_t n, alloc;
};

int kstrv_push(struct kstrv *sv, const char *s);           /* copies s */
int kstrv_pushn(struct kstrv *sv, const char *s, size_t len);
int kstrv_push_owned(struct kstrv *sv, char *s);            /* takes s */
int kstrv_contains(const struct kstrv *sv, const char *s);
void kstrv_clear(struct kstrv *sv);

/* Body sections, in the order the published reports print them. */
enum ksection {
	KSEC_BACKGROUND,
	KSEC_DETECTION,
	KSEC_RESPONSE,
	KSEC_CAUSE,
	KSEC_COUNTERMEASURES,
	KSEC_LESSONS,
	KSEC_IMPACT,
	KSEC_MITIGATION,
	KSEC_CHALLENGES,
	KSEC__N
};

/* "background", ... as used in JSON; NULL for out of range. */
const char *ksection_key(int sec);
/* The Japanese heading (背景, 検知, ...). */
const char *ksection_label_ja(int sec);
const char *ksection_label_en(int sec);
/* -1 if key is not a known section key. */
int ksection_from_key(const char *key);

/* The order the report presents sections in (background..lessons, then impact,
 * mitigation, challenges): an array of KSEC__N section numbers. */
extern const int ksection_display_order[KSEC__N];

struct ksource {
	char *document;
	char *publisher;
	int has_year;
	int year;
	int has_case_number;
	int case_number;
	char *page_marker;
	char *doc_title;   /* source.title: the report's own title */
	char *url;         /* source.url: where the report is published */
	char *published;   /* source.published: YYYY-MM-DD (or YYYY-MM, YYYY) */
	int has_page;
	int page;          /* source.page: the page the case starts on (1 = first) */
	json_t *extra; /* unknown members, or NULL */
};

struct kattributes {
	char *organization;  /* 組織属性 */
	char *factors;       /* 要因 */
	char *reader_level;  /* "basic" | "advanced" */
	json_t *extra;
};

struct ktags {
	char *event_class;   /* cyber_attack | system_failure | other */
	struct kstrv threats;
	struct kstrv sectors;
	json_t *extra;
};

struct kevent {
	int has_day;
	int day;
	char *when;
	char *actor;
	char *text;
	json_t *extra;
};

struct kcase {
	char *id;
	char *title;
	int title_derived;     /* the report prints no title: derived from its facts or overview */
	struct ksource source;
	char *category;
	struct kstrv summary;
	struct kstrv key_lessons;
	struct kattributes attributes;
	char *sections[KSEC__N];
	json_t *sections_extra; /* sections under keys the spec does not name */
	struct kevent *timeline;
	size_t ntimeline, timeline_alloc;
	struct ktags tags;
	char *tlp;             /* clear | green | amber | amber+strict | red */
	char *owner;           /* the owning organisation's name (accounts), or NULL */
	struct kstrv recipients; /* logins named on the case (TLP amber+strict, red) */
	json_t *extra;         /* unknown top-level members */
};

/* Limits of owner and recipients (kcase_validate). */
#define KCASE_OWNER_MAX 256       /* bytes */
#define KCASE_RECIPIENTS_MAX 200  /* logins */

/* source.url: http:// or https://, no spaces or controls, at most 2000 bytes. */
int kcase_url_valid(const char *s);
/* source.published: YYYY-MM-DD, YYYY-MM or YYYY. */
int kcase_date_valid(const char *s);

void kcase_init(struct kcase *c);
void kcase_free(struct kcase *c);

/* Replace *dst with a copy of s (s may be NULL). Returns 0 or KE_NOMEM. */
int kstr_set(char **dst, const char *s);
int kstr_setn(char **dst, const char *s, size_t len);

/* Append an event (copies the strings; day_known=0 means day is null). */
int kcase_add_event(struct kcase *c, int day_known, int day, const char *when,
		    const char *actor, const char *text);
/* Append text to a section, separated by a newline from what is there. */
int kcase_section_append(struct kcase *c, int sec, const char *text);

/* Is s one of the five TLP 2.0 levels? */
int ktlp_valid(const char *s);
/* Rank of a TLP level, 0 (clear) .. 4 (red), -1 for unknown. */
int ktlp_rank(const char *s);

/*
 * Is s a login name as accounts have them: [a-z0-9][a-z0-9._-]{0,63}?
 * (The syntax of a recipient; account.c's users must follow the same.)
 */
int kcase_login_valid(const char *s);

/*
 * Check the case against the spec: id present, URL-safe ([A-Za-z0-9._~-],
 * 1..200 bytes), title present, enum fields valid, all strings valid UTF-8;
 * owner non-empty, at most KCASE_OWNER_MAX bytes, without control
 * characters or white space at either end; recipients at most
 * KCASE_RECIPIENTS_MAX login names (kcase_login_valid), none twice.
 * On failure sets err to "FIELD: what was expected" and returns KE_INVALID.
 */
int kcase_validate(const struct kcase *c, struct kerr *err);

/* A growable list of cases that owns them. */
struct kcase_list {
	struct kcase *v;
	size_t n, alloc;
};

/* Returns a pointer to a new, initialised case at the end, or NULL. */
struct kcase *kcase_list_add(struct kcase_list *l);
void kcase_list_free(struct kcase_list *l);

#endif
