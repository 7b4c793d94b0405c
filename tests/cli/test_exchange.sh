#!/bin/sh
# tests/cli/test_exchange.sh - the wiring of the exchange formats (issue 15):
# `kyokun export --format stix|misp|veris` (valid by tests/tools/validate.mjs,
# the same bytes twice, no TLP:AMBER case for a reader who may not see it),
# `kyokun add --format F` and sniffed (a round trip into a fresh database; bad
# input refused whole), the API's ?format= (media type, the anonymous reader);
# `kyokun taxonomy --format misp` (valid, stable, its namespace) and the
# crosswalk file ($KYOKUN_CROSSWALK).  A format still a stub ("not written
# yet") is skipped; without node or ajv the validation is skipped.
. "$TOP/tests/cli/lib.sh"

EX="$TOP/examples/cases.json"
AMBER_WORD="クラウドストレージの公開設定の誤り" # in the title of the TLP:AMBER example case

# validate KIND FILE: 0 valid, 1 invalid (errors in $T/verr), 2 cannot validate here
validate() {
	command -v node >/dev/null 2>&1 || return 2
	SHARED="$SHARED" node "$TOP/tests/tools/validate.mjs" "$1" "$2" 2>"$T/verr" >/dev/null
}
# vcheck NAME KIND FILE
vcheck() {
	validate "$2" "$3"
	case $? in
	0) ok "$1" ;;
	2) skip "$1" "no validator here: $(head -c 200 "$T/verr" 2>/dev/null || echo no node)" ;;
	*) fail "$1" "$(head -c 1500 "$T/verr")" ;;
	esac
}

run add --quiet "$EX"
expect_rc "exchange: the example cases stored" 0
"$KYOKUN" org add "事業者A" --kind operator --sector 電力 >/dev/null 2>&1
"$KYOKUN" user add rep-a --role reporter --org "事業者A" --no-password >/dev/null 2>&1

# ---- taxonomy -------------------------------------------------------------------
run taxonomy --format misp
expect_rc "taxonomy: exits 0" 0
cp "$T/out" "$T/tax.json"
vcheck "taxonomy: a valid MISP taxonomy" misp-taxonomy "$T/tax.json"
if python3 - "$T/tax.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
assert t["namespace"] == "kyokun", t["namespace"]
v = {x["predicate"]: x["entry"] for x in t["values"]}
assert len(v["sector"]) == 15, len(v["sector"])
assert len(v["event-type"]) == 8 and len(v["cause-type"]) == 5
e = [x for x in v["sector"] if x["value"] == "electricity"][0]
assert "電力" in e["expanded"] and "electricity" in e["expanded"], e
uu = [x["uuid"] for p in t["values"] for x in p["entry"]] + [p["uuid"] for p in t["predicates"]] + [t["uuid"]]
assert len(set(uu)) == len(uu)
PY
then ok "taxonomy: 15 sectors, 8 event types, 5 cause types, Japanese and English, distinct uuids"
else fail "taxonomy: 15 sectors, 8 event types, 5 cause types, Japanese and English, distinct uuids"; fi
run taxonomy
if cmp -s "$T/out" "$T/tax.json"; then ok "taxonomy: the same bytes twice (misp is the default)"
else fail "taxonomy: the same bytes twice (misp is the default)"; fi
run taxonomy --namespace jp-ci
if grep -q '"namespace": "jp-ci"' "$T/out" && ! cmp -s "$T/out" "$T/tax.json"; then ok "taxonomy: --namespace"
else fail "taxonomy: --namespace" "$(head -c 300 "$T/out")"; fi
run taxonomy --namespace 'Bad Name'
expect_rc "taxonomy: a bad namespace is a usage error" 2
run taxonomy --format stix
expect_rc "taxonomy: an unknown format is a usage error" 2

# ---- the crosswalk file ---------------------------------------------------------
{
	printf 'vocabulary\tcode\tja\ten\tveris\tstix\tmisp\n'
	printf 'sector\tgas\t都市ガス\tcity gas\tvictim.industry=2212\tenergy\t-\n'
} >"$T/xw.tsv"
KYOKUN_CROSSWALK="$T/xw.tsv" run taxonomy
if [ "$RC" -eq 0 ] && grep -q '都市ガス (city gas)' "$T/out" && ! grep -q '"electricity"' "$T/out"; then
	ok "crosswalk: KYOKUN_CROSSWALK replaces the built-in one"
else fail "crosswalk: KYOKUN_CROSSWALK replaces the built-in one" "$(head -c 300 "$T/err")"; fi
printf 'vocabulary\tcode\tja\ten\tveris\tstix\tmisp\nsector\tgas\tガス\n' >"$T/xw-bad.tsv"
KYOKUN_CROSSWALK="$T/xw-bad.tsv" run taxonomy
if [ "$RC" -eq 1 ] && grep -q 'xw-bad.tsv:2: 3 columns' "$T/err"; then ok "crosswalk: a bad file is refused with FILE:LINE"
else fail "crosswalk: a bad file is refused with FILE:LINE" "rc $RC: $(cat "$T/err")"; fi

# ---- export / add / API per format ----------------------------------------------
run export --format xml
expect_rc "export: an unknown format is a usage error" 2
run add --format xml "$EX"
expect_rc "add: an unknown format is a usage error" 2

