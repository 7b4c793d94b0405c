/*
 * report_check.c - the checks of incident reports (see report.h and
 * ../shared/spec/report-json.md): a first report into an incident, a
 * follow-up or final report against its incident.  Every member is
 * checked and named by its JSON path in the message ("contact.email:
 * ...", "event_types[2]: ..."); the first bad one is reported.  What is
 * written back is the normalised report: known members only, in a fixed
 * order, codes as codes, the sector as its Japanese name, one-line texts
 * trimmed, CR LF as LF, empty optional texts and nulls left out.
 *
 * Limits and rules (the caps are sanity bounds, not policy):
 *   one-line texts   title (200 characters), organization and contact.name
 *                    (100), contact.phone (40), contact.email (254 bytes):
 *                    no control characters, no line breaks; spaces
 *                    (ASCII and U+3000) at either end are trimmed
 *   long texts       description, actions, impact.scope, text, cause,
 *                    response, countermeasures: at most 20,000 characters,
 *                    line breaks and tabs allowed, no other control
 *                    characters (C0, DEL, C1)
 *   phone            digits, spaces, "+" (first only), "-", "(", ")"; 6 to 20 digits
 *   contact          name, and a phone number or an e-mail address
 *   times            RFC 3339 with an offset; not before 1990, not more
 *                    than an hour after now; detected_at not before
 *                    occurred_at; a follow-up's "at" not before detected_at
 *   users_affected   an integer 0 .. 10,000,000,000
 *   duration_minutes an integer 0 .. 5,270,400 (ten years)
 *   codes            event_types (at least one), cause_types and
 *                    spread.sectors each at most once; codes or their
 *                    Japanese labels; sectors by tag or Japanese name
 *   spread           "sectors" only when "status" is not "no"
 *   tlp              clear, green, amber, amber+strict, red (any case, a
 *                    "TLP:" prefix allowed); written lower case
 *   size             a report at most 256 KB as compact JSON
 *
 * The organisation: a reporter (KCAP_REPORT_FILE) files for their own
 * organisation (an "organization" naming another is refused; when the
 * organisation has sectors, the report's sector must be one of them); an
 * analyst or publisher (KCAP_CASE_EDIT) and the local operator name the
 * organisation they file for; anyone else is KE_DENIED.
 *
 * Follow-ups merge into the incident when all is well: event types are
 * added (the incident keeps every type any report gave); cause types are
 * added too, and "unknown" is dropped once a known cause is given;
 * service_affected is replaced by the latest one given.
 */
#include "report.h"
#include "kerr.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_MAX_BYTES (256 * 1024)
#define TEXT_MAX 20000
#define TITLE_MAX 200
#define NAME_MAX_CHARS 100
#define PHONE_MAX 40
#define EMAIL_MAX_BYTES 254
#define USERS_MAX 10000000000LL
#define DURATION_MAX (10LL * 366 * 24 * 60)
#define TIME_MIN ((time_t)631152000) /* 1990-01-01T00:00:00Z */
#define FUTURE_SLACK 3600

enum textkind { T_LINE, T_LONG };

static const char *const first_members[] = {
	"title", "organization", "sector", "contact", "occurred_at", "detected_at", "event_types",
	"cause_types", "service_affected", "impact", "spread", "description", "actions",
	"announcement_planned", "tlp", "kind", NULL,
};
static const char *const contact_members[] = { "name", "phone", "email", NULL };
static const char *const impact_members[] = { "scope", "users_affected", "duration_minutes", NULL };
static const char *const spread_members[] = { "status", "sectors", NULL };
static const char *const update_members[] = {
	"kind", "at", "text", "cause", "response", "countermeasures", "impact", "event_types",
	"cause_types", "service_affected", NULL,
};

/* prefix.key (or key) into path. */
static void join(char *path, size_t n, const char *prefix, const char *key)
{
	snprintf(path, n, "%s%s%s", prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", key);
}

static int nomem(struct kerr *err)
{
	return kerr_set(err, KE_NOMEM, "out of memory");
}

static int is_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i]; i++)
		if (!strcmp(key, known[i]))
			return 1;
	return 0;
}

