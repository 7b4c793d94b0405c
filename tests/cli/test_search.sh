#!/bin/sh
# tests/cli/test_search.sh - `kyokun search` and `kyokun similar` end to end
# on our own fixture cases (tests/fixtures/search/cases.json): JSON and text
# output, filters and facets, paging, exit codes and messages for bad
# input; where a hit matched (sections, snippets cut at boundaries,
# section:, the case page with the words highlighted, on a server); then, when ../shared/corpus is there, the relevance figures of
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

# ---- sort, year range, 未分類 (none) ----
run search --format json --sort year 遮断
pyjson "--sort year: newest first" \
	'[r["source"]["year"] for r in j["results"]] == sorted([r["source"]["year"] for r in j["results"]], reverse=True) and j["total"] == 4'
run search --format json --filter year=2022..2023 遮断
pyjson "--filter year=2022..2023" 'j["total"] == 3 and all(2022 <= r["source"]["year"] <= 2023 for r in j["results"])'
run search --format json --filter year=..2021 遮断
pyjson "--filter year=..2021" 'j["total"] == 1 and j["results"][0]["source"]["year"] == 2021'
run search --format json 遮断
pyjson "facets count 未分類 as none" 'j["facets"]["sector"] == {"none": 3, "finance": 1} and j["facets"]["threat"]["none"] == 3'
run search --format json --filter sector=none 遮断
pyjson "--filter sector=none: the cases without a sector" 'j["total"] == 3 and all(r["id"] != "fx-rdp" for r in j["results"])'
run search --format json --filter year=2023..2020 遮断
expect_rc "a year range backwards: usage error" 2
expect_err "a year range backwards: message" "ends before it begins"
run search --format json --sort newest 遮断
expect_rc "--sort unknown: usage error" 2
expect_err "--sort unknown: message" "relevance or year"

# ---- the web: sort and years in the form, compare, Atom feeds (one server) ----
"$KYOKUN" user add feed-analyst --role analyst --no-password >/dev/null 2>&1
FEEDTOK=$("$KYOKUN" token create feed-analyst --name feed 2>/dev/null | tail -1)
start_server
if [ -z "$URL" ]; then
	fail "search web: the server starts" "$(cat "$T/srv.err")"
