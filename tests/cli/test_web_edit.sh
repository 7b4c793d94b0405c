#!/bin/sh
# tests/cli/test_web_edit.sh - editing cases in the browser, case drafts and
# their publication, and the history pages (issue 12), with curl against
# `kyokun serve`: every page for every role (drafts are 404 to anonymous
# readers, reporters, liaisons and admins); CSRF required on every POST;
# a save is a new revision with its author, a save from an older revision
# is refused (409, nothing written, the newer version linked), a save that
# changes nothing makes no revision and says so; wrong fields are said next
# to the field with the values kept; the history shows who and when in JST
# (or ?tz=UTC), the diff of two revisions marks additions and deletions and
# escapes what it shows (a section with <script>), old revisions can be
# seen; only a publisher publishes, and the published case is found by an
# anonymous search when TLP:CLEAR, not when amber.  A draft is made the way
# analysts make one: a first report filed on /incidents, then its case draft.
. "$(dirname "$0")/lib.sh"

for t in curl python3; do
	if ! command -v $t >/dev/null 2>&1; then
		skip "web edit" "$t is not installed"
		exit 0
	fi
done

run init
run add "$FIX/web/cases.json"
expect_rc "edit: fixtures load" 0
PW='kawa-no-nagare-wa-taezu'
printf '%s\n' "$PW" >"$T/pw"
"$KYOKUN" org add Centre --kind centre >/dev/null 2>&1
"$KYOKUN" org add 'A電力' --kind operator --sector 電力 >/dev/null 2>&1
"$KYOKUN" org add 'B省' --kind ministry --sector 電力 >/dev/null 2>&1
for u in "ana analyst Centre" "ana2 analyst Centre" "pub publisher Centre" "rep reporter A電力" "lia liaison B省" "adm admin Centre"; do
	set -- $u
	"$KYOKUN" user add "$1" --role "$2" --org "$3" --password-file "$T/pw" >/dev/null 2>"$T/err" ||
		fail "edit: user add $1" "$(cat "$T/err")"
done

start_server
if [ -z "$URL" ]; then
	fail "edit: server starts" "$(cat "$T/srv.err")"
	exit 0
fi

# ---- helpers ----
# (get, expect_code, body_has, body_lacks, hdr_has, signin, csrf: in lib.sh)
# the revisions of a case or draft as "N author draft" lines, from the history page's rows
revisions() { # JAR PATH
	curl -s --max-time 30 -b "$1" "$URL$2/history?lang=en" | python3 -c '
import re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
html = sys.stdin.read()
for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    if len(cells) >= 3:
        n = re.sub(r"\D", "", cells[0])
        print(n, re.sub(r"<[^>]*>", "", cells[2]).strip(), "draft" if "draft-chip" in row else "case")
'
}
# post JAR PATH FORMFILE [CURL ARGS]: the form as a browser sends it
post() {
	local jar=$1 p=$2 f=$3
	shift 3
	CODE=$(curl -s --max-time 30 -b "$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
		-H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$f" "$@" "$URL$p")
}

for u in ana ana2 pub rep lia adm; do
	signin "$T/$u.jar" "$u"
	[ "$CODE" = 303 ] || fail "edit: $u signs in" "status $CODE"
done
ANA=$(csrf "$T/ana.jar")
PUB=$(csrf "$T/pub.jar")

# ---- a draft, made as analysts make one: a first report, then its case draft ----
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	--data-urlencode "csrf=$ANA" --data-urlencode 'title=変電所監視端末の不正ログイン' \
	--data-urlencode 'org=A電力' --data-urlencode 'sector=electricity' \
	--data-urlencode 'contact_name=連絡 太郎' --data-urlencode 'contact_email=soc@example.jp' \
	--data-urlencode 'detected_date=2026-11-20' --data-urlencode 'detected_time=09:00' --data-urlencode 'detected_tz=+09:00' \
	--data-urlencode 'event_types=intrusion' --data-urlencode 'service_affected=no' \
	--data-urlencode 'description=監視端末に不審なログインを検知した。' --data-urlencode 'actions=端末をネットワークから切り離した。' \
	--data-urlencode 'tlp=amber' "$URL/incidents")
