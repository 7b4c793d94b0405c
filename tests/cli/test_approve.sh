#!/bin/sh
# tests/cli/test_approve.sh - the reporting organisation's approval and the
# publish gate, at the command line and in the browser: an analyst asks the
# organisation to approve a draft made from its incident (kyokun approve
# --request); publishing is refused with every reason (exit 1) until a
# reporter of that organisation approves the current revision; an edit after
# the approval needs a new one; a publisher's --override publishes anyway
# and is in the audit log (case.publish.override).  On the web: the approval
# page /drafts/ID/approval is 200 for the organisation's reporter once
# requested, 404 to another organisation's reporter, a liaison and anonymous
# readers; approve and comment need the CSRF token; the draft page's publish
# form lists the gate's reasons and offers a publisher the override.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_approve.sh
. "$(dirname "$0")/lib.sh"

export KYOKUN_NOW=2026-11-20T00:00:00Z
PW='approve-test-pw-1'
printf '%s\n' "$PW" >"$T/pw"

"$KYOKUN" org add センター --kind centre >/dev/null 2>&1
"$KYOKUN" org add 北海電力 --sector electricity >/dev/null 2>&1
"$KYOKUN" org add 南海ガス --sector gas >/dev/null 2>&1
"$KYOKUN" org add 監督省 --kind ministry --sector electricity >/dev/null 2>&1
for u in "rep-a reporter 北海電力" "rep-b reporter 南海ガス" "li liaison 監督省" "ana analyst センター" "pub publisher センター"; do
	set -- $u
	"$KYOKUN" user add "$1" --role "$2" --org "$3" --password-file "$T/pw" >/dev/null 2>&1
done
run user list
if [ "$(wc -l <"$T/out")" -eq 5 ]; then ok "setup: five users"; else fail "setup: five users" "$(cat "$T/out" "$T/err")"; fi

cat >"$T/first.json" <<'EOF'
{
  "title": "配電制御サーバの設定不備による停止",
  "organization": "北海電力",
  "sector": "電力",
  "contact": {"name": "担当 一郎", "phone": "011-000-0000", "email": "soc@hokkai.example"},
  "occurred_at": "2026-11-19T22:00:00+09:00",
  "detected_at": "2026-11-20T08:30:00+09:00",
  "event_types": ["malware"],
  "cause_types": ["intentional"],
  "service_affected": "no",
  "impact": {"scope": "制御サーバ1台", "users_affected": 0, "duration_minutes": null},
  "spread": {"status": "no", "sectors": []},
  "description": "制御サーバが設定の誤りで停止した。PELICANLOOP と名付けた。",
  "actions": "設定を戻した。",
  "announcement_planned": false,
  "tlp": "clear"
}
EOF
run --as rep-a report add "$T/first.json"
expect_rc "setup: rep-a files a first report" 0
INC=$(head -1 "$T/out")
run --as ana report draft "$INC"
expect_rc "setup: an analyst makes the case draft" 0
D=$(head -1 "$T/out")
[ -n "$D" ] && ok "setup: the draft id ($D)" || fail "setup: the draft id" "$(cat "$T/out" "$T/err")"

# ---- the gate before anything: refused, with the reason ----
run --as pub draft publish "$D"
expect_rc "publish: refused before approval (exit 1)" 1
expect_err "publish: says the organisation was not asked" "has not been asked to approve"
expect_err "publish: says how to override" "--override REASON"
run draft show "$D"
expect_rc "publish: the draft is still a draft" 0

# ---- before the request the organisation sees nothing ----
run --as rep-a approve --status "$D"
expect_rc "status: the organisation's reporter sees nothing before the request" 1
expect_err "status: ... the same words as no draft" "no case draft"
run --as rep-a approve "$D"
expect_rc "approve: nothing to approve before the request" 1

# ---- request ----
run --as rep-a approve --request "$D"
expect_rc "request: a reporter may not ask" 1
run --as ana approve --request "$D"
expect_rc "request: an analyst asks the organisation" 0
expect_err "request: names the organisation and the page" "北海電力.*/drafts/$D/approval"
run --as pub draft publish "$D"
expect_rc "publish: refused while waiting (exit 1)" 1
expect_err "publish: says not approved yet" "has not approved it yet"

