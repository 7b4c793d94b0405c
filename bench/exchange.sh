#!/bin/sh
# bench/exchange.sh [N] - the exchange formats, cases per second:
#   import   the 1,753 VCDB 2013 incidents (VERIS JSON Lines) with
#            `kyokun add --format veris`, beside `kyokun add` of the same
#            cases as kyokun's own JSON Lines (the cost of the mapping)
#   export   N cases (default 100,000: synthetic, bench/gen_cases.py) to
#            each format, and to kyokun's own JSON Lines for comparison
# bench/exchange.sh --huge [MB] - `kyokun add` of big files (default 200 MB,
#            bench/exchange_gen.py): valid STIX (the largest a bundle may be,
#            120 MB, and MB, refused unread), MISP and VERIS; then hostile ones
#            (deep nesting, tiny values, random bytes); peak memory (RSS, from
#            /usr/bin/time -v) and time for each.  Slow: minutes.
# The load average is printed first (the test machine is shared).
# KYOKUN: the binary (./kyokun).
set -e
cd "$(dirname "$0")/.."
HUGE=0
if [ "${1:-}" = --huge ]; then
	HUGE=1
	shift
fi
N=${1:-100000}
SHARED=${SHARED:-../shared}
KYOKUN=${KYOKUN:-./kyokun}
OUT=bench/out
mkdir -p "$OUT"
[ "$KYOKUN" != ./kyokun ] || make -s kyokun
echo "# $(uname -n): $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M) UTC"

if [ $HUGE = 1 ]; then
	MB=${N:-200}
	[ "$MB" = 100000 ] && MB=200
	command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench/exchange.sh --huge needs /usr/bin/time (GNU time)" >&2; exit 1; }
	# big FORMAT FILE LABEL: peak RSS and wall time of `kyokun add --format FORMAT FILE` into a fresh database
	big() {
		rm -f "$OUT"/h.db*
		/usr/bin/time -v "$KYOKUN" --db "$OUT/h.db" add --format "$1" "$2" >/dev/null 2>"$OUT/h.err" || true
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/h.err")
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/h.err")
		said=$(grep -v '^[[:space:]]' "$OUT/h.err" | grep -v '^Command' | head -1 | sed 's/^kyokun: //; s#^[^:]*/##' | cut -c1-110)
		printf '%-7s %-22s %6d MB %8s %7d MB %5.1fx  %s\n' "$1" "$3" "$(($(stat -c %s "$2") >> 20))" "$wall" \
			"$((rss / 1024))" "$(echo "$rss / 1024 / ($(stat -c %s "$2") / 1048576)" | bc -l)" "$said"
	}
	printf '%-7s %-22s %9s %8s %10s %6s  %s\n' format file size time "peak RSS" "RSS/size" "kyokun says"
	for f in stix misp veris; do
		python3 bench/exchange_gen.py "$f" "$MB" >"$OUT/huge.$f" 2>/dev/null
	done
	python3 bench/exchange_gen.py stix 120 >"$OUT/huge120.stix" 2>/dev/null
	big stix "$OUT/huge120.stix" "valid, 120 MB"
	big stix "$OUT/huge.stix" "valid"
	big misp "$OUT/huge.misp" "valid"
	big veris "$OUT/huge.veris" "valid"
	python3 bench/exchange_gen.py deep "$MB" >"$OUT/huge.deep"
	python3 bench/exchange_gen.py wide "$MB" >"$OUT/huge.wide"
	python3 bench/exchange_gen.py garbage "$MB" >"$OUT/huge.garbage"
	for f in misp veris; do
		big "$f" "$OUT/huge.deep" "[[[[... deep"
		big "$f" "$OUT/huge.wide" "[1,1,1,... tiny values"
		big "$f" "$OUT/huge.garbage" "random bytes"
	done
	big stix "$OUT/huge.deep" "[[[[... deep"
	rm -f "$OUT"/huge* "$OUT"/h.db* "$OUT/h.err"
	exit 0
fi

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
