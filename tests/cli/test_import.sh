#!/bin/sh
# tests/cli/test_import.sh - `kyokun import` as a user runs it: a PDF made at
# test time from our own text, re-imports, --dry-run, --explain, and bad input.
. "$(dirname "$0")/lib.sh"

# ---- a generated PDF report (tests/tools/mkpdf.c, our own text) ----
if cc -std=c17 -O1 -o "$T/mkpdf" "$TOP/tests/tools/mkpdf.c" \
	$(pkg-config --cflags --libs cairo glib-2.0) 2>"$T/cc.err" && "$T/mkpdf" report "$T/report.pdf" 2>"$T/mk.err"; then
	run import "$T/report.pdf"
	expect_rc "pdf: import exit 0" 0
	expect_err "pdf: says what it found" "report\.pdf: 3 cases from 3 PDF pages"
	run list --format json
	expect_out "pdf: cases listed" '"total": 3'
	expect_out "pdf: tlp clear" '"tlp":"clear"'
	run export --format jsonl
	cp "$T/out" "$T/first.jsonl"
	run import "$T/report.pdf"
	expect_err "pdf: re-import updates, no duplicates" "\(0 new, 0 updated, 3 unchanged\)"
	run list --format json
	expect_out "pdf: still 3 cases" '"total": 3'
	run export --format jsonl
	if cmp -s "$T/out" "$T/first.jsonl"; then ok "pdf: re-import gives the same ids and content"; else fail "pdf: re-import gives the same ids and content"; fi
	"$T/mkpdf" encrypted "$T/enc.pdf" 2>/dev/null
	run import "$T/enc.pdf"
	expect_rc "pdf: encrypted refused" 1
	expect_err "pdf: encrypted message" "enc\.pdf: encrypted PDF"
	head -c 2000 "$T/report.pdf" >"$T/trunc.pdf"
	run import "$T/trunc.pdf"
	expect_rc "pdf: truncated refused" 1
	expect_err "pdf: truncated message" "trunc\.pdf: truncated PDF"
	"$T/mkpdf" blank "$T/blank.pdf" 2>/dev/null
	run import "$T/blank.pdf"
	expect_err "pdf: no text layer" "blank\.pdf: no text in this PDF"
else
	skip "pdf import" "cannot build the PDF generator: $(head -c 200 "$T/cc.err" "$T/mk.err" 2>/dev/null | tr '\n' ' ')"
fi

# ---- --dry-run stores nothing and prints interchange JSON ----
cat >"$T/mini.txt" <<'TXT'
事例１ 配水ポンプ制御装置の停止 １／２
【１ 背景】
・配水ポンプは遠隔監視装置から操作できる構成だった。
【２ 検知】
・夜間に圧力低下の警報が鳴り、当直者が異常に気付いた。
【３ 対処】
・予備のポンプに手動で切り替え、給水を維持した。
【４ 原因】
・制御装置の電源部品が劣化していた。
【５ 再発防止策】
・部品の交換周期を見直し、予備品を常備する。
【６ 得られた気付き・教訓】
・手動切替の訓練が迅速な復旧につながった。
TXT
KYOKUN_DB="$T/dry.db" run import --dry-run "$T/mini.txt"
expect_rc "dry-run: exit 0" 0
expect_out "dry-run: collection JSON" '"format": "kyokun-case/1"'
expect_out "dry-run: title without number" '"title": "配水ポンプ制御装置の停止"'
expect_err "dry-run: says nothing stored" "dry run: nothing stored"
if [ -f "$T/dry.db" ] && [ "$(sqlite3 "$T/dry.db" 'select count(*) from cases' 2>/dev/null)" != 0 ]; then
	fail "dry-run: nothing stored"
else
	ok "dry-run: nothing stored"
fi
KYOKUN_DB="$T/ex.db" run import --explain "$T/mini.txt"
expect_rc "explain: exit 0" 0
expect_err "explain: reports placement" "mini\.txt: (every line was placed|unplaced: )"
expect_err "explain: confidence per case" "mini\.txt: [^ ]+: confidence (high|medium|low)"
expect_err "explain: how each block was placed" "mini\.txt:   [a-z_]+ +(heading|order|cue) "
# an unknown layout: best effort, one case, every block flagged low, and said so
printf '昨日の夜、社内のファイルサーバが停止した。\n監視の担当者がアラートに気付き、情報システム部門に連絡した。\n\nサーバを再起動し、二時間後に復旧した。\n原因は電源装置の故障であった。\n' >"$T/freeform.txt"
KYOKUN_DB="$T/ex.db" run import --dry-run "$T/freeform.txt"
expect_rc "unknown layout: exit 0" 0
expect_err "unknown layout: says so" "freeform\.txt: unknown layout"
expect_out "unknown layout: confidence low" '"confidence": "low"'
expect_out "unknown layout: derived title" '"title_derived": true'

# ---- bad input: a clear message, exit 1, nothing stored from it, the others still load ----
: >"$T/empty.txt"
head -c 4000 "$KYOKUN" >"$T/binary.txt"
printf '事例１ テスト\n\377\376壊れた\n' >"$T/badutf.txt"
printf 'これは報告書ではない普通の文章です。\n二行目もただの文章です。\n' >"$T/prose.txt"
printf 'plain text, not a PDF\n' >"$T/fake.pdf"
KYOKUN_DB="$T/bad.db"; export KYOKUN_DB
for f in empty binary badutf prose; do
	run import "$T/$f.txt"
	expect_rc "bad input $f: exit 1" 1
	expect_err "bad input $f: message names the file" "$f\.txt: "
done
expect_err "bad input prose: no case found" "no case found"
run import "$T/fake.pdf"
expect_err "bad input fake pdf: not a PDF" "fake\.pdf: not a PDF file"
run import "$T/nothere.txt"
expect_rc "missing file: exit 1" 1
run import "$T"
expect_err "directory: refused" "is a directory"
run import "$T/empty.txt" "$T/mini.txt" "$T/binary.txt"
expect_rc "mixed files: exit 1" 1
expect_err "mixed files: the good one loads" "mini\.txt: 1 case"
run list --format json
expect_out "mixed files: only the good file's case stored" '"total": 1'
run import
expect_rc "no file: usage error" 2
