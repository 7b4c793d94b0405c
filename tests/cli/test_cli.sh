#!/bin/sh
# tests/cli/test_cli.sh - the command line end to end: help and exit codes,
# init, add (files, stdin, bad input of every kind), list and its filters,
# show, export and the add/export round trip, history, delete, --db and
# KYOKUN_DB.  Every refused input must name the file and the place, exit 1,
# and leave what is stored untouched.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_cli.sh
. "$(dirname "$0")/lib.sh"

EX="$TOP/examples/cases.json"
# sanitizer reports (ASan build) go to files checked at the end, not to the
# stderr the checks read
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/sanitizer:print_stacktrace=1"
HAVE_PY=1
command -v python3 >/dev/null 2>&1 || HAVE_PY=0

# py NAME SCRIPT ARGS...: ok if the python3 snippet exits 0 (skip without python3)
py() {
	name=$1
	shift
	if [ "$HAVE_PY" -eq 0 ]; then
		skip "$name" "no python3"
		return 0
	fi
	if python3 -c "$@" >"$T/py.out" 2>&1; then ok "$name"; else fail "$name" "$(cat "$T/py.out")"; fi
}

# snapshot: what is stored now, to compare after a refused add
snapshot() { "$KYOKUN" export >"$T/snap.$1" 2>/dev/null; }
unchanged() { # NAME
	snapshot after
	if cmp -s "$T/snap.before" "$T/snap.after"; then ok "$1"; else fail "$1" "the stored cases changed"; fi
}

# refused NAME FILE PATTERN: `add FILE` exits 1 with PATTERN in its first message, stores nothing
refused() {
	snapshot before
	run add "$2"
	expect_rc "$1: exit 1" 1
	if head -1 "$T/err" | grep -Eq -- "^kyokun: $3"; then ok "$1: message"
	else fail "$1: message" "first stderr line lacks /^kyokun: $3/: $(head -c 400 "$T/err")"; fi
	unchanged "$1: nothing stored"
}

# ---- help, version, usage errors ----

run help
expect_rc "help: exit 0" 0
expect_out "help: lists the commands" "^  add +add or update"
for c in init add list show export history delete help; do
	grep -Eq "^  $c " "$T/out" || fail "help: lists $c"
done
run --help
expect_out "--help: usage" "^usage: kyokun"
run help add
expect_rc "help add: exit 0" 0
expect_out "help add: the add usage" "^usage: kyokun add"
run add --help
expect_rc "add --help: exit 0" 0
expect_out "add --help: the add usage" "^usage: kyokun add"
run list -h
expect_out "list -h: the list usage" "^usage: kyokun list"
run --version
expect_rc "--version: exit 0" 0
expect_out "--version: version and schema" "^kyokun $(cat "$TOP/VERSION") \(schema [0-9]+\)$"
run nosuchcmd
expect_rc "unknown command: exit 2" 2
expect_err "unknown command: named" "no command 'nosuchcmd'"
run help nosuchcmd
expect_rc "help of unknown command: exit 2" 2
run
expect_rc "no command: exit 2" 2
expect_err "no command: usage on stderr" "^usage: kyokun"
run --bogus list
expect_rc "unknown global option: exit 2" 2
run --db
expect_rc "--db without path: exit 2" 2
run list --bogus
expect_rc "unknown list option: exit 2" 2
expect_err "unknown list option: usage line" "^usage: kyokun list"
run list --format xml
expect_rc "list --format xml: exit 2" 2
run list --year abc
expect_rc "list --year abc: exit 2" 2
run add
expect_rc "add without file: exit 2" 2
run add --tlp purple "$EX"
expect_rc "add --tlp purple: exit 2" 2
run show
expect_rc "show without id: exit 2" 2
run show a b
expect_rc "show of two ids without a database: exit 1 (several ids are allowed)" 1
run export --format csv
expect_rc "export --format csv: exit 2" 2
run history
expect_rc "history without id: exit 2" 2
run delete
expect_rc "delete without id: exit 2" 2
run init extra
expect_rc "init with argument: exit 2" 2
if [ -e "$KYOKUN_DB" ]; then fail "usage errors create no database"; else ok "usage errors create no database"; fi

