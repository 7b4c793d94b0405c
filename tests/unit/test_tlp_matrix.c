/*
 * test_tlp_matrix.c - the role x TLP x surface matrix of issue 11, on a
 * real SQLite store: every reader of tlp_fixture.h against every case of
 * it (each TLP level x owner x sector x recipients), on every surface of
 * the store (listings, counts, recent cases, documents, search hits,
 * totals and facet counts, browsing, similar cases, a case's text, a
 * search row, a stored case and its revisions), in both ways the store
 * can count (facet columns in memory, SQL) and every way it can rank.
 * Each cell asserts visible exactly when kreader_may_see() (the table in
 * reader.c) says so.  test_issue_table then checks that table itself
 * against the issue's own words, case by case; test_sql_shapes that
 * readers without conditions (anonymous, the local operator) get the
 * plain level test they always had and no subquery.
 *
 *   test_tlp_matrix --cases FILE | --readers FILE | --expect FILE
 * writes the fixture for a shell test instead (see tlp_fixture.h).
 */
#include "testutil.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "case_json.h"
#include "kerr.h"
#include "reader.h"
#include "search.h"
#include "similar.h"
#include "store.h"
#include "store_search.h"
#include "store_sqlite.h"
#include "kbuf.h"
#include "tlp_fixture.h"

static char tmpdir[256];
static char dbpath[512];
static struct kstore *st;
static struct tlpf_reader readers[TLPF_NREADERS];
static struct tlpf_case cases[TLPF_NCASES];
static long long rids[TLPF_NCASES];
static long bad, cells; /* cells that differ from the table, cells checked (per test) */
static const char *says = "the table"; /* what the cells are checked against */

/* ---- the store ---- */

static void put_json(struct kstore *s, json_t *j)
{
	struct kerr err = KERR_INIT;
	struct kcase c;

	assert_non_null(j);
	kcase_init(&c);
	if (kcase_from_json(&c, j, &err) < 0 || kcase_validate(&c, &err) < 0 || kstore_put(s, &c, NULL, &err) < 0)
		fail_msg("putting %s: %s", json_string_value(json_object_get(j, "id")), err.msg);
	kcase_free(&c);
	json_decref(j);
}

