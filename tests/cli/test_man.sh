#!/bin/sh
# tests/cli/test_man.sh - the manual page and the completion scripts made
# from the command table (kyokun help --man, help --completion bash|zsh):
# the page renders with man -l and groff without a warning (and mandoc -T lint
# where mandoc is installed), every command of `kyokun help` has its section
# holding every option its help mentions, and every option a command's getopt
# table takes is in the manual; the bash completion offers every command,
# each command's options, choices, subcommands and files; zsh parses its
# script.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_man.sh
. "$(dirname "$0")/lib.sh"

export LC_ALL=C.UTF-8
cd "$T" || exit 1

# the commands `kyokun help` lists, one a line
"$KYOKUN" help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' >"$T/cmds"
if [ -s "$T/cmds" ]; then ok "help lists commands ($(wc -l <"$T/cmds"))"; else fail "help lists commands"; fi
# each command's help, once (the checks below read it several times)
"$KYOKUN" help >"$T/help"
while read -r c; do "$KYOKUN" help "$c" >"$T/help-$c"; done <"$T/cmds"

run help --man
expect_rc "help --man" 0
cp "$T/out" "$T/k.1"
if LC_ALL=C grep -q '[^ -~	]' "$T/k.1"; then
	fail "manual is ASCII (other characters as \\[uXXXX])" "$(LC_ALL=C grep -n '[^ -~	]' "$T/k.1" | head -3)"
else
	ok "manual is ASCII (other characters as \\[uXXXX])"
fi
run help --completion fish
expect_rc "help --completion fish: usage error" 2
expect_err "help --completion fish: says what it takes" "bash or zsh"

# ---- the page renders ------------------------------------------------------
if command -v groff >/dev/null 2>&1; then
	groff -ww -man -Tutf8 "$T/k.1" >"$T/groff.out" 2>"$T/groff.err"
	if [ $? -eq 0 ] && [ ! -s "$T/groff.err" ] && [ -s "$T/groff.out" ]; then
		ok "groff -ww renders it without warnings"
	else
		fail "groff -ww renders it without warnings" "$(head -5 "$T/groff.err")"
	fi
else
	skip "groff -ww renders it without warnings" "no groff"
fi
if command -v mandoc >/dev/null 2>&1; then
	mandoc -T lint -W warning "$T/k.1" >"$T/lint" 2>&1
	if [ ! -s "$T/lint" ]; then ok "mandoc -T lint: no warnings"; else fail "mandoc -T lint: no warnings" "$(head -5 "$T/lint")"; fi
else
	skip "mandoc -T lint: no warnings" "no mandoc (apt-get install mandoc)"
fi
if ! command -v man >/dev/null 2>&1; then
	skip "man -l renders the page" "no man"
	MAN_OK=0
else
	# col -b: no overstrike, in case man keeps formatting
	MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$T/k.1" 2>"$T/man.err" | sed 's/.\x08//g' >"$T/man.txt"
	if [ -s "$T/man.txt" ] && [ ! -s "$T/man.err" ] && grep -q '^NAME' "$T/man.txt"; then
		ok "man -l renders the page"
		MAN_OK=1
	else
		fail "man -l renders the page" "$(head -5 "$T/man.err")"
		MAN_OK=0
	fi
	# display columns (wc -L: a CJK character takes two)
	w=$(wc -L <"$T/man.txt")
	if [ "$w" -le 80 ]; then ok "man -l: lines fit MANWIDTH=80 ($w columns)"; else fail "man -l: lines fit MANWIDTH=80" "longest $w"; fi
fi

