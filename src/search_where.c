/*
 * search_where.c - where a search matched in a case: the parts of a case
 * (search.h, KSF_*), the snippet cut at word and sentence boundaries from
 * the best matched part, the parts a hit matched in, section:NAME, and
 * the query's words marked in a case for its page.
 *
 * The index keeps a case's text in a few columns (store_search.h, KCOL_*;
 * the body column joins every section, see put_text in store_sqlite.c).
 * The index's highlighter marks a column's matches; each part's text is
 * then found in the column, in the order put_text wrote them, so a mark
 * belongs to the part whose text holds it.  A part not found (a text the
 * index holds differently) is simply not named.
 */
#include "search.h"
#include "case.h"
#include "case_json.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "search_int.h"
#include "store_search.h"
#include "synonym.h"
#include "utf8.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(KSF_TIMELINE == KSF_SECTION + KSEC__N, "KSF_TIMELINE follows the sections");

/* ---- the parts of a case -------------------------------------------------------- */

static const struct {
	const char *key, *ja, *en;
} other_fields[] = {
	[KSF_TITLE] = { "title", "タイトル", "Title" },
	[KSF_SUMMARY] = { "summary", "事例の概要", "Overview" },
	[KSF_KEY_LESSONS] = { "key_lessons", "主な気付き・教訓", "Key lessons" },
};

const char *ksearch_field_key(int f)
{
	if (f >= 0 && f < KSF_SECTION)
		return other_fields[f].key;
	if (f >= KSF_SECTION && f < KSF_TIMELINE)
		return ksection_key(ksection_display_order[f - KSF_SECTION]);
	return f == KSF_TIMELINE ? "timeline" : f == KSF_ATTRIBUTES ? "attributes" : NULL;
}

const char *ksearch_field_ja(int f)
{
	if (f >= 0 && f < KSF_SECTION)
		return other_fields[f].ja;
	if (f >= KSF_SECTION && f < KSF_TIMELINE)
		return ksection_label_ja(ksection_display_order[f - KSF_SECTION]);
	return f == KSF_TIMELINE ? "時系列" : f == KSF_ATTRIBUTES ? "分類・属性" : NULL;
}

const char *ksearch_field_en(int f)
{
	if (f >= 0 && f < KSF_SECTION)
		return other_fields[f].en;
	if (f >= KSF_SECTION && f < KSF_TIMELINE)
		return ksection_label_en(ksection_display_order[f - KSF_SECTION]);
	return f == KSF_TIMELINE ? "Timeline" : f == KSF_ATTRIBUTES ? "Classification" : NULL;
}

int ksearch_field_parse(const char *name)
{
	static const struct {
		const char *name;
		int f;
	} aliases[] = {
		{ "概要", KSF_SUMMARY }, { "overview", KSF_SUMMARY }, { "表題", KSF_TITLE }, { "題名", KSF_TITLE },
		{ "教訓", KSF_SECTION + 7 }, { "気付き", KSF_SECTION + 7 }, { "影響", KSF_SECTION + 1 },
		{ "課題", KSF_SECTION + 8 }, { "対策", KSF_SECTION + 6 }, { "属性", KSF_ATTRIBUTES },
	};
	size_t n;

	if (!name)
		return -1;
	while (*name == ' ')
		name++;
	n = strlen(name);
	while (n && name[n - 1] == ' ')
		n--;
	if (!n)
		return -1;
	for (int f = 0; f < KSF__N; f++) {
		const char *k = ksearch_field_key(f), *ja = ksearch_field_ja(f), *en = ksearch_field_en(f);

		if ((strlen(k) == n && !strncasecmp(name, k, n)) || (strlen(ja) == n && !strncmp(name, ja, n)) ||
		    (strlen(en) == n && !strncasecmp(name, en, n)))
			return f;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].name) == n && !strncasecmp(name, aliases[i].name, n))
			return aliases[i].f;
	return -1;
}

int ksearch_field_error(const char *name, struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	int rc;

	for (int f = 0; f < KSF__N; f++)
		kbuf_addf(&b, "%s%s (%s)", f ? ", " : "", ksearch_field_key(f), ksearch_field_ja(f));
	rc = kerr_why(kerr_set(err, KE_USAGE, "section \"%.60s\": no such section (known: %s)", name ? name : "",
			       b.len ? kbuf_str(&b) : ""), err, KQERR_SECTION_UNKNOWN, 0, 0, name);
	kbuf_release(&b);
	return rc;
}

/* ---- section:NAME in a query --------------------------------------------------- */

static int is_space_at(const char *s, size_t *len)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
		*len = 1;
		return 1;
	}
	if (!strncmp(s, "\xe3\x80\x80", 3)) { /* U+3000 IDEOGRAPHIC SPACE */
		*len = 3;
		return 1;
	}
	return 0;
}

