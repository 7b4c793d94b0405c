/*
 * classify.c - tags for an imported case from its own text: event class,
 * threats and sectors, found with a lexicon of the field's terms.
 *
 * The text is compared in the index's normal form (ktok_normalize: NFKC,
 * case, kana variants), so ＤＤｏＳ, DDoS and ddos are one word and
 * ランサムウエア is ランサムウェア.  Where a word appears matters: the title,
 * overview, category, factors and the detection/cause/impact sections say
 * what happened; the countermeasures and lessons talk about what might
 * happen, so they are not read.  A threat is tagged when its words score 2:
 * one hit in a strong place, or two in the background, response or
 * timeline.
 */
#include "classify.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

struct lex {
	const char *tag;
	const char *const *words;
};

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct lex threats[] = {
	{ "ddos", W("ddos", "dos攻撃", "サービス妨害攻撃", "サービス不能攻撃", "分散型サービス") },
	{ "ransomware", W("ランサムウェア", "ランサム", "wannacry", "身代金") },
	{ "brute_force", W("総当たり", "総当り", "ブルートフォース", "辞書攻撃", "パスワードリスト攻撃",
			   "リスト型攻撃", "パスワード推測", "パスワードスプレー") },
	{ "phishing_mail", W("標的型メール", "標的型攻撃メール", "フィッシングメール", "なりすましメール",
			     "不審メール", "不審なメール", "ばらまき型", "メールの添付ファイル", "添付ファイルを開")},
	{ "support_scam", W("サポート詐欺", "偽警告", "偽のセキュリティ警告", "偽の警告") },
	{ "unauthorized_access", W("不正アクセス", "不正ログイン", "不正侵入", "侵入され", "乗っ取",
				   "不正に侵入", "不正に利用", "不正利用") },
	{ "vulnerability", W("脆弱性", "ぜい弱性", "ゼロデイ", "パッチ未適用", "cve") },
	{ "misconfiguration", W("設定誤り", "設定ミス", "設定不備", "誤設定", "設定の誤り", "設定値の誤り",
				"設定漏れ", "設定に誤り", "アクセス制限の不備", "アクセス制限をしていない",
				"アクセス制限がかけられておらず") },
	{ "hardware_failure", W("ハードウェア故障", "ハードウェアの故障", "ハードウェア障害", "機器故障",
				"機器の故障", "ディスク障害", "電源障害", "部品の故障", "装置の故障", "故障",
				"経年劣化", "劣化していた", "部品が劣化", "停電", "瞬停") },
	{ "software_failure", W("ソフトウェアの不具合", "ソフトウェア不具合", "プログラムの不具合",
				"プログラム不具合", "システムの不具合", "バグ", "ソフトウェア障害",
				"プログラム誤り", "プログラムの誤り") },
	{ "third_party", W("委託先", "外部委託", "委託業者", "保守ベンダ", "保守業者", "取引先",
			   "サプライチェーン", "グループ会社", "関連会社", "外部サービス", "クラウド事業者") },
	{ "malware", W("マルウェア", "不正プログラム", "ウイルス感染", "ウイルスに感染", "emotet",
		       "トロイの木馬", "バックドア", "ワーム") },
	{ "phishing_site", W("偽サイト", "フィッシングサイト", "なりすましサイト") },
	{ "tampering", W("改ざん", "改竄") },
	{ "data_leak", W("情報漏洩", "情報漏えい", "漏洩", "漏えい", "情報流出") },
	{ "insider", W("内部不正", "元従業員", "内部犯行") },
};

/* Threats that make a case a cyber attack, and those of a system failure. */
static const char *const attack_threats[] = {
	"ddos", "ransomware", "brute_force", "phishing_mail", "support_scam", "unauthorized_access",
	"malware", "phishing_site", "tampering", "insider", NULL,
};
static const char *const failure_threats[] = {
	"hardware_failure", "software_failure", "misconfiguration", NULL,
};

static const struct lex sectors[] = {
	{ "electricity", W("電力会社", "電力事業者", "発電所", "変電所", "送配電", "電気事業者", "電力分野") },
	{ "gas", W("ガス事業者", "ガス会社", "都市ガス", "ガス供給", "ガス分野") },
	{ "finance", W("金融機関", "銀行", "証券会社", "保険会社", "信用金庫", "信用組合", "金融分野") },
	{ "medical", W("医療機関", "病院", "診療所", "電子カルテ", "医療分野") },
	{ "water", W("水道事業者", "水道局", "浄水場", "水道分野") },
	{ "railway", W("鉄道事業者", "鉄道会社", "列車", "鉄道分野") },
	{ "aviation", W("航空会社", "航空事業者", "航空機", "航空分野") },
	{ "airport", W("空港") },
	{ "logistics", W("物流事業者", "物流会社", "運送会社", "物流分野", "配送センター") },
	{ "telecom", W("電気通信事業者", "通信事業者", "情報通信分野", "放送事業者", "通信キャリア") },
	{ "government", W("地方公共団体", "自治体", "行政機関", "官公庁", "行政サービス", "市役所", "県庁") },
	{ "chemical", W("化学プラント", "化学メーカ", "化学工場", "化学分野") },
	{ "credit", W("クレジットカード", "クレジット事業者", "クレジット分野", "カード会社") },
	{ "petroleum", W("石油会社", "製油所", "石油元売", "石油精製", "石油分野") },
	{ "port", W("港湾") },
};

