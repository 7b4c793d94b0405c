#!/bin/sh
# tests/cli/test_http.sh - the web application and JSON API over HTTP:
# `kyokun serve` on a free loopback port with the cases of
# tests/fixtures/web/, driven by curl.  Status codes, content types, security
# headers, escaping of hostile text, TLP visibility (a case above TLP:CLEAR
# must not show anywhere an anonymous reader looks), limits, languages, the
# API's shape, readers during a write, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

WFIX="$FIX/web/cases.json"
HIDDEN_IDS="web-green-1 web-amber-1 web-amberstrict-1 web-red-1"
# marker text of the hidden cases: titles, words, categories, threats, sectors, a document
HIDDEN_MARKS="GREENTITLE AMBERTITLE STRICTTITLE REDTITLE ZEBRAGREENWORD AMBERSECRETWORD STRICTSECRETWORD
REDSECRETWORD GREENCAT AMBERCAT STRICTCAT REDCAT secretgreenthreat secretamberthreat secretstrictthreat
secretredthreat GREENSECTOR AMBERSECTOR STRICTSECTOR REDSECTOR amber-only-doc"

if ! command -v curl >/dev/null 2>&1; then
	skip "http" "curl is not installed"
	exit 0
fi

run init
run add "$WFIX"
expect_rc "http: fixtures load" 0

# (get, expect_code, body_has, body_lacks, hdr_has: in lib.sh)
# json NAME PYTHON-EXPR: evaluate with j = the parsed body; ok if true
json() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/body" "$2" 2>"$T/pyerr"; then
		ok "$1"
	else
		fail "$1" "not true: $2; body: $(head -c 300 "$T/body") $(head -c 300 "$T/pyerr")"
	fi
}
no_marks() { # NAME [REQUEST]: none of the hidden cases' marks in the body (except
	# those the request itself carries: a 404 page's links and a search box echo it)
	local found=""
	: >"$T/marks"
	for m in $HIDDEN_MARKS $HIDDEN_IDS; do
		case "${2:-}" in *"$m"*) continue ;; esac
		echo "$m" >>"$T/marks"
	done
	# one grep for all of them
	found=$(grep -oF -f "$T/marks" "$T/body" | sort -u | tr '\n' ' ')
	if [ -z "$found" ]; then ok "$1"; else fail "$1" "hidden case text visible: $found"; fi
}

start_server
if [ -z "$URL" ]; then
	fail "http: server starts and prints its address" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi
ok "http: server starts and prints its address"

# ---- pages, content types, security headers ----
get /
expect_code "http: / is 200" 200
hdr_has "http: / is text/html utf-8" '^content-type: text/html; charset=utf-8'
hdr_has "http: CSP present" "^content-security-policy: default-src 'self'"
if grep -i '^content-security-policy:' "$T/hdr" | grep -q "unsafe-inline\|unsafe-eval"; then
	fail "http: CSP has no unsafe-inline/eval" "$(grep -i '^content-security-policy' "$T/hdr")"
else
	ok "http: CSP has no unsafe-inline/eval"
fi
hdr_has "http: CSP frame-ancestors 'none'" "^content-security-policy:.*frame-ancestors 'none'"
hdr_has "http: X-Content-Type-Options nosniff" '^x-content-type-options: nosniff'
hdr_has "http: Referrer-Policy" '^referrer-policy: (same-origin|no-referrer|strict-origin)'
hdr_has "http: X-Frame-Options DENY" '^x-frame-options: DENY'
body_has "http: / has the search box" 'name="q"'
body_has "http: / shows Japanese by default" '<html lang="ja">'
body_has "http: / shows recently added cases" 'web-clear-3'
body_has "http: / lists the documents" 'web-fixture-shared.txt'
no_marks "http: / shows no hidden case, facet or document"

