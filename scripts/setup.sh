#!/bin/sh
# scripts/setup.sh - from a fresh Debian 12 machine to a running kyokun:
# installs the dependencies, builds, creates ./kyokun.db with the example
# cases, and serves them: open the address it prints (Ctrl-C stops it).
# KYOKUN_LISTEN=ADDR:PORT changes where it listens (default 127.0.0.1:8080).
#
# The first administrator is made at the command line (the password is asked
# for twice without echo; --password-file FILE for scripts):
#   ./kyokun --db kyokun.db org add "国家サイバー統括室" --kind centre
#   ./kyokun --db kyokun.db user add admin --role admin --org "国家サイバー統括室"
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s -j2 kyokun
./kyokun --db kyokun.db init
./kyokun --db kyokun.db add --tlp amber examples/cases.json
if [ -z "$(./kyokun --db kyokun.db user list --format tsv)" ]; then
	cat <<'EOF'
No accounts yet.  To create the first administrator (from another terminal):
  ./kyokun --db kyokun.db org add "国家サイバー統括室" --kind centre
  ./kyokun --db kyokun.db user add admin --role admin --org "国家サイバー統括室"
The password is asked for twice (at least 12 characters); see ./kyokun help user.
EOF
fi
exec ./kyokun --db kyokun.db serve --listen "${KYOKUN_LISTEN:-127.0.0.1:8080}"
