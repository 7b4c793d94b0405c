/*
 * select.c - the selection criteria, the survey period and the shortlist
 * (select.h has the exact rule).
 */
#include "select.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct kselect_criterion kselect_criteria[KSELECT_NCRITERIA] = {
	{ "damage", "重要インフラサービス及びその周辺サービスへの実害の有無",
	  "actual harm to a critical-infrastructure service or the services around it" },
	{ "severity", "事案の重大さ・社会的影響（関心）の大きさ",
	  "seriousness of the incident and the size of its social impact (public interest)" },
	{ "recurrence", "類似事例の発生状況や今後発生する可能性",
	  "how often similar incidents occur and how likely they are to occur" },
	{ "novelty", "攻撃手口や被害の目新しさ", "novelty of the attack method or the damage" },
	{ "trend", "世の中のトレンド", "current trends" },
	{ "spread", "他分野への波及の可能性", "possibility of spreading to other sectors" },
	{ "lessons", "得られる気付き・教訓の有用性", "usefulness of the insights and lessons learned" },
	{ "response", "事案の対応の優劣", "how well or badly the incident was handled" },
};

const struct kselect_criterion kselect_balance = { "balance", "分野のバランス", "balance of sectors" };

/* ---- the criteria --------------------------------------------------------- */

int kselect_criterion_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (s[0] >= '1' && s[0] <= '0' + KSELECT_NCRITERIA && !s[1])
		return s[0] - '1';
	for (int i = 0; i < KSELECT_NCRITERIA; i++)
		if (!strcmp(s, kselect_criteria[i].key) || !strcmp(s, kselect_criteria[i].ja))
			return i;
	return -1;
}

/* ---- the period ------------------------------------------------------------ */

/* "YYYY-MM-DD" at s (exactly 10 bytes) into y, m, d, checked.  0 or -1. */
static int parse_day(const char *s, int *y, int *m, int *d)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return -1;
	*y = atoi(s);
	*m = (s[5] - '0') * 10 + s[6] - '0';
	*d = (s[8] - '0') * 10 + s[9] - '0';
	if (*m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
		return -1;
	if (*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100) || *y % 400 == 0))
		return -1;
	return 0;
}

/* 00:00 JST of y-m-d (d may run past the month's end) as UTC ISO. */
static void jst_midnight(int y, int m, int d, char out[24])
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	time_t t = timegm(&tm) - 9 * 3600;

	ktime_iso(t, out);
}

int kselect_period_parse(const char *s, struct kselect_period *p, struct kerr *err)
{
	int y1, m1, d1, y2, m2, d2;
	size_t len = s ? strlen(s) : 0;

	memset(p, 0, sizeof(*p));
	if (!len)
		return kerr_set(err, KE_INVALID, "period: missing (a 年度 such as 2025, or 2025-01-01..2025-12-31)");
	if (len == 4 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])) {
		y1 = atoi(s);
		if (y1 < 1990 || y1 > 2999)
			return kerr_set(err, KE_INVALID, "period: %d is not a survey year (1990-2999)", y1);
		snprintf(p->key, sizeof(p->key), "%d", y1);
		jst_midnight(y1, 4, 1, p->since);
		jst_midnight(y1 + 1, 4, 1, p->until);
		snprintf(p->label, sizeof(p->label), "年度 %d (%d-04-01 – %d-03-31 JST)", y1, y1, y1 + 1);
		return 0;
	}
	if (len != 22 || s[10] != '.' || s[11] != '.' || parse_day(s, &y1, &m1, &d1) ||
	    parse_day(s + 12, &y2, &m2, &d2))
		return kerr_set(err, KE_INVALID,
				"period: \"%.40s\" is neither a 年度 (2025) nor a range of days (2025-01-01..2025-12-31)",
				s);
	if (y1 < 1990 || y2 > 2999 || y1 > 2999 || y2 < 1990)
		return kerr_set(err, KE_INVALID, "period: the years must be 1990-2999");
	if (strncmp(s, s + 12, 10) > 0)
		return kerr_set(err, KE_INVALID, "period: the first day is after the last");
	snprintf(p->key, sizeof(p->key), "%.22s", s);
	jst_midnight(y1, m1, d1, p->since);
	jst_midnight(y2, m2, d2 + 1, p->until);
	snprintf(p->label, sizeof(p->label), "%.10s – %.10s JST", s, s + 12);
	return 0;
}

/* ---- the shortlist --------------------------------------------------------- */

const char *kselect_kind_name(int kind)
{
	return kind == KSELECT_DRAFT ? "draft" : kind == KSELECT_INCIDENT ? "incident" : NULL;
}

