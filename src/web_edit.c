/*
 * web_edit.c - editing cases in the browser, case drafts and their
 * publication, and what the history pages share (web_case.c has the
 * history page itself):
 *
 *   GET  /drafts                    the drafts (analysts, publishers; else 404)
 *   GET  /drafts/ID                 a draft as the case page shows a case, a
 *                                   "下書き / Draft" banner, and for publishers
 *                                   the publish form
 *   POST /drafts/ID/publish         through the publish gate (web_approve.c:
 *                                   the organisation's approval, findings,
 *                                   a publisher's override), then 303 to /cases/ID
 *   GET|POST /drafts/ID/edit        the editor for a draft
 *   GET|POST /cases/ID/edit         the editor for a published case (it must
 *                                   be visible to the editor under TLP, else 404)
 *   GET  /cases/ID/diff?from=A&to=B and /drafts/ID/diff: a line diff per field
 *   GET  /cases/ID/revisions/N      and /drafts/ID/revisions/N: an old version
 *
 * The editor is one server-rendered form (no script): title, category,
 * summary and key lessons (a line per item), each section of the template,
 * the timeline as rows (day, when, actor, text; empty rows to add, a row
 * cleared is deleted), tags, TLP and owner.  Each save is a new revision
 * written with the request's writer (khttp_writer: the store records the
 * signed-in user as its author); a save that changes nothing makes none
 * and says so.  Lost updates: the form carries the revision it was loaded
 * from ("base"); in the save's transaction the latest revision is looked up
 * again, and a save based on an older one is refused (409) with the form
 * as typed and links to the newer version and to what changed meanwhile.
 *
 * Times are shown in the reader's zone: JST unless ?tz= names another of
 * the few in tz_table (UTC, ...), written "2026-12-04 09:15 JST".  Links
 * between the history pages carry tz on.
 */
#include "web.h"
#include "web_approve.h"
#include "web_form.h"
#include "web_select.h"
#include "account.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_report.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMPTY_ROWS 3          /* empty timeline rows to add events */
#define MAX_ROWS 240          /* timeline rows a form may send (KHTTP_MAX_FORM_PARAMS / 4) */
#define MAX_TITLE 500         /* characters */
#define MAX_FIELD 200000      /* characters of a section or list */
#define MAX_SHORT 1000        /* characters of a short field (when, actor, category, owner) */
#define MAX_DIFF_CELLS 4000000 /* line pairs a diff compares at most (else: all removed, all added) */

/* ---- time zones ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int offset_min;
} tz_table[] = {
	{ "JST", 540 }, { "UTC", 0 }, { "KST", 540 }, { "SGT", 480 }, { "IST", 330 },
};

const char *web_tz(const struct khttp_req *req)
{
	const char *tz = khttp_param(req, "tz");

	for (size_t i = 0; tz && i < sizeof(tz_table) / sizeof(tz_table[0]); i++)
		if (!strcasecmp(tz, tz_table[i].name))
			return tz_table[i].name;
	return "JST";
}

const char *web_time(const struct khttp_req *req, const char *utc)
{
	const char *tz = web_tz(req);
	int off = 540;
	time_t t;
	struct tm tm;
	char buf[64];

	if (!utc || !*utc)
		return "";
	if (ktime_parse(utc, &t) < 0)
		return utc;
	for (size_t i = 0; i < sizeof(tz_table) / sizeof(tz_table[0]); i++)
		if (!strcmp(tz, tz_table[i].name))
			off = tz_table[i].offset_min;
	t += (time_t)off * 60;
	if (!gmtime_r(&t, &tm))
		return utc;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tz);
	return khttp_keep(req, strdup(buf));
}

void web_tz_choice(struct html *w, const struct khttp_req *req, const char *path, const char *id)
{
	const char *tz = web_tz(req);

	html_printf(w, "<p class=\"tz-choice\">%s: ", T(req, T_ED_TZ));
	for (size_t i = 0; i < 2; i++) { /* JST and UTC: the others by ?tz= */
		const char *name = tz_table[i].name;

		if (!strcmp(tz, name))
			html_printf(w, "<strong>%s</strong> ", name);
		else
			html_printf(w, "<a href=\"%s\">%s</a> ",
				    web_url(req, path, id, "tz", name, NULL), name);
	}
	html_printf(w, "</p>\n");
}

/* ---- drafts or cases ---------------------------------------------------------------- */

int web_path_is_draft(const struct khttp_req *req)
{
	return req->path && !strncmp(req->path, "/drafts/", 8);
}

int web_load_target(struct khttp_req *req, struct kstore *st, int draft, const char *id, struct kcase *c,
		    struct kerr *err)
{
	int rc;

	if (!draft)
		return st == req->st ? web_load_case(req, id, c, err) : kstore_get(st, id, c, err);
	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_NO_SUCH_DRAFT));
	if (!web_valid_id(id))
		return kerr_set(err, KE_USAGE, "%s", T(req, T_BAD_CASE_ID));
	rc = kstore_draft_get(st, id, c, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_NO_SUCH_DRAFT));
	return rc;
}

/* ---- revisions ----------------------------------------------------------------------- */

static int revs_cb(void *vctx, const struct krevision *r)
{
	struct web_revs *rs = vctx;
	struct web_rev *x;
	json_t *j;

	if (r->revision > rs->latest)
		rs->latest = r->revision;
	if (r->draft && !kreader_may_see_drafts(rs->reader))
		return 0; /* a draft revision of a published case: for those who may see drafts only */
	j = json_loads(r->json ? r->json : "{}", 0, NULL);
	if (!j)
		return 0;
	/* a published case's revision the reader may not see (its level, owner, recipients) is not there */
	if (!rs->draft && !kreader_may_see_json(rs->reader, j)) {
		json_decref(j);
		return 0;
	}
	if (rs->n == rs->alloc) {
		size_t na = rs->alloc ? 2 * rs->alloc : 16;
		struct web_rev *nv = realloc(rs->v, na * sizeof(*nv));

		if (!nv) {
			json_decref(j);
			return KE_NOMEM;
		}
		rs->v = nv;
		rs->alloc = na;
	}
	x = &rs->v[rs->n];
	memset(x, 0, sizeof(*x));
	x->revision = r->revision;
	x->current = r->current;
	x->draft = r->draft;
	x->json = j;
	x->saved = strdup(r->saved ? r->saved : "");
	x->author = r->author ? strdup(r->author) : NULL;
	rs->n++;
	if (!x->saved || (r->author && !x->author))
		return KE_NOMEM;
	return 0;
}

int web_revs_load(struct khttp_req *req, struct kstore *st, const char *id, int draft, struct web_revs *rs,
		  struct kerr *err)
{
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->reader = req->reader;
	rs->draft = draft;
	rc = kstore_history(st, id, revs_cb, rs, err);
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	else if (rc == KE_NOTFOUND)
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, draft ? T_ED_NO_SUCH_DRAFT : T_NO_SUCH_CASE));
	return rc;
}

void web_revs_free(struct web_revs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].saved);
		free(rs->v[i].author);
		json_decref(rs->v[i].json);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

const struct web_rev *web_revs_find(const struct web_revs *rs, int revision)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].revision == revision)
			return &rs->v[i];
	return NULL;
}

/* A revision number from a URL or a form (1 ..), or 0. */
static int revision_number(const char *s)
{
	long v = 0;

	if (!s || !*s || strlen(s) > 9)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v > 0 ? (int)v : 0;
}

/* ---- the form's values ------------------------------------------------------------------ */

struct edit_vals {
	const char *title, *category, *summary, *lessons, *event_class, *threats, *tlp, *owner;
	const char *sec[KSEC__N];
	const char *sectors[64];
	size_t nsectors;
	const char *day[MAX_ROWS], *when[MAX_ROWS], *actor[MAX_ROWS], *text[MAX_ROWS];
	size_t nrows;
	int base;
};

