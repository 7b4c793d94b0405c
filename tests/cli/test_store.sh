#!/bin/sh
# tests/cli/test_store.sh - the database under stress and damage: readers
# while a bulk `add` writes (with a server running, and alone), `kyokun
# check` of a sound, an inconsistent and a damaged database, writes into a
# damaged file, an older schema, and a database on read-only media.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_store.sh
. "$(dirname "$0")/lib.sh"

HAVE_SQLITE=1
command -v sqlite3 >/dev/null 2>&1 || HAVE_SQLITE=0


# gen N WORDS [TITLE [PAD]]: N cases as JSON Lines, each with about WORDS
# words of text (and PAD blanks between two keys, to make a big file fast)
gen() {
	awk -v n="$1" -v words="$2" -v tag="${3:-生成事例}" -v pad="${4:-0}" 'BEGIN {
		split("停電 復旧 制御 系統 通信 障害 サーバ 切替 訓練 手順 確認 監視 警報 設備 更新 点検 不具合 設定 誤り 対策", w, " ")
		srand(7)
		blanks = ""
		while (length(blanks) < pad)
			blanks = blanks "          "
		for (i = 1; i <= n; i++) {
			body = ""
			for (k = 0; k < words; k++)
				body = body w[int(rand() * 20) + 1] (k % 9 == 8 ? "。" : "") " x" int(rand() * 5000)
			printf "{\"id\":\"gen-%d\",%s\"title\":\"%s %d %s\",\"category\":\"cat%d\",\"tlp\":\"clear\",\"summary\":[\"%s\"],\"sections\":{\"background\":\"%s\"}}\n", i, pad ? blanks : "", tag, i, w[i % 20 + 1], i % 7, w[i % 13 + 1], body
		}
	}'
}

# ---- readers during a bulk add ----

# The finding: with a server running, 2 of 200 searches failed with
# "database is locked" while `add` loaded a big file.  2,500 cases, 34 MB
# with blanks: above the size `add` loads in bulk (BULK_BYTES in
# src/cmd_add.c, 32 MiB).
gen 2500 200 生成事例 11000 >"$T/big.jsonl"
head -1200 "$T/big.jsonl" >"$T/mid.jsonl"
if [ "$(wc -c <"$T/big.jsonl")" -lt 33554432 ]; then fail "bulk: the generated file is big enough"; fi
export KYOKUN_DB="$T/bulk.db"
run add "$TOP/examples/cases.json"
expect_rc "bulk: a small library first" 0
ID=$(sed -n 's/.*"id": "\([^"]*\)".*/\1/p' "$TOP/examples/cases.json" | head -1)

# bulk_add FILE: `add FILE` in the background; its exit status in $T/add.rc when it ends
bulk_add() {
	rm -f "$T/add.rc"
	("$KYOKUN" add "$1" >"$T/add.out" 2>"$T/add.err"; echo $? >"$T/add.rc") &
	ADD=$!
}

# readers COMMAND...: the commands (one argument each, split on spaces) in a
# loop until the add in the background ends; prints how many ran.
# Failures go to $T/fails, waits of more than 8 s to $T/slow (a writer waits
# 10 s for a lock; a reader 2 s at most, for each lock it takes).
readers() {
	: >"$T/fails"
	: >"$T/slow"
	n=0
	while [ ! -e "$T/add.rc" ]; do
		for cmd in "$@"; do
			start=$(date +%s)
			# shellcheck disable=SC2086
			"$KYOKUN" $cmd >/dev/null 2>"$T/rerr"
			rc=$?
			took=$(($(date +%s) - start))
			n=$((n + 1))
			[ $rc -ne 0 ] && echo "$cmd: exit $rc: $(head -c 300 "$T/rerr")" >>"$T/fails"
			[ $took -gt 8 ] && echo "$cmd: ${took}s" >>"$T/slow"
		done
	done
	echo "$n"
}

