#!/bin/sh
# tests/cli/test_layers.sh - the layers of the source tree, checked on the
# files themselves (no build needed):
#
#   1. a file includes only headers of its own layer or of lower ones;
#   2. only the store's SQLite backend (store_sqlite*.c, store_sqlite*.h)
#      talks to SQLite (sqlite3_*, <sqlite3.h>): not the neutral store API
#      (store.c, store.h, store_search.h, store_query.h) nor the backend
#      table (store_be.h); the tokenizer's FTS5 registration (tokenizer.c)
#      is the one exception, and ext/ is not looked at.
#
# Every src/ file must be in the layer map below: a new module gets a line
# there.  One "not ok" line per violation, one "ok" per check that has none.
#
#   sh tests/cli/test_layers.sh              check src/ of this tree
#   LAYERS_SRC=DIR sh tests/cli/test_layers.sh   check another directory
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SRC=${LAYERS_SRC:-$TOP/src}

# The plain and the ASan run see the same files: check them once.
case "${KYOKUN:-}" in
*build-asan/*)
	echo "skip - layers: checked in the plain run"
	exit 0
	;;
esac

# layer NAME: the layer number of a file name without its extension, or
# nothing when it is not in the map.
layer() {
	case "$1" in
	kbuf | kerr | utf8 | grow | tokenizer) echo 0 ;;
	embedded) echo 0 ;; # generated from assets/ by tools/embed.c; includes nothing
	case | case_json | reader | classify | account | report* | crosswalk | select | redact* | approval) echo 1 ;;
	store | store_*) echo 2 ;; # store (neutral API), store_be.h (backend table), store_sqlite* (SQLite)
	search* | query* | synonym* | segment* | similar* | import* | exchange* | pdf | html | i18n | theme* | pubreport* | pdfdoc*) echo 3 ;;
	http | route | api* | web* | assets) echo 4 ;;
	cli | cli_doc | cmd_* | main | config) echo 5 ;; # config: serve's configuration file
	esac
}

layer_name() {
	case "$1" in
	0) echo base ;;
	1) echo model ;;
	2) echo store ;;
	3) echo search/import/output ;;
	4) echo web ;;
	5) echo cli ;;
	esac
}

if ! ls "$SRC"/*.c >/dev/null 2>&1; then
	echo "not ok - layers: no C files in $SRC"
	exit 0
fi

# ---- 1. includes go down (or stay level) ----

bad=0
for f in "$SRC"/*.c "$SRC"/*.h; do
	[ -f "$f" ] || continue
	b=${f##*/}
	l=$(layer "${b%.*}")
	if [ -z "$l" ]; then
		echo "not ok - layers: src/$b is in no layer (add it to the layer map in tests/cli/test_layers.sh)"
		bad=1
		continue
	fi
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		i=${inc##*/}
		il=$(layer "${i%.*}")
		if [ -z "$il" ]; then
			echo "not ok - layers: src/$b includes \"$inc\", which is in no layer (add it to the layer map in tests/cli/test_layers.sh)"
			bad=1
		elif [ "$il" -gt "$l" ]; then
			echo "not ok - layers: src/$b ($(layer_name "$l")) includes \"$inc\" ($(layer_name "$il"))"
			bad=1
		fi
	done
done
[ $bad -eq 0 ] && echo "ok - layers: every file includes only its own layer and the ones below"

# ---- 2. SQL only in the store's SQLite backend ----

# Print FILE:LINE: for each line of the C files given that mentions sqlite3_
# or includes <sqlite3*.h> outside comments.
sql_lines() {
	awk '
	FNR == 1 { state = 0 }  # 0 code, 1 block comment, 2 string, 3 character
	{
		code = ""
		n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			d = substr($0, i, 2)
			if (state == 1) {
				if (d == "*/") { state = 0; i++ }
				continue
			}
			if (state == 2 || state == 3) {
				code = code c
				if (c == "\\") { code = code substr($0, i + 1, 1); i++ }
				else if ((state == 2 && c == "\"") || (state == 3 && c == "\047")) state = 0
				continue
			}
			if (d == "/*") { state = 1; i++; continue }
			if (d == "//") break
			if (c == "\"") state = 2
			else if (c == "\047") state = 3
			code = code c
		}
		if (state >= 2) state = 0  # no string goes on past its line
		if (code ~ /sqlite3_/ || code ~ /^[ \t]*#[ \t]*include[ \t]*<sqlite3/)
			printf "%s:%d: %s\n", FILENAME, FNR, $0
	}' "$@"
}

bad=0
for f in "$SRC"/*.c "$SRC"/*.h; do
	[ -f "$f" ] || continue
	b=${f##*/}
	case "$b" in
	store_sqlite*.c | store_sqlite*.h) continue ;; # the SQLite backend
	tokenizer.c) continue ;;                       # registers the FTS5 tokenizer
	esac
	hits=$(sql_lines "$f")
	if [ -n "$hits" ]; then
		echo "not ok - layers: src/$b uses SQLite outside the store's SQLite backend"
		printf '%s\n' "$hits" | sed "s|^$SRC/|  src/|" | head -5
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "ok - layers: SQLite only in the store's SQLite backend (and the tokenizer's FTS5 registration)"
exit 0
