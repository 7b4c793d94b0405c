/*
 * test_route.c - the route table and the one check of what a route
 * requires (route.c): public routes for everyone, signed-in routes for
 * users only (401), capabilities by role (403), CSRF tokens on routes that
 * change state, 404 / 405 from the table.
 */
#include "testutil.h"

#include "http.h"
#include "kerr.h"
#include "reader.h"
#include "route.h"

#include <string.h>

static int ok_handler(struct khttp_req *req, struct khttp_resp *resp, struct kerr *err)
{
	(void)req;
	(void)err;
	resp->status = 299;
	return 0;
}

static struct kreader user(enum krole role)
{
	struct kreader r = { .kind = KREADER_USER, .user_id = 1, .login = "u", .role = role,
			     .caps = krole_caps(role) };

	return r;
}

static void test_requirements(void **state)
{
	struct kroute pub = { "GET", "/x", ok_handler, KRESP_HTML, KROUTE_PUBLIC, 0, NULL };
	struct kroute signed_in = { "GET", "/x", ok_handler, KRESP_HTML, KROUTE_SIGNED_IN, 0, NULL };
	struct kroute edit = { "GET", "/x", ok_handler, KRESP_HTML, KCAP_CASE_EDIT, 0, NULL };
	struct kroute admin = { "GET", "/x", ok_handler, KRESP_HTML, KCAP_ADMIN, 0, NULL };
	struct khttp_req req;
	struct khttp_resp resp;
	struct kerr err = KERR_INIT;
	struct kreader reporter = user(KROLE_REPORTER), analyst = user(KROLE_ANALYST), adm = user(KROLE_ADMIN);

	(void)state;
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.reader = &kreader_anonymous;
	assert_int_equal(kroute_allowed(&pub, &req, &err), 0);
	assert_int_equal(kroute_allowed(&signed_in, &req, &err), KE_AUTH);
	assert_int_equal(kroute_status_of(KE_AUTH), 401);
	assert_int_equal(kroute_allowed(&edit, &req, &err), KE_AUTH);
	/* the handler never runs when the check fails */
	assert_int_equal(kroute_run(&edit, &req, &resp, &err), KE_AUTH);
	assert_int_equal(resp.status, 0);
	req.reader = NULL; /* no reader at all is anonymous */
	assert_int_equal(kroute_allowed(&signed_in, &req, &err), KE_AUTH);

	/* the operator's routes: loopback or an admin; to anyone else they do not exist */
	{
		struct kroute ops = { "GET", "/x", ok_handler, KRESP_HTML, KROUTE_LOOPBACK_OR_ADMIN, 0, NULL };

		req.reader = &kreader_anonymous;
		req.loopback = 0;
		assert_int_equal(kroute_allowed(&ops, &req, &err), KE_NOTFOUND);
		assert_int_equal(kroute_run(&ops, &req, &resp, &err), KE_NOTFOUND);
		assert_int_equal(resp.status, 0);
		req.reader = &analyst;
		assert_int_equal(kroute_allowed(&ops, &req, &err), KE_NOTFOUND);
		req.reader = &adm;
		assert_int_equal(kroute_allowed(&ops, &req, &err), 0);
		req.reader = &kreader_anonymous;
		req.loopback = 1;
		assert_int_equal(kroute_allowed(&ops, &req, &err), 0);
		req.reader = NULL;
		assert_int_equal(kroute_allowed(&ops, &req, &err), 0);
		req.loopback = 0;
		assert_int_equal(kroute_allowed(&ops, &req, &err), KE_NOTFOUND);
	}

	req.reader = &reporter;
	assert_int_equal(kroute_allowed(&signed_in, &req, &err), 0);
	assert_int_equal(kroute_allowed(&edit, &req, &err), KE_DENIED);
	assert_int_equal(kroute_status_of(KE_DENIED), 403);
	req.reader = &analyst;
	assert_int_equal(kroute_allowed(&edit, &req, &err), 0);
	assert_int_equal(kroute_allowed(&admin, &req, &err), KE_DENIED);
	assert_int_equal(kroute_run(&edit, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 299);
	req.reader = &adm;
	assert_int_equal(kroute_allowed(&admin, &req, &err), 0);
	assert_int_equal(kroute_allowed(&edit, &req, &err), KE_DENIED);
	/* the operator at the command line is not a signed-in user of the web */
	req.reader = &kreader_local;
	assert_int_equal(kroute_allowed(&signed_in, &req, &err), KE_AUTH);
}

static void test_csrf(void **state)
{
	struct kroute post = { "POST", "/x", ok_handler, KRESP_HTML, KROUTE_SIGNED_IN, 1, NULL };
	struct kreader reporter = user(KROLE_REPORTER);
	struct khttp_req req;
	struct kerr err = KERR_INIT;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.reader = &reporter;
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED); /* no session token */
	req.csrf = "s3cret-token";
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED); /* none sent */
	req.params[0].name = "csrf";
	req.params[0].value = "s3cret-tokeX";
	req.nparams = 1;
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED); /* wrong */
	req.params[0].value = "s3cret-token-longer";
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED);
	req.params[0].value = "s3cret-token";
	assert_int_equal(kroute_allowed(&post, &req, &err), 0);
	/* a token in the query string does not count: only the form body's (or the header) */
	req.nquery = 1;
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED);
}

