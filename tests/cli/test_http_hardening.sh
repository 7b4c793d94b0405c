#!/bin/sh
# tests/cli/test_http_hardening.sh - `kyokun serve` against hostile clients,
# on loopback only, each check bounded in time: requests libmicrohttpd cannot
# parse in its per-connection memory (hundreds of query parameters or
# cookies) are answered at once, or at least closed at once, and leak
# nothing (RSS on the plain build, LeakSanitizer at SIGTERM on the ASan
# build); connections per client address are limited; a request trickled
# in (slowloris) is cut off after its deadline while others are served; a
# client that half-closes its connection after its request gets its answer;
# the access log escapes control bytes.  The raw requests are sent by a small
# python3 client ($T/client.py); 127.0.0.2 (loopback too) is a second client
# address.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	skip "hardening" "python3 is not installed"
	exit 0
fi
PY=$(python3 -c 'import sys; print(sys.executable)') # the interpreter itself (not a wrapper: it starts often)

run init
run add "$FIX/web/cases.json"
expect_rc "hardening: fixtures load" 0

# the ASan build: LeakSanitizer reports at exit (RSS is not a measure there)
ASAN=0
grep -q __asan_init "$KYOKUN" 2>/dev/null && ASAN=1

# leak_check NAME: after stop_server, no LeakSanitizer report (ASan build only)
leak_check() {
	[ "$ASAN" = 1 ] || return 0
	if grep -l 'LeakSanitizer' "$T"/sanitizer.* >/dev/null 2>&1; then
		fail "$1" "$(grep -h -A8 'LeakSanitizer' "$T"/sanitizer.* | head -30)"
		mkdir -p "$T/reported" && mv "$T"/sanitizer.* "$T/reported/" # reported once
	else
		ok "$1"
	fi
}

cat >"$T/client.py" <<'EOF'
import errno, select, socket, sys, threading, time

PORT = int(sys.argv[1])
CMD = sys.argv[2]
ARGS = sys.argv[3:]

def request(kind, n, path='/search'):
    if kind == 'params':        # a1=1&a2=1&...
        return 'GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n' % (path, '&'.join('a%d=1' % i for i in range(n)))
    if kind == 'amps':          # a&a&a...: the most parameters per byte
        return 'GET %s?%s HTTP/1.1\r\nHost: x\r\n\r\n' % (path, '&'.join('a' for _ in range(n)))
    if kind == 'cookies':       # c1=1; c2=1; ...
        return 'GET / HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n' % '; '.join('c%d=1' % i for i in range(n))
    if kind == 'longcookies':   # the same after a 6 KB target (a dropped request left 6 KB behind)
        return 'GET /search?q=%s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n' % (
            'q' * 6000, '; '.join('c%d=1' % i for i in range(n)))
    if kind == 'headers':
        return 'GET / HTTP/1.1\r\nHost: x\r\n%s\r\n' % ''.join('X-H%d: 1\r\n' % i for i in range(n))
    if kind == 'uri':
        return 'GET /search?q=%s HTTP/1.1\r\nHost: x\r\n\r\n' % ('u' * n)
    raise SystemExit('unknown kind ' + kind)

def connect(src='127.0.0.1', timeout=5):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(('127.0.0.1', PORT))
    return s

def read_response(s):
    """The response (bytes) up to its Content-Length, or whatever came before EOF/timeout."""
    data = b''
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
            if b'\r\n\r\n' in data:
                head, body = data.split(b'\r\n\r\n', 1)
                cl = [l for l in head.split(b'\r\n') if l.lower().startswith(b'content-length:')]
                if cl and len(body) >= int(cl[0].split(b':')[1]):
                    break
    except OSError:
        pass
    return data

def full_200(data):
    if b'\r\n\r\n' not in data or not data.startswith(b'HTTP/1.1 200'):
        return False
    head, body = data.split(b'\r\n\r\n', 1)
    cl = [l for l in head.split(b'\r\n') if l.lower().startswith(b'content-length:')]
    return bool(cl) and len(body) == int(cl[0].split(b':')[1])

