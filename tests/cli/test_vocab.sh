#!/bin/sh
# The vocabulary (case_vocab, issue 16): the per-term case counts similar
# cases score with stay exact across add, update and delete (kyokun check
# recounts them from the full-text index), are filled by the migration, and
# count only what the reader sees: cases above the reader's TLP level never
# change its similar list, scores or shared terms, nor its search results'
# order and scores (bm25's N, average length and document frequencies).
. "$(dirname "$0")/lib.sh"

export KYOKUN_DB="$T/v.db"
DB="$KYOKUN_DB"
# six TLP:CLEAR cases; c1 and c2 share 委託先 and 暗号化, the rest little
cat >"$T/clear.jsonl" <<'EOF'
{"id":"v-c1","title":"委託先の設定不備","source":{"document":"v.txt"},"summary":["委託先のサーバで暗号化されていない通信が見つかった。","監視体制を見直した。"],"tlp":"clear"}
{"id":"v-c2","title":"委託先経由の侵入","source":{"document":"v.txt"},"summary":["委託先の端末から侵入され、暗号化の鍵が漏えいした。"],"tlp":"clear"}
{"id":"v-c3","title":"停電による停止","source":{"document":"v.txt"},"summary":["停電で監視体制が止まり、復旧に時間を要した。"],"tlp":"clear"}
{"id":"v-c4","title":"誤送信","source":{"document":"v.txt"},"summary":["メールの誤送信で顧客情報が流出した。"],"tlp":"clear"}
{"id":"v-c5","title":"設定変更の誤り","source":{"document":"v.txt"},"summary":["設定変更の手順書が古く、サーバが停止した。"],"tlp":"clear"}
{"id":"v-c6","title":"訓練の不足","source":{"document":"v.txt"},"summary":["訓練が不足しており初動が遅れた。"],"tlp":"clear"}
EOF
# TLP:AMBER cases full of 暗号化 and 監視体制
cat >"$T/amber.jsonl" <<'EOF'
{"id":"v-a1","title":"暗号化の失敗","source":{"document":"w.txt"},"summary":["暗号化 暗号化 監視体制 委託先"],"tlp":"amber"}
{"id":"v-a2","title":"暗号化の誤り","source":{"document":"w.txt"},"summary":["暗号化 監視体制 暗号化 サーバ"],"tlp":"amber"}
{"id":"v-a3","title":"暗号化の停止","source":{"document":"w.txt"},"summary":["暗号化 監視体制 暗号化 通信"],"tlp":"red"}
{"id":"v-a4","title":"委託先の暗号化","source":{"document":"w.txt"},"summary":["委託先の暗号化 委託先の監視体制 委託先の暗号化 閉域網"],"tlp":"amber"}
EOF

vocab_ok() {
	run check
	if [ "$RC" -eq 0 ]; then ok "vocabulary exact: $1"; else fail "vocabulary exact: $1" "$OUT $ERR"; fi
}
similar_as() { # similar_as FILE ARGS...: the JSON of similar into FILE
	f=$1
	shift
	"$KYOKUN" similar --format json "$@" >"$T/$f" 2>"$T/$f.err" || echo "similar failed: $(cat "$T/$f.err")" >>"$T/$f"
}
# a one-word, a two-word and a phrase query, each matching two clear cases;
# for a reporter, the phrase and a word only its organisation's TLP:AMBER case holds
QUERIES='暗号化
委託先 暗号化
"委託先の"'
REP_QUERIES='"委託先の"
閉域網'
search_as() { # [AS=LOGIN] search_as TAG ARGS...: the JSON of each query into TAG-1 ..
	tag=$1
	shift
	i=0
	if [ -n "${AS:-}" ]; then qs=$REP_QUERIES; else qs=$QUERIES; fi
	echo "$qs" | while IFS= read -r q; do
		i=$((i + 1))
		if [ -n "${AS:-}" ]; then "$KYOKUN" --as "$AS" search --format json "$@" "$q" >"$T/$tag-$i" 2>"$T/$tag-$i.err"
		else "$KYOKUN" search --format json "$@" "$q" >"$T/$tag-$i" 2>"$T/$tag-$i.err"; fi ||
			echo "search failed: $(cat "$T/$tag-$i.err")" >>"$T/$tag-$i"
	done
}
same_search() { # same_search NAME TAG1 TAG2 [QUERIES]
	qs=${4:-$QUERIES}
	n=$(echo "$qs" | wc -l)
	for i in $(seq "$n"); do
		q=$(echo "$qs" | sed -n "${i}p")
		if cmp -s "$T/$2-$i" "$T/$3-$i"; then ok "$1: $q"
		else fail "$1: $q" "$(diff "$T/$2-$i" "$T/$3-$i" | head -20)"; fi
	done
}