else
	get "/search?q=%E9%81%AE%E6%96%AD&sort=year&year=2021..2023"
	expect_code "search page: sort=year and year=2021..2023" 200
	body_has "search page: the order form keeps sort=year" 'name="sort" value="year" checked'
	body_has "search page: the year range in the form" 'name="year" value="2021..2023"'
	body_has "search page: the Atom feed in the head" 'rel="alternate" type="application/atom+xml" href="/search.atom?q=%E9%81%AE%E6%96%AD&amp;year=2021..2023&amp;sort=year"'
	body_has "search page: a checkbox per result for the compare form" 'form="compare"'
	get "/search?q=%E9%81%AE%E6%96%AD"
	body_has "search page: 未分類 counted in the facets" 'class="none"><span>未分類</span><span class="n">3</span>'
	get "/search?q=%E9%81%AE%E6%96%AD&sort=bogus"
	expect_code "search page: an unknown sort is 400" 400
	get "/compare?ids=fx-failover,fx-ransom"
	expect_code "compare: two public cases" 200
	body_has "compare: a row per section" '再発防止策'
	body_has "compare: both cases' columns" 'href="/cases/fx-ransom"'
	get "/compare?ids=fx-failover&ids=fx-ransom&ids=fx-mail"
	expect_code "compare: three cases as repeated ids (the search form)" 200
	get "/compare?ids=fx-failover,fx-leak"
	expect_code "compare: an AMBER case is not found for anonymous" 404
	body_lacks "compare: the AMBER case's title is never shown" 'クラウドストレージ'
	get "/compare?ids=fx-failover"
	expect_code "compare: one case is a clear 400" 400
	body_has "compare: says how many" '2件または3件'
	get "/compare?ids=a,b,c,d"
	expect_code "compare: four cases is a clear 400" 400
	get "/compare?ids=fx-failover,no-such-case"
	expect_code "compare: an unknown id is 404" 404
	body_has "compare: names the unknown id" 'no-such-case'
	# pyatom NAME EXPR: the body parses as Atom and EXPR over its entries' ids (ids) and the root (r) is true
	pyatom() {
		if python3 -c '
import sys, xml.etree.ElementTree as E
A = "{http://www.w3.org/2005/Atom}"
r = E.parse(sys.argv[1]).getroot()
assert r.tag == A + "feed" and r.find(A + "id") is not None and r.find(A + "updated") is not None
es = r.findall(A + "entry")
for e in es:
    assert all(e.find(A + k) is not None for k in ("id", "title", "updated", "link"))
ids = [e.find(A + "id").text.rsplit("/", 1)[1] for e in es]
sys.exit(0 if (eval(sys.argv[2])) else 1)' "$T/body" "$2" 2>"$T/py.out"; then ok "$1"; else fail "$1" "$2: $(cat "$T/py.out") $(head -c 400 "$T/body")"; fi
	}
	get "/feed.atom"
	expect_code "feed.atom" 200
	hdr_has "feed.atom: Atom's media type" '^content-type: application/atom\+xml'
	pyatom "feed.atom: valid Atom, public cases only" '"fx-failover" in ids and not set(ids) & {"fx-leak", "fx-secret", "fx-rdp"}'
	get "/feed.atom" -H "Authorization: Bearer $FEEDTOK"
	pyatom "feed.atom: an analyst's token sees the AMBER and GREEN cases too" '{"fx-leak", "fx-rdp"} <= set(ids) and "fx-secret" not in ids'
	get "/compare?ids=fx-leak,fx-rdp" -H "Authorization: Bearer $FEEDTOK"
	expect_code "compare: the analyst's token sees the AMBER case" 200
	get "/search.atom?q=%E9%81%AE%E6%96%AD"
	pyatom "search.atom: the search's public cases" 'set(ids) == {"fx-ddos", "fx-mail", "fx-ransom"}'
	get "/search.atom?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84%E8%A8%80%E8%91%89xyz"
	expect_code "search.atom: no results" 200
	pyatom "search.atom: no results is a valid empty feed" 'ids == []'
	get "/search.atom?year=2023"
	pyatom "search.atom: filters without words" 'set(ids) == {"fx-mail"}'
	get "/search.atom?q=%22unclosed"
	expect_code "search.atom: a bad query is 400" 400
	# exact totals per reader: total and partial_total of /api/search for the anonymous reader
	# (TLP:CLEAR only) and the analyst (GREEN and AMBER too), a full first page (limit 1: the
	# partial ones counted in the ranking's run) and one with room (limit 20: in the partial run);
	# and total + partial_total is the total of "a OR b"
	if [ "$HAVE_PY" -eq 1 ]; then
		if python3 - "$URL" "$FEEDTOK" >"$T/counts" 2>&1 <<'EOF'
import json, sys, urllib.parse, urllib.request
url, tok = sys.argv[1], sys.argv[2]
def get(q, limit, who):
    r = urllib.request.Request(url + "/api/search?" + urllib.parse.urlencode({"q": q, "limit": limit}))
    if who:
        r.add_header("Authorization", "Bearer " + tok)
    j = json.load(urllib.request.urlopen(r))
    return j["total"], j.get("partial_total", 0), len(j["results"])
