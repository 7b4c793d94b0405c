/*
 * exchange_misp.c - cases as MISP events and back (exchange.h).
 *
 * Export: a JSON array of {"Event": {...}}, one event per case, one event
 * per line (the form MISP's "import from file" and its REST API's
 * POST /events accept element by element, and each element validates
 * against PyMISP's event schema).  Each event has:
 *
 *   uuid             UUIDv5 of the case id (namespace MISP_NS below)
 *   info             the title, on one line
 *   date             the source year's January 1 (a case knows its year,
 *                    not its day); left out when the year is unknown
 *   threat_level_id  from the threats and the event class (level_of below):
 *                    "1" high, "2" medium, "3" low, "4" undefined
 *   analysis         "2" complete (a published case study)
 *   distribution     from the TLP (distribution_of below)
 *   published        true
 *   Orgc             {name: the publisher, uuid: UUIDv5 of that name}
 *   Tag              tlp:LEVEL (MISP's TLP 2.0 taxonomy), then the
 *                    crosswalk's misp tags of the event class, threats and
 *                    sectors, each once
 *   Attribute        two text attributes (category "Other", not for IDS):
 *                    comment "kyokun-report/markdown": the case as Markdown
 *                    (title, overview, each section under its Japanese and
 *                    English heading, the timeline as a table, lessons);
 *                    comment "kyokun-case/1": the whole case as kyokun's
 *                    JSON, so kyokun -> MISP -> kyokun loses nothing.
 *
 * The narrative is an attribute rather than an EventReport because the
 * event schema (additionalProperties: false) has no EventReport; import
 * reads EventReport too (MISP 2.4.137+ exports them).
 *
 * Import: one event ({"Event": ...}), an array of them, or the REST API's
 * {"response": [...]}; all or nothing.  An event with a "kyokun-case/1"
 * attribute becomes that case exactly.  A foreign event keeps: info ->
 * title, uuid -> id "misp-UUID", Orgc.name -> source.publisher, date ->
 * source.year, the Markdown (attribute or EventReport) -> summary,
 * sections and key lessons by their headings (unrecognised text goes to
 * background), tags -> tlp (tlp:white is clear) and, through the
 * crosswalk's misp column, the event class, threats and sectors (a tag
 * that maps to several terms of one vocabulary is not used for it).  Without
 * a tlp tag the distribution decides ("3" clear, "2"/"1" green, else
 * amber).  The timeline is not read back from a foreign event.
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
#include <strings.h>

/* The namespace of kyokun's MISP uuids (events, organisations, attributes). */
#define MISP_NS "8de321d5-b80e-4a3a-b9b7-67e93f9864ef"
#define MISP_CASE_COMMENT KCASE_FORMAT
#define MISP_MD_COMMENT "kyokun-report/markdown"
#define MISP_MAX_DOCUMENT KEXCHANGE_MISP_MAX_BYTES

struct misp_state {
	char *publisher;
	char orgc_uuid[37];
	size_t n;
};

/* TLP -> distribution: TLP 2.0's audience against MISP's. */
static const struct {
	const char *tlp, *distribution;
} distribution_of[] = {
	{ "clear", "3" },        /* no limit: all communities */
	{ "green", "1" },        /* the community, not public: this community only */
	{ "amber", "0" },        /* the recipient's organisation (and clients): your organisation only */
	{ "amber+strict", "0" }, /* the recipient's organisation only */
	{ "red", "0" },          /* named recipients: your organisation only, and never further */
};

/* Threats -> threat_level_id, first match wins; then the event class. */
static const struct {
	const char *threat, *level;
} level_of[] = {
	{ "ransomware", "1" }, { "ddos", "1" }, { "destructive", "1" }, { "wiper", "1" },
	{ "unauthorized_access", "2" }, { "vulnerability", "2" }, { "phishing_mail", "2" },
	{ "brute_force", "2" }, { "malware", "2" }, { "third_party", "2" }, { "support_scam", "3" },
	{ "misconfiguration", "3" }, { "hardware_failure", "3" }, { "software_failure", "3" },
};

