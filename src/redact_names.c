/*
 * redact_names.c - names: the organisation's own and the names given (with
 * their variants: full- and half-width, 株式会社 / (株) / （株） / ㈱ / 社
 * before or after, with or without spaces), and persons (氏, さん, 様,
 * titles such as 部長, and a list of common family names).
 *
 * An organisation's name is matched literally, never as a pattern: the name
 * and the text are both reduced to a "compact" form (normalised, white
 * space left out, ASCII in lower case, half-width voiced kana composed)
 * that keeps, for each compact code point, where it came from in the text.
 */
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "redact_int.h"
#include "utf8.h"

/* ---- compact form ------------------------------------------------------------------- */

struct compact {
	uint32_t *c;
	size_t *ms, *me; /* the original code points [ms, me) of each */
	size_t n;
};

static void compact_free(struct compact *k)
{
	free(k->c);
	free(k->ms);
	free(k->me);
	memset(k, 0, sizeof(*k));
}

/* Katakana c with a voicing mark (゛: 1, ゜: 2), or 0 when it takes none. */
static uint32_t voiced(uint32_t c, int mark)
{
	static const uint16_t v1[] = { 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,
				       0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB };

	if (mark == 1 && c == 0x30A6)
		return 0x30F4;
	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++)
		if (c == v1[i])
			return mark == 1 ? c + 1 : i >= 15 ? c + 2 : 0;
	return 0;
}

static int compact_make(const uint32_t *u, size_t n, struct compact *k)
{
	k->c = malloc((n + 1) * sizeof(*k->c));
	k->ms = malloc((n + 1) * sizeof(*k->ms));
	k->me = malloc((n + 1) * sizeof(*k->me));
	k->n = 0;
	if (!k->c || !k->ms || !k->me)
		return KE_NOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = u[i];
		int mark = c == 0x309B || c == 0x3099 ? 1 : c == 0x309C || c == 0x309A ? 2 : 0;

		if (r_space(c))
			continue;
		if (mark && k->n && voiced(k->c[k->n - 1], mark)) {
			k->c[k->n - 1] = voiced(k->c[k->n - 1], mark);
			k->me[k->n - 1] = i + 1;
			continue;
		}
		k->c[k->n] = r_lower(c);
		k->ms[k->n] = i;
		k->me[k->n] = i + 1;
		k->n++;
	}
	return 0;
}

/* ---- organisations --------------------------------------------------------------------- */

/* Legal forms, before or after a name (compact: no spaces, lower case, (株) with ASCII brackets). */
static const char *const forms[] = {
	"株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "一般財団法人",
	"公益社団法人", "公益財団法人", "地方独立行政法人", "独立行政法人", "国立研究開発法人",
	"国立大学法人", "学校法人", "医療法人", "社会福祉法人", "(株)", "(有)", "(同)", "(合)", "(社)",
	"(財)", "㈱", "㈲", "㈳", "㈶",
};
/* Forms only after a name. */
static const char *const forms_after[] = {
	",inc.", ",inc", "inc.", "inc", "co.,ltd.", "co.,ltd", "co.ltd.", "ltd.", "ltd", "corporation",
	"corp.", "corp", "k.k.", "社",
};

struct rname {
	uint32_t *core;
	size_t n;
	int id;
};

struct rnames {
	struct rname *v;
	size_t n;
};

/* Length of the literal lit at k->c[i..) (compact), or 0. */
static size_t c_at(const struct compact *k, size_t i, const char *lit)
{
	return r_at(k->c, k->n, i, lit);
}

static size_t c_before(const struct compact *k, size_t i, const char *lit)
{
	return r_before(k->c, i, lit);
}

