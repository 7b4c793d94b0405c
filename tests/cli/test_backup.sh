#!/bin/sh
# tests/cli/test_backup.sh - kyokun backup and restore (issue 17): a backup
# taken while a writer adds 10,000 cases is a sound database holding a
# consistent prefix of them; a backup while the server runs; restore puts a
# backup back and refuses, before anything is replaced, what is not a sound
# kyokun database of this version or older, and a database in use;
# progress lines on a terminal only.
. "$TOP/tests/cli/lib.sh"

sum() { sha256sum "$1" | cut -d' ' -f1; }

# ---- the writer's cases: 200 files of 50 (each file is one transaction) ----
# (the ASan run, which checks memory and not scale, writes 40 files: 2,000 cases)
NF=200
case "$KYOKUN" in
*build-asan*) NF=40 ;;
esac
N=$((NF * 50))
mkdir "$T/w"
python3 - "$T/w" "$NF" <<'PY'
import json, sys
d = sys.argv[1]
for f in range(int(sys.argv[2])):
    with open("%s/f%03d.jsonl" % (d, f), "w") as out:
        for i in range(f * 50, f * 50 + 50):
            out.write(json.dumps({"id": "w-%05d" % i, "title": "事例 %d 停電の教訓" % i, "tlp": "clear",
                                  "summary": "概要 %d " % i + "変電所の保護装置が誤動作した。" * 8},
                                 ensure_ascii=False) + "\n")
PY
"$KYOKUN" init >/dev/null 2>&1

