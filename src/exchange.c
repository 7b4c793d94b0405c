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
	kexchange_stix_entry, kexchange_misp_entry, kexchange_veris_entry,
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
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
