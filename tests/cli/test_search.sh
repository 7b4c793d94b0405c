#!/bin/sh
# tests/cli/test_search.sh - `kyokun search` and `kyokun similar` end to end
# on our own fixture cases (tests/fixtures/search/cases.json): JSON and text
# output, filters and facets, paging, exit codes and messages for bad
# input; then, when ../shared/corpus is there, the relevance figures of
# the three imported reports against their judgements (nDCG@5 >= 0.85,
# recall@10 >= 0.95).
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_search.sh
. "$(dirname "$0")/lib.sh"

FX="$FIX/search/cases.json"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/sanitizer:print_stacktrace=1"
HAVE_PY=1
command -v python3 >/dev/null 2>&1 || HAVE_PY=0

# pyjson NAME EXPR: ok if the Python expression over j (the JSON on stdout) is true
pyjson() {
	if [ "$HAVE_PY" -eq 0 ]; then
		skip "$1" "no python3"
		return 0
	fi
	if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$T/out" \
		>"$T/py.out" 2>&1; then ok "$1"; else fail "$1" "$2: $(head -c 600 "$T/out")"; fi
}

run add "$FX"
expect_rc "add the fixture cases" 0

# ---- search: JSON ----
run search --format json 訓練
expect_rc "search 訓練 exits 0" 0
pyjson "search JSON has query, total, results, facets" \
	'j["query"] == "訓練" and j["total"] >= 2 and isinstance(j["results"], list) and "category" in j["facets"]'
pyjson "results carry id, title, source, score, snippet" \
	'all(set(["id","title","source","score","snippet"]) <= set(r) and set(["document","year","case_number"]) <= set(r["source"]) for r in j["results"])'
pyjson "facets have every key" \
	'set(j["facets"]) == set(["category","document","year","event_class","threat","sector","reader_level","tlp"])'
pyjson "a two-character word is found" 'any(r["id"] == "fx-failover" for r in j["results"])'
run search --format json 系
pyjson "a single kanji is found" 'j["total"] >= 2'
run search --format json ｒｄｐ
pyjson "full-width query finds the half/full-width text" 'j["results"][0]["id"] == "fx-rdp"'
pyjson "highlights point at the matched characters" \
	'all(r["snippet"][a:b].lower() in ("ｒｄｐ", "rdp") for r in j["results"] for a, b in r["highlights"])'
run search --format json 待機系への切替
pyjson "a query without spaces finds the words apart" 'j["results"] and j["results"][0]["id"] == "fx-failover"'
run search --format json 予備系 -訓練
expect_rc "-word needs no --" 0
pyjson "-word excludes" 'j["total"] == 0'
run search --format json '"予備系への自動切り替え"'
pyjson "a phrase matches in order" 'j["total"] == 1 and j["results"][0]["id"] == "fx-failover"'
run search --format json ddos OR 偽警告
pyjson "OR" 'j["total"] == 2'
run search --format json ランサムウェア 偽警告
pyjson "no case has all words: partial matches follow, marked" \
	'j["total"] == 0 and len(j["results"]) >= 2 and all(r.get("partial") for r in j["results"])'

# total (all the words) and partial_total (some of them) from the first page on; offset pages through both
run search --format json --limit 1 --offset 0 委託先 ランサムウェア
pyjson "paging: the first page already gives total and partial_total" 'j["total"] == 1 and j["partial_total"] >= 1'
if [ "$HAVE_PY" -eq 1 ]; then
	n=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["total"] + j["partial_total"])' "$T/out")
	: >"$T/paged"
	o=0
	while [ $o -lt "$n" ]; do
		"$KYOKUN" search --format json --limit 1 --offset $o 委託先 ランサムウェア |
			python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)["results"]]' >>"$T/paged"
		o=$((o + 1))
	done
	run search --format json --limit 100 委託先 ランサムウェア
	python3 -c 'import json,sys; [print(r["id"]) for r in json.load(open(sys.argv[1]))["results"]]' "$T/out" >"$T/whole"
	if [ "$(wc -l <"$T/paged")" -eq "$n" ] && cmp -s "$T/paged" "$T/whole"; then
		ok "paging: pages of one through total + partial_total give every result once, in order"
	else
		fail "paging: pages of one through total + partial_total" "n=$n paged: $(tr '\n' ' ' <"$T/paged") whole: $(tr '\n' ' ' <"$T/whole")"
	fi
fi

# ---- filters, facets, paging ----
run search --format json --filter year=2022 遮断
pyjson "--filter year" 'j["total"] == 2 and all(r["source"]["year"] == 2022 for r in j["results"])'
pyjson "facet counts follow the filter" 'j["facets"]["year"] == {"2022": 2}'
run search --format json --filter category=外部からのサイバー攻撃 --filter threat=brute_force 遮断
pyjson "two filters" 'j["total"] == 1 and j["results"][0]["id"] == "fx-rdp"'
run search --format json --max-tlp clear 訓練
pyjson "--max-tlp hides cases and their counts" \
	'all(r["id"] != "fx-secret" for r in j["results"]) and "red" not in j["facets"]["tlp"]'
