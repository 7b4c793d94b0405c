#!/bin/sh
# tests/cli/test_session.sh - signing in and out of `kyokun serve` (issue 11):
# the sign-in form and its one message for every failure, the session
# cookie (flags, a new id at every sign-in, idle and absolute expiry),
# sign-out and "sign out everywhere", throttling of failed sign-ins (per
# login and per address, without telling whether an account exists), CSRF
# (the session's token on every state-changing request; the Origin of the
# sign-in form), bearer tokens and their revocation, a disabled user cut off
# at once, request bodies (415, 400, and 413 before the body is read), TLS
# and --behind-proxy for the Secure flag, the response cache never giving
# one session another's page, and the audit entries of sign-ins.  Accounts
# are made with the command line (org add, user add, token create).
# 127.0.0.2 and 127.0.0.3 (loopback too) are other client addresses.
. "$(dirname "$0")/lib.sh"

for t in curl python3; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "session" "$t is not installed"
		exit 0
	fi
done

run init
run add "$FIX/web/cases.json"
expect_rc "session: fixtures load" 0
PW='quiet-Ferret-harbour-4712'
printf '%s\n' "$PW" >"$T/pw"
run org add Centre --kind centre
expect_rc "session: org add" 0
for u in alice dave erin frank carol; do
	run user add "$u" --role analyst --org Centre --password-file "$T/pw"
	expect_rc "session: user add $u" 0
done

# ---- helpers ----
# (get, expect_code, body_has, body_lacks, hdr_has: in lib.sh)
hdr_lacks() { # NAME REGEX (case-insensitive)
	if grep -qiE -- "$2" "$T/hdr"; then fail "$1" "headers have /$2/: $(grep -iE -- "$2" "$T/hdr")"; else ok "$1"; fi
}
# signin LOGIN PASSWORD [CURL ARGS...]: POST the form as a browser of this
# site would (Origin); status in $CODE, the new session cookie's value in $COOKIE
# (this script's own: no cookie jar, unlike lib.sh's signin JAR LOGIN [PASSWORD])
signin() {
	local l=$1 p=$2
	shift 2
	get /signin -H "Origin: $URL" --data-urlencode "login=$l" --data-urlencode "password=$p" "$@"
	COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: kyokun_session=\([^;]*\);.*/\1/p' "$T/hdr" | tr -d '\r')
}
# csrf_of COOKIE: the CSRF token in the page the session gets
csrf_of() {
	curl -s --max-time 20 -b "kyokun_session=$1" "$URL/" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1
}
# who COOKIE: the name in the site header of / for that cookie ("" when anonymous)
who() {
	curl -s --max-time 20 -b "kyokun_session=$1" "$URL/" | sed -n 's/.*class="who-name">\([^<]*\)<.*/\1/p' | head -1
}
# the one message of a failed sign-in (the Japanese page)
FAILMSG='サインインできませんでした'
failmsg() { sed -n 's/.*class="form-error" role="alert">\([^<]*\)<.*/\1/p' "$T/body" | head -1; }
# audit_has NAME ACTION LOGIN [DETAIL]: kyokun audit has such an entry
audit_has() {
	"$KYOKUN" audit --format json >"$T/audit.json" 2>"$T/audit.err"
	if python3 - "$T/audit.json" "$2" "$3" "${4:-}" <<'EOF'; then ok "$1"; else fail "$1" "$(tail -c 600 "$T/audit.json") $(head -c 300 "$T/audit.err")"; fi
import json, sys
path, action, login, detail = sys.argv[1:5]
text = open(path).read()
try:
    doc = json.loads(text)
    rows = doc if isinstance(doc, list) else doc.get("entries", doc.get("audit", []))
except ValueError:  # one object per line
    rows = [json.loads(l) for l in text.splitlines() if l.strip()]
ok = any(r.get("action") == action and r.get("object") == "user:" + login and
         (not detail or detail in (r.get("detail") or "")) and (r.get("address") or "") != "" for r in rows)
sys.exit(0 if ok else 1)
EOF
}

