#!/bin/sh
# tests/cli/test_import_pdf.sh - PDF layout and bad PDFs, as a user imports
# them: a survey report generated from our own text (tests/tools/mkpdf.c:
# a case list table, case pages in two columns, a timeline with one column
# per role, a running header and page numbers) imports to the same cases as
# its text version; timeline events get their actor from the role columns;
# a PDF without a text layer, an encrypted and a truncated one are refused
# with a clear message and nothing stored; a 100-page PDF imports.
# Figure labels (a flow chart on the overview pages) are left out.
. "$(dirname "$0")/lib.sh"

if ! cc -std=c17 -O1 -o "$T/mkpdf" "$TOP/tests/tools/mkpdf.c" \
	$(pkg-config --cflags --libs cairo glib-2.0) 2>"$T/cc.err" ||
   ! "$T/mkpdf" survey "$T/survey.pdf" "$T/survey.txt" 2>"$T/mk.err"; then
	skip "pdf layout" "cannot build or run the PDF generator: $(head -c 200 "$T/cc.err" "$T/mk.err" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
if ! command -v jq >/dev/null 2>&1; then
	skip "pdf layout" "no jq"
	exit 0
fi
# what a case holds, without where it came from
CASES='.cases | map({title, category, summary, key_lessons, sections, timeline})'

# ---- the same placement from the PDF as from its text ----
run import --dry-run "$T/survey.txt"
expect_rc "survey text: dry run" 0
jq -S "$CASES" "$T/out" >"$T/text.json"
run import --dry-run "$T/survey.pdf"
expect_rc "survey pdf: dry run" 0
expect_err "survey pdf: 2 cases from 5 pages" "survey\.pdf: 2 cases from 5 PDF pages"
jq -S "$CASES" "$T/out" >"$T/pdf.json"
if [ "$(jq length "$T/text.json")" = 2 ] && cmp -s "$T/text.json" "$T/pdf.json"; then
	ok "survey pdf: same cases, sections, lessons and timeline as its text"
else
	fail "survey pdf: same cases, sections, lessons and timeline as its text" \
		"$(diff "$T/text.json" "$T/pdf.json" | head -20)"
fi
jq -r '.cases[0].timeline[] | "\(.when)|\(.actor)|\(.text)"' "$T/out" >"$T/tl"
if grep -qx '1日目 9:30|現場|現地で運転状態を確かめる' "$T/tl" &&
   grep -qx '2日目|情報システム部門|復旧を関係者へ知らせる' "$T/tl" &&
   [ "$(grep -c '|null|' "$T/tl")" = 0 ] && [ "$(wc -l <"$T/tl")" = 5 ]; then
	ok "survey pdf: every timeline event has the actor of its column"
else
	fail "survey pdf: every timeline event has the actor of its column" "$(cat "$T/tl")"
fi
jq -S '.cases[0] | {category, key_lessons}' "$T/out" >"$T/list.json"
if grep -q '設備の不具合に起因する障害' "$T/list.json" && grep -q '途絶時の巡回手順を定める' "$T/list.json"; then
	ok "survey pdf: the case list table gives category and key lessons"
else
	fail "survey pdf: the case list table gives category and key lessons" "$(cat "$T/list.json")"
fi
if grep -q '重要インフラ事例の補完調査（サンプル）\|"- [0-9] -"' "$T/out"; then
	fail "survey pdf: no running header or page number in the cases" "$(grep -o '.\{40\}重要インフラ事例の補完調査（サンプル）' "$T/out" | head -3)"
else
	ok "survey pdf: no running header or page number in the cases"
fi

if grep -q '本番系\|予備系\|（対処1）' "$T/out"; then
	fail "survey pdf: no figure label in the cases" "$(grep -o '.\{40\}本番系.\{20\}' "$T/out" | head -3)"
else
	ok "survey pdf: no figure label in the cases"
fi

# ---- bad PDFs: a clear message, exit 1, nothing stored ----
"$T/mkpdf" blank "$T/scan.pdf" 2>/dev/null
run import "$T/scan.pdf"
expect_rc "scanned pdf: refused" 1
expect_err "scanned pdf: says to run OCR" "scan\.pdf: no text in this PDF .*no text layer; run OCR first"
"$T/mkpdf" scanned "$T/stamped.pdf" 2>/dev/null
run import "$T/stamped.pdf"
expect_rc "scanned pdf with a printed header and page numbers: refused" 1
expect_err "scanned pdf with a printed header: says to run OCR" "stamped\.pdf: no text in this PDF .*run OCR first"
"$T/mkpdf" encrypted "$T/locked.pdf" 2>/dev/null
run import "$T/locked.pdf"
expect_rc "encrypted pdf: refused" 1
expect_err "encrypted pdf: says so" "locked\.pdf: encrypted PDF: it cannot be read without its password"
head -c 3000 "$T/survey.pdf" >"$T/cut.pdf"
run import "$T/cut.pdf"
expect_rc "truncated pdf: refused" 1
expect_err "truncated pdf: says so" "cut\.pdf: truncated PDF"
run list --format json
expect_out "bad pdfs: nothing stored" '"total": 0'

# ---- a long PDF (1,000 pages: bench/import.sh 1000) ----
"$T/mkpdf" bench "$T/long.pdf" 100 2>/dev/null
run import --dry-run "$T/long.pdf"
expect_rc "100-page pdf: imports" 0
expect_err "100-page pdf: all pages read" "long\.pdf: [0-9]+ cases from 100 PDF pages"
