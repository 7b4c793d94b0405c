#!/bin/sh
# tests/cli/test_cite.sh - documents you can cite, sectors at import and the
# import review (issue 14, h-cite), with one server start: import
# --title/--url/--published/--publisher and what a report's first page says
# (title, publisher, date) and the page each case starts on (form feeds);
# the values kept by a re-import that gives none; source.title/url/published/
# page in the case JSON, on the documents page, the case page, search hits
# (the web's, and the JSON's citation: CLI and /api/search) and /api/documents; sectors from a fixture of our own text (and none where
# the text names none); the review page: anonymous refused, an analyst sees
# the doubtful blocks, a move (CSRF required) is a new revision with the
# block in its new section.
. "$(dirname "$0")/lib.sh"

REP="$FIX/cite/report.txt"

# ---- the command line ----
run import --url 'javascript:alert(1)' "$REP"
expect_rc "cite: --url must be http(s)" 2
expect_err "cite: --url says why" "--url: not an http"
run import --published 2027-13-01 "$REP"
expect_rc "cite: --published must be a date" 2

run import --dry-run "$REP"
expect_rc "cite: dry run" 0
python3 - "$T/out" >"$T/dry" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    s = c["source"]
    print(c["id"], s.get("title"), s.get("publisher"), s.get("published"), s.get("page"), ",".join(c["tags"]["sectors"]) or "-")
PY
check "cite: first page's title" grep -q "^report-1 令和9年度 架空インフラ障害の事例調査報告書 " "$T/dry"
check "cite: first page's publisher and date" grep -q " 架空安全推進機構 2027-04-10 " "$T/dry"
check "cite: each case's page" sh -c "grep -q '^report-1 .* 2 water$' '$T/dry' && grep -q '^report-2 .* 4 medical$' '$T/dry' && grep -q '^report-4 .* 8 finance$' '$T/dry'"
check "cite: no sector where the text names none (行政機関 as whom it was reported to)" grep -q "^report-3 .* 6 -$" "$T/dry"

run init
run import --title '架空の手引き' --url 'https://example.org/r.pdf?a=1&b=2' --published 2027-04-12 "$REP"
expect_rc "cite: import with --title/--url/--published" 0
run import "$REP"
expect_rc "cite: re-import without them" 0
run show report-2 --format json
expect_out "cite: re-import keeps --title" '"title": "架空の手引き"'
expect_out "cite: re-import keeps --url" '"url": "https://example.org/r.pdf\?a=1&b=2"'
expect_out "cite: re-import keeps --published" '"published": "2027-04-12"'
expect_out "cite: page in the case JSON" '"page": 4'
run export --format json
expect_out "cite: export carries source.title" '"title": ?"架空の手引き"'

# search hits carry the citation: the case's own (with its page), else its
# document's (a case added later that says only which document); none where
# neither says anything
printf '%s\n' '{"id":"cite-extra","title":"追加の事例","tlp":"clear","source":{"document":"report.txt"},"summary":["外来受付の追記"]}' \
	'{"id":"cite-none","title":"出典のない事例","tlp":"clear","source":{"document":"other.txt"},"summary":["外来受付の別件"]}' >"$T/extra.jsonl"
run add "$T/extra.jsonl"
expect_rc "cite: cases without a citation of their own added" 0
cat >"$T/hitcite.py" <<'PY'
import json, sys
hits = {h["id"]: h for h in json.load(open(sys.argv[1]))["results"]}
doc = {"title": "架空の手引き", "publisher": "架空安全推進機構", "published": "2027-04-12",
       "url": "https://example.org/r.pdf?a=1&b=2"}
print("own", hits["report-2"].get("citation") == dict(doc, page=4))
print("doc", hits["cite-extra"].get("citation") == doc)
print("none", "citation" not in hits["cite-none"])
PY
run search 外来受付 --format json
python3 "$T/hitcite.py" "$T/out" >"$T/hc" 2>&1
check "cite: search --format json: a hit's citation" grep -q "^own True" "$T/hc"
check "cite: search --format json: the document's citation for a case without one" grep -q "^doc True" "$T/hc"
check "cite: search --format json: no citation where none is known" grep -q "^none True" "$T/hc"

