/*
 * redact.c - anonymisation: the texts of a case, the normalised code
 * points the scanners read (redact_scan.c, redact_names.c, redact_reid.c),
 * overlaps between findings, consistent labels, and apply.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbuf.h"
#include "kerr.h"
#include "redact.h"
#include "redact_int.h"
#include "utf8.h"

static const char *const kind_keys[KFIND__N] = { "name", "person", "email", "ipv4", "ipv6",
						  "domain", "url", "phone", "address", "reid" };
static const char *const kind_ja[KFIND__N] = { "組織名", "人名", "メールアドレス", "IPv4アドレス",
						"IPv6アドレス", "ドメイン名", "URL", "電話番号", "住所",
						"再識別リスク" };

const char *kfinding_kind_key(int kind)
{
	return kind >= 0 && kind < KFIND__N ? kind_keys[kind] : NULL;
}

const char *kfinding_kind_label_ja(int kind)
{
	return kind >= 0 && kind < KFIND__N ? kind_ja[kind] : NULL;
}

int kfinding_kind_from_key(const char *key)
{
	for (int i = 0; key && i < KFIND__N; i++)
		if (!strcmp(key, kind_keys[i]))
			return i;
	return -1;
}

void kfinding_list_free(struct kfinding_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].field);
		free(l->v[i].text);
		free(l->v[i].suggestion);
		free(l->v[i].label);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- small helpers shared by the scanners ---------------------------------------- */

int rcands_add(struct rcands *l, int kind, size_t s, size_t e, const char *label, char *suggestion)
{
	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 16;
		struct rcand *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv) {
			free(suggestion);
			return KE_NOMEM;
		}
		l->v = nv;
		l->alloc = na;
	}
	l->v[l->n++] = (struct rcand){ .kind = kind, .s = s, .e = e, .name_id = -1, .label = label,
				       .suggestion = suggestion };
	return 0;
}

void rcands_free(struct rcands *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].suggestion);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

size_t r_at(const uint32_t *u, size_t n, size_t i, const char *lit)
{
	size_t k = 0, len = strlen(lit), off = 0;

	while (off < len) {
		uint32_t c;
		int l = kutf8_decode(lit + off, len - off, &c);

		if (l < 0 || i + k >= n || r_lower(u[i + k]) != r_lower(c))
			return 0;
		off += (size_t)l;
		k++;
	}
	return k;
}

size_t r_before(const uint32_t *u, size_t i, const char *lit)
{
	uint32_t buf[64];
	size_t k = 0, len = strlen(lit), off = 0;

	while (off < len && k < 64) {
		int l = kutf8_decode(lit + off, len - off, &buf[k]);

		if (l < 0)
			return 0;
		off += (size_t)l;
		k++;
	}
	if (k > i)
		return 0;
	for (size_t j = 0; j < k; j++)
		if (r_lower(u[i - k + j]) != r_lower(buf[j]))
			return 0;
	return k;
}

char *r_utf8(const uint32_t *cp, size_t s, size_t e)
{
	char *out = malloc((e - s) * KUTF8_MAX + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = s; i < e; i++)
		p += kutf8_encode(cp[i], p);
	*p = 0;
	return out;
}

/* ---- normalisation ----------------------------------------------------------------- */

/* Half-width katakana U+FF61..U+FF9F to full-width (one for one; the voicing marks as spacing marks). */
static const uint16_t halfkana[] = {
	0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3,
	0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF,
	0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
	0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF,
	0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
	0x30F3, 0x309B, 0x309C,
};

uint32_t kredact_norm(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;
	if (c >= 0xFF61 && c <= 0xFF9F)
		return halfkana[c - 0xFF61];
	if (c == 0x3000 || c == 0x00A0)
		return ' ';
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE63)
		return '-';
	return c;
}

static void rfield_free(struct rfield *f)
{
	free(f->cp);
	free(f->u);
	free(f->boff);
	memset(f, 0, sizeof(*f));
}

static int rfield_decode(struct rfield *f, const char *text)
{
	size_t len = strlen(text), n = 0, off = 0;

	f->text = text;
	f->cp = malloc((len + 1) * sizeof(*f->cp));
	f->u = malloc((len + 1) * sizeof(*f->u));
	f->boff = malloc((len + 1) * sizeof(*f->boff));
	if (!f->cp || !f->u || !f->boff)
		return KE_NOMEM;
	while (off < len) {
		uint32_t c;
		int l = kutf8_decode(text + off, len - off, &c);

		if (l < 0) { /* not UTF-8 (kcase_validate refuses it): one byte as U+FFFD */
			c = 0xFFFD;
			l = 1;
		}
		f->boff[n] = off;
		f->cp[n] = c;
		f->u[n] = kredact_norm(c);
		n++;
		off += (size_t)l;
	}
	f->boff[n] = off;
	f->n = n;
	return 0;
}

