/*
 * web_tokens.c - the account page of every signed-in user (/account): who
 * they are, what the TLP table lets them read (said from the table itself,
 * kreader_level_rule), their API tokens (create, list, revoke), and "sign
 * out everywhere" (h-web's /signout-all).
 *
 * A new token is shown once, on the page that answers the POST that made it
 * (never cached, never in a URL); only its hash is stored.
 */
#include "web_form.h"
#include "account.h"
#include "kbuf.h"
#include "kerr.h"
#include "reader.h"
#include "store_account.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_DAYS_MAX 3650

/* ---- the table of a user's tokens ----------------------------------------------- */

struct tokctx {
	struct html *w;
	struct khttp_req *req;
	const char *login; /* an admin's page for this user, or NULL: one's own */
	char now[KTIME_LEN + 1];
	long n;
};

static int token_row(void *vctx, const struct ktoken *t)
{
	struct tokctx *x = vctx;
	struct khttp_req *req = x->req;
	int expired = t->expires && strcmp(t->expires, x->now) <= 0;
	char id[32];

	snprintf(id, sizeof(id), "%lld", t->id);
	if (!x->n++)
		html_printf(x->w, "<div class=\"table-scroll\"><table class=\"data tokens\">\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\"></th></tr></thead>\n<tbody>\n",
			    T(req, T_TOKEN_NAME), T(req, T_TOKEN_PREFIX), T(req, T_CREATED), T(req, T_TOKEN_EXPIRES),
			    T(req, T_TOKEN_USED), T(req, T_STATUS));
	html_printf(x->w, "<tr%R><td dir=\"auto\">%s</td><td><code>%s…</code></td><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s</td><td>", t->revoked || expired ? " class=\"inactive\"" : "",
		    t->name ? t->name : "", t->prefix ? t->prefix : "", t->created ? t->created : "",
		    t->expires ? t->expires : T(req, T_TOKEN_NEVER), t->used ? t->used : T(req, T_TOKEN_NOT_USED),
		    t->revoked ? T(req, T_TOKEN_REVOKED) : expired ? T(req, T_TOKEN_EXPIRED) : T(req, T_ACTIVE));
	if (!t->revoked && !expired) {
		web_form_begin(x->w, req, x->login ? web_url(req, "/admin/users/%U/tokens/%U/revoke", x->login, id, NULL) :
			       web_url(req, "/account/tokens/%U/revoke", id, NULL), "inline");
		html_printf(x->w, "<button type=\"submit\" class=\"button secondary small\">%s</button></form>",
			    T(req, T_REVOKE));
	}
	html_printf(x->w, "</td></tr>\n");
	return 0;
}

int web_tokens_table(struct html *w, struct khttp_req *req, long long user_id, const char *login,
		     struct kerr *err)
{
	struct tokctx x = { .w = w, .req = req, .login = login };
	int rc;

	ktime_now(x.now);
	if ((rc = kstore_token_list(req->st, user_id, token_row, &x, err)) < 0)
		return rc;
	if (x.n)
		html_printf(w, "</tbody></table></div>\n");
	else
		html_printf(w, "<p class=\"muted\">%s</p>\n", T(req, T_NO_TOKENS));
	return 0;
}

/* ---- what the reader may see ------------------------------------------------------ */

static const char *const tlp_levels[5] = { "clear", "green", "amber", "amber+strict", "red" };

/* One line per TLP level, said from the rules of the table (reader.c). */
static void render_levels(struct html *w, const struct khttp_req *req)
{
	const struct kreader *r = req->reader;
	const char *open = req->lang == KLANG_EN ? " (" : "（", *close = req->lang == KLANG_EN ? ")" : "）";
	const char *comma = req->lang == KLANG_EN ? ", " : "、";

	html_printf(w, "<p>%s</p>\n<dl class=\"levels\">\n", T(req, T_WHAT_YOU_SEE_LEAD));
	for (int level = 0; level < 5; level++) {
		unsigned rule = kreader_level_rule(r, level);
		int n = 0;

		html_printf(w, "<dt>");
		web_tlp_badge(w, req, tlp_levels[level]);
		html_printf(w, "</dt>\n<dd>");
		if (!rule) {
			html_printf(w, "<span class=\"muted\">%s</span>", T(req, T_SEE_NONE));
		} else if (rule & KRULE_ALL) {
			html_printf(w, "%s", T(req, T_SEE_ALL));
		} else {
			if (rule & KRULE_OWN_ORG) {
				html_printf(w, "%s", T(req, T_SEE_OWN_ORG));
				if (r->org)
					html_printf(w, "%R<span dir=\"auto\">%s</span>%R", open, r->org, close);
				n++;
			}
			if (rule & KRULE_SECTORS) {
				html_printf(w, "%R%s", n ? T(req, T_SEE_OR) : "", T(req, T_SEE_SECTORS));
				if (r->nsectors) {
					html_printf(w, "%R", open);
					for (size_t i = 0; i < r->nsectors; i++)
						html_printf(w, "%R%s", i ? comma : "", web_sector_label(req, r->sectors[i]));
					html_printf(w, "%R", close);
				}
				n++;
			}
			if (rule & KRULE_NAMED)
				html_printf(w, "%R%s", n ? T(req, T_SEE_OR) : "", T(req, T_SEE_NAMED));
		}
		html_printf(w, "</dd>\n");
	}
	html_printf(w, "</dl>\n");
}

