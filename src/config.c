/*
 * config.c - the configuration file of `kyokun serve`: strict "key = value"
 * lines, every problem named by file and line (config.h).
 */
#include "config.h"
#include "grow.h"
#include "http.h"
#include "kerr.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind { K_PATH, K_LISTEN, K_NUMBER, K_BOOL, K_DURATION };

static const struct keydef {
	const char *name;
	enum kind kind;
	long min, max; /* K_NUMBER: range; K_DURATION: min is the unit */
	const char *unit_name;
} keys[KCONF_NKEYS] = {
	[KCONF_LISTEN] = { "listen", K_LISTEN, 0, 0, NULL },
	[KCONF_DB] = { "db", K_PATH, 0, 0, NULL },
	[KCONF_TLS_CERT] = { "tls-cert", K_PATH, 0, 0, NULL },
	[KCONF_TLS_KEY] = { "tls-key", K_PATH, 0, 0, NULL },
	[KCONF_THREADS] = { "threads", K_NUMBER, 1, 256, NULL },
	[KCONF_MAX_PER_IP] = { "max-per-ip", K_NUMBER, 1, KHTTP_MAX_CONNECTIONS, NULL },
	[KCONF_BEHIND_PROXY] = { "behind-proxy", K_BOOL, 0, 0, NULL },
	[KCONF_ACCESS_LOG] = { "access-log", K_PATH, 0, 0, NULL }, /* a file, or - for stderr */
	[KCONF_NO_CACHE] = { "no-cache", K_BOOL, 0, 0, NULL },
	[KCONF_CACHE_SIZE] = { "cache-size", K_NUMBER, 1, KHTTP_CACHE_MB_MAX, NULL }, /* MiB */
	[KCONF_SESSION_IDLE] = { "session-idle", K_DURATION, 60, 0, "minutes" },
	[KCONF_SESSION_MAX] = { "session-max", K_DURATION, 3600, 0, "hours" },
};

const char *kconfig_key_name(enum kconfig_key k)
{
	return (unsigned)k < KCONF_NKEYS ? keys[k].name : "?";
}

int kconfig_key_find(const char *name)
{
	for (int k = 0; k < KCONF_NKEYS; k++)
		if (!strcmp(keys[k].name, name))
			return k;
	return -1;
}

int kconfig_duration(const char *s, long unit, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -1;
	if (end != s && *end && !end[1]) {
		switch (*end) {
		case 's': unit = 1; end++; break;
		case 'm': unit = 60; end++; break;
		case 'h': unit = 3600; end++; break;
		}
	}
	if (end == s || *end || v < 1 || v > 366L * 24 * 3600 / unit)
		return -1;
	*out = v * unit;
	return 0;
}

