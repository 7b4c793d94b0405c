#!/bin/sh
# tests/cli/test_tlp_matrix.sh - the role x TLP x surface matrix through the
# command line and, with a server, the pages and the JSON API.
#
# The fixture and the expectation come from the unit test's generator
# (tests/unit/tlp_fixture.h: test_tlp_matrix --cases/--readers/--expect), which
# reads the TLP table of src/reader.c: 81 cases (every level x owner x sector x
# named or not, a canary word each) and 13 readers (anonymous, reporters and
# liaisons of two organisations and sectors, analysts and publishers named or
# not, an admin).  The organisations and users are made with the real account
# commands, the cases with `add`; then each reader reads every surface and
# each cell must be visible exactly when the table says so:
#
#   command line (`--as LOGIN`): list, export, search (hits and total),
#     similar, show and history (of all the cases in one call each);
#   HTTP, signed in with an API token per user (anonymous: none): the JSON
#     API's list (total), search (hits, total, facet counts), one case, its
#     history and similar cases, the documents list; the pages: search, case,
#     case history; issue 16's feeds, comparison and pasted text (the API and
#     the /similar page, its shared terms too); the documents page and each
#     document's import review (GET and a block's move: case.edit only, and
#     only the cases the editor sees).
#
# One "ok" line per reader and surface; a failure lists the cells that differ.
. "$(dirname "$0")/lib.sh"

GEN=""
for b in "$TOP/build/tests/test_tlp_matrix" "$(dirname "$KYOKUN")/tests/test_tlp_matrix"; do
	[ -x "$b" ] && GEN=$b
