/*
 * query.c - the query language: parsing what a person types and compiling
 * it into the store's expression tree (see query.h).
 */
#include "query.h"
#include "case.h"
#include "grow.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "search_int.h"
#include "segment.h"
#include "store_search.h"
#include "synonym.h"
#include "tokenizer.h"

#include <stdlib.h>
#include <string.h>

/* ---- query parsing ---------------------------------------------------------------- */

enum { N_TERM, N_PHRASE, N_AND, N_OR, N_NOT };

struct qnode {
	int type;
	char *text;             /* N_TERM, N_PHRASE */
	struct qnode **kid;
	size_t nkid, kid_alloc;
};

static void qnode_free(struct qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkid; i++)
		qnode_free(n->kid[i]);
	free(n->kid);
	free(n->text);
	free(n);
}

enum { T_END, T_WORD, T_PHRASE, T_LP, T_RP, T_OR, T_NOT };

struct lexer {
	const char *s;
	size_t pos, len;
	int tok;
	const char *t;     /* token text (T_WORD, T_PHRASE) */
	size_t tn;
	int depth, nterms;
	struct kerr *err;
};

static int is_space(int32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == 0x3000 || c == 0xA0;
}

static int is_open_quote(int32_t c)
{
	return c == '"' || c == 0x201C || c == 0x300C || c == 0x300E;
}

static int32_t close_quote(int32_t c)
{
	return c == 0x201C ? 0x201D : c == 0x300C ? 0x300D : c == 0x300E ? 0x300F : '"';
}

static int is_minus(int32_t c)
{
	return c == '-' || c == 0x2212 || c == 0xFF0D;
}

/* Does a word end here? */
static int word_break(int32_t c)
{
	return is_space(c) || is_open_quote(c) || c == '(' || c == ')' || c == 0x201D ||
	       c == 0x300D || c == 0x300F;
}

static int lex(struct lexer *lx)
{
	int32_t cp;
	int l;

	for (;;) {
		if (lx->pos >= lx->len) {
			lx->tok = T_END;
			return 0;
		}
		l = u8_next(lx->s + lx->pos, lx->len - lx->pos, &cp);
		if (!is_space(cp))
			break;
		lx->pos += (size_t)l;
	}
	if (cp == '(') {
		lx->pos += (size_t)l;
		return lx->tok = T_LP, 0;
	}
	if (cp == ')') {
		lx->pos += (size_t)l;
		return lx->tok = T_RP, 0;
	}
	if (cp == '|') {
		lx->pos += (size_t)l;
		return lx->tok = T_OR, 0;
	}
	if (is_open_quote(cp)) {
		int32_t want = close_quote(cp);
		size_t start = lx->pos + (size_t)l, p = start;

		while (p < lx->len) {
			int32_t c2;
			int l2 = u8_next(lx->s + p, lx->len - p, &c2);

			if (c2 == want || (want == '"' && c2 == 0x201D)) {
				lx->t = lx->s + start;
				lx->tn = p - start;
				lx->pos = p + (size_t)l2;
				return lx->tok = T_PHRASE, 0;
			}
			p += (size_t)l2;
		}
		return kerr_why(kerr_set(lx->err, KE_USAGE, "unbalanced quote: a phrase opened with %.*s is not "
					 "closed", l, lx->s + lx->pos), lx->err, KQERR_QUOTE, 0, 0, NULL);
	}
	if (is_minus(cp) && lx->pos + (size_t)l < lx->len) {
		int32_t c2;

		u8_next(lx->s + lx->pos + l, lx->len - lx->pos - (size_t)l, &c2);
		if (!is_space(c2) && !is_minus(c2)) {
			lx->pos += (size_t)l;
			return lx->tok = T_NOT, 0;
		}
	}
	{
		size_t start = lx->pos, p = start;

		while (p < lx->len) {
			int32_t c2;
			int l2 = u8_next(lx->s + p, lx->len - p, &c2);

			if (word_break(c2) && (p > start || !(c2 == 0x201D || c2 == 0x300D || c2 == 0x300F)))
				break;
			p += (size_t)l2;
		}
		if (p == start) /* a stray closing quote */
			p += (size_t)l;
		lx->t = lx->s + start;
		lx->tn = p - start;
		lx->pos = p;
		if (lx->tn == 2 && !memcmp(lx->t, "OR", 2))
			return lx->tok = T_OR, 0;
		if (lx->tn == 3 && !memcmp(lx->t, "NOT", 3))
			return lx->tok = T_NOT, 0;
		if (lx->tn == 3 && !memcmp(lx->t, "AND", 3))
			return lex(lx);
		return lx->tok = T_WORD, 0;
	}
}

