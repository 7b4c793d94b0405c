#!/bin/sh
# bench/search_instr.sh - the search benchmark's queries counted in
# instructions (valgrind's callgrind), kyokun against Groonga: unlike the
# CPU times of bench/search.sh, the same on every run of the same binaries
# and data, whatever else the machine is doing.
#
#   bench/search_instr.sh SIZE [CLASS...]   e.g. bench/search_instr.sh 100000 phrase 2word
#
# Runs on the indexes and the search_bench of the last `bench/search.sh SIZE`
# (bench/out/search-SIZE/).  One search costs the difference between a run
# of two searches and a run of one (the opening, the warm-up and the exit
# cancel out): kyokun as bench/search.sh times it (counted, one connection),
# kyokun-literal (the query as written), Groonga's select of the query
# as written with the same options as bench/search.sh's, and Groonga's
# select of the expression kyokun's own search runs (groonga-same: its
# synonyms and segments; search_bench KYOKUN_BENCH_EXPR=1), where that is
# not the query as written.  Valgrind makes each search about 50 times
# slower: at 100,000 cases the 20 queries take about twelve minutes.
# Writes instr.tsv and instr.md beside the indexes.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:?usage: bench/search_instr.sh SIZE [CLASS...]}
shift
OUT="$TOP/bench/out/search-$N"
for f in "$OUT/search_bench" "$OUT/kyokun.db"; do
	[ -e "$f" ] || { echo "search_instr.sh: no $f: run bench/search.sh $N first" >&2; exit 1; }
done
command -v valgrind >/dev/null || { echo "search_instr.sh: valgrind is not installed" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/kyokun-instr.XXXXXX")
trap 'rm -rf "$T"' EXIT

# instructions of a command (its stdin from $2), from callgrind's summary
instr() { # $1 = stdin file, then the command
	in=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" <"$in" 2>&1 >/dev/null |
		sed -n 's/.*Collected : //p'
}

kyokun_one() { # $1 = query, $2 = 1 for the query as written
	printf 'x\t%s\n' "$1" >"$T/q.tsv"
	: >"$T/empty"
	a=$(KYOKUN_SEARCH_THREADS=1 KYOKUN_BENCH_LITERAL=$2 instr "$T/empty" "$OUT/search_bench" "$OUT/kyokun.db" "$T/q.tsv" 1)
	b=$(KYOKUN_SEARCH_THREADS=1 KYOKUN_BENCH_LITERAL=$2 instr "$T/empty" "$OUT/search_bench" "$OUT/kyokun.db" "$T/q.tsv" 2)
	echo $((b - a))
}

# what kyokun's own search and the literal one run, per query (class, query, hits, expression)
KYOKUN_BENCH_EXPR=1 "$OUT/search_bench" "$OUT/kyokun.db" "$TOP/bench/search_queries.tsv" 0 >"$T/expr-own.tsv"
KYOKUN_BENCH_EXPR=1 KYOKUN_BENCH_LITERAL=1 "$OUT/search_bench" "$OUT/kyokun.db" "$TOP/bench/search_queries.tsv" 0 \
	>"$T/expr-literal.tsv"
expr_of() { # $1 = file, $2 = class, $3 = query
	awk -F '\t' -v c="$2" -v q="$3" '$1 == c && $2 == q { print $4; exit }' "$1"
}

groonga_one() { # $1 = query (Groonga's syntax)
	python3 "$TOP/bench/search_engines.py" select-groonga "$1" >"$T/g1"
	cat "$T/g1" "$T/g1" >"$T/g2"
	a=$(instr "$T/g1" groonga "$OUT/groonga/db")
	b=$(instr "$T/g2" groonga "$OUT/groonga/db")
	echo $((b - a))
}

: >"$OUT/instr.tsv"
while IFS="$(printf '\t')" read -r cls q; do
	[ -n "$cls" ] || continue
	if [ $# -gt 0 ]; then
		want=0
		for c in "$@"; do [ "$c" = "$cls" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	k=$(kyokun_one "$q" 0)
	l=$(kyokun_one "$q" 1)
	g=-
	s=-
	if command -v groonga >/dev/null && [ -d "$OUT/groonga" ]; then
		g=$(groonga_one "$q")
		eo=$(expr_of "$T/expr-own.tsv" "$cls" "$q")
		if [ "$eo" = "$(expr_of "$T/expr-literal.tsv" "$cls" "$q")" ]; then
			s=$g
		elif gq=$(python3 "$TOP/bench/search_engines.py" groonga-query "$eo"); then
			s=$(groonga_one "$gq")
		fi
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$cls" "$q" "$k" "$l" "$g" "$s" | tee -a "$OUT/instr.tsv" >&2
done <"$TOP/bench/search_queries.tsv"

python3 - "$OUT/instr.tsv" "$N" >"$OUT/instr.md" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
print("## search in instructions: %s cases\n" % format(int(sys.argv[2]), ","))
print("One ranked top-20 search with its exact count, in millions of instructions (callgrind: the same on every"
      " run); kyokun counted on one connection, kyokun-literal with the query as written, Groonga's select of the"
      " query as written, groonga-same Groonga's select of the expression kyokun's own search runs (its synonyms"
      " and segments); x: kyokun-literal against Groonga, kyokun against Groonga and against groonga-same\n")
print("| class | query | kyokun | kyokun-literal | groonga | groonga-same | literal x | kyokun x | x same |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
cls = {}
for f in rows:
    c, q, k, l, g = f[:5]
    s = f[5] if len(f) > 5 else "-"
    k, l = int(k) / 1e6, int(l) / 1e6
    g = int(g) / 1e6 if g != "-" else None
    s = int(s) / 1e6 if s != "-" else None
    cls.setdefault(c, []).append((k, l, g, s))
    x = lambda v, b: "%.2f" % (v / b) if b else "-"
    m = lambda v: "%.1f" % v if v else "-"
    print("| %s | %s | %.1f | %.1f | %s | %s | %s | %s | %s |" % (c, q.replace("|", "\\|"), k, l, m(g), m(s),
                                                              x(l, g), x(k, g), x(k, s)))
print("\nthe mean of each class's queries\n")
print("| class | kyokun | kyokun-literal | groonga | groonga-same | literal x | kyokun x | x same |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c, v in cls.items():
    mk = sum(a[0] for a in v) / len(v)
    ml = sum(a[1] for a in v) / len(v)
    mean = lambda i: sum(a[i] for a in v) / len(v) if all(a[i] for a in v) else None
    mg, ms = mean(2), mean(3)
    x = lambda a, b: "%.2f" % (a / b) if b else "-"
    m = lambda a: "%.1f" % a if a else "-"
    print("| %s | %.1f | %.1f | %s | %s | %s | %s | %s |" % (c, mk, ml, m(mg), m(ms), x(ml, mg), x(mk, mg), x(mk, ms)))
EOF
cat "$OUT/instr.md"
