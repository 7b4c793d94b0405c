#!/bin/sh
# bench/search.sh - search benchmark: kyokun, Groonga and SQLite FTS5 trigram
# side by side on one synthetic corpus and one query list.
#
#   bench/search.sh SIZE [REPS]      e.g. bench/search.sh 100000
#   REUSE=1 bench/search.sh SIZE     queries only, on the indexes of the last run
#   SEARCH_BENCH=PATH ...            time this search_bench (e.g. one built on an older kyokun)
#   BUILD_ONLY=1 bench/search.sh SIZE   the corpus and the three indexes (timed) only,
#                                    no queries (build.json holds the build figures)
#
# Builds ./kyokun and bench/search_bench (ksearch() in-process), generates
# SIZE cases (bench/search_gen.py: our fixtures and the VERIS summaries,
# recombined), builds the three indexes (timed), runs every query of
# bench/search_queries.tsv REPS times (default 21) after a warm-up, and
# prints a Markdown table: build time, index size, p50/p99 of the ranked
# top 20 per query class, and each engine's hit count per query.  Output and
# databases go to bench/out/search-SIZE/ (ignored by git).  Never run by the
# test suite: 1,000,000 cases take a long time and several GB of disk.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:?usage: bench/search.sh SIZE [REPS]}
REPS=${2:-21}
OUT="$TOP/bench/out/search-$N"
mkdir -p "$OUT"
cd "$TOP"
make -s kyokun >/dev/null
cc -std=c17 -D_POSIX_C_SOURCE=200809L -O2 -Isrc $(pkg-config --cflags jansson) -o "$OUT/search_bench.new" \
	bench/search_bench.c build/libkyokun.a \
	$(pkg-config --libs sqlite3 jansson libutf8proc libmicrohttpd libargon2 gnutls) -lm -lpthread -ldl
if [ -n "${SEARCH_BENCH:-}" ]; then cp "$SEARCH_BENCH" "$OUT/search_bench"; rm -f "$OUT/search_bench.new"; else mv "$OUT/search_bench.new" "$OUT/search_bench"; fi
command -v groonga >/dev/null || echo "search.sh: groonga not installed (apt-get install groonga-bin)" >&2

now() { date +%s.%N; }
# user + system CPU seconds of a build, from /usr/bin/time's "%U %S" (children
# included: Groonga's and the trigram's figures hold the Python that feeds them)
cpu() { awk 'NF == 2 { print $1 + $2 }' "$1" | tail -n 1; }
if [ "${REUSE:-0}" = 1 ] && [ -s "$OUT/build.json" ] && [ -s "$OUT/kyokun.db" ]; then
	echo "search.sh: reusing the indexes and build figures of the last run" >&2
else
	# (written under a temporary name and renamed: a cases.jsonl that exists is whole)
	if [ ! -s "$OUT/cases.jsonl" ]; then
		python3 bench/search_gen.py "$N" "$OUT/cases.jsonl.tmp"
		mv "$OUT/cases.jsonl.tmp" "$OUT/cases.jsonl"
	fi
	echo "{\"n\": $N" >"$OUT/build.json"

	# kyokun: the real import path (kyokun add of JSON Lines)
	rm -f "$OUT/kyokun.db" "$OUT/kyokun.db-wal" "$OUT/kyokun.db-shm" "$OUT/kyokun.db-journal"
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$OUT/cpu-build-kyokun" ./kyokun --db "$OUT/kyokun.db" add "$OUT/cases.jsonl" >/dev/null
	t1=$(now)
	# (not timed: listing every case as JSON is no part of building the index;
	# it took 6-8 s of the 100,000-case figure)
	./kyokun --db "$OUT/kyokun.db" list --format json >/dev/null 2>&1 || true
	sqlite3 "$OUT/kyokun.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1 || true
	isz=$(sqlite3 "$OUT/kyokun.db" "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'case_fts%'" 2>/dev/null || echo 0)
	[ -n "$isz" ] || isz=$(stat -c %s "$OUT/kyokun.db")
	echo ", \"kyokun\": {\"seconds\": $(echo "$t1 - $t0" | bc), \"cpu_seconds\": $(cpu "$OUT/cpu-build-kyokun"), \"bytes\": $isz, \"db_bytes\": $(stat -c %s "$OUT/kyokun.db")}" >>"$OUT/build.json"

	if command -v groonga >/dev/null; then
		rm -rf "$OUT/groonga"
		t0=$(now)
		/usr/bin/time -f '%U %S' -o "$OUT/cpu-build-groonga" python3 bench/search_engines.py build-groonga "$OUT/cases.jsonl" "$OUT/groonga"
		t1=$(now)
		echo ", \"groonga\": {\"seconds\": $(echo "$t1 - $t0" | bc), \"cpu_seconds\": $(cpu "$OUT/cpu-build-groonga"), \"bytes\": $(du -sb "$OUT/groonga" | cut -f1)}" >>"$OUT/build.json"
	fi

	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$OUT/cpu-build-trigram" python3 bench/search_engines.py build-trigram "$OUT/cases.jsonl" "$OUT/trigram.db"
	t1=$(now)
	echo ", \"trigram\": {\"seconds\": $(echo "$t1 - $t0" | bc), \"cpu_seconds\": $(cpu "$OUT/cpu-build-trigram"), \"bytes\": $(stat -c %s "$OUT/trigram.db")}}" >>"$OUT/build.json"
