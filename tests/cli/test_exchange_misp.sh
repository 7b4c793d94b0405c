#!/bin/sh
# tests/cli/test_exchange_misp.sh - MISP events through the command line and
# the API: examples/cases.json into a fresh database, `kyokun export --format
# misp`, validated against MISP's event schema (tests/tools/validate.mjs,
# skipped when node or ajv is missing), deterministic bytes, `kyokun add
# --format misp` (and sniffed, without --format) into another database and
# the same cases back, bad input refused with nothing stored, and no
# TLP:AMBER (or stricter) case in an anonymous reader's export.
#
# What survives kyokun -> MISP -> kyokun: everything (the whole case rides in
# the "kyokun-case/1" text attribute), so the two databases' exports compare
# byte for byte.  From a foreign MISP event: info -> title, uuid -> id
# misp-UUID, Orgc.name -> source.publisher, date -> source.year, Markdown
# (EventReport or attribute) -> summary, sections, key lessons, tags -> tlp,
# event class, threats, sectors (the unit test checks those).
. "$(dirname "$0")/lib.sh"

run add "$TOP/examples/cases.json"
expect_rc "misp: the examples go into a fresh database" 0

run export --format misp
if [ "$RC" -ne 0 ] && grep -qi "format" "$T/err"; then
	skip "misp: export and import through the CLI" "kyokun export --format misp is not wired yet ($(head -c 200 "$T/err"))"
	exit 0
fi
expect_rc "misp: export --format misp exits 0" 0
cp "$T/out" "$T/a.json"
n=$(grep -c '^{"Event":' "$T/a.json")
total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$TOP/examples/cases.json" 2>/dev/null || echo 13)
if [ "$n" -eq "$total" ]; then ok "misp: one event per case ($n)"; else fail "misp: one event per case" "$n events, $total cases"; fi

run export --format misp
if cmp -s "$T/out" "$T/a.json"; then ok "misp: export is deterministic"; else fail "misp: export is deterministic"; fi

if ! command -v node >/dev/null 2>&1 || [ ! -f "$TOP/tests/tools/validate.mjs" ]; then
	skip "misp: export validates against MISP's event schema" "node or tests/tools/validate.mjs missing"
else
	SHARED=$SHARED node "$TOP/tests/tools/validate.mjs" misp "$T/a.json" >"$T/v.out" 2>&1
	vrc=$?
	if [ $vrc -eq 0 ]; then ok "misp: export validates against MISP's event schema"
	elif [ $vrc -eq 2 ]; then
		skip "misp: export validates against MISP's event schema" "$(head -c 200 "$T/v.out")"
	else fail "misp: export validates against MISP's event schema" "$(head -c 800 "$T/v.out")"; fi
fi

# round trip into another database
KYOKUN_DB="$T/b.db" run add --format misp "$T/a.json"
expect_rc "misp: add --format misp exits 0" 0
KYOKUN_DB="$T/b.db" run export --format misp
if cmp -s "$T/out" "$T/a.json"; then ok "misp: kyokun -> MISP -> kyokun gives the same events"
else fail "misp: kyokun -> MISP -> kyokun gives the same events" "$(diff "$T/out" "$T/a.json" | head -c 600)"; fi
run export
cp "$T/out" "$T/own-a.json"
KYOKUN_DB="$T/b.db" run export
if cmp -s "$T/out" "$T/own-a.json"; then ok "misp: the cases come back exactly"
else fail "misp: the cases come back exactly" "$(diff "$T/out" "$T/own-a.json" | head -c 600)"; fi

# sniffed without --format
KYOKUN_DB="$T/c.db" run add "$T/a.json"
KYOKUN_DB="$T/c.db" run export --format misp
if cmp -s "$T/out" "$T/a.json"; then ok "misp: add sniffs MISP events without --format"
else fail "misp: add sniffs MISP events without --format" "$(head -c 300 "$T/err")"; fi

# an event without the kyokun-case/1 attribute (as another MISP has it): the
# fields the README claims survive: title, publisher, year, overview,
# sections, key lessons, TLP, and each event class, threat and sector that
# has a MISP tag of its own in the crosswalk (a tag that several terms of one
# vocabulary share is not read back)
if command -v python3 >/dev/null 2>&1; then
	python3 - "$T/a.json" "$T/foreign.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1], encoding="utf-8"))
for e in ev:
    e["Event"]["Attribute"] = [a for a in e["Event"].get("Attribute", []) if a.get("comment") != "kyokun-case/1"]
