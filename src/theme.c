/*
 * theme.c - the 総括's themes: lessons as vectors of their content words,
 * grouped by average-linkage clustering (the nearest-neighbour chain, so
 * O(n²) for n lessons), named from a small vocabulary of practice or by
 * their weightiest words; analysts' edits (theme_edit.c) applied on top.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "theme.h"
#include "theme_impl.h"
#include "tokenizer.h"
#include "utf8.h"

void ktheme_list_free(struct ktheme_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		ktheme_free_one(&l->v[i]);
	free(l->v);
	kstrv_clear(&l->notes);
	free(l->notes.v);
	memset(l, 0, sizeof(*l));
}

void ktheme_free_one(struct ktheme *t)
{
	for (size_t j = 0; j < t->n; j++)
		free(t->lessons[j].text);
	free(t->lessons);
	free(t->key);
	free(t->name);
	free(t->name_en);
	memset(t, 0, sizeof(*t));
}

/* ---- the vocabulary that names themes ------------------------------------ */

/* Names only: a theme gets one when half of its lessons use one of its words. */
static const struct seed {
	const char *key, *ja, *en;
	const char *words[12];
} seeds[] = {
	{ "contact", "緊急連絡体制", "Emergency contacts and escalation",
	  { "連絡体制", "連絡先", "緊急連絡", "連絡網", "報告体制", "エスカレーション", "通報", "連絡手段", NULL } },
	{ "backup", "バックアップ", "Backups",
	  { "バックアップ", "オフライン", "リストア", "復元", NULL } },
	{ "asset", "資産管理", "Asset management",
	  { "資産管理", "管理台帳", "台帳", "構成管理", "棚卸", "資産", "機器一覧", NULL } },
	{ "contractor", "委託先管理", "Contractor and supplier management",
	  { "委託先", "委託", "再委託", "取引先", "保守業者", "ベンダ", "サプライチェーン", "契約", NULL } },
	{ "exercise", "訓練・演習", "Drills and exercises", { "訓練", "演習", NULL } },
	{ "log", "ログの取得・監視", "Logs and monitoring", { "ログ", "監視", NULL } },
	{ "patch", "脆弱性・パッチ管理", "Vulnerabilities and patches",
	  { "脆弱性", "パッチ", "修正プログラム", "アップデート", "更新プログラム", NULL } },
	{ "auth", "認証・アクセス管理", "Authentication and access control",
	  { "認証", "パスワード", "多要素", "アカウント", "権限", "アクセス制御", "アクセス制限", NULL } },
	{ "education", "教育・意識向上", "Education and awareness",
	  { "教育", "啓発", "リテラシー", "周知", "人材", NULL } },
	{ "management", "経営層の関与", "Management involvement",
	  { "経営層", "経営", "ciso", "トップ", NULL } },
	{ "continuity", "冗長化・事業継続", "Redundancy and business continuity",
	  { "冗長", "bcp", "事業継続", "切替", "切り替", "予備系", "待機系", "レジリエンス", NULL } },
	{ "network", "ネットワーク分離", "Network segmentation",
	  { "ネットワーク分離", "分離", "セグメント", "分割", NULL } },
	{ "sharing", "情報共有", "Information sharing", { "情報共有", "情報交換", "共有", "isac", NULL } },
	{ "response", "インシデント対応体制", "Incident response organisation",
	  { "csirt", "インシデント対応", "対応体制", "対応手順", "判断権者", "マニュアル", "初動", NULL } },
};
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* Generic words of lessons: not what a theme is about. */
static const char *const stopwords[] = {
	"重要", "重要性", "必要", "必要性", "確認", "対応", "実施", "場合", "事前", "対策", "認識", "再認識",
	"可能", "可能性", "有効", "今回", "発生", "組織", "事案", "状況", "適切", "検討", "大切", "徹底",
	"強化", "整備", "気付", "教訓", "以下", "今後", "定期的", "各種", "関係", "活用", "日頃", "日常的",
	"不十分", "十分", "実際", "当該", "一部", "全体", "観点", "セキュリティ", "サイバ", "システム",
	"サイバセキュリティ", "情報", "被害", "影響", "攻撃", "事例", "担当", "担当者", "取組", "取り組",
	"業務", "利用", "必須", "問題", "課題", "自社", "当社", "我々", "社内", "ため", "こと", "もの",
	"要性", "要で", "策を", "the", "and", "of", "to", "a", "in", "is", "for", "be", "it", "on", NULL,
};