/* Errors next to fields: a message, or a message and a text (kcase_validate's). */
struct edit_errs {
	struct {
		char field[32];
		enum kmsg msg;
		const char *detail;
	} v[32];
	int n;
	int stale; /* the latest revision when the save was refused as stale, else 0 */
};

static void edit_error(struct edit_errs *e, const char *field, enum kmsg msg, const char *detail)
{
	for (int i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].field, field))
			return;
	if (e->n == (int)(sizeof(e->v) / sizeof(e->v[0])))
		return;
	snprintf(e->v[e->n].field, sizeof(e->v[e->n].field), "%s", field);
	e->v[e->n].msg = msg;
	e->v[e->n].detail = detail;
	e->n++;
}

static int edit_error_of(const struct edit_errs *e, const char *field)
{
	for (int i = 0; e && i < e->n; i++)
		if (!strcmp(e->v[i].field, field))
			return i;
	return -1;
}

/* Lines of l joined with newlines, kept with the request. */
static const char *join_lines(const struct khttp_req *req, const struct kstrv *l, const char *sep)
{
	struct kbuf b = KBUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		if (i)
			kbuf_adds(&b, sep);
		kbuf_adds(&b, l->v[i]);
	}
	if (kbuf_adds(&b, "") < 0) {
		kbuf_release(&b);
		return NULL;
	}
	return khttp_keep(req, kbuf_detach(&b, NULL));
}

static const char *day_text(const struct khttp_req *req, const struct kevent *e)
{
	char buf[16];

	if (!e->has_day)
		return "";
	snprintf(buf, sizeof(buf), "%d", e->day);
	return khttp_keep(req, strdup(buf));
}

/* The form's values from a case (GET). */
static void vals_from_case(const struct khttp_req *req, const struct kcase *c, int base, struct edit_vals *v)
{
	memset(v, 0, sizeof(*v));
	v->title = c->title;
	v->category = c->category;
	v->summary = join_lines(req, &c->summary, "\n");
	v->lessons = join_lines(req, &c->key_lessons, "\n");
	for (int i = 0; i < KSEC__N; i++)
		v->sec[i] = c->sections[i];
	v->event_class = c->tags.event_class;
	v->threats = join_lines(req, &c->tags.threats, ", ");
	for (size_t i = 0; i < c->tags.sectors.n && v->nsectors < sizeof(v->sectors) / sizeof(v->sectors[0]); i++)
		v->sectors[v->nsectors++] = c->tags.sectors.v[i];
	v->tlp = c->tlp ? c->tlp : "amber";
	v->owner = c->owner;
	for (size_t i = 0; i < c->ntimeline && v->nrows < MAX_ROWS; i++) {
		const struct kevent *e = &c->timeline[i];

		v->day[v->nrows] = day_text(req, e);
		v->when[v->nrows] = e->when;
		v->actor[v->nrows] = e->actor;
		v->text[v->nrows] = e->text;
		v->nrows++;
	}
	v->base = base;
}

/* The form's values from a POST. */
static void vals_from_form(const struct khttp_req *req, struct edit_vals *v, struct edit_errs *e)
{
	size_t nd, nw, na, nt;

	memset(v, 0, sizeof(*v));
	v->title = khttp_form(req, "title");
	v->category = khttp_form(req, "category");
	v->summary = khttp_form(req, "summary");
	v->lessons = khttp_form(req, "key_lessons");
	for (int i = 0; i < KSEC__N; i++) {
		char name[48];

		snprintf(name, sizeof(name), "sec-%s", ksection_key(i));
		v->sec[i] = khttp_form(req, name);
	}
	v->event_class = khttp_form(req, "event_class");
	v->threats = khttp_form(req, "threats");
	v->nsectors = web_form_values(req, "sectors", v->sectors, sizeof(v->sectors) / sizeof(v->sectors[0]));
	if (v->nsectors > sizeof(v->sectors) / sizeof(v->sectors[0]))
		v->nsectors = sizeof(v->sectors) / sizeof(v->sectors[0]);
	v->tlp = khttp_form(req, "tlp");
	v->owner = khttp_form(req, "owner");
	nd = web_form_values(req, "tl-day", v->day, MAX_ROWS);
	nw = web_form_values(req, "tl-when", v->when, MAX_ROWS);
	na = web_form_values(req, "tl-actor", v->actor, MAX_ROWS);
	nt = web_form_values(req, "tl-text", v->text, MAX_ROWS);
	v->nrows = nd;
	if (nw > v->nrows)
		v->nrows = nw;
	if (na > v->nrows)
		v->nrows = na;
	if (nt > v->nrows)
		v->nrows = nt;
	if (v->nrows > MAX_ROWS) {
		edit_error(e, "timeline", T_ED_ERR_TOO_MANY_ROWS, NULL);
		v->nrows = MAX_ROWS;
	}
	/* rows a form sent with fewer fields of one kind: those are empty */
	for (size_t i = nd; i < v->nrows; i++)
		v->day[i] = NULL;
	for (size_t i = nw; i < v->nrows; i++)
		v->when[i] = NULL;
	for (size_t i = na; i < v->nrows; i++)
		v->actor[i] = NULL;
	for (size_t i = nt; i < v->nrows; i++)
		v->text[i] = NULL;
	v->base = revision_number(khttp_form(req, "base"));
	if (!v->base)
		edit_error(e, "base", T_ED_ERR_BASE, NULL);
}

/* s without white space at either end, with CR LF as LF, into a new string; NULL when empty. */
static char *clean_text(const char *s)
{
	size_t n;
	char *out, *o;

	if (!s)
		return NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return NULL;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		*o++ = s[i] == '\r' ? '\n' : s[i];
	}
	*o = '\0';
	/* trailing white space of each line (a browser's textarea keeps it) */
	{
		char *r = out, *wr = out, *line_end;

		while (*r) {
			line_end = strchr(r, '\n');
			size_t ln = line_end ? (size_t)(line_end - r) : strlen(r);

			while (ln && (r[ln - 1] == ' ' || r[ln - 1] == '\t'))
				ln--;
			memmove(wr, r, ln);
			wr += ln;
			if (!line_end)
				break;
			*wr++ = '\n';
			r = line_end + 1;
		}
		*wr = '\0';
	}
	return out;
}

static int too_long(const char *s, size_t max)
{
	return s && web_form_chars(s) > max;
}

/* One line per item: trimmed, empty lines skipped, into l (cleared). */
static int set_lines(struct kstrv *l, const char *s)
{
	kstrv_clear(l);
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		const char *p = s;

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n && kstrv_pushn(l, p, n) < 0)
			return KE_NOMEM;
		s = nl ? nl + 1 : s + strlen(s);
	}
	return 0;
}

/* Items separated by commas (, 、 ，) or newlines, trimmed, none twice, into l (cleared). */
static int set_list(struct kstrv *l, const char *s)
{
	kstrv_clear(l);
	while (s && *s) {
		size_t n = 0, skip = 0;
		const char *p = s;

		for (;; n++) {
			if (!s[n])
				break;
			if (s[n] == ',' || s[n] == '\n') {
				skip = 1;
				break;
			}
			if (!strncmp(s + n, "、", 3) || !strncmp(s + n, "，", 3)) {
				skip = 3;
				break;
			}
		}
		{
			size_t m = n;
			char *item;

			while (m && isspace((unsigned char)*p)) {
				p++;
				m--;
			}
			while (m && isspace((unsigned char)p[m - 1]))
				m--;
			if (m) {
				item = strndup(p, m);
				if (!item)
					return KE_NOMEM;
				if (kstrv_contains(l, item))
					free(item);
				else if (kstrv_push_owned(l, item) < 0)
					return KE_NOMEM;
			}
		}
		s += n + skip;
	}
	return 0;
}

static int set_clean(char **dst, const char *s)
{
	char *t = clean_text(s);

	if (s && *s && !t) {
		/* white space only gives NULL too: tell the two apart */
		const char *p = s;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p)
			return KE_NOMEM;
	}
	free(*dst);
	*dst = t;
	return 0;
}