run search --format json --limit 2 遮断
pyjson "--limit" 'len(j["results"]) == 2 and j["total"] == 4'
ids1=$(python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))["results"]))' "$T/out" 2>/dev/null)
run search --format json --limit 2 --offset 2 遮断
pyjson "--offset pages on" "len(j['results']) == 2 and not set(r['id'] for r in j['results']) & set('$ids1'.split())"
run search --format json 存在しない言葉xyz
expect_rc "no hits exits 0" 0
pyjson "no hits: total 0, empty results" 'j["total"] == 0 and j["results"] == []'

# ---- text ----
run search --format text 遮断
expect_rc "text format" 0
expect_out "text shows the count" "^4 cases match"
expect_out "text marks the matched words" "【遮断】"
expect_out "text lists facets" "^category:"

# ---- bad input ----
run search --format json
expect_rc "no query: usage error" 2
expect_err "no query: message" "no query"
run search --format json "   "
expect_rc "blank query: usage error" 2
run search --format json '!!! 。。'
expect_rc "only punctuation: usage error" 2
expect_err "only punctuation: message" "no word to search for"
run search --format json '"unclosed phrase'
expect_rc "unbalanced quote: usage error" 2
expect_err "unbalanced quote: message" "unbalanced quote"
run search --format json '(rdp'
expect_rc "unbalanced parenthesis: usage error" 2
run search --format json -- -rdp
expect_rc "only excluded words: usage error" 2
expect_err "only excluded words: message" "only excludes"
run search --format json --filter colour=red rdp
expect_rc "unknown filter key: usage error" 2
expect_err "unknown filter key: message" "unknown filter"
run search --format json --filter year=abc rdp
expect_rc "bad filter value: usage error" 2
run search --format json --limit 0 rdp
expect_rc "bad --limit: usage error" 2
run search --bogus rdp
expect_rc "unknown option: usage error" 2
python3 -c 'print("あ" * 35000)' >"$T/big" 2>/dev/null || head -c 102400 /dev/zero | tr '\0' 'a' >"$T/big"
run search --format json "$(cat "$T/big")"
expect_rc "100 KB query: refused" 2
expect_err "100 KB query: message" "too long"
for q in 'NEAR(a b)' 'title:rdp' 'rdp*' '{title}: rdp' '"a""b"' "'; DROP TABLE cases; --" '^rdp' 'a)OR(b'; do
	run search --format json "$q"
	if [ "$RC" -le 2 ] && ! grep -qi 'sql\|fts5\|syntax error' "$T/err"; then
		ok "hostile query [$q] handled"
	else
		fail "hostile query [$q] handled" "exit $RC: $(head -c 300 "$T/err")"
	fi
done
run list --format json
pyjson "the cases are all still there" 'j["total"] == 8'

# ---- similar ----
run similar --format json fx-failover
expect_rc "similar ID" 0
pyjson "similar: results with shared_terms, not the case itself" \
	'j["results"] and all("shared_terms" in r and r["id"] != "fx-failover" for r in j["results"]) and j["terms"]'
pyjson "similar: the closest case shares its words" \
	'j["results"][0]["id"] == "fx-secret" and "予備系" in j["results"][0]["shared_terms"]'
run similar --format json --text "ランサムウェアに感染してファイルが暗号化された。バックアップから復旧した。"
expect_rc "similar --text" 0
pyjson "similar --text ranks the ransomware case first" 'j["results"][0]["id"] == "fx-ransom"'
echo "ランサムウェアに感染した" | "$KYOKUN" similar --format json --text - >"$T/out" 2>"$T/err"
RC=$?
expect_rc "similar --text - reads stdin" 0
run similar --format json --max-tlp clear fx-failover
pyjson "similar honours --max-tlp" 'all(r["id"] not in ("fx-secret", "fx-rdp") for r in j["results"])'
run similar --format text fx-ransom
expect_rc "similar text format" 0
expect_out "similar text lists shared terms" "shared:"
run similar no-such-case
expect_rc "similar unknown id: error" 1
expect_err "similar unknown id: message" "no case with id"
run similar
expect_rc "similar without id: usage error" 2
run similar fx-rdp --text x
expect_rc "similar id and --text: usage error" 2
run help search
expect_rc "help search" 0
expect_out "help search documents the query language" "OR"

# ---- sanitizers ----
if ls "$T"/sanitizer* >/dev/null 2>&1; then
	fail "no sanitizer reports" "$(cat "$T"/sanitizer* | head -20)"
else
	ok "no sanitizer reports"
fi

