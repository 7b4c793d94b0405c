/*
 * cmd_similar.c - `kyokun similar`: the cases most like a case or a text,
 * with the distinctive terms they share (similar.c does the work).
 */
#include "case.h"
#include "cli.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "similar.h"
#include "store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
	struct ksimilar_opts o = KSIMILAR_OPTS_INIT;
	struct kreader me = KREADER_LOCAL_INIT; /* the operator; --max-tlp limits it */
	struct ksearch_result res = { 0 };
	struct kerr err = KERR_INIT;
	struct kbuf text = KBUF_INIT;
	struct kstore *st;
	int seen[KFACET__N] = { 0 }, json = !cli->out_tty, c, rc = 0;
	char *end;

	o.filter.limit = 10;
	o.filter.reader = &me;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (!strcmp(optarg, "text"))
				json = 0;
			else {
				rc = kcli_usage_error("similar", "--format: expected text or json");
				goto out;
			}
			break;
		case 'l':
			o.filter.limit = strtol(optarg, &end, 10);
			if (*end || !*optarg || o.filter.limit < 1 || o.filter.limit > 1000) {
				rc = kcli_usage_error("similar", "--limit: expected a number from 1 to 1000");
				goto out;
			}
			break;
		case 't':
			if (!strcmp(optarg, "-")) {
				kbuf_setcap(&text, KSIMILAR_MAX_TEXT);
				if (kbuf_read_fp(&text, stdin, &err) < 0) {
					kcli_error("similar: standard input: %s", err.msg);
					rc = err.code == KE_TOOBIG ? 2 : 1;
					goto out;
				}
				o.text = kbuf_str(&text);
			} else {
				o.text = optarg;
			}
			break;
		case 'm':
			if (!ktlp_valid(optarg)) {
				rc = kcli_usage_error("similar", "--max-tlp: expected clear, green, amber, "
						      "amber+strict or red");
				goto out;
			}
			me.limited = 1;
			me.limit = ktlp_rank(optarg);
			break;
		case 'F':
			if (ksearch_filter_arg(&o.filter, optarg, seen, &err) < 0) {
				rc = kcli_usage_error("similar", "--filter: %s", err.msg);
				goto out;
			}
			break;
		default:
			rc = kcli_bad_option("similar", argv);
			goto out;
		}
	}
	if (o.text && optind < argc) {
		rc = kcli_usage_error("similar", "give either a case ID or --text, not both");
		goto out;
	}
	if (!o.text) {
		if (optind >= argc) {
			rc = kcli_usage_error("similar", "give a case ID or --text TEXT");
			goto out;
		}
		if (optind + 1 < argc) {
			rc = kcli_usage_error("similar", "one case ID only (got '%s' too)", argv[optind + 1]);
			goto out;
		}
		o.id = argv[optind];
	} else if (!*o.text) {
		rc = kcli_usage_error("similar", "--text: the text is empty");
		goto out;
	}
	st = kcli_store(cli, 0);
	if (!st) {
		rc = 1;
		goto out;
	}
	if (ksimilar(st, &o, &res, &err) < 0) {
		kcli_error("similar: %s", err.msg);
		rc = err.code == KE_USAGE || err.code == KE_TOOBIG ? 2 : 1;
		goto out;
	}
	if (ksearch_result_print(&res, stdout, json, cli->out_tty, 1) < 0) {
		kcli_error("out of memory");
		rc = 1;
	}
out:
	ksearch_result_free(&res);
	kbuf_release(&text);
	return rc;
}
