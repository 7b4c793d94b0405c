#!/bin/sh
# tests/cli/test_web_incidents.sh - the incident pages of `kyokun serve`
# (issue 12), with curl and cookie jars: the desk (/incidents) for each
# role (an analyst's 分析デスク, a reporter's own organisation, a liaison's
# sectors; 401 anonymous, 403 for an admin), the first report form (every
# field; a reporter files for their own organisation, an analyst names
# one), wrong fields said next to the field with what was typed kept, the
# incident page (reports in order with their authors, times in JST with
# the zone, the status history), follow-ups and the final report, status
# changes, the candidate mark and the case draft, each through the
# workflow (another organisation's reporter gets 404, a liaison sees but
# has no forms and is refused with 403), no write without the session's
# CSRF token, the filters and their counts, the CSV export (BOM, RFC 4180
# quoting, no formula injection), the possible duplicates, and overdue
# marks under a later KYOKUN_NOW.
. "$(dirname "$0")/lib.sh"

for t in curl python3; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "web incidents" "$t is not installed"
		exit 0
	fi
done

run init
run add "$FIX/web/cases.json"
expect_rc "incidents: fixtures load" 0
PW='kawa-no-nagare-wa-taezu'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" org add Centre --kind centre >/dev/null 2>&1
"$KYOKUN" org add 'A電力' --kind operator --sector 電力 >/dev/null 2>&1
"$KYOKUN" org add 'B銀行' --kind operator --sector 金融 >/dev/null 2>&1
"$KYOKUN" org add '経済産業省' --kind ministry --sector 電力 >/dev/null 2>&1
for u in "ana analyst Centre" "pub publisher Centre" "repa reporter A電力" "repb reporter B銀行" \
	"lia liaison 経済産業省" "boss admin Centre"; do
	# shellcheck disable=SC2086
	set -- $u
	run user add "$1" --role "$2" --org "$3" --password-file "$T/pw"
	expect_rc "incidents: user add $1 ($2)" 0
done

# the clock of the first half: reports are filed on 2026-11-20 at 10:00 JST
export KYOKUN_NOW=2026-11-20T10:00:00+09:00
start_server
if [ -z "$URL" ]; then
	fail "incidents: server starts" "$(cat "$T/srv.err")"
	exit 0
fi

# ---- helpers ----
# (get, expect_code, body_has, body_lacks, hdr_has, signin, csrf: in lib.sh)
post() { # JAR PATH CSRF [--data-urlencode k=v ...] (CSRF "" sends none)
	local jar=$1 p=$2 c=$3
	shift 3
	if [ -n "$c" ]; then
		CODE=$(curl -s --max-time 30 -b "$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
			--data-urlencode "csrf=$c" "$@" "$URL$p")
	else
		CODE=$(curl -s --max-time 30 -b "$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
			--data-urlencode "x=1" "$@" "$URL$p")
	fi
}
location() { tr -d '\r' <"$T/hdr" | sed -n 's/^[Ll]ocation: //p'; }
field_error() { # FIELD: the message next to a field of the last page
	sed -n "s/.*id=\"f-$1-error\">\\([^<]*\\)<.*/\\1/p" "$T/body" | head -1
}
expect_field_error() { # NAME FIELD SUBSTRING
	local m
	m=$(field_error "$2")
	case "$m" in
	*"$3"*) ok "$1" ;;
	*) fail "$1" "message next to $2: '$m', want '$3'; $(grep -o 'field-error[^<]*' "$T/body" | head -5)" ;;
	esac
}

for u in ana pub repa repb lia boss; do
	signin "$T/$u" "$u"
	expect_code "incidents: $u signs in" 303
done
AC=$(csrf "$T/ana")
RA=$(csrf "$T/repa")
RB=$(csrf "$T/repb")
LC=$(csrf "$T/lia")
[ -n "$AC" ] && [ -n "$RA" ] && [ -n "$RB" ] && [ -n "$LC" ] && ok "incidents: sessions have CSRF tokens" ||
	fail "incidents: sessions have CSRF tokens"