static void test_csrf_bearer_and_origin(void **state)
{
	struct kroute post = { "POST", "/x", ok_handler, KRESP_JSON, KROUTE_SIGNED_IN, KROUTE_CSRF_TOKEN, NULL };
	struct kroute signin = { "POST", "/signin", ok_handler, KRESP_HTML, KROUTE_PUBLIC, KROUTE_CSRF_ORIGIN, NULL };
	struct kreader reporter = user(KROLE_REPORTER);
	struct khttp_req req;
	struct kerr err = KERR_INIT;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.reader = &reporter;
	req.auth = KHTTP_AUTH_TOKEN;
	/* a bearer token is no ambient credential: no CSRF token needed ... */
	assert_int_equal(kroute_allowed(&post, &req, &err), 0);
	/* ... unless a session cookie came too */
	req.has_cookie = 1;
	assert_int_equal(kroute_allowed(&post, &req, &err), KE_DENIED);
	/* sign-in: without an Origin or Referer naming this host, refused */
	memset(&req, 0, sizeof(req));
	req.reader = &kreader_anonymous;
	req.host = "kyokun.example";
	assert_int_equal(kroute_allowed(&signin, &req, &err), KE_DENIED);
}

static void test_table(void **state)
{
	char a[] = "cases", b[] = "abc", c[] = "history", api[] = "api";
	char *seg[3] = { a, b, c };
	struct khttp_req req;
	const struct kroute *r;
	int status, n = 0;

	(void)state;
	memset(&req, 0, sizeof(req));
	for (r = kroutes; r->pattern; r++, n++) {
		assert_non_null(r->fn);
		assert_true(r->pattern[0] == '/');
		/*
		 * every route that changes state is checked for CSRF: by the
		 * session's token, and then it needs a user; or, before there
		 * is a session (sign-in alone), by the request's Origin
		 */
		if (strcmp(r->method, "GET") && r->csrf == KROUTE_CSRF_READS) {
			/* a POST that only reads (a pasted incident): these two, and nothing else */
			assert_true(!strcmp(r->pattern, "/similar") || !strcmp(r->pattern, "/api/similar"));
			assert_true(r->need == KROUTE_PUBLIC);
		} else if (strcmp(r->method, "GET")) {
			assert_true(r->csrf == KROUTE_CSRF_TOKEN || r->csrf == KROUTE_CSRF_ORIGIN);
			if (r->csrf == KROUTE_CSRF_TOKEN)
				assert_true(r->need != KROUTE_PUBLIC);
			else
				assert_string_equal(r->pattern, "/signin");
		} else {
			assert_int_equal(r->csrf, KROUTE_CSRF_NONE);
		}
		/* every API route has a line in the index */
		if (!strncmp(r->pattern, "/api/", 5))
			assert_non_null(r->summary);
	}
	assert_true(n > 10);
	r = kroute_find("GET", seg, 3, &req, &status);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/cases/:id/history");
	assert_int_equal(req.nargs, 1);
	assert_string_equal(req.args[0], "abc");
	r = kroute_find("HEAD", seg, 2, &req, &status);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/cases/:id");
	assert_null(kroute_find("DELETE", seg, 2, &req, &status));
	assert_int_equal(status, 405);
	seg[0] = api;
	assert_null(kroute_find("GET", seg, 3, &req, &status));
	assert_int_equal(status, 404);
	assert_null(kroute_find("GET", seg, 3, &req, &status));
	assert_int_equal(kroute_kind_of_path("/api/x"), KRESP_JSON);
	assert_int_equal(kroute_kind_of_path("/apix"), KRESP_HTML);
	assert_true(kroute_method_known("HEAD"));
	assert_false(kroute_method_known("PATCH"));
}

/* The editor's routes take a large form; nothing else does (the rest keep 64 fields and 64 KiB). */
static void test_large_form(void **state)
{
	(void)state;
	assert_true(kroute_large_form("POST", "/cases/abc/edit"));
	assert_true(kroute_large_form("POST", "/drafts/draft-ir-2026-0001/edit"));
	assert_true(kroute_large_form("POST", "/cases/a%2Fb/edit?lang=en"));
	assert_false(kroute_large_form("GET", "/cases/abc/edit"));
	assert_false(kroute_large_form("POST", "/cases//edit"));
	assert_false(kroute_large_form("POST", "/cases/abc/edit/x"));
	assert_false(kroute_large_form("POST", "/cases/abc/editx"));
	assert_false(kroute_large_form("POST", "/cases/abc"));
	assert_true(kroute_large_form("POST", "/similar")); /* a pasted incident */
	assert_false(kroute_large_form("POST", "/similar/x"));
	assert_false(kroute_large_form("POST", "/signin"));
	assert_false(kroute_large_form("POST", "/drafts/abc/publish"));
	assert_false(kroute_large_form("POST", "/admin/users"));
	assert_false(kroute_large_form("POST", "cases/abc/edit"));
	assert_false(kroute_large_form(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_form),
		cmocka_unit_test(test_requirements),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_csrf_bearer_and_origin),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