expect_code "edit: an analyst files a first report (303)" 303
INC=$(sed -n 's|^[Ll]ocation: .*/incidents/\([A-Za-z0-9-]*\).*|\1|p' "$T/hdr" | tr -d '\r' | head -1)
[ -n "$INC" ] && ok "edit: the incident has an id ($INC)" || fail "edit: the incident has an id" "$(cat "$T/hdr")"
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	--data-urlencode "csrf=$ANA" "$URL/incidents/$INC/draft")
expect_code "edit: a case draft from the incident (303)" 303
D=$(sed -n 's|^[Ll]ocation: .*/drafts/\([^/?]*\)/edit.*|\1|p' "$T/hdr" | tr -d '\r' | head -1)
[ -n "$D" ] && ok "edit: the draft has an id ($D)" || { fail "edit: the draft has an id" "$(cat "$T/hdr")"; exit 0; }

# ---- who sees drafts: analysts and publishers; everyone else 404 ----
for p in /drafts "/drafts/$D" "/drafts/$D/edit" "/drafts/$D/history" "/drafts/$D/diff" "/drafts/$D/revisions/1"; do
	get "$p"
	expect_code "edit: $p is 404 to anonymous readers" 404
	for u in rep lia adm; do
		get "$p" -b "$T/$u.jar"
		expect_code "edit: $p is 404 to a $u" 404
	done
	for u in ana pub; do
		get "$p" -b "$T/$u.jar"
		expect_code "edit: $p is 200 to $u" 200
	done
done
for u in ana pub; do
	get / -b "$T/$u.jar"
	body_has "edit: the header links the drafts for $u" "href=\"/drafts\""
done
for u in rep lia adm; do
	get / -b "$T/$u.jar"
	body_lacks "edit: no drafts link in the header for $u" "href=\"/drafts\""
done
get /drafts -b "$T/ana.jar"
body_has "edit: /drafts lists the draft" "/drafts/$D"
body_has "edit: /drafts names its incident" "/incidents/$INC"
get "/drafts/$D" -b "$T/ana.jar"
body_has "edit: the draft page has the draft banner" 'class="draft-banner"'
body_has "edit: ... 下書き / Draft" '下書き / Draft'
body_has "edit: ... the sections as the case page has them" 'id="sec-background"'
body_has "edit: ... a link to edit" "/drafts/$D/edit"
body_has "edit: ... a link to its history" "/drafts/$D/history"
body_has "edit: ... and to the incident it was made from" "/incidents/$INC"
body_lacks "edit: ... no publish form for an analyst" "/drafts/$D/publish"
get "/drafts/$D" -b "$T/pub.jar"
body_has "edit: ... a publish form for a publisher" "/drafts/$D/publish"
get "/cases/$D"
expect_code "edit: a draft is not a case (anonymous)" 404
get "/cases/$D" -b "$T/ana.jar"
expect_code "edit: a draft is not a case (analyst)" 404
get "/search?q=%E5%A4%89%E9%9B%BB%E6%89%80%E7%9B%A3%E8%A6%96" -b "$T/ana.jar"
body_lacks "edit: a draft is not searched" "$D"
get "/drafts/$D/edit" -b "$T/ana.jar"
body_has "edit: the editor has the template's sections" 'name="sec-lessons"'
body_has "edit: ... the timeline as rows" 'name="tl-text"'
body_has "edit: ... the revision it was loaded from" 'name="base" value="1"'
body_has "edit: ... the CSRF token" 'name="csrf"'
body_has "edit: ... the sectors" 'value="electricity" checked'
get "/drafts/$D/edit" -b "$T/pub.jar"
expect_code "edit: a publisher may edit a draft" 200

# ---- an edit: a new revision with its author ----
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/f1"
grep -q 'base=1' "$T/f1" && ok "edit: the form reads back" || fail "edit: the form reads back" "$(head -c 300 "$T/f1")"
cp "$T/f1" "$T/f2"
set_field "$T/f2" sec-lessons '監視端末の多要素認証が再発防止の要であった。'
grep -v '^$' "$T/f2" | sed 's/csrf=[^&]*&\{0,1\}//' >"$T/f2.nocsrf"
post "$T/ana.jar" "/drafts/$D/edit" "$T/f2.nocsrf"
expect_code "edit: a save without the CSRF token is 403" 403
post "$T/ana.jar" "/drafts/$D/edit" "$T/f2"
expect_code "edit: the analyst saves a section (303)" 303
hdr_has "edit: ... on to the draft with a notice" "^location: /drafts/$D\\?done=saved"
get "/drafts/$D?done=saved" -b "$T/ana.jar"
body_has "edit: ... the notice says saved" '保存しました'
body_has "edit: ... the new section shows" '監視端末の多要素認証が再発防止の要であった。'
revisions "$T/ana.jar" "/drafts/$D" >"$T/revs"
[ "$(head -1 "$T/revs")" = "2 ana draft" ] && ok "edit: revision 2 by ana, a draft revision" ||
	fail "edit: revision 2 by ana" "$(cat "$T/revs")"