start_server
if [ -z "$URL" ]; then
	fail "session: server starts" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi
HOSTPORT=${URL#http://}

# ---- the sign-in page ----
get /
body_has "session: anonymous header has a sign-in link" 'class="signin-link" href="/signin?next=%2F"'
get /signin
expect_code "session: GET /signin" 200
body_has "session: sign-in form posts to /signin" 'method="post" action="/signin"'
body_has "session: sign-in form has a login field" 'name="login"'
body_has "session: sign-in form has a password field" 'type="password" name="password"'
get '/signin?lang=en'
body_has "session: sign-in page in English" '<h1>Sign in</h1>'
get '/signin?next=/cases/web-clear-2'
body_has "session: ?next= carried in the form" 'name="next" value="/cases/web-clear-2"'
get '/signin?next=//evil.example/x'
body_lacks "session: ?next= to another host dropped" 'name="next" value="//evil.example'

# ---- failures: one message whatever the reason ----
signin alice 'wrong password 123'
expect_code "session: wrong password is 401" 401
m_wrong=$(failmsg)
case "$m_wrong" in "$FAILMSG"*) ok "session: wrong password: the generic message" ;; *) fail "session: wrong password: the generic message" "$m_wrong" ;; esac
[ -z "$COOKIE" ] && ok "session: no cookie after a failure" || fail "session: no cookie after a failure" "$COOKIE"
body_lacks "session: the failed page never shows the password (not in a link either)" 'wrong%20password'
body_lacks "session: ... nor as typed" 'wrong password 123'
signin nosuchuser 'wrong password 123'
expect_code "session: unknown user is 401 too" 401
[ "$(failmsg)" = "$m_wrong" ] && ok "session: unknown user: the same message" || fail "session: unknown user: the same message" "$(failmsg)"
signin "" ""
expect_code "session: empty fields are 400" 400
body_has "session: empty login: message next to the field" 'id="login-error">ログイン名を入力してください。'
body_has "session: empty password: message next to the field" 'id="password-error">パスワードを入力してください。'
get '/signin?lang=en' -H "Origin: $URL" --data-urlencode "login=alice" --data-urlencode "password="
body_has "session: field message in the page's language" 'id="password-error">Enter your password.'
body_lacks "session: no generic failure for a missing field" 'class="form-error"'

# ---- sign-in CSRF: the form must come from this site ----
get /signin --data-urlencode "login=alice" --data-urlencode "password=$PW"
expect_code "session: sign-in without Origin or Referer is 403" 403
hdr_lacks "session: ... and sets no cookie" '^set-cookie'
get /signin -H "Origin: http://evil.example" --data-urlencode "login=alice" --data-urlencode "password=$PW"
expect_code "session: sign-in from another origin is 403" 403
get /signin -H "Referer: $URL/signin" --data-urlencode "login=alice" --data-urlencode "password=$PW"
expect_code "session: sign-in with this site's Referer (no Origin) is accepted" 303

