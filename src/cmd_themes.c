/*
 * cmd_themes.c - `kyokun themes`: the 総括 (cross-case lessons) of a set
 * of cases (theme.h), and the analysts' edits of it (store_theme.h):
 * rename a theme, merge two, move a lesson to another or a new theme,
 * list and undo the edits.  Editing is for analysts and publishers
 * (KCAP_CASE_EDIT) or the operator; with --as LOGIN it acts as that user.
 */
#include "cli.h"
#include "case.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_account.h"
#include "store_theme.h"
#include "theme.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum op { O_SHOW, O_RENAME, O_MERGE, O_MOVE, O_EDITS, O_UNDO };

struct themesctx {
	struct ktheme_scope scope;
	const char *scope_name; /* --scope */
	int json;
	enum op op;
	const char *a, *b, *name;
};

static int load(struct kcli *cli, struct kstore *st, struct themesctx *ctx, struct kcase_list *cases,
		char **scope, struct kstrv *notes, char **edits, struct ktheme_list *tl)
{
	struct kerr err = KERR_INIT;
	int rc;

	if ((rc = ktheme_scope_cases(st, cli->reader, &ctx->scope, cases, scope, notes, &err)) < 0)
		goto fail;
	if (ctx->scope_name) {
		free(*scope);
		if (!(*scope = strdup(ctx->scope_name))) {
			rc = kerr_set(&err, KE_NOMEM, "out of memory");
			goto fail;
		}
	}
	if ((rc = kstore_theme_edits_get(st, *scope, edits, &err)) < 0)
		goto fail;
	if ((rc = ktheme_compute(cases->v, cases->n, *edits, tl, &err)) < 0)
		goto fail;
	return 0;
fail:
	kcli_error("themes: %s", err.msg);
	return 1;
}

static const char *label(const struct ktheme_lesson *l)
{
	return l->shared ? "共通" : "固有";
}

static void first_line(const char *s, int width)
{
	size_t l = strcspn(s, "\n");
	char *t = strndup(s, l);
	if (!t)
		return;
	if (kcli_width(t) > width) {
		kcli_print_cell(stdout, t, width - 1);
		fputs("…", stdout);
	} else
		fputs(t, stdout);
	free(t);
}

static int print_text(const struct kcase_list *cases, const char *scope, const struct kstrv *notes,
		      const struct ktheme_list *tl)
{
	size_t nl = 0;

	for (size_t i = 0; i < tl->n; i++)
		nl += tl->v[i].n;
	printf("総括 (cross-case lessons) of %s: %zu cases, %zu lessons, %zu themes\n", scope, cases->n, nl, tl->n);
	for (size_t i = 0; i < tl->n; i++) {
		const struct ktheme *t = &tl->v[i];
		struct kstrv ids = { 0 };
		size_t shared = 0;
		for (size_t j = 0; j < t->n; j++) {
			const char *id = cases->v[t->lessons[j].case_index].id;
			if (!kstrv_contains(&ids, id) && kstrv_push(&ids, id) < 0)
				return KE_NOMEM;
			shared += t->lessons[j].shared;
		}
		printf("\n%zu. %s%s%s  [%s]%s\n", i + 1, t->name, t->name_en ? " / " : "", t->name_en ? t->name_en : "",
		       t->key, t->edited ? "  (edited)" : "");
		printf("   %zu lesson%s from %zu case%s (%s):", t->n, t->n == 1 ? "" : "s", ids.n, ids.n == 1 ? "" : "s",
		       shared ? "共通 shared" : "固有 specific");
		for (size_t k = 0; k < ids.n; k++)
			printf(" %s", ids.v[k]);
		putchar('\n');
		kstrv_clear(&ids);
		for (size_t j = 0; j < t->n; j++) {
			const struct ktheme_lesson *l = &t->lessons[j];
			printf("   %s %s#%zu  ", label(l), cases->v[l->case_index].id, l->item);
			first_line(l->text, 70);
			putchar('\n');
		}
	}
	for (size_t i = 0; i < notes->n; i++)
		printf("%snote: %s\n", i ? "" : "\n", notes->v[i]);
	for (size_t i = 0; i < tl->notes.n; i++)
		printf("%snote: %s\n", i || notes->n ? "" : "\n", tl->notes.v[i]);
	return 0;
}

