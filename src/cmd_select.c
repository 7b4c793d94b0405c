/*
 * cmd_select.c - `kyokun select`: the candidates of a survey period, their
 * scores against the published criteria, the proposed shortlist with the
 * reason for every candidate (select.h has the rule), the analysts'
 * overrides, and the kept shortlist that `kyokun publish --period` uses
 * (store_select.h).  For the centre's analysts and publishers, and the
 * operator at the command line; with the global --as LOGIN it acts as
 * that user.
 */
#include "cli.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "report.h"
#include "select.h"
#include "store.h"
#include "store_select.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sub { S_PROPOSE, S_SCORE, S_DECIDE, S_KEEP };

struct selctx {
	enum sub sub;
	struct kselect_period period;
	struct kselect_params params;
	int json;
	const char *id;
	int criterion, score;
	int scores[KSELECT_NCRITERIA]; /* --scores: -1 leave as it is */
	int multi;
	const char *note;
	int decision; /* 1 in, -1 out, 0 clear */
	const char *reason;
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static int may_select(const struct kcli *cli)
{
	if (kreader_may_see_drafts(cli->reader))
		return 0;
	kcli_error("selection is for the centre's analysts and publishers (%s is %s)",
		   str_or(cli->reader->login, "this user"), str_or(krole_name(cli->reader->role), "no role"));
	return 1;
}

static void sectors_text(const struct kselect_cand *c, struct kbuf *b)
{
	for (size_t i = 0; i < c->nsectors; i++) {
		const char *ja = ksector_label_ja(c->sectors[i]);

		kbuf_addf(b, "%s%s", i ? "・" : "", ja ? ja : c->sectors[i]);
	}
	if (!c->nsectors)
		kbuf_adds(b, "-");
}

/* The order shown: the shortlist by position, then the others by total, the unscored last. */
static int show_cmp(const void *a, const void *b)
{
	const struct kselect_entry *x = *(const struct kselect_entry *const *)a;
	const struct kselect_entry *y = *(const struct kselect_entry *const *)b;

	return kselect_cand_cmp_shown(&x->c, &y->c);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *entry_json(const struct kselect_entry *e, const struct kselect_result *res)
{
	const struct kselect_cand *c = &e->c;
	json_t *o = json_object(), *sec = json_array(), *scores = json_object(), *ov = NULL;
	struct kbuf why = KBUF_INIT;

	if (!o || !sec || !scores || kselect_reason(c, res, &why))
		goto bad;
	for (size_t i = 0; i < c->nsectors; i++)
		json_array_append_new(sec, json_string(c->sectors[i]));
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		json_t *v = c->score[k] < 0 ? json_null()
					    : json_pack("{s:i, s:s, s:s?, s:s?}", "score", c->score[k], "note",
							str_or(e->note[k], ""), "scorer", e->scorer[k], "at",
							e->scored_at[k]);

		json_object_set_new(scores, kselect_criteria[k].key, v ? v : json_null());
	}
	if (c->decision)
		ov = json_pack("{s:s, s:s?, s:s?, s:s?}", "decision", c->decision > 0 ? "in" : "out", "reason",
			       c->decision_reason, "by", c->decided_by, "at", e->decided_at);
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "kind", json_string(kselect_kind_name(c->kind)));
	json_object_set_new(o, "title", str_or_null(c->title));
	json_object_set_new(o, "sectors", sec);
	sec = NULL;
	json_object_set_new(o, "category", str_or_null(c->category));
	json_object_set_new(o, "incident", str_or_null(e->incident));
	json_object_set_new(o, "case_id", str_or_null(e->case_id));
	json_object_set_new(o, "when", str_or_null(c->when));
	json_object_set_new(o, "scores", scores);
	scores = NULL;
	json_object_set_new(o, "total", json_integer(c->total));
	json_object_set_new(o, "scored", json_integer(c->nscored));
	json_object_set_new(o, "rank", c->rank ? json_integer(c->rank) : json_null());
	json_object_set_new(o, "in", json_boolean(c->in));
	json_object_set_new(o, "position", c->in ? json_integer(c->position) : json_null());
	json_object_set_new(o, "why", json_string(kselect_why_name(c->why)));
	json_object_set_new(o, "reason", json_string(kbuf_str(&why)));
	json_object_set_new(o, "override", ov ? ov : json_null());
	json_object_set_new(o, "kept_reason", str_or_null(e->kept_reason));
	kbuf_release(&why);
	return o;
bad:
	kbuf_release(&why);
	json_decref(o);
	json_decref(sec);
	json_decref(scores);
	return NULL;
}

