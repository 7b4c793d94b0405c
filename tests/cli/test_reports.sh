#!/bin/sh
# tests/cli/test_reports.sh - incident reports at the command line: kyokun
# report add|list|show|update|status|candidate|draft|deadlines and kyokun
# draft list|show|publish.  A first report by JSON (file and standard input),
# refused with the field named (invalid JSON, a missing field, detection
# before occurrence, an unknown sector) and nothing stored; deadlines with an
# injectable clock (KYOKUN_NOW: a report filed at T is overdue for a follow-up
# at T+73h and not at T+71h, for the final report at T+31d, and not once
# closed); --as: a reporter files for their own organisation, another
# organisation's reporter gets "not found", the workflow refuses by role
# (a liaison or a reporter cannot change the status); candidate; a case draft
# from an incident, published by a publisher only, then found by search; the
# audit log names the --as user.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_reports.sh
. "$(dirname "$0")/lib.sh"

HAVE_JQ=1
command -v jq >/dev/null 2>&1 || HAVE_JQ=0

# jget FILTER: a value of the JSON in $T/out (a jq filter, raw output), or "" without jq
jget() {
	[ "$HAVE_JQ" -eq 1 ] || return 0
	jq -r "$1" "$T/out" 2>/dev/null
}
# want TEXT: TEXT with jq, "" without (what jget gives)
want() {
	[ "$HAVE_JQ" -eq 1 ] && printf '%s\n' "$1"
}
# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
# listed ID: is ID in the last run's output?
expect_listed() {
	if grep -q "^$2	" "$T/out"; then ok "$1"; else fail "$1" "$2 not in: $(head -c 400 "$T/out")"; fi
}
expect_unlisted() {
	if grep -q "^$2	" "$T/out"; then fail "$1" "$2 listed: $(grep "^$2	" "$T/out")"; else ok "$1"; fi
}

T0=2026-11-20T00:00:00Z
export KYOKUN_NOW=$T0

# ---- accounts -------------------------------------------------------------------
"$KYOKUN" org add 国家サイバー統括室 --kind centre >/dev/null 2>&1
"$KYOKUN" org add ACME電力 --sector electricity >/dev/null 2>&1
"$KYOKUN" org add 東都ガス --sector gas >/dev/null 2>&1
"$KYOKUN" org add 経済産業省 --kind ministry --sector electricity >/dev/null 2>&1
"$KYOKUN" user add rep-a --role reporter --org ACME電力 --no-password >/dev/null 2>&1
"$KYOKUN" user add rep-b --role reporter --org 東都ガス --no-password >/dev/null 2>&1
"$KYOKUN" user add li --role liaison --org 経済産業省 --no-password >/dev/null 2>&1
"$KYOKUN" user add ana --role analyst --org 国家サイバー統括室 --no-password >/dev/null 2>&1
"$KYOKUN" user add pub --role publisher --org 国家サイバー統括室 --no-password >/dev/null 2>&1
"$KYOKUN" user add adm --role admin --no-password >/dev/null 2>&1
run user list
if [ "$(wc -l <"$T/out")" -eq 6 ]; then ok "setup: six users"; else fail "setup: six users" "$(cat "$T/out" "$T/err")"; fi

