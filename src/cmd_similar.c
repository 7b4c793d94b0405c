/*
 * cmd_similar.c - `kyokun similar`: the cases most like a case or a text,
 * with the distinctive terms they share (similar.c does the work).
 */
#include "cli.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "similar.h"
#include "store.h"

#include <getopt.h>
#include <string.h>

struct similarargs {
	struct ksimilar_opts o;
	int json;
	struct kreader me; /* the operator, who sees everything; --max-tlp limits it */
};

static int similar_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct similarargs *a = arg;
	struct ksearch_result res = { 0 };
	struct kerr err = KERR_INIT;
	int rc = 0;

	kcli_reader_limit(cli, &a->me);
	if (ksimilar(st, &a->o, &res, &err) < 0) {
		kcli_error("similar: %s", err.msg);
		rc = err.code == KE_USAGE || err.code == KE_TOOBIG ? 2 : 1;
	} else if (ksearch_result_print(&res, stdout, a->json, cli->out_tty, 1) < 0) {
		kcli_error("out of memory");
		rc = 1;
	}
	ksearch_result_free(&res);
	return rc;
}

int cmd_similar(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "text", required_argument, NULL, 't' },
		{ "max-tlp", required_argument, NULL, 'm' },
		{ "filter", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", NULL };
	struct similarargs a = { KSIMILAR_OPTS_INIT, !cli->out_tty, KREADER_LOCAL_INIT };
	struct kerr err = KERR_INIT;
	struct kbuf text = KBUF_INIT;
	int seen[KFACET__N] = { 0 }, c, rc = 0;

	a.o.filter.limit = 10;
	a.o.filter.reader = &a.me;
	optind = 0;
	while (!rc && (c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			rc = kcli_opt_choice(cli, "--format", optarg, formats, &a.json);
			break;
		case 'l':
			rc = kcli_opt_number(cli, "--limit", optarg, 1, 1000, &a.o.filter.limit);
			break;
		case 't':
			if (!strcmp(optarg, "-")) {
				kbuf_setcap(&text, KSIMILAR_MAX_TEXT);
				if (kbuf_read_fp(&text, stdin, &err) < 0) {
					kcli_error("similar: standard input: %s", err.msg);
					rc = err.code == KE_TOOBIG ? 2 : 1;
					break;
				}
				a.o.text = kbuf_str(&text);
			} else {
				a.o.text = optarg;
			}
			break;
		case 'm':
			if (!(rc = kcli_opt_tlp(cli, "--max-tlp", optarg, &a.me.limit)))
				a.me.limited = 1;
			break;
		case 'F':
			if (ksearch_filter_arg(&a.o.filter, optarg, seen, &err) < 0)
				rc = kcli_usage_error("similar", "--filter: %s", err.msg);
			break;
		default:
			rc = kcli_bad_option("similar", argv);
			break;
		}
	}
	if (rc)
		goto out;
	if (a.o.text && optind < argc) {
		rc = kcli_usage_error("similar", "give either a case ID or --text, not both");
		goto out;
	}
	if (!a.o.text) {
		if (optind >= argc) {
			rc = kcli_usage_error("similar", "give a case ID or --text TEXT");
			goto out;
		}
		if (optind + 1 < argc) {
			rc = kcli_usage_error("similar", "one case ID only (got '%s' too)", argv[optind + 1]);
			goto out;
		}
		a.o.id = argv[optind];
	} else if (!*a.o.text) {
		rc = kcli_usage_error("similar", "--text: the text is empty");
		goto out;
	}
	rc = kcli_run(cli, similar_run, &a);
out:
	kbuf_release(&text);
	return rc;
}