# the expected cases, for checking what a backup holds
cat >"$T/prefix.py" <<'PY'
import json, sys
# argv: export.jsonl, list.tsv; prints K (the number of cases) if the cases are
# exactly the writer's first K, whole files, each case as written
cases = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
listed = [l.split("\t")[0] for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
ids = sorted(c["id"] for c in cases)
k = len(ids)
want = ["w-%05d" % i for i in range(k)]
if ids != want:
    sys.exit("not the first %d cases: %s ..." % (k, [i for i in ids if i not in set(want)][:5]))
if sorted(listed) != ids:
    sys.exit("list gives %d cases, export %d" % (len(listed), k))
if k % 50:
    sys.exit("%d cases: a file (one transaction) only in part" % k)
for c in cases:
    i = int(c["id"][2:])
    summary = c.get("summary", "")
    if isinstance(summary, list):
        summary = "".join(summary)
    if c.get("title") != "事例 %d 停電の教訓" % i or not summary.startswith("概要 %d " % i):
        sys.exit("case %s is not as written" % c["id"])
print(k)
PY

# ---- backups while a writer writes ----------------------------------------
"$KYOKUN" add --quiet "$T"/w/f*.jsonl >"$T/writer.out" 2>"$T/writer.err" &
WRITER=$!
n=0
partial=0
bad=""
while kill -0 "$WRITER" 2>/dev/null && [ $n -lt 20 ]; do
	n=$((n + 1))
	if ! "$KYOKUN" backup --quiet "$T/b$n.db" >"$T/b.out" 2>"$T/b.err"; then
		bad="backup $n failed: $(cat "$T/b.err")"
		break
	fi
	sleep 0.05
done
wait "$WRITER"
WRC=$?
[ $WRC -eq 0 ] && ok "writer added its $N cases during the backups" ||
	fail "writer added its $N cases during the backups" "$(tail -3 "$T/writer.err")"
[ -z "$bad" ] && [ $n -gt 0 ] && ok "$n backups taken while the writer wrote" ||
	fail "backups taken while the writer wrote" "$bad (n=$n)"
ks=""
for i in $(seq 1 $n); do
	b="$T/b$i.db"
	[ -f "$b" ] || continue
	if ! "$KYOKUN" --db "$b" check >"$T/c.out" 2>&1; then
		bad="backup $i fails check: $(cat "$T/c.out")"
		break
	fi
	"$KYOKUN" --db "$b" export --format jsonl >"$T/e.jsonl" 2>"$T/e.err" &&
		"$KYOKUN" --db "$b" list --format tsv >"$T/l.tsv" 2>>"$T/e.err" || { bad="backup $i: $(cat "$T/e.err")"; break; }
	if ! k=$(python3 "$T/prefix.py" "$T/e.jsonl" "$T/l.tsv" 2>&1); then
		bad="backup $i: $k"
		break
	fi
	ks="$ks $k"
	[ "$k" -gt 0 ] && [ "$k" -lt "$N" ] && partial=$((partial + 1))
done
[ -z "$bad" ] && ok "every backup passes check and holds a consistent prefix (cases:$ks)" ||
	fail "every backup passes check and holds a consistent prefix" "$bad"
if [ $partial -gt 0 ]; then
	ok "$partial backups caught the writer in the middle"
else
	skip "a backup in the middle of the writing" "the writer was too fast (cases:$ks)"
fi
# a backup taken in the middle restores to a sound database with that prefix
mid=""
for i in $(seq 1 $n); do
	k=$("$KYOKUN" --db "$T/b$i.db" list --format tsv 2>/dev/null | wc -l)
	[ "$k" -gt 0 ] && [ "$k" -lt "$N" ] && { mid=$i; break; }
done
[ -n "$mid" ] || mid=$n
run --db "$T/r.db" restore --quiet "$T/b$mid.db"
k=$("$KYOKUN" --db "$T/b$mid.db" list --format tsv 2>/dev/null | wc -l)
if [ $RC -eq 0 ] && "$KYOKUN" --db "$T/r.db" check >/dev/null 2>&1 &&
	[ "$("$KYOKUN" --db "$T/r.db" list --format tsv | wc -l)" -eq "$k" ] && grep -q "$k cases" "$T/out"; then
	ok "restore of a backup: check passes, the $k cases are there, and it says so"
else
	fail "restore of a backup" "rc=$RC $(cat "$T/out" "$T/err")"
fi
"$KYOKUN" --db "$T/r.db" export --format jsonl >"$T/e.jsonl" 2>/dev/null
"$KYOKUN" --db "$T/r.db" list --format tsv >"$T/l.tsv" 2>/dev/null
python3 "$T/prefix.py" "$T/e.jsonl" "$T/l.tsv" >/dev/null 2>"$T/p.err" && ok "the restored cases are the writer's first $k" ||
	fail "the restored cases are the writer's first $k" "$(cat "$T/p.err")"

# ---- backup: refusals --------------------------------------------------------
full="$T/b$n.db"
before=$(sum "$full")
run backup "$full"
[ $RC -eq 1 ] && grep -q -- "--force" "$T/err" && [ "$(sum "$full")" = "$before" ] &&
	ok "backup refuses an existing file without --force" || fail "backup refuses an existing file" "rc=$RC $(cat "$T/err")"
run backup --force "$full"
[ $RC -eq 0 ] && grep -q "$N cases, schema version" "$T/out" && ok "backup --force replaces it" ||
	fail "backup --force replaces it" "rc=$RC $(cat "$T/out" "$T/err")"
run backup --force "$KYOKUN_DB"
[ $RC -eq 1 ] && "$KYOKUN" check >/dev/null 2>&1 && ok "backup refuses to write over the database itself" ||
	fail "backup refuses to write over the database itself" "rc=$RC $(cat "$T/err")"
run backup "$T/nodir/x.db"
[ $RC -eq 1 ] && [ ! -e "$T/nodir" ] && ok "backup into a missing folder: an error" || fail "backup into a missing folder" "rc=$RC"
run backup
[ $RC -eq 2 ] && ok "backup without FILE: usage error" || fail "backup without FILE: usage error" "rc=$RC"
run --db "$T/none.db" backup "$T/x.db"
[ $RC -eq 1 ] && [ ! -e "$T/none.db" ] && [ ! -e "$T/x.db" ] && ok "backup of a missing database creates nothing" ||
	fail "backup of a missing database creates nothing" "rc=$RC"
ls "$T" | grep -q '\.tmp-' && fail "no temporary files left" "$(ls "$T" | grep '\.tmp-')" || ok "no temporary files left"

# ---- backup while the server runs -------------------------------------------
start_server --threads 2
if [ -n "$URL" ]; then
	curl -s "$URL/" >/dev/null
	run backup "$T/srv.db"
	[ $RC -eq 0 ] && "$KYOKUN" --db "$T/srv.db" check >/dev/null 2>&1 && ok "backup while kyokun serve runs" ||
		fail "backup while kyokun serve runs" "rc=$RC $(cat "$T/err")"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/")
	[ "$code" = 200 ] && ok "the server still answers after the backup" || fail "the server still answers" "$code"
	# restore refuses while the server has the database open
	before=$(sum "$KYOKUN_DB")
	run restore "$T/b1.db"
	[ $RC -eq 1 ] && grep -q "in use" "$T/err" && [ "$(sum "$KYOKUN_DB")" = "$before" ] &&
		ok "restore refuses while the server runs, database untouched" ||
		fail "restore refuses while the server runs" "rc=$RC $(cat "$T/out" "$T/err")"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/")
	[ "$code" = 200 ] && ok "the server still answers after the refused restore" || fail "the server still answers" "$code"
	stop_server
else
	fail "server starts" "$(cat "$T/srv.err")"
fi

# ---- restore: refusals, the database untouched --------------------------------
"$KYOKUN" delete w-00000 >/dev/null 2>&1
before=$(sum "$KYOKUN_DB")
refused() { # NAME FILE WORDS: restore FILE is refused with WORDS, the database untouched
	run restore "$2"
	if [ $RC -eq 1 ] && grep -qi "$3" "$T/err" && grep -q "not restored" "$T/err" &&
		[ "$(sum "$KYOKUN_DB")" = "$before" ] && [ ! -e "$KYOKUN_DB-journal" ] &&
		! ls -a "$T" | grep -q kyokun-restore; then
		ok "restore refuses $1, database untouched"
	else
		fail "restore refuses $1" "rc=$RC $(cat "$T/out" "$T/err")"
	fi
}
printf 'just some text\n' >"$T/text.db"
refused "a text file" "$T/text.db" "not a kyokun database"
: >"$T/empty.db"
refused "an empty file" "$T/empty.db" "empty"
head -c 65536 "$full" >"$T/trunc.db"
refused "a truncated backup" "$T/trunc.db" "damaged or truncated\|problem"
size=$(stat -c %s "$full")
head -c $((size - 4096)) "$full" >"$T/trunc2.db"
refused "a backup missing its last page" "$T/trunc2.db" "damaged or truncated\|problem"
cp "$full" "$T/newer.db"
sqlite3 "$T/newer.db" 'PRAGMA user_version=99'
refused "a newer schema" "$T/newer.db" "schema version 99, newer"
sqlite3 "$T/other.db" 'CREATE TABLE t(a); INSERT INTO t VALUES(1)'
refused "another SQLite database" "$T/other.db" "not kyokun"
refused "a missing file" "$T/missing.db" "no such file"
cp "$full" "$T/live.db"
printf 'x' >"$T/live.db-wal"
refused "a database with a write-ahead log beside it" "$T/live.db" "write-ahead log"
run restore
[ $RC -eq 2 ] && ok "restore without FILE: usage error" || fail "restore without FILE: usage error" "rc=$RC"
run restore --bogus "$full"
[ $RC -eq 2 ] && [ "$(sum "$KYOKUN_DB")" = "$before" ] && ok "restore with an unknown option: usage error" ||
	fail "restore with an unknown option: usage error" "rc=$RC"

# ---- restore puts the backup back ----------------------------------------------
chmod 640 "$KYOKUN_DB"
run restore "$full"
if [ $RC -eq 0 ] && grep -q "$N cases, schema version" "$T/out" && "$KYOKUN" show w-00000 >/dev/null 2>&1 &&
	"$KYOKUN" check >/dev/null 2>&1 && [ ! -e "$KYOKUN_DB-wal" ] || [ ! -s "$KYOKUN_DB-wal" ]; then
	ok "restore puts the backup back (the deleted case is there again)"
else
	fail "restore puts the backup back" "rc=$RC $(cat "$T/out" "$T/err")"
fi
[ "$(stat -c %a "$KYOKUN_DB")" = 640 ] && ok "restore keeps the database's mode" ||
	fail "restore keeps the database's mode" "$(stat -c %a "$KYOKUN_DB")"
"$KYOKUN" audit --format json >"$T/a.json" 2>&1
grep -q '"delete"' "$T/a.json" && fail "the restored database has its own audit log" "$(head -c 300 "$T/a.json")" ||
	ok "the restored database has its own audit log (the later delete is not in it)"
run --db "$T/fresh.db" restore "$full"
[ $RC -eq 0 ] && "$KYOKUN" --db "$T/fresh.db" check >/dev/null 2>&1 && ok "restore to a new database path" ||
	fail "restore to a new database path" "rc=$RC $(cat "$T/err")"
ls -a "$T" | grep -q kyokun-restore && fail "no restore temporaries left" || ok "no restore temporaries left"

# ---- progress lines: on a terminal only, not with --quiet -----------------------
cat >"$T/runpty.py" <<'PY'
import os, pty, subprocess, sys
# run argv[1:] with stderr on a terminal; print what it wrote there
m, s = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
p.wait()
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(p.returncode)
PY
# a line at every step (not every 0.25 s), so that a small input shows it
export KYOKUN_PROGRESS_DELAY=0
cat "$T"/w/f00[0-9].jsonl | sed 's/"w-/"p-/' | awk '{ sub(/"p-/, "\"p" NR "-"); print }' >"$T/big.jsonl"
python3 "$T/runpty.py" "$KYOKUN" --db "$T/p1.db" add "$T/big.jsonl" >"$T/pty.out"
grep -aq 'cases (.*%).*cases/s' "$T/pty.out" && ok "add shows progress on a terminal (cases, share, rate)" ||
	fail "add shows progress on a terminal" "$(head -c 300 "$T/pty.out")"
grep -aq 'left' "$T/pty.out" && ok "add's progress says the time left" || fail "add's progress says the time left" "$(head -c 300 "$T/pty.out")"
python3 "$T/runpty.py" "$KYOKUN" --db "$T/p2.db" add --quiet "$T/big.jsonl" >"$T/pty.out"
grep -aq 'cases/s' "$T/pty.out" && fail "add --quiet shows no progress" "$(head -c 300 "$T/pty.out")" ||
	ok "add --quiet shows no progress"
"$KYOKUN" --db "$T/p3.db" add "$T/big.jsonl" >/dev/null 2>"$T/pipe.err"
grep -q "$(printf '\r')" "$T/pipe.err" && fail "add shows no progress when stderr is not a terminal" ||
	ok "add shows no progress when stderr is not a terminal"
mkdir "$T/imp"
for i in 1 2 3 4 5 6; do cp "$FIX/import/collection.txt" "$T/imp/r$i.txt"; done
python3 "$T/runpty.py" "$KYOKUN" --db "$T/p4.db" import "$T"/imp/*.txt >"$T/pty.out"
grep -aq 'import: [0-9]* files ([0-9]*%)' "$T/pty.out" && ok "import of many files shows progress on a terminal" ||
	fail "import of many files shows progress on a terminal" "$(tail -c 300 "$T/pty.out")"
python3 "$T/runpty.py" "$KYOKUN" --db "$T/p5.db" import --quiet "$T"/imp/*.txt >"$T/pty.out"
grep -aq 'import: [0-9]* files' "$T/pty.out" && fail "import --quiet shows no progress" || ok "import --quiet shows no progress"
"$KYOKUN" --db "$T/p6.db" import "$T"/imp/*.txt >/dev/null 2>"$T/pipe.err"
grep -aq 'import: [0-9]* files' "$T/pipe.err" && fail "import shows no progress when stderr is not a terminal" ||
	ok "import shows no progress when stderr is not a terminal"
python3 "$T/runpty.py" "$KYOKUN" --db "$T/p1.db" backup "$T/p1b.db" >"$T/pty.out"
[ -f "$T/p1b.db" ] && ok "backup on a terminal" || fail "backup on a terminal" "$(cat "$T/pty.out")"