want = {  # query: (anonymous total, partial), (analyst total, partial), the OR they add up to or None
    "ランサムウェア 遮断": ((1, 2), (1, 3), "ランサムウェア OR 遮断"),
    "ＲＤＰ 遮断": ((0, 3), (1, 3), "ＲＤＰ OR 遮断"),
    "漏えい 遮断": ((0, 3), (1, 4), "漏えい OR 遮断"),
    '"総当たり攻撃"': ((0, 0), (1, 0), None),
    "サポート詐欺 遮断": ((0, 4), (0, 5), None),
}
bad = []
for q, (anon, analyst, any_q) in want.items():
    for who, w in ((0, anon), (1, analyst)):
        for limit in (1, 20):
            t, p, n = get(q, limit, who)
            if (t, p) != w or n != min(limit, t + p):
                bad.append("%s %s limit %d: %d %d %d, want %s" % (q, ("anonymous", "analyst")[who], limit, t, p, n, w))
        if any_q and get(any_q, 1, who)[0] != w[0] + w[1]:
            bad.append("%s %s: total + partial_total is not the total of %s" % (q, who, any_q))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
		then
			ok "api/search: total and partial_total exact for each reader, whichever page"
		else
			fail "api/search: total and partial_total exact for each reader, whichever page" "$(cat "$T/counts")"
		fi
	fi
	stop_server
fi

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
# one-character words stand for every word starting with them: eight are searched, nine refused
run search --format json -- 系 統 運 用 管 理 情 報
expect_rc "eight one-character words: searched" 0
run search --format json -- 系 統 運 用 管 理 情 報 対
expect_rc "nine one-character words: refused" 2
expect_err "nine one-character words: message" "more than 8 one-character words"
run search --format json -- 系統 運用 管理 情報 対策 不正 侵入 攻撃 被害
expect_rc "nine words of two characters: searched" 0
# a section search: eight words, not nine
run search --format json -- section:cause 暗号鍵 OR 監査ログ OR 保管 OR 署名 OR 平文 OR 更新 OR 手順 OR 記録
expect_rc "section: eight words: searched" 0
run search --format json -- section:cause 暗号鍵 OR 監査ログ OR 保管 OR 署名 OR 平文 OR 更新 OR 手順 OR 記録 OR 確認
expect_rc "section: nine words: refused" 2
expect_err "section: nine words: message" "at most 8 words in a section search"
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

# ---- where it matched: sections, snippets at boundaries, section:, the highlighted case page ----
export KYOKUN_DB="$T/where.db"
export WFX="$FIX/search/where.json"
run add "$WFX"
expect_rc "where: add the fixture" 0
# sec(ID, KEY): the text of a fixture case's section, for the snippet checks
SEC='(lambda i, k: [c for c in json.load(open(__import__("os").environ["WFX"]))["cases"] if c["id"] == i][0]["sections"][k])'
run search --format json 署名鍵
pyjson "where: sections are the case JSON keys the words are in" \
	'j["results"][0]["sections"] == ["cause", "countermeasures"]'
# (再発防止策 is indexed with the lessons, a column preferred for snippets over the body)
pyjson "where: the snippet comes from the best matched section and says which" \
	'j["results"][0]["snippet_section"] == "countermeasures" and j["results"][0]["snippet_field"] == "lessons"'
run search --format json 'section:cause 署名鍵'
pyjson "where: a Japanese snippet starts after 。 and runs to the end of the section" \
	"(lambda r, t: t[t.index(r['snippet']) - 1] == '。' and t.endswith(r['snippet']) and r['snippet_cut'] == [True, False])(j['results'][0], $SEC('wh-keys', 'cause'))"
run search --format json keystore
pyjson "where: an English snippet is cut at spaces or after a clause, never in a word" \
	"(lambda r, t: t[t.index(r['snippet']) - 1] in ' ;,' and t[t.index(r['snippet']) + len(r['snippet'])] == ' ' and r['snippet_cut'] == [True, True])(j['results'][0], $SEC('wh-english', 'cause'))"
pyjson "where: highlights still point at the word" \
	'all(j["results"][0]["snippet"][a:b] == "keystore" for a, b in j["results"][0]["highlights"])'
