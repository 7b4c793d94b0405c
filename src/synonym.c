/*
 * synonym.c - the synonym list of search: loading it (a file, or the list
 * compiled in), parsing it, and looking a word up.  See synonym.h.
 */
#include "synonym.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "search_int.h"
#include "utf8.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The list compiled in: a copy of data/synonyms.txt without its comments. */
static const char builtin_synonyms[] =
	"予備系 待機系 バックアップ系 副系 スタンバイ系\n"
	"本番系 運用系 現用系 主系\n"
	"切替 切り替え 切り替わ 切換 切り換え 切替え 切換え\n"
	"フェイルオーバ 系切替 系切り替え failover\n"
	"不正アクセス 侵入 不正侵入 不正ログイン intrusion intrusions hacking\n"
	"マルウェア 不正プログラム ウイルス 悪性プログラム malware virus viruses\n"
	"ランサムウェア ランサム ransomware\n"
	"標的型攻撃 標的型メール攻撃 apt攻撃\n"
	"標的型メール 標的型攻撃メール\n"
	"ddos dos サービス妨害攻撃 サービス不能攻撃\n"
	"ブルートフォース 総当たり 総当り 辞書攻撃\n"
	"リスト型攻撃 パスワードリスト攻撃 クレデンシャルスタッフィング\n"
	"フィッシング 偽サイト なりすましサイト phishing\n"
	"なりすまし 成りすまし spoofing impersonation\n"
	"サポート詐欺 偽警告 テクニカルサポート詐欺\n"
	"改ざん 改竄 tampering defacement\n"
	"踏み台 中継サーバ\n"
	"迷惑メール スパムメール spam\n"
	"大量送信 大量配信\n"
	"脆弱性 ぜい弱性 vulnerability vulnerabilities\n"
	"パッチ 修正プログラム 更新プログラム セキュリティパッチ patch patches patching\n"
	"設定誤り 設定ミス 設定不備 誤設定 misconfiguration misconfigured\n"
	"不具合 バグ bug bugs defect defects\n"
	"漏洩 漏えい 流出 leak leaks leakage\n"
	"情報漏洩 情報漏えい 情報流出\n"
	"拒否リスト ブラックリスト ブロックリスト denylist blacklist\n"
	"許可リスト ホワイトリスト allowlist whitelist\n"
	"アクセス制限 アクセス制御\n"
	"多要素認証 二要素認証 2要素認証 多段階認証 mfa 2fa\n"
	"ファイアウォール fw ファイヤウォール firewall firewalls\n"
	"復旧 復元 リストア restore restoration recovery\n"
	"訓練 演習 training exercise exercises drill drills\n"
	"再発防止策 再発防止\n"
	"遮断 ブロック\n"
	"委託先 外部委託先 委託業者 委託事業者 業務委託先 contractor contractors outsourcing subcontractor subcontractors\n"
	"保守業者 保守ベンダ 保守会社 vendor vendors\n"
	"経営層 経営陣 経営者 executives\n"
	"csirt シーサート\n"
	"従業員 職員 社員 employee employees staff\n"
	"バックアップ backup backups\n"
	"問い合わせ 問合せ 問合わせ 問い合せ\n"
	"webサイト ウェブサイト ホームページ website websites\n"
	"メールサーバ smtpサーバ\n";

struct syn_entry {
	char *norm;     /* normalised word */
	size_t group;
};

struct ksyn {
	char *source;
	char ***groups;  /* NULL-terminated word arrays */
	size_t ngroups, groups_alloc;
	struct syn_entry *e;  /* sorted by norm */
	size_t ne, e_alloc;
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

/* Is the code point at s[i] (a lead byte; i < n) one that ends an English word for the tokenizer? */
static int word_edge(const char *s, size_t n, size_t i)
{
	uint32_t cp;
	unsigned char b = (unsigned char)s[i];

	if (b < 0x80)
		return !((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'));
	return kutf8_decode(s + i, n - i, &cp) > 0 && ktok_is_cjk((int)cp);
}

/*
 * The key a word is looked up by: its normal form (norm_dup()) with each
 * English word in it stemmed as the index stems it (ktok_stem()), so that
 * backups finds the group of backup, and ransomwares that of ransomware.
 */
static char *syn_key(const char *w)
{
	char *k = norm_dup(w, strlen(w));
	size_t n, i = 0, o = 0;

	if (!k)
		return NULL;
	n = strlen(k);
	while (i < n) {
		size_t j = i;
		int before, after;

		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9'))) {
			k[o++] = k[i++];
			continue;
		}
		while (j < n && ((k[j] >= 'a' && k[j] <= 'z') || (k[j] >= '0' && k[j] <= '9')))
			j++;
		before = i == 0 || (unsigned char)k[i - 1] < 0x80;
		if (!before) {
			size_t p = i - 1;

			while (p > 0 && kutf8_is_cont((unsigned char)k[p]))
				p--;
			before = word_edge(k, n, p);
		}
		after = j == n || word_edge(k, n, j);
		memmove(k + o, k + i, j - i);
		o += before && after ? (size_t)ktok_stem(k + o, (int)(j - i)) : j - i;
		i = j;
	}
	k[o] = 0;
	return k;
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
		/* take the vector's array, NULL-terminated */
		if (KGROW(s->groups, s->groups_alloc, s->ngroups + 1) < 0 || KGROW(w.v, w.alloc, w.n + 1) < 0) {
			kstrv_clear(&w);
			goto nomem;
		}
		w.v[w.n] = NULL;
		s->groups[s->ngroups] = w.v;
		for (size_t i = 0; w.v[i]; i++) {
			if (KGROW(s->e, s->e_alloc, s->ne + 1) < 0)
				goto nomem_group;
			s->e[s->ne].norm = syn_key(w.v[i]);
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
	key.norm = syn_key(word);
	if (!key.norm)
		return NULL;
	e = bsearch(&key, s->e, s->ne, sizeof(*s->e), entry_cmp);
	free(key.norm);
	if (!e)
		return NULL;
	g = e->group;
	return (const char *const *)s->groups[g];
}
