/*
 * search_bench.c - time kyokun's ranked top-20 search through the library
 * call the CLI and the web server use (ksearch(), no facets, no snippets),
 * for bench/search.sh.
 *
 * usage: search_bench DB QUERIES.tsv REPS
 * QUERIES.tsv: one "class<TAB>query" per line.  Prints per query
 * "class<TAB>query<TAB>hits<TAB>ms..." with REPS timings after one warm-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerr.h"
#include "search.h"
#include "store.h"
#include "store_search.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	char line[4096];
	FILE *fp;
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
	while (fgets(line, sizeof(line), fp)) {
		struct ksearch_opts o = KSEARCH_OPTS_INIT;
	o.filter.reader = &kreader_local;
		struct ksearch_result r;
		char *tab = strchr(line, '\t'), *q;
		long hits = -1;

		line[strcspn(line, "\n")] = 0;
		if (!tab)
			continue;
		*tab = 0;
		q = tab + 1;
		o.query = q;
		o.filter.limit = 20;
		o.facets = 0;
		o.snippets = 0;
		o.exact_total = 1;
		/* warm-up, and the hit count */
		if (ksearch(st, &o, &r, &err) < 0) {
			fprintf(stderr, "search_bench: %s: %s\n", q, err.msg);
			return 1;
		}
		hits = r.total;
		ksearch_result_free(&r);
		o.exact_total = 0;
		printf("%s\t%s\t%ld", line, q, hits);
		for (int i = 0; i < reps; i++) {
			double t0 = now_ms();

			if (ksearch(st, &o, &r, &err) < 0) {
				fprintf(stderr, "search_bench: %s: %s\n", q, err.msg);
				return 1;
			}
			printf("\t%.3f", now_ms() - t0);
			ksearch_result_free(&r);
		}
		putchar('\n');
		fflush(stdout);
	}
	fclose(fp);
	kstore_close(st);
	return 0;
}
