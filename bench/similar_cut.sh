#!/bin/sh
# bench/similar_cut.sh - what similar's cut of common words (src/similar.c:
# in a library of SIMILAR_COMMON_FROM cases or more, a word in more than
# SIMILAR_COMMON of them is no term) changes and what it saves.
#
#   bench/similar_cut.sh SIZE [REPS] [FRACTIONS]   e.g. bench/similar_cut.sh 100000 9 "0.10 0.20"
#
# Uses the library of bench/search.sh SIZE (bench/out/search-SIZE/kyokun.db;
# made here from search_gen.py's cases if missing), takes 12 cases spread
# over it, and runs `similar` of each (the top 10, in-process, REPS timed
# runs after a warm-up) with similar.c built without the cut, with the cut
# as it is, and with each other fraction.  Prints per variant the overlap of
# its top 10 with the uncut top 10 (mean and worst of the 12), of the top 3,
# and the median of the per-case median times.  Never run by the test suite.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:?usage: bench/similar_cut.sh SIZE [REPS] [FRACTIONS]}
REPS=${2:-9}
FRACS=${3:-0.10 0.20}
OUT="$TOP/bench/out/search-$N"
W="$OUT/similar-cut"
mkdir -p "$W"
cd "$TOP"
make -s kyokun >/dev/null
if [ ! -s "$OUT/kyokun.db" ]; then
	[ -s "$OUT/cases.jsonl" ] || python3 bench/search_gen.py "$N" "$OUT/cases.jsonl"
	./kyokun --db "$OUT/kyokun.db" add "$OUT/cases.jsonl" >/dev/null
fi
python3 - "$OUT/cases.jsonl" "$W/ids.txt" <<'PY'
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1], encoding="utf-8")]
step = max(1, len(ids) // 12)
open(sys.argv[2], "w").write("".join(ids[min(i * step + 17, len(ids) - 1)] + "\n" for i in range(12)))
PY
CF="-std=c17 -D_POSIX_C_SOURCE=200809L -O2 -Isrc $(pkg-config --cflags jansson)"
LIBS="$(pkg-config --libs sqlite3 jansson libutf8proc libmicrohttpd libargon2 gnutls) -lm -lpthread -ldl"
build() { # name, -D flags (similar.c is linked before the library, so its copy is the one used)
	cc $CF $2 -o "$W/cmp-$1" bench/similar_cmp.c src/similar.c build/libkyokun.a $LIBS
}
build uncut "-DSIMILAR_COMMON_FROM=2000000000L"
build cut ""
for f in $FRACS; do build "$f" "-DSIMILAR_COMMON=$f"; done
echo "similar_cut.sh: $N cases, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$W/cmp-uncut" "$OUT/kyokun.db" "$W/ids.txt" "$REPS" >"$W/uncut.tsv"
"$W/cmp-cut" "$OUT/kyokun.db" "$W/ids.txt" "$REPS" >"$W/cut.tsv"
for f in $FRACS; do "$W/cmp-$f" "$OUT/kyokun.db" "$W/ids.txt" "$REPS" >"$W/$f.tsv"; done
python3 - "$W" "$N" cut $FRACS <<'PY'
import statistics, sys
w, n, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(name):
    d = {}
    for line in open("%s/%s.tsv" % (w, name)):
        hits, ms = line.rstrip("\n").split("\t|\t")
        f = hits.split("\t")
        d[f[0]] = ([h.rsplit(":", 1)[0] for h in f[1:]], float(ms))
    return d
ref = load("uncut")
print("| %s cases | overlap@10 with the uncut top 10 (mean, worst) | top 3 | similar p50 |" % n)
print("|---|---|---|---|")
print("| no cut | 10.00, 10 | 3.00 | %.1f ms |" % statistics.median(v[1] for v in ref.values()))
for name in names:
    d = load(name)
    ov = [len(set(d[k][0]) & set(ref[k][0])) for k in ref]
    t3 = [len(set(d[k][0][:3]) & set(ref[k][0][:3])) for k in ref]
    label = "cut at 5% (as built)" if name == "cut" else "cut at %s" % name
    print("| %s | %.2f, %d | %.2f | %.1f ms |" % (label, statistics.mean(ov), min(ov), statistics.mean(t3),
                                                statistics.median(v[1] for v in d.values())))
PY
