#!/bin/sh
# tests/cli/test_admin.sh - the admin pages and the account page of `kyokun
# serve` (issue 11), with curl: every admin page and action works for an
# admin, is 403 for a reporter and an analyst and 401 for anonymous readers,
# and is refused without or with a wrong CSRF token, writing nothing then;
# wrong fields are said next to the field (Japanese, or English with
# lang=en) and the form shown again with what was typed (never a password);
# each write has its audit entry (the admin, from the client's address);
# the audit page and GET /api/audit with their filters; an API token made
# on /account works as a bearer token until it is revoked from the web; an
# organisation and a display name with <script> and bidi controls show
# escaped.  Accounts are set up with the command line (org add, user add
# --password-file, token create); browsers sign in with a cookie jar (GET
# /signin, then POST /signin with an Origin header).
. "$(dirname "$0")/lib.sh"

for t in curl python3; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "admin" "$t is not installed"
		exit 0
	fi
done

run init
run add "$FIX/web/cases.json"
expect_rc "admin: fixtures load" 0
PW='mado-no-soto-ni-kumo-ga'
printf '%s\n' "$PW" >"$T/pw"
run org add Centre --kind centre
expect_rc "admin: org add Centre" 0
run org add 'A電力' --kind operator --sector 電力
expect_rc "admin: org add A電力" 0
run user add boss --role admin --org Centre --password-file "$T/pw"
expect_rc "admin: user add boss (admin)" 0
run user add rep1 --role reporter --org 'A電力' --password-file "$T/pw"
expect_rc "admin: user add rep1 (reporter)" 0
run user add ana1 --role analyst --org Centre --password-file "$T/pw"
expect_rc "admin: user add ana1 (analyst)" 0
run user add victim --role reporter --org 'A電力' --name 'Victim' --password-file "$T/pw"
expect_rc "admin: user add victim" 0
"$KYOKUN" token create victim --name victims >"$T/vtok" 2>/dev/null
VTOK=$(tail -1 "$T/vtok")
"$KYOKUN" token create boss --name audit-script >"$T/btok" 2>/dev/null
BTOK=$(tail -1 "$T/btok")
"$KYOKUN" token create rep1 --name rep-script >"$T/rtok" 2>/dev/null
RTOK=$(tail -1 "$T/rtok")
VTOK_ID=$("$KYOKUN" token list victim --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"][0]["id"])' 2>/dev/null)
[ -n "$VTOK_ID" ] || VTOK_ID=1

start_server
if [ -z "$URL" ]; then
	fail "admin: server starts" "$(cat "$T/srv.err")"
	exit 0
fi

# ---- helpers ----
# (get, expect_code, body_has, body_lacks, hdr_has, signin, csrf: in lib.sh)
# who JAR: the name in the site header ("" when anonymous)
who() {
	curl -s --max-time 30 -b "$1" "$URL/" | sed -n 's/.*class="who-name">\([^<]*\)<.*/\1/p' | head -1
}
# post JAR PATH CSRF [--data-urlencode k=v ...]: a form POST of that session (CSRF "" sends none)
post() {
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
# field_error FIELD: the message next to a field of the last page
field_error() {
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
# state: the audit log and the users, to see that a refused request wrote nothing
state() {
	"$KYOKUN" audit --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))'
	"$KYOKUN" user list --format tsv
	"$KYOKUN" org list 2>/dev/null
	# (a token's last use is bookkeeping, not a change)
	"$KYOKUN" token list --format tsv 2>/dev/null | cut -f1-7,9
}
snapshot() { state >"$T/state.before" 2>&1; }
expect_unchanged() { # NAME
	state >"$T/state.after" 2>&1
	if cmp -s "$T/state.before" "$T/state.after"; then ok "$1"; else
		fail "$1" "$(diff "$T/state.before" "$T/state.after" | head -10)"
	fi
}
# audit_has NAME ACTION OBJECT [ACTOR]: an entry of that action on that object, by ACTOR (default boss) from 127.0.0.1
audit_has() {
	"$KYOKUN" audit --format json >"$T/audit.json" 2>"$T/audit.err"
	if python3 - "$T/audit.json" "$2" "$3" "${4:-boss}" <<'EOF'; then ok "$1"; else fail "$1" "$(tail -c 500 "$T/audit.json")"; fi
import json, sys
entries = json.load(open(sys.argv[1]))["entries"]
_, action, obj, actor = sys.argv[1:]
sys.exit(0 if any(e.get("action") == action and e.get("object") == obj and e.get("actor") == actor
                  and e.get("address") == "127.0.0.1" for e in entries) else 1)
EOF
}

# ---- sign in: the admin, a reporter, an analyst ----
signin "$T/boss" boss "$PW"
expect_code "admin: boss signs in" 303
signin "$T/rep" rep1 "$PW"
expect_code "admin: rep1 signs in" 303
signin "$T/ana" ana1 "$PW"
expect_code "admin: ana1 signs in" 303
signin "$T/victim" victim "$PW"
expect_code "admin: victim signs in" 303
BC=$(csrf "$T/boss")
RC_=$(csrf "$T/rep")
AC=$(csrf "$T/ana")
[ -n "$BC" ] && [ -n "$RC_" ] && [ -n "$AC" ] && ok "admin: sessions have CSRF tokens" ||
	fail "admin: sessions have CSRF tokens" "boss '$BC' rep '$RC_' ana '$AC'"

# ---- the header ----
get / -b "$T/boss"
body_has "admin: the header's name links to /account" 'class="who" href="/account"'
body_has "admin: an admin has the admin link" 'class="admin-link" href="/admin">管理<'
get "/?lang=en" -b "$T/boss"
body_has "admin: the admin link in English" 'class="admin-link" href="/admin?lang=en">Admin<'
get / -b "$T/rep"
body_has "admin: a reporter's name links to /account" 'class="who" href="/account"'
body_lacks "admin: a reporter has no admin link" 'admin-link'

# ---- who may see the admin pages ----
for p in /admin /admin/orgs /admin/users /admin/users/rep1 /admin/audit; do
	get "$p" -b "$T/boss"
	expect_code "admin: GET $p as admin 200" 200
	get "$p"
	expect_code "admin: GET $p anonymous 401" 401
	body_has "admin: GET $p anonymous offers the sign-in" 'href="/signin?next='
	get "$p" -b "$T/rep"
	expect_code "admin: GET $p as reporter 403" 403
	get "$p" -b "$T/ana"
	expect_code "admin: GET $p as analyst 403" 403
done
get /admin/users/nobody -b "$T/boss"
expect_code "admin: an unknown user's page 404" 404
get /account
expect_code "admin: /account anonymous 401" 401

# (the reporter's token used once already: its last use is not written again for a minute)
curl -s -o /dev/null -H "Authorization: Bearer $RTOK" "$URL/api/cases"
# every admin action: 401 anonymous, 403 for a reporter and an analyst (with their own valid CSRF
# token), 403 for the admin without a CSRF token or with a wrong one; nothing written
ACTIONS="/admin/orgs /admin/users /admin/users/victim/role /admin/users/victim/status /admin/users/victim/password
/admin/users/victim/signout /admin/users/victim/tokens/$VTOK_ID/revoke"
FORM="--data-urlencode name=Hacked --data-urlencode kind=operator --data-urlencode login=hacked
--data-urlencode role=admin --data-urlencode org=Centre --data-urlencode status=disabled
--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-9"
snapshot
for p in $ACTIONS; do
	# shellcheck disable=SC2086
	CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' $FORM "$URL$p")
	expect_code "admin: POST $p anonymous 401" 401
	# shellcheck disable=SC2086
	post "$T/rep" "$p" "$RC_" $FORM
	expect_code "admin: POST $p as reporter 403" 403
	# shellcheck disable=SC2086
	post "$T/ana" "$p" "$AC" $FORM
	expect_code "admin: POST $p as analyst 403" 403
	# shellcheck disable=SC2086
	post "$T/boss" "$p" "" $FORM
	expect_code "admin: POST $p without a CSRF token 403" 403
	# shellcheck disable=SC2086
	post "$T/boss" "$p" "wrong-$BC" $FORM
	expect_code "admin: POST $p with a wrong CSRF token 403" 403
	# shellcheck disable=SC2086
	CODE=$(curl -s --max-time 30 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $RTOK" $FORM "$URL$p")
	expect_code "admin: POST $p with a reporter's bearer token 403" 403
done
expect_unchanged "admin: refused admin actions wrote nothing (audit, users, orgs, tokens)"
[ "$(who "$T/victim")" = "Victim" ] && ok "admin: the victim is still signed in" ||
	fail "admin: the victim is still signed in" "who: $(who "$T/victim")"

# ---- organisations ----
snapshot
post "$T/boss" /admin/orgs "$BC" --data-urlencode 'name=   ' --data-urlencode kind=bogus --data-urlencode sector=nowhere
expect_code "admin: org add with bad fields 400" 400
expect_field_error "admin: org add: the name's message" name '組織名を100文字以内'
expect_field_error "admin: org add: the kind's message" kind '種別を選んで'
expect_field_error "admin: org add: the sector's message" sector '分野の値が正しくありません'
post "$T/boss" /admin/orgs "$BC" --data-urlencode 'name=Centre' --data-urlencode kind=centre
expect_code "admin: org add of an existing name 400" 400
expect_field_error "admin: org add: an existing name said next to it" name '同じ名前の組織がすでにあります'
expect_unchanged "admin: refused org forms wrote nothing"
post "$T/boss" "/admin/orgs?lang=en" "$BC" --data-urlencode 'name=' --data-urlencode kind=operator
expect_field_error "admin: org add: the message in English with lang=en" name 'Enter a name of at most 100 characters'
post "$T/boss" /admin/orgs "$BC" --data-urlencode 'name=B電力' --data-urlencode kind=operator --data-urlencode sector=electricity
expect_code "admin: org add 303" 303
hdr_has "admin: org add goes back to the list with a notice" '^location: .*/admin/orgs\?done=org-added'
audit_has "admin: org add audited (org.add, boss, 127.0.0.1)" org.add 'org:B電力'
post "$T/boss" /admin/orgs "$BC" --data-urlencode 'name=Meti省' --data-urlencode kind=ministry \
	--data-urlencode sector=electricity --data-urlencode sector=gas
expect_code "admin: a ministry with two sectors 303" 303
run org list
expect_out "admin: org list has the new organisations" 'B電力'
get "/admin/orgs?done=org-added" -b "$T/boss"
body_has "admin: the notice after org add" '組織を追加しました'
body_has "admin: the list shows a sector by its Japanese name" '<span class="chip">ガス</span>'
# an organisation's name with markup and a right-to-left override shows as text
post "$T/boss" /admin/orgs "$BC" --data-urlencode "name=<script>alert('org')</script>$(printf '\342\200\256')evil" \
	--data-urlencode kind=other
expect_code "admin: an organisation named with <script> is stored" 303
get /admin/orgs -b "$T/boss"
body_lacks "admin: the org's <script> is not markup" "<script>alert('org')"
body_has "admin: the org's <script> shows escaped" "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;"
if python3 - "$T/body" <<'EOF'; then ok "admin: the org name's RLO is closed where it ends"; else fail "admin: the org name's RLO is closed where it ends"; fi
import sys
b = open(sys.argv[1], encoding="utf-8").read()
i = b.index("\u202eevil")
sys.exit(0 if b[i:i + 6] == "\u202eevil\u202c" else 1)
EOF

# ---- users: field by field ----
snapshot
post "$T/boss" /admin/users "$BC" --data-urlencode 'login=Bad Login!' --data-urlencode 'display_name=Shown Again' \
	--data-urlencode email=not-an-address --data-urlencode org=NoSuchOrg --data-urlencode role=reporter \
	--data-urlencode password=short-pw --data-urlencode password2=short-pw
expect_code "admin: user add with bad fields 400" 400
expect_field_error "admin: user add: a bad login said next to it" login 'ログイン名は英小文字'
expect_field_error "admin: user add: a bad e-mail said next to it" email 'メールアドレスの形式'
expect_field_error "admin: user add: an unknown organisation said next to it" org 'その組織はありません'
expect_field_error "admin: user add: a short password said next to it" password '12文字以上'
body_has "admin: user add: the form again with the login typed" 'value="Bad Login!"'
body_has "admin: user add: the form again with the display name typed" 'value="Shown Again"'
body_lacks "admin: user add: the password is never shown again" 'short-pw'
body_lacks "admin: user add: the CSRF token is in no link" "csrf=$BC"
body_has "admin: user add: the summary above the form" 'class="form-error" role="alert"'
post "$T/boss" /admin/users "$BC" --data-urlencode login=newbie --data-urlencode org='A電力' --data-urlencode role=reporter \
	--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-8
expect_code "admin: user add with different passwords 400" 400
expect_field_error "admin: user add: mismatched passwords said next to the second" password2 '一致しません'
body_lacks "admin: user add: neither password shown again" 'zzz-brand-new-pass'
post "$T/boss" /admin/users "$BC" --data-urlencode login=rep1 --data-urlencode org='A電力' --data-urlencode role=reporter \
	--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-9
expect_code "admin: user add of a taken login 400" 400
expect_field_error "admin: user add: a duplicate login said next to it" login 'すでに使われています'
post "$T/boss" /admin/users "$BC" --data-urlencode login=newbie --data-urlencode org='A電力' --data-urlencode role=reporter \
	--data-urlencode password=password123456 --data-urlencode password2=password123456
expect_code "admin: user add with a common password 400" 400
expect_field_error "admin: user add: a common password said next to it" password 'このパスワードは使えません'
post "$T/boss" /admin/users "$BC" --data-urlencode login=newbie --data-urlencode org='Centre' --data-urlencode role=reporter \
	--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-9
expect_code "admin: a reporter of the centre 400" 400
expect_field_error "admin: user add: a role that does not go with the organisation" role '組み合わせられません'
post "$T/boss" /admin/users "$BC" --data-urlencode login=newbie --data-urlencode role=wizard \
	--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-9
expect_field_error "admin: user add: an unknown role said next to it" role '役割を選んで'
post "$T/boss" "/admin/users?lang=en" "$BC" --data-urlencode login=newbie --data-urlencode org='A電力' \
	--data-urlencode role=reporter --data-urlencode password=short --data-urlencode password2=short
expect_field_error "admin: user add: the message in English with lang=en" password 'at least 12 characters'
expect_unchanged "admin: refused user forms wrote nothing"

post "$T/boss" /admin/users "$BC" --data-urlencode login=newbie --data-urlencode "display_name=<script>alert('name')</script>$(printf '\342\200\256')kcah" \
	--data-urlencode email=newbie@example.jp --data-urlencode org='A電力' --data-urlencode role=reporter \
	--data-urlencode password=zzz-brand-new-pass-9 --data-urlencode password2=zzz-brand-new-pass-9
expect_code "admin: user add 303" 303
hdr_has "admin: user add goes back to the list with a notice" '^location: .*/admin/users\?done=user-added'
audit_has "admin: user add audited (user.add, boss, 127.0.0.1)" user.add user:newbie
run user list --format tsv
expect_out "admin: user list has the new user" '^newbie	reporter	A電力	active'
get "/admin/users?done=user-added" -b "$T/boss"
body_has "admin: the notice after user add" '利用者を追加しました'
body_lacks "admin: a display name's <script> is not markup" "<script>alert('name')"
body_has "admin: a display name's <script> shows escaped" "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"
if python3 - "$T/body" <<'EOF'; then ok "admin: the display name's RLO is closed where it ends"; else fail "admin: the display name's RLO is closed where it ends"; fi
import sys
b = open(sys.argv[1], encoding="utf-8").read()
i = b.index("\u202ekcah")
sys.exit(0 if b[i:i + 6] == "\u202ekcah\u202c" else 1)
EOF
signin "$T/newbie" newbie zzz-brand-new-pass-9
expect_code "admin: the new user signs in with the password the admin set" 303
get / -b "$T/newbie"
body_lacks "admin: the new user's name in the header is escaped" "<script>alert('name')"

# ---- one user: role, status, password, sign out everywhere, tokens ----
snapshot
post "$T/boss" /admin/users/newbie/role "$BC" --data-urlencode role=liaison --data-urlencode org='A電力'
expect_code "admin: a liaison of an operator 400" 400
expect_field_error "admin: role: the role and organisation said next to the role" role '組み合わせられません'
post "$T/boss" /admin/users/newbie/role "$BC" --data-urlencode role=analyst --data-urlencode org='Nowhere'
expect_field_error "admin: role: an unknown organisation said next to it" org 'その組織はありません'
post "$T/boss" /admin/users/boss/role "$BC" --data-urlencode role=analyst --data-urlencode org=Centre
expect_code "admin: an admin cannot drop their own admin role 400" 400
expect_field_error "admin: role: said next to the role" role '自分自身'
post "$T/boss" /admin/users/boss/status "$BC" --data-urlencode status=disabled
expect_code "admin: an admin cannot disable themselves 400" 400
post "$T/boss" /admin/users/newbie/status "$BC" --data-urlencode status=sideways
expect_code "admin: status: an unknown status 400" 400
post "$T/boss" /admin/users/newbie/password "$BC" --data-urlencode password=short --data-urlencode password2=short
expect_code "admin: password: a short one 400" 400
expect_field_error "admin: password: said next to it" password '12文字以上'
post "$T/boss" /admin/users/newbie/password "$BC" --data-urlencode password=zzz-other-pass-word-7 \
	--data-urlencode password2=zzz-other-pass-word-8
expect_field_error "admin: password: mismatched said next to the second" password2 '一致しません'
post "$T/boss" /admin/users/newbie/password "$BC" --data-urlencode password=newbie-and-more-1 \
	--data-urlencode password2=newbie-and-more-1
expect_field_error "admin: password: one with the login in it refused" password 'このパスワードは使えません'
post "$T/boss" /admin/users/nobody/password "$BC" --data-urlencode password=zzz-other-pass-word-7 \
	--data-urlencode password2=zzz-other-pass-word-7
expect_code "admin: password of an unknown user 404" 404
post "$T/boss" /admin/users/newbie/tokens/999999/revoke "$BC"
expect_code "admin: revoking an unknown token 404" 404
post "$T/boss" "/admin/users/newbie/tokens/$VTOK_ID/revoke" "$BC"
expect_code "admin: revoking another user's token through this user 404" 404
expect_unchanged "admin: refused user-page forms wrote nothing"
[ "$(who "$T/newbie")" != "" ] && ok "admin: the user is still signed in after refused forms" ||
	fail "admin: the user is still signed in after refused forms"

post "$T/boss" /admin/users/newbie/role "$BC" --data-urlencode role=analyst --data-urlencode org=Centre
expect_code "admin: role change 303" 303
hdr_has "admin: role change goes back to the user with a notice" '^location: .*/admin/users/newbie\?done=role'
audit_has "admin: role change audited (user.role)" user.role user:newbie
audit_has "admin: organisation change audited (user.update)" user.update user:newbie
run user list --format tsv
expect_out "admin: user list has the new role" '^newbie	analyst	Centre'
get "/admin/users/newbie?done=role" -b "$T/boss"
body_has "admin: the notice after the role change" '役割と所属を変更しました'
post "$T/boss" /admin/users/newbie/role "$BC" --data-urlencode role=analyst --data-urlencode org=Centre
hdr_has "admin: the same role again changes nothing" 'done=nochange'

post "$T/boss" /admin/users/newbie/password "$BC" --data-urlencode password=zzz-other-pass-word-7 \
	--data-urlencode password2=zzz-other-pass-word-7
expect_code "admin: a new password 303" 303
audit_has "admin: a new password audited (user.password)" user.password user:newbie
[ -z "$(who "$T/newbie")" ] && ok "admin: a new password ends the user's sessions" ||
	fail "admin: a new password ends the user's sessions" "who: $(who "$T/newbie")"
signin "$T/newbie" newbie zzz-brand-new-pass-9
expect_code "admin: the old password no longer signs in" 401
signin "$T/newbie" newbie zzz-other-pass-word-7
expect_code "admin: the new password signs in" 303

post "$T/boss" /admin/users/newbie/signout "$BC"
expect_code "admin: sign the user out everywhere 303" 303
audit_has "admin: sign out everywhere audited (signout.all)" signout.all user:newbie
[ -z "$(who "$T/newbie")" ] && ok "admin: the user's session has ended" ||
	fail "admin: the user's session has ended" "who: $(who "$T/newbie")"

signin "$T/newbie" newbie zzz-other-pass-word-7
post "$T/boss" /admin/users/newbie/status "$BC" --data-urlencode status=disabled
expect_code "admin: disable 303" 303
audit_has "admin: disable audited (user.disable)" user.disable user:newbie
[ -z "$(who "$T/newbie")" ] && ok "admin: disabling ends the user's sessions" ||
	fail "admin: disabling ends the user's sessions"
signin "$T/newbie" newbie zzz-other-pass-word-7
expect_code "admin: a disabled user cannot sign in" 401
get /admin/users -b "$T/boss"
body_has "admin: the list shows the user disabled" '<td>無効</td>'
post "$T/boss" /admin/users/newbie/status "$BC" --data-urlencode status=active
expect_code "admin: enable 303" 303
audit_has "admin: enable audited (user.enable)" user.enable user:newbie
signin "$T/newbie" newbie zzz-other-pass-word-7
expect_code "admin: an enabled user signs in again" 303

# the victim's token, revoked by the admin
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $VTOK" "$URL/api/cases")
expect_code "admin: the victim's token works before" 200
get /admin/users/victim -b "$T/boss"
body_has "admin: the user page lists the token by its prefix" "$(printf '%s' "$VTOK" | cut -c1-10)…"
body_has "admin: the user page has the token's revoke button" "/admin/users/victim/tokens/$VTOK_ID/revoke"
body_lacks "admin: the user page never shows a whole token" "$VTOK"
post "$T/boss" "/admin/users/victim/tokens/$VTOK_ID/revoke" "$BC"
expect_code "admin: revoke the victim's token 303" 303
audit_has "admin: the revocation audited (token.revoke)" token.revoke "token:$VTOK_ID"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $VTOK" "$URL/api/cases")
expect_code "admin: the revoked token is refused" 401
post "$T/boss" "/admin/users/victim/tokens/$VTOK_ID/revoke" "$BC"
expect_code "admin: revoking it again 404" 404

# ---- the account page ----
get /account -b "$T/rep"
expect_code "account: 200 for a reporter" 200
body_has "account: the login" '<code>rep1</code>'
body_has "account: the organisation" 'A電力'
body_has "account: amber explained from the TLP table" 'あなたの組織が所有する事例'
body_has "account: red explained from the TLP table" '受信者としてあなたが指名された事例'
get "/account?lang=en" -b "$T/rep"
body_has "account: in English" 'cases your organisation owns'
get /account -b "$T/ana"
body_has "account: an analyst reads every amber case" '<dd>すべての事例</dd>'
body_has "account: an analyst's sign-out everywhere button" 'action="/signout-all"'
snapshot
post "$T/rep" /account/tokens "$RC_" --data-urlencode name=nightly --data-urlencode days=0
expect_code "account: a token for 0 days 400" 400
expect_field_error "account: the days said next to the field" days '1から3650'
post "$T/rep" /account/tokens "$RC_" --data-urlencode name=nightly --data-urlencode days=abc
expect_field_error "account: days that are not a number" days '1から3650'
post "$T/rep" /account/tokens "" --data-urlencode name=nightly --data-urlencode days=30
expect_code "account: creating a token without a CSRF token 403" 403
post "$T/rep" /account/tokens "wrong" --data-urlencode name=nightly --data-urlencode days=30
expect_code "account: creating a token with a wrong CSRF token 403" 403
CODE=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode name=x "$URL/account/tokens")
expect_code "account: creating a token anonymous 401" 401
post "$T/rep" "/account/tokens/$VTOK_ID/revoke" "$RC_"
expect_code "account: revoking someone else's token 404" 404
expect_unchanged "account: refused token forms wrote nothing"

post "$T/rep" /account/tokens "$RC_" --data-urlencode name=nightly --data-urlencode days=30
expect_code "account: create a token 200" 200
hdr_has "account: the token's page is never stored" '^cache-control: no-store'
NEWTOK=$(sed -n 's/.*id="new-token" class="token" readonly value="\(kyk_[A-Za-z0-9_-]*\)".*/\1/p' "$T/body" | head -1)
[ -n "$NEWTOK" ] && ok "account: the new token is shown" || fail "account: the new token is shown" "$(head -c 400 "$T/body")"
body_has "account: with the hint to copy it now" '今回だけです'
audit_has "account: the token's creation audited (token.create by rep1)" token.create \
	"token:$("$KYOKUN" token list rep1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"][-1]["id"])')" rep1
