#!/bin/sh
# tests/cli/test_crosswalk_tags.sh - every MISP tag kyokun writes is a real
# one: the tags of data/crosswalk.tsv's misp column, and the tags of `kyokun
# export --format misp` of the example cases, must each be a predicate (and
# value) of its namespace's MISP taxonomy (machinetag.json).  The taxonomies
# are looked up in $SHARED/spec/exchange/misp/taxonomies/ (tlp, PAP, nis2),
# in $MISP_TAXONOMIES (a checkout of github.com/MISP/misp-taxonomies: ecsirt
# and the others) and, for the kyokun namespace, `kyokun taxonomy`.  A
# namespace whose taxonomy is not found here is skipped, saying so.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { skip "crosswalk tags" "python3 is not installed"; exit 0; }
run add --quiet "$TOP/examples/cases.json"
run export --format misp
cp "$T/out" "$T/events.json"
run taxonomy --format misp
mkdir -p "$T/tax/kyokun"
cp "$T/out" "$T/tax/kyokun/machinetag.json"

python3 - "$TOP/data/crosswalk.tsv" "$T/events.json" "$T/tax" "${SHARED:-}/spec/exchange/misp/taxonomies" \
	"${MISP_TAXONOMIES:-}" <<'PY'
import json, os, re, sys

xwalk, events, *dirs = sys.argv[1:]
tax = {}   # namespace -> (set of predicates, set of (predicate, value), file)
for d in dirs:
    if not d or not os.path.isdir(d):
        continue
    for sub in sorted(os.listdir(d)):
        f = os.path.join(d, sub, "machinetag.json")
        if not os.path.isfile(f):
            continue
        t = json.load(open(f, encoding="utf-8"))
        ns = t["namespace"]
        if ns in tax:
            continue
        preds = {p["value"] for p in t["predicates"]}
        vals = {(v["predicate"], e["value"]) for v in t.get("values", []) for e in v["entry"]}
        tax[ns] = (preds, vals, f)

TAG = re.compile(r'^([a-z0-9-]+):([^=" ]+)(?:="([^"]*)")?$')


def check(where, tag):
    m = TAG.match(tag)
    if not m:
        return "bad", "%s: %s is not a MISP machine tag (namespace:predicate[=\"value\"])" % (where, tag)
    ns, pred, val = m.groups()
    if ns not in tax:
        return "skip", ns
    preds, vals, f = tax[ns]
    if pred not in preds:
        return "bad", "%s: %s: no predicate %s in %s" % (where, tag, pred, f)
    if val is not None and (pred, val) not in vals:
        near = sorted(v for p, v in vals if p == pred and v.lower() == val.lower())
        return "bad", "%s: %s: no value %s of %s in %s%s" % (where, tag, val, pred, f,
                                                          " (it is spelt %s)" % near[0] if near else "")
    return "ok", ns


def report(name, results):
    bad = [m for s, m in results if s == "bad"]
    okns = sorted({m for s, m in results if s == "ok"})
    skipped = sorted({m for s, m in results if s == "skip"})
    if bad:
        print("not ok - %s" % name)
        for b in bad[:20]:
            print("  " + b)
    else:
        print("ok - %s (%d tags of %s checked)" % (name, sum(1 for s, _ in results if s == "ok"), ", ".join(okns) or "none"))
    for ns in skipped:
        print("skip - %s: namespace %s: no taxonomy here (set MISP_TAXONOMIES to a checkout of "
              "github.com/MISP/misp-taxonomies)" % (name, ns))


res = []
for n, line in enumerate(open(xwalk, encoding="utf-8"), 1):
    if line.startswith("#") or not line.strip():
        continue
    cols = line.rstrip("\n").split("\t")
    if cols[0] == "vocabulary" or len(cols) < 7 or cols[6] == "-":
        continue
    for tag in cols[6].split(" | "):
        res.append(check("crosswalk.tsv:%d" % n, tag.strip()))
report("crosswalk: every misp tag is in its MISP taxonomy", res)

res = []
ev = json.load(open(events, encoding="utf-8"))
for i, e in enumerate(ev):
    for t in e["Event"].get("Tag", []):
        res.append(check("events[%d]" % i, t["name"]))
report("misp export: every tag is in its MISP taxonomy", res)
PY
