/*
 * import_classify.c - where the layout of a report does not say which
 * section a paragraph belongs to, its wording does: a small lexicon of cue
 * words per section (a 検知 sentence speaks of alerts, 発覚, 連絡があった; a
 * 再発防止策 of 導入, 強化, 予定; a 教訓 of 重要, 必要, べき ...), and a
 * segmentation of a run of paragraphs among the headings that claim it.
 *
 * Cues are matched on keys (fullwidth ASCII folded, no white space), each
 * counted once per paragraph.  The weights are rough: they only break ties
 * that the structure of the page leaves open.
 */
#include "import_impl.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

struct cue {
	signed char sec;
	float w;
	const char *s;
};

#define B KSEC_BACKGROUND
#define D KSEC_DETECTION
#define R KSEC_RESPONSE
#define C KSEC_CAUSE
#define M KSEC_COUNTERMEASURES
#define L KSEC_LESSONS
#define I KSEC_IMPACT
#define G KSEC_MITIGATION
#define H KSEC_CHALLENGES

static const struct cue cues[] = {
	/* background: the setting before anything happened */
	{ B, 1.0f, "していた" }, { B, 1.5f, "提供して" }, { B, 1.0f, "運用して" },
	{ B, 1.0f, "構築して" }, { B, 1.0f, "設置して" }, { B, 1.5f, "委託して" },
	{ B, 0.5f, "導入して" }, { B, 0.5f, "契約" }, { B, 0.5f, "仕組み" },
	{ B, 2.0f, "状況であった" }, { B, 2.0f, "猛威" }, { B, 1.5f, "相次いで" },
	{ B, 1.5f, "相次ぎ" }, { B, 1.0f, "傾向" }, { B, 2.0f, "古くから" },
	{ B, 1.5f, "公知の" }, { B, 1.0f, "当時" }, { B, 2.0f, "従前" }, { B, 1.5f, "過去にも" },
	{ B, 1.0f, "締結" }, { B, 1.5f, "定めていた" }, { B, 1.5f, "任せられ" },
	{ B, 2.0f, "本事例の" }, { B, 2.0f, "企業である" }, { B, 2.0f, "機関である" },
	{ B, 1.5f, "組織である" }, { B, 1.5f, "を抱えて" }, { B, 2.0f, "登場した" },
	{ B, 1.0f, "存在" }, { B, 1.5f, "国内外" }, { B, 1.0f, "を分けて" },
	{ B, 1.0f, "構成されて" }, { B, 2.0f, "ようになっていた" }, { B, 1.0f, "と考えられる" },
	{ B, 1.0f, "を利用し" }, { B, 1.0f, "行っており" }, { B, 0.5f, "ており、" },
	{ B, 1.5f, "状態であった" }, { B, 0.4f, "であった" }, { B, 0.4f, "ていた" },
	{ B, 1.5f, "導入されていた" }, { B, 1.0f, "利用していた" }, { B, 1.0f, "使用していた" },
	{ B, 1.0f, "採用して" }, { B, 1.0f, "構成して" }, { B, 1.0f, "運用となって" },

	/* detection: how it came to light */
	{ D, 2.5f, "検知" }, { D, 3.0f, "発覚" }, { D, 2.0f, "判明" }, { D, 1.5f, "気付" },
	{ D, 2.0f, "気づ" }, { D, 2.5f, "連絡があ" }, { D, 2.5f, "連絡を受" },
	{ D, 2.0f, "との連絡" }, { D, 2.0f, "通報" }, { D, 2.0f, "アラート" },
	{ D, 1.0f, "認識" }, { D, 1.0f, "把握" }, { D, 2.0f, "発見" }, { D, 1.0f, "問合せ" },
	{ D, 1.0f, "問い合わせ" }, { D, 2.0f, "報告を受" }, { D, 1.5f, "異常を" },
	{ D, 1.0f, "監視" }, { D, 1.5f, "表示され" }, { D, 3.0f, "覚知" },
	{ D, 1.5f, "確認したところ" }, { D, 1.0f, "不審" }, { D, 1.5f, "届いていない" },
	{ D, 1.0f, "を受領" }, { D, 1.0f, "情報連絡" },
	{ D, 1.5f, "形跡" }, { D, 1.0f, "調査の結果" }, { D, 1.0f, "に至らず" },

	/* response: what was done about it */
	{ R, 2.0f, "遮断" }, { R, 2.0f, "切り離" }, { R, 2.0f, "切断" }, { R, 2.0f, "隔離" },
	{ R, 1.5f, "復旧" }, { R, 1.0f, "停止した" }, { R, 1.5f, "一時停止" },
	{ R, 1.5f, "依頼" }, { R, 1.0f, "実施した" }, { R, 1.0f, "対応した" },
	{ R, 1.0f, "報告した" }, { R, 1.0f, "連絡した" }, { R, 1.0f, "へ連絡" },
	{ R, 1.5f, "公表" }, { R, 1.0f, "公開した" }, { R, 1.5f, "注意喚起" },
	{ R, 0.5f, "変更した" }, { R, 1.5f, "削除" }, { R, 1.0f, "再起動" },
	{ R, 2.0f, "再立ち上げ" }, { R, 1.5f, "交換" }, { R, 1.5f, "指示" },
	{ R, 2.5f, "抜線" }, { R, 1.0f, "再開" }, { R, 2.0f, "試した" }, { R, 0.7f, "調査" },
	{ R, 1.5f, "対策本部" }, { R, 2.0f, "記者会見" }, { R, 2.0f, "お詫び" },
	{ R, 2.0f, "ブロック" }, { R, 1.5f, "拒否した" }, { R, 2.0f, "閉鎖した" },
	{ R, 1.0f, "を設定した" }, { R, 2.5f, "急行" }, { R, 1.0f, "初動" },
	{ R, 2.0f, "一次対応" }, { R, 2.0f, "本対応" }, { R, 1.0f, "を確認した" },
	{ R, 1.5f, "要請" }, { R, 1.0f, "情報交換" }, { R, 1.0f, "を起動" },
	{ R, 1.5f, "申請" }, { R, 2.0f, "架電" }, { R, 1.0f, "代替" }, { R, 1.5f, "使用中止" },
	{ R, 1.5f, "使用禁止" }, { R, 1.0f, "保全" }, { R, 1.0f, "解析" },
	{ R, 1.5f, "仰いだ" }, { R, 1.5f, "を開催" }, { R, 1.0f, "を決定" }, { R, 1.5f, "断念" },
	{ R, 1.0f, "を特定し" }, { R, 1.5f, "クリーンアップ" }, { R, 1.0f, "させた" },
	{ R, 1.5f, "連携をとった" }, { R, 0.7f, "連携し" }, { R, 1.0f, "対応を" },
	{ R, 1.5f, "切替" }, { R, 1.5f, "切り替え" }, { R, 1.0f, "交換した" }, { R, 1.0f, "復旧した" },

	/* cause: why it happened */
	{ C, 2.0f, "原因" }, { C, 0.5f, "ため、" }, { C, 1.5f, "ため。" }, { C, 2.0f, "ためである" },
	{ C, 1.0f, "たため" }, { C, 0.4f, "脆弱性" }, { C, 2.0f, "不備" }, { C, 2.5f, "設定ミス" },
	{ C, 2.0f, "誤り" }, { C, 1.5f, "誤って" }, { C, 2.0f, "誤認識" }, { C, 1.5f, "不十分" },
	{ C, 2.0f, "十分ではなかった" }, { C, 1.0f, "いなかった" }, { C, 1.0f, "ていない" },
	{ C, 0.3f, "なかった" }, { C, 1.0f, "漏れ" }, { C, 0.8f, "悪用" },
	{ C, 1.5f, "侵入された" }, { C, 1.5f, "故障" }, { C, 1.5f, "障害が発生" },
	{ C, 1.5f, "不具合" }, { C, 2.0f, "枯渇" }, { C, 1.0f, "ループ" }, { C, 1.0f, "推測" },
	{ C, 1.5f, "徹底されて" }, { C, 2.0f, "形骸化" }, { C, 1.0f, "によるもの" },
	{ C, 1.5f, "がなされていな" }, { C, 2.0f, "放置" }, { C, 2.0f, "起因" },
	{ C, 1.5f, "てしまった" }, { C, 1.5f, "ミス" }, { C, 1.5f, "不足" },
	{ C, 1.5f, "依存して" }, { C, 1.0f, "難しかった" }, { C, 1.5f, "考慮しない" },
	{ C, 1.5f, "使いまわ" }, { C, 1.5f, "使い回" }, { C, 1.0f, "影響している" },
	{ C, 1.0f, "攻撃を受けた" }, { C, 1.0f, "送信され" }, { C, 2.0f, "見送" },
	{ C, 1.0f, "しかしながら" }, { C, 1.0f, "裁量" }, { C, 1.0f, "定めがな" },
	{ C, 1.5f, "ことにより" }, { C, 0.5f, "により、" }, { C, 2.0f, "設定されていなかった" },
	{ C, 1.5f, "ておらず" }, { C, 1.0f, "勘違い" },

	/* countermeasures: what will keep it from happening again */
	{ M, 2.0f, "予定" }, { M, 1.5f, "導入" }, { M, 1.2f, "強化" }, { M, 1.0f, "徹底" },
	{ M, 1.5f, "見直し" }, { M, 0.8f, "検討" }, { M, 0.8f, "整備" }, { M, 0.8f, "設置" },
	{ M, 1.5f, "追加" }, { M, 2.0f, "改修" }, { M, 1.5f, "規程" }, { M, 1.0f, "規定" },
	{ M, 1.0f, "定期的" }, { M, 2.5f, "することとした" }, { M, 2.0f, "こととした" },
	{ M, 1.5f, "ようにした" }, { M, 1.0f, "に変更" }, { M, 2.0f, "総点検" },
	{ M, 3.0f, "再発防止" }, { M, 1.0f, "今後" }, { M, 1.0f, "の実施" }, { M, 1.5f, "を徹底" },
	{ M, 1.5f, "を策定" }, { M, 2.0f, "の廃止" }, { M, 1.0f, "を整備" }, { M, 2.0f, "の適正化" },
	{ M, 1.5f, "を必須" }, { M, 1.0f, "の共有" }, { M, 1.0f, "を進めて" }, { M, 1.5f, "の導入" },
	{ M, 2.0f, "要件に加えた" }, { M, 1.5f, "ルールを変更" }, { M, 1.5f, "を設ける" },
	{ M, 1.0f, "を図る" }, { M, 1.5f, "手順を定め" }, { M, 1.0f, "を定めた" }, { M, 1.0f, "を毎月" },
	{ M, 2.0f, "導入する" }, { M, 2.0f, "見直す" }, { M, 2.0f, "強化する" }, { M, 1.5f, "実施する" },
	{ M, 2.0f, "徹底する" }, { M, 1.0f, "ないように" },

	/* lessons: what others can learn */
	{ L, 2.5f, "が重要" }, { L, 2.5f, "重要である" }, { L, 2.0f, "重要。" },
	{ L, 1.5f, "重要性" }, { L, 1.5f, "重要と" }, { L, 1.0f, "も重要" }, { L, 1.5f, "必要" }, { L, 2.0f, "べき" }, { L, 1.5f, "有効" },
	{ L, 2.0f, "望ましい" }, { L, 2.5f, "大切" }, { L, 2.5f, "教訓" }, { L, 1.0f, "気付き" },
	{ L, 2.0f, "再認識" }, { L, 0.5f, "ことが" }, { L, 2.0f, "留意" }, { L, 2.0f, "と良い" },
	{ L, 2.0f, "とよい" }, { L, 1.0f, "考慮" }, { L, 1.5f, "求められる" },
	{ L, 1.0f, "につながる" }, { L, 1.0f, "ことで" }, { L, 1.5f, "心掛け" },
	{ L, 1.5f, "の必要性" }, { L, 1.5f, "効果的" }, { L, 1.5f, "役立" },
	{ L, 1.0f, "有効であった" }, { L, 1.0f, "に有効" },
	{ L, 2.0f, "参考になる" },

	/* impact: the damage */
	{ I, 1.5f, "被害" }, { I, 1.5f, "影響" }, { I, 1.0f, "停止し" }, { I, 2.0f, "できなくなった" },
	{ I, 1.5f, "できなくなり" }, { I, 1.5f, "漏えい" }, { I, 1.5f, "漏洩" }, { I, 2.0f, "奪取" },
	{ I, 2.0f, "暗号化された" }, { I, 1.5f, "改ざん" }, { I, 2.0f, "を要した" },
	{ I, 1.0f, "発生した" }, { I, 2.0f, "損失" }, { I, 2.5f, "多岐にわた" }, { I, 1.5f, "低下" },
	{ I, 2.5f, "失墜" }, { I, 1.0f, "業務が" }, { I, 1.5f, "閲覧された" }, { I, 1.5f, "埋め込" },
	{ I, 1.0f, "消去" }, { I, 1.5f, "感染が拡大" }, { I, 2.0f, "被害範囲" },
	{ I, 2.0f, "に留まらず" }, { I, 1.0f, "数カ月" }, { I, 1.0f, "数か月" },

	/* mitigation: what limited the damage */
	{ G, 3.0f, "寄与" }, { G, 1.5f, "できた" }, { G, 2.0f, "ことができた" }, { G, 0.7f, "軽減" },
	{ G, 3.0f, "免れ" }, { G, 3.0f, "及ばなかった" }, { G, 3.0f, "受けなかった" },
	{ G, 2.0f, "抑え" }, { G, 2.0f, "留ま" }, { G, 2.0f, "防止することが" }, { G, 1.0f, "迅速" },
	{ G, 3.0f, "可能であった" }, { G, 1.2f, "ことから" }, { G, 1.5f, "していたことから" },
	{ G, 1.5f, "されていたことから" }, { G, 2.0f, "整備済" }, { G, 2.0f, "設計している" },
	{ G, 2.0f, "低減" }, { G, 2.0f, "有効であった" }, { G, 1.0f, "ただし" }, { G, 3.0f, "功を奏" },
	{ G, 2.0f, "賄う" }, { G, 2.0f, "良好な関係" }, { G, 1.5f, "結果として" },
	{ G, 1.5f, "つながった" }, { G, 1.5f, "分離されていた" }, { G, 2.0f, "適切であった" },
	{ G, 1.0f, "速やか" },

	/* challenges: what is still to do */
	{ H, 3.0f, "課題" }, { H, 2.0f, "難しい" }, { H, 2.0f, "懸念" }, { H, 1.0f, "必要がある" },
	{ H, 2.0f, "と考えている" }, { H, 1.5f, "検討している" }, { H, 2.0f, "目指" },
	{ H, 2.0f, "目標" }, { H, 1.0f, "取り組む" }, { H, 1.0f, "今後" }, { H, 1.5f, "方針" },
	{ H, 2.0f, "検討を進めている" }, { H, 1.0f, "着手" }, { H, 2.0f, "ていきたい" },
	{ H, 1.5f, "したい" }, { H, 1.0f, "しなければならない" },
};

