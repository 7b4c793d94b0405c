/*
 * exchange_veris.c - VERIS incidents (exchange.h), out and in.
 *
 * Export: a JSON array, one VERIS 1.4.1 incident per line ("[\n", the
 * incidents separated by ",\n", "\n]\n"), keys sorted, so the same cases
 * give the same bytes.  Each incident has what the case supports:
 * incident_id (UUIDv5 of the case id, upper case), security_incident
 * "Confirmed", discovery_method {"unknown": true}, summary (the case's
 * summary lines, or its title), reference (the source document),
 * timeline.incident.year (the source year), action / actor / asset /
 * attribute from the tags through the crosswalk's veris column (with a
 * built-in default when the crosswalk has no row), an "Unknown" entry where
 * the case says nothing, victim (industry from the sector, country JP),
 * corrective_action (the key lessons), and the whole case as plus.kyokun:
 * kyokun -> VERIS -> kyokun gives the case back exactly.
 *
 * Import: JSON Lines of incidents, an array, or one object, VERIS 1.2.1
 * (VCDB 2013: victim.country a string, discovery_method a string) and
 * 1.3/1.4 (lists, discovery_method an object).  An incident with
 * plus.kyokun (an object) is that case.  Any other ("foreign") incident
 * becomes a case: id "veris-<incident_id in lower case>", title the first
 * sentence of the summary, the summary, sections (background: summary and
 * notes; cause: the actions; detection: discovery method; response: the
 * timeline), tags (event class, threats, sectors), source VCDB (or the
 * source_id), TLP clear, attributes.organization (the victim), and the
 * whole incident under the case's extra member "veris".  All or nothing:
 * the first bad record refuses the document, naming it ("line 7
 * (incident 0012CC25-…): timeline.incident.year: expected an integer").
 */
#include "exchange.h"
#include "case.h"
#include "case_json.h"
#include "crosswalk.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The namespace of kyokun's VERIS incident ids (UUIDv5 of the case id). */
#define VERIS_NS "3f0a6c52-7c1e-5b8e-9a57-6b7972756e76"
#define VERIS_SCHEMA "1.4.1"
#define VERIS_MAX_DOC KEXCHANGE_VERIS_MAX_BYTES

/* ---- the default mapping (when the crosswalk has no row) ---------------- */

struct vmap {
	const char *vocab, *code;
	const char *veris[3];
};

static const struct vmap defaults[] = {
	{ "threat", "ddos", { "action.hacking.variety=DoS", "attribute.availability.variety=Interruption" } },
	{ "threat", "ransomware", { "action.malware.variety=Ransomware", "attribute.availability.variety=Obscuration" } },
	{ "threat", "brute_force", { "action.hacking.variety=Brute force" } },
	{ "threat", "phishing_mail", { "action.social.variety=Phishing" } },
	{ "threat", "support_scam", { "action.social.variety=Scam" } },
	{ "threat", "unauthorized_access", { "action.hacking.variety=Unknown" } },
	{ "threat", "vulnerability", { "action.hacking.variety=Exploit vuln" } },
	{ "threat", "misconfiguration", { "action.error.variety=Misconfiguration" } },
	{ "threat", "hardware_failure", { "action.error.variety=Malfunction", "attribute.availability.variety=Interruption" } },
	{ "threat", "software_failure", { "action.error.variety=Programming error", "attribute.availability.variety=Interruption" } },
	{ "threat", "malware", { "action.malware.variety=Unknown" } },
	{ "threat", "phishing_site", { "action.social.variety=Phishing" } },
	{ "threat", "tampering", { "attribute.integrity.variety=Modify data" } },
	{ "threat", "data_leak", { "attribute.confidentiality.data_disclosure=Yes" } },
	{ "threat", "insider", { "actor.internal.variety=Unknown", "action.misuse.variety=Unknown" } },
	{ "sector", "telecom", { "victim.industry=517" } },
	{ "sector", "finance", { "victim.industry=52" } },
	{ "sector", "aviation", { "victim.industry=481" } },
	{ "sector", "airport", { "victim.industry=48811" } },
	{ "sector", "railway", { "victim.industry=482" } },
	{ "sector", "electricity", { "victim.industry=2211" } },
	{ "sector", "gas", { "victim.industry=2212" } },
	{ "sector", "government", { "victim.industry=92" } },
	{ "sector", "medical", { "victim.industry=62" } },
	{ "sector", "water", { "victim.industry=2213" } },
	{ "sector", "logistics", { "victim.industry=484" } },
	{ "sector", "chemical", { "victim.industry=325" } },
	{ "sector", "credit", { "victim.industry=5222" } },
	{ "sector", "petroleum", { "victim.industry=324" } },
	{ "sector", "port", { "victim.industry=4883" } },
};