static int add_name(struct rnames *rn, const char *name)
{
	struct compact k = { 0 };
	size_t len = name ? strlen(name) : 0, s = 0, e, off = 0, n = 0;
	uint32_t *u;
	int changed = 1, rc = 0;

	if (!len || !kutf8_valid(name, len))
		return 0;
	if (!(u = malloc((len + 1) * sizeof(*u))))
		return KE_NOMEM;
	while (off < len) {
		uint32_t c = 0xFFFD;
		int l = kutf8_decode(name + off, len - off, &c);

		u[n++] = kredact_norm(c);
		off += (size_t)(l > 0 ? l : 1);
	}
	if ((rc = compact_make(u, n, &k)))
		goto out;
	e = k.n;
	/* strip the legal forms on either side (as long as a name is left) */
	while (changed) {
		changed = 0;
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			size_t l = c_at(&k, s, forms[f]);

			if (l && l < e - s) {
				s += l;
				changed = 1;
			}
			if ((l = c_before(&k, e, forms[f])) && l < e - s && e - l >= s) {
				e -= l;
				changed = 1;
			}
		}
		for (size_t f = 0; f < sizeof(forms_after) / sizeof(forms_after[0]); f++) {
			size_t l = c_before(&k, e, forms_after[f]);

			if (l && e - l > s + (l == 1 ? 1 : 0)) {
				e -= l;
				changed = 1;
			}
		}
		while (e > s + 1 && (k.c[e - 1] == ',' || k.c[e - 1] == '.')) {
			e--;
			changed = 1;
		}
	}
	if (e > s) {
		struct rname *nv = realloc(rn->v, (rn->n + 1) * sizeof(*nv));
		int id = (int)rn->n;

		if (!nv) {
			rc = KE_NOMEM;
			goto out;
		}
		rn->v = nv;
		nv[rn->n].n = e - s;
		if (!(nv[rn->n].core = malloc((e - s) * sizeof(uint32_t)))) {
			rc = KE_NOMEM;
			goto out;
		}
		memcpy(nv[rn->n].core, k.c + s, (e - s) * sizeof(uint32_t));
		for (size_t i = 0; i < rn->n; i++)
			if (rn->v[i].n == e - s && !memcmp(rn->v[i].core, k.c + s, (e - s) * sizeof(uint32_t))) {
				id = rn->v[i].id;
				break;
			}
		nv[rn->n].id = id;
		rn->n++;
	}
out:
	compact_free(&k);
	free(u);
	return rc;
}

int rnames_new(const struct kstrv *names, const char *owner, struct rnames **out)
{
	struct rnames *rn = calloc(1, sizeof(*rn));
	int rc = 0;

	*out = rn;
	if (!rn)
		return KE_NOMEM;
	/* ids: 0 the owner, then 1 + the index of the name given (redact.c labels by them) */
	if ((rc = add_name(rn, owner && *owner ? owner : NULL)))
		return rc;
	if (rn->n == 0) { /* keep ids aligned: a placeholder that matches nothing */
		struct rname *nv = calloc(1, sizeof(*nv));

		if (!nv)
			return KE_NOMEM;
		rn->v = nv;
		rn->n = 1;
	}
	for (size_t i = 0; names && i < names->n; i++) {
		size_t before = rn->n;

		if ((rc = add_name(rn, names->v[i])))
			return rc;
		if (rn->n == before) { /* nothing left of it: a placeholder */
			struct rname *nv = realloc(rn->v, (rn->n + 1) * sizeof(*nv));

			if (!nv)
				return KE_NOMEM;
			rn->v = nv;
			memset(&nv[rn->n], 0, sizeof(*nv));
			nv[rn->n].id = (int)rn->n;
			rn->n++;
		}
	}
	return 0;
}

void rnames_free(struct rnames *rn)
{
	if (!rn)
		return;
	for (size_t i = 0; i < rn->n; i++)
		free(rn->v[i].core);
	free(rn->v);
	free(rn);
}

/* 社 after a name, unless it starts a word (社員, 社内, 社長 ...). */
static int sha_ok(const struct compact *k, size_t i)
{
	static const char *const words[] = { "社員", "社内", "社長", "社外", "社会", "社屋", "社名", "社用", "社宅" };

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		if (c_at(k, i, words[w]))
			return 0;
	return 1;
}

int rscan_orgs(const struct rnames *rn, const struct rfield *f, struct rcands *out)
{
	struct compact k = { 0 };
	int rc;

	if (!rn || !rn->n || !f->n)
		return 0;
	if ((rc = compact_make(f->u, f->n, &k)))
		goto out;
	for (size_t j = 0; j < k.n; j++) {
		size_t best = 0;
		int id = -1;

		for (size_t i = 0; i < rn->n; i++) {
			const struct rname *nm = &rn->v[i];
			size_t e = j + nm->n;

			if (!nm->n || e > k.n || nm->n <= best || k.c[j] != nm->core[0] ||
			    memcmp(k.c + j, nm->core, nm->n * sizeof(uint32_t)))
				continue;
			/* an ASCII name is a word: not inside a longer one */
			if (r_alnum(nm->core[0]) && k.ms[j] > 0 && r_alnum(f->u[k.ms[j] - 1]))
				continue;
			if (r_alnum(nm->core[nm->n - 1]) && k.me[e - 1] < f->n && r_alnum(f->u[k.me[e - 1]]))
				continue;
			best = nm->n;
			id = nm->id;
		}
		if (id >= 0) {
			size_t s = j, e = j + best, l;
			int grown = 1;

			while (grown) {
				grown = 0;
				for (size_t m = 0; m < sizeof(forms) / sizeof(forms[0]); m++) {
					if ((l = c_before(&k, s, forms[m]))) {
						s -= l;
						grown = 1;
					}
					if ((l = c_at(&k, e, forms[m]))) {
						e += l;
						grown = 1;
					}
				}
			}
			for (size_t m = 0; m < sizeof(forms_after) / sizeof(forms_after[0]); m++)
				if ((l = c_at(&k, e, forms_after[m])) && (l > 1 || sha_ok(&k, e)) &&
				    !(l > 1 && e + l < k.n && r_alnum(k.c[e + l]))) {
					e += l;
					break;
				}
			if ((rc = rcands_add(out, KFIND_NAME, k.ms[s], k.me[e - 1], NULL, NULL)))
				goto out;
			out->v[out->n - 1].name_id = id;
			j = e - 1;
		}
	}
out:
	compact_free(&k);
	return rc;
}