int ksearch__take_section(const char *query, char **rest, int *field, struct kerr *err)
{
	struct kbuf b = KBUF_INIT;
	const char *s = query ? query : "";
	int quoted = 0, rc = 0;
	size_t sl;

	*rest = NULL;
	*field = -1;
	while (*s) {
		const char *tok = s, *v;
		size_t n, vlen;
		int f;

		if (is_space_at(s, &sl)) {
			kbuf_add(&b, s, sl);
			s += sl;
			continue;
		}
		while (*s && !is_space_at(s, &sl))
			s++;
		n = (size_t)(s - tok);
		for (size_t i = 0; i < n; i++)
			quoted ^= tok[i] == '"';
		v = NULL;
		if (!quoted && n > 8 && !strncasecmp(tok, "section:", 8))
			v = tok + 8;
		else if (!quoted && n > 10 && !strncasecmp(tok, "section\xef\xbc\x9a", 10)) /* full-width colon */
			v = tok + 10;
		if (!v) {
			kbuf_add(&b, tok, n);
			continue;
		}
		vlen = (size_t)(s - v);
		{
			char name[128];

			snprintf(name, sizeof(name), "%.*s", (int)(vlen < sizeof(name) ? vlen : sizeof(name) - 1), v);
			f = ksearch_field_parse(name);
			if (f < 0) {
				rc = ksearch_field_error(name, err);
				goto out;
			}
		}
		if (*field >= 0 && *field != f) {
			rc = kerr_why(kerr_set(err, KE_USAGE, "section: give one section (%s and %s given)",
					       ksearch_field_key(*field), ksearch_field_key(f)),
				      err, KQERR_SECTION_TWO, 0, 0, NULL);
			goto out;
		}
		*field = f;
	}
	if (kbuf_addch(&b, 0) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	*rest = kbuf_detach(&b, NULL);
out:
	kbuf_release(&b);
	return rc;
}

/* ---- marks in the index's columns ------------------------------------------------ */

#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"

/* Marks in a highlighted column: [start, end) in bytes of the unmarked text. */
struct marks {
	struct kspan *v;
	size_t n, alloc;
	char *plain;
	size_t len;
};

static int unmark(const char *hl, struct marks *m)
{
	size_t n = strlen(hl), o = 0;
	int open = -1;

	m->plain = malloc(n + 1);
	m->v = NULL;
	m->n = m->alloc = 0;
	if (!m->plain)
		return KE_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (hl[i] == HL_OPEN[0]) {
			open = (int)o;
		} else if (hl[i] == HL_CLOSE[0]) {
			if (open >= 0 && (int)o > open) {
				if (KGROW(m->v, m->alloc, m->n + 1) < 0)
					return KE_NOMEM;
				m->v[m->n].start = open;
				m->v[m->n].end = (int)o;
				m->n++;
			}
			open = -1;
		} else {
			m->plain[o++] = hl[i];
		}
	}
	m->plain[o] = 0;
	m->len = o;
	return 0;
}

/*
 * A one-character query ("系" *) matches the bigrams that start with it, and
 * the highlighter marks the whole bigram (系と); cut such a mark back to the
 * character, unless a whole phrase of the query is in it.
 */
static void trim_prefix_marks(struct marks *m, const struct kquery *q)
{
	int any = 0;

	for (size_t i = 0; i < q->nphrases; i++)
		any |= q->phrases[i].prefix && q->phrases[i].term >= 0;
	if (!any)
		return;
	for (size_t k = 0; k < m->n; k++) {
		struct kspan *sp = &m->v[k];
		char *span = norm_dup(m->plain + sp->start, (size_t)(sp->end - sp->start));
		int whole = 0, pre = 0;

		if (!span)
			return;
		for (size_t i = 0; i < q->nphrases && !whole; i++) {
			char *pn = norm_dup(q->phrases[i].text, strlen(q->phrases[i].text));

			if (!pn)
				break;
			if (!q->phrases[i].prefix)
				whole = strstr(span, pn) != NULL;
			else if (!strncmp(span, pn, strlen(pn)) && strlen(pn) < strlen(span))
				pre = 1;
			free(pn);
		}
		free(span);
		if (!whole && pre) {
			int32_t cp;
			int e = sp->start + u8_next(m->plain + sp->start, (size_t)(sp->end - sp->start), &cp);

			/* keep combining and half-width voiced marks with it */
			while (e < sp->end) {
				int l = u8_next(m->plain + e, (size_t)(sp->end - e), &cp);

				if (!(cp == 0xFF9E || cp == 0xFF9F || cp == 0x3099 || cp == 0x309A ||
				      utf8proc_category(cp) == UTF8PROC_CATEGORY_MN))
					break;
				e += l;
			}
			sp->end = e;
		}
	}
}

/* A part's text in a column: [off, off + len) of its plain text; slot is the case's string. */
struct piece {
	int field;
	size_t off, len;
	char **slot;
};

struct where {
	struct kcase c;
	char *cols[KCOL__N];
	struct marks m[KCOL__N];
	struct piece *p[KCOL__N];
	size_t np[KCOL__N], pa[KCOL__N];
};

static void where_free(struct where *w)
{
	kcase_free(&w->c);
	for (int i = 0; i < KCOL__N; i++) {
		free(w->cols[i]);
		free(w->m[i].plain);
		free(w->m[i].v);
		free(w->p[i]);
	}
}

static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
	if (!k || k > n)
		return NULL;
	for (const char *p = hay, *end = hay + n - k; p <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, needle, k))
			return p;
	}
	return NULL;
}

/* Find *slot's text in column col after *cur, in the order put_text wrote them. */
static int add_piece(struct where *w, int col, size_t *cur, int field, char **slot)
{
	const struct marks *m = &w->m[col];
	const char *t = *slot, *at;
	size_t len;

	if (!t || !*t || *cur > m->len)
		return 0;
	len = strlen(t);
	if (!(at = find(m->plain + *cur, m->len - *cur, t, len)))
		return 0;
	if (KGROW(w->p[col], w->pa[col], w->np[col] + 1) < 0)
		return KE_NOMEM;
	w->p[col][w->np[col]++] = (struct piece){ field, (size_t)(at - m->plain), len, slot };
	*cur = (size_t)(at - m->plain) + len;
	return 0;
}

/* Sections indexed in the lessons column, not the body (put_text in store_sqlite.c). */
static int section_in_lessons(int k)
{
	return k == KSEC_LESSONS || k == KSEC_COUNTERMEASURES;
}

static int map_pieces(struct where *w)
{
	struct kcase *c = &w->c;
	size_t cur;
	int rc = 0;

	cur = 0;
	rc |= add_piece(w, KCOL_TITLE, &cur, KSF_TITLE, &c->title);
	cur = 0;
	for (size_t i = 0; i < c->summary.n; i++)
		rc |= add_piece(w, KCOL_SUMMARY, &cur, KSF_SUMMARY, &c->summary.v[i]);
	cur = 0;
	for (size_t i = 0; i < c->key_lessons.n; i++)
		rc |= add_piece(w, KCOL_LESSONS, &cur, KSF_KEY_LESSONS, &c->key_lessons.v[i]);
	/* the lessons column goes on with 得られた気付き・教訓 and 再発防止策 (put_text in
	 * store_sqlite.c); the body holds the other sections */
	for (int i = 0; i < KSEC__N; i++)
		if (ksection_display_order[i] == KSEC_LESSONS)
			rc |= add_piece(w, KCOL_LESSONS, &cur, KSF_SECTION + i, &c->sections[KSEC_LESSONS]);
	for (int i = 0; i < KSEC__N; i++)
		if (ksection_display_order[i] == KSEC_COUNTERMEASURES)
			rc |= add_piece(w, KCOL_LESSONS, &cur, KSF_SECTION + i, &c->sections[KSEC_COUNTERMEASURES]);
	cur = 0;
	for (int i = 0; i < KSEC__N; i++)
		if (!section_in_lessons(ksection_display_order[i]))
			rc |= add_piece(w, KCOL_BODY, &cur, KSF_SECTION + i, &c->sections[ksection_display_order[i]]);
	cur = 0;
	for (size_t i = 0; i < c->ntimeline; i++)
		rc |= add_piece(w, KCOL_TIMELINE, &cur, KSF_TIMELINE, &c->timeline[i].text);
	cur = 0;
	rc |= add_piece(w, KCOL_META, &cur, KSF_ATTRIBUTES, &c->category);
	rc |= add_piece(w, KCOL_META, &cur, KSF_ATTRIBUTES, &c->attributes.organization);
	rc |= add_piece(w, KCOL_META, &cur, KSF_ATTRIBUTES, &c->attributes.factors);
	return rc ? KE_NOMEM : 0;
}