#undef B
#undef D
#undef R
#undef C
#undef M
#undef L
#undef I
#undef G
#undef H

/* How a paragraph ends says much in these reports: 〜ていた sets the scene,
 * 〜ため gives a cause, a noun (〜の導入) lists a measure, 〜が重要 a lesson. */
static const struct cue endings[] = {
	{ KSEC_BACKGROUND, 1.0f, "ていた" }, { KSEC_BACKGROUND, 1.0f, "ている" },
	{ KSEC_BACKGROUND, 0.8f, "だった" }, { KSEC_BACKGROUND, 0.8f, "であった" },
	{ KSEC_DETECTION, 1.0f, "判明" }, { KSEC_DETECTION, 1.0f, "判明した" },
	{ KSEC_DETECTION, 1.0f, "検知" }, { KSEC_DETECTION, 1.0f, "検知した" },
	{ KSEC_DETECTION, 1.0f, "認識" }, { KSEC_DETECTION, 1.0f, "把握" },
	{ KSEC_DETECTION, 1.0f, "発覚した" }, { KSEC_DETECTION, 1.0f, "気付いた" },
	{ KSEC_DETECTION, 1.0f, "気づいた" },
	{ KSEC_RESPONSE, 0.7f, "した" }, { KSEC_RESPONSE, 0.5f, "連絡" },
	{ KSEC_RESPONSE, 0.5f, "依頼" }, { KSEC_RESPONSE, 0.5f, "報告" },
	{ KSEC_CAUSE, 1.2f, "ため" }, { KSEC_CAUSE, 1.2f, "ためである" },
	{ KSEC_CAUSE, 0.8f, "によるもの" }, { KSEC_CAUSE, 0.5f, "された" },
	{ KSEC_CAUSE, 0.8f, "いなかった" }, { KSEC_CAUSE, 0.8f, "ていない" },
	{ KSEC_COUNTERMEASURES, 0.8f, "実施" }, { KSEC_COUNTERMEASURES, 1.0f, "導入" },
	{ KSEC_COUNTERMEASURES, 1.0f, "整備" }, { KSEC_COUNTERMEASURES, 1.0f, "見直し" },
	{ KSEC_COUNTERMEASURES, 1.0f, "強化" }, { KSEC_COUNTERMEASURES, 1.0f, "追加" },
	{ KSEC_COUNTERMEASURES, 1.0f, "廃止" }, { KSEC_COUNTERMEASURES, 1.0f, "徹底" },
	{ KSEC_COUNTERMEASURES, 1.0f, "改修" }, { KSEC_COUNTERMEASURES, 0.8f, "設置" },
	{ KSEC_COUNTERMEASURES, 1.0f, "予定" }, { KSEC_COUNTERMEASURES, 1.0f, "こととした" },
	{ KSEC_COUNTERMEASURES, 0.8f, "検討している" },
	{ KSEC_LESSONS, 1.0f, "重要" }, { KSEC_LESSONS, 1.0f, "必要" }, { KSEC_LESSONS, 1.0f, "有効" },
	{ KSEC_LESSONS, 1.0f, "べき" }, { KSEC_LESSONS, 1.0f, "望ましい" },
	{ KSEC_LESSONS, 1.0f, "と良い" }, { KSEC_LESSONS, 1.0f, "重要である" },
	{ KSEC_LESSONS, 1.0f, "必要である" },
};