static struct qnode *node_new(int type)
{
	return calloc(1, sizeof(struct qnode));
}

static int node_add(struct qnode *n, struct qnode *k)
{
	if (KGROW(n->kid, n->kid_alloc, n->nkid + 1) < 0)
		return KE_NOMEM;
	n->kid[n->nkid++] = k;
	return 0;
}

static int parse_and(struct lexer *lx, struct qnode **out);

static int parse_primary(struct lexer *lx, struct qnode **out)
{
	struct qnode *n;
	int rc;

	*out = NULL;
	switch (lx->tok) {
	case T_WORD:
	case T_PHRASE:
		if (++lx->nterms > KSEARCH_MAX_TERMS)
			return kerr_why(kerr_set(lx->err, KE_TOOBIG, "the query has more than %d words",
						 KSEARCH_MAX_TERMS), lx->err, KQERR_WORDS, KSEARCH_MAX_TERMS, 0, NULL);
		n = node_new(0);
		if (!n)
			return KE_NOMEM;
		n->type = lx->tok == T_WORD ? N_TERM : N_PHRASE;
		n->text = strndup(lx->t, lx->tn);
		if (!n->text) {
			free(n);
			return KE_NOMEM;
		}
		*out = n;
		return lex(lx);
	case T_LP:
		if (++lx->depth > 16)
			return kerr_why(kerr_set(lx->err, KE_TOOBIG, "the query nests parentheses too deeply"),
					lx->err, KQERR_NESTING, 0, 0, NULL);
		if ((rc = lex(lx)) < 0)
			return rc;
		if ((rc = parse_and(lx, out)) < 0)
			return rc;
		if (lx->tok != T_RP)
			return kerr_why(kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \"(\" is not closed"),
					lx->err, KQERR_PAREN_OPEN, 0, 0, NULL);
		lx->depth--;
		if (!*out)
			return kerr_why(kerr_set(lx->err, KE_USAGE, "empty parentheses"), lx->err,
					KQERR_PAREN_EMPTY, 0, 0, NULL);
		return lex(lx);
	case T_RP:
		return kerr_why(kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\""),
				lx->err, KQERR_PAREN_CLOSE, 0, 0, NULL);
	case T_OR:
		return kerr_why(kerr_set(lx->err, KE_USAGE, "OR needs a word on each side"), lx->err,
				KQERR_OR_SIDES, 0, 0, NULL);
	case T_NOT:
		return kerr_why(kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) needs a word after it"), lx->err,
				KQERR_NOT_WORD, 0, 0, NULL);
	default:
		return kerr_why(kerr_set(lx->err, KE_USAGE, "the query ends too early"), lx->err, KQERR_END,
				0, 0, NULL);
	}
}

static int parse_unary(struct lexer *lx, struct qnode **out)
{
	struct qnode *n, *k;
	int rc;

	if (lx->tok != T_NOT)
		return parse_primary(lx, out);
	if ((rc = lex(lx)) < 0)
		return rc;
	if (lx->tok == T_NOT)
		return kerr_why(kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) twice"), lx->err, KQERR_NOT_TWICE,
				0, 0, NULL);
	if ((rc = parse_primary(lx, &k)) < 0) {
		qnode_free(k);
		return rc;
	}
	n = node_new(0);
	if (!n || node_add(n, k) < 0) {
		free(n);
		qnode_free(k);
		return KE_NOMEM;
	}
	n->type = N_NOT;
	*out = n;
	return 0;
}

