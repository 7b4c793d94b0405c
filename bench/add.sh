#!/bin/sh
# bench/add.sh [N] - how fast `kyokun add` stores N synthetic cases from one
# JSON Lines file, beside the SQLite shell loading the same file through its
# JSON functions (the practical ceiling), measured in the same run.
#
# Two ceilings are measured:
#   shell-table  the file into one plain table of the same columns as `cases`
#                (no revisions, no tags, no full-text index)
#   shell-same   the file into kyokun's own schema (created by `kyokun init`)
#                with the same full-text index, the tokenizer loaded into the
#                shell as an extension (build/kyokun_fts.so): the same work
#                kyokun does, done by SQL alone
# Peak memory is the maximum resident set size of each process.
set -e
cd "$(dirname "$0")/.."
N=${1:-100000}
SHARED=${SHARED:-../shared}
OUT=bench/out
mkdir -p "$OUT"
make -s kyokun ext
DATA="$OUT/cases-$N.jsonl"
[ -f "$DATA" ] || python3 bench/gen_cases.py "$N" --vcdb "$SHARED/data/vcdb/vcdb-2013.jsonl.gz" >"$DATA"
SIZE=$(stat -c %s "$DATA")

timed() { # label cmd... -> "label seconds peakKB"
	label=$1; shift
	/usr/bin/time -f "%e %M" -o "$OUT/time.$$" "$@" >/dev/null 2>"$OUT/err.$$" || {
		echo "$label failed:" >&2; cat "$OUT/err.$$" >&2; exit 1; }
	echo "$label $(cat "$OUT/time.$$")"
}

rm -f "$OUT"/b-*.db*
K=$(timed kyokun ./kyokun --db "$OUT/b-kyokun.db" add "$DATA")

cat >"$OUT/table.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TEMP TABLE raw(j TEXT);
CREATE TABLE cases(rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  document TEXT, year INTEGER, case_number INTEGER, category TEXT, event_class TEXT,
  reader_level TEXT, tlp TEXT NOT NULL, body TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL, updated TEXT NOT NULL);
.mode ascii
.separator "\037" "\n"
.import $DATA raw
BEGIN;
INSERT INTO cases(id, title, document, year, case_number, category, event_class, reader_level, tlp, body, created, updated)
  SELECT j->>'id', j->>'title', j->>'\$.source.document', j->>'\$.source.year', j->>'\$.source.case_number',
         j->>'category', j->>'\$.tags.event_class', j->>'\$.attributes.reader_level', coalesce(j->>'tlp', 'amber'),
         json(j), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM raw;
COMMIT;
SQL
S1=$(timed shell-table sqlite3 "$OUT/b-table.db" <"$OUT/table.sql")

./kyokun --db "$OUT/b-same.db" init >/dev/null
cat >"$OUT/same.sql" <<SQL
.load ./build/kyokun_fts
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=ON;
CREATE TEMP TABLE raw(j TEXT);
.mode ascii
.separator "\037" "\n"
.import $DATA raw
BEGIN;
INSERT INTO cases(id, title, document, year, case_number, category, event_class, reader_level, tlp, body, created, updated)
  SELECT j->>'id', j->>'title', j->>'\$.source.document', j->>'\$.source.year', j->>'\$.source.case_number',
         j->>'category', j->>'\$.tags.event_class', j->>'\$.attributes.reader_level', coalesce(j->>'tlp', 'amber'),
         json(j), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM raw;
INSERT INTO case_tags(rid, kind, value)
  SELECT c.rid, 'threat', t.value FROM cases c, json_each(c.body, '\$.tags.threats') t
  UNION ALL SELECT c.rid, 'sector', t.value FROM cases c, json_each(c.body, '\$.tags.sectors') t
  UNION ALL SELECT rid, 'event_class', event_class FROM cases WHERE event_class IS NOT NULL;
INSERT INTO case_text(rid, title, summary, lessons, body, timeline, meta)
  SELECT rid, title,
    (SELECT group_concat(value, char(10)) FROM json_each(body, '\$.summary')),
    (SELECT group_concat(value, char(10)) FROM json_each(body, '\$.key_lessons')),
    (SELECT group_concat(value, char(10)) FROM json_each(body, '\$.sections')),
    (SELECT group_concat(coalesce(value->>'when', '') || ' ' || coalesce(value->>'actor', '') || ' ' || (value->>'text'), char(10))
       FROM json_each(body, '\$.timeline')),
    trim(coalesce(category, '') || char(10) || coalesce(body->>'\$.attributes.organization', '') || char(10)
         || coalesce(body->>'\$.attributes.factors', ''), char(10))
  FROM cases;
INSERT INTO case_fts(rowid, title, summary, lessons, body, timeline, meta)
  SELECT rid, title, summary, lessons, body, timeline, meta FROM case_text;
COMMIT;
SQL
S2=$(timed shell-same sqlite3 "$OUT/b-same.db" <"$OUT/same.sql")

# sanity: all three stored N cases
for db in kyokun table same; do
	n=$(sqlite3 "$OUT/b-$db.db" "SELECT count(*) FROM cases")
	[ "$n" -eq "$N" ] || { echo "$db stored $n cases, not $N" >&2; exit 1; }
done

echo
echo "add: $N cases, $(( SIZE / 1048576 )) MB of JSON Lines"
printf '%-12s %10s %12s %12s %14s\n' loader seconds cases/s "peak MB" "kyokun ratio"
for row in "$K" "$S1" "$S2"; do
	set -- $row
	rate=$(echo "$N / $2" | bc -l)
	printf '%-12s %10.2f %12.0f %12.1f' "$1" "$2" "$rate" "$(echo "$3 / 1024" | bc -l)"
	if [ "$1" = kyokun ]; then krate=$rate; printf '%14s\n' -; else printf '%14.2f\n' "$(echo "$krate / $rate" | bc -l)"; fi
done
rm -f "$OUT/time.$$" "$OUT/err.$$"