static int group_setup(void **state)
{
	struct kerr err = KERR_INIT;
	const char *t = getenv("TMPDIR");
	char *cols[KCOL__N];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-test-tlp.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/matrix.db", tmpdir);
	tlpf_readers(readers);
	for (int i = 0; i < TLPF_NCASES; i++)
		tlpf_case(i, &cases[i]);
	if (kstore_open(&st, dbpath, 0, &err) < 0) {
		fprintf(stderr, "kstore_open: %s\n", err.msg);
		return -1;
	}
	/* version 1 of everything, then version 2 of every case: two revisions each */
	if (kstore_begin(st, &err) < 0)
		return -1;
	put_json(st, tlpf_seed_json());
	for (int i = 0; i < TLPF_NCASES; i++)
		put_json(st, tlpf_case_json(&cases[i], 1));
	if (kstore_commit(st, &err) < 0 || kstore_begin(st, &err) < 0)
		return -1;
	for (int i = 0; i < TLPF_NCASES; i++)
		put_json(st, tlpf_case_json(&cases[i], 2));
	if (kstore_commit(st, &err) < 0)
		return -1;
	for (int i = 0; i < TLPF_NCASES; i++) {
		if (kstore_case_text(st, cases[i].id, &kreader_local, &rids[i], cols, &err) < 0) {
			fprintf(stderr, "kstore_case_text %s: %s\n", cases[i].id, err.msg);
			return -1;
		}
		for (int k = 0; k < KCOL__N; k++)
			free(cols[k]);
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[300];

	(void)state;
	kstore_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- cells ---- */

static int test_setup(void **state)
{
	(void)state;
	bad = cells = 0;
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	kstore_search_tune(st, 0, 0);
	return 0;
}

/* The cell's outcome: got, where want is what the table says. */
static void cell_want(int got, int want, int r, const char *what, const char *surface)
{
	cells++;
	if (!!got == !!want)
		return;
	if (bad++ < 50)
		print_error("%s / %s / %s: %s, %s says %s\n", readers[r].name, what, surface,
			    got ? "visible" : "hidden", says, want ? "visible" : "hidden");
}

static void cell(int got, int r, int i, const char *surface)
{
	cell_want(got, tlpf_expect(&readers[r].r, &cases[i]), r, cases[i].id, surface);
}

static void count_is(long got, long want, int r, const char *surface)
{
	cells++;
	if (got == want)
		return;
	if (bad++ < 50)
		print_error("%s / %s: %ld, %s says %ld\n", readers[r].name, surface, got, says, want);
}

static void end_test(void)
{
	if (bad)
		fail_msg("%ld of %ld cells differ from what %s says", bad, cells, says);
	assert_true(cells > 0);
	print_message("%ld cells as %s says\n", cells, says);
}

/* How many cases r sees (the seed not counted), of level (-1 any) and sector (NULL any). */
static long nvisible(int r, int level, const char *sector)
{
	long n = 0;

	for (int i = 0; i < TLPF_NCASES; i++)
		n += tlpf_expect(&readers[r].r, &cases[i]) && (level < 0 || cases[i].level == level) &&
		     (!sector || !strcmp(sector, cases[i].sector));
	return n;
}

/* The case of id: its index, -1 the seed, -2 none of ours. */
static int case_index(const char *id)
{
	if (id && !strcmp(id, TLPF_SEED))
		return -1;
	for (int i = 0; id && i < TLPF_NCASES; i++)
		if (!strcmp(cases[i].id, id))
			return i;
	return -2;
}

static int case_of_rid(long long rid)
{
	for (int i = 0; i < TLPF_NCASES; i++)
		if (rids[i] == rid)
			return i;
	return -2;
}

/* A set of the fixture's cases, as a surface shows them. */
struct set {
	unsigned char in[TLPF_NCASES];
	int seed, strangers;
	long n;
};

static void set_add(struct set *s, int i)
{
	if (i >= 0)
		s->in[i]++;
	else if (i == -1)
		s->seed++;
	else
		s->strangers++;
	s->n++;
}

/* Check the set against the table: each case in it once iff visible; the seed as want_seed. */
static void set_check(const struct set *s, int r, int want_seed, const char *surface)
{
	for (int i = 0; i < TLPF_NCASES; i++) {
		if (s->in[i] > 1)
			count_is(s->in[i], 1, r, surface);
		cell(s->in[i], r, i, surface);
	}
	count_is(s->seed, want_seed, r, surface);
	count_is(s->strangers, 0, r, surface);
}

static int no_row_cb(void *ctx, const struct kcase_row *row)
{
	(void)ctx;
	(void)row;
	return 0;
}

static int row_cb(void *ctx, const struct kcase_row *row)
{
	set_add(ctx, case_index(row->id));
	return 0;
}

/* ---- listings, counts, recent cases, documents ---- */

static void test_list_count_recent(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int r = 0; r < TLPF_NREADERS; r++) {
		struct kfilter f = KFILTER_INIT;
		struct set s = { 0 };
		long total = -1, n = -1;

		f.reader = &readers[r].r;
		/* everything, then a page (chosen on the short columns first) */
		assert_int_equal(kstore_list(st, &f, row_cb, &s, &total, &err), 0);
		set_check(&s, r, 1, "list");
		count_is(total, nvisible(r, -1, NULL) + 1, r, "list total");
		memset(&s, 0, sizeof(s));
		f.limit = 1000;
		assert_int_equal(kstore_list(st, &f, row_cb, &s, &total, &err), 0);
		set_check(&s, r, 1, "list page");
		count_is(total, nvisible(r, -1, NULL) + 1, r, "list page total");
		/* a filter with the reader's condition */
		memset(&s, 0, sizeof(s));
		f.limit = 0;
		f.sector = tlpf_sectors[0];
		assert_int_equal(kstore_list(st, &f, row_cb, &s, &total, &err), 0);
		for (int i = 0; i < TLPF_NCASES; i++)
			cell_want(s.in[i], tlpf_expect(&readers[r].r, &cases[i]) && cases[i].sector == tlpf_sectors[0], r,
				  cases[i].id, "list sector=電力");
		count_is(total, nvisible(r, -1, tlpf_sectors[0]), r, "list sector=電力 total");
		f.sector = NULL;
		for (int level = 0; level < TLPF_NLEVELS; level++) {
			f.tlp = tlpf_levels[level];
			assert_int_equal(kstore_list(st, &f, no_row_cb, NULL, &total, &err), 0);
			count_is(total, nvisible(r, level, NULL) + (level == 0), r, "list tlp= total");
		}
		f.tlp = NULL;

		assert_int_equal(kstore_count(st, &readers[r].r, &n, &err), 0);
		count_is(n, nvisible(r, -1, NULL) + 1, r, "count");

		memset(&s, 0, sizeof(s));
		assert_int_equal(kstore_recent(st, &readers[r].r, 1000, row_cb, &s, &err), 0);
		set_check(&s, r, 1, "recent");
	}
	end_test();
}

static int doc_cb(void *ctx, const struct kdocument *d)
{
	struct set *s = ctx;

	if (!strcmp(d->name, TLPF_SEED ".txt")) {
		s->seed += (int)d->ncases;
		return 0;
	}
	for (int i = 0; i < TLPF_NCASES; i++)
		if (!strcmp(d->name, cases[i].document)) {
			s->in[i] += (unsigned char)d->ncases;
			return 0;
		}
	s->strangers++;
	return 0;
}

static void test_documents(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int r = 0; r < TLPF_NREADERS; r++) {
		struct set s = { 0 };

		assert_int_equal(kstore_documents(st, &readers[r].r, doc_cb, &s, &err), 0);
		set_check(&s, r, 1, "documents");
	}
	end_test();
}

