#!/bin/sh
# tests/cli/test_accounts.sh - accounts at the command line: kyokun org,
# user, token and audit, with good and bad input (unknown role, kind or
# sector, short or common passwords, bad logins, duplicates, unknown
# organisations and users, a role without the organisation it needs); a
# new token printed alone on the last line and only its hash stored; an
# audit entry for each write (add and delete of cases too) and none for a
# refused command, which writes nothing; the audit log as valid JSON; a
# password typed at a terminal is not echoed.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_accounts.sh
. "$(dirname "$0")/lib.sh"

HAVE_SQLITE=1
command -v sqlite3 >/dev/null 2>&1 || HAVE_SQLITE=0
HAVE_PY=1
command -v python3 >/dev/null 2>&1 || HAVE_PY=0

# runin TEXT CMD...: run with TEXT (and a newline) on standard input
runin() {
	text=$1
	shift
	printf '%s\n' "$text" | "$KYOKUN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# sql QUERY: one value from the database (needs sqlite3)
sql() {
	sqlite3 "$KYOKUN_DB" "$1"
}

# audit_count: the audit log's length, read through kyokun
audit_count() {
	"$KYOKUN" audit | wc -l | tr -d ' '
}

# same_audit NAME BEFORE: ok if the audit log still has BEFORE entries
same_audit() {
	n=$(audit_count)
	if [ "$n" = "$2" ]; then ok "$1"; else fail "$1" "audit entries $n, want $2"; fi
}

# has_audit NAME PATTERN: an audit line (tab-separated) matching PATTERN
has_audit() {
	if "$KYOKUN" audit | grep -Eq -- "$2"; then ok "$1"; else fail "$1" "no audit line /$2/: $("$KYOKUN" audit | tail -3)"; fi
}

GOOD='vT8#kq2!Lm0pZ'
GOOD2='Rw5$ny7@Hc3xQ'
ME="local:$(id -un 2>/dev/null || id -u)"

# ---- organisations ----

run org add "国家サイバー統括室" --kind centre
expect_rc "org add: a centre" 0
run org add "経済産業省" --kind ministry --sector 電力 --sector gas
expect_rc "org add: a ministry with two sectors (Japanese and tag)" 0
run org add "ACME電力" --sector electricity
expect_rc "org add: an operator (the default kind)" 0
run org add "空の省" --kind ministry
expect_rc "org add: a ministry without sectors is allowed" 0
expect_err "org add: says a ministry without sectors cannot have liaisons" "cannot have liaisons"
n0=$(audit_count)
has_audit "audit: org.add with kind and sectors" "	$ME	cli	org.add	org:経済産業省	kind ministry; sectors electricity, gas$"

run org add "ACME電力"
expect_rc "org add: a duplicate name exits 1" 1
expect_err "org add: says the name exists" "exists already"
run org add "X社" --kind company
expect_rc "org add: an unknown kind is a usage error" 2
expect_err "org add: names the kinds" "operator, ministry, centre or other"
run org add "X社" --sector space
expect_rc "org add: an unknown sector is a usage error" 2
expect_err "org add: names the sector" "unknown sector \"space\""
run org add "X社" --sector gas --sector ガス
expect_rc "org add: a sector twice is a usage error" 2
run org add ""
expect_rc "org add: an empty name is a usage error" 2
run org add "$(printf 'bad\001name')"
expect_rc "org add: a control character is refused" 2
run org add
expect_rc "org add: no name is a usage error" 2
run org frobnicate
expect_rc "org: an unknown subcommand is a usage error" 2
same_audit "org: refused commands write no audit entry" "$n0"

run org list
expect_rc "org list" 0
expect_out "org list: tab-separated name, kind, sectors" "^経済産業省	ministry	electricity,gas	"
run org list --format json
if [ "$HAVE_PY" -eq 1 ]; then
	if python3 -m json.tool "$T/out" >/dev/null 2>&1; then ok "org list --format json: valid JSON"; else fail "org list --format json: valid JSON" "$(head -c 300 "$T/out")"; fi
fi
expect_out "org list --format json: the sectors" '"sectors": \['

# ---- users ----

runin "$GOOD" user add admin --role admin --org 国家サイバー統括室 --name "管理者" --email admin@example.jp
expect_rc "user add: an admin, password from stdin" 0
printf '%s\n' "$GOOD2" >"$T/pw"
run user add tanaka --role reporter --org ACME電力 --password-file "$T/pw"
expect_rc "user add: a reporter, password from a file" 0
runin "$GOOD" user add sato --role liaison --org 経済産業省
expect_rc "user add: a liaison of a ministry with sectors" 0
run user add bot --role analyst --no-password
expect_rc "user add: an analyst without a password (tokens only)" 0
has_audit "audit: user.add with role and organisation" "	user.add	user:tanaka	role reporter; organisation ACME電力$"
n1=$(audit_count)
nusers=$("$KYOKUN" user list | wc -l | tr -d ' ')

runin "$GOOD" user add suzuki --role boss
expect_rc "user add: an unknown role is a usage error" 2
expect_err "user add: names the roles" "reporter, liaison, analyst, publisher or admin"
runin "$GOOD" user add suzuki
expect_rc "user add: no --role is a usage error" 2
runin "$GOOD" user add Suzuki --role analyst
expect_rc "user add: an upper-case login is a usage error" 2
expect_err "user add: says what a login may hold" "lower-case a-z"
runin "$GOOD" user add -- -suzuki --role analyst
expect_rc "user add: a login starting with '-' is a usage error" 2
runin "$GOOD" user add "$(printf 'a%.0s' $(seq 1 65))" --role analyst
expect_rc "user add: a login of 65 characters is a usage error" 2
runin "$GOOD" user add suzuki --role analyst --email "not an address"
expect_rc "user add: a bad e-mail address is a usage error" 2
runin "$GOOD" user add tanaka --role analyst
expect_rc "user add: a duplicate login exits 1" 1
expect_err "user add: says the login is taken" "exists already"
runin "$GOOD" user add suzuki --role reporter --org "無い会社"
expect_rc "user add: an unknown organisation exits 1" 1
expect_err "user add: says there is no such organisation" "no organisation named \"無い会社\""
runin "$GOOD" user add suzuki --role reporter
expect_rc "user add: a reporter without an organisation exits 1" 1
expect_err "user add: says a reporter needs one" "a reporter needs an organisation"
runin "$GOOD" user add suzuki --role liaison --org ACME電力
expect_rc "user add: a liaison of an operator exits 1" 1
expect_err "user add: says a liaison's organisation must be a ministry" "must be a ministry"
runin "$GOOD" user add suzuki --role liaison --org 空の省
expect_rc "user add: a liaison of a ministry without sectors exits 1" 1
expect_err "user add: says the ministry needs sectors" "must have sectors"
runin "short-Pw1!" user add suzuki --role analyst
expect_rc "user add: a short password exits 1" 1
expect_err "user add: says it is too short" "too short: at least 12"
for pw in password1234 123456789012 qwertyuiop12 'P@ssw0rd2024' sakura123456; do
	runin "$pw" user add suzuki --role analyst
	expect_rc "user add: common password $pw exits 1" 1
	expect_err "user add: says $pw is too common" "too common"
done
runin "xx-suzuki-xx-42" user add suzuki --role analyst
expect_rc "user add: a password containing the login exits 1" 1
expect_err "user add: says it contains the login" "contains the login"
run user add suzuki --role analyst </dev/null
expect_rc "user add: no password on stdin exits 1" 1
expect_err "user add: says no password was given" "no password given"
printf '\n' >"$T/empty"
run user add suzuki --role analyst --password-file "$T/empty"
expect_rc "user add: an empty password file exits 1" 1
run user add suzuki --role analyst --password-file "$T/none"
expect_rc "user add: a missing password file exits 1" 1
run user add suzuki --role analyst --password-file "$T/pw" --no-password
expect_rc "user add: --password-file with --no-password is a usage error" 2
run user list --role admin
expect_rc "user list: an option it does not take is a usage error" 2
same_audit "user: refused commands write no audit entry" "$n1"
n=$("$KYOKUN" user list | wc -l | tr -d ' ')
if [ "$n" = "$nusers" ]; then ok "user: refused commands add no user"; else fail "user: refused commands add no user" "$n users, want $nusers"; fi

run user list
expect_rc "user list" 0
expect_out "user list: login, role, organisation, status" "^tanaka	reporter	ACME電力	active	"
expect_out "user list: a user without an organisation" "^bot	analyst		active	"
run user list --format json
if [ "$HAVE_PY" -eq 1 ]; then
	if python3 -m json.tool "$T/out" >/dev/null 2>&1; then ok "user list --format json: valid JSON"; else fail "user list --format json: valid JSON" "$(head -c 300 "$T/out")"; fi
fi
if grep -q 'argon2' "$T/out"; then fail "user list: no password hashes"; else ok "user list: no password hashes"; fi
if [ "$HAVE_SQLITE" -eq 1 ]; then
	if [ "$(sql "SELECT substr(password, 1, 31) FROM users WHERE login = 'tanaka'")" = '$argon2id$v=19$m=19456,t=2,p=1$' ]; then
		ok "user add: the password is stored as an argon2id hash with its parameters"
	else
		fail "user add: the password is stored as an argon2id hash with its parameters" "$(sql "SELECT password FROM users WHERE login = 'tanaka'")"
	fi
	if sqlite3 "$KYOKUN_DB" .dump | grep -qF "$GOOD2"; then fail "user add: the password is nowhere in the database"
	else ok "user add: the password is nowhere in the database"; fi
	if [ "$(sql "SELECT password IS NULL FROM users WHERE login = 'bot'")" = 1 ]; then ok "user add --no-password: no hash"
	else fail "user add --no-password: no hash"; fi
fi

# passwd, role, disable, enable, set
printf '%s\n' "$GOOD" >"$T/pw2"
n=$(audit_count)
run user passwd tanaka --password-file "$T/pw2"
expect_rc "user passwd" 0
has_audit "audit: user.password" "	user.password	user:tanaka	"
run user passwd tanaka --password-file "$T/empty"
expect_rc "user passwd: an empty password exits 1" 1
runin "password1234" user passwd tanaka
expect_rc "user passwd: a common password exits 1" 1
run user passwd nobody --password-file "$T/pw2"
expect_rc "user passwd: an unknown user exits 1" 1
expect_err "user passwd: says there is no such user" "no user with login \"nobody\""
same_audit "user passwd: refused changes write no audit entry" "$((n + 1))"

run user role tanaka analyst
expect_rc "user role" 0
has_audit "audit: user.role, old and new" "	user.role	user:tanaka	reporter -> analyst$"
n=$(audit_count)
run user role tanaka analyst
expect_rc "user role: the same role again is no change" 0
run user role tanaka boss
expect_rc "user role: an unknown role is a usage error" 2
run user role bot reporter
expect_rc "user role: reporter without an organisation exits 1" 1
run user role nobody admin
expect_rc "user role: an unknown user exits 1" 1
run user role tanaka
expect_rc "user role: no role is a usage error" 2
same_audit "user role: no change and refused changes write no audit entry" "$n"
if [ "$HAVE_SQLITE" -eq 1 ] && [ "$(sql "SELECT role FROM users WHERE login = 'bot'")" = analyst ]; then
	ok "user role: a refused change leaves the role"
elif [ "$HAVE_SQLITE" -eq 1 ]; then fail "user role: a refused change leaves the role"; fi

run user disable tanaka
expect_rc "user disable" 0
has_audit "audit: user.disable" "	user.disable	user:tanaka	"
run user list
expect_out "user list: a disabled user" "^tanaka	analyst	ACME電力	disabled	"
run user disable tanaka
expect_rc "user disable: twice is no change" 0
run user enable tanaka
expect_rc "user enable" 0
has_audit "audit: user.enable" "	user.enable	user:tanaka	"
run user set tanaka --name "田中 健" --email tanaka@example.jp --org 国家サイバー統括室
expect_rc "user set" 0
has_audit "audit: user.update of the organisation" "	user.update	user:tanaka	organisation: ACME電力 -> 国家サイバー統括室$"
run user set tanaka
expect_rc "user set: nothing to change is a usage error" 2
run user set tanaka --org 無い会社
expect_rc "user set: an unknown organisation exits 1" 1

# a password typed at a terminal: asked twice, not echoed
if [ "$HAVE_PY" -eq 1 ]; then
	cat >"$T/typepw.py" <<'EOF'
import os, pty, select, signal, sys, time
pw = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
def until(want, t=20):
    global out
    end = time.time() + t
    while want not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if not r:
            break
        try:
            d = os.read(fd, 1024)
        except OSError:
            break
        if not d:
            break
        out += d
until(b"Password for")
os.write(fd, pw.encode() + b"\n")
until(b"Again")
os.write(fd, pw.encode() + b"\n")
until(b"added user")
until(b"__never__", 2)
done, st = os.waitpid(pid, os.WNOHANG)
if done == 0:
    os.kill(pid, signal.SIGKILL)
    out += b"\n(killed: still running)"
    _, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(st))
