/*
 * store_sqlite_parts.c - where each part of a case begins in the index's
 * lessons and body columns, in tokens (table case_parts, migration 19), so
 * that a search restricted to one section (section:NAME) can tell which
 * part a match is in from the index's own positions (kyokun_inst(),
 * tokenizer.h), without tokenizing the column again or reading the case.
 *
 * The lessons column is the key lessons, one after the other, then the
 * sections 得られた気付き・教訓 and 再発防止策; the body column the other
 * sections in their display order (ksqlite_parts_layout(), which put_text()
 * writes the columns with).  The positions are counted from the
 * tokenizer's own pass as FTS5 indexes the case (a tap, as the vocabulary
 * counts its tokens): FTS5 tokenizes a row's columns one after another, in
 * their order, and numbers a column's tokens from 0.  A column whose text
 * is not the one laid out (its length differs), or a pass that is not one
 * call per column, stores nothing for the case, and a search reads such a
 * case as it did before the table existed.
 *
 * The positions are the tokenizer's: a change of the tokenizer that
 * rebuilds the index must count them again (ksqlite_parts_rebuild(), as
 * migration 19 does).
 *
 * The stored value: a version byte (1), then 6 bytes a part: its column
 * (KCOL_*), what it is (a section, KSEC_*, or PART_KEY_LESSON), and its
 * first token's position (4 bytes, little-endian).  A part runs to the
 * next part of its column.
 */
#include "store_sqlite.h"
#include "case.h"
#include "case_json.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "store_search.h"
#include "tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PARTS_VERSION 1

struct kpart {
	size_t off;      /* where it starts in its column's text, in bytes */
	uint32_t first;  /* its first token's position */
	uint8_t col, what;
};

struct ksqlite_parts {
	struct kpart *p;  /* in the order of the columns' text */
	size_t n, alloc;
	size_t len[KCOL__N]; /* the laid-out columns' lengths */
	/* counting, while tapped */
	int calls;        /* columns begun */
	uint32_t ntok;    /* tokens of the current column so far */
	size_t next;      /* the first part not yet placed */
	size_t next_off;  /* its offset if it is in the current column, else SIZE_MAX */
	int ok;
	struct ktok_tap inner; /* the tap this one wraps (the vocabulary's) */
};

void ksqlite_parts_free(struct kstore_sqlite *st)
{
	if (!st->parts)
		return;
	free(st->parts->p);
	free(st->parts);
	st->parts = NULL;
}

static int add_part(struct ksqlite_parts *pp, int col, int what, size_t off)
{
	if (!pp)
		return 0; /* the text only */
	if (KGROW(pp->p, pp->alloc, pp->n + 1) < 0)
		return KE_NOMEM;
	pp->p[pp->n++] = (struct kpart){ off, 0, (uint8_t)col, (uint8_t)what };
	return 0;
}

/* s as the next line of b (nothing for an empty s), noted as a part of col. */
static int add_line(struct ksqlite_parts *pp, struct kbuf *b, int col, int what, const char *s)
{
	if (!s || !*s)
		return 0;
	if (b->len && kbuf_addch(b, '\n') < 0)
		return KE_NOMEM;
	if (add_part(pp, col, what, b->len) < 0)
		return KE_NOMEM;
	return kbuf_adds(b, s) < 0 ? KE_NOMEM : 0;
}

int ksqlite_parts_layout(struct kstore_sqlite *st, const struct kcase *c, struct kbuf *lessons,
			 struct kbuf *body)
{
	struct ksqlite_parts *pp = st ? st->parts : NULL;
	int rc = 0;

	if (st && !pp && !(pp = st->parts = calloc(1, sizeof(*pp))))
		return KE_NOMEM;
	if (pp) {
		pp->n = 0;
		memset(pp->len, 0, sizeof(pp->len));
	}
	/* the key lessons, a line each (an empty one too: the lines keep their places) */
	for (size_t i = 0; i < c->key_lessons.n && !rc; i++) {
		if (i && kbuf_addch(lessons, '\n') < 0)
			return KE_NOMEM;
		if (c->key_lessons.v[i][0])
			rc = add_part(pp, KCOL_LESSONS, KPART_KEY_LESSON, lessons->len);
		if (!rc && kbuf_adds(lessons, c->key_lessons.v[i]) < 0)
			rc = KE_NOMEM;
	}
	if (!rc)
		rc = add_line(pp, lessons, KCOL_LESSONS, KSEC_LESSONS, c->sections[KSEC_LESSONS]);
	if (!rc)
		rc = add_line(pp, lessons, KCOL_LESSONS, KSEC_COUNTERMEASURES, c->sections[KSEC_COUNTERMEASURES]);
	for (int i = 0; i < KSEC__N && !rc; i++) {
		int k = ksection_display_order[i];

		if (k != KSEC_LESSONS && k != KSEC_COUNTERMEASURES)
			rc = add_line(pp, body, KCOL_BODY, k, c->sections[k]);
	}
	if (pp) {
		pp->len[KCOL_LESSONS] = lessons->len;
		pp->len[KCOL_BODY] = body->len;
	}
	return rc;
}

