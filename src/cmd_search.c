/*
 * cmd_search.c - `kyokun search`: full-text search with facets, as text or
 * JSON.  The query language is query.c, the ranking search.c.
 */
#include "case.h"
#include "cli.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_AUTO, F_TEXT, F_JSON };

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value, advancing *i; NULL if not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	*missing = 0;
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int parse_count(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_search(struct kcli *cli, int argc, char **argv)
{
	struct ksearch_opts o = KSEARCH_OPTS_INIT;
	struct kreader me = KREADER_LOCAL_INIT; /* the operator; --max-tlp limits it */
	struct ksearch_result res = { 0 };
	struct kerr err = KERR_INIT;
	struct kbuf query = KBUF_INIT;
	struct kstore *st;
	enum fmt fmt = F_AUTO;
	int rc = 0, missing, seen[KFACET__N] = { 0 }, only_words = 0;
	const char *v;

	o.filter.limit = 10;
	o.filter.reader = &me;
	kbuf_setcap(&query, KSEARCH_MAX_QUERY * 4);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_words || a[0] != '-' || a[1] != '-') {
			/* a query word; "-word" excludes */
			if ((query.len && kbuf_addch(&query, ' ') < 0) || kbuf_adds(&query, a) < 0) {
				rc = kcli_usage_error("search", "the query is too long (at most %d bytes)",
						      KSEARCH_MAX_QUERY);
				goto out;
			}
			continue;
		}
		if (!strcmp(a, "--")) {
			only_words = 1;
		} else if ((v = opt_value(argc, argv, &i, "--format", &missing))) {
			if (!strcmp(v, "json"))
				fmt = F_JSON;
			else if (!strcmp(v, "text"))
				fmt = F_TEXT;
			else {
				rc = kcli_usage_error("search", "--format: expected text or json");
				goto out;
			}
		} else if ((v = opt_value(argc, argv, &i, "--limit", &missing))) {
			if (parse_count(v, 1000, &o.filter.limit) < 0 || o.filter.limit == 0) {
				rc = kcli_usage_error("search", "--limit: expected a number from 1 to 1000");
				goto out;
			}
		} else if ((v = opt_value(argc, argv, &i, "--offset", &missing))) {
			if (parse_count(v, 100000, &o.filter.offset) < 0) {
				rc = kcli_usage_error("search", "--offset: expected a number from 0 to 100000");
				goto out;
			}
		} else if ((v = opt_value(argc, argv, &i, "--max-tlp", &missing))) {
			if (!ktlp_valid(v)) {
				rc = kcli_usage_error("search", "--max-tlp: expected clear, green, amber, "
						      "amber+strict or red");
				goto out;
			}
			me.limited = 1;
			me.limit = ktlp_rank(v);
		} else if ((v = opt_value(argc, argv, &i, "--filter", &missing))) {
			if (ksearch_filter_arg(&o.filter, v, seen, &err) < 0) {
				rc = kcli_usage_error("search", "--filter: %s", err.msg);
				goto out;
			}
		} else if (missing) {
			rc = kcli_usage_error("search", "%s needs a value", a);
			goto out;
		} else {
			rc = kcli_usage_error("search", "unknown option '%s' (use -- before a query "
					      "word that starts with --)", a);
			goto out;
		}
	}
	if (query.len == 0) {
		rc = kcli_usage_error("search", "no query: give words to search for");
		goto out;
	}
	o.query = kbuf_str(&query);
	st = kcli_store(cli, 0);
	if (!st) {
		rc = 1;
		goto out;
	}
	if (ksearch(st, &o, &res, &err) < 0) {
		if (err.code == KE_USAGE || err.code == KE_TOOBIG) {
			kcli_error("search: %s", err.msg);
			rc = 2;
		} else {
			kcli_error("search: %s", err.msg);
			rc = 1;
		}
		goto out;
	}
	if (ksearch_result_print(&res, stdout, fmt == F_JSON || (fmt == F_AUTO && !cli->out_tty),
				 cli->out_tty, 0) < 0) {
		kcli_error("out of memory");
		rc = 1;
	}
out:
	ksearch_result_free(&res);
	kbuf_release(&query);
	return rc;
}
