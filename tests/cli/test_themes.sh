#!/bin/sh
# tests/cli/test_themes.sh - the 総括 (cross-case lessons), issue 13:
# `kyokun themes` on our fixture cases (tests/fixtures/themes/cases.json:
# lessons written to belong together) groups them as written, marks
# 共通/固有 by organisation; analysts' edits (rename, merge, move to a new
# theme) are kept with who and when, audited, reapplied after a case is
# added, listed and undone; a stale edit is a note; usage errors; the
# editor page for analysts (GET /themes, POST /themes/edits with CSRF);
# and the shared corpus when it is there.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	skip "themes" "python3 is not installed"
	exit 0
fi

run init
run add "$FIX/themes/cases.json"
expect_rc "themes: fixtures load" 0

# ---- the themes as written ----
run themes --period 2025 --format json
expect_rc "themes: --period 2025 --format json" 0
cp "$T/out" "$T/themes.json"
# membership: each group of lessons (by case#number) in one theme, nothing else with them
check_groups() { # FILE
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
where = {}
for t in d["themes"]:
    for l in t["lessons"]:
        where[l["ref"]] = (t["key"], l["label"], t["other"])
groups = {
    "contact": ["th-gas#1", "th-rail#1", "th-water#1", "th-hospital#1", "th-power2#2"],
    "backup": ["th-gas#2", "th-water#2", "th-power1#1", "th-bank#1", "th-telecom#1"],
    "contractor": ["th-rail#2", "th-power1#2", "th-hospital#2", "th-bank#2", "th-power2#1"],
    "drill": ["th-gas#3", "th-water#3", "th-telecom#2", "th-bank#3"],
    "log": ["th-power1#3", "th-power2#3", "th-power1#4"],
}
bad = []
keys = set()
for g, refs in groups.items():
    ks = {where[r][0] for r in refs}
    if len(ks) != 1:
        bad.append("%s split: %s" % (g, ks))
        continue
    k = ks.pop()
    keys.add(k)
    n = sum(1 for r in where if where[r][0] == k)
    if n != len(refs):
        bad.append("%s has %d lessons, want %d" % (g, n, len(refs)))
    want = "固有" if g == "log" else "共通"
    if any(where[r][1] != want for r in refs):
        bad.append("%s: want %s" % (g, want))
if len(keys) != 5:
    bad.append("groups share themes")
for r in ("th-rail#3", "th-hospital#3"):
    if not where[r][2] or where[r][1] != "固有":
        bad.append(r + " not under その他 as 固有")
print("\n".join(bad) or "ok")
EOF
}
out=$(check_groups "$T/themes.json")
if [ "$out" = ok ]; then ok "themes: the fixture lessons grouped as written, 共通/固有 right"; else fail "themes: grouped as written" "$out"; fi

run themes --period 2025
expect_out "themes: text shows a named theme" '緊急連絡体制'
expect_out "themes: text shows 共通 and references" '共通 th-gas#1'
expect_out "themes: text counts" '8 cases, 24 lessons'

# the same cases, the same keys
"$KYOKUN" themes --period 2025 --format json >"$T/again.json" 2>/dev/null
if cmp -s "$T/themes.json" "$T/again.json"; then ok "themes: same input, same output"; else fail "themes: same input, same output"; fi

# ---- edits ----
DRILL=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([t["key"] for t in d["themes"] if any(l["ref"] == "th-gas#3" for l in t["lessons"])][0])' "$T/themes.json")
run themes --scope 2025 --rename contact "夜間・休日の連絡体制"
expect_rc "themes: --rename" 0
run themes --period 2025 --merge backup "$DRILL"
expect_rc "themes: --merge" 0
run themes --scope 2025 --move 'th-rail#3' new --name 広報
expect_rc "themes: --move to a new theme" 0
expect_err "themes: --move names the new key" 'u-1'
run themes --scope 2025 --move 'th-hospital#3' u-1
expect_rc "themes: --move to that theme" 0
run themes --scope 2025 --rename nosuch x
expect_rc "themes: --rename of no theme refused" 1
expect_err "themes: says which themes there are" 'no theme nosuch; the themes are: .*backup'
run themes --scope 2025 --move 'th-rail#99' backup
expect_rc "themes: --move of no lesson refused" 1
run themes --scope 2025 --edits --format json
expect_out "themes: --edits lists who" '"by": "local:'
expect_out "themes: --edits lists when" '"at": "20'
run audit
expect_out "themes: edits are audited" 'theme\.edit.*themes:2025'

