#!/bin/sh
# tests/cli/test_pdfdoc.sh - a case as PDF: GET /cases/:id/pdf for whoever
# may see the case (200 application/pdf with the case id in the
# Content-Disposition, the TLP on every page), 404 for a case hidden from
# the reader, exactly as its page; `kyokun show ID --format pdf`.
. "$(dirname "$0")/lib.sh"

run init
cat >"$T/c.jsonl" <<'JSON'
{"id":"pdf-open","title":"倉庫の停電と出荷の遅れ","tlp":"clear","category":"システム障害","summary":["停電で倉庫の端末が止まった。"],"sections":{"background":"地方の倉庫で起きた。","lessons":"・非常用電源を点検する。"},"source":{"document":"試験用の事例集","publisher":"試験センター","year":2025}}
{"id":"pdf-amber","title":"委託先からの侵入","tlp":"amber","owner":"事業者A","summary":["保守用の接続口から侵入された。"],"sections":{"response":"ネットワークを切り離した。"}}
JSON
run org add "事業者A" --kind operator --sector 電力
run user add ana --role analyst --no-password
run add "$T/c.jsonl"
expect_rc "pdf: fixture cases added" 0
"$KYOKUN" token create ana --name pdf 2>/dev/null | tail -n 1 >"$T/token"

# the command line
run show pdf-open --format pdf
if [ "$RC" -eq 0 ] && head -c 5 "$T/out" | grep -q '%PDF-'; then ok "pdf: show --format pdf writes a PDF"
else fail "pdf: show --format pdf writes a PDF" "exit $RC: $(head -c 300 "$T/err")"; fi
if command -v pdftotext >/dev/null 2>&1; then
	pdftotext "$T/out" "$T/show.txt" 2>/dev/null
	if grep -q '倉庫の停電と出荷の遅れ' "$T/show.txt" && grep -q 'pdf-open' "$T/show.txt" &&
	   grep -q '試験用の事例集' "$T/show.txt" && ! grep -q 'TLP:AMBER' "$T/show.txt"; then
		ok "pdf: the case's title, id and source read back"
	else fail "pdf: the case's title, id and source read back" "$(head -c 400 "$T/show.txt")"; fi
fi

start_server
if [ -z "$URL" ]; then fail "pdf: server started" "$(cat "$T/srv.err")"; exit 0; fi
get /cases/pdf-open/pdf
expect_code "pdf: GET /cases/ID/pdf of a public case" 200
hdr_has "pdf: Content-Type application/pdf" '^content-type: application/pdf'
hdr_has "pdf: Content-Disposition names the case" '^content-disposition: inline; filename="pdf-open\.pdf"'
hdr_has "pdf: not kept in a shared cache" '^cache-control: private, no-store'
if head -c 5 "$T/body" | grep -q '%PDF-'; then ok "pdf: the body is a PDF"; else fail "pdf: the body is a PDF"; fi
get /cases/pdf-amber/pdf
expect_code "pdf: an amber case is 404 to an anonymous reader" 404
body_lacks "pdf: nothing of the hidden case" "委託先からの侵入"
get /cases/no-such-case/pdf
expect_code "pdf: no such case: 404" 404
get /cases/pdf-amber/pdf -H "Authorization: Bearer $(cat "$T/token")"
expect_code "pdf: the amber case for an analyst" 200
if command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
	n=$(pdfinfo "$T/body" 2>/dev/null | sed -n 's/^Pages: *//p')
	bad=""
	for p in $(seq 1 "${n:-0}"); do
		pdftotext -f "$p" -l "$p" "$T/body" - 2>/dev/null | grep -q 'TLP:AMBER' || bad="$bad $p"
	done
	if [ -n "$n" ] && [ -z "$bad" ]; then ok "pdf: TLP:AMBER on every page ($n)"
	else fail "pdf: TLP:AMBER on every page" "pages: ${n:-?}, without:$bad"; fi
fi
get /cases/pdf-open
body_has "pdf: the case page links its PDF" '/cases/pdf-open/pdf'