# ---- who may open the desk; the link in the header ----
get /incidents
expect_code "incidents: anonymous GET /incidents 401" 401
get /incidents -b "$T/boss"
expect_code "incidents: an admin GET /incidents 403" 403
get /incidents/new
expect_code "incidents: anonymous GET /incidents/new 401" 401
get /incidents/new -b "$T/lia"
expect_code "incidents: a liaison may not file (403)" 403
get / -b "$T/ana"
body_has "incidents: an analyst's header links to the desk" 'class="desk-link" href="/incidents">分析デスク<'
get / -b "$T/repa"
body_has "incidents: a reporter's header links to the incidents" 'class="desk-link" href="/incidents">インシデント報告<'
get / -b "$T/boss"
body_lacks "incidents: an admin's header has no desk link" 'desk-link'
get /incidents -b "$T/ana"
expect_code "incidents: the desk for an analyst" 200
body_has "incidents: the analyst's page is the desk" '<h1>分析デスク</h1>'
body_has "incidents: an empty desk says so" '該当するインシデントはありません'
get "/incidents?lang=en" -b "$T/ana"
body_has "incidents: the desk in English" "<h1>Analysts&#39; desk</h1>"
get /incidents -b "$T/repa"
body_has "incidents: a reporter's page is their organisation's" '<h1>自組織のインシデント</h1>'
body_has "incidents: a reporter may file" 'href="/incidents/new"'
get /incidents -b "$T/lia"
body_has "incidents: a liaison's page is their sectors'" '<h1>所管分野のインシデント</h1>'
body_lacks "incidents: a liaison may not file" 'href="/incidents/new"'

# ---- the first report form ----
get /incidents/new -b "$T/repa"
expect_code "incidents: the form for a reporter" 200
body_lacks "incidents: a reporter names no organisation" 'id="f-org"'
body_has "incidents: a reporter files for A電力" 'A電力'
body_has "incidents: event types as checkboxes, with English" 'name="event_types" value="intrusion"> <span lang="ja">システム等への侵入</span> <span class="en" lang="en">intrusion into systems</span>'
body_has "incidents: cause types as checkboxes" 'name="cause_types" value="spillover"'
body_has "incidents: the time zone defaults to JST" '<option value="+09:00" selected>'
body_has "incidents: detection as a date and a time" 'name="detected_date" type="date"'
body_has "incidents: service affected 有/無/不明" 'name="service_affected" value="unknown"> 不明'
body_has "incidents: spread to other sectors" 'name="spread_sectors" value="telecom"'
body_has "incidents: TLP select" '<select id="f-tlp" name="tlp"'
body_has "incidents: the form carries the CSRF token" 'name="csrf" value="'
get /incidents/new -b "$T/ana"
body_has "incidents: an analyst names the organisation" 'id="f-org" name="org"'
body_has "incidents: ... from the registered ones" '<option value="B銀行">'

FIRST="--data-urlencode sector=electricity --data-urlencode contact_name=山田太郎
--data-urlencode contact_phone=03-1234-5678 --data-urlencode contact_email=yamada@example.jp
--data-urlencode detected_date=2026-11-20 --data-urlencode detected_time=08:30 --data-urlencode detected_tz=+09:00
--data-urlencode event_types=intrusion --data-urlencode event_types=malware --data-urlencode cause_types=intentional
--data-urlencode service_affected=no --data-urlencode tlp=amber"
DESC='監視装置が制御系ネットワークから外部サーバへの不審な通信を検知した。該当端末を隔離した。'

# without the CSRF token: 403, and nothing stored
# shellcheck disable=SC2086
post "$T/repa" /incidents "" $FIRST --data-urlencode "title=制御系ネットワークへの不審な通信" --data-urlencode "description=$DESC"
expect_code "incidents: POST /incidents without the CSRF token 403" 403
# shellcheck disable=SC2086
post "$T/repa" /incidents "wrong-token" $FIRST --data-urlencode "title=制御系ネットワークへの不審な通信" --data-urlencode "description=$DESC"
expect_code "incidents: POST /incidents with a wrong CSRF token 403" 403
get /incidents -b "$T/repa"
body_has "incidents: nothing stored without the token" '該当するインシデントはありません'

