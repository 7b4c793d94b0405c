#!/bin/sh
# tests/cli/test_ops_http.sh - what an operator runs `kyokun serve` with:
# GET /healthz (200 with a small JSON body while the database answers, 503
# once it is damaged), GET /metrics (the Prometheus text format, parsed
# here; counters that grow; loopback or admins only: a remote client through
# a trusted proxy gets the 404 of any unknown page, an admin's bearer token
# is let in), and the access log (one JSON object a line, control characters
# escaped, the user's login, --access-log - for stderr, reopened on SIGHUP).
. "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip "ops" "curl or python3 is not installed"
	exit 0
fi

run init
run add "$FIX/web/cases.json"
expect_rc "ops: fixtures load" 0
printf 'Quartz-lantern-4821-fjord\n' >"$T/pw"
run org add "運用センター" --kind centre
run user add admin1 --role admin --org "運用センター" --password-file "$T/pw"
expect_rc "ops: an admin" 0
run user add analyst1 --role analyst --org "運用センター" --no-password
run token create admin1 --name metrics
ADMIN_TOKEN=$(tail -1 "$T/out")
run token create analyst1 --name metrics
ANALYST_TOKEN=$(tail -1 "$T/out")
[ -n "$ADMIN_TOKEN" ] && [ -n "$ANALYST_TOKEN" ] && ok "ops: tokens made" || fail "ops: tokens made" "$(cat "$T/err")"

LOG="$T/access.log"
start_server --behind-proxy --access-log "$LOG"
if [ -z "$PORT" ]; then
	fail "ops: server starts" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi

# (get, expect_code, hdr_has: in lib.sh)

# ---- /healthz ----
get /healthz
expect_code "ops: /healthz 200" 200
hdr_has "ops: /healthz is JSON" '^content-type: application/json'
hdr_has "ops: /healthz is never cached (no-store)" '^cache-control: no-store'
if python3 - "$T/body" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok", d
assert isinstance(d["schema"], int) and d["schema"] > 0, d
assert isinstance(d["cases"], int) and d["cases"] >= 1, d
assert set(d) == {"status", "schema", "cases"}, d
EOF
then ok "ops: /healthz says ok, the schema and the cases anyone may see, nothing more"; else
	fail "ops: /healthz says ok, the schema and the cases anyone may see, nothing more" "$(cat "$T/body")"; fi
CLEAR=$(curl -s "$URL/api/cases?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
if grep -q "\"cases\":$CLEAR[,}]" "$T/body"; then ok "ops: /healthz counts what /api/cases shows anyone ($CLEAR)"; else
	fail "ops: /healthz counts what /api/cases shows anyone ($CLEAR)" "$(cat "$T/body")"; fi
get /healthz -X POST
expect_code "ops: POST /healthz is 405" 405

# ---- /metrics from loopback ----
# metric FILE NAME LABELS-SUBSTRING: the value of the first sample of NAME whose labels contain it (0 if none)
metric() {
	python3 - "$@" <<'EOF'
import sys
path, name, want = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""
for line in open(path, encoding="utf-8"):
    if line.startswith("#"):
        continue
    head, _, value = line.rstrip("\n").rpartition(" ")
    n = head.split("{", 1)[0]
    if n == name and want in head:
        print(value)
        break
else:
    print(0)
EOF
}
get /metrics
expect_code "ops: /metrics from loopback: 200" 200
hdr_has "ops: /metrics is text/plain; version=0.0.4" '^content-type: text/plain; version=0\.0\.4'
hdr_has "ops: /metrics is never cached" '^cache-control: no-store'
cp "$T/body" "$T/m1"
# a tiny parser of the text exposition format: every line a comment (# HELP / # TYPE) or a sample
if python3 - "$T/m1" >"$T/parse" 2>&1 <<'EOF'
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{(%s(,%s)*)?\})? (-?[0-9.]+(e[+-]?[0-9]+)?|\+Inf|-Inf|NaN)$" % (name, label, label))
comment = re.compile(r"^# (HELP %s .*|TYPE %s (counter|gauge|histogram|summary|untyped))$" % (name, name))
types, seen = {}, set()
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n"), "no final newline"
for i, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("#"):
        assert comment.match(line), "line %d: %r" % (i, line)
        parts = line.split(" ")
        if parts[1] == "TYPE":
            assert parts[2] not in types, "line %d: a second TYPE for %s" % (i, parts[2])
            types[parts[2]] = parts[3]
        continue
    m = sample.match(line)
    assert m, "line %d is neither a comment nor a sample: %r" % (i, line)
    n = m.group(1)
    base = re.sub(r"_(bucket|sum|count)$", "", n) if n not in types else n
    assert base in types, "line %d: %s has no TYPE before it" % (i, n)
    assert (line.rsplit(" ", 1)[0]) not in seen, "line %d: a sample twice" % i
    seen.add(line.rsplit(" ", 1)[0])