/* A token of column col at byte start: the parts that begin by then begin at it; then counted. */
static void parts_place(struct ksqlite_parts *pp, int col, size_t start)
{
	while (pp->next < pp->n && pp->p[pp->next].col == col && pp->p[pp->next].off <= start)
		pp->p[pp->next++].first = pp->ntok;
	pp->ntok++;
}

/* The parts of the column being counted not yet placed: they start after its last token. */
static void parts_close_col(struct ksqlite_parts *pp, int col)
{
	while (pp->next < pp->n && pp->p[pp->next].col == col)
		pp->p[pp->next++].first = pp->ntok;
}

static int parts_begin(void *ctx, const char *text, int len)
{
	struct kstore_sqlite *st = ctx;
	struct ksqlite_parts *pp = st->parts;
	int col = pp->calls++;

	(void)text;
	if (col > 0)
		parts_close_col(pp, col - 1);
	pp->ntok = 0;
	if (col >= KCOL__N || ((col == KCOL_LESSONS || col == KCOL_BODY) && (size_t)len != pp->len[col]) ||
	    (pp->next < pp->n && pp->p[pp->next].col < col))
		pp->ok = 0;
	pp->next_off = pp->next < pp->n && pp->p[pp->next].col == col ? pp->p[pp->next].off : SIZE_MAX;
	return pp->inner.begin ? pp->inner.begin(pp->inner.ctx, text, len) : 0;
}

/* (called for every token of every case added: one comparison unless a part begins) */
static int parts_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct kstore_sqlite *st = ctx;
	struct ksqlite_parts *pp = st->parts;

	if ((size_t)start >= pp->next_off) {
		int col = pp->calls - 1;

		parts_place(pp, col, (size_t)start);
		pp->next_off = pp->next < pp->n && pp->p[pp->next].col == col ? pp->p[pp->next].off : SIZE_MAX;
	} else {
		pp->ntok++;
	}
	return pp->inner.cb(pp->inner.ctx, tok, ntok, start, end);
}

void ksqlite_parts_tap(struct kstore_sqlite *st)
{
	struct ksqlite_parts *pp = st->parts;

	if (!pp)
		return;
	pp->calls = 0;
	pp->ntok = 0;
	pp->next = 0;
	pp->next_off = SIZE_MAX;
	pp->ok = 1;
	pp->inner = st->tap;
	if (!pp->inner.cb) {
		pp->ok = 0; /* (always the vocabulary's: nothing to wrap, nothing counted) */
		return;
	}
	st->tap.cb = parts_tok;
	st->tap.ctx = st;
	st->tap.begin = parts_begin;
}

void ksqlite_parts_untap(struct kstore_sqlite *st)
{
	struct ksqlite_parts *pp = st->parts;

	if (!pp || st->tap.cb != parts_tok)
		return;
	if (pp->calls > 0)
		parts_close_col(pp, pp->calls - 1);
	if (pp->calls != KCOL__N || pp->next != pp->n)
		pp->ok = 0;
	st->tap = pp->inner;
}

/* The stored value of the parts counted (pp->ok). */
static int parts_blob(const struct ksqlite_parts *pp, struct kbuf *b)
{
	int rc = kbuf_addch(b, PARTS_VERSION);

	for (size_t i = 0; i < pp->n && rc >= 0; i++) {
		unsigned char e[6] = { pp->p[i].col, pp->p[i].what, (unsigned char)pp->p[i].first,
				       (unsigned char)(pp->p[i].first >> 8), (unsigned char)(pp->p[i].first >> 16),
				       (unsigned char)(pp->p[i].first >> 24) };

		rc = kbuf_add(b, e, sizeof(e));
	}
	return rc < 0 ? KE_NOMEM : 0;
}

int ksqlite_parts_write(struct kstore_sqlite *st, long long rid, struct kerr *err)
{
	struct ksqlite_parts *pp = st->parts;
	struct kbuf b = KBUF_INIT;
	sqlite3_stmt *s;
	int rc;

	if (pp && pp->ok) {
		if (parts_blob(pp, &b) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
		if (!st->parts_put && (rc = ksqlite_prepare(st, "INSERT INTO case_parts(rid, parts) VALUES(?1, ?2)"
							    " ON CONFLICT(rid) DO UPDATE SET parts = excluded.parts",
							    &st->parts_put, err))) {
			kbuf_release(&b);
			return rc;
		}
		s = st->parts_put;
		sqlite3_bind_int64(s, 1, rid);
		sqlite3_bind_blob(s, 2, b.buf, (int)b.len, SQLITE_STATIC);
		rc = ksqlite_step_done(st, s, err, "storing the case's parts");
		sqlite3_clear_bindings(s);
	} else {
		/* none known: a search reads the case itself */
		if (!st->parts_del &&
		    (rc = ksqlite_prepare(st, "DELETE FROM case_parts WHERE rid = ?1", &st->parts_del, err)))
			return rc;
		s = st->parts_del;
		sqlite3_bind_int64(s, 1, rid);
		rc = ksqlite_step_done(st, s, err, "storing the case's parts");
	}
	kbuf_release(&b);
	return rc;
}

/* The positions of pp's parts in the laid-out columns, from tokenizing them here. */
struct count_ctx {
	struct ksqlite_parts *pp;
	int col;
};

static int count_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct count_ctx *cc = ctx;
	(void)tok;
	(void)ntok;
	(void)end;
	parts_place(cc->pp, cc->col, (size_t)start);
	return 0;
}

