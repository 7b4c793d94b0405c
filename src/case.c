/*
 * case.c - the case model: constructors, helpers and validation.
 */
#include "case.h"
#include "grow.h"
#include "kerr.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key, *ja, *en;
} sections[KSEC__N] = {
	[KSEC_BACKGROUND] = { "background", "背景", "Background" },
	[KSEC_DETECTION] = { "detection", "検知", "Detection" },
	[KSEC_RESPONSE] = { "response", "対処", "Response" },
	[KSEC_CAUSE] = { "cause", "原因", "Cause" },
	[KSEC_COUNTERMEASURES] = { "countermeasures", "再発防止策", "Countermeasures" },
	[KSEC_LESSONS] = { "lessons", "得られた気付き・教訓", "Lessons learned" },
	[KSEC_IMPACT] = { "impact", "サイバー攻撃による影響", "Impact" },
	[KSEC_MITIGATION] = { "mitigation", "被害軽減に寄与した対策", "Measures that limited the damage" },
	[KSEC_CHALLENGES] = { "challenges", "今後の課題", "Remaining challenges" },
};

const int ksection_display_order[KSEC__N] = {
	KSEC_BACKGROUND, KSEC_IMPACT, KSEC_DETECTION, KSEC_RESPONSE, KSEC_CAUSE,
	KSEC_MITIGATION, KSEC_COUNTERMEASURES, KSEC_LESSONS, KSEC_CHALLENGES,
};

const char *ksection_key(int sec)
{
	return sec >= 0 && sec < KSEC__N ? sections[sec].key : NULL;
}

const char *ksection_label_ja(int sec)
{
	return sec >= 0 && sec < KSEC__N ? sections[sec].ja : NULL;
}

const char *ksection_label_en(int sec)
{
	return sec >= 0 && sec < KSEC__N ? sections[sec].en : NULL;
}

int ksection_from_key(const char *key)
{
	for (int i = 0; i < KSEC__N; i++)
		if (!strcmp(key, sections[i].key))
			return i;
	return -1;
}

int kstrv_push_owned(struct kstrv *sv, char *s)
{
	if (!s)
		return KE_NOMEM;
	if (KGROW(sv->v, sv->alloc, sv->n + 1) < 0) {
		free(s);
		return KE_NOMEM;
	}
	sv->v[sv->n++] = s;
	return 0;
}

int kstrv_pushn(struct kstrv *sv, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return KE_NOMEM;
	memcpy(p, s, len);
	p[len] = '\0';
	return kstrv_push_owned(sv, p);
}

int kstrv_push(struct kstrv *sv, const char *s)
{
	return kstrv_pushn(sv, s, strlen(s));
}