# ---- reading commands do not create a database ----

run list
expect_rc "list without database: exit 1" 1
run show x
expect_rc "show without database: exit 1" 1
run export
expect_rc "export without database: exit 1" 1
if [ -e "$KYOKUN_DB" ]; then fail "reading creates no database"; else ok "reading creates no database"; fi

# ---- init ----

run init
expect_rc "init: exit 0" 0
expect_out "init: schema version" "k\.db: schema version [0-9]+$"
check "init: database file" test -s "$KYOKUN_DB"
run init
expect_rc "init again: exit 0" 0
run list
expect_rc "list of empty library: exit 0" 0
if [ -s "$T/out" ]; then fail "list of empty library: no rows" "$(cat "$T/out")"; else ok "list of empty library: no rows"; fi
run export
expect_out "export of empty library: empty collection" '^\{"format": "kyokun-case/1", "cases": \[\]\}$'

# ---- the examples ----

py "examples: valid collection of varied cases" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["format"] == "kyokun-case/1"
cs = d["cases"]
assert 10 <= len(cs) <= 20, len(cs)
ids = [c["id"] for c in cs]
assert len(set(ids)) == len(ids), "duplicate ids"
main = ["background", "detection", "response", "cause", "countermeasures", "lessons"]
for c in cs:
    for s in main:
        assert c["sections"].get(s), (c["id"], s)
    assert c["summary"] and c["key_lessons"] and c["timeline"], c["id"]
    assert c["tags"]["event_class"] in ("cyber_attack", "system_failure", "other")
tlps = [c["tlp"] for c in cs]
assert tlps.count("red") == 1 and tlps.count("green") + tlps.count("amber") >= 2, tlps
assert len({c["source"]["document"] for c in cs}) >= 2
assert sum(c["source"]["case_number"] is None for c in cs) >= 1
assert len({c["tags"]["event_class"] for c in cs}) == 3
days = [e["day"] for c in cs for e in c["timeline"]]
assert None in days and any(d is not None and d < 0 for d in days)
' "$EX"

NEX=$(grep -c '"id": "kyokun-ex-' "$EX")
run add "$EX"
expect_rc "add examples: exit 0" 0
expect_err "add examples: count" "cases\.json: $NEX cases stored \($NEX new, 0 updated, 0 unchanged\)"
if grep -q "$(printf '\r')" "$T/err"; then fail "add in a pipe: no progress line (\\r)"; else ok "add in a pipe: no progress line (\\r)"; fi

run list
expect_rc "list: exit 0" 0
if [ "$(wc -l <"$T/out")" -eq "$NEX" ]; then ok "list: one TSV line per case"; else fail "list: one TSV line per case" "$(cat "$T/out")"; fi
if awk -F'\t' 'NF != 6 { bad = 1 } END { exit bad }' "$T/out"; then ok "list: six TSV fields"; else fail "list: six TSV fields"; fi
expect_out "list: a row" "^kyokun-ex-2024-01	kyokun-examples-2024\.txt	1	2024	clear	ＶＰＮ機器の"
expect_out "list: the unnumbered case" "^kyokun-ex-2024-ref	kyokun-examples-2024\.txt		2024	clear	（参考）"
run list --format table
expect_out "list --format table: header" "^ID +NO +YEAR +TLP +TITLE"
expect_out "list --format table: footer" "^\($NEX cases\)$"
run list --format json
expect_rc "list --format json: exit 0" 0
py "list --format json: total and fields" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["total"] == int(sys.argv[2]) == len(d["cases"]), d["total"]
c = d["cases"][0]
for k in ("id", "title", "source", "category", "tlp", "revision", "created", "updated"):
    assert k in c, k
assert c["revision"] == 1
' "$T/out" "$NEX"

