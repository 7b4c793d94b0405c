/*
 * tlp_fixture.h - the cases and readers of the TLP matrix (issue 11), for
 * test_tlp_matrix.c and for any other test that wants the same library:
 * the store's surfaces here, the pages and the JSON API on top of it.
 *
 * Cases: every TLP level x owner (事業者A, 事業者B, センター, none) x
 * sector tag (electricity = X, gas = Y; the organisations are given 電力 and ガス, the names the CLI takes too) x recipients (none, or tlpf_named[]),
 * TLPF_NCASES of them, plus one TLP:CLEAR seed for similar cases.  Each
 * case has a canary word of its own (CANARYxx0, in its summary), the word
 * MATRIXALL (in every case but the seed) and one of the seed's words
 * SIMWA..SIMWD, so that similar cases from the seed reach every case.
 * Each case has a document of its own ("tlpm-ID.txt").
 *
 * Readers: anonymous, a reporter of each operator, a liaison of each
 * sector, analysts and publishers of the centre (one of each named on the
 * cases with recipients, one not), an admin (named), the local operator
 * and the operator limited to amber (--max-tlp amber).  Their organisations:
 * tlpf_orgs[].
 *
 * What each may see is kreader_may_see() of tlpf_access(): the table in
 * reader.c.  `test_tlp_matrix --cases FILE` writes the cases as JSON Lines
 * (`kyokun add FILE`), `--readers FILE` the readers and organisations as
 * TSV, `--expect FILE` every reader x case with 1 or 0, for shell tests.
 *
 * Header-only (static functions): include it in one test file.
 */
#ifndef KYOKUN_TLP_FIXTURE_H
#define KYOKUN_TLP_FIXTURE_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "reader.h"

#define TLPF_NLEVELS 5
#define TLPF_NOWNERS 4
#define TLPF_NSECTORS 2
#define TLPF_NRCPT 2
#define TLPF_NCASES (TLPF_NLEVELS * TLPF_NOWNERS * TLPF_NSECTORS * TLPF_NRCPT)
#define TLPF_SEED "tlpm-seed"
#define TLPF_ALL_WORD "MATRIXALL"
#define TLPF_V2_WORD "VERSIONTWO"

static const char *const tlpf_levels[TLPF_NLEVELS] = { "clear", "green", "amber", "amber+strict", "red" };
static const char *const tlpf_level_ids[TLPF_NLEVELS] = { "clear", "green", "amber", "strict", "red" };
static const char *const tlpf_owners[TLPF_NOWNERS] = { "事業者A", "事業者B", "センター", NULL };
static const char *const tlpf_owner_ids[TLPF_NOWNERS] = { "a", "b", "c", "none" };
static const char *const tlpf_sectors[TLPF_NSECTORS] = { "electricity", "gas" };
static const char *const tlpf_sector_ids[TLPF_NSECTORS] = { "x", "y" };
/* the recipients of the cases that name some */
static const char *const tlpf_named[] = { "analyst2", "publisher2", "rep-b", "liaison-y", "admin1" };
#define TLPF_NNAMED (sizeof(tlpf_named) / sizeof(tlpf_named[0]))

struct tlpf_case {
	int index;
	char id[48];
	const char *tlp;
	int level;
	const char *owner;   /* NULL: none */
	const char *sector;
	int named;           /* recipients: tlpf_named[] (1) or none (0) */
	char canary[16];
	char sim[8];         /* the seed's word it shares */
	char document[64];
};

/* Case i (0 <= i < TLPF_NCASES). */
static void tlpf_case(int i, struct tlpf_case *c)
{
	int named = i % TLPF_NRCPT, sec = i / TLPF_NRCPT % TLPF_NSECTORS,
	    own = i / (TLPF_NRCPT * TLPF_NSECTORS) % TLPF_NOWNERS,
	    level = i / (TLPF_NRCPT * TLPF_NSECTORS * TLPF_NOWNERS);

	memset(c, 0, sizeof(*c));
	c->index = i;
	c->named = named;
	c->sector = tlpf_sectors[sec];
	c->owner = tlpf_owners[own];
	c->level = level;
	c->tlp = tlpf_levels[level];
	snprintf(c->id, sizeof(c->id), "tlpm-%02d-%s-%s-%s-%s", i, tlpf_level_ids[level], tlpf_owner_ids[own],
		 tlpf_sector_ids[sec], named ? "named" : "none");
	/* the digit keeps the word from the English stemmer (CANARYAS, CANARYAE would meet) */
	snprintf(c->canary, sizeof(c->canary), "CANARY%c%c0", 'A' + i / 26, 'A' + i % 26);
	snprintf(c->sim, sizeof(c->sim), "SIMW%c", 'A' + i % 4);
	snprintf(c->document, sizeof(c->document), "%s.txt", c->id);
}