/* Calls fn for each veris value of (vocab, code): the crosswalk's, else the default's. */
static int each_veris(const char *vocab, const char *code, int (*fn)(void *ctx, const char *pv), void *ctx)
{
	const struct kxwalk_entry *e = kxwalk_find(vocab, code);
	int rc;

	if (e && e->nveris) {
		for (size_t i = 0; i < e->nveris; i++)
			if (e->veris[i] && (rc = fn(ctx, e->veris[i])) < 0)
				return rc;
		return 0;
	}
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		if (strcmp(defaults[i].vocab, vocab) || strcmp(defaults[i].code, code))
			continue;
		for (size_t k = 0; k < 3 && defaults[i].veris[k]; k++)
			if ((rc = fn(ctx, defaults[i].veris[k])) < 0)
				return rc;
	}
	return 0;
}

/* ---- export ------------------------------------------------------------- */

struct vstate {
	size_t n;
	char *publisher;
};

int kexchange_veris_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err)
{
	struct vstate *s = calloc(1, sizeof *s);

	*state = s;
	if (!s || (o && o->publisher && !(s->publisher = strdup(o->publisher))))
		return kerr_set(err, KE_NOMEM, "veris: out of memory");
	if (kbuf_adds(out, "[") < 0)
		return kerr_set(err, KE_NOMEM, "veris: out of memory");
	return 0;
}

/* obj[key], an object, created when absent. */
static json_t *child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);

	if (!json_is_object(c)) {
		c = json_object();
		if (!c || json_object_set_new(obj, key, c) < 0)
			return NULL;
	}
	return c;
}

static int push_unique(json_t *obj, const char *key, const char *v)
{
	json_t *a = json_object_get(obj, key);
	size_t i;
	json_t *x;

	if (!json_is_array(a)) {
		a = json_array();
		if (!a || json_object_set_new(obj, key, a) < 0)
			return KE_NOMEM;
	}
	json_array_foreach(a, i, x)
		if (json_is_string(x) && !strcmp(json_string_value(x), v))
			return 0;
	return json_array_append_new(a, json_string(v)) < 0 ? KE_NOMEM : 0;
}

/* Is key a member VERIS writes as one string (not a list)? */
static int scalar_leaf(const char *path)
{
	return !strcmp(path, "victim.industry") || !strcmp(path, "victim.employee_count") ||
	       !strcmp(path, "attribute.confidentiality.data_disclosure");
}

/* Put "PATH=VALUE" into the incident. */
static int put_pv(void *ctx, const char *pv)
{
	json_t *inc = ctx, *o = inc;
	const char *eq = strchr(pv, '='), *p = pv;
	char path[256];
	int scalar;

	if (!eq || (size_t)(eq - pv) >= sizeof path || eq == pv)
		return 0; /* not a PATH=VALUE: ignore */
	memcpy(path, pv, (size_t)(eq - pv));
	path[eq - pv] = '\0';
	scalar = scalar_leaf(path);
	if (!strcmp(path, "asset.assets.variety")) {
		json_t *a = json_object_get(child(inc, "asset"), "assets"), *x;

		if (!json_is_array(a)) {
			a = json_array();
			if (!a || json_object_set_new(child(inc, "asset"), "assets", a) < 0)
				return KE_NOMEM;
		}
		x = json_pack("{ss}", "variety", eq + 1);
		return !x || json_array_append_new(a, x) < 0 ? KE_NOMEM : 0;
	}
	for (p = path;;) {
		char *dot = strchr(p, '.');

		if (!dot)
			break;
		*dot = '\0';
		if (!(o = child(o, p)))
			return KE_NOMEM;
		p = dot + 1;
	}
	if (scalar && json_object_get(o, p))
		return 0; /* the first value wins (a sector's first NAICS code) */
	if (scalar)
		return json_object_set_new(o, p, json_string(eq + 1)) < 0 ? KE_NOMEM : 0;
	return push_unique(o, p, eq + 1);
}

/* Fill in what the schema requires of each action, actor, attribute. */
static int complete(json_t *inc)
{
	static const char *const need_vector[] = { "hacking", "malware", "social", "error", "misuse", "physical", NULL };
	json_t *action = child(inc, "action"), *actor = child(inc, "actor"), *asset = child(inc, "asset"),
	       *attr = child(inc, "attribute"), *x;
	const char *k;
	int rc = 0;

	if (!action || !actor || !asset || !attr)
		return KE_NOMEM;
	json_object_foreach(action, k, x) {
		if (!strcmp(k, "unknown"))
			continue;
		if (!json_object_get(x, "variety"))
			rc |= push_unique(x, "variety", "Unknown");
		for (size_t i = 0; need_vector[i]; i++)
			if (!strcmp(k, need_vector[i]) && !json_object_get(x, "vector"))
				rc |= push_unique(x, "vector", "Unknown");
		if (!strcmp(k, "social") && !json_object_get(x, "target"))
			rc |= push_unique(x, "target", "Unknown");
	}
	if (!json_object_size(action))
		rc |= json_object_set_new(action, "unknown", json_pack("{ss}", "notes", "the case names no action"));
	json_object_foreach(actor, k, x) {
		if (!strcmp(k, "unknown"))
			continue;
		if (strcmp(k, "partner") && !json_object_get(x, "variety"))
			rc |= push_unique(x, "variety", "Unknown");
		if (!strcmp(k, "partner") && !json_object_get(x, "country"))
			rc |= push_unique(x, "country", "Unknown");
		if (!json_object_get(x, "motive"))
			rc |= push_unique(x, "motive", "Unknown");
	}
	if (!json_object_size(actor))
		rc |= json_object_set_new(actor, "unknown", json_pack("{ss}", "notes", "the case names no actor"));
	if (!json_object_get(asset, "assets"))
		rc |= json_object_set_new(asset, "assets", json_pack("[{ss}]", "variety", "Unknown"));
	if (!json_object_get(asset, "cloud"))
		rc |= push_unique(asset, "cloud", "Unknown");
	json_object_foreach(attr, k, x) {
		if (!strcmp(k, "confidentiality")) {
			if (!json_object_get(x, "data_disclosure"))
				rc |= json_object_set_new(x, "data_disclosure", json_string("Unknown"));
		} else if (strcmp(k, "unknown") && !json_object_get(x, "variety")) {
			rc |= push_unique(x, "variety", "Unknown");
		}
	}
	if (!json_object_size(attr))
		rc |= json_object_set_new(attr, "unknown", json_pack("{ss}", "notes", "the case names no attribute"));
	return rc ? KE_NOMEM : 0;
}