get /cases/web-clear-2
expect_code "http: case page 200" 200
body_has "http: case page title" '制御システムのランサムウェア感染による停止'
body_has "http: case page JSON link" 'href="/api/cases/web-clear-2"'
body_has "http: case page history link" 'href="/cases/web-clear-2/history"'
body_has "http: case page timeline table" '<table class="timeline'
body_has "http: case page similar cases" 'id="similar-h"'
body_has "http: case page print stylesheet" 'media="print"'
body_has "http: case page language switch keeps the path" 'href="/cases/web-clear-2?lang=en"'
no_marks "http: case page shows no hidden case (similar, same document)"
# sections in the report's order: 背景 before 検知 before 対処 before 原因 before 再発防止策 before 教訓
order=$(grep -o 'id="sec-[a-z]*"' "$T/body" | tr '\n' ' ')
if [ "$order" = 'id="sec-background" id="sec-detection" id="sec-response" id="sec-cause" id="sec-countermeasures" id="sec-lessons" ' ]; then
	ok "http: sections in the report's order"
else
	fail "http: sections in the report's order" "$order"
fi
if grep -q '<script>\|<script [^>]*>[^<]' "$T/body" || grep -q '<style\| style="' "$T/body"; then
	fail "http: no inline script or style" "$(grep -o '<script[^>]*>\|<style\| style="' "$T/body" | head -3)"
else
	ok "http: no inline script or style"
fi

get /cases/web-hostile-1
expect_code "http: hostile case 200" 200
body_lacks "http: hostile title escaped" '<script>alert("kyokun-xss")'
body_has "http: hostile title shown as text" '&lt;script&gt;alert(&quot;kyokun-xss&quot;)&lt;/script&gt;'
body_lacks "http: hostile img escaped" '<img src=x'
body_lacks "http: hostile svg escaped" '<svg onload'
body_lacks "http: hostile iframe escaped" '<iframe'
body_lacks "http: hostile style escaped" '<style>body'
body_lacks "http: hostile marquee escaped" '<marquee'
body_lacks "http: hostile object escaped" '<object'
body_lacks "http: hostile comment escaped" '<!-- comment'
body_lacks "http: no javascript: link" 'href="javascript:'
body_has "http: hostile category escaped" '&lt;/a&gt;&lt;script&gt;alert(&#39;cat&#39;)'
body_has "http: hostile document escaped in link and text" '/documents/web-%3Cdoc%3E%26%22fixture%22.txt'
body_has "http: hostile timeline actor escaped" '&lt;script&gt;x&lt;/script&gt;CSIRT'
body_has "http: hostile threat tag escaped in link" 'threat=%22%3E%3Csvg%20onload%3Dalert%286%29%3E'
if [ "$(grep -c '<script' "$T/body")" = 1 ]; then ok "http: hostile case: the only script is ours"; else
	fail "http: hostile case: the only script is ours" "$(grep -o '<script[^>]*>' "$T/body")"; fi

get "/documents/web-%3Cdoc%3E%26%22fixture%22.txt"
expect_code "http: hostile document page 200" 200
body_lacks "http: hostile document page escaped" '<script>alert'
body_has "http: document page shows key lessons" '&lt;a href=&quot;javascript:alert(1)&quot;&gt;教訓リンク'