EOF
	python3 "$T/typepw.py" "$GOOD2" "$KYOKUN" user add ito --role publisher >"$T/tty.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "Again" "$T/tty.out" && grep -q "added user ito" "$T/tty.out"; then
		ok "user add: a password typed at a terminal, twice"
	else
		fail "user add: a password typed at a terminal, twice" "exit $rc: $(head -c 300 "$T/tty.out")"
	fi
	if grep -qF "$GOOD2" "$T/tty.out"; then fail "user add: the typed password is not echoed"
	else ok "user add: the typed password is not echoed"; fi
else
	skip "user add: a password typed at a terminal" "no python3"
fi

# ---- tokens ----

n=$(audit_count)
run token create tanaka --name "nightly export" --expires 30
expect_rc "token create" 0
TOKEN=$(tail -1 "$T/out")
if [ "$(wc -l <"$T/out" | tr -d ' ')" = 1 ] && printf '%s' "$TOKEN" | grep -Eq '^kyk_[A-Za-z0-9_-]{43}$'; then
	ok "token create: the token alone on the last line of stdout"
else
	fail "token create: the token alone on the last line of stdout" "$(cat "$T/out")"
fi
expect_err "token create: says it is shown once" "shown this once"
has_audit "audit: token.create" "	token.create	token:1	user tanaka; prefix ${TOKEN%"${TOKEN#??????????}"}; expires "
if [ "$HAVE_SQLITE" -eq 1 ]; then
	if sqlite3 "$KYOKUN_DB" .dump | grep -qF "$TOKEN"; then fail "token create: the token itself is not stored"
	else ok "token create: the token itself is not stored"; fi
	if sqlite3 "$KYOKUN_DB" .dump | grep -qF "${TOKEN#??????????}"; then fail "token create: not even its secret part"
	else ok "token create: not even its secret part"; fi
	want=$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)
	if [ "$(sql "SELECT hash FROM tokens WHERE id = 1")" = "$want" ]; then ok "token create: its SHA-256 is stored"
	else fail "token create: its SHA-256 is stored" "$(sql 'SELECT hash FROM tokens')"; fi
