#!/bin/sh
# tests/cli/test_publish.sh - the published report (issue 13): `kyokun
# publish` from our own fixture cases writes index.html (introduction, the
# case list by category as a table, every case, 総括), a page per case,
# report.md (and report.pdf once PDF output is built: pdftotext reads every
# title back) atomically; every case title and the case list are in each;
# the TLP label on every page; HTML metacharacters escaped; an empty
# section left out; a 100 KB section fine; a case above --tlp refused by
# name; drafts refused; cases the acting reader may not see are "not
# found"; no candidates, a non-empty or unwritable folder: a clear message
# and nothing written; a failing PDF step leaves nothing behind (nor in the
# database).  Then the web: a publisher chooses, previews and publishes; the
# report is listed under /reports for readers its TLP allows, hidden from an
# anonymous reader when amber.
. "$(dirname "$0")/lib.sh"

run init
run add "$FIX/publish/cases.json"
expect_rc "publish: fixtures load" 0
PW='hoshi-no-kazu-hodo-aru'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" org add Centre --kind centre >/dev/null 2>&1
"$KYOKUN" org add 'A物流' --kind operator --sector 物流 >/dev/null 2>&1
for u in "pub publisher Centre" "ana analyst Centre" "rep reporter A物流"; do
	set -- $u
	"$KYOKUN" user add "$1" --role "$2" --org "$3" --password-file "$T/pw" >/dev/null 2>"$T/err" ||
		fail "publish: user add $1" "$(cat "$T/err")"
done

has() { grep -qF -- "$2" "$1"; }
expect_has() {
	if has "$2" "$3"; then ok "$1"; else fail "$1" "$2 lacks '$3'"; fi
}
expect_lacks() {
	if has "$2" "$3"; then fail "$1" "$2 has '$3'"; else ok "$1"; fi
}
no_leftovers() { # NAME DIR: neither DIR nor DIR.tmp-* / DIR.old-* beside it
	if [ -e "$2" ] || ls -d "$2".tmp-* "$2".old-* >/dev/null 2>&1; then
		fail "$1" "left behind: $(ls -d "$2"* 2>/dev/null)"
	else
		ok "$1"
	fi
}

# ---- a report from the fixture cases --------------------------------------------------------
O="$T/r1"
run publish --out "$O" --select pub-fx-04,pub-fx-02,pub-fx-01,pub-fx-03 --date 2026-12-01 --name fx \
	--title '事例集 <b>2025</b> & "試験"' --publisher 'テストセンター'
expect_rc "publish --select: exit 0" 0
expect_out "publish: prints the folder" "r1"
for f in index.html report.md report.css cases/pub-fx-01.html cases/pub-fx-02.html cases/pub-fx-03.html cases/pub-fx-04.html; do
	[ -s "$O/$f" ] || fail "publish: $f written"
done
ok "publish: index.html, report.md, report.css and a page per case"
I="$O/index.html"
M="$O/report.md"
for t in 配送管理システムへの不正ログイン 夜間バッチの設定誤りによる請求データの重複 倉庫の空調停止によるサーバ機器の故障 「見積書」を装うメール; do
	has "$I" "$t" && has "$M" "$t" || fail "publish: the title $t in index.html and report.md"
done
ok "publish: every case title in index.html and report.md"
expect_has "index.html: the case list" "$I" '<table class="pr-case-table">'
expect_has "index.html: the case list's columns" "$I" '事例の概要 <span lang="en">Overview</span>'
expect_has "index.html: grouped by category" "$I" '<h3 class="pr-category">システム故障に起因したサービス障害</h3>'
expect_has "index.html: the introduction lists the criteria" "$I" '得られる気付き・教訓の有用性'
expect_has "index.html: 総括" "$I" 'id="summary">総括'
expect_has "index.html: links each case page" "$I" 'href="cases/pub-fx-02.html"'
expect_has "report.md: the case list as a table" "$M" '| No. | 事例 Case | 事例の概要 Overview | 主な気付き・教訓 Main lessons |'
expect_has "report.md: a row of the case list" "$M" '| 3 | 夜間バッチの設定誤りによる請求データの重複 |'
expect_has "HTML metacharacters in a case title escaped" "$I" '&lt;script&gt;alert(1)&lt;/script&gt; &amp; 「見積書」'
expect_lacks "no raw script from a case" "$I" '<script>'
expect_has "HTML metacharacters in --title escaped" "$I" '<h1>事例集 &lt;b&gt;2025&lt;/b&gt; &amp; &quot;試験&quot;</h1>'
expect_has "report.md: metacharacters escaped" "$M" '\<script\>alert(1)\</script\>'
expect_has "the TLP label at the top (amber: the most restrictive case)" "$I" '<strong>TLP:AMBER</strong>'
expect_has "the TLP label on a case page" "$O/cases/pub-fx-01.html" '<strong>TLP:AMBER</strong>'
expect_has "report.md: the TLP label" "$M" '**TLP:AMBER**'
expect_lacks "an empty section is left out" "$O/cases/pub-fx-02.html" '原因'
expect_has "a section with text is there" "$O/cases/pub-fx-02.html" '検知'
# order: by category, then case number; no category last
n1=$(grep -n '事例 1: ' "$M" | cut -d: -f1); n4=$(grep -n '事例 4: 倉庫' "$M" | cut -d: -f1)
if [ -n "$n1" ] && [ -n "$n4" ] && grep -q '事例 1: 配送管理' "$M" && grep -q '事例 2: 「\|事例 2: \\<script' "$M"; then
	ok "cases ordered by category, then case number; no category last"