get "/search?q=%E5%88%B6%E5%BE%A1%E3%82%B7%E3%82%B9%E3%83%86%E3%83%A0"
expect_code "http: search page 200" 200
body_has "http: search finds the clear cases" 'web-clear-2'
body_has "http: search highlights" '<mark>'
body_lacks "http: search page escapes hostile text" '<script>alert'
no_marks "http: search results and facets show no hidden case"
body_has "http: search facet links add the facet" 'href="/search?q=%E5%88%B6%E5%BE%A1%E3%82%B7%E3%82%B9%E3%83%86%E3%83%A0&amp;category='
get "/search?q=%E5%88%B6%E5%BE%A1%E3%82%B7%E3%82%B9%E3%83%86%E3%83%A0&sector=%E3%82%AC%E3%82%B9"
body_has "http: facet narrows the search" 'web-clear-3'
body_lacks "http: facet narrows the search (others out)" '/cases/web-clear-2?'
body_lacks "http: facet narrows the search (others out, no lang)" '/cases/web-clear-2"'
get "/search?threat=vulnerability"
expect_code "http: browse by facet without words 200" 200
body_has "http: browse by facet lists cases" 'web-clear-2'
no_marks "http: browse by facet shows no hidden case"
get "/search?q=%22%29%28*%20OR"
if [ "$CODE" = 200 ] || [ "$CODE" = 400 ]; then ok "http: malformed query is not a 500"; else fail "http: malformed query is not a 500" "status $CODE"; fi
if grep -qi 'sqlite\|fts5\|syntax error\|SELECT ' "$T/body"; then fail "http: no raw SQL message" "$(head -c 300 "$T/body")"; else ok "http: no raw SQL message"; fi
get "/search?q=x&page=999999"
expect_code "http: bad page number is 400" 400
for p in %2B2 -1 %202 2x; do
	get "/search?q=x&page=$p"
	expect_code "http: page=$p is 400" 400
done
get "/search?q=x&page="
expect_code "http: an empty page= is the first page" 200

get /cases/web-clear-2/history
expect_code "http: history page 200" 200
body_has "http: history lists revision 1" '<td class="num">1'

get /documents
expect_code "http: documents page 200" 200
no_marks "http: documents page shows no hidden document"
get /documents/web-fixture-shared.txt
expect_code "http: document page 200" 200
body_has "http: document page lists its cases" 'web-clear-3'
no_marks "http: document page shows no hidden case"
get /documents/amber-only-doc.txt
expect_code "http: document of hidden cases is 404" 404

# ---- TLP: hidden cases answer 404 at every address ----
for id in $HIDDEN_IDS; do
	for p in "/cases/$id" "/cases/$id/history" "/api/cases/$id" "/api/cases/$id/similar" "/api/cases/$id/history"; do
		get "$p"
		expect_code "http: tlp: $p is 404" 404
		no_marks "http: tlp: $p 404 body reveals nothing" "$p"
	done
done
get /api/cases/web-red-1
cp "$T/body" "$T/hidden404"
get /api/cases/no-such-case-at-all
if cmp -s "$T/body" "$T/hidden404"; then ok "http: tlp: hidden and absent cases answer the same"; else
	fail "http: tlp: hidden and absent cases answer the same" "$(cat "$T/hidden404") vs $(cat "$T/body")"; fi
for w in ZEBRAGREENWORD AMBERSECRETWORD STRICTSECRETWORD REDSECRETWORD; do
	get "/api/search?q=$w"
	json "http: tlp: /api/search $w finds nothing" 'j["total"] == 0 and j["results"] == []'
	get "/search?q=$w"
	no_marks "http: tlp: /search $w shows nothing hidden" "$w"
done
get "/api/search?q=%E5%88%B6%E5%BE%A1%E3%82%B7%E3%82%B9%E3%83%86%E3%83%A0"
no_marks "http: tlp: /api/search results and facet counts show nothing hidden"
json "http: tlp: search hits are all clear" 'all(r["tlp"] == "clear" for r in j["results"]) and j["total"] == len(j["results"])'
json "http: tlp: facet tlp counts only clear" 'list(j["facets"]["tlp"].keys()) == ["clear"]'
get "/api/cases?limit=100"
json "http: tlp: /api/cases lists only the clear cases" 'j["total"] == 3 and sorted(c["id"] for c in j["cases"]) == ["web-clear-2", "web-clear-3", "web-hostile-1"]'
get /api/documents
json "http: tlp: /api/documents counts only clear cases" '{d["name"]: d["cases"] for d in j["documents"]}.get("web-fixture-shared.txt") == 2'
no_marks "http: tlp: /api/documents lists no hidden-only document"
get /api/cases/web-clear-2/similar
expect_code "http: similar API 200" 200
no_marks "http: tlp: similar cases show nothing hidden"
json "http: similar API has results" 'len(j["results"]) >= 1 and all(r["id"] != "web-clear-2" for r in j["results"])'
for f in category=%E7%A7%98%E5%AF%86%E3%82%AB%E3%83%86%E3%82%B4%E3%83%AAREDCAT threat=secretgreenthreat \
	sector=%E7%A7%98%E5%AF%86%E5%88%86%E9%87%8EAMBERSECTOR document=amber-only-doc.txt; do
	get "/search?$f"
	no_marks "http: tlp: browsing $f shows nothing hidden" "$f"
	get "/api/cases?$f"
	json "http: tlp: /api/cases?$f is empty" 'j["total"] == 0 and j["cases"] == []'
