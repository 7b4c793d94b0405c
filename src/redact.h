/*
 * redact.h - anonymisation: what in a case could identify an organisation
 * or a person, and replacing it with neutral labels (model layer; no I/O).
 *
 * kredact_check() finds, in every text of a case (title, summary, key
 * lessons, sections, timeline, attributes), each of:
 *   names       the organisation's own name and the names given, with their
 *               variants (full/half width, 株式会社 / (株) / ㈱ / 社, spaces)
 *   person      personal names (〇〇氏, 〇〇部長, common family names)
 *   email, ipv4, ipv6, domain, url, phone (Japanese formats), address
 *               (都道府県 followed by 市区町村)
 *   reid        re-identification risk: details that together point at one
 *               organisation (an exact date with a place, a sector with a
 *               count of users or an outage to the minute, a product with
 *               its version), each with a suggestion
 * Offsets are in Unicode code points from the start of the field's text
 * (start inclusive, end exclusive), so that a reader of the JSON can count
 * them the same way in any language.
 *
 * kredact_apply() replaces every finding that has a label (names → A社,
 * B社 … consistently across the case, persons → 職員, [IPアドレス], [URL],
 * [メールアドレス], [電話番号], [住所] …) and leaves reid findings alone
 * (they need an analyst's judgement; their suggestion says what to do).
 */
#ifndef KYOKUN_REDACT_H
#define KYOKUN_REDACT_H

#include <stddef.h>

#include "case.h"

struct kerr;

enum kfinding_kind {
	KFIND_NAME,    /* the organisation's name or a name given */
	KFIND_PERSON,
	KFIND_EMAIL,
	KFIND_IPV4,
	KFIND_IPV6,
	KFIND_DOMAIN,
	KFIND_URL,
	KFIND_PHONE,
	KFIND_ADDRESS,
	KFIND_REID,    /* a re-identification risk (a combination of details) */
	KFIND__N
};

/* "name", "person", "email", ... (JSON); NULL out of range. */
const char *kfinding_kind_key(int kind);
/* 組織名, 人名, メールアドレス, ... */
const char *kfinding_kind_label_ja(int kind);
int kfinding_kind_from_key(const char *key); /* -1 if unknown */

struct kfinding {
	int kind;           /* enum kfinding_kind */
	char *field;        /* where: "title", "summary[0]", "key_lessons[1]", a section
			     * key ("cause"), "timeline[3]", an attribute key */
	size_t start, end;  /* code points into that field's text */
	char *text;         /* the text found (start..end) */
	char *suggestion;   /* what to do (reid: "日 → 月", "約1万人" ...), or NULL */
	char *label;        /* what apply would put there (A社, [URL] ...), or NULL (reid) */
};

struct kfinding_list {
	struct kfinding *v;
	size_t n, alloc;
};

void kfinding_list_free(struct kfinding_list *l);

/*
 * Everything in c that could identify its organisation or a person.  names:
 * the organisation's own name (c->owner when set is always looked for) and
 * any others given (NULL or empty: none).  A name is matched literally with
 * its variants, never as a regular expression.  Findings are in field
 * order, then by start.  KE_NOMEM only.
 */
int kredact_check(const struct kcase *c, const struct kstrv *names, struct kfinding_list *out,
		  struct kerr *err);

/*
 * Replace the labelled findings of kredact_check(c, names) in c (in place),
 * the same text always by the same label across the case.  *replaced: how
 * many replacements (may be NULL).  c stays valid (kcase_validate) on
 * success; on failure it is as it was.
 */
int kredact_apply(struct kcase *c, const struct kstrv *names, size_t *replaced, struct kerr *err);

/*
 * The same with the findings given (those of kredact_check() on this very
 * case, less those an analyst kept: kstore_redact_filter()): each finding
 * with a label replaces its text by the label; a finding that no longer
 * fits the text (overlapping, out of range) is skipped.  Labels never split
 * a character.  KE_NOMEM only; on failure c is as it was.
 */
int kredact_apply_findings(struct kcase *c, const struct kfinding_list *fl, size_t *replaced, struct kerr *err);

#endif
