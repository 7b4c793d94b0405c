/*
 * search.c - everything of search above the SQL: the query language and its
 * compilation into a safe FTS5 expression, Japanese query segmentation,
 * synonyms, snippets, facets, similar cases and the JSON of a result.
 * The rules are documented in search.h; the SQL is in store_search.c.
 */
#include "search.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "store_search.h"
#include "tokenizer.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- UTF-8 helpers ------------------------------------------------------------ */

/* Decode one code point at s[0..n); returns its length (>= 1), *cp -1 if invalid. */
static int u8_next(const char *s, size_t n, int32_t *cp)
{
	utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s,
					       n > 4 ? 4 : (utf8proc_ssize_t)n, cp);

	if (l <= 0) {
		*cp = -1;
		return 1;
	}
	return (int)l;
}

static int is_kanji(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) ||
	       c == 0x3005 || c == 0x3006 || c == 0x3007 || c == 0x303B;
}

static int is_hiragana(int32_t c)
{
	return (c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E;
}

static int is_katakana(int32_t c)
{
	return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || c == 0x30FD || c == 0x30FE ||
	       (c >= 0x31F0 && c <= 0x31FF);
}

static int is_latin(int32_t c)
{
	if (c < 0)
		return 0;
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
		return !ktok_is_cjk(c);
	default:
		return 0;
	}
}

enum { CL_OTHER, CL_KANJI, CL_HIRA, CL_KATA, CL_LATIN };

static int char_class(int32_t c)
{
	if (is_kanji(c))
		return CL_KANJI;
	if (is_hiragana(c))
		return CL_HIRA;
	if (is_katakana(c))
		return CL_KATA;
	if (is_latin(c))
		return CL_LATIN;
	return CL_OTHER;
}

/* NFKC (no case folding: "OR" must stay an operator) of s; NULL if out of memory
 * or s is not UTF-8 (*bad set). */
static char *nfkc(const char *s, int *bad)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n;

	*bad = 0;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
	if (n < 0) {
		*bad = n != UTF8PROC_ERROR_NOMEM;
		return NULL;
	}
	return (char *)out;
}

/* The index's normal form of s (tokenizer.h), as a new string. */
static char *norm_dup(const char *s, size_t len)
{
	struct kbuf b = KBUF_INIT;

	if (ktok_normalize(s, len, &b) < 0 || kbuf_addch(&b, 0) < 0) {
		kbuf_release(&b);
		return NULL;
	}
	return kbuf_detach(&b, NULL);
}

/* ---- synonyms --------------------------------------------------------------------- */

/* The list compiled in: a copy of data/synonyms.txt without its comments. */
static const char builtin_synonyms[] =
	"予備系 待機系 バックアップ系 副系 スタンバイ系\n"
	"本番系 運用系 現用系 主系\n"
	"切替 切り替え 切り替わ 切換 切り換え 切替え 切換え\n"
	"フェイルオーバ 系切替 系切り替え\n"
	"不正アクセス 侵入 不正侵入 不正ログイン\n"
	"マルウェア 不正プログラム ウイルス 悪性プログラム\n"
	"ランサムウェア ランサム\n"
	"標的型攻撃 標的型メール攻撃 apt攻撃\n"
	"標的型メール 標的型攻撃メール\n"
	"ddos dos サービス妨害攻撃 サービス不能攻撃\n"
	"ブルートフォース 総当たり 総当り 辞書攻撃\n"
	"リスト型攻撃 パスワードリスト攻撃 クレデンシャルスタッフィング\n"
	"フィッシング 偽サイト なりすましサイト\n"
	"なりすまし 成りすまし\n"
	"サポート詐欺 偽警告 テクニカルサポート詐欺\n"
	"改ざん 改竄\n"
	"踏み台 中継サーバ\n"
	"迷惑メール スパムメール spam\n"
	"大量送信 大量配信\n"
	"脆弱性 ぜい弱性\n"
	"パッチ 修正プログラム 更新プログラム セキュリティパッチ\n"
	"設定誤り 設定ミス 設定不備 誤設定\n"
	"不具合 バグ\n"
	"漏洩 漏えい 流出\n"
	"情報漏洩 情報漏えい 情報流出\n"
	"拒否リスト ブラックリスト ブロックリスト denylist blacklist\n"
	"許可リスト ホワイトリスト allowlist whitelist\n"
	"アクセス制限 アクセス制御\n"
	"多要素認証 二要素認証 2要素認証 多段階認証 mfa 2fa\n"
	"ファイアウォール fw ファイヤウォール\n"
	"復旧 復元 リストア\n"
	"訓練 演習\n"
	"再発防止策 再発防止\n"
	"遮断 ブロック\n"
	"委託先 外部委託先 委託業者 委託事業者 業務委託先\n"
	"保守業者 保守ベンダ 保守会社\n"
	"経営層 経営陣 経営者\n"
	"csirt シーサート\n"
	"従業員 職員 社員\n"
	"問い合わせ 問合せ 問合わせ 問い合せ\n"
	"webサイト ウェブサイト ホームページ\n"
	"メールサーバ smtpサーバ\n";

struct syn_entry {
	char *norm;     /* normalised word */
	size_t group;
};

struct ksyn {
	char *source;
	char ***groups;  /* NULL-terminated word arrays */
	size_t ngroups;
	struct syn_entry *e;  /* sorted by norm */
	size_t ne;
};

void ksyn_free(struct ksyn *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ngroups; i++) {
		for (char **w = s->groups[i]; w && *w; w++)
			free(*w);
		free(s->groups[i]);
	}
	for (size_t i = 0; i < s->ne; i++)
		free(s->e[i].norm);
	free(s->groups);
	free(s->e);
	free(s->source);
	free(s);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct syn_entry *)a)->norm, ((const struct syn_entry *)b)->norm);
}

/* Split one line into words at spaces, tabs, "/", ",", "、", "，", "　". */
static int line_words(const char *p, const char *end, struct kstrv *w)
{
	while (p < end) {
		const char *q;
		int32_t cp;
		int l;

		while (p < end) {
			l = u8_next(p, (size_t)(end - p), &cp);
			if (cp == ' ' || cp == '\t' || cp == '/' || cp == ',' || cp == '\r' ||
			    cp == 0x3001 || cp == 0xFF0C || cp == 0x3000)
				p += l;
			else
				break;
		}
		q = p;
		while (q < end) {
			l = u8_next(q, (size_t)(end - q), &cp);
			if (cp == ' ' || cp == '\t' || cp == '/' || cp == ',' || cp == '\r' ||
			    cp == 0x3001 || cp == 0xFF0C || cp == 0x3000)
				break;
			q += l;
		}
		if (q > p && kstrv_pushn(w, p, (size_t)(q - p)) < 0)
			return KE_NOMEM;
		p = q;
	}
	return 0;
}

int ksyn_parse(struct ksyn **out, const char *text, size_t len, const char *what,
	       struct kerr *err)
{
	struct ksyn *s;
	const char *p = text, *end = text + len;
	int rc = 0, lineno = 0;

	*out = NULL;
	if (!kutf8_valid(text, len))
		return kerr_set(err, KE_PARSE, "%s: not UTF-8 text", what);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->source = strdup(what)))
		goto nomem;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash;
		struct kstrv w = { 0 };
		char ***ng;

		lineno++;
		hash = memchr(p, '#', (size_t)(le - p));
		if ((rc = line_words(p, hash ? hash : le, &w)) < 0)
			goto nomem;
		p = nl ? nl + 1 : end;
		if (w.n == 0)
			continue;
		if (w.n == 1) {
			kstrv_clear(&w);
			continue; /* a group of one says nothing */
		}
		ng = realloc(s->groups, (s->ngroups + 1) * sizeof(*ng));
		if (!ng) {
			kstrv_clear(&w);
			goto nomem;
		}
		s->groups = ng;
		/* take the vector's array, NULL-terminated */
		{
			char **nv = realloc(w.v, (w.n + 1) * sizeof(*nv));

			if (!nv) {
				kstrv_clear(&w);
				goto nomem;
			}
			nv[w.n] = NULL;
			w.v = nv;
		}
		s->groups[s->ngroups] = w.v;
		for (size_t i = 0; w.v[i]; i++) {
			struct syn_entry *ne = realloc(s->e, (s->ne + 1) * sizeof(*ne));

			if (!ne)
				goto nomem_group;
			s->e = ne;
			s->e[s->ne].norm = norm_dup(w.v[i], strlen(w.v[i]));
			if (!s->e[s->ne].norm)
				goto nomem_group;
			s->e[s->ne].group = s->ngroups;
			s->ne++;
		}
		s->ngroups++;
		continue;
nomem_group:
		s->ngroups++;
		goto nomem;
	}
	(void)lineno;
	if (s->ne)
		qsort(s->e, s->ne, sizeof(*s->e), entry_cmp);
	*out = s;
	return 0;
nomem:
	ksyn_free(s);
	return kerr_set(err, KE_NOMEM, "out of memory");
}

