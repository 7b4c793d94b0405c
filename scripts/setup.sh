#!/bin/sh
# scripts/setup.sh - from a fresh Debian 12 machine to a running kyokun:
# installs the dependencies, builds, creates ./kyokun.db with the example
# cases, and shows what is in it.
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s -j2 kyokun
./kyokun --db kyokun.db init
./kyokun --db kyokun.db add --tlp amber examples/cases.json
./kyokun --db kyokun.db list --format table