static const char *const event_classes[] = { "cyber_attack", "system_failure", "other" };

/* Check the values that need no store (field by field).  The errors go to e. */
static void vals_check(const struct edit_vals *v, struct edit_errs *e)
{
	const char *t = v->title;

	while (t && *t && isspace((unsigned char)*t))
		t++;
	if (!t || !*t)
		edit_error(e, "title", T_ED_ERR_TITLE, NULL);
	else if (too_long(v->title, MAX_TITLE))
		edit_error(e, "title", T_ED_ERR_TOO_LONG, NULL);
	if (too_long(v->category, MAX_SHORT))
		edit_error(e, "category", T_ED_ERR_TOO_LONG, NULL);
	if (too_long(v->owner, MAX_SHORT))
		edit_error(e, "owner", T_ED_ERR_TOO_LONG, NULL);
	if (too_long(v->summary, MAX_FIELD))
		edit_error(e, "summary", T_ED_ERR_TOO_LONG, NULL);
	if (too_long(v->lessons, MAX_FIELD))
		edit_error(e, "key_lessons", T_ED_ERR_TOO_LONG, NULL);
	if (too_long(v->threats, MAX_SHORT))
		edit_error(e, "threats", T_ED_ERR_TOO_LONG, NULL);
	for (int i = 0; i < KSEC__N; i++)
		if (too_long(v->sec[i], MAX_FIELD)) {
			char name[48];

			snprintf(name, sizeof(name), "sec-%s", ksection_key(i));
			edit_error(e, name, T_ED_ERR_TOO_LONG, NULL);
		}
	if (!v->tlp || !ktlp_valid(v->tlp))
		edit_error(e, "tlp", T_ED_ERR_TLP, NULL);
	if (v->event_class && *v->event_class) {
		int ok = 0;

		for (size_t i = 0; i < sizeof(event_classes) / sizeof(event_classes[0]); i++)
			ok |= !strcmp(v->event_class, event_classes[i]);
		if (!ok)
			edit_error(e, "event_class", T_ED_ERR_EVENT_CLASS, NULL);
	}
	for (size_t i = 0; i < v->nrows; i++) {
		char name[32];
		int has_text = v->text[i] && strspn(v->text[i], " \t\r\n") < strlen(v->text[i]);
		int has_other = (v->when[i] && strspn(v->when[i], " \t") < strlen(v->when[i])) ||
				(v->actor[i] && strspn(v->actor[i], " \t") < strlen(v->actor[i])) ||
				(v->day[i] && strspn(v->day[i], " \t") < strlen(v->day[i]));

		snprintf(name, sizeof(name), "tl-%zu", i);
		if (has_other && !has_text)
			edit_error(e, name, T_ED_ERR_TL_TEXT, NULL);
		if (too_long(v->when[i], MAX_SHORT) || too_long(v->actor[i], MAX_SHORT) ||
		    too_long(v->text[i], MAX_FIELD))
			edit_error(e, name, T_ED_ERR_TOO_LONG, NULL);
		if (v->day[i] && *v->day[i]) {
			const char *p = v->day[i];
			char *end;
			long d;

			while (*p == ' ')
				p++;
			d = strtol(p, &end, 10);
			while (*end == ' ')
				end++;
			if (*p && (*end || d < -999 || d > 999 || end == p))
				edit_error(e, name, T_ED_ERR_DAY, NULL);
		}
	}
}

/* Put the form's values into c (the current version: what the form does not show is kept). */
static int vals_apply(const struct edit_vals *v, struct kcase *c)
{
	char *t;

	if (set_clean(&c->title, v->title) < 0 || set_clean(&c->category, v->category) < 0 ||
	    set_lines(&c->summary, v->summary) < 0 || set_lines(&c->key_lessons, v->lessons) < 0 ||
	    set_list(&c->tags.threats, v->threats) < 0 || set_clean(&c->owner, v->owner) < 0)
		return KE_NOMEM;
	for (int i = 0; i < KSEC__N; i++)
		if (v->sec[i] && set_clean(&c->sections[i], v->sec[i]) < 0) /* a section not in the form is kept */
			return KE_NOMEM;
	if (kstr_set(&c->tags.event_class, v->event_class && *v->event_class ? v->event_class : NULL) < 0 ||
	    kstr_set(&c->tlp, v->tlp) < 0)
		return KE_NOMEM;
	kstrv_clear(&c->tags.sectors);
	for (size_t i = 0; i < v->nsectors; i++)
		if (*v->sectors[i] && !kstrv_contains(&c->tags.sectors, v->sectors[i]) &&
		    kstrv_push(&c->tags.sectors, v->sectors[i]) < 0)
			return KE_NOMEM;
	/* the timeline anew from the rows (a cleared row is gone) */
	for (size_t i = 0; i < c->ntimeline; i++) {
		free(c->timeline[i].when);
		free(c->timeline[i].actor);
		free(c->timeline[i].text);
		json_decref(c->timeline[i].extra);
	}
	c->ntimeline = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		char *when = clean_text(v->when[i]), *actor = clean_text(v->actor[i]);
		int rc, has_day = 0, day = 0;

		t = clean_text(v->text[i]);
		if (v->day[i] && strspn(v->day[i], " ") < strlen(v->day[i])) {
			has_day = 1;
			day = (int)strtol(v->day[i], NULL, 10);
		}
		rc = t ? kcase_add_event(c, has_day, day, when, actor, t) : 0;
		free(when);
		free(actor);
		free(t);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The form field kcase_validate's "FIELD: ..." is about (a section's name made in buf). */