fi
run token create bot
expect_rc "token create: no expiry" 0
T2=$(tail -1 "$T/out")
if [ "$T2" != "$TOKEN" ]; then ok "token create: a new token each time"; else fail "token create: a new token each time"; fi
run token create nobody
expect_rc "token create: an unknown user exits 1" 1
run token create tanaka --expires 0
expect_rc "token create: --expires 0 is a usage error" 2
run token create tanaka --expires soon
expect_rc "token create: --expires soon is a usage error" 2
run token create
expect_rc "token create: no login is a usage error" 2
run user disable bot
run token create bot
expect_rc "token create: a disabled user exits 1" 1
expect_err "token create: says the user is disabled" "is disabled"
run user enable bot
same_audit "token create: writes one entry per token, none when refused" "$((n + 4))"

run token list
expect_rc "token list" 0
expect_out "token list: id, login, name, prefix, status" "^1	tanaka	nightly export	kyk_[^	]{6}	active	"
run token list tanaka
expect_rc "token list LOGIN" 0
if [ "$(wc -l <"$T/out" | tr -d ' ')" = 1 ]; then ok "token list LOGIN: that user's only"; else fail "token list LOGIN: that user's only" "$(cat "$T/out")"; fi
run token list nobody
expect_rc "token list: an unknown user exits 1" 1
run token list --format json
if [ "$HAVE_PY" -eq 1 ]; then
	if python3 -m json.tool "$T/out" >/dev/null 2>&1; then ok "token list --format json: valid JSON"; else fail "token list --format json: valid JSON" "$(head -c 300 "$T/out")"; fi
