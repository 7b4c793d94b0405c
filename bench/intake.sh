#!/bin/sh
# bench/intake.sh - incident reports filed through the API under load: many
# reporters filing first reports, follow-ups and final reports at once
# while a few analysts search, against `kyokun serve` on a fresh database;
# then a check that every acknowledged report is stored exactly once and
# nothing else is.
#
#   bench/intake.sh                      50 clients, 30 s, 4 readers
#   bench/intake.sh -c 20 -d 10 -r 2     a quicker run
#   (or CLIENTS=20 DUR=10 READERS=2 bench/intake.sh)
#
# The clients are Python threads (http.client, one keep-alive connection
# each), each with its own API token of a reporter in one of ORGS
# organisations in different sectors.  A client files a first report, then
# a follow-up (続報) and the final report (最終報) to it, and again, until
# the time is up; every report carries a nonce (in its title or text), and
# the client records the nonce with what the server acknowledged (201: the
# incident's id, the report's seq).  The readers are analysts listing and
# searching (GET /api/reports with q=, status=, sector=, overdue=).
#
# As in bench/web.sh, the figure is a ratio against a peer measured in the
# same run by the same clients on the same machine: GET /healthz (a
# response with no database work at all), so a slow client or a busy
# machine shows in both.  Printed: reports/second and p99 latency of the
# writes, the readers' requests/second and p99, the /healthz peer, and the
# ratio; then the check: acknowledged first reports and updates against
# the database (its incidents and incident_reports, read with Python's
# sqlite3) and `kyokun report list --format json` when the command exists:
# lost (acknowledged, not stored), duplicated (stored more than once),
# unacknowledged (stored, never acknowledged), errors (any answer but 201,
# or none).  Target: 0, 0, 0, 0.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
KYOKUN=${KYOKUN:-$TOP/kyokun}
CLIENTS=${CLIENTS:-50}
DUR=${DUR:-30}
READERS=${READERS:-4}
ORGS=${ORGS:-10}
CORES=$(nproc 2>/dev/null || echo 2)

usage() {
	echo "usage: bench/intake.sh [-c CLIENTS] [-d SECONDS] [-r READERS] [-o ORGS]" >&2
	exit 2
}
while getopts c:d:r:o:h opt; do
	case $opt in
	c) CLIENTS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	r) READERS=$OPTARG ;;
	o) ORGS=$OPTARG ;;
	*) usage ;;
	esac
done
for v in "$CLIENTS" "$DUR" "$READERS" "$ORGS"; do
	case $v in '' | *[!0-9]*) usage ;; esac
done
[ "$CLIENTS" -ge 1 ] && [ "$DUR" -ge 1 ] && [ "$ORGS" -ge 1 ] && [ "$ORGS" -le 15 ] || usage
for t in python3 curl; do
	command -v $t >/dev/null 2>&1 || { echo "bench/intake.sh: $t is not installed" >&2; exit 2; }