# wrong fields: said next to each, with what was typed kept
post "$T/repa" /incidents "$RA" --data-urlencode "contact_name=山田<b>太郎</b>" \
	--data-urlencode "description=一行目
二行目 & <script>" --data-urlencode detected_date=2026-11-20 --data-urlencode impact_users=many
expect_code "incidents: a form with wrong fields 400" 400
body_has "incidents: the summary above the form" 'class="form-error" role="alert"'
expect_field_error "incidents: title left empty" title "入力してください"
expect_field_error "incidents: no event type" event_types "一つ以上選んでください"
expect_field_error "incidents: a date without a time" detected "日付と時刻の両方"
expect_field_error "incidents: no sector" sector "選択してください"
expect_field_error "incidents: service affected not chosen" service_affected "選択してください"
expect_field_error "incidents: a count that is not one" impact_users "0以上の整数"
body_has "incidents: the name typed is kept (escaped)" 'value="山田&lt;b&gt;太郎&lt;/b&gt;"'
body_has "incidents: the description typed is kept (escaped)" '二行目 &amp; &lt;script&gt;</textarea>'
body_has "incidents: the date typed is kept" 'name="detected_date" type="date" value="2026-11-20"'
body_has "incidents: the wrong field is marked invalid" 'aria-invalid="true"'
post "$T/repa" "/incidents?lang=en" "$RA" --data-urlencode detected_date=2026-11-20
expect_field_error "incidents: messages in English" title "Enter this."

# what the model refuses: said next to the field it names
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" --data-urlencode "title=x" --data-urlencode "description=$DESC" \
	--data-urlencode detected_date=2026-11-25 \
	$FIRST
expect_code "incidents: detection in the future 400" 400
expect_field_error "incidents: detection in the future, next to the field" detected "future"
body_has "incidents: the title typed is kept" 'name="title" type="text" value="x"'
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" --data-urlencode "title=x" --data-urlencode "description=$DESC" \
	--data-urlencode occurred_date=2026-11-20 --data-urlencode occurred_time=09:00 \
	$FIRST
expect_field_error "incidents: detection before occurrence" detected "before occurred_at"
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" --data-urlencode "title=x" --data-urlencode "description=$DESC" \
	--data-urlencode contact_email=not-an-address \
	$FIRST
expect_field_error "incidents: a wrong e-mail address" contact_email "e-mail address"
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" --data-urlencode "title=x" --data-urlencode "description=$DESC" \
	--data-urlencode sector=finance \
	$FIRST
expect_field_error "incidents: a reporter files in their organisation's sectors" sector "not a sector of"
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" --data-urlencode "title=x" --data-urlencode "description=$DESC" \
	--data-urlencode event_types=bogus \
	$FIRST
expect_field_error "incidents: an unknown event type" event_types "選択肢にない"
get /incidents -b "$T/repa"
body_has "incidents: nothing stored by refused forms" '該当するインシデントはありません'

# a first report that passes
# shellcheck disable=SC2086
post "$T/repa" /incidents "$RA" $FIRST --data-urlencode "title=制御系ネットワークへの不審な通信" \
	--data-urlencode "description=$DESC" --data-urlencode "actions=端末を隔離した。" \
	--data-urlencode occurred_date=2026-11-20 --data-urlencode occurred_time=07:45 \
	--data-urlencode impact_scope=社内の制御系ネットワーク --data-urlencode impact_duration=90 \
	--data-urlencode spread=no --data-urlencode announcement=no
expect_code "incidents: a reporter files a first report (303)" 303
I1=$(location | sed -n 's|^/incidents/\([^?]*\)?done=filed$|\1|p')
[ "$I1" = IR-2026-0001 ] && ok "incidents: on to the incident's page with a notice" ||
	fail "incidents: on to the incident's page with a notice" "Location: $(location)"