static const char *threat_level(const struct kcase *c)
{
	for (size_t k = 0; k < sizeof(level_of) / sizeof(level_of[0]); k++)
		if (kstrv_contains(&c->tags.threats, level_of[k].threat))
			return level_of[k].level;
	if (c->tags.event_class && !strcmp(c->tags.event_class, "cyber_attack"))
		return "2";
	if (c->tags.event_class && !strcmp(c->tags.event_class, "system_failure"))
		return "3";
	return "4";
}

static const char *distribution(const char *tlp)
{
	for (size_t k = 0; k < sizeof(distribution_of) / sizeof(distribution_of[0]); k++)
		if (tlp && !strcmp(tlp, distribution_of[k].tlp))
			return distribution_of[k].distribution;
	return "0";
}

int kexchange_misp_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err)
{
	struct misp_state *s = calloc(1, sizeof(*s));
	const char *pub = o && o->publisher && *o->publisher ? o->publisher : "kyokun";

	*state = s;
	if (!s || !(s->publisher = strdup(pub)))
		return kerr_set(err, KE_NOMEM, "misp: out of memory");
	if (kexchange_uuid5(MISP_NS, s->publisher, s->orgc_uuid))
		return kerr_set(err, KE_INVALID, "misp: publisher uuid");
	return kbuf_adds(out, "[") ? kerr_set(err, KE_NOMEM, "misp: out of memory") : 0;
}

/* ---- Markdown ---- */

/* Text of a paragraph: lines starting with '#' or '|' are escaped so that they stay text. */
static int md_text(struct kbuf *b, const char *s)
{
	int bol = 1, rc = 0;

	for (const char *p = s; *p && !rc; p++) {
		if (bol && (*p == '#' || *p == '|' || *p == '\\'))
			rc = kbuf_addch(b, '\\');
		if (!rc)
			rc = kbuf_addch(b, *p);
		bol = *p == '\n';
	}
	return rc;
}

/* A table cell: | and \ escaped, line breaks as <br>. */
static int md_cell(struct kbuf *b, const char *s)
{
	int rc = 0;

	for (const char *p = s ? s : ""; *p && !rc; p++) {
		if (*p == '|' || *p == '\\')
			rc = kbuf_addch(b, '\\') || kbuf_addch(b, *p);
		else if (*p == '\r')
			continue;
		else if (*p == '\n')
			rc = kbuf_adds(b, "<br>");
		else
			rc = kbuf_addch(b, *p);
	}
	return rc;
}

static int md_list(struct kbuf *b, const char *ja, const char *en, const struct kstrv *sv)
{
	int rc = 0;

	if (!sv->n)
		return 0;
	rc = kbuf_addf(b, "## %s (%s)\n\n", ja, en);
	for (size_t i = 0; i < sv->n && !rc; i++)
		rc = kbuf_adds(b, "- ") || md_text(b, sv->v[i]) || kbuf_adds(b, "\n");
	return rc ? rc : kbuf_adds(b, "\n");
}

static int markdown(const struct kcase *c, struct kbuf *b)
{
	int rc = kbuf_adds(b, "# ") || md_cell(b, c->title) || kbuf_adds(b, "\n\n");

	if (!rc)
		rc = md_list(b, "概要", "Overview", &c->summary);
	for (int k = 0; k < KSEC__N && !rc; k++) {
		int sec = ksection_display_order[k];

		if (!c->sections[sec] || !*c->sections[sec])
			continue;
		rc = kbuf_addf(b, "## %s (%s)\n\n", ksection_label_ja(sec), ksection_label_en(sec)) ||
		     md_text(b, c->sections[sec]) || kbuf_adds(b, "\n\n");
	}
	if (!rc && c->ntimeline) {
		rc = kbuf_adds(b, "## 経緯 (Timeline)\n\n| 日 (day) | 時期 (when) | 主体 (actor) | 内容 (what) |\n"
				  "| --- | --- | --- | --- |\n");
		for (size_t i = 0; i < c->ntimeline && !rc; i++) {
			const struct kevent *e = &c->timeline[i];

			rc = kbuf_adds(b, "| ");
			if (!rc && e->has_day)
				rc = kbuf_addf(b, "%d", e->day);
			rc = rc || kbuf_adds(b, " | ") || md_cell(b, e->when) || kbuf_adds(b, " | ") ||
			     md_cell(b, e->actor) || kbuf_adds(b, " | ") || md_cell(b, e->text) || kbuf_adds(b, " |\n");
		}
		rc = rc || kbuf_adds(b, "\n");
	}
	if (!rc)
		rc = md_list(b, "教訓", "Key lessons", &c->key_lessons);
	return rc ? KE_NOMEM : 0;
}