/* ---- search ---- */

/* A facet's count for value (0 if absent). */
static long facet_count(const struct ksearch_result *res, int facet, const char *value)
{
	const struct kfacet *f = &res->facets[facet];

	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].value, value))
			return f->v[i].count;
	return 0;
}

static long facet_sum(const struct ksearch_result *res, int facet)
{
	long n = 0;

	for (size_t i = 0; i < res->facets[facet].n; i++)
		n += res->facets[facet].v[i].count;
	return n;
}

/* mode 0: ranked in C, filters and facets from the columns in memory; 1: SQL everywhere */
static void search_mode(int mode, struct ksearch_opts *o)
{
	kstore_search_tune(st, 0, mode);
	o->exact_rank = mode;
}

static void test_search_all(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		for (int r = 0; r < TLPF_NREADERS; r++) {
			struct ksearch_opts o = KSEARCH_OPTS_INIT;
			struct ksearch_result res;
			struct set s = { 0 };
			const char *surface = mode ? "search (SQL)" : "search";

			search_mode(mode, &o);
			o.query = TLPF_ALL_WORD;
			o.filter.reader = &readers[r].r;
			o.filter.limit = 1000;
			o.snippets = 0;
			assert_int_equal(ksearch(st, &o, &res, &err), 0);
			for (size_t h = 0; h < res.nhits; h++)
				set_add(&s, case_index(res.hits[h].id));
			set_check(&s, r, 0, surface);
			count_is(res.total, nvisible(r, -1, NULL), r, "search total");
			for (int level = 0; level < TLPF_NLEVELS; level++)
				count_is(facet_count(&res, KFACET_TLP, tlpf_levels[level]), nvisible(r, level, NULL), r,
					 mode ? "search facet tlp (SQL)" : "search facet tlp");
			for (int k = 0; k < TLPF_NSECTORS; k++)
				count_is(facet_count(&res, KFACET_SECTOR, tlpf_sectors[k]), nvisible(r, -1, tlpf_sectors[k]),
					 r, mode ? "search facet sector (SQL)" : "search facet sector");
			count_is(facet_sum(&res, KFACET_DOCUMENT), nvisible(r, -1, NULL), r, "search facet documents");
			ksearch_result_free(&res);

			/* browsing: every visible case, with the facets */
			memset(&s, 0, sizeof(s));
			o.query = NULL;
			assert_int_equal(ksearch_browse(st, &o, &res, &err), 0);
			for (size_t h = 0; h < res.nhits; h++)
				set_add(&s, case_index(res.hits[h].id));
			set_check(&s, r, 1, mode ? "browse (SQL)" : "browse");
			count_is(res.total, nvisible(r, -1, NULL) + 1, r, "browse total");
			count_is(facet_count(&res, KFACET_TLP, "clear"), nvisible(r, 0, NULL) + 1, r, "browse facet clear");
			for (int level = 1; level < TLPF_NLEVELS; level++)
				count_is(facet_count(&res, KFACET_TLP, tlpf_levels[level]), nvisible(r, level, NULL), r,
					 "browse facet tlp");
			ksearch_result_free(&res);
		}
	}
	end_test();
}

/* The store's ranking in each of its ways, and its count. */
static void test_search_store(void **state)
{
	static const int flags[] = { 0, KSTORE_RANK_SQL, KSTORE_RANK_EXACT, KSTORE_RANK_SPLIT,
				     KSTORE_RANK_LOAD | KSTORE_RANK_SAMPLE };
	struct kstore_qnode leaf = { .op = KSQ_PHRASE, .phrase = { .text = TLPF_ALL_WORD, .term = -1 } };
	struct kstore_query q = { .root = &leaf };
	struct kerr err = KERR_INIT;

	(void)state;
	for (int r = 0; r < TLPF_NREADERS; r++) {
		struct kfilter f = KFILTER_INIT;

		f.reader = &readers[r].r;
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			struct kstore_hit *hits = NULL;
			struct set s = { 0 };
			size_t n = 0;
			long total = -1;
			char surface[48];

			snprintf(surface, sizeof(surface), "kstore_search_top flags %d", flags[k]);
			assert_int_equal(kstore_search_top(st, &q, flags[k], &f, 0, 1000, 0, &hits, &n, &err), 0);
			for (size_t h = 0; h < n; h++)
				set_add(&s, case_of_rid(hits[h].rid));
			free(hits);
			set_check(&s, r, 0, surface);
			for (int sql = 0; sql < 2; sql++) {
				kstore_search_tune(st, 0, sql);
				assert_int_equal(kstore_search_count(st, &q, &f, 0, &total, &err), 0);
				count_is(total, nvisible(r, -1, NULL), r, "kstore_search_count");
				/* one case left out (similar cases leave out their seed) */
				assert_int_equal(kstore_search_count(st, &q, &f, rids[0], &total, &err), 0);
				count_is(total, nvisible(r, -1, NULL) - tlpf_expect(&readers[r].r, &cases[0]), r,
					 "kstore_search_count without one");
			}
			kstore_search_tune(st, 0, 0);
		}
	}
	end_test();
}