start_server
[ -n "$URL" ] || fail "exchange: the server starts" "$(cat "$T/srv.err")"
if [ -n "$URL" ] && command -v curl >/dev/null 2>&1; then
	CODE=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' "$URL/api/cases?format=xml")
	if [ "$CODE" = 400 ] && grep -q 'format' "$T/body"; then ok "api: ?format=xml is a 400 naming the parameter"
	else fail "api: ?format=xml is a 400 naming the parameter" "$CODE $(head -c 300 "$T/body")"; fi
	CODE=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' "$URL/api/cases?format=json")
	if [ "$CODE" = 200 ] && grep -q '"cases"' "$T/body"; then ok "api: ?format=json is kyokun's own"
	else fail "api: ?format=json is kyokun's own" "$CODE"; fi
	CODE=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' "$URL/api/search?q=x&format=xml")
	if [ "$CODE" = 400 ] && grep -q 'format' "$T/body"; then ok "api: search ?format=xml is a 400 naming the parameter"
	else fail "api: search ?format=xml is a 400 naming the parameter" "$CODE $(head -c 300 "$T/body")"; fi
fi

for F in stix misp veris; do
	run export --format "$F"
	if grep -q 'not written yet' "$T/err"; then
		skip "$F: export, add, API" "the $F format is not written yet"
		continue
	fi
	expect_rc "$F: export exits 0" 0
	cp "$T/out" "$T/all.$F"
	vcheck "$F: the export is valid" "$F" "$T/all.$F"
	run export --format "$F"
	if cmp -s "$T/out" "$T/all.$F"; then ok "$F: the same bytes twice"; else fail "$F: the same bytes twice"; fi
	if grep -q "$AMBER_WORD" "$T/all.$F"; then ok "$F: the local export has the TLP:AMBER case"
	else fail "$F: the local export has the TLP:AMBER case"; fi
	run --as rep-a export --format "$F"
	if [ "$RC" -eq 0 ] && ! grep -q "$AMBER_WORD" "$T/out"; then ok "$F: no TLP:AMBER case for --as a reporter of another organisation"
	else fail "$F: no TLP:AMBER case for --as a reporter of another organisation" "rc $RC"; fi
	run export --format "$F" --year 2023
	if [ "$RC" -eq 0 ] && [ "$(wc -c <"$T/out")" -lt "$(wc -c <"$T/all.$F")" ]; then ok "$F: export's filters apply (--year)"
	else fail "$F: export's filters apply (--year)" "rc $RC"; fi

	# round trip into a fresh database, with --format and sniffed
	KYOKUN_DB="$T/rt-$F.db" run add --format "$F" "$T/all.$F"
	expect_rc "$F: add --format $F reads the export back" 0
	KYOKUN_DB="$T/rt-$F.db" run list
	N=$(grep -c . "$T/out")
	if [ "$N" -ge 10 ]; then ok "$F: the cases are stored ($N)"; else fail "$F: the cases are stored ($N)"; fi
	KYOKUN_DB="$T/sn-$F.db" run add "$T/all.$F"
	if [ "$RC" -eq 0 ] && grep -q "from $F" "$T/err"; then ok "$F: add without --format tells the format"
	else fail "$F: add without --format tells the format" "rc $RC: $(head -c 300 "$T/err")"; fi

	# bad input: refused whole, nothing stored
	printf '{"type": "bundle", "objects": [' >"$T/bad.$F"
	KYOKUN_DB="$T/bad-$F.db" run add --format "$F" "$T/bad.$F"
	if [ "$RC" -eq 1 ] && grep -q 'none of its cases was stored' "$T/err"; then ok "$F: malformed JSON refused"
	else fail "$F: malformed JSON refused" "rc $RC: $(head -c 300 "$T/err")"; fi
	KYOKUN_DB="$T/bad-$F.db" run list
	if [ ! -s "$T/out" ]; then ok "$F: nothing stored from a refused file"; else fail "$F: nothing stored from a refused file"; fi

	if [ -n "$URL" ] && command -v curl >/dev/null 2>&1; then
		CODE=$(curl -s --max-time 20 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$URL/api/cases?format=$F&limit=100")
		if [ "$CODE" = 200 ] && ! grep -q "$AMBER_WORD" "$T/body"; then ok "api: ?format=$F without a token has no TLP:AMBER case"
		else fail "api: ?format=$F without a token has no TLP:AMBER case" "$CODE $(head -c 300 "$T/body")"; fi
		MT=$(sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;[:space:]]*\).*/\1/p' "$T/hdr" | tr -d '\r')
		case $F in stix) WANT=application/stix+json ;; *) WANT=application/json ;; esac
		if [ "$MT" = "$WANT" ]; then ok "api: ?format=$F is $WANT"; else fail "api: ?format=$F is $WANT" "got $MT"; fi
		vcheck "api: ?format=$F is valid" "$F" "$T/body"
		CODE=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' "$URL/api/cases/kyokun-ex-2024-01?format=$F")
		if [ "$CODE" = 200 ]; then ok "api: one case ?format=$F"; else fail "api: one case ?format=$F" "$CODE"; fi
		vcheck "api: one case ?format=$F is valid" "$F" "$T/body"
		# a search's hits, in the format, limited to the reader
		CODE=$(curl -s --max-time 20 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$URL/api/search?q=%E8%A8%AD%E5%AE%9A&format=$F")
		if [ "$CODE" = 200 ] && ! grep -q "$AMBER_WORD" "$T/body" && grep -q '設定' "$T/body"; then
			ok "api: /api/search?q=...&format=$F has the hits, no TLP:AMBER case without a token"
		else fail "api: /api/search?q=...&format=$F has the hits, no TLP:AMBER case without a token" "$CODE $(head -c 300 "$T/body")"; fi
		vcheck "api: search ?format=$F is valid" "$F" "$T/body"
		CODE=$(curl -s --max-time 20 -o "$T/body" -w '%{http_code}' "$URL/api/cases/kyokun-ex-2023-01?format=$F")
		if [ "$CODE" = 404 ]; then ok "api: the TLP:AMBER case ?format=$F is a 404 without a token"
		else fail "api: the TLP:AMBER case ?format=$F is a 404 without a token" "$CODE"; fi
	fi
done
