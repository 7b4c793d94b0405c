/*
 * exchange.h - the exchange formats other tools read and write (issue 15):
 * STIX 2.1 bundles, MISP events, VERIS incidents, as one table (output
 * layer: it knows cases, not the store nor the web).  `kyokun export
 * --format F`, `kyokun add --format F` and the API's ?format=F go through
 * kexchange_find() and nothing else.
 *
 * Export streams: begin, one add per case (already chosen by the caller
 * under the reader's TLP: the formats never see a case the reader may not),
 * end.  Output is deterministic: the same cases give the same bytes (ids
 * are UUIDv5 of the case id in the format's namespace; times come from the
 * case, never the clock).
 *
 * Import reads a whole document and turns it into cases, all or nothing:
 * the first problem refuses the document (KE_PARSE / KE_INVALID) with a
 * message naming the object and the field ("objects[3] (incident--…):
 * name: required"); the caller stores none of it.  import fills a list;
 * import_each hands each case on as soon as it is read (the caller stores
 * it in a transaction it rolls back on an error), so that memory is that
 * of the document and one record, not of every case.  Before a tree is
 * made, a record whose tree would pass KEXCHANGE_MAX_TREE bytes is refused
 * (kexchange_prescan), and jansson refuses nesting deeper than 2,048.
 *
 * The vocabularies are mapped through the crosswalk (crosswalk.h).
 */
#ifndef KYOKUN_EXCHANGE_H
#define KYOKUN_EXCHANGE_H

#include <stddef.h>

struct kbuf;
struct kcase;
struct kcase_list;
struct kerr;

struct kexchange_opts {
	const char *publisher;   /* the identity that publishes (STIX identity, MISP Orgc); NULL: "kyokun" */
	const char *base_url;    /* for external references to the case, or NULL */
};

/*
 * Where a streamed import (import_each) puts each case as soon as it is
 * read: put() may take the case's contents (leaving *c as after
 * kcase_init) or copy them; the format frees *c after.  0, or a negative
 * KE_* with err set, which stops the import with that error.  The caller
 * keeps the rule all or nothing (a transaction it rolls back when the
 * import fails part way).
 */
struct kexchange_sink {
	int (*put)(void *ctx, struct kcase *c, struct kerr *err);
	void *ctx;
};

struct kexchange_format {
	const char *name;        /* "stix", "misp", "veris" */
	const char *media_type;  /* "application/stix+json;version=2.1", "application/json" */
	const char *summary;     /* one line for help texts */
	/*
	 * Export: *state is the format's (allocated by begin, freed by end,
	 * which end also does when called after a failure: always call it).
	 * Each call appends to out.
	 */
	int (*export_begin)(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err);
	int (*export_case)(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err);
	int (*export_end)(void *state, struct kbuf *out, struct kerr *err);
	/* Import: the document in[0..len) as cases appended to l (kcase_list_add). */
	int (*import)(const char *in, size_t len, struct kcase_list *l, struct kerr *err);
	/* Is in[0..len) (its start) a document of this format?  1 or 0 (for `add` without --format). */
	int (*sniff)(const char *in, size_t len);
	/*
	 * Import, streamed: each case to sink->put as soon as it is read and
	 * checked, so that memory stays that of the document and one element
	 * (MISP and VERIS read a top-level array or JSON Lines element by
	 * element; a STIX bundle, whose objects refer to each other, is parsed
	 * whole).  The same checks and messages as import.
	 */
	int (*import_each)(const char *in, size_t len, const struct kexchange_sink *sink, struct kerr *err);
	/* The largest document import takes (KE_TOOBIG above it): callers refuse a larger file unread. */
	size_t max_bytes;
};

/* The formats, ending with a NULL name. */
extern const struct kexchange_format kexchange_formats[];

/* The format named name, or NULL. */
const struct kexchange_format *kexchange_find(const char *name);
/* The format whose sniff says yes to in[0..len), or NULL (kyokun's own JSON is not one of them). */
const struct kexchange_format *kexchange_sniff(const char *in, size_t len);

/*
 * Export one case given as its stored interchange JSON (a kcase_row's
 * json): parsed into a case and handed to f->export_case.  For the callers
 * that walk the store (export, the API).
 */
int kexchange_export_json(const struct kexchange_format *f, void *state, const char *case_json, struct kbuf *out,
			  struct kerr *err);

/*
 * For the formats: hand the cases l->v[from..n) to sink (NULL: keep them)
 * and drop them from l (l->n = from).  0 or the sink's error.
 */