# filters
count_rows() { if [ "$(wc -l <"$T/out")" -eq "$2" ]; then ok "$1"; else fail "$1" "want $2 rows: $(cat "$T/out")"; fi; }
run list --document kyokun-examples-2023.txt
count_rows "list --document" 4
run list --year 2022
count_rows "list --year" 1
expect_out "list --year: the case" "^kyokun-ex-2022-01	"
run list --category システム故障に起因したサービス障害
count_rows "list --category" 3
run list --tag ransomware
count_rows "list --tag (threat)" 2
run list --tag 医療
count_rows "list --tag (sector)" 2
run list --tag system_failure
count_rows "list --tag (event class)" 3
run list --tlp red
count_rows "list --tlp red" 1
run list --tag 医療 --year 2024 --tlp green
count_rows "list: filters combine" 1
run list --document no-such-document.txt
count_rows "list: no match" 0
expect_rc "list: no match is exit 0" 0

# ---- show ----

run show kyokun-ex-2024-01
expect_rc "show: exit 0" 0
expect_out "show: title first" "^ＶＰＮ機器の脆弱性を突かれたランサムウェア感染$"
expect_out "show: source" "^出典: kyokun-examples-2024\.txt 事例1 \(2024年度\)"
expect_out "show: sections" "^■ 再発防止策$"
expect_out "show: timeline" "^検知の11日前  攻撃者"
expect_out "show: timeline actor" "^1日目 9:30 \[情報システム部門\]  "
if awk '/^■ 背景/ { b = NR } /^■ 検知/ { d = NR } /^■ 得られた気付き・教訓/ { l = NR } END { exit !(b && b < d && d < l) }' "$T/out"
then ok "show: report order"; else fail "show: report order"; fi
run show kyokun-ex-2024-01 no-such-case kyokun-ex-2024-06
expect_rc "show of several ids, one not there: exit 1" 1
expect_out "show of several ids: the first" "^ＶＰＮ機器の脆弱性を突かれたランサムウェア感染$"
[ "$(grep -c '^■ 再発防止策$' "$T/out")" = 2 ] && ok "show of several ids: both cases shown" ||
	fail "show of several ids: both cases shown" "$(grep -c '^■ 再発防止策$' "$T/out")"
expect_err "show of several ids: names the one not there" 'no case with id "no-such-case"'
run history --format json kyokun-ex-2024-01 kyokun-ex-2024-06
expect_rc "history of two cases: exit 0" 0
expect_out "history of two cases: one object each" '"id": "kyokun-ex-2024-06"'
run history --show 1 kyokun-ex-2024-01 kyokun-ex-2024-06
expect_rc "history --show with two ids: exit 2" 2
run show --format md kyokun-ex-2024-06
expect_out "show --format md: heading" "^# ストレージ装置の故障"
expect_out "show --format md: section" "^## 原因$"
expect_out "show --format md: timeline table" "^\| 1日目 5:40 \| 指令員 \| "
expect_out "show --format md: tags as list items" "^- threat: hardware_failure$"
run show --format json kyokun-ex-2024-03
expect_rc "show --format json: exit 0" 0
py "show --format json: the case as added" '
import json, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
want = [c for c in json.load(open(sys.argv[2], encoding="utf-8"))["cases"] if c["id"] == "kyokun-ex-2024-03"][0]
assert got == want, (got, want)
' "$T/out" "$EX"
run show no-such-case
expect_rc "show unknown id: exit 1" 1
expect_err "show unknown id: message" "^kyokun: no case with id \"no-such-case\"$"

# ---- export and the round trip ----

run export
expect_rc "export: exit 0" 0
cp "$T/out" "$T/export1.json"
py "export: the examples, unchanged" '
import json, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
want = json.load(open(sys.argv[2], encoding="utf-8"))
assert got["format"] == "kyokun-case/1"
g = {c["id"]: c for c in got["cases"]}
w = {c["id"]: c for c in want["cases"]}
assert g == w, [i for i in w if g.get(i) != w[i]]
' "$T/export1.json" "$EX"
run export --format jsonl
expect_rc "export --format jsonl: exit 0" 0
cp "$T/out" "$T/export1.jsonl"
count_rows "export --format jsonl: one line per case" "$NEX"
py "export --format jsonl: each line a case" '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    assert json.loads(line)["id"]
' "$T/export1.jsonl"
run export --year 2023
py "export --year" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(d["cases"]) == 4 and all(c["source"]["year"] == 2023 for c in d["cases"])
' "$T/out"
run export --document kyokun-training-casebook-2022.txt --format jsonl
count_rows "export --document" 1