[ "$(wc -l <"$T/revs")" = 2 ] && ok "edit: two revisions" || fail "edit: two revisions" "$(cat "$T/revs")"

# ---- a save from an older revision: refused, nothing written ----
ANA2=$(csrf "$T/ana2.jar")
cp "$T/f1" "$T/f3"
set_field "$T/f3" csrf "$ANA2"
set_field "$T/f3" sec-lessons '古い版からの上書き（失われてはならない変更を消すはず）'
post "$T/ana2.jar" "/drafts/$D/edit" "$T/f3"
expect_code "edit: a save based on revision 1 when 2 exists is 409" 409
body_has "edit: ... says so" '版 1 から始まりましたが、その後に版 2 が保存されています'
body_has "edit: ... links the newer version" "href=\"/drafts/$D\""
body_has "edit: ... and what changed meanwhile" "/drafts/$D/diff?from=1&amp;to=2"
body_has "edit: ... keeps what was typed" '古い版からの上書き'
get "/drafts/$D" -b "$T/ana.jar"
body_lacks "edit: ... nothing was overwritten" '古い版からの上書き'
revisions "$T/ana.jar" "/drafts/$D" >"$T/revs"
[ "$(wc -l <"$T/revs")" = 2 ] && ok "edit: ... and no revision was made" || fail "edit: no revision after a stale save" "$(cat "$T/revs")"

# ---- a save that changes nothing ----
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/f4"
post "$T/ana.jar" "/drafts/$D/edit" "$T/f4"
expect_code "edit: an unchanged save (303)" 303
hdr_has "edit: ... says unchanged" "^location: /drafts/$D\\?done=unchanged"
get "/drafts/$D?done=unchanged" -b "$T/ana.jar"
body_has "edit: ... in words" '新しい版は作られませんでした'
revisions "$T/ana.jar" "/drafts/$D" >"$T/revs"
[ "$(wc -l <"$T/revs")" = 2 ] && ok "edit: ... and makes no revision" || fail "edit: unchanged makes no revision" "$(cat "$T/revs")"

# ---- wrong fields: said next to the field, values kept ----
cp "$T/f4" "$T/f5"
set_field "$T/f5" title ''
set_field "$T/f5" sec-cause '原因は保守用アカウントの使い回し'
set_field "$T/f5" tlp 'purple'
post "$T/ana.jar" "/drafts/$D/edit" "$T/f5"
expect_code "edit: an empty title is 400" 400
body_has "edit: ... said next to the title" 'id="f-title-error"'
body_has "edit: ... a wrong TLP next to its field" 'id="f-tlp-error"'
body_has "edit: ... the values typed are kept" '原因は保守用アカウントの使い回し'
post "$T/ana.jar" "/drafts/$D/edit?lang=en" "$T/f5"
body_has "edit: ... in English with lang=en" 'Enter a title.'
cp "$T/f4" "$T/f5b"
set_field "$T/f5b" owner "$(python3 -c 'print("電" * 100)')"
post "$T/ana.jar" "/drafts/$D/edit" "$T/f5b"
expect_code "edit: what the case's own check refuses (an owner of 300 bytes) is 400" 400
body_has "edit: ... said next to the owner" 'id="f-owner-error"'
cp "$T/f4" "$T/f6"
set_field "$T/f6" tl-when '10:00'
set_field "$T/f6" tl-text ''
set_field "$T/f6" tl-day 'x'
post "$T/ana.jar" "/drafts/$D/edit" "$T/f6"
expect_code "edit: a timeline row without text is 400" 400
body_has "edit: ... said on the row" 'id="f-tl-0-error"'

# ---- the timeline: add a row, delete a row ----
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/f7"
NROWS=$(python3 -c 'import sys,urllib.parse; p=urllib.parse.parse_qsl(open(sys.argv[1]).read().strip(),keep_blank_values=True); print(sum(1 for k,v in p if k=="tl-text" and v))' "$T/f7")
python3 - "$T/f7" <<'EOF'
import sys, urllib.parse
path = sys.argv[1]
p = urllib.parse.parse_qsl(open(path).read().strip(), keep_blank_values=True)
out, seen, added = [], {}, False
for k, v in p:
    i = seen.get(k, 0)
    seen[k] = i + 1
    if k.startswith("tl-") and i == 0:
        v = ""                      # the first row cleared: deleted
    if k == "tl-text" and not v and i > 0 and not added:
        v, added = "追加した行：端末の再設定を完了", True
    out.append((k, v))