int kexchange_drain(struct kcase_list *l, size_t from, const struct kexchange_sink *sink, struct kerr *err);

/*
 * For the formats: the elements of the JSON array that starts in[0..len)
 * (after white space), parsed one at a time, so that a large array is never
 * a tree in memory whole.  fn gets each element (a JSON object or array; the
 * walk ends after a scalar, which fn is expected to refuse) with its index;
 * its non-zero return stops the walk and is returned.  A syntax error is
 * KE_PARSE "NAME: line L column C: what" with the line and column in the
 * whole document.  Nesting deeper than jansson's limit (2048) is a syntax
 * error, never a deep recursion.
 */
struct json_t;
int kexchange_each_element(const char *in, size_t len, const char *name, const char *what,
			   int (*fn)(void *ctx, struct json_t *x, size_t i, struct kerr *err), void *ctx,
			   struct kerr *err);

/*
 * For the formats, before a record is parsed into a tree: each record of
 * in[0..len) — the document's top-level values (depth 0: the whole
 * document, or each line of JSON Lines) or the elements of its top-level
 * array or object (depth 1) — would make a tree of at most max_tree bytes
 * (estimated from its values, objects and text), so that no file of tiny
 * values ("[{},{},...]": 80 bytes of memory per byte of input) can take
 * many times its size.  A linear scan, no allocation.  0, or KE_TOOBIG
 * "NAME: WHAT[i] (line L): too many JSON values: ...".
 */
#define KEXCHANGE_MAX_TREE ((size_t)1024 << 20)
int kexchange_prescan(const char *in, size_t len, int depth, size_t max_tree, const char *name, const char *what,
		      struct kerr *err);

/*
 * A UUIDv5 (RFC 9562) of name in namespace ns (a UUID as text), as 36
 * characters and a NUL: the deterministic ids of exports.  0 or KE_INVALID
 * (ns not a UUID).
 */
int kexchange_uuid5(const char *ns, const char *name, char out[37]);

/*
 * The table's entries, one per format, as initialisers (a static table
 * needs constant initialisers):
 * each file (exchange_stix.c, exchange_misp.c, exchange_veris.c) defines
 * its functions as kexchange_stix_begin ... and they are named here.
 */
#define KEXCHANGE_ENTRY(fmt, media, summ, maxb) \
	{ #fmt, media, summ, kexchange_##fmt##_begin, kexchange_##fmt##_case, kexchange_##fmt##_end, \
	  kexchange_##fmt##_import, kexchange_##fmt##_sniff, kexchange_##fmt##_import_each, maxb }
#define KEXCHANGE_DECLARE(fmt) \
	int kexchange_##fmt##_begin(const struct kexchange_opts *o, void **state, struct kbuf *out, struct kerr *err); \
	int kexchange_##fmt##_case(void *state, const struct kcase *c, struct kbuf *out, struct kerr *err); \
	int kexchange_##fmt##_end(void *state, struct kbuf *out, struct kerr *err); \
	int kexchange_##fmt##_import(const char *in, size_t len, struct kcase_list *l, struct kerr *err); \
	int kexchange_##fmt##_sniff(const char *in, size_t len); \
	int kexchange_##fmt##_import_each(const char *in, size_t len, const struct kexchange_sink *sink, \
					  struct kerr *err);
KEXCHANGE_DECLARE(stix)
KEXCHANGE_DECLARE(misp)
KEXCHANGE_DECLARE(veris)
/*
 * The largest documents: a STIX bundle is a tree in memory whole (about 6
 * times its size), MISP events and VERIS incidents are read one by one.
 */
#define KEXCHANGE_STIX_MAX_BYTES ((size_t)128 << 20)
#define KEXCHANGE_MISP_MAX_BYTES ((size_t)512 << 20)
#define KEXCHANGE_VERIS_MAX_BYTES ((size_t)512 << 20)
#define kexchange_stix_entry \
	KEXCHANGE_ENTRY(stix, "application/stix+json;version=2.1", "a STIX 2.1 bundle", KEXCHANGE_STIX_MAX_BYTES)
#define kexchange_misp_entry KEXCHANGE_ENTRY(misp, "application/json", "MISP events", KEXCHANGE_MISP_MAX_BYTES)
#define kexchange_veris_entry \
	KEXCHANGE_ENTRY(veris, "application/json", "VERIS 1.4 incidents", KEXCHANGE_VERIS_MAX_BYTES)

#endif