else
	fail "cases ordered by category, then case number" "$(grep '^### 事例' "$M")"
fi
if [ -s "$O/report.pdf" ]; then
	if command -v pdftotext >/dev/null 2>&1; then
		pdftotext "$O/report.pdf" "$T/pdf.txt" 2>/dev/null
		tr -d ' \n' <"$T/pdf.txt" >"$T/pdf1.txt"
		for t in 配送管理システムへの不正ログイン 夜間バッチの設定誤りによる請求データの重複 倉庫の空調停止によるサーバ機器の故障; do
			has "$T/pdf1.txt" "$t" || fail "report.pdf: pdftotext reads $t"
		done
		ok "report.pdf: pdftotext reads every title"
	else
		skip "report.pdf: text" "pdftotext is not installed"
	fi
else
	expect_err "no PDF output in this build: said so" "report.pdf is not written"
	skip "report.pdf: pdftotext reads every title" "PDF output is not built yet (kpdfdoc_report: KE_UNSUPPORTED)"
fi

# ---- refusals: nothing written -------------------------------------------------------------
run publish --out "$T/r2" --select pub-fx-01,pub-fx-03 --tlp green --no-store
expect_rc "--tlp green with an amber case: refused" 1
expect_err "--tlp: the case named" "pub-fx-03 \(TLP:amber\) is more restrictive"
no_leftovers "--tlp refused: nothing written" "$T/r2"
run publish --out "$T/r2" --select pub-fx-01 --tlp green --no-store
expect_rc "--tlp green with a clear case: the report is green" 0
expect_has "--tlp green: the label" "$T/r2/index.html" '<strong>TLP:GREEN</strong>'
run publish --out "$T/r3" --select pub-fx-01 --tlp clear --no-store
expect_lacks "TLP:CLEAR: no banner" "$T/r3/index.html" 'pr-tlp-banner'

run publish --out "$O" --select pub-fx-01 --no-store
expect_rc "an existing non-empty folder: refused" 1
expect_err "  ... says --force" "not empty \(--force replaces it\)"
expect_has "  ... the old folder untouched" "$I" '配送管理システムへの不正ログイン'

KYOKUN_TEST_PUBLISH_FAIL=pdf "$KYOKUN" publish --out "$T/r4" --select pub-fx-01 --name fail1 >"$T/out" 2>"$T/err"
RC=$?
expect_rc "the PDF step fails: exit 1" 1
expect_err "  ... says nothing was written" "nothing was written"
no_leftovers "  ... no half-written folder" "$T/r4"
KYOKUN_TEST_PUBLISH_FAIL=pdf "$KYOKUN" publish --out "$O" --force --select pub-fx-01 --name fx >"$T/out" 2>"$T/err"
RC=$?
expect_rc "the PDF step fails with --force: exit 1" 1
expect_has "  ... the old folder is still there, whole" "$I" '倉庫の空調停止によるサーバ機器の故障'
if ls -d "$O".tmp-* "$O".old-* >/dev/null 2>&1; then fail "  ... nothing beside it"; else ok "  ... nothing beside it"; fi

run publish --out "$O" --force --select pub-fx-01,pub-fx-02 --name fx --date 2026-12-02
expect_rc "--force replaces the folder and the stored report" 0
expect_lacks "  ... the new report" "$I" '倉庫の空調停止'
run publish --out "$T/r5" --select pub-fx-01 --name fx
expect_rc "a stored report of the same name: refused" 1
expect_err "  ... says so" "already published"
no_leftovers "  ... nothing written" "$T/r5"