static int parse_or(struct lexer *lx, struct qnode **out)
{
	struct qnode *n = NULL, *k = NULL;
	int rc;

	if ((rc = parse_unary(lx, &k)) < 0)
		goto fail;
	if (lx->tok != T_OR) {
		*out = k;
		return 0;
	}
	n = node_new(0);
	if (!n || node_add(n, k) < 0) {
		rc = KE_NOMEM;
		goto fail;
	}
	n->type = N_OR;
	k = NULL;
	while (lx->tok == T_OR) {
		if ((rc = lex(lx)) < 0)
			goto fail;
		if (lx->tok == T_END || lx->tok == T_RP || lx->tok == T_OR) {
			rc = kerr_why(kerr_set(lx->err, KE_USAGE, "OR needs a word on each side"), lx->err,
				      KQERR_OR_SIDES, 0, 0, NULL);
			goto fail;
		}
		if ((rc = parse_unary(lx, &k)) < 0)
			goto fail;
		if (node_add(n, k) < 0) {
			rc = KE_NOMEM;
			goto fail;
		}
		k = NULL;
	}
	*out = n;
	return 0;
fail:
	qnode_free(k);
	qnode_free(n);
	*out = NULL;
	return rc;
}

static int parse_and(struct lexer *lx, struct qnode **out)
{
	struct qnode *n = node_new(0), *k = NULL;
	int rc;

	*out = NULL;
	if (!n)
		return KE_NOMEM;
	n->type = N_AND;
	while (lx->tok != T_END && lx->tok != T_RP) {
		if ((rc = parse_or(lx, &k)) < 0)
			goto fail;
		if (node_add(n, k) < 0) {
			rc = KE_NOMEM;
			goto fail;
		}
		k = NULL;
	}
	if (n->nkid == 0) {
		qnode_free(n);
		return 0;
	}
	*out = n;
	return 0;
fail:
	qnode_free(k);
	qnode_free(n);
	return rc;
}

/* ---- compilation into the store's tree ---------------------------------------------------------- */

/*
 * The relaxed tier is the cases with some of the words: each word whole
 * (itself, a synonym, or all of its parts).  Where that is the query
 * itself (one word, words ORed), it is the cases with some of the words'
 * parts instead: a long word's cases that hold only some of its parts.
 */
enum { RELAX_WORDS = 1, RELAX_PARTS = 2 };

#define QMEMO 64

struct compiler {
	struct kquery *q;
	const struct ksyn *syn;
	int flags;
	int relax;      /* AND becomes OR: the relaxed tier (RELAX_WORDS, RELAX_PARTS), else 0 */
	struct kerr *err;
	struct kstore *st; /* the library the query runs on (NULL: none): see alt_absent() */
	struct {
		const char *text; /* a synonym (the synonym list's string) */
		int absent;
	} memo[QMEMO];     /* alt_absent()'s answers: the tree is compiled three times */
	int nmemo;
};

static void tree_free(struct kstore_qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkid; i++)
		tree_free(n->kid[i]);
	free(n->kid);
	free(n->phrase.text);
	free(n);
}

/* The same tree (what the store would run the same way)? */
static int tree_equal(const struct kstore_qnode *a, const struct kstore_qnode *b)
{
	if (a->op != b->op || a->nkid != b->nkid)
		return 0;
	if (a->op == KSQ_PHRASE)
		return a->phrase.prefix == b->phrase.prefix && !strcmp(a->phrase.text, b->phrase.text);
	for (size_t i = 0; i < a->nkid; i++)
		if (!tree_equal(a->kid[i], b->kid[i]))
			return 0;
	return 1;
}

/* Nodes gathered for one operator. */
struct kids {
	struct kstore_qnode **v;
	size_t n, alloc;
};

