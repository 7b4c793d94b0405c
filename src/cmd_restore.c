/*
 * cmd_restore.c - `kyokun restore FILE`: put a backup back as the database.
 * FILE is checked first (a kyokun database, its schema not newer than this
 * kyokun's, `check` passes on a copy of it); only then is the database
 * replaced, by renaming the checked copy over it, while no other process
 * has it open.
 */
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* path + suffix into a malloc'ed string (NULL if out of memory). */
static char *with(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s", path, suffix);
	return s;
}

static void unlink_with(const char *path, const char *suffix)
{
	char *p = with(path, suffix);

	if (p)
		unlink(p);
	free(p);
}

static void remove_db_files(const char *path)
{
	unlink(path);
	unlink_with(path, "-wal");
	unlink_with(path, "-shm");
	unlink_with(path, "-journal");
}

static int problem_cb(void *ctx, const char *where, const char *problem)
{
	if (where)
		kcli_error("%s: %s: %s", (const char *)ctx, where, problem);
	return 0;
}

/* Copy from into the open file fd and write it to disk: 0, or 1 after a message. */
static int copy_file(const char *from, int fd, struct kprogress *prog, long long size)
{
	char buf[1 << 16];
	long long done = 0;
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), rc = 1;

	if (in < 0) {
		kcli_error("%s: %s", from, strerror(errno));
		return 1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				kcli_error("writing the copy of %s: %s", from, strerror(errno));
				goto out;
			}
			off += w;
		}
		done += n;
		kcli_progress(prog, "restore: copying", (long)(done >> 20), done, size);
	}
	if (n < 0) {
		kcli_error("%s: %s", from, strerror(errno));
		goto out;
	}
	if (fsync(fd) != 0) {
		kcli_error("writing the copy of %s: %s", from, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(in);
	return rc;
}

/* The copy at tmp: brought to this version, sound?  Its cases and schema version.  0, or 1. */
static int check_copy(const char *file, const char *tmp, long *cases, int *version)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;
	int n, rc = 1;

	/* read-write: an older schema is migrated (in the copy) */
	if (kstore_open(&st, tmp, 0, &err) < 0) {
		kcli_error("not restored: %s cannot be used: %s", file, err.msg);
		goto out;
	}
	if ((n = kstore_check(st, KSTORE_CHECK_NO_VOCAB, problem_cb, (void *)file, &err)) < 0) {
		kcli_error("checking %s: %s", file, err.msg);
		goto out;
	}
	if (n > 0) {
		kcli_error("not restored: %s has %d problem%s", file, n, n == 1 ? "" : "s");
		goto out;
	}
	*version = kstore_schema_version(st);
	if (kstore_count(st, &kreader_local, cases, &err) < 0) {
		kcli_error("counting the cases of %s: %s", file, err.msg);
		goto out;
	}
	rc = 0;
out:
	kstore_close(st);
	return rc;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int cmd_restore(struct kcli *cli, int argc, char **argv)
{
	struct kerr err = KERR_INIT;
	struct kstore_lock *lk = NULL;
	struct kprogress prog;
	struct stat sb, old;
	const char *file, *db = cli->db_path;
	char *dbcopy = NULL, *dir, *tmp = NULL, *wal = NULL;
	long cases = 0;
	int fd = -1, v, version = 0, rc = 1, have_old;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet"))
			cli->quiet = 1;
		else if (!strcmp(argv[i], "--") && i + 1 < argc)
			break;
		else if (argv[i][0] == '-' && argv[i][1])
			return kcli_usage_error("restore", "option '%s' is unknown", argv[i]);
	}
	file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet"))
			continue;
		if (!strcmp(argv[i], "--")) {
			if (i + 1 < argc)
				file = argv[i + 1];
			if (i + 2 < argc)
				return kcli_usage_error("restore", "unexpected argument '%s'", argv[i + 2]);
			break;
		}
		if (file)
			return kcli_usage_error("restore", "unexpected argument '%s'", argv[i]);
		file = argv[i];
	}
	if (!file)
		return kcli_usage_error("restore", "no file given");

	/* 1. FILE: a kyokun database this kyokun can use? */
	if (stat(file, &sb) != 0) {
		kcli_error("not restored: %s: %s", file, strerror(errno));
		return 1;
	}
	have_old = stat(db, &old) == 0;
	if (have_old && old.st_dev == sb.st_dev && old.st_ino == sb.st_ino) {
		kcli_error("%s is the database itself", file);
		return 1;
	}
	if (!(wal = with(file, "-wal")) || !(dbcopy = strdup(db))) {
		kcli_error("out of memory");
		goto out;
	}
	if (stat(wal, &sb) == 0 && sb.st_size > 0) {
		kcli_error("not restored: %s has a write-ahead log beside it (%s): it is a database in use, not "
			   "a backup; make a backup of it with `kyokun --db %s backup NEWFILE`", file, wal, file);
		goto out;
	}
	if (kstore_file_version(file, &v, &err) < 0) {
		kcli_error("not restored: %s", err.msg);
		goto out;
	}
	if (v > kstore_schema_latest()) {
		kcli_error("not restored: %s has schema version %d, newer than this kyokun's %d (use a newer "
			   "kyokun)", file, v, kstore_schema_latest());
		goto out;
	}
	stat(file, &sb);

	/* 2. a copy beside the database, checked (and migrated if older) */
	dir = dirname(dbcopy);
	if (!(tmp = malloc(strlen(dir) + 32))) {
		kcli_error("out of memory");
		goto out;
	}
	sprintf(tmp, "%s/.kyokun-restore-XXXXXX", dir);
	if ((fd = mkstemp(tmp)) < 0) {
		kcli_error("cannot create a file in %s: %s", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (have_old) {
		/* the database's owner and mode stay */
		if (geteuid() == 0)
			(void)!fchown(fd, old.st_uid, old.st_gid);
		fchmod(fd, old.st_mode & 07777);
	}
	kcli_progress_init(&prog, cli);
	prog.unit = "MB";
	rc = copy_file(file, fd, &prog, (long long)sb.st_size);
	kcli_progress_done(&prog);
	close(fd);
	fd = -1;
	rc = rc || check_copy(file, tmp, &cases, &version);
	if (rc)
		goto fail;
	rc = 1;

	/* 3. the database: no one else may have it open while it is replaced */
	if (kstore_file_lock(db, &lk, &err) < 0) {
		kcli_error("not restored: %s", err.msg);
		goto fail;
	}
	/* a write-ahead log left beside it belongs to the old file (the lock merged a live one) */
	unlink_with(db, "-wal");
	unlink_with(db, "-shm");
	if (rename(tmp, db) != 0) {
		kcli_error("cannot rename %s to %s: %s", tmp, db, strerror(errno));
		goto fail;
	}
	sync_dir(dir);
	kstore_file_unlock(lk);
	lk = NULL;
	printf("%s: restored from %s: %ld case%s, schema version %d%s\n", db, file, cases, cases == 1 ? "" : "s",
	       version, v < version ? " (migrated)" : "");
	rc = 0;
	goto out;
fail:
	remove_db_files(tmp);
out:
	kstore_file_unlock(lk);
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(wal);
	free(dbcopy);
	return rc;
}