static int join_lines(const struct kstrv *sv, struct kbuf *b)
{
	for (size_t i = 0; i < sv->n; i++)
		if ((i && kbuf_addch(b, '\n') < 0) || kbuf_adds(b, sv->v[i]) < 0)
			return KE_NOMEM;
	return 0;
}

int kexchange_veris_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err)
{
	struct vstate *s = state;
	json_t *inc = NULL, *victim, *kc;
	struct kbuf b;
	char uuid[37];
	const char *industry;
	char *text = NULL;
	int rc = KE_NOMEM;

	kbuf_init(&b, 0);
	if (!s || !c || !c->id)
		return kerr_set(err, KE_INVALID, "veris: a case without an id");
	if (kexchange_uuid5(VERIS_NS, c->id, uuid) < 0)
		return kerr_set(err, KE_NOMEM, "veris: cannot make an incident id");
	for (char *p = uuid; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!(inc = json_object()))
		goto out;
	if (join_lines(&c->summary, &b) < 0)
		goto out;
	if (json_object_set_new(inc, "schema_version", json_string(VERIS_SCHEMA)) < 0 ||
	    json_object_set_new(inc, "incident_id", json_string(uuid)) < 0 ||
	    json_object_set_new(inc, "source_id", json_string("kyokun")) < 0 ||
	    json_object_set_new(inc, "security_incident", json_string("Confirmed")) < 0 ||
	    json_object_set_new(inc, "discovery_method", json_pack("{sb}", "unknown", 1)) < 0 ||
	    json_object_set_new(inc, "summary", json_string(b.len ? kbuf_str(&b) : c->title ? c->title : c->id)) < 0 ||
	    json_object_set_new(inc, "timeline", json_pack("{s{si}}", "incident", "year",
							 c->source.has_year && c->source.year >= 1950 && c->source.year <= 2050
							 ? c->source.year : 1950)) < 0)
		goto out;
	if (c->source.document && json_object_set_new(inc, "reference", json_string(c->source.document)) < 0)
		goto out;
	kbuf_reset(&b);
	if (c->key_lessons.n && (join_lines(&c->key_lessons, &b) < 0 ||
				 json_object_set_new(inc, "corrective_action", json_string(kbuf_str(&b))) < 0))
		goto out;
	if (c->tags.event_class && (rc = each_veris("event_class", c->tags.event_class, put_pv, inc)) < 0)
		goto out;
	for (size_t i = 0; i < c->tags.threats.n; i++)
		if ((rc = each_veris("threat", c->tags.threats.v[i], put_pv, inc)) < 0)
			goto out;
	for (size_t i = 0; i < c->tags.sectors.n && !json_object_get(json_object_get(inc, "victim"), "industry"); i++)
		if ((rc = each_veris("sector", c->tags.sectors.v[i], put_pv, inc)) < 0)
			goto out;
	rc = KE_NOMEM;
	if (!(victim = child(inc, "victim")))
		goto out;
	if (!json_is_string(json_object_get(victim, "industry")) &&
	    json_object_set_new(victim, "industry", json_string("00")) < 0)
		goto out;
	industry = json_string_value(json_object_get(victim, "industry"));
	if (json_object_set_new(victim, "country", json_pack("[s]", "JP")) < 0 ||
	    json_object_set_new(victim, "employee_count", json_string("Unknown")) < 0 ||
	    json_object_set_new(victim, "government", json_pack("[s]", !strncmp(industry, "92", 2) ? "Unknown" : "NA")) < 0)
		goto out;
	if (c->owner && json_object_set_new(victim, "victim_id", json_string(c->owner)) < 0)
		goto out;
	if ((rc = complete(inc)) < 0)
		goto out;
	rc = KE_NOMEM;
	if (!(kc = kcase_to_json(c)) || json_object_set_new(child(inc, "plus"), "kyokun", kc) < 0)
		goto out;
	if (!(text = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS)))
		goto out;
	if (kbuf_adds(out, s->n ? ",\n" : "\n") < 0 || kbuf_adds(out, text) < 0)
		goto out;
	s->n++;
	rc = 0;