/* Each case's canary word: found, counted and in the facets iff visible. */
static void test_search_canary(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		for (int r = 0; r < TLPF_NREADERS; r++) {
			for (int i = 0; i < TLPF_NCASES; i++) {
				struct ksearch_opts o = KSEARCH_OPTS_INIT;
				struct ksearch_result res;
				int found;

				search_mode(mode, &o);
				o.query = cases[i].canary;
				o.filter.reader = &readers[r].r;
				assert_int_equal(ksearch(st, &o, &res, &err), 0);
				found = res.nhits == 1 && !strcmp(res.hits[0].id, cases[i].id);
				if (res.nhits > 1 || (res.nhits == 1 && !found))
					count_is((long)res.nhits, 0, r, "search canary: another case");
				cell(found, r, i, mode ? "search canary (SQL)" : "search canary");
				cell(res.total == 1, r, i, "search canary total");
				count_is(res.total, found, r, "search canary total");
				cell(facet_count(&res, KFACET_TLP, cases[i].tlp) == 1, r, i, "search canary facet tlp");
				count_is(facet_sum(&res, KFACET_TLP), found, r, "search canary facet sum");
				count_is(facet_sum(&res, KFACET_SECTOR), found, r, "search canary facet sector sum");
				if (found)
					cell(res.hits[0].snippet && strstr(res.hits[0].snippet, cases[i].canary) != NULL, r, i,
					     "search canary snippet");
				ksearch_result_free(&res);
			}
		}
	}
	end_test();
}

/* ---- similar cases ---- */

static void test_similar(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		kstore_search_tune(st, 0, mode);
		for (int r = 0; r < TLPF_NREADERS; r++) {
			struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
			struct ksearch_result res;
			struct set s = { 0 };

			/* from the seed, which everyone sees: every visible case shares a word with it */
			o.id = TLPF_SEED;
			o.filter.reader = &readers[r].r;
			o.filter.limit = 1000;
			if (ksimilar(st, &o, &res, &err) < 0)
				fail_msg("similar %s: %s", readers[r].name, err.msg);
			assert_int_equal(res.nterms, 4);
			for (size_t h = 0; h < res.nhits; h++)
				set_add(&s, case_index(res.hits[h].id));
			set_check(&s, r, 0, mode ? "similar (SQL)" : "similar");
			count_is(res.total, nvisible(r, -1, NULL), r, "similar total");
			ksearch_result_free(&res);

			/* from each case: only from a visible one (else as if absent), and only visible ones */
			for (int i = 0; i < TLPF_NCASES; i++) {
				int rc;

				o.id = cases[i].id;
				o.filter.limit = 100;
				rc = ksimilar(st, &o, &res, &err);
				if (rc < 0 && rc != KE_NOTFOUND)
					fail_msg("similar %s %s: %s", readers[r].name, cases[i].id, err.msg);
				cell(rc == 0, r, i, "similar from the case");
				for (size_t h = 0; rc == 0 && h < res.nhits; h++) {
					int k = case_index(res.hits[h].id);

					if (k >= 0)
						cell(1, r, k, "similar from another case");
					else
						count_is(k, -1, r, "similar from another case: the seed or ours");
				}
				ksearch_result_free(&res);
			}
		}
	}
	end_test();
}

/* ---- one case: its text, its search row, the stored case, its revisions ---- */

static int one_row_cb(void *ctx, const struct kcase_row *row)
{
	*(int *)ctx = case_index(row->id);
	return 0;
}

struct revs {
	const struct kreader *r;
	int all, visible;
};

static int rev_cb(void *ctx, const struct krevision *rev)
{
	struct revs *v = ctx;
	json_t *j = json_loads(rev->json, 0, NULL);

	v->all++;
	v->visible += kreader_may_see_json(v->r, j);
	json_decref(j);
	return 0;
}