# With a server, an add never leaves WAL mode, whatever its size (1,200
# cases here, for time).  Readers open the database read-only (no migration,
# no lock at open) and must not fail either.
{
	start_server
	bulk_add "$T/mid.jsonl"
	n=$(readers "show $ID" "list --format tsv" "search 停電" "history $ID")
	wait "$ADD"
	ARC=$(cat "$T/add.rc")
	stop_server
	if [ "$ARC" -eq 0 ]; then ok "bulk with a server: the add succeeds"
	else fail "bulk with a server: the add succeeds" "exit $ARC: $(head -c 300 "$T/add.err")"; fi
	if [ -s "$T/fails" ] || [ -s "$T/slow" ]; then
		fail "bulk with a server: none of $n readers fails or waits" "$(head -5 "$T/fails" "$T/slow")"
	else ok "bulk with a server: none of $n readers fails or waits"; fi
}

# Alone, the add runs with a rollback journal and holds the file: a reader
# reads, or says within seconds that a bulk load is writing.
export KYOKUN_DB="$T/bulk2.db"
run add "$TOP/examples/cases.json"
bulk_add "$T/big.jsonl"
n=$(readers "show $ID" "list --format tsv" "history $ID")
wait "$ADD"
RC=$(cat "$T/add.rc")
expect_rc "bulk alone: the add succeeds" 0
grep -v "a bulk load (\`kyokun add\` of a large file) is writing the database" "$T/fails" >"$T/fails2"
if [ -s "$T/fails2" ] || [ -s "$T/slow" ]; then
	fail "bulk alone: $n readers read or say at once that a bulk load is writing" "$(head -5 "$T/fails2" "$T/slow")"
else ok "bulk alone: $n readers read or say at once that a bulk load is writing"; fi
run list --format tsv
if [ "$(wc -l <"$T/out")" -eq 2513 ]; then ok "bulk alone: everything stored"
else fail "bulk alone: everything stored" "$(wc -l <"$T/out") cases"; fi

# a bulk add killed in the middle leaves its journal: the next reader rolls it back
export KYOKUN_DB="$T/bulk3.db"
run add "$TOP/examples/cases.json"
"$KYOKUN" add "$T/big.jsonl" >/dev/null 2>&1 &
ADD=$!
for _ in $(seq 1 100); do
	[ -e "$T/bulk3.db-journal" ] && break
	sleep 0.05
done
sleep 0.5
kill -KILL "$ADD" 2>/dev/null
wait "$ADD" 2>/dev/null
run list --format tsv
expect_rc "bulk killed: a reader reads" 0
if [ "$(wc -l <"$T/out")" -eq 13 ] || [ "$(wc -l <"$T/out")" -eq 2513 ]; then ok "bulk killed: all or nothing"
else fail "bulk killed: all or nothing" "$(wc -l <"$T/out") cases"; fi
# (a reader rolls a hot journal back; one killed before it wrote a page may stay until a writer comes)
run init
expect_rc "bulk killed: then a writer opens it" 0
if [ -e "$T/bulk3.db-journal" ]; then fail "bulk killed: no journal left"
else ok "bulk killed: no journal left"; fi
rm -f "$T/big.jsonl" "$T/mid.jsonl" "$T"/bulk*.db*

# ---- check ----

export KYOKUN_DB="$T/k.db"
gen 2000 100 >"$T/c.jsonl"
run add "$T/c.jsonl"
expect_rc "check: a library" 0
run check
expect_rc "check: a sound database: exit 0" 0
expect_out "check: a sound database: ok" "^ok$"
run check --quick
expect_rc "check --quick: exit 0" 0
expect_out "check --quick: ok" "^ok$"
run check extra
expect_rc "check: an argument is a usage error" 2
run check --full
expect_rc "check: an unknown option is a usage error" 2
run --db "$T/none.db" check
expect_rc "check: no database: exit 1" 1
if [ -e "$T/none.db" ]; then fail "check: creates no database"; else ok "check: creates no database"; fi