static int row_json(void *ctx, const struct kcase_row *r)
{
	struct where *w = ctx;
	json_t *j = r->json ? json_loads(r->json, 0, NULL) : NULL;
	struct kerr e = KERR_INIT;
	int rc = 0;

	if (j && kcase_from_json(&w->c, j, &e) == KE_NOMEM)
		rc = KE_NOMEM;
	json_decref(j);
	return rc;
}

static int where_marks(struct where *w, const struct kquery *q, struct kerr *err);

/*
 * The case of row rid (visible to r) and the marks of match in its columns,
 * each column cut into the parts it holds.
 */
static int where_load(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
		      long long rid, const struct kreader *r, struct where *w, struct kerr *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	kcase_init(&w->c);
	if ((rc = kstore_search_row(st, rid, r, row_json, w, err)) < 0)
		return rc == KE_NOMEM ? kerr_set(err, KE_NOMEM, "out of memory") : rc;
	if ((rc = kstore_search_highlight(st, match, rid, HL_OPEN, HL_CLOSE, w->cols, err)) < 0)
		return rc;
	return where_marks(w, q, err);
}

/* w's marks from its marked columns (w->cols), each column cut into the parts it holds. */
static int where_marks(struct where *w, const struct kquery *q, struct kerr *err)
{
	for (int i = 0; i < KCOL__N; i++) {
		if (unmark(w->cols[i], &w->m[i]) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
		trim_prefix_marks(&w->m[i], q);
	}
	if (map_pieces(w) < 0)
		return kerr_set(err, KE_NOMEM, "out of memory");
	return 0;
}

/* The part of column col that holds byte pos, or NULL. */
static const struct piece *piece_at(const struct where *w, int col, size_t pos)
{
	for (size_t i = 0; i < w->np[col]; i++)
		if (pos >= w->p[col][i].off && pos < w->p[col][i].off + w->p[col][i].len)
			return &w->p[col][i];
	return NULL;
}

/* The parts with a mark: bits 1u << KSF_*. */
static unsigned where_fields(const struct where *w)
{
	unsigned bits = 0;

	for (int col = 0; col < KCOL__N; col++)
		for (size_t k = 0; k < w->m[col].n; k++) {
			const struct piece *p = piece_at(w, col, (size_t)w->m[col].v[k].start);

			if (p)
				bits |= 1u << p->field;
		}
	return bits;
}

/* The column a part's text is in. */
static int field_col(int f)
{
	if (f == KSF_TITLE)
		return KCOL_TITLE;
	if (f == KSF_SUMMARY)
		return KCOL_SUMMARY;
	if (f == KSF_KEY_LESSONS)
		return KCOL_LESSONS;
	if (f == KSF_TIMELINE)
		return KCOL_TIMELINE;
	if (f == KSF_ATTRIBUTES)
		return KCOL_META;
	if (f >= KSF_SECTION && f < KSF_SECTION + KSEC__N && section_in_lessons(ksection_display_order[f - KSF_SECTION]))
		return KCOL_LESSONS;
	return KCOL_BODY;
}

unsigned ksearch__field_cols(int f)
{
	return f >= 0 && f < KSF__N ? 1u << field_col(f) : 0;
}

int ksearch__field_whole_col(int f)
{
	/* (the key lessons share their column with two sections) */
	return f == KSF_TITLE || f == KSF_SUMMARY || f == KSF_TIMELINE || f == KSF_ATTRIBUTES;
}

/*
 * Does part f hold the query: with all, every user term the case's marks
 * show (a term whose words are marked nowhere, e.g. a stem's other form,
 * is not asked for), else any mark.
 */
static int where_holds(const struct where *w, int f, const struct kquery *q, int all)
{
	int col = field_col(f), any = 0;
	char *seen = NULL;
	int ok = 1;

	for (size_t k = 0; k < w->m[col].n; k++) {
		const struct piece *p = piece_at(w, col, (size_t)w->m[col].v[k].start);

		any |= p && p->field == f;
	}
	if (!any || !all || q->nterms < 2)
		return any;
	/* per term: marked in f, or marked nowhere recognisably */
	seen = calloc(q->nterms, 2);
	if (!seen)
		return any;
	for (int c = 0; c < KCOL__N; c++)
		for (size_t k = 0; k < w->m[c].n; k++) {
			const struct kspan *sp = &w->m[c].v[k];
			const struct piece *p = piece_at(w, c, (size_t)sp->start);
			char *span = norm_dup(w->m[c].plain + sp->start, (size_t)(sp->end - sp->start));

			if (!span)
				continue;
			for (size_t i = 0; i < q->nphrases; i++) {
				const struct kphrase *ph = &q->phrases[i];
				char *pn;

				if (ph->term < 0 || (size_t)ph->term >= q->nterms)
					continue;
				if (!(pn = norm_dup(ph->text, strlen(ph->text))))
					continue;
				if (ph->prefix ? !strncmp(span, pn, strlen(pn)) : strstr(span, pn) != NULL) {
					seen[ph->term * 2] = 1;
					if (p && p->field == f)
						seen[ph->term * 2 + 1] = 1;
				}
				free(pn);
			}
			free(span);
		}
	for (size_t t = 0; t < q->nterms; t++)
		if (seen[t * 2] && !seen[t * 2 + 1])
			ok = 0;
	free(seen);
	return ok;
}

/* A case of ksearch__in_field_many(): its rid and place in the caller's list. */
struct many_ent {
	long long rid;
	size_t i;
};

struct many {
	const struct kquery *q;
	const struct many_ent *e;
	size_t n;
	int f, all;
	unsigned char *yes;
};

static int many_cmp(const void *a, const void *b)
{
	const struct many_ent *x = a, *y = b;

	return (x->rid > y->rid) - (x->rid < y->rid);
}

/* The place of rid in m's list, or -1. */
static long many_find(const struct many *m, long long rid)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->e[mid].rid < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->e[lo].rid == rid ? (long)lo : -1;
}

