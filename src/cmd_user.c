/*
 * cmd_user.c - `kyokun user add|list|passwd|role|disable|enable|set`: user
 * accounts (store_account.h).  Every change is audited by the store.
 */
#include "cli.h"
#include "account.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_TABLE, F_TSV, F_JSON };

enum sub { S_ADD, S_PASSWD, S_ROLE, S_DISABLE, S_ENABLE, S_SET };

struct userctx {
	enum sub sub;
	const char *login;
	enum krole role;
	const char *org;           /* --org NAME */
	int no_org;                /* --no-org */
	const char *display_name;  /* --name */
	const char *email;         /* --email */
	const char *password_file; /* --password-file */
	int no_password;           /* --no-password */
	int fmt;                   /* list */
	json_t *list;
	long n;
};

/* Read, check and hash a password for login into *hash; 0 or 1 after a message. */
static int new_password(const struct userctx *ctx, const char *prompt, char **hash)
{
	struct kerr err = KERR_INIT;
	char *pw = NULL;
	int rc = 1;

	*hash = NULL;
	if (kcli_read_password(ctx->password_file, prompt, &pw))
		return 1;
	if (kpassword_check(pw, ctx->login, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	if (kpassword_hash(pw, hash, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(pw, strlen(pw));
	free(pw);
	return rc;
}

/* The organisation named name into o; 0, or 1 after a message. */
static int find_org(struct kstore *st, const char *name, struct korg *o)
{
	struct kerr err = KERR_INIT;
	int rc = kstore_org_get(st, name, o, &err);

	if (rc == KE_NOTFOUND)
		kcli_error("no organisation named \"%s\" (see 'kyokun org list'; add it with 'kyokun org add')",
			   name);
	else if (rc < 0)
		kcli_error("%s", err.msg);
	return rc < 0;
}

static int add_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct userctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kuser u = { 0 }, old = { 0 };
	struct korg org = { 0 };
	char prompt[128];
	int rc = 1;

	if (ctx->org && find_org(st, ctx->org, &org))
		goto out;
	if (kstore_user_get(st, ctx->login, &old, &err) == 0) {
		kcli_error("a user with login \"%s\" exists already", ctx->login);
		goto out;
	}
	u.role = ctx->role;
	u.org_id = org.id;
	if (!(u.login = strdup(ctx->login)) || (ctx->display_name && !(u.display_name = strdup(ctx->display_name))) ||
	    (ctx->email && !(u.email = strdup(ctx->email)))) {
		kcli_error("out of memory");
		goto out;
	}
	/* what can be refused is refused before the password is asked for */
	if (kuser_check(&u, ctx->org ? &org : NULL, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s", ctx->login);
	if (!ctx->no_password && new_password(ctx, prompt, &u.password))
		goto out;
	if (kstore_user_add(st, &u, &err) < 0) {
		kcli_error("%s", err.msg);
		goto out;
	}
	fprintf(stderr, "added user %s (%s%s%s)%s\n", u.login, krole_name(u.role), ctx->org ? ", " : "",
		ctx->org ? ctx->org : "", u.password ? "" : " without a password");
	rc = 0;
out:
	kuser_free(&u);
	kuser_free(&old);
	korg_free(&org);
	return rc;
}

/* The user of ctx->login into u; 0, or 1 after a message. */
static int change_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct userctx *ctx = arg;
	struct kerr err = KERR_INIT;
	struct kuser u = { 0 };
	struct korg org = { 0 };
	unsigned fields = 0;
	char prompt[128];
	int rc = 1;

	if (kcli_find_user(st, ctx->login, &u))
		goto out;
	switch (ctx->sub) {
	case S_PASSWD:
		free(u.password);
		snprintf(prompt, sizeof(prompt), "New password for %s", ctx->login);
		if (new_password(ctx, prompt, &u.password))
			goto out;
		fields = KUSER_PASSWORD;
		break;
	case S_ROLE:
		if (u.role == ctx->role) {
			fprintf(stderr, "%s is %s already: nothing changed\n", u.login, krole_name(u.role));
			rc = 0;
			goto out;
		}
		u.role = ctx->role;
		fields = KUSER_ROLE;
		break;
	case S_DISABLE:
	case S_ENABLE:
		if (u.disabled == (ctx->sub == S_DISABLE)) {
			fprintf(stderr, "%s is %s already: nothing changed\n", u.login,
				u.disabled ? "disabled" : "enabled");
			rc = 0;
			goto out;
		}
		u.disabled = ctx->sub == S_DISABLE;
		fields = KUSER_DISABLED;
		break;
	case S_SET:
		if (ctx->display_name) {
			free(u.display_name);
			u.display_name = (char *)ctx->display_name;
			fields |= KUSER_DISPLAY_NAME;
		}
		if (ctx->email) {
			free(u.email);
			u.email = (char *)ctx->email;
			fields |= KUSER_EMAIL;
		}
		if (ctx->org) {
			if (find_org(st, ctx->org, &org))
				goto out;
			u.org_id = org.id;
			fields |= KUSER_ORG;
		} else if (ctx->no_org) {
			u.org_id = 0;
			fields |= KUSER_ORG;
		}
		break;
	default:
		break;
	}
	/* a new password also ends the user's sessions, in the same transaction */
	if (kstore_begin(st, &err) < 0 || kstore_user_update(st, &u, fields, &err) < 0 ||
	    (ctx->sub == S_PASSWD && kstore_session_delete_user(st, u.id, &err) < 0) ||
	    kstore_commit(st, &err) < 0) {
		kstore_rollback(st);
		kcli_error("%s", err.msg);
		goto out;
	}
	switch (ctx->sub) {
	case S_PASSWD:
		fprintf(stderr, "password of %s changed; their sessions ended\n", u.login);
		break;
	case S_ROLE:
		fprintf(stderr, "%s is now %s\n", u.login, krole_name(u.role));
		break;
	case S_DISABLE:
		fprintf(stderr, "%s is disabled: cannot sign in, sessions ended, tokens stopped\n", u.login);
		break;
	case S_ENABLE:
		fprintf(stderr, "%s is enabled\n", u.login);
		break;
	default:
		fprintf(stderr, "%s changed\n", u.login);
		break;
	}
	rc = 0;
out:
	if (ctx->sub == S_SET) {
		/* not ours */
		if (ctx->display_name)
			u.display_name = NULL;
		if (ctx->email)
			u.email = NULL;
	}
	kuser_free(&u);
	korg_free(&org);
	return rc;
}

static void tsv_field(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int user_cb(void *vctx, const struct kuser *u)
{
	struct userctx *ctx = vctx;
	const char *status = u->disabled ? "disabled" : "active";

	if (ctx->fmt == F_JSON) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:b, s:s, s:s, s:s}", "id", (json_int_t)u->id,
				      "login", u->login, "role", krole_name(u->role) ? krole_name(u->role) : "",
				      "organisation", u->org, "display_name", u->display_name ? u->display_name : "",
				      "email", u->email ? u->email : "", "disabled", u->disabled, "status", status,
				      "created", u->created, "updated", u->updated);

		if (!j || json_array_append_new(ctx->list, j))
			return KE_NOMEM;
	} else if (ctx->fmt == F_TSV) {
		printf("%s\t%s\t", u->login, krole_name(u->role) ? krole_name(u->role) : "");
		tsv_field(u->org);
		printf("\t%s\t", status);
		tsv_field(u->display_name);
		putchar('\t');
		tsv_field(u->email);
		printf("\t%s\n", u->created);
	} else {
		kcli_print_cell(stdout, u->login, 20);
		putchar(' ');
		kcli_print_cell(stdout, krole_name(u->role), 9);
		putchar(' ');
		kcli_print_cell(stdout, u->org ? u->org : "-", 24);
		putchar(' ');
		kcli_print_cell(stdout, status, 8);
		putchar(' ');
		kcli_print_cell(stdout, u->display_name, 20);
		printf(" %s\n", u->email ? u->email : "");
	}
	ctx->n++;
	return 0;
}

static int list_run(struct kcli *cli, struct kstore *st, void *arg)
{
	struct userctx *ctx = arg;
	struct kerr err = KERR_INIT;
	int rc;

	if (ctx->fmt == F_TABLE) {
		kcli_print_cell(stdout, "LOGIN", 20);
		putchar(' ');
		kcli_print_cell(stdout, "ROLE", 9);
		putchar(' ');
		kcli_print_cell(stdout, "ORGANISATION", 24);
		putchar(' ');
		kcli_print_cell(stdout, "STATUS", 8);
		putchar(' ');
		kcli_print_cell(stdout, "NAME", 20);
		puts(" E-MAIL");
	}
	if (ctx->fmt == F_JSON && !(ctx->list = json_array())) {
		kcli_error("out of memory");
		return 1;
	}
	rc = kstore_user_list(st, user_cb, ctx, &err);
	if (rc == KE_NOMEM)
		kerr_set(&err, KE_NOMEM, "out of memory");
	if (!rc && ctx->fmt == F_JSON)
		rc = kcli_print_list("users", ctx->list, &err);
	json_decref(ctx->list);
	if (rc < 0) {
		kcli_error("%s", err.msg);
		return 1;
	}
	if (ctx->fmt == F_TABLE)
		printf("(%ld user%s)\n", ctx->n, ctx->n == 1 ? "" : "s");
	return 0;
}

/* A role named on the command line into *role; 0 or the usage error's 2. */
static int parse_role(const char *s, enum krole *role)
{
	*role = krole_parse(s);
	if (*role == KROLE_NONE)
		return kcli_usage_error("user", "unknown role '%s' (reporter, liaison, analyst, publisher or admin)",
					s);
	return 0;
}

/* A login named on the command line; 0 or the usage error's 2. */
static int parse_login(const char *s)
{
	struct kerr err = KERR_INIT;

	if (klogin_check(s, &err) < 0)
		return kcli_usage_error("user", "'%s': %s", s, err.msg);
	return 0;
}

int cmd_user(struct kcli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "org", required_argument, NULL, 'o' },
		{ "no-org", no_argument, NULL, 'O' },
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "no-password", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { [F_TABLE] = "table", [F_TSV] = "tsv", [F_JSON] = "json", NULL };
	/* the options each subcommand takes */
	static const struct {
		const char *name;
		int sub;
		const char *opts;
		int nargs;
	} subs[] = {
		{ "add", S_ADD, "roOnepP", 1 },
		{ "list", -1, "f", 0 },
		{ "passwd", S_PASSWD, "p", 1 },
		{ "role", S_ROLE, "", 2 },
		{ "disable", S_DISABLE, "", 1 },
		{ "enable", S_ENABLE, "", 1 },
		{ "set", S_SET, "noeO", 1 },
	};
	struct userctx ctx = { .fmt = cli->out_tty ? F_TABLE : F_TSV };
	struct kerr err = KERR_INIT;
	const char *role = NULL;
	int c, rc, which = -1, nargs;

	if (argc < 2)
		return kcli_usage_error("user", "user: say add, list, passwd, role, disable, enable or set");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			which = (int)i;
	if (which < 0)
		return kcli_usage_error("user", "user: unknown subcommand '%s' (add, list, passwd, role, disable, "
					"enable or set)", argv[1]);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return kcli_bad_option("user", argv);
		if (!strchr(subs[which].opts, c)) {
			for (const struct option *o = opts; o->name; o++)
				if (o->val == c)
					return kcli_usage_error("user", "user %s takes no --%s", subs[which].name, o->name);
		}
		switch (c) {
		case 'r': role = optarg; break;
		case 'o': ctx.org = optarg; break;
		case 'O': ctx.no_org = 1; break;
		case 'n': ctx.display_name = optarg; break;
		case 'e': ctx.email = optarg; break;
		case 'p': ctx.password_file = optarg; break;
		case 'P': ctx.no_password = 1; break;
		case 'f':
			if ((rc = kcli_opt_choice(cli, "--format", optarg, formats, &ctx.fmt)))
				return rc;
			break;
		}
	}
	nargs = argc - optind;
	if (nargs != subs[which].nargs) {
		if (nargs < subs[which].nargs)
			return kcli_usage_error("user", "user %s: %s", subs[which].name,
						nargs == 0 && subs[which].nargs ? "no login given" : "no role given");
		return kcli_usage_error("user", "user %s: unexpected argument '%s'", subs[which].name,
					argv[optind + subs[which].nargs]);
	}
	if (subs[which].sub < 0)
		return kcli_run_store(cli, KCLI_READ, list_run, &ctx);
	ctx.sub = (enum sub)subs[which].sub;
	ctx.login = argv[optind];
	if ((rc = parse_login(ctx.login)))
		return rc;
	if (ctx.sub == S_ROLE)
		role = argv[optind + 1];
	if (ctx.sub == S_ADD && !role)
		return kcli_usage_error("user", "user add: --role is required (reporter, liaison, analyst, "
					"publisher or admin)");
	if (role && (rc = parse_role(role, &ctx.role)))
		return rc;
	if (ctx.org && ctx.no_org)
		return kcli_usage_error("user", "--org and --no-org together");
	if (ctx.password_file && ctx.no_password)
		return kcli_usage_error("user", "--password-file and --no-password together");
	if (ctx.sub == S_SET && !ctx.display_name && !ctx.email && !ctx.org && !ctx.no_org)
		return kcli_usage_error("user", "user set: nothing to change (--name, --email, --org or --no-org)");
	if ((ctx.display_name && kdisplay_name_check(ctx.display_name, &err) < 0) ||
	    (ctx.email && kemail_check(ctx.email, &err) < 0) || (ctx.org && korg_name_check(ctx.org, &err) < 0))
		return kcli_usage_error("user", "%s", err.msg);
	return kcli_run_store(cli, KCLI_WRITE, ctx.sub == S_ADD ? add_run : change_run, &ctx);
}
