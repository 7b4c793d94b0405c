#!/bin/sh
# test_api_reports.sh - the JSON API of incident reports (api_report.c):
# every route and status code, who sees what (another organisation's
# reporter gets 404, a liaison sees its sectors and changes nothing, the
# analysts see all), bad input (JSON, types, members, times, size, content
# type), nothing left behind by a refused request, deadlines with an
# injected clock (KYOKUN_NOW), and the OpenAPI document.
. "$(dirname "$0")/lib.sh"

for t in curl python3; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "api-reports" "$t is not installed"
		exit 0
	fi
done

run init
expect_rc "api-reports: init" 0
PW='velvet-Otter-brook-3391'
printf '%s\n' "$PW" >"$T/pw"
run org add "ACME電力" --sector electricity
run org add "BETAガス" --sector gas
run org add "経済産業省" --kind ministry --sector electricity
run org add "国土交通省" --kind ministry --sector railway
run org add "Centre" --kind centre
expect_rc "api-reports: organisations" 0
adduser() { # LOGIN ROLE ORG
	run user add "$1" --role "$2" --org "$3" --password-file "$T/pw"
	expect_rc "api-reports: user $1" 0
}
adduser rep_a reporter "ACME電力"
adduser rep_a2 reporter "ACME電力"
adduser rep_b reporter "BETAガス"
adduser lia_e liaison "経済産業省"
adduser lia_r liaison "国土交通省"
adduser ana analyst Centre
adduser pub publisher Centre
run user add adm --role admin --password-file "$T/pw"
token() { "$KYOKUN" token create "$1" --name test 2>/dev/null | tail -1; }
TA=$(token rep_a)
TA2=$(token rep_a2)
TB=$(token rep_b)
TLE=$(token lia_e)
TLR=$(token lia_r)
TAN=$(token ana)
TADM=$(token adm)
[ -n "$TA" ] && [ -n "$TB" ] && [ -n "$TAN" ] && [ -n "$TLE" ] && [ -n "$TADM" ] && ok "api-reports: tokens" ||
	fail "api-reports: tokens" "$(cat "$T/err")"

# the clock: 2026-11-20 12:00 JST; reports detected that morning
NOW0='2026-11-20T12:00:00+09:00'
KYOKUN_NOW=$NOW0 start_server
if [ -z "$URL" ]; then
	fail "api-reports: server starts" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi

# req METHOD PATH TOKEN [CURL ARGS...]: status in CODE, body in $T/body, headers in $T/hdr
req() {
	local m=$1 p=$2 tok=$3
	shift 3
	if [ -n "$tok" ]; then
		CODE=$(curl -s --max-time 20 -X "$m" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
			-H "Authorization: Bearer $tok" "$@" "$URL$p")
	else
		CODE=$(curl -s --max-time 20 -X "$m" -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$URL$p")
	fi
}
# post PATH TOKEN JSON: a JSON body
post() {
	req POST "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
# json NAME PYTHON-EXPR: the expression holds for j, the body as JSON.  Checked
# all at once when the script ends (json_flush): one Python start-up, not hundreds.
mkdir -p "$T/j"
NJ=0
json() {
	NJ=$((NJ + 1))
	cp "$T/body" "$T/j/$NJ.json"
	printf '%s' "$1" >"$T/j/$NJ.name"
	printf '%s' "$2" >"$T/j/$NJ.expr"
}
json_flush() {
	python3 - "$T/j" "$NJ" <<'EOF'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    name = open(os.path.join(d, "%d.name" % i), encoding="utf-8").read()
    expr = open(os.path.join(d, "%d.expr" % i), encoding="utf-8").read()
    body = open(os.path.join(d, "%d.json" % i), encoding="utf-8", errors="replace").read()
    try:
        j = json.loads(body)
        good = bool(eval(expr))
        why = ""
    except Exception as e:
        good, why = False, "%s: %s" % (type(e).__name__, e)
    if good:
        print("ok - " + name)
    else:
        print("not ok - " + name)
        print("  %s is not so: %s %s" % (expr, body[:500], why))
EOF
	NJ=0
}
# refused NAME STATUS FIELD: the last answer was STATUS with that field ("" for null)
refused() {
	expect_code "$1" "$2"
	if [ -n "$3" ]; then
		json "$1 (field $3)" "j['status'] == $2 and j['field'] == '$3' and j['error'].startswith('$3')"
	else
		json "$1 (the error shape)" "j['status'] == $2 and j['field'] is None and j['error']"
	fi
}
# total TOKEN: how many incidents the list gives that reader
total() {
	curl -s --max-time 20 -H "Authorization: Bearer $1" "$URL/api/reports?limit=1" | sed -n 's/^{"total":\([0-9]*\),.*/\1/p'
}
# the id of the incident in the last answer
last_id() { sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$T/body"; }

# The first reports the script sends, made in one Python run: "base", a
# first report of ACME電力, and variants of it (python statements applied to
# r); first NAME prints one.  Also a body over the cap and one under it.
mkdir -p "$T/r"
python3 - "$T/r" <<'EOF'
import json, os, sys
d = sys.argv[1]
base = {"title": "制御系ネットワークでの不審な通信", "sector": "電力",
        "contact": {"name": "山田 太郎", "phone": "03-1234-5678", "email": "yamada@example.jp"},
        "occurred_at": "2026-11-20T08:00:00+09:00", "detected_at": "2026-11-20T09:00:00+09:00",
        "event_types": ["intrusion"], "cause_types": ["intentional"], "service_affected": "no",
        "impact": {"scope": "監視端末 2 台", "users_affected": None, "duration_minutes": 30},
        "description": "監視で制御系ネットワークから外部への不審な通信を検知した。", "actions": "該当端末を隔離した。",
        "announcement_planned": False, "tlp": "amber"}
variants = {
    "base": "pass",
    "gas": "r['sector'] = 'ガス'; r['title'] = 'ガス供給設備のランサムウェア感染'; r['event_types'] = ['malware', 'availability']; r['tlp'] = 'green'",
    "by_analyst": "r['organization'] = 'ACME電力'; r['title'] = '分析担当が代理で受け付けた報告'; r['event_types'] = ['precursor']",
    "title_number": "r['title'] = 5",
    "events_string": "r['event_types'] = 'intrusion'",
    "event_unknown": "r['event_types'] = ['intrusion', 'alien']",
    "users_string": "r['impact']['users_affected'] = 'many'",
    "email_bad": "r['contact']['email'] = 'not-an-address'; del r['contact']['phone']",
    "unknown_member": "r['severity'] = 'high'",
    "sector_unknown": "r['sector'] = '宇宙'",
    "no_sector": "del r['sector']",
    "future": "r['detected_at'] = '2027-01-01T09:00:00+09:00'",
    "before_occurrence": "r['detected_at'] = '2026-11-20T07:00:00+09:00'",
    "no_offset": "r['detected_at'] = '2026-11-20T09:00:00'",
    "other_org": "r['organization'] = 'BETAガス'",
    "charset": "r['title'] = 'charset=utf-8 の報告'",
    "late": "r['detected_at'] = '2026-12-21T11:30:00+09:00'; r['occurred_at'] = None",
    "mood": "r['mood'] = 'x'",
}
for name, stmts in variants.items():
    r = json.loads(json.dumps(base))
    exec(stmts)
    with open(os.path.join(d, name + ".json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(r, ensure_ascii=False))
with open(os.path.join(d, "..", "big.json"), "w") as f:
    f.write('{"title": "' + "x" * 300000 + '"}')
with open(os.path.join(d, "..", "mid.json"), "w") as f:
    f.write('{"title": "' + "x" * 200000 + '"}')
EOF
first() { cat "$T/r/$1.json"; }

# ---- POST /api/reports ----
post /api/reports "$TA" "$(first base)"
expect_code "api-reports: a reporter files a first report: 201" 201
json "api-reports: ... the incident with its id, received, filed by the reporter" \
	"j['id'] == 'IR-2026-0001' and j['status'] == 'received' and j['filed_by'] == 'rep_a' and j['organization'] == 'ACME電力' and j['sector'] == '電力' and j['reports'] == 1 and j['url'] == '/api/reports/IR-2026-0001'"
if grep -qi '^Location: /api/reports/IR-2026-0001' "$T/hdr"; then ok "api-reports: ... and a Location header"; else
	fail "api-reports: ... and a Location header" "$(cat "$T/hdr")"; fi
json "api-reports: ... its deadlines from the clock (72 h, 30 days)" \
	"j['created'] == '2026-11-20T03:00:00Z' and j['due']['followup'] == '2026-11-23T03:00:00Z' and j['due']['final'] == '2026-12-20T03:00:00Z' and j['overdue'] == []"
ID1=IR-2026-0001

post /api/reports "$TB" "$(first gas)"
expect_code "api-reports: another organisation's reporter files one: 201" 201
ID2=$(last_id)

post /api/reports "$TAN" "$(first by_analyst)"
expect_code "api-reports: an analyst files for an organisation: 201" 201
ID3=$(last_id)

post /api/reports "$TLE" "$(first base)"
refused "api-reports: a liaison may not file: 403" 403 ""
post /api/reports "$TADM" "$(first base)"
refused "api-reports: an admin may not file: 403" 403 ""
post /api/reports "" "$(first base)"
refused "api-reports: no token: 401" 401 ""
if grep -qi '^WWW-Authenticate: Bearer' "$T/hdr"; then ok "api-reports: ... with WWW-Authenticate"; else
	fail "api-reports: ... with WWW-Authenticate" "$(cat "$T/hdr")"; fi
post /api/reports "kyk_not_a_token" "$(first base)"
refused "api-reports: an unknown token: 401" 401 ""

# ---- bad input: nothing is stored ----
N0=$(total "$TAN")
post /api/reports "$TA" '{"title": "x",'
refused "api-reports: invalid JSON: 400" 400 body
post /api/reports "$TA" '["a report?"]'
refused "api-reports: not an object: 400" 400 body
post /api/reports "$TA" '{"title": "a", "title": "b"}'
refused "api-reports: a member given twice: 400" 400 body
post /api/reports "$TA" "$(first title_number)"
refused "api-reports: a number for the title: 400" 400 title
post /api/reports "$TA" "$(first events_string)"
refused "api-reports: a string for event_types: 400" 400 event_types
post /api/reports "$TA" "$(first event_unknown)"
refused "api-reports: an unknown event type: 400 naming event_types[1]" 400 'event_types[1]'
post /api/reports "$TA" "$(first users_string)"
refused "api-reports: a string for impact.users_affected: 400" 400 impact.users_affected
post /api/reports "$TA" "$(first email_bad)"
refused "api-reports: a bad contact.email: 400" 400 contact.email
post /api/reports "$TA" "$(first unknown_member)"
refused "api-reports: an unknown member: 400" 400 severity
post /api/reports "$TA" "$(first sector_unknown)"
refused "api-reports: an unknown sector: 400" 400 sector
post /api/reports "$TA" "$(first no_sector)"
refused "api-reports: no sector: 400" 400 sector
post /api/reports "$TA" "$(first future)"
refused "api-reports: detected in the future: 400" 400 detected_at
post /api/reports "$TA" "$(first before_occurrence)"
refused "api-reports: detection before occurrence: 400" 400 detected_at
post /api/reports "$TA" "$(first no_offset)"
refused "api-reports: a time without an offset: 400" 400 detected_at
post /api/reports "$TA" "$(first other_org)"
refused "api-reports: a reporter filing for another organisation: 400" 400 organization
post /api/reports "$TAN" "$(first base)"
refused "api-reports: an analyst must name the organisation: 400" 400 organization
printf '{"title": "\377\376", "sector": "電力"}' >"$T/bad-utf8.json"
req POST /api/reports "$TA" -H 'Content-Type: application/json' --data-binary "@$T/bad-utf8.json"
refused "api-reports: a body that is not UTF-8: 400" 400 ""
req POST /api/reports "$TA" -H 'Content-Type: application/json' --data-binary "@$T/big.json"
refused "api-reports: a body over 256 KiB: 413" 413 ""
req POST /api/reports "$TA" -H 'Content-Type: application/json' --data-binary "@$T/mid.json"
refused "api-reports: a 200 KB body is read (and its title refused): 400" 400 title
req POST /api/reports "$TA" -H 'Content-Type: text/plain' --data-binary "$(first base)"
refused "api-reports: text/plain: 415" 415 ""
req POST /api/reports "$TA" --data-urlencode "title=x"
refused "api-reports: a form: 415" 415 ""
req POST /api/reports "$TA" -H 'Content-Type: application/json; charset=utf-8' --data-binary "$(first charset)"
expect_code "api-reports: application/json; charset=utf-8 is taken: 201" 201
ID4=$(last_id)
N1=$(total "$TAN")
[ "$N1" = "$((N0 + 1))" ] && ok "api-reports: the refused reports left nothing behind ($N0 + 1 = $N1)" ||
	fail "api-reports: the refused reports left nothing behind" "$N0 before, $N1 after (one accepted)"
# a form POST elsewhere is still a form; JSON elsewhere is still 415
req POST /signin "" -H "Origin: $URL" -H 'Content-Type: application/json' --data '{"login":"ana"}'
expect_code "api-reports: JSON to a page route stays 415" 415

# ---- GET /api/reports: who sees what ----
req GET /api/reports "$TA"
expect_code "api-reports: list: 200" 200
json "api-reports: a reporter lists their organisation's incidents" \
	"j['total'] == 3 and sorted(i['id'] for i in j['incidents']) == sorted(['$ID1', '$ID3', '$ID4'])"
req GET /api/reports "$TA2"
json "api-reports: ... and so does a colleague" "j['total'] == 3"
req GET /api/reports "$TB"
json "api-reports: the other organisation's reporter lists only theirs" \
	"j['total'] == 1 and j['incidents'][0]['id'] == '$ID2'"
req GET /api/reports "$TLE"
json "api-reports: a liaison lists its sector's incidents" "j['total'] == 3 and '$ID2' not in [i['id'] for i in j['incidents']]"
req GET /api/reports "$TLR"
json "api-reports: a liaison of another sector lists none" "j['total'] == 0 and j['incidents'] == []"
req GET /api/reports "$TAN"
json "api-reports: an analyst lists them all" "j['total'] == 4 and len(j['incidents']) == 4"
req GET /api/reports "$TADM"
json "api-reports: an admin lists none" "j['total'] == 0"
req GET /api/reports ""
refused "api-reports: list without a token: 401" 401 ""

# ---- filters ----
req GET "/api/reports?sector=gas" "$TAN"
json "api-reports: filter sector (tag)" "[i['id'] for i in j['incidents']] == ['$ID2']"
req GET "/api/reports?sector=%E3%82%AC%E3%82%B9" "$TAN"
json "api-reports: filter sector (Japanese name)" "[i['id'] for i in j['incidents']] == ['$ID2']"
req GET "/api/reports?event_type=malware" "$TAN"
json "api-reports: filter event_type" "[i['id'] for i in j['incidents']] == ['$ID2']"
req GET "/api/reports?event_type=malware,precursor" "$TAN"
json "api-reports: filter event_type, two of them" "sorted(i['id'] for i in j['incidents']) == sorted(['$ID2', '$ID3'])"
req GET "/api/reports?org=BETA%E3%82%AC%E3%82%B9" "$TAN"
json "api-reports: filter org" "j['total'] == 1"
req GET "/api/reports?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0" "$TAN"
json "api-reports: filter q (words in the title)" "[i['id'] for i in j['incidents']] == ['$ID2']"
req GET "/api/reports?since=2026-11-21" "$TAN"
json "api-reports: filter since" "j['total'] == 0"
req GET "/api/reports?until=2026-11-21T00:00:00%2B09:00&since=2026-11-19" "$TAN"
json "api-reports: filter since and until" "j['total'] == 4"
req GET "/api/reports?limit=2&offset=1" "$TAN"
json "api-reports: limit and offset (total counts them all)" "j['total'] == 4 and len(j['incidents']) == 2 and j['limit'] == 2 and j['offset'] == 1"
req GET "/api/reports?status=received" "$TAN"
json "api-reports: filter status" "j['total'] == 4"
req GET "/api/reports?status=lost" "$TAN"
refused "api-reports: an unknown status filter: 400" 400 status
req GET "/api/reports?sector=moon" "$TAN"
refused "api-reports: an unknown sector filter: 400" 400 sector
req GET "/api/reports?limit=0" "$TAN"
refused "api-reports: limit 0: 400" 400 limit
req GET "/api/reports?since=yesterday" "$TAN"
refused "api-reports: a bad since: 400" 400 since
req GET "/api/reports?overdue=maybe" "$TAN"
refused "api-reports: a bad overdue: 400" 400 overdue

# ---- GET /api/reports/ID ----
req GET "/api/reports/$ID1" "$TA"
expect_code "api-reports: one incident: 200" 200
json "api-reports: ... with its first report and its history" \
	"j['incident']['id'] == '$ID1' and [r['seq'] for r in j['reports']] == [1] and j['reports'][0]['kind'] == 'first' and j['reports'][0]['author'] == 'rep_a' and j['history'][0]['to'] == 'received' and j['history'][0]['from'] is None"
req GET "/api/reports/$ID1" "$TB"
refused "api-reports: another organisation's reporter: 404" 404 ""
cp "$T/body" "$T/hidden.json"
req GET "/api/reports/IR-2026-9999" "$TB"
refused "api-reports: no such incident: 404" 404 ""
cmp -s "$T/body" "$T/hidden.json" && ok "api-reports: ... the same answer for hidden and absent" ||
	fail "api-reports: ... the same answer for hidden and absent" "$(cat "$T/hidden.json") vs $(cat "$T/body")"
req GET "/api/reports/$ID1" "$TLE"
expect_code "api-reports: a liaison of the sector sees it: 200" 200
req GET "/api/reports/$ID1" "$TLR"
refused "api-reports: a liaison of another sector: 404" 404 ""
req GET "/api/reports/$ID1" "$TADM"
refused "api-reports: an admin: 404" 404 ""
req GET "/api/reports/$ID2" "$TAN"
expect_code "api-reports: an analyst sees another organisation's: 200" 200
req GET "/api/reports/bad%20id" "$TAN"
refused "api-reports: a malformed id: 404" 404 ""
req GET "/api/reports/$ID1" ""
refused "api-reports: without a token: 401" 401 ""

# ---- POST /api/reports/ID/updates ----
FU='{"kind": "followup", "at": "2026-11-20T11:00:00+09:00", "text": "影響範囲を調査中。", "response": "外部通信を遮断した。"}'
post "/api/reports/$ID1/updates" "$TB" "$FU"
refused "api-reports: another organisation's reporter files a follow-up: 404" 404 ""
post "/api/reports/IR-2026-9999/updates" "$TA" "$FU"
refused "api-reports: a follow-up to no incident: 404" 404 ""
post "/api/reports/$ID1/updates" "$TLE" "$FU"
refused "api-reports: a liaison files a follow-up: 403" 403 ""
post "/api/reports/$ID1/updates" "$TA" '{"kind": "followup", "at": "2026-11-20T11:00:00+09:00"}'
refused "api-reports: a follow-up with nothing in it: 400" 400 text
post "/api/reports/$ID1/updates" "$TA" '{"kind": "sequel", "at": "2026-11-20T11:00:00+09:00", "text": "x"}'
refused "api-reports: an unknown kind: 400" 400 kind
post "/api/reports/$ID1/updates" "$TA" '{"kind": "followup", "at": "2026-11-20T08:30:00+09:00", "text": "x"}'
refused "api-reports: a follow-up dated before the detection: 400" 400 at
post "/api/reports/$ID1/updates" "$TA" '{"kind": "followup", "at": "2026-11-20T11:00:00+09:00", "text": "x", "mood": "calm"}'
refused "api-reports: a follow-up with an unknown member: 400" 400 mood
post "/api/reports/$ID1/updates" "$TA" "$FU"
expect_code "api-reports: the reporter files a follow-up: 201" 201
json "api-reports: ... its seq 2" "j['seq'] == 2 and j['kind'] == 'followup' and j['id'] == '$ID1' and j['incident']['reports'] == 2"
if grep -qi "^Location: /api/reports/$ID1" "$T/hdr"; then ok "api-reports: ... Location of the incident"; else
	fail "api-reports: ... Location of the incident" "$(cat "$T/hdr")"; fi
post "/api/reports/$ID1/updates" "$TA2" '{"kind": "followup", "at": "2026-11-20T11:30:00+09:00", "text": "同僚からの続報。", "event_types": ["availability"]}'
expect_code "api-reports: a colleague in the organisation files one too: 201" 201
json "api-reports: ... seq 3, its event type merged into the incident" "j['seq'] == 3 and sorted(j['incident']['event_types']) == ['availability', 'intrusion']"
post "/api/reports/$ID1/updates" "$TA" '{"kind": "final", "at": "2026-11-20T11:45:00+09:00", "text": "収束した。"}'
refused "api-reports: a final report without cause: 400" 400 cause
FIN='{"kind": "final", "at": "2026-11-20T11:50:00+09:00", "cause": "VPN 装置の脆弱性を突かれた。", "countermeasures": "装置を更新し、監視を強化した。"}'
post "/api/reports/$ID1/updates" "$TA" "$FIN"
expect_code "api-reports: the final report: 201" 201
json "api-reports: ... seq 4, final" "j['seq'] == 4 and j['kind'] == 'final' and j['incident']['final_at']"
post "/api/reports/$ID1/updates" "$TA" "$FIN"
refused "api-reports: a second final report: 409" 409 ""
post "/api/reports/$ID1/updates" "$TA" '{"kind": "followup", "at": "2026-11-20T11:55:00+09:00", "text": "訂正: 端末は 3 台。"}'
expect_code "api-reports: a correction after the final report: 201" 201
req GET "/api/reports/$ID1" "$TA"
json "api-reports: the reports in order" "[r['seq'] for r in j['reports']] == [1, 2, 3, 4, 5] and [r['kind'] for r in j['reports']] == ['first', 'followup', 'followup', 'final', 'followup'] and j['reports'][2]['author'] == 'rep_a2'"
req POST "/api/reports/$ID1/updates" "$TA" -H 'Content-Type: text/plain' --data "$FU"
refused "api-reports: a follow-up as text/plain: 415" 415 ""
req POST "/api/reports/$ID1/updates" "$TA" -H 'Content-Type: application/json' --data-binary "@$T/big.json"
refused "api-reports: a follow-up over 256 KiB: 413" 413 ""

# ---- POST /api/reports/ID/status ----
post "/api/reports/$ID1/status" "$TLE" '{"status": "checking"}'
refused "api-reports: a liaison changes the status: 403" 403 ""
post "/api/reports/$ID1/status" "$TA" '{"status": "checking"}'
refused "api-reports: a reporter changes the status: 403" 403 ""
post "/api/reports/$ID1/status" "$TB" '{"status": "checking"}'
refused "api-reports: another organisation's reporter: 404" 404 ""
post "/api/reports/$ID1/status" "$TAN" '{"status": "lost"}'
refused "api-reports: an unknown status: 400" 400 status
post "/api/reports/$ID1/status" "$TAN" '{"status": 3}'
refused "api-reports: a number for the status: 400" 400 status
post "/api/reports/$ID1/status" "$TAN" '{"note": "x"}'
refused "api-reports: no status: 400" 400 status
post "/api/reports/$ID1/status" "$TAN" '{"status": "checking", "why": "x"}'
refused "api-reports: an unknown member: 400" 400 why
post "/api/reports/$ID1/status" "$TAN" '{"status": "checking", "note": 7}'
refused "api-reports: a number for the note: 400" 400 note
post "/api/reports/$ID1/status" "$TAN" '{"status": "checking", "note": "確認を開始"}'
expect_code "api-reports: an analyst starts checking: 200" 200
json "api-reports: ... the incident is checking" "j['status'] == 'checking' and j['id'] == '$ID1'"
post "/api/reports/$ID1/status" "$TAN" '{"status": "checking"}'
expect_code "api-reports: the status it has already: 200, no change" 200
post "/api/reports/$ID1/status" "$TAN" '{"status": "received"}'
refused "api-reports: back to received: 409" 409 ""
post "/api/reports/$ID1/status" "$TAN" '{"status": "完了", "note": "収束を確認"}'
expect_code "api-reports: closed (by its Japanese name): 200" 200
json "api-reports: ... closed" "j['status'] == 'closed'"
post "/api/reports/$ID1/status" "$TAN" '{"status": "withdrawn"}'
refused "api-reports: withdrawing a closed incident: 409" 409 ""
post "/api/reports/$ID1/status" "$TAN" '{"status": "responding"}'
expect_code "api-reports: reopened: 200" 200
json "api-reports: ... responding" "j['status'] == 'responding'"
req GET "/api/reports/$ID1" "$TA"
json "api-reports: the status history, who and when" \
	"[(h['from'], h['to']) for h in j['history'] if h['to']] == [(None, 'received'), ('received', 'checking'), ('checking', 'closed'), ('closed', 'responding')] and j['history'][1]['actor'] == 'ana' and j['history'][1]['note'] == '確認を開始'"
req GET "/api/reports?status=responding" "$TAN"
json "api-reports: filter status after the change" "[i['id'] for i in j['incidents']] == ['$ID1']"
# the reporting organisation may withdraw its own
post "/api/reports/$ID4/status" "$TA" '{"status": "withdrawn", "note": "誤報でした"}'
expect_code "api-reports: a reporter withdraws their own: 200" 200
post "/api/reports/$ID4/updates" "$TA" "$FU"
refused "api-reports: a follow-up to a withdrawn incident: 409" 409 ""

# ---- POST /api/reports/ID/candidate ----
post "/api/reports/$ID1/candidate" "$TA" '{"candidate": true}'
refused "api-reports: a reporter marks a candidate: 403" 403 ""
post "/api/reports/$ID1/candidate" "$TLE" '{"candidate": true}'
refused "api-reports: a liaison marks a candidate: 403" 403 ""
post "/api/reports/$ID1/candidate" "$TAN" '{"candidate": "yes"}'
refused "api-reports: a string for candidate: 400" 400 candidate
post "/api/reports/$ID1/candidate" "$TAN" '{"candidate": true}'
expect_code "api-reports: an analyst marks a candidate: 200" 200
json "api-reports: ... candidate" "j['candidate'] is True"
req GET "/api/reports?candidate=1" "$TAN"
json "api-reports: filter candidate" "[i['id'] for i in j['incidents']] == ['$ID1']"
post "/api/reports/$ID4/candidate" "$TAN" '{"candidate": true}'
refused "api-reports: a withdrawn incident as a candidate: 409" 409 ""

# ---- POST /api/reports/ID/draft ----
req POST "/api/reports/$ID1/draft" "$TA"
refused "api-reports: a reporter makes a draft: 403" 403 ""
req POST "/api/reports/$ID1/draft" "$TB"
refused "api-reports: another organisation's reporter makes a draft: 404" 404 ""
post "/api/reports/$ID1/draft" "$TAN" '{"title": "x"}'
refused "api-reports: a draft takes no members: 400" 400 title
req POST "/api/reports/$ID1/draft" "$TAN"
expect_code "api-reports: an analyst makes a case draft: 201" 201
json "api-reports: ... its id" "j['id'] == 'draft-' + '$ID1'.lower() and j['incident'] == '$ID1'"
req POST "/api/reports/$ID1/draft" "$TAN" -H 'Content-Type: application/json' --data '{}'
refused "api-reports: a second draft: 409" 409 ""
req GET "/api/reports/$ID1" "$TAN"
json "api-reports: the incident names its draft" "j['incident']['case_id'] == 'draft-' + '$ID1'.lower()"
req POST "/api/reports/$ID4/draft" "$TAN"
refused "api-reports: a draft of a withdrawn incident: 409" 409 ""

# ---- a session cookie needs the CSRF token ----
CODE=$(curl -s --max-time 20 -o "$T/body" -D "$T/hdr" -w '%{http_code}' -H "Origin: $URL" \
	--data-urlencode login=ana --data-urlencode "password=$PW" "$URL/signin")
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: kyokun_session=\([^;]*\);.*/\1/p' "$T/hdr" | tr -d '\r')
CSRF=$(curl -s --max-time 20 -b "kyokun_session=$COOKIE" "$URL/" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
if [ -n "$COOKIE" ] && [ -n "$CSRF" ]; then
	req POST "/api/reports/$ID2/status" "" -b "kyokun_session=$COOKIE" -H 'Content-Type: application/json' --data '{"status": "checking"}'
	refused "api-reports: a session without the CSRF token: 403" 403 ""
	req POST "/api/reports/$ID2/status" "" -b "kyokun_session=$COOKIE" -H "X-CSRF-Token: $CSRF" \
		-H 'Content-Type: application/json' --data '{"status": "checking"}'
	expect_code "api-reports: a session with X-CSRF-Token: 200" 200
	req GET "/api/reports/$ID2" "" -b "kyokun_session=$COOKIE"
	expect_code "api-reports: a session reads without a token: 200" 200
else
	fail "api-reports: sign in for the CSRF checks" "cookie '$COOKIE', csrf '$CSRF'"
fi

# ---- every write is audited as the token's user, from the client's address ----
run audit --format json
cp "$T/out" "$T/body"
json "api-reports: the audit log has the API's writes as their users" \
	"{(e['action'], e['actor']) for e in j['entries'] if e['address'] == '127.0.0.1'} >= {('incident.add', 'rep_a'), ('incident.report', 'rep_a'), ('incident.report', 'rep_a2'), ('incident.status', 'ana'), ('incident.candidate', 'ana'), ('draft.add', 'ana')}"

# ---- the index and the OpenAPI document ----
req GET /api ""
json "api-reports: the API index lists the report routes" \
	"{'/api/reports', '/api/reports/{id}', '/api/reports/{id}/updates', '/api/reports/{id}/status', '/api/reports/{id}/candidate', '/api/reports/{id}/draft'} <= set(j['endpoints'])"
cp "$T/body" "$T/index.json"
req GET /api/openapi.json ""
expect_code "api-reports: openapi 200" 200
cp "$T/body" "$T/openapi.json"
json "api-reports: openapi is JSON and names every new path with its methods" \
	"j['paths']['/api/reports'].keys() >= {'get', 'post'} and all('post' in j['paths']['/api/reports/{id}/' + p] for p in ['updates', 'status', 'candidate', 'draft']) and 'get' in j['paths']['/api/reports/{id}']"
if python3 - "$T/openapi.json" "$T/index.json" <<'EOF' 2>"$T/pyerr"; then ok "api-reports: openapi: every API route is in it, every \$ref resolves"; else fail "api-reports: openapi: every API route is in it, every \$ref resolves" "$(head -c 400 "$T/pyerr")"; fi
import json, sys
d = json.load(open(sys.argv[1]))
idx = json.load(open(sys.argv[2]))
for op in idx["operations"]:
    assert op["method"].lower() in d["paths"].get(op["path"], {}), op
def walk(x):
    if isinstance(x, dict):
        r = x.get("$ref")
        if r:
            node = d
            for part in r[2:].split("/"):
                node = node[part]
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(d)
EOF
# a sample report against the request schemas: ajv if the e2e tests have it, else Python's jsonschema
first base >"$T/sample.json"
first mood >"$T/sample-bad.json"
printf '%s\n' "$FU" >"$T/update.json"
AJV=""
[ -d "$TOP/tests/e2e/node_modules/ajv" ] && command -v node >/dev/null 2>&1 && AJV=node
if [ -n "$AJV" ]; then
	cat >"$T/ajv.cjs" <<'EOF'
const fs = require("fs");
const Ajv = require(process.argv[2] + "/tests/e2e/node_modules/ajv");
const d = JSON.parse(fs.readFileSync(process.argv[3]));
const conv = (x) => { if (Array.isArray(x)) return x.map(conv); if (x && typeof x === "object") {
	const o = {}; for (const k of Object.keys(x)) o[k] = conv(x[k]);
	if (o.nullable) { delete o.nullable; if (o.type) o.type = [o.type, "null"]; if (o.enum && !o.enum.includes(null)) o.enum.push(null); }
	if (o.format) delete o.format; if (o.example !== undefined) delete o.example; return o; } return x; };
const ajv = new Ajv({ strict: false });
const root = { components: conv(d.components) };
const check = (name, file) => ajv.validate({ ...root, $ref: "#/components/schemas/" + name }, JSON.parse(fs.readFileSync(file)));
const good = check("FirstReport", process.argv[4]) && check("ReportUpdate", process.argv[6]);
const bad = check("FirstReport", process.argv[5]);
process.exit(good && !bad ? 0 : 1);
EOF
	if node "$T/ajv.cjs" "$TOP" "$T/openapi.json" "$T/sample.json" "$T/sample-bad.json" "$T/update.json" 2>"$T/pyerr"; then
		ok "api-reports: openapi: a sample report validates against FirstReport and ReportUpdate (ajv), one with an unknown member does not"
	else
		fail "api-reports: openapi: a sample report validates (ajv)" "$(head -c 400 "$T/pyerr")"
	fi
elif python3 -c 'import jsonschema' 2>/dev/null; then
	if python3 - "$T/openapi.json" "$T/sample.json" "$T/sample-bad.json" "$T/update.json" <<'EOF' 2>"$T/pyerr"; then
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
def conv(x):
    if isinstance(x, list):
        return [conv(v) for v in x]
    if isinstance(x, dict):
        o = {k: conv(v) for k, v in x.items() if k not in ("example", "format")}
        if o.pop("nullable", False):
            if "type" in o:
                o["type"] = [o["type"], "null"]
            if "enum" in o and None not in o["enum"]:
                o["enum"] = o["enum"] + [None]
        return o
    return x
root = {"components": conv(d["components"])}
def valid(name, path):
    s = dict(root, **{"$ref": "#/components/schemas/" + name})
    try:
        jsonschema.Draft4Validator(s).validate(json.load(open(path)))
        return True
    except jsonschema.ValidationError as e:
        print(name, path, e.message, file=sys.stderr)
        return False
assert valid("FirstReport", sys.argv[2])
assert valid("ReportUpdate", sys.argv[4])
assert not valid("FirstReport", sys.argv[3])
EOF
		ok "api-reports: openapi: a sample report validates against FirstReport and ReportUpdate (jsonschema; ajv is not installed), one with an unknown member does not"
	else
		fail "api-reports: openapi: a sample report validates (jsonschema)" "$(head -c 400 "$T/pyerr")"
	fi
else
	skip "api-reports: openapi: a sample report against the request schema" "neither ajv (tests/e2e/node_modules) nor Python's jsonschema is installed"
fi

# ---- deadlines with an injected clock ----
# ID2 (no follow-up) is due for one 72 h after it was filed; ID1 has had follow-ups
req GET "/api/reports?overdue=1" "$TAN"
json "api-reports: nothing is overdue at first" "j['total'] == 0"
stop_server
json_flush
KYOKUN_NOW='2026-11-24T12:00:00+09:00' start_server
req GET "/api/reports?overdue=1" "$TAN"
json "api-reports: four days on, the incidents without a follow-up are overdue (overdue=1)" \
	"sorted(i['id'] for i in j['incidents']) == sorted(['$ID2', '$ID3']) and all(i['overdue'] == ['followup'] for i in j['incidents'])"
req GET "/api/reports/$ID1" "$TAN"
json "api-reports: ... not the one with follow-ups and a final report" "j['incident']['overdue'] == []"
req GET "/api/reports?overdue=1" "$TB"
json "api-reports: ... a reporter sees only their own overdue" "[i['id'] for i in j['incidents']] == ['$ID2']"
post "/api/reports/$ID2/updates" "$TB" '{"kind": "followup", "at": "2026-11-24T10:00:00+09:00", "text": "復旧作業中。"}'
expect_code "api-reports: the late follow-up: 201" 201
req GET "/api/reports?overdue=1" "$TAN"
json "api-reports: ... then it is no longer overdue" "[i['id'] for i in j['incidents']] == ['$ID3']"
stop_server
json_flush
KYOKUN_NOW='2026-12-21T12:00:00+09:00' start_server
req GET "/api/reports/$ID2" "$TAN"
json "api-reports: 31 days on, the final report is overdue" "j['incident']['overdue'] == ['final']"
post /api/reports "$TA" "$(first late)"
expect_code "api-reports: a report detected within the hour before the clock: 201" 201
json "api-reports: ... the next id of the year" "j['id'] == 'IR-2026-0005'"
stop_server
json_flush