static int printable(const char *key)
{
	if (!*key)
		return 0;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/*
 * Refuse members of obj not in known: the first one is the field of the
 * message, the others are named after it ("severity: unknown member (also
 * color); the known ones: ...").
 */
static int known_members(json_t *obj, const char *prefix, const char *const *known, struct kerr *err)
{
	const char *key, *first = NULL;
	char list[400] = "", also[300] = "";
	int nalso = 0;
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (is_known(key, known))
			continue;
		if (!first) {
			first = key;
			continue;
		}
		if (nalso++ < 5 && strlen(also) < 200)
			snprintf(also + strlen(also), sizeof(also) - strlen(also), "%s%.*s", nalso > 1 ? ", " : "",
				 printable(key) ? kutf8_cut(key, 40) : 1, printable(key) ? key : "?");
	}
	if (!first)
		return 0;
	if (nalso > 5)
		snprintf(also + strlen(also), sizeof(also) - strlen(also), " and %d more", nalso - 5);
	for (size_t i = 0; known[i]; i++)
		if (strcmp(known[i], "kind") || known != first_members)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", known[i]);
	if (!printable(first))
		return kerr_set(err, KE_INVALID, "%s%sunknown member with an unprintable name%s%s%s; the known ones: %s",
				prefix && *prefix ? prefix : "", prefix && *prefix ? ": " : "", nalso ? " (also " : "",
				also, nalso ? ")" : "", list);
	return kerr_set(err, KE_INVALID, "%s%s%.*s: unknown member%s%s%s; the known ones: %s",
			prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", kutf8_cut(first, 64), first,
			nalso ? " (also " : "", also, nalso ? ")" : "", list);
}

static int is_space_at(const char *s, size_t i, size_t len, size_t *w)
{
	if (s[i] == ' ') {
		*w = 1;
		return 1;
	}
	if (i + 3 <= len && !memcmp(s + i, "\xe3\x80\x80", 3)) { /* U+3000 */
		*w = 3;
		return 1;
	}
	return 0;
}

/*
 * Check the string v at path: valid UTF-8 without NUL, no control
 * characters (line breaks and tabs allowed in long text), at most max
 * characters.  *out is the normalised copy (trimmed one-line text; CR LF
 * and CR as LF in long text), NULL when it is empty.
 */
static int text_value(json_t *v, const char *path, enum textkind kind, size_t max, char **out, struct kerr *err)
{
	const char *s;
	size_t len, chars = 0, i, a, b, w;
	char *copy, *d;

	*out = NULL;
	if (!json_is_string(v))
		return kerr_set(err, KE_INVALID, "%s: expected a string", path);
	s = json_string_value(v);
	len = json_string_length(v);
	if (!kutf8_valid(s, len))
		return kerr_set(err, KE_PARSE, "%s: not valid UTF-8 (or contains a NUL character) at byte %zu", path,
				kutf8_valid_prefix(s, len));
	if (len > 4 * max + 16)
		return kerr_set(err, KE_INVALID, "%s: too long (at most %zu characters)", path, max);
	for (i = 0; i < len;) {
		uint32_t cp;
		int n = kutf8_decode(s + i, len - i, &cp);

		if (n < 0)
			return kerr_set(err, KE_PARSE, "%s: not valid UTF-8 at byte %zu", path, i);
		if (cp == '\n' || cp == '\r') {
			if (kind == T_LINE)
				return kerr_set(err, KE_INVALID, "%s: must be one line (a line break at character %zu)",
						path, chars + 1);
		} else if (cp == '\t') {
			if (kind == T_LINE)
				return kerr_set(err, KE_INVALID, "%s: a tab character at character %zu", path, chars + 1);
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			return kerr_set(err, KE_INVALID, "%s: a control character (U+%04X) at character %zu", path,
					(unsigned)cp, chars + 1);
		}
		chars++;
		i += (size_t)n;
	}
	if (chars > max)
		return kerr_set(err, KE_INVALID, "%s: too long (%zu characters; at most %zu)", path, chars, max);
	a = 0;
	b = len;
	if (kind == T_LINE) {
		while (a < b && is_space_at(s, a, b, &w))
			a += w;
		while (b > a) {
			if (s[b - 1] == ' ')
				b--;
			else if (b - a >= 3 && !memcmp(s + b - 3, "\xe3\x80\x80", 3))
				b -= 3;
			else
				break;
		}
	} else {
		size_t k = 0;

		/* all white space: empty */
		while (k < len && (s[k] == ' ' || s[k] == '\n' || s[k] == '\r' || s[k] == '\t' ||
				   (k + 3 <= len && !memcmp(s + k, "\xe3\x80\x80", 3))))
			k += (unsigned char)s[k] == 0xe3 ? 3 : 1;
		if (k == len)
			a = b;
	}
	if (a == b)
		return 0;
	copy = malloc(b - a + 1);
	if (!copy)
		return nomem(err);
	d = copy;
	for (i = a; i < b; i++) {
		if (s[i] == '\r') {
			*d++ = '\n';
			if (i + 1 < b && s[i + 1] == '\n')
				i++;
		} else {
			*d++ = s[i];
		}
	}
	*d = 0;
	*out = copy;
	return 0;
}

