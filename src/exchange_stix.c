/*
 * exchange_stix.c - kyokun cases as a STIX 2.1 bundle and back (exchange.h).
 *
 * Export: one bundle {"type":"bundle","objects":[...],"id":"bundle--U"},
 * streamed: the publisher's identity first (so the bundle is never empty),
 * then per case
 *   - the TLP 2.0 marking-definition of its level, the first time a level
 *     is used (fixed ids, the FIRST/OASIS extension, README of the specs);
 *   - an identity for the victim when the case names an organisation or
 *     sectors (sectors mapped through the crosswalk's stix column);
 *   - an incident: name = title, description = summary lines joined by
 *     "\n", incident_types from the crosswalk (threats, event class),
 *     external_references: kyokun's id and the source document;
 *   - notes for the lessons: one per key lesson and one for the lessons
 *     section, each referring to the incident;
 *   - a report: name, published, report_types ["incident"], description =
 *     the body sections under "【見出し / Heading】" lines, object_refs to
 *     the incident, the notes and the victim, and x_kyokun_case: the whole
 *     case in kyokun's own JSON (so kyokun -> STIX -> kyokun is lossless).
 * Every object but the markings has created_by_ref (the publisher) and
 * object_marking_refs (the case's TLP).  The case has no clock: created,
 * modified and published are 1 January of its source year, 00:00 UTC, or
 * 1970-01-01 without a year.  Ids are TYPE--UUIDv5(our namespace, role and
 * case id); the bundle's is UUIDv5 of the case ids in order.  Keys are
 * sorted, UTF-8 is written as is: the same cases give the same bytes.
 *
 * Import: a whole bundle, all or nothing (the first problem refuses it,
 * naming "objects[i] (ID): field: what").  A report with x_kyokun_case is
 * that case.  Otherwise a case is made per report (with the incident its
 * object_refs name, followed one level only, so circular references cannot
 * loop) and per incident no report names.  Objects of other types (STIX's
 * indicators, relationships, custom objects ...) are skipped without a
 * word, as STIX asks consumers to do; their type must still be a STIX type
 * name and they must have an id.  Limits: KSTIX_MAX_DOCUMENT bytes,
 * KSTIX_MAX_OBJECTS objects.
 */
#include "exchange.h"

#include "case.h"
#include "case_json.h"
#include "crosswalk.h"
#include "kbuf.h"
#include "kerr.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KSTIX_NS "6f1c3c52-4c7e-5b0e-9a51-6b796f6b756e" /* kyokun's STIX namespace, fixed forever */
#define KSTIX_MAX_DOCUMENT KEXCHANGE_STIX_MAX_BYTES
#define KSTIX_MAX_OBJECTS 1000000u
#define TLP_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define LESSONS_ABSTRACT "得られた気付き・教訓 / Lessons learned"
#define KEY_LESSON_ABSTRACT "主な気付き・教訓 / Key lesson"

static const struct {
	const char *tlp, *id, *name;
} tlps[] = {
	{ "clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR" },
	{ "green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN" },
	{ "amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER" },
	{ "amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT" },
	{ "red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED" },
};