static const char *field_of(const char *msg, char *buf, size_t bufn)
{
	static const struct {
		const char *prefix, *field;
	} map[] = {
		{ "title", "title" }, { "tlp", "tlp" }, { "owner", "owner" }, { "category", "category" },
		{ "summary", "summary" }, { "key_lessons", "key_lessons" }, { "tags.event_class", "event_class" },
		{ "tags.threats", "threats" }, { "tags.sectors", "sectors" }, { "timeline", "timeline" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(msg, map[i].prefix, strlen(map[i].prefix)))
			return map[i].field;
	if (!strncmp(msg, "sections.", 9)) {
		for (int s = 0; s < KSEC__N; s++) {
			size_t n = strlen(ksection_key(s));

			if (!strncmp(msg + 9, ksection_key(s), n) && !isalnum((unsigned char)msg[9 + n]) &&
			    msg[9 + n] != '_') {
				snprintf(buf, bufn, "sec-%s", ksection_key(s));
				return buf;
			}
		}
	}
	return "form";
}

/* ---- the editor page --------------------------------------------------------------------- */

static void field_message(struct html *w, const struct khttp_req *req, const struct edit_errs *e,
			  const char *field)
{
	int i = edit_error_of(e, field);

	if (i < 0)
		return;
	html_printf(w, "<p class=\"field-error\" id=\"f-%s-error\">%s", field, T(req, e->v[i].msg));
	if (e->v[i].detail)
		html_printf(w, " <code>%s</code>", e->v[i].detail);
	html_printf(w, "</p>\n");
}

static void text_input(struct html *w, const struct khttp_req *req, const struct edit_errs *e, const char *name,
		       const char *label, const char *value, int required, enum kmsg hint)
{
	int bad = edit_error_of(e, name) >= 0;

	html_printf(w, "<div class=\"field%R\"><label for=\"f-%s\">%s</label>\n"
		    "<input id=\"f-%s\" name=\"%s\" type=\"text\" value=\"%s\"%R%R>\n",
		    bad ? " has-error" : "", name, label, name, name, value ? value : "", required ? " required" : "",
		    bad ? " aria-invalid=\"true\"" : "");
	if (hint)
		html_printf(w, "<p class=\"field-hint\">%s</p>\n", T(req, hint));
	field_message(w, req, e, name);
	html_printf(w, "</div>\n");
}

static void textarea(struct html *w, const struct khttp_req *req, const struct edit_errs *e, const char *name,
		     const char *label, const char *value, int rows, enum kmsg hint)
{
	int bad = edit_error_of(e, name) >= 0;

	/* a newline right after <textarea> is dropped by the parser: one more keeps a value's own */
	html_printf(w, "<div class=\"field%R\"><label for=\"f-%s\">%s</label>\n"
		    "<textarea id=\"f-%s\" name=\"%s\" rows=\"%d\" lang=\"ja\"%R>\n%s</textarea>\n",
		    bad ? " has-error" : "", name, label, name, name, rows, bad ? " aria-invalid=\"true\"" : "",
		    value ? value : "");
	if (hint)
		html_printf(w, "<p class=\"field-hint\">%s</p>\n", T(req, hint));
	field_message(w, req, e, name);
	html_printf(w, "</div>\n");
}

static int rows_for(const char *s, int min)
{
	int n = 1;

	for (; s && *s; s++)
		n += *s == '\n';
	n += 1;
	return n < min ? min : n > 30 ? 30 : n;
}

static int sector_selected(const struct edit_vals *v, const char *tag)
{
	for (size_t i = 0; i < v->nsectors; i++)
		if (!strcmp(v->sectors[i], tag))
			return 1;
	return 0;
}

static void render_editor(struct html *w, struct khttp_req *req, int draft, const char *id, const char *title,
			  const struct edit_vals *v, const struct edit_errs *e)
{
	const char *base_path = draft ? "/drafts/%U" : "/cases/%U";
	char buf[64];
	int first_other = 1;

	html_printf(w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>",
		    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	if (draft)
		html_printf(w, "<li><a href=\"%s\">%s</a></li>", web_url(req, "/drafts", NULL), T(req, T_ED_DRAFTS));
	html_printf(w, "<li><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a></li><li aria-current=\"page\">%s</li></ol></nav>\n",
		    web_url(req, base_path, id, NULL), title, T(req, T_ED_EDIT));
	html_printf(w, "<h1>%s <span class=\"muted\" lang=\"ja\" dir=\"auto\">– %s</span></h1>\n",
		    T(req, draft ? T_ED_EDIT_DRAFT : T_ED_EDIT_CASE), title);
	if (draft)
		html_printf(w, "<p class=\"draft-banner\" role=\"note\">%s</p>\n", T(req, T_ED_DRAFT_BANNER));
	html_printf(w, "<p class=\"lead\">%s</p>\n", T(req, T_ED_EDIT_LEAD));
	if (e && e->stale) {
		snprintf(buf, sizeof(buf), "%d", v->base);
		html_printf(w, "<div class=\"form-error stale\" role=\"alert\"><p>");
		{
			char msg[1024];

			snprintf(msg, sizeof(msg), T(req, T_ED_STALE), v->base, e->stale);
			html_printf(w, "%s</p><ul><li><a href=\"%s\">%s</a></li>", msg,
				    web_url(req, base_path, id, NULL), T(req, T_ED_STALE_VIEW));
		}
		{
			char to[16];

			snprintf(to, sizeof(to), "%d", e->stale);
			html_printf(w, "<li><a href=\"%s\">%s</a></li>",
				    web_url(req, draft ? "/drafts/%U/diff" : "/cases/%U/diff", id, "from", buf, "to", to, NULL),
				    T(req, T_ED_STALE_DIFF));
		}
		html_printf(w, "<li><a href=\"%s\">%s</a></li></ul></div>\n",
			    web_url(req, draft ? "/drafts/%U/edit" : "/cases/%U/edit", id, NULL), T(req, T_ED_STALE_EDIT));
	} else if (e && e->n) {
		html_printf(w, "<p class=\"form-error\" role=\"alert\">%s</p>\n", T(req, T_FORM_HAS_ERRORS));
		field_message(w, req, e, "form");
	}
	web_form_begin(w, req, web_url(req, draft ? "/drafts/%U/edit" : "/cases/%U/edit", id, NULL), "form edit-form");
	snprintf(buf, sizeof(buf), "%d", v->base);
	html_printf(w, "<input type=\"hidden\" name=\"base\" value=\"%s\">\n", buf);
	field_message(w, req, e, "base");

	html_printf(w, "<fieldset><legend>%s</legend>\n", T(req, T_FIELD_TITLE));
	text_input(w, req, e, "title", T(req, T_FIELD_TITLE), v->title, 1, 0);
	text_input(w, req, e, "category", T(req, T_ED_CATEGORY), v->category, 0, 0);
	textarea(w, req, e, "summary", T(req, T_OVERVIEW), v->summary, rows_for(v->summary, 3), T_ED_LINES_HINT);
	textarea(w, req, e, "key_lessons", T(req, T_KEY_LESSONS), v->lessons, rows_for(v->lessons, 3),
		 T_ED_LINES_HINT);
	html_printf(w, "</fieldset>\n<fieldset><legend>%s</legend>\n", T(req, T_FIELD_SECTIONS));
	for (int i = 0; i < KSEC__N; i++) {
		int sec = ksection_display_order[i];
		char name[48];

		/* the template's six always; impact, mitigation, challenges when the case has them */
		if (sec > KSEC_LESSONS && !v->sec[sec])
			continue;
		if (sec > KSEC_LESSONS && first_other)
			first_other = 0;
		snprintf(name, sizeof(name), "sec-%s", ksection_key(sec));
		textarea(w, req, e, name, i18n_section(req->lang, sec), v->sec[sec], rows_for(v->sec[sec], 5),
			 i == 0 ? T_ED_SECTION_HINT : 0);
	}
	html_printf(w, "</fieldset>\n");

	/* the timeline: a row per event, and empty rows to add */
	html_printf(w, "<fieldset class=\"timeline-edit\"><legend>%s</legend>\n<p class=\"field-hint\">%s</p>\n",
		    T(req, T_TIMELINE), T(req, T_ED_TIMELINE_HINT));
	field_message(w, req, e, "timeline");
	html_printf(w, "<div class=\"table-scroll\"><table class=\"data tl-edit\"><thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "</tr></thead>\n<tbody>\n",
		    T(req, T_ED_TL_DAY), T(req, T_TL_WHEN), T(req, T_TL_ACTOR), T(req, T_TL_TEXT));
	for (size_t i = 0; i < v->nrows + EMPTY_ROWS && i < MAX_ROWS; i++) {
		int empty = i >= v->nrows;
		char name[32], n1[16];

		snprintf(name, sizeof(name), "tl-%zu", i);
		snprintf(n1, sizeof(n1), "%zu", i + 1);
		html_printf(w, "<tr%R><td><input name=\"tl-day\" type=\"text\" inputmode=\"numeric\" size=\"4\" "
			    "aria-label=\"%s %s\" value=\"%s\"></td>"
			    "<td><input name=\"tl-when\" type=\"text\" size=\"10\" aria-label=\"%s %s\" value=\"%s\"></td>"
			    "<td><input name=\"tl-actor\" type=\"text\" size=\"12\" aria-label=\"%s %s\" value=\"%s\"></td>"
			    "<td><textarea name=\"tl-text\" rows=\"2\" aria-label=\"%s %s\">\n%s</textarea>",
			    edit_error_of(e, name) >= 0 ? " class=\"has-error\"" : "",
			    T(req, T_ED_TL_DAY), n1, empty ? "" : v->day[i],
			    T(req, T_TL_WHEN), n1, empty ? "" : v->when[i],
			    T(req, T_TL_ACTOR), n1, empty ? "" : v->actor[i],
			    T(req, T_TL_TEXT), n1, empty ? "" : v->text[i]);
		field_message(w, req, e, name);
		html_printf(w, "</td></tr>\n");
	}
	html_printf(w, "</tbody></table></div>\n</fieldset>\n");

	/* tags, sharing, owner */
	html_printf(w, "<fieldset><legend>%s</legend>\n", T(req, T_TAGS));
	{
		int bad = edit_error_of(e, "event_class") >= 0;

		html_printf(w, "<div class=\"field%R\"><label for=\"f-event_class\">%s</label>\n"
			    "<select id=\"f-event_class\" name=\"event_class\">\n<option value=\"\">%s</option>\n",
			    bad ? " has-error" : "", T(req, T_FACET_EVENT_CLASS), T(req, T_ED_EVENT_CLASS_NONE));
		for (size_t i = 0; i < sizeof(event_classes) / sizeof(event_classes[0]); i++)
			html_printf(w, "<option value=\"%s\"%R>%s</option>\n", event_classes[i],
				    v->event_class && !strcmp(v->event_class, event_classes[i]) ? " selected" : "",
				    i18n_tag(req->lang, event_classes[i]));
		html_printf(w, "</select>\n");
		field_message(w, req, e, "event_class");
		html_printf(w, "</div>\n");
	}
	text_input(w, req, e, "threats", T(req, T_ED_THREATS), v->threats, 0, T_ED_THREATS_HINT);
	html_printf(w, "<fieldset class=\"field checks\"><legend>%s</legend>\n", T(req, T_ED_SECTORS));
	for (size_t i = 0; i < KSECTOR_N; i++)
		html_printf(w, "<label class=\"check\"><input type=\"checkbox\" name=\"sectors\" value=\"%s\"%R> %s</label>\n",
			    ksector_tags[i], sector_selected(v, ksector_tags[i]) ? " checked" : "",
			    web_sector_label(req, ksector_tags[i]));
	for (size_t i = 0; i < v->nsectors; i++) { /* tags that are not one of the 15: kept unless unticked */
		int known = 0;

		for (size_t k = 0; k < KSECTOR_N; k++)
			known |= !strcmp(v->sectors[i], ksector_tags[k]);
		if (!known)
			html_printf(w, "<label class=\"check\"><input type=\"checkbox\" name=\"sectors\" value=\"%s\" checked> %s</label>\n",
				    v->sectors[i], v->sectors[i]);
	}
	field_message(w, req, e, "sectors");
	html_printf(w, "</fieldset>\n</fieldset>\n<fieldset><legend>%s</legend>\n", T(req, T_SHARING));
	{
		static const char *const levels[] = { "clear", "green", "amber", "amber+strict", "red" };
		int bad = edit_error_of(e, "tlp") >= 0;

		html_printf(w, "<div class=\"field%R\"><label for=\"f-tlp\">%s</label>\n<select id=\"f-tlp\" name=\"tlp\">\n",
			    bad ? " has-error" : "", T(req, T_FIELD_TLP));
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			html_printf(w, "<option value=\"%s\"%R>%s</option>\n", levels[i],
				    v->tlp && !strcmp(v->tlp, levels[i]) ? " selected" : "", i18n_tag(req->lang, levels[i]));
		html_printf(w, "</select>\n");
		field_message(w, req, e, "tlp");
		html_printf(w, "</div>\n");
	}
	text_input(w, req, e, "owner", T(req, T_ED_OWNER), v->owner, 0, T_ED_OWNER_HINT);
	html_printf(w, "</fieldset>\n<div class=\"form-actions\"><button class=\"button\" type=\"submit\">%s</button> "
		    "<a href=\"%s\">%s</a></div>\n</form>\n",
		    T(req, T_ED_SAVE), web_url(req, base_path, id, NULL), T(req, T_ED_CANCEL));
}

static int editor_page(struct khttp_req *req, struct khttp_resp *resp, int draft, const char *id,
		       const char *title, const struct edit_vals *v, const struct edit_errs *e, struct kerr *err)
{
	struct html w;

	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, draft ? T_ED_EDIT_DRAFT : T_ED_EDIT_CASE), "", "page-edit");
	render_editor(&w, req, draft, id, title, v, e);
	web_end(&w, req);
	resp->no_store = 1;
	resp->cache_control = "no-store";
	return web_finish(&w, resp, err);
}