/* Directory of the running binary, or NULL. */
static char *exe_dir(void)
{
	char buf[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	return strdup(buf);
}

int ksyn_load(struct ksyn **out, const char *path, struct kerr *err)
{
	static const char *const rel[] = {
		"data/synonyms.txt", "../data/synonyms.txt", "../share/kyokun/synonyms.txt",
	};
	struct kbuf b = KBUF_INIT, p = KBUF_INIT;
	const char *env = getenv("KYOKUN_SYNONYMS");
	char *dir = NULL;
	int rc;

	*out = NULL;
	kbuf_setcap(&b, 4u << 20);
	if (!path && env && *env)
		path = env;
	if (path) {
		if ((rc = kbuf_read_file(&b, path, err)) < 0)
			goto out;
		rc = ksyn_parse(out, kbuf_str(&b), b.len, path, err);
		goto out;
	}
	dir = exe_dir();
	for (size_t i = 0; dir && i < sizeof(rel) / sizeof(rel[0]); i++) {
		kbuf_reset(&p);
		if (kbuf_addf(&p, "%s/%s", dir, rel[i]) < 0)
			break;
		if (access(p.buf, R_OK) != 0)
			continue;
		kbuf_reset(&b);
		if ((rc = kbuf_read_file(&b, p.buf, err)) < 0)
			goto out;
		rc = ksyn_parse(out, kbuf_str(&b), b.len, p.buf, err);
		goto out;
	}
	rc = ksyn_parse(out, builtin_synonyms, sizeof(builtin_synonyms) - 1, "built-in", err);
out:
	free(dir);
	kbuf_release(&b);
	kbuf_release(&p);
	return rc;
}

/* The default list is loaded once per process, whichever thread asks first. */
static struct ksyn *syn_def;
static struct kerr syn_def_err;
static int syn_def_rc;
static pthread_once_t syn_def_once = PTHREAD_ONCE_INIT;

static void syn_def_load(void)
{
	syn_def_rc = ksyn_load(&syn_def, NULL, &syn_def_err);
}

int ksyn_default(const struct ksyn **out, struct kerr *err)
{
	pthread_once(&syn_def_once, syn_def_load);
	if (syn_def_rc < 0) {
		if (err)
			*err = syn_def_err;
		return syn_def_rc;
	}
	*out = syn_def;
	return 0;
}

const char *ksyn_source(const struct ksyn *s)
{
	return s ? s->source : NULL;
}

const char *const *ksyn_lookup(const struct ksyn *s, const char *word)
{
	struct syn_entry key, *e;
	size_t g;

	if (!s || !s->ne)
		return NULL;
	key.norm = norm_dup(word, strlen(word));
	if (!key.norm)
		return NULL;
	e = bsearch(&key, s->e, s->ne, sizeof(*s->e), entry_cmp);
	free(key.norm);
	if (!e)
		return NULL;
	g = e->group;
	return (const char *const *)s->groups[g];
}

/* ---- segmentation ------------------------------------------------------------------- */

/* Particles and other function words a typed Japanese word is split at. */
static const char *const particles[] = {
	"について", "に対する", "に対して", "における", "によって", "による", "により",
	"として", "および", "または", "ならびに", "からの", "までの", "での", "への", "との",
	"から", "まで", "より", "など", "にて",
	"の", "を", "に", "へ", "が", "で", "と", "は", "も", "や",
	NULL,
};

static int is_particle(const char *s, size_t n)
{
	for (int i = 0; particles[i]; i++)
		if (strlen(particles[i]) == n && !memcmp(particles[i], s, n))
			return 1;
	return 0;
}

/* Length of the longest particle that s[0..n) ends with (0 if none). */
static size_t particle_suffix(const char *s, size_t n)
{
	size_t best = 0;

	for (int i = 0; particles[i]; i++) {
		size_t l = strlen(particles[i]);

		if (l < n && l > best && !memcmp(s + n - l, particles[i], l))
			best = l;
	}
	return best;
}

struct chunk {
	int cls;
	size_t s, e;
};

/* Kanji that end a compound's first part: 標的型|攻撃, 脆弱性|診断. */
static int kanji_suffix(int32_t c)
{
	return c == 0x578B /* 型 */ || c == 0x6027 /* 性 */ || c == 0x5316 /* 化 */ ||
	       c == 0x7684 /* 的 */ || c == 0x7CFB /* 系 */ || c == 0x8005 /* 者 */;
}

/*
 * Push a segment; a kanji-only one is split further the way Japanese
 * compounds usually divide: 未 is dropped before a word (パッチ未適用 is
 * also said パッチを適用していない), a part ends after a suffix kanji
 * (型 性 化 的 系 者), and four kanji are two words of two (大量送信 =
 * 大量 + 送信).  Returns the number of segments pushed.
 */
static int push_segment(const char *w, size_t s, size_t e, struct kstrv *out)
{
	int32_t cp[64];
	size_t off[65];
	int n = 0, pushed = 0, r;

	for (size_t p = s; p < e && n < 64;) {
		int l = u8_next(w + p, e - p, &cp[n]);

		if (!is_kanji(cp[n]))
			return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
		off[n++] = p;
		p += (size_t)l;
	}
	off[n] = e;
	if (n >= 64)
		return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
	if (n >= 3 && cp[0] == 0x672A /* 未 */)
		return push_segment(w, off[1], e, out);
	for (int i = n - 3; i >= 1; i--) {
		if (kanji_suffix(cp[i]) && n >= 5) {
			if ((r = push_segment(w, s, off[i + 1], out)) < 0)
				return r;
			pushed += r;
			if ((r = push_segment(w, off[i + 1], e, out)) < 0)
				return r;
			return pushed + r;
		}
	}
	if (n == 4) {
		if (kstrv_pushn(out, w + s, off[2] - s) < 0 || kstrv_pushn(out, w + off[2], e - off[2]) < 0)
			return KE_NOMEM;
		return 2;
	}
	return kstrv_pushn(out, w + s, e - s) < 0 ? KE_NOMEM : 1;
}

int kquery_segment(const char *word, struct kstrv *out)
{
	struct chunk *ch = NULL;
	size_t nch = 0, len = strlen(word), pos = 0, seg_s = 0, seg_e = 0;
	int nseg = 0, have = 0, last_cls = CL_OTHER, rc = 0;

	/* runs of one class */
	while (pos < len) {
		int32_t cp;
		int l = u8_next(word + pos, len - pos, &cp), cls = char_class(cp);

		if (cp == 0x30FC && nch && ch[nch - 1].cls == CL_HIRA)
			cls = CL_HIRA;
		if (nch && ch[nch - 1].cls == cls) {
			ch[nch - 1].e = pos + (size_t)l;
		} else {
			struct chunk *nc = realloc(ch, (nch + 1) * sizeof(*nc));

			if (!nc) {
				rc = KE_NOMEM;
				goto out;
			}
			ch = nc;
			ch[nch].cls = cls;
			ch[nch].s = pos;
			ch[nch].e = pos + (size_t)l;
			nch++;
		}
		pos += (size_t)l;
	}

#define CLOSE() do { \
		if (have && seg_e > seg_s) { \
			int np_ = push_segment(word, seg_s, seg_e, out); \
			if (np_ < 0) { \
				rc = KE_NOMEM; \
				goto out; \
			} \
			nseg += np_; \
		} \
		have = 0; \
	} while (0)

	for (size_t i = 0; i < nch; i++) {
		struct chunk *c = &ch[i];
		size_t n = c->e - c->s;

		if (c->cls == CL_OTHER) {
			CLOSE();
			last_cls = CL_OTHER;
			continue;
		}
		if (c->cls == CL_HIRA) {
			int inner = i > 0 && i + 1 < nch && ch[i - 1].cls != CL_HIRA &&
				    ch[i + 1].cls != CL_HIRA && ch[i - 1].cls != CL_OTHER;
			size_t suf;

			if (nch == 1)
				goto extend; /* a word all in hiragana is kept whole */
			if (is_particle(word + c->s, n) && (i > 0 || nch > 1)) {
				CLOSE();
				last_cls = CL_OTHER;
				continue;
			}
			suf = particle_suffix(word + c->s, n);
			if (suf && have && (i + 1 == nch || inner)) {
				/* okurigana + particle: 切り替えの -> 切り替え | */
				seg_e = c->e - suf;
				CLOSE();
				last_cls = CL_OTHER;
				continue;
			}
			/* okurigana: joins the word before it */
			if (!have) {
				have = 1;
				seg_s = c->s;
			}
			seg_e = c->e;
			last_cls = last_cls == CL_KANJI ? CL_KANJI : CL_HIRA;
			continue;
		}
		/* kanji after okurigana of a kanji word continues it (問い合わせ) */
		if (have && c->cls == CL_KANJI && last_cls == CL_KANJI && i > 0 && ch[i - 1].cls == CL_HIRA)
			goto extend;
		if (have && c->cls != last_cls)
			CLOSE();
extend:
		if (!have) {
			have = 1;
			seg_s = c->s;
		}
		seg_e = c->e;
		last_cls = c->cls;
	}
	CLOSE();
#undef CLOSE
out:
	free(ch);
	return rc < 0 ? rc : nseg;
}

/* ---- query parsing ---------------------------------------------------------------- */

enum { N_TERM, N_PHRASE, N_AND, N_OR, N_NOT };

struct qnode {
	int type;
	char *text;             /* N_TERM, N_PHRASE */
	struct qnode **kid;
	size_t nkid;
};

static void qnode_free(struct qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkid; i++)
		qnode_free(n->kid[i]);
	free(n->kid);
	free(n->text);
	free(n);
}

enum { T_END, T_WORD, T_PHRASE, T_LP, T_RP, T_OR, T_NOT };

struct lexer {
	const char *s;
	size_t pos, len;
	int tok;
	const char *t;     /* token text (T_WORD, T_PHRASE) */
	size_t tn;
	int depth, nterms;
	struct kerr *err;
};

static int is_space(int32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == 0x3000 || c == 0xA0;
}

static int is_open_quote(int32_t c)
{
	return c == '"' || c == 0x201C || c == 0x300C || c == 0x300E;
}

static int32_t close_quote(int32_t c)
{
	return c == 0x201C ? 0x201D : c == 0x300C ? 0x300D : c == 0x300E ? 0x300F : '"';
}

static int is_minus(int32_t c)
{
	return c == '-' || c == 0x2212 || c == 0xFF0D;
}

/* Does a word end here? */
static int word_break(int32_t c)
{
	return is_space(c) || is_open_quote(c) || c == '(' || c == ')' || c == 0x201D ||
	       c == 0x300D || c == 0x300F;
}

