#!/bin/sh
# scripts/setup.sh - from a fresh Debian 12 machine to a running kyokun:
# installs the dependencies, builds, creates ./kyokun.db with the example
# cases, and serves them: open the address it prints (Ctrl-C stops it).
# KYOKUN_LISTEN=ADDR:PORT changes where it listens (default 127.0.0.1:8080).
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s -j2 kyokun
./kyokun --db kyokun.db init
./kyokun --db kyokun.db add --tlp amber examples/cases.json
exec ./kyokun --db kyokun.db serve --listen "${KYOKUN_LISTEN:-127.0.0.1:8080}"