/* ---- export ---- */

static int add_tag(json_t *tags, const char *name)
{
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return 0;
	return json_array_append_new(tags, json_pack("{ss}", "name", name));
}

static void add_xwalk_tags(json_t *tags, const char *vocab, const char *code)
{
	const struct kxwalk_entry *e = code ? kxwalk_find(vocab, code) : NULL;

	for (size_t i = 0; e && i < e->nmisp; i++)
		add_tag(tags, e->misp[i]);
}

static json_t *text_attribute(const char *case_id, const char *comment, const char *value)
{
	char uuid[37], name[512];

	snprintf(name, sizeof(name), "%s#%s", case_id, comment);
	if (kexchange_uuid5(MISP_NS, name, uuid))
		return NULL;
	return json_pack("{ss ss ss sb ss ss ss}", "uuid", uuid, "type", "text", "category", "Other", "to_ids", 0,
			 "distribution", "5", "comment", comment, "value", value);
}

static char *one_line(const char *s)
{
	char *r = strdup(s ? s : "");

	for (char *p = r; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return r;
}

int kexchange_misp_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err)
{
	struct misp_state *s = state;
	struct kbuf md, cj;
	json_t *ev = NULL, *tags = NULL, *attrs = NULL, *a;
	char uuid[37], date[16], tlptag[32], *info = NULL, *dump = NULL;
	const char *pub;
	int rc = KE_NOMEM;

	kbuf_init(&md, 0);
	kbuf_init(&cj, 0);
	if (!s || !c->id)
		return kerr_set(err, KE_USAGE, "misp: export not begun");
	if (kexchange_uuid5(MISP_NS, c->id, uuid))
		return kerr_set(err, KE_INVALID, "misp: uuid");
	if (!(info = one_line(c->title)) || markdown(c, &md) || kcase_dump(c, &cj) ||
	    kbuf_addch(&md, 0) || kbuf_addch(&cj, 0))
		goto out;
	pub = c->source.publisher && *c->source.publisher ? c->source.publisher : s->publisher;
	if (!(ev = json_object()) || !(tags = json_array()) || !(attrs = json_array()))
		goto out;
	json_object_set_new(ev, "uuid", json_string(uuid));
	json_object_set_new(ev, "info", json_string(info));
	if (c->source.has_year && c->source.year > 0 && c->source.year < 10000) {
		snprintf(date, sizeof(date), "%04d-01-01", c->source.year);
		json_object_set_new(ev, "date", json_string(date));
	}
	json_object_set_new(ev, "threat_level_id", json_string(threat_level(c)));
	json_object_set_new(ev, "analysis", json_string("2"));
	json_object_set_new(ev, "distribution", json_string(distribution(c->tlp)));
	json_object_set_new(ev, "published", json_true());
	{
		char ou[37];

		if (pub == s->publisher)
			memcpy(ou, s->orgc_uuid, sizeof(ou));
		else if (kexchange_uuid5(MISP_NS, pub, ou))
			goto out;
		json_object_set_new(ev, "Orgc", json_pack("{ss ss}", "name", pub, "uuid", ou));
	}
	snprintf(tlptag, sizeof(tlptag), "tlp:%s", c->tlp && ktlp_valid(c->tlp) ? c->tlp : "amber");
	add_tag(tags, tlptag);
	add_xwalk_tags(tags, "event_class", c->tags.event_class);
	for (size_t i = 0; i < c->tags.threats.n; i++)
		add_xwalk_tags(tags, "threat", c->tags.threats.v[i]);
	for (size_t i = 0; i < c->tags.sectors.n; i++)
		add_xwalk_tags(tags, "sector", c->tags.sectors.v[i]);
	json_object_set_new(ev, "Tag", tags);
	tags = NULL;
	if (!(a = text_attribute(c->id, MISP_MD_COMMENT, md.buf)) || json_array_append_new(attrs, a))
		goto out;
	if (!(a = text_attribute(c->id, MISP_CASE_COMMENT, cj.buf)) || json_array_append_new(attrs, a))
		goto out;
	json_object_set_new(ev, "Attribute", attrs);
	attrs = NULL;
	{
		json_t *wrap = json_pack("{sO}", "Event", ev);

		dump = wrap ? json_dumps(wrap, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(wrap);
	}
	if (!dump || kbuf_adds(out, s->n ? ",\n" : "\n") || kbuf_adds(out, dump))
		goto out;
	s->n++;
	rc = 0;
out:
	if (rc)
		kerr_set(err, rc, "misp: out of memory");
	free(info);
	free(dump);
	json_decref(ev);
	json_decref(tags);
	json_decref(attrs);
	kbuf_release(&md);
	kbuf_release(&cj);
	return rc;
}

int kexchange_misp_end(void *state, struct kbuf *out, struct kerr *err)
{
	struct misp_state *s = state;
	int rc = 0;

	if (s && kbuf_adds(out, s->n ? "\n]\n" : "]\n"))
		rc = kerr_set(err, KE_NOMEM, "misp: out of memory");
	if (s)
		free(s->publisher);
	free(s);
	return rc;
}

/* ---- import ---- */

static void skip_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
		(*p)++;
}