static void test_case_reads(void **state)
{
	struct kerr err = KERR_INIT;

	(void)state;
	for (int r = 0; r < TLPF_NREADERS; r++) {
		for (int i = 0; i < TLPF_NCASES; i++) {
			char *cols[KCOL__N] = { 0 };
			long long rid = 0;
			struct revs v = { &readers[r].r, 0, 0 };
			struct kcase c;
			int rc, got = -5;

			rc = kstore_case_text(st, cases[i].id, &readers[r].r, &rid, cols, &err);
			if (rc < 0 && rc != KE_NOTFOUND)
				fail_msg("case_text: %s", err.msg);
			cell(rc == 0 && rid == rids[i] && strstr(cols[KCOL_SUMMARY], cases[i].canary), r, i, "case text");
			for (int k = 0; k < KCOL__N; k++)
				free(cols[k]);
			if (rc == KE_NOTFOUND) { /* said as for a case that does not exist */
				char want[128];

				snprintf(want, sizeof(want), "no case with id \"%s\"", cases[i].id);
				assert_string_equal(err.msg, want);
			}

			rc = kstore_search_row(st, rids[i], &readers[r].r, one_row_cb, &got, &err);
			if (rc < 0 && rc != KE_NOTFOUND)
				fail_msg("search_row: %s", err.msg);
			cell(rc == 0 && got == i, r, i, "search row");

			/* what the pages and the API do: the stored case, then kreader_may_see_case */
			kcase_init(&c);
			assert_int_equal(kstore_get(st, cases[i].id, &c, &err), 0);
			cell(kreader_may_see_case(&readers[r].r, &c), r, i, "stored case");
			kcase_free(&c);
			assert_int_equal(kstore_history(st, cases[i].id, rev_cb, &v, &err), 0);
			count_is(v.all, 2, r, "revisions");
			count_is(v.visible, tlpf_expect(&readers[r].r, &cases[i]) ? 2 : 0, r, "visible revisions");
		}
	}
	end_test();
}

/* ---- the table against the issue's words ---- */

