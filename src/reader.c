/*
 * reader.c - roles, capabilities and the TLP table (see reader.h).
 */
#include "reader.h"
#include "case.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct kreader kreader_anonymous = KREADER_ANONYMOUS_INIT;
const struct kreader kreader_local = KREADER_LOCAL_INIT;

static const struct {
	const char *name;
	unsigned caps;
} roles[KROLE__N] = {
	[KROLE_NONE] = { NULL, KCAP_READ },
	[KROLE_REPORTER] = { "reporter", KCAP_READ | KCAP_REPORT_FILE },
	[KROLE_LIAISON] = { "liaison", KCAP_READ | KCAP_REPORT_REVIEW },
	[KROLE_ANALYST] = { "analyst", KCAP_READ | KCAP_REPORT_REVIEW | KCAP_CASE_EDIT },
	[KROLE_PUBLISHER] = { "publisher", KCAP_READ | KCAP_REPORT_REVIEW | KCAP_CASE_EDIT | KCAP_CASE_PUBLISH },
	[KROLE_ADMIN] = { "admin", KCAP_READ | KCAP_ADMIN },
};

/*
 * The TLP table: for each role (rows) and level (columns: clear, green,
 * amber, amber+strict, red), the KRULE_* bits under which the level is
 * visible.  Anonymous readers are the KROLE_NONE row; the local operator
 * sees everything and has no row.
 */
#define A KRULE_ALL
#define O KRULE_OWN_ORG
#define S KRULE_SECTORS
#define N KRULE_NAMED
static const unsigned char kreader_rules[KROLE__N][5] = {
	/*                 clear green amber   strict  red */
	[KROLE_NONE] =      { A, 0, 0, 0, 0 },
	[KROLE_REPORTER] =  { A, A, O, O, N },
	[KROLE_LIAISON] =   { A, A, O | S, O, N },
	[KROLE_ANALYST] =   { A, A, A, O | N, N },
	[KROLE_PUBLISHER] = { A, A, A, O | N, N },
	[KROLE_ADMIN] =     { A, A, 0, 0, N },
};

/* Incidents (reader.h): by the incident's level, as kreader_rules[]. */
static const unsigned char kreader_incident_rules[KROLE__N][5] = {
	/*                 clear  green  amber  strict red */
	[KROLE_NONE] =      { 0, 0, 0, 0, 0 },
	[KROLE_REPORTER] =  { O, O, O, O, O },
	[KROLE_LIAISON] =   { O | S, O | S, O | S, O, O },
	[KROLE_ANALYST] =   { A, A, A, A, A },
	[KROLE_PUBLISHER] = { A, A, A, A, A },
	[KROLE_ADMIN] =     { 0, 0, 0, 0, 0 },
};
#undef A
#undef O
#undef S
#undef N

const char *krole_name(enum krole role)
{
	return role > KROLE_NONE && role < KROLE__N ? roles[role].name : NULL;
}

enum krole krole_parse(const char *s)
{
	for (int i = KROLE_NONE + 1; s && i < KROLE__N; i++)
		if (!strcmp(s, roles[i].name))
			return (enum krole)i;
	return KROLE_NONE;
}

unsigned krole_caps(enum krole role)
{
	return role >= KROLE_NONE && role < KROLE__N ? roles[role].caps : KCAP_READ;
}

const char *kcap_name(unsigned cap)
{
	switch (cap) {
	case KCAP_READ: return "read";
	case KCAP_REPORT_FILE: return "report.file";
	case KCAP_REPORT_REVIEW: return "report.review";
	case KCAP_CASE_EDIT: return "case.edit";
	case KCAP_CASE_PUBLISH: return "case.publish";
	case KCAP_ADMIN: return "admin";
	default: return NULL;
	}
}

int kreader_can(const struct kreader *r, unsigned caps)
{
	if (!r)
		r = &kreader_anonymous;
	return (r->caps & caps) == caps;
}

unsigned kreader_level_rule(const struct kreader *r, int level)
{
	if (!r)
		r = &kreader_anonymous;
	if (level < 0 || level > 4 || (r->limited && level > r->limit))
		return 0;
	switch (r->kind) {
	case KREADER_LOCAL:
		return KRULE_ALL;
	case KREADER_USER:
		if (r->role > KROLE_NONE && r->role < KROLE__N)
			return kreader_rules[r->role][level];
		return level <= 1 ? KRULE_ALL : 0; /* signed in, no role: green */
	case KREADER_ANONYMOUS:
	default:
		return kreader_rules[KROLE_NONE][level];
	}
}

unsigned kreader_levels_always(const struct kreader *r)
{
	unsigned m = 0;

	for (int i = 0; i < 5; i++)
		if (kreader_level_rule(r, i) & KRULE_ALL)
			m |= 1u << i;
	return m;
}

int kreader_max_level(const struct kreader *r)
{
	for (int i = 4; i >= 0; i--)
		if (kreader_level_rule(r, i))
			return i;
	return -1;
}

static int in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return 1;
	return 0;
}

int kreader_may_see(const struct kreader *r, const struct kcase_access *c)
{
	int level = ktlp_rank(c->tlp ? c->tlp : "amber");
	unsigned rule;

	if (!r)
		r = &kreader_anonymous;
	if (r->kind == KREADER_LOCAL && !r->limited)
		return 1;
	if (level < 0)
		return 0;
	rule = kreader_level_rule(r, level);
	if (rule & KRULE_ALL)
		return 1;
	if ((rule & KRULE_OWN_ORG) && r->org && c->owner && !strcmp(r->org, c->owner))
		return 1;
	if ((rule & KRULE_NAMED) && in_list(r->login, c->recipients, c->nrecipients))
		return 1;
	if (rule & KRULE_SECTORS)
		for (size_t i = 0; i < r->nsectors; i++)
			if (in_list(r->sectors[i], c->sectors, c->nsectors))
				return 1;
	return 0;
}