/* TLP 1.0's fixed ids, read on import (white is clear now). */
static const struct {
	const char *tlp, *id;
} tlp1[] = {
	{ "clear", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" },
	{ "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" },
	{ "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" },
	{ "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" },
};

struct stix_state {
	char publisher_id[64];
	const char *base_url;
	unsigned used_tlp; /* bit per tlps[] entry already in the bundle */
	struct kbuf ids;   /* the case ids, one a line, for the bundle's id */
	int first;
};

static int stix_id(const char *type, const char *role, const char *key, char *out, size_t n)
{
	struct kbuf name;
	char u[37];
	int rc;

	kbuf_init(&name, 0);
	rc = kbuf_addf(&name, "%s:%s", role, key);
	if (rc == 0)
		rc = kexchange_uuid5(KSTIX_NS, kbuf_str(&name), u);
	kbuf_release(&name);
	if (rc == 0)
		snprintf(out, n, "%s--%s", type, u);
	return rc;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	return kbuf_add(data, buf, size) < 0 ? -1 : 0;
}

/* Append obj (taking it) as one element of objects. */
static int emit(struct stix_state *st, json_t *obj, struct kbuf *out)
{
	int rc;

	if (!obj)
		return KE_NOMEM;
	rc = kbuf_adds(out, st->first ? "\n" : ",\n");
	if (rc == 0 && json_dump_callback(obj, dump_cb, out, JSON_COMPACT | JSON_SORT_KEYS) < 0)
		rc = KE_NOMEM;
	st->first = 0;
	json_decref(obj);
	return rc;
}

static int tlp_index(const char *tlp)
{
	for (size_t i = 0; i < sizeof tlps / sizeof tlps[0]; i++)
		if (tlp && !strcmp(tlps[i].tlp, tlp))
			return (int)i;
	return -1;
}

int kexchange_stix_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err)
{
	const char *pub = o && o->publisher && *o->publisher ? o->publisher : "kyokun";
	struct stix_state *st = calloc(1, sizeof *st);
	int rc;

	*state = st;
	if (!st)
		return kerr_set(err, KE_NOMEM, "stix: out of memory");
	kbuf_init(&st->ids, 0);
	st->first = 1;
	st->base_url = o ? o->base_url : NULL;
	rc = stix_id("identity", "publisher", pub, st->publisher_id, sizeof st->publisher_id);
	if (rc == 0)
		rc = kbuf_adds(out, "{\"type\":\"bundle\",\"objects\":[");
	if (rc == 0)
		rc = emit(st,
			  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version", "2.1",
				    "id", st->publisher_id, "created", "1970-01-01T00:00:00.000Z", "modified",
				    "1970-01-01T00:00:00.000Z", "name", pub, "identity_class", "organization",
				    "created_by_ref", st->publisher_id),
			  out);
	if (rc < 0)
		return kerr_set(err, rc, "stix: out of memory");
	return 0;
}

/* The stix values of code in vocab into arr (once each); the code itself when the crosswalk lacks the code ("-": none). */
static int add_mapped(json_t *arr, const char *vocab, const char *code)
{
	const struct kxwalk_entry *e = kxwalk_find(vocab, code);
	size_t n = e ? e->nstix : 0;

	for (size_t i = 0; i <= n; i++) {
		const char *v = i < n ? e->stix[i] : (!e ? code : NULL);
		size_t j;
		json_t *x;

		if (!v || !*v || !strcmp(v, "-"))
			continue;
		json_array_foreach(arr, j, x)
			if (!strcmp(json_string_value(x), v))
				break;
		if (j == json_array_size(arr) && json_array_append_new(arr, json_string(v)) < 0)
			return KE_NOMEM;
	}
	return 0;
}

static json_t *common(const char *type, const char *id, const char *ts, const struct stix_state *st, int tlp)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", type, "spec_version", "2.1", "id", id,
			 "created", ts, "modified", ts, "created_by_ref", st->publisher_id, "object_marking_refs",
			 tlps[tlp].id);
}

static int set_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v)) < 0 ? KE_NOMEM : 0;
}