static void test_issue_table(void **state)
{
	/* written from the issue, not from reader.c: who sees which case */
	static const struct {
		int reader;
		const char *tlp, *owner, *sector;
		int named, visible;
		const char *why;
	} rows[] = {
		{ TLPF_ANON, "clear", "事業者A", "電力", 0, 1, "clear: everyone" },
		{ TLPF_ANON, "green", NULL, "電力", 0, 0, "green: not anonymous readers" },
		{ TLPF_ADMIN, "green", NULL, "ガス", 0, 1, "green: any signed-in user" },
		{ TLPF_REP_B, "green", "事業者A", "電力", 0, 1, "green: any signed-in user, whatever the owner" },
		{ TLPF_ANON, "amber", NULL, "電力", 1, 0, "amber: not anonymous readers" },
		{ TLPF_REP_A, "amber", "事業者A", "ガス", 0, 1, "amber: the case's own organisation" },
		{ TLPF_REP_A, "amber", "事業者B", "電力", 0, 0, "amber: not another organisation's, even of one's sector" },
		{ TLPF_REP_A, "amber", NULL, "電力", 0, 0, "amber: not a case without an owner" },
		{ TLPF_REP_B, "amber", "事業者A", "ガス", 1, 0, "amber: a reporter named on another organisation's case" },
		{ TLPF_LIAISON_X, "amber", "事業者B", "電力", 0, 1, "amber: liaisons of the case's sectors" },
		{ TLPF_LIAISON_X, "amber", NULL, "電力", 0, 1, "amber: liaisons of the case's sectors, no owner" },
		{ TLPF_LIAISON_X, "amber", "事業者A", "ガス", 0, 0, "amber: not liaisons of another sector" },
		{ TLPF_LIAISON_Y, "amber", "事業者A", "ガス", 1, 1, "amber: the liaison of sector Y" },
		{ TLPF_LIAISON_Y, "amber", "事業者A", "電力", 1, 0, "amber: liaison Y, named, on a case of sector X" },
		{ TLPF_ANALYST, "amber", "事業者B", "ガス", 0, 1, "amber: analysts" },
		{ TLPF_PUBLISHER, "amber", NULL, "電力", 0, 1, "amber: publishers" },
		{ TLPF_ADMIN, "amber", "事業者A", "電力", 1, 0, "amber: not admins (the issue does not name them)" },
		{ TLPF_REP_A, "amber+strict", "事業者A", "電力", 0, 1, "amber+strict: the case's own organisation" },
		{ TLPF_REP_A, "amber+strict", "事業者B", "電力", 0, 0, "amber+strict: not another organisation's" },
		{ TLPF_REP_B, "amber+strict", "事業者A", "ガス", 1, 0,
		  "amber+strict: a reporter named on another organisation's case (only analysts and publishers)" },
		{ TLPF_LIAISON_X, "amber+strict", "事業者B", "電力", 0, 0, "amber+strict: not liaisons, even of its sector" },
		{ TLPF_LIAISON_Y, "amber+strict", "事業者A", "ガス", 1, 0, "amber+strict: a liaison named on it" },
		{ TLPF_ANALYST, "amber+strict", "事業者A", "電力", 1, 0, "amber+strict: an analyst not named on it" },
		{ TLPF_ANALYST_NAMED, "amber+strict", "事業者A", "電力", 1, 1, "amber+strict: an analyst named on it" },
		{ TLPF_ANALYST_NAMED, "amber+strict", "事業者A", "電力", 0, 0, "amber+strict: that analyst, not named" },
		{ TLPF_PUBLISHER_NAMED, "amber+strict", NULL, "ガス", 1, 1, "amber+strict: a publisher named on it" },
		{ TLPF_PUBLISHER, "amber+strict", "事業者B", "ガス", 1, 0, "amber+strict: a publisher not named" },
		{ TLPF_ANALYST, "amber+strict", "センター", "電力", 0, 1, "amber+strict: the centre's own case" },
		{ TLPF_ADMIN, "amber+strict", "センター", "電力", 1, 0, "amber+strict: not admins" },
		{ TLPF_REP_A, "red", "事業者A", "電力", 0, 0, "red: not even the own organisation" },
		{ TLPF_REP_B, "red", "事業者A", "電力", 1, 1, "red: a user named on it" },
		{ TLPF_LIAISON_Y, "red", NULL, "電力", 1, 1, "red: a liaison named on it" },
		{ TLPF_LIAISON_X, "red", NULL, "電力", 1, 0, "red: a liaison of its sector, not named" },
		{ TLPF_ANALYST, "red", "センター", "電力", 1, 0, "red: an analyst not named, own organisation" },
		{ TLPF_ANALYST_NAMED, "red", "事業者B", "ガス", 1, 1, "red: an analyst named on it" },
		{ TLPF_ADMIN, "red", "事業者A", "ガス", 1, 1, "red: an admin named on it" },
		{ TLPF_LOCAL, "red", NULL, "電力", 0, 1, "the operator at the command line sees everything" },
		{ TLPF_LOCAL_AMBER, "amber", "事業者A", "電力", 0, 1, "--max-tlp amber: amber" },
		{ TLPF_LOCAL_AMBER, "amber+strict", "事業者A", "電力", 1, 0, "--max-tlp amber: not above" },
	};
	struct kerr err = KERR_INIT;

	(void)state;
	says = "the issue";
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		int r = rows[k].reader, i = -1;

		for (int j = 0; j < TLPF_NCASES; j++)
			if (!strcmp(cases[j].tlp, rows[k].tlp) && cases[j].named == rows[k].named &&
			    !strcmp(cases[j].sector, rows[k].sector) &&
			    (rows[k].owner ? cases[j].owner && !strcmp(cases[j].owner, rows[k].owner) : !cases[j].owner))
				i = j;
		assert_true(i >= 0);
		/* the table says what the issue says */
		cell_want(tlpf_expect(&readers[r].r, &cases[i]), rows[k].visible, r, rows[k].why, "the table");
		/* and the store does */
		{
			struct kfilter f = KFILTER_INIT;
			struct ksearch_opts o = KSEARCH_OPTS_INIT;
			struct ksearch_result res;
			struct set s = { 0 };

			f.reader = &readers[r].r;
			assert_int_equal(kstore_list(st, &f, row_cb, &s, NULL, &err), 0);
			cell_want(s.in[i], rows[k].visible, r, rows[k].why, "list");
			o.query = cases[i].canary;
			o.filter.reader = &readers[r].r;
			assert_int_equal(ksearch(st, &o, &res, &err), 0);
			cell_want(res.total == 1, rows[k].visible, r, rows[k].why, "search");
			ksearch_result_free(&res);
		}
	}
	end_test();
	says = "the table";
}

/* ---- changes: owner and recipients replaced, the sets read again ---- */

static long db_count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static long search_total(struct kstore *s, const struct kreader *r, const char *word)
{
	struct kerr err = KERR_INIT;
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct ksearch_result res;
	long n;

	o.query = word;
	o.filter.reader = r;
	o.snippets = 0;
	assert_int_equal(ksearch(s, &o, &res, &err), 0);
	n = res.total;
	count_is((long)res.nhits, n, 0, "hits and total");
	ksearch_result_free(&res);
	return n;
}

static long list_total(struct kstore *s, const struct kreader *r)
{
	struct kerr err = KERR_INIT;
	struct kfilter f = KFILTER_INIT;
	long n = -1;

	f.reader = r;
	assert_int_equal(kstore_list(s, &f, no_row_cb, NULL, &n, &err), 0);
	return n;
}

static void put_text(struct kstore *s, const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (!j)
		fail_msg("%s: %s", text, je.text);
	put_json(s, j);
}