# add -> export -> add into a fresh db -> export gives the same bytes, for both forms
"$KYOKUN" --db "$T/rt1.db" add "$T/export1.json" 2>"$T/err"
"$KYOKUN" --db "$T/rt1.db" export >"$T/export2.json"
if cmp -s "$T/export1.json" "$T/export2.json"; then ok "round trip json: identical export"
else fail "round trip json: identical export" "$(diff "$T/export1.json" "$T/export2.json" | head -5)"; fi
"$KYOKUN" --db "$T/rt2.db" add "$T/export1.jsonl" 2>"$T/err"
"$KYOKUN" --db "$T/rt2.db" export --format jsonl >"$T/export2.jsonl"
if cmp -s "$T/export1.jsonl" "$T/export2.jsonl"; then ok "round trip jsonl: identical export"
else fail "round trip jsonl: identical export" "$(diff "$T/export1.jsonl" "$T/export2.jsonl" | head -5)"; fi
"$KYOKUN" --db "$T/rt2.db" export >"$T/export3.json"
if cmp -s "$T/export1.json" "$T/export3.json"; then ok "round trip: jsonl and json agree"; else fail "round trip: jsonl and json agree"; fi

# unknown fields survive add and export
printf '%s\n' '{"id":"x-unknown","title":"未知の項目","x_top":{"a":[1,2]},"source":{"document":"x.txt","x_src":true},"attributes":{"x_attr":1},"sections":{"cause":"c","x_sec":"s"},"timeline":[{"day":1,"when":"1日目","text":"t","x_ev":"e"}],"tags":{"x_tag":[]},"tlp":"clear"}' >"$T/unknown.jsonl"
"$KYOKUN" --db "$T/rt3.db" add "$T/unknown.jsonl" 2>/dev/null
run --db "$T/rt3.db" export --format jsonl
py "unknown fields kept at every level" '
import json, sys
c = json.loads(open(sys.argv[1], encoding="utf-8").readline())
assert c["x_top"] == {"a": [1, 2]} and c["source"]["x_src"] is True and c["attributes"]["x_attr"] == 1
assert c["sections"]["x_sec"] == "s" and c["timeline"][0]["x_ev"] == "e" and c["tags"]["x_tag"] == []
' "$T/out"

# owner and recipients: stored, exported as given, and a new revision when they change
printf '%s\n' '{"id":"x-owned","title":"t","tlp":"red","owner":"事業者A","recipients":["alice","bob.b"]}' >"$T/owned.jsonl"
"$KYOKUN" --db "$T/rt3.db" add "$T/owned.jsonl" 2>/dev/null
run --db "$T/rt3.db" export --format jsonl
py "owner and recipients exported" '
import json, sys
c = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if "x-owned" in l][0]
assert c["owner"] == "事業者A" and c["recipients"] == ["alice", "bob.b"], c
assert "organization" not in c["attributes"]
' "$T/out"
run --db "$T/rt3.db" show --format json x-owned
py "owner and recipients in show --format json" '
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
assert c["owner"] == "事業者A" and c["recipients"] == ["alice", "bob.b"], c
' "$T/out"
printf '%s\n' '{"id":"x-owned","title":"t","tlp":"red","owner":"事業者A","recipients":["bob.b"]}' >"$T/owned2.jsonl"
run --db "$T/rt3.db" add "$T/owned2.jsonl"
expect_err "recipients changed: a new revision" "1 case stored \(0 new, 1 updated, 0 unchanged\)"

