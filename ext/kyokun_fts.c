/*
 * kyokun_fts.c - the "kyokun" FTS5 tokenizer and kyokun_highlight() as a
 * loadable SQLite extension, so a plain sqlite3 shell can query a kyokun
 * database:
 *
 *     $ sqlite3 kyokun.db
 *     sqlite> .load ./build/kyokun_fts
 *     sqlite> SELECT rowid FROM case_fts WHERE case_fts MATCH '訓練';
 *
 * Not part of libkyokun.a.  Build from the top of the tree with:
 *
 *     cc -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror -Wno-unused-parameter -o build/kyokun_fts.so ext/kyokun_fts.c $(pkg-config --cflags --libs libutf8proc)
 *
 * The tokenizer source (and the kerr/kbuf code it uses) is compiled into
 * this one file after sqlite3ext.h, which routes every sqlite3_* call
 * through the API table of the SQLite that loads the extension.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "../src/kerr.c"
#include "../src/kbuf.c"
#include "../src/tokenizer.c"

#define KYOKUN_EXPORT __attribute__((visibility("default")))

/* The entry point SQLite derives from the file name "kyokun_fts". */
KYOKUN_EXPORT int sqlite3_kyokunfts_init(sqlite3 *db, char **errmsg,
					 const sqlite3_api_routines *api)
{
	struct kerr err = KERR_INIT;

	SQLITE_EXTENSION_INIT2(api);
	if (ktok_register(db, &err) < 0) {
		if (errmsg)
			*errmsg = sqlite3_mprintf("kyokun_fts: %s", err.msg);
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

/* The generic name, for loaders given no entry point. */
KYOKUN_EXPORT int sqlite3_extension_init(sqlite3 *db, char **errmsg,
					 const sqlite3_api_routines *api)
{
	return sqlite3_kyokunfts_init(db, errmsg, api);
}