# reapplied after a case is added
cat >"$T/extra.json" <<'EOF'
{"id": "th-zz-extra", "title": "追加の架空事例", "source": {"document": "themes-fixture-2025", "year": 2025, "case_number": 9},
 "tlp": "clear", "owner": "架空港湾", "sections": {"lessons": "- バックアップをオフラインで保管し、復元の手順を年に一度試す。"}}
EOF
run add "$T/extra.json"
run themes --period 2025 --format json
cp "$T/out" "$T/edited.json"
out=$(python3 - "$T/edited.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["key"]: x for x in d["themes"]}
refs = lambda k: {l["ref"] for l in t[k]["lessons"]}
bad = []
if t.get("contact", {}).get("name") != "夜間・休日の連絡体制": bad.append("rename lost")
if "th-gas#3" not in refs("backup") or "th-zz-extra#1" not in refs("backup"): bad.append("merge lost or new lesson elsewhere")
if t.get("u-1", {}).get("name") != "広報" or refs("u-1") != {"th-rail#3", "th-hospital#3"}: bad.append("split lost")
if d["notes"] != ["この年度の選定結果がないため、その年の事例を使いました / no selection kept for this period: the cases of that year"]: bad.append("notes: %s" % d["notes"])
print("\n".join(bad) or "ok")
EOF
)
if [ "$out" = ok ]; then ok "themes: edits reapplied after a case is added"; else fail "themes: edits reapplied" "$out"; fi

# a stale edit: the same scope over fewer cases, the merged theme is not there
run themes --select th-gas,th-water --scope 2025
expect_rc "themes: stale edits are no error" 0
expect_out "themes: a stale edit is a note" 'skipped'

# undo
run themes --scope 2025 --undo
expect_rc "themes: --undo" 0
run themes --scope 2025 --edits
expect_out "themes: --undo forgot the latest" 'edits of the themes of 2025: 3'

# ---- bad input ----
run themes
expect_rc "themes: no scope is a usage error" 2
run themes --period 2025 --select th-gas
expect_rc "themes: two scopes are a usage error" 2
run themes --period 2025 --rename contact
expect_rc "themes: --rename without a name is a usage error" 2
run themes --period 2025 --format xml
expect_rc "themes: bad --format is a usage error" 2
run themes --period twenty
expect_rc "themes: bad period refused" 1
run themes --select no-such-case
expect_rc "themes: unknown case refused" 1
expect_err "themes: says which case" 'no case no-such-case'
cat >"$T/bare.json" <<'EOF'
{"id": "th-bare", "title": "教訓のない事例", "tlp": "clear", "sections": {"background": "経緯のみ。"}}
EOF
run add "$T/bare.json"
run themes --select th-bare
expect_rc "themes: no lessons is no error" 0
expect_out "themes: no lessons is said" 'no lessons'

# ---- the editor page ----
PW='kawa-no-nagare-wa-taezu'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" org add Centre --kind centre >/dev/null 2>&1
"$KYOKUN" org add 'A電力' --kind operator --sector 電力 >/dev/null 2>&1
"$KYOKUN" user add ana --role analyst --org Centre --password-file "$T/pw" >/dev/null 2>&1
"$KYOKUN" user add rep --role reporter --org 'A電力' --password-file "$T/pw" >/dev/null 2>&1
run --as rep themes --scope 2025 --rename contact x
expect_rc "themes: a reporter may not edit" 1
start_server
if [ -z "$URL" ]; then
	fail "themes: server starts" "$(cat "$T/srv.err")"
	exit 0
