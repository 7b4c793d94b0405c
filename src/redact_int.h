/*
 * redact_int.h - private to the anonymisation checks (redact.c: fields,
 * overlaps, labels, apply; redact_scan.c: addresses of every kind;
 * redact_names.c: organisations and persons; redact_reid.c: combinations
 * that re-identify).  Scanners work on a field's text decoded into code
 * points and normalised one for one (full-width ASCII to ASCII, the
 * ideographic space to a space, half-width katakana to full-width, dashes
 * to '-'), so that an offset in the normalised text is an offset in the
 * original.  Every scanner is linear in the text (times the fixed lists).
 */
#ifndef KYOKUN_REDACT_INT_H
#define KYOKUN_REDACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "redact.h"

/* A candidate finding in one field: code points [s, e). */
struct rcand {
	int kind;
	size_t s, e;
	int prio;         /* lower wins an overlap */
	int name_id;      /* KFIND_NAME: which organisation (labels), else -1 */
	const char *label; /* a fixed label (static), or NULL (names: computed; reid: none) */
	char *suggestion; /* owned, or NULL */
};

struct rcands {
	struct rcand *v;
	size_t n, alloc;
};

int rcands_add(struct rcands *l, int kind, size_t s, size_t e, const char *label, char *suggestion);
void rcands_free(struct rcands *l);

/* One text of the case, decoded. */
struct rfield {
	const char *name;  /* "title", "summary[0]", ... (owned by the field list) */
	const char *text;  /* UTF-8 (the case's) */
	uint32_t *cp;      /* the code points as they are */
	uint32_t *u;       /* normalised one for one */
	size_t *boff;      /* byte offset of each code point, n + 1 entries */
	size_t n;
};

/* ---- character classes (on normalised code points) ---- */
static inline int r_digit(uint32_t c) { return c >= '0' && c <= '9'; }
static inline int r_alpha(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int r_alnum(uint32_t c) { return r_digit(c) || r_alpha(c); }
static inline int r_kanji(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       c == 0x3005 || c == 0x3006 || c == 0x30F6 || c == 0x30F5;
}
static inline int r_kata(uint32_t c) { return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC; }
static inline int r_hira(uint32_t c) { return c >= 0x3041 && c <= 0x3096; }
static inline int r_space(uint32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static inline uint32_t r_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* c normalised (full-width ASCII, half-width katakana, spaces, dashes). */
uint32_t kredact_norm(uint32_t c);
/* Does u[i..) start with the UTF-8 literal lit (ASCII letters case-insensitively)?  Its length in code points, or 0. */
size_t r_at(const uint32_t *u, size_t n, size_t i, const char *lit);
/* Does u[..i) end with lit?  Its length, or 0. */
size_t r_before(const uint32_t *u, size_t i, const char *lit);
/* A copy of u[s, e) as UTF-8 (original code points: cp), or NULL. */
char *r_utf8(const uint32_t *cp, size_t s, size_t e);

/* redact_scan.c: e-mail, URL, domain, IPv4, IPv6, telephone, postal address. */
int rscan_addresses(const struct rfield *f, struct rcands *out);

/* redact_names.c: organisations (names prepared once per check) and persons. */
struct rnames;
int rnames_new(const struct kstrv *names, const char *owner, struct rnames **out);
void rnames_free(struct rnames *rn);
int rscan_orgs(const struct rnames *rn, const struct rfield *f, struct rcands *out);
int rscan_persons(const struct rfield *f, struct rcands *out);
/* Is the kanji run u[s, e) one of the common family names?  (for tests and reid) */
int rfamily_name(const uint32_t *u, size_t s, size_t e);

/* redact_reid.c: the details that re-identify, gathered over the case, then combined. */
struct rreid;
int rreid_new(const struct kcase *c, struct rreid **out);
void rreid_free(struct rreid *r);
/* Gather field i's details. */
int rreid_scan(struct rreid *r, size_t i, const struct rfield *f);
/* The combinations found, as candidates of field i (call after every field was scanned). */
int rreid_emit(struct rreid *r, size_t i, const struct rfield *f, const struct rfield *fields, struct rcands *out);
/* A prefecture at u[i..)?  Its length, and *region the region's name. */
size_t r_prefecture(const uint32_t *u, size_t n, size_t i, const char **region);

#endif