/* ---- a term dictionary ----------------------------------------------------- */

struct dict {
	char **term;     /* by id */
	int *whole;      /* 1: a whole word (names may use it), 0: a part */
	size_t n, alloc;
	size_t *slot;    /* open addressing: id + 1, 0 = empty */
	size_t nslot;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int dict_id(struct dict *d, const char *s, size_t n, int whole, size_t *id)
{
	if (d->n * 2 >= d->nslot) {
		size_t ns = d->nslot ? d->nslot * 2 : 1024;
		size_t *sl = calloc(ns, sizeof(*sl));
		if (!sl)
			return KE_NOMEM;
		for (size_t i = 0; i < d->n; i++) {
			size_t h = (size_t)fnv(d->term[i], strlen(d->term[i])) & (ns - 1);
			while (sl[h])
				h = (h + 1) & (ns - 1);
			sl[h] = i + 1;
		}
		free(d->slot);
		d->slot = sl;
		d->nslot = ns;
	}
	size_t h = (size_t)fnv(s, n) & (d->nslot - 1);
	while (d->slot[h]) {
		const char *t = d->term[d->slot[h] - 1];
		if (strlen(t) == n && !memcmp(t, s, n)) {
			*id = d->slot[h] - 1;
			if (whole > d->whole[*id])
				d->whole[*id] = whole;
			return 0;
		}
		h = (h + 1) & (d->nslot - 1);
	}
	if (KGROW(d->term, d->alloc, d->n + 1) < 0)
		return KE_NOMEM;
	int *w = realloc(d->whole, d->alloc * sizeof(*w));
	if (!w)
		return KE_NOMEM;
	d->whole = w;
	if (!(d->term[d->n] = strndup(s, n)))
		return KE_NOMEM;
	d->whole[d->n] = whole;
	d->slot[h] = d->n + 1;
	*id = d->n++;
	return 0;
}

static void dict_free(struct dict *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->term[i]);
	free(d->term);
	free(d->whole);
	free(d->slot);
}

/* ---- lesson vectors -------------------------------------------------------- */

struct feat {
	size_t id;
	double w;
};

struct vec {
	struct feat *f;
	size_t n, alloc;
};

static int is_stop(const char *s, size_t n)
{
	for (int i = 0; stopwords[i]; i++)
		if (strlen(stopwords[i]) == n && !memcmp(stopwords[i], s, n))
			return 1;
	return 0;
}

static int vec_add(struct vec *v, size_t id, double w)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->f[i].id == id) {
			v->f[i].w += w;
			return 0;
		}
	if (KGROW(v->f, v->alloc, v->n + 1) < 0)
		return KE_NOMEM;
	v->f[v->n].id = id;
	v->f[v->n++].w = w;
	return 0;
}

static int term(struct dict *d, struct vec *v, const char *s, size_t n, int whole, double w)
{
	size_t id;
	int rc;

	if (is_stop(s, n))
		return 0;
	if ((rc = dict_id(d, s, n, whole, &id)) < 0)
		return rc;
	return vec_add(v, id, w);
}

enum { C_OTHER, C_KANJI, C_KATA, C_LATIN };

static int cls(uint32_t cp)
{
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    cp == 0x3005 || cp == 0x3006 || (cp >= 0x20000 && cp <= 0x2FFFF))
		return C_KANJI;
	if ((cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x30FD || cp == 0x30FE)
		return C_KATA;
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
		return C_LATIN;
	return C_OTHER;
}