/* A row of kstore_search_marked(): as where_load() and where_holds() would see it. */
static int many_row(void *ctx, long long rid, const char *marked, const char *json)
{
	struct many *m = ctx;
	struct where w;
	long lo = many_find(m, rid);
	int col = field_col(m->f), rc = 0;

	if (lo < 0)
		return 0;
	memset(&w, 0, sizeof(w));
	kcase_init(&w.c);
	/* (the parts of col need only the key lessons and the sections) */
	if (json && (rc = kcase_texts_from_json(&w.c, json, strlen(json))) < 0)
		goto out;
	/* the match names col only (the query's columns are col's), so the other columns
	 * have no marks: they are left empty */
	for (int i = 0; i < KCOL__N && !rc; i++)
		rc = unmark(i == col ? marked : "", &w.m[i]);
	if (rc)
		goto out;
	trim_prefix_marks(&w.m[col], m->q);
	if ((rc = map_pieces(&w)) < 0)
		goto out;
	m->yes[m->e[lo].i] = (unsigned char)where_holds(&w, m->f, m->q, m->all);
out:
	where_free(&w);
	return rc < 0 ? KE_NOMEM : 0;
}

/* The user term of each of a match's phrases, by the store's numbering (store_query.h). */
static void phrase_terms(const struct kstore_qnode *n, int *term, size_t cap, size_t *k)
{
	if (!n)
		return;
	if (n->op == KSQ_PHRASE) {
		if (*k < cap)
			term[*k] = n->phrase.term;
		(*k)++;
		return;
	}
	for (size_t i = 0; i < n->nkid; i++)
		phrase_terms(n->kid[i], term, cap, k);
}

/* ksearch__in_field_many() from the positions of the marks: its rows without parts kept for later. */
struct by_parts {
	struct many *m;
	int *term;          /* phrase number -> user term */
	size_t nphrase;
	int col, what;      /* the part asked about */
	unsigned char *seen;
	long long *later;
	size_t nlater, alater;
};

/* The part of column col that holds token pos: the last to start at or before it. */
static const struct kstore_part *part_at(const struct kstore_part *p, size_t n, int col, int pos)
{
	const struct kstore_part *at = NULL;

	for (size_t i = 0; i < n; i++)
		if (p[i].col == col && p[i].first <= (unsigned)pos)
			at = &p[i];
	return at;
}

/* where_holds() as the marks' positions in the parts show it. */
static int parts_holds(struct by_parts *bp, const struct kstore_inst *inst, size_t ninst,
		       const struct kstore_part *parts, size_t nparts)
{
	const struct kquery *q = bp->m->q;
	int any = 0, ok = 1;

	memset(bp->seen, 0, q->nterms * 2 + 1);
	for (size_t i = 0; i < ninst; i++) {
		const struct kstore_part *p = part_at(parts, nparts, bp->col, inst[i].pos);
		int in = p && p->what == bp->what;
		int t = inst[i].phrase >= 0 && (size_t)inst[i].phrase < bp->nphrase ? bp->term[inst[i].phrase] : -1;

		any |= in;
		if (t >= 0 && (size_t)t < q->nterms) {
			bp->seen[t * 2] = 1;
			bp->seen[t * 2 + 1] |= (unsigned char)in;
		}
	}
	/* all: every user term marked somewhere is marked in the part (where_holds()) */
	if (any && bp->m->all && q->nterms >= 2)
		for (size_t t = 0; t < q->nterms; t++)
			if (bp->seen[t * 2] && !bp->seen[t * 2 + 1])
				ok = 0;
	return any && ok;
}

/* A case without parts, kept to be read (kstore_search_marked()). */
static int parts_later(struct by_parts *bp, long long rid)
{
	if (KGROW(bp->later, bp->alater, bp->nlater + 1) < 0)
		return KE_NOMEM;
	bp->later[bp->nlater++] = rid;
	return 0;
}

/* A row of kstore_search_parts(): where_holds() as the marks' positions show it. */
static int parts_row(void *ctx, long long rid, const struct kstore_marks *mk, const struct kstore_part *parts,
		     size_t nparts)
{
	struct by_parts *bp = ctx;
	long at = many_find(bp->m, rid);

	if (at < 0)
		return 0;
	if (!parts)
		return parts_later(bp, rid);
	bp->m->yes[bp->m->e[at].i] = (unsigned char)parts_holds(bp, mk[0].inst, mk[0].n, parts, nparts);
	return 0;
}

/* ksearch__in_field_all()'s cases, listed as kstore_search_parts_all() gives them: its one or two matches' answers. */
struct by_parts_all {
	struct by_parts bp[2];
	size_t nq;
	long long *rid;
	unsigned char *yes[2];
	size_t n, arid, ayes[2];
};

/* A row of kstore_search_parts_all(): listed, and decided for each match as parts_row() decides it. */
static int parts_all_row(void *ctx, long long rid, const struct kstore_marks *mk, const struct kstore_part *parts,
			 size_t nparts)
{
	struct by_parts_all *a = ctx;

	if (KGROW(a->rid, a->arid, a->n + 1) < 0)
		return KE_NOMEM;
	for (size_t k = 0; k < a->nq; k++) {
		if (KGROW(a->yes[k], a->ayes[k], a->n + 1) < 0)
			return KE_NOMEM;
		a->yes[k][a->n] = (unsigned char)(parts && mk[k].holds ?
						  parts_holds(&a->bp[k], mk[k].inst, mk[k].n, parts, nparts) : 0);
	}
	a->rid[a->n++] = rid;
	return parts ? 0 : parts_later(&a->bp[0], rid);
}

