#!/usr/bin/env python3
"""Synthetic cases for the search benchmark (bench/search.sh).

usage: search_gen.py N OUT.jsonl [SEED]

Writes N cases in the kyokun-case/1 JSON Lines form.  The text is
recombined from our own fixture cases (tests/fixtures/search/cases.json:
their sentences, with content words swapped between sentences of the same
script) and the English VERIS summaries of ../shared/data/vcdb (CC BY-SA
4.0), so it has the vocabulary and the word frequencies of the field
without copying any report.  A few terms are planted at known rates so
that "rare" queries have a known number of hits.
"""
import gzip
import json
import os
import random
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("SHARED", os.path.join(TOP, "..", "shared"))

# planted terms: (term, probability per case)
PLANTED = [
    ("ゼロトラスト", 0.0005),
    ("サンドボックス", 0.001),
    ("脆弱性診断", 0.002),
    ("耐障害性試験", 0.0002),
    ("踏み台サーバ", 0.003),
]


def sentences_of(case):
    out = []
    for k in ("summary", "key_lessons"):
        out += case.get(k) or []
    for v in (case.get("sections") or {}).values():
        out += [s for s in re.split(r"(?<=。)|\n", v) if s.strip()]
    for e in case.get("timeline") or []:
        out.append(e.get("text", ""))
    return [s.strip() for s in out if len(s.strip()) >= 6]


WORD = re.compile(r"[\u4e00-\u9fff]{2,6}|[\u30a0-\u30ff]{3,12}")


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    fx = json.load(open(os.path.join(TOP, "tests/fixtures/search/cases.json"), encoding="utf-8"))["cases"]
    pool, titles, cats = [], [], []
    for c in fx:
        pool += sentences_of(c)
        titles.append(c["title"])
        if c.get("category"):
            cats.append(c["category"])
    kanji = sorted(set(w for s in pool + titles for w in WORD.findall(s) if "\u4e00" <= w[0] <= "\u9fff"))
    kata = sorted(set(w for s in pool + titles for w in WORD.findall(s) if w[0] >= "\u30a0"))
    eng = []
    p = os.path.join(SHARED, "data/vcdb/vcdb-2013.jsonl.gz")
    if os.path.exists(p):
        with gzip.open(p, "rt", encoding="utf-8") as f:
            for line in f:
                s = json.loads(line).get("summary") or ""
                eng += [x.strip() for x in re.split(r"(?<=\.)\s+", s) if len(x.strip()) > 20]
    if not eng:
        eng = ["The attacker used stolen credentials to access the server."]
    # a long tail of rare compounds: two fixture kanji words joined
    def swap(s):
        def rep(m):
            w = m.group(0)
            if rnd.random() < 0.35:
                if "\u4e00" <= w[0] <= "\u9fff":
                    return rnd.choice(kanji)
                return rnd.choice(kata)
            return w
        return WORD.sub(rep, s)

    docs = ["bench-%d.pdf" % y for y in range(2015, 2025)]
    tlps = ["clear"] * 6 + ["green"] * 2 + ["amber"]
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            body = [swap(rnd.choice(pool)) for _ in range(rnd.randint(6, 14))]
            if rnd.random() < 0.3:
                body.append(rnd.choice(kanji) + rnd.choice(kanji))
            for term, prob in PLANTED:
                if rnd.random() < prob:
                    body.insert(rnd.randrange(len(body) + 1), "%sを実施した。" % term)
            y = rnd.randrange(10)
            c = {
                "id": "b%07d" % i,
                "title": swap(rnd.choice(titles)),
                "source": {"document": docs[y], "year": 2015 + y, "case_number": i % 40 + 1},
                "category": rnd.choice(cats),
                "summary": [swap(rnd.choice(pool)) for _ in range(2)],
                "sections": {
                    "background": "".join(body[: len(body) // 2]),
                    "response": "".join(body[len(body) // 2:]),
                    "impact": " ".join(rnd.choice(eng) for _ in range(rnd.randint(1, 3))),
                },
                "tlp": rnd.choice(tlps),
            }
            f.write(json.dumps(c, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