int kexchange_stix_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err)
{
	struct stix_state *st = state;
	char ts[32], inc_id[64], rep_id[64], vic_id[64] = "", note_id[64];
	struct kbuf text, key;
	json_t *o = NULL, *refs = NULL, *arr;
	int tlp, rc = KE_NOMEM;

	kbuf_init(&text, 0);
	kbuf_init(&key, 0);
	if (!st)
		return kerr_set(err, KE_USAGE, "stix: begin was not called");
	tlp = tlp_index(c->tlp ? c->tlp : "clear");
	if (!c->id || !c->title || tlp < 0) {
		rc = kerr_set(err, KE_INVALID, "stix: case %s: %s", c->id ? c->id : "(no id)",
			      !c->title ? "title: required" : !c->id ? "id: required" : "tlp: not a TLP 2.0 level");
		goto out;
	}
	if (c->source.has_year && c->source.year >= 1 && c->source.year <= 9999)
		snprintf(ts, sizeof ts, "%04d-01-01T00:00:00.000Z", c->source.year);
	else
		snprintf(ts, sizeof ts, "1970-01-01T00:00:00.000Z");
	if (stix_id("incident", "incident", c->id, inc_id, sizeof inc_id) < 0 ||
	    stix_id("report", "report", c->id, rep_id, sizeof rep_id) < 0)
		goto nomem;
	if (kbuf_adds(&st->ids, c->id) < 0 || kbuf_addch(&st->ids, '\n') < 0)
		goto nomem;

	/* the marking, once per level */
	if (!(st->used_tlp & (1u << tlp))) {
		st->used_tlp |= 1u << tlp;
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition",
			      "spec_version", "2.1", "id", tlps[tlp].id, "created", "2022-10-01T00:00:00.000Z", "name",
			      tlps[tlp].name, "extensions", TLP_EXT, "extension_type", "property-extension", "tlp_2_0",
			      tlps[tlp].tlp);
		if ((rc = emit(st, o, out)) < 0)
			goto nomem;
		o = NULL;
	}
	refs = json_pack("[s]", inc_id);
	if (!refs)
		goto nomem;

	/* the victim */
	if (c->attributes.organization || c->tags.sectors.n) {
		if (stix_id("identity", "victim", c->id, vic_id, sizeof vic_id) < 0 ||
		    !(o = common("identity", vic_id, ts, st, tlp)))
			goto nomem;
		if (set_str(o, "name", c->attributes.organization ? c->attributes.organization : c->title) < 0 ||
		    set_str(o, "identity_class", "organization") < 0)
			goto nomem;
		if (c->tags.sectors.n) {
			if (!(arr = json_array()) || json_object_set_new(o, "sectors", arr) < 0)
				goto nomem;
			for (size_t i = 0; i < c->tags.sectors.n; i++)
				if (add_mapped(arr, "sector", c->tags.sectors.v[i]) < 0)
					goto nomem;
			if (!json_array_size(arr))
				json_object_del(o, "sectors");
		}
		if ((rc = emit(st, o, out)) < 0)
			goto nomem;
		o = NULL;
	}

	/* the incident */
	if (!(o = common("incident", inc_id, ts, st, tlp)) || set_str(o, "name", c->title) < 0)
		goto nomem;
	for (size_t i = 0; i < c->summary.n; i++)
		if ((i && kbuf_addch(&text, '\n') < 0) || kbuf_adds(&text, c->summary.v[i]) < 0)
			goto nomem;
	if (c->summary.n && set_str(o, "description", kbuf_str(&text)) < 0)
		goto nomem;
	if (!(arr = json_array()) || json_object_set_new(o, "incident_types", arr) < 0)
		goto nomem;
	if (c->tags.event_class && add_mapped(arr, "event_class", c->tags.event_class) < 0)
		goto nomem;
	for (size_t i = 0; i < c->tags.threats.n; i++)
		if (add_mapped(arr, "threat", c->tags.threats.v[i]) < 0)
			goto nomem;
	if (!json_array_size(arr))
		json_object_del(o, "incident_types");
	{
		json_t *ext = json_array(), *r = json_pack("{s:s, s:s}", "source_name", "kyokun", "external_id", c->id);

		if (!ext || !r || json_object_set_new(o, "external_references", ext) < 0 ||
		    json_array_append_new(ext, r) < 0)
			goto nomem;
		if (st->base_url) {
			kbuf_reset(&key);
			if (kbuf_addf(&key, "%s/cases/%s", st->base_url, c->id) < 0 || set_str(r, "url", kbuf_str(&key)) < 0)
				goto nomem;
		}
		if (c->source.document || c->source.publisher) {
			if (!(r = json_pack("{s:s}", "source_name", c->source.publisher ? c->source.publisher : "source")) ||
			    json_array_append_new(ext, r) < 0)
				goto nomem;
			if (set_str(r, "description", c->source.document ? c->source.document : c->source.publisher) < 0)
				goto nomem;
			if (c->source.has_case_number) {
				kbuf_reset(&key);
				if (kbuf_addf(&key, "%d", c->source.case_number) < 0 ||
				    set_str(r, "external_id", kbuf_str(&key)) < 0)
					goto nomem;
			}
		}
	}
	if ((rc = emit(st, o, out)) < 0)
		goto nomem;
	o = NULL;

	/* the lessons */
	for (size_t i = 0; i <= c->key_lessons.n; i++) {
		const char *content = i < c->key_lessons.n ? c->key_lessons.v[i] : c->sections[KSEC_LESSONS];

		if (!content)
			continue;
		kbuf_reset(&key);
		if (kbuf_addf(&key, "%zu:%s", i, c->id) < 0 ||
		    stix_id("note", i < c->key_lessons.n ? "key_lesson" : "lessons", kbuf_str(&key), note_id,
			    sizeof note_id) < 0 ||
		    !(o = common("note", note_id, ts, st, tlp)) || set_str(o, "content", content) < 0 ||
		    set_str(o, "abstract", i < c->key_lessons.n ? KEY_LESSON_ABSTRACT : LESSONS_ABSTRACT) < 0 ||
		    json_object_set_new(o, "object_refs", json_pack("[s]", inc_id)) < 0 ||
		    json_array_append_new(refs, json_string(note_id)) < 0)
			goto nomem;
		if ((rc = emit(st, o, out)) < 0)
			goto nomem;
		o = NULL;
	}
	if (*vic_id && json_array_append_new(refs, json_string(vic_id)) < 0)
		goto nomem;

	/* the report */
	kbuf_reset(&text);
	for (int k = 0; k < KSEC__N; k++) {
		int sec = ksection_display_order[k];

		if (!c->sections[sec])
			continue;
		if (text.len && kbuf_adds(&text, "\n\n") < 0)
			goto nomem;
		if (kbuf_addf(&text, "【%s / %s】\n%s", ksection_label_ja(sec), ksection_label_en(sec), c->sections[sec]) <
		    0)
			goto nomem;
	}
	if (!(o = common("report", rep_id, ts, st, tlp)) || set_str(o, "name", c->title) < 0 ||
	    set_str(o, "published", ts) < 0 ||
	    json_object_set_new(o, "report_types", json_pack("[s]", "incident")) < 0 ||
	    json_object_set(o, "object_refs", refs) < 0 ||
	    json_object_set_new(o, "x_kyokun_case", kcase_to_json(c)) < 0)
		goto nomem;
	if (text.len && set_str(o, "description", kbuf_str(&text)) < 0)
		goto nomem;
	if ((rc = emit(st, o, out)) < 0)
		goto nomem;
	o = NULL;
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "stix: case %s: out of memory", c->id);
out:
	json_decref(o);
	json_decref(refs);
	kbuf_release(&text);
	kbuf_release(&key);
	return rc;
}

