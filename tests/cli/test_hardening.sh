#!/bin/sh
# tests/cli/test_hardening.sh - what a hostile or careless input must not do
# to kyokun: read a device or a FIFO for ever, or pass a case file of an
# unknown format version.
. "$(dirname "$0")/lib.sh"

# timed NAME SECONDS CMD...: run with a time limit (a regression fails, it does not hang)
timed() {
	local name=$1 secs=$2; shift 2
	timeout -k 2 "$secs" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		fail "$name" "still running after $secs s: $*"
		return 1
	fi
	return 0
}

# ---- devices, FIFOs: refused at once, without reading ----
if timed "import /dev/zero: refused at once" 5 "$KYOKUN" import /dev/zero; then
	expect_rc "import /dev/zero: exit 1" 1
	expect_err "import /dev/zero: not a regular file" "/dev/zero: not a regular file \(a character device\)"
fi
if timed "add /dev/zero: refused at once" 5 "$KYOKUN" add /dev/zero; then
	expect_rc "add /dev/zero: exit 1" 1
	expect_err "add /dev/zero: not a regular file" "/dev/zero: not a regular file"
fi
if mkfifo "$T/fifo" 2>/dev/null; then
	# nobody writes to the FIFO: reading it would wait for ever
	for cmd in add import; do
		if timed "$cmd FIFO: refused, not waiting for a writer" 5 "$KYOKUN" "$cmd" "$T/fifo"; then
			expect_rc "$cmd FIFO: exit 1" 1
			expect_err "$cmd FIFO: message names the file" "fifo: not a regular file \(a FIFO\); give - to read standard input"
		fi
	done
	run list --format json
	expect_out "FIFO: nothing stored" '"total": 0'
else
	skip "FIFO" "mkfifo failed"
fi

# standard input is read when asked for with -
timeout 10 "$KYOKUN" import --dry-run - <"$FIX/import/numbered.txt" >"$T/out" 2>"$T/err"
RC=$?
expect_rc "import -: reads standard input" 0
expect_err "import -: named stdin" "^stdin: 2 cases"
expect_out "import -: ids from stdin" '"id": "stdin-1"'
timeout 10 "$KYOKUN" import - </dev/zero >"$T/out" 2>"$T/err"
RC=$?
expect_rc "import - from /dev/zero: exit 1" 1
expect_err "import - from /dev/zero: stops at the first NUL" "binary data \(a NUL byte at offset 0\)"
# text with a NUL far in: reading stops there (not after 256 MB of zeros)
{ cat "$FIX/import/numbered.txt"; head -c 1000 /dev/zero; } >"$T/nul.txt"
run import "$T/nul.txt"
expect_rc "import text with a NUL: exit 1" 1
expect_err "import text with a NUL: where" "nul\.txt: binary data \(a NUL byte at offset [0-9]+\)"

# ---- add: an unknown major version of the format is refused ----
printf '{"format":"kyokun-case/999","cases":[{"id":"v-1","title":"t"}]}\n' >"$T/v999.json"
run add "$T/v999.json"
expect_rc "add format kyokun-case/999: exit 1" 1
expect_err "add format kyokun-case/999: names it and the supported one" \
	'v999\.json: format: unsupported version "kyokun-case/999" \(this kyokun reads kyokun-case/1\)'
printf '{"format":"kyokun-case/1.2","cases":[{"id":"v-1","title":"t"}]}\n' >"$T/v12.json"
run add "$T/v12.json"
expect_rc "add format kyokun-case/1.2 (a minor version): exit 0" 0
run list --format json
expect_out "add format: only the version 1 case stored" '"total": 1'

