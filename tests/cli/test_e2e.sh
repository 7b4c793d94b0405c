#!/bin/sh
# tests/cli/test_e2e.sh - the browser tests: `kyokun serve` with our own
# fixture cases (tests/fixtures/web/ and examples/cases.json), then
# tests/e2e/e2e.mjs in Debian's headless Chromium through playwright-core.
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
if [ -f "$TOP/examples/cases.json" ]; then
	run add "$TOP/examples/cases.json"
	expect_rc "e2e: example cases load" 0
fi

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
exit 0