run add "$T/clear.jsonl"
expect_rc "six clear cases added" 0
vocab_ok "after adding"
similar_as clear-before --max-tlp clear v-c1
similar_as text-before --max-tlp clear --text "委託先で暗号化と監視体制の不備"
similar_as all-before v-c1
if grep -q '"v-c2"' "$T/clear-before"; then ok "similar finds the case sharing its terms"
else fail "similar finds the case sharing its terms" "$(cat "$T/clear-before")"; fi
search_as s-clear-before --max-tlp clear
search_as s-all-before
# a reader who sees every case there is is ranked as the library is
same_search "a clear reader's statistics are the library's when it sees it all" s-all-before s-clear-before
# a reporter sees its organisation's TLP:AMBER case besides TLP:CLEAR and GREEN
run org add "事業者A" --kind operator --sector 電力
run user add rep-a --role reporter --org "事業者A" --no-password
expect_rc "a reporter of an organisation" 0
printf '%s\n' '{"id":"v-o1","title":"委託先の閉域網","source":{"document":"o.txt"},"summary":["閉域網の暗号化が委託先の設定で無効だった。"],"tlp":"amber","owner":"事業者A"}' >"$T/own.jsonl"
run add "$T/own.jsonl"
expect_rc "its organisation's amber case added" 0
AS=rep-a search_as s-rep-before
if grep -q '"v-o1"' "$T/s-rep-before-2"; then ok "the reporter finds its organisation's case"
else fail "the reporter finds its organisation's case" "$(cat "$T/s-rep-before-2")"; fi

run add "$T/amber.jsonl"
expect_rc "amber and red cases added" 0
vocab_ok "after adding hidden cases"
similar_as clear-after --max-tlp clear v-c1
similar_as text-after --max-tlp clear --text "委託先で暗号化と監視体制の不備"
similar_as all-after v-c1
search_as s-clear-after --max-tlp clear
same_search "hidden cases change nothing of a clear reader's search" s-clear-before s-clear-after
AS=rep-a search_as s-rep-after
same_search "hidden cases change nothing of a reporter's search" s-rep-before s-rep-after "$REP_QUERIES"
if grep -q '"v-c2"' "$T/s-clear-after-3" && grep -q '"v-c1"' "$T/s-clear-after-3"; then
	ok "the phrase query ranks the two clear cases"
else
	fail "the phrase query ranks the two clear cases" "$(cat "$T/s-clear-after-3")"
fi
if cmp -s "$T/clear-before" "$T/clear-after"; then ok "hidden cases change nothing of a clear reader's similar cases"
else fail "hidden cases change nothing of a clear reader's similar cases" "$(diff "$T/clear-before" "$T/clear-after" | head -20)"; fi
if cmp -s "$T/text-before" "$T/text-after"; then ok "hidden cases change nothing of a clear reader's similar text"
else fail "hidden cases change nothing of a clear reader's similar text" "$(diff "$T/text-before" "$T/text-after" | head -20)"; fi
if ! cmp -s "$T/all-before" "$T/all-after" && grep -q '"v-a1"' "$T/all-after"; then
	ok "a reader who sees them gets them and other scores"
else
	fail "a reader who sees them gets them and other scores" "$(cat "$T/all-after")"
fi

