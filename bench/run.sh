#!/bin/sh
# bench/run.sh - `make bench`: every benchmark of bench/ once, each beside
# the peer it is measured against in the same run, at sizes that keep the
# whole pass to about three minutes on two cores.  Their own
# defaults (the sizes the README's tables come from) with BENCH_FULL=1, or
# run one script at a time (see each script's header).  Peers that are not
# installed are skipped by the scripts themselves (scripts/install-deps.sh
# --bench installs them).  Output and databases go to bench/out/ (ignored
# by git); a failed benchmark is reported and the others still run.
set -u
cd "$(dirname "$0")/.."
full=${BENCH_FULL:-0}
failed=""

run() { # $1 = name, then the command
	name=$1
	shift
	echo
	echo "==== $name: $*"
	t0=$(date +%s)
	if "$@"; then
		echo "==== $name: done in $(($(date +%s) - t0)) s"
	else
		echo "==== $name: FAILED (exit $?)"
		failed="$failed $name"
	fi
}

if [ "$full" = 1 ]; then
	run add sh bench/add.sh
	run import sh bench/import.sh
	run exchange sh bench/exchange.sh
	run publish sh bench/publish.sh
	run search sh bench/search.sh 100000
	run web sh bench/web.sh
	run intake sh bench/intake.sh
else
	run add sh bench/add.sh 20000
	run import sh bench/import.sh 100
	run exchange sh bench/exchange.sh 10000
	run publish sh bench/publish.sh 40
	run search sh bench/search.sh 10000 5
	run web env N=2000 DUR=5 RSS_SECS=20 sh bench/web.sh
	run intake sh bench/intake.sh -c 10 -d 10
fi
echo
if [ -n "$failed" ]; then
	echo "bench/run.sh: failed:$failed"
	exit 1
fi
echo "bench/run.sh: every benchmark ran"
