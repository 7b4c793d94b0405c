/*
 * store_sqlite_select.c - the SQLite backend of store_select.h: the
 * candidates of a survey period, their scores and overrides, and the kept
 * shortlist (tables selection_scores, selection_decisions, selection_kept
 * of migration 9).  Bound parameters only; every write is
 * ksqlite_wbegin()/ksqlite_wend() with its audit row inside.
 */
#include "store_select.h"
#include "store_sqlite.h"
#include "case.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"
#include "report.h"
#include "utf8.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(struct kerr *err)
{
	return kerr_set(err, KE_NOMEM, "out of memory");
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static const char *actor_or_unknown(struct kstore_sqlite *st)
{
	const char *a = ksqlite_actor(st);

	return a && *a ? a : "unknown";
}

static void entry_free(struct kselect_entry *e)
{
	free(e->incident);
	free(e->case_id);
	free(e->sector_list);
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		free(e->note[k]);
		free(e->scorer[k]);
		free(e->scored_at[k]);
	}
	free(e->decided_at);
	free(e->kept_reason);
	kstrv_clear(&e->own);
}

void kselect_set_free(struct kselect_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->v[i]);
	free(s->v);
	free(s->kept_at);
	free(s->kept_by);
	memset(s, 0, sizeof(*s));
}

/* A copy owned by e (NULL stays NULL); NULL with *bad set when out of memory. */
static const char *own(struct kselect_entry *e, const char *s, int *bad)
{
	if (!s)
		return NULL;
	if (kstrv_push(&e->own, s)) {
		*bad = 1;
		return NULL;
	}
	return e->own.v[e->own.n - 1];
}

static int set_dup(char **dst, const char *s)
{
	free(*dst);
	*dst = NULL;
	return s && !(*dst = strdup(s)) ? KE_NOMEM : 0;
}

