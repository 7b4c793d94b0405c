#!/bin/sh
# scripts/install-deps.sh - install what kyokun needs on Debian 12, as root
# (or through sudo).  Safe to run again: packages already there are skipped.
#
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also what the tests need (cmocka, Chromium, Node,
#                                    GNU time, clang with libFuzzer for tests/fuzz/,
#                                    man, groff, mandoc and zsh for tests/cli/test_man.sh)
#   scripts/install-deps.sh --bench  also what the benchmarks compare against
set -e
BUILD="build-essential pkg-config libsqlite3-dev sqlite3 libjansson-dev libutf8proc-dev
libmicrohttpd-dev libgnutls28-dev libpoppler-glib-dev libargon2-dev libcairo2-dev
libpango1.0-dev fonts-noto-cjk"
TEST="libcmocka-dev python3 poppler-utils fonts-noto-cjk chromium nodejs npm curl
time clang libclang-rt-14-dev man-db groff-base mandoc zsh"
BENCH="groonga-bin wrk nginx-light hyperfine poppler-utils pandoc"

want="$BUILD"
for a in "$@"; do
	case "$a" in
	--test) want="$want $TEST" ;;
	--bench) want="$want $BENCH" ;;
	*) echo "usage: $0 [--test] [--bench]" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node may come from elsewhere than Debian (an image's own build): keep it
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(echo "$missing" | tr ' ' '\n' | grep -vx 'nodejs\|npm' | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "installing:$missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