# update: an amber case rewritten and made clear; then deletes
sed -e 's/"暗号化 暗号化 監視体制 委託先"/"停電 訓練 誤送信"/' -e 's/"amber"/"clear"/' "$T/amber.jsonl" | head -1 >"$T/upd.jsonl"
run add "$T/upd.jsonl"
expect_rc "a case updated (text and level)" 0
vocab_ok "after an update"
# an update that keeps the level and lengthens the text: the level's count of
# cases stays, its total of tokens (similar's average length) changes; it
# must be as a recount makes it (a copy of the database migrated anew)
if command -v sqlite3 >/dev/null 2>&1; then
	sed -n '3p' "$T/clear.jsonl" | sed 's/"停電で監視体制が止まり、復旧に時間を要した。"/"停電で監視体制が止まり、復旧に時間を要した。予備の発電機も起動しなかった。"/' >"$T/upd2.jsonl"
	run add "$T/upd2.jsonl"
	expect_rc "a case updated (longer text, same level)" 0
	sqlite3 "$DB" "SELECT level, df, tokens FROM case_vocab WHERE term = '' ORDER BY level" >"$T/lengths-kept"
	cp "$DB" "$T/re.db"
	sqlite3 "$T/re.db" "DROP TABLE case_vocab; PRAGMA user_version = 13"
	KYOKUN_DB="$T/re.db" "$KYOKUN" init >/dev/null 2>&1
	sqlite3 "$T/re.db" "SELECT level, df, tokens FROM case_vocab WHERE term = '' ORDER BY level" >"$T/lengths-recounted"
	if cmp -s "$T/lengths-kept" "$T/lengths-recounted"; then ok "the tokens total follows an update at the same level"
	else fail "the tokens total follows an update at the same level" "$(cat "$T/lengths-kept") / $(cat "$T/lengths-recounted")"; fi
fi
run delete v-a2 v-c6
expect_rc "cases deleted" 0
vocab_ok "after deleting"

# the migration fills the table of an older database
if command -v sqlite3 >/dev/null 2>&1; then
	similar_as all-1 v-c1
	sqlite3 "$DB" "DROP TABLE case_vocab; PRAGMA user_version = 13"
	run init
	expect_rc "older database: init migrates" 0
	vocab_ok "filled by the migration"
	similar_as all-2 v-c1
	if cmp -s "$T/all-1" "$T/all-2"; then ok "similar as before the migration"
	else fail "similar as before the migration" "$(diff "$T/all-1" "$T/all-2" | head)"; fi
	# a level's total of tokens made wrong (as an update at the same level
	# left it before migration 18) is reported, and the migration recounts it
	sqlite3 "$DB" "UPDATE case_vocab SET tokens = tokens + 7 WHERE term = '' AND level = 0"
	run check
	expect_rc "a wrong total of tokens: check exits 1" 1
	expect_out "a wrong total of tokens: check says so" "1 TLP levels' totals of tokens"
	sqlite3 "$DB" "PRAGMA user_version = 17"
	run init
	expect_rc "a database of schema 17: init migrates" 0
	vocab_ok "totals of tokens recounted by migration 18"
	similar_as all-3 v-c1
	if cmp -s "$T/all-1" "$T/all-3"; then ok "similar as before, after migration 18"
	else fail "similar as before, after migration 18" "$(diff "$T/all-1" "$T/all-3" | head)"; fi
	# a count made wrong is reported
	sqlite3 "$DB" "UPDATE case_vocab SET df = df + 1 WHERE term = '委託' AND level = 0"
	run check
	expect_rc "a wrong count: check exits 1" 1
	expect_out "a wrong count: check names the vocabulary" "vocabulary"
	# check compares each term's total first and recounts only on a difference:
	# a missing term and a wrong count of cases are differences too
	sqlite3 "$DB" "UPDATE case_vocab SET df = df - 1 WHERE term = '委託' AND level = 0;
		DELETE FROM case_vocab WHERE term = (SELECT min(term) FROM case_vocab WHERE term <> '')"
	run check
	expect_rc "a missing term: check exits 1" 1
	expect_out "a missing term: check says how many" "1 terms"
	sqlite3 "$DB" "UPDATE case_vocab SET df = df + 1 WHERE term = '' AND level = 0"
	run check
	expect_out "a wrong case count too: check says how many" "2 terms"
else
	skip "vocabulary migration" "sqlite3 is not installed"
fi
san_check