run publish --out "$T/r6" --period 1999
expect_rc "a period with no candidates: exit 1" 1
expect_err "  ... says so" "no candidates"
no_leftovers "  ... nothing written" "$T/r6"
run publish --out "$T/r6" --document no-such-document.txt
expect_rc "a document with no cases: exit 1" 1
no_leftovers "  ... nothing written" "$T/r6"
run publish --out "$T/r6" --select pub-fx-01,no-such-case
expect_rc "an unknown case: exit 1" 1
expect_err "  ... named" 'no case with id "no-such-case"'
no_leftovers "  ... nothing written" "$T/r6"
run publish --out /proc/kyokun-cannot-write-here --select pub-fx-01 --no-store
expect_rc "an unwritable folder: exit 1" 1
expect_err "  ... a clear message" "/proc/kyokun-cannot-write-here"
run publish --select pub-fx-01
expect_rc "no --out: usage error" 2
run publish --out "$T/r6" --period 2025 --select pub-fx-01
expect_rc "two sources: usage error" 2
run publish --out "$T/r6" --select pub-fx-01 --date 2026-13-45
expect_rc "a bad --date: usage error" 2

# --period without a kept selection: the cases of that year, said so
run publish --out "$T/r7" --period 2025 --no-store
expect_rc "--period 2025: exit 0" 0
expect_err "  ... no selection kept: said so" "no selection was kept"
expect_has "  ... the year's cases" "$T/r7/index.html" '倉庫の空調停止'
expect_lacks "  ... not another year's" "$T/r7/index.html" '限られた相手'
run publish --out "$T/r8" --document pub-fixture-2024.txt --no-store
expect_rc "--document: exit 0" 0
expect_has "  ... TLP:RED from its case" "$T/r8/index.html" '<strong>TLP:RED</strong>'

# --intro FILE replaces the generated introduction
printf 'この報告書は試験のためのものです。\n\n・一つ目の点\n・二つ目の点\n' >"$T/intro.txt"
run publish --out "$T/r9" --select pub-fx-01 --intro "$T/intro.txt" --no-store
expect_rc "--intro FILE: exit 0" 0
expect_has "  ... the given introduction" "$T/r9/index.html" '<li>二つ目の点</li>'
expect_lacks "  ... instead of the generated one" "$T/r9/index.html" '得られる気付き・教訓の有用性'

# who acts: a reporter may not publish; a publisher does not see a red case not addressed to them
run --as rep publish --out "$T/r10" --select pub-fx-01 --no-store
expect_rc "--as a reporter: refused" 1
no_leftovers "  ... nothing written" "$T/r10"
run --as pub publish --out "$T/r10" --select pub-fx-05 --no-store
expect_rc "--as a publisher, a red case not theirs: not found" 1
expect_err "  ... as if it did not exist" 'no case with id "pub-fx-05"'

# a draft is refused: publish the draft first
cat >"$T/first.json" <<'JSON'
{
  "title": "試験用の第一報",
  "organization": "A物流",
  "sector": "物流",
  "contact": {"name": "試験 太郎", "phone": "03-0000-0000", "email": "soc@a.example"},
  "occurred_at": "2026-11-19T22:00:00+09:00",
  "detected_at": "2026-11-20T08:30:00+09:00",
  "event_types": ["malware"],
  "cause_types": ["intentional"],
  "service_affected": "no",
  "impact": {"scope": "端末1台", "users_affected": 0, "duration_minutes": null},
  "spread": {"status": "no", "sectors": []},
  "description": "試験の記述。",
  "actions": "試験の対応。",
  "announcement_planned": false,
  "tlp": "clear"
}
JSON
run report add "$T/first.json"
INC=$(cat "$T/out")
run report draft "$INC"
DRAFT=$(cat "$T/out")
run publish --out "$T/r11" --select "pub-fx-01,$DRAFT" --no-store
expect_rc "a draft in --select: refused" 1
expect_err "  ... publish the draft first" "publish the draft first"
no_leftovers "  ... nothing written" "$T/r11"

# a 100 KB section
awk 'BEGIN { s = "・"; for (i = 0; i < 2000; i++) s = s "長い節の本文です。これは試験の文章です。"; printf "{\"format\":\"kyokun-case/1\",\"cases\":[{\"id\":\"pub-big\",\"title\":\"長い節のある事例\",\"tlp\":\"clear\",\"sections\":{\"background\":\"%s\"}}]}\n", s }' >"$T/big.json"
run add "$T/big.json"
run publish --out "$T/r12" --select pub-big,pub-fx-01 --no-store
expect_rc "a 100 KB section: exit 0" 0
if [ "$(wc -c <"$T/r12/cases/pub-big.html")" -gt 100000 ]; then ok "  ... all of it on its page"; else fail "  ... all of it on its page"; fi

