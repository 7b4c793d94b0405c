#!/bin/sh
# scripts/test.sh - the whole test suite from a fresh machine: installs what
# the tests need, builds (plain and ASan+UBSan), runs everything, and ends
# with "N passed, N failed, N skipped".  This is what .ci/run runs.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
if [ -f tests/e2e/package.json ] && [ ! -d tests/e2e/node_modules/playwright-core ]; then
	(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
make -s -j2 kyokun unit
make -s -j2 asan
exec tests/run.sh --all