/* The terms of a run [s, s+n) of nch characters of class c (offsets of each character in off). */
static int run_terms(struct dict *d, struct vec *v, const char *s, const size_t *off, size_t nch, int c)
{
	int rc = 0;
	size_t n = off[nch];

	if (c == C_LATIN) {
		int letters = 0;
		for (size_t i = 0; i < n; i++)
			letters += s[i] >= 'a' && s[i] <= 'z';
		if (nch >= 2 && letters)
			rc = term(d, v, s, n, 1, 1.0);
		return rc;
	}
	if (nch < 2)
		return 0;
	if (nch <= 16 && (rc = term(d, v, s, n, c == C_KATA ? 2 : 1, 1.0)) < 0)
		return rc;
	if (c == C_KANJI && nch >= 3)
		for (size_t i = 0; i + 2 <= nch && rc >= 0; i++)
			rc = term(d, v, s + off[i], off[i + 2] - off[i], 0, 0.5);
	if (c == C_KATA && nch >= 4)
		for (size_t i = 0; i + 3 <= nch && rc >= 0; i++)
			rc = term(d, v, s + off[i], off[i + 3] - off[i], 0, 0.3);
	return rc;
}

/* The vector of a lesson (normalised text in norm). */
static int lesson_vec(struct dict *d, const char *norm, size_t len, struct vec *v)
{
	size_t off[18];
	size_t i = 0, start = 0, nch = 0;
	int c = C_OTHER, rc;

	while (i <= len) {
		uint32_t cp = 0;
		int k = 1, cc = C_OTHER;
		if (i < len) {
			k = kutf8_decode(norm + i, len - i, &cp);
			if (k < 1) {
				k = 1;
				cp = 0xFFFD;
			}
			cc = cls(cp);
		}
		if (cc != c || nch >= 16) {
			if (c != C_OTHER && nch) {
				off[nch] = i - start;
				if ((rc = run_terms(d, v, norm + start, off, nch, c)) < 0)
					return rc;
			}
			c = cc;
			start = i;
			nch = 0;
		}
		if (cc != C_OTHER)
			off[nch++] = i - start;
		i += (size_t)k;
	}
	return 0;
}

/* ---- clustering ------------------------------------------------------------ */

/* The condensed similarity matrix of n items: i < j. */
static inline size_t tri(size_t n, size_t i, size_t j)
{
	return i * (2 * n - i - 1) / 2 + (j - i - 1);
}

static inline float *sim_at(float *m, size_t n, size_t i, size_t j)
{
	return i < j ? &m[tri(n, i, j)] : &m[tri(n, j, i)];
}