static int edit_form(struct khttp_req *req, struct khttp_resp *resp, int draft, struct kerr *err)
{
	const char *id = req->args[0];
	struct kcase c;
	struct web_revs rs;
	struct edit_vals *v = calloc(1, sizeof(*v));
	int rc;

	kcase_init(&c);
	memset(&rs, 0, sizeof(rs));
	if (!v) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (!kreader_can(req->reader, KCAP_CASE_EDIT) && !(draft && kreader_may_see_drafts(req->reader))) {
		rc = draft ? kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_NO_SUCH_DRAFT))
			   : kerr_set(err, KE_DENIED, "%s", T(req, T_NEED_ROLE));
		goto out;
	}
	rc = web_load_target(req, req->st, draft, id, &c, err);
	if (rc < 0)
		goto out;
	rc = web_revs_load(req, req->st, id, draft, &rs, err);
	if (rc < 0)
		goto out;
	vals_from_case(req, &c, rs.latest, v);
	rc = editor_page(req, resp, draft, id, c.title, v, NULL, err);
out:
	free(v);
	web_revs_free(&rs);
	kcase_free(&c);
	return rc;
}

int web_case_edit_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return edit_form(req, resp, 0, err);
}

int web_draft_edit_form(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return edit_form(req, resp, 1, err);
}

struct find_incident {
	const char *id;
	char *incident;
};

static int find_incident_cb(void *vctx, const struct kdraft_row *d)
{
	struct find_incident *fi = vctx;

	if (d->id && !strcmp(d->id, fi->id) && d->incident && *d->incident) {
		fi->incident = strdup(d->incident);
		return fi->incident ? 1 : KE_NOMEM;
	}
	return 0;
}

struct latest {
	int revision;
};

static int latest_cb(void *vctx, const struct krevision *r)
{
	struct latest *l = vctx;

	if (r->revision > l->revision)
		l->revision = r->revision;
	return 0;
}