fi
if grep -qF "$TOKEN" "$T/out"; then fail "token list: never the token"; else ok "token list: never the token"; fi

run token revoke 1
expect_rc "token revoke" 0
has_audit "audit: token.revoke" "	token.revoke	token:1	user tanaka; prefix "
n=$(audit_count)
run token revoke 1
expect_rc "token revoke: twice exits 1" 1
expect_err "token revoke: says it is revoked already" "revoked already"
run token revoke 99
expect_rc "token revoke: an unknown id exits 1" 1
run token revoke one
expect_rc "token revoke: a bad id is a usage error" 2
same_audit "token revoke: refused revokes write no audit entry" "$n"
run token list tanaka
expect_out "token list: a revoked token" "^1	tanaka	.*	revoked	"

# ---- cases: add and delete are audited per case ----

cat >"$T/cases.jsonl" <<'EOF'
{"id":"acct-1","title":"一件目","tlp":"clear"}
{"id":"acct-2","title":"二件目","tlp":"amber"}
EOF
run add "$T/cases.jsonl"
expect_rc "add: two cases" 0
has_audit "audit: case.add of each case" "	$ME	cli	case.add	case:acct-2	"
sed 's/一件目/一件目 (改)/' "$T/cases.jsonl" >"$T/cases2.jsonl"
run add "$T/cases2.jsonl"
has_audit "audit: case.update of a changed case" "	case.update	case:acct-1	"
if "$KYOKUN" audit | grep -q "	case.update	case:acct-2	"; then fail "audit: an unchanged case writes no entry"
else ok "audit: an unchanged case writes no entry"; fi
n=$(audit_count)
printf '%s\n' '{"id":"acct-3","title":"三件目"}' '{"id":"acct-3","title":"重複"}' >"$T/dup.jsonl"
run add "$T/dup.jsonl"
expect_rc "add: a refused file exits 1" 1
same_audit "add: a refused file writes no audit entry" "$n"
run delete acct-2
expect_rc "delete" 0
has_audit "audit: case.delete" "	case.delete	case:acct-2	"
run delete acct-2
expect_rc "delete: twice exits 1" 1
same_audit "delete: a refused delete writes no audit entry" "$((n + 1))"