static int print_json(const struct kcase_list *cases, const char *scope, const struct kstrv *notes,
		      const struct ktheme_list *tl, struct kerr *err)
{
	json_t *root = json_object(), *jt = json_array(), *jn = json_array(), *jc = json_array();
	int rc = 0;

	if (!root || !jt || !jn || !jc)
		goto nomem;
	for (size_t i = 0; i < cases->n; i++)
		if (json_array_append_new(jc, json_pack("{s:s, s:s?}", "id", cases->v[i].id, "title",
							cases->v[i].title)))
			goto nomem;
	for (size_t i = 0; i < tl->n; i++) {
		const struct ktheme *t = &tl->v[i];
		json_t *o = json_pack("{s:s, s:s, s:s?, s:b, s:b}", "key", t->key, "name", t->name, "name_en",
				      t->name_en, "other", t->other, "edited", t->edited);
		json_t *ls = json_array(), *ids = json_array();
		if (!o || !ls || !ids || json_object_set_new(o, "lessons", ls) || json_object_set_new(o, "cases", ids) ||
		    json_array_append_new(jt, o))
			goto nomem;
		for (size_t j = 0; j < t->n; j++) {
			const struct ktheme_lesson *l = &t->lessons[j];
			const char *id = cases->v[l->case_index].id;
			char ref[400];
			int seen = 0;
			snprintf(ref, sizeof(ref), "%s#%zu", id, l->item);
			for (size_t k = 0; k < json_array_size(ids); k++)
				seen |= !strcmp(json_string_value(json_array_get(ids, k)), id);
			if ((!seen && json_array_append_new(ids, json_string(id))) ||
			    json_array_append_new(ls, json_pack("{s:s, s:s, s:s, s:b, s:s}", "ref", ref, "case", id, "text",
								 l->text, "shared", l->shared, "label", label(l))))
				goto nomem;
		}
	}
	for (size_t i = 0; i < notes->n; i++)
		if (json_array_append_new(jn, json_string(notes->v[i])))
			goto nomem;
	for (size_t i = 0; i < tl->notes.n; i++)
		if (json_array_append_new(jn, json_string(tl->notes.v[i])))
			goto nomem;
	if (json_object_set_new(root, "scope", json_string(scope)) || json_object_set(root, "cases", jc) ||
	    json_object_set(root, "themes", jt) || json_object_set(root, "notes", jn))
		goto nomem;
	if (json_dumpf(root, stdout, JSON_INDENT(2)) < 0)
		goto nomem;
	putchar('\n');
	goto out;
nomem:
	rc = kerr_set(err, KE_NOMEM, "out of memory");
out:
	json_decref(root);
	json_decref(jt);
	json_decref(jn);
	json_decref(jc);
	return rc;
}

static int edit_run(struct kcli *cli, struct kstore *st, struct themesctx *ctx, const struct kcase_list *cases,
		    const char *scope, const char *edits, const struct ktheme_list *tl)
{
	static const char *const ops[] = { [O_RENAME] = "rename", [O_MERGE] = "merge", [O_MOVE] = "move" };
	struct kerr err = KERR_INIT;
	char *text = NULL;
	int rc;

	if (!kreader_can(cli->reader, KCAP_CASE_EDIT)) {
		kcli_error("themes: editing the 総括 is for analysts and publishers");
		return 1;
	}
	rc = ktheme_edit_make(cases->v, cases->n, tl, edits, ops[ctx->op], ctx->a, ctx->b, ctx->name, &text, &err);
	if (rc == KE_NOTFOUND && strncmp(err.msg, "no lesson", 9)) {
		fprintf(stderr, "kyokun: themes: %s; the themes are:", err.msg);
		for (size_t i = 0; i < tl->n; i++)
			fprintf(stderr, " %s", tl->v[i].key);
		fputc('\n', stderr);
		return 1;
	}
	if (rc >= 0)
		rc = kstore_theme_edit_add(st, scope, text, &err);
	if (rc < 0) {
		kcli_error("themes: %s", err.msg);
		free(text);
		return 1;
	}
	fprintf(stderr, "themes of %s: kept %s\n", scope, text);
	free(text);
	return 0;
}

static int list_edits(const char *scope, const char *edits, int as_json)
{
	json_t *root = edits ? json_loads(edits, 0, NULL) : NULL, *arr = json_object_get(root, "edits"), *e;
	size_t i;

	if (as_json) {
		json_t *o = json_pack("{s:s, s:O}", "scope", scope, "edits", arr ? arr : json_array());
		if (o)
			json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		printf("edits of the themes of %s: %zu\n", scope, json_array_size(arr));
		json_array_foreach(arr, i, e) {
			json_t *c = json_deep_copy(e);
			char *s;
			json_object_del(c, "n");
			json_object_del(c, "by");
			json_object_del(c, "at");
			s = json_dumps(c, JSON_COMPACT);
			printf("%3lld  %s  %-16s  %s\n", (long long)json_integer_value(json_object_get(e, "n")),
			       json_string_value(json_object_get(e, "at")) ? json_string_value(json_object_get(e, "at")) : "-",
			       json_string_value(json_object_get(e, "by")) ? json_string_value(json_object_get(e, "by")) : "-",
			       s ? s : "");
			free(s);
			json_decref(c);
		}
	}
	json_decref(root);
	return 0;
}

