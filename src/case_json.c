/*
 * case_json.c - the interchange JSON of a case, and a streaming reader of
 * case files.
 */
#include "case_json.h"
#include "account.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- JSON -> case ------------------------------------------------------ */

static int get_str(json_t *obj, const char *key, char **dst, const char *path,
		   int required, struct kerr *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		if (required)
			return kerr_set(err, KE_INVALID, "%s%s: missing (a string is required)", path, key);
		return 0;
	}
	if (!json_is_string(v))
		return kerr_set(err, KE_INVALID, "%s%s: expected string%s", path, key,
				required ? "" : " or null");
	if (kstr_setn(dst, json_string_value(v), json_string_length(v)) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (strlen(*dst) != json_string_length(v))
		return kerr_set(err, KE_INVALID, "%s%s: contains a NUL character", path, key);
	return 0;
}

static int get_int(json_t *obj, const char *key, int *has, int *dst, const char *path,
		   struct kerr *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	*has = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return kerr_set(err, KE_INVALID, "%s%s: expected integer or null", path, key);
	n = json_integer_value(v);
	if (n < -1000000000 || n > 1000000000)
		return kerr_set(err, KE_INVALID, "%s%s: %lld is out of range", path, key, (long long)n);
	*has = 1;
	*dst = (int)n;
	return 0;
}

static int get_strv(json_t *obj, const char *key, struct kstrv *sv, const char *path,
		    struct kerr *err)
{
	json_t *v = json_object_get(obj, key), *s;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) { /* be lenient: one string is a one-item list */
		if (strlen(json_string_value(v)) != json_string_length(v))
			return kerr_set(err, KE_INVALID, "%s%s: contains a NUL character", path, key);
		return kstrv_push(sv, json_string_value(v)) < 0 ? kerr_set(err, KE_NOMEM, "out of memory") : 0;
	}
	if (!json_is_array(v))
		return kerr_set(err, KE_INVALID, "%s%s: expected array of strings", path, key);
	json_array_foreach(v, i, s) {
		if (!json_is_string(s))
			return kerr_set(err, KE_INVALID, "%s%s[%zu]: expected string", path, key, i);
		if (strlen(json_string_value(s)) != json_string_length(s))
			return kerr_set(err, KE_INVALID, "%s%s[%zu]: contains a NUL character", path, key, i);
		if (kstrv_push(sv, json_string_value(s)) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

/* Copy the members of obj not named in known[] into *extra. */
static int keep_extra(json_t *obj, const char *const *known, json_t **extra)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		int k = 0;

		for (const char *const *p = known; *p; p++)
			if (!strcmp(*p, key))
				k = 1;
		if (k)
			continue;
		if (!*extra && !(*extra = json_object()))
			return KE_NOMEM;
		if (json_object_set(*extra, key, v) < 0)
			return KE_NOMEM;
	}
	return 0;
}

static int get_obj(json_t *obj, const char *key, json_t **out, const char *path, struct kerr *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return kerr_set(err, KE_INVALID, "%s%s: expected object", path, key);
	*out = v;
	return 0;
}

static const char *const case_keys[] = { "id", "title", "title_derived", "source", "category", "summary",
	"key_lessons", "attributes", "sections", "timeline", "tags", "tlp", "owner", "recipients", NULL };
static const char *const source_keys[] = { "document", "publisher", "year", "case_number",
	"page_marker", "title", "url", "published", "page", NULL };
static const char *const attr_keys[] = { "organization", "factors", "reader_level", NULL };
/*
 * One name per sector: a sector given by its Japanese name (電力) is kept as
 * its tag (electricity), as the classifier writes it and organisations
 * store it (account.h), so that facets count one bucket and the TLP rule
 * "liaisons of the case's sectors" compares like with like.  Other values
 * are kept as given; a sector named twice is kept once.
 */
static int canon_sectors(struct kstrv *v)
{
	size_t out = 0;

	for (size_t i = 0; i < v->n; i++) {
		const char *tag = ksector_parse(v->v[i]);
		int dup = 0;

		if (tag && strcmp(tag, v->v[i])) {
			char *copy = strdup(tag);

			if (!copy)
				return KE_NOMEM;
			free(v->v[i]);
			v->v[i] = copy;
		}
		for (size_t j = 0; j < out && !dup; j++)
			dup = !strcmp(v->v[j], v->v[i]);
		if (dup)
			free(v->v[i]);
		else
			v->v[out++] = v->v[i];
	}
	v->n = out;
	return 0;
}

static const char *const tag_keys[] = { "event_class", "threats", "sectors", NULL };
static const char *const event_keys[] = { "day", "when", "actor", "text", NULL };

