/*
 * crosswalk.h - kyokun's vocabularies mapped onto the exchange formats'
 * (model layer): one data file, data/crosswalk.tsv, readable by people,
 * compiled in (a built-in copy, as data/synonyms.txt is) and loadable from
 * a file instead.  Each row is one term of one vocabulary:
 *
 *   vocabulary   code           ja          en            veris                          stix               misp
 *   threat       ransomware     ランサムウェア ransomware  action.malware.variety=Ransomware  ransomware   ecsirt:malicious-code="ransomware"
 *   sector       electricity    電力        electricity   victim.industry=2211           energy             nis2:sector=...
 *
 * vocabularies: "event_class", "threat" (case tags), "event_type",
 * "cause_type" (report.h's 事象の類型 / 原因の類型), "sector" (account.h's
 * sector tags).  A cell may hold several values separated by " | "; "-"
 * is none.  veris values are "PATH=VALUE" (action.hacking.variety=Brute
 * force, attribute.availability.variety=Interruption, victim.industry=22);
 * stix values are open-vocabulary words (incident types, identity
 * sectors); misp values are machine tags.
 */
#ifndef KYOKUN_CROSSWALK_H
#define KYOKUN_CROSSWALK_H

#include <stddef.h>

struct kerr;

#define KXWALK_MAXV 8 /* values per cell */

struct kxwalk_entry {
	const char *vocab;
	const char *code;
	const char *ja, *en;
	const char *veris[KXWALK_MAXV];
	size_t nveris;
	const char *stix[KXWALK_MAXV];
	size_t nstix;
	const char *misp[KXWALK_MAXV];
	size_t nmisp;
};

/*
 * The table in use: the built-in one, or the file loaded with
 * kxwalk_load().  Thread-safe once loaded (read-only after).
 */
/* The entry of code in vocab, or NULL. */
const struct kxwalk_entry *kxwalk_find(const char *vocab, const char *code);
/* Every entry, in file order; *n gets how many. */
const struct kxwalk_entry *kxwalk_all(size_t *n);
/*
 * The entries of vocab whose column (one of "veris", "stix", "misp") has
 * value (exactly, or for veris "PATH=VALUE" compared as written): for
 * import.  Calls cb for each; returns how many matched.
 */
size_t kxwalk_reverse(const char *column, const char *value,
		      void (*cb)(void *ctx, const struct kxwalk_entry *e), void *ctx);

/*
 * Parse a crosswalk (the file's text) and use it instead of the built-in
 * one (before any other call, e.g. from the KYOKUN_CROSSWALK environment
 * variable or a command's option).  0, or KE_PARSE with "FILE:LINE: what".
 */
int kxwalk_load(const char *path, struct kerr *err);

#endif
