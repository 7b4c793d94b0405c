/*
 * fuzz_exchange.c - `kyokun add --format stix|misp|veris FILE` and `kyokun
 * add FILE` (sniffed): the three importers of exchange.h on any bytes.
 *
 * Each input is sniffed, then imported by every format, both ways the
 * header offers (into a list, and streamed to a sink as the command does).
 * Checks, besides crashes, leaks, UB and hangs:
 *   - an error has a message and adds no case (all or nothing);
 *   - the streamed import gives the same cases as the list, or the same error;
 *   - every case imported is valid (as `add` then stores it);
 *   - the README's lossless round trip: those cases (when their ids are
 *     distinct, see distinct_ids) exported to the same format (with the TLP `add` gives a case without one) are valid JSON,
 *     import again without an error, and are the same cases (their kyokun
 *     JSON byte for byte), in the same order.
 */
#include "fuzz.h"
#include "exchange.h"

#include <jansson.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

struct collect {
	struct kcase_list l;
};

static int collect_put(void *ctx, struct kcase *c, struct kerr *err)
{
	struct collect *k = ctx;
	struct kcase *d = kcase_list_add(&k->l);

	(void)err;
	if (!d)
		return KE_NOMEM;
	*d = *c; /* take it */
	kcase_init(c);
	return 0;
}

/*
 * The cases of l as kyokun JSON, one a line, members sorted: the same case
 * is the same text (a foreign record kept as the case's extra member, e.g.
 * "veris", comes back from an export with its members sorted).
 */
static void dump_all(const struct kcase_list *l, struct kbuf *out)
{
	struct kbuf one = KBUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		json_t *j;
		char *s;

		kbuf_reset(&one);
		FUZZ_CHECK(kcase_dump(&l->v[i], &one) == 0, "kcase_dump");
		j = json_loadb(one.buf, one.len, 0, NULL);
		FUZZ_CHECK(j, "kcase_dump wrote no JSON: %s", kbuf_str(&one));
		s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
		FUZZ_CHECK(s, "json_dumps");
		kbuf_adds(out, s);
		kbuf_addch(out, '\n');
		free(s);
	}
	kbuf_release(&one);
}

static void round_trip(const struct kexchange_format *f, struct kcase_list *l)
{
	struct kexchange_opts o = { NULL, NULL };
	struct kbuf doc = KBUF_INIT, a = KBUF_INIT, b = KBUF_INIT;
	struct kerr err = KERR_INIT;
	struct kcase_list again = { 0 };
	void *state = NULL;
	json_error_t je;
	json_t *j;
	int rc;

	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].tlp)
			FUZZ_CHECK(kstr_set(&l->v[i].tlp, "amber") == 0, "kstr_set");
	rc = f->export_begin(&o, &state, &doc, &err);
	for (size_t i = 0; rc == 0 && i < l->n; i++)
		rc = f->export_case(state, &l->v[i], &doc, &err);
	{
		int rc2 = f->export_end(state, &doc, &err);

		if (rc == 0)
			rc = rc2;
	}
	FUZZ_CHECK(rc == 0, "%s: export of imported cases fails: %s", f->name, err.msg);
	j = json_loadb(doc.buf, doc.len, 0, &je);
	FUZZ_CHECK(j, "%s: the export is not JSON: %s", f->name, je.text);
	json_decref(j);
	rc = f->import(doc.buf, doc.len, &again, &err);
	FUZZ_CHECK(rc == 0, "%s: the export does not import: %s\n%.2000s", f->name, err.msg, doc.buf);
	dump_all(l, &a);
	dump_all(&again, &b);
	FUZZ_CHECK(a.len == b.len && (!a.len || !memcmp(a.buf, b.buf, a.len)), "%s: kyokun -> %s -> kyokun changes the cases:\n%s\n%s",
		   f->name, f->name, kbuf_str(&a), kbuf_str(&b));
	kcase_list_free(&again);
	kbuf_release(&doc);
	kbuf_release(&a);
	kbuf_release(&b);
}

/*
 * Are the ids of l's cases all different?  A document may name one case
 * twice (a STIX incident whose report's reference is broken, two MISP
 * events with one uuid): `add` stores it once, the later version, and an
 * export has each case once, so the round trip is checked on documents
 * whose cases are distinct.
 */
static int distinct_ids(const struct kcase_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = 0; j < i; j++)
			if (l->v[i].id && l->v[j].id && !strcmp(l->v[i].id, l->v[j].id))
				return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const struct kexchange_format *sniffed = kexchange_sniff(in, size);

	for (const struct kexchange_format *f = kexchange_formats; f->name; f++) {
		struct kcase_list l = { 0 };
		struct collect k = { { 0 } };
		struct kexchange_sink sink = { collect_put, &k };
		struct kerr err = KERR_INIT, err2 = KERR_INIT;
		struct kbuf a = KBUF_INIT, b = KBUF_INIT;
		int rc, rc2;

		FUZZ_CHECK(!sniffed || sniffed->sniff(in, size), "kexchange_sniff");
		rc = f->import(in, size, &l, &err);
		FUZZ_CHECK(rc <= 0, "%s: import returned %d", f->name, rc);
		FUZZ_CHECK(rc == 0 || err.msg[0], "%s: error %d without a message", f->name, rc);
		FUZZ_CHECK(rc == 0 || l.n == 0, "%s: an error, yet %zu cases added", f->name, l.n);
		rc2 = f->import_each(in, size, &sink, &err2);
		FUZZ_CHECK(rc2 == rc, "%s: import %d (%s), import_each %d (%s)", f->name, rc, err.msg, rc2, err2.msg);
		FUZZ_CHECK(rc == 0 || !strcmp(err.msg, err2.msg), "%s: messages differ: %s | %s", f->name, err.msg, err2.msg);
		if (rc == 0) {
			dump_all(&l, &a);
			dump_all(&k.l, &b);
			FUZZ_CHECK(a.len == b.len && (!a.len || !memcmp(a.buf, b.buf, a.len)), "%s: import and import_each differ",
				   f->name);
			for (size_t i = 0; i < l.n; i++) {
				struct kerr verr = KERR_INIT;

				if (!l.v[i].tlp)
					continue; /* add gives it one; round_trip does too */
				FUZZ_CHECK(kcase_validate(&l.v[i], &verr) == 0, "%s: an imported case is not valid: %s",
					   f->name, verr.msg);
			}
			if (distinct_ids(&l))
				round_trip(f, &l);
		}
		kbuf_release(&a);
		kbuf_release(&b);
		kcase_list_free(&l);
		kcase_list_free(&k.l);
	}
	return 0;
}
