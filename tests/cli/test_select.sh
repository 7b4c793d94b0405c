#!/bin/sh
# tests/cli/test_select.sh - selection of the cases of a survey period
# (issue 13): the candidates of 年度 2025 (incidents marked 事例候補 and a
# case draft; one out of the period, one not marked), scores by criterion
# with notes, the proposed shortlist with the exact list and every kind of
# reason (rank, the sector cap, below the cut, not scored, overrides in and
# out), --format json, keep, the audit log, bad input (a period without
# candidates, a bad period, unknown criterion, score out of range, an id
# that is not a candidate, size and cap 0, a note that is not UTF-8, an
# override without a reason: a clear message naming the field, nothing
# stored), who may (a reporter may not); then the page for analysts:
# GET /select (401 anonymous, 403 reporter), POST score, override and keep
# with and without the CSRF token.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_select.sh
. "$(dirname "$0")/lib.sh"

HAVE_JQ=1
command -v jq >/dev/null 2>&1 || HAVE_JQ=0
jget() { [ "$HAVE_JQ" -eq 1 ] || return 0; jq -r "$1" "$T/out" 2>/dev/null; }
want() { [ "$HAVE_JQ" -eq 1 ] && printf '%s\n' "$1"; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

export KYOKUN_NOW=2026-03-20T00:00:00Z
PW='kawa-no-nagare-wa-taezu'
printf '%s\n' "$PW" >"$T/pw"
run init
"$KYOKUN" org add センター --kind centre >/dev/null 2>&1
for o in "電力A 電力" "電力B 電力" "ガスC ガス" "銀行D 金融" "水道E 水道"; do
	# shellcheck disable=SC2086
	set -- $o
	"$KYOKUN" org add "$1" --sector "$2" >/dev/null 2>&1
done
"$KYOKUN" user add ana --role analyst --org センター --password-file "$T/pw" >/dev/null 2>&1
"$KYOKUN" user add repa --role reporter --org 電力A --password-file "$T/pw" >/dev/null 2>&1

# inc TITLE ORG SECTOR DETECTED EVENT: file a first report, its id in $ID
inc() {
	cat >"$T/f.json" <<JSON
{"title": "$1", "organization": "$2", "sector": "$3",
 "contact": {"name": "連絡 担当", "phone": "03-0000-0000", "email": "soc@example.invalid"},
 "detected_at": "$4", "event_types": ["$5"], "cause_types": ["intentional"], "service_affected": "no",
 "description": "試験用の説明文。", "actions": "試験用の対応。", "announcement_planned": false, "tlp": "green"}
JSON
	ID=$("$KYOKUN" report add "$T/f.json" 2>"$T/err")
}
inc "制御端末のマルウェア感染" 電力A 電力 2025-05-01T09:00:00+09:00 malware; I1=$ID
inc "遠隔保守回線からの侵入" 電力B 電力 2025-06-01T09:00:00+09:00 intrusion; I2=$ID
inc "需給システムの停止" 電力A 電力 2025-07-01T09:00:00+09:00 availability; I3=$ID
inc "検針端末の感染" ガスC ガス 2025-08-01T09:00:00+09:00 malware; I4=$ID
inc "ネットバンキングの不正送金" 銀行D 金融 2025-09-01T09:00:00+09:00 malware; I5=$ID
inc "浄水場の監視画面の改ざん" 水道E 水道 2025-10-01T09:00:00+09:00 integrity; I6=$ID
inc "前年度の事案" ガスC ガス 2025-03-15T09:00:00+09:00 malware; I7=$ID
inc "候補でない事案" 水道E 水道 2025-11-01T09:00:00+09:00 other; I8=$ID
for i in $I1 $I2 $I3 $I4 $I5 $I6 $I7; do "$KYOKUN" report candidate "$i" on >/dev/null 2>&1; done
"$KYOKUN" report draft "$I4" >/dev/null 2>&1
D4=$(printf 'draft-%s' "$I4" | tr 'A-Z' 'a-z')

# ---- no scores yet: every candidate out, not scored ----------------------------------
run select --period 2025 --format json
expect_rc "select --period 2025 --format json" 0
expect_eq "the six candidates of 年度 2025, oldest first (the draft for its incident; not I7, not I8)" \
	"$(jget '[.candidates[].id] | sort | join(",")')" "$(want "$(printf '%s\n' "$I1" "$I2" "$I3" "$I5" "$I6" "$D4" | sort | paste -sd, -)")"
expect_eq "json: the period's bounds in UTC" "$(jget '"\(.since) \(.until)"')" "$(want '2025-03-31T15:00:00Z 2026-03-31T15:00:00Z')"
expect_eq "json: every candidate out, not scored" "$(jget '[.candidates[] | select(.why == "unscored" and .in == false)] | length')" "$(want 6)"
expect_eq "json: the draft is kind draft with its incident" "$(jget ".candidates[] | select(.id == \"$D4\") | \"\(.kind) \(.incident) \(.sectors[0]) \(.category)\"")" \
	"$(want "draft $I4 gas マルウェア等の感染")"

# ---- scores --------------------------------------------------------------------------------
# scores ID S1,...,S8 (the first with a note on each criterion, one at a time)
k=1
for s in 3 3 3 3 3 3 2 0; do   # 20
	"$KYOKUN" --as ana select score --period 2025 "$I1" --criterion "$k" --score "$s" --note "基準$k の所見" >"$T/out" 2>"$T/err" ||
		fail "select score $I1 $k" "$(cat "$T/err")"
	k=$((k + 1))
done
scores() {
	"$KYOKUN" --as ana select score --period 2025 "$1" --scores "$2" >"$T/out" 2>"$T/err" || fail "select score $1 --scores $2" "$(cat "$T/err")"
}
scores "$I2" 3,3,3,3,3,2,2,0   # 19
scores "$I3" 3,3,3,3,3,3,0,0   # 18
scores "$I4" 2,2,2,2,2,2,0,0   # 12, given under the incident's id: the draft's
scores "$I6" 1,1,1,1,1,1,2,-   # 8, then 9 below
expect_err "select score --scores: says how many" "on 7 criteria"
scores "$I6" -,-,-,-,-,-,-,1
run select score --period 2025 "$I1" --criterion lessons --score 2 --note "訓練の重要性"
expect_rc "select score --criterion KEY" 0
expect_err "select score: says what was scored" "lessons .*= 2"

run select --period 2025 --size 3 --cap-per-sector 2 --format json
expect_rc "select --size 3 --cap-per-sector 2" 0
expect_eq "the shortlist: the top two of 電力, then the draft of ガス" "$(jget '.shortlist | join(",")')" "$(want "$I1,$I2,$D4")"
expect_eq "the cut is 12" "$(jget .cut)" "$(want 12)"
expect_eq "I1: in, 1st by score" "$(jget ".candidates[] | select(.id == \"$I1\") | .reason")" "$(want 'in: 1st by score 20/24')"
expect_eq "the draft: in, 4th by score" "$(jget ".candidates[] | select(.id == \"$D4\") | .reason")" "$(want 'in: 4th by score 12/24')"
expect_eq "I3: out for the cap of 電力" "$(jget ".candidates[] | select(.id == \"$I3\") | .reason")" "$(want 'out: 電力 already has 2 (cap 2; score 18)')"
expect_eq "I6: out, below the cut" "$(jget ".candidates[] | select(.id == \"$I6\") | .reason")" "$(want 'out: below the cut (score 9, the cut is 12)')"
expect_eq "I5: out, not scored" "$(jget ".candidates[] | select(.id == \"$I5\") | .reason")" "$(want 'out: not scored')"
expect_eq "json: a score with its note, scorer and time" \
	"$(jget ".candidates[] | select(.id == \"$I1\") | .scores.lessons | \"\(.score) \(.note) \(.scorer) \(.at)\"")" \
	"$(want '2 訓練の重要性 local:'"$(id -un)"' 2026-03-20T00:00:00Z')"
expect_eq "json: the draft's scores were given under its incident's id" "$(jget ".candidates[] | select(.id == \"$D4\") | .scored")" "$(want 8)"

run select --period 2025-05-01..2025-06-30 --format json
expect_rc "select --period with a range of days" 0
expect_eq "a range of days: the candidates detected in it" "$(jget '[.candidates[].id] | join(",")')" "$(want "$I1,$I2")"
expect_eq "a range of days: its bounds (JST)" "$(jget '"\(.since) \(.until)"')" "$(want '2025-04-30T15:00:00Z 2025-06-30T15:00:00Z')"
run select --period 2025 --size 3 --cap-per-sector 2
expect_rc "select (text)" 0
expect_out "text: the period" "年度 2025 \\(2025-04-01 – 2026-03-31 JST\\)"
expect_out "text: the cap reason" "out: 電力 already has 2 \\(cap 2"
expect_out "text: the rank reason" "in: 2nd by score 19/24"
expect_out "text: the scores by criterion" "scores damage=3 severity=3 recurrence=3 novelty=3 trend=3 spread=2 lessons=2 response=0"

# ---- overrides -------------------------------------------------------------------------------
run select decide --period 2025 "$I6" --in --reason "水道分野の事例として必要"
expect_rc "select decide --in --reason" 0
run --as ana select decide --period 2025 "$I1" --out --reason "同じ組織の事例が既にある"
expect_rc "select decide --out --reason (--as analyst)" 0
run select --period 2025 --size 3 --cap-per-sector 2 --format json
expect_eq "the overrides win: I6 in first, I1 out, then I2 and I3 by score" "$(jget '.shortlist | join(",")')" "$(want "$I6,$I2,$I3")"
expect_eq "the override's reason is the reason" "$(jget ".candidates[] | select(.id == \"$I6\") | .reason")" \
	"$(want 'in: chosen by local:'"$(id -un)"': 水道分野の事例として必要')"
expect_eq "out by override: its reason and who" "$(jget ".candidates[] | select(.id == \"$I1\") | .reason")" \
	"$(want 'out: left out by ana: 同じ組織の事例が既にある')"
expect_eq "the draft now below the cut of 18" "$(jget ".candidates[] | select(.id == \"$D4\") | .reason")" \
	"$(want 'out: below the cut (score 12, the cut is 18)')"

# ---- keep --------------------------------------------------------------------------------------
run select keep --period 2025 --size 3 --cap-per-sector 2
expect_rc "select keep" 0
expect_err "keep: says what it kept" "3 in of 6"
expect_err "keep: an incident without a draft cannot be published yet" "has no case draft yet"
run select --period 2025 --size 3 --cap-per-sector 2 --format json
expect_eq "json: the keep and each kept reason" "$(jget ".kept != null and (.candidates[] | select(.id == \"$I3\") | .kept_reason) == \"in: 3rd by score 18/24\"")" "$(want true)"
run audit --format json
expect_eq "audit: scores, overrides and the keep" "$(jq -r '[.. | objects | select(has("action")) | .action | select(startswith("select."))] | unique | join(",")' "$T/out" 2>/dev/null)" \
	"$(want select.decide,select.keep,select.score)"

# ---- bad input: a clear message naming the field, nothing stored ---------------------------
run select --period 2030 --format json
expect_rc "a period without candidates: exit 0" 0
expect_err "a period without candidates: says so" "no candidates in 年度 2030"
expect_eq "a period without candidates: an empty shortlist" "$(jget '"\(.shortlist | length) \(.candidates | length)"')" "$(want '0 0')"
run select --period 20x5
expect_rc "a bad period: usage error" 2
expect_err "a bad period: names it" "period"
run select --period 2025-04-01..2025-03-01
expect_rc "a range that ends before it starts: usage error" 2
run select
expect_rc "no --period: usage error" 2
run select score --period 2025 "$I5" --criterion impact --score 2
expect_rc "an unknown criterion: usage error" 2
expect_err "an unknown criterion: names the option" "--criterion: 'impact'"
run select score --period 2025 "$I5" --scores 3,3,3
expect_rc "--scores with three values: usage error" 2
expect_err "--scores with three values: names the option" "--scores: expected 8 values"
run select score --period 2025 "$I5" --scores 3,3,3,3,3,3,3,9
expect_rc "--scores with a 9: usage error" 2
run select score --period 2025 "$I5" --scores 3,3,3,3,3,3,3,3 --criterion damage
expect_rc "--scores with --criterion: usage error" 2
run select score --period 2025 "$I5" --criterion damage --score 4
expect_rc "a score out of range: usage error" 2
expect_err "a score out of range: names the option" "--score"
run select score --period 2025 "$I7" --criterion damage --score 3
expect_rc "an incident of another period: refused" 1
expect_err "not a candidate: says so" "is not a candidate of 年度 2025"
run select score --period 2025 "$I8" --criterion damage --score 3
expect_rc "an incident not marked 事例候補: refused" 1
run select score --period 2025 "$I5" --criterion damage --score 3 --note "$(printf 'bad \377 note')"
expect_rc "a note that is not UTF-8: refused" 1
expect_err "a note that is not UTF-8: names the field" "note: not valid UTF-8"
run select decide --period 2025 "$I5" --in
expect_rc "an override without a reason: usage error" 2
expect_err "an override without a reason: says so" "--reason needed"
run select decide --period 2025 "$I5" --in --out --reason x
expect_rc "--in and --out together: usage error" 2
run select --period 2025 --size 0
expect_rc "--size 0: usage error" 2
run select --period 2025 --size -2
expect_rc "--size -2: usage error" 2
run select --period 2025 --cap-per-sector 0
expect_rc "--cap-per-sector 0: usage error" 2
expect_err "--cap-per-sector 0: names the option" "--cap-per-sector"
run select --period 2025 --format json
expect_eq "nothing stored by the refusals: I5 still unscored, no override" \
	"$(jget ".candidates[] | select(.id == \"$I5\") | \"\(.scored) \(.override)\"")" "$(want '0 null')"
run --as repa select --period 2025
expect_rc "a reporter may not see the selection" 1
expect_err "a reporter: says who may" "analysts and publishers"

# ---- the page ------------------------------------------------------------------------------------
if ! command -v curl >/dev/null 2>&1; then
	skip "select page" "curl is not installed"
	exit 0
fi
start_server
if [ -z "$URL" ]; then
	fail "select: server starts" "$(cat "$T/srv.err")"
	exit 0
fi
post() { # JAR PATH CSRF [--data-urlencode k=v ...]
	local jar=$1 p=$2 c=$3
	shift 3
	CODE=$(curl -s --max-time 30 -b "$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
		--data-urlencode "csrf=$c" "$@" "$URL$p")
}
signin "$T/ana" ana
expect_code "ana signs in" 303
signin "$T/repa" repa
AC=$(csrf "$T/ana")
get "/select?period=2025&size=3&cap=2"
expect_code "GET /select anonymous: sign in first" 401
get "/select?period=2025&size=3&cap=2" -b "$T/repa"
expect_code "GET /select as a reporter: 403" 403
get "/select?period=2025&size=3&cap=2" -b "$T/ana"
expect_code "GET /select as an analyst" 200
body_has "page: the title" "事例の選定"
body_has "page: the reason in Japanese" "対象外: ボーダー未満 (得点 12、ボーダー 18)"
body_has "page: the override's reason" "水道分野の事例として必要"
body_has "page: the criteria" "攻撃手口や被害の目新しさ"
body_has "page: the forms carry the CSRF token" "name=\"csrf\" value=\"$AC\""
body_has "page: the keep form" "action=\"/select/keep\""
get "/select?period=2025&size=3&cap=2&lang=en" -b "$T/ana"
body_has "page in English: the reasons in English" "out: below the cut (score 12, the cut is 18)"
get "/select?period=2030" -b "$T/ana"
expect_code "GET /select for a period without candidates: 200" 200
body_has "a period without candidates: says so" "この期間に候補はありません"
get "/select?period=bad" -b "$T/ana"
expect_code "GET /select?period=bad: 400" 400
get "/select?period=2025&size=0" -b "$T/ana"
expect_code "GET /select?size=0: 400" 400
post "$T/ana" /select/score "" --data-urlencode period=2025 --data-urlencode "id=$I5" --data-urlencode s0=3
expect_code "POST score without the CSRF token: 403" 403
post "$T/ana" /select/score "$AC" --data-urlencode period=2025 --data-urlencode size=3 --data-urlencode cap=2 \
	--data-urlencode "id=$I5" --data-urlencode s0=3 --data-urlencode "n0=被害額が大きい" --data-urlencode s6=3 \
	--data-urlencode s1=
expect_code "POST score: 303" 303
hdr_has "POST score: back to the page" "^location: /select\\?period=2025&size=3&cap=2&done=scored"
post "$T/ana" /select/score "$AC" --data-urlencode period=2025 --data-urlencode "id=$I5" --data-urlencode s0=7
expect_code "POST score 7: 400" 400
body_has "POST score 7: names the field" "s0 (damage)"
post "$T/ana" /select/score "$AC" --data-urlencode period=2025 --data-urlencode "id=$I5" --data-urlencode s2=1 \
	--data-urlencode "n2=$(printf 'bad \377 note')"
expect_code "POST a note that is not UTF-8: 400 (the form is refused whole; nothing stored: see 'scored' below)" 400
post "$T/ana" /select/score "$AC" --data-urlencode period=2025 --data-urlencode "id=$I7" --data-urlencode s0=1
expect_code "POST score for a non-candidate: 404" 404
post "$T/ana" /select/decide "$AC" --data-urlencode period=2025 --data-urlencode "id=$I5" --data-urlencode decision=in \
	--data-urlencode reason=
expect_code "POST override without a reason: 400" 400
post "$T/ana" /select/decide "$AC" --data-urlencode period=2025 --data-urlencode "id=$I5" --data-urlencode decision=in \
	--data-urlencode "reason=金融分野から一件"
expect_code "POST override: 303" 303
post "$T/repa" /select/decide "$(csrf "$T/repa")" --data-urlencode period=2025 --data-urlencode "id=$I5" \
	--data-urlencode decision=out --data-urlencode reason=x
expect_code "POST override as a reporter: 403" 403
run select --period 2025 --size 3 --cap-per-sector 2 --format json
expect_eq "the page's score and override are stored, by ana" \
	"$(jget ".candidates[] | select(.id == \"$I5\") | \"\(.scores.damage.score) \(.scores.damage.note) \(.scores.damage.scorer) \(.scored) \(.override.by) \(.in)\"")" \
	"$(want '3 被害額が大きい ana 2 ana true')"
post "$T/ana" /select/keep "$AC" --data-urlencode period=2025 --data-urlencode size=3 --data-urlencode cap=2
expect_code "POST keep: 303" 303
run select --period 2025 --format json
expect_eq "kept from the page, by ana" "$(jget '.kept.by')" "$(want ana)"
get "/drafts/$D4" -b "$T/ana"
body_has "the draft's page: 選定理由" "選定理由"