# ---- who may approve ----
run --as rep-b approve "$D"
expect_rc "approve: another organisation's reporter: refused" 1
expect_err "approve: ... as if there were no draft" "no case draft"
run --as li approve "$D"
expect_rc "approve: a liaison: refused" 1
run --as ana approve "$D"
expect_rc "approve: an analyst may not approve for the organisation" 1
run approve "$D"
expect_rc "approve: the command line must say --as" 1
expect_err "approve: ... and says so" "--as LOGIN"
run --as rep-a approve "$D" --comment "   "
expect_rc "comment: white space only is a usage error" 2
run --as rep-a approve "$D" --comment "第2段落の地名は伏せてください"
expect_rc "comment: the organisation's reporter comments" 0
run --as rep-a approve "$D"
expect_rc "approve: the organisation's reporter approves" 0
expect_err "approve: says an edit needs a new approval" "new approval"
run --as rep-a approve "$D"
expect_rc "approve: twice the same revision: refused" 1
run --as rep-a approve --status "$D"
expect_rc "status: the reporter sees the status" 0
expect_out "status: the approval in the history" "approve	revision 1	rep-a \\(北海電力\\)"
expect_out "status: the comment in the history" "地名は伏せて"
expect_out "status: publish allowed" "publish: allowed"
run --as ana approve --status "$D" --format json
expect_rc "status --format json" 0
expect_out "status json: publishable" '"publishable": true'

# ---- an edit after the approval: a new revision needs a new approval ----
# the analyst edits the draft in the browser (the editor's form, the title changed)
start_server
[ -n "$URL" ] && ok "serve: started" || { fail "serve: started" "$(cat "$T/srv.err")"; exit 0; }
for u in rep-a rep-b li ana pub; do
	signin "$T/$u.jar" "$u"
done
ANA=$(csrf "$T/ana.jar"); PUB=$(csrf "$T/pub.jar"); RA=$(csrf "$T/rep-a.jar"); RB=$(csrf "$T/rep-b.jar")

# edit the draft as the analyst: the editor's form as it is, one field changed
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/form.post"
set_field "$T/form.post" title "（改訂）" append
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-binary @"$T/form.post" "$URL/drafts/$D/edit")
expect_code "edit: the analyst saves a new revision (303)" 303
run --as pub draft publish "$D"
expect_rc "publish: refused after an edit (exit 1)" 1
expect_err "publish: says the approval is of an old revision" "approved revision 1, but the draft is at revision 2"

# ---- override: published, audited ----
run --as pub draft publish "$D" --override ""
expect_rc "override: an empty reason is a usage error" 2
run --as ana draft publish "$D" --override "急ぎ"
expect_rc "override: an analyst may not publish" 1

# ---- the approval page: who sees it ----
get "/drafts/$D/approval" -b "$T/rep-a.jar"
expect_code "web: the organisation's reporter sees the approval page (200)" 200
body_has "web: ... the page's title" "組織の承認"
body_has "web: ... the anonymised draft as it would be published" "公開される内容"
body_has "web: ... what changed since the report (the edit)" "（改訂）</ins>"
body_has "web: ... the findings section" "未解決の指摘"
body_has "web: ... says an edit needs a new approval" "改めて承認が必要"
body_has "web: ... an approve form for revision 2" 'name="revision" value="2"'
body_has "web: ... the comment made at the command line" "地名は伏せて"
body_lacks "web: ... no request form for a reporter" "/approval/request"
get "/drafts/$D/approval" -b "$T/rep-b.jar"
expect_code "web: another organisation's reporter: 404" 404
get "/drafts/$D/approval" -b "$T/li.jar"
expect_code "web: a liaison: 404" 404
get "/drafts/$D/approval"
expect_code "web: anonymous: 404" 404
get "/drafts/$D/approval" -b "$T/ana.jar"
expect_code "web: an analyst sees the approval page (200)" 200
body_has "web: ... and may ask again for the current revision" "/drafts/$D/approval/request"
body_lacks "web: ... but has no approve form" 'value="approve"'
get "/drafts/$D" -b "$T/rep-a.jar"
expect_code "web: the draft page itself stays 404 to the reporter" 404
get "/incidents/$INC" -b "$T/rep-a.jar"
body_has "web: the reporter's incident page says 承認待ち" "承認待ち"
body_has "web: ... with a link to the approval page" "/drafts/$D/approval"
get "/incidents/$INC" -b "$T/ana.jar"
body_has "web: the analyst's incident page marks the draft 承認待ち" "承認待ち"

