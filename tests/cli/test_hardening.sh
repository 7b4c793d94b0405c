#!/bin/sh
# tests/cli/test_hardening.sh - what a hostile or careless input must not do
# to kyokun: make `import` take memory far beyond the file's size, read a
# device or a FIFO for ever, or pass a case file of an unknown format version.
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

# ---- import: memory bounded by the input's size, and quick ----
# Peak memory (max RSS, /usr/bin/time) at most 4 x the file + 64 MB; the
# importer used about 66 bytes per line before (2.4 GB for 30 MB of short lines).
# maxrss NAME FILE: import FILE, check its peak memory and time
maxrss() {
	local name=$1 file=$2 size kb limit
	size=$(wc -c <"$file")
	limit=$((size * 4 / 1024 + 65536))
	if ! timed "$name: done in time" 20 /usr/bin/time -f 'maxrss %M' -o "$T/time" "$KYOKUN" import --dry-run "$file"; then
		return
	fi
	kb=$(sed -n 's/^maxrss //p' "$T/time")
	if [ -n "$kb" ] && [ "$kb" -le "$limit" ]; then
		ok "$name: peak memory within 4 x size + 64 MB ($((kb / 1024)) MB for $((size / 1048576)) MB)"
	else
		fail "$name: peak memory ${kb:-?} KB, more than $limit KB for $size bytes" "$(head -c 300 "$T/err")"
	fi
}
if [ -x /usr/bin/time ]; then
	head -c 30000000 /dev/zero | tr '\0' '\n' >"$T/blank.txt"
	maxrss "import 30 MB of blank lines" "$T/blank.txt"
	expect_rc "import blank lines: refused" 1
	expect_err "import blank lines: too many lines" "blank\.txt: more than [0-9]+ lines, too many for a report"
	yes a | head -c 20000000 >"$T/short.txt"
	maxrss "import 20 MB of short lines" "$T/short.txt"
	expect_err "import short lines: too many lines" "short\.txt: more than [0-9]+ lines"
	# bullets run together become lines of their own: counted too
	yes '• a • b • c • d • e • f • g • h' | head -n 40000 >"$T/bullets.txt"
	maxrss "import lines of bullets" "$T/bullets.txt"
	expect_err "import lines of bullets: too many lines" "bullets\.txt: more than [0-9]+ lines"
	rm -f "$T/blank.txt" "$T/short.txt" "$T/bullets.txt"
else
	skip "import memory" "/usr/bin/time is not installed (package time; scripts/install-deps.sh --test)"
fi

# A report of ordinary length still imports, with its lines counted as before.
awk '{ print } END { for (i = 0; i < 20000; i++) print "" }' "$FIX/import/numbered.txt" >"$T/longtail.txt"
run import --dry-run "$T/longtail.txt"
expect_rc "import with 20,000 blank lines after the cases: exit 0" 0
expect_err "import with blank lines: the cases" "longtail\.txt: 2 cases"

# --explain lists at most 10,000 unplaced lines, then counts the rest
awk 'BEGIN { for (i = 1; i <= 12000; i++) print "前書きの行 " i } { print }' "$FIX/import/numbered.txt" >"$T/preamble.txt"
run import --dry-run --explain "$T/preamble.txt"
expect_rc "explain with 12,000 unplaced lines: exit 0" 0
n=$(grep -c 'preamble\.txt: unplaced: line ' "$T/err")
if [ "$n" -eq 10000 ]; then ok "explain: 10,000 lines listed"; else fail "explain: 10,000 lines listed" "$n listed"; fi
expect_err "explain: the rest counted" "preamble\.txt: unplaced: and [0-9]+ more lines$"

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
	# a synonym list named by the environment is read the same way
	if KYOKUN_SYNONYMS="$T/fifo" timed "synonyms FIFO: refused, not waiting for a writer" 5 "$KYOKUN" search 訓練; then
		expect_rc "synonyms FIFO: exit 1" 1
		expect_err "synonyms FIFO: message names the file" "fifo: not a regular file"
	fi
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

# ---- inputs the fuzzers of tests/fuzz/ found ----
# Bare case headers make a case list whose entries have no title: the case
# took that empty title, and then the whole file was refused as invalid.
printf '事例1\n事例1' >"$T/bare.txt"
run import --dry-run "$T/bare.txt"
expect_rc "fuzz import_text: bare case headers: exit 0" 0
expect_out "fuzz import_text: bare case headers: a title" '"title": "事例1"'