static int lex(struct lexer *lx)
{
	int32_t cp;
	int l;

	for (;;) {
		if (lx->pos >= lx->len) {
			lx->tok = T_END;
			return 0;
		}
		l = u8_next(lx->s + lx->pos, lx->len - lx->pos, &cp);
		if (!is_space(cp))
			break;
		lx->pos += (size_t)l;
	}
	if (cp == '(') {
		lx->pos += (size_t)l;
		return lx->tok = T_LP, 0;
	}
	if (cp == ')') {
		lx->pos += (size_t)l;
		return lx->tok = T_RP, 0;
	}
	if (cp == '|') {
		lx->pos += (size_t)l;
		return lx->tok = T_OR, 0;
	}
	if (is_open_quote(cp)) {
		int32_t want = close_quote(cp);
		size_t start = lx->pos + (size_t)l, p = start;

		while (p < lx->len) {
			int32_t c2;
			int l2 = u8_next(lx->s + p, lx->len - p, &c2);

			if (c2 == want || (want == '"' && c2 == 0x201D)) {
				lx->t = lx->s + start;
				lx->tn = p - start;
				lx->pos = p + (size_t)l2;
				return lx->tok = T_PHRASE, 0;
			}
			p += (size_t)l2;
		}
		return kerr_set(lx->err, KE_USAGE, "unbalanced quote: a phrase opened with %.*s is not closed",
				l, lx->s + lx->pos);
	}
	if (is_minus(cp) && lx->pos + (size_t)l < lx->len) {
		int32_t c2;

		u8_next(lx->s + lx->pos + l, lx->len - lx->pos - (size_t)l, &c2);
		if (!is_space(c2) && !is_minus(c2)) {
			lx->pos += (size_t)l;
			return lx->tok = T_NOT, 0;
		}
	}
	{
		size_t start = lx->pos, p = start;

		while (p < lx->len) {
			int32_t c2;
			int l2 = u8_next(lx->s + p, lx->len - p, &c2);

			if (word_break(c2) && (p > start || !(c2 == 0x201D || c2 == 0x300D || c2 == 0x300F)))
				break;
			p += (size_t)l2;
		}
		if (p == start) /* a stray closing quote */
			p += (size_t)l;
		lx->t = lx->s + start;
		lx->tn = p - start;
		lx->pos = p;
		if (lx->tn == 2 && !memcmp(lx->t, "OR", 2))
			return lx->tok = T_OR, 0;
		if (lx->tn == 3 && !memcmp(lx->t, "NOT", 3))
			return lx->tok = T_NOT, 0;
		if (lx->tn == 3 && !memcmp(lx->t, "AND", 3))
			return lex(lx);
		return lx->tok = T_WORD, 0;
	}
}

static struct qnode *node_new(int type)
{
	return calloc(1, sizeof(struct qnode));
}

static int node_add(struct qnode *n, struct qnode *k)
{
	struct qnode **nk = realloc(n->kid, (n->nkid + 1) * sizeof(*nk));

	if (!nk)
		return KE_NOMEM;
	n->kid = nk;
	n->kid[n->nkid++] = k;
	return 0;
}

static int parse_and(struct lexer *lx, struct qnode **out);

static int parse_primary(struct lexer *lx, struct qnode **out)
{
	struct qnode *n;
	int rc;

	*out = NULL;
	switch (lx->tok) {
	case T_WORD:
	case T_PHRASE:
		if (++lx->nterms > KSEARCH_MAX_TERMS)
			return kerr_set(lx->err, KE_TOOBIG, "the query has more than %d words",
					KSEARCH_MAX_TERMS);
		n = node_new(0);
		if (!n)
			return KE_NOMEM;
		n->type = lx->tok == T_WORD ? N_TERM : N_PHRASE;
		n->text = strndup(lx->t, lx->tn);
		if (!n->text) {
			free(n);
			return KE_NOMEM;
		}
		*out = n;
		return lex(lx);
	case T_LP:
		if (++lx->depth > 16)
			return kerr_set(lx->err, KE_TOOBIG, "the query nests parentheses too deeply");
		if ((rc = lex(lx)) < 0)
			return rc;
		if ((rc = parse_and(lx, out)) < 0)
			return rc;
		if (lx->tok != T_RP)
			return kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \"(\" is not closed");
		lx->depth--;
		if (!*out)
			return kerr_set(lx->err, KE_USAGE, "empty parentheses");
		return lex(lx);
	case T_RP:
		return kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\"");
	case T_OR:
		return kerr_set(lx->err, KE_USAGE, "OR needs a word on each side");
	case T_NOT:
		return kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) needs a word after it");
	default:
		return kerr_set(lx->err, KE_USAGE, "the query ends too early");
	}
}

static int parse_unary(struct lexer *lx, struct qnode **out)
{
	struct qnode *n, *k;
	int rc;

	if (lx->tok != T_NOT)
		return parse_primary(lx, out);
	if ((rc = lex(lx)) < 0)
		return rc;
	if (lx->tok == T_NOT)
		return kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) twice");
	if ((rc = parse_primary(lx, &k)) < 0) {
		qnode_free(k);
		return rc;
	}
	n = node_new(0);
	if (!n || node_add(n, k) < 0) {
		free(n);
		qnode_free(k);
		return KE_NOMEM;
	}
	n->type = N_NOT;
	*out = n;
	return 0;
}

static int parse_or(struct lexer *lx, struct qnode **out)
{
	struct qnode *n = NULL, *k = NULL;
	int rc;

	if ((rc = parse_unary(lx, &k)) < 0)
		goto fail;
	if (lx->tok != T_OR) {
		*out = k;
		return 0;
	}
	n = node_new(0);
	if (!n || node_add(n, k) < 0) {
		rc = KE_NOMEM;
		goto fail;
	}
	n->type = N_OR;
	k = NULL;
	while (lx->tok == T_OR) {
		if ((rc = lex(lx)) < 0)
			goto fail;
		if (lx->tok == T_END || lx->tok == T_RP || lx->tok == T_OR) {
			rc = kerr_set(lx->err, KE_USAGE, "OR needs a word on each side");
			goto fail;
		}
		if ((rc = parse_unary(lx, &k)) < 0)
			goto fail;
		if (node_add(n, k) < 0) {
			rc = KE_NOMEM;
			goto fail;
		}
		k = NULL;
	}
	*out = n;
	return 0;
fail:
	qnode_free(k);
	qnode_free(n);
	*out = NULL;
	return rc;
}

static int parse_and(struct lexer *lx, struct qnode **out)
{
	struct qnode *n = node_new(0), *k = NULL;
	int rc;

	*out = NULL;
	if (!n)
		return KE_NOMEM;
	n->type = N_AND;
	while (lx->tok != T_END && lx->tok != T_RP) {
		if ((rc = parse_or(lx, &k)) < 0)
			goto fail;
		if (node_add(n, k) < 0) {
			rc = KE_NOMEM;
			goto fail;
		}
		k = NULL;
	}
	if (n->nkid == 0) {
		qnode_free(n);
		return 0;
	}
	*out = n;
	return 0;
fail:
	qnode_free(k);
	qnode_free(n);
	return rc;
}

/* ---- compilation to FTS5 ----------------------------------------------------------------- */

struct compiler {
	struct kquery *q;
	const struct ksyn *syn;
	int flags;
	int relax;      /* AND becomes OR: the relaxed tier */
	struct kerr *err;
};

struct tokinfo {
	int n;
	int last_single_cjk;
};

static int tok_count(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tokinfo *ti = ctx;
	int32_t cp;
	int l = u8_next(tok, (size_t)ntok, &cp);

	ti->n++;
	ti->last_single_cjk = l == ntok && ktok_is_cjk(cp);
	return 0;
}

/* Append s as an FTS5 string ("..." with quotes doubled); nonzero out of memory. */
static int add_quoted(struct kbuf *b, const char *s)
{
	int rc = kbuf_addch(b, '"');

	for (const char *p = s; *p; p++)
		rc |= *p == '"' ? kbuf_adds(b, "\"\"") : kbuf_addch(b, *p);
	return rc | kbuf_addch(b, '"');
}

/* Append one FTS5 string for text; *empty if text has no searchable token. */
static int emit_string(struct compiler *cc, struct kbuf *out, const char *text, int term, int kind,
		       int *empty)
{
	struct tokinfo ti = { 0, 0 };
	struct kphrase *np;
	int rc = 0;

	ktok_tokenize(text, -1, 1, tok_count, &ti);
	*empty = ti.n == 0;
	if (*empty)
		return 0;
	if (cc->relax)
		goto write;
	if (cc->q->nphrases >= KSEARCH_MAX_PHRASES)
		return kerr_set(cc->err, KE_TOOBIG, "the query is too long (more than %d terms with "
				"synonyms and segments)", KSEARCH_MAX_PHRASES);
	np = realloc(cc->q->phrases, (cc->q->nphrases + 1) * sizeof(*np));
	if (!np)
		return KE_NOMEM;
	cc->q->phrases = np;
	np = &cc->q->phrases[cc->q->nphrases];
	np->text = strdup(text);
	if (!np->text)
		return KE_NOMEM;
	np->prefix = ti.last_single_cjk;
	np->term = term;
	np->kind = kind;
	cc->q->nphrases++;
write:
	rc |= add_quoted(out, text);
	if (ti.last_single_cjk)
		rc |= kbuf_adds(out, " *");
	return rc ? KE_NOMEM : 0;
}

/* The tokens of a query string, joined by NUL bytes; prefix when its last is one CJK character. */
struct toks {
	struct kbuf b;
	int prefix;
};

static int toks_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct toks *t = ctx;
	int32_t cp;
	int l = u8_next(tok, (size_t)ntok, &cp);

	(void)start;
	(void)end;
	t->prefix = l == ntok && ktok_is_cjk(cp);
	return kbuf_add(&t->b, tok, (size_t)ntok) || kbuf_addch(&t->b, '\0') ? KE_NOMEM : 0;
}