# the facet counts (the home page's overview, case_counts) stay exact across add, update and delete:
# check recounts them from the cases
cat >"$T/fc1.jsonl" <<'EOF'
{"id":"fc-1","title":"停電","source":{"document":"fc-a.txt","year":2020},"category":"障害","tlp":"clear","tags":{"event_class":"cyber_attack","threats":["ransomware","ddos"],"sectors":["electricity"]},"summary":["停電"]}
{"id":"fc-2","title":"誤送信","source":{"document":"fc-a.txt","year":2021},"category":"漏えい","tlp":"green","tags":{"threats":["ransomware"]},"summary":["誤送信"]}
{"id":"fc-3","title":"侵入","source":{"document":"fc-b.txt"},"tlp":"amber","tags":{"sectors":["finance"]},"summary":["侵入"]}
EOF
cat >"$T/fc2.jsonl" <<'EOF'
{"id":"fc-1","title":"停電","source":{"document":"fc-b.txt"},"category":"漏えい","tlp":"red","tags":{"sectors":["medical"]},"summary":["停電"]}
EOF
run --db "$T/fc.db" add "$T/fc1.jsonl"
run --db "$T/fc.db" check
expect_out "facet counts: exact after adding" "^ok$"
run --db "$T/fc.db" add "$T/fc2.jsonl"
run --db "$T/fc.db" delete fc-3
# one report's cases in their order (the index cases_doc_order): by number, those without one last, then by id
printf '%s\n' '{"id":"fc-9","title":"九","source":{"document":"fc-a.txt","case_number":2},"tlp":"clear","summary":["九"]}' \
	'{"id":"fc-8","title":"八","source":{"document":"fc-a.txt","case_number":1},"tlp":"clear","summary":["八"]}' \
	'{"id":"fc-0","title":"零","source":{"document":"fc-a.txt"},"tlp":"clear","summary":["零"]}' >"$T/fc3.jsonl"
run --db "$T/fc.db" add "$T/fc3.jsonl"
run --db "$T/fc.db" list --document fc-a.txt --format tsv
if [ "$(cut -f1 "$T/out" | tr '\n' ' ')" = "fc-8 fc-9 fc-0 fc-2 " ]; then ok "one report's cases: by number, then the others by id"
else fail "one report's cases: by number, then the others by id" "$(cat "$T/out")"; fi
run --db "$T/fc.db" check
expect_out "facet counts: exact after an update (level, category, year, tags) and a delete" "^ok$"
if [ "$HAVE_SQLITE" -eq 1 ]; then
	if [ "$(sqlite3 "$T/fc.db" "SELECT group_concat(facet || '=' || value || '/' || sub || '@' || level || ':' || n, ' ')
		FROM (SELECT * FROM case_counts WHERE facet IN ('document', 'threat', 'none') ORDER BY 1, 2, 3, 4)")" = \
	     "document=fc-a.txt/@0:3 document=fc-a.txt/2021@1:1 document=fc-b.txt/@4:1 none=event_class/@0:3 none=event_class/@1:1 none=event_class/@4:1 none=sector/@0:3 none=sector/@1:1 none=threat/@0:3 none=threat/@4:1 none=year/@0:3 none=year/@4:1 threat=ransomware/@1:1" ]; then
		ok "facet counts: the rows of a report, a threat and the cases without one"
	else
		fail "facet counts: the rows of a report, a threat and the cases without one" "$(sqlite3 "$T/fc.db" "SELECT * FROM case_counts")"
	fi
	sqlite3 "$T/fc.db" "UPDATE case_counts SET n = n + 1 WHERE facet = 'threat'"
	run --db "$T/fc.db" check
	expect_rc "facet counts apart: check exits 1" 1
	expect_out "facet counts apart: says which" "^facet counts: [0-9]+ facet counts"
else
	skip "facet counts: the rows" "sqlite3 is not installed"
fi

