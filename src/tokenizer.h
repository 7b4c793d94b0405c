/*
 * tokenizer.h - the "kyokun" FTS5 tokenizer for Japanese and Latin text.
 *
 * Text goes through three stages, all streaming (no allocation, whatever
 * the input size):
 *
 * 1. Normalisation: NFKC with Unicode case folding and removal of default
 *    ignorable code points (utf8proc's NFKC_Casefold), so full-width ＲＤＰ
 *    is "rdp", half-width ｻｰﾊﾞｰ is サーバー (ｻ+ﾞ compose into one code
 *    point), ㈱ is "(株)" and ㍻ is 平成.  Invalid UTF-8 bytes become
 *    U+FFFD (a separator); NUL is a separator like any control character.
 *
 * 2. Kana variants, so that the usual spellings of one loanword meet:
 *      - small kana are made full size: ァィゥェォッャュョヮヵヶ and
 *        ぁぃぅぇぉっゃゅょゎゕゖ (ウィルス = ウイルス,
 *        ランサムウェア = ランサムウエア);
 *      - the prolonged sound mark ー after kana is removed (サーバー =
 *        サーバ = サーバ-); elsewhere ー is a separator;
 *      - ヴ is folded into the バ row: ヴァ ヴィ ヴェ ヴォ are バ ビ ベ ボ,
 *        ヴ before ャュョ is ビ, any other ヴ is ブ (サーヴァー = サーバー);
 *        the same for hiragana ゔ;
 *      - the katakana middle dot ・ after katakana is removed
 *        (セキュリティ・ポリシー = セキュリティポリシー); elsewhere it is a
 *        separator.
 *    Kanji variants (髙/高) and hiragana/katakana are not unified.
 *
 * 3. Tokens:
 *      - a CJK run (see ktok_is_cjk(): kanji, kana, 々 〆 〇 ...; kanji and
 *        kana do NOT split runs, as in Groonga's TokenBigram) gives its
 *        overlapping character bigrams, then the final character alone:
 *        "不正アクセス" -> 不正 正ア アク クセ セス ス; a one-character run gives
 *        just that character.  So every substring of two or more characters
 *        is a phrase of bigrams at consecutive positions, whatever surrounds
 *        it, and a single character is found with the prefix query "X" *.
 *      - in query mode the final single character of the LAST run is left
 *        out when that run has two or more characters ("訓練" must not
 *        require 練 at the next position), but kept for earlier runs, so a
 *        quoted phrase across a separator ("接続 rdp") still lines up.
 *      - any other run of letters, digits and combining marks (after
 *        normalisation) is one token, cut to KTOK_MAX_WORD bytes; a word
 *        of the letters a-z only is stemmed (ktok_stem(): backups, backup
 *        -> backup; phishing, phish -> phish; updated, update -> updat).  '.', '-',
 *        '_' split words: CVE-2021-44228 is cve 2021 44228, which still
 *        matches as a phrase and also matches a search for 44228 alone.
 *      - everything else (spaces, punctuation, symbols) separates tokens.
 *    No token ever has the "colocated" flag.
 *
 * Offsets are byte offsets into the ORIGINAL text: a token covers the
 * original bytes its characters came from (a removed ー counts as part of
 * the character before it), so highlight() and snippet() mark the text as
 * written, full-width, half-width or otherwise.
 */
#ifndef KYOKUN_TOKENIZER_H
#define KYOKUN_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

struct kerr;
struct sqlite3; /* the store's connection */
struct kbuf;

/* Longest Latin-word token in bytes; longer words are cut (consistently for
 * documents and queries) at a character boundary. */
#define KTOK_MAX_WORD 128

/*
 * Register the "kyokun" FTS5 tokenizer on db, for
 *     CREATE VIRTUAL TABLE t USING fts5(body, tokenize='kyokun');
 * (it takes no arguments), and the auxiliary function
 *     kyokun_highlight(t, col, open, close)
 * which is highlight() for this tokenizer: SQLite 3.40's highlight() and
 * snippet() garble the output when two matches sit on adjacent, byte-
 * overlapping bigrams ('"練" *' in 訓練練習, '訓練 OR 練習' in 訓練習);
 * kyokun_highlight() merges them into one marked span.
 * Returns 0, or KE_DB with a message if db has no FTS5 or refuses.
 */
int ktok_register(struct sqlite3 *db, struct kerr *err);

/*
 * kyokun_highlight(t, col, open, close, keep) marks only some of the
 * expression's phrases: keep is a struct ktok_hl_keep bound with
 * sqlite3_bind_pointer(..., "kyokun_hl_keep", ...).  keep->fn is given
 * has[i], nonzero when phrase i has an instance in the row (in any column
 * the expression allows), for the np phrases, and sets want[i] for the
 * phrases to mark (all zero on entry); a nonzero return says the row is
 * not to be marked at all, and the highlight is NULL.  (FTS5 leaves out
 * some instances of an OR's phrases below an AND; the store asks for
 * every phrase, ORed, and chooses here: see store_sqlite_search.c.)
 */
