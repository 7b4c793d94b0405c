#!/bin/sh
# tests/cli/test_similar_paste.sh - "paste our incident" (issue 16): POST
# /api/similar and the web's /similar page, on the search fixtures
# (tests/fixtures/search/cases.json), one server: a pasted text finds the
# right case first with the terms it shares and where; filters narrow; a
# TLP:AMBER case is there for an analyst's token and never for anyone
# else; bad input (100 KB, punctuation only, Korean and Russian, invalid
# UTF-8, malformed JSON, wrong types) gets a clear answer, never a crash.
#
#   KYOKUN=./kyokun TOP=$PWD sh tests/cli/test_similar_paste.sh
. "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip "paste an incident" "needs curl and python3"
	exit 0
fi

run add "$FIX/search/cases.json"
expect_rc "add the fixture cases" 0
"$KYOKUN" org add "事業者A" >/dev/null 2>"$T/err" || fail "org add" "$(cat "$T/err")"
"$KYOKUN" user add an-a --role analyst --org "事業者A" --no-password >/dev/null 2>"$T/err" || fail "user add" "$(cat "$T/err")"
TOK=$("$KYOKUN" token create an-a --name paste 2>/dev/null | tail -n 1)
PW='paste-hikari-no-naka-de'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" user add an-b --role analyst --org "事業者A" --password-file "$T/pw" >/dev/null 2>"$T/err" || fail "user add an-b" "$(cat "$T/err")"

start_server
if [ -z "$URL" ]; then
	fail "the server starts" "$(cat "$T/srv.err")"
	exit 0
fi

# sim NAME JSON-BODY [CURL ARGS...]: POST /api/similar; body in $T/body, status in $CODE
sim() {
	local n=$1 b=$2
	shift 2
	printf '%s' "$b" >"$T/req.json"
	CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$T/req.json" "$@" "$URL/api/similar")
}
# js NAME EXPR [NAME EXPR ...]: ok for each Python expression over j (the last
# response's JSON) that is true (one python3 for them all)
js() {
	python3 - "$T/body" "$CODE" "$@" <<'EOF'
import json, sys
body, code, args = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    j = json.load(open(body))
except Exception:
    j = None
for name, expr in zip(args[0::2], args[1::2]):
    try:
        good = bool(eval(expr, {"j": j}))
    except Exception:
        good = False
    print(("ok - " if good else "not ok - ") + name)
    if not good:
        print("  %s: status %s %s" % (expr, code, open(body, encoding="utf-8", errors="replace").read(600)))
EOF
}

# ---- the API ----
FAIL='{"text": "夜間に決済システムのサーバが故障し、予備系へ切り替えようとしたが失敗して、決済サービスが朝まで止まった。"}'
sim "a pasted text" "$FAIL"
expect_code "POST /api/similar answers 200 to anyone (no CSRF token for a JSON POST)" 200
js "the right case comes first" 'j["results"][0]["id"] == "fx-failover"' \
	"the terms used are listed" '"予備系" in j["terms"] and "決済" in j["terms"]' \
	"each hit has the search hit fields" \
	'all(set(["id","title","source","category","tlp","score","shared_terms"]) <= set(r) for r in j["results"])' \
	"the hit names the terms it shares" '"予備系" in j["results"][0]["shared_terms"]' \
	"the hit names the sections the shared terms occur in (keys as in the case JSON)" \
	'"title" in j["results"][0]["sections"] and "background" in j["results"][0]["sections"] and set(j["results"][0]["sections"]) <= set(["title","summary","key_lessons","background","detection","response","cause","countermeasures","lessons","impact","mitigation","challenges","timeline"])' \
	"section_terms says which shared terms are in which section" \
	'"予備系" in j["results"][0]["section_terms"]["title"] and all(set(v) <= set(j["results"][0]["shared_terms"]) for v in j["results"][0]["section_terms"].values())' \
	"the text is not sent back" '"query" not in j' \
	"without filters, cases of other years share words too" 'any(r["source"]["year"] == 2022 for r in j["results"])'

sim "limit" '{"text": "委託先のVPN装置の脆弱性からランサムウェアに感染し、サーバが停止した。", "limit": 1}'
js "a text about ransomware via a contractor finds that case first, limit 1" \
	'len(j["results"]) == 1 and j["results"][0]["id"] == "fx-ransom" and "cause" in j["results"][0]["sections"]'
