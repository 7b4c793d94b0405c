/*
 * case_json.h - reading and writing cases in the interchange format
 * (../shared/spec/case-json.md, "kyokun-case/1") with jansson.
 */
#ifndef KYOKUN_CASE_JSON_H
#define KYOKUN_CASE_JSON_H

#include <jansson.h>
#include <stdio.h>

struct kcase;
struct kerr;
struct kbuf;

#define KCASE_FORMAT "kyokun-case/1"

/*
 * Fill c (initialised, empty) from a JSON object.  Type errors name the field
 * path ("timeline[0].day: expected integer or null").  Unknown members are
 * kept in the extra objects.  Does not run kcase_validate().
 */
int kcase_from_json(struct kcase *c, json_t *obj, struct kerr *err);

/*
 * The key lessons and sections of c (initialised, empty) from a case's
 * interchange JSON text, as json_loads() and kcase_from_json() set them
 * for a text kcase_to_json() wrote (other fields may be set too).  When
 * the text is an object of valid UTF-8 whose key lessons and sections are
 * plain strings, they are read in place without building the document (a
 * search reads them for thousands of cases); anything else is read whole
 * by kcase_from_json() (the members passed over are only delimited, not
 * checked).  0, or KE_NOMEM.
 */
int kcase_texts_from_json(struct kcase *c, const char *json, size_t len);

/* A new JSON object for c (caller json_decref()s), or NULL if out of memory. */
json_t *kcase_to_json(const struct kcase *c);

/* Append c as compact one-line JSON (no newline) to out. */
int kcase_dump(const struct kcase *c, struct kbuf *out);

/*
 * A streaming reader of one input file: a collection object
 * {"format":..., "cases":[...]}, a bare array of cases, a single case object,
 * or JSON Lines.  JSON Lines are read one line at a time (memory does not grow
 * with the file); the other forms are loaded whole up to KCASE_MAX_DOCUMENT.
 */
#define KCASE_MAX_LINE (16u << 20)       /* one JSON Lines record */
#define KCASE_MAX_DOCUMENT (512u << 20)  /* a whole collection file */

struct kcase_reader;

/* path "-" reads standard input. */
int kcase_reader_open(struct kcase_reader **r, const char *path, struct kerr *err);

/*
 * Read the next case into c (which the caller has kcase_init()ed and must
 * kcase_free()).  Returns 1 for a case, 0 at the end, KE_INVALID for a record
 * that is well-formed JSON but not a valid case (the reader can go on), and
 * any other negative code for an error that ends the file (malformed JSON,
 * invalid UTF-8, I/O).  Messages name the position: "line 7" or "cases[3]",
 * with the case id when known; the caller adds the file name.
 */
int kcase_reader_next(struct kcase_reader *r, struct kcase *c, struct kerr *err);

/* Where the last record came from: "line 7" or "cases[3]", into buf. */
void kcase_reader_where(const struct kcase_reader *r, char *buf, size_t n);

/* Bytes consumed so far and the file size (0 if unknown), for progress. */
void kcase_reader_progress(const struct kcase_reader *r, long long *done, long long *total);

void kcase_reader_close(struct kcase_reader *r);

#endif