get "/incidents/$I1?done=filed" -b "$T/repa"
expect_code "incidents: the incident's page" 200
body_has "incidents: the notice" '第一報を受け付けました'
body_has "incidents: its title" '制御系ネットワークへの不審な通信'
body_has "incidents: the first report, with its author" '<h3>第一報 <span class="seq">#1</span></h3>'
body_has "incidents: ... signed by repa" '<strong>repa</strong>'
body_has "incidents: detection in JST with the zone" '<time datetime="2026-11-19T23:30:00Z"><span class="d">2026-11-20</span> <span class="t">08:30 +09:00</span></time>'
body_has "incidents: the follow-up due in 72 hours" '<span class="t">10:00 +09:00</span>'
body_has "incidents: the contact" '山田太郎 · 03-1234-5678 · yamada@example.jp'
body_has "incidents: the duration" '<dd>90</dd>'
body_has "incidents: the status history" '<strong>受付</strong>'
body_has "incidents: the reporter may file a follow-up" "action=\"/incidents/$I1/updates\""
body_has "incidents: ... or withdraw" 'value="withdraw"'
body_lacks "incidents: the reporter may not check it" 'value="check"'
body_lacks "incidents: the reporter may not mark a candidate" "/incidents/$I1/candidate"
body_lacks "incidents: the reporter may not make a draft" "/incidents/$I1/draft"
body_lacks "incidents: the reporter sees no duplicates box" 'dupes-h'

# ---- who sees it ----
get "/incidents/$I1" -b "$T/repb"
expect_code "incidents: another organisation's reporter gets 404" 404
get "/incidents/IR-2026-9999" -b "$T/repb"
expect_code "incidents: ... as for one that does not exist" 404
get /incidents -b "$T/repb"
body_lacks "incidents: ... and does not list it" "$I1"
post "$T/repb" "/incidents/$I1/updates" "$RB" --data-urlencode kind=followup --data-urlencode at_date=2026-11-20 \
	--data-urlencode at_time=09:00 --data-urlencode "text=なりすまし"
expect_code "incidents: another organisation's follow-up 404" 404
post "$T/repb" "/incidents/$I1/status" "$RB" --data-urlencode action=withdraw
expect_code "incidents: another organisation's withdrawal 404" 404
get "/incidents/$I1" -b "$T/lia"
expect_code "incidents: a liaison of the sector sees it" 200
body_lacks "incidents: ... without status forms" "/incidents/$I1/status"
body_lacks "incidents: ... without the follow-up form" "/incidents/$I1/updates"
body_lacks "incidents: ... without the candidate form" "/incidents/$I1/candidate"
get /incidents -b "$T/lia"
body_has "incidents: a liaison lists their sector's incidents" "$I1"
post "$T/lia" "/incidents/$I1/status" "$LC" --data-urlencode action=close
expect_code "incidents: a liaison may not change the status (403)" 403
post "$T/lia" "/incidents/$I1/candidate" "$LC" --data-urlencode on=1
expect_code "incidents: a liaison may not mark a candidate (403)" 403
get /incidents/IR-2026-0001 -b "$T/boss"
expect_code "incidents: an admin does not see incidents (404)" 404

# ---- follow-ups and the final report ----
post "$T/repa" "/incidents/$I1/updates" "" --data-urlencode kind=followup --data-urlencode at_date=2026-11-20 \
	--data-urlencode at_time=09:40 --data-urlencode "text=x"
expect_code "incidents: a follow-up without the CSRF token 403" 403
post "$T/repa" "/incidents/$I1/updates" "$RA" --data-urlencode kind=final --data-urlencode at_date=2026-11-20 \
	--data-urlencode at_time=09:40 --data-urlencode at_tz=+09:00 --data-urlencode "text=最終報です。"
expect_code "incidents: a final report without cause 400" 400
expect_field_error "incidents: the final report needs the cause" cause "最終報には必要です"
expect_field_error "incidents: ... and the countermeasures" countermeasures "最終報には必要です"
body_has "incidents: the text typed is kept" '最終報です。</textarea>'
body_has "incidents: the kind chosen is kept" 'value="final" checked'
post "$T/repa" "/incidents/$I1/updates" "$RA" --data-urlencode kind=followup --data-urlencode at_date=2026-11-20 \
	--data-urlencode at_time=09:40 --data-urlencode at_tz=+09:00 --data-urlencode "text=侵入経路はVPN装置と判明した。" \
	--data-urlencode "response=VPN装置を停止した。" --data-urlencode event_types=integrity