int kexchange_stix_end(void *state, struct kbuf *out, struct kerr *err)
{
	struct stix_state *st = state;
	char u[37];
	int rc;

	if (!st)
		return 0;
	rc = kexchange_uuid5(KSTIX_NS, st->ids.len ? kbuf_str(&st->ids) : "bundle:empty", u);
	if (rc == 0)
		rc = kbuf_addf(out, "\n],\"id\":\"bundle--%s\"}\n", u);
	kbuf_release(&st->ids);
	free(st);
	return rc < 0 ? kerr_set(err, rc, "stix: out of memory") : 0;
}

/* ---- import ---- */

struct imp {
	json_t *objs;   /* the bundle's objects */
	json_t *byid;   /* id -> index (integer) */
	struct kerr *err;
};

static int valid_type_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 250 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return 1;
}

static json_t *lookup(struct imp *im, const char *id)
{
	json_t *ix = id ? json_object_get(im->byid, id) : NULL;

	return ix ? json_array_get(im->objs, (size_t)json_integer_value(ix)) : NULL;
}

static const char *ostr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Check that every member named is a string / array of strings when present. */
static int check_types(json_t *o, size_t i, struct kerr *err)
{
	static const char *strs[] = { "name", "description", "created", "modified", "published", "content",
				      "abstract", "created_by_ref", "identity_class" };
	static const char *arrs[] = { "object_refs", "object_marking_refs", "incident_types", "sectors" };
	const char *id = ostr(o, "id");

	for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
		json_t *v = json_object_get(o, strs[k]);

		if (v && !json_is_string(v))
			return kerr_set(err, KE_INVALID, "objects[%zu] (%s): %s: expected a string", i, id, strs[k]);
	}
	for (size_t k = 0; k < sizeof arrs / sizeof arrs[0]; k++) {
		json_t *v = json_object_get(o, arrs[k]), *x;
		size_t j;

		if (!v)
			continue;
		if (!json_is_array(v))
			return kerr_set(err, KE_INVALID, "objects[%zu] (%s): %s: expected an array", i, id, arrs[k]);
		json_array_foreach(v, j, x)
			if (!json_is_string(x))
				return kerr_set(err, KE_INVALID, "objects[%zu] (%s): %s[%zu]: expected a string", i, id,
						arrs[k], j);
	}
	if (json_object_get(o, "external_references") && !json_is_array(json_object_get(o, "external_references")))
		return kerr_set(err, KE_INVALID, "objects[%zu] (%s): external_references: expected an array", i, id);
	return 0;
}

