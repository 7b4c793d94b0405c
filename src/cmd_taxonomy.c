/*
 * cmd_taxonomy.c - `kyokun taxonomy --format misp`: kyokun's vocabularies
 * (the 15 sectors, 事象の類型, 原因の類型) as a MISP taxonomy
 * (machinetag.json), made from the crosswalk, so that MISP users can tag
 * events kyokun:sector="electricity" and kyokun reads them back.
 *
 * The output is the same for the same crosswalk: uuids are UUIDv5 of the
 * namespace and the term, the version is fixed.
 */
#include "cli.h"
#include "crosswalk.h"
#include "exchange.h"
#include "kerr.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The namespace of the taxonomy's UUIDv5s (a fixed random UUID). */
#define KTAXONOMY_UUID_NS "9c8a6f55-03f8-420f-89e6-7472aceaeb00"
/* Raise when the taxonomy's terms change in a way MISP users should notice. */
#define KTAXONOMY_VERSION 1

static const struct {
	const char *vocab, *predicate, *ja, *en, *desc;
} predicates[] = {
	{ "sector", "sector", "重要インフラ分野", "critical infrastructure sector",
	  "The critical infrastructure sector of the organisation affected (重要インフラ分野: 事業者の属する分野)." },
	{ "event_type", "event-type", "事象の類型", "event type",
	  "What happened, as reported to the authorities (事象の類型: 報告された事象の分類)." },
	{ "cause_type", "cause-type", "原因の類型", "cause type",
	  "Why it happened, as reported to the authorities (原因の類型: 報告された原因の分類)." },
};

static json_t *term(const char *ns, const char *path, const char *value, const char *expanded, const char *desc)
{
	char uuid[37], name[256];

	snprintf(name, sizeof(name), "%s:%s", ns, path);
	if (kexchange_uuid5(KTAXONOMY_UUID_NS, name, uuid) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s}", "value", value, "expanded", expanded, "description", desc, "uuid",
			 uuid);
}

static int misp_taxonomy(const char *ns)
{
	json_t *root = NULL, *preds, *values;
	char uuid[37], buf[512], desc[1024];
	size_t n;
	const struct kxwalk_entry *all = kxwalk_all(&n);
	int rc = 1;

	if (!n) {
		kcli_error("taxonomy: the crosswalk is empty");
		return 1;
	}
	if (kexchange_uuid5(KTAXONOMY_UUID_NS, ns, uuid) < 0)
		goto out;
	preds = json_array();
	values = json_array();
	root = json_pack("{s:s, s:s, s:s, s:i, s:s, s:b, s:o, s:o}", "namespace", ns, "expanded",
			 "kyokun: 重要インフラのインシデント事例 (incident cases of critical infrastructure)", "description",
			 "Japanese critical infrastructure incidents as kyokun classifies them: the sector, the event "
			 "type and the cause type of a report (重要インフラ分野、事象の類型、原因の類型).",
			 "version", KTAXONOMY_VERSION, "uuid", uuid, "exclusive", 0, "predicates", preds, "values", values);
	if (!root)
		goto out;
	for (size_t p = 0; p < sizeof(predicates) / sizeof(predicates[0]); p++) {
		json_t *entries = json_array(), *t;

		snprintf(buf, sizeof(buf), "%s (%s)", predicates[p].ja, predicates[p].en);
		t = term(ns, predicates[p].predicate, predicates[p].predicate, buf, predicates[p].desc);
		if (!t || !entries || json_array_append_new(preds, t) < 0) {
			json_decref(entries);
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			char path[256];

			if (strcmp(all[i].vocab, predicates[p].vocab))
				continue;
			snprintf(buf, sizeof(buf), "%s (%s)", all[i].ja, all[i].en);
			snprintf(desc, sizeof(desc), "%s: %s / %s: %s", predicates[p].ja, all[i].ja, predicates[p].en,
				 all[i].en);
			snprintf(path, sizeof(path), "%s=%s", predicates[p].predicate, all[i].code);
			t = term(ns, path, all[i].code, buf, desc);
			if (!t || json_array_append_new(entries, t) < 0) {
				json_decref(entries);
				goto out;
			}
		}
		if (json_array_append_new(values, json_pack("{s:s, s:o}", "predicate", predicates[p].predicate,
							    "entry", entries)) < 0)
			goto out;
	}
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', stdout) == EOF)
		goto out;
	rc = 0;
out:
	if (rc)
		kcli_error("taxonomy: out of memory or write error");
	json_decref(root);
	return rc;
}

int cmd_taxonomy(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "namespace", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "misp", NULL };
	const char *ns = "kyokun";
	int c, rc, fi = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &fi)))
				return rc;
			break;
		case 'n':
			ns = optarg;
			if (!*ns || strlen(ns) > 64 || strspn(ns, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(ns))
				return kcli_usage_error("taxonomy", "--namespace: expected 1 to 64 of a-z 0-9 - _ .");
			break;
		default:
			return kcli_bad_option("taxonomy", argv);
		}
	}
	if (optind < argc)
		return kcli_usage_error("taxonomy", "unexpected argument '%s'", argv[optind]);
	return misp_taxonomy(ns);
}