/* Union-find. */
static size_t root(size_t *up, size_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

/*
 * Average-linkage clusters of n items with the similarity matrix m (it is
 * overwritten): grp[i] = the root item of i's cluster, clusters joined while
 * their average similarity is at least thr.
 */
static int cluster(float *m, size_t n, double thr, size_t *grp)
{
	size_t *size = malloc(n * sizeof(*size)), *chain = malloc((n + 1) * sizeof(*chain));
	unsigned char *active = malloc(n);
	size_t nact = n, top = 0;
	int rc = 0;

	if (!size || !chain || !active) {
		rc = KE_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size[i] = 1;
		active[i] = 1;
		grp[i] = i;
	}
	while (nact > 1) {
		if (!top) {
			for (size_t i = 0; i < n; i++)
				if (active[i]) {
					chain[top++] = i;
					break;
				}
		}
		size_t a = chain[top - 1], b = SIZE_MAX;
		float best = -1;
		if (top >= 2) {
			b = chain[top - 2];
			best = *sim_at(m, n, a, b);
		}
		for (size_t j = 0; j < n; j++) {
			if (!active[j] || j == a)
				continue;
			float s = *sim_at(m, n, a, j);
			if (s > best) {
				best = s;
				b = j;
			}
		}
		if (top >= 2 && b == chain[top - 2]) {
			size_t lo = a < b ? a : b, hi = a < b ? b : a;
			top -= 2;
			if (best >= thr) {
				size_t ra = root(grp, lo), rb = root(grp, hi);
				if (ra != rb)
					grp[rb > ra ? rb : ra] = rb > ra ? ra : rb;
			}
			for (size_t k = 0; k < n; k++) {
				if (!active[k] || k == lo || k == hi)
					continue;
				float *p = sim_at(m, n, lo, k);
				*p = (float)((size[lo] * (double)*p + size[hi] * (double)*sim_at(m, n, hi, k)) /
					     (double)(size[lo] + size[hi]));
			}
			size[lo] += size[hi];
			active[hi] = 0;
			nact--;
		} else
			chain[top++] = b;
	}
	for (size_t i = 0; i < n; i++)
		grp[i] = root(grp, i);
out:
	free(size);
	free(chain);
	free(active);
	return rc;
}

/* ---- the computation ------------------------------------------------------- */

struct item {
	size_t case_index, number;
	const char *text;
	char *norm;
	size_t nlen;
	struct vec v;
};

static int by_first(const struct kcase *cases, const struct item *a, const struct item *b)
{
	int c = strcmp(cases[a->case_index].id ? cases[a->case_index].id : "",
		       cases[b->case_index].id ? cases[b->case_index].id : "");
	if (c)
		return c;
	return a->number < b->number ? -1 : a->number > b->number;
}

static int add_lesson(struct ktheme *t, const struct item *it)
{
	if (KGROW(t->lessons, t->alloc, t->n + 1) < 0)
		return KE_NOMEM;
	struct ktheme_lesson *l = &t->lessons[t->n];
	memset(l, 0, sizeof(*l));
	if (!(l->text = strdup(it->text)))
		return KE_NOMEM;
	l->case_index = it->case_index;
	l->item = it->number;
	t->n++;
	return 0;
}

int ktheme_add(struct ktheme_list *out, const char *key, const char *name, const char *name_en,
	       struct ktheme **t)
{
	if (KGROW(out->v, out->alloc, out->n + 1) < 0)
		return KE_NOMEM;
	*t = &out->v[out->n];
	memset(*t, 0, sizeof(**t));
	if (!((*t)->key = strdup(key)) || !((*t)->name = strdup(name)) ||
	    (name_en && !((*t)->name_en = strdup(name_en)))) {
		ktheme_free_one(*t);
		return KE_NOMEM;
	}
	out->n++;
	return 0;
}

int ktheme_note(struct ktheme_list *out, const char *fmt, ...)
{
	struct kbuf b = KBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = kbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc >= 0)
		rc = kstrv_push(&out->notes, kbuf_str(&b));
	kbuf_release(&b);
	return rc < 0 ? rc : 0;
}

/*
 * The word term (normal form) as the lessons write it: a run of the same
 * script in one of the members' texts whose normal form is term (so that
 * a name shows サーバー, not its normal form サバ); else term itself.
 */
static int surface(const char *term, const struct item *items, const size_t *idx, size_t k, struct kbuf *out)
{
	struct kbuf nb = KBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < k; i++) {
		const char *s = items[idx[i]].text;
		size_t len = strlen(s), p = 0, start = 0;
		int c = C_OTHER;
		while (p <= len) {
			uint32_t cp = 0;
			int n = 1, cc = C_OTHER;
			if (p < len) {
				n = kutf8_decode(s + p, len - p, &cp);
				if (n < 1) {
					n = 1;
					cp = 0xFFFD;
				}
				cc = cls(cp);
				if (cp >= 0xFF66 && cp <= 0xFF9F)
					cc = C_KATA;
				else if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A) ||
					 (cp >= 'A' && cp <= 'Z') || (cp >= 0xFF10 && cp <= 0xFF19))
					cc = C_LATIN;
			}
			if (cc != c) {
				if (c != C_OTHER && p > start) {
					kbuf_reset(&nb);
					if ((rc = ktok_normalize(s + start, p - start, &nb)) < 0)
						goto out;
					if (!strcmp(kbuf_str(&nb), term)) {
						rc = kbuf_add(out, s + start, p - start);
						goto out;
					}
				}
				c = cc;
				start = p;
			}
			p += (size_t)n;
		}
	}
	rc = kbuf_adds(out, term);
out:
	kbuf_release(&nb);
	return rc;
}

