#!/bin/sh
# tests/cli/test_redact.sh - anonymisation at the command line: kyokun redact
# --check (text and JSON, exact offsets), --add-name, --dismiss (kept, with
# who and why, audited), --apply (a new revision with its author, labels
# consistent across the case, a second check finds nothing labelled, the
# dismissed finding kept), on a case and on a case draft; --as: a user who
# may not see the case gets "no such case", a reporter may not anonymise;
# unknown ids and usage errors.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_redact.sh
. "$(dirname "$0")/lib.sh"

HAVE_JQ=1
command -v jq >/dev/null 2>&1 || HAVE_JQ=0
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

"$KYOKUN" org add 国家サイバー統括室 --kind centre >/dev/null 2>&1
"$KYOKUN" org add サンプル電機 --sector electricity >/dev/null 2>&1
"$KYOKUN" org add 東都ガス --sector gas >/dev/null 2>&1
"$KYOKUN" user add ana --role analyst --org 国家サイバー統括室 --no-password >/dev/null 2>&1
"$KYOKUN" user add rep-s --role reporter --org サンプル電機 --no-password >/dev/null 2>&1
"$KYOKUN" user add rep-g --role reporter --org 東都ガス --no-password >/dev/null 2>&1

cat >"$T/case.json" <<'EOF'
{"id": "rd-1", "title": "株式会社サンプル電機の制御端末の感染", "tlp": "amber", "owner": "サンプル電機",
 "summary": ["サンプル電機（株）の山田部長が 2025年4月12日に横浜市の拠点で検知した。"],
 "key_lessons": ["委託先ﾃｽﾄ工業との連絡に田中さんが当たった。"],
 "sections": {
  "background": "連絡先 soc@sample-denki.example.jp、電話 03-1234-5678。",
  "detection": "攻撃元 192.0.2.44 と 2001:db8::1 から https://evil.example.com/x を経由。",
  "impact": "利用者12,345人に影響し3時間27分停止。所在地 〒100-0001 東京都千代田区千代田1-1。"},
 "tags": {"sectors": ["electricity"]}}
EOF
run add "$T/case.json"
expect_rc "setup: a case" 0

# ---- check ------------------------------------------------------------------------------------------
run redact --check rd-1
expect_rc "redact --check: exit 0" 0
expect_out "check: the owner's name with (株), at its offsets" '^name +summary\[0\] +0-9 +「サンプル電機（株）」 → A社'
expect_out "check: 株式会社 before the name, in the title" '^name +title +0-10 +「株式会社サンプル電機」 → A社'
expect_out "check: a person with a title" '^person +summary\[0\] +10-14 +「山田部長」 → 部長'
expect_out "check: a person with さん" '^person +key_lessons\[0\] +13-17 +「田中さん」 → 担当者'
expect_out "check: e-mail" '^email +background +4-31 +「soc@sample-denki.example.jp」 → \[メールアドレス\]'
expect_out "check: telephone" '^phone +background +35-47 +「03-1234-5678」 → \[電話番号\]'
expect_out "check: IPv4" '^ipv4 +detection +4-14 +「192.0.2.44」 → \[IPアドレス\]'
expect_out "check: IPv6" '^ipv6 +detection +17-28 +「2001:db8::1」 → \[IPアドレス\]'
expect_out "check: URL" '^url +detection +32-58 +「https://evil.example.com/x」 → \[URL\]'
expect_out "check: postal address" '^address +impact +27-50 +「〒100-0001 東京都千代田区千代田1-1」 → \[住所\]'
expect_out "check: reid, a date with a place" '^reid +summary\[0\] +16-26 +「2025年4月12日」 .*2025年4月'
expect_out "check: reid, users with the sector" '^reid +impact +3-10 +「12,345人」 .*約1万人'
expect_out "check: reid, an outage to the minute" '^reid +impact +14-20 +「3時間27分」 .*約3時間'
run redact --check rd-1 --name テスト工業
expect_out "check --name: a name given, half-width in the text" '^name +key_lessons\[0\] +3-8 +「ﾃｽﾄ工業」 → B社'
run redact --check rd-1 --name '.*' --name 'a+b'
if grep -q '^name .*「\.\*」' "$T/out"; then fail "check --name '.*': literal"; else ok "check --name '.*': matched literally (not everything)"; fi

if [ "$HAVE_JQ" -eq 1 ]; then
	run redact --check rd-1 --format json
	expect_eq "check --format json: the findings with offsets" \
		"$(jq -r '[.findings[] | select(.kind=="ipv4")][0] | "\(.field) \(.start) \(.end) \(.label)"' "$T/out")" \
		"detection 4 14 [IPアドレス]"
	expect_eq "check --format json: counts per kind" "$(jq -r '.counts.name' "$T/out")" 2
else
	skip "check --format json" "no jq"
fi

# ---- bad input ---------------------------------------------------------------------------------------
run redact --check no-such-case
expect_rc "check: an unknown id: exit 1" 1
expect_err "check: an unknown id: says so" 'no case with id "no-such-case"'
run redact
expect_rc "redact without an operation: usage error" 2
run redact --check rd-1 --apply rd-1
expect_rc "two operations: usage error" 2
run redact --check rd-1 --kind name
expect_rc "--kind without --dismiss: usage error" 2
run redact --dismiss rd-1 --kind nothing --text x --reason y
expect_rc "--dismiss --kind unknown: usage error" 2
run redact --dismiss rd-1 --kind person --text x
expect_rc "--dismiss without --reason: usage error" 2
run redact --apply rd-1 --format json
expect_rc "--format with --apply: usage error" 2