static int key_is(const char *p, const char *end, const char *key)
{
	size_t n = strlen(key);

	return end - p > (long)n + 1 && *p == '"' && !memcmp(p + 1, key, n) && p[n + 1] == '"';
}

int kexchange_misp_sniff(const char *in, size_t len)
{
	const char *p = in, *end = in + len;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	skip_ws(&p, end);
	if (p < end && *p == '[') {
		p++;
		skip_ws(&p, end);
		if (p >= end || *p != '{')
			return 0;
		p++;
		skip_ws(&p, end);
		return key_is(p, end, "Event");
	}
	if (p >= end || *p != '{')
		return 0;
	p++;
	skip_ws(&p, end);
	if (key_is(p, end, "Event") || key_is(p, end, "response"))
		return 1;
	/* other members first: look at the whole object when it is small */
	if (len <= (1u << 20)) {
		json_t *j = json_loadb(in, len, 0, NULL);
		int yes = json_is_object(j) && (json_object_get(j, "Event") || json_is_array(json_object_get(j, "response")));

		json_decref(j);
		return yes;
	}
	return 0;
}

/*
 * The entries one tag maps back to, by vocabulary: a tag that names several
 * terms of a vocabulary (nis2:nature-root-cause="malicious-actions" is the
 * cause of most threats) says nothing about which, and is not used for it.
 */
struct import_ctx {
	const struct kxwalk_entry *threat, *sector, *event_class;
	int nthreat, nsector, nevent_class;
};

static void on_xwalk(void *ctx, const struct kxwalk_entry *e)
{
	struct import_ctx *x = ctx;

	if (!strcmp(e->vocab, "threat"))
		x->threat = e, x->nthreat++;
	else if (!strcmp(e->vocab, "sector"))
		x->sector = e, x->nsector++;
	else if (!strcmp(e->vocab, "event_class"))
		x->event_class = e, x->nevent_class++;
}

static int apply_xwalk(struct kcase *c, const struct import_ctx *x)
{
	int rc = 0;

	if (x->nthreat == 1 && !kstrv_contains(&c->tags.threats, x->threat->code))
		rc = kstrv_push(&c->tags.threats, x->threat->code);
	if (!rc && x->nsector == 1 && !kstrv_contains(&c->tags.sectors, x->sector->code))
		rc = kstrv_push(&c->tags.sectors, x->sector->code);
	if (!rc && x->nevent_class == 1 && !c->tags.event_class)
		rc = kstr_set(&c->tags.event_class, x->event_class->code);
	return rc;
}

/* The section (or -2 overview, -3 key lessons, -4 timeline) a "## " heading names, or -1. */
static int heading_of(const char *h, size_t n)
{
	static const struct {
		const char *ja;
		int what;
	} extra[] = { { "概要", -2 }, { "教訓", -3 }, { "経緯", -4 } };

	for (int sec = 0; sec < KSEC__N; sec++) {
		const char *ja = ksection_label_ja(sec), *en = ksection_label_en(sec);
		size_t l = strlen(ja);

		if ((n >= l && !memcmp(h, ja, l) && (n == l || h[l] == ' ')) ||
		    (en && n == strlen(en) && !strncasecmp(h, en, n)))
			return sec;
	}
	for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
		size_t l = strlen(extra[k].ja);

		if (n >= l && !memcmp(h, extra[k].ja, l) && (n == l || h[l] == ' '))
			return extra[k].what;
	}
	return -1;
}