/*
 * The parts of the row at s (rid, lessons, body, the case's JSON, and in
 * the check its stored parts) counted from its text, the columns laid out
 * again from the JSON into col[0..1]: st->parts->ok if the columns are the
 * ones the index holds.
 */
static int recount_row(struct kstore_sqlite *st, sqlite3_stmt *s, struct kbuf col[2])
{
	const char *json = (const char *)sqlite3_column_text(s, 3);
	const char *have[2] = { (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2) };
	int nhave[2] = { sqlite3_column_bytes(s, 1), sqlite3_column_bytes(s, 2) };
	struct ksqlite_parts *pp;
	struct kcase c;
	int rc;

	kcase_init(&c);
	kbuf_reset(&col[0]);
	kbuf_reset(&col[1]);
	rc = json ? kcase_texts_from_json(&c, json, strlen(json)) : 0;
	if (!rc)
		rc = ksqlite_parts_layout(st, &c, &col[0], &col[1]);
	kcase_free(&c);
	if (rc)
		return KE_NOMEM;
	pp = st->parts;
	pp->ok = 1;
	pp->next = 0;
	for (int i = 0; i < 2 && pp->ok; i++) {
		struct count_ctx cc = { pp, i ? KCOL_BODY : KCOL_LESSONS };

		/* only a column as the index holds it */
		if (!have[i] || (size_t)nhave[i] != col[i].len || (col[i].len && memcmp(have[i], col[i].buf, col[i].len))) {
			pp->ok = 0;
			break;
		}
		pp->ntok = 0;
		if (ktok_tokenize(have[i], nhave[i], 0, count_tok, &cc))
			pp->ok = 0;
		parts_close_col(pp, cc.col);
	}
	if (pp->next != pp->n)
		pp->ok = 0;
	return 0;
}

/* Every stored case's row of case_parts; *bad (the check): the rows that differ from the recount. */
static int recount_all(struct kstore_sqlite *st, long *bad, struct kerr *err)
{
	sqlite3_stmt *s = NULL;
	struct kbuf col[2] = { KBUF_INIT, KBUF_INIT }, b = KBUF_INIT;
	int rc;

	if ((rc = ksqlite_prepare(st, "SELECT t.rid, t.lessons, t.body, c.body, p.parts FROM case_text t"
				  " JOIN cases c ON c.rid = t.rid LEFT JOIN case_parts p ON p.rid = t.rid", &s, err)))
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (recount_row(st, s, col)) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			break;
		}
		if (!bad) {
			if ((rc = ksqlite_parts_write(st, sqlite3_column_int64(s, 0), err)))
				break;
			continue;
		}
		/* a case without a row is read as before: a problem only if its parts can be counted */
		kbuf_reset(&b);
		if (st->parts->ok && parts_blob(st->parts, &b) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			break;
		}
		if (sqlite3_column_type(s, 4) == SQLITE_NULL ? st->parts->ok
		    : !st->parts->ok || (size_t)sqlite3_column_bytes(s, 4) != b.len ||
		      memcmp(sqlite3_column_blob(s, 4), b.buf, b.len))
			(*bad)++;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = ksqlite_db_err(st, err, "counting the cases' parts");
	sqlite3_finalize(s);
	kbuf_release(&col[0]);
	kbuf_release(&col[1]);
	kbuf_release(&b);
	return rc;
}

int ksqlite_parts_rebuild(struct kstore_sqlite *st, struct kerr *err)
{
	return recount_all(st, NULL, err);
}

int ksqlite_parts_check(struct kstore_sqlite *st, long *bad, struct kerr *err)
{
	*bad = 0;
	return recount_all(st, bad, err);
}

int ksqlite_parts_decode(const unsigned char *b, size_t len, struct kstore_part **v, size_t *n)
{
	size_t k;

	*v = NULL;
	*n = 0;
	if (!b || len < 1 || b[0] != PARTS_VERSION || (len - 1) % 6)
		return 1;
	k = (len - 1) / 6;
	if (k && !(*v = malloc(k * sizeof(**v))))
		return KE_NOMEM;
	for (size_t i = 0; i < k; i++) {
		const unsigned char *e = b + 1 + 6 * i;

		(*v)[i] = (struct kstore_part){ e[0], e[1],
						(unsigned)e[2] | (unsigned)e[3] << 8 | (unsigned)e[4] << 16 |
							(unsigned)e[5] << 24 };
	}
	*n = k;
	return 0;
}