# runat TIME CMD...: run with the clock at TIME
runat() {
	now=$1
	shift
	KYOKUN_NOW=$now "$KYOKUN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# first FILE [ORG-LINE] [SECTOR] [DETECTED] [OCCURRED]: a first report
first() {
	if [ $# -ge 2 ]; then orgline=$2; else orgline='"organization": "ACME電力",'; fi
	cat >"$1" <<EOF
{
  "title": "変電所監視端末でのマルウェア感染",
  $orgline
  "sector": "${3:-電力}",
  "contact": {"name": "山田 太郎", "phone": "03-0000-0000", "email": "soc@acme.example"},
  "occurred_at": "${5:-2026-11-19T22:00:00+09:00}",
  "detected_at": "${4:-2026-11-20T08:30:00+09:00}",
  "event_types": ["malware"],
  "cause_types": ["intentional"],
  "service_affected": "no",
  "impact": {"scope": "監視端末1台", "users_affected": 0, "duration_minutes": null},
  "spread": {"status": "no", "sectors": []},
  "description": "監視端末でEDRが不審な通信 QUOKKAWIRE を検知した。",
  "actions": "端末をネットワークから切り離した。",
  "announcement_planned": false,
  "tlp": "clear"
}
EOF
}

# ---- report add -------------------------------------------------------------------
first "$T/first.json"
run report add "$T/first.json"
expect_rc "report add FILE (the command line, naming the organisation)" 0
ID=$(cat "$T/out")
if printf '%s\n' "$ID" | grep -Eqx 'IR-2026-[0-9]{4}'; then ok "report add: prints the id alone ($ID)"; else fail "report add: prints the id alone" "$(cat "$T/out")"; fi
expect_err "report add: says when a follow-up is due" "due by 2026-11-23T00:00:00Z"

first "$T/gas.json" '"organization": "東都ガス",' ガス
"$KYOKUN" report add --format json - <"$T/gas.json" >"$T/out" 2>"$T/err"
RC=$?
expect_rc "report add - --format json (standard input)" 0
GAS=$(jget .id)
if [ "$HAVE_JQ" -eq 0 ] || printf '%s\n' "$GAS" | grep -Eqx 'IR-2026-[0-9]{4}'; then ok "report add --format json: the incident as JSON"; else fail "report add --format json: the incident as JSON" "$(head -c 300 "$T/out")"; fi
[ -n "$GAS" ] || GAS=$("$KYOKUN" report list --sector gas | cut -f1)
expect_eq "report add --format json: status received, sector ガス" "$(jget '"\(.status) \(.sector)"')" "$(want 'received ガス')"

nlist() { "$KYOKUN" report list | wc -l | tr -d ' '; }
N=$(nlist)
expect_eq "report list: two incidents" "$N" 2

# bad input: refused with the field named, nothing stored
printf '{"title": "x",' >"$T/bad.json"
run report add "$T/bad.json"
expect_rc "bad JSON: refused" 1
expect_err "bad JSON: says so, with the file" "bad.json: not valid JSON"
printf '[1, 2]' >"$T/arr.json"
run report add "$T/arr.json"
expect_rc "a JSON array: refused" 1
grep -v '"contact"' "$T/first.json" >"$T/nocontact.json"
run report add "$T/nocontact.json"
expect_rc "no contact: refused" 1
expect_err "no contact: the message names the field" "contact"
first "$T/early.json" '"organization": "ACME電力",' 電力 2026-11-19T21:00:00+09:00 2026-11-19T22:00:00+09:00
run report add "$T/early.json"
expect_rc "detection before occurrence: refused" 1
expect_err "detection before occurrence: the message names the field" "detected_at|occurred_at"
first "$T/sector.json" '"organization": "ACME電力",' 宇宙
run report add "$T/sector.json"
expect_rc "unknown sector: refused" 1
expect_err "unknown sector: the message names the field" "sector"
first "$T/future.json" '"organization": "ACME電力",' 電力 2027-03-01T00:00:00+09:00 2027-03-01T00:00:00+09:00
run report add "$T/future.json"
expect_rc "detection in the future: refused" 1
first "$T/noorg.json" ''
run report add "$T/noorg.json"
expect_rc "the command line without an organization: refused" 1
expect_err "without an organization: the message names the field" "organization"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big.json"
run report add "$T/big.json"
expect_rc "a file over 1 MB: refused" 1
expect_err "a file over 1 MB: says so" "limit"
"$KYOKUN" report add - </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect_rc "empty standard input: refused" 1
expect_err "empty standard input: not valid JSON" "\(stdin\): not valid JSON"
run report add "$T/missing.json"
expect_rc "a file that is not there: refused" 1
expect_eq "refused reports: nothing stored" "$(nlist)" 2

# usage errors
run report
expect_rc "report without a subcommand: usage error" 2
run report frobnicate
expect_rc "report frobnicate: usage error" 2
run report list --status done
expect_rc "report list --status done: usage error" 2
expect_err "--status: names the statuses" "received, checking"
run report list --sector 宇宙
expect_rc "report list --sector 宇宙: usage error" 2
run report list --event-type virus
expect_rc "report list --event-type virus: usage error" 2
run report status "$ID" finished
expect_rc "report status ID finished: usage error" 2
run report candidate "$ID" maybe
expect_rc "report candidate ID maybe: usage error" 2
run report show
expect_rc "report show without an id: usage error" 2
run report add "$T/first.json" --note x
expect_rc "report add --note: usage error" 2
run report deadlines --followup 0
expect_rc "report deadlines --followup 0: usage error" 2
run --as ana add "$T/first.json"
expect_rc "--as with add (a case write): still refused" 2

# ---- list, show -------------------------------------------------------------------------
run report list --format tsv
expect_listed "report list: the incident" "$ID"
if awk -F '\t' 'NF != 8 { bad = 1 } END { exit bad }' "$T/out"; then ok "report list: eight tab-separated columns"; else fail "report list: eight tab-separated columns" "$(head -2 "$T/out")"; fi
if grep -q "^$ID	received	-	electricity	ACME電力	変電所監視端末でのマルウェア感染	2026-11-20T08:30:00+09:00	2026-11-23T00:00:00Z\$" "$T/out"; then
	ok "report list: id, status, overdue marks, sector, org, title, detected, due"
else
	fail "report list: id, status, overdue marks, sector, org, title, detected, due" "$(grep "^$ID" "$T/out")"
fi
run report list --sector ガス
expect_listed "report list --sector ガス: the gas incident" "$GAS"
expect_unlisted "report list --sector ガス: not the other" "$ID"
run report list --org ACME電力
expect_listed "report list --org: its incident" "$ID"
expect_unlisted "report list --org: not another's" "$GAS"
run report list --event-type malware --status 受付 --status checking
expect_eq "report list --event-type --status (twice): both" "$(wc -l <"$T/out" | tr -d ' ')" 2
run report list --status closed
expect_eq "report list --status closed: none" "$(wc -l <"$T/out" | tr -d ' ')" 0
run report list --text QUOKKAWIRE --limit 1
expect_eq "report list --text --limit 1: one" "$(wc -l <"$T/out" | tr -d ' ')" 1
run report list --since 2026-11-19 --until 2026-11-21
expect_eq "report list --since --until: both" "$(wc -l <"$T/out" | tr -d ' ')" 2
run report list --since 2026-11-21T00:00:00+09:00
expect_eq "report list --since (RFC 3339, after both): none" "$(wc -l <"$T/out" | tr -d ' ')" 0
run report list --format csv
if head -1 "$T/out" | grep -qx 'id,status,overdue,sector,organization,title,detected_at,due' && [ "$(wc -l <"$T/out")" -eq 3 ]; then
	ok "report list --format csv: a header and a line each"
else
	fail "report list --format csv: a header and a line each" "$(head -3 "$T/out")"
fi
run report list --format json
expect_rc "report list --format json" 0
expect_eq "report list --format json: total 2" "$(jget .total)" "$(want 2)"
run report show "$ID"
expect_rc "report show ID" 0
expect_out "report show: the title" "変電所監視端末でのマルウェア感染"
expect_out "report show: the first report" "■ 第一報 \(first\) #1"
expect_out "report show: its fields" "contact.email: soc@acme.example"
expect_out "report show: the status history" "状態の履歴"
run report show "$ID" --format json
expect_eq "report show --format json: incident, reports, history" \
	"$(jget '"\(.incident.id) \(.reports | length) \(.reports[0].kind) \(.history[0].to)"')" "$(want "$ID 1 first received")"
run report show IR-2099-9999
expect_rc "report show: no such incident" 1
expect_err "report show: says not found" "no incident with id \"IR-2099-9999\""

# ---- --as: who files and sees what ---------------------------------------------------------
first "$T/own.json" ''
run --as rep-a report add "$T/own.json"
expect_rc "--as reporter: files for their own organisation (no organization given)" 0
OWN=$(cat "$T/out")
run --as rep-a report list --format json
expect_eq "--as reporter: their organisation's incident is theirs" "$(jget '.incidents[] | select(.id == "'"$OWN"'") | .organization')" \
	"$(want ACME電力)"
first "$T/other.json" '"organization": "東都ガス",' ガス
run --as rep-a report add "$T/other.json"
expect_rc "--as reporter: filing for another organisation is refused" 1
expect_err "--as reporter, another organisation: the message names the field" "organization"
run --as rep-b report show "$ID"
expect_rc "--as another organisation's reporter: show is refused" 1
expect_err "--as another organisation's reporter: not found, as if it did not exist" "no incident with id \"$ID\""
run --as rep-b report list
expect_unlisted "--as another organisation's reporter: not listed" "$ID"
expect_listed "--as another organisation's reporter: their own listed" "$GAS"
cat >"$T/fu-b.json" <<'EOF'
{"kind": "followup", "at": "2026-11-20T09:00:00+09:00", "text": "続報です。"}
EOF
run --as rep-b report update "$ID" "$T/fu-b.json"
expect_rc "--as another organisation's reporter: update refused" 1
expect_err "--as another organisation's reporter: update says not found" "no incident with id"
run --as adm report show "$ID"
expect_rc "--as admin: incidents are not theirs to see" 1
run --as li report show "$ID"
expect_rc "--as liaison of the sector: sees the incident" 0
run --as li report show "$GAS"
expect_rc "--as liaison of another sector: not found" 1
run --as nobody report list
expect_rc "--as an unknown login: refused" 1

# ---- follow-ups ---------------------------------------------------------------------------------
cat >"$T/fu.json" <<'EOF'
{"kind": "followup", "at": "2026-11-20T09:20:00+09:00", "text": "感染端末の調査を進めている。", "response": "全端末のスキャンを実施。"}
EOF
run --as rep-a report update "$ID" "$T/fu.json"
expect_rc "--as reporter: a follow-up to their incident" 0
expect_eq "report update: prints the report's number" "$(cat "$T/out")" 2
run report update "$ID" "$T/bad.json"
expect_rc "report update: bad JSON refused" 1
cat >"$T/badfinal.json" <<'EOF'
{"kind": "final", "at": "2026-11-20T09:30:00+09:00", "text": "最終報。"}
EOF
run report update "$ID" "$T/badfinal.json"
expect_rc "report update: a final report without cause and countermeasures is refused" 1
expect_err "final without cause: the message names the field" "cause|countermeasures"
cat >"$T/early-fu.json" <<'EOF'
{"kind": "followup", "at": "2026-11-01T12:00:00+09:00", "text": "早すぎる。"}
EOF
run report update "$ID" "$T/early-fu.json"
expect_rc "report update: a follow-up dated before the detection is refused" 1
expect_err "early follow-up: the message names the field" "at"
run report show "$ID"
expect_out "report show: the follow-up" "■ 続報 \(followup\) #2 .* rep-a"
if grep -q "#3" "$T/out"; then fail "refused follow-ups: nothing stored" "$(grep '#3' "$T/out")"; else ok "refused follow-ups: nothing stored"; fi

# ---- the workflow by role ---------------------------------------------------------------------------
run --as li report status "$ID" checking
expect_rc "--as liaison: cannot change the status" 1
run --as rep-a report status "$ID" 確認中
expect_rc "--as reporter: cannot change the status" 1
run --as rep-a report candidate "$ID" on
expect_rc "--as reporter: cannot mark a candidate" 1
run --as rep-a report draft "$ID"
expect_rc "--as reporter: cannot make a case draft" 1
run --as li report add "$T/first.json"
expect_rc "--as liaison: cannot file a report" 1
run --as rep-a report withdraw "$OWN"
expect_rc "report withdraw: no such subcommand (status ID withdrawn)" 2
run --as rep-a report status "$OWN" 取下げ --note "誤報"
expect_rc "--as reporter: withdraws their own incident" 0
run --as rep-a report update "$OWN" "$T/fu.json"
expect_rc "a follow-up to a withdrawn incident: refused" 1
expect_err "a withdrawn incident: says so" "withdrawn"
run --as ana report status "$ID" 確認中 --note "担当: 解析班"
expect_rc "--as analyst: 受付 -> 確認中 (by Japanese label)" 0
run --as ana report status "$ID" checking
expect_rc "--as analyst: the same status again: nothing to do" 0
expect_err "the same status again: says so" "already"
run --as ana report status "$ID" received
expect_rc "back to 受付: refused" 1
run report show "$ID" --format json
expect_eq "the status history: who, the note" "$(jget '.history[-1] | "\(.actor) \(.to) \(.note)"')" "$(want 'ana checking 担当: 解析班')"

# ---- deadlines with the clock ---------------------------------------------------------------------
# $GAS has had no follow-up: due 2026-11-23T00:00:00Z (72 hours after T0)
runat 2026-11-22T23:00:00Z report list --overdue
expect_unlisted "T+71h: not overdue" "$GAS"
runat 2026-11-23T01:00:00Z report list --overdue
expect_listed "T+73h: overdue for a follow-up" "$GAS"
if grep -q "^$GAS	received	followup	" "$T/out"; then ok "T+73h: marked followup"; else fail "T+73h: marked followup" "$(grep "^$GAS" "$T/out")"; fi
expect_unlisted "T+73h: the incident with a follow-up is not overdue" "$ID"
runat 2026-11-23T01:00:00Z report show "$GAS"
expect_out "report show: the overdue mark" "期限超過 overdue: +続報"
cat >"$T/fu-gas.json" <<'EOF'
{"kind": "followup", "at": "2026-11-23T10:00:00+09:00", "text": "復旧作業中。"}
EOF
runat 2026-11-23T01:00:00Z report update "$GAS" "$T/fu-gas.json"
expect_rc "a late follow-up" 0
runat 2026-11-23T02:00:00Z report list --overdue
expect_unlisted "after the follow-up: not overdue" "$GAS"
runat 2026-12-19T00:00:00Z report list --overdue
expect_unlisted "T+29d: the final report is not yet overdue" "$GAS"
runat 2026-12-21T00:00:00Z report list --overdue
expect_listed "T+31d: overdue for the final report" "$GAS"
if grep -q "^$GAS	received	final	" "$T/out"; then ok "T+31d: marked final"; else fail "T+31d: marked final" "$(grep "^$GAS" "$T/out")"; fi
for s in checking responding closed; do
	KYOKUN_NOW=2026-12-21T00:00:00Z "$KYOKUN" --as ana report status "$GAS" $s >/dev/null 2>"$T/err" || fail "status $s" "$(cat "$T/err")"
done
runat 2026-12-21T00:00:00Z report list --overdue
expect_unlisted "T+31d, closed: not overdue" "$GAS"
runat 2026-12-21T00:00:00Z report list --status 完了
expect_listed "report list --status 完了: the closed incident" "$GAS"
run --as ana report status "$GAS" responding --note "再発"
expect_rc "完了 -> 対応中: reopened" 0

# the deadlines setting
run report deadlines
expect_eq "report deadlines: the defaults" "$(tr '\t\n' ' ;' <"$T/out")" "followup 72;final 720;"
run --as rep-a report deadlines --followup 48
expect_rc "--as reporter: cannot set the deadlines" 1
run report deadlines --followup 500 --final 100
expect_rc "a follow-up due after the final report: refused" 1
run report deadlines --followup 48 --final 240 --format json
expect_rc "report deadlines --followup 48 --final 240" 0
expect_eq "report deadlines --format json" "$(jget '"\(.followup_hours) \(.final_hours)"')" "$(want '48 240')"
first "$T/own-b.json" '' ガス
run --as rep-b report add "$T/own-b.json"
expect_rc "--as reporter: a new incident after the deadlines changed" 0
NEW=$(cat "$T/out")
run report show "$NEW" --format json
expect_eq "the new incident: due 48 and 240 hours after" "$(jget '.incident.due | "\(.followup) \(.final)"')" \
	"$(want '2026-11-22T00:00:00Z 2026-11-30T00:00:00Z')"
run report show "$ID" --format json
expect_eq "an incident filed before keeps its deadlines" "$(jget .incident.due.followup)" "$(want 2026-11-23T00:00:00Z)"

# ---- candidate --------------------------------------------------------------------------------------
run --as ana report candidate "$ID" on
expect_rc "--as analyst: mark a case-study candidate" 0
run report list --candidate
expect_listed "report list --candidate: the candidate" "$ID"
expect_unlisted "report list --candidate: not the others" "$GAS"
run --as ana report candidate "$ID" off
expect_rc "--as analyst: unmark" 0
run report list --candidate
expect_unlisted "report list --candidate: unmarked" "$ID"
run --as ana report candidate "$ID" on
expect_rc "--as analyst: mark again" 0

# ---- draft and publish --------------------------------------------------------------------------------
run search QUOKKAWIRE
if grep -q "draft-" "$T/out"; then fail "search: no draft yet"; else ok "search: nothing before a draft"; fi
run --as ana report draft "$ID"
expect_rc "--as analyst: a case draft from the incident" 0
DRAFT=$(cat "$T/out")
expect_eq "report draft: prints the draft id" "$DRAFT" "draft-$(echo "$ID" | tr 'A-Z' 'a-z')"
run --as ana report draft "$ID"
expect_rc "report draft again: refused (there is one)" 1
run report show "$ID"
expect_out "report show: the case draft" "事例 case: +$DRAFT"
run draft list
expect_out "draft list: the draft" "^$DRAFT	"
run --as rep-a draft list
expect_rc "--as reporter: drafts are not theirs" 1
run --as rep-a draft show "$DRAFT"
expect_rc "--as reporter: draft show refused" 1
run --as pub draft show "$DRAFT" --format json
expect_rc "--as publisher: draft show --format json" 0
expect_eq "draft show --format json: its title and tlp" "$(jget '"\(.title) \(.tlp)"')" "$(want '変電所監視端末でのマルウェア感染 clear')"
run draft show "$DRAFT"
expect_out "draft show: the text with its sections" "■ 背景"
run search QUOKKAWIRE
if grep -q "$DRAFT" "$T/out"; then fail "search: a draft is not found"; else ok "search: a draft is not found"; fi
run --as ana draft publish "$DRAFT"
expect_rc "--as analyst: cannot publish" 1
run --as pub draft publish "$DRAFT"
expect_rc "--as publisher: refused until ACME電力 approves (issue 13)" 1
run --as ana approve --request "$DRAFT"
expect_rc "--as analyst: asks ACME電力 to approve" 0
run --as rep-a approve "$DRAFT"
expect_rc "--as reporter of ACME電力: approves" 0
run --as pub draft publish "$DRAFT"
expect_rc "--as publisher: publish" 0
run search QUOKKAWIRE
expect_out "search: finds the published case" "$DRAFT"
run show "$DRAFT"
expect_rc "show: the published case" 0
run draft list
if grep -q "$DRAFT" "$T/out"; then fail "draft list: published drafts leave it"; else ok "draft list: published drafts leave it"; fi
run draft publish "$DRAFT"
expect_rc "draft publish again: no such draft" 1
run draft show nosuch
expect_rc "draft show nosuch: not found" 1
expect_err "draft show nosuch: says so" "no case draft"

# ---- the audit log names who did it --------------------------------------------------------------------
run audit
if grep -E "	rep-a	.*incident\.(add|report)" "$T/out" >/dev/null; then ok "audit: the reporter's reports are theirs"; else fail "audit: the reporter's reports are theirs" "$(grep incident "$T/out" | head -5)"; fi
if grep -E "	ana	.*incident\.status" "$T/out" >/dev/null; then ok "audit: the analyst's status change"; else fail "audit: the analyst's status change" "$(grep incident "$T/out" | head -5)"; fi
if grep -E "	pub	.*case\.publish" "$T/out" >/dev/null; then ok "audit: the publisher's publication"; else fail "audit: the publisher's publication" "$(grep publish "$T/out" | head -5)"; fi
