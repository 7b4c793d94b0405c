/*
 * approval.c - the organisation's approval and the publish gate (see approval.h).
 */
#include "approval.h"
#include "kbuf.h"
#include "kerr.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_keys[KAPPR__N] = { "request", "approve", "comment" };

const char *kapproval_kind_key(int kind)
{
	return kind >= 0 && kind < KAPPR__N ? kind_keys[kind] : NULL;
}

int kapproval_kind_from_key(const char *key)
{
	for (int i = 0; key && i < KAPPR__N; i++)
		if (!strcmp(key, kind_keys[i]))
			return i;
	return -1;
}

static int dup_or_null(char **dst, const char *s)
{
	*dst = NULL;
	return s && !(*dst = strdup(s)) ? KE_NOMEM : 0;
}

static void approval_free(struct kapproval *a)
{
	free(a->who);
	free(a->org);
	free(a->at);
	free(a->text);
}

int kapproval_list_add(struct kapproval_list *l, const struct kapproval *a)
{
	struct kapproval *x;

	if (l->n == l->alloc) {
		size_t na = l->alloc ? 2 * l->alloc : 8;
		struct kapproval *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		l->v = nv;
		l->alloc = na;
	}
	x = &l->v[l->n];
	x->kind = a->kind;
	x->revision = a->revision;
	if (dup_or_null(&x->who, a->who) | dup_or_null(&x->org, a->org) | dup_or_null(&x->at, a->at) |
	    dup_or_null(&x->text, a->text)) {
		approval_free(x);
		return KE_NOMEM;
	}
	l->n++;
	return 0;
}

void kapproval_list_free(struct kapproval_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		approval_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int latest_of(const struct kapproval_list *l, int kind)
{
	int rev = 0;

	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i].kind == kind && l->v[i].revision > rev)
			rev = l->v[i].revision;
	return rev;
}

int kapproval_approved_revision(const struct kapproval_list *l)
{
	return latest_of(l, KAPPR_APPROVE);
}

int kapproval_requested_revision(const struct kapproval_list *l)
{
	return latest_of(l, KAPPR_REQUEST);
}

int kapproval_waiting(const struct kapproval_list *l, int revision)
{
	return kapproval_requested_revision(l) > 0 && kapproval_approved_revision(l) != revision;
}

int kapproval_text_check(const char *field, const char *text, struct kerr *err)
{
	const char *s = text, *e;
	size_t chars = 0;

	if (!s)
		return kerr_set(err, KE_INVALID, "%s: required", field);
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (!*s)
		return kerr_set(err, KE_INVALID, "%s: required (only white space given)", field);
	e = s + strlen(s);
	if (!kutf8_valid(text, strlen(text)))
		return kerr_set(err, KE_INVALID, "%s: not UTF-8 text", field);
	for (const char *p = s; p < e; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (chars > KAPPROVAL_MAX_TEXT)
		return kerr_set(err, KE_INVALID, "%s: %zu characters, at most %d", field, chars, KAPPROVAL_MAX_TEXT);
	return 0;
}

static int has_text(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 1;
	return 0;
}

const char *kgate_reason_key(unsigned reason)
{
	switch (reason) {
	case KGATE_FINDINGS: return "findings";
	case KGATE_NOT_REQUESTED: return "not_requested";
	case KGATE_NOT_APPROVED: return "not_approved";
	case KGATE_STALE: return "stale";
	default: return NULL;
	}
}

void kgate_decide(const struct kgate_in *in, struct kgate *g)
{
	memset(g, 0, sizeof(*g));
	g->revision = in->revision;
	g->approved_revision = kapproval_approved_revision(in->approvals);
	g->requested_revision = kapproval_requested_revision(in->approvals);
	if (in->findings) {
		g->nfindings = in->findings->n;
		for (size_t i = 0; i < in->findings->n; i++)
			if (in->findings->v[i].kind >= 0 && in->findings->v[i].kind < KFIND__N)
				g->nkind[in->findings->v[i].kind]++;
	}
	if (g->nfindings)
		g->reasons |= KGATE_FINDINGS;
	if (in->needs_approval) {
		int approved_now = 0;

		/* an approval of exactly the current revision; any other is of an older text */
		for (size_t i = 0; in->approvals && i < in->approvals->n; i++)
			if (in->approvals->v[i].kind == KAPPR_APPROVE && in->approvals->v[i].revision == in->revision)
				approved_now = 1;
		if (!approved_now)
			g->reasons |= g->approved_revision ? KGATE_STALE
				: g->requested_revision ? KGATE_NOT_APPROVED : KGATE_NOT_REQUESTED;
	}
	if (!g->reasons)
		g->allowed = 1;
	else if (has_text(in->override))
		g->allowed = g->overridden = 1;
}

void kgate_reason_text(const struct kgate *g, unsigned reason, char *buf, size_t n)
{
	switch (reason) {
	case KGATE_FINDINGS:
		snprintf(buf, n, "%zu redaction finding%s unresolved (see 'kyokun redact --check ID')", g->nfindings,
			 g->nfindings == 1 ? " is" : "s are");
		break;
	case KGATE_NOT_REQUESTED:
		snprintf(buf, n, "the reporting organisation has not been asked to approve it "
			 "('kyokun approve --request ID')");
		break;
	case KGATE_NOT_APPROVED:
		snprintf(buf, n, "the reporting organisation has not approved it yet (asked for revision %d)",
			 g->requested_revision);
		break;
	case KGATE_STALE:
		snprintf(buf, n, "the organisation approved revision %d, but the draft is at revision %d now: "
			 "the edit needs a new approval", g->approved_revision, g->revision);
		break;
	default:
		snprintf(buf, n, "unknown reason");
	}
}

int kgate_detail(const struct kgate *g, const char *override, struct kbuf *out)
{
	const char *sep = "";

	kbuf_adds(out, "overrode: ");
	if (g->reasons & KGATE_FINDINGS) {
		const char *s2 = " (";

		kbuf_addf(out, "findings=%zu", g->nfindings);
		for (int k = 0; k < KFIND__N; k++)
			if (g->nkind[k]) {
				kbuf_addf(out, "%s%s %zu", s2, kfinding_kind_key(k) ? kfinding_kind_key(k) : "?", g->nkind[k]);
				s2 = ", ";
			}
		if (*s2 == ',')
			kbuf_adds(out, ")");
		sep = "; ";
	}
	if (g->reasons & KGATE_NOT_REQUESTED) {
		kbuf_addf(out, "%snot_requested (revision %d)", sep, g->revision);
		sep = "; ";
	}
	if (g->reasons & KGATE_NOT_APPROVED) {
		kbuf_addf(out, "%snot_approved (requested revision %d, current %d)", sep, g->requested_revision,
			  g->revision);
		sep = "; ";
	}
	if (g->reasons & KGATE_STALE) {
		kbuf_addf(out, "%sstale (approved revision %d, current %d)", sep, g->approved_revision, g->revision);
		sep = "; ";
	}
	if (!*sep)
		kbuf_adds(out, "nothing");
	if (override) {
		size_t len = strlen(override);
		int cut = len > 1000 ? kutf8_cut(override, 1000) : (int)len;

		kbuf_adds(out, "; reason: ");
		kbuf_add(out, override, (size_t)cut);
	}
	return kbuf_adds(out, "") < 0 ? KE_NOMEM : 0;
}