done

# ---- the JSON API ----
get /api/cases/web-clear-2
expect_code "http: api case 200" 200
hdr_has "http: api is application/json" '^content-type: application/json'
hdr_has "http: api has CSP too" '^content-security-policy:'
json "http: api case is the interchange JSON" 'j["id"] == "web-clear-2" and j["sections"]["background"].startswith("WEBCLEARWORD") and j["tlp"] == "clear"'
get "/api/cases?limit=1&offset=1"
json "http: api paging" 'j["total"] == 3 and len(j["cases"]) == 1 and j["limit"] == 1 and j["offset"] == 1'
get "/api/cases?document=web-fixture-shared.txt&year=2030&tag=vulnerability"
json "http: api filters" 'sorted(c["id"] for c in j["cases"]) == ["web-clear-2", "web-clear-3"]'
get "/api/cases?limit=0"
expect_code "http: api bad limit is 400" 400
json "http: api error shape" 'j["error"]["status"] == 400 and "limit" in j["error"]["message"]'
get "/api/cases?year=abc"
expect_code "http: api bad year is 400" 400
get /api/search
expect_code "http: api search without q is 400" 400
get "/api/search?q=WEBCLEARWORD&limit=5"
json "http: api search shape" 'set(["query", "total", "results", "facets"]) <= set(j) and j["results"][0]["id"] in ("web-clear-2", "web-clear-3")'
"$KYOKUN" search --format json --max-tlp clear --limit 5 WEBCLEARWORD >"$T/cli.json" 2>/dev/null
if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a == b else 1)' "$T/cli.json" "$T/body"; then
	ok "http: /api/search equals search --format json"
else
	fail "http: /api/search equals search --format json" "$(head -c 300 "$T/cli.json")"
fi
get /api/cases/web-clear-2/history
json "http: api history" 'j["id"] == "web-clear-2" and j["revisions"][0]["revision"] == 1 and j["revisions"][0]["current"]'
get /api/openapi.json
expect_code "http: openapi 200" 200
json "http: openapi 3.0 describes every endpoint" 'j["openapi"].startswith("3.0") and set(["/api/cases", "/api/cases/{id}", "/api/search", "/api/cases/{id}/similar", "/api/documents", "/api/cases/{id}/history"]) <= set(j["paths"])'
json "http: openapi declares the bearer token and the session cookie" 'j["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer" and j["components"]["securitySchemes"]["sessionCookie"]["in"] == "cookie"'
# anonymous ({}) exactly where the route table says the route is public (the API index)
cp "$T/body" "$T/openapi.json"
get /api
cp "$T/body" "$T/index.json"
if python3 - "$T/openapi.json" "$T/index.json" <<'EOF' 2>"$T/pyerr"; then ok "http: openapi: every operation states its security, anonymous ({}) where the route is public"; else fail "http: openapi: every operation states its security, anonymous ({}) where the route is public" "$(head -c 300 "$T/pyerr")"; fi
import json, sys
doc = json.load(open(sys.argv[1]))
public = {(o["method"].lower(), o["path"]): o["requires"] == "public" for o in json.load(open(sys.argv[2]))["operations"]}
for path, ops in doc["paths"].items():
    for m, op in ops.items():
        assert "security" in op, path
        assert ({} in op["security"]) == public[(m, path)], path
EOF
get /api
expect_code "http: /api index 200" 200

