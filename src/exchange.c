/*
 * exchange.c - the table of exchange formats and what they share (see
 * exchange.h): lookup, sniffing, deterministic UUIDv5 ids.
 */
#include "exchange.h"
#include "case.h"
#include "case_json.h"
#include "kerr.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

const struct kexchange_format kexchange_formats[] = {
	kexchange_stix_entry, kexchange_misp_entry, kexchange_veris_entry, { .name = NULL },
};

const struct kexchange_format *kexchange_find(const char *name)
{
	for (const struct kexchange_format *f = kexchange_formats; name && f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

const struct kexchange_format *kexchange_sniff(const char *in, size_t len)
{
	for (const struct kexchange_format *f = kexchange_formats; f->name; f++)
		if (f->sniff && f->sniff(in, len))
			return f;
	return NULL;
}

int kexchange_export_json(const struct kexchange_format *f, void *state, const char *case_json, struct kbuf *out,
			  struct kerr *err)
{
	json_error_t jerr;
	json_t *j = json_loads(case_json, 0, &jerr);
	struct kcase c;
	int rc;

	if (!j)
		return kerr_set(err, KE_PARSE, "a stored case: %s", jerr.text);
	kcase_init(&c);
	rc = kcase_from_json(&c, j, err);
	json_decref(j);
	if (rc == 0)
		rc = f->export_case(state, &c, out, err);
	kcase_free(&c);
	return rc;
}

int kexchange_drain(struct kcase_list *l, size_t from, const struct kexchange_sink *sink, struct kerr *err)
{
	int rc = 0;

	if (!sink)
		return 0;
	for (size_t i = from; i < l->n; i++) {
		if (rc == 0)
			rc = sink->put(sink->ctx, &l->v[i], err);
		kcase_free(&l->v[i]);
	}
	l->n = from;
	return rc;
}

static size_t skip_space(const char *in, size_t len, size_t i)
{
	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
		i++;
	return i;
}

/* The line and column (1-based) of byte at of in. */
static void line_col(const char *in, size_t at, size_t *line, size_t *col)
{
	const char *p = in, *nl;

	*line = 1;
	while ((nl = memchr(p, '\n', (size_t)(in + at - p))))
		p = nl + 1, ++*line;
	*col = (size_t)(in + at - p) + 1;
}

static int parse_error(const char *in, size_t at, const char *name, const char *text, struct kerr *err)
{
	size_t line, col;

	line_col(in, at, &line, &col);
	return kerr_set(err, KE_PARSE, "%s: line %zu column %zu: %s", name, line, col, text);
}

int kexchange_each_element(const char *in, size_t len, const char *name, const char *what,
			   int (*fn)(void *ctx, json_t *x, size_t i, struct kerr *err), void *ctx, struct kerr *err)
{
	size_t i = skip_space(in, len, 0), n = 0;

	if (i >= len || in[i] != '[')
		return parse_error(in, i < len ? i : len, name, "expected '['", err);
	i = skip_space(in, len, i + 1);
	if (i < len && in[i] == ']')
		goto end;
	for (;;) {
		json_error_t je;
		json_t *x;
		int rc;

		if (i >= len)
			return parse_error(in, len, name, "unexpected end of input (an unfinished array)", err);
		if (in[i] != '{' && in[i] != '[') {
			/* a scalar: fn refuses it in its own words; the walk ends there */
			if (!(x = json_loadb(in + i, len - i, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je)))
				return parse_error(in, i + (size_t)je.position, name, je.text, err);
			rc = fn(ctx, x, n, err);
			json_decref(x);
			return rc ? rc : kerr_set(err, KE_INVALID, "%s: %s[%zu]: expected an object", name, what, n);
		}
		x = json_loadb(in + i, len - i, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
		if (!x)
			return parse_error(in, i + (size_t)(je.position > 0 ? je.position - 1 : 0), name, je.text, err);
		i += (size_t)je.position;
		rc = fn(ctx, x, n++, err);
		json_decref(x);
		if (rc)
			return rc;
		i = skip_space(in, len, i);
		if (i < len && in[i] == ',') {
			i = skip_space(in, len, i + 1);
			continue;
		}
		if (i < len && in[i] == ']')
			break;
		return parse_error(in, i < len ? i : len, name,
				   i < len ? "expected ',' or ']' after an element" : "unexpected end of input (no ']')", err);
	}
end:
	i = skip_space(in, len, i + 1);
	if (i < len)
		return parse_error(in, i, name, "end of file expected after the array", err);
	return 0;
}

int kexchange_prescan(const char *in, size_t len, int depth, size_t max_tree, const char *name, const char *what,
		      struct kerr *err)
{
	/*
	 * The tree's size, roughly as jansson makes it on 64-bit Linux with
	 * malloc's overhead: every value a json_t and a slot in its container,
	 * an object its hash table, and the text of strings copied.
	 */
	enum { PER_VALUE = 48, PER_OBJECT = 200, PER_ARRAY = 64 };
	size_t est = 0, rec = 0, line = 1, rec_line = 1, start = 0;
	int d = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = in[i];

		if (ch == '"') {
			for (i++; i < len && in[i] != '"'; i++)
				if (in[i] == '\\')
					i++;
			est += PER_VALUE;
		} else if (ch == '{' || ch == '[') {
			if (d == depth) {
				est = 0; /* a record begins */
				start = i;
				rec_line = line;
			}
			d++;
			est += ch == '{' ? PER_OBJECT : PER_ARRAY;
		} else if (ch == '}' || ch == ']') {
			if (d > 0)
				d--;
			if (d == 0 && depth == 0)
				rec++;
		} else if (ch == ',') {
			est += PER_VALUE;
			if (d == depth && depth > 0) {
				est = 0;
				start = i;
				rec++;
				rec_line = line;
			}
		} else if (ch == '\n') {
			line++;
			if (d == 0 && depth == 0) {
				est = 0; /* JSON Lines: a line is a record */
				start = i;
			}
		}
		if (est + (i - start) > max_tree)
			return kerr_set(err, KE_TOOBIG,
					"%s: %s[%zu] (line %zu): too many JSON values: parsed, it would take more than "
					"%zu MB of memory (split it)",
					name, what, rec, rec_line, max_tree >> 20);
	}
	return 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int kexchange_uuid5(const char *ns, const char *name, char out[37])
{
	unsigned char buf[16], digest[20];
	gnutls_hash_hd_t h;
	size_t k = 0;

	for (const char *p = ns; p && *p && k < 16; p++) {
		int a, b;

		if (*p == '-')
			continue;
		a = hexval(p[0]);
		b = p[1] ? hexval(p[1]) : -1;
		if (a < 0 || b < 0)
			return KE_INVALID;
		buf[k++] = (unsigned char)(a << 4 | b);
		p++;
	}
	if (k != 16)
		return KE_INVALID;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) < 0)
		return KE_NOMEM;
	gnutls_hash(h, buf, 16);
	gnutls_hash(h, name, strlen(name));
	gnutls_hash_deinit(h, digest);
	digest[6] = (unsigned char)((digest[6] & 0x0f) | 0x50);
	digest[8] = (unsigned char)((digest[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
		 digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9],
		 digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
	return 0;
}