fi
if [ "${BUILD_ONLY:-0}" = 1 ]; then
	cat "$OUT/build.json"
	exit 0
fi

# Like for like with Groonga's select (which always counts, on one thread):
# kyokun on one connection (KYOKUN_SEARCH_THREADS=1), every search counting
# its hits exactly, as its CLI, web page and API do; "kyokun-literal" the
# same with the query as written (no synonyms, no segmentation); then, for
# reference, without the count and with two threads (from 65,536 cases
# kyokun scores the two halves of the library at once on two processors);
# Groonga with the query as written and, as "groonga-same", with the
# expression kyokun's own search runs (its synonyms and segments).
# The CPU time of each (cpu-*.tsv) is reported too: on a machine that other work shares it is
# steadier than the elapsed times.  The files are read once first, so that no engine pays for the
# first reads from disk.
rm -f "$OUT"/cpu-*.tsv
cat "$OUT/kyokun.db" >/dev/null
[ -d "$OUT/groonga" ] && find "$OUT/groonga" -type f -exec cat {} + >/dev/null || true
KYOKUN_SEARCH_THREADS=1 KYOKUN_BENCH_CPU="$OUT/cpu-kyokun.tsv" "$OUT/search_bench" "$OUT/kyokun.db" bench/search_queries.tsv "$REPS" >"$OUT/q-kyokun.tsv"
KYOKUN_SEARCH_THREADS=1 KYOKUN_BENCH_LITERAL=1 KYOKUN_BENCH_CPU="$OUT/cpu-kyokun-literal.tsv" "$OUT/search_bench" "$OUT/kyokun.db" bench/search_queries.tsv "$REPS" >"$OUT/q-kyokun-literal.tsv"
KYOKUN_SEARCH_THREADS=1 KYOKUN_BENCH_NOCOUNT=1 KYOKUN_BENCH_CPU="$OUT/cpu-kyokun-nocount.tsv" "$OUT/search_bench" "$OUT/kyokun.db" bench/search_queries.tsv "$REPS" >"$OUT/q-kyokun-nocount.tsv"
KYOKUN_SEARCH_THREADS=2 "$OUT/search_bench" "$OUT/kyokun.db" bench/search_queries.tsv "$REPS" >"$OUT/q-kyokun-2threads.tsv"
if command -v groonga >/dev/null; then
	python3 bench/search_engines.py query-groonga "$OUT/groonga" bench/search_queries.tsv "$REPS" >"$OUT/q-groonga.tsv"
	# Groonga given what kyokun's own search runs (its synonyms and segments): "groonga-same"
	KYOKUN_BENCH_EXPR=1 "$OUT/search_bench" "$OUT/kyokun.db" bench/search_queries.tsv 0 >"$OUT/expr-kyokun.tsv"
	python3 bench/search_engines.py query-groonga "$OUT/groonga" bench/search_queries.tsv "$REPS" \
		"$OUT/expr-kyokun.tsv" >"$OUT/q-groonga-same.tsv"
fi
python3 bench/search_engines.py query-trigram "$OUT/trigram.db" bench/search_queries.tsv "$REPS" >"$OUT/q-trigram.tsv"
python3 bench/search_engines.py report "$OUT" | tee "$OUT/report.md"