# ---- errors and limits ----
get /no/such/page
expect_code "http: unknown page 404" 404
hdr_has "http: 404 page is HTML" '^content-type: text/html'
get /api/no-such-endpoint
expect_code "http: unknown API 404" 404
json "http: API 404 is JSON" 'j["error"]["status"] == 404'
get /cases/no-such-case
expect_code "http: unknown case 404" 404
get "/cases/%3Cscript%3E"
expect_code "http: malformed case id is 400" 400
body_lacks "http: malformed id not echoed raw" '<script>alert'
get "/cases/bad%ZZ"
expect_code "http: malformed escape is 400" 400
get "/cases/a%00b"
expect_code "http: NUL in path is 400" 400
get "/search?q=%FF%FE"
expect_code "http: invalid UTF-8 in query is 400" 400
get "/cases/a%2F..%2F..%2Fetc%2Fpasswd"
expect_code "http: encoded slashes stay in the id (400)" 400
get / -X POST -d 'a=1'
expect_code "http: POST is 405" 405
hdr_has "http: 405 says Allow: GET, HEAD" '^allow: GET, HEAD'
get /api/cases -X DELETE
expect_code "http: DELETE is 405" 405
json "http: API 405 is JSON" 'j["error"]["status"] == 405'
get / -I
expect_code "http: HEAD is 200" 200
body_lacks "http: HEAD has no body" '<!DOCTYPE'
hdr_has "http: HEAD has the length of the body" '^content-length: [1-9]' 
long=$(head -c 9000 /dev/zero | tr '\0' a)
get "/search?q=$long"
expect_code "http: long URL is 414" 414
big=$(head -c 20000 /dev/zero | tr '\0' b)
get / -H "X-Big: $big"
expect_code "http: big headers are 431" 431
head -c 100000 /dev/zero | tr '\0' c >"$T/bigbody"
get / -X POST --data-binary @"$T/bigbody" -H 'Expect:'
expect_code "http: big body is 413" 413
get /api/cases -X GET --data-binary @"$T/bigbody" -H 'Expect:'
expect_code "http: big body on GET is 413" 413
# a JSON body a little over its 256 KiB limit, sent at once (no Expect: 100-continue): the server
# reads and drops it, then answers, so every client reads the 413 (a reset before it was read: 000)
python3 -c 'print("{\"title\": \"" + "a" * 300000 + "\"}")' >"$T/json300k"
n413=0 other=""
for _ in $(seq 1 30); do
	c=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' -H 'Expect:' -H 'Content-Type: application/json' \
		--data-binary @"$T/json300k" "$URL/api/reports")
	if [ "$c" = 413 ]; then n413=$((n413 + 1)); else other="$other $c"; fi
done
[ $n413 -eq 30 ] && ok "http: a body a little over the limit, 30 times: 413 every time" ||
	fail "http: a body a little over the limit, 30 times: 413 every time" "got$other"

# ---- languages ----
get /cases/web-clear-2 -H 'Accept-Language: en-US,en;q=0.9'
body_has "http: Accept-Language en gives English" '<html lang="en">'
body_has "http: English section heading" '>Background</h2>'
hdr_has "http: Vary: Accept-Language" '^vary: Accept-Language'
get /cases/web-clear-2 -H 'Accept-Language: ja,en;q=0.5'
body_has "http: Accept-Language ja gives Japanese" '<html lang="ja">'
body_has "http: Japanese section heading" '>背景</h2>'
get "/cases/web-clear-2?lang=en" -H 'Accept-Language: ja'
body_has "http: ?lang=en wins over Accept-Language" '<html lang="en">'
body_has "http: English links keep lang" 'href="/cases/web-clear-2/history?lang=en"'
body_has "http: switch back to Japanese keeps the path" 'href="/cases/web-clear-2?lang=ja"'
get "/search?q=WEBCLEARWORD&lang=en"
body_has "http: switch link keeps the query" 'href="/search?q=WEBCLEARWORD&amp;lang=ja"'
body_has "http: English search page" 'Search results'
get "/no/such?lang=en"
body_has "http: English 404 page" 'Not found'