void ki_cue_scores(const char *key, size_t klen, double sc[KSEC__N])
{
	size_t end = klen;

	for (int i = 0; i < KSEC__N; i++)
		sc[i] = 0;
	for (size_t i = 0; i < sizeof(cues) / sizeof(cues[0]); i++)
		if (ki_memmem(key, klen, cues[i].s, strlen(cues[i].s)))
			sc[(int)cues[i].sec] += cues[i].w;
	/* the last sentence's ending, without its full stop */
	while (end >= 3 && (!memcmp(key + end - 3, "。", 3) || !memcmp(key + end - 3, "．", 3)))
		end -= 3;
	while (end >= 1 && key[end - 1] == '.')
		end--;
	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		size_t n = strlen(endings[i].s);

		if (end >= n && !memcmp(key + end - n, endings[i].s, n))
			sc[(int)endings[i].sec] += endings[i].w;
	}
}

int ki_is_crossref(const char *key, size_t klen)
{
	return klen <= 90 && ki_memmem(key, klen, "参照", strlen("参照")) &&
	       ki_memmem(key, klen, "「", strlen("「"));
}




static double seg_sum(const double *pre, int k, int l, int a, int b)
{
	return pre[(size_t)b * k + l] - pre[(size_t)a * k + l];
}

static double segment_ordered(int n, int k, const double *pre, const unsigned char *cut_ok,
			      double empty_cost, int *assign)
{
	double *f = malloc(sizeof(*f) * (size_t)(k + 1) * (n + 1));
	int *from = malloc(sizeof(*from) * (size_t)(k + 1) * (n + 1));
	double best = 0;

	if (!f || !from) {
		for (int i = 0; i < n; i++)
			assign[i] = 0;
		goto out;
	}
	for (int i = 0; i <= n; i++)
		f[i] = i ? -DBL_MAX : 0;
	for (int j = 1; j <= k; j++) {
		for (int i = 0; i <= n; i++) {
			double v = f[(size_t)(j - 1) * (n + 1) + i];
			int arg = i;

			if (v > -DBL_MAX)
				v -= empty_cost;
			for (int p = 0; p < i; p++) {
				double prev = f[(size_t)(j - 1) * (n + 1) + p], s;

				if (prev == -DBL_MAX || !cut_ok[p])
					continue;
				s = prev + seg_sum(pre, k, j - 1, p, i);
				/* on a tie the earlier heading keeps the paragraph */
				if (s >= v) {
					v = s;
					arg = p;
				}
			}
			f[(size_t)j * (n + 1) + i] = v;
			from[(size_t)j * (n + 1) + i] = arg;
		}
	}
	best = f[(size_t)k * (n + 1) + n];
	for (int j = k, i = n; j > 0; j--) {
		int p = from[(size_t)j * (n + 1) + i];

		for (int t = p; t < i; t++)
			assign[t] = j - 1;
		i = p;
	}
out:
	free(f);
	free(from);
	return best;
}

