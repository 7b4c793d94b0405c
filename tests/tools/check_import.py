#!/usr/bin/env python3
"""check_import.py - only the case's text: a check of an import's cases.

    python3 tests/tools/check_import.py EXPORT.json [...]

EXPORT.json is `kyokun export --format json` (or `import --dry-run`
output) of one report.  For every case it fails on
  - a figure label in the overview or in a section: a line of a few
    characters with no punctuation (本番系, 予備系), a flow figure's step
    label alone ((対処１), （検知）), or an arrow;
  - another case's overview inside a section or the overview (the text of
    the next case run into this one).
It knows no report: it runs on any import.  Prints `ok`/`bad` lines and
exits 1 when something is wrong.
"""
import json
import re
import sys
import unicodedata

ARROW = re.compile(r"^[\s→⇒⇨➡↓↑←⇔⟶▶▼►]+$|^[→⇒⇨➡↓▼]")
STEP = re.compile(r"^[\(（][^\)）]{1,8}[\)）]$")
# a flow figure's step label run into the text: "...に報告(対処1)"
STEP_IN = re.compile(r"\((?:対処|検知|事象|対応)\d+\)")
SUBHEAD = re.compile(r"^[＜<〈【\[].*[＞>〉】\]]$")
BULLET = re.compile(r"^(?:[-•・●○◆■✓*]\s*)+")


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def label_like(line):
    """A figure label: short, no sentence, no punctuation."""
    t = BULLET.sub("", line.strip())
    n = norm(t)
    if not n:
        return False
    if ARROW.search(t) or STEP.match(n) or STEP_IN.search(n):
        return True
    if SUBHEAD.match(n):
        return False
    if any(c in n for c in "。、,.:：「」()（）"):
        return False
    # a lone noun of a few characters (本番系, 予備系, 経営層)
    return len(n) <= 4


def lines_of(case):
    for item in case.get("summary") or []:
        for line in item.split("\n"):
            yield "summary", line
    for key, text in (case.get("sections") or {}).items():
        for line in (text or "").split("\n"):
            yield key, line


def check(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    cases = doc["cases"] if isinstance(doc, dict) else doc
    bad = 0
    overviews = {}
    for c in cases:
        for item in c.get("summary") or []:
            n = norm(item)
            if len(n) >= 20:
                overviews[n] = c["id"]
    for c in cases:
        for where, line in lines_of(c):
            if label_like(line):
                print(f"bad - {path}: {c['id']} {where}: figure label {line.strip()!r}")
                bad += 1
            n = norm(BULLET.sub("", line.strip()))
            for ov, other in overviews.items():
                if other != c["id"] and len(n) >= 20 and (ov in n or n in ov):
                    print(f"bad - {path}: {c['id']} {where}: overview of {other}: {line.strip()[:40]!r}")
                    bad += 1
                    break
    if not bad:
        print(f"ok - {path}: {len(cases)} cases hold only their own text")
    return bad


def main():
    bad = 0
    for path in sys.argv[1:]:
        bad += check(path)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