/* ---- persons ------------------------------------------------------------------------- */

/* The 100 or so most common family names in Japan (a fact of the census, in no particular order). */
static const char *const family[] = {
	"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "渡邊", "山本", "中村", "小林", "加藤", "吉田", "山田",
	"佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "斉藤", "清水", "山崎", "森", "池田", "橋本",
	"阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上",
	"遠藤", "青木", "坂本", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野", "三浦", "原田",
	"中川", "松田", "竹内", "小野", "田村", "中山", "和田", "石田", "森田", "上田", "原", "柴田", "酒井",
	"工藤", "横山", "宮崎", "宮本", "内田", "高木", "安藤", "島田", "谷口", "大野", "丸山", "今井", "高田",
	"藤本", "河野", "小島", "村田", "武田", "上野", "杉山", "増田", "小山", "大塚", "平野", "菅原", "久保",
	"松井", "千葉", "岩崎", "桜井", "木下", "野口", "松尾", "菊地", "野村", "新井", "渡部", "佐野", "大西",
	"杉本", "新田", "浅野", "服部", "樋口", "永井", "松岡", "古川", "荒木", "大橋",
};

/* Family names that are also places or words: never taken on their own, only with 氏, 部長 ... */
static const char *const family_alone_not[] = {
	"千葉", "宮崎", "山口", "石川", "中野", "上野", "平野", "小山", "松本", "上田", "大野", "新田",
	"古川", "原田", "中山", "小川", "中島", "和田", "太田",
};

/* Titles after a name (the longest first where one is in another). */
static const char *const titles[] = {
	"代表取締役社長", "代表取締役", "取締役", "執行役員", "副社長", "本部長", "事業部長", "支店長", "部長",
	"副部長", "課長", "係長", "室長", "所長", "局長", "次長", "社長", "会長", "専務", "常務", "理事長",
	"主任", "主査", "担当者", "担当", "院長", "教授", "准教授", "技師", "工場長", "店長",
};

int rfamily_name(const uint32_t *u, size_t s, size_t e)
{
	for (size_t i = 0; i < sizeof(family) / sizeof(family[0]); i++)
		if (r_at(u, e, s, family[i]) == e - s)
			return 1;
	return 0;
}

/*
 * The first family name in u[a, t) that ends at most 2 code points (a given
 * name) before t, or right before t when it is one character (林, 森, 原):
 * its start, or (size_t)-1.
 */
static size_t family_in(const uint32_t *u, size_t a, size_t t, size_t max)
{
	for (size_t q = t > a + max ? t - max : a; q < t; q++)
		for (size_t i = 0; i < sizeof(family) / sizeof(family[0]); i++) {
			size_t l = r_at(u, t, q, family[i]);

			if (l && (l == 1 ? q + 1 == t : q + l + 2 >= t))
				return q;
		}
	return (size_t)-1;
}

/* Words before 氏 or さん that are not names. */
static int not_a_name(const uint32_t *u, size_t s, size_t t)
{
	static const char *const words[] = { "同", "両", "各", "本", "当", "貴", "某", "上記", "前記", "後記",
					     "当該", "担当", "皆", "客", "彼", "故", "諸", "源", "平", "藤原" };
	static const char *const ends[] = { "者", "社", "部", "課", "局", "室", "所", "会", "庁", "省", "院",
					    "県", "市", "府", "都", "団", "組", "員", "様", "係", "班",
					    "先", "屋", "元", "主" };

	if (t <= s)
		return 1;
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		if (r_at(u, t, s, words[w]) == t - s)
			return 1;
	for (size_t w = 0; w < sizeof(ends) / sizeof(ends[0]); w++)
		if (r_before(u, t, ends[w]))
			return 1;
	return 0;
}

static int add_person(struct rcands *out, size_t s, size_t e, const char *label)
{
	return rcands_add(out, KFIND_PERSON, s, e, label, NULL);
}