const char *kselect_why_name(int why)
{
	static const char *const names[] = { "rank", "spread", "override", "override", "unscored",
					     "cap", "cut", "spread", "full", "tie" };

	return why >= 0 && why < (int)(sizeof(names) / sizeof(names[0])) ? names[why] : NULL;
}

/* Counts by name (sectors, categories) in a small table. */
struct tally {
	const char **name;
	int *n;
	size_t len, cap;
};

static int tally_get(const struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->len; i++)
		if (!strcmp(t->name[i], name))
			return t->n[i];
	return 0;
}

static int tally_add(struct tally *t, const char *name)
{
	for (size_t i = 0; i < t->len; i++)
		if (!strcmp(t->name[i], name)) {
			t->n[i]++;
			return 0;
		}
	if (t->len == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		const char **nn = realloc(t->name, nc * sizeof(*nn));
		int *n;

		if (!nn)
			return KE_NOMEM;
		t->name = nn;
		if (!(n = realloc(t->n, nc * sizeof(*n))))
			return KE_NOMEM;
		t->n = n;
		t->cap = nc;
	}
	t->name[t->len] = name;
	t->n[t->len++] = 1;
	return 0;
}

static void tally_free(struct tally *t)
{
	free(t->name);
	free(t->n);
	memset(t, 0, sizeof(*t));
}

static const char *cat_of(const struct kselect_cand *c)
{
	return c->category && *c->category ? c->category : "";
}

/* The first sector of c that has reached the cap, or NULL. */
static const char *full_sector(const struct kselect_cand *c, const struct tally *sec, int cap)
{
	for (size_t i = 0; i < c->nsectors; i++)
		if (c->sectors[i] && *c->sectors[i] && tally_get(sec, c->sectors[i]) >= cap)
			return c->sectors[i];
	return NULL;
}

static int take(struct kselect_cand *c, struct tally *sec, struct tally *cat, int *pos)
{
	int rc = 0;

	c->in = 1;
	c->position = ++*pos;
	for (size_t i = 0; i < c->nsectors && !rc; i++)
		if (c->sectors[i] && *c->sectors[i])
			rc = tally_add(sec, c->sectors[i]);
	return rc ? rc : tally_add(cat, cat_of(c));
}

static int str_cmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Does a come before b on the score alone (total, lessons, earlier, id)? */
static int by_score(const struct kselect_cand *a, const struct kselect_cand *b)
{
	int d;

	if (a->total != b->total)
		return a->total > b->total;
	if (a->score[6] != b->score[6])
		return a->score[6] > b->score[6];
	if ((d = str_cmp0(a->when, b->when)))
		return d < 0;
	return str_cmp0(a->id, b->id) < 0;
}

/* Is a to be taken before b (both eligible, within the near tie)?  The category's count first. */
static int better(const struct kselect_cand *a, const struct kselect_cand *b, const struct tally *cat)
{
	int ca = tally_get(cat, cat_of(a)), cb = tally_get(cat, cat_of(b));

	if (ca != cb)
		return ca < cb;
	return by_score(a, b);
}

int kselect_shortlist(struct kselect_cand *c, size_t n, const struct kselect_params *p, struct kselect_result *res,
		      struct kerr *err)
{
	struct tally sec = { 0 }, cat = { 0 };
	int rc = 0, pos = 0, free_places;