fi
get "/themes?period=2025"
expect_code "themes page: anonymous must sign in" 401
signin "$T/rep.jar" rep
get "/themes?period=2025" -b "$T/rep.jar"
expect_code "themes page: not for reporters" 403
signin "$T/ana.jar" ana
get "/themes?period=2025" -b "$T/ana.jar"
expect_code "themes page: analysts" 200
body_has "themes page: the renamed theme" '夜間・休日の連絡体制'
body_has "themes page: lessons with their case" 'th-power2#2'
body_has "themes page: 共通" '共通'
body_has "themes page: move form" 'name="lesson" value="th-gas#1"'
body_has "themes page: the edits with who" 'local:'
get "/themes?period=2025&lang=en" -b "$T/ana.jar"
body_has "themes page: in English" 'Cross-case lessons'
get "/themes" -b "$T/ana.jar"
expect_code "themes page: the form alone" 200
get "/themes?period=2025&select=th-gas" -b "$T/ana.jar"
expect_code "themes page: two scopes refused" 400
TOKEN=$(csrf "$T/ana.jar")
post() { # JAR FIELDS...
	local jar=$1
	shift
	CODE=$(curl -s --max-time 30 -b "$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' -H "Origin: $URL" "$@" "$URL/themes/edits")
}
post "$T/ana.jar" --data-urlencode period=2025 --data-urlencode op=rename --data-urlencode theme=contractor --data-urlencode name=委託先の管理
expect_code "themes page: no CSRF token, refused" 403
post "$T/ana.jar" --data-urlencode csrf="$TOKEN" --data-urlencode period=2025 --data-urlencode op=rename --data-urlencode theme=contractor --data-urlencode name=委託先の管理
expect_code "themes page: rename" 303
hdr_has "themes page: back to the page" 'location: .*/themes\?period=2025&done=edit'
get "/themes?period=2025&done=edit" -b "$T/ana.jar"
body_has "themes page: renamed" '委託先の管理'
body_has "themes page: the notice" '編集を保存しました'
post "$T/ana.jar" --data-urlencode csrf="$TOKEN" --data-urlencode period=2025 --data-urlencode op=move --data-urlencode 'lesson=th-bank#2' --data-urlencode to=new
expect_code "themes page: move to a new theme" 303
post "$T/ana.jar" --data-urlencode csrf="$TOKEN" --data-urlencode period=2025 --data-urlencode op=merge --data-urlencode theme=backup --data-urlencode with=nosuch
expect_code "themes page: merge with no theme refused" 400
post "$T/ana.jar" --data-urlencode csrf="$TOKEN" --data-urlencode period=2025 --data-urlencode op=paint --data-urlencode theme=backup
expect_code "themes page: unknown op refused" 400
run themes --scope 2025 --edits
expect_out "themes page: edits by the analyst" 'ana +\{"op":"rename","theme":"contractor"'
expect_out "themes page: the split kept" '"to":"u-2"'
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -w '%{http_code}' -H "Origin: $URL" --data-urlencode csrf="$TOKEN" --data-urlencode period=2025 "$URL/themes/undo")
expect_code "themes page: undo" 303
run themes --scope 2025 --edits
expect_out "themes page: undo forgot the split" 'edits of the themes of 2025: 4'
stop_server

# ---- the shared corpus ----
if ls "$SHARED"/corpus/*.txt >/dev/null 2>&1; then
	export KYOKUN_DB="$T/corpus.db"
	run import "$SHARED"/corpus/*.txt
	ids=$("$KYOKUN" list 2>/dev/null | cut -f1 | paste -sd, -)
	run themes --select "$ids" --format json
	expect_rc "themes: the shared corpus" 0
	out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
named = [t for t in d["themes"] if not t["other"]]
n = sum(len(t["lessons"]) for t in d["themes"])
print("ok" if len(named) >= 5 and n >= 50 and any(t["key"] == "backup" for t in named) else "%d themes, %d lessons" % (len(named), n))' "$T/out")
	if [ "$out" = ok ]; then ok "themes: the corpus has themes"; else fail "themes: the corpus has themes" "$out"; fi
else
	skip "themes: the shared corpus" "no $SHARED/corpus"
fi