# ---- the audit log ----

run audit
expect_rc "audit" 0
if awk -F'\t' 'NF != 6 { bad = 1 } END { exit bad }' "$T/out"; then ok "audit: six tab-separated fields a line"
else fail "audit: six tab-separated fields a line" "$(awk -F'\t' 'NF != 6' "$T/out" | head -3)"; fi
run audit --format json
expect_rc "audit --format json" 0
if [ "$HAVE_PY" -eq 1 ]; then
	if python3 -m json.tool "$T/out" >/dev/null 2>&1; then ok "audit --format json: valid JSON"
	else fail "audit --format json: valid JSON" "$(head -c 300 "$T/out")"; fi
	cnt=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["entries"]) == d["count"], d["entries"][0]["action"])' "$T/out")
	if [ "$cnt" = "True org.add" ]; then ok "audit --format json: entries, oldest first"; else fail "audit --format json: entries, oldest first" "$cnt"; fi
fi
run audit --user "$ME"
expect_rc "audit --user" 0
if [ "$(wc -l <"$T/out" | tr -d ' ')" = "$(audit_count)" ]; then ok "audit --user: every entry is the command line's"
else fail "audit --user: every entry is the command line's"; fi
run audit --user nobody
if [ ! -s "$T/out" ]; then ok "audit --user: another actor has none"; else fail "audit --user: another actor has none" "$(head -3 "$T/out")"; fi
run audit --since 1h
expect_rc "audit --since 1h" 0
if [ "$(wc -l <"$T/out" | tr -d ' ')" = "$(audit_count)" ]; then ok "audit --since 1h: everything written just now"
else fail "audit --since 1h: everything written just now"; fi
run audit --since 2999-01-01
if [ "$RC" -eq 0 ] && [ ! -s "$T/out" ]; then ok "audit --since a future date: nothing"; else fail "audit --since a future date: nothing"; fi
run audit --since 2020-01-01T00:00:00Z
expect_rc "audit --since a UTC time" 0
run audit --since yesterday
expect_rc "audit --since yesterday is a usage error" 2
expect_err "audit --since: says what a time is" "not a time"
run audit --limit 1
if [ "$(wc -l <"$T/out" | tr -d ' ')" = 1 ] && grep -q "case.delete" "$T/out"; then ok "audit --limit 1: the newest"
else fail "audit --limit 1: the newest" "$(cat "$T/out")"; fi
run audit extra
expect_rc "audit: an argument is a usage error" 2

