/*
 * query.c - the query language: parsing what a person types and compiling
 * it into a safe FTS5 expression (see query.h).
 */
#include "query.h"
#include "case.h"
#include "kbuf.h"
#include "kerr.h"
#include "search_int.h"
#include "segment.h"
#include "synonym.h"

#include <stdlib.h>
#include <string.h>

/* ---- query parsing ---------------------------------------------------------------- */

enum { N_TERM, N_PHRASE, N_AND, N_OR, N_NOT };

struct qnode {
	int type;
	char *text;             /* N_TERM, N_PHRASE */
	struct qnode **kid;
	size_t nkid;
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
		return kerr_set(lx->err, KE_USAGE, "unbalanced quote: a phrase opened with %.*s is not closed",
				l, lx->s + lx->pos);
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
	struct qnode **nk = realloc(n->kid, (n->nkid + 1) * sizeof(*nk));

	if (!nk)
		return KE_NOMEM;
	n->kid = nk;
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
			return kerr_set(lx->err, KE_TOOBIG, "the query has more than %d words",
					KSEARCH_MAX_TERMS);
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
			return kerr_set(lx->err, KE_TOOBIG, "the query nests parentheses too deeply");
		if ((rc = lex(lx)) < 0)
			return rc;
		if ((rc = parse_and(lx, out)) < 0)
			return rc;
		if (lx->tok != T_RP)
			return kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \"(\" is not closed");
		lx->depth--;
		if (!*out)
			return kerr_set(lx->err, KE_USAGE, "empty parentheses");
		return lex(lx);
	case T_RP:
		return kerr_set(lx->err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\"");
	case T_OR:
		return kerr_set(lx->err, KE_USAGE, "OR needs a word on each side");
	case T_NOT:
		return kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) needs a word after it");
	default:
		return kerr_set(lx->err, KE_USAGE, "the query ends too early");
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
		return kerr_set(lx->err, KE_USAGE, "\"-\" (NOT) twice");
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
			rc = kerr_set(lx->err, KE_USAGE, "OR needs a word on each side");
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

/* ---- compilation to FTS5 ----------------------------------------------------------------- */

struct compiler {
	struct kquery *q;
	const struct ksyn *syn;
	int flags;
	int relax;      /* AND becomes OR: the relaxed tier */
	struct kerr *err;
};

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