static int popcount(unsigned m)
{
	int c = 0;

	for (; m; m &= m - 1)
		c++;
	return c;
}

static double segment_perm(int n, int k, const double *pre, const unsigned char *cut_ok,
			   double empty_cost, int *assign)
{
	size_t states = ((size_t)1 << k) * (n + 1);
	double *g = malloc(sizeof(*g) * states);
	int *from = malloc(sizeof(*from) * states * 3);
	double best = -DBL_MAX;
	unsigned bmask = 0;

	if (!g || !from) {
		for (int i = 0; i < n; i++)
			assign[i] = 0;
		best = 0;
		goto out;
	}
	for (size_t s = 0; s < states; s++)
		g[s] = -DBL_MAX;
	g[0] = 0;
	for (int i = 0; i < n; i++) {
		if (!cut_ok[i])
			continue;
		for (unsigned m = 0; m < (1u << k); m++) {
			double v = g[(size_t)m * (n + 1) + i];

			if (v == -DBL_MAX)
				continue;
			for (int l = 0; l < k; l++) {
				if (m & (1u << l))
					continue;
				for (int j = i + 1; j <= n; j++) {
					size_t t = (size_t)(m | (1u << l)) * (n + 1) + j;
					double s = v + seg_sum(pre, k, l, i, j);

					if (j < n && !cut_ok[j])
						continue;
					if (s > g[t]) {
						g[t] = s;
						from[t * 3] = (int)m;
						from[t * 3 + 1] = i;
						from[t * 3 + 2] = l;
					}
				}
			}
		}
	}
	for (unsigned m = 0; m < (1u << k); m++) {
		double v = g[(size_t)m * (n + 1) + n];

		if (v == -DBL_MAX)
			continue;
		v -= empty_cost * (k - popcount(m));
		if (v > best) {
			best = v;
			bmask = m;
		}
	}
	for (unsigned m = bmask, i = (unsigned)n; i > 0;) {
		size_t t = (size_t)m * (n + 1) + i;
		int pm = from[t * 3], pi = from[t * 3 + 1], l = from[t * 3 + 2];

		for (int x = pi; x < (int)i; x++)
			assign[x] = l;
		m = (unsigned)pm;
		i = (unsigned)pi;
	}
out:
	free(g);
	free(from);
	return best;
}