/* ---- /account --------------------------------------------------------------------- */

struct token_form {
	const char *name, *days;
	struct web_form f;
};

static int render_account(struct khttp_req *req, struct khttp_resp *resp, const struct token_form *tf,
			  struct kerr *err)
{
	const struct kreader *r = req->reader;
	struct kuser u = { 0 };
	struct html w;
	int rc;

	if ((rc = kstore_user_get_id(req->st, r->user_id, &u, err)) < 0)
		return rc == KE_NOTFOUND ? kerr_set(err, KE_AUTH, "%s", T(req, T_NEED_SIGNIN)) : rc;
	kbuf_reset(&resp->body);
	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_MY_ACCOUNT), "", "page-account");
	html_printf(&w, "<h1>%s</h1>\n", T(req, T_MY_ACCOUNT));
	web_form_notice(&w, req);

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n<dl class=\"facts\">\n"
		    "<dt>%s</dt><dd><code>%s</code></dd>\n", T(req, T_WHO_YOU_ARE), T(req, T_LOGIN), u.login);
	if (u.display_name && *u.display_name)
		html_printf(&w, "<dt>%s</dt><dd dir=\"auto\">%s</dd>\n", T(req, T_DISPLAY_NAME), u.display_name);
	if (u.email && *u.email)
		html_printf(&w, "<dt>%s</dt><dd>%s</dd>\n", T(req, T_EMAIL), u.email);
	html_printf(&w, "<dt>%s</dt><dd dir=\"auto\">%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n</section>\n",
		    T(req, T_USER_ORG), u.org ? u.org : T(req, T_NO_ORG), T(req, T_ROLE), web_role_label(req, u.role));

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n", T(req, T_WHAT_YOU_SEE));
	render_levels(&w, req);
	html_printf(&w, "</section>\n");

	html_printf(&w, "<section class=\"panel\" id=\"tokens\">\n<h2>%s</h2>\n<p>%s</p>\n", T(req, T_TOKENS),
		    T(req, T_TOKEN_LEAD));
	if ((rc = web_tokens_table(&w, req, r->user_id, NULL, err)) < 0)
		goto out;
	html_printf(&w, "<h3>%s</h3>\n", T(req, T_TOKEN_CREATE));
	web_form_summary(&w, req, &tf->f);
	web_form_begin(&w, req, web_url(req, "/account/tokens", NULL), "form form-inline");
	web_form_input(&w, req, &tf->f, &(struct web_field){ .name = "name", .label = T_TOKEN_NAME,
			.value = tf->name, .maxlength = KTOKEN_NAME_MAX, .autocomplete = "off" });
	web_form_input(&w, req, &tf->f, &(struct web_field){ .name = "days", .label = T_TOKEN_DAYS,
			.type = "number", .value = tf->days, .maxlength = 4, .autocomplete = "off",
			.hint = T_TOKEN_DAYS_HINT });
	html_printf(&w, "<div class=\"actions\"><button type=\"submit\" class=\"button\">%s</button></div>\n</form>\n"
		    "</section>\n", T(req, T_TOKEN_CREATE));

	html_printf(&w, "<section class=\"panel\">\n<h2>%s</h2>\n<p>%s</p>\n", T(req, T_SESSIONS),
		    T(req, T_SIGNOUT_ALL_LEAD));
	web_form_begin(&w, req, web_url(req, "/signout-all", NULL), "inline");
	html_printf(&w, "<button type=\"submit\" class=\"button secondary\">%s</button></form>\n</section>\n",
		    T(req, T_SIGNOUT_ALL));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	/* the form's errors are the request's own: do not keep such a page */
	if (tf->f.nerr)
		resp->no_store = 1;
out:
	kuser_free(&u);
	return rc;
}