get /account -b "$T/rep"
body_lacks "account: the token is shown once only" "$NEWTOK"
body_has "account: the list has the token's prefix" "$(printf '%s' "$NEWTOK" | cut -c1-10)…"
body_has "account: the list has the token's name" '>nightly<'
CODE=$(curl -s -o "$T/api.json" -w '%{http_code}' -H "Authorization: Bearer $NEWTOK" "$URL/api/cases")
expect_code "account: the new token works as Bearer on /api/cases" 200
NEWID=$("$KYOKUN" token list rep1 --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"][-1]["id"])')
post "$T/rep" "/account/tokens/$NEWID/revoke" "$RC_"
expect_code "account: revoke from the web 303" 303
hdr_has "account: back to the account page with a notice" '^location: .*/account\?done=revoked'
audit_has "account: the revocation audited (token.revoke by rep1)" token.revoke "token:$NEWID" rep1
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEWTOK" "$URL/api/cases")
expect_code "account: the revoked token stops working" 401

# ---- the audit log: the page and the API ----
# more entries than a page holds (50)
# (through the admin's form: one server, not 50 kyokun processes)
bad=""
for i in $(seq 1 50); do
	post "$T/boss" /admin/orgs "$BC" --data-urlencode "name=Filler$i" --data-urlencode kind=other
	[ "$CODE" = 303 ] || bad="$bad $i:$CODE"
done
[ -z "$bad" ] && ok "audit: 50 organisations added through the form" || fail "audit: 50 organisations added through the form" "$bad"
get "/admin/audit?user=rep1" -b "$T/boss"
expect_code "audit: the page filtered by user 200" 200
body_has "audit: rep1's entries" '<code>token.revoke</code>'
if grep -o 'href="/admin/audit?user=[^"]*">[^<]*<' "$T/body" | grep -v '>rep1<' | grep -q .; then
	fail "audit: only rep1's entries" "$(grep -o 'href="/admin/audit?user=[^"]*">[^<]*<' "$T/body" | sort -u | head)"
else
	ok "audit: only rep1's entries"
fi
get "/admin/audit?since=2999-01-01" -b "$T/boss"
body_has "audit: since in the future: none" '該当する記録はありません'
get "/admin/audit?since=yesterday-ish" -b "$T/boss"
expect_code "audit: a bad since 400" 400
expect_field_error "audit: a bad since said next to it" since '日付か'
get "/admin/audit?page=0" -b "$T/boss"
expect_code "audit: page 0 is 400" 400
get "/admin/audit?page=%2B2" -b "$T/boss"
expect_code "audit: page +2 is 400" 400
get /admin/audit -b "$T/boss"
body_has "audit: the page pages on" 'rel="next"'
get "/admin/audit?page=2" -b "$T/boss"
body_has "audit: page 2 links back" 'rel="prev"'
# newest first: the first row is the most recent
sed -n 's/.*<td class="when">\([^<]*\)<.*/\1/p' "$T/body" >"$T/times"
[ -s "$T/times" ] && sort -r -c "$T/times" 2>/dev/null && ok "audit: newest first" ||
	fail "audit: newest first" "$(head -3 "$T/times")"

CODE=$(curl -s -o "$T/a.json" -w '%{http_code}' -H "Authorization: Bearer $BTOK" "$URL/api/audit?user=boss&limit=5")
expect_code "audit API: an admin's token 200" 200
if python3 - "$T/a.json" <<'EOF'; then ok "audit API: filtered by user, newest first, limited"; else fail "audit API: filtered by user, newest first, limited" "$(head -c 400 "$T/a.json")"; fi
import json, sys
j = json.load(open(sys.argv[1]))
e = j["entries"]
assert len(e) == 5 and j["limit"] == 5 and j["more"] is True
assert all(x["actor"] == "boss" for x in e)
assert [x["id"] for x in e] == sorted((x["id"] for x in e), reverse=True)
assert all(k in e[0] for k in ("at", "address", "action", "object", "detail"))
EOF
CODE=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "Authorization: Bearer $BTOK" "$URL/api/audit?user=boss&limit=5&offset=5")
if python3 - "$T/a.json" "$T/b.json" <<'EOF'; then ok "audit API: offset continues where the page ended"; else fail "audit API: offset continues where the page ended"; fi
import json, sys
a = json.load(open(sys.argv[1]))["entries"]
b = json.load(open(sys.argv[2]))["entries"]
assert b and b[0]["id"] < a[-1]["id"]
EOF
CODE=$(curl -s -o "$T/c.json" -w '%{http_code}' -H "Authorization: Bearer $BTOK" "$URL/api/audit?since=2999-01-01")
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["entries"] == [] else 1)' "$T/c.json" &&
	ok "audit API: since in the future: none" || fail "audit API: since in the future: none"