int rscan_persons(const struct rfield *f, struct rcands *out)
{
	const uint32_t *u = f->u;
	size_t n = f->n;

	for (size_t a = 0; a < n;) {
		size_t b = a, hit = 0;

		if (!r_kanji(u[a])) {
			/* a katakana name with 氏 or さん (ジョンソン氏) */
			if (r_kata(u[a]) && (a == 0 || !r_kata(u[a - 1]))) {
				while (b < n && r_kata(u[b]))
					b++;
				/* (not さん: ベンダーさん, メーカーさん are companies) */
				if (b - a >= 2 && b < n && u[b] == 0x6C0F && !(b + 1 < n && u[b + 1] == 0x540D)) {
					if (add_person(out, a, b + 1, "担当者"))
						return KE_NOMEM;
				}
				a = b > a ? b : a + 1;
				continue;
			}
			a++;
			continue;
		}
		while (b < n && r_kanji(u[b]))
			b++;
		for (size_t t = a; t < b && !hit; t++) {
			uint32_t c = u[t];
			size_t q, l = 0;

			if (c == 0x6C0F /* 氏 */ && t > a && !(t + 1 < n && (u[t + 1] == 0x540D || u[t + 1] == 0x65CF))) {
				q = family_in(u, a, t, 5);
				if (q == (size_t)-1 && t - a >= 2 && t - a <= 4)
					q = a;
				if (q != (size_t)-1 && !not_a_name(u, q, t)) {
					if (add_person(out, q, t + 1, "担当者"))
						return KE_NOMEM;
					hit = 1;
				}
				continue;
			}
			if ((c == 0x69D8 /* 様 */ || c == 0x6BBF /* 殿 */) && t > a &&
			    (q = family_in(u, a, t, 4)) != (size_t)-1 && !not_a_name(u, q, t)) {
				if (add_person(out, q, t + 1, "担当者"))
					return KE_NOMEM;
				hit = 1;
				continue;
			}
			for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]) && t > a; i++)
				if ((l = r_at(u, b, t, titles[i])) && (q = family_in(u, a, t, 4)) != (size_t)-1) {
					/* the label: the title alone (山田部長 → 部長) */
					static const char *const lab[sizeof(titles) / sizeof(titles[0])] = {
						"代表取締役社長", "代表取締役", "取締役", "執行役員", "副社長", "本部長",
						"事業部長", "支店長", "部長", "副部長", "課長", "係長", "室長", "所長",
						"局長", "次長", "社長", "会長", "専務", "常務", "理事長", "主任", "主査",
						"担当者", "担当者", "院長", "教授", "准教授", "技師", "工場長", "店長",
					};

					if (add_person(out, q, t + l, lab[i]))
						return KE_NOMEM;
					hit = 1;
					break;
				}
		}
		/* さん, くん after the run */
		if (!hit && (r_at(u, n, b, "さん") || r_at(u, n, b, "くん"))) {
			size_t q = family_in(u, a, b, 5);

			if (q == (size_t)-1 && b - a >= 2 && b - a <= 4)
				q = a;
			if (q != (size_t)-1 && !not_a_name(u, q, b)) {
				if (add_person(out, q, b + 2, "担当者"))
					return KE_NOMEM;
				hit = 1;
			}
		}
		/* a family name, a space, a given name: 山田 太郎 (a contact's name as forms write it) */
		if (!hit && rfamily_name(u, a, b) && b + 1 < n && u[b] == ' ' && r_kanji(u[b + 1])) {
			size_t g = b + 1;

			while (g < n && r_kanji(u[g]))
				g++;
			int honor = u[g - 1] == 0x6C0F || u[g - 1] == 0x69D8 || u[g - 1] == 0x6BBF; /* 山田 太郎氏 */

			if (g - b - 1 - (size_t)honor <= 3) {
				size_t e = g;
				const char *label = honor ? "担当者" : "職員";

				if (r_at(u, n, e, "さん"))
					e += 2, label = "担当者";
				if (add_person(out, a, e, label))
					return KE_NOMEM;
				a = e;
				continue;
			}
		}
		/* a family name on its own, followed by a particle: 山田が、田中は */
		if (!hit && b - a >= 2 && rfamily_name(u, a, b) && b < n &&
		    (u[b] == 0x304C || u[b] == 0x306F || u[b] == 0x3068 || u[b] == 0x306B || u[b] == 0x3082 ||
		     u[b] == 0x3078 || u[b] == 0x3089 || u[b] == 0x3001 || r_at(u, n, b, "から") || r_at(u, n, b, "より"))) {
			int place = 0;

			for (size_t i = 0; i < sizeof(family_alone_not) / sizeof(family_alone_not[0]); i++)
				place |= r_at(u, b, a, family_alone_not[i]) == b - a;
			if (!place && add_person(out, a, b, "職員"))
				return KE_NOMEM;
		}
		a = b;
	}
	return 0;
}