/* Flush the paragraph text in b (trimmed) into the place where. */
static int md_flush(struct kcase *c, int where, struct kbuf *b)
{
	int rc = 0;

	while (b->len && (b->buf[b->len - 1] == '\n' || b->buf[b->len - 1] == ' '))
		b->len--;
	if (!b->len || where == -4)
		goto out;
	if (kbuf_addch(b, 0))
		return KE_NOMEM;
	{
		char *s = b->buf;

		while (*s == '\n')
			s++;
		rc = kcase_section_append(c, where >= 0 ? where : KSEC_BACKGROUND, s);
	}
out:
	kbuf_reset(b);
	return rc;
}

/* Read Markdown written by md_* (or a person) back into the case's text fields. */
static int md_read(struct kcase *c, const char *md)
{
	struct kbuf para;
	int where = KSEC_BACKGROUND, rc = 0;
	const char *p = md;

	kbuf_init(&para, 0);
	while (*p && !rc) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n > 3 && !memcmp(p, "## ", 3) && heading_of(p + 3, n - 3) != -1) {
			rc = md_flush(c, where, &para);
			where = heading_of(p + 3, n - 3);
		} else if (n > 2 && !memcmp(p, "# ", 2) && (!c->title || (where == KSEC_BACKGROUND && !para.len))) {
			/* the document's title: the case's when it has none (an event's info is one already) */
			if (!c->title)
				rc = kstr_setn(&c->title, p + 2, n - 2);
		} else if ((where == -2 || where == -3) && n > 2 && !memcmp(p, "- ", 2)) {
			struct kbuf item;

			kbuf_init(&item, 0);
			for (size_t i = 2; i < n && !rc; i++)
				if (!(p[i] == '\\' && i == 2 && i + 1 < n))
					rc = kbuf_addch(&item, p[i]);
			rc = rc || kbuf_addch(&item, 0) ||
			     kstrv_push(where == -2 ? &c->summary : &c->key_lessons, item.buf);
			kbuf_release(&item);
		} else if (where != -2 && where != -3) {
			size_t off = n && p[0] == '\\' && n > 1 && (p[1] == '#' || p[1] == '|' || p[1] == '\\');

			rc = kbuf_add(&para, p + off, n - off) || kbuf_addch(&para, '\n');
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!rc)
		rc = md_flush(c, where < 0 ? KSEC_BACKGROUND : where, &para);
	kbuf_release(&para);
	return rc;
}

static int tlp_from_tag(const char *t, char **tlp)
{
	static const char *const levels[] = { "clear", "green", "amber", "amber+strict", "red" };

	if (strncasecmp(t, "tlp:", 4))
		return 0;
	t += 4;
	if (!strcasecmp(t, "white"))
		t = "clear";
	for (size_t k = 0; k < 5; k++)
		if (!strcasecmp(t, levels[k]))
			return (*tlp && ktlp_rank(*tlp) >= (int)k) ? 0 : kstr_set(tlp, levels[k]);
	return 0;
}