expect_code "incidents: a follow-up (303)" 303
case "$(location)" in "/incidents/$I1?done=report"*) ok "incidents: back to the incident" ;;
*) fail "incidents: back to the incident" "$(location)" ;; esac
get "/incidents/$I1" -b "$T/ana"
body_has "incidents: the follow-up in order" '<h3>続報 <span class="seq">#2</span></h3>'
body_has "incidents: its time as of" '<span class="t">09:40 +09:00</span>'
body_has "incidents: the event type it added" '完全性（情報の破壊・改ざん）'
python3 - "$T/body" <<'EOF' && ok "incidents: reports in order" || fail "incidents: reports in order"
import sys
b = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if 0 <= b.find('id="report-1"') < b.find('id="report-2"') else 1)
EOF

# ---- the analyst's desk and actions ----
get /incidents -b "$T/ana"
body_has "incidents: the desk lists it" "href=\"/incidents/$I1\">$I1</a>"
body_has "incidents: with its status" '<span class="inc-status st-received">受付</span>'
body_has "incidents: with the counts by status" '<span>受付</span><span class="n">1</span>'
body_has "incidents: and by sector" '<span>電力</span><span class="n">1</span>'
body_has "incidents: and by event type" '<span>システム等への侵入</span><span class="n">1</span>'
get "/incidents/$I1" -b "$T/ana"
body_has "incidents: the analyst may check it" 'value="check"'
body_has "incidents: ... mark it a candidate" "/incidents/$I1/candidate"
body_has "incidents: ... make a case draft" '事例の下書きを作成'
body_has "incidents: ... sees possible duplicates" '重複の可能性'
post "$T/ana" "/incidents/$I1/status" "" --data-urlencode action=check
expect_code "incidents: a status change without the CSRF token 403" 403
post "$T/ana" "/incidents/$I1/status" "$AC" --data-urlencode action=check --data-urlencode "note=担当を割り当てた"
expect_code "incidents: the analyst checks it (303)" 303
post "$T/ana" "/incidents/$I1/status" "$AC" --data-urlencode action=reopen
expect_code "incidents: reopening what is not closed 400" 400
body_has "incidents: ... says the status does not allow it" '現在の状態ではできない'
post "$T/ana" "/incidents/$I1/status" "$AC" --data-urlencode action=fly
expect_code "incidents: an unknown action 400" 400
post "$T/ana" "/incidents/$I1/candidate" "$AC" --data-urlencode on=1
expect_code "incidents: marked a candidate (303)" 303
get "/incidents/$I1?done=candidate-on" -b "$T/ana"
body_has "incidents: the candidate notice" '事例候補にしました'
body_has "incidents: the candidate mark" '<span class="mark candidate">'
body_has "incidents: the history says who checked it" '<span class="who">ana</span><br>受付 → <strong>確認中</strong>'
body_has "incidents: with the note" '担当を割り当てた'
body_has "incidents: the history has the candidate mark" '事例候補にした'
get "/incidents/$I1" -b "$T/repa"
body_lacks "incidents: the candidate mark is the centre's own" 'mark candidate'
body_lacks "incidents: ... as is its history" '事例候補にした'
get "/incidents?candidate=1" -b "$T/ana"
body_has "incidents: the candidate filter" "$I1"
get "/incidents?status=received" -b "$T/ana"
body_lacks "incidents: the status filter" "href=\"/incidents/$I1\""
get "/incidents?status=checking" -b "$T/ana"
body_has "incidents: the status filter (checking)" "href=\"/incidents/$I1\""
body_has "incidents: a chosen filter is marked" 'class="on" aria-current="true"'

# the analyst files for B銀行: a title a spreadsheet would run, words like the first's
post "$T/ana" /incidents "$AC" --data-urlencode 'title==HYPERLINK("http://x.example/","制御系") <b>不審な通信</b>' \
	--data-urlencode org=B銀行 --data-urlencode sector=finance --data-urlencode contact_name=鈴木 \
	--data-urlencode contact_email=suzuki@example.jp --data-urlencode detected_date=2026-11-19 \
	--data-urlencode detected_time=22:00 --data-urlencode event_types=availability \
	--data-urlencode service_affected=yes --data-urlencode impact_users=1200 --data-urlencode spread=yes \
	--data-urlencode spread_sectors=telecom --data-urlencode tlp=green \
	--data-urlencode "description=監視装置が制御系ネットワークから外部サーバへの不審な通信を検知した。勘定系は停止した。"