# --tlp gives cases without one their level
printf '%s\n' '{"id":"x-notlp","title":"t"}' >"$T/notlp.jsonl"
"$KYOKUN" --db "$T/rt3.db" add --tlp green "$T/notlp.jsonl" 2>/dev/null
run --db "$T/rt3.db" list --tlp green
expect_out "add --tlp: default level" "^x-notlp	"
printf '%s\n' '{"id":"x-notlp2","title":"t"}' >"$T/notlp2.jsonl"
"$KYOKUN" --db "$T/rt3.db" add "$T/notlp2.jsonl" 2>/dev/null
run --db "$T/rt3.db" list --tlp amber
expect_out "add: amber by default" "^x-notlp2	"

# ---- history ----

run history kyokun-ex-2024-02
expect_rc "history: exit 0" 0
expect_out "history: one revision" "^r1 .*インターネットバンキングへのＤＤｏＳ攻撃  \(current\)$"
if [ "$HAVE_PY" -eq 1 ]; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
c = [c for c in d["cases"] if c["id"] == "kyokun-ex-2024-02"][0]
c["title"] = "インターネットバンキングへのＤＤｏＳ攻撃（改訂）"
c["key_lessons"].append("改訂で追加した教訓")
json.dump(c, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
' "$EX" "$T/changed.json"
	# store_sqlite.c can take a re-add by another process within the same second for a
	# duplicate (batch ids may collide, see the check below): start a new second
	now=$(date +%s)
	while [ "$(date +%s)" = "$now" ]; do sleep 0.1; done
	run add "$T/changed.json"
	expect_rc "re-add changed case: exit 0" 0
	expect_err "re-add changed case: updated" "1 case stored \(0 new, 1 updated, 0 unchanged\)"
	run history kyokun-ex-2024-02
	expect_out "history: newest first" "^r2 .*（改訂）  \(current\)$"
	if [ "$(wc -l <"$T/out")" -eq 2 ] && sed -n 2p "$T/out" | grep -q "^r1 .*ＤＤｏＳ攻撃$"
	then ok "history: previous revision kept"; else fail "history: previous revision kept" "$(cat "$T/out")"; fi
	run history --format json kyokun-ex-2024-02
	py "history --format json" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["id"] == "kyokun-ex-2024-02"
assert [(r["revision"], r["current"]) for r in d["revisions"]] == [(2, True), (1, False)]
' "$T/out"
	run history --show 1 kyokun-ex-2024-02
	py "history --show 1: the old version" '
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
assert c["title"] == "インターネットバンキングへのＤＤｏＳ攻撃" and "改訂で追加した教訓" not in c["key_lessons"]
' "$T/out"
	run show --format json kyokun-ex-2024-02
	expect_out "show after re-add: the new version" "改訂で追加した教訓"
else
	skip "history after re-add" "no python3"
fi
run history --show 9 kyokun-ex-2024-02
expect_rc "history --show of missing revision: exit 1" 1
run history no-such-case
expect_rc "history of unknown id: exit 1" 1
expect_err "history of unknown id: message" "no case with id \"no-such-case\""

# ---- bad input: one clear message, exit 1, nothing stored ----

B="$T/bad"
mkdir "$B"
GOOD='{"id":"g1","title":"良い事例"}'
printf '{"format":"kyokun-case/1","cases":[\n%s,\n{"id":"t2","ti' "$GOOD" >"$B/trunc.json"
refused "truncated JSON" "$B/trunc.json" "$B/trunc\.json: line 3 column [0-9]+: malformed JSON"
printf '[\n%s\n{"id":"m2","title":"x"}\n]\n' "$GOOD" >"$B/malformed.json"
refused "malformed JSON" "$B/malformed.json" "$B/malformed\.json: line 3 column [0-9]+: malformed JSON"
printf '%s\n{"id":"m2","title":"x",}\n' "$GOOD" >"$B/malformed.jsonl"
refused "malformed JSON Lines" "$B/malformed.jsonl" "$B/malformed\.jsonl: line 2 column [0-9]+: malformed JSON"
printf '[\n%s,\n{"id":"u2","title":"\346\274"}\n]\n' "$GOOD" >"$B/utf8.json"
refused "invalid UTF-8" "$B/utf8.json" "$B/utf8\.json: line 3: not valid UTF-8$"
printf '%s\n{"id":"u2","title":"\377"}\n' "$GOOD" >"$B/utf8.jsonl"
refused "invalid UTF-8 in JSON Lines" "$B/utf8.jsonl" "$B/utf8\.jsonl: line 2: not valid UTF-8$"
printf '%s\n{"id":"n2","title":"x\000"}\n' "$GOOD" >"$B/nul.jsonl"
refused "NUL byte" "$B/nul.jsonl" "$B/nul\.jsonl: line 2: contains a NUL byte"
printf '[%s,\n{"id":"w2","title":"x","timeline":[{"day":"1日目","text":"t"}]}]\n' "$GOOD" >"$B/type.json"
refused "wrong type" "$B/type.json" "$B/type\.json: cases\[1\] \(id \"w2\"\): timeline\[0\]\.day: expected integer or null$"
printf '[%s,{"id":"w3","title":"x","source":{"year":"2024"}}]\n' "$GOOD" >"$B/type2.json"
refused "wrong type (source.year)" "$B/type2.json" "$B/type2\.json: cases\[1\] \(id \"w3\"\): source\.year: expected integer or null$"
printf '[{"title":"no id"},%s]\n' "$GOOD" >"$B/noid.json"
refused "missing id" "$B/noid.json" "$B/noid\.json: cases\[0\]: id: missing"
printf '%s\n{"id":"nt"}\n' "$GOOD" >"$B/notitle.jsonl"
refused "missing title" "$B/notitle.jsonl" "$B/notitle\.jsonl: line 2 \(id \"nt\"\): title: missing"
printf '[{"id":"bad id","title":"x"}]\n' >"$B/badid.json"
refused "id not URL-safe" "$B/badid.json" "$B/badid\.json: cases\[0\] \(id \"bad id\"\): id: .* is not URL-safe"
printf '[%s,{"id":"g2","title":"x"},{"id":"g1","title":"again"}]\n' "$GOOD" >"$B/dup.json"
refused "duplicate id in one file" "$B/dup.json" "$B/dup\.json: .*\"g1\".*duplicate id"
refused "file that does not exist" "$B/nosuch.json" "$B/nosuch\.json: No such file or directory$"
refused "directory" "$B" "$B: is a directory, not a file$"
: >"$B/empty.json"
refused "empty file" "$B/empty.json" "$B/empty\.json: empty file: no cases$"
printf '事例１ 概要\n' >"$B/text.txt"
refused "not JSON" "$B/text.txt" "$B/text\.txt: line 1: expected JSON"
printf '{"format":"kyokun-case/9x","cases":{}}' >"$B/cases.json"
refused "cases not an array" "$B/cases.json" "$B/cases\.json: cases: expected array"
printf '[%s,{"id":"ow1","title":"x","owner":" 事業者A"}]\n' "$GOOD" >"$B/owner.json"
refused "owner with white space" "$B/owner.json" "$B/owner\.json: cases\[1\] \(id \"ow1\"\): owner: \" 事業者A\" begins or ends with white space$"
printf '%s\n{"id":"rc1","title":"x","recipients":["alice","Bob"]}\n' "$GOOD" >"$B/recipients.jsonl"
refused "recipient not a login" "$B/recipients.jsonl" "$B/recipients\.jsonl: line 2 \(id \"rc1\"\): recipients\[1\]: \"Bob\" is not a login name"
printf '[%s,{"id":"rc2","title":"x","recipients":"alice"}]\n' "$GOOD" >"$B/recipients2.json"
refused "recipients not an array" "$B/recipients2.json" "$B/recipients2\.json: cases\[1\] \(id \"rc2\"\): recipients: expected an array of login names$"

# 2 GB files: refused at once, without reading (or allocating) them
now_ms() { date +%s%3N; }
truncate -s 2G "$B/huge-nul.json"
t0=$(now_ms)
refused "2 GB file of NUL bytes" "$B/huge-nul.json" "$B/huge-nul\.json: line 1: contains a NUL byte"
t1=$(now_ms)
if [ $((t1 - t0)) -lt 3000 ]; then ok "2 GB file of NUL bytes: fast"; else fail "2 GB file of NUL bytes: fast" "$((t1 - t0)) ms"; fi
printf '{"format":"kyokun-case/1","cases":[\n' >"$B/huge.json"
truncate -s 2G "$B/huge.json"
t0=$(now_ms)
refused "2 GB collection" "$B/huge.json" "$B/huge\.json: 2147483648 bytes is larger than the 512 MB limit"
t1=$(now_ms)
if [ $((t1 - t0)) -lt 3000 ]; then ok "2 GB collection: fast"; else fail "2 GB collection: fast" "$((t1 - t0)) ms"; fi
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$T/rss" "$KYOKUN" add "$B/huge.json" 2>/dev/null
	if [ "$(tail -1 "$T/rss")" -lt 300000 ]; then ok "2 GB collection: no big allocation"
	else fail "2 GB collection: no big allocation" "max RSS $(tail -1 "$T/rss") KB"; fi
fi
rm -f "$B/huge.json" "$B/huge-nul.json"

# one bad case among good ones: that file stores nothing, the other files still load
printf '[{"id":"mix-1","title":"良い"},{"id":"mix-2"},{"id":"mix-3","title":"良い"}]\n' >"$B/mixed.json"
printf '{"format":"kyokun-case/1","cases":[{"id":"ok-1","title":"別の良いファイル"}]}\n' >"$B/good1.json"
printf '{"id":"ok-2","title":"行1"}\n\n{"id":"ok-3","title":"行3"}\n' >"$B/good2.jsonl"
run add "$B/good1.json" "$B/mixed.json" "$B/good2.jsonl"
expect_rc "mixed files: exit 1" 1
expect_err "mixed files: the bad case named" "^kyokun: $B/mixed\.json: cases\[1\] \(id \"mix-2\"\): title: missing"
expect_err "mixed files: the file refused" "^kyokun: $B/mixed\.json: refused; none of its cases was stored$"
expect_err "mixed files: good files stored" "good2\.jsonl: 2 cases stored \(2 new, 0 updated, 0 unchanged\)"
run list
if grep -q "^mix-" "$T/out"; then fail "mixed files: none of the bad file stored"; else ok "mixed files: none of the bad file stored"; fi
if [ "$(grep -c '^ok-[123]	' "$T/out")" -eq 3 ]; then ok "mixed files: the good files stored"; else fail "mixed files: the good files stored"; fi

# ---- standard input ----

printf '{"id":"stdin-1","title":"標準入力"}\n' | "$KYOKUN" add - >"$T/out" 2>"$T/err"
RC=$?
expect_rc "add -: exit 0" 0
expect_err "add -: named (stdin)" "^\(stdin\): 1 case stored"
run show stdin-1
expect_out "add -: stored" "^標準入力$"
snapshot before
printf '[{"id":"stdin-2","title":"x"},\n{"id":' | "$KYOKUN" add - >"$T/out" 2>"$T/err"
RC=$?
expect_rc "add - with bad input: exit 1" 1
expect_err "add - with bad input: message" "^kyokun: \(stdin\): line 2 column [0-9]+: malformed JSON"
unchanged "add - with bad input: nothing stored"
"$KYOKUN" export --format jsonl | "$KYOKUN" --db "$T/pipe.db" add - >"$T/out" 2>"$T/err"
RC=$?
expect_rc "export | add -: exit 0" 0

# ---- progress: never in a pipe ----

awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"id\":\"bulk-%d\",\"title\":\"大量 %d\",\"tlp\":\"clear\"}\n", i, i }' >"$T/bulk.jsonl"
run --db "$T/bulk.db" add "$T/bulk.jsonl"
expect_rc "bulk add: exit 0" 0
expect_err "bulk add: count" "3000 cases stored \(3000 new, 0 updated, 0 unchanged\)"
if grep -q "$(printf '\r')" "$T/err" || grep -q "$(printf '\033')" "$T/err"; then
	fail "bulk add in a pipe: no progress line" "$(od -c "$T/err" | head -3)"
