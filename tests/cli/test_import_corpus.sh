#!/bin/sh
# tests/cli/test_import_corpus.sh - import accuracy on the published reports
# in ../shared/corpus: each report is imported into a fresh database,
# exported, and scored against its gold annotation with
# ../shared/tools/import_score.py.  A report passes with all its cases
# found (no extra ones), all titles and categories right, placement >= 0.95
# and no phrase duplicated into two fields.  Then every report (and every
# fixture of tests/fixtures/import) is checked by tests/tools/check_import.py:
# no figure label and no other case's overview in a case.  Skips (exit 0)
# where the corpus or python3 is missing.
#
#   KYOKUN=./kyokun SHARED=../shared sh tests/cli/test_import_corpus.sh
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
. "$(dirname "$0")/lib.sh"

CORPUS="$SHARED/corpus"
SCORER="$SHARED/tools/import_score.py"
if [ ! -d "$CORPUS" ] || [ ! -f "$SCORER" ]; then
	echo "skip: ../shared/corpus not found"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip "import corpus" "no python3"
	exit 0
fi

for f in "$CORPUS"/*.txt; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .txt)
	gold="$CORPUS/gold/$name.gold.json"
	[ -f "$gold" ] || continue
	db="$T/$name.db"
	if ! "$KYOKUN" --db "$db" import "$f" >"$T/out" 2>"$T/err"; then
		fail "import corpus $name" "import failed: $(head -c 300 "$T/err")"
		continue
	fi
	if ! "$KYOKUN" --db "$db" export --format json >"$T/$name.json" 2>"$T/err"; then
		fail "import corpus $name" "export failed: $(head -c 300 "$T/err")"
		continue
	fi
	line=$(python3 "$SCORER" "$gold" "$T/$name.json" 2>&1 | tail -1)
	# "...: cases 6/6 (extra 0), titles 6/6, categories 0/0, placement 1.000 (111/111),
	#  misplaced 0, duplicated 0, missing 0"
	verdict=$(printf '%s\n' "$line" | awk '
		{
			for (i = 1; i <= NF; i++) {
				if ($i == "cases") split($(i + 1), c, "/")
				if ($i == "(extra") { x = $(i + 1); sub(/\),?/, "", x) }
				if ($i == "titles") split($(i + 1), t, "/")
				if ($i == "categories") split($(i + 1), g, "/")
				if ($i == "placement") p = $(i + 1)
				if ($i == "duplicated") { d = $(i + 1); sub(/,/, "", d) }
			}
			sub(/,/, "", t[2]); sub(/,/, "", g[2])
			ok = c[1] != "" && c[1] == c[2] && x == 0 && t[1] == t[2] && g[1] == g[2] && \
			     p + 0 >= 0.95 && d == 0
			print (ok ? "pass" : "fail")
		}')
	short=$(printf '%s\n' "$line" | sed 's/^[^:]*: //')
	if [ "$verdict" = pass ]; then
		ok "import corpus $name: $short"
	else
		fail "import corpus $name" "$line"
	fi
done

# Only the case's text: no figure label and no other case's overview in any
# section, on every report of the corpus (gold or not) and on our fixtures.
for f in "$CORPUS"/*.txt "$TOP"/tests/fixtures/import/*.txt; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .txt)
	if ! "$KYOKUN" --db "$T/own.db" import --dry-run "$f" >"$T/own.json" 2>"$T/err"; then
		fail "only the case's text: $name" "import failed: $(head -c 300 "$T/err")"
		continue
	fi
	if python3 "$TOP/tests/tools/check_import.py" "$T/own.json" >"$T/check" 2>&1; then
		ok "only the case's text: $name"
	else
		fail "only the case's text: $name" "$(head -5 "$T/check")"
	fi
done
