/*
 * cmd_token.c - `kyokun token create|list|revoke`: API tokens
 * (store_account.h).  A new token is printed once, alone on the last line
 * of standard output; the store keeps only its SHA-256 hash.
 */
#include "cli.h"
#include "account.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum fmt { F_TABLE, F_TSV, F_JSON };

struct tokenctx {
	const char *login;  /* create; list (NULL: everyone's) */
	const char *name;   /* --name */
	long days;          /* --expires (0: never) */
	long long id;       /* revoke */
	int fmt;            /* list */
	json_t *list;
	long n;
	char now[KTIME_LEN + 1];
};

/* The user of login into u; 0, or 1 after a message. */
static int create_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct tokenctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kuser u = { 0 };
	struct ktoken t = { 0 };
	char tok[KTOKEN_LEN + 1] = "", hash[KHASH_LEN + 1], expires[KTIME_LEN + 1];
	int rc = 1;

	if (kcli_find_user(st, ctx->login, &u))
		goto out;
	if (u.disabled) {
		kcli_error("%s is disabled: enable the account first ('kyokun user enable %s')", u.login, u.login);
		goto out;
	}
	if (ktoken_new(tok, &err) < 0 || ksecret_hash(tok, hash) < 0) {
		kcli_error("%s", err.msg[0] ? err.msg : "cannot make a token");
		goto out;
	}
	t.user_id = u.id;
	if (ctx->days)
		ktime_iso(time(NULL) + (time_t)ctx->days * 86400, expires);
	if ((ctx->name && !(t.name = strdup(ctx->name))) || !(t.prefix = strndup(tok, KTOKEN_PREFIX_LEN)) ||
	    (ctx->days && !(t.expires = strdup(expires)))) {
		kcli_error("out of memory");
		goto out;
	}
	if (kstore_token_add(st, &t, hash, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	fprintf(stderr, "token %lld for %s (%s), %s%s.\n", t.id, u.login, krole_name(u.role),
		t.expires ? "expires " : "never expires", t.expires ? t.expires : "");
	fprintf(stderr, "It is shown this once: only its hash is stored.  Send it as "
		"\"Authorization: Bearer TOKEN\".\n");
	fflush(stderr);
	printf("%s\n", tok);
	rc = 0;
out:
	explicit_bzero(tok, sizeof(tok));
	kuser_free(&u);
	ktoken_free(&t);
	return rc;
}

static const char *status_of(const struct tokenctx *ctx, const struct ktoken *t)
{
	if (t->revoked)
		return "revoked";
	if (t->expires && strcmp(t->expires, ctx->now) <= 0)
		return "expired";
	return "active";
}

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int token_cb(void *vctx, const struct ktoken *t)
{
	struct tokenctx *ctx = vctx;
	const char *status = status_of(ctx, t);

	if (ctx->fmt == F_JSON) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id", (json_int_t)t->id,
				      "login", t->login, "name", t->name ? t->name : "", "prefix", t->prefix,
				      "status", status, "created", t->created, "expires", t->expires, "used", t->used,
				      "revoked", t->revoked);

		if (!j || json_array_append_new(ctx->list, j))
			return KE_NOMEM;
	} else if (ctx->fmt == F_TSV) {
		printf("%lld\t%s\t", t->id, t->login);
		tsv_field(t->name);
		printf("\t%s\t%s\t%s\t%s\t%s\t%s\n", t->prefix, status, t->created, t->expires ? t->expires : "",
		       t->used ? t->used : "", t->revoked ? t->revoked : "");
	} else {
		printf("%-5lld ", t->id);
		kcli_print_cell(stdout, t->login, 16);
		putchar(' ');
		kcli_print_cell(stdout, t->name, 20);
		putchar(' ');
		kcli_print_cell(stdout, t->prefix, KTOKEN_PREFIX_LEN);
		putchar(' ');
		kcli_print_cell(stdout, status, 7);
		printf(" %s %-20s %s\n", t->created, t->expires ? t->expires : "never", t->used ? t->used : "-");
	}
	ctx->n++;
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct tokenctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kuser u = { 0 };
	int rc;

	if (ctx->login && kcli_find_user(st, ctx->login, &u))
		return 1;
	ktime_now(ctx->now);
	if (ctx->fmt == F_TABLE) {
		printf("%-5s ", "ID");
		kcli_print_cell(stdout, "LOGIN", 16);
		putchar(' ');
		kcli_print_cell(stdout, "NAME", 20);
		putchar(' ');
		kcli_print_cell(stdout, "PREFIX", KTOKEN_PREFIX_LEN);
		putchar(' ');
		kcli_print_cell(stdout, "STATUS", 7);
		printf(" %-20s %-20s %s\n", "CREATED", "EXPIRES", "LAST USED");
	}
	if (ctx->fmt == F_JSON && !(ctx->list = json_array())) {
		kuser_free(&u);
		kcli_error("out of memory");
		return 1;
	}
	rc = kstore_token_list(st, u.id, token_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (!rc && ctx->fmt == F_JSON)
		rc = kcli_print_list("tokens", ctx->list, &err);
	json_decref(ctx->list);
	kuser_free(&u);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (ctx->fmt == F_TABLE)
		printf("(%ld token%s)\n", ctx->n, ctx->n == 1 ? "" : "s");
	return 0;
}