/*
 * Does every row holding b hold a as well?  So when a's tokens are a run of
 * b's (ランサム in ランサムウェア, 委託先 in 外部委託先): b then adds nothing
 * to an OR with a but the time to look it up.  Prefix strings are left be.
 */
static int subsumes(const struct toks *a, const struct toks *b)
{
	if (a->prefix || b->prefix || a->b.len == 0 || a->b.len > b->b.len)
		return 0;
	for (size_t i = 0; i + a->b.len <= b->b.len; i++) {
		if ((i == 0 || b->b.buf[i - 1] == '\0') && !memcmp(b->b.buf + i, a->b.buf, a->b.len))
			return 1;
	}
	return 0;
}

/*
 * "w" or ("w" OR "syn1" OR ...).  An alternative that another one subsumes
 * is left out of the match (not with KQ_ALL_PHRASES, which the snippets
 * use: there the longer word is what to mark).
 */
static int emit_with_synonyms(struct compiler *cc, struct kbuf *out, const char *w, int term,
			      int kind, int *empty)
{
	const char *const *g = (cc->flags & KQ_NO_SYNONYMS) ? NULL : ksyn_lookup(cc->syn, w);
	const char *alt_text[KSEARCH_MAX_PHRASES + 1];
	struct toks tk[KSEARCH_MAX_PHRASES + 1];
	struct kbuf alt = KBUF_INIT;
	size_t mark = out->len, na = 0;
	int rc = 0, n = 0, e;

	alt_text[na++] = w;
	for (; g && *g && na <= KSEARCH_MAX_PHRASES; g++) {
		char *a = norm_dup(*g, strlen(*g)), *b = norm_dup(w, strlen(w));
		int same = a && b && !strcmp(a, b);

		free(a);
		free(b);
		if (!same)
			alt_text[na++] = *g;
	}
	memset(tk, 0, sizeof(tk));
	if (!(cc->flags & KQ_ALL_PHRASES) && na > 1)
		for (size_t i = 0; i < na; i++)
			if ((rc = ktok_tokenize(alt_text[i], -1, 1, toks_cb, &tk[i])) != 0) {
				rc = KE_NOMEM;
				goto out;
			}
	for (size_t i = 0; i < na; i++) {
		int skip = 0;

		for (size_t j = 0; j < na && !skip && !(cc->flags & KQ_ALL_PHRASES) && na > 1; j++)
			if (j != i && subsumes(&tk[j], &tk[i]) &&
			    (tk[j].b.len < tk[i].b.len || j < i)) /* of two the same, the first stays */
				skip = 1;
		if (skip)
			continue;
		if (n && (rc = kbuf_adds(&alt, " OR ")) < 0)
			goto out;
		if ((rc = emit_string(cc, &alt, alt_text[i], term, i ? KP_SYNONYM : kind, &e)) < 0)
			goto out;
		if (e && n)
			kbuf_setlen(&alt, alt.len - 4);
		n += !e;
	}
	*empty = n == 0;
	if (n > 1)
		rc = kbuf_addf(out, "(%s)", kbuf_str(&alt));
	else if (n == 1)
		rc = kbuf_adds(out, kbuf_str(&alt));
	if (rc < 0)
		kbuf_setlen(out, mark);
out:
	for (size_t i = 0; i < na; i++)
		kbuf_release(&tk[i].b);
	kbuf_release(&alt);
	return rc;
}

/* Does w contain a CJK character?  (Only such words are segmented.) */
static int has_cjk(const char *w)
{
	size_t n = strlen(w);

	for (size_t p = 0; p < n;) {
		int32_t cp;

		p += (size_t)u8_next(w + p, n - p, &cp);
		if (ktok_is_cjk(cp))
			return 1;
	}
	return 0;
}

/* A typed word: exact (+ synonyms), OR all its segments (each + synonyms). */
static int emit_term(struct compiler *cc, struct kbuf *out, const char *w, int term, int *empty)
{
	struct kstrv seg = { 0 };
	struct kbuf conj = KBUF_INIT, whole = KBUF_INIT;
	int rc, e, nseg = 0, nconj = 0;

	if ((rc = emit_with_synonyms(cc, &whole, w, term, KP_EXACT, empty)) < 0)
		goto out;
	if (!(cc->flags & KQ_NO_SEGMENT) && has_cjk(w)) {
		if ((nseg = kquery_segment(w, &seg)) < 0) {
			rc = nseg;
			goto out;
		}
	}
	if (nseg > 1) {
		for (size_t i = 0; i < seg.n; i++) {
			const char *op = cc->relax ? " OR " : " AND ";

			if (nconj && (rc = kbuf_adds(&conj, op)) < 0)
				goto out;
			if ((rc = emit_with_synonyms(cc, &conj, seg.v[i], term, KP_SEGMENT, &e)) < 0)
				goto out;
			if (e && nconj)
				kbuf_setlen(&conj, conj.len - strlen(op));
			nconj += !e;
		}
	}
	if (nconj > 0 && !*empty)
		rc = kbuf_addf(out, "(%s OR %s%s%s)", kbuf_str(&whole), nconj > 1 ? "(" : "",
			       kbuf_str(&conj), nconj > 1 ? ")" : "");
	else if (!*empty)
		rc = kbuf_adds(out, kbuf_str(&whole));
	rc = rc < 0 ? KE_NOMEM : 0;
out:
	kstrv_clear(&seg);
	kbuf_release(&conj);
	kbuf_release(&whole);
	return rc;
}

static int add_term(struct kquery *q, const char *text)
{
	char **nt = realloc(q->terms, (q->nterms + 1) * sizeof(*nt));

	if (!nt)
		return KE_NOMEM;
	q->terms = nt;
	if (!(q->terms[q->nterms] = strdup(text)))
		return KE_NOMEM;
	return (int)q->nterms++;
}

/* Compile n into out; *empty when nothing searchable came of it. */
static int compile(struct compiler *cc, struct qnode *n, struct kbuf *out, int neg, int *empty)
{
	struct kbuf pos = KBUF_INIT, negs = KBUF_INIT, one = KBUF_INIT;
	int rc = 0, np = 0, nn = 0, e, term;

	*empty = 1;
	switch (n->type) {
	case N_TERM:
	case N_PHRASE:
		term = -1;
		if (!neg && !cc->relax && (term = add_term(cc->q, n->text)) < 0)
			return KE_NOMEM;
		if (n->type == N_PHRASE || neg)
			rc = emit_string(cc, out, n->text, term, KP_EXACT, empty);
		else
			rc = emit_term(cc, out, n->text, term, empty);
		return rc;
	case N_NOT:
		return kerr_set(cc->err, KE_USAGE, "an excluded word (-%s) cannot stand alone or in an OR",
				n->kid[0]->text ? n->kid[0]->text : "(...)");
	case N_OR:
		for (size_t i = 0; i < n->nkid; i++) {
			if (n->kid[i]->type == N_NOT) {
				rc = kerr_set(cc->err, KE_USAGE, "an excluded word cannot be part of an OR");
				goto out;
			}
			kbuf_reset(&one);
			if ((rc = compile(cc, n->kid[i], &one, neg, &e)) < 0)
				goto out;
			if (e)
				continue;
			if (np && kbuf_adds(&pos, " OR ") < 0)
				goto nomem;
			if (kbuf_adds(&pos, kbuf_str(&one)) < 0)
				goto nomem;
			np++;
		}
		if (np > 1)
			rc = kbuf_addf(out, "(%s)", kbuf_str(&pos));
		else if (np == 1)
			rc = kbuf_adds(out, kbuf_str(&pos));
		*empty = np == 0;
		goto out;
	case N_AND:
		for (size_t i = 0; i < n->nkid; i++) {
			struct qnode *k = n->kid[i];
			int isneg = k->type == N_NOT;

			kbuf_reset(&one);
			if ((rc = compile(cc, isneg ? k->kid[0] : k, &one, neg || isneg, &e)) < 0)
				goto out;
			if (e)
				continue;
			if (isneg) {
				if ((nn && kbuf_adds(&negs, " OR ") < 0) || kbuf_adds(&negs, kbuf_str(&one)) < 0)
					goto nomem;
				nn++;
				if (!cc->relax)
					cc->q->has_not = 1;
			} else {
				if ((np && kbuf_adds(&pos, cc->relax ? " OR " : " AND ") < 0) ||
				    kbuf_adds(&pos, kbuf_str(&one)) < 0)
					goto nomem;
				np++;
			}
		}
		if (np == 0 && nn > 0) {
			rc = kerr_set(cc->err, KE_USAGE, "the query only excludes words: add a word to search for");
			goto out;
		}
		if (np == 0)
			goto out;
		*empty = 0;
		if (nn)
			rc = kbuf_addf(out, "(%s%s%s NOT %s%s%s)", np > 1 ? "(" : "", kbuf_str(&pos),
				       np > 1 ? ")" : "", nn > 1 ? "(" : "", kbuf_str(&negs), nn > 1 ? ")" : "");
		else if (np > 1)
			rc = kbuf_addf(out, "(%s)", kbuf_str(&pos));
		else
			rc = kbuf_adds(out, kbuf_str(&pos));
		goto out;
	}
out:
	kbuf_release(&pos);
	kbuf_release(&negs);
	kbuf_release(&one);
	return rc < 0 ? (rc == KE_NOMEM || rc == KE_TOOBIG ? rc : rc) : 0;
nomem:
	rc = KE_NOMEM;
	goto out;
}