static int tlp_of_ref(struct imp *im, const char *ref)
{
	json_t *m, *ext;
	const char *v;

	for (size_t i = 0; i < sizeof tlps / sizeof tlps[0]; i++)
		if (!strcmp(ref, tlps[i].id))
			return (int)i;
	for (size_t i = 0; i < sizeof tlp1 / sizeof tlp1[0]; i++)
		if (!strcmp(ref, tlp1[i].id))
			return tlp_index(tlp1[i].tlp);
	/* a marking-definition in the bundle with the TLP 2.0 extension, or TLP 1.0's definition */
	m = lookup(im, ref);
	ext = json_object_get(json_object_get(m, "extensions"), TLP_EXT);
	if ((v = ostr(ext, "tlp_2_0")))
		return tlp_index(v);
	if ((v = ostr(json_object_get(m, "definition"), "tlp")))
		return tlp_index(!strcmp(v, "white") ? "clear" : v);
	return -1;
}

struct rev_ctx {
	struct kcase *c;
	int rc;
	size_t hits; /* sectors the last word mapped to */
};

static void rev_cb(void *ctx, const struct kxwalk_entry *e)
{
	struct rev_ctx *r = ctx;

	if (!strcmp(e->vocab, "threat") && !kstrv_contains(&r->c->tags.threats, e->code)) {
		if (kstrv_push(&r->c->tags.threats, e->code) < 0)
			r->rc = KE_NOMEM;
	} else if (!strcmp(e->vocab, "event_class") && !r->c->tags.event_class) {
		if (kstr_set(&r->c->tags.event_class, e->code) < 0)
			r->rc = KE_NOMEM;
	}
}

static void rev_sector_cb(void *ctx, const struct kxwalk_entry *e)
{
	struct rev_ctx *r = ctx;

	if (strcmp(e->vocab, "sector"))
		return;
	r->hits++;
	if (!kstrv_contains(&r->c->tags.sectors, e->code) && kstrv_push(&r->c->tags.sectors, e->code) < 0)
		r->rc = KE_NOMEM;
}

static int url_safe(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 200)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '~' || *p == '-'))
			return 0;
	return 1;
}

/* Split report text written as "【ja / en】" sections back; text before any of them is the background. */
static int flush_section(struct kcase *c, int cur, struct kbuf *acc)
{
	int rc = 0;

	while (acc->len && acc->buf[acc->len - 1] == '\n')
		acc->len--;
	kbuf_setlen(acc, acc->len);
	if (acc->len && !c->sections[cur >= 0 ? cur : KSEC_BACKGROUND])
		rc = kstr_set(&c->sections[cur >= 0 ? cur : KSEC_BACKGROUND], kbuf_str(acc));
	kbuf_reset(acc);
	return rc;
}