# the stored report is in the audit log
run audit
if grep -q "report.publish" "$T/out" && grep -q "report.replace" "$T/out"; then ok "publish: in the audit log"; else fail "publish: in the audit log" "$(grep report "$T/out")"; fi

# ---- the web: choose -> preview -> publish; listed under /reports as TLP allows --------------
for t in curl; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "publish: web" "$t is not installed"
		exit 0
	fi
done
run publish --out "$T/r13" --select pub-fx-01 --name clear-one --tlp clear --date 2026-12-03
start_server
if [ -z "$URL" ]; then
	fail "publish: server starts" "$(cat "$T/srv.err")"
	exit 0
fi
get /publish
expect_code "GET /publish: anonymous: 401" 401
signin "$T/rep.jar" rep
get /publish -b "$T/rep.jar"
expect_code "GET /publish: a reporter: 403" 403
signin "$T/pub.jar" pub
J="$T/pub.jar"
TOK=$(csrf "$J")
get /publish -b "$J"
expect_code "GET /publish: a publisher: 200" 200
body_has "  ... the cases to tick" 'name="ids" value="pub-fx-03"'
body_has "  ... the documents" 'pub-fixture-2025.txt'
get /publish/preview -b "$J" --data-urlencode "csrf=$TOK" -d source=select -d ids=pub-fx-01 -d ids=pub-fx-03 -d tlp=green
expect_code "preview with a case above the TLP: 400" 400
body_has "  ... the case named" 'pub-fx-03 (TLP:amber) is more restrictive'
get /publish/preview -b "$J" -d source=select -d ids=pub-fx-01
expect_code "preview without the CSRF token: 403" 403
get /publish/preview -b "$J" --data-urlencode "csrf=$TOK" -d source=select -d ids=pub-fx-01 -d ids=pub-fx-03 \
	--data-urlencode 'title=ウェブの報告書 <i>試験</i>' -d name=web-amber -d date=2026-12-04
expect_code "POST /publish/preview: 200" 200
body_has "  ... the report as it will be" '<h1>ウェブの報告書 &lt;i&gt;試験&lt;/i&gt;</h1>'
body_has "  ... every case" '配送管理システムへの不正ログイン'
body_has "  ... the TLP label" '<strong>TLP:AMBER</strong>'
body_has "  ... the form that publishes it" 'name="ids" value="pub-fx-03"'
get /reports/web-amber -b "$J"
expect_code "  ... not published yet" 404
get /publish -b "$J" --data-urlencode "csrf=$TOK" -d source=select -d ids=pub-fx-01 -d ids=pub-fx-03 \
	--data-urlencode 'title=ウェブの報告書 <i>試験</i>' -d name=web-amber -d date=2026-12-04
expect_code "POST /publish: 303" 303
hdr_has "  ... to the report" '^Location: .*/reports/web-amber'
get /publish -b "$J" --data-urlencode "csrf=$TOK" -d source=select -d ids=pub-fx-01 -d name=web-amber
expect_code "POST /publish again under the same name: 400" 400
get /reports -b "$J"
expect_code "GET /reports: a publisher: 200" 200
body_has "  ... lists the amber report" 'href="/reports/web-amber"'
body_has "  ... and the clear one" 'href="/reports/clear-one"'
get /reports/web-amber -b "$J"
expect_code "GET /reports/web-amber: a publisher: 200" 200
body_has "  ... the case list" 'class="pr-case-table"'
body_has "  ... links the case pages" 'href="/reports/web-amber/cases/pub-fx-03"'
get /reports/web-amber/cases/pub-fx-03 -b "$J"
expect_code "GET /reports/web-amber/cases/pub-fx-03: 200" 200
body_has "  ... escaped" '&lt;script&gt;alert(1)&lt;/script&gt;'
body_has "  ... the TLP label" '<strong>TLP:AMBER</strong>'
get /reports/web-amber/report.md -b "$J"
expect_code "GET /reports/web-amber/report.md: 200" 200
hdr_has "  ... as Markdown" '^Content-Type: text/markdown'
get /reports
body_has "GET /reports: anonymous: the clear report" 'href="/reports/clear-one"'
body_lacks "  ... not the amber one" 'web-amber'
get /reports/web-amber
expect_code "GET /reports/web-amber: anonymous: 404" 404
get /reports/web-amber/report.md
expect_code "GET /reports/web-amber/report.md: anonymous: 404" 404
get /reports/clear-one
expect_code "GET /reports/clear-one: anonymous: 200" 200
get /
body_has "the site header links /reports" 'href="/reports"'
run audit
if grep -q "report.publish.*web-amber" "$T/out"; then ok "web publish: in the audit log"; else fail "web publish: in the audit log" "$(grep report "$T/out")"; fi
