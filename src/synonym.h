/*
 * synonym.h - the synonym list of search: groups of words that mean the
 * same (予備系 待機系 バックアップ系 ...).  This module owns loading the
 * list (a file, or the copy compiled in), parsing it, the shared default
 * list, and looking a word up (compared in the index's normal form).
 * query.c applies it to every word and segment of a query as an OR group.
 */
#ifndef KYOKUN_SYNONYM_H
#define KYOKUN_SYNONYM_H

#include <stddef.h>

struct kerr;
struct ksyn;

/*
 * Load the synonym list: from path if non-NULL; else $KYOKUN_SYNONYMS; else
 * data/synonyms.txt next to the binary's directory or its ../share/kyokun/;
 * else the list compiled into kyokun.  Format: one group per line, words
 * separated by spaces (or "/", ",", "、"); "#" starts a comment.
 */
int ksyn_load(struct ksyn **out, const char *path, struct kerr *err);
/* Parse a list from memory (same format). */
int ksyn_parse(struct ksyn **out, const char *text, size_t len, const char *what,
	       struct kerr *err);
void ksyn_free(struct ksyn *s);
/* The shared list loaded once (ksyn_load(NULL)); never NULL after success. */
int ksyn_default(const struct ksyn **out, struct kerr *err);
/* Where the default list came from: a path, or "built-in". */
const char *ksyn_source(const struct ksyn *s);
/* The group containing word (compared normalised), as a NULL-terminated
 * array of the group's words, or NULL. */
const char *const *ksyn_lookup(const struct ksyn *s, const char *word);

#endif
