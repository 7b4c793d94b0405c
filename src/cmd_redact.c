/*
 * cmd_redact.c - `kyokun redact`: what in a case or draft could identify
 * an organisation or a person (redact.h), replacing it with neutral labels
 * as a new revision, and the analyst's side of it: names to look for,
 * findings judged harmless (store_redact.h).
 *
 *   redact --check ID [--name NAME]... [--format text|json]
 *   redact --apply ID [--name NAME]...
 *   redact --add-name ID NAME
 *   redact --dismiss ID --kind KIND --text TEXT --reason REASON
 *
 * With the global --as LOGIN the command reads and writes as that user:
 * the case must be one the user may see, and writing needs KCAP_CASE_EDIT.
 */
#include "cli.h"
#include "account.h"
#include "case.h"
#include "kerr.h"
#include "reader.h"
#include "redact.h"
#include "store.h"
#include "store_redact.h"
#include "store_report.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { OP_NONE, OP_CHECK, OP_APPLY, OP_ADD_NAME, OP_DISMISS };

struct redactctx {
	enum op op;
	const char *id;
	struct kstrv names;  /* --name */
	int json;
	const char *kind, *text, *reason, *add_name;
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* Load case or draft id as cli->reader may see it: 0, or 1 after the message. */
static int load(struct kcli *cli, struct kstore *st, const char *id, struct kcase *c, int *draft)
{
	struct kerr err = KERR_INIT;
	int rc;

	*draft = 0;
	rc = kstore_draft_get(st, id, c, &err);
	if (rc == 0) {
		if (kreader_may_see_drafts(cli->reader)) {
			*draft = 1;
			return 0;
		}
		kcli_error("%s", kcli_no_case(id));
		return 1;
	}
	if (rc != KE_NOTFOUND) {
		kcli_error("%s", err.msg);
		return 1;
	}
	kcase_free(c);
	kcase_init(c);
	rc = kstore_get(st, id, c, &err);
	if (rc == KE_NOTFOUND || (rc == 0 && !kreader_may_see_case(cli->reader, c))) {
		kcli_error("%s", kcli_no_case(id));
		return 1;
	}
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

static int may_edit(const struct kcli *cli)
{
	if (kreader_can(cli->reader, KCAP_CASE_EDIT))
		return 0;
	kcli_error("anonymising a case is for the centre's analysts and publishers (%s is %s)",
		   str_or(cli->reader->login, "this user"), str_or(krole_name(cli->reader->role), "no role"));
	return 1;
}

/* The names stored for the case, then those given: into *all. */
static int all_names(struct kstore *st, const struct redactctx *ctx, struct kstrv *all, struct kerr *err)
{
	int rc = kstore_redact_names(st, ctx->id, all, err);

	for (size_t i = 0; !rc && i < ctx->names.n; i++)
		if (!kstrv_contains(all, ctx->names.v[i]) && kstrv_push(all, ctx->names.v[i]) < 0)
			rc = kerr_set(err, KE_NOMEM, "out of memory");
	return rc;
}

static void print_oneline(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

/* ---- check --------------------------------------------------------------------------------- */

struct dis_print {
	json_t *list;
	long n;
};

static int dis_cb(void *vctx, const struct kredact_dismissal *d)
{
	struct dis_print *p = vctx;

	p->n++;
	if (p->list) {
		json_t *j = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "kind", d->kind, "text", d->text, "reason",
				      d->reason, "actor", d->actor, "at", d->at);

		return !j || json_array_append_new(p->list, j) ? KE_NOMEM : 0;
	}
	if (p->n == 1)
		puts("\n見逃し済み dismissed (not identifying):");
	printf("  %-8s 「", str_or(d->kind, "?"));
	print_oneline(d->text);
	printf("」 %s, %s: ", str_or(d->actor, "-"), str_or(d->at, "-"));
	print_oneline(d->reason);
	putchar('\n');
	return 0;
}

static int check_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct redactctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kcase c;
	struct kstrv names = { 0 };
	struct kfinding_list fl = { 0 };
	struct dis_print dp = { 0 };
	json_t *out = NULL, *arr = NULL, *nm = NULL;
	size_t dropped = 0, counts[KFIND__N] = { 0 };
	int rc = 1, draft;

	kcase_init(&c);
	if (load(cli, st, ctx->id, &c, &draft))
		goto out;
	if (all_names(st, ctx, &names, &err) < 0 || kredact_check(&c, &names, &fl, &err) < 0 ||
	    kstore_redact_filter(st, ctx->id, &fl, &dropped, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < fl.n; i++)
		counts[fl.v[i].kind]++;
	if (ctx->json) {
		json_t *cnt = json_object();

		out = json_object();
		arr = json_array();
		nm = json_array();
		dp.list = json_array();
		if (!out || !arr || !nm || !dp.list || !cnt) {
			json_decref(cnt);
			goto nomem;
		}
		if (c.owner && json_array_append_new(nm, json_string(c.owner)))
			goto nomem;
		for (size_t i = 0; i < names.n; i++)
			if (json_array_append_new(nm, json_string(names.v[i])))
				goto nomem;
		for (size_t i = 0; i < fl.n; i++) {
			const struct kfinding *f = &fl.v[i];
			json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s?, s:s?}", "kind",
					      kfinding_kind_key(f->kind), "kind_ja", kfinding_kind_label_ja(f->kind), "field",
					      f->field, "start", (json_int_t)f->start, "end", (json_int_t)f->end, "text",
					      f->text, "label", f->label, "suggestion", f->suggestion);

			if (!j || json_array_append_new(arr, j))
				goto nomem;
		}
		for (int k = 0; k < KFIND__N; k++)
			if (counts[k] && json_object_set_new(cnt, kfinding_kind_key(k), json_integer((json_int_t)counts[k])))
				goto nomem;
		if (json_object_set_new(out, "id", json_string(ctx->id)) ||
		    json_object_set_new(out, "draft", json_boolean(draft)) || json_object_set_new(out, "names", nm) ||
		    json_object_set_new(out, "counts", cnt))
			goto nomem;
		nm = NULL;
		if (json_object_set_new(out, "findings", arr))
			goto nomem;
		arr = NULL;
	} else {
		printf("%s%s: %zu finding%s", ctx->id, draft ? " (下書き draft)" : "", fl.n, fl.n == 1 ? "" : "s");
		if (dropped)
			printf(" (%zu dismissed)", dropped);
		putchar('\n');
		printf("names: ");
		print_oneline(str_or(c.owner, "(no owner)"));
		for (size_t i = 0; i < names.n; i++) {
			fputs(", ", stdout);
			print_oneline(names.v[i]);
		}
		putchar('\n');
		for (size_t i = 0; i < fl.n; i++) {
			const struct kfinding *f = &fl.v[i];

			printf("%-8s %-20s %6zu-%-6zu 「", kfinding_kind_key(f->kind), f->field, f->start, f->end);
			print_oneline(f->text);
			if (f->label)
				printf("」 → %s\n", f->label);
			else {
				fputs("」 ", stdout);
				print_oneline(f->suggestion);
				putchar('\n');
			}
		}
	}
	rc = kstore_redact_dismissals(st, ctx->id, dis_cb, &dp, &err);
	if (rc) {
		if (rc == KE_NOMEM)
			goto nomem;
		kcli_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if (ctx->json) {
		if (json_object_set_new(out, "dismissed", dp.list))
			goto nomem;
		dp.list = NULL;
		if (json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			goto nomem;
		putchar('\n');
	}
	rc = 0;
	goto out;
nomem:
	kcli_error("out of memory");
	rc = 1;
out:
	json_decref(out);
	json_decref(arr);
	json_decref(nm);
	json_decref(dp.list);
	kfinding_list_free(&fl);
	kstrv_clear(&names);
	kcase_free(&c);
	return rc;
}

/* ---- apply ---------------------------------------------------------------------------------- */

static int latest_cb(void *vctx, const struct krevision *r)
{
	int *latest = vctx;

	if (r->revision > *latest)
		*latest = r->revision;
	return 0;
}

static int apply_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct redactctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kcase c;
	struct kstrv names = { 0 };
	struct kfinding_list fl = { 0 };
	size_t replaced = 0, dropped = 0;
	int rc = 1, draft, in_tx = 0, outcome = 0, latest = 0;

	kcase_init(&c);
	if (may_edit(cli))
		goto out;
	if (kstore_begin(st, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	in_tx = 1;
	if (load(cli, st, ctx->id, &c, &draft))
		goto out;
	if (all_names(st, ctx, &names, &err) < 0 || kredact_check(&c, &names, &fl, &err) < 0 ||
	    kstore_redact_filter(st, ctx->id, &fl, &dropped, &err) < 0 ||
	    kredact_apply_findings(&c, &fl, &replaced, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	if (!replaced) {
		printf("%s: nothing to replace (no labelled finding%s)\n", ctx->id,
		       dropped ? ", or all dismissed" : "");
		rc = 0;
		goto out;
	}
	if (kcase_validate(&c, &err) < 0) {
		kcli_error("the anonymised case would not be valid: %s", err.msg);
		goto out;
	}
	if ((draft ? kstore_draft_put(st, &c, NULL, &outcome, &err) : kstore_put(st, &c, &outcome, &err)) < 0 ||
	    kstore_redact_applied(st, ctx->id, replaced, &err) < 0 || kstore_history(st, ctx->id, latest_cb, &latest, &err) < 0 ||
	    kstore_commit(st, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	in_tx = 0;
	for (size_t i = 0; i < fl.n; i++) {
		const struct kfinding *f = &fl.v[i];

		if (!f->label)
			continue;
		printf("%-20s %6zu-%-6zu 「", f->field, f->start, f->end);
		print_oneline(f->text);
		printf("」 → %s\n", f->label);
	}
	printf("%s: %zu replacement%s, saved as revision %d%s (kyokun history %s)\n", ctx->id, replaced,
	       replaced == 1 ? "" : "s", latest, draft ? " of the draft" : "", ctx->id);
	rc = 0;
out:
	if (in_tx)
		kstore_rollback(st);
	kfinding_list_free(&fl);
	kstrv_clear(&names);
	kcase_free(&c);
	return rc;
}

/* ---- names and dismissals ------------------------------------------------------------------------ */

static int note_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct redactctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kcase c;
	int rc = 1, draft;

	kcase_init(&c);
	if (may_edit(cli) || load(cli, st, ctx->id, &c, &draft))
		goto out;
	if (ctx->op == OP_ADD_NAME)
		rc = kstore_redact_name_add(st, ctx->id, ctx->add_name, &err);
	else
		rc = kstore_redact_dismiss(st, ctx->id, ctx->kind, ctx->text, ctx->reason, &err);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if (ctx->op == OP_ADD_NAME)
		fprintf(stderr, "%s: \"%s\" will be looked for by 'kyokun redact --check %s'\n", ctx->id, ctx->add_name,
			ctx->id);
	else
		fprintf(stderr, "%s: %s \"%s\" kept as it is (not identifying)\n", ctx->id, ctx->kind, ctx->text);
	rc = 0;
out:
	kcase_free(&c);
	return rc;
}

/* ---- arguments ----------------------------------------------------------------------------------- */

static int set_op(struct redactctx *ctx, enum op op, const char *id)
{
	if (ctx->op != OP_NONE)
		return kcli_usage_error("redact", "say one of --check, --apply, --add-name or --dismiss");
	ctx->op = op;
	ctx->id = id;
	return 0;
}

int cmd_redact(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "apply", required_argument, NULL, 'a' },
		{ "add-name", required_argument, NULL, 'N' },
		{ "dismiss", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "text", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "json", NULL };
	struct redactctx ctx = { 0 };
	const char *fmtarg = NULL;
	int c, rc = 2;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': rc = set_op(&ctx, OP_CHECK, optarg); break;
		case 'a': rc = set_op(&ctx, OP_APPLY, optarg); break;
		case 'N': rc = set_op(&ctx, OP_ADD_NAME, optarg); break;
		case 'd': rc = set_op(&ctx, OP_DISMISS, optarg); break;
		case 'n':
			rc = 0;
			if (!*optarg || strlen(optarg) > KREDACT_NAME_MAX)
				rc = kcli_usage_error("redact", "--name: expected a name of 1 to %d bytes", KREDACT_NAME_MAX);
			else if (kstrv_push(&ctx.names, optarg) < 0) {
				kcli_error("out of memory");
				rc = 1;
			}
			break;
		case 'k': ctx.kind = optarg; rc = 0; break;
		case 't': ctx.text = optarg; rc = 0; break;
		case 'r': ctx.reason = optarg; rc = 0; break;
		case 'f': fmtarg = optarg; rc = 0; break;
		default:
			rc = kcli_bad_option("redact", argv);
		}
		if (rc)
			goto out;
	}
	rc = 2;
	if (ctx.op == OP_NONE) {
		rc = kcli_usage_error("redact", "redact: say --check ID, --apply ID, --add-name ID NAME or --dismiss ID");
		goto out;
	}
	if (ctx.op == OP_ADD_NAME && optind == argc - 1) {
		ctx.add_name = argv[optind++];
	} else if (ctx.op == OP_ADD_NAME && optind == argc && ctx.names.n == 1) {
		ctx.add_name = ctx.names.v[0];
	} else if (ctx.op == OP_ADD_NAME) {
		rc = kcli_usage_error("redact", "--add-name ID NAME: one name");
		goto out;
	}
	if (optind < argc) {
		rc = kcli_usage_error("redact", "redact: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!*ctx.id || strlen(ctx.id) > 200 || strpbrk(ctx.id, " \t\r\n")) {
		rc = kcli_usage_error("redact", "'%.80s' is not a case id", ctx.id);
		goto out;
	}
	if (fmtarg && ctx.op != OP_CHECK) {
		rc = kcli_usage_error("redact", "--format is for --check");
		goto out;
	}
	if (fmtarg) {
		int i = 0;

		if ((rc = kcli_opt_choice(cli, "--format", fmtarg, formats, &i)))
			goto out;
		ctx.json = i == 1;
	}
	if (ctx.op == OP_DISMISS) {
		if (!ctx.kind || !ctx.text || !ctx.reason) {
			rc = kcli_usage_error("redact", "--dismiss ID needs --kind KIND, --text TEXT and --reason REASON");
			goto out;
		}
		if (kfinding_kind_from_key(ctx.kind) < 0) {
			rc = kcli_usage_error("redact", "--kind: expected name, person, email, ipv4, ipv6, domain, url, "
					      "phone, address or reid");
			goto out;
		}
	} else if (ctx.kind || ctx.text || ctx.reason) {
		rc = kcli_usage_error("redact", "--kind, --text and --reason are for --dismiss");
		goto out;
	}
	cli->as_acts = 1;
	rc = kcli_run_store(cli, ctx.op == OP_CHECK ? KCLI_READ : KCLI_WRITE,
			    ctx.op == OP_CHECK ? check_run : ctx.op == OP_APPLY ? apply_run : note_run, &ctx);
out:
	kstrv_clear(&ctx.names);
	return rc;
}
