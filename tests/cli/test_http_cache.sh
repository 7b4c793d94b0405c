#!/bin/sh
# tests/cli/test_http_cache.sh - the response cache's bound (serve
# --cache-size MB, the configuration's cache-size): the bytes it holds, as
# /metrics shows them, stay within it however many pages are asked for;
# the default is 64 MiB; a bad size is a usage error.
#
#   KYOKUN=./kyokun TOP=. sh tests/cli/test_http_cache.sh
. "$(dirname "$0")/lib.sh"

# 300 cases of about 8 KB of text each: their pages, about 3 MB, are more than 1 MiB
python3 - >"$T/many.jsonl" <<'PY'
import json
for i in range(1, 301):
    print(json.dumps({
        "id": "many-%03d" % i, "title": "キャッシュの事例 %d" % i, "tlp": "clear",
        "source": {"document": "many.txt", "case_number": i},
        "summary": ["要約 %d" % i], "sections": {"background": ("背景の文章 %d。" % i) * 250}}, ensure_ascii=False))
PY
run add "$T/many.jsonl"
expect_rc "cache: 300 cases added" 0

metric() { sed -n "s/^$1 //p" "$T/body"; }

start_server --cache-size 1
[ -n "$URL" ] || fail "cache: server with --cache-size 1 started" "$(cat "$T/srv.err")"
i=1
while [ $i -le 300 ]; do
	curl -s -o /dev/null "$URL/cases/many-$(printf %03d $i)"
	i=$((i + 1))
done
get /cases/many-001
body_has "cache: pages are still served whole" 'キャッシュの事例 1<'
get /metrics
held=$(metric kyokun_http_cache_bytes)
limit=$(metric kyokun_http_cache_limit_bytes)
[ "$limit" = 1048576 ] && ok "cache: the limit is 1 MiB" || fail "cache: the limit is 1 MiB" "$limit"
if [ -n "$held" ] && [ "$held" -gt 500000 ] && [ "$held" -le 1048576 ]; then ok "cache: it holds pages, at most 1 MiB"
else fail "cache: it holds pages, at most 1 MiB" "held $held"; fi
stop_server

start_server
[ -n "$URL" ] || fail "cache: server with the default size started" "$(cat "$T/srv.err")"
for i in 001 002 003; do curl -s -o /dev/null "$URL/cases/many-$i"; done
get /metrics
[ "$(metric kyokun_http_cache_limit_bytes)" = 67108864 ] && ok "cache: the default limit is 64 MiB" ||
	fail "cache: the default limit is 64 MiB" "$(metric kyokun_http_cache_limit_bytes)"
held=$(metric kyokun_http_cache_bytes)
[ -n "$held" ] && [ "$held" -gt 0 ] && ok "cache: the bytes held are shown" || fail "cache: the bytes held are shown" "$held"
stop_server

printf 'cache-size = 2\n' >"$T/k.conf"
start_server --config "$T/k.conf"
get /metrics
[ "$(metric kyokun_http_cache_limit_bytes)" = 2097152 ] && ok "cache: cache-size in the configuration file" ||
	fail "cache: cache-size in the configuration file" "$(metric kyokun_http_cache_limit_bytes) $(cat "$T/srv.err")"
stop_server

for bad in 0 x 65537 -1; do
	run serve --listen 127.0.0.1:0 --cache-size "$bad"
	expect_rc "cache: --cache-size $bad is a usage error" 2
done
printf 'cache-size = 0\n' >"$T/bad.conf"
run config check --config "$T/bad.conf"
[ "$RC" != 0 ] && ok "cache: config check refuses cache-size = 0" || fail "cache: config check refuses cache-size = 0" "$(cat "$T/out")"
exit 0