out:
	free(text);
	json_decref(inc);
	kbuf_release(&b);
	if (rc < 0)
		return kerr_set(err, rc, "veris: case %s: %s", c->id,
				rc == KE_NOMEM ? "out of memory" : "cannot be written");
	return 0;
}

int kexchange_veris_end(void *state, struct kbuf *out, struct kerr *err)
{
	struct vstate *s = state;
	int rc = 0;

	if (s && kbuf_adds(out, s->n ? "\n]\n" : "]\n") < 0)
		rc = kerr_set(err, KE_NOMEM, "veris: out of memory");
	if (s)
		free(s->publisher);
	free(s);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

/* Threats and event classes by action category and variety (the default mapping). */
static const struct {
	const char *category, *variety; /* variety NULL: any */
	const char *threat, *event_class;
} act_defaults[] = {
	{ "hacking", "DoS", "ddos", NULL },
	{ "hacking", "Brute force", "brute_force", NULL },
	{ "hacking", "Exploit vuln", "vulnerability", NULL },
	{ "hacking", NULL, "unauthorized_access", "cyber_attack" },
	{ "malware", "Ransomware", "ransomware", NULL },
	{ "malware", NULL, "malware", "cyber_attack" },
	{ "social", "Phishing", "phishing_mail", NULL },
	{ "social", "Scam", "support_scam", NULL },
	{ "social", NULL, NULL, "cyber_attack" },
	{ "misuse", NULL, "insider", "cyber_attack" },
	{ "error", "Misconfiguration", "misconfiguration", NULL },
	{ "error", "Malfunction", "hardware_failure", NULL },
	{ "error", "Programming error", "software_failure", NULL },
	{ "error", NULL, NULL, "system_failure" },
	{ "environmental", NULL, NULL, "system_failure" },
};

/* NAICS prefixes of the sectors (longest first wins), when the crosswalk has none. */
static const struct {
	const char *prefix, *sector;
} naics_defaults[] = {
	{ "2211", "electricity" }, { "2212", "gas" }, { "2213", "water" }, { "517", "telecom" },
	{ "52", "finance" }, { "481", "aviation" }, { "48811", "airport" }, { "482", "railway" },
	{ "92", "government" }, { "62", "medical" }, { "484", "logistics" }, { "493", "logistics" },
	{ "325", "chemical" }, { "5222", "credit" }, { "324", "petroleum" }, { "4883", "port" },
};

struct imp {
	struct kcase *c;
	int attack, failure;
	const char *xclass; /* the event class the crosswalk gives, if any */
};

static int add_tag(struct kstrv *sv, const char *v)
{
	if (!v || kstrv_contains(sv, v))
		return 0;
	return kstrv_push(sv, v);
}

static void on_reverse(void *ctx, const struct kxwalk_entry *e)
{
	struct imp *im = ctx;

	if (!strcmp(e->vocab, "threat"))
		add_tag(&im->c->tags.threats, e->code);
	else if (!strcmp(e->vocab, "event_class") && !im->xclass)
		im->xclass = e->code;
	else if (!strcmp(e->vocab, "sector"))
		add_tag(&im->c->tags.sectors, e->code);
}

/* kxwalk_reverse of "PATH=VALUE". */
static size_t reverse(struct imp *im, const char *path, const char *value)
{
	char pv[512];

	if (snprintf(pv, sizeof pv, "%s=%s", path, value) >= (int)sizeof pv)
		return 0;
	return kxwalk_reverse("veris", pv, on_reverse, im);
}

#define BAD(...) do { rc = kerr_set(err, KE_INVALID, __VA_ARGS__); goto out; } while (0)

/* The strings of a list (or of one string: 1.2.1 wrote some lists as strings) joined by ", ". */
static int add_list(struct kbuf *b, json_t *v)
{
	size_t i;
	json_t *x;
	int first = 1;

	if (json_is_string(v))
		return kbuf_adds(b, json_string_value(v));
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			continue;
		if ((!first && kbuf_adds(b, ", ") < 0) || kbuf_adds(b, json_string_value(x)) < 0)
			return KE_NOMEM;
		first = 0;
	}
	return 0;
}