struct ktok_hl_keep {
	int (*fn)(void *ctx, const unsigned char *has, unsigned char *want, int np);
	void *ctx;
};

/*
 * ktok_register() with a tap: while tap->cb is set, every token the
 * tokenizer gives FTS5 for a document (the text of a row being inserted
 * into or deleted from an index, not a query's nor highlight's) is also
 * given to tap->cb(tap->ctx, ...), in the same order, as ktok_tokenize()
 * would give it.  So the store can count a case's tokens from the index's
 * own pass instead of tokenising the text a second time.  A non-zero return
 * from tap->cb fails the statement (SQLITE_ERROR).  tap belongs to the
 * caller and must outlive db's connection; NULL: no tap (ktok_register()).
 */
struct ktok_pre;
struct ktok_tap {
	int (*cb)(void *ctx, const char *tok, int ntok, int start, int end);
	void *ctx;
	/* if set, called before the tokens of each column's text (FTS5
	 * tokenizes a row's columns one after the other, in their order):
	 * nonzero fails the statement too */
	int (*begin)(void *ctx, const char *text, int len);
	/* if set, the tokens of these texts made ahead (struct ktok_pre) */
	struct ktok_pre *pre;
};

/*
 * A row's tokens made ahead, on any thread (kyokun add makes them on its
 * reading thread while the writing one stores the case before): while
 * tap->pre is set, the tap's pass over a document text equal to the next
 * text added here gives FTS5 and the tap the tokens made then, which are
 * the tokens tokenizing it now would give (the same code made them); any
 * other text is tokenized as usual.  ktok_pre_add() tokenizes one text
 * (document mode) and keeps a copy of it to compare with.  Zero-initialise;
 * ktok_pre_release() frees.  Returns 0 or KE_NOMEM.
 */
#define KTOK_PRE_COLS 8
struct ktok_pre {
	struct kbuf *text, *tok; /* the texts one after the other; their tokens (allocated) */
	int n, next;             /* texts added; the next to give */
	struct {
		size_t text, len, tok, end; /* its text at text[text..+len), its tokens tok[tok..end) */
	} col[KTOK_PRE_COLS];
};
int ktok_pre_add(struct ktok_pre *p, const char *text, size_t len);
void ktok_pre_release(struct ktok_pre *p);

/*
 * kyokun_inst(case_fts, col, keep), an FTS5 auxiliary function registered
 * with the tokenizer: the row's instances in column col of the phrases
 * keep wants (struct ktok_hl_keep, as kyokun_highlight() chooses them;
 * NULL when keep says the row is not to be marked), as a blob of
 * struct ktok_inst in the index's order.  Where the query's words are in a
 * column, in tokens, without tokenizing the column again.
 */
struct ktok_inst {
	int32_t phrase; /* the phrase's number in the query */
	int32_t pos;    /* its first token's position in the column */
};
int ktok_register_tap(struct sqlite3 *db, struct ktok_tap *tap, struct kerr *err);

/*
 * Append to out the normalised form of s[0..len) (stages 1 and 2 above:
 * NFKC, case fold, kana variants); separators and punctuation are kept
 * (normalised), invalid bytes become U+FFFD.  For query code and snippet
 * highlighting.  Returns 0, KE_NOMEM or KE_TOOBIG (out's cap).
 */
int ktok_normalize(const char *s, size_t len, struct kbuf *out);

/*
 * Tokenise s[0..len) (len < 0: NUL-terminated) exactly as FTS5 gets it:
 * for_query 0 gives the document tokens, non-zero the query tokens (no
 * trailing single character after the last run; see above).  cb gets each
 * token (not NUL-terminated, valid only during the call) and its byte
 * offsets [start, end) in the original s.  A non-zero return from cb stops
 * the iteration and is returned; otherwise returns 0.
 */
typedef int (*ktok_cb)(void *ctx, const char *tok, int ntok, int start, int end);
int ktok_tokenize(const char *s, int len, int for_query, ktok_cb cb, void *ctx);

/*
 * Is the (normalised) code point part of a CJK run: kanji (all CJK unified
 * and compatibility ideograph blocks), hiragana, katakana and the
 * ideographic marks 々 〆 〇 〻 ゝ ゞ ヽ ヾ.  The prolonged sound mark ー and
 * the middle dot ・ are not (see above), nor is Hangul (it is spaced).
 */
int ktok_is_cjk(int cp);

/*
 * The stem of the lower-case English word w[0..n): its new length, w
 * rewritten in place (see tokenizer.c).  Words with anything but a-z, and
 * words under four letters, are returned as they are.
 */
int ktok_stem(char *w, int n);

#endif