expect_code "incidents: an analyst files for B銀行 (303)" 303
I2=$(location | sed -n 's|^/incidents/\([^?]*\)?done=filed$|\1|p')
[ "$I2" = IR-2026-0002 ] && ok "incidents: the second incident's number" || fail "incidents: the second incident's number" "$(location)"
get "/incidents/$I2" -b "$T/ana"
body_has "incidents: the organisation named" '<dd dir="auto">B銀行</dd>'
body_has "incidents: the title escaped" '=HYPERLINK(&quot;http://x.example/&quot;,&quot;制御系&quot;) &lt;b&gt;不審な通信&lt;/b&gt;'
body_has "incidents: the spread to telecom" '<span class="chip">情報通信</span>'
body_has "incidents: the first incident as a possible duplicate" "href=\"/incidents/$I1\""
get "/incidents/$I2" -b "$T/repb"
expect_code "incidents: B's reporter sees what was filed for B" 200
get "/incidents/$I2" -b "$T/lia"
expect_code "incidents: a liaison of another sector gets 404" 404
get "/incidents?sector=finance" -b "$T/ana"
body_has "incidents: the sector filter" "href=\"/incidents/$I2\""
body_lacks "incidents: ... leaves the others out" "href=\"/incidents/$I1\""
get "/incidents?type=availability" -b "$T/ana"
body_has "incidents: the event type filter" "href=\"/incidents/$I2\""
get "/incidents?from=2026-11-20&to=2026-11-20" -b "$T/ana"
body_has "incidents: the date filter (JST days)" "href=\"/incidents/$I1\""
body_lacks "incidents: ... detected the day before is out" "href=\"/incidents/$I2\""
get "/incidents?q=VPN" -b "$T/ana"
body_has "incidents: the words filter finds a follow-up's words" "href=\"/incidents/$I1\""
body_lacks "incidents: ... and only that" "href=\"/incidents/$I2\""
get "/incidents?sort=oldest" -b "$T/ana"
python3 - "$T/body" "$I1" "$I2" <<'EOF' && ok "incidents: the oldest first" || fail "incidents: the oldest first"
import sys
b = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if 0 <= b.find('href="/incidents/%s"' % sys.argv[2]) < b.find('href="/incidents/%s"' % sys.argv[3]) else 1)
EOF
body_has "incidents: the order kept in the form" '<option value="oldest" selected>'
get "/incidents" -b "$T/ana"
python3 - "$T/body" "$I1" "$I2" <<'EOF' && ok "incidents: the newest first by default" || fail "incidents: the newest first by default"
import sys
b = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if 0 <= b.find('href="/incidents/%s"' % sys.argv[3]) < b.find('href="/incidents/%s"' % sys.argv[2]) else 1)
EOF
get "/incidents?status=bogus&from=yesterday" -b "$T/ana"
expect_code "incidents: wrong filters 400" 400
expect_field_error "incidents: a wrong date filter, next to it" from "2026-11-20"
body_has "incidents: a wrong status filter is said" 'id="f-filter-error"'

