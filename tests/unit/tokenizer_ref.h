/*
 * tokenizer_ref.h - the reference the tokenizer's fast path is held to:
 * src/tokenizer.c compiled again with KTOK_SLOW_ONLY (every code point
 * through normalisation and the kana stage), its public functions renamed
 * ref_ktok_*.  Include it once, after "tokenizer.h", in a test or fuzz
 * target that compares ktok_tokenize() with ref_ktok_tokenize().
 */
#ifndef KYOKUN_TOKENIZER_REF_H
#define KYOKUN_TOKENIZER_REF_H

#include "tokenizer.h"

struct sqlite3;
int ref_ktok_tokenize(const char *s, int len, int for_query, ktok_cb cb, void *ctx);
int ref_ktok_normalize(const char *s, size_t len, struct kbuf *out);
int ref_ktok_register(struct sqlite3 *db, struct kerr *err);
int ref_ktok_register_tap(struct sqlite3 *db, struct ktok_tap *tap, struct kerr *err);
int ref_ktok_is_cjk(int cp);
int ref_ktok_stem(char *w, int n);

#define KTOK_SLOW_ONLY 1
#define ktok_tokenize ref_ktok_tokenize
#define ktok_normalize ref_ktok_normalize
#define ktok_register ref_ktok_register
#define ktok_register_tap ref_ktok_register_tap
#define ktok_is_cjk ref_ktok_is_cjk
#define ktok_stem ref_ktok_stem
#define ktok_pre_add ref_ktok_pre_add
#define ktok_pre_release ref_ktok_pre_release
#include "../../src/tokenizer.c"
#undef ktok_tokenize
#undef ktok_normalize
#undef ktok_register
#undef ktok_register_tap
#undef ktok_is_cjk
#undef ktok_stem
#undef KTOK_SLOW_ONLY

#endif
