#!/bin/sh
# scripts/test.sh - the whole test suite from a fresh machine: installs what
# the tests need, builds (plain and ASan+UBSan), runs everything, and ends
# with "N passed, N failed, N skipped".  This is what .ci/run runs.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# playwright-core for the e2e tests, ajv for tests/tools/validate.mjs (the exchange formats)
if [ -f tests/e2e/package.json ] && { [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/ajv ] ||
	[ ! -d tests/e2e/node_modules/ajv-formats ] || [ ! -d tests/e2e/node_modules/ajv-draft-04 ]; }; then
	(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
make -s -j2 kyokun unit
make -s -j2 asan
exec tests/run.sh --all