static int foreign_event(struct kcase *c, json_t *ev, const char *uuid, struct kerr *err)
{
	json_t *v, *x;
	size_t i;
	const char *md = NULL;
	char id[64];
	int rc;

	v = json_object_get(ev, "info");
	if (!v)
		return kerr_set(err, KE_INVALID, "info: required");
	if (!json_is_string(v))
		return kerr_set(err, KE_INVALID, "info: expected a string");
	{
		char *t = one_line(json_string_value(v));

		rc = t ? kstr_set(&c->title, t) : KE_NOMEM;
		free(t);
		if (rc)
			return kerr_set(err, rc, "info: out of memory");
	}
	snprintf(id, sizeof(id), "misp-%s", uuid);
	for (char *p = id; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (kstr_set(&c->id, id))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((v = json_object_get(ev, "date"))) {
		const char *d = json_string_value(v);

		if (!d || strlen(d) < 4 || d[0] < '0' || d[0] > '9')
			return kerr_set(err, KE_INVALID, "date: expected YYYY-MM-DD");
		c->source.has_year = 1;
		c->source.year = atoi(d);
	}
	if ((v = json_object_get(ev, "Orgc"))) {
		if (!json_is_object(v))
			return kerr_set(err, KE_INVALID, "Orgc: expected an object");
		x = json_object_get(v, "name");
		if (x && !json_is_string(x))
			return kerr_set(err, KE_INVALID, "Orgc.name: expected a string");
		if (x && kstr_set(&c->source.publisher, json_string_value(x)))
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	if ((v = json_object_get(ev, "Tag"))) {
		if (!json_is_array(v))
			return kerr_set(err, KE_INVALID, "Tag: expected an array");
		json_array_foreach(v, i, x) {
			json_t *n = json_object_get(x, "name");
			struct import_ctx ctx = { 0 };

			if (!json_is_object(x) || !json_is_string(n))
				return kerr_set(err, KE_INVALID, "Tag[%zu].name: expected a string", i);
			if (tlp_from_tag(json_string_value(n), &c->tlp))
				return kerr_set(err, KE_NOMEM, "out of memory");
			kxwalk_reverse("misp", json_string_value(n), on_xwalk, &ctx);
			if (apply_xwalk(c, &ctx))
				return kerr_set(err, KE_NOMEM, "out of memory");
		}
	}
	if (!c->tlp) {
		const char *d = json_string_value(json_object_get(ev, "distribution"));

		if (kstr_set(&c->tlp, d && !strcmp(d, "3") ? "clear" : d && (!strcmp(d, "2") || !strcmp(d, "1")) ? "green" : "amber"))
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	if ((v = json_object_get(ev, "Attribute")) && json_is_array(v)) {
		json_array_foreach(v, i, x) {
			const char *cm = json_string_value(json_object_get(x, "comment"));

			if (cm && !strcmp(cm, MISP_MD_COMMENT) && json_is_string(json_object_get(x, "value")))
				md = json_string_value(json_object_get(x, "value"));
		}
	}
	if ((v = json_object_get(ev, "EventReport"))) {
		if (!json_is_array(v))
			return kerr_set(err, KE_INVALID, "EventReport: expected an array");
		json_array_foreach(v, i, x) {
			json_t *ct = json_object_get(x, "content");

			if (!json_is_object(x) || (ct && !json_is_string(ct)))
				return kerr_set(err, KE_INVALID, "EventReport[%zu].content: expected a string", i);
			if (ct && !md)
				md = json_string_value(ct);
		}
	}
	if (md) {
		/* the title stays info's: md_read sets it only when absent */
		if (md_read(c, md))
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

static int one_event(struct kcase_list *l, json_t *item, size_t idx, struct kerr *err)
{
	json_t *ev = json_is_object(item) ? json_object_get(item, "Event") : NULL, *v, *x;
	const char *uuid;
	struct kcase *c;
	size_t i;
	int rc;

	if (!json_is_object(item))
		return kerr_set(err, KE_INVALID, "events[%zu]: expected an object {\"Event\": ...}", idx);
	if (!ev)
		return kerr_set(err, KE_INVALID, "events[%zu]: Event: required", idx);
	if (!json_is_object(ev))
		return kerr_set(err, KE_INVALID, "events[%zu]: Event: expected an object", idx);
	v = json_object_get(ev, "uuid");
	if (!v)
		return kerr_set(err, KE_INVALID, "events[%zu]: uuid: required", idx);
	uuid = json_string_value(v);
	if (!uuid)
		return kerr_set(err, KE_INVALID, "events[%zu]: uuid: expected a string", idx);
	for (const char *p = uuid; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == '-') ||
		    p - uuid > 40)
			return kerr_set(err, KE_INVALID, "events[%zu]: uuid: expected a UUID", idx);
	if (!*uuid)
		return kerr_set(err, KE_INVALID, "events[%zu]: uuid: expected a UUID", idx);
	if (!(c = kcase_list_add(l)))
		return kerr_set(err, KE_NOMEM, "events[%zu] (%s): out of memory", idx, uuid);
	rc = 1;
	v = json_object_get(ev, "Attribute");
	if (v && !json_is_array(v))
		return kerr_set(err, KE_INVALID, "events[%zu] (%s): Attribute: expected an array", idx, uuid);
	json_array_foreach(v, i, x) {
		const char *cm = json_string_value(json_object_get(x, "comment"));
		json_t *val, *cj;
		json_error_t je;

		if (!json_is_object(x))
			return kerr_set(err, KE_INVALID, "events[%zu] (%s): Attribute[%zu]: expected an object", idx,
					uuid, i);
		if (!cm || strcmp(cm, MISP_CASE_COMMENT))
			continue;
		val = json_object_get(x, "value");
		if (!json_is_string(val))
			return kerr_set(err, KE_INVALID, "events[%zu] (%s): Attribute[%zu].value: expected a string",
					idx, uuid, i);
		cj = json_loadb(json_string_value(val), json_string_length(val), 0, &je);
		if (!json_is_object(cj)) {
			json_decref(cj);
			return kerr_set(err, KE_PARSE, "events[%zu] (%s): Attribute[%zu].value: not a kyokun case (%s)",
					idx, uuid, i, je.text);
		}
		rc = kcase_from_json(c, cj, err);
		json_decref(cj);
		if (rc)
			{ kerr_prefix(err, "events[%zu] (%s): Attribute[%zu].value", idx, uuid, i); return rc; }
		break;
	}
	if (rc == 1 && (rc = foreign_event(c, ev, uuid, err)))
		{ kerr_prefix(err, "events[%zu] (%s)", idx, uuid); return rc; }
	if ((rc = kcase_validate(c, err)))
		{ kerr_prefix(err, "events[%zu] (%s)", idx, uuid); return rc; }
	return 0;
}

struct walk {
	struct kcase_list *l;
	const struct kexchange_sink *sink;
};

static int walk_event(void *ctx, json_t *item, size_t i, struct kerr *err)
{
	struct walk *w = ctx;
	size_t n0 = w->l->n;
	int rc = one_event(w->l, item, i, err);

	return rc ? rc : kexchange_drain(w->l, n0, w->sink, err);
}

/* The document's events into l, or each to sink when there is one (then l is scratch). */
static int import_doc(const char *in, size_t len, struct kcase_list *l, const struct kexchange_sink *sink,
		      struct kerr *err)
{
	json_error_t je;
	json_t *doc = NULL, *arr, *item;
	struct walk w = { l, sink };
	size_t n0 = l->n, i = 0;
	int rc = 0;

	if (len > MISP_MAX_DOCUMENT)
		return kerr_set(err, KE_TOOBIG, "misp: document of %zu bytes, more than the %zu allowed", len,
				MISP_MAX_DOCUMENT);
	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
		i++;
	if ((rc = kexchange_prescan(in, len, i < len && in[i] == '[' ? 1 : 0, KEXCHANGE_MAX_TREE, "misp", "events",
				    err)) < 0)
		goto out;
	if (i < len && in[i] == '[') {
		/* an array of events (our export): read one event at a time */
		rc = kexchange_each_element(in, len, "misp", "events", walk_event, &w, err);
		goto out;
	}
	doc = json_loadb(in, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		rc = kerr_set(err, KE_PARSE, "misp: line %d: %s", je.line, je.text);
		goto out;
	}
	if (json_is_object(doc) && json_object_get(doc, "Event")) {
		rc = walk_event(&w, doc, 0, err);
		goto out;
	}
	arr = json_is_object(doc) ? json_object_get(doc, "response") : doc;
	if (!json_is_array(arr)) {
		rc = kerr_set(err, KE_INVALID, "misp: expected an event {\"Event\": ...}, an array of them or "
					       "{\"response\": [...]}");
		goto out;
	}
	json_array_foreach(arr, i, item)
		if ((rc = walk_event(&w, item, i, err)))
			break;
out:
	json_decref(doc);
	if (rc) {
		/* all or nothing: drop what this document added */
		while (l->n > n0)
			kcase_free(&l->v[--l->n]);
	}
	return rc;
}

int kexchange_misp_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err)
{
	return import_doc(in, len, l, NULL, err);
}

int kexchange_misp_import_each(const char *in, size_t len, const struct kexchange_sink *sink, struct kerr *err)
{
	struct kcase_list l = { 0 };
	int rc = import_doc(in, len, &l, sink, err);

	kcase_list_free(&l);
	return rc;
}
