/*
 * store_sqlite_backup.c - the SQLite backend's backups and restores
 * (store.h: kstore_backup, kstore_file_version, kstore_file_lock): SQLite's
 * online backup API over one read snapshot, and the checks and the lock a
 * restore needs before it replaces a database file.
 */
#include "store.h"
#include "store_sqlite.h"
#include "kerr.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages copied per step: a few MB, so that progress moves and memory stays small. */
#define BACKUP_PAGES 512

/* Remove path and the files SQLite may have made beside it. */
static void remove_db_files(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char buf[4096];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(buf, sizeof(buf), "%s%s", path, sfx[i]) < (int)sizeof(buf))
			unlink(buf);
	}
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int ksqlite_backup(struct kstore *kst, const char *dest, kstore_progress_cb cb, void *ctx, struct kerr *err)
{
	struct kstore_sqlite *st = ksqlite(kst);
	sqlite3 *d = NULL;
	sqlite3_backup *b = NULL;
	struct stat sb;
	int rc = 0, step, in_read = 0, made = 0, busy = 0;

	if (st->in_txn)
		return kerr_set(err, KE_DB, "a transaction is open");
	if (stat(dest, &sb) == 0 && (!S_ISREG(sb.st_mode) || sb.st_size > 0))
		return kerr_set(err, KE_EXISTS, "%s exists", dest);
	made = 1;
	if (sqlite3_open_v2(dest, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = kerr_set(err, KE_IO, "cannot create %s: %s", dest, d ? sqlite3_errmsg(d) : "out of memory");
		goto out;
	}
	sqlite3_exec(d, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	/*
	 * One read transaction on the source for the whole copy: every step
	 * reads the same snapshot, so writers of other connections (WAL mode)
	 * neither wait for the copy nor make it start over.
	 */
	if (sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		rc = ksqlite_db_err(st, err, "reading the database");
		goto out;
	}
	in_read = 1;
	if (!(b = sqlite3_backup_init(d, "main", st->db, "main"))) {
		rc = kerr_set(err, KE_IO, "%s: %s", dest, sqlite3_errmsg(d));
		goto out;
	}
	do {
		step = sqlite3_backup_step(b, BACKUP_PAGES);
		/* not expected while the snapshot is held; 10 s at most */
		if ((step == SQLITE_BUSY || step == SQLITE_LOCKED) && ++busy < 500) {
			sqlite3_sleep(20);
			continue;
		}
		busy = 0;
		if (step != SQLITE_OK && step != SQLITE_DONE)
			break;
		if (cb && cb(ctx, sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
			     sqlite3_backup_pagecount(b))) {
			rc = kerr_set(err, KE_IO, "backup stopped");
			goto out;
		}
	} while (step != SQLITE_DONE);
	if (step != SQLITE_DONE) {
		rc = kerr_set(err, KE_IO, "copying to %s: %s", dest, sqlite3_errstr(step));
		goto out;
	}
	step = sqlite3_backup_finish(b);
	b = NULL;
	if (step != SQLITE_OK) {
		rc = kerr_set(err, KE_IO, "copying to %s: %s", dest, sqlite3_errmsg(d));
		goto out;
	}
	/* a single file: the copy has no write-ahead log beside it */
	if (sqlite3_exec(d, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = kerr_set(err, KE_IO, "%s: %s", dest, sqlite3_errmsg(d));
		goto out;
	}
	if (sqlite3_close(d) != SQLITE_OK) {
		rc = kerr_set(err, KE_IO, "closing %s: %s", dest, sqlite3_errmsg(d));
		d = NULL;
		goto out;
	}
	d = NULL;
	if (fsync_path(dest) != 0)
		rc = kerr_set(err, KE_IO, "%s: %s", dest, strerror(errno));
out:
	if (b)
		sqlite3_backup_finish(b);
	if (d)
		sqlite3_close_v2(d);
	if (in_read)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc && made)
		remove_db_files(dest);
	return rc;
}

int ksqlite_file_version(const char *path, int *version, struct kerr *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	struct stat sb;
	int rc = 0, tables = 0;

	*version = -1;
	if (stat(path, &sb) != 0)
		return kerr_set(err, KE_NOTFOUND, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return kerr_set(err, KE_INVALID, "%s is not a regular file", path);
	if (sb.st_size == 0)
		return kerr_set(err, KE_INVALID, "%s is empty: not a kyokun database", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = kerr_set(err, KE_INVALID, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('cases', "
			       "'revisions')", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		int e = sqlite3_extended_errcode(db) & 0xff;

		if (e == SQLITE_CORRUPT)
			rc = kerr_set(err, KE_INVALID, "%s is damaged or truncated (SQLite: %s)", path,
				      sqlite3_errmsg(db));
		else
			rc = kerr_set(err, KE_INVALID, "%s is not a kyokun database (SQLite: %s)", path,
				      sqlite3_errmsg(db));
		goto out;
	}
	tables = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (tables != 2) {
		rc = kerr_set(err, KE_INVALID, "%s is an SQLite database but not kyokun's (it has no cases)", path);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		rc = kerr_set(err, KE_INVALID, "%s: cannot read its schema version (SQLite: %s)", path,
			      sqlite3_errmsg(db));
		goto out;
	}
	*version = sqlite3_column_int(s, 0);
	if (*version < 1)
		rc = kerr_set(err, KE_INVALID, "%s is not a kyokun database (schema version %d)", path, *version);
out:
	sqlite3_finalize(s);
	sqlite3_close_v2(db);
	return rc;
}

struct kstore_lock {
	sqlite3 *db;
};

static int in_use(const char *path, struct kerr *err)
{
	return kerr_set(err, KE_EXISTS, "database %s is in use by another process (a running `kyokun serve`, or "
			"another command): stop it first", path);
}

int ksqlite_file_lock(const char *path, struct kstore_lock **out, struct kerr *err)
{
	struct kstore_lock *lk = NULL;
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	*out = NULL;
	if (access(path, F_OK) != 0)
		return 0;
	if (!(lk = calloc(1, sizeof(*lk))))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (sqlite3_open_v2(path, &lk->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = kerr_set(err, KE_DB, "cannot open %s: %s", path, lk->db ? sqlite3_errmsg(lk->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(lk->db, 1);
	sqlite3_busy_timeout(lk->db, 0);
	/*
	 * Leaving WAL mode needs the database alone: it fails while any other
	 * connection has it open.  It also merges the write-ahead log into the
	 * file and removes the -wal and -shm files.
	 */
	r = sqlite3_prepare_v2(lk->db, "PRAGMA journal_mode = DELETE", -1, &s, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_step(s);
	if (r == SQLITE_ROW && sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "delete") != 0) {
		rc = in_use(path, err);
		goto out;
	}
	if (r != SQLITE_ROW) {
		r = sqlite3_extended_errcode(lk->db) & 0xff;
		if (r == SQLITE_BUSY || r == SQLITE_LOCKED) {
			rc = in_use(path, err);
		} else if (r == SQLITE_CORRUPT || r == SQLITE_NOTADB) {
			/* too damaged to be used by anyone: nothing to keep out */
			sqlite3_finalize(s);
			s = NULL;
			sqlite3_close_v2(lk->db);
			free(lk);
			return 0;
		} else {
			rc = kerr_set(err, KE_DB, "%s: %s", path, sqlite3_errmsg(lk->db));
		}
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* keep others out until the file is replaced */
	if (sqlite3_exec(lk->db, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
		r = sqlite3_extended_errcode(lk->db) & 0xff;
		rc = r == SQLITE_BUSY || r == SQLITE_LOCKED ? in_use(path, err) :
		     kerr_set(err, KE_DB, "%s: %s", path, sqlite3_errmsg(lk->db));
		goto out;
	}
out:
	sqlite3_finalize(s);
	if (rc) {
		ksqlite_file_unlock(lk);
		return rc;
	}
	*out = lk;
	return 0;
}

void ksqlite_file_unlock(struct kstore_lock *lk)
{
	if (!lk)
		return;
	if (lk->db) {
		sqlite3_exec(lk->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(lk->db);
	}
	free(lk);
}