# ---- static files ----
css=$(grep -o '/static/kyokun-[0-9a-f]*\.css' "$T/body" | head -1)
get "$css"
expect_code "http: stylesheet 200" 200
hdr_has "http: stylesheet is text/css" '^content-type: text/css'
hdr_has "http: stylesheet cached for a year" '^cache-control: public, max-age=31536000, immutable'
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$T/hdr")
get "$css" -H "If-None-Match: $etag"
expect_code "http: If-None-Match gives 304" 304
js=$(curl -s "$URL/" | grep -o '/static/kyokun-[0-9a-f]*\.js' | head -1)
get "$js"
hdr_has "http: script is text/javascript" '^content-type: text/javascript'
get /static/nothing.css
expect_code "http: unknown static file 404" 404

# ---- readers while a writer writes ----
(for i in $(seq 1 20); do
	sed "s/WEBCLEARWORD 教訓/WEBCLEARWORD 教訓 $i/" "$WFIX" >"$T/w$i.json"
	"$KYOKUN" add "$T/w$i.json" >>"$T/writer.log" 2>&1
done) &
writer=$!
: >"$T/codes"
# 8 clients at once, each 25 times a case page and a search (one process: 400
# curl processes cost more than the server's work)
python3 - "$URL" >"$T/codes" <<'PY' &
import sys, threading, http.client, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
codes, lock = [], threading.Lock()
def client():
    for _ in range(25):
        for path in ("/cases/web-clear-2", "/api/search?q=WEBCLEARWORD"):
            try:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                code = r.status
                c.close()
            except Exception as e:
                code = type(e).__name__
            with lock:
                codes.append(str(code))
