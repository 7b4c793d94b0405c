#!/bin/sh
# tests/cli/test_exchange_veris.sh - VERIS out and in through the command line.
#
#   - `kyokun export --format veris` of examples/cases.json: a JSON array, one
#     incident per case, the same bytes twice, each incident valid against
#     the VERIS 1.4.1 schema ($SHARED/data/vcdb/verisc-merged.json) by
#     tests/tools/validate.mjs (skipped when node, ajv or the script is
#     missing);
#   - round trip kyokun -> VERIS -> kyokun: what survives is the whole case
#     (every field: plus.kyokun carries it), so the re-import into a fresh
#     database exports (as kyokun JSON Lines) byte for byte as the original;
#   - the 2013 VCDB (1,753 incidents, VERIS 1.2.1) in one `kyokun add
#     --format veris` and by sniffing, counted and found by search (also in
#     Japanese) and by the threat facet (skipped when $SHARED lacks it);
#   - bad input: named record and field, exit non-zero, nothing stored;
#   - an anonymous reader's export over the API (?format=veris, no token)
#     holds no TLP:AMBER case.
# The CLI steps skip when this build has no `--format veris` yet (the wiring).
. "$(dirname "$0")/lib.sh"

EX="$TOP/examples/cases.json"
VCDB="$SHARED/data/vcdb/vcdb-2013.jsonl.gz"

run init
run add "$EX"
run export --format veris
if [ "$RC" -ne 0 ]; then
	skip "veris export" "this build has no export --format veris ($(head -c 200 "$T/err"))"
	exit 0
fi
cp "$T/out" "$T/v1.json"
run export --format veris
if cmp -s "$T/out" "$T/v1.json"; then ok "veris export: deterministic bytes"; else fail "veris export: deterministic bytes"; fi
n_cases=$("$KYOKUN" export --format jsonl | grep -c .)
n_inc=$(grep -c '"schema_version":"1.4.1"' "$T/v1.json")
if [ "$n_inc" -eq "$n_cases" ] && [ "$n_inc" -gt 0 ]; then ok "veris export: one incident per case ($n_inc)"
else fail "veris export: one incident per case" "$n_inc incidents, $n_cases cases"; fi

# validation by an independent validator
VAL="$TOP/tests/tools/validate.mjs"
if ! command -v node >/dev/null 2>&1; then
	skip "veris export validates" "node is not installed"
elif [ ! -f "$VAL" ]; then
	skip "veris export validates" "tests/tools/validate.mjs is missing"
elif [ ! -f "$SHARED/data/vcdb/verisc-merged.json" ]; then
	skip "veris export validates" "$SHARED/data/vcdb/verisc-merged.json is missing"
else
	node "$VAL" veris "$T/v1.json" >"$T/val" 2>&1
	vrc=$?
	if [ "$vrc" -eq 0 ]; then ok "veris export validates against verisc-merged.json"
	elif [ "$vrc" -eq 2 ]; then
		skip "veris export validates" "$(head -c 200 "$T/val")"
	else fail "veris export validates against verisc-merged.json" "$(head -c 800 "$T/val")"; fi
fi

# round trip: every field of every case survives
"$KYOKUN" export --format jsonl >"$T/orig.jsonl"
KYOKUN_DB="$T/rt.db" "$KYOKUN" init >/dev/null 2>&1
if KYOKUN_DB="$T/rt.db" "$KYOKUN" add --format veris "$T/v1.json" >"$T/out" 2>"$T/err"; then
	KYOKUN_DB="$T/rt.db" "$KYOKUN" export --format jsonl >"$T/back.jsonl"
	if cmp -s "$T/orig.jsonl" "$T/back.jsonl"; then ok "veris round trip: every case exactly"
	else fail "veris round trip: every case exactly" "$(diff "$T/orig.jsonl" "$T/back.jsonl" | head -c 600)"; fi
else
	fail "veris round trip: add --format veris" "$(head -c 400 "$T/err")"
fi

# bad input: named, refused, nothing stored
printf '{"schema_version":"1.2.1","incident_id":"AA-1","summary":"ok."}\n{"schema_version":"1.2.1","incident_id":"AA-2","timeline":{"incident":{"year":"x"}}}\n' >"$T/bad.jsonl"
KYOKUN_DB="$T/bad.db" "$KYOKUN" init >/dev/null 2>&1
KYOKUN_DB="$T/bad.db" "$KYOKUN" add --format veris "$T/bad.jsonl" >"$T/out" 2>"$T/err"
RC=$?
n=$(KYOKUN_DB="$T/bad.db" "$KYOKUN" export --format jsonl | grep -c .)
if [ "$RC" -ne 0 ] && grep -q 'line 2 (incident AA-2).*timeline.incident.year' "$T/err" && [ "$n" -eq 0 ]; then
	ok "veris bad input: record and field named, nothing stored"
else fail "veris bad input: record and field named, nothing stored" "exit $RC, $n stored: $(head -c 400 "$T/err")"; fi
printf '{"schema_version":"1.4.1","incident_id":"AA-3",' >"$T/bad2.json"
KYOKUN_DB="$T/bad.db" "$KYOKUN" add --format veris "$T/bad2.json" >"$T/out" 2>"$T/err"
RC=$?
if [ "$RC" -ne 0 ] && grep -q 'line 1' "$T/err"; then ok "veris bad input: malformed JSON"
else fail "veris bad input: malformed JSON" "exit $RC: $(head -c 400 "$T/err")"; fi

