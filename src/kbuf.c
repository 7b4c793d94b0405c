#include "kbuf.h"
#include "grow.h"
#include "kerr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kbuf_init(struct kbuf *b, size_t cap)
{
	b->buf = NULL;
	b->len = b->alloc = 0;
	b->cap = cap;
}

void kbuf_setcap(struct kbuf *b, size_t cap)
{
	b->cap = cap;
}

void kbuf_release(struct kbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
}

void kbuf_reset(struct kbuf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

char *kbuf_detach(struct kbuf *b, size_t *len)
{
	char *s = b->buf;

	if (!s) {
		s = calloc(1, 1);
		if (len)
			*len = 0;
		return s;
	}
	if (len)
		*len = b->len;
	b->buf = NULL;
	b->len = b->alloc = 0;
	return s;
}

const char *kbuf_str(const struct kbuf *b)
{
	return b->buf ? b->buf : "";
}

int kbuf_grow(struct kbuf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		return KE_TOOBIG;
	if (b->cap && b->len + extra > b->cap)
		return KE_TOOBIG;
	return KGROW(b->buf, b->alloc, b->len + extra + 1);
}

int kbuf_add(struct kbuf *b, const void *data, size_t len)
{
	int rc = kbuf_grow(b, len);

	if (rc < 0)
		return rc;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int kbuf_adds(struct kbuf *b, const char *s)
{
	return kbuf_add(b, s, strlen(s));
}

int kbuf_addch(struct kbuf *b, int c)
{
	char ch = (char)c;

	return kbuf_add(b, &ch, 1);
}

int kbuf_vaddf(struct kbuf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return KE_INVALID;
	rc = kbuf_grow(b, (size_t)n);
	if (rc < 0)
		return rc;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int kbuf_addf(struct kbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = kbuf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void kbuf_setlen(struct kbuf *b, size_t len)
{
	if (len > b->len || !b->buf)
		return;
	b->len = len;
	b->buf[len] = '\0';
}

void kbuf_rtrim(struct kbuf *b)
{
	while (b->len && (b->buf[b->len - 1] == ' ' || b->buf[b->len - 1] == '\t' ||
			  b->buf[b->len - 1] == '\n' || b->buf[b->len - 1] == '\r'))
		b->len--;
	if (b->buf)
		b->buf[b->len] = '\0';
}

int kbuf_read_fp(struct kbuf *b, FILE *fp, struct kerr *err)
{
	char tmp[65536];
	size_t n;
	int rc;

	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0) {
		rc = kbuf_add(b, tmp, n);
		if (rc == KE_TOOBIG)
			return kerr_set(err, rc, "larger than the limit of %zu bytes", b->cap);
		if (rc < 0)
			return kerr_set(err, rc, "out of memory");
	}
	if (ferror(fp))
		return kerr_set(err, KE_IO, "read failed: %s", strerror(errno));
	if (!b->buf)
		return kbuf_grow(b, 0) < 0 ? kerr_set(err, KE_NOMEM, "out of memory") : (b->buf[0] = '\0', 0);
	return 0;
}

int kbuf_read_file(struct kbuf *b, const char *path, struct kerr *err)
{
	struct stat st;
	FILE *fp;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer; checked on the open file */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return kerr_set(err, KE_IO, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory, not a file" :
				"not a regular file");
	}
	if (b->cap && (unsigned long long)st.st_size > b->cap) {
		close(fd);
		return kerr_set(err, KE_TOOBIG, "%s: %lld bytes is larger than the limit of %zu bytes",
				path, (long long)st.st_size, b->cap);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	fp = fdopen(fd, "rb");
	if (!fp) {
		rc = kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	rc = kbuf_read_fp(b, fp, err);
	fclose(fp);
	if (rc < 0)
		kerr_prefix(err, "%s", path);
	return rc;
}