for want in ["kyokun_http_requests_total", "kyokun_http_request_duration_seconds",
             "kyokun_http_cache_hits_total", "kyokun_http_cache_misses_total", "kyokun_http_connections",
             "kyokun_signins_total", "kyokun_cases", "process_start_time_seconds"]:
    assert want in types, "no %s" % want
assert types["kyokun_http_request_duration_seconds"] == "histogram"
assert types["kyokun_http_requests_total"] == "counter"
# each histogram's buckets are cumulative and end with +Inf == _count
lines = [l for l in text.split("\n") if l.startswith("kyokun_http_request_duration_seconds")]
buckets = {}
counts = {}
for l in lines:
    head, v = l.rsplit(" ", 1)
    if "_bucket{" in head:
        key = re.sub(r',le="[^"]*"', "", head.replace("_bucket", ""))
        buckets.setdefault(key, []).append(float(v))
    elif "_count{" in head:
        counts[head.replace("_count", "")] = float(v)
assert buckets, "no histogram buckets"
for k, b in buckets.items():
    assert b == sorted(b), "%s: buckets not cumulative" % k
    assert counts[k] == b[-1], "%s: _count %s != +Inf %s" % (k, counts[k], b[-1])
print("%d samples, %d metrics" % (len(seen), len(types)))
EOF
then ok "ops: /metrics parses as Prometheus text ($(cat "$T/parse"))"; else
	fail "ops: /metrics parses as Prometheus text" "$(cat "$T/parse")"; fi
grep -q '^kyokun_cases{tlp="red"} 1$' "$T/m1" && grep -q '^kyokun_cases{tlp="amber+strict"} 1$' "$T/m1" &&
	ok "ops: /metrics counts the cases by TLP (every case: the operator's view)" ||
	fail "ops: /metrics counts the cases by TLP (every case: the operator's view)" "$(grep kyokun_cases "$T/m1")"
st=$(metric "$T/m1" process_start_time_seconds)
now=$(date +%s)
if [ "${st%.*}" -gt $((now - 120)) ] && [ "${st%.*}" -le "$now" ]; then ok "ops: process_start_time_seconds is now-ish"; else
	fail "ops: process_start_time_seconds is now-ish" "$st vs $now"; fi
c=$(metric "$T/m1" kyokun_http_connections)
[ "$c" -ge 1 ] && ok "ops: open connections counted ($c)" || fail "ops: open connections counted" "$c"

# counters grow
h0=$(metric "$T/m1" kyokun_http_requests_total 'route="/healthz",status="200"')
d0=$(metric "$T/m1" kyokun_http_request_duration_seconds_count 'route="/healthz"')
for _ in 1 2 3; do curl -s -o /dev/null "$URL/healthz"; done
curl -s -o /dev/null "$URL/no-such-page"
curl -s -o /dev/null "$URL/"
curl -s -o /dev/null "$URL/"
get /metrics
cp "$T/body" "$T/m2"
h1=$(metric "$T/m2" kyokun_http_requests_total 'route="/healthz",status="200"')
d1=$(metric "$T/m2" kyokun_http_request_duration_seconds_count 'route="/healthz"')
if [ $((h1 - h0)) -eq 3 ] && [ $((d1 - d0)) -eq 3 ]; then ok "ops: requests and latency count 3 more /healthz"; else
	fail "ops: requests and latency count 3 more /healthz" "requests $h0 -> $h1, latency count $d0 -> $d1"; fi
n404=$(metric "$T/m2" kyokun_http_requests_total 'route="-",status="404"')
[ "$n404" -ge 1 ] && ok "ops: a path no route takes is counted under route=\"-\"" ||
	fail "ops: a path no route takes is counted under route=\"-\"" "$(grep 'status="404"' "$T/m2")"