run search --format text keystore
expect_out "where: text names the section" "in: 原因 \(cause\)"
expect_out "where: text shows an ellipsis where the text was cut" "^    ….*【keystore】.*…$"
run search --format json 'section:原因 鍵'
pyjson "where: section:原因 finds the word in the cause" '[r["id"] for r in j["results"]] == ["wh-keys"] and j["results"][0]["snippet_section"] == "cause" and j["section"] == "cause"'
run search --format json 'section:countermeasures 三年'
pyjson "where: section:KEY leaves out cases with the word elsewhere" 'j["total"] == 0 and j["results"] == []'
run search --format json 'section:cause keystore contractors'
pyjson "where: section:cause with two words" 'j["total"] == 1 and j["results"][0]["id"] == "wh-english"'
run search --format json 'section:概要 共有フォルダ'
pyjson "where: section:概要 is the summary" 'j["total"] == 1 and j["results"][0]["sections"] == ["summary"]'
run search --format json 'section:結論 鍵'
expect_rc "where: an unknown section is a usage error" 2
expect_err "where: the message lists the sections" 'no such section.*cause \(原因\)'
start_server
if [ -z "$URL" ]; then
	fail "where: server starts" "$(cat "$T/srv.err")"
else
	get "/search?q=%E7%BD%B2%E5%90%8D%E9%8D%B5"
	body_has "where: a result links to the case with the words and #match-1" \
		'href="/cases/wh-keys?q=%E7%BD%B2%E5%90%8D%E9%8D%B5#match-1"'
	body_has "where: a result's badge names the section in Japanese and English" \
		'<span lang="ja">原因</span> / <span lang="en">Cause</span>'
	body_lacks "where: no 本文 badge" '>本文<'
	get "/cases/wh-keys?q=%E7%BD%B2%E5%90%8D%E9%8D%B5"
	body_has "where: the case page marks the words, the first one the anchor" '<mark id="match-1">署名鍵</mark>'
	body_has "where: the case page says what is highlighted, with a link to remove it" \
		'<p class="hl-note" role="note">'
	body_has "where: the link removes the highlighting" '<a href="/cases/wh-keys">'
	get "/cases/wh-keys?q=section:countermeasures+%E7%BD%B2%E5%90%8D%E9%8D%B5"
	body_has "where: with section:, the words are marked in that section" '<mark id="match-1">署名鍵</mark>を専用'
	body_lacks "where: with section:, not elsewhere" '<mark>署名鍵</mark>が誰でも'
	get "/search?q=%E7%BD%B2%E5%90%8D%E9%8D%B5&section=countermeasures"
	body_has "where: section= in the form: the link carries it to the case" \
		'href="/cases/wh-keys?q=%E7%BD%B2%E5%90%8D%E9%8D%B5&amp;section=countermeasures#match-1"'
	body_has "where: section= in the form: the filters count the cases found" '<section class="facet">'
	body_has "where: section= in the form: its chip names the section in both languages" \
		'<span lang="ja">再発防止策</span> / <span lang="en">'
	get "/search?q=%E7%BD%B2%E5%90%8D%E9%8D%B5&section=countermeasures" -H 'Accept-Language: en'
	body_has "where: section= on the English page: its chip names the section in both languages too" \
		'<span lang="ja">再発防止策</span> / <span lang="en">'
	get "/cases/wh-keys?q=%E7%BD%B2%E5%90%8D%E9%8D%B5&section=countermeasures"
	body_lacks "where: section=: the words are marked in that section only" '<mark>署名鍵</mark>が誰でも'
	get "/cases/wh-keys?q=%3Cb%3E%E7%BD%B2%E5%90%8D%E9%8D%B5"
	body_lacks "where: the words are escaped in the note" '<b>署名鍵'
	get "/search?q=%E9%8D%B5&section=nope"
	expect_code "where: web: an unknown section is not an error page" 200
	body_has "where: web: the message, in Japanese, lists the sections" '「nope」という節はありません。使える節：タイトル (section:title)、'
	body_has "where: web: ... all of them, whole" '、原因 (section:cause)、被害軽減に寄与した対策 (section:mitigation)、再発防止策 (section:countermeasures)、得られた気付き・教訓 (section:lessons)、今後の課題 (section:challenges)、時系列 (section:timeline)、分類・属性 (section:attributes)</p>'
	body_lacks "where: web: ... not the English of the CLI" 'no such section'
	get "/search?q=%E9%8D%B5&section=nope" -H 'Accept-Language: en'
	body_has "where: web: the English page says it in English" 'There is no section &quot;nope&quot;. The sections: Title (section:title), Overview (section:summary)'
	# every query error on the search page is in the page's language (i18n_query_error)
	get "/search?q=%22unclosed"
	body_has "query errors: an unclosed quote, in Japanese" '引用符（&quot;）で始めた語句が閉じられていません。'
	body_lacks "query errors: no feed of a query that cannot run" 'search.atom'
	get "/search?q=%22unclosed" -H 'Accept-Language: en'
	body_has "query errors: ... and in English" 'A quoted phrase is not closed'
	get "/search?q=-%E9%8D%B5"
	body_has "query errors: only excluded words, in Japanese" '除外する語しかありません。'
	get "/search?q=a+OR"
	body_has "query errors: OR at the end, in Japanese" 'OR の両側に語を置いてください。'
	get "/search?q=%E3%81%82+%E3%81%84+%E3%81%86+%E3%81%88+%E3%81%8A+%E3%81%8B+%E3%81%8D+%E3%81%8F+%E3%81%91"
	body_has "query errors: nine one-character words, in Japanese, with the bound" '一文字の語が多すぎます（最大 8 個）'
	get "/search?q=section:cause+a+b+c+d+e+f+g+h+i"
	body_has "query errors: a section search of nine words, with both numbers" '語は最大 8 語です（9 語あります）'
	get "/search?q=a+b+c+d+e+f+g+h+i&section=cause"
	body_has "query errors: a refused search keeps its section in the form" '<option value="cause" selected>'
	get "/search?q=%29"
	body_has "query errors: a stray ), in Japanese" '対応する「(」のない「)」があります。'
	get "/api/search?q=%E9%8D%B5&section=nope"
	expect_code "where: API: an unknown section is a 400" 400
	get "/api/search?q=%E9%8D%B5&section=%E5%8E%9F%E5%9B%A0"
	if [ "$HAVE_PY" -eq 0 ]; then
		skip "where: API: section= restricts the search" "no python3"
	elif python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if [r["id"] for r in j["results"]] == ["wh-keys"] else 1)' "$T/body" 2>/dev/null; then
		ok "where: API: section= restricts the search"
	else
		fail "where: API: section= restricts the search" "$(head -c 300 "$T/body")"
	fi
	stop_server