void kquery_free(struct kquery *q)
{
	if (!q)
		return;
	free(q->match);
	free(q->head_match);
	free(q->relaxed_match);
	for (size_t i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	for (size_t i = 0; i < q->nphrases; i++)
		free(q->phrases[i].text);
	free(q->phrases);
	memset(q, 0, sizeof(*q));
}

int kquery_compile(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		   struct kerr *err)
{
	struct lexer lx = { 0 };
	struct compiler cc = { q, syn, flags, 0, err };
	struct qnode *root = NULL;
	struct kbuf out = KBUF_INIT;
	char *norm = NULL;
	int rc, bad, empty;

	memset(q, 0, sizeof(*q));
	if (!text)
		text = "";
	if (strlen(text) > KSEARCH_MAX_QUERY)
		return kerr_set(err, KE_TOOBIG, "the query is too long (%zu bytes; at most %d)",
				strlen(text), KSEARCH_MAX_QUERY);
	norm = nfkc(text, &bad);
	if (!norm) {
		if (bad)
			return kerr_set(err, KE_USAGE, "the query is not valid UTF-8 text");
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	lx.s = norm;
	lx.len = strlen(norm);
	lx.err = err;
	if ((rc = lex(&lx)) < 0)
		goto out;
	if ((rc = parse_and(&lx, &root)) < 0)
		goto out;
	if (lx.tok == T_RP) {
		rc = kerr_set(err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\"");
		goto out;
	}
	if (!root) {
		rc = kerr_set(err, KE_USAGE, "empty query: give a word to search for");
		goto out;
	}
	if ((rc = compile(&cc, root, &out, 0, &empty)) < 0)
		goto out;
	if (empty) {
		rc = kerr_set(err, KE_USAGE, "the query has no word to search for (only punctuation?)");
		goto out;
	}
	q->match = kbuf_detach(&out, NULL);
	if (!q->match || kbuf_addf(&out, "{title summary lessons} : (%s)", q->match) < 0) {
		rc = KE_NOMEM;
		goto out;
	}
	q->head_match = kbuf_detach(&out, NULL);
	if (!q->head_match) {
		rc = KE_NOMEM;
		goto out;
	}
	/* the relaxed tier: any of the words (and segments), none of the excluded */
	cc.relax = 1;
	if ((rc = compile(&cc, root, &out, 0, &empty)) < 0)
		goto out;
	if (!empty && strcmp(kbuf_str(&out), q->match)) {
		char *r = kbuf_detach(&out, NULL);

		if (!r || kbuf_addf(&out, "(%s) NOT (%s)", r, q->match) < 0) {
			free(r);
			rc = KE_NOMEM;
			goto out;
		}
		free(r);
		if (!(q->relaxed_match = kbuf_detach(&out, NULL)))
			rc = KE_NOMEM;
	}
out:
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0)
		kquery_free(q);
	qnode_free(root);
	kbuf_release(&out);
	free(norm);
	return rc;
}

/* ---- filters and facets -------------------------------------------------------------------- */

static const char *const facet_names[KFACET__N] = {
	"category", "document", "year", "event_class", "threat", "sector", "reader_level", "tlp",
};

const char *kfacet_name(int facet)
{
	return facet >= 0 && facet < KFACET__N ? facet_names[facet] : NULL;
}

int ksearch_filter_set(struct kfilter *f, const char *key, const char *value, struct kerr *err)
{
	if (!value || !*value)
		return kerr_set(err, KE_USAGE, "filter %s: empty value", key);
	if (!strcmp(key, "category")) {
		f->category = value;
	} else if (!strcmp(key, "document")) {
		f->document = value;
	} else if (!strcmp(key, "year")) {
		char *end;
		long y;

		errno = 0;
		y = strtol(value, &end, 10);
		if (errno || *end || y <= 0 || y > 9999)
			return kerr_set(err, KE_USAGE, "filter year: expected a year such as 2020, not \"%s\"",
					value);
		f->year = (int)y;
	} else if (!strcmp(key, "event_class")) {
		if (strcmp(value, "cyber_attack") && strcmp(value, "system_failure") && strcmp(value, "other"))
			return kerr_set(err, KE_USAGE, "filter event_class: expected cyber_attack, "
					"system_failure or other");
		f->event_class = value;
	} else if (!strcmp(key, "threat")) {
		f->threat = value;
	} else if (!strcmp(key, "sector")) {
		f->sector = value;
	} else if (!strcmp(key, "reader_level")) {
		if (strcmp(value, "basic") && strcmp(value, "advanced"))
			return kerr_set(err, KE_USAGE, "filter reader_level: expected basic or advanced");
		f->reader_level = value;
	} else if (!strcmp(key, "tlp")) {
		if (!ktlp_valid(value))
			return kerr_set(err, KE_USAGE, "filter tlp: expected clear, green, amber, "
					"amber+strict or red");
		f->tlp = value;
	} else {
		return kerr_set(err, KE_USAGE, "unknown filter \"%s\" (known: category, document, year, "
				"event_class, threat, sector, reader_level, tlp)", key);
	}
	return 0;
}

static int facet_cb(void *ctx, int facet, const char *value, long count)
{
	struct ksearch_result *res = ctx;
	struct kfacet *f;
	struct kfacet_value *nv;

	if (facet < 0 || facet >= KFACET__N || !value)
		return 0;
	f = &res->facets[facet];
	nv = realloc(f->v, (f->n + 1) * sizeof(*nv));
	if (!nv)
		return KE_NOMEM;
	f->v = nv;
	if (!(f->v[f->n].value = strdup(value)))
		return KE_NOMEM;
	f->v[f->n].count = count;
	f->n++;
	return 0;
}

static int fv_cmp(const void *a, const void *b)
{
	const struct kfacet_value *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->value, y->value);
}

/* ---- hits -------------------------------------------------------------------------------- */

static int row_cb(void *ctx, const struct kcase_row *r)
{
	struct ksearch_hit *h = ctx;

	h->rid = r->rid;
	if (!(h->id = strdup(r->id)) || !(h->title = strdup(r->title ? r->title : "")) ||
	    (r->document && !(h->document = strdup(r->document))) ||
	    (r->category && !(h->category = strdup(r->category))) ||
	    (r->tlp && !(h->tlp = strdup(r->tlp))))
		return KE_NOMEM;
	h->has_year = r->has_year;
	h->year = r->year;
	h->has_case_number = r->has_case_number;
	h->case_number = r->case_number;
	return 0;
}

static void hit_free(struct ksearch_hit *h)
{
	free(h->id);
	free(h->title);
	free(h->document);
	free(h->category);
	free(h->tlp);
	free(h->snippet);
	free(h->spans);
	for (size_t i = 0; i < h->nshared; i++)
		free(h->shared[i]);
	free(h->shared);
}

void ksearch_result_free(struct ksearch_result *res)
{
	if (!res)
		return;
	free(res->query);
	free(res->match);
	for (size_t i = 0; i < res->nhits; i++)
		hit_free(&res->hits[i]);
	free(res->hits);
	for (int f = 0; f < KFACET__N; f++) {
		for (size_t i = 0; i < res->facets[f].n; i++)
			free(res->facets[f].v[i].value);
		free(res->facets[f].v);
	}
	for (size_t i = 0; i < res->nterms; i++)
		free(res->terms[i]);
	free(res->terms);
	memset(res, 0, sizeof(*res));
}

/* ---- snippets ------------------------------------------------------------------------------ */

#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"

/* Marks in a highlighted column: [start, end) in bytes of the unmarked text. */
struct marks {
	struct kspan *v;
	size_t n;
	char *plain;
	size_t len;
};

static int unmark(const char *hl, struct marks *m)
{
	size_t n = strlen(hl), o = 0, alloc = 0;
	int open = -1;

	m->plain = malloc(n + 1);
	m->v = NULL;
	m->n = 0;
	if (!m->plain)
		return KE_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (hl[i] == HL_OPEN[0]) {
			open = (int)o;
		} else if (hl[i] == HL_CLOSE[0]) {
			if (open >= 0 && (int)o > open) {
				if (m->n == alloc) {
					size_t na = alloc ? alloc * 2 : 8;
					struct kspan *nv = realloc(m->v, na * sizeof(*nv));

					if (!nv)
						return KE_NOMEM;
					m->v = nv;
					alloc = na;
				}
				m->v[m->n].start = open;
				m->v[m->n].end = (int)o;
				m->n++;
			}
			open = -1;
		} else {
			m->plain[o++] = hl[i];
		}
	}
	m->plain[o] = 0;
	m->len = o;
	return 0;
}

/* Byte offset of the start of the character k characters before/after pos. */
static size_t char_back(const char *s, size_t pos, int k)
{
	while (pos > 0 && k > 0) {
		pos--;
		while (pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80)
			pos--;
		k--;
	}
	return pos;
}