/* The first sentence of s (up to ". ", "。", "! ", "? " or a line break), at most 200 bytes, trimmed. */
static int first_sentence(const char *s, char **out)
{
	size_t n = 0, len;

	while (*s && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	for (n = 0; n < len; n++) {
		if (s[n] == '\n' || s[n] == '\r')
			break;
		if ((s[n] == '.' || s[n] == '!' || s[n] == '?') && (s[n + 1] == ' ' || !s[n + 1])) {
			n++;
			break;
		}
		if (!strncmp(s + n, "。", 3)) {
			n += 3;
			break;
		}
	}
	if (n > 200)
		n = (size_t)kutf8_cut(s, 200);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return kstr_setn(out, s, n);
}

/* "分類 (classification): ランサムウェア (ransomware), ..." for codes of vocab, from the crosswalk. */
static int add_labels(struct kbuf *b, const char *vocab, size_t n, char *const *codes)
{
	for (size_t i = 0; i < n; i++) {
		const struct kxwalk_entry *e = kxwalk_find(vocab, codes[i]);
		const char *ja = e && e->ja ? e->ja : codes[i], *en = e && e->en ? e->en : codes[i];

		if (!b->len && kbuf_adds(b, "分類 (classification): ") < 0)
			return KE_NOMEM;
		else if (b->len && b->buf[b->len - 1] != ' ' && kbuf_adds(b, ", ") < 0)
			return KE_NOMEM;
		if (kbuf_addf(b, "%s (%s)", ja, en) < 0)
			return KE_NOMEM;
	}
	return 0;
}

#define ACTION_CATEGORIES "hacking, malware, social, error, misuse, physical, environmental, unknown"
#define ATTRIBUTE_CATEGORIES "confidentiality, integrity, availability, unknown"
static const char *const action_categories[] = { "hacking", "malware", "social", "error", "misuse",
						 "physical", "environmental", "unknown", NULL };
static const char *const attribute_categories[] = { "confidentiality", "integrity", "availability", "unknown",
						    NULL };

/* Is k (white space around it ignored) one of list? */
static int in_list(const char *k, const char *const *list)
{
	size_t n;

	while (isspace((unsigned char)*k))
		k++;
	for (n = strlen(k); n && isspace((unsigned char)k[n - 1]);)
		n--;
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(*list, k, n))
			return 1;
	return 0;
}