static int themes_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct themesctx *ctx = arg;
	struct kcase_list cases = { 0 };
	struct ktheme_list tl = { 0 };
	struct kstrv notes = { 0 };
	struct kerr err = KERR_INIT;
	char *scope = NULL, *edits = NULL;
	int rc = 1;

	if (ctx->op == O_UNDO || (ctx->op == O_EDITS && !ctx->scope.period && !ctx->scope.document && !ctx->scope.ids)) {
		if (ctx->op == O_UNDO) {
			if (!kreader_can(cli->reader, KCAP_CASE_EDIT)) {
				kcli_error("themes: editing the 総括 is for analysts and publishers");
				return 1;
			}
			if (kstore_theme_edit_undo(st, ctx->scope_name, &err) < 0) {
				kcli_error("themes: %s", err.msg);
				return 1;
			}
			fprintf(stderr, "themes of %s: the latest edit undone\n", ctx->scope_name);
			return 0;
		}
		if (kstore_theme_edits_get(st, ctx->scope_name, &edits, &err) < 0) {
			kcli_error("themes: %s", err.msg);
			return 1;
		}
		rc = list_edits(ctx->scope_name, edits, ctx->json);
		free(edits);
		return rc;
	}
	if (load(cli, st, ctx, &cases, &scope, &notes, &edits, &tl))
		goto out;
	if (ctx->op == O_EDITS)
		rc = list_edits(scope, edits, ctx->json);
	else if (ctx->op != O_SHOW)
		rc = edit_run(cli, st, ctx, &cases, scope, edits, &tl);
	else if (ctx->json) {
		if (print_json(&cases, scope, &notes, &tl, &err) < 0)
			kcli_error("themes: %s", err.msg);
		else
			rc = 0;
	} else
		rc = print_text(&cases, scope, &notes, &tl) < 0;
out:
	ktheme_list_free(&tl);
	kcase_list_free(&cases);
	kstrv_clear(&notes);
	free(scope);
	free(edits);
	return rc;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int cmd_themes(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "select", required_argument, NULL, 's' },
		{ "document", required_argument, NULL, 'd' },
		{ "scope", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "rename", required_argument, NULL, 'r' },
		{ "merge", required_argument, NULL, 'm' },
		{ "move", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "edits", no_argument, NULL, 'e' },
		{ "undo", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", NULL };
	struct themesctx ctx = { .op = O_SHOW };
	int c, f = 0, nops = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'p': ctx.scope.period = optarg; break;
		case 's': ctx.scope.ids = optarg; break;
		case 'd': ctx.scope.document = optarg; break;
		case 'S': ctx.scope_name = optarg; break;
		case 'f':
			if (kcli_opt_choice(cli, "--format", optarg, formats, &f))
				return 2;
			ctx.json = f == 1;
			break;
		case 'r': ctx.op = O_RENAME; ctx.a = optarg; nops++; break;
		case 'm': ctx.op = O_MERGE; ctx.a = optarg; nops++; break;
		case 'v': ctx.op = O_MOVE; ctx.a = optarg; nops++; break;
		case 'n': ctx.name = optarg; break;
		case 'e': ctx.op = O_EDITS; nops++; break;
		case 'u': ctx.op = O_UNDO; nops++; break;
		default:
			return kcli_bad_option("themes", argv);
		}
	}
	if (nops > 1)
		return kcli_usage_error("themes", "give one of --rename, --merge, --move, --edits, --undo");
	if (ctx.op == O_RENAME || ctx.op == O_MERGE || ctx.op == O_MOVE) {
		if (optind + 1 != argc)
			return kcli_usage_error("themes", "%s takes two values: %s",
						ctx.op == O_RENAME ? "--rename" : ctx.op == O_MERGE ? "--merge" : "--move",
						ctx.op == O_RENAME ? "KEY NAME" : ctx.op == O_MERGE ? "KEY1 KEY2" : "CASEID#N KEY|new");
		ctx.b = argv[optind];
		if (ctx.op == O_RENAME && (!*ctx.b || strlen(ctx.b) > 200))
			return kcli_usage_error("themes", "--rename: the name must be 1 to 200 bytes");
	} else if (optind != argc)
		return kcli_usage_error("themes", "unexpected argument '%s'", argv[optind]);
	if (ctx.name && ctx.op != O_MOVE)
		return kcli_usage_error("themes", "--name goes with --move LESSON new");
	if (!!ctx.scope.period + !!ctx.scope.ids + !!ctx.scope.document > 1)
		return kcli_usage_error("themes", "give one of --period, --select, --document");
	if (!ctx.scope.period && !ctx.scope.ids && !ctx.scope.document) {
		if (!ctx.scope_name)
			return kcli_usage_error("themes", "give --period YEAR, --select ID,... or --document NAME");
		if (ctx.op != O_EDITS && ctx.op != O_UNDO) {
			/* the scope names its cases: a year is a period, else a published report */
			if (all_digits(ctx.scope_name))
				ctx.scope.period = ctx.scope_name;
			else
				ctx.scope.document = ctx.scope_name;
		}
	}
	if (ctx.op == O_UNDO && !ctx.scope_name) {
		ctx.scope_name = ctx.scope.period ? ctx.scope.period : ctx.scope.document;
		if (!ctx.scope_name)
			return kcli_usage_error("themes", "--undo: give --scope S (or --period, --document)");
	}
	if (ctx.op != O_SHOW && ctx.op != O_EDITS)
		cli->as_acts = 1;
	return kcli_run(cli, themes_run, &ctx);
}