static size_t char_fwd(const char *s, size_t len, size_t pos, int k)
{
	while (pos < len && k > 0) {
		pos++;
		while (pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
			pos++;
		k--;
	}
	return pos;
}

static size_t nchars(const char *s, size_t a, size_t b)
{
	size_t n = 0;

	for (size_t i = a; i < b; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Distinct marked strings (normalised) in m: how many different words matched. */
static int distinct_marks(const struct marks *m)
{
	int d = 0;

	for (size_t i = 0; i < m->n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = m->v[j].end - m->v[j].start == m->v[i].end - m->v[i].start &&
			       !memcmp(m->plain + m->v[j].start, m->plain + m->v[i].start,
				       (size_t)(m->v[i].end - m->v[i].start));
		d += !seen;
	}
	return d;
}

/*
 * A one-character query ("系" *) matches the bigrams that start with it, and
 * the highlighter marks the whole bigram (系と); cut such a mark back to the
 * character, unless a whole phrase of the query is in it.
 */
static void trim_prefix_marks(struct marks *m, const struct kquery *q)
{
	int any = 0;

	for (size_t i = 0; i < q->nphrases; i++)
		any |= q->phrases[i].prefix && q->phrases[i].term >= 0;
	if (!any)
		return;
	for (size_t k = 0; k < m->n; k++) {
		struct kspan *sp = &m->v[k];
		char *span = norm_dup(m->plain + sp->start, (size_t)(sp->end - sp->start));
		int whole = 0, pre = 0;

		if (!span)
			return;
		for (size_t i = 0; i < q->nphrases && !whole; i++) {
			char *pn = norm_dup(q->phrases[i].text, strlen(q->phrases[i].text));

			if (!pn)
				break;
			if (!q->phrases[i].prefix)
				whole = strstr(span, pn) != NULL;
			else if (!strncmp(span, pn, strlen(pn)) && strlen(pn) < strlen(span))
				pre = 1;
			free(pn);
		}
		free(span);
		if (!whole && pre) {
			int32_t cp;
			int e = sp->start + u8_next(m->plain + sp->start, (size_t)(sp->end - sp->start), &cp);

			/* keep combining and half-width voiced marks with it */
			while (e < sp->end) {
				int l = u8_next(m->plain + e, (size_t)(sp->end - e), &cp);

				if (!(cp == 0xFF9E || cp == 0xFF9F || cp == 0x3099 || cp == 0x309A ||
				      utf8proc_category(cp) == UTF8PROC_CATEGORY_MN))
					break;
				e += l;
			}
			sp->end = e;
		}
	}
}

static int make_snippet(struct kstore *st, const char *match, const struct kquery *q,
			struct ksearch_hit *h, int chars, struct kerr *err)
{
	/* columns in the order they are preferred for a snippet (title is shown anyway) */
	static const int order[] = { KCOL_SUMMARY, KCOL_LESSONS, KCOL_BODY, KCOL_TIMELINE, KCOL_TITLE,
				     KCOL_META };
	char *cols[KCOL__N];
	struct marks m[KCOL__N];
	int rc, best = -1, bestscore = INT_MIN;
	size_t ws = 0, we = 0, nspan = 0;

	memset(m, 0, sizeof(m));
	if ((rc = kstore_search_highlight(st, match, h->rid, HL_OPEN, HL_CLOSE, cols, err)) < 0)
		return rc;
	for (int i = 0; i < KCOL__N; i++) {
		if ((rc = unmark(cols[i], &m[i])) < 0)
			goto nomem;
		trim_prefix_marks(&m[i], q);
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int c = order[k], score;

		if (!m[c].n)
			continue;
		score = distinct_marks(&m[c]) * 100 + (m[c].n > 50 ? 50 : (int)m[c].n) - (int)k;
		if (c == KCOL_TITLE || c == KCOL_META)
			score -= 1000;
		if (score > bestscore) {
			bestscore = score;
			best = c;
		}
	}
	if (best < 0) {
		/* nothing marked (cannot happen for a match): the summary, else the body */
		best = m[KCOL_SUMMARY].len ? KCOL_SUMMARY : KCOL_BODY;
	}
	{
		struct marks *b = &m[best];
		size_t bi = 0;
		int bestn = -1;

		/* the window of `chars` characters from a little before mark i with the most marks */
		for (size_t i = 0; i < b->n; i++) {
			size_t s = char_back(b->plain, (size_t)b->v[i].start, chars / 6);
			size_t e = char_fwd(b->plain, b->len, s, chars);
			int cnt = 0;

			for (size_t j = i; j < b->n && (size_t)b->v[j].end <= e; j++)
				cnt++;
			if (cnt > bestn) {
				bestn = cnt;
				bi = i;
			}
		}
		ws = 0;
		if (b->n) {
			size_t m0 = (size_t)b->v[bi].start;

			ws = char_back(b->plain, m0, chars / 6);
			/* start at a line or sentence that begins shortly before the match */
			for (size_t p = m0; p > ws; p--) {
				if (b->plain[p - 1] == '\n' ||
				    (p >= 3 && !memcmp(b->plain + p - 3, "\xe3\x80\x82", 3))) {
					ws = p;
					break;
				}
			}
		}
		we = char_fwd(b->plain, b->len, ws, chars);
		/* use the room left at the end for text before the window */
		if (nchars(b->plain, ws, we) < (size_t)chars)
			ws = char_back(b->plain, ws, chars - (int)nchars(b->plain, ws, we));
		h->snippet = strndup(b->plain + ws, we - ws);
		if (!h->snippet)
			goto nomem;
		h->snippet_field = kstore_col_name(best);
		h->snippet_offset = (int)ws;
		h->snippet_more = we < b->len;
		for (size_t i = 0; i < b->n; i++)
			if ((size_t)b->v[i].start >= ws && (size_t)b->v[i].start < we)
				nspan++;
		if (nspan) {
			h->spans = calloc(nspan, sizeof(*h->spans));
			if (!h->spans)
				goto nomem;
			for (size_t i = 0; i < b->n; i++) {
				size_t s = (size_t)b->v[i].start, e = (size_t)b->v[i].end;

				if (s < ws || s >= we)
					continue;
				if (e > we)
					e = we;
				h->spans[h->nspans].start = (int)(s - ws);
				h->spans[h->nspans].end = (int)(e - ws);
				h->nspans++;
			}
		}
	}
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	for (int i = 0; i < KCOL__N; i++) {
		free(cols[i]);
		free(m[i].plain);
		free(m[i].v);
	}
	return rc;
}

/* ---- search ---------------------------------------------------------------------------------- */

/* Append the hits of sh[0..n) to res (rows, scores). */
static int add_hits(struct kstore *st, const struct kstore_hit *sh, size_t n, const struct kreader *reader, int partial,
		    struct ksearch_result *res, struct kerr *err)
{
	struct ksearch_hit *nh = realloc(res->hits, (res->nhits + n + 1) * sizeof(*nh));
	int rc;

	if (!nh)
		return kerr_set(err, KE_NOMEM, "out of memory");
	res->hits = nh;
	for (size_t i = 0; i < n; i++) {
		struct ksearch_hit *h = &res->hits[res->nhits];

		memset(h, 0, sizeof(*h));
		rc = kstore_search_row(st, sh[i].rid, reader, row_cb, h, err);
		if (rc == KE_NOTFOUND) {
			hit_free(h);
			continue;
		}
		res->nhits++;
		if (rc == KE_NOMEM)
			return kerr_set(err, KE_NOMEM, "out of memory");
		if (rc < 0)
			return rc;
		h->score = sh[i].score;
		h->partial = partial;
	}
	return 0;
}

int ksearch(struct kstore *st, const struct ksearch_opts *o, struct ksearch_result *res,
	    struct kerr *err)
{
	struct kquery q = { 0 }, qall = { 0 };
	struct kstore_hit *sh = NULL;
	struct kfilter f = o->filter;
	const struct ksyn *syn = o->syn;
	size_t nsh = 0, nstrict;
	long limit = o->filter.limit > 0 ? o->filter.limit : 10, offset = o->filter.offset;
	int rc;

	memset(res, 0, sizeof(*res));
	res->total = -1;
	if (limit > 1000)
		limit = 1000;
	if (offset < 0 || offset > 100000)
		return kerr_set(err, KE_USAGE, "offset must be between 0 and 100000");
	if (!syn && !(o->flags & KQ_NO_SYNONYMS) && (rc = ksyn_default(&syn, err)) < 0)
		return rc;
	if (!(res->query = strdup(o->query ? o->query : "")))
		return kerr_set(err, KE_NOMEM, "out of memory");
	if ((rc = kquery_compile(&q, o->query, syn, o->flags, err)) < 0)
		goto out;
	if (!(res->match = strdup(q.match))) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	f.limit = f.offset = 0;
	if ((rc = kstore_search_top(st, q.match, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, 0, limit,
				    offset, &sh, &nsh, err)) < 0)
		goto out;
	if ((rc = add_hits(st, sh, nsh, f.reader, 0, res, err)) < 0)
		goto out;
	nstrict = res->nhits;
	if (o->facets) {
		if ((rc = kstore_search_facets(st, q.match, &f, facet_cb, res, &res->total, err)) < 0) {
			if (rc == KE_NOMEM)
				kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		res->has_facets = 1;
	} else if (o->exact_total || ((long)nstrict < limit && q.relaxed_match)) {
		if ((rc = kstore_search_count(st, q.match, &f, 0, &res->total, err)) < 0)
			goto out;
	}
	/* the page is not full: cases with some of the words, below those with all */
	if ((long)nstrict < limit && q.relaxed_match) {
		long roff = offset - res->total;

		free(sh);
		sh = NULL;
		if ((rc = kstore_search_top(st, q.relaxed_match, o->exact_rank ? KSTORE_RANK_EXACT : 0, &f, 0,
					    limit - (long)nstrict,
					    roff > 0 ? roff : 0, &sh, &nsh, err)) < 0)
			goto out;
		if ((rc = add_hits(st, sh, nsh, f.reader, 1, res, err)) < 0)
			goto out;
		if (o->exact_total &&
		    (rc = kstore_search_count(st, q.relaxed_match, &f, 0, &res->total_partial, err)) < 0)
			goto out;
		if (o->facets && res->total == 0 && res->nhits) {
			/* nothing has all the words: describe what is shown */
			long t;

			if ((rc = kstore_search_facets(st, q.relaxed_match, &f, facet_cb, res, &t, err)) < 0)
				goto out;
		}
	}
	for (int i = 0; i < KFACET__N; i++)
		if (res->facets[i].n > 1)
			qsort(res->facets[i].v, res->facets[i].n, sizeof(*res->facets[i].v), fv_cmp);
	if (o->snippets && res->nhits) {
		int chars = o->snippet_chars > 0 ? o->snippet_chars : 120;

		if (chars > 2000)
			chars = 2000;
		/* every alternative, so that a longer word is marked whole */
		if ((rc = kquery_compile(&qall, o->query, syn, o->flags | KQ_ALL_PHRASES, err)) < 0)
			goto out;
		for (size_t i = 0; i < res->nhits; i++)
			if ((rc = make_snippet(st, res->hits[i].partial ? qall.relaxed_match : qall.match, &qall,
					       &res->hits[i], chars, err)) < 0)
				goto out;
	}
	rc = 0;
out:
	free(sh);
	kquery_free(&q);
	kquery_free(&qall);
	return rc;
}

/* ---- similar --------------------------------------------------------------------------------- */

struct cand {
	char *norm;      /* normalised word: the key */
	char *word;      /* as first written */
	double tf;       /* weighted count */
	double score;
	int verify;      /* too rare for the sample: check it is in another case */
};

struct cands {
	struct cand *v;
	size_t n, alloc;
};

static int cand_add(struct cands *cs, const char *w, size_t n, double weight)
{
	char *norm = norm_dup(w, n);

	if (!norm)
		return KE_NOMEM;
	for (size_t i = 0; i < cs->n; i++) {
		if (!strcmp(cs->v[i].norm, norm)) {
			cs->v[i].tf += weight;
			free(norm);
			return 0;
		}
	}
	if (cs->n == cs->alloc) {
		size_t na = cs->alloc ? cs->alloc * 2 : 64;
		struct cand *nv = realloc(cs->v, na * sizeof(*nv));

		if (!nv) {
			free(norm);
			return KE_NOMEM;
		}
		cs->v = nv;
		cs->alloc = na;
	}
	cs->v[cs->n].norm = norm;
	cs->v[cs->n].word = strndup(w, n);
	cs->v[cs->n].tf = weight;
	cs->v[cs->n].score = 0;
	cs->v[cs->n].verify = 0;
	if (!cs->v[cs->n].word) {
		free(norm);
		return KE_NOMEM;
	}
	cs->n++;
	return 0;
}

static void cands_free(struct cands *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].norm);
		free(cs->v[i].word);
	}
	free(cs->v);
}

/*
 * Content words of text: runs of kanji (2+), katakana (2+), Latin letters
 * (2+, not only digits).  A kanji run right after a digit is a counter or a
 * unit (1日目, 2週目, 24時間, 2年度), not content, and is left out.
 */
static int extract_words(const char *text, double weight, struct cands *cs)
{
	size_t len = strlen(text), pos = 0, rs = 0;
	int cls = CL_OTHER, nch = 0, alpha = 0, rc, after_digit = 0;
	int32_t prev = 0, run_prev = 0;

	while (pos <= len) {
		int32_t cp = 0;
		int l = 1, c = CL_OTHER;

		if (pos < len) {
			l = u8_next(text + pos, len - pos, &cp);
			c = char_class(cp);
			if (cp == 0x30FC && cls == CL_KATA)
				c = CL_KATA;
			if (c == CL_LATIN && cls == CL_LATIN && (cp == '.' || cp == '-'))
				c = CL_LATIN;
		}
		if (c != cls || pos == len) {
			after_digit = (run_prev >= '0' && run_prev <= '9') || (run_prev >= 0xFF10 && run_prev <= 0xFF19);
			if ((cls == CL_KANJI || cls == CL_KATA) && nch >= 2 && nch <= 16 &&
			    !(cls == CL_KANJI && after_digit)) {
				if ((rc = cand_add(cs, text + rs, pos - rs, weight)) < 0)
					return rc;
			} else if (cls == CL_LATIN && nch >= 2 && nch <= 40 && alpha) {
				if ((rc = cand_add(cs, text + rs, pos - rs, weight)) < 0)
					return rc;
			}
			cls = c;
			rs = pos;
			nch = 0;
			alpha = 0;
			run_prev = prev;
		}
		nch++;
		if (cp > '9' || cp < '0')
			alpha = 1;
		prev = cp;
		pos += (size_t)l;
		if (pos > len)
			break;
	}
	return 0;
}

/*
 * Up to this many cases, similar() counts the rows of each candidate word's
 * least frequent token (fts5vocab walks them: quick on a small library);
 * above, it estimates each word's from a sample of the rows.
 */
#define SIMILAR_TOKEN_DF_ROWS 65536

struct mindf {
	struct kstore *st;
	long df;
	int rc;
	struct kerr *err;
};

static int df_tok(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct mindf *m = ctx;
	long df;

	(void)start;
	(void)end;
	if ((m->rc = kstore_token_df(m->st, tok, ntok, &df, m->err)) < 0)
		return 1;
	if (m->df < 0 || df < m->df)
		m->df = df;
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->norm, y->norm);
}