# append-only, whoever writes to the file
if [ "$HAVE_SQLITE" -eq 1 ]; then
	if sqlite3 "$KYOKUN_DB" "UPDATE audit SET actor = 'x'" 2>"$T/sqlerr"; then fail "audit: an UPDATE is refused"
	else ok "audit: an UPDATE is refused"; fi
	if sqlite3 "$KYOKUN_DB" "DELETE FROM audit" 2>"$T/sqlerr"; then fail "audit: a DELETE is refused"
	else ok "audit: a DELETE is refused"; fi
	if grep -q "append-only" "$T/sqlerr"; then ok "audit: says it is append-only"; else fail "audit: says it is append-only" "$(cat "$T/sqlerr")"; fi
fi

# read-only commands never create a database
rm -f "$T/none.db"
run --db "$T/none.db" user list
expect_rc "user list: no database exits 1" 1
run --db "$T/none.db" audit
expect_rc "audit: no database exits 1" 1
if [ ! -e "$T/none.db" ]; then ok "read-only commands create no database"; else fail "read-only commands create no database"; fi
run --db "$T/none.db" user add x --role boss
if [ ! -e "$T/none.db" ]; then ok "a usage error creates no database"; else fail "a usage error creates no database"; fi

# help
run help user
expect_out "help user: the subcommands" "kyokun user passwd LOGIN"
run help token
expect_out "help token: the last line" "last line"
run help audit
expect_out "help audit: --since" "--since TIME"
run org --help
expect_out "org --help: usage" "kyokun org add NAME"