if [ "$HAVE_SQLITE" -eq 1 ]; then
	cp "$T/k.db" "$T/drift.db"
	sqlite3 "$T/drift.db" "UPDATE case_text SET body = 'ほかの文' WHERE rid = 11"
	run --db "$T/drift.db" check
	expect_rc "check: index and text apart: exit 1" 1
	expect_out "check: index and text apart: the full-text index" "^full-text index: "
	expect_err "check: index and text apart: says what to do" "1 problem found: restore the database from a backup"
else
	skip "check: index and text apart" "sqlite3 is not installed"
fi

# the middle third of the file overwritten with garbage
cp "$T/k.db" "$T/bad.db"
pages=$(($(wc -c <"$T/bad.db") / 4096))
dd if=/dev/urandom of="$T/bad.db" bs=4096 seek=$((pages / 3)) count=$((pages / 3)) conv=notrunc 2>/dev/null
cp "$T/bad.db" "$T/bad0.db"
run --db "$T/bad.db" check
expect_rc "check: damaged: exit 1" 1
expect_out "check: damaged: the pages" "^database: (Page|Tree|On tree|Freelist|Rowid|row|wrong|NULL|CHECK|non-unique|Multiple|Fragmentation|2nd reference|Child page)"
expect_err "check: damaged: counts the problems" "[0-9]+ problems? found"
run --db "$T/bad.db" check --quick
expect_rc "check --quick: damaged: exit 1" 1
gen 2000 100 改訂 >"$T/c2.jsonl"
run --db "$T/bad.db" add "$T/c2.jsonl"
expect_rc "add into a damaged database: exit 1" 1
expect_err "add into a damaged database: says so" \
	"the database file is damaged \(SQLite: [^)]+\): run \`kyokun check\`; restore from a backup"
expect_err "add into a damaged database: stores nothing" "refused; none of its cases was stored"
run --db "$T/bad.db" add "$TOP/examples/cases.json"
expect_rc "add of new cases into a damaged database: exit 1" 1
expect_err "add of new cases into a damaged database: says so" "the database file is damaged"
run --db "$T/bad.db" delete gen-5
expect_rc "delete in a damaged database: exit 1" 1
run --db "$T/bad.db" check --quick
expect_rc "a refused write leaves the damage as it was" 1

# a file that is not a database at all
head -c 20000 /dev/urandom >"$T/noise.db"
run --db "$T/noise.db" list
expect_rc "not a database: list exits 1" 1
expect_err "not a database: says so" "is not a kyokun database|damaged"
run --db "$T/noise.db" add "$TOP/examples/cases.json"
expect_rc "not a database: add exits 1" 1

# ---- an older schema: readers refuse, writers (init) migrate ----

if [ "$HAVE_SQLITE" -eq 1 ]; then
	cp "$T/k.db" "$T/old.db"
	# undo migrations 5 to 8, as a database made by an older kyokun has them
	sqlite3 "$T/old.db" "DROP TABLE settings; DROP TABLE case_drafts; DROP TABLE incident_status; DROP TABLE incident_reports; DROP TABLE incidents; ALTER TABLE revisions DROP COLUMN draft; ALTER TABLE revisions DROP COLUMN author; ALTER TABLE cases DROP COLUMN author;
		DROP INDEX cases_facets;
		DROP TABLE audit; DROP TABLE signin_failures; DROP TABLE tokens; DROP TABLE sessions;
		DROP TABLE users; DROP TABLE org_sectors; DROP TABLE orgs;
		DROP TABLE case_recipients; DROP INDEX cases_owner; ALTER TABLE cases DROP COLUMN owner;
		DROP TABLE IF EXISTS documents;
		DROP TABLE case_vocab; DROP INDEX cases_doc_year;
		DROP TABLE case_counts; DROP INDEX cases_doc_order; DROP INDEX cases_updated; CREATE INDEX cases_document ON cases(document, case_number);
		PRAGMA user_version = 4"
	run --db "$T/old.db" list
	expect_rc "older schema: a reader exits 1" 1
	expect_err "older schema: says to run init" "schema version 4, older than this kyokun's [0-9]+: run \`kyokun init\`"
	if [ "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" = 4 ]; then ok "older schema: a reader does not migrate"
	else fail "older schema: a reader does not migrate"; fi
	run --db "$T/old.db" init
	expect_rc "older schema: init migrates" 0
	run --db "$T/old.db" list --format tsv
	expect_rc "older schema: then readers read" 0
	if [ "$(sqlite3 "$T/old.db" "SELECT sum(n) FROM case_counts WHERE facet = 'tlp'")" = 2000 ]; then
		ok "older schema: the migration counts the facets"
	else fail "older schema: the migration counts the facets"; fi
	sqlite3 "$T/old.db" "PRAGMA user_version = 77"
	run --db "$T/old.db" list
	expect_err "newer schema: a reader refuses" "schema version 77, newer than this kyokun's [0-9]+: upgrade kyokun"
	run --db "$T/old.db" add "$TOP/examples/cases.json"
	expect_err "newer schema: a writer refuses" "schema version 77, newer than this kyokun's [0-9]+: upgrade kyokun"