static int tf_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	double sx = x->tf * (double)strlen(x->norm), sy = y->tf * (double)strlen(y->norm);

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(x->norm, y->norm);
}

/* Weights of the columns for a case's distinctive terms. */
static const double sim_weight[KCOL__N] = { 3.0, 2.0, 2.0, 1.0, 1.0, 0.5 };

int ksimilar(struct kstore *st, const struct ksimilar_opts *o, struct ksearch_result *res,
	     struct kerr *err)
{
	struct cands cs = { 0 };
	struct kbuf match = KBUF_INIT;
	struct kstore_hit *sh = NULL;
	struct kfilter f = o->filter;
	char *cols[KCOL__N] = { 0 };
	long long self = 0;
	long ndocs = 0;
	size_t nsh = 0, nuse = 0;
	long limit = o->filter.limit > 0 ? o->filter.limit : 10;
	int rc, nterms = o->nterms > 0 ? o->nterms : 24, exact = 1;
	char **phr = NULL, *verify = NULL;
	double *df = NULL;

	memset(res, 0, sizeof(*res));
	res->total = -1;
	if (nterms > 60)
		nterms = 60;
	if (limit > 1000)
		limit = 1000;
	if (o->id) {
		if ((rc = kstore_case_text(st, o->id, o->filter.reader, &self, cols, err)) < 0)
			goto out;
		if (!(res->query = strdup(o->id)))
			goto nomem;
		for (int i = 0; i < KCOL__N; i++)
			if ((rc = extract_words(cols[i], sim_weight[i], &cs)) < 0)
				goto nomem;
	} else {
		if (!o->text || !*o->text) {
			rc = kerr_set(err, KE_USAGE, "similar: give a case id or a text");
			goto out;
		}
		if (strlen(o->text) > KSIMILAR_MAX_TEXT) {
			rc = kerr_set(err, KE_TOOBIG, "similar: the text is too long (at most %d bytes)",
				      KSIMILAR_MAX_TEXT);
			goto out;
		}
		if (!kutf8_valid(o->text, strlen(o->text))) {
			rc = kerr_set(err, KE_USAGE, "similar: the text is not valid UTF-8");
			goto out;
		}
		if (!(res->query = strdup(o->text)))
			goto nomem;
		{
			int bad;
			char *n = nfkc(o->text, &bad);

			if (!n)
				goto nomem;
			rc = extract_words(n, 1.0, &cs);
			free(n);
			if (rc < 0)
				goto nomem;
		}
	}
	if ((rc = kstore_indexed(st, &ndocs, err)) < 0)
		goto out;
	if (cs.n == 0 || ndocs == 0) {
		res->total = 0;
		rc = 0;
		goto out;
	}
	/* document frequencies for the most frequent candidates only */
	qsort(cs.v, cs.n, sizeof(*cs.v), tf_cmp);
	nuse = cs.n < 300 ? cs.n : 300;
	if (!(phr = calloc(nuse, sizeof(*phr))) || !(df = calloc(nuse, sizeof(*df))) ||
	    !(verify = calloc(nuse, 1)))
		goto nomem;
	for (size_t i = 0; i < nuse && ndocs > SIMILAR_TOKEN_DF_ROWS; i++) {
		struct kbuf q = KBUF_INIT;

		if (add_quoted(&q, cs.v[i].norm)) {
			kbuf_release(&q);
			goto nomem;
		}
		phr[i] = kbuf_detach(&q, NULL);
	}
	if (ndocs <= SIMILAR_TOKEN_DF_ROWS) {
		/* small: the least frequent token of each word, counted (exact enough, quick) */
		for (size_t i = 0; i < nuse; i++) {
			struct mindf m = { st, -1, 0, err };

			ktok_tokenize(cs.v[i].norm, -1, 1, df_tok, &m);
			if (m.rc < 0) {
				rc = m.rc;
				goto out;
			}
			df[i] = m.df < 0 ? 0 : (double)m.df;
		}
	} else if ((rc = kstore_phrase_df(st, phr, nuse, df, &exact, err)) < 0) {
		goto out;
	}
	for (size_t i = 0; i < nuse; i++) {
		double d = df[i];

		if (!exact && d < 2) {
			/* too rare for the sample: looked at if chosen */
			verify[i] = 1;
			d = 2;
		}
		if (d <= 0 || (o->id && d <= 1)) {
			cs.v[i].score = 0; /* only in this case: shares nothing */
			continue;
		}
		if (d > 0.5 * (double)ndocs && ndocs > 20) {
			cs.v[i].score = 0; /* everywhere */
			continue;
		}
		cs.v[i].score = (1.0 + log(cs.v[i].tf)) * log(1.0 + (double)ndocs / d);
		cs.v[i].verify = verify[i];
	}
	qsort(cs.v, nuse, sizeof(*cs.v), cand_cmp);
	for (size_t i = 0; i < nuse && (int)res->nterms < nterms && cs.v[i].score > 0; i++) {
		char **nt;
		int r = 0;

		if (cs.v[i].verify) {
			/* a rare one: is it in another case at all? */
			struct kbuf q = KBUF_INIT;
			long n = 0;

			if (add_quoted(&q, cs.v[i].norm)) {
				kbuf_release(&q);
				goto nomem;
			}
			rc = kstore_phrase_rows(st, q.buf, o->id ? 2 : 1, &n, err);
			kbuf_release(&q);
			if (rc < 0)
				goto out;
			if (n < (o->id ? 2 : 1))
				continue;
		}
		if (!(nt = realloc(res->terms, (res->nterms + 1) * sizeof(*nt))))
			goto nomem;
		res->terms = nt;
		if (!(res->terms[res->nterms] = strdup(cs.v[i].word)))
			goto nomem;
		res->nterms++;
		if (match.len)
			r |= kbuf_adds(&match, " OR ");
		r |= add_quoted(&match, cs.v[i].norm);
		if (r)
			goto nomem;
	}
	if (!res->nterms) {
		res->total = 0;
		rc = 0;
		goto out;
	}
	if (!(res->match = strdup(match.buf)))
		goto nomem;
	f.limit = f.offset = 0;
	if ((rc = kstore_search_top(st, match.buf, 0, &f, self, limit, o->filter.offset, &sh, &nsh,
				    err)) < 0)
		goto out;
	if ((rc = add_hits(st, sh, nsh, f.reader, 0, res, err)) < 0)
		goto out;
	for (size_t i = 0, k = 0; i < nsh && k < res->nhits; i++) {
		struct ksearch_hit *h = &res->hits[k];

		if (h->rid != sh[i].rid)
			continue;
		k++;
		h->shared = calloc(res->nterms, sizeof(*h->shared));
		if (!h->shared)
			goto nomem;
		for (size_t t = 0; t < res->nterms && t < 64; t++)
			if (sh[i].phrases & (1ULL << t))
				if (!(h->shared[h->nshared++] = strdup(res->terms[t])))
					goto nomem;
	}
	if ((rc = kstore_search_count(st, match.buf, &f, self, &res->total, err)) < 0)
		goto out;
	rc = 0;
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	for (int i = 0; i < KCOL__N; i++)
		free(cols[i]);
	for (size_t i = 0; phr && i < nuse; i++)
		free(phr[i]);
	free(phr);
	free(df);
	free(verify);
	cands_free(&cs);
	kbuf_release(&match);
	free(sh);
	return rc;
}