/* What reader.c decides from: v[] holds the case's one sector. */
static struct kcase_access tlpf_access(const struct tlpf_case *c, const char *v[1])
{
	v[0] = c->sector;
	return (struct kcase_access){ .tlp = c->tlp, .owner = c->owner,
				      .recipients = c->named ? tlpf_named : NULL,
				      .nrecipients = c->named ? TLPF_NNAMED : 0,
				      .sectors = v, .nsectors = 1 };
}

/* May r see case c?  (The table: kreader_may_see.) */
static int tlpf_expect(const struct kreader *r, const struct tlpf_case *c)
{
	const char *v[1];
	struct kcase_access a = tlpf_access(c, v);

	return kreader_may_see(r, &a);
}

/* Case c in the interchange JSON; version 2 adds a word to its body (a second revision). */
static json_t *tlpf_case_json(const struct tlpf_case *c, int version)
{
	char body[128], sum[64];
	json_t *o;

	snprintf(body, sizeof(body), "%s 本文%s", c->sim, version > 1 ? " " TLPF_V2_WORD : "");
	snprintf(sum, sizeof(sum), "%s %s", c->canary, TLPF_ALL_WORD);
	o = json_pack("{s:s, s:s, s:{s:s, s:i, s:i}, s:[s], s:{s:s}, s:{s:s, s:[s]}, s:s}",
		      "id", c->id, "title", "TLP matrix 事例",
		      "source", "document", c->document, "year", 2024, "case_number", c->index + 1,
		      "summary", sum,
		      "sections", "background", body,
		      "tags", "event_class", "cyber_attack", "sectors", c->sector,
		      "tlp", c->tlp);
	if (!o)
		return NULL;
	if (c->owner && json_object_set_new(o, "owner", json_string(c->owner)) < 0)
		goto fail;
	if (c->named) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < TLPF_NNAMED; i++)
			if (json_array_append_new(a, json_string(tlpf_named[i])) < 0) {
				json_decref(a);
				a = NULL;
			}
		if (!a || json_object_set_new(o, "recipients", a) < 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The seed of similar cases: TLP:CLEAR, the four words the cases share. */
static json_t *tlpf_seed_json(void)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:[s], s:s}", "id", TLPF_SEED, "title", "TLP matrix seed",
			 "source", "document", TLPF_SEED ".txt", "summary", "SIMWA SIMWB SIMWC SIMWD", "tlp", "clear");
}