/* ---- the texts of a case ---------------------------------------------------------- */

struct rref {
	char *name;
	char **slot;     /* the case's string, or NULL for a string in sections_extra */
	const char *key; /* sections_extra key */
	const char *text;
};

struct rrefs {
	struct rref *v;
	size_t n, alloc;
};

static int rrefs_add(struct rrefs *l, const char *fmt, size_t idx, char **slot, const char *key,
		     const char *text)
{
	char buf[160];

	if (!text)
		return 0;
	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 32;
		struct rref *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		l->v = nv;
		l->alloc = na;
	}
	if (key)
		snprintf(buf, sizeof(buf), "%s", key);
	else
		snprintf(buf, sizeof(buf), fmt, idx);
	if (!(l->v[l->n].name = strdup(buf)))
		return KE_NOMEM;
	l->v[l->n].slot = slot;
	l->v[l->n].key = key;
	l->v[l->n].text = text;
	l->n++;
	return 0;
}

static void rrefs_free(struct rrefs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Every text of c, in the order findings are listed. */
static int case_texts(const struct kcase *cc, struct rrefs *l)
{
	struct kcase *c = (struct kcase *)cc; /* slots are written by apply only */
	const char *key;
	json_t *v;
	int rc = 0;

	rc |= rrefs_add(l, "title", 0, &c->title, NULL, c->title);
	for (size_t i = 0; i < c->summary.n; i++)
		rc |= rrefs_add(l, "summary[%zu]", i, &c->summary.v[i], NULL, c->summary.v[i]);
	for (size_t i = 0; i < c->key_lessons.n; i++)
		rc |= rrefs_add(l, "key_lessons[%zu]", i, &c->key_lessons.v[i], NULL, c->key_lessons.v[i]);
	rc |= rrefs_add(l, "organization", 0, &c->attributes.organization, NULL, c->attributes.organization);
	rc |= rrefs_add(l, "factors", 0, &c->attributes.factors, NULL, c->attributes.factors);
	for (int k = 0; k < KSEC__N; k++) {
		int sec = ksection_display_order[k];

		rc |= rrefs_add(l, ksection_key(sec), 0, &c->sections[sec], NULL, c->sections[sec]);
	}
	if (json_is_object(c->sections_extra))
		json_object_foreach(c->sections_extra, key, v)
			if (json_is_string(v))
				rc |= rrefs_add(l, "", 0, NULL, key, json_string_value(v));
	for (size_t i = 0; i < c->ntimeline; i++) {
		rc |= rrefs_add(l, "timeline[%zu].when", i, &c->timeline[i].when, NULL, c->timeline[i].when);
		rc |= rrefs_add(l, "timeline[%zu].actor", i, &c->timeline[i].actor, NULL, c->timeline[i].actor);
		rc |= rrefs_add(l, "timeline[%zu]", i, &c->timeline[i].text, NULL, c->timeline[i].text);
	}
	return rc ? KE_NOMEM : 0;
}

/* ---- overlaps ----------------------------------------------------------------------- */

static int prio_of(int kind)
{
	switch (kind) {
	case KFIND_URL: return 0;
	case KFIND_EMAIL: return 1;
	case KFIND_ADDRESS: return 2;
	case KFIND_NAME: return 3;
	case KFIND_IPV6: return 4;
	case KFIND_IPV4: return 5;
	case KFIND_PHONE: return 6;
	case KFIND_DOMAIN: return 7;
	case KFIND_PERSON: return 8;
	default: return 9;
	}
}

static int cmp_prio(const void *a, const void *b)
{
	const struct rcand *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	if (x->e - x->s != y->e - y->s)
		return x->e - x->s > y->e - y->s ? -1 : 1;
	return x->s < y->s ? -1 : x->s > y->s;
}

static int cmp_start(const void *a, const void *b)
{
	const struct rcand *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if ((x->kind == KFIND_REID) != (y->kind == KFIND_REID))
		return x->kind == KFIND_REID ? 1 : -1;
	return x->e < y->e ? -1 : x->e > y->e;
}

/* Keep the labelled candidates that do not overlap a better one (priority, then length). */
static int resolve(struct rcands *c, size_t n)
{
	unsigned char *taken = calloc(n + 1, 1);
	size_t k = 0;

	if (!taken)
		return KE_NOMEM;
	for (size_t i = 0; i < c->n; i++)
		c->v[i].prio = prio_of(c->v[i].kind);
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), cmp_prio);
	for (size_t i = 0; i < c->n; i++) {
		struct rcand *x = &c->v[i];
		int clash = 0;

		if (x->s >= x->e || x->e > n) {
			clash = 1;
		} else if (x->kind != KFIND_REID) {
			for (size_t j = x->s; j < x->e && !clash; j++)
				clash = taken[j];
			if (!clash)
				memset(taken + x->s, 1, x->e - x->s);
		}
		if (clash) {
			free(x->suggestion);
			continue;
		}
		c->v[k++] = *x;
	}
	c->n = k;
	free(taken);
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), cmp_start);
	return 0;
}