int kstrv_contains(const struct kstrv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void kstrv_clear(struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

int kstr_setn(char **dst, const char *s, size_t len)
{
	char *p = NULL;

	if (s) {
		p = malloc(len + 1);
		if (!p)
			return KE_NOMEM;
		memcpy(p, s, len);
		p[len] = '\0';
	}
	free(*dst);
	*dst = p;
	return 0;
}

int kstr_set(char **dst, const char *s)
{
	return kstr_setn(dst, s, s ? strlen(s) : 0);
}

void kcase_init(struct kcase *c)
{
	memset(c, 0, sizeof(*c));
}

static void event_free(struct kevent *e)
{
	free(e->when);
	free(e->actor);
	free(e->text);
	json_decref(e->extra);
}

int kcase_url_valid(const char *s)
{
	size_t n = strlen(s);

	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return 0;
	if (n > 2000)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int kcase_date_valid(const char *s)
{
	static const char *const shapes[] = { "dddd-dd-dd", "dddd-dd", "dddd", NULL };

	for (const char *const *f = shapes; *f; f++) {
		size_t i = 0;

		while ((*f)[i] && s[i] && ((*f)[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == (*f)[i]))
			i++;
		if (!(*f)[i] && !s[i]) {
			int m = i >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 1;
			int d = i >= 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 1;

			return m >= 1 && m <= 12 && d >= 1 && d <= 31;
		}
	}
	return 0;
}

void kcase_free(struct kcase *c)
{
	free(c->id);
	free(c->title);
	free(c->source.document);
	free(c->source.publisher);
	free(c->source.page_marker);
	free(c->source.doc_title);
	free(c->source.url);
	free(c->source.published);
	json_decref(c->source.extra);
	free(c->category);
	kstrv_clear(&c->summary);
	kstrv_clear(&c->key_lessons);
	free(c->attributes.organization);
	free(c->attributes.factors);
	free(c->attributes.reader_level);
	json_decref(c->attributes.extra);
	for (int i = 0; i < KSEC__N; i++)
		free(c->sections[i]);
	json_decref(c->sections_extra);
	for (size_t i = 0; i < c->ntimeline; i++)
		event_free(&c->timeline[i]);
	free(c->timeline);
	free(c->tags.event_class);
	kstrv_clear(&c->tags.threats);
	kstrv_clear(&c->tags.sectors);
	json_decref(c->tags.extra);
	free(c->tlp);
	free(c->owner);
	kstrv_clear(&c->recipients);
	json_decref(c->extra);
	memset(c, 0, sizeof(*c));
}

int kcase_add_event(struct kcase *c, int day_known, int day, const char *when,
		    const char *actor, const char *text)
{
	struct kevent *e;

	if (KGROW(c->timeline, c->timeline_alloc, c->ntimeline + 1) < 0)
		return KE_NOMEM;
	e = &c->timeline[c->ntimeline];
	memset(e, 0, sizeof(*e));
	e->has_day = day_known;
	e->day = day;
	if (kstr_set(&e->when, when) < 0 || kstr_set(&e->actor, actor) < 0 ||
	    kstr_set(&e->text, text) < 0) {
		event_free(e);
		return KE_NOMEM;
	}
	c->ntimeline++;
	return 0;
}

int kcase_section_append(struct kcase *c, int sec, const char *text)
{
	size_t a, b;
	char *p;

	if (sec < 0 || sec >= KSEC__N)
		return KE_INVALID;
	if (!c->sections[sec] || !*c->sections[sec])
		return kstr_set(&c->sections[sec], text);
	a = strlen(c->sections[sec]);
	b = strlen(text);
	p = realloc(c->sections[sec], a + b + 2);
	if (!p)
		return KE_NOMEM;
	p[a] = '\n';
	memcpy(p + a + 1, text, b + 1);
	c->sections[sec] = p;
	return 0;
}

static const char *const tlps[] = { "clear", "green", "amber", "amber+strict", "red" };

int ktlp_rank(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, tlps[i]))
			return i;
	return -1;
}

int ktlp_valid(const char *s)
{
	return ktlp_rank(s) >= 0;
}

static int valid_str(const char *s, const char *field, struct kerr *err)
{
	if (s && !kutf8_valid(s, strlen(s)))
		return kerr_set(err, KE_INVALID, "%s: not valid UTF-8", field);
	return 0;
}

static int valid_strv(const struct kstrv *sv, const char *field, struct kerr *err)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!kutf8_valid(sv->v[i], strlen(sv->v[i])))
			return kerr_set(err, KE_INVALID, "%s[%zu]: not valid UTF-8", field, i);
	return 0;
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~'))
			return 0;
	}
	return strcmp(id, ".") && strcmp(id, "..");
}

int kcase_login_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      (i > 0 && (ch == '.' || ch == '_' || ch == '-'))))
			return 0;
	}
	return 1;
}

/* owner: an organisation's name as it is written, so that it can equal one exactly. */
static int valid_owner(const char *s, struct kerr *err)
{
	size_t n = strlen(s), i = 0, len;
	uint32_t cp = 0;

	if (n == 0)
		return kerr_set(err, KE_INVALID, "owner: empty (give the owning organisation's name, or leave it out)");
	if (n > KCASE_OWNER_MAX)
		return kerr_set(err, KE_INVALID, "owner: longer than %d bytes", KCASE_OWNER_MAX);
	if (!kutf8_valid(s, n))
		return kerr_set(err, KE_INVALID, "owner: not valid UTF-8");
	for (; i < n; i += len) {
		len = (size_t)kutf8_decode(s + i, n - i, &cp);
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return kerr_set(err, KE_INVALID, "owner: contains a control character (U+%04X)", (unsigned)cp);
		if ((i == 0 || i + len == n) && (cp == ' ' || cp == 0x3000))
			return kerr_set(err, KE_INVALID, "owner: \"%.*s\" begins or ends with white space",
					kutf8_cut(s, 80), s);
	}
	return 0;
}

static int valid_recipients(const struct kstrv *sv, struct kerr *err)
{
	if (sv->n > KCASE_RECIPIENTS_MAX)
		return kerr_set(err, KE_INVALID, "recipients: %zu logins, more than the %d allowed", sv->n,
				KCASE_RECIPIENTS_MAX);
	for (size_t i = 0; i < sv->n; i++) {
		if (!kutf8_valid(sv->v[i], strlen(sv->v[i])))
			return kerr_set(err, KE_INVALID, "recipients[%zu]: not valid UTF-8", i);
		if (!kcase_login_valid(sv->v[i]))
			return kerr_set(err, KE_INVALID, "recipients[%zu]: \"%.*s\" is not a login name "
					"(1-64 of a-z 0-9 . _ -, starting with a letter or digit)", i,
					kutf8_cut(sv->v[i], 80), sv->v[i]);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(sv->v[k], sv->v[i]))
				return kerr_set(err, KE_INVALID, "recipients[%zu]: \"%s\" is named twice (also "
						"recipients[%zu])", i, sv->v[i], k);
	}
	return 0;
}

