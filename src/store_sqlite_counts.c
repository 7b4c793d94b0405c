/*
 * store_sqlite_counts.c - how many cases of each TLP level have each facet
 * value (table case_counts, migration 17), kept exact at every commit, so
 * that the home page's overview (the number of cases, the facet counts, the
 * list of reports) costs a read of a few hundred rows at any size instead
 * of a pass over every case (at 1,000,000 cases the first home page after
 * `serve` took 4-10 s).
 *
 * A row: facet ('tlp', 'category', 'document', 'year', 'event_class',
 * 'reader_level', 'threat', 'sector', or 'none' for the cases without a
 * year, event class, threat or sector: value names which), value, sub (for
 * 'document': the cases' year as text, '' none; else ''), level (TLP 0
 * clear .. 4 red) and n.  Every case has a TLP, so the 'tlp' rows add up
 * to the number of cases.
 *
 * A write of a case (put, delete) adds -1 for the values it replaces and +1
 * for the new ones into a table in memory (st->counts); the commit writes
 * the sums, a rollback forgets them, a savepoint (ksqlite_wbegin) writes
 * them first: as the vocabulary (store_sqlite_vocab.c) does.
 *
 * Only readers who see whole TLP levels (anonymous, the local operator, a
 * user with no organisation, sector or naming conditions) are counted from
 * here; the others still count case by case (store_sqlite_facet.c), which
 * is exact for them too.
 */
#include "store_sqlite.h"
#include "kerr.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cent {
	char *key;   /* facet \x1f value \x1f sub */
	int level;
	long delta;
	uint32_t hash;
};

struct ksqlite_counts {
	struct cent *v; /* open addressing, a power of two; key NULL: empty */
	size_t cap, n;
	sqlite3_stmt *one, *tags, *upsert;
};

static void counts_reset(struct ksqlite_counts *cc)
{
	for (size_t i = 0; i < cc->cap; i++) {
		free(cc->v[i].key);
		cc->v[i].key = NULL;
	}
	cc->n = 0;
}

void ksqlite_counts_free(struct kstore_sqlite *st)
{
	if (!st->counts)
		return;
	counts_reset(st->counts);
	free(st->counts->v);
	sqlite3_finalize(st->counts->one);
	sqlite3_finalize(st->counts->tags);
	sqlite3_finalize(st->counts->upsert);
	free(st->counts);
	st->counts = NULL;
}

void ksqlite_counts_forget(struct kstore_sqlite *st)
{
	if (st->counts)
		counts_reset(st->counts);
}

static int counts_grow(struct ksqlite_counts *cc)
{
	size_t ncap = cc->cap ? cc->cap * 2 : 256;
	struct cent *nv = calloc(ncap, sizeof(*nv));

	if (!nv)
		return KE_NOMEM;
	for (size_t i = 0; i < cc->cap; i++) {
		size_t j;

		if (!cc->v[i].key)
			continue;
		for (j = cc->v[i].hash & (ncap - 1); nv[j].key; j = (j + 1) & (ncap - 1))
			;
		nv[j] = cc->v[i];
	}
	free(cc->v);
	cc->v = nv;
	cc->cap = ncap;
	return 0;
}

/* Is key facet \x1f value \x1f sub? */
static int key_is(const char *key, const char *facet, const char *value, const char *sub)
{
	size_t a = strlen(facet), b = strlen(value);

	return !strncmp(key, facet, a) && key[a] == '\x1f' && !strncmp(key + a + 1, value, b) &&
	       key[a + 1 + b] == '\x1f' && !strcmp(key + a + 2 + b, sub);
}

static uint32_t hash_more(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0x1f) * 16777619u;
}

/* delta more cases of this level with facet = value (sub) */
static int counts_add(struct ksqlite_counts *cc, const char *facet, const char *value, const char *sub, int level,
		      long delta)
{
	uint32_t h = hash_more(hash_more(hash_more(2166136261u ^ (uint32_t)level, facet), value), sub);
	size_t j, a, b, c;

	if ((cc->n + 1) * 2 > cc->cap && counts_grow(cc))
		return KE_NOMEM;
	for (j = h & (cc->cap - 1); cc->v[j].key; j = (j + 1) & (cc->cap - 1)) {
		if (cc->v[j].hash == h && cc->v[j].level == level && key_is(cc->v[j].key, facet, value, sub)) {
			cc->v[j].delta += delta;
			return 0;
		}
	}
	a = strlen(facet);
	b = strlen(value);
	c = strlen(sub);
	if (!(cc->v[j].key = malloc(a + b + c + 3)))
		return KE_NOMEM;
	memcpy(cc->v[j].key, facet, a);
	cc->v[j].key[a] = '\x1f';
	memcpy(cc->v[j].key + a + 1, value, b);
	cc->v[j].key[a + 1 + b] = '\x1f';
	memcpy(cc->v[j].key + a + 2 + b, sub, c + 1);
	cc->v[j].level = level;
	cc->v[j].delta = delta;
	cc->v[j].hash = h;
	cc->n++;
	return 0;
}

