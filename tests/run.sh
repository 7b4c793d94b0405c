#!/bin/sh
# tests/run.sh - run the whole test suite and end with one summary line
# "N passed, N failed, N skipped".
#
#   tests/run.sh                 unit tests (cmocka) + CLI/HTTP/browser tests with ./kyokun
#   tests/run.sh --asan          the same with the AddressSanitizer+UBSan build (build-asan/)
#   tests/run.sh --all           both (what `make test` runs)
#
# The test programs run KYOKUN_TEST_JOBS at a time (default 3: on CI's two
# cores much of each test waits on servers and timeouts), the slowest first;
# the output is in the suite's order whatever the order they finished in.
#
# Environment: SHARED (default ../shared) for the corpus tests; KYOKUN_E2E=0 skips the browser tests.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
. "$TOP/tests/python_path.sh"
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

# Run a command, its CPU seconds into $log.cpu when GNU time is there.
TIME_BIN=
[ -x /usr/bin/time ] && /usr/bin/time -f '%U' -o /dev/null true 2>/dev/null && TIME_BIN=/usr/bin/time
timed() {
	rm -f "$log.cpu"
	if [ -n "$TIME_BIN" ]; then
		"$TIME_BIN" -f '%U %S' -o "$log.cpu" "$@"
	else
		"$@"
	fi
}

run_one() { # $1 = label, $2 = build dir, $3 = binary, $4 = unit|cli, $5 = test path; output in $OUT/out/
	label=$1 bdir=$2 bin=$3 kind=$4 t=$5
	if [ "$kind" = unit ]; then
		name=$(basename "$t")
		log="$OUT/$label-unit-$name.log"
		t0=$(date +%s)
		(cd "$TOP" && timed "$t") >"$log" 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		if ! grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$log"; then
			echo "not ok - $label $name crashed or printed no result (exit $rc)" >>"$log"
		elif [ $rc -ne 0 ] && ! grep -q '^\[  FAILED  \]' "$log"; then
			echo "not ok - $label $name exited $rc" >>"$log"
		fi
		grep -E '^\[  (PASSED|FAILED)  \]|^not ok|\[  ERROR   \]|ERROR: |runtime error' "$log" |
			sed "s|^|$label $name: |" | head -20 >"$OUT/out/$label-unit-$name"
	else
		name=$(basename "$t" .sh)
		log="$OUT/$label-$name.log"
		t0=$(date +%s)
		timed env KYOKUN="$TOP/$bin" SHARED="${SHARED:-$TOP/../shared}" sh "$t" >"$log" 2>&1
		rc=$?
		secs=$(($(date +%s) - t0))
		if [ $rc -ne 0 ]; then
			echo "not ok - $label $name exited $rc" >>"$log"
		fi
		if grep -q 'runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer' "$log"; then
			echo "not ok - $label $name: sanitizer report" >>"$log"
		fi
		{
			echo "$label $name: $(grep -c '^ok - ' "$log") ok (${secs} s)"
			grep -E '^not ok|^skip - ' "$log" | sed "s|^|$label $name: |" | head -20
		} >"$OUT/out/$label-$name"
	fi
	# the CPU seconds of the test and its children (GNU time's last line), "-" without it
	cpu=-
	[ -n "$TIME_BIN" ] && [ -s "$log.cpu" ] && cpu=$(tail -1 "$log.cpu" | awk '{printf "%.0f", $1 + $2}')
	echo "$label $name $secs $cpu" >>"$OUT/times"
}

# The jobs of a label, one per line: "LABEL BDIR BIN KIND PATH".  The browser
# tests and the fuzz targets run once (with the plain label).
jobs_of() { # $1 = label, $2 = build dir, $3 = binary
	for t in "$TOP/$2"/tests/test_*; do
		[ -x "$t" ] && [ -f "$t" ] && case "$t" in *.d|*.o) ;; *) echo "$1 $2 $3 unit $t" ;; esac
	done
	for t in "$TOP"/tests/cli/test_*.sh; do
		[ -f "$t" ] || continue
		case "$(basename "$t")" in
		*e2e*|test_fuzz.sh) [ "$1" = asan ] && continue ;;
		esac
		echo "$1 $2 $3 cli $t"
	done
}

# Run the jobs listed in $OUT/jobs with N workers: each takes the next job
# not yet claimed (mkdir is the lock), so a long job does not hold up the
# others.  The slowest jobs are listed first (HEAVY), the rest in order.
HEAVY="test_fuzz.sh test_backup.sh test_admin.sh test_e2e.sh test_session.sh test_http.sh test_tlp_matrix.sh test_cli.sh"
run_jobs() { # $1 = workers
	: >"$OUT/jobs.all"
	for l in $LABELS; do
		case $l in
		plain) jobs_of plain build kyokun ;;
		asan) jobs_of asan build-asan build-asan/kyokun ;;
		esac
	done >"$OUT/jobs.all"
	: >"$OUT/jobs"
	for h in $HEAVY; do
		grep " cli .*/$h\$" "$OUT/jobs.all" | grep '^asan' >>"$OUT/jobs"
		grep " cli .*/$h\$" "$OUT/jobs.all" | grep '^plain' >>"$OUT/jobs"
	done
	grep -vxF -f "$OUT/jobs" "$OUT/jobs.all" >>"$OUT/jobs"
	rm -rf "$OUT/claim" "$OUT/out"
	mkdir -p "$OUT/claim" "$OUT/out"
	n=$(wc -l <"$OUT/jobs")
	w=0
	while [ $w -lt "$1" ]; do
		(
			i=1
			while [ $i -le "$n" ]; do
				if mkdir "$OUT/claim/$i" 2>/dev/null; then
					run_one $(sed -n "${i}p" "$OUT/jobs")
				fi
				i=$((i + 1))
			done
		) &
		w=$((w + 1))
	done
	wait
	# the lines and the counts, in the order of the suite (plain, then asan)
	for l in $LABELS; do
		while read -r label bdir bin kind t; do
			[ "$label" = "$l" ] || continue
			if [ "$kind" = unit ]; then
				name=$(basename "$t")
				cat "$OUT/out/$label-unit-$name" 2>/dev/null
				count_file "$OUT/$label-unit-$name.log" "$label/$name"
			else
				name=$(basename "$t" .sh)
				cat "$OUT/out/$label-$name" 2>/dev/null
				count_file "$OUT/$label-$name.log" "$label/$name"
			fi
		done <"$OUT/jobs.all"
	done
}

mode=${1:---all}
# seconds per test program, to see where the suite's time goes: "LABEL NAME
# SECONDS CPU-SECONDS" (the suite runs on the CPU it has, so the CPU seconds
# are what a test costs the others; GNU time, from install-deps.sh --test)
: >"$OUT/times"
case "$mode" in
--plain) LABELS=plain ;;
--asan) LABELS=asan ;;
--all) LABELS="plain asan" ;;
*) echo "usage: tests/run.sh [--plain|--asan|--all]" >&2; exit 2 ;;
esac
# a build that is missing would fail every one of its tests for that one reason
for l in $LABELS; do
	case $l in
	plain) b=kyokun how="make kyokun unit" ;;
	asan) b=build-asan/kyokun how="make asan" ;;
	esac
	if [ ! -x "$TOP/$b" ]; then
		echo "tests/run.sh: $b is not built: run '$how' first (scripts/test.sh builds both)" >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
done
run_jobs "${KYOKUN_TEST_JOBS:-3}"
[ -n "$failures" ] && echo "failing:$failures (logs in $OUT)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
