#!/bin/sh
# tests/cli/test_fuzz.sh - a short run of each libFuzzer target of tests/fuzz/
# (about 6 s each, from the seeds): "ok - fuzz TARGET" or "not ok - ..." with
# the input that failed.  Builds them first (make fuzz, clang).  Longer runs:
# tests/fuzz/run.sh (see tests/fuzz/README.md).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
TARGETS="add_json import_text import_pdf query report exchange"

# The fuzz targets are built with their own sanitizers (build-fuzz/): they
# run once, with the plain suite, not again with the ASan build's.
case "${KYOKUN:-}" in
*build-asan*) echo "# fuzz targets: run in the plain suite only"; exit 0 ;;
esac

skip_all() {
	for t in $TARGETS; do
		echo "skip - fuzz $t: $1"
	done
	exit 0
}
command -v clang >/dev/null 2>&1 ||
	skip_all "clang is not installed (scripts/install-deps.sh --test installs clang and libclang-rt-14-dev)"
T=$(mktemp -d "${TMPDIR:-/tmp}/kyokun-fuzz.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$T/probe.c"
clang -fsanitize=fuzzer "$T/probe.c" -o "$T/probe" >"$T/probe.log" 2>&1 ||
	skip_all "clang has no libFuzzer runtime (libclang-rt-14-dev): $(head -c 200 "$T/probe.log" | tr '\n' ' ')"

# unoptimised (a third of the compile time; a short run needs no speed) and
# with line tables only (a crash's stack trace needs no more), in a folder of
# its own so that `make fuzz`'s -O1 -g build is not mixed with it
if ! (cd "$TOP" && make -s -j2 fuzz FUZZ_O=build-fuzz/quick FUZZ_OPT=-O0 FUZZ_DEBUG=-gline-tables-only) >"$T/build.log" 2>&1; then
	for t in $TARGETS; do
		echo "not ok - fuzz $t: make fuzz failed"
	done
	head -30 "$T/build.log" | sed 's/^/  /'
	exit 1
fi
FUZZ_BIN=build-fuzz/quick FUZZ_OUT=${FUZZ_OUT:-$TOP/build-fuzz/quick/run} FUZZ_SECONDS=${FUZZ_SECONDS:-6} \
	"$TOP/tests/fuzz/run.sh" --short $TARGETS
