#!/usr/bin/env python3
"""Generate N synthetic cases (kyokun-case/1 JSON Lines) for benchmarks.

usage: gen_cases.py N [--vcdb PATH] [--seed S] > cases.jsonl

Cases are recombined from phrase tables written for kyokun (Japanese, below)
and, when the VERIS Community Database file is given (../shared/data/vcdb,
CC BY-SA 4.0; read at run time, never copied into the project), sentences of
its English incident summaries, so the corpus mixes Japanese and Latin text
the way real case libraries do.  The output is deterministic for a seed.
"""
import gzip
import json
import random
import re
import sys

SUBJ = ["社内ネットワーク", "制御システム", "顧客管理システム", "予約サイト", "基幹サーバ", "VPN機器",
        "メールサーバー", "業務端末", "監視装置", "会計システム", "問い合わせフォーム", "待機系サーバ",
        "ファイルサーバ", "委託先の運用端末", "Webサイト", "認証基盤", "バックアップ装置", "遠隔保守回線"]
EVENT = ["への不正アクセス", "の停止", "のランサムウェア感染", "への大量アクセス", "の設定誤り",
         "のハードウェア故障", "からの情報漏洩", "の性能劣化", "への総当たり攻撃", "の証明書期限切れ",
         "の遮断", "の切替失敗"]
BG = ["{s}は外部の委託先が保守しており、遠隔から接続できる構成だった。",
      "{s}のOSは保守期限を過ぎており、パッチ未適用の状態が続いていた。",
      "障害時には待機系への切替で業務を継続する手順が定められていた。",
      "利用者のパスワードは初期設定のまま運用されていた。",
      "年に一度、委託先と合同で訓練を実施していた。",
      "バックアップは週に一度、同じネットワーク上の装置に取得していた。"]
DET = ["監視担当者が{s}の応答遅延に気付いた。", "利用者から画面が表示されないとの連絡があった。",
       "ウイルス対策ソフトのアラートで感染が発覚した。", "夜間の定期点検で不審なログを確認した。",
       "取引先からの問い合わせで漏洩の可能性が判明した。"]
RESP = ["{s}をネットワークから切り離した。", "攻撃元のIPアドレスからの通信を遮断した。",
        "待機系に切り替えて業務を再開した。", "バックアップから復旧し、翌日にサービスを再開した。",
        "委託先と連携して影響範囲を調査した。", "関係機関へ第一報を報告した。"]
CAUSE = ["脆弱性の修正パッチが適用されていなかった。", "ファイアウォールの設定誤りにより不要なポートが開いていた。",
         "機器の電源ユニットが経年劣化していた。", "標的型メールの添付ファイルを開いたことが発端だった。",
         "切替手順が最新の構成に合っていなかった。"]
CM = ["資産管理台帳を整備し、パッチ適用状況を毎月確認する。", "多要素認証を導入する。",
      "バックアップを別のネットワークに保管する。", "委託先との連絡体制を見直す。",
      "切替訓練を年二回に増やす。"]
LES = ["平時から訓練を重ねることが重要である。", "委託先も含めた情報共有の仕組みが必要である。",
       "使っていない機能は停止しておくべきである。", "早期の遮断が被害の拡大を防いだ。"]
CAT = ["サイバー攻撃に起因したサービス障害", "システム故障に起因したサービス障害", "その他の事象"]
THREATS = ["ddos", "ransomware", "brute_force", "phishing_mail", "unauthorized_access",
           "vulnerability", "misconfiguration", "hardware_failure", "software_failure", "third_party"]
SECTORS = ["電力", "ガス", "金融", "医療", "水道", "鉄道", "航空", "物流", "情報通信", "行政"]
ACTORS = ["経営層", "CSIRT", "システム担当", "委託先", "広報"]


def vcdb_sentences(path):
    out = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                s = json.loads(line).get("summary") or ""
                out += [x.strip() for x in re.split(r"(?<=[.!?])\s+", s) if 20 < len(x.strip()) < 300]
    except OSError:
        pass
    return out


def main():
    args = sys.argv[1:]
    n = int(args[0])
    seed = 1
    vcdb = None
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    if "--vcdb" in args:
        vcdb = args[args.index("--vcdb") + 1]
    rnd = random.Random(seed)
    en = vcdb_sentences(vcdb) if vcdb else []
    out = sys.stdout
    for i in range(n):
        s = rnd.choice(SUBJ)
        pick = lambda tab, k: [t.format(s=s) for t in rnd.sample(tab, k)]
        doc = "synthetic-%d.txt" % (2015 + i % 10)
        case = {
            "id": "syn-%07d" % i,
            "title": s + rnd.choice(EVENT),
            "source": {"document": doc, "year": 2015 + i % 10, "case_number": i // 10 % 1000 + 1},
            "category": rnd.choice(CAT),
            "summary": pick(RESP, 1) + pick(CAUSE, 1),
            "key_lessons": pick(LES, 2),
            "attributes": {"organization": rnd.choice(SECTORS) + "分野の事業者"},
            "sections": {
                "background": "\n".join(pick(BG, 3)),
                "detection": "\n".join(pick(DET, 2)),
                "response": "\n".join(pick(RESP, 3)),
                "cause": "\n".join(pick(CAUSE, 2)),
                "countermeasures": "\n".join(pick(CM, 3)),
                "lessons": "\n".join(pick(LES, 2)),
            },
            "timeline": [{"day": d, "when": "%d日目" % d, "actor": rnd.choice(ACTORS),
                          "text": rnd.choice(RESP).format(s=s)} for d in range(1, 4)],
            "tags": {"event_class": rnd.choice(["cyber_attack", "system_failure", "other"]),
                     "threats": rnd.sample(THREATS, 2), "sectors": [rnd.choice(SECTORS)]},
            "tlp": rnd.choice(["clear", "clear", "clear", "green", "amber"]),
        }
        if en:
            case["sections"]["impact"] = " ".join(rnd.sample(en, 2))
        out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