# explicit sectors in JSON win
run add "$FIX/cite/review.json"
# a RED case's citation stays its own: the document's row (shown with its CLEAR cases) does not take it
printf '%s\n' '{"id":"lk-1","title":"公開の事例","tlp":"clear","source":{"document":"leak-doc.txt"},"summary":["公開の本文"]}' \
	'{"id":"lk-2","title":"赤の事例","tlp":"red","source":{"document":"leak-doc.txt","title":"赤秘密の題","url":"https://example.org/red-secret.pdf"},"summary":["秘密の本文"]}' >"$T/leak.jsonl"
run add "$T/leak.jsonl"
expect_rc "cite: a clear and a red case of one document" 0
expect_rc "cite: review fixture added" 0
run show rv-1 --format json
expect_out "cite: explicit JSON keeps its (empty) sectors" '"sectors": \[\]'

# ---- the web ----
for t in curl; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "cite web" "$t is not installed"
		exit 0
	fi
done
PW='kumo-no-ue-no-sora-takaku'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" org add Centre --kind centre >/dev/null 2>&1
"$KYOKUN" user add ana --role analyst --org Centre --password-file "$T/pw" >/dev/null 2>&1
start_server
if [ -z "$URL" ]; then
	fail "cite: server starts" "$(cat "$T/srv.err")"
	exit 0
fi

get "/documents?lang=en"
expect_code "cite: documents page" 200
body_has "cite: documents page shows the title" "「架空の手引き」"
body_has "cite: documents page links the URL" 'href="https://example.org/r.pdf?a=1&amp;b=2"'
body_lacks "cite: no review link for anonymous" "/review"
get "/cases/report-2?lang=en"
body_has "cite: case page citation" "「架空の手引き」 架空安全推進機構, 2027-04-12, p. 4"
get "/search?q=%E5%A4%96%E6%9D%A5%E5%8F%97%E4%BB%98&lang=en"
body_has "cite: search hit's short citation" "「架空の手引き」 2027-04-12, p. 4"
get "/api/search?q=%E5%A4%96%E6%9D%A5%E5%8F%97%E4%BB%98"
python3 "$T/hitcite.py" "$T/body" >"$T/hc" 2>&1
check "cite: /api/search: hits carry the citation (the case's, else its document's; none without)" \
	sh -c "grep -q '^own True' '$T/hc' && grep -q '^doc True' '$T/hc' && grep -q '^none True' '$T/hc'"
get "/api/documents"
body_lacks "cite: a red case's citation is not its document's (/api/documents)" "赤秘密の題"
body_lacks "cite: ... nor its URL" "red-secret"
get "/documents/leak-doc.txt"
body_lacks "cite: a red case's citation is not on its document's page" "赤秘密の題"
get "/api/search?q=%E5%85%AC%E9%96%8B%E3%81%AE%E6%9C%AC%E6%96%87"
body_has "cite: the clear case is found" '"lk-1"'
body_lacks "cite: its hit does not carry the red case's citation" "赤秘密の題"
get "/api/documents"
check "cite: /api/documents gives title and source_url" sh -c "grep -q '\"source_url\": *\"https://example.org/r.pdf' '$T/body' && grep -q '\"title\": *\"架空の手引き\"' '$T/body'"

