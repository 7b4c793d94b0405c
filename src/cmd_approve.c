/*
 * cmd_approve.c - `kyokun approve`: the reporting organisation's approval
 * of a case draft (approval.h, store_approval.h).
 *
 *   approve --request ID [--comment NOTE]   an analyst asks the organisation
 *   approve ID                              a user of the organisation approves
 *                                           the current revision (--as LOGIN)
 *   approve ID --comment TEXT               a comment on the current revision
 *   approve --status ID [--format json]     the organisation, the history and
 *                                           what still stands in the way of
 *                                           publishing (the gate)
 *
 * Who may do what is reader.c's (kreader_may_see_approval,
 * kreader_may_approve); a draft the user may not see is "no case draft",
 * the same words as one that is not there.
 */
#include "cli.h"
#include "approval.h"
#include "kerr.h"
#include "reader.h"
#include "store.h"
#include "store_approval.h"
#include "store_report.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mode { M_APPROVE, M_COMMENT, M_REQUEST, M_STATUS };

struct approvectx {
	enum mode mode;
	const char *id;
	const char *text;
	int json;
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static int no_draft(const char *id)
{
	kcli_error("no case draft with id \"%.100s\" (see 'kyokun draft list')", id);
	return 1;
}

static json_t *history_json(const struct kapproval_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++) {
		const struct kapproval *x = &l->v[i];
		json_t *j = json_pack("{s:s, s:i, s:s?, s:s?, s:s?, s:s?}", "kind", kapproval_kind_key(x->kind),
				      "revision", x->revision, "who", x->who, "org", x->org, "at", x->at, "text", x->text);

		if (!j || json_array_append_new(a, j)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int print_status(const char *id, const struct kapproval_target *t, const struct kapproval_list *l,
			const struct kgate *g, int json)
{
	char buf[400];

	if (json) {
		json_t *reasons = json_array(), *o;
		int rc = 0;

		for (unsigned r = 1; reasons && r <= KGATE__ALL; r <<= 1)
			if (g->reasons & r) {
				kgate_reason_text(g, r, buf, sizeof(buf));
				json_array_append_new(reasons, json_pack("{s:s, s:s}", "reason", kgate_reason_key(r),
									 "text", buf));
			}
		o = json_pack("{s:s, s:i, s:i, s:s?, s:s?, s:b, s:b, s:i, s:i, s:I, s:o, s:o}", "id", id, "revision",
			      t->revision, "first_revision", t->first, "incident", t->incident, "organization", t->org,
			      "needs_approval", t->org != NULL, "publishable", g->allowed, "approved_revision",
			      g->approved_revision, "requested_revision", g->requested_revision, "findings",
			      (json_int_t)g->nfindings, "reasons", reasons, "history", history_json(l));
		if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
			kcli_error("out of memory");
			rc = 1;
		} else {
			putchar('\n');
		}
		json_decref(o);
		return rc;
	}
	printf("ID: %s (下書き draft, revision %d)\n", id, t->revision);
	if (t->org)
		printf("組織 organization: %s (承認が必要 needs its approval; incident %s)\n", t->org,
		       str_or(t->incident, "-"));
	else
		printf("組織 organization: - (not made from an incident: needs no approval)\n");
	printf("承認 approved revision: %s", g->approved_revision ? "" : "-");
	if (g->approved_revision)
		printf("%d%s", g->approved_revision, g->approved_revision == t->revision ? " (current)" : " (old)");
	printf("\n未解決の指摘 unresolved findings: %zu\n", g->nfindings);
	if (g->allowed)
		printf("公開 publish: allowed\n");
	else
		printf("公開 publish: refused until\n");
	for (unsigned r = 1; r <= KGATE__ALL; r <<= 1)
		if (g->reasons & r) {
			kgate_reason_text(g, r, buf, sizeof(buf));
			printf("  - %s\n", buf);
		}
	if (l->n)
		puts("\n■ 履歴 history");
	for (size_t i = 0; i < l->n; i++) {
		const struct kapproval *x = &l->v[i];

		printf("%s\t%s\trevision %d\t%s%s%s%s\n", str_or(x->at, "-"), kapproval_kind_key(x->kind), x->revision,
		       str_or(x->who, "-"), x->org ? " (" : "", x->org ? x->org : "", x->org ? ")" : "");
		if (x->text)
			printf("\t%s\n", x->text);
	}
	return 0;
}

static int approve_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct approvectx *ctx = arg;
	const struct kreader *me = cli->reader;
	struct kapproval_target t = { 0 };
	struct kapproval_list l = { 0 };
	struct kerr err = KERR_INIT;
	struct kgate g;
	int rc = 1, requested;

	if (kstore_approval_target(st, ctx->id, &t, &err) < 0) {
		if (err.code == KE_NOTFOUND)
			rc = no_draft(ctx->id);
		else
			kcli_error("%s", err.msg);
		goto out;
	}
	if (kstore_approval_list(st, ctx->id, &l, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	requested = kapproval_requested_revision(&l) > 0;
	if (!kreader_may_see_approval(me, t.org, requested)) {
		rc = no_draft(ctx->id);
		goto out;
	}
	switch (ctx->mode) {
	case M_STATUS:
		if (kstore_approval_gate(st, ctx->id, NULL, &g, NULL, &err) < 0) {
			kcli_error("%s", err.msg);
			goto out;
		}
		rc = print_status(ctx->id, &t, &l, &g, ctx->json);
		goto out;
	case M_REQUEST:
		if (!kreader_may_see_drafts(me) || !kreader_can(me, KCAP_CASE_EDIT)) {
			kcli_error("asking for approval is an analyst's (%s is %s)", str_or(me->login, "this user"),
				   str_or(krole_name(me->role), "no role"));
			goto out;
		}
		if (!t.org) {
			kcli_error("%s was not made from an incident: no organisation approves it, and it needs no "
				   "approval (only its findings resolved)", ctx->id);
			goto out;
		}
		break;
	case M_APPROVE:
		if (!kreader_may_approve(me, t.org, requested)) {
			if (!t.org)
				kcli_error("%s was not made from an incident: it needs no approval", ctx->id);
			else if (me->kind == KREADER_LOCAL)
				kcli_error("an approval is a user's of %s: say --as LOGIN", t.org);
			else if (!requested && me->org && !strcmp(me->org, t.org))
				kcli_error("nobody has asked %s to approve %s yet", t.org, ctx->id);
			else
				kcli_error("only a reporter of %s approves %s (%s is %s of %s)", t.org, ctx->id,
					   str_or(me->login, "this user"), str_or(krole_name(me->role), "no role"),
					   str_or(me->org, "no organisation"));
			goto out;
		}
		break;
	case M_COMMENT:
		break;
	}
	if (kstore_approval_add(st, ctx->id, ctx->mode == M_REQUEST ? KAPPR_REQUEST : ctx->mode == M_APPROVE ?
				KAPPR_APPROVE : KAPPR_COMMENT, t.revision, me->org, ctx->text, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	if (ctx->mode == M_REQUEST)
		fprintf(stderr, "asked %s to approve revision %d of %s: its reporters see it at /drafts/%s/approval\n",
			t.org, t.revision, ctx->id, ctx->id);
	else if (ctx->mode == M_APPROVE)
		fprintf(stderr, "approved revision %d of %s for %s (an edit after this needs a new approval)\n",
			t.revision, ctx->id, t.org);
	else
		fprintf(stderr, "commented on revision %d of %s\n", t.revision, ctx->id);
	rc = 0;
out:
	kapproval_list_free(&l);
	kapproval_target_free(&t);
	return rc;
}

int cmd_approve(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "request", no_argument, NULL, 'r' },
		{ "status", no_argument, NULL, 's' },
		{ "comment", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const fmts[] = { "text", "json", NULL };
	struct approvectx ctx = { 0 };
	int c, rc, request = 0, status = 0, fmt = 0;
	const char *fmtarg = NULL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			request = 1;
		else if (c == 's')
			status = 1;
		else if (c == 'c')
			ctx.text = optarg;
		else if (c == 'f')
			fmtarg = optarg;
		else
			return kcli_bad_option("approve", argv);
	}
	if (argc - optind < 1)
		return kcli_usage_error("approve", "approve: ID needed");
	if (argc - optind > 1)
		return kcli_usage_error("approve", "approve: unexpected argument '%s'", argv[optind + 1]);
	ctx.id = argv[optind];
	if (!*ctx.id || strlen(ctx.id) > 200 || strpbrk(ctx.id, " \t\r\n"))
		return kcli_usage_error("approve", "'%.80s' is not a draft id", ctx.id);
	if (request && status)
		return kcli_usage_error("approve", "approve: say --request or --status, not both");
	if (status && ctx.text)
		return kcli_usage_error("approve", "approve --status takes no --comment");
	if (fmtarg && !status)
		return kcli_usage_error("approve", "approve: --format goes with --status");
	if (fmtarg && (rc = kcli_opt_choice(cli, "--format", fmtarg, fmts, &fmt)))
		return rc;
	ctx.json = fmt == 1;
	ctx.mode = status ? M_STATUS : request ? M_REQUEST : ctx.text ? M_COMMENT : M_APPROVE;
	if (ctx.mode == M_COMMENT) {
		struct kerr err = KERR_INIT;

		if (kapproval_text_check("--comment", ctx.text, &err) < 0)
			return kcli_usage_error("approve", "%s", err.msg);
	}
	cli->as_acts = 1;
	return kcli_run_store(cli, status ? KCLI_READ : KCLI_WRITE, approve_run, &ctx);
}