static int tlp_level(const char *t)
{
	static const char *const lv[] = { "clear", "green", "amber", "amber+strict" };

	for (int i = 0; t && i < 4; i++)
		if (!strcmp(t, lv[i]))
			return i;
	return 4;
}

int ksqlite_counts_case(struct kstore_sqlite *st, long long rid, int sign, struct kerr *err)
{
	static const char *const col[] = { "tlp", "category", "document", "year", "event_class", "reader_level" };
	struct ksqlite_counts *cc = st->counts;
	const char *v[6];
	int level, r, threat = 0, sector = 0, rc;

	if (!cc) {
		if (!(cc = calloc(1, sizeof(*cc))))
			return kerr_set(err, KE_NOMEM, "out of memory");
		st->counts = cc;
	}
	if (!cc->one && ksqlite_prepare(st, "SELECT tlp, category, document, CAST(year AS TEXT), event_class,"
				     " reader_level FROM cases INDEXED BY cases_facets WHERE rid = ?1", &cc->one, err))
		return KE_DB;
	if (!cc->tags && ksqlite_prepare(st, "SELECT kind, value FROM case_tags WHERE rid = ?1", &cc->tags, err))
		return KE_DB;
	sqlite3_bind_int64(cc->one, 1, rid);
	if ((r = sqlite3_step(cc->one)) != SQLITE_ROW) {
		sqlite3_reset(cc->one);
		return r == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "counting the case's facets");
	}
	for (int c = 0; c < 6; c++)
		v[c] = (const char *)sqlite3_column_text(cc->one, c);
	level = tlp_level(v[0]);
	rc = 0;
	for (int c = 0; c < 6 && !rc; c++)
		if (v[c])
			rc = counts_add(cc, col[c], v[c], c == 2 && v[3] ? v[3] : "", level, sign);
	if (!rc && !v[3])
		rc = counts_add(cc, "none", "year", "", level, sign);
	if (!rc && !v[4])
		rc = counts_add(cc, "none", "event_class", "", level, sign);
	sqlite3_reset(cc->one);
	if (rc)
		return kerr_set(err, KE_NOMEM, "out of memory");
	sqlite3_bind_int64(cc->tags, 1, rid);
	while (!rc && (r = sqlite3_step(cc->tags)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(cc->tags, 0);
		const char *value = (const char *)sqlite3_column_text(cc->tags, 1);

		if (!kind || !value || (strcmp(kind, "threat") && strcmp(kind, "sector")))
			continue;
		threat |= !strcmp(kind, "threat");
		sector |= !strcmp(kind, "sector");
		rc = counts_add(cc, kind, value, "", level, sign);
	}
	sqlite3_reset(cc->tags);
	if (rc)
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return ksqlite_db_err(st, err, "counting the case's facets");
	if (!threat && (rc = counts_add(cc, "none", "threat", "", level, sign)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (!sector && (rc = counts_add(cc, "none", "sector", "", level, sign)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	return 0;
}

int ksqlite_counts_flush(struct kstore_sqlite *st, struct kerr *err)
{
	struct ksqlite_counts *cc = st->counts;
	int rc = 0, neg = 0;

	if (!cc || !cc->n)
		return 0;
	if (!cc->upsert && ksqlite_prepare(st, "INSERT INTO case_counts(facet, value, sub, level, n)"
					" VALUES(?1, ?2, ?3, ?4, ?5)"
					" ON CONFLICT(facet, value, sub, level) DO UPDATE SET n = n + excluded.n",
					&cc->upsert, err))
		return KE_DB;
	for (size_t i = 0; i < cc->cap && !rc; i++) {
		struct cent *e = &cc->v[i];
		char *f, *val, *sub;

		if (!e->key || !e->delta)
			continue;
		f = e->key;
		val = strchr(f, '\x1f');
		sub = val ? strchr(val + 1, '\x1f') : NULL;
		if (!val || !sub)
			continue; /* cannot be */
		neg |= e->delta < 0;
		sqlite3_bind_text(cc->upsert, 1, f, (int)(val - f), SQLITE_STATIC);
		sqlite3_bind_text(cc->upsert, 2, val + 1, (int)(sub - val - 1), SQLITE_STATIC);
		sqlite3_bind_text(cc->upsert, 3, sub + 1, -1, SQLITE_STATIC);
		sqlite3_bind_int(cc->upsert, 4, e->level);
		sqlite3_bind_int64(cc->upsert, 5, e->delta);
		if (sqlite3_step(cc->upsert) != SQLITE_DONE)
			rc = ksqlite_db_err(st, err, "storing the facet counts");
		sqlite3_reset(cc->upsert);
	}
	sqlite3_clear_bindings(cc->upsert);
	counts_reset(cc);
	if (!rc && neg) {
		sqlite3_stmt *s = NULL;

		if (!(rc = ksqlite_prepare(st, "DELETE FROM case_counts WHERE n = 0", &s, err)) &&
		    sqlite3_step(s) != SQLITE_DONE)
			rc = ksqlite_db_err(st, err, "storing the facet counts");
		sqlite3_finalize(s);
	}
	return rc;
}

int ksqlite_counts_usable(const struct kreader *r, unsigned *levels)
{
	struct ksqlite_vis v;

	ksqlite_visible_masks(r, &v);
	*levels = v.all;
	return !(v.org | v.sectors | v.named);
}

int ksqlite_counts_facets(struct kstore_sqlite *st, unsigned levels, kstore_facet_cb cb, void *ctx, long *total,
			  struct kerr *err)
{
	static const struct {
		const char *name;
		int facet;
	} fmap[] = {
		{ "tlp", KFACET_TLP }, { "category", KFACET_CATEGORY }, { "document", KFACET_DOCUMENT },
		{ "year", KFACET_YEAR }, { "event_class", KFACET_EVENT_CLASS },
		{ "reader_level", KFACET_READER_LEVEL }, { "threat", KFACET_THREAT }, { "sector", KFACET_SECTOR },
	};
	sqlite3_stmt *s = NULL;
	long n = 0;
	int rc, r;

	*total = 0;
	/* the values in the order of their text within each facet (as case by case) */
	if ((rc = ksqlite_prepare(st, "SELECT facet, value, sum(n) FROM case_counts WHERE (?1 >> level) & 1"
				  " GROUP BY facet, value HAVING sum(n) > 0 ORDER BY facet, value", &s, err)))
		return rc;
	sqlite3_bind_int(s, 1, (int)levels);
	/* first the total (the TLP rows), then the facets */
	for (int pass = 0; pass < 2; pass++) {
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			const char *f = (const char *)sqlite3_column_text(s, 0);
			const char *v = (const char *)sqlite3_column_text(s, 1);
			long c = (long)sqlite3_column_int64(s, 2);

			if (!f || !v)
				continue;
			if (pass == 0) {
				if (!strcmp(f, "tlp"))
					n += c;
				continue;
			}
			if (!cb || !n)
				break;
			if (!strcmp(f, "none")) {
				static const struct {
					const char *name;
					int facet;
				} nmap[] = { { "year", KFACET_YEAR }, { "event_class", KFACET_EVENT_CLASS },
					     { "threat", KFACET_THREAT }, { "sector", KFACET_SECTOR } };

				for (size_t i = 0; i < sizeof(nmap) / sizeof(nmap[0]); i++)
					if (!strcmp(v, nmap[i].name) && (rc = cb(ctx, nmap[i].facet, "none", c)))
						goto out;
				continue;
			}
			for (size_t i = 0; i < sizeof(fmap) / sizeof(fmap[0]); i++)
				if (!strcmp(f, fmap[i].name) && (rc = cb(ctx, fmap[i].facet, v, c)))
					goto out;
		}
		if (r != SQLITE_DONE && r != SQLITE_ROW) {
			rc = ksqlite_db_err(st, err, "facet counts");
			goto out;
		}
		sqlite3_reset(s);
		if (pass == 0)
			*total = n;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* The counts recounted from the cases (the migration fills the table so; kyokun check compares). */
#define RECOUNT_SQL                                                                                            \
	"SELECT facet, value, sub, level, count(*) AS n FROM ("                                                \
	" SELECT 'tlp' AS facet, tlp AS value, '' AS sub, " LEVEL_SQL " AS level FROM cases"                   \
	" UNION ALL SELECT 'category', category, '', " LEVEL_SQL " FROM cases WHERE category IS NOT NULL"      \
	" UNION ALL SELECT 'document', document, coalesce(CAST(year AS TEXT), ''), " LEVEL_SQL                  \
	"  FROM cases WHERE document IS NOT NULL"                                                               \
	" UNION ALL SELECT 'year', CAST(year AS TEXT), '', " LEVEL_SQL " FROM cases WHERE year IS NOT NULL"    \
	" UNION ALL SELECT 'event_class', event_class, '', " LEVEL_SQL                                          \
	"  FROM cases WHERE event_class IS NOT NULL"                                                            \
	" UNION ALL SELECT 'reader_level', reader_level, '', " LEVEL_SQL                                        \
	"  FROM cases WHERE reader_level IS NOT NULL"                                                           \
	" UNION ALL SELECT t.kind, t.value, '', " LEVEL_SQL_C " FROM case_tags t JOIN cases c ON c.rid = t.rid" \
	"  WHERE t.kind IN ('threat', 'sector')"                                                                \
	" UNION ALL SELECT 'none', 'year', '', " LEVEL_SQL " FROM cases WHERE year IS NULL"                    \
	" UNION ALL SELECT 'none', 'event_class', '', " LEVEL_SQL " FROM cases WHERE event_class IS NULL"      \
	" UNION ALL SELECT 'none', 'threat', '', " LEVEL_SQL " FROM cases c WHERE NOT EXISTS"                  \
	"  (SELECT 1 FROM case_tags t WHERE t.rid = c.rid AND t.kind = 'threat')"                               \
	" UNION ALL SELECT 'none', 'sector', '', " LEVEL_SQL " FROM cases c WHERE NOT EXISTS"                  \
	"  (SELECT 1 FROM case_tags t WHERE t.rid = c.rid AND t.kind = 'sector')"                               \
	") GROUP BY facet, value, sub, level"
#define LEVEL_SQL                                                                                              \
	"(CASE tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1 WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3"     \
	" ELSE 4 END)"
#define LEVEL_SQL_C                                                                                            \
	"(CASE c.tlp WHEN 'clear' THEN 0 WHEN 'green' THEN 1 WHEN 'amber' THEN 2 WHEN 'amber+strict' THEN 3" \
	" ELSE 4 END)"

const char ksqlite_counts_rebuild_sql[] = "DELETE FROM case_counts;"
					  "INSERT INTO case_counts(facet, value, sub, level, n) " RECOUNT_SQL ";";

int ksqlite_counts_check(struct kstore_sqlite *st, long *bad, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*bad = 0;
	if ((rc = ksqlite_prepare(st, "SELECT count(*) FROM ("
				  "SELECT facet, value, sub, level, n FROM case_counts WHERE n <> 0"
				  " EXCEPT " RECOUNT_SQL
				  ") UNION ALL SELECT count(*) FROM (" RECOUNT_SQL
				  " EXCEPT SELECT facet, value, sub, level, n FROM case_counts)", &s, err)))
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*bad += (long)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "checking the facet counts");
	sqlite3_finalize(s);
	return rc;
}

int ksqlite_counts_documents(struct kstore_sqlite *st, unsigned levels, kstore_doc_cb cb, void *ctx,
			     struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	struct kdocument d;
	int rc;

	/* as the cases themselves give them (ksqlite_documents()): the newest year of a report's cases */
	if ((rc = ksqlite_prepare(st, "SELECT g.document, coalesce(g.y, d.year), g.n, d.title, d.publisher,"
				  " d.published, d.url FROM (SELECT value AS document,"
				  " max(CASE WHEN sub <> '' THEN CAST(sub AS INTEGER) END) AS y, sum(n) AS n"
				  " FROM case_counts WHERE facet = 'document' AND (?1 >> level) & 1 AND n > 0"
				  " GROUP BY value) g LEFT JOIN documents d ON d.name = g.document"
				  " ORDER BY g.y IS NULL, g.y DESC, g.document", &s, err)))
		return rc;
	sqlite3_bind_int(s, 1, (int)levels);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d.name = (const char *)sqlite3_column_text(s, 0);
		d.has_year = sqlite3_column_type(s, 1) != SQLITE_NULL;
		d.year = sqlite3_column_int(s, 1);
		d.ncases = (long)sqlite3_column_int64(s, 2);
		d.title = (const char *)sqlite3_column_text(s, 3);
		d.publisher = (const char *)sqlite3_column_text(s, 4);
		d.published = (const char *)sqlite3_column_text(s, 5);
		d.url = (const char *)sqlite3_column_text(s, 6);
		if ((rc = cb(ctx, &d)))
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : ksqlite_db_err(st, err, "documents");
out:
	sqlite3_finalize(s);
	return rc;
}