/* The seed and every case (version 1) as JSON Lines; 0 or -1. */
static int tlpf_write_cases(FILE *fp)
{
	struct tlpf_case c;
	json_t *j = tlpf_seed_json();
	int rc = j && json_dumpf(j, fp, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;

	json_decref(j);
	fputc('\n', fp);
	for (int i = 0; rc == 0 && i < TLPF_NCASES; i++) {
		tlpf_case(i, &c);
		j = tlpf_case_json(&c, 1);
		rc = j && json_dumpf(j, fp, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
		fputc('\n', fp);
		json_decref(j);
	}
	return rc;
}

/* ---- readers ---- */

struct tlpf_org {
	const char *name, *kind, *sector; /* kind: operator | ministry | centre; sector or NULL */
};

static const struct tlpf_org tlpf_orgs[] = {
	{ "事業者A", "operator", "電力" },
	{ "事業者B", "operator", "ガス" },
	{ "所管省X", "ministry", "電力" },
	{ "所管省Y", "ministry", "ガス" },
	{ "センター", "centre", NULL },
};

struct tlpf_reader {
	const char *name;   /* what the tests call it */
	struct kreader r;
};

enum {
	TLPF_ANON, TLPF_REP_A, TLPF_REP_B, TLPF_LIAISON_X, TLPF_LIAISON_Y, TLPF_ANALYST, TLPF_ANALYST_NAMED,
	TLPF_PUBLISHER, TLPF_PUBLISHER_NAMED, TLPF_ADMIN, TLPF_LOCAL, TLPF_LOCAL_AMBER, TLPF_NREADERS
};

#define TLPF_USER(id, lg, o, rl, ...) \
	{ .kind = KREADER_USER, .user_id = (id), .login = (lg), .org_id = (id) * 10, .org = (o), .role = (rl), \
	  .caps = 0, .sectors = { __VA_ARGS__ } }

/* The readers, by TLPF_* (caps and the number of sectors filled in). */
static void tlpf_readers(struct tlpf_reader v[TLPF_NREADERS])
{
	const struct tlpf_reader r[TLPF_NREADERS] = {
		[TLPF_ANON] = { "anonymous", KREADER_ANONYMOUS_INIT },
		[TLPF_REP_A] = { "reporter-a", TLPF_USER(1, "rep-a", "事業者A", KROLE_REPORTER, "electricity") },
		[TLPF_REP_B] = { "reporter-b", TLPF_USER(2, "rep-b", "事業者B", KROLE_REPORTER, "gas") },
		[TLPF_LIAISON_X] = { "liaison-x", TLPF_USER(3, "liaison-x", "所管省X", KROLE_LIAISON, "electricity") },
		[TLPF_LIAISON_Y] = { "liaison-y", TLPF_USER(4, "liaison-y", "所管省Y", KROLE_LIAISON, "gas") },
		[TLPF_ANALYST] = { "analyst", TLPF_USER(5, "analyst1", "センター", KROLE_ANALYST) },
		[TLPF_ANALYST_NAMED] = { "analyst-named", TLPF_USER(6, "analyst2", "センター", KROLE_ANALYST) },
		[TLPF_PUBLISHER] = { "publisher", TLPF_USER(7, "publisher1", "センター", KROLE_PUBLISHER) },
		[TLPF_PUBLISHER_NAMED] = { "publisher-named", TLPF_USER(8, "publisher2", "センター", KROLE_PUBLISHER) },
		[TLPF_ADMIN] = { "admin", TLPF_USER(9, "admin1", "センター", KROLE_ADMIN) },
		[TLPF_LOCAL] = { "local", KREADER_LOCAL_INIT },
		[TLPF_LOCAL_AMBER] = { "local-max-amber", KREADER_LOCAL_INIT },
	};

	for (int i = 0; i < TLPF_NREADERS; i++) {
		v[i] = r[i];
		if (v[i].r.kind == KREADER_USER) {
			v[i].r.caps = krole_caps(v[i].r.role);
			while (v[i].r.nsectors < KREADER_MAX_SECTORS && v[i].r.sectors[v[i].r.nsectors])
				v[i].r.nsectors++;
		}
	}
	v[TLPF_LOCAL_AMBER].r.limited = 1;
	v[TLPF_LOCAL_AMBER].r.limit = 2;
}

#undef TLPF_USER

/*
 * The organisations ("org<TAB>NAME<TAB>KIND<TAB>SECTOR|-") and the signed-in
 * readers ("user<TAB>NAME<TAB>LOGIN<TAB>ROLE<TAB>ORG"), for a shell test to
 * create with `kyokun org add` and `kyokun user add`.  0 or -1.
 */
static int tlpf_write_readers(FILE *fp)
{
	struct tlpf_reader v[TLPF_NREADERS];

	tlpf_readers(v);
	for (size_t i = 0; i < sizeof(tlpf_orgs) / sizeof(tlpf_orgs[0]); i++)
		fprintf(fp, "org\t%s\t%s\t%s\n", tlpf_orgs[i].name, tlpf_orgs[i].kind,
			tlpf_orgs[i].sector ? tlpf_orgs[i].sector : "-");
	for (int i = 0; i < TLPF_NREADERS; i++)
		if (v[i].r.kind == KREADER_USER)
			fprintf(fp, "user\t%s\t%s\t%s\t%s\n", v[i].name, v[i].r.login, krole_name(v[i].r.role),
				v[i].r.org);
	return ferror(fp) ? -1 : 0;
}

/* Every reader x case (the seed too): "READER<TAB>ID<TAB>1|0".  0 or -1. */
static int tlpf_write_expect(FILE *fp)
{
	struct tlpf_reader v[TLPF_NREADERS];
	struct tlpf_case c;

	tlpf_readers(v);
	for (int r = 0; r < TLPF_NREADERS; r++) {
		fprintf(fp, "%s\t%s\t1\n", v[r].name, TLPF_SEED);
		for (int i = 0; i < TLPF_NCASES; i++) {
			tlpf_case(i, &c);
			fprintf(fp, "%s\t%s\t%d\n", v[r].name, c.id, tlpf_expect(&v[r].r, &c));
		}
	}
	return ferror(fp) ? -1 : 0;
}

#endif