done
[ -x "$KYOKUN" ] || { echo "bench/intake.sh: build kyokun first (make)" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/kyokun-intake.XXXXXX")
# quietly CMD...: run a setup command, its output shown only if it fails
quietly() { "$@" >"$W/cmd.out" 2>&1 || { cat "$W/cmd.out" >&2; exit 1; }; }
KPID=""
cleanup() {
	if [ -n "$KPID" ]; then
		kill -TERM "$KPID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$KPID" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# ---- a fresh database: organisations in several sectors, a reporter token per client ----
export KYOKUN_DB="$W/intake.db"
quietly "$KYOKUN" init
SECTORS="electricity gas finance railway telecom water medical aviation logistics government chemical credit petroleum port airport"
i=0
for s in $SECTORS; do
	[ "$i" -lt "$ORGS" ] || break
	quietly "$KYOKUN" org add "Bench Operator $i" --sector "$s"
	i=$((i + 1))
done
quietly "$KYOKUN" org add "Bench Centre" --kind centre
: >"$W/tokens"
c=0
while [ "$c" -lt "$CLIENTS" ]; do
	o=$((c % ORGS))
	s=$(echo $SECTORS | cut -d' ' -f$((o + 1)))
	quietly "$KYOKUN" user add "rep$c" --role reporter --org "Bench Operator $o" --no-password
	tok=$("$KYOKUN" token create "rep$c" --name bench 2>/dev/null | tail -1)
	printf 'writer\t%s\t%s\t%s\n' "rep$c" "$s" "$tok" >>"$W/tokens"
	c=$((c + 1))
done
r=0
while [ "$r" -lt "$READERS" ]; do
	quietly "$KYOKUN" user add "analyst$r" --role analyst --org "Bench Centre" --no-password
	tok=$("$KYOKUN" token create "analyst$r" --name bench 2>/dev/null | tail -1)
	printf 'reader\t%s\t-\t%s\n' "analyst$r" "$tok" >>"$W/tokens"
	r=$((r + 1))
done

# ---- the server ----
"$KYOKUN" serve --listen 127.0.0.1:0 --threads "$CORES" --max-per-ip $((CLIENTS + READERS + 16)) \
	>"$W/serve.out" 2>"$W/serve.err" &
KPID=$!
URL=""
for _ in $(seq 1 100); do
	URL=$(sed -n 's|.* on \(http://[^ ]*\)/ .*|\1|p' "$W/serve.out")
	[ -n "$URL" ] && break
	kill -0 "$KPID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$URL" ] || { echo "bench/intake.sh: kyokun serve did not start: $(cat "$W/serve.err")" >&2; exit 1; }

cat >"$W/intake.py" <<'EOF'
# The clients: phase "healthz" (the peer) or "intake" (writers and readers).
import http.client, json, os, random, sys, threading, time, urllib.parse, uuid
from datetime import datetime, timedelta, timezone

url, phase, dur, tokfile, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
u = urllib.parse.urlsplit(url)
JST = timezone(timedelta(hours=9))
SECTOR_JA = {"electricity": "電力", "gas": "ガス", "finance": "金融", "railway": "鉄道", "telecom": "情報通信",
             "water": "水道", "medical": "医療", "aviation": "航空", "logistics": "物流", "government": "政府・行政サービス",
             "chemical": "化学", "credit": "クレジット", "petroleum": "石油", "port": "港湾", "airport": "空港"}
EVENTS = ["precursor", "confidentiality", "integrity", "availability", "malware", "malicious_code", "intrusion", "other"]
WORDS = ["ランサムウェア", "VPN", "不審な通信", "停止", "漏えい", "改ざん", "復旧", "DDoS", "標的型メール", "制御系"]
writers, readers = [], []
for line in open(tokfile, encoding="utf-8"):
    kind, login, sector, tok = line.rstrip("\n").split("\t")
    (writers if kind == "writer" else readers).append((login, sector, tok))

def now_jst(minutes=0):
    return (datetime.now(JST) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()

class Client:
    def __init__(self, tok):
        self.tok = tok
        self.conn = None
    def request(self, method, path, body=None):
        """(status, parsed body or None, seconds); status 0 when no answer came."""
        t0 = time.perf_counter()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            try:
                headers = {"Authorization": "Bearer " + self.tok} if self.tok else {}
                data = None
                if body is not None:
                    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                dt = time.perf_counter() - t0
                try:
                    return resp.status, json.loads(raw) if raw else None, dt
                except ValueError:
                    return resp.status, None, dt
            except (http.client.HTTPException, OSError) as e:
                self.conn.close()
                self.conn = None
                # a write is never sent twice (it may have been stored): its outcome is unknown
                if method != "GET" or attempt == 2:
                    return 0, {"error": str(e)}, time.perf_counter() - t0
        return 0, None, time.perf_counter() - t0

results = {"writes": [], "reads": [], "acks": [], "unknown": [], "errors": [], "peer": []}
lock = threading.Lock()
deadline = None

def writer(i, login, sector, tok):
    c = Client(tok)
    lat, acks, unknown, errors = [], [], [], []
    rnd = random.Random(i)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        nonce = "N%d-%d-%s" % (i, n, uuid.uuid4().hex[:12])
        first = {"title": "負荷試験の報告 %s" % nonce, "sector": SECTOR_JA[sector],
                 "contact": {"name": "試験 担当%d" % i, "phone": "03-0000-%04d" % i},
                 "detected_at": now_jst(-5), "event_types": [rnd.choice(EVENTS)],
                 "service_affected": rnd.choice(["yes", "no", "unknown"]),
                 "description": "%s の監視で%sに関する事象を検知した。" % (login, rnd.choice(WORDS)),
                 "tlp": rnd.choice(["green", "amber"])}
        st, body, dt = c.request("POST", "/api/reports", first)
        lat.append(dt)
        if st == 201 and body and body.get("id"):
            acks.append(("first", nonce, body["id"], 1))
        elif st == 0:
            unknown.append(("first", nonce))
            errors.append("POST /api/reports: no answer: %s" % (body or {}).get("error"))
            continue
        else:
            errors.append("POST /api/reports: %d %s" % (st, json.dumps(body, ensure_ascii=False)[:200]))
            continue
        iid = body["id"]
        for kind in ("followup", "final"):
            if time.monotonic() >= deadline:
                break
            nonce2 = "%s-%s-%s" % (nonce, kind, uuid.uuid4().hex[:8])
            up = {"kind": kind, "at": now_jst(), "text": "%s 続報 %s" % (kind, nonce2)}
            if kind == "final":
                up.update({"cause": "設定誤り", "countermeasures": "設定手順を見直した。"})
            else:
                up["response"] = "%sを確認した。" % rnd.choice(WORDS)
            st, body, dt = c.request("POST", "/api/reports/%s/updates" % iid, up)
            lat.append(dt)
            if st == 201 and body and body.get("seq"):
                acks.append((kind, nonce2, iid, body["seq"]))
            elif st == 0:
                unknown.append((kind, nonce2))
                errors.append("POST updates: no answer: %s" % (body or {}).get("error"))
                break
            else:
                errors.append("POST updates: %d %s" % (st, json.dumps(body, ensure_ascii=False)[:200]))
                break
    with lock:
        results["writes"] += lat
        results["acks"] += acks
        results["unknown"] += unknown
        results["errors"] += errors

def reader(i, tok):
    c = Client(tok)
    lat, errors = [], []
    rnd = random.Random(1000 + i)
    while time.monotonic() < deadline:
        q = rnd.choice([
            "q=" + urllib.parse.quote(rnd.choice(WORDS)) + "&limit=20",
            "status=received&limit=50",
            "sector=" + rnd.choice(list(SECTOR_JA)) + "&limit=20",
            "overdue=1",
            "limit=100&offset=%d" % rnd.randrange(0, 200)])
        st, body, dt = c.request("GET", "/api/reports?" + q)
        lat.append(dt)
        if st != 200:
            errors.append("GET /api/reports?%s: %d" % (q, st))
    with lock:
        results["reads"] += lat
        results["errors"] += errors

def peer(i):
    c = Client(None)
    lat, errors = [], []
    while time.monotonic() < deadline:
        st, body, dt = c.request("GET", "/healthz")
        lat.append(dt)
        if st != 200:
            errors.append("GET /healthz: %d" % st)
    with lock:
        results["peer"] += lat
        results["errors"] += errors

threads = []
if phase == "healthz":
    threads = [threading.Thread(target=peer, args=(i,)) for i in range(len(writers))]
else:
    threads = [threading.Thread(target=writer, args=(i,) + w) for i, w in enumerate(writers)]
    threads += [threading.Thread(target=reader, args=(i, r[2])) for i, r in enumerate(readers)]
deadline = time.monotonic() + dur
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
results["elapsed"] = time.monotonic() - t0
json.dump(results, open(out, "w"), ensure_ascii=False)
EOF

echo "kyokun intake benchmark: $CLIENTS writers, $READERS readers, ${DUR} s, $ORGS organisations, $CORES cores, kyokun serve --threads $CORES" >&2
echo "peer: $CLIENTS clients on GET /healthz for ${DUR} s..." >&2
python3 "$W/intake.py" "$URL" healthz "$DUR" "$W/tokens" "$W/peer.json"
echo "intake: $CLIENTS writers filing reports, $READERS readers searching, ${DUR} s..." >&2
python3 "$W/intake.py" "$URL" intake "$DUR" "$W/tokens" "$W/intake.json"
kill -TERM "$KPID" 2>/dev/null || true
wait "$KPID" 2>/dev/null || true
KPID=""

# what `kyokun report list` says (when this build has the command): the incidents' ids and titles
if "$KYOKUN" report list --format json --limit 100000 >"$W/list.json" 2>"$W/list.err"; then
	LIST="$W/list.json"
else
	LIST=""
fi

python3 - "$W/peer.json" "$W/intake.json" "$KYOKUN_DB" "$LIST" "$DUR" <<'EOF'
import json, re, sqlite3, sys
peer, intake = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
db, listfile, dur = sys.argv[3], sys.argv[4], float(sys.argv[5])

def p99(xs):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000

peer_rps = len(peer["peer"]) / peer["elapsed"]
writes_rps = len(intake["writes"]) / intake["elapsed"]
acked = intake["acks"]
reports_rps = len(acked) / intake["elapsed"]
reads_rps = len(intake["reads"]) / intake["elapsed"]
print()
print("%-52s %10s %10s %8s" % ("", "req/s", "p99 ms", "errors"))
print("%-52s %10.0f %10.1f %8d" % ("peer: GET /healthz (same clients)", peer_rps, p99(peer["peer"]), len(peer["errors"])))
print("%-52s %10.0f %10.1f %8d" % ("writers: POST /api/reports and /updates", writes_rps, p99(intake["writes"]),
                                   len([e for e in intake["errors"] if e.startswith("POST")])))
print("%-52s %10.0f %10.1f %8d" % ("readers: GET /api/reports (search, filters)", reads_rps, p99(intake["reads"]),
                                   len([e for e in intake["errors"] if e.startswith("GET")])))
print()
firsts = [a for a in acked if a[0] == "first"]
print("reports acknowledged (201): %d in %.1f s = %.1f reports/s (%d first, %d follow-up, %d final); %.3f of the /healthz peer's requests/s"
      % (len(acked), intake["elapsed"], reports_rps, len(firsts), len([a for a in acked if a[0] == "followup"]),
         len([a for a in acked if a[0] == "final"]), reports_rps / peer_rps if peer_rps else 0))

# ---- the check: the database against what was acknowledged ----
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = con.execute("SELECT i.id, r.seq, r.kind, r.body FROM incident_reports r JOIN incidents i ON i.rid = r.incident").fetchall()
nincidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
nonce_re = re.compile(r"N\d+-\d+-[0-9a-f]{12}(?:-(?:followup|final)-[0-9a-f]{8})?")
stored = {}
for iid, seq, kind, body in rows:
    for n in set(nonce_re.findall(body)):
        stored.setdefault(n, []).append((iid, seq, kind))
lost = dup = wrong = 0
for kind, nonce, iid, seq in acked:
    where = stored.get(nonce, [])
    if not where:
        lost += 1
    elif len(where) > 1:
        dup += 1
    elif where[0] != (iid, seq, kind):
        wrong += 1
ackset = {a[1] for a in acked}
unacked = [n for n in stored if n not in ackset]
unknown = {u[1] for u in intake["unknown"]}
unacked_unknown = [n for n in unacked if n in unknown]
others = len(rows) - len(stored)  # reports without a bench nonce: none expected
errors = len(intake["errors"]) + len(peer["errors"])
print("stored: %d incidents, %d reports; acknowledged: %d first reports, %d reports" % (nincidents, len(rows), len(firsts), len(acked)))
if listfile:
    lst = json.load(open(listfile))
    items = lst.get("incidents", lst) if isinstance(lst, dict) else lst
    ids = sorted(i["id"] for i in items)
    same = ids == sorted(a[2] for a in firsts)
    print("kyokun report list --format json: %d incidents, %s the acknowledged first reports" % (len(ids), "the same ids as" if same else "NOT the same ids as"))
    if not same:
        wrong += 1
else:
    print("kyokun report list: not in this build; checked against the database only")
print("lost %d, duplicated %d, misplaced %d, stored but never acknowledged %d (%d of them after a request with no answer), reports of no client %d, errors %d"
      % (lost, dup, wrong, len(unacked), len(unacked_unknown), others, errors))
for e in (intake["errors"] + peer["errors"])[:10]:
    print("  error: " + e)
good = lost == 0 and dup == 0 and wrong == 0 and not unacked and others == 0 and errors == 0 and len(acked) > 0
print("target: every acknowledged report stored exactly once, nothing else, no errors -> %s" % ("met" if good else "NOT met"))
sys.exit(0 if good else 1)
EOF