if CMD == 'send':
    # send KIND N: one request; prints "STATUS SECONDS" then the header lines, lower-cased
    t0 = time.time()
    s = connect(timeout=15)
    try:
        s.sendall(request(ARGS[0], int(ARGS[1])).encode())
    except OSError:
        pass
    data = read_response(s)
    s.close()
    status = data.split(b' ', 2)[1].decode() if data.startswith(b'HTTP/1.') else 'none'
    print(status, '%.2f' % (time.time() - t0))
    print(data.split(b'\r\n\r\n')[0].decode('latin-1').lower())
elif CMD == 'raw':
    # raw HEXBYTES: send these bytes as they are; prints the status
    s = connect()
    s.sendall(bytes.fromhex(ARGS[0]))
    data = read_response(s)
    print(data.split(b' ', 2)[1].decode() if data.startswith(b'HTTP/1.') else 'none')
elif CMD == 'flood':
    # flood KIND N TOTAL: TOTAL requests, 100 connections at a time, each closed 0.1 s after sending
    kind, n, total = ARGS[0], int(ARGS[1]), int(ARGS[2])
    r = request(kind, n).encode()
    done = 0
    while done < total:
        socks = []
        for _ in range(min(100, total - done)):
            s = connect()
            try:
                s.sendall(r)
            except OSError:
                pass
            socks.append(s)
        time.sleep(0.1)
        for s in socks:
            s.close()
        done += len(socks)
    time.sleep(0.3)
elif CMD == 'half':
    # half N: N requests at once, each followed by shutdown(SHUT_WR); prints how many got a full 200
    n = int(ARGS[0])
    got = []
    def one(i):
        s = connect(timeout=15)
        s.sendall(('GET /api/search?q=WEBCLEARWORD&limit=%d HTTP/1.1\r\nHost: x\r\n\r\n' % (i % 50 + 1)).encode())
        s.shutdown(socket.SHUT_WR)
        got.append(full_200(read_response(s)))
        s.close()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(sum(got))
elif CMD == 'perip':
    # perip N: hold N connections from 127.0.0.1; then a request on one more from 127.0.0.1
    # and one from 127.0.0.2; prints "EXTRA-STATUS PROBE-STATUS HELD-STATUS"
    n = int(ARGS[0])
    held = [connect() for _ in range(n)]
    for s in held:
        s.sendall(b'GET /api HTTP/1.1\r\n')
    time.sleep(0.5)
    def status(s, timeout=3):
        s.settimeout(timeout)
        try:
            s.sendall(b'GET /api HTTP/1.1\r\nHost: x\r\n\r\n')
        except OSError:
            return 'none'
        d = read_response(s)
        return d.split(b' ', 2)[1].decode() if d.startswith(b'HTTP/1.') else 'none'
    extra = status(connect())
    probe = status(connect('127.0.0.2'))
    held[0].sendall(b'Host: x\r\n\r\n')
    d = read_response(held[0])
    print(extra, probe, d.split(b' ', 2)[1].decode() if d.startswith(b'HTTP/1.') else 'none')
    for s in held:
        s.close()