/* Sectors from a comma-separated list kept in e->sector_list. */
static int set_sectors(struct kselect_entry *e, struct kbuf *list)
{
	char *p;

	if (!(e->sector_list = strdup(kbuf_str(list))))
		return KE_NOMEM;
	e->c.nsectors = 0;
	for (p = e->sector_list; *p && e->c.nsectors < KSELECT_MAX_SECTORS;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = 0;
		if (*p)
			e->c.sectors[e->c.nsectors++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static struct kselect_entry *new_entry(struct kselect_set *set, size_t *cap)
{
	struct kselect_entry *e;

	if (set->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct kselect_entry *v = realloc(set->v, nc * sizeof(*v));

		if (!v)
			return NULL;
		set->v = v;
		*cap = nc;
	}
	e = &set->v[set->n++];
	memset(e, 0, sizeof(*e));
	for (int k = 0; k < KSELECT_NCRITERIA; k++)
		e->c.score[k] = -1;
	return e;
}

/* The category of an incident: its first event type's Japanese label. */
static const char *event_category(unsigned ev)
{
	for (int i = 0; i < KEVT_N; i++)
		if (ev & (1u << i))
			return kevent_type_label_ja(i);
	return NULL;
}

static const char *event_class_label(const char *ec)
{
	if (!ec)
		return NULL;
	if (!strcmp(ec, "cyber_attack"))
		return "サイバー攻撃";
	if (!strcmp(ec, "system_failure"))
		return "システム障害";
	if (!strcmp(ec, "other"))
		return "その他";
	return ec;
}

static int load_drafts(struct kstore_sqlite *st, const struct kselect_period *p, struct kselect_set *set,
		       size_t *cap, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	struct kbuf list = KBUF_INIT;
	struct kcase c;
	int rc, step;

	kcase_init(&c);
	if ((rc = ksqlite_prepare(st,
				  "SELECT d.id, d.title, d.incident, d.body, COALESCE(i.detected_utc, d.created),"
				  " i.event_types, i.sector FROM case_drafts d LEFT JOIN incidents i ON i.id = d.incident"
				  " WHERE COALESCE(i.detected_utc, d.created) >= ?1 AND COALESCE(i.detected_utc, d.created) < ?2",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, p->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->until, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_entry *e = new_entry(set, cap);
		json_error_t je;
		json_t *j;
		int bad = 0;
		const char *cat = NULL;

		if (!e) {
			rc = nomem(err);
			goto out;
		}
		kcase_free(&c);
		kcase_init(&c);
		j = json_loads(col(s, 3) ? col(s, 3) : "", 0, &je);
		if (!j || kcase_from_json(&c, j, err)) {
			json_decref(j);
			rc = kerr_set(err, KE_DB, "%s: stored JSON is damaged", col(s, 0));
			goto out;
		}
		json_decref(j);
		e->c.kind = KSELECT_DRAFT;
		e->c.id = own(e, col(s, 0), &bad);
		e->c.title = own(e, col(s, 1), &bad);
		e->c.when = own(e, col(s, 4), &bad);
		if (set_dup(&e->incident, col(s, 2)))
			bad = 1;
		kbuf_reset(&list);
		for (size_t i = 0; i < c.tags.sectors.n; i++)
			if (kbuf_addf(&list, "%s%s", list.len ? "," : "", c.tags.sectors.v[i]) < 0)
				bad = 1;
		if (!c.tags.sectors.n && col(s, 6) && kbuf_adds(&list, col(s, 6)) < 0)
			bad = 1;
		if (c.category && *c.category)
			cat = c.category;
		else if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			cat = event_category((unsigned)sqlite3_column_int64(s, 5));
		if (!cat)
			cat = event_class_label(c.tags.event_class);
		e->c.category = own(e, cat, &bad);
		if (bad || set_sectors(e, &list)) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the drafts");
out:
	kcase_free(&c);
	kbuf_release(&list);
	sqlite3_finalize(s);
	return rc;
}

static int load_incidents(struct kstore_sqlite *st, const struct kselect_period *p, struct kselect_set *set,
			  size_t *cap, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	struct kbuf list = KBUF_INIT;
	int rc, step;

	if ((rc = ksqlite_prepare(st,
				  "SELECT i.id, i.title, i.sector, i.event_types, i.detected_utc, i.case_id FROM incidents i"
				  " WHERE i.candidate = 1 AND i.detected_utc >= ?1 AND i.detected_utc < ?2"
				  " AND NOT EXISTS (SELECT 1 FROM case_drafts d WHERE d.incident = i.id)",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, p->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p->until, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_entry *e = new_entry(set, cap);
		int bad = 0;

		if (!e) {
			rc = nomem(err);
			goto out;
		}
		e->c.kind = KSELECT_INCIDENT;
		e->c.id = own(e, col(s, 0), &bad);
		e->c.title = own(e, col(s, 1), &bad);
		e->c.category = own(e, event_category((unsigned)sqlite3_column_int64(s, 3)), &bad);
		e->c.when = own(e, col(s, 4), &bad);
		if (set_dup(&e->case_id, col(s, 5)))
			bad = 1;
		kbuf_reset(&list);
		if (col(s, 2) && kbuf_adds(&list, col(s, 2)) < 0)
			bad = 1;
		if (bad || set_sectors(e, &list)) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the incidents");
out:
	kbuf_release(&list);
	sqlite3_finalize(s);
	return rc;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct kselect_entry *x = a, *y = b;
	int d = strcmp(x->c.when ? x->c.when : "", y->c.when ? y->c.when : "");

	return d ? d : strcmp(x->c.id ? x->c.id : "", y->c.id ? y->c.id : "");
}

/* The entry whose id is id, or whose incident is id (a draft made from it, if exact is 0). */
static struct kselect_entry *find_entry(struct kselect_set *set, const char *id, int exact)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].c.id && !strcmp(set->v[i].c.id, id))
			return &set->v[i];
	if (exact)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].incident && !strcmp(set->v[i].incident, id))
			return &set->v[i];
	return NULL;
}

static int load_scores(struct kstore_sqlite *st, const struct kselect_period *p, struct kselect_set *set,
		       struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	/* a draft's own scores come before its incident's, which only fill the criteria it lacks */
	if ((rc = ksqlite_prepare(st, "SELECT candidate, criterion, score, note, scorer, at FROM selection_scores"
				  " WHERE period = ?1 ORDER BY candidate LIKE 'IR-%', candidate, criterion", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_entry *e = find_entry(set, col(s, 0), 1);
		int k = kselect_criterion_parse(col(s, 1)), from_incident = 0;

		if (!e) {
			e = find_entry(set, col(s, 0), 0);
			from_incident = 1;
		}
		if (!e || k < 0)
			continue;
		if (from_incident && e->scorer[k])
			continue;
		e->c.score[k] = sqlite3_column_int(s, 2);
		if (set_dup(&e->note[k], col(s, 3)) || set_dup(&e->scorer[k], col(s, 4)) ||
		    set_dup(&e->scored_at[k], col(s, 5))) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the scores");
out:
	sqlite3_finalize(s);
	return rc;
}

static int load_decisions(struct kstore_sqlite *st, const struct kselect_period *p, struct kselect_set *set,
			  struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT candidate, decision, reason, decided_by, at FROM selection_decisions"
				  " WHERE period = ?1 ORDER BY candidate LIKE 'IR-%' DESC, candidate", &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_entry *e = find_entry(set, col(s, 0), 0);
		int bad = 0;

		if (!e)
			continue;
		e->c.decision = col(s, 1) && !strcmp(col(s, 1), "in") ? 1 : -1;
		e->c.decision_reason = own(e, col(s, 2), &bad);
		e->c.decided_by = own(e, col(s, 3), &bad);
		if (bad || set_dup(&e->decided_at, col(s, 4))) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the overrides");
out:
	sqlite3_finalize(s);
	return rc;
}

static int load_kept(struct kstore_sqlite *st, const struct kselect_period *p, struct kselect_set *set,
		     struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st, "SELECT candidate, reason, kept_by, kept_at FROM selection_kept WHERE period = ?1",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_entry *e = find_entry(set, col(s, 0), 0);

		if ((!set->kept_at && (set_dup(&set->kept_at, col(s, 3)) || set_dup(&set->kept_by, col(s, 2)))) ||
		    (e && set_dup(&e->kept_reason, col(s, 1)))) {
			rc = nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the kept shortlist");
out:
	sqlite3_finalize(s);
	return rc;
}

int kstore_selection_load(struct kstore *kst, const struct kselect_period *p, struct kselect_set *set,
			  struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	size_t cap = 0;
	int rc;

	kselect_set_free(set);
	if ((rc = load_drafts(st, p, set, &cap, err)) || (rc = load_incidents(st, p, set, &cap, err)))
		goto out;
	if (set->n)
		qsort(set->v, set->n, sizeof(set->v[0]), entry_cmp);
	if ((rc = load_scores(st, p, set, err)) || (rc = load_decisions(st, p, set, err)) ||
	    (rc = load_kept(st, p, set, err)))
		goto out;
out:
	if (rc)
		kselect_set_free(set);
	return rc;
}

/* The candidate id of p that id names (id itself, or the draft made from incident id) into *cand. */
static int candidate_of(struct kstore_sqlite *st, const struct kselect_period *p, const char *id, char **cand,
			struct kerr *err)
{
	struct kselect_set set = { 0 };
	struct kselect_entry *e;
	int rc;

	*cand = NULL;
	if (!id || !*id)
		return kerr_set(err, KE_INVALID, "id: missing");
	if ((rc = kstore_selection_load(&st->base, p, &set, err)))
		return rc;
	if (!(e = find_entry(&set, id, 0)))
		rc = kerr_set(err, KE_NOTFOUND,
			      "id: \"%.100s\" is not a candidate of %s (an incident marked 事例候補, or a case draft,"
			      " of that period)", id, p->label);
	else if (!(*cand = strdup(e->c.id)))
		rc = nomem(err);
	kselect_set_free(&set);
	return rc;
}

static int check_text(const char *field, const char *s, size_t max, int required, struct kerr *err)
{
	size_t len = s ? strlen(s) : 0;

	if (required && !len)
		return kerr_set(err, KE_INVALID, "%s: required", field);
	if (!kutf8_valid(s ? s : "", len))
		return kerr_set(err, KE_INVALID, "%s: not valid UTF-8", field);
	if (len > max)
		return kerr_set(err, KE_INVALID, "%s: longer than %zu bytes", field, max);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
			return kerr_set(err, KE_INVALID, "%s: control characters are not allowed", field);
	return 0;
}

int kstore_selection_score(struct kstore *kst, const struct kselect_period *p, const char *id, int criterion,
			   int score, const char *note, time_t now, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char at[KTIME_LEN + 1], detail[200];
	sqlite3_stmt *s = NULL;
	char *cand = NULL;
	int rc, own;

	if (criterion < 0 || criterion >= KSELECT_NCRITERIA)
		return kerr_set(err, KE_INVALID, "criterion: not one of the %d criteria", KSELECT_NCRITERIA);
	if (score < 0 || score > KSELECT_MAX_SCORE)
		return kerr_set(err, KE_INVALID, "score: %d is out of range (0 to %d)", score, KSELECT_MAX_SCORE);
	if ((rc = check_text("note", note, KSELECT_NOTE_MAX, 0, err)))
		return rc;
	ktime_iso(now, at);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = candidate_of(st, p, id, &cand, err)))
		goto out;
	if ((rc = ksqlite_prepare(st,
				  "INSERT INTO selection_scores(period, candidate, criterion, score, note, scorer, at)"
				  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(period, candidate, criterion) DO UPDATE"
				  " SET score = excluded.score, note = excluded.note, scorer = excluded.scorer, at = excluded.at",
				  &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, cand, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kselect_criteria[criterion].key, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, score);
	sqlite3_bind_text(s, 5, note ? note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, at, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "storing the score")))
		goto out;
	snprintf(detail, sizeof(detail), "period=%s criterion=%s score=%d", p->key, kselect_criteria[criterion].key,
		 score);
	rc = ksqlite_audit(st, "select.score", "candidate", cand, detail, err);
out:
	sqlite3_finalize(s);
	free(cand);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_selection_decide(struct kstore *kst, const struct kselect_period *p, const char *id, int decision,
			    const char *reason, time_t now, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char at[KTIME_LEN + 1];
	struct kbuf detail = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	char *cand = NULL;
	int rc, own;

	if (decision < -1 || decision > 1)
		return kerr_set(err, KE_INVALID, "decision: in, out or clear");
	if (decision && (rc = check_text("reason", reason, KSELECT_REASON_MAX, 1, err)))
		return rc;
	ktime_iso(now, at);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = candidate_of(st, p, id, &cand, err)))
		goto out;
	/* an override given under the incident's id before its draft was made goes too */
	if ((rc = ksqlite_prepare(st, "DELETE FROM selection_decisions WHERE period = ?1 AND (candidate = ?2 OR candidate IN"
				  " (SELECT incident FROM case_drafts WHERE id = ?2))", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, cand, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "storing the override")))
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if (decision) {
		if ((rc = ksqlite_prepare(st, "INSERT INTO selection_decisions(period, candidate, decision, reason,"
					  " decided_by, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &s, err)))
			goto out;
		sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, cand, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, decision > 0 ? "in" : "out", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, at, -1, SQLITE_STATIC);
		if ((rc = ksqlite_step_done(st, s, err, "storing the override")))
			goto out;
	}
	if (kbuf_addf(&detail, "period=%s %s%s%.200s", p->key, decision > 0 ? "in" : decision < 0 ? "out" : "clear",
		      decision ? ": " : "", decision ? reason : "") < 0) {
		rc = nomem(err);
		goto out;
	}
	rc = ksqlite_audit(st, "select.decide", "candidate", cand, kbuf_str(&detail), err);
out:
	sqlite3_finalize(s);
	kbuf_release(&detail);
	free(cand);
	return ksqlite_wend(st, own, rc, err);
}

int kstore_selection_keep(struct kstore *kst, const struct kselect_period *p, const struct kselect_set *set,
			  const struct kselect_result *res, time_t now, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	char at[KTIME_LEN + 1], detail[160];
	struct kbuf why = KBUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc, own, nin = 0;

	ktime_iso(now, at);
	if ((rc = ksqlite_wbegin(st, &own, err)))
		return rc;
	if ((rc = ksqlite_prepare(st, "DELETE FROM selection_kept WHERE period = ?1", &s, err)))
		goto out;
	sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
	if ((rc = ksqlite_step_done(st, s, err, "keeping the shortlist")))
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if ((rc = ksqlite_prepare(st, "INSERT INTO selection_kept(period, candidate, kind, chosen, position, total,"
				  " reason, kept_by, kept_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &s, err)))
		goto out;
	for (size_t i = 0; i < set->n; i++) {
		const struct kselect_cand *c = &set->v[i].c;

		kbuf_reset(&why);
		if (kselect_reason(c, res, &why)) {
			rc = nomem(err);
			goto out;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_text(s, 1, p->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, kselect_kind_name(c->kind), -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, c->in);
		if (c->in)
			sqlite3_bind_int(s, 5, c->position);
		sqlite3_bind_int(s, 6, c->total);
		sqlite3_bind_text(s, 7, kbuf_str(&why), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, actor_or_unknown(st), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 9, at, -1, SQLITE_STATIC);
		if ((rc = ksqlite_step_done(st, s, err, "keeping the shortlist")))
			goto out;
		nin += !!c->in;
	}
	snprintf(detail, sizeof(detail), "period=%s %d in of %zu (size %d, cap %d)", p->key, nin, set->n, res->size,
		 res->cap);
	rc = ksqlite_audit(st, "select.keep", "period", p->key, detail, err);
out:
	sqlite3_finalize(s);
	kbuf_release(&why);
	return ksqlite_wend(st, own, rc, err);
}

/* The case or draft a kept candidate gives (see the header), appended to ids unless there. */
static int push_case(struct kstore_sqlite *st, const char *cand, struct kstrv *ids, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;
	const char *id = NULL;

	if ((rc = ksqlite_prepare(st, "SELECT COALESCE((SELECT case_id FROM incidents WHERE id = ?1),"
				  " (SELECT id FROM case_drafts WHERE incident = ?1),"
				  " (SELECT id FROM case_drafts WHERE id = ?1), (SELECT id FROM cases WHERE id = ?1))",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, cand, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(s)) == SQLITE_ROW)
		id = col(s, 0);
	else if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the kept shortlist");
	if (!rc && id && !kstrv_contains(ids, id) && kstrv_push(ids, id))
		rc = nomem(err);
	sqlite3_finalize(s);
	return rc;
}

int kstore_selection_cases(struct kstore *kst, const char *period, struct kstrv *ids, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	struct kstrv cands = { 0 };
	sqlite3_stmt *s = NULL;
	int rc, step;

	if (!period || !*period)
		return 0;
	/* the kept list without those decided out since, then those decided in since */
	if ((rc = ksqlite_prepare(st,
				  "SELECT k.candidate FROM selection_kept k WHERE k.period = ?1 AND k.chosen = 1"
				  " AND NOT EXISTS (SELECT 1 FROM selection_decisions d WHERE d.period = k.period"
				  " AND d.decision = 'out' AND (d.candidate = k.candidate OR d.candidate IN"
				  " (SELECT c.id FROM case_drafts c WHERE c.incident = k.candidate)))"
				  " ORDER BY k.position",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, period, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (kstrv_push(&cands, col(s, 0))) {
			rc = nomem(err);
			goto out;
		}
	if (step != SQLITE_DONE) {
		rc = ksqlite_db_err(st, err, "reading the kept shortlist");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (cands.n) {
		if ((rc = ksqlite_prepare(st, "SELECT d.candidate FROM selection_decisions d WHERE d.period = ?1"
					  " AND d.decision = 'in' ORDER BY d.at, d.candidate", &s, err)))
			goto out;
		sqlite3_bind_text(s, 1, period, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			if (!kstrv_contains(&cands, col(s, 0)) && kstrv_push(&cands, col(s, 0))) {
				rc = nomem(err);
				goto out;
			}
		if (step != SQLITE_DONE) {
			rc = ksqlite_db_err(st, err, "reading the overrides");
			goto out;
		}
	}
	for (size_t i = 0; i < cands.n && !rc; i++)
		rc = push_case(st, cands.v[i], ids, err);
out:
	sqlite3_finalize(s);
	kstrv_clear(&cands);
	return rc;
}

int kstore_selection_reasons(struct kstore *kst, const char *id, kstore_kept_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3_stmt *s = NULL;
	int rc, step;

	if ((rc = ksqlite_prepare(st,
				  "SELECT period, candidate, kind, reason, kept_by, kept_at, chosen, COALESCE(position, 0), total"
				  " FROM selection_kept WHERE candidate = ?1 OR candidate IN (SELECT id FROM incidents"
				  " WHERE case_id = ?1) OR candidate IN (SELECT incident FROM case_drafts WHERE id = ?1)"
				  " ORDER BY kept_at DESC, period DESC",
				  &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, id ? id : "", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct kselect_kept_row r = {
			.period = col(s, 0), .candidate = col(s, 1), .kind = col(s, 2), .reason = col(s, 3),
			.kept_by = col(s, 4), .kept_at = col(s, 5), .chosen = sqlite3_column_int(s, 6),
			.position = sqlite3_column_int(s, 7), .total = sqlite3_column_int(s, 8),
		};

		if ((rc = cb(ctx, &r)))
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = ksqlite_db_err(st, err, "reading the kept shortlist");
out:
	sqlite3_finalize(s);
	return rc;
}