fi

# ---- section: the same answers as one lookup per case (known answers) ----
# Words in two sections of one case, cases a reader may not see, a partial tier, the
# lessons column, a one-character word, pages across the tiers.
export KYOKUN_DB="$T/section.db"
run add "$FIX/search/section.json"
expect_rc "section: add the fixture" 0
# secjson NAME EXPECTED ARGS...: the search's total, partial total and (id, partial, snippet,
# highlights, sections) of each result, as EXPECTED (JSON)
secjson() {
	name=$1 want=$2
	shift 2
	run search --format json "$@"
	pyjson "$name" "[j['total'], j['partial_total'], [[r['id'], r.get('partial', False), r['snippet'], r['highlights'], r.get('sections')] for r in j['results']]] == json.loads('''$want''')"
}
secjson "section: words in two sections: partial; hidden cases for the operator" \
	'[3,4,[["sx-twice",false,"暗号鍵を取り違え、別の暗号鍵で署名した。監査ログで気付いた。",[[0,3],[11,14],[20,24]],["background","cause"]],["sx-hidden",false,"暗号鍵が平文で置かれ、監査ログは消去されていた。暗号鍵の持ち出しも記録されなかった。",[[0,3],[11,15],[24,27]],["cause"]],["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[0,3],[14,18]],["cause"]],["sx-hidden-split",true,"監査ログを見る担当者がいなかった。",[[0,4]],["background","cause"]],["sx-split",true,"暗号鍵を更新する手順がなかった。",[[0,3]],["background","cause"]],["sx-cause-one",true,"監査ログの確認が形だけになっていた。",[[0,4]],["cause"]],["sx-lessons",true,"監査ログの保存期間が短かった。",[[0,4]],["cause"]]]]' -- 'section:cause 暗号鍵 監査ログ'