# ---- comment and approve (CSRF) ----
CODE=$(curl -s --max-time 30 -b "$T/rep-a.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	--data-urlencode "action=comment" --data-urlencode "revision=2" --data-urlencode "text=x" "$URL/drafts/$D/approval")
expect_code "web: a comment without the CSRF token: 403" 403
CODE=$(curl -s --max-time 30 -b "$T/rep-a.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$RA" \
	--data-urlencode "action=comment" --data-urlencode "revision=2" --data-urlencode "text=  " "$URL/drafts/$D/approval")
expect_code "web: an empty comment: 400" 400
CODE=$(curl -s --max-time 30 -b "$T/rep-a.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$RA" \
	--data-urlencode "action=comment" --data-urlencode "revision=2" --data-urlencode "text=題名の改訂を確認しました" "$URL/drafts/$D/approval")
expect_code "web: the reporter comments (303)" 303
hdr_has "web: ... back to the page with a notice" "^location: /drafts/$D/approval\\?done=commented"
get "/drafts/$D/approval?done=commented" -b "$T/rep-a.jar"
body_has "web: ... the comment is in the history" "題名の改訂を確認しました"
CODE=$(curl -s --max-time 30 -b "$T/rep-b.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$RB" \
	--data-urlencode "action=approve" --data-urlencode "revision=2" "$URL/drafts/$D/approval")
expect_code "web: another organisation's reporter may not approve (404)" 404
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$ANA" \
	--data-urlencode "action=approve" --data-urlencode "revision=2" "$URL/drafts/$D/approval")
expect_code "web: an analyst may not approve (403)" 403
CODE=$(curl -s --max-time 30 -b "$T/rep-a.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$RA" \
	--data-urlencode "action=approve" --data-urlencode "revision=1" "$URL/drafts/$D/approval")
hdr_has "web: approving a revision that is not the current one: back with 'stale'" "^location: /drafts/$D/approval\\?done=stale"

# ---- the publish form: the gate's reasons and the override ----
get "/drafts/$D" -b "$T/pub.jar"
body_has "web: the publish form lists the reason (old approval)" "承認されたのは第1版ですが、現在は第2版です"
body_has "web: ... and offers the override checkbox" 'name="override"'
body_has "web: ... with a reason" 'name="override_reason"'
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$PUB" "$URL/drafts/$D/publish")
expect_code "web: publishing an unapproved revision is refused (409)" 409
body_has "web: ... with the reason" "承認されたのは第1版"
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$PUB" \
	--data-urlencode "override=1" --data-urlencode "override_reason= " "$URL/drafts/$D/publish")
expect_code "web: an override without a reason is refused (409)" 409
body_has "web: ... and says a reason is needed" "理由を入力してください"
CODE=$(curl -s --max-time 30 -b "$T/rep-a.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$RA" \
	--data-urlencode "action=approve" --data-urlencode "revision=2" "$URL/drafts/$D/approval")
expect_code "web: the reporter approves revision 2 (303)" 303
hdr_has "web: ... with a notice" "^location: /drafts/$D/approval\\?done=approved"
get "/drafts/$D/approval?done=approved" -b "$T/rep-a.jar"
body_has "web: ... the page says it is approved" "この版は承認済みです"
body_lacks "web: ... and offers no second approval" 'value="approve"'
get "/incidents/$INC" -b "$T/rep-a.jar"
body_lacks "web: once approved, the incident page no longer says 承認待ち" "承認待ち"
get "/drafts/$D" -b "$T/pub.jar"
body_has "web: the publish form says it is ready" "公開できます"
body_lacks "web: ... and offers no override" 'name="override"'

# ---- a second draft, never approved: override at the command line, audited ----
sed 's/配電制御サーバの設定不備による停止/計量システムの誤動作/' "$T/first.json" >"$T/second.json"
run --as rep-a report add "$T/second.json"
INC2=$(head -1 "$T/out")
run --as ana report draft "$INC2"
D2=$(head -1 "$T/out")
get "/drafts/$D2/approval" -b "$T/rep-a.jar"
expect_code "web: before the request the organisation sees nothing (404)" 404
run --as pub draft publish "$D2" --override "報告組織と電話で合意済み（11月20日）"
expect_rc "override: the publisher publishes anyway" 0
expect_err "override: says it is in the audit log" "case.publish.override"
run show "$D2"
expect_rc "override: it is a case now" 0
run audit --format json
expect_out "audit: case.publish.override by pub" '"case.publish.override"'
expect_out "audit: ... with what it overrode" 'not_requested'
expect_out "audit: ... and the reason" '電話で合意済み'

# ---- the approved draft is published from the browser ----
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$PUB" "$URL/drafts/$D/publish")
expect_code "web: the approved revision is published (303)" 303
hdr_has "web: ... on to the case" "^location: /cases/$D\\?done=published"
run audit
if grep "case.publish.override" "$T/out" | grep -q "$D	\|case:$D\b"; then fail "audit: no override for the approved draft"; else ok "audit: no override for the approved draft"; fi
