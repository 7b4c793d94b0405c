#!/bin/sh
# tests/cli/test_exchange_bad.sh - bad input in the exchange formats, as data:
# every line of tests/fixtures/exchange/bad.tsv is one `kyokun add` (with
# --format or sniffed) of a STIX bundle, MISP events or VERIS incidents that
# is malformed, of unknown types, missing or mistyping a required field,
# circular, deeply nested or too large.  Each must exit as the line says,
# print the message it gives (naming the object and the field) and leave the
# database with the cases it says (0: the file is stored whole or not at all).
#
# KYOKUN_TEST_HUGE=1 also adds a real 200 MB file of each format made of
# valid records but the last (slow: about a minute each; bench/exchange.sh
# --huge measures memory and time on such files).
. "$(dirname "$0")/lib.sh"

DATA="$TOP/tests/fixtures/exchange/bad.tsv"
TAB=$(printf '\t')

# deep FORMAT N: a document of FORMAT whose first record nests N arrays
deep() {
	case $1 in
	stix) printf '{"type":"bundle","objects":[{"type":"incident","id":"incident--44444444-4444-4444-8444-444444444444","name":"x","x_deep":' ;;
	misp) printf '[{"Event":{"uuid":"11111111-2222-4333-8444-555555555555","info":"x","x_deep":' ;;
	veris) printf '{"schema_version":"1.4.1","incident_id":"D1","x_deep":' ;;
	esac
	awk -v n="$2" 'BEGIN { s = "[[[[[[[[[["; for (i = 0; i < n / 10; i++) printf "%s", s;
		s = "]]]]]]]]]]"; for (i = 0; i < n / 10; i++) printf "%s", s }'
	case $1 in
	stix) printf '}]}\n' ;;
	misp) printf '}}]\n' ;;
	veris) printf '}\n' ;;
	esac
}

# wide FORMAT N: a document of FORMAT whose last record has an array of N empty objects
wide() {
	case $1 in
	stix) printf '{"type":"bundle","objects":[{"type":"incident","id":"incident--44444444-4444-4444-8444-444444444444","name":"x","x_wide":[' ;;
	misp) printf '[{"Event":{"uuid":"11111111-2222-4333-8444-555555555555","info":"x"}},\n{"Event":{"uuid":"11111111-2222-4333-8444-555555555556","info":"x","x_wide":[' ;;
	veris) printf '{"schema_version":"1.4.1","incident_id":"D0"}\n{"schema_version":"1.4.1","incident_id":"D1","x_wide":[' ;;
	esac
	awk -v n="$2" 'BEGIN { s = "{},{},{},{},{},{},{},{},{},{},"; for (i = 0; i < n / 10; i++) printf "%s", s; printf "{}" }'
	case $1 in
	stix) printf ']}]}\n' ;;
	misp) printf ']}}]\n' ;;
	veris) printf ']}\n' ;;
	esac
}

# sparse FORMAT MB FILE: MB megabytes starting like a document of FORMAT
sparse() {
	case $1 in
	stix) printf '{"type":"bundle","objects":[' ;;
	misp) printf '[{"Event":' ;;
	veris) printf '{"schema_version":"1.4.1","incident_id":"A","summary":"x"}\n' ;;
	esac >"$3"
	truncate -s "$2M" "$3"
}

SQL3=$(command -v sqlite3)
n=0
while IFS="$TAB" read -r fmt via name want stored ere input; do
	case $fmt in '#'* | '') continue ;; esac
	n=$((n + 1))
	f="$T/in-$n"
	case $input in
	@deep:*) deep "$fmt" "${input#@deep:}" >"$f" ;;
	@wide:*) wide "$fmt" "${input#@wide:}" >"$f" ;;
	@sparse:*) sparse "$fmt" "${input#@sparse:}" "$f" ;;
	*) printf '%b' "$input" >"$f" ;;
	esac
	db="$T/db-$n.db"
	if [ "$via" = sniff ]; then run --db "$db" add "$f"; else run --db "$db" add --format "$fmt" "$f"; fi
	# what was stored, read from the file itself (sqlite3: one process, not a second kyokun)
	if [ ! -e "$db" ]; then got=0
	elif [ -n "$SQL3" ]; then got=$(sqlite3 "$db" 'SELECT count(*) FROM cases' 2>/dev/null || echo "?")
	else got=$("$KYOKUN" --db "$db" export --format jsonl 2>/dev/null | grep -c .); fi
	t="$fmt ($via): $name"
	if [ "$RC" -ne "$want" ]; then
		fail "$t" "exit $RC, want $want: $(head -c 400 "$T/err")"
	elif [ "$ere" != - ] && ! grep -Eq -- "$ere" "$T/err"; then
		fail "$t" "stderr lacks /$ere/: $(head -c 400 "$T/err")"
	elif [ "$want" -ne 0 ] && ! grep -q 'refused; none of its cases was stored' "$T/err"; then
		fail "$t" "no 'refused; none of its cases was stored': $(head -c 400 "$T/err")"
	elif [ "$got" != "$stored" ]; then
		fail "$t" "$got cases stored, want $stored"
	else
		ok "$t"
	fi
	rm -f "$f" "$db" "$db"-*
done <"$DATA"
[ "$n" -ge 60 ] && ok "exchange bad input: $n cases read from the table" || fail "exchange bad input: only $n cases in $DATA"

# ---- the real thing: 200 MB of valid records, the last one bad ----------------
if [ "${KYOKUN_TEST_HUGE:-0}" = 1 ] && command -v python3 >/dev/null 2>&1; then
	for fmt in stix misp veris; do
		python3 "$TOP/bench/exchange_gen.py" "$fmt" 200 bad >"$T/huge.$fmt" || continue
		run --db "$T/huge.db" add --format "$fmt" "$T/huge.$fmt"
		got=$("$KYOKUN" --db "$T/huge.db" export --format jsonl 2>/dev/null | grep -c .)
		if [ "$RC" -eq 1 ] && [ "$got" -eq 0 ] && grep -q 'none of its cases was stored' "$T/err"; then
			ok "$fmt: a 200 MB file with a bad last record is refused whole ($(head -1 "$T/err" | cut -c1-160))"
		else fail "$fmt: a 200 MB file with a bad last record is refused whole" "exit $RC, $got stored: $(head -c 400 "$T/err")"; fi
		rm -f "$T/huge.$fmt" "$T/huge.db" "$T/huge.db"-*
	done
fi