# the 2013 VCDB in one command
if [ ! -f "$VCDB" ]; then
	skip "veris VCDB import" "$VCDB is missing (set SHARED)"
else
	gzip -dc "$VCDB" >"$T/vcdb.jsonl"
	export KYOKUN_DB="$T/vcdb.db"
	"$KYOKUN" init >/dev/null 2>&1
	t0=$(date +%s.%N)
	run add --format veris "$T/vcdb.jsonl"
	t1=$(date +%s.%N)
	n=$("$KYOKUN" export --format jsonl | grep -c '"veris-')
	if [ "$RC" -eq 0 ] && [ "$n" -eq 1753 ]; then
		ok "veris VCDB: 1753 incidents in one command ($(echo "$t1 - $t0" | bc 2>/dev/null || echo ?) s)"
	else fail "veris VCDB: 1753 incidents in one command" "exit $RC, $n cases: $(head -c 400 "$T/err")"; fi
	run search 'Universal Jobmatch'
	expect_out "veris VCDB: found by search" 'veris-0012cc25-9167-40d8-8fe3-3d0dfd8fb6bb'
	run search ランサムウェア
	expect_out "veris VCDB: found by a search in Japanese" '"total": [1-9]'
	run search --filter threat=insider --limit 1 内部不正
	m=$(sed -n 's/.*"total": \([0-9]*\).*/\1/p' "$T/out" | head -1)
	if [ "$RC" -eq 0 ] && [ "${m:-0}" -ge 200 ]; then ok "veris VCDB: faceted by threat (insider: $m)"
	else fail "veris VCDB: faceted by threat" "exit $RC, ${m:-none}: $(head -c 300 "$T/err")"; fi
	# sniffed, without --format, into a fresh database
	export KYOKUN_DB="$T/vcdb2.db"
	"$KYOKUN" init >/dev/null 2>&1
	run add "$T/vcdb.jsonl"
	n=$("$KYOKUN" export --format jsonl | grep -c '"veris-')
	if [ "$RC" -eq 0 ] && [ "$n" -eq 1753 ]; then ok "veris VCDB: sniffed without --format"
	else fail "veris VCDB: sniffed without --format" "exit $RC, $n cases: $(head -c 300 "$T/err")"; fi
	# kyokun's own JSON Lines of those cases (each keeps its incident under "veris") are not taken for VERIS
	"$KYOKUN" export --format jsonl >"$T/vcdb-cases.jsonl"
	export KYOKUN_DB="$T/vcdb3.db"
	"$KYOKUN" init >/dev/null 2>&1
	run add "$T/vcdb-cases.jsonl"
	cat "$T/out" "$T/err" >"$T/said"
	if [ "$RC" -eq 0 ] && ! grep -q 'from veris' "$T/said" && grep -q '1753 new' "$T/said"; then
		ok "veris VCDB: kyokun's export of them adds back as kyokun JSON"
	else fail "veris VCDB: kyokun's export of them adds back as kyokun JSON" "exit $RC: $(cat "$T/out" "$T/err" | tail -c 600)"; fi
	# VERIS -> kyokun -> VERIS: the original incident is kept whole inside plus.kyokun.veris
	head -40 "$T/vcdb.jsonl" >"$T/vcdb40.jsonl"
	export KYOKUN_DB="$T/vcdb4.db"
	run add --format veris "$T/vcdb40.jsonl"
	run export --format veris
	if [ "$RC" -eq 0 ] && python3 - "$T/vcdb40.jsonl" "$T/out" >"$T/cmp" 2>&1 <<'PY'
import json, sys
orig = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        i = json.loads(line)
        orig[i["incident_id"]] = i
out = json.load(open(sys.argv[2], encoding="utf-8"))
kept = {i["plus"]["kyokun"]["veris"]["incident_id"]: i["plus"]["kyokun"]["veris"] for i in out}
bad = [k for k in orig if kept.get(k) != orig[k]]
print("%d of %d not kept: %s" % (len(bad), len(orig), bad[:3]))
sys.exit(1 if bad or len(out) != len(orig) else 0)
PY
	then ok "veris round trip: VERIS -> kyokun -> VERIS keeps each incident whole in plus.kyokun.veris"
	else fail "veris round trip: VERIS -> kyokun -> VERIS keeps each incident whole in plus.kyokun.veris" "$(head -c 400 "$T/cmp")"; fi
	export KYOKUN_DB="$T/k.db"
fi

# an anonymous reader's export (the API without a token) has no TLP:AMBER case
start_server
if [ -z "$URL" ] || ! command -v curl >/dev/null 2>&1; then
	skip "veris anonymous export" "no server or no curl"
else
	curl -s "$URL/api/cases?format=veris" >"$T/anon.json"
	if ! grep -q '"schema_version"' "$T/anon.json"; then
		skip "veris anonymous export" "the API has no ?format=veris yet"
	elif grep -q '"tlp":"amber' "$T/anon.json"; then
		fail "veris anonymous export: no TLP:AMBER case" "$(grep -o '"tlp":"amber[^"]*"' "$T/anon.json" | head -3)"
	else ok "veris anonymous export: no TLP:AMBER case"; fi
fi