secjson "section: the same for a reader of clear cases" \
	'[2,2,[["sx-twice",false,"暗号鍵を取り違え、別の暗号鍵で署名した。監査ログで気付いた。",[[0,3],[11,14],[20,24]],["background","cause"]],["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[0,3],[14,18]],["cause"]],["sx-split",true,"暗号鍵を更新する手順がなかった。",[[0,3]],["background","cause"]],["sx-lessons",true,"監査ログの保存期間が短かった。",[[0,4]],["cause"]]]]' --max-tlp clear -- 'section:cause 暗号鍵 監査ログ'
secjson "section: the same for a reader of green cases" \
	'[2,3,[["sx-twice",false,"暗号鍵を取り違え、別の暗号鍵で署名した。監査ログで気付いた。",[[0,3],[11,14],[20,24]],["background","cause"]],["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[0,3],[14,18]],["cause"]],["sx-split",true,"暗号鍵を更新する手順がなかった。",[[0,3]],["background","cause"]],["sx-cause-one",true,"監査ログの確認が形だけになっていた。",[[0,4]],["cause"]],["sx-lessons",true,"監査ログの保存期間が短かった。",[[0,4]],["cause"]]]]' --max-tlp green -- 'section:cause 暗号鍵 監査ログ'
secjson "section: a section in the lessons column" \
	'[1,0,[["sx-lessons",false,"暗号鍵を定期的に更新することにした。",[[0,3]],["key_lessons","countermeasures"]]]]' -- 'section:countermeasures 暗号鍵'
secjson "section: one character" \
	'[4,0,[["sx-twice",false,"暗号鍵を取り違え、別の暗号鍵で署名した。監査ログで気付いた。",[[2,3],[13,14]],["background","cause"]],["sx-hidden",false,"暗号鍵が平文で置かれ、監査ログは消去されていた。暗号鍵の持ち出しも記録されなかった。",[[2,3],[26,27]],["cause"]],["sx-split",false,"暗号鍵を更新する手順がなかった。",[[2,3]],["cause"]],["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[2,3]],["cause"]]]]' -- 'section:cause 鍵'
secjson "section: OR, a reader of clear cases" \
	'[3,1,[["sx-twice",false,"暗号鍵を取り違え、別の暗号鍵で署名した。監査ログで気付いた。",[[0,3],[11,14],[20,24]],["background","cause"]],["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[0,3],[14,18]],["cause"]],["sx-lessons",false,"監査ログの保存期間が短かった。",[[0,4]],["cause"]],["sx-split",true,"暗号鍵を更新する手順がなかった。",[[0,3]],["background","cause"]]]]' --max-tlp clear -- 'section:cause 暗号鍵 OR 監査ログ'
run search --format json --max-tlp clear 'section:cause 暗号鍵 監査ログ'
pyjson "section: the facets count the kept cases a reader sees" \
	'j["facets"]["tlp"] == {"clear": 2} and j["facets"]["year"] == {"2023": 1, "2020": 1}'
run search --format json 'section:cause 暗号鍵 監査ログ'
pyjson "section: the facets count the kept cases (the operator)" \
	'j["facets"]["tlp"] == {"clear": 2, "amber": 1} and j["facets"]["year"] == {"2023": 2, "2020": 1}'
run search --format json 'section:countermeasures 暗号鍵 保管装置'
pyjson "section: none with all the words: the facets count those with some" \
	'j["total"] == 0 and j["partial_total"] == 2 and j["facets"]["year"] == {"2023": 1, "2021": 1}'
secjson "section: a word in parts (an OR over an AND), found in the section" \
	'[1,0,[["sx-switch",false,"担当者が手動で別系統に切り替え、アクセスを再開した。運用担当者が手動で取引先に切り替え、サービスを再開した。",[[11,15],[39,43]],["background","response"]]]]' -- 'section:response 待機系への切替'
