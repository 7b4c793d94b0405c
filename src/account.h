/*
 * account.h - the people who sign in to kyokun (model layer): organisations,
 * users, API tokens and the audit log as values, and the rules about them
 * that need no database: names and logins checked, the password policy,
 * argon2id password hashes, random secrets and their SHA-256 hashes, UTC
 * times as text.  Storing them is store_account.h.
 *
 * Lifetime: a zeroed struct (= {0}) is empty; the *_free() functions free
 * the strings a struct owns (every char * member) and zero it again, so a
 * struct can be filled again after.  Strings are UTF-8, NULL when absent.
 *
 * Times are UTC ISO 8601 to the second, "2026-12-03T20:56:12Z" (20 bytes
 * and a NUL: KTIME_LEN + 1); they sort and compare as text.
 *
 * Secrets (session ids, CSRF tokens, API tokens) are 256 random bits from
 * getrandom(), written as 43 base64url characters; only their SHA-256
 * (ksecret_hash, 64 hex digits) is ever stored.
 */
#ifndef KYOKUN_ACCOUNT_H
#define KYOKUN_ACCOUNT_H

#include <stddef.h>
#include <time.h>

#include "reader.h"

struct kerr;

/* ---- organisations and sectors ----------------------------------------- */

enum korg_kind {
	KORG_OPERATOR = 0, /* 事業者: an operator in a sector */
	KORG_MINISTRY,     /* 所管省庁: the ministry responsible for sectors */
	KORG_CENTRE,       /* the national centre (analysts, publishers, admins) */
	KORG_OTHER,
	KORG__N
};

/* "operator", "ministry", "centre", "other"; NULL out of range. */
const char *korg_kind_name(enum korg_kind kind);
/* The kind named s, or -1. */
int korg_kind_parse(const char *s);

/*
 * The 15 critical-infrastructure sectors, by the tag cases carry in
 * tags.sectors (classify.h): "telecom", "finance", "aviation", "airport",
 * "railway", "electricity", "gas", "government", "medical", "water",
 * "logistics", "chemical", "credit", "petroleum", "port" (in the order of
 * the national cybersecurity policy's list).
 */
#define KSECTOR_N 15
extern const char *const ksector_tags[KSECTOR_N];
/* The tag of a sector given by tag or by Japanese name ("電力" -> "electricity"); NULL if none. */
const char *ksector_parse(const char *s);
/* The Japanese name of a tag ("electricity" -> "電力"); NULL if not a sector tag. */
const char *ksector_label_ja(const char *tag);

#define KORG_NAME_MAX 100 /* characters (code points) */

struct korg {
	long long id;                             /* 0 until stored */
	char *name;                               /* unique */
	enum korg_kind kind;
	char *sectors[KREADER_MAX_SECTORS];       /* sector tags, each at most once */
	size_t nsectors;
	char *created;                            /* set by the store */
};

void korg_free(struct korg *o);
/* Add a sector (by tag or Japanese name) to o: KE_INVALID unknown, KE_EXISTS already there. */
int korg_add_sector(struct korg *o, const char *sector, struct kerr *err);
/* Is o as the store accepts it: its name (korg_name_check), kind, sectors?  0 or KE_INVALID. */
int korg_check(const struct korg *o, struct kerr *err);

/* ---- users -------------------------------------------------------------- */

#define KLOGIN_MAX 64          /* bytes: [a-z0-9._-], starting with a letter or digit */
#define KDISPLAY_NAME_MAX 100  /* characters */
#define KEMAIL_MAX 254         /* bytes */

struct kuser {
	long long id;              /* 0 until stored */
	char *login;
	char *display_name;        /* may be NULL or "" */
	char *email;               /* may be NULL or "" */
	long long org_id;          /* 0: no organisation */
	char *org;                 /* the organisation's name (filled by the store), or NULL */
	enum krole role;
	int disabled;              /* cannot sign in, its tokens and sessions do nothing */
	char *password;            /* argon2id encoded hash, or NULL: cannot sign in with a password */
	char *created, *updated;   /* set by the store */
};

void kuser_free(struct kuser *u);

/*
 * The checks of one field each: 0, or KE_INVALID with a message naming the
 * field and what is expected (in English; the web may say it in Japanese
 * from the code and field).  Text must be valid UTF-8 without control
 * characters.
 *   login: 1..KLOGIN_MAX of [a-z0-9._-], starting with a letter or digit;
 *   org name: 1..KORG_NAME_MAX characters, not only spaces;
 *   display name: 0..KDISPLAY_NAME_MAX characters;
 *   email: empty, or up to KEMAIL_MAX bytes "local@domain" without spaces.
 */
int klogin_check(const char *login, struct kerr *err);
int korg_name_check(const char *name, struct kerr *err);
int kdisplay_name_check(const char *name, struct kerr *err);
int kemail_check(const char *email, struct kerr *err);

/*
 * Can u have this role in org (NULL: no organisation)?  0 or KE_INVALID:
 *   reporter: an organisation is needed, an operator or "other" one;
 *   liaison: an organisation is needed, a ministry with at least one sector;
 *   analyst, publisher, admin: any organisation or none.
 * Also checks u's login, display name, email and role.
 */
int kuser_check(const struct kuser *u, const struct korg *org, struct kerr *err);

/*
 * The reader (reader.h) a signed-in user is: kind KREADER_USER, its id,
 * login, organisation (id, name and sectors) and role, caps from
 * krole_caps().  h owns copies of the strings r points to, so it outlives
 * u and org.  KE_DENIED for a disabled user, KE_NOMEM.  kreader_hold_free()
 * frees it (a zeroed hold is empty).
 */
