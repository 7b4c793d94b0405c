#!/bin/sh
# tests/cli/test_e2e.sh - the browser tests: `kyokun serve` with our own
# fixture cases (tests/fixtures/web/ and examples/cases.json), then
# tests/e2e/e2e.mjs in Debian's headless Chromium through playwright-core;
# with accounts (issue 11): organisations A and B with an amber case each
# (tests/fixtures/web/owned.json), a reporter of A and an admin; and
# tests/e2e/e2e_reports.mjs (issue 12): a report filed by that reporter
# becomes a case an analyst edits and a publisher publishes; and
# tests/e2e/e2e_publication.mjs (issue 13): /select, /themes, a report made at
# /publish and read under 報告書 by anonymous readers.
# Screenshots go to test-output/e2e/.  Skips when Chromium, Node or
# tests/e2e/node_modules (npm ci in tests/e2e) is missing, or KYOKUN_E2E=0.
. "$(dirname "$0")/lib.sh"

E2E="$TOP/tests/e2e"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ "${KYOKUN_E2E:-1}" = 0 ]; then
	skip "e2e" "KYOKUN_E2E=0"
	exit 0
fi
if [ ! -x "$CHROMIUM" ]; then
	skip "e2e" "no Chromium at $CHROMIUM"
	exit 0
fi
if ! command -v node >/dev/null 2>&1; then
	skip "e2e" "node is not installed"
	exit 0
fi
if [ ! -d "$E2E/node_modules/playwright-core" ]; then
	skip "e2e" "tests/e2e/node_modules is missing (run: cd tests/e2e && npm ci)"
	exit 0
fi

run init
run add "$FIX/web/cases.json"
expect_rc "e2e: fixtures load" 0
run add "$FIX/web/wide.json"
expect_rc "e2e: the wide timeline's case loads" 0
if [ -f "$TOP/examples/cases.json" ]; then
	run add "$TOP/examples/cases.json"
	expect_rc "e2e: example cases load" 0
fi

# accounts (issue 11): two operators of the electricity sector, each owning an
# amber case (owned.json), a reporter of A, and an admin of the centre
E2E_PW='e2e-hikari-no-naka-de'
printf '%s\n' "$E2E_PW" >"$T/pw"
for o in 'A電力' 'B電力'; do
	run org add "$o" --kind operator --sector 電力
	expect_rc "e2e: org add $o" 0
done
run org add 'E2Eセンター' --kind centre
expect_rc "e2e: org add the centre" 0
run user add e2e-rep-a --role reporter --org 'A電力' --name 'A電力 報告者' --password-file "$T/pw"
expect_rc "e2e: a reporter of A" 0
run user add e2e-admin --role admin --org 'E2Eセンター' --name '管理 担当' --password-file "$T/pw"
expect_rc "e2e: an admin" 0
run add "$FIX/web/owned.json"
expect_rc "e2e: the amber cases of A and B load" 0
# issue 14 (e2e_reports.mjs): a document's cases with the importer's blocks, for the import review
run add "$FIX/cite/review.json"
expect_rc "e2e: the import review's cases load" 0
# issue 12 (e2e_reports.mjs): an analyst and a publisher of the centre
run user add e2e-ana --role analyst --org 'E2Eセンター' --name '分析 担当' --password-file "$T/pw"
expect_rc "e2e: an analyst" 0
run user add e2e-pub --role publisher --org 'E2Eセンター' --name '公開 担当' --password-file "$T/pw"
expect_rc "e2e: a publisher" 0
export KYOKUN_E2E_LOGIN=e2e-rep-a KYOKUN_E2E_ADMIN=e2e-admin KYOKUN_E2E_PASSWORD="$E2E_PW"
export KYOKUN_E2E_REPORTER=e2e-rep-a KYOKUN_E2E_ANALYST=e2e-ana KYOKUN_E2E_PUBLISHER=e2e-pub

"$KYOKUN" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV=$!
trap 'kill -TERM $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
URL=""
for _ in $(seq 1 100); do
	URL=$(sed -n 's|.* on \(http://[^ ]*\)/ .*|\1|p' "$T/srv.out")
	[ -n "$URL" ] && break
	sleep 0.1
done
if [ -z "$URL" ]; then
	fail "e2e: server starts" "$(cat "$T/srv.err")"
	exit 0
fi

OUT=${TEST_OUTPUT:-$TOP/test-output}/e2e
mkdir -p "$OUT"
(cd "$E2E" && timeout 300 node e2e.mjs "$URL" "$OUT") 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "e2e: browser run finished" "exit $rc"
# issue 12: a report filed, followed up, made a case, edited, published, found
(cd "$E2E" && timeout 300 node e2e_reports.mjs "$URL" "$OUT") 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "e2e: the reports walk-through finished" "exit $rc"
# issue 13: selection and 総括 pages, a report made on the web and read by anyone
(cd "$E2E" && timeout 300 node e2e_publication.mjs "$URL" "$OUT") 2>&1
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "e2e: the publication walk-through finished" "exit $rc"
exit 0