done
case "$KYOKUN" in
*build-asan/*) GEN="" ;; # the plain run checks the cells; ASan runs one reader below
esac
if [ -z "$GEN" ] || ! command -v python3 >/dev/null 2>&1; then
	# the ASan run: one reader through every command, for the sanitizers
	run org add "事業者A" --kind operator --sector 電力
	run user add rep-a --role reporter --org "事業者A" --no-password
	printf '{"id":"m1","title":"t","tlp":"amber","owner":"事業者A","summary":["CANARYX"]}\n{"id":"m2","title":"t","tlp":"amber","summary":["CANARYX"]}\n' >"$T/c.jsonl"
	run add "$T/c.jsonl"
	run --as rep-a export --format jsonl
	if grep -q '"m1"' "$T/out" && ! grep -q '"m2"' "$T/out"; then ok "tlp matrix (one reader): export as rep-a"
	else fail "tlp matrix (one reader): export as rep-a" "$(cat "$T/out" "$T/err")"; fi
	run --as rep-a show m2
	expect_rc "tlp matrix (one reader): show of an unseen case exits 1" 1
	run --as rep-a search CANARYX --format json
	expect_out "tlp matrix (one reader): search sees one" '"total": ?1'
	skip "tlp matrix" "the whole matrix runs in the plain build (needs build/tests/test_tlp_matrix and python3)"
	exit 0
fi

"$GEN" --cases "$T/cases.jsonl" && "$GEN" --readers "$T/readers.tsv" && "$GEN" --expect "$T/expect.tsv" || {
	fail "tlp matrix: the generator ran"
	exit 0
}

# organisations and users, with the real commands
bad=0
while IFS="$(printf '\t')" read -r kind a b c d; do
	case "$kind" in
	org)
		if [ "$c" = "-" ]; then "$KYOKUN" org add "$a" --kind "$b" >/dev/null 2>"$T/err" || bad=1
		else "$KYOKUN" org add "$a" --kind "$b" --sector "$c" >/dev/null 2>"$T/err" || bad=1; fi ;;
	user)
		"$KYOKUN" user add "$b" --role "$c" --org "$d" --no-password >/dev/null 2>"$T/err" || bad=1
		"$KYOKUN" token create "$b" --name matrix 2>/dev/null | tail -n 1 >"$T/token.$b" || bad=1 ;;
	esac
done <"$T/readers.tsv"
if [ $bad -eq 0 ]; then ok "tlp matrix: organisations, users and tokens made"
else fail "tlp matrix: organisations, users and tokens made" "$(cat "$T/err")"; fi
# each case as if imported: its canary's line a block the importer was unsure of
# (the import review page shows it to those who may edit the case)
python3 - "$T/cases.jsonl" <<'EOF'
import json, sys
cases = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for j in cases:
        if j.get("summary") and j.get("sections"):
            key, text = next(iter(j["sections"].items()))
            j["import"] = {"confidence": "low", "blocks": [
                {"section": "summary", "how": "cue", "text": j["summary"][0]},
                {"section": key, "how": "order", "text": text}]}
        f.write(json.dumps(j, ensure_ascii=False) + "\n")
EOF
run add "$T/cases.jsonl"
expect_rc "tlp matrix: the cases added" 0

start_server
[ -n "$URL" ] || fail "tlp matrix: the server started" "$(cat "$T/srv.err")"

KYOKUN="$KYOKUN" URL="$URL" TD="$T" python3 - "$T/readers.tsv" "$T/expect.tsv" <<'EOF'
import json, os, re, subprocess, sys, urllib.request, urllib.error, urllib.parse

kyokun, url, td = os.environ["KYOKUN"], os.environ["URL"], os.environ["TD"]
readers = {}          # reader name -> login (None: anonymous)
editors = set()       # the readers whose role has case.edit (src/reader.c: analysts, publishers)
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "user":
        readers[f[1]] = f[2]
        if f[3] in ("analyst", "publisher"):
            editors.add(f[1])
    elif f[0] == "anonymous":
        readers["anonymous"] = None
readers.setdefault("anonymous", None)
expect = {}           # reader -> {case id: visible}
for line in open(sys.argv[2], encoding="utf-8"):
    r, cid, v = line.rstrip("\n").split("\t")
    expect.setdefault(r, {})[cid] = v == "1"
cases = sorted(next(iter(expect.values())).keys())
matrix = [c for c in cases if c != "tlpm-seed"]

def report(name, got, want):
    """got, want: sets of visible case ids (over the matrix cases)."""
    if got == want:
        print("ok - tlp matrix: " + name)
    else:
        extra, missing = sorted(got - want), sorted(want - got)
        print("not ok - tlp matrix: " + name)
        print("  seen but hidden by the table: %s" % extra[:8])
        print("  hidden but visible by the table: %s" % missing[:8])

def ids_in_stream(text):
    """the "id" of each JSON object of a stream of them (show and history of several ids)"""
    dec, pos, ids = json.JSONDecoder(), 0, set()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        o, pos = dec.raw_decode(text, pos)
        ids.add(o.get("id"))
    return ids

def cli(login, *args):
    p = subprocess.run([kyokun, "--as", login, *args], capture_output=True, text=True)
    return p.returncode, p.stdout

token = {}
for r, login in readers.items():
    if login:
        token[r] = open(os.path.join(td, "token." + login)).read().strip()

def get(r, path):
    req = urllib.request.Request(url + path)
    if token.get(r):
        req.add_header("Authorization", "Bearer " + token[r])
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None   # a form's 303 is its answer (followed, it would be another page's)

no_redirect = urllib.request.build_opener(NoRedirect)

def post_form(r, path, fields):
    req = urllib.request.Request(url + path, method="POST",
                                 data=urllib.parse.urlencode(fields).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    if token.get(r):
        req.add_header("Authorization", "Bearer " + token[r])
    try:
        with no_redirect.open(req, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")

def canaries(text):
    """the matrix cases whose canary word appears in text"""
    return {c for c in matrix if canary[c] in text}

# each case's canary word, from its JSON (the summary's first word)
canary = {}
for line in open(os.path.join(td, "cases.jsonl"), encoding="utf-8"):
    j = json.loads(line)
    canary[j["id"]] = j["summary"][0].split()[0]
matrix = [c for c in matrix if c in canary]

for r, login in readers.items():
    if r not in expect:
        continue
    want = {c for c in matrix if expect[r][c]}
    if login:
        # ---- the command line, as this user ----
        rc, out = cli(login, "export", "--format", "jsonl")
        report("%s: export" % r, {json.loads(l)["id"] for l in out.splitlines() if l} & set(matrix), want)
        rc, out = cli(login, "list", "--format", "tsv")
        report("%s: list" % r, {l.split("\t")[0] for l in out.splitlines()} & set(matrix), want)
        rc, out = cli(login, "search", "MATRIXALL", "--limit", "200", "--format", "json")
        j = json.loads(out) if rc == 0 else {}
        ids = {h["id"] for h in j.get("results", [])}
        report("%s: search hits" % r, ids & set(matrix), want)
        if j.get("total") != len(want):
            print("not ok - tlp matrix: %s: search total %s, want %d" % (r, j.get("total"), len(want)))
        else:
            print("ok - tlp matrix: %s: search total" % r)
        if expect[r].get("tlpm-seed"):
            rc, out = cli(login, "similar", "--limit", "100", "--format", "json", "tlpm-seed")
            j = json.loads(out) if rc == 0 else {}
            report("%s: similar" % r, {h["id"] for h in j.get("results", [])} & set(matrix), want)
        # show and history of every case in one call each: what they print, and
        # which they refuse (said on standard error), case by case
        for cmd in ("show", "history"):
            p = subprocess.run([kyokun, "--as", login, cmd, "--format", "json", *matrix],
                               capture_output=True, text=True)
            seen = ids_in_stream(p.stdout)
            refused = {c for c in matrix if ('"%s"' % c) in p.stderr}
            report("%s: %s" % (r, cmd), seen, want)
            report("%s: %s refuses" % (r, cmd), set(matrix) - refused, want)
            if (p.returncode == 0) != (seen == set(matrix)):
                print("not ok - tlp matrix: %s: %s exits %d" % (r, cmd, p.returncode))
    # ---- HTTP: the API and the pages, with this user's token (or none) ----
    st, body = get(r, "/api/cases?limit=100")
    j = json.loads(body) if st == 200 else {}
    report("%s: api list" % r, {c["id"] for c in j.get("cases", [])} & set(matrix), want)
    st, body = get(r, "/api/search?q=MATRIXALL&limit=100")
    j = json.loads(body) if st == 200 else {}
    report("%s: api search hits" % r, {h["id"] for h in j.get("results", [])} & set(matrix), want)
    tot = j.get("total")
    print(("ok - tlp matrix: %s: api search total" % r) if tot == len(want)
          else ("not ok - tlp matrix: %s: api search total %s, want %d" % (r, tot, len(want))))
    facets = j.get("facets", {})
    tlp_counts = dict(facets.get("tlp", {})) if isinstance(facets, dict) else {}
    want_counts = {}
    for c in want:
        lvl = c.split("-")[2]
        lvl = "amber+strict" if lvl == "strict" else lvl
        want_counts[lvl] = want_counts.get(lvl, 0) + 1
    if isinstance(facets, dict) and "tlp" in facets:
        print(("ok - tlp matrix: %s: api facet counts by level" % r) if tlp_counts == want_counts
              else "not ok - tlp matrix: %s: api facet counts %s, want %s" % (r, tlp_counts, want_counts))
    seen = {c for c in matrix if get(r, "/api/cases/" + urllib.parse.quote(c))[0] == 200}
    report("%s: api case" % r, seen, want)
    seen = {c for c in matrix if get(r, "/api/cases/%s/history" % urllib.parse.quote(c))[0] == 200}
    report("%s: api history" % r, seen, want)
    if expect[r].get("tlpm-seed"):
        st, body = get(r, "/api/cases/tlpm-seed/similar?limit=100")
        j = json.loads(body) if st == 200 else {}
        report("%s: api similar" % r, {h["id"] for h in j.get("results", [])} & set(matrix), want)
    st, body = get(r, "/api/documents")
    docs = json.loads(body).get("documents", []) if st == 200 else []
    names = json.dumps(docs, ensure_ascii=False)
    report("%s: api documents" % r, {c for c in matrix if (c + ".txt") in names}, want)
    # the home page's count of cases (from the kept facet counts, or case by case for a reader
    # who sees some cases under a condition): what this reader may see, exactly
    st, body = get(r, "/")
    nvis = sum(1 for c in expect[r] if expect[r][c])
    m = re.search(r"([0-9]+)件の事例", body)
    print(("ok - tlp matrix: %s: home page count" % r) if m and int(m.group(1)) == nvis
          else "not ok - tlp matrix: %s: home page count %s, want %d" % (r, m and m.group(1), nvis))
    # the search page for each case's own canary word: its link is there or not
    seen = {c for c in matrix
            if ("/cases/" + c) in get(r, "/search?q=" + canary[c])[1]}
    report("%s: search page" % r, seen, want)
    seen = {c for c in matrix if get(r, "/cases/" + urllib.parse.quote(c))[0] == 200}
    report("%s: case page" % r, seen, want)
    seen = {c for c in matrix if get(r, "/cases/%s/history" % urllib.parse.quote(c))[0] == 200}
    report("%s: history page" % r, seen, want)
    # issue 16's surfaces: the Atom feeds, the comparison, a pasted text
    # (a feed holds the 50 cases last saved: the search feed is asked for each case's own word)
    seen = {c for c in matrix if ("case/" + c + "<") in get(r, "/search.atom?q=" + canary[c])[1]}
    report("%s: search feed" % r, seen, want)
    feed = get(r, "/feed.atom")[1]
    if len(canary) <= 50:
        report("%s: feed" % r, canaries(feed), want)
    else:
        report("%s: feed (none hidden)" % r, canaries(feed) - want, set())
    # side by side with a case every reader sees: 200 only when this one is visible too
    clear = [c for c in matrix if all(expect[x][c] for x in expect)]
    if len(clear) >= 2:
        seen = {c for c in matrix
                if get(r, "/compare?ids=%s,%s" % (clear[1] if c == clear[0] else clear[0],
                                                  urllib.parse.quote(c)))[0] == 200}
        report("%s: compare" % r, seen, want)
    seen = set()
    for c in matrix:
        req = urllib.request.Request(url + "/api/similar", method="POST",
                                     data=json.dumps({"text": canary[c] + " " + canary[c], "limit": 100}).encode(),
                                     headers={"Content-Type": "application/json"})
        if token.get(r):
            req.add_header("Authorization", "Bearer " + token[r])
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                j = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError:
            j = {}
        if any(h.get("id") == c for h in j.get("results", [])):
            seen.add(c)
    report("%s: api similar (pasted text)" % r, seen, want)
    # the pasted-text page (POST /similar), a dozen cases' words at a time (fewer than a
    # page of results): a hit links its case, and the shared terms name no word of a
    # case this reader may not see
    seen, named = set(), set()
    for i in range(0, len(matrix), 12):
        batch = matrix[i:i + 12]
        st, body = post_form(r, "/similar", {"text": " ".join(canary[c] for c in batch)})
        terms = body.split('<p class="terms">', 1)[1].split("</p>", 1)[0] if '<p class="terms">' in body else ""
        seen |= {c for c in batch if ('href="/cases/' + c + '"') in body}
        named |= {c for c in batch if (">" + canary[c] + "<") in terms}
    report("%s: similar page (pasted text)" % r, seen, want)
    report("%s: similar page's shared terms" % r, named, want)
    # the documents page lists the documents of the cases this reader sees (each case's its own)
    report("%s: documents page" % r, {c for c in matrix if ('/documents/' + c + '.txt"') in get(r, "/documents")[1]}, want)
    # the import review (route: case.edit): for an editor, a document's review shows
    # the cases they see (its blocks' text with them); anyone else is refused it (401
    # anonymous, 403 signed in: the route's check, before any case is read, so every
    # 8th case suffices), and a page refused shows no case's word
    want_review = want if r in editors else set()
    refused = 401 if login is None else 403
    seen, leaked, codes = set(), set(), set()
    for i, c in enumerate(matrix):
        if r not in editors and i % 8:
            continue
        st, body = get(r, "/documents/%s.txt/review" % urllib.parse.quote(c))
        if st == 200 and ('href="/cases/' + c + '"') in body and canary[c] in body:
            seen.add(c)
        elif canary[c] in body:
            leaked.add(c)
        if r not in editors:
            codes.add(st)
    report("%s: review page" % r, seen | leaked, want_review)
    if r not in editors:
        print(("ok - tlp matrix: %s: review page refused (%d)" % (r, refused)) if codes == {refused}
              else "not ok - tlp matrix: %s: review page answered %s, want %d" % (r, sorted(codes), refused))
    # a move of a block of a case this reader may not review is refused: 404 for every
    # case an editor may not see; 401/403 without case.edit (the route's check, before
    # any case is read: every 8th case, seen or not, suffices)
    moved = set()
    for i, c in enumerate(matrix):
        if c in want_review or (r not in editors and i % 8):
            continue
        st, body = post_form(r, "/documents/%s.txt/review" % urllib.parse.quote(c),
                             {"case": c, "block": "1", "to": "lessons"})
        if st not in (401, 403, 404):
            moved.add(c)
    report("%s: review move refused" % r, moved, set())
EOF

# a case page says who owns the case and whom it names (for those who may see it)
if [ -n "$URL" ] && command -v curl >/dev/null 2>&1; then
	curl -s -H "Authorization: Bearer $(cat "$T/token.rep-a")" "$URL/cases/tlpm-33-amber-a-x-named" >"$T/page"
	if grep -q '<dt>所有組織</dt><dd dir="auto">事業者A</dd>' "$T/page" && grep -q '<code>rep-b</code>' "$T/page"; then
		ok "tlp matrix: a case page names its owner and recipients"
	else
		fail "tlp matrix: a case page names its owner and recipients" "$(grep -o '<dl.*' "$T/page" | head -c 600)"
	fi
fi