get "/documents/rv-doc.txt/review"
[ "$CODE" = 401 ] || [ "$CODE" = 403 ] || [ "$CODE" = 303 ] && ok "cite: review refused to anonymous" || fail "cite: review refused to anonymous" "status $CODE"
signin "$T/ana.jar" ana
[ "$CODE" = 303 ] || fail "cite: analyst signs in" "status $CODE"
get "/documents/rv-doc.txt/review?lang=en" -b "$T/ana.jar"
expect_code "cite: analyst sees the review" 200
body_has "cite: low confidence shown" "confidence-low"
body_has "cite: a doubtful block highlighted" 'review-block doubtful'
body_has "cite: a case without import details says so" "no import details"
get "/documents/rv-doc.txt?lang=en" -b "$T/ana.jar"
body_has "cite: the report's page flags the low-confidence case for analysts" 'class="flag-low" href="/documents/rv-doc.txt/review?lang=en#c-rv-1"'
get "/documents/rv-doc.txt?lang=en"
body_lacks "cite: ... not for anonymous readers" 'flag-low'
body_has "cite: the report's page cites it" "「架空の倉庫障害に関する確認報告書」"
get "/cases/rv-1?lang=en" -b "$T/ana.jar"
body_has "cite: the case page flags low confidence for analysts" "import needs review"
get "/cases/rv-1?lang=en"
body_lacks "cite: not for anonymous readers" "import needs review"

CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -w '%{http_code}' --data-urlencode case=rv-1 \
	--data-urlencode block=1 --data-urlencode to=response "$URL/documents/rv-doc.txt/review")
expect_code "cite: a move without CSRF is refused" 403
TOK=$(csrf "$T/ana.jar")
# block 3 (placed by cue words: 1 of 4, so the case is low) is right where it is: confirmed, it
# counts as reviewed and the case is recomputed (one block by order left: medium)
get "/documents/rv-doc.txt/review?lang=en" -b "$T/ana.jar"
body_has "cite: a doubtful block can be confirmed where it is" 'class="review-confirm"'
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -w '%{http_code}' --data-urlencode "csrf=$TOK" \
	--data-urlencode case=rv-1 --data-urlencode block=3 --data-urlencode to=response "$URL/documents/rv-doc.txt/review")
expect_code "cite: a confirmation redirects back" 303
get "/documents/rv-doc.txt/review?lang=en" -b "$T/ana.jar"
body_has "cite: after the confirmation the case's confidence is recomputed (medium)" "confidence-medium"
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -w '%{http_code}' --data-urlencode "csrf=$TOK" \
	--data-urlencode case=rv-1 --data-urlencode block=1 --data-urlencode to=response "$URL/documents/rv-doc.txt/review")
expect_code "cite: a move redirects back" 303
# the block placed by order, moved by the reviewer: every block now under its heading or reviewed
get "/documents/rv-doc.txt/review?lang=en" -b "$T/ana.jar"
body_has "cite: after the move the case's confidence is recomputed (high)" "confidence-high"
body_lacks "cite: ... and no block is highlighted any more" 'review-block doubtful'
get "/cases/rv-1?lang=en" -b "$T/ana.jar"
body_lacks "cite: the case page no longer flags it" "import needs review"
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -w '%{http_code}' --data-urlencode "csrf=$TOK" \
	--data-urlencode case=rv-1 --data-urlencode block=9 --data-urlencode to=response "$URL/documents/rv-doc.txt/review")
expect_code "cite: a block that does not exist is refused" 400
stop_server
run show rv-1 --format json
python3 - "$T/out" >"$T/mv" 2>&1 <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
b = c["import"]["blocks"][1]
print("bg", "予備機" in c["sections"]["background"])
print("resp", c["sections"]["response"].endswith("• 停止後、予備機を借りて出荷を再開した。"))
print("block", b["section"], b["how"])
print("conf", c["import"]["confidence"], c["import"]["blocks"][3]["how"])
PY
check "cite: the block left its section" grep -q "^bg False" "$T/mv"
check "cite: the block is in the new section" grep -q "^resp True" "$T/mv"
check "cite: the block says reviewed" grep -q "^block response reviewed" "$T/mv"
check "cite: the confirmed block says reviewed, the case high" grep -q "^conf high reviewed" "$T/mv"
run history rv-1
expect_out "cite: the confirmation and the move are new revisions" "^r3 "
run audit
if grep "case.update" "$T/out" | grep "rv-1" | grep -q "ana"; then ok "cite: the move is audited as the analyst's"
else fail "cite: the move is audited as the analyst's" "$(grep rv-1 "$T/out" | head -3)"; fi
