/*
 * cmd_search.c - `kyokun search`: full-text search with facets, as text or
 * JSON.  The query language is query.c, the ranking search.c.
 */
#include "cli.h"
#include "kbuf.h"
#include "kerr.h"
#include "search.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

enum fmt { F_AUTO, F_TEXT, F_JSON };

/*
 * "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value, advancing *i; NULL
 * if not this option, or (setting *missing) if it is but no value follows.
 */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

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

struct searchargs {
	struct ksearch_opts o;
	enum fmt fmt;
	struct kreader me; /* the operator, who sees everything; --max-tlp limits it */
};

static int search_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct searchargs *a = arg;
	struct ksearch_result res = { 0 };
	struct kerr err = KERR_INIT;
	int rc = 0;

	kcli_reader_limit(cli, &a->me);
	if (ksearch(st, &a->o, &res, &err) < 0) {
		kcli_error("search: %s", err.msg);
		rc = err.code == KE_USAGE || err.code == KE_TOOBIG ? 2 : 1;
	} else if (ksearch_result_print(&res, stdout, a->fmt == F_JSON || (a->fmt == F_AUTO && !cli->out_tty),
					cli->out_tty, 0) < 0) {
		kcli_error("out of memory");
		rc = 1;
	}
	ksearch_result_free(&res);
	return rc;
}

int cmd_search(struct kcli *cli, int argc, char **argv)
{
	static const char *const formats[] = { "text", "json", NULL };
	struct searchargs a = { KSEARCH_OPTS_INIT, F_AUTO, KREADER_LOCAL_INIT };
	struct kerr err = KERR_INIT;
	struct kbuf query = KBUF_INIT;
	int rc = 0, missing, seen[KFACET__N] = { 0 }, only_words = 0, f;
	const char *v;

	a.o.filter.limit = 10;
	a.o.filter.reader = &a.me;
	kbuf_setcap(&query, KSEARCH_MAX_QUERY * 4);
	for (int i = 1; i < argc && !rc; i++) {
		const char *w = argv[i];

		missing = 0;
		if (only_words || w[0] != '-' || w[1] != '-') {
			/* a query word; "-word" excludes */
			if ((query.len && kbuf_addch(&query, ' ') < 0) || kbuf_adds(&query, w) < 0)
				rc = kcli_usage_error("search", "the query is too long (at most %d bytes)",
						      KSEARCH_MAX_QUERY);
		} else if (!strcmp(w, "--")) {
			only_words = 1;
		} else if ((v = opt_value(argc, argv, &i, "--format", &missing))) {
			if (!(rc = kcli_opt_choice(cli, "--format", v, formats, &f)))
				a.fmt = f ? F_JSON : F_TEXT;
		} else if ((v = opt_value(argc, argv, &i, "--limit", &missing))) {
			rc = kcli_opt_number(cli, "--limit", v, 1, 1000, &a.o.filter.limit);
		} else if ((v = opt_value(argc, argv, &i, "--offset", &missing))) {
			rc = kcli_opt_number(cli, "--offset", v, 0, 100000, &a.o.filter.offset);
		} else if ((v = opt_value(argc, argv, &i, "--sort", &missing))) {
			if (ksearch_sort_parse(v, &a.o.filter.sort, &err) < 0)
				rc = kcli_usage_error("search", "--sort: %s", err.msg);
		} else if ((v = opt_value(argc, argv, &i, "--max-tlp", &missing))) {
			if (!(rc = kcli_opt_tlp(cli, "--max-tlp", v, &a.me.limit)))
				a.me.limited = 1;
		} else if ((v = opt_value(argc, argv, &i, "--filter", &missing))) {
			if (ksearch_filter_arg(&a.o.filter, v, seen, &err) < 0)
				rc = kcli_usage_error("search", "--filter: %s", err.msg);
		} else if (missing) {
			rc = kcli_usage_error("search", "%s needs a value", w);
		} else {
			rc = kcli_usage_error("search", "unknown option '%s' (use -- before a query "
					      "word that starts with --)", w);
		}
	}
	if (!rc && query.len == 0)
		rc = kcli_usage_error("search", "no query: give words to search for");
	if (!rc) {
		a.o.query = kbuf_str(&query);
		rc = kcli_run(cli, search_run, &a);
	}
	kbuf_release(&query);
	return rc;
}