/* The member key of obj as text (absent, null or empty: *out NULL; "PATH: required" if required). */
static int get_text(json_t *obj, const char *prefix, const char *key, int required, enum textkind kind, size_t max,
		    char **out, struct kerr *err)
{
	char path[96];
	json_t *v = json_object_get(obj, key);
	int rc;

	*out = NULL;
	join(path, sizeof(path), prefix, key);
	if (v && !json_is_null(v) && (rc = text_value(v, path, kind, max, out, err)))
		return rc;
	if (!*out && required)
		return kerr_set(err, KE_INVALID, "%s: required%s", path, v && json_is_string(v) ? " (it is empty)" : "");
	return 0;
}

/* Set key in o to a new string s (taking nothing); skipped when s is NULL. */
static int put_str(json_t *o, const char *key, const char *s, struct kerr *err)
{
	if (!s)
		return 0;
	if (json_object_set_new(o, key, json_string(s)) < 0)
		return nomem(err);
	return 0;
}

/* Set key in o to v, taking the reference (also on failure: jansson drops it). */
static int put_new(json_t *o, const char *key, json_t *v, struct kerr *err)
{
	if (!v || json_object_set_new(o, key, v) < 0)
		return nomem(err);
	return 0;
}

/* The same for *v, which is NULL afterwards (skipped when already NULL). */
static int put_take(json_t *o, const char *key, json_t **v, struct kerr *err)
{
	json_t *t = *v;

	*v = NULL;
	return t ? put_new(o, key, t, err) : 0;
}

/*
 * A time member: absent or null is fine unless required; else RFC 3339
 * with an offset, not before 1990, not more than an hour after now.
 * *given is the string as given (a copy), *utc its UTC seconds.
 */
static int get_time(json_t *obj, const char *key, int required, time_t now, char **given, time_t *utc,
		    struct kerr *err)
{
	json_t *v = json_object_get(obj, key);
	struct kerr e = KERR_INIT;
	char *s;
	int rc;

	*given = NULL;
	if (!v || json_is_null(v))
		return required ? kerr_set(err, KE_INVALID, "%s: required", key) : 0;
	if (!json_is_string(v))
		return kerr_set(err, KE_INVALID, "%s: expected a time such as 2026-11-20T09:00:00+09:00", key);
	if ((rc = text_value(v, key, T_LINE, 64, &s, err)))
		return rc;
	if (!s)
		return kerr_set(err, KE_INVALID, "%s: required (it is empty)", key);
	if ((rc = kreport_time_parse(s, utc, &e))) {
		free(s);
		return kerr_set(err, rc, "%s: %s", key, e.msg);
	}
	if (*utc < TIME_MIN) {
		free(s);
		return kerr_set(err, KE_INVALID, "%s: before 1990", key);
	}
	if (*utc > now + FUTURE_SLACK) {
		char n[KTIME_LEN + 1];

		free(s);
		ktime_iso(now, n);
		return kerr_set(err, KE_INVALID, "%s: in the future (more than an hour after %s)", key, n);
	}
	*given = s;
	return 0;
}

/* "yes" / "no" / "unknown" (or 有 / 無 / 不明). */
static int get_tri(json_t *obj, const char *prefix, const char *key, int required, enum ktri *t, struct kerr *err)
{
	char path[96];
	json_t *v = json_object_get(obj, key);

	*t = KTRI_UNSET;
	join(path, sizeof(path), prefix, key);
	if (!v || json_is_null(v))
		return required ? kerr_set(err, KE_INVALID, "%s: required (\"yes\", \"no\" or \"unknown\")", path) : 0;
	if (!json_is_string(v) || (*t = ktri_parse(json_string_value(v))) == KTRI_UNSET)
		return kerr_set(err, KE_INVALID, "%s: expected \"yes\", \"no\" or \"unknown\"", path);
	return 0;
}

/* A non-negative integer below max (absent or null: *has 0). */
static int get_count(json_t *obj, const char *prefix, const char *key, long long max, int *has, long long *n,
		     struct kerr *err)
{
	char path[96];
	json_t *v = json_object_get(obj, key);

