/*
 * kbuf.h - the one growable byte/string buffer of kyokun (after git's strbuf
 * and curl's dynbuf).
 *
 * A kbuf owns its memory.  buf is always NUL-terminated once anything was
 * added (use kbuf_str() to get "" for an empty buffer).  cap, when non-zero,
 * is a hard limit on len: additions beyond it fail with KE_TOOBIG and leave
 * the buffer unchanged.  Set a cap for anything read from outside.
 *
 *     struct kbuf b = KBUF_INIT;
 *     kbuf_setcap(&b, 1 << 20);
 *     if (kbuf_addf(&b, "%d cases", n) < 0) ...
 *     puts(kbuf_str(&b));
 *     kbuf_release(&b);
 */
#ifndef KYOKUN_KBUF_H
#define KYOKUN_KBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct kbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap; /* 0 = no limit */
};

#define KBUF_INIT { NULL, 0, 0, 0 }

void kbuf_init(struct kbuf *b, size_t cap);
void kbuf_setcap(struct kbuf *b, size_t cap);
/* Free the memory; the buffer is empty and reusable (cap is kept). */
void kbuf_release(struct kbuf *b);
/* Empty the buffer but keep its memory. */
void kbuf_reset(struct kbuf *b);
/* Hand the string to the caller (who frees it); the buffer becomes empty.
 * Never returns NULL unless out of memory. */
char *kbuf_detach(struct kbuf *b, size_t *len);
const char *kbuf_str(const struct kbuf *b);

/* All adders return 0, KE_NOMEM or KE_TOOBIG. */
int kbuf_grow(struct kbuf *b, size_t extra);
int kbuf_add(struct kbuf *b, const void *data, size_t len);
int kbuf_adds(struct kbuf *b, const char *s);
int kbuf_addch(struct kbuf *b, int c);
int kbuf_addf(struct kbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int kbuf_vaddf(struct kbuf *b, const char *fmt, va_list ap);
/* Shorten to len bytes (len <= b->len). */
void kbuf_setlen(struct kbuf *b, size_t len);
/* Remove trailing ASCII whitespace. */
void kbuf_rtrim(struct kbuf *b);

/*
 * Read a whole stream / file, failing with KE_TOOBIG past b->cap (if set).
 * kbuf_read_file names the file in its error message and reads regular files
 * only (a FIFO, device or directory is refused without waiting on it).
 */
struct kerr;
int kbuf_read_fp(struct kbuf *b, FILE *fp, struct kerr *err);
int kbuf_read_file(struct kbuf *b, const char *path, struct kerr *err);

#endif
