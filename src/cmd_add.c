/*
 * cmd_add.c - `kyokun add FILE...`: store cases from interchange JSON.
 *
 * Each file is one transaction.  Every case of the file is read and checked;
 * if any is refused the transaction is rolled back, so a file is stored whole
 * or not at all, and what was stored before is untouched.
 */
#include "case.h"
#include "case_json.h"
#include "cli.h"
#include "exchange.h"
#include "kbuf.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* How much of a file's start tells its format. */
#define SNIFF_BYTES 65536

/* A file this large is stored with kstore_begin_bulk(). */
#define BULK_BYTES (32LL << 20)

#define MAX_MESSAGES 20 /* per file; more are counted, not printed */

/*
 * Before a bulk load: glibc's malloc keeps what is freed instead of giving
 * it back to the system and taking it again (FTS5 frees its table of
 * pending tokens, tens of MB, at every flush; each page taken again is a
 * page fault and a page cleared), and blocks up to 256 MB come from the heap
 * too instead of mappings of their own.  The process ends after the load, so
 * nothing is held for long.  1,000,000 cases (bench/search.sh's), two runs
 * each in turns: 187.7 and 172.4 s against 199.2 and 195.0 s (sys 37.6 and
 * 34.2 s against 43.7 and 39.3 s); the peak RSS 116 MB against 106 MB.
 */
static void bulk_memory(void)
{
#if defined(__GLIBC__)
	static int done;

	if (done)
		return;
	done = 1;
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
#endif
}

struct addstats {
	long created, updated, unchanged, refused;
};

/*
 * Reading runs in a second thread, one file at a time: it parses and checks
 * each case and writes its stored JSON while this thread writes the previous
 * cases to SQLite.  The two meet at a small ring of cases, so memory stays
 * bounded whatever the file size, and the cases keep their order.
 */
#define RING 64

struct item {
	int rc;              /* 1 a case, 0 end of file, < 0 an error (err) */
	struct kcase c;
	struct kbuf json;    /* the case's stored JSON */
	struct kstore_prep *prep; /* its index's tokens, made ahead (kstore_prep_make()) */
	struct kerr err;
	char where[48];      /* "line 7" / "cases[3]" */
	long long done, size;
};

struct feed {
	struct kstore *st;   /* (for kstore_prep_make(), which touches no connection) */
	struct kcase_reader *r;
	const char *default_tlp;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item ring[RING];
	unsigned head, tail; /* items [tail, head) are ready */
	int stop;            /* the writer gave up: the reader ends */
	/*
	 * Who sleeps on cond.  A thread is woken only when the other one is
	 * asleep: a wake-up per case cost the writer 5% of its time in futex
	 * calls and context switches.
	 */
	int reader_waits, writer_waits;
};

static void *reader_main(void *arg)
{
	struct feed *f = arg;

	for (;;) {
		struct item *it;
		int rc;

		pthread_mutex_lock(&f->lock);
		if (f->head - f->tail == RING) {
			/* full: sleep until the writer has used half of it */
			f->reader_waits = 1;
			while (f->head - f->tail > RING / 2 && !f->stop)
				pthread_cond_wait(&f->cond, &f->lock);
			f->reader_waits = 0;
		}
		if (f->stop) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		it = &f->ring[f->head % RING];
		pthread_mutex_unlock(&f->lock);

		kcase_init(&it->c);
		kbuf_init(&it->json, 0);
		it->prep = NULL;
		kerr_clear(&it->err);
		rc = kcase_reader_next(f->r, &it->c, &it->err);
		kcase_reader_where(f->r, it->where, sizeof(it->where));
		kcase_reader_progress(f->r, &it->done, &it->size);
		if (rc == 1 && !it->c.tlp && kstr_set(&it->c.tlp, f->default_tlp) < 0)
			rc = kerr_set(&it->err, KE_NOMEM, "out of memory");
		if (rc == 1 && kcase_dump(&it->c, &it->json) < 0)
			rc = kerr_set(&it->err, KE_NOMEM, "out of memory");
		/* the index's tokens too: tokenizing is a fifth of the writing thread's work */
		if (rc == 1 && (rc = kstore_prep_make(f->st, &it->c, &it->prep, &it->err)) == 0)
			rc = 1;
		it->rc = rc;

		pthread_mutex_lock(&f->lock);
		f->head++;
		if (f->writer_waits)
			pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		if (rc == 0 || (rc < 0 && rc != KE_INVALID))
			break;
	}
	return NULL;
}