hits=$(metric "$T/m2" kyokun_http_cache_hits_total)
miss=$(metric "$T/m2" kyokun_http_cache_misses_total)
[ "$hits" -ge 1 ] && [ "$miss" -ge 1 ] && ok "ops: cache hits ($hits) and misses ($miss) counted" ||
	fail "ops: cache hits and misses counted" "hits $hits misses $miss"
# sign-ins: one failed, one ok (through the form, as a browser)
curl -s -o /dev/null -H "Origin: $URL" --data-urlencode login=admin1 --data-urlencode password=wrong "$URL/signin"
curl -s -o /dev/null -H "Origin: $URL" --data-urlencode login=admin1 --data-urlencode "password=Quartz-lantern-4821-fjord" "$URL/signin"
get /metrics
cp "$T/body" "$T/m3"
if [ "$(metric "$T/m3" kyokun_signins_total 'result="failed"')" = 1 ] && [ "$(metric "$T/m3" kyokun_signins_total 'result="ok"')" = 1 ]; then
	ok "ops: sign-ins counted, ok and failed"
else
	fail "ops: sign-ins counted, ok and failed" "$(grep signins "$T/m3")"
fi

# ---- /metrics refused to everyone else ----
get /no-such-page
cp "$T/body" "$T/notfound"
get /metrics -H "X-Forwarded-For: 203.0.113.9"
expect_code "ops: /metrics through the proxy for a remote anonymous client: 404" 404
# (its links to itself aside: an unknown path's page links to "/")
sed 's|/metrics?lang|/?lang|g; s|next=%2Fmetrics|next=%2F|g' "$T/body" >"$T/refused"
if cmp -s "$T/refused" "$T/notfound"; then ok "ops: ... the very page of an unknown address"; else
	fail "ops: ... the very page of an unknown address" "$(diff "$T/refused" "$T/notfound" | head -5)"; fi
if grep -q kyokun_ "$T/body"; then fail "ops: ... showing no counter" "$(grep kyokun_ "$T/body" | head -3)"; else
	ok "ops: ... showing no counter"; fi
get /metrics -H "X-Forwarded-For: 203.0.113.9" -H "Authorization: Bearer $ANALYST_TOKEN"
expect_code "ops: /metrics for a remote analyst (bearer token): 404" 404
get /metrics -H "X-Forwarded-For: 203.0.113.9" -H "Authorization: Bearer $ADMIN_TOKEN"
expect_code "ops: /metrics for a remote admin (bearer token): 200" 200
grep -q '^kyokun_http_requests_total{' "$T/body" && ok "ops: ... with the counters" || fail "ops: ... with the counters" "$(head -c 300 "$T/body")"
get /metrics -H "X-Forwarded-For: ::1"
expect_code "ops: /metrics through the proxy for a client on this machine: 200" 200
# after an answered 200, still refused to the remote one (no cache mixes them up)
get /metrics -H "X-Forwarded-For: 2001:db8::7"
expect_code "ops: /metrics through the proxy for a remote IPv6 client: 404" 404
get /healthz -H "X-Forwarded-For: 203.0.113.9"
expect_code "ops: /healthz is public (a remote client: 200)" 200

# ---- the access log ----
# a request line with raw control bytes (curl would not send them)
python3 - "$PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b'GET /ctl\x01\x1b[31m"q\\\x7f\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
while s.recv(4096):
    pass
EOF
curl -s -o /dev/null "$URL/cases/%01x?q=%1b%0a"
sleep 0.3
if python3 - "$LOG" >"$T/logcheck" 2>&1 <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\n")
for b in raw:
    assert b >= 0x20 or b == 0x0a, "a raw control byte %#x in the log" % b
    assert b != 0x7f, "a raw DEL in the log"
lines = raw.decode("utf-8").split("\n")[:-1]
recs = [json.loads(l) for l in lines]
for r in recs:
    for k in ("time", "client", "method", "route", "path", "status", "bytes", "ms"):
        assert k in r, "no %s in %r" % (k, r)
    assert r["time"].endswith("Z") and r["time"][10] == "T", r["time"]
    assert isinstance(r["status"], int) and isinstance(r["bytes"], int)
