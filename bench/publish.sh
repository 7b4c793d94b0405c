#!/bin/sh
# bench/publish.sh [N...] - how long `kyokun publish` takes to write a
# published report (index.html, a page per case, report.md, report.pdf)
# of N synthetic cases (bench/gen_cases.py; default 40 and 1000), the size
# of the PDF and of the HTML, and - as a peer figure - how long pandoc
# takes to turn our report.md into one standalone HTML page.  Each time is
# the best wall time of three runs, with that run's CPU time (user + system)
# in brackets (the machine is shared: the CPU time is the steadier figure);
# --no-store: the files only; one more run stores the report in the
# database too ("+ database", wall time).
set -e
cd "$(dirname "$0")/.."
OUT=bench/out/publish
mkdir -p "$OUT"
make -s kyokun
K=$PWD/kyokun
[ $# -gt 0 ] || set -- 40 1000

now() { date +%s.%N; }
best3() { # cmd... -> "WALL CPU": the best wall time of three runs and that run's CPU time (user + system), seconds
	b=""
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U %S" -o "$OUT/time" "$@" >/dev/null 2>"$OUT/err" ||
			{ echo "failed: $*" >&2; cat "$OUT/err" >&2; exit 1; }
		w=$(awk '{ print $1 }' "$OUT/time"); c=$(awk '{ printf "%.2f", $2 + $3 }' "$OUT/time")
		if [ -z "$b" ] || [ "$(echo "$w < $b" | bc)" = 1 ]; then b=$w; bc_=$c; fi
	done
	echo "$b $bc_"
}
fmt() { printf '%s s (%s s)' "$1" "$2"; }
size() { [ -f "$1" ] && stat -c %s "$1" || echo 0; }
human() { awk -v n="$1" 'BEGIN { if (n >= 1048576) printf "%.1f MB", n / 1048576; else if (n > 0) printf "%.0f KB", n / 1024; else printf "-" }'; }

printf '%-6s  %-18s  %-11s  %-10s  %-10s  %-10s  %-18s  %s\n' cases "publish (cpu)" "+ database" report.pdf index.html report.md "pandoc md→html" "pdf"
for N in "$@"; do
	DB="$OUT/publish-$N.db"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	python3 bench/gen_cases.py "$N" --seed 13 >"$OUT/cases-$N.jsonl"
	KYOKUN_DB=$DB "$K" init >/dev/null 2>&1
	KYOKUN_DB=$DB "$K" add "$OUT/cases-$N.jsonl" >/dev/null 2>&1
	IDS=$(KYOKUN_DB=$DB "$K" list --format tsv | cut -f1 | paste -sd, -)
	D="$OUT/report-$N"
	T_PUB=$(best3 env KYOKUN_DB="$DB" "$K" publish --out "$D" --force --no-store --select "$IDS" --date 2026-12-04)
	t0=$(now)
	KYOKUN_DB=$DB "$K" publish --out "$D" --force --select "$IDS" --date 2026-12-04 --name "bench-$N" >/dev/null 2>"$OUT/err"
	T_STORE=$(printf '%.3f' "$(echo "$(now) - $t0" | bc)")
	KYOKUN_DB=$DB "$K" publish --out "$D" --force --no-store --select "$IDS" --date 2026-12-04 >/dev/null 2>"$OUT/err"
	if [ -f "$D/report.pdf" ]; then PDFNOTE="yes"; else PDFNOTE="not built ($(grep -o 'report.pdf is not written[^:]*' "$OUT/err" | head -1))"; fi
	T_PANDOC=$(best3 pandoc -f markdown -t html5 -s --metadata title="bench-$N" -o "$OUT/pandoc-$N.html" "$D/report.md")
	printf '%-6s  %-18s  %-11s  %-10s  %-10s  %-10s  %-18s  %s\n' "$N" "$(fmt $T_PUB)" "${T_STORE} s" \
		"$(human "$(size "$D/report.pdf")")" "$(human "$(size "$D/index.html")")" "$(human "$(size "$D/report.md")")" \
		"$(fmt $T_PANDOC)" "$PDFNOTE"
done