/* ---- the check ---------------------------------------------------------------------- */

/*
 * The label of organisation number k by order of appearance: A社 .. Z社,
 * then A2社 ...; letters the case already uses as labels (an "X社" written
 * by hand or by an earlier apply) are skipped, so that two organisations
 * never share one.
 */
static void org_label(size_t k, const unsigned char used[26], char *buf, size_t n)
{
	size_t free_letters = 0;

	for (int i = 0; i < 26; i++)
		free_letters += !used[i];
	if (k < free_letters) {
		for (int i = 0; i < 26; i++)
			if (!used[i] && k-- == 0) {
				snprintf(buf, n, "%c社", (char)('A' + i));
				return;
			}
	}
	k -= free_letters;
	snprintf(buf, n, "%c%zu社", (char)('A' + k % 26), k / 26 + 2);
}

/* The letters used as X社 labels in f. */
static void used_labels(const struct rfield *f, unsigned char used[26])
{
	for (size_t i = 0; i + 1 < f->n; i++)
		if (f->u[i] >= 'A' && f->u[i] <= 'Z' && f->u[i + 1] == 0x793E /* 社 */ && (i == 0 || !r_alnum(f->u[i - 1])))
			used[f->u[i] - 'A'] = 1;
}

static int add_finding(struct kfinding_list *out, const char *field, const struct rfield *f,
		       const struct rcand *x, const char *label)
{
	struct kfinding *d;

	if (out->n == out->alloc) {
		size_t na = out->alloc ? 2 * out->alloc : 16;
		struct kfinding *nv = realloc(out->v, na * sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		out->v = nv;
		out->alloc = na;
	}
	d = &out->v[out->n];
	memset(d, 0, sizeof(*d));
	d->kind = x->kind;
	d->start = x->s;
	d->end = x->e;
	d->field = strdup(field);
	d->text = r_utf8(f->cp, x->s, x->e);
	d->suggestion = x->suggestion ? strdup(x->suggestion) : NULL;
	d->label = label ? strdup(label) : NULL;
	out->n++;
	if (!d->field || !d->text || (x->suggestion && !d->suggestion) || (label && !d->label))
		return KE_NOMEM;
	return 0;
}

int kredact_check(const struct kcase *c, const struct kstrv *names, struct kfinding_list *out,
		  struct kerr *err)
{
	struct rrefs refs = { 0 };
	struct rfield *fields = NULL;
	struct rcands *cands = NULL;
	struct rnames *rn = NULL;
	struct rreid *reid = NULL;
	int *org_order = NULL;
	unsigned char used[26] = { 0 };
	size_t norgs = 0, nids = (names ? names->n : 0) + 1;
	int rc;

	if ((rc = case_texts(c, &refs)))
		goto out;
	fields = calloc(refs.n + 1, sizeof(*fields));
	cands = calloc(refs.n + 1, sizeof(*cands));
	org_order = malloc(nids * sizeof(*org_order));
	if (!fields || !cands || !org_order) {
		rc = KE_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nids; i++)
		org_order[i] = -1;
	if ((rc = rnames_new(names, c->owner, &rn)) || (rc = rreid_new(c, &reid)))
		goto out;
	for (size_t i = 0; i < refs.n; i++) {
		fields[i].name = refs.v[i].name;
		if ((rc = rfield_decode(&fields[i], refs.v[i].text)) || (rc = rscan_addresses(&fields[i], &cands[i])) ||
		    (rc = rscan_orgs(rn, &fields[i], &cands[i])) || (rc = rscan_persons(&fields[i], &cands[i])) ||
		    (rc = resolve(&cands[i], fields[i].n)) || (rc = rreid_scan(reid, i, &fields[i])))
			goto out;
		used_labels(&fields[i], used);
	}
	for (size_t i = 0; i < refs.n; i++) {
		if ((rc = rreid_emit(reid, i, &fields[i], fields, &cands[i])))
			goto out;
		if (cands[i].n > 1)
			qsort(cands[i].v, cands[i].n, sizeof(*cands[i].v), cmp_start);
		for (size_t j = 0; j < cands[i].n; j++) {
			struct rcand *x = &cands[i].v[j];
			char lab[32];
			const char *label = x->label;

			if (x->kind == KFIND_NAME && x->name_id >= 0 && (size_t)x->name_id < nids) {
				if (org_order[x->name_id] < 0)
					org_order[x->name_id] = (int)norgs++;
				org_label((size_t)org_order[x->name_id], used, lab, sizeof(lab));
				label = lab;
			}
			if ((rc = add_finding(out, fields[i].name, &fields[i], x, label)))
				goto out;
		}
	}
out:
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	for (size_t i = 0; fields && i < refs.n; i++)
		rfield_free(&fields[i]);
	for (size_t i = 0; cands && i < refs.n; i++)
		rcands_free(&cands[i]);
	free(fields);
	free(cands);
	free(org_order);
	rnames_free(rn);
	rreid_free(reid);
	rrefs_free(&refs);
	return rc;
}

/* ---- apply ---------------------------------------------------------------------------- */

static int cmp_finding(const void *a, const void *b)
{
	const struct kfinding *const *x = a, *const *y = b;

	return (*x)->start < (*y)->start ? -1 : (*x)->start > (*y)->start;
}

int kredact_apply_findings(struct kcase *c, const struct kfinding_list *fl, size_t *replaced, struct kerr *err)
{
	struct rrefs refs = { 0 };
	char **repl = NULL;
	const struct kfinding **sel = NULL;
	size_t count = 0;
	int rc;

	if (replaced)
		*replaced = 0;
	if ((rc = case_texts(c, &refs)))
		goto out;
	repl = calloc(refs.n + 1, sizeof(*repl));
	sel = malloc((fl->n + 1) * sizeof(*sel));
	if (!repl || !sel) {
		rc = KE_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < refs.n; i++) {
		struct rfield f = { 0 };
		struct kbuf b = KBUF_INIT;
		size_t ns = 0, pos = 0;
		int brc = 0;

		for (size_t j = 0; j < fl->n; j++)
			if (fl->v[j].label && fl->v[j].field && !strcmp(fl->v[j].field, refs.v[i].name))
				sel[ns++] = &fl->v[j];
		if (!ns)
			continue;
		if (ns > 1)
			qsort(sel, ns, sizeof(*sel), cmp_finding);
		if ((rc = rfield_decode(&f, refs.v[i].text))) {
			rfield_free(&f);
			goto out;
		}
		for (size_t j = 0; j < ns; j++) {
			const struct kfinding *d = sel[j];

			/* a finding that does not fit (overlaps, or another version of the text): skipped */
			if (d->start < pos || d->end > f.n || d->start >= d->end)
				continue;
			brc |= kbuf_add(&b, f.text + f.boff[pos], f.boff[d->start] - f.boff[pos]);
			brc |= kbuf_adds(&b, d->label);
			pos = d->end;
			count++;
		}
		brc |= kbuf_add(&b, f.text + f.boff[pos], f.boff[f.n] - f.boff[pos]);
		rfield_free(&f);
		if (brc || !(repl[i] = kbuf_detach(&b, NULL))) {
			kbuf_release(&b);
			rc = KE_NOMEM;
			goto out;
		}
	}
	/* every text made: now change the case (nothing can fail but json_string_set) */
	for (size_t i = 0; i < refs.n; i++) {
		if (!repl[i])
			continue;
		if (refs.v[i].slot) {
			free(*refs.v[i].slot);
			*refs.v[i].slot = repl[i];
			repl[i] = NULL;
		} else {
			json_t *v = json_object_get(c->sections_extra, refs.v[i].key);

			if (v && json_string_set(v, repl[i]) < 0) {
				rc = KE_NOMEM;
				goto out;
			}
		}
	}
	if (replaced)
		*replaced = count;
out:
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	for (size_t i = 0; repl && i < refs.n; i++)
		free(repl[i]);
	free(repl);
	free(sel);
	rrefs_free(&refs);
	return rc;
}

int kredact_apply(struct kcase *c, const struct kstrv *names, size_t *replaced, struct kerr *err)
{
	struct kfinding_list fl = { 0 };
	int rc = kredact_check(c, names, &fl, err);

	if (!rc)
		rc = kredact_apply_findings(c, &fl, replaced, err);
	kfinding_list_free(&fl);
	return rc;
}