ctl = [r for r in recs if r["path"].startswith("/ctl")]
assert ctl, "the raw request is not logged"
assert ctl[0]["path"] == '/ctl\x01\x1b[31m"q\\\x7f\ufffd', repr(ctl[0]["path"])
assert "\\u001b" in [l for l in lines if "/ctl" in l][0]
enc = [r for r in recs if r["path"] == "/cases/%01x"]
assert enc and enc[0]["query"] == "q=%1b%0a", enc
m = [r for r in recs if r["path"] == "/metrics" and r["status"] == 200 and r.get("user") == "admin1"]
assert m and m[0]["client"] == "203.0.113.9" and m[0]["route"] == "/metrics", "the admin's request: %r" % m
anon = [r for r in recs if r["path"] == "/healthz"]
assert anon and all("user" not in r and "cached" not in r for r in anon), "healthz: %r" % anon
h = [r for r in recs if r["path"] == "/" and r.get("cached")]
assert h, "no cached request logged as such"
print("%d lines" % len(recs))
EOF
then ok "ops: access log: every line one JSON object, control characters escaped, user and route ($(cat "$T/logcheck"))"; else
	fail "ops: access log: every line one JSON object, control characters escaped, user and route" "$(cat "$T/logcheck")"; fi

# ---- SIGHUP reopens the log (logrotate: move, signal, new file) ----
mv "$LOG" "$LOG.1"
curl -s -o /dev/null "$URL/healthz?before-hup"
kill -HUP "$SRV"
sleep 0.3
curl -s -o /dev/null "$URL/healthz?after-hup"
sleep 0.2
if kill -0 "$SRV" 2>/dev/null; then ok "ops: SIGHUP does not stop the server"; else fail "ops: SIGHUP does not stop the server" "$(cat "$T/srv.err")"; fi
if [ -f "$LOG" ] && grep -q 'after-hup' "$LOG" && ! grep -q 'before-hup' "$LOG"; then
	ok "ops: after SIGHUP new requests go to a new file"
else
	fail "ops: after SIGHUP new requests go to a new file" "$(ls -l "$T" | grep access; cat "$LOG" 2>/dev/null | tail -2)"
fi
if grep -q 'before-hup' "$LOG.1" && ! grep -q 'after-hup' "$LOG.1"; then
	ok "ops: ... and the ones before it stayed in the moved one"
else
	fail "ops: ... and the ones before it stayed in the moved one" "$(tail -2 "$LOG.1")"
fi

# ---- 503 once the database is damaged ----
# overwritten in place, at its size (the server keeps its connections open)
python3 - "$KYOKUN_DB" <<'EOF'
import os, sys
n = os.path.getsize(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.write(b"\xff" * n)
EOF
get /healthz
expect_code "ops: /healthz 503 once the database is damaged" 503
if grep -q '"status":"unavailable"' "$T/body"; then ok "ops: ... saying unavailable"; else fail "ops: ... saying unavailable" "$(cat "$T/body")"; fi
grep -q 'healthz: the database does not answer' "$T/srv.err" && ok "ops: ... and why, on stderr" ||
	fail "ops: ... and why, on stderr" "$(tail -3 "$T/srv.err")"
stop_server

# ---- --access-log - : standard error; a file that cannot be opened: refused at start ----
rm -f "$KYOKUN_DB" "$KYOKUN_DB-wal" "$KYOKUN_DB-shm"
run init
start_server --access-log -
curl -s -o /dev/null "$URL/healthz?to-stderr"
sleep 0.2
stop_server
if grep '"path":"/healthz"' "$T/srv.err" | grep -q '"query":"to-stderr"' &&
	grep '"query":"to-stderr"' "$T/srv.err" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]'; then
	ok "ops: --access-log - logs JSON lines on standard error"
else
	fail "ops: --access-log - logs JSON lines on standard error" "$(tail -3 "$T/srv.err")"
fi
run serve --listen 127.0.0.1:0 --access-log "$T/no/such/dir/access.log"
expect_rc "ops: --access-log in a directory that does not exist: exit 1" 1
expect_err "ops: ... naming the file" "no/such/dir/access.log"
run serve --listen 127.0.0.1:0 --access-log
expect_rc "ops: --access-log without a file is a usage error" 2