/* The next item, waiting for the reader; the caller releases it with item_done(). */
static struct item *item_next(struct feed *f)
{
	struct item *it;

	pthread_mutex_lock(&f->lock);
	while (f->head == f->tail) {
		f->writer_waits = 1;
		pthread_cond_wait(&f->cond, &f->lock);
		f->writer_waits = 0;
	}
	it = &f->ring[f->tail % RING];
	pthread_mutex_unlock(&f->lock);
	return it;
}

static void item_done(struct feed *f, struct item *it)
{
	kcase_free(&it->c);
	kbuf_release(&it->json);
	kstore_prep_free(f->st, it->prep);
	it->prep = NULL;
	pthread_mutex_lock(&f->lock);
	f->tail++;
	if (f->reader_waits && f->head - f->tail <= RING / 2)
		pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Stop the reader and free what it made that was not used. */
static void feed_finish(struct feed *f, pthread_t thread)
{
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(thread, NULL);
	while (f->tail != f->head) {
		struct item *it = &f->ring[f->tail % RING];

		kcase_free(&it->c);
		kbuf_release(&it->json);
		kstore_prep_free(f->st, it->prep);
		it->prep = NULL;
		f->tail++;
	}
}

static int add_file(struct kcli *cli, struct kstore *st, const char *path, const char *default_tlp,
		    struct addstats *total)
{
	const char *name = strcmp(path, "-") ? path : "(stdin)";
	struct feed f = { .st = st, .default_tlp = default_tlp };
	struct kerr err = KERR_INIT;
	struct addstats s = { 0 };
	struct kprogress prog;
	pthread_t thread;
	int rc, fatal = 0, outcome, status = 1;
	long n = 0, msgs = 0;

	if ((rc = kcase_reader_open(&f.r, path, &err)) < 0) {
		kcli_error("%s: %s", name, err.msg);
		return 1;
	}
	{
		long long done, size;

		kcase_reader_progress(f.r, &done, &size);
		if (size >= BULK_BYTES)
			bulk_memory();
		rc = size >= BULK_BYTES ? kstore_begin_bulk(st, &err) : kstore_begin(st, &err);
	}
	if (rc < 0) {
		kcli_error("%s: %s", name, err.msg);
		kcase_reader_close(f.r);
		return 1;
	}
	pthread_mutex_init(&f.lock, NULL);
	pthread_cond_init(&f.cond, NULL);
	if (pthread_create(&thread, NULL, reader_main, &f) != 0) {
		kcli_error("%s: cannot start a thread", name);
		kstore_rollback(st);
		goto out_sync;
	}
	kcli_progress_init(&prog, cli);
	for (;;) {
		struct item *it = item_next(&f);

		rc = it->rc;
		if (rc == 0) {
			item_done(&f, it);
			break;
		}
		if (rc == 1) {
			rc = kstore_put_prep(st, &it->c, it->json.buf, it->json.len, it->prep, &outcome, &it->err);
			if (rc == KE_EXISTS) {
				kerr_prefix(&it->err, "%s", it->where);
				rc = KE_INVALID;
			} else if (rc == 0 && outcome == KSTORE_CREATED) {
				s.created++;
			} else if (rc == 0 && outcome == KSTORE_UNCHANGED) {
				s.unchanged++;
			} else if (rc == 0) {
				s.updated++;
			}
		}
		if (rc < 0) {
			s.refused++;
			if (msgs++ < MAX_MESSAGES) {
				kcli_progress_done(&prog);
				kcli_error("%s: %s", name, it->err.msg);
			}
			if (rc != KE_INVALID)
				fatal = 1;
		}
		n++;
		if ((n & 255) == 0)
			kcli_progress(&prog, name, n, it->done, it->size);
		item_done(&f, it);
		if (fatal)
			break;
	}
	kcli_progress_done(&prog);
	feed_finish(&f, thread);
	if (s.refused || fatal) {
		kstore_rollback(st);
		if (msgs > MAX_MESSAGES)
			kcli_error("%s: ... and %ld more problems", name, msgs - MAX_MESSAGES);
		kcli_error("%s: refused; none of its cases was stored", name);
		goto out_sync;
	}
	if (kstore_commit(st, &err) < 0) {
		kcli_error("%s: %s; none of its cases was stored", name, err.msg);
		goto out_sync;
	}
	{
		long all = s.created + s.updated + s.unchanged;

		fprintf(stderr, "%s: %ld case%s stored (%ld new, %ld updated, %ld unchanged)\n", name, all,
			all == 1 ? "" : "s", s.created, s.updated, s.unchanged);
	}
	total->created += s.created;
	total->updated += s.updated;
	total->unchanged += s.unchanged;
	status = 0;
out_sync:
	pthread_cond_destroy(&f.cond);
	pthread_mutex_destroy(&f.lock);
	kcase_reader_close(f.r);
	return status;
}

/* What the import hands each case to: stored at once, in the file's transaction. */
struct xsink {
	struct kstore *st;
	const struct kexchange_format *xf;
	const char *default_tlp;
	struct kbuf json;
	struct addstats s;
	size_t n;
};

static int xsink_put(void *ctx, struct kcase *c, struct kerr *err)
{
	struct xsink *x = ctx;
	int rc, outcome = 0;

	kbuf_reset(&x->json);
	if (!c->tlp && kstr_set(&c->tlp, x->default_tlp) < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	else if ((rc = kcase_validate(c, err)) < 0)
		;
	else if (kcase_dump(c, &x->json) < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	else
		rc = kstore_put_json(x->st, c, x->json.buf, x->json.len, &outcome, err);
	if (rc < 0) {
		kerr_prefix(err, "case %zu (%s)", x->n, c->id ? c->id : "no id");
		return rc;
	}
	x->n++;
	if (outcome == KSTORE_CREATED)
		x->s.created++;
	else if (outcome == KSTORE_UNCHANGED)
		x->s.unchanged++;
	else
		x->s.updated++;
	return 0;
}

/*
 * A file of an exchange format: read whole (up to the format's
 * max_bytes: a larger file is refused before it is read), then turned into
 * cases by the format, each stored as soon as it is read, all in one
 * transaction: the first problem rolls it back, so the file is stored
 * whole or not at all.  MISP events and VERIS incidents are parsed one at
 * a time (memory: the file and one element); a STIX bundle is parsed
 * whole (its objects refer to each other).
 */
static int add_exchange_file(struct kcli *cli, struct kstore *st, const char *path,
			     const struct kexchange_format *xf, const char *default_tlp, struct addstats *total)
{
	const char *name = strcmp(path, "-") ? path : "(stdin)";
	struct xsink x = { .st = st, .xf = xf, .default_tlp = default_tlp, .json = KBUF_INIT };
	struct kexchange_sink sink = { xsink_put, &x };
	struct kbuf in;
	struct kerr err = KERR_INIT;
	struct stat sb;
	int rc, status = 1, in_tx = 0;

	(void)cli;
	if (strcmp(path, "-") && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size > xf->max_bytes) {
		kcli_error("%s: %s: the file is %lld MB, larger than the %zu MB a %s file may be (split it into "
			   "several files)", name, xf->name, (long long)(sb.st_size >> 20), xf->max_bytes >> 20, xf->name);
		kcli_error("%s: refused; none of its cases was stored", name);
		return 1;
	}
	kbuf_init(&in, xf->max_bytes);
	rc = strcmp(path, "-") ? kbuf_read_file(&in, path, &err) : kbuf_read_fp(&in, stdin, &err);
	if (rc == KE_TOOBIG)
		kerr_set(&err, KE_TOOBIG, "%s: larger than the %zu MB a %s file may be (split it into several files)",
			 xf->name, xf->max_bytes >> 20, xf->name);
	if (rc < 0) {
		kcli_error("%s: %s", name, err.msg);
		kcli_error("%s: refused; none of its cases was stored", name);
		goto out;
	}
	if (in.len >= (size_t)BULK_BYTES)
		bulk_memory();
	rc = in.len >= (size_t)BULK_BYTES ? kstore_begin_bulk(st, &err) : kstore_begin(st, &err);
	if (rc < 0) {
		kcli_error("%s: %s", name, err.msg);
		goto out;
	}
	in_tx = 1;
	if ((rc = xf->import_each(in.buf ? in.buf : "", in.len, &sink, &err)) < 0) {
		size_t fl = strlen(xf->name);
		int named = !strncmp(err.msg, xf->name, fl) && err.msg[fl] == ':';

		kcli_error("%s: %s%s%s", name, named ? "" : xf->name, named ? "" : ": ", err.msg);
		kcli_error("%s: refused; none of its cases was stored", name);
		goto out;
	}
	in_tx = 0;
	if (kstore_commit(st, &err) < 0) {
		kcli_error("%s: %s; none of its cases was stored", name, err.msg);
		goto out;
	}
	{
		long all = x.s.created + x.s.updated + x.s.unchanged;

		fprintf(stderr, "%s: %ld case%s stored from %s (%ld new, %ld updated, %ld unchanged)\n", name, all,
			all == 1 ? "" : "s", xf->name, x.s.created, x.s.updated, x.s.unchanged);
	}
	total->created += x.s.created;
	total->updated += x.s.updated;
	total->unchanged += x.s.unchanged;
	status = 0;
out:
	if (in_tx)
		kstore_rollback(st);
	kbuf_release(&x.json);
	kbuf_release(&in);
	return status;
}

/* The exchange format of the file at path by its start, or NULL (kyokun's own JSON, or unreadable: add_file says). */
static const struct kexchange_format *sniff_file(const char *path)
{
	static char buf[SNIFF_BYTES];
	const struct kexchange_format *xf = NULL;
	FILE *fp;
	size_t n;

	struct stat sb;

	/* only a regular file: a FIFO would block fopen (add_file refuses it) */
	if (!strcmp(path, "-") || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || !(fp = fopen(path, "rb")))
		return NULL;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (n > 0)
		xf = kexchange_sniff(buf, n);
	return xf;
}

struct addargs {
	const struct kexchange_format *xf; /* --format stix|misp|veris */
	int native;        /* --format json */
	const char *tlp;   /* for cases without one */
	char **files;
	int nfiles;
};

static int add_run(struct kcli *cli, struct kstore *st, void *arg)
{
	const struct addargs *a = arg;
	struct addstats total = { 0 };
	int rc = 0;

	for (int i = 0; i < a->nfiles; i++) {
		const struct kexchange_format *xf = a->xf ? a->xf : a->native ? NULL : sniff_file(a->files[i]);

		if (xf ? add_exchange_file(cli, st, a->files[i], xf, a->tlp, &total)
		       : add_file(cli, st, a->files[i], a->tlp, &total))
			rc = 1;
	}
	if (a->nfiles > 1)
		fprintf(stderr, "total: %ld new, %ld updated, %ld unchanged\n", total.created, total.updated,
			total.unchanged);
	return rc;
}

int cmd_add(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "tlp", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "json", "stix", "misp", "veris", NULL };
	struct addargs a = { .tlp = "amber" };
	int c, rc, fi;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &fi)))
				return rc;
			a.native = fi == 0;
			a.xf = fi ? kexchange_find(formats[fi]) : NULL;
			break;
		case 't':
			if ((rc = kcli_opt_tlp(cli, "--tlp", optarg, NULL)))
				return rc;
			a.tlp = optarg;
			break;
		case 'q':
			cli->quiet = 1;
			break;
		default:
			return kcli_bad_option("add", argv);
		}
	}
	a.files = argv + optind;
	a.nfiles = argc - optind;
	if (a.nfiles < 1)
		return kcli_usage_error("add", "no file given");
	return kcli_run(cli, add_run, &a);
}