static int parse_sections(struct kcase *c, const char *d)
{
	struct kbuf acc, h;
	int cur = -1, rc = 0;

	kbuf_init(&acc, 0);
	kbuf_init(&h, 0);
	for (const char *p = d; rc == 0;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int hdr = -1;

		for (int s = 0; s < KSEC__N && hdr < 0 && rc == 0; s++) {
			kbuf_reset(&h);
			rc = kbuf_addf(&h, "【%s / %s】", ksection_label_ja(s), ksection_label_en(s));
			if (h.len == n && !memcmp(h.buf, p, n))
				hdr = s;
		}
		if (rc == 0 && hdr >= 0) {
			rc = flush_section(c, cur, &acc);
			cur = hdr;
		} else if (rc == 0) {
			rc = kbuf_add(&acc, p, n);
			if (rc == 0)
				rc = kbuf_addch(&acc, '\n');
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (rc == 0)
		rc = flush_section(c, cur, &acc);
	kbuf_release(&acc);
	kbuf_release(&h);
	return rc;
}

/* A case from a report (may be NULL) and its incident (may be NULL), without x_kyokun_case. */
static int map_foreign(struct imp *im, struct kcase *c, json_t *rep, json_t *inc, size_t at)
{
	json_t *main = inc ? inc : rep, *x, *refs;
	const char *s, *oid = ostr(main, "id");
	size_t j;
	int worst = -1, rc = 0;
	struct rev_ctx rv = { c, 0, 0 };

	if (!(s = ostr(main, "name")))
		return kerr_set(im->err, KE_INVALID, "objects[%zu] (%s): name: required", at, oid);
	if (kstr_set(&c->title, s) < 0)
		return KE_NOMEM;
	/* id: kyokun's when the incident carries it, else from the STIX id */
	json_array_foreach(json_object_get(main, "external_references"), j, x) {
		const char *sn = ostr(x, "source_name"), *eid = ostr(x, "external_id");

		if (sn && !strcmp(sn, "kyokun") && eid && url_safe(eid)) {
			if (!c->id && kstr_set(&c->id, eid) < 0)
				return KE_NOMEM;
		} else if (sn && !c->source.publisher) {
			if (kstr_set(&c->source.publisher, sn) < 0 ||
			    kstr_set(&c->source.document, ostr(x, "description") ? ostr(x, "description") : ostr(x, "url")) < 0)
				return KE_NOMEM;
			if (eid) {
				char *end;
				long v = strtol(eid, &end, 10);

				if (*eid && !*end && v >= 0 && v < 1000000) {
					c->source.has_case_number = 1;
					c->source.case_number = (int)v;
				}
			}
		}
	}
	if (!c->id) {
		const char *u = strstr(oid, "--");

		if (kstr_set(&c->id, "stix-") < 0)
			return KE_NOMEM;
		{
			size_t n = strlen(c->id) + strlen(u + 2) + 1;
			char *t = malloc(n);

			if (!t)
				return KE_NOMEM;
			snprintf(t, n, "stix-%s", u + 2);
			free(c->id);
			c->id = t;
		}
	}
	if ((s = ostr(main, "created")) && strlen(s) >= 4 && strncmp(s, "1970", 4)) {
		c->source.has_year = 1;
		c->source.year = atoi(s);
	}
	/* summary: the incident's description, a line each */
	if ((s = ostr(main, "description"))) {
		for (const char *p = s; *p;) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n && kstrv_pushn(&c->summary, p, n) < 0)
				return KE_NOMEM;
			if (!e)
				break;
			p = e + 1;
		}
	}
	if (rep && inc && (s = ostr(rep, "description")) && parse_sections(c, s) < 0)
		return KE_NOMEM;
	/* threats and event class */
	json_array_foreach(json_object_get(main, "incident_types"), j, x)
		kxwalk_reverse("stix", json_string_value(x), rev_cb, &rv);
	/* TLP: the most restrictive marking of the objects read */
	for (int k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(k ? rep : inc, "object_marking_refs"), j, x) {
			int t = tlp_of_ref(im, json_string_value(x));

			if (t > worst)
				worst = t;
		}
	}
	/* unmarked: amber (kyokun does not widen sharing it was not told about) */
	if (kstr_set(&c->tlp, worst >= 0 ? tlps[worst].tlp : "amber") < 0)
		return KE_NOMEM;
	/* the report's objects, one level: notes are lessons, an identity the victim */
	refs = json_object_get(rep, "object_refs");
	json_array_foreach(refs, j, x) {
		json_t *o = lookup(im, json_string_value(x));
		const char *t = ostr(o, "type");

		if (!o || !t)
			continue;
		if (!strcmp(t, "note")) {
			const char *content = ostr(o, "content"), *ab = ostr(o, "abstract");

			if (!content)
				return kerr_set(im->err, KE_INVALID, "objects[%lld] (%s): content: required",
						json_integer_value(json_object_get(im->byid, json_string_value(x))),
						json_string_value(x));
			if (ab && !strcmp(ab, LESSONS_ABSTRACT)) {
				if (!c->sections[KSEC_LESSONS] && kstr_set(&c->sections[KSEC_LESSONS], content) < 0)
					return KE_NOMEM;
			} else if (kstrv_push(&c->key_lessons, content) < 0)
				return KE_NOMEM;
		} else if (!strcmp(t, "identity") && strcmp(json_string_value(x), ostr(main, "created_by_ref") ?
										ostr(main, "created_by_ref") : "")) {
			json_t *sec;
			size_t k;

			if (!c->attributes.organization && ostr(o, "name") && strcmp(ostr(o, "name"), c->title) &&
			    kstr_set(&c->attributes.organization, ostr(o, "name")) < 0)
				return KE_NOMEM;
			json_array_foreach(json_object_get(o, "sectors"), k, sec) {
				const char *w = json_string_value(sec);

				if (!w || !*w)
					continue;
				rv.hits = 0;
				kxwalk_reverse("stix", w, rev_sector_cb, &rv);
				/* a word the crosswalk does not know (kyokun's own free sector names) is kept as it is */
				if (!rv.hits && !kstrv_contains(&c->tags.sectors, w) && kstrv_push(&c->tags.sectors, w) < 0)
					return KE_NOMEM;
			}
		}
	}
	if (rv.rc < 0)
		return rv.rc;
	/* the publisher, when no external reference named one */
	if (!c->source.publisher) {
		json_t *idy = lookup(im, ostr(main, "created_by_ref"));

		if (ostr(idy, "name") && kstr_set(&c->source.publisher, ostr(idy, "name")) < 0)
			return KE_NOMEM;
	}
	return rc;
}