else ok "bulk add in a pipe: no progress line"; fi
if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok "bulk add: one line of output"; else fail "bulk add: one line of output" "$(head -3 "$T/err")"; fi

# ---- Markdown keeps its table ----

printf '{"id":"md-pipe","title":"表","timeline":[{"day":1,"when":"1日目","actor":"A|B","text":"一行目\\n二行目 | 続き"}]}\n' >"$T/md.jsonl"
"$KYOKUN" add "$T/md.jsonl" 2>/dev/null
run show --format md md-pipe
expect_out "show --format md: cells escaped" '^\| 1日目 \| A\\\|B \| 一行目<br>二行目 \\\| 続き \|$'

# ---- delete ----

run delete kyokun-ex-2023-02
expect_rc "delete: exit 0" 0
expect_err "delete: reported" "^deleted kyokun-ex-2023-02$"
run show kyokun-ex-2023-02
expect_rc "delete: gone" 1
run history kyokun-ex-2023-02
expect_rc "delete: history gone" 1
run delete kyokun-ex-2023-02 kyokun-ex-2023-03
expect_rc "delete of a missing id: exit 1" 1
expect_err "delete of a missing id: message" "no case with id \"kyokun-ex-2023-02\""
run show kyokun-ex-2023-03
expect_rc "delete: the other id still deleted" 1
run delete --force x
expect_rc "delete unknown option: exit 2" 2
printf '{"id":"-dash","title":"ダッシュ"}\n' >"$T/dash.jsonl"
"$KYOKUN" add "$T/dash.jsonl" 2>/dev/null
run delete -- -dash
expect_rc "delete -- -ID: exit 0" 0
run list --format json
py "delete: the list shrinks" '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ids = {c["id"] for c in d["cases"]}
assert "kyokun-ex-2023-02" not in ids and "-dash" not in ids and "kyokun-ex-2023-01" in ids
' "$T/out"