static int edit_save(struct khttp_req *req, struct khttp_resp *resp, int draft, struct kerr *err)
{
	const char *id = req->args[0];
	struct edit_vals *v = calloc(1, sizeof(*v));
	struct edit_errs *e = calloc(1, sizeof(*e));
	struct find_incident fi = { id, NULL };
	struct latest lt = { 0 };
	struct kstore *rw = NULL;
	struct kcase c;
	struct kerr verr = KERR_INIT;
	int rc, outcome = 0, in_tx = 0;
	char *title = NULL;

	kcase_init(&c);
	if (!v || !e) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	/* who may edit, and what: as the form (a draft or a case this reader may see) */
	rc = web_load_target(req, req->st, draft, id, &c, err);
	if (rc < 0)
		goto out;
	if (!(title = strdup(c.title ? c.title : id))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	vals_from_form(req, v, e);
	vals_check(v, e);
	if (e->n) {
		resp->status = 400;
		rc = editor_page(req, resp, draft, id, title, v, e, err);
		goto out;
	}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	rc = kstore_begin(rw, err);
	if (rc < 0)
		goto out;
	in_tx = 1;
	/* in the transaction: the latest revision and the version to change, as they are now */
	rc = kstore_history(rw, id, latest_cb, &lt, err);
	if (rc >= 0) {
		kcase_free(&c);
		kcase_init(&c);
		rc = web_load_target(req, rw, draft, id, &c, err);
	}
	if (rc < 0)
		goto out;
	if (lt.revision != v->base) {
		kstore_rollback(rw);
		in_tx = 0;
		e->stale = lt.revision;
		resp->status = 409;
		rc = editor_page(req, resp, draft, id, title, v, e, err);
		goto out;
	}
	rc = vals_apply(v, &c);
	if (rc < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	if (kcase_validate(&c, &verr) < 0) {
		kstore_rollback(rw);
		in_tx = 0;
		char fname[48];

		edit_error(e, field_of(verr.msg, fname, sizeof(fname)), T_ED_ERR_INVALID, khttp_keep(req, strdup(verr.msg)));
		resp->status = 400;
		rc = editor_page(req, resp, draft, id, title, v, e, err);
		goto out;
	}
	if (draft) {
		rc = kstore_draft_list(rw, find_incident_cb, &fi, err);
		if (rc == 1)
			rc = 0;
		if (rc >= 0)
			rc = kstore_draft_put(rw, &c, fi.incident, &outcome, err);
	} else {
		rc = kstore_put(rw, &c, &outcome, err);
	}
	if (rc < 0)
		goto out;
	rc = kstore_commit(rw, err);
	in_tx = 0;
	if (rc < 0)
		goto out;
	rc = web_form_redirect(resp, web_url(req, draft ? "/drafts/%U" : "/cases/%U", id, "done",
					     outcome == KSTORE_UNCHANGED ? "unchanged" : "saved", NULL), err);
out:
	if (in_tx)
		kstore_rollback(rw);
	free(fi.incident);
	free(title);
	free(v);
	free(e);
	kcase_free(&c);
	return rc;
}

int web_case_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return edit_save(req, resp, 0, err);
}

int web_draft_edit(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	return edit_save(req, resp, 1, err);
}

/* ---- drafts ------------------------------------------------------------------------------ */

struct draft_list {
	struct html *w;
	const struct khttp_req *req;
	int n;
};

static int draft_row(void *vctx, const struct kdraft_row *d)
{
	struct draft_list *dl = vctx;
	const struct khttp_req *req = dl->req;

	html_printf(dl->w, "<tr><td lang=\"ja\"><a href=\"%s\" dir=\"auto\">%s</a><div class=\"meta\"><code>%s</code></div></td><td>",
		    web_url(req, "/drafts/%U", d->id, NULL), d->title && *d->title ? d->title : d->id, d->id);
	if (d->incident && *d->incident)
		html_printf(dl->w, "<a href=\"%s\">%s</a>", web_url(req, "/incidents/%U", d->incident, NULL), d->incident);
	html_printf(dl->w, "</td><td class=\"num\">%d</td><td>%s</td><td>%s</td></tr>\n", d->revision,
		    d->author ? d->author : T(req, T_ED_UNKNOWN_AUTHOR), web_time(req, d->updated));
	dl->n++;
	return 0;
}

int web_drafts(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct kbuf rows = KBUF_INIT;
	struct html w, inner;
	struct draft_list dl;
	int rc;

	if (!kreader_may_see_drafts(req->reader))
		return kerr_set(err, KE_NOTFOUND, "%s", "");
	html_init(&inner, &rows);
	dl.w = &inner;
	dl.req = req;
	dl.n = 0;
	rc = kstore_draft_list(req->st, draft_row, &dl, err);
	if (rc < 0)
		goto out;
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ED_DRAFTS), "", "page-drafts");
	html_printf(&w, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", T(req, T_ED_DRAFTS), T(req, T_ED_DRAFTS_LEAD));
	web_form_notice(&w, req);
	web_tz_choice(&w, req, "/drafts", NULL);
	if (!dl.n) {
		html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_ED_NO_DRAFTS));
	} else {
		html_printf(&w, "<div class=\"table-scroll\"><table class=\"data drafts\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
			    T(req, T_TITLE), T(req, T_ED_INCIDENT), T(req, T_REVISION), T(req, T_ED_AUTHOR),
			    T(req, T_ED_UPDATED));
		if (!inner.err && kbuf_add(w.out, rows.buf, rows.len) < 0)
			w.err = KE_NOMEM;
		html_printf(&w, "</tbody></table></div>\n");
	}
	if (inner.err)
		w.err = inner.err;
	web_end(&w, req);
	resp->no_store = 1;
	rc = web_finish(&w, resp, err);
out:
	kbuf_release(&rows);
	return rc;
}

int web_draft(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *id = req->args[0];
	struct find_incident fi = { id, NULL };
	struct kcase c;
	struct html w;
	int rc;

	kcase_init(&c);
	rc = web_load_target(req, req->st, 1, id, &c, err);
	if (rc < 0)
		goto out;
	rc = kstore_draft_list(req->st, find_incident_cb, &fi, err); /* the incident it was made from */
	if (rc < 0)
		goto out;
	html_init(&w, &resp->body);
	web_begin(&w, req, c.title, "", "page-case page-draft");
	html_printf(&w, "<p class=\"draft-banner\" role=\"note\"><strong>%s</strong></p>\n", T(req, T_ED_DRAFT_BANNER));
	web_form_notice(&w, req);
	html_printf(&w, "<div class=\"case-layout\">\n<article class=\"case\">\n");
	web_case_render(&w, req, &c);
	html_printf(&w, "</article>\n<aside class=\"case-side\">\n<section class=\"side-box\"><h2>%s</h2><ul class=\"tools\">",
		    T(req, T_CASE_TOOLS));
	if (kreader_can(req->reader, KCAP_CASE_EDIT))
		html_printf(&w, "<li><a class=\"button\" href=\"%s\">%s</a></li>",
			    web_url(req, "/drafts/%U/edit", id, NULL), T(req, T_ED_EDIT));
	html_printf(&w, "<li><a class=\"button secondary\" href=\"%s\">%s</a></li>"
		    "<li><a class=\"button secondary\" href=\"%s\">%s</a></li></ul>\n",
		    web_url(req, "/drafts/%U/history", id, NULL), T(req, T_HISTORY),
		    web_url(req, "/drafts", NULL), T(req, T_ED_DRAFTS));
	if (fi.incident)
		html_printf(&w, "<p class=\"draft-incident\">%s: <a href=\"%s\">%s</a></p>\n", T(req, T_ED_INCIDENT),
			    web_url(req, "/incidents/%U", fi.incident, NULL), fi.incident);
	html_printf(&w, "</section>\n");
	web_approve_draft_boxes(&w, req, &c); /* the organisation's approval; for publishers the publish gate */
	/* issue 13, h-select: why it was chosen or not (選定理由) */
	if ((rc = web_select_reasons_box(&w, req, req->st, id, err)) < 0)
		goto out;
	html_printf(&w, "</aside>\n</div>\n");
	web_end(&w, req);
	resp->no_store = 1;
	rc = web_finish(&w, resp, err);
out:
	free(fi.incident);
	kcase_free(&c);
	return rc;
}

int web_draft_publish(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	const char *id = req->args[0];
	struct kcase c;
	int rc;

	kcase_init(&c);
	rc = web_load_target(req, req->st, 1, id, &c, err);
	kcase_free(&c);
	if (rc < 0)
		return rc;
	return web_approve_publish(req, resp, id, err); /* through the publish gate (web_approve.c) */
}

/* ---- old revisions and diffs ---------------------------------------------------------------- */

/* The target of a history page (a draft or a case) for this reader, and its revisions. */
static int load_history(struct khttp_req *req, int draft, struct kcase *c, struct web_revs *rs, struct kerr *err)
{
	int rc = web_load_target(req, req->st, draft, req->args[0], c, err);

	if (rc < 0)
		return rc;
	return web_revs_load(req, req->st, req->args[0], draft, rs, err);
}