if [ "$MAN_OK" -eq 1 ]; then
	for s in NAME SYNOPSIS DESCRIPTION 'GLOBAL OPTIONS' COMMANDS ENVIRONMENT FILES 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
		grep -qx "$s" "$T/man.txt" || echo "$s" >>"$T/missing"
	done
	if [ ! -s "$T/missing" ]; then ok "man: every section"; else fail "man: every section" "missing: $(cat "$T/missing")"; fi
	rm -f "$T/missing"
	for o in --db --as --version; do
		sed -n '/^GLOBAL OPTIONS$/,/^COMMANDS$/p' "$T/man.txt" | grep -q -- "^ *$o\\b" || echo "$o" >>"$T/missing"
	done
	if [ ! -s "$T/missing" ]; then ok "man: the global options"; else fail "man: the global options" "missing: $(cat "$T/missing")"; fi
	rm -f "$T/missing"
	# every variable the code reads is documented
	for v in $(grep -ho 'getenv("[A-Z_]*")' "$TOP"/src/*.c | sed 's/getenv("\(.*\)")/\1/' | sort -u); do
		sed -n '/^ENVIRONMENT$/,/^FILES$/p' "$T/man.txt" | grep -q "^ *$v\$" || echo "$v" >>"$T/missing"
	done
	if [ ! -s "$T/missing" ]; then ok "man: ENVIRONMENT names every getenv"; else fail "man: ENVIRONMENT names every getenv" "missing: $(cat "$T/missing")"; fi
	rm -f "$T/missing"

	# one section per command, with every option its help mentions
	while read -r c; do
		# the section: from "   CMD" to the next subsection or section
		awk -v c="$c" '$0 == "   " c { on = 1; next } on && /^(   )?[^ ]/ { exit } on' "$T/man.txt" >"$T/sec"
		if [ ! -s "$T/sec" ]; then
			echo "$c: no section" >>"$T/missing"
			continue
		fi
		grep -o -- '--[a-z][a-z0-9-]*' "$T/help-$c" | sort -u >"$T/opts"
		while read -r o; do
			grep -q -- "$o\\b" "$T/sec" || echo "$c: $o" >>"$T/missing"
		done <"$T/opts"
		# the first line of its summary
		s=$(sed -n "s/^  $c  *//p" "$T/help")
		tr -s ' \n' '  ' <"$T/sec" | grep -qF -- "$s" || echo "$c: summary" >>"$T/missing"
	done <"$T/cmds"
	if [ ! -s "$T/missing" ]; then
		ok "man: a section for each of the $(wc -l <"$T/cmds") commands, with every option its help mentions"
	else
		fail "man: a section for each command, with every option its help mentions" "$(cat "$T/missing")"
	fi
	rm -f "$T/missing"

	# every long option a command's getopt table takes is in the manual (and so in its help)
	for f in "$TOP"/src/cmd_*.c; do
		for o in $(grep -o '{ *"[a-z][a-z0-9-]*", *\(no\|required\|optional\)_argument' "$f" |
			sed 's/{ *"\([^"]*\)".*/\1/' | sort -u); do
			grep -q -- "--$o\\b" "$T/man.txt" || echo "$(basename "$f"): --$o" >>"$T/missing"
		done
	done
	if [ ! -s "$T/missing" ]; then ok "man: every option of the getopt tables"; else fail "man: every option of the getopt tables" "$(cat "$T/missing")"; fi
	rm -f "$T/missing"

	# Japanese in help texts renders, as does troff's escape character
	if grep -q '背景, 検知, 対処' "$T/man.txt" && grep -q '情報通信, 金融' "$T/man.txt"; then
		ok "man: Japanese text renders"
	else
		fail "man: Japanese text renders" "$(grep -n 'sections (' "$T/man.txt" | head -2)"
	fi
	if grep -q -- '--format table|tsv|json' "$T/man.txt" && grep -q -- '-word  *without this word' "$T/man.txt"; then
		ok "man: hyphens and options read as typed"
	else
		fail "man: hyphens and options read as typed"
	fi
fi

# ---- bash completion ---------------------------------------------------------
run help --completion bash
expect_rc "help --completion bash" 0
cp "$T/out" "$T/kyokun.bash"
if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "no bash"
else
	# comp WORD...: what the completion offers for the last word, sorted, one a line
	comp() {
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kyokun; printf "%s\n" "${COMPREPLY[@]}"' \
			sh "$T/kyokun.bash" "$@" 2>"$T/comp.err" | sed '/^$/d' | sort
	}
	# comp_has NAME EXPECTED-FILE WORD...: the offer holds every line of EXPECTED-FILE
	comp_has() {
		name=$1 want=$2
		shift 2
		comp "$@" >"$T/got"
		missing=$(sort -u "$want" | comm -23 - "$T/got" | tr '\n' ' ')
		if [ -z "$missing" ] && [ ! -s "$T/comp.err" ]; then
			ok "$name"
		else
			fail "$name" "missing: $missing; offered: $(tr '\n' ' ' <"$T/got") $(head -c 300 "$T/comp.err")"
		fi
	}
	if bash -n "$T/kyokun.bash" 2>"$T/comp.err"; then ok "bash -n: the script parses"; else fail "bash -n: the script parses" "$(cat "$T/comp.err")"; fi
	comp kyokun "" >"$T/got"
	if sort "$T/cmds" | cmp -s - "$T/got"; then
		ok "bash: 'kyokun <TAB>' offers exactly the commands of kyokun help"
	else
		fail "bash: 'kyokun <TAB>' offers exactly the commands of kyokun help" "$(sort "$T/cmds" | diff - "$T/got")"
	fi
	printf '%s\n' search serve >"$T/want"
	comp_has "bash: 'kyokun --db x.db se<TAB>' offers search, serve" "$T/want" kyokun --db x.db se
	printf '%s\n' --db --as --version --help >"$T/want"
	comp_has "bash: 'kyokun --<TAB>' offers the global options" "$T/want" kyokun --
	# each command: every option its help mentions (other than the global ones), and --help
	: >"$T/missing"
	while read -r c; do
		grep -o -- '--[a-z][a-z0-9-]*' "$T/help-$c" | grep -vx -- '--db\|--as\|--version' | sort -u >"$T/want"
		echo --help >>"$T/want"
		comp kyokun "$c" -- >"$T/got"
		m=$(sort -u "$T/want" | comm -23 - "$T/got" | tr '\n' ' ')
		[ -n "$m" ] && echo "$c: $m" >>"$T/missing"
	done <"$T/cmds"
	if [ ! -s "$T/missing" ]; then ok "bash: 'kyokun CMD --<TAB>' offers every option of each command's help"; else fail "bash: 'kyokun CMD --<TAB>' offers every option of each command's help" "$(cat "$T/missing")"; fi
	printf '%s\n' table tsv json >"$T/want"
	comp_has "bash: 'kyokun list --format <TAB>' offers its choices" "$T/want" kyokun list --format ""
	printf '%s\n' add list passwd role disable enable set >"$T/want"
	comp_has "bash: 'kyokun user <TAB>' offers its subcommands" "$T/want" kyokun user ""
	mkdir -p "$T/files" && : >"$T/files/cases-a.json" && : >"$T/files/cert.pem"
	echo "$T/files/cases-a.json" >"$T/want"
	comp_has "bash: 'kyokun add FILE<TAB>' offers files" "$T/want" kyokun add "$T/files/cas"
	comp_has "bash: 'kyokun import --dry-run FILE<TAB>' offers files" "$T/want" kyokun import --dry-run "$T/files/cas"
	echo "$T/files/cert.pem" >"$T/want"
	comp_has "bash: 'kyokun serve --tls-cert <TAB>' offers files" "$T/want" kyokun serve --tls-cert "$T/files/ce"
	comp kyokun show "" >"$T/got"
	if [ ! -s "$T/got" ]; then ok "bash: 'kyokun show <TAB>' offers no files (an ID)"; else fail "bash: 'kyokun show <TAB>' offers no files (an ID)" "$(head -3 "$T/got")"; fi
	comp kyokun help "" >"$T/got"
	if sort "$T/cmds" | cmp -s - "$T/got"; then ok "bash: 'kyokun help <TAB>' offers the commands"; else fail "bash: 'kyokun help <TAB>' offers the commands"; fi
fi

# ---- zsh completion ------------------------------------------------------------
run help --completion zsh
expect_rc "help --completion zsh" 0
cp "$T/out" "$T/_kyokun"
if head -1 "$T/_kyokun" | grep -q '^#compdef kyokun$'; then ok "zsh: #compdef kyokun"; else fail "zsh: #compdef kyokun"; fi
missing=""
while read -r c; do
	grep -q "^		'$c:" "$T/_kyokun" || missing="$missing $c"
done <"$T/cmds"
if [ -z "$missing" ]; then ok "zsh: every command described"; else fail "zsh: every command described" "missing:$missing"; fi
if command -v zsh >/dev/null 2>&1; then
	if zsh -n "$T/_kyokun" 2>"$T/zsh.err"; then ok "zsh -n: the script parses"; else fail "zsh -n: the script parses" "$(cat "$T/zsh.err")"; fi
	# run the function with _arguments, _describe and _files stubbed to print
	# what they are given (state: what _arguments -> would set)
	cat >"$T/zcheck.zsh" <<'EOF2'
_arguments() { print -rl -- "ARGS" "$@"; state=$STATE; return 0 }
_describe() { print -rl -- "DESCRIBE" "${(@P)4}"; return 0 }
_files() { print FILES; }
script=$1 STATE=$2
shift 2
words=("$@")
curcontext=:
source $script
EOF2
	zsh -f "$T/zcheck.zsh" "$T/_kyokun" command >"$T/zout" 2>"$T/zsh.err"
	sed -n '/^DESCRIBE$/,$p' "$T/zout" | sed '1d; s/:.*//' | sort >"$T/got"
	if sort "$T/cmds" | cmp -s - "$T/got" && [ ! -s "$T/zsh.err" ]; then
		ok "zsh: the command state describes exactly the commands of kyokun help"
	else
		fail "zsh: the command state describes exactly the commands of kyokun help" "$(sort "$T/cmds" | diff - "$T/got") $(head -3 "$T/zsh.err")"
	fi
	: >"$T/missing"
	while read -r c; do
		zsh -f "$T/zcheck.zsh" "$T/_kyokun" argument "$c" >"$T/zout" 2>>"$T/missing"
		for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help-$c" | grep -vx -- '--db\|--as\|--version' | sort -u); do
			grep -q -- "^\*$o\[" "$T/zout" || echo "$c: $o" >>"$T/missing"
		done
	done <"$T/cmds"
	zsh -f "$T/zcheck.zsh" "$T/_kyokun" argument list --format >"$T/zout" 2>>"$T/missing"
	grep -q -- '^\*--format\[.*(table tsv json)$' "$T/zout" || echo "list --format: no choices" >>"$T/missing"
	zsh -f "$T/zcheck.zsh" "$T/_kyokun" argument serve >"$T/zout" 2>>"$T/missing"
	grep -q -- '^\*--tls-cert\[.*:_files$' "$T/zout" || echo "serve --tls-cert: no files" >>"$T/missing"
	if [ ! -s "$T/missing" ]; then ok "zsh: each command's options, choices, files"; else fail "zsh: each command's options, choices, files" "$(cat "$T/missing")"; fi
else
	skip "zsh -n: the script parses" "no zsh"
	skip "zsh: the completion function" "no zsh"
fi
