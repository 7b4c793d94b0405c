#!/bin/sh
# tests/run.sh - run the whole test suite and end with one summary line
# "N passed, N failed, N skipped".
#
#   tests/run.sh                 unit tests (cmocka) + CLI/HTTP/browser tests with ./kyokun
#   tests/run.sh --asan          the same with the AddressSanitizer+UBSan build (build-asan/)
#   tests/run.sh --all           both (what `make test` runs), side by side unless
#                                KYOKUN_TEST_JOBS=1
#
# Environment: SHARED (default ../shared) for the corpus tests; KYOKUN_E2E=0 skips the browser tests.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
OUT=${TEST_OUTPUT:-$TOP/test-output}
mkdir -p "$OUT"
passed=0 failed=0 skipped=0
failures=""

count_file() { # $1 = log, $2 = label
	p=$(grep -c '^ok - ' "$1")
	f=$(grep -c '^not ok - ' "$1")
	s=$(grep -c '^skip - ' "$1")
	# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), listed below:"
	cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below.*/\1/p' "$1" | tail -1)
	passed=$((passed + p + ${cp:-0}))
	failed=$((failed + f + ${cf:-0}))
	skipped=$((skipped + s))
	if [ "$f" -gt 0 ] || [ "${cf:-0}" -gt 0 ]; then
		failures="$failures $2"
	fi
}

run_suite() { # $1 = build dir, $2 = binary, $3 = label
	bdir=$1 bin=$2 label=$3
	for t in "$TOP/$bdir"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$OUT/$label-$name.log"
		t0=$(date +%s)
		(cd "$TOP" && "$t") >"$log" 2>&1
		rc=$?
		echo "$label $name $(($(date +%s) - t0))" >>"$OUT/times"
		if ! grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$log"; then
			echo "not ok - $label $name crashed or printed no result (exit $rc)" >>"$log"
		elif [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$log"; then
			echo "not ok - $label $name exited $rc" >>"$log"
		fi
		grep -E '^\[  (PASSED|FAILED)  \]|^not ok|\[  ERROR   \]|ERROR: |runtime error' "$log" | sed "s|^|$label $name: |" | head -20
		count_file "$log" "$label/$name"
	done
	for t in "$TOP"/tests/cli/test_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		case "$name" in
		*e2e*) [ "$label" = asan ] && continue ;; # the browser tests run once
		esac
		log="$OUT/$label-$name.log"
		t0=$(date +%s)
		KYOKUN="$TOP/$bin" SHARED="${SHARED:-$TOP/../shared}" sh "$t" >"$log" 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		echo "$label $name $secs" >>"$OUT/times"
		if [ $rc -ne 0 ]; then
			echo "not ok - $label $name exited $rc" >>"$log"
		fi
		if grep -q 'runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer' "$log"; then
			echo "not ok - $label $name: sanitizer report" >>"$log"
		fi
		n_ok=$(grep -c '^ok - ' "$log")
		echo "$label $name: $n_ok ok (${secs} s)"
		grep -E '^not ok|^skip - ' "$log" | sed "s|^|$label $name: |" | head -20
		count_file "$log" "$label/$name"
	done
}

mode=${1:---all}
# seconds per test program, to see where the suite's time goes
[ -z "${KYOKUN_TEST_CHILD:-}" ] && : >"$OUT/times"
case "$mode" in
--plain) run_suite build kyokun plain ;;
--asan) run_suite build-asan build-asan/kyokun asan ;;
--all)
	if [ "${KYOKUN_TEST_JOBS:-2}" -gt 1 ]; then
		# the two runs side by side (CI has two cores, and much of each run
		# waits on servers and timeouts): the plain run's lines first, then
		# the ASan run's, and one summary of both
		KYOKUN_TEST_CHILD=1 TEST_OUTPUT="$OUT" sh "$0" --plain >"$OUT/run-plain.txt" 2>&1 &
		pid=$!
		KYOKUN_TEST_CHILD=1 TEST_OUTPUT="$OUT" sh "$0" --asan >"$OUT/run-asan.txt" 2>&1
		wait $pid
		for r in plain asan; do
			sed '$d' "$OUT/run-$r.txt" | grep -v '^failing:'
			set -- $(tail -1 "$OUT/run-$r.txt")
			passed=$((passed + ${1:-0})) failed=$((failed + ${3:-1})) skipped=$((skipped + ${5:-0}))
			f=$(sed -n 's/^failing:\(.*\) (logs in .*/\1/p' "$OUT/run-$r.txt")
			[ -n "$f" ] && failures="$failures$f"
		done
	else
		run_suite build kyokun plain
		run_suite build-asan build-asan/kyokun asan
	fi
	;;
*) echo "usage: tests/run.sh [--plain|--asan|--all]" >&2; exit 2 ;;
esac
[ -n "$failures" ] && echo "failing:$failures (logs in $OUT)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