# ---- a query in English finds cases in Japanese, and the reverse (data/synonyms.txt) ----
export KYOKUN_DB="$T/bilingual.db"
run add "$FX"
cat >"$T/en.json" <<'EOF'
{"id": "fx-en-phish", "title": "Phishing site imitating a bank's login page", "tlp": "clear",
 "summary": ["A phishing website copied the login page and collected passwords."],
 "sections": {"cause": "The contractor that ran the website reused an old template."}}
EOF
run add "$T/en.json"
expect_rc "bilingual: an English case is added" 0
run search --format json ransomware
pyjson "bilingual: ransomware finds ランサムウェア" 'j["results"] and j["results"][0]["id"] == "fx-ransom"'
run search --format json contractor
pyjson "bilingual: contractor finds 委託先 and the English case" \
	'{r["id"] for r in j["results"] if not r.get("partial")} >= {"fx-ransom", "fx-en-phish"}'
run search --format json フィッシング
pyjson "bilingual: フィッシング finds the English phishing case" 'any(r["id"] == "fx-en-phish" for r in j["results"])'

# ---- English forms and ranking by what a case is about (issue 16) ----
run search --format json ransomwares
pyjson "stemming: ransomwares finds ランサムウェア through the synonym of its stem" \
	'j["results"] and j["results"][0]["id"] == "fx-ransom" and not j["results"][0].get("partial")'
run search --format json phished
pyjson "stemming: phished finds the phishing case" 'any(r["id"] == "fx-en-phish" for r in j["results"])'
cat >"$T/rank.json" <<'EOF2'
[{"id": "fx-rk-passing", "title": "ストレージ更改後の応答遅延", "tlp": "clear",
  "summary": ["ストレージ更改後に業務システムの応答が遅くなった。"],
  "sections": {"background": "更改作業は委託業者が夜間に行い、委託先の担当者が立ち会った。",
               "cause": "キャッシュ設定が旧装置の値のままだった。",
               "countermeasures": "更改手順書に設定値の確認を加えた。"}},
 {"id": "fx-rk-mfa-lesson", "title": "共有アカウントの不正利用", "tlp": "clear",
  "summary": ["退職者と共有していた管理者アカウントで外部から操作された。"],
  "sections": {"cause": "管理者アカウントを複数人で共有し、パスワードを変えていなかった。",
               "countermeasures": "全ての管理者アカウントを個人別にし、多要素認証を必須にした。",
               "lessons": "パスワードだけの認証では、漏れた時に防げない。"}},
 {"id": "fx-rk-mfa-mention", "title": "業務システムへの不正ログインの試行", "tlp": "clear",
  "summary": ["海外から業務システムへのログイン試行が続いた。"],
  "sections": {"background": "業務システムには多要素認証を導入済みであった。",
               "response": "多要素認証の失敗記録から試行元を特定し、通信を遮断した。",
               "countermeasures": "海外からの接続を既定で拒否する設定にした。"}}]
EOF2
run add "$T/rank.json"
expect_rc "ranking: the ranking cases are added" 0
run search --format json 委託先
pyjson "ranking: 委託先 in the title outranks a passing mention with a rare synonym (委託業者)" \
	'[r["id"] for r in j["results"]].index("fx-ransom") < [r["id"] for r in j["results"]].index("fx-rk-passing")'
run search --format json 多要素認証
pyjson "ranking: the case whose 再発防止策 is the practice outranks one that mentions it twice" \
	'[r["id"] for r in j["results"]].index("fx-rk-mfa-lesson") < [r["id"] for r in j["results"]].index("fx-rk-mfa-mention")'

# ---- relevance on the real reports ----
CORPUS="$SHARED/corpus"
if [ ! -d "$CORPUS" ]; then
	skip "corpus" "../shared/corpus not found"
elif ! "$KYOKUN" import --help >/dev/null 2>&1; then
	skip "corpus" "this kyokun has no import command yet"
elif [ "$HAVE_PY" -eq 0 ]; then
	skip "corpus" "no python3"
else
	export KYOKUN_DB="$T/corpus.db"
	run import "$CORPUS"/*.txt
	expect_rc "import the three reports" 0
	python3 "$SHARED/tools/search_eval.py" "$CORPUS/qrels/qrels.json" -- \
		"$KYOKUN" --db "$KYOKUN_DB" search --format json --limit 10 >"$T/eval" 2>&1
	line=$(grep '^search:' "$T/eval")
	echo "# $line"
	if python3 -c '
import re, sys
m = re.search(r"nDCG@5 ([0-9.]+), recall@10 ([0-9.]+)", sys.argv[1])
sys.exit(0 if m and float(m.group(1)) >= 0.85 and float(m.group(2)) >= 0.95 else 1)' "$line"; then
		ok "corpus relevance: nDCG@5 >= 0.85, recall@10 >= 0.95"
	else
		fail "corpus relevance: nDCG@5 >= 0.85, recall@10 >= 0.95" "$(cat "$T/eval")"
	fi
fi