open(path, "w").write(urllib.parse.urlencode(out))
EOF
post "$T/ana.jar" "/drafts/$D/edit" "$T/f7"
expect_code "edit: a timeline edit saves (303)" 303
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/f8"
N2=$(python3 -c 'import sys,urllib.parse; p=urllib.parse.parse_qsl(open(sys.argv[1]).read().strip(),keep_blank_values=True); print(sum(1 for k,v in p if k=="tl-text" and v))' "$T/f8")
[ "$N2" = "$NROWS" ] && ok "edit: ... one row deleted and one added ($NROWS rows)" || fail "edit: timeline rows" "$NROWS before, $N2 after"
get "/drafts/$D" -b "$T/ana.jar"
body_has "edit: ... the added row shows" '追加した行：端末の再設定を完了'

# ---- the diff escapes what it shows ----
form_of "$T/ana.jar" "/drafts/$D/edit" >"$T/f9"
set_field "$T/f9" sec-response '<script>alert("diff-xss")</script> 対処を追記'
post "$T/ana.jar" "/drafts/$D/edit" "$T/f9"
expect_code "edit: a section with <script> saves" 303
LAST=$(revisions "$T/ana.jar" "/drafts/$D" | head -1 | cut -d' ' -f1)
PREV=$((LAST - 1))
get "/drafts/$D/diff?from=$PREV&to=$LAST" -b "$T/ana.jar"
expect_code "edit: the diff page" 200
body_lacks "edit: ... never the raw <script>" '<script>alert("diff-xss")'
body_has "edit: ... escaped" '&lt;script&gt;alert(&quot;diff-xss&quot;)&lt;/script&gt;'
body_has "edit: ... an addition marked in words" 'class="diff-add"'
body_has "edit: ... with <ins>" '<ins>&lt;script&gt;'
body_has "edit: ... a deletion marked" 'class="diff-del"'
body_has "edit: ... with <del>" '<del>'
body_has "edit: ... under the section's name" '<h2>対処</h2>'
get "/drafts/$D/diff?from=1&to=2" -b "$T/ana.jar"
body_has "edit: the diff 1..2 shows the lessons added" '<ins>監視端末の多要素認証が再発防止の要であった。</ins>'
get "/drafts/$D/diff?from=1&to=99" -b "$T/ana.jar"
expect_code "edit: a diff with a revision that is not there is 404" 404
get "/drafts/$D/revisions/1" -b "$T/ana.jar"
expect_code "edit: an old revision is shown" 200
body_has "edit: ... marked as old" 'class="old-banner"'
body_lacks "edit: ... as it was" '監視端末の多要素認証が再発防止の要であった。'

# ---- the history page: who, when in JST or UTC, draft marks ----
get "/drafts/$D/history" -b "$T/ana.jar"
body_has "edit: history times are in JST" ' JST</td>'
body_has "edit: ... the author" '<td>ana</td>'
body_has "edit: ... draft marks" 'draft-chip'
body_has "edit: ... a form to pick two revisions" 'name="from"'
body_has "edit: ... links to each old version" "/drafts/$D/revisions/1"
if grep -qE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z' "$T/body"; then fail "edit: ... never raw UTC" "$(grep -oE '[0-9-]{10}T[0-9:]{8}Z' "$T/body" | head -2)"; else ok "edit: ... never raw UTC"; fi
get "/drafts/$D/history?tz=UTC" -b "$T/ana.jar"
body_has "edit: ... ?tz=UTC shows UTC" ' UTC</td>'
get "/drafts/$D/history?tz=Mars" -b "$T/ana.jar"
body_has "edit: ... an unknown zone falls back to JST" ' JST</td>'