json.dump(ev, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
	KYOKUN_DB="$T/f.db" run add --format misp "$T/foreign.json"
	expect_rc "misp: events without the kyokun case are read" 0
	KYOKUN_DB="$T/f.db" run export --format json
	cp "$T/out" "$T/own-f.json"
	if python3 - "$T/own-a.json" "$T/own-f.json" "$T/a.json" "$TOP/data/crosswalk.tsv" >"$T/cmp" 2>&1 <<'PY'
import json, sys
orig = json.load(open(sys.argv[1], encoding="utf-8"))["cases"]
back = {c["id"]: c for c in json.load(open(sys.argv[2], encoding="utf-8"))["cases"]}
ev = json.load(open(sys.argv[3], encoding="utf-8"))
# a term comes back when one of its tags maps to it alone within its vocabulary
# (import ignores a tag that several terms of one vocabulary share)
tags, users = {}, {}
for line in open(sys.argv[4], encoding="utf-8"):
    col = line.rstrip("\n").split("\t")
    if len(col) < 7 or line.startswith("#") or col[0] == "vocabulary":
        continue
    t = [x.strip() for x in col[6].split(" | ") if x.strip() not in ("", "-")]
    tags[(col[0], col[1])] = t
    for x in t:
        users.setdefault((col[0], x), set()).add(col[1])
notag = {}
for (voc, code), t in tags.items():
    if not any(len(users[(voc, x)]) == 1 for x in t):
        notag.setdefault(voc, set()).add(code)
# the events are in the order of the cases; each case's id is UUIDv5, so match by the event's info and uuid
byuuid = {e["Event"]["info"]: "misp-" + e["Event"]["uuid"] for e in ev}
bad = []
for x in orig:
    k = byuuid.get(x["title"])
    y = back.get(k)
    if not y:
        bad.append("%s: not read back (%s)" % (x["id"], k)); continue
    for f in ("title", "summary", "key_lessons", "tlp"):
        if (x.get(f) or None) != (y.get(f) or None):
            bad.append("%s: %s: %r != %r" % (x["id"], f, x.get(f), y.get(f)))
    if {s: t.rstrip("\n") for s, t in (x.get("sections") or {}).items()} != {s: t.rstrip("\n") for s, t in (y.get("sections") or {}).items()}:
        bad.append("%s: sections: %s" % (x["id"], sorted(set((x.get("sections") or {}).items()) ^ set((y.get("sections") or {}).items()))[:2]))
    for f in ("publisher", "year"):
        if x["source"].get(f) != y["source"].get(f):
            bad.append("%s: source.%s: %r != %r" % (x["id"], f, x["source"].get(f), y["source"].get(f)))
    ec = x["tags"].get("event_class")
    if ec and ec not in notag.get("event_class", set()) and y["tags"].get("event_class") != ec:
        bad.append("%s: event_class %r != %r" % (x["id"], ec, y["tags"].get("event_class")))
    for f, voc in (("threats", "threat"), ("sectors", "sector")):
        lost = {t for t in set(x["tags"].get(f) or []) - set(y["tags"].get(f) or [])
                if (voc, t) in tags and t not in notag.get(voc, set())}
        if lost:
            bad.append("%s: tags.%s lost %s" % (x["id"], f, sorted(lost)))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	then ok "misp: without the kyokun case the claimed fields survive"
	else fail "misp: without the kyokun case the claimed fields survive" "$(head -12 "$T/cmp")"; fi
else
	skip "misp: foreign round trip" "python3 is not installed"
fi

# bad input: refused, naming the event and field, nothing stored
printf '[{"Event":{"uuid":"11111111-2222-4333-8444-555555555555","info":"ok"}},{"Event":{"uuid":"11111111-2222-4333-8444-666666666666","info":7}}]' >"$T/bad.json"
KYOKUN_DB="$T/d.db" run add --format misp "$T/bad.json"
if [ "$RC" -ne 0 ] && grep -q 'events\[1\] (11111111-2222-4333-8444-666666666666): info' "$T/err"; then
	ok "misp: a wrong type is refused naming the event and field"
else fail "misp: a wrong type is refused naming the event and field" "exit $RC: $(head -c 300 "$T/err")"; fi
KYOKUN_DB="$T/d.db" run export --format misp
if ! grep -q '"Event"' "$T/out"; then ok "misp: nothing stored from a refused document"
else fail "misp: nothing stored from a refused document"; fi
printf '[{"Event":' >"$T/bad2.json"
KYOKUN_DB="$T/d.db" run add --format misp "$T/bad2.json"
if [ "$RC" -ne 0 ]; then ok "misp: malformed JSON is refused"; else fail "misp: malformed JSON is refused"; fi

# an anonymous reader (the API without a token) never gets TLP:AMBER or stricter
start_server
if [ -z "$URL" ] || ! command -v curl >/dev/null 2>&1; then
	skip "misp: anonymous API export" "no server or no curl"
else
	curl -s "$URL/api/cases?format=misp" >"$T/anon.json"
	if grep -q '^{"Event":' "$T/anon.json" && grep -q 'tlp:clear' "$T/anon.json" &&
		! grep -q 'tlp:amber\|tlp:red\|"distribution":"0"' "$T/anon.json"; then
		ok "misp: no TLP:AMBER or RED case in an anonymous reader's export"
	else fail "misp: no TLP:AMBER or RED case in an anonymous reader's export" "$(head -c 400 "$T/anon.json")"; fi
fi