# ---- CSV ----
get /incidents.csv -b "$T/ana"
expect_code "incidents: the CSV export" 200
hdr_has "incidents: CSV content type" '^content-type: text/csv; charset=utf-8'
hdr_has "incidents: CSV as an attachment" '^content-disposition: attachment; filename="incidents.csv"'
python3 - "$T/body" "$I1" "$I2" <<'EOF' && ok "incidents: CSV with BOM, RFC 4180 quoting, no formulas" || fail "incidents: CSV with BOM, RFC 4180 quoting, no formulas" "$(head -c 600 "$T/body")"
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "no BOM"
assert b"\r\n" in raw, "no CRLF"
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
assert rows[0][0] == "受付番号", rows[0]
by = {r[0]: r for r in rows[1:]}
assert set(by) == {sys.argv[2], sys.argv[3]}, by.keys()
t = by[sys.argv[3]][1]
assert t == "'=HYPERLINK(\"http://x.example/\",\"制御系\") <b>不審な通信</b>", t
assert by[sys.argv[2]][1] == "制御系ネットワークへの不審な通信"
assert all(not c or c[0] not in "=+-@" for r in rows for c in r), "a cell starts a formula"
EOF
get "/incidents.csv?sector=electricity" -b "$T/repa"
python3 - "$T/body" "$I1" <<'EOF' && ok "incidents: a reporter's CSV has their own only" || fail "incidents: a reporter's CSV has their own only" "$(head -c 400 "$T/body")"
import csv, io, sys
rows = list(csv.reader(io.StringIO(open(sys.argv[1], "rb").read()[3:].decode("utf-8"), newline="")))
assert [r[0] for r in rows[1:]] == [sys.argv[2]], rows
EOF
get /incidents.csv
expect_code "incidents: anonymous CSV 401" 401

# ---- the case draft ----
post "$T/repa" "/incidents/$I1/draft" "$RA"
expect_code "incidents: a reporter may not make a draft (403)" 403
post "$T/ana" "/incidents/$I1/draft" ""
expect_code "incidents: a draft without the CSRF token 403" 403
post "$T/ana" "/incidents/$I1/draft" "$AC"
expect_code "incidents: the analyst creates a case draft (303)" 303
D1=$(location | sed -n 's|^/drafts/\([^/]*\)/edit$|\1|p')
[ -n "$D1" ] && ok "incidents: on to the draft's editor" || fail "incidents: on to the draft's editor" "$(location)"
get "/incidents/$I1" -b "$T/ana"
body_has "incidents: the incident links its draft" "href=\"/drafts/$D1/edit\""
body_lacks "incidents: no second draft offered" '事例の下書きを作成'
post "$T/pub" "/incidents/$I1/draft" "$(csrf "$T/pub")"
expect_code "incidents: a second click goes on to the same draft (303)" 303
[ "$(location)" = "/drafts/$D1/edit" ] && ok "incidents: ... the same draft" || fail "incidents: ... the same draft" "$(location)"

# ---- overdue: four days later (the follow-up was due after 72 hours) ----
stop_server
export KYOKUN_NOW=2026-11-24T10:00:00+09:00
start_server
if [ -z "$URL" ]; then
	fail "incidents: server starts again" "$(cat "$T/srv.err")"
	exit 0
fi
signin "$T/ana" ana
get /incidents -b "$T/ana"
python3 - "$T/body" "$I1" "$I2" <<'EOF' && ok "incidents: the row without a follow-up is marked overdue in words" || fail "incidents: the row without a follow-up is marked overdue in words" "$(grep -o '<tr[^>]*>' "$T/body" | head)"
import re, sys
b = open(sys.argv[1], encoding="utf-8").read()
rows = {m.group(2): m.group(0) for m in re.finditer(r'<tr( class="overdue")?><td class="id"><a href="/incidents/([^"]+)".*?</tr>', b, re.S)}
assert 'class="overdue"' in rows[sys.argv[3]] and '期限超過：続報' in rows[sys.argv[3]], rows.get(sys.argv[3])
assert 'overdue' not in rows[sys.argv[2]], rows.get(sys.argv[2])
EOF
body_has "incidents: the overdue count" '<span>期限超過</span><span class="n">1</span>'
get "/incidents?overdue=1" -b "$T/ana"
body_has "incidents: the overdue filter" "href=\"/incidents/$I2\""
body_lacks "incidents: ... leaves the others out" "href=\"/incidents/$I1\""
get "/incidents/$I2" -b "$T/ana"
body_has "incidents: the incident page says overdue" '<dd class="overdue">'
body_has "incidents: ... in words" '期限超過</span>'
get "/incidents/$I2?lang=en" -b "$T/ana"
body_has "incidents: ... in English too" 'Overdue: follow-up'
body_has "incidents: the status in English" '<span class="inc-status st-received">Received</span>'
body_has "incidents: the sector in English" '<dd>Finance</dd>'
get "/incidents.csv?overdue=1" -b "$T/ana"
body_has "incidents: the CSV says overdue" '続報期限'
exit 0
