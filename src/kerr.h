/*
 * kerr.h - the one error convention of kyokun.
 *
 * Every function that can fail returns 0 on success or a negative KE_* code,
 * and, when given a non-NULL struct kerr, writes a human-readable message
 * into it.  Messages name the thing that failed (file, case id, field,
 * position) and what was expected.  Only main() turns them into exit codes.
 *
 *     struct kerr err = KERR_INIT;
 *     if (kstore_open(&st, path, &err) < 0)
 *             fprintf(stderr, "kyokun: %s\n", err.msg);
 */
#ifndef KYOKUN_KERR_H
#define KYOKUN_KERR_H

#include <stdarg.h>

enum {
	KE_OK = 0,
	KE_NOMEM = -1,    /* allocation failed */
	KE_IO = -2,       /* file or socket I/O failed */
	KE_PARSE = -3,    /* input is not well-formed (JSON, UTF-8, PDF, ...) */
	KE_INVALID = -4,  /* well-formed but refused by validation */
	KE_DB = -5,       /* the database refused (never shown raw to web users) */
	KE_NOTFOUND = -6, /* no such case, file, document */
	KE_USAGE = -7,    /* bad command line or query syntax */
	KE_TOOBIG = -8,   /* input exceeds a size cap */
	KE_EXISTS = -9,   /* would overwrite something that must not be */
	KE_AUTH = -10,    /* who is asking is not known: sign in first */
	KE_DENIED = -11,  /* known, but not allowed to */
	KE_UNSUPPORTED = -12, /* this build or machine cannot (a library missing, not built yet) */
};

struct kerr {
	int code;
	char msg[1024];
	/*
	 * What the message says, for a caller that words it in another language
	 * (the web's Japanese pages): a reason code of the module that set it
	 * (0: none given; query.h's KQERR_*), with its numbers and one word.
	 * kerr_set() clears it; kerr_why() sets it.
	 */
	int why;
	long num[2];
	char word[64];
};

#define KERR_INIT { 0, { 0 }, 0, { 0, 0 }, { 0 } }

/* Set err (if non-NULL) to code and a printf-style message; returns code. */
int kerr_set(struct kerr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kerr_vset(struct kerr *err, int code, const char *fmt, va_list ap);

/* Prefix the existing message with "prefix: " (e.g. a file name). Returns err->code. */
int kerr_prefix(struct kerr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Give err's message (just set) its reason: why, up to two numbers and a word
 * (may be NULL; cut at a character boundary to fit).  Returns code, so that
 *     return kerr_why(kerr_set(err, KE_USAGE, "..."), err, KQERR_X, 0, 0, NULL);
 * sets and returns in one statement.
 */
int kerr_why(int code, struct kerr *err, int why, long n0, long n1, const char *word);

void kerr_clear(struct kerr *err);

/* A short English name for a code ("out of memory", "parse error", ...). */
const char *kerr_name(int code);

#endif
