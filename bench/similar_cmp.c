/*
 * similar_cmp.c - for bench/similar_cut.sh: the top 10 of ksimilar() (as
 * the local operator, as `kyokun similar ID` gives it) for each case id of
 * a list, and the median time of REPS runs after a warm-up.
 *
 * usage: similar_cmp DB IDS.txt REPS
 * Prints per id "ID<TAB>HIT1 ... HIT10<TAB>|<TAB>MEDIAN_MS"; each hit is
 * "id:score".  Linked with similar.c built with other SIMILAR_COMMON /
 * SIMILAR_COMMON_FROM values, it shows what the cut of common words changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kerr.h"
#include "reader.h"
#include "search.h"
#include "similar.h"
#include "store.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	char line[512];
	double t[101];
	int reps;
	FILE *fp;

	if (argc != 4 || (reps = atoi(argv[3])) < 1 || reps > 101) {
		fprintf(stderr, "usage: similar_cmp DB IDS.txt REPS (1-101)\n");
		return 2;
	}
	if (kstore_open(&st, argv[1], KSTORE_READONLY, &err) < 0) {
		fprintf(stderr, "similar_cmp: %s\n", err.msg);
		return 1;
	}
	if (!(fp = fopen(argv[2], "r"))) {
		perror(argv[2]);
		return 1;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct ksimilar_opts so = KSIMILAR_OPTS_INIT;
		struct ksearch_result r;

		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		so.id = line;
		so.filter.reader = &kreader_local;
		so.filter.limit = 10;
		for (int i = -1; i < reps; i++) {
			double t0 = now_ms();

			if (ksimilar(st, &so, &r, &err) < 0) {
				fprintf(stderr, "similar_cmp: %s: %s\n", line, err.msg);
				return 1;
			}
			if (i >= 0)
				t[i] = now_ms() - t0;
			if (i == reps - 1) {
				printf("%s", line);
				for (size_t k = 0; k < r.nhits; k++)
					printf("\t%s:%.3f", r.hits[k].id, r.hits[k].score);
			}
			ksearch_result_free(&r);
		}
		qsort(t, (size_t)reps, sizeof(t[0]), dcmp);
		printf("\t|\t%.3f\n", t[reps / 2]);
		fflush(stdout);
	}
	fclose(fp);
	kstore_close(st);
	return 0;
}