static int foreign_case(struct kcase *c, json_t *inc, const char *iid, struct kerr *err)
{
	struct imp im = { c, 0, 0, NULL };
	struct kbuf b;
	json_t *summary = json_object_get(inc, "summary"), *notes = json_object_get(inc, "notes"),
	       *action = json_object_get(inc, "action"), *attr = json_object_get(inc, "attribute"),
	       *victim = json_object_get(inc, "victim"), *timeline = json_object_get(inc, "timeline"),
	       *dm = json_object_get(inc, "discovery_method"), *year = NULL, *x, *v;
	const char *k, *sid, *sumtext = NULL;
	char *low = NULL;
	size_t i;
	int rc = KE_NOMEM;

	kbuf_init(&b, 0);
	if (summary && !json_is_string(summary))
		BAD("summary: expected a string");
	if (notes && !json_is_string(notes))
		BAD("notes: expected a string");
	if (action && !json_is_object(action))
		BAD("action: expected an object");
	if (attr && !json_is_object(attr))
		BAD("attribute: expected an object");
	if (victim && !json_is_object(victim))
		BAD("victim: expected an object");
	if (timeline && !json_is_object(timeline))
		BAD("timeline: expected an object");
	if (timeline && (x = json_object_get(timeline, "incident")) && !json_is_object(x))
		BAD("timeline.incident: expected an object");
	year = json_object_get(json_object_get(timeline, "incident"), "year");
	if (year && !json_is_null(year) && !json_is_integer(year))
		BAD("timeline.incident.year: expected an integer");
	if (year && json_is_integer(year) && (json_integer_value(year) < 1 || json_integer_value(year) > 9999))
		BAD("timeline.incident.year: out of range");
	if (dm && !json_is_string(dm) && !json_is_object(dm))
		BAD("discovery_method: expected a string or an object");
	/* the categories are VERIS's own (the schema allows no others); VCDB writes " confidentiality" once */
	json_object_foreach(action, k, x) {
		if (!in_list(k, action_categories))
			BAD("action.%.40s: not a VERIS action category (%s)", k, ACTION_CATEGORIES);
		if (!json_is_object(x))
			BAD("action.%s: expected an object", k);
	}
	json_object_foreach(attr, k, x) {
		if (!in_list(k, attribute_categories))
			BAD("attribute.%.40s: not a VERIS attribute category (%s)", k, ATTRIBUTE_CATEGORIES);
		if (!json_is_object(x))
			BAD("attribute.%s: expected an object", k);
	}

	/* id, title, summary */
	if (!(low = malloc(strlen(iid) + 7)))
		goto out;
	strcpy(low, "veris-");
	for (i = 0; iid[i]; i++)
		low[6 + i] = (char)tolower((unsigned char)iid[i]);
	low[6 + i] = '\0';
	if (kstr_set(&c->id, low) < 0)
		goto out;
	sumtext = summary ? json_string_value(summary) : NULL;
	while (sumtext && isspace((unsigned char)*sumtext))
		sumtext++;
	if (sumtext && *sumtext) {
		if (first_sentence(sumtext, &c->title) < 0 || kstrv_push(&c->summary, sumtext) < 0 ||
		    kcase_section_append(c, KSEC_BACKGROUND, sumtext) < 0)
			goto out;
	}
	if (!c->title || !*c->title) {
		kbuf_reset(&b);
		if (kbuf_addf(&b, "VERIS incident %s", iid) < 0 || kstr_set(&c->title, kbuf_str(&b)) < 0)
			goto out;
	}
	if (notes && *json_string_value(notes) && kcase_section_append(c, KSEC_BACKGROUND, json_string_value(notes)) < 0)
		goto out;

	/* cause: the actions; threats and event class */
	json_object_foreach(action, k, x) {
		json_t *var = json_object_get(x, "variety"), *vec = json_object_get(x, "vector");

		kbuf_reset(&b);
		if (kbuf_addf(&b, "%s", k) < 0)
			goto out;
		if (var && (kbuf_adds(&b, ": ") < 0 || add_list(&b, var) < 0))
			goto out;
		if (vec && (kbuf_adds(&b, " (vector: ") < 0 || add_list(&b, vec) < 0 || kbuf_adds(&b, ")") < 0))
			goto out;
		if (json_is_string(json_object_get(x, "notes")) && *json_string_value(json_object_get(x, "notes")) &&
		    kbuf_addf(&b, " - %s", json_string_value(json_object_get(x, "notes"))) < 0)
			goto out;
		if (kcase_section_append(c, KSEC_CAUSE, kbuf_str(&b)) < 0)
			goto out;
		json_array_foreach(json_is_array(var) ? var : NULL, i, v) {
			char path[64];

			if (!json_is_string(v))
				continue;
			snprintf(path, sizeof path, "action.%s.variety", k);
			reverse(&im, path, json_string_value(v));
			for (size_t d = 0; d < sizeof act_defaults / sizeof act_defaults[0]; d++)
				if (act_defaults[d].variety && !strcmp(act_defaults[d].category, k) &&
				    !strcmp(act_defaults[d].variety, json_string_value(v)) &&
				    add_tag(&c->tags.threats, act_defaults[d].threat) < 0)
					goto out;
		}
		for (size_t d = 0; d < sizeof act_defaults / sizeof act_defaults[0]; d++) {
			if (act_defaults[d].variety || strcmp(act_defaults[d].category, k))
				continue;
			if (add_tag(&c->tags.threats, act_defaults[d].threat) < 0)
				goto out;
			if (act_defaults[d].event_class && !strcmp(act_defaults[d].event_class, "cyber_attack"))
				im.attack = 1;
			if (act_defaults[d].event_class && !strcmp(act_defaults[d].event_class, "system_failure"))
				im.failure = 1;
		}
	}
	json_object_foreach(attr, k, x) {
		json_t *var = json_object_get(x, "variety"), *dd = json_object_get(x, "data_disclosure");
		char path[64];

		if (json_is_string(dd)) {
			reverse(&im, "attribute.confidentiality.data_disclosure", json_string_value(dd));
			if (!strcmp(json_string_value(dd), "Yes") && add_tag(&c->tags.threats, "data_leak") < 0)
				goto out;
		}
		json_array_foreach(json_is_array(var) ? var : NULL, i, v) {
			if (!json_is_string(v))
				continue;
			snprintf(path, sizeof path, "attribute.%s.variety", k);
			reverse(&im, path, json_string_value(v));
			if (!strcmp(k, "integrity") && (!strcmp(json_string_value(v), "Defacement") ||
							!strcmp(json_string_value(v), "Modify data")) &&
			    add_tag(&c->tags.threats, "tampering") < 0)
				goto out;
		}
	}
	/* an attack's actions make a cyber attack; else the crosswalk's class; else an error's a failure */
	if (kstr_set(&c->tags.event_class, im.attack ? "cyber_attack" : im.xclass ? im.xclass
					   : im.failure ? "system_failure" : "other") < 0)
		goto out;

	/* sectors and the victim */
	if (victim) {
		json_t *ind = json_object_get(victim, "industry"), *country = json_object_get(victim, "country"),
		       *emp = json_object_get(victim, "employee_count");

		if (ind && !json_is_string(ind))
			BAD("victim.industry: expected a string");
		if (json_is_string(ind)) {
			const char *naics = json_string_value(ind);
			char pre[8];
			size_t nl = strlen(naics);

			for (size_t l = nl < 6 ? nl : 6; l >= 2 && !c->tags.sectors.n; l--) {
				memcpy(pre, naics, l);
				pre[l] = '\0';
				reverse(&im, "victim.industry", pre);
				for (size_t d = 0; d < sizeof naics_defaults / sizeof naics_defaults[0] && !c->tags.sectors.n; d++)
					if (!strcmp(naics_defaults[d].prefix, pre) &&
					    add_tag(&c->tags.sectors, naics_defaults[d].sector) < 0)
						goto out;
			}
		}
		kbuf_reset(&b);
		if (kbuf_adds(&b, "victim:") < 0)
			goto out;
		if (json_is_string(json_object_get(victim, "victim_id")) &&
		    kbuf_addf(&b, " %s;", json_string_value(json_object_get(victim, "victim_id"))) < 0)
			goto out;
		if (json_is_string(ind) && kbuf_addf(&b, " industry (NAICS) %s;", json_string_value(ind)) < 0)
			goto out;
		if (country && (kbuf_adds(&b, " country ") < 0 || add_list(&b, country) < 0 || kbuf_adds(&b, ";") < 0))
			goto out;
		if (json_is_string(emp) && kbuf_addf(&b, " employees %s;", json_string_value(emp)) < 0)
			goto out;
		kbuf_rtrim(&b);
		if (b.len && kbuf_str(&b)[b.len - 1] == ';')
			kbuf_setlen(&b, b.len - 1);
		if (kstr_set(&c->attributes.organization, kbuf_str(&b)) < 0)
			goto out;
	}

	/* the tags in words, so that a search in Japanese (ランサムウェア) finds the case */
	kbuf_reset(&b);
	if (add_labels(&b, "event_class", c->tags.event_class ? 1 : 0, &c->tags.event_class) < 0 ||
	    add_labels(&b, "threat", c->tags.threats.n, c->tags.threats.v) < 0 ||
	    add_labels(&b, "sector", c->tags.sectors.n, c->tags.sectors.v) < 0)
		goto out;
	if (b.len && kcase_section_append(c, KSEC_CAUSE, kbuf_str(&b)) < 0)
		goto out;

	/* detection and response */
	kbuf_reset(&b);
	if (json_is_string(dm)) {
		if (kbuf_addf(&b, "discovery method: %s", json_string_value(dm)) < 0)
			goto out;
	} else if (json_is_object(dm)) {
		if (kbuf_adds(&b, "discovery method:") < 0)
			goto out;
		json_object_foreach(dm, k, x) {
			if (kbuf_addf(&b, " %s", k) < 0)
				goto out;
			if (json_is_object(x) && json_object_get(x, "variety") &&
			    (kbuf_adds(&b, " (") < 0 || add_list(&b, json_object_get(x, "variety")) < 0 ||
			     kbuf_adds(&b, ")") < 0))
				goto out;
		}
	}
	if (b.len && kcase_section_append(c, KSEC_DETECTION, kbuf_str(&b)) < 0)
		goto out;
	json_object_foreach(timeline, k, x) {
		json_t *unit = json_object_get(x, "unit"), *val = json_object_get(x, "value");

		if (!strcmp(k, "incident") || !json_is_string(unit))
			continue;
		kbuf_reset(&b);
		if (json_is_number(val) ? kbuf_addf(&b, "%s: %g %s", k, json_number_value(val), json_string_value(unit))
					: kbuf_addf(&b, "%s: %s", k, json_string_value(unit)) < 0)
			goto out;
		if (kcase_section_append(c, KSEC_RESPONSE, kbuf_str(&b)) < 0)
			goto out;
	}

	/* source, year, tlp, the record itself */
	sid = json_string_value(json_object_get(inc, "source_id"));
	if (!sid || !strcmp(sid, "vcdb")) {
		if (kstr_set(&c->source.document, "VCDB") < 0 ||
		    kstr_set(&c->source.publisher, "VERIS Community Database") < 0)
			goto out;
	} else if (kstr_set(&c->source.document, "VERIS") < 0 || kstr_set(&c->source.publisher, sid) < 0) {
		goto out;
	}
	if (json_is_integer(year)) {
		c->source.has_year = 1;
		c->source.year = (int)json_integer_value(year);
	}
	if (kstr_set(&c->tlp, "clear") < 0)
		goto out;
	if (!c->extra && !(c->extra = json_object()))
		goto out;
	if (json_object_set(c->extra, "veris", inc) < 0)
		goto out;
	rc = 0;
out:
	free(low);
	kbuf_release(&b);
	return rc;
}