/* ---- JSON ---------------------------------------------------------------------------------------- */

/* Byte offset -> character offset in s. */
static json_int_t char_off(const char *s, int off)
{
	return (json_int_t)nchars(s, 0, (size_t)off);
}

json_t *ksearch_result_json(const struct ksearch_result *res)
{
	json_t *o = json_object(), *arr = json_array(), *facets = NULL;
	int bad = !o || !arr;

	if (bad)
		goto fail;
	bad |= json_object_set_new(o, "query", json_string(res->query ? res->query : ""));
	bad |= json_object_set_new(o, "total", res->total >= 0 ? json_integer(res->total) : json_null());
	if (res->total_partial > 0)
		bad |= json_object_set_new(o, "total_partial", json_integer(res->total_partial));
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];
		json_t *r = json_pack("{s:s, s:s, s:{s:s?, s:o, s:o}, s:s?, s:s?, s:f}",
				      "id", h->id, "title", h->title ? h->title : "",
				      "source", "document", h->document,
				      "year", h->has_year ? json_integer(h->year) : json_null(),
				      "case_number", h->has_case_number ? json_integer(h->case_number) : json_null(),
				      "category", h->category, "tlp", h->tlp,
				      "score", round(h->score * 1e4) / 1e4);

		if (!r)
			goto fail;
		if (h->partial)
			bad |= json_object_set_new(r, "partial", json_true());
		if (h->snippet) {
			json_t *hl = json_array();

			for (size_t k = 0; hl && k < h->nspans; k++)
				bad |= json_array_append_new(hl, json_pack("[I,I]",
						char_off(h->snippet, h->spans[k].start),
						char_off(h->snippet, h->spans[k].end)));
			bad |= json_object_set_new(r, "snippet", json_string(h->snippet));
			bad |= json_object_set_new(r, "snippet_field", json_string(h->snippet_field));
			bad |= json_object_set_new(r, "snippet_offset", json_integer(h->snippet_offset));
			bad |= hl ? json_object_set_new(r, "highlights", hl) : -1;
		}
		if (h->shared) {
			json_t *sa = json_array();

			for (size_t k = 0; sa && k < h->nshared; k++)
				bad |= json_array_append_new(sa, json_string(h->shared[k]));
			bad |= sa ? json_object_set_new(r, "shared_terms", sa) : -1;
		}
		bad |= json_array_append_new(arr, r);
	}
	bad |= json_object_set_new(o, "results", arr);
	arr = NULL;
	if (res->terms) {
		json_t *ta = json_array();

		for (size_t k = 0; ta && k < res->nterms; k++)
			bad |= json_array_append_new(ta, json_string(res->terms[k]));
		bad |= ta ? json_object_set_new(o, "terms", ta) : -1;
	}
	if (res->has_facets) {
		facets = json_object();
		if (!facets)
			goto fail;
		for (int f = 0; f < KFACET__N; f++) {
			json_t *fo = json_object();

			for (size_t k = 0; fo && k < res->facets[f].n; k++)
				bad |= json_object_set_new(fo, res->facets[f].v[k].value,
							   json_integer(res->facets[f].v[k].count));
			bad |= fo ? json_object_set_new(facets, facet_names[f], fo) : -1;
		}
		bad |= json_object_set_new(o, "facets", facets);
	}
	if (bad)
		goto fail;
	return o;
fail:
	json_decref(arr);
	json_decref(o);
	return NULL;
}

/* ---- text ---------------------------------------------------------------------------------------- */

static void put_flat(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i], fp);
}

void ksearch_result_text(const struct ksearch_result *res, FILE *fp, int color, int similar)
{
	const char *hl_on = color ? "\033[1m" : "【", *hl_off = color ? "\033[0m" : "】";
	long first = res->nhits ? 1 : 0;

	if (similar) {
		fprintf(fp, "Cases like %s", res->query ? res->query : "");
		if (res->nterms) {
			fputs("\nby the terms:", fp);
			for (size_t i = 0; i < res->nterms; i++)
				fprintf(fp, " %s", res->terms[i]);
		}
		fputc('\n', fp);
	} else if (res->total >= 0) {
		fprintf(fp, "%ld case%s match %s", res->total, res->total == 1 ? "" : "s",
			res->query ? res->query : "");
		if (res->nhits && (long)res->nhits < res->total)
			fprintf(fp, " (showing %ld-%ld)", first, first + (long)res->nhits - 1);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];

		fprintf(fp, "\n%2zu. %s%s%s  %s\n", i + 1, color ? "\033[1m" : "", h->title ? h->title : "",
			color ? "\033[0m" : "", h->id);
		fputs("    ", fp);
		if (h->document)
			fputs(h->document, fp);
		if (h->has_case_number)
			fprintf(fp, " #%d", h->case_number);
		if (h->has_year)
			fprintf(fp, " (%d)", h->year);
		if (h->category)
			fprintf(fp, "  %s", h->category);
		fprintf(fp, "  score %.2f\n", h->score);
		if (h->snippet && *h->snippet) {
			size_t off = 0, n = strlen(h->snippet);

			fprintf(fp, "    %s", h->snippet_offset > 0 ? "…" : "");
			for (size_t k = 0; k < h->nspans; k++) {
				put_flat(fp, h->snippet + off, (size_t)h->spans[k].start - off);
				fputs(hl_on, fp);
				put_flat(fp, h->snippet + h->spans[k].start,
					 (size_t)(h->spans[k].end - h->spans[k].start));
				fputs(hl_off, fp);
				off = (size_t)h->spans[k].end;
			}
			put_flat(fp, h->snippet + off, n - off);
			fputs(h->snippet_more ? "…\n" : "\n", fp);
		}
		if (h->nshared) {
			fputs("    shared:", fp);
			for (size_t k = 0; k < h->nshared; k++)
				fprintf(fp, " %s", h->shared[k]);
			fputc('\n', fp);
		}
	}
	if (!res->nhits)
		fputs("\n(no cases)\n", fp);
	if (res->has_facets && res->total > 0) {
		fputs("\n", fp);
		for (int f = 0; f < KFACET__N; f++) {
			if (!res->facets[f].n)
				continue;
			fprintf(fp, "%s:", facet_names[f]);
			for (size_t k = 0; k < res->facets[f].n && k < 12; k++)
				fprintf(fp, "%s %s (%ld)", k ? "," : "", res->facets[f].v[k].value,
					res->facets[f].v[k].count);
			if (res->facets[f].n > 12)
				fprintf(fp, ", ... (%zu values)", res->facets[f].n);
			fputc('\n', fp);
		}
	}
}

int ksearch_result_print(const struct ksearch_result *res, FILE *fp, int json, int color, int similar)
{
	json_t *j;
	char *s;

	if (!json) {
		ksearch_result_text(res, fp, color, similar);
		return 0;
	}
	j = ksearch_result_json(res);
	s = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(j);
	if (!s)
		return KE_NOMEM;
	fputs(s, fp);
	fputc('\n', fp);
	free(s);
	return 0;
}

int ksearch_filter_arg(struct kfilter *f, const char *arg, int *seen, struct kerr *err)
{
	const char *eq = strchr(arg, '=');
	char key[64];
	int k;

	if (!eq || eq == arg)
		return kerr_set(err, KE_USAGE, "expected KEY=VALUE, e.g. year=2020");
	if ((size_t)(eq - arg) >= sizeof(key))
		return kerr_set(err, KE_USAGE, "unknown filter key \"%.40s\"", arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	for (k = 0; k < KFACET__N && strcmp(kfacet_name(k), key); k++)
		;
	if (k < KFACET__N && seen[k]++)
		return kerr_set(err, KE_USAGE, "%s given twice", key);
	return ksearch_filter_set(f, key, eq + 1, err);
}