/* Name theme t (members: items idx[0..k)) and give it its key. */
static int name_theme(struct ktheme_list *out, struct ktheme *t, const struct item *items, const size_t *idx,
		      size_t k, const struct dict *d, char **seednorm, unsigned char *seed_used,
		      const struct kcase *cases)
{
	size_t best = SIZE_MAX, bestc = 0;
	char key[64];
	int rc;

	for (size_t s = 0; s < NSEEDS; s++) {
		size_t c = 0;
		if (seed_used[s])
			continue;
		/* a lesson's first line (its point) counts 2, its explanation 1 */
		for (size_t i = 0; i < k; i++) {
			const struct item *it = &items[idx[i]];
			const char *nl = strchr(it->norm, '\n');
			size_t v = 0;
			for (size_t w = 0; seeds[s].words[w] && v < 2; w++) {
				const char *hit = seednorm[s * 12 + w] ? strstr(it->norm, seednorm[s * 12 + w]) : NULL;
				if (hit && (!nl || hit < nl))
					v = 2;
				else if (hit)
					v = 1;
			}
			c += v;
		}
		if (c > bestc) {
			bestc = c;
			best = s;
		}
	}
	if (best != SIZE_MAX && bestc >= k) {
		seed_used[best] = 1;
		if (!(t->key = strdup(seeds[best].key)) || !(t->name = strdup(seeds[best].ja)) ||
		    !(t->name_en = strdup(seeds[best].en)))
			return KE_NOMEM;
		return 0;
	}
	/* its two weightiest whole words */
	size_t t1 = SIZE_MAX, t2 = SIZE_MAX;
	double w1 = 0, w2 = 0;
	double *acc = calloc(d->n, sizeof(*acc));
	if (!acc)
		return KE_NOMEM;
	for (size_t i = 0; i < k; i++) {
		const struct vec *v = &items[idx[i]].v;
		for (size_t f = 0; f < v->n; f++)
			acc[v->f[f].id] += v->f[f].w;
	}
	for (int pass = 0; pass < 2; pass++) {
		size_t *tp = pass ? &t2 : &t1;
		double *wp = pass ? &w2 : &w1;
		for (size_t id = 0; id < d->n; id++) {
			if (!d->whole[id] || acc[id] <= 0 || id == t1)
				continue;
			/* the second word says something the first does not */
			if (pass && (strstr(d->term[t1], d->term[id]) || strstr(d->term[id], d->term[t1])))
				continue;
			if (acc[id] > *wp + 1e-12 ||
			    (fabs(acc[id] - *wp) <= 1e-12 && *tp != SIZE_MAX && strcmp(d->term[id], d->term[*tp]) < 0)) {
				*tp = id;
				*wp = acc[id];
			}
		}
		if (t1 == SIZE_MAX)
			break;
	}
	free(acc);
	struct kbuf nb = KBUF_INIT;
	rc = 0;
	if (t1 != SIZE_MAX)
		rc = surface(d->term[t1], items, idx, k, &nb);
	if (rc >= 0 && t2 != SIZE_MAX) {
		/* two words the lessons write as one (不正 + アクセス): that compound */
		struct kbuf w2 = KBUF_INIT, ab = KBUF_INIT, ba = KBUF_INIT;
		int joined = 0;
		rc = surface(d->term[t2], items, idx, k, &w2);
		if (rc >= 0 && (rc = kbuf_add(&ab, nb.buf, nb.len)) >= 0 && (rc = kbuf_add(&ab, w2.buf, w2.len)) >= 0 &&
		    (rc = kbuf_add(&ba, w2.buf, w2.len)) >= 0 && (rc = kbuf_add(&ba, nb.buf, nb.len)) >= 0) {
			for (size_t i = 0; i < k && !joined; i++) {
				if (strstr(items[idx[i]].text, kbuf_str(&ba)))
					joined = 2;
				else if (strstr(items[idx[i]].text, kbuf_str(&ab)))
					joined = 1;
			}
			if (joined) {
				kbuf_reset(&nb);
				rc = kbuf_adds(&nb, kbuf_str(joined == 2 ? &ba : &ab));
			} else if ((rc = kbuf_adds(&nb, "・")) >= 0) /* else "word1・word2" */
				rc = kbuf_add(&nb, w2.buf, w2.len);
		}
		kbuf_release(&w2);
		kbuf_release(&ab);
		kbuf_release(&ba);
	}
	if (rc >= 0 && !nb.len)
		rc = kbuf_adds(&nb, "テーマ");
	if (rc < 0 || !(t->name = kbuf_detach(&nb, NULL))) {
		kbuf_release(&nb);
		return KE_NOMEM;
	}
	/* key: from its first lesson's reference */
	size_t first = idx[0];
	for (size_t i = 1; i < k; i++)
		if (by_first(cases, &items[idx[i]], &items[first]) < 0)
			first = idx[i];
	char ref[600];
	snprintf(ref, sizeof(ref), "%s#%zu", cases[items[first].case_index].id ? cases[items[first].case_index].id : "",
		 items[first].number);
	snprintf(key, sizeof(key), "t-%08x", (unsigned)(fnv(ref, strlen(ref)) & 0xffffffffu));
	for (size_t j = 0; j < out->n; j++)
		if (out->v[j].key && !strcmp(out->v[j].key, key)) {
			size_t l = strlen(key);
			snprintf(key + l, sizeof(key) - l, "-%zu", out->n);
			break;
		}
	if (!(t->key = strdup(key)))
		return KE_NOMEM;
	return 0;
}