sim "filters narrow" '{"text": "夜間に決済システムのサーバが故障し、予備系へ切り替えようとしたが失敗した。", "filters": {"year": 2021}}'
js "filters.year narrows (a number)" 'j["results"][0]["id"] == "fx-failover" and all(r["source"]["year"] == 2021 for r in j["results"])'
sim "filters narrow" "${FAIL%\}}"', "filters": {"year": ["2022"]}}'
js "filters.year as an array of one string" '[r["id"] for r in j["results"]] == ["fx-ddos"]'
RDP='{"text": "RDPへの総当たり攻撃で不正アクセスを受け、サービスを遮断した。"'
sim "filters narrow" "$RDP}" -H "Authorization: Bearer $TOK"
js "an RDP text, unfiltered: several cases" 'len(j["results"]) > 1 and j["results"][0]["id"] == "fx-rdp"'
sim "filters narrow" "$RDP"', "filters": {"event_class": ["cyber_attack"], "threat": "brute_force", "sector": ["finance"]}}' -H "Authorization: Bearer $TOK"
js "filters.event_class, threat and sector narrow to the tagged case" '[r["id"] for r in j["results"]] == ["fx-rdp"]'
sim "filters narrow" "$RDP"', "filters": {"sector": "金融"}}' -H "Authorization: Bearer $TOK"
js "a sector by its Japanese name" '[r["id"] for r in j["results"]] == ["fx-rdp"]'

LEAK='{"text": "クラウドストレージの公開設定を誤り、委託業務の資料が外部から閲覧できる状態になっていた。"}'
sim "amber, anonymous" "$LEAK"
js "a TLP:AMBER case never appears for an anonymous reader" 'all(r["id"] != "fx-leak" for r in j["results"])'
sim "amber, analyst" "$LEAK" -H "Authorization: Bearer $TOK"
js "an analyst's token sees it first" 'j["results"] and j["results"][0]["id"] == "fx-leak" and j["results"][0]["tlp"] == "amber"'
sim "amber, bad token" "$LEAK" -H "Authorization: Bearer nonsense"
[ "$CODE" = 401 ] || js "a wrong token does not see it" 'all(r["id"] != "fx-leak" for r in j["results"])'
[ "$CODE" != 401 ] || ok "a wrong token is refused"