	memset(res, 0, sizeof(*res));
	res->cut = -1;
	if (!p || p->size < 1 || p->size > KSELECT_MAX_SIZE)
		return kerr_set(err, KE_INVALID, "size: must be 1 to %d", KSELECT_MAX_SIZE);
	if (p->cap < 1)
		return kerr_set(err, KE_INVALID, "cap-per-sector: must be at least 1");
	res->size = p->size;
	res->cap = p->cap;
	for (size_t i = 0; i < n; i++) {
		struct kselect_cand *x = &c[i];

		x->total = x->nscored = x->rank = x->in = x->position = 0;
		x->why = KSELECT_OUT_UNSCORED;
		x->why_sector = NULL;
		x->why_count = 0;
		for (int k = 0; k < KSELECT_NCRITERIA; k++)
			if (x->score[k] >= 0) {
				x->nscored++;
				x->total += x->score[k];
			}
		if (!x->nscored)
			res->nunscored++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!c[i].nscored)
			continue;
		c[i].rank = 1;
		for (size_t j = 0; j < n; j++)
			if (c[j].nscored && c[j].total > c[i].total)
				c[i].rank++;
	}
	/* 1. the overrides: in first, in the order of their scores */
	for (;;) {
		struct kselect_cand *best = NULL;

		for (size_t i = 0; i < n; i++)
			if (c[i].decision > 0 && !c[i].in && (!best || by_score(&c[i], best)))
				best = &c[i];
		if (!best)
			break;
		if ((rc = take(best, &sec, &cat, &pos)))
			goto out;
		best->why = KSELECT_IN_OVERRIDE;
		res->noverride_in++;
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].decision < 0)
			c[i].why = KSELECT_OUT_OVERRIDE;
	/* 3. the free places */
	free_places = p->size - res->noverride_in;
	while (free_places > 0) {
		struct kselect_cand *best = NULL, *top = NULL;
		int best_total = -1;

		for (size_t i = 0; i < n; i++)
			if (!c[i].decision && c[i].nscored && !c[i].in && !full_sector(&c[i], &sec, p->cap) &&
			    c[i].total > best_total)
				best_total = c[i].total;
		if (best_total < 0)
			break;
		for (size_t i = 0; i < n; i++) {
			struct kselect_cand *x = &c[i];

			if (x->decision || !x->nscored || x->in || full_sector(x, &sec, p->cap) ||
			    x->total < best_total - KSELECT_NEAR)
				continue;
			if (!best || better(x, best, &cat))
				best = x;
			/* who would have been taken on the score alone */
			if (!top || by_score(x, top))
				top = x;
		}
		if (best != top)
			best->why_count = tally_get(&cat, cat_of(best));
		if ((rc = take(best, &sec, &cat, &pos)))
			goto out;
		best->why = best != top ? KSELECT_IN_SPREAD : KSELECT_IN_RANK;
		if (res->cut < 0 || best->total < res->cut)
			res->cut = best->total;
		free_places--;
	}
	res->nin = pos;
	/* 4. why the others are out */
	for (size_t i = 0; i < n; i++) {
		struct kselect_cand *x = &c[i];
		const char *s;

		if (x->in || x->decision || !x->nscored)
			continue;
		if ((s = full_sector(x, &sec, p->cap)) && (res->cut < 0 || x->total >= res->cut)) {
			x->why = KSELECT_OUT_CAP;
			x->why_sector = s;
			x->why_count = tally_get(&sec, s);
		} else if (res->cut >= 0 && x->total < res->cut) {
			x->why = KSELECT_OUT_CUT;
		} else if (res->cut >= 0 && x->total == res->cut) {
			x->why = KSELECT_OUT_TIE;
			x->why_count = tally_get(&cat, cat_of(x));
		} else if (res->cut >= 0) {
			x->why = KSELECT_OUT_SPREAD;
			x->why_count = tally_get(&cat, cat_of(x));
		} else if (s) {
			x->why = KSELECT_OUT_CAP;
			x->why_sector = s;
			x->why_count = tally_get(&sec, s);
		} else {
			x->why = KSELECT_OUT_FULL;
		}
	}
out:
	tally_free(&sec);
	tally_free(&cat);
	if (rc)
		return kerr_set(err, rc, "out of memory");
	return 0;
}

static const char *ordinal(int n, char buf[16])
{
	const char *suf = "th";

	if (n % 100 < 11 || n % 100 > 13)
		suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, 16, "%d%s", n, suf);
	return buf;
}

static const char *sector_name(const char *tag)
{
	const char *ja = ksector_label_ja(tag);

	return ja ? ja : tag;
}

int kselect_reason(const struct kselect_cand *c, const struct kselect_result *res, struct kbuf *out)
{
	char ord[16], part[48] = "";
	int rc = 0;

	if (c->nscored && c->nscored < KSELECT_NCRITERIA)
		snprintf(part, sizeof(part), ", %d of %d criteria scored", c->nscored, KSELECT_NCRITERIA);
	switch (c->why) {
	case KSELECT_IN_RANK:
		rc = kbuf_addf(out, "in: %s by score %d/%d%s", ordinal(c->rank, ord), c->total,
			       KSELECT_NCRITERIA * KSELECT_MAX_SCORE, part);
		break;
	case KSELECT_IN_SPREAD:
		rc = kbuf_addf(out, "in: %s by score %d/%d%s; taken over a near tie to spread categories (%s had %d)",
			       ordinal(c->rank, ord), c->total, KSELECT_NCRITERIA * KSELECT_MAX_SCORE, part,
			       *cat_of(c) ? cat_of(c) : "no category", c->why_count);
		break;
	case KSELECT_IN_OVERRIDE:
		rc = kbuf_addf(out, "in: chosen by %s: %s", c->decided_by ? c->decided_by : "an analyst",
			       c->decision_reason ? c->decision_reason : "");
		break;
	case KSELECT_OUT_OVERRIDE:
		rc = kbuf_addf(out, "out: left out by %s: %s", c->decided_by ? c->decided_by : "an analyst",
			       c->decision_reason ? c->decision_reason : "");
		break;
	case KSELECT_OUT_UNSCORED:
		rc = kbuf_adds(out, "out: not scored");
		break;
	case KSELECT_OUT_CAP:
		rc = kbuf_addf(out, "out: %s already has %d (cap %d; score %d%s)", sector_name(c->why_sector),
			       c->why_count, res->cap, c->total, part);
		break;
	case KSELECT_OUT_CUT:
		rc = kbuf_addf(out, "out: below the cut (score %d, the cut is %d%s)", c->total, res->cut, part);
		break;
	case KSELECT_OUT_SPREAD:
		rc = kbuf_addf(out, "out: category %s already has %d; spread to others within %d point (score %d%s)",
			       *cat_of(c) ? cat_of(c) : "(none)", c->why_count, KSELECT_NEAR, c->total, part);
		break;
	case KSELECT_OUT_FULL:
		rc = kbuf_addf(out, "out: the list is full with the analysts' choices (score %d%s)", c->total, part);
		break;
	case KSELECT_OUT_TIE:
		rc = kbuf_addf(out, "out: tied at the cut (score %d%s) and lost the tie-break (category %s had %d;"
			       " then the lessons score, the earlier detection, the id)",
			       c->total, part, *cat_of(c) ? cat_of(c) : "(none)", c->why_count);
		break;
	default:
		rc = kbuf_adds(out, "?");
	}
	return rc < 0 ? KE_NOMEM : 0;
}