static void kids_free(struct kids *k)
{
	for (size_t i = 0; i < k->n; i++)
		tree_free(k->v[i]);
	free(k->v);
	k->v = NULL;
	k->n = k->alloc = 0;
}

/* Add n to k (n is freed if that fails). */
static int kids_add(struct kids *k, struct kstore_qnode *n)
{
	if (KGROW(k->v, k->alloc, k->n + 1) < 0) {
		tree_free(n);
		return KE_NOMEM;
	}
	k->v[k->n++] = n;
	return 0;
}

/* *out: NULL for no kid, the one kid, or a node of op over them (k is emptied). */
static int kids_join(struct kids *k, int op, struct kstore_qnode **out)
{
	*out = NULL;
	if (k->n == 1) {
		*out = k->v[0];
		k->n = 0;
	} else if (k->n > 1) {
		if (!(*out = calloc(1, sizeof(**out))))
			return KE_NOMEM;
		(*out)->op = op;
		(*out)->kid = k->v;
		(*out)->nkid = k->n;
		k->v = NULL;
		k->n = k->alloc = 0;
	}
	kids_free(k);
	return 0;
}

struct tokinfo {
	int n;
	int last_single_cjk;
};

static int tok_count(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct tokinfo *ti = ctx;
	int32_t cp;
	int l = u8_next(tok, (size_t)ntok, &cp);

	ti->n++;
	ti->last_single_cjk = l == ntok && ktok_is_cjk(cp);
	return 0;
}

/* One phrase for text; *out NULL if text has no searchable token. */
static int emit_string(struct compiler *cc, const char *text, int term, int kind,
		       struct kstore_qnode **out)
{
	struct tokinfo ti = { 0, 0 };
	struct kphrase *np;
	struct kstore_qnode *n;

	*out = NULL;
	ktok_tokenize(text, -1, 1, tok_count, &ti);
	if (ti.n == 0)
		return 0;
	if (cc->relax)
		goto node;
	if (cc->q->nphrases >= KSEARCH_MAX_PHRASES)
		return kerr_why(kerr_set(cc->err, KE_TOOBIG, "the query is too long (more than %d terms "
					 "with synonyms and segments)", KSEARCH_MAX_PHRASES),
				cc->err, KQERR_PHRASES, KSEARCH_MAX_PHRASES, 0, NULL);
	if (KGROW(cc->q->phrases, cc->q->phrases_alloc, cc->q->nphrases + 1) < 0)
		return KE_NOMEM;
	np = &cc->q->phrases[cc->q->nphrases];
	np->text = strdup(text);
	if (!np->text)
		return KE_NOMEM;
	np->prefix = ti.last_single_cjk;
	np->term = term;
	np->kind = kind;
	cc->q->nphrases++;
node:
	if (!(n = calloc(1, sizeof(*n))) || !(n->phrase.text = strdup(text))) {
		free(n);
		return KE_NOMEM;
	}
	n->op = KSQ_PHRASE;
	n->phrase.prefix = ti.last_single_cjk;
	n->phrase.term = term;
	n->phrase.kind = kind;
	*out = n;
	return 0;
}

/* The tokens of a query string, joined by NUL bytes; prefix when its last is one CJK character. */
struct toks {
	struct kbuf b;
	int prefix;
};

static int toks_cb(void *ctx, const char *tok, int ntok, int start, int end)
{
	struct toks *t = ctx;
	int32_t cp;
	int l = u8_next(tok, (size_t)ntok, &cp);

	(void)start;
	(void)end;
	t->prefix = l == ntok && ktok_is_cjk(cp);
	return kbuf_add(&t->b, tok, (size_t)ntok) || kbuf_addch(&t->b, '\0') ? KE_NOMEM : 0;
}

/*
 * Does every row holding b hold a as well?  So when a's tokens are a run of
 * b's (ランサム in ランサムウェア, 委託先 in 外部委託先): b then adds nothing
 * to an OR with a but the time to look it up.  Prefix strings are left be.
 */
