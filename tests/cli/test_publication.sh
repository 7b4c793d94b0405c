#!/bin/sh
# tests/cli/test_publication.sh - the whole publication flow of a survey
# year, as the centre runs it, one step feeding the next: two operators
# report incidents; an analyst makes case drafts and writes them up in the
# browser; kyokun redact finds the operator's name and an address and
# replaces them; the analyst scores the candidates and keeps the shortlist;
# each organisation approves its case; a publisher publishes the drafts and
# then the report of the period.  The report must carry both cases (and not
# the operators' names), a 総括 whose shared theme joins the two cases'
# backup lessons, the selection criteria in its introduction, a PDF whose
# text is the cases, and be listed on the web for anonymous readers.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_publication.sh
. "$(dirname "$0")/lib.sh"

export KYOKUN_NOW=2026-11-20T00:00:00Z
PW='flow-test-secret-9'
printf '%s\n' "$PW" >"$T/pw"

"$KYOKUN" org add センター --kind centre >/dev/null 2>&1
"$KYOKUN" org add 北海電力 --sector electricity >/dev/null 2>&1
"$KYOKUN" org add 南海ガス --sector gas >/dev/null 2>&1
for u in "rep-a reporter 北海電力" "rep-b reporter 南海ガス" "ana analyst センター" "pub publisher センター"; do
	set -- $u
	"$KYOKUN" user add "$1" --role "$2" --org "$3" --password-file "$T/pw" >/dev/null 2>&1
done

# ---- two operators report ----
report() { # FILE TITLE ORG SECTOR EVENT DESCRIPTION
	cat >"$1" <<EOF
{
  "title": "$2",
  "organization": "$3",
  "sector": "$4",
  "contact": {"name": "担当 一郎", "phone": "011-000-0000", "email": "soc@example.jp"},
  "occurred_at": "2026-10-01T22:00:00+09:00",
  "detected_at": "2026-10-02T08:30:00+09:00",
  "event_types": ["$5"],
  "cause_types": ["intentional"],
  "service_affected": "no",
  "impact": {"scope": "業務サーバ", "users_affected": 0, "duration_minutes": null},
  "spread": {"status": "no", "sectors": []},
  "description": "$6",
  "actions": "隔離して復旧した。",
  "announcement_planned": false,
  "tlp": "clear"
}
EOF
}
report "$T/a.json" "制御系サーバのランサムウェア感染" 北海電力 電力 malware "北海電力の制御系サーバが暗号化された。"
report "$T/b.json" "顧客管理システムの暗号化被害" 南海ガス ガス malware "顧客管理システムが暗号化された。"
run --as rep-a report add "$T/a.json"
expect_rc "report: rep-a files an incident" 0
IA=$(head -1 "$T/out")
run --as rep-b report add "$T/b.json"
expect_rc "report: rep-b files an incident" 0
IB=$(head -1 "$T/out")
run --as ana report draft "$IA"
expect_rc "draft: from rep-a's incident" 0
DA=$(head -1 "$T/out")
run --as ana report draft "$IB"
expect_rc "draft: from rep-b's incident" 0
DB=$(head -1 "$T/out")

# ---- the analyst writes both cases up in the browser ----
start_server
[ -n "$URL" ] && ok "serve: started" || { fail "serve: started" "$(cat "$T/srv.err")"; exit 0; }
signin "$T/ana.jar" ana
expect_code "web: the analyst signs in" 303

# edit DRAFT FIELD=VALUE...: the editor's form as it is, those fields replaced (lib.sh's form_of, set_field)
edit() {
	d=$1
	shift
	form_of "$T/ana.jar" "/drafts/$d/edit" >"$T/form.post"
	for kv; do
		set_field "$T/form.post" "${kv%%=*}" "${kv#*=}"
	done
	CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
		--data-binary @"$T/form.post" "$URL/drafts/$d/edit")
}
edit "$DA" "category=ランサムウェア" "summary=制御系サーバがランサムウェアに感染し暗号化された。" \
	"key_lessons=オフラインのバックアップを定期的に取得し、復旧手順を訓練しておく" \
	"sec-background=北海電力では制御系と情報系のネットワークを分けていた。" \
	"sec-detection=監視担当が 192.0.2.10 からの不審な通信に気付いた。" \
	"sec-lessons=・オフラインのバックアップを定期的に取得し、復旧手順を訓練しておく
・夜間の連絡体制を定め、緊急連絡先を周知しておく"
expect_code "edit: the analyst writes case A (303)" 303
edit "$DB" "category=ランサムウェア" "summary=顧客管理システムのデータが暗号化された。" \
	"key_lessons=バックアップをオフラインで保管し、復旧手順を訓練する" \
	"sec-lessons=・バックアップをオフラインで保管し、復旧手順を訓練する
・委託先との契約で復旧の責任分担を明確にする"
expect_code "edit: the analyst writes case B (303)" 303

# ---- anonymisation: the operator's name and the address found, replaced ----
run --as ana redact --check "$DA"
expect_rc "redact --check: exit 0" 0
expect_out "redact --check: the operator's name, with its label" "北海電力.*A社"
expect_out "redact --check: the IP address" "192\\.0\\.2\\.10"
run --as pub draft publish "$DA"
expect_rc "publish: refused while findings are open" 1
expect_err "publish: ... says why" "unresolved"
run --as ana redact --apply "$DA"
expect_rc "redact --apply: exit 0" 0
run --as ana redact --check "$DA" --format json
if grep -q '"label"' "$T/out"; then fail "redact: nothing labelled is left" "$(head -c 400 "$T/out")"; else ok "redact: nothing labelled is left"; fi

