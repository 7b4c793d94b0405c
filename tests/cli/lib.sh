# tests/cli/lib.sh - a few helpers for the CLI test scripts (sourced).
#
# Each script runs commands against $KYOKUN (the binary under test) in its own
# temporary directory and reports one line per check:
#   ok - NAME / not ok - NAME / skip - NAME: WHY
# tests/run.sh counts these lines.
set -u
: "${KYOKUN:?set KYOKUN to the kyokun binary}"
: "${TOP:?set TOP to the source tree}"
SHARED=${SHARED:-$TOP/../shared}
. "$TOP/tests/python_path.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/kyokun-test.XXXXXX")
# Sanitizer reports of the ASan build go to files, checked when the script ends.
export ASAN_OPTIONS="log_path=$T/sanitizer:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$T/sanitizer:print_stacktrace=1"
san_check() {
	if ls "$T"/sanitizer.* >/dev/null 2>&1; then
		echo "not ok - sanitizer report"
		head -40 "$T"/sanitizer.* | sed 's/^/  /'
	fi
	rm -rf "$T"
}
# A server under test: start_server [ARGS...] serves the database on a free
# loopback port and sets URL ("http://127.0.0.1:PORT", "" if it did not start)
# and PORT; stop_server sends SIGTERM and waits (its status in SRV_RC).  The
# server is stopped when the script ends, before the sanitizer check.
SRV=""
stop_server() {
	if [ -n "$SRV" ]; then
		kill -TERM "$SRV" 2>/dev/null
		wait "$SRV" 2>/dev/null
		SRV_RC=$?
		SRV=""
	fi
}
start_server() {
	# emptied here, not only by the redirection below: that one is made by the background job
	# when it runs, and until then the loop would read the last server's address from the file
	# (a server stopped a moment ago: the flake of test_session's expiry checks)
	: >"$T/srv.out"
	: >"$T/srv.err"
	"$KYOKUN" serve --listen 127.0.0.1:0 "$@" >"$T/srv.out" 2>"$T/srv.err" &
	SRV=$!
	URL=""
	PORT=""
	# up to 30 s: an ASan build on a loaded machine can take more than 10 s to start
	for _ in $(seq 1 300); do
		URL=$(sed -n 's|.* on \(http://[^ ]*\)/ .*|\1|p' "$T/srv.out")
		[ -n "$URL" ] && break
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	PORT=${URL##*:}
	# what the tests that follow will fail on, said once (a TAP comment)
	if [ -z "$URL" ]; then
		if kill -0 "$SRV" 2>/dev/null; then state="still running, no address after 30 s"; else state="exited"; fi
		echo "# start_server $*: the server did not start ($state): $(head -c 600 "$T/srv.err" | tr '\n' ' ')"
	fi
}
trap 'stop_server; san_check' EXIT
export KYOKUN_DB="$T/k.db"
FIX="$TOP/tests/fixtures"

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; [ $# -gt 1 ] && printf '  %s\n' "$2" | head -20; return 0; }
skip() { echo "skip - $1: $2"; }

# run CMD...: runs the binary, keeping stdout in $T/out, stderr in $T/err, status in $RC
run() {
	"$KYOKUN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# expect_rc NAME N: the last run exited with N
expect_rc() {
	if [ "$RC" -eq "$2" ]; then ok "$1"; else fail "$1" "exit $RC, want $2; stderr: $(head -c 400 "$T/err")"; fi
}

# expect_out NAME PATTERN / expect_err NAME PATTERN (grep -E on stdout / stderr)
expect_out() {
	if grep -Eq -- "$2" "$T/out"; then ok "$1"; else fail "$1" "stdout lacks /$2/: $(head -c 400 "$T/out")"; fi
}
expect_err() {
	if grep -Eq -- "$2" "$T/err"; then ok "$1"; else fail "$1" "stderr lacks /$2/: $(head -c 400 "$T/err")"; fi
}
# check NAME CMD...: ok if CMD succeeds
check() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "failed: $*"; fi
}

# ---- the web server with curl (after start_server, which sets URL) ----
# get PATH [CURL ARGS...]: body in $T/body, headers in $T/hdr, status in $CODE
get() {
	local p=$1
	shift
	CODE=$(curl -s --max-time 30 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$URL$p")
}
# expect_code NAME WANT: the last response's status (on failure, the error
# page's detail if it has one, else the start of the body)
expect_code() {
	local d
	if [ "$CODE" = "$2" ]; then
		ok "$1"
	else
		d=$(grep -o 'error-detail[^<]*<' "$T/body" 2>/dev/null | head -2)
		[ -n "$d" ] || d=$(head -c 300 "$T/body" 2>/dev/null)
		fail "$1" "status $CODE, want $2: $d"
	fi
}
# body_has NAME FIXED-STRING / body_lacks NAME FIXED-STRING: the last response's body
body_has() {
	if grep -qF -- "$2" "$T/body"; then ok "$1"; else fail "$1" "body lacks '$2': $(head -c 300 "$T/body")"; fi
}
body_lacks() {
	if grep -qF -- "$2" "$T/body"; then fail "$1" "body has '$2': $(grep -oF -- "$2" "$T/body" | head -3)"; else ok "$1"; fi
}
# hdr_has NAME REGEX: a header line of the last response matches (grep -Ei,
# the lines without their CR)
hdr_has() {
	if tr -d '\r' <"$T/hdr" | grep -qiE -- "$2"; then ok "$1"; else fail "$1" "headers lack /$2/: $(tr -d '\r' <"$T/hdr")"; fi
}
# signin JAR LOGIN [PASSWORD]: a browser's sign-in with a cookie jar (the form,
# then the POST with an Origin header); the password defaults to $PW.  The
# response in $T/body and $T/hdr, its status in $CODE (303 when signed in).
signin() {
	rm -f "$1"
	curl -s --max-time 30 -c "$1" -b "$1" -o /dev/null "$URL/signin"
	CODE=$(curl -s --max-time 30 -c "$1" -b "$1" -o "$T/body" -D "$T/hdr" -w '%{http_code}' -H "Origin: $URL" \
		--data-urlencode "login=$2" --data-urlencode "password=${3-$PW}" "$URL/signin")
}
# csrf JAR: the session's CSRF token (every signed-in page has it in the
# sign-out form; this reads /account)
csrf() {
	curl -s --max-time 30 -b "$1" "$URL/account" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1
}

# ---- the case editor's form (test_web_edit, test_approve, test_publication) ----
# form_of JAR PATH: the editor form of the page at PATH (/cases/ID/edit, /drafts/ID/edit) as a
# urlencoded body, every field as a browser would send it unchanged
# (python reads the page's form: inputs, selected options, checked boxes, textareas)
form_of() { # JAR PATH
	curl -s --max-time 30 -b "$1" "$URL$2" | python3 -c '
import html, re, sys, urllib.parse
page = sys.stdin.read()
m = re.search(r"<form class=\"form edit-form\".*?</form>", page, re.S)
form = m.group(0) if m else ""
pairs = []
for tag in re.finditer(r"<input\b([^>]*)>|<(select|textarea)\b([^>]*)>(.*?)</(?:select|textarea)>", form, re.S):
    if tag.group(1) is not None:
        kind, attrs, inner = "input", tag.group(1), ""
    else:
        kind, attrs, inner = tag.group(2), tag.group(3), tag.group(4)
    name = re.search(r"name=\"([^\"]*)\"", attrs)
    if not name:
        continue
    name = html.unescape(name.group(1))
    if kind == "input":
        if "type=\"checkbox\"" in attrs and " checked" not in attrs:
            continue
        v = re.search(r"value=\"([^\"]*)\"", attrs)
        pairs.append((name, html.unescape(v.group(1)) if v else ""))
    elif kind == "select":
        v = re.search(r"<option value=\"([^\"]*)\" selected", inner)
        pairs.append((name, html.unescape(v.group(1)) if v else ""))
    else:
        body = inner
        if body.startswith("\n"):
            body = body[1:]
        pairs.append((name, html.unescape(body)))
print(urllib.parse.urlencode(pairs))
'
}
# set_field FORMFILE NAME VALUE [append]: replace the first field called NAME
# (with "append": add VALUE to its end); a field the form lacks is added
set_field() {
	python3 - "$1" "$2" "$3" "${4:-}" <<'EOF'
import sys, urllib.parse
path, name, value, mode = sys.argv[1:5]
pairs = urllib.parse.parse_qsl(open(path).read().strip(), keep_blank_values=True)
done = False
out = []
for k, v in pairs:
    if k == name and not done:
        v, done = (v + value if mode == "append" else value), True
    out.append((k, v))
if not done:
    out.append((name, value))
open(path, "w").write(urllib.parse.urlencode(out))
EOF
}