struct grp {
	size_t root, size;
	size_t first; /* its first item in case order, for a stable order */
};

static int grp_cmp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Largest first, その他 last; ties by key.  Lessons in case order. */
static int theme_cmp(const void *a, const void *b)
{
	const struct ktheme *x = a, *y = b;
	if (x->other != y->other)
		return x->other - y->other;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int lesson_cmp(const void *a, const void *b)
{
	const struct ktheme_lesson *x = a, *y = b;
	if (x->case_index != y->case_index)
		return x->case_index < y->case_index ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

static const char *org_of(const struct kcase *c)
{
	if (c->owner && *c->owner)
		return c->owner;
	return c->id ? c->id : "";
}

void ktheme_finish(const struct kcase *cases, struct ktheme_list *out)
{
	/* drop emptied themes */
	size_t w = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (!out->v[i].n) {
			ktheme_free_one(&out->v[i]);
			continue;
		}
		out->v[w++] = out->v[i];
	}
	out->n = w;
	for (size_t i = 0; i < out->n; i++) {
		struct ktheme *t = &out->v[i];
		int shared = 0;
		qsort(t->lessons, t->n, sizeof(*t->lessons), lesson_cmp);
		if (!t->other)
			for (size_t j = 1; j < t->n && !shared; j++)
				shared = strcmp(org_of(&cases[t->lessons[j].case_index]),
						org_of(&cases[t->lessons[0].case_index])) != 0;
		for (size_t j = 0; j < t->n; j++)
			t->lessons[j].shared = shared;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), theme_cmp);
}