# ---- success, the cookie, the header ----
signin alice "$PW"
expect_code "session: sign-in is 303" 303
hdr_has "session: goes home" '^location: /'
A1=$COOKIE
[ ${#A1} -eq 43 ] && ok "session: the cookie holds a 256-bit id (43 characters)" || fail "session: the cookie holds a 256-bit id" "$A1"
hdr_has "session: cookie is HttpOnly" '^set-cookie: kyokun_session=[^;]+;.*; HttpOnly'
hdr_has "session: cookie is SameSite=Strict" '^set-cookie: kyokun_session=.*; SameSite=Strict'
hdr_has "session: cookie has Path=/" '^set-cookie: kyokun_session=.*; Path=/'
hdr_lacks "session: no Secure over plain HTTP" '^set-cookie: .*Secure'
signin alice "$PW" --data-urlencode "next=/cases/web-clear-2?lang=en"
hdr_has "session: sign-in goes to ?next=" '^location: /cases/web-clear-2\?lang=en'
signin alice "$PW" --data-urlencode "next=//evil.example/"
hdr_has "session: a next= to another host goes home instead" '^location: /\s*$'

get / -b "kyokun_session=$A1"
body_has "session: header shows who is signed in" 'class="who-name">alice<'
body_has "session: header shows the role" 'class="who-role">分析担当<'
body_has "session: header has a sign-out form" 'class="signout" method="post" action="/signout"'
body_has "session: header links to sign out everywhere" 'href="/signout-all"'
hdr_has "session: a signed-in page is private" '^cache-control: private'
get /?lang=en -b "kyokun_session=$A1"
body_has "session: header in English" 'class="who-role">Analyst<'
get /cases/web-green-1 -b "kyokun_session=$A1"
expect_code "session: a signed-in analyst sees a TLP:GREEN case" 200
get /cases/web-green-1
expect_code "session: anonymous does not" 404
get /api/cases/web-green-1 -b "kyokun_session=$A1"
expect_code "session: the session works for the API too" 200

# ---- session fixation: a new id at every sign-in, the old one ends ----
signin alice "$PW" -b "kyokun_session=$A1"
A2=$COOKIE
[ -n "$A2" ] && [ "$A2" != "$A1" ] && ok "session: sign-in with a session cookie gives a new id" || fail "session: sign-in with a session cookie gives a new id" "$A1 -> $A2"
[ -z "$(who "$A1")" ] && ok "session: the id sent at sign-in no longer works" || fail "session: the id sent at sign-in no longer works"
[ "$(who "$A2")" = alice ] && ok "session: the new id works" || fail "session: the new id works"
FIXED=AttackerChosenSessionIdAttackerChosenSessi
signin alice "$PW" -b "kyokun_session=$FIXED"
[ -n "$COOKIE" ] && [ "$COOKIE" != "$FIXED" ] && ok "session: a cookie chosen by someone else is not adopted" || fail "session: a cookie chosen by someone else is not adopted" "$COOKIE"
[ -z "$(who "$FIXED")" ] && ok "session: ... and does not sign anyone in" || fail "session: ... and does not sign anyone in"

# ---- the cache never gives one session another's page ----
B1=$COOKIE
t2=$(csrf_of "$A2")
t3=$(csrf_of "$B1")
[ -n "$t2" ] && [ -n "$t3" ] && [ "$t2" != "$t3" ] && ok "session: two sessions, two CSRF tokens" || fail "session: two sessions, two CSRF tokens" "$t2 $t3"
get / -b "kyokun_session=$A2"
get / -b "kyokun_session=$B1"
body_has "session: a session's page carries its own token (cached or not)" "value=\"$t3\""
body_lacks "session: ... never another session's" "value=\"$t2\""
get /
body_lacks "session: the anonymous page has no token" 'name="csrf"'

# ---- CSRF ----
get /signout -X POST -b "kyokun_session=$A2"
expect_code "session: sign-out without a CSRF token is 403" 403
get /signout -b "kyokun_session=$A2" --data-urlencode "csrf=$t3"
expect_code "session: sign-out with another session's token is 403" 403
get /signout -b "kyokun_session=$A2" --data-urlencode "csrf=wrong"
expect_code "session: sign-out with a wrong token is 403" 403
get "/signout?csrf=$t2" -X POST -b "kyokun_session=$A2"
expect_code "session: the token in the query string does not count" 403
[ "$(who "$A2")" = alice ] && ok "session: refused sign-outs ended nothing" || fail "session: refused sign-outs ended nothing"
get /signout -b "kyokun_session=$A2" -H "X-CSRF-Token: $t2" -X POST
expect_code "session: sign-out with the token in X-CSRF-Token" 303
signin alice "$PW"
A3=$COOKIE
t=$(csrf_of "$A3")
get /signout -b "kyokun_session=$A3" --data-urlencode "csrf=$t"
expect_code "session: sign-out with the right token is 303" 303
hdr_has "session: sign-out removes the cookie" '^set-cookie: kyokun_session=;.*Max-Age=0'
[ -z "$(who "$A3")" ] && ok "session: signed out: the cookie no longer works" || fail "session: signed out: the cookie no longer works"
get / -b "kyokun_session=$A3"
body_has "session: signed out: a sign-in link again" 'class="signin-link"'
get /signout -X POST
expect_code "session: sign-out when not signed in is 401" 401
body_has "session: the 401 page links to sign in" 'href="/signin'

# ---- sign out everywhere ----
signin erin "$PW"
E1=$COOKIE
signin erin "$PW" -A "another browser"
E2=$COOKIE
get /signout-all -b "kyokun_session=$E1"
expect_code "session: the sign-out-everywhere page" 200
body_has "session: ... is a form with the token" "name=\"csrf\" value=\"$(csrf_of "$E1")\""
get /signout-all -b "kyokun_session=$E1" -X POST
expect_code "session: sign out everywhere without a token is 403" 403
get /signout-all -b "kyokun_session=$E1" --data-urlencode "csrf=$(csrf_of "$E1")"
expect_code "session: sign out everywhere" 303
[ -z "$(who "$E1")" ] && [ -z "$(who "$E2")" ] && ok "session: every session of the user ended" || fail "session: every session of the user ended"
[ "$(who "$B1")" = alice ] && ok "session: another user's session goes on" || fail "session: another user's session goes on"

# ---- throttling ----
# dave, from 127.0.0.2: 5 failures, then the right password is refused
for i in 1 2 3 4 5; do signin dave "wrong password $i" --interface 127.0.0.2; done
expect_code "session: 5th failure is still a plain failure" 401
signin dave "$PW" --interface 127.0.0.2
expect_code "session: 6th attempt (right password) is refused: 429" 429
[ -z "$COOKIE" ] && ok "session: ... with no session" || fail "session: ... with no session"
[ "$(failmsg)" = "$m_wrong" ] && ok "session: ... with the same message" || fail "session: ... with the same message" "$(failmsg)"
hdr_has "session: ... and Retry-After" '^retry-after: [1-9]'
ra_dave=$(sed -n 's/^[Rr]etry-[Aa]fter: \([0-9]*\).*/\1/p' "$T/hdr")
# an account that does not exist is throttled the same way
for i in 1 2 3 4 5; do signin nobody "wrong password $i" --interface 127.0.0.2; done
signin nobody "$PW" --interface 127.0.0.2
expect_code "session: unknown login: 6th attempt 429 too (no existence leak)" 429
[ "$(failmsg)" = "$m_wrong" ] && ok "session: unknown login: the same message" || fail "session: unknown login: the same message"
hdr_has "session: unknown login: Retry-After too" '^retry-after: [1-9]'
# the delay passes: the right password works and clears the count
sleep $((${ra_dave:-2} + 1))
signin dave "$PW" --interface 127.0.0.2
expect_code "session: after Retry-After the right password works" 303
signin dave "wrong password again" --interface 127.0.0.2
expect_code "session: success cleared the login's count (a failure is a plain failure again)" 401
# per address: 20 failures from 127.0.0.3 over several logins, then a good sign-in is refused
for i in $(seq 1 20); do signin "spray$((i % 5))" "wrong password $i" --interface 127.0.0.3; done
signin frank "$PW" --interface 127.0.0.3
expect_code "session: 20 failures from one address throttle it" 429
signin frank "$PW" --interface 127.0.0.2
expect_code "session: ... not another address" 303

# ---- audit ----
if "$KYOKUN" help audit >/dev/null 2>&1; then
	audit_has "session: audit: sign-in" signin alice
	audit_has "session: audit: failed sign-in (wrong password)" signin.failure alice
	audit_has "session: audit: failed sign-in of an unknown login" signin.failure nosuchuser
	audit_has "session: audit: throttled sign-in" signin.failure dave throttled
	audit_has "session: audit: sign-out" signout alice
	audit_has "session: audit: sign out everywhere" signout.all erin
else
	skip "session: audit" "no kyokun audit command in this build"
fi

# ---- bearer tokens ----
run token create frank --name test
expect_rc "session: token create" 0
TOK=$(tail -1 "$T/out")
get /api/cases/web-green-1 -H "Authorization: Bearer $TOK"
expect_code "session: a bearer token reads as its user" 200
get /api/cases/web-green-1 -H "Authorization: Bearer kyk_notarealtokennotarealtokennotarealtokennot"
expect_code "session: an unknown bearer token is 401" 401
hdr_has "session: ... with WWW-Authenticate: Bearer" '^www-authenticate: Bearer'
get /api/cases -H "Authorization: Bearer garbage"
expect_code "session: a malformed bearer token is 401" 401
get / -H "Authorization: Bearer $TOK"
body_has "session: a page for a bearer token names the user" 'class="who-name">frank<'
body_lacks "session: ... without a sign-out form (no session)" 'name="csrf"'
signin frank "$PW"
F1=$COOKIE
get /signout-all -X POST -H "Authorization: Bearer $TOK"
expect_code "session: a bearer request needs no CSRF token" 303
[ -z "$(who "$F1")" ] && ok "session: ... and it acted as the token's user" || fail "session: ... and it acted as the token's user"
tid=$("$KYOKUN" token list frank --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d if isinstance(d, list) else next(v for v in d.values() if isinstance(v, list))
print(next(r["id"] for r in rows if r.get("name") == "test"))' 2>/dev/null)
run token revoke "${tid:-1}"
expect_rc "session: token revoke" 0
get /api/cases/web-green-1 -H "Authorization: Bearer $TOK"
expect_code "session: a revoked token is 401 at once" 401

# ---- a disabled user is cut off at once ----
signin carol "$PW"
C1=$COOKIE
run token create carol
CTOK=$(tail -1 "$T/out")
get /cases/web-green-1 -b "kyokun_session=$C1"
get /cases/web-green-1 -b "kyokun_session=$C1"
expect_code "session: carol signed in (page cached)" 200
get /api/cases/web-green-1 -H "Authorization: Bearer $CTOK"
expect_code "session: carol's token works" 200
run user disable carol
expect_rc "session: user disable" 0
get /cases/web-green-1 -b "kyokun_session=$C1"
expect_code "session: a disabled user's session stops at once" 404
get /api/cases/web-green-1 -H "Authorization: Bearer $CTOK"
expect_code "session: a disabled user's token stops at once" 401
signin carol "$PW"
expect_code "session: a disabled user cannot sign in" 401
[ "$(failmsg)" = "$m_wrong" ] && ok "session: ... with the same message" || fail "session: ... with the same message"

# ---- a role or a name changed shows at once (the write empties the cache and the memo) ----
signin erin "$PW"
E3=$COOKIE
get / -b "kyokun_session=$E3"
get / -b "kyokun_session=$E3"
body_has "session: erin is an analyst (page cached)" 'class="who-role">分析担当<'
run user role erin publisher
expect_rc "session: user role" 0
get / -b "kyokun_session=$E3"
body_has "session: a role change shows at once" 'class="who-role">公開担当<'
run user set erin --name "Erin Example"
get / -b "kyokun_session=$E3"
body_has "session: a display name shows at once" 'class="who-name">Erin Example<'

# ---- request bodies ----
get /signin -H "Origin: $URL" -H 'Content-Type: application/json' --data '{"login":"alice"}'
expect_code "session: a JSON body is 415" 415
get /signin -H "Origin: $URL" --data 'login=%zz&password=x'
expect_code "session: a malformed form is 400" 400
get /signin -H "Origin: $URL" --data 'login=%ff&password=x'
expect_code "session: a form that is not UTF-8 is 400" 400
get /signin -H "Origin: $URL" --data "$(seq 1 70 | sed 's/^/f/; s/$/=1/' | tr '\n' '&')"
expect_code "session: more than 64 form fields is 400" 400
cat >"$T/body.py" <<'EOF'
import socket, sys, time
port, how = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(('127.0.0.1', port), timeout=5)
if how == 'length':
    # announce 1 MB, send none of it: the answer must come anyway
    s.sendall(b'POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n'
              b'Content-Length: 1000000\r\n\r\n')
else:
    # chunked, 4 KB chunks, never ending: cut off once past 64 KiB
    s.sendall(b'POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n'
              b'Transfer-Encoding: chunked\r\n\r\n')
    try:
        for _ in range(64):
            s.sendall(b'1000\r\n' + b'a' * 4096 + b'\r\n')
    except OSError:
        pass
t0 = time.time()
data = b''
try:
    while b'\r\n\r\n' not in data:
        d = s.recv(4096)
        if not d:
            break
        data += d
except OSError:
    pass
print(data.split(b' ', 2)[1].decode() if data.startswith(b'HTTP/1.') else 'closed', '%.1f' % (time.time() - t0))
print(data.split(b'\r\n\r\n')[0].decode('latin-1').lower())
EOF
timeout 20 python3 "$T/body.py" "$PORT" length >"$T/r"
set -- $(head -1 "$T/r")
[ "${1:-}" = 413 ] && ok "session: a 1 MB Content-Length is 413 before any body is sent" || fail "session: 413 before the body" "$(head -3 "$T/r")"
grep -q '^x-content-type-options: nosniff' "$T/r" && ok "session: ... with our headers" || fail "session: ... with our headers" "$(cat "$T/r")"
timeout 20 python3 "$T/body.py" "$PORT" chunked >"$T/r"
set -- $(head -1 "$T/r")
case "${1:-}" in 413 | closed) ok "session: a chunked body past 64 KiB is cut off ($1)" ;; *) fail "session: a chunked body past 64 KiB is cut off" "$(head -3 "$T/r")" ;; esac
get / -X POST -d 'a=1'
expect_code "session: POST where only GET is" 405
hdr_has "session: ... Allow: GET, HEAD" '^allow: GET, HEAD'
get /signout
expect_code "session: GET where only POST is" 405
hdr_has "session: ... Allow: POST" '^allow: POST'
get /signin -X PUT
expect_code "session: PUT is 405" 405
hdr_has "session: ... Allow for /signin: GET, HEAD, POST" '^allow: GET, HEAD, POST'
stop_server

# ---- expiry (short lifetimes given to serve) ----
# Times are kept in whole seconds, so a lifetime of N s lasts between N-1 and N s.
# The margins are for a loaded 2-core machine under ASan, where a sign-in and the
# next page can take seconds: each check has at least 3 s to spare.
start_server --session-idle 5s
signin alice "$PW"
I1=$COOKIE
SIGNIN_SAID="sign-in: $CODE, cookie '${COOKIE:-none}', $(grep -o 'form-error[^<]*<[^<]*' "$T/body" | head -1)"
[ "$(who "$I1")" = alice ] && ok "session: idle 5 s: works at once" || fail "session: idle 5 s: works at once" "$SIGNIN_SAID"
# used every 1 s for 7 s: each gap leaves 3 s for a request before the (at least 4) s run out
for i in 1 2 3 4 5 6 7; do sleep 1; who "$I1" >/dev/null; done
[ "$(who "$I1")" = alice ] && ok "session: idle 5 s: kept alive by use for 7 s" || fail "session: idle 5 s: kept alive by use"
sleep 5.5
[ -z "$(who "$I1")" ] && ok "session: idle 5 s: ended after 5.5 s unused" || fail "session: idle 5 s: ended after 5.5 s unused"
stop_server
start_server --session-max 6s
signin alice "$PW"
M1=$COOKIE
SIGNIN_SAID="sign-in: $CODE, cookie '${COOKIE:-none}', $(grep -o 'form-error[^<]*<[^<]*' "$T/body" | head -1)"
[ "$(who "$M1")" = alice ] && ok "session: max 6 s: works at once" || fail "session: max 6 s: works at once" "$SIGNIN_SAID"
for i in 1 2 3 4 5 6 7; do sleep 1; who "$M1" >/dev/null; done
[ -z "$(who "$M1")" ] && ok "session: max 6 s: ended after 7 s however used" || fail "session: max 6 s: ended after 7 s however used"
stop_server
run serve --session-idle 0
expect_rc "session: --session-idle 0 is a usage error" 2
run serve --session-max 3x
expect_rc "session: --session-max 3x is a usage error" 2

# ---- behind a TLS proxy ----
start_server --behind-proxy
signin alice "$PW" -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-For: 203.0.113.7'
hdr_has "session: behind a proxy, X-Forwarded-Proto: https: Secure" '^set-cookie: kyokun_session=.*; Secure'
signin alice "$PW"
hdr_lacks "session: behind a proxy, plain HTTP: no Secure" '^set-cookie: .*Secure'
get /signin -H 'Origin: http://kyokun.example' -H 'X-Forwarded-Host: kyokun.example' \
	--data-urlencode "login=alice" --data-urlencode "password=$PW"
expect_code "session: behind a proxy, the Origin is checked against X-Forwarded-Host" 303
if "$KYOKUN" help audit >/dev/null 2>&1; then
	"$KYOKUN" audit --format json >"$T/audit.json" 2>/dev/null
	grep -q '203.0.113.7' "$T/audit.json" && ok "session: behind a proxy, the audit has the client's address" ||
		fail "session: behind a proxy, the audit has the client's address" "$(tail -c 400 "$T/audit.json")"
fi
stop_server
start_server
signin alice "$PW" -H 'X-Forwarded-Proto: https'
hdr_lacks "session: without --behind-proxy, X-Forwarded-Proto is ignored" '^set-cookie: .*Secure'
get /signin -H 'Origin: http://kyokun.example' -H 'X-Forwarded-Host: kyokun.example' \
	--data-urlencode "login=alice" --data-urlencode "password=$PW"
expect_code "session: without --behind-proxy, X-Forwarded-Host is ignored" 403
stop_server

# ---- TLS ----
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1
elif command -v certtool >/dev/null 2>&1; then
	certtool --generate-privkey --outfile "$T/key.pem" >/dev/null 2>&1
	printf 'cn = 127.0.0.1\nexpiration_days = 2\n' >"$T/cert.tmpl"
	certtool --generate-self-signed --load-privkey "$T/key.pem" --template "$T/cert.tmpl" \
		--outfile "$T/cert.pem" >/dev/null 2>&1
fi
if [ -s "$T/cert.pem" ] && [ -s "$T/key.pem" ]; then
	: >"$T/srv.out" # (as start_server: not the last server's address)
	"$KYOKUN" serve --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" >"$T/srv.out" 2>"$T/srv.err" &
	SRV=$!
	URL=""
	for _ in $(seq 1 100); do
		URL=$(sed -n 's|.* on \(https://[^ ]*\)/ .*|\1|p' "$T/srv.out")
		[ -n "$URL" ] && break
		sleep 0.1
	done
	if [ -n "$URL" ]; then
		ok "session: TLS: serves https"
		signin alice "$PW" -k
		expect_code "session: TLS: sign-in" 303
		hdr_has "session: TLS: the cookie is Secure" '^set-cookie: kyokun_session=.*; Secure'
		get / -k -b "kyokun_session=$COOKIE"
		body_has "session: TLS: signed in" 'class="who-name">alice<'
	else
		fail "session: TLS: serves https" "$(cat "$T/srv.err")"
	fi
	stop_server
	run serve --tls-cert "$T/key.pem" --tls-key "$T/key.pem"
	expect_rc "session: TLS: a key given as the certificate is refused" 1
	expect_err "session: TLS: ... saying so" 'tls-cert .*not a PEM certificate'
	run serve --tls-cert "$T/cert.pem" --tls-key "$T/nonexistent.pem"
	expect_rc "session: TLS: a missing key file is refused" 1
	expect_err "session: TLS: ... naming it" 'nonexistent.pem'
	run serve --tls-cert "$T/cert.pem"
	expect_rc "session: TLS: --tls-cert alone is a usage error" 2
else
	skip "session: TLS" "neither openssl nor certtool can make a test certificate"
fi