int kcase_validate(const struct kcase *c, struct kerr *err)
{
	char field[64];

	if (!c->id || !*c->id)
		return kerr_set(err, KE_INVALID, "id: missing (a non-empty string is required)");
	if (!valid_id(c->id))
		return kerr_set(err, KE_INVALID,
				"id: \"%.*s\" is not URL-safe (use 1-200 of A-Z a-z 0-9 - _ . ~)",
				kutf8_cut(c->id, 80), c->id);
	if (!c->title || !*c->title)
		return kerr_set(err, KE_INVALID, "title: missing (a non-empty string is required)");
	if (valid_str(c->title, "title", err) || valid_str(c->category, "category", err) ||
	    valid_str(c->source.document, "source.document", err) ||
	    valid_str(c->source.publisher, "source.publisher", err) ||
	    valid_str(c->source.page_marker, "source.page_marker", err) ||
	    valid_str(c->source.doc_title, "source.title", err) ||
	    valid_str(c->source.url, "source.url", err) ||
	    valid_strv(&c->summary, "summary", err) ||
	    valid_strv(&c->key_lessons, "key_lessons", err) ||
	    valid_str(c->attributes.organization, "attributes.organization", err) ||
	    valid_str(c->attributes.factors, "attributes.factors", err) ||
	    valid_strv(&c->tags.threats, "tags.threats", err) ||
	    valid_strv(&c->tags.sectors, "tags.sectors", err))
		return KE_INVALID;
	if (c->source.url && !kcase_url_valid(c->source.url))
		return kerr_set(err, KE_INVALID, "source.url: \"%.*s\" is not an http:// or https:// address",
				kutf8_cut(c->source.url, 80), c->source.url);
	if (c->source.published && !kcase_date_valid(c->source.published))
		return kerr_set(err, KE_INVALID, "source.published: \"%.*s\" is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
				kutf8_cut(c->source.published, 40), c->source.published);
	if (c->source.has_page && c->source.page < 1)
		return kerr_set(err, KE_INVALID, "source.page: %d is not a page number (1 or more)", c->source.page);
	for (int i = 0; i < KSEC__N; i++) {
		snprintf(field, sizeof(field), "sections.%s", ksection_key(i));
		if (valid_str(c->sections[i], field, err))
			return KE_INVALID;
	}
	for (size_t i = 0; i < c->ntimeline; i++) {
		const struct kevent *e = &c->timeline[i];

		snprintf(field, sizeof(field), "timeline[%zu].text", i);
		if (!e->text)
			return kerr_set(err, KE_INVALID, "%s: missing (a string is required)", field);
		if (valid_str(e->text, field, err))
			return KE_INVALID;
		snprintf(field, sizeof(field), "timeline[%zu].when", i);
		if (valid_str(e->when, field, err))
			return KE_INVALID;
		snprintf(field, sizeof(field), "timeline[%zu].actor", i);
		if (valid_str(e->actor, field, err))
			return KE_INVALID;
	}
	if (c->attributes.reader_level && strcmp(c->attributes.reader_level, "basic") &&
	    strcmp(c->attributes.reader_level, "advanced"))
		return kerr_set(err, KE_INVALID,
				"attributes.reader_level: expected \"basic\" or \"advanced\", got \"%.*s\"",
				kutf8_cut(c->attributes.reader_level, 40), c->attributes.reader_level);
	if (c->tags.event_class && strcmp(c->tags.event_class, "cyber_attack") &&
	    strcmp(c->tags.event_class, "system_failure") && strcmp(c->tags.event_class, "other"))
		return kerr_set(err, KE_INVALID,
				"tags.event_class: expected cyber_attack, system_failure or other, got \"%.*s\"",
				kutf8_cut(c->tags.event_class, 40), c->tags.event_class);
	if (c->tlp && !ktlp_valid(c->tlp))
		return kerr_set(err, KE_INVALID,
				"tlp: expected clear, green, amber, amber+strict or red, got \"%.*s\"",
				kutf8_cut(c->tlp, 40), c->tlp);
	if (c->owner && valid_owner(c->owner, err))
		return KE_INVALID;
	if (valid_recipients(&c->recipients, err))
		return KE_INVALID;
	return 0;
}

struct kcase *kcase_list_add(struct kcase_list *l)
{
	if (KGROW(l->v, l->alloc, l->n + 1) < 0)
		return NULL;
	kcase_init(&l->v[l->n]);
	return &l->v[l->n++];
}

void kcase_list_free(struct kcase_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kcase_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}
