#!/bin/sh
# tests/cli/test_install.sh - running kyokun as a service:
#   make install / uninstall into a temporary DESTDIR (every file, its mode,
#   the paths in the units; nothing in /etc), systemd-analyze verify on the
#   units where systemd is present, serve's configuration file through
#   `kyokun config check` and `kyokun serve` (good and bad files, line
#   numbers, permissions, the command line winning).
. "$(dirname "$0")/lib.sh"

# ---- make install (the plain run only: it installs ./kyokun) ----

install_tests() {
	D=$T/dest
	if ! make -s -C "$TOP" install DESTDIR="$D" >"$T/inst.out" 2>&1; then
		fail "install: make install DESTDIR=..." "$(tail -5 "$T/inst.out")"
		return
	fi
	ok "install: make install DESTDIR=... succeeds"
	P=$D/usr/local
	bad=""
	for f in bin/kyokun:755 lib/systemd/system/kyokun.service:644 \
		lib/systemd/system/kyokun-backup.service:644 lib/systemd/system/kyokun-backup.timer:644 \
		lib/sysusers.d/kyokun.conf:644 lib/tmpfiles.d/kyokun.conf:644 \
		share/doc/kyokun/kyokun.conf.example:644 share/doc/kyokun/README.md:644; do
		path=$P/${f%:*}
		mode=$(stat -c %a "$path" 2>/dev/null)
		[ "$mode" = "${f#*:}" ] || bad="$bad ${f%:*}(mode ${mode:-missing})"
	done
	if [ -z "$bad" ]; then ok "install: binary, units, sysusers.d, tmpfiles.d, example and README with their modes"
	else fail "install: files missing or with the wrong mode:$bad" "$(cat "$T/inst.out"; find "$D" | head -20)"; fi
	# the manual and the completions, when they are built
	for f in kyokun.1:share/man/man1/kyokun.1 kyokun.bash:share/bash-completion/completions/kyokun \
		_kyokun:share/zsh/vendor-completions/_kyokun; do
		src=$TOP/build/${f%%:*}
		dst=$P/${f#*:}
		if [ -f "$src" ]; then
			if cmp -s "$src" "$dst"; then ok "install: ${f#*:} from build/${f%%:*}"
			else fail "install: build/${f%%:*} is built but ${f#*:} was not installed"; fi
		elif [ -e "$dst" ]; then
			fail "install: ${f#*:} installed without build/${f%%:*}"
		else
			skip "install: ${f#*:}" "build/${f%%:*} is not built (make man / completions)"
		fi
	done
	if cmp -s "$TOP/kyokun" "$P/bin/kyokun" && "$P/bin/kyokun" --version | grep -q '^kyokun '; then
		ok "install: the installed binary is ./kyokun and runs"
	else
		fail "install: the installed binary differs from ./kyokun or does not run"
	fi
	if [ -e "$D/etc" ]; then fail "install: something was written under /etc" "$(find "$D/etc" | head -5)"
	else ok "install: nothing written under /etc (the configuration is the operator's)"; fi
	if grep -q '^ExecStart=/usr/local/bin/kyokun serve --config /etc/kyokun/kyokun.conf$' \
		"$P/lib/systemd/system/kyokun.service" &&
		grep -q '^User=kyokun$' "$P/lib/systemd/system/kyokun.service" &&
		grep -q '^StateDirectory=kyokun$' "$P/lib/systemd/system/kyokun.service" &&
		grep -q '^ExecStart=.*/usr/local/bin/kyokun --db /var/lib/kyokun/kyokun.db backup ' \
			"$P/lib/systemd/system/kyokun-backup.service"; then
		ok "install: the units run \$PREFIX/bin/kyokun as the user kyokun with the state directory"
	else
		fail "install: the units' ExecStart, User or StateDirectory" "$(grep -h '^ExecStart\|^User' "$P"/lib/systemd/system/*.service)"
	fi
	# the sandbox
	miss=""
	for k in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
		ReadWritePaths=/var/lib/kyokun 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
		SystemCallFilter=@system-service Restart=on-failure 'ExecReload=/bin/kill -HUP $MAINPID'; do
		grep -qxF "$k" "$P/lib/systemd/system/kyokun.service" || miss="$miss [$k]"
	done
	if [ -z "$miss" ]; then ok "install: kyokun.service has the sandbox, restart and reload settings"
	else fail "install: kyokun.service lacks$miss"; fi

	# systemd-analyze verify, with the binary where the DESTDIR has it
	if command -v systemd-analyze >/dev/null 2>&1; then
		mkdir -p "$T/units"
		for u in kyokun.service kyokun-backup.service kyokun-backup.timer; do
			sed "s|/usr/local/bin/kyokun|$P/bin/kyokun|g" "$P/lib/systemd/system/$u" >"$T/units/$u"
		done
		if (cd "$T/units" && systemd-analyze verify --man=no kyokun.service kyokun-backup.service \
			kyokun-backup.timer) >"$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]; then
			ok "install: systemd-analyze verify finds nothing to say about the units"
		else
			fail "install: systemd-analyze verify" "$(head -10 "$T/verify.out")"
		fi
	else
		skip "install: systemd-analyze verify" "systemd-analyze is not installed"
	fi

	# make uninstall removes it all
	make -s -C "$TOP" uninstall DESTDIR="$D" >"$T/uninst.out" 2>&1
	left=$(find "$D" -type f | sed "s|^$D||")
	if [ -z "$left" ]; then ok "install: make uninstall removes every file"
	else fail "install: make uninstall left files" "$left"; fi

	# PREFIX and a directory of its own
	D2=$T/dest2
	if make -s -C "$TOP" install DESTDIR="$D2" PREFIX=/opt/kyokun SYSTEMDDIR=/lib/systemd/system \
		>"$T/inst2.out" 2>&1 &&
		[ -x "$D2/opt/kyokun/bin/kyokun" ] &&
		grep -q '^ExecStart=/opt/kyokun/bin/kyokun serve ' "$D2/lib/systemd/system/kyokun.service" &&
		grep -q '/opt/kyokun/bin/kyokun --db' "$D2/lib/systemd/system/kyokun-backup.service" &&
		[ -f "$D2/opt/kyokun/share/doc/kyokun/kyokun.conf.example" ]; then
		ok "install: PREFIX and SYSTEMDDIR place the files and the units name the binary there"
	else
		fail "install: PREFIX=/opt/kyokun SYSTEMDDIR=/lib/systemd/system" "$(tail -3 "$T/inst2.out"; find "$D2" -type f | head)"
	fi
}

case "$KYOKUN" in
*build-asan/*) echo "skip - install: make install is checked in the plain run" ;;
*)
	if command -v make >/dev/null 2>&1; then install_tests; else skip "install" "no make"; fi
	;;
esac

# ---- kyokun config check ----

C=$T/conf
mkdir -p "$C"
cp "$TOP/contrib/kyokun.conf.example" "$C/example.conf"
chmod 0644 "$C/example.conf"
run config check --config "$C/example.conf"
expect_rc "config: the example configuration passes config check" 0
expect_out "config: config check prints ok" '^ok$'
expect_out "config: a setting from the file names its line" "^listen += 127\.0\.0\.1:8080	\($C/example.conf:[0-9]+\)$"
expect_out "config: a setting not in the file is the default" '^threads += .*	\(default\)$'
# KYOKUN_DB (set by lib.sh) wins over the file's db; without it the file's is used
expect_out "config: \$KYOKUN_DB wins over the file's db" "^db += $T/k.db	\(\\\$KYOKUN_DB; the file's /var/lib/kyokun/kyokun.db is not used\)$"
env -u KYOKUN_DB "$KYOKUN" config check --config "$C/example.conf" >"$T/out" 2>"$T/err"
expect_out "config: without --db the file's db is used" "^db += /var/lib/kyokun/kyokun.db	\($C/example.conf:[0-9]+\)$"
run --db "$T/other.db" config check --config "$C/example.conf"
expect_out "config: --db wins over the file's db" "^db += $T/other.db	\(--db; "

cat >"$C/bad.conf" <<'EOF'
# a comment
listen = 127.0.0.1:8080
colour = blue
threads = lots

threads = 2
listen-address 8080
behind-proxy = perhaps
session-max = 12 # hours
EOF
chmod 0644 "$C/bad.conf"
run config check --config "$C/bad.conf"
expect_rc "config: a bad file fails config check" 1
expect_err "config: unknown key named with its line" "bad.conf:3: unknown key \"colour\""
expect_err "config: bad number named with its line" "bad.conf:4: threads: expected a number from 1 to 256"
expect_err "config: duplicate key named with both lines" "bad.conf:6: threads is set twice \(first on line 4\)"
expect_err "config: a line without = named" "bad.conf:7: expected \"key = value\""
expect_err "config: bad boolean named" "bad.conf:8: behind-proxy: expected yes or no"
expect_err "config: a comment after a value named" "bad.conf:9: session-max: a comment must be on a line of its own"
expect_out "config: config check counts the problems" '^6 problems: serve would not start$'

printf 'tls-cert = %s/none.pem\ntls-key = %s/none.key\n' "$C" "$C" >"$C/tls.conf"
run config check --config "$C/tls.conf"
expect_rc "config: TLS files that cannot be read fail config check" 1
expect_err "config: the unreadable TLS file is named with its line" "tls.conf:1: tls-cert: $C/none.pem: No such file"

run config check --config "$C/missing.conf"
expect_rc "config: a missing --config file fails" 1
expect_err "config: a missing file is named" "missing.conf: No such file"
run config check --config "$C"
expect_rc "config: a directory is refused" 1

chmod 0666 "$C/example.conf"
run config check --config "$C/example.conf"
expect_rc "config: a world-writable file is refused" 1
expect_err "config: the refusal says why" "anyone may write to it \(mode 0666\)"
chmod 0604 "$C/example.conf"
run config check --config "$C/example.conf"
expect_rc "config: a world-readable file is fine" 0
chmod 0644 "$C/example.conf"
if [ "$(id -u)" = 0 ]; then
	cp "$C/example.conf" "$C/foreign.conf"
	chown 65534 "$C/foreign.conf"
	run config check --config "$C/foreign.conf"
	expect_rc "config: a file owned by another non-root user is refused" 1
	expect_err "config: the owner refusal names the user id" "belongs to user id 65534"
else
	skip "config: a file owned by another user" "not root: cannot give a file away"
fi
if [ ! -e /etc/kyokun/kyokun.conf ]; then
	run config check
	expect_rc "config: no /etc/kyokun/kyokun.conf: config check passes" 0
	expect_out "config: no /etc/kyokun/kyokun.conf: the defaults" '^configuration file: none \(/etc/kyokun/kyokun.conf does not exist\)'
else
	skip "config: no default file" "/etc/kyokun/kyokun.conf exists on this machine"
fi
run config
expect_rc "config: no subcommand is a usage error" 2
run config check --config
expect_rc "config: --config without a value is a usage error" 2
run config frob
expect_rc "config: an unknown subcommand is a usage error" 2

# ---- serve with a configuration file ----

run serve --config "$C/bad.conf" --listen 127.0.0.1:0
expect_rc "serve: a bad configuration file stops serve" 1
expect_err "serve: it names the file and line" "bad.conf:3: unknown key"
if [ ! -e "$T/k.db" ]; then ok "serve: no database created when the configuration is refused"
else fail "serve: a database was created despite the refused configuration"; fi
chmod 0666 "$C/example.conf"
run serve --config "$C/example.conf" --listen 127.0.0.1:0
expect_rc "serve: a world-writable configuration file stops serve" 1
chmod 0644 "$C/example.conf"
run serve --config "$C/example.conf" --no-config
expect_rc "serve: --config with --no-config is a usage error" 2

# the file's db and listen are used, and the command line wins over listen
cat >"$C/serve.conf" <<EOF
db = $T/fromconf.db
listen = 127.0.0.1:1
threads = 2
session-idle = 10
EOF
chmod 0644 "$C/serve.conf"
saved_db=$KYOKUN_DB
KYOKUN_DB=
start_server --config "$C/serve.conf"
KYOKUN_DB=$saved_db
if [ -n "$URL" ] && curl -s -o /dev/null -w '%{http_code}' "$URL/" | grep -q 200; then
	ok "serve: --listen on the command line wins over the file's listen"
else
	fail "serve: started with a configuration file" "$(cat "$T/srv.err")"
fi
if grep -q "serving $T/fromconf.db on" "$T/srv.out" && [ -f "$T/fromconf.db" ]; then
	ok "serve: the database named in the file is used when --db and \$KYOKUN_DB are not given"
else
	fail "serve: the file's db" "$(cat "$T/srv.out")"
fi
stop_server
run serve --config "$C/serve.conf" --listen 127.0.0.1:0 --threads 0
expect_rc "serve: a bad option is still a usage error with a configuration file" 2
exit 0