#define NTHREATS (sizeof(threats) / sizeof(threats[0]))
#define NSECTORS (sizeof(sectors) / sizeof(sectors[0]))

/* Normalised text, one per zone. */
enum { Z_STRONG, Z_NORMAL, Z__N };

static int add_norm(struct kbuf *b, const char *s)
{
	if (!s || !*s)
		return 0;
	if (ktok_normalize(s, strlen(s), b) < 0 || kbuf_addch(b, '\n') < 0)
		return KE_NOMEM;
	return 0;
}

static int add_strv(struct kbuf *b, const struct kstrv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (add_norm(b, sv->v[i]) < 0)
			return KE_NOMEM;
	return 0;
}

/* Occurrences of the normalised word in hay (at most 3). */
static int count(const char *hay, const char *word)
{
	struct kbuf w = KBUF_INIT;
	const char *p = hay;
	int n = 0;

	if (ktok_normalize(word, strlen(word), &w) < 0 || !w.len) {
		kbuf_release(&w);
		return 0;
	}
	while (n < 3 && (p = strstr(p, w.buf))) {
		n++;
		p += w.len;
	}
	kbuf_release(&w);
	return n;
}

static int score(const struct lex *l, struct kbuf zone[Z__N], int strong_weight)
{
	int s = 0;

	for (const char *const *w = l->words; *w; w++) {
		s += strong_weight * count(kbuf_str(&zone[Z_STRONG]), *w);
		s += count(kbuf_str(&zone[Z_NORMAL]), *w);
	}
	return s;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

int kclassify_case(struct kcase *c, struct kerr *err)
{
	struct kbuf zone[Z__N] = { KBUF_INIT, KBUF_INIT }, sect = KBUF_INIT;
	int rc = 0, attack = 0, failure = 0;
	int want_threats = c->tags.threats.n == 0, want_sectors = c->tags.sectors.n == 0;
	int want_class = c->tags.event_class == NULL;

	if (!want_threats && !want_sectors && !want_class)
		return 0;
	/* what happened */
	rc |= add_norm(&zone[Z_STRONG], c->title);
	rc |= add_strv(&zone[Z_STRONG], &c->summary);
	rc |= add_norm(&zone[Z_STRONG], c->attributes.factors);
	rc |= add_norm(&zone[Z_STRONG], c->sections[KSEC_DETECTION]);
	rc |= add_norm(&zone[Z_STRONG], c->sections[KSEC_CAUSE]);
	rc |= add_norm(&zone[Z_STRONG], c->sections[KSEC_IMPACT]);
	/* how it unfolded */
	rc |= add_norm(&zone[Z_NORMAL], c->sections[KSEC_BACKGROUND]);
	rc |= add_norm(&zone[Z_NORMAL], c->sections[KSEC_RESPONSE]);
	for (size_t i = 0; i < c->ntimeline; i++)
		rc |= add_norm(&zone[Z_NORMAL], c->timeline[i].text);
	/* who it happened to */
	rc |= add_norm(&sect, c->title);
	rc |= add_norm(&sect, c->attributes.organization);
	rc |= add_strv(&sect, &c->summary);
	rc |= add_norm(&sect, c->sections[KSEC_BACKGROUND]);
	if (rc) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}

	for (size_t i = 0; i < NTHREATS; i++) {
		int has = want_threats ? score(&threats[i], zone, 2) >= 2 :
			  kstrv_contains(&c->tags.threats, threats[i].tag);

		if (!has)
			continue;
		if (want_threats && kstrv_push(&c->tags.threats, threats[i].tag) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		attack |= in_list(threats[i].tag, attack_threats);
		failure |= in_list(threats[i].tag, failure_threats);
	}
	if (!want_threats) {
		for (size_t i = 0; i < c->tags.threats.n; i++) {
			attack |= in_list(c->tags.threats.v[i], attack_threats);
			failure |= in_list(c->tags.threats.v[i], failure_threats);
		}
	}

	if (want_class) {
		const char *cls = "other";
		const char *cat = kbuf_str(&zone[Z_STRONG]);

		if (c->category && count(c->category, "サイバー攻撃"))
			cls = "cyber_attack";
		else if (c->category && (count(c->category, "故障") || count(c->category, "障害")))
			cls = "system_failure";
		else if (attack)
			cls = "cyber_attack";
		else if (failure)
			cls = "system_failure";
		else if (count(cat, "サイバー攻撃") || count(cat, "攻撃者"))
			cls = "cyber_attack";
		else if (count(cat, "システム障害") || count(cat, "障害") || count(cat, "故障"))
			cls = "system_failure";
		if (kstr_set(&c->tags.event_class, cls) < 0) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
	}

	if (want_sectors) {
		for (size_t i = 0; i < NSECTORS; i++) {
			int s = 0;

			for (const char *const *w = sectors[i].words; *w; w++)
				s += count(kbuf_str(&sect), *w);
			if (s >= 1 && kstrv_push(&c->tags.sectors, sectors[i].tag) < 0) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
		}
	}
out:
	kbuf_release(&zone[Z_STRONG]);
	kbuf_release(&zone[Z_NORMAL]);
	kbuf_release(&sect);
	return rc;
}
