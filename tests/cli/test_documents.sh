#!/bin/sh
# tests/cli/test_documents.sh - one report's page (/documents/NAME) a page
# at a time: a report of 250 cases, one in five TLP:RED (hidden from the
# anonymous reader), shown 100 at a time with a pager; the head (case count,
# newest year, source) is the report's as this reader sees it on every page;
# every case it may see is on exactly one page, in order, and no hidden one
# on any; a bad page number is 400, a page past the end 404.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_documents.sh
. "$(dirname "$0")/lib.sh"

# 250 cases of big.txt: case i in category A (1-60), B (61-150) or C; every 5th TLP:RED;
# the newest year 2031 on a hidden case (5), 2030 on a visible one (7), 2020 on the others
python3 - >"$T/big.jsonl" <<'PY'
import json
for i in range(1, 251):
    print(json.dumps({
        "id": "big-%03d" % i, "title": "大きな報告書の事例 %d" % i,
        "source": {"document": "big.txt", "publisher": "発行者BIGPUB" if i == 1 else "別の発行者",
                   "year": 2031 if i == 5 else 2030 if i == 7 else 2020, "case_number": i},
        "category": "A" if i <= 60 else "B" if i <= 150 else "C",
        "tlp": "red" if i % 5 == 0 else "clear",
        "summary": ["要約 %d" % i], "key_lessons": ["教訓 %d" % i],
        "sections": {"background": "背景 %d" % i}}, ensure_ascii=False))
# y.txt: a year no one checks the range of; the report's page and the list show the same newest one
for i, y in ((1, 2020), (2, 123456)):
    print(json.dumps({"id": "y-%d" % i, "title": "年の事例 %d" % i, "category": "A", "tlp": "clear",
                      "source": {"document": "y.txt", "year": y, "case_number": i}}, ensure_ascii=False))
PY
run add "$T/big.jsonl"
expect_rc "documents: 250 cases of one report added" 0
start_server
[ -n "$URL" ] || fail "documents: server started" "$(cat "$T/srv.err")"

# ids PAGE: the case ids linked on the last page, in order
ids() { grep -o 'href="/cases/big-[0-9]*"' "$T/body" | sed 's|.*/cases/||; s|"||'; }
: >"$T/all"
get /documents/big.txt
expect_code "documents: page 1" 200
ids >>"$T/all"
n=$(ids | wc -l)
[ "$n" = 100 ] && ok "documents: page 1 has 100 cases" || fail "documents: page 1 has 100 cases" "$n"
body_has "documents: the count is the report's (what this reader sees)" '200件の事例'
body_has "documents: the newest year is of the cases this reader sees" '2030年'
body_lacks "documents: a hidden case's year is not shown" '2031'
body_has "documents: the source of the report's first case" '発行者BIGPUB'
body_has "documents: page 1 of 2" '1 / 2 ページ'
body_has "documents: a link to page 2" 'rel="next" href="/documents/big.txt?page=2"'
body_lacks "documents: no link back from page 1" 'rel="prev"'
get "/documents/big.txt?page=2"
expect_code "documents: page 2" 200
ids >>"$T/all"
n=$(ids | wc -l)
[ "$n" = 100 ] && ok "documents: page 2 has the other 100" || fail "documents: page 2 has the other 100" "$n"
body_has "documents: page 2 keeps the report's count" '200件の事例'
body_has "documents: page 2 keeps the report's newest year" '2030年'
body_has "documents: page 2 keeps the report's source" '発行者BIGPUB'
body_has "documents: page 2 names its first category again" '<h2 lang="ja">B</h2>'
body_has "documents: page 2 of 2" '2 / 2 ページ'
body_has "documents: a link back to page 1 (no page=1)" 'rel="prev" href="/documents/big.txt"'
body_lacks "documents: no link past the last page" 'rel="next"'
python3 - "$T/all" <<'PY'
import sys
got = open(sys.argv[1]).read().split()
want = ["big-%03d" % i for i in range(1, 251) if i % 5]
print("ok - documents: every visible case on exactly one page, in order" if got == want else
      "not ok - documents: every visible case on exactly one page, in order\n  got %d: %s" % (len(got), got[:5]))
PY
get "/documents/big.txt?page=3"
expect_code "documents: a page past the end is 404" 404
for p in 0 -1 x 2x 99999999999 %2B1 %201 1%20 0x2 99999999999999999999999; do
	get "/documents/big.txt?page=$p"
	expect_code "documents: page=$p is 400" 400
done
get "/documents/big.txt?page=2&lang=en"
body_has "documents: English pager" 'Page 2 of 2'
body_has "documents: the link back keeps lang" 'rel="prev" href="/documents/big.txt?lang=en"'
get /documents
body_has "documents: the list gives y.txt its largest year" '123456年度'
get /documents/y.txt
body_has "documents: so does its own page" '123456年度'
get /documents/no-such.txt
expect_code "documents: no such report is 404" 404
# the API pages the same cases (total, limit, offset)
get "/api/cases?document=big.txt&limit=100&offset=100"
python3 - "$T/body" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ids = [c["id"] for c in j["cases"]]
ok = j["total"] == 200 and ids == ["big-%03d" % i for i in range(126, 251) if i % 5]
print(("ok" if ok else "not ok") + " - documents: /api/cases?document= pages the same cases")
PY