static int revoke_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct tokenctx *ctx = arg;
	struct kerr err = KERR_INIT;

	if (kstore_token_revoke(st, ctx->id, 0, &err) < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	fprintf(stderr, "token %lld revoked\n", ctx->id);
	return 0;
}

int cmd_token(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TABLE] = "table", [F_TSV] = "tsv", [F_JSON] = "json", NULL };
	struct tokenctx ctx = { .fmt = cli->out_tty ? F_TABLE : F_TSV };
	struct kerr err = KERR_INIT;
	const char *sub;
	int c, rc, nargs;

	if (argc < 2)
		return kcli_usage_error("token", "token: say create, list or revoke");
	sub = argv[1];
	if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
		return kcli_usage_error("token", "token: unknown subcommand '%s' (create, list or revoke)", sub);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'e':
			if (strcmp(sub, "create"))
				return kcli_usage_error("token", "token %s takes no --%s", sub,
							c == 'n' ? "name" : "expires");
			if (c == 'n') {
				if (ktoken_name_check(optarg, &err) < 0)
					return kcli_usage_error("token", "--name: %s", err.msg);
				ctx.name = optarg;
			} else if ((rc = kcli_opt_number(cli, "--expires", optarg, 1, 3650, &ctx.days))) {
				return rc;
			}
			break;
		case 'f':
			if (strcmp(sub, "list"))
				return kcli_usage_error("token", "token %s takes no --format", sub);
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.fmt)))
				return rc;
			break;
		default:
			return kcli_bad_option("token", argv);
		}
	}
	nargs = argc - optind;
	if (!strcmp(sub, "list")) {
		if (nargs > 1)
			return kcli_usage_error("token", "token list: unexpected argument '%s'", argv[optind + 1]);
		ctx.login = nargs ? argv[optind] : NULL;
		if (ctx.login && klogin_check(ctx.login, &err) < 0)
			return kcli_usage_error("token", "'%s': %s", ctx.login, err.msg);
		return kcli_run_store(cli, KCLI_READ, list_run, &ctx);
	}
	if (nargs != 1)
		return kcli_usage_error("token", nargs ? "token %s: unexpected argument '%s'" : "token %s: %s", sub,
					nargs ? argv[optind + 1] : !strcmp(sub, "create") ? "no login given" : "no token id given");
	if (!strcmp(sub, "create")) {
		ctx.login = argv[optind];
		if (klogin_check(ctx.login, &err) < 0)
			return kcli_usage_error("token", "'%s': %s", ctx.login, err.msg);
		return kcli_run_store(cli, KCLI_WRITE, create_run, &ctx);
	}
	{
		char *end;

		errno = 0;
		ctx.id = strtoll(argv[optind], &end, 10);
		if (!*argv[optind] || *end || errno || ctx.id <= 0)
			return kcli_usage_error("token", "token revoke: '%s' is not a token id (a number: see "
						"'kyokun token list')", argv[optind]);
	}
	return kcli_run_store(cli, KCLI_WRITE, revoke_run, &ctx);
}