static int print_json(const struct selctx *ctx, const struct kselect_set *set, struct kselect_entry **order,
		      const struct kselect_result *res)
{
	json_t *o = json_object(), *cands = json_array(), *list = json_array(), *crit = json_array();
	int rc = 1;

	if (!o || !cands || !list || !crit)
		goto out;
	for (int k = 0; k < KSELECT_NCRITERIA; k++)
		json_array_append_new(crit, json_pack("{s:s, s:s, s:s}", "key", kselect_criteria[k].key, "ja",
						      kselect_criteria[k].ja, "en", kselect_criteria[k].en));
	for (size_t i = 0; i < set->n; i++) {
		json_t *e = entry_json(order[i], res);

		if (!e || json_array_append_new(cands, e))
			goto out;
		if (order[i]->c.in)
			json_array_append_new(list, json_string(order[i]->c.id));
	}
	json_object_set_new(o, "period", json_string(ctx->period.key));
	json_object_set_new(o, "label", json_string(ctx->period.label));
	json_object_set_new(o, "since", json_string(ctx->period.since));
	json_object_set_new(o, "until", json_string(ctx->period.until));
	json_object_set_new(o, "size", json_integer(res->size));
	json_object_set_new(o, "cap_per_sector", json_integer(res->cap));
	json_object_set_new(o, "near", json_integer(KSELECT_NEAR));
	json_object_set_new(o, "cut", res->cut >= 0 ? json_integer(res->cut) : json_null());
	json_object_set_new(o, "criteria", crit);
	crit = NULL;
	json_object_set_new(o, "shortlist", list);
	list = NULL;
	json_object_set_new(o, "candidates", cands);
	cands = NULL;
	json_object_set_new(o, "kept", set->kept_at ? json_pack("{s:s, s:s?}", "at", set->kept_at, "by", set->kept_by)
						    : json_null());
	if (json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		goto out;
	putchar('\n');
	rc = 0;
out:
	if (rc)
		kcli_error("out of memory");
	json_decref(o);
	json_decref(cands);
	json_decref(list);
	json_decref(crit);
	return rc;
}

static void print_text(const struct selctx *ctx, const struct kselect_set *set, struct kselect_entry **order,
		       const struct kselect_result *res)
{
	struct kbuf b = KBUF_INIT;

	printf("選定 selection: %s\n", ctx->period.label);
	printf("%zu candidate%s, %zu scored, %d on the shortlist (size %d, at most %d per sector",
	       set->n, set->n == 1 ? "" : "s", set->n - (size_t)res->nunscored, res->nin, res->size, res->cap);
	if (res->cut >= 0)
		printf(", the cut %d/%d", res->cut, KSELECT_NCRITERIA * KSELECT_MAX_SCORE);
	puts(")");
	if (set->kept_at)
		printf("kept %s by %s (kyokun select keep stores it again)\n", set->kept_at, str_or(set->kept_by, "?"));
	putchar('\n');
	kcli_print_cell(stdout, "", 4);
	kcli_print_cell(stdout, "ID", 22);
	putchar(' ');
	kcli_print_cell(stdout, "KIND", 8);
	printf(" SCORE ");
	kcli_print_cell(stdout, "SECTORS", 14);
	putchar(' ');
	kcli_print_cell(stdout, "CATEGORY", 20);
	puts(" TITLE");
	for (size_t i = 0; i < set->n; i++) {
		const struct kselect_cand *c = &order[i]->c;
		char pos[8], score[8];

		snprintf(pos, sizeof(pos), c->in ? "%3d" : "  -", c->position);
		kcli_print_cell(stdout, pos, 4);
		kcli_print_cell(stdout, c->id, 22);
		putchar(' ');
		kcli_print_cell(stdout, kselect_kind_name(c->kind), 8);
		if (c->nscored)
			snprintf(score, sizeof(score), "%d", c->total);
		else
			snprintf(score, sizeof(score), "-");
		printf(" %5s ", score);
		kbuf_reset(&b);
		sectors_text(c, &b);
		kcli_print_cell(stdout, kbuf_str(&b), 14);
		putchar(' ');
		kcli_print_cell(stdout, str_or(c->category, "-"), 20);
		printf(" %s\n", str_or(c->title, ""));
		kbuf_reset(&b);
		kselect_reason(c, res, &b);
		printf("    %s\n", kbuf_str(&b));
		if (c->nscored) {
			fputs("    scores", stdout);
			for (int k = 0; k < KSELECT_NCRITERIA; k++)
				if (c->score[k] < 0)
					printf(" %s=-", kselect_criteria[k].key);
				else
					printf(" %s=%d", kselect_criteria[k].key, c->score[k]);
			putchar('\n');
		}
	}
	kbuf_release(&b);
}

static int propose_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct selctx *ctx = arg;
	struct kselect_set set = { 0 };
	struct kselect_result res;
	struct kselect_entry **order = NULL;
	struct kerr err = KERR_INIT;
	int rc = 1;

	if (may_select(cli))
		return 1;
	if (kstore_selection_load(st, &ctx->period, &set, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (!(order = calloc(set.n + 1, sizeof(*order)))) {
		kcli_error("out of memory");
		goto out;
	}
	{
		struct kselect_cand *cs = calloc(set.n + 1, sizeof(*cs));

		if (!cs) {
			kcli_error("out of memory");
			goto out;
		}
		for (size_t i = 0; i < set.n; i++)
			cs[i] = set.v[i].c;
		if (kselect_shortlist(cs, set.n, &ctx->params, &res, &err) < 0) {
			free(cs);
			kcli_error("%s", err.msg);
			goto out;
		}
		for (size_t i = 0; i < set.n; i++)
			set.v[i].c = cs[i];
		free(cs);
	}
	for (size_t i = 0; i < set.n; i++)
		order[i] = &set.v[i];
	qsort(order, set.n, sizeof(*order), show_cmp);
	if (!set.n)
		fprintf(stderr, "kyokun: no candidates in %s: mark incidents 事例候補 ('kyokun report candidate ID')"
				" or make case drafts ('kyokun report draft ID')\n", ctx->period.label);
	if (ctx->sub == S_KEEP) {
		if (kstore_selection_keep(st, &ctx->period, &set, &res, kreport_now(), &err) < 0) {
			kcli_error("%s", err.msg);
			goto out;
		}
		fprintf(stderr, "kept the shortlist of %s: %d in of %zu, every reason with it"
				" ('kyokun publish --period %s' uses it)\n",
			ctx->period.label, res.nin, set.n, ctx->period.key);
		for (size_t i = 0; i < set.n; i++)
			if (set.v[i].c.in && set.v[i].c.kind == KSELECT_INCIDENT && !set.v[i].case_id)
				fprintf(stderr, "kyokun: note: %s has no case draft yet, so it cannot be published:"
						" 'kyokun report draft %s' makes one\n",
					set.v[i].c.id, set.v[i].c.id);
		rc = 0;
		goto out;
	}
	rc = ctx->json ? print_json(ctx, &set, order, &res) : (print_text(ctx, &set, order, &res), 0);
out:
	free(order);
	kselect_set_free(&set);
	return rc;
}

static int score_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct selctx *ctx = arg;
	struct kerr err = KERR_INIT;

	time_t now = kreport_now();
	int n = 0;

	if (may_select(cli))
		return 1;
	if (!ctx->multi) {
		if (kstore_selection_score(st, &ctx->period, ctx->id, ctx->criterion, ctx->score, ctx->note, now,
					   &err) < 0) {
			kcli_error("%s", err.msg);
			return 1;
		}
		fprintf(stderr, "scored %s for %s: %s (%s) = %d\n", ctx->id, ctx->period.label,
			kselect_criteria[ctx->criterion].key, kselect_criteria[ctx->criterion].ja, ctx->score);
		return 0;
	}
	/* --scores: every criterion given, in one transaction */
	if (kstore_begin(st, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	for (int k = 0; k < KSELECT_NCRITERIA; k++) {
		if (ctx->scores[k] < 0)
			continue;
		if (kstore_selection_score(st, &ctx->period, ctx->id, k, ctx->scores[k], NULL, now, &err) < 0) {
			kstore_rollback(st);
			kcli_error("%s", err.msg);
			return 1;
		}
		n++;
	}
	if (kstore_commit(st, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	fprintf(stderr, "scored %s for %s on %d criteria\n", ctx->id, ctx->period.label, n);
	return 0;
}

static int decide_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct selctx *ctx = arg;
	struct kerr err = KERR_INIT;

	if (may_select(cli))
		return 1;
	if (kstore_selection_decide(st, &ctx->period, ctx->id, ctx->decision, ctx->reason, kreport_now(), &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	fprintf(stderr, "%s %s for %s\n", ctx->id,
		ctx->decision > 0 ? "is in (override)" : ctx->decision < 0 ? "is out (override)" : "has no override now",
		ctx->period.label);
	return 0;
}

/* --scores "3,2,-,0,...": eight values, each 0-3 or - (left as it is).  0 or 2 after the message. */
static int parse_scores(const char *arg, int scores[KSELECT_NCRITERIA])
{
	const char *p = arg;
	int k = 0;

	for (;;) {
		if (k == KSELECT_NCRITERIA)
			goto bad;
		if (*p == '-')
			scores[k] = -1;
		else if (*p >= '0' && *p <= '0' + KSELECT_MAX_SCORE)
			scores[k] = *p - '0';
		else
			goto bad;
		k++;
		p++;
		if (!*p)
			break;
		if (*p++ != ',')
			goto bad;
	}
	if (k == KSELECT_NCRITERIA)
		return 0;
bad:
	return kcli_usage_error("select", "--scores: expected %d values 0-%d or - (left as it is), separated by"
					  " commas, in the criteria's order (damage,severity,recurrence,novelty,trend,"
					  "spread,lessons,response)", KSELECT_NCRITERIA, KSELECT_MAX_SCORE);
}

int cmd_select(struct kcli *cli, int argc, char **argv)
{
	enum { O_PERIOD = 'p', O_SIZE = 's', O_CAP = 'c', O_FORMAT = 'f', O_CRIT = 'k', O_SCORE = 'n',
	       O_NOTE = 't', O_SCORES = 'S', O_IN = 'i', O_OUT = 'o', O_CLEAR = 'x', O_REASON = 'r' };
	static const struct option opts[] = {
		{ "period", required_argument, NULL, O_PERIOD },
		{ "size", required_argument, NULL, O_SIZE },
		{ "cap-per-sector", required_argument, NULL, O_CAP },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "criterion", required_argument, NULL, O_CRIT },
		{ "score", required_argument, NULL, O_SCORE },
		{ "note", required_argument, NULL, O_NOTE },
		{ "scores", required_argument, NULL, O_SCORES },
		{ "in", no_argument, NULL, O_IN },
		{ "out", no_argument, NULL, O_OUT },
		{ "clear", no_argument, NULL, O_CLEAR },
		{ "reason", required_argument, NULL, O_REASON },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const fmts[] = { "text", "json", NULL };
	static const char *const subname[] = { "select", "select score", "select decide", "select keep" };
	struct selctx ctx = { .params = { KSELECT_DEFAULT_SIZE, KSELECT_DEFAULT_CAP }, .criterion = -1, .score = -1 };
	struct kerr err = KERR_INIT;
	const char *period = NULL, *crit = NULL;
	int c, rc, ndec = 0;
	unsigned seen = 0;
	long v;

	if (argc >= 2 && argv[1][0] != '-') {
		if (!strcmp(argv[1], "score"))
			ctx.sub = S_SCORE;
		else if (!strcmp(argv[1], "decide"))
			ctx.sub = S_DECIDE;
		else if (!strcmp(argv[1], "keep"))
			ctx.sub = S_KEEP;
		else
			return kcli_usage_error("select", "select: unknown subcommand '%.80s' (score, decide or keep;"
							  " or options alone for the shortlist)", argv[1]);
		argc--;
		argv++;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PERIOD:
			period = optarg;
			break;
		case O_SIZE:
			if ((rc = kcli_opt_number(cli, "--size", optarg, 1, KSELECT_MAX_SIZE, &v)))
				return rc;
			ctx.params.size = (int)v;
			seen |= 1;
			break;
		case O_CAP:
			if ((rc = kcli_opt_number(cli, "--cap-per-sector", optarg, 1, KSELECT_MAX_SIZE, &v)))
				return rc;
			ctx.params.cap = (int)v;
			seen |= 1;
			break;
		case O_FORMAT:
			if ((rc = kcli_opt_choice(cli, "--format", optarg, fmts, &ctx.json)))
				return rc;
			seen |= 2;
			break;
		case O_CRIT:
			crit = optarg;
			seen |= 4;
			break;
		case O_SCORE:
			if ((rc = kcli_opt_number(cli, "--score", optarg, 0, KSELECT_MAX_SCORE, &v)))
				return rc;
			ctx.score = (int)v;
			seen |= 4;
			break;
		case O_NOTE:
			ctx.note = optarg;
			seen |= 4;
			break;
		case O_SCORES:
			if ((rc = parse_scores(optarg, ctx.scores)))
				return rc;
			ctx.multi = 1;
			seen |= 4;
			break;
		case O_IN:
		case O_OUT:
		case O_CLEAR:
			ctx.decision = c == O_IN ? 1 : c == O_OUT ? -1 : 0;
			ndec++;
			seen |= 8;
			break;
		case O_REASON:
			ctx.reason = optarg;
			seen |= 8;
			break;
		default:
			return kcli_bad_option("select", argv);
		}
	}
	if (!period)
		return kcli_usage_error("select", "%s: --period needed (a 年度 such as 2025, or 2025-01-01..2025-12-31)",
					subname[ctx.sub]);
	if (kselect_period_parse(period, &ctx.period, &err) < 0)
		return kcli_usage_error("select", "%s: --%s", subname[ctx.sub], err.msg);
	if ((ctx.sub == S_PROPOSE || ctx.sub == S_KEEP) && (seen & 12))
		return kcli_usage_error("select", "%s takes --size, --cap-per-sector%s only (score and decide"
						  " are subcommands)", subname[ctx.sub], ctx.sub == S_KEEP ? "" : ", --format");
	if (ctx.sub == S_KEEP && (seen & 2))
		return kcli_usage_error("select", "select keep takes no --format");
	if ((ctx.sub == S_SCORE && (seen & 11)) || (ctx.sub == S_DECIDE && (seen & 7)))
		return kcli_usage_error("select", "%s: options of another subcommand given (see 'kyokun help select')",
					subname[ctx.sub]);
	if (ctx.sub == S_SCORE || ctx.sub == S_DECIDE) {
		if (argc - optind < 1)
			return kcli_usage_error("select", "%s: ID needed (an incident or case draft of the period)",
						subname[ctx.sub]);
		if (argc - optind > 1)
			return kcli_usage_error("select", "%s: unexpected argument '%.80s'", subname[ctx.sub],
						argv[optind + 1]);
		ctx.id = argv[optind];
		if (!*ctx.id || strlen(ctx.id) > 200 || strpbrk(ctx.id, " \t\r\n"))
			return kcli_usage_error("select", "'%.80s' is not an id", ctx.id);
	} else if (argc - optind > 0) {
		return kcli_usage_error("select", "%s: unexpected argument '%.80s'", subname[ctx.sub], argv[optind]);
	}
	if (ctx.sub == S_SCORE && ctx.multi) {
		if (crit || ctx.score >= 0 || ctx.note)
			return kcli_usage_error("select", "select score: --scores gives every criterion; not with"
							  " --criterion, --score or --note");
	} else if (ctx.sub == S_SCORE) {
		if (!crit)
			return kcli_usage_error("select", "select score: --criterion needed (one of: damage, severity,"
							  " recurrence, novelty, trend, spread, lessons, response; or 1-8)");
		if ((ctx.criterion = kselect_criterion_parse(crit)) < 0)
			return kcli_usage_error("select", "--criterion: '%.80s' is not a criterion (damage, severity,"
							  " recurrence, novelty, trend, spread, lessons, response; or 1-8)",
						crit);
		if (ctx.score < 0)
			return kcli_usage_error("select", "select score: --score needed (0 to %d)", KSELECT_MAX_SCORE);
	}
	if (ctx.sub == S_DECIDE) {
		if (ndec != 1)
			return kcli_usage_error("select", "select decide: say exactly one of --in, --out or --clear");
		if (ctx.decision && !ctx.reason)
			return kcli_usage_error("select", "select decide: --reason needed (why it is %s)",
						ctx.decision > 0 ? "in" : "out");
		if (!ctx.decision && ctx.reason)
			return kcli_usage_error("select", "select decide --clear takes no --reason");
	}
	cli->as_acts = 1;
	switch (ctx.sub) {
	case S_SCORE:
		return kcli_run_store(cli, KCLI_WRITE, score_run, &ctx);
	case S_DECIDE:
		return kcli_run_store(cli, KCLI_WRITE, decide_run, &ctx);
	case S_KEEP:
		return kcli_run_store(cli, KCLI_WRITE, propose_run, &ctx);
	default:
		return kcli_run_store(cli, KCLI_READ, propose_run, &ctx);
	}
}