elif CMD == 'slow':
    # slow N SECONDS: N connections from 127.0.0.1 send a request line, then a header line
    # every second, never the end; meanwhile a probe from 127.0.0.2 every 0.5 s.
    # prints "ANSWERED PROBES WORST CLOSED FIRST LAST": probes answered within 2 s of PROBES,
    # the slowest, how many of the N the server closed, and when (s after they opened)
    n, secs = int(ARGS[0]), float(ARGS[1])
    conns = []
    for _ in range(n):
        s = connect()
        s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')
        s.setblocking(False)
        conns.append(s)
    t0 = time.time()
    closed = {}
    probes = answered = 0
    worst = 0.0
    last_line = next_probe = 0.0
    while time.time() - t0 < secs:
        now = time.time()
        if now - last_line >= 1:
            last_line = now
            for s in conns:
                if s not in closed:
                    try:
                        s.send(b'X-Trickle: 1\r\n')
                    except OSError:
                        closed[s] = now - t0
        po = select.poll()
        fds = {}
        for s in conns:
            if s not in closed:
                po.register(s, select.POLLIN)
                fds[s.fileno()] = s
        for fd, _ in po.poll(0):
            s = fds[fd]
            try:
                if not s.recv(4096):
                    closed[s] = time.time() - t0
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                    closed[s] = time.time() - t0
        if now >= next_probe:
            next_probe = now + 0.5
            probes += 1
            t = time.time()
            try:
                p = connect('127.0.0.2', timeout=2)
                p.sendall(b'GET /api HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
                if full_200(read_response(p)):
                    answered += 1
                p.close()
            except OSError:
                pass
            worst = max(worst, time.time() - t)
        if len(closed) == n and time.time() - t0 > 2:
            break
        time.sleep(0.05)
    ts = sorted(closed.values())
    print(answered, probes, '%.2f' % worst, len(closed),
          '%.1f' % (ts[0] if ts else -1), '%.1f' % (ts[-1] if ts else -1))
    for s in conns:
        s.close()
EOF
client() { timeout 60 "$PY" "$T/client.py" "$PORT" "$@"; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; } # below A B: A < B

# has_kyokun_headers NAME FILE: the security headers of every kyokun response
has_kyokun_headers() {
	missing=""
	for h in "content-security-policy: default-src" "x-content-type-options: nosniff" \
		"x-frame-options: deny" "referrer-policy: same-origin"; do
		grep -q "^$h" "$2" || missing="$missing [$h]"
	done
	if [ -z "$missing" ]; then ok "$1"; else fail "$1" "missing:$missing; got: $(head -c 400 "$2")"; fi
}
# answered NAME WANT-STATUS FILE: the status, at once (within 2 s)
answered() {
	set -- "$1" "$2" "$3" $(head -1 "$3")
	if [ "$4" = "$2" ] && below "${5:-99}" 2; then
		ok "$1"
	else
		fail "$1" "status $4 after ${5:-?} s, want $2 at once"
	fi
}

# ---- requests libmicrohttpd cannot keep records of: answered at once, with our headers ----
start_server --access-log -
if [ -z "$PORT" ]; then
	fail "hardening: server starts" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi
client send params 600 >"$T/r"
answered "hardening: 600 query parameters: 400 at once" 400 "$T/r"
has_kyokun_headers "hardening: 600 query parameters: kyokun's headers" "$T/r"
client send amps 3000 >"$T/r"
answered "hardening: 3000 empty query parameters (a&a&...): 400 at once" 400 "$T/r"
client send params 65 >"$T/r"
answered "hardening: 65 query parameters: 400" 400 "$T/r"
client send uri 20000 >"$T/r"
answered "hardening: a 20,000-byte target: 414 at once" 414 "$T/r"
has_kyokun_headers "hardening: a 20,000-byte target: kyokun's headers" "$T/r"
client send headers 300 >"$T/r"
answered "hardening: 300 header lines: 431 at once" 431 "$T/r"
has_kyokun_headers "hardening: 300 header lines: kyokun's headers" "$T/r"
client send cookies 300 >"$T/r"
answered "hardening: 300 cookies: served at once" 200 "$T/r"
# beyond libmicrohttpd's pool: no answer we can shape, but closed at once
for k in "cookies 500" "cookies 3000" "headers 3000" "uri 40000" "longcookies 500"; do
	client send $k >"$T/r"
	t=$(head -1 "$T/r" | cut -d' ' -f2)
	if below "${t:-99}" 2; then
		ok "hardening: $k: closed or refused at once"
	else
		fail "hardening: $k: closed or refused at once" "$(head -1 "$T/r")"
	fi
done
curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/api" >"$T/code"
if [ "$(cat "$T/code")" = 200 ]; then ok "hardening: still serving after those"; else
	fail "hardening: still serving after those" "status $(cat "$T/code")"; fi

# ---- none of them leaves memory behind ----
# (before: the per-request state of each request libmicrohttpd dropped stayed,
# some 5 KB each: 3,000 of them added 14 MB)
rss() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$SRV/status"; }
if [ "$ASAN" = 1 ]; then
	client flood params 600 150
	client flood longcookies 500 150
	client flood cookies 500 150
else
	client flood params 600 100 # the heap at its working size first
	client flood longcookies 500 100
	before=$(rss)
	client flood params 600 1500
	client flood longcookies 500 1500
	after=$(rss)
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -lt 3000 ]; then
		ok "hardening: 3,000 dropped requests leave no memory behind (RSS +$((after - before)) KB)"
	else
		fail "hardening: 3,000 dropped requests leave no memory behind" "RSS ${before:-?} KB -> ${after:-?} KB"
	fi
