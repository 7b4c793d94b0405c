#!/bin/sh
# tests/fuzz/run.sh - run the libFuzzer targets of tests/fuzz/ (built by
# `make fuzz` into build-fuzz/), each for a bounded time, one after another.
#
#   tests/fuzz/run.sh [TARGET...]          each target 60 s (FUZZ_SECONDS), all by default
#   tests/fuzz/run.sh --short [TARGET...]  the test suite's mode (tests/cli/test_fuzz.sh):
#                                          10 s each (the suite: 6 s) from the seeds alone, one
#                                          "ok - fuzz TARGET" / "not ok - ..." line each
#
# Targets: add_json import_text import_pdf query report exchange (tests/fuzz/fuzz_TARGET.c).
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60; 10 with --short)
#   FUZZ_OUT      where corpora, crashes and logs go (default build-fuzz/run)
#   FUZZ_BIN      where the targets are (default build-fuzz; the suite's: build-fuzz/quick)
#   FUZZ_ARGS     more libFuzzer options, e.g. "-jobs=2 -workers=2" or "-max_len=65536"
#
# The seeds are tests/fuzz/corpus/TARGET/ and our own fixtures (tests/fixtures/,
# examples/); what a run finds goes to FUZZ_OUT/corpus/TARGET/ and is used
# again by the next run (not with --short, which starts from the seeds each
# time so that it takes the same time).  An input that crashes, leaks, times
# out or breaks a check of the harness is saved as
# FUZZ_OUT/crashes/TARGET/crash-<sha1> (or leak-, timeout-, oom-); run the
# target on that file alone to see it again:
#   build-fuzz/fuzz_TARGET build-fuzz/run/crashes/TARGET/crash-...
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 2
short=0
if [ "${1:-}" = --short ]; then
	short=1
	shift
fi
ALL="add_json import_text import_pdf query report exchange"
targets=${*:-$ALL}
secs=${FUZZ_SECONDS:-$([ $short = 1 ] && echo 10 || echo 60)}
OUT=${FUZZ_OUT:-$TOP/build-fuzz/run}
mkdir -p "$OUT" || exit 2

# Each report of ASan and UBSan stops the run and goes into the log; leaks
# are found by libFuzzer itself (-detect_leaks=1, its default).
export ASAN_OPTIONS="abort_on_error=1:symbolize=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# seeds TARGET DIR: the seed inputs of TARGET, copied into DIR (libFuzzer takes directories)
seeds() {
	rm -rf "$2" && mkdir -p "$2" || return 1
	cp tests/fuzz/corpus/"$1"/* "$2"/ 2>/dev/null
	case "$1" in
	add_json)
		for f in tests/fixtures/search/*.json tests/fixtures/web/*.json examples/*.json \
			tests/fixtures/import/*.jsonl; do
			[ -f "$f" ] && cp "$f" "$2/$(echo "$f" | tr / _)"
		done ;;
	import_text)
		for f in tests/fixtures/import/*.txt; do
			[ -f "$f" ] && cp "$f" "$2/$(echo "$f" | tr / _)"
		done ;;
	esac
	return 0
}

failed=0
for t in $targets; do
	bin=${FUZZ_BIN:-build-fuzz}/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $t: $bin is missing (make fuzz)"
		failed=1
		continue
	fi
	seeds "$t" "$OUT/seeds/$t" || { echo "not ok - fuzz $t: cannot copy the seeds"; failed=1; continue; }
	if [ $short = 1 ]; then
		corpus=$OUT/short-corpus/$t
		rm -rf "$corpus"
	else
		corpus=$OUT/corpus/$t
	fi
	mkdir -p "$corpus" "$OUT/crashes/$t"
	log=$OUT/$t.log
	dict=
	[ -f tests/fuzz/dict/$t.dict ] && dict=-dict=tests/fuzz/dict/$t.dict
	# -timeout: one input may take 10 s (a report import takes milliseconds);
	# -rss_limit_mb: the importer's memory is bounded, 2 GB is a bug
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		$dict -artifact_prefix="$OUT/crashes/$t/" ${FUZZ_ARGS:-} \
		"$corpus" "$OUT/seeds/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $t (${runs:-?} inputs in $secs s)"
	else
		failed=1
		saved=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
		why=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|^fuzz: |ERROR: libFuzzer' "$log")
		echo "not ok - fuzz $t: exit $rc: ${why:-see $log}"
		echo "  input: ${saved:-none saved}; log: $log"
		grep -E '^    #[0-9]+ ' "$log" | head -12 | sed 's/^/  /'
	fi
done
exit $failed
