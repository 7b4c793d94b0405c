/*
 * cmd_add.c - `kyokun add FILE...`: store cases from interchange JSON.
 *
 * Each file is one transaction.  Every case of the file is read and checked;
 * if any is refused the transaction is rolled back, so a file is stored whole
 * or not at all, and what was stored before is untouched.
 */
#include "case.h"
#include "case_json.h"
#include "cli.h"
#include "kerr.h"
#include "store.h"

#include <getopt.h>
#include <string.h>

#define MAX_MESSAGES 20 /* per file; more are counted, not printed */

struct addstats {
	long created, updated, unchanged, refused;
};

static int add_file(struct kcli *cli, struct kstore *st, const char *path, const char *default_tlp,
		    struct addstats *total)
{
	const char *name = strcmp(path, "-") ? path : "(stdin)";
	struct kcase_reader *r = NULL;
	struct kerr err = KERR_INIT;
	struct addstats s = { 0 };
	struct kprogress prog;
	int rc, fatal = 0, outcome;
	long n = 0, msgs = 0;

	if ((rc = kcase_reader_open(&r, path, &err)) < 0) {
		kcli_error("%s: %s", name, err.msg);
		return 1;
	}
	if ((rc = kstore_begin(st, &err)) < 0) {
		kcli_error("%s: %s", name, err.msg);
		kcase_reader_close(r);
		return 1;
	}
	kcli_progress_init(&prog, cli);
	for (;;) {
		struct kcase c;
		long long done, size;

		kcase_init(&c);
		kerr_clear(&err);
		rc = kcase_reader_next(r, &c, &err);
		if (rc == 0) {
			kcase_free(&c);
			break;
		}
		if (rc == 1) {
			if (!c.tlp && kstr_set(&c.tlp, default_tlp) < 0)
				rc = kerr_set(&err, KE_NOMEM, "out of memory");
			else
				rc = kstore_put(st, &c, &outcome, &err);
			if (rc == KE_EXISTS) {
				char where[48];

				kcase_reader_where(r, where, sizeof(where));
				kerr_prefix(&err, "%s", where);
				rc = KE_INVALID;
			} else if (rc == 0 && outcome == KSTORE_CREATED) {
				s.created++;
			} else if (rc == 0 && outcome == KSTORE_UNCHANGED) {
				s.unchanged++;
			} else if (rc == 0) {
				s.updated++;
			}
		}
		kcase_free(&c);
		if (rc < 0) {
			s.refused++;
			if (msgs++ < MAX_MESSAGES) {
				kcli_progress_done(&prog);
				kcli_error("%s: %s", name, err.msg);
			}
			if (rc != KE_INVALID) {
				fatal = 1;
				break;
			}
		}
		n++;
		kcase_reader_progress(r, &done, &size);
		if ((n & 255) == 0)
			kcli_progress(&prog, name, n, done, size);
	}
	kcli_progress_done(&prog);
	kcase_reader_close(r);
	if (s.refused || fatal) {
		kstore_rollback(st);
		if (msgs > MAX_MESSAGES)
			kcli_error("%s: ... and %ld more problems", name, msgs - MAX_MESSAGES);
		kcli_error("%s: refused; none of its cases was stored", name);
		return 1;
	}
	if (kstore_commit(st, &err) < 0) {
		kcli_error("%s: %s; none of its cases was stored", name, err.msg);
		return 1;
	}
	{
		long all = s.created + s.updated + s.unchanged;

		fprintf(stderr, "%s: %ld case%s stored (%ld new, %ld updated, %ld unchanged)\n", name, all,
			all == 1 ? "" : "s", s.created, s.updated, s.unchanged);
	}
	total->created += s.created;
	total->updated += s.updated;
	total->unchanged += s.unchanged;
	return 0;
}

int cmd_add(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tlp", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tlp = "amber";
	struct addstats total = { 0 };
	struct kstore *st;
	int c, rc = 0, nfiles;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!ktlp_valid(optarg))
				return kcli_usage_error("add", "--tlp: expected clear, green, amber, amber+strict or red");
			tlp = optarg;
			break;
		default:
			return kcli_bad_option("add", argv);
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1)
		return kcli_usage_error("add", "no file given");
	st = kcli_store(cli, 0);
	if (!st)
		return 1;
	for (int i = optind; i < argc; i++)
		if (add_file(cli, st, argv[i], tlp, &total))
			rc = 1;
	if (nfiles > 1)
		fprintf(stderr, "total: %ld new, %ld updated, %ld unchanged\n", total.created, total.updated,
			total.unchanged);
	return rc;
}
