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

const char *kclassify_threat(unsigned i)
{
	return i < sizeof(threats) / sizeof(threats[0]) ? threats[i].tag : NULL;
}

/* Threats that make a case a cyber attack, and those of a system failure. */
static const char *const attack_threats[] = {
	"ddos", "ransomware", "brute_force", "phishing_mail", "support_scam", "unauthorized_access",
	"malware", "phishing_site", "tampering", "insider", NULL,
};
static const char *const failure_threats[] = {
	"hardware_failure", "software_failure", "misconfiguration", NULL,
};

/*
 * Sectors: who it happened to.  Each cue word has a weight (3: names the
 * operator itself, 2: the field's plain name or its own equipment, 1: a hint);
 * a word counts once per paragraph (line), at most three paragraphs, times
 * the place's weight (組織属性 3, title 2, overview/background/detection/
 * impact 1).  A sector is tagged at 3 (one word naming the operator, as
 * 病院, in the overview) and at least half the best sector's
 * score.  Words that every IT case uses (通信, 行政 as in 所管行政 reporting,
 * 停電, サイバー保険, and 口座/振込 of a fraud on any company's payments) are left
 * out on purpose, and hints (weight 1) count only beside a plainer word.
 */
struct cue {
	const char *word;
	int weight;
};

struct sector_lex {
	const char *tag;
	const struct cue *cues;
};

#define C(...) ((const struct cue[]){ __VA_ARGS__, { NULL, 0 } })