# ---- --db and KYOKUN_DB ----

KYOKUN_DB="$T/env.db" "$KYOKUN" init >/dev/null 2>&1
check "KYOKUN_DB: used" test -s "$T/env.db"
KYOKUN_DB="$T/env.db" "$KYOKUN" --db "$T/opt.db" init >/dev/null 2>&1
check "--db: wins over KYOKUN_DB" test -s "$T/opt.db"
KYOKUN_DB="$T/env.db" "$KYOKUN" --db="$T/opt2.db" init >/dev/null 2>&1
check "--db=PATH" test -s "$T/opt2.db"
mkdir "$T/cwd"
(cd "$T/cwd" && env -u KYOKUN_DB "$KYOKUN" init >/dev/null 2>&1)
check "default: ./kyokun.db" test -s "$T/cwd/kyokun.db"
KYOKUN_DB="$T/env.db" "$KYOKUN" add "$T/dash.jsonl" >/dev/null 2>&1
run --db "$T/env.db" list
expect_out "KYOKUN_DB and --db: the same database" "^-dash	"
run --db "$T/no/such/dir/k.db" init
expect_rc "--db in a missing directory: exit 1" 1
expect_err "--db in a missing directory: named" "no/such/dir/k\.db"

# ---- re-adding from another process within the same second ----
# (store.c once marked a transaction's rows with an id made of the time, a
# per-process counter and address bits, which collided across processes; it
# now takes a counter from the database.)
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
	printf '{"id":"same-second","title":"t"}\n' >"$T/ss.jsonl"
	bad=0
	for i in 1 2 3; do
		setarch "$(uname -m)" -R "$KYOKUN" --db "$T/ss.db" add "$T/ss.jsonl" >/dev/null 2>"$T/err" || bad=1
	done
	if [ "$bad" -eq 0 ]; then ok "re-add from another process in the same second"
	else fail "re-add from another process in the same second" "$(head -1 "$T/err")"; fi
else
	skip "re-add from another process in the same second" "no setarch -R"
fi

# ---- sanitizers (the ASan+UBSan build): no report from any run above ----

if ls "$T"/sanitizer.* >/dev/null 2>&1; then
	fail "no sanitizer reports" "$(cat "$T"/sanitizer.* | head -40)"
	cat "$T"/sanitizer.* | head -200
else
	ok "no sanitizer reports"
fi