int ktheme_compute(const struct kcase *cases, size_t n, const char *edits, struct ktheme_list *out,
		   struct kerr *err)
{
	struct item *items = NULL;
	size_t nitems = 0, alloc = 0, nclust;
	struct kstrv les = { 0 };
	struct dict d = { 0 };
	struct kbuf b = KBUF_INIT;
	float *m = NULL;
	size_t *grp = NULL, *df = NULL, *idx = NULL;
	struct grp *groups = NULL;
	char *seednorm[NSEEDS * 12] = { 0 };
	unsigned char seed_used[NSEEDS] = { 0 };
	void *edits_parsed = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* edits first: malformed ones are an error before any work */
	if ((rc = ktheme_edits_parse(edits, &edits_parsed, err)) < 0)
		goto out;
	for (size_t c = 0; c < n; c++) {
		kstrv_clear(&les);
		if ((rc = ktheme_lessons(&cases[c], &les)) < 0)
			goto nomem;
		for (size_t i = 0; i < les.n; i++) {
			if (KGROW(items, alloc, nitems + 1) < 0)
				goto nomem;
			struct item *it = &items[nitems];
			memset(it, 0, sizeof(*it));
			it->case_index = c;
			it->number = i + 1;
			it->text = les.v[i];
			les.v[i] = NULL; /* owned by the item now */
			nitems++;
			kbuf_reset(&b);
			if ((rc = ktok_normalize(it->text, strlen(it->text), &b)) < 0)
				goto nomem;
			if (!(it->norm = kbuf_detach(&b, &it->nlen)) && !(it->norm = strdup("")))
				goto nomem;
		}
	}
	if (!nitems) {
		if ((rc = ktheme_note(out, n ? "教訓がありません（%zu 事例のどれにも「得られた気付き・教訓」も主な教訓もありません） / no lessons: none of the %zu cases has a 得られた気付き・教訓 section or key lessons"
					    : "教訓がありません（事例がありません） / no lessons: no cases", n, n)) < 0)
			goto nomem;
		rc = ktheme_edits_apply(edits_parsed, cases, n, out);
		goto out;
	}
	size_t ngroup = nitems;
	if (ngroup > KTHEME_MAX_LESSONS) {
		ngroup = KTHEME_MAX_LESSONS;
		if ((rc = ktheme_note(out, "教訓 %zu 件のうち最初の %d 件をまとめ、残りは「その他」に置きました / %zu lessons: only the first %d are grouped, the rest are under その他",
				      nitems, KTHEME_MAX_LESSONS, nitems, KTHEME_MAX_LESSONS)) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < ngroup; i++)
		if ((rc = lesson_vec(&d, items[i].norm, items[i].nlen, &items[i].v)) < 0)
			goto nomem;
	/* a katakana word inside a longer one (バックアップ in バックアップデータ) counts too */
	{
		size_t *kata = NULL, nk = 0;
		if (!(kata = malloc((d.n + 1) * sizeof(*kata))))
			goto nomem;
		for (size_t t = 0; t < d.n; t++)
			if (d.whole[t] == 2)
				kata[nk++] = t;
		for (size_t i = 0; i < ngroup && rc >= 0; i++) {
			struct vec *v = &items[i].v;
			size_t nf = v->n;
			for (size_t f = 0; f < nf && rc >= 0; f++) {
				const char *w = d.term[v->f[f].id];
				if (d.whole[v->f[f].id] != 2 || strlen(w) < 9)
					continue;
				for (size_t k = 0; k < nk && rc >= 0; k++)
					if (kata[k] != v->f[f].id && strlen(d.term[kata[k]]) < strlen(w) &&
					    strstr(w, d.term[kata[k]]))
						rc = vec_add(v, kata[k], 0.8);
			}
		}
		free(kata);
		if (rc < 0)
			goto nomem;
	}
	/* idf, unit vectors */
	if (!(df = calloc(d.n + 1, sizeof(*df))))
		goto nomem;
	for (size_t i = 0; i < ngroup; i++)
		for (size_t f = 0; f < items[i].v.n; f++)
			df[items[i].v.f[f].id]++;
	for (size_t i = 0; i < ngroup; i++) {
		double norm = 0;
		struct vec *v = &items[i].v;
		for (size_t f = 0; f < v->n; f++) {
			v->f[f].w *= log(1.0 + (double)ngroup / (double)df[v->f[f].id]);
			norm += v->f[f].w * v->f[f].w;
		}
		norm = sqrt(norm);
		for (size_t f = 0; f < v->n && norm > 0; f++)
			v->f[f].w /= norm;
	}
	/* similarities through an inverted index */
	if (ngroup > 1) {
		size_t npairs = ngroup * (ngroup - 1) / 2;
		size_t *start = calloc(d.n + 1, sizeof(*start)), *fill = NULL;
		struct post {
			size_t item;
			float w;
		} *post = NULL;
		size_t total = 0;
		if (!start || !(m = calloc(npairs, sizeof(*m)))) {
			free(start);
			goto nomem;
		}
		for (size_t t = 0; t < d.n; t++) {
			start[t] = total;
			total += df[t];
		}
		start[d.n] = total;
		if (!(post = malloc((total ? total : 1) * sizeof(*post))) || !(fill = calloc(d.n + 1, sizeof(*fill)))) {
			free(start);
			free(post);
			goto nomem;
		}
		for (size_t i = 0; i < ngroup; i++)
			for (size_t f = 0; f < items[i].v.n; f++) {
				size_t t = items[i].v.f[f].id;
				post[start[t] + fill[t]].item = i;
				post[start[t] + fill[t]++].w = (float)items[i].v.f[f].w;
			}
		for (size_t t = 0; t < d.n; t++)
			for (size_t a = start[t]; a < start[t + 1]; a++)
				for (size_t c = a + 1; c < start[t + 1]; c++)
					m[tri(ngroup, post[a].item, post[c].item)] += post[a].w * post[c].w;
		free(start);
		free(post);
		free(fill);
	}
	if (!(grp = malloc(ngroup * sizeof(*grp))) || !(idx = malloc(nitems * sizeof(*idx))) ||
	    !(groups = calloc(ngroup, sizeof(*groups))))
		goto nomem;
	if (ngroup > 1) {
		if ((rc = cluster(m, ngroup, KTHEME_THRESHOLD, grp)) < 0)
			goto out;
	} else
		grp[0] = 0;
	/* the groups, largest first */
	nclust = 0;
	for (size_t i = 0; i < ngroup; i++) {
		if (grp[i] != i)
			continue;
		groups[nclust].root = i;
		groups[nclust].first = i;
		for (size_t j = i; j < ngroup; j++)
			groups[nclust].size += grp[j] == i;
		nclust++;
	}
	qsort(groups, nclust, sizeof(*groups), grp_cmp);
	/* the vocabulary in normal form */
	for (size_t s = 0; s < NSEEDS; s++)
		for (size_t w = 0; seeds[s].words[w]; w++) {
			kbuf_reset(&b);
			if (ktok_normalize(seeds[s].words[w], strlen(seeds[s].words[w]), &b) < 0 ||
			    !(seednorm[s * 12 + w] = kbuf_detach(&b, NULL)))
				goto nomem;
		}
	struct ktheme *other = NULL;
	for (size_t g = 0; g < nclust; g++) {
		size_t k = 0;
		for (size_t j = 0; j < ngroup; j++)
			if (grp[j] == groups[g].root)
				idx[k++] = j;
		struct ktheme *t;
		if (k == 1) {
			if (!other) {
				if ((rc = ktheme_add(out, KTHEME_OTHER_KEY, "その他", "Other", &t)) < 0)
					goto nomem;
				t->other = 1;
				other = t;
			}
			/* out->v may have moved: find it again */
			for (size_t j = 0; j < out->n; j++)
				if (out->v[j].other)
					other = &out->v[j];
			if ((rc = add_lesson(other, &items[idx[0]])) < 0)
				goto nomem;
			continue;
		}
		if (KGROW(out->v, out->alloc, out->n + 1) < 0)
			goto nomem;
		t = &out->v[out->n];
		memset(t, 0, sizeof(*t));
		out->n++;
		if ((rc = name_theme(out, t, items, idx, k, &d, seednorm, seed_used, cases)) < 0)
			goto nomem;
		for (size_t i = 0; i < k; i++)
			if ((rc = add_lesson(t, &items[idx[i]])) < 0)
				goto nomem;
	}
	if (nitems > ngroup) {
		struct ktheme *t = NULL;
		for (size_t j = 0; j < out->n; j++)
			if (out->v[j].other)
				t = &out->v[j];
		if (!t) {
			if ((rc = ktheme_add(out, KTHEME_OTHER_KEY, "その他", "Other", &t)) < 0)
				goto nomem;
			t->other = 1;
		}
		for (size_t i = ngroup; i < nitems; i++)
			if ((rc = add_lesson(t, &items[i])) < 0)
				goto nomem;
	}
	if ((rc = ktheme_edits_apply(edits_parsed, cases, n, out)) < 0)
		goto out;
	ktheme_finish(cases, out);
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "themes: out of memory");
out:
	if (rc < 0 && rc != KE_NOMEM && !err)
		(void)0;
	if (rc < 0)
		ktheme_list_free(out);
	if (rc >= 0 && !out->n)
		ktheme_finish(cases, out);
	ktheme_edits_free(edits_parsed);
	for (size_t i = 0; i < nitems; i++) {
		free((char *)items[i].text);
		free(items[i].norm);
		free(items[i].v.f);
	}
	free(items);
	kstrv_clear(&les);
	free(les.v);
	dict_free(&d);
	kbuf_release(&b);
	free(m);
	free(grp);
	free(df);
	free(idx);
	free(groups);
	for (size_t i = 0; i < NSEEDS * 12; i++)
		free(seednorm[i]);
	return rc < 0 ? rc : 0;
}