int web_case_revision(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	int draft = web_path_is_draft(req), n = revision_number(req->args[1]);
	const char *base = draft ? "/drafts/%U" : "/cases/%U";
	const struct web_rev *r;
	struct web_revs rs;
	struct kcase c, old;
	struct html w;
	char lbl[64];
	int rc;

	kcase_init(&c);
	kcase_init(&old);
	memset(&rs, 0, sizeof(rs));
	rc = load_history(req, draft, &c, &rs, err);
	if (rc < 0)
		goto out;
	if (!(r = web_revs_find(&rs, n))) {
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_BAD_REVISION));
		goto out;
	}
	rc = kcase_from_json(&old, r->json, err);
	if (rc < 0)
		goto out;
	snprintf(lbl, sizeof(lbl), T(req, T_ED_REVISION_N), r->revision);
	html_init(&w, &resp->body);
	web_begin(&w, req, lbl, "", "page-case page-revision");
	html_printf(&w, "<div class=\"old-banner\" role=\"note\"><p><strong>%s</strong> · %s · %s%R%s%R</p><p>%s</p>"
		    "<p><a href=\"%s\">%s</a> · <a href=\"%s\">%s</a></p></div>\n",
		    lbl, web_time(req, r->saved), r->author ? r->author : T(req, T_ED_UNKNOWN_AUTHOR),
		    r->draft ? " · <span class=\"chip draft-chip\">" : "", r->draft ? T(req, T_ED_DRAFT_MARK) : "",
		    r->draft ? "</span>" : "", r->current ? T(req, T_CURRENT) : T(req, T_ED_OLD_BANNER),
		    web_url(req, draft ? "/drafts/%U/history" : "/cases/%U/history", c.id, "tz", khttp_param(req, "tz"), NULL),
		    T(req, T_HISTORY), web_url(req, base, c.id, NULL), T(req, draft ? T_ED_BACK_TO_DRAFT : T_BACK_TO_CASE));
	html_printf(&w, "<article class=\"case\">\n");
	web_case_render(&w, req, &old);
	html_printf(&w, "</article>\n");
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	web_revs_free(&rs);
	kcase_free(&old);
	kcase_free(&c);
	return rc;
}

/* The lines of one field of a case, for the diff. */
struct lines {
	char **v;
	size_t n, alloc;
};

static int lines_add(struct lines *l, const char *s, size_t n)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 16;
		char **nv = realloc(l->v, na * sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		l->v = nv;
		l->alloc = na;
	}
	if (!(l->v[l->n] = strndup(s, n)))
		return KE_NOMEM;
	l->n++;
	return 0;
}

static int lines_split(struct lines *l, const char *s)
{
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		if (lines_add(l, s, n) < 0)
			return KE_NOMEM;
		s += n + (nl ? 1 : 0);
	}
	return 0;
}