int kconfig_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!strcmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Add "path:line: message" to cf's problems: 0 or KE_NOMEM. */
static int problem(struct kconfig *cf, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int problem(struct kconfig *cf, const char *path, int line, const char *fmt, ...)
{
	char msg[600], *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (KGROW(cf->problems, cf->aproblems, cf->nproblems + 1) < 0)
		return KE_NOMEM;
	n = line > 0 ? snprintf(NULL, 0, "%s:%d: %s", path, line, msg) : snprintf(NULL, 0, "%s: %s", path, msg);
	if (!(p = malloc((size_t)n + 1)))
		return KE_NOMEM;
	if (line > 0)
		snprintf(p, (size_t)n + 1, "%s:%d: %s", path, line, msg);
	else
		snprintf(p, (size_t)n + 1, "%s: %s", path, msg);
	cf->problems[cf->nproblems++] = p;
	return 0;
}

/*
 * Check value for key k and keep it in cf: 0 (a bad value is a problem of
 * the line), or KE_NOMEM.
 */
static int set_value(struct kconfig *cf, const char *path, int line, int k, const char *value)
{
	const struct keydef *d = &keys[k];
	struct kerr err = KERR_INIT;
	struct sockaddr_storage ss;
	unsigned sslen;
	long num = 0;
	char *end;
	int b;

	switch (d->kind) {
	case K_PATH:
		break;
	case K_LISTEN:
		if (khttp_parse_listen(value, &ss, &sslen, &err) < 0)
			/* its message starts "--listen VALUE: ..." */
			return problem(cf, path, line, "listen: %s",
				       strncmp(err.msg, "--listen ", 9) ? err.msg : err.msg + 9);
		break;
	case K_NUMBER:
		errno = 0;
		num = strtol(value, &end, 10);
		if (*value < '0' || *value > '9' || *end || errno || num < d->min || num > d->max)
			return problem(cf, path, line, "%s: expected a number from %ld to %ld, not \"%.100s\"",
				       d->name, d->min, d->max, value);
		break;
	case K_BOOL:
		if (kconfig_bool(value, &b) < 0)
			return problem(cf, path, line, "%s: expected yes or no (true/false, on/off, 1/0), not \"%.100s\"",
				       d->name, value);
		num = b;
		break;
	case K_DURATION:
		if (kconfig_duration(value, d->min, &num) < 0)
			return problem(cf, path, line,
				       "%s: expected a number of %s (or Ns, Nm, Nh), at most a year, not \"%.100s\"",
				       d->name, d->unit_name, value);
		break;
	}
	if (!(cf->set[k].value = strdup(value)))
		return KE_NOMEM;
	cf->set[k].num = num;
	return 0;
}

/* One line (NUL-terminated, without its end): 0 or KE_NOMEM. */
static int parse_line(struct kconfig *cf, const char *path, int line, char *s, size_t len)
{
	char *key, *value, *eq, *e;
	int k;

	if (!kutf8_valid(s, len))
		return problem(cf, path, line, "not valid UTF-8");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return problem(cf, path, line, "a control character (byte 0x%02x)", (unsigned char)s[i]);
		else if (s[i] == 0x7f)
			return problem(cf, path, line, "a control character (byte 0x7f)");
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#')
		return 0;
	if (!(eq = strchr(s, '=')))
		return problem(cf, path, line, "expected \"key = value\"");
	key = s;
	for (e = eq; e > key && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = 0;
	value = eq + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	for (e = value + strlen(value); e > value && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = 0;
	if (!*key)
		return problem(cf, path, line, "expected \"key = value\": no key before '='");
	if ((k = kconfig_key_find(key)) < 0) {
		char known[256] = "";
		size_t n = 0;

		for (int i = 0; i < KCONF_NKEYS && n < sizeof(known); i++)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "", keys[i].name);
		return problem(cf, path, line, "unknown key \"%.100s\" (the keys are %s)", key, known);
	}
	if (cf->set[k].line)
		return problem(cf, path, line, "%s is set twice (first on line %d)", key, cf->set[k].line);
	cf->set[k].line = line; /* seen, even when its value is refused */
	if (!*value)
		return problem(cf, path, line, "%s: no value after '='", key);
	for (e = value; *e; e++)
		if (*e == '#' && (e[-1] == ' ' || e[-1] == '\t'))
			return problem(cf, path, line, "%s: a comment must be on a line of its own", key);
	return set_value(cf, path, line, k, value);
}

int kconfig_parse(struct kconfig *cf, const char *path, const char *text, size_t len, struct kerr *err)
{
	char buf[KCONFIG_MAX_LINE + 1];
	size_t i = 0;
	int line = 0, rc = 0;

	if (!(cf->path = strdup(path)))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) /* a byte-order mark */
		i = 3;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		line++;
		if (n && text[i + n - 1] == '\r')
			n--;
		if (memchr(text + i, 0, n)) {
			rc = problem(cf, path, line, "a NUL byte");
		} else if (n > KCONFIG_MAX_LINE) {
			rc = problem(cf, path, line, "longer than %d bytes", KCONFIG_MAX_LINE);
		} else {
			memcpy(buf, text + i, n);
			buf[n] = 0;
			rc = parse_line(cf, path, line, buf, n);
		}
		if (rc < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
		i += nl ? (size_t)(nl - (text + i)) + 1 : len - i;
	}
	/* tls-cert and tls-key go together */
	if (!cf->set[KCONF_TLS_CERT].line != !cf->set[KCONF_TLS_KEY].line) {
		int given = cf->set[KCONF_TLS_CERT].line ? KCONF_TLS_CERT : KCONF_TLS_KEY;

		if (problem(cf, path, cf->set[given].line, "%s without %s: they go together", keys[given].name,
			    keys[given == KCONF_TLS_CERT ? KCONF_TLS_KEY : KCONF_TLS_CERT].name) < 0)
			return kerr_set(err, KE_NOMEM, "out of memory");
	}
	return 0;
}

int kconfig_check_owner(const char *path, const struct stat *st, uid_t euid, struct kerr *err)
{
	if (st->st_mode & S_IWOTH)
		return kerr_set(err, KE_DENIED,
				"%s: refused: anyone may write to it (mode %04o); make it writable by its owner only "
				"(chmod o-w %s)",
				path, (unsigned)(st->st_mode & 07777), path);
	if (st->st_uid != 0 && st->st_uid != euid)
		return kerr_set(err, KE_DENIED,
				"%s: refused: it belongs to user id %ld, neither root nor the user running kyokun (%ld)",
				path, (long)st->st_uid, (long)euid);
	return 0;
}

int kconfig_load(struct kconfig *cf, const char *path, struct kerr *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return kerr_set(err, errno == ENOENT ? KE_NOTFOUND : KE_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = kerr_set(err, KE_INVALID, "%s: not a regular file", path);
		goto out;
	}
	if ((rc = kconfig_check_owner(path, &st, geteuid(), err)) < 0)
		goto out;
	if (st.st_size > KCONFIG_MAX_SIZE) {
		rc = kerr_set(err, KE_TOOBIG, "%s: larger than %d KiB: not a configuration file", path,
			      KCONFIG_MAX_SIZE / 1024);
		goto out;
	}
	if (!(text = malloc(KCONFIG_MAX_SIZE + 1))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	while (len <= KCONFIG_MAX_SIZE && (n = read(fd, text + len, KCONFIG_MAX_SIZE + 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = kerr_set(err, KE_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > KCONFIG_MAX_SIZE) {
		rc = kerr_set(err, KE_TOOBIG, "%s: larger than %d KiB: not a configuration file", path,
			      KCONFIG_MAX_SIZE / 1024);
		goto out;
	}
	rc = kconfig_parse(cf, path, text, len, err);
out:
	free(text);
	close(fd);
	return rc;
}

int kconfig_load_default(struct kconfig *cf, const char *path, struct kerr *err)
{
	int rc;

	if (path)
		return kconfig_load(cf, path, err);
	rc = kconfig_load(cf, KCONFIG_DEFAULT, err);
	if (rc == KE_NOTFOUND) {
		kerr_clear(err);
		return 0;
	}
	return rc;
}

void kconfig_free(struct kconfig *cf)
{
	free(cf->path);
	for (int k = 0; k < KCONF_NKEYS; k++)
		free(cf->set[k].value);
	for (size_t i = 0; i < cf->nproblems; i++)
		free(cf->problems[i]);
	free(cf->problems);
	memset(cf, 0, sizeof(*cf));
}