else
	skip "older schema" "sqlite3 is not installed"
fi

# ---- read-only media ----

# As root, chmod does not stop writes: a read-only bind mount in a mount
# namespace of its own does (unshare; skipped where it is not allowed).
mkdir -p "$T/media"
cp "$T/k.db" "$T/media/k.db"
cat >"$T/ro.sh" <<EOF
mount --bind "$T/media" "$T/media" && mount -o remount,ro,bind "$T/media" || exit 99
touch "$T/media/probe" 2>/dev/null && exit 98
"$KYOKUN" --db "$T/media/k.db" list --format tsv >"$T/ro.list" 2>"$T/ro.list.err"; echo "list \$?" >"$T/ro.rc"
"$KYOKUN" --db "$T/media/k.db" show gen-7 >/dev/null 2>&1; echo "show \$?" >>"$T/ro.rc"
"$KYOKUN" --db "$T/media/k.db" check >"$T/ro.check" 2>"$T/ro.check.err"; echo "check \$?" >>"$T/ro.rc"
"$KYOKUN" --db "$T/media/k.db" add "$TOP/examples/cases.json" >/dev/null 2>"$T/ro.add.err"; echo "add \$?" >>"$T/ro.rc"
exit 0
EOF
if unshare -m sh "$T/ro.sh" 2>/dev/null; then
	if grep -qx "list 0" "$T/ro.rc" && [ "$(wc -l <"$T/ro.list")" -eq 2000 ]; then ok "read-only media: list reads"
	else fail "read-only media: list reads" "$(cat "$T/ro.rc" "$T/ro.list.err")"; fi
	if grep -q "note: .*read-only media: opened immutable" "$T/ro.list.err"; then ok "read-only media: a note says so"
	else fail "read-only media: a note says so" "$(cat "$T/ro.list.err")"; fi
	if grep -qx "show 0" "$T/ro.rc"; then ok "read-only media: show reads"; else fail "read-only media: show reads"; fi
	if grep -qx "check 0" "$T/ro.rc" && grep -qx ok "$T/ro.check" &&
	   grep -q "full-text index was not checked" "$T/ro.check.err"; then ok "read-only media: check checks what it can"
	else fail "read-only media: check checks what it can" "$(cat "$T/ro.check" "$T/ro.check.err")"; fi
	if grep -qx "add 1" "$T/ro.rc" && grep -q "cannot be written here" "$T/ro.add.err"; then
		ok "read-only media: add says it cannot write"
	else fail "read-only media: add says it cannot write" "$(cat "$T/ro.rc" "$T/ro.add.err")"; fi
	if ls "$T/media" | grep -q -- "-shm\|-wal"; then fail "read-only media: nothing written"
	else ok "read-only media: nothing written"; fi
else
	skip "read-only media" "no read-only bind mount here (unshare -m needs privileges)"
fi