static int lines_addf(struct lines *l, const char *a, const char *b)
{
	struct kbuf x = KBUF_INIT;
	int rc;

	kbuf_adds(&x, a);
	kbuf_adds(&x, b ? b : "");
	rc = kbuf_adds(&x, "") < 0 ? KE_NOMEM : lines_add(l, kbuf_str(&x), x.len);
	kbuf_release(&x);
	return rc;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

enum {
	DF_TITLE, DF_CATEGORY, DF_SUMMARY, DF_LESSONS, DF_SECTION0,
	DF_TIMELINE = DF_SECTION0 + KSEC__N, DF_TAGS, DF_TLP, DF_OWNER, DF_RECIPIENTS, DF_SOURCE, DF__N
};

/* The lines of field f of c (its sections in display order: f - DF_SECTION0 is the display index). */
static int field_lines(const struct kcase *c, int f, struct lines *l)
{
	char buf[64];
	int rc = 0;

	switch (f) {
	case DF_TITLE: return c->title ? lines_split(l, c->title) : 0;
	case DF_CATEGORY: return c->category ? lines_split(l, c->category) : 0;
	case DF_SUMMARY:
		for (size_t i = 0; i < c->summary.n && !rc; i++)
			rc = lines_split(l, c->summary.v[i]);
		return rc;
	case DF_LESSONS:
		for (size_t i = 0; i < c->key_lessons.n && !rc; i++)
			rc = lines_split(l, c->key_lessons.v[i]);
		return rc;
	case DF_TIMELINE:
		for (size_t i = 0; i < c->ntimeline && !rc; i++) {
			const struct kevent *e = &c->timeline[i];
			struct kbuf x = KBUF_INIT;

			if (e->has_day)
				kbuf_addf(&x, "[%d] ", e->day);
			kbuf_adds(&x, e->when ? e->when : "");
			kbuf_adds(&x, " | ");
			kbuf_adds(&x, e->actor ? e->actor : "");
			kbuf_adds(&x, " | ");
			kbuf_adds(&x, e->text ? e->text : "");
			for (char *p = x.buf; p && p < x.buf + x.len; p++)
				if (*p == '\n')
					*p = ' ';
			rc = kbuf_adds(&x, "") < 0 ? KE_NOMEM : lines_add(l, kbuf_str(&x), x.len);
			kbuf_release(&x);
		}
		return rc;
	case DF_TAGS:
		if (c->tags.event_class)
			rc = lines_addf(l, "event_class: ", c->tags.event_class);
		for (size_t i = 0; i < c->tags.threats.n && !rc; i++)
			rc = lines_addf(l, "threat: ", c->tags.threats.v[i]);
		for (size_t i = 0; i < c->tags.sectors.n && !rc; i++)
			rc = lines_addf(l, "sector: ", c->tags.sectors.v[i]);
		return rc;
	case DF_TLP: return c->tlp ? lines_split(l, c->tlp) : 0;
	case DF_OWNER: return c->owner ? lines_split(l, c->owner) : 0;
	case DF_RECIPIENTS:
		for (size_t i = 0; i < c->recipients.n && !rc; i++)
			rc = lines_add(l, c->recipients.v[i], strlen(c->recipients.v[i]));
		return rc;
	case DF_SOURCE:
		if (c->source.document)
			rc = lines_addf(l, "document: ", c->source.document);
		if (!rc && c->source.has_year) {
			snprintf(buf, sizeof(buf), "%d", c->source.year);
			rc = lines_addf(l, "year: ", buf);
		}
		if (!rc && c->source.has_case_number) {
			snprintf(buf, sizeof(buf), "%d", c->source.case_number);
			rc = lines_addf(l, "case_number: ", buf);
		}
		return rc;
	default:
		if (f >= DF_SECTION0 && f < DF_SECTION0 + KSEC__N) {
			int sec = ksection_display_order[f - DF_SECTION0];

			return c->sections[sec] ? lines_split(l, c->sections[sec]) : 0;
		}
		return 0;
	}
}

static const char *field_label(const struct khttp_req *req, int f)
{
	switch (f) {
	case DF_TITLE: return T(req, T_FIELD_TITLE);
	case DF_CATEGORY: return T(req, T_CATEGORY);
	case DF_SUMMARY: return T(req, T_OVERVIEW);
	case DF_LESSONS: return T(req, T_KEY_LESSONS);
	case DF_TIMELINE: return T(req, T_TIMELINE);
	case DF_TAGS: return T(req, T_TAGS);
	case DF_TLP: return T(req, T_FIELD_TLP);
	case DF_OWNER: return T(req, T_ED_OWNER);
	case DF_RECIPIENTS: return T(req, T_CASE_RECIPIENTS);
	case DF_SOURCE: return T(req, T_FIELD_SOURCE);
	default: return i18n_section(req->lang, ksection_display_order[f - DF_SECTION0]);
	}
}

/*
 * A line diff of a and b (longest common subsequence), printed as rows:
 * unchanged lines plain, deletions and additions marked with − / + and a
 * word, <del>/<ins>, and a colour from the style sheet.  1 if they differ.
 */
static int render_line_diff(struct html *w, const struct khttp_req *req, const struct lines *a, const struct lines *b)
{
	size_t n = a->n, m = b->n, i = 0, j = 0;
	unsigned *t = NULL;
	int same = n == m;

	for (size_t k = 0; same && k < n; k++)
		same = !strcmp(a->v[k], b->v[k]);
	if (same)
		return 0;
	if ((n + 1) * (m + 1) <= MAX_DIFF_CELLS)
		t = calloc((n + 1) * (m + 1), sizeof(*t));
	if (t) {
		/* t[i][j]: the longest common subsequence of a[i..] and b[j..] */
		for (size_t x = n; x-- > 0;)
			for (size_t y = m; y-- > 0;)
				t[x * (m + 1) + y] = !strcmp(a->v[x], b->v[y]) ? t[(x + 1) * (m + 1) + y + 1] + 1
					: t[(x + 1) * (m + 1) + y] > t[x * (m + 1) + y + 1] ? t[(x + 1) * (m + 1) + y]
					: t[x * (m + 1) + y + 1];
	}
	html_printf(w, "<table class=\"diff\"><tbody>\n");
	while (i < n || j < m) {
		if (t && i < n && j < m && !strcmp(a->v[i], b->v[j])) {
			html_printf(w, "<tr class=\"diff-same\"><td class=\"diff-mark\"></td><td lang=\"ja\">%s</td></tr>\n", a->v[i]);
			i++;
			j++;
		} else if (i < n && (j >= m || !t || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
			html_printf(w, "<tr class=\"diff-del\"><td class=\"diff-mark\">−<span class=\"visually-hidden\"> %s</span></td>"
				    "<td lang=\"ja\"><del>%s</del></td></tr>\n", T(req, T_ED_DELETED), a->v[i]);
			i++;
		} else {
			html_printf(w, "<tr class=\"diff-add\"><td class=\"diff-mark\">+<span class=\"visually-hidden\"> %s</span></td>"
				    "<td lang=\"ja\"><ins>%s</ins></td></tr>\n", T(req, T_ED_ADDED), b->v[j]);
			j++;
		}
	}
	html_printf(w, "</tbody></table>\n");
	free(t);
	return 1;
}

/* The form to pick two revisions (on the history page and the diff page). */
void web_diff_form(struct html *w, const struct khttp_req *req, int draft, const char *id,
		   const struct web_revs *rs, int from, int to)
{
	html_printf(w, "<form class=\"form diff-form\" method=\"get\" action=\"%s\">\n",
		    web_url(req, draft ? "/drafts/%U/diff" : "/cases/%U/diff", id, NULL));
	if (req->lang_explicit)
		html_printf(w, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", T(req, T_LANG_CODE));
	html_printf(w, "<input type=\"hidden\" name=\"tz\" value=\"%s\">\n", web_tz(req));
	for (int k = 0; k < 2; k++) {
		int sel = k ? to : from;

		html_printf(w, "<label>%s <select name=\"%R\">\n", T(req, k ? T_ED_TO : T_ED_FROM), k ? "to" : "from");
		for (size_t i = 0; i < rs->n; i++) {
			char lbl[64];

			snprintf(lbl, sizeof(lbl), T(req, T_ED_REVISION_N), rs->v[i].revision);
			html_printf(w, "<option value=\"%d\"%R>%s · %s</option>\n", rs->v[i].revision,
				    rs->v[i].revision == sel ? " selected" : "", lbl, web_time(req, rs->v[i].saved));
		}
		html_printf(w, "</select></label>\n");
	}
	html_printf(w, "<button class=\"button secondary\" type=\"submit\">%s</button>\n</form>\n", T(req, T_ED_DIFF));
}

/* The diff of a and b field by field (web.h). */
int web_case_diff_fields(struct html *w, const struct khttp_req *req, const struct kcase *a, const struct kcase *b,
			 int level)
{
	int any = 0;

	for (int f = 0; f < DF__N; f++) {
		struct lines x = { 0 }, y = { 0 };
		struct kbuf body = KBUF_INIT;
		struct html inner;

		if (field_lines(a, f, &x) < 0 || field_lines(b, f, &y) < 0) {
			lines_free(&x);
			lines_free(&y);
			w->err = KE_NOMEM;
			break;
		}
		html_init(&inner, &body);
		if (render_line_diff(&inner, req, &x, &y)) {
			any = 1;
			html_printf(w, "<section class=\"diff-field\"><h%d>%s</h%d>\n", level, field_label(req, f), level);
			if (!inner.err && kbuf_add(w->out, body.buf, body.len) < 0)
				w->err = KE_NOMEM;
			html_printf(w, "</section>\n");
		}
		if (inner.err)
			w->err = inner.err;
		kbuf_release(&body);
		lines_free(&x);
		lines_free(&y);
	}
	return any;
}

int web_case_diff(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	int draft = web_path_is_draft(req);
	int from = revision_number(khttp_param(req, "from")), to = revision_number(khttp_param(req, "to"));
	const struct web_rev *ra, *rb;
	struct web_revs rs;
	struct kcase c, a, b;
	struct html w;
	char la[64], lb[64], na[16], nb[16];
	int rc, any = 0;

	kcase_init(&c);
	kcase_init(&a);
	kcase_init(&b);
	memset(&rs, 0, sizeof(rs));
	rc = load_history(req, draft, &c, &rs, err);
	if (rc < 0)
		goto out;
	/* without both: the one before the latest and the latest */
	if (!from && !to && rs.n) {
		to = rs.v[0].revision;
		from = rs.n > 1 ? rs.v[1].revision : to;
	}
	ra = web_revs_find(&rs, from);
	rb = web_revs_find(&rs, to);
	if (!ra || !rb) {
		rc = kerr_set(err, KE_NOTFOUND, "%s", T(req, T_ED_BAD_REVISION));
		goto out;
	}
	if ((rc = kcase_from_json(&a, ra->json, err)) < 0 || (rc = kcase_from_json(&b, rb->json, err)) < 0)
		goto out;
	snprintf(la, sizeof(la), T(req, T_ED_REVISION_N), from);
	snprintf(lb, sizeof(lb), T(req, T_ED_REVISION_N), to);
	snprintf(na, sizeof(na), "%d", from);
	snprintf(nb, sizeof(nb), "%d", to);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_ED_DIFF_TITLE), "", "page-diff");
	html_printf(&w, "<nav class=\"crumbs\" aria-label=\"breadcrumb\"><ol><li><a href=\"%s\">%s</a></li>",
		    web_url(req, "/", NULL), T(req, T_NAV_HOME));
	if (draft)
		html_printf(&w, "<li><a href=\"%s\">%s</a></li>", web_url(req, "/drafts", NULL), T(req, T_ED_DRAFTS));
	html_printf(&w, "<li><a href=\"%s\" lang=\"ja\" dir=\"auto\">%s</a></li><li><a href=\"%s\">%s</a></li>"
		    "<li aria-current=\"page\">%s</li></ol></nav>\n",
		    web_url(req, draft ? "/drafts/%U" : "/cases/%U", c.id, NULL),
		    c.title, web_url(req, draft ? "/drafts/%U/history" : "/cases/%U/history", c.id, "tz", khttp_param(req, "tz"), NULL),
		    T(req, T_HISTORY), T(req, T_ED_DIFF_TITLE));
	html_printf(&w, "<h1>%s <span class=\"muted\" lang=\"ja\" dir=\"auto\">– %s</span></h1>\n", T(req, T_ED_DIFF_TITLE),
		    c.title);
	html_printf(&w, "<p class=\"diff-head\"><span class=\"diff-del-key\">− <a href=\"%s\">%s</a> · %s · %s</span><br>"
		    "<span class=\"diff-add-key\">+ <a href=\"%s\">%s</a> · %s · %s</span></p>\n",
		    web_url(req, draft ? "/drafts/%U/revisions/%U" : "/cases/%U/revisions/%U", c.id, na, NULL),
		    la, web_time(req, ra->saved), ra->author ? ra->author : T(req, T_ED_UNKNOWN_AUTHOR),
		    web_url(req, draft ? "/drafts/%U/revisions/%U" : "/cases/%U/revisions/%U", c.id, nb, NULL),
		    lb, web_time(req, rb->saved), rb->author ? rb->author : T(req, T_ED_UNKNOWN_AUTHOR));
	web_diff_form(&w, req, draft, c.id, &rs, from, to);
	html_printf(&w, "<p class=\"diff-legend\"><span class=\"diff-del-key\">− %s</span> · "
		    "<span class=\"diff-add-key\">+ %s</span></p>\n", T(req, T_ED_DELETED), T(req, T_ED_ADDED));
	any = web_case_diff_fields(&w, req, &a, &b, 2);
	if (!any)
		html_printf(&w, "<p class=\"muted\">%s</p>\n", T(req, T_ED_NO_DIFF));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
out:
	web_revs_free(&rs);
	kcase_free(&a);
	kcase_free(&b);
	kcase_free(&c);
	return rc;
}