# ---- names and dismissals ---------------------------------------------------------------------------
run redact --add-name rd-1 テスト工業株式会社
expect_rc "add-name: stored" 0
run redact --add-name rd-1 テスト工業株式会社
expect_rc "add-name again: refused" 1
expect_err "add-name again: says it is there" 'already stored'
run redact --check rd-1
expect_out "check: the stored name is looked for" '^name +key_lessons\[0\] +3-8 +「ﾃｽﾄ工業」 → B社'
run redact --dismiss rd-1 --kind person --text 田中さん --reason "仮名であり本人を特定しない"
expect_rc "dismiss: kept" 0
run redact --check rd-1
if grep -q '^person .*田中さん' "$T/out"; then fail "check: the dismissed finding is not listed"; else ok "check: the dismissed finding is not listed"; fi
expect_out "check: counts the dismissed" '\(1 dismissed\)'
expect_out "check: lists the dismissal with why" '田中さん.*仮名であり本人を特定しない'
run redact --dismiss rd-1 --kind person --text 田中さん --reason again
expect_rc "dismiss again: refused" 1

# ---- --as ------------------------------------------------------------------------------------------
run --as rep-g redact --apply rd-1
expect_rc "--as another organisation's reporter: --apply refused" 1
run --as rep-g redact --check rd-1
expect_rc "--as another organisation's reporter: --check refused" 1
expect_err "--as: the amber case of another organisation is not there" 'no case with id "rd-1"'
run --as rep-s redact --apply rd-1
expect_rc "--as the organisation's own reporter: may see, may not anonymise" 1
expect_err "--as reporter: says who may" 'analysts and publishers'

printf '%s\n' '{"id": "rd-red", "title": "山田部長の件", "tlp": "red", "owner": "サンプル電機"}' >"$T/red.json"
"$KYOKUN" add "$T/red.json" >/dev/null 2>&1
run --as ana redact --apply rd-red
expect_rc "--as analyst: --apply on a TLP:RED case the analyst may not see: refused" 1
expect_err "--as analyst: TLP:RED is not there for the analyst" 'no case with id "rd-red"'
run show rd-red
expect_out "TLP:RED case unchanged" '山田部長の件'

# ---- apply -------------------------------------------------------------------------------------------
run --as ana redact --apply rd-1
expect_rc "--as analyst: --apply" 0
expect_out "apply: prints what changed" '「株式会社サンプル電機」 → A社'
expect_out "apply: says the revision" 'replacements, saved as revision 2'
run show rd-1 --format json
if [ "$HAVE_JQ" -eq 1 ]; then
	expect_eq "apply: the title" "$(jq -r .title "$T/out")" "A社の制御端末の感染"
	expect_eq "apply: labels consistent across sections" "$(jq -r '.summary[0]' "$T/out")" \
		"A社の部長が 2025年4月12日に横浜市の拠点で検知した。"
	expect_eq "apply: the other name B社, the dismissed kept" "$(jq -r '.key_lessons[0]' "$T/out")" \
		"委託先B社との連絡に田中さんが当たった。"
	expect_eq "apply: addresses" "$(jq -r '.sections.detection' "$T/out")" \
		"攻撃元 [IPアドレス] と [IPアドレス] から [URL] を経由。"
fi
run redact --check rd-1
if grep -q ' → ' "$T/out"; then fail "a second check: nothing labelled" "$(cat "$T/out")"; else ok "a second check: nothing labelled"; fi
expect_out "a second check: reid left for the analyst" '^reid +impact'
run history rd-1
expect_out "history: the anonymised revision by the analyst" 'r2 .*'
run audit
expect_out "audit: redact.apply by the analyst" 'ana.*redact\.apply.*case:rd-1'
expect_out "audit: the case's update by the analyst" 'ana.*case\.update.*case:rd-1'
expect_out "audit: the dismissal with its reason" 'redact\.dismiss.*case:rd-1.*person 田中さん: 仮名'
expect_out "audit: the stored name" 'redact\.name.*case:rd-1.*テスト工業株式会社'
run redact --apply rd-1
expect_rc "apply again: nothing to replace, exit 0" 0
expect_out "apply again: says so" 'nothing to replace'

# ---- a case draft -------------------------------------------------------------------------------------
cat >"$T/first.json" <<'EOF'
{"title": "変電所監視端末でのマルウェア感染", "organization": "サンプル電機", "sector": "電力",
 "contact": {"name": "山田 太郎", "phone": "03-0000-0000", "email": "soc@sample.example"},
 "occurred_at": "2026-11-19T22:00:00+09:00", "detected_at": "2026-11-20T08:30:00+09:00",
 "event_types": ["malware"], "cause_types": ["intentional"], "service_affected": "no",
 "impact": {"scope": "監視端末1台", "users_affected": 0, "duration_minutes": null},
 "spread": {"status": "no", "sectors": []},
 "description": "サンプル電機の監視端末で佐藤課長が 198.51.100.7 への通信を検知した。",
 "actions": "端末を切り離した。", "announcement_planned": false, "tlp": "amber"}
EOF
INC=$("$KYOKUN" report add "$T/first.json" 2>/dev/null)
DRAFT=$("$KYOKUN" report draft "$INC" 2>/dev/null)
run redact --check "$DRAFT"
expect_out "draft: check" '^person +background +.*「佐藤課長」 → 課長'
run redact --apply "$DRAFT"
expect_rc "draft: apply" 0
run draft show "$DRAFT"
if grep -q '佐藤課長\|198\.51\.100\.7' "$T/out"; then fail "draft: anonymised" "$(cat "$T/out")"; else ok "draft: anonymised"; fi
run draft list --format tsv
expect_out "draft: a new revision" "^$DRAFT	2	"