/* Append one FTS5 string for text; *empty if text has no searchable token. */
static int emit_string(struct compiler *cc, struct kbuf *out, const char *text, int term, int kind,
		       int *empty)
{
	struct tokinfo ti = { 0, 0 };
	struct kphrase *np;
	int rc = 0;

	ktok_tokenize(text, -1, 1, tok_count, &ti);
	*empty = ti.n == 0;
	if (*empty)
		return 0;
	if (cc->relax)
		goto write;
	if (cc->q->nphrases >= KSEARCH_MAX_PHRASES)
		return kerr_set(cc->err, KE_TOOBIG, "the query is too long (more than %d terms with "
				"synonyms and segments)", KSEARCH_MAX_PHRASES);
	np = realloc(cc->q->phrases, (cc->q->nphrases + 1) * sizeof(*np));
	if (!np)
		return KE_NOMEM;
	cc->q->phrases = np;
	np = &cc->q->phrases[cc->q->nphrases];
	np->text = strdup(text);
	if (!np->text)
		return KE_NOMEM;
	np->prefix = ti.last_single_cjk;
	np->term = term;
	np->kind = kind;
	cc->q->nphrases++;
write:
	rc |= add_quoted(out, text);
	if (ti.last_single_cjk)
		rc |= kbuf_adds(out, " *");
	return rc ? KE_NOMEM : 0;
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
 * "w" or ("w" OR "syn1" OR ...).  An alternative that another one subsumes
 * is left out of the match (not with KQ_ALL_PHRASES, which the snippets
 * use: there the longer word is what to mark).
 */
static int emit_with_synonyms(struct compiler *cc, struct kbuf *out, const char *w, int term,
			      int kind, int *empty)
{
	const char *const *g = (cc->flags & KQ_NO_SYNONYMS) ? NULL : ksyn_lookup(cc->syn, w);
	const char *alt_text[KSEARCH_MAX_PHRASES + 1];
	struct toks tk[KSEARCH_MAX_PHRASES + 1];
	struct kbuf alt = KBUF_INIT;
	size_t mark = out->len, na = 0;
	int rc = 0, n = 0, e;

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
	if (!(cc->flags & KQ_ALL_PHRASES) && na > 1)
		for (size_t i = 0; i < na; i++)
			if ((rc = ktok_tokenize(alt_text[i], -1, 1, toks_cb, &tk[i])) != 0) {
				rc = KE_NOMEM;
				goto out;
			}
	for (size_t i = 0; i < na; i++) {
		int skip = 0;

		for (size_t j = 0; j < na && !skip && !(cc->flags & KQ_ALL_PHRASES) && na > 1; j++)
			if (j != i && subsumes(&tk[j], &tk[i]) &&
			    (tk[j].b.len < tk[i].b.len || j < i)) /* of two the same, the first stays */
				skip = 1;
		if (skip)
			continue;
		if (n && (rc = kbuf_adds(&alt, " OR ")) < 0)
			goto out;
		if ((rc = emit_string(cc, &alt, alt_text[i], term, i ? KP_SYNONYM : kind, &e)) < 0)
			goto out;
		if (e && n)
			kbuf_setlen(&alt, alt.len - 4);
		n += !e;
	}
	*empty = n == 0;
	if (n > 1)
		rc = kbuf_addf(out, "(%s)", kbuf_str(&alt));
	else if (n == 1)
		rc = kbuf_adds(out, kbuf_str(&alt));
	if (rc < 0)
		kbuf_setlen(out, mark);
out:
	for (size_t i = 0; i < na; i++)
		kbuf_release(&tk[i].b);
	kbuf_release(&alt);
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
static int emit_term(struct compiler *cc, struct kbuf *out, const char *w, int term, int *empty)
{
	struct kstrv seg = { 0 };
	struct kbuf conj = KBUF_INIT, whole = KBUF_INIT;
	int rc, e, nseg = 0, nconj = 0;

	if ((rc = emit_with_synonyms(cc, &whole, w, term, KP_EXACT, empty)) < 0)
		goto out;
	if (!(cc->flags & KQ_NO_SEGMENT) && has_cjk(w)) {
		if ((nseg = ksegment_split(w, &seg)) < 0) {
			rc = nseg;
			goto out;
		}
	}
	if (nseg > 1) {
		for (size_t i = 0; i < seg.n; i++) {
			const char *op = cc->relax ? " OR " : " AND ";

			if (nconj && (rc = kbuf_adds(&conj, op)) < 0)
				goto out;
			if ((rc = emit_with_synonyms(cc, &conj, seg.v[i], term, KP_SEGMENT, &e)) < 0)
				goto out;
			if (e && nconj)
				kbuf_setlen(&conj, conj.len - strlen(op));
			nconj += !e;
		}
	}
	if (nconj > 0 && !*empty)
		rc = kbuf_addf(out, "(%s OR %s%s%s)", kbuf_str(&whole), nconj > 1 ? "(" : "",
			       kbuf_str(&conj), nconj > 1 ? ")" : "");
	else if (!*empty)
		rc = kbuf_adds(out, kbuf_str(&whole));
	rc = rc < 0 ? KE_NOMEM : 0;
out:
	kstrv_clear(&seg);
	kbuf_release(&conj);
	kbuf_release(&whole);
	return rc;
}

static int add_term(struct kquery *q, const char *text)
{
	char **nt = realloc(q->terms, (q->nterms + 1) * sizeof(*nt));

	if (!nt)
		return KE_NOMEM;
	q->terms = nt;
	if (!(q->terms[q->nterms] = strdup(text)))
		return KE_NOMEM;
	return (int)q->nterms++;
}

/* Compile n into out; *empty when nothing searchable came of it. */
static int compile(struct compiler *cc, struct qnode *n, struct kbuf *out, int neg, int *empty)
{
	struct kbuf pos = KBUF_INIT, negs = KBUF_INIT, one = KBUF_INIT;
	int rc = 0, np = 0, nn = 0, e, term;

	*empty = 1;
	switch (n->type) {
	case N_TERM:
	case N_PHRASE:
		term = -1;
		if (!neg && !cc->relax && (term = add_term(cc->q, n->text)) < 0)
			return KE_NOMEM;
		if (n->type == N_PHRASE || neg)
			rc = emit_string(cc, out, n->text, term, KP_EXACT, empty);
		else
			rc = emit_term(cc, out, n->text, term, empty);
		return rc;
	case N_NOT:
		return kerr_set(cc->err, KE_USAGE, "an excluded word (-%s) cannot stand alone or in an OR",
				n->kid[0]->text ? n->kid[0]->text : "(...)");
	case N_OR:
		for (size_t i = 0; i < n->nkid; i++) {
			if (n->kid[i]->type == N_NOT) {
				rc = kerr_set(cc->err, KE_USAGE, "an excluded word cannot be part of an OR");
				goto out;
			}
			kbuf_reset(&one);
			if ((rc = compile(cc, n->kid[i], &one, neg, &e)) < 0)
				goto out;
			if (e)
				continue;
			if (np && kbuf_adds(&pos, " OR ") < 0)
				goto nomem;
			if (kbuf_adds(&pos, kbuf_str(&one)) < 0)
				goto nomem;
			np++;
		}
		if (np > 1)
			rc = kbuf_addf(out, "(%s)", kbuf_str(&pos));
		else if (np == 1)
			rc = kbuf_adds(out, kbuf_str(&pos));
		*empty = np == 0;
		goto out;
	case N_AND:
		for (size_t i = 0; i < n->nkid; i++) {
			struct qnode *k = n->kid[i];
			int isneg = k->type == N_NOT;

			kbuf_reset(&one);
			if ((rc = compile(cc, isneg ? k->kid[0] : k, &one, neg || isneg, &e)) < 0)
				goto out;
			if (e)
				continue;
			if (isneg) {
				if ((nn && kbuf_adds(&negs, " OR ") < 0) || kbuf_adds(&negs, kbuf_str(&one)) < 0)
					goto nomem;
				nn++;
				if (!cc->relax)
					cc->q->has_not = 1;
			} else {
				if ((np && kbuf_adds(&pos, cc->relax ? " OR " : " AND ") < 0) ||
				    kbuf_adds(&pos, kbuf_str(&one)) < 0)
					goto nomem;
				np++;
			}
		}
		if (np == 0 && nn > 0) {
			rc = kerr_set(cc->err, KE_USAGE, "the query only excludes words: add a word to search for");
			goto out;
		}
		if (np == 0)
			goto out;
		*empty = 0;
		if (nn)
			rc = kbuf_addf(out, "(%s%s%s NOT %s%s%s)", np > 1 ? "(" : "", kbuf_str(&pos),
				       np > 1 ? ")" : "", nn > 1 ? "(" : "", kbuf_str(&negs), nn > 1 ? ")" : "");
		else if (np > 1)
			rc = kbuf_addf(out, "(%s)", kbuf_str(&pos));
		else
			rc = kbuf_adds(out, kbuf_str(&pos));
		goto out;
	}
out:
	kbuf_release(&pos);
	kbuf_release(&negs);
	kbuf_release(&one);
	return rc < 0 ? (rc == KE_NOMEM || rc == KE_TOOBIG ? rc : rc) : 0;
nomem:
	rc = KE_NOMEM;
	goto out;
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
	struct lexer lx = { 0 };
	struct compiler cc = { q, syn, flags, 0, err };
	struct qnode *root = NULL;
	struct kbuf out = KBUF_INIT;
	char *norm = NULL;
	int rc, bad, empty;

	memset(q, 0, sizeof(*q));
	if (!text)
		text = "";
	if (strlen(text) > KSEARCH_MAX_QUERY)
		return kerr_set(err, KE_TOOBIG, "the query is too long (%zu bytes; at most %d)",
				strlen(text), KSEARCH_MAX_QUERY);
	norm = nfkc(text, &bad);
	if (!norm) {
		if (bad)
			return kerr_set(err, KE_USAGE, "the query is not valid UTF-8 text");
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
		rc = kerr_set(err, KE_USAGE, "unbalanced parentheses: \")\" without \"(\"");
		goto out;
	}
	if (!root) {
		rc = kerr_set(err, KE_USAGE, "empty query: give a word to search for");
		goto out;
	}
	if ((rc = compile(&cc, root, &out, 0, &empty)) < 0)
		goto out;
	if (empty) {
		rc = kerr_set(err, KE_USAGE, "the query has no word to search for (only punctuation?)");
		goto out;
	}
	q->match = kbuf_detach(&out, NULL);
	if (!q->match || kbuf_addf(&out, "{title summary lessons} : (%s)", q->match) < 0) {
		rc = KE_NOMEM;
		goto out;
	}
	q->head_match = kbuf_detach(&out, NULL);
	if (!q->head_match) {
		rc = KE_NOMEM;
		goto out;
	}
	/* the relaxed tier: any of the words (and segments), none of the excluded */
	cc.relax = 1;
	if ((rc = compile(&cc, root, &out, 0, &empty)) < 0)
		goto out;
	if (!empty && strcmp(kbuf_str(&out), q->match)) {
		char *r = kbuf_detach(&out, NULL);

		if (!r || kbuf_addf(&out, "(%s) NOT (%s)", r, q->match) < 0) {
			free(r);
			rc = KE_NOMEM;
			goto out;
		}
		free(r);
		if (!(q->relaxed_match = kbuf_detach(&out, NULL)))
			rc = KE_NOMEM;
	}
out:
	if (rc == KE_NOMEM)
		kerr_set(err, KE_NOMEM, "out of memory");
	if (rc < 0)
		kquery_free(q);
	qnode_free(root);
	kbuf_release(&out);
	free(norm);
	return rc;
}