/* One incident into a new case of l; where names the record for messages. */
static int one_incident(json_t *inc, const char *where, struct kcase_list *l, struct kerr *err)
{
	json_t *iid, *plus, *kc;
	struct kcase *c;
	int rc;

	if (!json_is_object(inc))
		return kerr_set(err, KE_INVALID, "%s: expected a VERIS incident (an object)", where);
	iid = json_object_get(inc, "incident_id");
	if (!iid)
		return kerr_set(err, KE_INVALID, "%s: incident_id: required", where);
	if (!json_is_string(iid) || !*json_string_value(iid))
		return kerr_set(err, KE_INVALID, "%s: incident_id: expected a non-empty string", where);
	if (strlen(json_string_value(iid)) > 190)
		return kerr_set(err, KE_INVALID, "%s: incident_id: longer than 190 bytes", where);
	if (json_object_get(inc, "schema_version") && !json_is_string(json_object_get(inc, "schema_version")))
		return kerr_set(err, KE_INVALID, "%s (incident %s): schema_version: expected a string", where,
				json_string_value(iid));
	if (!(c = kcase_list_add(l)))
		return kerr_set(err, KE_NOMEM, "%s: out of memory", where);
	plus = json_object_get(inc, "plus");
	kc = json_object_get(plus, "kyokun");
	if (kc && !json_is_object(kc)) {
		rc = kerr_set(err, KE_INVALID, "plus.kyokun: expected an object (a kyokun case)");
	} else if (kc) {
		rc = kcase_from_json(c, kc, err);
		if (rc >= 0 && !c->tlp)
			rc = kstr_set(&c->tlp, "clear");
		if (rc >= 0)
			rc = kcase_validate(c, err);
		if (rc < 0)
			kerr_prefix(err, "plus.kyokun");
	} else {
		rc = foreign_case(c, inc, json_string_value(iid), err);
		if (rc >= 0)
			rc = kcase_validate(c, err);
	}
	if (rc < 0)
		kerr_prefix(err, "%s (incident %s)", where, json_string_value(iid));
	return rc;
}

static int all_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

struct walk {
	struct kcase_list *l;
	const struct kexchange_sink *sink;
	size_t count;
};

