#!/usr/bin/env python3
"""The other engines of bench/search.sh: Groonga and SQLite FTS5 trigram.

usage: search_engines.py build-groonga CASES.jsonl DIR
       search_engines.py build-trigram CASES.jsonl DB
       search_engines.py query-groonga DIR QUERIES.tsv REPS [EXPRS.tsv]
       search_engines.py query-trigram DB QUERIES.tsv REPS
       search_engines.py select-groonga QUERY   (the select command query-groonga sends)
       search_engines.py groonga-query FTS5-EXPRESSION   (kyokun's expression in Groonga's syntax)
       search_engines.py report RESULTS_DIR

Both index the same text kyokun indexes (title, summary, lessons, body =
all sections, meta = category), weighted title 8, summary 4, the rest 1.
Groonga: TokenBigram + NormalizerAuto, one index over the columns with
sections, select with --cache no and --match_escalation_threshold -1, its
own elapsed time per command.  Trigram: fts5(tokenize='trigram'), ORDER BY
bm25 LIMIT 20, timed in-process around the query.  The query lines print
"class<TAB>query<TAB>hits<TAB>ms...", as bench/search_bench does.

With EXPRS.tsv (search_bench's KYOKUN_BENCH_EXPR=1 output: per query the
expression kyokun's own search runs, its synonyms and segments), Groonga
is given that expression instead of the query as written ("groonga-same":
the same words to look for as kyokun's own search, in Groonga's syntax:
OR, + for AND, - for NOT, the phrases quoted), its times written to
q-groonga-same.tsv and cpu-groonga-same.tsv.
"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time


def fields(c):
    secs = c.get("sections") or {}
    tl = "\n".join(e.get("text", "") for e in c.get("timeline") or [])
    return (c.get("title") or "", "\n".join(c.get("summary") or []), "\n".join(c.get("key_lessons") or []),
            "\n".join(secs.values()) + ("\n" + tl if tl else ""), c.get("category") or "")


def build_groonga(src, d):
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "db")
    p = subprocess.Popen(["groonga", "-n", db], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         text=True, encoding="utf-8")
    w = p.stdin.write
    w("table_create Cases TABLE_NO_KEY\n")
    for col in ("title", "summary", "lessons", "body", "meta"):
        w("column_create Cases %s COLUMN_SCALAR Text\n" % col)
    w("load --table Cases\n[\n")
    first = True
    with open(src, encoding="utf-8") as f:
        for line in f:
            t = fields(json.loads(line))
            r = {"title": t[0], "summary": t[1], "lessons": t[2], "body": t[3], "meta": t[4]}
            w(("" if first else ",\n") + json.dumps(r, ensure_ascii=False))
            first = False
    w("\n]\n")
    w("table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram "
      "--normalizer NormalizerAuto\n")
    w("column_create Terms idx COLUMN_INDEX|WITH_POSITION|WITH_SECTION Cases title,summary,lessons,body,meta\n")
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("groonga failed")


def build_trigram(src, path):
    if os.path.exists(path):
        os.unlink(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, summary, lessons, body, meta, tokenize='trigram')")
    with open(src, encoding="utf-8") as f:
        batch = []
        for line in f:
            batch.append(fields(json.loads(line)))
            if len(batch) == 5000:
                db.executemany("INSERT INTO t VALUES (?,?,?,?,?)", batch)
                batch = []
        if batch:
            db.executemany("INSERT INTO t VALUES (?,?,?,?,?)", batch)
    db.commit()
    db.close()


def queries(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" in line:
                yield line.split("\t", 1)


def grn_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def grn_select(q):
    """The select command of query q, one line (also bench/search_instr.sh's, through select-groonga)."""
    return ("select Cases --match_columns 'title*8||summary*4||lessons||body||meta' --query %s"
            " --limit 20 --output_columns _id,_score --sort_keys -_score,_id --cache no"
            " --match_escalation_threshold -1\n" % grn_quote(q))


def grn_from_fts(e):
    """An FTS5 expression of kyokun's ("..." phrases with "" inside, AND OR NOT, parentheses) in
    Groonga's query syntax; None for what Groonga's has no form of (a prefix phrase, a column)."""
    out, i, n = [], 0, len(e)
    ops = {"AND": "+", "OR": "OR", "NOT": "-"}
    while i < n:
        c = e[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(c)
            i += 1
        elif c == '"':
            j, t = i + 1, []
            while j < n:
                if e[j] == '"' and j + 1 < n and e[j + 1] == '"':
                    t.append('"')
                    j += 2
                elif e[j] == '"':
                    break
                else:
                    t.append(e[j])
                    j += 1
            if j >= n:
                return None
            out.append(grn_quote("".join(t)))
            i = j + 1
        else:
            j = i
            while j < n and not e[j].isspace() and e[j] not in '()"':
                j += 1
            w = e[i:j]
            if w not in ops:
                return None  # a prefix (*), a column filter, NEAR: not in Groonga's syntax
            out.append(ops[w])
            i = j
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def exprs(path):
    """class, query -> the expression kyokun's own search runs (search_bench KYOKUN_BENCH_EXPR=1)."""
    m = {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 4:
            m[(f[0], f[1])] = f[3]
    return m


HZ = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """The user and system CPU time of process pid so far, in clock ticks."""
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def query_groonga(d, qpath, reps, epath=None):
    # the server's CPU time per query (the mean of the timed runs), beside its elapsed times
    em = exprs(epath) if epath else None
    cpu = open(os.path.join(os.path.dirname(os.path.abspath(d)),
                            "cpu-groonga-same.tsv" if em is not None else "cpu-groonga.tsv"), "w", encoding="utf-8")
    p = subprocess.Popen(["groonga", os.path.join(d, "db")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, encoding="utf-8")
    for cls, q in queries(qpath):
        gq = q
        if em is not None:
            gq = grn_from_fts(em.get((cls, q), ""))
            if not gq:
                print("search_engines.py: no Groonga form of kyokun's expression for %s" % q, file=sys.stderr)
                continue
        cmd = grn_select(gq)
        times, hits = [], -1
        for i in range(reps + 1):
            if i == 1:
                c0 = cpu_ticks(p.pid)
            p.stdin.write(cmd)
            p.stdin.flush()
            r = json.loads(p.stdout.readline())
            if r[0][0] != 0:
                hits = -1
                times.append(r[0][2] * 1000)
                continue
            hits = r[1][0][0][0]
            if i:
                times.append(r[0][2] * 1000)
        print("\t".join([cls, q, str(hits)] + ["%.3f" % t for t in times]), flush=True)
        if reps:
            cpu.write("%s\t%s\t%.3f\n" % (cls, q, (cpu_ticks(p.pid) - c0) * 1000.0 / HZ / reps))
            cpu.flush()
    p.stdin.close()
    p.wait()
    cpu.close()


def tri_expr(q):
    """The query as an FTS5 expression: words ANDed, phrases kept, all quoted."""
    out, i = [], 0
    while i < len(q):
        if q[i].isspace():
            i += 1
        elif q[i] == '"':
            j = q.find('"', i + 1)
            j = len(q) if j < 0 else j
            out.append('"' + q[i + 1:j] + '"')
            i = j + 1
        else:
            j = i
            while j < len(q) and not q[j].isspace():
                j += 1
            out.append('"' + q[i:j].replace('"', '""') + '"')
            i = j
    return " AND ".join(out)


def query_trigram(path, qpath, reps):
    db = sqlite3.connect(path)
    for cls, q in queries(qpath):
        e = tri_expr(q)
        hits = db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (e,)).fetchone()[0]
        times = []
        for i in range(reps + 1):
            t0 = time.perf_counter()
            db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 8.0, 4.0, 1.0, 1.0, 1.0)"
                       " LIMIT 20", (e,)).fetchall()
            if i:
                times.append((time.perf_counter() - t0) * 1000)
        print("\t".join([cls, q, str(hits)] + ["%.3f" % t for t in times]), flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def report(d):
    eng = ["kyokun", "kyokun-literal", "groonga", "groonga-same", "trigram", "kyokun-nocount", "kyokun-2threads"]
    res = {}
    for e in eng:
        res[e] = []
        path = os.path.join(d, "q-%s.tsv" % e)
        if os.path.exists(path):
            for line in open(path, encoding="utf-8"):
                f = line.rstrip("\n").split("\t")
                res[e].append((f[0], f[1], int(f[2]), [float(x) for x in f[3:]]))
    meta = json.load(open(os.path.join(d, "build.json")))
    print("## search benchmark: %s cases\n" % meta["n"])
    print("| engine | build s | build CPU s | index MB |")
    print("| --- | ---: | ---: | ---: |")
    for e in eng:
        if e not in meta:
            continue  # the same index as another column
        b = meta.get(e, {})
        cpu = "%.1f" % b["cpu_seconds"] if "cpu_seconds" in b else "-"
        print("| %s | %.1f | %s | %.1f |" % (e, b.get("seconds", 0), cpu, b.get("bytes", 0) / 1e6))
    print("\nranked top 20 with the exact hit count, ms (p50 / p99 over all runs of the class's queries);"
          " kyokun and kyokun-literal (the query as written: no synonyms, no segmentation) on one"
          " connection, as Groonga; kyokun-nocount without the count, kyokun-2threads counted on two"
          " threads, for reference; groonga-same: Groonga given the expression kyokun's own search runs (its"
          " synonyms and segments); x: p50 against Groonga's in this run, x same: kyokun's against"
          " groonga-same's\n")
    classes = []
    for r in res["kyokun"]:
        if r[0] not in classes:
            classes.append(r[0])
    print("| class | " + " | ".join(eng) + " | kyokun x | literal x | x same |")
    print("| --- |" + " ---: |" * (len(eng) + 3))
    for c in classes:
        cells, p50 = [], {}
        for e in eng:
            ts = [t for r in res[e] if r[0] == c for t in r[3]]
            cells.append("%.2f / %.2f" % (pct(ts, 50), pct(ts, 99)) if ts else "-")
            if ts:
                p50[e] = pct(ts, 50)
        for e, b in (("kyokun", "groonga"), ("kyokun-literal", "groonga"), ("kyokun", "groonga-same")):
            g = p50.get(b)
            cells.append("%.2f" % (p50[e] / g) if g and e in p50 else "-")
        print("| %s | %s |" % (c, " | ".join(cells)))
    # CPU time: what each engine spent, whatever else the machine was doing
    cpu = {}
    for e in ("kyokun", "kyokun-literal", "groonga", "groonga-same", "kyokun-nocount"):
        path = os.path.join(d, "cpu-%s.tsv" % e)
        if os.path.exists(path):
            cpu[e] = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8") if l.strip()]
    if "groonga" in cpu and "kyokun" in cpu:
        ce = [e for e in ("kyokun", "kyokun-literal", "groonga", "groonga-same", "kyokun-nocount") if e in cpu]
        print("\nCPU ms per query (the process's user + system time over the timed runs, the mean of the"
              " class's queries; Groonga's in clock ticks of %.0f ms, summed over the runs): steadier than the"
              " elapsed times on a shared machine; x: against Groonga's\n" % (1000.0 / HZ))
        print("| class | " + " | ".join(ce) + " | kyokun x | literal x | x same |")
        print("| --- |" + " ---: |" * (len(ce) + 3))
        for c in classes:
            m = {}
            for e in ce:
                v = [float(f[2]) for f in cpu[e] if f[0] == c]
                if v:
                    m[e] = sum(v) / len(v)
            cells = ["%.2f" % m[e] if e in m else "-" for e in ce]
            for e, b in (("kyokun", "groonga"), ("kyokun-literal", "groonga"), ("kyokun", "groonga-same")):
                g = m.get(b)
                cells.append("%.2f" % (m[e] / g) if g and e in m else "-")
            print("| %s | %s |" % (c, " | ".join(cells)))
    print("\nhits per query\n")
    print("| class | query | " + " | ".join(eng) + " |")
    print("| --- | --- |" + " ---: |" * len(eng))
    for r in res["kyokun"]:
        cells = []
        for e in eng:
            h = [x[2] for x in res[e] if x[0] == r[0] and x[1] == r[1]]
            cells.append(str(h[0]) if h else "-")
        print("| %s | %s | %s |" % (r[0], r[1].replace("|", "\\|"), " | ".join(cells)))


def main():
    a = sys.argv[1:]
    if a[0] == "build-groonga":
        build_groonga(a[1], a[2])
    elif a[0] == "build-trigram":
        build_trigram(a[1], a[2])
    elif a[0] == "query-groonga":
        query_groonga(a[1], a[2], int(a[3]), a[4] if len(a) > 4 else None)
    elif a[0] == "select-groonga":
        sys.stdout.write(grn_select(a[1]))
    elif a[0] == "groonga-query":
        g = grn_from_fts(a[1])
        if g is None:
            sys.exit("search_engines.py: no Groonga form of %s" % a[1])
        print(g)
    elif a[0] == "query-trigram":
        query_trigram(a[1], a[2], int(a[3]))
    elif a[0] == "report":
        report(a[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