fi

# ---- connections per client address ----
client perip 64 >"$T/r"
if [ "$(cat "$T/r")" = "none 200 200" ]; then
	ok "hardening: a 65th connection from one address is refused; other addresses and the 64 are served"
else
	fail "hardening: a 65th connection from one address is refused; other addresses and the 64 are served" \
		"extra, other address, held: $(cat "$T/r") (want none 200 200)"
fi
run serve --max-per-ip 0
expect_rc "hardening: --max-per-ip 0 is a usage error" 2

# ---- the access log escapes what the client sent ----
# GET /esc<ESC>[31mred<BEL>\x HTTP/1.1
client raw "$(printf 'GET /esc\033[31mred\007\\x HTTP/1.1\r\nHost: x\r\n\r\n' | od -An -tx1 | tr -d ' \n')" >"$T/r"
sleep 0.2
if grep -q "$(printf '\033')" "$T/srv.err"; then
	fail "hardening: access log has no raw control bytes" "$(grep -a 'esc' "$T/srv.err" | od -c | head -5)"
else
	ok "hardening: access log has no raw control bytes"
fi
if grep -F '"method":"GET"' "$T/srv.err" | grep -F '"path":"/esc\u001b[31mred\u0007\\x"' | grep -qF '"status":400'; then
	ok "hardening: access log shows them as JSON escapes (\\u001b)"
else
	fail "hardening: access log shows them as JSON escapes (\\u001b)" "$(grep -a 'esc' "$T/srv.err" | head -3) (status $(cat "$T/r"))"
fi

stop_server
if [ "$SRV_RC" = 0 ]; then ok "hardening: SIGTERM stops the server (exit 0)"; else
	fail "hardening: SIGTERM stops the server (exit 0)" "exit $SRV_RC"; fi
leak_check "hardening: no leak at exit after the dropped requests (LeakSanitizer)"

# ---- a second server without the per-address limit (all clients here are 127.0.0.1) ----
start_server --no-cache --max-per-ip 4096
if [ -z "$PORT" ]; then
	fail "hardening: second server starts" "$(cat "$T/srv.out" "$T/srv.err" | head -20)"
	exit 0
fi

# half-closed clients: every answer built in the pool reaches them
n=$(client half 150)
if [ "$n" = 150 ]; then ok "hardening: 150 half-closed clients all get their full answer"; else
	fail "hardening: 150 half-closed clients all get their full answer" "${n:-no} answers of 150"; fi

# slowloris: 200 connections trickle their headers; others are served meanwhile;
# the server cuts the tricklers off at the deadline (10 s)
set -- $(client slow 200 14)
if [ "${1:-0}" = "${2:-x}" ] && [ "${2:-0}" -ge 10 ]; then
	ok "hardening: slowloris: every probe from another address answered within 2 s ($1 of $2)"
else
	fail "hardening: slowloris: every probe from another address answered within 2 s" "$* (answered probes worst closed first last)"
fi
if [ "${4:-0}" = 200 ] && below 9 "${5:-0}" && below "${6:-99}" 12.5; then
	ok "hardening: slowloris: the 200 trickling connections closed at the deadline (${5}..${6} s)"
else
	fail "hardening: slowloris: the 200 trickling connections closed at the deadline" "closed ${4:-?} of 200, from ${5:-?} s to ${6:-?} s (want 9..12.5 s)"
fi

stop_server
leak_check "hardening: no leak at exit after half-closed and trickling clients (LeakSanitizer)"
exit 0
