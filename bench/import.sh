#!/bin/sh
# bench/import.sh [PAGES] - how fast kyokun reads published reports.
#
# A long Japanese report of PAGES pages (default 600; every fourth page in
# two columns) is generated from our own text by tests/tools/mkpdf.c.
#   pdftotext       poppler's pdftotext FILE - : the reference the importer
#                   was tuned on (skipped if poppler-utils is not installed)
#   kpdf_extract    kyokun's extraction (bench/import_extract.c, built
#                   against build/libkyokun.a), same text as pdftotext
#                   without the page numbers
#   kyokun import   `kyokun import --dry-run` on the PDF and on its text
#                   (MB/s of text), once that command exists
# Each is run 3 times; the best wall time counts (whole process, startup
# included; the kpdf_extract row also shows the time inside the call).
# Peak memory is the maximum resident set size.  No timing is asserted.
set -e
cd "$(dirname "$0")/.."
PAGES=${1:-600}
RUNS=${RUNS:-3}
OUT=bench/out
BIN=build/bench
mkdir -p "$OUT" "$BIN"
make -s kyokun build/libkyokun.a >/dev/null

PKGS="sqlite3 jansson libutf8proc libmicrohttpd poppler-glib libargon2"
CC=${CC:-cc}
$CC -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -o "$BIN/mkpdf" \
	tests/tools/mkpdf.c $(pkg-config --cflags --libs cairo glib-2.0)
$CC -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Isrc \
	$(pkg-config --cflags $PKGS) -o "$BIN/import_extract" bench/import_extract.c \
	build/libkyokun.a $(pkg-config --libs $PKGS) -lm -lpthread

PDF="$OUT/import-$PAGES.pdf"
[ -f "$PDF" ] || "$BIN/mkpdf" bench "$PDF" "$PAGES"
PDFSIZE=$(stat -c %s "$PDF")

# best LABEL CMD... -> "seconds peakKB" of the fastest of $RUNS runs
best() {
	label=$1; shift
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %M" -o "$OUT/time.$$" "$@" >"$OUT/stdout.$$" 2>"$OUT/err.$$" || {
			echo "$label failed:" >&2; cat "$OUT/err.$$" >&2; exit 1; }
		read -r s m <"$OUT/time.$$"
		if [ -z "$b" ] || awk "BEGIN { exit !($s < $bs) }"; then
			b="$s $m"; bs=$s
		fi
		i=$((i + 1))
	done
	rm -f "$OUT/time.$$" "$OUT/err.$$"
	echo "$b"
}

need2() { [ $# -eq 2 ] || exit 1; }

row() { # label seconds peakKB units-per-run unit
	awk -v l="$1" -v s="$2" -v m="$3" -v n="$4" -v u="$5" 'BEGIN {
		t = s > 0 ? s : 0.01
		printf "%-28s %8.2f s %10.1f %-8s %8.1f MB\n", l, s, n / t, u, m / 1024 }'
}

echo "report: $PDF ($PAGES pages, $((PDFSIZE / 1024)) KiB)"
printf "%-28s %10s %19s %11s\n" "" "wall" "throughput" "peak RSS"

REF=""
if command -v pdftotext >/dev/null 2>&1; then
	set -- $(best pdftotext pdftotext "$PDF" "$OUT/import-$PAGES.ref.txt")
	need2 "$@"
	REF=$1
	row "pdftotext" "$1" "$2" "$PAGES" "pages/s"
else
	echo "pdftotext: not installed (apt-get install poppler-utils), skipped"
fi

set -- $(best kpdf_extract "$BIN/import_extract" "$PDF" "$OUT/import-$PAGES.txt")
need2 "$@"
KP=$1
INNER=$(awk '{ print $3 }' "$OUT/stdout.$$")
row "kpdf_extract" "$1" "$2" "$PAGES" "pages/s"
echo "  (last run, inside kpdf_extract: ${INNER} s; text $(stat -c %s "$OUT/import-$PAGES.txt") bytes)"

if [ -n "$REF" ]; then
	awk -v a="$KP" -v b="$REF" 'BEGIN { printf "kpdf_extract / pdftotext time: %.2f\n", (b > 0 ? a / b : 0) }'
	# kpdf_extract leaves out the page numbers ("- 12 -" and its empty line)
	awk '/^- ?[0-9]+ ?-$/ { skip = 1; next } skip && /^$/ { skip = 0; next } { skip = 0; print }' \
		"$OUT/import-$PAGES.ref.txt" >"$OUT/import-$PAGES.ref.nopn.txt"
	[ -n "$(tail -c 1 "$OUT/import-$PAGES.ref.txt" | tr -d '\n')" ] &&
		truncate -s -1 "$OUT/import-$PAGES.ref.nopn.txt"	# awk ended the last line
	mv "$OUT/import-$PAGES.ref.nopn.txt" "$OUT/import-$PAGES.ref.txt"
	if cmp -s "$OUT/import-$PAGES.txt" "$OUT/import-$PAGES.ref.txt"; then
		echo "text: identical to pdftotext (without its page numbers)"
	else
		echo "text: differs from pdftotext ($(diff "$OUT/import-$PAGES.ref.txt" \
			"$OUT/import-$PAGES.txt" | grep -c '^[<>]') lines)"
	fi
fi

if ./kyokun help import >/dev/null 2>&1; then
	DB="$OUT/import-bench.db"
	rm -f "$DB" "$DB"-*
	./kyokun --db "$DB" init >/dev/null
	set -- $(best "kyokun import (pdf)" ./kyokun --db "$DB" import --dry-run "$PDF")
	need2 "$@"
	row "kyokun import --dry-run pdf" "$1" "$2" "$PAGES" "pages/s"
	TXT="$OUT/import-$PAGES.txt"
	MB=$(awk -v n="$(stat -c %s "$TXT")" 'BEGIN { print n / 1048576 }')
	set -- $(best "kyokun import (text)" ./kyokun --db "$DB" import --dry-run "$TXT")
	need2 "$@"
	row "kyokun import --dry-run txt" "$1" "$2" "$MB" "MB/s"
else
	echo "kyokun import: not there yet (./kyokun help import fails), skipped"
fi
rm -f "$OUT/stdout.$$"