struct kreader_hold {
	struct kreader r;
	char *login;
	char *org;
	char *sectors[KREADER_MAX_SECTORS];
};
int kuser_reader(const struct kuser *u, const struct korg *org, struct kreader_hold *h, struct kerr *err);
void kreader_hold_free(struct kreader_hold *h);

/* ---- passwords ---------------------------------------------------------- */

#define KPASSWORD_MIN 12   /* characters (code points) */
#define KPASSWORD_MAX 1024 /* bytes: more is refused before hashing */

/*
 * The password policy: valid UTF-8 without control characters, at least
 * KPASSWORD_MIN characters and at most KPASSWORD_MAX bytes, not on the
 * built-in list of common passwords (compared without case), and not
 * containing login (without case; login may be NULL).  0 or KE_INVALID
 * with a message saying which rule.
 */
int kpassword_check(const char *pw, const char *login, struct kerr *err);

/*
 * Hash pw with argon2id (m = 19456 KiB, t = 2, p = 1, a 16-byte random salt,
 * 32-byte hash) into *encoded, the PHC string "$argon2id$v=19$m=19456,t=2,
 * p=1$salt$hash" (malloc'ed, caller frees).  About 30 ms.  Does not apply
 * the policy (kpassword_check does).  0, KE_NOMEM, KE_INVALID (too long).
 */
int kpassword_hash(const char *pw, char **encoded, struct kerr *err);
/*
 * 1 if pw matches encoded (the parameters are read from encoded, so hashes
 * made with other parameters keep working), else 0 (also for NULL or a
 * malformed encoded).
 */
int kpassword_verify(const char *encoded, const char *pw);
/*
 * A fixed hash of a random password with the current parameters, made on
 * first use: verify against it when there is no such user (or no password),
 * so that the answer takes as long whether or not the account exists.
 */
const char *kpassword_dummy(void);

/* ---- secrets, tokens, hashes -------------------------------------------- */

#define KSECRET_LEN 43 /* base64url characters of 256 bits */
#define KHASH_LEN 64   /* hex digits of a SHA-256 */

/* 256 bits from getrandom() as KSECRET_LEN base64url characters and a NUL.  0 or KE_IO. */
int ksecret_new(char out[KSECRET_LEN + 1], struct kerr *err);
/* SHA-256 of the string s, as KHASH_LEN lower-case hex digits and a NUL.  0 or KE_NOMEM. */
int ksecret_hash(const char *s, char out[KHASH_LEN + 1]);
/* Compare two strings in time that depends only on their lengths: 1 equal, 0 not. */
int ksecret_equal(const char *a, const char *b);

/*
 * An API token as given to its user: "kyk_" and a new secret (KTOKEN_LEN
 * characters).  Stored as ksecret_hash() of the whole string; its first
 * KTOKEN_PREFIX_LEN characters are kept in clear so lists can tell tokens
 * apart.  A bearer token is looked up by the hash of what was sent.
 */
#define KTOKEN_PREFIX "kyk_"
#define KTOKEN_LEN (4 + KSECRET_LEN)
#define KTOKEN_PREFIX_LEN 10
#define KTOKEN_NAME_MAX 100 /* characters */
int ktoken_new(char out[KTOKEN_LEN + 1], struct kerr *err);
/* Could s be a token (the prefix, then KSECRET_LEN base64url characters)?  1 or 0. */
int ktoken_wellformed(const char *s);
/* A token's name: 0..KTOKEN_NAME_MAX characters of text.  0 or KE_INVALID. */
int ktoken_name_check(const char *name, struct kerr *err);

struct ktoken {
	long long id;
	long long user_id;
	char *login;     /* the user's (filled by the store) */
	char *name;      /* what the user called it, may be "" */
	char *prefix;    /* its first KTOKEN_PREFIX_LEN characters */
	char *created;
	char *expires;   /* NULL: never */
	char *used;      /* last use (kstore_token_used), or NULL */
	char *revoked;   /* when, or NULL */
};

void ktoken_free(struct ktoken *t);

/* ---- time --------------------------------------------------------------- */

#define KTIME_LEN 20

/* t as "2026-12-03T20:56:12Z". */
void ktime_iso(time_t t, char out[KTIME_LEN + 1]);
/* The current time so. */
void ktime_now(char out[KTIME_LEN + 1]);
/*
 * Parse a UTC time: "2026-12-03T20:56:12Z", "2026-12-03T20:56:12",
 * "2026-12-03 20:56", "2026-12-03T20:56" or a date "2026-12-03" (midnight).
 * 0, or KE_PARSE.
 */
int ktime_parse(const char *s, time_t *t);
/*
 * A point in time as the command line gives it: what ktime_parse() reads,
 * or an age before now, "30m", "24h", "7d", "2w" (minutes, hours, days,
 * weeks).  0, or KE_USAGE with a message.
 */
int ktime_since(const char *s, time_t now, time_t *t, struct kerr *err);

/* ---- the audit log ------------------------------------------------------ */

/*
 * One entry.  action is a dotted name (the store writes the first group
 * itself, the web the second):
 *   case.add, case.update, case.delete        object "case:ID"
 *   org.add                                   object "org:NAME"
 *   user.add, user.password, user.role, user.disable, user.enable,
 *   user.update (display name, email, organisation)  object "user:LOGIN"
 *   token.create, token.revoke                object "token:ID", detail the login
 *   signin, signin.failure, signout, signout.all      (written by the web)
 * detail is free text (e.g. "reporter -> analyst").
 */
struct kaudit {
	long long id;
	char *at;
	long long user_id;  /* the actor's user id, 0 when not a user (the command line) */
	char *actor;        /* a login, or "local:OSUSER" for the command line */
	char *address;      /* the client's address, or "cli" */
	char *action;
	char *object;
	char *detail;
};

void kaudit_free(struct kaudit *a);

#endif
