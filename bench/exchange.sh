#!/bin/sh
# bench/exchange.sh [N] - the exchange formats, cases per second:
#   import   the 1,753 VCDB 2013 incidents (VERIS JSON Lines) with
#            `kyokun add --format veris`, beside `kyokun add` of the same
#            cases as kyokun's own JSON Lines (the cost of the mapping)
#   export   N cases (default 10,000: synthetic, bench/gen_cases.py) to
#            each format, and to kyokun's own JSON Lines for comparison
# A format still a stub is reported as such.  KYOKUN: the binary (./kyokun).
set -e
cd "$(dirname "$0")/.."
N=${1:-10000}
SHARED=${SHARED:-../shared}
KYOKUN=${KYOKUN:-./kyokun}
OUT=bench/out
mkdir -p "$OUT"
[ "$KYOKUN" != ./kyokun ] || make -s kyokun
VCDB="$SHARED/data/vcdb/vcdb-2013.jsonl.gz"
[ -f "$VCDB" ] || { echo "bench/exchange.sh: $VCDB is missing (set SHARED)" >&2; exit 1; }
zcat "$VCDB" >"$OUT/vcdb-2013.jsonl"

now() { date +%s.%N; }
# rate LABEL COUNT SECONDS
rate() { awk -v l="$1" -v n="$2" -v s="$3" 'BEGIN { printf "%-28s %7d cases %8.3f s %10.0f cases/s\n", l, n, s, (s > 0 ? n / s : 0) }'; }
# timed DB LABEL COUNT ARGS... (stdout to $OUT/x.out)
timed() {
	db=$1 label=$2 count=$3; shift 3
	t0=$(now)
	if ! "$KYOKUN" --db "$db" "$@" >"$OUT/x.out" 2>"$OUT/x.err"; then
		if grep -q 'not written yet' "$OUT/x.err"; then printf '%-28s not written yet\n' "$label"; return 0; fi
		echo "$label failed:" >&2; head -5 "$OUT/x.err" >&2; return 0
	fi
	t1=$(now)
	rate "$label" "$count" "$(echo "$t1 - $t0" | bc)"
}

echo "== import (VCDB 2013, $(grep -c . "$OUT/vcdb-2013.jsonl") incidents)"
rm -f "$OUT"/x-*.db*
timed "$OUT/x-veris.db" "add --format veris" "$(grep -c . "$OUT/vcdb-2013.jsonl")" add --quiet --format veris "$OUT/vcdb-2013.jsonl"
if [ -f "$OUT/x-veris.db" ] && "$KYOKUN" --db "$OUT/x-veris.db" export --format jsonl >"$OUT/vcdb-cases.jsonl" 2>/dev/null &&
	[ -s "$OUT/vcdb-cases.jsonl" ]; then
	timed "$OUT/x-own.db" "add (kyokun JSON Lines)" "$(grep -c . "$OUT/vcdb-cases.jsonl")" add --quiet "$OUT/vcdb-cases.jsonl"
fi

echo "== export ($N cases)"
DATA="$OUT/cases-$N.jsonl"
[ -f "$DATA" ] || python3 bench/gen_cases.py "$N" --vcdb "$VCDB" >"$DATA"
"$KYOKUN" --db "$OUT/x-export.db" add --quiet "$DATA" 2>/dev/null
for f in jsonl stix misp veris; do
	timed "$OUT/x-export.db" "export --format $f" "$N" export --format "$f"
	[ -s "$OUT/x.out" ] && printf '%-28s %7d bytes\n' "" "$(stat -c %s "$OUT/x.out")"
done
rm -f "$OUT"/x-*.db* "$OUT/x.out" "$OUT/x.err"