static int read_sections(struct kcase *c, json_t *o, struct kerr *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		int sec = ksection_from_key(key);

		if (sec < 0) {
			if (!c->sections_extra && !(c->sections_extra = json_object()))
				return kerr_set(err, KE_NOMEM, "out of memory");
			if (json_object_set(c->sections_extra, key, v) < 0)
				return kerr_set(err, KE_NOMEM, "out of memory");
			continue;
		}
		if (json_is_null(v))
			continue;
		if (json_is_array(v)) { /* tolerate a list of paragraphs */
			struct kbuf b = KBUF_INIT;
			json_t *s;
			size_t i;

			json_array_foreach(v, i, s) {
				if (!json_is_string(s)) {
					kbuf_release(&b);
					return kerr_set(err, KE_INVALID, "sections.%s[%zu]: expected string", key, i);
				}
				if (strlen(json_string_value(s)) != json_string_length(s)) {
					kbuf_release(&b);
					return kerr_set(err, KE_INVALID, "sections.%s[%zu]: contains a NUL character",
							key, i);
				}
				if ((i && kbuf_addch(&b, '\n') < 0) || kbuf_adds(&b, json_string_value(s)) < 0) {
					kbuf_release(&b);
					return kerr_set(err, KE_NOMEM, "out of memory");
				}
			}
			free(c->sections[sec]);
			if (!(c->sections[sec] = kbuf_detach(&b, NULL)))
				return kerr_set(err, KE_NOMEM, "out of memory");
			continue;
		}
		if (!json_is_string(v))
			return kerr_set(err, KE_INVALID, "sections.%s: expected string", key);
		if (strlen(json_string_value(v)) != json_string_length(v))
			return kerr_set(err, KE_INVALID, "sections.%s: contains a NUL character", key);
		if (kstr_set(&c->sections[sec], json_string_value(v)) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

static int read_timeline(struct kcase *c, json_t *arr, struct kerr *err)
{
	json_t *e;
	size_t i;
	char path[48];

	if (!json_is_array(arr))
		return kerr_set(err, KE_INVALID, "timeline: expected array of events");
	json_array_foreach(arr, i, e) {
		char *when = NULL, *actor = NULL, *text = NULL;
		int has_day = 0, day = 0, rc;

		snprintf(path, sizeof(path), "timeline[%zu].", i);
		if (!json_is_object(e))
			return kerr_set(err, KE_INVALID, "timeline[%zu]: expected object", i);
		rc = get_int(e, "day", &has_day, &day, path, err);
		if (!rc)
			rc = get_str(e, "when", &when, path, 0, err);
		if (!rc)
			rc = get_str(e, "actor", &actor, path, 0, err);
		if (!rc)
			rc = get_str(e, "text", &text, path, 1, err);
		if (!rc && kcase_add_event(c, has_day, day, when, actor, text) < 0)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
		free(when);
		free(actor);
		free(text);
		if (rc)
			return rc;
		if (keep_extra(e, event_keys, &c->timeline[c->ntimeline - 1].extra) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

/* recipients: an array of strings (kcase_validate() checks they are logins). */
static int read_recipients(struct kcase *c, json_t *obj, struct kerr *err)
{
	json_t *v = json_object_get(obj, "recipients"), *s;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return kerr_set(err, KE_INVALID, "recipients: expected an array of login names");
	if (json_array_size(v) > KCASE_RECIPIENTS_MAX)
		return kerr_set(err, KE_INVALID, "recipients: %zu logins, more than the %d allowed",
				json_array_size(v), KCASE_RECIPIENTS_MAX);
	json_array_foreach(v, i, s) {
		if (!json_is_string(s))
			return kerr_set(err, KE_INVALID, "recipients[%zu]: expected a login name (a string)", i);
		if (strlen(json_string_value(s)) != json_string_length(s))
			return kerr_set(err, KE_INVALID, "recipients[%zu]: contains a NUL character", i);
		if (kstrv_push(&c->recipients, json_string_value(s)) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

int kcase_from_json(struct kcase *c, json_t *obj, struct kerr *err)
{
	json_t *o, *v;
	int rc;

	if (!json_is_object(obj))
		return kerr_set(err, KE_INVALID, "expected a case object");
	v = json_object_get(obj, "id");
	if (v && json_is_integer(v)) /* accept numeric ids, as strings */ {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
		if (kstr_set(&c->id, tmp) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	} else if ((rc = get_str(obj, "id", &c->id, "", 1, err)))
		return rc;
	if ((rc = get_str(obj, "title", &c->title, "", 1, err)) ||
	    (rc = get_str(obj, "category", &c->category, "", 0, err)) ||
	    (rc = get_strv(obj, "summary", &c->summary, "", err)) ||
	    (rc = get_strv(obj, "key_lessons", &c->key_lessons, "", err)) ||
	    (rc = get_str(obj, "tlp", &c->tlp, "", 0, err)) ||
	    (rc = get_str(obj, "owner", &c->owner, "", 0, err)) ||
	    (rc = read_recipients(c, obj, err)))
		return rc;
	v = json_object_get(obj, "title_derived");
	if (v && !json_is_null(v) && !json_is_boolean(v))
		return kerr_set(err, KE_INVALID, "title_derived: expected true or false");
	c->title_derived = json_is_true(v);
	if ((rc = get_obj(obj, "source", &o, "", err)))
		return rc;
	if (o && ((rc = get_str(o, "document", &c->source.document, "source.", 0, err)) ||
		  (rc = get_str(o, "publisher", &c->source.publisher, "source.", 0, err)) ||
		  (rc = get_int(o, "year", &c->source.has_year, &c->source.year, "source.", err)) ||
		  (rc = get_int(o, "case_number", &c->source.has_case_number, &c->source.case_number,
				"source.", err)) ||
		  (rc = get_str(o, "page_marker", &c->source.page_marker, "source.", 0, err)) ||
		  (rc = get_str(o, "title", &c->source.doc_title, "source.", 0, err)) ||
		  (rc = get_str(o, "url", &c->source.url, "source.", 0, err)) ||
		  (rc = get_str(o, "published", &c->source.published, "source.", 0, err)) ||
		  (rc = get_int(o, "page", &c->source.has_page, &c->source.page, "source.", err)) ||
		  (rc = keep_extra(o, source_keys, &c->source.extra))))
		return rc == KE_NOMEM ? kerr_set(err, rc, "out of memory") : rc;
	if ((rc = get_obj(obj, "attributes", &o, "", err)))
		return rc;
	if (o && ((rc = get_str(o, "organization", &c->attributes.organization, "attributes.", 0, err)) ||
		  (rc = get_str(o, "factors", &c->attributes.factors, "attributes.", 0, err)) ||
		  (rc = get_str(o, "reader_level", &c->attributes.reader_level, "attributes.", 0, err)) ||
		  (rc = keep_extra(o, attr_keys, &c->attributes.extra))))
		return rc == KE_NOMEM ? kerr_set(err, rc, "out of memory") : rc;
	if ((rc = get_obj(obj, "tags", &o, "", err)))
		return rc;
	if (o && ((rc = get_str(o, "event_class", &c->tags.event_class, "tags.", 0, err)) ||
		  (rc = get_strv(o, "threats", &c->tags.threats, "tags.", err)) ||
		  (rc = get_strv(o, "sectors", &c->tags.sectors, "tags.", err)) ||
		  (rc = keep_extra(o, tag_keys, &c->tags.extra))))
		return rc == KE_NOMEM ? kerr_set(err, rc, "out of memory") : rc;
	if (canon_sectors(&c->tags.sectors) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = get_obj(obj, "sections", &o, "", err)))
		return rc;
	if (o && (rc = read_sections(c, o, err)))
		return rc;
	v = json_object_get(obj, "timeline");
	if (v && !json_is_null(v) && (rc = read_timeline(c, v, err)))
		return rc;
	if (keep_extra(obj, case_keys, &c->extra) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return 0;
}

/* ---- the key lessons and sections, read in place ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the string that starts at p ('"'), or NULL; *esc: it has an escape. */
static const char *skip_string(const char *p, const char *end, int *esc)
{
	*esc = 0;
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			*esc = 1;
			if (++p >= end)
				return NULL;
		}
	}
	return NULL;
}

/* The end of the value that starts at p, or NULL (the parser proper judges it: only its extent here). */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0, esc;

	do {
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == '"') {
			if (!(p = skip_string(p, end, &esc)))
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			if (!depth--)
				return NULL;
			p++;
		} else if (*p == ',' || *p == ':') {
			if (!depth)
				return NULL;
			p++;
		} else {
			const char *q = p;

			while (p < end && !strchr(",:}] \t\n\r\"{[", *p))
				p++;
			if (p == q)
				return NULL;
		}
	} while (depth > 0 && p < end);
	return depth ? NULL : p;
}

/* The string at [p, e) decoded into *dst (replacing it): 1, 0 not a plain string, KE_NOMEM. */
static int take_string(const char *p, const char *e, char **dst)
{
	struct kbuf b = KBUF_INIT;
	int esc;

	if (p >= e || *p != '"' || skip_string(p, e, &esc) != e)
		return 0;
	p++;
	e--;
	if (!esc)
		return kstr_setn(dst, p, (size_t)(e - p)) < 0 ? KE_NOMEM : 1;
	for (; p < e; p++) {
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *k;
		int rc;

		if (*p != '\\') {
			rc = kbuf_addch(&b, *p);
		} else if (*++p && (k = strchr(from, *p))) {
			rc = kbuf_addch(&b, to[k - from]);
		} else { /* \uXXXX: left to the parser proper */
			kbuf_release(&b);
			return 0;
		}
		if (rc < 0) {
			kbuf_release(&b);
			return KE_NOMEM;
		}
	}
	if (kbuf_addch(&b, 0) < 0) {
		kbuf_release(&b);
		return KE_NOMEM;
	}
	free(*dst);
	*dst = kbuf_detach(&b, NULL);
	return 1;
}

/* The members of the object at [p, e), each to cb: 1 all read, 0 not a plain object, or cb's < 0. */
static int each_member(const char *p, const char *e, int (*cb)(void *ctx, const char *key, size_t klen,
							       const char *v, const char *ve),
		       void *ctx)
{
	int rc, esc;

	p = skip_ws(p, e);
	if (p >= e || *p++ != '{')
		return 0;
	p = skip_ws(p, e);
	if (p < e && *p == '}')
		return skip_ws(p + 1, e) == e;
	for (;;) {
		const char *k = p, *ke, *v, *ve;

		if (p >= e || *p != '"' || !(ke = skip_string(p, e, &esc)) || esc)
			return 0;
		p = skip_ws(ke, e);
		if (p >= e || *p++ != ':')
			return 0;
		v = skip_ws(p, e);
		if (!(ve = skip_value(v, e)))
			return 0;
		if ((rc = cb(ctx, k + 1, (size_t)(ke - k - 2), v, ve)) <= 0)
			return rc;
		p = skip_ws(ve, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		return p < e && *p == '}' && skip_ws(p + 1, e) == e;
	}
}

/* The items of the array at [p, e), each to cb: 1 all read, 0 not a plain array, or cb's < 0. */
static int each_item(const char *p, const char *e, int (*cb)(void *ctx, const char *v, const char *ve), void *ctx)
{
	int rc;

	p = skip_ws(p, e);
	if (p >= e || *p++ != '[')
		return 0;
	p = skip_ws(p, e);
	if (p < e && *p == ']')
		return skip_ws(p + 1, e) == e;
	for (;;) {
		const char *v = p, *ve = skip_value(v, e);

		if (!ve)
			return 0;
		if ((rc = cb(ctx, v, ve)) <= 0)
			return rc;
		p = skip_ws(ve, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		return p < e && *p == ']' && skip_ws(p + 1, e) == e;
	}
}

struct texts {
	struct kcase *c;
	const char *sec, *sec_end, *kl, *kl_end;
};

static int top_member(void *ctx, const char *key, size_t klen, const char *v, const char *ve)
{
	struct texts *t = ctx;

	if (klen == 8 && !memcmp(key, "sections", 8)) {
		if (t->sec)
			return 0; /* twice: left to the parser proper */
		t->sec = v;
		t->sec_end = ve;
	} else if (klen == 11 && !memcmp(key, "key_lessons", 11)) {
		if (t->kl)
			return 0;
		t->kl = v;
		t->kl_end = ve;
	}
	return 1;
}

static int lesson_item(void *ctx, const char *v, const char *ve)
{
	struct texts *t = ctx;
	char *one = NULL;
	int rc = take_string(v, ve, &one);

	if (rc == 1 && kstrv_push(&t->c->key_lessons, one) < 0)
		rc = KE_NOMEM;
	free(one);
	return rc;
}

static int section_member(void *ctx, const char *key, size_t klen, const char *v, const char *ve)
{
	struct texts *t = ctx;
	char name[32];
	int sec;

	if (klen >= sizeof(name) || memchr(key, 0, klen))
		return 1; /* no section of ours (kept as an extra by the parser proper) */
	memcpy(name, key, klen);
	name[klen] = 0;
	if ((sec = ksection_from_key(name)) < 0)
		return 1;
	if ((size_t)(ve - v) == 4 && !memcmp(v, "null", 4)) {
		/* (a later member of the same name wins, as in the parser proper) */
		free(t->c->sections[sec]);
		t->c->sections[sec] = NULL;
		return 1;
	}
	return take_string(v, ve, &t->c->sections[sec]);
}

int kcase_texts_from_json(struct kcase *c, const char *json, size_t len)
{
	struct texts t = { c, NULL, NULL, NULL, NULL };
	struct kerr e = KERR_INIT;
	json_t *j;
	int rc;

	if (!json)
		return 0;
	if (kutf8_valid(json, len) && (rc = each_member(json, json + len, top_member, &t)) != 0) {
		if (rc < 0)
			return rc;
		if (t.kl && !((size_t)(t.kl_end - t.kl) == 4 && !memcmp(t.kl, "null", 4))) {
			/* a list of plain strings, or one */
			rc = *t.kl == '"' ? lesson_item(&t, t.kl, t.kl_end) : each_item(t.kl, t.kl_end, lesson_item, &t);
			if (rc < 0)
				return rc;
			if (!rc)
				goto whole;
		}
		if (t.sec && !((size_t)(t.sec_end - t.sec) == 4 && !memcmp(t.sec, "null", 4))) {
			if ((rc = each_member(t.sec, t.sec_end, section_member, &t)) < 0)
				return rc;
			if (!rc)
				goto whole;
		}
		return 0;
	}
whole:
	/* anything else: the whole document, as it is read elsewhere */
	kcase_free(c);
	kcase_init(c);
	j = json_loadb(json, len, 0, NULL);
	rc = j && kcase_from_json(c, j, &e) == KE_NOMEM ? KE_NOMEM : 0;
	json_decref(j);
	return rc;
}

/* ---- case -> JSON ------------------------------------------------------ */

static int set_str(json_t *o, const char *key, const char *s, int null_if_absent)
{
	if (!s)
		return null_if_absent ? json_object_set_new(o, key, json_null()) : 0;
	return json_object_set_new(o, key, json_string(s));
}

static json_t *strv_json(const struct kstrv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sv->n; i++)
		if (json_array_append_new(a, json_string(sv->v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int add_extra(json_t *o, json_t *extra)
{
	const char *key;
	json_t *v;

	if (!extra)
		return 0;
	json_object_foreach(extra, key, v)
		if (!json_object_get(o, key) && json_object_set(o, key, v) < 0)
			return -1;
	return 0;
}

json_t *kcase_to_json(const struct kcase *c)
{
	json_t *o = json_object(), *src = json_object(), *attrs = json_object(),
	       *secs = json_object(), *tl = json_array(), *tags = json_object();
	int bad = !o || !src || !attrs || !secs || !tl || !tags;

	if (bad)
		goto fail;
	bad |= set_str(o, "id", c->id, 1);
	bad |= set_str(o, "title", c->title, 1);
	/* only when set: the JSON of other cases is as before */
	if (c->title_derived)
		bad |= json_object_set_new(o, "title_derived", json_true());

	bad |= set_str(src, "document", c->source.document, 1);
	bad |= set_str(src, "publisher", c->source.publisher, 0);
	bad |= json_object_set_new(src, "year", c->source.has_year ? json_integer(c->source.year) : json_null());
	bad |= json_object_set_new(src, "case_number", c->source.has_case_number ?
				   json_integer(c->source.case_number) : json_null());
	bad |= set_str(src, "page_marker", c->source.page_marker, 0);
	bad |= set_str(src, "title", c->source.doc_title, 0);
	bad |= set_str(src, "url", c->source.url, 0);
	bad |= set_str(src, "published", c->source.published, 0);
	if (c->source.has_page)
		bad |= json_object_set_new(src, "page", json_integer(c->source.page));
	bad |= add_extra(src, c->source.extra);
	bad |= json_object_set(o, "source", src);

	bad |= set_str(o, "category", c->category, 1);
	bad |= json_object_set_new(o, "summary", strv_json(&c->summary));
	bad |= json_object_set_new(o, "key_lessons", strv_json(&c->key_lessons));

	bad |= set_str(attrs, "organization", c->attributes.organization, 0);
	bad |= set_str(attrs, "factors", c->attributes.factors, 0);
	bad |= set_str(attrs, "reader_level", c->attributes.reader_level, 0);
	bad |= add_extra(attrs, c->attributes.extra);
	bad |= json_object_set(o, "attributes", attrs);

	for (int i = 0; i < KSEC__N; i++)
		if (c->sections[i])
			bad |= set_str(secs, ksection_key(i), c->sections[i], 0);
	bad |= add_extra(secs, c->sections_extra);
	bad |= json_object_set(o, "sections", secs);

	for (size_t i = 0; i < c->ntimeline; i++) {
		const struct kevent *e = &c->timeline[i];
		json_t *ev = json_object();

		if (!ev)
			goto fail;
		bad |= json_object_set_new(ev, "day", e->has_day ? json_integer(e->day) : json_null());
		bad |= set_str(ev, "when", e->when ? e->when : "", 0);
		bad |= set_str(ev, "actor", e->actor, 1);
		bad |= set_str(ev, "text", e->text ? e->text : "", 0);
		bad |= add_extra(ev, e->extra);
		bad |= json_array_append_new(tl, ev);
	}
	bad |= json_object_set(o, "timeline", tl);

	bad |= set_str(tags, "event_class", c->tags.event_class, 0);
	bad |= json_object_set_new(tags, "threats", strv_json(&c->tags.threats));
	bad |= json_object_set_new(tags, "sectors", strv_json(&c->tags.sectors));
	bad |= add_extra(tags, c->tags.extra);
	bad |= json_object_set(o, "tags", tags);

	bad |= set_str(o, "tlp", c->tlp, 0);
	/* only when set: the JSON of a case without them is as before (no new revision) */
	bad |= set_str(o, "owner", c->owner, 0);
	if (c->recipients.n)
		bad |= json_object_set_new(o, "recipients", strv_json(&c->recipients));
	bad |= add_extra(o, c->extra);
	if (bad)
		goto fail;
	json_decref(src);
	json_decref(attrs);
	json_decref(secs);
	json_decref(tl);
	json_decref(tags);
	return o;
fail:
	json_decref(o);
	json_decref(src);
	json_decref(attrs);
	json_decref(secs);
	json_decref(tl);
	json_decref(tags);
	return NULL;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	return kbuf_add(data, buf, size) < 0 ? -1 : 0;
}

/*
 * A string as jansson's compact dump writes it (without JSON_ENSURE_ASCII
 * or JSON_ESCAPE_SLASH): '"' and '\\' escaped, the control characters
 * below 0x20 as \b \f \n \r \t or \u00XX (upper-case hex), every
 * other byte as it is (a json_t string is valid UTF-8).
 */
static int dump_str(struct kbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;
	int rc = kbuf_addch(b, '"');

	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[6] = { '\\', 0, '0', '0', 0, 0 };
		size_t k = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		rc = kbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			k = 6;
		}
		rc |= kbuf_add(b, esc, k);
	}
	rc |= kbuf_add(b, s + run, n - run);
	return rc | kbuf_addch(b, '"');
}

/*
 * j as json_dump_callback(JSON_COMPACT | JSON_PRESERVE_ORDER) writes it,
 * byte for byte, written straight into b: the dump through jansson's
 * callback was a third of the time the reader thread of a bulk add spends
 * on each case.  1: j holds a real number (its formatting is left to
 * jansson), < 0: out of memory.
 */
static int dump_json(struct kbuf *b, json_t *j)
{
	int rc = 0;

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		int first = 1;

		rc = kbuf_addch(b, '{');
		for (void *it = json_object_iter(j); it && !rc; it = json_object_iter_next(j, it)) {
			const char *key = json_object_iter_key(it);

			if (!first)
				rc = kbuf_addch(b, ',');
			first = 0;
			rc |= dump_str(b, key, strlen(key));
			rc |= kbuf_addch(b, ':');
			if (!rc)
				rc = dump_json(b, json_object_iter_value(it));
		}
		return rc ? rc : kbuf_addch(b, '}');
	}
	case JSON_ARRAY:
		rc = kbuf_addch(b, '[');
		for (size_t i = 0; i < json_array_size(j) && !rc; i++) {
			if (i)
				rc = kbuf_addch(b, ',');
			if (!rc)
				rc = dump_json(b, json_array_get(j, i));
		}
		return rc ? rc : kbuf_addch(b, ']');
	case JSON_STRING:
		return dump_str(b, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return kbuf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j)) < 0 ? -1 : 0;
	case JSON_REAL:
		return 1;
	case JSON_TRUE:
		return kbuf_adds(b, "true");
	case JSON_FALSE:
		return kbuf_adds(b, "false");
	case JSON_NULL:
		return kbuf_adds(b, "null");
	}
	return 1;
}

/*
 * kcase_dump() writes the case straight into the buffer, member by member
 * in kcase_to_json()'s order, without building the tree (that and its
 * dump were a tenth of a bulk add's instructions, on its reader thread):
 * the same bytes as json_dump_callback(kcase_to_json(c), JSON_COMPACT |
 * JSON_PRESERVE_ORDER), which the unit tests hold it to.  One object being
 * written: its members so far, for the unknown members (extra), which
 * kcase_to_json() adds only under names not yet taken.
 */
struct jobj {
	struct kbuf *b;
	int rc;            /* < 0 out of memory or a string that is not UTF-8 (json_string() refuses it),
			    * 1 a real number in an unknown member (jansson formats those) */
	int n;
	const char *keys[16];
	int nkeys;
};

static void jo_begin(struct jobj *o, struct kbuf *b, int rc)
{
	o->b = b;
	o->rc = rc;
	o->n = 0;
	o->nkeys = 0;
	if (!o->rc && kbuf_addch(b, '{') < 0)
		o->rc = KE_NOMEM;
}

/* The key of the next member. */
static void jo_key(struct jobj *o, const char *key)
{
	if (o->rc)
		return;
	if ((o->n++ && kbuf_addch(o->b, ',') < 0) || dump_str(o->b, key, strlen(key)) || kbuf_addch(o->b, ':') < 0)
		o->rc = KE_NOMEM;
	if (o->nkeys < (int)(sizeof(o->keys) / sizeof(o->keys[0])))
		o->keys[o->nkeys++] = key;
}

static void jo_str_value(struct jobj *o, const char *s)
{
	size_t n;

	if (o->rc)
		return;
	n = strlen(s);
	if (!kutf8_valid(s, n))
		o->rc = KE_INVALID;
	else if (dump_str(o->b, s, n))
		o->rc = KE_NOMEM;
}

/* key: s; absent: null, or nothing (set_str()) */
static void jo_str(struct jobj *o, const char *key, const char *s, int null_if_absent)
{
	if (!s && !null_if_absent)
		return;
	jo_key(o, key);
	if (!s) {
		if (!o->rc && kbuf_adds(o->b, "null") < 0)
			o->rc = KE_NOMEM;
		return;
	}
	jo_str_value(o, s);
}

static void jo_int(struct jobj *o, const char *key, int has, int v)
{
	jo_key(o, key);
	if (!o->rc && (has ? kbuf_addf(o->b, "%d", v) : kbuf_adds(o->b, "null")) < 0)
		o->rc = KE_NOMEM;
}

static void jo_strv(struct jobj *o, const char *key, const struct kstrv *sv)
{
	jo_key(o, key);
	if (!o->rc && kbuf_addch(o->b, '[') < 0)
		o->rc = KE_NOMEM;
	for (size_t i = 0; i < sv->n && !o->rc; i++) {
		if (i && kbuf_addch(o->b, ',') < 0)
			o->rc = KE_NOMEM;
		jo_str_value(o, sv->v[i]);
	}
	if (!o->rc && kbuf_addch(o->b, ']') < 0)
		o->rc = KE_NOMEM;
}

/* The unknown members whose names are not taken (add_extra()), then '}'; the object's rc. */
static int jo_end(struct jobj *o, json_t *extra)
{
	const char *key;
	json_t *v;

	if (extra && !o->rc)
		json_object_foreach(extra, key, v) {
			int taken = 0;

			for (int i = 0; i < o->nkeys && !taken; i++)
				taken = !strcmp(o->keys[i], key);
			if (taken)
				continue;
			jo_key(o, key);
			if (!o->rc)
				o->rc = dump_json(o->b, v);
			if (o->rc)
				break;
		}
	if (!o->rc && kbuf_addch(o->b, '}') < 0)
		o->rc = KE_NOMEM;
	return o->rc;
}

/* A nested object's rc carried into its parent. */
static void jo_take(struct jobj *parent, int rc)
{
	if (!parent->rc)
		parent->rc = rc;
}

int kcase_dump(const struct kcase *c, struct kbuf *out)
{
	struct jobj o, sub;
	size_t keep = out->len;
	json_t *j;
	int rc;

	jo_begin(&o, out, 0);
	jo_str(&o, "id", c->id, 1);
	jo_str(&o, "title", c->title, 1);
	if (c->title_derived) {
		jo_key(&o, "title_derived");
		if (!o.rc && kbuf_adds(out, "true") < 0)
			o.rc = KE_NOMEM;
	}

	jo_key(&o, "source");
	jo_begin(&sub, out, o.rc);
	jo_str(&sub, "document", c->source.document, 1);
	jo_str(&sub, "publisher", c->source.publisher, 0);
	jo_int(&sub, "year", c->source.has_year, c->source.year);
	jo_int(&sub, "case_number", c->source.has_case_number, c->source.case_number);
	jo_str(&sub, "page_marker", c->source.page_marker, 0);
	jo_str(&sub, "title", c->source.doc_title, 0);
	jo_str(&sub, "url", c->source.url, 0);
	jo_str(&sub, "published", c->source.published, 0);
	if (c->source.has_page)
		jo_int(&sub, "page", 1, c->source.page);
	jo_take(&o, jo_end(&sub, c->source.extra));

	jo_str(&o, "category", c->category, 1);
	jo_strv(&o, "summary", &c->summary);
	jo_strv(&o, "key_lessons", &c->key_lessons);

	jo_key(&o, "attributes");
	jo_begin(&sub, out, o.rc);
	jo_str(&sub, "organization", c->attributes.organization, 0);
	jo_str(&sub, "factors", c->attributes.factors, 0);
	jo_str(&sub, "reader_level", c->attributes.reader_level, 0);
	jo_take(&o, jo_end(&sub, c->attributes.extra));

	jo_key(&o, "sections");
	jo_begin(&sub, out, o.rc);
	for (int i = 0; i < KSEC__N; i++)
		jo_str(&sub, ksection_key(i), c->sections[i], 0);
	jo_take(&o, jo_end(&sub, c->sections_extra));

	jo_key(&o, "timeline");
	if (!o.rc && kbuf_addch(out, '[') < 0)
		o.rc = KE_NOMEM;
	for (size_t i = 0; i < c->ntimeline && !o.rc; i++) {
		const struct kevent *e = &c->timeline[i];

		if (i && kbuf_addch(out, ',') < 0)
			o.rc = KE_NOMEM;
		jo_begin(&sub, out, o.rc);
		jo_int(&sub, "day", e->has_day, e->day);
		jo_str(&sub, "when", e->when ? e->when : "", 0);
		jo_str(&sub, "actor", e->actor, 1);
		jo_str(&sub, "text", e->text ? e->text : "", 0);
		jo_take(&o, jo_end(&sub, e->extra));
	}
	if (!o.rc && kbuf_addch(out, ']') < 0)
		o.rc = KE_NOMEM;

	jo_key(&o, "tags");
	jo_begin(&sub, out, o.rc);
	jo_str(&sub, "event_class", c->tags.event_class, 0);
	jo_strv(&sub, "threats", &c->tags.threats);
	jo_strv(&sub, "sectors", &c->tags.sectors);
	jo_take(&o, jo_end(&sub, c->tags.extra));

	jo_str(&o, "tlp", c->tlp, 0);
	jo_str(&o, "owner", c->owner, 0);
	if (c->recipients.n)
		jo_strv(&o, "recipients", &c->recipients);
	rc = jo_end(&o, c->extra);
	if (rc == 0)
		return 0;
	kbuf_setlen(out, keep);
	if (rc < 0)
		return KE_NOMEM;
	/* a real number in an unknown member: jansson writes it all */
	if (!(j = kcase_to_json(c)))
		return KE_NOMEM;
	rc = json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return rc < 0 ? KE_NOMEM : 0;
}

/* ---- the reader -------------------------------------------------------- */

enum rmode { R_LINES, R_ARRAY };

struct kcase_reader {
	FILE *fp;
	int owns_fp;
	enum rmode mode;
	long long done, total;
	long lineno;
	struct kbuf line;     /* current JSON Lines record */
	int have_pending;     /* line holds a record not yet returned */
	json_t *doc;          /* R_ARRAY: the whole document */
	json_t *arr;          /* R_ARRAY: the array of cases (borrowed) */
	size_t idx;
	int eof;
};

/*
 * Read one line into r->line (without the newline).  Returns 1, 0 at EOF,
 * or a negative code.  Lines longer than r->line's cap are an error, and so
 * is a NUL byte anywhere in the line (fgets() could not see past one, so
 * read byte by byte).
 */
static int read_line(struct kcase_reader *r, struct kerr *err)
{
	char tmp[8192];
	size_t n = 0;

	kbuf_reset(&r->line);
	if (r->eof)
		return 0;
	for (;;) {
		int ch = getc_unlocked(r->fp);

		if (ch != EOF && ch != '\n' && ch != '\0') {
			tmp[n++] = (char)ch;
			if (n < sizeof(tmp))
				continue;
		}
		if (n && kbuf_add(&r->line, tmp, n) < 0)
			return kerr_set(err, KE_TOOBIG, "line %ld: longer than %zu MB (not JSON Lines?)",
					r->lineno + 1, r->line.cap >> 20);
		r->done += (long long)n;
		n = 0;
		if (ch == '\n') {
			r->done++;
			r->lineno++;
			return 1;
		}
		if (ch == '\0') {
			r->lineno++;
			return kerr_set(err, KE_PARSE, "line %ld: contains a NUL byte (binary file?)", r->lineno);
		}
		if (ch == EOF) {
			if (ferror(r->fp))
				return kerr_set(err, KE_IO, "read failed: %s", strerror(errno));
			r->eof = 1;
			if (!r->line.len)
				return 0;
			r->lineno++;
			return 1;
		}
	}
}

static int is_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return !*s;
}

/*
 * The line (1 = the first line of s) of the first NUL byte or invalid UTF-8
 * sequence in s, or 0 if s is clean; *nul says which.  A UTF-8 sequence never
 * contains '\n', so checking line by line is checking the whole.
 */
static long bad_utf8_line(const char *s, size_t len, int *nul)
{
	long line = 1;

	for (;;) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) : len;

		if (!kutf8_valid(s, n)) {
			*nul = memchr(s, '\0', n) != NULL;
			return line;
		}
		if (!nl)
			return 0;
		s += n + 1;
		len -= n + 1;
		line++;
	}
}

/*
 * Can this version of the format be read?  Version 1 (the spec only adds
 * fields, and says the ones there keep their meaning), also with a minor
 * number ("kyokun-case/1.2"); not another major version, whose fields may
 * mean something else.
 */
static int format_supported(const char *fmt)
{
	const char *v = fmt + strlen("kyokun-case/");

	if (strcmp(v, "1") == 0)
		return 1;
	if (strncmp(v, "1.", 2) != 0 || !v[2])
		return 0;
	for (v += 2; *v; v++)
		if (*v < '0' || *v > '9')
			return 0;
	return 1;
}

/* Read the rest of the file as one JSON document; r->line holds its first line. */
static int load_whole(struct kcase_reader *r, struct kerr *err)
{
	struct kbuf all = r->line; /* take over the first line's memory */
	size_t first_len = r->line.len;
	long base = r->lineno - 1, bad;
	json_error_t je;
	int rc, nul = 0;

	kbuf_init(&r->line, KCASE_MAX_LINE);
	kbuf_setcap(&all, KCASE_MAX_DOCUMENT);
	if (r->total > (long long)KCASE_MAX_DOCUMENT) { /* fail before reading it */
		kbuf_release(&all);
		return kerr_set(err, KE_TOOBIG,
				"%lld bytes is larger than the %u MB limit for one JSON document; use JSON Lines"
				" (one case per line) for big files", r->total, KCASE_MAX_DOCUMENT >> 20);
	}
	rc = r->eof ? 0 : kbuf_addch(&all, '\n');
	if (!rc)
		rc = kbuf_read_fp(&all, r->fp, err);
	if (rc) {
		kbuf_release(&all);
		if (rc == KE_TOOBIG)
			return kerr_set(err, KE_TOOBIG, "larger than %u MB as one JSON document; use JSON Lines"
					" (one case per line) for big files", KCASE_MAX_DOCUMENT >> 20);
		return rc == KE_NOMEM ? kerr_set(err, rc, "out of memory") : rc;
	}
	r->done = r->total ? r->total : (long long)all.len;
	if ((bad = bad_utf8_line(all.buf, all.len, &nul))) {
		kbuf_release(&all);
		return kerr_set(err, KE_PARSE, "line %ld: %s", base + bad,
				nul ? "contains a NUL byte (binary file?)" : "not valid UTF-8");
	}
	r->doc = json_loadb(all.buf, all.len, JSON_REJECT_DUPLICATES, &je);
	kbuf_release(&all);
	if (!r->doc && first_len > KCASE_MAX_LINE && je.position > (int)first_len)
		return kerr_set(err, KE_TOOBIG, "line %ld: longer than %u MB (too long for JSON Lines)",
				base + 1, KCASE_MAX_LINE >> 20);
	if (!r->doc)
		return kerr_set(err, KE_PARSE, "line %ld column %d: malformed JSON: %s", base + je.line,
				je.column, je.text);
	if (json_is_array(r->doc)) {
		r->arr = r->doc;
	} else if (json_is_object(r->doc) && json_object_get(r->doc, "cases")) {
		json_t *fmt = json_object_get(r->doc, "format");

		r->arr = json_object_get(r->doc, "cases");
		if (!json_is_array(r->arr))
			return kerr_set(err, KE_INVALID, "cases: expected array");
		if (fmt && (!json_is_string(fmt) || strncmp(json_string_value(fmt), "kyokun-case/", 12)))
			return kerr_set(err, KE_INVALID, "format: expected \"%s\"", KCASE_FORMAT);
		if (fmt && !format_supported(json_string_value(fmt)))
			return kerr_set(err, KE_INVALID, "format: unsupported version \"%.*s\" (this kyokun reads %s)",
					kutf8_cut(json_string_value(fmt), 60), json_string_value(fmt), KCASE_FORMAT);
	} else if (json_is_object(r->doc)) {
		/* a single case: wrap it */
		json_t *a = json_array();

		if (!a || json_array_append(a, r->doc) < 0) {
			json_decref(a);
			return kerr_set(err, KE_NOMEM, "out of memory");
		}
		json_decref(r->doc);
		r->doc = r->arr = a;
	} else {
		return kerr_set(err, KE_INVALID, "expected a collection object, an array of cases or JSON Lines");
	}
	r->mode = R_ARRAY;
	return 0;
}

/*
 * A file descriptor for path when it is a regular file; anything else (a
 * FIFO, a device) could block or never end, and standard input is "-".  The
 * file is opened without blocking and checked again once open, in case it
 * was replaced after stat().
 */
static int open_regular(const char *path, struct stat *st, struct kerr *err)
{
	int fd, fl;

	if (stat(path, st) < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s", strerror(errno));
	if (S_ISDIR(st->st_mode))
		return kerr_set(err, KE_IO, "is a directory, not a file");
	if (!S_ISREG(st->st_mode))
		goto notreg;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s", strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		close(fd);
		goto notreg;
	}
	return fd;
notreg:
	return kerr_set(err, KE_INVALID, "not a regular file (%s); give - to read standard input",
			S_ISFIFO(st->st_mode) ? "a FIFO" : S_ISCHR(st->st_mode) ? "a character device" :
			S_ISSOCK(st->st_mode) ? "a socket" : "a device");
}

int kcase_reader_open(struct kcase_reader **out, const char *path, struct kerr *err)
{
	struct kcase_reader *r;
	struct stat st;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (!strcmp(path, "-")) {
		r->fp = stdin;
	} else {
		if ((rc = open_regular(path, &st, err)) < 0)
			goto fail;
		r->fp = fdopen(rc, "rb");
		if (!r->fp) {
			close(rc);
			rc = kerr_set(err, KE_IO, "%s", strerror(errno));
			goto fail;
		}
		r->owns_fp = 1;
		r->total = st.st_size;
	}
	/*
	 * Find the first non-blank line and decide the form.  The first line may
	 * be a whole compact document, so it may be as long as one (unless the
	 * file is too big to be one: then it can only be JSON Lines).
	 */
	kbuf_setcap(&r->line, r->total > (long long)KCASE_MAX_DOCUMENT ? KCASE_MAX_LINE : KCASE_MAX_DOCUMENT);
	do {
		rc = read_line(r, err);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			rc = kerr_set(err, KE_INVALID, "empty file: no cases");
			goto fail;
		}
		if (r->lineno == 1 && r->line.len >= 3 && !memcmp(r->line.buf, "\xEF\xBB\xBF", 3)) {
			/* drop a UTF-8 byte order mark */
			memmove(r->line.buf, r->line.buf + 3, r->line.len - 3 + 1);
			r->line.len -= 3;
		}
	} while (is_blank(kbuf_str(&r->line)));
	{
		const char *s = r->line.buf;
		json_error_t je;
		json_t *j;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s != '{' && *s != '[') {
			rc = kerr_set(err, KE_PARSE, "line %ld: expected JSON (a collection, an array or JSON Lines)",
				      r->lineno);
			goto fail;
		}
		j = *s == '{' && r->line.len <= KCASE_MAX_LINE ? json_loads(s, JSON_REJECT_DUPLICATES, &je) : NULL;
		if (j && !json_object_get(j, "cases")) {
			/* JSON Lines: the first line is a case of its own */
			json_decref(j);
			kbuf_setcap(&r->line, KCASE_MAX_LINE);
			r->mode = R_LINES;
			r->have_pending = 1;
			*out = r;
			return 0;
		}
		json_decref(j);
		if ((rc = load_whole(r, err)) < 0)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	kcase_reader_close(r);
	return rc;
}

static int case_from(struct kcase *c, json_t *j, struct kerr *err)
{
	int rc = kcase_from_json(c, j, err);

	if (!rc)
		rc = kcase_validate(c, err);
	return rc;
}

int kcase_reader_next(struct kcase_reader *r, struct kcase *c, struct kerr *err)
{
	json_error_t je;
	json_t *j;
	int rc;

	if (r->mode == R_ARRAY) {
		if (r->idx >= json_array_size(r->arr))
			return 0;
		j = json_array_get(r->arr, r->idx);
		rc = case_from(c, j, err);
		if (rc < 0) {
			json_t *id = json_object_get(j, "id");

			if (json_is_string(id))
				kerr_prefix(err, "cases[%zu] (id \"%.*s\")", r->idx, kutf8_cut(json_string_value(id), 60),
					    json_string_value(id));
			else
				kerr_prefix(err, "cases[%zu]", r->idx);
			r->idx++;
			return rc == KE_NOMEM ? rc : KE_INVALID;
		}
		r->idx++;
		return 1;
	}
	for (;;) {
		if (!r->have_pending) {
			rc = read_line(r, err);
			if (rc <= 0)
				return rc;
		}
		r->have_pending = 0;
		if (!is_blank(kbuf_str(&r->line)))
			break;
	}
	if (!kutf8_valid(r->line.buf, r->line.len))
		return kerr_set(err, KE_PARSE, "line %ld: not valid UTF-8", r->lineno);
	j = json_loadb(r->line.buf, r->line.len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return kerr_set(err, KE_PARSE, "line %ld column %d: malformed JSON: %s", r->lineno,
				je.column, je.text);
	rc = case_from(c, j, err);
	if (rc < 0) {
		json_t *id = json_object_get(j, "id");

		if (json_is_string(id))
			kerr_prefix(err, "line %ld (id \"%.*s\")", r->lineno, kutf8_cut(json_string_value(id), 60),
				    json_string_value(id));
		else
			kerr_prefix(err, "line %ld", r->lineno);
		json_decref(j);
		return rc == KE_NOMEM ? rc : KE_INVALID;
	}
	json_decref(j);
	return 1;
}

void kcase_reader_where(const struct kcase_reader *r, char *buf, size_t n)
{
	if (r->mode == R_ARRAY)
		snprintf(buf, n, "cases[%zu]", r->idx ? r->idx - 1 : 0);
	else
		snprintf(buf, n, "line %ld", r->lineno);
}

void kcase_reader_progress(const struct kcase_reader *r, long long *done, long long *total)
{
	*done = r->done;
	*total = r->total;
}

void kcase_reader_close(struct kcase_reader *r)
{
	if (!r)
		return;
	if (r->owns_fp && r->fp)
		fclose(r->fp);
	kbuf_release(&r->line);
	json_decref(r->doc);
	free(r);
}
