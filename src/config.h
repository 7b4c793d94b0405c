/*
 * config.h - the configuration file of `kyokun serve`
 * (/etc/kyokun/kyokun.conf, or serve --config FILE).
 *
 * One setting a line, "key = value"; blank lines and lines whose first
 * non-blank character is '#' are ignored (a comment is on a line of its
 * own).  The keys are the long options of serve (listen, db, tls-cert,
 * tls-key, threads, max-per-ip, behind-proxy, access-log, no-cache,
 * session-idle, session-max); booleans are yes/no, true/false, on/off or
 * 1/0.  Parsing is strict: an unknown key, a bad value, a key given twice or
 * a line that is not "key = value" is a problem naming the file and the
 * line, and serve refuses to start with any.  Command-line options win over
 * the file.
 *
 * The file must not be writable by everyone nor owned by another user than
 * root or the one running kyokun (whoever could write it could point the
 * server at another database or certificate); being readable by everyone is
 * fine.
 */
#ifndef KYOKUN_CONFIG_H
#define KYOKUN_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

struct kerr;
struct stat;

#define KCONFIG_DEFAULT "/etc/kyokun/kyokun.conf" /* read by serve when it exists */
#define KCONFIG_MAX_SIZE (64 * 1024)              /* a larger file is refused */
#define KCONFIG_MAX_LINE 4096                     /* bytes in one line */

enum kconfig_key {
	KCONF_LISTEN,
	KCONF_DB,
	KCONF_TLS_CERT,
	KCONF_TLS_KEY,
	KCONF_THREADS,
	KCONF_MAX_PER_IP,
	KCONF_BEHIND_PROXY,
	KCONF_ACCESS_LOG,
	KCONF_NO_CACHE,
	KCONF_CACHE_SIZE,
	KCONF_SESSION_IDLE,
	KCONF_SESSION_MAX,
	KCONF_NKEYS
};

/* One key's setting in the file. */
struct kconfig_setting {
	char *value; /* as written (blanks around it removed), or NULL: not in the file */
	long num;    /* numbers; durations in seconds; booleans 0 or 1 */
	int line;    /* its line in the file (0: not in the file; value is NULL when refused) */
};

struct kconfig {
	char *path;                                 /* the file read, or NULL */
	struct kconfig_setting set[KCONF_NKEYS];
	char **problems;                            /* "FILE:LINE: what is wrong", as found */
	size_t nproblems, aproblems;
};

#define KCONFIG_INIT { 0 }

/* The key's name ("tls-cert"), and the key of a name (-1: no such key). */
const char *kconfig_key_name(enum kconfig_key k);
int kconfig_key_find(const char *name);

/*
 * Parse len bytes of text as the contents of the file path (for messages)
 * into cf (KCONFIG_INIT or freed).  What is wrong goes into cf->problems and
 * the good lines are still read.  0, or KE_NOMEM.
 */
int kconfig_parse(struct kconfig *cf, const char *path, const char *text, size_t len, struct kerr *err);

/*
 * Read and parse the file path: 0 (problems in cf->problems, as
 * kconfig_parse), or a negative KE_* code with a message when it cannot be
 * read (KE_NOTFOUND: it does not exist), is not a regular file, is too big,
 * or has permissions kconfig_check_owner() refuses (KE_DENIED).
 */
int kconfig_load(struct kconfig *cf, const char *path, struct kerr *err);

/*
 * May a process running as euid trust a file with this status?  0, or
 * KE_DENIED with a message when it is writable by everyone or owned by
 * another user than root and euid.
 */
int kconfig_check_owner(const char *path, const struct stat *st, uid_t euid, struct kerr *err);

/*
 * The file serve reads: path (--config), or when path is NULL
 * KCONFIG_DEFAULT if it exists (else 0 with cf->path NULL: no file, the
 * defaults).  As kconfig_load otherwise.
 */
int kconfig_load_default(struct kconfig *cf, const char *path, struct kerr *err);

void kconfig_free(struct kconfig *cf);

/*
 * Values, the same on the command line and in the file:
 * kconfig_duration: N in unit seconds (60: minutes, 3600: hours), or N
 *   followed by s, m or h; 1 second to a year.  0 and *out in seconds, or -1.
 * kconfig_bool: yes/no, true/false, on/off, 1/0.  0 and *out, or -1.
 */
int kconfig_duration(const char *s, long unit, long *out);
int kconfig_bool(const char *s, int *out);

#endif