# ---- bad input ----
python3 -c '
import json, sys
s = "夜間に決済システムのサーバが故障し、予備系へ切り替えようとしたが失敗した。"
t = (s * (102400 // len(s.encode()) + 1)).encode()[:102400].decode("utf-8", "ignore")
open(sys.argv[1], "w").write(json.dumps({"text": t}, ensure_ascii=False))
open(sys.argv[2], "w").write(json.dumps({"text": "あ" * 100000}, ensure_ascii=False))
' "$T/big.json" "$T/huge.json"
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/big.json" "$URL/api/similar")
expect_code "a 100 KB text is taken" 200
js "a 100 KB text finds its case" 'j["results"][0]["id"] == "fx-failover"'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/huge.json" "$URL/api/similar")
expect_code "a body over the API's 256 KiB: 413" 413
sim "punct" '{"text": "！？。、…「」!!! --- 123"}'
expect_code "only punctuation: 400" 400
js "only punctuation: says there are no words to compare" '"no words to compare" in j["error"]["message"]'
sim "korean" '{"text": "랜섬웨어에 감염되어 서버가 암호화되었습니다"}'
expect_code "Korean: 200" 200
js "Korean: an empty result with a message" 'j["results"] == [] and j["terms"] == [] and "none of the text" in j["message"]'
sim "russian" '{"text": "Сервер был зашифрован программой-вымогателем"}'
js "Russian: an empty result with a message" 'j["results"] == [] and "message" in j'
printf '{"text": "\377\376 決済"}' >"$T/req.json"
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$T/req.json" "$URL/api/similar")
expect_code "invalid UTF-8: 400" 400
js "invalid UTF-8: says so" '"UTF-8" in j["error"]["message"]'
sim "malformed" '{"text": "決済'
expect_code "malformed JSON: 400" 400
js "malformed JSON: names the body" 'j["error"]["message"].startswith("body: not valid JSON")'
for b in '{"text": 5}|text' '{}|text' '{"text": "決済", "filters": "x"}|filters' \
	'{"text": "決済", "filters": {"year": "abc"}}|filters.year' '{"text": "決済", "filters": {"year": true}}|filters.year' \
	'{"text": "決済", "filters": {"colour": "red"}}|filters.colour' '{"text": "決済", "filters": {"event_class": "quake"}}|filters.event_class' \
	'{"text": "決済", "filters": {"sector": ["finance", "gas"]}}|filters.sector' '{"text": "決済", "limit": "3"}|limit' \
	'{"text": "決済", "limit": 0}|limit' '{"text": "決済", "extra": 1}|extra' '[1, 2]|body'; do
	sim "types" "${b%|*}"
	if [ "$CODE" = 400 ] && grep -qF "\"message\":\"${b##*|}:" "$T/body"; then
		ok "400 naming ${b##*|} for ${b%|*}"
	else
		fail "400 naming ${b##*|} for ${b%|*}" "status $CODE: $(head -c 300 "$T/body")"
	fi
done
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode 'text=決済' "$URL/api/similar")
expect_code "a form body to the API: 400" 400
get /api
js "the API index lists POST /api/similar" 'any(o["method"] == "POST" and o["path"] == "/api/similar" and not o["csrf"] for o in j["operations"])'
get /api/openapi.json
js "the OpenAPI document describes /api/similar" '"post" in j["paths"]["/api/similar"]'

# ---- the web page ----
get /
body_has "the home page has the paste box" 'action="/similar" method="post"'
body_has "the box has a sector filter" 'name="sector"><option value="">'
get "/search?q=%E6%B1%BA%E6%B8%88"
body_has "the search page has the box (folded)" 'class="paste-fold"'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' \
	--data-urlencode "text=夜間に決済システムのサーバが故障し、予備系へ切り替えようとしたが失敗した。" \
	--data-urlencode "year=2021" "$URL/similar")
expect_code "POST /similar (a plain form, no token)" 200
body_has "the results list the case" 'href="/cases/fx-failover"'
body_has "the shared words are marked" '<mark lang="ja">予備系</mark>'
body_has "the matched sections are named in Japanese and English" '<span lang="ja">背景</span> / <span lang="en">Background</span>'
body_has "the pasted text stays in the box" '予備系へ切り替えようとしたが失敗した。</textarea>'
body_has "the chosen filter stays chosen" '<option value="2021" selected>'
body_lacks "the filter leaves other years out" 'href="/cases/fx-ddos"'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode "text=！？。、…" "$URL/similar")
expect_code "web: only punctuation: 400" 400
body_has "web: only punctuation: the message" '比較できる語がありません'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode "text=랜섬웨어에 감염되어" "$URL/similar")
expect_code "web: Korean: 200" 200
body_has "web: Korean: the message" '共通する語がありませんでした'
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["text"], end="")' "$T/big.json" >"$T/big.txt"
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode "text@$T/big.txt" "$URL/similar")
expect_code "web: a 100 KB text" 200
body_has "web: a 100 KB text finds its case" 'href="/cases/fx-failover"'
python3 -c 'print("決済" * 50000, end="")' >"$T/over.txt"
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode "text@$T/over.txt" "$URL/similar")
expect_code "web: a text over 256 KiB: 413" 413
body_has "web: a text over 256 KiB: the message" '文章が長すぎます'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' --data-urlencode "text=決済" --data-urlencode "year=abc" "$URL/similar")
expect_code "web: a bad year: 400" 400

# a signed-in reader (a session cookie, no CSRF token: the POST only reads) sees the amber case
signin "$T/jar" an-b
expect_code "an analyst signs in" 303
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -b "$T/jar" \
	--data-urlencode "text=クラウドストレージの公開設定を誤り、委託業務の資料が外部から閲覧できる状態になっていた。" "$URL/similar")
expect_code "web, signed in: POST /similar without a CSRF token" 200
body_has "web, signed in: the amber case is listed" 'href="/cases/fx-leak"'
CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' \
	--data-urlencode "text=クラウドストレージの公開設定を誤り、委託業務の資料が外部から閲覧できる状態になっていた。" "$URL/similar")
body_lacks "web, anonymous: the amber case is not" 'fx-leak'
sim "amber, session" "$LEAK" -b "$T/jar"
js "API with a session cookie: the amber case, no CSRF token needed" 'j["results"][0]["id"] == "fx-leak"'
