/*
 * cmd_backup.c - `kyokun backup [--force] [--quiet] FILE`: a consistent copy
 * of the database while it is in use (the store's online backup), written
 * beside FILE, checked, written to disk, then renamed to FILE.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct backup {
	const char *file;
	int force;
	struct kprogress prog;
};

static int progress_cb(void *ctx, long long done, long long total)
{
	struct backup *b = ctx;

	kcli_progress(&b->prog, "backup", (long)done, done, total);
	return 0;
}

static int problem_cb(void *ctx, const char *where, const char *problem)
{
	if (where)
		kcli_error("%s: %s: %s", (const char *)ctx, where, problem);
	return 0;
}

/* Write the folder holding path to disk (after a rename in it). */
static void sync_dir(const char *path)
{
	char *d = strdup(path);
	int fd;

	if (!d)
		return;
	if ((fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(d);
}

/* The copy at tmp: is it sound?  Its cases and schema version.  0, or 1 after a message. */
static int check_copy(const char *tmp, long *cases, int *version)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	int n, rc = 1;

	if (kstore_open(&st, tmp, KSTORE_READONLY, &err) < 0) {
		kcli_error("the copy cannot be opened: %s", err.msg);
		goto out;
	}
	if ((n = kstore_check(st, KSTORE_CHECK_NO_VOCAB, problem_cb, (void *)tmp, &err)) < 0) {
		kcli_error("checking the copy: %s", err.msg);
		goto out;
	}
	if (n > 0) {
		kcli_error("the copy has %d problem%s (is the database itself sound? run `kyokun check`)", n,
			   n == 1 ? "" : "s");
		goto out;
	}
	*version = kstore_schema_version(st);
	if (kstore_count(st, &kreader_local, cases, &err) < 0) {
		kcli_error("counting the copy's cases: %s", err.msg);
		goto out;
	}
	rc = 0;
out:
	kstore_close(st);
	return rc;
}

static int backup_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct backup *b = arg;
	struct kerr err = KERR_INIT;
	size_t n = strlen(b->file) + 16;
	char *tmp = malloc(n);
	long cases = 0;
	int fd, version = 0, rc = 1;

	if (!tmp) {
		kcli_error("out of memory");
		return 1;
	}
	/* a name of our own beside FILE (same file system: the rename is atomic) */
	snprintf(tmp, n, "%s.tmp-XXXXXX", b->file);
	if ((fd = mkstemp(tmp)) < 0) {
		kcli_error("cannot create a file beside %s: %s", b->file, strerror(errno));
		free(tmp);
		return 1;
	}
	close(fd);
	kcli_progress_init(&b->prog, cli);
	b->prog.unit = "pages";
	if (kstore_backup(st, tmp, progress_cb, b, &err) < 0) {
		kcli_progress_done(&b->prog);
		kcli_error("backup of %s: %s", cli->db_path, err.msg);
		unlink(tmp);
		goto out;
	}
	kcli_progress_done(&b->prog);
	if (check_copy(tmp, &cases, &version))
		goto fail;
	if (!b->force && access(b->file, F_OK) == 0) {
		kcli_error("%s exists (appeared during the backup): give --force to replace it", b->file);
		goto fail;
	}
	if (rename(tmp, b->file) != 0) {
		kcli_error("cannot rename %s to %s: %s", tmp, b->file, strerror(errno));
		goto fail;
	}
	sync_dir(b->file);
	printf("%s: %ld case%s, schema version %d\n", b->file, cases, cases == 1 ? "" : "s", version);
	rc = 0;
	goto out;
fail:
	unlink(tmp);
out:
	free(tmp);
	return rc;
}

int cmd_backup(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct backup b = { 0 };
	struct stat sb;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			b.force = 1;
			break;
		case 'q':
			cli->quiet = 1;
			break;
		default:
			return kcli_bad_option("backup", argv);
		}
	}
	if (optind >= argc)
		return kcli_usage_error("backup", "no file given");
	if (optind + 1 < argc)
		return kcli_usage_error("backup", "unexpected argument '%s'", argv[optind + 1]);
	b.file = argv[optind];
	if (stat(b.file, &sb) == 0) {
		struct stat db;

		if (stat(cli->db_path, &db) == 0 && db.st_dev == sb.st_dev && db.st_ino == sb.st_ino) {
			kcli_error("%s is the database itself: give another file", b.file);
			return 1;
		}
		if (!S_ISREG(sb.st_mode)) {
			kcli_error("%s exists and is not a regular file", b.file);
			return 1;
		}
		if (!b.force) {
			kcli_error("%s exists: give --force to replace it", b.file);
			return 1;
		}
	}
	return kcli_run(cli, backup_run, &b);
}