ts = [threading.Thread(target=client) for _ in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("\n".join(codes))
PY
readers=$!
wait $writer
wait $readers   # not a bare wait: the server is a child too
bad=$(grep -cv '^200$' "$T/codes")
total=$(wc -l <"$T/codes")
if [ "$bad" = 0 ] && [ "$total" = 400 ]; then ok "http: 400 concurrent reads during 20 writes all 200"; else
	fail "http: 400 concurrent reads during 20 writes all 200" "$bad of $total not 200: $(sort "$T/codes" | uniq -c)"; fi
get /cases/web-clear-2/history
body_has "http: history shows the new revisions" '<td class="num">21'
grep -q 'locked\|busy' "$T/writer.log" && fail "http: writer was never refused" "$(grep 'locked\|busy' "$T/writer.log" | head -3)"

# ---- a commit shows at once: the response cache follows the database ----
edit_case() { # ID KEY VALUE: store the fixture case ID with KEY set to VALUE
	python3 -c 'import json,sys
c=[c for c in json.load(open(sys.argv[1]))["cases"] if c["id"]==sys.argv[2]][0]
c[sys.argv[3]]=sys.argv[4]
json.dump(c,open(sys.argv[5],"w"),ensure_ascii=False)' "$WFIX" "$1" "$2" "$3" "$T/edit.json" && "$KYOKUN" add "$T/edit.json" >/dev/null 2>&1
}
for p in /cases/web-clear-3 / "/api/cases?limit=100" "/search?q=WEBCLEARWORD" /documents/web-fixture-shared.txt; do
	get "$p"; get "$p" # now in the cache of some worker
done
edit_case web-clear-3 title "CACHEPROBE 題名を変更した事例"
get /cases/web-clear-3
body_has "http: cache: a new title shows at once" 'CACHEPROBE'
get "/search?q=WEBCLEARWORD"
body_has "http: cache: search shows the new title at once" 'CACHEPROBE'
edit_case web-clear-3 tlp red
get /cases/web-clear-3
expect_code "http: cache: a case made TLP:RED is 404 at once" 404
for p in / "/api/cases?limit=100" "/search?q=WEBCLEARWORD" /documents/web-fixture-shared.txt /cases/web-clear-2; do
	get "$p"
	body_lacks "http: cache: the case made TLP:RED is gone from $p" 'CACHEPROBE'
	body_lacks "http: cache: the case made TLP:RED is gone from $p (id)" 'web-clear-3'
done
get "/api/search?q=CACHEPROBE"
json "http: cache: the case made TLP:RED is gone from /api/search" 'j["total"] == 0 and j["results"] == []'
edit_case web-clear-3 tlp clear
get /cases/web-clear-3
expect_code "http: cache: back to TLP:CLEAR, visible again" 200
get /api/cases/web-clear-3/history
json "http: tlp: the TLP:RED revision is left out of the history" \
	'[r["revision"] for r in j["revisions"]][:2] == [j["revisions"][0]["revision"], j["revisions"][0]["revision"] - 2]'
get /cases/web-clear-3/history
n=$(grep -c '<td class="num">' "$T/body")
if [ "$n" -ge 2 ]; then ok "http: history page lists the visible revisions"; else fail "http: history page lists the visible revisions" "$n rows"; fi
# ---- one snapshot per GET, never kept past it: each worker thread reads a GET's credential and
# route in one read transaction (http.c reading_begin()); a commit made between two requests shows in
# the next one on every thread, signed in or not ----
MAIN_URL=$URL
MAIN_SRV=$SRV
SRV=""
start_server --no-cache --threads 4
if [ -n "$URL" ]; then
	printf 'Snap-reader-4471-quay\n' >"$T/snappw"
	"$KYOKUN" user add snapreader --role analyst --password-file "$T/snappw" >/dev/null 2>&1
	curl -s -o /dev/null -D "$T/snaphdr" -H "Origin: $URL" --data-urlencode login=snapreader \
		--data-urlencode "password=Snap-reader-4471-quay" "$URL/signin"
	snapck=$(sed -n 's/^[Ss]et-[Cc]ookie: kyokun_session=\([^;]*\);.*/\1/p' "$T/snaphdr" | tr -d '\r')
	for round in 1 2 3; do
		edit_case web-clear-2 title "SNAPPROBE$round 事例の題名"
		stale=""
		for i in 1 2 3 4 5 6 7 8; do
			for h in "X-None: 1" "Cookie: kyokun_session=$snapck"; do
				code=$(curl -s -o "$T/body" -w '%{http_code}' -H "$h" "$URL/api/cases/web-clear-2")
				grep -q "SNAPPROBE$round" "$T/body" || stale="$stale $code/$h/$i"
			done
		done
		if [ -z "$stale" ]; then ok "http: snapshot: commit $round seen by every later GET, anonymous and signed in"
		else fail "http: snapshot: commit $round seen by every later GET, anonymous and signed in" "stale:$stale"; fi
	done
	[ -n "$snapck" ] && ok "http: snapshot: signed in for the check" || fail "http: snapshot: signed in for the check" "$(head -5 "$T/snaphdr")"
	edit_case web-clear-2 title "$(python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1]))["cases"] if c["id"]=="web-clear-2"][0]["title"])' "$WFIX")"
else
	fail "http: snapshot: a --no-cache server starts" "$(head -5 "$T/srv.err")"
fi
stop_server
URL=$MAIN_URL
SRV=$MAIN_SRV

run serve --help
expect_out "http: serve --help describes --listen" 'listen ADDR:PORT'
expect_out "http: serve --help describes --max-per-ip" 'max-per-ip N'
get "/api/search?q=$long"
expect_code "http: API long URL is 414" 414
json "http: API 414 is JSON" 'j["error"]["status"] == 414'
get /api/cases -H "X-Big: $big"
json "http: API 431 is JSON" 'j["error"]["status"] == 431'

# ---- a query that fails is a 500 page without the database's words ----
# (a second server on a copy whose schema is broken under it)
MAIN_URL=$URL
MAIN_SRV=$SRV
MAIN_T_DB=$KYOKUN_DB
export KYOKUN_DB="$T/broken.db"
"$KYOKUN" init >/dev/null 2>&1
"$KYOKUN" add "$WFIX" >/dev/null 2>&1
SRV=""
start_server
if [ -n "$URL" ] && command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$KYOKUN_DB" "ALTER TABLE cases RENAME COLUMN title TO title_gone;"
	for p in / /cases/web-clear-2 "/search?q=WEBCLEARWORD" /api/cases "/api/search?q=WEBCLEARWORD"; do
		get "$p"
		expect_code "http: failing query on $p is 500" 500
		if grep -qi 'sqlite\|no such column\|title_gone\|SELECT\|c\.title' "$T/body"; then
			fail "http: 500 on $p shows no SQL" "$(head -c 300 "$T/body")"
		else
			ok "http: 500 on $p shows no SQL"
		fi
	done
	get /api/cases
	json "http: API 500 is JSON" 'j["error"] == {"status": 500, "message": "internal error"}'
	if grep -q 'no such column' "$T/srv.err"; then ok "http: the cause of a 500 is logged"; else
		fail "http: the cause of a 500 is logged" "$(head -5 "$T/srv.err")"; fi
else
	skip "http: failing queries" "sqlite3 is not installed"
fi
stop_server
export KYOKUN_DB="$MAIN_T_DB"
URL=$MAIN_URL
SRV=$MAIN_SRV

# ---- stop ----
pid=$SRV
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	fail "http: SIGTERM stops the server" "still running"
	kill -KILL "$pid"
else
	wait "$pid"
	SRV_RC=$?
	SRV=""
	if [ "$SRV_RC" = 0 ]; then ok "http: SIGTERM stops the server (exit 0)"; else fail "http: SIGTERM stops the server (exit 0)" "exit $SRV_RC"; fi
fi
if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' "$T/srv.err"; then
	fail "http: server ran clean under the sanitizers" "$(grep -A15 'ERROR\|runtime error' "$T/srv.err" | head -40)"
	grep 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error' "$T/srv.err" | head -5
else
	ok "http: server stderr has no sanitizer report"
fi

start_server
if [ -n "$URL" ]; then
	kill -INT "$SRV"
	wait "$SRV"
	rc=$?
	SRV=""
	if [ "$rc" = 0 ]; then ok "http: SIGINT stops the server (exit 0)"; else fail "http: SIGINT stops the server (exit 0)" "exit $rc"; fi
else
	fail "http: SIGINT stops the server (exit 0)" "did not start"
fi

run serve --listen nonsense:x
expect_rc "http: bad --listen is a usage error" 2
"$KYOKUN" serve --listen 127.0.0.1:0 >"$T/a.out" 2>&1 &
a=$!
sleep 0.5
port=$(sed -n 's|.*:\([0-9]*\)/ .*|\1|p' "$T/a.out")
run serve --listen "127.0.0.1:$port"
expect_rc "http: a port in use is an error (exit 1)" 1
kill -TERM $a
wait $a 2>/dev/null

# Bidirectional controls in case text (U+202E RIGHT-TO-LEFT OVERRIDE) cannot
# reorder the page around them: what the text opens is closed at its end, and
# titles are isolated (dir="auto").
export KYOKUN_DB="$T/bidi.db"
printf '%s\n' '{"format":"kyokun-case/1","id":"web-bidi-1","title":"請求書\u202efdp.exe 確認","tlp":"clear","summary":"要約\u202eテキスト","sections":{"background":"背景\u2067本文"}}' >"$T/bidi.jsonl"
run add "$T/bidi.jsonl"
expect_rc "http: bidi case loads" 0
start_server
get /cases/web-bidi-1
expect_code "http: bidi case 200" 200
body_has "http: RLO in the title is closed (PDF) inside an isolated heading" "$(printf '<h1 lang="ja" dir="auto">請求書\342\200\256fdp.exe 確認\342\200\254</h1>')"
body_has "http: an isolate the text opens is closed" "$(printf '背景\342\201\247本文\342\201\251')"
get /search
body_has "http: list titles are isolated" 'dir="auto">請求書'
stop_server
exit 0
