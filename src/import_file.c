/*
 * import_file.c - reading the file of a report for the importer (see
 * import.h): only regular files (or standard input when asked for with
 * "-"), within the size limits, and not one byte of binary garbage more
 * than needed to see that it is no report text.
 */
#include "import.h"
#include "kbuf.h"
#include "kerr.h"
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* What a file that is not a regular one is, for the message. */
static const char *file_type(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

/*
 * Open path when it is a regular file.  The file is opened without blocking
 * (a FIFO would wait for a writer) and checked again on the descriptor, in
 * case it was replaced after stat().
 */
static int open_regular(const char *path, struct stat *st, struct kerr *err)
{
	int fd, fl;

	if (stat(path, st) < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st->st_mode))
		return kerr_set(err, KE_IO, "%s: is a directory, not a file", path);
	if (!S_ISREG(st->st_mode))
		goto notreg;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
	    (fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		close(fd);
		goto notreg;
	}
	return fd;
notreg:
	return kerr_set(err, KE_INVALID, "%s: not a regular file (%s); give - to read standard input",
			path, file_type(st->st_mode));
}

int kimport_read_file(const char *path, struct kbuf *out, struct kerr *err)
{
	struct stat st;
	size_t limit = KIMPORT_MAX_PDF;
	int fd, rc = 0, pdf = ends_with(path, ".pdf"), decided = 0;
	int use_stdin = !strcmp(path, "-");

	if (use_stdin) {
		fd = STDIN_FILENO;
		if (fstat(fd, &st) < 0)
			return kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
	} else if ((fd = open_regular(path, &st, err)) < 0) {
		return fd;
	}
	for (;;) {
		ssize_t n;

		if ((rc = kbuf_grow(out, CHUNK)) < 0) {
			rc = rc == KE_TOOBIG ? kerr_set(err, rc, "%s: larger than the limit of %zu bytes", path, out->cap)
					     : kerr_set(err, rc, "%s: out of memory", path);
			goto out;
		}
		n = read(fd, out->buf + out->len, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = kerr_set(err, KE_IO, "%s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (!decided && (out->len + (size_t)n >= 5 || n == 0)) {
			/* the first bytes say whether it is a PDF or text */
			pdf = pdf || kpdf_sniff(out->buf, out->len + (size_t)n);
			limit = pdf ? KIMPORT_MAX_PDF : KIMPORT_MAX_TEXT;
			decided = 1;
			if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > limit) {
				rc = kerr_set(err, KE_TOOBIG, "%s: %lld bytes is larger than the limit of %zu bytes",
					      path, (long long)st.st_size, limit);
				goto out;
			}
			/* one allocation for a regular file */
			if (S_ISREG(st.st_mode) && !out->cap && kbuf_grow(out, (size_t)st.st_size + CHUNK) < 0) {
				rc = kerr_set(err, KE_NOMEM, "%s: out of memory", path);
				goto out;
			}
		}
		if (n == 0)
			break;
		if (!pdf) {
			/* text: stop at the first NUL, there is no report in binary data */
			const char *nul = memchr(out->buf + out->len, '\0', (size_t)n);

			if (nul) {
				rc = kerr_set(err, KE_PARSE,
					      "%s: binary data (a NUL byte at offset %zu), not report text",
					      path, (size_t)(nul - out->buf));
				goto out;
			}
		}
		if (out->len + (size_t)n > limit) {
			rc = kerr_set(err, KE_TOOBIG, "%s: larger than the limit of %zu bytes", path, limit);
			goto out;
		}
		out->len += (size_t)n;
	}
	out->buf[out->len] = '\0';
out:
	if (!use_stdin)
		close(fd);
	if (rc < 0)
		kbuf_release(out);
	return rc;
}
