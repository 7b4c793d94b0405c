/*
 * test_account.c - unit tests of accounts: the model (account.c: the
 * password policy, argon2id hashes, secrets and tokens, field checks,
 * sectors, times, which role needs which organisation, the reader of a
 * user) and the store (store_account.h through the SQLite backend):
 * organisations, users, sessions, API tokens, failed sign-ins and the
 * audit log, round trips of every function; the audit log is append-only,
 * every write appends its row in the write's transaction, and a write
 * that fails (alone or inside a caller's transaction) leaves nothing.
 */
#include "testutil.h"

#include <argon2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "case.h"
#include "kerr.h"
#include "store.h"
#include "store_account.h"

static char tmpdir[256];
static int dbseq;
static char dbpath[512];

static int setup_tmp(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/kyokun-test-account.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct kstore *open_new(void)
{
	struct kerr err = KERR_INIT;
	struct kstore *st = NULL;

	snprintf(dbpath, sizeof(dbpath), "%s/t%d.db", tmpdir, ++dbseq);
	if (kstore_open(&st, dbpath, 0, &err) < 0)
		fail_msg("kstore_open: %s", err.msg);
	return st;
}

#define assert_msg_has(err, want) do { \
	if (!strstr((err).msg, (want))) \
		fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (want)); \
} while (0)

#define assert_ok(call) do { \
	struct kerr e_ = KERR_INIT; \
	int rc_ = (call); \
	(void)e_; \
	if (rc_) \
		fail_msg("%s: %d", #call, rc_); \
} while (0)