static const struct sector_lex sectors[] = {
	{ "electricity", C({ "電力会社", 3 }, { "電力事業者", 3 }, { "電気事業者", 3 }, { "送配電", 3 },
			   { "発電所", 3 }, { "変電所", 3 }, { "電力分野", 3 }, { "電力", 2 }, { "発電", 2 },
			   { "給電", 1 }, { "需給", 1 }) },
	{ "gas", C({ "ガス事業者", 3 }, { "ガス会社", 3 }, { "都市ガス", 3 }, { "ガス分野", 3 }, { "ガス供給", 2 },
		   { "ガス導管", 2 }, { "ガス", 2 }) },
	{ "finance", C({ "金融機関", 3 }, { "銀行", 3 }, { "証券会社", 3 }, { "信用金庫", 3 }, { "信用組合", 3 },
		       { "保険会社", 3 }, { "金融分野", 3 }, { "金融", 2 }, { "勘定系", 2 }, { "atm", 2 },
		       { "口座", 1 }, { "振込", 1 }) },
	{ "medical", C({ "医療機関", 3 }, { "病院", 3 }, { "診療所", 3 }, { "医療分野", 3 }, { "電子カルテ", 3 },
		       { "医療", 2 }, { "患者", 2 }, { "診療", 2 }, { "看護", 1 }, { "薬局", 1 }) },
	{ "water", C({ "水道事業者", 3 }, { "水道局", 3 }, { "浄水場", 3 }, { "水道分野", 3 }, { "水道", 2 },
		     { "浄水", 2 }, { "配水", 2 }, { "下水", 2 }, { "給水", 1 }) },
	{ "railway", C({ "鉄道事業者", 3 }, { "鉄道会社", 3 }, { "鉄道分野", 3 }, { "鉄道", 2 }, { "列車", 2 },
		       { "運行管理", 1 }, { "駅", 1 }, { "乗客", 1 }) },
	{ "aviation", C({ "航空会社", 3 }, { "航空事業者", 3 }, { "航空分野", 3 }, { "航空", 2 }, { "航空機", 2 },
			{ "運航", 2 }, { "搭乗", 2 }, { "便の欠航", 1 }) },
	{ "airport", C({ "空港", 3 }, { "空港ビル", 3 }, { "旅客ターミナル", 2 }) },
	{ "logistics", C({ "物流事業者", 3 }, { "物流会社", 3 }, { "運送会社", 3 }, { "物流分野", 3 }, { "物流", 2 },
			 { "配送センター", 2 }, { "宅配", 2 }, { "運送", 2 }, { "倉庫", 1 }, { "配送", 1 }) },
	{ "telecom", C({ "電気通信事業者", 3 }, { "通信事業者", 3 }, { "通信キャリア", 3 }, { "情報通信分野", 3 },
		       { "放送事業者", 3 }, { "携帯電話", 2 }, { "電気通信", 2 }, { "放送", 2 }) },
	{ "government", C({ "地方公共団体", 3 }, { "自治体", 3 }, { "市役所", 3 }, { "区役所", 3 }, { "県庁", 3 },
			  { "役場", 3 }, { "行政機関", 2 }, { "官公庁", 2 }, { "行政サービス", 2 }, { "住民", 1 }) },
	{ "chemical", C({ "化学プラント", 3 }, { "化学メーカ", 3 }, { "化学工場", 3 }, { "化学分野", 3 }, { "化学", 2 },
			{ "プラント", 1 }) },
	{ "credit", C({ "クレジットカード", 3 }, { "クレジット事業者", 3 }, { "カード会社", 3 }, { "クレジット分野", 3 },
		      { "クレジット", 2 }, { "カード会員", 2 }, { "決済", 1 }) },
	{ "petroleum", C({ "石油会社", 3 }, { "製油所", 3 }, { "石油元売", 3 }, { "石油精製", 3 }, { "石油分野", 3 },
			 { "石油", 2 }, { "ガソリンスタンド", 2 }, { "給油", 1 }) },
	{ "port", C({ "港湾", 3 }, { "コンテナターミナル", 3 }, { "港湾分野", 3 }, { "船舶", 1 }, { "荷役", 1 }) },
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

/* Paragraphs (lines) of the normalised text that hold the normalised word, at most 3. */
static int paragraphs(const char *hay, const char *w)
{
	const char *p = hay;
	int n = 0;

	while (n < 3 && (p = strstr(p, w))) {
		const char *nl = strchr(p, '\n');

		n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

static int classify_sectors(struct kcase *c)
{
	/* where: 組織属性 says it outright, the title nearly; the story's own parts a little */
	struct place {
		const char *text;
		const struct kstrv *list;
		int weight;
	} places[] = {
		{ c->attributes.organization, NULL, 3 },
		{ c->title, NULL, 2 },
		{ NULL, &c->summary, 1 },
		{ c->sections[KSEC_BACKGROUND], NULL, 1 },
		{ c->sections[KSEC_DETECTION], NULL, 1 },
		{ c->sections[KSEC_IMPACT], NULL, 1 },
	};
	enum { NPLACES = sizeof(places) / sizeof(places[0]) };
	struct kbuf text[NPLACES], w = KBUF_INIT;
	int score[NSECTORS] = { 0 }, plain[NSECTORS] = { 0 }, best = 0, rc = 0;

	for (size_t i = 0; i < NPLACES; i++) {
		kbuf_init(&text[i], 0);
		if (!rc && places[i].text)
			rc = add_norm(&text[i], places[i].text);
		if (!rc && places[i].list)
			rc = add_strv(&text[i], places[i].list);
	}
	for (size_t s = 0; !rc && s < NSECTORS; s++) {
		for (const struct cue *q = sectors[s].cues; q->word; q++) {
			kbuf_reset(&w);
			if (ktok_normalize(q->word, strlen(q->word), &w) < 0) {
				rc = KE_NOMEM;
				break;
			}
			for (size_t i = 0; w.len && i < NPLACES; i++) {
				int n = text[i].len ? paragraphs(kbuf_str(&text[i]), kbuf_str(&w)) : 0;

				score[s] += places[i].weight * q->weight * n;
				plain[s] |= n && q->weight >= 2;
			}
		}
		if (!plain[s]) /* hints alone (駅, 住民, 決済) say nothing */
			score[s] = 0;
		if (score[s] > best)
			best = score[s];
	}
	for (size_t s = 0; !rc && s < NSECTORS; s++)
		if (score[s] >= 3 && 2 * score[s] >= best && kstrv_push(&c->tags.sectors, sectors[s].tag) < 0)
			rc = KE_NOMEM;
	for (size_t i = 0; i < NPLACES; i++)
		kbuf_release(&text[i]);
	kbuf_release(&w);
	return rc;
}

int kclassify_case(struct kcase *c, struct kerr *err)
{
	struct kbuf zone[Z__N] = { KBUF_INIT, KBUF_INIT };
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

	if (want_sectors && (rc = classify_sectors(c)) < 0)
		rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	kbuf_release(&zone[Z_STRONG]);
	kbuf_release(&zone[Z_NORMAL]);
	return rc;
}