secjson "section: a page across the tiers" \
	'[3,4,[["sx-both",false,"暗号鍵の保管場所が共有され、監査ログも残っていなかった。",[[0,3],[14,18]],["cause"]],["sx-hidden-split",true,"監査ログを見る担当者がいなかった。",[[0,4]],["background","cause"]]]]' --limit 2 --offset 2 -- 'section:cause 暗号鍵 監査ログ'

# A query with a prefix marks its hits in one run of the match (ksearch__where_many); each
# hit as when it is the only one on its page (looked up alone): full and partial tiers.
# pagehits ARGS...: the results of a page of 7, and of the same 7 one per page, into $T/many, $T/one
pagehits() {
	"$KYOKUN" search --format json --limit 7 "$@" >"$T/many" 2>"$T/err"
	: >"$T/one"
	for o in 0 1 2 3 4 5 6; do
		"$KYOKUN" search --format json --limit 1 --offset $o "$@" >>"$T/one" 2>>"$T/err"
		echo >>"$T/one"
	done
}
for q in 'section:cause 鍵 監査ログ' '鍵 OR 監査ログ' '暗 号'; do
	pagehits -- "$q"
	if [ "$HAVE_PY" -eq 0 ]; then
		skip "section: a prefix, the page's hits marked at once: $q" "no python3"
	elif python3 -c '
import json, sys
many = json.load(open(sys.argv[1]))["results"]
text, one, at, dec = open(sys.argv[2]).read(), [], 0, json.JSONDecoder()
while text[at:].strip():
    at += len(text[at:]) - len(text[at:].lstrip())
    j, at = dec.raw_decode(text, at)
    one += j["results"]
sys.exit(0 if len(many) > 1 and many == one else 1)' "$T/many" "$T/one" 2>"$T/py.out"; then
		ok "section: a prefix, the page's hits marked at once: $q"
	else
		fail "section: a prefix, the page's hits marked at once: $q" "$(head -c 600 "$T/many")"
	fi
done

# A word in parts whose second part has a form of several tokens (切り替え): FTS5, on the
# first case (予備系, and 切り, り替, 替え apart), cleared the marks of 切替 that it had already
# found in the second, whose response section was then taken for one without the word.
export KYOKUN_DB="$T/section-apart.db"
run add "$FIX/search/section-apart.json"
expect_rc "section: add the fixture of parts apart" 0
secjson "section: a word in parts, a form of its part apart in an earlier case" \
	'[1,0,[["sa-switch",false,"担当者が手動で切替を行い、業務を再開した。",[[7,9]],["background","response"]]]]' -- 'section:response 待機系への切替'
secjson "section: the same word, one part in the section: both sections named" \
	'[1,1,[["sa-switch",false,"予備系の点検を夜間に行っていた。",[[0,3]],["background","response"]],["sa-apart",true,"予備系の切り口を確かめ、部品を取り替えた。",[[0,3]],["background"]]]]' -- 'section:background 待機系への切替'

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
	# section:NAME from where the parts begin in the index (case_parts) and from the cases read:
	# the same hits, totals and parts on the real reports
	cp "$KYOKUN_DB" "$T/noparts.db"
	python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute("DELETE FROM case_parts"); d.commit()' \
		"$T/noparts.db"
	differ=
	for sec in background detection response cause countermeasures lessons key_lessons impact; do
		for w in システム 委託先 不正アクセス 'バックアップ 復旧' '委託 脆弱性 対応' 系 'ログ -メール'; do
			"$KYOKUN" --db "$KYOKUN_DB" search --format json --limit 50 -- "section:$sec $w" >"$T/sp1" 2>&1
			"$KYOKUN" --db "$T/noparts.db" search --format json --limit 50 -- "section:$sec $w" >"$T/sp2" 2>&1
			cmp -s "$T/sp1" "$T/sp2" || differ="$differ [section:$sec $w]"
		done
	done
	if [ -z "$differ" ]; then
		ok "section: the parts' positions in the index decide as reading the cases does (56 searches, the reports)"
	else
		fail "section: the parts' positions in the index decide as reading the cases does" "differ:$differ"
	fi
fi