int web_account_page(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct token_form tf = { .days = "90" };

	return render_account(req, resp, &tf, err);
}

/* Days as typed: 0 for empty (never expires), else 1..TOKEN_DAYS_MAX; -1 if wrong. */
static long parse_days(const char *s)
{
	char *end;
	long v;

	while (s && (*s == ' ' || *s == '\t'))
		s++;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || *end || v < 1 || v > TOKEN_DAYS_MAX || !(*s >= '0' && *s <= '9'))
		return -1;
	return v;
}

int web_account_token_create(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	struct token_form tf = { 0 };
	struct ktoken t = { 0 };
	struct kerr e2 = KERR_INIT;
	struct kstore *rw;
	struct html w;
	char token[KTOKEN_LEN + 1], hash[KHASH_LEN + 1], expires[KTIME_LEN + 1], prefix[KTOKEN_PREFIX_LEN + 1];
	long days;
	int rc;

	tf.name = khttp_form(req, "name");
	tf.days = khttp_form(req, "days");
	if (tf.name && ktoken_name_check(tf.name, &e2) < 0)
		web_form_error(&tf.f, "name", T_ERR_TOKEN_NAME);
	if ((days = parse_days(tf.days)) < 0)
		web_form_error(&tf.f, "days", T_ERR_TOKEN_DAYS);
	if (tf.f.nerr) {
		resp->status = 400;
		return render_account(req, resp, &tf, err);
	}
	memset(token, 0, sizeof(token));
	if ((rc = ktoken_new(token, err)) < 0)
		goto out;
	if (ksecret_hash(token, hash) < 0) {
		rc = kerr_set(err, KE_NOMEM, "out of memory");
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "%.*s", KTOKEN_PREFIX_LEN, token);
	t.user_id = req->reader->user_id;
	t.name = (char *)(tf.name ? tf.name : "");
	t.prefix = prefix;
	if (days) {
		ktime_iso(time(NULL) + days * 86400L, expires);
		t.expires = expires;
	}
	if (!(rw = khttp_writer(req, err))) {
		rc = err->code ? err->code : KE_DB;
		goto out;
	}
	rc = kstore_token_add(rw, &t, hash, err);
	/* the strings above are not t's own: only what the store set is freed */
	t.name = t.prefix = t.expires = NULL;
	if (rc < 0)
		goto out;

	html_init(&w, &resp->body);
	web_begin(&w, req, T(req, T_TOKEN_CREATED), "", "page-account");
	html_printf(&w, "<section class=\"panel token-once\">\n<h1>%s</h1>\n<p class=\"notice\" role=\"alert\">%s</p>\n"
		    "<label for=\"new-token\">%s</label>\n"
		    "<input id=\"new-token\" class=\"token\" readonly value=\"%s\" spellcheck=\"false\" autocomplete=\"off\">\n"
		    "<p>%s</p>\n<pre class=\"example\">curl -H 'Authorization: Bearer %s' %R://%s/api/cases</pre>\n"
		    "<p><a class=\"button\" href=\"%s\">%s</a></p>\n</section>\n",
		    T(req, T_TOKEN_CREATED), T(req, T_TOKEN_COPY), T(req, T_TOKENS), token, T(req, T_TOKEN_USAGE),
		    token, req->secure ? "https" : "http", req->host ? req->host : "localhost", web_url(req, "/account", NULL), T(req, T_BACK_TO_ACCOUNT));
	web_end(&w, req);
	rc = web_finish(&w, resp, err);
	/* shown this once: never kept, by us or the browser */
	resp->no_store = 1;
	resp->cache_control = "no-store";
out:
	ktoken_free(&t);
	memset(token, 0, sizeof(token));
	return rc;
}

/* A token id from the URL: 1.. ; 0 if it is not one. */
long long web_token_id(const char *s)
{
	char *end;
	long long v;

	if (!s || !(*s >= '1' && *s <= '9'))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v < 1 ? 0 : v;
}

int web_account_token_revoke(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	long long id = web_token_id(req->args[0]);
	struct kstore *rw;
	int rc;

	if (!id)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_TOKEN));
	if (!(rw = khttp_writer(req, err)))
		return err->code ? err->code : KE_DB;
	/* only one's own: someone else's token id is "no such token" */
	rc = kstore_token_revoke(rw, id, req->reader->user_id, err);
	if (rc == KE_NOTFOUND)
		return kerr_set(err, KE_NOTFOUND, "%s", T(req, T_NO_SUCH_TOKEN));
	if (rc < 0)
		return rc;
	return web_form_redirect(resp, web_url(req, "/account", "done", "revoked", NULL), err);
}
