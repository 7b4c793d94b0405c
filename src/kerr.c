#include "kerr.h"

#include <stdio.h>
#include <string.h>

int kerr_vset(struct kerr *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		err->why = 0;
		err->num[0] = err->num[1] = 0;
		err->word[0] = '\0';
	}
	return code;
}

int kerr_set(struct kerr *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kerr_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int kerr_prefix(struct kerr *err, const char *fmt, ...)
{
	char pre[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t n = strlen(pre), m = strlen(old);

		if (n + 2 >= sizeof(err->msg))
			n = sizeof(err->msg) - 3;
		memcpy(err->msg, pre, n);
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		if (m > sizeof(err->msg) - 1 - n)
			m = sizeof(err->msg) - 1 - n;
		memcpy(err->msg + n, old, m);
		err->msg[n + m] = '\0';
	}
	return err->code;
}

int kerr_why(int code, struct kerr *err, int why, long n0, long n1, const char *word)
{
	size_t n;

	if (!err)
		return code;
	err->why = why;
	err->num[0] = n0;
	err->num[1] = n1;
	n = word ? strlen(word) : 0;
	if (n >= sizeof(err->word)) {
		n = sizeof(err->word) - 1;
		while (n > 0 && ((unsigned char)word[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 character */
	}
	if (n)
		memcpy(err->word, word, n);
	err->word[n] = '\0';
	return code;
}

void kerr_clear(struct kerr *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
		err->why = 0;
		err->num[0] = err->num[1] = 0;
		err->word[0] = '\0';
	}
}

const char *kerr_name(int code)
{
	switch (code) {
	case KE_OK: return "ok";
	case KE_NOMEM: return "out of memory";
	case KE_IO: return "I/O error";
	case KE_PARSE: return "parse error";
	case KE_INVALID: return "invalid input";
	case KE_DB: return "database error";
	case KE_NOTFOUND: return "not found";
	case KE_USAGE: return "usage error";
	case KE_TOOBIG: return "too large";
	case KE_EXISTS: return "already exists";
	case KE_AUTH: return "not signed in";
	case KE_DENIED: return "not allowed";
	case KE_UNSUPPORTED: return "not supported here";
	}
	return "error";
}