int kselect_reason_ja(const struct kselect_cand *c, const struct kselect_result *res, struct kbuf *out)
{
	char part[64] = "";
	int rc = 0, max = KSELECT_NCRITERIA * KSELECT_MAX_SCORE;

	if (c->nscored && c->nscored < KSELECT_NCRITERIA)
		snprintf(part, sizeof(part), "、%d/%d 基準を採点", c->nscored, KSELECT_NCRITERIA);
	switch (c->why) {
	case KSELECT_IN_RANK:
		rc = kbuf_addf(out, "選定: 得点順 %d位 (%d/%d%s)", c->rank, c->total, max, part);
		break;
	case KSELECT_IN_SPREAD:
		rc = kbuf_addf(out, "選定: 得点順 %d位 (%d/%d%s)、1点差以内で類型を分散 (%s はそれまで %d 件)", c->rank,
			       c->total, max, part, *cat_of(c) ? cat_of(c) : "類型なし", c->why_count);
		break;
	case KSELECT_IN_OVERRIDE:
		rc = kbuf_addf(out, "選定: %s の判断: %s", c->decided_by ? c->decided_by : "分析担当",
			       c->decision_reason ? c->decision_reason : "");
		break;
	case KSELECT_OUT_OVERRIDE:
		rc = kbuf_addf(out, "対象外: %s の判断: %s", c->decided_by ? c->decided_by : "分析担当",
			       c->decision_reason ? c->decision_reason : "");
		break;
	case KSELECT_OUT_UNSCORED:
		rc = kbuf_adds(out, "対象外: 未採点");
		break;
	case KSELECT_OUT_CAP:
		rc = kbuf_addf(out, "対象外: %s は既に %d 件 (上限 %d、得点 %d%s)", sector_name(c->why_sector), c->why_count,
			       res->cap, c->total, part);
		break;
	case KSELECT_OUT_CUT:
		rc = kbuf_addf(out, "対象外: ボーダー未満 (得点 %d、ボーダー %d%s)", c->total, res->cut, part);
		break;
	case KSELECT_OUT_SPREAD:
		rc = kbuf_addf(out, "対象外: 類型 %s は既に %d 件、1点差以内で他の類型を優先 (得点 %d%s)",
			       *cat_of(c) ? cat_of(c) : "類型なし", c->why_count, c->total, part);
		break;
	case KSELECT_OUT_FULL:
		rc = kbuf_addf(out, "対象外: 分析担当の判断で一覧が埋まっている (得点 %d%s)", c->total, part);
		break;
	case KSELECT_OUT_TIE:
		rc = kbuf_addf(out, "対象外: ボーダーと同点 (得点 %d%s) で優先順位により選外 (類型 %s は %d 件、次に教訓の点、検知の早い順)",
			       c->total, part, *cat_of(c) ? cat_of(c) : "類型なし", c->why_count);
		break;
	default:
		rc = kbuf_adds(out, "?");
	}
	return rc < 0 ? KE_NOMEM : 0;
}

int kselect_cand_cmp_shown(const struct kselect_cand *x, const struct kselect_cand *y)
{
	if (x->in != y->in)
		return x->in ? -1 : 1;
	if (x->in)
		return x->position - y->position;
	if (!x->nscored != !y->nscored)
		return x->nscored ? -1 : 1;
	if (x->total != y->total)
		return y->total - x->total;
	return strcmp(x->id, y->id);
}