# ---- selection: score, propose, keep ----
run --as ana select score --period 2026 "$DA" --scores 3,3,2,2,2,1,3,2
expect_rc "select score: case A" 0
run --as ana select score --period 2026 "$DB" --scores 2,2,2,1,2,1,3,2
expect_rc "select score: case B" 0
run --as ana select --period 2026 --size 2
expect_rc "select: the shortlist" 0
if [ "$(grep -c 'in: ' "$T/out")" -eq 2 ]; then ok "select: both in, each with its reason"; else fail "select: both in" "$(cat "$T/out")"; fi
run --as ana select keep --period 2026 --size 2
expect_rc "select keep: kept" 0

# ---- approval by each organisation, then the drafts are published ----
for d in "$DA rep-a" "$DB rep-b"; do
	set -- $d
	run --as ana approve --request "$1"
	expect_rc "approve --request $1" 0
	run --as "$2" approve "$1"
	expect_rc "approve: $2 approves its case" 0
	run --as pub draft publish "$1"
	expect_rc "draft publish $1: allowed once approved" 0
done

# ---- the 総括 of the period: the backup lessons of both organisations are one shared theme ----
run themes --period 2026 --format json
expect_rc "themes --period 2026" 0
python3 - "$T/out" "$DA" "$DB" <<'EOF' && ok "themes: one theme holds both backup lessons, 共通" || fail "themes: the shared backup theme" "$(head -c 800 "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
ths = d["themes"] if isinstance(d, dict) else d
for t in ths:
    ls = t.get("lessons", [])
    txt = " ".join(l.get("text", "") for l in ls)
    if "バックアップ" in txt and len({l.get("case") for l in ls}) >= 2 and all(l.get("shared") for l in ls if "バックアップ" in l.get("text", "")):
        sys.exit(0)
sys.exit(1)
EOF

# ---- the report of the period ----
O="$T/report"
run --as pub publish --out "$O" --period 2026 --title "2026年度 事例調査報告書"
expect_rc "publish --period 2026: exit 0" 0
for f in index.html report.md report.pdf report.json; do
	[ -s "$O/$f" ] && ok "publish: $f written" || fail "publish: $f written" "$(ls -l "$O" 2>&1)"
done
expect_has() { if grep -qF -- "$3" "$2"; then ok "$1"; else fail "$1" "$2 lacks '$3'"; fi; }
expect_lacks() { if grep -qF -- "$3" "$2"; then fail "$1" "$2 has '$3'"; else ok "$1"; fi; }
expect_has "index.html: case A" "$O/index.html" "制御系サーバのランサムウェア感染"
expect_has "index.html: case B" "$O/index.html" "顧客管理システムの暗号化被害"
expect_has "index.html: the anonymised label" "$O/index.html" "A社"
expect_lacks "index.html: not the operator's name" "$O/index.html" "北海電力"
expect_lacks "index.html: not the address" "$O/index.html" "192.0.2.10"
expect_has "index.html: the criteria in the introduction" "$O/index.html" "得られる気付き・教訓の有用性"
expect_has "index.html: the 総括" "$O/index.html" "総括"
expect_has "index.html: a shared lesson" "$O/index.html" "共通"
expect_has "report.md: the 総括" "$O/report.md" "総括"
if command -v pdftotext >/dev/null 2>&1; then
	pdftotext "$O/report.pdf" - 2>/dev/null | tr -d ' \n' >"$T/pdf.txt"
	expect_has "report.pdf: case A's title" "$T/pdf.txt" "制御系サーバのランサムウェア感染"
	expect_has "report.pdf: case B's title" "$T/pdf.txt" "顧客管理システムの暗号化被害"
	expect_has "report.pdf: the 総括" "$T/pdf.txt" "総括"
	expect_lacks "report.pdf: not the operator's name" "$T/pdf.txt" "北海電力"
	if pdffonts "$O/report.pdf" 2>/dev/null | grep -i 'cjk' | grep -q ' yes '; then
		ok "report.pdf: the Japanese font is embedded (pdffonts)"
	else
		fail "report.pdf: the Japanese font is embedded (pdffonts)" "$(pdffonts "$O/report.pdf" 2>&1)"
	fi
else
	skip "report.pdf: its text" "pdftotext is not installed (Debian: poppler-utils)"
fi

# ---- on the web: listed for anonymous readers, its PDF served ----
get "/reports"
expect_code "web: /reports (anonymous) 200" 200
body_has "web: the report is listed" "2026年度 事例調査報告書"
NAME=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("name",""))' "$O/report.json" 2>/dev/null)
[ -n "$NAME" ] || NAME=2026
get "/reports/$NAME/report.pdf"
expect_code "web: its PDF (200)" 200
hdr_has "web: ... as application/pdf" '^content-type: application/pdf'
get "/reports/$NAME"
expect_code "web: its page (200)" 200
body_lacks "web: ... not the operator's name" "北海電力"

stop_server
san_check