/* Sizes beyond these are split the plain way (all to the first label). */
#define MAX_ORDERED_ITEMS 400
#define MAX_PERM_ITEMS 60
#define MAX_PERM_LABELS 8
/* what a run no heading claims pays for leaving the usual order */
#define REORDER_MARGIN 4.0

double ki_segment(int n, int k, const double *score, const unsigned char *cut_ok,
		  int ordered, double empty_cost, int *assign)
{
	double *pre, best;
	int *alt = NULL;

	if (n <= 0)
		return 0;
	if (k <= 1 || n > MAX_ORDERED_ITEMS) {
		double s = 0;

		for (int i = 0; i < n; i++) {
			assign[i] = 0;
			s += k > 0 ? score[(size_t)i * k] : 0;
		}
		return s - (k > 1 ? empty_cost * (k - 1) : 0);
	}
	pre = calloc((size_t)(n + 1) * k, sizeof(*pre));
	if (!pre) {
		for (int i = 0; i < n; i++)
			assign[i] = 0;
		return 0;
	}
	for (int i = 0; i < n; i++)
		for (int l = 0; l < k; l++)
			pre[(size_t)(i + 1) * k + l] = pre[(size_t)i * k + l] + score[(size_t)i * k + l];
	best = segment_ordered(n, k, pre, cut_ok, empty_cost, assign);
	/*
	 * Headings in print (empty_cost > 0) fix the order when told so; the
	 * sections of a run no heading claims (a missing heading costs
	 * nothing) follow the usual order only as a prior: a page may print
	 * its sidebar (原因, 再発防止策) before 背景.
	 */
	if ((!ordered || empty_cost <= 0) && n <= MAX_PERM_ITEMS && k <= MAX_PERM_LABELS &&
	    (alt = malloc(sizeof(*alt) * n))) {
		double b2 = segment_perm(n, k, pre, cut_ok, empty_cost, alt);
		double margin = ordered ? REORDER_MARGIN : 2.0;

		/* another order only where the wording clearly says so */
		if (b2 > best + margin) {
			memcpy(assign, alt, sizeof(*alt) * n);
			best = b2;
		}
	}
	free(alt);
	free(pre);
	return best;
}
