/*
 * import_extract.c - bench driver: kpdf_extract() on one PDF, timed inside
 * the process (bench/import.sh also times the whole process).
 *
 *   import_extract FILE.pdf [OUT.txt]
 *
 * Prints "pages bytes seconds" on stdout; with OUT.txt also writes the text.
 */
#include <stdio.h>
#include <time.h>

#include "kbuf.h"
#include "kerr.h"
#include "pdf.h"

int main(int argc, char **argv)
{
	struct kbuf text = KBUF_INIT;
	struct kerr err = KERR_INIT;
	struct timespec t0, t1;
	int npages = 0, rc = 1;
	FILE *fp;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: import_extract FILE.pdf [OUT.txt]\n");
		return 2;
	}
	kbuf_setcap(&text, (size_t)1 << 30);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (kpdf_extract(argv[1], &text, &npages, &err) < 0) {
		fprintf(stderr, "import_extract: %s\n", err.msg);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%d %zu %.3f\n", npages, text.len,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (argc == 3) {
		fp = fopen(argv[2], "wb");
		if (!fp || fwrite(text.buf, 1, text.len, fp) != text.len || fclose(fp) != 0) {
			perror(argv[2]);
			goto out;
		}
	}
	rc = 0;
out:
	kbuf_release(&text);
	return rc;
}