static int subsumes(const struct toks *a, const struct toks *b)
{
	if (a->prefix || b->prefix || a->b.len == 0 || a->b.len > b->b.len)
		return 0;
	for (size_t i = 0; i + a->b.len <= b->b.len; i++) {
		if ((i == 0 || b->b.buf[i - 1] == '\0') && !memcmp(b->b.buf + i, a->b.buf, a->b.len))
			return 1;
	}
	return 0;
}

/*
 * Does no case of the library hold the synonym text?  1 when one of its
 * query tokens is in no case (the vocabulary: kstore_term_df(), every
 * level), which FTS5 needs all of for a phrase to match; 0 when each is in
 * some case, for a prefix (its last character stands for many tokens) or
 * without a library; < 0 an error (cc->err set).
 */
static int alt_absent(struct compiler *cc, const char *text)
{
	struct toks t = { KBUF_INIT, 0 };
	int absent = 0, rc = 0;

	if (!cc->st)
		return 0;
	for (int i = 0; i < cc->nmemo; i++)
		if (cc->memo[i].text == text)
			return cc->memo[i].absent;
	if (ktok_tokenize(text, -1, 1, toks_cb, &t) != 0) {
		rc = kerr_set(cc->err, KE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; !t.prefix && i < t.b.len && !absent;) {
		size_t n = strlen(t.b.buf + i);
		long df = 0;

		if ((rc = kstore_term_df(cc->st, &kreader_local, t.b.buf + i, (int)n, &df, cc->err)) < 0)
			goto out;
		absent = df == 0;
		i += n + 1;
	}
	if (cc->nmemo < QMEMO) {
		cc->memo[cc->nmemo].text = text;
		cc->memo[cc->nmemo++].absent = absent;
	}
out:
	kbuf_release(&t.b);
	return rc < 0 ? rc : absent;
}

/*
 * "w" or ("w" OR "syn1" OR ...).  An alternative that another one subsumes
 * is left out of the match (not with KQ_ALL_PHRASES, which the snippets
 * use: there the longer word is what to mark), and so is a synonym that no
 * case of the library holds (alt_absent(): 委託業者 where no case says it
 * costs a walk of 委託's rows, and a look at each row the search reports;
 * it would match nothing and score nothing).  The word as typed stays.
 */
static int emit_with_synonyms(struct compiler *cc, const char *w, int term, int kind,
			      struct kstore_qnode **out)
{
	const char *const *g = (cc->flags & KQ_NO_SYNONYMS) ? NULL : ksyn_lookup(cc->syn, w);
	const char *alt_text[KSEARCH_MAX_PHRASES + 1];
	struct toks tk[KSEARCH_MAX_PHRASES + 1];
	unsigned char absent[KSEARCH_MAX_PHRASES + 1];
	struct kids alt = { 0 };
	struct kstore_qnode *one;
	size_t na = 0;
	int rc = 0;

	*out = NULL;
	alt_text[na++] = w;
	for (; g && *g && na <= KSEARCH_MAX_PHRASES; g++) {
		char *a = norm_dup(*g, strlen(*g)), *b = norm_dup(w, strlen(w));
		int same = a && b && !strcmp(a, b);

		free(a);
		free(b);
		if (!same)
			alt_text[na++] = *g;
	}
	memset(tk, 0, sizeof(tk));
	memset(absent, 0, sizeof(absent));
	for (size_t i = 1; i < na; i++) {
		if ((rc = alt_absent(cc, alt_text[i])) < 0)
			goto out;
		absent[i] = (unsigned char)rc;
		rc = 0;
	}
	if (!(cc->flags & KQ_ALL_PHRASES) && na > 1)
		for (size_t i = 0; i < na; i++)
			if ((rc = ktok_tokenize(alt_text[i], -1, 1, toks_cb, &tk[i])) != 0) {
				rc = KE_NOMEM;
				goto out;
			}
	for (size_t i = 0; i < na; i++) {
		int skip = absent[i];

		/* (an absent j stands for nothing: what it subsumes stays) */
		for (size_t j = 0; j < na && !skip && !(cc->flags & KQ_ALL_PHRASES) && na > 1; j++)
			if (j != i && !absent[j] && subsumes(&tk[j], &tk[i]) &&
			    (tk[j].b.len < tk[i].b.len || j < i)) /* of two the same, the first stays */
				skip = 1;
		if (skip)
			continue;
		if ((rc = emit_string(cc, alt_text[i], term, i ? KP_SYNONYM : kind, &one)) < 0)
			goto out;
		if (one && (rc = kids_add(&alt, one)) < 0)
			goto out;
	}
	rc = kids_join(&alt, KSQ_OR, out);
out:
	for (size_t i = 0; i < na; i++)
		kbuf_release(&tk[i].b);
	kids_free(&alt);
	return rc;
}

/* Does w contain a CJK character?  (Only such words are segmented.) */
static int has_cjk(const char *w)
{
	size_t n = strlen(w);

	for (size_t p = 0; p < n;) {
		int32_t cp;

		p += (size_t)u8_next(w + p, n - p, &cp);
		if (ktok_is_cjk(cp))
			return 1;
	}
	return 0;
}

/* A typed word: exact (+ synonyms), OR all its segments (each + synonyms). */
static int emit_term(struct compiler *cc, const char *w, int term, struct kstore_qnode **out)
{
	struct kstrv seg = { 0 };
	struct kids conj = { 0 }, two = { 0 };
	struct kstore_qnode *whole = NULL, *one = NULL;
	int rc, nseg = 0;

	*out = NULL;
	if ((rc = emit_with_synonyms(cc, w, term, KP_EXACT, &whole)) < 0)
		goto out;
	if (!(cc->flags & KQ_NO_SEGMENT) && has_cjk(w)) {
		if ((nseg = ksegment_split(w, &seg)) < 0) {
			rc = nseg;
			goto out;
		}
	}
	if (nseg > 1) {
		for (size_t i = 0; i < seg.n; i++) {
			if ((rc = emit_with_synonyms(cc, seg.v[i], term, KP_SEGMENT, &one)) < 0)
				goto out;
			if (one && (rc = kids_add(&conj, one)) < 0)
				goto out;
		}
	}
	if (conj.n > 0 && whole) {
		rc = kids_add(&two, whole);
		whole = NULL;
		if (rc < 0 || (rc = kids_join(&conj, cc->relax == RELAX_PARTS ? KSQ_OR : KSQ_AND, &one)) < 0 ||
		    (rc = kids_add(&two, one)) < 0 || (rc = kids_join(&two, KSQ_OR, out)) < 0)
			goto out;
	} else {
		*out = whole;
		whole = NULL;
	}
out:
	kstrv_clear(&seg);
	kids_free(&conj);
	kids_free(&two);
	tree_free(whole);
	return rc;
}

static int add_term(struct kquery *q, const char *text)
{
	if (KGROW(q->terms, q->terms_alloc, q->nterms + 1) < 0)
		return KE_NOMEM;
	if (!(q->terms[q->nterms] = strdup(text)))
		return KE_NOMEM;
	return (int)q->nterms++;
}

/* Compile n into *out; NULL when nothing searchable came of it. */
static int compile(struct compiler *cc, struct qnode *n, int neg, struct kstore_qnode **out)
{
	struct kids pos = { 0 }, negs = { 0 }, two = { 0 };
	struct kstore_qnode *one = NULL;
	int rc = 0, term;

	*out = NULL;
	switch (n->type) {
	case N_TERM:
	case N_PHRASE:
		term = -1;
		if (!neg && !cc->relax && (term = add_term(cc->q, n->text)) < 0)
			return KE_NOMEM;
		if (n->type == N_PHRASE || neg)
			rc = emit_string(cc, n->text, term, KP_EXACT, out);
		else
			rc = emit_term(cc, n->text, term, out);
		return rc;
	case N_NOT:
		return kerr_why(kerr_set(cc->err, KE_USAGE, "an excluded word (-%s) cannot stand alone or in "
					 "an OR", n->kid[0]->text ? n->kid[0]->text : "(...)"),
				cc->err, KQERR_NOT_ALONE, 0, 0, n->kid[0]->text ? n->kid[0]->text : "(...)");
	case N_OR:
		for (size_t i = 0; i < n->nkid; i++) {
			if (n->kid[i]->type == N_NOT) {
				rc = kerr_why(kerr_set(cc->err, KE_USAGE, "an excluded word cannot be part of an OR"),
					      cc->err, KQERR_NOT_IN_OR, 0, 0, NULL);
				goto out;
			}
			if ((rc = compile(cc, n->kid[i], neg, &one)) < 0)
				goto out;
			if (one && (rc = kids_add(&pos, one)) < 0)
				goto out;
		}
		rc = kids_join(&pos, KSQ_OR, out);
		goto out;
	case N_AND:
		for (size_t i = 0; i < n->nkid; i++) {
			struct qnode *k = n->kid[i];
			int isneg = k->type == N_NOT;

			if ((rc = compile(cc, isneg ? k->kid[0] : k, neg || isneg, &one)) < 0)
				goto out;
			if (!one)
				continue;
			if ((rc = kids_add(isneg ? &negs : &pos, one)) < 0)
				goto out;
			if (isneg && !cc->relax)
				cc->q->has_not = 1;
		}
		if (pos.n == 0 && negs.n > 0) {
			rc = kerr_why(kerr_set(cc->err, KE_USAGE, "the query only excludes words: add a word to "
					       "search for"), cc->err, KQERR_ONLY_NOT, 0, 0, NULL);
			goto out;
		}
		if (pos.n == 0)
			goto out;
		if (negs.n) {
			/* (all the words) NOT (any excluded) */
			if ((rc = kids_join(&pos, cc->relax ? KSQ_OR : KSQ_AND, &one)) < 0 ||
			    (rc = kids_add(&two, one)) < 0 || (rc = kids_join(&negs, KSQ_OR, &one)) < 0 ||
			    (rc = kids_add(&two, one)) < 0 || (rc = kids_join(&two, KSQ_NOT, out)) < 0)
				goto out;
		} else {
			rc = kids_join(&pos, cc->relax ? KSQ_OR : KSQ_AND, out);
		}
		goto out;
	}
out:
	kids_free(&pos);
	kids_free(&negs);
	kids_free(&two);
	return rc < 0 ? rc : 0;
}

int kquery_segment(const char *word, struct kstrv *out)
{
	return ksegment_split(word, out);
}

void kquery_free(struct kquery *q)
{
	if (!q)
		return;
	free(q->match);
	free(q->head_match);
	free(q->relaxed_match);
	tree_free(q->tree);
	tree_free(q->relaxed_tree);
	tree_free(q->parts_tree);
	for (size_t i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	for (size_t i = 0; i < q->nphrases; i++)
		free(q->phrases[i].text);
	free(q->phrases);
	memset(q, 0, sizeof(*q));
}

int kquery_compile(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		   struct kerr *err)
{
	return kquery_compile_in(q, text, syn, flags, NULL, err);
}

int kquery_compile_in(struct kquery *q, const char *text, const struct ksyn *syn, int flags,
		      struct kstore *st, struct kerr *err)
{
	struct lexer lx = { 0 };
	struct compiler cc = { .q = q, .syn = syn, .flags = flags, .err = err, .st = st };
	struct qnode *root = NULL;
	struct kstore_qnode *rt = NULL, *pt = NULL;
	char *norm = NULL;
	int rc, bad;

	memset(q, 0, sizeof(*q));
	if (!text)
		text = "";
	if (strlen(text) > KSEARCH_MAX_QUERY)
		return kerr_why(kerr_set(err, KE_TOOBIG, "the query is too long (%zu bytes; at most %d)",
					 strlen(text), KSEARCH_MAX_QUERY), err, KQERR_BYTES, (long)strlen(text),
				KSEARCH_MAX_QUERY, NULL);
	norm = nfkc(text, &bad);
	if (!norm) {
		if (bad)
			return kerr_why(kerr_set(err, KE_USAGE, "the query is not valid UTF-8 text"), err,
					KQERR_UTF8, 0, 0, NULL);
		return kerr_set(err, KE_NOMEM, "out of memory");
	}
	lx.s = norm;
	lx.len = strlen(norm);
	lx.err = err;
	if ((rc = lex(&lx)) < 0)
		goto out;
	if ((rc = parse_and(&lx, &root)) < 0)
		goto out;
	if (lx.tok == T_RP) {
		rc = kerr_why(kerr_set(err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\""), err,
			      KQERR_PAREN_CLOSE, 0, 0, NULL);
		goto out;
	}
	if (!root) {
		rc = kerr_why(kerr_set(err, KE_USAGE, "empty query: give a word to search for"), err,
			      KQERR_EMPTY, 0, 0, NULL);
		goto out;
	}
	if ((rc = compile(&cc, root, 0, &q->tree)) < 0)
		goto out;
	if (!q->tree) {
		rc = kerr_why(kerr_set(err, KE_USAGE, "the query has no word to search for (only "
				       "punctuation?)"), err, KQERR_NO_WORD, 0, 0, NULL);
		goto out;
	}
	/* a one-character word stands for every word that starts with it: the index gathers
	 * them all for each one (at 100,000 cases 32 of them cost 14 s of CPU) */
	for (size_t i = 0, n = 0; i < q->nphrases; i++)
		if (q->phrases[i].prefix && ++n > KSEARCH_MAX_PREFIXES) {
			rc = kerr_why(kerr_set(err, KE_TOOBIG, "the query has more than %d one-character "
					       "words (each stands for every word that starts with it): use "
					       "longer words", KSEARCH_MAX_PREFIXES),
				      err, KQERR_PREFIXES, KSEARCH_MAX_PREFIXES, 0, NULL);
			goto out;
		}
	q->expr.root = q->tree;
	q->head.root = q->tree;
	q->head.cols = 1u << KCOL_TITLE | 1u << KCOL_SUMMARY | 1u << KCOL_LESSONS;
	/* the relaxed tier: any of the words (else of their parts), none of the excluded; ranked
	 * with the words' parts scoring wherever they are */
	cc.relax = RELAX_WORDS;
	if ((rc = compile(&cc, root, 0, &rt)) < 0)
		goto out;
	cc.relax = RELAX_PARTS;
	if ((rc = compile(&cc, root, 0, &pt)) < 0)
		goto out;
	if (!rt || tree_equal(rt, q->tree)) {
		tree_free(rt);
		rt = pt; /* nothing to leave out: the words' parts */
		pt = NULL;
	}
	if (rt && !tree_equal(rt, q->tree)) {
		q->relaxed_tree = rt;
		q->relaxed = (struct kstore_query){ .root = rt, .except = q->tree };
		rt = NULL;
		if (pt && !tree_equal(pt, q->relaxed_tree)) {
			q->parts_tree = pt;
			q->relaxed_parts = (struct kstore_query){ .root = pt, .except = q->tree };
			pt = NULL;
		}
	}
	if (!(q->match = kstore_query_text(&q->expr)) || !(q->head_match = kstore_query_text(&q->head)) ||
	    (q->relaxed.root && !(q->relaxed_match = kstore_query_text(&q->relaxed))))
		rc = KE_NOMEM;
out:
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0)
		kquery_free(q);
	qnode_free(root);
	tree_free(rt);
	tree_free(pt);
	free(norm);
	return rc;
}