static void test_changes(void **state)
{
	const struct kreader *a = &readers[TLPF_REP_A].r, *b = &readers[TLPF_REP_B].r, *x = &readers[TLPF_LIAISON_X].r;
	struct kerr err = KERR_INIT;
	struct kstore *s = NULL;
	struct kcase c;
	char path[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/changes.db", tmpdir);
	assert_int_equal(kstore_open(&s, path, 0, &err), 0);
	put_text(s, "{\"id\":\"u1\",\"title\":\"t\",\"summary\":[\"UPDWORD\"],\"tlp\":\"amber\",\"owner\":\"事業者A\"}");
	assert_int_equal(search_total(s, a, "UPDWORD"), 1);
	assert_int_equal(search_total(s, b, "UPDWORD"), 0);
	assert_int_equal(list_total(s, a), 1);
	/* another owner: the sets kept in memory are read again */
	put_text(s, "{\"id\":\"u1\",\"title\":\"t\",\"summary\":[\"UPDWORD\"],\"tlp\":\"amber\",\"owner\":\"事業者B\"}");
	assert_int_equal(search_total(s, a, "UPDWORD"), 0);
	assert_int_equal(search_total(s, b, "UPDWORD"), 1);
	assert_int_equal(list_total(s, a), 0);
	assert_int_equal(list_total(s, b), 1);
	assert_int_equal(db_count(path, "SELECT count(*) FROM cases WHERE owner = '事業者B'"), 1);
	/* no owner: nobody's own */
	put_text(s, "{\"id\":\"u1\",\"title\":\"t\",\"summary\":[\"UPDWORD\"],\"tlp\":\"amber\"}");
	assert_int_equal(search_total(s, b, "UPDWORD"), 0);
	assert_int_equal(db_count(path, "SELECT count(*) FROM cases WHERE owner IS NOT NULL"), 0);
	/* a sector: its liaison */
	assert_int_equal(search_total(s, x, "UPDWORD"), 0);
	put_text(s, "{\"id\":\"u1\",\"title\":\"t\",\"summary\":[\"UPDWORD\"],\"tlp\":\"amber\",\"tags\":{\"sectors\":[\"電力\"]}}");
	assert_int_equal(search_total(s, x, "UPDWORD"), 1);

	/* recipients: replaced, not added to */
	put_text(s, "{\"id\":\"u2\",\"title\":\"t\",\"summary\":[\"REDWORD\"],\"tlp\":\"red\",\"recipients\":[\"rep-a\",\"rep-b\"]}");
	assert_int_equal(search_total(s, a, "REDWORD"), 1);
	assert_int_equal(search_total(s, b, "REDWORD"), 1);
	assert_int_equal(db_count(path, "SELECT count(*) FROM case_recipients"), 2);
	put_text(s, "{\"id\":\"u2\",\"title\":\"t\",\"summary\":[\"REDWORD\"],\"tlp\":\"red\",\"recipients\":[\"rep-b\"]}");
	assert_int_equal(search_total(s, a, "REDWORD"), 0);
	assert_int_equal(search_total(s, b, "REDWORD"), 1);
	assert_int_equal(db_count(path, "SELECT count(*) FROM case_recipients"), 1);
	put_text(s, "{\"id\":\"u2\",\"title\":\"t\",\"summary\":[\"REDWORD\"],\"tlp\":\"red\"}");
	assert_int_equal(search_total(s, b, "REDWORD"), 0);
	assert_int_equal(db_count(path, "SELECT count(*) FROM case_recipients"), 0);
	/* the stored JSON keeps them: what get, export and the API show */
	put_text(s, "{\"id\":\"u2\",\"title\":\"t\",\"tlp\":\"red\",\"owner\":\"事業者A\",\"recipients\":[\"rep-b\"]}");
	kcase_init(&c);
	assert_int_equal(kstore_get(s, "u2", &c, &err), 0);
	assert_string_equal(c.owner, "事業者A");
	assert_int_equal(c.recipients.n, 1);
	assert_string_equal(c.recipients.v[0], "rep-b");
	assert_true(kreader_may_see_case(b, &c));
	assert_false(kreader_may_see_case(a, &c));
	kcase_free(&c);
	/* deleting a case deletes its recipients */
	assert_int_equal(kstore_delete(s, "u2", &err), 0);
	assert_int_equal(db_count(path, "SELECT count(*) FROM case_recipients"), 0);
	/* a write rolled back leaves neither */
	assert_int_equal(kstore_begin(s, &err), 0);
	put_text(s, "{\"id\":\"u3\",\"title\":\"t\",\"tlp\":\"red\",\"owner\":\"事業者A\",\"recipients\":[\"rep-b\"]}");
	kstore_rollback(s);
	assert_int_equal(db_count(path, "SELECT count(*) FROM case_recipients"), 0);
	assert_int_equal(db_count(path, "SELECT count(*) FROM cases WHERE id = 'u3'"), 0);
	assert_int_equal(search_total(s, b, "REDWORD"), 0);
	kstore_close(s);
	assert_int_equal(bad, 0);
}

/* ---- the SQL: none for readers without conditions ---- */

static struct kbuf vis_buf = KBUF_INIT;

static const char *vis_sql(const struct kreader *r, int shape, int *rc)
{
	kbuf_reset(&vis_buf);
	*rc = ksqlite_visible_sql(r, shape, "", &vis_buf);
	return kbuf_str(&vis_buf);
}

static void test_sql_shapes(void **state)
{
	struct kreader nobody = { .kind = KREADER_USER, .user_id = 99, .role = KROLE_REPORTER, .caps = KCAP_READ };
	int rc;

	(void)state;
	/* anonymous: the level test it always had, no subquery */
	assert_string_equal(vis_sql(&kreader_anonymous, KSQLITE_VIS_WHERE, &rc), "(c.tlp IN ('clear'))");
	assert_int_equal(rc, 1);
	assert_string_equal(vis_sql(NULL, KSQLITE_VIS_ROW, &rc), "(c.tlp IN ('clear'))");
	vis_sql(&kreader_anonymous, KSQLITE_VIS_ROWIDS, &rc);
	assert_int_equal(rc, 0);
	/* the local operator: nothing at all; limited, levels only */
	assert_string_equal(vis_sql(&kreader_local, KSQLITE_VIS_WHERE, &rc), "");
	assert_int_equal(rc, 0);
	vis_sql(&kreader_local, KSQLITE_VIS_ROWIDS, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(vis_sql(&readers[TLPF_LOCAL_AMBER].r, KSQLITE_VIS_WHERE, &rc),
			    "(c.tlp IN ('clear','green','amber'))");
	/* a user with no organisation, login or sectors: the levels seen on every case */
	assert_string_equal(vis_sql(&nobody, KSQLITE_VIS_WHERE, &rc), "(c.tlp IN ('clear','green'))");
	vis_sql(&nobody, KSQLITE_VIS_ROWIDS, &rc);
	assert_int_equal(rc, 0);
	/* a reporter: own organisation at amber and amber+strict, named at red */
	assert_string_equal(vis_sql(&readers[TLPF_REP_A].r, KSQLITE_VIS_ROWIDS, &rc),
			    "SELECT rid FROM cases INDEXED BY cases_owner WHERE owner = :vis_org AND tlp IN ('amber','amber+strict')"
			    " UNION ALL SELECT vr.rid FROM case_recipients vr JOIN cases vc INDEXED BY cases_facets"
			    " ON vc.rid = vr.rid WHERE vr.login = :vis_login AND vc.tlp IN ('red')");
	assert_non_null(strstr(vis_sql(&readers[TLPF_REP_A].r, KSQLITE_VIS_WHERE, &rc),
			       "(c.tlp IN ('clear','green') OR c.rid IN (SELECT rid FROM cases INDEXED BY cases_owner"));
	/* a liaison: its sectors at amber */
	assert_non_null(strstr(vis_sql(&readers[TLPF_LIAISON_X].r, KSQLITE_VIS_ROW, &rc),
			       "(c.tlp IN ('amber') AND EXISTS (SELECT 1 FROM case_tags vt WHERE vt.rid = c.rid"
			       " AND vt.kind = 'sector' AND vt.value IN (:vis_s0)))"));
	/* an admin: nothing but named at red */
	assert_string_equal(vis_sql(&readers[TLPF_ADMIN].r, KSQLITE_VIS_ROW, &rc),
			    "(c.tlp IN ('clear','green') OR (c.tlp IN ('red') AND EXISTS (SELECT 1 FROM case_recipients vr"
			    " WHERE vr.rid = c.rid AND vr.login = :vis_login)))");
	kbuf_release(&vis_buf);
}

/* ---- main ---- */

static int write_to(const char *path, int (*fn)(FILE *))
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (!fp) {
		fprintf(stderr, "test_tlp_matrix: %s: %s\n", path, strerror(errno));
		return 1;
	}
	rc = fn(fp);
	if (fclose(fp) != 0)
		rc = -1;
	if (rc)
		fprintf(stderr, "test_tlp_matrix: %s: could not write\n", path);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_shapes),
		cmocka_unit_test_setup_teardown(test_list_count_recent, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_documents, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_search_all, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_search_store, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_search_canary, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_similar, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_case_reads, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_issue_table, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_changes, test_setup, test_teardown),
	};

	if (argc == 3 && !strcmp(argv[1], "--cases"))
		return write_to(argv[2], tlpf_write_cases);
	if (argc == 3 && !strcmp(argv[1], "--readers"))
		return write_to(argv[2], tlpf_write_readers);
	if (argc == 3 && !strcmp(argv[1], "--expect"))
		return write_to(argv[2], tlpf_write_expect);
	if (argc != 1) {
		fprintf(stderr, "usage: test_tlp_matrix [--cases FILE | --readers FILE | --expect FILE]\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