/* The bundle's cases into l, or each to sink when there is one (then l is scratch). */
static int import_doc(const char *in, size_t len, struct kcase_list *l, const struct kexchange_sink *sink,
		      struct kerr *err)
{
	json_error_t je;
	json_t *doc = NULL, *objs, *o, *claimed = NULL;
	struct imp im = { NULL, NULL, err };
	size_t n0 = l->n, i, ncases = 0;
	int rc = 0;

	if (len > KSTIX_MAX_DOCUMENT)
		return kerr_set(err, KE_TOOBIG, "stix: the bundle is larger than %zu MB", KSTIX_MAX_DOCUMENT >> 20);
	if ((rc = kexchange_prescan(in, len, 0, KEXCHANGE_MAX_TREE, "stix", "bundle", err)) < 0)
		goto out;
	doc = json_loadb(in, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		rc = kerr_set(err, KE_PARSE, "stix: line %d column %d: %s", je.line, je.column, je.text);
		goto out;
	}
	if (!json_is_object(doc) || !ostr(doc, "type") || strcmp(ostr(doc, "type"), "bundle")) {
		rc = kerr_set(err, KE_INVALID, "stix: type: expected \"bundle\"");
		goto out;
	}
	objs = json_object_get(doc, "objects");
	if (objs && !json_is_array(objs)) {
		rc = kerr_set(err, KE_INVALID, "stix: objects: expected an array");
		goto out;
	}
	if (json_array_size(objs) > KSTIX_MAX_OBJECTS) {
		rc = kerr_set(err, KE_TOOBIG, "stix: objects: more than %u", KSTIX_MAX_OBJECTS);
		goto out;
	}
	im.objs = objs;
	if (!(im.byid = json_object()) || !(claimed = json_object()))
		goto nomem;
	/* every object: an object with a type and an id of that type */
	json_array_foreach(objs, i, o) {
		const char *t, *id;
		size_t tl;

		if (!json_is_object(o)) {
			rc = kerr_set(err, KE_INVALID, "objects[%zu]: expected an object", i);
			goto out;
		}
		id = ostr(o, "id");
		if (!(t = ostr(o, "type"))) {
			rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): type: required (a string)", i, id ? id : "no id");
			goto out;
		}
		if (!valid_type_name(t)) {
			rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): type: \"%.60s\" is not a STIX type name", i,
				      id ? id : "no id", t);
			goto out;
		}
		tl = strlen(t);
		if (!id || strncmp(id, t, tl) || strncmp(id + tl, "--", 2) || strlen(id + tl + 2) != 36) {
			rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): id: expected %s--UUID", i, id ? id : "no id", t);
			goto out;
		}
		if ((rc = check_types(o, i, err)) < 0)
			goto out;
		if (!strcmp(t, "incident") || !strcmp(t, "report")) {
			json_t *x = json_object_get(o, "x_kyokun_case");

			if (!ostr(o, "name") && !x) {
				rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): name: required", i, id);
				goto out;
			}
			if (!strcmp(t, "report") && !json_object_get(o, "object_refs")) {
				rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): object_refs: required", i, id);
				goto out;
			}
			if (x && !json_is_object(x)) {
				rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): x_kyokun_case: expected an object", i, id);
				goto out;
			}
		}
		if (!strcmp(t, "note") && !ostr(o, "content")) {
			rc = kerr_set(err, KE_INVALID, "objects[%zu] (%s): content: required", i, id);
			goto out;
		}
		/* several versions of one object: the latest modified wins */
		{
			json_t *prev = lookup(&im, id);
			const char *pm = ostr(prev, "modified"), *m = ostr(o, "modified");

			if (prev && pm && m && strcmp(m, pm) < 0)
				continue;
			if (json_object_set_new(im.byid, id, json_integer((json_int_t)i)) < 0)
				goto nomem;
		}
	}
	/* incidents a report names (one level) are that report's case */
	json_array_foreach(objs, i, o) {
		json_t *x;
		size_t j;

		if (strcmp(ostr(o, "type"), "report"))
			continue;
		json_array_foreach(json_object_get(o, "object_refs"), j, x) {
			json_t *t = lookup(&im, json_string_value(x));

			if (t && !strcmp(ostr(t, "type"), "incident"))
				json_object_set_new(claimed, json_string_value(x), json_true());
		}
	}
	json_array_foreach(objs, i, o) {
		const char *t = ostr(o, "type"), *id = ostr(o, "id");
		json_t *inc = NULL, *x;
		struct kcase *c;
		size_t j;

		if (lookup(&im, id) != o)
			continue; /* an older version */
		if (!strcmp(t, "incident") && json_object_get(claimed, id))
			continue;
		if (strcmp(t, "incident") && strcmp(t, "report"))
			continue; /* skipped: see the top of the file */
		ncases++;
		if (!(c = kcase_list_add(l)))
			goto nomem;
		if ((x = json_object_get(o, "x_kyokun_case"))) {
			rc = kcase_from_json(c, x, err);
			if (rc < 0) {
				kerr_prefix(err, "objects[%zu] (%s): x_kyokun_case: ", i, id);
				goto out;
			}
		} else {
			if (!strcmp(t, "incident"))
				inc = o;
			else
				json_array_foreach(json_object_get(o, "object_refs"), j, x) {
					json_t *r = lookup(&im, json_string_value(x));

					if (r && !strcmp(ostr(r, "type"), "incident")) {
						inc = r;
						break;
					}
				}
			rc = map_foreign(&im, c, strcmp(t, "report") ? NULL : o, inc, i);
			if (rc == KE_NOMEM)
				goto nomem;
			if (rc < 0)
				goto out;
		}
		if ((rc = kcase_validate(c, err)) < 0) {
			kerr_prefix(err, "objects[%zu] (%s): ", i, id);
			goto out;
		}
		if ((rc = kexchange_drain(l, l->n - 1, sink, err)) < 0)
			goto out;
	}
	if (ncases == 0) {
		/* nothing kyokun reads: say what the bundle had instead */
		struct kbuf types = KBUF_INIT;
		json_t *seen = json_object();
		size_t ntypes = 0;

		json_array_foreach(objs, i, o) {
			const char *t = ostr(o, "type");

			if (!seen || ntypes > 5 || json_object_get(seen, t))
				continue;
			if (json_object_set_new(seen, t, json_true()) < 0 ||
			    kbuf_addf(&types, "%s%s", ntypes ? ", " : "", ntypes < 5 ? t : "...") < 0)
				break;
			ntypes++;
		}
		json_decref(seen);
		rc = kerr_set(err, KE_INVALID, "stix: objects: no incident nor report in the bundle (%zu object%s of other types: %s)",
			      json_array_size(objs), json_array_size(objs) == 1 ? "" : "s",
			      types.len ? kbuf_str(&types) : "none");
		kbuf_release(&types);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "stix: out of memory");