int kreader_may_see_case(const struct kreader *r, const struct kcase *c)
{
	struct kcase_access a = {
		.tlp = c->tlp,
		.owner = c->owner,
		.recipients = (const char *const *)c->recipients.v,
		.nrecipients = c->recipients.n,
		.sectors = (const char *const *)c->tags.sectors.v,
		.nsectors = c->tags.sectors.n,
	};

	return kreader_may_see(r, &a);
}

/* The strings of JSON array a into a new array *v (NULL when empty); -1 out of memory. */
static int json_strings(const json_t *a, const char ***v, size_t *n)
{
	size_t len = json_is_array(a) ? json_array_size(a) : 0;

	*v = NULL;
	*n = 0;
	if (!len)
		return 0;
	if (!(*v = calloc(len, sizeof(**v))))
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s)
			(*v)[(*n)++] = s;
	}
	return 0;
}

int kreader_may_see_json(const struct kreader *r, const json_t *obj)
{
	struct kcase_access a = { .tlp = NULL };
	const char **rec = NULL, **sec = NULL;
	int ok = 0;

	if (!json_is_object(obj))
		return 0;
	a.tlp = json_string_value(json_object_get(obj, "tlp"));
	if (!a.tlp && json_object_get(obj, "tlp") && !json_is_null(json_object_get(obj, "tlp")))
		a.tlp = ""; /* not a level at all: an unknown one */
	a.owner = json_string_value(json_object_get(obj, "owner"));
	if (json_strings(json_object_get(obj, "recipients"), &rec, &a.nrecipients) < 0 ||
	    json_strings(json_object_get(json_object_get(obj, "tags"), "sectors"), &sec, &a.nsectors) < 0)
		goto out; /* out of memory: not shown */
	a.recipients = rec;
	a.sectors = sec;
	ok = kreader_may_see(r, &a);
out:
	free(rec);
	free(sec);
	return ok;
}

int kreader_may_see_level(const struct kreader *r, const char *tlp)
{
	struct kcase_access a = { .tlp = tlp };

	return kreader_may_see(r, &a);
}

unsigned kreader_incident_rule(const struct kreader *r, int level)
{
	if (!r)
		r = &kreader_anonymous;
	if (level < 0 || level > 4)
		return 0;
	if (r->kind == KREADER_LOCAL)
		return r->limited && level > r->limit ? 0 : KRULE_ALL;
	if (r->kind != KREADER_USER || r->role <= KROLE_NONE || r->role >= KROLE__N)
		return 0;
	if (r->limited && level > r->limit)
		return 0;
	return kreader_incident_rules[r->role][level];
}

int kreader_may_see_incident(const struct kreader *r, const char *org, const char *sector, const char *tlp)
{
	unsigned rule = kreader_incident_rule(r, ktlp_rank(tlp ? tlp : "amber"));

	if (rule & KRULE_ALL)
		return 1;
	if (!r)
		return 0;
	if ((rule & KRULE_OWN_ORG) && r->org && *r->org && org && !strcmp(r->org, org))
		return 1;
	if ((rule & KRULE_SECTORS) && sector)
		for (size_t i = 0; i < r->nsectors && i < KREADER_MAX_SECTORS; i++)
			if (r->sectors[i] && !strcmp(r->sectors[i], sector))
				return 1;
	return 0;
}

int kreader_may_see_drafts(const struct kreader *r)
{
	if (!r)
		return 0;
	return r->kind == KREADER_LOCAL || (r->kind == KREADER_USER && (r->caps & KCAP_CASE_EDIT));
}

/* Approval (reader.h): per role, who sees the approval page and who approves. */
enum { AP_NEVER, AP_ALWAYS, AP_OWN_ORG_REQUESTED };
static const struct {
	unsigned char see, approve;
} kreader_approval_rules[KROLE__N] = {
	[KROLE_NONE] = { AP_NEVER, AP_NEVER },
	[KROLE_REPORTER] = { AP_OWN_ORG_REQUESTED, AP_OWN_ORG_REQUESTED },
	[KROLE_LIAISON] = { AP_NEVER, AP_NEVER },
	[KROLE_ANALYST] = { AP_ALWAYS, AP_NEVER },
	[KROLE_PUBLISHER] = { AP_ALWAYS, AP_NEVER },
	[KROLE_ADMIN] = { AP_NEVER, AP_NEVER },
};

static int approval_rule(const struct kreader *r, int approve, const char *org, int requested)
{
	int rule;

	if (!r)
		return 0;
	if (r->kind == KREADER_LOCAL)
		return !approve;
	if (r->kind != KREADER_USER || r->role <= KROLE_NONE || r->role >= KROLE__N)
		return 0;
	rule = approve ? kreader_approval_rules[r->role].approve : kreader_approval_rules[r->role].see;
	if (rule == AP_ALWAYS)
		return 1;
	if (rule == AP_OWN_ORG_REQUESTED)
		return requested && org && *org && r->org && !strcmp(r->org, org);
	return 0;
}

int kreader_may_see_approval(const struct kreader *r, const char *org, int requested)
{
	return approval_rule(r, 0, org, requested);
}

int kreader_may_approve(const struct kreader *r, const char *org, int requested)
{
	return approval_rule(r, 1, org, requested);
}

void kreader_key(const struct kreader *r, char *buf, size_t n)
{
	if (!r)
		r = &kreader_anonymous;
	if (r->kind == KREADER_LOCAL)
		snprintf(buf, n, "local");
	else if (r->kind == KREADER_USER)
		snprintf(buf, n, "u%lld", r->user_id);
	else
		snprintf(buf, n, "anon");
}