CODE=$(curl -s -o "$T/c.json" -w '%{http_code}' -H "Authorization: Bearer $BTOK" "$URL/api/audit?since=1h")
python3 -c 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1]))["entries"]) > 0 else 1)' "$T/c.json" &&
	ok "audit API: since 1h has entries" || fail "audit API: since 1h has entries"
for bad in 'limit=0' 'limit=1001' 'offset=-1' 'since=soon'; do
	CODE=$(curl -s -o "$T/c.json" -w '%{http_code}' -H "Authorization: Bearer $BTOK" "$URL/api/audit?$bad")
	expect_code "audit API: $bad is 400" 400
done
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/audit")
expect_code "audit API: anonymous 401" 401
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $RTOK" "$URL/api/audit")
expect_code "audit API: a reporter's token 403" 403
get /api/audit -b "$T/ana"
expect_code "audit API: an analyst's session 403" 403
get /api/audit -b "$T/boss"
expect_code "audit API: an admin's session 200" 200
get /api/openapi.json
if python3 - "$T/body" <<'EOF'; then ok "audit API: in the OpenAPI document with its security"; else fail "audit API: in the OpenAPI document with its security"; fi
import json, sys
j = json.load(open(sys.argv[1]))
op = j["paths"]["/api/audit"]["get"]
assert {"bearerToken": []} in op["security"] and {"sessionCookie": []} in op["security"]
s = j["components"]["securitySchemes"]
assert s["bearerToken"]["scheme"] == "bearer" and s["sessionCookie"]["in"] == "cookie"
EOF
get /api -b "$T/boss"
body_has "audit API: in the API index" '"path":"/api/audit"'

stop_server
[ "${SRV_RC:-0}" = 0 ] && ok "admin: the server stops cleanly" || fail "admin: the server stops cleanly" "exit $SRV_RC"