out:
	if (rc < 0) {
		for (i = n0; i < l->n; i++)
			kcase_free(&l->v[i]);
		l->n = n0;
	}
	json_decref(claimed);
	json_decref(im.byid);
	json_decref(doc);
	return rc;
}

int kexchange_stix_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err)
{
	return import_doc(in, len, l, NULL, err);
}

int kexchange_stix_import_each(const char *in, size_t len, const struct kexchange_sink *sink, struct kerr *err)
{
	struct kcase_list l = { 0 };
	int rc = import_doc(in, len, &l, sink, err);

	kcase_list_free(&l);
	return rc;
}

/* A JSON object with "type": "bundle" among its top-level members. */
int kexchange_stix_sniff(const char *in, size_t len)
{
	int depth = 0, key = 0, after_type = 0;
	size_t i = 0;

	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
		i++;
	if (i >= len || in[i] != '{')
		return 0;
	for (; i < len; i++) {
		char ch = in[i];

		if (ch == '"') {
			size_t s = ++i;

			while (i < len && in[i] != '"')
				i += in[i] == '\\' ? 2 : 1;
			if (i >= len)
				return 0;
			if (depth == 1) {
				if (key) {
					after_type = i - s == 4 && !memcmp(in + s, "type", 4);
				} else if (after_type) {
					return i - s == 6 && !memcmp(in + s, "bundle", 6);
				}
			}
			continue;
		}
		if (ch == '{' || ch == '[') {
			depth++;
			key = ch == '{' && depth == 1;
		} else if (ch == '}' || ch == ']') {
			if (--depth <= 0)
				return 0;
		} else if (ch == ':' && depth == 1) {
			key = 0;
		} else if (ch == ',' && depth == 1) {
			key = 1;
			after_type = 0;
		}
	}
	return 0;
}