# ---- publication: publishers only ----
CODE=$(curl -s --max-time 30 -b "$T/ana.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$ANA" "$URL/drafts/$D/publish")
expect_code "edit: an analyst may not publish (403)" 403
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data 'x=1' "$URL/drafts/$D/publish")
expect_code "edit: publishing without the CSRF token is 403" 403
get "/drafts/$D" -b "$T/pub.jar"
expect_code "edit: ... the draft is still a draft" 200
# issue 13: a draft made from an incident needs its organisation's approval of the current revision
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$PUB" "$URL/drafts/$D/publish")
expect_code "edit: publishing before the organisation approves is refused (409)" 409
"$KYOKUN" --as ana approve --request "$D" >/dev/null 2>"$T/err" || fail "edit: the analyst asks A電力 to approve" "$(cat "$T/err")"
"$KYOKUN" --as rep approve "$D" >/dev/null 2>"$T/err" || fail "edit: A電力's reporter approves" "$(cat "$T/err")"
CODE=$(curl -s --max-time 30 -b "$T/pub.jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' --data-urlencode "csrf=$PUB" "$URL/drafts/$D/publish")
expect_code "edit: a publisher publishes (303)" 303
hdr_has "edit: ... on to the case with a notice" "^location: /cases/$D\\?done=published"
get "/cases/$D?done=published" -b "$T/pub.jar"
expect_code "edit: the case is published" 200
body_has "edit: ... the notice" '公開しました'
get "/drafts/$D" -b "$T/pub.jar"
expect_code "edit: ... and no longer a draft" 404
get "/cases/$D"
expect_code "edit: an amber case is 404 to anonymous readers" 404
get "/search?q=%E5%A4%89%E9%9B%BB%E6%89%80"
body_lacks "edit: ... and not found by an anonymous search" "/cases/$D"
get "/search?q=%E5%A4%89%E9%9B%BB%E6%89%80" -b "$T/ana.jar"
body_has "edit: ... an analyst finds it" "/cases/$D"
revisions "$T/ana.jar" "/cases/$D" >"$T/revs"
head -1 "$T/revs" | grep -q ' pub case$' && ok "edit: the publication is a revision by the publisher" ||
	fail "edit: publication revision" "$(cat "$T/revs")"
grep -q ' draft$' "$T/revs" && ok "edit: ... the draft's revisions kept in the case's history" ||
	fail "edit: draft revisions kept" "$(cat "$T/revs")"

# ---- editing a published case ----
get "/cases/$D/edit" -b "$T/rep.jar"
expect_code "edit: a reporter may not edit a case (403)" 403
get "/cases/$D/edit"
expect_code "edit: an anonymous reader is asked to sign in (401)" 401
get "/cases/web-red-1/edit" -b "$T/ana.jar"
expect_code "edit: a case the analyst may not see under TLP is 404" 404
get "/cases/$D" -b "$T/ana.jar"
body_has "edit: the case page links its editor for analysts" "/cases/$D/edit"
get "/cases/$D"
body_lacks "edit: ... never for anonymous readers" "/cases/$D/edit"
form_of "$T/ana.jar" "/cases/$D/edit" >"$T/g1"
set_field "$T/g1" tlp clear
post "$T/ana.jar" "/cases/$D/edit" "$T/g1"
expect_code "edit: the analyst makes the case TLP:CLEAR (303)" 303
get "/search?q=%E5%A4%89%E9%9B%BB%E6%89%80"
body_has "edit: ... now an anonymous search finds it" "/cases/$D"
get "/cases/$D/history"
expect_code "edit: anonymous readers see the history of a clear case" 200
body_lacks "edit: ... without the draft revisions" 'draft-chip'
get "/cases/$D/revisions/1"
expect_code "edit: ... a draft revision is 404 to them" 404
get "/cases/$D/revisions/1" -b "$T/ana.jar"
expect_code "edit: ... and 200 to an analyst" 200
post "$T/ana.jar" "/cases/$D/edit" "$T/g1"
expect_code "edit: saving the case's form again is stale (409)" 409
get "/cases/web-clear-2/history"
expect_code "edit: a case from before authors were recorded has a history" 200
body_has "edit: ... its author: the operator who added it" '<td>local:'

# ---- a large form: the editor takes more than the 64 fields and 64 KiB other forms get ----
form_of "$T/ana.jar" "/cases/$D/edit" >"$T/big"
python3 - "$T/big" <<'EOF'
import sys, urllib.parse
path = sys.argv[1]
p = urllib.parse.parse_qsl(open(path).read().strip(), keep_blank_values=True)
p = [(k, v) for k, v in p if not k.startswith("tl-")]
for i in range(60):
    p += [("tl-day", str(i // 10 + 1)), ("tl-when", "%02d:00" % (i % 24)), ("tl-actor", "事業者"), ("tl-text", "長い時系列の行%d：" % i + "あ" * 200)]
p = [(k, v if k != "sec-background" else "背景の長い本文。" * 800) for k, v in p]
open(path, "w").write(urllib.parse.urlencode(p))
EOF
post "$T/ana.jar" "/cases/$D/edit" "$T/big"
expect_code "edit: a case with 60 timeline rows and a long section saves ($(wc -c <"$T/big") bytes)" 303
get "/signin" -H "Origin: $URL" --data "$(seq 1 70 | sed 's/^/f/; s/$/=1/' | tr '\n' '&')"
expect_code "edit: other forms keep the 64-field limit" 400
