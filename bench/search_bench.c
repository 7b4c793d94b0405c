/*
 * search_bench.c - time kyokun's ranked top-20 search through the library
 * call the CLI and the web server use (ksearch(), no facets, no snippets),
 * for bench/search.sh.
 *
 * usage: search_bench DB QUERIES.tsv REPS
 * QUERIES.tsv: one "class<TAB>query" per line.  Prints per query
 * "class<TAB>query<TAB>hits<TAB>ms..." with REPS timings after one warm-up.
 *
 * KYOKUN_BENCH_READER=anon|reporter|liaison|analyst searches as that reader
 * (default: the local operator, who sees everything; the signed-in ones
 * belong to an organisation "bench-org" of sector 電力, login "bench");
 * KYOKUN_BENCH_FACETS=1 counts facets too, as the search page does.
 * Every timed search counts its hits exactly (total), as the CLI, the web
 * page and the API always do; KYOKUN_BENCH_NOCOUNT=1 leaves the count out.
 * KYOKUN_BENCH_LITERAL=1 searches the query as written: no synonyms, no
 * segmentation of Japanese words (what the other engines get);
 * KYOKUN_BENCH_LITERAL=2 keeps the synonyms but does not segment (what
 * each of the two costs, apart).
 * KYOKUN_BENCH_CPU=FILE appends to FILE per query "class<TAB>query<TAB>ms": the
 * process's CPU time per timed search (the mean), steadier than the
 * elapsed times on a machine other work shares.
 * KYOKUN_BENCH_SIMILAR=1: each line's "query" is a case id, and what is
 * timed is ksimilar() of that case (the top 10, counted), as the case page
 * and `kyokun similar` do.
 * KYOKUN_BENCH_EXPR=1 times nothing: it prints per query
 * "class<TAB>query<TAB>hits<TAB>expression", the FTS5 expression kyokun's
 * own search runs on this library (synonyms and segments), for giving
 * Groonga the same (bench/search_engines.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerr.h"
#include "query.h"
#include "similar.h"
#include "search.h"
#include "store.h"
#include "store_search.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The reader KYOKUN_BENCH_READER names (see above). */
static const struct kreader *bench_reader(void)
{
	static struct kreader r;
	const char *name = getenv("KYOKUN_BENCH_READER");

	if (!name || !*name || !strcmp(name, "local"))
		return &kreader_local;
	if (!strcmp(name, "anon"))
		return &kreader_anonymous;
	r = (struct kreader){ .kind = KREADER_USER, .user_id = 1, .login = "bench", .org_id = 1,
			      .org = "bench-org", .role = krole_parse(name), .sectors = { "電力" }, .nsectors = 1 };
	if (r.role == KROLE_NONE) {
		fprintf(stderr, "search_bench: KYOKUN_BENCH_READER: unknown reader %s\n", name);
		exit(2);
	}
	r.caps = krole_caps(r.role);
	return &r;
}

int main(int argc, char **argv)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	const struct kreader *reader = bench_reader();
	const char *fe = getenv("KYOKUN_BENCH_FACETS");
	const char *sim = getenv("KYOKUN_BENCH_SIMILAR");
	const char *nocount = getenv("KYOKUN_BENCH_NOCOUNT"), *literal = getenv("KYOKUN_BENCH_LITERAL");
	const char *cpu = getenv("KYOKUN_BENCH_CPU"), *expr = getenv("KYOKUN_BENCH_EXPR");
	char line[4096];
	FILE *fp, *cpf = NULL;
	int reps;

	if (argc != 4) {
		fprintf(stderr, "usage: search_bench DB QUERIES.tsv REPS\n");
		return 2;
	}
	reps = atoi(argv[3]);
	if (kstore_open(&st, argv[1], KSTORE_READONLY, &err) < 0) {
		fprintf(stderr, "search_bench: %s\n", err.msg);
		return 1;
	}
	fp = fopen(argv[2], "r");
	if (!fp) {
		perror(argv[2]);
		return 1;
	}
	if (cpu && *cpu && !(cpf = fopen(cpu, "a"))) {
		perror(cpu);
		return 1;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct ksearch_opts o = KSEARCH_OPTS_INIT;
		struct ksearch_result r;
		char *tab = strchr(line, '\t'), *q;
		long hits = -1;
		double c0;

		line[strcspn(line, "\n")] = 0;
		if (!tab)
			continue;
		*tab = 0;
		q = tab + 1;
		if (sim && *sim == '1') {
			struct ksimilar_opts so = KSIMILAR_OPTS_INIT;

			so.id = q;
			so.filter.reader = reader;
			so.filter.limit = 10;
			printf("%s\t%s", line, q);
			for (int i = -1; i < reps; i++) {
				double t0 = now_ms();

				if (ksimilar(st, &so, &r, &err) < 0) {
					fprintf(stderr, "search_bench: similar %s: %s\n", q, err.msg);
					return 1;
				}
				if (i < 0)
					printf("\t%ld", r.total);
				else
					printf("\t%.3f", now_ms() - t0);
				ksearch_result_free(&r);
			}
			putchar('\n');
			fflush(stdout);
			continue;
		}
		o.query = q;
		o.filter.reader = reader;
		o.filter.limit = 20;
		o.facets = fe && *fe == '1';
		o.snippets = 0;
		o.exact_total = 1;
		if (literal && *literal == '1')
			o.flags = KQ_NO_SEGMENT | KQ_NO_SYNONYMS;
		else if (literal && *literal == '2')
			o.flags = KQ_NO_SEGMENT;
		if (expr && *expr == '1') {
			if (ksearch(st, &o, &r, &err) < 0) {
				fprintf(stderr, "search_bench: %s: %s\n", q, err.msg);
				return 1;
			}
			printf("%s\t%s\t%ld\t%s\n", line, q, r.total, r.match ? r.match : "");
			ksearch_result_free(&r);
			continue;
		}
		/* warm-up, and the hit count */
		if (ksearch(st, &o, &r, &err) < 0) {
			fprintf(stderr, "search_bench: %s: %s\n", q, err.msg);
			return 1;
		}
		hits = r.total;
		ksearch_result_free(&r);
		o.exact_total = !(nocount && *nocount == '1');
		printf("%s\t%s\t%ld", line, q, hits);
		c0 = cpu_ms();
		for (int i = 0; i < reps; i++) {
			double t0 = now_ms();

			if (ksearch(st, &o, &r, &err) < 0) {
				fprintf(stderr, "search_bench: %s: %s\n", q, err.msg);
				return 1;
			}
			printf("\t%.3f", now_ms() - t0);
			ksearch_result_free(&r);
		}
		if (cpf && reps > 0)
			fprintf(cpf, "%s\t%s\t%.3f\n", line, q, (cpu_ms() - c0) / reps);
		putchar('\n');
		fflush(stdout);
	}
	fclose(fp);
	if (cpf)
		fclose(cpf);
	kstore_close(st);
	return 0;
}