	*has = 0;
	join(path, sizeof(path), prefix, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return kerr_set(err, KE_INVALID, "%s: expected a whole number (or null)", path);
	*n = json_integer_value(v);
	if (*n < 0)
		return kerr_set(err, KE_INVALID, "%s: must not be negative", path);
	if (*n > max)
		return kerr_set(err, KE_INVALID, "%s: too large (at most %lld)", path, max);
	*has = 1;
	return 0;
}

/* An array of vocabulary codes (event or cause types) into bits. */
static int get_codes(json_t *obj, const char *key, int required, const char *what, unsigned (*parse)(const char *),
		     const char *(*code)(int), int ncodes, unsigned *bits, struct kerr *err)
{
	json_t *v = json_object_get(obj, key), *e;
	char list[300] = "";
	size_t i;

	*bits = 0;
	for (int k = 0; k < ncodes; k++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "", code(k));
	if (!v || json_is_null(v))
		return required ? kerr_set(err, KE_INVALID, "%s: required (an array of %ss: %s)", key, what, list) : 0;
	if (!json_is_array(v))
		return kerr_set(err, KE_INVALID, "%s: expected an array of %ss (%s)", key, what, list);
	json_array_foreach(v, i, e) {
		const char *s = json_is_string(e) ? json_string_value(e) : NULL;
		unsigned b;

		if (!s)
			return kerr_set(err, KE_INVALID, "%s[%zu]: expected a string (an %s code)", key, i, what);
		if (!kutf8_valid(s, json_string_length(e)))
			return kerr_set(err, KE_PARSE, "%s[%zu]: not valid UTF-8", key, i);
		if (!(b = parse(s)))
			return kerr_set(err, KE_INVALID, "%s[%zu]: unknown %s \"%.*s\" (one of: %s)", key, i, what,
					kutf8_cut(s, 64), s, list);
		if (*bits & b)
			return kerr_set(err, KE_INVALID, "%s[%zu]: \"%.*s\" is given twice", key, i, kutf8_cut(s, 64), s);
		*bits |= b;
	}
	if (required && !*bits)
		return kerr_set(err, KE_INVALID, "%s: at least one %s is needed (%s)", key, what, list);
	return 0;
}

static json_t *codes_json(unsigned bits, const char *(*code)(int), int ncodes)
{
	json_t *a = json_array();

	for (int k = 0; a && k < ncodes; k++)
		if ((bits & (1u << k)) && json_array_append_new(a, json_string(code(k))) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* impact {scope, users_affected, duration_minutes} at path into *out (NULL when absent or empty). */
static int get_impact(json_t *obj, json_t **out, struct kerr *err)
{
	json_t *v = json_object_get(obj, "impact"), *o = NULL;
	struct kimpact im = { 0 };
	int rc;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return kerr_set(err, KE_INVALID, "impact: expected an object with scope, users_affected, "
				"duration_minutes");
	if ((rc = known_members(v, "impact", impact_members, err)) ||
	    (rc = get_text(v, "impact", "scope", 0, T_LONG, TEXT_MAX, &im.scope, err)) ||
	    (rc = get_count(v, "impact", "users_affected", USERS_MAX, &im.has_users, &im.users_affected, err)) ||
	    (rc = get_count(v, "impact", "duration_minutes", DURATION_MAX, &im.has_duration, &im.duration_minutes,
			    err)))
		goto out;
	if (!im.scope && !im.has_users && !im.has_duration)
		goto out;
	if (!(o = json_object()) || (rc = put_str(o, "scope", im.scope, err)) ||
	    (im.has_users && (rc = put_new(o, "users_affected", json_integer(im.users_affected), err))) ||
	    (im.has_duration && (rc = put_new(o, "duration_minutes", json_integer(im.duration_minutes), err)))) {
		rc = rc ? rc : nomem(err);
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	free(im.scope);
	return rc;
}

/* spread {status, sectors} into *out (NULL when absent). */
static int get_spread(json_t *obj, json_t **out, struct kerr *err)
{
	json_t *v = json_object_get(obj, "spread"), *secs, *e, *o = NULL, *a = NULL;
	const char *seen[KSECTOR_N];
	size_t nseen = 0, i;
	enum ktri st;
	int rc;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return kerr_set(err, KE_INVALID, "spread: expected an object with status and sectors");
	if ((rc = known_members(v, "spread", spread_members, err)) ||
	    (rc = get_tri(v, "spread", "status", 1, &st, err)))
		return rc;
	secs = json_object_get(v, "sectors");
	if (secs && !json_is_null(secs)) {
		if (!json_is_array(secs))
			return kerr_set(err, KE_INVALID, "spread.sectors: expected an array of sectors");
		if (json_array_size(secs) && st == KTRI_NO)
			return kerr_set(err, KE_INVALID, "spread.sectors: given while spread.status is \"no\"");
		if (!(a = json_array()))
			return nomem(err);
		json_array_foreach(secs, i, e) {
			const char *s = json_is_string(e) ? json_string_value(e) : NULL, *tag;

			if (!s) {
				rc = kerr_set(err, KE_INVALID, "spread.sectors[%zu]: expected a string (a sector)", i);
				goto out;
			}
			if (!kutf8_valid(s, json_string_length(e))) {
				rc = kerr_set(err, KE_PARSE, "spread.sectors[%zu]: not valid UTF-8", i);
				goto out;
			}
			if (!(tag = ksector_parse(s))) {
				rc = kerr_set(err, KE_INVALID, "spread.sectors[%zu]: unknown sector \"%.*s\" (one of the 15 "
					      "sectors, by Japanese name or tag: 情報通信 or telecom, ...)", i,
					      kutf8_cut(s, 64), s);
				goto out;
			}
			for (size_t k = 0; k < nseen; k++)
				if (seen[k] == tag) {
					rc = kerr_set(err, KE_INVALID, "spread.sectors[%zu]: \"%.*s\" is given twice", i,
						      kutf8_cut(s, 64), s);
					goto out;
				}
			seen[nseen++] = tag;
			if (json_array_append_new(a, json_string(ksector_label_ja(tag))) < 0) {
				rc = nomem(err);
				goto out;
			}
		}
	}
	if (!(o = json_object()) || (rc = put_str(o, "status", ktri_name(st), err))) {
		rc = rc ? rc : nomem(err);
		goto out;
	}
	if (a && json_array_size(a) && (rc = put_take(o, "sectors", &a, err)))
		goto out;
	*out = o;
	o = NULL;
out:
	json_decref(a);
	json_decref(o);
	return rc;
}

/* A phone number: digits, spaces, "+" first, "-", "(", ")"; 6..20 digits. */
static int phone_check(const char *s, struct kerr *err)
{
	int nd = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			nd++;
		else if (*p == '+' && p != s)
			return kerr_set(err, KE_INVALID, "contact.phone: \"+\" only at the start");
		else if (!strchr("+ -()", *p))
			return kerr_set(err, KE_INVALID, "contact.phone: only digits, spaces, +, -, ( and ) "
					"(e.g. 03-1234-5678 or +81 3 1234 5678)");
	}
	if (nd < 6 || nd > 20)
		return kerr_set(err, KE_INVALID, "contact.phone: %d digits; a phone number has 6 to 20", nd);
	return 0;
}

static int get_contact(json_t *obj, json_t **out, struct kerr *err)
{
	json_t *v = json_object_get(obj, "contact"), *o = NULL;
	char *name = NULL, *phone = NULL, *email = NULL;
	int rc;

	*out = NULL;
	if (!v || json_is_null(v))
		return kerr_set(err, KE_INVALID, "contact: required (an object with name, phone, email)");
	if (!json_is_object(v))
		return kerr_set(err, KE_INVALID, "contact: expected an object with name, phone, email");
	if ((rc = known_members(v, "contact", contact_members, err)) ||
	    (rc = get_text(v, "contact", "name", 1, T_LINE, NAME_MAX_CHARS, &name, err)) ||
	    (rc = get_text(v, "contact", "phone", 0, T_LINE, PHONE_MAX, &phone, err)) ||
	    (phone && (rc = phone_check(phone, err))) ||
	    (rc = get_text(v, "contact", "email", 0, T_LINE, EMAIL_MAX_BYTES, &email, err)))
		goto out;
	if (email) {
		struct kerr e = KERR_INIT;

		if (strlen(email) > EMAIL_MAX_BYTES) {
			rc = kerr_set(err, KE_INVALID, "contact.email: longer than %d bytes", EMAIL_MAX_BYTES);
			goto out;
		}
		if ((rc = kemail_check(email, &e))) {
			rc = kerr_set(err, KE_INVALID, "contact.email: %s", e.msg);
			goto out;
		}
	}
	if (!phone && !email) {
		rc = kerr_set(err, KE_INVALID, "contact.phone: a phone number or an e-mail address is needed");
		goto out;
	}
	if (!(o = json_object()) || (rc = put_str(o, "name", name, err)) || (rc = put_str(o, "phone", phone, err)) ||
	    (rc = put_str(o, "email", email, err))) {
		rc = rc ? rc : nomem(err);
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	free(name);
	free(phone);
	free(email);
	return rc;
}

/* The TLP level: one of the five, any case, "TLP:" allowed; *out the lower-case level. */
static int get_tlp(json_t *obj, const char **out, struct kerr *err)
{
	static const char *const levels[] = { "clear", "green", "amber", "amber+strict", "red" };
	json_t *v = json_object_get(obj, "tlp");
	const char *s;
	char low[24];
	size_t n;

	if (!v || json_is_null(v))
		return kerr_set(err, KE_INVALID, "tlp: required (clear, green, amber, amber+strict or red)");
	if (!json_is_string(v))
		return kerr_set(err, KE_INVALID, "tlp: expected a string (clear, green, amber, amber+strict or red)");
	s = json_string_value(v);
	if (!strncasecmp(s, "TLP:", 4))
		s += 4;
	n = strlen(s);
	if (n < sizeof(low)) {
		for (size_t i = 0; i <= n; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
		for (size_t i = 0; i < 5; i++)
			if (!strcmp(low, levels[i])) {
				*out = levels[i];
				return 0;
			}
		if (!strcmp(low, "white"))
			return kerr_set(err, KE_INVALID, "tlp: TLP 2.0 calls white \"clear\"");
	}
	return kerr_set(err, KE_INVALID, "tlp: expected clear, green, amber, amber+strict or red (TLP 2.0)");
}

static int size_check(json_t *in, struct kerr *err)
{
	size_t n = json_dumpb(in, NULL, 0, JSON_COMPACT);

	if (n > REPORT_MAX_BYTES)
		return kerr_set(err, KE_INVALID, "report: too large (%zu bytes as JSON; at most %d)", n,
				REPORT_MAX_BYTES);
	return 0;
}

static int kstrdup_to(char **dst, const char *s)
{
	char *c = NULL;

	if (s && !(c = strdup(s)))
		return KE_NOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

int kreport_first_check(json_t *in, const struct kreader *r, time_t now, struct kincident *inc, struct kerr *err)
{
	struct kincident n = { 0 };
	char *title = NULL, *org = NULL, *desc = NULL, *actions = NULL, *occurred = NULL, *detected = NULL;
	json_t *out = NULL, *contact = NULL, *impact = NULL, *spread = NULL, *v;
	const char *tag = NULL, *tlp = NULL;
	time_t occ_utc = 0, det_utc = 0;
	enum ktri svc;
	char utc[KTIME_LEN + 1];
	int rc, centre;

	kincident_free(inc);
	if (!r)
		r = &kreader_anonymous;
	/* who files, for which organisation */
	centre = r->kind == KREADER_LOCAL || (r->kind == KREADER_USER && (r->caps & KCAP_CASE_EDIT));
	if (!centre && !(r->kind == KREADER_USER && (r->caps & KCAP_REPORT_FILE)))
		return kerr_set(err, KE_DENIED, "%s may not file incident reports",
				r->kind != KREADER_USER ? "an anonymous reader"
				: r->role == KROLE_LIAISON ? "a liaison"
				: r->role == KROLE_ADMIN ? "an admin" : "this user");
	if (!centre && (!r->org || !*r->org))
		return kerr_set(err, KE_DENIED, "a reporter without an organisation may not file incident reports");
	if (!json_is_object(in))
		return kerr_set(err, KE_PARSE, "report: expected a JSON object");
	if ((rc = size_check(in, err)) || (rc = known_members(in, "", first_members, err)))
		return rc;
	if ((v = json_object_get(in, "kind")) && !json_is_null(v) &&
	    !(json_is_string(v) && kreport_kind_parse(json_string_value(v)) == KREPORT_FIRST))
		return kerr_set(err, KE_INVALID, "kind: a first report is of kind \"first\" (follow-ups go to the "
				"incident's updates)");

	if ((rc = get_text(in, "", "title", 1, T_LINE, TITLE_MAX, &title, err)))
		goto out;
	if ((rc = get_text(in, "", "organization", 0, T_LINE, NAME_MAX_CHARS, &org, err)))
		goto out;
	if (centre) {
		struct kerr e = KERR_INIT;

		if (!org) {
			rc = kerr_set(err, KE_INVALID, "organization: required (the organisation you file for)");
			goto out;
		}
		if ((rc = korg_name_check(org, &e))) {
			rc = kerr_set(err, KE_INVALID, "organization: %s", e.msg);
			goto out;
		}
	} else {
		if (org && strcmp(org, r->org)) {
			rc = kerr_set(err, KE_INVALID, "organization: a reporter files for their own organisation (%.*s)",
				      kutf8_cut(r->org, 200), r->org);
			goto out;
		}
		if ((rc = kstrdup_to(&org, r->org)) < 0) {
			rc = nomem(err);
			goto out;
		}
	}
	v = json_object_get(in, "sector");
	if (!v || json_is_null(v)) {
		rc = kerr_set(err, KE_INVALID, "sector: required (one of the 15 sectors: 情報通信, 金融, 航空, 空港, "
			      "鉄道, 電力, ガス, 政府・行政サービス, 医療, 水道, 物流, 化学, クレジット, 石油, 港湾)");
		goto out;
	}
	if (!json_is_string(v)) {
		rc = kerr_set(err, KE_INVALID, "sector: expected a string (a sector by Japanese name or tag)");
		goto out;
	}
	if (!(tag = ksector_parse(json_string_value(v)))) {
		const char *s = json_string_value(v);

		rc = kerr_set(err, KE_INVALID, "sector: unknown sector \"%.*s\" (one of: 情報通信, 金融, 航空, 空港, "
			      "鉄道, 電力, ガス, 政府・行政サービス, 医療, 水道, 物流, 化学, クレジット, 石油, 港湾, "
			      "or its tag)", kutf8_valid(s, strlen(s)) ? kutf8_cut(s, 64) : 0, s);
		goto out;
	}
	if (!centre && r->nsectors) {
		size_t i;

		for (i = 0; i < r->nsectors && i < KREADER_MAX_SECTORS; i++)
			if (r->sectors[i] && !strcmp(r->sectors[i], tag))
				break;
		if (i == r->nsectors || i == KREADER_MAX_SECTORS) {
			rc = kerr_set(err, KE_INVALID, "sector: %s is not a sector of %.*s", ksector_label_ja(tag),
				      kutf8_cut(r->org, 200), r->org);
			goto out;
		}
	}
	if ((rc = get_contact(in, &contact, err)))
		goto out;
	if ((rc = get_time(in, "occurred_at", 0, now, &occurred, &occ_utc, err)) ||
	    (rc = get_time(in, "detected_at", 1, now, &detected, &det_utc, err)))
		goto out;
	if (occurred && det_utc < occ_utc) {
		rc = kerr_set(err, KE_INVALID, "detected_at: before occurred_at (detection cannot come before the "
			      "incident began)");
		goto out;
	}
	if ((rc = get_codes(in, "event_types", 1, "event type", kevent_type_parse, kevent_type_code, KEVT_N,
			    &n.event_types, err)) ||
	    (rc = get_codes(in, "cause_types", 0, "cause type", kcause_type_parse, kcause_type_code, KCAUSE_N,
			    &n.cause_types, err)) ||
	    (rc = get_tri(in, "", "service_affected", 1, &svc, err)) || (rc = get_impact(in, &impact, err)) ||
	    (rc = get_spread(in, &spread, err)) ||
	    (rc = get_text(in, "", "description", 1, T_LONG, TEXT_MAX, &desc, err)) ||
	    (rc = get_text(in, "", "actions", 0, T_LONG, TEXT_MAX, &actions, err)))
		goto out;
	v = json_object_get(in, "announcement_planned");
	if (v && !json_is_null(v) && !json_is_boolean(v)) {
		rc = kerr_set(err, KE_INVALID, "announcement_planned: expected true or false");
		goto out;
	}
	if ((rc = get_tlp(in, &tlp, err)))
		goto out;

	/* the normalised report, in the order of the spec */
	rc = KE_NOMEM;
	if (!(out = json_object()) || put_str(out, "title", title, err) || put_str(out, "organization", org, err) ||
	    put_str(out, "sector", ksector_label_ja(tag), err) || put_take(out, "contact", &contact, err))
		goto nomem;
	if (put_str(out, "occurred_at", occurred, err) || put_str(out, "detected_at", detected, err) ||
	    put_new(out, "event_types", codes_json(n.event_types, kevent_type_code, KEVT_N), err) ||
	    (n.cause_types &&
	     put_new(out, "cause_types", codes_json(n.cause_types, kcause_type_code, KCAUSE_N), err)) ||
	    put_str(out, "service_affected", ktri_name(svc), err))
		goto nomem;
	if (put_take(out, "impact", &impact, err) || put_take(out, "spread", &spread, err))
		goto nomem;
	if (put_str(out, "description", desc, err) || put_str(out, "actions", actions, err) ||
	    (v && json_is_boolean(v) && put_new(out, "announcement_planned", json_boolean(json_is_true(v)), err)) ||
	    put_str(out, "tlp", tlp, err))
		goto nomem;

	/* the incident */
	ktime_iso(det_utc, utc);
	n.status = KINC_RECEIVED;
	n.service_affected = svc;
	n.org_id = centre ? 0 : r->org_id;
	n.title = title;
	title = NULL;
	n.org = org;
	org = NULL;
	n.occurred_at = occurred;
	occurred = NULL;
	n.detected_at = detected;
	detected = NULL;
	if (kstrdup_to(&n.sector, tag) || kstrdup_to(&n.tlp, tlp) || kstrdup_to(&n.detected_utc, utc))
		goto nomem;
	n.first = out;
	out = NULL;
	*inc = n;
	memset(&n, 0, sizeof(n));
	rc = 0;
	goto out;
nomem:
	rc = nomem(err);
out:
	kincident_free(&n);
	json_decref(out);
	json_decref(contact);
	json_decref(impact);
	json_decref(spread);
	free(title);
	free(org);
	free(desc);
	free(actions);
	free(occurred);
	free(detected);
	return rc;
}

/* The incident's detection in UTC seconds, or 0 if it cannot be told. */
static time_t detection_of(const struct kincident *inc)
{
	time_t t;

	if (inc->detected_utc && ktime_parse(inc->detected_utc, &t) == 0)
		return t;
	if (inc->detected_at && kreport_time_parse(inc->detected_at, &t, NULL) == 0)
		return t;
	return 0;
}

int kreport_update_check(json_t *in, struct kincident *inc, time_t now, json_t **out, struct kerr *err)
{
	static const char *const texts[] = { "text", "cause", "response", "countermeasures" };
	char *t[4] = { NULL, NULL, NULL, NULL }, *at = NULL;
	json_t *o = NULL, *impact = NULL, *v;
	unsigned ev = 0, cause = 0;
	enum ktri svc = KTRI_UNSET;
	time_t at_utc, det;
	int rc, kind;

	*out = NULL;
	if (!inc)
		return kerr_set(err, KE_NOTFOUND, "no such incident");
	if (!json_is_object(in))
		return kerr_set(err, KE_PARSE, "report: expected a JSON object");
	if ((rc = size_check(in, err)) || (rc = known_members(in, "", update_members, err)))
		return rc;
	v = json_object_get(in, "kind");
	if (!v || json_is_null(v))
		return kerr_set(err, KE_INVALID, "kind: required (\"followup\" or \"final\")");
	kind = json_is_string(v) ? kreport_kind_parse(json_string_value(v)) : -1;
	if (kind != KREPORT_FOLLOWUP && kind != KREPORT_FINAL)
		return kerr_set(err, KE_INVALID, "kind: expected \"followup\" or \"final\"%s",
				kind == KREPORT_FIRST ? " (the incident already has its first report)" : "");
	if ((rc = get_time(in, "at", 1, now, &at, &at_utc, err)))
		goto out;
	det = detection_of(inc);
	if (det && at_utc < det) {
		rc = kerr_set(err, KE_INVALID, "at: before the incident was detected (%s)",
			      inc->detected_at ? inc->detected_at : inc->detected_utc);
		goto out;
	}
	for (int i = 0; i < 4; i++)
		if ((rc = get_text(in, "", texts[i], 0, T_LONG, TEXT_MAX, &t[i], err)))
			goto out;
	if ((rc = get_impact(in, &impact, err)) ||
	    (rc = get_codes(in, "event_types", 0, "event type", kevent_type_parse, kevent_type_code, KEVT_N, &ev,
			    err)) ||
	    (rc = get_codes(in, "cause_types", 0, "cause type", kcause_type_parse, kcause_type_code, KCAUSE_N,
			    &cause, err)) ||
	    (rc = get_tri(in, "", "service_affected", 0, &svc, err)))
		goto out;
	if (kind == KREPORT_FINAL && !t[1]) {
		rc = kerr_set(err, KE_INVALID, "cause: a final report must give the cause");
		goto out;
	}
	if (kind == KREPORT_FINAL && !t[3]) {
		rc = kerr_set(err, KE_INVALID, "countermeasures: a final report must give the countermeasures");
		goto out;
	}
	if (!t[0] && !t[1] && !t[2] && !t[3] && !impact && !ev && !cause && svc == KTRI_UNSET) {
		rc = kerr_set(err, KE_INVALID, "text: required (or at least one of cause, response, countermeasures, "
			      "impact, event_types, cause_types, service_affected)");
		goto out;
	}
	if (!(o = json_object()) || put_str(o, "kind", kreport_kind_name((enum kreport_kind)kind), err) ||
	    put_str(o, "at", at, err))
		goto nomem;
	for (int i = 0; i < 4; i++)
		if (put_str(o, texts[i], t[i], err))
			goto nomem;
	if (put_take(o, "impact", &impact, err))
		goto nomem;
	if ((ev && put_new(o, "event_types", codes_json(ev, kevent_type_code, KEVT_N), err)) ||
	    (cause && put_new(o, "cause_types", codes_json(cause, kcause_type_code, KCAUSE_N), err)) ||
	    put_str(o, "service_affected", ktri_name(svc), err))
		goto nomem;
	/* all is well: merge into the incident */
	inc->event_types |= ev;
	if (cause) {
		inc->cause_types |= cause;
		if (inc->cause_types & ~(unsigned)KCAUSE_UNKNOWN)
			inc->cause_types &= ~(unsigned)KCAUSE_UNKNOWN;
	}
	if (svc != KTRI_UNSET)
		inc->service_affected = svc;
	*out = o;
	o = NULL;
	rc = 0;
	goto out;
nomem:
	rc = nomem(err);
out:
	json_decref(o);
	json_decref(impact);
	for (int i = 0; i < 4; i++)
		free(t[i]);
	free(at);
	return rc;
}