static int walk_incident(void *ctx, json_t *x, size_t i, struct kerr *err)
{
	struct walk *w = ctx;
	size_t n0 = w->l->n;
	char where[64];
	int rc;

	snprintf(where, sizeof where, "veris: [%zu]", i);
	if ((rc = one_incident(x, where, w->l, err)) < 0)
		return rc;
	w->count += w->l->n - n0;
	return kexchange_drain(w->l, n0, w->sink, err);
}

/* The document's incidents into l, or each to sink when there is one (then l is scratch). */
static int import_doc(const char *in, size_t len, struct kcase_list *l, const struct kexchange_sink *sink,
		      struct kerr *err)
{
	json_error_t je;
	json_t *doc = NULL;
	struct walk w = { l, sink, 0 };
	size_t start = l->n, used, i = 0;
	char where[64];
	int rc = 0;

	if (len > VERIS_MAX_DOC)
		return kerr_set(err, KE_TOOBIG, "veris: the document is larger than %zu MiB", VERIS_MAX_DOC >> 20);
	if (!kutf8_valid(in, len))
		return kerr_set(err, KE_PARSE, "veris: not valid UTF-8 (at byte %zu)", kutf8_valid_prefix(in, len));
	while (i < len && isspace((unsigned char)in[i]))
		i++;
	if ((rc = kexchange_prescan(in, len, i < len && in[i] == '[' ? 1 : 0, KEXCHANGE_MAX_TREE, "veris", "incidents",
				    err)) < 0)
		goto out;
	if (i < len && in[i] == '[') {
		/* an array of incidents: one at a time */
		rc = kexchange_each_element(in, len, "veris", "", walk_incident, &w, err);
		if (rc < 0)
			goto out;
		goto done;
	}
	doc = json_loadb(in, len, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		rc = kerr_set(err, KE_PARSE, "veris: line %d: %s", je.line, je.text);
		goto out;
	}
	used = je.position;
	if (json_is_object(doc) && all_space(in + used, len - used)) {
		if ((rc = one_incident(doc, "veris: the incident", l, err)) < 0)
			goto out;
		w.count++;
		if ((rc = kexchange_drain(l, start, sink, err)) < 0)
			goto out;
	} else {
		/* JSON Lines: one incident per line */
		size_t pos = 0, line = 0;

		json_decref(doc);
		doc = NULL;
		while (pos < len) {
			const char *nl = memchr(in + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - in) : len;
			json_t *x;

			line++;
			if (!all_space(in + pos, end - pos)) {
				size_t n0 = l->n;

				snprintf(where, sizeof where, "veris: line %zu", line);
				x = json_loadb(in + pos, end - pos, JSON_REJECT_DUPLICATES, &je);
				if (!x) {
					rc = kerr_set(err, KE_PARSE, "%s: %s", where, je.text);
					goto out;
				}
				rc = one_incident(x, where, l, err);
				json_decref(x);
				if (rc < 0)
					goto out;
				w.count += l->n - n0;
				if ((rc = kexchange_drain(l, n0, sink, err)) < 0)
					goto out;
			}
			pos = end + 1;
		}
	}
done:
	if (w.count == 0)
		rc = kerr_set(err, KE_INVALID, "veris: no incidents in the document");
out:
	json_decref(doc);
	if (rc < 0) {
		/* all or nothing: drop what this document added */
		while (l->n > start)
			kcase_free(&l->v[--l->n]);
	}
	return rc < 0 ? rc : 0;
}

int kexchange_veris_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err)
{
	return import_doc(in, len, l, NULL, err);
}

int kexchange_veris_import_each(const char *in, size_t len, const struct kexchange_sink *sink, struct kerr *err)
{
	struct kcase_list l = { 0 };
	int rc = import_doc(in, len, &l, sink, err);

	kcase_list_free(&l);
	return rc;
}

int kexchange_veris_sniff(const char *in, size_t len)
{
	/*
	 * The first object (or an array's first element) has the top-level
	 * members "schema_version" and "incident_id" or "action" (members of
	 * nested objects do not count: a kyokun case keeps an imported incident
	 * under "veris").
	 */
	size_t i = 0;
	int depth = 0, sv = 0, id = 0;

	while (i < len && isspace((unsigned char)in[i]))
		i++;
	if (i < len && in[i] == '[')
		for (i++; i < len && isspace((unsigned char)in[i]);)
			i++;
	if (i >= len || in[i] != '{')
		return 0;
	for (; i < len; i++) {
		char ch = in[i];

		if (ch == '"') {
			size_t start = ++i, j;

			while (i < len && in[i] != '"')
				i += in[i] == '\\' ? 2 : 1;
			if (i >= len)
				break;
			for (j = i + 1; j < len && isspace((unsigned char)in[j]);)
				j++;
			if (depth == 1 && j < len && in[j] == ':') {
				size_t kl = i - start;

				sv |= kl == 14 && !memcmp(in + start, "schema_version", 14);
				id |= (kl == 11 && !memcmp(in + start, "incident_id", 11)) ||
				      (kl == 6 && !memcmp(in + start, "action", 6));
			}
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth <= 0)
				break;
		}
	}
	return sv && id;
}