/* Is part f one whose places the index keeps (a section, a key lesson)? */
static int parts_kept(int f)
{
	return f == KSF_KEY_LESSONS || (f >= KSF_SECTION && f < KSF_SECTION + KSEC__N);
}

/* bp's part and the user term of each phrase of match; KE_NOMEM. */
static int parts_init(struct by_parts *bp, const struct kstore_query *match, const struct kquery *q, int f)
{
	size_t np = 0;

	bp->what = f == KSF_KEY_LESSONS ? KPART_KEY_LESSON : ksection_display_order[f - KSF_SECTION];
	phrase_terms(match->root, NULL, 0, &np);
	phrase_terms(match->except, NULL, 0, &np);
	bp->nphrase = np;
	if (!(bp->term = malloc((np ? np : 1) * sizeof(*bp->term))) || !(bp->seen = malloc(q->nterms * 2 + 1)))
		return KE_NOMEM;
	np = 0;
	phrase_terms(match->root, bp->term, bp->nphrase, &np);
	phrase_terms(match->except, bp->term, bp->nphrase, &np);
	return 0;
}

int ksearch__in_field_all(struct kstore *st, const struct kstore_query *match, const struct kstore_query *some,
			  const struct kquery *q, const struct kfilter *filter, int f, int all, long long **rids,
			  size_t *n, unsigned char **yes, unsigned char **yes_some, struct kerr *err)
{
	const struct kstore_query *mq[2] = { match, some };
	struct many m[2] = { { q, NULL, 0, f, all, NULL }, { q, NULL, 0, f, 0, NULL } };
	struct by_parts_all a;
	struct many_ent *e = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	a.nq = some ? 2 : 1;
	*rids = NULL;
	*yes = NULL;
	if (yes_some)
		*yes_some = NULL;
	*n = 0;
	if (!parts_kept(f))
		return 1;
	for (size_t k = 0; k < a.nq; k++) {
		if (mq[k]->cols != ksearch__field_cols(f))
			return kerr_set(err, KE_INVALID, "search: a section's match must name its column");
		a.bp[k] = (struct by_parts){ &m[k], NULL, 0, field_col(f), 0, NULL, NULL, 0, 0 };
		if (parts_init(&a.bp[k], mq[k], q, f) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	}
	if ((rc = kstore_search_parts_all(st, match, some, field_col(f), filter, parts_all_row, &a, err)) != 0)
		goto out;
	/* the cases whose parts the index does not know: their text marked and read */
	if (a.bp[0].nlater) {
		if (!(e = malloc(a.n * sizeof(*e)))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < a.n; i++)
			e[i] = (struct many_ent){ a.rid[i], i };
		for (size_t k = 0; k < a.nq; k++) {
			m[k].e = e;
			m[k].n = a.n;
			m[k].yes = a.yes[k];
			rc = kstore_search_marked(st, mq[k], field_col(f), a.bp[0].later, a.bp[0].nlater,
						  filter->reader, HL_OPEN, HL_CLOSE, many_row, &m[k], err);
			if (rc == KE_NOMEM)
				rc = kerr_set(err, KE_NOMEM, "out of memory");
			if (rc < 0)
				goto out;
		}
	}
	*rids = a.rid;
	*yes = a.yes[0];
	if (yes_some)
		*yes_some = a.yes[1];
	*n = a.n;
	a.rid = NULL;
	a.yes[0] = a.yes[1] = NULL;
	rc = 0;
out:
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	free(e);
	free(a.rid);
	for (size_t k = 0; k < 2; k++) {
		free(a.yes[k]);
		free(a.bp[k].term);
		free(a.bp[k].seen);
		free(a.bp[k].later);
	}
	return rc;
}

int ksearch__in_field_many(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
			   const long long *rids, size_t n, const struct kreader *r, int f, int all,
			   unsigned char *yes, struct kerr *err)
{
	struct many m = { q, NULL, n, f, all, yes };
	struct by_parts bp = { &m, NULL, 0, field_col(f), 0, NULL, NULL, 0, 0 };
	struct many_ent *e = NULL;
	long long *v = NULL;
	int rc;

	if (!n)
		return 0;
	memset(yes, 0, n);
	if (match->cols != ksearch__field_cols(f))
		return kerr_set(err, KE_INVALID, "search: a section's match must name its column");
	e = malloc(n * sizeof(*e));
	v = malloc(n * sizeof(*v));
	if (!e || !v) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		e[i] = (struct many_ent){ rids[i], i };
	qsort(e, n, sizeof(*e), many_cmp);
	for (size_t i = 0; i < n; i++)
		v[i] = e[i].rid;
	m.e = e;
	if (!parts_kept(f)) {
		/* (a part that is not a column's piece: only the text can say) */
		rc = kstore_search_marked(st, match, field_col(f), v, n, r, HL_OPEN, HL_CLOSE, many_row, &m, err);
		goto done;
	}
	/* where the marks are, in tokens, and where the case's parts begin: no case read */
	if ((rc = parts_init(&bp, match, q, f)) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	rc = kstore_search_parts(st, match, field_col(f), v, n, r, parts_row, &bp, err);
	/* the cases whose parts the index does not know: their text marked and read */
	if (rc >= 0 && bp.nlater) {
		qsort(bp.later, bp.nlater, sizeof(*bp.later), ksearch__rid_cmp);
		rc = kstore_search_marked(st, match, field_col(f), bp.later, bp.nlater, r, HL_OPEN, HL_CLOSE, many_row,
					  &m, err);
	}
done:
	if (rc == KE_NOMEM)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	free(e);
	free(v);
	free(bp.term);
	free(bp.seen);
	free(bp.later);
	return rc;
}

/* ---- snippets ------------------------------------------------------------------------------ */

/* Byte offset of the start of the character k characters before/after pos, within [lo, hi). */
static size_t char_back(const char *s, size_t lo, size_t pos, int k)
{
	while (pos > lo && k > 0) {
		pos--;
		while (pos > lo && kutf8_is_cont((unsigned char)s[pos]))
			pos--;
		k--;
	}
	return pos;
}

static size_t char_fwd(const char *s, size_t hi, size_t pos, int k)
{
	while (pos < hi && k > 0) {
		pos++;
		while (pos < hi && kutf8_is_cont((unsigned char)s[pos]))
			pos++;
		k--;
	}
	return pos;
}

/* The code point that ends just before pos (-1 at lo). */
static int32_t cp_before(const char *s, size_t lo, size_t pos)
{
	int32_t cp;
	size_t a = char_back(s, lo, pos, 1);

	if (a == pos)
		return -1;
	u8_next(s + a, pos - a, &cp);
	return cp;
}

static int32_t cp_at(const char *s, size_t hi, size_t pos)
{
	int32_t cp;

	if (pos >= hi)
		return -1;
	u8_next(s + pos, hi - pos, &cp);
	return cp;
}

static int is_sentence_end(int32_t c)
{
	return c == 0x3002 || c == 0xFF0E || c == 0xFF01 || c == 0xFF1F || c == '\n'; /* 。．！？ */
}

static int is_clause_end(int32_t c)
{
	/* 、，」』）】〕 and ASCII , ; : ) */
	return c == 0x3001 || c == 0xFF0C || c == 0x300D || c == 0x300F || c == 0xFF09 || c == 0x3011 ||
	       c == 0x3015 || c == ',' || c == ';' || c == ':' || c == ')';
}

static int is_blank(int32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000;
}

static int is_bullet(int32_t c)
{
	return c == 0x30FB || c == 0x25CF || c == 0x25CB || c == 0x25A0 || c == 0x25A1 || c == 0x25C6 ||
	       c == 0x25C7 || c == 0x25AA || c == 0x2022 || (c >= 0x2460 && c <= 0x2473); /* ・●○■□◆◇▪•①.. */
}

/*
 * How good a place byte pos of s[lo..hi) is to cut a snippet: 3 a line or
 * sentence boundary (or the text's end), 2 after a clause mark (、」), 1 a
 * word boundary (a space, or kana turning into kanji or katakana: where a
 * Japanese word starts after a particle), 0 inside a word.
 */
static int cut_strength(const char *s, size_t lo, size_t hi, size_t pos)
{
	int32_t a = cp_before(s, lo, pos), b = cp_at(s, hi, pos);
	int ca, cb;

	if (a < 0 || b < 0)
		return 3;
	if (is_sentence_end(a) || is_bullet(b) ||
	    ((a == ' ' || a == 0x3000) && (is_sentence_end(cp_before(s, lo, char_back(s, lo, pos, 1))) ||
					   cp_before(s, lo, char_back(s, lo, pos, 1)) == '.')))
		return 3;
	if (a == '.' && is_blank(b))
		return 3;
	if (is_clause_end(a))
		return 2;
	if (is_blank(a) || is_blank(b))
		return 1;
	ca = char_class(a);
	cb = char_class(b);
	if (ca == CL_HIRA && (cb == CL_KANJI || cb == CL_KATA || cb == CL_LATIN))
		return 1;
	if ((ca == CL_OTHER) != (cb == CL_OTHER) && !(a == 0x30FC || b == 0x30FC) && ca != CL_LATIN &&
	    cb != CL_LATIN)
		return 1; /* a bracket, a symbol */
	return 0;
}

static int inside_mark(const struct marks *m, size_t pos)
{
	for (size_t i = 0; i < m->n; i++)
		if ((size_t)m->v[i].start < pos && pos < (size_t)m->v[i].end)
			return 1;
	return 0;
}

/*
 * The best place to cut in [lo, hi] of a part s[ps..pe): the strongest
 * boundary, nearest to near; a sentence boundary is taken anywhere in the
 * range, a weaker one only within `reach` bytes of near.
 */
static size_t best_cut(const struct marks *m, size_t ps, size_t pe, size_t lo, size_t hi, size_t near)
{
	const char *s = m->plain;
	size_t best = near, bestd = (size_t)-1;
	int bests = 0;

	for (size_t p = lo; p <= hi; p++) {
		int st;
		size_t d;

		if (p > lo && p < hi && kutf8_is_cont((unsigned char)s[p]))
			continue;
		if (p < hi && kutf8_is_cont((unsigned char)s[p]))
			continue;
		if (inside_mark(m, p))
			continue;
		st = cut_strength(s, ps, pe, p);
		d = p > near ? p - near : near - p;
		if (st > bests || (st == bests && st > 0 && d < bestd)) {
			bests = st;
			best = p;
			bestd = d;
		}
	}
	return best;
}

/* Distinct marked strings in [a, b) of m: how many different words matched. */
static int distinct_in(const struct marks *m, size_t a, size_t b, int *count)
{
	int d = 0;

	*count = 0;
	for (size_t i = 0; i < m->n; i++) {
		int seen = 0;

		if ((size_t)m->v[i].start < a || (size_t)m->v[i].start >= b)
			continue;
		(*count)++;
		for (size_t j = 0; j < i && !seen; j++)
			seen = (size_t)m->v[j].start >= a && (size_t)m->v[j].start < b &&
			       m->v[j].end - m->v[j].start == m->v[i].end - m->v[i].start &&
			       !memcmp(m->plain + m->v[j].start, m->plain + m->v[i].start,
				       (size_t)(m->v[i].end - m->v[i].start));
		d += !seen;
	}
	return d;
}

/* The snippet of h from the best matched part of w. */
static int snippet_from(struct where *w, int prefer, struct ksearch_hit *h, int chars, struct kerr *err)
{
	/* parts in the order they are preferred for a snippet (title is shown anyway) */
	static const int colorder[] = { KCOL_SUMMARY, KCOL_LESSONS, KCOL_BODY, KCOL_TIMELINE, KCOL_TITLE,
					KCOL_META };
	int bestcol = -1, bestscore = INT_MIN, rank = 0;
	struct piece bestp = { -1, 0, 0, NULL };
	size_t ws, we, nspan = 0;

	for (size_t k = 0; k < sizeof(colorder) / sizeof(colorder[0]); k++) {
		int c = colorder[k];

		for (size_t i = 0; i < w->np[c]; i++, rank++) {
			const struct piece *p = &w->p[c][i];
			int n, d = distinct_in(&w->m[c], p->off, p->off + p->len, &n), score;

			if (!n)
				continue;
			score = d * 100 + (n > 50 ? 50 : n) - rank;
			if (c == KCOL_TITLE || c == KCOL_META)
				score -= 1000;
			if (p->field == prefer)
				score += 100000;
			if (score > bestscore) {
				bestscore = score;
				bestcol = c;
				bestp = *p;
			}
		}
		/* marks in no part found: the whole column */
		if (bestcol < 0 && w->m[c].n && c != KCOL_TITLE && c != KCOL_META) {
			int n, d = distinct_in(&w->m[c], 0, w->m[c].len, &n), score = d * 100 - 500;

			if (score > bestscore) {
				bestscore = score;
				bestcol = c;
				bestp = (struct piece){ -1, 0, w->m[c].len, NULL };
			}
		}
	}
	if (bestcol < 0) {
		/* nothing marked (cannot happen for a match): the summary, else the body */
		bestcol = w->m[KCOL_SUMMARY].len ? KCOL_SUMMARY : KCOL_BODY;
		bestp = (struct piece){ -1, 0, w->m[bestcol].len, NULL };
		if (w->np[bestcol])
			bestp = w->p[bestcol][0];
	}
	{
		const struct marks *b = &w->m[bestcol];
		const char *s = b->plain;
		size_t ps = bestp.off, pe = bestp.off + bestp.len, bi = (size_t)-1, m0;
		int bestn = -1;

		/* the window of `chars` characters from a little before mark i with the most marks */
		for (size_t i = 0; i < b->n; i++) {
			size_t ms = (size_t)b->v[i].start, s0, e;
			int cnt = 0;

			if (ms < ps || ms >= pe)
				continue;
			s0 = char_back(s, ps, ms, chars / 6);
			e = char_fwd(s, pe, s0, chars);
			for (size_t j = i; j < b->n && (size_t)b->v[j].end <= e; j++)
				cnt++;
			if (cnt > bestn) {
				bestn = cnt;
				bi = i;
			}
		}
		if (bi != (size_t)-1) {
			size_t m1 = (size_t)b->v[bi].end;

			m0 = (size_t)b->v[bi].start;
			/* start at a sentence within a third of the snippet before the match, else near
			 * a sixth before it at a clause or word boundary */
			ws = best_cut(b, ps, pe, char_back(s, ps, m0, chars / 3), m0, char_back(s, ps, m0, chars / 6));
			we = char_fwd(s, pe, ws, chars);
			if (we < pe) {
				size_t lo = char_back(s, ps, we, chars / 4), hi = char_fwd(s, pe, we, 4), p;

				if (lo < m1)
					lo = m1 <= we ? m1 : we;
				/* a sentence that ends a few characters on: end with it */
				for (p = we; p < hi && !(cut_strength(s, ps, pe, p) == 3 && !inside_mark(b, p));)
					p = char_fwd(s, pe, p, 1);
				we = p < hi || (p == hi && cut_strength(s, ps, pe, p) == 3) ? p : best_cut(b, ps, pe, lo, we, we);
			}
		} else {
			ws = ps;
			we = char_fwd(s, pe, ws, chars);
			if (we < pe)
				we = best_cut(b, ps, pe, char_back(s, ps, we, chars / 4), we, we);
		}
		/* use the room left at the end for text before the window */
		if (we == pe && ws > ps && nchars(s, ws, we) < (size_t)chars) {
			size_t t = char_back(s, ps, ws, chars - (int)nchars(s, ws, we));

			ws = t == ps ? ps : best_cut(b, ps, pe, t, ws, t);
		}
		/* no blank at either end */
		while (ws < we && is_blank(cp_at(s, we, ws)))
			ws = char_fwd(s, we, ws, 1);
		while (we > ws && is_blank(cp_before(s, ws, we)))
			we = char_back(s, ws, we, 1);
		h->snippet = strndup(s + ws, we - ws);
		if (!h->snippet)
			return kerr_set(err, KE_NOMEM, "out of memory");
		h->snippet_field = kstore_col_name(bestcol);
		h->snippet_offset = (int)ws;
		h->snippet_more = we < b->len;
		h->snippet_where = bestp.field;
		h->cut_before = ws > ps;
		h->cut_after = we < pe;
		for (size_t i = 0; i < b->n; i++)
			if ((size_t)b->v[i].start >= ws && (size_t)b->v[i].start < we)
				nspan++;
		if (nspan) {
			h->spans = calloc(nspan, sizeof(*h->spans));
			if (!h->spans)
				return kerr_set(err, KE_NOMEM, "out of memory");
			for (size_t i = 0; i < b->n; i++) {
				size_t ms = (size_t)b->v[i].start, me = (size_t)b->v[i].end;

				if (ms < ws || ms >= we)
					continue;
				if (me > we)
					me = we;
				h->spans[h->nspans].start = (int)(ms - ws);
				h->spans[h->nspans].end = (int)(me - ws);
				h->nspans++;
			}
		}
	}
	return 0;
}

int ksearch__where(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
		   const struct kreader *r, int prefer, struct ksearch_hit *h, int chars, struct kerr *err)
{
	struct where w;
	int rc;

	h->snippet_where = -1;
	if ((rc = where_load(st, match, q, h->rid, r, &w, err)) < 0)
		goto out;
	h->where = where_fields(&w);
	rc = snippet_from(&w, prefer, h, chars, err);
out:
	where_free(&w);
	return rc;
}

/* The hits of ksearch__where_many(), by rid: each one's marked columns once read. */
struct where_ent {
	long long rid;
	size_t i;
	char *cols[KCOL__N];
	int have;
};

static int where_ent_cmp(const void *a, const void *b)
{
	const struct where_ent *x = a, *y = b;

	return (x->rid > y->rid) - (x->rid < y->rid);
}

struct where_set {
	struct where_ent *e;
	size_t n;
};

static int where_many_cols(void *ctx, long long rid, char *cols[KCOL__N])
{
	struct where_set *ws = ctx;
	size_t lo = 0, hi = ws->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ws->e[mid].rid < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = 0; i < KCOL__N; i++) {
		if (lo < ws->n && ws->e[lo].rid == rid && !ws->e[lo].have)
			ws->e[lo].cols[i] = cols[i];
		else
			free(cols[i]);
	}
	if (lo < ws->n && ws->e[lo].rid == rid)
		ws->e[lo].have = 1;
	return 0;
}

int ksearch__where_many(struct kstore *st, const struct kstore_query *match, const struct kquery *q,
			const struct kreader *r, int prefer, struct ksearch_hit *const *hits, size_t n, int chars,
			struct kerr *err)
{
	struct where_set ws = { NULL, 0 };
	long long *rids = NULL;
	int rc = 0;

	if (!n)
		return 0;
	if (!(ws.e = calloc(n, sizeof(*ws.e))) || !(rids = malloc(n * sizeof(*rids)))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ws.e[i].rid = hits[i]->rid;
		ws.e[i].i = i;
	}
	qsort(ws.e, n, sizeof(*ws.e), where_ent_cmp);
	/* (a rid twice: its hits share the one read) */
	for (size_t i = 0; i < n; i++)
		if (!ws.n || ws.e[ws.n - 1].rid != ws.e[i].rid)
			rids[ws.n++] = ws.e[i].rid;
	if ((rc = kstore_search_highlight_many(st, match, rids, ws.n, HL_OPEN, HL_CLOSE, where_many_cols, &ws,
					       err)) < 0)
		goto out;
	ws.n = n;
	for (size_t k = 0; k < n; k++) {
		struct where_ent *e = &ws.e[k], *src = e;
		struct ksearch_hit *h = hits[e->i];
		struct where w;

		/* a repeated rid: the first of its entries holds the columns */
		while (src > ws.e && (src - 1)->rid == e->rid)
			src--;
		h->snippet_where = -1;
		memset(&w, 0, sizeof(w));
		kcase_init(&w.c);
		/* as where_load(): the case first (hidden: not found), then its marks */
		if ((rc = kstore_search_row(st, e->rid, r, row_json, &w, err)) < 0) {
			if (rc == KE_NOMEM)
				rc = kerr_set(err, KE_NOMEM, "out of memory");
		} else if (!src->have) {
			rc = kerr_set(err, KE_NOTFOUND, "no such case");
		} else {
			for (int i = 0; i < KCOL__N && !rc; i++)
				if (!(w.cols[i] = strdup(src->cols[i])))
					rc = kerr_set(err, KE_NOMEM, "out of memory");
			if (!rc && (rc = where_marks(&w, q, err)) >= 0) {
				h->where = where_fields(&w);
				rc = snippet_from(&w, prefer, h, chars, err);
			}
		}
		where_free(&w);
		if (rc < 0)
			goto out;
	}
out:
	for (size_t k = 0; ws.e && k < n; k++)
		for (int i = 0; i < KCOL__N; i++)
			free(ws.e[k].cols[i]);
	free(ws.e);
	free(rids);
	return rc;
}

/* ---- marking a case ---------------------------------------------------------------------- */

/* A copy of piece p's text with its marks between open and close. */
static char *marked_copy(const struct marks *m, const struct piece *p, char open, char close, int *n)
{
	struct kbuf b = KBUF_INIT;
	size_t pos = p->off, end = p->off + p->len;
	int rc = 0;

	for (size_t i = 0; i < m->n && !rc; i++) {
		size_t ms = (size_t)m->v[i].start, me = (size_t)m->v[i].end;

		if (me <= pos || ms >= end)
			continue;
		if (ms < pos)
			ms = pos;
		if (me > end)
			me = end;
		rc |= kbuf_add(&b, m->plain + pos, ms - pos);
		rc |= kbuf_addch(&b, open);
		rc |= kbuf_add(&b, m->plain + ms, me - ms);
		rc |= kbuf_addch(&b, close);
		pos = me;
		(*n)++;
	}
	rc |= kbuf_add(&b, m->plain + pos, end - pos);
	rc |= kbuf_addch(&b, 0);
	if (rc) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

int ksearch_mark_case(struct kstore *st, const char *query, const struct kreader *r, struct kcase *c,
		      char open, char close, int *n, struct kerr *err)
{
	struct kquery q = { 0 };
	struct kstore_query any;
	struct kerr qerr = KERR_INIT;
	const struct ksyn *syn = NULL;
	struct where w;
	char *rest = NULL, *cols[KCOL__N] = { 0 };
	long long rid = 0;
	int rc, field;

	*n = 0;
	memset(&w, 0, sizeof(w));
	kcase_init(&w.c);
	if (!query || ksearch__take_section(query, &rest, &field, &qerr) < 0 || ksyn_default(&syn, &qerr) < 0 ||
	    kquery_compile(&q, rest, syn, KQ_ALL_PHRASES, &qerr) < 0) {
		rc = 0; /* nothing to mark */
		goto out;
	}
	/* every word that is there, whether the case has all of them or some */
	any = q.relaxed.root ? q.relaxed : q.expr;
	any.except = NULL;
	if ((rc = kstore_case_text(st, c->id, r, &rid, cols, err)) < 0)
		goto out;
	if ((rc = kstore_search_highlight(st, &any, rid, HL_OPEN, HL_CLOSE, w.cols, &qerr)) < 0) {
		/* the words are not in this case: nothing to mark */
		if (rc != KE_NOTFOUND)
			kerr_set(err, rc, "%s", qerr.msg);
		else
			rc = 0;
		goto out;
	}
	/* the pieces are this case's own strings */
	w.c = *c;
	for (int i = 0; i < KCOL__N; i++) {
		if (unmark(w.cols[i], &w.m[i]) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out_c;
		}
		trim_prefix_marks(&w.m[i], &q);
	}
	if (map_pieces(&w) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out_c;
	}
	for (int col = 0; col < KCOL__N; col++)
		for (size_t i = 0; i < w.np[col]; i++) {
			const struct piece *p = &w.p[col][i];
			char *copy;
			int k = 0;

			if (field >= 0 && p->field != field)
				continue; /* section:NAME: the words in that part only */
			if (!(copy = marked_copy(&w.m[col], p, open, close, &k))) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out_c;
			}
			if (!k) {
				free(copy);
				continue;
			}
			free(*p->slot);
			*p->slot = copy;
			*n += k;
		}
	rc = 0;
out_c:
	/* the case stays the caller's */
	*c = w.c;
	kcase_init(&w.c);
out:
	for (int i = 0; i < KCOL__N; i++)
		free(cols[i]);
	where_free(&w);
	kquery_free(&q);
	free(rest);
	return rc;
}