/* The number of rows sql (one count) gives, on a separate connection. */
static long long db_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long n = -1;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Run sql on a separate connection: SQLite's result code, the message into msg. */
static int db_try(const char *sql, char *msg, size_t n)
{
	sqlite3 *db;
	char *m = NULL;
	int rc;

	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	snprintf(msg, n, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static long long audit_rows(const char *action)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE action = '%s'", action);
	return db_count(sql);
}

/* ---- the model --------------------------------------------------------- */

static void test_password_policy(void **state)
{
	static const char *const weak[] = {
		"password1234", "Password1234!", "P@ssw0rd2024", "123456789012", "qwertyuiop12",
		"QWERTYUIOP!!", "1q2w3e4r5t6y", "aaaaaaaaaaaa", "abcdefghijkl", "iloveyou2024",
		"sakura123456", "doraemon1234", "!!pokemon!!!", "passwordpassword", "abcabcabcabc",
		"asdfghjkl;'1", "zxcvbnm,./12", "987654321098", "welcome12345", "I love you 2024",
		"kyokun123456", "arigatou0000", "correct-horse-battery-staple",
	};
	static const char *const good[] = {
		"purple-otter-violin-harbor", "Kx9#mPq2$vLw!z", "tsuki ga kirei desu ne",
		"月が綺麗ですね今夜は本当に", "bR7!tq0Lz#pe",
	};
	struct kerr err = KERR_INIT;
	char big[KPASSWORD_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		if (kpassword_check(weak[i], NULL, &err) != KE_INVALID)
			fail_msg("weak password accepted: %s", weak[i]);
		assert_msg_has(err, "too common");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (kpassword_check(good[i], "someone", &err))
			fail_msg("good password refused: %s: %s", good[i], err.msg);
	assert_int_equal(kpassword_check("Kx9#mPq2$vL", NULL, &err), KE_INVALID);
	assert_msg_has(err, "too short: at least 12 characters (it has 11)");
	/* characters, not bytes: 11 kanji are 33 bytes and still too short */
	assert_int_equal(kpassword_check("月が綺麗ですね今夜は本", NULL, &err), KE_INVALID);
	assert_msg_has(err, "too short");
	assert_int_equal(kpassword_check("", NULL, &err), KE_INVALID);
	assert_int_equal(kpassword_check(NULL, NULL, &err), KE_INVALID);
	assert_int_equal(kpassword_check("bR7!tq0Lz#pe\xff", NULL, &err), KE_INVALID);
	assert_msg_has(err, "UTF-8");
	assert_int_equal(kpassword_check("bR7!tq0L\tz#pe", NULL, &err), KE_INVALID);
	assert_msg_has(err, "control character");
	assert_int_equal(kpassword_check("xx-Tanaka.Ken-42!", "tanaka.ken", &err), KE_INVALID);
	assert_msg_has(err, "contains the login");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(kpassword_check(big, NULL, &err), KE_INVALID);
	assert_msg_has(err, "longer than");
}

static void test_password_hash(void **state)
{
	struct kerr err = KERR_INIT;
	char *h1 = NULL, *h2 = NULL, old[256];
	/* が composed (U+304C) and decomposed (U+304B U+3099) */
	const char *composed = "\xe3\x81\x8c-bR7!tq0Lz#pe", *decomposed = "\xe3\x81\x8b\xe3\x82\x99-bR7!tq0Lz#pe";

	(void)state;
	assert_int_equal(kpassword_hash("bR7!tq0Lz#pe", &h1, &err), 0);
	assert_non_null(h1);
	assert_memory_equal(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	assert_int_equal(kpassword_verify(h1, "bR7!tq0Lz#pe"), 1);
	assert_int_equal(kpassword_verify(h1, "bR7!tq0Lz#pE"), 0);
	assert_int_equal(kpassword_verify(h1, ""), 0);
	assert_int_equal(kpassword_verify(NULL, "bR7!tq0Lz#pe"), 0);
	assert_int_equal(kpassword_verify("$argon2id$garbage", "bR7!tq0Lz#pe"), 0);
	assert_int_equal(kpassword_verify("plain", "plain"), 0);
	/* a new salt each time */
	assert_int_equal(kpassword_hash("bR7!tq0Lz#pe", &h2, &err), 0);
	assert_string_not_equal(h1, h2);
	free(h1);
	free(h2);
	/* the same password typed in another Unicode form */
	assert_int_equal(kpassword_hash(composed, &h1, &err), 0);
	assert_int_equal(kpassword_verify(h1, decomposed), 1);
	free(h1);
	/* a hash made with other parameters keeps working: they are read from it */
	assert_int_equal(argon2id_hash_encoded(1, 8192, 1, "old-password-1", 14, "0123456789abcdef", 16, 32, old,
					       sizeof(old)),
			 ARGON2_OK);
	assert_int_equal(kpassword_verify(old, "old-password-1"), 1);
	assert_int_equal(kpassword_verify(old, "old-password-2"), 0);
	/* the dummy: the same parameters, verifies nothing typed */
	assert_memory_equal(kpassword_dummy(), "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	assert_int_equal(kpassword_verify(kpassword_dummy(), ""), 0);
	assert_ptr_equal(kpassword_dummy(), kpassword_dummy());
}

static void test_secrets(void **state)
{
	struct kerr err = KERR_INIT;
	char a[KSECRET_LEN + 1], b[KSECRET_LEN + 1], h[KHASH_LEN + 1], t[KTOKEN_LEN + 1], bad[KTOKEN_LEN + 1];

	(void)state;
	assert_int_equal(ksecret_new(a, &err), 0);
	assert_int_equal(ksecret_new(b, &err), 0);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	assert_string_not_equal(a, b);
	assert_int_equal(ksecret_hash("abc", h), 0);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(ksecret_hash("", h), 0);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(ksecret_equal(a, a), 1);
	assert_int_equal(ksecret_equal(a, b), 0);
	assert_int_equal(ksecret_equal("abc", "abcd"), 0);
	assert_int_equal(ktoken_new(t, &err), 0);
	assert_int_equal(strlen(t), KTOKEN_LEN);
	assert_memory_equal(t, "kyk_", 4);
	assert_int_equal(ktoken_wellformed(t), 1);
	memcpy(bad, t, sizeof(bad));
	bad[10] = '!';
	assert_int_equal(ktoken_wellformed(bad), 0);
	assert_int_equal(ktoken_wellformed("kyk_short"), 0);
	assert_int_equal(ktoken_wellformed(a), 0);
	assert_int_equal(ktoken_wellformed(NULL), 0);
	assert_int_equal(ktoken_name_check("deploy script", &err), 0);
	assert_int_equal(ktoken_name_check("bad\nname", &err), KE_INVALID);
}

static void test_checks(void **state)
{
	struct kerr err = KERR_INIT;
	char longname[300];

	(void)state;
	assert_int_equal(klogin_check("tanaka", &err), 0);
	assert_int_equal(klogin_check("k.tanaka-2_x", &err), 0);
	assert_int_equal(klogin_check("0admin", &err), 0);
	assert_int_equal(klogin_check("", &err), KE_INVALID);
	assert_int_equal(klogin_check(NULL, &err), KE_INVALID);
	assert_int_equal(klogin_check("Tanaka", &err), KE_INVALID);
	assert_int_equal(klogin_check(".tanaka", &err), KE_INVALID);
	assert_int_equal(klogin_check("tana ka", &err), KE_INVALID);
	assert_int_equal(klogin_check("田中", &err), KE_INVALID);
	memset(longname, 'a', 65);
	longname[65] = 0;
	assert_int_equal(klogin_check(longname, &err), KE_INVALID);
	longname[64] = 0;
	assert_int_equal(klogin_check(longname, &err), 0);

	assert_int_equal(korg_name_check("東京電力パワーグリッド株式会社", &err), 0);
	assert_int_equal(korg_name_check("", &err), KE_INVALID);
	assert_int_equal(korg_name_check("   ", &err), KE_INVALID);
	assert_int_equal(korg_name_check(" lead", &err), KE_INVALID);
	assert_int_equal(korg_name_check("a\x01", &err), KE_INVALID);
	assert_int_equal(korg_name_check("\xc3\x28", &err), KE_INVALID);
	memset(longname, 'a', 101);
	longname[101] = 0;
	assert_int_equal(korg_name_check(longname, &err), KE_INVALID);
	longname[100] = 0;
	assert_int_equal(korg_name_check(longname, &err), 0);

	assert_int_equal(kdisplay_name_check("田中 健", &err), 0);
	assert_int_equal(kdisplay_name_check("", &err), 0);
	assert_int_equal(kdisplay_name_check(NULL, &err), 0);
	assert_int_equal(kdisplay_name_check("a\nb", &err), KE_INVALID);
	assert_int_equal(kemail_check("k.tanaka@example.jp", &err), 0);
	assert_int_equal(kemail_check("", &err), 0);
	assert_int_equal(kemail_check("tanaka", &err), KE_INVALID);
	assert_int_equal(kemail_check("a b@example.jp", &err), KE_INVALID);
	assert_int_equal(kemail_check("a@b@example.jp", &err), KE_INVALID);
	assert_int_equal(kemail_check("a@localhost", &err), KE_INVALID);

	assert_int_equal(korg_kind_parse("ministry"), KORG_MINISTRY);
	assert_int_equal(korg_kind_parse("centre"), KORG_CENTRE);
	assert_int_equal(korg_kind_parse("center"), -1);
	assert_string_equal(korg_kind_name(KORG_OPERATOR), "operator");
	assert_null(korg_kind_name(KORG__N));
	assert_string_equal(ksector_parse("electricity"), "electricity");
	assert_string_equal(ksector_parse("電力"), "electricity");
	assert_string_equal(ksector_parse("政府・行政サービス"), "government");
	assert_null(ksector_parse("space"));
	assert_null(ksector_parse(NULL));
	assert_string_equal(ksector_label_ja("port"), "港湾");
	for (int i = 0; i < KSECTOR_N; i++)
		assert_string_equal(ksector_parse(ksector_label_ja(ksector_tags[i])), ksector_tags[i]);
}

static void test_time(void **state)
{
	struct kerr err = KERR_INIT;
	char buf[KTIME_LEN + 1];
	time_t t;

	(void)state;
	ktime_iso(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(ktime_parse("2026-12-03T20:56:12Z", &t), 0);
	ktime_iso(t, buf);
	assert_string_equal(buf, "2026-12-03T20:56:12Z");
	assert_int_equal(ktime_parse("2026-12-03T20:56:12", &t), 0);
	assert_int_equal(ktime_parse("2026-12-03 20:56", &t), 0);
	ktime_iso(t, buf);
	assert_string_equal(buf, "2026-12-03T20:56:00Z");
	assert_int_equal(ktime_parse("2026-12-03", &t), 0);
	ktime_iso(t, buf);
	assert_string_equal(buf, "2026-12-03T00:00:00Z");
	assert_int_equal(ktime_parse("2026-02-30", &t), KE_PARSE);
	assert_int_equal(ktime_parse("2026-12-03T25:00", &t), KE_PARSE);
	assert_int_equal(ktime_parse("2026-12-03Tx", &t), KE_PARSE);
	assert_int_equal(ktime_parse("yesterday", &t), KE_PARSE);
	assert_int_equal(ktime_parse(NULL, &t), KE_PARSE);
	assert_int_equal(ktime_since("7d", 1000000, &t, &err), 0);
	assert_int_equal(t, 1000000 - 7 * 86400);
	assert_int_equal(ktime_since("24h", 1000000, &t, &err), 0);
	assert_int_equal(t, 1000000 - 86400);
	assert_int_equal(ktime_since("30m", 1000000, &t, &err), 0);
	assert_int_equal(t, 1000000 - 1800);
	assert_int_equal(ktime_since("2w", 2000000, &t, &err), 0);
	assert_int_equal(t, 2000000 - 14 * 86400);
	assert_int_equal(ktime_since("2026-12-03", 0, &t, &err), 0);
	assert_int_equal(ktime_since("7x", 0, &t, &err), KE_USAGE);
	assert_msg_has(err, "not a time");
	assert_int_equal(ktime_since("", 0, &t, &err), KE_USAGE);
	ktime_now(buf);
	assert_int_equal(strlen(buf), 20);
}

static void test_roles_and_orgs(void **state)
{
	struct kerr err = KERR_INIT;
	struct korg op = { .name = "Operator K.K.", .kind = KORG_OPERATOR };
	struct korg min = { .name = "Ministry", .kind = KORG_MINISTRY };
	struct korg ctr = { .name = "Centre", .kind = KORG_CENTRE };
	struct kuser u = { .login = "tanaka" };
	struct kreader_hold h = { 0 };

	(void)state;
	assert_int_equal(korg_add_sector(&min, "電力", &err), 0);
	assert_int_equal(korg_add_sector(&min, "electricity", &err), KE_EXISTS);
	assert_int_equal(korg_add_sector(&min, "gas", &err), 0);
	assert_int_equal(korg_add_sector(&min, "space", &err), KE_INVALID);
	assert_msg_has(err, "unknown sector \"space\"");
	assert_int_equal(min.nsectors, 2);
	assert_int_equal(korg_check(&min, &err), 0);

	u.role = KROLE_REPORTER;
	assert_int_equal(kuser_check(&u, NULL, &err), KE_INVALID);
	assert_msg_has(err, "a reporter needs an organisation");
	assert_int_equal(kuser_check(&u, &op, &err), 0);
	assert_int_equal(kuser_check(&u, &min, &err), KE_INVALID);
	u.role = KROLE_LIAISON;
	assert_int_equal(kuser_check(&u, NULL, &err), KE_INVALID);
	assert_int_equal(kuser_check(&u, &op, &err), KE_INVALID);
	assert_msg_has(err, "must be a ministry");
	min.nsectors = 0;
	assert_int_equal(kuser_check(&u, &min, &err), KE_INVALID);
	assert_msg_has(err, "must have sectors");
	min.nsectors = 2;
	assert_int_equal(kuser_check(&u, &min, &err), 0);
	for (int r = KROLE_ANALYST; r <= KROLE_ADMIN; r++) {
		u.role = (enum krole)r;
		assert_int_equal(kuser_check(&u, NULL, &err), 0);
		assert_int_equal(kuser_check(&u, &ctr, &err), 0);
	}
	u.role = KROLE_NONE;
	assert_int_equal(kuser_check(&u, &ctr, &err), KE_INVALID);
	assert_msg_has(err, "unknown role");

	/* the reader of a liaison: its ministry's sectors */
	u.id = 7;
	u.role = KROLE_LIAISON;
	min.id = 3;
	assert_int_equal(kuser_reader(&u, &min, &h, &err), 0);
	assert_int_equal(h.r.kind, KREADER_USER);
	assert_int_equal(h.r.user_id, 7);
	assert_string_equal(h.r.login, "tanaka");
	assert_int_equal(h.r.org_id, 3);
	assert_string_equal(h.r.org, "Ministry");
	assert_int_equal(h.r.nsectors, 2);
	assert_string_equal(h.r.sectors[0], "electricity");
	assert_string_equal(h.r.sectors[1], "gas");
	assert_int_equal(h.r.caps, krole_caps(KROLE_LIAISON));
	u.disabled = 1;
	assert_int_equal(kuser_reader(&u, &min, &h, &err), KE_DENIED);
	assert_null(h.login);
	kreader_hold_free(&h);
	for (size_t i = 0; i < min.nsectors; i++)
		free(min.sectors[i]);
}

/* ---- the store ---------------------------------------------------------- */

struct names {
	char v[8][128];
	int n;
};

static int org_cb(void *ctx, const struct korg *o)
{
	struct names *n = ctx;

	snprintf(n->v[n->n++], 128, "%s/%s/%zu", o->name, korg_kind_name(o->kind), o->nsectors);
	return 0;
}

static int user_cb(void *ctx, const struct kuser *u)
{
	struct names *n = ctx;

	assert_null(u->password);
	snprintf(n->v[n->n++], 128, "%s/%s/%s/%d", u->login, krole_name(u->role), u->org ? u->org : "-",
		 u->disabled);
	return 0;
}

static long long add_org(struct kstore *st, const char *name, enum korg_kind kind, const char *sector)
{
	struct kerr err = KERR_INIT;
	struct korg o = { .kind = kind };

	o.name = strdup(name);
	if (sector)
		assert_int_equal(korg_add_sector(&o, sector, &err), 0);
	if (kstore_org_add(st, &o, &err))
		fail_msg("org add %s: %s", name, err.msg);
	long long id = o.id;
	korg_free(&o);
	return id;
}

static long long add_user(struct kstore *st, const char *login, enum krole role, long long org_id,
			  const char *password)
{
	struct kerr err = KERR_INIT;
	struct kuser u = { .role = role, .org_id = org_id };
	long long id;

	u.login = strdup(login);
	if (password)
		assert_int_equal(kpassword_hash(password, &u.password, &err), 0);
	if (kstore_user_add(st, &u, &err))
		fail_msg("user add %s: %s", login, err.msg);
	id = u.id;
	kuser_free(&u);
	return id;
}

static void test_store_orgs(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	struct korg o = { 0 }, dup = { .name = "経済産業省", .kind = KORG_OTHER };
	struct names n = { .n = 0 };
	long long id;

	(void)state;
	assert_ok(kstore_set_actor(st, 0, "local:tester", "cli"));
	o.name = strdup("経済産業省");
	o.kind = KORG_MINISTRY;
	assert_int_equal(korg_add_sector(&o, "gas", &err), 0);
	assert_int_equal(korg_add_sector(&o, "電力", &err), 0);
	assert_int_equal(korg_add_sector(&o, "chemical", &err), 0);
	assert_int_equal(kstore_org_add(st, &o, &err), 0);
	assert_true(o.id > 0);
	assert_non_null(o.created);
	id = o.id;
	korg_free(&o);
	assert_int_equal(kstore_org_add(st, &dup, &err), KE_EXISTS);
	assert_msg_has(err, "exists already");
	add_org(st, "ACME電力", KORG_OPERATOR, "electricity");
	add_org(st, "Centre", KORG_CENTRE, NULL);

	assert_int_equal(kstore_org_get(st, "経済産業省", &o, &err), 0);
	assert_int_equal(o.id, id);
	assert_int_equal(o.kind, KORG_MINISTRY);
	assert_int_equal(o.nsectors, 3);
	/* in the order of the sector list */
	assert_string_equal(o.sectors[0], "electricity");
	assert_string_equal(o.sectors[1], "gas");
	assert_string_equal(o.sectors[2], "chemical");
	assert_int_equal(kstore_org_get_id(st, id, &o, &err), 0); /* refilled: korg_free()d first */
	assert_string_equal(o.name, "経済産業省");
	korg_free(&o);
	assert_int_equal(kstore_org_get(st, "nobody", &o, &err), KE_NOTFOUND);
	assert_int_equal(kstore_org_get_id(st, 999, &o, &err), KE_NOTFOUND);

	/* refused values write nothing */
	o.name = strdup("bad\x01name");
	assert_int_equal(kstore_org_add(st, &o, &err), KE_INVALID);
	korg_free(&o);
	o.name = strdup("bad sector");
	o.sectors[0] = strdup("space");
	o.nsectors = 1;
	assert_int_equal(kstore_org_add(st, &o, &err), KE_INVALID);
	korg_free(&o);

	assert_int_equal(kstore_org_list(st, org_cb, &n, &err), 0);
	assert_int_equal(n.n, 3);
	assert_string_equal(n.v[0], "ACME電力/operator/1");
	assert_string_equal(n.v[1], "Centre/centre/0");
	assert_string_equal(n.v[2], "経済産業省/ministry/3");

	assert_int_equal(db_count("SELECT count(*) FROM orgs"), 3);
	assert_int_equal(audit_rows("org.add"), 3);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'org.add' AND actor = 'local:tester'"
				  " AND address = 'cli' AND user_id IS NULL AND object = 'org:経済産業省'"
				  " AND detail = 'kind ministry; sectors electricity, gas, chemical'"),
			 1);
	kstore_close(st);
}

static void test_store_users(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	struct kuser u = { 0 };
	struct names n = { .n = 0 };
	struct kreader_hold h = { 0 };
	long long op, min, uid, lid;

	(void)state;
	assert_ok(kstore_set_actor(st, 1, "admin", "192.0.2.1"));
	op = add_org(st, "ACME", KORG_OPERATOR, "electricity");
	min = add_org(st, "METI", KORG_MINISTRY, "gas");
	uid = add_user(st, "tanaka", KROLE_REPORTER, op, "bR7!tq0Lz#pe");
	lid = add_user(st, "sato", KROLE_LIAISON, min, NULL);
	add_user(st, "admin", KROLE_ADMIN, 0, NULL);

	/* refused: duplicate login, unknown org, role without its org, plain password, bad login */
	u.login = strdup("tanaka");
	u.role = KROLE_ANALYST;
	assert_int_equal(kstore_user_add(st, &u, &err), KE_EXISTS);
	assert_msg_has(err, "exists already");
	free(u.login);
	u.login = strdup("suzuki");
	u.org_id = 999;
	assert_int_equal(kstore_user_add(st, &u, &err), KE_NOTFOUND);
	u.org_id = 0;
	u.role = KROLE_REPORTER;
	assert_int_equal(kstore_user_add(st, &u, &err), KE_INVALID);
	u.role = KROLE_LIAISON;
	u.org_id = op;
	assert_int_equal(kstore_user_add(st, &u, &err), KE_INVALID);
	assert_msg_has(err, "must be a ministry");
	u.role = KROLE_ANALYST;
	u.org_id = 0;
	u.password = strdup("bR7!tq0Lz#pe");
	assert_int_equal(kstore_user_add(st, &u, &err), KE_INVALID);
	assert_msg_has(err, "argon2id");
	free(u.password);
	u.password = NULL;
	free(u.login);
	u.login = strdup("Bad Login");
	assert_int_equal(kstore_user_add(st, &u, &err), KE_INVALID);
	kuser_free(&u);
	assert_int_equal(db_count("SELECT count(*) FROM users"), 3);
	assert_int_equal(audit_rows("user.add"), 3);

	/* get by login and id, list */
	assert_int_equal(kstore_user_get(st, "tanaka", &u, &err), 0);
	assert_int_equal(u.id, uid);
	assert_string_equal(u.org, "ACME");
	assert_int_equal(u.org_id, op);
	assert_int_equal(u.role, KROLE_REPORTER);
	assert_int_equal(kpassword_verify(u.password, "bR7!tq0Lz#pe"), 1);
	assert_string_equal(u.display_name, "");
	assert_non_null(u.created);
	assert_int_equal(kstore_user_get_id(st, lid, &u, &err), 0);
	assert_string_equal(u.login, "sato");
	assert_null(u.password);
	assert_int_equal(kstore_user_get(st, "nobody", &u, &err), KE_NOTFOUND);
	assert_int_equal(kstore_user_get_id(st, 999, &u, &err), KE_NOTFOUND);
	assert_int_equal(kstore_user_list(st, user_cb, &n, &err), 0);
	assert_int_equal(n.n, 3);
	assert_string_equal(n.v[0], "admin/admin/-/0");
	assert_string_equal(n.v[1], "sato/liaison/METI/0");
	assert_string_equal(n.v[2], "tanaka/reporter/ACME/0");

	/* the reader of a user */
	assert_null(u.login); /* a failed get leaves u empty */
	assert_int_equal(kstore_user_get(st, "sato", &u, &err), 0);
	assert_int_equal(kstore_reader_of_user(st, &u, &h, &err), 0);
	assert_int_equal(h.r.role, KROLE_LIAISON);
	assert_int_equal(h.r.nsectors, 1);
	assert_string_equal(h.r.sectors[0], "gas");
	assert_string_equal(h.r.org, "METI");
	kreader_hold_free(&h);

	/* updates: each field, audited once per change */
	assert_int_equal(kstore_user_get(st, "tanaka", &u, &err), 0);
	u.role = KROLE_ANALYST;
	free(u.display_name);
	u.display_name = strdup("田中 健");
	free(u.email);
	u.email = strdup("tanaka@example.jp");
	assert_int_equal(kstore_user_update(st, &u, KUSER_ROLE | KUSER_DISPLAY_NAME | KUSER_EMAIL, &err), 0);
	assert_int_equal(audit_rows("user.role"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'user.role'"
				  " AND detail = 'reporter -> analyst' AND object = 'user:tanaka' AND actor = 'admin'"
				  " AND user_id = 1 AND address = '192.0.2.1'"),
			 1);
	assert_int_equal(audit_rows("user.update"), 2);
	/* the same values again: no change, no row */
	assert_int_equal(kstore_user_update(st, &u, KUSER_ROLE | KUSER_DISPLAY_NAME | KUSER_EMAIL, &err), 0);
	assert_int_equal(audit_rows("user.role"), 1);
	assert_int_equal(audit_rows("user.update"), 2);
	/* the organisation */
	u.org_id = 0;
	assert_int_equal(kstore_user_update(st, &u, KUSER_ORG, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE detail = 'organisation: ACME -> (none)'"), 1);
	/* a role that needs an organisation it lacks: refused, nothing written */
	u.role = KROLE_REPORTER;
	assert_int_equal(kstore_user_update(st, &u, KUSER_ROLE, &err), KE_INVALID);
	assert_int_equal(db_count("SELECT count(*) FROM users WHERE login = 'tanaka' AND role = 'analyst'"), 1);
	/* the password: only a hash */
	free(u.password);
	u.password = strdup("plain-text-password");
	assert_int_equal(kstore_user_update(st, &u, KUSER_PASSWORD, &err), KE_INVALID);
	free(u.password);
	u.password = NULL;
	assert_int_equal(kpassword_hash("new-Pass-word-9", &u.password, &err), 0);
	assert_int_equal(kstore_user_update(st, &u, KUSER_PASSWORD, &err), 0);
	assert_int_equal(audit_rows("user.password"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'user.password' AND detail LIKE '%argon%'"),
			 0);
	kuser_free(&u);
	assert_int_equal(kstore_user_get(st, "tanaka", &u, &err), 0);
	assert_int_equal(kpassword_verify(u.password, "new-Pass-word-9"), 1);
	assert_string_equal(u.display_name, "田中 健");
	assert_string_equal(u.email, "tanaka@example.jp");
	assert_null(u.org);

	/* disable: its sessions end; enable */
	{
		struct ksession s = { .user_id = uid, .csrf = "c", .created = "2026-01-01T00:00:00Z",
				      .expires = "2999-01-01T00:00:00Z", .address = "192.0.2.9" };

		assert_int_equal(ksecret_hash("session-1", s.hash), 0);
		assert_int_equal(kstore_session_add(st, &s, &err), 0);
	}
	u.disabled = 1;
	assert_int_equal(kstore_user_update(st, &u, KUSER_DISABLED, &err), 0);
	assert_int_equal(audit_rows("user.disable"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM sessions"), 0);
	assert_int_equal(kstore_reader_of_user(st, &u, &h, &err), KE_DENIED);
	u.disabled = 0;
	assert_int_equal(kstore_user_update(st, &u, KUSER_DISABLED, &err), 0);
	assert_int_equal(audit_rows("user.enable"), 1);
	u.id = 999;
	assert_int_equal(kstore_user_update(st, &u, KUSER_DISABLED, &err), KE_NOTFOUND);
	kuser_free(&u);
	kstore_close(st);
}

static void test_store_sessions(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	struct ksession s = { 0 }, got;
	char now[KTIME_LEN + 1], hash2[KHASH_LEN + 1], hash3[KHASH_LEN + 1];
	long long uid, other;
	long n = -1;
	struct kuser u = { 0 };

	(void)state;
	uid = add_user(st, "admin", KROLE_ADMIN, 0, NULL);
	other = add_user(st, "analyst", KROLE_ANALYST, 0, NULL);
	ktime_now(now);
	assert_int_equal(ksecret_hash("id-1", s.hash), 0);
	s.user_id = uid;
	assert_int_equal(ksecret_new(s.csrf, &err), 0);
	snprintf(s.created, sizeof(s.created), "%s", now);
	snprintf(s.expires, sizeof(s.expires), "2999-01-01T00:00:00Z");
	snprintf(s.address, sizeof(s.address), "2001:db8::1");
	assert_int_equal(kstore_session_add(st, &s, &err), 0);
	assert_int_equal(kstore_session_add(st, &s, &err), KE_EXISTS);
	assert_int_equal(kstore_session_get(st, s.hash, &got, &err), 0);
	assert_string_equal(got.hash, s.hash);
	assert_int_equal(got.user_id, uid);
	assert_string_equal(got.csrf, s.csrf);
	assert_string_equal(got.seen, now); /* seen starts as created */
	assert_string_equal(got.expires, "2999-01-01T00:00:00Z");
	assert_string_equal(got.address, "2001:db8::1");
	assert_int_equal(kstore_session_touch(st, s.hash, "2030-01-01T00:00:00Z", &err), 0);
	assert_int_equal(kstore_session_get(st, s.hash, &got, &err), 0);
	assert_string_equal(got.seen, "2030-01-01T00:00:00Z");
	assert_int_equal(kstore_session_touch(st, "0000", NULL, &err), KE_NOTFOUND);
	assert_int_equal(kstore_session_get(st, "0000", &got, &err), KE_NOTFOUND);
	/* a session of an unknown user is refused */
	s.user_id = 999;
	assert_int_equal(ksecret_hash("id-x", s.hash), 0);
	assert_int_equal(kstore_session_add(st, &s, &err), KE_NOTFOUND);

	/* expired: not found, and purged */
	s.user_id = uid;
	assert_int_equal(ksecret_hash("id-2", hash2), 0);
	memcpy(s.hash, hash2, sizeof(hash2));
	snprintf(s.expires, sizeof(s.expires), "2000-01-01T00:00:00Z");
	assert_int_equal(kstore_session_add(st, &s, &err), 0);
	assert_int_equal(kstore_session_get(st, hash2, &got, &err), KE_NOTFOUND);
	/* idle: seen long ago */
	assert_int_equal(ksecret_hash("id-3", hash3), 0);
	memcpy(s.hash, hash3, sizeof(hash3));
	snprintf(s.expires, sizeof(s.expires), "2999-01-01T00:00:00Z");
	snprintf(s.created, sizeof(s.created), "2001-01-01T00:00:00Z");
	snprintf(s.seen, sizeof(s.seen), "2001-01-01T00:00:00Z");
	s.user_id = other;
	assert_int_equal(kstore_session_add(st, &s, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM sessions"), 3);
	assert_int_equal(kstore_session_purge(st, NULL, NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(kstore_session_purge(st, NULL, "2020-01-01T00:00:00Z", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(db_count("SELECT count(*) FROM sessions"), 1);

	/* a disabled user's session is not found */
	memcpy(s.hash, hash3, sizeof(hash3));
	snprintf(s.seen, sizeof(s.seen), "%s", now);
	assert_int_equal(kstore_session_add(st, &s, &err), 0);
	assert_int_equal(kstore_user_get_id(st, other, &u, &err), 0);
	assert_int_equal(kstore_session_get(st, hash3, &got, &err), 0);
	u.disabled = 1;
	assert_int_equal(db_count("SELECT count(*) FROM sessions WHERE user_id = 2"), 1);
	{
		/* flip the flag behind the store's back, so the session stays */
		char msg[256];

		assert_int_equal(db_try("UPDATE users SET disabled = 1 WHERE login = 'analyst'", msg, sizeof(msg)),
				 SQLITE_OK);
	}
	assert_int_equal(kstore_session_get(st, hash3, &got, &err), KE_NOTFOUND);
	kuser_free(&u);

	/* sign out, and out everywhere; neither is audited by the store */
	assert_int_equal(kstore_session_delete(st, hash3, &err), 0);
	assert_int_equal(kstore_session_delete(st, hash3, &err), 0); /* absent: no error */
	memcpy(s.hash, hash2, sizeof(hash2));
	s.user_id = uid;
	assert_int_equal(kstore_session_add(st, &s, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM sessions WHERE user_id = 1"), 2);
	assert_int_equal(kstore_session_delete_user(st, uid, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM sessions"), 0);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action LIKE 'session%'"), 0);
	kstore_close(st);
}

struct toklist {
	int n;
	long long ids[8];
	int revoked[8];
};

static int tok_cb(void *ctx, const struct ktoken *t)
{
	struct toklist *l = ctx;

	l->ids[l->n] = t->id;
	l->revoked[l->n++] = t->revoked != NULL;
	return 0;
}

static void test_store_tokens(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	char tok[KTOKEN_LEN + 1], hash[KHASH_LEN + 1], hash2[KHASH_LEN + 1], pfx[KTOKEN_PREFIX_LEN + 1];
	struct ktoken t = { 0 }, got = { 0 };
	struct toklist l = { 0 };
	long long uid, other, tid;

	(void)state;
	assert_ok(kstore_set_actor(st, 0, "local:tester", "cli"));
	uid = add_user(st, "analyst", KROLE_ANALYST, 0, NULL);
	other = add_user(st, "publisher", KROLE_PUBLISHER, 0, NULL);
	assert_int_equal(ktoken_new(tok, &err), 0);
	assert_int_equal(ksecret_hash(tok, hash), 0);
	memcpy(pfx, tok, KTOKEN_PREFIX_LEN);
	pfx[KTOKEN_PREFIX_LEN] = 0;
	t.user_id = uid;
	t.name = strdup("nightly export");
	t.prefix = strdup(pfx);
	assert_int_equal(kstore_token_add(st, &t, hash, &err), 0);
	assert_true(t.id > 0);
	assert_string_equal(t.login, "analyst");
	tid = t.id;
	assert_int_equal(kstore_token_add(st, &t, hash, &err), KE_EXISTS);
	assert_int_equal(kstore_token_add(st, &t, "not-a-hash", &err), KE_INVALID);
	t.user_id = 999;
	assert_int_equal(ksecret_hash("other", hash2), 0);
	assert_int_equal(kstore_token_add(st, &t, hash2, &err), KE_NOTFOUND);
	ktoken_free(&t);
	/* stored by hash: the token itself is nowhere in the database */
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM tokens WHERE hash = '%s' AND prefix = '%s'", hash, pfx);
		assert_int_equal(db_count(sql), 1);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE detail LIKE '%%%s%%'", tok + 10);
		assert_int_equal(db_count(sql), 0);
	}
	assert_int_equal(kstore_token_find(st, hash, &got, &err), 0);
	assert_int_equal(got.id, tid);
	assert_int_equal(got.user_id, uid);
	assert_string_equal(got.login, "analyst");
	assert_string_equal(got.name, "nightly export");
	assert_string_equal(got.prefix, pfx);
	assert_null(got.expires);
	assert_null(got.used);
	assert_int_equal(kstore_token_used(st, tid, "2030-01-01T00:00:00Z", &err), 0);
	assert_int_equal(kstore_token_find(st, hash, &got, &err), 0);
	assert_string_equal(got.used, "2030-01-01T00:00:00Z");
	assert_int_equal(kstore_token_used(st, 999, NULL, &err), KE_NOTFOUND);
	assert_int_equal(kstore_token_find(st, hash2, &got, &err), KE_NOTFOUND);

	/* expired */
	t.user_id = other;
	t.prefix = strdup("kyk_expire");
	t.expires = strdup("2001-01-01T00:00:00Z");
	assert_int_equal(kstore_token_add(st, &t, hash2, &err), 0);
	assert_int_equal(kstore_token_find(st, hash2, &got, &err), KE_NOTFOUND);
	ktoken_free(&t);

	/* list, revoke */
	assert_int_equal(kstore_token_list(st, 0, tok_cb, &l, &err), 0);
	assert_int_equal(l.n, 2);
	l.n = 0;
	assert_int_equal(kstore_token_list(st, other, tok_cb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(kstore_token_revoke(st, tid, other, &err), KE_NOTFOUND); /* not that user's */
	assert_int_equal(kstore_token_find(st, hash, &got, &err), 0);
	assert_int_equal(kstore_token_revoke(st, tid, uid, &err), 0);
	assert_int_equal(kstore_token_find(st, hash, &got, &err), KE_NOTFOUND);
	assert_int_equal(kstore_token_revoke(st, tid, 0, &err), KE_NOTFOUND);
	assert_msg_has(err, "revoked already");
	assert_int_equal(kstore_token_revoke(st, 999, 0, &err), KE_NOTFOUND);
	l.n = 0;
	assert_int_equal(kstore_token_list(st, uid, tok_cb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.revoked[0], 1);
	ktoken_free(&got);

	/* a disabled user's token does nothing */
	{
		char h3[KHASH_LEN + 1];
		struct kuser u = { 0 };

		assert_int_equal(ksecret_hash("third", h3), 0);
		t.user_id = other;
		t.prefix = strdup("kyk_third_");
		assert_int_equal(kstore_token_add(st, &t, h3, &err), 0);
		ktoken_free(&t);
		assert_int_equal(kstore_token_find(st, h3, &got, &err), 0);
		assert_int_equal(kstore_user_get_id(st, other, &u, &err), 0);
		u.disabled = 1;
		assert_int_equal(kstore_user_update(st, &u, KUSER_DISABLED, &err), 0);
		assert_int_equal(kstore_token_find(st, h3, &got, &err), KE_NOTFOUND);
		kuser_free(&u);
		ktoken_free(&got);
	}
	assert_int_equal(audit_rows("token.create"), 3);
	assert_int_equal(audit_rows("token.revoke"), 1);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE action = 'token.revoke' AND object = 'token:%lld'"
			 " AND detail LIKE 'user analyst%%'", tid);
		assert_int_equal(db_count(sql), 1);
	}
	kstore_close(st);
}

static void test_signin_failures(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	char last[KTIME_LEN + 1];
	int n = -1;

	(void)state;
	assert_int_equal(kstore_signin_failures(st, "user:tanaka", &n, last, &err), 0);
	assert_int_equal(n, 0);
	assert_string_equal(last, "");
	assert_int_equal(kstore_signin_failed(st, "user:tanaka", "2026-01-01T00:00:00Z", &err), 0);
	assert_int_equal(kstore_signin_failed(st, "user:tanaka", "2026-01-01T00:00:05Z", &err), 0);
	assert_int_equal(kstore_signin_failed(st, "addr:192.0.2.1", NULL, &err), 0);
	assert_int_equal(kstore_signin_failures(st, "user:tanaka", &n, last, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(last, "2026-01-01T00:00:05Z");
	assert_int_equal(kstore_signin_failures(st, "addr:192.0.2.1", &n, last, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(kstore_signin_clear(st, "user:tanaka", &err), 0);
	assert_int_equal(kstore_signin_failures(st, "user:tanaka", &n, last, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(kstore_signin_clear(st, "user:nobody", &err), 0);
	kstore_close(st);
}

struct auditlist {
	int n;
	char action[16][32];
	char actor[16][32];
};

static int audit_cb(void *ctx, const struct kaudit *a)
{
	struct auditlist *l = ctx;

	if (l->n < 16) {
		snprintf(l->action[l->n], 32, "%s", a->action);
		snprintf(l->actor[l->n], 32, "%s", a->actor);
	}
	l->n++;
	return 0;
}

static void put_case(struct kstore *st, const char *id, const char *title, int want)
{
	struct kerr err = KERR_INIT;
	struct kcase c;
	int outcome = 0;

	kcase_init(&c);
	assert_int_equal(kstr_set(&c.id, id), 0);
	assert_int_equal(kstr_set(&c.title, title), 0);
	assert_int_equal(kstr_set(&c.tlp, "clear"), 0);
	if (kstore_put(st, &c, &outcome, &err))
		fail_msg("put %s: %s", id, err.msg);
	assert_int_equal(outcome, want);
	kcase_free(&c);
}

static void test_audit(void **state)
{
	struct kstore *st = open_new();
	struct kerr err = KERR_INIT;
	struct auditlist l = { 0 };
	struct kaudit a = { 0 };
	struct kaudit_query q = { 0 };
	char msg[256];
	long long before;

	(void)state;
	/* no actor set: "unknown" */
	put_case(st, "c1", "one", KSTORE_CREATED);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'case.add' AND object = 'case:c1'"
				  " AND actor = 'unknown'"),
			 1);
	assert_ok(kstore_set_actor(st, 0, "local:tester", "cli"));
	put_case(st, "c1", "one, again", KSTORE_UPDATED);
	put_case(st, "c1", "one, again", KSTORE_UNCHANGED); /* no write, no row */
	assert_int_equal(kstore_delete(st, "c1", &err), 0);
	assert_int_equal(kstore_delete(st, "c1", &err), KE_NOTFOUND);
	assert_int_equal(audit_rows("case.update"), 1);
	assert_int_equal(audit_rows("case.delete"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE actor = 'local:tester' AND address = 'cli'"), 2);

	/* a file's cases in one transaction, rolled back: no audit rows either */
	before = db_count("SELECT count(*) FROM audit");
	assert_int_equal(kstore_begin(st, &err), 0);
	put_case(st, "c2", "two", KSTORE_CREATED);
	put_case(st, "c3", "three", KSTORE_CREATED);
	kstore_rollback(st);
	assert_int_equal(db_count("SELECT count(*) FROM audit"), before);
	/* committed: one row per case */
	assert_int_equal(kstore_begin(st, &err), 0);
	put_case(st, "c2", "two", KSTORE_CREATED);
	put_case(st, "c3", "three", KSTORE_CREATED);
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM audit"), before + 2);

	/* a failed account write inside the caller's transaction leaves nothing, the rest stays */
	before = db_count("SELECT count(*) FROM audit");
	assert_int_equal(kstore_begin(st, &err), 0);
	add_org(st, "Org A", KORG_CENTRE, NULL);
	{
		struct korg dup = { .name = "Org A", .kind = KORG_CENTRE };
		struct kuser bad = { .login = "x", .role = KROLE_REPORTER };

		assert_int_equal(kstore_org_add(st, &dup, &err), KE_EXISTS);
		assert_int_equal(kstore_user_add(st, &bad, &err), KE_INVALID);
	}
	assert_int_equal(kstore_commit(st, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM audit"), before + 1);
	assert_int_equal(db_count("SELECT count(*) FROM orgs"), 1);
	/* and alone */
	{
		struct korg dup = { .name = "Org A", .kind = KORG_CENTRE };

		assert_int_equal(kstore_org_add(st, &dup, &err), KE_EXISTS);
	}
	assert_int_equal(db_count("SELECT count(*) FROM audit"), before + 1);

	/* append-only: neither UPDATE nor DELETE, from any connection */
	assert_int_not_equal(db_try("UPDATE audit SET actor = 'someone else'", msg, sizeof(msg)), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_not_equal(db_try("DELETE FROM audit", msg, sizeof(msg)), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE actor = 'someone else'"), 0);

	/* written by the web: sign-in and its failure */
	assert_ok(kstore_set_actor(st, 5, "tanaka", "198.51.100.7"));
	a.action = "signin";
	assert_int_equal(kstore_audit_add(st, &a, &err), 0);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE action = 'signin' AND actor = 'tanaka'"
				  " AND user_id = 5 AND address = '198.51.100.7'"),
			 1);
	a.action = "signin.failure";
	a.actor = "anonymous";
	a.address = "198.51.100.8";
	a.detail = "login nobody";
	a.at = "2020-01-01T00:00:00Z";
	assert_int_equal(kstore_audit_add(st, &a, &err), 0);
	a.detail = "bad \xff utf-8";
	assert_int_equal(kstore_audit_add(st, &a, &err), KE_INVALID);
	a.detail = NULL;
	a.action = NULL;
	assert_int_equal(kstore_audit_add(st, &a, &err), KE_INVALID);
	a.action = "x";
	a.at = "yesterday";
	assert_int_equal(kstore_audit_add(st, &a, &err), KE_INVALID);
	assert_ok(kstore_set_actor(st, 0, NULL, NULL));
	put_case(st, "c4", "four", KSTORE_CREATED);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE object = 'case:c4' AND actor = 'unknown'"
				  " AND user_id IS NULL"),
			 1);

	/* the list: everything in order, by actor, since, newest first with a limit */
	assert_int_equal(kstore_audit_list(st, NULL, audit_cb, &l, &err), 0);
	assert_int_equal(l.n, db_count("SELECT count(*) FROM audit"));
	assert_string_equal(l.action[0], "case.add");
	memset(&l, 0, sizeof(l));
	q.actor = "tanaka";
	assert_int_equal(kstore_audit_list(st, &q, audit_cb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.action[0], "signin");
	memset(&l, 0, sizeof(l));
	q.actor = NULL;
	q.since = "2021-01-01T00:00:00Z";
	q.until = "2999-01-01T00:00:00Z";
	assert_int_equal(kstore_audit_list(st, &q, audit_cb, &l, &err), 0);
	assert_int_equal(l.n, db_count("SELECT count(*) FROM audit") - 1); /* not the failure of 2020 */
	memset(&l, 0, sizeof(l));
	q.since = q.until = NULL;
	q.limit = 2;
	q.newest_first = 1;
	assert_int_equal(kstore_audit_list(st, &q, audit_cb, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.action[0], "case.add");
	assert_string_equal(l.action[1], "signin.failure");
	kstore_close(st);

	/* a read-only store writes nothing */
	{
		struct kstore *ro = NULL;
		struct korg o = { .name = "RO", .kind = KORG_OTHER };

		assert_int_equal(kstore_open(&ro, dbpath, KSTORE_READONLY, &err), 0);
		assert_int_not_equal(kstore_org_add(ro, &o, &err), 0);
		memset(&l, 0, sizeof(l));
		assert_int_equal(kstore_audit_list(ro, NULL, audit_cb, &l, &err), 0);
		assert_true(l.n > 0);
		kstore_close(ro);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_password_hash),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_roles_and_orgs),
		cmocka_unit_test(test_store_orgs),
		cmocka_unit_test(test_store_users),
		cmocka_unit_test(test_store_sessions),
		cmocka_unit_test(test_store_tokens),
		cmocka_unit_test(test_signin_failures),
		cmocka_unit_test(test_audit),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
